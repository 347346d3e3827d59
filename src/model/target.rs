//! A gateway target's configuration: every member of CreateGatewayTarget and UpdateGatewayTarget
//! in aws-sdk-bedrockagentcorecontrol 1.97, under its API JSON name.
//!
//! Each shape is declared once (`shape_struct!`, `shape_union!`, `spec_enum!`): the declaration
//! gives the type, its decoder (specs, saved plans, emulator requests), its JSON Schema and its
//! SDK conversion. Struct fields carry the SDK's member names and union variants the SDK's
//! variant names, which is what lets the SDK conversion be generated.

use std::collections::BTreeMap;

use aws_sdk_bedrockagentcorecontrol::operation as op;
use serde::Serialize;
use serde_json::{json, Value};

use super::decode::{Cx, Decode, Node, NodeKind};
use super::live::Unreadable;
use super::provider_ref::ProviderRef;
use super::schema::{self, Defs, Schema};
use super::sdk::{self, BuildFailure, Sdk};
use super::{Bounded, BoundedMap, Description, LambdaArn, PrivateEndpoint};

// ---------------------------------------------------------------- constrained strings

spec_string!(
    /// TargetName: 1–100 alphanumerics, each optionally followed by one `-` (sensitive in the API).
    TargetName, len 1..=200, pattern "([0-9a-zA-Z][-]?){1,100}"
);
spec_string!(
    /// An MCP server's `https://` endpoint (the model sets no length cap).
    HttpsUrl, len 1..=usize::MAX, pattern "https://.*"
);
spec_string!(
    /// A passthrough or inference provider endpoint: `https://`, a host, an optional port and path
    /// (the model's PassthroughEndpoint; `https://` alone is refused).
    PassthroughEndpoint, len 1..=2048, pattern "https://[a-zA-Z0-9\\-\\.]+(:[0-9]{1,5})?(/.*)?"
);
spec_string!(
    /// A connector version: MAJOR.MINOR.PATCH (`\d` spelled `[0-9]`: the regex crate's is Unicode).
    ConnectorVersion, len 5..=32, pattern "(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)"
);
spec_string!(
    /// A runtime qualifier (endpoint name or version), as the model's RuntimeQualifier allows.
    RuntimeQualifier, len 1..=usize::MAX, pattern ".*([1-9][0-9]{0,4})|([a-zA-Z][a-zA-Z0-9_]{0,47}).*"
);
spec_string!(
    /// A path of an inference operation.
    InferenceOperationPath, len 1..=256, pattern "/[a-zA-Z0-9\\-\\._/{}]+"
);
spec_string!(
    /// A model name or pattern an inference operation serves.
    ModelPattern, len 1..=2048, pattern "[a-zA-Z0-9\\-\\._\\*\\?@:]+(/[a-zA-Z0-9\\-\\._\\*\\?@:]+)*"
);
spec_string!(
    /// One part of a composite stickiness identifier.
    CompositeIdentifierEntry, len 1..=256
);
spec_string!(
    /// The name of a connector configuration.
    ConnectorConfigurationName, len 1..=64, pattern "[a-zA-Z][a-zA-Z0-9_-]*"
);
spec_string!(
    /// The name of an HTTP connector parameter.
    ConnectorParameterName, len 1..=128, pattern "[a-zA-Z][a-zA-Z0-9_-]*"
);
spec_string!(
    /// The value of an HTTP connector parameter.
    ConnectorParameterValue, len 1..=1024
);
spec_string!(
    /// The separator after a provider prefix: one character.
    ProviderPrefixSeparator, len 1..=1
);
spec_string!(
    /// Where OAuth consent returns to: `scheme:` then no whitespace (Java's `\w` spelled as an
    /// ASCII class; the regex crate's `\s` is wider than Java's, so this is, if anything, stricter).
    ReturnUrl, len 1..=2048, pattern "[a-zA-Z0-9_]+:(/?/?)[^\\s]+"
);
spec_string!(
    /// The description of a connector configuration.
    ConnectorConfigurationDescription, len 1..=2000
);
spec_string!(
    /// An S3 URI.
    S3Uri, len 1..=2048, pattern "s3://.{1,2043}"
);
spec_string!(
    /// A 12-digit AWS account ID.
    AccountId, len 12..=12, pattern "[0-9]{12}"
);
spec_string!(
    /// An inline OpenAPI, Smithy or MCP tool schema, sent verbatim (sensitive in the API).
    SchemaText, len 1..=usize::MAX
);
spec_string!(
    /// A tool's name.
    ToolName, len 1..=usize::MAX
);
spec_string!(
    /// A tool's description.
    ToolDescription, len 1..=usize::MAX
);
spec_string!(
    /// A free-form value the model leaves unconstrained.
    Text, len 1..=usize::MAX
);
spec_string!(
    /// A property name in a tool's input or output schema (the model allows an empty one).
    SchemaPropertyName, len 0..=usize::MAX
);
spec_string!(
    /// A static query parameter's value: no control characters. Sensitive in the model, so a
    /// problem with it names the field, never the value.
    StaticQueryParameterValue, len 0..=usize::MAX, pattern "[^\\x00-\\x1F\\x7F]*", sensitive: true
);
spec_string!(
    /// An API Gateway REST API ID.
    RestApiId, len 1..=usize::MAX
);
spec_string!(
    /// An API Gateway stage name.
    Stage, len 1..=usize::MAX
);
spec_string!(
    /// The audience of a JWT-SVID.
    SvidAudience, len 1..=1000
);
spec_string!(
    /// A connector identifier.
    ConnectorId, len 1..=256
);
spec_string!(
    /// A tool name a connector target enables (the model allows an empty one).
    ConnectorToolName, len 0..=usize::MAX
);
spec_string!(
    /// A stickiness identifier.
    StickinessIdentifier, len 1..=256
);
spec_string!(
    /// A credential provider ARN (the model's `arn:…:<12-digit account or none>:…` shape).
    ProviderArn, len 1..=usize::MAX, pattern "arn:([^:]*):([^:]*):([^:]*):([0-9]{12})?:(.+)"
);
spec_string!(
    /// An OAuth scope.
    OAuthScope, len 1..=64
);
spec_string!(
    /// An OAuth custom parameter name.
    CustomParameterKey, len 1..=256
);
spec_string!(
    /// An OAuth custom parameter value: sensitive (it can hold a secret), so problems with it
    /// never quote it.
    CustomParameterValue, len 1..=2048, sensitive: true
);
spec_string!(
    /// An API key's parameter name or prefix.
    CredentialParameter, len 1..=64
);
spec_string!(
    /// The AWS service an IAM credential provider signs for.
    IamService, len 1..=64, pattern "[a-zA-Z0-9._-]+"
);
spec_string!(
    /// An AWS region name.
    Region, len 1..=32, pattern "[a-zA-Z0-9-]+"
);
spec_string!(
    /// An HTTP header name.
    HeaderName, len 1..=100
);
spec_string!(
    /// A query parameter name.
    QueryParameterName, len 1..=40
);
spec_string!(
    /// A static query parameter's name (the model's StaticQueryParameterName: longer than the
    /// names `allowedQueryParameters` lists, and restricted to URL-safe characters).
    StaticQueryParameterName, len 1..=128, pattern "[a-zA-Z0-9_.-]+"
);
spec_string!(
    /// An AgentCore runtime ARN.
    RuntimeArn, len 1..=usize::MAX,
    pattern "arn:aws(-[^:]+)?:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:runtime/[a-zA-Z][a-zA-Z0-9_]{0,47}-[a-zA-Z0-9]{10}"
);
spec_string!(
    /// A Secrets Manager secret ARN.
    SecretArn, len 1..=usize::MAX, pattern "arn:aws(-[^:]+)?:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+"
);

// ---------------------------------------------------------------- enums

spec_enum!(
    /// ListingMode.
    ListingMode => ListingMode { Default = "DEFAULT", Dynamic = "DYNAMIC" }
);
spec_enum!(
    /// RestApiMethod.
    RestApiMethod => RestApiMethod {
        Get = "GET", Delete = "DELETE", Head = "HEAD", Options = "OPTIONS", Patch = "PATCH", Put = "PUT", Post = "POST"
    }
);
spec_enum!(
    /// SchemaType.
    SchemaType => SchemaType {
        String = "string", Number = "number", Object = "object", Array = "array", Boolean = "boolean", Integer = "integer"
    }
);
spec_enum!(
    /// PassthroughProtocolType.
    PassthroughProtocolType => PassthroughProtocolType { Mcp = "MCP", A2A = "A2A", Inference = "INFERENCE", Custom = "CUSTOM" }
);
spec_enum!(
    /// StaticQueryParameterConflictResolution.
    StaticQueryParameterConflictResolution => StaticQueryParameterConflictResolution {
        ClientOverride = "CLIENT_OVERRIDE", StaticOverride = "STATIC_OVERRIDE"
    }
);
spec_enum!(
    /// CredentialProviderType.
    CredentialProviderType => CredentialProviderType {
        GatewayIamRole = "GATEWAY_IAM_ROLE", Oauth = "OAUTH", ApiKey = "API_KEY",
        CallerIamCredentials = "CALLER_IAM_CREDENTIALS", JwtPassthrough = "JWT_PASSTHROUGH",
        /// Not in SDK 1.97's list: sent and read as the SDK's `Unknown` value, which keeps it verbatim.
        JwtSvid = "JWT_SVID"
    }
);
spec_enum!(
    /// SvidSigningAlgorithm. SDK 1.97 has no such type: `api::carried` sends and reads it.
    SvidSigningAlgorithm { Rs256 = "RS256", Es384 = "ES384" }
);
spec_enum!(
    /// OAuthGrantType; the model's default is CLIENT_CREDENTIALS.
    OAuthGrantType => OAuthGrantType {
        ClientCredentials = "CLIENT_CREDENTIALS", AuthorizationCode = "AUTHORIZATION_CODE", TokenExchange = "TOKEN_EXCHANGE"
    }
);
spec_enum!(
    /// ApiKeyCredentialLocation.
    ApiKeyCredentialLocation => ApiKeyCredentialLocation { Header = "HEADER", QueryParameter = "QUERY_PARAMETER" }
);

// ---------------------------------------------------------------- integers

spec_int!(
    /// resourcePriority of an MCP server target: 0–1000; the service's default is 1000.
    ResourcePriority, 0..=1000
);
spec_int!(
    /// A stickiness timeout in seconds.
    StickinessTimeout, 1..=86400
);

impl ResourcePriority {
    /// The service's default, which normalization treats as absent.
    pub const DEFAULT: i32 = 1000;
}

// ---------------------------------------------------------------- the target

shape_struct! {
    /// A gateway target's complete configuration, desired or observed, in API naming.
    /// Identity is `name` within the gateway.
    Target => operations {
        create: op::create_gateway_target::builders::CreateGatewayTargetInputBuilder,
        update: op::update_gateway_target::builders::UpdateGatewayTargetInputBuilder,
        read: [
            op::get_gateway_target::GetGatewayTargetOutput,
            op::create_gateway_target::CreateGatewayTargetOutput,
            op::update_gateway_target::UpdateGatewayTargetOutput,
            aws_sdk_bedrockagentcorecontrol::types::GatewayTarget,
        ],
    } {
        name: req TargetName => "name" "The name of the target; its identity within the gateway. A new name is a new target.",
        description: opt Description => "description" "The description of the gateway target.",
        target_configuration: req TargetConfiguration => "targetConfiguration" "The configuration settings for the target, including the endpoint information and schema definitions.",
        credential_provider_configurations: opt Bounded<CredentialProviderConfiguration, 1, 1> => "credentialProviderConfigurations" "The credential provider configurations for the target. These configurations specify how the gateway authenticates with the target endpoint.",
        #[may_be_empty]
        metadata_configuration: opt MetadataConfiguration => "metadataConfiguration" "Optional configuration for HTTP header and query parameter propagation to and from the gateway target.",
        private_endpoint: opt PrivateEndpoint => "privateEndpoint" "The private endpoint configuration for the gateway target.",
        certificate_configurations: opt Bounded<CertificateConfiguration, 1, 1> => "certificateConfigurations" "The certificate configurations for the gateway target.",
    }
}

impl Target {
    /// Checks the rules that span fields, on the node so that it runs even when a member failed.
    pub fn check_cross_field(node: &Node, cx: &mut Cx<'_>) {
        // The service refuses an MCP server target that signs with the gateway's role unless the
        // IAM provider names the service to sign for.
        let is_mcp_server =
            node.get("targetConfiguration").and_then(|n| n.get("mcp")).and_then(|n| n.get("mcpServer")).is_some();
        let Some(NodeKind::Seq(creds)) = node.get("credentialProviderConfigurations").map(|n| &n.kind) else {
            return;
        };
        for (i, c) in creds.iter().enumerate() {
            let gateway_role = c.get("credentialProviderType").and_then(Node::as_scalar) == Some("GATEWAY_IAM_ROLE");
            let service =
                c.get("credentialProvider").and_then(|p| p.get("iamCredentialProvider")).and_then(|p| p.get("service"));
            if is_mcp_server && gateway_role && service.is_none_or(Node::is_empty_value) {
                cx.at("credentialProviderConfigurations", |cx| {
                    cx.at(format!("[{i}]"), |cx| {
                        cx.error(c.mark, "an mcpServer target using GATEWAY_IAM_ROLE needs credentialProvider.iamCredentialProvider.service (the service refuses it otherwise)")
                    })
                });
            }
            let oauth = c.get("credentialProvider").and_then(|p| p.get("oauthCredentialProvider")).is_some();
            let kind = c.get("credentialProviderType").and_then(Node::as_scalar);
            if oauth && kind.is_some_and(|k| k != "OAUTH") {
                cx.at("credentialProviderConfigurations", |cx| {
                    cx.at(format!("[{i}]"), |cx| {
                        cx.error(c.mark, "oauthCredentialProvider goes with credentialProviderType OAUTH")
                    })
                });
            }
            let svid = c.get("credentialProvider").and_then(|p| p.get("svidCredentialProvider")).is_some();
            if svid && kind.is_some_and(|k| k != "JWT_SVID") {
                cx.at("credentialProviderConfigurations", |cx| {
                    cx.at(format!("[{i}]"), |cx| {
                        cx.error(c.mark, "svidCredentialProvider goes with credentialProviderType JWT_SVID")
                    })
                });
            }
            let api_key = c.get("credentialProvider").and_then(|p| p.get("apiKeyCredentialProvider")).is_some();
            if api_key && kind.is_some_and(|k| k != "API_KEY") {
                cx.at("credentialProviderConfigurations", |cx| {
                    cx.at(format!("[{i}]"), |cx| {
                        cx.error(c.mark, "apiKeyCredentialProvider goes with credentialProviderType API_KEY")
                    })
                });
            }
        }
    }

    /// The OAuth provider, if the target authenticates with one.
    pub fn oauth(&self) -> Option<&OAuthCredentialProvider> {
        self.credential_provider_configurations.as_ref()?.iter().find_map(|c| match &c.credential_provider {
            Some(CredentialProvider::OauthCredentialProvider(o)) => Some(o),
            _ => None,
        })
    }

    /// True for an MCP server target without `mcpToolSchema`: the only kind SynchronizeGatewayTargets accepts.
    pub fn can_synchronize(&self) -> bool {
        matches!(
            &self.target_configuration,
            TargetConfiguration::Mcp(McpTargetConfiguration::McpServer(s)) if s.mcp_tool_schema.is_none()
        )
    }
}

shape_union! {
    /// TargetConfiguration (union).
    TargetConfiguration => TargetConfiguration {
        #[may_be_empty]
        Mcp(McpTargetConfiguration) => "mcp" "The Model Context Protocol (MCP) configuration for the target.",
        Http(HttpTargetConfiguration) => "http" "The HTTP target configuration.",
        Inference(InferenceTargetConfiguration) => "inference" "The inference target configuration.",
    }
}

shape_union! {
    /// McpTargetConfiguration (union).
    McpTargetConfiguration => McpTargetConfiguration {
        OpenApiSchema(ApiSchemaConfiguration) => "openApiSchema" "The OpenAPI schema for the Model Context Protocol target.",
        SmithyModel(ApiSchemaConfiguration) => "smithyModel" "The Smithy model for the Model Context Protocol target.",
        Lambda(McpLambdaTargetConfiguration) => "lambda" "The Lambda configuration for the Model Context Protocol target.",
        McpServer(McpServerTargetConfiguration) => "mcpServer" "The MCP server specified as the gateway target.",
        ApiGateway(ApiGatewayTargetConfiguration) => "apiGateway" "The configuration for an Amazon API Gateway target.",
        Connector(ConnectorTargetConfiguration) => "connector" "The connector configuration for the Model Context Protocol target.",
    }
}

shape_union! {
    /// ApiSchemaConfiguration (union): an OpenAPI or Smithy schema, inline or in S3. In a spec,
    /// `file:` may stand in for `inlinePayload`.
    ApiSchemaConfiguration => ApiSchemaConfiguration {
        InlinePayload(SchemaText) => "inlinePayload" "The inline payload containing the API schema definition (in a spec, `file:` reads it from a file instead).",
        #[may_be_empty]
        S3(S3Configuration) => "s3" "The Amazon S3 configuration for the API schema.",
    }
}

shape_struct! {
    /// S3Configuration.
    S3Configuration => S3Configuration plain {
        uri: opt S3Uri => "uri" "The URI of the Amazon S3 object.",
        bucket_owner_account_id: opt AccountId => "bucketOwnerAccountId" "The account ID of the Amazon S3 bucket owner.",
    }
}

shape_struct! {
    /// McpLambdaTargetConfiguration.
    McpLambdaTargetConfiguration => McpLambdaTargetConfiguration fallible {
        lambda_arn: req LambdaArn => "lambdaArn" "The Amazon Resource Name (ARN) of the Lambda function.",
        tool_schema: req ToolSchema => "toolSchema" "The tool schema for the Lambda function.",
    }
}

shape_union! {
    /// ToolSchema (union). In a spec, `file:` may stand in for `inlinePayload`: a JSON or YAML list
    /// of tool definitions.
    ToolSchema => ToolSchema {
        InlinePayload(Bounded<ToolDefinition, 1, { usize::MAX }>) => "inlinePayload" "The inline tool definitions (in a spec, `file:` reads a JSON or YAML list of them from a file instead).",
        S3(S3Configuration) => "s3" "The Amazon S3 location of the tool schema.",
    }
}

shape_struct! {
    /// ToolDefinition.
    ToolDefinition => ToolDefinition fallible {
        name: req ToolName => "name" "The name of the tool.",
        description: req ToolDescription => "description" "The description of the tool.",
        input_schema: req SchemaDefinition => "inputSchema" "The input schema for the tool.",
        output_schema: opt SchemaDefinition => "outputSchema" "The output schema for the tool.",
    }
}

/// SchemaDefinition: a recursive JSON-Schema-like description of a tool's input or output.
/// Written by hand because its `type` member is a Rust keyword and `items` recurses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaDefinition {
    #[serde(rename = "type")]
    pub schema_type: SchemaType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<BTreeMap<SchemaPropertyName, SchemaDefinition>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<Vec<SchemaPropertyName>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<SchemaDefinition>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
}

impl SchemaDefinition {
    /// The spec keys, in canonical order.
    pub const KEYS: &'static [&'static str] = &["type", "properties", "required", "items", "description"];

    /// What the shape says about its members beyond their types: a tool without inputs has
    /// `properties: {}`, and one whose inputs are all optional `required: []`.
    pub const MEMBERS: &'static [schema::MemberInfo] = &[
        schema::MemberInfo { key: "type", set_like: false, may_be_empty: false, carried: false },
        schema::MemberInfo { key: "properties", set_like: false, may_be_empty: true, carried: false },
        schema::MemberInfo { key: "required", set_like: false, may_be_empty: true, carried: false },
        schema::MemberInfo { key: "items", set_like: false, may_be_empty: false, carried: false },
        schema::MemberInfo { key: "description", set_like: false, may_be_empty: false, carried: false },
    ];
}

impl Decode for SchemaDefinition {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        let entries = cx.map(node)?;
        cx.check_keys(entries, Self::KEYS);
        let schema_type = cx.required(node, entries, "type");
        let properties = cx.optional(entries, "properties");
        let required = cx.optional(entries, "required");
        let items: Option<SchemaDefinition> = cx.optional(entries, "items");
        let description = cx.optional(entries, "description");
        Some(SchemaDefinition {
            schema_type: schema_type?,
            properties,
            required,
            items: items.map(Box::new),
            description,
        })
    }
}

impl Schema for SchemaDefinition {
    fn schema(defs: &mut Defs) -> Value {
        defs.define("SchemaDefinition", |defs| {
            let members = vec![
                schema::Member {
                    key: "type",
                    required: true,
                    doc: "The type of the schema definition.",
                    schema: SchemaType::schema(defs),
                },
                schema::Member {
                    key: "properties",
                    required: false,
                    doc: "A map of property names to their schema definitions.",
                    schema: BTreeMap::<SchemaPropertyName, SchemaDefinition>::schema(defs),
                },
                schema::Member {
                    key: "required",
                    required: false,
                    doc: "The required properties.",
                    schema: Vec::<SchemaPropertyName>::schema(defs),
                },
                schema::Member {
                    key: "items",
                    required: false,
                    doc: "The schema of an array's items.",
                    schema: json!({ "$ref": "#/$defs/SchemaDefinition" }),
                },
                schema::Member {
                    key: "description",
                    required: false,
                    doc: "The description of the schema definition.",
                    schema: Text::schema(defs),
                },
            ];
            defs.note(Self::MEMBERS, &members);
            schema::structure("", members, defs)
        })
    }
}

impl Sdk for SchemaDefinition {
    type Sdk = aws_sdk_bedrockagentcorecontrol::types::SchemaDefinition;

    fn to_sdk(&self) -> Result<Self::Sdk, BuildFailure> {
        aws_sdk_bedrockagentcorecontrol::types::SchemaDefinition::builder()
            .r#type(self.schema_type.to_sdk()?)
            .set_properties(self.properties.as_ref().map(Sdk::to_sdk).transpose()?)
            .set_required(self.required.as_ref().map(Sdk::to_sdk).transpose()?)
            .set_items(self.items.as_ref().map(Sdk::to_sdk).transpose()?)
            .set_description(self.description.as_ref().map(Sdk::to_sdk).transpose()?)
            .build()
            .map_err(|e| BuildFailure::new("SchemaDefinition", e))
    }

    fn from_sdk(v: Self::Sdk, path: &str) -> Result<Self, Unreadable> {
        Ok(SchemaDefinition {
            schema_type: sdk::req(v.r#type, path, "type")?,
            properties: sdk::opt(v.properties, path, "properties")?,
            required: sdk::opt(v.required, path, "required")?,
            items: sdk::opt(v.items, path, "items")?,
            description: sdk::opt(v.description, path, "description")?,
        })
    }
}

shape_struct! {
    /// McpServerTargetConfiguration.
    McpServerTargetConfiguration => McpServerTargetConfiguration fallible {
        endpoint: req HttpsUrl => "endpoint" "The endpoint for the MCP server target configuration.",
        mcp_tool_schema: opt McpToolSchemaConfiguration => "mcpToolSchema" "The tool schema configuration for the MCP server target. Without it, tools are discovered from the server (and `acgw sync` re-discovers them).",
        listing_mode: opt ListingMode => "listingMode" "The listing mode for the MCP server target configuration. Absent means DEFAULT.",
        resource_priority: opt ResourcePriority => "resourcePriority" "Priority for resolving MCP server targets with shared resource URIs. Lower values take precedence. Absent means 1000.",
    }
}

shape_union! {
    /// McpToolSchemaConfiguration (union). In a spec, `file:` may stand in for `inlinePayload`.
    McpToolSchemaConfiguration => McpToolSchemaConfiguration {
        InlinePayload(SchemaText) => "inlinePayload" "The inline tool schema (in a spec, `file:` reads it from a file instead).",
        S3(S3Configuration) => "s3" "The Amazon S3 location of the tool schema.",
    }
}

shape_struct! {
    /// ApiGatewayTargetConfiguration.
    ApiGatewayTargetConfiguration => ApiGatewayTargetConfiguration fallible {
        rest_api_id: req RestApiId => "restApiId" "The ID of the API Gateway REST API.",
        stage: req Stage => "stage" "The ID of the stage of the REST API to add as a target.",
        api_gateway_tool_configuration: req ApiGatewayToolConfiguration => "apiGatewayToolConfiguration" "The configuration for defining REST API tool filters and overrides for the gateway target.",
    }
}

shape_struct! {
    /// ApiGatewayToolConfiguration.
    ApiGatewayToolConfiguration => ApiGatewayToolConfiguration fallible {
        tool_overrides: opt Vec<ApiGatewayToolOverride> => "toolOverrides" "A list of explicit tool definitions with optional custom names and descriptions.",
        tool_filters: req Bounded<ApiGatewayToolFilter, 1, { usize::MAX }> => "toolFilters" "A list of path and method patterns to expose as tools using metadata from the REST API's OpenAPI specification.",
    }
}

shape_struct! {
    /// ApiGatewayToolOverride.
    ApiGatewayToolOverride => ApiGatewayToolOverride fallible {
        name: req ToolName => "name" "The name of tool.",
        description: opt ToolDescription => "description" "The description of the tool.",
        path: req Text => "path" "Resource path in the REST API.",
        method: req RestApiMethod => "method" "The HTTP method to expose for the specified path.",
    }
}

shape_struct! {
    /// ApiGatewayToolFilter.
    ApiGatewayToolFilter => ApiGatewayToolFilter fallible {
        filter_path: req Text => "filterPath" "Resource path to match in the REST API. Supports exact paths or wildcard paths.",
        #[set_like]
        methods: req Bounded<RestApiMethod, 1, { usize::MAX }> => "methods" "The methods to filter for.",
    }
}

shape_struct! {
    /// ConnectorTargetConfiguration.
    ConnectorTargetConfiguration => ConnectorTargetConfiguration plain {
        source: req ConnectorSource => "source" "The source of the connector.",
        #[set_like]
        enabled: opt Bounded<ConnectorToolName, 1, 50> => "enabled" "The names of the connector's tools to enable.",
        configurations: opt Vec<ConnectorConfiguration> => "configurations" "The configurations of the connector's tools.",
    }
}

shape_struct! {
    /// ConnectorSource.
    ConnectorSource => ConnectorSource fallible {
        connector_id: req ConnectorId => "connectorId" "The identifier of the connector.",
        version: opt ConnectorVersion => "version" "The version of the connector (MAJOR.MINOR.PATCH).",
    }
}

shape_struct! {
    /// ConnectorConfiguration.
    ConnectorConfiguration => ConnectorConfiguration fallible {
        name: req ConnectorConfigurationName => "name" "The name of the configuration.",
        description: opt ConnectorConfigurationDescription => "description" "The description of the configuration.",
        parameter_values: opt Json => "parameterValues" "The parameter values (any JSON value).",
        parameter_overrides: opt Vec<ConnectorParameterOverride> => "parameterOverrides" "The parameter overrides.",
    }
}

shape_struct! {
    /// ConnectorParameterOverride.
    ConnectorParameterOverride => ConnectorParameterOverride fallible {
        path: req Text => "path" "The path of the parameter.",
        description: opt Text => "description" "The description of the parameter.",
        visible: opt bool => "visible" "Whether the parameter is visible.",
    }
}

shape_union! {
    /// HttpTargetConfiguration (union).
    HttpTargetConfiguration => HttpTargetConfiguration {
        AgentcoreRuntime(RuntimeTargetConfiguration) => "agentcoreRuntime" "An AgentCore Runtime target. Such targets need a gateway created without protocolType.",
        Passthrough(PassthroughTargetConfiguration) => "passthrough" "A passthrough HTTP target.",
        Connector(HttpConnectorTargetConfiguration) => "connector" "An HTTP connector target.",
    }
}

shape_struct! {
    /// RuntimeTargetConfiguration.
    RuntimeTargetConfiguration => RuntimeTargetConfiguration fallible {
        arn: req RuntimeArn => "arn" "The ARN of the AgentCore Runtime.",
        qualifier: opt RuntimeQualifier => "qualifier" "The qualifier (endpoint) of the runtime.",
        schema: opt HttpApiSchemaConfiguration => "schema" "The API schema of the runtime.",
    }
}

shape_struct! {
    /// HttpApiSchemaConfiguration.
    HttpApiSchemaConfiguration => HttpApiSchemaConfiguration plain {
        source: req ApiSchemaConfiguration => "source" "The source of the API schema.",
    }
}

shape_struct! {
    /// PassthroughTargetConfiguration.
    PassthroughTargetConfiguration => PassthroughTargetConfiguration fallible {
        endpoint: req PassthroughEndpoint => "endpoint" "The HTTPS endpoint requests are passed through to.",
        protocol_type: req PassthroughProtocolType => "protocolType" "The protocol spoken by the endpoint.",
        schema: opt HttpApiSchemaConfiguration => "schema" "The API schema of the endpoint.",
        stickiness_configuration: opt StickinessConfiguration => "stickinessConfiguration" "Session stickiness.",
        static_query_parameters: opt BTreeMap<StaticQueryParameterName, StaticQueryParameterValue> => "staticQueryParameters" "Query parameters added to every request.",
        static_query_parameter_conflict_resolution: opt StaticQueryParameterConflictResolution => "staticQueryParameterConflictResolution" "Which value wins when a client sends a static query parameter.",
    }
}

shape_struct! {
    /// StickinessConfiguration.
    StickinessConfiguration => StickinessConfiguration fallible {
        identifier: req StickinessIdentifier => "identifier" "The identifier sessions stick by.",
        timeout: opt StickinessTimeout => "timeout" "The stickiness timeout in seconds (1–86400).",
        composite_identifier: opt Bounded<CompositeIdentifierEntry, 1, 5> => "compositeIdentifier" "The parts of a composite identifier (1–5).",
    }
}

shape_struct! {
    /// HttpConnectorTargetConfiguration.
    HttpConnectorTargetConfiguration => HttpConnectorTargetConfiguration plain {
        source: req HttpConnectorSource => "source" "The source of the connector.",
        parameters: opt BoundedMap<ConnectorParameterName, ConnectorParameterValue, 0, 10> => "parameters" "The connector's parameters (up to 10).",
    }
}

shape_struct! {
    /// HttpConnectorSource.
    HttpConnectorSource => HttpConnectorSource fallible {
        connector_id: req ConnectorId => "connectorId" "The identifier of the connector.",
    }
}

shape_union! {
    /// InferenceTargetConfiguration (union).
    InferenceTargetConfiguration => InferenceTargetConfiguration {
        Connector(InferenceConnectorTargetConfiguration) => "connector" "An inference connector.",
        Provider(InferenceProviderTargetConfiguration) => "provider" "An inference provider.",
    }
}

shape_struct! {
    /// InferenceConnectorTargetConfiguration.
    InferenceConnectorTargetConfiguration => InferenceConnectorTargetConfiguration plain {
        source: req InferenceConnectorSource => "source" "The source of the connector.",
    }
}

shape_struct! {
    /// InferenceConnectorSource.
    InferenceConnectorSource => InferenceConnectorSource fallible {
        connector_id: req ConnectorId => "connectorId" "The identifier of the connector.",
    }
}

shape_struct! {
    /// InferenceProviderTargetConfiguration.
    InferenceProviderTargetConfiguration => InferenceProviderTargetConfiguration fallible {
        endpoint: req PassthroughEndpoint => "endpoint" "The provider's endpoint.",
        #[may_be_empty]
        model_mapping: opt ModelMapping => "modelMapping" "How model names map to the provider's.",
        operations: opt Bounded<InferenceOperationConfiguration, 1, 10> => "operations" "The operations the provider serves (1–10).",
    }
}

shape_struct! {
    /// ModelMapping.
    ModelMapping => ModelMapping plain {
        provider_prefix: opt ProviderPrefix => "providerPrefix" "A provider prefix on model names.",
    }
}

shape_struct! {
    /// ProviderPrefix.
    ProviderPrefix => ProviderPrefix plain {
        strip: opt bool => "strip" "Whether the prefix is stripped. Absent means false (the SDK does not send false).",
        separator: req ProviderPrefixSeparator => "separator" "The separator after the prefix.",
    }
}

shape_struct! {
    /// InferenceOperationConfiguration.
    InferenceOperationConfiguration => InferenceOperationConfiguration fallible {
        path: req InferenceOperationPath => "path" "The operation's path.",
        provider_path: opt InferenceOperationPath => "providerPath" "The provider's path for it.",
        models: opt Bounded<ModelEntry, 1, 100> => "models" "The models served on it (1–100).",
    }
}

shape_struct! {
    /// ModelEntry.
    ModelEntry => ModelEntry fallible {
        model: req ModelPattern => "model" "The model name.",
    }
}

// ---------------------------------------------------------------- credentials

shape_struct! {
    /// CredentialProviderConfiguration.
    CredentialProviderConfiguration => CredentialProviderConfiguration fallible {
        credential_provider_type: req CredentialProviderType => "credentialProviderType" "The type of credential provider used for the gateway target.",
        credential_provider: opt CredentialProvider => "credentialProvider" "The credential provider; its member goes with credentialProviderType.",
    }
}

shape_union! {
    /// CredentialProvider (union).
    CredentialProvider => CredentialProvider {
        OauthCredentialProvider(OAuthCredentialProvider) => "oauthCredentialProvider" "The OAuth credential provider.",
        ApiKeyCredentialProvider(ApiKeyCredentialProvider) => "apiKeyCredentialProvider" "The API key credential provider.",
        IamCredentialProvider(IamCredentialProvider) => "iamCredentialProvider" "The IAM credential provider (SigV4 with the gateway's role).",
    }
    carried {
        // Every member of the provider is optional in the model: `{}` is a valid value.
        #[may_be_empty]
        SvidCredentialProvider(SvidCredentialProvider) => "svidCredentialProvider" "The JWT-SVID credential provider, with credentialProviderType JWT_SVID (carried by acgw although SDK 1.97 lacks it).",
    }
}

shape_struct! {
    /// SvidCredentialProvider. SDK 1.97 has no such type: `api::carried` sends and reads it.
    SvidCredentialProvider {
        audiences: opt Bounded<SvidAudience, 1, 1> => "audiences" "The audience of the JWT-SVID the gateway presents (one).",
        signing_algorithm: opt SvidSigningAlgorithm => "signingAlgorithm" "How the JWT-SVID is signed.",
    }
}

shape_struct! {
    /// OAuthCredentialProvider.
    OAuthCredentialProvider => OAuthCredentialProvider fallible {
        provider_arn: req ProviderRef => "providerArn" "The OAuth2 credential provider: its ARN, or `{ credentialProvider: NAME }` for a provider the specs declare (resolved to its ARN at plan time).",
        #[set_like] #[may_be_empty]
        scopes: req Bounded<OAuthScope, 0, 100> => "scopes" "The OAuth scopes for the credential provider (up to 100).",
        custom_parameters: opt SensitiveMap => "customParameters" "Custom parameters for the OAuth flow (1–10). Values are sensitive: acgw never prints them outside JSON plans.",
        grant_type: opt OAuthGrantType => "grantType" "The OAuth grant type. Absent means CLIENT_CREDENTIALS.",
        default_return_url: opt ReturnUrl => "defaultReturnUrl" "The URL the user is returned to after authorization.",
    }
}

/// OAuth `customParameters`: 1–10 entries whose values can hold secrets. Text and Markdown
/// outputs and logs never print the values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SensitiveMap(BTreeMap<CustomParameterKey, CustomParameterValue>);

impl SensitiveMap {
    /// Wraps `map` if it has 1–10 entries.
    pub fn new(map: BTreeMap<CustomParameterKey, CustomParameterValue>) -> Result<Self, String> {
        if map.is_empty() || map.len() > 10 {
            return Err(format!("expected 1–10 entries, found {}", map.len()));
        }
        Ok(Self(map))
    }

    /// The entries.
    pub fn as_map(&self) -> &BTreeMap<CustomParameterKey, CustomParameterValue> {
        &self.0
    }
}

impl Decode for SensitiveMap {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        let map = BTreeMap::decode(node, cx)?;
        match Self::new(map) {
            Ok(v) => Some(v),
            Err(e) => {
                cx.error(node.mark, e);
                None
            }
        }
    }
}

impl Schema for SensitiveMap {
    fn schema(defs: &mut Defs) -> Value {
        schema::map(CustomParameterKey::string_schema(), CustomParameterValue::schema(defs), 1, 10)
    }
}

impl Sdk for SensitiveMap {
    type Sdk = std::collections::HashMap<String, String>;
    fn to_sdk(&self) -> Result<Self::Sdk, BuildFailure> {
        self.0.to_sdk()
    }
    fn from_sdk(value: Self::Sdk, path: &str) -> Result<Self, Unreadable> {
        BTreeMap::from_sdk(value, path).map(SensitiveMap)
    }
    fn blank(value: &Self::Sdk) -> bool {
        value.is_empty()
    }
}

shape_struct! {
    /// GatewayApiKeyCredentialProvider.
    ApiKeyCredentialProvider => GatewayApiKeyCredentialProvider fallible {
        provider_arn: req ProviderRef => "providerArn" "The API key credential provider: its ARN, or `{ credentialProvider: NAME }` for a provider the specs declare (resolved to its ARN at plan time).",
        credential_parameter_name: opt CredentialParameter => "credentialParameterName" "The name of the credential parameter for the API key.",
        credential_prefix: opt CredentialParameter => "credentialPrefix" "The prefix for the API key credential.",
        credential_location: opt ApiKeyCredentialLocation => "credentialLocation" "The location of the API key credential.",
    }
}

shape_struct! {
    /// IamCredentialProvider.
    IamCredentialProvider => IamCredentialProvider fallible {
        service: req IamService => "service" "The AWS service the gateway signs requests for.",
        region: opt Region => "region" "The region to sign for. Absent means the gateway's region.",
    }
}

// ---------------------------------------------------------------- other members

shape_struct! {
    /// MetadataConfiguration. The lists are sets: order does not matter.
    MetadataConfiguration => MetadataConfiguration plain {
        #[set_like]
        allowed_request_headers: opt Bounded<HeaderName, 1, 10> => "allowedRequestHeaders" "Request headers passed to the target.",
        #[set_like]
        allowed_query_parameters: opt Bounded<QueryParameterName, 1, 10> => "allowedQueryParameters" "Query parameters passed to the target.",
        #[set_like]
        allowed_response_headers: opt Bounded<HeaderName, 1, 10> => "allowedResponseHeaders" "Response headers passed back from the target.",
    }
}

shape_union! {
    /// CertificateConfiguration (union).
    CertificateConfiguration => CertificateConfiguration {
        S3(S3CertificateConfiguration) => "s3" "A certificate in Amazon S3.",
        SecretsManager(SecretsManagerCertificateConfiguration) => "secretsManager" "A certificate in AWS Secrets Manager.",
    }
}

shape_struct! {
    /// S3CertificateConfiguration.
    S3CertificateConfiguration => S3CertificateConfiguration fallible {
        uri: req S3Uri => "uri" "The S3 URI of the certificate.",
        bucket_owner_account_id: opt AccountId => "bucketOwnerAccountId" "The account ID of the bucket owner.",
    }
}

shape_struct! {
    /// SecretsManagerCertificateConfiguration.
    SecretsManagerCertificateConfiguration => SecretsManagerCertificateConfiguration fallible {
        secret_arn: req SecretArn => "secretArn" "The ARN of the secret that holds the certificate.",
    }
}

// ---------------------------------------------------------------- JSON values

/// Any JSON value (connector `parameterValues`, a smithy Document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Json(pub Value);

impl Decode for Json {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        to_json(node, cx).map(Json)
    }
}

/// A node as a JSON value: plain scalars by YAML's core schema, quoted ones as strings.
pub(crate) fn to_json(node: &Node, cx: &mut Cx<'_>) -> Option<Value> {
    Some(match &node.kind {
        NodeKind::Scalar { plain: true, value } => match super::decode::yaml_core_type(value) {
            Some("null") => Value::Null,
            Some("boolean") => Value::Bool(value.eq_ignore_ascii_case("true")),
            Some(_) => match serde_json::from_str::<serde_json::Number>(value) {
                Ok(n) => Value::Number(n),
                Err(_) => Value::String(value.clone()),
            },
            None => Value::String(cx.text(node)?.into_owned()),
        },
        NodeKind::Scalar { .. } => Value::String(cx.text(node)?.into_owned()),
        NodeKind::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(cx.at(format!("[{i}]"), |cx| to_json(item, cx))?);
            }
            Value::Array(out)
        }
        NodeKind::Map(entries) => {
            let mut out = serde_json::Map::new();
            for (k, v) in entries {
                let key = k.as_scalar().unwrap_or_default().to_string();
                let value = cx.at(key.clone(), |cx| to_json(v, cx))?;
                out.insert(key, value);
            }
            Value::Object(out)
        }
    })
}

impl Schema for Json {
    fn schema(_: &mut Defs) -> Value {
        json!({})
    }
}

impl Sdk for Json {
    type Sdk = aws_smithy_types::Document;
    fn to_sdk(&self) -> Result<Self::Sdk, BuildFailure> {
        Ok(sdk::document(&self.0))
    }
    fn from_sdk(value: Self::Sdk, _: &str) -> Result<Self, Unreadable> {
        Ok(Json(sdk::json(value)))
    }
}

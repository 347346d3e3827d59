//! The one type for a gateway's configuration, shared by desired (spec) and observed (live) state.
//!
//! Every member that CreateGateway and UpdateGateway accept in aws-sdk-bedrockagentcorecontrol 1.97
//! is here, under its API JSON name. A value of these types has passed the API model's
//! constraints: constructors and [`decode::Decode`] are the only ways in.
//!
//! Each member shape is declared once (`shape_struct!`, `shape_union!`, `spec_enum!`), which gives
//! its type, serialization, decoder, JSON Schema and SDK conversion ([`sdk::Sdk`]); field and
//! variant names are the SDK's. [`Gateway`] is declared the same way, naming its operations
//! instead of one SDK type: its create and update inputs and the reading of its outputs are
//! generated too (see `docs/adding-a-member.md`).

#[macro_use]
mod macros;
pub mod credential_provider;
pub mod decode;
pub mod interpolate;
pub mod live;
pub mod policy;
pub mod provider_ref;
pub mod rate_limit;
pub mod rule;
pub mod schema;
pub mod sdk;
pub mod target;

#[cfg(test)]
mod gateway_parts_tests;

use std::collections::BTreeMap;
use std::ops::Deref;

use aws_sdk_bedrockagentcorecontrol::operation as op;
use serde::Serialize;

use decode::{Cx, Decode, Node};
use schema::{Defs, Schema};
use sdk::Sdk;
use serde_json::Value;

/// Quotes a value for an error message, shortened so a huge value cannot flood the output.
pub fn quote_short(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() > MAX {
        let head: String = s.chars().take(MAX).collect();
        format!("{head:?}… ({} characters)", s.chars().count())
    } else {
        format!("{s:?}")
    }
}

/// Builds a value from what the service sent, without checking the model's constraints.
///
/// Strict with what the user writes, tolerant of what the service sends: AWS relaxes patterns,
/// raises limits and grows enums without notice, and moto answers `""` for absent strings. A live
/// value outside the model is kept verbatim, so that it is shown, diffed and exported as it is
/// instead of making the whole gateway (or the whole run) unreadable. Only the SDK conversion
/// (`api::convert`) builds values this way; specs, saved plans and emulator requests go through
/// [`decode::Decode`], which checks every constraint.
pub trait FromService<T> {
    /// The value, kept verbatim.
    fn from_service(value: T) -> Self;
}

// ---------------------------------------------------------------- constrained strings

spec_string!(
    /// GatewayName: 1–48 alphanumerics, each optionally followed by one `-`.
    GatewayName, len 1..=96, pattern "([0-9a-zA-Z][-]?){1,48}"
);
spec_string!(
    /// GatewayDescription (sensitive in the API).
    Description, len 1..=200
);
spec_string!(
    /// The IAM role the gateway assumes.
    RoleArn, len 1..=2048, pattern "arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+"
);
spec_string!(
    /// An MCP protocol version; the model lists no allowed values, and allows an empty one.
    McpVersion, len 0..=usize::MAX
);
spec_string!(
    /// McpInstructions (sensitive in the API).
    Instructions, len 1..=2048
);
spec_string!(
    /// A KMS key ARN for encrypting the gateway.
    KmsKeyArn, len 1..=2048, pattern "arn:aws(|-cn|-us-gov):kms:[a-zA-Z0-9-]*:[0-9]{12}:key/[a-zA-Z0-9-]{36}"
);
spec_string!(
    /// The OIDC/OAuth discovery document URL of a JWT issuer.
    DiscoveryUrl, len 1..=usize::MAX, pattern r"[^\s?#]+/\.well-known/(openid-configuration|oauth-authorization-server)(/[^\s?#]+)?"
);
spec_string!(
    /// An allowed JWT audience (the model allows an empty one).
    Audience, len 0..=usize::MAX
);
spec_string!(
    /// An allowed JWT client ID (the model allows an empty one).
    ClientId, len 0..=usize::MAX
);
spec_string!(
    /// AllowedScopeType: printable ASCII except space, `"` and `\`.
    Scope, len 1..=255, pattern r"[\x21\x23-\x5B\x5D-\x7E]+"
);
spec_string!(
    /// A JWT claim name. `.-:` in the model's class is a range (`.` `/` `0-9` `:`), so `-` is not allowed.
    ClaimName, len 1..=255, pattern "[A-Za-z0-9_.-:]+"
);
spec_string!(
    /// A claim value to match.
    MatchValue, len 1..=255, pattern "[A-Za-z0-9_.-]+"
);
spec_string!(
    /// A VPC Lattice resource configuration ID or ARN.
    ResourceConfigurationIdentifier, len 20..=2048,
    pattern r"((rcfg-[0-9a-z]{17})|(arn:[a-z0-9\-]+:vpc-lattice:[a-zA-Z0-9\-]+:\d{12}:resourceconfiguration/rcfg-[0-9a-z]{17}))"
);
spec_string!(
    /// A VPC ID.
    VpcId, len 1..=usize::MAX, pattern "vpc-(([0-9a-z]{8})|([0-9a-z]{17}))"
);
spec_string!(
    /// A subnet ID.
    SubnetId, len 1..=usize::MAX, pattern "subnet-[0-9a-zA-Z]{8,17}"
);
spec_string!(
    /// A security group ID.
    SecurityGroupId, len 1..=usize::MAX, pattern "sg-(([0-9a-z]{8})|([0-9a-z]{17}))"
);
spec_string!(
    /// The routing domain of a managed VPC resource.
    RoutingDomain, len 3..=255
);
spec_string!(
    /// A domain that a private endpoint override applies to.
    Domain, len 1..=253
);
spec_string!(
    /// The ARN of an allowed hosting environment.
    HostingEnvironmentArn, len 20..=1011
);
spec_string!(
    /// An allowed workload identity name.
    WorkloadIdentity, len 3..=255, pattern "[A-Za-z0-9_.-]+"
);
spec_string!(
    /// LambdaFunctionArn, for interceptors and custom transforms.
    LambdaArn, len 1..=170,
    pattern r"arn:(aws[a-zA-Z-]*)?:lambda:([a-z]{2}(-gov)?-[a-z]+-\d{1}):(\d{12}):function:([a-zA-Z0-9-_.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
);
spec_string!(
    /// A policy engine ARN.
    PolicyEngineArn, len 1..=170,
    pattern r"arn:aws(-[^:]+)?:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:policy-engine\/[a-zA-Z][a-zA-Z0-9-_]{0,99}-[a-zA-Z0-9_]{10}"
);
spec_string!(
    /// PublicDomainName: a dotted DNS name of 1–63-character labels.
    PublicDomainName, len 1..=253,
    pattern r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?))+"
);
spec_string!(
    /// WorkloadIdentityTemplateArn.
    WorkloadIdentityTemplateArn, len 1..=1011,
    pattern "arn:aws(-[^:]+)?:iam::([0-9]{12}|o-[a-z0-9]{10,32}):workload-identity-template/[a-zA-Z0-9_+=,.@/-]+"
);
spec_string!(
    /// A tag key.
    TagKey, len 1..=128, pattern r"[a-zA-Z0-9\s._:/=+@-]*"
);
spec_string!(
    /// A tag value (may be empty).
    TagValue, len 0..=256, pattern r"[a-zA-Z0-9\s._:/=+@-]*"
);

// ---------------------------------------------------------------- enums

spec_enum!(
    /// GatewayProtocolType.
    ProtocolType => GatewayProtocolType { Mcp = "MCP" }
);
spec_enum!(
    /// SearchType.
    SearchType => SearchType { Semantic = "SEMANTIC" }
);
spec_enum!(
    /// AuthorizerType. It cannot be changed in place: a change forces replacement.
    AuthorizerType => AuthorizerType { CustomJwt = "CUSTOM_JWT", AwsIam = "AWS_IAM", None = "NONE", AuthenticateOnly = "AUTHENTICATE_ONLY" }
);
spec_enum!(
    /// ExceptionLevel.
    ExceptionLevel => ExceptionLevel { Debug = "DEBUG" }
);
spec_enum!(
    /// GatewayPolicyEngineMode.
    PolicyEngineMode => GatewayPolicyEngineMode { LogOnly = "LOG_ONLY", Enforce = "ENFORCE" }
);
spec_enum!(
    /// GatewayInterceptionPoint.
    InterceptionPoint => GatewayInterceptionPoint { Request = "REQUEST", Response = "RESPONSE" }
);
spec_enum!(
    /// InterceptorPayloadExclusion.
    PayloadExclusion => InterceptorPayloadExclusion { ResponseBody = "RESPONSE_BODY" }
);
spec_enum!(
    /// InboundTokenClaimValueType.
    ClaimValueType => InboundTokenClaimValueType { String = "STRING", StringArray = "STRING_ARRAY" }
);
spec_enum!(
    /// ClaimMatchOperatorType.
    ClaimMatchOperator => ClaimMatchOperatorType { Equals = "EQUALS", Contains = "CONTAINS", ContainsAny = "CONTAINS_ANY" }
);
spec_enum!(
    /// EndpointIpAddressType.
    EndpointIpAddressType => EndpointIpAddressType { Ipv4 = "IPV4", Ipv6 = "IPV6" }
);
spec_enum!(
    /// WafFailureMode.
    WafFailureMode => WafFailureMode { FailClose = "FAIL_CLOSE", FailOpen = "FAIL_OPEN" }
);

// ---------------------------------------------------------------- bounded collections

/// A list that can only hold `MIN..=MAX` items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Bounded<T, const MIN: usize, const MAX: usize>(Vec<T>);

impl<T, const MIN: usize, const MAX: usize> Bounded<T, MIN, MAX> {
    /// Wraps `items` if their count is within bounds.
    pub fn new(items: Vec<T>) -> Result<Self, String> {
        if items.len() < MIN || items.len() > MAX {
            return Err(count_message(MIN, MAX, items.len(), "items"));
        }
        Ok(Self(items))
    }

    /// The items, for rebuilding a list in a new order (normalization keeps the count).
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }

    /// Applies `f` to the items; the count must not grow, so a list within bounds stays within
    /// them as long as `f` keeps at least one item of a non-empty list.
    pub fn map_items(self, f: impl FnOnce(Vec<T>) -> Vec<T>) -> Self {
        let before = self.0.len();
        let out = f(self.0);
        debug_assert!(out.len() <= before && (before == 0 || !out.is_empty()));
        Self(out)
    }
}

impl<T: Schema, const MIN: usize, const MAX: usize> Schema for Bounded<T, MIN, MAX> {
    fn schema(defs: &mut Defs) -> Value {
        schema::array(T::schema(defs), MIN, MAX)
    }
}

impl<T, const MIN: usize, const MAX: usize> FromService<Vec<T>> for Bounded<T, MIN, MAX> {
    fn from_service(items: Vec<T>) -> Self {
        Self(items)
    }
}

impl<T, const MIN: usize, const MAX: usize> Deref for Bounded<T, MIN, MAX> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: Decode, const MIN: usize, const MAX: usize> Decode for Bounded<T, MIN, MAX> {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        let items = Vec::<T>::decode(node, cx)?;
        match Self::new(items) {
            Ok(v) => Some(v),
            Err(e) => {
                cx.error(node.mark, e);
                None
            }
        }
    }
}

/// A map that can only hold `MIN..=MAX` entries (the model's `min`/`max` on a map shape).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct BoundedMap<K: Ord, V, const MIN: usize, const MAX: usize>(BTreeMap<K, V>);

impl<K: Ord, V, const MIN: usize, const MAX: usize> BoundedMap<K, V, MIN, MAX> {
    /// Wraps `map` if its entry count is within bounds.
    pub fn new(map: BTreeMap<K, V>) -> Result<Self, String> {
        if map.len() < MIN || map.len() > MAX {
            return Err(count_message(MIN, MAX, map.len(), "entries"));
        }
        Ok(Self(map))
    }

    /// The entries.
    pub fn as_map(&self) -> &BTreeMap<K, V> {
        &self.0
    }
}

impl<K: Ord, V, const MIN: usize, const MAX: usize> Deref for BoundedMap<K, V, MIN, MAX> {
    type Target = BTreeMap<K, V>;
    fn deref(&self) -> &BTreeMap<K, V> {
        &self.0
    }
}

impl<K: Ord + schema::MapKey, V: Schema, const MIN: usize, const MAX: usize> Schema for BoundedMap<K, V, MIN, MAX> {
    fn schema(defs: &mut Defs) -> Value {
        schema::map(K::key_schema(), V::schema(defs), MIN, MAX)
    }
}

impl<K: Ord, V, const MIN: usize, const MAX: usize> FromService<BTreeMap<K, V>> for BoundedMap<K, V, MIN, MAX> {
    fn from_service(map: BTreeMap<K, V>) -> Self {
        Self(map)
    }
}

impl<K: Ord + Sdk<Sdk = String>, V: Sdk, const MIN: usize, const MAX: usize> Sdk for BoundedMap<K, V, MIN, MAX> {
    type Sdk = std::collections::HashMap<String, V::Sdk>;
    fn to_sdk(&self) -> Result<Self::Sdk, sdk::BuildFailure> {
        self.0.to_sdk()
    }
    fn from_sdk(value: Self::Sdk, path: &str) -> Result<Self, live::Unreadable> {
        // Tolerant: a live map outside the bounds is kept as it is (see FromService).
        BTreeMap::from_sdk(value, path).map(Self::from_service)
    }
    fn blank(value: &Self::Sdk) -> bool {
        value.is_empty()
    }
    fn blank_is_valid() -> bool {
        MIN == 0
    }
}

impl<K: Ord + Decode, V: Decode, const MIN: usize, const MAX: usize> Decode for BoundedMap<K, V, MIN, MAX> {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        let map = BTreeMap::<K, V>::decode(node, cx)?;
        match Self::new(map) {
            Ok(v) => Some(v),
            Err(e) => {
                cx.error(node.mark, e);
                None
            }
        }
    }
}

fn count_message(min: usize, max: usize, found: usize, what: &str) -> String {
    if max == usize::MAX {
        format!("expected at least {min} {what}, found {found}")
    } else if min == max {
        let what = match (min, what) {
            (1, "items") => "item",
            (1, "entries") => "entry",
            _ => what,
        };
        format!("expected exactly {min} {what}, found {found}")
    } else if min == 0 {
        format!("expected at most {max} {what}, found {found}")
    } else {
        format!("expected {min}–{max} {what}, found {found}")
    }
}

/// A tag map: at most 50 entries; `aws:` keys are the service's own.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct Tags(BTreeMap<TagKey, TagValue>);

impl Tags {
    /// The API's limit on tags per resource.
    pub const MAX: usize = 50;

    /// Wraps `map` if it has at most 50 entries.
    pub fn new(map: BTreeMap<TagKey, TagValue>) -> Result<Self, String> {
        if map.len() > Self::MAX {
            return Err(count_message(0, Self::MAX, map.len(), "tags"));
        }
        Ok(Self(map))
    }

    /// The entries.
    pub fn as_map(&self) -> &BTreeMap<TagKey, TagValue> {
        &self.0
    }

    /// Keeps only the entries for which `keep` is true (never grows the map).
    pub fn retain(&mut self, keep: impl FnMut(&TagKey, &mut TagValue) -> bool) {
        self.0.retain(keep);
    }

    /// True when there are no tags.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Schema for Tags {
    fn schema(defs: &mut Defs) -> Value {
        schema::map(TagKey::string_schema(), TagValue::schema(defs), 0, Self::MAX)
    }
}

impl FromService<BTreeMap<TagKey, TagValue>> for Tags {
    fn from_service(map: BTreeMap<TagKey, TagValue>) -> Self {
        Self(map)
    }
}

impl Decode for Tags {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        let map = BTreeMap::<TagKey, TagValue>::decode(node, cx)?;
        match Self::new(map) {
            Ok(v) => Some(v),
            Err(e) => {
                cx.error(node.mark, e);
                None
            }
        }
    }
}

/// AdvertisedScopeMapping: 1–50 entries of scope → scope.
pub type ScopeMapping = BoundedMap<Scope, Scope, 1, 50>;

spec_int!(
    /// sessionTimeoutInSeconds: 900–28800; the service's default is 3600.
    SessionTimeout, 900..=28800
);

impl SessionTimeout {
    /// The service's default, which normalization treats as absent.
    pub const DEFAULT: i32 = 3600;
}

// ---------------------------------------------------------------- acgw's own keys

spec_string!(
    /// Who owns the gateways of a set of specs (one per repository or pipeline); acgw's own key.
    Owner, len 1..=64, pattern "[a-zA-Z0-9._/-]+"
);

/// The tag that proves which owner a gateway belongs to.
pub const OWNER_TAG: &str = "acgw:owner";
/// The tag that blocks deletion and replacement, set by `lifecycle.preventDestroy`.
pub const PREVENT_DESTROY_TAG: &str = "acgw:prevent-destroy";
/// Tag keys with this prefix are acgw's own: specs cannot set them directly.
pub const ACGW_TAG_PREFIX: &str = "acgw:";

/// The tag among `tags` that protects a gateway from deletion and replacement, if any. Protection
/// fails closed: the key is matched without regard to case or surrounding spaces, and any value
/// but a clear `false` (again without regard to case or spaces) protects, so `True`, `yes`,
/// ` true` or an empty value written by hand or by another tool never lets a deletion through.
pub fn protection_tag<'a>(tags: impl IntoIterator<Item = (&'a String, &'a String)>) -> Option<(&'a str, &'a str)> {
    tags.into_iter()
        .find(|(k, v)| k.trim().eq_ignore_ascii_case(PREVENT_DESTROY_TAG) && !v.trim().eq_ignore_ascii_case("false"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
}

/// `lifecycle`: acgw's own per-gateway key, not an API member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lifecycle {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prevent_destroy: Option<bool>,
}
decode_struct!(Lifecycle {
    prevent_destroy: opt "preventDestroy" "acgw's own key: true tags the gateway acgw:prevent-destroy=true, which blocks --prune, destroy and replacement even after its spec is gone; false (or absent) removes the tag on the next apply.",
});

// ---------------------------------------------------------------- the gateway

shape_struct! {
    /// A gateway's complete configuration, desired or observed, in API naming. `domainOverride`
    /// and `workloadIdentityTemplateArn` are not in SDK 1.97: `api::carried` sends and reads them.
    /// `wafConfiguration` and `customTransformConfiguration` are update only: a new gateway gets
    /// them through an UpdateGateway after it is READY. `tags` are set at create, then changed
    /// with TagResource/UntagResource.
    Gateway => operations {
        create: op::create_gateway::builders::CreateGatewayInputBuilder,
        update: op::update_gateway::builders::UpdateGatewayInputBuilder,
        read: [op::get_gateway::GetGatewayOutput, op::create_gateway::CreateGatewayOutput, op::update_gateway::UpdateGatewayOutput],
        echo: op::update_gateway::UpdateGatewayInput => op::get_gateway::builders::GetGatewayOutputBuilder,
    } {
        name: req GatewayName => "name" "The name of the gateway. Immutable: a new name is a new gateway.",
        description: opt Description => "description" "The description of the gateway.",
        role_arn: req RoleArn => "roleArn" "The Amazon Resource Name (ARN) of the IAM role that provides permissions for the gateway to access Amazon Web Services services.",
        // Not optional in the outputs: kept as sent, even empty, as the service's own report.
        #[read(verbatim)]
        protocol_type: opt ProtocolType => "protocolType" "The protocol type for the gateway. Absent is treated as MCP.",
        protocol_configuration: opt ProtocolConfiguration => "protocolConfiguration" "The configuration settings for the protocol specified in the protocolType parameter.",
        #[read(verbatim)]
        authorizer_type: req AuthorizerType => "authorizerType" "The type of authorizer to use for the gateway. It cannot change in place: a change replaces the gateway.",
        authorizer_configuration: opt AuthorizerConfiguration => "authorizerConfiguration" "The authorizer configuration for the gateway. Required when authorizerType is CUSTOM_JWT (checked by `acgw validate`).",
        kms_key_arn: opt KmsKeyArn => "kmsKeyArn" "The Amazon Resource Name (ARN) of the KMS key used to encrypt data associated with the gateway.",
        interceptor_configurations: opt Bounded<InterceptorConfiguration, 1, 2> => "interceptorConfigurations" "A list of configuration settings for a gateway interceptor.",
        policy_engine_configuration: opt PolicyEngineConfiguration => "policyEngineConfiguration" "The policy engine configuration for the gateway.",
        exception_level: opt ExceptionLevel => "exceptionLevel" "The level of detail in error messages returned when invoking the gateway.",
        domain_override: carried DomainOverride => "domainOverride" "The custom domains the gateway answers on (carried by acgw although SDK 1.97 lacks it).",
        workload_identity_template_arn: carried WorkloadIdentityTemplateArn => "workloadIdentityTemplateArn" "The ARN of the workload identity template for the gateway (carried by acgw although SDK 1.97 lacks it).",
        #[create(no)] #[may_be_empty]
        waf_configuration: opt WafConfiguration => "wafConfiguration" "The updated Amazon Web Services WAF configuration for the gateway. Update only: acgw sets it with UpdateGateway right after creating the gateway.",
        #[create(no)] #[may_be_empty]
        custom_transform_configuration: opt CustomTransformConfiguration => "customTransformConfiguration" "The custom transformation configuration for the gateway. Update only: acgw sets it with UpdateGateway right after creating the gateway.",
        #[update(no)] #[read(no)] #[may_be_empty]
        tags: opt Tags => "tags" "A map of key-value pairs to associate with the gateway as metadata tags. Keys starting with aws: belong to AWS and are ignored.",
    }
}

impl Gateway {
    /// Checks the rules that span fields, which no single member's type can carry.
    ///
    /// It reads the node rather than a decoded gateway so that it still runs, and reports,
    /// when another member of the same gateway failed to decode.
    pub fn check_cross_field(node: &Node, cx: &mut Cx<'_>) {
        let Some(authorizer) = node.get("authorizerType").and_then(Node::as_scalar).and_then(AuthorizerType::parse)
        else {
            return;
        };
        let config = node.get("authorizerConfiguration").filter(|n| !n.is_empty_value());
        match (authorizer, config) {
            (AuthorizerType::CustomJwt, None) => cx.at("authorizerConfiguration", |cx| {
                cx.error(node.mark, "is required when authorizerType is CUSTOM_JWT")
            }),
            (t, Some(config)) if t != AuthorizerType::CustomJwt => cx.at("authorizerConfiguration", |cx| {
                cx.warn(config.mark, format!("is set but authorizerType is {t}; the service may ignore or reject it"))
            }),
            _ => {}
        }
    }
}

shape_union! {
    /// GatewayProtocolConfiguration (union).
    ProtocolConfiguration => GatewayProtocolConfiguration {
        #[may_be_empty]
        Mcp(McpConfiguration) => "mcp" "The configuration for the Model Context Protocol (MCP).",
    }
}

shape_struct! {
    /// MCPGatewayConfiguration.
    #[derive(Default)]
    McpConfiguration => McpGatewayConfiguration plain {
        #[set_like] #[may_be_empty]
        supported_versions: opt Vec<McpVersion> => "supportedVersions" "The supported versions of the Model Context Protocol.",
        instructions: opt Instructions => "instructions" "The instructions for using the Model Context Protocol gateway.",
        search_type: opt SearchType => "searchType" "The search type for the Model Context Protocol gateway.",
        #[may_be_empty]
        session_configuration: opt SessionConfiguration => "sessionConfiguration" "The session configuration for the MCP gateway.",
        #[may_be_empty]
        streaming_configuration: opt StreamingConfiguration => "streamingConfiguration" "The streaming configuration for the MCP gateway.",
        disable_mcp_list_tools_pagination: opt bool => "disableMcpListToolsPagination" "Specifies whether the gateway disables pagination for the Model Context Protocol (MCP) tools/list operation.",
    }
}

shape_struct! {
    /// SessionConfiguration.
    #[derive(Default)]
    SessionConfiguration => SessionConfiguration plain {
        session_timeout_in_seconds: opt SessionTimeout => "sessionTimeoutInSeconds" "The session timeout in seconds.",
    }
}

shape_struct! {
    /// StreamingConfiguration.
    #[derive(Default)]
    StreamingConfiguration => StreamingConfiguration plain {
        enable_response_streaming: opt bool => "enableResponseStreaming" "Indicates whether response streaming is enabled for the gateway.",
    }
}

shape_union! {
    /// AuthorizerConfiguration (union).
    AuthorizerConfiguration => AuthorizerConfiguration {
        CustomJwtAuthorizer(CustomJwtAuthorizer) => "customJWTAuthorizer" "The inbound JWT-based authorization, specifying how incoming requests should be authenticated.",
    }
}

shape_struct! {
    /// CustomJWTAuthorizerConfiguration.
    CustomJwtAuthorizer => CustomJwtAuthorizerConfiguration fallible {
        discovery_url: req DiscoveryUrl => "discoveryUrl" "This URL is used to fetch OpenID Connect configuration or authorization server metadata for validating incoming tokens.",
        #[set_like]
        allowed_audience: opt Vec<Audience> => "allowedAudience" "Represents individual audience values that are validated in the incoming JWT token validation process.",
        #[set_like]
        allowed_clients: opt Vec<ClientId> => "allowedClients" "Represents individual client IDs that are validated in the incoming JWT token validation process.",
        #[set_like]
        allowed_scopes: opt Vec<Scope> => "allowedScopes" "An array of scopes that are allowed to access the token.",
        custom_claims: opt Vec<CustomClaim> => "customClaims" "An array of objects that define a custom claim validation name, value, and operation.",
        advertised_scope_mapping: opt ScopeMapping => "advertisedScopeMapping" "A map that associates each scope in allowedScopes with a corresponding advertised scope value.",
        private_endpoint: opt PrivateEndpoint => "privateEndpoint" "The private endpoint configuration for the JWT issuer.",
        #[may_be_empty]
        private_endpoint_overrides: opt Bounded<PrivateEndpointOverride, 0, 5> => "privateEndpointOverrides" "The private endpoint overrides for the custom JWT authorizer configuration.",
        #[may_be_empty]
        allowed_workload_configuration: opt AllowedWorkloadConfiguration => "allowedWorkloadConfiguration" "The configuration that restricts which workloads in the request's identity chain are allowed to invoke the target, identified by their hosting environments and workload identities.",
        certificate_configurations: carried Bounded<CertificateConfiguration, 1, 1> => "certificateConfigurations" "The certificate that verifies the JWT issuer's TLS connection (carried by acgw although SDK 1.97 lacks it).",
    }
}

/// CertificateConfiguration (union). SDK 1.97 has no such type: `api::carried` sends and reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CertificateConfiguration {
    #[serde(rename = "s3")]
    S3(S3Certificate),
    #[serde(rename = "secretsManager")]
    SecretsManager(SecretsManagerCertificate),
}

decode_union!(CertificateConfiguration {
    S3 = "s3" "A certificate stored in Amazon S3.",
    SecretsManager = "secretsManager" "A certificate stored in Secrets Manager.",
});

spec_string!(
    /// CertificateS3Uri.
    CertificateS3Uri, len 1..=usize::MAX, pattern "s3://.{1,2043}"
);
spec_string!(
    /// CertificateBucketOwnerAccountId.
    AccountId, len 1..=usize::MAX, pattern "[0-9]{12}"
);
spec_string!(
    /// CertificateSecretArn.
    CertificateSecretArn, len 1..=usize::MAX, pattern "arn:aws(-[^:]+)?:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+"
);

shape_struct! {
    /// S3CertificateConfiguration.
    S3Certificate {
        uri: req CertificateS3Uri => "uri" "The S3 URI of the certificate.",
        bucket_owner_account_id: opt AccountId => "bucketOwnerAccountId" "The account that owns the bucket.",
    }
}

shape_struct! {
    /// SecretsManagerCertificateConfiguration.
    SecretsManagerCertificate {
        secret_arn: req CertificateSecretArn => "secretArn" "The ARN of the secret that holds the certificate.",
    }
}

shape_struct! {
    /// CustomClaimValidationType.
    CustomClaim => CustomClaimValidationType fallible {
        inbound_token_claim_name: req ClaimName => "inboundTokenClaimName" "The name of the custom claim field to check.",
        inbound_token_claim_value_type: req ClaimValueType => "inboundTokenClaimValueType" "The data type of the claim value to check for.",
        authorizing_claim_match_value: req ClaimMatch => "authorizingClaimMatchValue" "Defines the value or values to match for and the relationship of the match.",
    }
}

/// AuthorizingClaimMatchValueType; the operator decides which value form is allowed, so its
/// Decode and Schema are written here; its SDK conversion is generated (`sdk_struct!`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimMatch {
    pub claim_match_value: ClaimMatchValue,
    pub claim_match_operator: ClaimMatchOperator,
}

sdk_struct!(ClaimMatch => AuthorizingClaimMatchValueType fallible {
    claim_match_value: req "claimMatchValue",
    claim_match_operator: req "claimMatchOperator",
});

impl ClaimMatch {
    /// KEYS for the spec reference and key suggestions.
    pub const KEYS: &'static [&'static str] = &["claimMatchValue", "claimMatchOperator"];
}

impl Schema for ClaimMatch {
    fn schema(defs: &mut Defs) -> Value {
        defs.define("ClaimMatch", |defs| {
            let members = vec![
                schema::Member {
                    key: "claimMatchValue",
                    required: true,
                    doc: "The value or values to match for. EQUALS goes with matchValueString; CONTAINS and CONTAINS_ANY go with matchValueStringList (checked by `acgw validate`).",
                    schema: ClaimMatchValue::schema(defs),
                },
                schema::Member {
                    key: "claimMatchOperator",
                    required: true,
                    doc: "Defines the relationship between the claim field value and the value or values you're matching for.",
                    schema: ClaimMatchOperator::schema(defs),
                },
            ];
            schema::structure("", members, defs)
        })
    }
}

impl Decode for ClaimMatch {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        let entries = cx.map(node)?;
        cx.check_keys(entries, Self::KEYS);
        let value: Option<ClaimMatchValue> = cx.required(node, entries, "claimMatchValue");
        let operator: Option<ClaimMatchOperator> = cx.required(node, entries, "claimMatchOperator");
        let (value, operator) = (value?, operator?);
        let fits = matches!(
            (&value, &operator),
            (ClaimMatchValue::MatchValueString(_), ClaimMatchOperator::Equals)
                | (
                    ClaimMatchValue::MatchValueStringList(_),
                    ClaimMatchOperator::Contains | ClaimMatchOperator::ContainsAny
                )
        );
        if !fits {
            let want = match operator {
                ClaimMatchOperator::Equals => "matchValueString",
                _ => "matchValueStringList",
            };
            let mark = node.get("claimMatchValue").map_or(node.mark, |n| n.mark);
            cx.at("claimMatchValue", |cx| cx.error(mark, format!("claimMatchOperator {operator} goes with {want}")));
            return None;
        }
        Some(ClaimMatch { claim_match_value: value, claim_match_operator: operator })
    }
}

shape_union! {
    /// ClaimMatchValueType (union).
    ClaimMatchValue => ClaimMatchValueType {
        MatchValueString(MatchValue) => "matchValueString" "The string value to match for.",
        MatchValueStringList(Bounded<MatchValue, 1, { usize::MAX }>) => "matchValueStringList" "An array of strings to check for a match.",
    }
}

shape_union! {
    /// PrivateEndpoint (union).
    PrivateEndpoint => PrivateEndpoint {
        SelfManagedLatticeResource(SelfManagedLatticeResource) => "selfManagedLatticeResource" "Configuration for connecting to a private resource using a self-managed VPC Lattice resource configuration.",
        ManagedVpcResource(ManagedVpcResource) => "managedVpcResource" "Configuration for connecting to a private resource using a managed VPC Lattice resource.",
    }
}

shape_union! {
    /// SelfManagedLatticeResource (union).
    SelfManagedLatticeResource => SelfManagedLatticeResource {
        ResourceConfigurationIdentifier(ResourceConfigurationIdentifier) => "resourceConfigurationIdentifier" "The ARN or ID of the VPC Lattice resource configuration.",
    }
}

shape_struct! {
    /// ManagedVpcResource.
    ManagedVpcResource => ManagedVpcResource fallible {
        vpc_identifier: req VpcId => "vpcIdentifier" "The ID of the VPC that contains your private resource.",
        #[set_like]
        subnet_ids: req Bounded<SubnetId, 1, { usize::MAX }> => "subnetIds" "The subnet IDs within the VPC where the VPC Lattice resource gateway is placed.",
        endpoint_ip_address_type: req EndpointIpAddressType => "endpointIpAddressType" "The IP address type for the resource configuration endpoint.",
        #[set_like] #[may_be_empty]
        security_group_ids: opt Bounded<SecurityGroupId, 0, 5> => "securityGroupIds" "The security group IDs to associate with the VPC Lattice resource gateway.",
        #[may_be_empty]
        tags: opt Tags => "tags" "Tags to apply to the managed VPC Lattice resource gateway.",
        routing_domain: opt RoutingDomain => "routingDomain" "An intermediate domain to use as the resource configuration endpoint instead of the actual target domain.",
    }
}

shape_struct! {
    /// PrivateEndpointOverride.
    PrivateEndpointOverride => PrivateEndpointOverride fallible {
        domain: req Domain => "domain" "The domain to override with a private endpoint.",
        private_endpoint: req PrivateEndpoint => "privateEndpoint" "The private endpoint configuration for the specified domain.",
    }
}

shape_struct! {
    /// AllowedWorkloadConfiguration.
    AllowedWorkloadConfiguration => AllowedWorkloadConfiguration plain {
        #[set_like]
        hosting_environments: opt Bounded<HostingEnvironment, 1, 10> => "hostingEnvironments" "The list of hosting environments whose workloads are allowed to invoke the target.",
        #[set_like]
        workload_identities: opt Bounded<WorkloadIdentity, 1, 10> => "workloadIdentities" "The list of workload identities that are allowed to invoke the target.",
    }
}

shape_struct! {
    /// HostingEnvironment.
    #[derive(PartialOrd, Ord)]
    HostingEnvironment => HostingEnvironment fallible {
        arn: req HostingEnvironmentArn => "arn" "The Amazon Resource Name (ARN) of the hosting environment.",
    }
}

shape_struct! {
    /// GatewayInterceptorConfiguration.
    InterceptorConfiguration => GatewayInterceptorConfiguration fallible {
        interceptor: req Interceptor => "interceptor" "The infrastructure settings of an interceptor configuration.",
        #[set_like]
        interception_points: req Bounded<InterceptionPoint, 1, 2> => "interceptionPoints" "The supported points of interception.",
        input_configuration: opt InterceptorInputConfiguration => "inputConfiguration" "The configuration for the input of the interceptor.",
        response_interception_mode: carried ResponseInterceptionMode => "responseInterceptionMode" "How the interceptor receives the response: buffered whole, or streamed (carried by acgw although SDK 1.97 lacks it).",
        response_streaming_configuration: carried ResponseStreamingConfiguration => "responseStreamingConfiguration" "The streaming settings of a response interceptor (carried by acgw although SDK 1.97 lacks it).",
    }
}

spec_enum!(
    /// ResponseInterceptionMode. SDK 1.97 has no such type: `api::carried` sends and reads it.
    ResponseInterceptionMode { Buffered = "BUFFERED", Stream = "STREAM" }
);

spec_int!(
    /// MaxEventsPerInvocation: 1–8192.
    MaxEventsPerInvocation, 1..=8192
);

shape_struct! {
    /// ResponseStreamingConfiguration. SDK 1.97 has no such type: `api::carried` sends and reads it.
    #[derive(Default)]
    ResponseStreamingConfiguration {
        max_events_per_invocation: opt MaxEventsPerInvocation => "maxEventsPerInvocation" "The most events sent to the interceptor per invocation.",
    }
}

shape_union! {
    /// InterceptorConfiguration (union).
    Interceptor => InterceptorConfiguration {
        Lambda(LambdaInterceptor) => "lambda" "The details of the lambda function used for the interceptor.",
    }
}

shape_struct! {
    /// LambdaInterceptorConfiguration.
    LambdaInterceptor => LambdaInterceptorConfiguration fallible {
        arn: req LambdaArn => "arn" "The ARN of the Lambda function to be invoked for the interceptor.",
    }
}

shape_struct! {
    /// InterceptorInputConfiguration.
    InterceptorInputConfiguration => InterceptorInputConfiguration fallible {
        pass_request_headers: req bool => "passRequestHeaders" "Indicates whether to pass request headers as input into the interceptor.",
        payload_filter: opt PayloadFilter => "payloadFilter" "The filter that determines which parts of the request or response payload are passed as input to the interceptor.",
    }
}

shape_struct! {
    /// InterceptorPayloadFilter: exactly one exclusion.
    PayloadFilter => InterceptorPayloadFilter fallible {
        exclude: req Bounded<PayloadExclusionSelector, 1, 1> => "exclude" "The list of selectors that identify payload fields to exclude from the interceptor input.",
    }
}

shape_union! {
    /// InterceptorPayloadExclusionSelector (union).
    PayloadExclusionSelector => InterceptorPayloadExclusionSelector {
        Field(PayloadExclusion) => "field" "The field to exclude from the interceptor input.",
    }
}

shape_struct! {
    /// GatewayPolicyEngineConfiguration.
    PolicyEngineConfiguration => GatewayPolicyEngineConfiguration fallible {
        arn: req PolicyEngineArn => "arn" "The ARN of the policy engine.",
        mode: req PolicyEngineMode => "mode" "The enforcement mode for the policy engine.",
    }
}

shape_struct! {
    /// DomainOverride. SDK 1.97 has no such type: `api::carried` sends and reads it as JSON.
    DomainOverride {
        default_domain: req PublicDomainName => "default" "The default custom domain of the gateway.",
        alternate_domains: opt Bounded<PublicDomainName, 1, 10> => "alternateDomains" "Further custom domains of the gateway.",
    }
}

shape_struct! {
    /// WafConfiguration (update only).
    WafConfiguration => WafConfiguration plain {
        failure_mode: opt WafFailureMode => "failureMode" "The failure mode that determines how the gateway handles requests when Amazon Web Services WAF is unreachable or times out.",
    }
}

shape_struct! {
    /// CustomTransformConfiguration (update only).
    CustomTransformConfiguration => CustomTransformConfiguration plain {
        #[may_be_empty]
        lambda: opt LambdaTransform => "lambda" "The Lambda configuration for custom transformations.",
    }
}

shape_struct! {
    /// LambdaTransformConfiguration.
    LambdaTransform => LambdaTransformConfiguration plain {
        arn: opt LambdaArn => "arn" "The Amazon Resource Name (ARN) of the Lambda function.",
    }
}

//! Credential providers (issue 26): the OAuth2 and API-key providers of AgentCore Identity's token
//! vault, which a target's `credentialProviderConfigurations` name by ARN.
//!
//! A spec item is a one-member union, `oauth2:` or `apiKey:`, whose members are exactly the
//! CreateOauth2CredentialProvider / CreateApiKeyCredentialProvider request members of
//! aws-sdk-bedrockagentcorecontrol 1.97, plus acgw's own `secretVersion`. A secret is passed
//! either by reference (`*SecretSource: EXTERNAL` with `{ secretId, jsonKey }`, a Secrets Manager
//! secret the user manages: nothing secret passes through acgw) or by value (`clientSecret` /
//! `apiKey`), and then only as a whole `${VAR}` from the environment: a literal secret in a spec
//! is refused, since specs live in Git.
//!
//! Where the service model (botocore 1.44) is newer than SDK 1.97:
//! - SDK 1.97 requires `clientSecret` on every vendor input and `clientId` on the custom one; the
//!   model makes both optional (min length 0). acgw sends `""` for an absent one, which the model
//!   allows, so that a secret passed by reference builds with this SDK.
//! - SDK 1.97 lacks the custom vendor's `certificateConfigurations`: it is declared `carried`
//!   (decoded and checked, not yet sent: `api::carried` only rewrites gateway requests today).

use serde::Serialize;
use serde_json::{json, Value};

use super::decode::{Cx, Decode, Node, NodeKind};
use super::live::Unreadable;
use super::schema::{self, Defs, Schema};
use super::sdk::{self, BuildFailure, Sdk};
use super::{
    Bounded, BoundedMap, CertificateConfiguration, DiscoveryUrl, KmsKeyArn, PrivateEndpoint, PrivateEndpointOverride,
    Tags,
};

// ---------------------------------------------------------------- constrained strings

spec_string!(
    /// CredentialProviderName: a provider's identity, unique across both kinds in acgw's specs.
    CredentialProviderName, len 1..=128, pattern "[a-zA-Z0-9\\-_]+"
);
spec_string!(
    /// ClientIdType (the custom vendor's DefaultClientIdType also allows empty, which a spec
    /// writes by leaving the member out).
    OauthClientId, len 1..=256
);
spec_string!(
    /// SecretIdType: a Secrets Manager secret's ARN or name.
    SecretId, len 1..=2048
);
spec_string!(
    /// SecretJsonKeyType: the key, in the secret's JSON, that holds the value.
    SecretJsonKey, len 1..=128
);
spec_string!(
    /// TenantIdType: a Microsoft Entra tenant.
    TenantId, len 1..=2048
);
spec_string!(
    /// IssuerUrlType, AuthorizationEndpointType, TokenEndpointType: the model leaves them
    /// unconstrained.
    OauthEndpoint, len 1..=usize::MAX
);
spec_string!(
    /// ResponseType: an OAuth response type (the model sets no minimum length).
    ResponseType, len 0..=usize::MAX
);
spec_string!(
    /// TokenAuthMethod.
    TokenAuthMethod, len 1..=usize::MAX, pattern "(client_secret_post|client_secret_basic)"
);
spec_string!(
    /// ScopeType: an actor token's scope.
    ActorTokenScope, len 1..=128
);
spec_string!(
    /// AdditionalClaimName.
    AdditionalClaimName, len 1..=255, pattern "[A-Za-z0-9_.:#-]+"
);
spec_string!(
    /// AdditionalClaimValue (sensitive in the API).
    AdditionalClaimValue, len 1..=2048, sensitive: true
);
spec_string!(
    /// acgw's own `secretVersion`: a label the user bumps to rotate a secret passed by value
    /// (kept as a tag, so it must be a valid tag value).
    SecretVersion, len 1..=64, pattern "[a-zA-Z0-9._:/=+@-]+"
);

/// The tag that holds a provider's `secretVersion`.
pub const SECRET_VERSION_TAG: &str = "acgw:secret-version";

// ---------------------------------------------------------------- enums

spec_enum!(
    /// CredentialProviderVendorType.
    CredentialProviderVendor => CredentialProviderVendorType {
        GoogleOauth2 = "GoogleOauth2", GithubOauth2 = "GithubOauth2", SlackOauth2 = "SlackOauth2",
        SalesforceOauth2 = "SalesforceOauth2", MicrosoftOauth2 = "MicrosoftOauth2", CustomOauth2 = "CustomOauth2",
        AtlassianOauth2 = "AtlassianOauth2", LinkedinOauth2 = "LinkedinOauth2", XOauth2 = "XOauth2",
        OktaOauth2 = "OktaOauth2", OneLoginOauth2 = "OneLoginOauth2", PingOneOauth2 = "PingOneOauth2",
        FacebookOauth2 = "FacebookOauth2", YandexOauth2 = "YandexOauth2", RedditOauth2 = "RedditOauth2",
        ZoomOauth2 = "ZoomOauth2", TwitchOauth2 = "TwitchOauth2", SpotifyOauth2 = "SpotifyOauth2",
        DropboxOauth2 = "DropboxOauth2", NotionOauth2 = "NotionOauth2", HubspotOauth2 = "HubspotOauth2",
        CyberArkOauth2 = "CyberArkOauth2", FusionAuthOauth2 = "FusionAuthOauth2", Auth0Oauth2 = "Auth0Oauth2",
        CognitoOauth2 = "CognitoOauth2",
    }
);
spec_enum!(
    /// SecretSourceType: MANAGED (the service stores the value it is given) or EXTERNAL (a
    /// Secrets Manager secret the user manages).
    SecretSource => SecretSourceType { Managed = "MANAGED", External = "EXTERNAL" }
);
spec_enum!(
    /// ClientAuthenticationMethodType.
    ClientAuthenticationMethod => ClientAuthenticationMethodType {
        ClientSecretBasic = "CLIENT_SECRET_BASIC", ClientSecretPost = "CLIENT_SECRET_POST",
        AwsIamIdTokenJwt = "AWS_IAM_ID_TOKEN_JWT", PrivateKeyJwt = "PRIVATE_KEY_JWT",
    }
);
spec_enum!(
    /// OnBehalfOfTokenExchangeGrantTypeType.
    OnBehalfOfGrantType => OnBehalfOfTokenExchangeGrantTypeType {
        TokenExchange = "TOKEN_EXCHANGE", JwtAuthorizationGrant = "JWT_AUTHORIZATION_GRANT",
    }
);
spec_enum!(
    /// ActorTokenContentType.
    ActorTokenContent => ActorTokenContentType { None = "NONE", M2m = "M2M", AwsIamIdTokenJwt = "AWS_IAM_ID_TOKEN_JWT" }
);
spec_enum!(
    /// OnBehalfOfClientAuthenticationMethod.
    OnBehalfOfClientAuthentication => OnBehalfOfClientAuthenticationMethod { NoClient = "NO_CLIENT" }
);
spec_enum!(
    /// SigningAlgorithm.
    SigningAlgorithm => SigningAlgorithm { Rs256 = "RS256", Ps256 = "PS256", Es256 = "ES256" }
);
spec_enum!(
    /// Status of an OAuth2 credential provider.
    ProviderStatus => Status {
        Creating = "CREATING", CreateFailed = "CREATE_FAILED", Updating = "UPDATING", UpdateFailed = "UPDATE_FAILED",
        Ready = "READY", Deleting = "DELETING", DeleteFailed = "DELETE_FAILED",
    }
);

// ---------------------------------------------------------------- a secret passed by value

/// A secret passed by value (`clientSecret`, `apiKey`; sensitive in the API), at most `MAX`
/// characters. In a spec it must be exactly one `${VAR}`, read from the environment; in an API
/// request (the emulator) it is the value itself. It is never printed: `Debug` and `Serialize`
/// show the `${VAR}` reference it came from, or a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue<const MAX: usize> {
    /// The `${VAR}` the spec wrote, if it came from a spec.
    reference: Option<String>,
    value: String,
}

/// The OAuth client secret (DefaultClientSecretType: at most 2048 characters).
pub type ClientSecret = SecretValue<2048>;
/// The API key (DefaultApiKeyType: at most 65536 characters).
pub type ApiKey = SecretValue<65536>;

/// What a secret passed by value shows instead of itself when it has no `${VAR}` to show.
pub const SECRET_PLACEHOLDER: &str = "(sensitive)";

impl<const MAX: usize> SecretValue<MAX> {
    /// The `${VAR}` reference this value came from, if it came from a spec.
    pub fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }

    /// The `${VAR}` it is read from: the reference it came from in a spec, or (read back from a
    /// saved plan, which holds only that) the text itself when it is one whole `${VAR}`.
    pub fn source(&self) -> Option<&str> {
        self.reference().or_else(|| is_whole_reference(&self.value).then_some(self.value.as_str()))
    }

    /// The secret itself, for the one request that sends it.
    pub fn expose(&self) -> &str {
        &self.value
    }

    /// A value received in an API request (no reference).
    pub fn from_request(value: String) -> Self {
        SecretValue { reference: None, value }
    }

    /// A value read from a saved plan, which holds only the `${VAR}` it came from: reads the
    /// variable from `env` again. Errs (naming the variable, never a value) when the saved text
    /// is not one whole `${VAR}` or the variable is unset or empty.
    pub fn reread(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let raw = self.reference.as_deref().unwrap_or(&self.value);
        if !is_whole_reference(raw) {
            return Err("a saved plan holds a secret only as the `${VAR}` it is read from".to_string());
        }
        let name = &raw[2..raw.len() - 1];
        match env(name) {
            Some(value) if !value.is_empty() => {
                let n = value.chars().count();
                if n > MAX {
                    return Err(format!("`{raw}` is {n} characters long; at most {MAX} are allowed"));
                }
                Ok(SecretValue { reference: Some(raw.to_string()), value })
            }
            Some(_) => Err(format!("environment variable `{name}` is empty")),
            None => Err(format!("environment variable `{name}` is not set")),
        }
    }
}

impl<const MAX: usize> std::fmt::Debug for SecretValue<MAX> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretValue({})", self.reference.as_deref().unwrap_or(SECRET_PLACEHOLDER))
    }
}

impl<const MAX: usize> Serialize for SecretValue<MAX> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.reference.as_deref().unwrap_or(SECRET_PLACEHOLDER))
    }
}

/// True for text that is exactly one `${NAME}` (no default, no surrounding text).
fn is_whole_reference(text: &str) -> bool {
    text.strip_prefix("${").and_then(|t| t.strip_suffix('}')).is_some_and(|name| {
        let mut chars = name.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

impl<const MAX: usize> Decode for SecretValue<MAX> {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        cx.secret(|cx| {
            let NodeKind::Scalar { value: raw, .. } = &node.kind else {
                cx.error(node.mark, format!("expected a string, found {}", node.type_name()));
                return None;
            };
            let reference = if cx.interpolates() {
                if !is_whole_reference(raw) {
                    cx.error(
                        node.mark,
                        "a secret cannot be written in a spec (not shown): write `${VAR}` to read it from the \
                         environment, or use a Secrets Manager reference (`*SecretSource: EXTERNAL` with \
                         `*SecretConfig: { secretId, jsonKey }`)",
                    );
                    return None;
                }
                let name = &raw[2..raw.len() - 1];
                if cx.var(name).is_none() {
                    // Not the usual hint of a `${VAR:-default}`: a secret has no default.
                    cx.error(
                        node.mark,
                        format!("environment variable `{name}` is not set (a secret passed by value has no default)"),
                    );
                    return None;
                }
                Some(raw.clone())
            } else {
                None
            };
            let value = cx.string(node)?.into_owned();
            let n = value.chars().count();
            if reference.is_some() && n == 0 {
                let name = raw.trim_start_matches("${").trim_end_matches('}');
                cx.error(node.mark, format!("environment variable `{name}` is empty"));
                return None;
            }
            if n > MAX {
                cx.error(
                    node.mark,
                    format!("expected at most {MAX} characters, found {n} (not shown: the value is sensitive)"),
                );
                return None;
            }
            Some(SecretValue { reference, value })
        })
    }
}

impl<const MAX: usize> Schema for SecretValue<MAX> {
    fn schema(_: &mut Defs) -> Value {
        json!({
            "type": "string",
            "pattern": "^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$",
            "description": "A secret passed by value: only a whole `${VAR}`, read from the environment (never a literal)."
        })
    }
}

impl<const MAX: usize> Sdk for SecretValue<MAX> {
    type Sdk = String;
    fn to_sdk(&self) -> Result<String, BuildFailure> {
        Ok(self.value.clone())
    }
    fn from_sdk(value: String, _: &str) -> Result<Self, Unreadable> {
        Ok(Self::from_request(value))
    }
    fn blank(value: &String) -> bool {
        value.is_empty()
    }
}

// ---------------------------------------------------------------- nested shapes

shape_struct! {
    /// SecretReference: a Secrets Manager secret and the JSON key that holds the value.
    SecretReference => SecretReference fallible {
        secret_id: req SecretId => "secretId" "The ARN or name of the Secrets Manager secret.",
        json_key: req SecretJsonKey => "jsonKey" "The key in the secret's JSON that holds the value.",
    }
}

shape_union! {
    /// Oauth2Discovery (union).
    Oauth2Discovery => Oauth2Discovery {
        DiscoveryUrl(DiscoveryUrl) => "discoveryUrl" "The discovery URL of the OAuth2 provider (OpenID Connect or authorization-server metadata).",
        AuthorizationServerMetadata(AuthorizationServerMetadata) => "authorizationServerMetadata" "The authorization server metadata, when the provider has no discovery URL.",
    }
}

shape_struct! {
    /// Oauth2AuthorizationServerMetadata.
    AuthorizationServerMetadata => Oauth2AuthorizationServerMetadata fallible {
        issuer: req OauthEndpoint => "issuer" "The issuer URL.",
        authorization_endpoint: req OauthEndpoint => "authorizationEndpoint" "The authorization endpoint URL.",
        token_endpoint: req OauthEndpoint => "tokenEndpoint" "The token endpoint URL.",
        response_types: opt Vec<ResponseType> => "responseTypes" "The supported response types.",
        token_endpoint_auth_methods: opt Bounded<TokenAuthMethod, 1, 2> => "tokenEndpointAuthMethods" "The token endpoint's authentication methods (client_secret_post, client_secret_basic).",
    }
}

shape_struct! {
    /// OnBehalfOfTokenExchangeConfigType.
    OnBehalfOfTokenExchangeConfig => OnBehalfOfTokenExchangeConfigType fallible {
        grant_type: req OnBehalfOfGrantType => "grantType" "The grant type of the on-behalf-of token exchange.",
        token_exchange_grant_type_config: opt TokenExchangeGrantTypeConfig => "tokenExchangeGrantTypeConfig" "The settings of the TOKEN_EXCHANGE grant.",
        on_behalf_of_authentication_config: opt OnBehalfOfAuthenticationConfig => "onBehalfOfAuthenticationConfig" "How the client authenticates in the exchange.",
    }
}

shape_struct! {
    /// TokenExchangeGrantTypeConfigType.
    TokenExchangeGrantTypeConfig => TokenExchangeGrantTypeConfigType fallible {
        actor_token_content: req ActorTokenContent => "actorTokenContent" "What the actor token holds.",
        actor_token_scopes: opt Vec<ActorTokenScope> => "actorTokenScopes" "The scopes of the actor token.",
    }
}

shape_struct! {
    /// OnBehalfOfAuthenticationConfig.
    OnBehalfOfAuthenticationConfig => OnBehalfOfAuthenticationConfig fallible {
        client_authentication_method: req OnBehalfOfClientAuthentication => "clientAuthenticationMethod" "The client authentication method of the exchange.",
    }
}

/// AdditionalClaims: 1–10 claims.
pub type AdditionalClaims = BoundedMap<AdditionalClaimName, AdditionalClaimValue, 1, 10>;

shape_struct! {
    /// PrivateKeyJwtConfig.
    PrivateKeyJwtConfig => PrivateKeyJwtConfig plain {
        private_key_source: opt PrivateKeySource => "privateKeySource" "Where the signing key is.",
        signing_algorithm: opt SigningAlgorithm => "signingAlgorithm" "The JWT signing algorithm.",
        additional_header_claims: opt AdditionalClaims => "additionalHeaderClaims" "Claims added to the JWT header.",
        additional_payload_claims: opt AdditionalClaims => "additionalPayloadClaims" "Claims added to the JWT payload.",
    }
}

shape_union! {
    /// PrivateKeySource (union).
    PrivateKeySource => PrivateKeySource {
        KmsKeySource(KmsKeySource) => "kmsKeySource" "A KMS key that signs the client assertion.",
    }
}

shape_struct! {
    /// KmsKeySourceType.
    KmsKeySource => KmsKeySourceType fallible {
        kms_key_arn: req KmsKeyArn => "kmsKeyArn" "The ARN of the KMS key.",
    }
}

// ---------------------------------------------------------------- vendor inputs

/// The SDK conversion of a vendor input. SDK 1.97 still requires the `$dflt` members the model
/// made optional, so an absent one is sent as `""` (the model's minimum length is 0).
macro_rules! vendor_sdk {
    ($name:ident => $sdk:ident $build:ident { default: $($dflt:ident $dkey:literal),+; $($field:ident : $kind:ident $key:literal),* $(,)? }) => {
        impl Sdk for $name {
            type Sdk = aws_sdk_bedrockagentcorecontrol::types::$sdk;

            fn to_sdk(&self) -> Result<Self::Sdk, BuildFailure> {
                let b = aws_sdk_bedrockagentcorecontrol::types::$sdk::builder();
                $(let b = pastey::paste! {
                    b.[<set_ $dflt>](Some(self.$dflt.as_ref().map(Sdk::to_sdk).transpose()?.unwrap_or_default()))
                };)+
                $(let b = sdk_struct!(@set $kind b $field self.$field);)*
                sdk_struct!(@build $build b $sdk)
            }

            fn from_sdk(v: Self::Sdk, path: &str) -> Result<Self, Unreadable> {
                Ok(Self {
                    $($dflt: sdk::opt(v.$dflt, path, $dkey)?,)+
                    $($field: sdk_struct!(@from $kind v.$field, path, $key),)*
                })
            }
        }
    };
}

/// The six vendors whose input is a client and its secret, with the same members.
macro_rules! plain_vendor_input {
    ($($(#[$m:meta])* $name:ident => $sdk:ident;)+) => {$(
        shape_struct! {
            $(#[$m])*
            $name {
                client_id: req OauthClientId => "clientId" "The OAuth client ID.",
                client_secret: opt ClientSecret => "clientSecret" "The OAuth client secret, by value: only `${VAR}` (write-only; rotate with `secretVersion`).",
                client_secret_config: opt SecretReference => "clientSecretConfig" "The OAuth client secret, by reference: a Secrets Manager secret (with `clientSecretSource: EXTERNAL`).",
                client_secret_source: opt SecretSource => "clientSecretSource" "MANAGED (a secret by value) or EXTERNAL (a secret by reference).",
            }
        }
        vendor_sdk!($name => $sdk fallible {
            default: client_secret "clientSecret";
            client_id: req "clientId",
            client_secret_config: opt "clientSecretConfig",
            client_secret_source: opt "clientSecretSource",
        });
    )+};
}

plain_vendor_input! {
    /// GoogleOauth2ProviderConfigInput.
    GoogleOauth2Config => GoogleOauth2ProviderConfigInput;
    /// GithubOauth2ProviderConfigInput.
    GithubOauth2Config => GithubOauth2ProviderConfigInput;
    /// SlackOauth2ProviderConfigInput.
    SlackOauth2Config => SlackOauth2ProviderConfigInput;
    /// SalesforceOauth2ProviderConfigInput.
    SalesforceOauth2Config => SalesforceOauth2ProviderConfigInput;
    /// AtlassianOauth2ProviderConfigInput.
    AtlassianOauth2Config => AtlassianOauth2ProviderConfigInput;
    /// LinkedinOauth2ProviderConfigInput.
    LinkedinOauth2Config => LinkedinOauth2ProviderConfigInput;
}

shape_struct! {
    /// MicrosoftOauth2ProviderConfigInput.
    MicrosoftOauth2Config {
        client_id: req OauthClientId => "clientId" "The OAuth client ID.",
        client_secret: opt ClientSecret => "clientSecret" "The OAuth client secret, by value: only `${VAR}` (write-only; rotate with `secretVersion`).",
        client_secret_config: opt SecretReference => "clientSecretConfig" "The OAuth client secret, by reference: a Secrets Manager secret (with `clientSecretSource: EXTERNAL`).",
        client_secret_source: opt SecretSource => "clientSecretSource" "MANAGED (a secret by value) or EXTERNAL (a secret by reference).",
        tenant_id: opt TenantId => "tenantId" "The Microsoft Entra tenant.",
    }
}
vendor_sdk!(MicrosoftOauth2Config => MicrosoftOauth2ProviderConfigInput fallible {
    default: client_secret "clientSecret";
    client_id: req "clientId",
    client_secret_config: opt "clientSecretConfig",
    client_secret_source: opt "clientSecretSource",
    tenant_id: opt "tenantId",
});

shape_struct! {
    /// IncludedOauth2ProviderConfigInput: the vendors AgentCore knows by name (Okta, Auth0, ...).
    IncludedOauth2Config {
        client_id: req OauthClientId => "clientId" "The OAuth client ID.",
        client_secret: opt ClientSecret => "clientSecret" "The OAuth client secret, by value: only `${VAR}` (write-only; rotate with `secretVersion`).",
        client_secret_config: opt SecretReference => "clientSecretConfig" "The OAuth client secret, by reference: a Secrets Manager secret (with `clientSecretSource: EXTERNAL`).",
        client_secret_source: opt SecretSource => "clientSecretSource" "MANAGED (a secret by value) or EXTERNAL (a secret by reference).",
        issuer: opt OauthEndpoint => "issuer" "The issuer URL.",
        authorization_endpoint: opt OauthEndpoint => "authorizationEndpoint" "The authorization endpoint URL.",
        token_endpoint: opt OauthEndpoint => "tokenEndpoint" "The token endpoint URL.",
    }
}
vendor_sdk!(IncludedOauth2Config => IncludedOauth2ProviderConfigInput fallible {
    default: client_secret "clientSecret";
    client_id: req "clientId",
    client_secret_config: opt "clientSecretConfig",
    client_secret_source: opt "clientSecretSource",
    issuer: opt "issuer",
    authorization_endpoint: opt "authorizationEndpoint",
    token_endpoint: opt "tokenEndpoint",
});

shape_struct! {
    /// CustomOauth2ProviderConfigInput.
    CustomOauth2Config {
        oauth_discovery: req Oauth2Discovery => "oauthDiscovery" "How to discover the provider's endpoints.",
        client_id: opt OauthClientId => "clientId" "The OAuth client ID.",
        client_secret: opt ClientSecret => "clientSecret" "The OAuth client secret, by value: only `${VAR}` (write-only; rotate with `secretVersion`).",
        client_secret_config: opt SecretReference => "clientSecretConfig" "The OAuth client secret, by reference: a Secrets Manager secret (with `clientSecretSource: EXTERNAL`).",
        client_secret_source: opt SecretSource => "clientSecretSource" "MANAGED (a secret by value) or EXTERNAL (a secret by reference).",
        on_behalf_of_token_exchange_config: opt OnBehalfOfTokenExchangeConfig => "onBehalfOfTokenExchangeConfig" "The on-behalf-of token exchange.",
        client_authentication_method: opt ClientAuthenticationMethod => "clientAuthenticationMethod" "How the client authenticates to the token endpoint.",
        private_key_jwt_config: opt PrivateKeyJwtConfig => "privateKeyJwtConfig" "The signing of a PRIVATE_KEY_JWT client assertion.",
        private_endpoint: opt PrivateEndpoint => "privateEndpoint" "The private endpoint of the provider.",
        private_endpoint_overrides: opt Bounded<PrivateEndpointOverride, 0, 5> => "privateEndpointOverrides" "Private endpoints for specific domains.",
        certificate_configurations: carried Bounded<CertificateConfiguration, 1, 1> => "certificateConfigurations" "The certificate that verifies the provider's TLS connection (newer than SDK 1.97: checked, not yet sent).",
    }
}
vendor_sdk!(CustomOauth2Config => CustomOauth2ProviderConfigInput plain {
    default: client_id "clientId", client_secret "clientSecret";
    oauth_discovery: req "oauthDiscovery",
    client_secret_config: opt "clientSecretConfig",
    client_secret_source: opt "clientSecretSource",
    on_behalf_of_token_exchange_config: opt "onBehalfOfTokenExchangeConfig",
    client_authentication_method: opt "clientAuthenticationMethod",
    private_key_jwt_config: opt "privateKeyJwtConfig",
    private_endpoint: opt "privateEndpoint",
    private_endpoint_overrides: opt "privateEndpointOverrides",
    certificate_configurations: carried "certificateConfigurations",
});

shape_union! {
    /// Oauth2ProviderConfigInput (union): one vendor's configuration.
    // One value per provider, built once: the SDK's own union is unboxed too.
    #[allow(clippy::large_enum_variant)]
    Oauth2ProviderConfigInput => Oauth2ProviderConfigInput {
        CustomOauth2ProviderConfig(CustomOauth2Config) => "customOauth2ProviderConfig" "A provider described by its discovery URL or metadata (vendor CustomOauth2).",
        GoogleOauth2ProviderConfig(GoogleOauth2Config) => "googleOauth2ProviderConfig" "Google (vendor GoogleOauth2).",
        GithubOauth2ProviderConfig(GithubOauth2Config) => "githubOauth2ProviderConfig" "GitHub (vendor GithubOauth2).",
        SlackOauth2ProviderConfig(SlackOauth2Config) => "slackOauth2ProviderConfig" "Slack (vendor SlackOauth2).",
        SalesforceOauth2ProviderConfig(SalesforceOauth2Config) => "salesforceOauth2ProviderConfig" "Salesforce (vendor SalesforceOauth2).",
        MicrosoftOauth2ProviderConfig(MicrosoftOauth2Config) => "microsoftOauth2ProviderConfig" "Microsoft (vendor MicrosoftOauth2).",
        AtlassianOauth2ProviderConfig(AtlassianOauth2Config) => "atlassianOauth2ProviderConfig" "Atlassian (vendor AtlassianOauth2).",
        LinkedinOauth2ProviderConfig(LinkedinOauth2Config) => "linkedinOauth2ProviderConfig" "LinkedIn (vendor LinkedinOauth2).",
        IncludedOauth2ProviderConfig(IncludedOauth2Config) => "includedOauth2ProviderConfig" "A vendor AgentCore includes by name (the other vendors).",
    }
}

/// The three secret members of a vendor input (or of an API-key provider).
pub struct SecretParts<'a, const MAX: usize> {
    /// The secret by value.
    pub value: Option<&'a SecretValue<MAX>>,
    /// The secret by reference.
    pub reference: Option<&'a SecretReference>,
    /// MANAGED or EXTERNAL.
    pub source: Option<&'a SecretSource>,
}

/// `$body` with `$c` bound to the vendor input `$config` holds, whichever it is: every vendor
/// input has the same three client-secret members.
macro_rules! each_vendor {
    ($config:expr, $c:ident => $body:expr) => {{
        use Oauth2ProviderConfigInput as C;
        match $config {
            C::CustomOauth2ProviderConfig($c) => $body,
            C::GoogleOauth2ProviderConfig($c) => $body,
            C::GithubOauth2ProviderConfig($c) => $body,
            C::SlackOauth2ProviderConfig($c) => $body,
            C::SalesforceOauth2ProviderConfig($c) => $body,
            C::MicrosoftOauth2ProviderConfig($c) => $body,
            C::AtlassianOauth2ProviderConfig($c) => $body,
            C::LinkedinOauth2ProviderConfig($c) => $body,
            C::IncludedOauth2ProviderConfig($c) => $body,
        }
    }};
}

impl Oauth2ProviderConfigInput {
    /// The client secret's members, whichever the vendor.
    pub fn secret(&self) -> SecretParts<'_, 2048> {
        each_vendor!(self, c => SecretParts {
            value: c.client_secret.as_ref(),
            reference: c.client_secret_config.as_ref(),
            source: c.client_secret_source.as_ref(),
        })
    }

    /// True when the provider authenticates without a client secret (a custom provider signing
    /// a JWT assertion), so that leaving the secret out is not a mistake.
    fn secretless(&self) -> bool {
        matches!(self, Oauth2ProviderConfigInput::CustomOauth2ProviderConfig(c)
            if matches!(c.client_authentication_method,
                Some(ClientAuthenticationMethod::PrivateKeyJwt | ClientAuthenticationMethod::AwsIamIdTokenJwt)))
    }
}

impl CredentialProviderVendor {
    /// The `oauth2ProviderConfigInput` member this vendor takes.
    pub fn config_key(&self) -> &'static str {
        use CredentialProviderVendor as V;
        match self {
            V::CustomOauth2 => "customOauth2ProviderConfig",
            V::GoogleOauth2 => "googleOauth2ProviderConfig",
            V::GithubOauth2 => "githubOauth2ProviderConfig",
            V::SlackOauth2 => "slackOauth2ProviderConfig",
            V::SalesforceOauth2 => "salesforceOauth2ProviderConfig",
            V::MicrosoftOauth2 => "microsoftOauth2ProviderConfig",
            V::AtlassianOauth2 => "atlassianOauth2ProviderConfig",
            V::LinkedinOauth2 => "linkedinOauth2ProviderConfig",
            _ => "includedOauth2ProviderConfig",
        }
    }
}

// ---------------------------------------------------------------- the spec items

shape_struct! {
    /// An `oauth2:` provider: CreateOauth2CredentialProvider's members plus acgw's `secretVersion`.
    Oauth2Provider {
        name: req CredentialProviderName => "name" "The provider's name: its identity, unique across OAuth2 and API-key providers.",
        credential_provider_vendor: req CredentialProviderVendor => "credentialProviderVendor" "The OAuth2 vendor.",
        oauth2_provider_config_input: req Oauth2ProviderConfigInput => "oauth2ProviderConfigInput" "The vendor's configuration: exactly one member, the one that matches the vendor.",
        tags: opt Tags => "tags" "Tags of the provider.",
        secret_version: opt SecretVersion => "secretVersion" "acgw's own: a label to bump to send a `clientSecret` passed by value again (the service never returns it, so acgw cannot see it change).",
    }
}

shape_struct! {
    /// An `apiKey:` provider: CreateApiKeyCredentialProvider's members plus acgw's `secretVersion`.
    ApiKeyProvider {
        name: req CredentialProviderName => "name" "The provider's name: its identity, unique across OAuth2 and API-key providers.",
        api_key: opt ApiKey => "apiKey" "The API key, by value: only `${VAR}` (write-only; rotate with `secretVersion`).",
        api_key_secret_config: opt SecretReference => "apiKeySecretConfig" "The API key, by reference: a Secrets Manager secret (with `apiKeySecretSource: EXTERNAL`).",
        api_key_secret_source: opt SecretSource => "apiKeySecretSource" "MANAGED (a key by value) or EXTERNAL (a key by reference).",
        tags: opt Tags => "tags" "Tags of the provider.",
        secret_version: opt SecretVersion => "secretVersion" "acgw's own: a label to bump to send an `apiKey` passed by value again (the service never returns it, so acgw cannot see it change).",
    }
}

impl ApiKeyProvider {
    /// The API key's members.
    pub fn secret(&self) -> SecretParts<'_, 65536> {
        SecretParts {
            value: self.api_key.as_ref(),
            reference: self.api_key_secret_config.as_ref(),
            source: self.api_key_secret_source.as_ref(),
        }
    }
}

/// One item of `credentialProviders:`: an OAuth2 or an API-key provider.
// One value per declared provider: boxing would only add noise to every match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CredentialProviderSpec {
    #[serde(rename = "oauth2")]
    Oauth2(Oauth2Provider),
    #[serde(rename = "apiKey")]
    ApiKey(ApiKeyProvider),
}

impl CredentialProviderSpec {
    /// The member keys of this union.
    pub const KEYS: &'static [&'static str] = &["oauth2", "apiKey"];

    /// The provider's name.
    pub fn name(&self) -> &CredentialProviderName {
        match self {
            CredentialProviderSpec::Oauth2(p) => &p.name,
            CredentialProviderSpec::ApiKey(p) => &p.name,
        }
    }

    /// The provider's declared tags, if any.
    pub fn tags(&self) -> Option<&Tags> {
        match self {
            CredentialProviderSpec::Oauth2(p) => p.tags.as_ref(),
            CredentialProviderSpec::ApiKey(p) => p.tags.as_ref(),
        }
    }

    /// Which kind of provider it is.
    pub fn kind(&self) -> ProviderKind {
        match self {
            CredentialProviderSpec::Oauth2(_) => ProviderKind::Oauth2,
            CredentialProviderSpec::ApiKey(_) => ProviderKind::ApiKey,
        }
    }

    /// The `${VAR}` a secret passed by value is read from, with the member that holds it
    /// (`oauth2ProviderConfigInput.githubOauth2ProviderConfig.clientSecret`, `apiKey`); `None`
    /// when the secret is passed by reference or not at all.
    pub fn secret_by_value(&self) -> Option<(String, Option<&str>)> {
        match self {
            CredentialProviderSpec::Oauth2(p) => {
                let config = &p.oauth2_provider_config_input;
                config
                    .secret()
                    .value
                    .map(|v| (format!("oauth2ProviderConfigInput.{}.clientSecret", config.key()), v.source()))
            }
            CredentialProviderSpec::ApiKey(p) => p.api_key.as_ref().map(|v| ("apiKey".to_string(), v.source())),
        }
    }

    /// The provider with its secret passed by value read from `env` again (see
    /// [`SecretValue::reread`]): how `apply PLANFILE` gets a secret a saved plan never holds.
    pub fn reread_secret(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut out = self.clone();
        match &mut out {
            CredentialProviderSpec::Oauth2(p) => each_vendor!(&mut p.oauth2_provider_config_input, c => {
                if let Some(v) = &c.client_secret {
                    c.client_secret = Some(v.reread(env)?);
                }
            }),
            CredentialProviderSpec::ApiKey(p) => {
                if let Some(v) = &p.api_key {
                    p.api_key = Some(v.reread(env)?);
                }
            }
        }
        Ok(out)
    }

    /// The provider's `secretVersion`, if any.
    pub fn secret_version(&self) -> Option<&SecretVersion> {
        match self {
            CredentialProviderSpec::Oauth2(p) => p.secret_version.as_ref(),
            CredentialProviderSpec::ApiKey(p) => p.secret_version.as_ref(),
        }
    }
}

impl Decode for CredentialProviderSpec {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        let (key, entries) = cx.union_member(node, Self::KEYS)?;
        let member = node.get(key)?;
        let before = cx.problem_count();
        let spec = Self::decode_member(key, node, member, entries, before, cx)?;
        // A member refused inside (an optional one is then left out) refuses the whole provider:
        // a provider without the secret the spec meant to give must not be planned.
        (cx.problem_count() == before).then_some(spec)
    }
}

impl CredentialProviderSpec {
    /// Decodes the member `key`, then (if it decoded without a problem, so that one mistake is
    /// reported once) checks the rules across its members.
    fn decode_member(
        key: &str,
        node: &Node,
        member: &Node,
        entries: &[(Node, Node)],
        before: usize,
        cx: &mut Cx<'_>,
    ) -> Option<Self> {
        if key == "oauth2" {
            let p: Oauth2Provider = cx.required(node, entries, "oauth2")?;
            if cx.problem_count() > before {
                return None;
            }
            cx.at("oauth2", |cx| check_oauth2(&p, member, cx)).then_some(CredentialProviderSpec::Oauth2(p))
        } else {
            let p: ApiKeyProvider = cx.required(node, entries, "apiKey")?;
            if cx.problem_count() > before {
                return None;
            }
            let ok = cx.at("apiKey", |cx| {
                check_secret(p.secret(), member, ["apiKey", "apiKeySecretConfig", "apiKeySecretSource"], true, cx)
                    & check_secret_version(
                        p.secret_version.is_some(),
                        p.api_key.is_some() || member.get("apiKey").is_some_and(|n| !n.is_empty_value()),
                        member,
                        cx,
                    )
            });
            ok.then_some(CredentialProviderSpec::ApiKey(p))
        }
    }
}

impl Schema for CredentialProviderSpec {
    fn schema(defs: &mut Defs) -> Value {
        use schema::{of_variant, union, Member};
        defs.define("CredentialProviderSpec", |defs| {
            let members = vec![
                Member {
                    key: "oauth2",
                    required: false,
                    doc: "An OAuth2 credential provider.",
                    schema: of_variant(CredentialProviderSpec::Oauth2, defs),
                },
                Member {
                    key: "apiKey",
                    required: false,
                    doc: "An API-key credential provider.",
                    schema: of_variant(CredentialProviderSpec::ApiKey, defs),
                },
            ];
            union("", members)
        })
    }
}

/// The rules across members of an `oauth2:` provider; true when it keeps them.
fn check_oauth2(p: &Oauth2Provider, node: &Node, cx: &mut Cx<'_>) -> bool {
    let config = &p.oauth2_provider_config_input;
    let config_node = node.get("oauth2ProviderConfigInput").unwrap_or(node);
    let mut ok = true;
    let expected = p.credential_provider_vendor.config_key();
    if config.key() != expected {
        let vendor_node = node.get("credentialProviderVendor").unwrap_or(node);
        cx.at("credentialProviderVendor", |cx| {
            cx.error(
                vendor_node.mark,
                format!(
                    "vendor {} takes `oauth2ProviderConfigInput.{expected}`, found `{}`",
                    p.credential_provider_vendor,
                    config.key()
                ),
            )
        });
        ok = false;
    }
    let member = config_node.get(config.key()).unwrap_or(config_node);
    let required = !config.secretless();
    ok &= cx.at("oauth2ProviderConfigInput", |cx| {
        cx.at(config.key(), |cx| {
            check_secret(
                config.secret(),
                member,
                ["clientSecret", "clientSecretConfig", "clientSecretSource"],
                required,
                cx,
            )
        })
    });
    let by_value = config.secret().value.is_some() || member.get("clientSecret").is_some_and(|n| !n.is_empty_value());
    ok & check_secret_version(p.secret_version.is_some(), by_value, node, cx)
}

/// The rules of the two secret modes; true when `parts` keeps them. `keys` are the members'
/// names: the value, the reference, the source.
fn check_secret<const MAX: usize>(
    parts: SecretParts<'_, MAX>,
    node: &Node,
    [value, reference, source]: [&'static str; 3],
    required: bool,
    cx: &mut Cx<'_>,
) -> bool {
    let at = |key: &str| node.get(key).unwrap_or(node).mark;
    let written = |key: &str| node.get(key).is_some_and(|n| !n.is_empty_value());
    let external = matches!(parts.source, Some(SecretSource::External));
    let message = match (parts.value.is_some() || written(value), parts.reference.is_some() || written(reference)) {
        (true, true) => Some((
            value,
            format!("set either `{value}` (a `${{VAR}}`) or `{reference}` (a Secrets Manager reference), not both"),
        )),
        (false, true) if !external => {
            Some((reference, format!("`{reference}` is a reference: it needs `{source}: EXTERNAL`")))
        }
        (true, false) if external => Some((
            source,
            format!(
                "`{source}: EXTERNAL` reads the secret from `{reference}: {{ secretId, jsonKey }}`, not from `{value}`"
            ),
        )),
        (false, false) if external => {
            Some((source, format!("`{source}: EXTERNAL` needs `{reference}: {{ secretId, jsonKey }}`")))
        }
        (false, false) if required => Some((
            "",
            format!(
                "a secret is required: `{reference}: {{ secretId, jsonKey }}` with `{source}: EXTERNAL` (recommended), \
                 or `{value}: ${{VAR}}`"
            ),
        )),
        _ => None,
    };
    let message = message.or_else(|| {
        // Written, not refused, yet not set: a `${VAR}` that expanded to nothing.
        (written(value) && parts.value.is_none())
            .then(|| (value, format!("`{value}` expanded to an empty value: the variable it names is empty")))
    });
    match message {
        Some(("", m)) => {
            cx.error(node.mark, m);
            false
        }
        Some((key, m)) => {
            cx.at(key, |cx| cx.error(at(key), m));
            false
        }
        None => true,
    }
}

/// `secretVersion` only means something beside a secret passed by value.
fn check_secret_version(has_version: bool, by_value: bool, node: &Node, cx: &mut Cx<'_>) -> bool {
    if has_version && !by_value {
        let mark = node.get("secretVersion").unwrap_or(node).mark;
        cx.at("secretVersion", |cx| {
            cx.error(
                mark,
                "`secretVersion` rotates a secret passed by value (`${VAR}`); this provider has none (a reference \
                 is read back, so its changes are seen without it)",
            )
        });
        return false;
    }
    true
}

// ---------------------------------------------------------------- what the service returns

mod live;
pub use live::*;

#[cfg(test)]
#[path = "credential_provider_tests.rs"]
mod tests;

//! What the service returns of credential providers: the vendors' outputs, where a secret is,
//! and the live providers of the Get and List calls.

use serde::Serialize;

use super::*;

/// The outputs of the six vendors that return only discovery and client ID.
macro_rules! plain_vendor_output {
    ($($(#[$m:meta])* $name:ident => $sdk:ident;)+) => {$(
        shape_struct! {
            $(#[$m])*
            $name => $sdk plain {
                oauth_discovery: req Oauth2Discovery => "oauthDiscovery" "How the provider's endpoints are discovered.",
                client_id: opt OauthClientId => "clientId" "The OAuth client ID.",
            }
        }
    )+};
}

plain_vendor_output! {
    /// GoogleOauth2ProviderConfigOutput.
    GoogleOauth2ConfigOutput => GoogleOauth2ProviderConfigOutput;
    /// GithubOauth2ProviderConfigOutput.
    GithubOauth2ConfigOutput => GithubOauth2ProviderConfigOutput;
    /// SlackOauth2ProviderConfigOutput.
    SlackOauth2ConfigOutput => SlackOauth2ProviderConfigOutput;
    /// SalesforceOauth2ProviderConfigOutput.
    SalesforceOauth2ConfigOutput => SalesforceOauth2ProviderConfigOutput;
    /// MicrosoftOauth2ProviderConfigOutput.
    MicrosoftOauth2ConfigOutput => MicrosoftOauth2ProviderConfigOutput;
    /// AtlassianOauth2ProviderConfigOutput.
    AtlassianOauth2ConfigOutput => AtlassianOauth2ProviderConfigOutput;
    /// LinkedinOauth2ProviderConfigOutput.
    LinkedinOauth2ConfigOutput => LinkedinOauth2ProviderConfigOutput;
    /// IncludedOauth2ProviderConfigOutput.
    IncludedOauth2ConfigOutput => IncludedOauth2ProviderConfigOutput;
}

shape_struct! {
    /// CustomOauth2ProviderConfigOutput.
    CustomOauth2ConfigOutput => CustomOauth2ProviderConfigOutput plain {
        oauth_discovery: req Oauth2Discovery => "oauthDiscovery" "How the provider's endpoints are discovered.",
        client_id: opt OauthClientId => "clientId" "The OAuth client ID.",
        on_behalf_of_token_exchange_config: opt OnBehalfOfTokenExchangeConfig => "onBehalfOfTokenExchangeConfig" "The on-behalf-of token exchange.",
        client_authentication_method: opt ClientAuthenticationMethod => "clientAuthenticationMethod" "How the client authenticates to the token endpoint.",
        private_endpoint: opt PrivateEndpoint => "privateEndpoint" "The private endpoint of the provider.",
        private_endpoint_overrides: opt Bounded<PrivateEndpointOverride, 0, 5> => "privateEndpointOverrides" "Private endpoints for specific domains.",
        certificate_configurations: carried Bounded<CertificateConfiguration, 1, 1> => "certificateConfigurations" "The certificate that verifies the provider's TLS connection (newer than SDK 1.97: not read yet).",
        private_key_jwt_config: opt PrivateKeyJwtConfig => "privateKeyJwtConfig" "The signing of a PRIVATE_KEY_JWT client assertion.",
    }
}

shape_union! {
    /// Oauth2ProviderConfigOutput (union).
    // One value per provider, built once: the SDK's own union is unboxed too.
    #[allow(clippy::large_enum_variant)]
    Oauth2ProviderConfigOutput => Oauth2ProviderConfigOutput {
        CustomOauth2ProviderConfig(CustomOauth2ConfigOutput) => "customOauth2ProviderConfig" "A custom provider.",
        GoogleOauth2ProviderConfig(GoogleOauth2ConfigOutput) => "googleOauth2ProviderConfig" "Google.",
        GithubOauth2ProviderConfig(GithubOauth2ConfigOutput) => "githubOauth2ProviderConfig" "GitHub.",
        SlackOauth2ProviderConfig(SlackOauth2ConfigOutput) => "slackOauth2ProviderConfig" "Slack.",
        SalesforceOauth2ProviderConfig(SalesforceOauth2ConfigOutput) => "salesforceOauth2ProviderConfig" "Salesforce.",
        MicrosoftOauth2ProviderConfig(MicrosoftOauth2ConfigOutput) => "microsoftOauth2ProviderConfig" "Microsoft.",
        AtlassianOauth2ProviderConfig(AtlassianOauth2ConfigOutput) => "atlassianOauth2ProviderConfig" "Atlassian.",
        LinkedinOauth2ProviderConfig(LinkedinOauth2ConfigOutput) => "linkedinOauth2ProviderConfig" "LinkedIn.",
        IncludedOauth2ProviderConfig(IncludedOauth2ConfigOutput) => "includedOauth2ProviderConfig" "A vendor AgentCore includes by name.",
    }
}

/// Where a provider's secret lives, as the service reports it (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveSecret {
    /// The Secrets Manager secret's ARN (the service's own for MANAGED, the user's for EXTERNAL).
    pub secret_arn: String,
    /// The JSON key in the secret, for EXTERNAL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_key: Option<String>,
    /// MANAGED or EXTERNAL; absent from older responses, which means MANAGED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SecretSource>,
}

/// An OAuth2 credential provider as GetOauth2CredentialProvider returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveOauth2Provider {
    /// The provider's name.
    pub name: String,
    /// The provider's ARN.
    pub arn: String,
    /// The vendor.
    pub vendor: CredentialProviderVendor,
    /// Where the vendor returns after user consent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// The client secret's location.
    pub client_secret: LiveSecret,
    /// The vendor's configuration, as returned (secrets left out by the service).
    pub config: Oauth2ProviderConfigOutput,
    /// The provider's status, if the service reports one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ProviderStatus>,
    /// Why the provider failed, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
}

/// An API-key credential provider as GetApiKeyCredentialProvider returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveApiKeyProvider {
    /// The provider's name.
    pub name: String,
    /// The provider's ARN.
    pub arn: String,
    /// The API key's location.
    pub api_key_secret: LiveSecret,
}

/// A live credential provider as its Get call returned it.
// One value per provider read: boxing would only add noise to every match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveProvider {
    Oauth2(LiveOauth2Provider),
    ApiKey(LiveApiKeyProvider),
}

impl LiveProvider {
    /// The provider's name.
    pub fn name(&self) -> &str {
        match self {
            LiveProvider::Oauth2(p) => &p.name,
            LiveProvider::ApiKey(p) => &p.name,
        }
    }

    /// The provider's ARN.
    pub fn arn(&self) -> &str {
        match self {
            LiveProvider::Oauth2(p) => &p.arn,
            LiveProvider::ApiKey(p) => &p.arn,
        }
    }

    /// Which kind of provider it is.
    pub fn kind(&self) -> ProviderKind {
        match self {
            LiveProvider::Oauth2(_) => ProviderKind::Oauth2,
            LiveProvider::ApiKey(_) => ProviderKind::ApiKey,
        }
    }
}

/// The two kinds of credential provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
pub enum ProviderKind {
    #[serde(rename = "oauth2")]
    Oauth2,
    #[serde(rename = "apiKey")]
    ApiKey,
}

impl ProviderKind {
    /// Its member key in `credentialProviders:`, also its name in plans: `oauth2`, `apiKey`.
    pub fn key(self) -> &'static str {
        match self {
            ProviderKind::Oauth2 => "oauth2",
            ProviderKind::ApiKey => "apiKey",
        }
    }
}

/// One provider of a List call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSummary {
    /// OAuth2 or API key.
    pub kind: ProviderKind,
    /// The provider's name.
    pub name: String,
    /// The provider's ARN.
    pub arn: String,
    /// The vendor, for an OAuth2 provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<CredentialProviderVendor>,
}

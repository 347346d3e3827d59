//! Credential providers (issue 26) between the model and the SDK: what the Create and Update
//! calls take, and the live types that Get and List answers become.
//!
//! A secret passed by value goes to the SDK in one place ([`Sdk::to_sdk`] of the secret types)
//! and never comes back: the service answers with where it stored it (a Secrets Manager ARN).

use aws_sdk_bedrockagentcorecontrol::operation::get_api_key_credential_provider::GetApiKeyCredentialProviderOutput;
use aws_sdk_bedrockagentcorecontrol::operation::get_oauth2_credential_provider::GetOauth2CredentialProviderOutput;
use aws_sdk_bedrockagentcorecontrol::types as sdk;

use crate::api::ApiError;
use crate::model::credential_provider::{
    ApiKeyProvider, CredentialProviderVendor, LiveApiKeyProvider, LiveOauth2Provider, LiveSecret, Oauth2Provider,
    Oauth2ProviderConfigOutput, ProviderKind, ProviderStatus, ProviderSummary, SecretSource,
};
use crate::model::live::{TagMap, Unreadable};
use crate::model::sdk::{BuildFailure, Sdk};
use crate::model::FromService;

// The provider operations' errors, classified like the gateway operations' (`convert::classify`).
macro_rules! provider_operation_error {
    ($($module:ident :: $err:ident),* $(,)?) => {$(
        impl crate::api::convert::OperationError for aws_sdk_bedrockagentcorecontrol::operation::$module::$err {
            fn validation(&self) -> Option<&aws_sdk_bedrockagentcorecontrol::types::error::ValidationException> {
                match self {
                    aws_sdk_bedrockagentcorecontrol::operation::$module::$err::ValidationException(v) => Some(v),
                    _ => None,
                }
            }
        }
    )*};
}
provider_operation_error!(
    create_oauth2_credential_provider::CreateOauth2CredentialProviderError,
    get_oauth2_credential_provider::GetOauth2CredentialProviderError,
    update_oauth2_credential_provider::UpdateOauth2CredentialProviderError,
    delete_oauth2_credential_provider::DeleteOauth2CredentialProviderError,
    list_oauth2_credential_providers::ListOauth2CredentialProvidersError,
    create_api_key_credential_provider::CreateApiKeyCredentialProviderError,
    get_api_key_credential_provider::GetApiKeyCredentialProviderError,
    update_api_key_credential_provider::UpdateApiKeyCredentialProviderError,
    delete_api_key_credential_provider::DeleteApiKeyCredentialProviderError,
    list_api_key_credential_providers::ListApiKeyCredentialProvidersError,
);

/// The members CreateOauth2CredentialProvider and UpdateOauth2CredentialProvider share, set on
/// either builder from the provider and its SDK input.
macro_rules! oauth2_members {
    ($builder:expr, $config:expr, $input:expr) => {
        $builder
            .name($config.name.as_str())
            .credential_provider_vendor($input.vendor)
            .oauth2_provider_config_input($input.config)
    };
}
pub(crate) use oauth2_members;

/// The members CreateApiKeyCredentialProvider and UpdateApiKeyCredentialProvider share.
macro_rules! api_key_members {
    ($builder:expr, $config:expr, $input:expr) => {
        $builder
            .name($config.name.as_str())
            .set_api_key($input.api_key)
            .set_api_key_secret_config($input.secret_config)
            .set_api_key_secret_source($input.secret_source)
    };
}
pub(crate) use api_key_members;

/// What an OAuth2 provider's Create or Update answered (the outputs share member names, not a
/// type).
macro_rules! oauth2_written {
    ($out:expr) => {{
        let out = $out;
        $crate::api::providers::ProviderWritten {
            secret: $crate::api::providers::live_secret(
                out.client_secret_arn,
                out.client_secret_json_key,
                out.client_secret_source,
            ),
            callback_url: out.callback_url.filter(|u| !u.is_empty()),
            name: out.name,
            arn: out.credential_provider_arn,
        }
    }};
}
pub(crate) use oauth2_written;

/// What an API-key provider's Create or Update answered.
macro_rules! api_key_written {
    ($out:expr) => {{
        let out = $out;
        $crate::api::providers::ProviderWritten {
            secret: $crate::api::providers::live_secret(
                out.api_key_secret_arn,
                out.api_key_secret_json_key,
                out.api_key_secret_source,
            ),
            callback_url: None,
            name: out.name,
            arn: out.credential_provider_arn,
        }
    }};
}
pub(crate) use api_key_written;

/// What a Create or Update call answers: enough to address the provider and find its secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderWritten {
    /// The provider's name.
    pub name: String,
    /// The provider's ARN.
    pub arn: String,
    /// Where the secret is (never the secret).
    pub secret: LiveSecret,
    /// Where an OAuth2 vendor returns after user consent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
}

/// The SDK members of CreateOauth2CredentialProvider and UpdateOauth2CredentialProvider.
pub struct Oauth2Input {
    /// credentialProviderVendor.
    pub vendor: sdk::CredentialProviderVendorType,
    /// oauth2ProviderConfigInput (holds the client secret when passed by value).
    pub config: sdk::Oauth2ProviderConfigInput,
}

/// The SDK members of CreateApiKeyCredentialProvider and UpdateApiKeyCredentialProvider.
pub struct ApiKeyInput {
    /// apiKey, when passed by value.
    pub api_key: Option<String>,
    /// apiKeySecretConfig, when passed by reference.
    pub secret_config: Option<sdk::SecretReference>,
    /// apiKeySecretSource.
    pub secret_source: Option<sdk::SecretSourceType>,
}

/// A builder refused what the model guarantees: report it by provider and member, never panic.
fn build_failure(provider: &str, path: &str, e: BuildFailure) -> ApiError {
    ApiError::Validation {
        message: format!("credential provider {provider}: {path}: {e}"),
        reason: "RequestBuild".to_string(),
        fields: vec![(path.to_string(), e.to_string())],
    }
}

/// The SDK form of an `oauth2:` provider.
pub fn oauth2_input(p: &Oauth2Provider) -> Result<Oauth2Input, ApiError> {
    let name = p.name.as_str();
    let vendor =
        p.credential_provider_vendor.to_sdk().map_err(|e| build_failure(name, "credentialProviderVendor", e))?;
    let config =
        p.oauth2_provider_config_input.to_sdk().map_err(|e| build_failure(name, "oauth2ProviderConfigInput", e))?;
    Ok(Oauth2Input { vendor, config })
}

/// The SDK form of an `apiKey:` provider.
pub fn api_key_input(p: &ApiKeyProvider) -> Result<ApiKeyInput, ApiError> {
    let name = p.name.as_str();
    Ok(ApiKeyInput {
        api_key: p.api_key.as_ref().map(|k| k.expose().to_string()),
        secret_config: p
            .api_key_secret_config
            .as_ref()
            .map(Sdk::to_sdk)
            .transpose()
            .map_err(|e| build_failure(name, "apiKeySecretConfig", e))?,
        secret_source: p
            .api_key_secret_source
            .as_ref()
            .map(Sdk::to_sdk)
            .transpose()
            .map_err(|e| build_failure(name, "apiKeySecretSource", e))?,
    })
}

/// The tags to send on create: the spec's own plus `extra` (ownership, `secretVersion`), which
/// the caller computes.
pub fn create_tags(
    tags: Option<&crate::model::Tags>,
    extra: &TagMap,
) -> Option<std::collections::HashMap<String, String>> {
    let mut all: std::collections::HashMap<String, String> = tags
        .map(|t| t.as_map().iter().map(|(k, v)| (k.as_str().to_string(), v.as_str().to_string())).collect())
        .unwrap_or_default();
    all.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    (!all.is_empty()).then_some(all)
}

/// The live secret location from a response's three members.
pub fn live_secret(
    arn: Option<sdk::Secret>,
    json_key: Option<String>,
    source: Option<sdk::SecretSourceType>,
) -> LiveSecret {
    LiveSecret {
        secret_arn: arn.map(|s| s.secret_arn).unwrap_or_default(),
        json_key: json_key.filter(|k| !k.is_empty()),
        source: source.map(|s| SecretSource::from_service(s.as_str())),
    }
}

/// A provider's answer that the model cannot hold.
fn unreadable(op: &str, name: &str, u: Unreadable) -> ApiError {
    ApiError::Response(format!("{op} for credential provider {name:?}: {u}"))
}

/// GetOauth2CredentialProvider's answer as a live provider.
pub fn oauth2_from_get(out: GetOauth2CredentialProviderOutput) -> Result<LiveOauth2Provider, ApiError> {
    let name = out.name;
    let config = match out.oauth2_provider_config_output {
        Some(c) => Oauth2ProviderConfigOutput::from_sdk(c, "oauth2ProviderConfigOutput")
            .map_err(|u| unreadable("GetOauth2CredentialProvider", &name, u))?,
        None => {
            return Err(unreadable(
                "GetOauth2CredentialProvider",
                &name,
                Unreadable {
                    path: "oauth2ProviderConfigOutput".into(),
                    reason: "missing, but the model requires it".into(),
                },
            ))
        }
    };
    Ok(LiveOauth2Provider {
        arn: out.credential_provider_arn,
        vendor: CredentialProviderVendor::from_service(out.credential_provider_vendor.as_str()),
        callback_url: out.callback_url.filter(|u| !u.is_empty()),
        client_secret: live_secret(out.client_secret_arn, out.client_secret_json_key, out.client_secret_source),
        config,
        status: out.status.map(|s| ProviderStatus::from_service(s.as_str())),
        failure_reason: out.failure_reason.filter(|r| !r.is_empty()),
        name,
    })
}

/// GetApiKeyCredentialProvider's answer as a live provider.
pub fn api_key_from_get(out: GetApiKeyCredentialProviderOutput) -> LiveApiKeyProvider {
    LiveApiKeyProvider {
        name: out.name,
        arn: out.credential_provider_arn,
        api_key_secret: live_secret(out.api_key_secret_arn, out.api_key_secret_json_key, out.api_key_secret_source),
    }
}

/// One item of ListOauth2CredentialProviders.
pub fn oauth2_summary(item: sdk::Oauth2CredentialProviderItem) -> ProviderSummary {
    ProviderSummary {
        kind: ProviderKind::Oauth2,
        vendor: Some(CredentialProviderVendor::from_service(item.credential_provider_vendor.as_str())),
        name: item.name,
        arn: item.credential_provider_arn,
    }
}

/// One item of ListApiKeyCredentialProviders.
pub fn api_key_summary(item: sdk::ApiKeyCredentialProviderItem) -> ProviderSummary {
    ProviderSummary { kind: ProviderKind::ApiKey, vendor: None, name: item.name, arn: item.credential_provider_arn }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::credential_provider::{CredentialProviderSpec, Oauth2ProviderConfigInput};
    use crate::model::decode::{Cx, Decode, Node};

    fn spec(json: serde_json::Value) -> CredentialProviderSpec {
        let mut problems = Vec::new();
        let out = CredentialProviderSpec::decode(&Node::from_json(&json), &mut Cx::new("t", &mut problems));
        assert!(problems.is_empty(), "{problems:?}");
        out.expect("decodes")
    }

    #[test]
    fn a_reference_builds_with_sdk_1_97_although_it_requires_a_client_secret() {
        let CredentialProviderSpec::Oauth2(p) = spec(serde_json::json!({ "oauth2": {
            "name": "gh", "credentialProviderVendor": "GithubOauth2",
            "oauth2ProviderConfigInput": { "githubOauth2ProviderConfig": {
                "clientId": "id", "clientSecretSource": "EXTERNAL",
                "clientSecretConfig": { "secretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:gh", "jsonKey": "k" } } } } }))
        else {
            panic!()
        };
        let input = oauth2_input(&p).expect("builds");
        assert_eq!(input.vendor, sdk::CredentialProviderVendorType::GithubOauth2);
        let sdk::Oauth2ProviderConfigInput::GithubOauth2ProviderConfig(c) = input.config else { panic!() };
        assert_eq!(c.client_secret, "", "absent: the model allows an empty one");
        assert_eq!(c.client_secret_source, Some(sdk::SecretSourceType::External));
        assert_eq!(c.client_secret_config.map(|r| r.json_key), Some("k".to_string()));
    }

    #[test]
    fn every_vendor_round_trips_through_the_sdk_input() {
        let secret = serde_json::json!({ "clientId": "id", "clientSecret": "v" });
        let custom = serde_json::json!({ "oauthDiscovery": { "discoveryUrl": "https://i.example/.well-known/openid-configuration" },
            "clientSecret": "v", "clientAuthenticationMethod": "CLIENT_SECRET_POST" });
        for (vendor, key, body) in [
            ("CustomOauth2", "customOauth2ProviderConfig", custom),
            ("GoogleOauth2", "googleOauth2ProviderConfig", secret.clone()),
            ("GithubOauth2", "githubOauth2ProviderConfig", secret.clone()),
            ("SlackOauth2", "slackOauth2ProviderConfig", secret.clone()),
            ("SalesforceOauth2", "salesforceOauth2ProviderConfig", secret.clone()),
            (
                "MicrosoftOauth2",
                "microsoftOauth2ProviderConfig",
                serde_json::json!({ "clientId": "id", "clientSecret": "v", "tenantId": "t" }),
            ),
            ("AtlassianOauth2", "atlassianOauth2ProviderConfig", secret.clone()),
            ("LinkedinOauth2", "linkedinOauth2ProviderConfig", secret.clone()),
            (
                "OktaOauth2",
                "includedOauth2ProviderConfig",
                serde_json::json!({ "clientId": "id", "clientSecret": "v", "issuer": "https://okta.example" }),
            ),
        ] {
            let CredentialProviderSpec::Oauth2(p) = spec(serde_json::json!({ "oauth2": {
                "name": "p", "credentialProviderVendor": vendor, "oauth2ProviderConfigInput": { key: body } } }))
            else {
                panic!()
            };
            let input = oauth2_input(&p).expect(vendor);
            let back = Oauth2ProviderConfigInput::from_sdk(input.config, "").expect(vendor);
            assert_eq!(back, p.oauth2_provider_config_input, "{vendor}");
            assert_eq!(back.secret().value.map(|v| v.expose()), Some("v"), "{vendor}");
        }
    }

    #[test]
    fn an_api_key_by_value_is_sent_and_by_reference_is_not() {
        let CredentialProviderSpec::ApiKey(p) = spec(serde_json::json!({ "apiKey": { "name": "k", "apiKey": "v" } }))
        else {
            panic!()
        };
        let input = api_key_input(&p).expect("builds");
        assert_eq!(input.api_key.as_deref(), Some("v"));
        assert!(input.secret_config.is_none() && input.secret_source.is_none());
    }
}

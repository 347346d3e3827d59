//! Credential providers (`credentialProviders:`): the second account-level kind. Identified by
//! name (unique across OAuth2 and API-key providers), compared through one view of both sides
//! ([`desired_view`], [`live_view`]), owned through the `acgw:owner` tag. Created before the
//! gateways whose targets name them and deleted after (their [`ResourceKind::RANK`] is lower).
//!
//! The view is the spec's own shape (`{"oauth2": {...}}`), so that a change's path is where the
//! spec writes the member. It holds only what the service reads back: never a secret passed by
//! value (the service keeps it and returns only where it is), nor the members a Get does not
//! return (a Microsoft `tenantId`, an included vendor's endpoints, `certificateConfigurations`).

use serde_json::{Map, Value};

use super::ResourceKind;
use crate::model::credential_provider::{CredentialProviderSpec, LiveProvider, LiveSecret, ProviderKind, SecretSource};

/// The kind of credential providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialProviderKind;

impl ResourceKind for CredentialProviderKind {
    const NOUN: &'static str = "credential provider";
    const NOUNS: &'static str = "credential providers";
    const SPEC_KEY: &'static str = "credentialProviders";
    const RANK: u8 = 0;
    type Desired = CredentialProviderSpec;
    type Live = LiveProvider;

    fn name(desired: &CredentialProviderSpec) -> &str {
        desired.name().as_str()
    }

    fn normalized(desired: &CredentialProviderSpec) -> CredentialProviderSpec {
        desired.clone()
    }
}

/// The noun of a kind in messages.
pub fn kind_noun(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Oauth2 => "OAuth2 credential provider",
        ProviderKind::ApiKey => "API-key credential provider",
    }
}

/// The API's calls for a kind: (create, update, delete, get).
pub fn calls(kind: ProviderKind) -> [&'static str; 4] {
    match kind {
        ProviderKind::Oauth2 => [
            "CreateOauth2CredentialProvider",
            "UpdateOauth2CredentialProvider",
            "DeleteOauth2CredentialProvider",
            "GetOauth2CredentialProvider",
        ],
        ProviderKind::ApiKey => [
            "CreateApiKeyCredentialProvider",
            "UpdateApiKeyCredentialProvider",
            "DeleteApiKeyCredentialProvider",
            "GetApiKeyCredentialProvider",
        ],
    }
}

/// The members of a vendor's configuration that a Get does not return: they are sent, never
/// compared (a change to one alone is not seen).
const WRITE_ONLY_CONFIG: &[&str] =
    &["clientSecret", "tenantId", "issuer", "authorizationEndpoint", "tokenEndpoint", "certificateConfigurations"];

/// What of a desired provider is compared with the live one, in the spec's shape.
pub fn desired_view(spec: &CredentialProviderSpec) -> Value {
    let mut value = serde_json::to_value(spec).unwrap_or(Value::Null);
    let key = spec.kind().key();
    if let Some(inner) = value.get_mut(key).and_then(Value::as_object_mut) {
        for own in ["tags", "secretVersion", "lifecycle"] {
            inner.remove(own);
        }
        match spec {
            CredentialProviderSpec::Oauth2(p) => {
                let config_key = p.oauth2_provider_config_input.key();
                if let Some(config) = inner
                    .get_mut("oauth2ProviderConfigInput")
                    .and_then(|c| c.get_mut(config_key))
                    .and_then(Value::as_object_mut)
                {
                    for member in WRITE_ONLY_CONFIG {
                        config.remove(*member);
                    }
                    normalize_secret(config, "clientSecretSource", "clientSecretConfig");
                    drop_empty(config, "clientId");
                }
            }
            CredentialProviderSpec::ApiKey(_) => {
                inner.remove("apiKey");
                normalize_secret(inner, "apiKeySecretSource", "apiKeySecretConfig");
            }
        }
    }
    value
}

/// What of a live provider is compared with the desired one, in the spec's shape (see
/// [`desired_view`]).
pub fn live_view(live: &LiveProvider) -> Value {
    let mut inner = Map::new();
    match live {
        LiveProvider::Oauth2(p) => {
            inner.insert("name".into(), Value::String(p.name.clone()));
            inner.insert("credentialProviderVendor".into(), serde_json::to_value(&p.vendor).unwrap_or(Value::Null));
            let output = serde_json::to_value(&p.config).unwrap_or(Value::Null);
            // The output's member is the input's (same vendor, same key).
            let (config_key, mut config) = match output {
                Value::Object(m) => m.into_iter().next().unwrap_or_else(|| (p.vendor.config_key().into(), Value::Null)),
                _ => (p.vendor.config_key().into(), Value::Null),
            };
            if let Some(config) = config.as_object_mut() {
                // The service discovers a named vendor's endpoints itself; only a custom
                // provider declares them.
                if config_key != "customOauth2ProviderConfig" {
                    config.remove("oauthDiscovery");
                }
                insert_secret(config, &p.client_secret, "clientSecretSource", "clientSecretConfig");
                drop_empty(config, "clientId");
            }
            let mut input = Map::new();
            input.insert(config_key, config);
            inner.insert("oauth2ProviderConfigInput".into(), Value::Object(input));
        }
        LiveProvider::ApiKey(p) => {
            inner.insert("name".into(), Value::String(p.name.clone()));
            insert_secret(&mut inner, &p.api_key_secret, "apiKeySecretSource", "apiKeySecretConfig");
        }
    }
    let mut out = Map::new();
    out.insert(live.kind().key().into(), Value::Object(inner));
    Value::Object(out)
}

/// A secret kept by the service (MANAGED, the default) shows as no source at all on both sides:
/// the service's own secret is no member of the spec, and its value is never read back.
fn normalize_secret(config: &mut Map<String, Value>, source: &str, reference: &str) {
    if config.get(source).and_then(Value::as_str) != Some("EXTERNAL") {
        config.remove(source);
        config.remove(reference);
    }
}

/// The live secret's location in the spec's members: a reference for EXTERNAL, nothing for a
/// secret the service keeps.
fn insert_secret(config: &mut Map<String, Value>, secret: &LiveSecret, source: &str, reference: &str) {
    if secret.source == Some(SecretSource::External) {
        config.insert(source.into(), Value::String("EXTERNAL".into()));
        let mut r = Map::new();
        r.insert("secretId".into(), Value::String(secret.secret_arn.clone()));
        if let Some(key) = &secret.json_key {
            r.insert("jsonKey".into(), Value::String(key.clone()));
        }
        config.insert(reference.into(), Value::Object(r));
    } else {
        config.remove(source);
        config.remove(reference);
    }
}

fn drop_empty(config: &mut Map<String, Value>, key: &str) {
    if config.get(key).and_then(Value::as_str).is_some_and(str::is_empty) {
        config.remove(key);
    }
}

/// True when a spec's `secretId` names the live secret `arn`: the same text, or the secret's
/// name where the service answers with its ARN (`arn:…:secret:NAME-AbCdEf`).
pub fn same_secret(declared: &str, arn: &str) -> bool {
    if declared == arn {
        return true;
    }
    if declared.starts_with("arn:") {
        return false;
    }
    let Some((_, resource)) = arn.split_once(":secret:") else { return false };
    resource == declared
        || resource
            .strip_prefix(declared)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|suffix| suffix.len() == 6 && suffix.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// `desired`'s view with each `secretId` that names the live one by name replaced by the live
/// ARN, so that a secret named either way compares equal.
pub fn reconcile_secret_ids(desired: &mut Value, live: &Value) {
    fn walk(d: &mut Value, l: &Value) {
        let (Value::Object(dm), Value::Object(lm)) = (d, l) else { return };
        for (k, dv) in dm.iter_mut() {
            let Some(lv) = lm.get(k) else { continue };
            if k != "secretId" {
                walk(dv, lv);
            } else if let (Some(ds), Some(ls)) = (dv.as_str(), lv.as_str()) {
                if same_secret(ds, ls) {
                    *dv = lv.clone();
                }
            }
        }
    }
    walk(desired, live);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_named_by_name_is_the_live_arn_with_the_service_suffix() {
        let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:github-oauth-AbC123";
        assert!(same_secret("github-oauth", arn));
        assert!(same_secret(arn, arn));
        assert!(!same_secret("github", arn));
        assert!(!same_secret("github-oauth-x", arn));
        assert!(!same_secret("arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbC123", arn));
    }
}

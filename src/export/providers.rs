//! Export of credential providers (issue 26): every live provider as a `credentialProviders:`
//! spec item, so that adopting acgw covers the providers the targets name.
//!
//! An item is the provider in the spec's shape ([`live_view`], the view plans compare), plus
//! what the view leaves out: the user's tags, acgw's own tags as the spec's own keys
//! (`acgw:prevent-destroy` as `lifecycle.preventDestroy`, `acgw:secret-version` as
//! `secretVersion`), and a `${ACGW_…}` placeholder where the service keeps a secret it never
//! returns. A secret passed by reference is exported as that reference. Every string comes from
//! the service and is data: it is written through [`crate::yaml_out`], with `${` escaped, and never
//! names a file (the file is always [`FILE`]).

use std::collections::BTreeMap;

use futures_util::stream::{self, StreamExt};
use serde_json::{Map, Value};

use super::{abbreviate, env_name, escape_interpolation};
use crate::api::ReadApi;
use crate::kind::credential_provider::live_view;
use crate::model::credential_provider::{
    ClientAuthenticationMethod, CredentialProviderSpec, LiveProvider, Oauth2ProviderConfigOutput, ProviderSummary,
    SecretSource, SECRET_VERSION_TAG,
};
use crate::model::decode::{Cx, Decode, Node};
use crate::model::{ACGW_TAG_PREFIX, OWNER_TAG, PREVENT_DESTROY_TAG};
use crate::normalize::is_service_tag;
use crate::observed::{LiveProviderState, ObserveError};
use crate::problem::Severity;

/// The file `export -o FILE` writes the providers to, in FILE's folder. Fixed: a provider's
/// name never becomes a path.
pub const FILE: &str = "credential-providers.yaml";

/// What reading the live providers found.
#[derive(Debug, Default)]
pub struct ReadProviders {
    /// Every provider that could be read, with all its tags, sorted by name.
    pub providers: Vec<LiveProviderState>,
    /// Why each of the others could not be read.
    pub failed: Vec<String>,
    /// Each List call that failed, with why: none of that kind was read (a role without the
    /// permission, an endpoint without the operations), as a gateway part that cannot be read
    /// is left out of an export with a warning.
    pub unlisted: Vec<String>,
}

/// Reads every live credential provider: both List calls, then Get and ListTagsForResource for
/// each, at most `parallelism` at a time. A List that fails leaves its kind out
/// ([`ReadProviders::unlisted`]); a provider that cannot be read, or whose name two live
/// providers share (one of each kind: a spec names a provider by name alone), is left out and
/// named in [`ReadProviders::failed`].
pub async fn read(api: &impl ReadApi, parallelism: usize) -> ReadProviders {
    let mut out = ReadProviders::default();
    let mut summaries: Vec<ProviderSummary> = Vec::new();
    let oauth2 = api.list_oauth2_providers().await;
    let api_key = api.list_api_key_providers().await;
    for (call, listed) in [("ListOauth2CredentialProviders", oauth2), ("ListApiKeyCredentialProviders", api_key)] {
        match listed {
            Ok(list) => summaries.extend(list),
            Err(error) => out.unlisted.push(ObserveError::ProviderList { call, error }.to_string()),
        }
    }
    let mut by_name: BTreeMap<String, Vec<ProviderSummary>> = BTreeMap::new();
    for s in summaries {
        by_name.entry(s.name.clone()).or_default().push(s);
    }
    let mut unique = Vec::with_capacity(by_name.len());
    for (name, mut group) in by_name {
        if group.len() == 1 {
            unique.append(&mut group);
        } else {
            let mut arns: Vec<String> = group.into_iter().map(|s| s.arn).collect();
            arns.sort();
            out.failed.push(format!(
                "credential provider {}: {} live providers have this name ({}); a spec names a provider by name alone, so none of them is exported",
                abbreviate(&name),
                arns.len(),
                arns.iter().map(|a| abbreviate(a)).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    let reads: Vec<Result<LiveProviderState, String>> =
        stream::iter(unique).map(|s| read_one(api, s)).buffer_unordered(parallelism.max(1)).collect().await;
    for read in reads {
        match read {
            Ok(state) => out.providers.push(state),
            Err(e) => out.failed.push(e),
        }
    }
    out.providers.sort_by(|a, b| a.live.name().cmp(b.live.name()));
    out.failed.sort();
    out
}

/// One provider's Get and tags.
async fn read_one(api: &impl ReadApi, summary: ProviderSummary) -> Result<LiveProviderState, String> {
    let call = crate::kind::credential_provider::calls(summary.kind)[3];
    let live = crate::api::get_provider(api, summary.kind, &summary.name).await;
    let live = live.map_err(|error| ObserveError::Provider { call, name: summary.name.clone(), error }.to_string())?;
    if live.name() != summary.name {
        return Err(format!(
            "{call} for credential provider {} answered for {}",
            abbreviate(&summary.name),
            abbreviate(live.name())
        ));
    }
    let tags = api.list_tags(live.arn()).await.map_err(|error| {
        ObserveError::Provider { call: "ListTagsForResource", name: summary.name.clone(), error }.to_string()
    })?;
    Ok(LiveProviderState { live, tags })
}

/// One live provider as a spec item.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The provider's name.
    pub name: String,
    /// The provider's ARN, which targets name it by.
    pub arn: String,
    /// The item (`{"oauth2": {...}}` or `{"apiKey": {...}}`), ready for [`crate::yaml_out`].
    pub value: Value,
    /// The variable its secret passed by value is written as (`${VAR}`), if it has one.
    pub variable: Option<String>,
    /// The value of its `acgw:owner` tag, which the item does not hold (see [`export`]).
    pub owner: Option<String>,
    /// What the item copies although a spec cannot hold it, and the placeholder to set.
    pub warnings: Vec<String>,
}

/// The provider `state` as a spec item (see the module's documentation).
pub fn item(state: &LiveProviderState) -> Item {
    let live = &state.live;
    let name = live.name().to_string();
    let key = live.kind().key();
    let shown = format!("credential provider {}", abbreviate(&name));
    let mut warnings = Vec::new();
    let mut value = live_view(live);
    // acgw tags a provider it gave a secret by value with that secret's version: then the
    // service keeps a secret even where the provider could do without one.
    let versioned = state.tags.contains_key(SECRET_VERSION_TAG);
    let secret = kept_secret(live, &value, versioned);
    let variable = secret.as_ref().map(|(part, _)| env_name(&[&name, part]));

    let mut tags = Map::new();
    let (mut owner, mut prevent_destroy, mut version) = (None, false, None);
    for (k, v) in &state.tags {
        match k.as_str() {
            k if is_service_tag(k) => {}
            OWNER_TAG => owner = Some(v.clone()),
            PREVENT_DESTROY_TAG if !v.trim().eq_ignore_ascii_case("false") => prevent_destroy = true,
            SECRET_VERSION_TAG if variable.is_some() => version = Some(v.clone()),
            k if k.starts_with(ACGW_TAG_PREFIX) => warnings.push(format!(
                "{shown}: its tag {} is acgw's own and has no spec key here, so it is left out (the next apply removes it)",
                abbreviate(k)
            )),
            _ => {
                tags.insert(k.clone(), Value::String(v.clone()));
            }
        }
    }
    if let Some(inner) = value.get_mut(key).and_then(Value::as_object_mut) {
        if !tags.is_empty() {
            inner.insert("tags".into(), Value::Object(tags));
        }
        if let Some(version) = version {
            inner.insert("secretVersion".into(), Value::String(version));
        }
    }
    if let (Some((_, path)), Some(var)) = (&secret, &variable) {
        set_path(&mut value, key, path, Value::String(format!("${{{var}}}")));
    }
    // The spec's own decoder puts the members in the spec's order and names what a spec could
    // not hold (with the messages `acgw validate` will print); an item it refuses is copied as
    // built.
    let mut problems = Vec::new();
    let decoded = CredentialProviderSpec::decode(&Node::from_json(&value), &mut Cx::new("", &mut problems));
    for p in problems.iter().filter(|p| p.severity == Severity::Error) {
        warnings.push(format!(
            "{shown}: {}: the live value is copied as it is, but a spec cannot hold it ({})",
            p.path, p.message
        ));
    }
    if let Some(canonical) = decoded.and_then(|spec| serde_json::to_value(&spec).ok()) {
        value = canonical;
    }
    escape_interpolation(&mut value);
    if let (Some((_, path)), Some(var)) = (&secret, &variable) {
        // After the escaping: this `${VAR}` is the one string meant to be interpolated.
        set_path(&mut value, key, path, Value::String(format!("${{{var}}}")));
        warnings.push(format!(
            "{shown}: {} is kept by the service, which never returns it, and was written as ${{{var}}}: set {var} before loading the export",
            path.join(".")
        ));
    }
    if prevent_destroy {
        if let Some(inner) = value.get_mut(key).and_then(Value::as_object_mut) {
            inner.insert("lifecycle".into(), serde_json::json!({ "preventDestroy": true }));
        }
    }
    Item { name, arn: live.arn().to_string(), value, variable, owner, warnings }
}

/// Where the service keeps the secret of `live` itself (MANAGED): the placeholder's name part
/// and the member's path inside the item. `None` for a secret by reference (EXTERNAL) and for a
/// custom provider that signs a JWT instead of sending a secret, unless `versioned` (its
/// `acgw:secret-version` tag says acgw sent it one, which its `secretVersion` then rotates).
fn kept_secret(live: &LiveProvider, view: &Value, versioned: bool) -> Option<(&'static str, Vec<String>)> {
    match live {
        LiveProvider::Oauth2(p) => {
            let secretless = !versioned
                && matches!(&p.config, Oauth2ProviderConfigOutput::CustomOauth2ProviderConfig(c)
                if matches!(c.client_authentication_method,
                    Some(ClientAuthenticationMethod::PrivateKeyJwt | ClientAuthenticationMethod::AwsIamIdTokenJwt)));
            if p.client_secret.source == Some(SecretSource::External) || secretless {
                return None;
            }
            let config_key = view
                .get("oauth2")
                .and_then(|v| v.get("oauth2ProviderConfigInput"))
                .and_then(Value::as_object)
                .and_then(|m| m.keys().next().cloned())
                .unwrap_or_else(|| p.vendor.config_key().to_string());
            Some(("client-secret", vec!["oauth2ProviderConfigInput".into(), config_key, "clientSecret".into()]))
        }
        LiveProvider::ApiKey(p) => {
            (p.api_key_secret.source != Some(SecretSource::External)).then(|| ("api-key", vec!["apiKey".to_string()]))
        }
    }
}

/// Sets `value[key][path…]`, making the maps on the way.
fn set_path(value: &mut Value, key: &str, path: &[String], to: Value) {
    let Some((last, on_the_way)) = path.split_last() else { return };
    let mut at = value.get_mut(key);
    for step in on_the_way {
        at = at
            .and_then(Value::as_object_mut)
            .map(|m| m.entry(step.clone()).or_insert_with(|| Value::Object(Map::new())));
    }
    if let Some(map) = at.and_then(Value::as_object_mut) {
        map.insert(last.clone(), to);
    }
}

/// Every provider read, as spec items.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProvidersExport {
    /// The items, sorted by name.
    pub items: Vec<Item>,
    /// Providers left out, with why (a placeholder two of them would share).
    pub skipped: Vec<(String, String)>,
    /// Every item's warnings, and one about `acgw:owner` tags the items do not hold.
    pub warnings: Vec<String>,
}

impl ProvidersExport {
    /// Exported provider ARN → name: what [`reference_providers`] replaces in targets.
    pub fn names(&self) -> BTreeMap<String, String> {
        self.items.iter().map(|i| (i.arn.clone(), i.name.clone())).collect()
    }

    /// The `${VAR}` placeholders to set before loading the export.
    pub fn variables(&self) -> Vec<&str> {
        self.items.iter().filter_map(|i| i.variable.as_deref()).collect()
    }

    /// The file [`FILE`] holds: a header and `credentialProviders:`.
    pub fn document(&self, source: &str) -> String {
        let count = self.items.len();
        format!(
            "# Exported by acgw {} from {source}: {count} credential provider{}.\n{}",
            env!("CARGO_PKG_VERSION"),
            if count == 1 { "" } else { "s" },
            self.section()
        )
    }

    /// `credentialProviders:` alone, to follow `gateways:` in one document.
    pub fn section(&self) -> String {
        let values: Vec<Value> = self.items.iter().map(|i| i.value.clone()).collect();
        format!(
            "# Secrets the service keeps are ${{ACGW_…}} placeholders: set them before loading.\n{}",
            crate::yaml_out::to_string(&serde_json::json!({ "credentialProviders": values }))
        )
    }
}

/// The providers `read` as spec items. The items never hold an `owner:`: it would apply to
/// every gateway loaded with them, and no owner is planned as no change (a live `acgw:owner`
/// counts only when an owner is declared), so a warning names the owners found instead.
pub fn export(providers: &[LiveProviderState]) -> ProvidersExport {
    let mut out = ProvidersExport::default();
    let mut taken: BTreeMap<String, String> = BTreeMap::new();
    let mut owners: BTreeMap<String, usize> = BTreeMap::new();
    for state in providers {
        let item = item(state);
        if let Some(var) = &item.variable {
            if let Some(first) = taken.get(var) {
                let error = format!(
                    "credential providers {} and {} would share the placeholder ${{{var}}}",
                    abbreviate(first),
                    abbreviate(&item.name)
                );
                out.skipped.push((item.name, error));
                continue;
            }
            taken.insert(var.clone(), item.name.clone());
        }
        if let Some(owner) = &item.owner {
            *owners.entry(owner.clone()).or_default() += 1;
        }
        out.warnings.extend(item.warnings.iter().cloned());
        out.items.push(item);
    }
    if !owners.is_empty() {
        let list: Vec<String> = owners.iter().map(|(o, n)| format!("{} ({n})", abbreviate(o))).collect();
        out.warnings.push(format!(
            "credential providers tagged acgw:owner ({}): the export declares no owner; set `owner:` in the specs (or --owner) to keep claiming them",
            list.join(", ")
        ));
    }
    out
}

/// Replaces, in one target's JSON, each literal `providerArn` under
/// `credentialProviderConfigurations` that is an exported provider's ARN (a key of `names`)
/// by the reference `{ credentialProvider: NAME }`; returns how many it replaced.
pub fn reference_providers(target: &mut Value, names: &BTreeMap<String, String>) -> usize {
    fn arns(value: &mut Value, names: &BTreeMap<String, String>) -> usize {
        match value {
            Value::Object(map) => map
                .iter_mut()
                .map(|(k, v)| match v.as_str().and_then(|arn| names.get(arn)) {
                    Some(name) if k == "providerArn" => {
                        *v = serde_json::json!({ "credentialProvider": name });
                        1
                    }
                    _ => arns(v, names),
                })
                .sum(),
            Value::Array(items) => items.iter_mut().map(|i| arns(i, names)).sum(),
            _ => 0,
        }
    }
    match target.get_mut("credentialProviderConfigurations") {
        Some(configurations) if !names.is_empty() => arns(configurations, names),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::credential_provider::ProviderKind;
    use crate::model::credential_provider::{LiveApiKeyProvider, LiveOauth2Provider, LiveSecret};
    use serde_json::json;

    const REGION_ACCOUNT: &str = "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default";

    fn decoded<T: Decode>(json: Value) -> T {
        let mut problems = Vec::new();
        T::decode(&Node::from_json(&json), &mut Cx::new("test", &mut problems))
            .unwrap_or_else(|| panic!("{problems:?}"))
    }

    fn oauth2(name: &str, vendor: &str, config: Value, secret: LiveSecret, tags: &[(&str, &str)]) -> LiveProviderState {
        LiveProviderState {
            live: LiveProvider::Oauth2(LiveOauth2Provider {
                name: name.into(),
                arn: format!("{REGION_ACCOUNT}/oauth2credentialprovider/{name}"),
                vendor: decoded(json!(vendor)),
                callback_url: Some("https://example.com/callback".into()),
                client_secret: secret,
                config: decoded(config),
                status: None,
                failure_reason: None,
            }),
            tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    fn api_key(name: &str, secret: LiveSecret, tags: &[(&str, &str)]) -> LiveProviderState {
        LiveProviderState {
            live: LiveProvider::ApiKey(LiveApiKeyProvider {
                name: name.into(),
                arn: format!("{REGION_ACCOUNT}/apikeycredentialprovider/{name}"),
                api_key_secret: secret,
            }),
            tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    fn managed() -> LiveSecret {
        LiveSecret {
            secret_arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:bedrock-agentcore-identity!x-AbC123"
                .into(),
            json_key: None,
            source: Some(SecretSource::Managed),
        }
    }

    fn external(id: &str, key: &str) -> LiveSecret {
        LiveSecret { secret_arn: id.into(), json_key: Some(key.into()), source: Some(SecretSource::External) }
    }

    const DISCOVERY: &str = "https://idp.example.com/.well-known/openid-configuration";

    #[test]
    fn a_managed_secret_is_a_placeholder_and_acgw_tags_become_spec_keys() {
        let state = oauth2(
            "github",
            "GithubOauth2",
            json!({"githubOauth2ProviderConfig": {"oauthDiscovery": {"discoveryUrl": DISCOVERY}, "clientId": "Iv1.abc"}}),
            managed(),
            &[
                ("team", "tools"),
                ("aws:cloudformation:stack-name", "s"),
                ("acgw:owner", "ci"),
                ("acgw:prevent-destroy", "true"),
                ("acgw:secret-version", "3"),
            ],
        );
        let item = item(&state);
        assert_eq!(
            item.value,
            json!({"oauth2": {
                "name": "github",
                "credentialProviderVendor": "GithubOauth2",
                "oauth2ProviderConfigInput": {"githubOauth2ProviderConfig": {
                    "clientId": "Iv1.abc", "clientSecret": "${ACGW_GITHUB__CLIENT_SECRET}"}},
                "tags": {"team": "tools"},
                "secretVersion": "3",
                "lifecycle": {"preventDestroy": true},
            }})
        );
        let keys: Vec<&String> = item.value["oauth2"].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["name", "credentialProviderVendor", "oauth2ProviderConfigInput", "tags", "secretVersion", "lifecycle"]
        );
        assert_eq!(item.variable.as_deref(), Some("ACGW_GITHUB__CLIENT_SECRET"));
        assert_eq!(item.owner.as_deref(), Some("ci"));
        assert_eq!(item.warnings.len(), 1, "{:?}", item.warnings);
        assert!(item.warnings[0].contains("set ACGW_GITHUB__CLIENT_SECRET"), "{:?}", item.warnings);
        assert!(
            !item.value.to_string().contains("bedrock-agentcore-identity"),
            "the service's own secret is no member"
        );
    }

    #[test]
    fn an_external_secret_is_its_reference_and_a_custom_provider_keeps_its_discovery() {
        let secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:okta-AbC123";
        let state = oauth2(
            "okta",
            "CustomOauth2",
            json!({"customOauth2ProviderConfig": {"oauthDiscovery": {"discoveryUrl": DISCOVERY}, "clientId": "c",
                "clientAuthenticationMethod": "CLIENT_SECRET_POST"}}),
            external(secret, "client_secret"),
            // A secret-version tag beside a reference would not validate: left out.
            &[("acgw:secret-version", "2"), ("acgw:prevent-destroy", "false")],
        );
        let item = item(&state);
        assert_eq!(
            item.value,
            json!({"oauth2": {
                "name": "okta",
                "credentialProviderVendor": "CustomOauth2",
                "oauth2ProviderConfigInput": {"customOauth2ProviderConfig": {
                    "oauthDiscovery": {"discoveryUrl": DISCOVERY}, "clientId": "c",
                    "clientSecretConfig": {"secretId": secret, "jsonKey": "client_secret"},
                    "clientSecretSource": "EXTERNAL",
                    "clientAuthenticationMethod": "CLIENT_SECRET_POST"}},
            }})
        );
        assert_eq!(item.variable, None);
        assert_eq!(item.warnings.len(), 2, "{:?}", item.warnings);
        assert!(
            item.warnings.iter().all(|w| w.contains("left out (the next apply removes it)")),
            "{:?}",
            item.warnings
        );

        // A custom provider that signs a JWT has no secret at all: no placeholder.
        let jwt = oauth2(
            "signed",
            "CustomOauth2",
            json!({"customOauth2ProviderConfig": {"oauthDiscovery": {"discoveryUrl": DISCOVERY},
                "clientAuthenticationMethod": "AWS_IAM_ID_TOKEN_JWT"}}),
            managed(),
            &[],
        );
        assert_eq!(super::item(&jwt).variable, None);
        // Unless acgw gave it one by value: its secret-version tag says so, and the export keeps
        // both, or a plan against it would remove the tag (and the secret's rotation).
        let given = oauth2(
            "signed",
            "CustomOauth2",
            json!({"customOauth2ProviderConfig": {"oauthDiscovery": {"discoveryUrl": DISCOVERY},
                "clientAuthenticationMethod": "PRIVATE_KEY_JWT"}}),
            managed(),
            &[("acgw:secret-version", "7")],
        );
        let given = super::item(&given);
        assert_eq!(given.variable.as_deref(), Some("ACGW_SIGNED__CLIENT_SECRET"));
        let config = &given.value["oauth2"]["oauth2ProviderConfigInput"]["customOauth2ProviderConfig"];
        assert_eq!(config["clientSecret"], "${ACGW_SIGNED__CLIENT_SECRET}");
        assert_eq!(given.value["oauth2"]["secretVersion"], "7");
    }

    #[test]
    fn api_keys_both_ways_and_every_item_decodes_as_a_spec() {
        let by_value = item(&api_key("Weather_API", managed(), &[("acgw:secret-version", "v1")]));
        let var = by_value.variable.clone().expect("a placeholder");
        assert!(var.starts_with("ACGW_WEATHER_API__API_KEY___"), "not plain, so hashed: {var}");
        assert_eq!(by_value.value["apiKey"]["apiKey"], json!(format!("${{{var}}}")));
        assert_eq!(by_value.value["apiKey"]["secretVersion"], "v1");
        let by_ref = item(&api_key("maps", external("maps-key", "k"), &[("team", "maps")]));
        assert_eq!(
            by_ref.value,
            json!({"apiKey": {"name": "maps", "apiKeySecretConfig": {"secretId": "maps-key", "jsonKey": "k"},
                "apiKeySecretSource": "EXTERNAL", "tags": {"team": "maps"}}})
        );
        // A live `${` is literal: escaped, so that loading does not interpolate it.
        let dollar = item(&oauth2(
            "slack",
            "SlackOauth2",
            json!({"slackOauth2ProviderConfig": {"oauthDiscovery": {"discoveryUrl": DISCOVERY}, "clientId": "a${HOME}"}}),
            managed(),
            &[],
        ));
        let config = &dollar.value["oauth2"]["oauth2ProviderConfigInput"]["slackOauth2ProviderConfig"];
        assert_eq!(config["clientId"], "a$${HOME}");
        assert_eq!(config["clientSecret"], "${ACGW_SLACK__CLIENT_SECRET}", "the placeholder is not escaped");
        for item in [by_value, by_ref, dollar] {
            let mut problems = Vec::new();
            let env = |_: &str| Some("set".to_string());
            let spec = CredentialProviderSpec::decode(
                &Node::from_json(&item.value),
                &mut Cx::new("export", &mut problems).with_env(&env),
            );
            assert!(spec.is_some() && problems.is_empty(), "{problems:?} {}", item.value);
        }
    }

    #[test]
    fn a_value_a_spec_cannot_hold_is_copied_with_a_warning() {
        let mut odd = api_key("maps", external("maps-key", "k"), &[("acgw:unknown", "x")]);
        if let LiveProvider::ApiKey(p) = &mut odd.live {
            p.api_key_secret.json_key = None;
        }
        let item = item(&odd);
        assert_eq!(item.value["apiKey"]["apiKeySecretConfig"], json!({"secretId": "maps-key"}));
        assert_eq!(item.warnings.len(), 2, "{:?}", item.warnings);
        assert!(item.warnings[0].contains("acgw:unknown"), "{:?}", item.warnings);
        assert!(
            item.warnings[1].contains("jsonKey") && item.warnings[1].contains("copied as it is"),
            "{:?}",
            item.warnings
        );
    }

    #[test]
    fn a_hostile_name_is_data_in_the_yaml_and_the_placeholder() {
        let name = "../x\n${HOME}: y #\u{1b}[31m";
        let out = export(&[api_key(name, managed(), &[("k", "v: w")])]);
        let var = out.variables()[0].to_string();
        assert!(
            var.starts_with("ACGW_") && var.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
            "{var}"
        );
        let doc = out.document("test");
        let back: Value = serde_yaml::from_str(&doc).unwrap_or_else(|e| panic!("{e}: {doc}"));
        let item = &back["credentialProviders"][0]["apiKey"];
        assert_eq!(item["name"], "../x\n$${HOME}: y #\u{1b}[31m", "escaped, not interpolated: {doc}");
        assert_eq!(item["apiKey"], json!(format!("${{{var}}}")));
        assert_eq!(item["tags"], json!({"k": "v: w"}));
        assert!(
            out.warnings.iter().any(|w| w.contains("copied as it is")),
            "the name a spec cannot hold is named: {:?}",
            out.warnings
        );
    }

    #[test]
    fn export_sorts_names_the_owners_and_maps_arns_to_names() {
        let states = [
            api_key("maps", managed(), &[("acgw:owner", "ci")]),
            api_key("weather", managed(), &[("acgw:owner", "ci")]),
        ];
        let out = export(&states);
        assert_eq!(out.items.len(), 2);
        assert_eq!(out.variables(), ["ACGW_MAPS__API_KEY", "ACGW_WEATHER__API_KEY"]);
        assert!(out.warnings.last().is_some_and(|w| w.contains("acgw:owner (ci (2))")), "{:?}", out.warnings);
        let names = out.names();
        assert_eq!(names[&format!("{REGION_ACCOUNT}/apikeycredentialprovider/maps")], "maps");
        let doc = out.document("test");
        assert!(doc.starts_with("# Exported by acgw"), "{doc}");
        let back: Value = serde_yaml::from_str(&doc).expect("YAML");
        assert_eq!(back["credentialProviders"][1]["apiKey"]["apiKey"], "${ACGW_WEATHER__API_KEY}");
    }

    #[test]
    fn a_literal_provider_arn_of_an_exported_provider_becomes_a_reference() {
        let arn = format!("{REGION_ACCOUNT}/oauth2credentialprovider/github");
        let other = format!("{REGION_ACCOUNT}/oauth2credentialprovider/elsewhere");
        let names = BTreeMap::from([(arn.clone(), "github".to_string())]);
        let mut target = json!({
            "name": "t",
            "description": arn,
            "credentialProviderConfigurations": [
                {"credentialProviderType": "OAUTH", "credentialProvider": {"oauthCredentialProvider": {"providerArn": arn, "scopes": ["r"]}}},
                {"credentialProviderType": "OAUTH", "credentialProvider": {"oauthCredentialProvider": {"providerArn": other}}},
            ],
        });
        assert_eq!(reference_providers(&mut target, &names), 1);
        let configs = &target["credentialProviderConfigurations"];
        assert_eq!(
            configs[0]["credentialProvider"]["oauthCredentialProvider"]["providerArn"],
            json!({"credentialProvider": "github"})
        );
        assert_eq!(configs[0]["credentialProvider"]["oauthCredentialProvider"]["scopes"], json!(["r"]));
        assert_eq!(configs[1]["credentialProvider"]["oauthCredentialProvider"]["providerArn"], json!(other));
        assert_eq!(target["description"], json!(arn), "only a providerArn is a reference");
    }

    /// Only the provider calls answer; a gateway call is never made by [`read`].
    struct Fake {
        oauth2_listed: bool,
        providers: Vec<LiveProviderState>,
        /// Listed besides `providers`, by kind and name: `broken` cannot be read, `liar` answers
        /// for another provider.
        extra: Vec<(ProviderKind, &'static str)>,
        /// Get calls in flight now, and the most there ever were.
        in_flight: std::sync::atomic::AtomicUsize,
        most: std::sync::atomic::AtomicUsize,
    }

    type ApiResult<T> = Result<T, crate::api::ApiError>;

    impl Fake {
        fn summaries(&self, kind: ProviderKind) -> Vec<ProviderSummary> {
            let live = self.providers.iter().filter(|p| p.live.kind() == kind).map(|p| (p.live.name(), p.live.arn()));
            let extra = self.extra.iter().filter(|(k, _)| *k == kind).map(|(_, n)| (*n, "arn:extra"));
            live.chain(extra)
                .map(|(name, arn)| ProviderSummary { kind, name: name.into(), arn: arn.into(), vendor: None })
                .collect()
        }

        async fn found(&self, kind: ProviderKind, name: &str) -> ApiResult<LiveProvider> {
            use std::sync::atomic::Ordering::SeqCst;
            let now = self.in_flight.fetch_add(1, SeqCst) + 1;
            self.most.fetch_max(now, SeqCst);
            tokio::task::yield_now().await;
            self.in_flight.fetch_sub(1, SeqCst);
            match name {
                "broken" => Err(crate::api::ApiError::AccessDenied("no provider for you".into())),
                "liar" => Ok(self.providers[0].live.clone()),
                _ => self
                    .providers
                    .iter()
                    .find(|p| p.live.kind() == kind && p.live.name() == name)
                    .map(|p| p.live.clone())
                    .ok_or_else(|| crate::api::ApiError::NotFound(name.into())),
            }
        }
    }

    fn gateway_call<T>() -> ApiResult<T> {
        Err(crate::api::ApiError::AccessDenied("export reads no gateway here".into()))
    }

    impl ReadApi for Fake {
        async fn list_gateways(&self) -> ApiResult<Vec<crate::model::live::GatewaySummary>> {
            gateway_call()
        }
        async fn get_gateway(&self, _: &str) -> ApiResult<crate::model::live::LiveGateway> {
            gateway_call()
        }
        async fn list_tags(&self, arn: &str) -> ApiResult<crate::model::live::TagMap> {
            match self.providers.iter().find(|p| p.live.arn() == arn) {
                Some(p) if p.live.name() == "tagless" => Err(crate::api::ApiError::AccessDenied("no tags".into())),
                Some(p) => Ok(p.tags.clone()),
                None => Err(crate::api::ApiError::NotFound(arn.into())),
            }
        }
        async fn list_targets(&self, _: &str) -> ApiResult<Vec<crate::model::live::TargetSummary>> {
            gateway_call()
        }
        async fn get_target(&self, _: &str, _: &str) -> ApiResult<crate::model::live::LiveTarget> {
            gateway_call()
        }
        async fn get_resource_policy(&self, _: &str) -> ApiResult<Option<crate::model::policy::ResourcePolicy>> {
            gateway_call()
        }
        async fn list_rate_limits(&self, _: &str) -> ApiResult<Vec<crate::model::live::LiveRateLimit>> {
            gateway_call()
        }
        async fn get_rate_limit(&self, _: &str, _: &str) -> ApiResult<crate::model::live::LiveRateLimit> {
            gateway_call()
        }
        async fn list_rules(&self, _: &str) -> ApiResult<Vec<crate::model::live::LiveRule>> {
            gateway_call()
        }
        async fn get_rule(&self, _: &str, _: &str) -> ApiResult<crate::model::live::LiveRule> {
            gateway_call()
        }
        async fn list_oauth2_providers(&self) -> ApiResult<Vec<ProviderSummary>> {
            if self.oauth2_listed {
                Ok(self.summaries(ProviderKind::Oauth2))
            } else {
                Err(crate::api::ApiError::AccessDenied("not allowed to list".into()))
            }
        }
        async fn list_api_key_providers(&self) -> ApiResult<Vec<ProviderSummary>> {
            Ok(self.summaries(ProviderKind::ApiKey))
        }
        async fn get_oauth2_provider(&self, name: &str) -> ApiResult<LiveOauth2Provider> {
            match self.found(ProviderKind::Oauth2, name).await? {
                LiveProvider::Oauth2(p) => Ok(p),
                LiveProvider::ApiKey(_) => Err(crate::api::ApiError::NotFound(name.into())),
            }
        }
        async fn get_api_key_provider(&self, name: &str) -> ApiResult<LiveApiKeyProvider> {
            match self.found(ProviderKind::ApiKey, name).await? {
                LiveProvider::ApiKey(p) => Ok(p),
                LiveProvider::Oauth2(_) => Err(crate::api::ApiError::NotFound(name.into())),
            }
        }
    }

    fn fake(oauth2_listed: bool) -> Fake {
        let github =
            json!({"githubOauth2ProviderConfig": {"oauthDiscovery": {"discoveryUrl": DISCOVERY}, "clientId": "c"}});
        Fake {
            oauth2_listed,
            providers: vec![
                oauth2("github", "GithubOauth2", github.clone(), managed(), &[("team", "t")]),
                api_key("weather", managed(), &[]),
                api_key("maps", managed(), &[]),
                api_key("tagless", managed(), &[]),
                oauth2("dup", "GithubOauth2", github, managed(), &[]),
                api_key("dup", managed(), &[]),
            ],
            extra: vec![(ProviderKind::ApiKey, "broken"), (ProviderKind::Oauth2, "liar")],
            in_flight: Default::default(),
            most: Default::default(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_provider_that_can_be_read_is_read_and_each_other_is_named() {
        let api = fake(true);
        let got = read(&api, 2).await;
        let names: Vec<&str> = got.providers.iter().map(|p| p.live.name()).collect();
        assert_eq!(names, ["github", "maps", "weather"]);
        assert_eq!(got.providers[0].tags.get("team").map(String::as_str), Some("t"));
        assert!(got.unlisted.is_empty(), "{:?}", got.unlisted);
        let failed = got.failed.join("\n");
        assert_eq!(got.failed.len(), 4, "{failed}");
        for expected in [
            "GetApiKeyCredentialProvider for credential provider broken failed: access denied",
            "GetOauth2CredentialProvider for credential provider liar answered for github",
            "credential provider dup: 2 live providers have this name",
            "ListTagsForResource for credential provider tagless failed: access denied",
        ] {
            assert!(failed.contains(expected), "{expected} in:\n{failed}");
        }
        let most = api.most.load(std::sync::atomic::Ordering::SeqCst);
        assert!((1..=2).contains(&most), "at most --parallelism reads at once: {most}");

        // A List that fails leaves its kind out (and `dup` is then one provider).
        let api = fake(false);
        let got = read(&api, 1).await;
        assert_eq!(got.unlisted.len(), 1, "{:?}", got.unlisted);
        assert!(
            got.unlisted[0].starts_with("ListOauth2CredentialProviders failed: access denied"),
            "{:?}",
            got.unlisted
        );
        let names: Vec<&str> = got.providers.iter().map(|p| p.live.name()).collect();
        assert_eq!(names, ["dup", "maps", "weather"]);
    }
}

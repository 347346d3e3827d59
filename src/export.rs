//! Export: live gateways as spec YAML, so adopting acgw starts from what already runs.
//!
//! The output is normalized (server defaults and empty values left out, sets sorted), keeps
//! the spec's canonical key order so a later export diffs cleanly in git, leaves out
//! output-only fields (they are not part of [`Gateway`]) and `aws:` tags, and escapes `${` so
//! that loading it back does not interpolate.

use serde_json::Value;

pub mod providers;

use crate::model::decode::{Cx, Decode, Node};
use crate::model::{Gateway, ACGW_TAG_PREFIX, OWNER_TAG, PREVENT_DESTROY_TAG};
use crate::normalize;
use crate::observed::Observed;
use crate::plan::FailedGateway;
use crate::problem::Severity;

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot encode a gateway: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
}

/// What an export produced: the YAML, and what it had to leave out or could only copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// One YAML document with every gateway that could be read.
    pub yaml: String,
    /// How many gateways the YAML holds.
    pub count: usize,
    /// Gateways that could not be read or represented, and so are not in the YAML.
    pub skipped: Vec<FailedGateway>,
    /// Live values the YAML copies verbatim although specs cannot hold them (an enum value this
    /// build does not know, a string outside the model's pattern): `acgw validate` will name them.
    /// Also every sensitive value written as a `${VAR}` placeholder.
    pub warnings: Vec<String>,
    /// Schema files the YAML references with `file:` (paths relative to the YAML), when asked
    /// for with [`Options::split_payloads`].
    pub files: Vec<(String, String)>,
}

/// Says whether a schema file (its path relative to the YAML) may be written, or why not.
pub type CheckFile<'a> = &'a dyn Fn(&str) -> Result<(), String>;

/// How to export.
#[derive(Clone, Copy, Default)]
pub struct Options<'a> {
    /// Write inline payloads of more than [`SPLIT_LINES`] lines to `schemas/<gateway>/<target>.<ext>`
    /// (each name made safe by [`file_slug`]) and reference them with `file:` (for `export -o FILE`).
    pub split_payloads: bool,
    /// Asked about every schema file path (relative to the YAML) before the YAML names it: an
    /// error leaves that gateway out of the export, with the error as the reason. `None` accepts all.
    pub check_file: Option<CheckFile<'a>>,
    /// Exported credential providers by ARN: a target's `providerArn` that is one of them is
    /// written as `{ credentialProvider: NAME }` (see [`providers::reference_providers`]).
    pub provider_names: Option<&'a std::collections::BTreeMap<String, String>>,
}

impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("split_payloads", &self.split_payloads)
            .field("check_file", &self.check_file.is_some())
            .field("provider_names", &self.provider_names.map(|n| n.len()))
            .finish()
    }
}

/// Inline payloads longer than this many lines go to their own file with `export -o`.
pub const SPLIT_LINES: usize = 20;

/// The specs for every readable gateway in `observed.managed`, as one YAML document; the ones
/// in `observed.failed`, and those this build cannot represent, are listed in
/// [`Export::skipped`].
pub fn to_yaml(observed: &Observed, source: &str) -> Result<Export, ExportError> {
    to_yaml_with(observed, source, Options::default())
}

/// [`to_yaml`] with options.
pub fn to_yaml_with(observed: &Observed, source: &str, options: Options<'_>) -> Result<Export, ExportError> {
    let mut files = Vec::new();
    // Every placeholder so far and whose value it stands for, to refuse a shared name.
    let mut secrets: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    let mut gateways = Vec::with_capacity(observed.managed.len());
    let mut skipped: Vec<FailedGateway> =
        observed.failed.iter().map(|(name, e)| FailedGateway::from_observe(name, e)).collect();
    let mut warnings = Vec::new();
    let mut owners: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (name, state) in &observed.managed {
        let config = match &state.live.config {
            Ok(config) => config,
            Err(unreadable) => {
                skipped.push(FailedGateway {
                    name: name.clone(),
                    gateway_id: Some(state.live.gateway_id.clone()),
                    error: format!("GetGateway answered {unreadable}"),
                });
                continue;
            }
        };
        // What this gateway adds, undone if one of its files is refused.
        let warnings_before = warnings.len();
        let mut own_files = Vec::new();
        let mut own_secrets = Vec::new();
        let mut config = normalize::gateway(config.clone());
        config.tags = None;
        let mut value = serde_json::to_value(&config)?;
        let mut tags = normalize::tag_map(&state.tags);
        // acgw's own tags are no spec tags (the loader refuses them): protection is the spec's
        // `lifecycle`, and an owner is left to `owner:`/--owner, which without one plans no change.
        let own: Vec<(String, String)> =
            tags.iter().filter(|(k, _)| k.starts_with(ACGW_TAG_PREFIX)).map(|(k, v)| (k.clone(), v.clone())).collect();
        tags.retain(|k, _| !k.starts_with(ACGW_TAG_PREFIX));
        let mut prevent_destroy = false;
        for (key, v) in own {
            match key.as_str() {
                OWNER_TAG => *owners.entry(v).or_default() += 1,
                PREVENT_DESTROY_TAG if !v.trim().eq_ignore_ascii_case("false") => prevent_destroy = true,
                _ => warnings.push(format!(
                    "gateway {}: its tag {} is acgw's own and has no spec key here, so it is left out (the next apply removes it)",
                    abbreviate(name),
                    abbreviate(&key)
                )),
            }
        }
        if let (Value::Object(map), false) = (&mut value, tags.is_empty()) {
            map.insert("tags".into(), serde_json::to_value(&tags)?);
        }
        warnings.extend(outside_the_model(name, &value));
        escape_interpolation(&mut value);
        if let Some(targets) = &state.targets {
            let region = normalize::arn_region(&state.live.gateway_arn);
            let mut list = Vec::with_capacity(targets.len());
            for (i, t) in targets.iter().enumerate() {
                // observe fails a gateway with an unreadable target, so every config is Ok here.
                let Ok(config) = &t.config else { continue };
                let mut tv = serde_json::to_value(normalize::target(config.clone(), region))?;
                warnings.extend(target_outside_the_model(name, i, &tv));
                if options.split_payloads {
                    let before = own_files.len();
                    split_payloads(name, &t.name, &mut tv, &files, &mut own_files)?;
                    if file_slug(name) != *name || file_slug(&t.name) != t.name {
                        for (path, _) in &own_files[before..] {
                            warnings.push(format!(
                                "gateway {}: target {}: the names are not safe file names, so the schema is written to {path}",
                                abbreviate(name),
                                abbreviate(&t.name)
                            ));
                        }
                    }
                }
                if let Some(names) = options.provider_names {
                    providers::reference_providers(&mut tv, names);
                }
                escape_interpolation(&mut tv);
                placeholders(name, &t.name, &mut tv, &mut own_secrets);
                list.push(tv);
            }
            let refused = options.check_file.and_then(|check| own_files.iter().find_map(|(p, _)| check(p).err()));
            if let Some(error) = refused {
                warnings.truncate(warnings_before);
                skipped.push(FailedGateway {
                    name: name.clone(),
                    gateway_id: Some(state.live.gateway_id.clone()),
                    error: format!("its schema file was not written: {error}"),
                });
                continue;
            }
            if let Value::Object(map) = &mut value {
                map.insert("targets".into(), Value::Array(list));
            }
        }
        if let (Some(limits), Value::Object(map)) = (&state.rate_limits, &mut value) {
            // observe fails a gateway with an unreadable rate limit, so every config is Ok here.
            let mut list = Vec::with_capacity(limits.len());
            for r in limits.iter().filter_map(|r| r.config.as_ref().ok()) {
                let mut rv = serde_json::to_value(normalize::rate_limit(r.clone()))?;
                escape_interpolation(&mut rv);
                list.push(rv);
            }
            map.insert("rateLimits".into(), Value::Array(list));
        }
        if let (Some(rules), Value::Object(map)) = (&state.rules, &mut value) {
            // User rules only: system-managed ones are the service's, never declared.
            let mut list = Vec::with_capacity(rules.len());
            for r in rules.iter().filter(|r| r.system_managed_by.is_none()).filter_map(|r| r.config.as_ref().ok()) {
                let mut rv = normalize::rule(r);
                escape_interpolation(&mut rv);
                list.push(rv);
            }
            map.insert("rules".into(), Value::Array(list));
        }
        if let (Some(Some(policy)), Value::Object(map)) = (&state.resource_policy, &mut value) {
            let mut doc = policy.document().clone();
            escape_interpolation(&mut doc);
            map.insert("resourcePolicy".into(), doc);
        }
        if let (true, Value::Object(map)) = (prevent_destroy, &mut value) {
            map.insert("lifecycle".into(), serde_json::json!({ "preventDestroy": true }));
        }
        // Two values behind one placeholder would load as one: leave the gateway out instead.
        let mut clash = None;
        for (i, (var, origin, _)) in own_secrets.iter().enumerate() {
            let earlier = own_secrets[..i].iter().find(|(v, _, _)| v == var).map(|(_, o, _)| o);
            if let Some(first) = secrets.get(var).or(earlier) {
                clash = Some(format!("{first} and {origin} would share the placeholder ${{{var}}}"));
                break;
            }
        }
        if let Some(error) = clash {
            warnings.truncate(warnings_before);
            skipped.push(FailedGateway { name: name.clone(), gateway_id: Some(state.live.gateway_id.clone()), error });
            continue;
        }
        for (var, origin, warning) in own_secrets {
            secrets.insert(var, origin);
            warnings.push(warning);
        }
        files.append(&mut own_files);
        gateways.push(value);
    }
    if !owners.is_empty() {
        let list: Vec<String> = owners.iter().map(|(o, n)| format!("{} ({n})", abbreviate(o))).collect();
        warnings.push(format!(
            "gateways tagged acgw:owner ({}): the export declares no owner; set `owner:` in the specs (or --owner) to keep claiming them",
            list.join(", ")
        ));
    }
    skipped.sort();
    let count = gateways.len();
    let body = crate::yaml_out::to_string(&serde_json::json!({ "gateways": gateways }));
    let yaml = format!(
        "# Exported by acgw {} from {source}: {count} gateway{}.\n# Output-only fields (IDs, ARNs, status, timestamps) and aws: tags are left out.\n{body}",
        env!("CARGO_PKG_VERSION"),
        if count == 1 { "" } else { "s" }
    );
    Ok(Export { yaml, count, skipped, warnings, files })
}

/// The payload unions whose `inlinePayload` may move to a file, and the file's extension when
/// the payload is not JSON.
const PAYLOADS: &[(&str, &str)] = &[
    ("openApiSchema", "yaml"),
    ("smithyModel", "json"),
    ("mcpToolSchema", "json"),
    ("toolSchema", "yaml"),
    ("source", "yaml"),
];

/// Moves long inline payloads under `value` (one target) to `files` (paths unlike any in
/// `taken`), leaving `{file: PATH}`.
fn split_payloads(
    gateway: &str,
    target: &str,
    value: &mut Value,
    taken: &[(String, String)],
    files: &mut Vec<(String, String)>,
) -> Result<(), ExportError> {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let payload = PAYLOADS.iter().find(|(k, _)| k == key).map(|(_, ext)| *ext);
                let inline = v.get("inlinePayload").cloned();
                match (payload, inline) {
                    (Some(ext), Some(Value::String(text))) if text.lines().count() > SPLIT_LINES => {
                        let ext = if text.trim_start().starts_with('{') { "json" } else { ext };
                        let path = unique_path(taken, files, gateway, target, ext);
                        files.push((path.clone(), text));
                        *v = serde_json::json!({ "file": path });
                    }
                    (Some(_), Some(list @ Value::Array(_))) => {
                        let text = crate::yaml_out::to_string(&list);
                        if text.lines().count() > SPLIT_LINES {
                            let path = unique_path(taken, files, gateway, target, "yaml");
                            files.push((path.clone(), text));
                            *v = serde_json::json!({ "file": path });
                        }
                    }
                    _ => split_payloads(gateway, target, v, taken, files)?,
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                split_payloads(gateway, target, item, taken, files)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// `schemas/<gateway>/<target>.<ext>` from the names' [`file_slug`]s, numbered past every path
/// already in `taken` or `files`: two names whose slugs meet never share a file.
fn unique_path(
    taken: &[(String, String)],
    files: &[(String, String)],
    gateway: &str,
    target: &str,
    ext: &str,
) -> String {
    let base = format!("schemas/{}/{}", file_slug(gateway), file_slug(target));
    let mut path = format!("{base}.{ext}");
    let mut n = 2;
    while taken.iter().chain(files).any(|(p, _)| *p == path) {
        path = format!("{base}-{n}.{ext}");
        n += 1;
    }
    path
}

/// The longest name [`file_slug`] keeps as it is.
const SLUG_MAX: usize = 64;
/// How much of a name a changed slug keeps before its hash.
const SLUG_KEEP: usize = 48;

/// A file or folder name for a live gateway or target name, which is data, never a path: the
/// name itself when it is 1 to 64 of `[a-z0-9-]` not starting with `-`; otherwise its letters
/// and digits in lower case (other runs as one `-`, at most 48) and `-` plus 8 hex digits of
/// the name's SHA-256, so that names the cleaning makes alike still differ. Never empty, never
/// `.` or `..`, never a separator, at most 64 bytes; lower case only, so that case-insensitive
/// file systems cannot merge two of them.
pub fn file_slug(name: &str) -> String {
    let plain = (1..=SLUG_MAX).contains(&name.len())
        && !name.starts_with('-')
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if plain {
        return name.to_string();
    }
    let mut slug = String::new();
    for c in name.chars() {
        if slug.len() >= SLUG_KEEP {
            break;
        }
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let hash = short_hash(&[name]).to_ascii_lowercase();
    match slug.trim_end_matches('-') {
        "" => hash,
        kept => format!("{kept}-{hash}"),
    }
}

/// 8 hex digits (upper case) of the SHA-256 of `parts`, each length-prefixed so that no two
/// lists of parts hash the same input.
fn short_hash(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize()[..4].iter().map(|b| format!("{b:02X}")).collect()
}

/// A live name for a message: whole up to 100 characters, else its start and its length.
fn abbreviate(name: &str) -> String {
    let count = name.chars().count();
    if count <= 100 {
        name.to_string()
    } else {
        format!("{}… ({count} characters)", name.chars().take(40).collect::<String>())
    }
}

/// Sensitive values (OAuth `customParameters`, passthrough `staticQueryParameters`: see
/// [`crate::kind::target::SENSITIVE_MAPS`]) become `${VAR}` placeholders; `found` gets each
/// one's variable, what it stands for, and the warning that names it.
fn placeholders(gateway: &str, target: &str, value: &mut Value, found: &mut Vec<(String, String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if crate::kind::target::SENSITIVE_MAPS.contains(&key.as_str()) {
                    if let Value::Object(params) = v {
                        for (param, secret) in params.iter_mut() {
                            let var = env_name(&[gateway, target, param]);
                            *secret = Value::String(format!("${{{var}}}"));
                            let origin = format!(
                                "gateway {}: target {}: {key}.{}",
                                abbreviate(gateway),
                                abbreviate(target),
                                abbreviate(param)
                            );
                            let warning = format!(
                                "{origin} is sensitive and was written as ${{{var}}}: set {var} before loading the export"
                            );
                            found.push((var, origin, warning));
                        }
                    }
                } else {
                    placeholders(gateway, target, v, found);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| placeholders(gateway, target, i, found)),
        _ => {}
    }
}

/// The longest part of a placeholder name taken from one live name.
const ENV_PART_MAX: usize = 64;

/// `ACGW_<GATEWAY>__<TARGET>__<PARAM>`: each part in upper case with `-` as `_`, parts joined by
/// `__`. That is one-to-one while every part is 1 to 64 lower-case letters and digits in runs
/// joined by single `-` (no part then holds `__` or starts or ends with `_`). Any other part
/// (upper case, other characters, too long) is cleaned the same way, lossily, and the name gets
/// `___` and a hash of the exact parts: plain names never hold `___`, so the two kinds never
/// meet, and hashed ones differ unless the hash does (then export refuses, naming both).
pub fn env_name(parts: &[&str]) -> String {
    let plain = parts.iter().all(|p| {
        p.len() <= ENV_PART_MAX
            && p.split('-')
                .all(|run| !run.is_empty() && run.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
    });
    let cleaned: Vec<String> = parts
        .iter()
        .map(|p| {
            p.chars()
                .take(ENV_PART_MAX)
                .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
                .collect()
        })
        .collect();
    let body = cleaned.join("__");
    if plain {
        format!("ACGW_{body}")
    } else {
        format!("ACGW_{body}___{}", short_hash(parts))
    }
}

/// What a spec could not hold of a live gateway, checked by the spec's own decoder so that the
/// messages are the ones `acgw validate` will print.
fn outside_the_model(name: &str, value: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let node = Node::from_json(value);
    let mut cx = Cx::new("", &mut problems);
    let _ = Gateway::decode(&node, &mut cx);
    problems
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| {
            format!(
                "gateway {}: {}: the live value is copied as it is, but a spec cannot hold it ({})",
                abbreviate(name),
                p.path,
                p.message
            )
        })
        .collect()
}

/// [`outside_the_model`] for the `index`th target (a name the API would refuse, say).
fn target_outside_the_model(gateway: &str, index: usize, value: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let node = Node::from_json(value);
    let mut cx = Cx::new("", &mut problems);
    let _ = crate::model::target::Target::decode(&node, &mut cx);
    problems
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| {
            format!(
                "gateway {}: targets[{index}].{}: the live value is copied as it is, but a spec cannot hold it ({})",
                abbreviate(gateway),
                p.path,
                p.message
            )
        })
        .collect()
}

/// `${` in a live value is literal: write it as `$${` so the loader does not expand it.
fn escape_interpolation(value: &mut Value) {
    match value {
        Value::String(s) if s.contains("${") => *s = s.replace("${", "$${"),
        Value::Array(items) => items.iter_mut().for_each(escape_interpolation),
        Value::Object(map) => map.values_mut().for_each(escape_interpolation),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load;
    use crate::model::live::{GatewayStatus, LiveGateway, Unreadable};
    use crate::model::{FromService, McpConfiguration, ProtocolConfiguration, SearchType};
    use crate::observe::LiveState;

    fn live(config: Value, tags: &[(&str, &str)]) -> LiveState {
        let mut problems = Vec::new();
        let gateway = Gateway::decode(&Node::from_json(&config), &mut Cx::new("test", &mut problems)).expect("valid");
        LiveState::new(
            LiveGateway {
                gateway_id: format!("{}-abcdefghij", gateway.name),
                gateway_arn: "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/x-abcdefghij".into(),
                status: GatewayStatus::Ready,
                status_reasons: vec![],
                updated_at: "2026-01-01T00:00:00Z".into(),
                config: Ok(gateway),
            },
            tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        )
    }

    /// A target whose OAuth `customParameters` hold `audience` and whose OpenAPI schema is
    /// `lines` lines long, under any `name` (the API's pattern is not checked).
    fn target(name: &str, lines: usize) -> crate::model::live::LiveTarget {
        use crate::model::live::{LiveTarget, TargetStatus};
        use crate::model::target::{Target, TargetName};
        let payload: String = (0..lines).map(|i| format!("# line {i}\n")).collect();
        let json = serde_json::json!({
            "name": "t",
            "targetConfiguration": {"mcp": {"openApiSchema": {"inlinePayload": payload}}},
            "credentialProviderConfigurations": [{"credentialProviderType": "OAUTH", "credentialProvider": {"oauthCredentialProvider": {
                "providerArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/x",
                "scopes": ["read"], "customParameters": {"audience": "secret"}}}}],
        });
        let mut problems = Vec::new();
        let mut config = Target::decode(&Node::from_json(&json), &mut Cx::new("test", &mut problems))
            .unwrap_or_else(|| panic!("{problems:?}"));
        config.name = TargetName::from_service(name.to_string());
        LiveTarget {
            target_id: "TARGET0001".into(),
            name: name.into(),
            status: TargetStatus::Ready,
            status_reasons: vec![],
            updated_at: "2026-01-01T00:00:00Z".into(),
            last_synchronized_at: None,
            authorization_url: None,
            config: Ok(config),
        }
    }

    fn with_targets(name: &str, targets: Vec<crate::model::live::LiveTarget>) -> LiveState {
        let mut state = live(
            serde_json::json!({"name": "g", "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "NONE"}),
            &[],
        );
        if let Ok(config) = &mut state.live.config {
            config.name = crate::model::GatewayName::from_service(name.to_string());
        }
        state.targets = Some(targets);
        state
    }

    #[test]
    fn placeholder_names_are_one_to_one() {
        assert_eq!(env_name(&["tools", "api", "audience"]), "ACGW_TOOLS__API__AUDIENCE");
        assert_eq!(env_name(&["orders-v2", "api", "client-id"]), "ACGW_ORDERS_V2__API__CLIENT_ID");
        assert_ne!(env_name(&["a-b", "c", "k"]), env_name(&["a", "b-c", "k"]), "the case of issue 22");
        let names =
            ["a", "b", "c", "a-", "a-b", "b-c", "A", "a_b", "a b", "", "-a", "a--b", "é", "a___b", &"x".repeat(70)];
        let mut seen = std::collections::BTreeMap::new();
        for g in names {
            for t in names {
                for p in names {
                    let var = env_name(&[g, t, p]);
                    assert!(var.len() <= 5 + 3 * ENV_PART_MAX + 4 + 3 + 8, "{var}");
                    assert!(var.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'), "{var}");
                    if let Some(other) = seen.insert(var.clone(), (g, t, p)) {
                        panic!("{var} for both {other:?} and {:?}", (g, t, p));
                    }
                }
            }
        }
    }

    #[test]
    fn file_slugs_are_plain_bounded_lower_case_and_distinct() {
        assert_eq!(file_slug("orders"), "orders");
        assert_eq!(file_slug("orders-v2"), "orders-v2");
        let names =
            ["..", ".", "../.github/workflows", "../../../victim", "Orders", "orders/", "", "-", "a\nb", "é", "/"];
        let long = "y".repeat(1000);
        let mut seen = std::collections::BTreeMap::new();
        for name in names.into_iter().chain([long.as_str(), "orders"]) {
            let slug = file_slug(name);
            assert!((1..=SLUG_MAX).contains(&slug.len()), "{name:?} → {slug:?}");
            assert!(
                slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !slug.starts_with('-'),
                "{name:?} → {slug:?}"
            );
            if let Some(other) = seen.insert(slug.clone(), name) {
                panic!("{slug} for both {other:?} and {name:?}");
            }
        }
        assert!(file_slug("../.github/workflows").starts_with("github-workflows-"));
    }

    #[test]
    fn hostile_names_get_safe_files_and_a_warning_and_a_refused_file_leaves_only_its_gateway_out() {
        let mut observed = Observed::default();
        observed
            .managed
            .insert("../.github/workflows".into(), with_targets("../.github/workflows", vec![target("ci", 30)]));
        observed
            .managed
            .insert("ok".into(), with_targets("ok", vec![target("../../../victim", 30), target("api", 30)]));
        observed.managed.insert("refused".into(), with_targets("refused", vec![target("api", 30)]));
        let check = |p: &str| if p.starts_with("schemas/refused/") { Err(format!("{p}: no")) } else { Ok(()) };
        let export = to_yaml_with(
            &observed,
            "test",
            Options { split_payloads: true, check_file: Some(&check), provider_names: None },
        )
        .unwrap();
        let paths: Vec<&str> = export.files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths.len(), 3, "{paths:?}");
        assert!(paths[0].starts_with("schemas/github-workflows-") && paths[0].ends_with("/ci.yaml"), "{paths:?}");
        assert!(paths[1].starts_with("schemas/ok/victim-") && paths[1].ends_with(".yaml"), "{paths:?}");
        assert_eq!(paths[2], "schemas/ok/api.yaml");
        for path in &paths {
            assert!(export.yaml.contains(&format!("file: {path}")), "{}", export.yaml);
        }
        assert_eq!(export.count, 2);
        assert_eq!(export.skipped.len(), 1);
        assert_eq!(export.skipped[0].error, "its schema file was not written: schemas/refused/api.yaml: no");
        assert!(
            export
                .warnings
                .iter()
                .any(|w| w.starts_with("gateway ../.github/workflows: target ci: the names are not safe file names")),
            "{:?}",
            export.warnings
        );
        assert!(
            !export.warnings.iter().any(|w| w.contains("refused")),
            "the skipped gateway's warnings go: {:?}",
            export.warnings
        );
    }

    #[test]
    fn one_placeholder_for_two_values_leaves_the_gateway_out_naming_both() {
        let mut observed = Observed::default();
        // A service that answers two targets of one name, both with a secret.
        observed.managed.insert("a".into(), with_targets("a", vec![target("t", 1), target("t", 1)]));
        observed.managed.insert("b".into(), with_targets("b", vec![target("t", 1)]));
        let export = to_yaml(&observed, "test").unwrap();
        assert_eq!(export.count, 1);
        assert_eq!(
            export.skipped[0].error,
            "gateway a: target t: customParameters.audience and gateway a: target t: customParameters.audience would share the placeholder ${ACGW_A__T__AUDIENCE}"
        );
        assert!(export.yaml.contains("${ACGW_B__T__AUDIENCE}"), "{}", export.yaml);
    }

    #[test]
    fn export_loads_back_to_the_same_normalized_gateways() {
        let mut observed = Observed::default();
        let a = live(
            serde_json::json!({
                "name": "orders", "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "AWS_IAM",
                "description": "costs ${HOME} and $5",
                "protocolConfiguration": {"mcp": {"supportedVersions": ["b", "a"], "sessionConfiguration": {"sessionTimeoutInSeconds": 3600}}},
            }),
            &[("team", "x"), ("aws:cloudformation:stack-name", "s")],
        );
        observed.managed.insert("orders".into(), a.clone());
        let yaml = to_yaml(&observed, "test").unwrap().yaml;
        let body: String = yaml.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n");
        assert!(!body.contains("aws:cloudformation"), "{yaml}");
        assert!(!yaml.contains("3600"), "server default left out: {yaml}");
        assert!(!yaml.contains("gatewayId") && !yaml.contains("updatedAt"), "{yaml}");
        let desired = load::load_text("export.yaml", &yaml, &|_| None).unwrap_or_else(|p| panic!("{p}\n{yaml}"));
        let back = normalize::gateway(desired.specs[0].gateway.clone());
        let mut expected = normalize::gateway(a.live.config.clone().unwrap());
        expected.tags = back.tags.clone();
        assert_eq!(back, expected);
        assert_eq!(normalize::gateway_tags(&back).get("team").map(String::as_str), Some("x"));
    }

    #[test]
    fn acgws_own_gateway_tags_are_spec_keys_and_the_export_loads() {
        let mut observed = Observed::default();
        let a = live(
            serde_json::json!({"name": "owned", "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "NONE"}),
            &[("team", "x"), ("acgw:owner", "ci"), ("acgw:prevent-destroy", "true")],
        );
        observed.managed.insert("owned".into(), a);
        let yaml = to_yaml(&observed, "test").unwrap().yaml;
        let desired = load::load_text("export.yaml", &yaml, &|_| None).unwrap_or_else(|p| panic!("{p}\n{yaml}"));
        assert!(desired.specs[0].prevent_destroy, "{yaml}");
        assert_eq!(desired.owner, None, "{yaml}");
        assert_eq!(normalize::gateway_tags(&desired.specs[0].gateway).get("team").map(String::as_str), Some("x"));
        let export = to_yaml(&observed, "test").unwrap();
        assert_eq!(export.warnings.len(), 1, "{:?}", export.warnings);
        assert!(export.warnings[0].starts_with("gateways tagged acgw:owner (ci (1))"), "{:?}", export.warnings);
    }

    #[test]
    fn keys_come_in_canonical_order() {
        let mut observed = Observed::default();
        observed.managed.insert(
            "a".into(),
            live(
                serde_json::json!({"authorizerType": "NONE", "roleArn": "arn:aws:iam::123456789012:role/r", "name": "a", "description": "d"}),
                &[],
            ),
        );
        let yaml = to_yaml(&observed, "test").unwrap().yaml;
        let order: Vec<usize> = ["name:", "description:", "roleArn:", "authorizerType:"]
            .iter()
            .map(|k| yaml.find(k).unwrap_or_else(|| panic!("{k} in {yaml}")))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{yaml}");
    }

    #[test]
    fn out_of_model_values_are_copied_with_a_warning_and_unreadable_gateways_are_skipped() {
        let mut observed = Observed::default();
        let mut odd = live(
            serde_json::json!({"name": "odd", "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "NONE"}),
            &[],
        );
        if let Ok(config) = &mut odd.live.config {
            config.description = Some(crate::model::Description::from_service("x".repeat(300)));
            config.protocol_configuration = Some(ProtocolConfiguration::Mcp(McpConfiguration {
                search_type: Some(SearchType::from_service("HYBRID")),
                ..McpConfiguration::default()
            }));
        }
        observed.managed.insert("odd".into(), odd);
        let mut broken = live(
            serde_json::json!({"name": "broken", "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "NONE"}),
            &[],
        );
        broken.live.config = Err(Unreadable {
            path: "authorizerConfiguration".into(),
            reason: "a union member this version does not know".into(),
        });
        observed.managed.insert("broken".into(), broken);
        let export = to_yaml(&observed, "test").unwrap();
        assert_eq!(export.count, 1);
        assert!(export.yaml.contains("searchType: HYBRID"), "{}", export.yaml);
        assert_eq!(export.skipped.len(), 1);
        assert_eq!(
            export.skipped[0].error,
            "GetGateway answered authorizerConfiguration: a union member this version does not know; this acgw version cannot read it"
        );
        assert_eq!(export.warnings.len(), 2, "{:?}", export.warnings);
        assert!(
            export.warnings[0].starts_with("gateway odd: description: the live value is copied as it is"),
            "{:?}",
            export.warnings
        );
        assert!(
            export.warnings[1].contains("protocolConfiguration.mcp.searchType")
                && export.warnings[1].contains("HYBRID"),
            "{:?}",
            export.warnings
        );
    }
}

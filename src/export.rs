//! Export: live gateways as spec YAML, so adopting acgw starts from what already runs.
//!
//! The output is normalized (server defaults and empty values left out, sets sorted), keeps
//! the spec's canonical key order so a later export diffs cleanly in git, leaves out
//! output-only fields (they are not part of [`Gateway`]) and `aws:` tags, and escapes `${` so
//! that loading it back does not interpolate.

use serde_json::Value;

use crate::model::decode::{Cx, Decode, Node};
use crate::model::Gateway;
use crate::normalize;
use crate::observe::Observed;
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

/// How to export.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Write inline payloads of more than [`SPLIT_LINES`] lines to `schemas/<gateway>/<target>.<ext>`
    /// and reference them with `file:` (for `export -o FILE`).
    pub split_payloads: bool,
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
pub fn to_yaml_with(observed: &Observed, source: &str, options: Options) -> Result<Export, ExportError> {
    let mut files = Vec::new();
    let mut gateways = Vec::with_capacity(observed.managed.len());
    let mut skipped: Vec<FailedGateway> =
        observed.failed.iter().map(|(name, e)| FailedGateway::from_observe(name, e)).collect();
    let mut warnings = Vec::new();
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
        let mut config = normalize::gateway(config.clone());
        config.tags = None;
        let mut value = serde_json::to_value(&config)?;
        let tags = normalize::tag_map(&state.tags);
        if let (Value::Object(map), false) = (&mut value, tags.is_empty()) {
            map.insert("tags".into(), serde_json::to_value(&tags)?);
        }
        warnings.extend(outside_the_model(name, &value));
        escape_interpolation(&mut value);
        if let Some(targets) = &state.targets {
            let region = normalize::arn_region(&state.live.gateway_arn);
            let mut list = Vec::with_capacity(targets.len());
            for t in targets {
                // observe fails a gateway with an unreadable target, so every config is Ok here.
                let Ok(config) = &t.config else { continue };
                let mut tv = serde_json::to_value(normalize::target(config.clone(), region))?;
                if options.split_payloads {
                    split_payloads(name, &t.name, &mut tv, &mut files)?;
                }
                escape_interpolation(&mut tv);
                placeholders(name, &t.name, &mut tv, &mut warnings);
                list.push(tv);
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
        if let (Some(Some(policy)), Value::Object(map)) = (&state.policy, &mut value) {
            let mut doc = policy.document().clone();
            escape_interpolation(&mut doc);
            map.insert("resourcePolicy".into(), doc);
        }
        gateways.push(value);
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

/// Moves long inline payloads under `value` (one target) to files, leaving `{file: PATH}`.
fn split_payloads(
    gateway: &str,
    target: &str,
    value: &mut Value,
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
                        let path = unique_path(files, gateway, target, ext);
                        files.push((path.clone(), text));
                        *v = serde_json::json!({ "file": path });
                    }
                    (Some(_), Some(list @ Value::Array(_))) => {
                        let text = serde_yaml::to_string(&list)?;
                        if text.lines().count() > SPLIT_LINES {
                            let path = unique_path(files, gateway, target, "yaml");
                            files.push((path.clone(), text));
                            *v = serde_json::json!({ "file": path });
                        }
                    }
                    _ => split_payloads(gateway, target, v, files)?,
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                split_payloads(gateway, target, item, files)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn unique_path(files: &[(String, String)], gateway: &str, target: &str, ext: &str) -> String {
    let base = format!("schemas/{gateway}/{target}");
    let mut path = format!("{base}.{ext}");
    let mut n = 2;
    while files.iter().any(|(p, _)| *p == path) {
        path = format!("{base}-{n}.{ext}");
        n += 1;
    }
    path
}

/// Sensitive values (OAuth `customParameters`) become `${VAR}` placeholders, each named in a warning.
fn placeholders(gateway: &str, target: &str, value: &mut Value, warnings: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "customParameters" {
                    if let Value::Object(params) = v {
                        for (param, secret) in params.iter_mut() {
                            let var = env_name(&[gateway, target, param]);
                            *secret = Value::String(format!("${{{var}}}"));
                            warnings.push(format!(
                                "gateway {gateway}: target {target}: customParameters.{param} is sensitive and was written as ${{{var}}}: set {var} before loading the export"
                            ));
                        }
                    }
                } else {
                    placeholders(gateway, target, v, warnings);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| placeholders(gateway, target, i, warnings)),
        _ => {}
    }
}

/// `ACGW_<PARTS>` in upper case, other characters as `_`.
fn env_name(parts: &[&str]) -> String {
    let joined = parts.join("_");
    let cleaned: String =
        joined.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    format!("ACGW_{cleaned}")
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
                "gateway {name}: {}: the live value is copied as it is, but a spec cannot hold it ({})",
                p.path, p.message
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
        LiveState {
            live: LiveGateway {
                gateway_id: format!("{}-abcdefghij", gateway.name),
                gateway_arn: "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/x-abcdefghij".into(),
                status: GatewayStatus::Ready,
                status_reasons: vec![],
                updated_at: "2026-01-01T00:00:00Z".into(),
                config: Ok(gateway),
            },
            tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            targets: None,
            policy: None,
            rate_limits: None,
            rules: None,
        }
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

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
    pub warnings: Vec<String>,
}

/// The specs for every readable gateway in `observed.managed`, as one YAML document; the ones
/// in `observed.failed`, and those this build cannot represent, are listed in
/// [`Export::skipped`].
pub fn to_yaml(observed: &Observed, source: &str) -> Result<Export, ExportError> {
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
        gateways.push(value);
    }
    skipped.sort();
    let count = gateways.len();
    let body = serde_yaml::to_string(&serde_json::json!({ "gateways": gateways }))?;
    let yaml = format!(
        "# Exported by acgw {} from {source}: {count} gateway{}.\n# Output-only fields (IDs, ARNs, status, timestamps) and aws: tags are left out.\n{body}",
        env!("CARGO_PKG_VERSION"),
        if count == 1 { "" } else { "s" }
    );
    Ok(Export { yaml, count, skipped, warnings })
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

//! Export: live gateways as spec YAML, so adopting acgw starts from what already runs.
//!
//! The output is normalized (server defaults and empty values left out, sets sorted), keeps
//! the spec's canonical key order so a later export diffs cleanly in git, leaves out
//! output-only fields (they are not part of [`Gateway`]) and `aws:` tags, and escapes `${` so
//! that loading it back does not interpolate.

use serde_json::Value;

use crate::normalize;
use crate::observe::Observed;

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot encode a gateway: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
}

/// The specs for every gateway in `observed.managed`, as one YAML document.
pub fn to_yaml(observed: &Observed, source: &str) -> Result<String, ExportError> {
    let mut gateways = Vec::with_capacity(observed.managed.len());
    for state in observed.managed.values() {
        let mut config = normalize::gateway(state.live.config.clone());
        config.tags = None;
        let mut value = serde_json::to_value(&config)?;
        let tags = normalize::tag_map(&state.tags);
        if let (Value::Object(map), false) = (&mut value, tags.is_empty()) {
            map.insert("tags".into(), serde_json::to_value(&tags)?);
        }
        escape_interpolation(&mut value);
        gateways.push(value);
    }
    let count = gateways.len();
    let body = serde_yaml::to_string(&serde_json::json!({ "gateways": gateways }))?;
    Ok(format!(
        "# Exported by acgw {} from {source}: {count} gateway{}.\n# Output-only fields (IDs, ARNs, status, timestamps) and aws: tags are left out.\n{body}",
        env!("CARGO_PKG_VERSION"),
        if count == 1 { "" } else { "s" }
    ))
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
    use crate::api::{GatewayStatus, LiveGateway};
    use crate::load;
    use crate::model::decode::{Cx, Decode, Node};
    use crate::model::Gateway;
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
                config: gateway,
            },
            tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
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
        let yaml = to_yaml(&observed, "test").unwrap();
        let body: String = yaml.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n");
        assert!(!body.contains("aws:cloudformation"), "{yaml}");
        assert!(!yaml.contains("3600"), "server default left out: {yaml}");
        assert!(!yaml.contains("gatewayId") && !yaml.contains("updatedAt"), "{yaml}");
        let desired = load::load_text("export.yaml", &yaml, &|_| None).unwrap_or_else(|p| panic!("{p}\n{yaml}"));
        let back = normalize::gateway(desired.specs[0].gateway.clone());
        let mut expected = normalize::gateway(a.live.config.clone());
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
        let yaml = to_yaml(&observed, "test").unwrap();
        let order: Vec<usize> = ["name:", "description:", "roleArn:", "authorizerType:"]
            .iter()
            .map(|k| yaml.find(k).unwrap_or_else(|| panic!("{k} in {yaml}")))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{yaml}");
    }
}

//! One plan with every kind of change, shared by the render, plan and snapshot tests.

use serde_json::json;

use crate::load::{Desired, Source, Spec};
use crate::model::decode::{Cx, Decode, Node};
use crate::model::live::{GatewayStatus, GatewaySummary, LiveGateway, TagMap};
use crate::model::Gateway;
use crate::observe::{LiveState, Observed};
use crate::plan::{self, Plan, Target};
use crate::problem::Mark;

/// Decodes a gateway from API JSON, panicking on invalid test data.
pub fn gateway(value: serde_json::Value) -> Gateway {
    let mut problems = Vec::new();
    let node = Node::from_json(&value);
    let g = Gateway::decode(&node, &mut Cx::new("fixture", &mut problems));
    assert!(problems.is_empty(), "{problems:?}");
    g.expect("fixture gateway decodes")
}

/// A live gateway named like `config`, with a deterministic ID and timestamp.
pub fn live(config: serde_json::Value, status: GatewayStatus, tags: &[(&str, &str)]) -> LiveState {
    let mut config = gateway(config);
    config.tags = None;
    let name = config.name.as_str().to_string();
    LiveState {
        live: LiveGateway {
            gateway_id: format!("{name}-a1b2c3d4e5"),
            gateway_arn: format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/{name}-a1b2c3d4e5"),
            status,
            status_reasons: Vec::new(),
            updated_at: "2025-06-01T12:00:00Z".into(),
            config: Ok(config),
        },
        tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<TagMap>(),
        targets: None,
        policy: None,
        rate_limits: None,
        rules: None,
    }
}

/// Desired state from gateways.
pub fn desired(gateways: Vec<Gateway>) -> Desired {
    let mut specs: Vec<Spec> = gateways
        .into_iter()
        .enumerate()
        .map(|(i, gateway)| {
            Spec::new(gateway, Source { file: "gateways.yaml".into(), mark: Mark { line: i + 2, column: 5 } })
        })
        .collect();
    specs.sort_by(|a, b| a.gateway.name.cmp(&b.gateway.name));
    Desired { specs, ..Desired::default() }
}

const ROLE: &str = "arn:aws:iam::123456789012:role/gateway";
const DISCOVERY: &str = "https://idp.example.com/.well-known/openid-configuration";
const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:audit";

/// The desired and observed state behind [`plan`].
pub fn state() -> (Desired, Observed) {
    let billing = gateway(json!({
        "name": "billing",
        "description": "Billing tools",
        "roleArn": ROLE,
        "protocolType": "MCP",
        "protocolConfiguration": {"mcp": {"supportedVersions": ["2025-06-18", "2025-03-26"], "searchType": "SEMANTIC"}},
        "authorizerType": "AWS_IAM",
        "interceptorConfigurations": [{"interceptor": {"lambda": {"arn": LAMBDA}}, "interceptionPoints": ["REQUEST"]}],
        "wafConfiguration": {"failureMode": "FAIL_CLOSE"},
        "tags": {"team": "billing"},
    }));
    let orders_desired = gateway(json!({
        "name": "orders",
        "description": "Order tools for support agents",
        "roleArn": ROLE,
        "protocolConfiguration": {"mcp": {
            "supportedVersions": ["2025-06-18"],
            "instructions": "Use these tools for orders.\nAlways confirm the order ID.\nNever refund more than the order total.\nAsk before cancelling.\nKeep answers short.",
            "searchType": "SEMANTIC",
            "sessionConfiguration": {"sessionTimeoutInSeconds": 7200},
        }},
        "authorizerType": "CUSTOM_JWT",
        "authorizerConfiguration": {"customJWTAuthorizer": {
            "discoveryUrl": DISCOVERY,
            "allowedAudience": ["orders-api", "support"],
            "allowedClients": ["orders-agent", "refund-agent"],
        }},
        "interceptorConfigurations": [{"interceptor": {"lambda": {"arn": LAMBDA}}, "interceptionPoints": ["REQUEST", "RESPONSE"]}],
        "exceptionLevel": "DEBUG",
        "tags": {"team": "support", "env": "prod"},
    }));
    let orders_live = live(
        json!({
            "name": "orders",
            "description": "Order tools",
            "roleArn": ROLE,
            "protocolType": "MCP",
            "protocolConfiguration": {"mcp": {
                "supportedVersions": ["2025-06-18"],
                "instructions": "Use these tools for orders.\nAlways confirm the order ID.\nRefunds need approval.\nAsk before cancelling.\nKeep answers short.",
                "searchType": "SEMANTIC",
                "sessionConfiguration": {"sessionTimeoutInSeconds": 3600},
            }},
            "authorizerType": "CUSTOM_JWT",
            "authorizerConfiguration": {"customJWTAuthorizer": {
                "discoveryUrl": DISCOVERY,
                "allowedAudience": ["support", "orders-api"],
                "allowedClients": ["orders-agent", "legacy-agent"],
            }},
            "kmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/0123abcd-0123-abcd-0123-0123456789ab",
            "interceptorConfigurations": [{"interceptor": {"lambda": {"arn": LAMBDA}}, "interceptionPoints": ["REQUEST"]}],
        }),
        GatewayStatus::Ready,
        &[("team", "orders"), ("owner", "alice"), ("aws:cloudformation:stack-name", "old")],
    );
    let search_desired = gateway(json!({
        "name": "search",
        "roleArn": ROLE,
        "authorizerType": "AWS_IAM",
        "tags": {"team": "search"},
    }));
    let search_live = live(
        json!({"name": "search", "roleArn": ROLE, "authorizerType": "NONE", "exceptionLevel": "DEBUG"}),
        GatewayStatus::Ready,
        &[("team", "search")],
    );
    let catalog_desired = gateway(json!({
        "name": "catalog",
        "roleArn": ROLE,
        "protocolConfiguration": {"mcp": {"searchType": "SEMANTIC"}},
        "authorizerType": "NONE",
    }));
    // The server filled its defaults: protocolType and the session timeout.
    let catalog_live = live(
        json!({
            "name": "catalog",
            "roleArn": ROLE,
            "protocolType": "MCP",
            "protocolConfiguration": {"mcp": {"searchType": "SEMANTIC", "sessionConfiguration": {"sessionTimeoutInSeconds": 3600}}},
            "authorizerType": "NONE",
        }),
        GatewayStatus::Ready,
        &[("aws:tag", "service")],
    );
    let metrics_desired = gateway(json!({
        "name": "metrics",
        "roleArn": ROLE,
        "authorizerType": "AWS_IAM",
        "tags": {"team": "observability"},
    }));
    let metrics_live = live(
        json!({"name": "metrics", "roleArn": ROLE, "authorizerType": "AWS_IAM"}),
        GatewayStatus::Ready,
        &[("team", "platform")],
    );
    let desired = desired(vec![orders_desired, billing, search_desired, catalog_desired, metrics_desired]);
    let mut observed = Observed::default();
    for l in [orders_live, search_live, catalog_live, metrics_live] {
        observed.managed.insert(l.live.config.as_ref().expect("readable").name.as_str().to_string(), l);
    }
    observed.unmanaged = vec![
        GatewaySummary {
            gateway_id: "old-orders-z9y8x7w6v5".into(),
            name: "old-orders".into(),
            status: GatewayStatus::Ready,
            updated_at: "2024-12-24T08:00:00Z".into(),
        },
        GatewaySummary {
            gateway_id: "adhoc-0000000000".into(),
            name: "adhoc".into(),
            status: GatewayStatus::Failed,
            updated_at: "2025-01-02T03:04:05Z".into(),
        },
    ];
    (desired, observed)
}

/// A plan with every kind of change: create, update (fields added, removed and changed, set-like
/// lists, a multi-line string, tags), tags-only update, replace, no-op, and unmanaged gateways.
pub fn plan() -> Plan {
    let (desired, observed) = state();
    let mut plan = plan::build(&desired, &observed);
    plan.target = Target { region: Some("us-east-1".into()), endpoint: None };
    plan
}

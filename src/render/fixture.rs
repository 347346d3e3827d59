//! One plan with every kind of change, shared by the render, plan and snapshot tests.

use serde_json::json;

use crate::load::{Desired, Source, Spec};
use crate::model::decode::{Cx, Decode, Node};
use crate::model::live::{GatewayStatus, GatewaySummary, LiveGateway, TagMap};
use crate::model::Gateway;
use crate::observed::{LiveState, Observed};
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
    LiveState::new(
        LiveGateway {
            gateway_id: format!("{name}-a1b2c3d4e5"),
            gateway_arn: format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/{name}-a1b2c3d4e5"),
            status,
            status_reasons: Vec::new(),
            updated_at: "2025-06-01T12:00:00Z".into(),
            config: Ok(config),
        },
        tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<TagMap>(),
    )
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

/// Decodes a model value from API JSON, panicking on invalid test data.
fn decoded<T: Decode>(value: serde_json::Value) -> T {
    let mut problems = Vec::new();
    let v = T::decode(&Node::from_json(&value), &mut Cx::new("fixture", &mut problems));
    assert!(problems.is_empty(), "{problems:?}");
    v.expect("fixture value decodes")
}

/// A target on an MCP server at `endpoint`, with an OAuth provider whose `customParameters` hold
/// `audience`.
fn oauth_target(name: &str, endpoint: &str, audience: &str) -> crate::model::target::Target {
    decoded(json!({
        "name": name,
        "targetConfiguration": {"mcp": {"mcpServer": {"endpoint": endpoint}}},
        "credentialProviderConfigurations": [{
            "credentialProviderType": "OAUTH",
            "credentialProvider": {"oauthCredentialProvider": {
                "providerArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/cal",
                "scopes": ["read"],
                "customParameters": {"audience": audience},
            }},
        }],
    }))
}

/// A live target, READY, with a deterministic ID and timestamp.
fn live_target(config: crate::model::target::Target, id: &str) -> crate::model::live::LiveTarget {
    crate::model::live::LiveTarget {
        target_id: id.into(),
        name: config.name.as_str().to_string(),
        status: crate::model::live::TargetStatus::Ready,
        status_reasons: Vec::new(),
        updated_at: "2025-06-01T12:00:00Z".into(),
        last_synchronized_at: None,
        authorization_url: None,
        config: Ok(config),
    }
}

fn rule(priority: i32, path: &str) -> crate::model::rule::Rule {
    decoded(json!({
        "priority": priority,
        "conditions": [{"matchPaths": {"anyOf": [path]}}],
        "actions": [{"routeToTarget": {"staticRoute": {"targetName": "calendar"}}}],
    }))
}

fn rate_limit(rate: f64) -> crate::model::rate_limit::RateLimit {
    decoded(json!({
        "rateLimitId": "per-user",
        "dimensionKeys": ["$.context.request.header.user"],
        "entries": [{"dimensions": {"$.context.request.header.user": "*"}, "requests": [{"rate": rate, "period": "minute"}]}],
    }))
}

fn policy(action: &str) -> crate::model::policy::ResourcePolicy {
    crate::model::policy::ResourcePolicy::new(json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": action, "Resource": "*"}],
    }))
    .expect("a valid policy")
}

/// The secret the spec of [`parts_plan`] declares in a target's `customParameters`.
pub const SPEC_SECRET: &str = "spec-secret-8d41";
/// The secret the live target of [`parts_plan`] holds in its `customParameters`.
pub const LIVE_SECRET: &str = "live-secret-5c07";

/// A plan for one gateway whose own configuration and tags hold while its parts drift: target
/// `calendar` modified (endpoint and a secret custom parameter), `docs` missing, `stray` live
/// but not declared; rule 20 modified; rate limit `per-user` modified; the resource policy
/// changed.
pub fn parts_plan() -> Plan {
    let config = json!({"name": "tools", "roleArn": ROLE, "authorizerType": "AWS_IAM"});
    let mut spec = desired(vec![gateway(config.clone())]).specs.remove(0);
    spec.targets = Some(vec![
        oauth_target("calendar", "https://calendar.example.com/mcp", SPEC_SECRET),
        oauth_target("docs", "https://docs.example.com/mcp", "docs"),
    ]);
    spec.rules = Some(vec![rule(20, "/new/*")]);
    spec.rate_limits = Some(vec![rate_limit(20.0)]);
    spec.resource_policy = Some(Some(policy("bedrock-agentcore:InvokeGateway")));
    let mut live = live(config, GatewayStatus::Ready, &[]);
    live.targets = Some(vec![
        live_target(oauth_target("calendar", "https://old.example.com/mcp", LIVE_SECRET), "CALENDAR01"),
        live_target(oauth_target("stray", "https://stray.example.com/mcp", "stray"), "STRAY00001"),
    ]);
    live.rules = Some(vec![crate::model::live::LiveRule {
        rule_id: "RULE000020".into(),
        status: crate::model::live::GatewayRuleStatus::Active,
        updated_at: "2025-06-01T12:00:00Z".into(),
        system_managed_by: None,
        config: Ok(rule(20, "/old/*")),
    }]);
    live.rate_limits = Some(vec![crate::model::live::LiveRateLimit {
        rate_limit_id: "per-user".into(),
        status: crate::model::live::GatewayRateLimitStatus::Active,
        updated_at: "2025-06-01T12:00:00Z".into(),
        config: Ok(rate_limit(10.0)),
    }]);
    live.resource_policy = Some(Some(policy("bedrock-agentcore:*")));
    let mut observed = Observed::default();
    observed.managed.insert("tools".into(), live);
    let desired = Desired { specs: vec![spec], ..Desired::default() };
    let mut plan = plan::build(&desired, &observed);
    plan.target = Target { region: Some("us-east-1".into()), endpoint: None };
    plan
}

/// The owner of [`providers_plan`]'s specs.
pub const PROVIDER_OWNER: &str = "platform";

/// The values the environment of [`providers_plan`] holds for the secrets its specs pass by
/// value: read while decoding, and never to appear in a plan or a report.
pub const PROVIDER_SECRETS: [(&str, &str); 3] = [
    ("GITHUB_CLIENT_SECRET", "planted-gh-secret-93f1"),
    ("WEATHER_API_KEY", "planted-weather-key-7a2c"),
    ("MAPS_API_KEY", "planted-maps-key-e05b"),
];

fn provider_env(name: &str) -> Option<String> {
    PROVIDER_SECRETS.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
}

/// A provider spec decoded from JSON as a spec file would be, `${VAR}` read from
/// [`PROVIDER_SECRETS`].
pub fn provider_spec(value: serde_json::Value) -> crate::load::ProviderSpec {
    use crate::model::credential_provider::CredentialProviderSpec;
    let mut problems = Vec::new();
    let provider = {
        let env = provider_env;
        let mut cx = Cx::new("providers.yaml", &mut problems).with_env(&env);
        CredentialProviderSpec::decode(&Node::from_json(&value), &mut cx)
    };
    assert!(problems.is_empty(), "{problems:?}");
    crate::load::ProviderSpec {
        provider: provider.expect("fixture provider decodes"),
        source: Source { file: "providers.yaml".into(), mark: Mark { line: 2, column: 5 } },
        prevent_destroy: false,
    }
}

/// The ARN of the provider `name` of `kind` (`oauth2`, `apikey`) in the token vault.
pub fn provider_arn(kind: &str, name: &str) -> String {
    format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/{kind}credentialprovider/{name}")
}

fn owned_tags(extra: &[(&str, &str)]) -> TagMap {
    let mut tags: TagMap = extra.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tags.insert(crate::model::OWNER_TAG.into(), PROVIDER_OWNER.into());
    tags
}

const SLACK_SECRET: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-oauth-AbC123";
const SEARCH_SECRET: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:search-key-XyZ789";

/// The desired and observed providers behind [`providers_plan`]: `github` (OAuth2) and
/// `weather` (API key) to create, each sending a secret by value; `slack` (OAuth2) with a new
/// client ID and tags; `maps` (API key) whose `secretVersion` was bumped; `search-key` in sync;
/// `denied`, whose Get was refused; owned `old-github` (in no spec, held by nothing) and
/// `held-key` (named by target `crm` of gateway `orders`); unmanaged `legacy-okta`.
pub fn provider_state() -> (Desired, crate::observed::ObservedProviders) {
    use crate::model::credential_provider::{
        LiveApiKeyProvider, LiveOauth2Provider, LiveProvider, LiveSecret, Oauth2ProviderConfigOutput, ProviderKind,
        ProviderSummary, SecretSource,
    };
    use crate::observed::{Holder, LiveProviderState, ObservedProviders, OwnedProvider};
    let owner: crate::model::Owner = decoded(json!(PROVIDER_OWNER));
    let mut providers = vec![
        provider_spec(json!({"oauth2": {
            "name": "github",
            "credentialProviderVendor": "GithubOauth2",
            "oauth2ProviderConfigInput": {"githubOauth2ProviderConfig": {
                "clientId": "gh-client", "clientSecret": "${GITHUB_CLIENT_SECRET}",
            }},
            "tags": {"team": "platform"},
        }})),
        provider_spec(json!({"apiKey": {"name": "weather", "apiKey": "${WEATHER_API_KEY}"}})),
        provider_spec(json!({"oauth2": {
            "name": "slack",
            "credentialProviderVendor": "SlackOauth2",
            "oauth2ProviderConfigInput": {"slackOauth2ProviderConfig": {
                "clientId": "slack-new",
                "clientSecretSource": "EXTERNAL",
                "clientSecretConfig": {"secretId": SLACK_SECRET, "jsonKey": "secret"},
            }},
            "tags": {"team": "support"},
        }})),
        provider_spec(json!({"apiKey": {"name": "maps", "apiKey": "${MAPS_API_KEY}", "secretVersion": "2"}})),
        provider_spec(json!({"apiKey": {
            "name": "search-key",
            "apiKeySecretSource": "EXTERNAL",
            "apiKeySecretConfig": {"secretId": SEARCH_SECRET, "jsonKey": "key"},
        }})),
        provider_spec(json!({"oauth2": {
            "name": "denied",
            "credentialProviderVendor": "GithubOauth2",
            "oauth2ProviderConfigInput": {"githubOauth2ProviderConfig": {
                "clientId": "x", "clientSecretSource": "EXTERNAL",
                "clientSecretConfig": {"secretId": SLACK_SECRET, "jsonKey": "secret"},
            }},
        }})),
    ];
    providers.sort_by(|a, b| a.name().cmp(b.name()));
    let desired = Desired { providers, owner: Some(owner), ..Desired::default() };

    let managed_key = |name: &str| LiveSecret {
        secret_arn: format!("arn:aws:secretsmanager:us-east-1:123456789012:secret:bedrock-agentcore-{name}-Q1w2E3"),
        json_key: None,
        source: Some(SecretSource::Managed),
    };
    let slack = LiveProvider::Oauth2(LiveOauth2Provider {
        name: "slack".into(),
        arn: provider_arn("oauth2", "slack"),
        vendor: decoded(json!("SlackOauth2")),
        callback_url: None,
        client_secret: LiveSecret {
            secret_arn: SLACK_SECRET.into(),
            json_key: Some("secret".into()),
            source: Some(SecretSource::External),
        },
        config: decoded::<Oauth2ProviderConfigOutput>(json!({"slackOauth2ProviderConfig": {
            "oauthDiscovery": {"discoveryUrl": "https://slack.com/.well-known/openid-configuration"},
            "clientId": "slack-old",
        }})),
        status: None,
        failure_reason: None,
    });
    let maps = LiveProvider::ApiKey(LiveApiKeyProvider {
        name: "maps".into(),
        arn: provider_arn("apikey", "maps"),
        api_key_secret: managed_key("maps"),
    });
    let search = LiveProvider::ApiKey(LiveApiKeyProvider {
        name: "search-key".into(),
        arn: provider_arn("apikey", "search-key"),
        api_key_secret: LiveSecret {
            secret_arn: SEARCH_SECRET.into(),
            json_key: Some("key".into()),
            source: Some(SecretSource::External),
        },
    });
    let mut observed = ObservedProviders { read: true, ..ObservedProviders::default() };
    for (live, tags) in [
        (slack, owned_tags(&[("team", "chat"), ("aws:cloudformation:stack-name", "chat")])),
        (maps, owned_tags(&[(crate::model::credential_provider::SECRET_VERSION_TAG, "1")])),
        (search, owned_tags(&[])),
    ] {
        observed.managed.insert(live.name().to_string(), LiveProviderState { live, tags });
    }
    observed.failed.insert(
        "denied".into(),
        crate::observed::ObserveError::Provider {
            call: "GetOauth2CredentialProvider",
            name: "denied".into(),
            error: crate::api::ApiError::AccessDenied("AccessDeniedException: not authorized".into()),
        },
    );
    let summary = |kind: ProviderKind, name: &str| ProviderSummary {
        kind,
        name: name.into(),
        arn: provider_arn(if kind == ProviderKind::Oauth2 { "oauth2" } else { "apikey" }, name),
        vendor: None,
    };
    observed.owned = vec![
        OwnedProvider { summary: summary(ProviderKind::ApiKey, "held-key"), tags: owned_tags(&[]) },
        OwnedProvider { summary: summary(ProviderKind::Oauth2, "old-github"), tags: owned_tags(&[]) },
    ];
    observed.unmanaged = vec![summary(ProviderKind::Oauth2, "legacy-okta")];
    let holders =
        [(provider_arn("apikey", "held-key"), vec![Holder { gateway: "orders".into(), target: "crm".into() }])];
    observed.holders = Some(Ok(holders.into_iter().collect()));
    (desired, observed)
}

/// [`plan`]'s gateways with credential providers of both kinds and every action (see
/// [`provider_state`]); with `prune`, the owned providers in no spec are deleted where nothing
/// names them, else listed as orphaned.
pub fn providers_plan(prune: bool) -> Plan {
    let (desired, observed) = provider_state();
    plan().with_providers(crate::plan::plan_providers(&desired, &observed, prune, &Default::default()))
}

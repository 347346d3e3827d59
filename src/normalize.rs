//! Normalize: one function, applied to desired and observed gateways alike, so that values the
//! service treats as equal also compare equal and `apply` followed by `plan` shows no changes.
//!
//! Rules (each has a test below that fails without it):
//! - server defaults equal absent: `sessionTimeoutInSeconds` 3600, `disableMcpListToolsPagination`
//!   false (the model documents "false or omitted" as the same behaviour);
//! - a structure left empty equals absent (`sessionConfiguration: {}`, `wafConfiguration: {}`,
//!   `customTransformConfiguration: {lambda: {}}`, an MCP configuration with nothing set, …);
//! - an empty list or tag map equals absent (empty strings cannot reach the model: decoding treats
//!   them as "not set" and every string type but tag values has a minimum length of 1);
//! - set-like lists ([`SET_LIKE`]) are sorted and deduplicated;
//! - tag keys starting with `aws:` are dropped (the service's own);
//! - an absent `protocolType` equals `MCP`: the Rust SDK reports `MCP` when the service omits it.

use crate::model::live::TagMap;
use crate::model::target::{
    CredentialProvider, CredentialProviderConfiguration, InferenceTargetConfiguration, ListingMode,
    McpTargetConfiguration, McpToolSchemaConfiguration, MetadataConfiguration, OAuthGrantType, ResourcePriority,
    SchemaText, Target, TargetConfiguration,
};
use crate::model::FromService;
use crate::model::OWNER_TAG;
use crate::model::{
    AllowedWorkloadConfiguration, AuthorizerConfiguration, Bounded, CustomJwtAuthorizer, CustomTransformConfiguration,
    Gateway, InterceptorConfiguration, ManagedVpcResource, McpConfiguration, PrivateEndpoint, PrivateEndpointOverride,
    ProtocolConfiguration, ProtocolType, SessionTimeout, Tags,
};

/// API member names of the lists that are sets (order and duplicates carry no meaning): the
/// members declared `#[set_like]` in the model (`model::schema::members`).
pub static SET_LIKE: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| crate::model::schema::members().set_like());

/// The header the service adds to a target's `allowedRequestHeaders` when its gateway has a
/// policy engine: it is the service's, never a difference.
pub const POLICY_SESSION_HEADER: &str = "x-amzn-bedrock-agentcore-policy-session-id";

/// True for a tag key the service owns (`aws:` prefix); such keys are never compared or changed.
pub fn is_service_tag(key: &str) -> bool {
    key.starts_with("aws:")
}

/// Tags as the user sees them: `aws:` keys dropped.
pub fn tag_map(tags: &TagMap) -> TagMap {
    tags.iter().filter(|(k, _)| !is_service_tag(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The live tags to compare with `desired`: `acgw:owner` counts only when an owner is desired, so
/// that a run without an owner never removes another run's claim.
pub fn comparable_tags(live: &TagMap, desired: &TagMap) -> TagMap {
    let mut live = live.clone();
    if !desired.contains_key(OWNER_TAG) {
        live.remove(OWNER_TAG);
    }
    live
}

/// A gateway's own `tags` member as a [`TagMap`], normalized (absent means no tags).
pub fn gateway_tags(gateway: &Gateway) -> TagMap {
    gateway
        .tags
        .as_ref()
        .map(|t| {
            t.as_map()
                .iter()
                .filter(|(k, _)| !is_service_tag(k.as_str()))
                .map(|(k, v)| (k.as_str().to_string(), v.as_str().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Normalizes a gateway (desired or observed) for comparison.
pub fn gateway(mut g: Gateway) -> Gateway {
    g.protocol_type = Some(g.protocol_type.unwrap_or(ProtocolType::Mcp));
    g.protocol_configuration = g.protocol_configuration.and_then(protocol_configuration);
    g.authorizer_configuration = g.authorizer_configuration.map(authorizer_configuration);
    g.interceptor_configurations =
        g.interceptor_configurations.map(|list| list.map_items(|v| v.into_iter().map(interceptor).collect()));
    g.waf_configuration = g.waf_configuration.filter(|w| w.failure_mode.is_some());
    g.custom_transform_configuration = g.custom_transform_configuration.and_then(custom_transform);
    g.tags = g.tags.and_then(tags);
    g
}

fn protocol_configuration(config: ProtocolConfiguration) -> Option<ProtocolConfiguration> {
    match config {
        ProtocolConfiguration::Mcp(mcp) => {
            let mcp = mcp_configuration(mcp);
            (mcp != McpConfiguration::default()).then_some(ProtocolConfiguration::Mcp(mcp))
        }
    }
}

fn mcp_configuration(mut mcp: McpConfiguration) -> McpConfiguration {
    mcp.supported_versions = set(mcp.supported_versions);
    mcp.session_configuration = mcp.session_configuration.and_then(|mut s| {
        s.session_timeout_in_seconds = s.session_timeout_in_seconds.filter(|t| t.get() != SessionTimeout::DEFAULT);
        s.session_timeout_in_seconds.is_some().then_some(s)
    });
    mcp.streaming_configuration = mcp.streaming_configuration.filter(|s| s.enable_response_streaming.is_some());
    mcp.disable_mcp_list_tools_pagination = mcp.disable_mcp_list_tools_pagination.filter(|d| *d);
    mcp
}

fn authorizer_configuration(config: AuthorizerConfiguration) -> AuthorizerConfiguration {
    match config {
        AuthorizerConfiguration::CustomJwtAuthorizer(jwt) => {
            AuthorizerConfiguration::CustomJwtAuthorizer(custom_jwt(jwt))
        }
    }
}

fn custom_jwt(mut jwt: CustomJwtAuthorizer) -> CustomJwtAuthorizer {
    jwt.allowed_audience = set(jwt.allowed_audience);
    jwt.allowed_clients = set(jwt.allowed_clients);
    jwt.allowed_scopes = set(jwt.allowed_scopes);
    jwt.custom_claims = jwt.custom_claims.filter(|c| !c.is_empty());
    jwt.private_endpoint = jwt.private_endpoint.map(private_endpoint);
    jwt.private_endpoint_overrides = jwt
        .private_endpoint_overrides
        .filter(|o| !o.is_empty())
        .map(|o| o.map_items(|v| v.into_iter().map(endpoint_override).collect()));
    jwt.allowed_workload_configuration = jwt.allowed_workload_configuration.and_then(workload_configuration);
    jwt
}

fn endpoint_override(mut o: PrivateEndpointOverride) -> PrivateEndpointOverride {
    o.private_endpoint = private_endpoint(o.private_endpoint);
    o
}

fn private_endpoint(endpoint: PrivateEndpoint) -> PrivateEndpoint {
    match endpoint {
        PrivateEndpoint::ManagedVpcResource(vpc) => PrivateEndpoint::ManagedVpcResource(managed_vpc(vpc)),
        other => other,
    }
}

fn managed_vpc(mut vpc: ManagedVpcResource) -> ManagedVpcResource {
    vpc.subnet_ids = bounded_set(vpc.subnet_ids);
    vpc.security_group_ids = vpc.security_group_ids.filter(|s| !s.is_empty()).map(bounded_set);
    vpc.tags = vpc.tags.and_then(tags);
    vpc
}

fn workload_configuration(mut w: AllowedWorkloadConfiguration) -> Option<AllowedWorkloadConfiguration> {
    w.hosting_environments = w.hosting_environments.map(bounded_set);
    w.workload_identities = w.workload_identities.map(bounded_set);
    (w.hosting_environments.is_some() || w.workload_identities.is_some()).then_some(w)
}

fn interceptor(mut i: InterceptorConfiguration) -> InterceptorConfiguration {
    i.interception_points = bounded_set(i.interception_points);
    i
}

fn custom_transform(c: CustomTransformConfiguration) -> Option<CustomTransformConfiguration> {
    let lambda = c.lambda.filter(|l| l.arn.is_some())?;
    Some(CustomTransformConfiguration { lambda: Some(lambda) })
}

fn tags(mut t: Tags) -> Option<Tags> {
    t.retain(|k, _| !is_service_tag(k.as_str()));
    (!t.is_empty()).then_some(t)
}

/// Normalizes a target (desired or observed) for comparison. `region` is the gateway's, which an
/// IAM credential provider without `region` signs for.
pub fn target(mut t: Target, region: Option<&str>) -> Target {
    t.target_configuration = target_configuration(t.target_configuration);
    t.credential_provider_configurations = t
        .credential_provider_configurations
        .map(|list| list.map_items(|v| v.into_iter().map(|c| credential_provider(c, region)).collect()));
    t.metadata_configuration = t.metadata_configuration.and_then(metadata);
    t.private_endpoint = t.private_endpoint.map(private_endpoint);
    t
}

fn target_configuration(config: TargetConfiguration) -> TargetConfiguration {
    match config {
        TargetConfiguration::Mcp(McpTargetConfiguration::McpServer(mut s)) => {
            s.listing_mode = s.listing_mode.filter(|m| *m != ListingMode::Default);
            s.resource_priority = s.resource_priority.filter(|p| p.get() != ResourcePriority::DEFAULT);
            s.mcp_tool_schema = s.mcp_tool_schema.map(|schema| match schema {
                McpToolSchemaConfiguration::InlinePayload(text) => {
                    McpToolSchemaConfiguration::InlinePayload(json_text(text))
                }
                other => other,
            });
            TargetConfiguration::Mcp(McpTargetConfiguration::McpServer(s))
        }
        TargetConfiguration::Mcp(McpTargetConfiguration::ApiGateway(mut g)) => {
            g.api_gateway_tool_configuration.tool_filters =
                g.api_gateway_tool_configuration.tool_filters.map_items(|filters| {
                    filters
                        .into_iter()
                        .map(|mut f| {
                            f.methods = bounded_set(f.methods);
                            f
                        })
                        .collect()
                });
            TargetConfiguration::Mcp(McpTargetConfiguration::ApiGateway(g))
        }
        TargetConfiguration::Mcp(McpTargetConfiguration::Connector(mut c)) => {
            c.enabled = c.enabled.map(bounded_set);
            TargetConfiguration::Mcp(McpTargetConfiguration::Connector(c))
        }
        TargetConfiguration::Inference(InferenceTargetConfiguration::Provider(mut p)) => {
            // The SDK leaves `strip: false` out of the request, so false and absent are one.
            p.model_mapping = p.model_mapping.map(|mut m| {
                m.provider_prefix = m.provider_prefix.map(|mut prefix| {
                    prefix.strip = prefix.strip.filter(|s| *s);
                    prefix
                });
                m
            });
            TargetConfiguration::Inference(InferenceTargetConfiguration::Provider(p))
        }
        other => other,
    }
}

/// Inline JSON compares as a JSON value: key order and whitespace carry no meaning. Text that is
/// not JSON (YAML tool schemas) compares as text.
fn json_text(text: SchemaText) -> SchemaText {
    match serde_json::from_str::<serde_json::Value>(text.as_str()) {
        Ok(v) => SchemaText::from_service(sorted_json(v).to_string()),
        Err(_) => text,
    }
}

fn sorted_json(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let sorted: std::collections::BTreeMap<String, Value> =
                map.into_iter().map(|(k, v)| (k, sorted_json(v))).collect();
            Value::Object(sorted.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted_json).collect()),
        other => other,
    }
}

fn credential_provider(
    mut c: CredentialProviderConfiguration,
    region: Option<&str>,
) -> CredentialProviderConfiguration {
    c.credential_provider = c.credential_provider.map(|p| match p {
        CredentialProvider::OauthCredentialProvider(mut o) => {
            o.grant_type = o.grant_type.filter(|g| *g != OAuthGrantType::ClientCredentials);
            o.scopes = bounded_set(o.scopes);
            CredentialProvider::OauthCredentialProvider(o)
        }
        CredentialProvider::IamCredentialProvider(mut i) => {
            i.region = i.region.filter(|r| Some(r.as_str()) != region);
            CredentialProvider::IamCredentialProvider(i)
        }
        other => other,
    });
    c
}

fn metadata(mut m: MetadataConfiguration) -> Option<MetadataConfiguration> {
    m.allowed_request_headers = m.allowed_request_headers.and_then(|h| {
        let kept: Vec<_> =
            h.into_vec().into_iter().filter(|h| !h.as_str().eq_ignore_ascii_case(POLICY_SESSION_HEADER)).collect();
        (!kept.is_empty()).then(|| bounded_set(Bounded::from_service(kept)))
    });
    m.allowed_query_parameters = m.allowed_query_parameters.map(bounded_set);
    m.allowed_response_headers = m.allowed_response_headers.map(bounded_set);
    let empty = m.allowed_request_headers.is_none()
        && m.allowed_query_parameters.is_none()
        && m.allowed_response_headers.is_none();
    (!empty).then_some(m)
}

/// A gateway rate limit for comparison. `dimensionKeys` keeps its order (it is meaningful: `*`
/// is only allowed in trailing positions). The `entries` are a set identified by their
/// `dimensions`, so they are sorted by them; each entry's `requests`, `tokens` and `connections`
/// are sets of rate configs too (sorted by period, then rate), and empty equals absent (the
/// service reads them back as `None` or empty). The service defaults nothing else.
pub fn rate_limit(mut r: crate::model::rate_limit::RateLimit) -> crate::model::rate_limit::RateLimit {
    use crate::model::rate_limit::RateConfigs;
    fn configs(list: Option<RateConfigs>) -> Option<RateConfigs> {
        // The model allows exactly one; a live list may hold more, and is compared as a set.
        let list = list.filter(|l| !l.is_empty())?;
        Some(list.map_items(|mut list| {
            list.sort_by(|a, b| {
                (a.period.as_str(), a.rate.get())
                    .partial_cmp(&(b.period.as_str(), b.rate.get()))
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            list.dedup();
            list
        }))
    }
    r.entries = r.entries.map_items(|mut entries| {
        for e in &mut entries {
            e.requests = configs(e.requests.take());
            e.tokens = configs(e.tokens.take());
            e.connections = configs(e.connections.take());
        }
        entries.sort_by(|a, b| a.dimensions.cmp(&b.dimensions));
        entries
    });
    r
}

/// A gateway rule for comparison, as JSON: the SDK builders' defaults filled in (a model
/// match's `operator` is StringLike, a circuit breaker's `mode` ENABLED), and an empty
/// `conditions` or `metadata` equal to absent (the service reads them back as `None` or empty).
/// List order is kept: conditions, actions and traffic splits are ordered in the API.
pub fn rule(r: &crate::model::rule::Rule) -> serde_json::Value {
    use serde_json::Value;
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|k, v| {
                    !((k == "conditions" || k == "metadata")
                        && (v.as_array().is_some_and(Vec::is_empty) || v.as_object().is_some_and(|o| o.is_empty())))
                });
                if let Some(Value::Object(models)) = map.get_mut("matchModels") {
                    if let Some(Value::Array(entries)) = models.get_mut("anyOf") {
                        for e in entries.iter_mut().filter_map(Value::as_object_mut) {
                            e.entry("operator").or_insert_with(|| Value::String("StringLike".into()));
                        }
                    }
                }
                if let Some(Value::Object(cb)) = map.get_mut("circuitBreaker") {
                    cb.entry("mode").or_insert_with(|| Value::String("ENABLED".into()));
                }
                for v in map.values_mut() {
                    walk(v);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(r).unwrap_or_default();
    walk(&mut v);
    v
}

/// An IAM policy document (a gateway's resource policy) for comparison: object keys sorted;
/// `Statement` always a list, in its order; where IAM takes a string or a list (`Action`,
/// `NotAction`, `Resource`, `NotResource`, and the values under `Principal`/`NotPrincipal`), a
/// sorted, deduplicated list, so a single string equals the one-element list.
pub fn policy(document: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    let Value::Object(map) = document else { return document };
    let mut out = std::collections::BTreeMap::new();
    for (k, v) in map {
        let v = match (k.as_str(), v) {
            ("Statement", Value::Array(items)) => Value::Array(items.into_iter().map(statement).collect()),
            ("Statement", single @ Value::Object(_)) => Value::Array(vec![statement(single)]),
            (_, other) => sorted_json(other),
        };
        out.insert(k, v);
    }
    Value::Object(out.into_iter().collect())
}

fn statement(s: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    let Value::Object(map) = s else { return s };
    let mut out = std::collections::BTreeMap::new();
    for (k, v) in map {
        let v = match k.as_str() {
            "Action" | "NotAction" | "Resource" | "NotResource" => string_set(v),
            "Principal" | "NotPrincipal" => match v {
                Value::Object(p) => Value::Object(
                    p.into_iter()
                        .map(|(pk, pv)| (pk, string_set(pv)))
                        .collect::<std::collections::BTreeMap<_, _>>()
                        .into_iter()
                        .collect(),
                ),
                other => other,
            },
            _ => sorted_json(v),
        };
        out.insert(k, v);
    }
    Value::Object(out.into_iter().collect())
}

/// A string, or a list of strings, as a sorted list without duplicates.
fn string_set(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::Array(vec![Value::String(s)]),
        Value::Array(items) if items.iter().all(Value::is_string) => {
            let mut strings: Vec<String> = items.into_iter().filter_map(|i| i.as_str().map(str::to_string)).collect();
            strings.sort();
            strings.dedup();
            Value::Array(strings.into_iter().map(Value::String).collect())
        }
        other => sorted_json(other),
    }
}

/// The region of an ARN (`arn:partition:service:region:account:resource`).
pub fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

fn set<T: Ord>(list: Option<Vec<T>>) -> Option<Vec<T>> {
    let mut list = list?;
    list.sort();
    list.dedup();
    (!list.is_empty()).then_some(list)
}

/// Sorting keeps the count; deduplicating a non-empty list leaves at least one item, so the bounds
/// of every set-like `Bounded` in the model (minimum 0 or 1) still hold.
fn bounded_set<T: Ord, const MIN: usize, const MAX: usize>(list: Bounded<T, MIN, MAX>) -> Bounded<T, MIN, MAX> {
    list.map_items(|mut v| {
        v.sort();
        v.dedup();
        v
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::decode::{Cx, Decode, Node};
    use crate::model::GatewayName;

    fn decode(json: serde_json::Value) -> Gateway {
        let mut problems = Vec::new();
        let node = Node::from_json(&json);
        let g = Gateway::decode(&node, &mut Cx::new("test", &mut problems));
        assert!(problems.is_empty(), "{problems:?}");
        g.expect("decodes")
    }

    fn base() -> serde_json::Value {
        serde_json::json!({
            "name": "orders",
            "roleArn": "arn:aws:iam::123456789012:role/gw",
            "authorizerType": "AWS_IAM",
        })
    }

    fn with(extra: serde_json::Value) -> Gateway {
        let mut v = base();
        if let (Some(obj), Some(more)) = (v.as_object_mut(), extra.as_object()) {
            for (k, x) in more {
                obj.insert(k.clone(), x.clone());
            }
        }
        decode(v)
    }

    fn same(a: Gateway, b: Gateway) {
        assert_eq!(gateway(a), gateway(b));
    }

    #[test]
    fn default_session_timeout_equals_absent() {
        let explicit = with(serde_json::json!({
            "protocolConfiguration": {"mcp": {"searchType": "SEMANTIC", "sessionConfiguration": {"sessionTimeoutInSeconds": 3600}}}
        }));
        let absent = with(serde_json::json!({"protocolConfiguration": {"mcp": {"searchType": "SEMANTIC"}}}));
        assert_ne!(explicit, absent);
        same(explicit, absent);
    }

    #[test]
    fn non_default_session_timeout_is_kept() {
        let a = with(serde_json::json!({
            "protocolConfiguration": {"mcp": {"sessionConfiguration": {"sessionTimeoutInSeconds": 7200}}}
        }));
        assert_ne!(gateway(a), gateway(with(serde_json::json!({}))));
    }

    #[test]
    fn mcp_configuration_left_empty_equals_absent() {
        let only_default = with(serde_json::json!({
            "protocolConfiguration": {"mcp": {"sessionConfiguration": {"sessionTimeoutInSeconds": 3600}}}
        }));
        let norm = gateway(only_default);
        assert_eq!(norm.protocol_configuration, None);
        assert_eq!(norm, gateway(with(serde_json::json!({}))));
    }

    #[test]
    fn empty_mcp_substructures_equal_absent() {
        let mut g = with(serde_json::json!({"protocolConfiguration": {"mcp": {"searchType": "SEMANTIC"}}}));
        if let Some(ProtocolConfiguration::Mcp(mcp)) = &mut g.protocol_configuration {
            mcp.session_configuration = Some(Default::default());
            mcp.streaming_configuration = Some(Default::default());
        }
        same(g, with(serde_json::json!({"protocolConfiguration": {"mcp": {"searchType": "SEMANTIC"}}})));
    }

    #[test]
    fn pagination_false_equals_absent() {
        let explicit = with(serde_json::json!({
            "protocolConfiguration": {"mcp": {"searchType": "SEMANTIC", "disableMcpListToolsPagination": false}}
        }));
        same(explicit, with(serde_json::json!({"protocolConfiguration": {"mcp": {"searchType": "SEMANTIC"}}})));
        let on = with(serde_json::json!({"protocolConfiguration": {"mcp": {"disableMcpListToolsPagination": true}}}));
        assert_ne!(gateway(on), gateway(with(serde_json::json!({}))));
    }

    #[test]
    fn empty_waf_configuration_equals_absent() {
        same(with(serde_json::json!({"wafConfiguration": {"failureMode": null}})), with(serde_json::json!({})));
        let mut g = with(serde_json::json!({}));
        g.waf_configuration = Some(crate::model::WafConfiguration { failure_mode: None });
        same(g, with(serde_json::json!({})));
    }

    #[test]
    fn empty_custom_transform_equals_absent() {
        let mut g = with(serde_json::json!({}));
        g.custom_transform_configuration =
            Some(CustomTransformConfiguration { lambda: Some(crate::model::LambdaTransform { arn: None }) });
        same(g.clone(), with(serde_json::json!({})));
        g.custom_transform_configuration = Some(CustomTransformConfiguration { lambda: None });
        same(g, with(serde_json::json!({})));
    }

    #[test]
    fn empty_lists_equal_absent() {
        let jwt = serde_json::json!({"discoveryUrl": "https://idp.example.com/.well-known/openid-configuration"});
        let mut g = with(serde_json::json!({
            "authorizerType": "CUSTOM_JWT",
            "authorizerConfiguration": {"customJWTAuthorizer": jwt.clone()},
            "protocolConfiguration": {"mcp": {"searchType": "SEMANTIC"}},
        }));
        let plain = g.clone();
        if let Some(AuthorizerConfiguration::CustomJwtAuthorizer(j)) = &mut g.authorizer_configuration {
            j.allowed_audience = Some(vec![]);
            j.allowed_clients = Some(vec![]);
            j.allowed_scopes = Some(vec![]);
            j.custom_claims = Some(vec![]);
        }
        if let Some(ProtocolConfiguration::Mcp(m)) = &mut g.protocol_configuration {
            m.supported_versions = Some(vec![]);
        }
        same(g, plain);
    }

    #[test]
    fn empty_nested_lists_and_structures_in_the_authorizer_equal_absent() {
        let jwt = |extra: serde_json::Value| {
            let mut j = serde_json::json!({"discoveryUrl": "https://idp.example.com/.well-known/openid-configuration"});
            if let (Some(o), Some(e)) = (j.as_object_mut(), extra.as_object()) {
                o.extend(e.clone());
            }
            with(
                serde_json::json!({"authorizerType": "CUSTOM_JWT", "authorizerConfiguration": {"customJWTAuthorizer": j}}),
            )
        };
        let vpc = serde_json::json!({"managedVpcResource": {
            "vpcIdentifier": "vpc-0123abcd", "endpointIpAddressType": "IPV4", "subnetIds": ["subnet-aaaaaaaa"],
        }});
        let plain = jwt(serde_json::json!({"privateEndpoint": vpc}));
        let mut g = plain.clone();
        if let Some(AuthorizerConfiguration::CustomJwtAuthorizer(j)) = &mut g.authorizer_configuration {
            j.private_endpoint_overrides = Some(Bounded::new(vec![]).expect("0 is allowed"));
            j.allowed_workload_configuration =
                Some(AllowedWorkloadConfiguration { hosting_environments: None, workload_identities: None });
            if let Some(PrivateEndpoint::ManagedVpcResource(v)) = &mut j.private_endpoint {
                v.security_group_ids = Some(Bounded::new(vec![]).expect("0 is allowed"));
                v.tags = Some(Tags::default());
            }
        }
        same(g, plain);
    }

    #[test]
    fn empty_strings_and_lists_in_json_equal_absent() {
        // The observed side may be built from JSON: decoding treats "" and [] as not set.
        let g = with(serde_json::json!({"description": "", "interceptorConfigurations": [], "tags": {}}));
        same(g, with(serde_json::json!({})));
    }

    #[test]
    fn empty_tags_equal_absent() {
        let mut g = with(serde_json::json!({}));
        g.tags = Some(Tags::default());
        same(g, with(serde_json::json!({})));
    }

    #[test]
    fn set_like_lists_compare_without_order_or_duplicates() {
        let jwt = |aud: serde_json::Value, clients: serde_json::Value, scopes: serde_json::Value| {
            with(serde_json::json!({
                "authorizerType": "CUSTOM_JWT",
                "authorizerConfiguration": {"customJWTAuthorizer": {
                    "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                    "allowedAudience": aud, "allowedClients": clients, "allowedScopes": scopes,
                }},
            }))
        };
        same(
            jwt(serde_json::json!(["b", "a"]), serde_json::json!(["y", "x", "x"]), serde_json::json!(["s2", "s1"])),
            jwt(serde_json::json!(["a", "b"]), serde_json::json!(["x", "y"]), serde_json::json!(["s1", "s2"])),
        );
    }

    #[test]
    fn supported_versions_compare_without_order() {
        let v = |list: serde_json::Value| {
            with(serde_json::json!({"protocolConfiguration": {"mcp": {"supportedVersions": list}}}))
        };
        same(v(serde_json::json!(["2025-06-18", "2025-03-26"])), v(serde_json::json!(["2025-03-26", "2025-06-18"])));
    }

    #[test]
    fn interception_points_compare_without_order() {
        let i = |points: serde_json::Value| {
            with(serde_json::json!({"interceptorConfigurations": [{
                "interceptor": {"lambda": {"arn": "arn:aws:lambda:us-east-1:123456789012:function:f"}},
                "interceptionPoints": points,
            }]}))
        };
        same(i(serde_json::json!(["RESPONSE", "REQUEST"])), i(serde_json::json!(["REQUEST", "RESPONSE"])));
    }

    #[test]
    fn subnet_and_security_group_ids_compare_without_order() {
        let vpc = |subnets: serde_json::Value, groups: serde_json::Value| {
            with(serde_json::json!({
                "authorizerType": "CUSTOM_JWT",
                "authorizerConfiguration": {"customJWTAuthorizer": {
                    "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                    "privateEndpoint": {"managedVpcResource": {
                        "vpcIdentifier": "vpc-0123abcd", "endpointIpAddressType": "IPV4",
                        "subnetIds": subnets, "securityGroupIds": groups,
                    }},
                }},
            }))
        };
        same(
            vpc(
                serde_json::json!(["subnet-bbbbbbbb", "subnet-aaaaaaaa"]),
                serde_json::json!(["sg-bbbbbbbb", "sg-aaaaaaaa"]),
            ),
            vpc(
                serde_json::json!(["subnet-aaaaaaaa", "subnet-bbbbbbbb"]),
                serde_json::json!(["sg-aaaaaaaa", "sg-bbbbbbbb"]),
            ),
        );
    }

    #[test]
    fn workload_lists_compare_without_order() {
        let w = |ids: serde_json::Value| {
            with(serde_json::json!({
                "authorizerType": "CUSTOM_JWT",
                "authorizerConfiguration": {"customJWTAuthorizer": {
                    "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                    "allowedWorkloadConfiguration": {"workloadIdentities": ids},
                }},
            }))
        };
        same(w(serde_json::json!(["wl-b", "wl-a"])), w(serde_json::json!(["wl-a", "wl-b"])));
    }

    #[test]
    fn ordered_lists_keep_their_order() {
        let i = |a: &str, b: &str| {
            with(serde_json::json!({"interceptorConfigurations": [
                {"interceptor": {"lambda": {"arn": format!("arn:aws:lambda:us-east-1:123456789012:function:{a}")}}, "interceptionPoints": ["REQUEST"]},
                {"interceptor": {"lambda": {"arn": format!("arn:aws:lambda:us-east-1:123456789012:function:{b}")}}, "interceptionPoints": ["REQUEST"]},
            ]}))
        };
        assert_ne!(gateway(i("a", "b")), gateway(i("b", "a")));
    }

    #[test]
    fn aws_tag_keys_are_ignored() {
        let a = with(serde_json::json!({"tags": {"team": "x", "aws:cloudformation:stack-name": "s"}}));
        same(a, with(serde_json::json!({"tags": {"team": "x"}})));
        let only_aws = with(serde_json::json!({"tags": {"aws:foo": "bar"}}));
        same(only_aws, with(serde_json::json!({})));
        let mut live = TagMap::new();
        live.insert("aws:foo".into(), "1".into());
        live.insert("team".into(), "x".into());
        assert_eq!(tag_map(&live), TagMap::from([("team".to_string(), "x".to_string())]));
    }

    #[test]
    fn aws_tag_keys_in_managed_vpc_resource_are_ignored() {
        let vpc = |tags: serde_json::Value| {
            with(serde_json::json!({
                "authorizerType": "CUSTOM_JWT",
                "authorizerConfiguration": {"customJWTAuthorizer": {
                    "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                    "privateEndpoint": {"managedVpcResource": {
                        "vpcIdentifier": "vpc-0123abcd", "endpointIpAddressType": "IPV4",
                        "subnetIds": ["subnet-aaaaaaaa"], "tags": tags,
                    }},
                }},
            }))
        };
        same(vpc(serde_json::json!({"aws:x": "1", "k": "v"})), vpc(serde_json::json!({"k": "v"})));
    }

    #[test]
    fn absent_protocol_type_equals_mcp() {
        same(with(serde_json::json!({"protocolType": "MCP"})), with(serde_json::json!({})));
    }

    #[test]
    fn normalize_is_idempotent() {
        let g = with(serde_json::json!({
            "protocolConfiguration": {"mcp": {"supportedVersions": ["b", "a", "a"], "sessionConfiguration": {"sessionTimeoutInSeconds": 900}}},
            "tags": {"aws:x": "1", "t": ""},
        }));
        let once = gateway(g);
        assert_eq!(gateway(once.clone()), once);
    }

    #[test]
    fn gateway_tags_drop_service_keys() {
        let g = with(serde_json::json!({"tags": {"aws:x": "1", "team": "a"}}));
        assert_eq!(gateway_tags(&g), TagMap::from([("team".to_string(), "a".to_string())]));
        let none = Gateway::minimal(
            GatewayName::try_from("n").expect("valid"),
            crate::model::RoleArn::try_from("arn:aws:iam::123456789012:role/r").expect("valid"),
            crate::model::AuthorizerType::None,
        );
        assert!(gateway_tags(&none).is_empty());
    }

    fn target(json: serde_json::Value) -> Target {
        let mut problems = Vec::new();
        let node = Node::from_json(&json);
        let t = Target::decode(&node, &mut Cx::new("test", &mut problems));
        assert!(problems.is_empty(), "{problems:?}");
        t.expect("decodes")
    }

    #[test]
    fn target_defaults_service_additions_and_set_order_are_no_difference() {
        let live = target(serde_json::json!({
            "name": "docs",
            "targetConfiguration": { "mcp": { "mcpServer": {
                "endpoint": "https://docs.example.com/mcp", "listingMode": "DEFAULT", "resourcePriority": 1000,
                "mcpToolSchema": { "inlinePayload": "{ \"b\": 1,\n  \"a\": [1, 2] }" } } } },
            "credentialProviderConfigurations": [{ "credentialProviderType": "GATEWAY_IAM_ROLE",
                "credentialProvider": { "iamCredentialProvider": { "service": "execute-api", "region": "us-east-1" } } }],
            "metadataConfiguration": { "allowedRequestHeaders": ["x-b", "X-Amzn-Bedrock-AgentCore-Policy-Session-Id", "x-a"] }
        }));
        let spec = target(serde_json::json!({
            "name": "docs",
            "targetConfiguration": { "mcp": { "mcpServer": {
                "endpoint": "https://docs.example.com/mcp", "mcpToolSchema": { "inlinePayload": "{\"a\":[1,2],\"b\":1}" } } } },
            "credentialProviderConfigurations": [{ "credentialProviderType": "GATEWAY_IAM_ROLE",
                "credentialProvider": { "iamCredentialProvider": { "service": "execute-api" } } }],
            "metadataConfiguration": { "allowedRequestHeaders": ["x-a", "x-b"] }
        }));
        assert_eq!(super::target(live.clone(), Some("us-east-1")), super::target(spec.clone(), Some("us-east-1")));
        // Another region is a real difference, and so is another priority.
        assert_ne!(super::target(live, Some("eu-west-1")), super::target(spec, Some("eu-west-1")));
    }

    #[test]
    fn only_the_policy_header_leaves_no_metadata_configuration() {
        let t = target(serde_json::json!({
            "name": "t", "targetConfiguration": { "mcp": { "mcpServer": { "endpoint": "https://x" } } },
            "metadataConfiguration": { "allowedRequestHeaders": [POLICY_SESSION_HEADER] }
        }));
        assert_eq!(super::target(t, None).metadata_configuration, None);
    }

    #[test]
    fn policies_compare_as_iam_reads_them() {
        let a = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow", "Action": "bedrock-agentcore:InvokeGateway",
                "Principal": { "AWS": "arn:aws:iam::123456789012:root" }, "Resource": "*"
            }
        });
        let b = serde_json::json!({
            "Statement": [{
                "Resource": ["*"], "Principal": { "AWS": ["arn:aws:iam::123456789012:root"] },
                "Action": ["bedrock-agentcore:InvokeGateway", "bedrock-agentcore:InvokeGateway"], "Effect": "Allow"
            }],
            "Version": "2012-10-17"
        });
        assert_eq!(policy(a.clone()), policy(b));
        // Statement order is meaning: two statements swapped are a difference.
        let two = |x: &str, y: &str| {
            serde_json::json!({ "Version": "2012-10-17", "Statement": [
                { "Sid": x, "Effect": "Allow", "Action": "a:b", "Resource": "*" },
                { "Sid": y, "Effect": "Deny", "Action": "a:c", "Resource": "*" }
            ]})
        };
        assert_ne!(policy(two("one", "two")), policy(two("two", "one")));
        assert_eq!(policy(two("one", "two")), policy(two("one", "two")));
    }

    /// Every list of the fixtures with two or more items, with its member name and JSON pointer;
    /// the lists of items with an identity (gateways, targets, rules, rate limits) are not members.
    fn lists(value: &serde_json::Value, key: &str, at: String, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    lists(v, k, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
                }
            }
            serde_json::Value::Array(items) => {
                let identified = ["gateways", "targets", "rules", "rateLimits"].contains(&key);
                if items.len() >= 2 && !identified {
                    out.push((at.clone(), key.to_string()));
                }
                for (i, v) in items.iter().enumerate() {
                    lists(v, "", format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    /// The fixture's first gateway and its targets, loaded and normalized.
    fn loaded(doc: &serde_json::Value) -> (Gateway, Vec<Target>) {
        let yaml = serde_yaml::to_string(doc).expect("yaml");
        let mut specs = match crate::load::load_text("fixture.yaml", &yaml, &|_| None) {
            Ok(d) => d.specs,
            Err(p) => panic!("the fixture does not load: {p}"),
        };
        let spec = specs.remove(0);
        let targets = spec.targets.unwrap_or_default().into_iter().map(|t| crate::normalize::target(t, None)).collect();
        (crate::normalize::gateway(spec.gateway), targets)
    }

    /// Normalization and the declarations agree: reversing a list of the fixtures changes
    /// nothing after normalization exactly when its member is declared `#[set_like]`.
    #[test]
    fn normalize_treats_as_sets_exactly_the_lists_declared_set_like() {
        let index = crate::model::schema::members();
        let mut sets_seen = std::collections::BTreeSet::new();
        for fixture in ["every-member.yaml", "every-target.yaml"] {
            let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).expect("fixture");
            let base: serde_json::Value = serde_yaml::from_str(&text).expect("yaml");
            let normalized = loaded(&base);
            let mut found = Vec::new();
            lists(&base, "", String::new(), &mut found);
            for (pointer, key) in found {
                let mut doc = base.clone();
                if let Some(serde_json::Value::Array(items)) = doc.pointer_mut(&pointer) {
                    items.reverse();
                }
                if doc == base {
                    continue;
                }
                let same = loaded(&doc) == normalized;
                assert_eq!(same, index.is_set_like(&key), "{fixture}: {pointer} ({key})");
                if same {
                    sets_seen.insert(key);
                }
            }
        }
        assert!(sets_seen.len() >= 6, "too few set-like lists in the fixtures: {sets_seen:?}");
    }
}

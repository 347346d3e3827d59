//! Rules, rate limits and resource policies: every union member decodes, each constraint is
//! reported at its own path and line, and model → SDK → model is the identity.

use super::decode::{Cx, Decode, Node};
use super::policy::{ResourcePolicy, MAX_POLICY_CHARS};
use super::rate_limit::{BatchPutLimitEntry, Period, Rate, RateLimit};
use super::rule::{Action, Condition, ConfigurationBundleAction, RouteToTargetAction, Rule};
use super::sdk::Sdk;
use crate::problem::Problem;

fn node(yaml: &str) -> Node {
    crate::load::yaml::parse_documents(yaml).expect("valid YAML").into_iter().next().flatten().expect("a document")
}

/// Decodes `yaml` as `T` plus its cross-field rules: the value and the problems as
/// `(path, line, message)`.
fn decode<T: Decode>(yaml: &str, cross: fn(&Node, &mut Cx<'_>)) -> (Option<T>, Vec<(String, usize, String)>) {
    let n = node(yaml);
    let mut problems: Vec<Problem> = Vec::new();
    let mut cx = Cx::new("spec.yaml", &mut problems);
    let v = T::decode(&n, &mut cx);
    cross(&n, &mut cx);
    (v, problems.into_iter().map(|p| (p.path, p.mark.line, p.message)).collect())
}

fn no_cross(_: &Node, _: &mut Cx<'_>) {}

const BUNDLE_ARN: &str = "arn:aws:bedrock-agentcore:us-east-1:123456789012:configuration-bundle/orders-abcdefghij";

/// Two rules (the model allows at most 2 actions) that between them set every member of every
/// shape, each union member used at least once.
fn full_rules() -> [String; 2] {
    let a = format!(
        r#"priority: 10
description: Route the beta cohort
conditions:
  - matchPrincipals:
      anyOf:
        - iamPrincipal: {{ arn: "arn:aws:iam::123456789012:role/beta-*", operator: StringLike }}
  - matchPaths: {{ anyOf: ["/v1/*", "/chat/*"] }}
  - matchModels:
      anyOf:
        - {{ value: "anthropic.claude-*", operator: StringLike }}
        - {{ value: "amazon.nova-pro", operator: StringEquals }}
actions:
  - routeToTarget:
      staticRoute:
        targetName: primary
        model: anthropic.claude-sonnet
        fallback:
          triggerOn: {{ statusCodes: ["429", "5XX"], errors: [CONNECTION_ERROR, FIRST_BYTE_TIMEOUT, UNROUTABLE] }}
          firstByteTimeoutMilliseconds: 3000
          circuitBreaker: {{ mode: DISABLED }}
          targetFallback:
            - targetName: backup
              model: amazon.nova-pro
              triggerOn: {{ statusCodes: ["503"] }}
              firstByteTimeoutMilliseconds: 5000
  - configurationBundle:
      weightedOverride:
        trafficSplit:
          - name: old
            weight: 50
            configurationBundle: {{ bundleArn: "{BUNDLE_ARN}", bundleVersion: "0b5e4c1a-1111-4222-8333-444455556666" }}
            description: the old bundle
            metadata: {{ k: v }}
          - name: new
            weight: 50
            configurationBundle: {{ bundleArn: "{BUNDLE_ARN}", bundleVersion: "9f8e7d6c-1111-4222-8333-444455556666" }}
"#
    );
    let b = format!(
        r#"priority: 20
actions:
  - routeToTarget:
      weightedRoute:
        trafficSplit:
          - {{ targetName: blue, name: a, weight: 90, model: m1, description: most, metadata: {{ cohort: main }},
              fallback: {{ targetFallback: [{{ targetName: backup }}] }} }}
          - {{ targetName: green, name: b, weight: 10 }}
  - configurationBundle:
      staticOverride: {{ bundleArn: "{BUNDLE_ARN}", bundleVersion: "0b5e4c1a-1111-4222-8333-444455556666" }}
"#
    );
    [a, b]
}

#[test]
fn a_rule_with_every_member_decodes() {
    let [a, b] = full_rules();
    let (rule, problems) = decode::<Rule>(&a, Rule::check_cross_field);
    assert_eq!(problems, vec![]);
    let rule = rule.expect("decoded");
    assert_eq!(rule.priority.get(), 10);
    let conditions = rule.conditions.as_ref().expect("conditions");
    assert!(matches!(conditions[0], Condition::MatchPrincipals(_)));
    assert!(matches!(conditions[1], Condition::MatchPaths(_)));
    assert!(matches!(conditions[2], Condition::MatchModels(_)));
    assert!(matches!(rule.actions[0], Action::RouteToTarget(RouteToTargetAction::StaticRoute(_))));
    assert!(matches!(rule.actions[1], Action::ConfigurationBundle(ConfigurationBundleAction::WeightedOverride(_))));
    let routed: Vec<&str> = rule.routed_targets().iter().map(|t| t.as_str()).collect();
    assert_eq!(routed, vec!["primary", "backup"]);
    // API naming on the way out.
    let json = serde_json::to_value(&rule).expect("serializes");
    assert_eq!(json["actions"][0]["routeToTarget"]["staticRoute"]["fallback"]["firstByteTimeoutMilliseconds"], 3000);
    assert_eq!(json["conditions"][1]["matchPaths"]["anyOf"][0], "/v1/*");

    let (rule, problems) = decode::<Rule>(&b, Rule::check_cross_field);
    assert_eq!(problems, vec![]);
    let rule = rule.expect("decoded");
    assert!(matches!(rule.actions[0], Action::RouteToTarget(RouteToTargetAction::WeightedRoute(_))));
    assert!(matches!(rule.actions[1], Action::ConfigurationBundle(ConfigurationBundleAction::StaticOverride(_))));
    let routed: Vec<&str> = rule.routed_targets().iter().map(|t| t.as_str()).collect();
    assert_eq!(routed, vec!["blue", "backup", "green"]);
}

#[test]
fn a_rule_round_trips_through_the_sdk() {
    for yaml in full_rules() {
        let rule = decode::<Rule>(&yaml, Rule::check_cross_field).0.expect("decoded");
        // Rule is converted member by member, as operations do.
        let conditions = rule.conditions.as_ref().map(|c| c.to_sdk().expect("to sdk"));
        let actions = rule.actions.to_sdk().expect("to sdk");
        let back = Rule {
            priority: super::sdk::req(rule.priority.get(), "", "priority").expect("priority"),
            description: super::sdk::opt(rule.description.as_ref().map(|d| d.to_string()), "", "description")
                .expect("description"),
            conditions: super::sdk::opt(conditions, "", "conditions").expect("conditions"),
            actions: super::sdk::req(actions, "", "actions").expect("actions"),
        };
        assert_eq!(back, rule);
    }
}

/// The problems of a rule whose `actions` (or whole body, when it has `priority:`) is `yaml`.
fn rule_problems(yaml: &str) -> Vec<(String, String)> {
    let body = if yaml.starts_with("priority:") { yaml.to_string() } else { format!("priority: 1\n{yaml}") };
    let (_, problems) = decode::<Rule>(&body, Rule::check_cross_field);
    problems.into_iter().map(|(p, _, m)| (p, m)).collect()
}

#[test]
fn rule_bounds_are_the_service_models() {
    let route = "actions: [{ routeToTarget: { staticRoute: { targetName: t } } }]";
    let split = |w1: i32, w2: i32| {
        format!(
            "actions: [{{ routeToTarget: {{ weightedRoute: {{ trafficSplit: [{{ targetName: a, name: a, weight: {w1} }}, {{ targetName: b, name: b, weight: {w2} }}] }} }} }}]"
        )
    };
    let bundle = format!("{{ bundleArn: \"{BUNDLE_ARN}\", bundleVersion: \"0b5e4c1a-1111-4222-8333-444455556666\" }}");
    let fallback = |ms: i32| {
        format!("actions: [{{ routeToTarget: {{ staticRoute: {{ targetName: t, fallback: {{ firstByteTimeoutMilliseconds: {ms}, targetFallback: [{{ targetName: b }}] }} }} }} }}]")
    };
    let path = |p: &str| format!("conditions: [{{ matchPaths: {{ anyOf: [\"{p}\"] }} }}]\n{route}");
    let ok: Vec<String> = vec![
        split(1, 99),
        split(99, 1),
        fallback(50),
        fallback(900_000),
        format!("{route}\nconditions: []"),
        format!("conditions: [{{ matchPaths: {{ anyOf: [\"/a/*\"] }} }}, {{ matchPaths: {{ anyOf: [\"/b/*\"] }} }}, {{ matchPaths: {{ anyOf: [\"/c/*\"] }} }}]\n{route}"),
        path("/my-target-canary/*"),
        path("/v1.2_x/*"),
        format!("description: \"{}\"\n{route}", "d".repeat(256)),
        format!("actions: [{{ routeToTarget: {{ staticRoute: {{ targetName: t }} }} }}, {{ configurationBundle: {{ staticOverride: {bundle} }} }}]"),
        format!("conditions: [{{ matchPrincipals: {{ anyOf: [{{ iamPrincipal: {{ arn: \"arn:aws:sts::*:assumed-role/ci/*\" }} }}] }} }}]\n{route}"),
        format!("conditions: [{{ matchModels: {{ anyOf: [{{ value: \"us.anthropic.claude-*:0\" }}] }} }}]\n{route}"),
    ];
    for yaml in &ok {
        assert_eq!(rule_problems(yaml), vec![], "{yaml}");
    }
    let four = "[{ matchPaths: { anyOf: [\"/a/*\"] } }, { matchPaths: { anyOf: [\"/a/*\"] } }, { matchPaths: { anyOf: [\"/a/*\"] } }, { matchPaths: { anyOf: [\"/a/*\"] } }]";
    let eleven = format!("[{}]", ["\"/a/*\""; 11].join(", "));
    let refused: Vec<(String, &str, &str)> = vec![
        // Weight 1–99: [100, 0] sums to 100 but is not a split.
        (split(100, 0), "actions[0].routeToTarget.weightedRoute.trafficSplit[0].weight", "from 1 to 99"),
        (split(100, 0), "actions[0].routeToTarget.weightedRoute.trafficSplit[1].weight", "from 1 to 99"),
        // Exactly two entries.
        (
            "actions: [{ routeToTarget: { weightedRoute: { trafficSplit: [{ targetName: a, name: a, weight: 50 }] } } }]".into(),
            "actions[0].routeToTarget.weightedRoute.trafficSplit",
            "exactly 2 items",
        ),
        (
            format!("actions: [{{ configurationBundle: {{ weightedOverride: {{ trafficSplit: [{{ name: a, weight: 40, configurationBundle: {bundle} }}, {{ name: b, weight: 30, configurationBundle: {bundle} }}, {{ name: c, weight: 30, configurationBundle: {bundle} }}] }} }} }}]"),
            "actions[0].configurationBundle.weightedOverride.trafficSplit",
            "exactly 2 items",
        ),
        // A weightedOverride entry needs its bundle.
        (
            format!("actions: [{{ configurationBundle: {{ weightedOverride: {{ trafficSplit: [{{ name: a, weight: 50, configurationBundle: {bundle} }}, {{ name: b, weight: 50 }}] }} }} }}]"),
            "actions[0].configurationBundle.weightedOverride.trafficSplit[1].configurationBundle",
            "missing required key",
        ),
        (fallback(49), "actions[0].routeToTarget.staticRoute.fallback.firstByteTimeoutMilliseconds", "from 50 to 900000"),
        (fallback(900_001), "actions[0].routeToTarget.staticRoute.fallback.firstByteTimeoutMilliseconds", "from 50 to 900000"),
        (format!("conditions: {four}\n{route}"), "conditions", "at most 3 items"),
        (
            "actions: [{ routeToTarget: { staticRoute: { targetName: a } } }, { routeToTarget: { staticRoute: { targetName: b } } }, { routeToTarget: { staticRoute: { targetName: c } } }]".into(),
            "actions",
            "1–2 items",
        ),
        (format!("conditions: [{{ matchPaths: {{ anyOf: {eleven} }} }}]\n{route}"), "conditions[0].matchPaths.anyOf", "1–10 items"),
        (path("/v1/chat/*"), "conditions[0].matchPaths.anyOf[0]", "matching"),
        (path("/v1"), "conditions[0].matchPaths.anyOf[0]", "matching"),
        (format!("description: \"{}\"\n{route}", "d".repeat(257)), "description", "1–256 characters"),
        (
            format!("conditions: [{{ matchPrincipals: {{ anyOf: [{{ iamPrincipal: {{ arn: \"role/ci\" }} }}] }} }}]\n{route}"),
            "conditions[0].matchPrincipals.anyOf[0].iamPrincipal.arn",
            "matching",
        ),
        (
            format!("conditions: [{{ matchModels: {{ anyOf: [{{ value: \"a b\" }}] }} }}]\n{route}"),
            "conditions[0].matchModels.anyOf[0].value",
            "matching",
        ),
        (
            "actions: [{ routeToTarget: { staticRoute: { targetName: t, model: \"-m\" } } }]".into(),
            "actions[0].routeToTarget.staticRoute.model",
            "matching",
        ),
        (
            "actions: [{ configurationBundle: { staticOverride: { bundleArn: \"arn:b\", bundleVersion: \"3\" } } }]".into(),
            "actions[0].configurationBundle.staticOverride.bundleArn",
            "matching",
        ),
        (
            "actions: [{ configurationBundle: { staticOverride: { bundleArn: \"arn:b\", bundleVersion: \"3\" } } }]".into(),
            "actions[0].configurationBundle.staticOverride.bundleVersion",
            "matching",
        ),
        (
            "actions: [{ routeToTarget: { weightedRoute: { trafficSplit: [{ targetName: a, name: \"a-\", weight: 50 }, { targetName: b, name: b, weight: 50, description: \"\" }] } } }]".into(),
            "actions[0].routeToTarget.weightedRoute.trafficSplit[0].name",
            "matching",
        ),
        (
            format!(
                "actions: [{{ routeToTarget: {{ weightedRoute: {{ trafficSplit: [{{ targetName: a, name: a, weight: 50, description: \"{}\" }}, {{ targetName: b, name: b, weight: 50 }}] }} }} }}]",
                "d".repeat(201)
            ),
            "actions[0].routeToTarget.weightedRoute.trafficSplit[0].description",
            "1–200 characters",
        ),
        (
            format!(
                "actions: [{{ routeToTarget: {{ weightedRoute: {{ trafficSplit: [{{ targetName: a, name: a, weight: 50, metadata: {{ {} }} }}, {{ targetName: b, name: b, weight: 50 }}] }} }} }}]",
                (0..26).map(|i| format!("k{i}: v")).collect::<Vec<_>>().join(", ")
            ),
            "actions[0].routeToTarget.weightedRoute.trafficSplit[0].metadata",
            "at most 25 entries",
        ),
        (
            "actions: [{ routeToTarget: { staticRoute: { targetName: t, fallback: { triggerOn: { errors: [UNROUTABLE, UNROUTABLE, UNROUTABLE, UNROUTABLE] }, targetFallback: [{ targetName: b }] } } } }]".into(),
            "actions[0].routeToTarget.staticRoute.fallback.triggerOn.errors",
            "1–3 items",
        ),
    ];
    for (yaml, path, message) in &refused {
        let problems = rule_problems(yaml);
        assert!(
            problems.iter().any(|(p, m)| p == path && m.contains(message)),
            "{path}: {message} missing from {problems:#?}\nfor {yaml}"
        );
    }
}

#[test]
fn live_values_outside_the_bounds_are_read_as_they_are() {
    use aws_sdk_bedrockagentcorecontrol::types as t;
    // Tolerant of what the service sends: a split of one entry weighted 100, a bundle-less
    // override entry, a 1-character rate limit ID and two rate configs all read back verbatim.
    let split = t::TargetTrafficSplitEntry::builder().target_name("a").name("-").weight(100).build().expect("entry");
    let route = t::WeightedRoute::builder().traffic_split(split).build().expect("route");
    let read = super::rule::WeightedRoute::from_sdk(route, "w").expect("readable");
    assert_eq!(read.traffic_split.len(), 1);
    assert_eq!(read.traffic_split[0].weight.get(), 100);
    let config = t::RateConfig::builder().rate(2e7).period(t::Period::Second).build().expect("config");
    let entry = t::LimitEntry::builder()
        .dimensions("principal", "")
        .requests(config.clone())
        .requests(config)
        .build()
        .expect("entry");
    let batch = t::BatchPutLimitEntry::builder()
        .rate_limit_id("x")
        .dimension_keys("principal")
        .entries(entry)
        .build()
        .expect("batch");
    let read = BatchPutLimitEntry::from_sdk(batch, "").expect("readable");
    assert_eq!(read.rate_limit_id.as_ref().map(|i| i.as_str()), Some("x"));
    assert_eq!(read.entries[0].requests.as_ref().map(|r| r.len()), Some(2));
    assert_eq!(read.entries[0].requests.as_ref().map(|r| r[0].rate.get()), Some(2e7));
}

#[test]
fn rule_constraints_are_reported_where_they_are() {
    let yaml = r#"priority: 0
actions:
  - routeToTarget:
      weightedRoute:
        trafficSplit:
          - { targetName: "-bad", name: a, weight: 101 }
          - { targetName: b, name: b, weight: 20 }
  - routeToTarget:
      staticRoute:
        targetName: t
        fallback:
          triggerOn: { statusCodes: ["200"], errors: [TIMEOUT] }
          firstByteTimeoutMilliseconds: 0
          circuitBreaker: { mode: OFF }
          targetFallback: [{ targetName: a }, { targetName: b }, { targetName: c }]
  - configurationBundle:
      weightedOverride:
        trafficSplit:
          - { name: a, weight: 30 }
  - configurationBundle: {}
conditions:
  - matchPrincipals: { anyOf: [] }
  - matchPaths: { anyOf: ["/x"] }
    matchModels: { anyOf: [{ value: m, operator: Equals }] }
  - matchModels: { anyOf: [{ operator: StringLike }] }
"#;
    let (rule, problems) = decode::<Rule>(yaml, Rule::check_cross_field);
    assert!(rule.is_none());
    let paths: Vec<(&str, usize)> = problems.iter().map(|(p, l, _)| (p.as_str(), *l)).collect();
    for want in [
        ("priority", 1),
        ("actions[0].routeToTarget.weightedRoute.trafficSplit[0].targetName", 6),
        ("actions[0].routeToTarget.weightedRoute.trafficSplit[0].weight", 6),
        ("actions[1].routeToTarget.staticRoute.fallback.triggerOn.statusCodes[0]", 12),
        ("actions[1].routeToTarget.staticRoute.fallback.triggerOn.errors[0]", 12),
        ("actions[1].routeToTarget.staticRoute.fallback.firstByteTimeoutMilliseconds", 13),
        ("actions[1].routeToTarget.staticRoute.fallback.circuitBreaker.mode", 14),
        ("actions[1].routeToTarget.staticRoute.fallback.targetFallback", 15),
        ("actions[2].configurationBundle.weightedOverride.trafficSplit", 18),
        ("actions[3].configurationBundle", 20),
        ("conditions[0].matchPrincipals.anyOf", 22),
        ("conditions[1]", 23),
        ("conditions[2].matchModels.anyOf[0].value", 25),
    ] {
        assert!(paths.contains(&want), "{want:?} missing from {problems:#?}");
    }
    // The sum rule runs even where a member failed, so both weighted splits are checked.
    assert!(problems
        .iter()
        .any(|(p, _, m)| p == "actions[0].routeToTarget.weightedRoute.trafficSplit"
            && m.contains("sum to 100, found 121")));
    assert!(
        problems
            .iter()
            .any(|(p, _, m)| p == "actions[2].configurationBundle.weightedOverride.trafficSplit"
                && m.contains("found 30"))
    );
    let (_, problems) = decode::<Rule>("priority: 1000001\nactions: []\n", Rule::check_cross_field);
    let paths: Vec<&str> = problems.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(paths, vec!["priority", "actions"]);
    let (rule, _) = decode::<Rule>(
        "priority: 1000000\nactions: [{ routeToTarget: { staticRoute: { targetName: t } } }]\n",
        no_cross,
    );
    assert_eq!(rule.map(|r| r.priority.get()), Some(1_000_000));
}

const FULL_RATE_LIMIT: &str = r#"rateLimitId: per.principal
description: Per caller and model
dimensionKeys: [$.context.iam.principal, qualifiedModelId]
entries:
  - dimensions: { $.context.iam.principal: "arn:aws:iam::123456789012:role/a", qualifiedModelId: claude }
    requests: [{ rate: 100, period: minute }]
    tokens: [{ rate: 2.5e4, period: minute }]
    connections: [{ rate: 10, period: second }]
  - dimensions: { $.context.iam.principal: "arn:aws:iam::123456789012:role/a", qualifiedModelId: "*" }
    requests: [{ rate: 0.5, period: second }]
  - dimensions: { $.context.iam.principal: "*", qualifiedModelId: "*" }
    requests: [{ rate: 1e7, period: minute }]
"#;

#[test]
fn a_rate_limit_with_every_member_decodes_and_round_trips() {
    let (limit, problems) = decode::<RateLimit>(FULL_RATE_LIMIT, RateLimit::check_cross_field);
    assert_eq!(problems, vec![]);
    let limit = limit.expect("decoded");
    assert_eq!(limit.entries[0].tokens.as_ref().map(|t| t[0].rate), Some(Rate::new(25_000.0).expect("rate")));
    assert_eq!(limit.entries[1].requests.as_ref().map(|r| r[0].period.clone()), Some(Period::Second));
    let json = serde_json::to_value(&limit).expect("serializes");
    assert_eq!(json["entries"][1]["requests"][0]["rate"], 0.5);
    assert_eq!(json["dimensionKeys"][1], "qualifiedModelId");
    let back = RateLimit {
        rate_limit_id: super::sdk::req(limit.rate_limit_id.to_sdk().expect("id"), "", "rateLimitId").expect("id"),
        description: super::sdk::opt(limit.description.as_ref().map(|d| d.to_string()), "", "description")
            .expect("description"),
        dimension_keys: super::sdk::req(limit.dimension_keys.to_sdk().expect("keys"), "", "dimensionKeys")
            .expect("keys"),
        entries: super::sdk::req(limit.entries.to_sdk().expect("entries"), "", "entries").expect("entries"),
    };
    assert_eq!(back, limit);
    // The batch entry is an SDK shape of its own.
    let (batch, problems) = decode::<BatchPutLimitEntry>(FULL_RATE_LIMIT, BatchPutLimitEntry::check_cross_field);
    assert_eq!(problems, vec![]);
    let batch = batch.expect("decoded");
    assert_eq!(BatchPutLimitEntry::from_sdk(batch.to_sdk().expect("to sdk"), "").expect("from sdk"), batch);
}

#[test]
fn rate_limit_constraints_are_reported_where_they_are() {
    let yaml = r#"rateLimitId: "per principal"
dimensionKeys: [principal, model, principal]
entries:
  - dimensions: { principal: "*", model: claude }
    requests: [{ rate: -1, period: hour }]
  - dimensions: { principal: a }
    tokens: [{ rate: "5", period: second }]
  - dimensions: { principal: a, model: b, region: c }
"#;
    let (limit, problems) = decode::<RateLimit>(yaml, RateLimit::check_cross_field);
    assert!(limit.is_none());
    let got: Vec<(&str, usize)> = problems.iter().map(|(p, l, _)| (p.as_str(), *l)).collect();
    for want in [
        ("rateLimitId", 1),
        ("dimensionKeys[2]", 2),
        ("entries[0].requests[0].rate", 5),
        ("entries[0].requests[0].period", 5),
        ("entries[0].dimensions", 4),
        ("entries[1].tokens[0].rate", 7),
        ("entries[1].dimensions", 6),
        ("entries[2].dimensions", 8),
    ] {
        assert!(got.contains(&want), "{want:?} missing from {problems:#?}");
    }
    assert!(problems.iter().any(|(p, _, m)| p == "entries[0].dimensions" && m.contains("trailing")));
    let (_, problems) = decode::<RateLimit>("dimensionKeys: [targetName]\nentries: []\n", RateLimit::check_cross_field);
    let paths: Vec<&str> = problems.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(paths, vec!["rateLimitId", "entries"]);
}

#[test]
fn rates_compare_by_value_and_refuse_what_is_not_a_rate() {
    assert_eq!(Rate::new(-0.0).expect("zero"), Rate::new(0.0).expect("zero"));
    assert!(Rate::new(f64::NAN).is_err());
    assert!(Rate::new(f64::INFINITY).is_err());
    assert!(Rate::new(-0.1).is_err());
    assert!(Rate::new(10_000_000.0).is_ok());
    assert!(Rate::new(10_000_000.5).is_err());
}

/// The problems of a rate limit (with its cross-field rules).
fn rate_limit_problems(yaml: &str) -> Vec<(String, String)> {
    let (_, problems) = decode::<RateLimit>(yaml, RateLimit::check_cross_field);
    problems.into_iter().map(|(p, _, m)| (p, m)).collect()
}

#[test]
fn rate_limit_bounds_are_the_service_models() {
    let limit = |id: &str, keys: &[&str], entry: &str| {
        format!(
            "rateLimitId: \"{id}\"\ndimensionKeys: [{}]\nentries: [{entry}]\n",
            keys.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ")
        )
    };
    let entry = |key: &str, value: &str| {
        format!("{{ dimensions: {{ \"{key}\": \"{value}\" }}, requests: [{{ rate: 1, period: second }}] }}")
    };
    let one = |id: &str| limit(id, &["targetName"], &entry("targetName", "*"));
    for id in ["ab", "a.b", "per_caller-1.v2", &"a".repeat(64)] {
        assert_eq!(rate_limit_problems(&one(id)), vec![], "{id}");
    }
    for id in ["a", "a-", "a_", ".a", &"a".repeat(65)] {
        let problems = rate_limit_problems(&one(id));
        assert!(problems.iter().any(|(p, _)| p == "rateLimitId"), "{id}: {problems:?}");
    }
    for key in [
        "targetName",
        "toolName",
        "qualifiedModelId",
        "$.context.iam.principal",
        "$.context.iam.sourceIdentity",
        "$.context.jwt.sub",
        "$.context.jwt.custom.tenant_id",
        "$.context.request.header.X-Team",
        "$.context.request.body.metadata.team",
    ] {
        assert_eq!(rate_limit_problems(&limit("ab", &[key], &entry(key, "*"))), vec![], "{key}");
    }
    for key in ["principal", "$.context.iam", "$.context.jwt.a*", "$.context.request.body.a[0]", "TargetName"] {
        let problems = rate_limit_problems(&limit("ab", &[key], &entry(key, "*")));
        assert!(problems.iter().any(|(p, m)| p == "dimensionKeys[0]" && m.contains("matching")), "{key}: {problems:?}");
    }
    let eleven: Vec<String> = (0..11).map(|i| format!("$.context.jwt.c{i}")).collect();
    let keys: Vec<&str> = eleven.iter().map(String::as_str).collect();
    let dims = keys.iter().map(|k| format!("\"{k}\": \"*\"")).collect::<Vec<_>>().join(", ");
    let problems = rate_limit_problems(&limit(
        "ab",
        &keys,
        &format!("{{ dimensions: {{ {dims} }}, requests: [{{ rate: 1, period: second }}] }}"),
    ));
    assert!(problems.iter().any(|(p, m)| p == "dimensionKeys" && m.contains("1–10 items")), "{problems:?}");
    assert!(problems.iter().any(|(p, m)| p == "entries[0].dimensions" && m.contains("1–10 entries")), "{problems:?}");
    let problems = rate_limit_problems(&limit("ab", &["targetName"], &entry("targetName", &"v".repeat(257))));
    assert!(
        problems.iter().any(|(p, m)| p == "entries[0].dimensions.targetName" && m.contains("1–256")),
        "{problems:?}"
    );
    let two =
        "{ dimensions: { targetName: \"*\" }, tokens: [{ rate: 1, period: second }, { rate: 60, period: minute }] }";
    let problems = rate_limit_problems(&limit("ab", &["targetName"], two));
    assert!(problems.iter().any(|(p, m)| p == "entries[0].tokens" && m.contains("exactly 1 item")), "{problems:?}");
    let too_fast = "{ dimensions: { targetName: \"*\" }, connections: [{ rate: 10000001, period: second }] }";
    let problems = rate_limit_problems(&limit("ab", &["targetName"], too_fast));
    assert!(problems.iter().any(|(p, _)| p == "entries[0].connections[0].rate"), "{problems:?}");
    let entries = vec![entry("targetName", "*"); 1001].join(", ");
    let problems = rate_limit_problems(&limit("ab", &["targetName"], &entries));
    assert!(problems.iter().any(|(p, m)| p == "entries" && m.contains("1–1000 items")), "{problems:?}");
    let described = format!("description: \"{}\"\n{}", "d".repeat(513), one("ab"));
    let problems = rate_limit_problems(&described);
    assert!(problems.iter().any(|(p, m)| p == "description" && m.contains("0–512")), "{problems:?}");
    assert_eq!(rate_limit_problems(&format!("description: \"{}\"\n{}", "d".repeat(512), one("ab"))), vec![]);
}

#[test]
fn a_policy_is_a_mapping_with_a_version_within_the_size_limit() {
    let yaml = r#"Version: "2012-10-17"
Statement:
  - Effect: Allow
    Principal: { AWS: "arn:aws:iam::123456789012:root" }
    Action: bedrock-agentcore:InvokeGateway
    Resource: "*"
    Condition: { NumericLessThan: { "aws:MultiFactorAuthAge": 3600 }, Bool: { "aws:SecureTransport": true } }
"#;
    let (policy, problems) = decode::<ResourcePolicy>(yaml, no_cross);
    assert_eq!(problems, vec![]);
    let policy = policy.expect("decoded");
    let doc = policy.document();
    assert_eq!(doc["Statement"][0]["Condition"]["NumericLessThan"]["aws:MultiFactorAuthAge"], 3600);
    assert_eq!(doc["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"], true);
    assert_eq!(ResourcePolicy::from_sdk(policy.to_sdk().expect("to sdk"), "resourcePolicy").expect("back"), policy);

    let (_, problems) = decode::<ResourcePolicy>("Statement: []\n", no_cross);
    assert!(problems[0].2.contains("needs `Version`"), "{problems:?}");
    let (_, problems) = decode::<ResourcePolicy>("Version: 2012\n", no_cross);
    assert!(problems[0].2.contains("must be a string"), "{problems:?}");
    let (_, problems) = decode::<ResourcePolicy>("[a]\n", no_cross);
    assert!(problems[0].2.contains("a mapping"), "{problems:?}");
    let big = format!("Version: \"2012-10-17\"\nSid: \"{}\"\n", "x".repeat(MAX_POLICY_CHARS));
    let (_, problems) = decode::<ResourcePolicy>(&big, no_cross);
    assert!(problems[0].2.contains("at most 20480"), "{problems:?}");
    assert!(ResourcePolicy::parse("{not json").is_err());
    assert!(ResourcePolicy::from_sdk("[1]".into(), "resourcePolicy").is_err());
}

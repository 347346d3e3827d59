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

/// A rule with every member of every shape set, each union member used at least once.
const FULL_RULE: &str = r#"priority: 10
description: Route the beta cohort
conditions:
  - matchPrincipals:
      anyOf:
        - iamPrincipal: { arn: "arn:aws:iam::123456789012:role/beta-*", operator: StringLike }
  - matchPaths: { anyOf: ["/v1/chat/*", "/v1/models"] }
  - matchModels:
      anyOf:
        - { value: "anthropic.claude-*", operator: StringLike }
        - { value: "amazon.nova-pro", operator: StringEquals }
actions:
  - routeToTarget:
      staticRoute:
        targetName: primary
        model: anthropic.claude-sonnet
        fallback:
          triggerOn: { statusCodes: ["429", "5XX"], errors: [CONNECTION_ERROR, FIRST_BYTE_TIMEOUT, UNROUTABLE] }
          firstByteTimeoutMilliseconds: 3000
          circuitBreaker: { mode: DISABLED }
          targetFallback:
            - targetName: backup
              model: amazon.nova-pro
              triggerOn: { statusCodes: ["503"] }
              firstByteTimeoutMilliseconds: 5000
  - routeToTarget:
      weightedRoute:
        trafficSplit:
          - { targetName: blue, name: a, weight: 90, model: m1, description: most, metadata: { cohort: main },
              fallback: { targetFallback: [{ targetName: backup }] } }
          - { targetName: green, name: b, weight: 10 }
  - configurationBundle:
      staticOverride: { bundleArn: "arn:aws:bedrock-agentcore:us-east-1:123456789012:bundle/x", bundleVersion: "3" }
  - configurationBundle:
      weightedOverride:
        trafficSplit:
          - name: old
            weight: 50
            configurationBundle: { bundleArn: "arn:b", bundleVersion: "1" }
            description: the old bundle
            metadata: { k: v }
          - { name: new, weight: 50 }
"#;

#[test]
fn a_rule_with_every_member_decodes() {
    let (rule, problems) = decode::<Rule>(FULL_RULE, Rule::check_cross_field);
    assert_eq!(problems, vec![]);
    let rule = rule.expect("decoded");
    assert_eq!(rule.priority.get(), 10);
    let conditions = rule.conditions.as_ref().expect("conditions");
    assert!(matches!(conditions[0], Condition::MatchPrincipals(_)));
    assert!(matches!(conditions[1], Condition::MatchPaths(_)));
    assert!(matches!(conditions[2], Condition::MatchModels(_)));
    assert!(matches!(rule.actions[0], Action::RouteToTarget(RouteToTargetAction::StaticRoute(_))));
    assert!(matches!(rule.actions[1], Action::RouteToTarget(RouteToTargetAction::WeightedRoute(_))));
    assert!(matches!(rule.actions[2], Action::ConfigurationBundle(ConfigurationBundleAction::StaticOverride(_))));
    assert!(matches!(rule.actions[3], Action::ConfigurationBundle(ConfigurationBundleAction::WeightedOverride(_))));
    let routed: Vec<&str> = rule.routed_targets().iter().map(|t| t.as_str()).collect();
    assert_eq!(routed, vec!["primary", "backup", "blue", "backup", "green"]);
    // API naming on the way out.
    let json = serde_json::to_value(&rule).expect("serializes");
    assert_eq!(json["actions"][0]["routeToTarget"]["staticRoute"]["fallback"]["firstByteTimeoutMilliseconds"], 3000);
    assert_eq!(json["conditions"][1]["matchPaths"]["anyOf"][0], "/v1/chat/*");
}

#[test]
fn a_rule_round_trips_through_the_sdk() {
    let rule = decode::<Rule>(FULL_RULE, Rule::check_cross_field).0.expect("decoded");
    // Rule is converted member by member, as operations do.
    let conditions = rule.conditions.as_ref().expect("conditions").to_sdk().expect("to sdk");
    let actions = rule.actions.to_sdk().expect("to sdk");
    let back = Rule {
        priority: super::sdk::req(rule.priority.get(), "", "priority").expect("priority"),
        description: super::sdk::opt(rule.description.as_ref().map(|d| d.to_string()), "", "description")
            .expect("description"),
        conditions: super::sdk::opt(Some(conditions), "", "conditions").expect("conditions"),
        actions: super::sdk::req(actions, "", "actions").expect("actions"),
    };
    assert_eq!(back, rule);
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

const FULL_RATE_LIMIT: &str = r#"rateLimitId: per-principal
description: Per caller and model
dimensionKeys: [principal, model]
entries:
  - dimensions: { principal: "arn:aws:iam::123456789012:role/a", model: claude }
    requests: [{ rate: 100, period: minute }]
    tokens: [{ rate: 2.5e4, period: minute }, { rate: 1000, period: second }]
    connections: [{ rate: 10, period: second }]
  - dimensions: { principal: "arn:aws:iam::123456789012:role/a", model: "*" }
    requests: [{ rate: 0.5, period: second }]
  - dimensions: { principal: "*", model: "*" }
    requests: [{ rate: 1000, period: minute }]
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
    assert_eq!(json["dimensionKeys"][1], "model");
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
    let (_, problems) = decode::<RateLimit>("dimensionKeys: [a]\nentries: []\n", RateLimit::check_cross_field);
    let paths: Vec<&str> = problems.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(paths, vec!["rateLimitId", "entries"]);
}

#[test]
fn rates_compare_by_value_and_refuse_what_is_not_a_rate() {
    assert_eq!(Rate::new(-0.0).expect("zero"), Rate::new(0.0).expect("zero"));
    assert!(Rate::new(f64::NAN).is_err());
    assert!(Rate::new(f64::INFINITY).is_err());
    assert!(Rate::new(-0.1).is_err());
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

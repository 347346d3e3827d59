use super::*;
use crate::model::live::TargetSummary;
use crate::render::fixture;

fn owned(name: &str, tags: &[(&str, &str)], targets: usize) -> Owned {
    Owned {
        summary: GatewaySummary {
            gateway_id: format!("{name}-0123456789"),
            name: name.into(),
            status: GatewayStatus::Ready,
            updated_at: "2026-01-01T00:00:00Z".into(),
        },
        gateway_arn: format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/{name}-0123456789"),
        tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        targets: Some(
            (0..targets)
                .map(|i| TargetSummary { target_id: format!("T{i}"), name: format!("t{i}"), status: "READY".into() })
                .collect(),
        ),
    }
}

#[test]
fn pruning_deletes_owned_orphans_refuses_protected_ones_and_reads_back() {
    let (desired, mut observed) = fixture::state();
    observed.owned.push(owned("old", &[(OWNER_TAG, "me")], 2));
    observed.owned.push(owned("vault", &[(OWNER_TAG, "me"), (PREVENT_DESTROY_TAG, "true")], 0));
    let listed = build(&desired, &observed);
    assert_eq!(listed.orphaned.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), ["old", "vault"]);
    assert!(listed.gateways.iter().all(|g| g.action != Action::Delete));
    assert!(listed.drift_report().gateways.iter().any(|g| g.state == DriftState::Orphaned));

    let pruned = build_with(&desired, &observed, true);
    let old = pruned.get("old").expect("planned");
    assert_eq!((old.action, old.reason, old.desired.is_none()), (Action::Delete, Some(DeleteReason::Pruned), true));
    assert_eq!(pruned.summary.delete, 1);
    assert!(pruned.failed.iter().any(|f| f.name == "vault" && f.error.contains("preventDestroy: false")));
    let back = Plan::from_json(&pruned.to_json()).expect("a plan with deletions reads back");
    assert_eq!(back.get("old"), Some(old));

    // Gaining a target makes the deletion stale.
    let mut now = old.observed.clone().expect("observed");
    now.targets.as_mut().expect("targets").push(TargetSummary {
        target_id: "T9".into(),
        name: "late".into(),
        status: "READY".into(),
    });
    assert_eq!(staleness(old, Some(now)), ["it gained targets (T9)"]);
}

#[test]
fn the_owner_tag_is_compared_only_when_an_owner_is_desired() {
    let live: TagMap = [(OWNER_TAG.to_string(), "them".to_string()), ("team".into(), "x".into())].into();
    let without: TagMap = [("team".to_string(), "x".to_string())].into();
    assert!(diff::tags(&normalize::comparable_tags(&live, &without), &without).is_empty());
    let mut with = without.clone();
    with.insert(OWNER_TAG.into(), "me".into());
    let changes = diff::tags(&normalize::comparable_tags(&live, &with), &with);
    assert_eq!(changes.len(), 1);
    assert_eq!((changes[0].before.as_deref(), changes[0].after.as_deref()), (Some("them"), Some("me")));
}

fn live_target(name: &str, id: &str, updated_at: &str, endpoint: &str) -> LiveTarget {
    let config = serde_json::json!({ "name": name, "targetConfiguration": { "mcp": { "mcpServer": { "endpoint": endpoint } } } });
    let mut problems = Vec::new();
    let t = GatewayTarget::decode(&Node::from_json(&config), &mut Cx::new("test", &mut problems)).expect("decodes");
    LiveTarget {
        target_id: id.into(),
        name: name.into(),
        status: TargetStatus::Ready,
        status_reasons: Vec::new(),
        updated_at: updated_at.into(),
        last_synchronized_at: None,
        authorization_url: None,
        config: Ok(t),
    }
}

#[test]
fn targets_are_planned_by_name_and_a_saved_plan_goes_stale_when_one_moves() {
    let keep = live_target("keep", "AAAAAAAAAA", "t1", "https://keep");
    let change = live_target("change", "BBBBBBBBBB", "t1", "https://old");
    let gone = live_target("gone", "CCCCCCCCCC", "t1", "https://gone");
    let want = |name: &str, endpoint: &str| live_target(name, "", "", endpoint).config.expect("config");
    let desired = [want("keep", "https://keep"), want("change", "https://new"), want("new", "https://new")];
    let live = [keep.clone(), change.clone(), gone.clone()];
    let plans = plan_targets(&desired, Some(&live), Some("us-east-1"));
    let actions: Vec<(&str, Action)> = plans.iter().map(|p| (p.key.name.as_str(), p.action)).collect();
    assert_eq!(
        actions,
        [("change", Action::Update), ("gone", Action::Delete), ("keep", Action::NoOp), ("new", Action::Create)]
    );
    assert_eq!(plans[0].changes[0].path, "targetConfiguration.mcp.mcpServer.endpoint");
    assert!(target_staleness(&plans, &live).is_empty(), "nothing moved");
    let moved = [live_target("keep", "AAAAAAAAAA", "t2", "https://keep"), change.clone(), gone.clone()];
    assert_eq!(target_staleness(&plans, &moved), ["target keep: updatedAt moved from t1 to t2"]);
    let vanished = [keep.clone(), change.clone()];
    assert_eq!(target_staleness(&plans, &vanished), ["target gone no longer exists (was targetId CCCCCCCCCC)"]);
    let appeared = [keep, change, gone, live_target("new", "DDDDDDDDDD", "t1", "https://new")];
    assert_eq!(target_staleness(&plans, &appeared), ["target new now exists (targetId DDDDDDDDDD)"]);
}

fn rate_limit(id: &str, keys: &[&str], rate: f64, description: Option<&str>) -> RateLimit {
    // Short names for valid dimension keys (the model allows only a fixed grammar).
    let keys: Vec<String> = keys.iter().map(|k| format!("$.context.request.header.{k}")).collect();
    let dims: serde_json::Map<String, serde_json::Value> =
        keys.iter().map(|k| (k.to_string(), serde_json::json!("*"))).collect();
    let mut v = serde_json::json!({
        "rateLimitId": id,
        "dimensionKeys": keys,
        "entries": [
            { "dimensions": dims, "requests": [{ "rate": rate, "period": "minute" }], "tokens": [] },
        ],
    });
    if let Some(d) = description {
        v["description"] = serde_json::json!(d);
    }
    let mut problems = Vec::new();
    let r = RateLimit::decode(&Node::from_json(&v), &mut Cx::new("test", &mut problems)).expect("valid");
    assert!(problems.is_empty(), "{problems:?}");
    r
}

fn live_rate_limit(config: RateLimit, updated_at: &str) -> LiveRateLimit {
    LiveRateLimit {
        rate_limit_id: config.rate_limit_id.as_str().to_string(),
        status: GatewayRateLimitStatus::Active,
        updated_at: updated_at.to_string(),
        config: Ok(config),
    }
}

#[test]
fn rate_limits_are_planned_by_id_replaced_when_keys_change_and_go_stale() {
    let live = [
        live_rate_limit(rate_limit("keep", &["a"], 1.0, None), "t1"),
        live_rate_limit(rate_limit("change", &["b"], 1.0, Some("d")), "t1"),
        live_rate_limit(rate_limit("rekey", &["c"], 1.0, None), "t1"),
        live_rate_limit(rate_limit("undescribe", &["e"], 1.0, Some("d")), "t1"),
        live_rate_limit(rate_limit("gone", &["f"], 1.0, None), "t1"),
    ];
    let desired = [
        rate_limit("keep", &["a"], 1.0, None),
        rate_limit("change", &["b"], 2.0, Some("d")),
        rate_limit("rekey", &["c", "d"], 1.0, None),
        rate_limit("undescribe", &["e"], 1.0, None),
        rate_limit("new", &["g"], 1.0, None),
    ];
    let plans = plan_rate_limits(&desired, Some(&live));
    let actions: Vec<(&str, Action)> = plans.iter().map(|p| (p.key.rate_limit_id.as_str(), p.action)).collect();
    assert_eq!(
        actions,
        [
            ("change", Action::Update),
            ("gone", Action::Delete),
            ("keep", Action::NoOp),
            ("new", Action::Create),
            ("rekey", Action::Replace),
            ("undescribe", Action::Replace),
        ]
    );
    assert_eq!(plans[0].changes.len(), 1);
    assert_eq!(plans[0].changes[0].path, "entries[0].requests[0].rate");
    assert_eq!(plans[4].forced_by, [DIMENSION_KEYS_REPLACE]);
    assert_eq!(plans[5].forced_by, [DESCRIPTION_REPLACE]);
    assert!(plans[2].changes.is_empty(), "an empty `tokens` equals absent");
    // A new gateway gets every rate limit created.
    assert!(plan_rate_limits(&desired, None).iter().all(|p| p.action == Action::Create));
    // Staleness: moved, vanished, appeared.
    assert!(rate_limit_staleness(&plans, &live).is_empty(), "nothing moved");
    let mut moved = live.to_vec();
    moved[0].updated_at = "t2".into();
    assert_eq!(rate_limit_staleness(&plans, &moved), ["rate limit keep: updatedAt moved from t1 to t2"]);
    assert_eq!(rate_limit_staleness(&plans, &live[..4]), ["rate limit gone no longer exists"]);
    let mut appeared = live.to_vec();
    appeared.push(live_rate_limit(rate_limit("intruder", &["z"], 1.0, None), "t1"));
    assert_eq!(rate_limit_staleness(&plans, &appeared), ["rate limit intruder appeared"]);
}

fn rule(priority: i32, path: &str, description: Option<&str>) -> Rule {
    let path = format!("{path}/*"); // the model's path patterns are `/segment/*`
    let mut v = serde_json::json!({
        "priority": priority,
        "conditions": [{ "matchPaths": { "anyOf": [path] } }],
        "actions": [{ "routeToTarget": { "staticRoute": { "targetName": "t" } } }],
    });
    if let Some(d) = description {
        v["description"] = serde_json::json!(d);
    }
    let mut problems = Vec::new();
    let r = Rule::decode(&Node::from_json(&v), &mut Cx::new("test", &mut problems)).expect("valid");
    assert!(problems.is_empty(), "{problems:?}");
    r
}

fn live_rule(id: &str, config: Rule, managed_by: Option<&str>) -> LiveRule {
    LiveRule {
        rule_id: id.to_string(),
        status: GatewayRuleStatus::Active,
        updated_at: "t1".to_string(),
        system_managed_by: managed_by.map(str::to_string),
        config: Ok(config),
    }
}

#[test]
fn rules_are_planned_by_priority_system_rules_untouched_and_go_stale() {
    let live = [
        live_rule("SYS0000001", rule(1, "/sys", None), Some("aws")),
        live_rule("KEEP000001", rule(10, "/keep", None), None),
        live_rule("CHANGE0001", rule(20, "/old", None), None),
        live_rule("UNDESC0001", rule(30, "/d", Some("d")), None),
        live_rule("GONE000001", rule(40, "/gone", None), None),
    ];
    let desired = [rule(10, "/keep", None), rule(20, "/new", None), rule(30, "/d", None), rule(50, "/x", None)];
    let plans = plan_rules(&desired, Some(&live)).expect("plans");
    let actions: Vec<(i32, Action)> = plans.iter().map(|p| (p.key.priority, p.action)).collect();
    assert_eq!(
        actions,
        [
            (1, Action::NoOp),
            (10, Action::NoOp),
            (20, Action::Update),
            (30, Action::Replace),
            (40, Action::Delete),
            (50, Action::Create),
        ]
    );
    assert_eq!(plans[0].managed_by.as_deref(), Some("aws"));
    assert_eq!(plans[2].changes.len(), 1);
    assert_eq!(plans[2].changes[0].path, "conditions[0].matchPaths.anyOf[0]");
    assert_eq!(plans[3].forced_by, [RULE_DESCRIPTION_REPLACE]);
    // A rule at a system rule's priority can never be created: an error naming it.
    let err = plan_rules(&[rule(1, "/x", None)], Some(&live)).unwrap_err();
    assert!(err.contains("SYS0000001") && err.contains("aws"), "{err}");
    // A new gateway gets every rule created.
    assert!(plan_rules(&desired, None).unwrap().iter().all(|p| p.action == Action::Create));
    // Staleness: moved, vanished, appeared.
    assert!(rule_staleness(&plans, &live).is_empty(), "nothing moved");
    let mut moved = live.to_vec();
    moved[1].updated_at = "t2".into();
    assert_eq!(rule_staleness(&plans, &moved), ["rule 10 (KEEP000001): updatedAt moved from t1 to t2"]);
    assert_eq!(rule_staleness(&plans, &live[..4]), ["rule 40 (GONE000001) no longer exists"]);
    let mut appeared = live.to_vec();
    appeared.push(live_rule("INTRUDER01", rule(60, "/i", None), None));
    assert_eq!(rule_staleness(&plans, &appeared), ["rule INTRUDER01 appeared"]);
}

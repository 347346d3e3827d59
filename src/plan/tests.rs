use super::*;
use crate::render::fixture;
use serde_json::json;

#[test]
fn every_action_is_planned() {
    let plan = fixture::plan();
    let actions: Vec<(&str, Action)> = plan.gateways.iter().map(|g| (g.name.as_str(), g.action)).collect();
    assert_eq!(
        actions,
        vec![
            ("billing", Action::Create),
            ("catalog", Action::NoOp),
            ("metrics", Action::Update),
            ("orders", Action::Update),
            ("search", Action::Replace),
        ]
    );
    assert_eq!(
        plan.summary,
        Summary { create: 1, update: 2, replace: 1, no_op: 1, unmanaged: 2, failed: 0, delete: 0, orphaned: 0 }
    );
    assert!(plan.has_changes());
    let names: Vec<&str> = plan.unmanaged.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, vec!["adhoc", "old-orders"]);
}

#[test]
fn server_defaults_plan_as_no_op() {
    let plan = fixture::plan();
    let catalog = plan.get("catalog").expect("planned");
    assert!(catalog.changes.is_empty() && catalog.tag_changes.is_empty(), "{catalog:?}");
    let fp = catalog.observed.as_ref().expect("observed");
    assert!(fp.tags.is_empty(), "aws: tags are not part of the fingerprint");
}

#[test]
fn replace_names_the_forcing_field() {
    let plan = fixture::plan();
    let search = plan.get("search").expect("planned");
    assert_eq!(search.forced_by, vec!["authorizerType".to_string()]);
    assert!(!search.update_gateway);
}

#[test]
fn a_failed_gateway_is_replaced_and_an_unsuccessful_update_is_sent_again() {
    let config = json!({"name": "g", "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "NONE"});
    let desired = fixture::gateway(config.clone());
    let failed = fixture::live(config.clone(), GatewayStatus::Failed, &[]);
    let planned = plan_one(&desired, Some(&failed)).expect("readable");
    assert_eq!(planned.action, Action::Replace);
    assert_eq!(planned.forced_by, [FORCED_BY_FAILED]);
    let unsuccessful = fixture::live(config.clone(), GatewayStatus::UpdateUnsuccessful, &[]);
    let planned = plan_one(&desired, Some(&unsuccessful)).expect("readable");
    assert_eq!((planned.action, planned.update_gateway), (Action::Update, true));
    assert!(planned.changes.is_empty());
    let ready = fixture::live(config, GatewayStatus::Ready, &[]);
    assert_eq!(plan_one(&desired, Some(&ready)).expect("readable").action, Action::NoOp);
}

#[test]
fn tags_only_update_needs_no_update_gateway_call() {
    let plan = fixture::plan();
    assert!(!plan.get("metrics").expect("planned").update_gateway);
    assert!(plan.get("orders").expect("planned").update_gateway);
}

#[test]
fn fingerprint_records_what_was_observed() {
    let plan = fixture::plan();
    let fp = plan.get("orders").and_then(|g| g.observed.clone()).expect("observed");
    assert_eq!(fp.gateway_id, "orders-a1b2c3d4e5");
    assert_eq!(fp.updated_at, "2025-06-01T12:00:00Z");
    assert_eq!(fp.status, GatewayStatus::Ready);
    assert_eq!(fp.tags, TagMap::from([("owner".into(), "alice".into()), ("team".into(), "orders".into())]));
}

#[test]
fn desired_is_kept_as_declared() {
    let (desired, _) = fixture::state();
    let plan = fixture::plan();
    for spec in &desired.specs {
        assert_eq!(plan.get(spec.gateway.name.as_str()).expect("planned").desired.as_ref(), Some(&spec.gateway));
    }
}

#[test]
fn json_round_trips() {
    let plan = fixture::plan();
    let back = Plan::from_json(&plan.to_json()).expect("reads back");
    assert_eq!(back, plan);
}

#[test]
fn build_is_deterministic() {
    assert_eq!(fixture::plan().to_json(), fixture::plan().to_json());
}

fn tampered(edit: impl FnOnce(&mut serde_json::Value)) -> Result<Plan, PlanFileError> {
    let mut v: serde_json::Value = serde_json::from_str(&fixture::plan().to_json()).expect("json");
    edit(&mut v);
    Plan::from_json(&v.to_string())
}

#[test]
fn invalid_desired_config_is_rejected_with_its_path() {
    let err = tampered(|v| {
        v["gateways"][3]["desired"]["protocolConfiguration"]["mcp"]["sessionConfiguration"]["sessionTimeoutInSeconds"] =
            json!(5)
    })
    .expect_err("rejected");
    let text = err.to_string();
    assert!(matches!(err, PlanFileError::InvalidGateway { .. }), "{text}");
    assert!(text.contains("protocolConfiguration.mcp.sessionConfiguration.sessionTimeoutInSeconds"), "{text}");
    assert!(text.contains("gateway `orders`"), "{text}");
}

#[test]
fn unknown_keys_and_cross_field_rules_are_rejected() {
    let err = tampered(|v| v["gateways"][0]["desired"]["roleARN"] = json!("x")).expect_err("rejected");
    assert!(err.to_string().contains("did you mean `roleArn`"), "{err}");
    let err = tampered(|v| {
        v["gateways"][0]["desired"]["authorizerType"] = json!("CUSTOM_JWT");
    })
    .expect_err("rejected");
    assert!(err.to_string().contains("authorizerConfiguration"), "{err}");
    let err = tampered(|v| v["gateways"][0]["extra"] = json!(1)).expect_err("rejected");
    assert!(matches!(err, PlanFileError::Json(_)), "{err}");
}

#[test]
fn other_versions_are_refused() {
    let err = tampered(|v| v["format_version"] = json!("5")).expect_err("refused");
    assert!(matches!(err, PlanFileError::Version { .. }), "{err}");
    let err = tampered(|v| {
        if let Some(o) = v.as_object_mut() {
            o.remove("format_version");
        }
    })
    .expect_err("refused");
    assert!(matches!(err, PlanFileError::Version { .. }), "{err}");
    assert!(matches!(Plan::from_json("not json"), Err(PlanFileError::Json(_))));
}

#[test]
fn inconsistent_plans_are_refused() {
    type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;
    let cases: Vec<Edit> = vec![
        Box::new(|v| v["summary"]["create"] = json!(7)),
        Box::new(|v| v["gateways"][0]["observed"] = v["gateways"][1]["observed"].clone()),
        Box::new(|v| v["gateways"][1]["action"] = json!("create")),
        Box::new(|v| v["gateways"][4]["forcedBy"] = json!([])),
        Box::new(|v| v["gateways"][0]["name"] = json!("zzz")),
        Box::new(|v| v["gateways"][1]["desired"]["name"] = json!("other")),
        Box::new(|v| v["unmanaged"][0]["name"] = json!("orders")),
        Box::new(|v| v["gateways"][1]["changes"] = v["gateways"][3]["changes"].clone()),
        Box::new(|v| v["gateways"][3]["tagChanges"][0]["key"] = json!("other")),
        Box::new(|v| v["gateways"][3]["desired"]["tags"]["env"] = json!("dev")),
    ];
    for (i, edit) in cases.into_iter().enumerate() {
        let err = tampered(edit).expect_err("refused");
        assert!(matches!(err, PlanFileError::Inconsistent(_)), "case {i}: {err}");
    }
}

#[test]
fn staleness_names_what_moved() {
    let (_, observed) = fixture::state();
    let plan = fixture::plan();
    let orders = plan.get("orders").expect("planned");
    let same = observed.managed.get("orders").expect("live");
    assert!(staleness(orders, Some(Fingerprint::of(same))).is_empty());

    let mut moved = same.clone();
    moved.live.updated_at = "2025-06-02T00:00:00Z".into();
    moved.live.status = GatewayStatus::Updating;
    moved.tags.insert("new".into(), "x".into());
    moved.tags.insert("aws:ignored".into(), "x".into());
    let why = staleness(orders, Some(Fingerprint::of(&moved)));
    assert_eq!(why.len(), 3, "{why:?}");
    assert!(why[0].contains("updatedAt") && why[1].contains("status") && why[2].contains("new"), "{why:?}");

    assert!(staleness(orders, None)[0].contains("no longer exists"));
    let billing = plan.get("billing").expect("planned");
    assert!(staleness(billing, None).is_empty());
    assert!(staleness(billing, Some(Fingerprint::of(same)))[0].contains("now exists"));
}

#[test]
fn drift_report_maps_actions_to_states() {
    let report = fixture::plan().drift_report();
    let states: Vec<(&str, DriftState)> = report.gateways.iter().map(|g| (g.name.as_str(), g.state)).collect();
    assert_eq!(
        states,
        vec![
            ("billing", DriftState::Missing),
            ("catalog", DriftState::InSync),
            ("metrics", DriftState::Modified),
            ("orders", DriftState::Modified),
            ("search", DriftState::Modified),
        ]
    );
    assert!(report.has_drift());
    assert_eq!(
        report.summary,
        DriftSummary { in_sync: 1, modified: 3, missing: 1, orphaned: 0, unmanaged: 2, failed: 0 }
    );
}

#[test]
fn unmanaged_alone_is_not_drift() {
    let plan = fixture::plan();
    let gateways = plan.gateways.into_iter().filter(|g| g.action == Action::NoOp).collect();
    let plan = Plan::assemble(plan.target, gateways, plan.unmanaged, plan.failed);
    assert!(!plan.has_changes());
    assert!(!plan.drift_report().has_drift());
}

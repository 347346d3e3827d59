//! Snapshot tests fixing the three renderings of one plan with every kind of change.

use super::fixture;
use super::*;

#[test]
fn plan_text_snapshot() {
    insta::assert_snapshot!("plan_text", text::plan(&fixture::plan(), false));
}

#[test]
fn plan_json_snapshot() {
    insta::assert_snapshot!("plan_json", json::plan(&fixture::plan()));
}

#[test]
fn plan_markdown_snapshot() {
    insta::assert_snapshot!("plan_markdown", markdown::plan(&fixture::plan()));
}

#[test]
fn drift_text_snapshot() {
    insta::assert_snapshot!("drift_text", text::drift(&fixture::plan().drift_report(), false));
}

#[test]
fn drift_json_snapshot() {
    insta::assert_snapshot!("drift_json", json::drift(&fixture::plan().drift_report()));
}

#[test]
fn drift_markdown_snapshot() {
    insta::assert_snapshot!("drift_markdown", markdown::drift(&fixture::plan().drift_report()));
}

#[test]
fn text_has_no_escape_codes_without_color_and_some_with() {
    let plan = fixture::plan();
    assert!(!text::plan(&plan, false).contains('\x1b'));
    assert!(text::plan(&plan, true).contains("\x1b[32m+\x1b[0m"));
    assert!(!text::drift(&plan.drift_report(), false).contains('\x1b'));
}

#[test]
fn no_changes_closing_line() {
    let mut plan = fixture::plan();
    plan.gateways.retain(|g| !g.is_change());
    plan.unmanaged.clear();
    let plan = crate::plan::Plan::assemble(plan.target, plan.gateways, plan.unmanaged, plan.failed);
    assert_eq!(text::plan(&plan, false), "No changes. Gateways match the specs.\n");
    assert!(markdown::plan(&plan).contains("**No changes. Gateways match the specs.**"));
    assert!(!plan.drift_report().has_drift());
    assert!(text::drift(&plan.drift_report(), false).contains("No drift. Gateways match the specs."));
}

#[test]
fn unmanaged_gateways_follow_the_closing_line() {
    let out = text::plan(&fixture::plan(), false);
    let closing = out.find("Plan: 1 to create, 2 to update, 1 to replace, 1 unchanged.").expect("closing line");
    let unmanaged = out.find("Unmanaged gateways").expect("unmanaged list");
    assert!(closing < unmanaged);
}

/// A plan big enough to blow any comment limit: many gateways with long instruction changes.
fn huge_plan(n: usize) -> crate::plan::Plan {
    use crate::model::live::GatewayStatus;
    use crate::observe::Observed;
    use serde_json::json;
    let long =
        |v: &str| (0..40).map(|i| format!("Line {i} of the instructions, version {v}.")).collect::<Vec<_>>().join("\n");
    let mut desired = Vec::new();
    let mut observed = Observed::default();
    for i in 0..n {
        let name = format!("gw{i:05}");
        desired.push(fixture::gateway(json!({
            "name": name, "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "NONE",
            "protocolConfiguration": {"mcp": {"instructions": long("new")}},
            "tags": {"team": "new"},
        })));
        let live = fixture::live(
            json!({
                "name": name, "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "NONE",
                "protocolConfiguration": {"mcp": {"instructions": long("old")}},
            }),
            GatewayStatus::Ready,
            &[("team", "old")],
        );
        observed.managed.insert(name, live);
    }
    crate::plan::build(&fixture::desired(desired), &observed)
}

#[test]
fn markdown_stays_within_budget_with_a_note_where_cut() {
    let plan = huge_plan(400);
    assert_eq!(plan.summary.update, 400);
    let out = markdown::plan(&plan);
    assert!(out.len() <= markdown::BUDGET, "{} bytes", out.len());
    assert!(out.chars().count() <= markdown::BUDGET);
    assert!(out.contains("Output cut here to stay within 60000 characters"), "{}", &out[out.len() - 400..]);
    assert!(out.starts_with("### acgw plan\n\n**Plan: 0 to create, 400 to update"));
    // Every <details> that was opened is closed, and every fence too.
    assert_eq!(out.matches("<details>").count(), out.matches("</details>").count());
    assert_eq!(out.matches("```diff").count() * 2, out.matches("```").count());

    let drift = markdown::drift(&plan.drift_report());
    assert!(drift.len() <= markdown::BUDGET);
    assert!(drift.contains("Output cut here"));
    assert_eq!(drift.matches("<details>").count(), drift.matches("</details>").count());
}

#[test]
fn markdown_of_a_small_plan_is_not_cut() {
    assert!(!markdown::plan(&fixture::plan()).contains("Output cut"));
}

#[test]
fn huge_table_alone_is_cut() {
    // So many changed gateways that the summary table alone exceeds the budget.
    let plan = huge_plan(2500);
    let out = markdown::plan(&plan);
    assert!(out.len() <= markdown::BUDGET);
    assert!(out.contains("of 2500 gateways listed in the table, 0 of 2500 shown in detail"));
}

#[test]
fn control_characters_from_outside_are_escaped() {
    assert_eq!(clean("a\x1b[31mb\tc"), "a\\u{1b}[31mb\tc");
    let lines = line_diff("ok\n", "ok\nevil\x1b[2J\n");
    assert_eq!(lines, vec![TextLine::Same("ok".into()), TextLine::Added("evil\\u{1b}[2J".into())]);
    let mut plan = fixture::plan();
    plan.unmanaged[0].gateway_id = "id\x1b[2J|x`".into();
    assert!(!text::plan(&plan, false).contains('\x1b'));
    let md = markdown::plan(&plan);
    assert!(!md.contains('\x1b'));
    assert!(md.contains(r"| `id\u{1b}[2J\|x'` |"), "{md}");
}

/// The fixture's plan with two more gateways the specs name: one whose GetGateway was denied and
/// one whose configuration this build cannot represent.
fn plan_with_failures() -> crate::plan::Plan {
    use crate::api::ApiError;
    use crate::model::live::{GatewayStatus, Unreadable};
    use crate::observe::ObserveError;
    let (mut desired, mut observed) = fixture::state();
    let role = "arn:aws:iam::123456789012:role/gw";
    for name in ["denied", "odd"] {
        let g = fixture::gateway(serde_json::json!({"name": name, "roleArn": role, "authorizerType": "NONE"}));
        desired.specs.push(fixture::desired(vec![g]).specs.remove(0));
    }
    observed.failed.insert(
        "denied".into(),
        ObserveError::Get {
            name: "denied".into(),
            gateway_id: "denied-0123456789".into(),
            error: ApiError::AccessDenied("AccessDeniedException: not authorized".into()),
        },
    );
    let mut odd = fixture::live(
        serde_json::json!({"name": "odd", "roleArn": role, "authorizerType": "NONE"}),
        GatewayStatus::Ready,
        &[],
    );
    odd.live.config = Err(Unreadable {
        path: "authorizerConfiguration".into(),
        reason: "a union member this version does not know".into(),
    });
    observed.managed.insert("odd".into(), odd);
    crate::plan::build(&desired, &observed)
}

#[test]
fn gateways_that_could_not_be_read_are_listed_with_their_reason_next_to_the_others() {
    let plan = plan_with_failures();
    assert_eq!(plan.summary.failed, 2);
    assert_eq!(plan.gateways.len(), 5, "the others are planned as before");
    let text = text::plan(&plan, false);
    assert!(
        text.contains("! denied (denied-0123456789) could not be planned: GetGateway for gateway denied (denied-0123456789) failed: access denied: AccessDeniedException: not authorized\n"),
        "{text}"
    );
    assert!(
        text.contains("! odd (odd-a1b2c3d4e5) could not be planned: GetGateway answered authorizerConfiguration: a union member this version does not know; this acgw version cannot read it\n"),
        "{text}"
    );
    assert!(
        text.contains("Plan: 1 to create, 2 to update, 1 to replace, 1 unchanged. 2 gateways could not be planned."),
        "{text}"
    );
    let md = markdown::plan(&plan);
    assert!(md.contains("2 gateways could not be planned"), "{md}");
    assert!(md.contains("| `odd` | `odd-a1b2c3d4e5` | GetGateway answered authorizerConfiguration"), "{md}");
    let json: serde_json::Value = serde_json::from_str(&json::plan(&plan)).expect("json");
    assert_eq!(json["failed"][1]["name"], "odd");
    assert_eq!(json["failed"][1]["gatewayId"], "odd-a1b2c3d4e5");
    assert_eq!(json["summary"]["failed"], 2);
    // A saved plan with failures reads back: apply reports them as not applied.
    let back = crate::plan::Plan::from_json(&plan.to_json()).expect("reads back");
    assert_eq!(back.failed, plan.failed);

    let drift = plan.drift_report();
    assert!(drift.has_drift() && drift.has_failures());
    let text = text::drift(&drift, false);
    assert!(text.contains("! denied (denied-0123456789) could not be checked:"), "{text}");
    assert!(text.contains("Drift: 3 modified, 1 missing, 1 in sync; 2 gateways could not be checked."), "{text}");
    let md = markdown::drift(&drift);
    assert!(md.contains("| 1 | 3 | 1 | 0 | 2 | 2 |"), "{md}");
}

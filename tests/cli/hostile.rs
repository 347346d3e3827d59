//! A server that does not play fair, and a careless user: pager caps, protection that fails
//! closed, size caps on unsized files (issue 22).

use super::*;

#[test]
fn a_target_listing_that_never_ends_fails_only_its_gateway() {
    let emu = Emu::new();
    let dir = tempfile::tempdir().unwrap();
    let targets = LAMBDA_TARGET.replace("DESCRIPTION", "Refunds");
    write(dir.path(), "gateways.yaml", &spec(&[gw_targets("good", &targets), gw_targets("evil", &targets)].concat()));
    let run = Acgw::new(dir.path()).args(["apply", "--auto-approve"]).emu(&emu).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.handle().page_forever(Some(&emu.ids()["evil"]));
    let before = emu.stats().get("ListGatewayTargets").copied().unwrap_or(0);

    let run = Acgw::new(dir.path()).args(["plan", "--color", "never"]).emu(&emu).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stdout.contains("! evil (")
            && run.stdout.contains("ListGatewayTargets listed more than 100000 items; stopping"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("No changes for the gateways that could be read; 1 gateway could not be planned."),
        "{run:?}"
    );
    let pages = emu.stats()["ListGatewayTargets"] - before;
    // The good gateway's one page, and the evil one's until 100,000 items: 101 pages of 1,000.
    assert!(pages <= 102, "the listing was cut off at the item cap, not followed: {pages} pages");
}

#[test]
fn a_gateway_listing_that_never_ends_fails_the_command_after_a_bounded_number_of_calls() {
    let emu = Emu::new();
    emu.create(serde_json::json!({"name": "a", "roleArn": ROLE, "authorizerType": "AWS_IAM"}), &[]);
    emu.handle().page_forever(None);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "gateways.yaml", &spec(&gw("a", "")));
    let run = Acgw::new(dir.path()).args(["plan"]).emu(&emu).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("ListGateways listed more than 100000 items; stopping"), "{run:?}");
    assert!(emu.stats()["ListGateways"] <= 101, "{:?}", emu.stats());
}

//! A server that does not play fair, and a careless user: pager caps, protection that fails
//! closed, size caps on unsized files (issue 22).

use super::*;

#[test]
fn a_target_listing_that_never_ends_fails_only_its_gateway() {
    let emu = Env::new();
    let targets = LAMBDA_TARGET.replace("DESCRIPTION", "Refunds");
    emu.write("gateways.yaml", &spec(&[gw_targets("good", &targets), gw_targets("evil", &targets)].concat()));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.handle().page_forever(Some(&emu.ids()["evil"]));
    let before = emu.stats().get("ListGatewayTargets").copied().unwrap_or(0);

    let run = emu.acgw().args(["plan", "--color", "never"]).run();
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
    let emu = Env::builder().hook(|emulator| emulator.page_forever(None)).start();
    emu.create(serde_json::json!({"name": "a", "roleArn": ROLE, "authorizerType": "AWS_IAM"}), &[]);
    emu.write("gateways.yaml", &spec(&gw("a", "")));
    let run = emu.acgw().args(["plan"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("ListGateways listed more than 100000 items; stopping"), "{run:?}");
    assert!(emu.stats()["ListGateways"] <= 101, "{:?}", emu.stats());
}

#[test]
fn a_spec_that_says_prevent_destroy_protects_before_it_was_ever_applied() {
    let emu = Env::new();
    // Made by this owner, but never applied with the protection: no tag on it yet.
    emu.create(
        serde_json::json!({"name": "vault", "roleArn": ROLE, "authorizerType": "AWS_IAM"}),
        &[("acgw:owner", "team-a")],
    );
    let id = emu.ids()["vault"].clone();
    let protected = |authorizer: &str| {
        "owner: team-a\ngateways:\n".to_string()
            + &gw("vault", "    lifecycle: { preventDestroy: true }\n").replace("AWS_IAM", authorizer)
    };
    emu.write("gateways.yaml", &protected("AWS_IAM"));
    let run = emu.acgw().args(["destroy", "--auto-approve"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stdout.contains("not destroyed: gateway vault is protected from deletion (its spec says `lifecycle: { preventDestroy: true }`)"),
        "{run:?}"
    );
    assert_eq!(emu.ids().get("vault"), Some(&id));

    // A replacement is refused as well, even with --allow-replace, and before anything is deleted.
    emu.write("gateways.yaml", &protected("NONE"));
    let run = emu.acgw().args(["apply", "--auto-approve", "--allow-replace"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("not replaced: gateway vault is protected from deletion"), "{run:?}");
    assert_eq!(emu.ids().get("vault"), Some(&id), "the same gateway is still there");
    assert_eq!(emu.stats().get("DeleteGateway"), Some(&0), "{:?}", emu.stats());
}

#[test]
fn the_protection_tag_fails_closed_on_any_value_but_a_clear_false() {
    let emu = Env::new();
    let protecting = [
        ("acgw:prevent-destroy", "True"),
        ("acgw:prevent-destroy", "TRUE"),
        ("acgw:prevent-destroy", "yes"),
        ("acgw:prevent-destroy", " true"),
        ("acgw:prevent-destroy", ""),
        ("ACGW:Prevent-Destroy", "true"),
    ];
    for (i, (key, value)) in protecting.iter().enumerate() {
        emu.create(
            serde_json::json!({"name": format!("kept{i}"), "roleArn": ROLE, "authorizerType": "AWS_IAM"}),
            &[("acgw:owner", "team-a"), (key, value)],
        );
    }
    emu.create(
        serde_json::json!({"name": "lifted", "roleArn": ROLE, "authorizerType": "AWS_IAM"}),
        &[("acgw:owner", "team-a"), ("acgw:prevent-destroy", " FALSE ")],
    );
    emu.write("gateways.yaml", &owned_spec("team-a", &["other"]));
    let run = emu.acgw().args(["apply", "--prune", "--auto-approve"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    for (i, (key, value)) in protecting.iter().enumerate() {
        assert!(
            run.stdout
                .contains(&format!("not pruned: gateway kept{i} is protected from deletion (tag {key}={value:?})")),
            "kept{i} ({key}={value:?}): {run:?}"
        );
    }
    let names = emu.names();
    assert!((0..protecting.len()).all(|i| names.contains(&format!("kept{i}"))), "{names:?}");
    assert!(!names.contains(&"lifted".to_string()), "a clear false does not protect: {names:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn size_caps_hold_for_files_that_report_no_size() {
    let dir = tempfile::tempdir().unwrap();
    // A device never ends: refused by its type, at once, instead of read until memory runs out.
    let run = Acgw::new(dir.path()).args(["validate", "-f", "/dev/zero"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("/dev/zero: error: cannot read: it is a device, not a regular file"), "{run:?}");
    let run = Acgw::new(dir.path()).args(["apply", "/dev/zero"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("cannot read plan file /dev/zero") && run.stderr.contains("is a device"), "{run:?}");

    // /proc files report 0 bytes and hold far more: the 1 MiB cap of a `file:` still holds.
    let target = |file: &str| {
        format!(
            "      - name: big
        targetConfiguration:
          mcp:
            lambda:
              lambdaArn: arn:aws:lambda:us-east-1:123456789012:function:big
              toolSchema: {{ file: {file} }}
        credentialProviderConfigurations: [{{ credentialProviderType: GATEWAY_IAM_ROLE }}]
"
        )
    };
    for (file, why) in [
        ("/proc/kallsyms", "is over 1048576 bytes; inline schemas are limited to 1048576 bytes"),
        ("/dev/zero", "is a device, not a regular file"),
    ] {
        write(dir.path(), "gateways.yaml", &spec(&gw_targets("tools", &target(file))));
        let run = Acgw::new(dir.path()).args(["validate", "--allow-outside-files"]).run();
        assert_eq!(run.code, Some(1), "{file}: {run:?}");
        assert!(run.stderr.contains(&format!("{file} {why}")), "{file}: {run:?}");
    }
}

//! End-to-end tests of the `acgw` binary: exit codes, outputs and messages as a user sees them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use acgw::emulator::Faults;

mod support;
use support::{repo, write, Acgw, Env};

const BAD: &str = "gateways:
  - name: orders
    rolArn: arn:aws:iam::123456789012:role/r
    authorizerType: CUSTOM_JWT
    exceptionLevel: DEBG
";

#[test]
fn validate_accepts_every_example_and_the_quickstart() {
    let dir = tempfile::tempdir().unwrap();
    let run = Acgw::new(dir.path())
        .args(["validate", "-f"])
        .arg_path(&repo().join("examples"))
        .args(["-f"])
        .arg_path(&repo().join("gateways.yaml"))
        .run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("Valid: 9 gateways and 2 credential providers"), "{run:?}");
}

#[test]
fn validate_defaults_to_gateways_yaml_in_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    let run = Acgw::new(dir.path()).args(["validate"]).run();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("gateways.yaml: error: cannot read"), "{run:?}");
    std::fs::copy(repo().join("gateways.yaml"), dir.path().join("gateways.yaml")).unwrap();
    let run = Acgw::new(dir.path()).args(["validate"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn validate_reports_every_problem_with_its_place_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "g.yaml", BAD);
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "g.yaml:2:5: error: gateway `orders`: authorizerConfiguration: is required when authorizerType is CUSTOM_JWT",
            "g.yaml:2:5: error: gateway `orders`: roleArn: missing required key `roleArn`",
            "g.yaml:3:5: error: gateway `orders`: rolArn: unknown key `rolArn`; did you mean `roleArn`?",
            "g.yaml:5:21: error: gateway `orders`: exceptionLevel: expected one of DEBUG, found \"DEBG\"; did you mean `DEBUG`?",
        ],
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{run:?}");
}

#[test]
fn validate_github_format_emits_workflow_commands() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "g.yaml", BAD);
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml", "--format", "github"]).run();
    assert_eq!(run.code, Some(1));
    let first = run.stdout.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        "::error file=g.yaml,line=2,col=5::gateway `orders`: authorizerConfiguration: is required when authorizerType is CUSTOM_JWT"
    );
    assert_eq!(run.stdout.lines().count(), 4, "{}", run.stdout);
}

#[test]
fn validate_json_format_is_machine_readable() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "g.yaml", BAD);
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml", "--format", "json"]).run();
    assert_eq!(run.code, Some(1));
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json on stdout");
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["problems"][3]["path"], "exceptionLevel");
    assert_eq!(doc["problems"][3]["line"], 5);
    assert_eq!(doc["problems"][3]["column"], 21);
    assert_eq!(doc["problems"][3]["gateway"], "orders");
}

#[test]
fn warnings_are_printed_but_do_not_fail() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "g.yaml",
        "gateways:\n  - name: a\n    roleArn: arn:aws:iam::123456789012:role/r\n    authorizerType: AWS_IAM\n    \
         authorizerConfiguration:\n      customJWTAuthorizer:\n        discoveryUrl: https://x.example.com/.well-known/openid-configuration\n",
    );
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.contains("g.yaml:6:7: warning: gateway `a`: authorizerConfiguration"), "{run:?}");
}

#[test]
fn interpolation_uses_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "g.yaml",
        "gateways:\n  - name: a\n    roleArn: arn:aws:iam::${ACCOUNT_ID}:role/r\n    authorizerType: NONE\n",
    );
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml"]).run();
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("g.yaml:3:14: error: gateway `a`: roleArn: environment variable `ACCOUNT_ID` is not set"),
        "{run:?}"
    );
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml"]).env("ACCOUNT_ID", "123456789012").run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn usage_errors_exit_64_not_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = Acgw::new(dir.path()).args(["validate", "--no-such-flag"]).run();
    assert_eq!(run.code, Some(64), "{run:?}");
    let run = Acgw::new(dir.path()).args(["frobnicate"]).run();
    assert_eq!(run.code, Some(64), "{run:?}");
    let run = Acgw::new(dir.path()).args(["--help"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("validate"));
    // A rate of 0 would never send anything.
    let run = Acgw::new(dir.path()).args(["plan", "--max-rps", "0"]).run();
    assert_eq!(run.code, Some(64), "{run:?}");
    let run = Acgw::new(dir.path()).args(["plan"]).env("ACGW_MAX_RPS", "fast").run();
    assert_eq!(run.code, Some(64), "{run:?}");
}

trait ArgPath {
    fn arg_path(self, path: &Path) -> Self;
}

impl ArgPath for Acgw {
    fn arg_path(mut self, path: &Path) -> Self {
        self.cmd.arg(path);
        self
    }
}

const ROLE: &str = "arn:aws:iam::123456789012:role/r";

fn spec(gateways: &str) -> String {
    format!("gateways:\n{gateways}")
}

fn gw(name: &str, extra: &str) -> String {
    format!("  - name: {name}\n    roleArn: {ROLE}\n    authorizerType: AWS_IAM\n{extra}")
}

#[test]
fn plan_shows_every_action_unmanaged_gateways_and_exit_codes() {
    let emu = Env::new();
    emu.create(
        serde_json::json!({"name": "keep", "roleArn": ROLE, "authorizerType": "AWS_IAM", "description": "same"}),
        &[],
    );
    emu.create(
        serde_json::json!({"name": "change", "roleArn": ROLE, "authorizerType": "AWS_IAM", "description": "old"}),
        &[("team", "a")],
    );
    emu.create(serde_json::json!({"name": "auth", "roleArn": ROLE, "authorizerType": "NONE"}), &[]);
    emu.create(serde_json::json!({"name": "stray", "roleArn": ROLE, "authorizerType": "NONE"}), &[]);
    let text = spec(
        &[
            gw("keep", "    description: same\n"),
            gw("change", "    description: new\n    tags: {team: b}\n"),
            gw("auth", ""),
            gw("fresh", ""),
        ]
        .concat(),
    );
    emu.write("gateways.yaml", &text);

    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    let out = &run.stdout;
    assert!(out.contains("+ fresh will be created"), "{out}");
    assert!(out.contains("~ change ("), "{out}");
    assert!(out.contains("~ description: \"old\" → \"new\""), "{out}");
    assert!(out.contains("-/+ auth ("), "{out}");
    assert!(out.contains("authorizerType"), "{out}");
    assert!(out.contains("Plan: 1 to create, 1 to update, 1 to replace, 1 unchanged."), "{out}");
    let unmanaged_at = out.find("stray").expect("unmanaged listed");
    assert!(unmanaged_at > out.find("Plan:").unwrap(), "unmanaged gateways come after the plan: {out}");

    let run = emu.acgw().args(["plan"]).run();
    assert_eq!(run.code, Some(0), "plain plan exits 0 on success: {run:?}");

    let run = emu.acgw().args(["plan", "--format", "json"]).run();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json plan");
    assert_eq!(doc["format_version"], "4");
    let actions: BTreeMap<String, String> = doc["gateways"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["name"].as_str().unwrap().to_string(), g["action"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(actions["keep"], "no-op");
    assert_eq!(actions["change"], "update");
    assert_eq!(actions["auth"], "replace");
    assert_eq!(actions["fresh"], "create");

    let run = emu.acgw().args(["plan", "--format", "markdown"]).run();
    assert!(run.stdout.contains("<details>"), "{}", run.stdout);
    assert!(run.stdout.contains("```diff"), "{}", run.stdout);
}

#[test]
fn plan_makes_one_list_call_and_two_calls_per_existing_managed_gateway() {
    let emu = Env::new();
    for name in ["a", "b", "c", "other"] {
        emu.create(serde_json::json!({"name": name, "roleArn": ROLE, "authorizerType": "AWS_IAM"}), &[]);
    }
    let before = emu.stats();
    emu.write("gateways.yaml", &spec(&[gw("a", ""), gw("b", ""), gw("c", ""), gw("missing", "")].concat()));
    let run = emu.acgw().args(["plan"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let after = emu.stats();
    let delta = |op: &str| after.get(op).copied().unwrap_or(0) - before.get(op).copied().unwrap_or(0);
    assert_eq!(delta("ListGateways"), 1);
    assert_eq!(delta("GetGateway"), 3);
    assert_eq!(delta("ListTagsForResource"), 3);
    assert_eq!(after.values().sum::<u64>() - before.values().sum::<u64>(), 7, "{after:?}");
}

#[test]
fn server_defaults_set_order_empty_values_and_aws_tags_do_not_show_as_changes() {
    let emu = Env::new();
    // What the console would make: a server-filled session timeout, lists in another order,
    // an explicit MCP protocol type and an aws: tag.
    emu.create(
        serde_json::json!({
            "name": "norm", "roleArn": ROLE, "authorizerType": "CUSTOM_JWT", "protocolType": "MCP",
            "protocolConfiguration": {"mcp": {"supportedVersions": ["2025-06-18", "2025-03-26"]}},
            "authorizerConfiguration": {"customJWTAuthorizer": {
                "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                "allowedClients": ["b", "a"], "allowedAudience": ["y", "x"]}}
        }),
        &[("team", "t")],
    );
    let id = emu.rt.block_on(async {
        let list = emu.client().list_gateways().send().await.unwrap();
        list.items()[0].gateway_id().to_string()
    });
    assert!(emu.handle().add_service_tag(&id, "aws:cloudformation:stack-name", "s"));
    emu.write(
        "gateways.yaml",
        &format!(
            "gateways:\n  - name: norm\n    description: ''\n    roleArn: {ROLE}\n    authorizerType: CUSTOM_JWT\n    \
             protocolConfiguration:\n      mcp:\n        supportedVersions: ['2025-03-26', '2025-06-18']\n        \
             sessionConfiguration: {{sessionTimeoutInSeconds: 3600}}\n    authorizerConfiguration:\n      customJWTAuthorizer:\n        \
             discoveryUrl: https://idp.example.com/.well-known/openid-configuration\n        allowedClients: [a, b]\n        \
             allowedAudience: [x, y]\n        allowedScopes: []\n    tags: {{team: t}}\n"
        ),
    );
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("No changes. Gateways match the specs."), "{run:?}");
}

#[test]
fn every_example_applies_and_then_plans_clean() {
    let emu = Env::new();
    let mut examples: Vec<PathBuf> = std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    examples.push(repo().join("gateways.yaml"));
    assert!(examples.len() >= 5);
    for example in &examples {
        let run = emu.acgw().args(["apply", "--auto-approve", "-f"]).arg_path(example).run();
        assert_eq!(run.code, Some(0), "{}: {run:?}", example.display());
        let run = emu.acgw().args(["plan", "--detailed-exitcode", "-f"]).arg_path(example).run();
        assert_eq!(run.code, Some(0), "{}: a plan after apply shows changes: {}", example.display(), run.stdout);
    }
    // The WAF example needed a create and an update in one apply.
    let names = emu.names();
    assert!(names.contains(&"payments-secure".to_string()), "{names:?}");
}

#[test]
fn apply_needs_auto_approve_without_a_terminal_and_no_changes_is_success() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw("solo", "")));
    let run = emu.acgw().args(["apply"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("--auto-approve"), "{run:?}");
    assert!(emu.names().is_empty(), "nothing was created");
    let run = emu.acgw().args(["apply", "--auto-approve", "--format", "json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let json_start = run.stdout.rfind("{\n  \"format_version\"").expect("json report after the plan");
    let report: serde_json::Value = serde_json::from_str(&run.stdout[json_start..]).expect("json report");
    assert_eq!(report["gateways"][0]["name"], "solo");
    assert_eq!(report["gateways"][0]["action"], "create");
    assert_eq!(report["gateways"][0]["result"], "succeeded");
    assert!(report["gateways"][0]["gateway_id"].as_str().unwrap().starts_with("solo-"));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("No changes."), "{run:?}");
}

#[test]
fn a_saved_plan_applies_once_and_a_stale_one_is_refused() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&[gw("alpha", "    description: one\n"), gw("beta", "")].concat()));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    emu.write(
        "gateways.yaml",
        &spec(&[gw("alpha", "    description: two\n"), gw("beta", ""), gw("gamma", "")].concat()),
    );
    let run = emu.acgw().args(["plan", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(emu.dir().join("plan.json")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    // Someone changes alpha and creates gamma by hand after the plan was made.
    let client = emu.client();
    let alpha = emu.rt.block_on(async {
        let list = client.list_gateways().send().await.unwrap();
        list.items().iter().find(|g| g.name() == "alpha").unwrap().gateway_id().to_string()
    });
    emu.rt.block_on(async {
        let arn = client.get_gateway().gateway_identifier(&alpha).send().await.unwrap().gateway_arn().to_string();
        client.tag_resource().resource_arn(arn).tags("owner", "someone").send().await.unwrap();
    });
    emu.create(serde_json::json!({"name": "gamma", "roleArn": ROLE, "authorizerType": "AWS_IAM"}), &[]);
    let mutations_before = mutations(&emu);
    let run = emu.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("the plan is stale"), "{run:?}");
    assert!(run.stderr.contains("alpha: tags changed (owner)"), "{run:?}");
    assert!(run.stderr.contains("gamma: it now exists"), "{run:?}");
    assert_eq!(mutations(&emu), mutations_before, "a stale plan makes no change");

    // A fresh plan applies without asking, and applying it twice is refused as stale.
    let run = emu.acgw().args(["plan", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("alpha: updatedAt moved"), "{run:?}");
}

fn mutations(emu: &Env) -> u64 {
    let stats = emu.stats();
    ["CreateGateway", "UpdateGateway", "DeleteGateway", "TagResource", "UntagResource"]
        .iter()
        .map(|op| stats.get(*op).copied().unwrap_or(0))
        .sum()
}

#[test]
fn replacing_needs_allow_replace_and_then_deletes_and_creates() {
    let emu = Env::builder().delete_delay(Duration::from_millis(300)).start();
    let old = emu.create(serde_json::json!({"name": "swap", "roleArn": ROLE, "authorizerType": "NONE"}), &[]);
    emu.write("gateways.yaml", &spec(&gw("swap", "")));
    let before = mutations(&emu);
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("--allow-replace"), "{run:?}");
    assert!(run.stderr.contains("swap (forced by authorizerType)"), "{run:?}");
    assert_eq!(mutations(&emu), before, "refused before any change");

    let run = emu.acgw().args(["apply", "--auto-approve", "--allow-replace"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("replaced"), "{run:?}");
    assert!(run.stdout.contains("DeleteGateway, CreateGateway"), "{run:?}");
    assert_eq!(emu.names(), ["swap"]);
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(!run.stdout.contains(&old), "the new gateway has a new ID");
}

#[test]
fn a_partial_apply_says_exactly_what_was_done_and_what_was_not() {
    let emu = Env::new();
    let taken = emu.create(serde_json::json!({"name": "hastargets", "roleArn": ROLE, "authorizerType": "NONE"}), &[]);
    emu.add_target(&taken, "t1");
    emu.write("gateways.yaml", &spec(&[gw("hastargets", ""), gw("newone", "")].concat()));
    let run = emu.acgw().args(["apply", "--auto-approve", "--allow-replace"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("✓ newone"), "{run:?}");
    assert!(run.stdout.contains("✗ hastargets"), "{run:?}");
    assert!(run.stdout.contains("has 1 target(s)"), "{run:?}");
    assert!(run.stdout.contains("Apply incomplete: 1 succeeded, 1 failed (hastargets)"), "{run:?}");
    assert_eq!(emu.names(), ["hastargets", "newone"]);
}

#[test]
fn a_gateway_that_stays_creating_times_out_with_its_name_and_status() {
    let emu = Env::builder().create_delay(Duration::from_secs(30)).start();
    emu.write("gateways.yaml", &spec(&gw("slow", "")));
    let run = emu.acgw().args(["apply", "--auto-approve", "--wait-timeout", "1s"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("✗ slow"), "{run:?}");
    assert!(run.stdout.contains("it is still CREATING"), "{run:?}");
    assert!(run.stdout.contains("done: CreateGateway"), "{run:?}");
}

#[test]
fn apply_converges_under_throttling_and_server_errors() {
    let emu = Env::builder().seed(7).start();
    emu.set_faults(Faults { throttle_rate: 0.3, error_rate: 0.1, ..Faults::default() });
    let names: Vec<String> = (0..3).map(|i| format!("busy{i}")).collect();
    emu.write("gateways.yaml", &spec(&names.iter().map(|n| gw(n, "    tags: {k: v}\n")).collect::<String>()));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.set_faults(Faults::default());
    assert_eq!(emu.names(), names);
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn lost_responses_never_create_a_second_gateway() {
    let emu = Env::builder().seed(11).start();
    emu.set_faults(Faults { lost_response_rate: 0.3, ..Faults::default() });
    let names: Vec<String> = (0..8).map(|i| format!("lost{i}")).collect();
    emu.write("gateways.yaml", &spec(&names.iter().map(|n| gw(n, "    description: d\n")).collect::<String>()));
    let mut runs = 0;
    loop {
        runs += 1;
        let run = emu.acgw().args(["apply", "--auto-approve"]).run();
        if run.code == Some(0) {
            break;
        }
        assert_eq!(run.code, Some(1), "{run:?}");
        assert!(runs < 10, "apply did not converge in 10 runs: {run:?}");
    }
    emu.set_faults(Faults::default());
    assert_eq!(emu.names(), names, "exactly one gateway per spec after {runs} run(s)");
}

#[test]
fn drift_is_read_only_and_exits_2_with_field_paths() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&[gw("steady", "    description: d\n"), gw("gone", "")].concat()));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["drift"]).run();
    assert_eq!(run.code, Some(0), "in sync: {run:?}");

    // Someone edits a gateway in the console, and deletes another.
    let client = emu.client();
    emu.rt.block_on(async {
        let list = client.list_gateways().send().await.unwrap();
        for g in list.items() {
            if g.name() == "steady" {
                client
                    .update_gateway()
                    .gateway_identifier(g.gateway_id())
                    .name("steady")
                    .role_arn(ROLE)
                    .authorizer_type(aws_sdk_bedrockagentcorecontrol::types::AuthorizerType::AwsIam)
                    .description("edited by hand")
                    .send()
                    .await
                    .unwrap();
            } else {
                client.delete_gateway().gateway_identifier(g.gateway_id()).send().await.unwrap();
            }
        }
    });
    let before = mutations(&emu);
    let run = emu.acgw().args(["drift", "--format", "json"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let by_name: BTreeMap<String, &serde_json::Value> =
        doc["gateways"].as_array().unwrap().iter().map(|g| (g["name"].as_str().unwrap().to_string(), g)).collect();
    assert_eq!(by_name["steady"]["state"], "modified");
    assert_eq!(by_name["steady"]["changes"][0]["path"], "description");
    assert_eq!(by_name["gone"]["state"], "missing");
    assert_eq!(mutations(&emu), before, "drift made no change");
    for format in ["text", "markdown"] {
        let run = emu.acgw().args(["drift", "--format", format]).run();
        assert_eq!(run.code, Some(2), "{format}: {run:?}");
        assert!(run.stdout.contains("steady") && run.stdout.contains("description"), "{format}: {}", run.stdout);
    }
}

#[test]
fn export_then_plan_shows_no_changes() {
    let emu = Env::new();
    emu.create(
        serde_json::json!({
            "name": "handmade", "roleArn": ROLE, "authorizerType": "CUSTOM_JWT", "description": "made in the console",
            "protocolConfiguration": {"mcp": {"supportedVersions": ["2025-06-18"], "instructions": "line one\nline two", "searchType": "SEMANTIC"}},
            "authorizerConfiguration": {"customJWTAuthorizer": {
                "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration", "allowedClients": ["c"]}},
            "exceptionLevel": "DEBUG"
        }),
        &[("team", "ops")],
    );
    emu.create(serde_json::json!({"name": "other", "roleArn": ROLE, "authorizerType": "NONE"}), &[]);
    let run = emu.acgw().args(["export", "-o", "exported.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = Acgw::new(emu.dir()).args(["validate", "-f", "exported.yaml"]).run();
    assert_eq!(run.code, Some(0), "the export validates with no edits: {run:?}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "-f", "exported.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("No changes."), "{run:?}");

    let run = emu.acgw().args(["export", "--name", "other"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("name: other") && !run.stdout.contains("handmade"), "{}", run.stdout);
    let run = emu.acgw().args(["export", "--name", "nope"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("no live gateway is named nope"), "{run:?}");
}

#[test]
fn hostile_specs_fail_with_a_location_and_make_no_api_call() {
    let emu = Env::new();
    let hostile = repo().join("tests/hostile");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&hostile).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    // Generated cases: too big or too odd to commit.
    let deep = emu.dir().join("deep.yaml");
    std::fs::write(&deep, format!("gateways: {}{}", "[".repeat(10_000), "]".repeat(10_000))).unwrap();
    let huge = emu.dir().join("huge.yaml");
    let mut text = String::from("gateways:\n");
    while text.len() < 50 * 1024 * 1024 {
        text.push_str("  - {name: x, roleArn: 'arn:aws:iam::123456789012:role/r', authorizerType: NONE}\n");
    }
    std::fs::write(&huge, text).unwrap();
    let empty_dir = emu.dir().join("empty-dir");
    std::fs::create_dir(&empty_dir).unwrap();
    cases.extend([deep, huge, empty_dir]);
    assert!(cases.len() >= 12, "{cases:?}");
    let location = regex::Regex::new(r"(?m)^\S+:\d+:\d+: error: |^\S+: error: ").unwrap();
    for case in &cases {
        for command in ["plan", "apply", "drift"] {
            let mut acgw = emu.acgw().args([command, "-f"]).arg_path(case);
            if command == "apply" {
                acgw = acgw.args(["--auto-approve"]);
            }
            let run = acgw.run();
            assert_eq!(run.code, Some(1), "{command} {}: {run:?}", case.display());
            assert!(location.is_match(&run.stderr), "{command} {}: no location in {}", case.display(), run.stderr);
            assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        }
    }
    assert_eq!(emu.calls(), 0, "no API call for invalid specs: {:?}", emu.stats());
}

/// Runs a child to its end and returns its exit code and peak resident memory, in bytes.
///
/// `wait4`'s `ru_maxrss` is not enough alone: the child is spawned sharing this test process's
/// memory until it execs, and Linux folds that memory's high-water mark (this process's peak,
/// whatever other tests did before) into the child's figure. So the child's own high-water mark
/// (`VmHWM`, which starts afresh at exec) is read from /proc while it runs; it can only miss the
/// last millisecond. `ru_maxrss` serves when the child ended before the first read.
// The child is reaped by `wait4` below, which std's `Child` cannot see.
#[allow(clippy::zombie_processes)]
fn run_measuring_rss(mut cmd: Command) -> (Option<i32>, u64) {
    let child = cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().expect("spawns");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut own_peak = 0u64;
    loop {
        // SAFETY: `pid` is our own unwaited child; status and usage point to live locals.
        let waited = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if waited == pid {
            break;
        }
        assert_eq!(waited, 0, "wait4 failed");
        let hwm = std::fs::read_to_string(format!("/proc/{pid}/status")).ok().and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        });
        own_peak = own_peak.max(hwm.unwrap_or(0) * 1024);
        std::thread::sleep(Duration::from_millis(1));
    }
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    let rss = if own_peak > 0 { own_peak } else { usage.ru_maxrss as u64 * 1024 };
    (code, rss)
}

#[test]
fn an_alias_bomb_and_a_50_mib_file_stay_within_200_mib() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.yaml");
    let line = "  - {name: x, roleArn: 'arn:aws:iam::123456789012:role/r', authorizerType: NONE}\n";
    std::fs::write(&huge, format!("gateways:\n{}", line.repeat(50 * 1024 * 1024 / line.len() + 1))).unwrap();
    let bomb = repo().join("tests/hostile/billion-laughs.yaml");
    for file in [huge, bomb] {
        let cmd = Acgw::new(dir.path()).args(["validate", "-f"]).arg_path(&file).into_command();
        let (code, rss) = run_measuring_rss(cmd);
        assert_eq!(code, Some(1), "{}", file.display());
        assert!(rss < 200 * 1024 * 1024, "{}: peak RSS {} MiB", file.display(), rss / 1024 / 1024);
    }
}

#[test]
fn failed_and_unsuccessful_gateways_give_their_reasons_and_are_repaired_by_the_next_apply() {
    let emu = Env::builder().create_delay(Duration::from_millis(100)).update_delay(Duration::from_millis(100)).start();
    emu.write("gateways.yaml", &spec(&[gw("doomed", ""), gw("shaky", "    description: one\n")].concat()));
    emu.handle().fail_next("doomed", &["The role arn:aws:iam::123456789012:role/r cannot be assumed"]);
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("✓ shaky"), "{run:?}");
    assert!(run.stdout.contains("✗ doomed"), "{run:?}");
    assert!(run.stdout.contains("is FAILED: The role arn:aws:iam::123456789012:role/r cannot be assumed"), "{run:?}");

    // The FAILED gateway is planned as a replacement, which needs --allow-replace.
    let run = emu.acgw().args(["plan"]).run();
    assert!(run.stdout.contains("doomed") && run.stdout.contains("must be replaced: its creation FAILED"), "{run:?}");
    let run = emu.acgw().args(["drift"]).run();
    assert_eq!(run.code, Some(2), "a FAILED gateway is drift: {run:?}");

    emu.write("gateways.yaml", &spec(&[gw("doomed", ""), gw("shaky", "    description: two\n")].concat()));
    emu.handle().fail_next("shaky", &["Internal error while applying the update"]);
    let run = emu.acgw().args(["apply", "--auto-approve", "--allow-replace"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("✓ doomed"), "replaced: {run:?}");
    assert!(run.stdout.contains("is UPDATE_UNSUCCESSFUL: Internal error while applying the update"), "{run:?}");

    // The unsuccessful update is sent again although the configuration already matches.
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.contains("its last update did not succeed"), "{run:?}");
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(emu.names(), ["doomed", "shaky"]);
}

/// Gateways holding what AWS may send one day, beside healthy ones: an enum value and a union
/// member this build does not know, an empty and an over-long description, and one whose reads
/// are denied. Returns the Env (its directory holds the spec) and the IDs by name.
fn odd_account() -> (Env, BTreeMap<&'static str, String>) {
    let emu = Env::new();
    let names = ["alpha", "blank", "denied", "future", "hybrid", "long", "zeta"];
    let mut ids = BTreeMap::new();
    for name in names {
        let id = emu.create(
            serde_json::json!({"name": name, "roleArn": ROLE, "authorizerType": "AWS_IAM", "description": "d"}),
            &[],
        );
        ids.insert(name, id);
    }
    let h = emu.handle();
    assert!(h.set_raw(&ids["blank"], "/description", serde_json::json!("")));
    assert!(h.set_raw(&ids["long"], "/description", serde_json::json!("x".repeat(300))));
    assert!(h.set_raw(&ids["hybrid"], "/protocolConfiguration", serde_json::json!({"mcp": {"searchType": "HYBRID"}})));
    assert!(h.set_raw(
        &ids["future"],
        "/authorizerConfiguration",
        serde_json::json!({"oauth2Authorizer": {"issuer": "x"}})
    ));
    h.deny_reads(&ids["denied"]);
    let specs: Vec<String> = names
        .iter()
        .map(|n| match *n {
            "blank" => gw(n, ""),
            "hybrid" => gw(n, "    description: d\n    protocolConfiguration: { mcp: { searchType: SEMANTIC } }\n"),
            _ => gw(n, "    description: d\n"),
        })
        .collect();
    emu.write("gateways.yaml", &spec(&specs.concat()));
    (emu, ids)
}

#[test]
fn one_odd_gateway_never_blinds_plan_drift_or_export() {
    let (emu, ids) = odd_account();
    let before = mutations(&emu);

    let run = emu.acgw().args(["plan"]).run();
    assert_eq!(run.code, Some(1), "failures make plan exit 1: {run:?}");
    let out = &run.stdout;
    assert!(out.contains("protocolConfiguration.mcp.searchType: \"HYBRID\" → \"SEMANTIC\""), "{out}");
    assert!(out.contains(&format!("~ long ({}) will be updated in place", ids["long"])), "{out}");
    assert!(!out.contains("~ blank"), "an empty description is no description: {out}");
    assert!(
        out.contains(&format!(
            "! future ({}) could not be planned: GetGateway answered authorizerConfiguration: a union member this version does not know; this acgw version cannot read it",
            ids["future"]
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("! denied ({}) could not be planned: GetGateway for gateway denied", ids["denied"])),
        "{out}"
    );
    assert!(
        out.contains("Plan: 0 to create, 2 to update, 0 to replace, 3 unchanged. 2 gateways could not be planned."),
        "{out}"
    );
    assert!(run.stderr.contains("2 gateways could not be planned"), "{run:?}");

    let run = emu.acgw().args(["drift", "--format", "json"]).run();
    assert_eq!(run.code, Some(1), "a drift job must not read success when gateways were not checked: {run:?}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let state: BTreeMap<&str, &str> = doc["gateways"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["name"].as_str().unwrap(), g["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        state,
        BTreeMap::from([
            ("alpha", "in-sync"),
            ("blank", "in-sync"),
            ("hybrid", "modified"),
            ("long", "modified"),
            ("zeta", "in-sync")
        ])
    );
    let failed: Vec<&str> = doc["failed"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(failed, ["denied", "future"]);
    assert_eq!(doc["summary"]["failed"], 2);
    for format in ["text", "markdown"] {
        let run = emu.acgw().args(["drift", "--format", format]).run();
        assert_eq!(run.code, Some(1), "{format}: {run:?}");
        assert!(
            run.stdout.contains("future") && run.stdout.contains("this acgw version cannot read it"),
            "{format}: {run:?}"
        );
        assert!(run.stdout.contains("hybrid"), "{format}: {run:?}");
    }

    let run = emu.acgw().args(["export"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    for name in ["alpha", "blank", "hybrid", "long", "zeta"] {
        assert!(run.stdout.contains(&format!("name: {name}")), "{name} exported: {}", run.stdout);
    }
    assert!(run.stdout.contains("searchType: HYBRID"), "unknown values are exported as they are: {}", run.stdout);
    assert!(!run.stdout.contains("future") && !run.stdout.contains("denied"), "{}", run.stdout);
    assert!(run.stderr.contains(&format!("gateway future ({}) was not exported", ids["future"])), "{run:?}");
    assert!(run.stderr.contains("gateway denied"), "{run:?}");
    assert!(run.stderr.contains("gateway hybrid: protocolConfiguration.mcp.searchType"), "{run:?}");
    assert!(run.stderr.contains("gateway long: description"), "{run:?}");
    assert_eq!(mutations(&emu), before, "reading changed nothing");
}

#[test]
fn apply_converges_the_healthy_gateways_and_never_touches_the_unreadable_one() {
    let (emu, ids) = odd_account();
    // A saved plan with failures is kept: applying it does the rest and names what it left out.
    let run = emu.acgw().args(["plan", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    let run = emu.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("✓ hybrid") && run.stdout.contains("✓ long"), "{run:?}");
    assert!(run.stdout.contains("✗ future") && run.stdout.contains("not applied"), "{run:?}");
    assert!(run.stdout.contains("✗ denied"), "{run:?}");

    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(1), "the unreadable gateways still fail: {run:?}");
    assert!(
        run.stdout.contains("Plan: 0 to create, 0 to update")
            || run.stdout.contains("No changes for the gateways that could be read"),
        "{run:?}"
    );
    // The gateway with the unknown union member kept it: no update silently dropped it.
    let run = emu.acgw().args(["plan", "--format", "json"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(doc["summary"]["update"], 0, "{doc}");
    assert_eq!(doc["failed"][1]["gatewayId"], ids["future"].as_str());
    assert!(doc["failed"][1]["error"].as_str().unwrap().contains("authorizerConfiguration"), "{doc}");
}

// ---------------------------------------------------------------- editor and shell integration

/// The schema as `acgw schema` prints it, checked against the draft 2020-12 meta-schema.
fn schema_validator() -> jsonschema::Validator {
    let dir = tempfile::tempdir().unwrap();
    let run = Acgw::new(dir.path()).args(["schema"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let schema: serde_json::Value = serde_json::from_str(&run.stdout).expect("the schema is JSON");
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    if let Err(e) = jsonschema::draft202012::meta::validate(&schema) {
        panic!("not a valid draft 2020-12 schema: {e}");
    }
    jsonschema::draft202012::new(&schema).expect("compiles")
}

/// Every YAML document of `text` as JSON, the way an editor's YAML language server sees it.
fn yaml_documents(text: &str) -> Vec<serde_json::Value> {
    serde_yaml::Deserializer::from_str(text)
        .map(|doc| {
            let mut value = <serde_yaml::Value as serde::Deserialize>::deserialize(doc).expect("yaml");
            value.apply_merge().expect("merge keys");
            serde_json::to_value(value).expect("json")
        })
        .collect()
}

#[test]
fn the_schema_is_valid_draft_2020_12_and_accepts_every_example_and_fixture() {
    let validator = schema_validator();
    let mut files = vec![
        repo().join("gateways.yaml"),
        repo().join("tests/fixtures/every-member.yaml"),
        repo().join("tests/fixtures/every-target.yaml"),
    ];
    for entry in std::fs::read_dir(repo().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            files.push(path);
        }
    }
    assert!(files.len() >= 6, "{files:?}");
    // `${VAR}` is checked once expanded, whatever the member's own type.
    let interpolated = serde_json::json!({"gateways": [{
        "name": "${NAME}", "roleArn": "arn:aws:iam::${ACCOUNT}:role/r", "authorizerType": "${AUTH:-AWS_IAM}",
        "protocolConfiguration": {"mcp": {"sessionConfiguration": {"sessionTimeoutInSeconds": "${TIMEOUT}"},
            "streamingConfiguration": {"enableResponseStreaming": "${STREAM}"}}}
    }]});
    assert!(validator.is_valid(&interpolated));
    for file in files {
        for doc in yaml_documents(&std::fs::read_to_string(&file).unwrap()) {
            let errors: Vec<String> =
                validator.iter_errors(&doc).map(|e| format!("{}: {e}", e.instance_path())).collect();
            assert!(errors.is_empty(), "{} is refused by the schema:\n{}", file.display(), errors.join("\n"));
        }
    }
}

/// Values that break one constraint or another; `${` is left out on purpose (the schema accepts
/// any interpolation and leaves it to `acgw validate`).
fn mutations_of(value: &serde_json::Value) -> Vec<serde_json::Value> {
    use serde_json::{json, Value};
    let mut out = vec![Value::Null, json!(""), json!([]), json!({})];
    match value {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => {
            for s in ["a", "Z!", "bad value", "HYBRID", "vpc-1234", "2025-06-18", "true"] {
                out.push(json!(s));
            }
            for n in [1, 2, 3, 19, 21, 49, 97, 129, 171, 201, 254, 256, 257, 1012, 2049] {
                out.push(json!("x".repeat(n)));
            }
            for n in [-1, 0, 899, 900, 28800, 28801, 2147483648i64] {
                out.push(json!(n));
            }
            out.push(json!(1.5));
            out.push(json!(true));
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                for n in [2, 3, 6, 11, 51] {
                    out.push(Value::Array(vec![first.clone(); n]));
                }
            }
            out.push(json!("not a list"));
        }
        Value::Object(map) => {
            let mut extra = map.clone();
            extra.insert("bogus".into(), json!(1));
            out.push(Value::Object(extra));
            for key in map.keys() {
                let mut fewer = map.clone();
                fewer.remove(key);
                out.push(Value::Object(fewer));
            }
            let mut many = map.clone();
            for i in 0..51 {
                many.insert(format!("k{i}"), json!("v"));
            }
            out.push(Value::Object(many));
        }
        Value::Null => {}
    }
    out
}

/// Every JSON pointer below `value`.
fn pointers(value: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_schema_and_validate_reject_exactly_the_same_mutations_of_every_member() {
    let validator = schema_validator();
    let (mut both_refuse, mut checked) = (0, 0);
    let mut disagreements = Vec::new();
    for fixture in ["every-member.yaml", "every-target.yaml"] {
        let fixture = std::fs::read_to_string(repo().join("tests/fixtures").join(fixture)).unwrap();
        let base = yaml_documents(&fixture).remove(0);
        let mut paths = Vec::new();
        pointers(&base, String::new(), &mut paths);
        for path in &paths {
            let original = base.pointer(path).expect("pointer").clone();
            for mutation in mutations_of(&original) {
                let mut doc = base.clone();
                *doc.pointer_mut(path).expect("pointer") = mutation.clone();
                let yaml = serde_yaml::to_string(&doc).expect("yaml");
                let schema_ok = validator.is_valid(&doc);
                let validate = acgw::load::load_text("mutated.yaml", &yaml, &|_| None);
                // Rules across fields are `acgw validate`'s alone: the schema's descriptions say so.
                // So is uniqueness of names across documents.
                let cross_field = |p: &acgw::problem::Problem| {
                    p.message.contains("goes with")
                        || p.message.contains("is required when")
                        || p.message.contains("is declared twice")
                        || p.message.contains("the service refuses it otherwise")
                };
                let validate_ok = match &validate {
                    Ok(_) => true,
                    Err(problems) => {
                        let errors: Vec<_> =
                            problems.0.iter().filter(|p| p.severity == acgw::problem::Severity::Error).collect();
                        if schema_ok && !errors.is_empty() && errors.iter().all(|p| cross_field(p)) {
                            continue;
                        }
                        errors.is_empty()
                    }
                };
                checked += 1;
                if schema_ok != validate_ok {
                    let why = validate.err().map(|p| p.to_string()).unwrap_or_default();
                    let shown: String = mutation.to_string().chars().take(60).collect();
                    disagreements.push(format!("{path} = {shown}: schema {schema_ok}, validate {validate_ok} {why}"));
                }
                if !schema_ok && !validate_ok {
                    both_refuse += 1;
                }
            }
        }
    }
    assert!(disagreements.is_empty(), "{} of {checked} disagree:\n{}", disagreements.len(), disagreements.join("\n"));
    assert!(both_refuse > checked / 2, "most mutations break something: {both_refuse} of {checked}");

    // And through the binary: a sample the schema refuses, `acgw validate` refuses with its place.
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::fs::read_to_string(repo().join("tests/fixtures/every-member.yaml")).unwrap();
    let mut doc = yaml_documents(&fixture).remove(0);
    *doc.pointer_mut("/gateways/0/protocolConfiguration/mcp/sessionConfiguration/sessionTimeoutInSeconds").unwrap() =
        serde_json::json!(28801);
    assert!(!validator.is_valid(&doc));
    write(dir.path(), "g.yaml", &serde_yaml::to_string(&doc).unwrap());
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("sessionTimeoutInSeconds: expected an integer from 900 to 28800, found 28801"),
        "{run:?}"
    );
}

#[test]
fn bash_completion_registers_and_every_shell_gets_a_script() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_acgw");
    let out = Command::new("bash")
        .args(["-c", &format!("source <('{bin}' completions bash); complete -p acgw")])
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("acgw"), "{out:?}");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = Acgw::new(dir.path()).args(["completions", shell]).run();
        assert_eq!(run.code, Some(0), "{shell}: {run:?}");
        for word in ["plan", "apply", "drift", "export", "schema"] {
            assert!(run.stdout.contains(word), "{shell} completes {word}");
        }
    }
    let run = Acgw::new(dir.path()).args(["completions", "tcsh"]).run();
    assert_eq!(run.code, Some(64), "{run:?}");
}

#[test]
fn the_man_page_renders_with_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let run = Acgw::new(dir.path()).args(["man"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.starts_with(".ie") || run.stdout.contains(".TH acgw"),
        "roff: {}",
        &run.stdout[..200.min(run.stdout.len())]
    );
    let commands = ["validate", "plan", "apply", "drift", "export", "emulator", "schema", "completions", "man"];
    for c in commands {
        assert!(run.stdout.contains(&format!("ACGW {}", c.to_uppercase())), "section for {c}");
    }
    let man = Command::new("sh").args(["-c", "command -v man"]).output().expect("sh runs");
    if man.status.success() {
        let path = write(dir.path(), "acgw.1", &run.stdout);
        let out = Command::new("man")
            .arg("-l")
            .arg(&path)
            .env("MANWIDTH", "100")
            .env("PAGER", "cat")
            .output()
            .expect("man runs");
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        for c in commands {
            assert!(text.contains(&format!("ACGW {}", c.to_uppercase())), "rendered section for {c}:\n{text}");
        }
        assert!(text.contains("--auto-approve"), "{text}");
    }
}

// ---------------------------------------------------------------- ownership and deletion

impl Env {
    /// Adds a target to a gateway, as another tool would.
    fn add_target(&self, gateway_id: &str, name: &str) -> String {
        let client = self.client();
        self.rt.block_on(async {
            let out = client
                .create_gateway_target()
                .gateway_identifier(gateway_id)
                .name(name)
                .target_configuration(support::lambda_target())
                .send()
                .await
                .expect("target created");
            out.target_id().to_string()
        })
    }

    /// The live gateway IDs by name.
    fn ids(&self) -> BTreeMap<String, String> {
        let client = self.client();
        self.rt.block_on(async {
            let list = client.list_gateways().max_results(1000).send().await.expect("lists");
            list.items().iter().map(|g| (g.name().to_string(), g.gateway_id().to_string())).collect()
        })
    }

    /// A gateway's tags.
    fn tags(&self, name: &str) -> BTreeMap<String, String> {
        let id = self.ids()[name].clone();
        let client = self.client();
        self.rt.block_on(async {
            let arn = client.get_gateway().gateway_identifier(&id).send().await.expect("get").gateway_arn().to_string();
            let tags = client.list_tags_for_resource().resource_arn(arn).send().await.expect("tags");
            tags.tags().cloned().unwrap_or_default().into_iter().collect()
        })
    }
}

fn owned_spec(owner: &str, gateways: &[&str]) -> String {
    let mut text = format!("owner: {owner}\ngateways:\n");
    for g in gateways {
        text.push_str(&gw(g, ""));
    }
    text
}

#[test]
fn prune_deletes_exactly_the_owned_gateways_no_spec_names_and_their_targets() {
    let emu = Env::new();
    emu.write("gateways.yaml", &owned_spec("team-a", &["keep", "gone-one", "gone-two"]));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(emu.tags("keep").get("acgw:owner").map(String::as_str), Some("team-a"));
    let ids = emu.ids();
    emu.add_target(&ids["gone-one"], "tools");
    // Neighbours that must survive: made by hand, and owned by another team.
    emu.create(serde_json::json!({"name": "handmade", "roleArn": ROLE, "authorizerType": "NONE"}), &[]);
    emu.create(
        serde_json::json!({"name": "theirs", "roleArn": ROLE, "authorizerType": "NONE"}),
        &[("acgw:owner", "team-b")],
    );

    emu.write("gateways.yaml", &owned_spec("team-a", &["keep"]));
    let run = emu.acgw().args(["plan"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains("Orphaned gateways (2; owned by this owner, in no spec; `--prune` deletes them):"),
        "{run:?}"
    );
    let run = emu.acgw().args(["drift", "--format", "json"]).run();
    assert_eq!(run.code, Some(2), "orphaned gateways are drift: {run:?}");
    assert!(run.stdout.contains("\"orphaned\": 2"), "{run:?}");

    let run = emu.acgw().args(["plan", "--prune"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "- gone-one ({}) will be deleted (owned by team-a, no longer in the specs)",
            ids["gone-one"]
        )),
        "{run:?}"
    );
    assert!(run.stdout.contains("    - target tools ("), "{run:?}");
    assert!(run.stdout.contains("Plan: 0 to create, 0 to update, 0 to replace, 2 to delete, 1 unchanged."), "{run:?}");
    let run = emu.acgw().args(["plan", "--prune", "--format", "markdown"]).run();
    assert!(run.stdout.contains("| Create | Update | Replace | Delete | Unchanged | Orphaned |"), "{run:?}");
    assert!(run.stdout.contains("| `gone-one` | **delete** |"), "{run:?}");

    let run = emu.acgw().args(["apply", "--prune", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("DeleteGatewayTarget tools, DeleteGateway"), "{run:?}");
    assert!(
        run.stdout.lines().any(|l| l.starts_with("- gone-one") && l.contains("deleted") && !l.contains("will be")),
        "the report shows the deletion with `-`: {run:?}"
    );
    assert_eq!(emu.names(), ["handmade", "keep", "theirs"]);
    let run = emu.acgw().args(["plan", "--prune", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    // Without an owner there is nothing to prove ownership with.
    emu.write("plain.yaml", &spec(&gw("keep", "")));
    let run = emu.acgw().args(["plan", "--prune", "-f", "plain.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("--prune deletes only gateways tagged with this run's owner"), "{run:?}");
    // A run without an owner leaves the owner tag alone.
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "-f", "plain.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn destroy_tears_down_a_preview_environment_and_a_second_destroy_succeeds() {
    let emu = Env::new();
    emu.write("gateways.yaml", &owned_spec("preview/pr-42", &["pr42-api", "pr42-ui"]));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.add_target(&emu.ids()["pr42-api"], "t1");
    emu.create(serde_json::json!({"name": "bystander", "roleArn": ROLE, "authorizerType": "NONE"}), &[]);

    let run = emu.acgw().args(["destroy"]).run();
    assert_eq!(run.code, Some(1), "no terminal, no --auto-approve: {run:?}");
    assert!(run.stderr.contains("Pass --auto-approve"), "{run:?}");
    assert_eq!(emu.names().len(), 3);

    let run = emu.acgw().args(["destroy", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("will be deleted"), "{run:?}");
    assert_eq!(emu.names(), ["bystander"]);
    let run = emu.acgw().args(["destroy", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("already gone"), "{run:?}");
    assert!(run.stdout.contains("Apply complete: 0 gateways changed, 2 already gone."), "{run:?}");
    assert!(run.stdout.starts_with("Nothing to destroy: none of the gateways the specs name exists.\n"), "{run:?}");

    // A gateway the specs name but another owner holds (or nobody) is refused by name.
    emu.write("other.yaml", &owned_spec("preview/pr-43", &["bystander"]));
    let run = emu.acgw().args(["destroy", "--auto-approve", "-f", "other.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("bystander") && run.stdout.contains("has no acgw:owner tag"), "{run:?}");
    assert_eq!(emu.names(), ["bystander"]);
    let run = emu.acgw().args(["destroy", "--auto-approve", "--take-ownership", "-f", "other.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(emu.names().is_empty());
}

#[test]
fn prevent_destroy_blocks_prune_destroy_and_replace_after_its_spec_is_gone() {
    let emu = Env::new();
    let protected = "owner: team-a\ngateways:\n".to_string()
        + &gw("vault", "    lifecycle: { preventDestroy: true }\n")
        + &gw("other", "");
    emu.write("gateways.yaml", &protected);
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(emu.tags("vault").get("acgw:prevent-destroy").map(String::as_str), Some("true"));
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "acgw's own tags are no perpetual diff: {run:?}");

    // Its spec is deleted: prune refuses it, saying how to lift the protection.
    emu.write("gateways.yaml", &owned_spec("team-a", &["other"]));
    let run = emu.acgw().args(["apply", "--prune", "--auto-approve"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("vault") && run.stdout.contains("preventDestroy: false"), "{run:?}");
    assert!(emu.names().contains(&"vault".to_string()));

    // destroy refuses it too.
    emu.write(
        "vault.yaml",
        &("owner: team-a\ngateways:\n".to_string() + &gw("vault", "    lifecycle: { preventDestroy: true }\n")),
    );
    let run = emu.acgw().args(["destroy", "--auto-approve", "-f", "vault.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("is protected from deletion"), "{run:?}");
    // So does a replacement, even with --allow-replace.
    let replaced = "owner: team-a\ngateways:\n".to_string()
        + &gw("vault", "    lifecycle: { preventDestroy: true }\n").replace("AWS_IAM", "NONE");
    emu.write("vault.yaml", &replaced);
    let run = emu.acgw().args(["apply", "--auto-approve", "--allow-replace", "-f", "vault.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("not replaced") && run.stdout.contains("is protected from deletion"), "{run:?}");
    assert!(emu.names().contains(&"vault".to_string()));

    // Lifting it: preventDestroy false and apply removes the tag; then destroy works.
    emu.write(
        "vault.yaml",
        &("owner: team-a\ngateways:\n".to_string() + &gw("vault", "    lifecycle: { preventDestroy: false }\n")),
    );
    let run = emu.acgw().args(["apply", "--auto-approve", "-f", "vault.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(!emu.tags("vault").contains_key("acgw:prevent-destroy"));
    let run = emu.acgw().args(["destroy", "--auto-approve", "-f", "vault.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(emu.names(), ["other"]);
}

#[test]
fn adoption_tags_unowned_gateways_and_another_owner_needs_take_ownership() {
    let emu = Env::new();
    emu.create(serde_json::json!({"name": "legacy", "roleArn": ROLE, "authorizerType": "AWS_IAM"}), &[]);
    emu.create(
        serde_json::json!({"name": "contested", "roleArn": ROLE, "authorizerType": "AWS_IAM"}),
        &[("acgw:owner", "team-b")],
    );
    emu.write("gateways.yaml", &spec(&[gw("legacy", ""), gw("contested", "")].concat()));
    let run = emu.acgw().args(["plan", "--owner", "team-a"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("will be adopted by owner team-a"), "{run:?}");
    assert!(run.stdout.contains("owned by team-b: taking it over needs --take-ownership"), "{run:?}");
    let run = emu.acgw().args(["apply", "--auto-approve", "--owner", "team-a"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("contested (owned by `team-b`, not `team-a`)")
            && run.stderr.contains("Nothing was applied"),
        "{run:?}"
    );
    assert!(!emu.tags("legacy").contains_key("acgw:owner"), "nothing was applied");
    let run = emu.acgw().args(["apply", "--auto-approve", "--owner", "team-a", "--take-ownership"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(emu.tags("legacy").get("acgw:owner").map(String::as_str), Some("team-a"));
    assert_eq!(emu.tags("contested").get("acgw:owner").map(String::as_str), Some("team-a"));
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "--owner", "team-a"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    // The owner must be one across files, and acgw's tags are its own.
    emu.write("a.yaml", &owned_spec("team-a", &["x1"]));
    emu.write("b.yaml", &owned_spec("team-b", &["x2"]));
    let run = Acgw::new(emu.dir()).args(["validate", "-f", "a.yaml", "-f", "b.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("b.yaml:1:8: error: owner: owner `team-b` disagrees with owner `team-a` at a.yaml:1:8"),
        "{run:?}"
    );
    emu.write("c.yaml", &spec(&gw("x3", "    tags: { \"acgw:owner\": me }\n")));
    let run = Acgw::new(emu.dir()).args(["validate", "-f", "c.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("tag keys starting with `acgw:` are acgw's own"), "{run:?}");
}

#[test]
fn a_stale_saved_plan_with_deletions_is_refused() {
    let emu = Env::new();
    emu.write("gateways.yaml", &owned_spec("team-a", &["keep", "old"]));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.write("gateways.yaml", &owned_spec("team-a", &["keep"]));
    let run = emu.acgw().args(["plan", "--prune", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    // The gateway to delete gains a target after the plan was reviewed.
    emu.add_target(&emu.ids()["old"], "late");
    let run = emu.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("the plan is stale") && run.stderr.contains("old: it gained targets"), "{run:?}");
    assert!(emu.names().contains(&"old".to_string()));
    // A fresh plan applies.
    let run = emu.acgw().args(["plan", "--prune", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(emu.names(), ["keep"]);
}

#[test]
fn each_command_shows_only_the_options_it_uses() {
    let dir = tempfile::tempdir().unwrap();
    let client = [
        "--region",
        "--profile",
        "--endpoint-url",
        "--local",
        "--parallelism",
        "--max-attempts",
        "--retry-mode",
        "--lock-timeout",
    ];
    let help = |args: &[&str]| {
        let run = Acgw::new(dir.path()).args(args).arg_path(Path::new("--help")).run();
        assert_eq!(run.code, Some(0), "{args:?}: {run:?}");
        run.stdout
    };
    for command in ["plan", "apply", "drift", "export", "destroy", "sync"] {
        let text = help(&[command]);
        for option in client.iter().chain(&["--max-rps", "--color", "--quiet", "--verbose"]) {
            assert!(text.contains(option), "`acgw {command} --help` offers {option}:\n{text}");
        }
    }
    for command in ["validate", "emulator", "schema", "completions", "man"] {
        let text = help(&[command]);
        for option in client {
            assert!(!text.contains(option), "`acgw {command} --help` does not offer {option}:\n{text}");
        }
        assert!(text.contains("--color") && text.contains("--quiet"), "{command}: {text}");
    }
    // The emulator's --max-rps is the server's budget, not a client rate.
    assert!(help(&["emulator"]).contains("Requests per second above which calls are throttled"));
    assert!(!help(&["validate"]).contains("--max-rps"));
    // A client option where it has no meaning is a usage error.
    let run = Acgw::new(dir.path()).args(["validate", "--local"]).run();
    assert_eq!(run.code, Some(64), "{run:?}");
}

#[test]
fn an_unreadable_neighbour_fails_alone_when_ownership_is_looked_for() {
    let emu = Env::new();
    // No spec'd gateway exists yet, so the account's ARN pattern comes from the gateways in no
    // spec, read in name order; the first of them cannot be read.
    let denied = emu.create(serde_json::json!({"name": "aaa-locked", "roleArn": ROLE, "authorizerType": "NONE"}), &[]);
    emu.handle().deny_reads(&denied);
    emu.create(
        serde_json::json!({"name": "old", "roleArn": ROLE, "authorizerType": "NONE"}),
        &[("acgw:owner", "team-a")],
    );
    emu.write("gateways.yaml", &owned_spec("team-a", &["fresh"]));
    let run = emu.acgw().args(["plan", "--prune"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains(&format!("! aaa-locked ({denied}) could not be planned: GetGateway")), "{run:?}");
    assert!(run.stdout.contains("- old (") && run.stdout.contains("+ fresh will be created"), "{run:?}");
}

// ---------------------------------------------------------------- targets

impl Env {
    /// A gateway's live targets: name → (targetId, status).
    fn targets(&self, gateway: &str) -> BTreeMap<String, (String, String)> {
        let id = self.ids()[gateway].clone();
        let client = self.client();
        self.rt.block_on(async {
            let list = client.list_gateway_targets().gateway_identifier(id).send().await.expect("lists targets");
            list.items()
                .iter()
                .map(|t| (t.name().to_string(), (t.target_id().to_string(), t.status().as_str().to_string())))
                .collect()
        })
    }
}

/// A gateway with `targets` (YAML list items, indented for the gateway entry).
fn gw_targets(name: &str, targets: &str) -> String {
    gw(name, &format!("    targets:\n{targets}"))
}

const LAMBDA_TARGET: &str = "      - name: refunds
        description: DESCRIPTION
        targetConfiguration:
          mcp:
            lambda:
              lambdaArn: arn:aws:lambda:us-east-1:123456789012:function:refunds
              toolSchema:
                inlinePayload:
                  - name: refund
                    description: Refund an order
                    inputSchema: { type: object, properties: { id: { type: string } }, required: [id] }
        credentialProviderConfigurations: [{ credentialProviderType: GATEWAY_IAM_ROLE }]
";

fn mcp_target(name: &str, priority: u32) -> String {
    format!(
        "      - name: {name}
        targetConfiguration:
          mcp:
            mcpServer: {{ endpoint: \"https://{name}.example.com/mcp\", resourcePriority: {priority} }}
"
    )
}

#[test]
fn targets_are_created_changed_renamed_and_deleted_and_then_plan_clean() {
    let emu = Env::new();
    let first = format!("{}{}", LAMBDA_TARGET.replace("DESCRIPTION", "Refunds"), mcp_target("docs", 5));
    emu.write("gateways.yaml", &spec(&gw_targets("tools", &first)));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains("CreateGatewayTarget docs") && run.stdout.contains("CreateGatewayTarget refunds"),
        "{run:?}"
    );
    let live = emu.targets("tools");
    assert_eq!(live.keys().collect::<Vec<_>>(), ["docs", "refunds"]);
    assert!(live.values().all(|(_, status)| status == "READY"), "{live:?}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "apply then plan is clean: {run:?}");

    // One changed field, one rename (a delete plus a create).
    let second = format!("{}{}", LAMBDA_TARGET.replace("DESCRIPTION", "Refunds and returns"), mcp_target("docs2", 5));
    emu.write("gateways.yaml", &spec(&gw_targets("tools", &second)));
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "--color", "never"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.contains("1 target to add, 1 to change, 1 to delete"), "{}", run.stdout);
    assert!(run.stdout.contains("~ target refunds ("), "{}", run.stdout);
    assert!(run.stdout.contains("~ description: \"Refunds\" → \"Refunds and returns\""), "{}", run.stdout);
    assert!(run.stdout.contains("- target docs ("), "{}", run.stdout);
    assert!(run.stdout.contains("+ target docs2 will be created"), "{}", run.stdout);
    let json = emu.acgw().args(["plan", "--format", "json"]).run();
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json plan");
    let actions: Vec<(&str, &str)> = doc["gateways"][0]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t["action"].as_str().unwrap()))
        .collect();
    assert_eq!(actions, [("docs", "delete"), ("docs2", "create"), ("refunds", "update")]);
    let refunds_id = emu.targets("tools")["refunds"].0.clone();
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let live = emu.targets("tools");
    assert_eq!(live.keys().collect::<Vec<_>>(), ["docs2", "refunds"]);
    assert_eq!(live["refunds"].0, refunds_id, "an update keeps the target");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    // `targets: []` deletes every target.
    emu.write("gateways.yaml", &spec(&gw("tools", "    targets: []\n")));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(emu.targets("tools").is_empty());
}

#[test]
fn without_targets_key_live_targets_are_left_alone_and_not_read() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw("tools", "")));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let id = emu.ids()["tools"].clone();
    emu.add_target(&id, "made-by-hand");
    let before = emu.stats();
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("No changes."), "{run:?}");
    let after = emu.stats();
    assert!(emu.targets("tools").contains_key("made-by-hand"));
    for op in ["ListGatewayTargets", "GetGatewayTarget", "DeleteGatewayTarget"] {
        assert_eq!(before.get(op), after.get(op), "{op} was called for a gateway without `targets:`");
    }
}

#[test]
fn a_saved_plan_refuses_when_a_target_appeared() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw_targets("tools", &mcp_target("docs", 5))));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.write("gateways.yaml", &spec(&gw_targets("tools", &mcp_target("docs", 6))));
    let run = emu.acgw().args(["plan", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(emu.dir().join("plan.json")).unwrap()).unwrap();
    assert_eq!(saved["format_version"], "4");
    assert_eq!(saved["gateways"][0]["targets"][0]["observed"]["status"], "READY");
    emu.add_target(&emu.ids()["tools"], "intruder");
    let run = emu.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("target intruder appeared"), "{run:?}");
    assert_eq!(emu.targets("tools").len(), 2, "nothing was applied");
}

#[test]
fn a_target_pending_authorization_is_reported_with_its_url_not_waited_on() {
    let emu = Env::new();
    let oauth = "      - name: calendar
        targetConfiguration:
          mcp:
            mcpServer: { endpoint: \"https://calendar.example.com/mcp\" }
        credentialProviderConfigurations:
          - credentialProviderType: OAUTH
            credentialProvider:
              oauthCredentialProvider:
                providerArn: arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/cal
                scopes: [calendar.read]
                grantType: AUTHORIZATION_CODE
                customParameters: { prompt: consent-secret-value }
";
    emu.write("gateways.yaml", &spec(&gw_targets("tools", oauth)));
    let plan = emu.acgw().args(["plan", "--color", "never"]).run();
    assert!(!plan.stdout.contains("consent-secret-value"), "sensitive values stay out of text plans: {}", plan.stdout);
    assert!(plan.stdout.contains("(sensitive)"), "{}", plan.stdout);
    let run = emu.acgw().args(["apply", "--auto-approve", "--color", "never"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("target calendar is pending authorization: authorize it at https://"), "{run:?}");
    assert!(!run.stdout.contains("consent-secret-value") && !run.stderr.contains("consent-secret-value"));
    assert_eq!(emu.targets("tools")["calendar"].1, "CREATE_PENDING_AUTH");
    let plan = emu.acgw().args(["plan", "--detailed-exitcode", "--color", "never"]).run();
    assert_eq!(plan.code, Some(0), "pending authorization is no change: {plan:?}");
    assert!(
        plan.stdout.contains("Targets pending authorization (1") && plan.stdout.contains("tools/calendar  https://"),
        "{plan:?}"
    );
    let drift = emu.acgw().args(["drift", "--color", "never"]).run();
    assert_eq!(drift.code, Some(0), "pending authorization is not drift: {drift:?}");
    assert!(
        drift.stdout.contains("target calendar (") && drift.stdout.contains("pending authorization at https://"),
        "{drift:?}"
    );
}

#[test]
fn a_replaced_gateway_gets_its_declared_targets_on_the_new_one() {
    let emu = Env::new();
    let targets = format!("{}{}", mcp_target("docs", 5), mcp_target("search", 7));
    emu.write("gateways.yaml", &spec(&gw_targets("tools", &targets)));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let old = emu.ids()["tools"].clone();
    let replaced = spec(&gw_targets("tools", &targets)).replace("authorizerType: AWS_IAM", "authorizerType: NONE");
    emu.write("gateways.yaml", &replaced);
    let run = emu.acgw().args(["apply", "--auto-approve", "--allow-replace"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let new = emu.ids()["tools"].clone();
    assert_ne!(old, new, "the gateway was replaced");
    assert_eq!(emu.targets("tools").keys().collect::<Vec<_>>(), ["docs", "search"]);
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn file_references_are_read_relative_to_the_spec_and_errors_point_at_the_file_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("specs/schemas")).unwrap();
    write(dir.path(), "specs/schemas/api.yaml", "openapi: 3.0.3\ninfo: { title: t, version: \"1\" }\npaths: {}\n");
    write(dir.path(), "outside.yaml", "openapi: 3.0.3\n");
    let target = |file: &str| {
        format!("      - name: api\n        targetConfiguration:\n          mcp:\n            openApiSchema: {{ file: {file} }}\n")
    };
    write(dir.path(), "specs/ok.yaml", &spec(&gw_targets("tools", &target("schemas/api.yaml"))));
    let run = Acgw::new(dir.path()).args(["validate", "-f", "specs/ok.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    write(dir.path(), "specs/missing.yaml", &spec(&gw_targets("tools", &target("schemas/nope.yaml"))));
    let run = Acgw::new(dir.path()).args(["validate", "-f", "specs/missing.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("specs/missing.yaml:9:") && run.stderr.contains("openApiSchema.file: cannot read"),
        "{run:?}"
    );
    write(dir.path(), "specs/outside.yaml", &spec(&gw_targets("tools", &target("../outside.yaml"))));
    let run = Acgw::new(dir.path()).args(["validate", "-f", "specs/outside.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("--allow-outside-files"), "{run:?}");
    let run = Acgw::new(dir.path()).args(["validate", "--allow-outside-files", "-f", "specs/outside.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn export_writes_targets_long_payloads_to_files_and_secrets_as_placeholders_and_plans_clean() {
    let emu = Env::new();
    let long: String = (0..30).map(|i| format!("# line {i}\n")).collect::<String>() + "openapi: 3.0.3\n";
    emu.write("api.yaml", &long);
    let targets = "      - name: api
        targetConfiguration: { mcp: { openApiSchema: { file: api.yaml } } }
        credentialProviderConfigurations:
          - credentialProviderType: OAUTH
            credentialProvider:
              oauthCredentialProvider:
                providerArn: arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/x
                scopes: [read]
                customParameters: { audience: secret-audience }
";
    emu.write("gateways.yaml", &spec(&gw_targets("tools", targets)));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["export", "-o", "export/gateways.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.contains("ACGW_TOOLS__API__AUDIENCE"), "the placeholder is named: {run:?}");
    let exported = std::fs::read_to_string(emu.dir().join("export/gateways.yaml")).unwrap();
    assert!(!exported.contains("secret-audience"), "{exported}");
    assert!(exported.contains("file: schemas/tools/api.yaml"), "{exported}");
    assert_eq!(std::fs::read_to_string(emu.dir().join("export/schemas/tools/api.yaml")).unwrap(), long);
    let run = emu
        .acgw()
        .args(["plan", "--detailed-exitcode", "-f", "export/gateways.yaml"])
        .env("ACGW_TOOLS__API__AUDIENCE", "secret-audience")
        .run();
    assert_eq!(run.code, Some(0), "export then plan is clean: {run:?}");
}

#[test]
fn sync_synchronizes_mcp_server_targets_without_a_tool_schema_and_refuses_others() {
    let emu = Env::new();
    let with_schema = "      - name: fixed
        targetConfiguration:
          mcp:
            mcpServer: { endpoint: \"https://fixed.example.com/mcp\", mcpToolSchema: { inlinePayload: \"{}\" } }
";
    let targets = format!("{}{}{with_schema}", mcp_target("docs", 5), LAMBDA_TARGET.replace("DESCRIPTION", "Refunds"));
    emu.write("gateways.yaml", &spec(&gw_targets("tools", &targets)));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let before = emu.stats();
    let run = emu.acgw().args(["sync"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("✓ tools/docs (") && run.stdout.contains("lastSynchronizedAt 20"), "{run:?}");
    assert!(!run.stdout.contains("refunds") && !run.stdout.contains("fixed"), "only syncable targets: {run:?}");
    let calls = |s: &BTreeMap<String, u64>| s.get("SynchronizeGatewayTargets").copied().unwrap_or(0);
    assert_eq!(calls(&emu.stats()) - calls(&before), 1, "one call per target");
    let run = emu.acgw().args(["sync", "--target", "fixed"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("target fixed cannot be synchronized"), "{run:?}");
    let run = emu.acgw().args(["sync", "--gateway", "nope"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(calls(&emu.stats()) - calls(&before), 1, "refusals make no call");
}

// ---------------------------------------------------------------- resource policy

const POLICY: &str = "    resourcePolicy:
      Version: \"2012-10-17\"
      Statement:
        - Sid: callers
          Effect: Allow
          Principal: { AWS: \"arn:aws:iam::${ACCOUNT:-123456789012}:root\" }
          Action: bedrock-agentcore:InvokeGateway
          Resource: \"*\"
";

impl Env {
    /// A gateway's live resource policy as JSON; `None` when it has none.
    fn policy(&self, gateway: &str) -> Option<serde_json::Value> {
        let id = self.ids()[gateway].clone();
        let client = self.client();
        self.rt.block_on(async {
            let arn = client.get_gateway().gateway_identifier(&id).send().await.expect("get").gateway_arn().to_string();
            match client.get_resource_policy().resource_arn(arn).send().await {
                Ok(out) => out.policy.map(|p| serde_json::from_str(&p).expect("a JSON policy")),
                Err(e) if e.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => None,
                Err(e) => panic!("GetResourcePolicy: {e:?}"),
            }
        })
    }
}

#[test]
fn a_resource_policy_is_put_compared_as_iam_reads_it_changed_and_deleted() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw("tools", POLICY)));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("PutResourcePolicy"), "{run:?}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "apply then plan is clean: {run:?}");
    // Lists where IAM takes a string or a list, and another key order, are no change.
    let same = POLICY
        .replace("Action: bedrock-agentcore:InvokeGateway", "Action: [bedrock-agentcore:InvokeGateway]")
        .replace("Resource: \"*\"", "Resource: [\"*\"]");
    emu.write("gateways.yaml", &spec(&gw("tools", &same)));
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    // A real change: the plan names it, a saved plan goes stale when the live policy moves.
    let deny = POLICY.replace("Effect: Allow", "Effect: Deny");
    emu.write("gateways.yaml", &spec(&gw("tools", &deny)));
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "--color", "never"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.contains("~ resource policy will be changed"), "{}", run.stdout);
    assert!(run.stdout.contains("resourcePolicy.Statement[0].Effect: \"Allow\" → \"Deny\""), "{}", run.stdout);
    // The headline names what changes: not the targets, which this gateway does not even declare.
    assert!(run.stdout.contains("is unchanged; its resource policy changes"), "{}", run.stdout);
    let drift = emu.acgw().args(["drift", "--color", "never"]).run();
    assert_eq!(drift.code, Some(2), "{drift:?}");
    assert!(drift.stdout.contains("resourcePolicy.Statement[0].Effect"), "{drift:?}");
    let run = emu.acgw().args(["plan", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    // Someone else puts another policy: the saved plan refuses.
    emu.write("other.yaml", &spec(&gw("tools", &POLICY.replace("Sid: callers", "Sid: others"))));
    let run = emu.acgw().args(["apply", "--auto-approve", "-f", "other.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("resource policy changed since the plan"), "{run:?}");
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    // Export then plan is clean, the policy included.
    let run = emu.acgw().args(["export", "-o", "export.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let exported = std::fs::read_to_string(emu.dir().join("export.yaml")).unwrap();
    assert!(exported.contains("resourcePolicy:") && exported.contains("Deny"), "{exported}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "-f", "export.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    // `null` deletes it; absent leaves it alone.
    emu.write("gateways.yaml", &spec(&gw("tools", "    resourcePolicy: null\n")));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("DeleteResourcePolicy"), "{run:?}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn a_resource_policy_file_is_read_without_interpolation_and_errors_point_into_it() {
    let emu = Env::new();
    emu.write(
        "policy.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "bedrock-agentcore:InvokeGateway", "Resource": "*", "Condition": {"StringLike": {"aws:userid": "${aws:username}"}}}]}"#,
    );
    emu.write("gateways.yaml", &spec(&gw("tools", "    resourcePolicy: { file: policy.json }\n")));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "`${{aws:username}}` in a file is IAM's, not ours: {run:?}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.write("bad.json", "{\"Statement\": []}\n");
    emu.write("bad.yaml", &spec(&gw("tools", "    resourcePolicy: { file: bad.json }\n")));
    let run = Acgw::new(emu.dir()).args(["validate", "-f", "bad.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("bad.json:1:1") && run.stderr.contains("Version"), "{run:?}");
}

// ---------------------------------------------------------------- rate limits

impl Env {
    /// A gateway's live rate limits: rateLimitId → (status, dimensionKeys, description).
    fn rate_limits(&self, gateway: &str) -> BTreeMap<String, (String, Vec<String>, Option<String>)> {
        let id = self.ids()[gateway].clone();
        let client = self.client();
        self.rt.block_on(async {
            let out = client.list_gateway_rate_limits().gateway_identifier(id).send().await.expect("lists");
            out.rate_limits
                .into_iter()
                .map(|r| (r.rate_limit_id, (r.status.as_str().to_string(), r.dimension_keys, r.description)))
                .collect()
        })
    }

    /// Adds a rate limit to a gateway, as another tool would.
    fn add_rate_limit(&self, gateway: &str, rate_limit_id: &str) {
        use aws_sdk_bedrockagentcorecontrol::types::{LimitEntry, Period, RateConfig};
        let id = self.ids()[gateway].clone();
        let client = self.client();
        self.rt.block_on(async {
            client
                .create_gateway_rate_limit()
                .gateway_identifier(id)
                .rate_limit_id(rate_limit_id)
                .dimension_keys("qualifiedModelId")
                .entries(
                    LimitEntry::builder()
                        .dimensions("qualifiedModelId", "*")
                        .requests(RateConfig::builder().rate(1.0).period(Period::Second).build().unwrap())
                        .build()
                        .unwrap(),
                )
                .send()
                .await
                .expect("creates");
        })
    }
}

/// Two rate limits: `per-principal` (keys `KEYS`, `RATE` requests a minute) and `global`.
const RATE_LIMITS: &str = "    rateLimits:
      - rateLimitId: per-principal
        description: Per caller
        dimensionKeys: [KEYS]
        entries:
          - dimensions: { $.context.iam.principal: \"*\" }
            requests: [{ rate: RATE, period: minute }]
          - dimensions: { $.context.iam.principal: \"arn:aws:iam::123456789012:role/batch\" }
            requests: [{ rate: 5, period: second }]
            tokens: []
      - rateLimitId: global
        dimensionKeys: [targetName]
        entries: [{ dimensions: { targetName: \"*\" }, connections: [{ rate: 50, period: second }] }]
";

fn rate_limits(keys: &str, rate: u32) -> String {
    RATE_LIMITS.replace("KEYS", keys).replace("RATE", &rate.to_string())
}

#[test]
fn rate_limits_are_created_updated_replaced_and_deleted_and_then_plan_clean() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw("tools", &rate_limits("$.context.iam.principal", 60))));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains("CreateGatewayRateLimit global")
            && run.stdout.contains("CreateGatewayRateLimit per-principal"),
        "{run:?}"
    );
    let live = emu.rate_limits("tools");
    assert_eq!(live.keys().collect::<Vec<_>>(), ["global", "per-principal"]);
    assert!(live.values().all(|(status, _, _)| status == "ACTIVE"), "{live:?}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "apply then plan is clean: {run:?}");
    // Rates compare as numbers (the model allows one rate config per kind): no change.
    let reordered = rate_limits("$.context.iam.principal", 60)
        .replace("[{ rate: 5, period: second }]", "[{ rate: 5.0, period: second }]");
    emu.write("gateways.yaml", &spec(&gw("tools", &reordered)));
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    // An entry changes: an update in place.
    emu.write("gateways.yaml", &spec(&gw("tools", &rate_limits("$.context.iam.principal", 120))));
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "--color", "never"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.contains("is unchanged; its rate limits change: 1 rate limit to change"), "{}", run.stdout);
    assert!(run.stdout.contains("~ rate limit per-principal will be updated in place"), "{}", run.stdout);
    assert!(run.stdout.contains("entries[0].requests[0].rate: 60"), "{}", run.stdout);
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("UpdateGatewayRateLimit per-principal"), "{run:?}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    // dimensionKeys change: a replacement.
    let changed = rate_limits("$.context.iam.principal, qualifiedModelId", 120)
        .replace("{ $.context.iam.principal: \"*\" }", "{ $.context.iam.principal: \"*\", qualifiedModelId: \"*\" }")
        .replace(
            "{ $.context.iam.principal: \"arn:aws:iam::123456789012:role/batch\" }",
            "{ $.context.iam.principal: \"arn:aws:iam::123456789012:role/batch\", qualifiedModelId: \"*\" }",
        );
    emu.write("gateways.yaml", &spec(&gw("tools", &changed)));
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "--color", "never"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stdout.contains("-/+ rate limit per-principal must be replaced: dimensionKeys cannot change in place"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("1 rate limit to replace"), "{}", run.stdout);
    let drift = emu.acgw().args(["drift", "--color", "never"]).run();
    assert_eq!(drift.code, Some(2), "{drift:?}");
    assert!(drift.stdout.contains("rate limit per-principal: modified"), "{drift:?}");
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let deleted = run.stdout.find("DeleteGatewayRateLimit per-principal").expect("deleted");
    let created = run.stdout.find("CreateGatewayRateLimit per-principal").expect("created");
    assert!(deleted < created, "delete, then create: {run:?}");
    assert_eq!(emu.rate_limits("tools")["per-principal"].1, ["$.context.iam.principal", "qualifiedModelId"]);
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    // A removed description cannot be cleared by PATCH: a replacement too.
    emu.write("gateways.yaml", &spec(&gw("tools", &changed.replace("        description: Per caller\n", ""))));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(emu.rate_limits("tools")["per-principal"].2, None);
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    // One removed from the list: deleted.
    let only_global = "    rateLimits:
      - rateLimitId: global
        dimensionKeys: [targetName]
        entries: [{ dimensions: { targetName: \"*\" }, connections: [{ rate: 50, period: second }] }]
";
    emu.write("gateways.yaml", &spec(&gw("tools", only_global)));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("DeleteGatewayRateLimit per-principal"), "{run:?}");
    assert_eq!(emu.rate_limits("tools").keys().collect::<Vec<_>>(), ["global"]);

    // `rateLimits: []` deletes every one.
    emu.write("gateways.yaml", &spec(&gw("tools", "    rateLimits: []\n")));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(emu.rate_limits("tools").is_empty());
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn without_rate_limits_key_live_rate_limits_are_left_alone_and_not_read() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw("tools", "")));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.add_rate_limit("tools", "made-by-hand");
    let before = emu.stats();
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("No changes."), "{run:?}");
    let after = emu.stats();
    assert!(emu.rate_limits("tools").contains_key("made-by-hand"));
    for op in [
        "ListGatewayRateLimits",
        "GetGatewayRateLimit",
        "CreateGatewayRateLimit",
        "UpdateGatewayRateLimit",
        "DeleteGatewayRateLimit",
        "BatchPutGatewayRateLimits",
    ] {
        assert_eq!(before.get(op), after.get(op), "{op} was called for a gateway without `rateLimits:`");
    }
}

#[test]
fn a_saved_plan_refuses_when_a_rate_limit_moved_or_appeared() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw("tools", &rate_limits("$.context.iam.principal", 60))));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.write("gateways.yaml", &spec(&gw("tools", &rate_limits("$.context.iam.principal", 70))));
    let run = emu.acgw().args(["plan", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(emu.dir().join("plan.json")).unwrap()).unwrap();
    assert_eq!(saved["format_version"], "4");
    let limits = saved["gateways"][0]["rateLimits"].as_array().expect("rateLimits in the plan");
    assert_eq!(limits[1]["rateLimitId"], "per-principal");
    assert_eq!(limits[1]["action"], "update");
    assert_eq!(limits[1]["observed"]["status"], "ACTIVE");
    assert!(limits[1]["observed"]["updatedAt"].is_string());
    // Someone else changes it: the saved plan refuses.
    emu.write("other.yaml", &spec(&gw("tools", &rate_limits("$.context.iam.principal", 80))));
    let run = emu.acgw().args(["apply", "--auto-approve", "-f", "other.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("rate limit per-principal: updatedAt moved"), "{run:?}");
    // One appears: refused too.
    let run = emu.acgw().args(["plan", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.add_rate_limit("tools", "intruder");
    let run = emu.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("rate limit intruder appeared"), "{run:?}");
    assert_eq!(emu.rate_limits("tools").len(), 3, "nothing was applied");
}

#[test]
fn a_saved_plan_replaces_a_rate_limit_whose_dimension_keys_changed_and_then_plan_is_clean() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw("tools", &rate_limits("$.context.iam.principal", 60))));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let changed = rate_limits("$.context.iam.principal, qualifiedModelId", 60)
        .replace("{ $.context.iam.principal: \"*\" }", "{ $.context.iam.principal: \"*\", qualifiedModelId: \"*\" }")
        .replace(
            "{ $.context.iam.principal: \"arn:aws:iam::123456789012:role/batch\" }",
            "{ $.context.iam.principal: \"arn:aws:iam::123456789012:role/batch\", qualifiedModelId: \"*\" }",
        );
    emu.write("gateways.yaml", &spec(&gw("tools", &changed)));
    let run = emu.acgw().args(["plan", "--out", "plan.json", "--color", "never"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains("-/+ rate limit per-principal must be replaced: dimensionKeys cannot change in place"),
        "{}",
        run.stdout
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(emu.dir().join("plan.json")).unwrap()).unwrap();
    let limits = saved["gateways"][0]["rateLimits"].as_array().expect("rateLimits in the plan");
    assert_eq!((&limits[0]["rateLimitId"], &limits[0]["action"]), (&"global".into(), &"no-op".into()));
    assert_eq!((&limits[1]["rateLimitId"], &limits[1]["action"]), (&"per-principal".into(), &"replace".into()));
    assert_eq!(limits[1]["forcedBy"], serde_json::json!(["dimensionKeys cannot change in place"]));

    // The reviewed plan applies without asking: delete, then create with the new keys.
    let run = emu.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let deleted = run.stdout.find("DeleteGatewayRateLimit per-principal").expect("deleted");
    let created = run.stdout.find("CreateGatewayRateLimit per-principal").expect("created");
    assert!(deleted < created, "delete, then create: {run:?}");
    assert!(!run.stdout.contains("RateLimit global"), "the unchanged one is left alone: {run:?}");
    let live = emu.rate_limits("tools");
    assert_eq!(live.keys().collect::<Vec<_>>(), ["global", "per-principal"]);
    assert_eq!(live["per-principal"].0, "ACTIVE");
    assert_eq!(live["per-principal"].1, ["$.context.iam.principal", "qualifiedModelId"]);
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("No changes."), "{run:?}");
    // The same plan again is stale: the rate limit it saw is gone.
    let run = emu.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("the plan is stale") && run.stderr.contains("rate limit per-principal"), "{run:?}");
    assert_eq!(emu.rate_limits("tools")["per-principal"].1, ["$.context.iam.principal", "qualifiedModelId"]);
}

#[test]
fn export_writes_rate_limits_and_plans_clean() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw("tools", &rate_limits("$.context.iam.principal", 60))));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.add_rate_limit("tools", "made-by-hand");
    let run = emu.acgw().args(["export", "-o", "export.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let exported = std::fs::read_to_string(emu.dir().join("export.yaml")).unwrap();
    assert!(
        exported.contains("rateLimits:") && exported.contains("made-by-hand") && exported.contains("per-principal"),
        "{exported}"
    );
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "-f", "export.yaml"]).run();
    assert_eq!(run.code, Some(0), "export then plan is clean: {run:?}");
}

#[test]
fn rate_limit_specs_are_checked_offline() {
    let dir = tempfile::tempdir().unwrap();
    let twice = format!("{}      - rateLimitId: global\n        dimensionKeys: [targetName]\n        entries: [{{ dimensions: {{ targetName: \"*\" }} }}]\n", rate_limits("$.context.iam.principal", 60));
    write(dir.path(), "gateways.yaml", &spec(&gw("tools", &twice)));
    let run = Acgw::new(dir.path()).args(["validate"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("rate limit `global` is declared twice"), "{run:?}");
    // "Must be unique per gateway—no two rate limits can share the same dimension keys" (SDK):
    // reported at the second one's dimensionKeys, naming the first.
    let same_keys = format!(
        "{}      - rateLimitId: global.too\n        dimensionKeys: [targetName]\n        entries: [{{ dimensions: {{ targetName: \"*\" }} }}]\n",
        rate_limits("$.context.iam.principal", 60)
    );
    write(dir.path(), "gateways.yaml", &spec(&gw("tools", &same_keys)));
    let run = Acgw::new(dir.path()).args(["validate"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains(
            "rate limit `global.too` has the same dimensionKeys [targetName] as rate limit `global` (first at line 16)"
        ),
        "{run:?}"
    );
    assert!(run.stderr.contains("gateways.yaml:19:24"), "{run:?}");
    // The same keys in another order are another scope.
    let reordered = rate_limits("$.context.iam.principal, targetName", 60)
        .replace("{ $.context.iam.principal: \"*\" }", "{ $.context.iam.principal: \"*\", targetName: \"*\" }")
        .replace("role/batch\" }", "role/batch\", targetName: \"*\" }")
        .replace("dimensionKeys: [targetName]", "dimensionKeys: [targetName, $.context.iam.principal]")
        .replace("{ targetName: \"*\" }", "{ targetName: \"*\", $.context.iam.principal: \"*\" }");
    write(dir.path(), "gateways.yaml", &spec(&gw("tools", &reordered)));
    let run = Acgw::new(dir.path()).args(["validate"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let bad = rate_limits("$.context.iam.principal", 60)
        .replace("{ $.context.iam.principal: \"*\" }", "{ qualifiedModelId: \"*\" }");
    write(dir.path(), "gateways.yaml", &spec(&gw("tools", &bad)));
    let run = Acgw::new(dir.path()).args(["validate"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("the keys must be the rate limit's dimensionKeys"), "{run:?}");
    let many: String = (0..51)
        .map(|i| format!("      - rateLimitId: r{i}\n        dimensionKeys: [$.context.jwt.k{i}]\n        entries: [{{ dimensions: {{ $.context.jwt.k{i}: \"*\" }} }}]\n"))
        .collect();
    write(dir.path(), "gateways.yaml", &spec(&gw("tools", &format!("    rateLimits:\n{many}"))));
    let run = Acgw::new(dir.path()).args(["validate"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("at most 50"), "{run:?}");
}

// ---------------------------------------------------------------- rules

impl Env {
    /// A gateway's live rules: priority → (ruleId, status, description, managedBy).
    fn rules(&self, gateway: &str) -> BTreeMap<i32, (String, String, Option<String>, Option<String>)> {
        let id = self.ids()[gateway].clone();
        let client = self.client();
        self.rt.block_on(async {
            let out = client.list_gateway_rules().gateway_identifier(id).send().await.expect("lists");
            out.gateway_rules
                .into_iter()
                .map(|r| {
                    let by = r.system.map(|s| s.managed_by);
                    (r.priority, (r.rule_id, r.status.as_str().to_string(), r.description, by))
                })
                .collect()
        })
    }

    /// Adds a system-managed rule through the emulator's test hook.
    fn add_system_rule(&self, gateway: &str, priority: i32, managed_by: &str) -> String {
        let id = self.ids()[gateway].clone();
        self.handle().add_system_rule(&id, priority, managed_by).expect("added")
    }

    /// A gateway's live rule IDs, sorted (two rules may share a priority).
    fn rule_ids(&self, gateway: &str) -> Vec<String> {
        let id = self.ids()[gateway].clone();
        let client = self.client();
        self.rt.block_on(async {
            let out = client.list_gateway_rules().gateway_identifier(id).send().await.expect("lists");
            let mut ids: Vec<String> = out.gateway_rules.into_iter().map(|r| r.rule_id).collect();
            ids.sort();
            ids
        })
    }

    /// Adds a user rule at `priority` through the emulator's test hook, even when another rule
    /// holds that priority (which CreateGatewayRule refuses).
    fn add_rule_unchecked(&self, gateway: &str, priority: i32) -> String {
        let id = self.ids()[gateway].clone();
        self.handle().add_rule_unchecked(&id, priority).expect("added")
    }
}

/// A rule at `priority` matching a path, routed statically to `target`.
fn rule(priority: u32, path: &str, target: &str) -> String {
    format!(
        "      - priority: {priority}
        description: Route {path}
        conditions: [{{ matchPaths: {{ anyOf: [\"{path}\"] }} }}]
        actions: [{{ routeToTarget: {{ staticRoute: {{ targetName: {target} }} }} }}]
"
    )
}

fn rules(items: &[String]) -> String {
    format!("    rules:\n{}", items.concat())
}

#[test]
fn a_rule_without_conditions_is_created_updated_and_plans_clean() {
    // The model allows 0–3 conditions; UpdateGatewayRule sends `"conditions": []` for none.
    let emu = Env::new();
    let catch_all = |description: &str, conditions: &str| {
        format!(
            "    rules:\n      - priority: 1000000\n        description: {description}\n{conditions}        actions: [{{ routeToTarget: {{ staticRoute: {{ targetName: refunds }} }} }}]\n"
        )
    };
    let apply_then_plan_clean = |body: &str, call: &str| {
        emu.write("gateways.yaml", &spec(&gw("tools", body)));
        let run = emu.acgw().args(["apply", "--auto-approve"]).run();
        assert_eq!(run.code, Some(0), "{run:?}");
        assert!(run.stdout.contains(call), "{run:?}");
        let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
        assert_eq!(run.code, Some(0), "apply then plan is clean: {run:?}");
    };
    apply_then_plan_clean(&catch_all("Everything else", ""), "CreateGatewayRule 1000000");
    // An update of a rule without conditions.
    apply_then_plan_clean(&catch_all("All the rest", ""), "UpdateGatewayRule 1000000");
    // Conditions added, then removed again: `[]` removes them.
    let paths = "        conditions: [{ matchPaths: { anyOf: [\"/beta/*\"] } }]\n";
    apply_then_plan_clean(&catch_all("All the rest", paths), "UpdateGatewayRule 1000000");
    apply_then_plan_clean(&catch_all("All the rest", ""), "UpdateGatewayRule 1000000");
    // `conditions: []` in a spec is the same as none.
    let empty = "        conditions: []\n";
    emu.write("gateways.yaml", &spec(&gw("tools", &catch_all("All the rest", empty))));
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn rules_are_created_updated_moved_and_deleted_and_then_plan_clean() {
    let emu = Env::new();
    let first = rules(&[rule(10, "/beta/*", "refunds"), rule(20, "/v2/*", "refunds")]);
    emu.write("gateways.yaml", &spec(&gw("tools", &first)));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("CreateGatewayRule 10") && run.stdout.contains("CreateGatewayRule 20"), "{run:?}");
    let live = emu.rules("tools");
    assert_eq!(live.keys().copied().collect::<Vec<_>>(), [10, 20]);
    assert!(live.values().all(|(_, status, _, _)| status == "ACTIVE"), "{live:?}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "apply then plan is clean: {run:?}");

    // A condition changes: an update in place.
    let changed = rules(&[rule(10, "/gamma/*", "refunds"), rule(20, "/v2/*", "refunds")]);
    emu.write("gateways.yaml", &spec(&gw("tools", &changed)));
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "--color", "never"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.contains("is unchanged; its rules change: 1 rule to change"), "{}", run.stdout);
    assert!(run.stdout.contains("will be updated in place"), "{}", run.stdout);
    assert!(run.stdout.contains("conditions[0].matchPaths.anyOf[0]"), "{}", run.stdout);
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("UpdateGatewayRule 10"), "{run:?}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    // A priority changes: a delete plus a create.
    let old_id = emu.rules("tools")[&20].0.clone();
    let moved = rules(&[rule(10, "/gamma/*", "refunds"), rule(30, "/v2/*", "refunds")]);
    emu.write("gateways.yaml", &spec(&gw("tools", &moved)));
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "--color", "never"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.contains("1 rule to add, 1 to delete"), "{}", run.stdout);
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let deleted = run.stdout.find(&format!("DeleteGatewayRule 20 ({old_id})")).expect("deleted");
    let created = run.stdout.find("CreateGatewayRule 30").expect("created");
    assert!(deleted < created, "delete, then create: {run:?}");
    assert_eq!(emu.rules("tools").keys().copied().collect::<Vec<_>>(), [10, 30]);
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    // `rules: []` deletes every user rule.
    emu.write("gateways.yaml", &spec(&gw("tools", "    rules: []\n")));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(emu.rules("tools").is_empty());
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn without_rules_key_live_rules_are_left_alone_and_not_read() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw("tools", &rules(&[rule(10, "/a/*", "x")]))));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.write("gateways.yaml", &spec(&gw("tools", "")));
    let before = emu.stats();
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("No changes."), "{run:?}");
    let after = emu.stats();
    assert_eq!(emu.rules("tools").len(), 1);
    for op in ["ListGatewayRules", "GetGatewayRule", "CreateGatewayRule", "UpdateGatewayRule", "DeleteGatewayRule"] {
        assert_eq!(before.get(op), after.get(op), "{op} was called for a gateway without `rules:`");
    }
}

#[test]
fn system_managed_rules_are_shown_and_never_touched() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw("tools", &rules(&[rule(10, "/a/*", "x")]))));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let system_id = emu.add_system_rule("tools", 5, "aws-guardrails");
    emu.write("gateways.yaml", &spec(&gw("tools", "    rules: []\n")));
    let run = emu.acgw().args(["plan", "--color", "never"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("rule 5 managed by aws-guardrails"), "{}", run.stdout);
    assert!(run.stdout.contains("1 rule to delete"), "{}", run.stdout);
    let drift = emu.acgw().args(["drift", "--color", "never"]).run();
    assert!(drift.stdout.contains("rule 5: managed by aws-guardrails"), "{drift:?}");
    assert!(!drift.stdout.contains("rule 5: not declared"), "{drift:?}");
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let live = emu.rules("tools");
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[&5].0, system_id);
    assert_eq!(live[&5].3.as_deref(), Some("aws-guardrails"));
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    // A spec rule at the system rule's priority fails that gateway, naming the system rule.
    emu.write("gateways.yaml", &spec(&gw("tools", &rules(&[rule(5, "/a/*", "x")]))));
    let run = emu.acgw().args(["plan"]).run();
    assert_ne!(run.code, Some(0), "{run:?}");
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains(&system_id) && all.contains("system-managed"), "{run:?}");
}

#[test]
fn a_rule_routes_to_a_target_created_in_the_same_apply() {
    let emu = Env::new();
    let body = format!(
        "    targets:\n{}{}",
        LAMBDA_TARGET.replace("DESCRIPTION", "Refunds"),
        rules(&[rule(10, "/refunds/*", "refunds")])
    );
    emu.write("gateways.yaml", &spec(&gw("tools", &body)));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let target = run.stdout.find("CreateGatewayTarget refunds").expect("target created");
    let rule_created = run.stdout.find("CreateGatewayRule 10").expect("rule created");
    assert!(target < rule_created, "target first, then rule: {run:?}");
    assert_eq!(emu.rules("tools")[&10].1, "ACTIVE");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn a_replaced_gateway_gets_its_targets_rules_rate_limits_and_policy_on_the_new_one() {
    let emu = Env::new();
    let body = format!(
        "    targets:\n{}{}{}{}",
        LAMBDA_TARGET.replace("DESCRIPTION", "Refunds"),
        rules(&[rule(10, "/refunds/*", "refunds")]),
        rate_limits("$.context.iam.principal", 60),
        POLICY
    );
    let text = spec(&gw("tools", &body));
    emu.write("gateways.yaml", &text);
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let old = emu.ids()["tools"].clone();

    // authorizerType cannot change in place: the gateway is replaced, and every part with it.
    emu.write("gateways.yaml", &text.replace("authorizerType: AWS_IAM", "authorizerType: NONE"));
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "--color", "never"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.contains(&format!("-/+ tools ({old})")), "{}", run.stdout);
    let run = emu.acgw().args(["apply", "--auto-approve", "--allow-replace"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("replaced") && run.stdout.contains("DeleteGateway, CreateGateway"), "{run:?}");
    let recreated = run.stdout.find("DeleteGateway, CreateGateway").expect("replaced");
    for call in [
        "DeleteGatewayTarget refunds",
        "DeleteGatewayRule ",
        "DeleteGatewayRateLimit global",
        "DeleteGatewayRateLimit per-principal",
    ] {
        let at = run.stdout.find(call).unwrap_or_else(|| panic!("{call} on the old gateway: {run:?}"));
        assert!(at < recreated, "{call} comes before the old gateway is deleted: {run:?}");
    }
    for call in [
        "CreateGatewayTarget refunds",
        "CreateGatewayRule 10",
        "CreateGatewayRateLimit global",
        "CreateGatewayRateLimit per-principal",
        "PutResourcePolicy",
    ] {
        let at = run.stdout.find(call).unwrap_or_else(|| panic!("{call} on the new gateway: {run:?}"));
        assert!(at > recreated, "{call} comes after the new gateway: {run:?}");
    }

    let new = emu.ids()["tools"].clone();
    assert_ne!(old, new, "the gateway was replaced");
    assert_eq!(emu.names(), ["tools"], "the old gateway is gone");
    let client = emu.client();
    let gone = emu.rt.block_on(async { client.get_gateway().gateway_identifier(&old).send().await });
    assert!(
        gone.is_err_and(|e| e.as_service_error().is_some_and(|e| e.is_resource_not_found_exception())),
        "GetGateway of the old ID answers ResourceNotFoundException"
    );
    let targets = emu.targets("tools");
    assert_eq!(targets.keys().collect::<Vec<_>>(), ["refunds"]);
    assert_eq!(targets["refunds"].1, "READY");
    let live_rules = emu.rules("tools");
    assert_eq!(live_rules.keys().copied().collect::<Vec<_>>(), [10]);
    assert_eq!((live_rules[&10].1.as_str(), live_rules[&10].2.as_deref()), ("ACTIVE", Some("Route /refunds/*")));
    let limits = emu.rate_limits("tools");
    assert_eq!(limits.keys().collect::<Vec<_>>(), ["global", "per-principal"]);
    assert!(limits.values().all(|(status, _, _)| status == "ACTIVE"), "{limits:?}");
    let policy = emu.policy("tools").expect("the new gateway has the policy");
    assert_eq!(policy["Statement"][0]["Sid"], "callers", "{policy}");
    assert_eq!(policy["Statement"][0]["Principal"]["AWS"], "arn:aws:iam::123456789012:root", "{policy}");

    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("No changes."), "{run:?}");
}

#[test]
fn rule_specs_are_checked_offline() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "    targets:\n{}{}",
        LAMBDA_TARGET.replace("DESCRIPTION", "Refunds"),
        rules(&[rule(10, "/a/*", "refunds"), rule(20, "/b/*", "nowhere")])
    );
    write(dir.path(), "gateways.yaml", &spec(&gw("tools", &body)));
    let run = Acgw::new(dir.path()).args(["validate"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("routes to target `nowhere`"), "{run:?}");
    assert!(run.stderr.contains("gateways.yaml:"), "{run:?}");
    let twice = rules(&[rule(10, "/a/*", "x"), rule(10, "/b/*", "x")]);
    write(dir.path(), "gateways.yaml", &spec(&gw("tools", &twice)));
    let run = Acgw::new(dir.path()).args(["validate"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("rule priority 10 is declared twice in this gateway (first at line"), "{run:?}");
}

#[test]
fn a_saved_plan_refuses_when_a_rule_moved_or_appeared() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw("tools", &rules(&[rule(10, "/a/*", "x")]))));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.write("gateways.yaml", &spec(&gw("tools", &rules(&[rule(10, "/b/*", "x")]))));
    let run = emu.acgw().args(["plan", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(emu.dir().join("plan.json")).unwrap()).unwrap();
    assert_eq!(saved["format_version"], "4");
    let planned = saved["gateways"][0]["rules"].as_array().expect("rules in the plan");
    assert_eq!(planned[0]["priority"], 10);
    assert_eq!(planned[0]["action"], "update");
    assert!(planned[0]["observed"]["ruleId"].is_string());
    // Someone else changes it: the saved plan refuses.
    emu.write("other.yaml", &spec(&gw("tools", &rules(&[rule(10, "/c/*", "x")]))));
    let run = emu.acgw().args(["apply", "--auto-approve", "-f", "other.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("rule 10") && run.stderr.contains("moved"), "{run:?}");
    // One appears: refused too.
    let run = emu.acgw().args(["plan", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let intruder = emu.add_system_rule("tools", 99, "someone");
    let run = emu.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains(&format!("rule {intruder} appeared")), "{run:?}");
}

#[test]
fn export_writes_user_rules_only_and_plans_clean() {
    let emu = Env::new();
    // Export writes the targets too, so the routes must name live targets.
    let body = format!(
        "    targets:\n{}{}",
        LAMBDA_TARGET.replace("DESCRIPTION", "Refunds"),
        rules(&[rule(10, "/a/*", "refunds"), rule(20, "/b/*", "refunds")])
    );
    emu.write("gateways.yaml", &spec(&gw("tools", &body)));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.add_system_rule("tools", 5, "aws-guardrails");
    let run = emu.acgw().args(["export", "-o", "export.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let exported = std::fs::read_to_string(emu.dir().join("export.yaml")).unwrap();
    assert!(exported.contains("rules:") && exported.contains("/a/*") && exported.contains("/b/*"), "{exported}");
    assert!(!exported.contains("aws-guardrails") && !exported.contains("priority: 5"), "{exported}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "-f", "export.yaml"]).run();
    assert_eq!(run.code, Some(0), "export then plan is clean: {run:?}");
}

#[test]
fn two_live_rules_with_one_priority_fail_their_gateway_alone_and_only_where_rules_are_managed() {
    let emu = Env::new();
    let managed = rules(&[rule(10, "/a/*", "x")]);
    emu.write("gateways.yaml", &spec(&[gw("healthy", &managed), gw("plain", ""), gw("routed", &managed)].concat()));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let ids = emu.ids();
    let first = emu.rules("routed")[&10].0.clone();
    let second = emu.add_rule_unchecked("routed", 10);
    // `plain` does not declare `rules:`: its duplicates are not acgw's business.
    emu.add_rule_unchecked("plain", 20);
    emu.add_rule_unchecked("plain", 20);
    // `healthy` has something to plan.
    emu.write(
        "gateways.yaml",
        &spec(
            &[
                gw("healthy", &format!("    description: now described\n{managed}")),
                gw("plain", ""),
                gw("routed", &managed),
            ]
            .concat(),
        ),
    );

    let before = emu.stats();
    let run = emu.acgw().args(["plan", "--color", "never"]).run();
    assert_eq!(run.code, Some(1), "a gateway that cannot be planned exits 1: {run:?}");
    let routed = &ids["routed"];
    let mut pair = [first.clone(), second.clone()];
    pair.sort();
    assert!(
        run.stdout.contains(&format!(
            "! routed ({routed}) could not be planned: gateway routed ({routed}) has 2 live rules with priority 10: {}, {}; delete all but one",
            pair[0], pair[1]
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("~ healthy (") && run.stdout.contains("+ description: \"now described\""),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("plain"), "a gateway whose rules are not managed is not failed: {}", run.stdout);
    assert!(
        run.stdout
            .contains("Plan: 0 to create, 1 to update, 0 to replace, 1 unchanged. 1 gateway could not be planned."),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("1 gateway could not be planned (see above)"), "{run:?}");
    let lists = |stats: &BTreeMap<String, u64>| stats.get("ListGatewayRules").copied().unwrap_or(0);
    assert_eq!(lists(&emu.stats()) - lists(&before), 2, "only the gateways that declare `rules:` have theirs read");

    let run = emu.acgw().args(["plan", "--format", "json"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json plan");
    let failed = doc["failed"].as_array().expect("failed[]");
    assert_eq!(failed.len(), 1, "{doc}");
    assert_eq!((&failed[0]["name"], &failed[0]["gatewayId"]), (&"routed".into(), &routed.as_str().into()));
    let error = failed[0]["error"].as_str().unwrap_or_default();
    assert!(error.contains(&first) && error.contains(&second), "{error}");
    let planned: Vec<&str> = doc["gateways"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(planned, ["healthy", "plain"]);

    // Apply changes the others and leaves the ambiguous one alone.
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("✓ healthy") && run.stdout.contains("✗ routed"), "{run:?}");
    assert!(run.stdout.contains("not applied"), "{run:?}");
    assert_eq!(emu.rule_ids("routed"), pair, "neither rule was touched");
    assert_eq!(emu.rule_ids("plain").len(), 2, "neither rule was touched");

    // Deleting all but one, as the message says, makes the gateway plannable again.
    let client = emu.client();
    emu.rt.block_on(async {
        client.delete_gateway_rule().gateway_identifier(routed).rule_id(&second).send().await.expect("deleted")
    });
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(emu.rules("routed")[&10].0, first);
}

#[test]
fn a_rule_another_tool_is_deleting_counts_as_gone() {
    // Deletes take a minute here, so a rule deleted outside acgw stays DELETING for the test.
    let emu = Env::builder().delete_delay(Duration::from_secs(60)).start();
    emu.write("gateways.yaml", &spec(&gw("tools", &rules(&[rule(10, "/a/*", "x"), rule(20, "/b/*", "x")]))));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let gateway = emu.ids()["tools"].clone();
    let going = emu.rules("tools")[&10].0.clone();
    let client = emu.client();
    emu.rt.block_on(async {
        client.delete_gateway_rule().gateway_identifier(&gateway).rule_id(&going).send().await.expect("deleted")
    });
    assert_eq!(emu.rules("tools")[&10].1, "DELETING");

    // The rule is going away: the plan creates it again rather than calling it unchanged.
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "--color", "never"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.contains("1 rule to add"), "{}", run.stdout);

    // Another tool puts a new rule at the same priority while the old one is still DELETING:
    // not two rules at one priority, but one rule to update to the spec.
    let planted = emu.add_rule_unchecked("tools", 10);
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "--color", "never"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(!run.stdout.contains("could not be planned"), "{}", run.stdout);
    assert!(run.stdout.contains("1 rule to change"), "{}", run.stdout);
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains(&format!("UpdateGatewayRule 10 ({planted})")), "{run:?}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "apply then plan is clean while the old rule is still DELETING: {run:?}");
    assert!(emu.rule_ids("tools").contains(&going), "the old rule is still listed, DELETING");
}

#[test]
fn deleting_a_gateway_deletes_its_rules_and_rate_limits_even_ones_added_after_a_saved_plan() {
    let emu = Env::new();
    emu.write("gateways.yaml", &owned_spec("team-a", &["keep", "old", "preview"]));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.write("gateways.yaml", &owned_spec("team-a", &["keep", "preview"]));
    let run = emu.acgw().args(["plan", "--prune", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("- old ("), "{run:?}");
    // A delete plan records the gateway and its targets, not its rules or rate limits: those are
    // never read for a gateway to delete (so that prune and destroy work against APIs without
    // them, like moto), and they go with the gateway. So ones added after the plan do not make it
    // stale; they are deleted with it.
    let rule_id = emu.add_rule_unchecked("old", 10);
    emu.add_rate_limit("old", "made-by-hand");
    let run = emu.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains(&format!("DeleteGatewayRule {rule_id}"))
            && run.stdout.contains("DeleteGatewayRateLimit made-by-hand"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("stale"), "{run:?}");
    assert_eq!(emu.names(), ["keep", "preview"]);

    // `acgw destroy` of a gateway with rules and rate limits deletes them first too.
    emu.add_rule_unchecked("preview", 10);
    emu.add_rate_limit("preview", "per-model");
    emu.write("preview.yaml", &owned_spec("team-a", &["preview"]));
    let run = emu.acgw().args(["destroy", "--auto-approve", "-f", "preview.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains("DeleteGatewayRule") && run.stdout.contains("DeleteGatewayRateLimit per-model"),
        "{run:?}"
    );
    assert_eq!(emu.names(), ["keep"]);
}
#[path = "cli/contract.rs"]
mod contract;
#[path = "cli/docs.rs"]
mod docs;
#[path = "cli/export_confinement.rs"]
mod export_confinement;
#[path = "cli/hostile.rs"]
mod hostile;
#[path = "cli/kinds.rs"]
mod kinds;
#[path = "cli/model_constraints.rs"]
mod model_constraints;
#[path = "cli/providers.rs"]
mod providers;
#[path = "cli/providers_export.rs"]
mod providers_export;
#[path = "cli/providers_load.rs"]
mod providers_load;
#[path = "cli/providers_observe.rs"]
mod providers_observe;
#[path = "cli/render.rs"]
mod render;
#[path = "cli/sdk_members.rs"]
mod sdk_members;
#[path = "cli/signal.rs"]
mod signal;
#[path = "cli/version.rs"]
mod version;

//! The user flows against moto_server (moto 5.2.5): an AWS emulator that nobody here wrote, so
//! passing here proves more than passing against acgw's own emulator.
//!
//! moto differs from AWS in ways acgw must survive without a moto-specific code path: it answers
//! `"description": ""` for a gateway without one, leaves an updated gateway UPDATING for ever
//! (hence `apply --no-wait`), ignores client tokens and name uniqueness, and merges UpdateGateway
//! instead of replacing (so these tests never remove a member through acgw). It also answers 500
//! to a CreateGateway without `protocolType`, which AWS accepts (absent lets a gateway mix MCP and
//! HTTP targets), so every spec here names it.
//!
//! The server comes from `ACGW_MOTO_SERVER` or `target/moto-venv/bin/moto_server` (`.ci/moto-setup`
//! makes it). Without it the suite says so and skips, except under CI, where it fails.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod support;
use support::{repo, Acgw, Env};

/// Where moto_server is: `ACGW_MOTO_SERVER`, or the venv `.ci/moto-setup` makes.
fn server_path() -> PathBuf {
    match std::env::var_os("ACGW_MOTO_SERVER") {
        Some(path) => PathBuf::from(path),
        None => repo().join("target/moto-venv/bin/moto_server"),
    }
}

/// A running moto_server, stopped when the [`Env`] that holds it is dropped.
struct MotoServer {
    child: Child,
    _logs: tempfile::TempDir,
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An [`Env`] on a moto_server of its own (moto has no name uniqueness: shared state would leak),
/// on a free loopback port; `None` (with a note) when it is not installed and this is not CI.
fn moto() -> Option<Env> {
    let server = server_path();
    if !server.is_file() {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
        assert!(!ci, "CI is set but moto_server is not at {} (run .ci/moto-setup)", server.display());
        eprintln!("skipping: no moto_server at {} (run .ci/moto-setup to test against moto)", server.display());
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let logs = tempfile::tempdir().expect("tempdir");
    let log = std::fs::File::create(logs.path().join("moto.log")).expect("log file");
    let child = Command::new(&server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()));
    let mut moto = MotoServer { child, _logs: logs };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = moto.child.try_wait() {
            let log = std::fs::read_to_string(moto._logs.path().join("moto.log")).unwrap_or_default();
            panic!("moto_server exited with {status}:\n{log}");
        }
        assert!(started.elapsed() < Duration::from_secs(60), "moto_server did not listen within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Env::builder().external(&format!("http://127.0.0.1:{port}"), moto).start())
}

/// Runs `tests/moto/helper.py` (boto3, from the server's venv) against `moto`; its stdout.
fn boto3(moto: &Env, args: &[&str]) -> String {
    let out = Command::new(server_path().with_file_name("python3"))
        .arg(repo().join("tests/moto/helper.py"))
        .args(["--endpoint", &moto.url])
        .args(args)
        .output()
        .expect("the boto3 helper runs");
    assert!(out.status.success(), "helper {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const SPEC: &str = "gateways:
  - name: moto-min
    roleArn: arn:aws:iam::123456789012:role/gw
    protocolType: MCP
    authorizerType: AWS_IAM
  - name: moto-jwt
    description: JWT gateway
    roleArn: arn:aws:iam::123456789012:role/gw
    protocolType: MCP
    authorizerType: CUSTOM_JWT
    authorizerConfiguration:
      customJWTAuthorizer:
        discoveryUrl: https://idp.example.com/.well-known/openid-configuration
        allowedClients: [b-agent, a-agent]
        customClaims:
          - inboundTokenClaimName: dept
            inboundTokenClaimValueType: STRING
            authorizingClaimMatchValue:
              claimMatchOperator: EQUALS
              claimMatchValue: { matchValueString: eng }
    tags: { team: support }
  - name: moto-mcp
    description: MCP settings
    roleArn: arn:aws:iam::123456789012:role/gw
    protocolType: MCP
    protocolConfiguration:
      mcp:
        supportedVersions: ['2025-06-18']
        instructions: Use the tools.
        searchType: SEMANTIC
        sessionConfiguration: { sessionTimeoutInSeconds: 7200 }
        streamingConfiguration: { enableResponseStreaming: true }
    authorizerType: NONE
    exceptionLevel: DEBUG
";

#[test]
fn apply_plan_and_drift_against_moto() {
    let Some(moto) = moto() else { return };
    moto.write("gateways.yaml", SPEC);
    let run = Acgw::new(moto.dir()).args(["validate"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    let run = moto.acgw().args(["apply", "--auto-approve", "--no-wait"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("Apply complete: 3 gateways changed."), "{run:?}");
    let run = moto.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "moto's `description: \"\"` is no change: {run:?}");
    assert!(run.stdout.contains("No changes. Gateways match the specs."), "{run:?}");
    let run = moto.acgw().args(["drift"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    // Someone edits a gateway through boto3: drift names the field.
    boto3(&moto, &["set-description", "--name", "moto-jwt", "--description", "edited by hand"]);
    boto3(&moto, &["tag", "--name", "moto-mcp", "--key", "owner", "--value", "someone"]);
    let run = moto.acgw().args(["drift", "--format", "json"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let entry = |name: &str| doc["gateways"].as_array().unwrap().iter().find(|g| g["name"] == name).cloned().unwrap();
    assert_eq!(entry("moto-jwt")["state"], "modified");
    assert_eq!(entry("moto-jwt")["changes"][0]["path"], "description");
    assert_eq!(entry("moto-jwt")["changes"][0]["before"], "edited by hand");
    assert_eq!(entry("moto-mcp")["tagChanges"][0]["key"], "owner");
    assert_eq!(entry("moto-min")["state"], "in-sync");

    // apply repairs it; moto leaves the updated gateway UPDATING, which --no-wait reports.
    let run = moto.acgw().args(["apply", "--auto-approve", "--no-wait"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("[status UPDATING]"), "{run:?}");
    let run = moto.acgw().args(["drift"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    // A saved plan applies once; the same plan again is stale.
    moto.write("gateways.yaml", &SPEC.replace("description: MCP settings", "description: MCP settings, v2"));
    let run = moto.acgw().args(["plan", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = moto.acgw().args(["apply", "plan.json", "--no-wait"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = moto.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = moto.acgw().args(["apply", "plan.json", "--no-wait"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("the plan is stale") && run.stderr.contains("moto-mcp"), "{run:?}");
}

#[test]
fn what_boto3_made_exports_validates_and_plans_clean() {
    let Some(moto) = moto() else { return };
    let ids: serde_json::Value =
        serde_json::from_str(&boto3(&moto, &["seed-every-member", "--prefix", "boto"])).expect("ids as json");
    assert_eq!(ids.as_object().map(|o| o.len()), Some(5), "{ids}");
    let run = moto.acgw().args(["export", "-o", "exported.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let yaml = std::fs::read_to_string(moto.dir().join("exported.yaml")).expect("exported");
    for member in [
        "customClaims:",
        "matchValueStringList:",
        "interceptorConfigurations:",
        "passRequestHeaders: true",
        "policyEngineConfiguration:",
        "kmsKeyArn:",
        "sessionTimeoutInSeconds: 7200",
        "enableResponseStreaming: true",
        "exceptionLevel: DEBUG",
        "kind: policy",
    ] {
        assert!(yaml.contains(member), "{member} exported:\n{yaml}");
    }
    let minimal = yaml.split("- name: ").find(|g| g.starts_with("boto-minimal")).expect("boto-minimal exported");
    assert!(!minimal.contains("description"), "moto's empty description is not exported:\n{minimal}");

    let run = Acgw::new(moto.dir()).args(["validate", "-f", "exported.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = moto.acgw().args(["plan", "--detailed-exitcode", "-f", "exported.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("No changes."), "{run:?}");
}

#[test]
fn prune_and_destroy_against_moto_delete_only_what_the_owner_tag_proves() {
    let Some(moto) = moto() else { return };
    let spec = |names: &[&str]| {
        let mut text = String::from("owner: team-a\ngateways:\n");
        for n in names {
            text.push_str(&format!(
                "  - name: {n}\n    roleArn: arn:aws:iam::123456789012:role/gw\n    protocolType: MCP\n    authorizerType: AWS_IAM\n"
            ));
        }
        text
    };
    moto.write("gateways.yaml", &spec(&["keep", "old"]));
    let run = moto.acgw().args(["apply", "--auto-approve", "--no-wait"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    // boto3 makes a neighbour that nobody owns.
    boto3(&moto, &["seed-every-member", "--prefix", "hand"]);

    moto.write("gateways.yaml", &spec(&["keep"]));
    let run = moto.acgw().args(["apply", "--prune", "--auto-approve", "--no-wait"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("- old (") && run.stdout.contains("no longer in the specs"), "{run:?}");
    let names: serde_json::Value = serde_json::from_str(&boto3(&moto, &["dump"])).expect("json");
    let mut live: Vec<&str> = names.as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    live.sort();
    assert_eq!(live, ["hand-interceptors", "hand-jwt", "hand-kms", "hand-minimal", "hand-policy", "keep"]);

    let run = moto.acgw().args(["destroy", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = moto.acgw().args(["destroy", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "a second destroy finds it gone: {run:?}");
    assert!(run.stdout.contains("already gone"), "{run:?}");
    let names: serde_json::Value = serde_json::from_str(&boto3(&moto, &["dump"])).expect("json");
    assert_eq!(names.as_array().map(Vec::len), Some(5), "only the hand-made gateways remain: {names}");
}

const TARGETS: &str = "gateways:
  - name: moto-tools
    roleArn: arn:aws:iam::123456789012:role/gw
    protocolType: MCP
    authorizerType: AWS_IAM
    targets:
      - name: refunds
        description: Refunds
        targetConfiguration:
          mcp:
            lambda:
              lambdaArn: arn:aws:lambda:us-east-1:123456789012:function:refunds
              toolSchema:
                inlinePayload:
                  - { name: refund, description: Refund an order, inputSchema: { type: object } }
        credentialProviderConfigurations: [{ credentialProviderType: GATEWAY_IAM_ROLE }]
      - name: docs
        targetConfiguration:
          mcp:
            mcpServer: { endpoint: \"https://docs.example.com/mcp\", listingMode: DYNAMIC }
        metadataConfiguration: { allowedRequestHeaders: [x-b, x-a] }
";

#[test]
fn targets_against_moto_apply_change_rename_and_plan_clean() {
    let Some(moto) = moto() else { return };
    moto.write("gateways.yaml", TARGETS);
    let run = moto.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains("CreateGatewayTarget docs") && run.stdout.contains("CreateGatewayTarget refunds"),
        "{run:?}"
    );
    let run = moto.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "apply then plan is clean against moto: {run:?}");
    // moto leaves an updated resource UPDATING for ever: --no-wait returns once accepted.
    let changed = TARGETS
        .replace("description: Refunds", "description: Refunds and returns")
        .replace("- name: docs", "- name: docs2");
    moto.write("gateways.yaml", &changed);
    let run = moto.acgw().args(["plan", "--color", "never"]).run();
    assert!(run.stdout.contains("1 target to add, 1 to change, 1 to delete"), "{run:?}");
    let run = moto.acgw().args(["apply", "--auto-approve", "--no-wait"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains("DeleteGatewayTarget docs")
            && run.stdout.contains("UpdateGatewayTarget refunds")
            && run.stdout.contains("CreateGatewayTarget docs2"),
        "{run:?}"
    );
    let run = moto.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = moto.acgw().args(["drift"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

/// The emulator's conformance layer checks against tests/model/agentcore-control.json, a copy of
/// the service model in the botocore that `.ci/moto-setup` pins; when the venv's botocore is
/// another version (the pin moved, or a hand-made venv), the copy must be regenerated, or the
/// emulator would be proven against a model nobody installs any more.
#[test]
fn checked_in_service_model_is_the_venvs() {
    let python = repo().join("target/moto-venv/bin/python3");
    if !python.is_file() {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
        assert!(!ci, "CI is set but there is no venv at {} (run .ci/moto-setup)", python.display());
        eprintln!("skipping: no venv at {} (run .ci/moto-setup)", python.display());
        return;
    }
    let out = Command::new("python3")
        .arg(repo().join(".ci/model-extract"))
        .arg(&python)
        .output()
        .expect(".ci/model-extract runs");
    assert!(out.status.success(), ".ci/model-extract failed: {}", String::from_utf8_lossy(&out.stderr));
    let fresh = String::from_utf8(out.stdout).expect("UTF-8 JSON");
    let copy =
        std::fs::read_to_string(repo().join("tests/model/agentcore-control.json")).expect("the checked-in model");
    if fresh != copy {
        let version = |s: &str| {
            serde_json::from_str::<serde_json::Value>(s)
                .ok()
                .and_then(|v| v["botocoreVersion"].as_str().map(String::from))
        };
        let first = fresh.lines().zip(copy.lines()).position(|(a, b)| a != b).unwrap_or(0) + 1;
        panic!(
            "the venv's botocore model differs from the checked-in copy: venv botocore {:?}, copy {:?}, first \
             difference at line {first}.\nRegenerate it with `.ci/model-extract > tests/model/agentcore-control.json` \
             (and pin that botocore in .ci/moto-setup), then fix what the conformance and constraint tests report.",
            version(&fresh),
            version(&copy),
        );
    }
}

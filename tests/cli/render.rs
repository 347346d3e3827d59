//! Secrets, Markdown drift and escaping of live strings (issue 22 items 6, 10 and 12): what each
//! output format shows of OAuth custom parameters, of a target changed out of band, and of names
//! a hostile service sends.

use super::*;

/// A gateway `tools` with one OAuth target whose custom parameter `audience` is `value` (as
/// written in YAML).
fn oauth_spec(value: &str) -> String {
    let target = format!(
        "      - name: calendar
        targetConfiguration:
          mcp:
            mcpServer: {{ endpoint: \"https://calendar.example.com/mcp\" }}
        credentialProviderConfigurations:
          - credentialProviderType: OAUTH
            credentialProvider:
              oauthCredentialProvider:
                providerArn: arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/cal
                scopes: [calendar.read]
                customParameters: {{ audience: {value} }}
"
    );
    spec(&gw_targets("tools", &target))
}

/// Asserts that no stream of `run` contains `secret`.
fn assert_hidden(what: &str, run: &support::Run, secret: &str) {
    assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret), "{what} prints the secret: {run:?}");
}

#[test]
fn a_secret_in_a_bad_spec_is_never_echoed_by_validate_or_plan() {
    let emu = Env::new();
    // An unquoted number: YAML reads it as a number, which a custom parameter cannot be.
    let secret = "98765432101234";
    emu.write("gateways.yaml", &oauth_spec(secret));
    for format in ["text", "json", "github"] {
        let run = Acgw::new(emu.dir()).args(["validate", "--format", format]).run();
        assert_eq!(run.code, Some(1), "{format}: {run:?}");
        assert_hidden(&format!("validate --format {format}"), &run, secret);
        let out = format!("{}{}", run.stdout, run.stderr);
        assert!(out.contains("customParameters.audience"), "{format}: the field is named: {run:?}");
        assert!(out.contains("not shown: the value is sensitive"), "{format}: {run:?}");
    }
    for format in ["text", "json", "markdown"] {
        let run = emu.acgw().args(["plan", "--format", format]).run();
        assert_eq!(run.code, Some(1), "{format}: {run:?}");
        assert_hidden(&format!("plan --format {format}"), &run, secret);
        assert!(run.stderr.contains("customParameters.audience"), "{format}: {run:?}");
    }
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_hidden("apply", &run, secret);
    assert_eq!(emu.calls(), 0, "bad specs make no API call");
}

#[test]
fn live_and_spec_secrets_never_appear_in_drift_or_plan_output_but_in_the_saved_plan() {
    let emu = Env::new();
    let (live, wanted) = ("live-secret-7f3a9c", "spec-secret-2b8e41");
    emu.write("gateways.yaml", &oauth_spec(live));
    let run = emu.acgw().args(["apply", "--auto-approve", "--color", "never"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_hidden("apply", &run, live);

    emu.write("gateways.yaml", &oauth_spec(wanted));
    for format in ["text", "json", "markdown"] {
        let run = emu.acgw().args(["drift", "--color", "never", "--format", format]).run();
        assert_eq!(run.code, Some(2), "{format}: the secret drifted: {run:?}");
        assert_hidden(&format!("drift --format {format}"), &run, live);
        assert_hidden(&format!("drift --format {format}"), &run, wanted);
        assert!(run.stdout.contains("customParameters.audience"), "{format}: the field is named: {run:?}");
        assert!(run.stdout.contains("(sensitive)"), "{format}: {run:?}");
    }
    let run = emu.acgw().args(["drift", "--format", "json"]).run();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("drift JSON");
    let change = &doc["gateways"][0]["targets"][0]["changes"][0];
    assert_eq!(
        (&change["before"], &change["after"]),
        (&serde_json::json!("(sensitive)"), &serde_json::json!("(sensitive)"))
    );
    for format in ["text", "markdown"] {
        let run = emu.acgw().args(["plan", "--color", "never", "--format", format]).run();
        assert_eq!(run.code, Some(0), "{format}: {run:?}");
        assert_hidden(&format!("plan --format {format}"), &run, live);
        assert_hidden(&format!("plan --format {format}"), &run, wanted);
    }
    // The saved plan is the one place the value stays: applying it sends the value.
    let run = emu.acgw().args(["plan", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_hidden("plan --out", &run, wanted);
    assert!(std::fs::read_to_string(emu.dir().join("plan.json")).unwrap().contains(wanted));
}

#[test]
fn markdown_drift_names_a_target_changed_out_of_band_and_shows_its_diff() {
    use aws_sdk_bedrockagentcorecontrol::types::{
        McpServerTargetConfiguration, McpTargetConfiguration, TargetConfiguration,
    };
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw_targets("tools", &mcp_target("docs", 5))));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["drift", "--format", "markdown"]).run();
    assert_eq!(run.code, Some(0), "in sync: {run:?}");

    // Someone points the target elsewhere in the console.
    let gateway_id = emu.ids()["tools"].clone();
    let target_id = emu.targets("tools")["docs"].0.clone();
    let client = emu.client();
    emu.rt.block_on(async {
        let server = McpServerTargetConfiguration::builder()
            .endpoint("https://elsewhere.example.com/mcp")
            .build()
            .expect("endpoint");
        client
            .update_gateway_target()
            .gateway_identifier(&gateway_id)
            .target_id(&target_id)
            .name("docs")
            .target_configuration(TargetConfiguration::Mcp(McpTargetConfiguration::McpServer(server)))
            .send()
            .await
            .expect("updated out of band");
    });
    let text = emu.acgw().args(["drift", "--color", "never"]).run();
    assert_eq!(text.code, Some(2), "{text:?}");
    assert!(text.stdout.contains("target docs ("), "{text:?}");
    let run = emu.acgw().args(["drift", "--format", "markdown"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    let md = &run.stdout;
    let row = md.lines().find(|l| l.starts_with("| `tools` |")).unwrap_or_else(|| panic!("a row for tools: {md}"));
    assert!(row.contains("`targets.docs.targetConfiguration.mcp.mcpServer.endpoint`"), "the Fields cell: {md}");
    assert!(
        md.contains(
            "- targets.docs.targetConfiguration.mcp.mcpServer.endpoint: \"https://elsewhere.example.com/mcp\"\n"
        ) && md
            .contains("+ targets.docs.targetConfiguration.mcp.mcpServer.endpoint: \"https://docs.example.com/mcp\"\n"),
        "the diff block shows live and spec: {md}"
    );
    assert!(!md.contains("```diff\n```"), "no empty diff block: {md}");
}

/// A name as a hostile service could send it: terminal escapes, a line break, Markdown and HTML.
const HOSTILE: &str = "x\u{1b}]0;pwned\u{7}\u{1b}[2J|`y`<script>alert(1)</script>*b*[l](https://e.example)\n# H";

#[test]
fn hostile_live_names_are_escaped_in_plans_drift_and_messages() {
    let emu = Env::new();
    // Owned by this run's owner, in no spec: drift reports it orphaned and `--prune` deletes it,
    // so its name heads a drift entry, a plan's table row and its details.
    let id = emu.create(
        serde_json::json!({"name": "planted", "roleArn": ROLE, "authorizerType": "NONE"}),
        &[("acgw:owner", "team-a")],
    );
    // The emulator validates names on create, as the service does; the hook stores it raw.
    assert!(emu.handle().set_raw(&id, "/name", serde_json::json!(HOSTILE)));
    emu.write("gateways.yaml", &owned_spec("team-a", &["tools"]));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    let raw = |run: &support::Run| {
        run.stdout.contains('\u{1b}') || run.stderr.contains('\u{1b}') || run.stderr.contains('\u{7}')
    };
    for format in ["text", "markdown"] {
        for (command, code) in [("plan", 0), ("drift", 2)] {
            let prune = if command == "plan" { "--prune" } else { "-v" };
            let run = emu.acgw().args([command, prune, "--color", "never", "--format", format]).run();
            assert_eq!(run.code, Some(code), "{command} {format}: {run:?}");
            assert!(!raw(&run), "{command} {format} prints a control character raw: {run:?}");
            assert!(run.stdout.contains(r"\u{1b}]0;pwned\u{7}\u{1b}[2J"), "{command} {format} escapes it: {run:?}");
            assert!(!run.stdout.lines().any(|l| l.starts_with("# H")), "{command} {format}: {run:?}");
            if format == "markdown" {
                assert!(
                    run.stdout.contains(r"| `x\u{1b}]0;pwned\u{7}\u{1b}[2J\|'y'<script>alert(1)</script>*b*[l](https://e.example)\u{a}# H` |"),
                    "{command}: one code span in one cell: {run:?}"
                );
            }
        }
    }

    // Messages on stderr: export reports the gateway it cannot read by its name.
    emu.handle().deny_reads(&id);
    let run = emu.acgw().args(["export"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(!raw(&run), "export prints a control character raw: {run:?}");
    assert!(run.stderr.contains(r"gateway x\u{1b}]0;pwned\u{7}\u{1b}[2J|`y`"), "{run:?}");
    assert!(!run.stderr.lines().any(|l| l.starts_with("# H")), "{run:?}");
}

/// A gateway `tools` with one A2A passthrough target whose static query parameter `api_key` is
/// `value` (the model marks these values sensitive: an API key in a query string is a secret).
fn passthrough_spec(value: &str) -> String {
    let target = format!(
        "      - name: agents
        targetConfiguration:
          http:
            passthrough:
              endpoint: https://agents.example.com/a2a
              protocolType: A2A
              staticQueryParameters: {{ api_key: {value} }}
"
    );
    spec(&gw_targets("tools", &target))
}

#[test]
fn static_query_parameter_values_are_secrets_in_plans_drift_and_export() {
    let emu = Env::new();
    let (live, wanted) = ("live-key-5d1e7a", "spec-key-9c04b2");
    emu.write("gateways.yaml", &passthrough_spec(live));
    let run = emu.acgw().args(["apply", "--auto-approve", "--color", "never"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_hidden("apply", &run, live);

    emu.write("gateways.yaml", &passthrough_spec(wanted));
    for format in ["text", "markdown"] {
        let run = emu.acgw().args(["plan", "--color", "never", "--format", format]).run();
        assert_eq!(run.code, Some(0), "{format}: {run:?}");
        assert_hidden(&format!("plan --format {format}"), &run, live);
        assert_hidden(&format!("plan --format {format}"), &run, wanted);
        assert!(run.stdout.contains("staticQueryParameters"), "{format}: the field is named: {run:?}");
    }
    for format in ["text", "json", "markdown"] {
        let run = emu.acgw().args(["drift", "--color", "never", "--format", format]).run();
        assert_eq!(run.code, Some(2), "{format}: the value drifted: {run:?}");
        assert_hidden(&format!("drift --format {format}"), &run, live);
        assert_hidden(&format!("drift --format {format}"), &run, wanted);
        assert!(run.stdout.contains("(sensitive)"), "{format}: {run:?}");
    }

    let run = emu.acgw().args(["export", "-o", "exported.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_hidden("export", &run, live);
    let exported = std::fs::read_to_string(emu.dir().join("exported.yaml")).expect("exported");
    assert!(!exported.contains(live), "the export holds the secret:\n{exported}");
    assert!(exported.contains("api_key: \"${ACGW_TOOLS__AGENTS__API_KEY"), "{exported}");
    assert!(run.stderr.contains("staticQueryParameters.api_key is sensitive"), "{run:?}");
}

//! Credential providers end to end (issue 26): declared beside the gateways, created before the
//! targets that name them, re-pointed on a rename, never deleted while a live target names them,
//! and a secret passed by value never shown by any command.

use super::*;

const SECRET: &str = "planted-weather-key-0451";
const OWNER: &str = "owner: ci\n";

fn provider_arn(kind: &str, name: &str) -> String {
    format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/{kind}credentialprovider/{name}")
}

/// An API-key provider with its key by value, at `version`.
fn api_key_provider(name: &str, version: &str) -> String {
    format!("  - apiKey:\n      name: {name}\n      apiKey: ${{WEATHER_KEY}}\n      secretVersion: '{version}'\n")
}

const GITHUB: &str = "  - oauth2:
      name: github
      credentialProviderVendor: GithubOauth2
      oauth2ProviderConfigInput:
        githubOauth2ProviderConfig:
          clientId: Iv1.0123456789abcdef
          clientSecretSource: EXTERNAL
          clientSecretConfig: { secretId: github-oauth, jsonKey: client_secret }
      tags: { team: tools }
";

/// An OpenAPI target that authenticates with the API-key provider `provider` (a YAML value).
fn api_key_target(name: &str, provider: &str) -> String {
    format!(
        "      - name: {name}
        targetConfiguration:
          mcp:
            openApiSchema: {{ inlinePayload: \"openapi: 3.0.3\\ninfo: {{ title: t, version: '1' }}\\npaths: {{}}\\n\" }}
        credentialProviderConfigurations:
          - credentialProviderType: API_KEY
            credentialProvider:
              apiKeyCredentialProvider:
                providerArn: {provider}
                credentialParameterName: x-api-key
                credentialLocation: HEADER
"
    )
}

/// An MCP server target that authenticates with the OAuth2 provider `provider` (a YAML value).
fn oauth_target(name: &str, provider: &str) -> String {
    format!(
        "      - name: {name}
        targetConfiguration: {{ mcp: {{ mcpServer: {{ endpoint: \"https://{name}.example.com/mcp\" }} }} }}
        credentialProviderConfigurations:
          - credentialProviderType: OAUTH
            credentialProvider:
              oauthCredentialProvider:
                providerArn: {provider}
                scopes: [repo]
"
    )
}

/// The spec: `providers` (list items) and one gateway `tools` with `targets`.
fn spec_of(providers: &str, targets: &str) -> String {
    let providers = if providers.is_empty() { String::new() } else { format!("credentialProviders:\n{providers}") };
    let gateway = if targets.is_empty() { gw("tools", "") } else { gw_targets("tools", targets) };
    format!("{OWNER}{providers}{}", spec(&gateway))
}

fn json(run: &support::Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("one JSON document ({e}): {}", run.show()))
}

fn env() -> Env {
    Env::builder().var("WEATHER_KEY", SECRET).start()
}

/// The provider ARNs the live target `target` of gateway `gateway` names, as the service
/// returns them.
fn live_provider_arns(env: &Env, gateway: &str, target: &str) -> Vec<String> {
    use acgw::api::ReadApi;
    let api = env.api();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let gateways = api.list_gateways().await.expect("lists");
        let g = gateways.iter().find(|g| g.name == gateway).expect("the gateway exists");
        let targets = api.list_targets(&g.gateway_id).await.expect("lists targets");
        let t = targets.iter().find(|t| t.name == target).expect("the target exists");
        let live = api.get_target(&g.gateway_id, &t.target_id).await.expect("gets the target");
        live.config.expect("readable").provider_arns()
    })
}

#[test]
fn a_provider_and_the_targets_that_name_it_are_created_in_one_apply_and_then_plan_clean() {
    let env = env();
    let targets = api_key_target("weather-api", "{ credentialProvider: weather }")
        + &oauth_target("repos", "{ credentialProvider: github }");
    env.write("gateways.yaml", &spec_of(&(api_key_provider("weather", "1") + GITHUB), &targets));
    let run = Acgw::new(env.dir()).env("WEATHER_KEY", SECRET).args(["validate"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());

    let run = env.acgw().args(["plan", "--format", "json"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    let plan = json(&run);
    let providers = &plan["credentialProviders"]["providers"];
    assert_eq!(providers[0]["name"], "github");
    assert_eq!(providers[0]["action"], "create");
    assert_eq!(providers[1]["name"], "weather");
    assert_eq!(providers[1]["sendsSecret"]["from"], "${WEATHER_KEY}");
    // The target names the provider, to be resolved once it exists.
    let desired = plan["gateways"][0]["targets"].to_string();
    assert!(desired.contains(r#"{"credentialProvider":"weather"}"#), "{desired}");

    let run = env.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    assert!(run.stdout.contains("credential provider weather"), "{}", run.show());
    let stats = env.stats();
    assert_eq!(stats.get("CreateApiKeyCredentialProvider"), Some(&1), "{stats:?}");
    assert_eq!(stats.get("CreateOauth2CredentialProvider"), Some(&1), "{stats:?}");

    // The targets were created with the providers' ARNs: the providers existed first.
    assert_eq!(live_provider_arns(&env, "tools", "weather-api"), [provider_arn("apikey", "weather")]);
    assert_eq!(live_provider_arns(&env, "tools", "repos"), [provider_arn("oauth2", "github")]);

    let run = env.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "the plan after apply is clean: {}", run.show());
    let run = env.acgw().args(["drift", "--format", "json"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    assert_eq!(json(&run)["credentialProviders"]["summary"]["inSync"], 2);
}

#[test]
fn a_renamed_provider_is_created_the_target_re_pointed_and_the_old_one_pruned_after() {
    let env = env();
    env.write(
        "gateways.yaml",
        &spec_of(&api_key_provider("weather", "1"), &api_key_target("weather-api", "{ credentialProvider: weather }")),
    );
    let run = env.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());

    env.write(
        "gateways.yaml",
        &spec_of(
            &api_key_provider("forecast", "1"),
            &api_key_target("weather-api", "{ credentialProvider: forecast }"),
        ),
    );
    let run = env.acgw().args(["plan", "--prune", "--format", "json"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    let plan = json(&run);
    let actions: Vec<(String, String)> = plan["credentialProviders"]["providers"]
        .as_array()
        .expect("providers")
        .iter()
        .map(|p| (p["name"].as_str().unwrap_or("").to_string(), p["action"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(actions, [("forecast".into(), "create".into()), ("weather".into(), "delete".into())]);
    assert_eq!(plan["gateways"][0]["targets"][0]["action"], "update", "the target is re-pointed");

    let run = env.acgw().args(["apply", "--prune", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    assert_eq!(live_provider_arns(&env, "tools", "weather-api"), [provider_arn("apikey", "forecast")]);
    let stats = env.stats();
    assert_eq!(stats.get("DeleteApiKeyCredentialProvider"), Some(&1), "{stats:?}");
    let run = env.acgw().args(["plan", "--prune", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "clean after the rename: {}", run.show());
}

#[test]
fn a_provider_a_live_target_still_names_is_not_pruned_and_the_plan_says_which_target() {
    let env = env();
    env.write(
        "providers.yaml",
        &format!("{OWNER}credentialProviders:\n{}gateways: []\n", api_key_provider("weather", "1")),
    );
    let run = env.acgw().args(["apply", "--auto-approve", "-f", "providers.yaml"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    // Another team's gateway names the provider by its ARN.
    env.write(
        "theirs.yaml",
        &format!(
            "owner: them\n{}",
            spec(&gw_targets("theirs", &api_key_target("uses-weather", &provider_arn("apikey", "weather"))))
        ),
    );
    let run = env.acgw().args(["apply", "--auto-approve", "-f", "theirs.yaml"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());

    env.write("providers.yaml", &format!("{OWNER}gateways: []\n"));
    let run = env.acgw().args(["apply", "--prune", "--auto-approve", "-f", "providers.yaml"]).run();
    assert_eq!(run.code, Some(1), "{}", run.show());
    assert!(run.show().contains("target uses-weather of gateway theirs"), "{}", run.show());
    // The report says so too: the provider was not applied, and the run did not succeed.
    let run = env.acgw().args(["apply", "--prune", "--auto-approve", "--format", "json", "-f", "providers.yaml"]).run();
    assert_eq!(run.code, Some(1), "{}", run.show());
    let doc = json(&run);
    assert_eq!(doc["succeeded"], false, "{doc}");
    let kept = &doc["credential_providers"][0];
    assert_eq!(
        (kept["name"].as_str(), kept["kind"].as_str(), kept["result"].as_str()),
        (Some("weather"), Some("apiKey"), Some("not-applied")),
        "{doc}"
    );
    assert!(kept["error"].as_str().unwrap_or_default().contains("target uses-weather of gateway theirs"), "{doc}");
    assert_eq!(env.stats().get("DeleteApiKeyCredentialProvider").copied().unwrap_or(0), 0, "never deleted while named");
}

#[test]
fn destroy_deletes_the_providers_after_the_gateways_that_named_them() {
    let env = env();
    let specs =
        spec_of(&api_key_provider("weather", "1"), &api_key_target("weather-api", "{ credentialProvider: weather }"));
    env.write("gateways.yaml", &specs);
    let run = env.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    let run = env.acgw().args(["destroy", "--auto-approve", "--format", "json"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    let doc = json(&run);
    assert_eq!(doc["credential_providers"][0]["action"], "delete");
    assert_eq!(doc["credential_providers"][0]["result"], "succeeded");
    assert_eq!(env.stats().get("DeleteApiKeyCredentialProvider"), Some(&1));
}

#[test]
fn a_bumped_secret_version_sends_the_secret_again_in_a_full_update() {
    let env = env();
    env.write("gateways.yaml", &spec_of(&api_key_provider("weather", "1"), ""));
    let run = env.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    env.write("gateways.yaml", &spec_of(&api_key_provider("weather", "2"), ""));
    let run = env.acgw().args(["plan", "--format", "json"]).run();
    let provider = &json(&run)["credentialProviders"]["providers"][0];
    assert_eq!(provider["action"], "update");
    assert_eq!(provider["sendsSecret"]["because"], "secretVersion");
    let run = env.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    assert_eq!(env.stats().get("UpdateApiKeyCredentialProvider"), Some(&1));
    let run = env.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
}

#[test]
fn a_saved_plan_reads_the_secret_again_and_refuses_when_it_is_unset() {
    let env = env();
    env.write("gateways.yaml", &spec_of(&api_key_provider("weather", "1"), ""));
    let run = env.acgw().args(["plan", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    let saved = std::fs::read_to_string(env.dir().join("plan.json")).expect("saved");
    assert!(!saved.contains(SECRET), "{saved}");
    assert!(saved.contains("${WEATHER_KEY}"), "{saved}");

    let run = Acgw::new(env.dir()).on(&env).args(["apply", "plan.json"]).env("WEATHER_KEY", "").run();
    assert_eq!(run.code, Some(1), "{}", run.show());
    assert!(run.stderr.contains("WEATHER_KEY"), "{}", run.show());
    assert_eq!(env.stats().get("CreateApiKeyCredentialProvider").copied().unwrap_or(0), 0, "nothing applied");

    let run = env.acgw().args(["apply", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    assert_eq!(env.stats().get("CreateApiKeyCredentialProvider"), Some(&1));
}

#[test]
fn a_secret_passed_by_value_never_appears_in_any_output_of_any_command() {
    let env = env();
    let targets = api_key_target("weather-api", "{ credentialProvider: weather }");
    env.write("gateways.yaml", &spec_of(&api_key_provider("weather", "1"), &targets));
    let mut seen = Vec::new();
    let mut run = |args: &[&str]| {
        let acgw = if args[0] == "validate" { Acgw::new(env.dir()).env("WEATHER_KEY", SECRET) } else { env.acgw() };
        let run = acgw.args(["-vv"]).args(args).run();
        seen.push((args.join(" "), run.stdout.clone() + &run.stderr));
        run
    };
    run(&["validate"]);
    run(&["validate", "--format", "json"]);
    for format in ["text", "markdown", "json"] {
        run(&["plan", "--format", format]);
    }
    run(&["plan", "--out", "plan.json"]);
    let applied = run(&["apply", "--auto-approve", "--format", "json"]);
    assert_eq!(applied.code, Some(0), "{}", applied.show());
    env.write("gateways.yaml", &spec_of(&api_key_provider("weather", "2"), &targets));
    for format in ["text", "markdown", "json"] {
        run(&["plan", "--format", format]);
        run(&["drift", "--format", format]);
    }
    run(&["apply", "--auto-approve"]);
    run(&["export", "-o", "exported.yaml"]);
    run(&["destroy", "--auto-approve"]);
    for file in ["plan.json", "exported.yaml"] {
        let text = std::fs::read_to_string(env.dir().join(file)).unwrap_or_default();
        seen.push((file.to_string(), text));
    }
    for (what, text) in &seen {
        assert!(!text.contains(SECRET), "`{what}` shows the secret:\n{text}");
    }
}

#[test]
fn drift_reports_an_owned_provider_no_spec_declares_as_orphaned_and_plan_keeps_it_without_prune() {
    let env = env();
    env.write("gateways.yaml", &spec_of(&(api_key_provider("weather", "1") + GITHUB), ""));
    let run = env.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    env.write("gateways.yaml", &spec_of(GITHUB, ""));
    let run = env.acgw().args(["drift", "--format", "json"]).run();
    assert_eq!(run.code, Some(2), "{}", run.show());
    let providers = json(&run)["credentialProviders"]["providers"].clone();
    let weather = providers.as_array().into_iter().flatten().find(|p| p["name"] == "weather").cloned();
    assert_eq!(weather.map(|p| p["state"].clone()), Some(serde_json::json!("orphaned")), "{providers}");
    let run = env.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    assert_eq!(env.stats().get("DeleteApiKeyCredentialProvider").copied().unwrap_or(0), 0, "kept without --prune");
}

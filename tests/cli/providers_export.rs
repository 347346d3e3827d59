//! `acgw export` of credential providers (issue 26): every live provider, made directly through
//! the API as another tool would, is written to `credential-providers.yaml` beside the gateways,
//! secrets the service keeps as `${ACGW_…}` placeholders and never their value.

use super::*;
use acgw::model::credential_provider::CredentialProviderSpec;
use acgw::model::decode::{Cx, Decode, Node};
use aws_sdk_bedrockagentcorecontrol::types::{
    CredentialProviderVendorType, GithubOauth2ProviderConfigInput, Oauth2ProviderConfigInput, SecretReference,
    SecretSourceType, SlackOauth2ProviderConfigInput,
};

/// A secret value distinctive enough that finding it anywhere is a leak.
const PLANTED: &str = "planted-Secret-4b7e19c2";
const GH_SECRET: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:github-oauth";
const VAULT: &str = "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default";

impl Env {
    /// Creates the four providers of these tests through the SDK: an OAuth2 and an API-key one
    /// with a secret the service keeps (`slack`, `weather`) and one of each by reference
    /// (`github`, `maps`), with tags as acgw and people would set them (the emulator refuses `aws:`
    /// keys, as the service does: their dropping is a unit test of export::providers).
    fn providers(&self) {
        let client = self.client();
        self.rt.block_on(async {
            let github = GithubOauth2ProviderConfigInput::builder()
                .client_id("Iv1.0123456789abcdef")
                .client_secret("")
                .client_secret_source(SecretSourceType::External)
                .client_secret_config(
                    SecretReference::builder().secret_id(GH_SECRET).json_key("client_secret").build().expect("ref"),
                )
                .build()
                .expect("github");
            client
                .create_oauth2_credential_provider()
                .name("github")
                .credential_provider_vendor(CredentialProviderVendorType::GithubOauth2)
                .oauth2_provider_config_input(Oauth2ProviderConfigInput::GithubOauth2ProviderConfig(github))
                .tags("team", "tools")
                .send()
                .await
                .expect("github");
            let slack =
                SlackOauth2ProviderConfigInput::builder().client_id("slack-client").client_secret(PLANTED).build();
            client
                .create_oauth2_credential_provider()
                .name("slack")
                .credential_provider_vendor(CredentialProviderVendorType::SlackOauth2)
                .oauth2_provider_config_input(Oauth2ProviderConfigInput::SlackOauth2ProviderConfig(
                    slack.expect("slack"),
                ))
                .tags("acgw:prevent-destroy", "true")
                .tags("acgw:owner", "ci")
                .send()
                .await
                .expect("slack");
            client
                .create_api_key_credential_provider()
                .name("weather")
                .api_key(PLANTED)
                .tags("acgw:secret-version", "2")
                .send()
                .await
                .expect("weather");
            client
                .create_api_key_credential_provider()
                .name("maps")
                .api_key_secret_source(SecretSourceType::External)
                .api_key_secret_config(
                    SecretReference::builder().secret_id("maps-key").json_key("api_key").build().expect("ref"),
                )
                .send()
                .await
                .expect("maps");
        });
    }
}

/// Every file under `dir`, with its text.
fn files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push((path.clone(), std::fs::read_to_string(&path).unwrap_or_default()));
        }
    }
    out
}

/// The items of an exported providers file, each checked by the spec's own decoder with
/// `${VAR}`s set (what `acgw validate` does with each item, after taking acgw's own `lifecycle`
/// off the member).
fn decoded_items(yaml: &str) -> Vec<serde_json::Value> {
    let doc: serde_json::Value = serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("{e}: {yaml}"));
    let items = doc["credentialProviders"].as_array().cloned().unwrap_or_default();
    for item in &items {
        let mut problems = Vec::new();
        let env = |_: &str| Some("value-from-the-environment".to_string());
        let mut item = item.clone();
        for member in item.as_object_mut().unwrap().values_mut() {
            let lifecycle = member.as_object_mut().unwrap().remove("lifecycle");
            assert!(lifecycle.is_none_or(|l| l == serde_json::json!({"preventDestroy": true})), "{member}");
        }
        let spec = CredentialProviderSpec::decode(
            &Node::from_json(&item),
            &mut Cx::new("credential-providers.yaml", &mut problems).with_env(&env),
        );
        assert!(spec.is_some() && problems.is_empty(), "{problems:?}: {item}");
    }
    items
}

#[test]
fn export_writes_every_credential_provider_beside_the_gateways_with_kept_secrets_as_placeholders() {
    let emu = Env::new();
    emu.providers();
    let run = emu.acgw().args(["export", "-o", "export/gateways.yaml"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    let yaml = std::fs::read_to_string(emu.dir().join("export/credential-providers.yaml")).unwrap();
    support::check_yaml_reads_the_same(&yaml);
    let doc: serde_json::Value = serde_yaml::from_str(&yaml).unwrap_or_else(|e| panic!("{e}: {yaml}"));
    assert_eq!(
        doc["credentialProviders"],
        serde_json::json!([
            {"oauth2": {
                "name": "github",
                "credentialProviderVendor": "GithubOauth2",
                "oauth2ProviderConfigInput": {"githubOauth2ProviderConfig": {
                    "clientId": "Iv1.0123456789abcdef",
                    "clientSecretConfig": {"secretId": GH_SECRET, "jsonKey": "client_secret"},
                    "clientSecretSource": "EXTERNAL"}},
                "tags": {"team": "tools"}}},
            {"apiKey": {
                "name": "maps",
                "apiKeySecretConfig": {"secretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:maps-key", "jsonKey": "api_key"},
                "apiKeySecretSource": "EXTERNAL"}},
            {"oauth2": {
                "name": "slack",
                "credentialProviderVendor": "SlackOauth2",
                "oauth2ProviderConfigInput": {"slackOauth2ProviderConfig": {
                    "clientId": "slack-client", "clientSecret": "${ACGW_SLACK__CLIENT_SECRET}"}},
                "lifecycle": {"preventDestroy": true}}},
            {"apiKey": {"name": "weather", "apiKey": "${ACGW_WEATHER__API_KEY}", "secretVersion": "2"}},
        ])
    );
    // The service's own secrets are never named, and no secret is anywhere.
    for (path, text) in files(&emu.dir().join("export")) {
        assert!(!text.contains(PLANTED) && !text.contains("secret:bedrock"), "{}: {text}", path.display());
    }
    assert!(!run.stdout.contains(PLANTED) && !run.stderr.contains(PLANTED), "{}", run.show());
    for var in ["ACGW_SLACK__CLIENT_SECRET", "ACGW_WEATHER__API_KEY"] {
        assert!(run.stderr.contains(&format!("set {var} before loading")), "{var} is named: {}", run.show());
    }
    assert!(run.stderr.contains("acgw:owner (ci (1))"), "the owner left out is named: {}", run.show());
    assert!(
        run.stderr.contains("Exported 4 credential provider(s) to export/credential-providers.yaml"),
        "{}",
        run.show()
    );

    // The folder validates as it is once the placeholders are set (and names them until then),
    // and plans no change: no secretVersion or tag was invented.
    let run = Acgw::new(emu.dir()).args(["validate", "-f", "export"]).run();
    assert_eq!(run.code, Some(1), "{}", run.show());
    assert!(run.stderr.contains("ACGW_SLACK__CLIENT_SECRET"), "{}", run.show());
    let with_vars = |a: Acgw| {
        a.env("ACGW_SLACK__CLIENT_SECRET", "from-the-vault").env("ACGW_WEATHER__API_KEY", "from-the-vault").run()
    };
    let run = with_vars(Acgw::new(emu.dir()).args(["validate", "-f", "export"]));
    assert_eq!(run.code, Some(0), "the export validates with no edits: {}", run.show());
    let run = with_vars(emu.acgw().args(["plan", "--detailed-exitcode", "-f", "export"]));
    assert_eq!(run.code, Some(0), "export then plan is clean: {}", run.show());
    assert!(!run.stdout.contains("from-the-vault") && !run.stderr.contains("from-the-vault"), "{}", run.show());

    // A target that names a provider by its literal ARN, as the console writes it.
    let targets = format!(
        "      - name: chat
        targetConfiguration: {{ mcp: {{ mcpServer: {{ endpoint: https://mcp.example.com/mcp }} }} }}
        credentialProviderConfigurations:
          - credentialProviderType: OAUTH
            credentialProvider:
              oauthCredentialProvider:
                providerArn: {VAULT}/oauth2credentialprovider/slack
                scopes: [chat:write]
"
    );
    emu.write("gateways.yaml", &spec(&gw_targets("tools", &targets)));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());

    // Written again only with --force: the file is this export's, but a later run's is not; and
    // without it the targets keep their ARNs.
    let run = emu.acgw().args(["export", "-o", "export/gateways.yaml"]).run();
    assert_eq!(run.code, Some(1), "{}", run.show());
    assert!(
        run.stderr.contains("the credential providers were not exported")
            && run.stderr.contains("credential-providers.yaml: refused")
            && run.stderr.contains("--force"),
        "{}",
        run.show()
    );
    let refused = std::fs::read_to_string(emu.dir().join("export/gateways.yaml")).unwrap();
    assert!(refused.contains(&format!("providerArn: {VAULT}/oauth2credentialprovider/slack")), "{refused}");
    let run = emu.acgw().args(["export", "-o", "export/gateways.yaml", "--force"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    assert_eq!(std::fs::read_to_string(emu.dir().join("export/credential-providers.yaml")).unwrap(), yaml);
    // The target names the exported provider by name, and the folder still validates.
    let gateways = std::fs::read_to_string(emu.dir().join("export/gateways.yaml")).unwrap();
    let gw: serde_json::Value = serde_yaml::from_str(&gateways).unwrap();
    assert_eq!(
        gw["gateways"][0]["targets"][0]["credentialProviderConfigurations"][0]["credentialProvider"]
            ["oauthCredentialProvider"]["providerArn"],
        serde_json::json!({"credentialProvider": "slack"}),
        "{gateways}"
    );
    let run = with_vars(Acgw::new(emu.dir()).args(["validate", "-f", "export"]));
    assert_eq!(run.code, Some(0), "{}", run.show());
    let run = with_vars(emu.acgw().args(["plan", "--detailed-exitcode", "-f", "export"]));
    assert_eq!(run.code, Some(0), "the reference plans as the ARN it names: {}", run.show());
}

#[test]
fn without_a_file_the_providers_follow_the_gateways_in_one_document_and_never_with_chosen_gateways() {
    let emu = Env::new();
    emu.providers();
    emu.create(serde_json::json!({"name": "tools", "roleArn": ROLE, "authorizerType": "AWS_IAM"}), &[]);
    let run = emu.acgw().args(["export"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    let doc: serde_json::Value = serde_yaml::from_str(&run.stdout).unwrap();
    assert_eq!(doc["gateways"][0]["name"], "tools");
    let names: Vec<&str> = doc["credentialProviders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_object().unwrap().values().next().unwrap()["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["github", "maps", "slack", "weather"]);
    assert!(!run.stdout.contains(PLANTED) && !run.stderr.contains(PLANTED));

    let before = emu.stats().get("ListOauth2CredentialProviders").copied().unwrap_or(0);
    let run = emu.acgw().args(["export", "--name", "tools"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    assert!(!run.stdout.contains("credentialProviders"), "{}", run.stdout);
    assert_eq!(emu.stats().get("ListOauth2CredentialProviders").copied().unwrap_or(0), before, "not even listed");
}

#[test]
fn the_providers_file_is_confined_and_a_shared_name_is_left_out() {
    let emu = Env::new();
    emu.providers();
    // The two kinds' names are apart in the service, not in a spec.
    emu.rt.block_on(async {
        let client = emu.client();
        client.create_api_key_credential_provider().name("slack").api_key(PLANTED).send().await.expect("created");
    });

    // -o cannot be the providers' own file, and nothing is called to find that out.
    let calls = emu.calls();
    let run = emu.acgw().args(["export", "-o", "credential-providers.yaml"]).run();
    assert_eq!(run.code, Some(1), "{}", run.show());
    assert!(run.stderr.contains("name the -o file otherwise"), "{}", run.show());
    assert_eq!(emu.calls(), calls);

    // A symbolic link in its place is never followed or replaced, even with --force.
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(emu.dir().join("out")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("victim"), emu.dir().join("out/credential-providers.yaml")).unwrap();
    let run = emu.acgw().args(["export", "-o", "out/gateways.yaml", "--force"]).run();
    assert_eq!(run.code, Some(1), "{}", run.show());
    assert!(run.stderr.contains("is a symbolic link"), "{}", run.show());
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0, "nothing written outside");
    assert!(emu.dir().join("out/gateways.yaml").exists(), "the gateways are still exported");

    let run = emu.acgw().args(["export", "-o", "export/gateways.yaml"]).run();
    assert_eq!(run.code, Some(1), "{}", run.show());
    assert!(run.stderr.contains("credential provider slack: 2 live providers have this name"), "{}", run.show());
    let yaml = std::fs::read_to_string(emu.dir().join("export/credential-providers.yaml")).unwrap();
    let names: Vec<String> = decoded_items(&yaml)
        .iter()
        .map(|i| i.as_object().unwrap().values().next().unwrap()["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["github", "maps", "weather"], "the others are exported");
    assert!(!run.stderr.contains(PLANTED) && !yaml.contains(PLANTED));
}

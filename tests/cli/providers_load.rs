//! `credentialProviders:` and references by name as `acgw validate` reads them (issue 26): good
//! specs pass, and every mistake is one error with its file, line and column, exit 1, before any
//! call. The spec schema (`acgw schema`) describes the same key.

use super::*;
use crate::support::Run;

const PROVIDERS: &str = "credentialProviders:
  - oauth2:
      name: github
      credentialProviderVendor: GithubOauth2
      oauth2ProviderConfigInput:
        githubOauth2ProviderConfig:
          clientId: Iv1.0123456789abcdef
          clientSecretSource: EXTERNAL
          clientSecretConfig: { secretId: gh-oauth, jsonKey: client_secret }
      lifecycle: { preventDestroy: true }
  - apiKey:
      name: weather
      apiKey: ${WEATHER_API_KEY}
      secretVersion: '2'
";

/// A gateway with an OAuth target naming `oauth` and an API-key target naming `key`.
fn gateways(oauth: &str, key: &str) -> String {
    format!(
        "gateways:
  - name: tools
    roleArn: arn:aws:iam::123456789012:role/tools
    authorizerType: AWS_IAM
    targets:
      - name: repos
        targetConfiguration: {{ mcp: {{ mcpServer: {{ endpoint: https://mcp.example.com/mcp }} }} }}
        credentialProviderConfigurations:
          - credentialProviderType: OAUTH
            credentialProvider:
              oauthCredentialProvider: {{ providerArn: {oauth}, scopes: [repo] }}
      - name: forecast
        targetConfiguration: {{ mcp: {{ mcpServer: {{ endpoint: https://weather.example.com/mcp }} }} }}
        credentialProviderConfigurations:
          - credentialProviderType: API_KEY
            credentialProvider:
              apiKeyCredentialProvider: {{ providerArn: {key}, credentialLocation: HEADER }}
"
    )
}

const REFS: (&str, &str) = ("{ credentialProvider: github }", "{ credentialProvider: weather }");

/// `acgw validate` of the files `files` (written in a fresh directory), with the API key set.
fn validate(files: &[(&str, &str)]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let mut acgw = Acgw::new(dir.path()).args(["validate"]).env("WEATHER_API_KEY", "not-a-real-key-4711");
    for (name, text) in files {
        write(dir.path(), name, text);
        acgw = acgw.args(["-f", name]);
    }
    acgw.run()
}

/// The run failed with exactly the errors `expected` (each a line's start and a part of it).
fn fails_with(run: &Run, expected: &[(&str, &str)]) {
    assert_eq!(run.code, Some(1), "{}", run.show());
    let errors: Vec<&str> = run.stderr.lines().filter(|l| l.contains(": error")).collect();
    assert_eq!(errors.len(), expected.len(), "{}", run.show());
    for (line, (start, part)) in errors.iter().zip(expected) {
        assert!(line.starts_with(start), "expected a line starting with {start:?}:\n{}", run.show());
        assert!(line.contains(part), "expected {part:?} in {line:?}");
    }
    assert!(!run.stderr.contains("not-a-real-key-4711"), "a secret was printed: {}", run.show());
}

#[test]
fn providers_of_both_kinds_and_references_by_name_validate() {
    let run = validate(&[("specs.yaml", &format!("{PROVIDERS}{}", gateways(REFS.0, REFS.1)))]);
    assert_eq!(run.code, Some(0), "{}", run.show());
    // A file of providers only, its providers named from another file.
    let run = validate(&[("providers.yaml", PROVIDERS), ("gateways.yaml", &gateways(REFS.0, REFS.1))]);
    assert_eq!(run.code, Some(0), "{}", run.show());
    let run = validate(&[("providers.yaml", PROVIDERS)]);
    assert_eq!(run.code, Some(0), "{}", run.show());
    // Literal ARNs still work beside them.
    let arn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/x";
    let run = validate(&[("specs.yaml", &format!("{PROVIDERS}{}", gateways(REFS.0, arn)))]);
    assert_eq!(run.code, Some(0), "{}", run.show());
}

#[test]
fn a_name_declared_twice_is_an_error_across_kinds_and_across_files() {
    let twice = format!("{PROVIDERS}  - apiKey: {{ name: github, apiKey: '${{WEATHER_API_KEY}}' }}\n");
    fails_with(
        &validate(&[("specs.yaml", &twice)]),
        &[(
            "specs.yaml:15:21: error: apiKey.name: ",
            "credential provider `github` is declared twice: here and at specs.yaml:3:13",
        )],
    );
    let other =
        "credentialProviders:\n  - oauth2:\n      name: weather\n      credentialProviderVendor: SlackOauth2\n      \
                 oauth2ProviderConfigInput: { slackOauth2ProviderConfig: { clientId: c, clientSecretSource: EXTERNAL, \
                 clientSecretConfig: { secretId: s, jsonKey: k } } }\n";
    fails_with(
        &validate(&[("a.yaml", PROVIDERS), ("b.yaml", other)]),
        &[(
            "b.yaml:3:13: error: oauth2.name: ",
            "credential provider `weather` is declared twice: here and at a.yaml:12:13",
        )],
    );
}

#[test]
fn a_reference_to_an_undeclared_provider_is_an_error_at_the_name() {
    let run =
        validate(&[("specs.yaml", &format!("{PROVIDERS}{}", gateways(REFS.0, "{ credentialProvider: wether }")))]);
    fails_with(
        &run,
        &[(
            "specs.yaml:31:78: error: gateway `tools`: targets[1].credentialProviderConfigurations[0].credentialProvider.apiKeyCredentialProvider.providerArn: ",
            "credential provider `wether` is not declared: no spec loaded has it in `credentialProviders:`",
        )],
    );
    // Providers in a file that is not loaded are not declared.
    let run = validate(&[("gateways.yaml", &gateways(REFS.0, REFS.1))]);
    fails_with(
        &run,
        &[
            (
                "gateways.yaml:11:77: error: gateway `tools`: targets[0].",
                "credential provider `github` is not declared",
            ),
            (
                "gateways.yaml:17:78: error: gateway `tools`: targets[1].",
                "credential provider `weather` is not declared",
            ),
        ],
    );
}

#[test]
fn a_reference_to_a_provider_of_the_other_kind_says_so() {
    let run = validate(&[("specs.yaml", &format!("{PROVIDERS}{}", gateways(REFS.1, REFS.0)))]);
    fails_with(
        &run,
        &[
            (
                "specs.yaml:25:77: error: gateway `tools`: targets[0].credentialProviderConfigurations[0].credentialProvider.oauthCredentialProvider.providerArn: ",
                "this member needs an OAuth2 (`oauth2:`) provider, but credential provider `weather` is an API-key (`apiKey:`) provider (declared at specs.yaml:12:13)",
            ),
            (
                "specs.yaml:31:78: error: gateway `tools`: targets[1].credentialProviderConfigurations[0].credentialProvider.apiKeyCredentialProvider.providerArn: ",
                "this member needs an API-key (`apiKey:`) provider, but credential provider `github` is an OAuth2 (`oauth2:`) provider",
            ),
        ],
    );
}

#[test]
fn a_literal_secret_is_refused_without_being_shown() {
    let literal = PROVIDERS.replace("${WEATHER_API_KEY}", "not-a-real-key-4711");
    fails_with(
        &validate(&[("specs.yaml", &literal)]),
        &[(
            "specs.yaml:13:15: error: apiKey.apiKey: ",
            "credential provider `weather`: a secret cannot be written in a spec (not shown)",
        )],
    );
}

#[test]
fn reserved_tag_keys_are_refused() {
    let tagged = PROVIDERS.replace(
        "      secretVersion: '2'\n",
        "      secretVersion: '2'\n      tags: { 'acgw:secret-version': '3' }\n",
    );
    fails_with(
        &validate(&[("specs.yaml", &tagged)]),
        &[(
            "specs.yaml:15:15: error: apiKey.tags.acgw:secret-version: ",
            "credential provider `weather`: tag keys starting with `acgw:` are acgw's own: set `owner`, `lifecycle.preventDestroy` or `secretVersion` instead",
        )],
    );
}

#[test]
fn a_malformed_reference_is_refused_where_it_is() {
    let run = validate(&[(
        "specs.yaml",
        &format!("{PROVIDERS}{}", gateways(REFS.0, "{ credentialProvider: weather, name: x }")),
    )]);
    fails_with(&run, &[("specs.yaml:31:87: error: gateway `tools`: targets[1].credentialProviderConfigurations[0].credentialProvider.apiKeyCredentialProvider.providerArn.name: ", "unknown key `name`; expected one of: credentialProvider")]);
}

#[test]
fn the_spec_schema_has_credential_providers_and_references_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let run = Acgw::new(dir.path()).args(["schema"]).run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    let schema: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert!(schema["properties"]["credentialProviders"].is_object(), "{}", schema["properties"]);
    let validator = jsonschema::draft202012::new(&schema).expect("compiles");
    let docs = |text: &str| -> Vec<serde_json::Value> {
        serde_yaml::Deserializer::from_str(text)
            .map(|d| serde_json::to_value(<serde_yaml::Value as serde::Deserialize>::deserialize(d).unwrap()).unwrap())
            .collect()
    };
    for text in [PROVIDERS.to_string(), format!("{PROVIDERS}{}", gateways(REFS.0, REFS.1)), gateways(REFS.0, REFS.1)] {
        for doc in docs(&text) {
            let errors: Vec<String> =
                validator.iter_errors(&doc).map(|e| format!("{}: {e}", e.instance_path())).collect();
            assert!(errors.is_empty(), "{text}\n{}", errors.join("\n"));
        }
    }
    // What validate refuses, the schema refuses too.
    for bad in [
        gateways("{ credentialProvider: github, name: x }", REFS.1),
        gateways("{}", REFS.1),
        PROVIDERS.replace("lifecycle: { preventDestroy: true }", "lifecycle: { preventDestroy: maybe }"),
        "owner: team\n".to_string(),
    ] {
        for doc in docs(&bad) {
            assert!(!validator.is_valid(&doc), "{bad}");
        }
    }
}

#[test]
fn an_unset_secret_variable_is_an_error_that_offers_no_default() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "specs.yaml", PROVIDERS);
    let run = Acgw::new(dir.path()).args(["validate", "-f", "specs.yaml"]).run();
    fails_with(
        &run,
        &[(
            "specs.yaml:13:15: error: apiKey.apiKey: ",
            "credential provider `weather`: environment variable `WEATHER_API_KEY` is not set (a secret passed by value has no default)",
        )],
    );
}

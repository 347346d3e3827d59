use super::*;
use crate::problem::Problem;

fn env(name: &str) -> Option<String> {
    match name {
        "GH_SECRET" => Some("s3cr3t-value".into()),
        "EMPTY" => Some(String::new()),
        _ => None,
    }
}

/// Decodes one `credentialProviders:` item from YAML, as a spec would.
fn decode(yaml: &str) -> (Option<CredentialProviderSpec>, Vec<Problem>) {
    let node =
        crate::load::yaml::parse_documents(yaml).expect("yaml").into_iter().next().flatten().expect("a document");
    let mut problems = Vec::new();
    let out = {
        let mut cx = Cx::new("spec.yaml", &mut problems).with_env(&env);
        CredentialProviderSpec::decode(&node, &mut cx)
    };
    (out, problems)
}

fn messages(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(|p| format!("{}:{}:{} {}: {}", p.file, p.mark.line, p.mark.column, p.path, p.message)).collect()
}

#[test]
fn an_oauth2_provider_by_reference_decodes() {
    let (p, problems) = decode(
        "oauth2:
  name: github
  credentialProviderVendor: GithubOauth2
  oauth2ProviderConfigInput:
    githubOauth2ProviderConfig:
      clientId: Iv1.0123456789abcdef
      clientSecretSource: EXTERNAL
      clientSecretConfig: { secretId: arn:aws:secretsmanager:us-east-1:123456789012:secret:gh, jsonKey: client_secret }
  tags: { team: tools }
",
    );
    assert!(problems.is_empty(), "{:?}", messages(&problems));
    let Some(CredentialProviderSpec::Oauth2(p)) = p else { panic!("{p:?}") };
    assert_eq!(p.name.as_str(), "github");
    let Oauth2ProviderConfigInput::GithubOauth2ProviderConfig(c) = &p.oauth2_provider_config_input else {
        panic!("{p:?}")
    };
    assert_eq!(c.client_secret_config.as_ref().map(|r| r.json_key.as_str()), Some("client_secret"));
    assert_eq!(c.client_secret_source, Some(SecretSource::External));
}

#[test]
fn a_secret_by_value_is_read_from_the_environment_and_never_shown() {
    let (p, problems) = decode(
        "apiKey:
  name: weather
  apiKey: ${GH_SECRET}
  secretVersion: '2'
",
    );
    assert!(problems.is_empty(), "{:?}", messages(&problems));
    let Some(CredentialProviderSpec::ApiKey(p)) = p else { panic!("{p:?}") };
    let key = p.api_key.as_ref().expect("apiKey");
    assert_eq!(key.expose(), "s3cr3t-value");
    assert_eq!(key.reference(), Some("${GH_SECRET}"));
    let shown = format!("{p:?} {}", serde_json::to_string(&p).expect("json"));
    assert!(!shown.contains("s3cr3t"), "{shown}");
    assert!(shown.contains("${GH_SECRET}"), "{shown}");
}

#[test]
fn a_literal_secret_is_refused_by_place_without_quoting_it() {
    let (p, problems) = decode(
        "oauth2:
  name: google
  credentialProviderVendor: GoogleOauth2
  oauth2ProviderConfigInput:
    googleOauth2ProviderConfig:
      clientId: abc
      clientSecret: hunter2-literal
",
    );
    assert!(p.is_none());
    let m = messages(&problems);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
            m[0].starts_with("spec.yaml:7:21 oauth2.oauth2ProviderConfigInput.googleOauth2ProviderConfig.clientSecret: a secret cannot be written in a spec"),
            "{m:?}"
        );
    assert!(m[0].contains("${VAR}") && !m[0].contains("hunter2"), "{m:?}");
    // Text around a reference, or a default, is a literal too.
    for bad in ["x${GH_SECRET}", "${NOPE:-fallback}"] {
        let (p, problems) = decode(&format!("apiKey: {{ name: k, apiKey: '{bad}' }}\n"));
        assert!(p.is_none() && problems.len() == 1, "{bad}: {:?}", messages(&problems));
        assert!(!problems[0].message.contains("fallback"), "{:?}", messages(&problems));
    }
}

#[test]
fn an_unset_or_empty_variable_is_named() {
    let (_, problems) = decode("apiKey: { name: k, apiKey: '${NOPE}' }\n");
    assert_eq!(
        messages(&problems),
        ["spec.yaml:1:28 apiKey.apiKey: environment variable `NOPE` is not set (a secret passed by value has no default)"]
    );
    let (_, problems) = decode("apiKey: { name: k, apiKey: '${EMPTY}' }\n");
    assert_eq!(
        messages(&problems),
        ["spec.yaml:1:28 apiKey.apiKey: `apiKey` expanded to an empty value: the variable it names is empty"]
    );
}

#[test]
fn the_two_secret_modes_are_checked_across_members() {
    let cases = [
            (
                "apiKey: { name: k, apiKey: '${GH_SECRET}', apiKeySecretConfig: { secretId: s, jsonKey: k } }",
                "1:28 apiKey.apiKey: set either `apiKey` (a `${VAR}`) or `apiKeySecretConfig` (a Secrets Manager reference), not both",
            ),
            (
                "apiKey: { name: k, apiKeySecretConfig: { secretId: s, jsonKey: k } }",
                "1:40 apiKey.apiKeySecretConfig: `apiKeySecretConfig` is a reference: it needs `apiKeySecretSource: EXTERNAL`",
            ),
            (
                "apiKey: { name: k, apiKeySecretSource: EXTERNAL }",
                "1:40 apiKey.apiKeySecretSource: `apiKeySecretSource: EXTERNAL` needs `apiKeySecretConfig: { secretId, jsonKey }`",
            ),
            ("apiKey: { name: k }", "1:9 apiKey: a secret is required"),
            (
                "apiKey: { name: k, apiKeySecretSource: EXTERNAL, apiKeySecretConfig: { secretId: s, jsonKey: k }, secretVersion: '1' }",
                "1:114 apiKey.secretVersion: `secretVersion` rotates a secret passed by value",
            ),
        ];
    for (yaml, want) in cases {
        let (p, problems) = decode(&format!("{yaml}\n"));
        let m = messages(&problems);
        assert!(p.is_none() && m.len() == 1 && m[0].starts_with(&format!("spec.yaml:{want}")), "{yaml}\n{m:#?}");
    }
}

#[test]
fn the_vendor_must_match_the_config_member() {
    let (p, problems) = decode(
        "oauth2:
  name: x
  credentialProviderVendor: OktaOauth2
  oauth2ProviderConfigInput:
    githubOauth2ProviderConfig: { clientId: a, clientSecret: '${GH_SECRET}' }
",
    );
    assert!(p.is_none());
    assert_eq!(
            messages(&problems),
            ["spec.yaml:3:29 oauth2.credentialProviderVendor: vendor OktaOauth2 takes `oauth2ProviderConfigInput.includedOauth2ProviderConfig`, found `githubOauth2ProviderConfig`"]
        );
}

#[test]
fn model_constraints_apply_by_place() {
    let (_, problems) = decode(
        "oauth2:
  name: 'bad name'
  credentialProviderVendor: CustomOauth2
  oauth2ProviderConfigInput:
    customOauth2ProviderConfig:
      oauthDiscovery: { discoveryUrl: https://idp.example.com/no-well-known }
      clientAuthenticationMethod: PRIVATE_KEY_JWT
      privateKeyJwtConfig: { privateKeySource: { kmsKeySource: { kmsKeyArn: not-a-key } }, signingAlgorithm: RS512 }
",
    );
    let m = messages(&problems);
    assert_eq!(m.len(), 4, "{m:#?}");
    assert!(m[0].starts_with("spec.yaml:2:9 oauth2.name: expected a value matching"), "{m:#?}");
    assert!(m[1].starts_with("spec.yaml:6:39 oauth2.oauth2ProviderConfigInput.customOauth2ProviderConfig.oauthDiscovery.discoveryUrl: expected a value matching"), "{m:#?}");
    assert!(
        m[2].contains("privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn: expected a value matching"),
        "{m:#?}"
    );
    assert!(
        m[3].contains("privateKeyJwtConfig.signingAlgorithm: expected one of RS256, PS256, ES256, found \"RS512\""),
        "{m:#?}"
    );
}

#[test]
fn a_custom_provider_signing_a_jwt_needs_no_secret() {
    let (p, problems) = decode(
            "oauth2:
  name: jwt
  credentialProviderVendor: CustomOauth2
  oauth2ProviderConfigInput:
    customOauth2ProviderConfig:
      oauthDiscovery:
        authorizationServerMetadata: { issuer: https://i, authorizationEndpoint: https://i/a, tokenEndpoint: https://i/t }
      clientAuthenticationMethod: AWS_IAM_ID_TOKEN_JWT
",
        );
    assert!(problems.is_empty(), "{:?}", messages(&problems));
    assert!(matches!(p, Some(CredentialProviderSpec::Oauth2(_))));
}

#[test]
fn a_request_carries_the_secret_literally() {
    // The emulator decodes requests without an environment: the value is the secret itself.
    let body = serde_json::json!({ "apiKey": { "name": "k", "apiKey": "literal-from-sdk" } });
    let node = Node::from_json(&body);
    let mut problems = Vec::new();
    let p = CredentialProviderSpec::decode(&node, &mut Cx::new("request", &mut problems));
    assert!(problems.is_empty());
    let Some(CredentialProviderSpec::ApiKey(p)) = p else { panic!() };
    assert_eq!(p.api_key.as_ref().map(|k| k.expose()), Some("literal-from-sdk"));
    assert_eq!(serde_json::to_value(&p).expect("json")["apiKey"], SECRET_PLACEHOLDER);
}

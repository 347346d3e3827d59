use super::*;
use crate::model::schema::Defs;
use crate::problem::Problem;

const ARN: &str = "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/docs";
const KEY_ARN: &str =
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/orders";

fn node(yaml: &str) -> Node {
    crate::load::yaml::parse_documents(yaml).expect("yaml").into_iter().next().flatten().expect("a document")
}

fn decode_with<T: Decode>(yaml: &str, wire: bool) -> (Option<T>, Vec<Problem>) {
    let n = node(yaml);
    let mut problems = Vec::new();
    let out = {
        let cx = Cx::new("spec.yaml", &mut problems);
        let mut cx = if wire { cx.on_the_wire() } else { cx };
        T::decode(&n, &mut cx)
    };
    (out, problems)
}

fn messages(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(|p| format!("{}:{} {}: {}", p.mark.line, p.mark.column, p.path, p.message)).collect()
}

/// A target with an OAuth provider given by `oauth`.
fn oauth_target(oauth: &str) -> Target {
    let yaml = format!(
        "name: docs
targetConfiguration: {{ mcp: {{ mcpServer: {{ endpoint: https://mcp.example.com/mcp }} }} }}
credentialProviderConfigurations:
  - credentialProviderType: OAUTH
    credentialProvider:
      oauthCredentialProvider:
        providerArn: {oauth}
        scopes: [docs.read]
"
    );
    let (t, problems) = decode_with::<Target>(&yaml, false);
    assert!(problems.is_empty(), "{:?}", messages(&problems));
    t.expect("decodes")
}

/// A target with an OAuth provider given by `oauth` and an API-key one given by `key` (in two
/// configurations, which the model's list of one does not allow: built by hand).
fn target(oauth: &str, key: &str) -> Target {
    let mut t = oauth_target(oauth);
    let yaml = format!(
        "credentialProviderType: API_KEY\ncredentialProvider: {{ apiKeyCredentialProvider: {{ providerArn: {key} }} }}\n"
    );
    let (second, problems) = decode_with::<crate::model::target::CredentialProviderConfiguration>(&yaml, false);
    assert!(problems.is_empty(), "{:?}", messages(&problems));
    let mut configs = t.credential_provider_configurations.take().expect("one").into_vec();
    configs.push(second.expect("decodes"));
    t.credential_provider_configurations = Some(crate::model::Bounded::from_service(configs));
    t
}

#[test]
fn an_arn_or_a_name_decodes() {
    let (r, problems) = decode_with::<ProviderRef>(ARN, false);
    assert!(problems.is_empty(), "{:?}", messages(&problems));
    assert_eq!(r.as_ref().and_then(ProviderRef::arn), Some(ARN));
    let (r, problems) = decode_with::<ProviderRef>("{ credentialProvider: github }", false);
    assert!(problems.is_empty(), "{:?}", messages(&problems));
    assert_eq!(r.as_ref().and_then(ProviderRef::name).map(|n| n.as_str()), Some("github"));
}

#[test]
fn anything_but_exactly_one_credential_provider_key_is_refused_clearly() {
    let cases = [
        (
            "{ credentialProvider: github, scope: x }",
            "1:31 scope: unknown key `scope`; expected one of: credentialProvider",
        ),
        (
            "{ credentialProvidr: github }",
            "1:3 credentialProvidr: unknown key `credentialProvidr`; did you mean `credentialProvider`?",
        ),
        ("{}", "1:1 : expected a credential provider ARN or `{ credentialProvider: NAME }`, found an empty mapping"),
        ("[a]", "1:1 : expected a credential provider ARN or `{ credentialProvider: NAME }`, found a list"),
        (
            "{ credentialProvider: null }",
            "1:23 credentialProvider: expected the name of a provider of `credentialProviders:`, found null",
        ),
        (
            "{ credentialProvider: 'bad name' }",
            "1:23 credentialProvider: expected a value matching `[a-zA-Z0-9\\-_]+`, found \"bad name\"",
        ),
        (
            "not-an-arn",
            "1:1 : expected a value matching `arn:([^:]*):([^:]*):([^:]*):([0-9]{12})?:(.+)`, found \"not-an-arn\"",
        ),
    ];
    for (yaml, expected) in cases {
        let (r, problems) = decode_with::<ProviderRef>(yaml, false);
        assert_eq!(r, None, "{yaml}");
        assert_eq!(messages(&problems), [expected], "{yaml}");
    }
}

#[test]
fn on_the_wire_a_name_is_refused_as_the_service_would() {
    let (r, problems) = decode_with::<ProviderRef>("{ credentialProvider: github }", true);
    assert_eq!(r, None);
    assert_eq!(messages(&problems), ["1:1 : expected a string, found a mapping"]);
    let (r, _) = decode_with::<ProviderRef>(ARN, true);
    assert_eq!(r.as_ref().and_then(ProviderRef::arn), Some(ARN));
}

#[test]
fn a_name_serializes_as_written_so_plans_keep_it() {
    let json = serde_json::to_value(target("{ credentialProvider: docs }", KEY_ARN)).expect("serializes");
    let configs = &json["credentialProviderConfigurations"];
    assert_eq!(
        configs[0]["credentialProvider"]["oauthCredentialProvider"]["providerArn"],
        serde_json::json!({ "credentialProvider": "docs" })
    );
    assert_eq!(configs[1]["credentialProvider"]["apiKeyCredentialProvider"]["providerArn"], KEY_ARN);
    let t = oauth_target("{ credentialProvider: docs }");
    let json = serde_json::to_value(&t).expect("serializes");
    // A saved plan decodes it back to the same target.
    let (again, problems) = decode_with::<Target>(&json.to_string(), false);
    assert!(problems.is_empty(), "{:?}", messages(&problems));
    assert_eq!(again, Some(t));
}

#[test]
fn the_schema_is_an_arn_or_a_closed_reference() {
    let mut defs = Defs::default();
    let r = ProviderRef::schema(&mut defs);
    assert_eq!(r, serde_json::json!({ "$ref": "#/$defs/ProviderRef" }));
    let defs = defs.into_map();
    let one_of = defs["ProviderRef"]["oneOf"].as_array().expect("oneOf");
    assert_eq!(one_of.len(), 2);
    assert!(one_of[0]["anyOf"][0]["pattern"].as_str().is_some_and(|p| p.contains("arn:")), "{one_of:?}");
    assert_eq!(one_of[1]["required"], serde_json::json!(["credentialProvider"]));
    assert_eq!(one_of[1]["additionalProperties"], false);
}

#[test]
fn a_name_never_reaches_the_sdk() {
    let named = ProviderRef::Name(CredentialProviderName::from_service("docs".into()));
    let e = named.to_sdk().expect_err("a name has no SDK value");
    assert!(e.to_string().contains("credential provider `docs` is named but was not resolved"), "{e}");
    let t = target("{ credentialProvider: docs }", KEY_ARN);
    let b = aws_sdk_bedrockagentcorecontrol::operation::create_gateway_target::CreateGatewayTargetInput::builder();
    let e = t.to_create(b).expect_err("refused before the wire");
    assert_eq!(e.key, "credentialProviderConfigurations");
    assert!(e.failure.message.contains("`docs`"), "{e:?}");
    // Resolved, it builds; read back, the ARN is a literal.
    let resolved = t.resolve_provider_refs(&|n| (n == "docs").then(|| ARN.to_string()));
    let b = aws_sdk_bedrockagentcorecontrol::operation::create_gateway_target::CreateGatewayTargetInput::builder();
    assert!(resolved.to_create(b).is_ok());
    assert_eq!(ProviderRef::from_sdk(ARN.to_string(), "p").ok().as_ref().and_then(ProviderRef::arn), Some(ARN));
}

#[test]
fn provider_refs_name_each_reference_with_its_path_and_the_kind_it_needs() {
    let t = target("{ credentialProvider: docs }", "{ credentialProvider: orders }");
    let refs: Vec<(String, String, ProviderKind)> =
        t.provider_refs().into_iter().map(|(p, n, k)| (p, n.to_string(), k)).collect();
    assert_eq!(
        refs,
        [
            (
                "credentialProviderConfigurations[0].credentialProvider.oauthCredentialProvider.providerArn"
                    .to_string(),
                "docs".to_string(),
                ProviderKind::Oauth2
            ),
            (
                "credentialProviderConfigurations[1].credentialProvider.apiKeyCredentialProvider.providerArn"
                    .to_string(),
                "orders".to_string(),
                ProviderKind::ApiKey
            ),
        ]
    );
    assert!(t.provider_arns().is_empty());
    let literal = target(ARN, KEY_ARN);
    assert!(literal.provider_refs().is_empty());
    assert_eq!(literal.provider_arns(), [ARN, KEY_ARN]);
}

#[test]
fn resolving_replaces_the_names_it_knows_and_leaves_the_others() {
    let t = target("{ credentialProvider: docs }", "{ credentialProvider: orders }");
    let resolved = t.resolve_provider_refs(&|n| (n == "docs").then(|| ARN.to_string()));
    assert_eq!(resolved.provider_arns(), [ARN]);
    let left: Vec<String> = resolved.provider_refs().into_iter().map(|(_, n, _)| n.to_string()).collect();
    assert_eq!(left, ["orders"]);
    // Everything else is untouched.
    assert_eq!(resolved.name, t.name);
    assert_eq!(resolved.target_configuration, t.target_configuration);
    let all = t.resolve_provider_refs(&|n| match n {
        "docs" => Some(ARN.to_string()),
        "orders" => Some(KEY_ARN.to_string()),
        _ => None,
    });
    assert_eq!(all, target(ARN, KEY_ARN));
}

#[test]
fn naming_arns_is_the_inverse_of_resolving() {
    let literal = target(ARN, KEY_ARN);
    let named = literal.name_provider_arns(&|arn| (arn == KEY_ARN).then(|| "orders".to_string()));
    assert_eq!(named, target(ARN, "{ credentialProvider: orders }"));
    let back = named.resolve_provider_refs(&|n| (n == "orders").then(|| KEY_ARN.to_string()));
    assert_eq!(back, literal);
    assert_eq!(literal.name_provider_arns(&|_| None), literal);
}

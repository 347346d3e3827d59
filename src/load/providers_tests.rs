//! `credentialProviders:` as load reads it: decoded beside gateways, lifecycle inside the member,
//! names unique across kinds and files, references by name checked, tags within the limit.

use super::super::*;
use crate::model::credential_provider::ProviderKind;

fn env(name: &str) -> Option<String> {
    match name {
        "WEATHER_KEY" => Some("k3y-value".to_string()),
        _ => None,
    }
}

fn load(text: &str) -> Result<Desired, Problems> {
    load_text("specs.yaml", text, &env)
}

/// Each problem as `line:column gateway path: message`.
fn shown(p: &Problems) -> Vec<String> {
    p.0.iter()
        .map(|p| {
            format!(
                "{}:{} {} {}: {}",
                p.mark.line,
                p.mark.column,
                p.gateway.as_deref().unwrap_or("-"),
                p.path,
                p.message
            )
        })
        .collect()
}

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
      apiKey: ${WEATHER_KEY}
      secretVersion: '2'
      tags: { team: tools }
";

/// A gateway whose one target's provider member is `member` with `providerArn: arn`.
fn gateway(member: &str, arn: &str) -> String {
    let (kind, extra) = match member {
        "oauthCredentialProvider" => ("OAUTH", ", scopes: [repo]"),
        _ => ("API_KEY", ""),
    };
    format!(
        "gateways:
  - name: tools
    roleArn: arn:aws:iam::123456789012:role/r
    authorizerType: AWS_IAM
    targets:
      - name: t
        targetConfiguration: {{ mcp: {{ mcpServer: {{ endpoint: https://mcp.example.com/mcp }} }} }}
        credentialProviderConfigurations:
          - credentialProviderType: {kind}
            credentialProvider:
              {member}: {{ providerArn: {arn}{extra} }}
"
    )
}

#[test]
fn a_document_may_hold_only_providers_sorted_by_name_with_lifecycle_inside_the_member() {
    let desired = load(PROVIDERS).unwrap_or_else(|p| panic!("{p}"));
    assert!(desired.specs.is_empty());
    let names: Vec<&str> = desired.providers.iter().map(ProviderSpec::name).collect();
    assert_eq!(names, ["github", "weather"]);
    let github = desired.provider("github").expect("declared");
    assert!(github.prevent_destroy);
    assert_eq!(github.provider.kind(), ProviderKind::Oauth2);
    assert_eq!((github.source.file.as_str(), github.source.mark.line), ("specs.yaml", 2));
    let weather = desired.provider("weather").expect("declared");
    assert!(!weather.prevent_destroy);
    assert_eq!(
        weather.provider.secret_by_value().map(|(_, r)| r.map(str::to_string)),
        Some(Some("${WEATHER_KEY}".into()))
    );
    let tags = weather.managed_tags(None);
    assert_eq!(tags.get("acgw:secret-version").map(String::as_str), Some("2"));
    assert_eq!(tags.get("team").map(String::as_str), Some("tools"));
    // `lifecycle` is acgw's: it is not a member of the provider as the API sees it.
    let json = serde_json::to_value(&github.provider).expect("serializes");
    assert!(json["oauth2"].get("lifecycle").is_none(), "{json}");
}

#[test]
fn providers_and_gateways_load_together_and_a_reference_keeps_its_name() {
    let text = format!("{PROVIDERS}{}", gateway("oauthCredentialProvider", "{ credentialProvider: github }"));
    let desired = load(&text).unwrap_or_else(|p| panic!("{p}"));
    assert_eq!(desired.providers.len(), 2);
    let targets = desired.specs[0].targets.as_ref().expect("targets");
    let refs: Vec<String> = targets[0].provider_refs().into_iter().map(|(_, n, _)| n.to_string()).collect();
    assert_eq!(refs, ["github"]);
    // Separate documents of one file too.
    let text = format!("{PROVIDERS}---\n{}", gateway("apiKeyCredentialProvider", "{ credentialProvider: weather }"));
    load(&text).unwrap_or_else(|p| panic!("{p}"));
}

#[test]
fn neither_key_is_still_the_error_it_was() {
    let p = load("owner: team\n").unwrap_err();
    assert_eq!(shown(&p), ["1:1 - : missing required key `gateways`"]);
    let p = load("credentialProviders: { oauth2: {} }\n").unwrap_err();
    assert_eq!(shown(&p), ["1:22 - credentialProviders: expected a list of credential providers, found a mapping"]);
}

#[test]
fn a_name_declared_twice_across_kinds_is_an_error_at_the_second_citing_the_first() {
    let text = format!("{PROVIDERS}  - apiKey: {{ name: github, apiKey: '${{WEATHER_KEY}}' }}\n");
    let p = load(&text).unwrap_err();
    assert_eq!(
        shown(&p),
        ["16:21 - apiKey.name: credential provider `github` is declared twice: here and at specs.yaml:3:13 (names are \
          unique across oauth2 and apiKey providers)"]
    );
}

#[test]
fn a_name_declared_in_two_files_is_an_error_at_the_second() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), PROVIDERS).unwrap();
    std::fs::write(
        dir.path().join("b.yaml"),
        "credentialProviders:\n  - apiKey: { name: weather, apiKeySecretSource: EXTERNAL, apiKeySecretConfig: { secretId: w, jsonKey: k } }\n",
    )
    .unwrap();
    let p = load_paths(&[dir.path().to_path_buf()], &env).unwrap_err();
    assert_eq!(p.0.len(), 1, "{p}");
    assert!(p.0[0].file.ends_with("b.yaml"), "{p}");
    assert_eq!((p.0[0].mark.line, p.0[0].mark.column), (2, 21));
    assert!(p.0[0].message.contains("`weather` is declared twice: here and at "), "{p}");
    assert!(p.0[0].message.contains("a.yaml:12:13"), "{p}");
}

#[test]
fn a_reference_to_an_undeclared_provider_is_an_error_where_the_name_is() {
    let text = gateway("apiKeyCredentialProvider", "{ credentialProvider: nowhere }");
    let p = load(&text).unwrap_err();
    assert_eq!(
        shown(&p),
        ["11:78 tools targets[0].credentialProviderConfigurations[0].credentialProvider.apiKeyCredentialProvider.providerArn: \
          credential provider `nowhere` is not declared: no spec loaded has it in `credentialProviders:`"]
    );
}

#[test]
fn a_reference_to_a_provider_of_the_other_kind_says_so() {
    let text = format!("{PROVIDERS}{}", gateway("oauthCredentialProvider", "{ credentialProvider: weather }"));
    let p = load(&text).unwrap_err();
    assert_eq!(
        shown(&p),
        ["26:77 tools targets[0].credentialProviderConfigurations[0].credentialProvider.oauthCredentialProvider.providerArn: \
          this member needs an OAuth2 (`oauth2:`) provider, but credential provider `weather` is an API-key (`apiKey:`) \
          provider (declared at specs.yaml:12:13)"]
    );
}

#[test]
fn problems_inside_a_provider_name_it_and_stop_it_loading() {
    let p = load("credentialProviders:\n  - apiKey: { name: weather, apiKey: not-a-reference }\n").unwrap_err();
    let lines = shown(&p);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0]
            .starts_with("2:38 - apiKey.apiKey: credential provider `weather`: a secret cannot be written in a spec"),
        "{lines:?}"
    );
    assert!(!lines[0].contains("not-a-reference"), "the secret is never shown: {lines:?}");
    let p = load("credentialProviders:\n  - apiKey: { name: w, apiKey: '${WEATHER_KEY}', lifecycle: { preventDestroy: maybe } }\n")
        .unwrap_err();
    assert_eq!(shown(&p).len(), 1, "{p}");
    assert!(shown(&p)[0].contains("- apiKey.lifecycle.preventDestroy: credential provider `w`: "), "{p}");
}

#[test]
fn reserved_tag_keys_are_refused() {
    let p =
        load("credentialProviders:\n  - apiKey: { name: w, apiKey: '${WEATHER_KEY}', tags: { 'acgw:owner': me } }\n")
            .unwrap_err();
    assert_eq!(
        shown(&p),
        ["2:58 - apiKey.tags.acgw:owner: credential provider `w`: tag keys starting with `acgw:` are acgw's own: set \
          `owner`, `lifecycle.preventDestroy` or `secretVersion` instead"]
    );
}

#[test]
fn acgws_own_tags_must_fit_beside_the_declared_ones_also_after_an_owner_override() {
    let tags: Vec<String> = (0..49).map(|i| format!("k{i}: v")).collect();
    let spec = |version: &str| {
        format!(
            "credentialProviders:\n  - apiKey: {{ name: w, apiKey: '${{WEATHER_KEY}}', {version}tags: {{ {} }} }}\n",
            tags.join(", ")
        )
    };
    // 49 + acgw:secret-version fits.
    let mut desired = load(&spec("secretVersion: '1', ")).unwrap_or_else(|p| panic!("{p}"));
    // 49 + owner + secret version does not.
    let p = desired.override_owner(Owner::try_from("team").unwrap()).unwrap_err();
    assert_eq!(
        shown(&p),
        ["2:5 - apiKey.tags: credential provider `w`: 49 tags plus acgw's own 2 (acgw:owner, acgw:secret-version) \
          exceed the API's limit of 50 tags per credential provider"]
    );
    let p = load(&format!("owner: team\n{}", spec("secretVersion: '1', "))).unwrap_err();
    assert_eq!(shown(&p).len(), 1, "{p}");
    load(&format!("owner: team\n{}", spec(""))).unwrap_or_else(|p| panic!("{p}"));
}

//! The provider planner on its own: actions, secrets, deletions and saved plans.

use super::*;
use crate::load::{ProviderSpec, Source};
use crate::model::credential_provider::{
    CredentialProviderSpec, LiveApiKeyProvider, LiveProvider, LiveSecret, ProviderKind, ProviderSummary, SecretSource,
    SECRET_VERSION_TAG,
};
use crate::model::decode::Cx;
use crate::observed::{Holder, LiveProviderState, ObservedProviders, OwnedProvider};
use crate::problem::Mark;

const ARN: &str =
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/weather";
const SECRET_ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:weather-AbC123";

fn env(name: &str) -> Option<String> {
    (name == "WEATHER_KEY").then(|| "planted-secret-value".to_string())
}

fn spec(yaml: &str) -> ProviderSpec {
    let node = crate::load::yaml::parse_documents(yaml).expect("yaml").into_iter().next().flatten().expect("doc");
    let mut problems = Vec::new();
    let provider = {
        let mut cx = Cx::new("spec.yaml", &mut problems).with_env(&env);
        CredentialProviderSpec::decode(&node, &mut cx)
    };
    assert!(problems.is_empty(), "{problems:?}");
    ProviderSpec {
        provider: provider.expect("decodes"),
        source: Source { file: "spec.yaml".into(), mark: Mark::default() },
        prevent_destroy: false,
    }
}

fn by_reference(secret_id: &str) -> ProviderSpec {
    spec(&format!(
        "apiKey:\n  name: weather\n  apiKeySecretSource: EXTERNAL\n  apiKeySecretConfig: {{ secretId: {secret_id}, jsonKey: key }}\n  tags: {{ team: tools }}\n"
    ))
}

fn by_value(version: &str) -> ProviderSpec {
    spec(&format!("apiKey:\n  name: weather\n  apiKey: ${{WEATHER_KEY}}\n  secretVersion: '{version}'\n"))
}

fn live(secret: LiveSecret, tags: &[(&str, &str)]) -> LiveProviderState {
    LiveProviderState {
        live: LiveProvider::ApiKey(LiveApiKeyProvider {
            name: "weather".into(),
            arn: ARN.into(),
            api_key_secret: secret,
        }),
        tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

fn external(arn: &str) -> LiveSecret {
    LiveSecret { secret_arn: arn.into(), json_key: Some("key".into()), source: Some(SecretSource::External) }
}

fn managed() -> LiveSecret {
    LiveSecret {
        secret_arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:bedrock-agentcore-x".into(),
        json_key: None,
        source: Some(SecretSource::Managed),
    }
}

#[test]
fn a_missing_provider_is_created_with_its_tags_and_a_secret_by_value_says_where_it_is_read_from() {
    let p = plan_provider(&by_value("1"), None, None);
    assert_eq!(p.action, Action::Create);
    assert_eq!(
        p.sends_secret,
        Some(SentSecret { member: "apiKey".into(), from: "${WEATHER_KEY}".into(), because: "create".into() })
    );
    assert!(p.tag_changes.iter().any(|t| t.key == SECRET_VERSION_TAG && t.after.as_deref() == Some("1")));
    let json = serde_json::to_string(&p).expect("json");
    assert!(!json.contains("planted-secret-value"), "{json}");
    assert!(json.contains("${WEATHER_KEY}"), "{json}");
}

#[test]
fn a_provider_that_matches_is_a_no_op_even_when_its_secret_is_named_by_name() {
    let live = live(external(SECRET_ARN), &[("team", "tools")]);
    assert_eq!(plan_provider(&by_reference(SECRET_ARN), None, Some(&live)).action, Action::NoOp);
    let by_name = plan_provider(&by_reference("weather"), None, Some(&live));
    assert_eq!(by_name.action, Action::NoOp, "{:?}", by_name.changes);
}

#[test]
fn another_secret_is_a_full_update_at_the_specs_path() {
    let live =
        live(external("arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbC123"), &[("team", "tools")]);
    let p = plan_provider(&by_reference(SECRET_ARN), None, Some(&live));
    assert_eq!(p.action, Action::Update);
    assert!(p.update_provider);
    let paths: Vec<&str> = p.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["apiKey.apiKeySecretConfig.secretId"]);
    assert_eq!(p.sends_secret, None, "a reference sends no secret");
}

#[test]
fn a_secret_by_value_is_sent_again_only_when_its_version_is_bumped() {
    let live = live(managed(), &[(SECRET_VERSION_TAG, "1")]);
    let same = plan_provider(&by_value("1"), None, Some(&live));
    assert_eq!(same.action, Action::NoOp, "{:?}", same.changes);
    assert_eq!(same.sends_secret, None);
    let bumped = plan_provider(&by_value("2"), None, Some(&live));
    assert_eq!(bumped.action, Action::Update);
    assert!(bumped.update_provider, "a new version sends the secret in an Update call");
    assert_eq!(bumped.sends_secret.map(|s| s.because), Some("secretVersion".to_string()));
}

#[test]
fn tags_alone_are_an_update_without_the_update_call() {
    let live = live(external(SECRET_ARN), &[("team", "old")]);
    let p = plan_provider(&by_reference(SECRET_ARN), None, Some(&live));
    assert_eq!((p.action, p.update_provider), (Action::Update, false));
}

fn owned(
    tags: &[(&str, &str)],
    holders: Option<Result<BTreeMap<String, Vec<Holder>>, ObserveError>>,
) -> ObservedProviders {
    ObservedProviders {
        read: true,
        owned: vec![OwnedProvider {
            summary: ProviderSummary {
                kind: ProviderKind::ApiKey,
                name: "weather".into(),
                arn: ARN.into(),
                vendor: None,
            },
            tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }],
        holders,
        ..ObservedProviders::default()
    }
}

#[test]
fn an_owned_provider_in_no_spec_is_orphaned_without_prune_and_deleted_with_it() {
    let observed = owned(&[(OWNER_TAG, "ci")], Some(Ok(BTreeMap::new())));
    let plan = plan_providers(&Desired::default(), &observed, false, &BTreeSet::new()).expect("read");
    assert_eq!(plan.orphaned.len(), 1);
    assert!(plan.providers.is_empty());
    let plan = plan_providers(&Desired::default(), &observed, true, &BTreeSet::new()).expect("read");
    assert_eq!(plan.providers[0].action, Action::Delete);
    assert_eq!(plan.providers[0].kind, ProviderKind::ApiKey);
    assert_eq!(plan.providers[0].reason, Some(DeleteReason::Pruned));
}

#[test]
fn a_provider_a_live_target_names_is_never_pruned_and_the_plan_says_which_target() {
    let holders =
        BTreeMap::from([(ARN.to_string(), vec![Holder { gateway: "tools".into(), target: "weather-api".into() }])]);
    let plan =
        plan_providers(&Desired::default(), &owned(&[(OWNER_TAG, "ci")], Some(Ok(holders))), true, &BTreeSet::new())
            .expect("read");
    assert!(plan.providers.is_empty());
    assert!(plan.failed[0].error.contains("target weather-api of gateway tools"), "{:?}", plan.failed);
}

#[test]
fn without_a_complete_read_of_the_live_targets_no_provider_is_pruned() {
    let failed = Err(ObserveError::List { error: crate::observed::ApiError::Throttling("slow down".into()) });
    for holders in [None, Some(failed)] {
        let plan = plan_providers(&Desired::default(), &owned(&[(OWNER_TAG, "ci")], holders), true, &BTreeSet::new())
            .expect("read");
        assert!(plan.providers.is_empty());
        assert!(plan.failed[0].error.contains("cannot prove that none names it"), "{:?}", plan.failed);
    }
}

#[test]
fn a_protected_provider_is_never_pruned() {
    let observed = owned(&[(OWNER_TAG, "ci"), (PREVENT_DESTROY_TAG, "true")], Some(Ok(BTreeMap::new())));
    let plan = plan_providers(&Desired::default(), &observed, true, &BTreeSet::new()).expect("read");
    assert!(plan.providers.is_empty());
    assert!(plan.failed[0].error.contains("protected"), "{:?}", plan.failed);
}

#[test]
fn providers_not_read_are_absent_from_the_plan() {
    assert_eq!(plan_providers(&Desired::default(), &ObservedProviders::default(), true, &BTreeSet::new()), None);
}

#[test]
fn a_saved_plan_reads_back_and_its_secret_comes_from_the_environment_again() {
    let p = plan_provider(&by_value("1"), None, None);
    let providers = ProvidersPlan::assemble(vec![p], Vec::new(), Vec::new(), Vec::new());
    let plan = Plan::assemble(Target::default(), Vec::new(), Vec::new(), Vec::new()).with_providers(Some(providers));
    let text = plan.to_json();
    assert!(!text.contains("planted-secret-value"), "{text}");
    let back = Plan::from_json(&text).expect("reads back");
    assert_eq!(back, plan);
    let saved =
        back.credential_providers.expect("providers").providers[0].desired_spec().expect("valid").expect("some");
    let again = saved.reread_secret(&env).expect("set");
    let CredentialProviderSpec::ApiKey(k) = &again else { panic!() };
    assert_eq!(k.api_key.as_ref().map(|v| v.expose()), Some("planted-secret-value"));
    let unset = saved.reread_secret(&|_| None).expect_err("unset");
    assert!(unset.contains("WEATHER_KEY") && unset.contains("not set"), "{unset}");
}

#[test]
fn a_saved_plan_whose_sent_secret_does_not_match_its_desired_one_is_refused() {
    let mut p = plan_provider(&by_value("1"), None, None);
    p.sends_secret = Some(SentSecret { member: "apiKey".into(), from: "${OTHER}".into(), because: "create".into() });
    let providers = ProvidersPlan::assemble(vec![p], Vec::new(), Vec::new(), Vec::new());
    let text =
        Plan::assemble(Target::default(), Vec::new(), Vec::new(), Vec::new()).with_providers(Some(providers)).to_json();
    let error = Plan::from_json(&text).expect_err("inconsistent").to_string();
    assert!(error.contains("sendsSecret"), "{error}");
}

#[test]
fn staleness_sees_a_provider_that_moved() {
    let live_now = live(external(SECRET_ARN), &[("team", "tools")]);
    let p = plan_provider(&by_reference(SECRET_ARN), None, Some(&live_now));
    assert!(provider_staleness(&p, Some(&live_now)).is_empty());
    let moved = live(external("arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbC123"), &[("team", "tools")]);
    assert_eq!(provider_staleness(&p, Some(&moved)), ["its configuration changed since the plan"]);
    assert_eq!(provider_staleness(&p, None), [format!("it no longer exists (was {ARN})")]);
}

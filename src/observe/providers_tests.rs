//! Observing credential providers against the fake API of observe's tests.

use std::sync::atomic::Ordering;

use serde_json::json;

use super::super::tests::Fake;
use super::*;
use crate::model::credential_provider::ProviderKind::{ApiKey, Oauth2};
use crate::model::live::{LiveTarget, TargetStatus};
use crate::model::target::Target;

fn arn(kind: ProviderKind, name: &str) -> String {
    let segment = if kind == Oauth2 { "oauth2credentialprovider" } else { "apikeycredentialprovider" };
    format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/{segment}/{name}")
}

fn calls(fake: &Fake) -> Vec<String> {
    let mut calls = fake.calls.lock().expect("calls").clone();
    calls.sort();
    calls
}

fn names(list: &[ProviderSummary]) -> Vec<(&str, ProviderKind)> {
    list.iter().map(|s| (s.name.as_str(), s.kind)).collect()
}

#[tokio::test]
async fn declared_providers_are_read_with_their_tags_and_the_other_kind_is_unmanaged() {
    let fake =
        Fake::new(&[]).with_provider(Oauth2, "github").with_provider(ApiKey, "github").with_provider(ApiKey, "key");
    let declared = [("github", Oauth2), ("key", ApiKey), ("missing", Oauth2)];
    let observed = observe_providers(&fake, &declared, None, false, 4).await.expect("observe");
    assert!(observed.read);
    assert_eq!(observed.managed.keys().collect::<Vec<_>>(), ["github", "key"]);
    let github = &observed.managed["github"];
    assert_eq!(github.live.kind(), Oauth2);
    assert_eq!(github.tags["arn"], arn(Oauth2, "github"));
    assert_eq!(observed.managed["key"].live.kind(), ApiKey);
    assert_eq!(names(&observed.unmanaged), [("github", ApiKey)]);
    assert!(observed.failed.is_empty() && observed.owned.is_empty() && observed.holders.is_none());
}

#[tokio::test]
async fn providers_no_spec_declares_cost_no_call_without_prune() {
    let fake = Fake::new(&[]).with_provider(Oauth2, "a").with_provider(ApiKey, "b").with_provider(ApiKey, "c");
    let observed = observe_providers(&fake, &[("b", ApiKey)], Some("team"), false, 4).await.expect("observe");
    assert_eq!(names(&observed.unmanaged), [("a", Oauth2), ("c", ApiKey)]);
    assert_eq!(
        calls(&fake),
        [
            "GetApiKeyCredentialProvider:b".to_string(),
            "ListApiKeyCredentialProviders:".to_string(),
            "ListOauth2CredentialProviders:".to_string(),
            format!("ListTagsForResource:{}", arn(ApiKey, "b")),
        ]
    );
}

#[tokio::test]
async fn owned_providers_are_found_only_when_pruning_with_an_owner() {
    let mut fake = Fake::new(&[]).with_provider(Oauth2, "mine").with_provider(ApiKey, "theirs");
    fake.tags.insert(arn(Oauth2, "mine"), [("acgw:owner".to_string(), "team".to_string())].into());
    fake.tags.insert(arn(ApiKey, "theirs"), [("acgw:owner".to_string(), "other".to_string())].into());

    for (owner, prune) in [(Some("team"), false), (None, true)] {
        let observed = observe_providers(&fake, &[], owner, prune, 2).await.expect("observe");
        assert!(observed.owned.is_empty(), "{owner:?} {prune}");
        assert_eq!(names(&observed.unmanaged), [("mine", Oauth2), ("theirs", ApiKey)]);
    }
    assert!(!calls(&fake).iter().any(|c| c.starts_with("ListTagsForResource")), "no tag read without both");

    let observed = observe_providers(&fake, &[], Some("team"), true, 2).await.expect("observe");
    let owned: Vec<_> =
        observed.owned.iter().map(|o| (o.summary.name.as_str(), o.tags["acgw:owner"].as_str())).collect();
    assert_eq!(owned, [("mine", "team")]);
    assert_eq!(names(&observed.unmanaged), [("theirs", ApiKey)]);
    assert!(!calls(&fake).iter().any(|c| c.starts_with("Get")), "a provider in no spec is never read further");
}

#[tokio::test]
async fn a_provider_whose_tags_cannot_be_read_is_never_taken_for_owned() {
    let mut fake = Fake::new(&[]).with_provider(Oauth2, "broken").with_provider(ApiKey, "mine");
    fake.tags.insert(arn(ApiKey, "mine"), [("acgw:owner".to_string(), "team".to_string())].into());
    let observed = observe_providers(&fake, &[], Some("team"), true, 2).await.expect("observe");
    assert_eq!(observed.owned.iter().map(|o| o.summary.name.as_str()).collect::<Vec<_>>(), ["mine"]);
    assert!(observed.unmanaged.is_empty());
    assert_eq!(
        observed.failed["broken"].to_string(),
        "ListTagsForResource for credential provider broken failed: access denied: no tags for you"
    );
}

#[tokio::test]
async fn an_unreadable_provider_of_the_other_kind_does_not_take_the_declared_ones_place() {
    let fake = Fake::new(&[]).with_provider(Oauth2, "broken").with_provider(ApiKey, "broken");
    // The API-key one is declared; the OAuth2 one is in no spec and its tags cannot be read.
    let observed = observe_providers(&fake, &[("broken", ApiKey)], Some("team"), true, 2).await.expect("observe");
    assert_eq!(observed.failed.keys().collect::<Vec<_>>(), ["broken", "broken (oauth2)"]);
    assert!(observed.owned.is_empty() && observed.managed.is_empty());
}

#[tokio::test]
async fn a_provider_that_cannot_be_read_fails_alone_and_names_the_call() {
    let mut fake = Fake::new(&[]).with_provider(Oauth2, "denied").with_provider(ApiKey, "fine");
    fake.denied.push("denied");
    let observed =
        observe_providers(&fake, &[("denied", Oauth2), ("fine", ApiKey)], None, false, 2).await.expect("observe");
    assert_eq!(observed.managed.keys().collect::<Vec<_>>(), ["fine"]);
    assert_eq!(
        observed.failed["denied"].to_string(),
        "GetOauth2CredentialProvider for credential provider denied failed: access denied: no denied for you"
    );
}

#[tokio::test]
async fn a_provider_deleted_after_the_list_is_absent() {
    let mut fake = Fake::new(&[]).with_provider(Oauth2, "gone").with_provider(Oauth2, "here");
    fake.vanished.push("gone");
    let observed =
        observe_providers(&fake, &[("gone", Oauth2), ("here", Oauth2)], None, false, 2).await.expect("observe");
    assert_eq!(observed.managed.keys().collect::<Vec<_>>(), ["here"]);
    assert!(observed.failed.is_empty() && observed.unmanaged.is_empty());
}

#[tokio::test]
async fn a_failing_list_fails_the_observation() {
    let mut fake = Fake::new(&[]).with_provider(Oauth2, "a");
    fake.api_key_list_denied = true;
    let err = observe_providers(&fake, &[("a", Oauth2)], None, false, 2).await.expect_err("a list failed");
    assert_eq!(err.to_string(), "ListApiKeyCredentialProviders failed: access denied: no API keys for you");
}

#[tokio::test]
async fn provider_reads_are_bounded_by_parallelism() {
    let names: Vec<String> = (0..30).map(|i| format!("p-{i:02}")).collect();
    let mut fake = Fake::new(&[]);
    for (i, name) in names.iter().enumerate() {
        fake = fake.with_provider(if i % 2 == 0 { Oauth2 } else { ApiKey }, name);
    }
    // Half declared; the rest are candidates for pruning, read in the same queue.
    let declared: Vec<(&str, ProviderKind)> = names
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 4 < 2)
        .map(|(i, n)| (n.as_str(), if i % 2 == 0 { Oauth2 } else { ApiKey }))
        .collect();
    let observed = observe_providers(&fake, &declared, Some("team"), true, 3).await.expect("observe");
    assert_eq!(observed.managed.len(), declared.len());
    assert_eq!(observed.unmanaged.len(), 30 - declared.len());
    assert_eq!(fake.peak.load(Ordering::SeqCst), 3);
}

/// A target decoded from its API JSON.
fn target(name: &str, credentials: serde_json::Value) -> Target {
    use crate::model::decode::{Cx, Decode, Node};
    let v = json!({ "name": name,
        "targetConfiguration": { "mcp": { "mcpServer": { "endpoint": "https://mcp.example.com/mcp" } } },
        "credentialProviderConfigurations": [credentials] });
    let mut problems = Vec::new();
    let t = Target::decode(&Node::from_json(&v), &mut Cx::new("test", &mut problems));
    assert!(problems.is_empty(), "{problems:?}");
    t.expect("the fixture decodes")
}

fn live_target(id: &str, name: &str, config: Target, status: TargetStatus) -> LiveTarget {
    LiveTarget {
        target_id: id.to_string(),
        name: name.to_string(),
        status,
        status_reasons: vec![],
        updated_at: "2025-01-01T00:00:00Z".into(),
        last_synchronized_at: None,
        authorization_url: None,
        config: Ok(config),
    }
}

fn oauth(provider: &str) -> serde_json::Value {
    json!({ "credentialProviderType": "OAUTH", "credentialProvider": { "oauthCredentialProvider": {
        "providerArn": arn(Oauth2, provider), "scopes": ["read"] } } })
}

fn api_key(provider: &str) -> serde_json::Value {
    json!({ "credentialProviderType": "API_KEY", "credentialProvider": { "apiKeyCredentialProvider": {
        "providerArn": arn(ApiKey, provider), "credentialParameterName": "key", "credentialLocation": "HEADER" } } })
}

fn fake_with_targets() -> Fake {
    let mut fake = Fake::new(&[("g-1", "alpha"), ("g-2", "beta")]);
    fake.targets.insert(
        "g-1".into(),
        vec![
            live_target("t-1", "docs", target("docs", oauth("github")), TargetStatus::Ready),
            live_target("t-2", "search", target("search", api_key("key")), TargetStatus::Ready),
            live_target(
                "t-3",
                "plain",
                target("plain", json!({ "credentialProviderType": "GATEWAY_IAM_ROLE" })),
                TargetStatus::Ready,
            ),
        ],
    );
    // Being deleted still counts: the target names the provider until it is gone.
    fake.targets.insert(
        "g-2".into(),
        vec![live_target("t-9", "wiki", target("wiki", oauth("github")), TargetStatus::Deleting)],
    );
    fake
}

#[tokio::test]
async fn holders_are_every_target_naming_a_provider_arn() {
    let fake = fake_with_targets();
    let holders = read_holders(&fake, 2).await.expect("holders");
    let h = |gateway: &str, target: &str| Holder { gateway: gateway.into(), target: target.into() };
    assert_eq!(
        holders,
        BTreeMap::from([
            (arn(Oauth2, "github"), vec![h("alpha", "docs"), h("beta", "wiki")]),
            (arn(ApiKey, "key"), vec![h("alpha", "search")]),
        ])
    );
    assert!(fake.peak.load(Ordering::SeqCst) <= 2);
}

#[tokio::test]
async fn holders_fail_closed_when_a_target_cannot_be_read() {
    let mut fake = fake_with_targets();
    fake.targets.get_mut("g-2").expect("g-2").push(live_target(
        "broken",
        "flaky",
        target("flaky", oauth("other")),
        TargetStatus::Ready,
    ));
    let err = read_holders(&fake, 2).await.expect_err("fails closed");
    assert_eq!(
        err.to_string(),
        "GetGatewayTarget for target flaky (broken) of gateway beta (g-2) failed: access denied: no target for you"
    );
}

#[tokio::test]
async fn holders_fail_closed_on_a_target_this_build_cannot_represent() {
    let mut fake = fake_with_targets();
    let t = fake.targets.get_mut("g-1").expect("g-1");
    t[2].config = Err(crate::model::live::Unreadable {
        path: "targetConfiguration".into(),
        reason: "a member this build does not know".into(),
    });
    let err = read_holders(&fake, 2).await.expect_err("fails closed");
    assert!(matches!(err, ObserveError::TargetUnreadable { ref target, .. } if target == "plain"), "{err}");
}

//! The real AWS SDK against the in-process emulator over loopback: conversion round trips,
//! observe (paging, call counts, unmanaged and duplicate gateways), and connection failures.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use acgw::api::sdk::SdkApi;
use acgw::api::{ApiError, ReadApi, WriteApi};
use acgw::connect::{self, ConnectError};
use acgw::emulator::{Config, Emulator, EmulatorHandle, Faults};
use acgw::model::live::{GatewayStatus, TagMap};
use acgw::model::{AuthorizerType, Gateway, ProtocolType};
use acgw::observe::{observe, observe_all, ObserveError};
use acgw::rate::{RateLimiter, RateSummary};
use futures_util::stream::{self, StreamExt, TryStreamExt};

/// Gateways that together set every member the model has (see also the unit fixture in convert.rs).
const FIXTURE: &str = include_str!("fixtures/every-member.yaml");

fn fixture() -> Vec<Gateway> {
    match acgw::load::load_text("fixture.yaml", FIXTURE, &|_| None) {
        Ok(d) => d.specs.into_iter().map(|s| s.gateway).collect(),
        Err(p) => panic!("fixture does not load: {p:?}"),
    }
}

fn minimal(name: &str) -> Gateway {
    Gateway::minimal(
        name.try_into().expect("valid name"),
        "arn:aws:iam::123456789012:role/r".try_into().expect("valid role"),
        AuthorizerType::None,
    )
}

fn token(name: &str) -> String {
    format!("acgw-test-token-{name}-0123456789abcdef")
}

async fn start(state_file: Option<&Path>) -> EmulatorHandle {
    Emulator::start(Config {
        state_file: state_file.map(Path::to_path_buf),
        seed: Some(7),
        // Every call is checked against the service model: shutdown fails on a deviation.
        conformance: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/model/agentcore-control.json")),
        ..Config::default()
    })
    .await
    .expect("emulator starts")
}

fn api_for(emulator: &EmulatorHandle) -> SdkApi {
    SdkApi::new(connect::client_for_endpoint(&emulator.url(), 1))
}

/// What the service reports back for a configuration: no tags (ListTagsForResource has them),
/// and protocolType MCP whether or not it was sent.
fn as_live(g: &Gateway, with_update_only: bool) -> Gateway {
    let mut g = g.clone();
    g.tags = None;
    g.protocol_type = Some(ProtocolType::Mcp);
    if !with_update_only {
        g.waf_configuration = None;
        g.custom_transform_configuration = None;
    }
    // Structures with no member set come back absent (`{lambda: {}}` and `{}` alike).
    g.custom_transform_configuration =
        g.custom_transform_configuration.filter(|c| c.lambda.as_ref().is_some_and(|l| l.arn.is_some()));
    g.waf_configuration = g.waf_configuration.filter(|w| w.failure_mode.is_some());
    g
}

fn tag_map(g: &Gateway) -> TagMap {
    g.tags
        .as_ref()
        .map(|t| t.as_map().iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
        .unwrap_or_default()
}

/// Per-operation calls made between two stats snapshots.
fn calls_since(before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    after.iter().map(|(op, n)| (op.clone(), n - before.get(op).copied().unwrap_or(0))).filter(|(_, n)| *n > 0).collect()
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

async fn create_many(api: &SdkApi, names: &[String]) {
    stream::iter(names)
        .map(|n| async move { api.create_gateway(&minimal(n), &token(n)).await })
        .buffer_unordered(16)
        .try_collect::<Vec<_>>()
        .await
        .expect("creates");
}

#[tokio::test]
async fn create_get_update_and_tags_round_trip_every_member() {
    let emulator = start(None).await;
    let api = api_for(&emulator);
    for g in fixture() {
        let created = api.create_gateway(&g, &token(g.name.as_str())).await.expect("create");
        assert_eq!(created.config, Ok(as_live(&g, false)), "create answer of {}", g.name);

        let got = api.get_gateway(&created.gateway_id).await.expect("get");
        assert_eq!(got.config, Ok(as_live(&g, false)), "get after create of {}", g.name);
        assert_eq!(got.gateway_arn, created.gateway_arn);
        assert_eq!(api.list_tags(&got.gateway_arn).await.expect("tags"), tag_map(&g), "tags of {}", g.name);

        // The update sends everything, update-only members included, and never tags.
        let updated = api.update_gateway(&created.gateway_id, &g).await.expect("update");
        assert_eq!(updated.config, Ok(as_live(&g, true)), "update answer of {}", g.name);
        let got = api.get_gateway(&created.gateway_id).await.expect("get");
        assert_eq!(got.config, Ok(as_live(&g, true)), "get after update of {}", g.name);
        assert_eq!(api.list_tags(&got.gateway_arn).await.expect("tags"), tag_map(&g));
        assert!(!got.updated_at.is_empty());

        // A re-sent create with the same token is the same gateway, not a second one.
        let again = api.create_gateway(&g, &token(g.name.as_str())).await.expect("idempotent create");
        assert_eq!(again.gateway_id, created.gateway_id);
    }

    let arn = api.get_gateway(&api.list_gateways().await.expect("list")[0].gateway_id).await.expect("get").gateway_arn;
    let extra: TagMap = [("added".to_string(), "yes".to_string())].into();
    api.tag_resource(&arn, &extra).await.expect("tag");
    let before = api.list_tags(&arn).await.expect("tags");
    assert_eq!(before.get("added").map(String::as_str), Some("yes"));
    api.untag_resource(&arn, &["added".to_string()]).await.expect("untag");
    assert!(!api.list_tags(&arn).await.expect("tags").contains_key("added"));

    let id = api.list_gateways().await.expect("list")[0].gateway_id.clone();
    assert_eq!(api.list_targets(&id).await.expect("targets"), vec![]);
    match api.get_gateway("no-such-gateway-0000000000").await {
        Err(ApiError::NotFound(_)) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
    match api.create_gateway(&minimal("open"), "acgw-test-token-other-0123456789abcdefgh").await {
        Err(ApiError::Conflict(_)) => {}
        other => panic!("expected Conflict for a second gateway named open, got {other:?}"),
    }
    let status = api.delete_gateway(&id).await.expect("delete");
    assert!(matches!(status, GatewayStatus::Deleting | GatewayStatus::Ready | GatewayStatus::Other(_)), "{status}");
}

#[tokio::test]
async fn observe_with_no_gateways_makes_one_list_call() {
    let emulator = start(None).await;
    let api = api_for(&emulator);
    let before = emulator.stats();
    let observed = observe(&api, &["orders"], 10).await.expect("observe");
    assert!(observed.managed.is_empty() && observed.unmanaged.is_empty());
    assert_eq!(calls_since(&before, &emulator.stats()), counts(&[("ListGateways", 1)]));
}

#[tokio::test]
async fn observe_one_managed_gateway_and_list_unmanaged_sorted() {
    let emulator = start(None).await;
    let api = api_for(&emulator);
    let full = fixture().remove(0);
    api.create_gateway(&full, &token("full")).await.expect("create");
    create_many(&api, &["zeta".to_string(), "alpha".to_string(), "mid".to_string()]).await;

    let before = emulator.stats();
    let observed = observe(&api, &["full-jwt", "not-there"], 4).await.expect("observe");
    assert_eq!(
        calls_since(&before, &emulator.stats()),
        counts(&[("GetGateway", 1), ("ListGateways", 1), ("ListTagsForResource", 1)])
    );
    let state = &observed.managed["full-jwt"];
    assert_eq!(state.live.config, Ok(as_live(&full, false)));
    assert_eq!(state.tags, tag_map(&full));
    let names: Vec<&str> = observed.unmanaged.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["alpha", "mid", "zeta"]);

    let all = observe_all(&api, 4).await.expect("observe all");
    assert_eq!(all.managed.keys().map(String::as_str).collect::<Vec<_>>(), ["alpha", "full-jwt", "mid", "zeta"]);
    assert!(all.unmanaged.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observe_pages_through_more_than_1000_gateways() {
    let emulator = start(None).await;
    let api = api_for(&emulator);
    let names: Vec<String> = (0..1003).map(|i| format!("gw-{i:04}")).collect();
    create_many(&api, &names).await;

    let managed = ["gw-0000", "gw-0500", "gw-1002", "absent-1", "absent-2"];
    let before = emulator.stats();
    let observed = observe(&api, &managed, 10).await.expect("observe");
    assert_eq!(
        calls_since(&before, &emulator.stats()),
        counts(&[("GetGateway", 3), ("ListGateways", 2), ("ListTagsForResource", 3)])
    );
    assert_eq!(observed.managed.keys().map(String::as_str).collect::<Vec<_>>(), ["gw-0000", "gw-0500", "gw-1002"]);
    assert_eq!(observed.unmanaged.len(), 1000);
    assert!(observed.unmanaged.windows(2).all(|w| w[0].name < w[1].name));
    assert_eq!(api.list_gateways().await.expect("list").len(), 1003);
}

/// Copies gateway `id` in an emulator state file under a new ID, keeping its name: a state the
/// API refuses to create, but which a real account can reach (eventual consistency, races).
fn duplicate_in_state(path: &Path, id: &str, new_id: &str) {
    let text = std::fs::read_to_string(path).expect("state file");
    let mut state: serde_json::Value = serde_json::from_str(&text).expect("json");
    let gateways = state["gateways"].as_object_mut().expect("gateways map");
    let mut record = gateways[id].clone();
    record["gatewayId"] = new_id.into();
    let arn = record["gatewayArn"].as_str().expect("arn").replace(id, new_id);
    record["gatewayArn"] = arn.into();
    record["seq"] = (record["seq"].as_u64().expect("seq") + 1000).into();
    gateways.insert(new_id.to_string(), record);
    std::fs::write(path, serde_json::to_vec_pretty(&state).expect("json")).expect("write state");
}

#[tokio::test]
async fn two_live_gateways_with_one_managed_name_fail_that_name_alone_naming_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let emulator = start(Some(&path)).await;
    let api = api_for(&emulator);
    let dup = api.create_gateway(&minimal("dup"), &token("dup")).await.expect("create");
    api.create_gateway(&minimal("other"), &token("other")).await.expect("create");
    emulator.shutdown().await.expect("shutdown");
    duplicate_in_state(&path, &dup.gateway_id, "dup-twin000001");

    let emulator = start(Some(&path)).await;
    let api = api_for(&emulator);
    let observed = observe(&api, &["dup", "other"], 4).await.expect("observe");
    assert_eq!(observed.managed.keys().collect::<Vec<_>>(), ["other"]);
    let err = observed.failed["dup"].clone();
    assert_eq!(
        err,
        ObserveError::DuplicateName {
            name: "dup".into(),
            gateway_ids: {
                let mut ids = vec![dup.gateway_id.clone(), "dup-twin000001".to_string()];
                ids.sort();
                ids
            },
        }
    );
    let msg = err.to_string();
    assert!(msg.contains(&dup.gateway_id) && msg.contains("dup-twin000001"), "{msg}");

    // Unmanaged duplicates are only listed.
    let observed = observe(&api, &["other"], 4).await.expect("observe");
    assert_eq!(observed.unmanaged.iter().filter(|s| s.name == "dup").count(), 2);
    let all = observe_all(&api, 4).await.expect("observe all");
    assert!(matches!(all.failed.get("dup"), Some(ObserveError::DuplicateName { .. })));
    assert!(all.managed.contains_key("other"));
}

#[tokio::test]
async fn a_closed_port_fails_within_seconds_as_transport() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    // Even with the CLI's default attempt count, the reachability check answers at once.
    let started = Instant::now();
    let err = connect::check_reachable(&url).await.expect_err("closed port");
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(matches!(err, ConnectError::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains(&url), "{err}");

    let api = SdkApi::new(connect::client_for_endpoint(&url, 1));
    let started = Instant::now();
    match observe(&api, &["x"], 1).await {
        Err(ObserveError::List { error: ApiError::Transport(msg) }) => {
            assert!(msg.to_lowercase().contains("connect"), "{msg}")
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn local_mode_keeps_state_between_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(".acgw").join("local-state.json");
    let conn = connect::connect_local(&path, 3, RateLimiter::for_max_rps(None), connect::DEFAULT_LOCK_TIMEOUT)
        .await
        .expect("local");
    assert_eq!(conn.region(), "us-east-1");
    conn.api().create_gateway(&minimal("kept"), &token("kept")).await.expect("create");
    conn.close().await.expect("close");
    assert!(path.exists());

    let conn = connect::connect_local(&path, 3, RateLimiter::for_max_rps(None), connect::DEFAULT_LOCK_TIMEOUT)
        .await
        .expect("local again");
    let observed = observe(conn.api(), &["kept"], 2).await.expect("observe");
    assert!(observed.managed.contains_key("kept"));
    conn.close().await.expect("close");
}

// ---------------------------------------------------------------- the rate limiter finds a quota

/// Observes `gateways` gateways through acgw's default (adaptive) limiter against an emulator
/// that admits `quota` calls per second, and returns what the limiter settled on.
async fn settle_against(quota: u32, gateways: usize) -> (RateSummary, Vec<String>) {
    let emulator = start(None).await;
    let names: Vec<String> = (0..gateways).map(|i| format!("quota{quota}-{i:03}")).collect();
    create_many(&api_for(&emulator), &names).await;
    emulator.set_faults(Faults { max_rps: quota, ..Faults::default() });
    let limiter = RateLimiter::for_max_rps(None);
    let api = SdkApi::new(connect::limited_client_for_endpoint(&emulator.url(), 8, &limiter));
    let observed = observe(&api, &names, 10).await.expect("observe");
    assert_eq!(observed.managed.len(), gateways, "every gateway is read despite the quota: {:?}", observed.failed);
    let summary = limiter.summary();
    let seen = emulator.rate_stats();
    assert_eq!(summary.throttles, seen.throttled, "every throttle the emulator sent was seen: {summary:?}");
    (summary, limiter.decisions())
}

/// Asserts that the limiter found the quota by being throttled, and settled within 30% of it.
/// A failure prints the limiter's decisions (what `-vv` shows), which say why.
fn assert_settled_near((summary, decisions): &(RateSummary, Vec<String>), quota: f64) {
    let why = decisions.join("\n");
    assert!(summary.throttles > 0, "the quota is found by reaching it: {summary:?}\n{why}");
    let settled = summary.settled_rps;
    assert!(
        (settled - quota).abs() <= 0.3 * quota,
        "settled at {settled}/s against a quota of {quota}/s: {summary:?}\n{why}"
    );
    let estimate = summary.quota_estimate.expect("an estimate of the quota");
    assert!((estimate - quota).abs() <= 0.3 * quota, "estimated {estimate}/s against {quota}/s: {summary:?}\n{why}");
    // What -v prints names a --max-rps within the same 30%.
    assert!(summary.describe().contains("Next time `--max-rps "), "{}", summary.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_rate_settles_within_30_percent_of_a_quota_of_10_per_second() {
    // 121 calls: about 12 s at 10/s. A first estimate taken while the rate still climbs can be
    // low (5–7/s were seen with 41 calls, failing 2 runs in 3); probing above it takes seconds.
    let summary = settle_against(10, 60).await;
    assert_settled_near(&summary, 10.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_rate_settles_within_30_percent_of_a_quota_of_100_per_second() {
    // 501 calls: about 5 s at 100/s; the doubling start overshoots, and the second cut (on a
    // clean second's measure) lands under the quota by the fourth second.
    let summary = settle_against(100, 250).await;
    assert_settled_near(&summary, 100.0);
}

// ---------------------------------------------------------------- connect() in a clean environment

/// The child side: set when this test binary runs itself with a controlled environment.
const CHILD: &str = "ACGW_API_TEST_CHILD";
const SECRET: &str = "wJalrXUtnFEMI-never-printed-EXAMPLEKEY";

fn global(region: Option<&str>, endpoint: Option<&str>) -> connect::Settings {
    connect::Settings {
        region: region.map(str::to_string),
        profile: None,
        endpoint_url: endpoint.map(str::to_string),
        local: false,
        max_rps: None,
        max_attempts: 8,
        retry_mode: connect::RetryMode::Standard,
        lock_timeout: connect::DEFAULT_LOCK_TIMEOUT,
    }
}

/// Runs test `name` of this binary in a child process with only `vars` (and no AWS files) set.
fn run_child(name: &str, vars: &[(&str, &str)]) -> String {
    let exe = std::env::current_exe().expect("test binary");
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(exe);
    cmd.args(["--exact", name, "--nocapture", "--test-threads", "1"])
        .env_clear()
        .env(CHILD, "1")
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", home.path().join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true");
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("child runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "child {name} failed:\n{text}");
    assert!(!text.contains(SECRET), "the secret key was printed:\n{text}");
    text
}

fn is_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

#[tokio::test]
async fn missing_credentials_is_one_clear_error() {
    if !is_child() {
        run_child("missing_credentials_is_one_clear_error", &[]);
        return;
    }
    let started = Instant::now();
    let err = connect::connect(&global(Some("us-east-1"), None)).await.expect_err("no credentials");
    println!("{err}");
    assert!(matches!(err, ConnectError::NoCredentials { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("AWS_ACCESS_KEY_ID") && msg.contains("--profile") && msg.contains("--local"), "{msg}");
    assert!(started.elapsed() < Duration::from_secs(12));
}

#[tokio::test]
async fn missing_region_is_one_clear_error() {
    if !is_child() {
        run_child(
            "missing_region_is_one_clear_error",
            &[("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"), ("AWS_SECRET_ACCESS_KEY", SECRET)],
        );
        return;
    }
    let err = connect::connect(&global(None, None)).await.expect_err("no region");
    println!("{err}");
    assert!(matches!(err, ConnectError::NoRegion), "{err}");
    assert!(err.to_string().contains("--region"));
}

#[tokio::test]
async fn unreachable_endpoint_is_one_clear_error_within_seconds() {
    if !is_child() {
        run_child(
            "unreachable_endpoint_is_one_clear_error_within_seconds",
            &[("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"), ("AWS_SECRET_ACCESS_KEY", SECRET), ("AWS_REGION", "eu-west-1")],
        );
        return;
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let started = Instant::now();
    let err = connect::connect(&global(None, Some(&url))).await.expect_err("unreachable");
    println!("{err} {err:?}");
    assert!(matches!(err, ConnectError::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains(&url));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoint_environment_variable_is_honoured() {
    if is_child() {
        let conn = connect::connect(&global(None, None)).await.expect("connects");
        let want = std::env::var("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL").expect("set");
        assert_eq!(conn.endpoint(), want);
        assert_eq!(conn.region(), "eu-central-1");
        let observed = observe(conn.api(), &["via-env"], 2).await.expect("observe");
        assert!(observed.managed.contains_key("via-env"));
        println!("{:?}", conn);
        return;
    }
    let emulator = start(None).await;
    api_for(&emulator).create_gateway(&minimal("via-env"), &token("via-env")).await.expect("create");
    let url = emulator.url();
    tokio::task::spawn_blocking(move || {
        let vars = [
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_REGION", "eu-central-1"),
            ("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL", url.as_str()),
        ];
        run_child("the_endpoint_environment_variable_is_honoured", &vars);
    })
    .await
    .expect("child joined");
}

/// A credential provider, decoded from its API JSON as the emulator decodes a request.
fn provider_spec(json: serde_json::Value) -> acgw::model::credential_provider::CredentialProviderSpec {
    use acgw::model::decode::{Cx, Decode, Node};
    let mut problems = Vec::new();
    let spec = acgw::model::credential_provider::CredentialProviderSpec::decode(
        &Node::from_json(&json),
        &mut Cx::new("test", &mut problems),
    );
    assert!(problems.is_empty(), "{problems:?}");
    spec.expect("the fixture decodes")
}

#[tokio::test]
async fn observe_providers_reads_declared_ones_finds_owned_ones_and_the_targets_that_hold_them() {
    use acgw::model::credential_provider::{CredentialProviderSpec, ProviderKind};
    use acgw::observe::{observe_providers, read_holders};
    let emulator = start(None).await;
    let api = api_for(&emulator);
    let owned: TagMap = [("acgw:owner".to_string(), "team".to_string())].into();
    let mut arns = BTreeMap::new();
    for (json, tags) in [
        (serde_json::json!({ "apiKey": { "name": "kept", "apiKey": "k1" } }), owned.clone()),
        (serde_json::json!({ "apiKey": { "name": "stray", "apiKey": "k2" } }), TagMap::new()),
        (
            serde_json::json!({ "oauth2": { "name": "github", "credentialProviderVendor": "GithubOauth2",
                "oauth2ProviderConfigInput": { "githubOauth2ProviderConfig": { "clientId": "c", "clientSecret": "s" } } } }),
            TagMap::new(),
        ),
    ] {
        let written = match provider_spec(json) {
            CredentialProviderSpec::ApiKey(p) => api.create_api_key_provider(&p, &tags).await,
            CredentialProviderSpec::Oauth2(p) => api.create_oauth2_provider(&p, &tags).await,
        };
        let written = written.expect("create provider");
        arns.insert(written.name, written.arn);
    }
    let gateway = api.create_gateway(&minimal("tools"), &token("tools")).await.expect("create gateway");
    let target = {
        use acgw::model::decode::{Cx, Decode, Node};
        let json = serde_json::json!({ "name": "search",
            "targetConfiguration": { "mcp": { "mcpServer": { "endpoint": "https://mcp.example.com/mcp" } } },
            "credentialProviderConfigurations": [{ "credentialProviderType": "API_KEY", "credentialProvider": {
                "apiKeyCredentialProvider": { "providerArn": arns["kept"], "credentialParameterName": "key",
                    "credentialLocation": "HEADER" } } }] });
        let mut problems = Vec::new();
        let t = acgw::model::target::Target::decode(&Node::from_json(&json), &mut Cx::new("test", &mut problems));
        t.expect("the target decodes")
    };
    api.create_target(&gateway.gateway_id, &target, &token("search")).await.expect("create target");

    // Declared: one Get and one ListTagsForResource; without --prune the others cost nothing.
    let before = emulator.stats();
    let observed =
        observe_providers(&api, &[("github", ProviderKind::Oauth2)], Some("team"), false, 4).await.expect("observe");
    assert_eq!(
        calls_since(&before, &emulator.stats()),
        counts(&[
            ("GetOauth2CredentialProvider", 1),
            ("ListApiKeyCredentialProviders", 1),
            ("ListOauth2CredentialProviders", 1),
            ("ListTagsForResource", 1),
        ])
    );
    assert_eq!(observed.managed["github"].live.arn(), arns["github"]);
    let unmanaged: Vec<&str> = observed.unmanaged.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(unmanaged, ["kept", "stray"]);

    // Pruning: the one tagged with the owner is owned, and the target naming it holds it.
    let observed =
        observe_providers(&api, &[("github", ProviderKind::Oauth2)], Some("team"), true, 4).await.expect("observe");
    assert_eq!(observed.owned.iter().map(|o| o.summary.name.as_str()).collect::<Vec<_>>(), ["kept"]);
    assert_eq!(observed.unmanaged.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["stray"]);
    let holders = read_holders(&api, 4).await.expect("holders");
    let holder = acgw::observed::Holder { gateway: "tools".into(), target: "search".into() };
    assert_eq!(holders, BTreeMap::from([(arns["kept"].clone(), vec![holder])]));
}

//! The emulator, driven through the real AWS SDK client over loopback HTTP (and raw HTTP where the
//! SDK cannot show the wire).

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use acgw::emulator::{Config, Emulator, EmulatorHandle, Faults};
use aws_sdk_bedrockagentcorecontrol::config::http::HttpResponse;
use aws_sdk_bedrockagentcorecontrol::config::retry::RetryConfig;
use aws_sdk_bedrockagentcorecontrol::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_bedrockagentcorecontrol::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockagentcorecontrol::operation::create_gateway::builders::CreateGatewayFluentBuilder;
use aws_sdk_bedrockagentcorecontrol::operation::create_gateway::CreateGatewayError;
use aws_sdk_bedrockagentcorecontrol::types::{
    AuthorizerConfiguration, AuthorizerType, CustomJwtAuthorizerConfiguration, GatewayProtocolConfiguration,
    GatewayProtocolType, GatewayStatus, McpGatewayConfiguration, McpServerTargetConfiguration, McpTargetConfiguration,
    SearchType, SessionConfiguration, TargetConfiguration, ValidationExceptionReason,
};
use aws_sdk_bedrockagentcorecontrol::Client;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ROLE: &str = "arn:aws:iam::123456789012:role/gateway";
/// Long enough that a loaded machine cannot skip a transitional status between two calls.
const DELAY: Duration = Duration::from_millis(1500);
const DISCOVERY: &str = "https://idp.example.com/.well-known/openid-configuration";

fn client(url: &str) -> Client {
    let conf = aws_sdk_bedrockagentcorecontrol::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .endpoint_url(url)
        .retry_config(RetryConfig::disabled())
        .build();
    Client::from_conf(conf)
}

/// Every call is checked against the service model: `shutdown` fails on a deviation, and so does
/// dropping the handle.
async fn start(mut config: Config) -> (EmulatorHandle, Client) {
    config.conformance =
        Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/model/agentcore-control.json"));
    let handle = Emulator::start(config).await.expect("emulator starts");
    let client = client(&handle.url());
    (handle, client)
}

async fn start_default() -> (EmulatorHandle, Client) {
    start(Config::default()).await
}

fn create(client: &Client, name: &str) -> CreateGatewayFluentBuilder {
    client.create_gateway().name(name).role_arn(ROLE).authorizer_type(AuthorizerType::AwsIam)
}

fn jwt() -> AuthorizerConfiguration {
    AuthorizerConfiguration::CustomJwtAuthorizer(
        CustomJwtAuthorizerConfiguration::builder()
            .discovery_url(DISCOVERY)
            .allowed_clients("orders-agent")
            .build()
            .expect("discovery url set"),
    )
}

fn mcp(search: bool) -> GatewayProtocolConfiguration {
    let mut b = McpGatewayConfiguration::builder().supported_versions("2025-06-18");
    if search {
        b = b.search_type(SearchType::Semantic);
    }
    GatewayProtocolConfiguration::Mcp(b.build())
}

/// Every gateway, following every page.
async fn list_all(client: &Client, page: i32) -> Vec<String> {
    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = client.list_gateways().max_results(page).set_next_token(token.clone()).send().await.expect("list");
        assert!(out.items().len() <= page as usize, "a page holds at most maxResults items");
        ids.extend(out.items().iter().map(|g| g.gateway_id().to_string()));
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return ids,
        }
    }
}

fn http_status<E>(err: &SdkError<E, HttpResponse>) -> Option<u16> {
    err.raw_response().map(|r| r.status().as_u16())
}

/// One raw HTTP/1.1 exchange: (status, lower-cased headers, body).
async fn raw(url: &str, method: &str, path: &str, body: &str) -> (u16, BTreeMap<String, String>, String) {
    let addr = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.expect("read");
    let text = String::from_utf8(buf).expect("utf-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let mut lines = head.lines();
    let status: u16 = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() >= 20 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && s.ends_with('Z')
}

/// Walks a JSON document and returns the paths of every empty object.
fn empty_objects(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) if m.is_empty() => out.push(path.to_string()),
        Value::Object(m) => m.iter().for_each(|(k, v)| empty_objects(v, &format!("{path}.{k}"), out)),
        Value::Array(a) => a.iter().for_each(|v| empty_objects(v, path, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_get_update_list_delete_round_trip() {
    let (handle, client) = start_default().await;
    let out = create(&client, "Orders")
        .description("Order tools")
        .protocol_type(GatewayProtocolType::Mcp)
        .protocol_configuration(mcp(true))
        .authorizer_type(AuthorizerType::CustomJwt)
        .authorizer_configuration(jwt())
        .tags("team", "support")
        .send()
        .await
        .expect("create");
    let id = out.gateway_id().to_string();
    let suffix = id.strip_prefix("orders-").expect("id starts with the lowercased name and a dash");
    assert_eq!(suffix.len(), 10);
    assert!(suffix.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()), "{id}");
    assert_eq!(out.gateway_arn(), format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/{id}"));
    assert_eq!(out.status(), &GatewayStatus::Creating);
    assert_eq!(out.name(), "Orders");
    assert!(out.gateway_url().is_some_and(|u| u.contains(&id)));
    assert!(out.workload_identity_details().is_some());
    assert!(out.created_at().secs() > 1_700_000_000, "createdAt is a real timestamp");

    let got = client.get_gateway().gateway_identifier(&id).send().await.expect("get");
    assert_eq!(got.status(), &GatewayStatus::Ready, "zero create delay: READY at once");
    assert_eq!(got.description(), Some("Order tools"));
    let mcp_out = got.protocol_configuration().and_then(|p| p.as_mcp().ok()).expect("mcp configuration");
    assert_eq!(mcp_out.search_type(), Some(&SearchType::Semantic));
    assert_eq!(
        mcp_out.session_configuration().and_then(|s| s.session_timeout_in_seconds()),
        Some(3600),
        "the service fills in its default session timeout"
    );
    let auth = got.authorizer_configuration().and_then(|a| a.as_custom_jwt_authorizer().ok()).expect("jwt");
    assert_eq!(auth.discovery_url(), DISCOVERY);

    // Full replace: description, searchType and the JWT config are dropped by omission.
    let upd = client
        .update_gateway()
        .gateway_identifier(&id)
        .name("Orders")
        .role_arn(ROLE)
        .authorizer_type(AuthorizerType::CustomJwt)
        .authorizer_configuration(jwt())
        .protocol_configuration(GatewayProtocolConfiguration::Mcp(
            McpGatewayConfiguration::builder()
                .session_configuration(SessionConfiguration::builder().session_timeout_in_seconds(7200).build())
                .build(),
        ))
        .send()
        .await
        .expect("update");
    assert_eq!(upd.status(), &GatewayStatus::Updating);
    let got = client.get_gateway().gateway_identifier(&id).send().await.expect("get after update");
    assert_eq!(got.description(), None, "omitted optional fields are reset");
    let mcp_out = got.protocol_configuration().and_then(|p| p.as_mcp().ok()).expect("mcp");
    assert_eq!(mcp_out.search_type(), None);
    assert_eq!(mcp_out.session_configuration().and_then(|s| s.session_timeout_in_seconds()), Some(7200));
    assert!(got.updated_at().as_nanos() >= got.created_at().as_nanos());

    let tags = client.list_tags_for_resource().resource_arn(out.gateway_arn()).send().await.expect("tags");
    assert_eq!(tags.tags().and_then(|t| t.get("team")).map(String::as_str), Some("support"), "update keeps tags");

    let list = client.list_gateways().send().await.expect("list");
    assert_eq!(list.items().len(), 1);
    let summary = &list.items()[0];
    assert_eq!((summary.gateway_id(), summary.name()), (id.as_str(), "Orders"));
    assert_eq!(summary.authorizer_type(), &AuthorizerType::CustomJwt);

    let del = client.delete_gateway().gateway_identifier(&id).send().await.expect("delete");
    assert_eq!(del.status(), &GatewayStatus::Deleting);
    let err = client.get_gateway().gateway_identifier(&id).send().await.expect_err("gone");
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()), "{err:?}");
    assert_eq!(http_status(&err), Some(404));
    let err = client.delete_gateway().gateway_identifier(&id).send().await.expect_err("gone");
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()));
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_errors_name_each_field() {
    let (handle, client) = start_default().await;
    let err = client
        .create_gateway()
        .name("-bad--name")
        .role_arn("not-an-arn")
        .authorizer_type(AuthorizerType::CustomJwt)
        .send()
        .await
        .expect_err("invalid");
    assert_eq!(http_status(&err), Some(400));
    let Some(CreateGatewayError::ValidationException(v)) = err.as_service_error() else {
        panic!("expected ValidationException, got {err:?}")
    };
    assert_eq!(v.reason(), &ValidationExceptionReason::FieldValidationFailed);
    let names: BTreeSet<&str> = v.field_list().iter().map(|f| f.name()).collect();
    assert_eq!(names, BTreeSet::from(["authorizerConfiguration", "name", "roleArn"]), "{v:?}");
    assert!(v.field_list().iter().all(|f| !f.message().is_empty()));

    // Session timeout outside 900–28800 and a tag key the model refuses.
    let err = create(&client, "ok")
        .protocol_configuration(GatewayProtocolConfiguration::Mcp(
            McpGatewayConfiguration::builder()
                .session_configuration(SessionConfiguration::builder().session_timeout_in_seconds(60).build())
                .build(),
        ))
        .tags("bad#key", "v")
        .send()
        .await
        .expect_err("invalid");
    let Some(CreateGatewayError::ValidationException(v)) = err.as_service_error() else { panic!("{err:?}") };
    let names: BTreeSet<&str> = v.field_list().iter().map(|f| f.name()).collect();
    assert_eq!(
        names,
        BTreeSet::from(["protocolConfiguration.mcp.sessionConfiguration.sessionTimeoutInSeconds", "tags.bad#key"])
    );

    let err = create(&client, "ok").client_token("too-short").send().await.expect_err("short token");
    let Some(CreateGatewayError::ValidationException(v)) = err.as_service_error() else { panic!("{err:?}") };
    assert_eq!(v.field_list()[0].name(), "clientToken");

    let err = client.get_gateway().gateway_identifier("UPPER-abcdefghij").send().await.expect_err("bad id");
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(list_all(&client, 10).await.len(), 0, "nothing invalid was created");
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taken_name_is_a_conflict() {
    let (handle, client) = start_default().await;
    create(&client, "dup").send().await.expect("first");
    let err = create(&client, "dup").send().await.expect_err("second");
    assert!(err.as_service_error().is_some_and(|e| e.is_conflict_exception()), "{err:?}");
    assert_eq!(http_status(&err), Some(409));
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_rules_rename_authorizer_and_busy_status() {
    let config = Config { create_delay: DELAY, update_delay: DELAY, ..Config::default() };
    let (handle, client) = start(config).await;
    let id = create(&client, "busy").send().await.expect("create").gateway_id().to_string();
    let update = |name: &str, auth: AuthorizerType| {
        client.update_gateway().gateway_identifier(&id).name(name).role_arn(ROLE).authorizer_type(auth)
    };

    let err = update("busy", AuthorizerType::AwsIam).send().await.expect_err("still CREATING");
    assert!(err.as_service_error().is_some_and(|e| e.is_conflict_exception()), "{err:?}");
    assert_eq!(
        client.get_gateway().gateway_identifier(&id).send().await.expect("get").status(),
        &GatewayStatus::Creating
    );

    let err = update("renamed", AuthorizerType::AwsIam).send().await.expect_err("rename");
    assert_eq!(err.code(), Some("ValidationException"));
    let err = update("busy", AuthorizerType::None).send().await.expect_err("authorizer change");
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(err.message(), Some("Authorizer type cannot be updated for an existing gateway"));

    tokio::time::sleep(DELAY + Duration::from_millis(100)).await;
    assert_eq!(client.get_gateway().gateway_identifier(&id).send().await.expect("get").status(), &GatewayStatus::Ready);
    update("busy", AuthorizerType::AwsIam).send().await.expect("update when READY");
    let err = update("busy", AuthorizerType::AwsIam).send().await.expect_err("still UPDATING");
    assert!(err.as_service_error().is_some_and(|e| e.is_conflict_exception()), "{err:?}");
    tokio::time::sleep(DELAY + Duration::from_millis(100)).await;
    update("busy", AuthorizerType::AwsIam).send().await.expect("update when READY again");

    let err = client
        .update_gateway()
        .gateway_identifier("missing-abcdefghij")
        .name("missing")
        .role_arn(ROLE)
        .authorizer_type(AuthorizerType::AwsIam)
        .send()
        .await
        .expect_err("no such gateway");
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()));
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_goes_deleting_then_gone() {
    let config = Config { delete_delay: DELAY, ..Config::default() };
    let (handle, client) = start(config).await;
    let id = create(&client, "short-lived").send().await.expect("create").gateway_id().to_string();
    client.delete_gateway().gateway_identifier(&id).send().await.expect("delete");
    let got = client.get_gateway().gateway_identifier(&id).send().await.expect("still there while DELETING");
    assert_eq!(got.status(), &GatewayStatus::Deleting);
    assert_eq!(list_all(&client, 10).await, vec![id.clone()]);
    tokio::time::sleep(DELAY + Duration::from_millis(100)).await;
    let err = client.get_gateway().gateway_identifier(&id).send().await.expect_err("gone");
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()));
    assert!(list_all(&client, 10).await.is_empty());
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_tokens_are_idempotent_and_detect_mismatch() {
    let (handle, client) = start_default().await;
    let token = "acgw-0123456789abcdef0123456789abcdef";
    let first = create(&client, "tok").client_token(token).description("a").send().await.expect("first");
    let again = create(&client, "tok").client_token(token).description("a").send().await.expect("replay");
    assert_eq!(first.gateway_id(), again.gateway_id());
    assert_eq!(first.gateway_arn(), again.gateway_arn());
    assert_eq!(list_all(&client, 10).await.len(), 1, "no second gateway");

    let err = create(&client, "tok").client_token(token).description("b").send().await.expect_err("mismatch");
    let Some(CreateGatewayError::ValidationException(v)) = err.as_service_error() else { panic!("{err:?}") };
    assert_eq!(v.reason(), &ValidationExceptionReason::IdempotentParameterMismatchException);
    assert_eq!(list_all(&client, 10).await.len(), 1);
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_response_then_same_token_returns_same_gateway() {
    let (handle, client) = start_default().await;
    handle.set_faults(Faults { lost_response_rate: 1.0, ..Faults::default() });
    let token = "acgw-lost-0123456789abcdef0123456789ab";
    let err = create(&client, "lost").client_token(token).send().await.expect_err("the answer is lost");
    assert!(
        matches!(err, SdkError::DispatchFailure(_)),
        "the SDK must see a transport failure, not a parsed answer: {err:?}"
    );
    assert!(err.raw_response().is_none());

    handle.set_faults(Faults::default());
    let ids = list_all(&client, 10).await;
    assert_eq!(ids.len(), 1, "the create was committed before the connection closed");
    let retry = create(&client, "lost").client_token(token).send().await.expect("retry with the same token");
    assert_eq!(retry.gateway_id(), ids[0]);
    assert_eq!(list_all(&client, 10).await.len(), 1, "still one gateway");

    // Reads are never lost: the knob is about committed mutations.
    handle.set_faults(Faults { lost_response_rate: 1.0, ..Faults::default() });
    client.get_gateway().gateway_identifier(&ids[0]).send().await.expect("reads are answered");
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_throttling_errors_budget_and_latency() {
    let (handle, client) = start_default().await;
    handle.set_faults(Faults { throttle_rate: 1.0, ..Faults::default() });
    let err = client.list_gateways().send().await.expect_err("throttled");
    assert_eq!(err.code(), Some("ThrottlingException"));
    assert_eq!(http_status(&err), Some(429));

    handle.set_faults(Faults { error_rate: 1.0, ..Faults::default() });
    let err = create(&client, "never").send().await.expect_err("500");
    assert!(err.as_service_error().is_some_and(|e| e.is_internal_server_exception()), "{err:?}");
    assert_eq!(http_status(&err), Some(500));
    handle.set_faults(Faults::default());
    assert!(list_all(&client, 10).await.is_empty(), "a failed create changes nothing");

    handle.set_faults(Faults { max_rps: 5, ..Faults::default() });
    // The budget is a one-second window that restarts at the first call after it expires: wait
    // for the current one to expire so that the calls below share one fresh window.
    tokio::time::sleep(Duration::from_millis(1050)).await;
    let started = Instant::now();
    let mut ok = 0;
    let mut throttled = 0;
    for _ in 0..12 {
        match client.list_gateways().send().await {
            Ok(_) => ok += 1,
            Err(e) if e.code() == Some("ThrottlingException") => throttled += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    if started.elapsed() < Duration::from_millis(900) {
        assert_eq!((ok, throttled), (5, 7), "5 calls per second pass, the rest are throttled");
    } else {
        assert!(throttled > 0, "calls above the budget are throttled");
    }

    handle.set_faults(Faults { latency: Duration::from_millis(200), ..Faults::default() });
    let started = Instant::now();
    client.list_gateways().send().await.expect("slow but fine");
    assert!(started.elapsed() >= Duration::from_millis(200));
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_returns_every_gateway_exactly_once() {
    let (handle, client) = start_default().await;
    let mut created = BTreeSet::new();
    for i in 0..23 {
        created.insert(create(&client, &format!("page{i}")).send().await.expect("create").gateway_id().to_string());
    }
    let ids = list_all(&client, 5).await;
    assert_eq!(ids.len(), 23, "no duplicates across pages");
    assert_eq!(ids.iter().cloned().collect::<BTreeSet<_>>(), created);

    // Deleting between pages neither repeats nor skips the remaining gateways.
    let first = client.list_gateways().max_results(10).send().await.expect("page 1");
    let seen: Vec<String> = first.items().iter().map(|g| g.gateway_id().to_string()).collect();
    client.delete_gateway().gateway_identifier(&seen[0]).send().await.expect("delete");
    let rest = client
        .list_gateways()
        .max_results(1000)
        .next_token(first.next_token().expect("more pages"))
        .send()
        .await
        .expect("page 2");
    assert_eq!(rest.items().len(), 13);
    assert!(rest.next_token().is_none());
    assert!(rest.items().iter().all(|g| !seen.contains(&g.gateway_id().to_string())));

    let paginated: usize = client
        .list_gateways()
        .into_paginator()
        .page_size(4)
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("paginator")
        .len();
    assert_eq!(paginated, 22);

    for bad in [0, 1001] {
        let err = client.list_gateways().max_results(bad).send().await.expect_err("out of range");
        assert_eq!(err.code(), Some("ValidationException"), "maxResults={bad}");
    }
    let err = client.list_gateways().next_token("not-a-token").send().await.expect_err("bad token");
    assert_eq!(err.code(), Some("ValidationException"));
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_merge_untag_and_limits() {
    let (handle, client) = start_default().await;
    let gw = create(&client, "tagged").tags("a", "1").tags("b", "2").send().await.expect("create");
    let arn = gw.gateway_arn();
    client.tag_resource().resource_arn(arn).tags("b", "20").tags("c", "3").send().await.expect("tag");
    let tags = client.list_tags_for_resource().resource_arn(arn).send().await.expect("list tags");
    let want: std::collections::HashMap<String, String> =
        [("a", "1"), ("b", "20"), ("c", "3")].into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    assert_eq!(tags.tags(), Some(&want), "TagResource merges");

    client.untag_resource().resource_arn(arn).tag_keys("a").tag_keys("missing").send().await.expect("untag");
    let tags = client.list_tags_for_resource().resource_arn(arn).send().await.expect("list tags");
    assert_eq!(tags.tags().map(|t| t.len()), Some(2));
    assert!(tags.tags().is_some_and(|t| !t.contains_key("a")));

    let mut too_many = client.tag_resource().resource_arn(arn);
    for i in 0..49 {
        too_many = too_many.tags(format!("k{i}"), "v");
    }
    let err = too_many.send().await.expect_err("over 50 tags");
    assert_eq!(err.code(), Some("ServiceQuotaExceededException"));
    assert_eq!(http_status(&err), Some(402));

    let err = client.tag_resource().resource_arn(arn).tags("aws:reserved", "x").send().await.expect_err("aws:");
    assert_eq!(err.code(), Some("ValidationException"));

    let unknown = "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/nothere-abcdefghij";
    let err = client.list_tags_for_resource().resource_arn(unknown).send().await.expect_err("unknown");
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()));
    let err =
        client.list_tags_for_resource().resource_arn("arn:aws:s3:::some-bucket-name").send().await.expect_err("bad");
    assert_eq!(err.code(), Some("ValidationException"));

    // The SDK percent-encodes the ARN; a client that leaves `/` raw reaches the same resource.
    let (status, _, body) = raw(&handle.url(), "GET", &format!("/tags/{arn}"), "").await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(body["tags"]["c"], "3");
    let encoded = percent_encoding::utf8_percent_encode(arn, percent_encoding::NON_ALPHANUMERIC).to_string();
    let (status, _, _) = raw(&handle.url(), "GET", &format!("/tags/{encoded}"), "").await;
    assert_eq!(status, 200);
    handle.shutdown().await.expect("shutdown");
}

/// Creates an MCP-server target on gateway `id`.
async fn mcp_server_target(
    client: &Client,
    id: &str,
    name: &str,
) -> aws_sdk_bedrockagentcorecontrol::operation::create_gateway_target::CreateGatewayTargetOutput {
    client
        .create_gateway_target()
        .gateway_identifier(id)
        .name(name)
        .target_configuration(TargetConfiguration::Mcp(McpTargetConfiguration::McpServer(
            McpServerTargetConfiguration::builder().endpoint("https://mcp.example.com/mcp").build().expect("endpoint"),
        )))
        .send()
        .await
        .expect("create target")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_block_gateway_deletion() {
    let (handle, client) = start_default().await;
    let id = create(&client, "with-targets").send().await.expect("create").gateway_id().to_string();
    let target = mcp_server_target(&client, &id, "orders-mcp").await;
    assert_eq!(target.target_id().len(), 10);
    assert_eq!(target.name(), "orders-mcp");
    assert!(target.target_configuration().is_some_and(|c| c.is_mcp()), "the configuration comes back");

    let err = client.delete_gateway().gateway_identifier(&id).send().await.expect_err("has targets");
    assert_eq!(err.code(), Some("ConflictException"));
    assert_eq!(err.message(), Some("Delete all targets before deleting the gateway"));

    let listed = client.list_gateway_targets().gateway_identifier(&id).send().await.expect("list targets");
    assert_eq!(listed.items().len(), 1);
    assert_eq!(listed.items()[0].target_id(), target.target_id());

    client
        .delete_gateway_target()
        .gateway_identifier(&id)
        .target_id(target.target_id())
        .send()
        .await
        .expect("delete target");
    assert!(client.list_gateway_targets().gateway_identifier(&id).send().await.expect("list").items().is_empty());
    client.delete_gateway().gateway_identifier(&id).send().await.expect("delete once targets are gone");
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_wire_trailing_slash_timestamps_and_error_header() {
    let (handle, client) = start_default().await;
    let url = handle.url();
    let body = r#"{"name":"slash","roleArn":"arn:aws:iam::123456789012:role/r","authorizerType":"NONE",
        "protocolConfiguration":{"mcp":{}},"clientToken":"0123456789abcdef0123456789abcdef01"}"#;
    let (status, headers, text) = raw(&url, "POST", "/gateways/", body).await;
    assert_eq!(status, 202, "{text}");
    assert_eq!(headers.get("content-type").map(String::as_str), Some("application/json"));
    let created: Value = serde_json::from_str(&text).expect("json");
    let id = created["gatewayId"].as_str().expect("id").to_string();
    for key in ["createdAt", "updatedAt"] {
        assert!(created[key].as_str().is_some_and(is_rfc3339), "{key} is an RFC 3339 string: {}", created[key]);
    }
    assert!(created.get("authorizerConfiguration").is_none(), "an unset union is omitted");
    assert!(created.get("protocolType").is_none(), "protocolType stays omitted when the request omitted it");
    assert!(created.get("tags").is_none());

    let (status, _, text) = raw(&url, "GET", &format!("/gateways/{id}/"), "").await;
    assert_eq!(status, 200);
    let got: Value = serde_json::from_str(&text).expect("json");
    let mut empties = Vec::new();
    empty_objects(&got, "", &mut empties);
    assert!(empties.is_empty(), "no {{}} anywhere: {empties:?}");
    assert_eq!(got["protocolConfiguration"]["mcp"]["sessionConfiguration"]["sessionTimeoutInSeconds"], 3600);

    let (status, _, text) = raw(&url, "GET", "/gateways/", "").await;
    assert_eq!(status, 200);
    let list: Value = serde_json::from_str(&text).expect("json");
    assert!(list["items"][0].get("gatewayArn").is_none(), "summaries have no ARN");

    let (status, headers, text) = raw(&url, "POST", "/gateways", "{not json").await;
    assert_eq!(status, 400);
    assert_eq!(headers.get("x-amzn-errortype").map(String::as_str), Some("ValidationException"));
    let err: Value = serde_json::from_str(&text).expect("json error body");
    assert_eq!(err["reason"], "CannotParse");

    let (status, headers, _) = raw(&url, "GET", "/nothing-here", "").await;
    assert_eq!(status, 404);
    assert_eq!(headers.get("x-amzn-errortype").map(String::as_str), Some("UnknownOperationException"));

    // The SDK (no trailing slash) sees what the raw client created.
    assert_eq!(client.get_gateway().gateway_identifier(&id).send().await.expect("get").name(), "slash");
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_creates_with_distinct_names_all_succeed() {
    let (handle, client) = start_default().await;
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                create(&client, &format!("many{i}")).send().await.map(|o| o.gateway_id().to_string())
            })
        })
        .collect();
    let mut ids = BTreeSet::new();
    for t in tasks {
        ids.insert(t.await.expect("task").expect("create succeeds"));
    }
    assert_eq!(ids.len(), 100);
    assert_eq!(list_all(&client, 1000).await.into_iter().collect::<BTreeSet<_>>(), ids);
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_creates_of_one_name_exactly_one_wins() {
    let (handle, client) = start_default().await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { create(&client, "contested").send().await })
        })
        .collect();
    let (mut won, mut conflicts) = (0, 0);
    for t in tasks {
        match t.await.expect("task") {
            Ok(_) => won += 1,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_conflict_exception()) => conflicts += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((won, conflicts), (1, 19));
    assert_eq!(list_all(&client, 10).await.len(), 1);
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_every_call_including_failures() {
    let (handle, client) = start_default().await;
    assert!(handle.stats().values().all(|n| *n == 0), "a fresh emulator has counted nothing");
    let id = create(&client, "counted").send().await.expect("create").gateway_id().to_string();
    client.get_gateway().gateway_identifier(&id).send().await.expect("get");
    client.get_gateway().gateway_identifier("missing-abcdefghij").send().await.expect_err("404");
    handle.set_faults(Faults { throttle_rate: 1.0, ..Faults::default() });
    client.list_gateways().send().await.expect_err("throttled");
    handle.set_faults(Faults::default());
    client.list_gateways().send().await.expect("list");

    let stats = handle.stats();
    assert_eq!(stats.get("CreateGateway"), Some(&1));
    assert_eq!(stats.get("GetGateway"), Some(&2));
    assert_eq!(stats.get("ListGateways"), Some(&2));
    assert_eq!(stats.get("UpdateGateway"), Some(&0));

    let (status, _, text) = raw(&handle.url(), "GET", "/_emulator/stats", "").await;
    assert_eq!(status, 200);
    let over_http: BTreeMap<String, u64> = serde_json::from_str(&text).expect("stats json");
    assert_eq!(over_http, stats, "the endpoint is not itself counted");
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_persists_across_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested").join("state.json");
    let config = Config { state_file: Some(path.clone()), seed: Some(42), ..Config::default() };
    let (handle, client) = start(config.clone()).await;
    let gw = create(&client, "durable").tags("team", "x").send().await.expect("create");
    assert!(path.exists(), "written after the mutation, before shutdown");
    handle.shutdown().await.expect("shutdown");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("state file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().expect("dir")).expect("dir").collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left behind");

    let (handle, client) = start(config.clone()).await;
    let got = client.get_gateway().gateway_identifier(gw.gateway_id()).send().await.expect("survives restart");
    assert_eq!(got.gateway_arn(), gw.gateway_arn());
    assert_eq!(got.created_at(), gw.created_at());
    let tags = client.list_tags_for_resource().resource_arn(gw.gateway_arn()).send().await.expect("tags");
    assert_eq!(tags.tags().and_then(|t| t.get("team")).map(String::as_str), Some("x"));
    // Same seed after a restart: the new ID must still not collide with the stored one.
    let second = create(&client, "durable2").send().await.expect("create after restart");
    assert_ne!(second.gateway_id().rsplit('-').next(), gw.gateway_id().rsplit('-').next());
    handle.shutdown().await.expect("shutdown");

    std::fs::write(&path, b"{ not state").expect("corrupt");
    let Err(err) = Emulator::start(config).await else { panic!("a corrupt state file must not start") };
    assert!(err.to_string().contains("state.json"), "{err}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_prints_url_first_and_stops_on_sigterm() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("emu.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_acgw"))
        .args(["emulator", "--port", "0", "--seed", "7", "--state"])
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn acgw emulator");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let url = match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(line) => line.trim_end().to_string(),
        Err(_) => {
            let _ = child.kill();
            panic!("no first line on stdout within 30 s");
        }
    };
    let port_ok = url.rsplit(':').next().is_some_and(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    assert!(url.starts_with("http://127.0.0.1:") && port_ok, "first line is the URL: {url:?}");

    let client = client(&url);
    let gw = create(&client, "from-binary").send().await.expect("create through the binary");

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("run kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("did not exit within 10 s of SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");

    let saved: Value = serde_json::from_slice(&std::fs::read(&state).expect("state file kept")).expect("valid json");
    assert!(saved["gateways"].get(gw.gateway_id()).is_some(), "the gateway is in the state file");
    assert!(client.list_gateways().send().await.is_err(), "the port is closed after exit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_targets_stay_deleting_for_the_delay_and_block_the_gateway_until_gone() {
    let (handle, client) = start(Config { delete_delay: Duration::from_millis(300), ..Config::default() }).await;
    let id = create(&client, "slow-delete").send().await.expect("create").gateway_id().to_string();
    let target = mcp_server_target(&client, &id, "t").await;
    let deleted = client
        .delete_gateway_target()
        .gateway_identifier(&id)
        .target_id(target.target_id())
        .send()
        .await
        .expect("delete target");
    assert_eq!(deleted.status().as_str(), "DELETING");
    let listed = client.list_gateway_targets().gateway_identifier(&id).send().await.expect("list");
    assert_eq!(listed.items()[0].status().as_str(), "DELETING");
    let err = client.delete_gateway().gateway_identifier(&id).send().await.expect_err("a target is still deleting");
    assert_eq!(err.code(), Some("ConflictException"));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(client.list_gateway_targets().gateway_identifier(&id).send().await.expect("list").items().is_empty());
    client.delete_gateway().gateway_identifier(&id).send().await.expect("delete once targets are gone");
    handle.shutdown().await.expect("shutdown");
}

// ---------------------------------------------------------------- gateway targets

use acgw::emulator::{InjectedError, TargetOperation};
use acgw::model::decode::{Cx, Decode, Node};
use acgw::model::sdk::Sdk;
use acgw::model::target::Target;
use aws_sdk_bedrockagentcorecontrol::operation::create_gateway_target::builders::CreateGatewayTargetInputBuilder;
use aws_sdk_bedrockagentcorecontrol::operation::update_gateway_target::builders::UpdateGatewayTargetInputBuilder;
use aws_sdk_bedrockagentcorecontrol::types::{TargetProtocolType, TargetStatus, TargetType};
use serde_json::json;

const POLICY_HEADER: &str = "x-amzn-bedrock-agentcore-policy-session-id";

/// A target decoded from its API JSON with acgw's model, as a spec's target would be.
fn model_target(v: Value) -> Target {
    let mut problems = Vec::new();
    let mut cx = Cx::new("test", &mut problems);
    let target = Target::decode(&Node::from_json(&v), &mut cx);
    assert!(problems.is_empty(), "{problems:?}");
    target.expect("the fixture decodes")
}

/// CreateGatewayTarget with every member of `t`, converted by acgw's own (generated) conversion.
fn create_target(gateway: &str, t: &Target) -> CreateGatewayTargetInputBuilder {
    acgw::api::convert::create_target_input(gateway, t, "").expect("sdk input").set_client_token(None)
}

/// UpdateGatewayTarget with every member of `t`, converted by acgw's own conversion.
fn update_target(gateway: &str, target_id: &str, t: &Target) -> UpdateGatewayTargetInputBuilder {
    acgw::api::convert::update_target_input(gateway, target_id, t).expect("sdk input")
}

fn mcp_server_json(name: &str) -> Value {
    json!({ "name": name, "targetConfiguration": { "mcp": { "mcpServer": { "endpoint": "https://mcp.example.com/mcp" } } } })
}

fn auth_code_json(name: &str) -> Value {
    let mut v = mcp_server_json(name);
    v["credentialProviderConfigurations"] = json!([{
        "credentialProviderType": "OAUTH",
        "credentialProvider": { "oauthCredentialProvider": {
            "providerArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/idp",
            "scopes": ["read"],
            "grantType": "AUTHORIZATION_CODE",
            "defaultReturnUrl": "https://app.example.com/done"
        } }
    }]);
    v
}

/// One fixture per kind of target: (API JSON, targetType, protocolType).
fn every_kind() -> Vec<(Value, TargetType, Option<TargetProtocolType>)> {
    let lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:orders";
    vec![
        (
            json!({ "name": "lambda", "description": "Order tools",
                "targetConfiguration": { "mcp": { "lambda": { "lambdaArn": lambda_arn, "toolSchema": { "inlinePayload": [{
                    "name": "get_order", "description": "Gets an order",
                    "inputSchema": { "type": "object", "properties": { "id": { "type": "string", "description": "The order" } }, "required": ["id"] },
                    "outputSchema": { "type": "array", "items": { "type": "integer" } }
                }] } } } },
                "credentialProviderConfigurations": [{ "credentialProviderType": "GATEWAY_IAM_ROLE" }] }),
            TargetType::Lambda,
            Some(TargetProtocolType::Mcp),
        ),
        (
            json!({ "name": "openapi", "targetConfiguration": { "mcp": { "openApiSchema": { "inlinePayload": "{\"openapi\":\"3.0.0\"}" } } },
                "credentialProviderConfigurations": [{ "credentialProviderType": "API_KEY", "credentialProvider": { "apiKeyCredentialProvider": {
                    "providerArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/k",
                    "credentialParameterName": "api_key", "credentialLocation": "QUERY_PARAMETER" } } }],
                "metadataConfiguration": { "allowedRequestHeaders": ["x-tenant"], "allowedQueryParameters": ["page"] } }),
            TargetType::OpenApiSchema,
            Some(TargetProtocolType::Mcp),
        ),
        (
            json!({ "name": "smithy", "targetConfiguration": { "mcp": { "smithyModel": { "s3": {
                "uri": "s3://models/orders.json", "bucketOwnerAccountId": "123456789012" } } } } }),
            TargetType::SmithyModel,
            Some(TargetProtocolType::Mcp),
        ),
        (
            json!({ "name": "server", "targetConfiguration": { "mcp": { "mcpServer": {
                "endpoint": "https://mcp.example.com/mcp", "listingMode": "DYNAMIC", "resourcePriority": 10 } } },
                "credentialProviderConfigurations": [{ "credentialProviderType": "GATEWAY_IAM_ROLE",
                    "credentialProvider": { "iamCredentialProvider": { "service": "execute-api", "region": "eu-west-1" } } }],
                "certificateConfigurations": [{ "s3": { "uri": "s3://certs/ca.pem" } }] }),
            TargetType::McpServer,
            Some(TargetProtocolType::Mcp),
        ),
        (
            json!({ "name": "apigw", "targetConfiguration": { "mcp": { "apiGateway": { "restApiId": "a1b2c3", "stage": "prod",
                "apiGatewayToolConfiguration": {
                    "toolFilters": [{ "filterPath": "/orders/*", "methods": ["GET", "POST"] }],
                    "toolOverrides": [{ "name": "list_orders", "path": "/orders", "method": "GET" }] } } } } }),
            TargetType::ApiGateway,
            Some(TargetProtocolType::Mcp),
        ),
        (
            json!({ "name": "connector", "targetConfiguration": { "mcp": { "connector": {
                "source": { "connectorId": "salesforce" }, "enabled": ["query"],
                "configurations": [{ "name": "query", "parameterValues": { "limit": 10, "fields": ["a", ""] } }] } } } }),
            TargetType::Connector,
            Some(TargetProtocolType::Mcp),
        ),
        (
            json!({ "name": "runtime", "targetConfiguration": { "http": { "agentcoreRuntime": {
                "arn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent-0123456789", "qualifier": "DEFAULT" } } } }),
            TargetType::AgentcoreRuntime,
            Some(TargetProtocolType::Http),
        ),
        (
            json!({ "name": "passthrough", "targetConfiguration": { "http": { "passthrough": {
                "endpoint": "https://a2a.example.com", "protocolType": "A2A",
                "stickinessConfiguration": { "identifier": "session", "timeout": 600 },
                "staticQueryParameters": { "v": "2" }, "staticQueryParameterConflictResolution": "STATIC_OVERRIDE" } } } }),
            TargetType::Passthrough,
            Some(TargetProtocolType::Http),
        ),
        (
            json!({ "name": "provider", "targetConfiguration": { "inference": { "provider": {
                "endpoint": "https://llm.example.com/v1",
                "modelMapping": { "providerPrefix": { "strip": true, "separator": "/" } },
                "operations": [{ "path": "/chat/completions", "models": [{ "model": "small" }] }] } } } }),
            TargetType::Provider,
            None,
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_target_kind_round_trips_and_lists_with_its_type() {
    let (handle, client) = start_default().await;
    let gw = create(&client, "kinds").send().await.expect("create gateway").gateway_id().to_string();
    let mut ids = BTreeMap::new();
    for (v, kind, protocol) in every_kind() {
        let t = model_target(v.clone());
        let created = create_target(&gw, &t).send_with(&client).await.unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
        assert_eq!(created.status(), &TargetStatus::Creating);
        let got = client
            .get_gateway_target()
            .gateway_identifier(&gw)
            .target_id(created.target_id())
            .send()
            .await
            .expect("get target");
        assert_eq!(got.status(), &TargetStatus::Ready, "{kind:?}: zero delay, READY at once");
        assert_eq!(got.name(), t.name.as_str());
        assert_eq!(got.target_configuration(), Some(&t.target_configuration.to_sdk().expect("sdk")), "{kind:?}");
        let creds = t.credential_provider_configurations.as_ref().map(Sdk::to_sdk).transpose().expect("sdk");
        assert_eq!(got.credential_provider_configurations(), creds.unwrap_or_default().as_slice(), "{kind:?}");
        let metadata = t.metadata_configuration.as_ref().map(Sdk::to_sdk).transpose().expect("sdk");
        assert_eq!(got.metadata_configuration(), metadata.as_ref());
        let certs = t.certificate_configurations.as_ref().map(Sdk::to_sdk).transpose().expect("sdk");
        assert_eq!(got.certificate_configurations(), certs.unwrap_or_default().as_slice());
        assert_eq!(got.protocol_type(), protocol.as_ref(), "{kind:?}");
        assert_eq!(got.gateway_arn(), format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/{gw}"));
        assert!(got.authorization_data().is_none() && got.last_synchronized_at().is_none());
        ids.insert(created.target_id().to_string(), kind);
    }

    // A target created without credentials is answered without credentialProviderConfigurations
    // (the model requires the member but holds its list to exactly one item, so `[]` breaks it);
    // the SDK would hide either answer, hence the raw read.
    let smithy = ids.iter().find(|(_, k)| **k == TargetType::SmithyModel).map(|(id, _)| id.clone()).expect("smithy");
    let (status, _, text) = raw(&handle.url(), "GET", &format!("/gateways/{gw}/targets/{smithy}/"), "").await;
    assert_eq!(status, 200, "{text}");
    let body: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(body.get("credentialProviderConfigurations"), None, "{text}");
    for key in ["createdAt", "updatedAt"] {
        assert!(body[key].as_str().is_some_and(is_rfc3339), "{key}");
    }

    let mut listed = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_gateway_targets()
            .gateway_identifier(&gw)
            .max_results(2)
            .set_next_token(token.clone())
            .send()
            .await
            .expect("list targets");
        assert!(page.items().len() <= 2);
        for item in page.items() {
            listed.insert(item.target_id().to_string(), item.target_type().cloned().expect("targetType"));
            if item.target_type() == Some(&TargetType::McpServer) {
                assert_eq!(item.resource_priority(), Some(10));
                assert_eq!(item.listing_mode().map(|m| m.as_str()), Some("DYNAMIC"));
            } else {
                assert_eq!(item.resource_priority(), None);
            }
        }
        match page.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(listed, ids, "every target once, with the type of its configuration");
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_validation_names_each_field() {
    let (handle, client) = start_default().await;
    let gw = create(&client, "checked").send().await.expect("create gateway").gateway_id().to_string();
    let err = client
        .create_gateway_target()
        .gateway_identifier(&gw)
        .name("-bad")
        .description("")
        .target_configuration(TargetConfiguration::Mcp(McpTargetConfiguration::McpServer(
            McpServerTargetConfiguration::builder()
                .endpoint("http://not-https.example.com")
                .resource_priority(5000)
                .build()
                .expect("endpoint"),
        )))
        .credential_provider_configurations(
            aws_sdk_bedrockagentcorecontrol::types::CredentialProviderConfiguration::builder()
                .credential_provider_type(
                    aws_sdk_bedrockagentcorecontrol::types::CredentialProviderType::GatewayIamRole,
                )
                .build()
                .expect("type"),
        )
        .send()
        .await
        .expect_err("invalid");
    assert_eq!(http_status(&err), Some(400));
    let v = match err.as_service_error() {
        Some(aws_sdk_bedrockagentcorecontrol::operation::create_gateway_target::CreateGatewayTargetError::ValidationException(v)) => v,
        _ => panic!("expected ValidationException, got {err:?}"),
    };
    assert_eq!(v.reason(), &ValidationExceptionReason::FieldValidationFailed);
    let names: BTreeSet<&str> = v.field_list().iter().map(|f| f.name()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "name",
            "description",
            "targetConfiguration.mcp.mcpServer.endpoint",
            "targetConfiguration.mcp.mcpServer.resourcePriority",
            "credentialProviderConfigurations[0]",
        ]),
        "{v:?}"
    );

    // Unknown members are errors too; the SDK cannot send one, so this goes raw.
    let body = json!({ "name": "x", "targetConfiguration": { "mcp": { "lambda": {
        "lambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:f" } } }, "surprise": true });
    let (status, headers, text) =
        raw(&handle.url(), "POST", &format!("/gateways/{gw}/targets/"), &body.to_string()).await;
    assert_eq!(status, 400);
    assert_eq!(headers.get("x-amzn-errortype").map(String::as_str), Some("ValidationException"));
    let err: Value = serde_json::from_str(&text).expect("json");
    let names: BTreeSet<&str> =
        err["fieldList"].as_array().expect("list").iter().filter_map(|f| f["name"].as_str()).collect();
    assert_eq!(names, BTreeSet::from(["surprise", "targetConfiguration.mcp.lambda.toolSchema"]));
    assert!(client.list_gateway_targets().gateway_identifier(&gw).send().await.expect("list").items().is_empty());
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_names_conflict_and_client_tokens_are_idempotent() {
    let (handle, client) = start_default().await;
    let gw = create(&client, "tokens").send().await.expect("create gateway").gateway_id().to_string();
    let t = model_target(mcp_server_json("once"));
    let token = "0123456789abcdef0123456789abcdef-token";
    let first = create_target(&gw, &t).client_token(token).send_with(&client).await.expect("first");
    let again = create_target(&gw, &t).client_token(token).send_with(&client).await.expect("same token, same request");
    assert_eq!(again.target_id(), first.target_id());
    assert_eq!(again.created_at(), first.created_at());

    let err = create_target(&gw, &t)
        .description("something else")
        .client_token(token)
        .send_with(&client)
        .await
        .expect_err("same token, other request");
    assert_eq!(err.code(), Some("ValidationException"));
    let err = create_target(&gw, &t).send_with(&client).await.expect_err("name taken");
    assert!(err.as_service_error().is_some_and(|e| e.is_conflict_exception()), "{err:?}");
    assert_eq!(http_status(&err), Some(409));

    // The name is per gateway.
    let other = create(&client, "tokens2").send().await.expect("create gateway").gateway_id().to_string();
    create_target(&other, &t).send_with(&client).await.expect("same name, other gateway");
    assert_eq!(client.list_gateway_targets().gateway_identifier(&gw).send().await.expect("list").items().len(), 1);
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_update_replaces_and_statuses_follow_the_delays() {
    let config = Config { create_delay: DELAY, update_delay: DELAY, ..Config::default() };
    let (handle, client) = start(config).await;
    let gw = create(&client, "delays").send().await.expect("create gateway").gateway_id().to_string();
    let (openapi, ..) = every_kind().into_iter().find(|(_, k, _)| *k == TargetType::OpenApiSchema).expect("fixture");
    let t = model_target(openapi);
    let id = create_target(&gw, &t).send_with(&client).await.expect("create").target_id().to_string();
    create_target(&gw, &model_target(mcp_server_json("neighbour"))).send_with(&client).await.expect("neighbour");
    let get = || client.get_gateway_target().gateway_identifier(&gw).target_id(&id).send();
    assert_eq!(get().await.expect("get").status(), &TargetStatus::Creating);
    tokio::time::sleep(DELAY + Duration::from_millis(100)).await;
    let before = get().await.expect("get");
    assert_eq!(before.status(), &TargetStatus::Ready);

    let replacement = model_target(json!({ "name": "renamed", "description": "now a server",
        "targetConfiguration": { "mcp": { "mcpServer": { "endpoint": "https://other.example.com/mcp" } } } }));
    let upd = update_target(&gw, &id, &replacement).send_with(&client).await.expect("update");
    assert_eq!(upd.status(), &TargetStatus::Updating);
    let got = get().await.expect("get");
    assert_eq!(got.status(), &TargetStatus::Updating);
    assert_eq!((got.name(), got.description()), ("renamed", Some("now a server")));
    assert!(got.credential_provider_configurations().is_empty(), "omitted members are dropped");
    assert!(got.metadata_configuration().is_none());
    assert!(got.target_configuration().is_some_and(|c| c.as_mcp().is_ok_and(|m| m.is_mcp_server())));
    assert!(got.updated_at().as_nanos() > before.updated_at().as_nanos());
    assert_eq!(got.created_at(), before.created_at());
    tokio::time::sleep(DELAY + Duration::from_millis(100)).await;
    assert_eq!(get().await.expect("get").status(), &TargetStatus::Ready);

    let err = update_target(&gw, &id, &model_target(mcp_server_json("neighbour")))
        .send_with(&client)
        .await
        .expect_err("name of another target");
    assert!(err.as_service_error().is_some_and(|e| e.is_conflict_exception()), "{err:?}");
    let err = update_target(&gw, "ZZZZZZZZZZ", &replacement).send_with(&client).await.expect_err("no such target");
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()), "{err:?}");

    let (status, _, text) = raw(
        &handle.url(),
        "PUT",
        &format!("/gateways/{gw}/targets/{id}/"),
        &json!({ "name": "renamed", "clientToken": "0123456789abcdef0123456789abcdef-token",
            "targetConfiguration": { "mcp": { "mcpServer": { "endpoint": "https://other.example.com/mcp" } } } })
        .to_string(),
    )
    .await;
    assert_eq!(status, 400, "UpdateGatewayTarget has no clientToken: {text}");
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_code_targets_wait_for_consent() {
    let (handle, client) = start_default().await;
    let gw = create(&client, "consent").send().await.expect("create gateway").gateway_id().to_string();
    let t = model_target(auth_code_json("needs-consent"));
    let id = create_target(&gw, &t).send_with(&client).await.expect("create").target_id().to_string();
    let get = || client.get_gateway_target().gateway_identifier(&gw).target_id(&id).send();
    let got = get().await.expect("get");
    assert_eq!(got.status(), &TargetStatus::CreatePendingAuth);
    let oauth2 = got.authorization_data().and_then(|a| a.as_oauth2().ok()).expect("authorizationData.oauth2");
    assert!(oauth2.authorization_url().starts_with("https://"), "{}", oauth2.authorization_url());
    assert!(oauth2.authorization_url().ends_with(&format!("/authorize?target={id}")));
    assert!(oauth2.user_id().is_some_and(|u| !u.is_empty()));
    let listed = client.list_gateway_targets().gateway_identifier(&gw).send().await.expect("list");
    assert_eq!(listed.items()[0].status(), &TargetStatus::CreatePendingAuth);
    assert!(listed.items()[0].authorization_data().is_some());

    let err = update_target(&gw, &id, &t).send_with(&client).await.expect_err("pending");
    assert!(err.as_service_error().is_some_and(|e| e.is_conflict_exception()), "{err:?}");
    let err = client.synchronize_gateway_targets().gateway_identifier(&gw).target_id_list(&id).send().await;
    assert_eq!(err.expect_err("pending").code(), Some("ConflictException"));
    let err = client.delete_gateway_target().gateway_identifier(&gw).target_id(&id).send().await;
    assert_eq!(err.expect_err("pending").code(), Some("ConflictException"));

    assert!(handle.authorize_target(&gw, &id));
    let got = get().await.expect("get");
    assert_eq!(got.status(), &TargetStatus::Ready);
    assert!(got.authorization_data().is_none());

    update_target(&gw, &id, &t).send_with(&client).await.expect("update once READY");
    assert_eq!(
        get().await.expect("get").status(),
        &TargetStatus::UpdatePendingAuth,
        "a new configuration, a new consent"
    );
    assert!(handle.authorize_target(&gw, &id));
    assert_eq!(get().await.expect("get").status(), &TargetStatus::Ready);
    assert!(!handle.authorize_target(&gw, "ZZZZZZZZZZ"), "no such target");
    client.delete_gateway_target().gateway_identifier(&gw).target_id(&id).send().await.expect("delete once READY");
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_engine_gateways_add_the_session_header_to_targets() {
    let (handle, client) = start_default().await;
    let gw = create(&client, "policed")
        .policy_engine_configuration(
            aws_sdk_bedrockagentcorecontrol::types::GatewayPolicyEngineConfiguration::builder()
                .arn("arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/orders-0123456789")
                .mode(aws_sdk_bedrockagentcorecontrol::types::GatewayPolicyEngineMode::Enforce)
                .build()
                .expect("policy engine"),
        )
        .send()
        .await
        .expect("create gateway")
        .gateway_id()
        .to_string();
    let headers = |got: &aws_sdk_bedrockagentcorecontrol::operation::get_gateway_target::GetGatewayTargetOutput| {
        got.metadata_configuration().map(|m| m.allowed_request_headers().to_vec()).unwrap_or_default()
    };
    let bare = create_target(&gw, &model_target(mcp_server_json("bare"))).send_with(&client).await.expect("create");
    let got =
        client.get_gateway_target().gateway_identifier(&gw).target_id(bare.target_id()).send().await.expect("get");
    assert_eq!(headers(&got), vec![POLICY_HEADER.to_string()], "metadataConfiguration is created for it");

    let mut v = mcp_server_json("listed");
    v["metadataConfiguration"] = json!({ "allowedRequestHeaders": ["x-tenant", POLICY_HEADER] });
    let listed = create_target(&gw, &model_target(v)).send_with(&client).await.expect("create");
    let got =
        client.get_gateway_target().gateway_identifier(&gw).target_id(listed.target_id()).send().await.expect("get");
    assert_eq!(headers(&got), vec!["x-tenant".to_string(), POLICY_HEADER.to_string()], "never twice");

    // Without a policy engine nothing is added.
    let plain = create(&client, "unpoliced").send().await.expect("create gateway").gateway_id().to_string();
    let t = create_target(&plain, &model_target(mcp_server_json("bare"))).send_with(&client).await.expect("create");
    let got =
        client.get_gateway_target().gateway_identifier(&plain).target_id(t.target_id()).send().await.expect("get");
    assert!(got.metadata_configuration().is_none());
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synchronize_refuses_static_targets_then_records_the_sync() {
    let config = Config { update_delay: Duration::from_millis(500), ..Config::default() };
    let (handle, client) = start(config).await;
    let gw = create(&client, "sync").send().await.expect("create gateway").gateway_id().to_string();
    let (lambda, ..) = every_kind().into_iter().next().expect("lambda fixture");
    let lambda = create_target(&gw, &model_target(lambda)).send_with(&client).await.expect("lambda");
    let mut v = mcp_server_json("static");
    v["targetConfiguration"]["mcp"]["mcpServer"]["mcpToolSchema"] = json!({ "inlinePayload": "{\"tools\":[]}" });
    let fixed = create_target(&gw, &model_target(v)).send_with(&client).await.expect("static schema");
    let server =
        create_target(&gw, &model_target(mcp_server_json("dynamic"))).send_with(&client).await.expect("server");
    let sync = |ids: &[&str]| {
        let mut b = client.synchronize_gateway_targets().gateway_identifier(&gw);
        for id in ids {
            b = b.target_id_list(*id);
        }
        b.send()
    };
    for id in [lambda.target_id(), fixed.target_id()] {
        let err = sync(&[id]).await.expect_err("not a dynamic MCP server");
        assert_eq!(err.code(), Some("ValidationException"), "{err:?}");
    }
    let err = sync(&[server.target_id(), fixed.target_id()]).await.expect_err("two IDs");
    assert_eq!(err.code(), Some("ValidationException"));
    let err = sync(&[]).await.expect_err("no ID");
    assert_eq!(err.code(), Some("ValidationException"));

    let out = sync(&[server.target_id()]).await.expect("synchronize");
    assert_eq!(out.targets().len(), 1);
    assert_eq!(out.targets()[0].status(), &TargetStatus::Synchronizing);
    assert_eq!(out.targets()[0].target_id(), server.target_id());
    let get = || client.get_gateway_target().gateway_identifier(&gw).target_id(server.target_id()).send();
    let got = get().await.expect("get");
    assert_eq!(got.status(), &TargetStatus::Synchronizing);
    assert!(got.last_synchronized_at().is_none(), "not synchronized yet");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let got = get().await.expect("get");
    assert_eq!(got.status(), &TargetStatus::Ready);
    let synced = got.last_synchronized_at().expect("lastSynchronizedAt once done").secs();
    assert!(synced >= got.created_at().secs());
    let listed = client.list_gateway_targets().gateway_identifier(&gw).send().await.expect("list");
    let item = listed.items().iter().find(|i| i.target_id() == server.target_id()).expect("listed");
    assert_eq!(item.last_synchronized_at().map(|t| t.secs()), Some(synced));
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_fault_hooks_and_global_faults() {
    let (handle, client) = start_default().await;
    let gw = create(&client, "faulty").send().await.expect("create gateway").gateway_id().to_string();
    let t = model_target(mcp_server_json("flaky"));

    handle.fail_next_target_call(&gw, TargetOperation::Create, InjectedError::Throttling);
    client.list_gateway_targets().gateway_identifier(&gw).send().await.expect("a list is not a create");
    let err = create_target(&gw, &t).send_with(&client).await.expect_err("injected");
    assert_eq!((err.code(), http_status(&err)), (Some("ThrottlingException"), Some(429)));
    assert!(client.list_gateway_targets().gateway_identifier(&gw).send().await.expect("list").items().is_empty());
    let id = create_target(&gw, &t).send_with(&client).await.expect("only once").target_id().to_string();

    handle.fail_next_target_call(&gw, TargetOperation::Any, InjectedError::InternalServer);
    let err = client.get_gateway_target().gateway_identifier(&gw).target_id(&id).send().await.expect_err("500");
    assert_eq!((err.code(), http_status(&err)), (Some("InternalServerException"), Some(500)));

    // A create or update that settles as failed, with the service's reasons.
    handle.fail_next_target(&gw, "broken", &["Failed to connect to the MCP server"]);
    let broken =
        create_target(&gw, &model_target(mcp_server_json("broken"))).send_with(&client).await.expect("accepted");
    let get = |id: String| client.get_gateway_target().gateway_identifier(&gw).target_id(id).send();
    let got = get(broken.target_id().to_string()).await.expect("get");
    assert_eq!(got.status(), &TargetStatus::Failed);
    assert_eq!(got.status_reasons(), ["Failed to connect to the MCP server".to_string()]);
    handle.fail_next_target(&gw, "flaky", &["still unreachable"]);
    update_target(&gw, &id, &t).send_with(&client).await.expect("accepted");
    let got = get(id.clone()).await.expect("get");
    assert_eq!(got.status(), &TargetStatus::UpdateUnsuccessful);
    update_target(&gw, &id, &t).send_with(&client).await.expect("a repair");
    assert_eq!(get(id.clone()).await.expect("get").status(), &TargetStatus::Ready);
    assert!(get(id.clone()).await.expect("get").status_reasons().is_empty());

    // The global knobs cover the target routes too.
    handle.set_faults(Faults { throttle_rate: 1.0, ..Faults::default() });
    let err = get(id.clone()).await.expect_err("throttled");
    assert_eq!(err.code(), Some("ThrottlingException"));
    handle.set_faults(Faults::default());
    let stats = handle.stats();
    assert_eq!(stats.get("GetGatewayTarget"), Some(&6));
    assert_eq!(stats.get("UpdateGatewayTarget"), Some(&2));
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config { state_file: Some(dir.path().join("state.json")), ..Config::default() };
    let (handle, client) = start(config.clone()).await;
    let gw = create(&client, "durable-targets").send().await.expect("create gateway").gateway_id().to_string();
    let (lambda, ..) = every_kind().into_iter().next().expect("lambda fixture");
    let t = model_target(lambda);
    let created = create_target(&gw, &t).send_with(&client).await.expect("create");
    let pending =
        create_target(&gw, &model_target(auth_code_json("pending"))).send_with(&client).await.expect("create");
    handle.shutdown().await.expect("shutdown");

    let (handle, client) = start(config).await;
    let get = |id: String| client.get_gateway_target().gateway_identifier(&gw).target_id(id).send();
    let got = get(created.target_id().to_string()).await.expect("survives");
    assert_eq!(got.target_configuration(), Some(&t.target_configuration.to_sdk().expect("sdk")));
    assert_eq!(got.created_at(), created.created_at());
    let got = get(pending.target_id().to_string()).await.expect("survives");
    assert_eq!(got.status(), &TargetStatus::CreatePendingAuth);
    handle.shutdown().await.expect("shutdown");
}

// ---------------------------------------------------------------- rules, rate limits, policy

use acgw::model::rate_limit::{BatchPutLimitEntry, RateLimit};
use acgw::model::rule::Rule;
use aws_sdk_bedrockagentcorecontrol::types::{GatewayRateLimitStatus, GatewayRuleStatus};

fn decoded<T: Decode>(v: Value) -> T {
    let mut problems = Vec::new();
    let mut cx = Cx::new("test", &mut problems);
    let out = T::decode(&Node::from_json(&v), &mut cx);
    assert!(problems.is_empty(), "{problems:?}");
    out.expect("the fixture decodes")
}

/// A rule with every member; the model allows 2 actions, so priorities 10, 30, … use a static
/// route and a weighted override, and 20, 40, … a weighted route and a static override: two
/// rules use each union member once.
fn full_rule(priority: i32) -> Value {
    const ARN: &str = "arn:aws:bedrock-agentcore:us-east-1:123456789012:configuration-bundle/orders-abcdefghij";
    const V1: &str = "0b5e4c1a-1111-4222-8333-444455556666";
    const V2: &str = "9f8e7d6c-1111-4222-8333-444455556666";
    let actions = if (priority / 10) % 2 == 1 {
        json!([
            { "routeToTarget": { "staticRoute": { "targetName": "primary", "model": "m", "fallback": {
                "triggerOn": { "statusCodes": ["5XX"], "errors": ["UNROUTABLE"] },
                "firstByteTimeoutMilliseconds": 2000,
                "circuitBreaker": { "mode": "DISABLED" },
                "targetFallback": [{ "targetName": "backup", "model": "n", "triggerOn": { "statusCodes": ["429"] }, "firstByteTimeoutMilliseconds": 50 }]
            } } } },
            { "configurationBundle": { "weightedOverride": { "trafficSplit": [
                { "name": "x", "weight": 99, "configurationBundle": { "bundleArn": ARN, "bundleVersion": V1 }, "description": "d", "metadata": { "a": "b" } },
                { "name": "y", "weight": 1, "configurationBundle": { "bundleArn": ARN, "bundleVersion": V2 } }
            ] } } }
        ])
    } else {
        json!([
            { "routeToTarget": { "weightedRoute": { "trafficSplit": [
                { "targetName": "blue", "name": "a", "weight": 70, "description": "d", "metadata": { "k": "v" } },
                { "targetName": "green", "name": "b", "weight": 30 }
            ] } } },
            { "configurationBundle": { "staticOverride": { "bundleArn": ARN, "bundleVersion": V1 } } }
        ])
    };
    json!({
        "priority": priority,
        "description": "every member",
        "conditions": [
            { "matchPrincipals": { "anyOf": [{ "iamPrincipal": { "arn": "arn:aws:iam::123456789012:role/*", "operator": "StringLike" } }] } },
            { "matchPaths": { "anyOf": ["/v1/*"] } },
            { "matchModels": { "anyOf": [{ "value": "claude-*", "operator": "StringLike" }] } }
        ],
        "actions": actions
    })
}

fn create_rule(
    client: &Client,
    gateway: &str,
    r: &Rule,
) -> aws_sdk_bedrockagentcorecontrol::operation::create_gateway_rule::builders::CreateGatewayRuleFluentBuilder {
    client
        .create_gateway_rule()
        .gateway_identifier(gateway)
        .priority(r.priority.get())
        .set_description(r.description.as_ref().map(|d| d.as_str().to_string()))
        .set_conditions(r.conditions.as_ref().map(Sdk::to_sdk).transpose().expect("sdk conditions"))
        .set_actions(Some(r.actions.to_sdk().expect("sdk actions")))
}

fn rule_of(
    priority: i32,
    description: Option<&str>,
    conditions: Option<Vec<aws_sdk_bedrockagentcorecontrol::types::Condition>>,
    actions: Vec<aws_sdk_bedrockagentcorecontrol::types::Action>,
) -> Rule {
    Rule {
        priority: acgw::model::sdk::req(priority, "", "priority").expect("priority"),
        description: acgw::model::sdk::opt(description.map(str::to_string), "", "description").expect("description"),
        conditions: acgw::model::sdk::opt(conditions, "", "conditions").expect("conditions"),
        actions: acgw::model::sdk::req(actions, "", "actions").expect("actions"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_round_trip_every_member_conflict_on_priority_and_page() {
    let (handle, client) = start_default().await;
    let gw = create(&client, "rules").send().await.expect("create gateway").gateway_id().to_string();
    let rule: Rule = decoded(full_rule(10));
    let token = "0123456789abcdef0123456789abcdef-rule";
    let created = create_rule(&client, &gw, &rule).client_token(token).send().await.expect("create");
    assert_eq!(created.status(), &GatewayRuleStatus::Creating, "a create answers CREATING, even without a delay");
    let id = created.rule_id().to_string();
    let again = create_rule(&client, &gw, &rule).client_token(token).send().await.expect("same token");
    assert_eq!(again.rule_id(), id);
    let err =
        create_rule(&client, &gw, &rule).description("other").client_token(token).send().await.expect_err("mismatch");
    assert_eq!(err.code(), Some("ValidationException"));

    let got = client.get_gateway_rule().gateway_identifier(&gw).rule_id(&id).send().await.expect("get");
    let back = rule_of(got.priority(), got.description(), got.conditions.clone(), got.actions().to_vec());
    assert_eq!(back, rule, "model → SDK → emulator → SDK → model");
    assert!(got.system().is_none() && got.updated_at().is_some());

    // Priority is unique within a gateway.
    let err = create_rule(&client, &gw, &rule).send().await.expect_err("priority taken");
    assert!(err.as_service_error().is_some_and(|e| e.is_conflict_exception()), "{err:?}");
    let other: Rule = decoded(full_rule(20));
    let id2 = create_rule(&client, &gw, &other).send().await.expect("second").rule_id().to_string();
    let err = client
        .update_gateway_rule()
        .gateway_identifier(&gw)
        .rule_id(&id2)
        .priority(10)
        .send()
        .await
        .expect_err("taken");
    assert!(err.as_service_error().is_some_and(|e| e.is_conflict_exception()), "{err:?}");

    // PATCH: absent members stay.
    let updated = client
        .update_gateway_rule()
        .gateway_identifier(&gw)
        .rule_id(&id2)
        .priority(30)
        .description("moved")
        .send()
        .await
        .expect("update");
    assert_eq!((updated.priority(), updated.description()), (30, Some("moved")));
    assert_eq!(updated.actions().len(), 2);
    assert_eq!(updated.conditions().len(), 3);
    // `"conditions": []` (0 items is within the model's 0–3) removes the conditions.
    let cleared = client
        .update_gateway_rule()
        .gateway_identifier(&gw)
        .rule_id(&id2)
        .set_conditions(Some(Vec::new()))
        .send()
        .await
        .expect("conditions cleared");
    assert!(cleared.conditions().is_empty(), "{cleared:?}");
    assert_eq!(cleared.description(), Some("moved"), "absent members stay");

    // Validation names fields.
    let err = client
        .create_gateway_rule()
        .gateway_identifier(&gw)
        .priority(0)
        .actions(aws_sdk_bedrockagentcorecontrol::types::Action::RouteToTarget(
            aws_sdk_bedrockagentcorecontrol::types::RouteToTargetAction::StaticRoute(
                aws_sdk_bedrockagentcorecontrol::types::StaticRoute::builder()
                    .target_name("-bad")
                    .build()
                    .expect("static"),
            ),
        ))
        .send()
        .await
        .expect_err("invalid");
    let fields: Vec<String> = err
        .as_service_error()
        .and_then(|e| match e {
            aws_sdk_bedrockagentcorecontrol::operation::create_gateway_rule::CreateGatewayRuleError::ValidationException(v) => {
                Some(v.field_list().iter().map(|f| f.name().to_string()).collect())
            }
            _ => None,
        })
        .unwrap_or_default();
    assert_eq!(fields, vec!["priority", "actions[0].routeToTarget.staticRoute.targetName"]);

    // Paging over five rules, two at a time.
    for p in 40..43 {
        create_rule(&client, &gw, &decoded(full_rule(p))).send().await.expect("more");
    }
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = client
            .list_gateway_rules()
            .gateway_identifier(&gw)
            .max_results(2)
            .set_next_token(next.clone())
            .send()
            .await
            .expect("list");
        assert!(page.gateway_rules().len() <= 2);
        seen.extend(page.gateway_rules().iter().map(|r| r.priority()));
        match page.next_token() {
            Some(t) => next = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, vec![10, 30, 40, 41, 42]);

    // Rules block the gateway's deletion; after their deletion it goes.
    let err = client.delete_gateway().gateway_identifier(&gw).send().await.expect_err("rules left");
    assert!(err.as_service_error().is_some_and(|e| e.is_conflict_exception()), "{err:?}");
    let rules = client.list_gateway_rules().gateway_identifier(&gw).send().await.expect("list");
    for r in rules.gateway_rules() {
        let out =
            client.delete_gateway_rule().gateway_identifier(&gw).rule_id(r.rule_id()).send().await.expect("delete");
        assert_eq!(out.status(), &GatewayRuleStatus::Deleting);
    }
    client.delete_gateway().gateway_identifier(&gw).send().await.expect("delete gateway");
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_and_rate_limit_statuses_follow_the_delays() {
    let config = Config { create_delay: DELAY, update_delay: DELAY, delete_delay: DELAY, ..Config::default() };
    let (handle, client) = start(config).await;
    let gw = create(&client, "partdelays").send().await.expect("create gateway").gateway_id().to_string();
    tokio::time::sleep(DELAY).await;
    let rule: Rule = decoded(full_rule(1));
    let id = create_rule(&client, &gw, &rule).send().await.expect("create").rule_id().to_string();
    let limit = client
        .create_gateway_rate_limit()
        .gateway_identifier(&gw)
        .rate_limit_id("slow")
        .dimension_keys("$.context.iam.principal")
        .entries(limit_entry(&[("$.context.iam.principal", "*")], 5.0))
        .send()
        .await
        .expect("create limit");
    assert_eq!(limit.status(), &GatewayRateLimitStatus::Creating);
    let rule_status = || async {
        client.get_gateway_rule().gateway_identifier(&gw).rule_id(&id).send().await.expect("get").status().clone()
    };
    let limit_status = || async {
        client
            .get_gateway_rate_limit()
            .gateway_identifier(&gw)
            .rate_limit_id("slow")
            .send()
            .await
            .map(|l| l.status().clone())
    };
    assert_eq!(rule_status().await, GatewayRuleStatus::Creating);
    let err = client
        .update_gateway_rule()
        .gateway_identifier(&gw)
        .rule_id(&id)
        .description("x")
        .send()
        .await
        .expect_err("busy");
    assert!(err.as_service_error().is_some_and(|e| e.is_conflict_exception()), "{err:?}");
    tokio::time::sleep(DELAY + Duration::from_millis(100)).await;
    assert_eq!(rule_status().await, GatewayRuleStatus::Active);
    assert_eq!(limit_status().await.expect("get"), GatewayRateLimitStatus::Active);
    client.update_gateway_rule().gateway_identifier(&gw).rule_id(&id).description("x").send().await.expect("update");
    assert_eq!(rule_status().await, GatewayRuleStatus::Updating);
    client
        .update_gateway_rate_limit()
        .gateway_identifier(&gw)
        .rate_limit_id("slow")
        .entries(limit_entry(&[("$.context.iam.principal", "*")], 6.0))
        .send()
        .await
        .expect("update limit");
    assert_eq!(limit_status().await.expect("get"), GatewayRateLimitStatus::Updating);
    tokio::time::sleep(DELAY + Duration::from_millis(100)).await;
    assert_eq!(rule_status().await, GatewayRuleStatus::Active);
    client.delete_gateway_rate_limit().gateway_identifier(&gw).rate_limit_id("slow").send().await.expect("delete");
    assert_eq!(limit_status().await.expect("get"), GatewayRateLimitStatus::Deleting);
    tokio::time::sleep(DELAY + Duration::from_millis(100)).await;
    let err = limit_status().await.expect_err("gone");
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()), "{err:?}");
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn system_managed_rules_cannot_be_changed() {
    let (handle, client) = start_default().await;
    let gw = create(&client, "system").send().await.expect("create gateway").gateway_id().to_string();
    let id = handle.add_system_rule(&gw, 5, "bedrock-agentcore-policy").expect("added");
    assert_eq!(handle.add_system_rule(&gw, 5, "$.context.jwt.other"), None, "the priority is taken");
    let got = client.get_gateway_rule().gateway_identifier(&gw).rule_id(&id).send().await.expect("get");
    assert_eq!(got.system().map(|s| s.managed_by()), Some("bedrock-agentcore-policy"));
    let err = client
        .update_gateway_rule()
        .gateway_identifier(&gw)
        .rule_id(&id)
        .description("mine")
        .send()
        .await
        .expect_err("refused");
    assert_eq!(err.code(), Some("ValidationException"));
    let err = client.delete_gateway_rule().gateway_identifier(&gw).rule_id(&id).send().await.expect_err("refused");
    assert_eq!(err.code(), Some("ValidationException"));
    let err = create_rule(&client, &gw, &decoded(full_rule(5))).send().await.expect_err("priority held by the system");
    assert!(err.as_service_error().is_some_and(|e| e.is_conflict_exception()), "{err:?}");
    // A system rule does not keep its gateway alive.
    client.delete_gateway().gateway_identifier(&gw).send().await.expect("delete gateway");
    handle.shutdown().await.expect("shutdown");
}

fn limit_entry(dims: &[(&str, &str)], rate: f64) -> aws_sdk_bedrockagentcorecontrol::types::LimitEntry {
    use aws_sdk_bedrockagentcorecontrol::types::{LimitEntry, Period, RateConfig};
    let mut b = LimitEntry::builder();
    for (k, v) in dims {
        b = b.dimensions(*k, *v);
    }
    b.requests(RateConfig::builder().rate(rate).period(Period::Minute).build().expect("rate")).build().expect("entry")
}

fn full_rate_limit(id: &str) -> Value {
    json!({
        "rateLimitId": id,
        "description": "every member",
        "dimensionKeys": ["$.context.iam.principal", "qualifiedModelId"],
        "entries": [
            { "dimensions": { "$.context.iam.principal": "a", "qualifiedModelId": "m" },
              "requests": [{ "rate": 100, "period": "minute" }],
              "tokens": [{ "rate": 2.5, "period": "second" }],
              "connections": [{ "rate": 3, "period": "second" }] },
            { "dimensions": { "$.context.iam.principal": "a", "qualifiedModelId": "*" }, "requests": [{ "rate": 10, "period": "second" }] }
        ]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_round_trip_conflict_cap_and_batch_put() {
    let (handle, client) = start_default().await;
    let gw = create(&client, "limits").send().await.expect("create gateway").gateway_id().to_string();
    let limit: RateLimit = decoded(full_rate_limit("per-principal"));
    let token = "0123456789abcdef0123456789abcdef-limit";
    let send = |token: Option<&str>| {
        client
            .create_gateway_rate_limit()
            .gateway_identifier(&gw)
            .rate_limit_id(limit.rate_limit_id.as_str())
            .set_description(limit.description.as_ref().map(|d| d.as_str().to_string()))
            .set_dimension_keys(Some(limit.dimension_keys.to_sdk().expect("keys")))
            .set_entries(Some(limit.entries.to_sdk().expect("entries")))
            .set_client_token(token.map(str::to_string))
            .send()
    };
    let created = send(Some(token)).await.expect("create");
    assert_eq!(created.rate_limit_id(), "per-principal");
    assert_eq!(send(Some(token)).await.expect("same token").created_at(), created.created_at());
    let err = send(None).await.expect_err("id taken");
    assert!(err.as_service_error().is_some_and(|e| e.is_conflict_exception()), "{err:?}");

    let got = client
        .get_gateway_rate_limit()
        .gateway_identifier(&gw)
        .rate_limit_id("per-principal")
        .send()
        .await
        .expect("get");
    let back = RateLimit {
        rate_limit_id: acgw::model::sdk::req(got.rate_limit_id().to_string(), "", "rateLimitId").expect("id"),
        description: acgw::model::sdk::opt(got.description().map(str::to_string), "", "description").expect("d"),
        dimension_keys: acgw::model::sdk::req(got.dimension_keys().to_vec(), "", "dimensionKeys").expect("keys"),
        entries: acgw::model::sdk::req(got.entries().to_vec(), "", "entries").expect("entries"),
    };
    assert_eq!(back, limit, "model → SDK → emulator → SDK → model");
    assert_eq!(got.gateway_identifier(), gw);

    // Dimension keys are unique per gateway and immutable; the wildcard only trails.
    let err = client
        .create_gateway_rate_limit()
        .gateway_identifier(&gw)
        .dimension_keys("$.context.iam.principal")
        .dimension_keys("qualifiedModelId")
        .entries(limit_entry(&[("$.context.iam.principal", "b"), ("qualifiedModelId", "c")], 1.0))
        .send()
        .await
        .expect_err("same keys");
    assert!(err.as_service_error().is_some_and(|e| e.is_conflict_exception()), "{err:?}");
    let err = client
        .update_gateway_rate_limit()
        .gateway_identifier(&gw)
        .rate_limit_id("per-principal")
        .entries(limit_entry(&[("$.context.iam.principal", "*"), ("qualifiedModelId", "m")], 1.0))
        .send()
        .await
        .expect_err("leading wildcard");
    assert_eq!(err.code(), Some("ValidationException"));
    let updated = client
        .update_gateway_rate_limit()
        .gateway_identifier(&gw)
        .rate_limit_id("per-principal")
        .entries(limit_entry(&[("$.context.iam.principal", "a"), ("qualifiedModelId", "*")], 7.0))
        .send()
        .await
        .expect("update");
    assert_eq!((updated.entries().len(), updated.description()), (1, Some("every member")));
    // The model allows an empty description (0–512 characters, unlike other descriptions): an
    // update with one clears it.
    let cleared = client
        .update_gateway_rate_limit()
        .gateway_identifier(&gw)
        .rate_limit_id("per-principal")
        .entries(limit_entry(&[("$.context.iam.principal", "a"), ("qualifiedModelId", "*")], 7.0))
        .description("")
        .send()
        .await
        .expect("an empty description is valid");
    assert_eq!((cleared.entries().len(), cleared.description()), (1, None));
    let err = client
        .update_gateway_rule()
        .gateway_identifier(&gw)
        .rule_id("00000000-0000-4000-8000-000000000000")
        .description("")
        .send()
        .await
        .expect_err("a rule's description is 1–256");
    assert_eq!(err.code(), Some("ValidationException"), "{err:?}");
    assert!(format!("{err:?}").contains("description"), "{err:?}");

    // At most 50 per gateway (one exists).
    for i in 0..49 {
        client
            .create_gateway_rate_limit()
            .gateway_identifier(&gw)
            .dimension_keys(format!("$.context.jwt.k{i}"))
            .entries(limit_entry(&[(&format!("$.context.jwt.k{i}"), "*")], 1.0))
            .send()
            .await
            .expect("within the quota");
    }
    let err = client
        .create_gateway_rate_limit()
        .gateway_identifier(&gw)
        .dimension_keys("toolName")
        .entries(limit_entry(&[("toolName", "*")], 1.0))
        .send()
        .await
        .expect_err("quota");
    assert!(err.as_service_error().is_some_and(|e| e.is_service_quota_exceeded_exception()), "{err:?}");
    let mut all = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = client
            .list_gateway_rate_limits()
            .gateway_identifier(&gw)
            .max_results(7)
            .set_next_token(next.clone())
            .send()
            .await
            .expect("list");
        all.extend(page.rate_limits().iter().map(|r| r.rate_limit_id().to_string()));
        match page.next_token() {
            Some(t) => next = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(all.len(), 50);
    assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), 50);

    // BatchPut is the complete set: one kept by ID, one matched by keys, one new; the rest go.
    let batch: BatchPutLimitEntry = decoded(full_rate_limit("per-principal"));
    let by_keys = aws_sdk_bedrockagentcorecontrol::types::BatchPutLimitEntry::builder()
        .dimension_keys("$.context.jwt.k3")
        .entries(limit_entry(&[("$.context.jwt.k3", "x")], 9.0))
        .build()
        .expect("batch entry");
    let new = aws_sdk_bedrockagentcorecontrol::types::BatchPutLimitEntry::builder()
        .rate_limit_id("fresh")
        .dimension_keys("$.context.jwt.tenant")
        .entries(limit_entry(&[("$.context.jwt.tenant", "*")], 2.0))
        .build()
        .expect("batch entry");
    let out = client
        .batch_put_gateway_rate_limits()
        .gateway_identifier(&gw)
        .rate_limits(batch.to_sdk().expect("sdk"))
        .rate_limits(by_keys)
        .rate_limits(new)
        .send()
        .await
        .expect("batch put");
    assert_eq!(out.rate_limits().len(), 3);
    let listed = client.list_gateway_rate_limits().gateway_identifier(&gw).send().await.expect("list");
    let ids: Vec<&str> = listed.rate_limits().iter().map(|r| r.rate_limit_id()).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.contains(&"per-principal") && ids.contains(&"fresh"), "{ids:?}");
    let bad = aws_sdk_bedrockagentcorecontrol::types::BatchPutLimitEntry::builder()
        .rate_limit_id("fresh")
        .dimension_keys("$.context.jwt.other")
        .entries(limit_entry(&[("$.context.jwt.other", "*")], 2.0))
        .build()
        .expect("batch entry");
    let err = client
        .batch_put_gateway_rate_limits()
        .gateway_identifier(&gw)
        .rate_limits(bad)
        .send()
        .await
        .expect_err("keys are immutable");
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(
        client.list_gateway_rate_limits().gateway_identifier(&gw).send().await.expect("list").rate_limits().len(),
        3,
        "all or nothing"
    );

    let err = client.delete_gateway().gateway_identifier(&gw).send().await.expect_err("rate limits left");
    assert!(err.as_service_error().is_some_and(|e| e.is_conflict_exception()), "{err:?}");
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_policy_put_get_delete() {
    let (handle, client) = start_default().await;
    let gw = create(&client, "policy").send().await.expect("create gateway");
    let arn = gw.gateway_arn().to_string();
    let err = client.get_resource_policy().resource_arn(&arn).send().await.expect_err("none yet");
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()), "{err:?}");
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"bedrock-agentcore:InvokeGateway","Resource":"*"}]}"#;
    let put = client.put_resource_policy().resource_arn(&arn).policy(doc).send().await.expect("put");
    assert_eq!(put.policy(), doc);
    let got = client.get_resource_policy().resource_arn(&arn).send().await.expect("get");
    let policy = acgw::model::policy::ResourcePolicy::parse(got.policy().unwrap_or_default()).expect("valid");
    assert_eq!(policy.document()["Statement"][0]["Effect"], "Allow");
    for bad in ["{not json", r#"{"Statement":[]}"#] {
        let err = client.put_resource_policy().resource_arn(&arn).policy(bad).send().await.expect_err("invalid");
        assert_eq!(err.code(), Some("ValidationException"), "{bad}");
    }
    client.delete_resource_policy().resource_arn(&arn).send().await.expect("delete");
    let err = client.delete_resource_policy().resource_arn(&arn).send().await.expect_err("already gone");
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()), "{err:?}");
    let other = "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/nope-abcdefghij";
    let err = client.put_resource_policy().resource_arn(other).policy(doc).send().await.expect_err("no gateway");
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()), "{err:?}");
    handle.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_and_rate_limit_lists_take_1_to_100_per_page() {
    use acgw::api::ReadApi;
    let (handle, client) = start_default().await;
    let gw = create(&client, "pages").send().await.expect("create gateway").gateway_id().to_string();
    // model: GatewayRuleMaxResults and GatewayRateLimitMaxResults are 1–100, unlike the 1–1000
    // of ListGateways and ListGatewayTargets.
    for bad in [0, 101, 1000] {
        let err = client.list_gateway_rules().gateway_identifier(&gw).max_results(bad).send().await.expect_err("rules");
        assert_eq!(err.code(), Some("ValidationException"), "ListGatewayRules maxResults={bad}");
        let err = client
            .list_gateway_rate_limits()
            .gateway_identifier(&gw)
            .max_results(bad)
            .send()
            .await
            .expect_err("rate limits");
        assert_eq!(err.code(), Some("ValidationException"), "ListGatewayRateLimits maxResults={bad}");
    }
    for good in [1, 100] {
        client.list_gateway_rules().gateway_identifier(&gw).max_results(good).send().await.expect("rules");
        client.list_gateway_rate_limits().gateway_identifier(&gw).max_results(good).send().await.expect("limits");
    }
    client.list_gateway_targets().gateway_identifier(&gw).max_results(1000).send().await.expect("targets");
    // acgw's client reads every rule, in pages within the bound.
    for priority in 1..=101 {
        let rule = json!({
            "priority": priority,
            "actions": [{ "routeToTarget": { "staticRoute": { "targetName": "t" } } }]
        });
        create_rule(&client, &gw, &decoded(rule)).send().await.expect("create rule");
    }
    let api = acgw::api::sdk::SdkApi::new(client.clone());
    let rules = api.list_rules(&gw).await.expect("acgw lists every rule");
    assert_eq!(rules.len(), 101);
    assert!(api.list_rate_limits(&gw).await.expect("acgw lists rate limits").is_empty());
    handle.shutdown().await.expect("shutdown");
}

/// What issue 24 found the emulator answering against the service model (botocore 1.44.18):
/// 10-character rule IDs (the model's `GatewayRuleId` is a lowercase UUID, which boto3 checks
/// before sending), 202 for every rate-limit mutation (the model: Create 201, Update 200, Delete
/// 200), `credentialProviderConfigurations: []` (the model's list holds exactly one item), and
/// `updatedAt` in CreateGatewayRule's answer (not in its output shape).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_follow_the_service_models_ids_codes_and_members() {
    let (handle, client) = start_default().await;
    let url = handle.url();
    let gw = create(&client, "model").send().await.expect("create").gateway_id().to_string();

    let rule = r#"{"priority":7,"actions":[{"routeToTarget":{"staticRoute":{"targetName":"t"}}}]}"#;
    let (status, _, text) = raw(&url, "POST", &format!("/gateways/{gw}/rules"), rule).await;
    assert_eq!(status, 202, "{text}");
    let created: Value = serde_json::from_str(&text).expect("json");
    let rule_id = created["ruleId"].as_str().expect("ruleId").to_string();
    let uuid = regex::Regex::new("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$").expect("regex");
    assert!(uuid.is_match(&rule_id), "a rule ID is a lowercase UUID: {rule_id}");
    assert_eq!(created.get("updatedAt"), None, "CreateGatewayRule's output has no updatedAt: {text}");
    let (status, _, text) = raw(&url, "GET", &format!("/gateways/{gw}/rules/{rule_id}"), "").await;
    assert_eq!(status, 200, "{text}");
    let got: Value = serde_json::from_str(&text).expect("json");
    assert!(got["updatedAt"].is_string(), "GetGatewayRule's output has updatedAt: {text}");
    let (status, _, text) = raw(&url, "GET", &format!("/gateways/{gw}/rules/NPGQU8PHPW"), "").await;
    assert_eq!(status, 400, "an ID outside the model's pattern is refused: {text}");

    let limit = full_rate_limit("per-principal").to_string();
    let (status, _, text) = raw(&url, "POST", &format!("/gateways/{gw}/rate-limits"), &limit).await;
    assert_eq!(status, 201, "CreateGatewayRateLimit: {text}");
    let patch = r#"{"description":"changed"}"#;
    let (status, _, text) = raw(&url, "PATCH", &format!("/gateways/{gw}/rate-limits/per-principal"), patch).await;
    assert_eq!(status, 400, "the model's UpdateGatewayRateLimit requires entries: {text}");
    let mut patch = full_rate_limit("per-principal");
    patch.as_object_mut().expect("object").retain(|k, _| k == "entries" || k == "description");
    let (status, _, text) =
        raw(&url, "PATCH", &format!("/gateways/{gw}/rate-limits/per-principal"), &patch.to_string()).await;
    assert_eq!(status, 200, "UpdateGatewayRateLimit: {text}");
    let (status, _, text) = raw(&url, "DELETE", &format!("/gateways/{gw}/rate-limits/per-principal"), "").await;
    assert_eq!(status, 200, "DeleteGatewayRateLimit: {text}");
    let (status, _, text) = raw(&url, "DELETE", &format!("/gateways/{gw}/rules/{rule_id}"), "").await;
    assert_eq!(status, 202, "DeleteGatewayRule: {text}");

    let target =
        r#"{"name":"bare","targetConfiguration":{"mcp":{"mcpServer":{"endpoint":"https://mcp.example.com"}}}}"#;
    let (status, _, text) = raw(&url, "POST", &format!("/gateways/{gw}/targets"), target).await;
    assert_eq!(status, 202, "{text}");
    let created: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(created.get("credentialProviderConfigurations"), None, "{text}");
    // The SDK reads the missing list as empty.
    let id = created["targetId"].as_str().expect("targetId");
    let got = client.get_gateway_target().gateway_identifier(&gw).target_id(id).send().await.expect("get target");
    assert!(got.credential_provider_configurations().is_empty());
    handle.shutdown().await.expect("shutdown");
}

/// The conformance layer catches a deliberately wrong answer: against a copy of the model whose
/// CreateGateway answers 200 and has no `gatewayUrl`, the emulator's (right) CreateGateway answer
/// is a deviation, named by operation and member path, and fails `shutdown`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conformance_layer_fails_shutdown_on_a_response_the_model_does_not_allow() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/model/agentcore-control.json");
    let mut model: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("model")).expect("json");
    model["operations"]["CreateGateway"]["http"]["responseCode"] = 200.into();
    let shape = &mut model["shapes"]["CreateGatewayResponse"];
    shape["members"].as_object_mut().expect("members").remove("gatewayUrl");
    shape["required"].as_array_mut().expect("required").retain(|m| m != "gatewayUrl");
    let dir = tempfile::tempdir().expect("tempdir");
    let altered = dir.path().join("altered.json");
    std::fs::write(&altered, model.to_string()).expect("write");

    let handle = Emulator::start(Config { conformance: Some(altered), ..Config::default() }).await.expect("starts");
    let client = client(&handle.url());
    create(&client, "wrong").send().await.expect("the client still gets its answer");
    let found = handle.deviations();
    assert_eq!(
        found,
        [
            "CreateGateway response: status 202, the model's success code is 200",
            "CreateGateway response: $.gatewayUrl: not a member of the shape",
        ],
        "{found:#?}"
    );
    let err = handle.shutdown().await.expect_err("a deviation fails shutdown");
    let text = err.to_string();
    assert!(text.contains("deviated from the service model") && text.contains("$.gatewayUrl"), "{text}");
}

// ---------------------------------------------------------------- credential providers (issue 26)

mod credential_providers {
    use super::*;
    use acgw::api::sdk::SdkApi;
    use acgw::api::{ApiError, ReadApi, WriteApi};
    use acgw::model::credential_provider::{
        CredentialProviderSpec, Oauth2ProviderConfigOutput, ProviderKind, SecretSource,
    };
    use acgw::model::decode::{Cx, Decode, Node};
    use aws_sdk_bedrockagentcorecontrol::types::{
        CredentialProviderVendorType, GithubOauth2ProviderConfigInput, Oauth2ProviderConfigInput, SecretReference,
        SecretSourceType,
    };

    const GH_SECRET: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:github-oauth";
    /// A secret value distinctive enough that finding it anywhere is a leak.
    const PLANTED: &str = "planted-Secret-9f3c1e7a";

    fn github(secret: Option<&str>) -> Oauth2ProviderConfigInput {
        let b = GithubOauth2ProviderConfigInput::builder().client_id("Iv1.0123456789abcdef");
        let b = match secret {
            Some(s) => b.client_secret(s),
            None => b.client_secret("").client_secret_source(SecretSourceType::External).client_secret_config(
                SecretReference::builder().secret_id(GH_SECRET).json_key("client_secret").build().expect("reference"),
            ),
        };
        Oauth2ProviderConfigInput::GithubOauth2ProviderConfig(b.build().expect("github config"))
    }

    fn spec(json: Value) -> CredentialProviderSpec {
        let mut problems = Vec::new();
        let out = CredentialProviderSpec::decode(&Node::from_json(&json), &mut Cx::new("test", &mut problems));
        assert!(problems.is_empty(), "{problems:?}");
        out.expect("a provider")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_oauth2_provider_is_created_read_listed_tagged_updated_and_deleted() {
        let (handle, client) = start_default().await;
        let created = client
            .create_oauth2_credential_provider()
            .name("github")
            .credential_provider_vendor(CredentialProviderVendorType::GithubOauth2)
            .oauth2_provider_config_input(github(None))
            .tags("team", "tools")
            .send()
            .await
            .expect("create");
        let arn =
            "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/github";
        assert_eq!(created.credential_provider_arn, arn);
        assert_eq!(created.client_secret_arn.as_ref().map(|s| s.secret_arn.as_str()), Some(GH_SECRET));
        assert_eq!(created.client_secret_json_key.as_deref(), Some("client_secret"));
        assert_eq!(created.client_secret_source, Some(SecretSourceType::External));
        assert_eq!(
            created.callback_url.as_deref(),
            Some("https://bedrock-agentcore.us-east-1.amazonaws.com/identities/oauth2/callback")
        );

        let got = client.get_oauth2_credential_provider().name("github").send().await.expect("get");
        assert_eq!(got.credential_provider_vendor, CredentialProviderVendorType::GithubOauth2);
        let Some(aws_sdk_bedrockagentcorecontrol::types::Oauth2ProviderConfigOutput::GithubOauth2ProviderConfig(out)) =
            got.oauth2_provider_config_output
        else {
            panic!("a GitHub configuration")
        };
        assert_eq!(out.client_id.as_deref(), Some("Iv1.0123456789abcdef"));
        assert!(out.oauth_discovery.is_some(), "the vendor's discovery is answered");

        let listed = client.list_oauth2_credential_providers().send().await.expect("list");
        let names: Vec<&str> = listed.credential_providers.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["github"]);

        // Tags live on the provider's ARN, as on a gateway's.
        let tags = client.list_tags_for_resource().resource_arn(arn).send().await.expect("tags");
        assert_eq!(tags.tags.unwrap_or_default().get("team").map(String::as_str), Some("tools"));
        client.tag_resource().resource_arn(arn).tags("acgw:owner", "ci").send().await.expect("tag");
        client.untag_resource().resource_arn(arn).tag_keys("team").send().await.expect("untag");
        let tags = client.list_tags_for_resource().resource_arn(arn).send().await.expect("tags");
        let tags: BTreeMap<String, String> = tags.tags.unwrap_or_default().into_iter().collect();
        assert_eq!(tags, BTreeMap::from([("acgw:owner".to_string(), "ci".to_string())]));

        // An update is a full update: the secret moves from a reference to a value the service keeps.
        let updated = client
            .update_oauth2_credential_provider()
            .name("github")
            .credential_provider_vendor(CredentialProviderVendorType::GithubOauth2)
            .oauth2_provider_config_input(github(Some(PLANTED)))
            .send()
            .await
            .expect("update");
        assert_eq!(updated.client_secret_source, Some(SecretSourceType::Managed));
        let managed = updated.client_secret_arn.map(|s| s.secret_arn).unwrap_or_default();
        assert!(managed.starts_with("arn:aws:secretsmanager:us-east-1:123456789012:secret:"), "{managed}");
        assert_ne!(managed, GH_SECRET);

        client.delete_oauth2_credential_provider().name("github").send().await.expect("delete");
        let err = client.get_oauth2_credential_provider().name("github").send().await.expect_err("gone");
        assert_eq!(err.code(), Some("ResourceNotFoundException"));
        let err = client.delete_oauth2_credential_provider().name("github").send().await.expect_err("gone");
        assert_eq!(err.code(), Some("ResourceNotFoundException"));
        let err = client.list_tags_for_resource().resource_arn(arn).send().await.expect_err("its tags are gone too");
        assert_eq!(err.code(), Some("ResourceNotFoundException"));
        handle.shutdown().await.expect("no deviation from the model");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_api_key_provider_round_trips_and_lists_in_pages() {
        let (handle, client) = start_default().await;
        for name in ["weather", "maps", "news"] {
            let out =
                client.create_api_key_credential_provider().name(name).api_key(PLANTED).send().await.expect("create");
            assert_eq!(
                out.credential_provider_arn,
                format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/{name}")
            );
            assert_eq!(out.api_key_secret_source, Some(SecretSourceType::Managed));
        }
        let mut names = Vec::new();
        let mut token = None;
        let mut pages = 0;
        loop {
            let page = client
                .list_api_key_credential_providers()
                .max_results(2)
                .set_next_token(token)
                .send()
                .await
                .expect("list");
            pages += 1;
            names.extend(page.credential_providers.into_iter().map(|p| p.name));
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        assert_eq!((pages, names), (2, vec!["maps".to_string(), "news".into(), "weather".into()]));

        let updated = client
            .update_api_key_credential_provider()
            .name("weather")
            .api_key_secret_source(SecretSourceType::External)
            .api_key_secret_config(
                SecretReference::builder().secret_id("weather-key").json_key("api_key").build().expect("reference"),
            )
            .send()
            .await
            .expect("update");
        assert_eq!(
            updated.api_key_secret_arn.map(|s| s.secret_arn).as_deref(),
            Some("arn:aws:secretsmanager:us-east-1:123456789012:secret:weather-key")
        );
        let got = client.get_api_key_credential_provider().name("weather").send().await.expect("get");
        assert_eq!(got.api_key_secret_json_key.as_deref(), Some("api_key"));
        assert_eq!(got.api_key_secret_source, Some(SecretSourceType::External));

        client.delete_api_key_credential_provider().name("weather").send().await.expect("delete");
        let err = client.get_api_key_credential_provider().name("weather").send().await.expect_err("gone");
        assert_eq!(err.code(), Some("ResourceNotFoundException"));
        let err =
            client.update_api_key_credential_provider().name("weather").api_key("k").send().await.expect_err("gone");
        assert_eq!(err.code(), Some("ResourceNotFoundException"));
        handle.shutdown().await.expect("no deviation from the model");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_taken_name_is_a_conflict_within_a_kind() {
        let (handle, client) = start_default().await;
        client.create_api_key_credential_provider().name("dup").api_key("k").send().await.expect("create");
        let err = client.create_api_key_credential_provider().name("dup").api_key("k").send().await.expect_err("taken");
        assert_eq!(err.code(), Some("ConflictException"));
        let oauth2 = || {
            client
                .create_oauth2_credential_provider()
                .name("dup")
                .credential_provider_vendor(CredentialProviderVendorType::GithubOauth2)
                .oauth2_provider_config_input(github(Some("s")))
        };
        oauth2().send().await.expect("the other kind's names are apart");
        let err = oauth2().send().await.expect_err("taken");
        assert_eq!(err.code(), Some("ConflictException"));
        handle.shutdown().await.expect("no deviation from the model");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bad_input_is_a_validation_error_naming_the_field() {
        let (handle, client) = start_default().await;
        let cases: Vec<(&str, &str, String)> = vec![
            (
                "a name outside the pattern",
                "name",
                r#"{"name":"no spaces","apiKey":"k"}"#.into(),
            ),
            (
                "a key and a reference",
                "apiKey",
                r#"{"name":"k","apiKey":"k","apiKeySecretSource":"EXTERNAL","apiKeySecretConfig":{"secretId":"s","jsonKey":"j"}}"#.into(),
            ),
            ("EXTERNAL without a reference", "apiKeySecretConfig", r#"{"name":"k","apiKeySecretSource":"EXTERNAL"}"#.into()),
            ("no key at all", "apiKey", r#"{"name":"k"}"#.into()),
            ("an unknown member", "secretVersion", r#"{"name":"k","apiKey":"k","secretVersion":"1"}"#.into()),
        ];
        for (what, field, body) in cases {
            let (status, headers, text) =
                raw(&handle.url(), "POST", "/identities/CreateApiKeyCredentialProvider", &body).await;
            assert_eq!(status, 400, "{what}: {text}");
            assert_eq!(
                headers.get("x-amzn-errortype").map(|s| s.split(':').next().unwrap_or_default()),
                Some("ValidationException"),
                "{what}"
            );
            assert!(text.contains(field), "{what}: {text}");
        }
        let mismatch = r#"{"name":"x","credentialProviderVendor":"SlackOauth2","oauth2ProviderConfigInput":{"githubOauth2ProviderConfig":{"clientId":"a","clientSecret":"b"}}}"#;
        let (status, _, text) =
            raw(&handle.url(), "POST", "/identities/CreateOauth2CredentialProvider", mismatch).await;
        assert!(status == 400 && text.contains("slackOauth2ProviderConfig"), "{status} {text}");
        let err = client.list_oauth2_credential_providers().max_results(21).send().await.expect_err("over 20");
        assert_eq!(err.code(), Some("ValidationException"));
        // Nothing was created by a refused call.
        let listed = client.list_api_key_credential_providers().send().await.expect("list");
        assert!(listed.credential_providers.is_empty());
        handle.shutdown().await.expect("no deviation from the model");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_secret_by_value_is_never_in_any_answer() {
        let (handle, _client) = start_default().await;
        let url = handle.url();
        let calls = [
            ("CreateApiKeyCredentialProvider", format!(r#"{{"name":"k","apiKey":"{PLANTED}"}}"#)),
            ("UpdateApiKeyCredentialProvider", format!(r#"{{"name":"k","apiKey":"{PLANTED}"}}"#)),
            ("GetApiKeyCredentialProvider", r#"{"name":"k"}"#.to_string()),
            ("ListApiKeyCredentialProviders", "{}".to_string()),
            (
                "CreateOauth2CredentialProvider",
                format!(
                    r#"{{"name":"o","credentialProviderVendor":"CustomOauth2","oauth2ProviderConfigInput":{{"customOauth2ProviderConfig":{{"oauthDiscovery":{{"discoveryUrl":"{DISCOVERY}"}},"clientId":"c","clientSecret":"{PLANTED}"}}}}}}"#
                ),
            ),
            ("GetOauth2CredentialProvider", r#"{"name":"o"}"#.to_string()),
            ("ListOauth2CredentialProviders", "{}".to_string()),
            // A refused call's error does not quote the secret either.
            ("CreateApiKeyCredentialProvider", format!(r#"{{"name":"k","apiKey":"{PLANTED}"}}"#)),
        ];
        for (op, body) in calls {
            let (status, _, text) = raw(&url, "POST", &format!("/identities/{op}"), &body).await;
            assert!(status < 500, "{op}: {status} {text}");
            assert!(!text.contains(PLANTED), "{op} answered the secret: {text}");
        }
        let (status, _, text) =
            raw(&url, "GET", "/tags/arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Atoken-vault%2Fdefault%2Fapikeycredentialprovider%2Fk", "").await;
        assert!(status == 200 && !text.contains(PLANTED), "{status} {text}");
        handle.shutdown().await.expect("no deviation from the model");
    }

    /// `value`'s Debug form without its request ID, which is new on every call.
    fn without_request_id(value: &impl std::fmt::Debug) -> String {
        static ID: std::sync::LazyLock<regex::Regex> =
            std::sync::LazyLock::new(|| regex::Regex::new(r#"_request_id: Some\("[^"]*"\)"#).expect("regex"));
        ID.replace_all(&format!("{value:?}"), "_request_id").into_owned()
    }

    /// Everything a client can read of the providers: both listings, each provider's Get and
    /// its tags, and the answers for `gone`, a provider that was deleted.
    async fn everything(client: &Client) -> Vec<String> {
        let mut out = Vec::new();
        let oauth2 = client.list_oauth2_credential_providers().send().await.expect("list");
        let api_keys = client.list_api_key_credential_providers().send().await.expect("list");
        out.push(without_request_id(&oauth2));
        out.push(without_request_id(&api_keys));
        for p in &oauth2.credential_providers {
            let got = client.get_oauth2_credential_provider().name(&p.name).send().await.expect("get");
            out.push(without_request_id(&got));
        }
        for p in &api_keys.credential_providers {
            let got = client.get_api_key_credential_provider().name(&p.name).send().await.expect("get");
            out.push(without_request_id(&got));
        }
        for arn in oauth2
            .credential_providers
            .iter()
            .map(|p| &p.credential_provider_arn)
            .chain(api_keys.credential_providers.iter().map(|p| &p.credential_provider_arn))
        {
            let tags = client.list_tags_for_resource().resource_arn(arn).send().await.expect("tags");
            // The SDK's tags are a HashMap, whose Debug order differs from one map to the next.
            let sorted: std::collections::BTreeMap<_, _> = tags.tags().into_iter().flatten().collect();
            out.push(format!("{arn}: {sorted:?}"));
        }
        let err = client.get_api_key_credential_provider().name("gone").send().await.expect_err("deleted");
        out.push(format!("gone: {:?}", err.code()));
        let err = client.list_tags_for_resource().resource_arn(GONE_ARN).send().await.expect_err("deleted");
        out.push(format!("gone's tags: {:?}", err.code()));
        out
    }

    const GONE_ARN: &str =
        "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/gone";

    /// Providers of both kinds, with their tags, secret locations, times and a deletion, come back
    /// identical after a restart on the same state file, which is written after each change by
    /// the gateways' path (atomically, no temporary file left) and never holds a secret value.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn providers_survive_a_restart_on_the_same_state_file() {
        use aws_sdk_bedrockagentcorecontrol::types::{CustomOauth2ProviderConfigInput, Oauth2Discovery};
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.json");
        let config = Config { state_file: Some(path.clone()), ..Config::default() };
        let (handle, client) = start(config.clone()).await;
        // A gateway's change first: the providers' changes must still reach the file after it.
        create(&client, "beside-providers").send().await.expect("gateway");
        client
            .create_oauth2_credential_provider()
            .name("github")
            .credential_provider_vendor(CredentialProviderVendorType::GithubOauth2)
            .oauth2_provider_config_input(github(None))
            .tags("team", "tools")
            .send()
            .await
            .expect("create github");
        let custom = CustomOauth2ProviderConfigInput::builder()
            .oauth_discovery(Oauth2Discovery::DiscoveryUrl(DISCOVERY.into()))
            .client_id("custom-client")
            .client_secret(PLANTED)
            .build();
        client
            .create_oauth2_credential_provider()
            .name("custom")
            .credential_provider_vendor(CredentialProviderVendorType::CustomOauth2)
            .oauth2_provider_config_input(Oauth2ProviderConfigInput::CustomOauth2ProviderConfig(custom))
            .tags("team", "idp")
            .send()
            .await
            .expect("create custom");
        client
            .create_api_key_credential_provider()
            .name("weather")
            .api_key(PLANTED)
            .tags("team", "data")
            .send()
            .await
            .expect("create weather");
        client
            .create_api_key_credential_provider()
            .name("maps")
            .api_key_secret_source(SecretSourceType::External)
            .api_key_secret_config(
                SecretReference::builder().secret_id("maps-key").json_key("api_key").build().expect("reference"),
            )
            .send()
            .await
            .expect("create maps");
        client.create_api_key_credential_provider().name("gone").api_key(PLANTED).send().await.expect("create");
        client.delete_api_key_credential_provider().name("gone").send().await.expect("delete");
        let weather =
            "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/weather";
        client.tag_resource().resource_arn(weather).tags("acgw:owner", "ci").send().await.expect("tag");

        // Written after each change, not only at shutdown.
        let text = std::fs::read_to_string(&path).expect("state file");
        assert!(text.contains(weather) && text.contains("acgw:owner"), "{text}");
        assert!(!text.contains(GONE_ARN), "{text}");
        let before = everything(&client).await;
        handle.shutdown().await.expect("no deviation from the model");

        let text = std::fs::read_to_string(&path).expect("state file");
        assert!(!text.contains(PLANTED), "a secret by value reached the state file:\n{text}");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert_eq!(leftovers.len(), 1, "no temporary files left behind");

        let (handle, client) = start(config).await;
        let after = everything(&client).await;
        assert_eq!(before, after);
        assert_eq!(after.len(), 2 + 4 + 4 + 2, "{after:#?}");
        // The restarted emulator still knows the names: one of the first run is taken.
        let err =
            client.create_api_key_credential_provider().name("weather").api_key("k").send().await.expect_err("taken");
        assert_eq!(err.code(), Some("ConflictException"));
        handle.shutdown().await.expect("no deviation from the model");
    }

    /// acgw's own API layer (SdkApi over SDK 1.97) against the emulator: every vendor's input is
    /// sent and read back, and nothing secret comes back.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn acgws_api_writes_and_reads_every_vendor() {
        let (handle, client) = start_default().await;
        let api = SdkApi::new(client);
        let reference = serde_json::json!({ "clientId": "id", "clientSecretSource": "EXTERNAL",
            "clientSecretConfig": { "secretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:s", "jsonKey": "k" } });
        let custom = serde_json::json!({ "clientAuthenticationMethod": "PRIVATE_KEY_JWT",
            "oauthDiscovery": { "authorizationServerMetadata": { "issuer": "https://i.example", "authorizationEndpoint": "https://i.example/a", "tokenEndpoint": "https://i.example/t" } },
            "privateKeyJwtConfig": { "signingAlgorithm": "RS256" } });
        let vendors = [
            ("custom", "CustomOauth2", "customOauth2ProviderConfig", custom),
            ("google", "GoogleOauth2", "googleOauth2ProviderConfig", reference.clone()),
            ("github", "GithubOauth2", "githubOauth2ProviderConfig", reference.clone()),
            ("slack", "SlackOauth2", "slackOauth2ProviderConfig", reference.clone()),
            ("salesforce", "SalesforceOauth2", "salesforceOauth2ProviderConfig", reference.clone()),
            ("microsoft", "MicrosoftOauth2", "microsoftOauth2ProviderConfig", reference.clone()),
            ("atlassian", "AtlassianOauth2", "atlassianOauth2ProviderConfig", reference.clone()),
            ("linkedin", "LinkedinOauth2", "linkedinOauth2ProviderConfig", reference.clone()),
            ("okta", "OktaOauth2", "includedOauth2ProviderConfig", reference.clone()),
        ];
        for (name, vendor, key, body) in &vendors {
            let CredentialProviderSpec::Oauth2(p) = spec(serde_json::json!({ "oauth2": {
                "name": name, "credentialProviderVendor": vendor, "oauth2ProviderConfigInput": { *key: body } } }))
            else {
                panic!()
            };
            let tags = BTreeMap::from([("acgw:owner".to_string(), "ci".to_string())]);
            let written = api.create_oauth2_provider(&p, &tags).await.expect(name);
            let live = api.get_oauth2_provider(name).await.expect(name);
            assert_eq!((live.arn.as_str(), live.vendor.as_str()), (written.arn.as_str(), *vendor));
            let config = serde_json::to_value(&live.config).expect("json");
            assert!(config.get(*key).is_some(), "{name}: {config}");
            assert!(
                !matches!(live.config, Oauth2ProviderConfigOutput::CustomOauth2ProviderConfig(_)) || *name == "custom"
            );
            if *name != "custom" {
                assert_eq!(live.client_secret.source, Some(SecretSource::External), "{name}");
                assert_eq!(live.client_secret.json_key.as_deref(), Some("k"), "{name}");
            }
            assert_eq!(api.list_tags(&live.arn).await.expect("tags"), tags);
            api.update_oauth2_provider(&p).await.expect(name);
        }
        let listed = api.list_oauth2_providers().await.expect("list (pages of 20)");
        assert_eq!(listed.len(), vendors.len());
        assert!(listed.iter().all(|s| s.kind == ProviderKind::Oauth2 && s.vendor.is_some()));

        let CredentialProviderSpec::ApiKey(k) =
            spec(serde_json::json!({ "apiKey": { "name": "weather", "apiKey": PLANTED } }))
        else {
            panic!()
        };
        let written = api.create_api_key_provider(&k, &BTreeMap::new()).await.expect("api key");
        assert!(!format!("{written:?}").contains(PLANTED));
        let live = api.get_api_key_provider("weather").await.expect("get");
        assert!(!format!("{live:?}").contains(PLANTED));
        assert_eq!(live.api_key_secret.source, Some(SecretSource::Managed));
        api.delete_api_key_provider("weather").await.expect("delete");
        assert!(matches!(api.get_api_key_provider("weather").await, Err(ApiError::NotFound(_))));
        assert!(api.list_api_key_providers().await.expect("list").is_empty());
        handle.shutdown().await.expect("no deviation from the model");
    }
}

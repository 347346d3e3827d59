//! Unit tests of the state rules, over every kind.

use super::super::request::{
    parse_create, parse_create_target, parse_update, parse_update_target, Paging, DEFAULT_PAGE,
};
use super::super::wire::rfc3339;
use super::child::GatewayChild;
use super::*;

fn env(now_ms: u64) -> Env<'static> {
    Env {
        now_ms,
        region: "us-east-1",
        delays: Delays {
            create: Duration::from_millis(100),
            update: Duration::from_millis(100),
            delete: Duration::from_millis(100),
        },
    }
}

fn create_body(name: &str, auth: &str) -> Vec<u8> {
    format!(r#"{{"name":"{name}","roleArn":"arn:aws:iam::123456789012:role/r","authorizerType":"{auth}","protocolConfiguration":{{"mcp":{{}}}}}}"#)
        .into_bytes()
}

fn id_of(a: &Answer) -> String {
    a.body.as_ref().and_then(|b| b["gatewayId"].as_str()).unwrap_or_default().to_string()
}

#[test]
fn lifecycle_follows_the_delays() {
    let mut s = State::new(Some(7));
    let a = s.create_gateway(parse_create(&create_body("Orders", "NONE")).unwrap(), &env(1000)).unwrap();
    let id = id_of(&a);
    assert!(id.starts_with("orders-") && id.len() == "orders-".len() + 10, "{id}");
    assert_eq!(a.body.as_ref().unwrap()["status"], "CREATING");
    let got = s.get_gateway(&id, &env(1050)).unwrap().body.unwrap();
    assert_eq!(got["status"], "CREATING");
    assert_eq!(got["protocolConfiguration"]["mcp"]["sessionConfiguration"]["sessionTimeoutInSeconds"], 3600);
    assert!(got.get("protocolType").is_none());
    assert_eq!(s.get_gateway(&id, &env(1100)).unwrap().body.unwrap()["status"], "READY");

    let upd = parse_update(&create_body("Orders", "NONE")).unwrap();
    s.update_gateway(&id, upd.clone(), &env(2000)).unwrap();
    assert_eq!(s.get_gateway(&id, &env(2050)).unwrap().body.unwrap()["status"], "UPDATING");
    let e = s.update_gateway(&id, upd, &env(2050)).unwrap_err();
    assert_eq!(e.code, "ConflictException");

    s.delete_gateway(&id, &env(3000)).unwrap();
    assert_eq!(s.get_gateway(&id, &env(3050)).unwrap().body.unwrap()["status"], "DELETING");
    assert_eq!(s.get_gateway(&id, &env(3100)).unwrap_err().code, "ResourceNotFoundException");
}

#[test]
fn paging_survives_deletions_between_pages() {
    let mut s = State::new(Some(1));
    let mut ids = Vec::new();
    for i in 0..7 {
        let a = s.create_gateway(parse_create(&create_body(&format!("g{i}"), "NONE")).unwrap(), &env(0)).unwrap();
        ids.push(id_of(&a));
    }
    let page = |s: &mut State, token: Option<String>| {
        let p = Paging { max_results: 3, next_token: token };
        s.list_gateways(&p, &env(0)).unwrap().body.unwrap()
    };
    let first = page(&mut s, None);
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    s.delete_gateway(&ids[0], &env(0)).unwrap();
    let second = page(&mut s, first["nextToken"].as_str().map(str::to_string));
    assert_eq!(second["items"][0]["gatewayId"], ids[3]);
    assert!(second["items"][0].get("gatewayArn").is_none());
    let third = page(&mut s, second["nextToken"].as_str().map(str::to_string));
    assert_eq!(third["items"].as_array().unwrap().len(), 1);
    assert!(third.get("nextToken").is_none());
    let bad = Paging { max_results: DEFAULT_PAGE, next_token: Some("zz".into()) };
    assert_eq!(s.list_gateways(&bad, &env(0)).unwrap_err().code, "ValidationException");
}

#[test]
fn snapshot_round_trips() {
    let mut s = State::new(Some(3));
    let a = s.create_gateway(parse_create(&create_body("keep", "AWS_IAM")).unwrap(), &env(0)).unwrap();
    let (_, bytes) = s.snapshot().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, bytes).unwrap();
    let mut back = State::load(&path, None).unwrap();
    let got = back.get_gateway(&id_of(&a), &env(500)).unwrap().body.unwrap();
    assert_eq!(got["authorizerType"], "AWS_IAM");
    assert_eq!(got["status"], "READY");
}

#[test]
fn an_unchecked_rule_shares_a_priority_that_create_and_system_rules_refuse() {
    use super::super::request::parse_create_rule;
    let mut s = State::new(Some(4));
    let id = id_of(&s.create_gateway(parse_create(&create_body("dup", "AWS_IAM")).unwrap(), &env(0)).unwrap());
    let rule = br#"{"priority":10,"actions":[{"routeToTarget":{"staticRoute":{"targetName":"t"}}}]}"#;
    s.create_rule(&id, parse_create_rule(rule).unwrap(), &env(0)).unwrap();
    assert_eq!(s.create_rule(&id, parse_create_rule(rule).unwrap(), &env(0)).unwrap_err().code, "ConflictException");
    assert_eq!(s.add_system_rule(&id, 10, "aws", 0), None);
    let planted = s.add_rule_unchecked(&id, 10, 0).expect("planted");
    assert_eq!(s.add_rule_unchecked("no-such-gateway", 10, 0), None);
    let all = s.list_rules(&id, &Paging { max_results: 50, next_token: None }, &env(500)).unwrap().body.unwrap();
    let rules = all["gatewayRules"].as_array().unwrap();
    assert_eq!(rules.iter().map(|r| r["priority"].as_i64()).collect::<Vec<_>>(), [Some(10), Some(10)]);
    assert_eq!(rules[1]["ruleId"], planted.as_str());
    assert!(rules[1].get("system").is_none(), "a user rule: {all}");
    // A user rule like any other: it can be deleted.
    s.delete_rule(&id, &planted, &env(600)).unwrap();
}

#[test]
fn rules_rate_limits_and_policies_survive_the_state_file_and_old_files_still_load() {
    use super::super::request::{parse_create_rate_limit, parse_create_rule, parse_put_policy};
    let mut s = State::new(Some(3));
    let id = id_of(&s.create_gateway(parse_create(&create_body("parts", "AWS_IAM")).unwrap(), &env(0)).unwrap());
    let rule = br#"{"priority":7,"actions":[{"routeToTarget":{"staticRoute":{"targetName":"t"}}}]}"#;
    let rule_id = s.create_rule(&id, parse_create_rule(rule).unwrap(), &env(0)).unwrap().body.unwrap()["ruleId"]
        .as_str()
        .unwrap()
        .to_string();
    let limit = br#"{"rateLimitId":"l1","dimensionKeys":["targetName"],"entries":[{"dimensions":{"targetName":"*"},"requests":[{"rate":1.5,"period":"second"}]}]}"#;
    s.create_rate_limit(&id, parse_create_rate_limit(limit).unwrap(), &env(0)).unwrap();
    let arn = format!("arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:gateway/{id}");
    let policy = parse_put_policy(br#"{"policy":"{\"Version\":\"2012-10-17\"}"}"#).unwrap();
    s.put_resource_policy(&arn, policy, &env(0)).unwrap();
    let (_, bytes) = s.snapshot().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, &bytes).unwrap();
    let mut back = State::load(&path, None).unwrap();
    let got = back.get_rule(&id, &rule_id, &env(500)).unwrap().body.unwrap();
    assert_eq!((got["priority"].as_i64(), got["status"].as_str()), (Some(7), Some("ACTIVE")));
    let got = back.get_rate_limit(&id, "l1", &env(500)).unwrap().body.unwrap();
    assert_eq!(got["entries"][0]["requests"][0]["rate"], 1.5);
    assert_eq!(
        back.get_resource_policy(&arn, &env(500)).unwrap().body.unwrap()["policy"],
        r#"{"Version":"2012-10-17"}"#
    );
    // A state file written before rules existed has none of their keys.
    let mut old: Value = serde_json::from_slice(&bytes).unwrap();
    for key in ["rules", "ruleTokens", "rateLimits", "rateLimitTokens", "resourcePolicy"] {
        old["gateways"][&id].as_object_mut().unwrap().remove(key);
    }
    std::fs::write(&path, serde_json::to_vec(&old).unwrap()).unwrap();
    let mut old = State::load(&path, None).unwrap();
    assert!(old.get_resource_policy(&arn, &env(500)).is_err());
    assert_eq!(
        old.list_rules(&id, &Paging { max_results: 50, next_token: None }, &env(500)).unwrap().body.unwrap()
            ["gatewayRules"],
        json!([])
    );
}

fn target_body(name: &str, extra: &str) -> Vec<u8> {
    format!(r#"{{"name":"{name}","targetConfiguration":{{"mcp":{{"mcpServer":{{"endpoint":"https://mcp.example.com"}}}}}}{extra}}}"#)
        .into_bytes()
}

const AUTH_CODE: &str = r#","credentialProviderConfigurations":[{"credentialProviderType":"OAUTH","credentialProvider":
    {"oauthCredentialProvider":{"providerArn":"arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/p","scopes":["s"],"grantType":"AUTHORIZATION_CODE"}}}]"#;

fn gateway(s: &mut State) -> String {
    id_of(&s.create_gateway(parse_create(&create_body("gw", "NONE")).unwrap(), &env(0)).unwrap())
}

fn target_id(a: &Answer) -> String {
    a.body.as_ref().and_then(|b| b["targetId"].as_str()).unwrap_or_default().to_string()
}

#[test]
fn target_lifecycle_and_pending_auth() {
    let mut s = State::new(Some(5));
    let g = gateway(&mut s);
    let a = s.create_target(&g, parse_create_target(&target_body("t", AUTH_CODE)).unwrap(), &env(1000)).unwrap();
    let t = target_id(&a);
    assert_eq!(a.body.as_ref().unwrap()["status"], "CREATING");
    let got = s.get_target(&g, &t, &env(1050)).unwrap().body.unwrap();
    assert_eq!(got["status"], "CREATING");
    assert!(got.get("authorizationData").is_none());
    let got = s.get_target(&g, &t, &env(1100)).unwrap().body.unwrap();
    assert_eq!(got["status"], "CREATE_PENDING_AUTH");
    let url = got["authorizationData"]["oauth2"]["authorizationUrl"].as_str().unwrap();
    assert!(url.starts_with("https://") && url.ends_with(&format!("/authorize?target={t}")), "{url}");
    assert_eq!(got["protocolType"], "MCP");

    let upd = parse_update_target(&target_body("t", AUTH_CODE)).unwrap();
    assert_eq!(s.update_target(&g, &t, upd.clone(), &env(1200)).unwrap_err().code, "ConflictException");
    assert_eq!(s.synchronize_target(&g, &t, &env(1200)).unwrap_err().code, "ConflictException");
    assert_eq!(s.delete_target(&g, &t, &env(1200)).unwrap_err().code, "ConflictException");
    assert!(s.authorize_target(&g, &t));
    assert_eq!(s.get_target(&g, &t, &env(1200)).unwrap().body.unwrap()["status"], "READY");

    s.update_target(&g, &t, upd, &env(2000)).unwrap();
    let got = s.get_target(&g, &t, &env(2050)).unwrap().body.unwrap();
    assert_eq!((got["status"].as_str(), got["updatedAt"].as_str()), (Some("UPDATING"), Some(rfc3339(2000).as_str())));
    assert_eq!(s.get_target(&g, &t, &env(2100)).unwrap().body.unwrap()["status"], "UPDATE_PENDING_AUTH");
    assert!(s.authorize_target(&g, &t));

    let synced = s.synchronize_target(&g, &t, &env(3000)).unwrap().body.unwrap();
    assert_eq!(synced["targets"][0]["status"], "SYNCHRONIZING");
    assert!(synced["targets"][0].get("lastSynchronizedAt").is_none());
    let got = s.get_target(&g, &t, &env(3100)).unwrap().body.unwrap();
    assert_eq!(
        (got["status"].as_str(), got["lastSynchronizedAt"].as_str()),
        (Some("READY"), Some(rfc3339(3100).as_str()))
    );
}

#[test]
fn target_failures_tokens_and_names() {
    let mut s = State::new(Some(6));
    let g = gateway(&mut s);
    s.fail_next_target(&g, "t", vec!["cannot reach the endpoint".into()]);
    let token = r#","clientToken":"0123456789abcdef0123456789abcdef0""#;
    let a = s.create_target(&g, parse_create_target(&target_body("t", token)).unwrap(), &env(0)).unwrap();
    let t = target_id(&a);
    let got = s.get_target(&g, &t, &env(100)).unwrap().body.unwrap();
    assert_eq!(
        (got["status"].as_str(), &got["statusReasons"][0]),
        (Some("FAILED"), &json!("cannot reach the endpoint"))
    );
    assert_eq!(got.get("credentialProviderConfigurations"), None, "the model's list holds exactly one item");

    let again = s.create_target(&g, parse_create_target(&target_body("t", token)).unwrap(), &env(200)).unwrap();
    assert_eq!((target_id(&again), again.mutated), (t.clone(), false));
    let other = format!(r#","description":"x"{token}"#);
    let e = s.create_target(&g, parse_create_target(&target_body("t", &other)).unwrap(), &env(200)).unwrap_err();
    assert_eq!(e.reason, Some("IdempotentParameterMismatchException"));
    let e = s.create_target(&g, parse_create_target(&target_body("t", "")).unwrap(), &env(200)).unwrap_err();
    assert_eq!(e.code, "ConflictException");

    let u = s.create_target(&g, parse_create_target(&target_body("u", "")).unwrap(), &env(200)).unwrap();
    let rename = parse_update_target(&target_body("t", "")).unwrap();
    assert_eq!(s.update_target(&g, &target_id(&u), rename, &env(300)).unwrap_err().code, "ConflictException");
    s.fail_next_target(&g, "t", vec!["still broken".into()]);
    s.update_target(&g, &t, parse_update_target(&target_body("t", "")).unwrap(), &env(300)).unwrap();
    assert_eq!(s.get_target(&g, &t, &env(400)).unwrap().body.unwrap()["status"], "UPDATE_UNSUCCESSFUL");
    s.update_target(&g, &t, parse_update_target(&target_body("t", "")).unwrap(), &env(500)).unwrap();
    assert_eq!(s.get_target(&g, &t, &env(600)).unwrap().body.unwrap()["status"], "READY");
}

#[test]
fn policy_engine_adds_its_header_once() {
    let mut s = State::new(Some(8));
    let body = r#"{"name":"pe","roleArn":"arn:aws:iam::123456789012:role/r","authorizerType":"NONE",
        "policyEngineConfiguration":{"arn":"arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/pe-0123456789","mode":"ENFORCE"}}"#;
    let g = id_of(&s.create_gateway(parse_create(body.as_bytes()).unwrap(), &env(0)).unwrap());
    let a = s.create_target(&g, parse_create_target(&target_body("a", "")).unwrap(), &env(0)).unwrap();
    let headers = &a.body.unwrap()["metadataConfiguration"]["allowedRequestHeaders"];
    assert_eq!(headers, &json!([POLICY_SESSION_HEADER]));
    let extra = format!(r#","metadataConfiguration":{{"allowedRequestHeaders":["x-a","{POLICY_SESSION_HEADER}"]}}"#);
    let b = s.create_target(&g, parse_create_target(&target_body("b", &extra)).unwrap(), &env(0)).unwrap();
    assert_eq!(
        b.body.unwrap()["metadataConfiguration"]["allowedRequestHeaders"],
        json!(["x-a", POLICY_SESSION_HEADER])
    );
}

/// The lifecycle every [`GatewayChild`] kind shares, run against one kind: a create answers
/// CREATING and replays by client token (a changed request is a mismatch), an update waits for
/// ACTIVE, a list pages in creation order, a delete marks DELETING (repeated: unchanged) and
/// the record is gone after the delete delay.
fn child_lifecycle<K: GatewayChild>(create: impl Fn(usize, &str) -> K::Request, patch: impl Fn() -> K::Patch) {
    let mut s = State::new(Some(11));
    let g = gateway(&mut s);
    let token = "0123456789abcdef0123456789abcdef0";
    let first = s.create_child::<K>(&g, create(0, token), &env(1000)).unwrap();
    assert_eq!((first.status, first.mutated), (K::CREATED, true));
    let body = first.body.unwrap();
    assert_eq!(body["status"], "CREATING");
    let id = body[K::ID_MEMBER].as_str().unwrap().to_string();
    let again = s.create_child::<K>(&g, create(0, token), &env(1010)).unwrap();
    assert_eq!((again.status, again.mutated, &again.body.unwrap()[K::ID_MEMBER]), (K::CREATED, false, &json!(id)));
    let e = s.create_child::<K>(&g, create(1, token), &env(1010)).unwrap_err();
    assert_eq!(e.reason, Some("IdempotentParameterMismatchException"));

    let e = s.update_child::<K>(&g, &id, patch(), &env(1050)).unwrap_err();
    assert_eq!(e.code, "ConflictException", "{}", e.message);
    let got = s.get_child::<K>(&g, &id, &env(1100)).unwrap().body.unwrap();
    assert_eq!(got["status"], "ACTIVE");
    let updated = s.update_child::<K>(&g, &id, patch(), &env(1200)).unwrap();
    assert_eq!((updated.status, &updated.body.unwrap()["status"]), (K::UPDATED, &json!("UPDATING")));

    for i in 1..4 {
        s.create_child::<K>(&g, create(i, ""), &env(1300)).unwrap();
    }
    let paging = |token: Option<String>| Paging { max_results: 3, next_token: token };
    let one = s.list_child::<K>(&g, &paging(None), &env(1400)).unwrap().body.unwrap();
    let items = one[K::LIST_MEMBER].as_array().unwrap();
    assert_eq!((items.len(), &items[0][K::ID_MEMBER]), (3, &json!(id)));
    let next = one["nextToken"].as_str().map(str::to_string);
    let two = s.list_child::<K>(&g, &paging(next), &env(1400)).unwrap().body.unwrap();
    assert_eq!(two[K::LIST_MEMBER].as_array().unwrap().len(), 1);
    assert!(two.get("nextToken").is_none());

    let deleted = s.delete_child::<K>(&g, &id, &env(1500)).unwrap();
    assert_eq!((deleted.status, deleted.mutated), (K::DELETED, true));
    assert_eq!(s.get_child::<K>(&g, &id, &env(1550)).unwrap().body.unwrap()["status"], "DELETING");
    assert!(!s.delete_child::<K>(&g, &id, &env(1550)).unwrap().mutated);
    // The delete forgot the token: the same create, even while DELETING, makes a new record.
    let fresh = s.create_child::<K>(&g, create(0, token), &env(1550)).unwrap();
    assert!(fresh.mutated && fresh.body.unwrap()[K::ID_MEMBER] != json!(id));
    assert_eq!(s.get_child::<K>(&g, &id, &env(1600)).unwrap_err().code, "ResourceNotFoundException");
}

#[test]
fn rules_follow_the_shared_child_lifecycle() {
    use super::super::request::{parse_create_rule, parse_update_rule};
    use super::rule::RuleRecord;
    child_lifecycle::<RuleRecord>(
        |i, token| {
            let token = if token.is_empty() { String::new() } else { format!(r#","clientToken":"{token}""#) };
            let body = format!(
                r#"{{"priority":{},"actions":[{{"routeToTarget":{{"staticRoute":{{"targetName":"t"}}}}}}]{token}}}"#,
                i + 1
            );
            parse_create_rule(body.as_bytes()).unwrap()
        },
        || parse_update_rule(br#"{"description":"changed"}"#).unwrap(),
    );
}

#[test]
fn rate_limits_follow_the_shared_child_lifecycle() {
    use super::super::request::{parse_create_rate_limit, parse_update_rate_limit};
    use super::rate_limit::RateLimitRecord;
    const KEYS: [&str; 4] = ["targetName", "toolName", "qualifiedModelId", "$.context.iam.principal"];
    child_lifecycle::<RateLimitRecord>(
        |i, token| {
            let token = if token.is_empty() { String::new() } else { format!(r#","clientToken":"{token}""#) };
            let key = KEYS[i];
            let body = format!(
                r#"{{"dimensionKeys":["{key}"],"entries":[{{"dimensions":{{"{key}":"*"}},"requests":[{{"rate":1,"period":"second"}}]}}]{token}}}"#
            );
            parse_create_rate_limit(body.as_bytes()).unwrap()
        },
        // The patch goes to the first rate limit, whose key is KEYS[0].
        || {
            let body = br#"{"entries":[{"dimensions":{"targetName":"t"},"requests":[{"rate":2,"period":"minute"}]}]}"#;
            parse_update_rate_limit(body).unwrap()
        },
    );
}

/// A provider call on `s`, as the server makes it.
fn provider_call(s: &mut State, op: super::super::providers::ProviderOp, body: &str, now_ms: u64) -> Answer {
    s.providers(|p| p.dispatch(op, body.as_bytes(), "us-east-1", now_ms)).unwrap()
}

#[test]
fn providers_survive_the_state_file_without_the_secrets_passed_by_value() {
    use super::super::providers::ProviderOp as Op;
    // Distinctive enough that finding it anywhere in the file is a leak.
    const PLANTED: &str = "planted-Secret-4b1d9e02";
    let mut s = State::new(Some(5));
    let version = s.version;
    let oauth2 = format!(
        r#"{{"name":"o","credentialProviderVendor":"CustomOauth2","oauth2ProviderConfigInput":{{"customOauth2ProviderConfig":{{"oauthDiscovery":{{"discoveryUrl":"https://idp.example.com/.well-known/openid-configuration"}},"clientId":"c","clientSecret":"{PLANTED}"}}}},"tags":{{"team":"tools"}}}}"#
    );
    provider_call(&mut s, Op::CreateOauth2, &oauth2, 1_000);
    assert!(s.version > version, "a provider change is a new version, so the persister writes it");
    let oauth2 = oauth2.replace(r#","tags":{"team":"tools"}"#, "");
    provider_call(&mut s, Op::UpdateOauth2, &oauth2, 2_000);
    let key = format!(r#"{{"name":"k","apiKey":"{PLANTED}","tags":{{"a":"b"}}}}"#);
    provider_call(&mut s, Op::CreateApiKey, &key, 1_000);
    provider_call(&mut s, Op::UpdateApiKey, &format!(r#"{{"name":"k","apiKey":"{PLANTED}"}}"#), 3_000);
    let external = r#"{"name":"x","apiKeySecretSource":"EXTERNAL","apiKeySecretConfig":{"secretId":"weather","jsonKey":"api_key"}}"#;
    provider_call(&mut s, Op::CreateApiKey, external, 1_000);
    provider_call(&mut s, Op::CreateApiKey, &format!(r#"{{"name":"gone","apiKey":"{PLANTED}"}}"#), 1_000);
    provider_call(&mut s, Op::DeleteApiKey, r#"{"name":"gone"}"#, 1_500);

    let (_, bytes) = s.snapshot().unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(!text.contains(PLANTED), "a secret by value reached the state file:\n{text}");
    // What the service keeps instead: the ARN of its own secret.
    assert!(text.contains("secret:bedrock-agentcore-identity!default/apikey/k"), "{text}");
    assert!(!text.contains("gone"), "a deleted provider is not written: {text}");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, &bytes).unwrap();
    let mut back = State::load(&path, None).unwrap();
    for (op, body) in [
        (Op::GetOauth2, r#"{"name":"o"}"#),
        (Op::GetApiKey, r#"{"name":"k"}"#),
        (Op::GetApiKey, r#"{"name":"x"}"#),
        (Op::ListOauth2, "{}"),
        (Op::ListApiKey, "{}"),
    ] {
        assert_eq!(provider_call(&mut back, op, body, 9_000), provider_call(&mut s, op, body, 9_000), "{op:?}");
    }
    let got = provider_call(&mut back, Op::GetOauth2, r#"{"name":"o"}"#, 9_000).body.unwrap();
    assert_eq!((got["createdTime"].as_f64(), got["lastUpdatedTime"].as_f64()), (Some(1.0), Some(2.0)));
    let tags = |s: &mut State, kind: &str, name: &str| {
        let arn = format!("arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:token-vault/default/{kind}/{name}");
        s.providers(|p| p.list_tags(&arn)).map(|a| a.body.unwrap()["tags"].clone())
    };
    assert_eq!(tags(&mut back, "oauth2credentialprovider", "o").unwrap(), json!({ "team": "tools" }));
    assert_eq!(tags(&mut back, "apikeycredentialprovider", "k").unwrap(), json!({ "a": "b" }));
    assert!(tags(&mut back, "apikeycredentialprovider", "gone").is_err());
    let err = back.providers(|p| p.dispatch(Op::GetApiKey, br#"{"name":"gone"}"#, "us-east-1", 9_000)).unwrap_err();
    assert_eq!(err.code, "ResourceNotFoundException");

    // A state file written before providers were kept has no `providers` section.
    let mut old: Value = serde_json::from_slice(&bytes).unwrap();
    old.as_object_mut().unwrap().remove("providers");
    std::fs::write(&path, serde_json::to_vec(&old).unwrap()).unwrap();
    let mut old = State::load(&path, None).unwrap();
    let listed = provider_call(&mut old, Op::ListApiKey, "{}", 9_000).body.unwrap();
    assert_eq!(listed["credentialProviders"], json!([]));
}

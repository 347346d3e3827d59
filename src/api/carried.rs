//! Gateway members of the service model that aws-sdk-bedrockagentcorecontrol 1.97 does not have,
//! carried over the wire despite the SDK.
//!
//! The SDK serializes only the members it knows and silently drops unknown members of a
//! response, so a gateway with such a member would lose it on acgw's next UpdateGateway (a full
//! replace). [`CarryInterceptor`], registered on every client acgw builds (`connect`), adds the
//! carried members to the serialized JSON body of a request before it is signed, and reads them
//! from the raw body of the response. Which members travel with a request rides beside the SDK
//! input in a task-local scope set by [`exchange`] around that one call, never in global state.
//! The members carried are those the model declares `carried` ([`GATEWAY_MEMBERS`] and the
//! nested lists below are read from the declarations); when the SDK gains one, its declaration
//! becomes `opt` and it leaves these lists (a test fails while both exist).

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use aws_sdk_bedrockagentcorecontrol::config::interceptors::{
    AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextMut,
};
use aws_sdk_bedrockagentcorecontrol::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_bedrockagentcorecontrol::error::BoxError;
use aws_sdk_bedrockagentcorecontrol::operation::get_gateway::builders::GetGatewayOutputBuilder;
use aws_smithy_types::body::SdkBody;
use serde_json::{Map, Value};

use crate::model::live::Unreadable;
use crate::model::schema::carried;
use crate::model::target::{CredentialProvider, Target};
use crate::model::{
    Bounded, CertificateConfiguration, CustomJwtAuthorizer, DomainOverride, FromService, Gateway,
    InterceptorConfiguration, MaxEventsPerInvocation, PublicDomainName, ResponseInterceptionMode,
    ResponseStreamingConfiguration, WorkloadIdentityTemplateArn,
};

/// The top-level gateway members carried here, in API naming: those the declaration of
/// [`Gateway`] marks `carried`.
pub static GATEWAY_MEMBERS: LazyLock<Vec<&'static str>> = LazyLock::new(|| carried(Gateway::MEMBERS).collect());

/// The members of each `interceptorConfigurations` item carried here (`carried` in the
/// declaration of [`InterceptorConfiguration`]).
pub static INTERCEPTOR_MEMBERS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| carried(InterceptorConfiguration::MEMBERS).collect());

/// The members of `authorizerConfiguration.customJWTAuthorizer` carried here (`carried` in the
/// declaration of [`CustomJwtAuthorizer`]).
pub static JWT_MEMBERS: LazyLock<Vec<&'static str>> = LazyLock::new(|| carried(CustomJwtAuthorizer::MEMBERS).collect());

/// Members of the model that SDK 1.97 lacks and that acgw does not carry yet, nested where the
/// SDK drops them unseen (`[]` is every item of a list). A live gateway with one set is refused
/// by its path, as for any member acgw cannot read: an update would clear it. Every gateway
/// member the model has is carried now; a new one goes here until it is.
const NOT_CARRIED: &[&str] = &[];

/// The paths (items numbered) at which `path` holds a non-null value in `value`.
fn set_paths(value: &Value, path: &str, at: String, out: &mut Vec<String>) {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let (key, each) = match head.strip_suffix("[]") {
        Some(k) => (k, true),
        None => (head, false),
    };
    let Some(v) = value.get(key).filter(|v| !v.is_null()) else { return };
    let here = if at.is_empty() { key.to_string() } else { format!("{at}.{key}") };
    let mut visit = |v: &Value, here: String| match rest {
        Some(rest) => set_paths(v, rest, here, out),
        None => out.push(here),
    };
    if each {
        for (i, item) in v.as_array().into_iter().flatten().enumerate() {
            visit(item, format!("{here}[{i}]"));
        }
    } else {
        visit(v, here);
    }
}

/// Which resource an exchange's response describes, and so how its body is read.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Family {
    #[default]
    Gateway,
    Target,
}

/// One call's carried members: what its request adds, and what its response held.
#[derive(Debug, Default)]
struct Exchange {
    family: Family,
    send: Outgoing,
    /// `None` until a response body was read.
    received: Mutex<Option<Received>>,
}

/// What a request adds to its body: (JSON pointer of an object in the body, key, value).
pub type Outgoing = Vec<(String, String, Value)>;

/// What a response body held beyond the SDK's members.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// The carried top-level members it held, and `interceptorConfigurations` as sent.
    pub members: Map<String, Value>,
    /// Members neither the SDK nor this module carries (set to a non-null value), by path.
    pub unknown: Vec<String>,
    /// For a target response: each target's ID and its `credentialProviderConfigurations` as
    /// sent (SynchronizeGatewayTargets answers several targets).
    pub targets: Vec<(String, Value)>,
}

tokio::task_local! {
    static CURRENT: Arc<Exchange>;
}

/// Runs one SDK call with `send` added to its request body, and answers its result with what its
/// (last) response body held; `None` when no response body could be read.
pub async fn exchange<F: Future>(send: Outgoing, call: F) -> (F::Output, Option<Received>) {
    run(Family::Gateway, send, call).await
}

/// [`exchange`] for a call that answers targets (Create, Update, Get, SynchronizeGatewayTargets):
/// its response's credential providers are kept for [`read_target`].
pub async fn exchange_target<F: Future>(send: Outgoing, call: F) -> (F::Output, Option<Received>) {
    run(Family::Target, send, call).await
}

async fn run<F: Future>(family: Family, send: Outgoing, call: F) -> (F::Output, Option<Received>) {
    let ex = Arc::new(Exchange { family, send, received: Mutex::new(None) });
    // Boxed: the SDK's future is large, and every caller's future would otherwise hold it
    // inline (debug builds overflowed a test thread's stack).
    let out = CURRENT.scope(Arc::clone(&ex), Box::pin(call)).await;
    let received = ex.received.lock().ok().and_then(|mut r| r.take());
    (out, received)
}

/// The carried members of `config`, as CreateGateway and UpdateGateway take them. The SDK
/// serializes `interceptorConfigurations` in the model's order, so item `i` here is item `i`
/// of the body.
pub fn gateway_request(config: &Gateway) -> Outgoing {
    let Ok(Value::Object(all)) = serde_json::to_value(config) else {
        return Outgoing::new();
    };
    let mut send = Outgoing::new();
    for (k, v) in &all {
        if GATEWAY_MEMBERS.contains(&k.as_str()) {
            send.push((String::new(), k.clone(), v.clone()));
        }
    }
    let jwt = all.get("authorizerConfiguration").and_then(|a| a.get("customJWTAuthorizer"));
    for key in JWT_MEMBERS.iter() {
        if let Some(v) = jwt.and_then(|j| j.get(*key)) {
            send.push(("/authorizerConfiguration/customJWTAuthorizer".into(), key.to_string(), v.clone()));
        }
    }
    let items = all.get("interceptorConfigurations").and_then(Value::as_array);
    for (i, item) in items.into_iter().flatten().enumerate() {
        for key in INTERCEPTOR_MEMBERS.iter() {
            if let Some(v) = item.get(*key) {
                send.push((format!("/interceptorConfigurations/{i}"), key.to_string(), v.clone()));
            }
        }
    }
    send
}

/// The carried members of a target `config`, as CreateGatewayTarget and UpdateGatewayTarget take
/// them: a `credentialProvider` the SDK cannot hold (sent as absent by the SDK conversion) is put
/// into item `i` of the serialized `credentialProviderConfigurations`, whose order the SDK keeps.
pub fn target_request(config: &Target) -> Outgoing {
    let mut send = Outgoing::new();
    for (i, c) in config.credential_provider_configurations.iter().flat_map(|c| c.iter()).enumerate() {
        if let Some(p @ CredentialProvider::SvidCredentialProvider(_)) = &c.credential_provider {
            if let Ok(v) = serde_json::to_value(p) {
                send.push((format!("/credentialProviderConfigurations/{i}"), "credentialProvider".into(), v));
            }
        }
    }
    send
}

/// Adds to the target `config` with ID `target_id` (read through the SDK) the credential
/// providers the SDK could not read. Fails closed: with no readable response body, or a provider
/// that is neither the SDK's nor carried here, the configuration is [`Unreadable`] by its path, so
/// that no update can replace what the target has.
pub fn read_target(config: &mut Result<Target, Unreadable>, target_id: &str, received: Option<&Received>) {
    let Ok(target) = config else { return };
    let Some(received) = received else {
        *config = Err(Unreadable {
            path: "credentialProviderConfigurations".into(),
            reason: "the response body could not be read for the members SDK 1.97 lacks".into(),
        });
        return;
    };
    let raw = received.targets.iter().find(|(id, _)| id == target_id).map(|(_, v)| v);
    let items: &[Value] = raw.and_then(Value::as_array).map_or(&[], Vec::as_slice);
    let Some(configs) = target.credential_provider_configurations.take() else { return };
    let mut configs = configs.into_vec();
    for (i, c) in configs.iter_mut().enumerate() {
        if c.credential_provider.is_some() {
            continue;
        }
        match svid_provider(items.get(i).and_then(|item| item.get("credentialProvider")), i) {
            Ok(p) => c.credential_provider = p,
            Err(e) => {
                *config = Err(e);
                return;
            }
        }
    }
    target.credential_provider_configurations = Some(Bounded::from_service(configs));
}

/// The `credentialProvider` of item `i` that the SDK read as none: absent, or the carried
/// `svidCredentialProvider`, checked as a spec is; any other member refuses the target by path.
fn svid_provider(raw: Option<&Value>, i: usize) -> Result<Option<CredentialProvider>, Unreadable> {
    use crate::model::decode::{Cx, Decode, Node};
    let path = format!("credentialProviderConfigurations[{i}].credentialProvider");
    let obj = match raw {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(o)) if o.values().all(Value::is_null) => return Ok(None),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(Unreadable { path, reason: "not an object".into() }),
    };
    let carried: Vec<&str> = carried(CredentialProvider::MEMBERS).collect();
    if let Some(k) = obj.iter().find(|(k, v)| !v.is_null() && !carried.contains(&k.as_str())).map(|(k, _)| k) {
        return Err(Unreadable {
            path: format!("{path}.{k}"),
            reason: "a member this build of acgw can neither read nor carry; updating the target would drop it".into(),
        });
    }
    let mut problems = Vec::new();
    let decoded =
        CredentialProvider::decode(&Node::from_json(&Value::Object(obj.clone())), &mut Cx::new("", &mut problems));
    match (decoded, problems.first()) {
        (Some(v), None) => Ok(Some(v)),
        (_, Some(p)) => Err(Unreadable { path: format!("{path}{}", p.path), reason: p.message.clone() }),
        (None, None) => Err(Unreadable { path, reason: "not readable".into() }),
    }
}

/// Adds to `config` (read through the SDK) the carried members of its response. Fails closed:
/// with no readable response body, or a member acgw cannot read or carry, the configuration is
/// [`Unreadable`] by that member's name, so that no update can drop what the gateway has.
pub fn read_gateway(config: &mut Result<Gateway, Unreadable>, received: Option<Received>) {
    let Ok(gateway) = config else { return };
    let Some(received) = received else {
        *config = Err(Unreadable {
            path: GATEWAY_MEMBERS.join(", "),
            reason: "the response body could not be read for the members SDK 1.97 lacks".into(),
        });
        return;
    };
    if let Some(member) = received.unknown.first() {
        *config = Err(Unreadable {
            path: member.clone(),
            reason: "a member this build of acgw can neither read nor carry; updating the gateway would drop it".into(),
        });
        return;
    }
    let read = domain_override(received.members.get("domainOverride")).and_then(|d| {
        let arn = string(received.members.get("workloadIdentityTemplateArn"), "workloadIdentityTemplateArn")?;
        Ok((d, arn.map(WorkloadIdentityTemplateArn::from_service)))
    });
    let read = read.and_then(|r| Ok((r, interceptors(received.members.get("interceptorConfigurations"), gateway)?)));
    let read = read.and_then(|r| {
        let raw = received.members.get("authorizerConfiguration").and_then(|a| a.get("customJWTAuthorizer"));
        Ok((r, certificates(raw.and_then(|j| j.get("certificateConfigurations")))?))
    });
    let read = read.map(|(r, certificates)| {
        if let Some(crate::model::AuthorizerConfiguration::CustomJwtAuthorizer(jwt)) =
            &mut gateway.authorizer_configuration
        {
            jwt.certificate_configurations = certificates;
        }
        r
    });
    match read {
        Ok(((d, arn), members)) => {
            gateway.domain_override = d;
            gateway.workload_identity_template_arn = arn;
            if let Some(list) = gateway.interceptor_configurations.take() {
                let mut members = members.into_iter();
                gateway.interceptor_configurations = Some(list.map_items(|items| {
                    items
                        .into_iter()
                        .map(|mut item| {
                            let (mode, streaming) = members.next().unwrap_or_default();
                            item.response_interception_mode = mode;
                            item.response_streaming_configuration = streaming;
                            item
                        })
                        .collect()
                }));
            }
        }
        Err(e) => *config = Err(e),
    }
}

/// `certificateConfigurations` as the service sent it, checked as a spec is: a value outside the
/// model makes the gateway unreadable by its path rather than being dropped.
fn certificates(raw: Option<&Value>) -> Result<Option<Bounded<CertificateConfiguration, 1, 1>>, Unreadable> {
    use crate::model::decode::{Cx, Decode, Node};
    let path = "authorizerConfiguration.customJWTAuthorizer.certificateConfigurations";
    let raw = match raw {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(a)) if a.is_empty() => return Ok(None),
        Some(v) => v,
    };
    let mut problems = Vec::new();
    let decoded =
        Bounded::<CertificateConfiguration, 1, 1>::decode(&Node::from_json(raw), &mut Cx::new("", &mut problems));
    match (decoded, problems.first()) {
        (Some(v), None) => Ok(Some(v)),
        (_, Some(p)) => Err(Unreadable {
            path: if p.path.is_empty() { path.to_string() } else { format!("{path}{}", p.path) },
            reason: p.message.clone(),
        }),
        (None, None) => Err(Unreadable { path: path.into(), reason: "not readable".into() }),
    }
}

/// The carried members of each interceptor the SDK read, matched by position (the SDK keeps the
/// service's order).
type InterceptorMembers = (Option<ResponseInterceptionMode>, Option<ResponseStreamingConfiguration>);

fn interceptors(raw: Option<&Value>, gateway: &Gateway) -> Result<Vec<InterceptorMembers>, Unreadable> {
    let count = gateway.interceptor_configurations.as_deref().map_or(0, <[_]>::len);
    let items: &[Value] = raw.and_then(Value::as_array).map_or(&[], Vec::as_slice);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let path = |k: &str| format!("interceptorConfigurations[{i}].{k}");
        let item = items.get(i);
        let mode = string(item.and_then(|v| v.get("responseInterceptionMode")), &path("responseInterceptionMode"))?
            .map(|m| ResponseInterceptionMode::from_service(m.as_str()));
        let streaming = match item.and_then(|v| v.get("responseStreamingConfiguration")) {
            None | Some(Value::Null) => None,
            Some(Value::Object(o)) => {
                if let Some(k) = o.keys().find(|k| !ResponseStreamingConfiguration::KEYS.contains(&k.as_str())) {
                    return Err(Unreadable {
                        path: format!("{}.{k}", path("responseStreamingConfiguration")),
                        reason: "a member this build of acgw can neither read nor carry".into(),
                    });
                }
                let max = match o.get("maxEventsPerInvocation") {
                    None | Some(Value::Null) => None,
                    Some(n) => match n.as_i64().and_then(|n| i32::try_from(n).ok()) {
                        Some(n) => Some(MaxEventsPerInvocation::from_service(n)),
                        None => {
                            return Err(Unreadable {
                                path: format!("{}.maxEventsPerInvocation", path("responseStreamingConfiguration")),
                                reason: "not a 32-bit integer".into(),
                            })
                        }
                    },
                };
                Some(ResponseStreamingConfiguration { max_events_per_invocation: max })
            }
            Some(_) => {
                return Err(Unreadable { path: path("responseStreamingConfiguration"), reason: "not an object".into() })
            }
        };
        out.push((mode, streaming));
    }
    Ok(out)
}

/// An optional string member; an empty one means "not set", as everywhere in acgw.
fn string(value: Option<&Value>, path: &str) -> Result<Option<String>, Unreadable> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok((!s.is_empty()).then(|| s.clone())),
        Some(_) => Err(Unreadable { path: path.into(), reason: "not a string".into() }),
    }
}

/// `domainOverride` as the service sent it, kept verbatim (see `FromService`).
fn domain_override(value: Option<&Value>) -> Result<Option<DomainOverride>, Unreadable> {
    let bad = |path: &str, reason: &str| Unreadable { path: format!("domainOverride{path}"), reason: reason.into() };
    let obj = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(bad("", "not an object")),
    };
    if let Some(k) = obj.keys().find(|k| !DomainOverride::KEYS.contains(&k.as_str())) {
        return Err(bad(&format!(".{k}"), "a member this build of acgw can neither read nor carry"));
    }
    let default_domain = match obj.get("default") {
        Some(Value::String(s)) => PublicDomainName::from_service(s.clone()),
        _ => return Err(bad(".default", "missing or not a string, but the model requires it")),
    };
    let alternate_domains = match obj.get("alternateDomains") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut names = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => names.push(PublicDomainName::from_service(s.clone())),
                    _ => return Err(bad(&format!(".alternateDomains[{i}]"), "not a string")),
                }
            }
            // An empty list means "not set", as everywhere in acgw.
            (!names.is_empty()).then(|| Bounded::from_service(names))
        }
        Some(_) => return Err(bad(".alternateDomains", "not a list")),
    };
    Ok(Some(DomainOverride { default_domain, alternate_domains }))
}

/// The member names (API naming) of an SDK type, from the `Debug` output of its empty builder:
/// the only list of them the SDK exposes. `custom_jwt_authorizer`-style acronyms do not occur at
/// the top level of the gateway shapes.
pub(crate) fn sdk_member_names(debug: &str) -> BTreeSet<String> {
    let inner = debug.split_once('{').map_or("", |(_, rest)| rest);
    inner
        .split(',')
        .filter_map(|field| field.split_once(':').map(|(name, _)| name.trim()))
        .filter(|name| !name.is_empty() && !name.starts_with('_'))
        .map(camel)
        .collect()
}

fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The members of a gateway response that the SDK reads.
fn sdk_gateway_output_members() -> &'static BTreeSet<String> {
    static MEMBERS: OnceLock<BTreeSet<String>> = OnceLock::new();
    MEMBERS.get_or_init(|| sdk_member_names(&format!("{:?}", GetGatewayOutputBuilder::default())))
}

/// Carries [`GATEWAY_MEMBERS`] for the call in whose [`exchange`] scope it runs; outside one it
/// does nothing.
#[derive(Debug)]
pub struct CarryInterceptor;

impl Intercept for CarryInterceptor {
    fn name(&self) -> &'static str {
        "AcgwCarriedMembers"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Ok(ex) = CURRENT.try_with(Arc::clone) else { return Ok(()) };
        if ex.send.is_empty() {
            return Ok(());
        }
        let request = context.request_mut();
        let bytes = request.body().bytes().ok_or("cannot add the members SDK 1.97 lacks to a streamed body")?;
        let mut body: Value = serde_json::from_slice(bytes)?;
        for (at, k, v) in &ex.send {
            // Fails closed: never send the request without a member it should carry.
            let object = body
                .pointer_mut(at)
                .and_then(Value::as_object_mut)
                .ok_or_else(|| format!("the request body has no object at {at:?} to carry {k} in"))?;
            object.insert(k.clone(), v.clone());
        }
        let body = serde_json::to_vec(&body)?;
        request.headers_mut().insert("content-length", body.len().to_string());
        *request.body_mut() = SdkBody::from(body);
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Ok(ex) = CURRENT.try_with(Arc::clone) else { return Ok(()) };
        let response = context.response();
        if !response.status().is_success() {
            return Ok(());
        }
        let Some(Ok(Value::Object(body))) = response.body().bytes().map(serde_json::from_slice::<Value>) else {
            return Ok(());
        };
        if ex.family == Family::Target {
            let received = Received { targets: target_providers(body), ..Received::default() };
            if let Ok(mut slot) = ex.received.lock() {
                *slot = Some(received);
            }
            return Ok(());
        }
        let known = sdk_gateway_output_members();
        let mut received = Received::default();
        let whole = Value::Object(body);
        for path in NOT_CARRIED {
            set_paths(&whole, path, String::new(), &mut received.unknown);
        }
        let Value::Object(body) = whole else { return Ok(()) };
        for (k, v) in body {
            if GATEWAY_MEMBERS.contains(&k.as_str())
                || k == "interceptorConfigurations"
                || k == "authorizerConfiguration"
            {
                received.members.insert(k, v);
            } else if !known.contains(&k) && !v.is_null() {
                received.unknown.push(k);
            }
        }
        if let Ok(mut slot) = ex.received.lock() {
            *slot = Some(received);
        }
        Ok(())
    }
}

/// Each target's ID and `credentialProviderConfigurations` in a target response body: the body
/// itself, or each item of its `targets` (SynchronizeGatewayTargets).
fn target_providers(mut body: Map<String, Value>) -> Vec<(String, Value)> {
    let one = |t: &mut Map<String, Value>| {
        let id = t.get("targetId").and_then(Value::as_str).unwrap_or_default().to_string();
        (id, t.remove("credentialProviderConfigurations").unwrap_or(Value::Null))
    };
    match body.remove("targets") {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|t| if let Value::Object(mut t) = t { Some(one(&mut t)) } else { None })
            .collect(),
        _ => vec![one(&mut body)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_bedrockagentcorecontrol::operation::create_gateway::builders::CreateGatewayInputBuilder;
    use aws_sdk_bedrockagentcorecontrol::operation::update_gateway::builders::UpdateGatewayInputBuilder;

    /// When the SDK gains a carried member, it must be converted like any other and leave
    /// [`GATEWAY_MEMBERS`]: two paths for one member would send it twice.
    #[test]
    fn carried_members_are_not_in_the_sdk() {
        let create = sdk_member_names(&format!("{:?}", CreateGatewayInputBuilder::default()));
        let update = sdk_member_names(&format!("{:?}", UpdateGatewayInputBuilder::default()));
        let output = sdk_gateway_output_members();
        let interceptor = sdk_member_names(&format!(
            "{:?}",
            aws_sdk_bedrockagentcorecontrol::types::builders::GatewayInterceptorConfigurationBuilder::default()
        ));
        assert!(interceptor.contains("interceptionPoints"), "{interceptor:?}");
        let jwt = sdk_member_names(&format!(
            "{:?}",
            aws_sdk_bedrockagentcorecontrol::types::builders::CustomJwtAuthorizerConfigurationBuilder::default()
        ));
        assert!(jwt.contains("discoveryUrl"), "{jwt:?}");
        for member in JWT_MEMBERS.iter() {
            assert!(
                !jwt.contains(*member),
                "the SDK now has customJWTAuthorizer `{member}`: declare it `opt` instead of `carried` in the model"
            );
        }
        for member in INTERCEPTOR_MEMBERS.iter() {
            assert!(
                !interceptor.contains(*member),
                "the SDK now has interceptor `{member}`: declare it `opt` instead of `carried` in the model"
            );
        }
        // JWT_SVID and its svidCredentialProvider came together; the SDK's enum says when.
        let types = aws_sdk_bedrockagentcorecontrol::types::CredentialProviderType::values();
        assert!(types.contains(&"JWT_PASSTHROUGH"), "{types:?}");
        assert!(
            !types.contains(&"JWT_SVID"),
            "the SDK now has JWT_SVID: move svidCredentialProvider out of `carried` in the model"
        );
        assert_eq!(carried(CredentialProvider::MEMBERS).collect::<Vec<_>>(), ["svidCredentialProvider"]);
        // The lists are read from the declarations: the members carried today are in them.
        assert_eq!(*GATEWAY_MEMBERS, ["domainOverride", "workloadIdentityTemplateArn"]);
        assert_eq!(*INTERCEPTOR_MEMBERS, ["responseInterceptionMode", "responseStreamingConfiguration"]);
        assert_eq!(*JWT_MEMBERS, ["certificateConfigurations"]);
        // The parse itself works: members the SDK has are found.
        assert!(create.contains("kmsKeyArn") && update.contains("gatewayIdentifier") && output.contains("gatewayUrl"));
        for member in GATEWAY_MEMBERS.iter() {
            assert!(
                !create.contains(*member) && !update.contains(*member) && !output.contains(*member),
                "the SDK now has `{member}`: declare it `opt` instead of `carried` in the model"
            );
        }
    }

    #[test]
    fn a_domain_override_is_read_verbatim_and_an_unknown_member_refused() {
        let v = serde_json::json!({"default": "api.example.com", "alternateDomains": ["b.example.com"]});
        let d = domain_override(Some(&v)).expect("reads").expect("set");
        assert_eq!(d.default_domain.as_str(), "api.example.com");
        assert_eq!(d.alternate_domains.as_deref().map(|a| a.len()), Some(1));
        let v = serde_json::json!({"default": "api.example.com", "wildcard": true});
        let e = domain_override(Some(&v)).expect_err("refused");
        assert_eq!(e.path, "domainOverride.wildcard");
        let v = serde_json::json!({"alternateDomains": ["b.example.com"]});
        assert_eq!(domain_override(Some(&v)).expect_err("refused").path, "domainOverride.default");
    }

    #[test]
    fn nested_members_acgw_does_not_carry_are_found_by_path() {
        let body = serde_json::json!({
            "authorizerConfiguration": {"customJWTAuthorizer": {"certificateConfigurations": [{"s3": {"uri": "s3://b/k"}}]}},
            "interceptorConfigurations": [{"interceptionPoints": ["REQUEST"]}, {"responseInterceptionMode": "STREAM", "responseStreamingConfiguration": null}]
        });
        let mut out = Vec::new();
        for path in [
            "authorizerConfiguration.customJWTAuthorizer.certificateConfigurations",
            "interceptorConfigurations[].responseInterceptionMode",
            "interceptorConfigurations[].responseStreamingConfiguration",
        ] {
            set_paths(&body, path, String::new(), &mut out);
        }
        assert_eq!(
            out,
            [
                "authorizerConfiguration.customJWTAuthorizer.certificateConfigurations",
                "interceptorConfigurations[1].responseInterceptionMode"
            ]
        );
    }

    #[test]
    fn a_credential_provider_the_sdk_lacks_is_read_as_a_spec_or_refused_by_path() {
        let svid =
            serde_json::json!({"svidCredentialProvider": {"audiences": ["orders"], "signingAlgorithm": "RS256"}});
        let read = svid_provider(Some(&svid), 0).expect("reads").expect("set");
        assert!(matches!(read, CredentialProvider::SvidCredentialProvider(_)), "{read:?}");
        assert_eq!(serde_json::to_value(&read).unwrap(), svid);
        let future = serde_json::json!({"futureProvider": {"on": true}});
        let e = svid_provider(Some(&future), 2).expect_err("refused");
        assert_eq!(e.path, "credentialProviderConfigurations[2].credentialProvider.futureProvider");
        let bad = serde_json::json!({"svidCredentialProvider": {"signingAlgorithm": "HS256"}});
        let e = svid_provider(Some(&bad), 0).expect_err("refused");
        assert!(e.path.ends_with("svidCredentialProvider.signingAlgorithm"), "{e:?}");
        assert_eq!(svid_provider(None, 0).expect("absent"), None);
    }

    #[test]
    fn a_response_without_a_readable_body_fails_closed() {
        let mut config = Ok(Gateway::minimal(
            crate::model::GatewayName::from_service("g".to_string()),
            crate::model::RoleArn::from_service("arn:aws:iam::123456789012:role/r".to_string()),
            crate::model::AuthorizerType::None,
        ));
        read_gateway(&mut config, None);
        assert!(config.is_err());
        let mut config2 = Ok(Gateway::minimal(
            crate::model::GatewayName::from_service("g".to_string()),
            crate::model::RoleArn::from_service("arn:aws:iam::123456789012:role/r".to_string()),
            crate::model::AuthorizerType::None,
        ));
        read_gateway(&mut config2, Some(Received { unknown: vec!["newThing".into()], ..Received::default() }));
        assert_eq!(config2.expect_err("refused").path, "newThing");
    }
}

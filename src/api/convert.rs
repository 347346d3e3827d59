//! SDK types to and from the model, and SDK errors to [`ApiError`].
//!
//! Model → SDK cannot lose information: every model member has an SDK member. SDK → model can
//! fail, because the service (or the SDK's error correction) may send what the model cannot hold:
//! an unknown enum or union variant, a string outside the model's pattern, a missing required
//! member. Those become [`ApiError::Response`] naming the gateway and the field path in API naming.

use aws_sdk_bedrockagentcorecontrol::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockagentcorecontrol::operation;
use aws_sdk_bedrockagentcorecontrol::operation::create_gateway::builders::CreateGatewayInputBuilder;
use aws_sdk_bedrockagentcorecontrol::operation::create_gateway::CreateGatewayOutput;
use aws_sdk_bedrockagentcorecontrol::operation::create_gateway_target::builders::CreateGatewayTargetInputBuilder;
use aws_sdk_bedrockagentcorecontrol::operation::get_gateway::GetGatewayOutput;
use aws_sdk_bedrockagentcorecontrol::operation::update_gateway::builders::UpdateGatewayInputBuilder;
use aws_sdk_bedrockagentcorecontrol::operation::update_gateway::UpdateGatewayOutput;
use aws_sdk_bedrockagentcorecontrol::operation::update_gateway_target::builders::UpdateGatewayTargetInputBuilder;
use aws_sdk_bedrockagentcorecontrol::primitives::{DateTime, DateTimeFormat};
use aws_sdk_bedrockagentcorecontrol::types as s;

use crate::api::ApiError;
use crate::model as m;
use crate::model::live::{
    GatewayRateLimitStatus, GatewayRuleStatus, GatewayStatus, GatewaySummary, LiveGateway, LiveRateLimit, LiveRule,
    LiveTarget, TargetStatus, Unreadable,
};
use crate::model::target::Target;
use m::sdk::ReadSdk;

// ---------------------------------------------------------------- model → SDK
//
// Every member's conversion is generated from the shapes' declarations (`shape_struct!`), which
// also say which operation has which member (`#[create(no)]`, `#[update(no)]`, ...); what is
// written here is only each operation's own members (tokens, identifiers) and how a refused
// member is reported.

/// The CreateGateway input for `config`: every Create member, tags included, and the client token.
/// `wafConfiguration` and `customTransformConfiguration` are not part of CreateGateway.
pub fn create_input(config: &m::Gateway, client_token: &str) -> Result<CreateGatewayInputBuilder, ApiError> {
    let b = operation::create_gateway::CreateGatewayInput::builder().client_token(client_token);
    config.to_create(b).map_err(|f| build_failure(config.name.as_str(), f.key, f.failure))
}

/// The UpdateGateway input for `config`: the complete configuration (a full replace), never tags.
pub fn update_input(gateway_id: &str, config: &m::Gateway) -> Result<UpdateGatewayInputBuilder, ApiError> {
    let b = operation::update_gateway::UpdateGatewayInput::builder().gateway_identifier(gateway_id);
    config.to_update(b).map_err(|f| build_failure(config.name.as_str(), f.key, f.failure))
}

/// A builder refused what the model guarantees (its required members): report it, never panic.
fn build_failure(gateway: &str, path: &str, e: m::sdk::BuildFailure) -> ApiError {
    ApiError::Validation {
        message: format!("gateway {gateway}: {path}: {e}"),
        reason: "RequestBuild".to_string(),
        fields: vec![(path.to_string(), e.to_string())],
    }
}

// ---------------------------------------------------------------- SDK → model
//
// Tolerant reading: a value outside the model's constraints is kept verbatim (`FromService`), an
// enum value this build does not know is kept as `Unknown`, and an empty string, list or map in an
// optional member means "not set". Only what the model cannot hold at all (a union member this
// build does not know, a required member that is missing) makes the configuration [`Unreadable`],
// and then only that gateway's. The configuration is read by [`ReadSdk`], generated from the
// declaration; what is written here is the output's own members (identity, status, times).

/// Reads any gateway-returning output into a [`LiveGateway`]: the outputs share member names
/// but no type.
macro_rules! live_gateway {
    ($out:expr) => {{
        let mut out = $out;
        let ids = GatewayIds {
            gateway_arn: std::mem::take(&mut out.gateway_arn),
            gateway_id: std::mem::take(&mut out.gateway_id),
            name: out.name.clone(),
            updated_at: timestamp(&out.updated_at),
            status: GatewayStatus::from(out.status.as_str()),
            status_reasons: out.status_reasons.take().unwrap_or_default(),
        };
        live_from_parts(ids, m::Gateway::read_sdk(out))
    }};
}

/// What a gateway-returning output says beside the configuration.
struct GatewayIds {
    gateway_arn: String,
    gateway_id: String,
    name: String,
    updated_at: String,
    status: GatewayStatus,
    status_reasons: Vec<String>,
}

/// GetGateway's answer as a [`LiveGateway`].
pub fn live_from_get(out: GetGatewayOutput) -> Result<LiveGateway, ApiError> {
    live_gateway!(out)
}

/// CreateGateway's answer as a [`LiveGateway`].
pub fn live_from_create(out: CreateGatewayOutput) -> Result<LiveGateway, ApiError> {
    live_gateway!(out)
}

/// UpdateGateway's answer as a [`LiveGateway`].
pub fn live_from_update(out: UpdateGatewayOutput) -> Result<LiveGateway, ApiError> {
    live_gateway!(out)
}

/// One ListGateways entry.
pub fn summary_from_sdk(summary: s::GatewaySummary) -> GatewaySummary {
    GatewaySummary {
        updated_at: timestamp(&summary.updated_at),
        status: GatewayStatus::from(summary.status.as_str()),
        gateway_id: summary.gateway_id,
        name: summary.name,
    }
}

/// A timestamp as RFC 3339; one that RFC 3339 cannot express (before year 0 or after 9999) is
/// shown in epoch seconds rather than failing the gateway: it is only ever compared for equality.
fn timestamp(t: &DateTime) -> String {
    t.fmt(DateTimeFormat::DateTime).unwrap_or_else(|_| format!("{}s", t.secs()))
}

/// The service's answer as a [`LiveGateway`]. Fails only when the response cannot identify the
/// gateway at all (no ID or ARN); a configuration this build cannot represent is kept as
/// [`Unreadable`] beside the ID and status, which are still usable.
fn live_from_parts(p: GatewayIds, config: Result<m::Gateway, Unreadable>) -> Result<LiveGateway, ApiError> {
    let label = if p.name.is_empty() { &p.gateway_id } else { &p.name };
    for (member, value) in [("gatewayId", &p.gateway_id), ("gatewayArn", &p.gateway_arn)] {
        if value.is_empty() {
            return Err(ApiError::Response(format!("gateway {label}: {member}: missing, but the model requires it")));
        }
    }
    Ok(LiveGateway {
        updated_at: p.updated_at,
        status: p.status,
        status_reasons: p.status_reasons,
        gateway_id: p.gateway_id,
        gateway_arn: p.gateway_arn,
        config,
    })
}

// ---------------------------------------------------------------- errors

/// An operation's error enum, as far as classification needs it.
pub trait OperationError: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static {
    /// The modeled ValidationException, if this is one (it carries the reason and the fields).
    fn validation(&self) -> Option<&s::error::ValidationException>;
}

macro_rules! operation_error {
    ($($module:ident :: $err:ident),* $(,)?) => {$(
        impl OperationError for operation::$module::$err {
            fn validation(&self) -> Option<&s::error::ValidationException> {
                match self {
                    operation::$module::$err::ValidationException(v) => Some(v),
                    _ => None,
                }
            }
        }
    )*};
}
operation_error!(
    create_gateway::CreateGatewayError,
    get_gateway::GetGatewayError,
    update_gateway::UpdateGatewayError,
    delete_gateway::DeleteGatewayError,
    list_gateways::ListGatewaysError,
    list_gateway_targets::ListGatewayTargetsError,
    delete_gateway_target::DeleteGatewayTargetError,
    get_gateway_target::GetGatewayTargetError,
    create_gateway_target::CreateGatewayTargetError,
    update_gateway_target::UpdateGatewayTargetError,
    synchronize_gateway_targets::SynchronizeGatewayTargetsError,
    get_resource_policy::GetResourcePolicyError,
    put_resource_policy::PutResourcePolicyError,
    delete_resource_policy::DeleteResourcePolicyError,
    list_gateway_rate_limits::ListGatewayRateLimitsError,
    get_gateway_rate_limit::GetGatewayRateLimitError,
    create_gateway_rate_limit::CreateGatewayRateLimitError,
    update_gateway_rate_limit::UpdateGatewayRateLimitError,
    delete_gateway_rate_limit::DeleteGatewayRateLimitError,
    list_gateway_rules::ListGatewayRulesError,
    get_gateway_rule::GetGatewayRuleError,
    create_gateway_rule::CreateGatewayRuleError,
    update_gateway_rule::UpdateGatewayRuleError,
    delete_gateway_rule::DeleteGatewayRuleError,
    tag_resource::TagResourceError,
    untag_resource::UntagResourceError,
    list_tags_for_resource::ListTagsForResourceError,
);

/// Classifies an SDK error for the caller's decisions (wait, retry, report).
pub fn classify<E: OperationError>(err: SdkError<E>) -> ApiError {
    match &err {
        SdkError::ServiceError(se) => {
            let status = se.raw().status().as_u16();
            let e = se.err();
            if let Some(v) = e.validation() {
                return ApiError::Validation {
                    message: v.message().to_string(),
                    reason: v.reason().as_str().to_string(),
                    fields: v.field_list().iter().map(|f| (f.name().to_string(), f.message().to_string())).collect(),
                };
            }
            let code = e.code().map(str::to_string);
            let message = e.message().map(str::to_string).unwrap_or_default();
            let text = |code: &str| if message.is_empty() { code.to_string() } else { message.clone() };
            match code.as_deref() {
                Some("ResourceNotFoundException") => ApiError::NotFound(text("ResourceNotFoundException")),
                Some("ConflictException") => ApiError::Conflict(text("ConflictException")),
                Some(c @ ("ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded")) => {
                    ApiError::Throttling(text(c))
                }
                Some(
                    c @ ("AccessDeniedException"
                    | "UnrecognizedClientException"
                    | "InvalidSignatureException"
                    | "ExpiredTokenException"),
                ) => ApiError::AccessDenied(format!("{c}: {}", text(c))),
                Some("ValidationException") => {
                    ApiError::Validation { message: text("ValidationException"), reason: String::new(), fields: vec![] }
                }
                Some(c) => ApiError::Service { code: c.to_string(), message },
                None => match status {
                    404 => ApiError::NotFound(format!("HTTP {status}")),
                    409 => ApiError::Conflict(format!("HTTP {status}")),
                    429 => ApiError::Throttling(format!("HTTP {status}")),
                    403 => ApiError::AccessDenied(format!("HTTP {status}")),
                    _ => ApiError::Service { code: format!("HTTP {status}"), message },
                },
            }
        }
        SdkError::TimeoutError(_) => ApiError::Transport("the call timed out".to_string()),
        SdkError::DispatchFailure(_) => ApiError::Transport(DisplayErrorContext(&err).to_string()),
        SdkError::ResponseError(_) => {
            // A body cut off by the connection is a transport failure; a complete answer that does
            // not parse is the service's.
            if has_source::<std::io::Error>(&err) || chain_mentions(&err, &["connection", "incomplete"]) {
                ApiError::Transport(DisplayErrorContext(&err).to_string())
            } else {
                ApiError::Response(DisplayErrorContext(&err).to_string())
            }
        }
        SdkError::ConstructionFailure(_) => ApiError::Validation {
            message: format!("the request could not be built: {}", DisplayErrorContext(&err)),
            reason: "RequestBuild".to_string(),
            fields: vec![],
        },
        _ => ApiError::Service { code: "Unknown".to_string(), message: DisplayErrorContext(&err).to_string() },
    }
}

fn has_source<T: std::error::Error + 'static>(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(e) = next {
        if e.is::<T>() {
            return true;
        }
        next = e.source();
    }
    false
}

fn chain_mentions(err: &(dyn std::error::Error + 'static), words: &[&str]) -> bool {
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string().to_ascii_lowercase();
        if words.iter().any(|w| text.contains(w)) {
            return true;
        }
        next = e.source();
    }
    false
}

// ---------------------------------------------------------------- targets

/// The CreateGatewayTarget input for `config` on gateway `gateway_id`.
pub fn create_target_input(
    gateway_id: &str,
    config: &Target,
    client_token: &str,
) -> Result<CreateGatewayTargetInputBuilder, ApiError> {
    let b = operation::create_gateway_target::CreateGatewayTargetInput::builder()
        .gateway_identifier(gateway_id)
        .client_token(client_token);
    config.to_create(b).map_err(|f| build_failure(config.name.as_str(), "target", f.failure))
}

/// The UpdateGatewayTarget input: the complete configuration (a full replace).
pub fn update_target_input(
    gateway_id: &str,
    target_id: &str,
    config: &Target,
) -> Result<UpdateGatewayTargetInputBuilder, ApiError> {
    let b = operation::update_gateway_target::UpdateGatewayTargetInput::builder()
        .gateway_identifier(gateway_id)
        .target_id(target_id);
    config.to_update(b).map_err(|f| build_failure(config.name.as_str(), "target", f.failure))
}

/// Reads any target-returning output into a [`LiveTarget`] (the outputs share member names but
/// no type); the configuration is read by [`ReadSdk`].
macro_rules! live_target {
    ($out:expr) => {{
        let mut out = $out;
        LiveTarget {
            target_id: std::mem::take(&mut out.target_id),
            name: out.name.clone(),
            status: TargetStatus::from(out.status.as_str()),
            status_reasons: out.status_reasons.take().unwrap_or_default(),
            updated_at: timestamp(&out.updated_at),
            last_synchronized_at: out.last_synchronized_at.as_ref().map(timestamp),
            authorization_url: match out.authorization_data.take() {
                Some(s::AuthorizationData::Oauth2(o)) => Some(o.authorization_url).filter(|u| !u.is_empty()),
                _ => None,
            },
            config: Target::read_sdk(out),
        }
    }};
}

/// GetGatewayTarget's answer.
pub fn target_from_get(out: operation::get_gateway_target::GetGatewayTargetOutput) -> LiveTarget {
    live_target!(out)
}

/// CreateGatewayTarget's answer.
pub fn target_from_create(out: operation::create_gateway_target::CreateGatewayTargetOutput) -> LiveTarget {
    live_target!(out)
}

/// UpdateGatewayTarget's answer.
pub fn target_from_update(out: operation::update_gateway_target::UpdateGatewayTargetOutput) -> LiveTarget {
    live_target!(out)
}

/// One target of SynchronizeGatewayTargets' answer.
pub fn target_from_synchronize(out: s::GatewayTarget) -> LiveTarget {
    live_target!(out)
}

// ---------------------------------------------------------------- rate limits

/// The CreateGatewayRateLimit input for `config` on gateway `gateway_id`.
pub fn create_rate_limit_input(
    gateway_id: &str,
    config: &m::rate_limit::RateLimit,
    client_token: &str,
) -> Result<operation::create_gateway_rate_limit::builders::CreateGatewayRateLimitInputBuilder, ApiError> {
    let b = operation::create_gateway_rate_limit::CreateGatewayRateLimitInput::builder()
        .gateway_identifier(gateway_id)
        .client_token(client_token);
    config.to_create(b).map_err(|f| rate_limit_failure(gateway_id, config, f))
}

/// The UpdateGatewayRateLimit input: a PATCH, so every member it has is sent (`description`
/// when set, and `entries`); `dimensionKeys` is not part of it (immutable).
pub fn update_rate_limit_input(
    gateway_id: &str,
    config: &m::rate_limit::RateLimit,
) -> Result<operation::update_gateway_rate_limit::builders::UpdateGatewayRateLimitInputBuilder, ApiError> {
    let b = operation::update_gateway_rate_limit::UpdateGatewayRateLimitInput::builder().gateway_identifier(gateway_id);
    config.to_update(b).map_err(|f| rate_limit_failure(gateway_id, config, f))
}

fn rate_limit_failure(gateway_id: &str, config: &m::rate_limit::RateLimit, f: m::sdk::MemberFailure) -> ApiError {
    build_failure(gateway_id, &format!("rateLimits[{}]", config.rate_limit_id), f.failure)
}

/// Reads any rate-limit-returning output into a [`LiveRateLimit`]; the configuration is read by
/// [`ReadSdk`].
macro_rules! live_rate_limit {
    ($out:expr) => {{
        let out = $out;
        LiveRateLimit {
            rate_limit_id: out.rate_limit_id.clone(),
            status: GatewayRateLimitStatus::from(out.status.as_str()),
            updated_at: timestamp(&out.updated_at),
            config: m::rate_limit::RateLimit::read_sdk(out),
        }
    }};
}

/// One rate limit of ListGatewayRateLimits' answer.
pub fn rate_limit_from_detail(out: s::GatewayRateLimitDetail) -> LiveRateLimit {
    live_rate_limit!(out)
}

/// GetGatewayRateLimit's answer.
pub fn rate_limit_from_get(out: operation::get_gateway_rate_limit::GetGatewayRateLimitOutput) -> LiveRateLimit {
    live_rate_limit!(out)
}

/// CreateGatewayRateLimit's answer.
pub fn rate_limit_from_create(
    out: operation::create_gateway_rate_limit::CreateGatewayRateLimitOutput,
) -> LiveRateLimit {
    live_rate_limit!(out)
}

/// UpdateGatewayRateLimit's answer.
pub fn rate_limit_from_update(
    out: operation::update_gateway_rate_limit::UpdateGatewayRateLimitOutput,
) -> LiveRateLimit {
    live_rate_limit!(out)
}

// ---------------------------------------------------------------- rules

/// The CreateGatewayRule input for `config` on gateway `gateway_id` (no conditions are sent
/// rather than an empty list).
pub fn create_rule_input(
    gateway_id: &str,
    config: &m::rule::Rule,
    client_token: &str,
) -> Result<operation::create_gateway_rule::builders::CreateGatewayRuleInputBuilder, ApiError> {
    let b = operation::create_gateway_rule::CreateGatewayRuleInput::builder()
        .gateway_identifier(gateway_id)
        .client_token(client_token);
    config.to_create(b).map_err(|f| rule_failure(gateway_id, config, f))
}

/// The UpdateGatewayRule input: a PATCH, so every member is sent (`priority`, `actions`,
/// `conditions` — an empty list when there are none, which clears them — and `description`
/// when set; a description cannot be cleared by PATCH, so plan replaces the rule instead).
pub fn update_rule_input(
    gateway_id: &str,
    rule_id: &str,
    config: &m::rule::Rule,
) -> Result<operation::update_gateway_rule::builders::UpdateGatewayRuleInputBuilder, ApiError> {
    let b = operation::update_gateway_rule::UpdateGatewayRuleInput::builder()
        .gateway_identifier(gateway_id)
        .rule_id(rule_id);
    config.to_update(b).map_err(|f| rule_failure(gateway_id, config, f))
}

fn rule_failure(gateway_id: &str, config: &m::rule::Rule, f: m::sdk::MemberFailure) -> ApiError {
    build_failure(gateway_id, &format!("rules[{}]", config.priority.get()), f.failure)
}

/// Reads any rule-returning output into a [`LiveRule`]; the configuration is read by [`ReadSdk`].
macro_rules! live_rule {
    ($out:expr, $updated:expr) => {{
        let mut out = $out;
        LiveRule {
            updated_at: $updated(&out),
            rule_id: std::mem::take(&mut out.rule_id),
            status: GatewayRuleStatus::from(out.status.as_str()),
            system_managed_by: out.system.take().map(|s| s.managed_by),
            config: m::rule::Rule::read_sdk(out),
        }
    }};
}

/// One rule of ListGatewayRules' answer.
pub fn rule_from_detail(out: s::GatewayRuleDetail) -> LiveRule {
    live_rule!(out, |o: &s::GatewayRuleDetail| timestamp(o.updated_at.as_ref().unwrap_or(&o.created_at)))
}

/// GetGatewayRule's answer.
pub fn rule_from_get(out: operation::get_gateway_rule::GetGatewayRuleOutput) -> LiveRule {
    live_rule!(out, |o: &operation::get_gateway_rule::GetGatewayRuleOutput| timestamp(
        o.updated_at.as_ref().unwrap_or(&o.created_at)
    ))
}

/// CreateGatewayRule's answer (it has no `updatedAt`: `createdAt` stands in).
pub fn rule_from_create(out: operation::create_gateway_rule::CreateGatewayRuleOutput) -> LiveRule {
    live_rule!(out, |o: &operation::create_gateway_rule::CreateGatewayRuleOutput| timestamp(&o.created_at))
}

/// UpdateGatewayRule's answer.
pub fn rule_from_update(out: operation::update_gateway_rule::UpdateGatewayRuleOutput) -> LiveRule {
    live_rule!(out, |o: &operation::update_gateway_rule::UpdateGatewayRuleOutput| timestamp(
        o.updated_at.as_ref().unwrap_or(&o.created_at)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_bedrockagentcorecontrol::error::{ConnectorError, ErrorMetadata};
    use aws_sdk_bedrockagentcorecontrol::operation::get_gateway::GetGatewayError;
    use aws_sdk_bedrockagentcorecontrol::operation::update_gateway::UpdateGatewayInput;
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;

    /// Three gateways that together set every member, every union member and every enum value.
    const FIXTURE: &str = include_str!("../../tests/fixtures/every-member.yaml");

    fn fixture() -> Vec<m::Gateway> {
        match crate::load::load_text("fixture.yaml", FIXTURE, &|_| None) {
            Ok(d) => d.specs.into_iter().map(|s| s.gateway).collect(),
            Err(p) => panic!("fixture does not load: {p:?}"),
        }
    }

    fn ts(secs: i64) -> DateTime {
        DateTime::from_secs(secs)
    }

    /// What the service would answer for an UpdateGateway input: the same members (every one the
    /// declaration says the outputs report), plus its own.
    fn get_output_from(input: UpdateGatewayInput, id: &str) -> GetGatewayOutput {
        let b = GetGatewayOutput::builder()
            .gateway_arn(format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/{id}"))
            .gateway_id(id)
            .created_at(ts(1_700_000_000))
            .updated_at(ts(1_700_000_123))
            .status(s::GatewayStatus::Ready);
        m::Gateway::echo_update(input, b).build().expect("all required members are set")
    }

    /// The model value as it comes back from the service: no tags, and protocolType reported as MCP.
    fn as_live(g: &m::Gateway) -> m::Gateway {
        let mut g = g.clone();
        g.tags = None;
        g.protocol_type = Some(m::ProtocolType::Mcp);
        g
    }

    #[test]
    fn fixture_covers_every_enum_value() {
        let gws = fixture();
        let json = serde_json::to_string(&gws).expect("serializable");
        let all: Vec<&str> = [
            m::ProtocolType::WIRE,
            m::SearchType::WIRE,
            m::AuthorizerType::WIRE,
            m::ExceptionLevel::WIRE,
            m::PolicyEngineMode::WIRE,
            m::InterceptionPoint::WIRE,
            m::PayloadExclusion::WIRE,
            m::ClaimValueType::WIRE,
            m::ClaimMatchOperator::WIRE,
            m::EndpointIpAddressType::WIRE,
            m::WafFailureMode::WIRE,
        ]
        .concat();
        for v in all {
            assert!(json.contains(&format!("\"{v}\"")), "fixture lacks enum value {v}");
        }
    }

    #[test]
    fn update_input_round_trips_through_get_output() {
        for g in fixture() {
            let input = update_input("gw-1", &g).expect("converts").build().expect("builds");
            assert_eq!(input.gateway_identifier.as_deref(), Some("gw-1"));
            let live = live_from_get(get_output_from(input, "gw-1")).expect("converts back");
            assert_eq!(live.config, Ok(as_live(&g)), "gateway {}", g.name);
            assert_eq!(live.gateway_id, "gw-1");
            assert_eq!(live.status, GatewayStatus::Ready);
            assert_eq!(live.updated_at, "2023-11-14T22:15:23Z");
        }
    }

    #[test]
    fn create_input_carries_every_create_member_tags_and_token() {
        let gws = fixture();
        let full = &gws[0];
        let input =
            create_input(full, "token-0123456789-0123456789-0123456789").expect("converts").build().expect("builds");
        assert_eq!(input.client_token.as_deref(), Some("token-0123456789-0123456789-0123456789"));
        let tags = input.tags.clone().expect("tags sent at create");
        assert_eq!(tags.get("team").map(String::as_str), Some("support"));
        assert_eq!(tags.len(), 2);
        // Create has no WAF or custom transform; everything else must match the update input.
        let update = update_input("x", full).expect("converts").build().expect("builds");
        assert_eq!(input.name, update.name);
        assert_eq!(input.description, update.description);
        assert_eq!(input.role_arn, update.role_arn);
        assert_eq!(input.protocol_type, update.protocol_type);
        assert_eq!(input.protocol_configuration, update.protocol_configuration);
        assert_eq!(input.authorizer_type, update.authorizer_type);
        assert_eq!(input.authorizer_configuration, update.authorizer_configuration);
        assert_eq!(input.kms_key_arn, update.kms_key_arn);
        assert_eq!(input.interceptor_configurations, update.interceptor_configurations);
        assert_eq!(input.policy_engine_configuration, update.policy_engine_configuration);
        assert_eq!(input.exception_level, update.exception_level);
        assert!(update.waf_configuration.is_some() && update.custom_transform_configuration.is_some());
        let pc = input.protocol_configuration.expect("set");
        let mcp = pc.as_mcp().expect("mcp");
        assert_eq!(mcp.session_configuration.as_ref().and_then(|s| s.session_timeout_in_seconds), Some(7200));
        assert_eq!(mcp.instructions.as_deref(), Some("Use the tools.\nBe brief."));
    }

    #[test]
    fn create_and_update_outputs_convert_like_get() {
        let g = &fixture()[0];
        let input = update_input("gw-2", g).expect("converts").build().expect("builds");
        let get = get_output_from(input, "gw-2");
        let create = CreateGatewayOutput::builder()
            .gateway_arn(get.gateway_arn.clone())
            .gateway_id("gw-2")
            .created_at(ts(0))
            .updated_at(ts(5))
            .status(s::GatewayStatus::Creating)
            .status_reasons("warming up")
            .name(get.name.clone())
            .set_role_arn(get.role_arn.clone())
            .authorizer_type(get.authorizer_type.clone())
            .set_authorizer_configuration(get.authorizer_configuration.clone())
            .set_protocol_configuration(get.protocol_configuration.clone())
            .build()
            .expect("builds");
        let live = live_from_create(create).expect("converts");
        assert_eq!(live.status, GatewayStatus::Creating);
        assert_eq!(live.status_reasons, vec!["warming up".to_string()]);
        assert_eq!(live.updated_at, "1970-01-01T00:00:05Z");
        assert_eq!(live.config.as_ref().expect("readable").authorizer_configuration, g.authorizer_configuration);
        let update = UpdateGatewayOutput::builder()
            .gateway_arn("arn:x")
            .gateway_id("gw-2")
            .created_at(ts(0))
            .updated_at(ts(0))
            .status(s::GatewayStatus::UpdateUnsuccessful)
            .name("full-jwt")
            .role_arn("arn:aws:iam::123456789012:role/full")
            .authorizer_type(s::AuthorizerType::AwsIam)
            .build()
            .expect("builds");
        let live = live_from_update(update).expect("converts");
        assert_eq!(live.status, GatewayStatus::UpdateUnsuccessful);
        assert_eq!(live.config.as_ref().expect("readable").authorizer_type, m::AuthorizerType::AwsIam);
    }

    fn base_output() -> operation::get_gateway::builders::GetGatewayOutputBuilder {
        GetGatewayOutput::builder()
            .gateway_arn("arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/odd-1")
            .gateway_id("odd-1")
            .created_at(ts(0))
            .updated_at(ts(0))
            .status(s::GatewayStatus::Ready)
            .name("odd")
            .role_arn("arn:aws:iam::123456789012:role/r")
            .authorizer_type(s::AuthorizerType::None)
    }

    fn config(out: GetGatewayOutput) -> Result<m::Gateway, Unreadable> {
        live_from_get(out).expect("identifies the gateway").config
    }

    fn unreadable(out: GetGatewayOutput) -> String {
        match config(out) {
            Err(u) => u.to_string(),
            Ok(g) => panic!("expected an unreadable configuration, got {g:?}"),
        }
    }

    #[test]
    fn values_outside_the_model_are_kept_verbatim() {
        let g = config(
            base_output()
                .authorizer_type(s::AuthorizerType::from("MAGIC"))
                .role_arn("not-an-arn")
                .description("")
                .kms_key_arn("")
                .protocol_configuration(s::GatewayProtocolConfiguration::Mcp(
                    s::McpGatewayConfiguration::builder()
                        .search_type(s::SearchType::from("HYBRID"))
                        .instructions("i".repeat(3000))
                        .set_supported_versions(Some(vec![]))
                        .session_configuration(s::SessionConfiguration::builder().session_timeout_in_seconds(5).build())
                        .build(),
                ))
                .build()
                .expect("b"),
        )
        .expect("readable");
        assert_eq!(g.authorizer_type, m::AuthorizerType::Unknown("MAGIC".into()));
        assert_ne!(g.authorizer_type, m::AuthorizerType::None);
        assert_eq!(g.role_arn.as_str(), "not-an-arn");
        assert_eq!((g.description, g.kms_key_arn), (None, None), "empty strings mean not set");
        let Some(m::ProtocolConfiguration::Mcp(mcp)) = g.protocol_configuration else { panic!("mcp") };
        assert_eq!(mcp.search_type, Some(m::SearchType::Unknown("HYBRID".into())));
        assert_eq!(mcp.instructions.map(|i| i.as_str().len()), Some(3000));
        assert_eq!(mcp.supported_versions, None, "an empty list means not set");
        assert_eq!(mcp.session_configuration.and_then(|s| s.session_timeout_in_seconds).map(|t| t.get()), Some(5));
        let json = serde_json::to_value(m::SearchType::Unknown("HYBRID".into())).expect("json");
        assert_eq!(json, serde_json::json!("HYBRID"), "unknown values serialize as they came");
    }

    #[test]
    fn what_the_model_cannot_hold_makes_only_the_configuration_unreadable_with_its_path() {
        let msg = unreadable(base_output().set_role_arn(None).build().expect("b"));
        assert_eq!(msg, "roleArn: missing, but the model requires it; this acgw version cannot read it");
        // A union member the SDK does not know (its `Unknown` variant) can only come from a
        // response body: tests/cli.rs stages one through the emulator.
        let overrides = s::PrivateEndpointOverride::builder().domain("example.com").build();
        let jwt = s::CustomJwtAuthorizerConfiguration::builder()
            .discovery_url("https://idp.example.com/.well-known/openid-configuration")
            .private_endpoint_overrides(overrides.expect("b"))
            .build()
            .expect("b");
        let out = base_output()
            .authorizer_configuration(s::AuthorizerConfiguration::CustomJwtAuthorizer(jwt))
            .build()
            .expect("b");
        let live = live_from_get(out).expect("identified");
        assert_eq!(live.gateway_id, "odd-1");
        assert_eq!(live.status, GatewayStatus::Ready);
        assert_eq!(
            live.config.expect_err("unreadable").path,
            "authorizerConfiguration.customJWTAuthorizer.privateEndpointOverrides[0].privateEndpoint"
        );
    }

    #[test]
    fn nested_members_the_model_cannot_hold_are_named_by_their_api_path() {
        let jwt = |b: s::builders::CustomJwtAuthorizerConfigurationBuilder| {
            let out = base_output()
                .authorizer_configuration(s::AuthorizerConfiguration::CustomJwtAuthorizer(
                    b.discovery_url("https://idp.example.com/.well-known/openid-configuration").build().expect("b"),
                ))
                .build()
                .expect("b");
            config(out).expect_err("unreadable").path
        };
        let blank_url = base_output()
            .authorizer_configuration(s::AuthorizerConfiguration::CustomJwtAuthorizer(
                s::CustomJwtAuthorizerConfiguration::builder().discovery_url("").build().expect("b"),
            ))
            .build()
            .expect("b");
        assert_eq!(
            config(blank_url).expect_err("unreadable").path,
            "authorizerConfiguration.customJWTAuthorizer.discoveryUrl"
        );
        let claim = s::CustomClaimValidationType::builder()
            .inbound_token_claim_name("dept")
            .inbound_token_claim_value_type(s::InboundTokenClaimValueType::String)
            .build()
            .expect("b");
        assert_eq!(
            jwt(s::CustomJwtAuthorizerConfiguration::builder().allowed_audience("a").custom_claims(claim)),
            "authorizerConfiguration.customJWTAuthorizer.customClaims[0].authorizingClaimMatchValue"
        );
        let env = s::HostingEnvironment::builder().arn("").build().expect("b");
        let workload = s::AllowedWorkloadConfiguration::builder().hosting_environments(env).build();
        assert_eq!(
            jwt(s::CustomJwtAuthorizerConfiguration::builder().allowed_workload_configuration(workload)),
            "authorizerConfiguration.customJWTAuthorizer.allowedWorkloadConfiguration.hostingEnvironments[0].arn"
        );
        let interceptor = |arn: &str, points: Vec<s::GatewayInterceptionPoint>| {
            let lambda = s::LambdaInterceptorConfiguration::builder().arn(arn).build().expect("b");
            s::GatewayInterceptorConfiguration::builder()
                .interceptor(s::InterceptorConfiguration::Lambda(lambda))
                .set_interception_points(Some(points))
                .build()
                .expect("b")
        };
        let out = base_output().interceptor_configurations(interceptor("", vec![s::GatewayInterceptionPoint::Request]));
        assert_eq!(unreadable_path(out), "interceptorConfigurations[0].interceptor.lambda.arn");
        // The SDK fills in an empty list for a required list the response lacks: missing.
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:f";
        let out = base_output().interceptor_configurations(interceptor(arn, vec![]));
        assert_eq!(unreadable_path(out), "interceptorConfigurations[0].interceptionPoints");
        let policy = s::GatewayPolicyEngineConfiguration::builder()
            .arn("")
            .mode(s::GatewayPolicyEngineMode::Enforce)
            .build()
            .expect("b");
        assert_eq!(unreadable_path(base_output().policy_engine_configuration(policy)), "policyEngineConfiguration.arn");
    }

    fn unreadable_path(b: operation::get_gateway::builders::GetGatewayOutputBuilder) -> String {
        config(b.build().expect("b")).expect_err("unreadable").path
    }

    #[test]
    fn unknown_status_is_kept_and_empty_lists_mean_absent() {
        let out = base_output()
            .status(s::GatewayStatus::from("HIBERNATING"))
            .set_interceptor_configurations(Some(vec![]))
            .build()
            .expect("b");
        let live = live_from_get(out).expect("converts");
        assert_eq!(live.status, GatewayStatus::Other("HIBERNATING".into()));
        assert_eq!(live.config.as_ref().expect("readable").interceptor_configurations, None);
        assert!(live.status_reasons.is_empty());
    }

    #[test]
    fn summaries_convert() {
        let sdk = s::GatewaySummary::builder()
            .gateway_id("any-format/ID")
            .name("n")
            .status(s::GatewayStatus::Deleting)
            .created_at(ts(0))
            .updated_at(ts(1_600_000_000))
            .authorizer_type(s::AuthorizerType::None)
            .protocol_type(s::GatewayProtocolType::Mcp)
            .build()
            .expect("b");
        let summary = summary_from_sdk(sdk);
        assert_eq!(
            summary,
            GatewaySummary {
                gateway_id: "any-format/ID".into(),
                name: "n".into(),
                status: GatewayStatus::Deleting,
                updated_at: "2020-09-13T12:26:40Z".into(),
            }
        );
    }

    fn raw(status: u16) -> HttpResponse {
        HttpResponse::new(StatusCode::try_from(status).expect("valid status"), SdkBody::empty())
    }

    fn meta(code: &str, message: &str) -> ErrorMetadata {
        ErrorMetadata::builder().code(code).message(message).build()
    }

    fn service(err: GetGatewayError, status: u16) -> ApiError {
        classify(SdkError::service_error(err, raw(status)))
    }

    #[test]
    fn service_errors_are_classified() {
        use aws_sdk_bedrockagentcorecontrol::types::error as e;
        let nf = e::ResourceNotFoundException::builder()
            .message("no such gateway")
            .meta(meta("ResourceNotFoundException", "no such gateway"))
            .build();
        assert_eq!(
            service(GetGatewayError::ResourceNotFoundException(nf), 404),
            ApiError::NotFound("no such gateway".into())
        );

        let th = e::ThrottlingException::builder()
            .message("slow down")
            .meta(meta("ThrottlingException", "slow down"))
            .build();
        assert_eq!(service(GetGatewayError::ThrottlingException(th), 429), ApiError::Throttling("slow down".into()));

        let ad =
            e::AccessDeniedException::builder().message("nope").meta(meta("AccessDeniedException", "nope")).build();
        assert_eq!(
            service(GetGatewayError::AccessDeniedException(ad), 403),
            ApiError::AccessDenied("AccessDeniedException: nope".into())
        );

        let ise =
            e::InternalServerException::builder().message("boom").meta(meta("InternalServerException", "boom")).build();
        assert_eq!(
            service(GetGatewayError::InternalServerException(ise), 500),
            ApiError::Service { code: "InternalServerException".into(), message: "boom".into() }
        );

        let v = e::ValidationException::builder()
            .message("bad input")
            .reason(s::ValidationExceptionReason::IdempotentParameterMismatchException)
            .field_list(
                s::ValidationExceptionField::builder().name("clientToken").message("reused").build().expect("b"),
            )
            .meta(meta("ValidationException", "bad input"))
            .build()
            .expect("b");
        assert_eq!(
            service(GetGatewayError::ValidationException(v), 400),
            ApiError::Validation {
                message: "bad input".into(),
                reason: "IdempotentParameterMismatchException".into(),
                fields: vec![("clientToken".into(), "reused".into())],
            }
        );

        let unhandled = GetGatewayError::generic(meta("ServiceUnavailableException", "later"));
        assert_eq!(
            service(unhandled, 503),
            ApiError::Service { code: "ServiceUnavailableException".into(), message: "later".into() }
        );
        let conflict = GetGatewayError::generic(meta("ConflictException", "busy"));
        assert_eq!(service(conflict, 409), ApiError::Conflict("busy".into()));
        let bare = GetGatewayError::generic(ErrorMetadata::builder().build());
        assert_eq!(service(bare, 502), ApiError::Service { code: "HTTP 502".into(), message: String::new() });
    }

    #[test]
    fn transport_failures_are_classified() {
        let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection reset by peer");
        let err: SdkError<GetGatewayError> = SdkError::dispatch_failure(ConnectorError::io(Box::new(reset)));
        match classify(err) {
            ApiError::Transport(msg) => assert!(msg.contains("connection reset by peer"), "{msg}"),
            other => panic!("expected Transport, got {other:?}"),
        }
        let err: SdkError<GetGatewayError> = SdkError::timeout_error("attempt timed out");
        assert!(matches!(classify(err), ApiError::Transport(_)));

        let cut = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "body cut short");
        let err: SdkError<GetGatewayError> = SdkError::response_error(cut, raw(200));
        assert!(matches!(classify(err), ApiError::Transport(_)));

        let garbage = aws_smithy_types::error::operation::SerializationError::unknown_variant("Union");
        let err: SdkError<GetGatewayError> = SdkError::response_error(garbage, raw(200));
        assert!(matches!(classify(err), ApiError::Response(_)));

        let err: SdkError<GetGatewayError> = SdkError::construction_failure("empty label");
        assert!(matches!(classify(err), ApiError::Validation { .. }));
    }
}

//! Stopping an apply part-way (SIGINT/SIGTERM) without losing track of what took effect.
//!
//! Once [`Interrupt::trigger`] is called, every API call the engine has not sent yet fails with
//! [`ApiError::Interrupted`] instead of being sent, waits between polls end at once, and calls
//! already in flight are given until the grace period is over to answer (their answers are
//! recorded as usual). Each gateway's outcome then ends in [`ApplyError::Interrupted`] after the
//! calls that did take effect, so the usual report says what was done and what was not.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::ApplyError;
use crate::api::providers::ProviderWritten;
use crate::api::{ApiError, ReadApi, WriteApi};
use crate::model::credential_provider::{
    ApiKeyProvider, LiveApiKeyProvider, LiveOauth2Provider, Oauth2Provider, ProviderSummary,
};
use crate::model::live::{
    GatewayRateLimitStatus, GatewayRuleStatus, GatewayStatus, GatewaySummary, LiveGateway, LiveRateLimit, LiveRule,
    LiveTarget, TagMap, TargetSummary,
};
use crate::model::policy::ResourcePolicy;
use crate::model::rate_limit::RateLimit;
use crate::model::rule::Rule;
use crate::model::target::Target;
use crate::model::Gateway;

/// How long calls in flight may still take once an apply is interrupted, unless told otherwise.
const DEFAULT_GRACE: Duration = Duration::from_secs(30);

/// A switch that stops an apply: cheap to clone, shared by the signal handler and the engine.
#[derive(Debug, Clone)]
pub struct Interrupt {
    /// When it was triggered; `None` until then.
    at: Arc<watch::Sender<Option<Instant>>>,
    grace: Duration,
}

impl Default for Interrupt {
    fn default() -> Self {
        Interrupt::new(DEFAULT_GRACE)
    }
}

impl Interrupt {
    /// A switch that, once triggered, gives calls in flight `grace` to answer.
    pub fn new(grace: Duration) -> Self {
        Interrupt { at: Arc::new(watch::channel(None).0), grace }
    }

    /// Stops the apply; later calls change nothing (the grace period runs from the first).
    pub fn trigger(&self) {
        self.at.send_if_modified(|at| {
            let first = at.is_none();
            at.get_or_insert_with(Instant::now);
            first
        });
    }

    /// True once triggered.
    pub fn is_set(&self) -> bool {
        self.at.borrow().is_some()
    }

    /// How long calls in flight may still take once triggered.
    pub fn grace(&self) -> Duration {
        self.grace
    }

    /// Resolves once triggered (at once if it already was).
    pub async fn triggered(&self) {
        let mut at = self.at.subscribe();
        // The sender lives in `self`, so the channel cannot close while this waits.
        let _ = at.wait_for(Option::is_some).await;
    }

    /// Resolves once triggered and the grace period is over.
    async fn grace_over(&self) {
        self.triggered().await;
        let at = (*self.at.borrow()).unwrap_or_else(Instant::now);
        tokio::time::sleep_until((at + self.grace).into()).await;
    }

    /// Sleeps `delay`, or less if triggered meanwhile: a wait must not hold up an interrupted run.
    pub(super) async fn sleep(&self, delay: Duration) {
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = self.triggered() => {}
        }
    }

    /// Sends `call` unless triggered; once triggered, a call in flight has until the grace period
    /// is over to answer.
    async fn guard<T>(&self, call: impl Future<Output = Result<T, ApiError>>) -> Result<T, ApiError> {
        if self.is_set() {
            return Err(ApiError::Interrupted { sent: false });
        }
        tokio::select! {
            biased;
            answer = call => answer,
            () = self.grace_over() => Err(ApiError::Interrupted { sent: true }),
        }
    }
}

/// The API as the engine sees it during an apply: every call goes through [`Interrupt::guard`].
pub(super) struct Guarded<'a, A> {
    api: &'a A,
    interrupt: &'a Interrupt,
}

impl<'a, A: WriteApi> Guarded<'a, A> {
    pub(super) fn new(api: &'a A, interrupt: &'a Interrupt) -> Self {
        Guarded { api, interrupt }
    }
}

/// What a gateway's error becomes when the interrupt is what ended it: the call it stopped at,
/// whatever context (an item's label) wraps it.
pub(super) fn interrupted(error: ApplyError) -> ApplyError {
    fn stopped_at(error: &ApplyError) -> Option<(String, bool)> {
        match error {
            ApplyError::Api { call, source: ApiError::Interrupted { sent } } => Some((call.to_string(), *sent)),
            ApplyError::Item { noun, label, source } => {
                stopped_at(source).map(|(call, sent)| (format!("{call} of {noun} {label}"), sent))
            }
            _ => None,
        }
    }
    match stopped_at(&error) {
        Some((call, in_flight)) => ApplyError::Interrupted { call: Some(call), in_flight },
        None => error,
    }
}

impl<A: ReadApi> ReadApi for Guarded<'_, A> {
    async fn list_gateways(&self) -> Result<Vec<GatewaySummary>, ApiError> {
        self.interrupt.guard(self.api.list_gateways()).await
    }
    async fn get_gateway(&self, gateway_id: &str) -> Result<LiveGateway, ApiError> {
        self.interrupt.guard(self.api.get_gateway(gateway_id)).await
    }
    async fn list_tags(&self, arn: &str) -> Result<TagMap, ApiError> {
        self.interrupt.guard(self.api.list_tags(arn)).await
    }
    async fn list_targets(&self, gateway_id: &str) -> Result<Vec<TargetSummary>, ApiError> {
        self.interrupt.guard(self.api.list_targets(gateway_id)).await
    }
    async fn get_target(&self, gateway_id: &str, target_id: &str) -> Result<LiveTarget, ApiError> {
        self.interrupt.guard(self.api.get_target(gateway_id, target_id)).await
    }
    async fn get_resource_policy(&self, arn: &str) -> Result<Option<ResourcePolicy>, ApiError> {
        self.interrupt.guard(self.api.get_resource_policy(arn)).await
    }
    async fn list_rate_limits(&self, gateway_id: &str) -> Result<Vec<LiveRateLimit>, ApiError> {
        self.interrupt.guard(self.api.list_rate_limits(gateway_id)).await
    }
    async fn get_rate_limit(&self, gateway_id: &str, rate_limit_id: &str) -> Result<LiveRateLimit, ApiError> {
        self.interrupt.guard(self.api.get_rate_limit(gateway_id, rate_limit_id)).await
    }
    async fn list_rules(&self, gateway_id: &str) -> Result<Vec<LiveRule>, ApiError> {
        self.interrupt.guard(self.api.list_rules(gateway_id)).await
    }
    async fn get_rule(&self, gateway_id: &str, rule_id: &str) -> Result<LiveRule, ApiError> {
        self.interrupt.guard(self.api.get_rule(gateway_id, rule_id)).await
    }
    async fn list_oauth2_providers(&self) -> Result<Vec<ProviderSummary>, ApiError> {
        self.interrupt.guard(self.api.list_oauth2_providers()).await
    }
    async fn list_api_key_providers(&self) -> Result<Vec<ProviderSummary>, ApiError> {
        self.interrupt.guard(self.api.list_api_key_providers()).await
    }
    async fn get_oauth2_provider(&self, name: &str) -> Result<LiveOauth2Provider, ApiError> {
        self.interrupt.guard(self.api.get_oauth2_provider(name)).await
    }
    async fn get_api_key_provider(&self, name: &str) -> Result<LiveApiKeyProvider, ApiError> {
        self.interrupt.guard(self.api.get_api_key_provider(name)).await
    }
}

impl<A: WriteApi> WriteApi for Guarded<'_, A> {
    async fn create_gateway(&self, config: &Gateway, client_token: &str) -> Result<LiveGateway, ApiError> {
        self.interrupt.guard(self.api.create_gateway(config, client_token)).await
    }
    async fn update_gateway(&self, gateway_id: &str, config: &Gateway) -> Result<LiveGateway, ApiError> {
        self.interrupt.guard(self.api.update_gateway(gateway_id, config)).await
    }
    async fn delete_gateway(&self, gateway_id: &str) -> Result<GatewayStatus, ApiError> {
        self.interrupt.guard(self.api.delete_gateway(gateway_id)).await
    }
    async fn create_target(
        &self,
        gateway_id: &str,
        config: &Target,
        client_token: &str,
    ) -> Result<LiveTarget, ApiError> {
        self.interrupt.guard(self.api.create_target(gateway_id, config, client_token)).await
    }
    async fn update_target(&self, gateway_id: &str, target_id: &str, config: &Target) -> Result<LiveTarget, ApiError> {
        self.interrupt.guard(self.api.update_target(gateway_id, target_id, config)).await
    }
    async fn synchronize_target(&self, gateway_id: &str, target_id: &str) -> Result<LiveTarget, ApiError> {
        self.interrupt.guard(self.api.synchronize_target(gateway_id, target_id)).await
    }
    async fn put_resource_policy(&self, arn: &str, policy: &ResourcePolicy) -> Result<(), ApiError> {
        self.interrupt.guard(self.api.put_resource_policy(arn, policy)).await
    }
    async fn delete_resource_policy(&self, arn: &str) -> Result<(), ApiError> {
        self.interrupt.guard(self.api.delete_resource_policy(arn)).await
    }
    async fn create_rate_limit(
        &self,
        gateway_id: &str,
        config: &RateLimit,
        client_token: &str,
    ) -> Result<LiveRateLimit, ApiError> {
        self.interrupt.guard(self.api.create_rate_limit(gateway_id, config, client_token)).await
    }
    async fn update_rate_limit(&self, gateway_id: &str, config: &RateLimit) -> Result<LiveRateLimit, ApiError> {
        self.interrupt.guard(self.api.update_rate_limit(gateway_id, config)).await
    }
    async fn delete_rate_limit(
        &self,
        gateway_id: &str,
        rate_limit_id: &str,
    ) -> Result<GatewayRateLimitStatus, ApiError> {
        self.interrupt.guard(self.api.delete_rate_limit(gateway_id, rate_limit_id)).await
    }
    async fn create_rule(&self, gateway_id: &str, config: &Rule, client_token: &str) -> Result<LiveRule, ApiError> {
        self.interrupt.guard(self.api.create_rule(gateway_id, config, client_token)).await
    }
    async fn update_rule(&self, gateway_id: &str, rule_id: &str, config: &Rule) -> Result<LiveRule, ApiError> {
        self.interrupt.guard(self.api.update_rule(gateway_id, rule_id, config)).await
    }
    async fn delete_rule(&self, gateway_id: &str, rule_id: &str) -> Result<GatewayRuleStatus, ApiError> {
        self.interrupt.guard(self.api.delete_rule(gateway_id, rule_id)).await
    }
    async fn delete_target(&self, gateway_id: &str, target_id: &str) -> Result<(), ApiError> {
        self.interrupt.guard(self.api.delete_target(gateway_id, target_id)).await
    }
    async fn tag_resource(&self, arn: &str, tags: &TagMap) -> Result<(), ApiError> {
        self.interrupt.guard(self.api.tag_resource(arn, tags)).await
    }
    async fn untag_resource(&self, arn: &str, keys: &[String]) -> Result<(), ApiError> {
        self.interrupt.guard(self.api.untag_resource(arn, keys)).await
    }
    async fn create_oauth2_provider(
        &self,
        config: &Oauth2Provider,
        tags: &TagMap,
    ) -> Result<ProviderWritten, ApiError> {
        self.interrupt.guard(self.api.create_oauth2_provider(config, tags)).await
    }
    async fn update_oauth2_provider(&self, config: &Oauth2Provider) -> Result<ProviderWritten, ApiError> {
        self.interrupt.guard(self.api.update_oauth2_provider(config)).await
    }
    async fn delete_oauth2_provider(&self, name: &str) -> Result<(), ApiError> {
        self.interrupt.guard(self.api.delete_oauth2_provider(name)).await
    }
    async fn create_api_key_provider(
        &self,
        config: &ApiKeyProvider,
        tags: &TagMap,
    ) -> Result<ProviderWritten, ApiError> {
        self.interrupt.guard(self.api.create_api_key_provider(config, tags)).await
    }
    async fn update_api_key_provider(&self, config: &ApiKeyProvider) -> Result<ProviderWritten, ApiError> {
        self.interrupt.guard(self.api.update_api_key_provider(config)).await
    }
    async fn delete_api_key_provider(&self, name: &str) -> Result<(), ApiError> {
        self.interrupt.guard(self.api.delete_api_key_provider(name)).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;

    #[tokio::test]
    async fn calls_pass_until_triggered_and_none_is_sent_after() {
        let interrupt = Interrupt::new(Duration::from_secs(30));
        assert_eq!(interrupt.guard(async { Ok::<_, ApiError>(1) }).await, Ok(1));
        interrupt.trigger();
        let sent = AtomicBool::new(false);
        let after = interrupt.guard(async {
            sent.store(true, Ordering::SeqCst);
            Ok::<_, ApiError>(2)
        });
        assert_eq!(after.await, Err(ApiError::Interrupted { sent: false }));
        assert!(!sent.load(Ordering::SeqCst), "the call was never started");
    }

    #[tokio::test]
    async fn a_call_in_flight_is_answered_or_given_up_after_the_grace_period() {
        // Triggered while the call is in flight: its answer still counts.
        let interrupt = Interrupt::new(Duration::from_secs(30));
        let answered = interrupt.guard(async {
            interrupt.trigger();
            tokio::task::yield_now().await;
            Ok::<_, ApiError>("created")
        });
        assert_eq!(answered.await, Ok("created"));
        // A call that never answers is given up once the grace period is over.
        let interrupt = Interrupt::new(Duration::from_millis(20));
        let hung = interrupt.guard(async {
            interrupt.trigger();
            std::future::pending::<Result<(), ApiError>>().await
        });
        assert_eq!(hung.await, Err(ApiError::Interrupted { sent: true }));
    }

    #[tokio::test]
    async fn waits_end_when_triggered() {
        let interrupt = Interrupt::new(Duration::from_secs(30));
        let trigger = interrupt.clone();
        let waker = tokio::spawn(async move {
            tokio::task::yield_now().await;
            trigger.trigger();
        });
        // An hour-long sleep that returns means the trigger cut it short.
        interrupt.sleep(Duration::from_secs(3600)).await;
        assert!(interrupt.is_set());
        waker.await.expect("the trigger task ends");
    }

    #[test]
    fn the_report_names_the_call_an_item_stopped_at() {
        let stopped = ApplyError::Item {
            noun: "target",
            label: "`search`".into(),
            source: Box::new(ApplyError::Api {
                call: "CreateGatewayTarget",
                source: ApiError::Interrupted { sent: true },
            }),
        };
        let error = interrupted(stopped);
        assert_eq!(
            error,
            ApplyError::Interrupted { call: Some("CreateGatewayTarget of target `search`".into()), in_flight: true }
        );
        assert!(error.to_string().contains("may or may not have taken effect"), "{error}");
        let other = ApplyError::Api { call: "GetGateway", source: ApiError::Throttling("slow down".into()) };
        assert_eq!(interrupted(other.clone()), other);
    }
}

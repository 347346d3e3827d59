//! Engine paths the emulator cannot reach on cue, driven through a scripted API.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use super::*;
use crate::model::live::{GatewayRateLimitStatus, GatewaySummary, LiveRateLimit, LiveTarget, TagMap, TargetSummary};
use crate::model::policy::ResourcePolicy;
use crate::model::rate_limit::RateLimit;
use crate::model::target::Target as GatewayTarget;

fn no_targets() -> ApiError {
    ApiError::Service { code: "Scripted".into(), message: "the scripted API has no targets".into() }
}
use crate::model::{AuthorizerType, GatewayName, RoleArn};

fn desired() -> Gateway {
    Gateway::minimal(
        GatewayName::try_from("orders").expect("valid name"),
        RoleArn::try_from("arn:aws:iam::123456789012:role/r").expect("valid role"),
        AuthorizerType::AwsIam,
    )
}

/// One READY gateway; between DeleteGateway and the next CreateGateway, every GetGateway fails
/// with `after_delete`.
struct Scripted {
    after_delete: ApiError,
    deleted: AtomicBool,
    gets: AtomicUsize,
    calls: Mutex<Vec<&'static str>>,
}

impl Scripted {
    fn new(after_delete: ApiError) -> Self {
        Scripted { after_delete, deleted: AtomicBool::new(false), gets: AtomicUsize::new(0), calls: Mutex::default() }
    }

    fn live(&self) -> LiveGateway {
        LiveGateway {
            gateway_id: "orders-a1b2c3d4e5".into(),
            gateway_arn: "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/orders-a1b2c3d4e5".into(),
            status: GatewayStatus::Ready,
            status_reasons: Vec::new(),
            updated_at: "2026-01-01T00:00:00Z".into(),
            config: Ok(desired()),
        }
    }

    fn record(&self, call: &'static str) {
        self.calls.lock().expect("calls lock").push(call);
    }
}

impl ReadApi for Scripted {
    async fn list_gateways(&self) -> Result<Vec<GatewaySummary>, ApiError> {
        Ok(Vec::new())
    }
    async fn get_gateway(&self, _: &str) -> Result<LiveGateway, ApiError> {
        self.gets.fetch_add(1, Ordering::SeqCst);
        if self.deleted.load(Ordering::SeqCst) {
            Err(self.after_delete.clone())
        } else {
            Ok(self.live())
        }
    }
    async fn list_tags(&self, _: &str) -> Result<TagMap, ApiError> {
        Ok(TagMap::new())
    }
    async fn list_targets(&self, _: &str) -> Result<Vec<TargetSummary>, ApiError> {
        Ok(Vec::new())
    }
    // The scripted gateway has no targets and no policy.
    async fn get_target(&self, _: &str, id: &str) -> Result<LiveTarget, ApiError> {
        Err(ApiError::NotFound(id.to_string()))
    }
    async fn get_resource_policy(&self, _: &str) -> Result<Option<ResourcePolicy>, ApiError> {
        Ok(None)
    }
    async fn list_rate_limits(&self, _: &str) -> Result<Vec<LiveRateLimit>, ApiError> {
        Ok(Vec::new())
    }
    async fn get_rate_limit(&self, _: &str, id: &str) -> Result<LiveRateLimit, ApiError> {
        Err(ApiError::NotFound(id.to_string()))
    }
    async fn list_rules(&self, _: &str) -> Result<Vec<crate::model::live::LiveRule>, ApiError> {
        Ok(Vec::new())
    }
    async fn get_rule(&self, _: &str, id: &str) -> Result<crate::model::live::LiveRule, ApiError> {
        Err(ApiError::NotFound(id.to_string()))
    }
    // Gateways only: the scripted API has no credential providers.
    async fn list_oauth2_providers(&self) -> Result<Vec<crate::model::credential_provider::ProviderSummary>, ApiError> {
        Ok(Vec::new())
    }
    async fn list_api_key_providers(
        &self,
    ) -> Result<Vec<crate::model::credential_provider::ProviderSummary>, ApiError> {
        Ok(Vec::new())
    }
    async fn get_oauth2_provider(
        &self,
        name: &str,
    ) -> Result<crate::model::credential_provider::LiveOauth2Provider, ApiError> {
        Err(ApiError::NotFound(name.to_string()))
    }
    async fn get_api_key_provider(
        &self,
        name: &str,
    ) -> Result<crate::model::credential_provider::LiveApiKeyProvider, ApiError> {
        Err(ApiError::NotFound(name.to_string()))
    }
}

impl WriteApi for Scripted {
    async fn create_gateway(&self, _: &Gateway, _: &str) -> Result<LiveGateway, ApiError> {
        self.record("CreateGateway");
        self.deleted.store(false, Ordering::SeqCst);
        Ok(self.live())
    }
    async fn update_gateway(&self, _: &str, _: &Gateway) -> Result<LiveGateway, ApiError> {
        self.record("UpdateGateway");
        Ok(self.live())
    }
    async fn delete_gateway(&self, _: &str) -> Result<GatewayStatus, ApiError> {
        self.record("DeleteGateway");
        self.deleted.store(true, Ordering::SeqCst);
        Ok(GatewayStatus::Deleting)
    }
    async fn create_target(&self, _: &str, _: &GatewayTarget, _: &str) -> Result<LiveTarget, ApiError> {
        self.record("CreateGatewayTarget");
        Err(no_targets())
    }
    async fn update_target(&self, _: &str, _: &str, _: &GatewayTarget) -> Result<LiveTarget, ApiError> {
        self.record("UpdateGatewayTarget");
        Err(no_targets())
    }
    async fn synchronize_target(&self, _: &str, _: &str) -> Result<LiveTarget, ApiError> {
        self.record("SynchronizeGatewayTargets");
        Err(no_targets())
    }
    async fn create_rate_limit(&self, _: &str, _: &RateLimit, _: &str) -> Result<LiveRateLimit, ApiError> {
        self.record("CreateGatewayRateLimit");
        Err(ApiError::Validation { message: "no rate limits here".into(), reason: String::new(), fields: vec![] })
    }
    async fn update_rate_limit(&self, _: &str, _: &RateLimit) -> Result<LiveRateLimit, ApiError> {
        self.record("UpdateGatewayRateLimit");
        Err(ApiError::Validation { message: "no rate limits here".into(), reason: String::new(), fields: vec![] })
    }
    async fn delete_rate_limit(&self, _: &str, id: &str) -> Result<GatewayRateLimitStatus, ApiError> {
        self.record("DeleteGatewayRateLimit");
        Err(ApiError::NotFound(id.to_string()))
    }
    async fn create_rule(
        &self,
        _: &str,
        _: &crate::model::rule::Rule,
        _: &str,
    ) -> Result<crate::model::live::LiveRule, ApiError> {
        self.record("CreateGatewayRule");
        Err(ApiError::Validation { message: "no rules here".into(), reason: String::new(), fields: vec![] })
    }
    async fn update_rule(
        &self,
        _: &str,
        _: &str,
        _: &crate::model::rule::Rule,
    ) -> Result<crate::model::live::LiveRule, ApiError> {
        self.record("UpdateGatewayRule");
        Err(ApiError::Validation { message: "no rules here".into(), reason: String::new(), fields: vec![] })
    }
    async fn delete_rule(&self, _: &str, id: &str) -> Result<crate::model::live::GatewayRuleStatus, ApiError> {
        self.record("DeleteGatewayRule");
        Err(ApiError::NotFound(id.to_string()))
    }
    async fn put_resource_policy(&self, _: &str, _: &ResourcePolicy) -> Result<(), ApiError> {
        self.record("PutResourcePolicy");
        Ok(())
    }
    async fn delete_resource_policy(&self, _: &str) -> Result<(), ApiError> {
        self.record("DeleteResourcePolicy");
        Ok(())
    }
    async fn delete_target(&self, _: &str, _: &str) -> Result<(), ApiError> {
        self.record("DeleteGatewayTarget");
        Ok(())
    }
    async fn tag_resource(&self, _: &str, _: &TagMap) -> Result<(), ApiError> {
        self.record("TagResource");
        Ok(())
    }
    async fn untag_resource(&self, _: &str, _: &[String]) -> Result<(), ApiError> {
        self.record("UntagResource");
        Ok(())
    }
    // The scripted API has no credential providers: a write to one is a mistake the test sees.
    async fn create_oauth2_provider(
        &self,
        _: &crate::model::credential_provider::Oauth2Provider,
        _: &TagMap,
    ) -> Result<crate::api::providers::ProviderWritten, ApiError> {
        self.record("CreateOauth2CredentialProvider");
        Err(no_providers())
    }
    async fn update_oauth2_provider(
        &self,
        _: &crate::model::credential_provider::Oauth2Provider,
    ) -> Result<crate::api::providers::ProviderWritten, ApiError> {
        self.record("UpdateOauth2CredentialProvider");
        Err(no_providers())
    }
    async fn delete_oauth2_provider(&self, _: &str) -> Result<(), ApiError> {
        self.record("DeleteOauth2CredentialProvider");
        Err(no_providers())
    }
    async fn create_api_key_provider(
        &self,
        _: &crate::model::credential_provider::ApiKeyProvider,
        _: &TagMap,
    ) -> Result<crate::api::providers::ProviderWritten, ApiError> {
        self.record("CreateApiKeyCredentialProvider");
        Err(no_providers())
    }
    async fn update_api_key_provider(
        &self,
        _: &crate::model::credential_provider::ApiKeyProvider,
    ) -> Result<crate::api::providers::ProviderWritten, ApiError> {
        self.record("UpdateApiKeyCredentialProvider");
        Err(no_providers())
    }
    async fn delete_api_key_provider(&self, _: &str) -> Result<(), ApiError> {
        self.record("DeleteApiKeyCredentialProvider");
        Err(no_providers())
    }
}

fn no_providers() -> ApiError {
    ApiError::Service { code: "Scripted".into(), message: "the scripted API has no credential providers".into() }
}

fn fast_options() -> Options {
    let mut opts = Options::new(Target { region: "us-east-1".into(), endpoint: "https://example.test".into() });
    opts.allow_replace = true;
    opts.wait_timeout = Duration::from_millis(200);
    opts.poll_initial = Duration::from_millis(1);
    opts.poll_max = Duration::from_millis(10);
    opts
}

fn replace_work() -> Vec<(String, Work)> {
    vec![(
        "orders".into(),
        Work::Replace {
            gateway_id: "orders-a1b2c3d4e5".into(),
            desired: desired(),
            forced_by: "status FAILED".into(),
            protected: None,
            parts: PartsWork::default(),
        },
    )]
}

#[tokio::test]
async fn a_replace_whose_deletion_cannot_be_confirmed_gives_up_at_the_wait_timeout() {
    for error in [ApiError::Transport("connection refused".into()), ApiError::Throttling("Rate exceeded".into())] {
        let api = Scripted::new(error.clone());
        let opts = fast_options();
        // Without the timeout on errors this never returns; the outer bound turns a hang into a failure.
        let report = tokio::time::timeout(Duration::from_secs(10), apply(&api, replace_work(), &opts, &Silent))
            .await
            .unwrap_or_else(|_| panic!("apply still waiting after 10 s with GetGateway failing: {error}"));
        let outcome = &report.gateways[0];
        assert_eq!(outcome.error, Some(ApplyError::Api { call: "GetGateway", source: error }));
        assert_eq!(outcome.done, ["DeleteGateway"], "deleted, and nothing created");
        assert_eq!(*api.calls.lock().expect("calls lock"), ["DeleteGateway"]);
        assert!(api.gets.load(Ordering::SeqCst) > 2, "GetGateway was retried before giving up");
    }
}

#[tokio::test]
async fn a_replace_whose_deletion_is_confirmed_creates_the_new_gateway() {
    let api = Scripted::new(ApiError::NotFound("gone".into()));
    let report = apply(&api, replace_work(), &fast_options(), &Silent).await;
    let outcome = &report.gateways[0];
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.done, ["DeleteGateway", "CreateGateway"]);
}

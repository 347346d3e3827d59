//! The one narrow interface to the gateway API, split so that read-only code cannot mutate.
//!
//! [`ReadApi`] is all that `observe` and `drift` get; [`WriteApi`] adds the mutating calls that
//! only `apply` uses. The production implementation is the AWS SDK ([`sdk`]); conversion between
//! SDK types and the model lives in [`convert`].

pub mod carried;
pub mod convert;
pub mod items;
pub mod providers;
pub mod sdk;

use std::future::Future;

pub use crate::observed::ApiError;

use crate::model::credential_provider::{
    ApiKeyProvider, LiveApiKeyProvider, LiveOauth2Provider, LiveProvider, Oauth2Provider, ProviderKind, ProviderSummary,
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
use providers::ProviderWritten;

/// The read-only calls: everything `observe`, `plan`, `drift` and `export` may do.
pub trait ReadApi: Send + Sync {
    /// Every gateway, following every page (maxResults 1000).
    fn list_gateways(&self) -> impl Future<Output = Result<Vec<GatewaySummary>, ApiError>> + Send;
    /// One gateway's configuration and status.
    fn get_gateway(&self, gateway_id: &str) -> impl Future<Output = Result<LiveGateway, ApiError>> + Send;
    /// A resource's tags, `aws:` keys included.
    fn list_tags(&self, arn: &str) -> impl Future<Output = Result<TagMap, ApiError>> + Send;
    /// A gateway's targets, every page (a gateway with targets cannot be deleted).
    fn list_targets(&self, gateway_id: &str) -> impl Future<Output = Result<Vec<TargetSummary>, ApiError>> + Send;
    /// One target's configuration and status.
    fn get_target(
        &self,
        gateway_id: &str,
        target_id: &str,
    ) -> impl Future<Output = Result<LiveTarget, ApiError>> + Send;
    /// A resource's policy; `None` when it has none (ResourceNotFoundException is read that way:
    /// call it for a resource known to exist).
    fn get_resource_policy(&self, arn: &str) -> impl Future<Output = Result<Option<ResourcePolicy>, ApiError>> + Send;
    /// A gateway's rate limits, every page (ListGatewayRateLimits returns full details).
    fn list_rate_limits(&self, gateway_id: &str) -> impl Future<Output = Result<Vec<LiveRateLimit>, ApiError>> + Send;
    /// One rate limit's configuration and status.
    fn get_rate_limit(
        &self,
        gateway_id: &str,
        rate_limit_id: &str,
    ) -> impl Future<Output = Result<LiveRateLimit, ApiError>> + Send;
    /// A gateway's rules, every page (ListGatewayRules returns full details), system-managed
    /// ones included.
    fn list_rules(&self, gateway_id: &str) -> impl Future<Output = Result<Vec<LiveRule>, ApiError>> + Send;
    /// One rule's configuration and status.
    fn get_rule(&self, gateway_id: &str, rule_id: &str) -> impl Future<Output = Result<LiveRule, ApiError>> + Send;
    /// Every OAuth2 credential provider, following every page.
    fn list_oauth2_providers(&self) -> impl Future<Output = Result<Vec<ProviderSummary>, ApiError>> + Send;
    /// Every API-key credential provider, following every page.
    fn list_api_key_providers(&self) -> impl Future<Output = Result<Vec<ProviderSummary>, ApiError>> + Send;
    /// GetOauth2CredentialProvider.
    fn get_oauth2_provider(&self, name: &str) -> impl Future<Output = Result<LiveOauth2Provider, ApiError>> + Send;
    /// GetApiKeyCredentialProvider.
    fn get_api_key_provider(&self, name: &str) -> impl Future<Output = Result<LiveApiKeyProvider, ApiError>> + Send;
}

/// The mutating calls, used only by `apply`.
pub trait WriteApi: ReadApi {
    /// CreateGateway with the given idempotency token; `wafConfiguration` and
    /// `customTransformConfiguration` are not part of CreateGateway and are ignored here.
    fn create_gateway(
        &self,
        config: &Gateway,
        client_token: &str,
    ) -> impl Future<Output = Result<LiveGateway, ApiError>> + Send;
    /// UpdateGateway: a full replace with `config` (tags are ignored; they are not part of it).
    fn update_gateway(
        &self,
        gateway_id: &str,
        config: &Gateway,
    ) -> impl Future<Output = Result<LiveGateway, ApiError>> + Send;
    /// DeleteGateway; returns the status the service reported.
    fn delete_gateway(&self, gateway_id: &str) -> impl Future<Output = Result<GatewayStatus, ApiError>> + Send;
    /// CreateGatewayTarget with the given idempotency token.
    fn create_target(
        &self,
        gateway_id: &str,
        config: &Target,
        client_token: &str,
    ) -> impl Future<Output = Result<LiveTarget, ApiError>> + Send;
    /// UpdateGatewayTarget: a full replace with `config`.
    fn update_target(
        &self,
        gateway_id: &str,
        target_id: &str,
        config: &Target,
    ) -> impl Future<Output = Result<LiveTarget, ApiError>> + Send;
    /// SynchronizeGatewayTargets for one target (the API takes exactly one).
    fn synchronize_target(
        &self,
        gateway_id: &str,
        target_id: &str,
    ) -> impl Future<Output = Result<LiveTarget, ApiError>> + Send;
    /// PutResourcePolicy (replaces the policy).
    fn put_resource_policy(
        &self,
        arn: &str,
        policy: &ResourcePolicy,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
    /// DeleteResourcePolicy; a resource without a policy counts as done.
    fn delete_resource_policy(&self, arn: &str) -> impl Future<Output = Result<(), ApiError>> + Send;
    /// CreateGatewayRateLimit with the given idempotency token.
    fn create_rate_limit(
        &self,
        gateway_id: &str,
        config: &RateLimit,
        client_token: &str,
    ) -> impl Future<Output = Result<LiveRateLimit, ApiError>> + Send;
    /// UpdateGatewayRateLimit. The operation is a PATCH: every member it has (`description`,
    /// `entries`) is sent, so the result equals `config` except for a description to clear,
    /// which PATCH cannot express (plan replaces the rate limit instead) and `dimensionKeys`,
    /// which it cannot change (also a replacement).
    fn update_rate_limit(
        &self,
        gateway_id: &str,
        config: &RateLimit,
    ) -> impl Future<Output = Result<LiveRateLimit, ApiError>> + Send;
    /// DeleteGatewayRateLimit; returns the status the service reported.
    fn delete_rate_limit(
        &self,
        gateway_id: &str,
        rate_limit_id: &str,
    ) -> impl Future<Output = Result<GatewayRateLimitStatus, ApiError>> + Send;
    /// CreateGatewayRule with the given idempotency token.
    fn create_rule(
        &self,
        gateway_id: &str,
        config: &Rule,
        client_token: &str,
    ) -> impl Future<Output = Result<LiveRule, ApiError>> + Send;
    /// UpdateGatewayRule. The operation is a PATCH: every member is sent (`conditions` as an
    /// empty list when there are none), so the result equals `config` except for a description
    /// to clear, which PATCH cannot express (plan replaces the rule instead).
    fn update_rule(
        &self,
        gateway_id: &str,
        rule_id: &str,
        config: &Rule,
    ) -> impl Future<Output = Result<LiveRule, ApiError>> + Send;
    /// DeleteGatewayRule; returns the status the service reported.
    fn delete_rule(
        &self,
        gateway_id: &str,
        rule_id: &str,
    ) -> impl Future<Output = Result<GatewayRuleStatus, ApiError>> + Send;
    /// DeleteGatewayTarget.
    fn delete_target(&self, gateway_id: &str, target_id: &str) -> impl Future<Output = Result<(), ApiError>> + Send;
    /// TagResource (merges).
    fn tag_resource(&self, arn: &str, tags: &TagMap) -> impl Future<Output = Result<(), ApiError>> + Send;
    /// UntagResource.
    fn untag_resource(&self, arn: &str, keys: &[String]) -> impl Future<Output = Result<(), ApiError>> + Send;
    /// CreateOauth2CredentialProvider, with the spec's tags plus `tags` (ownership, secretVersion).
    fn create_oauth2_provider(
        &self,
        config: &Oauth2Provider,
        tags: &TagMap,
    ) -> impl Future<Output = Result<ProviderWritten, ApiError>> + Send;
    /// UpdateOauth2CredentialProvider (a full update; tags change through TagResource).
    fn update_oauth2_provider(
        &self,
        config: &Oauth2Provider,
    ) -> impl Future<Output = Result<ProviderWritten, ApiError>> + Send;
    /// DeleteOauth2CredentialProvider.
    fn delete_oauth2_provider(&self, name: &str) -> impl Future<Output = Result<(), ApiError>> + Send;
    /// CreateApiKeyCredentialProvider, with the spec's tags plus `tags` (ownership, secretVersion).
    fn create_api_key_provider(
        &self,
        config: &ApiKeyProvider,
        tags: &TagMap,
    ) -> impl Future<Output = Result<ProviderWritten, ApiError>> + Send;
    /// UpdateApiKeyCredentialProvider (a full update; tags change through TagResource).
    fn update_api_key_provider(
        &self,
        config: &ApiKeyProvider,
    ) -> impl Future<Output = Result<ProviderWritten, ApiError>> + Send;
    /// DeleteApiKeyCredentialProvider.
    fn delete_api_key_provider(&self, name: &str) -> impl Future<Output = Result<(), ApiError>> + Send;
}

/// The Get call of the credential provider `name` of `kind` (GetOauth2CredentialProvider or
/// GetApiKeyCredentialProvider), as either kind's live provider.
pub async fn get_provider(api: &impl ReadApi, kind: ProviderKind, name: &str) -> Result<LiveProvider, ApiError> {
    match kind {
        ProviderKind::Oauth2 => api.get_oauth2_provider(name).await.map(LiveProvider::Oauth2),
        ProviderKind::ApiKey => api.get_api_key_provider(name).await.map(LiveProvider::ApiKey),
    }
}

/// A view of an API that offers only the read calls: what `drift` is given, so that no code
/// path from it can reach a mutating call.
pub struct ReadOnly<'a, A>(&'a A);

impl<'a, A: ReadApi> ReadOnly<'a, A> {
    /// Wraps `api`, hiding its write calls.
    pub fn new(api: &'a A) -> Self {
        ReadOnly(api)
    }
}

impl<A: ReadApi> ReadApi for ReadOnly<'_, A> {
    fn list_gateways(&self) -> impl Future<Output = Result<Vec<GatewaySummary>, ApiError>> + Send {
        self.0.list_gateways()
    }
    fn get_gateway(&self, gateway_id: &str) -> impl Future<Output = Result<LiveGateway, ApiError>> + Send {
        self.0.get_gateway(gateway_id)
    }
    fn list_tags(&self, arn: &str) -> impl Future<Output = Result<TagMap, ApiError>> + Send {
        self.0.list_tags(arn)
    }
    fn list_targets(&self, gateway_id: &str) -> impl Future<Output = Result<Vec<TargetSummary>, ApiError>> + Send {
        self.0.list_targets(gateway_id)
    }
    fn get_target(
        &self,
        gateway_id: &str,
        target_id: &str,
    ) -> impl Future<Output = Result<LiveTarget, ApiError>> + Send {
        self.0.get_target(gateway_id, target_id)
    }
    fn get_resource_policy(&self, arn: &str) -> impl Future<Output = Result<Option<ResourcePolicy>, ApiError>> + Send {
        self.0.get_resource_policy(arn)
    }
    fn list_rate_limits(&self, gateway_id: &str) -> impl Future<Output = Result<Vec<LiveRateLimit>, ApiError>> + Send {
        self.0.list_rate_limits(gateway_id)
    }
    fn get_rate_limit(
        &self,
        gateway_id: &str,
        rate_limit_id: &str,
    ) -> impl Future<Output = Result<LiveRateLimit, ApiError>> + Send {
        self.0.get_rate_limit(gateway_id, rate_limit_id)
    }
    fn list_rules(&self, gateway_id: &str) -> impl Future<Output = Result<Vec<LiveRule>, ApiError>> + Send {
        self.0.list_rules(gateway_id)
    }
    fn get_rule(&self, gateway_id: &str, rule_id: &str) -> impl Future<Output = Result<LiveRule, ApiError>> + Send {
        self.0.get_rule(gateway_id, rule_id)
    }
    fn list_oauth2_providers(&self) -> impl Future<Output = Result<Vec<ProviderSummary>, ApiError>> + Send {
        self.0.list_oauth2_providers()
    }
    fn list_api_key_providers(&self) -> impl Future<Output = Result<Vec<ProviderSummary>, ApiError>> + Send {
        self.0.list_api_key_providers()
    }
    fn get_oauth2_provider(&self, name: &str) -> impl Future<Output = Result<LiveOauth2Provider, ApiError>> + Send {
        self.0.get_oauth2_provider(name)
    }
    fn get_api_key_provider(&self, name: &str) -> impl Future<Output = Result<LiveApiKeyProvider, ApiError>> + Send {
        self.0.get_api_key_provider(name)
    }
}

//! The AWS SDK implementation of the API traits.

use std::collections::HashSet;

use aws_sdk_bedrockagentcorecontrol::Client;

use crate::api::carried;
use crate::api::convert::{self, classify};
use crate::api::providers::{self, ProviderWritten};
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
use crate::model::sdk::Sdk;
use crate::model::target::Target;
use crate::model::Gateway;

/// The page size for ListGateways and ListGatewayTargets: the model's maximum (1–1000), so that
/// N gateways take ceil(N/1000) calls.
const PAGE_SIZE: i32 = 1000;

/// The page size for ListGatewayRules: the model's maximum (GatewayRuleMaxResults, 1–100; the
/// SDK states no bound). Every page is followed.
const RULE_PAGE_SIZE: i32 = 100;

/// The page size for ListGatewayRateLimits: the model's maximum (GatewayRateLimitMaxResults,
/// 1–100), which also covers the per-gateway quota of 50 in one call.
const RATE_LIMIT_PAGE_SIZE: i32 = 100;

/// The page size for ListOauth2CredentialProviders: the model's maximum (1–20).
const OAUTH2_PROVIDER_PAGE_SIZE: i32 = 20;

/// The page size for ListApiKeyCredentialProviders: the model's maximum (MaxResults, 1–100).
const API_KEY_PROVIDER_PAGE_SIZE: i32 = 100;

/// The gateway API over the AWS SDK client.
#[derive(Clone)]
pub struct SdkApi {
    client: Client,
}

// The client's own Debug walks its configuration; keep credentials-adjacent detail out of logs.
impl std::fmt::Debug for SdkApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SdkApi").finish_non_exhaustive()
    }
}

impl SdkApi {
    /// Wraps a configured client.
    pub fn new(client: Client) -> Self {
        SdkApi { client }
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// The most pages one listing follows. The server controls `nextToken`, and a server that always
/// hands back a new one would otherwise keep a command listing forever (issue 22 saw 11,500 calls
/// in 25 s); at the largest page sizes this is ten million items, far past any quota.
pub const MAX_PAGES: usize = 10_000;

/// The most items one listing keeps: a hundred times the largest page, and far above the
/// service's quotas (gateways per account, targets, rules and rate limits per gateway), so that a
/// server padding its pages cannot make acgw hold an unbounded list either.
pub const MAX_ITEMS: usize = 100_000;

/// Every page of the list call `op`: `fetch(token)` sends the request for the page after `token`
/// and answers its items and next token. A token handed back twice is an error: following it
/// would loop forever. So is a listing past [`MAX_PAGES`] pages or [`MAX_ITEMS`] items: the
/// caller fails what the listing was for (one gateway for its targets, the command for
/// ListGateways), never loops on the server's word.
async fn paged<T, Fut>(op: &str, fetch: impl FnMut(Option<String>) -> Fut) -> Result<Vec<T>, ApiError>
where
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), ApiError>>,
{
    paged_within(op, MAX_PAGES, MAX_ITEMS, fetch).await
}

/// [`paged`] with its caps as arguments, so that tests can reach them in a few pages.
async fn paged_within<T, Fut>(
    op: &str,
    max_pages: usize,
    max_items: usize,
    mut fetch: impl FnMut(Option<String>) -> Fut,
) -> Result<Vec<T>, ApiError>
where
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), ApiError>>,
{
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    let mut seen = HashSet::new();
    for _ in 0..max_pages {
        let (items, next) = fetch(token.take()).await?;
        out.extend(items);
        if out.len() > max_items {
            return Err(ApiError::Response(format!(
                "{op} listed more than {max_items} items; stopping (no quota allows that many)"
            )));
        }
        match next.filter(|t| !t.is_empty()) {
            Some(t) if !seen.insert(t.clone()) => {
                return Err(ApiError::Response(format!("{op} returned the nextToken {} twice; stopping", shown(&t))))
            }
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
    Err(ApiError::Response(format!("{op} still had more pages after {max_pages}; stopping")))
}

/// A server's token as an error shows it: debug-quoted (control characters escaped) and cut
/// short, since the server chooses its length.
fn shown(token: &str) -> String {
    const SHOWN: usize = 64;
    match token.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{:?}…", &token[..cut]),
        None => format!("{token:?}"),
    }
}

impl ReadApi for SdkApi {
    async fn list_gateways(&self) -> Result<Vec<GatewaySummary>, ApiError> {
        paged("ListGateways", |token| async move {
            let page = self
                .client
                .list_gateways()
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send()
                .await
                .map_err(classify)?;
            Ok((page.items.into_iter().map(convert::summary_from_sdk).collect(), page.next_token))
        })
        .await
    }

    async fn get_gateway(&self, gateway_id: &str) -> Result<LiveGateway, ApiError> {
        let call = self.client.get_gateway().gateway_identifier(gateway_id).send();
        let (out, received) = carried::exchange(Default::default(), call).await;
        let mut live = convert::live_from_get(out.map_err(classify)?)?;
        carried::read_gateway(&mut live.config, received);
        Ok(live)
    }

    async fn list_tags(&self, arn: &str) -> Result<TagMap, ApiError> {
        let out = self.client.list_tags_for_resource().resource_arn(arn).send().await.map_err(classify)?;
        Ok(out.tags.unwrap_or_default().into_iter().collect())
    }

    async fn list_targets(&self, gateway_id: &str) -> Result<Vec<TargetSummary>, ApiError> {
        paged("ListGatewayTargets", |token| async move {
            let page = self
                .client
                .list_gateway_targets()
                .gateway_identifier(gateway_id)
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send()
                .await
                .map_err(classify)?;
            Ok((
                page.items
                    .into_iter()
                    .map(|t| TargetSummary {
                        target_id: t.target_id,
                        name: t.name,
                        status: t.status.as_str().to_string(),
                    })
                    .collect(),
                page.next_token,
            ))
        })
        .await
    }

    async fn get_target(&self, gateway_id: &str, target_id: &str) -> Result<LiveTarget, ApiError> {
        let call = self.client.get_gateway_target().gateway_identifier(gateway_id).target_id(target_id).send();
        let (out, received) = carried::exchange_target(Default::default(), call).await;
        Ok(carried_target(convert::target_from_get(out.map_err(classify)?), received))
    }

    async fn get_resource_policy(&self, arn: &str) -> Result<Option<ResourcePolicy>, ApiError> {
        let out = match self.client.get_resource_policy().resource_arn(arn).send().await.map_err(classify) {
            Ok(out) => out,
            Err(ApiError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        match out.policy.filter(|p| !p.trim().is_empty()) {
            None => Ok(None),
            Some(text) => ResourcePolicy::from_sdk(text, "policy")
                .map(Some)
                .map_err(|u| ApiError::Response(format!("GetResourcePolicy for {arn}: {u}"))),
        }
    }

    async fn list_rate_limits(&self, gateway_id: &str) -> Result<Vec<LiveRateLimit>, ApiError> {
        paged("ListGatewayRateLimits", |token| async move {
            let page = self
                .client
                .list_gateway_rate_limits()
                .gateway_identifier(gateway_id)
                .max_results(RATE_LIMIT_PAGE_SIZE)
                .set_next_token(token)
                .send()
                .await
                .map_err(classify)?;
            Ok((page.rate_limits.into_iter().map(convert::rate_limit_from_detail).collect(), page.next_token))
        })
        .await
    }

    async fn get_rate_limit(&self, gateway_id: &str, rate_limit_id: &str) -> Result<LiveRateLimit, ApiError> {
        let out = self
            .client
            .get_gateway_rate_limit()
            .gateway_identifier(gateway_id)
            .rate_limit_id(rate_limit_id)
            .send()
            .await
            .map_err(classify)?;
        Ok(convert::rate_limit_from_get(out))
    }

    async fn list_rules(&self, gateway_id: &str) -> Result<Vec<LiveRule>, ApiError> {
        paged("ListGatewayRules", |token| async move {
            let page = self
                .client
                .list_gateway_rules()
                .gateway_identifier(gateway_id)
                .max_results(RULE_PAGE_SIZE)
                .set_next_token(token)
                .send()
                .await
                .map_err(classify)?;
            Ok((page.gateway_rules.into_iter().map(convert::rule_from_detail).collect(), page.next_token))
        })
        .await
    }

    async fn get_rule(&self, gateway_id: &str, rule_id: &str) -> Result<LiveRule, ApiError> {
        let out = self
            .client
            .get_gateway_rule()
            .gateway_identifier(gateway_id)
            .rule_id(rule_id)
            .send()
            .await
            .map_err(classify)?;
        Ok(convert::rule_from_get(out))
    }

    async fn list_oauth2_providers(&self) -> Result<Vec<ProviderSummary>, ApiError> {
        paged("ListOauth2CredentialProviders", |token| async move {
            let page = self
                .client
                .list_oauth2_credential_providers()
                .max_results(OAUTH2_PROVIDER_PAGE_SIZE)
                .set_next_token(token)
                .send()
                .await
                .map_err(classify)?;
            Ok((page.credential_providers.into_iter().map(providers::oauth2_summary).collect(), page.next_token))
        })
        .await
    }

    async fn list_api_key_providers(&self) -> Result<Vec<ProviderSummary>, ApiError> {
        paged("ListApiKeyCredentialProviders", |token| async move {
            let page = self
                .client
                .list_api_key_credential_providers()
                .max_results(API_KEY_PROVIDER_PAGE_SIZE)
                .set_next_token(token)
                .send()
                .await
                .map_err(classify)?;
            Ok((page.credential_providers.into_iter().map(providers::api_key_summary).collect(), page.next_token))
        })
        .await
    }

    async fn get_oauth2_provider(&self, name: &str) -> Result<LiveOauth2Provider, ApiError> {
        let out = self.client.get_oauth2_credential_provider().name(name).send().await.map_err(classify)?;
        providers::oauth2_from_get(out)
    }

    async fn get_api_key_provider(&self, name: &str) -> Result<LiveApiKeyProvider, ApiError> {
        let out = self.client.get_api_key_credential_provider().name(name).send().await.map_err(classify)?;
        Ok(providers::api_key_from_get(out))
    }
}

/// `live` with the members SDK 1.97 lacks read from its response (`received`).
fn carried_target(mut live: LiveTarget, received: Option<carried::Received>) -> LiveTarget {
    carried::read_target(&mut live.config, &live.target_id, received.as_ref());
    live
}

impl WriteApi for SdkApi {
    async fn create_target(
        &self,
        gateway_id: &str,
        config: &Target,
        client_token: &str,
    ) -> Result<LiveTarget, ApiError> {
        let call = convert::create_target_input(gateway_id, config, client_token)?.send_with(&self.client);
        let (out, received) = carried::exchange_target(carried::target_request(config), call).await;
        Ok(carried_target(convert::target_from_create(out.map_err(classify)?), received))
    }

    async fn update_target(&self, gateway_id: &str, target_id: &str, config: &Target) -> Result<LiveTarget, ApiError> {
        let call = convert::update_target_input(gateway_id, target_id, config)?.send_with(&self.client);
        let (out, received) = carried::exchange_target(carried::target_request(config), call).await;
        Ok(carried_target(convert::target_from_update(out.map_err(classify)?), received))
    }

    async fn synchronize_target(&self, gateway_id: &str, target_id: &str) -> Result<LiveTarget, ApiError> {
        let call =
            self.client.synchronize_gateway_targets().gateway_identifier(gateway_id).target_id_list(target_id).send();
        let (out, received) = carried::exchange_target(Default::default(), call).await;
        let found = out.map_err(classify)?.targets.unwrap_or_default().into_iter().find(|t| t.target_id == target_id);
        match found {
            Some(t) => Ok(carried_target(convert::target_from_synchronize(t), received)),
            None => Err(ApiError::Response(format!("SynchronizeGatewayTargets did not return target {target_id}"))),
        }
    }

    async fn create_gateway(&self, config: &Gateway, client_token: &str) -> Result<LiveGateway, ApiError> {
        let call = convert::create_input(config, client_token)?.send_with(&self.client);
        let (out, received) = carried::exchange(carried::gateway_request(config), call).await;
        let mut live = convert::live_from_create(out.map_err(classify)?)?;
        carried::read_gateway(&mut live.config, received);
        Ok(live)
    }

    async fn update_gateway(&self, gateway_id: &str, config: &Gateway) -> Result<LiveGateway, ApiError> {
        let call = convert::update_input(gateway_id, config)?.send_with(&self.client);
        let (out, received) = carried::exchange(carried::gateway_request(config), call).await;
        let mut live = convert::live_from_update(out.map_err(classify)?)?;
        carried::read_gateway(&mut live.config, received);
        Ok(live)
    }

    async fn delete_gateway(&self, gateway_id: &str) -> Result<GatewayStatus, ApiError> {
        let out = self.client.delete_gateway().gateway_identifier(gateway_id).send().await.map_err(classify)?;
        Ok(GatewayStatus::from(out.status.as_str()))
    }

    async fn put_resource_policy(&self, arn: &str, policy: &ResourcePolicy) -> Result<(), ApiError> {
        self.client
            .put_resource_policy()
            .resource_arn(arn)
            .policy(policy.to_json_string())
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn delete_resource_policy(&self, arn: &str) -> Result<(), ApiError> {
        match self.client.delete_resource_policy().resource_arn(arn).send().await.map_err(classify) {
            Ok(_) | Err(ApiError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn create_rate_limit(
        &self,
        gateway_id: &str,
        config: &RateLimit,
        client_token: &str,
    ) -> Result<LiveRateLimit, ApiError> {
        let out = convert::create_rate_limit_input(gateway_id, config, client_token)?
            .send_with(&self.client)
            .await
            .map_err(classify)?;
        Ok(convert::rate_limit_from_create(out))
    }

    async fn update_rate_limit(&self, gateway_id: &str, config: &RateLimit) -> Result<LiveRateLimit, ApiError> {
        let out =
            convert::update_rate_limit_input(gateway_id, config)?.send_with(&self.client).await.map_err(classify)?;
        Ok(convert::rate_limit_from_update(out))
    }

    async fn delete_rate_limit(
        &self,
        gateway_id: &str,
        rate_limit_id: &str,
    ) -> Result<GatewayRateLimitStatus, ApiError> {
        let out = self
            .client
            .delete_gateway_rate_limit()
            .gateway_identifier(gateway_id)
            .rate_limit_id(rate_limit_id)
            .send()
            .await
            .map_err(classify)?;
        Ok(GatewayRateLimitStatus::from(out.status.as_str()))
    }

    async fn create_rule(&self, gateway_id: &str, config: &Rule, client_token: &str) -> Result<LiveRule, ApiError> {
        let out = convert::create_rule_input(gateway_id, config, client_token)?
            .send_with(&self.client)
            .await
            .map_err(classify)?;
        Ok(convert::rule_from_create(out))
    }

    async fn update_rule(&self, gateway_id: &str, rule_id: &str, config: &Rule) -> Result<LiveRule, ApiError> {
        let out =
            convert::update_rule_input(gateway_id, rule_id, config)?.send_with(&self.client).await.map_err(classify)?;
        Ok(convert::rule_from_update(out))
    }

    async fn delete_rule(&self, gateway_id: &str, rule_id: &str) -> Result<GatewayRuleStatus, ApiError> {
        let out = self
            .client
            .delete_gateway_rule()
            .gateway_identifier(gateway_id)
            .rule_id(rule_id)
            .send()
            .await
            .map_err(classify)?;
        Ok(GatewayRuleStatus::from(out.status.as_str()))
    }

    async fn delete_target(&self, gateway_id: &str, target_id: &str) -> Result<(), ApiError> {
        self.client
            .delete_gateway_target()
            .gateway_identifier(gateway_id)
            .target_id(target_id)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn tag_resource(&self, arn: &str, tags: &TagMap) -> Result<(), ApiError> {
        let tags = tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        self.client.tag_resource().resource_arn(arn).set_tags(Some(tags)).send().await.map_err(classify)?;
        Ok(())
    }

    async fn untag_resource(&self, arn: &str, keys: &[String]) -> Result<(), ApiError> {
        self.client
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(keys.to_vec()))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn create_oauth2_provider(
        &self,
        config: &Oauth2Provider,
        tags: &TagMap,
    ) -> Result<ProviderWritten, ApiError> {
        let input = providers::oauth2_input(config)?;
        let out = providers::oauth2_members!(self.client.create_oauth2_credential_provider(), config, input)
            .set_tags(providers::create_tags(config.tags.as_ref(), tags))
            .send()
            .await
            .map_err(classify)?;
        Ok(providers::oauth2_written!(out))
    }

    async fn update_oauth2_provider(&self, config: &Oauth2Provider) -> Result<ProviderWritten, ApiError> {
        let input = providers::oauth2_input(config)?;
        let out = providers::oauth2_members!(self.client.update_oauth2_credential_provider(), config, input)
            .send()
            .await
            .map_err(classify)?;
        Ok(providers::oauth2_written!(out))
    }

    async fn delete_oauth2_provider(&self, name: &str) -> Result<(), ApiError> {
        self.client.delete_oauth2_credential_provider().name(name).send().await.map_err(classify)?;
        Ok(())
    }

    async fn create_api_key_provider(
        &self,
        config: &ApiKeyProvider,
        tags: &TagMap,
    ) -> Result<ProviderWritten, ApiError> {
        let input = providers::api_key_input(config)?;
        let out = providers::api_key_members!(self.client.create_api_key_credential_provider(), config, input)
            .set_tags(providers::create_tags(config.tags.as_ref(), tags))
            .send()
            .await
            .map_err(classify)?;
        Ok(providers::api_key_written!(out))
    }

    async fn update_api_key_provider(&self, config: &ApiKeyProvider) -> Result<ProviderWritten, ApiError> {
        let input = providers::api_key_input(config)?;
        let out = providers::api_key_members!(self.client.update_api_key_credential_provider(), config, input)
            .send()
            .await
            .map_err(classify)?;
        Ok(providers::api_key_written!(out))
    }

    async fn delete_api_key_provider(&self, name: &str) -> Result<(), ApiError> {
        self.client.delete_api_key_credential_provider().name(name).send().await.map_err(classify)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list whose pages answer `pages[i]`, the next token being the index of the next page.
    async fn list(pages: &[(&[u32], Option<&str>)]) -> Result<Vec<u32>, ApiError> {
        paged("ListThings", |token| {
            let i: usize = token.map_or(0, |t| t.parse().expect("a page index"));
            let (items, next) = pages[i];
            async move { Ok((items.to_vec(), next.map(str::to_string))) }
        })
        .await
    }

    #[tokio::test]
    async fn every_page_is_followed_until_no_token_or_an_empty_one() {
        assert_eq!(list(&[(&[1, 2], Some("1")), (&[], Some("2")), (&[3], None)]).await, Ok(vec![1, 2, 3]));
        assert_eq!(list(&[(&[1], Some(""))]).await, Ok(vec![1]));
    }

    #[tokio::test]
    async fn a_server_that_never_stops_paging_is_cut_off_at_the_page_cap() {
        let mut calls = 0;
        let err = paged_within("ListThings", 50, usize::MAX, |token: Option<String>| {
            calls += 1;
            let next = token.map_or(0, |t| t.parse::<u64>().expect("a number")) + 1;
            async move { Ok((Vec::<u32>::new(), Some(next.to_string()))) }
        })
        .await
        .expect_err("endless");
        assert_eq!(calls, 50);
        assert_eq!(err, ApiError::Response("ListThings still had more pages after 50; stopping".into()));
    }

    #[tokio::test]
    async fn a_server_that_pads_its_pages_is_cut_off_at_the_item_cap() {
        let mut calls = 0;
        let err = paged_within("ListThings", usize::MAX, 250, |token: Option<String>| {
            calls += 1;
            let next = token.map_or(0, |t| t.parse::<u64>().expect("a number")) + 1;
            async move { Ok((vec![0u32; 100], Some(next.to_string()))) }
        })
        .await
        .expect_err("padded");
        assert_eq!(calls, 3, "the third page of 100 passes 250");
        assert_eq!(
            err,
            ApiError::Response("ListThings listed more than 250 items; stopping (no quota allows that many)".into())
        );
    }

    #[test]
    fn a_token_in_an_error_is_escaped_and_cut_short() {
        assert_eq!(shown("a\u{1b}[2Jb"), "\"a\\u{1b}[2Jb\"");
        let long = "x".repeat(5000);
        assert_eq!(shown(&long), format!("{:?}…", "x".repeat(64)));
    }

    #[tokio::test]
    async fn a_token_handed_back_twice_stops_the_listing() {
        let err = list(&[(&[1], Some("1")), (&[2], Some("1"))]).await.expect_err("loops");
        assert_eq!(err, ApiError::Response("ListThings returned the nextToken \"1\" twice; stopping".into()));
    }
}

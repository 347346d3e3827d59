//! Observing credential providers (issue 26): the providers the specs declare, the ones acgw owns
//! (when pruning), and which live targets name each one by ARN (what keeps a provider from being
//! deleted). What it finds is data in [`ObservedProviders`].

use std::collections::{BTreeMap, BTreeSet};

use futures_util::stream::{self, StreamExt};
use serde_json::Value;

use super::At;
use crate::api::{ApiError, ReadApi};
use crate::kind::credential_provider::calls;
use crate::model::credential_provider::{ProviderKind, ProviderSummary};
use crate::model::live::{GatewaySummary, TagMap};
use crate::model::OWNER_TAG;
use crate::observed::{Holder, LiveProviderState, ObserveError, ObservedProviders, OwnedProvider};

/// The List call of a kind.
fn list_call(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Oauth2 => "ListOauth2CredentialProviders",
        ProviderKind::ApiKey => "ListApiKeyCredentialProviders",
    }
}

/// Observes the credential providers: both List calls (every page), then, for each provider
/// `declared` names (`(name, kind)`) that exists live with that kind, its Get call and
/// ListTagsForResource, with at most `parallelism` calls in flight.
///
/// A failing List fails the whole observation ([`ObserveError::ProviderList`]); a declared
/// provider that cannot be read fails alone, in [`ObservedProviders::failed`]; one deleted
/// between the list and the get is absent. Live providers in no spec (or of the other kind than
/// declared) are unmanaged and cost no call, except with `prune` and an `owner`: then one
/// ListTagsForResource each, and those tagged `acgw:owner=<owner>` are
/// [`ObservedProviders::owned`]. One whose tags cannot be read fails (so it is never deleted on
/// a guess), keyed by its name, or by `name (kind)` when a spec declares that name with the other
/// kind, so that the declared one's entry stays its own.
pub async fn observe_providers(
    api: &impl ReadApi,
    declared: &[(&str, ProviderKind)],
    owner: Option<&str>,
    prune: bool,
    parallelism: usize,
) -> Result<ObservedProviders, ObserveError> {
    // One after the other: the two Lists respect a parallelism of 1 too.
    let mut summaries = api
        .list_oauth2_providers()
        .await
        .map_err(|error| ObserveError::ProviderList { call: list_call(ProviderKind::Oauth2), error })?;
    summaries.extend(
        api.list_api_key_providers()
            .await
            .map_err(|error| ObserveError::ProviderList { call: list_call(ProviderKind::ApiKey), error })?,
    );
    let wanted: BTreeSet<(&str, ProviderKind)> = declared.iter().copied().collect();
    let (managed, mut unmanaged): (Vec<_>, Vec<_>) =
        summaries.into_iter().partition(|s| wanted.contains(&(s.name.as_str(), s.kind)));
    let owner = owner.filter(|_| prune);
    let candidates = match owner {
        Some(_) => std::mem::take(&mut unmanaged),
        None => Vec::new(),
    };
    let jobs = managed.into_iter().map(Job::Managed).chain(candidates.into_iter().map(Job::Candidate));
    let results: Vec<Outcome> = stream::iter(jobs)
        .map(|job| async move {
            match job {
                Job::Managed(s) => {
                    let result = read_managed(api, &s).await;
                    Outcome::Managed(s, Box::new(result))
                }
                Job::Candidate(s) => {
                    let result = read_tags(api, &s.name, &s.arn).await;
                    Outcome::Candidate(s, result)
                }
            }
        })
        .buffer_unordered(parallelism.max(1))
        .collect()
        .await;
    let declared_names: BTreeSet<&str> = declared.iter().map(|(n, _)| *n).collect();
    let mut observed = ObservedProviders { read: true, ..ObservedProviders::default() };
    for outcome in results {
        match outcome {
            Outcome::Managed(s, result) => match *result {
                Ok(Some(state)) => {
                    observed.managed.insert(s.name, state);
                }
                Ok(None) => {}
                Err(e) => {
                    observed.failed.insert(s.name, e);
                }
            },
            Outcome::Candidate(_, Ok(None)) => {}
            Outcome::Candidate(s, Ok(Some(tags))) => {
                if owner.is_some_and(|o| tags.get(OWNER_TAG).map(String::as_str) == Some(o)) {
                    observed.owned.push(OwnedProvider { summary: s, tags });
                } else {
                    unmanaged.push(s);
                }
            }
            Outcome::Candidate(s, Err(e)) => {
                let key = if declared_names.contains(s.name.as_str()) {
                    format!("{} ({})", s.name, s.kind.key())
                } else {
                    s.name
                };
                observed.failed.insert(key, e);
            }
        }
    }
    unmanaged.sort_by(|a, b| (&a.name, a.kind).cmp(&(&b.name, b.kind)));
    observed.unmanaged = unmanaged;
    observed.owned.sort_by(|a, b| (&a.summary.name, a.summary.kind).cmp(&(&b.summary.name, b.summary.kind)));
    Ok(observed)
}

/// One provider to read: a declared one (Get and tags) or, when pruning, one in no spec (tags).
enum Job {
    Managed(ProviderSummary),
    Candidate(ProviderSummary),
}

/// What a [`Job`] found; `Ok(None)` when the provider is gone.
// One short-lived value per listed provider: boxing would only add noise.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Managed(ProviderSummary, Box<Result<Option<LiveProviderState>, ObserveError>>),
    Candidate(ProviderSummary, Result<Option<TagMap>, ObserveError>),
}

/// The Get call of a declared provider, then its tags (by the ARN the Get returned).
async fn read_managed(api: &impl ReadApi, s: &ProviderSummary) -> Result<Option<LiveProviderState>, ObserveError> {
    let live = match crate::api::get_provider(api, s.kind, &s.name).await {
        Ok(live) => live,
        // Deleted between the list and the get: it is gone.
        Err(ApiError::NotFound(_)) => return Ok(None),
        Err(error) => return Err(ObserveError::Provider { call: calls(s.kind)[3], name: s.name.clone(), error }),
    };
    Ok(read_tags(api, &s.name, live.arn()).await?.map(|tags| LiveProviderState { live, tags }))
}

/// ListTagsForResource of the provider `name`; `None` when it is gone.
async fn read_tags(api: &impl ReadApi, name: &str, arn: &str) -> Result<Option<TagMap>, ObserveError> {
    match api.list_tags(arn).await {
        Ok(tags) => Ok(Some(tags)),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(error) => Err(ObserveError::Provider { call: "ListTagsForResource", name: name.to_string(), error }),
    }
}

/// Every live target of every live gateway that names a credential provider, by the provider's
/// ARN (holders sorted): ListGateways, then ListGatewayTargets and GetGatewayTarget for each
/// target, whatever its status (a target being deleted still names its provider), with at most
/// `parallelism` calls in flight. A provider ARN is any `providerArn` member in a target's
/// configuration (`credentialProviderConfigurations[].credentialProvider.*.providerArn` today),
/// so that a provider is never taken for unused because of where its ARN is written.
///
/// Any failure, or a target this build cannot represent, is an `Err`: the caller then deletes no
/// provider. A gateway or target deleted while being read is gone.
pub async fn read_holders(
    api: &impl ReadApi,
    parallelism: usize,
) -> Result<BTreeMap<String, Vec<Holder>>, ObserveError> {
    let gateways = api.list_gateways().await.map_err(|error| ObserveError::List { error })?;
    let permits = tokio::sync::Semaphore::new(parallelism.max(1));
    let permits = &permits;
    let reads = gateways.iter().map(|g| async move {
        let at = At { permits, name: &g.name, gateway_id: &g.gateway_id };
        holders_of(api, at, g).await
    });
    let mut holders: BTreeMap<String, Vec<Holder>> = BTreeMap::new();
    for result in futures_util::future::join_all(reads).await {
        for (arn, holder) in result? {
            holders.entry(arn).or_default().push(holder);
        }
    }
    for list in holders.values_mut() {
        list.sort();
        list.dedup();
    }
    Ok(holders)
}

/// The `(provider ARN, holder)` pairs of one gateway's targets.
async fn holders_of(api: &impl ReadApi, at: At<'_>, g: &GatewaySummary) -> Result<Vec<(String, Holder)>, ObserveError> {
    let (name, gateway_id) = (g.name.as_str(), g.gateway_id.as_str());
    let summaries = match at.call(api.list_targets(gateway_id)).await {
        Ok(list) => list,
        // The gateway vanished after the list: it holds nothing.
        Err(ApiError::NotFound(_)) => Vec::new(),
        Err(error) => {
            return Err(ObserveError::Targets { name: name.to_string(), gateway_id: gateway_id.to_string(), error })
        }
    };
    let gets = summaries.iter().map(|t| async move { (t, at.call(api.get_target(gateway_id, &t.target_id)).await) });
    let mut out = Vec::new();
    for (t, result) in futures_util::future::join_all(gets).await {
        let unreadable = |reason: String| ObserveError::TargetUnreadable {
            name: name.to_string(),
            gateway_id: gateway_id.to_string(),
            target: t.name.clone(),
            target_id: t.target_id.clone(),
            reason,
        };
        let live = match result {
            Ok(live) => live,
            // Deleted between the list and the get: it is gone.
            Err(ApiError::NotFound(_)) => continue,
            Err(error) => {
                return Err(ObserveError::TargetGet {
                    name: name.to_string(),
                    gateway_id: gateway_id.to_string(),
                    target: t.name.clone(),
                    target_id: t.target_id.clone(),
                    error,
                })
            }
        };
        let config = live.config.as_ref().map_err(|u| unreadable(u.to_string()))?;
        let json =
            serde_json::to_value(config).map_err(|e| unreadable(format!("a configuration acgw cannot read: {e}")))?;
        let mut arns = BTreeSet::new();
        provider_arns(&json, &mut arns);
        let holder = Holder { gateway: name.to_string(), target: live.name.clone() };
        out.extend(arns.into_iter().map(|arn| (arn, holder.clone())));
    }
    Ok(out)
}

/// Every string `providerArn` member anywhere in `value`.
fn provider_arns(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                match (key.as_str(), member) {
                    ("providerArn", Value::String(arn)) => {
                        into.insert(arn.clone());
                    }
                    _ => provider_arns(member, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| provider_arns(item, into)),
        _ => {}
    }
}

#[cfg(test)]
#[path = "providers_tests.rs"]
mod tests;

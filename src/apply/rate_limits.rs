//! A gateway's rate limits, after its targets (and rules) and before its resource policy:
//! deletes first (waiting until they are gone, since a replacement reuses the ID), then creates
//! and updates, each waited on until ACTIVE. Single-item operations only: BatchPut's semantics
//! (upsert or complete set) are not confirmed against the service.

use futures_util::stream::{self, StreamExt};

use super::{ApplyError, Run, TRANSPORT_RETRIES};
use crate::api::{ApiError, WriteApi};
use crate::model::live::{GatewayRateLimitStatus, LiveRateLimit};
use crate::model::rate_limit::RateLimit;

/// What to do for one rate limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateLimitWork {
    /// CreateGatewayRateLimit with a deterministic client token; `replaces` is the `updatedAt`
    /// of the rate limit it replaces (so the token differs from the one that created that one).
    Create { desired: RateLimit, replaces: Option<String> },
    /// UpdateGatewayRateLimit (PATCH) with every member it has.
    Update { desired: RateLimit },
    /// DeleteGatewayRateLimit, then wait until it is gone.
    Delete { rate_limit_id: String },
}

impl RateLimitWork {
    fn id(&self) -> &str {
        match self {
            RateLimitWork::Create { desired, .. } | RateLimitWork::Update { desired } => desired.rate_limit_id.as_str(),
            RateLimitWork::Delete { rate_limit_id } => rate_limit_id,
        }
    }
}

/// Applies `work` to the rate limits of `gateway_id`, recording every call that took effect.
pub(super) async fn apply<A: WriteApi>(
    api: &A,
    run: &mut Run<'_>,
    gateway_id: &str,
    work: Vec<RateLimitWork>,
) -> Result<(), ApplyError> {
    let (deletes, writes): (Vec<_>, Vec<_>) = work.into_iter().partition(|w| matches!(w, RateLimitWork::Delete { .. }));
    for phase in [deletes, writes] {
        if phase.is_empty() {
            continue;
        }
        let opts = run.opts;
        let results: Vec<(Vec<String>, Result<(), ApplyError>)> = stream::iter(phase)
            .map(|w| one(api, opts, gateway_id, w))
            .buffer_unordered(opts.parallelism.max(1))
            .collect()
            .await;
        let mut first_error = None;
        for (calls, result) in results {
            for call in calls {
                run.did(&call);
            }
            if let Err(e) = result {
                first_error.get_or_insert(e);
            }
        }
        // Creates wait for deletes (a replacement reuses the ID); a failed delete stops the rest.
        if let Some(e) = first_error {
            return Err(e);
        }
    }
    Ok(())
}

async fn one<A: WriteApi>(
    api: &A,
    opts: &super::Options,
    gateway_id: &str,
    work: RateLimitWork,
) -> (Vec<String>, Result<(), ApplyError>) {
    let id = work.id().to_string();
    let mut calls = Vec::new();
    let result: Result<(), ApplyError> = async {
        match &work {
            RateLimitWork::Delete { rate_limit_id } => {
                let mut attempt = 0;
                loop {
                    match api.delete_rate_limit(gateway_id, rate_limit_id).await {
                        Ok(_) | Err(ApiError::NotFound(_)) => break,
                        // Busy (CREATING/UPDATING): let it settle, then delete.
                        Err(ApiError::Conflict(_)) if attempt < TRANSPORT_RETRIES => {
                            attempt += 1;
                            wait_active(api, opts, gateway_id, rate_limit_id, None, true).await?;
                        }
                        Err(ApiError::Transport(_)) if attempt < TRANSPORT_RETRIES => attempt += 1,
                        Err(source) => return Err(ApplyError::Api { call: "DeleteGatewayRateLimit", source }),
                    }
                }
                calls.push(format!("DeleteGatewayRateLimit {id}"));
                wait_gone(api, opts, gateway_id, rate_limit_id).await
            }
            RateLimitWork::Create { desired, replaces } => {
                let token = super::token::rate_limit_token(
                    &opts.target.region,
                    &opts.target.endpoint,
                    gateway_id,
                    desired,
                    replaces.as_deref(),
                );
                let mut attempt = 0;
                let live = loop {
                    match api.create_rate_limit(gateway_id, desired, &token).await {
                        Ok(live) => break live,
                        Err(ApiError::Transport(_)) if attempt < TRANSPORT_RETRIES => attempt += 1,
                        Err(source) => return Err(ApplyError::Api { call: "CreateGatewayRateLimit", source }),
                    }
                };
                calls.push(format!("CreateGatewayRateLimit {id}"));
                wait_active(api, opts, gateway_id, &id, Some(live), false).await
            }
            RateLimitWork::Update { desired } => {
                let mut attempt = 0;
                let live = loop {
                    match api.update_rate_limit(gateway_id, desired).await {
                        Ok(live) => break live,
                        // Not ACTIVE yet: wait for it, then send the update again.
                        Err(ApiError::Conflict(_)) if attempt < TRANSPORT_RETRIES => {
                            attempt += 1;
                            wait_active(api, opts, gateway_id, &id, None, true).await?;
                        }
                        // Sending every member again is idempotent.
                        Err(ApiError::Transport(_)) if attempt < TRANSPORT_RETRIES => attempt += 1,
                        Err(source) => return Err(ApplyError::Api { call: "UpdateGatewayRateLimit", source }),
                    }
                };
                calls.push(format!("UpdateGatewayRateLimit {id}"));
                wait_active(api, opts, gateway_id, &id, Some(live), false).await
            }
        }
    }
    .await;
    (calls, result.map_err(|e| ApplyError::RateLimit { rate_limit_id: id, source: Box::new(e) }))
}

/// Polls GetGatewayRateLimit until ACTIVE (there are no failure states). With `--no-wait`
/// (unless `always`, a wait a later call needs), returns at once.
async fn wait_active<A: WriteApi>(
    api: &A,
    opts: &super::Options,
    gateway_id: &str,
    rate_limit_id: &str,
    live: Option<LiveRateLimit>,
    always: bool,
) -> Result<(), ApplyError> {
    let get = || async { api.get_rate_limit(gateway_id, rate_limit_id).await.map(|l| l.status) };
    let first = live.map(|l| l.status);
    let active = |s: &GatewayRateLimitStatus| *s == GatewayRateLimitStatus::Active;
    super::wait_item_settled(opts, "GetGatewayRateLimit", first, always, get, active, |status, waited| {
        ApplyError::RateLimitTimeout { rate_limit_id: rate_limit_id.to_string(), status, waited }
    })
    .await
}

/// Polls GetGatewayRateLimit until the rate limit is gone.
async fn wait_gone<A: WriteApi>(
    api: &A,
    opts: &super::Options,
    gateway_id: &str,
    rate_limit_id: &str,
) -> Result<(), ApplyError> {
    let get = || async { api.get_rate_limit(gateway_id, rate_limit_id).await.map(|l| l.status) };
    super::wait_item_gone(opts, "GetGatewayRateLimit", get, |status, waited| ApplyError::RateLimitTimeout {
        rate_limit_id: rate_limit_id.to_string(),
        status,
        waited,
    })
    .await
}

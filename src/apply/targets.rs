//! A gateway's targets, once the gateway itself is READY: deletes first (waiting until they are
//! gone, since a replacement may reuse a name), then creates and updates, each waited on until
//! READY. An OAuth authorization-code target that settles pending authorization is not waited
//! on: the report shows where to authorize it.

use futures_util::stream::{self, StreamExt};

use super::{ApplyError, Run, WaitClock, TRANSPORT_RETRIES};
use crate::api::{ApiError, WriteApi};
pub use crate::kind::target::TargetWork;
use crate::model::live::{LiveTarget, TargetStatus};

impl TargetWork {
    fn name(&self) -> &str {
        match self {
            TargetWork::Create { desired } | TargetWork::Update { desired, .. } => desired.name.as_str(),
            TargetWork::Delete { name, .. } => name,
        }
    }
}

/// What one target call did.
struct Done {
    calls: Vec<String>,
    pending: Option<(String, String)>,
    result: Result<(), ApplyError>,
}

/// Applies `work` to the targets of `gateway_id`, recording every call that took effect in `run`.
pub(super) async fn apply<A: WriteApi>(
    api: &A,
    run: &mut Run<'_>,
    gateway_id: &str,
    work: Vec<TargetWork>,
) -> Result<(), ApplyError> {
    let (deletes, writes): (Vec<_>, Vec<_>) = work.into_iter().partition(|w| matches!(w, TargetWork::Delete { .. }));
    for phase in [deletes, writes] {
        if phase.is_empty() {
            continue;
        }
        let opts = run.opts;
        let results: Vec<Done> = stream::iter(phase)
            .map(|w| one(api, opts, gateway_id, w))
            .buffer_unordered(opts.parallelism.max(1))
            .collect()
            .await;
        let mut first_error = None;
        for done in results {
            for call in done.calls {
                run.did(&call);
            }
            if let Some(p) = done.pending {
                run.pending_auth.push(p);
            }
            if let Err(e) = done.result {
                first_error.get_or_insert(e);
            }
        }
        // Creates wait for deletes (names may be reused); a failed delete stops what follows.
        if let Some(e) = first_error {
            return Err(e);
        }
    }
    Ok(())
}

async fn one<A: WriteApi>(api: &A, opts: &super::Options, gateway_id: &str, work: TargetWork) -> Done {
    let name = work.name().to_string();
    let mut calls = Vec::new();
    let result: Result<Option<LiveTarget>, ApplyError> = async {
        match &work {
            TargetWork::Delete { target_id, .. } => {
                match api.delete_target(gateway_id, target_id).await {
                    Ok(()) | Err(ApiError::NotFound(_)) => {}
                    Err(source) => return Err(ApplyError::Api { call: "DeleteGatewayTarget", source }),
                }
                calls.push(format!("DeleteGatewayTarget {name}"));
                wait_target_gone(api, opts, gateway_id, target_id).await?;
                Ok(None)
            }
            TargetWork::Create { desired } => {
                let token = super::token::target_token(&opts.target.region, &opts.target.endpoint, gateway_id, desired);
                let mut attempt = 0;
                let live = loop {
                    match api.create_target(gateway_id, desired, &token).await {
                        Ok(live) => break live,
                        Err(ApiError::Transport(_)) if attempt < TRANSPORT_RETRIES => attempt += 1,
                        Err(source) => return Err(ApplyError::Api { call: "CreateGatewayTarget", source }),
                    }
                };
                calls.push(format!("CreateGatewayTarget {name}"));
                wait_target(api, opts, gateway_id, live).await.map(Some)
            }
            TargetWork::Update { target_id, desired } => {
                let live = api
                    .update_target(gateway_id, target_id, desired)
                    .await
                    .map_err(|source| ApplyError::Api { call: "UpdateGatewayTarget", source })?;
                calls.push(format!("UpdateGatewayTarget {name}"));
                wait_target(api, opts, gateway_id, live).await.map(Some)
            }
        }
    }
    .await;
    match result {
        Ok(live) => {
            let pending = live.filter(|l| l.status.is_pending_auth()).map(|l| {
                (name.clone(), l.authorization_url.unwrap_or_else(|| "(no authorization URL returned)".into()))
            });
            Done { calls, pending, result: Ok(()) }
        }
        Err(e) => Done { calls, pending: None, result: Err(ApplyError::Target { target: name, source: Box::new(e) }) },
    }
}

/// Polls GetGatewayTarget until the target is READY or pending authorization; a failure status is
/// an error with the service's reasons. With `--no-wait`, returns what the call answered.
async fn wait_target<A: WriteApi>(
    api: &A,
    opts: &super::Options,
    gateway_id: &str,
    mut live: LiveTarget,
) -> Result<LiveTarget, ApplyError> {
    let mut clock = WaitClock::start(opts);
    loop {
        match &live.status {
            TargetStatus::Ready => return Ok(live),
            s if s.is_pending_auth() => return Ok(live),
            s if s.is_failure() => {
                return Err(ApplyError::TargetFailed {
                    target_id: live.target_id.clone(),
                    status: s.clone(),
                    reasons: live.status_reasons.clone(),
                })
            }
            _ if !opts.wait => return Ok(live),
            s if clock.expired() => {
                return Err(ApplyError::TargetTimeout {
                    target_id: live.target_id.clone(),
                    status: s.clone(),
                    waited: clock.waited(),
                })
            }
            _ => clock.back_off().await,
        }
        live = match api.get_target(gateway_id, &live.target_id).await {
            Ok(l) => l,
            Err(ApiError::Throttling(_) | ApiError::Transport(_)) if !clock.expired() => continue,
            Err(source) => return Err(ApplyError::Api { call: "GetGatewayTarget", source }),
        };
    }
}

/// Polls GetGatewayTarget until the target is gone.
async fn wait_target_gone<A: WriteApi>(
    api: &A,
    opts: &super::Options,
    gateway_id: &str,
    target_id: &str,
) -> Result<(), ApplyError> {
    let get = || async { api.get_target(gateway_id, target_id).await.map(|l| l.status) };
    super::wait_item_gone(opts, "GetGatewayTarget", get, |status, waited| ApplyError::TargetTimeout {
        target_id: target_id.to_string(),
        status,
        waited,
    })
    .await
}

/// SynchronizeGatewayTargets for one target, then waits until it is READY again: what `acgw
/// sync` does after an MCP server deploys new tools.
pub async fn synchronize<A: WriteApi>(
    api: &A,
    opts: &super::Options,
    gateway_id: &str,
    target_id: &str,
) -> Result<LiveTarget, ApplyError> {
    let live = api
        .synchronize_target(gateway_id, target_id)
        .await
        .map_err(|source| ApplyError::Api { call: "SynchronizeGatewayTargets", source })?;
    wait_target(api, opts, gateway_id, live).await
}

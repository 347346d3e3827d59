//! A gateway's items of one kind ([`WriteKind`]: rules, rate limits), after its targets (routes
//! name targets, so a target created in the same apply exists first): deletes first, each waited
//! on until it is gone (a replacement or a moved item reuses the key), then creates and updates,
//! each waited on until settled. System-managed items never get here.

use futures_util::stream::{self, StreamExt};

use super::{ApplyError, Options, Run, WaitClock, TRANSPORT_RETRIES};
use crate::api::{ApiError, WriteApi};
use crate::kind::{ItemKind, WriteKind};
use crate::model::live::GatewayStatus;

/// What to do for one item of kind `K`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemWork<K: ItemKind> {
    /// Create with a deterministic client token; `replaces` is the `updatedAt` of the item it
    /// replaces (so the token differs from the one that created that one).
    Create { desired: K::Desired, replaces: Option<String> },
    /// Update (the item `id`) with every member.
    Update { id: String, desired: K::Desired },
    /// Delete, then wait until it is gone.
    Delete { id: String, key: K::Key },
}

impl<K: ItemKind> ItemWork<K> {
    /// How `done` lines and errors name the item.
    fn label(&self) -> String {
        match self {
            ItemWork::Create { desired, .. } => K::label(&K::key(desired), None),
            ItemWork::Update { id, desired } => K::label(&K::key(desired), Some(id)),
            ItemWork::Delete { id, key } => K::label(key, Some(id)),
        }
    }
}

/// Applies `work` to the items of kind `K` of `gateway_id`, recording every call that took
/// effect.
pub(super) async fn apply<K: WriteKind, A: WriteApi>(
    api: &A,
    run: &mut Run<'_>,
    gateway_id: &str,
    work: Vec<ItemWork<K>>,
) -> Result<(), ApplyError> {
    let (deletes, writes): (Vec<_>, Vec<_>) = work.into_iter().partition(|w| matches!(w, ItemWork::Delete { .. }));
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
        // Creates wait for deletes (they may reuse a key); a failed delete stops the rest.
        if let Some(e) = first_error {
            return Err(e);
        }
    }
    Ok(())
}

async fn one<K: WriteKind, A: WriteApi>(
    api: &A,
    opts: &Options,
    gateway_id: &str,
    work: ItemWork<K>,
) -> (Vec<String>, Result<(), ApplyError>) {
    let label = work.label();
    let mut calls = Vec::new();
    let result: Result<(), ApplyError> = async {
        match &work {
            ItemWork::Delete { id, .. } => {
                let mut attempt = 0;
                loop {
                    match K::delete(api, gateway_id, id).await {
                        Ok(()) | Err(ApiError::NotFound(_)) => break,
                        // Busy (CREATING/UPDATING): let it settle, then delete.
                        Err(ApiError::Conflict(_)) if attempt < TRANSPORT_RETRIES => {
                            attempt += 1;
                            wait_settled::<K, A>(api, opts, gateway_id, id, None, true).await?;
                        }
                        Err(ApiError::Transport(_)) if attempt < TRANSPORT_RETRIES => attempt += 1,
                        Err(source) => return Err(ApplyError::Api { call: K::DELETE_CALL, source }),
                    }
                }
                calls.push(format!("{} {label}", K::DELETE_CALL));
                wait_gone::<K, A>(api, opts, gateway_id, id).await
            }
            ItemWork::Create { desired, replaces } => {
                let token = super::token::item_token(
                    &opts.target.region,
                    &opts.target.endpoint,
                    gateway_id,
                    desired,
                    replaces.as_deref(),
                );
                let mut attempt = 0;
                let live = loop {
                    match K::create(api, gateway_id, desired, &token).await {
                        Ok(live) => break live,
                        // The request may have been committed: the same token makes re-sending safe.
                        Err(ApiError::Transport(_)) if attempt < TRANSPORT_RETRIES => attempt += 1,
                        Err(source) => return Err(ApplyError::Api { call: K::CREATE_CALL, source }),
                    }
                };
                calls.push(format!("{} {label}", K::CREATE_CALL));
                let id = K::live_id(&live).to_string();
                wait_settled::<K, A>(api, opts, gateway_id, &id, Some(live), false).await
            }
            ItemWork::Update { id, desired } => {
                let mut attempt = 0;
                let live = loop {
                    match K::update(api, gateway_id, id, desired).await {
                        Ok(live) => break live,
                        // Not settled yet: wait for it, then send the update again.
                        Err(ApiError::Conflict(_)) if attempt < TRANSPORT_RETRIES => {
                            attempt += 1;
                            wait_settled::<K, A>(api, opts, gateway_id, id, None, true).await?;
                        }
                        // Sending every member again is idempotent.
                        Err(ApiError::Transport(_)) if attempt < TRANSPORT_RETRIES => attempt += 1,
                        Err(source) => return Err(ApplyError::Api { call: K::UPDATE_CALL, source }),
                    }
                };
                calls.push(format!("{} {label}", K::UPDATE_CALL));
                wait_settled::<K, A>(api, opts, gateway_id, id, Some(live), false).await
            }
        }
    }
    .await;
    (calls, result.map_err(|e| ApplyError::Item { noun: K::NOUN, label, source: Box::new(e) }))
}

/// Polls the item until its status is settled, starting from `live` when a call answered one.
/// With `--no-wait` (unless `always`, a wait a later call needs), returns at once.
async fn wait_settled<K: WriteKind, A: WriteApi>(
    api: &A,
    opts: &Options,
    gateway_id: &str,
    id: &str,
    live: Option<K::Live>,
    always: bool,
) -> Result<(), ApplyError> {
    let get = || async { K::get(api, gateway_id, id).await.map(|l| K::live_status(&l).clone()) };
    let first = live.map(|l| K::live_status(&l).clone());
    super::wait_item_settled(opts, K::GET_CALL, first, always, get, K::settled, |status, waited| {
        ApplyError::ItemTimeout { noun: K::NOUN, id: id.to_string(), status: status.to_string(), waited }
    })
    .await
}

/// Polls the item until it is gone.
async fn wait_gone<K: WriteKind, A: WriteApi>(
    api: &A,
    opts: &Options,
    gateway_id: &str,
    id: &str,
) -> Result<(), ApplyError> {
    let get = || async { K::get(api, gateway_id, id).await.map(|l| K::live_status(&l).clone()) };
    super::wait_item_gone(opts, K::GET_CALL, get, |status: K::Status, waited| ApplyError::ItemTimeout {
        noun: K::NOUN,
        id: id.to_string(),
        status: status.to_string(),
        waited,
    })
    .await
}

/// Deletes every item of kind `K` of a gateway (system-managed ones are left to the service)
/// and waits until the listing shows none: the service may refuse to delete a gateway that has
/// them.
pub(super) async fn delete_all<K: WriteKind, A: WriteApi>(
    api: &A,
    run: &mut Run<'_>,
    gateway_id: &str,
) -> Result<(), ApplyError> {
    let mut clock = WaitClock::start(run.opts);
    loop {
        let items = match K::list(api, gateway_id).await {
            Ok(items) => items.into_iter().filter(|i| K::system_managed_by(i).is_none()).collect::<Vec<_>>(),
            Err(ApiError::NotFound(_)) => return Ok(()),
            Err(ApiError::Throttling(_) | ApiError::Transport(_)) if !clock.expired() => {
                clock.retry().await;
                continue;
            }
            Err(source) => return Err(ApplyError::Api { call: K::LIST_CALL, source }),
        };
        if items.is_empty() {
            return Ok(());
        }
        for item in items.iter().filter(|i| K::settled(K::live_status(i))) {
            let id = K::live_id(item);
            run.say(&format!("deleting {} {id}", K::NOUN));
            match K::delete(api, gateway_id, id).await {
                Ok(()) | Err(ApiError::NotFound(_)) => run.did(&format!("{} {id}", K::DELETE_CALL)),
                // Busy or unknown: the next listing tells.
                Err(ApiError::Transport(_) | ApiError::Throttling(_) | ApiError::Conflict(_)) => {}
                Err(source) => return Err(ApplyError::Api { call: K::DELETE_CALL, source }),
            }
        }
        if clock.expired() {
            return Err(ApplyError::Timeout {
                gateway_id: gateway_id.to_string(),
                status: GatewayStatus::Other(format!("{} {}(s) still deleting", items.len(), K::NOUN)),
                waited: clock.waited(),
            });
        }
        run.say(&format!("waiting for its {} to be deleted", K::NOUNS));
        clock.back_off().await;
    }
}

/// Refuses to replace a gateway that has items of kind `K` its spec does not declare: they are
/// not acgw's to delete.
pub(super) async fn refuse_undeclared<K: WriteKind, A: WriteApi>(api: &A, gateway_id: &str) -> Result<(), ApplyError> {
    let count = K::list(api, gateway_id)
        .await
        .map_err(|source| ApplyError::Api { call: K::LIST_CALL, source })?
        .iter()
        .filter(|i| K::system_managed_by(i).is_none())
        .count();
    if count > 0 {
        return Err(ApplyError::Undeclared {
            gateway_id: gateway_id.to_string(),
            count,
            noun: K::NOUN,
            spec_key: K::SPEC_KEY,
        });
    }
    Ok(())
}

//! A gateway's items of one kind ([`WriteKind`]: targets, then rules, then rate limits, once the
//! gateway is READY; routes name targets, so a target created in the same apply exists before
//! its rules): deletes first, each waited on until it is gone (a replacement, a moved item or a
//! reused name takes the key), then creates and updates, each waited on until settled. An item
//! that settles waiting for a user's authorization is not waited on: the report says where to
//! authorize it. System-managed items never get here.

use std::future::Future;

use futures_util::stream::{self, StreamExt};

use super::ItemWork;
use super::{ApplyError, Options, Run, WaitClock, TRANSPORT_RETRIES};
use crate::api::items::{ItemApi, ListKind};
use crate::api::{ApiError, WriteApi};
use crate::model::live::GatewayStatus;

/// What one item's calls did.
struct Done {
    calls: Vec<String>,
    /// The item (its label) and where a user authorizes it, when it waits for that.
    pending: Option<(String, String)>,
    result: Result<(), ApplyError>,
}

/// Applies `work` to the items of kind `K` of `gateway_id`, recording every call that took
/// effect, and every item left waiting for a user's authorization.
pub(super) async fn apply<K: ItemApi, A: WriteApi>(
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
        // Creates wait for deletes (they may reuse a key); a failed delete stops the rest.
        if let Some(e) = first_error {
            return Err(e);
        }
    }
    Ok(())
}

async fn one<K: ItemApi, A: WriteApi>(api: &A, opts: &Options, gateway_id: &str, work: ItemWork<K>) -> Done {
    let label = work.label();
    let mut calls = Vec::new();
    // A kind that retries writes sends them up to TRANSPORT_RETRIES more times.
    let retries = if K::RETRIES_WRITES { TRANSPORT_RETRIES } else { 0 };
    let result: Result<Option<K::Live>, ApplyError> = async {
        match &work {
            ItemWork::Delete { id, .. } => {
                let delete = || async {
                    match K::delete(api, gateway_id, id).await {
                        Err(ApiError::NotFound(_)) => Ok(()),
                        other => other,
                    }
                };
                send_when_settled::<K, A, _, _>(api, opts, gateway_id, id, retries, K::DELETE_CALL, delete).await?;
                calls.push(format!("{} {label}", K::DELETE_CALL));
                wait_gone::<K, A>(api, opts, gateway_id, id).await?;
                Ok(None)
            }
            ItemWork::Create { desired, replaces } => {
                let token =
                    K::token(&opts.target.region, &opts.target.endpoint, gateway_id, desired, replaces.as_deref());
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
                wait_settled::<K, A>(api, opts, gateway_id, live, false).await.map(Some)
            }
            ItemWork::Update { id, desired } => {
                let update = || K::update(api, gateway_id, id, desired);
                let live =
                    send_when_settled::<K, A, _, _>(api, opts, gateway_id, id, retries, K::UPDATE_CALL, update).await?;
                calls.push(format!("{} {label}", K::UPDATE_CALL));
                wait_settled::<K, A>(api, opts, gateway_id, live, false).await.map(Some)
            }
        }
    }
    .await;
    match result {
        Ok(live) => {
            let pending = live.filter(K::pending).map(|l| {
                let url = K::authorization_url(&l).unwrap_or_else(|| "(no authorization URL returned)".into());
                (label.clone(), url)
            });
            Done { calls, pending, result: Ok(()) }
        }
        Err(e) => {
            let result = Err(ApplyError::Item { noun: K::NOUN, label, source: Box::new(e) });
            Done { calls, pending: None, result }
        }
    }
}

/// Polls an item that a call just answered with `live` until its status is settled, and returns
/// it as last seen; a failure status is an error with the service's reasons. With `--no-wait`
/// (unless `always`, a wait a later call needs), returns `live` unless it failed.
pub(super) async fn wait_settled<K: ItemApi, A: WriteApi>(
    api: &A,
    opts: &Options,
    gateway_id: &str,
    mut live: K::Live,
    always: bool,
) -> Result<K::Live, ApplyError> {
    let mut clock = WaitClock::start(opts);
    loop {
        let id = K::live_id(&live).to_string();
        let status = K::live_status(&live);
        if let Some(reasons) = K::failed(&live) {
            return Err(ApplyError::ItemFailed { noun: K::NOUN, id, status: status.to_string(), reasons });
        }
        if K::settled(status) || (!opts.wait && !always) {
            return Ok(live);
        }
        if clock.expired() {
            return Err(ApplyError::ItemTimeout {
                noun: K::NOUN,
                id,
                status: status.to_string(),
                waited: clock.waited(),
            });
        }
        clock.back_off().await;
        live = get_live::<K, A>(api, &clock, gateway_id, &id).await?;
    }
}

/// Reads the item `id` and waits until it is settled, whatever `--no-wait` says: a call that met
/// it busy is sent again after that.
/// Sends an update or delete of item `id` (`call`) until the service takes it, up to `retries`
/// more times in all: an item still busy (Conflict: CREATING or UPDATING) is waited on until
/// settled and sent to again, and one whose answer was lost is sent again (every member again
/// for an update, a delete twice: both idempotent).
async fn send_when_settled<K: ItemApi, A: WriteApi, T, Fut: Future<Output = Result<T, ApiError>>>(
    api: &A,
    opts: &Options,
    gateway_id: &str,
    id: &str,
    retries: usize,
    call: &'static str,
    mut send: impl FnMut() -> Fut,
) -> Result<T, ApplyError> {
    let mut attempt = 0;
    loop {
        match send().await {
            Ok(answer) => return Ok(answer),
            Err(ApiError::Conflict(_)) if attempt < retries => {
                attempt += 1;
                wait_settled_id::<K, A>(api, opts, gateway_id, id).await?;
            }
            Err(ApiError::Transport(_)) if attempt < retries => attempt += 1,
            Err(source) => return Err(ApplyError::Api { call, source }),
        }
    }
}

async fn wait_settled_id<K: ItemApi, A: WriteApi>(
    api: &A,
    opts: &Options,
    gateway_id: &str,
    id: &str,
) -> Result<(), ApplyError> {
    let live = get_live::<K, A>(api, &WaitClock::start(opts), gateway_id, id).await?;
    wait_settled::<K, A>(api, opts, gateway_id, live, true).await.map(|_| ())
}

/// Reads the item `id`, reading again after throttling or a lost response until `clock` runs out.
async fn get_live<K: ItemApi, A: WriteApi>(
    api: &A,
    clock: &WaitClock<'_>,
    gateway_id: &str,
    id: &str,
) -> Result<K::Live, ApplyError> {
    loop {
        match K::get(api, gateway_id, id).await {
            Ok(live) => return Ok(live),
            Err(ApiError::Throttling(_) | ApiError::Transport(_)) if !clock.expired() => clock.retry().await,
            Err(source) => return Err(ApplyError::Api { call: K::GET_CALL, source }),
        }
    }
}

/// Polls the item until it is gone.
async fn wait_gone<K: ItemApi, A: WriteApi>(
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
pub(super) async fn delete_all<K: ListKind, A: WriteApi>(
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
pub(super) async fn refuse_undeclared<K: ListKind, A: WriteApi>(api: &A, gateway_id: &str) -> Result<(), ApplyError> {
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

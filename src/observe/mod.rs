//! Observe: read the live gateways through [`ReadApi`] (list every page, then get and tags
//! for each managed gateway, concurrently). What it found is data in [`crate::observed`].

use std::collections::BTreeMap;

use futures_util::stream::{self, StreamExt};

pub use crate::observed::{LiveState, ObserveError, Observed, Owned, Part, PartValue};

use crate::api::items::ListKind;
use crate::api::{ApiError, ReadApi};
use crate::kind::{GatewayPart, ItemKind, PolicyKind, TargetKind, WriteKind};
use crate::model::live::{GatewaySummary, LiveTarget, TagMap, TargetStatus, TargetSummary};
use crate::model::policy::ResourcePolicy;
use crate::model::OWNER_TAG;

mod providers;
pub use providers::{observe_providers, read_holders};

/// Observes the gateways that the specs name: ListGateways (every page), then GetGateway and
/// ListTagsForResource for each one that exists, with at most `parallelism` calls in flight.
///
/// Only a failing ListGateways fails the whole observation; a gateway that cannot be read (after
/// the SDK's retries) or whose name is taken twice is recorded in [`Observed::failed`]. Live
/// gateways named in no spec are returned as unmanaged, without any call for them. A gateway
/// deleted between the list and the get counts as absent.
pub async fn observe<N: AsRef<str>>(
    api: &impl ReadApi,
    managed_names: &[N],
    parallelism: usize,
) -> Result<Observed, ObserveError> {
    let wanted: Vec<(&str, Vec<Part>)> = managed_names.iter().map(|n| (n.as_ref(), Vec::new())).collect();
    observe_with(api, &wanted, parallelism).await
}

/// Like [`observe`], and reads the parts each gateway is named with, as [`observe_parts`] does.
/// A gateway's parts are read as soon as the gateway is, in the same queue of `parallelism`
/// calls as every other read, so no stage waits for the slowest call of another.
pub async fn observe_with<N: AsRef<str>>(
    api: &impl ReadApi,
    wanted: &[(N, Vec<Part>)],
    parallelism: usize,
) -> Result<Observed, ObserveError> {
    let parts: BTreeMap<&str, &[Part]> = wanted.iter().map(|(n, p)| (n.as_ref(), p.as_slice())).collect();
    let summaries = api.list_gateways().await.map_err(|error| ObserveError::List { error })?;
    let (managed, mut unmanaged): (Vec<_>, Vec<_>) =
        summaries.into_iter().partition(|s| parts.contains_key(s.name.as_str()));
    unmanaged.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.gateway_id.cmp(&b.gateway_id)));
    let (unique, failed) = split_duplicates(managed);
    let mut observed = read_all(api, unique, &parts, parallelism).await;
    observed.failed.extend(failed);
    observed.unmanaged = unmanaged;
    Ok(observed)
}

/// Observes every live gateway as managed (for `export`).
pub async fn observe_all(api: &impl ReadApi, parallelism: usize) -> Result<Observed, ObserveError> {
    let summaries = api.list_gateways().await.map_err(|error| ObserveError::List { error })?;
    let (unique, failed) = split_duplicates(summaries);
    let mut observed = read_all(api, unique, &BTreeMap::new(), parallelism).await;
    observed.failed.extend(failed);
    Ok(observed)
}

/// Moves the unmanaged gateways tagged `acgw:owner=<owner>` to [`Observed::owned`]: one
/// ListTagsForResource per unmanaged gateway (their ARNs follow the pattern of any ARN already
/// read; one GetGateway finds it when none was), plus ListGatewayTargets for each owned one
/// when `with_targets`. A gateway that cannot be read fails alone, in [`Observed::failed`]:
/// whether it is owned is unknown, so it is never deleted.
pub async fn find_owned(
    api: &impl ReadApi,
    observed: &mut Observed,
    owner: &str,
    with_targets: bool,
    parallelism: usize,
) {
    let mut known = observed.managed.values().next().map(|s| s.live.gateway_arn.clone());
    // No ARN read yet: GetGateway the unmanaged ones in turn until one answers. One that fails
    // fails alone (its ownership is unknown); one that vanished is simply gone.
    while known.is_none() && !observed.unmanaged.is_empty() {
        let first = observed.unmanaged.remove(0);
        match api.get_gateway(&first.gateway_id).await {
            Ok(live) => {
                known = Some(live.gateway_arn);
                observed.unmanaged.insert(0, first);
            }
            Err(ApiError::NotFound(_)) => {}
            Err(error) => {
                let failure =
                    ObserveError::Get { name: first.name.clone(), gateway_id: first.gateway_id.clone(), error };
                observed.failed.insert(first.name, failure);
            }
        }
    }
    let Some(known) = known else { return };
    let unmanaged = std::mem::take(&mut observed.unmanaged);
    let results: Vec<(GatewaySummary, String, Result<Ownership, ObserveError>)> = stream::iter(unmanaged)
        .map(|s| {
            let arn = arn_like(&known, &s.gateway_id);
            async move {
                let result = read_ownership(api, &s, &arn, owner, with_targets).await;
                (s, arn, result)
            }
        })
        .buffer_unordered(parallelism.max(1))
        .collect()
        .await;
    for (summary, gateway_arn, result) in results {
        match result {
            Ok(Some((tags, targets))) => observed.owned.push(Owned { summary, gateway_arn, tags, targets }),
            Ok(None) => observed.unmanaged.push(summary),
            Err(e) => {
                observed.failed.insert(summary.name.clone(), e);
            }
        }
    }
    observed.unmanaged.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.gateway_id.cmp(&b.gateway_id)));
    observed.owned.sort_by(|a, b| a.summary.name.cmp(&b.summary.name));
}

/// The ARN of gateway `id`, in the account and region of the gateway ARN `known`.
fn arn_like(known: &str, id: &str) -> String {
    match known.rsplit_once('/') {
        Some((prefix, _)) => format!("{prefix}/{id}"),
        None => known.to_string(),
    }
}

/// What [`read_ownership`] finds of an owned gateway: its tags, and its targets when asked for.
type Ownership = Option<(TagMap, Option<Vec<TargetSummary>>)>;

/// The tags (and targets) of a gateway that carries `owner`; `None` when it does not, or is gone.
async fn read_ownership(
    api: &impl ReadApi,
    s: &GatewaySummary,
    arn: &str,
    owner: &str,
    with_targets: bool,
) -> Result<Ownership, ObserveError> {
    let tags = match api.list_tags(arn).await {
        Ok(tags) => tags,
        Err(ApiError::NotFound(_)) => return Ok(None),
        Err(error) => {
            return Err(ObserveError::Tags {
                name: s.name.clone(),
                gateway_id: s.gateway_id.clone(),
                gateway_arn: arn.to_string(),
                error,
            })
        }
    };
    if tags.get(OWNER_TAG).map(String::as_str) != Some(owner) {
        return Ok(None);
    }
    let targets = if with_targets {
        match api.list_targets(&s.gateway_id).await {
            Ok(targets) => Some(targets),
            Err(ApiError::NotFound(_)) => return Ok(None),
            Err(error) => {
                return Err(ObserveError::Targets { name: s.name.clone(), gateway_id: s.gateway_id.clone(), error })
            }
        }
    } else {
        None
    };
    Ok(Some((tags, targets)))
}

/// The targets of each gateway, by gateway ID (for deleting gateways the specs name).
pub async fn read_targets(
    api: &impl ReadApi,
    gateways: &[(&str, &str)],
    parallelism: usize,
) -> BTreeMap<String, Result<Vec<TargetSummary>, ObserveError>> {
    stream::iter(gateways.iter().copied())
        .map(|(name, id)| async move {
            let result = api.list_targets(id).await.map_err(|error| ObserveError::Targets {
                name: name.to_string(),
                gateway_id: id.to_string(),
                error,
            });
            (id.to_string(), result)
        })
        .buffer_unordered(parallelism.max(1))
        .collect()
        .await
}

/// Separates the names that more than one live gateway has: each is a failure of its own.
fn split_duplicates(summaries: Vec<GatewaySummary>) -> (Vec<GatewaySummary>, BTreeMap<String, ObserveError>) {
    let mut by_name: BTreeMap<String, Vec<GatewaySummary>> = BTreeMap::new();
    for s in summaries {
        by_name.entry(s.name.clone()).or_default().push(s);
    }
    let mut unique = Vec::new();
    let mut failed = BTreeMap::new();
    for (name, mut group) in by_name {
        if group.len() == 1 {
            unique.append(&mut group);
        } else {
            let mut gateway_ids: Vec<String> = group.into_iter().map(|s| s.gateway_id).collect();
            gateway_ids.sort_unstable();
            failed.insert(name.clone(), ObserveError::DuplicateName { name, gateway_ids });
        }
    }
    (unique, failed)
}

/// Reads each gateway (and the parts `parts` names for it), every call in one queue.
async fn read_all(
    api: &impl ReadApi,
    summaries: Vec<GatewaySummary>,
    parts: &BTreeMap<&str, &[Part]>,
    parallelism: usize,
) -> Observed {
    let permits = tokio::sync::Semaphore::new(parallelism.max(1));
    let permits = &permits;
    let reads = summaries.iter().map(|s| async move {
        let at = At { permits, name: &s.name, gateway_id: &s.gateway_id };
        let wanted = parts.get(s.name.as_str()).copied().unwrap_or_default();
        (s.name.clone(), read_one(api, at, wanted).await)
    });
    let mut observed = Observed::default();
    for (name, result) in futures_util::future::join_all(reads).await {
        match result {
            Ok(Some(state)) => {
                observed.managed.insert(name, state);
            }
            Ok(None) => {}
            Err(e) => {
                observed.failed.insert(name, e);
            }
        }
    }
    observed
}

/// GetGateway, then ListTagsForResource with the ARN it returned, then the `parts` (together).
/// `None` when the gateway is gone; the first part (in [`Part::ALL`] order) that cannot be read
/// is the error.
async fn read_one(api: &impl ReadApi, at: At<'_>, parts: &[Part]) -> Result<Option<LiveState>, ObserveError> {
    let (name, gateway_id) = (at.name, at.gateway_id);
    let live = match at.call(api.get_gateway(gateway_id)).await {
        Ok(live) => live,
        Err(ApiError::NotFound(_)) => return Ok(None),
        Err(error) => {
            return Err(ObserveError::Get { name: name.to_string(), gateway_id: gateway_id.to_string(), error })
        }
    };
    let tags = match at.call(api.list_tags(&live.gateway_arn)).await {
        Ok(tags) => tags,
        Err(ApiError::NotFound(_)) => return Ok(None),
        Err(error) => {
            return Err(ObserveError::Tags {
                name: name.to_string(),
                gateway_id: gateway_id.to_string(),
                gateway_arn: live.gateway_arn.clone(),
                error,
            })
        }
    };
    let mut parts = parts.to_vec();
    parts.sort();
    let values = futures_util::future::join_all(parts.iter().map(|&p| read_part(api, at, &live.gateway_arn, p))).await;
    let mut state = LiveState::new(live, tags);
    for value in values {
        value?.store(&mut state);
    }
    Ok(Some(state))
}

/// One part of one gateway, as read by [`read_parts`].
#[derive(Debug)]
pub struct PartRead {
    /// The gateway's name.
    pub gateway: String,
    pub part: Part,
    pub result: Result<PartValue, ObserveError>,
}

/// Reads the parts `wanted` names for each managed gateway (`(gateway name, parts)`; gateways not
/// in [`Observed::managed`] are skipped). Every call of every part of every gateway waits in one
/// queue of `parallelism` calls in flight, so no part kind waits for another kind's slowest
/// call, and one gateway with many targets does not hold up the others. Results come in no
/// particular order; what a failure means is the caller's choice (see [`observe_parts`]).
pub async fn read_parts<N: AsRef<str>>(
    api: &impl ReadApi,
    observed: &Observed,
    wanted: &[(N, Vec<Part>)],
    parallelism: usize,
) -> Vec<PartRead> {
    let permits = tokio::sync::Semaphore::new(parallelism.max(1));
    let permits = &permits;
    let jobs = wanted.iter().filter_map(|(name, parts)| observed.managed.get(name.as_ref()).map(|s| (name, parts, s)));
    let reads = jobs.flat_map(|(name, parts, state)| {
        parts.iter().map(move |&part| async move {
            let at = At { permits, name: name.as_ref(), gateway_id: &state.live.gateway_id };
            let result = read_part(api, at, &state.live.gateway_arn, part).await;
            PartRead { gateway: name.as_ref().to_string(), part, result }
        })
    });
    futures_util::future::join_all(reads).await
}

/// Reads the parts `wanted` names (see [`read_parts`]) into [`Observed::managed`]. A gateway one
/// of whose parts cannot be read moves to [`Observed::failed`], alone, with the first error.
pub async fn observe_parts<N: AsRef<str>>(
    api: &impl ReadApi,
    observed: &mut Observed,
    wanted: &[(N, Vec<Part>)],
    parallelism: usize,
) {
    let mut reads = read_parts(api, observed, wanted, parallelism).await;
    // The first error of a gateway is the one of its first part, whatever order calls ended in.
    reads.sort_by(|a, b| (&a.gateway, a.part).cmp(&(&b.gateway, b.part)));
    for read in reads {
        match read.result {
            Ok(value) => value.store_in(observed, &read.gateway),
            Err(error) => observed.fail(&read.gateway, error),
        }
    }
}

/// How observe reads one gateway part: lists whole for item kinds with a list call
/// ([`ListKind`]), summaries then a get per target for targets, GetResourcePolicy for the policy.
trait ReadPart: GatewayPart {
    /// Reads the part of the gateway at `at` (whose ARN is `arn`).
    fn read<A: ReadApi>(
        api: &A,
        at: At<'_>,
        arn: &str,
    ) -> impl std::future::Future<Output = Result<Self::Observed, ObserveError>> + Send;
}

impl<K: ListKind + GatewayPart<Observed = Vec<<K as ItemKind>::Live>>> ReadPart for K {
    fn read<A: ReadApi>(
        api: &A,
        at: At<'_>,
        _arn: &str,
    ) -> impl std::future::Future<Output = Result<Self::Observed, ObserveError>> + Send {
        read_listed::<K>(api, at)
    }
}

impl ReadPart for TargetKind {
    fn read<A: ReadApi>(
        api: &A,
        at: At<'_>,
        _arn: &str,
    ) -> impl std::future::Future<Output = Result<Vec<LiveTarget>, ObserveError>> + Send {
        read_targets_of(api, at)
    }
}

impl ReadPart for PolicyKind {
    fn read<A: ReadApi>(
        api: &A,
        at: At<'_>,
        arn: &str,
    ) -> impl std::future::Future<Output = Result<Option<ResourcePolicy>, ObserveError>> + Send {
        read_policy_of(api, at, arn)
    }
}

macro_rules! read_part {
    ([$(($var:ident, $field:ident, $key:literal, $kind:ty, $rank:literal)),* $(,)?]) => {
        /// Reads one part of the gateway at `at` (whose ARN is `arn`).
        async fn read_part(api: &impl ReadApi, at: At<'_>, arn: &str, part: Part) -> Result<PartValue, ObserveError> {
            match part {
                $(Part::$var => <$kind as ReadPart>::read(api, at, arn).await.map(PartValue::$var),)*
            }
        }
    };
}
crate::kind::for_each_part!(read_part);

/// The gateway a read is for, and the queue its calls wait in.
#[derive(Clone, Copy)]
struct At<'a> {
    permits: &'a tokio::sync::Semaphore,
    name: &'a str,
    gateway_id: &'a str,
}

impl At<'_> {
    /// Runs one API call once a place in the queue is free.
    async fn call<T>(&self, call: impl std::future::Future<Output = T>) -> T {
        // The semaphore is never closed; without a permit the call still runs.
        let _permit = self.permits.acquire().await.ok();
        call.await
    }
}

/// GetResourcePolicy: `None` when the gateway has none.
async fn read_policy_of(api: &impl ReadApi, at: At<'_>, arn: &str) -> Result<Option<ResourcePolicy>, ObserveError> {
    at.call(api.get_resource_policy(arn)).await.map_err(|error| ObserveError::Policy {
        name: at.name.to_string(),
        gateway_id: at.gateway_id.to_string(),
        error,
    })
}

/// Lists a gateway's items of kind `K` (every page; the listing carries full details), sorted by
/// key, leaving out those being deleted. An item this build cannot represent fails the gateway,
/// unless it is system-managed (never touched, so only its key matters), and so do two items with
/// one key: a spec could not tell which one it means.
async fn read_listed<K: ListKind>(api: &impl ReadApi, at: At<'_>) -> Result<Vec<K::Live>, ObserveError> {
    let (name, gateway_id) = (at.name.to_string(), at.gateway_id.to_string());
    let mut list = match at.call(K::list(api, at.gateway_id)).await {
        Ok(list) => list,
        // The gateway vanished after it was read: it has none.
        Err(ApiError::NotFound(_)) => Vec::new(),
        Err(error) => return Err(ObserveError::Items { call: K::LIST_CALL, name, gateway_id, error }),
    };
    list.retain(|i| !K::deleting(K::live_status(i)));
    let unreadable = list.iter().find_map(|i| match K::live_read(i) {
        Err(u) if K::system_managed_by(i).is_none() => Some((K::live_id(i).to_string(), u.to_string())),
        _ => None,
    });
    if let Some((item, reason)) = unreadable {
        return Err(ObserveError::ItemUnreadable { noun: K::NOUN, call: K::LIST_CALL, name, gateway_id, item, reason });
    }
    list.sort_by(|a, b| (K::live_key(a), K::live_id(a)).cmp(&(K::live_key(b), K::live_id(b))));
    let duplicate = list.windows(2).find_map(|w| K::live_key(&w[0]).filter(|k| K::live_key(&w[1]).as_ref() == Some(k)));
    if let Some(key) = duplicate {
        let ids =
            list.iter().filter(|i| K::live_key(i).as_ref() == Some(&key)).map(|i| K::live_id(i).to_string()).collect();
        return Err(ObserveError::DuplicateItems {
            nouns: K::NOUNS,
            key_field: K::KEY_FIELD,
            name,
            gateway_id,
            key: key.to_string(),
            ids,
        });
    }
    Ok(list)
}

/// ListGatewayTargets (every page), then GetGatewayTarget per target, sorted by name, leaving out
/// those being deleted. Two live targets with one name, or one this build cannot represent, fail
/// the gateway.
async fn read_targets_of(api: &impl ReadApi, at: At<'_>) -> Result<Vec<LiveTarget>, ObserveError> {
    let (name, gateway_id) = (at.name, at.gateway_id);
    let mut summaries = match at.call(api.list_targets(gateway_id)).await {
        Ok(list) => list,
        Err(ApiError::NotFound(_)) => Vec::new(),
        Err(error) => {
            return Err(ObserveError::Targets { name: name.to_string(), gateway_id: gateway_id.to_string(), error })
        }
    };
    // A target being deleted is gone, as for every kind (`WriteKind::deleting`).
    summaries.retain(|t| !TargetKind::deleting(&TargetStatus::from(t.status.as_str())));
    let mut by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for t in &summaries {
        by_name.entry(t.name.as_str()).or_default().push(t.target_id.as_str());
    }
    if let Some((target, ids)) = by_name.iter().find(|(_, ids)| ids.len() > 1) {
        let mut target_ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        target_ids.sort();
        return Err(ObserveError::DuplicateTarget {
            name: name.to_string(),
            gateway_id: gateway_id.to_string(),
            target: target.to_string(),
            target_ids,
        });
    }
    let gets = summaries.iter().map(|t| async move { (t, at.call(api.get_target(gateway_id, &t.target_id)).await) });
    let mut out = Vec::with_capacity(summaries.len());
    for (t, result) in futures_util::future::join_all(gets).await {
        match result {
            Ok(live) if TargetKind::deleting(&live.status) => {}
            Ok(live) => {
                if let Err(u) = &live.config {
                    return Err(ObserveError::TargetUnreadable {
                        name: name.to_string(),
                        gateway_id: gateway_id.to_string(),
                        target: t.name.clone(),
                        target_id: t.target_id.clone(),
                        reason: u.to_string(),
                    });
                }
                out.push(live);
            }
            // Deleted between the list and the get: it is gone.
            Err(ApiError::NotFound(_)) => {}
            Err(error) => {
                return Err(ObserveError::TargetGet {
                    name: name.to_string(),
                    gateway_id: gateway_id.to_string(),
                    target: t.name.clone(),
                    target_id: t.target_id.clone(),
                    error,
                })
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::model::live::{LiveGateway, LiveRateLimit, LiveRule};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::model::live::GatewayStatus;
    use crate::model::{AuthorizerType, Gateway};

    /// A fake API that records how many calls are in flight at once.
    pub(super) struct Fake {
        pub(super) summaries: Vec<GatewaySummary>,
        /// IDs whose GetGateway answers NotFound (deleted after the list), and names of
        /// credential providers whose Get does.
        pub(super) vanished: Vec<&'static str>,
        pub(super) in_flight: AtomicUsize,
        pub(super) peak: AtomicUsize,
        /// The live credential providers (their Get answers are built from the summary).
        pub(super) providers: Vec<crate::model::credential_provider::ProviderSummary>,
        /// Names of credential providers whose Get answers AccessDenied.
        pub(super) denied: Vec<&'static str>,
        /// When set, ListApiKeyCredentialProviders answers AccessDenied.
        pub(super) api_key_list_denied: bool,
        /// Tags beside the `arn` one, by ARN.
        pub(super) tags: BTreeMap<String, TagMap>,
        /// Live targets by gateway ID (a target ID `broken` fails its GetGatewayTarget).
        pub(super) targets: BTreeMap<String, Vec<LiveTarget>>,
        /// Every credential provider call and every ListTagsForResource, as `Call:argument`.
        pub(super) calls: std::sync::Mutex<Vec<String>>,
    }

    impl Fake {
        pub(super) fn new(names: &[(&str, &str)]) -> Self {
            Fake {
                summaries: names
                    .iter()
                    .map(|(id, name)| GatewaySummary {
                        gateway_id: id.to_string(),
                        name: name.to_string(),
                        status: GatewayStatus::Ready,
                        updated_at: "2025-01-01T00:00:00Z".into(),
                    })
                    .collect(),
                vanished: vec![],
                in_flight: AtomicUsize::new(0),
                peak: AtomicUsize::new(0),
                providers: vec![],
                denied: vec![],
                api_key_list_denied: false,
                tags: BTreeMap::new(),
                targets: BTreeMap::new(),
                calls: std::sync::Mutex::new(Vec::new()),
            }
        }

        fn record(&self, call: &str, arg: &str) {
            self.calls.lock().expect("calls").push(format!("{call}:{arg}"));
        }

        async fn slow<T>(&self, value: T) -> T {
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.peak.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            value
        }
    }

    impl ReadApi for Fake {
        async fn list_gateways(&self) -> Result<Vec<GatewaySummary>, ApiError> {
            Ok(self.summaries.clone())
        }

        async fn get_gateway(&self, gateway_id: &str) -> Result<LiveGateway, ApiError> {
            if self.vanished.contains(&gateway_id) {
                return self.slow(Err(ApiError::NotFound(gateway_id.to_string()))).await;
            }
            let s = self.summaries.iter().find(|s| s.gateway_id == gateway_id).expect("known id");
            let config = Gateway::minimal(
                s.name.as_str().try_into().expect("name"),
                "arn:aws:iam::123456789012:role/r".try_into().expect("role"),
                AuthorizerType::None,
            );
            self.slow(Ok(LiveGateway {
                gateway_id: gateway_id.to_string(),
                gateway_arn: format!("arn:{gateway_id}"),
                status: GatewayStatus::Ready,
                status_reasons: vec![],
                updated_at: s.updated_at.clone(),
                config: Ok(config),
            }))
            .await
        }

        async fn list_tags(&self, arn: &str) -> Result<TagMap, ApiError> {
            self.record("ListTagsForResource", arn);
            if arn == "arn:broken" || arn.ends_with("/broken") {
                return self.slow(Err(ApiError::AccessDenied("no tags for you".into()))).await;
            }
            let mut tags: TagMap = [("arn".to_string(), arn.to_string())].into();
            tags.extend(self.tags.get(arn).cloned().unwrap_or_default());
            self.slow(Ok(tags)).await
        }

        async fn list_targets(&self, gateway_id: &str) -> Result<Vec<TargetSummary>, ApiError> {
            let targets = self.targets.get(gateway_id).map(Vec::as_slice).unwrap_or_default();
            let summaries = targets
                .iter()
                .map(|t| TargetSummary {
                    target_id: t.target_id.clone(),
                    name: t.name.clone(),
                    status: t.status.to_string(),
                })
                .collect();
            self.slow(Ok(summaries)).await
        }
        async fn list_rate_limits(&self, gateway_id: &str) -> Result<Vec<LiveRateLimit>, ApiError> {
            if gateway_id == "limitless" {
                return Err(ApiError::AccessDenied("no rate limits for you".into()));
            }
            self.slow(Ok(Vec::new())).await
        }
        async fn get_rate_limit(&self, _gateway_id: &str, id: &str) -> Result<LiveRateLimit, ApiError> {
            Err(ApiError::NotFound(id.to_string()))
        }
        async fn list_rules(&self, _gateway_id: &str) -> Result<Vec<LiveRule>, ApiError> {
            self.slow(Ok(Vec::new())).await
        }
        async fn get_rule(&self, _gateway_id: &str, id: &str) -> Result<LiveRule, ApiError> {
            Err(ApiError::NotFound(id.to_string()))
        }
        // The fake gateways have no policy, and only the targets of `targets`.
        async fn get_target(&self, gateway_id: &str, target_id: &str) -> Result<LiveTarget, ApiError> {
            if target_id == "broken" {
                return self.slow(Err(ApiError::AccessDenied("no target for you".into()))).await;
            }
            let found = self.targets.get(gateway_id).and_then(|ts| ts.iter().find(|t| t.target_id == target_id));
            self.slow(found.cloned().ok_or_else(|| ApiError::NotFound(target_id.to_string()))).await
        }
        async fn get_resource_policy(
            &self,
            _arn: &str,
        ) -> Result<Option<crate::model::policy::ResourcePolicy>, ApiError> {
            self.slow(Ok(None)).await
        }
        async fn list_oauth2_providers(
            &self,
        ) -> Result<Vec<crate::model::credential_provider::ProviderSummary>, ApiError> {
            self.record("ListOauth2CredentialProviders", "");
            self.slow(Ok(self.providers_of(ProviderKind::Oauth2))).await
        }
        async fn list_api_key_providers(
            &self,
        ) -> Result<Vec<crate::model::credential_provider::ProviderSummary>, ApiError> {
            self.record("ListApiKeyCredentialProviders", "");
            if self.api_key_list_denied {
                return self.slow(Err(ApiError::AccessDenied("no API keys for you".into()))).await;
            }
            self.slow(Ok(self.providers_of(ProviderKind::ApiKey))).await
        }
        async fn get_oauth2_provider(
            &self,
            name: &str,
        ) -> Result<crate::model::credential_provider::LiveOauth2Provider, ApiError> {
            self.record("GetOauth2CredentialProvider", name);
            let found = self.provider(ProviderKind::Oauth2, name).map(|s| live_oauth2(&s.name, &s.arn));
            self.slow(found).await
        }
        async fn get_api_key_provider(
            &self,
            name: &str,
        ) -> Result<crate::model::credential_provider::LiveApiKeyProvider, ApiError> {
            self.record("GetApiKeyCredentialProvider", name);
            let found = self.provider(ProviderKind::ApiKey, name).map(|s| live_api_key(&s.name, &s.arn));
            self.slow(found).await
        }
    }

    use crate::model::credential_provider::{
        LiveApiKeyProvider, LiveOauth2Provider, LiveSecret, Oauth2ProviderConfigOutput, ProviderKind, ProviderSummary,
    };

    impl Fake {
        /// Adds a live provider, with the emulator's ARN pattern.
        pub(super) fn with_provider(mut self, kind: ProviderKind, name: &str) -> Self {
            let segment = match kind {
                ProviderKind::Oauth2 => "oauth2credentialprovider",
                ProviderKind::ApiKey => "apikeycredentialprovider",
            };
            let arn = format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/{segment}/{name}");
            self.providers.push(ProviderSummary { kind, name: name.to_string(), arn, vendor: None });
            self
        }

        fn providers_of(&self, kind: ProviderKind) -> Vec<ProviderSummary> {
            self.providers.iter().filter(|p| p.kind == kind).cloned().collect()
        }

        /// The summary a Get of `name` answers from, or the error it fails with.
        fn provider(&self, kind: ProviderKind, name: &str) -> Result<ProviderSummary, ApiError> {
            if self.denied.contains(&name) {
                return Err(ApiError::AccessDenied(format!("no {name} for you")));
            }
            if self.vanished.contains(&name) {
                return Err(ApiError::NotFound(name.to_string()));
            }
            let found = self.providers.iter().find(|p| p.kind == kind && p.name == name);
            found.cloned().ok_or_else(|| ApiError::NotFound(name.to_string()))
        }
    }

    /// A GitHub provider as GetOauth2CredentialProvider answers it.
    fn live_oauth2(name: &str, arn: &str) -> LiveOauth2Provider {
        use crate::model::decode::{Cx, Decode, Node};
        let output = serde_json::json!({ "githubOauth2ProviderConfig": {
            "oauthDiscovery": { "discoveryUrl": "https://github.com/.well-known/openid-configuration" },
            "clientId": "client" } });
        let mut problems = Vec::new();
        let config = Oauth2ProviderConfigOutput::decode(&Node::from_json(&output), &mut Cx::new("fake", &mut problems));
        LiveOauth2Provider {
            name: name.to_string(),
            arn: arn.to_string(),
            vendor: crate::model::credential_provider::CredentialProviderVendor::GithubOauth2,
            callback_url: None,
            client_secret: secret(name),
            config: config.expect("a GitHub output decodes"),
            status: None,
            failure_reason: None,
        }
    }

    fn live_api_key(name: &str, arn: &str) -> LiveApiKeyProvider {
        LiveApiKeyProvider { name: name.to_string(), arn: arn.to_string(), api_key_secret: secret(name) }
    }

    fn secret(name: &str) -> LiveSecret {
        LiveSecret {
            secret_arn: format!("arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}"),
            json_key: None,
            source: None,
        }
    }

    #[tokio::test]
    async fn reads_are_bounded_by_parallelism() {
        let pairs: Vec<(String, String)> = (0..40).map(|i| (format!("id-{i}"), format!("gw-{i:02}"))).collect();
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let fake = Fake::new(&refs);
        let names: Vec<&str> = refs.iter().map(|(_, n)| *n).collect();
        let observed = observe(&fake, &names, 3).await.expect("observe");
        assert_eq!(observed.managed.len(), 40);
        assert_eq!(observed.managed["gw-07"].tags["arn"], "arn:id-7");
        assert_eq!(fake.peak.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn every_part_of_every_gateway_waits_in_one_bounded_queue() {
        let pairs: Vec<(String, String)> = (0..12).map(|i| (format!("id-{i}"), format!("gw-{i:02}"))).collect();
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let fake = Fake::new(&refs);
        let names: Vec<&str> = refs.iter().map(|(_, n)| *n).collect();
        // Every other gateway declares every part; the rest declare only rules.
        let wanted: Vec<(&str, Vec<Part>)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (*n, if i % 2 == 0 { Part::ALL.to_vec() } else { vec![Part::Rules] }))
            .collect();
        let observed = observe_with(&fake, &wanted, 5).await.expect("observe");
        assert_eq!(fake.peak.load(Ordering::SeqCst), 5, "one bound across gateways and part kinds");
        let all = &observed.managed["gw-00"];
        assert_eq!((all.targets.as_deref(), all.rules.as_deref()), (Some(&[][..]), Some(&[][..])));
        assert_eq!((all.rate_limits.as_deref(), all.resource_policy.as_ref()), (Some(&[][..]), Some(&None)));
        let rules_only = &observed.managed["gw-01"];
        assert!(rules_only.rules.is_some());
        assert_eq!(
            (rules_only.targets.as_ref(), rules_only.rate_limits.as_ref(), rules_only.resource_policy.as_ref()),
            (None, None, None)
        );
    }

    #[tokio::test]
    async fn a_part_that_cannot_be_read_fails_its_gateway_alone() {
        let fake = Fake::new(&[("limitless", "a"), ("ok-1", "b")]);
        let mut observed = observe(&fake, &["a", "b"], 2).await.expect("observe");
        let wanted = [("a", Part::ALL.to_vec()), ("b", Part::ALL.to_vec())];
        observe_parts(&fake, &mut observed, &wanted, 2).await;
        assert_eq!(observed.managed.keys().collect::<Vec<_>>(), ["b"]);
        assert_eq!(
            observed.failed["a"].to_string(),
            "ListGatewayRateLimits for gateway a (limitless) failed: access denied: no rate limits for you"
        );
        assert!(observed.managed["b"].rate_limits.is_some());
    }

    #[tokio::test]
    async fn a_gateway_deleted_after_the_list_is_absent() {
        let mut fake = Fake::new(&[("a-1", "a"), ("b-1", "b")]);
        fake.vanished.push("b-1");
        let observed = observe(&fake, &["a", "b"], 2).await.expect("observe");
        assert_eq!(observed.managed.keys().collect::<Vec<_>>(), ["a"]);
    }

    #[tokio::test]
    async fn a_gateway_that_cannot_be_read_fails_alone_and_names_the_call() {
        let fake = Fake::new(&[("broken", "tagless"), ("ok-1", "healthy")]);
        let observed = observe(&fake, &["tagless", "healthy"], 2).await.expect("observe");
        assert_eq!(observed.managed.keys().collect::<Vec<_>>(), ["healthy"]);
        let err = &observed.failed["tagless"];
        assert_eq!(
            err.to_string(),
            "ListTagsForResource for gateway tagless (arn:broken) failed: access denied: no tags for you"
        );
        assert_eq!(err.gateway_id(), Some("broken"));
    }

    #[tokio::test]
    async fn duplicates_fail_only_their_name_and_are_reported_with_every_id() {
        let fake = Fake::new(&[("x-2", "x"), ("x-1", "x"), ("x-3", "x"), ("y-1", "y")]);
        let observed = observe(&fake, &["x", "y"], 2).await.expect("observe");
        assert_eq!(
            observed.failed["x"].to_string(),
            "3 live gateways are named x: x-1, x-2, x-3; a spec cannot tell which one it means \
             (delete the extra ones, or rename the spec)"
        );
        assert_eq!(observed.managed.keys().collect::<Vec<_>>(), ["y"]);
        // Not managed: only listed.
        let observed = observe(&fake, &["y"], 2).await.expect("observe");
        assert_eq!(observed.unmanaged.iter().map(|s| s.gateway_id.as_str()).collect::<Vec<_>>(), ["x-1", "x-2", "x-3"]);
    }

    #[tokio::test]
    async fn gateways_no_spec_names_cost_no_call() {
        let fake = Counting::new(Fake::new(&[("a-1", "a"), ("b-1", "b"), ("c-1", "c")]));
        let observed = observe(&fake, &["b"], 2).await.expect("observe");
        assert_eq!(observed.unmanaged.len(), 2);
        assert_eq!(*fake.gets.lock().unwrap(), ["b-1"]);
        assert_eq!(fake.tags.load(Ordering::SeqCst), 1);
    }

    /// Counts the per-gateway calls a [`Fake`] receives.
    struct Counting {
        inner: Fake,
        gets: std::sync::Mutex<Vec<String>>,
        tags: AtomicUsize,
    }

    impl Counting {
        fn new(inner: Fake) -> Self {
            Counting { inner, gets: std::sync::Mutex::new(Vec::new()), tags: AtomicUsize::new(0) }
        }
    }

    impl ReadApi for Counting {
        async fn list_gateways(&self) -> Result<Vec<GatewaySummary>, ApiError> {
            self.inner.list_gateways().await
        }
        async fn get_gateway(&self, gateway_id: &str) -> Result<LiveGateway, ApiError> {
            self.gets.lock().unwrap().push(gateway_id.to_string());
            self.inner.get_gateway(gateway_id).await
        }
        async fn list_tags(&self, arn: &str) -> Result<TagMap, ApiError> {
            self.tags.fetch_add(1, Ordering::SeqCst);
            self.inner.list_tags(arn).await
        }
        async fn list_targets(&self, gateway_id: &str) -> Result<Vec<TargetSummary>, ApiError> {
            self.inner.list_targets(gateway_id).await
        }
        async fn get_target(&self, gateway_id: &str, target_id: &str) -> Result<LiveTarget, ApiError> {
            self.inner.get_target(gateway_id, target_id).await
        }
        async fn get_resource_policy(
            &self,
            arn: &str,
        ) -> Result<Option<crate::model::policy::ResourcePolicy>, ApiError> {
            self.inner.get_resource_policy(arn).await
        }
        async fn list_rate_limits(&self, gateway_id: &str) -> Result<Vec<LiveRateLimit>, ApiError> {
            self.inner.list_rate_limits(gateway_id).await
        }
        async fn get_rate_limit(&self, gateway_id: &str, id: &str) -> Result<LiveRateLimit, ApiError> {
            self.inner.get_rate_limit(gateway_id, id).await
        }
        async fn list_rules(&self, gateway_id: &str) -> Result<Vec<LiveRule>, ApiError> {
            self.inner.list_rules(gateway_id).await
        }
        async fn get_rule(&self, gateway_id: &str, id: &str) -> Result<LiveRule, ApiError> {
            self.inner.get_rule(gateway_id, id).await
        }
        async fn list_oauth2_providers(
            &self,
        ) -> Result<Vec<crate::model::credential_provider::ProviderSummary>, ApiError> {
            self.inner.list_oauth2_providers().await
        }
        async fn list_api_key_providers(
            &self,
        ) -> Result<Vec<crate::model::credential_provider::ProviderSummary>, ApiError> {
            self.inner.list_api_key_providers().await
        }
        async fn get_oauth2_provider(
            &self,
            name: &str,
        ) -> Result<crate::model::credential_provider::LiveOauth2Provider, ApiError> {
            self.inner.get_oauth2_provider(name).await
        }
        async fn get_api_key_provider(
            &self,
            name: &str,
        ) -> Result<crate::model::credential_provider::LiveApiKeyProvider, ApiError> {
            self.inner.get_api_key_provider(name).await
        }
    }
}

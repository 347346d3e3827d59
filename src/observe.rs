//! Observe: read the live gateways through [`ReadApi`] (list every page, then get and tags
//! for each managed gateway, concurrently).

use std::collections::{BTreeMap, BTreeSet};

use futures_util::stream::{self, StreamExt, TryStreamExt};

use crate::api::{ApiError, GatewaySummary, LiveGateway, ReadApi, TagMap};

/// One live gateway that a spec names: its configuration and its tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveState {
    pub live: LiveGateway,
    /// All tags as the API returned them, `aws:` keys included (normalization drops those).
    pub tags: TagMap,
}

/// What observe found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// Live gateways named in the specs, by name.
    pub managed: BTreeMap<String, LiveState>,
    /// Live gateways named in no spec, sorted by name; never touched.
    pub unmanaged: Vec<GatewaySummary>,
}

/// Why observing failed: the call, the gateway, and the API's answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObserveError {
    /// ListGateways failed.
    #[error("ListGateways failed: {error}")]
    List { error: ApiError },
    /// GetGateway failed for one gateway.
    #[error("GetGateway for gateway {name} ({gateway_id}) failed: {error}")]
    Get { name: String, gateway_id: String, error: ApiError },
    /// ListTagsForResource failed for one gateway.
    #[error("ListTagsForResource for gateway {name} ({gateway_arn}) failed: {error}")]
    Tags { name: String, gateway_arn: String, error: ApiError },
    /// More than one live gateway has a name that a spec manages: acgw never guesses.
    #[error(
        "{} live gateways are named {name}: {}; a spec cannot tell which one it means \
         (delete the extra ones, or rename the spec)",
        gateway_ids.len(),
        gateway_ids.join(", ")
    )]
    DuplicateName { name: String, gateway_ids: Vec<String> },
}

/// Observes the gateways that the specs name: ListGateways (every page), then GetGateway and
/// ListTagsForResource for each one that exists, at most `parallelism` gateways at a time.
///
/// Live gateways named in no spec are returned as unmanaged. A gateway deleted between the list
/// and the get counts as absent.
pub async fn observe<N: AsRef<str>>(
    api: &impl ReadApi,
    managed_names: &[N],
    parallelism: usize,
) -> Result<Observed, ObserveError> {
    let wanted: BTreeSet<&str> = managed_names.iter().map(AsRef::as_ref).collect();
    let summaries = api.list_gateways().await.map_err(|error| ObserveError::List { error })?;
    let (managed, mut unmanaged): (Vec<_>, Vec<_>) =
        summaries.into_iter().partition(|s| wanted.contains(s.name.as_str()));
    unmanaged.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.gateway_id.cmp(&b.gateway_id)));
    check_unique(&managed)?;
    let managed = read_all(api, managed, parallelism).await?;
    Ok(Observed { managed, unmanaged })
}

/// Observes every live gateway as managed (for `export`); two live gateways with one name is an error.
pub async fn observe_all(api: &impl ReadApi, parallelism: usize) -> Result<Observed, ObserveError> {
    let summaries = api.list_gateways().await.map_err(|error| ObserveError::List { error })?;
    check_unique(&summaries)?;
    let managed = read_all(api, summaries, parallelism).await?;
    Ok(Observed { managed, unmanaged: Vec::new() })
}

/// Re-reads the given gateways by ID (for a saved plan): `None` for one that no longer exists.
/// No ListGateways call is made.
pub async fn reread<N: AsRef<str>>(
    api: &impl ReadApi,
    gateway_ids: &[N],
    parallelism: usize,
) -> Result<BTreeMap<String, Option<LiveState>>, ObserveError> {
    let ids: BTreeSet<&str> = gateway_ids.iter().map(AsRef::as_ref).collect();
    stream::iter(ids)
        .map(|id| async move {
            let state = read_one(api, id, id).await?;
            Ok::<_, ObserveError>((id.to_string(), state))
        })
        .buffer_unordered(parallelism.max(1))
        .try_collect()
        .await
}

fn check_unique(summaries: &[GatewaySummary]) -> Result<(), ObserveError> {
    let mut by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for s in summaries {
        by_name.entry(s.name.as_str()).or_default().push(s.gateway_id.as_str());
    }
    match by_name.into_iter().find(|(_, ids)| ids.len() > 1) {
        Some((name, mut ids)) => {
            ids.sort_unstable();
            Err(ObserveError::DuplicateName {
                name: name.to_string(),
                gateway_ids: ids.into_iter().map(str::to_string).collect(),
            })
        }
        None => Ok(()),
    }
}

async fn read_all(
    api: &impl ReadApi,
    summaries: Vec<GatewaySummary>,
    parallelism: usize,
) -> Result<BTreeMap<String, LiveState>, ObserveError> {
    let states: Vec<(String, Option<LiveState>)> = stream::iter(summaries)
        .map(|s| async move { Ok::<_, ObserveError>((s.name.clone(), read_one(api, &s.name, &s.gateway_id).await?)) })
        .buffer_unordered(parallelism.max(1))
        .try_collect()
        .await?;
    Ok(states.into_iter().filter_map(|(name, st)| st.map(|st| (name, st))).collect())
}

/// GetGateway, then ListTagsForResource with the ARN it returned. `None` when the gateway is gone.
async fn read_one(api: &impl ReadApi, name: &str, gateway_id: &str) -> Result<Option<LiveState>, ObserveError> {
    let live = match api.get_gateway(gateway_id).await {
        Ok(live) => live,
        Err(ApiError::NotFound(_)) => return Ok(None),
        Err(error) => {
            return Err(ObserveError::Get { name: name.to_string(), gateway_id: gateway_id.to_string(), error })
        }
    };
    let tags = match api.list_tags(&live.gateway_arn).await {
        Ok(tags) => tags,
        Err(ApiError::NotFound(_)) => return Ok(None),
        Err(error) => {
            return Err(ObserveError::Tags { name: name.to_string(), gateway_arn: live.gateway_arn.clone(), error })
        }
    };
    Ok(Some(LiveState { live, tags }))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::api::GatewayStatus;
    use crate::model::{AuthorizerType, Gateway};

    /// A fake API that records how many calls are in flight at once.
    struct Fake {
        summaries: Vec<GatewaySummary>,
        /// IDs whose GetGateway answers NotFound (deleted after the list).
        vanished: Vec<&'static str>,
        in_flight: AtomicUsize,
        peak: AtomicUsize,
    }

    impl Fake {
        fn new(names: &[(&str, &str)]) -> Self {
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
            }
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
                config,
            }))
            .await
        }

        async fn list_tags(&self, arn: &str) -> Result<TagMap, ApiError> {
            if arn == "arn:broken" {
                return Err(ApiError::AccessDenied("no tags for you".into()));
            }
            self.slow(Ok([("arn".to_string(), arn.to_string())].into())).await
        }

        async fn count_targets(&self, _gateway_id: &str) -> Result<usize, ApiError> {
            Ok(0)
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
    async fn a_gateway_deleted_after_the_list_is_absent() {
        let mut fake = Fake::new(&[("a-1", "a"), ("b-1", "b")]);
        fake.vanished.push("b-1");
        let observed = observe(&fake, &["a", "b"], 2).await.expect("observe");
        assert_eq!(observed.managed.keys().collect::<Vec<_>>(), ["a"]);
    }

    #[tokio::test]
    async fn errors_name_the_call_and_the_gateway() {
        let fake = Fake::new(&[("broken", "tagless")]);
        let err = observe(&fake, &["tagless"], 2).await.expect_err("tags fail");
        assert_eq!(
            err.to_string(),
            "ListTagsForResource for gateway tagless (arn:broken) failed: access denied: no tags for you"
        );
    }

    #[tokio::test]
    async fn duplicates_are_reported_with_every_id() {
        let fake = Fake::new(&[("x-2", "x"), ("x-1", "x"), ("x-3", "x"), ("y-1", "y")]);
        let err = observe(&fake, &["x"], 2).await.expect_err("duplicate");
        assert_eq!(
            err.to_string(),
            "3 live gateways are named x: x-1, x-2, x-3; a spec cannot tell which one it means \
             (delete the extra ones, or rename the spec)"
        );
        // Not managed: only listed.
        let observed = observe(&fake, &["y"], 2).await.expect("observe");
        assert_eq!(observed.unmanaged.iter().map(|s| s.gateway_id.as_str()).collect::<Vec<_>>(), ["x-1", "x-2", "x-3"]);
    }
}

//! Applying credential providers: creates and updates before any gateway (a target may name a
//! provider created in the same run), deletions after every gateway (a target that named the
//! provider may be re-pointed or deleted first), and each deletion only when a fresh read of
//! every live target shows that none names the provider.
//!
//! The provider APIs take no client token: a create whose answer was lost meets a Conflict when
//! sent again, and is then converged by a full update and the desired tags, so a re-run is safe;
//! a provider found that way with another owner's tag is theirs, made since the plan, and is
//! left alone (the outcome fails).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};

use super::{interrupt, ApplyError, Options, Progress};
use crate::api::{ApiError, WriteApi};
use crate::diff;
use crate::kind::credential_provider::calls;
use crate::model::credential_provider::{CredentialProviderSpec, ProviderKind};
use crate::model::live::TagMap;
use crate::model::OWNER_TAG;
use crate::observed::Holder;
use crate::plan::{Action, Plan, PlanFileError};

/// What to do for one credential provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderWork {
    /// The Create call, with every desired tag (acgw's own included).
    Create { spec: CredentialProviderSpec },
    /// The full Update call (when `config`), then the tag calls.
    Update { spec: CredentialProviderSpec, arn: String, config: bool, tags_set: TagMap, tags_remove: Vec<String> },
    /// The Delete call, once no live target names `arn`.
    Delete { kind: ProviderKind, arn: String },
}

impl ProviderWork {
    /// The action's name as plans and reports show it.
    pub fn action(&self) -> &'static str {
        match self {
            ProviderWork::Create { .. } => "create",
            ProviderWork::Update { .. } => "update",
            ProviderWork::Delete { .. } => "delete",
        }
    }

    fn kind(&self) -> ProviderKind {
        match self {
            ProviderWork::Create { spec } | ProviderWork::Update { spec, .. } => spec.kind(),
            ProviderWork::Delete { kind, .. } => *kind,
        }
    }
}

/// Work on credential providers, by name.
pub type ProviderWorks = Vec<(String, ProviderWork)>;

/// Why a plan's providers cannot be applied; nothing is applied then.
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    // Not a `source`: the message already holds it, and a chain would print it twice.
    #[error("credential provider {name}: {error}")]
    Invalid { name: String, error: PlanFileError },
    #[error("credential provider {name} sends its secret from the environment, but {why}; nothing was applied")]
    Secret { name: String, why: String },
    #[error("the plan for credential provider {name} says {action} but its observed and desired parts do not fit it")]
    Inconsistent { name: String, action: &'static str },
}

/// The work for every credential provider `plan` changes: (writes, before the gateways;
/// deletions, after them). A secret passed by value is read from `env` again here (a saved plan
/// holds only the `${VAR}`): when it is not set, nothing is to be applied.
pub fn work_of(plan: &Plan, env: &dyn Fn(&str) -> Option<String>) -> Result<(ProviderWorks, ProviderWorks), WorkError> {
    let (mut writes, mut deletes) = (Vec::new(), Vec::new());
    let Some(providers) = &plan.credential_providers else { return Ok((writes, deletes)) };
    for p in providers.providers.iter().filter(|p| p.is_change()) {
        let spec = p.desired_spec().map_err(|error| WorkError::Invalid { name: p.name.clone(), error })?;
        let spec = match spec {
            Some(spec) if p.sends_secret.is_some() => {
                Some(spec.reread_secret(env).map_err(|why| WorkError::Secret { name: p.name.clone(), why })?)
            }
            other => other,
        };
        let item = match (p.action, &p.observed, spec) {
            (Action::Create, None, Some(spec)) => ProviderWork::Create { spec },
            (Action::Update, Some(seen), Some(spec)) => ProviderWork::Update {
                spec,
                arn: seen.arn.clone(),
                config: p.update_provider,
                tags_set: diff::tags_to_set(&p.tag_changes),
                tags_remove: diff::tags_to_remove(&p.tag_changes),
            },
            (Action::Delete, Some(seen), None) => {
                deletes.push((p.name.clone(), ProviderWork::Delete { kind: p.kind, arn: seen.arn.clone() }));
                continue;
            }
            (action, _, _) => return Err(WorkError::Inconsistent { name: p.name.clone(), action: action.as_str() }),
        };
        writes.push((p.name.clone(), item));
    }
    Ok((writes, deletes))
}

/// Resolves every target's `providerArn: { credentialProvider: NAME }` in `plan` to the
/// provider's ARN: the one the plan observed, or the one `written` just created. A name left
/// unresolved (its provider failed) fails that target alone, before its call is sent.
pub fn resolve_references(plan: &mut Plan, written: &[ProviderOutcome]) {
    let mut arns: BTreeMap<String, String> = BTreeMap::new();
    for p in plan.credential_providers.iter().flat_map(|p| &p.providers) {
        if let Some(seen) = &p.observed {
            arns.insert(p.name.clone(), seen.arn.clone());
        }
    }
    for w in written {
        if let (Some(arn), "create" | "update") = (&w.arn, w.action) {
            arns.insert(w.name.clone(), arn.clone());
        }
    }
    let arn_of = |name: &str| arns.get(name).cloned();
    for g in &mut plan.gateways {
        for item in g.targets.iter_mut().flatten() {
            if let Some(desired) = &item.desired {
                item.desired = Some(desired.resolve_provider_refs(&arn_of));
            }
        }
    }
}

/// The outcome for one credential provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderOutcome {
    pub name: String,
    /// `None` only for a provider that could not be planned and whose kind is unknown.
    pub kind: Option<ProviderKind>,
    pub action: &'static str,
    /// The provider's ARN, when known.
    pub arn: Option<String>,
    pub elapsed: Duration,
    /// Calls that took effect, in order.
    pub done: Vec<String>,
    pub error: Option<ApplyError>,
}

impl ProviderOutcome {
    /// True when it did all it was to do.
    pub fn succeeded(&self) -> bool {
        self.error.is_none()
    }

    /// The outcome of a provider the plan covered that was not applied, and why.
    pub fn not_applied(name: &str, kind: Option<ProviderKind>, action: &'static str, reason: String) -> Self {
        ProviderOutcome {
            name: name.to_string(),
            kind,
            action,
            arn: None,
            elapsed: Duration::ZERO,
            done: Vec::new(),
            error: Some(ApplyError::NotRead { reason }),
        }
    }
}

/// Carries out the work on providers (creates and updates; the deletions
/// [`delete_providers`] allows), concurrently within `opts.parallelism`; one failure does not
/// stop the others.
pub async fn write_providers<A: WriteApi>(
    api: &A,
    work: ProviderWorks,
    opts: &Options,
    progress: &dyn Progress,
) -> Vec<ProviderOutcome> {
    let api = interrupt::Guarded::new(api, &opts.interrupt);
    let mut out: Vec<ProviderOutcome> = stream::iter(work)
        .map(|(name, work)| {
            let api = &api;
            async move { write_one(api, name, work, opts, progress).await }
        })
        .buffer_unordered(opts.parallelism.max(1))
        .collect()
        .await;
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Deletes providers, each only when `holders` (a fresh read of every live target, or why it
/// could not be made) shows that no target names it; the others are not applied, and say why.
pub async fn delete_providers<A: WriteApi>(
    api: &A,
    work: ProviderWorks,
    holders: &Result<BTreeMap<String, Vec<Holder>>, String>,
    opts: &Options,
    progress: &dyn Progress,
) -> Vec<ProviderOutcome> {
    let mut refused = Vec::new();
    let mut allowed = Vec::new();
    for (name, work) in work {
        let refusal = match (&work, holders) {
            (ProviderWork::Delete { .. }, Err(why)) => Some(format!(
                "not deleted: the live targets could not all be read ({why}), so acgw cannot prove that none names it"
            )),
            (ProviderWork::Delete { arn, .. }, Ok(map)) => map.get(arn).filter(|h| !h.is_empty()).map(|h| {
                let list: Vec<String> = h.iter().map(Holder::to_string).collect();
                format!("not deleted: it is still named by {}", list.join(", "))
            }),
            _ => None,
        };
        match refusal {
            Some(reason) => refused.push(ProviderOutcome {
                arn: match &work {
                    ProviderWork::Delete { arn, .. } => Some(arn.clone()),
                    _ => None,
                },
                ..ProviderOutcome::not_applied(&name, Some(work.kind()), work.action(), reason)
            }),
            None => allowed.push((name, work)),
        }
    }
    let mut out = write_providers(api, allowed, opts, progress).await;
    out.extend(refused);
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

async fn write_one<A: WriteApi>(
    api: &A,
    name: String,
    work: ProviderWork,
    opts: &Options,
    progress: &dyn Progress,
) -> ProviderOutcome {
    let started = Instant::now();
    let kind = work.kind();
    let action = work.action();
    let mut outcome = ProviderOutcome {
        name: name.clone(),
        kind: Some(kind),
        action,
        arn: None,
        elapsed: Duration::ZERO,
        done: Vec::new(),
        error: None,
    };
    if opts.interrupt.is_set() {
        outcome.error = Some(ApplyError::Interrupted { call: None, in_flight: false });
        return outcome;
    }
    progress.event(&name, &format!("{action} credential provider"));
    let result = run(api, kind, work, &mut outcome).await;
    if let Err(e) = result {
        outcome.error = Some(e);
    }
    outcome.elapsed = started.elapsed();
    outcome
}

/// The error of `call`, or where a signal stopped it.
fn failed(call: &'static str, source: ApiError) -> ApplyError {
    match source {
        ApiError::Interrupted { sent } => ApplyError::Interrupted { call: Some(call.to_string()), in_flight: sent },
        source => ApplyError::Api { call, source },
    }
}

async fn run<A: WriteApi>(
    api: &A,
    kind: ProviderKind,
    work: ProviderWork,
    outcome: &mut ProviderOutcome,
) -> Result<(), ApplyError> {
    let [create_call, update_call, delete_call, _] = calls(kind);
    match work {
        ProviderWork::Create { spec } => {
            let created = match &spec {
                CredentialProviderSpec::Oauth2(p) => api.create_oauth2_provider(p, &TagMap::new()).await,
                CredentialProviderSpec::ApiKey(p) => api.create_api_key_provider(p, &TagMap::new()).await,
            };
            match created {
                Ok(written) => {
                    outcome.arn = Some(written.arn);
                    outcome.done.push(create_call.to_string());
                    Ok(())
                }
                // It exists: a create sent before whose answer was lost, or one made since the
                // plan. Converge it (the full configuration, then the desired tags), unless it
                // is another owner's: a create of ours carried our owner tag, so a provider with
                // another is theirs, made since the plan, and is not taken over.
                Err(ApiError::Conflict(_)) => {
                    if let Some(owner) = other_owner(api, &spec).await? {
                        return Err(ApplyError::NotRead {
                            reason: format!(
                                "a credential provider named {} was created since the plan, owned by `{owner}`; \
                                 it was not changed (plan again, and apply with --take-ownership to take it over)",
                                outcome.name
                            ),
                        });
                    }
                    let written = update(api, &spec).await.map_err(|e| failed(update_call, e))?;
                    outcome.done.push(update_call.to_string());
                    let tags = spec_tags(&spec);
                    if !tags.is_empty() {
                        api.tag_resource(&written.arn, &tags).await.map_err(|e| failed("TagResource", e))?;
                        outcome.done.push("TagResource".to_string());
                    }
                    outcome.arn = Some(written.arn);
                    Ok(())
                }
                Err(e) => Err(failed(create_call, e)),
            }
        }
        ProviderWork::Update { spec, arn, config, tags_set, tags_remove } => {
            outcome.arn = Some(arn.clone());
            if config {
                update(api, &spec).await.map_err(|e| failed(update_call, e))?;
                outcome.done.push(update_call.to_string());
            }
            if !tags_set.is_empty() {
                api.tag_resource(&arn, &tags_set).await.map_err(|e| failed("TagResource", e))?;
                outcome.done.push("TagResource".to_string());
            }
            if !tags_remove.is_empty() {
                api.untag_resource(&arn, &tags_remove).await.map_err(|e| failed("UntagResource", e))?;
                outcome.done.push("UntagResource".to_string());
            }
            Ok(())
        }
        ProviderWork::Delete { kind, arn } => {
            outcome.arn = Some(arn);
            let deleted = match kind {
                ProviderKind::Oauth2 => api.delete_oauth2_provider(&outcome.name).await,
                ProviderKind::ApiKey => api.delete_api_key_provider(&outcome.name).await,
            };
            match deleted {
                Ok(()) => {
                    outcome.done.push(delete_call.to_string());
                    Ok(())
                }
                // Already gone: what the deletion wanted.
                Err(ApiError::NotFound(_)) => Ok(()),
                Err(e) => Err(failed(delete_call, e)),
            }
        }
    }
}

/// The owner of the live provider `spec` names when it is not the spec's own (`None` when they
/// match, or when the spec has no owner to compare with, or the provider has no owner tag).
async fn other_owner<A: WriteApi>(api: &A, spec: &CredentialProviderSpec) -> Result<Option<String>, ApplyError> {
    let tags = spec_tags(spec);
    let Some(ours) = tags.get(OWNER_TAG) else { return Ok(None) };
    let name = spec.name().as_str();
    let get_call = calls(spec.kind())[3];
    let live = crate::api::get_provider(api, spec.kind(), name).await.map_err(|e| failed(get_call, e))?;
    let live = api.list_tags(live.arn()).await.map_err(|e| failed("ListTagsForResource", e))?;
    Ok(live.get(OWNER_TAG).filter(|theirs| *theirs != ours).cloned())
}

async fn update<A: WriteApi>(
    api: &A,
    spec: &CredentialProviderSpec,
) -> Result<crate::api::providers::ProviderWritten, ApiError> {
    match spec {
        CredentialProviderSpec::Oauth2(p) => api.update_oauth2_provider(p).await,
        CredentialProviderSpec::ApiKey(p) => api.update_api_key_provider(p).await,
    }
}

fn spec_tags(spec: &CredentialProviderSpec) -> TagMap {
    spec.tags()
        .map(|t| t.as_map().iter().map(|(k, v)| (k.as_str().to_string(), v.as_str().to_string())).collect())
        .unwrap_or_default()
}

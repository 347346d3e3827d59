//! Apply: turn planned work into API calls that can be interrupted and re-run at any point.
//!
//! Creates carry a deterministic client token (`token`), every change is followed by a wait
//! for READY, and each gateway's outcome records exactly which calls were made, so a partial
//! apply says what was done and what was not.

mod interrupt;
mod items;
mod parts;
pub mod providers;
pub mod report;
#[cfg(test)]
mod tests;
mod work;

pub use interrupt::Interrupt;
pub use parts::{PartWork, PartsWork};
pub use work::ItemWork;

use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};

pub use crate::kind::token::{client_token, item_token, target_token};

use crate::api::{ApiError, ReadApi, WriteApi};
use crate::kind::{Part, RateLimitKind, RuleKind, TargetKind};
use crate::model::live::{GatewayStatus, LiveGateway, TagMap};
use crate::model::Gateway;

/// Where gateways are created: part of every client token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub region: String,
    pub endpoint: String,
}

/// What to do for one gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// CreateGateway (with tags), wait, then UpdateGateway if update-only members are set, then
    /// the targets.
    Create { desired: Gateway, parts: PartsWork },
    /// UpdateGateway with the full configuration (if `config` changed), then tag calls.
    Update {
        gateway_id: String,
        gateway_arn: String,
        desired: Gateway,
        config: bool,
        tags_set: TagMap,
        tags_remove: Vec<String>,
        parts: PartsWork,
    },
    /// Delete, wait until gone, create: only with `allow_replace`, only without undeclared
    /// targets, and never when `protected` (by its spec or its tag); then the parts.
    Replace {
        gateway_id: String,
        desired: Gateway,
        forced_by: String,
        protected: Option<crate::plan::Protection>,
        /// A part the spec does not declare is `None`: then live items of it refuse the
        /// replacement (user rules, rate limits, targets).
        parts: PartsWork,
    },
    /// Delete the targets, wait until they are gone, delete the gateway, wait until it is gone.
    Delete { gateway_id: String },
}

/// What to do with a gateway's resource policy, after its targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyWork {
    /// PutResourcePolicy.
    Put(crate::model::policy::ResourcePolicy),
    /// DeleteResourcePolicy.
    Delete,
}

impl Work {
    /// The action's name as plans and reports show it.
    pub fn action(&self) -> &'static str {
        match self {
            Work::Create { .. } => "create",
            Work::Update { .. } => "update",
            Work::Replace { .. } => "replace",
            Work::Delete { .. } => "delete",
        }
    }
}

/// How apply behaves.
#[derive(Debug, Clone)]
pub struct Options {
    pub target: Target,
    pub parallelism: usize,
    pub wait_timeout: Duration,
    /// False for `--no-wait`: return once each gateway's last call was accepted, reporting the
    /// status last seen, as `kubectl apply` does. Waits that a later call needs (READY before the
    /// update that sets update-only members, before a delete, after a Conflict) still happen.
    pub wait: bool,
    pub allow_replace: bool,
    /// Delay between polls: steady for the first 8 polls, then doubling up to `poll_max`.
    pub poll_initial: Duration,
    pub poll_max: Duration,
    /// Stops the apply part-way (SIGINT/SIGTERM): no new calls, waits cut short.
    pub interrupt: Interrupt,
}

impl Options {
    /// Defaults for a target: parallelism 10, 10 minutes to READY, polls 0.25 s apart for the first 2 s, then doubling to 10 s.
    pub fn new(target: Target) -> Self {
        Options {
            target,
            parallelism: 10,
            wait_timeout: Duration::from_secs(600),
            wait: true,
            allow_replace: false,
            poll_initial: Duration::from_millis(250),
            poll_max: Duration::from_secs(10),
            interrupt: Interrupt::default(),
        }
    }
}

/// Why a gateway's apply stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    #[error("{call} failed: {source}")]
    Api { call: &'static str, source: ApiError },
    #[error("gateway {gateway_id} is {status}{}", reasons_suffix(.reasons))]
    Failed { gateway_id: String, status: GatewayStatus, reasons: Vec<String> },
    #[error("gave up after {waited:?} waiting for gateway {gateway_id}: it is still {status}")]
    Timeout { gateway_id: String, status: GatewayStatus, waited: Duration },
    #[error("gateway {gateway_id} disappeared while waiting for it")]
    Vanished { gateway_id: String },
    #[error("changing `{field}` requires replacing the gateway (delete, then create); re-run with --allow-replace to do that")]
    ReplaceRefused { field: String },
    #[error("cannot replace gateway {gateway_id}: it has {count} target(s), and a gateway with targets cannot be deleted; delete them first")]
    HasTargets { gateway_id: String, count: usize },
    /// Items (rules, rate limits) the spec does not declare, which acgw may not delete.
    #[error("cannot replace gateway {gateway_id}: it has {count} {noun}(s) its spec does not declare (`{spec_key}:` absent); declare them, or delete them first")]
    Undeclared { gateway_id: String, count: usize, noun: &'static str, spec_key: &'static str },
    /// `lifecycle.preventDestroy` protects the gateway from replacement.
    #[error("not replaced: {0}")]
    Protected(String),
    /// An item's call failed (`noun` is its kind's: `target`, `rule`, `rate limit`).
    #[error("{noun} {label}: {source}")]
    Item { noun: &'static str, label: String, source: Box<ApplyError> },
    /// An item settled in a failure status.
    #[error("{noun} {id} is {status}{}", reasons_suffix(.reasons))]
    ItemFailed { noun: &'static str, id: String, status: String, reasons: Vec<String> },
    /// An item did not settle in time.
    #[error("gave up after {waited:?} waiting for {noun} {id}: it is still {status}")]
    ItemTimeout { noun: &'static str, id: String, status: String, waited: Duration },
    /// The gateway could not be read (or represented) when planning, so nothing was sent for it.
    #[error("not applied: {reason}")]
    NotRead { reason: String },
    /// A signal stopped the apply: at `call` (which was not sent, or was sent and left
    /// unanswered when `in_flight`), or before the gateway's first call when `call` is `None`.
    #[error("{}", interrupted_message(.call.as_deref(), *.in_flight))]
    Interrupted { call: Option<String>, in_flight: bool },
}

fn interrupted_message(call: Option<&str>, in_flight: bool) -> String {
    match (call, in_flight) {
        (None, _) => "interrupted before its first call: nothing was sent for it".to_string(),
        (Some(call), false) => format!("interrupted: {call} and the calls after it were not sent"),
        (Some(call), true) => format!(
            "interrupted: {call} was sent but not answered within the grace period, so it may or may not have \
             taken effect; the calls after it were not sent"
        ),
    }
}

fn reasons_suffix(reasons: &[String]) -> String {
    if reasons.is_empty() {
        String::new()
    } else {
        format!(": {}", reasons.join("; "))
    }
}

/// The outcome for one gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayOutcome {
    pub name: String,
    pub action: &'static str,
    pub gateway_id: Option<String>,
    pub elapsed: Duration,
    /// Calls that took effect, in order (e.g. `CreateGateway`, `UpdateGateway`, `TagResource`).
    pub done: Vec<String>,
    /// The status the gateway had when last seen (READY after a wait; with `--no-wait`, what the
    /// last call answered); `None` when no call reported one (tags only, nothing done).
    pub status: Option<GatewayStatus>,
    /// Targets left pending OAuth authorization, with where to authorize each.
    pub pending_auth: Vec<(String, String)>,
    pub error: Option<ApplyError>,
}

impl GatewayOutcome {
    /// The outcome of deleting a gateway that was already gone: nothing to do.
    pub fn already_gone(name: &str) -> Self {
        GatewayOutcome {
            name: name.to_string(),
            action: "delete",
            gateway_id: None,
            elapsed: Duration::ZERO,
            done: Vec::new(),
            status: None,
            pending_auth: Vec::new(),
            error: None,
        }
    }

    /// The outcome of a gateway that was not applied because it could not be read.
    pub fn not_read(name: &str, gateway_id: Option<String>, reason: String) -> Self {
        GatewayOutcome {
            name: name.to_string(),
            action: "none",
            gateway_id,
            elapsed: Duration::ZERO,
            done: Vec::new(),
            status: None,
            pending_auth: Vec::new(),
            error: Some(ApplyError::NotRead { reason }),
        }
    }

    /// True when everything planned for this gateway was done.
    pub fn succeeded(&self) -> bool {
        self.error.is_none()
    }
}

/// The outcome of a whole apply, sorted by gateway name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The credential providers written (before the gateways) and deleted (after them).
    pub providers: Vec<providers::ProviderOutcome>,
    pub gateways: Vec<GatewayOutcome>,
    /// True when a signal stopped the apply (see [`Options::interrupt`]).
    pub interrupted: bool,
}

impl Report {
    /// True when every gateway succeeded.
    pub fn succeeded(&self) -> bool {
        self.gateways.iter().all(GatewayOutcome::succeeded) && self.providers.iter().all(|p| p.succeeded())
    }
}

/// Receives progress events (gateway name, what is happening); must be cheap.
pub trait Progress: Sync {
    /// One step of one gateway.
    fn event(&self, name: &str, message: &str);
}

/// Progress that goes nowhere.
pub struct Silent;

impl Progress for Silent {
    fn event(&self, _: &str, _: &str) {}
}

/// Applies all `work` concurrently (bounded by `parallelism`); one failure does not stop others.
/// Once `opts.interrupt` is triggered nothing more is sent, and the report says where each
/// gateway stopped.
pub async fn apply<A: WriteApi>(api: &A, work: Vec<(String, Work)>, opts: &Options, progress: &dyn Progress) -> Report {
    let api = interrupt::Guarded::new(api, &opts.interrupt);
    let mut gateways: Vec<GatewayOutcome> = stream::iter(work)
        .map(|(name, work)| apply_one(&api, name, work, opts, progress))
        .buffer_unordered(opts.parallelism.max(1))
        .collect()
        .await;
    gateways.sort_by(|a, b| a.name.cmp(&b.name));
    Report { providers: Vec::new(), gateways, interrupted: opts.interrupt.is_set() }
}

/// Records what one gateway's apply did.
struct Run<'a> {
    name: String,
    opts: &'a Options,
    progress: &'a dyn Progress,
    gateway_id: Option<String>,
    done: Vec<String>,
    status: Option<GatewayStatus>,
    pending_auth: Vec<(String, String)>,
    gateway_arn: Option<String>,
}

impl Run<'_> {
    fn say(&self, message: &str) {
        self.progress.event(&self.name, message);
    }

    fn did(&mut self, call: &str) {
        self.done.push(call.to_string());
    }
}

async fn apply_one<A: WriteApi>(
    api: &A,
    name: String,
    work: Work,
    opts: &Options,
    progress: &dyn Progress,
) -> GatewayOutcome {
    let started = Instant::now();
    let action = work.action();
    let mut run = Run {
        name,
        opts,
        progress,
        gateway_id: None,
        done: Vec::new(),
        status: None,
        pending_auth: Vec::new(),
        gateway_arn: None,
    };
    let result = match work {
        // Gateways still queued when the signal came are not started at all.
        _ if opts.interrupt.is_set() => Err(ApplyError::Interrupted { call: None, in_flight: false }),
        Work::Create { desired, parts } => {
            let waits = !parts.is_idle();
            match create(api, &mut run, &desired, None, waits).await {
                Ok(()) => parts.apply(api, &mut run).await,
                Err(e) => Err(e),
            }
        }
        Work::Update { gateway_id, gateway_arn, desired, config, tags_set, tags_remove, parts } => {
            run.gateway_id = Some(gateway_id.clone());
            run.gateway_arn = Some(gateway_arn.clone());
            match update(api, &mut run, &gateway_id, &gateway_arn, &desired, config, &tags_set, &tags_remove).await {
                Ok(()) if !parts.is_idle() => {
                    // Target, rate-limit and policy calls need a settled gateway, even with --no-wait.
                    match wait_ready(api, &mut run, &gateway_id, true).await {
                        Ok(_) => parts.apply(api, &mut run).await,
                        Err(e) => Err(e),
                    }
                }
                other => other,
            }
        }
        Work::Replace { gateway_id, desired, forced_by, protected, parts } => {
            run.gateway_id = Some(gateway_id.clone());
            if let Some(protection) = protected {
                Err(ApplyError::Protected(crate::plan::protection_message(&run.name, &protection)))
            } else {
                let declares = Declares {
                    targets: parts.declares(Part::Targets),
                    rules: parts.declares(Part::Rules),
                    rate_limits: parts.declares(Part::RateLimits),
                };
                // The new gateway has no policy: it waits when a declared list or a policy to put
                // needs it READY.
                let policy = parts.resource_policy.as_ref().is_some_and(Option::is_some);
                let waits = declares.targets || declares.rules || declares.rate_limits || policy;
                let replaced = replace(api, &mut run, &gateway_id, &desired, forced_by, declares, waits).await;
                match replaced {
                    Ok(()) => parts.apply(api, &mut run).await,
                    Err(e) => Err(e),
                }
            }
        }
        Work::Delete { gateway_id } => {
            run.gateway_id = Some(gateway_id.clone());
            delete(api, &mut run, &gateway_id).await
        }
    };
    let result = result.map_err(interrupt::interrupted);
    match &result {
        Ok(()) => run.say("done"),
        Err(e) => run.say(&format!("failed: {e}")),
    }
    GatewayOutcome {
        name: run.name,
        action,
        gateway_id: run.gateway_id,
        elapsed: started.elapsed(),
        done: run.done,
        status: run.status,
        pending_auth: run.pending_auth,
        error: result.err(),
    }
}

/// How many times a create that may not have reached the service is re-sent (same token).
const TRANSPORT_RETRIES: usize = 3;

/// Which parts a replaced gateway's spec declares (an undeclared part must be empty).
struct Declares {
    targets: bool,
    rules: bool,
    rate_limits: bool,
}

/// SynchronizeGatewayTargets for one target, then waits until it is READY again: what `acgw
/// sync` does after an MCP server deploys new tools.
pub async fn synchronize<A: WriteApi>(
    api: &A,
    opts: &Options,
    gateway_id: &str,
    target_id: &str,
) -> Result<crate::model::live::LiveTarget, ApplyError> {
    let live = api
        .synchronize_target(gateway_id, target_id)
        .await
        .map_err(|source| ApplyError::Api { call: "SynchronizeGatewayTargets", source })?;
    items::wait_settled::<TargetKind, A>(api, opts, gateway_id, live, false).await
}

async fn create<A: WriteApi>(
    api: &A,
    run: &mut Run<'_>,
    desired: &Gateway,
    replaces: Option<&str>,
    must_wait: bool,
) -> Result<(), ApplyError> {
    let token = client_token(&run.opts.target.region, &run.opts.target.endpoint, desired, replaces);
    run.say("creating");
    let mut attempt = 0;
    let live = loop {
        match api.create_gateway(desired, &token).await {
            Ok(live) => break live,
            // The request may have been committed: the same token makes re-sending safe.
            Err(ApiError::Transport(_)) if attempt < TRANSPORT_RETRIES => attempt += 1,
            Err(source) => return Err(ApplyError::Api { call: "CreateGateway", source }),
        }
    };
    run.gateway_id = Some(live.gateway_id.clone());
    run.gateway_arn = Some(live.gateway_arn.clone());
    run.status = Some(live.status.clone());
    run.did("CreateGateway");
    let update_only = desired.waf_configuration.is_some() || desired.custom_transform_configuration.is_some();
    if !run.opts.wait && !update_only && !must_wait {
        return Ok(());
    }
    wait_ready(api, run, &live.gateway_id, true).await?;
    if update_only {
        // wafConfiguration and customTransformConfiguration exist only in UpdateGateway.
        run.say("setting update-only members");
        update_config(api, run, &live.gateway_id, desired).await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn update<A: WriteApi>(
    api: &A,
    run: &mut Run<'_>,
    gateway_id: &str,
    gateway_arn: &str,
    desired: &Gateway,
    config: bool,
    tags_set: &TagMap,
    tags_remove: &[String],
) -> Result<(), ApplyError> {
    if config {
        update_config(api, run, gateway_id, desired).await?;
    }
    if !tags_set.is_empty() {
        run.say("tagging");
        api.tag_resource(gateway_arn, tags_set)
            .await
            .map_err(|source| ApplyError::Api { call: "TagResource", source })?;
        run.did("TagResource");
    }
    if !tags_remove.is_empty() {
        run.say("untagging");
        api.untag_resource(gateway_arn, tags_remove)
            .await
            .map_err(|source| ApplyError::Api { call: "UntagResource", source })?;
        run.did("UntagResource");
    }
    Ok(())
}

/// UpdateGateway with the full desired configuration, waiting out CREATING/UPDATING first.
async fn update_config<A: WriteApi>(
    api: &A,
    run: &mut Run<'_>,
    gateway_id: &str,
    desired: &Gateway,
) -> Result<(), ApplyError> {
    let deadline = Instant::now() + run.opts.wait_timeout;
    let mut transport_retries = 0;
    loop {
        run.say("updating");
        match api.update_gateway(gateway_id, desired).await {
            Ok(live) => {
                run.status = Some(live.status);
                break;
            }
            // The gateway is busy (CREATING/UPDATING): wait for it, then send the update again.
            Err(ApiError::Conflict(_)) if Instant::now() < deadline => {
                wait_ready(api, run, gateway_id, false).await?;
            }
            // A full replace is idempotent: re-sending it after a lost response is safe.
            Err(ApiError::Transport(_)) if transport_retries < TRANSPORT_RETRIES => transport_retries += 1,
            Err(source) => return Err(ApplyError::Api { call: "UpdateGateway", source }),
        }
    }
    run.did("UpdateGateway");
    if run.opts.wait {
        wait_ready(api, run, gateway_id, true).await?;
    }
    Ok(())
}

async fn replace<A: WriteApi>(
    api: &A,
    run: &mut Run<'_>,
    gateway_id: &str,
    desired: &Gateway,
    forced_by: String,
    declares: Declares,
    must_wait: bool,
) -> Result<(), ApplyError> {
    if !run.opts.allow_replace {
        return Err(ApplyError::ReplaceRefused { field: forced_by });
    }
    if declares.targets {
        // The spec declares the targets: the old ones go with the old gateway, the declared
        // ones are created on the new one.
        delete_targets(api, run, gateway_id).await?;
    } else {
        let count = api
            .list_targets(gateway_id)
            .await
            .map_err(|source| ApplyError::Api { call: "ListGatewayTargets", source })?
            .len();
        if count > 0 {
            return Err(ApplyError::HasTargets { gateway_id: gateway_id.to_string(), count });
        }
    }
    if declares.rules {
        items::delete_all::<RuleKind, _>(api, run, gateway_id).await?;
    }
    if declares.rate_limits {
        items::delete_all::<RateLimitKind, _>(api, run, gateway_id).await?;
    }
    // A gateway still changing cannot be deleted cleanly; let it settle first.
    wait_ready(api, run, gateway_id, false).await?;
    run.say("deleting");
    match api.delete_gateway(gateway_id).await {
        Ok(_) | Err(ApiError::NotFound(_)) => {}
        // Something is left. Undeclared rules and rate limits are not acgw's to delete: say
        // which. (They are listed only now, so an API without them, like moto, never sees the
        // calls.)
        Err(ApiError::Conflict(message)) if !declares.rate_limits || !declares.rules => {
            if !declares.rules {
                items::refuse_undeclared::<RuleKind, _>(api, gateway_id).await?;
            }
            if !declares.rate_limits {
                items::refuse_undeclared::<RateLimitKind, _>(api, gateway_id).await?;
            }
            return Err(ApplyError::Api { call: "DeleteGateway", source: ApiError::Conflict(message) });
        }
        Err(source) => return Err(ApplyError::Api { call: "DeleteGateway", source }),
    }
    run.did("DeleteGateway");
    wait_gone(api, run, gateway_id).await?;
    run.gateway_id = None;
    create(api, run, desired, Some(gateway_id), must_wait).await
}

/// Deletes a gateway and its targets; a target or gateway already gone counts as done, so an
/// interrupted delete re-runs cleanly.
async fn delete<A: WriteApi>(api: &A, run: &mut Run<'_>, gateway_id: &str) -> Result<(), ApplyError> {
    // A gateway still changing cannot be deleted cleanly; let it settle first.
    match wait_ready(api, run, gateway_id, false).await {
        Err(ApplyError::Vanished { .. }) => {
            run.say("already gone");
            run.status = None;
            return Ok(());
        }
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    delete_targets(api, run, gateway_id).await?;
    // Rules and rate limits are deleted only when DeleteGateway says something is left: whether
    // they block it is undocumented, and an API without them (moto) must not fail the delete.
    run.say("deleting");
    let mut retries = 0;
    loop {
        match api.delete_gateway(gateway_id).await {
            Ok(status) => {
                run.status = Some(status);
                break;
            }
            Err(ApiError::NotFound(_)) => break,
            // A target appeared (or is still being deleted): delete again, then retry.
            Err(ApiError::Conflict(_)) if retries < TRANSPORT_RETRIES => {
                retries += 1;
                items::delete_all::<RuleKind, _>(api, run, gateway_id).await?;
                delete_targets(api, run, gateway_id).await?;
                items::delete_all::<RateLimitKind, _>(api, run, gateway_id).await?;
            }
            // Deleting is idempotent: re-sending it after a lost response is safe.
            Err(ApiError::Transport(_)) if retries < TRANSPORT_RETRIES => retries += 1,
            Err(source) => return Err(ApplyError::Api { call: "DeleteGateway", source }),
        }
    }
    run.did("DeleteGateway");
    if run.opts.wait {
        wait_gone(api, run, gateway_id).await?;
        run.status = None;
    }
    Ok(())
}

/// Deletes every target of a gateway and waits until ListGatewayTargets shows none.
async fn delete_targets<A: WriteApi>(api: &A, run: &mut Run<'_>, gateway_id: &str) -> Result<(), ApplyError> {
    let mut clock = WaitClock::start(run.opts);
    loop {
        let targets = match api.list_targets(gateway_id).await {
            Ok(targets) => targets,
            Err(ApiError::NotFound(_)) => return Ok(()),
            Err(ApiError::Throttling(_) | ApiError::Transport(_)) if !clock.expired() => {
                clock.retry().await;
                continue;
            }
            Err(source) => return Err(ApplyError::Api { call: "ListGatewayTargets", source }),
        };
        if targets.is_empty() {
            return Ok(());
        }
        for t in targets.iter().filter(|t| t.status != "DELETING") {
            run.say(&format!("deleting target {}", t.name));
            match api.delete_target(gateway_id, &t.target_id).await {
                Ok(()) | Err(ApiError::NotFound(_)) => run.did(&format!("DeleteGatewayTarget {}", t.name)),
                // It may or may not have been deleted: the next listing tells.
                Err(ApiError::Transport(_) | ApiError::Throttling(_)) => {}
                Err(source) => return Err(ApplyError::Api { call: "DeleteGatewayTarget", source }),
            }
        }
        if clock.expired() {
            return Err(ApplyError::Timeout {
                gateway_id: gateway_id.to_string(),
                status: GatewayStatus::Other(format!("{} target(s) still deleting", targets.len())),
                waited: clock.waited(),
            });
        }
        run.say("waiting for its targets to be deleted");
        clock.back_off().await;
    }
}

/// Polls GetGateway with backoff until READY. With `strict`, FAILED and UPDATE_UNSUCCESSFUL are
/// errors; without it (waiting before our own change) any settled status ends the wait.
async fn wait_ready<A: ReadApi>(
    api: &A,
    run: &mut Run<'_>,
    gateway_id: &str,
    strict: bool,
) -> Result<LiveGateway, ApplyError> {
    let mut clock = WaitClock::start(run.opts);
    loop {
        let live = match api.get_gateway(gateway_id).await {
            Ok(live) => {
                run.status = Some(live.status.clone());
                live
            }
            Err(ApiError::NotFound(_)) => return Err(ApplyError::Vanished { gateway_id: gateway_id.to_string() }),
            Err(ApiError::Throttling(_) | ApiError::Transport(_)) if !clock.expired() => {
                clock.retry().await;
                continue;
            }
            Err(source) => return Err(ApplyError::Api { call: "GetGateway", source }),
        };
        match &live.status {
            GatewayStatus::Ready => return Ok(live),
            GatewayStatus::Failed | GatewayStatus::UpdateUnsuccessful if strict => {
                return Err(ApplyError::Failed {
                    gateway_id: gateway_id.to_string(),
                    status: live.status.clone(),
                    reasons: live.status_reasons.clone(),
                })
            }
            status if status.is_transitional() => {
                if clock.expired() {
                    return Err(ApplyError::Timeout {
                        gateway_id: gateway_id.to_string(),
                        status: status.clone(),
                        waited: clock.waited(),
                    });
                }
                run.say(&format!("waiting for READY ({status})"));
                clock.back_off().await;
            }
            _ if !strict => return Ok(live),
            other => {
                return Err(ApplyError::Failed {
                    gateway_id: gateway_id.to_string(),
                    status: other.clone(),
                    reasons: live.status_reasons.clone(),
                })
            }
        }
    }
}

/// Polls GetGateway until the gateway is gone (after DeleteGateway).
async fn wait_gone<A: ReadApi>(api: &A, run: &Run<'_>, gateway_id: &str) -> Result<(), ApplyError> {
    let mut clock = WaitClock::start(run.opts);
    loop {
        match api.get_gateway(gateway_id).await {
            Err(ApiError::NotFound(_)) => return Ok(()),
            Err(ApiError::Throttling(_) | ApiError::Transport(_)) if !clock.expired() => {}
            Err(source) => return Err(ApplyError::Api { call: "GetGateway", source }),
            Ok(live) if clock.expired() => {
                return Err(ApplyError::Timeout {
                    gateway_id: gateway_id.to_string(),
                    status: live.status,
                    waited: clock.waited(),
                })
            }
            Ok(live) => run.say(&format!("waiting for deletion ({})", live.status)),
        }
        clock.back_off().await;
    }
}

/// Polls `get` (a GetGatewayTarget, GetGatewayRule, …) until it answers NotFound: an item deleted
/// a moment ago is gone. `call` names the read in errors; `timeout` makes the error for an item
/// still there when the wait runs out, from its last status.
async fn wait_item_gone<S, F, Fut>(
    opts: &Options,
    call: &'static str,
    mut get: F,
    timeout: impl Fn(S, Duration) -> ApplyError,
) -> Result<(), ApplyError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<S, ApiError>>,
{
    let mut clock = WaitClock::start(opts);
    loop {
        match get().await {
            Err(ApiError::NotFound(_)) => return Ok(()),
            Err(ApiError::Throttling(_) | ApiError::Transport(_)) if !clock.expired() => {}
            Err(source) => return Err(ApplyError::Api { call, source }),
            Ok(status) if clock.expired() => return Err(timeout(status, clock.waited())),
            Ok(_) => {}
        }
        clock.back_off().await;
    }
}

/// How many polls at `poll_initial` a wait makes before it starts doubling its delay.
const STEADY_POLLS: u32 = 8;

/// The clock of one wait, shared by every poll loop so that each is bounded by `wait_timeout`
/// (a service that throttles or cannot be reached for good must not keep apply waiting forever)
/// and paced the same way: `poll_initial`, doubling up to `poll_max`.
struct WaitClock<'a> {
    opts: &'a Options,
    started: Instant,
    delay: Duration,
}

impl<'a> WaitClock<'a> {
    fn start(opts: &'a Options) -> Self {
        WaitClock { opts, started: Instant::now(), delay: opts.poll_initial }
    }

    /// True once `wait_timeout` has passed: the next unsettled answer ends the wait.
    fn expired(&self) -> bool {
        self.started.elapsed() >= self.opts.wait_timeout
    }

    fn waited(&self) -> Duration {
        self.started.elapsed()
    }

    /// Sleeps the current delay without lengthening it (less when interrupted).
    async fn retry(&self) {
        self.opts.interrupt.sleep(self.delay).await;
    }

    /// Sleeps the current delay. For the first [`STEADY_POLLS`] × `poll_initial` the delay stays
    /// `poll_initial` (most resources settle within seconds, and a wait that doubles from the
    /// start oversleeps them by up to half); after that it doubles up to `poll_max`.
    async fn back_off(&mut self) {
        self.opts.interrupt.sleep(self.delay).await;
        if self.started.elapsed() >= self.opts.poll_initial * STEADY_POLLS {
            self.delay = (self.delay * 2).min(self.opts.poll_max);
        }
    }
}

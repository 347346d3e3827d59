//! The HTTP side: accepting connections, routing, fault injection, persistence after mutations.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::conformance::Model;
use super::providers::{self, ProviderOp};
use super::request::{self, MAX_BODY};
use super::state::{Answer, Delays, Env, Persister, State};
use super::wire::{query_pairs, region_from_authorization, segments, ApiError};
use super::{Config, EmulatorError, Faults, InjectedError, TargetOperation};

/// How long shutdown waits for in-flight calls before dropping their connections.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// The region used when a request carries no SigV4 credential scope.
const DEFAULT_REGION: &str = "us-east-1";
/// How long before a latency's end tokio's timer is asked to wake (see [`sleep_exactly`]).
const TIMER_SLACK: Duration = Duration::from_millis(2);

/// The operations served, in the order stats are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    CreateGateway,
    GetGateway,
    UpdateGateway,
    ListGateways,
    DeleteGateway,
    TagResource,
    UntagResource,
    ListTagsForResource,
    CreateGatewayTarget,
    ListGatewayTargets,
    DeleteGatewayTarget,
    GetGatewayTarget,
    UpdateGatewayTarget,
    SynchronizeGatewayTargets,
    CreateGatewayRule,
    GetGatewayRule,
    UpdateGatewayRule,
    DeleteGatewayRule,
    ListGatewayRules,
    CreateGatewayRateLimit,
    GetGatewayRateLimit,
    UpdateGatewayRateLimit,
    DeleteGatewayRateLimit,
    ListGatewayRateLimits,
    BatchPutGatewayRateLimits,
    PutResourcePolicy,
    GetResourcePolicy,
    DeleteResourcePolicy,
    CreateOauth2CredentialProvider,
    GetOauth2CredentialProvider,
    UpdateOauth2CredentialProvider,
    DeleteOauth2CredentialProvider,
    ListOauth2CredentialProviders,
    CreateApiKeyCredentialProvider,
    GetApiKeyCredentialProvider,
    UpdateApiKeyCredentialProvider,
    DeleteApiKeyCredentialProvider,
    ListApiKeyCredentialProviders,
}

impl Op {
    const ALL: [Op; 38] = [
        Op::CreateGateway,
        Op::GetGateway,
        Op::UpdateGateway,
        Op::ListGateways,
        Op::DeleteGateway,
        Op::TagResource,
        Op::UntagResource,
        Op::ListTagsForResource,
        Op::CreateGatewayTarget,
        Op::ListGatewayTargets,
        Op::DeleteGatewayTarget,
        Op::GetGatewayTarget,
        Op::UpdateGatewayTarget,
        Op::SynchronizeGatewayTargets,
        Op::CreateGatewayRule,
        Op::GetGatewayRule,
        Op::UpdateGatewayRule,
        Op::DeleteGatewayRule,
        Op::ListGatewayRules,
        Op::CreateGatewayRateLimit,
        Op::GetGatewayRateLimit,
        Op::UpdateGatewayRateLimit,
        Op::DeleteGatewayRateLimit,
        Op::ListGatewayRateLimits,
        Op::BatchPutGatewayRateLimits,
        Op::PutResourcePolicy,
        Op::GetResourcePolicy,
        Op::DeleteResourcePolicy,
        Op::CreateOauth2CredentialProvider,
        Op::GetOauth2CredentialProvider,
        Op::UpdateOauth2CredentialProvider,
        Op::DeleteOauth2CredentialProvider,
        Op::ListOauth2CredentialProviders,
        Op::CreateApiKeyCredentialProvider,
        Op::GetApiKeyCredentialProvider,
        Op::UpdateApiKeyCredentialProvider,
        Op::DeleteApiKeyCredentialProvider,
        Op::ListApiKeyCredentialProviders,
    ];

    fn name(self) -> &'static str {
        match self {
            Op::CreateGateway => "CreateGateway",
            Op::GetGateway => "GetGateway",
            Op::UpdateGateway => "UpdateGateway",
            Op::ListGateways => "ListGateways",
            Op::DeleteGateway => "DeleteGateway",
            Op::TagResource => "TagResource",
            Op::UntagResource => "UntagResource",
            Op::ListTagsForResource => "ListTagsForResource",
            Op::CreateGatewayTarget => "CreateGatewayTarget",
            Op::ListGatewayTargets => "ListGatewayTargets",
            Op::DeleteGatewayTarget => "DeleteGatewayTarget",
            Op::GetGatewayTarget => "GetGatewayTarget",
            Op::UpdateGatewayTarget => "UpdateGatewayTarget",
            Op::SynchronizeGatewayTargets => "SynchronizeGatewayTargets",
            Op::CreateGatewayRule => "CreateGatewayRule",
            Op::GetGatewayRule => "GetGatewayRule",
            Op::UpdateGatewayRule => "UpdateGatewayRule",
            Op::DeleteGatewayRule => "DeleteGatewayRule",
            Op::ListGatewayRules => "ListGatewayRules",
            Op::CreateGatewayRateLimit => "CreateGatewayRateLimit",
            Op::GetGatewayRateLimit => "GetGatewayRateLimit",
            Op::UpdateGatewayRateLimit => "UpdateGatewayRateLimit",
            Op::DeleteGatewayRateLimit => "DeleteGatewayRateLimit",
            Op::ListGatewayRateLimits => "ListGatewayRateLimits",
            Op::BatchPutGatewayRateLimits => "BatchPutGatewayRateLimits",
            Op::PutResourcePolicy => "PutResourcePolicy",
            Op::GetResourcePolicy => "GetResourcePolicy",
            Op::DeleteResourcePolicy => "DeleteResourcePolicy",
            Op::CreateOauth2CredentialProvider => "CreateOauth2CredentialProvider",
            Op::GetOauth2CredentialProvider => "GetOauth2CredentialProvider",
            Op::UpdateOauth2CredentialProvider => "UpdateOauth2CredentialProvider",
            Op::DeleteOauth2CredentialProvider => "DeleteOauth2CredentialProvider",
            Op::ListOauth2CredentialProviders => "ListOauth2CredentialProviders",
            Op::CreateApiKeyCredentialProvider => "CreateApiKeyCredentialProvider",
            Op::GetApiKeyCredentialProvider => "GetApiKeyCredentialProvider",
            Op::UpdateApiKeyCredentialProvider => "UpdateApiKeyCredentialProvider",
            Op::DeleteApiKeyCredentialProvider => "DeleteApiKeyCredentialProvider",
            Op::ListApiKeyCredentialProviders => "ListApiKeyCredentialProviders",
        }
    }
}

/// A matched route: the operation and its URI labels.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    CreateGateway,
    ListGateways,
    GetGateway(String),
    UpdateGateway(String),
    DeleteGateway(String),
    CreateTarget(String),
    ListTargets(String),
    DeleteTarget(String, String),
    GetTarget(String, String),
    UpdateTarget(String, String),
    SynchronizeTargets(String),
    TagResource(String),
    UntagResource(String),
    ListTags(String),
    CreateRule(String),
    ListRules(String),
    GetRule(String, String),
    UpdateRule(String, String),
    DeleteRule(String, String),
    CreateRateLimit(String),
    ListRateLimits(String),
    BatchPutRateLimits(String),
    GetRateLimit(String, String),
    UpdateRateLimit(String, String),
    DeleteRateLimit(String, String),
    PutPolicy(String),
    GetPolicy(String),
    DeletePolicy(String),
    /// One of the credential provider operations (`POST /identities/<Operation>`).
    Provider(ProviderOp),
}

impl Route {
    fn op(&self) -> Op {
        match self {
            Route::CreateGateway => Op::CreateGateway,
            Route::ListGateways => Op::ListGateways,
            Route::GetGateway(_) => Op::GetGateway,
            Route::UpdateGateway(_) => Op::UpdateGateway,
            Route::DeleteGateway(_) => Op::DeleteGateway,
            Route::CreateTarget(_) => Op::CreateGatewayTarget,
            Route::ListTargets(_) => Op::ListGatewayTargets,
            Route::DeleteTarget(..) => Op::DeleteGatewayTarget,
            Route::GetTarget(..) => Op::GetGatewayTarget,
            Route::UpdateTarget(..) => Op::UpdateGatewayTarget,
            Route::SynchronizeTargets(_) => Op::SynchronizeGatewayTargets,
            Route::TagResource(_) => Op::TagResource,
            Route::UntagResource(_) => Op::UntagResource,
            Route::ListTags(_) => Op::ListTagsForResource,
            Route::CreateRule(_) => Op::CreateGatewayRule,
            Route::ListRules(_) => Op::ListGatewayRules,
            Route::GetRule(..) => Op::GetGatewayRule,
            Route::UpdateRule(..) => Op::UpdateGatewayRule,
            Route::DeleteRule(..) => Op::DeleteGatewayRule,
            Route::CreateRateLimit(_) => Op::CreateGatewayRateLimit,
            Route::ListRateLimits(_) => Op::ListGatewayRateLimits,
            Route::BatchPutRateLimits(_) => Op::BatchPutGatewayRateLimits,
            Route::GetRateLimit(..) => Op::GetGatewayRateLimit,
            Route::UpdateRateLimit(..) => Op::UpdateGatewayRateLimit,
            Route::DeleteRateLimit(..) => Op::DeleteGatewayRateLimit,
            Route::PutPolicy(_) => Op::PutResourcePolicy,
            Route::GetPolicy(_) => Op::GetResourcePolicy,
            Route::DeletePolicy(_) => Op::DeleteResourcePolicy,
            Route::Provider(p) => match p {
                ProviderOp::CreateOauth2 => Op::CreateOauth2CredentialProvider,
                ProviderOp::GetOauth2 => Op::GetOauth2CredentialProvider,
                ProviderOp::UpdateOauth2 => Op::UpdateOauth2CredentialProvider,
                ProviderOp::DeleteOauth2 => Op::DeleteOauth2CredentialProvider,
                ProviderOp::ListOauth2 => Op::ListOauth2CredentialProviders,
                ProviderOp::CreateApiKey => Op::CreateApiKeyCredentialProvider,
                ProviderOp::GetApiKey => Op::GetApiKeyCredentialProvider,
                ProviderOp::UpdateApiKey => Op::UpdateApiKeyCredentialProvider,
                ProviderOp::DeleteApiKey => Op::DeleteApiKeyCredentialProvider,
                ProviderOp::ListApiKey => Op::ListApiKeyCredentialProviders,
            },
        }
    }

    /// The gateway and operation of a target route, which injected errors are matched against.
    fn target_call(&self) -> Option<(&str, TargetOperation)> {
        Some(match self {
            Route::CreateTarget(g) => (g, TargetOperation::Create),
            Route::ListTargets(g) => (g, TargetOperation::List),
            Route::GetTarget(g, _) => (g, TargetOperation::Get),
            Route::UpdateTarget(g, _) => (g, TargetOperation::Update),
            Route::DeleteTarget(g, _) => (g, TargetOperation::Delete),
            Route::SynchronizeTargets(g) => (g, TargetOperation::Synchronize),
            _ => return None,
        })
    }
}

/// Matches decoded path segments; `/tags/` joins the rest so an ARN whose `/` was not encoded
/// still arrives whole.
fn route(method: &Method, segs: &[String]) -> Option<Route> {
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let m = method.as_str();
    Some(match (m, s.as_slice()) {
        ("POST", ["identities", op]) => Route::Provider(ProviderOp::parse(op)?),
        ("POST", ["gateways"]) => Route::CreateGateway,
        ("GET", ["gateways"]) => Route::ListGateways,
        ("GET", ["gateways", id]) => Route::GetGateway(id.to_string()),
        ("PUT", ["gateways", id]) => Route::UpdateGateway(id.to_string()),
        ("DELETE", ["gateways", id]) => Route::DeleteGateway(id.to_string()),
        ("POST", ["gateways", id, "targets"]) => Route::CreateTarget(id.to_string()),
        ("GET", ["gateways", id, "targets"]) => Route::ListTargets(id.to_string()),
        ("DELETE", ["gateways", id, "targets", t]) => Route::DeleteTarget(id.to_string(), t.to_string()),
        ("GET", ["gateways", id, "targets", t]) => Route::GetTarget(id.to_string(), t.to_string()),
        ("PUT", ["gateways", id, "targets", t]) => Route::UpdateTarget(id.to_string(), t.to_string()),
        ("PUT", ["gateways", id, "synchronizeTargets"]) => Route::SynchronizeTargets(id.to_string()),
        ("POST", ["gateways", id, "rules"]) => Route::CreateRule(id.to_string()),
        ("GET", ["gateways", id, "rules"]) => Route::ListRules(id.to_string()),
        ("GET", ["gateways", id, "rules", r]) => Route::GetRule(id.to_string(), r.to_string()),
        ("PATCH", ["gateways", id, "rules", r]) => Route::UpdateRule(id.to_string(), r.to_string()),
        ("DELETE", ["gateways", id, "rules", r]) => Route::DeleteRule(id.to_string(), r.to_string()),
        ("POST", ["gateways", id, "rate-limits"]) => Route::CreateRateLimit(id.to_string()),
        ("GET", ["gateways", id, "rate-limits"]) => Route::ListRateLimits(id.to_string()),
        ("PUT", ["gateways", id, "rate-limits", "batch"]) => Route::BatchPutRateLimits(id.to_string()),
        ("GET", ["gateways", id, "rate-limits", r]) => Route::GetRateLimit(id.to_string(), r.to_string()),
        ("PATCH", ["gateways", id, "rate-limits", r]) => Route::UpdateRateLimit(id.to_string(), r.to_string()),
        ("DELETE", ["gateways", id, "rate-limits", r]) => Route::DeleteRateLimit(id.to_string(), r.to_string()),
        (_, ["resourcepolicy", rest @ ..]) if !rest.is_empty() => {
            // Like `/tags/`: an ARN whose `/` was not encoded still arrives whole.
            let arn = rest.join("/");
            match m {
                "PUT" => Route::PutPolicy(arn),
                "GET" => Route::GetPolicy(arn),
                "DELETE" => Route::DeletePolicy(arn),
                _ => return None,
            }
        }
        (_, ["tags", rest @ ..]) if !rest.is_empty() => {
            let arn = rest.join("/");
            match m {
                "POST" => Route::TagResource(arn),
                "DELETE" => Route::UntagResource(arn),
                "GET" => Route::ListTags(arn),
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// A fixed one-second window, for `max_rps`: it starts with the first call after the previous one
/// ended (so a steady stream of calls sees back-to-back windows).
struct RateWindow {
    start: Instant,
    /// Calls admitted in this window (what `max_rps` bounds).
    count: u32,
    /// Calls that arrived in this window, admitted or not.
    arrivals: u64,
}

/// Everything the connection tasks share.
pub(super) struct Shared {
    state: Mutex<State>,
    persister: Option<Arc<Persister>>,
    faults: Mutex<Faults>,
    fault_rng: Mutex<fastrand::Rng>,
    window: Mutex<RateWindow>,
    stats: [AtomicU64; Op::ALL.len()],
    delays: Delays,
    requests: AtomicU64,
    /// Calls answered ThrottlingException, by the budget or by `throttle_rate`.
    throttled: AtomicU64,
    /// The most calls that arrived in one window.
    peak_window: AtomicU64,
    /// The service model that traffic is checked against ([`super::Config::conformance`]).
    model: Option<Arc<Model>>,
    /// What the check found, in arrival order.
    deviations: Mutex<Vec<String>>,
    /// A test hook stored a value the model does not allow (see [`Shared::set_raw`]): answers are
    /// no longer checked, requests still are.
    planted: AtomicBool,
    /// Operations whose next successful mutation is to be lost (see [`Shared::lose_next`]).
    lose_next: Mutex<Vec<Op>>,
}

/// Locks a mutex even if a panicking thread poisoned it: the data is still consistent, since
/// every critical section here finishes its change before anything can panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub(super) fn new(state: State, config: &Config, model: Option<Arc<Model>>) -> Self {
        // A separate stream for faults keeps gateway IDs reproducible whatever faults fire.
        let fault_rng = config.seed.map_or_else(fastrand::Rng::new, |s| fastrand::Rng::with_seed(s ^ 0x5eed_fa17));
        Shared {
            state: Mutex::new(state),
            persister: config.state_file.clone().map(|p| Arc::new(Persister::new(p))),
            faults: Mutex::new(config.faults),
            fault_rng: Mutex::new(fault_rng),
            window: Mutex::new(RateWindow { start: Instant::now(), count: 0, arrivals: 0 }),
            stats: std::array::from_fn(|_| AtomicU64::new(0)),
            delays: Delays { create: config.create_delay, update: config.update_delay, delete: config.delete_delay },
            requests: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            peak_window: AtomicU64::new(0),
            model,
            deviations: Mutex::new(Vec::new()),
            planted: AtomicBool::new(false),
            lose_next: Mutex::new(Vec::new()),
        }
    }

    /// Makes the next successful call of the operation named `operation` commit and then close
    /// the connection without an answer; false when no operation has that name.
    pub(super) fn lose_next(&self, operation: &str) -> bool {
        let Some(op) = Op::ALL.iter().copied().find(|op| op.name() == operation) else { return false };
        lock(&self.lose_next).push(op);
        true
    }

    /// True (once) when the next mutation of `op` was asked to be lost.
    fn take_lost(&self, op: Op) -> bool {
        let mut queued = lock(&self.lose_next);
        match queued.iter().position(|q| *q == op) {
            Some(at) => {
                queued.remove(at);
                true
            }
            None => false,
        }
    }

    /// Checks an accepted call and its answer against the model, when there is one.
    fn check_conformance(&self, op: Op, segs: &[String], query: &[(String, String)], body: &[u8], answer: &Answer) {
        let Some(model) = &self.model else { return };
        let mut found = model.check_request(op.name(), segs, query, body);
        if !self.planted.load(Ordering::Relaxed) {
            found.extend(model.check_response(op.name(), answer.status, answer.body.as_ref()));
        }
        if !found.is_empty() {
            for d in &found {
                eprintln!("acgw emulator: deviation from the service model: {d}");
            }
            lock(&self.deviations).extend(found);
        }
    }

    pub(super) fn deviations(&self) -> Vec<String> {
        lock(&self.deviations).clone()
    }

    /// The model's version and the deviations found, which are then forgotten; `None` when the
    /// check is off.
    pub(super) fn take_deviations(&self) -> Option<(String, Vec<String>)> {
        let model = self.model.as_ref()?;
        Some((model.version.clone(), std::mem::take(&mut *lock(&self.deviations))))
    }

    pub(super) fn reset_rate_stats(&self) {
        // A new second of accounting too: the arrivals of the current one would otherwise count
        // towards the next peak (a benchmark's setup, just before what it measures).
        *lock(&self.window) = RateWindow { start: Instant::now(), count: 0, arrivals: 0 };
        self.throttled.store(0, Ordering::Relaxed);
        self.peak_window.store(0, Ordering::Relaxed);
    }

    pub(super) fn rate_stats(&self) -> super::RateStats {
        super::RateStats {
            throttled: self.throttled.load(Ordering::Relaxed),
            peak_window: self.peak_window.load(Ordering::Relaxed),
        }
    }

    pub(super) fn stats(&self) -> BTreeMap<String, u64> {
        Op::ALL.iter().map(|op| (op.name().to_string(), self.stats[*op as usize].load(Ordering::Relaxed))).collect()
    }

    pub(super) fn faults(&self) -> Faults {
        *lock(&self.faults)
    }

    pub(super) fn set_faults(&self, faults: Faults) {
        *lock(&self.faults) = faults;
    }

    pub(super) fn fail_next(&self, name: &str, reasons: Vec<String>) {
        lock(&self.state).fail_next(name, reasons);
    }

    pub(super) fn fail_next_target(&self, gateway_id: &str, name: &str, reasons: Vec<String>) {
        lock(&self.state).fail_next_target(gateway_id, name, reasons);
    }

    pub(super) fn fail_next_target_call(&self, gateway_id: &str, op: TargetOperation, error: InjectedError) {
        lock(&self.state).inject_target_error(gateway_id, op, error);
    }

    pub(super) fn authorize_target(&self, gateway_id: &str, target_id: &str) -> bool {
        lock(&self.state).authorize_target(gateway_id, target_id)
    }

    pub(super) fn add_service_tag(&self, gateway_id: &str, key: &str, value: &str) -> bool {
        lock(&self.state).add_service_tag(gateway_id, key, value)
    }

    pub(super) fn set_raw(&self, gateway_id: &str, pointer: &str, value: serde_json::Value) -> bool {
        // What it plants is meant to break the model, so answers are no longer checked.
        self.planted.store(true, Ordering::Relaxed);
        lock(&self.state).set_raw(gateway_id, pointer, value)
    }

    pub(super) fn set_target_raw(
        &self,
        gateway_id: &str,
        target: &str,
        pointer: &str,
        value: serde_json::Value,
    ) -> bool {
        // As with set_raw: what it plants is meant to break the model.
        self.planted.store(true, Ordering::Relaxed);
        lock(&self.state).set_target_raw(gateway_id, target, pointer, value)
    }

    pub(super) fn add_system_rule(&self, gateway_id: &str, priority: i32, managed_by: &str) -> Option<String> {
        lock(&self.state).add_system_rule(gateway_id, priority, managed_by, now_ms())
    }

    pub(super) fn add_rule_unchecked(&self, gateway_id: &str, priority: i32) -> Option<String> {
        lock(&self.state).add_rule_unchecked(gateway_id, priority, now_ms())
    }

    pub(super) fn deny_reads(&self, gateway_id: &str) {
        lock(&self.state).deny_reads(gateway_id);
    }

    pub(super) fn page_forever(&self, gateway_id: Option<&str>) {
        lock(&self.state).page_forever(gateway_id);
    }

    fn roll(&self, rate: f64) -> bool {
        rate > 0.0 && lock(&self.fault_rng).f64() < rate
    }

    /// Counts this call in the current window; true when it exceeds the per-second budget.
    fn over_budget(&self, max_rps: u32) -> bool {
        let mut w = lock(&self.window);
        let now = Instant::now();
        if now.duration_since(w.start) >= Duration::from_secs(1) {
            w.start = now;
            w.count = 0;
            w.arrivals = 0;
        }
        w.arrivals += 1;
        self.peak_window.fetch_max(w.arrivals, Ordering::Relaxed);
        if max_rps == 0 {
            return false;
        }
        if w.count >= max_rps {
            return true;
        }
        w.count += 1;
        false
    }

    /// Writes the current state to the state file, if there is one.
    pub(super) async fn persist(&self) -> Result<(), EmulatorError> {
        let Some(persister) = self.persister.clone() else { return Ok(()) };
        let (version, bytes) = lock(&self.state).snapshot()?;
        let path = persister.path().to_path_buf();
        match tokio::task::spawn_blocking(move || persister.write(version, &bytes)).await {
            Ok(written) => written,
            Err(e) => Err(EmulatorError::WriteState { path, source: std::io::Error::other(e.to_string()) }),
        }
    }
}

/// Accepts connections until `stop` changes, then drains the open ones.
pub(super) async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    conns.spawn(serve_connection(stream, Arc::clone(&shared), stop.clone()));
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            _ = stop.changed() => break,
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async { while conns.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        conns.abort_all();
    }
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |req| handle(Arc::clone(&shared), req));
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(30));
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stop.changed() => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

/// Waits `d`, and never less. tokio's timer fires on the first millisecond tick after its
/// deadline: a 20 ms sleep took 21.16 ms on average here (measured over 100), so every call at
/// the benchmarks' "20 ms per call" took 6% longer than the bound they are measured against. So
/// tokio wakes [`TIMER_SLACK`] early (a long latency can still be cancelled at shutdown) and a
/// blocking thread sleeps the rest: 20.35 ms on average for 20 ms, measured the same way.
async fn sleep_exactly(d: Duration) {
    if d.is_zero() {
        return;
    }
    let deadline = Instant::now() + d;
    if let Some(coarse) = d.checked_sub(TIMER_SLACK) {
        tokio::time::sleep(coarse).await;
    }
    let rest = deadline.saturating_duration_since(Instant::now());
    if !rest.is_zero() && tokio::task::spawn_blocking(move || std::thread::sleep(rest)).await.is_err() {
        // The blocking pool is shutting down: the coarse timer is close enough then.
        tokio::time::sleep(deadline.saturating_duration_since(Instant::now())).await;
    }
}

/// Returned by the service to make hyper close the connection without writing a response.
#[derive(Debug)]
struct LostResponse;

impl std::fmt::Display for LostResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("response deliberately lost")
    }
}

impl std::error::Error for LostResponse {}

type Reply = Response<Full<Bytes>>;

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Reply, LostResponse> {
    let request_id = format!("emu-{:016x}", shared.requests.fetch_add(1, Ordering::Relaxed));
    match answer(&shared, req).await {
        Ok(Outcome::Reply(status, body)) => Ok(reply(status, body.as_ref(), &request_id)),
        Ok(Outcome::Lost) => Err(LostResponse),
        Err(e) => Ok(error_reply(&e, &request_id)),
    }
}

enum Outcome {
    Reply(u16, Option<Value>),
    Lost,
}

async fn answer(shared: &Shared, req: Request<Incoming>) -> Result<Outcome, ApiError> {
    let (parts, body) = req.into_parts();
    let segs = segments(parts.uri.path())?;
    if parts.method == Method::GET && segs == ["_emulator", "stats"] {
        let stats = serde_json::to_value(shared.stats()).unwrap_or_default();
        return Ok(Outcome::Reply(200, Some(stats)));
    }
    if parts.method == Method::GET && segs == ["_emulator", "rate"] {
        let rate = shared.rate_stats();
        let body = serde_json::json!({ "throttled": rate.throttled, "peakWindow": rate.peak_window });
        return Ok(Outcome::Reply(200, Some(body)));
    }
    let Some(route) = route(&parts.method, &segs) else {
        return Err(ApiError::unknown_operation(parts.method.as_str(), parts.uri.path()));
    };
    let op = route.op();
    shared.stats[op as usize].fetch_add(1, Ordering::Relaxed);

    // Read the whole body first, so that an error answer leaves the connection reusable.
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Err(ApiError::validation("CannotParse", "request body is too large or was cut off")),
    };
    let faults = shared.faults();
    sleep_exactly(faults.latency).await;
    if shared.over_budget(faults.max_rps) || shared.roll(faults.throttle_rate) {
        shared.throttled.fetch_add(1, Ordering::Relaxed);
        return Err(ApiError::throttling());
    }
    if shared.roll(faults.error_rate) {
        return Err(ApiError::internal("Internal server error (injected by the emulator)"));
    }
    if let Some((gateway_id, op)) = route.target_call() {
        if let Some(error) = lock(&shared.state).take_injected(gateway_id, op) {
            return Err(ApiError::injected(error));
        }
    }

    let region = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| region_from_authorization(Some(h)))
        .unwrap_or_else(|| DEFAULT_REGION.to_string());
    let query = query_pairs(parts.uri.query())?;
    let env = Env { now_ms: now_ms(), region: &region, delays: shared.delays };
    let answer = dispatch(shared, route, &body, &query, &env)?;
    shared.check_conformance(op, &segs, &query, &body, &answer);
    let Answer { status, body, mutated } = answer;
    if mutated {
        if let Err(e) = shared.persist().await {
            // The change is committed in memory; a failed write must not turn it into an error
            // answer that would make a client believe nothing happened.
            eprintln!("acgw emulator: {e}");
        }
        if shared.take_lost(op) || shared.roll(faults.lost_response_rate) {
            return Ok(Outcome::Lost);
        }
    }
    Ok(Outcome::Reply(status, body))
}

/// Validates the request, then runs the operation under the state lock.
fn dispatch(
    shared: &Shared,
    route: Route,
    body: &[u8],
    query: &[(String, String)],
    env: &Env<'_>,
) -> Result<Answer, ApiError> {
    match route {
        Route::CreateGateway => {
            let req = request::parse_create(body)?;
            lock(&shared.state).create_gateway(req, env)
        }
        Route::ListGateways => {
            let paging = request::parse_paging(query, request::MAX_PAGE)?;
            lock(&shared.state).list_gateways(&paging, env)
        }
        Route::GetGateway(id) => {
            request::check_gateway_id(&id)?;
            lock(&shared.state).get_gateway(&id, env)
        }
        Route::UpdateGateway(id) => {
            request::check_gateway_id(&id)?;
            let req = request::parse_update(body)?;
            lock(&shared.state).update_gateway(&id, req, env)
        }
        Route::DeleteGateway(id) => {
            request::check_gateway_id(&id)?;
            lock(&shared.state).delete_gateway(&id, env)
        }
        Route::CreateTarget(id) => {
            request::check_gateway_id(&id)?;
            let req = request::parse_create_target(body)?;
            lock(&shared.state).create_target(&id, req, env)
        }
        Route::ListTargets(id) => {
            request::check_gateway_id(&id)?;
            let paging = request::parse_paging(query, request::MAX_PAGE)?;
            lock(&shared.state).list_targets(&id, &paging, env)
        }
        Route::GetTarget(id, target) => {
            request::check_gateway_id(&id)?;
            request::check_target_id(&target)?;
            lock(&shared.state).get_target(&id, &target, env)
        }
        Route::UpdateTarget(id, target) => {
            request::check_gateway_id(&id)?;
            request::check_target_id(&target)?;
            let req = request::parse_update_target(body)?;
            lock(&shared.state).update_target(&id, &target, req, env)
        }
        Route::DeleteTarget(id, target) => {
            request::check_gateway_id(&id)?;
            request::check_target_id(&target)?;
            lock(&shared.state).delete_target(&id, &target, env)
        }
        Route::SynchronizeTargets(id) => {
            request::check_gateway_id(&id)?;
            let target = request::parse_synchronize(body)?;
            lock(&shared.state).synchronize_target(&id, &target, env)
        }
        Route::TagResource(arn) if providers::is_provider_arn(&arn) => {
            let tags = request::parse_tags(body)?;
            lock(&shared.state).providers(|p| p.tag_resource(&arn, tags))
        }
        Route::UntagResource(arn) if providers::is_provider_arn(&arn) => {
            let keys = request::parse_tag_keys(query)?;
            lock(&shared.state).providers(|p| p.untag_resource(&arn, &keys))
        }
        Route::ListTags(arn) if providers::is_provider_arn(&arn) => {
            lock(&shared.state).providers(|p| p.list_tags(&arn))
        }
        Route::Provider(op) => lock(&shared.state).providers(|p| p.dispatch(op, body, env.region, env.now_ms)),
        Route::TagResource(arn) => {
            request::check_resource_arn(&arn)?;
            let tags = request::parse_tags(body)?;
            lock(&shared.state).tag_resource(&arn, tags, env)
        }
        Route::UntagResource(arn) => {
            request::check_resource_arn(&arn)?;
            let keys = request::parse_tag_keys(query)?;
            lock(&shared.state).untag_resource(&arn, &keys, env)
        }
        Route::ListTags(arn) => {
            request::check_resource_arn(&arn)?;
            lock(&shared.state).list_tags(&arn, env)
        }
        Route::CreateRule(id) => {
            request::check_gateway_id(&id)?;
            let req = request::parse_create_rule(body)?;
            lock(&shared.state).create_rule(&id, req, env)
        }
        Route::ListRules(id) => {
            request::check_gateway_id(&id)?;
            let paging = request::parse_paging(query, request::MAX_RULE_PAGE)?;
            lock(&shared.state).list_rules(&id, &paging, env)
        }
        Route::GetRule(id, rule) => {
            request::check_gateway_id(&id)?;
            request::check_rule_id(&rule)?;
            lock(&shared.state).get_rule(&id, &rule, env)
        }
        Route::UpdateRule(id, rule) => {
            request::check_gateway_id(&id)?;
            request::check_rule_id(&rule)?;
            let patch = request::parse_update_rule(body)?;
            lock(&shared.state).update_rule(&id, &rule, patch, env)
        }
        Route::DeleteRule(id, rule) => {
            request::check_gateway_id(&id)?;
            request::check_rule_id(&rule)?;
            lock(&shared.state).delete_rule(&id, &rule, env)
        }
        Route::CreateRateLimit(id) => {
            request::check_gateway_id(&id)?;
            let req = request::parse_create_rate_limit(body)?;
            lock(&shared.state).create_rate_limit(&id, req, env)
        }
        Route::ListRateLimits(id) => {
            request::check_gateway_id(&id)?;
            let paging = request::parse_paging(query, request::MAX_RULE_PAGE)?;
            lock(&shared.state).list_rate_limits(&id, &paging, env)
        }
        Route::BatchPutRateLimits(id) => {
            request::check_gateway_id(&id)?;
            let (token, items) = request::parse_batch_put(body)?;
            lock(&shared.state).batch_put_rate_limits(&id, token, items, env)
        }
        Route::GetRateLimit(id, limit) => {
            request::check_gateway_id(&id)?;
            request::check_rate_limit_id(&limit)?;
            lock(&shared.state).get_rate_limit(&id, &limit, env)
        }
        Route::UpdateRateLimit(id, limit) => {
            request::check_gateway_id(&id)?;
            request::check_rate_limit_id(&limit)?;
            let patch = request::parse_update_rate_limit(body)?;
            lock(&shared.state).update_rate_limit(&id, &limit, patch, env)
        }
        Route::DeleteRateLimit(id, limit) => {
            request::check_gateway_id(&id)?;
            request::check_rate_limit_id(&limit)?;
            lock(&shared.state).delete_rate_limit(&id, &limit, env)
        }
        Route::PutPolicy(arn) => {
            request::check_resource_arn(&arn)?;
            let policy = request::parse_put_policy(body)?;
            lock(&shared.state).put_resource_policy(&arn, policy, env)
        }
        Route::GetPolicy(arn) => {
            request::check_resource_arn(&arn)?;
            lock(&shared.state).get_resource_policy(&arn, env)
        }
        Route::DeletePolicy(arn) => {
            request::check_resource_arn(&arn)?;
            lock(&shared.state).delete_resource_policy(&arn, env)
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn reply(status: u16, body: Option<&Value>, request_id: &str) -> Reply {
    let bytes = body.map(|b| Bytes::from(serde_json::to_vec(b).unwrap_or_default())).unwrap_or_default();
    let mut resp = Response::new(Full::new(bytes));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if body.is_some() {
        resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-amzn-requestid", v);
    }
    resp
}

fn error_reply(e: &ApiError, request_id: &str) -> Reply {
    let mut resp = reply(e.status, Some(&e.body()), request_id);
    resp.headers_mut().insert("x-amzn-errortype", HeaderValue::from_static(e.code));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(p: &str) -> Vec<String> {
        segments(p).unwrap()
    }

    #[test]
    fn routes_match_with_and_without_trailing_slash() {
        assert_eq!(route(&Method::POST, &segs("/gateways")), Some(Route::CreateGateway));
        assert_eq!(route(&Method::POST, &segs("/gateways/")), Some(Route::CreateGateway));
        assert_eq!(
            route(&Method::GET, &segs("/gateways/gw-abcdefghij/")),
            Some(Route::GetGateway("gw-abcdefghij".into()))
        );
        assert_eq!(
            route(&Method::DELETE, &segs("/gateways/gw-abcdefghij/targets/ABCDEFGHIJ")),
            Some(Route::DeleteTarget("gw-abcdefghij".into(), "ABCDEFGHIJ".into()))
        );
        assert_eq!(
            route(&Method::PUT, &segs("/gateways/gw-abcdefghij/targets/ABCDEFGHIJ/")),
            Some(Route::UpdateTarget("gw-abcdefghij".into(), "ABCDEFGHIJ".into()))
        );
        assert_eq!(
            route(&Method::PUT, &segs("/gateways/gw-abcdefghij/synchronizeTargets")),
            Some(Route::SynchronizeTargets("gw-abcdefghij".into()))
        );
        assert_eq!(route(&Method::PATCH, &segs("/gateways/x")), None);
        assert_eq!(
            route(&Method::PUT, &segs("/gateways/gw-abcdefghij/rate-limits/batch")),
            Some(Route::BatchPutRateLimits("gw-abcdefghij".into()))
        );
        assert_eq!(
            route(&Method::PATCH, &segs("/gateways/gw-abcdefghij/rules/R1/")),
            Some(Route::UpdateRule("gw-abcdefghij".into(), "R1".into()))
        );
        let arn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/gw-abcdefghij";
        assert_eq!(route(&Method::GET, &segs(&format!("/resourcepolicy/{arn}"))), Some(Route::GetPolicy(arn.into())));
    }

    #[test]
    fn tag_routes_take_encoded_and_raw_arns() {
        let arn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/gw-abcdefghij";
        let encoded = "/tags/arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Agateway%2Fgw-abcdefghij";
        assert_eq!(route(&Method::GET, &segs(encoded)), Some(Route::ListTags(arn.into())));
        assert_eq!(route(&Method::POST, &segs(&format!("/tags/{arn}"))), Some(Route::TagResource(arn.into())));
        assert_eq!(route(&Method::GET, &segs("/tags/")), None);
    }
}

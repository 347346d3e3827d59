//! A local emulator of the AgentCore Control gateway API, served over HTTP/1.1 on loopback.
//!
//! The real AWS SDK talks to it with its endpoint overridden, so tests, demos and benchmarks run
//! the production code path. It follows `reference/agentcore-gateway-api.md`: the restJson1 routes
//! (with or without a trailing slash), the model's validation, name uniqueness, client tokens,
//! CREATING/UPDATING/DELETING delays, paging, tags, and error codes in `x-amzn-errortype`.
//!
//! Gateway targets follow `reference/agentcore-targets-api.md`: every target shape validated by
//! [`crate::model::target::Target`], Create/Get/Update/Delete/List/SynchronizeGatewayTargets,
//! CREATING/UPDATING/SYNCHRONIZING on the same delays as gateways, `*_PENDING_AUTH` for the OAuth
//! AUTHORIZATION_CODE grant (see [`EmulatorHandle::authorize_target`]), and the policy-session
//! header the service adds to targets of a gateway with a policy engine.
//!
//! ```no_run
//! # async fn demo() -> Result<(), acgw::emulator::EmulatorError> {
//! use acgw::emulator::{Config, Emulator};
//! let emulator = Emulator::start(Config::default()).await?;
//! println!("endpoint: {}", emulator.url()); // e.g. http://127.0.0.1:41234
//! // ... point the SDK's `endpoint_url` at it ...
//! emulator.shutdown().await?;
//! # Ok(()) }
//! ```

mod conformance;
mod providers;
mod request;
mod server;
mod state;
mod wire;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use conformance::{Model, ModelError};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The fault and latency knobs; they can be changed while the emulator runs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Faults {
    /// Added to every API call before it is answered.
    pub latency: Duration,
    /// Share of API calls answered with ThrottlingException (429), 0.0–1.0.
    pub throttle_rate: f64,
    /// Share of API calls answered with InternalServerException (500), 0.0–1.0.
    pub error_rate: f64,
    /// Share of successful mutations that are committed and then answered by closing the
    /// connection without a response, 0.0–1.0.
    pub lost_response_rate: f64,
    /// API calls per second above which calls are throttled; 0 means no limit.
    pub max_rps: u32,
}

/// An error answer a test can queue for a target operation (see
/// [`EmulatorHandle::fail_next_target_call`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InjectedError {
    /// ThrottlingException (429).
    Throttling,
    /// InternalServerException (500).
    InternalServer,
    /// ConflictException (409).
    Conflict,
    /// ValidationException (400) without a field list.
    Validation,
    /// AccessDeniedException (403).
    AccessDenied,
    /// ResourceNotFoundException (404).
    ResourceNotFound,
    /// ServiceQuotaExceededException (402).
    ServiceQuotaExceeded,
}

/// Which target operation an injected error answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetOperation {
    /// Whichever target operation on the gateway comes first.
    Any,
    Create,
    Get,
    Update,
    Delete,
    List,
    Synchronize,
}

/// What the emulator saw of the request rate since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateStats {
    /// Calls answered ThrottlingException (429), by the `max_rps` budget or by `throttle_rate`.
    pub throttled: u64,
    /// The most calls that arrived within one of the one-second windows that `max_rps` is
    /// enforced over (admitted or not): a client that never exceeds the budget keeps this at or
    /// under `max_rps`. Windows are kept even when `max_rps` is 0.
    pub peak_window: u64,
}

/// How to run an emulator. `Default` binds 127.0.0.1 on a free port, keeps state in memory only,
/// and injects no faults and no delays.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to bind.
    pub host: String,
    /// Port to bind; 0 picks a free one (see [`EmulatorHandle::url`]).
    pub port: u16,
    /// Loaded at start if it exists, and rewritten atomically (mode 0600) after every mutation.
    pub state_file: Option<PathBuf>,
    /// Initial fault knobs.
    pub faults: Faults,
    /// How long a new gateway stays CREATING.
    pub create_delay: Duration,
    /// How long an updated gateway stays UPDATING.
    pub update_delay: Duration,
    /// How long a deleted gateway stays DELETING before it is gone.
    pub delete_delay: Duration,
    /// Seed for gateway IDs and fault choices; `None` is random.
    pub seed: Option<u64>,
    /// A service model (botocore JSON, e.g. `tests/model/agentcore-control.json`) to check every
    /// accepted request and every successful answer against; deviations are kept for
    /// [`EmulatorHandle::deviations`] and fail [`EmulatorHandle::shutdown`]. For test harnesses:
    /// `acgw emulator` and `--local` leave it `None` and pay nothing.
    pub conformance: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".into(),
            port: 0,
            state_file: None,
            faults: Faults::default(),
            create_delay: Duration::ZERO,
            update_delay: Duration::ZERO,
            delete_delay: Duration::ZERO,
            seed: None,
            conformance: None,
        }
    }
}

/// Why the emulator could not start or save its state.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
    #[error("cannot read the emulator state file {}: {source}", path.display())]
    ReadState { path: PathBuf, source: std::io::Error },
    #[error("{} is not an emulator state file: {source}", path.display())]
    ParseState { path: PathBuf, source: serde_json::Error },
    #[error("{} has state format version {found}, which this acgw does not read", path.display())]
    StateVersion { path: PathBuf, found: u32 },
    #[error("cannot write the emulator state file {}: {source}", path.display())]
    WriteState { path: PathBuf, source: std::io::Error },
    #[error("cannot serialize the emulator state: {0}")]
    Serialize(#[from] serde_json::Error),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("the emulator deviated from the service model (botocore {version}):\n{}", deviations.join("\n"))]
    Nonconformant { version: String, deviations: Vec<String> },
}

/// Starts emulators.
pub struct Emulator;

impl Emulator {
    /// Loads the state file (if any), binds `host:port` and serves until the handle is shut down
    /// or dropped.
    pub async fn start(config: Config) -> Result<EmulatorHandle, EmulatorError> {
        let state = match &config.state_file {
            Some(path) => state::State::load(path, config.seed)?,
            None => state::State::new(config.seed),
        };
        let model = config.conformance.as_deref().map(Model::load).transpose()?;
        let addr = format!("{}:{}", config.host, config.port);
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|source| EmulatorError::Bind { addr: addr.clone(), source })?;
        let local = listener.local_addr().map_err(|source| EmulatorError::Bind { addr, source })?;
        let shared = Arc::new(server::Shared::new(state, &config, model));
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, Arc::clone(&shared), stopped));
        Ok(EmulatorHandle { addr: local, shared, stop, task: Some(task) })
    }
}

/// A running emulator. Dropping it stops the server without waiting; prefer [`Self::shutdown`].
pub struct EmulatorHandle {
    addr: SocketAddr,
    shared: Arc<server::Shared>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl EmulatorHandle {
    /// The endpoint URL for the SDK, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Calls per operation name since start, throttled and failed calls included.
    pub fn stats(&self) -> BTreeMap<String, u64> {
        self.shared.stats()
    }

    /// Throttled calls and the busiest one-second window since start.
    pub fn rate_stats(&self) -> RateStats {
        self.shared.rate_stats()
    }

    /// Starts [`Self::rate_stats`] over from zero, with a new second of the `max_rps` accounting.
    pub fn reset_rate_stats(&self) {
        self.shared.reset_rate_stats();
    }

    /// The current fault knobs.
    pub fn faults(&self) -> Faults {
        self.shared.faults()
    }

    /// Replaces the fault knobs; calls that arrive afterwards see the new values.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.set_faults(faults);
    }

    /// Makes the next create or update of the gateway named `name` end in FAILED (a create) or
    /// UPDATE_UNSUCCESSFUL (an update) with `reasons` as its statusReasons, once its delay is over.
    pub fn fail_next(&self, name: &str, reasons: &[&str]) {
        self.shared.fail_next(name, reasons.iter().map(|r| r.to_string()).collect());
    }

    /// Makes the next successful call of `operation` (its API name, e.g.
    /// `CreateApiKeyCredentialProvider`) commit and then close the connection without an answer,
    /// as `lost_response_rate` does at random; calls queue. False when no operation has that name.
    pub fn lose_next_response(&self, operation: &str) -> bool {
        self.shared.lose_next(operation)
    }

    /// Tags a gateway as an AWS service would (e.g. CloudFormation's `aws:cloudformation:*`), which
    /// the API refuses from users; for tests of how acgw treats service-owned tags. False when
    /// there is no gateway with that ID.
    pub fn add_service_tag(&self, gateway_id: &str, key: &str, value: &str) -> bool {
        self.shared.add_service_tag(gateway_id, key, value)
    }

    /// Stores `value` verbatim at the JSON pointer `pointer` (e.g. `/protocolConfiguration/mcp/searchType`)
    /// of a gateway's configuration, bypassing validation, so that reads answer what the real
    /// service might send one day: an unknown enum value or union member, an empty or over-long
    /// string. `null` removes the member. False when there is no such gateway or parent object.
    pub fn set_raw(&self, gateway_id: &str, pointer: &str, value: serde_json::Value) -> bool {
        self.shared.set_raw(gateway_id, pointer, value)
    }

    /// [`EmulatorHandle::set_raw`] for the target named `target` of gateway `gateway_id`: `/name`
    /// gives it a name the API would refuse (`../x`, 1,000 characters), as a hostile service could.
    pub fn set_target_raw(&self, gateway_id: &str, target: &str, pointer: &str, value: serde_json::Value) -> bool {
        self.shared.set_target_raw(gateway_id, target, pointer, value)
    }

    /// Makes the next create or update of the target named `name` in gateway `gateway_id` end in
    /// FAILED (a create) or UPDATE_UNSUCCESSFUL (an update) with `reasons` as its statusReasons,
    /// once its delay is over.
    pub fn fail_next_target(&self, gateway_id: &str, name: &str, reasons: &[&str]) {
        self.shared.fail_next_target(gateway_id, name, reasons.iter().map(|r| r.to_string()).collect());
    }

    /// Makes the next call of `operation` on the targets of gateway `gateway_id` answer `error`
    /// without touching any state. Calls queue: each injected error answers one call.
    pub fn fail_next_target_call(&self, gateway_id: &str, operation: TargetOperation, error: InjectedError) {
        self.shared.fail_next_target_call(gateway_id, operation, error);
    }

    /// Completes the OAuth consent of a target whose credential provider uses the
    /// AUTHORIZATION_CODE grant: it leaves CREATE_PENDING_AUTH/UPDATE_PENDING_AUTH for READY (or
    /// settles READY once its create or update delay is over). False when there is no such
    /// target or it needs no consent.
    pub fn authorize_target(&self, gateway_id: &str, target_id: &str) -> bool {
        self.shared.authorize_target(gateway_id, target_id)
    }

    /// Adds a system-managed rule (`system.managedBy` = `managed_by`) at `priority`, ACTIVE at
    /// once, as an AWS process would; UpdateGatewayRule and DeleteGatewayRule refuse it with
    /// ValidationException. Returns its rule ID, or `None` when there is no such gateway or
    /// another rule holds the priority.
    pub fn add_system_rule(&self, gateway_id: &str, priority: i32, managed_by: &str) -> Option<String> {
        self.shared.add_system_rule(gateway_id, priority, managed_by)
    }

    /// Adds a user rule at `priority` (matching `/planted/*`, routed to target `planted`), ACTIVE
    /// at once, without the priority check that CreateGatewayRule makes: two live rules can then
    /// share a priority, as a race in the service could leave them; for tests of how acgw refuses
    /// to guess which one a spec means. It can be updated and deleted like any user rule. Returns
    /// its rule ID, or `None` when there is no such gateway.
    pub fn add_rule_unchecked(&self, gateway_id: &str, priority: i32) -> Option<String> {
        self.shared.add_rule_unchecked(gateway_id, priority)
    }

    /// Makes GetGateway and ListTagsForResource of one gateway answer AccessDeniedException.
    pub fn deny_reads(&self, gateway_id: &str) {
        self.shared.deny_reads(gateway_id);
    }

    /// Makes ListGateways (`None`) or one gateway's ListGatewayTargets never end: every page is
    /// full (the live items, repeated) and carries a token never seen before, as a broken or
    /// hostile server could answer.
    pub fn page_forever(&self, gateway_id: Option<&str>) {
        self.shared.page_forever(gateway_id);
    }

    /// What [`Config::conformance`] found so far: one line per deviation, naming the operation,
    /// request or response, and the member path. Empty when the check is off.
    pub fn deviations(&self) -> Vec<String> {
        self.shared.deviations()
    }

    /// Stops accepting connections, lets in-flight calls finish (up to a few seconds), and writes
    /// the state file one last time. With [`Config::conformance`], any deviation from the model
    /// is an error here, so that every test that shuts its emulator down checks them.
    pub async fn shutdown(mut self) -> Result<(), EmulatorError> {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.shared.persist().await?;
        match self.shared.take_deviations() {
            Some((version, deviations)) if !deviations.is_empty() => {
                Err(EmulatorError::Nonconformant { version, deviations })
            }
            _ => Ok(()),
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        // A test that drops its emulator without shutting it down still fails on a deviation;
        // only harnesses turn the check on, so production code never panics here.
        if let Some((version, deviations)) = self.shared.take_deviations() {
            if !deviations.is_empty() && !std::thread::panicking() {
                panic!("the emulator deviated from the service model (botocore {version}):\n{}", deviations.join("\n"));
            }
        }
    }
}

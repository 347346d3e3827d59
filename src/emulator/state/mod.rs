//! The emulator's store: gateways and everything inside them (targets, rules, rate limits, the
//! resource policy), tags and client tokens, the credential providers, and the rules of the real
//! service that act on them.
//! One file per kind; `child` holds what the kinds stored inside a gateway share, including the
//! generic handlers of rules and rate limits.
//!
//! Statuses are computed from timestamps when read (CREATING until `readyAt`, DELETING until
//! `goneAt`), so they need no timers and survive a restart from the state file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::providers::Store as Providers;
use super::wire::ApiError;
use super::{EmulatorError, InjectedError, TargetOperation};

mod child;
mod gateway;
mod policy;
mod rate_limit;
mod rule;
mod target;
#[cfg(test)]
mod tests;

use gateway::GatewayRecord;

/// The account every ARN names.
pub const ACCOUNT: &str = "123456789012";

/// The version of the state file's layout. A section added with a default (targets, rules, rate
/// limits, policies, providers) keeps it, so that older files still load.
const FORMAT_VERSION: u32 = 1;
/// The service's `sessionTimeoutInSeconds` when an MCP gateway does not set one.
const DEFAULT_SESSION_TIMEOUT: i64 = 3600;
/// The header the service lets through to every target of a gateway with a policy engine.
const POLICY_SESSION_HEADER: &str = "x-amzn-bedrock-agentcore-policy-session-id";
/// Where the emulator sends users to consent to an AUTHORIZATION_CODE grant (never resolvable).
const AUTHORIZATION_HOST: &str = "identity.emulator.acgw.invalid";
/// The user an emulated consent is requested for.
const AUTHORIZATION_USER: &str = "emulator-user";

/// How long each kind of change keeps a gateway in its transitional status.
#[derive(Debug, Clone, Copy, Default)]
pub struct Delays {
    pub create: Duration,
    pub update: Duration,
    pub delete: Duration,
}

/// What a call needs besides its request: the time, the caller's region and the delays.
pub struct Env<'a> {
    pub now_ms: u64,
    pub region: &'a str,
    pub delays: Delays,
}

/// A successful answer: status code, optional JSON body, and whether state changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: Option<Value>,
    pub mutated: bool,
}

impl Answer {
    fn read(body: Value) -> Self {
        Answer { status: 200, body: Some(body), mutated: false }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Change {
    Create,
    Update,
}

/// What a gateway's status is at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Creating,
    Updating,
    Deleting,
    Ready,
    Failed,
    UpdateUnsuccessful,
    Synchronizing,
    CreatePendingAuth,
    UpdatePendingAuth,
}

impl Status {
    fn is_pending_auth(self) -> bool {
        matches!(self, Status::CreatePendingAuth | Status::UpdatePendingAuth)
    }

    fn as_str(self) -> &'static str {
        match self {
            Status::Creating => "CREATING",
            Status::Updating => "UPDATING",
            Status::Deleting => "DELETING",
            Status::Ready => "READY",
            Status::Failed => "FAILED",
            Status::UpdateUnsuccessful => "UPDATE_UNSUCCESSFUL",
            Status::Synchronizing => "SYNCHRONIZING",
            Status::CreatePendingAuth => "CREATE_PENDING_AUTH",
            Status::UpdatePendingAuth => "UPDATE_PENDING_AUTH",
        }
    }
}

/// A client token: the resource it created and the request it came with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenRecord {
    id: String,
    request: Value,
}

/// Everything the emulator holds; this is also the state file's layout.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    format_version: u32,
    next_seq: u64,
    gateways: BTreeMap<String, GatewayRecord>,
    tokens: BTreeMap<String, TokenRecord>,
    /// The credential providers; absent from state files written before they were kept.
    #[serde(default)]
    providers: Providers,
    /// Gateways in DELETING, by the instant they disappear.
    #[serde(skip)]
    pending_deletes: BTreeSet<(u64, String)>,
    /// Gateway names whose next create or update will fail, with the reasons the service gives.
    #[serde(skip)]
    failing: BTreeMap<String, Vec<String>>,
    /// (gateway ID, target name) whose next create or update will fail, with the reasons.
    #[serde(skip)]
    failing_targets: BTreeMap<(String, String), Vec<String>>,
    /// Error answers queued for target operations: (gateway ID, operation, error).
    #[serde(skip)]
    injected: Vec<(String, TargetOperation, InjectedError)>,
    /// Gateway IDs whose GetGateway and ListTagsForResource answer AccessDeniedException.
    #[serde(skip)]
    denied: BTreeSet<String>,
    /// Listings that never end (see [`State::page_forever`]): `None` for ListGateways, a gateway
    /// ID for its ListGatewayTargets.
    #[serde(skip)]
    endless: BTreeSet<Option<String>>,
    /// The last page number an endless listing handed out, so that every token is new.
    #[serde(skip)]
    endless_pages: u64,
    /// Bumped on every mutation, so that an older snapshot never overwrites a newer file.
    #[serde(skip)]
    version: u64,
    #[serde(skip, default = "fastrand::Rng::new")]
    rng: fastrand::Rng,
}

impl State {
    /// An empty state whose IDs come from `seed` (random when `None`).
    pub fn new(seed: Option<u64>) -> Self {
        State {
            format_version: FORMAT_VERSION,
            next_seq: 1,
            gateways: BTreeMap::new(),
            tokens: BTreeMap::new(),
            providers: Providers::default(),
            pending_deletes: BTreeSet::new(),
            failing: BTreeMap::new(),
            failing_targets: BTreeMap::new(),
            injected: Vec::new(),
            denied: BTreeSet::new(),
            endless: BTreeSet::new(),
            endless_pages: 0,
            version: 0,
            rng: id_rng(seed, 1),
        }
    }

    /// Loads `path` if it exists, else starts empty.
    pub fn load(path: &Path, seed: Option<u64>) -> Result<Self, EmulatorError> {
        let text = match std::fs::read(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::new(seed)),
            Err(source) => return Err(EmulatorError::ReadState { path: path.to_path_buf(), source }),
        };
        let mut state: State = serde_json::from_slice(&text)
            .map_err(|source| EmulatorError::ParseState { path: path.to_path_buf(), source })?;
        if state.format_version != FORMAT_VERSION {
            return Err(EmulatorError::StateVersion { path: path.to_path_buf(), found: state.format_version });
        }
        state.rng = id_rng(seed, state.next_seq);
        state.pending_deletes =
            state.gateways.values().filter_map(|g| g.life.gone_at_ms.map(|t| (t, g.gateway_id.clone()))).collect();
        Ok(state)
    }

    /// The state as the bytes of a state file, with the version they belong to.
    pub fn snapshot(&self) -> Result<(u64, Vec<u8>), serde_json::Error> {
        Ok((self.version, serde_json::to_vec_pretty(self)?))
    }

    fn mutated(&mut self) {
        self.version += 1;
    }

    /// Runs a credential provider call `f`; a change counts like any other, so that it is
    /// written to the state file by the same path as a gateway's.
    pub(super) fn providers(
        &mut self,
        f: impl FnOnce(&mut Providers) -> Result<Answer, ApiError>,
    ) -> Result<Answer, ApiError> {
        let answer = f(&mut self.providers)?;
        if answer.mutated {
            self.mutated();
        }
        Ok(answer)
    }

    /// Forgets gateways and targets whose deletion has finished.
    fn purge(&mut self, now_ms: u64) {
        for g in self.gateways.values_mut() {
            g.purge_children(now_ms);
        }
        while let Some((at, id)) = self.pending_deletes.first().cloned() {
            if at > now_ms {
                break;
            }
            self.pending_deletes.pop_first();
            self.gateways.remove(&id);
        }
    }

    fn random_id(&mut self, alphabet: &[u8]) -> String {
        (0..10).map(|_| char::from(alphabet[self.rng.usize(..alphabet.len())])).collect()
    }

    /// Makes a listing hostile: ListGateways (`None`) or one gateway's ListGatewayTargets answers
    /// every page full, repeating the live items, with a token it never handed out before, as a
    /// broken or malicious server could; for tests of the client's page and item caps.
    pub fn page_forever(&mut self, gateway_id: Option<&str>) {
        self.endless.insert(gateway_id.map(str::to_string));
    }

    /// A full page cycled from `items`, with a token never handed out before.
    pub(super) fn endless_page(&mut self, kind: &str, items: Vec<Value>, size: usize) -> Answer {
        self.endless_pages += 1;
        let page: Vec<Value> = items.iter().cycle().take(size).cloned().collect();
        Answer::read(json!({ "items": page, "nextToken": encode_token(kind, u64::MAX - self.endless_pages) }))
    }
}

/// Stores `value` at the JSON pointer `pointer` of `config` (`null` removes the member); false
/// when the pointer's parent is not an object.
fn store_raw(config: &mut Map<String, Value>, pointer: &str, value: Value) -> bool {
    let Some((parent, key)) = pointer.rsplit_once('/') else { return false };
    let mut root = Value::Object(std::mem::take(config));
    let stored = match root.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            let key = key.replace("~1", "/").replace("~0", "~");
            if value.is_null() {
                map.remove(&key);
            } else {
                map.insert(key, value);
            }
            true
        }
        _ => false,
    };
    if let Value::Object(map) = root {
        *config = map;
    }
    stored
}

/// The ID stream for `seed`, moved on by how much the state has already created, so that a restart
/// with the same seed and state file is reproducible without replaying the IDs of the first run.
fn id_rng(seed: Option<u64>, next_seq: u64) -> fastrand::Rng {
    match seed {
        Some(seed) => fastrand::Rng::with_seed(seed ^ next_seq.wrapping_sub(1).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        None => fastrand::Rng::new(),
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Page tokens are opaque to clients: a kind letter and the last sequence number, hex-encoded.
fn encode_token(kind: &str, seq: u64) -> String {
    format!("{kind}{seq:x}").bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_token(token: Option<&str>, kind: &str) -> Result<u64, ApiError> {
    let Some(token) = token else { return Ok(0) };
    let invalid = || ApiError::field("nextToken", "is not a token that this operation returned");
    if token.len() % 2 != 0 || !token.is_ascii() {
        return Err(invalid());
    }
    let bytes: Option<Vec<u8>> =
        (0..token.len()).step_by(2).map(|i| u8::from_str_radix(&token[i..i + 2], 16).ok()).collect();
    let text = bytes.and_then(|b| String::from_utf8(b).ok()).ok_or_else(invalid)?;
    let hex = text.strip_prefix(kind).ok_or_else(invalid)?;
    u64::from_str_radix(hex, 16).map_err(|_| invalid())
}

/// Writes state files atomically, never letting an older snapshot replace a newer one.
#[derive(Debug)]
pub struct Persister {
    path: PathBuf,
    written: Mutex<u64>,
}

impl Persister {
    /// A persister for `path`.
    pub fn new(path: PathBuf) -> Self {
        Persister { path, written: Mutex::new(0) }
    }

    /// The state file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `bytes` (the snapshot at `version`) to a temporary file beside the state file, then
    /// renames it over the state file; skipped when a newer version is already on disk.
    pub fn write(&self, version: u64, bytes: &[u8]) -> Result<(), EmulatorError> {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        if *written > 0 && version <= *written {
            return Ok(());
        }
        crate::atomic::write(&self.path, bytes)
            .map_err(|source| EmulatorError::WriteState { path: self.path.clone(), source })?;
        *written = version;
        Ok(())
    }
}

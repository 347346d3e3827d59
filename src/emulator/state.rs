//! Gateways, targets, tags and client tokens, and the rules of the real service that act on them.
//!
//! Statuses are computed from timestamps when read (CREATING until `readyAt`, DELETING until
//! `goneAt`), so they need no timers and survive a restart from the state file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::request::{
    check_entries, CreateRequest, Paging, RateLimitPatch, RateLimitRequest, RulePatch, RuleRequest, TargetFacts,
    TargetRequest, UpdateRequest,
};
use super::wire::{rfc3339, ApiError};
use super::{EmulatorError, InjectedError, TargetOperation};

/// The account every ARN names.
pub const ACCOUNT: &str = "123456789012";
/// The version of the state file's layout.
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GatewayRecord {
    /// Creation order: the stable sort key that list pages follow.
    seq: u64,
    gateway_id: String,
    gateway_arn: String,
    region: String,
    /// The canonical configuration as the model serializes it; tags are kept apart.
    config: Map<String, Value>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    created_at_ms: u64,
    updated_at_ms: u64,
    ready_at_ms: u64,
    last_change: Change,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gone_at_ms: Option<u64>,
    /// Why the last create or update did not succeed; it settles as FAILED/UPDATE_UNSUCCESSFUL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    failure: Option<Vec<String>>,
    #[serde(default)]
    targets: Vec<TargetRecord>,
    #[serde(default)]
    target_tokens: BTreeMap<String, TokenRecord>,
    #[serde(default)]
    rules: Vec<RuleRecord>,
    #[serde(default)]
    rule_tokens: BTreeMap<String, TokenRecord>,
    #[serde(default)]
    rate_limits: Vec<RateLimitRecord>,
    /// Client tokens of CreateGatewayRateLimit and (prefixed `batch:`) BatchPutGatewayRateLimits.
    #[serde(default)]
    rate_limit_tokens: BTreeMap<String, TokenRecord>,
    /// The resource policy, as the JSON text PutResourcePolicy received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resource_policy: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RuleRecord {
    /// Creation order: the stable sort key that list pages follow.
    seq: u64,
    rule_id: String,
    /// The rule as the model serializes it: priority, description, conditions, actions.
    config: Map<String, Value>,
    created_at_ms: u64,
    updated_at_ms: u64,
    ready_at_ms: u64,
    last_change: Change,
    /// When a deleted rule disappears; until then it is DELETING.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gone_at_ms: Option<u64>,
    /// `system.managedBy` of a rule an AWS process manages (see [`State::add_system_rule`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    managed_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RateLimitRecord {
    /// Creation order: the stable sort key that list pages follow.
    seq: u64,
    rate_limit_id: String,
    /// Immutable after creation.
    dimension_keys: Vec<String>,
    /// Description and entries as the model serializes them.
    config: Map<String, Value>,
    created_at_ms: u64,
    updated_at_ms: u64,
    ready_at_ms: u64,
    last_change: Change,
    /// When a deleted rate limit disappears; until then it is DELETING.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gone_at_ms: Option<u64>,
}

/// What last changed a target, which names its transitional status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum TargetChange {
    Create,
    Update,
    Synchronize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TargetRecord {
    /// Creation order: the stable sort key that list pages follow.
    seq: u64,
    target_id: String,
    /// The configuration as the model serializes it (name and description included), plus what
    /// the service adds itself (the policy session header).
    config: Map<String, Value>,
    facts: TargetFacts,
    created_at_ms: u64,
    updated_at_ms: u64,
    ready_at_ms: u64,
    last_change: TargetChange,
    /// When a deleted target disappears; until then it is DELETING.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gone_at_ms: Option<u64>,
    /// Why the last create or update did not succeed; it settles as FAILED/UPDATE_UNSUCCESSFUL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    failure: Option<Vec<String>>,
    /// The user consented to the AUTHORIZATION_CODE grant since the last create or update.
    #[serde(default)]
    authorized: bool,
    /// When the latest synchronization finishes (or finished).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    synchronized_at_ms: Option<u64>,
    /// The synchronization before it, reported while the latest one runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    previous_synchronized_at_ms: Option<u64>,
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
            state.gateways.values().filter_map(|g| g.gone_at_ms.map(|t| (t, g.gateway_id.clone()))).collect();
        Ok(state)
    }

    /// The state as the bytes of a state file, with the version they belong to.
    pub fn snapshot(&self) -> Result<(u64, Vec<u8>), serde_json::Error> {
        Ok((self.version, serde_json::to_vec_pretty(self)?))
    }

    fn mutated(&mut self) {
        self.version += 1;
    }

    /// Forgets gateways and targets whose deletion has finished.
    fn purge(&mut self, now_ms: u64) {
        for g in self.gateways.values_mut() {
            g.targets.retain(|t| t.gone_at_ms.is_none_or(|at| at > now_ms));
            g.rules.retain(|r| r.gone_at_ms.is_none_or(|at| at > now_ms));
            g.rate_limits.retain(|r| r.gone_at_ms.is_none_or(|at| at > now_ms));
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

    /// A rule ID as the model's `GatewayRuleId` has it: a lowercase version-4 UUID, from the
    /// seeded stream so that seeded runs stay reproducible.
    fn new_rule_id(&mut self) -> String {
        let mut bytes: [u8; 16] = std::array::from_fn(|_| self.rng.u8(..));
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
    }

    fn gateway(&self, id: &str) -> Result<&GatewayRecord, ApiError> {
        self.gateways.get(id).ok_or_else(|| ApiError::not_found(format!("Gateway not found: {id}")))
    }

    /// Makes the next create or update of the gateway named `name` settle as FAILED (create) or
    /// UPDATE_UNSUCCESSFUL (update) with `reasons`, as the service does when, say, its role
    /// cannot be assumed.
    pub fn fail_next(&mut self, name: &str, reasons: Vec<String>) {
        self.failing.insert(name.to_string(), reasons);
    }

    /// Adds a tag the way an AWS service does (CloudFormation's `aws:` tags): no API call, no
    /// validation, no limit. False when there is no such gateway.
    pub fn add_service_tag(&mut self, gateway_id: &str, key: &str, value: &str) -> bool {
        let Some(g) = self.gateways.get_mut(gateway_id) else { return false };
        g.tags.insert(key.to_string(), value.to_string());
        self.mutated();
        true
    }

    /// Stores `value` at the JSON pointer `pointer` of a gateway's stored configuration without
    /// any validation (`null` removes the member), so that every read answers it: for tests of
    /// how a client copes with what the real service may one day send (an enum value or union
    /// member it does not know, an empty or over-long string). False when there is no such
    /// gateway or the pointer's parent is not an object.
    pub fn set_raw(&mut self, gateway_id: &str, pointer: &str, value: Value) -> bool {
        let Some(g) = self.gateways.get_mut(gateway_id) else { return false };
        let stored = store_raw(&mut g.config, pointer, value);
        if stored {
            self.mutated();
        }
        stored
    }

    /// [`State::set_raw`] for the stored configuration of the target named `target` (its name
    /// included: `/name` renames it past the API's pattern, as a hostile service could answer).
    pub fn set_target_raw(&mut self, gateway_id: &str, target: &str, pointer: &str, value: Value) -> bool {
        let Some(g) = self.gateways.get_mut(gateway_id) else { return false };
        let Some(t) = g.targets.iter_mut().find(|t| t.name() == target) else { return false };
        let stored = store_raw(&mut t.config, pointer, value);
        if stored {
            self.mutated();
        }
        stored
    }

    /// Makes GetGateway and ListTagsForResource of one gateway answer AccessDeniedException, as
    /// an IAM policy that denies one resource does.
    pub fn deny_reads(&mut self, gateway_id: &str) {
        self.denied.insert(gateway_id.to_string());
    }

    /// Makes a listing hostile: ListGateways (`None`) or one gateway's ListGatewayTargets answers
    /// every page full, repeating the live items, with a token it never handed out before, as a
    /// broken or malicious server could; for tests of the client's page and item caps.
    pub fn page_forever(&mut self, gateway_id: Option<&str>) {
        self.endless.insert(gateway_id.map(str::to_string));
    }

    /// A full page cycled from `items`, with a token never handed out before.
    fn endless_page(&mut self, kind: &str, items: Vec<Value>, size: usize) -> Answer {
        self.endless_pages += 1;
        let page: Vec<Value> = items.iter().cycle().take(size).cloned().collect();
        Answer::read(json!({ "items": page, "nextToken": encode_token(kind, u64::MAX - self.endless_pages) }))
    }

    fn readable(&self, id: &str) -> Result<&GatewayRecord, ApiError> {
        if self.denied.contains(id) {
            return Err(ApiError::access_denied(format!("not authorized to read gateway {id}")));
        }
        self.gateway(id)
    }

    fn gateway_mut(&mut self, id: &str) -> Result<&mut GatewayRecord, ApiError> {
        self.gateways.get_mut(id).ok_or_else(|| ApiError::not_found(format!("Gateway not found: {id}")))
    }

    fn gateway_by_arn(&mut self, arn: &str) -> Result<&mut GatewayRecord, ApiError> {
        let id = arn.rsplit_once(":gateway/").map(|(_, id)| id).unwrap_or_default();
        match self.gateways.get_mut(id) {
            Some(g) if g.gateway_arn == arn => Ok(g),
            _ => Err(ApiError::not_found(format!("Resource not found: {arn}"))),
        }
    }

    /// CreateGateway.
    pub fn create_gateway(&mut self, req: CreateRequest, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let fingerprint = req.fingerprint();
        if let Some(token) = &req.client_token {
            if let Some(seen) = self.tokens.get(token) {
                // A token whose gateway is gone is forgotten: there is nothing left to return.
                if let Some(g) = self.gateways.get(&seen.id) {
                    if seen.request != fingerprint {
                        return Err(ApiError::validation(
                            "IdempotentParameterMismatchException",
                            "The client token was already used with different request parameters",
                        ));
                    }
                    return Ok(Answer { status: 202, body: Some(g.detail(env.now_ms, None)), mutated: false });
                }
                self.tokens.remove(token);
            }
        }
        if let Some(other) = self.gateways.values().find(|g| g.name() == req.name) {
            return Err(ApiError::conflict(format!(
                "A gateway with name {} already exists ({})",
                req.name, other.gateway_id
            )));
        }
        let prefix = req.name.to_ascii_lowercase();
        let id = loop {
            let id = format!("{prefix}-{}", self.random_id(b"abcdefghijklmnopqrstuvwxyz0123456789"));
            if !self.gateways.contains_key(&id) {
                break id;
            }
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        let record = GatewayRecord {
            seq,
            gateway_arn: format!("arn:aws:bedrock-agentcore:{}:{ACCOUNT}:gateway/{id}", env.region),
            gateway_id: id.clone(),
            region: env.region.to_string(),
            config: req.config,
            tags: req.tags,
            created_at_ms: env.now_ms,
            updated_at_ms: env.now_ms,
            ready_at_ms: env.now_ms + millis(env.delays.create),
            last_change: Change::Create,
            gone_at_ms: None,
            failure: self.failing.remove(&req.name),
            targets: Vec::new(),
            target_tokens: BTreeMap::new(),
            rules: Vec::new(),
            rule_tokens: BTreeMap::new(),
            rate_limits: Vec::new(),
            rate_limit_tokens: BTreeMap::new(),
            resource_policy: None,
        };
        let body = record.detail(env.now_ms, Some(Status::Creating));
        if let Some(token) = req.client_token {
            self.tokens.insert(token, TokenRecord { id: id.clone(), request: fingerprint });
        }
        self.gateways.insert(id, record);
        self.mutated();
        Ok(Answer { status: 202, body: Some(body), mutated: true })
    }

    /// GetGateway.
    pub fn get_gateway(&mut self, id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        Ok(Answer::read(self.readable(id)?.detail(env.now_ms, None)))
    }

    /// UpdateGateway: a full replace of the configuration; tags stay.
    pub fn update_gateway(&mut self, id: &str, req: UpdateRequest, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_mut(id)?;
        if req.name != g.name() {
            return Err(ApiError::field(
                "name",
                format!("must be the same as the gateway's name ({}); a gateway cannot be renamed", g.name()),
            ));
        }
        if g.config.get("authorizerType").and_then(Value::as_str) != Some(req.authorizer_type.as_str()) {
            return Err(ApiError::validation(
                "FieldValidationFailed",
                "Authorizer type cannot be updated for an existing gateway",
            ));
        }
        match g.status(env.now_ms) {
            // An update is how a user repairs a gateway whose last change did not succeed.
            Status::Ready | Status::Failed | Status::UpdateUnsuccessful => {}
            status => {
                return Err(ApiError::conflict(format!(
                    "Gateway {id} is {} and cannot be updated until it is READY",
                    status.as_str()
                )))
            }
        }
        g.config = req.config;
        g.updated_at_ms = env.now_ms;
        g.ready_at_ms = env.now_ms + millis(env.delays.update);
        g.last_change = Change::Update;
        let name = g.name().to_string();
        let failure = self.failing.remove(&name);
        let g = self.gateway_mut(id)?;
        g.failure = failure;
        let body = g.detail(env.now_ms, Some(Status::Updating));
        self.mutated();
        Ok(Answer { status: 202, body: Some(body), mutated: true })
    }

    /// DeleteGateway: DELETING for the delete delay, then gone (tags and tokens with it).
    pub fn delete_gateway(&mut self, id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_mut(id)?;
        let body = json!({ "gatewayId": id, "status": Status::Deleting.as_str() });
        if g.gone_at_ms.is_some() {
            return Ok(Answer { status: 202, body: Some(body), mutated: false });
        }
        if !g.targets.is_empty() {
            return Err(ApiError::conflict("Delete all targets before deleting the gateway"));
        }
        // A choice where the SDK is silent (see the reference): the user's rules and rate limits
        // block the delete like targets do; system-managed rules and the resource policy go
        // with the gateway, since a user cannot delete them first.
        if g.rules.iter().any(|r| r.managed_by.is_none()) {
            return Err(ApiError::conflict("Delete all gateway rules before deleting the gateway"));
        }
        if !g.rate_limits.is_empty() {
            return Err(ApiError::conflict("Delete all gateway rate limits before deleting the gateway"));
        }
        let gone_at = env.now_ms + millis(env.delays.delete);
        g.gone_at_ms = Some(gone_at);
        self.pending_deletes.insert((gone_at, id.to_string()));
        self.purge(env.now_ms);
        self.mutated();
        Ok(Answer { status: 202, body: Some(body), mutated: true })
    }

    /// ListGateways: pages in creation order; the token names the last gateway of the page.
    pub fn list_gateways(&mut self, paging: &Paging, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let after = decode_token(paging.next_token.as_deref(), "g")?;
        if self.endless.contains(&None) {
            let every = self.gateways.values().map(|g| g.summary(env.now_ms)).collect();
            return Ok(self.endless_page("g", every, paging.max_results));
        }
        let mut all: Vec<&GatewayRecord> = self.gateways.values().filter(|g| g.seq > after).collect();
        all.sort_by_key(|g| g.seq);
        let page = &all[..all.len().min(paging.max_results)];
        let items: Vec<Value> = page.iter().map(|g| g.summary(env.now_ms)).collect();
        let mut body = json!({ "items": items });
        if all.len() > page.len() {
            if let Some(last) = page.last() {
                body["nextToken"] = Value::String(encode_token("g", last.seq));
            }
        }
        Ok(Answer::read(body))
    }

    /// TagResource: merges; more than 50 tags in total exceeds the quota.
    pub fn tag_resource(
        &mut self,
        arn: &str,
        tags: BTreeMap<String, String>,
        env: &Env<'_>,
    ) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_by_arn(arn)?;
        let mut merged = g.tags.clone();
        merged.extend(tags);
        if merged.len() > crate::model::Tags::MAX {
            return Err(ApiError::quota(format!(
                "A resource can have at most {} tags; this request would make {}",
                crate::model::Tags::MAX,
                merged.len()
            )));
        }
        g.tags = merged;
        self.mutated();
        Ok(Answer { status: 204, body: None, mutated: true })
    }

    /// UntagResource: keys that are not there are ignored.
    pub fn untag_resource(&mut self, arn: &str, keys: &[String], env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_by_arn(arn)?;
        for k in keys {
            g.tags.remove(k);
        }
        self.mutated();
        Ok(Answer { status: 204, body: None, mutated: true })
    }

    /// ListTagsForResource.
    pub fn list_tags(&mut self, arn: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let id = self.gateway_by_arn(arn)?.gateway_id.clone();
        Ok(Answer::read(json!({ "tags": self.readable(&id)?.tags })))
    }

    /// CreateGatewayTarget: CREATING for the create delay, then READY (or a pending-auth or
    /// failed status, see [`TargetRecord::status`]).
    pub fn create_target(&mut self, gateway_id: &str, req: TargetRequest, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let target_id = self.random_id(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        let seq = self.next_seq;
        let failure_key = (gateway_id.to_string(), req.name.clone());
        let g = self.gateway_mut(gateway_id)?;
        if g.gone_at_ms.is_some() {
            return Err(ApiError::conflict(format!("Gateway {gateway_id} is being deleted")));
        }
        let fingerprint = req.fingerprint();
        if let Some(t) = replayed(&g.targets, &g.target_tokens, req.client_token.as_ref(), &fingerprint)? {
            return Ok(Answer { status: 202, body: Some(g.target_detail(t, env.now_ms, None)), mutated: false });
        }
        if g.targets.iter().any(|t| t.name() == req.name) {
            return Err(ApiError::conflict(format!("A target with name {} already exists in this gateway", req.name)));
        }
        let config = g.with_service_members(req.config);
        let mut target = TargetRecord {
            seq,
            target_id: target_id.clone(),
            config,
            facts: req.facts,
            created_at_ms: env.now_ms,
            updated_at_ms: env.now_ms,
            ready_at_ms: env.now_ms + millis(env.delays.create),
            last_change: TargetChange::Create,
            gone_at_ms: None,
            failure: None,
            authorized: false,
            synchronized_at_ms: None,
            previous_synchronized_at_ms: None,
        };
        if let Some(token) = req.client_token {
            g.target_tokens.insert(token, TokenRecord { id: target_id, request: fingerprint });
        }
        target.failure = self.failing_targets.remove(&failure_key);
        let g = self.gateway_mut(gateway_id)?;
        let body = g.target_detail(&target, env.now_ms, Some(Status::Creating));
        g.targets.push(target);
        self.next_seq += 1;
        self.mutated();
        Ok(Answer { status: 202, body: Some(body), mutated: true })
    }

    /// GetGatewayTarget.
    pub fn get_target(&mut self, gateway_id: &str, target_id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        let t = g.target(target_id)?;
        Ok(Answer::read(g.target_detail(t, env.now_ms, None)))
    }

    /// UpdateGatewayTarget: a full replace of the configuration; UPDATING for the update delay.
    pub fn update_target(
        &mut self,
        gateway_id: &str,
        target_id: &str,
        req: TargetRequest,
        env: &Env<'_>,
    ) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        let status = g.target(target_id)?.status(env.now_ms);
        if status.is_pending_auth() || status == Status::Deleting {
            return Err(ApiError::conflict(format!("Target {target_id} is {} and cannot be updated", status.as_str())));
        }
        if g.targets.iter().any(|t| t.target_id != target_id && t.name() == req.name) {
            return Err(ApiError::conflict(format!("A target with name {} already exists in this gateway", req.name)));
        }
        let failure = self.failing_targets.remove(&(gateway_id.to_string(), req.name.clone()));
        let g = self.gateway_mut(gateway_id)?;
        let config = g.with_service_members(req.config);
        let t = g.target_mut(target_id)?;
        t.config = config;
        t.facts = req.facts;
        t.updated_at_ms = env.now_ms;
        t.ready_at_ms = env.now_ms + millis(env.delays.update);
        t.last_change = TargetChange::Update;
        t.failure = failure;
        // A new configuration needs a new consent, as UPDATE_PENDING_AUTH says.
        t.authorized = false;
        let g = self.gateway(gateway_id)?;
        let body = g.target_detail(g.target(target_id)?, env.now_ms, Some(Status::Updating));
        self.mutated();
        Ok(Answer { status: 202, body: Some(body), mutated: true })
    }

    /// SynchronizeGatewayTargets for its one target: SYNCHRONIZING for the update delay, then
    /// READY with a new `lastSynchronizedAt`.
    pub fn synchronize_target(&mut self, gateway_id: &str, target_id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_mut(gateway_id)?;
        let t = g.target(target_id)?;
        if !t.facts.can_synchronize {
            return Err(ApiError::validation(
                "FieldValidationFailed",
                format!(
                    "Target {target_id} cannot be synchronized: only mcpServer targets without mcpToolSchema discover their tools"
                ),
            ));
        }
        let status = t.status(env.now_ms);
        if status != Status::Ready {
            return Err(ApiError::conflict(format!(
                "Target {target_id} is {} and cannot be synchronized",
                status.as_str()
            )));
        }
        let t = g.target_mut(target_id)?;
        t.previous_synchronized_at_ms = t.synchronized_at_ms;
        t.ready_at_ms = env.now_ms + millis(env.delays.update);
        t.synchronized_at_ms = Some(t.ready_at_ms);
        t.last_change = TargetChange::Synchronize;
        let g = self.gateway(gateway_id)?;
        let detail = g.target_detail(g.target(target_id)?, env.now_ms, Some(Status::Synchronizing));
        self.mutated();
        Ok(Answer { status: 202, body: Some(json!({ "targets": [detail] })), mutated: true })
    }

    /// ListGatewayTargets.
    pub fn list_targets(&mut self, gateway_id: &str, paging: &Paging, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let after = decode_token(paging.next_token.as_deref(), "t")?;
        if self.endless.contains(&Some(gateway_id.to_string())) {
            let every = self.gateway(gateway_id)?.targets.iter().map(|t| t.summary(env.now_ms)).collect();
            return Ok(self.endless_page("t", every, paging.max_results));
        }
        let g = self.gateway(gateway_id)?;
        let all: Vec<&TargetRecord> = g.targets.iter().filter(|t| t.seq > after).collect();
        let page = &all[..all.len().min(paging.max_results)];
        let items: Vec<Value> = page.iter().map(|t| t.summary(env.now_ms)).collect();
        let mut body = json!({ "items": items });
        if all.len() > page.len() {
            if let Some(last) = page.last() {
                body["nextToken"] = Value::String(encode_token("t", last.seq));
            }
        }
        Ok(Answer::read(body))
    }

    /// DeleteGatewayTarget: DELETING for the delete delay, then gone.
    pub fn delete_target(&mut self, gateway_id: &str, target_id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_mut(gateway_id)?;
        let body = json!({ "gatewayArn": g.gateway_arn, "targetId": target_id, "status": Status::Deleting.as_str() });
        let t = g.target(target_id)?;
        let status = t.status(env.now_ms);
        if t.gone_at_ms.is_none() && status.is_pending_auth() {
            return Err(ApiError::conflict(format!(
                "Target {target_id} is {} and cannot be deleted until authorization completes",
                status.as_str()
            )));
        }
        let marked =
            mark_deleted(&mut g.targets, &mut g.target_tokens, target_id, env.now_ms + millis(env.delays.delete))?;
        Ok(self.part_deleted(env.now_ms, body, marked))
    }

    /// Makes the next create or update of the target named `name` in a gateway settle as FAILED
    /// (create) or UPDATE_UNSUCCESSFUL (update) with `reasons`.
    pub fn fail_next_target(&mut self, gateway_id: &str, name: &str, reasons: Vec<String>) {
        self.failing_targets.insert((gateway_id.to_string(), name.to_string()), reasons);
    }

    /// Completes a pending OAuth consent: the target settles READY instead of
    /// CREATE_PENDING_AUTH/UPDATE_PENDING_AUTH. False when there is no such target or it needs
    /// no consent.
    pub fn authorize_target(&mut self, gateway_id: &str, target_id: &str) -> bool {
        let Some(t) = self.gateways.get_mut(gateway_id).and_then(|g| g.target_mut(target_id).ok()) else {
            return false;
        };
        if !t.facts.needs_auth {
            return false;
        }
        t.authorized = true;
        self.mutated();
        true
    }

    /// Queues `error` as the answer to the next target operation `op` on a gateway.
    pub fn inject_target_error(&mut self, gateway_id: &str, op: TargetOperation, error: InjectedError) {
        self.injected.push((gateway_id.to_string(), op, error));
    }

    /// Takes the first queued error that matches a call of `op` on `gateway_id`.
    pub fn take_injected(&mut self, gateway_id: &str, op: TargetOperation) -> Option<InjectedError> {
        let at = self
            .injected
            .iter()
            .position(|(g, want, _)| g == gateway_id && (*want == TargetOperation::Any || *want == op))?;
        Some(self.injected.remove(at).2)
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

impl GatewayRecord {
    fn name(&self) -> &str {
        self.config.get("name").and_then(Value::as_str).unwrap_or_default()
    }

    fn status(&self, now_ms: u64) -> Status {
        if self.gone_at_ms.is_some() {
            Status::Deleting
        } else if now_ms < self.ready_at_ms {
            match self.last_change {
                Change::Create => Status::Creating,
                Change::Update => Status::Updating,
            }
        } else {
            match (&self.failure, self.last_change) {
                (None, _) => Status::Ready,
                (Some(_), Change::Create) => Status::Failed,
                (Some(_), Change::Update) => Status::UpdateUnsuccessful,
            }
        }
    }

    /// The Create/Get/Update output; `status` overrides the computed one (a mutation's own answer).
    fn detail(&self, now_ms: u64, status: Option<Status>) -> Value {
        let status = status.unwrap_or_else(|| self.status(now_ms));
        let mut out = Map::new();
        out.insert("gatewayArn".into(), Value::String(self.gateway_arn.clone()));
        out.insert("gatewayId".into(), Value::String(self.gateway_id.clone()));
        out.insert(
            "gatewayUrl".into(),
            Value::String(format!(
                "https://{}.gateway.bedrock-agentcore.{}.amazonaws.com/mcp",
                self.gateway_id, self.region
            )),
        );
        out.insert("createdAt".into(), Value::String(rfc3339(self.created_at_ms)));
        out.insert("updatedAt".into(), Value::String(rfc3339(self.updated_at_ms)));
        out.insert("status".into(), Value::String(status.as_str().into()));
        if let (Some(reasons), Status::Failed | Status::UpdateUnsuccessful) = (&self.failure, status) {
            out.insert("statusReasons".into(), json!(reasons));
        }
        for (k, v) in &self.config {
            out.insert(k.clone(), v.clone());
        }
        if let Some(Value::Object(mcp)) = out.get_mut("protocolConfiguration").and_then(|p| p.get_mut("mcp")) {
            let session = mcp.entry("sessionConfiguration").or_insert_with(|| json!({}));
            if let Value::Object(session) = session {
                session.entry("sessionTimeoutInSeconds").or_insert_with(|| json!(DEFAULT_SESSION_TIMEOUT));
            }
        }
        out.insert(
            "workloadIdentityDetails".into(),
            json!({ "workloadIdentityArn": format!(
                "arn:aws:bedrock-agentcore:{}:{ACCOUNT}:workload-identity-directory/default/workload-identity/{}",
                self.region, self.gateway_id
            )}),
        );
        Value::Object(out)
    }

    /// A ListGateways item: no ARN, no URL.
    fn summary(&self, now_ms: u64) -> Value {
        let mut out = Map::new();
        out.insert("gatewayId".into(), Value::String(self.gateway_id.clone()));
        out.insert("name".into(), Value::String(self.name().to_string()));
        out.insert("status".into(), Value::String(self.status(now_ms).as_str().into()));
        for key in ["description", "authorizerType", "protocolType"] {
            if let Some(v) = self.config.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        out.insert("createdAt".into(), Value::String(rfc3339(self.created_at_ms)));
        out.insert("updatedAt".into(), Value::String(rfc3339(self.updated_at_ms)));
        Value::Object(out)
    }

    fn target(&self, target_id: &str) -> Result<&TargetRecord, ApiError> {
        part(&self.targets, target_id)
    }

    fn target_mut(&mut self, target_id: &str) -> Result<&mut TargetRecord, ApiError> {
        part_mut(&mut self.targets, target_id)
    }

    /// `config` with what the service adds on its own: with a policy engine, targets must pass
    /// the policy session header through, so it joins `allowedRequestHeaders`.
    fn with_service_members(&self, mut config: Map<String, Value>) -> Map<String, Value> {
        if !self.config.contains_key("policyEngineConfiguration") {
            return config;
        }
        let metadata = config.entry("metadataConfiguration").or_insert_with(|| json!({}));
        if let Value::Object(metadata) = metadata {
            let headers = metadata.entry("allowedRequestHeaders").or_insert_with(|| json!([]));
            if let Value::Array(headers) = headers {
                let present =
                    headers.iter().any(|h| h.as_str().is_some_and(|h| h.eq_ignore_ascii_case(POLICY_SESSION_HEADER)));
                if !present {
                    headers.push(Value::String(POLICY_SESSION_HEADER.into()));
                }
            }
        }
        config
    }

    /// The Create/Get/Update/Synchronize output for a target; `status` overrides the computed one
    /// (a mutation's own answer).
    fn target_detail(&self, t: &TargetRecord, now_ms: u64, status: Option<Status>) -> Value {
        let status = status.unwrap_or_else(|| t.status(now_ms));
        // A target without credentials has no `credentialProviderConfigurations`: the model's
        // list holds exactly one item, so `[]` would break it, and the SDK reads a missing list
        // as empty.
        let mut out = t.config.clone();
        out.insert("gatewayArn".into(), Value::String(self.gateway_arn.clone()));
        out.insert("targetId".into(), Value::String(t.target_id.clone()));
        t.add_common(&mut out, status, now_ms);
        if let (Some(reasons), Status::Failed | Status::UpdateUnsuccessful) = (&t.failure, status) {
            out.insert("statusReasons".into(), json!(reasons));
        }
        if let Some(protocol) = &t.facts.protocol_type {
            out.insert("protocolType".into(), Value::String(protocol.clone()));
        }
        Value::Object(out)
    }
}

impl TargetRecord {
    fn name(&self) -> &str {
        self.config.get("name").and_then(Value::as_str).unwrap_or_default()
    }

    fn status(&self, now_ms: u64) -> Status {
        if self.gone_at_ms.is_some() {
            return Status::Deleting;
        }
        if now_ms < self.ready_at_ms {
            return match self.last_change {
                TargetChange::Create => Status::Creating,
                TargetChange::Update => Status::Updating,
                TargetChange::Synchronize => Status::Synchronizing,
            };
        }
        match (&self.failure, self.last_change) {
            (Some(_), TargetChange::Create) => Status::Failed,
            (Some(_), TargetChange::Update) => Status::UpdateUnsuccessful,
            _ if !self.facts.needs_auth || self.authorized => Status::Ready,
            (_, TargetChange::Create) => Status::CreatePendingAuth,
            // Synchronizing is only allowed once authorized, so this is an update.
            (_, TargetChange::Update | TargetChange::Synchronize) => Status::UpdatePendingAuth,
        }
    }

    /// The members Get and List share: status, timestamps, sync time and authorization data.
    fn add_common(&self, out: &mut Map<String, Value>, status: Status, now_ms: u64) {
        out.insert("status".into(), Value::String(status.as_str().into()));
        out.insert("createdAt".into(), Value::String(rfc3339(self.created_at_ms)));
        out.insert("updatedAt".into(), Value::String(rfc3339(self.updated_at_ms)));
        let synchronized = match self.synchronized_at_ms {
            Some(at) if at <= now_ms => Some(at),
            _ => self.previous_synchronized_at_ms,
        };
        if let Some(at) = synchronized {
            out.insert("lastSynchronizedAt".into(), Value::String(rfc3339(at)));
        }
        if status.is_pending_auth() {
            out.insert(
                "authorizationData".into(),
                json!({ "oauth2": {
                    "authorizationUrl": format!("https://{AUTHORIZATION_HOST}/authorize?target={}", self.target_id),
                    "userId": AUTHORIZATION_USER,
                }}),
            );
        }
    }

    /// A ListGatewayTargets item: no configuration, but its kind and MCP server ordering.
    fn summary(&self, now_ms: u64) -> Value {
        let mut out = Map::new();
        out.insert("targetId".into(), Value::String(self.target_id.clone()));
        for key in ["name", "description"] {
            if let Some(v) = self.config.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        self.add_common(&mut out, self.status(now_ms), now_ms);
        out.insert("targetType".into(), Value::String(self.facts.target_type.clone()));
        let server = self.config.get("targetConfiguration").and_then(|c| c.pointer("/mcp/mcpServer"));
        for key in ["resourcePriority", "listingMode"] {
            if let Some(v) = server.and_then(|s| s.get(key)) {
                out.insert(key.into(), v.clone());
            }
        }
        Value::Object(out)
    }
}

/// The most rate limits a gateway can have.
pub const MAX_RATE_LIMITS: usize = 50;

/// A rule's or rate limit's status at some instant.
fn part_status(gone_at_ms: Option<u64>, ready_at_ms: u64, last_change: Change, now_ms: u64) -> &'static str {
    if gone_at_ms.is_some() {
        "DELETING"
    } else if now_ms < ready_at_ms {
        match last_change {
            Change::Create => "CREATING",
            Change::Update => "UPDATING",
        }
    } else {
        "ACTIVE"
    }
}

fn mismatch() -> ApiError {
    ApiError::validation(
        "IdempotentParameterMismatchException",
        "The client token was already used with different request parameters",
    )
}

/// What the stored parts of a gateway (targets, rules, rate limits) share: found by ID, replayed
/// by client token, and deleted by marking them DELETING until their delete delay has passed.
trait PartRecord {
    /// How a NotFound answer names the kind: "Gateway rule not found: …".
    const NOT_FOUND: &'static str;
    fn id(&self) -> &str;
    fn gone_at_mut(&mut self) -> &mut Option<u64>;
}

macro_rules! part_record {
    ($record:ty, $id:ident, $not_found:literal) => {
        impl PartRecord for $record {
            const NOT_FOUND: &'static str = $not_found;
            fn id(&self) -> &str {
                &self.$id
            }
            fn gone_at_mut(&mut self) -> &mut Option<u64> {
                &mut self.gone_at_ms
            }
        }
    };
}

part_record!(TargetRecord, target_id, "Target");
part_record!(RuleRecord, rule_id, "Gateway rule");
part_record!(RateLimitRecord, rate_limit_id, "Gateway rate limit");

/// Part `id` of `items`, or NotFound.
fn part<'a, R: PartRecord>(items: &'a [R], id: &str) -> Result<&'a R, ApiError> {
    items.iter().find(|r| r.id() == id).ok_or_else(|| ApiError::not_found(format!("{} not found: {id}", R::NOT_FOUND)))
}

/// Part `id` of `items`, to change, or NotFound.
fn part_mut<'a, R: PartRecord>(items: &'a mut [R], id: &str) -> Result<&'a mut R, ApiError> {
    items
        .iter_mut()
        .find(|r| r.id() == id)
        .ok_or_else(|| ApiError::not_found(format!("{} not found: {id}", R::NOT_FOUND)))
}

/// The part that client `token` created, when a create repeats it: the create is a replay. A
/// token whose part is gone is forgotten (there is nothing left to return); one that came with
/// other parameters is IdempotentParameterMismatchException.
fn replayed<'a, R: PartRecord>(
    items: &'a [R],
    tokens: &BTreeMap<String, TokenRecord>,
    token: Option<&String>,
    fingerprint: &Value,
) -> Result<Option<&'a R>, ApiError> {
    let Some(seen) = token.and_then(|t| tokens.get(t)) else { return Ok(None) };
    let Ok(r) = part(items, &seen.id) else { return Ok(None) };
    if seen.request != *fingerprint {
        return Err(mismatch());
    }
    Ok(Some(r))
}

/// Marks part `id` DELETING until `gone_at_ms` and forgets the client tokens that created it;
/// false when it already was (a repeated delete changes nothing).
fn mark_deleted<R: PartRecord>(
    items: &mut [R],
    tokens: &mut BTreeMap<String, TokenRecord>,
    id: &str,
    gone_at_ms: u64,
) -> Result<bool, ApiError> {
    let gone = part_mut(items, id)?.gone_at_mut();
    if gone.is_some() {
        return Ok(false);
    }
    *gone = Some(gone_at_ms);
    tokens.retain(|_, t| t.id != id);
    Ok(true)
}

/// CreateGatewayRule's answer: a rule's detail without `updatedAt`, which its output shape (unlike
/// Get's and Update's) does not have.
fn created_rule(mut detail: Value) -> Value {
    if let Value::Object(out) = &mut detail {
        out.remove("updatedAt");
    }
    detail
}

impl RuleRecord {
    fn status(&self, now_ms: u64) -> &'static str {
        part_status(self.gone_at_ms, self.ready_at_ms, self.last_change, now_ms)
    }

    fn priority(&self) -> Option<i64> {
        self.config.get("priority").and_then(Value::as_i64)
    }

    /// The Create/Get/Update/List output; `status` overrides the computed one.
    fn detail(&self, gateway_arn: &str, now_ms: u64, status: Option<&str>) -> Value {
        let mut out = self.config.clone();
        out.insert("ruleId".into(), Value::String(self.rule_id.clone()));
        out.insert("gatewayArn".into(), Value::String(gateway_arn.to_string()));
        out.insert("status".into(), Value::String(status.unwrap_or_else(|| self.status(now_ms)).into()));
        out.insert("createdAt".into(), Value::String(rfc3339(self.created_at_ms)));
        out.insert("updatedAt".into(), Value::String(rfc3339(self.updated_at_ms)));
        if let Some(by) = &self.managed_by {
            out.insert("system".into(), json!({ "managedBy": by }));
        }
        Value::Object(out)
    }
}

impl RateLimitRecord {
    fn status(&self, now_ms: u64) -> &'static str {
        part_status(self.gone_at_ms, self.ready_at_ms, self.last_change, now_ms)
    }

    /// The Create/Get/Update/List/BatchPut output; `status` overrides the computed one.
    fn detail(&self, gateway_id: &str, now_ms: u64, status: Option<&str>) -> Value {
        let mut out = self.config.clone();
        out.insert("rateLimitId".into(), Value::String(self.rate_limit_id.clone()));
        out.insert("gatewayIdentifier".into(), Value::String(gateway_id.to_string()));
        out.insert("dimensionKeys".into(), json!(self.dimension_keys));
        out.insert("status".into(), Value::String(status.unwrap_or_else(|| self.status(now_ms)).into()));
        out.insert("createdAt".into(), Value::String(rfc3339(self.created_at_ms)));
        out.insert("updatedAt".into(), Value::String(rfc3339(self.updated_at_ms)));
        Value::Object(out)
    }
}

impl GatewayRecord {
    fn rule(&self, rule_id: &str) -> Result<&RuleRecord, ApiError> {
        part(&self.rules, rule_id)
    }

    fn rule_mut(&mut self, rule_id: &str) -> Result<&mut RuleRecord, ApiError> {
        part_mut(&mut self.rules, rule_id)
    }

    /// The live rule (not being deleted) other than `except` that holds `priority`.
    fn priority_holder(&self, priority: i64, except: Option<&str>) -> Option<&RuleRecord> {
        self.rules
            .iter()
            .find(|r| r.gone_at_ms.is_none() && r.priority() == Some(priority) && Some(r.rule_id.as_str()) != except)
    }

    fn rate_limit(&self, id: &str) -> Result<&RateLimitRecord, ApiError> {
        part(&self.rate_limits, id)
    }

    fn rate_limit_mut(&mut self, id: &str) -> Result<&mut RateLimitRecord, ApiError> {
        part_mut(&mut self.rate_limits, id)
    }

    fn live_rate_limits(&self) -> usize {
        self.rate_limits.iter().filter(|r| r.gone_at_ms.is_none()).count()
    }

    fn refuse_if_deleting(&self) -> Result<(), ApiError> {
        if self.gone_at_ms.is_some() {
            return Err(ApiError::conflict(format!("Gateway {} is being deleted", self.gateway_id)));
        }
        Ok(())
    }
}

/// One page of `items` (in creation order) after the token, under `key`.
fn page<T>(
    items: &[T],
    seq: impl Fn(&T) -> u64,
    show: impl Fn(&T) -> Value,
    paging: &Paging,
    kind: &str,
    key: &str,
) -> Result<Value, ApiError> {
    let after = decode_token(paging.next_token.as_deref(), kind)?;
    let all: Vec<&T> = items.iter().filter(|t| seq(t) > after).collect();
    let page = &all[..all.len().min(paging.max_results)];
    let mut body = json!({ key: page.iter().map(|t| show(t)).collect::<Vec<Value>>() });
    if all.len() > page.len() {
        if let Some(last) = page.last() {
            body["nextToken"] = Value::String(encode_token(kind, seq(last)));
        }
    }
    Ok(body)
}

impl State {
    /// The answer to a delete of a part (DELETING); the state changed only if it was `marked` now.
    fn part_deleted(&mut self, now_ms: u64, body: Value, marked: bool) -> Answer {
        if marked {
            self.purge(now_ms);
            self.mutated();
        }
        Answer { status: 202, body: Some(body), mutated: marked }
    }

    fn next(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// CreateGatewayRule: CREATING for the create delay, then ACTIVE. A priority held by another
    /// rule of the gateway is a ConflictException.
    pub fn create_rule(&mut self, gateway_id: &str, req: RuleRequest, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let rule_id = self.new_rule_id();
        let g = self.gateway(gateway_id)?;
        g.refuse_if_deleting()?;
        let fingerprint = req.fingerprint();
        if let Some(r) = replayed(&g.rules, &g.rule_tokens, req.client_token.as_ref(), &fingerprint)? {
            let body = created_rule(r.detail(&g.gateway_arn, env.now_ms, None));
            return Ok(Answer { status: 202, body: Some(body), mutated: false });
        }
        if let Some(other) = g.priority_holder(i64::from(req.priority), None) {
            return Err(ApiError::conflict(format!(
                "A rule with priority {} already exists in this gateway ({})",
                req.priority, other.rule_id
            )));
        }
        let seq = self.next();
        let g = self.gateway_mut(gateway_id)?;
        let rule = RuleRecord {
            seq,
            rule_id: rule_id.clone(),
            config: req.config,
            created_at_ms: env.now_ms,
            updated_at_ms: env.now_ms,
            ready_at_ms: env.now_ms + millis(env.delays.create),
            last_change: Change::Create,
            gone_at_ms: None,
            managed_by: None,
        };
        let body = created_rule(rule.detail(&g.gateway_arn, env.now_ms, Some("CREATING")));
        if let Some(token) = req.client_token {
            g.rule_tokens.insert(token, TokenRecord { id: rule_id, request: fingerprint });
        }
        g.rules.push(rule);
        self.mutated();
        Ok(Answer { status: 202, body: Some(body), mutated: true })
    }

    /// GetGatewayRule.
    pub fn get_rule(&mut self, gateway_id: &str, rule_id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        Ok(Answer::read(g.rule(rule_id)?.detail(&g.gateway_arn, env.now_ms, None)))
    }

    /// UpdateGatewayRule (PATCH): present members replace, absent ones stay; UPDATING for the
    /// update delay. System-managed rules are refused with ValidationException.
    pub fn update_rule(
        &mut self,
        gateway_id: &str,
        rule_id: &str,
        patch: RulePatch,
        env: &Env<'_>,
    ) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        let r = g.rule(rule_id)?;
        if let Some(by) = &r.managed_by {
            return Err(ApiError::validation(
                "FieldValidationFailed",
                format!("Rule {rule_id} is managed by {by} and cannot be updated"),
            ));
        }
        let status = r.status(env.now_ms);
        if status != "ACTIVE" {
            return Err(ApiError::conflict(format!(
                "Rule {rule_id} is {status} and cannot be updated until it is ACTIVE"
            )));
        }
        if let Some(p) = patch.priority {
            if let Some(other) = g.priority_holder(i64::from(p), Some(rule_id)) {
                return Err(ApiError::conflict(format!(
                    "A rule with priority {p} already exists in this gateway ({})",
                    other.rule_id
                )));
            }
        }
        let g = self.gateway_mut(gateway_id)?;
        let arn = g.gateway_arn.clone();
        let r = g.rule_mut(rule_id)?;
        for (k, v) in patch.members {
            if k == "conditions" && v.as_array().is_some_and(Vec::is_empty) {
                r.config.remove(&k);
            } else {
                r.config.insert(k, v);
            }
        }
        r.updated_at_ms = env.now_ms;
        r.ready_at_ms = env.now_ms + millis(env.delays.update);
        r.last_change = Change::Update;
        let body = r.detail(&arn, env.now_ms, Some("UPDATING"));
        self.mutated();
        Ok(Answer { status: 202, body: Some(body), mutated: true })
    }

    /// DeleteGatewayRule: DELETING for the delete delay, then gone. System-managed rules are
    /// refused with ValidationException.
    pub fn delete_rule(&mut self, gateway_id: &str, rule_id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_mut(gateway_id)?;
        let body = json!({ "ruleId": rule_id, "status": "DELETING" });
        if let Some(by) = &g.rule(rule_id)?.managed_by {
            return Err(ApiError::validation(
                "FieldValidationFailed",
                format!("Rule {rule_id} is managed by {by} and cannot be deleted"),
            ));
        }
        let marked = mark_deleted(&mut g.rules, &mut g.rule_tokens, rule_id, env.now_ms + millis(env.delays.delete))?;
        Ok(self.part_deleted(env.now_ms, body, marked))
    }

    /// ListGatewayRules: full details, in creation order.
    pub fn list_rules(&mut self, gateway_id: &str, paging: &Paging, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        let body =
            page(&g.rules, |r| r.seq, |r| r.detail(&g.gateway_arn, env.now_ms, None), paging, "r", "gatewayRules")?;
        Ok(Answer::read(body))
    }

    /// Adds a rule as an AWS process would (`system.managedBy`), ACTIVE at once; users cannot
    /// update or delete it. `None` when there is no such gateway or the priority is taken.
    pub fn add_system_rule(
        &mut self,
        gateway_id: &str,
        priority: i32,
        managed_by: &str,
        now_ms: u64,
    ) -> Option<String> {
        let mut config = Map::new();
        config.insert("priority".into(), json!(priority));
        config.insert("description".into(), Value::String(format!("Managed by {managed_by}")));
        config.insert("actions".into(), json!([{ "routeToTarget": { "staticRoute": { "targetName": "system" } } }]));
        self.plant_rule(gateway_id, config, Some(managed_by.to_string()), true, now_ms)
    }

    /// Adds a user rule at `priority` (matching `/planted/*`, routed to target `planted`), ACTIVE
    /// at once, without the priority check of CreateGatewayRule: two live rules can then share a
    /// priority, as a race in the service could leave them. Users can update and delete it like
    /// any rule. `None` when there is no such gateway.
    pub fn add_rule_unchecked(&mut self, gateway_id: &str, priority: i32, now_ms: u64) -> Option<String> {
        let mut config = Map::new();
        config.insert("priority".into(), json!(priority));
        config.insert("description".into(), Value::String(format!("Planted at priority {priority}")));
        config.insert("conditions".into(), json!([{ "matchPaths": { "anyOf": ["/planted/*"] } }]));
        config.insert("actions".into(), json!([{ "routeToTarget": { "staticRoute": { "targetName": "planted" } } }]));
        self.plant_rule(gateway_id, config, None, false, now_ms)
    }

    /// Stores a rule without a request (for the test hooks above), ACTIVE at once. With
    /// `exclusive`, `None` when another live rule holds its priority.
    fn plant_rule(
        &mut self,
        gateway_id: &str,
        config: Map<String, Value>,
        managed_by: Option<String>,
        exclusive: bool,
        now_ms: u64,
    ) -> Option<String> {
        self.purge(now_ms);
        let rule_id = self.new_rule_id();
        let seq = self.next_seq;
        let priority = config.get("priority").and_then(Value::as_i64)?;
        let g = self.gateways.get_mut(gateway_id)?;
        if exclusive && g.priority_holder(priority, None).is_some() {
            return None;
        }
        g.rules.push(RuleRecord {
            seq,
            rule_id: rule_id.clone(),
            config,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
            ready_at_ms: now_ms,
            last_change: Change::Create,
            gone_at_ms: None,
            managed_by,
        });
        self.next_seq += 1;
        self.mutated();
        Some(rule_id)
    }

    /// A rate limit ID for a request that names none: `rl` and 10 random alphanumerics.
    fn new_rate_limit_id(&mut self, taken: &BTreeSet<String>) -> String {
        loop {
            let id = format!("rl{}", self.random_id(b"abcdefghijklmnopqrstuvwxyz0123456789"));
            if !taken.contains(&id) {
                return id;
            }
        }
    }

    /// CreateGatewayRateLimit: CREATING for the create delay, then ACTIVE. An ID or a set of
    /// dimension keys already in use is a ConflictException; a 51st rate limit exceeds the quota.
    pub fn create_rate_limit(
        &mut self,
        gateway_id: &str,
        req: RateLimitRequest,
        env: &Env<'_>,
    ) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        g.refuse_if_deleting()?;
        let fingerprint = req.fingerprint();
        if let Some(r) = replayed(&g.rate_limits, &g.rate_limit_tokens, req.client_token.as_ref(), &fingerprint)? {
            return Ok(Answer { status: 201, body: Some(r.detail(gateway_id, env.now_ms, None)), mutated: false });
        }
        if let Some(id) = &req.rate_limit_id {
            if g.rate_limit(id).is_ok() {
                return Err(ApiError::conflict(format!("A rate limit with ID {id} already exists in this gateway")));
            }
        }
        if let Some(other) =
            g.rate_limits.iter().find(|r| r.gone_at_ms.is_none() && r.dimension_keys == req.dimension_keys)
        {
            return Err(ApiError::conflict(format!(
                "Rate limit {} already has these dimension keys; dimension keys are unique per gateway",
                other.rate_limit_id
            )));
        }
        if g.live_rate_limits() >= MAX_RATE_LIMITS {
            return Err(ApiError::quota(format!("A gateway can have at most {MAX_RATE_LIMITS} rate limits")));
        }
        let taken: BTreeSet<String> = g.rate_limits.iter().map(|r| r.rate_limit_id.clone()).collect();
        let id = match &req.rate_limit_id {
            Some(id) => id.clone(),
            None => self.new_rate_limit_id(&taken),
        };
        let seq = self.next();
        let record = RateLimitRecord {
            seq,
            rate_limit_id: id.clone(),
            dimension_keys: req.dimension_keys,
            config: req.config,
            created_at_ms: env.now_ms,
            updated_at_ms: env.now_ms,
            ready_at_ms: env.now_ms + millis(env.delays.create),
            last_change: Change::Create,
            gone_at_ms: None,
        };
        let body = record.detail(gateway_id, env.now_ms, Some("CREATING"));
        let g = self.gateway_mut(gateway_id)?;
        if let Some(token) = req.client_token {
            g.rate_limit_tokens.insert(token, TokenRecord { id, request: fingerprint });
        }
        g.rate_limits.push(record);
        self.mutated();
        // The model's `http.responseCode` for CreateGatewayRateLimit (rules and targets say 202).
        Ok(Answer { status: 201, body: Some(body), mutated: true })
    }

    /// GetGatewayRateLimit.
    pub fn get_rate_limit(&mut self, gateway_id: &str, id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        Ok(Answer::read(g.rate_limit(id)?.detail(gateway_id, env.now_ms, None)))
    }

    /// UpdateGatewayRateLimit (PATCH): description and entries; the dimension keys stay.
    pub fn update_rate_limit(
        &mut self,
        gateway_id: &str,
        id: &str,
        patch: RateLimitPatch,
        env: &Env<'_>,
    ) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        let r = g.rate_limit(id)?;
        let status = r.status(env.now_ms);
        if status != "ACTIVE" {
            return Err(ApiError::conflict(format!(
                "Rate limit {id} is {status} and cannot be updated until it is ACTIVE"
            )));
        }
        if let Some(entries) = patch.members.get("entries") {
            check_entries(&r.dimension_keys, entries)?;
        }
        let r = self.gateway_mut(gateway_id)?.rate_limit_mut(id)?;
        for (k, v) in patch.members {
            // `"description": ""` clears the description (see request::take_empty_description).
            if k == "description" && v.as_str() == Some("") {
                r.config.remove(&k);
            } else {
                r.config.insert(k, v);
            }
        }
        r.updated_at_ms = env.now_ms;
        r.ready_at_ms = env.now_ms + millis(env.delays.update);
        r.last_change = Change::Update;
        let body = r.detail(gateway_id, env.now_ms, Some("UPDATING"));
        self.mutated();
        Ok(Answer { status: 200, body: Some(body), mutated: true })
    }

    /// DeleteGatewayRateLimit: DELETING for the delete delay, then gone.
    pub fn delete_rate_limit(&mut self, gateway_id: &str, id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_mut(gateway_id)?;
        let body = json!({ "rateLimitId": id, "status": "DELETING" });
        let marked =
            mark_deleted(&mut g.rate_limits, &mut g.rate_limit_tokens, id, env.now_ms + millis(env.delays.delete))?;
        // The model's `http.responseCode` for DeleteGatewayRateLimit is 200 (a rule's is 202).
        Ok(Answer { status: 200, ..self.part_deleted(env.now_ms, body, marked) })
    }

    /// ListGatewayRateLimits: full details, in creation order.
    pub fn list_rate_limits(&mut self, gateway_id: &str, paging: &Paging, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        let body =
            page(&g.rate_limits, |r| r.seq, |r| r.detail(gateway_id, env.now_ms, None), paging, "l", "rateLimits")?;
        Ok(Answer::read(body))
    }

    /// BatchPutGatewayRateLimits: the request is the complete set. Each item updates the rate
    /// limit with its `rateLimitId` or, without one, the one with its dimension keys; the others
    /// are created, and rate limits the request does not match are deleted. All or nothing:
    /// every check runs before any change.
    pub fn batch_put_rate_limits(
        &mut self,
        gateway_id: &str,
        client_token: Option<String>,
        items: Vec<RateLimitRequest>,
        env: &Env<'_>,
    ) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let fingerprint = json!(items.iter().map(RateLimitRequest::fingerprint).collect::<Vec<_>>());
        let token_key = client_token.map(|t| format!("batch:{t}"));
        let g = self.gateway(gateway_id)?;
        g.refuse_if_deleting()?;
        if let Some(seen) = token_key.as_ref().and_then(|k| g.rate_limit_tokens.get(k)) {
            if seen.request != fingerprint {
                return Err(mismatch());
            }
            let details: Vec<Value> = g
                .rate_limits
                .iter()
                .filter(|r| r.gone_at_ms.is_none())
                .map(|r| r.detail(gateway_id, env.now_ms, None))
                .collect();
            return Ok(Answer { status: 200, body: Some(json!({ "rateLimits": details })), mutated: false });
        }
        if items.len() > MAX_RATE_LIMITS {
            return Err(ApiError::quota(format!(
                "A gateway can have at most {MAX_RATE_LIMITS} rate limits; the request has {}",
                items.len()
            )));
        }
        // Match each item to an existing rate limit, and refuse duplicates within the request.
        let live: Vec<&RateLimitRecord> = g.rate_limits.iter().filter(|r| r.gone_at_ms.is_none()).collect();
        let mut matched: Vec<Option<String>> = Vec::with_capacity(items.len());
        let mut fields = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let twin = items[..i].iter().any(|o| {
                (item.rate_limit_id.is_some() && o.rate_limit_id == item.rate_limit_id)
                    || o.dimension_keys == item.dimension_keys
            });
            if twin {
                fields.push((
                    format!("rateLimits[{i}]"),
                    "repeats the rateLimitId or dimensionKeys of an earlier item".to_string(),
                ));
            }
            let existing = match &item.rate_limit_id {
                Some(id) => live.iter().find(|r| &r.rate_limit_id == id),
                None => live.iter().find(|r| r.dimension_keys == item.dimension_keys),
            };
            match existing {
                Some(r) if r.dimension_keys != item.dimension_keys => fields.push((
                    format!("rateLimits[{i}].dimensionKeys"),
                    format!("cannot change the dimension keys of rate limit {}", r.rate_limit_id),
                )),
                Some(r) => {
                    if let Some(other) = live
                        .iter()
                        .find(|o| o.rate_limit_id != r.rate_limit_id && o.dimension_keys == item.dimension_keys)
                    {
                        fields.push((
                            format!("rateLimits[{i}].dimensionKeys"),
                            format!("are those of rate limit {}", other.rate_limit_id),
                        ));
                    }
                }
                None => {}
            }
            if existing.is_none() {
                if let Some(id) = &item.rate_limit_id {
                    if g.rate_limits.iter().any(|r| &r.rate_limit_id == id) {
                        fields.push((
                            format!("rateLimits[{i}].rateLimitId"),
                            format!("rate limit {id} is being deleted"),
                        ));
                    }
                }
            }
            matched.push(existing.map(|r| r.rate_limit_id.clone()));
        }
        if !fields.is_empty() {
            return Err(ApiError::fields(fields));
        }
        let keep: BTreeSet<String> = matched.iter().flatten().cloned().collect();
        let mut taken: BTreeSet<String> = g.rate_limits.iter().map(|r| r.rate_limit_id.clone()).collect();
        let mut ids = Vec::with_capacity(items.len());
        for (item, existing) in items.iter().zip(&matched) {
            let id = match (existing, &item.rate_limit_id) {
                (Some(id), _) | (None, Some(id)) => id.clone(),
                (None, None) => self.new_rate_limit_id(&taken),
            };
            taken.insert(id.clone());
            ids.push(id);
        }
        let mut created = Vec::new();
        for ((item, existing), id) in items.into_iter().zip(matched).zip(ids) {
            let seq = if existing.is_none() { self.next() } else { 0 };
            created.push((item, existing, id, seq));
        }
        let g = self.gateway_mut(gateway_id)?;
        for r in g.rate_limits.iter_mut().filter(|r| r.gone_at_ms.is_none() && !keep.contains(&r.rate_limit_id)) {
            r.gone_at_ms = Some(env.now_ms + millis(env.delays.delete));
        }
        let mut out = Vec::new();
        for (item, existing, id, seq) in created {
            if existing.is_some() {
                let r = g.rate_limit_mut(&id)?;
                r.config = item.config;
                r.updated_at_ms = env.now_ms;
                r.ready_at_ms = env.now_ms + millis(env.delays.update);
                r.last_change = Change::Update;
                out.push(r.detail(gateway_id, env.now_ms, Some("UPDATING")));
            } else {
                let record = RateLimitRecord {
                    seq,
                    rate_limit_id: id,
                    dimension_keys: item.dimension_keys,
                    config: item.config,
                    created_at_ms: env.now_ms,
                    updated_at_ms: env.now_ms,
                    ready_at_ms: env.now_ms + millis(env.delays.create),
                    last_change: Change::Create,
                    gone_at_ms: None,
                };
                out.push(record.detail(gateway_id, env.now_ms, Some("CREATING")));
                g.rate_limits.push(record);
            }
        }
        let live_ids: BTreeSet<String> =
            g.rate_limits.iter().filter(|r| r.gone_at_ms.is_none()).map(|r| r.rate_limit_id.clone()).collect();
        g.rate_limit_tokens.retain(|k, t| k.starts_with("batch:") || live_ids.contains(&t.id));
        if let Some(key) = token_key {
            g.rate_limit_tokens.insert(key, TokenRecord { id: String::new(), request: fingerprint });
        }
        self.purge(env.now_ms);
        self.mutated();
        Ok(Answer { status: 200, body: Some(json!({ "rateLimits": out })), mutated: true })
    }

    /// PutResourcePolicy on a gateway ARN: creates or replaces; answers the policy.
    pub fn put_resource_policy(&mut self, arn: &str, policy: String, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_by_arn(arn)?;
        g.refuse_if_deleting()?;
        g.resource_policy = Some(policy.clone());
        self.mutated();
        Ok(Answer { status: 201, body: Some(json!({ "policy": policy })), mutated: true })
    }

    /// GetResourcePolicy: ResourceNotFoundException when the gateway has none.
    pub fn get_resource_policy(&mut self, arn: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_by_arn(arn)?;
        match &g.resource_policy {
            Some(p) => Ok(Answer::read(json!({ "policy": p }))),
            None => Err(ApiError::not_found(format!("No resource policy exists for {arn}"))),
        }
    }

    /// DeleteResourcePolicy: ResourceNotFoundException when the gateway has none.
    pub fn delete_resource_policy(&mut self, arn: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_by_arn(arn)?;
        if g.resource_policy.take().is_none() {
            return Err(ApiError::not_found(format!("No resource policy exists for {arn}")));
        }
        self.mutated();
        Ok(Answer { status: 204, body: None, mutated: true })
    }
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

#[cfg(test)]
mod tests {
    use super::super::request::{parse_create, parse_create_target, parse_update, parse_update_target, DEFAULT_PAGE};
    use super::*;

    fn env(now_ms: u64) -> Env<'static> {
        Env {
            now_ms,
            region: "us-east-1",
            delays: Delays {
                create: Duration::from_millis(100),
                update: Duration::from_millis(100),
                delete: Duration::from_millis(100),
            },
        }
    }

    fn create_body(name: &str, auth: &str) -> Vec<u8> {
        format!(r#"{{"name":"{name}","roleArn":"arn:aws:iam::123456789012:role/r","authorizerType":"{auth}","protocolConfiguration":{{"mcp":{{}}}}}}"#)
            .into_bytes()
    }

    fn id_of(a: &Answer) -> String {
        a.body.as_ref().and_then(|b| b["gatewayId"].as_str()).unwrap_or_default().to_string()
    }

    #[test]
    fn lifecycle_follows_the_delays() {
        let mut s = State::new(Some(7));
        let a = s.create_gateway(parse_create(&create_body("Orders", "NONE")).unwrap(), &env(1000)).unwrap();
        let id = id_of(&a);
        assert!(id.starts_with("orders-") && id.len() == "orders-".len() + 10, "{id}");
        assert_eq!(a.body.as_ref().unwrap()["status"], "CREATING");
        let got = s.get_gateway(&id, &env(1050)).unwrap().body.unwrap();
        assert_eq!(got["status"], "CREATING");
        assert_eq!(got["protocolConfiguration"]["mcp"]["sessionConfiguration"]["sessionTimeoutInSeconds"], 3600);
        assert!(got.get("protocolType").is_none());
        assert_eq!(s.get_gateway(&id, &env(1100)).unwrap().body.unwrap()["status"], "READY");

        let upd = parse_update(&create_body("Orders", "NONE")).unwrap();
        s.update_gateway(&id, upd.clone(), &env(2000)).unwrap();
        assert_eq!(s.get_gateway(&id, &env(2050)).unwrap().body.unwrap()["status"], "UPDATING");
        let e = s.update_gateway(&id, upd, &env(2050)).unwrap_err();
        assert_eq!(e.code, "ConflictException");

        s.delete_gateway(&id, &env(3000)).unwrap();
        assert_eq!(s.get_gateway(&id, &env(3050)).unwrap().body.unwrap()["status"], "DELETING");
        assert_eq!(s.get_gateway(&id, &env(3100)).unwrap_err().code, "ResourceNotFoundException");
    }

    #[test]
    fn paging_survives_deletions_between_pages() {
        let mut s = State::new(Some(1));
        let mut ids = Vec::new();
        for i in 0..7 {
            let a = s.create_gateway(parse_create(&create_body(&format!("g{i}"), "NONE")).unwrap(), &env(0)).unwrap();
            ids.push(id_of(&a));
        }
        let page = |s: &mut State, token: Option<String>| {
            let p = Paging { max_results: 3, next_token: token };
            s.list_gateways(&p, &env(0)).unwrap().body.unwrap()
        };
        let first = page(&mut s, None);
        assert_eq!(first["items"].as_array().unwrap().len(), 3);
        s.delete_gateway(&ids[0], &env(0)).unwrap();
        let second = page(&mut s, first["nextToken"].as_str().map(str::to_string));
        assert_eq!(second["items"][0]["gatewayId"], ids[3]);
        assert!(second["items"][0].get("gatewayArn").is_none());
        let third = page(&mut s, second["nextToken"].as_str().map(str::to_string));
        assert_eq!(third["items"].as_array().unwrap().len(), 1);
        assert!(third.get("nextToken").is_none());
        let bad = Paging { max_results: DEFAULT_PAGE, next_token: Some("zz".into()) };
        assert_eq!(s.list_gateways(&bad, &env(0)).unwrap_err().code, "ValidationException");
    }

    #[test]
    fn snapshot_round_trips() {
        let mut s = State::new(Some(3));
        let a = s.create_gateway(parse_create(&create_body("keep", "AWS_IAM")).unwrap(), &env(0)).unwrap();
        let (_, bytes) = s.snapshot().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, bytes).unwrap();
        let mut back = State::load(&path, None).unwrap();
        let got = back.get_gateway(&id_of(&a), &env(500)).unwrap().body.unwrap();
        assert_eq!(got["authorizerType"], "AWS_IAM");
        assert_eq!(got["status"], "READY");
    }

    #[test]
    fn an_unchecked_rule_shares_a_priority_that_create_and_system_rules_refuse() {
        use super::super::request::parse_create_rule;
        let mut s = State::new(Some(4));
        let id = id_of(&s.create_gateway(parse_create(&create_body("dup", "AWS_IAM")).unwrap(), &env(0)).unwrap());
        let rule = br#"{"priority":10,"actions":[{"routeToTarget":{"staticRoute":{"targetName":"t"}}}]}"#;
        s.create_rule(&id, parse_create_rule(rule).unwrap(), &env(0)).unwrap();
        assert_eq!(
            s.create_rule(&id, parse_create_rule(rule).unwrap(), &env(0)).unwrap_err().code,
            "ConflictException"
        );
        assert_eq!(s.add_system_rule(&id, 10, "aws", 0), None);
        let planted = s.add_rule_unchecked(&id, 10, 0).expect("planted");
        assert_eq!(s.add_rule_unchecked("no-such-gateway", 10, 0), None);
        let all = s.list_rules(&id, &Paging { max_results: 50, next_token: None }, &env(500)).unwrap().body.unwrap();
        let rules = all["gatewayRules"].as_array().unwrap();
        assert_eq!(rules.iter().map(|r| r["priority"].as_i64()).collect::<Vec<_>>(), [Some(10), Some(10)]);
        assert_eq!(rules[1]["ruleId"], planted.as_str());
        assert!(rules[1].get("system").is_none(), "a user rule: {all}");
        // A user rule like any other: it can be deleted.
        s.delete_rule(&id, &planted, &env(600)).unwrap();
    }

    #[test]
    fn rules_rate_limits_and_policies_survive_the_state_file_and_old_files_still_load() {
        use super::super::request::{parse_create_rate_limit, parse_create_rule, parse_put_policy};
        let mut s = State::new(Some(3));
        let id = id_of(&s.create_gateway(parse_create(&create_body("parts", "AWS_IAM")).unwrap(), &env(0)).unwrap());
        let rule = br#"{"priority":7,"actions":[{"routeToTarget":{"staticRoute":{"targetName":"t"}}}]}"#;
        let rule_id = s.create_rule(&id, parse_create_rule(rule).unwrap(), &env(0)).unwrap().body.unwrap()["ruleId"]
            .as_str()
            .unwrap()
            .to_string();
        let limit = br#"{"rateLimitId":"l1","dimensionKeys":["targetName"],"entries":[{"dimensions":{"targetName":"*"},"requests":[{"rate":1.5,"period":"second"}]}]}"#;
        s.create_rate_limit(&id, parse_create_rate_limit(limit).unwrap(), &env(0)).unwrap();
        let arn = format!("arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:gateway/{id}");
        let policy = parse_put_policy(br#"{"policy":"{\"Version\":\"2012-10-17\"}"}"#).unwrap();
        s.put_resource_policy(&arn, policy, &env(0)).unwrap();
        let (_, bytes) = s.snapshot().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, &bytes).unwrap();
        let mut back = State::load(&path, None).unwrap();
        let got = back.get_rule(&id, &rule_id, &env(500)).unwrap().body.unwrap();
        assert_eq!((got["priority"].as_i64(), got["status"].as_str()), (Some(7), Some("ACTIVE")));
        let got = back.get_rate_limit(&id, "l1", &env(500)).unwrap().body.unwrap();
        assert_eq!(got["entries"][0]["requests"][0]["rate"], 1.5);
        assert_eq!(
            back.get_resource_policy(&arn, &env(500)).unwrap().body.unwrap()["policy"],
            r#"{"Version":"2012-10-17"}"#
        );
        // A state file written before rules existed has none of their keys.
        let mut old: Value = serde_json::from_slice(&bytes).unwrap();
        for key in ["rules", "ruleTokens", "rateLimits", "rateLimitTokens", "resourcePolicy"] {
            old["gateways"][&id].as_object_mut().unwrap().remove(key);
        }
        std::fs::write(&path, serde_json::to_vec(&old).unwrap()).unwrap();
        let mut old = State::load(&path, None).unwrap();
        assert!(old.get_resource_policy(&arn, &env(500)).is_err());
        assert_eq!(
            old.list_rules(&id, &Paging { max_results: 50, next_token: None }, &env(500)).unwrap().body.unwrap()
                ["gatewayRules"],
            json!([])
        );
    }

    fn target_body(name: &str, extra: &str) -> Vec<u8> {
        format!(r#"{{"name":"{name}","targetConfiguration":{{"mcp":{{"mcpServer":{{"endpoint":"https://mcp.example.com"}}}}}}{extra}}}"#)
            .into_bytes()
    }

    const AUTH_CODE: &str = r#","credentialProviderConfigurations":[{"credentialProviderType":"OAUTH","credentialProvider":
        {"oauthCredentialProvider":{"providerArn":"arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/p","scopes":["s"],"grantType":"AUTHORIZATION_CODE"}}}]"#;

    fn gateway(s: &mut State) -> String {
        id_of(&s.create_gateway(parse_create(&create_body("gw", "NONE")).unwrap(), &env(0)).unwrap())
    }

    fn target_id(a: &Answer) -> String {
        a.body.as_ref().and_then(|b| b["targetId"].as_str()).unwrap_or_default().to_string()
    }

    #[test]
    fn target_lifecycle_and_pending_auth() {
        let mut s = State::new(Some(5));
        let g = gateway(&mut s);
        let a = s.create_target(&g, parse_create_target(&target_body("t", AUTH_CODE)).unwrap(), &env(1000)).unwrap();
        let t = target_id(&a);
        assert_eq!(a.body.as_ref().unwrap()["status"], "CREATING");
        let got = s.get_target(&g, &t, &env(1050)).unwrap().body.unwrap();
        assert_eq!(got["status"], "CREATING");
        assert!(got.get("authorizationData").is_none());
        let got = s.get_target(&g, &t, &env(1100)).unwrap().body.unwrap();
        assert_eq!(got["status"], "CREATE_PENDING_AUTH");
        let url = got["authorizationData"]["oauth2"]["authorizationUrl"].as_str().unwrap();
        assert!(url.starts_with("https://") && url.ends_with(&format!("/authorize?target={t}")), "{url}");
        assert_eq!(got["protocolType"], "MCP");

        let upd = parse_update_target(&target_body("t", AUTH_CODE)).unwrap();
        assert_eq!(s.update_target(&g, &t, upd.clone(), &env(1200)).unwrap_err().code, "ConflictException");
        assert_eq!(s.synchronize_target(&g, &t, &env(1200)).unwrap_err().code, "ConflictException");
        assert_eq!(s.delete_target(&g, &t, &env(1200)).unwrap_err().code, "ConflictException");
        assert!(s.authorize_target(&g, &t));
        assert_eq!(s.get_target(&g, &t, &env(1200)).unwrap().body.unwrap()["status"], "READY");

        s.update_target(&g, &t, upd, &env(2000)).unwrap();
        let got = s.get_target(&g, &t, &env(2050)).unwrap().body.unwrap();
        assert_eq!(
            (got["status"].as_str(), got["updatedAt"].as_str()),
            (Some("UPDATING"), Some(rfc3339(2000).as_str()))
        );
        assert_eq!(s.get_target(&g, &t, &env(2100)).unwrap().body.unwrap()["status"], "UPDATE_PENDING_AUTH");
        assert!(s.authorize_target(&g, &t));

        let synced = s.synchronize_target(&g, &t, &env(3000)).unwrap().body.unwrap();
        assert_eq!(synced["targets"][0]["status"], "SYNCHRONIZING");
        assert!(synced["targets"][0].get("lastSynchronizedAt").is_none());
        let got = s.get_target(&g, &t, &env(3100)).unwrap().body.unwrap();
        assert_eq!(
            (got["status"].as_str(), got["lastSynchronizedAt"].as_str()),
            (Some("READY"), Some(rfc3339(3100).as_str()))
        );
    }

    #[test]
    fn target_failures_tokens_and_names() {
        let mut s = State::new(Some(6));
        let g = gateway(&mut s);
        s.fail_next_target(&g, "t", vec!["cannot reach the endpoint".into()]);
        let token = r#","clientToken":"0123456789abcdef0123456789abcdef0""#;
        let a = s.create_target(&g, parse_create_target(&target_body("t", token)).unwrap(), &env(0)).unwrap();
        let t = target_id(&a);
        let got = s.get_target(&g, &t, &env(100)).unwrap().body.unwrap();
        assert_eq!(
            (got["status"].as_str(), &got["statusReasons"][0]),
            (Some("FAILED"), &json!("cannot reach the endpoint"))
        );
        assert_eq!(got.get("credentialProviderConfigurations"), None, "the model's list holds exactly one item");

        let again = s.create_target(&g, parse_create_target(&target_body("t", token)).unwrap(), &env(200)).unwrap();
        assert_eq!((target_id(&again), again.mutated), (t.clone(), false));
        let other = format!(r#","description":"x"{token}"#);
        let e = s.create_target(&g, parse_create_target(&target_body("t", &other)).unwrap(), &env(200)).unwrap_err();
        assert_eq!(e.reason, Some("IdempotentParameterMismatchException"));
        let e = s.create_target(&g, parse_create_target(&target_body("t", "")).unwrap(), &env(200)).unwrap_err();
        assert_eq!(e.code, "ConflictException");

        let u = s.create_target(&g, parse_create_target(&target_body("u", "")).unwrap(), &env(200)).unwrap();
        let rename = parse_update_target(&target_body("t", "")).unwrap();
        assert_eq!(s.update_target(&g, &target_id(&u), rename, &env(300)).unwrap_err().code, "ConflictException");
        s.fail_next_target(&g, "t", vec!["still broken".into()]);
        s.update_target(&g, &t, parse_update_target(&target_body("t", "")).unwrap(), &env(300)).unwrap();
        assert_eq!(s.get_target(&g, &t, &env(400)).unwrap().body.unwrap()["status"], "UPDATE_UNSUCCESSFUL");
        s.update_target(&g, &t, parse_update_target(&target_body("t", "")).unwrap(), &env(500)).unwrap();
        assert_eq!(s.get_target(&g, &t, &env(600)).unwrap().body.unwrap()["status"], "READY");
    }

    #[test]
    fn policy_engine_adds_its_header_once() {
        let mut s = State::new(Some(8));
        let body = r#"{"name":"pe","roleArn":"arn:aws:iam::123456789012:role/r","authorizerType":"NONE",
            "policyEngineConfiguration":{"arn":"arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/pe-0123456789","mode":"ENFORCE"}}"#;
        let g = id_of(&s.create_gateway(parse_create(body.as_bytes()).unwrap(), &env(0)).unwrap());
        let a = s.create_target(&g, parse_create_target(&target_body("a", "")).unwrap(), &env(0)).unwrap();
        let headers = &a.body.unwrap()["metadataConfiguration"]["allowedRequestHeaders"];
        assert_eq!(headers, &json!([POLICY_SESSION_HEADER]));
        let extra =
            format!(r#","metadataConfiguration":{{"allowedRequestHeaders":["x-a","{POLICY_SESSION_HEADER}"]}}"#);
        let b = s.create_target(&g, parse_create_target(&target_body("b", &extra)).unwrap(), &env(0)).unwrap();
        assert_eq!(
            b.body.unwrap()["metadataConfiguration"]["allowedRequestHeaders"],
            json!(["x-a", POLICY_SESSION_HEADER])
        );
    }
}

//! Gateway rate limits: dimension keys unique per gateway, a quota of 50, PATCH updates and
//! BatchPutGatewayRateLimits.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::super::request::{check_entries, Paging, RateLimitPatch, RateLimitRequest};
use super::super::wire::ApiError;
use super::child::{mismatch, part, part_mut, part_record, GatewayChild, Life};
use super::gateway::GatewayRecord;
use super::*;

/// The most rate limits a gateway can have.
pub const MAX_RATE_LIMITS: usize = 50;

/// A gateway rate limit.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RateLimitRecord {
    pub(super) rate_limit_id: String,
    /// Immutable after creation.
    pub(super) dimension_keys: Vec<String>,
    /// Description and entries as the model serializes them.
    pub(super) config: Map<String, Value>,
    #[serde(flatten)]
    pub(super) life: Life,
}

part_record!(RateLimitRecord, rate_limit_id, life.gone_at_ms, "Gateway rate limit");

impl RateLimitRecord {
    /// The Create/Get/Update/List/BatchPut output; `status` overrides the computed one.
    fn detail_in(&self, gateway_id: &str, now_ms: u64, status: Option<&str>) -> Value {
        let mut out = self.config.clone();
        out.insert("rateLimitId".into(), Value::String(self.rate_limit_id.clone()));
        out.insert("gatewayIdentifier".into(), Value::String(gateway_id.to_string()));
        out.insert("dimensionKeys".into(), json!(self.dimension_keys));
        out.insert("status".into(), Value::String(status.unwrap_or_else(|| self.life.status(now_ms)).into()));
        self.life.add_times(&mut out);
        Value::Object(out)
    }

    fn new(rate_limit_id: String, life: Life, req: RateLimitRequest) -> Self {
        RateLimitRecord { rate_limit_id, dimension_keys: req.dimension_keys, config: req.config, life }
    }
}

impl GatewayChild for RateLimitRecord {
    const TITLE: &'static str = "Rate limit";
    const ID_MEMBER: &'static str = "rateLimitId";
    const PAGE_KIND: &'static str = "l";
    const LIST_MEMBER: &'static str = "rateLimits";
    // The model's `http.responseCode`s for rate limits (rules and targets say 202 throughout).
    const CREATED: u16 = 201;
    const UPDATED: u16 = 200;
    const DELETED: u16 = 200;
    type Request = RateLimitRequest;
    type Patch = RateLimitPatch;

    fn records(g: &GatewayRecord) -> &[Self] {
        &g.rate_limits
    }

    fn slot(g: &mut GatewayRecord) -> (&mut Vec<Self>, &mut BTreeMap<String, TokenRecord>) {
        (&mut g.rate_limits, &mut g.rate_limit_tokens)
    }

    fn tokens(g: &GatewayRecord) -> &BTreeMap<String, TokenRecord> {
        &g.rate_limit_tokens
    }

    fn life(&self) -> &Life {
        &self.life
    }

    fn life_mut(&mut self) -> &mut Life {
        &mut self.life
    }

    fn detail(&self, g: &GatewayRecord, now_ms: u64, status: Option<&str>) -> Value {
        self.detail_in(&g.gateway_id, now_ms, status)
    }

    fn client_token(req: &RateLimitRequest) -> Option<&String> {
        req.client_token.as_ref()
    }

    fn fingerprint(req: &RateLimitRequest) -> Value {
        req.fingerprint()
    }

    /// The ID the request names, or `rl` and 10 random alphanumerics.
    fn new_id(state: &mut State, taken: &BTreeSet<String>, req: &RateLimitRequest) -> String {
        match &req.rate_limit_id {
            Some(id) => id.clone(),
            None => state.new_rate_limit_id(taken),
        }
    }

    /// An ID or a set of dimension keys already in use is a ConflictException; a 51st rate limit
    /// exceeds the quota.
    fn check_create(g: &GatewayRecord, req: &RateLimitRequest) -> Result<(), ApiError> {
        if let Some(id) = &req.rate_limit_id {
            if part(&g.rate_limits, id).is_ok() {
                return Err(ApiError::conflict(format!("A rate limit with ID {id} already exists in this gateway")));
            }
        }
        if let Some(other) = g.rate_limits.iter().find(|r| r.life.is_live() && r.dimension_keys == req.dimension_keys) {
            return Err(ApiError::conflict(format!(
                "Rate limit {} already has these dimension keys; dimension keys are unique per gateway",
                other.rate_limit_id
            )));
        }
        if g.rate_limits.iter().filter(|r| r.life.is_live()).count() >= MAX_RATE_LIMITS {
            return Err(ApiError::quota(format!("A gateway can have at most {MAX_RATE_LIMITS} rate limits")));
        }
        Ok(())
    }

    fn build(id: String, life: Life, req: RateLimitRequest) -> Self {
        RateLimitRecord::new(id, life, req)
    }

    /// New entries must name exactly the rate limit's dimension keys, which stay.
    fn check_patch(&self, _g: &GatewayRecord, patch: &RateLimitPatch) -> Result<(), ApiError> {
        match patch.members.get("entries") {
            Some(entries) => check_entries(&self.dimension_keys, entries),
            None => Ok(()),
        }
    }

    /// `"description": ""` clears the description (see request::take_empty_description).
    fn apply(&mut self, patch: RateLimitPatch) {
        for (k, v) in patch.members {
            if k == "description" && v.as_str() == Some("") {
                self.config.remove(&k);
            } else {
                self.config.insert(k, v);
            }
        }
    }
}

impl State {
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
        self.create_child::<RateLimitRecord>(gateway_id, req, env)
    }

    /// GetGatewayRateLimit.
    pub fn get_rate_limit(&mut self, gateway_id: &str, id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.get_child::<RateLimitRecord>(gateway_id, id, env)
    }

    /// UpdateGatewayRateLimit (PATCH): description and entries; the dimension keys stay.
    pub fn update_rate_limit(
        &mut self,
        gateway_id: &str,
        id: &str,
        patch: RateLimitPatch,
        env: &Env<'_>,
    ) -> Result<Answer, ApiError> {
        self.update_child::<RateLimitRecord>(gateway_id, id, patch, env)
    }

    /// DeleteGatewayRateLimit: DELETING for the delete delay, then gone.
    pub fn delete_rate_limit(&mut self, gateway_id: &str, id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.delete_child::<RateLimitRecord>(gateway_id, id, env)
    }

    /// ListGatewayRateLimits: full details, in creation order.
    pub fn list_rate_limits(&mut self, gateway_id: &str, paging: &Paging, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.list_child::<RateLimitRecord>(gateway_id, paging, env)
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
                .filter(|r| r.life.is_live())
                .map(|r| r.detail_in(gateway_id, env.now_ms, None))
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
        let live: Vec<&RateLimitRecord> = g.rate_limits.iter().filter(|r| r.life.is_live()).collect();
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
        for r in g.rate_limits.iter_mut().filter(|r| r.life.is_live() && !keep.contains(&r.rate_limit_id)) {
            r.life.gone_at_ms = Some(env.now_ms + millis(env.delays.delete));
        }
        let mut out = Vec::new();
        for (item, existing, id, seq) in created {
            if existing.is_some() {
                let r = part_mut(&mut g.rate_limits, &id)?;
                r.config = item.config;
                r.life.updated(env.now_ms, env.delays.update);
                out.push(r.detail_in(gateway_id, env.now_ms, Some("UPDATING")));
            } else {
                let record = RateLimitRecord::new(id, Life::created(seq, env.now_ms, env.delays.create), item);
                out.push(record.detail_in(gateway_id, env.now_ms, Some("CREATING")));
                g.rate_limits.push(record);
            }
        }
        let live_ids: BTreeSet<String> =
            g.rate_limits.iter().filter(|r| r.life.is_live()).map(|r| r.rate_limit_id.clone()).collect();
        g.rate_limit_tokens.retain(|k, t| k.starts_with("batch:") || live_ids.contains(&t.id));
        if let Some(key) = token_key {
            g.rate_limit_tokens.insert(key, TokenRecord { id: String::new(), request: fingerprint });
        }
        self.purge(env.now_ms);
        self.mutated();
        Ok(Answer { status: 200, body: Some(json!({ "rateLimits": out })), mutated: true })
    }
}

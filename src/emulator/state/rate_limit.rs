//! Gateway rate limits: dimension keys unique per gateway, a quota of 50, PATCH updates and
//! BatchPutGatewayRateLimits.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::super::request::{check_entries, Paging, RateLimitPatch, RateLimitRequest};
use super::super::wire::{rfc3339, ApiError};
use super::child::{mark_deleted, mismatch, page, part, part_mut, part_status, replayed};
use super::*;

/// The most rate limits a gateway can have.
pub const MAX_RATE_LIMITS: usize = 50;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RateLimitRecord {
    /// Creation order: the stable sort key that list pages follow.
    pub(super) seq: u64,
    pub(super) rate_limit_id: String,
    /// Immutable after creation.
    pub(super) dimension_keys: Vec<String>,
    /// Description and entries as the model serializes them.
    pub(super) config: Map<String, Value>,
    pub(super) created_at_ms: u64,
    pub(super) updated_at_ms: u64,
    pub(super) ready_at_ms: u64,
    pub(super) last_change: Change,
    /// When a deleted rate limit disappears; until then it is DELETING.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) gone_at_ms: Option<u64>,
}

impl RateLimitRecord {
    pub(super) fn status(&self, now_ms: u64) -> &'static str {
        part_status(self.gone_at_ms, self.ready_at_ms, self.last_change, now_ms)
    }

    /// The Create/Get/Update/List/BatchPut output; `status` overrides the computed one.
    pub(super) fn detail(&self, gateway_id: &str, now_ms: u64, status: Option<&str>) -> Value {
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
    pub(super) fn rate_limit(&self, id: &str) -> Result<&RateLimitRecord, ApiError> {
        part(&self.rate_limits, id)
    }

    pub(super) fn rate_limit_mut(&mut self, id: &str) -> Result<&mut RateLimitRecord, ApiError> {
        part_mut(&mut self.rate_limits, id)
    }

    pub(super) fn live_rate_limits(&self) -> usize {
        self.rate_limits.iter().filter(|r| r.gone_at_ms.is_none()).count()
    }
}

impl State {
    /// A rate limit ID for a request that names none: `rl` and 10 random alphanumerics.
    pub(super) fn new_rate_limit_id(&mut self, taken: &BTreeSet<String>) -> String {
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
}

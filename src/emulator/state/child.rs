//! What every kind stored inside a gateway shares: lookup by ID, client-token replay, paging and
//! deletion by marking ([`PartRecord`], targets included), and for the kinds whose handlers are
//! the same (rules and rate limits: CREATING/UPDATING then ACTIVE, DELETING then gone), the
//! handlers themselves: [`GatewayChild`] describes such a kind, and `State::create_child`,
//! `get_child`, `update_child`, `delete_child` and `list_child` serve every one of them.
//!
//! A new kind stored inside a gateway is one file that declares its record (with a flattened
//! [`Life`]) and implements [`GatewayChild`], plus its two fields in `GatewayRecord` (records and
//! client tokens) and its line in `GatewayRecord::purge_children`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::super::request::Paging;
use super::super::wire::{rfc3339, ApiError};
use super::gateway::GatewayRecord;
use super::*;

/// A client token repeated with other request parameters.
pub(super) fn mismatch() -> ApiError {
    ApiError::validation(
        "IdempotentParameterMismatchException",
        "The client token was already used with different request parameters",
    )
}

/// What the stored parts of a gateway (targets, rules, rate limits) share: found by ID, replayed
/// by client token, and deleted by marking them DELETING until their delete delay has passed.
pub(super) trait PartRecord {
    /// How a NotFound answer names the kind: "Gateway rule not found: …".
    const NOT_FOUND: &'static str;
    /// The record's ID, as its Get route names it.
    fn id(&self) -> &str;
    /// When the record disappears once deleted; `None` while it is live.
    fn gone_at_mut(&mut self) -> &mut Option<u64>;
}

/// Implements [`PartRecord`] for a record: its ID field, its delete mark and its NotFound name.
macro_rules! part_record {
    ($record:ty, $id:ident, $($gone:ident).+, $not_found:literal) => {
        impl $crate::emulator::state::child::PartRecord for $record {
            const NOT_FOUND: &'static str = $not_found;
            fn id(&self) -> &str {
                &self.$id
            }
            fn gone_at_mut(&mut self) -> &mut Option<u64> {
                &mut self.$($gone).+
            }
        }
    };
}

/// Declared beside each record: `part_record!(RuleRecord, rule_id, life.gone_at_ms, "Gateway rule")`.
pub(super) use part_record;

/// Part `id` of `items`, or NotFound.
pub(super) fn part<'a, R: PartRecord>(items: &'a [R], id: &str) -> Result<&'a R, ApiError> {
    items.iter().find(|r| r.id() == id).ok_or_else(|| ApiError::not_found(format!("{} not found: {id}", R::NOT_FOUND)))
}

/// Part `id` of `items`, to change, or NotFound.
pub(super) fn part_mut<'a, R: PartRecord>(items: &'a mut [R], id: &str) -> Result<&'a mut R, ApiError> {
    items
        .iter_mut()
        .find(|r| r.id() == id)
        .ok_or_else(|| ApiError::not_found(format!("{} not found: {id}", R::NOT_FOUND)))
}

/// The part that client `token` created, when a create repeats it: the create is a replay. A
/// token whose part is gone is forgotten (there is nothing left to return); one that came with
/// other parameters is IdempotentParameterMismatchException.
pub(super) fn replayed<'a, R: PartRecord>(
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
pub(super) fn mark_deleted<R: PartRecord>(
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

/// One page of `items` (in creation order) after the token, under `key`.
pub(super) fn page<T>(
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
    pub(super) fn part_deleted(&mut self, now_ms: u64, body: Value, marked: bool) -> Answer {
        if marked {
            self.purge(now_ms);
            self.mutated();
        }
        Answer { status: 202, body: Some(body), mutated: marked }
    }

    /// The next creation-order number.
    pub(super) fn next(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }
}

/// The lifecycle a gateway and every [`GatewayChild`] record share: creation order, timestamps,
/// the last change and the delete mark. Flattened into the record, so the state file keeps the
/// members it always had.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Life {
    /// Creation order: the stable sort key that list pages follow.
    pub(super) seq: u64,
    pub(super) created_at_ms: u64,
    pub(super) updated_at_ms: u64,
    pub(super) ready_at_ms: u64,
    pub(super) last_change: Change,
    /// When a deleted record disappears; until then it is DELETING.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) gone_at_ms: Option<u64>,
}

impl Life {
    /// A record created at `now_ms` (sequence number `seq`) that stays CREATING for `delay`.
    pub(super) fn created(seq: u64, now_ms: u64, delay: Duration) -> Self {
        Life {
            seq,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
            ready_at_ms: now_ms + millis(delay),
            last_change: Change::Create,
            gone_at_ms: None,
        }
    }

    /// Marks an update at `now_ms` that stays UPDATING for `delay`.
    pub(super) fn updated(&mut self, now_ms: u64, delay: Duration) {
        self.updated_at_ms = now_ms;
        self.ready_at_ms = now_ms + millis(delay);
        self.last_change = Change::Update;
    }

    /// Not being deleted.
    pub(super) fn is_live(&self) -> bool {
        self.gone_at_ms.is_none()
    }

    /// The status at `now_ms`: DELETING, CREATING or UPDATING for their delays, then ACTIVE.
    pub(super) fn status(&self, now_ms: u64) -> &'static str {
        if self.gone_at_ms.is_some() {
            "DELETING"
        } else if now_ms < self.ready_at_ms {
            match self.last_change {
                Change::Create => "CREATING",
                Change::Update => "UPDATING",
            }
        } else {
            "ACTIVE"
        }
    }

    /// The timestamps every detail answers.
    pub(super) fn add_times(&self, out: &mut Map<String, Value>) {
        out.insert("createdAt".into(), Value::String(rfc3339(self.created_at_ms)));
        out.insert("updatedAt".into(), Value::String(rfc3339(self.updated_at_ms)));
    }
}

/// A kind stored inside a gateway whose handlers follow one pattern: a create replays by client
/// token and answers CREATING, an update (PATCH) is refused until the record is ACTIVE and
/// answers UPDATING, a delete marks it DELETING, and a list pages full details in creation order.
/// What differs between kinds (IDs, conflicts, quotas, the shape of a detail, the model's status
/// codes) is what this trait asks for.
pub(super) trait GatewayChild: PartRecord + Sized {
    /// How a conflict names one: "Rule 0f… is CREATING and cannot be updated until it is ACTIVE".
    const TITLE: &'static str;
    /// The member that names the record in every answer, a delete's included.
    const ID_MEMBER: &'static str;
    /// The kind letter of its page tokens (each listing its own, so tokens do not cross).
    const PAGE_KIND: &'static str;
    /// The member of a list answer that holds the page.
    const LIST_MEMBER: &'static str;
    /// The model's `http.responseCode` of Create, Update and Delete.
    const CREATED: u16;
    const UPDATED: u16;
    const DELETED: u16;
    /// Whether a create draws its ID before any check (rules: the seeded ID stream moves on even
    /// for a refused create, as it always has, so that seeded runs keep their IDs).
    const ID_FIRST: bool = false;
    /// A validated create request.
    type Request;
    /// A validated update (PATCH) request.
    type Patch;

    /// The gateway's records of this kind.
    fn records(g: &GatewayRecord) -> &[Self];
    /// The gateway's records of this kind and the client tokens of their creates, to change.
    fn slot(g: &mut GatewayRecord) -> (&mut Vec<Self>, &mut BTreeMap<String, TokenRecord>);
    /// The client tokens of the creates of this kind.
    fn tokens(g: &GatewayRecord) -> &BTreeMap<String, TokenRecord>;
    /// The record's lifecycle.
    fn life(&self) -> &Life;
    /// The record's lifecycle, to change.
    fn life_mut(&mut self) -> &mut Life;

    /// The Get/Update/List output; `status` overrides the computed one (a mutation's own answer).
    fn detail(&self, g: &GatewayRecord, now_ms: u64, status: Option<&str>) -> Value;
    /// The Create output, from the detail (where its output shape differs from Get's).
    fn created(detail: Value) -> Value {
        detail
    }

    /// The create's client token, if it has one.
    fn client_token(req: &Self::Request) -> Option<&String>;
    /// What a repeated client token must match: the whole request except the token itself.
    fn fingerprint(req: &Self::Request) -> Value;
    /// The ID of a new record; `taken` holds the IDs of the gateway's records of this kind.
    fn new_id(state: &mut State, taken: &BTreeSet<String>, req: &Self::Request) -> String;
    /// The kind's own refusals of a create (a conflict, a quota), after the replay check.
    fn check_create(g: &GatewayRecord, req: &Self::Request) -> Result<(), ApiError>;
    /// The new record a create stores.
    fn build(id: String, life: Life, req: Self::Request) -> Self;

    /// Refuses a user's update or delete (`verb`) of a record users may not change.
    fn check_user_change(&self, _verb: &str) -> Result<(), ApiError> {
        Ok(())
    }
    /// The kind's own refusals of an update, once the record is known to be ACTIVE.
    fn check_patch(&self, g: &GatewayRecord, patch: &Self::Patch) -> Result<(), ApiError>;
    /// Applies a PATCH: present members replace, absent ones stay.
    fn apply(&mut self, patch: Self::Patch);
}

/// Forgets the records of kind `K` whose deletion has finished.
pub(super) fn purge_gone<K: GatewayChild>(g: &mut GatewayRecord, now_ms: u64) {
    K::slot(g).0.retain(|r| r.life().gone_at_ms.is_none_or(|at| at > now_ms));
}

impl State {
    /// Create for kind `K`: replays a known client token, refuses a gateway being deleted and what
    /// the kind refuses, else stores a record CREATING for the create delay.
    pub(super) fn create_child<K: GatewayChild>(
        &mut self,
        gateway_id: &str,
        req: K::Request,
        env: &Env<'_>,
    ) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let early = K::ID_FIRST.then(|| K::new_id(self, &BTreeSet::new(), &req));
        let g = self.gateway(gateway_id)?;
        g.refuse_if_deleting()?;
        let fingerprint = K::fingerprint(&req);
        if let Some(r) = replayed(K::records(g), K::tokens(g), K::client_token(&req), &fingerprint)? {
            let body = K::created(r.detail(g, env.now_ms, None));
            return Ok(Answer { status: K::CREATED, body: Some(body), mutated: false });
        }
        K::check_create(g, &req)?;
        let taken: BTreeSet<String> = K::records(g).iter().map(|r| r.id().to_string()).collect();
        let id = match early {
            Some(id) => id,
            None => K::new_id(self, &taken, &req),
        };
        let seq = self.next();
        let token = K::client_token(&req).cloned();
        let record = K::build(id.clone(), Life::created(seq, env.now_ms, env.delays.create), req);
        let g = self.gateway_mut(gateway_id)?;
        let body = K::created(record.detail(g, env.now_ms, Some("CREATING")));
        let (records, tokens) = K::slot(g);
        if let Some(token) = token {
            tokens.insert(token, TokenRecord { id, request: fingerprint });
        }
        records.push(record);
        self.mutated();
        Ok(Answer { status: K::CREATED, body: Some(body), mutated: true })
    }

    /// Get for kind `K`.
    pub(super) fn get_child<K: GatewayChild>(
        &mut self,
        gateway_id: &str,
        id: &str,
        env: &Env<'_>,
    ) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        Ok(Answer::read(part(K::records(g), id)?.detail(g, env.now_ms, None)))
    }

    /// Update (PATCH) for kind `K`: refused until the record is ACTIVE; UPDATING for the update
    /// delay.
    pub(super) fn update_child<K: GatewayChild>(
        &mut self,
        gateway_id: &str,
        id: &str,
        patch: K::Patch,
        env: &Env<'_>,
    ) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        let r = part(K::records(g), id)?;
        r.check_user_change("updated")?;
        let status = r.life().status(env.now_ms);
        if status != "ACTIVE" {
            return Err(ApiError::conflict(format!(
                "{} {id} is {status} and cannot be updated until it is ACTIVE",
                K::TITLE
            )));
        }
        r.check_patch(g, &patch)?;
        let r = part_mut(K::slot(self.gateway_mut(gateway_id)?).0, id)?;
        r.apply(patch);
        r.life_mut().updated(env.now_ms, env.delays.update);
        let g = self.gateway(gateway_id)?;
        let body = part(K::records(g), id)?.detail(g, env.now_ms, Some("UPDATING"));
        self.mutated();
        Ok(Answer { status: K::UPDATED, body: Some(body), mutated: true })
    }

    /// Delete for kind `K`: DELETING for the delete delay, then gone; a repeated delete changes
    /// nothing.
    pub(super) fn delete_child<K: GatewayChild>(
        &mut self,
        gateway_id: &str,
        id: &str,
        env: &Env<'_>,
    ) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_mut(gateway_id)?;
        let body = json!({ K::ID_MEMBER: id, "status": "DELETING" });
        part(K::records(g), id)?.check_user_change("deleted")?;
        let (records, tokens) = K::slot(g);
        let marked = mark_deleted(records, tokens, id, env.now_ms + millis(env.delays.delete))?;
        Ok(Answer { status: K::DELETED, ..self.part_deleted(env.now_ms, body, marked) })
    }

    /// List for kind `K`: full details, in creation order.
    pub(super) fn list_child<K: GatewayChild>(
        &mut self,
        gateway_id: &str,
        paging: &Paging,
        env: &Env<'_>,
    ) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        let show = |r: &K| r.detail(g, env.now_ms, None);
        Ok(Answer::read(page(K::records(g), |r| r.life().seq, show, paging, K::PAGE_KIND, K::LIST_MEMBER)?))
    }
}

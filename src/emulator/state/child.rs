//! What every kind stored inside a gateway shares: lookup by ID, client-token replay, paging and
//! deletion by marking.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::super::request::Paging;
use super::super::wire::ApiError;
use super::rate_limit::RateLimitRecord;
use super::rule::RuleRecord;
use super::target::TargetRecord;
use super::*;

/// A rule's or rate limit's status at some instant.
pub(super) fn part_status(gone_at_ms: Option<u64>, ready_at_ms: u64, last_change: Change, now_ms: u64) -> &'static str {
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

    pub(super) fn next(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }
}

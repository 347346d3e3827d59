//! A gateway's rules, after its targets (routes name targets, so a target created in the same
//! apply exists first) and before its rate limits: deletes first (waiting until they are gone,
//! since a replacement or a moved rule reuses the priority), then creates and updates, each
//! waited on until ACTIVE. System-managed rules never get here.

use futures_util::stream::{self, StreamExt};

use super::{ApplyError, Run, TRANSPORT_RETRIES};
use crate::api::{ApiError, WriteApi};
use crate::model::live::{GatewayRuleStatus, LiveRule};
use crate::model::rule::Rule;

/// What to do for one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleWork {
    /// CreateGatewayRule with a deterministic client token; `replaces` is the `updatedAt` of the
    /// rule it replaces (so the token differs from the one that created that one).
    Create { desired: Rule, replaces: Option<String> },
    /// UpdateGatewayRule (PATCH) with every member.
    Update { rule_id: String, desired: Rule },
    /// DeleteGatewayRule, then wait until it is gone.
    Delete { rule_id: String, priority: i32 },
}

impl RuleWork {
    fn label(&self) -> String {
        match self {
            RuleWork::Create { desired, .. } => format!("{}", desired.priority.get()),
            RuleWork::Update { rule_id, desired } => format!("{} ({rule_id})", desired.priority.get()),
            RuleWork::Delete { rule_id, priority } => format!("{priority} ({rule_id})"),
        }
    }
}

/// Applies `work` to the rules of `gateway_id`, recording every call that took effect.
pub(super) async fn apply<A: WriteApi>(
    api: &A,
    run: &mut Run<'_>,
    gateway_id: &str,
    work: Vec<RuleWork>,
) -> Result<(), ApplyError> {
    let (deletes, writes): (Vec<_>, Vec<_>) = work.into_iter().partition(|w| matches!(w, RuleWork::Delete { .. }));
    for phase in [deletes, writes] {
        if phase.is_empty() {
            continue;
        }
        let opts = run.opts;
        let results: Vec<(Vec<String>, Result<(), ApplyError>)> = stream::iter(phase)
            .map(|w| one(api, opts, gateway_id, w))
            .buffer_unordered(opts.parallelism.max(1))
            .collect()
            .await;
        let mut first_error = None;
        for (calls, result) in results {
            for call in calls {
                run.did(&call);
            }
            if let Err(e) = result {
                first_error.get_or_insert(e);
            }
        }
        // Creates wait for deletes (they may reuse a priority); a failed delete stops the rest.
        if let Some(e) = first_error {
            return Err(e);
        }
    }
    Ok(())
}

async fn one<A: WriteApi>(
    api: &A,
    opts: &super::Options,
    gateway_id: &str,
    work: RuleWork,
) -> (Vec<String>, Result<(), ApplyError>) {
    let label = work.label();
    let mut calls = Vec::new();
    let result: Result<(), ApplyError> = async {
        match &work {
            RuleWork::Delete { rule_id, .. } => {
                let mut attempt = 0;
                loop {
                    match api.delete_rule(gateway_id, rule_id).await {
                        Ok(_) | Err(ApiError::NotFound(_)) => break,
                        // Busy (CREATING/UPDATING): let it settle, then delete.
                        Err(ApiError::Conflict(_)) if attempt < TRANSPORT_RETRIES => {
                            attempt += 1;
                            wait_active(api, opts, gateway_id, rule_id, None, true).await?;
                        }
                        Err(ApiError::Transport(_)) if attempt < TRANSPORT_RETRIES => attempt += 1,
                        Err(source) => return Err(ApplyError::Api { call: "DeleteGatewayRule", source }),
                    }
                }
                calls.push(format!("DeleteGatewayRule {label}"));
                wait_gone(api, opts, gateway_id, rule_id).await
            }
            RuleWork::Create { desired, replaces } => {
                let token = super::token::rule_token(
                    &opts.target.region,
                    &opts.target.endpoint,
                    gateway_id,
                    desired,
                    replaces.as_deref(),
                );
                let mut attempt = 0;
                let live = loop {
                    match api.create_rule(gateway_id, desired, &token).await {
                        Ok(live) => break live,
                        Err(ApiError::Transport(_)) if attempt < TRANSPORT_RETRIES => attempt += 1,
                        Err(source) => return Err(ApplyError::Api { call: "CreateGatewayRule", source }),
                    }
                };
                calls.push(format!("CreateGatewayRule {label}"));
                let rule_id = live.rule_id.clone();
                wait_active(api, opts, gateway_id, &rule_id, Some(live), false).await
            }
            RuleWork::Update { rule_id, desired } => {
                let mut attempt = 0;
                let live = loop {
                    match api.update_rule(gateway_id, rule_id, desired).await {
                        Ok(live) => break live,
                        // Not ACTIVE yet: wait for it, then send the update again.
                        Err(ApiError::Conflict(_)) if attempt < TRANSPORT_RETRIES => {
                            attempt += 1;
                            wait_active(api, opts, gateway_id, rule_id, None, true).await?;
                        }
                        // Sending every member again is idempotent.
                        Err(ApiError::Transport(_)) if attempt < TRANSPORT_RETRIES => attempt += 1,
                        Err(source) => return Err(ApplyError::Api { call: "UpdateGatewayRule", source }),
                    }
                };
                calls.push(format!("UpdateGatewayRule {label}"));
                wait_active(api, opts, gateway_id, rule_id, Some(live), false).await
            }
        }
    }
    .await;
    (calls, result.map_err(|e| ApplyError::Rule { rule: label, source: Box::new(e) }))
}

/// Polls GetGatewayRule until ACTIVE (there are no failure states). With `--no-wait` (unless
/// `always`, a wait a later call needs), returns at once.
async fn wait_active<A: WriteApi>(
    api: &A,
    opts: &super::Options,
    gateway_id: &str,
    rule_id: &str,
    live: Option<LiveRule>,
    always: bool,
) -> Result<(), ApplyError> {
    let get = || async { api.get_rule(gateway_id, rule_id).await.map(|l| l.status) };
    let first = live.map(|l| l.status);
    let active = |s: &GatewayRuleStatus| *s == GatewayRuleStatus::Active;
    super::wait_item_settled(opts, "GetGatewayRule", first, always, get, active, |status, waited| {
        ApplyError::RuleTimeout { rule_id: rule_id.to_string(), status, waited }
    })
    .await
}

/// Polls GetGatewayRule until the rule is gone.
async fn wait_gone<A: WriteApi>(
    api: &A,
    opts: &super::Options,
    gateway_id: &str,
    rule_id: &str,
) -> Result<(), ApplyError> {
    let get = || async { api.get_rule(gateway_id, rule_id).await.map(|l| l.status) };
    super::wait_item_gone(opts, "GetGatewayRule", get, |status, waited| ApplyError::RuleTimeout {
        rule_id: rule_id.to_string(),
        status,
        waited,
    })
    .await
}

//! Item plans: one action per gateway item (target, rule, rate limit), generic over the kind,
//! and how a saved item plan is checked against what is live now.

use super::*;

/// What was observed of a live item (a target, a rule, a rate limit); `apply PLANFILE` refuses
/// when it moved. Its ID is written under the kind's [`ItemKind::ID_FIELD`] (`targetId`,
/// `ruleId`, `rateLimitId`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFingerprint<K: ItemKind> {
    pub id: String,
    pub status: K::Status,
    /// RFC 3339, as the service reported it.
    pub updated_at: String,
}

impl<K: ItemKind> ItemFingerprint<K> {
    /// The fingerprint of a live item.
    pub fn of(live: &K::Live) -> Self {
        ItemFingerprint {
            id: K::live_id(live).to_string(),
            status: K::live_status(live).clone(),
            updated_at: K::live_updated_at(live).to_string(),
        }
    }
}

impl<K: ItemKind> Serialize for ItemFingerprint<K> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry(K::ID_FIELD, &self.id)?;
        m.serialize_entry("status", &self.status)?;
        m.serialize_entry("updatedAt", &self.updated_at)?;
        m.end()
    }
}

/// The plan for one item of a gateway's list of kind `K` (its targets, rules, rate limits): every live
/// and declared item has one, no-ops and system-managed ones included, so that a saved plan
/// records what it saw. Its key is written under the kind's [`ItemKind::KEY_FIELD`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPlan<K: ItemKind> {
    /// Its identity within the gateway (a priority, a rate limit ID).
    pub key: K::Key,
    /// `create`, `update`, `replace` (delete, then create), `delete` or `no-op` (always for a
    /// system-managed item).
    pub action: Action,
    /// `system.managedBy` of a system-managed item, which acgw never changes or deletes.
    pub managed_by: Option<String>,
    /// For `replace`: why it cannot be changed in place; empty otherwise.
    pub forced_by: Vec<String>,
    /// Field changes relative to the item, observed → desired (for `create`: every field).
    pub changes: Vec<Change>,
    /// What was observed; `null` for `create`.
    pub observed: Option<ItemFingerprint<K>>,
    /// The complete desired configuration; `null` for `delete` and system-managed items.
    pub desired: Option<K::Desired>,
    /// Where a user authorizes it, when it is pending authorization (OAuth authorization-code
    /// targets).
    pub authorization_url: Option<String>,
}

impl<K: ItemKind> ItemPlan<K> {
    /// True unless the action is `no-op`.
    pub fn is_change(&self) -> bool {
        self.action != Action::NoOp
    }
}

impl<K: ItemKind> Serialize for ItemPlan<K> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry(K::KEY_FIELD, &self.key)?;
        m.serialize_entry("action", &self.action)?;
        if let Some(by) = &self.managed_by {
            m.serialize_entry("managedBy", by)?;
        }
        if K::REPLACEABLE {
            m.serialize_entry("forcedBy", &self.forced_by)?;
        }
        m.serialize_entry("changes", &self.changes)?;
        m.serialize_entry("observed", &self.observed)?;
        m.serialize_entry("desired", &self.desired)?;
        if let Some(url) = &self.authorization_url {
            m.serialize_entry("authorizationUrl", url)?;
        }
        m.end()
    }
}

/// The changes that make `after` of an item that is `before`, both normalized by the kind;
/// with no `before`, every field `after` sets.
fn item_changes<K: ItemKind>(before: Option<&K::Desired>, after: &K::Desired, region: Option<&str>) -> Vec<Change> {
    let mut out = Vec::new();
    let (b, a) = match before {
        Some(before) => (Some(K::normalized(before, region)), K::normalized(after, region)),
        None => (None, K::as_created(after, region)),
    };
    diff::values(String::new(), b.as_ref(), Some(&a), &mut out);
    out
}

/// Plans a gateway's items of kind `K` by key: `desired` is its declared list, `live` what
/// observe read (`None` for a gateway that does not exist yet, or is replaced: every item is then
/// created), `region` the gateway's (normalization may depend on it). System-managed items are
/// listed as no-ops with their `managedBy`; a declared item at a system-managed item's key is an
/// error (it could never be created). Sorted by key.
pub fn plan_items<K: ItemKind>(
    desired: &[K::Desired],
    live: Option<&[K::Live]>,
    region: Option<&str>,
) -> Result<Vec<ItemPlan<K>>, String> {
    let live = live.unwrap_or_default();
    let mut out: Vec<ItemPlan<K>> = Vec::new();
    for have in live {
        let Some(managed_by) = K::system_managed_by(have) else { continue };
        let key = K::live_key(have).unwrap_or_default();
        if desired.iter().any(|d| K::key(d) == key) {
            return Err(format!(
                "{noun} {field} {key} is taken by system-managed {noun} {} (managed by {managed_by}): \
                 choose another {field}",
                K::live_id(have),
                noun = K::NOUN,
                field = K::KEY_FIELD,
            ));
        }
        out.push(ItemPlan {
            key,
            action: Action::NoOp,
            managed_by: Some(managed_by.to_string()),
            forced_by: Vec::new(),
            changes: Vec::new(),
            observed: Some(ItemFingerprint::of(have)),
            desired: None,
            authorization_url: None,
        });
    }
    let users: Vec<&K::Live> = live.iter().filter(|l| K::system_managed_by(l).is_none()).collect();
    for want in desired {
        let key = K::key(want);
        let have = users.iter().copied().find(|l| K::live_key(l).as_ref() == Some(&key));
        let plan = match have {
            None => ItemPlan {
                key,
                action: Action::Create,
                managed_by: None,
                forced_by: Vec::new(),
                changes: item_changes::<K>(None, want, region),
                observed: None,
                desired: Some(want.clone()),
                authorization_url: None,
            },
            Some(have) => {
                // observe moved unreadable items' gateways to `failed`, so config is there.
                let (changes, mut forced_by) = match K::live_config(have) {
                    Some(config) => (item_changes::<K>(Some(config), want, region), K::forced_by(config, want)),
                    None => (item_changes::<K>(None, want, region), Vec::new()),
                };
                if changes.is_empty() {
                    forced_by.clear();
                }
                let action = if !forced_by.is_empty() {
                    Action::Replace
                } else if changes.is_empty() && !K::retry(have) {
                    Action::NoOp
                } else {
                    Action::Update
                };
                ItemPlan {
                    key,
                    action,
                    managed_by: None,
                    forced_by,
                    changes,
                    observed: Some(ItemFingerprint::of(have)),
                    desired: Some(want.clone()),
                    authorization_url: K::authorization_url(have),
                }
            }
        };
        out.push(plan);
    }
    for have in users {
        let key = K::live_key(have).unwrap_or_default();
        if !desired.iter().any(|d| K::key(d) == key) {
            out.push(ItemPlan {
                key,
                action: Action::Delete,
                managed_by: None,
                forced_by: Vec::new(),
                changes: Vec::new(),
                observed: Some(ItemFingerprint::of(have)),
                desired: None,
                authorization_url: None,
            });
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// Plans a gateway's rate limits (see [`plan_items`]), sorted by `rateLimitId`.
pub fn plan_rate_limits(desired: &[RateLimit], live: Option<&[LiveRateLimit]>) -> Vec<ItemPlan<RateLimitKind>> {
    // No rate limit is system-managed, the one way planning items can fail.
    plan_items::<RateLimitKind>(desired, live, None).unwrap_or_default()
}

/// Plans a gateway's rules by priority (see [`plan_items`]).
pub fn plan_rules(desired: &[Rule], live: Option<&[LiveRule]>) -> Result<Vec<ItemPlan<RuleKind>>, String> {
    plan_items::<RuleKind>(desired, live, None)
}

/// Plans a gateway's targets by name (see [`plan_items`]) in the gateway's `region`.
pub fn plan_targets(
    desired: &[GatewayTarget],
    live: Option<&[LiveTarget]>,
    region: Option<&str>,
) -> Vec<ItemPlan<TargetKind>> {
    // No target is system-managed, the one way planning items can fail.
    plan_items::<TargetKind>(desired, live, region).unwrap_or_default()
}

/// What moved between a saved plan's items of kind `K` and a fresh read of them; empty when it
/// still holds. An observed item is followed by its key when that is its lasting identity (a
/// target's name: a new ID under it is a move), by its ID otherwise (a rule may move to another
/// priority); one to be created, by its key.
pub fn item_staleness<K: ItemKind>(planned: &[ItemPlan<K>], now: &[K::Live]) -> Vec<String> {
    let noun = K::NOUN;
    let by_key = K::KEY_IS_IDENTITY;
    // The service's ID, where the key does not already say it.
    let id_note =
        |id: &str, was: &str| if K::id_is_key() { String::new() } else { format!(" ({was}{} {id})", K::ID_FIELD) };
    let mut moved = Vec::new();
    for p in planned {
        let key = &p.key;
        let live = match &p.observed {
            Some(o) if !by_key => now.iter().find(|l| K::live_id(l) == o.id),
            _ => now.iter().find(|l| K::live_key(l).as_ref() == Some(key)),
        };
        match (&p.observed, live) {
            (None, None) => {}
            (None, Some(l)) => moved.push(format!("{noun} {key} now exists{}", id_note(K::live_id(l), ""))),
            (Some(o), None) if by_key => moved.push(format!("{noun} {key} no longer exists{}", id_note(&o.id, "was "))),
            (Some(o), None) => moved.push(format!("{noun} {} no longer exists", K::label(key, Some(&o.id)))),
            (Some(o), Some(l)) => {
                let f = ItemFingerprint::<K>::of(l);
                let label = K::label(key, Some(&o.id));
                if o.id != f.id {
                    moved.push(format!("{noun} {label}: {} moved from {} to {}", K::ID_FIELD, o.id, f.id));
                } else if o.updated_at != f.updated_at {
                    moved.push(format!("{noun} {label}: updatedAt moved from {} to {}", o.updated_at, f.updated_at));
                } else if o.status != f.status {
                    moved.push(format!("{noun} {label}: status moved from {} to {}", o.status, f.status));
                } else if K::live_key(l).is_some_and(|k| &k != key) {
                    moved.push(format!("{noun} {} moved from {} {key}", o.id, K::KEY_FIELD));
                }
            }
        }
    }
    for l in now {
        let id = K::live_id(l);
        let key = K::live_key(l);
        let planned_here = |p: &&ItemPlan<K>| key.as_ref() == Some(&p.key);
        let appeared = if by_key {
            !planned.iter().any(|p| planned_here(&p))
        } else {
            let known = planned.iter().any(|p| p.observed.as_ref().is_some_and(|o| o.id == id));
            !known && !planned.iter().any(|p| p.observed.is_none() && planned_here(&p))
        };
        match &key {
            Some(key) if appeared && by_key => moved.push(format!("{noun} {key} appeared{}", id_note(id, ""))),
            _ if appeared => moved.push(format!("{noun} {id} appeared")),
            _ => {}
        }
    }
    moved
}

/// What moved between a saved plan's targets and a fresh read (see [`item_staleness`]).
pub fn target_staleness(planned: &[ItemPlan<TargetKind>], now: &[LiveTarget]) -> Vec<String> {
    item_staleness(planned, now)
}

/// What moved between a saved plan's rate limits and a fresh read (see [`item_staleness`]).
pub fn rate_limit_staleness(planned: &[ItemPlan<RateLimitKind>], now: &[LiveRateLimit]) -> Vec<String> {
    item_staleness(planned, now)
}

/// What moved between a saved plan's rules and a fresh read (see [`item_staleness`]).
pub fn rule_staleness(planned: &[ItemPlan<RuleKind>], now: &[LiveRule]) -> Vec<String> {
    item_staleness(planned, now)
}

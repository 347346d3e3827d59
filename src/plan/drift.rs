//! Drift: the plan seen as in sync, modified, missing or orphaned per gateway and item.

use super::*;

impl Plan {
    /// The drift view of this plan: in sync, modified, missing or orphaned per gateway.
    pub fn drift_report(&self) -> DriftReport {
        let orphans = self.orphaned.iter().map(|o| DriftEntry {
            gateway_id: Some(o.gateway_id.clone()),
            status: Some(o.status.clone()),
            ..DriftEntry::bare(o.name.clone(), DriftState::Orphaned)
        });
        let mut gateways = self
            .gateways
            .iter()
            .map(|g| {
                DriftEntry {
                    name: g.name.clone(),
                    state: match g.action {
                        Action::Create => DriftState::Missing,
                        Action::Update | Action::Replace => DriftState::Modified,
                        Action::Delete => DriftState::Orphaned,
                        Action::NoOp => DriftState::InSync,
                    },
                    gateway_id: g.observed.as_ref().map(|o| o.gateway_id.clone()),
                    status: g.observed.as_ref().map(|o| o.status.clone()),
                    forced_by: g.forced_by.clone(),
                    changes: if g.action == Action::Create {
                        Vec::new()
                    } else {
                        // The resource policy's differences are the gateway's, under `resourcePolicy`.
                        let policy = g.resource_policy.iter().flat_map(|p| p.changes.iter().cloned());
                        g.changes.iter().cloned().chain(policy).collect()
                    },
                    tag_changes: if g.action == Action::Create { Vec::new() } else { g.tag_changes.clone() },
                    ..DriftEntry::bare(String::new(), DriftState::InSync)
                }
                .with_parts_of(g)
            })
            .chain(orphans)
            .collect::<Vec<_>>();
        gateways.sort_by(|a, b| a.name.cmp(&b.name));
        let n = |s: DriftState| gateways.iter().filter(|g| g.state == s).count();
        DriftReport {
            format_version: FORMAT_VERSION.to_string(),
            target: self.target.clone(),
            summary: DriftSummary {
                in_sync: n(DriftState::InSync),
                modified: n(DriftState::Modified),
                missing: n(DriftState::Missing),
                orphaned: n(DriftState::Orphaned),
                unmanaged: self.unmanaged.len(),
                failed: self.failed.len(),
            },
            gateways,
            unmanaged: self.unmanaged.clone(),
            failed: self.failed.clone(),
            credential_providers: self.credential_providers.as_ref().map(ProvidersPlan::drift),
        }
    }
}

/// A gateway's drift state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DriftState {
    #[serde(rename = "in-sync")]
    InSync,
    #[serde(rename = "modified")]
    Modified,
    #[serde(rename = "missing")]
    Missing,
    /// Owned by this run's owner, but in no spec.
    #[serde(rename = "orphaned")]
    Orphaned,
}

impl DriftState {
    /// The wire name (`in-sync`, `modified`, `missing`).
    pub fn as_str(self) -> &'static str {
        match self {
            DriftState::InSync => "in-sync",
            DriftState::Modified => "modified",
            DriftState::Missing => "missing",
            DriftState::Orphaned => "orphaned",
        }
    }
}

/// One item (a target, a rule, a rate limit) in a drift report: in-sync, modified, missing,
/// not-declared or pending-authorization; a system-managed item is in-sync and carries its
/// `managedBy`. Its key is written under the kind's [`ItemKind::KEY_FIELD`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDrift<K: ItemKind> {
    pub key: K::Key,
    pub state: TargetDriftState,
    /// The service's ID; `null` when missing (written only for kinds that name it in reports).
    pub id: Option<String>,
    /// `null` when missing.
    pub status: Option<K::Status>,
    /// `system.managedBy` of a system-managed item.
    pub managed_by: Option<String>,
    /// Why undoing the drift replaces it (e.g. changed `dimensionKeys`).
    pub forced_by: Vec<String>,
    /// Field differences, live → spec (empty unless modified).
    pub changes: Vec<Change>,
    /// Where a user authorizes it, when pending authorization.
    pub authorization_url: Option<String>,
}

impl<K: ItemKind> ItemDrift<K> {
    pub(super) fn of(p: &ItemPlan<K>) -> Self {
        ItemDrift {
            key: p.key.clone(),
            state: match p.action {
                Action::Create => TargetDriftState::Missing,
                Action::Delete => TargetDriftState::NotDeclared,
                Action::Update | Action::Replace => TargetDriftState::Modified,
                Action::NoOp if p.authorization_url.is_some() => TargetDriftState::PendingAuthorization,
                Action::NoOp => TargetDriftState::InSync,
            },
            id: p.observed.as_ref().map(|o| o.id.clone()),
            status: p.observed.as_ref().map(|o| o.status.clone()),
            managed_by: p.managed_by.clone(),
            forced_by: p.forced_by.clone(),
            // A drift report is never applied, so unlike a plan it has no need of secret values:
            // every rendering of it, JSON included, shows them as `(sensitive)`.
            changes: if p.action == Action::Create {
                Vec::new()
            } else {
                crate::diff::mask_sensitive(&p.changes, K::sensitive)
            },
            authorization_url: p.authorization_url.clone(),
        }
    }
}

impl<K: ItemKind> Serialize for ItemDrift<K> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry(K::KEY_FIELD, &self.key)?;
        m.serialize_entry("state", &self.state)?;
        if K::ID_IN_REPORTS {
            m.serialize_entry(K::ID_FIELD, &self.id)?;
        }
        m.serialize_entry("status", &self.status)?;
        if let Some(by) = &self.managed_by {
            m.serialize_entry("managedBy", by)?;
        }
        if K::REPLACEABLE {
            m.serialize_entry("forcedBy", &self.forced_by)?;
        }
        m.serialize_entry("changes", &self.changes)?;
        if let Some(url) = &self.authorization_url {
            m.serialize_entry("authorizationUrl", url)?;
        }
        m.end()
    }
}

/// How a declared (or live, undeclared) item compares with its spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TargetDriftState {
    #[serde(rename = "in-sync")]
    InSync,
    #[serde(rename = "modified")]
    Modified,
    #[serde(rename = "missing")]
    Missing,
    /// Live, but `targets:` does not name it (drift: apply deletes it).
    #[serde(rename = "not-declared")]
    NotDeclared,
    /// In sync, but waiting for a user to authorize it (OAuth authorization code): not drift.
    #[serde(rename = "pending-authorization")]
    PendingAuthorization,
}

impl TargetDriftState {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetDriftState::InSync => "in-sync",
            TargetDriftState::Modified => "modified",
            TargetDriftState::Missing => "missing",
            TargetDriftState::NotDeclared => "not-declared",
            TargetDriftState::PendingAuthorization => "pending-authorization",
        }
    }
}

/// Counts per drift state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftSummary {
    pub in_sync: usize,
    pub modified: usize,
    pub missing: usize,
    /// Owned gateways in no spec (drift).
    pub orphaned: usize,
    pub unmanaged: usize,
    /// Gateways that could not be checked.
    pub failed: usize,
}

/// What `acgw drift` reports; [`DriftReport::has_drift`] decides exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftReport {
    /// Always [`FORMAT_VERSION`].
    pub format_version: String,
    pub target: Target,
    pub summary: DriftSummary,
    /// Sorted by name.
    pub gateways: Vec<DriftEntry>,
    /// Listed for information; unmanaged gateways are not drift.
    pub unmanaged: Vec<Unmanaged>,
    /// Gateways the specs name that could not be checked, sorted by name; `drift` exits 1.
    pub failed: Vec<FailedGateway>,
    /// The credential providers, when they were read.
    #[serde(rename = "credentialProviders", skip_serializing_if = "Option::is_none")]
    pub credential_providers: Option<ProvidersDrift>,
}

impl DriftReport {
    /// True when any managed gateway is modified or missing.
    pub fn has_drift(&self) -> bool {
        self.gateways.iter().any(|g| g.state != DriftState::InSync)
            || self.credential_providers.iter().flat_map(|p| &p.providers).any(|p| p.state != DriftState::InSync)
    }

    /// True when any gateway could not be checked.
    pub fn has_failures(&self) -> bool {
        !self.failed.is_empty() || self.credential_providers.as_ref().is_some_and(|p| !p.failed.is_empty())
    }

    /// The versioned JSON document, pretty-printed, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

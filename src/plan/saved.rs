//! Saved plans: the versioned JSON document `plan --out` writes and `apply PLANFILE` reads
//! back, validating every desired configuration exactly as specs are.

use super::*;

impl Plan {
    /// The versioned JSON document, pretty-printed, ending in a newline.
    pub fn to_json(&self) -> String {
        // Every map key in a plan is a string, so serializing cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a saved plan, validating it like a spec: the version, the schema (unknown keys are
    /// errors), every desired configuration against the API model, and the plan's consistency.
    pub fn from_json(text: &str) -> Result<Plan, PlanFileError> {
        let value: serde_json::Value = serde_json::from_str(text)?;
        match value.get("format_version") {
            Some(serde_json::Value::String(v)) if READS_FORMAT_VERSIONS.contains(&v.as_str()) => {}
            Some(other) => return Err(PlanFileError::Version { found: other.to_string() }),
            None => return Err(PlanFileError::Version { found: "(missing)".into() }),
        }
        let raw: RawPlan = serde_json::from_str(text)?;
        let mut gateways = Vec::with_capacity(raw.gateways.len());
        for g in raw.gateways {
            gateways.push(g.into_plan()?);
        }
        let mut plan = Plan::assemble(raw.target, gateways, raw.unmanaged, raw.failed).with_orphaned(raw.orphaned);
        plan.check(raw.summary)?;
        if let Some(providers) = raw.credential_providers {
            let counts = providers.summary;
            let providers =
                ProvidersPlan::assemble(providers.providers, providers.unmanaged, providers.failed, providers.orphaned);
            providers.check(counts)?;
            plan.credential_providers = Some(providers);
        }
        Ok(plan)
    }

    fn check(&self, summary: Summary) -> Result<(), PlanFileError> {
        let bad = |m: String| Err(PlanFileError::Inconsistent(m));
        let mut names = BTreeSet::new();
        for pair in self.gateways.windows(2) {
            if pair[0].name >= pair[1].name {
                return bad(format!("gateways are not sorted by unique name (`{}`, `{}`)", pair[0].name, pair[1].name));
            }
        }
        for g in &self.gateways {
            names.insert(g.name.as_str());
            match (&g.desired, g.action) {
                (None, Action::Delete) => {
                    if g.reason.is_none() {
                        return bad(format!("gateway `{}`: delete needs a reason", g.name));
                    }
                    if !g.changes.is_empty() || !g.tag_changes.is_empty() {
                        return bad(format!("gateway `{}`: delete with changes", g.name));
                    }
                    if g.observed.as_ref().is_none_or(|o| o.targets.is_none()) {
                        return bad(format!("gateway `{}`: delete needs the observed targets", g.name));
                    }
                }
                (Some(_), Action::Delete) | (None, _) => {
                    return bad(format!("gateway `{}`: desired must be null exactly for delete", g.name))
                }
                (Some(desired), _) if desired.name.as_str() != g.name => {
                    return bad(format!("gateway `{}` has desired name `{}`", g.name, desired.name));
                }
                (Some(_), _) => {}
            }
            if (g.action == Action::Create) != g.observed.is_none() {
                return bad(format!(
                    "gateway `{}`: action {} {} an observed fingerprint",
                    g.name,
                    g.action.as_str(),
                    if g.observed.is_none() { "needs" } else { "cannot have" }
                ));
            }
            if (g.action == Action::Replace) == g.forced_by.is_empty() {
                return bad(format!("gateway `{}`: forcedBy must be set exactly for replace", g.name));
            }
            if g.update_gateway && g.action != Action::Update {
                return bad(format!("gateway `{}`: updateGateway is only for update", g.name));
            }
            // apply sends tag calls from tagChanges: they must follow from what was observed and desired.
            if let Some(desired) = &g.desired {
                let desired_tags = normalize::gateway_tags(desired);
                let observed_tags = g.observed.as_ref().map(|o| o.tags.clone()).unwrap_or_default();
                let expected = diff::tags(&normalize::comparable_tags(&observed_tags, &desired_tags), &desired_tags);
                if g.tag_changes != expected {
                    return bad(format!("gateway `{}`: tagChanges do not match observed and desired tags", g.name));
                }
            }
            if g.action == Action::NoOp && (!g.changes.is_empty() || !g.tag_changes.is_empty()) {
                return bad(format!("gateway `{}`: no-op with changes", g.name));
            }
        }
        if let Some(u) = self.unmanaged.iter().find(|u| names.contains(u.name.as_str())) {
            return bad(format!("gateway `{}` is both planned and unmanaged", u.name));
        }
        if let Some(f) = self.failed.iter().find(|f| names.contains(f.name.as_str())) {
            return bad(format!("gateway `{}` is both planned and failed", f.name));
        }
        if let Some(o) = self.orphaned.iter().find(|o| names.contains(o.name.as_str())) {
            return bad(format!("gateway `{}` is both planned and orphaned", o.name));
        }
        if summary != self.summary {
            return bad(format!("summary {summary:?} does not match the gateways ({:?})", self.summary));
        }
        Ok(())
    }
}

/// The plan file's shape before the desired configurations are validated.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    #[allow(dead_code)] // checked before this shape is read
    format_version: String,
    target: Target,
    summary: Summary,
    gateways: Vec<RawGatewayPlan>,
    unmanaged: Vec<Unmanaged>,
    #[serde(default)]
    failed: Vec<FailedGateway>,
    #[serde(default)]
    orphaned: Vec<Unmanaged>,
    #[serde(default, rename = "credentialProviders")]
    credential_providers: Option<ProvidersPlan>,
}

/// An entry of a saved plan, before it is checked.
pub type RawEntry = serde_json::Map<String, serde_json::Value>;

/// Refuses an entry with a member not in `fields`, as serde's `deny_unknown_fields` words it.
fn deny_unknown(entry: &RawEntry, fields: &[&str]) -> Result<(), serde_json::Error> {
    use serde::de::Error as _;
    match entry.keys().find(|k| !fields.contains(&k.as_str())) {
        Some(unknown) => {
            let expected: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            Err(serde_json::Error::custom(format!(
                "unknown field `{unknown}`, expected one of {}",
                expected.join(", ")
            )))
        }
        None => Ok(()),
    }
}

/// The required member `name` of a saved entry.
fn take<T: serde::de::DeserializeOwned>(entry: &mut RawEntry, name: &'static str) -> Result<T, serde_json::Error> {
    use serde::de::Error as _;
    match entry.remove(name) {
        Some(value) => serde_json::from_value(value),
        None => Err(serde_json::Error::missing_field(name)),
    }
}

/// The optional member `name` of a saved entry (absent and `null` are both `None`).
fn take_opt<T: serde::de::DeserializeOwned>(entry: &mut RawEntry, name: &str) -> Result<Option<T>, serde_json::Error> {
    match entry.remove(name) {
        Some(value) => serde_json::from_value(value),
        None => Ok(None),
    }
}

/// A saved item's fingerprint.
fn saved_fingerprint<K: ItemKind>(mut entry: RawEntry) -> Result<ItemFingerprint<K>, serde_json::Error> {
    deny_unknown(&entry, &[K::ID_FIELD, "status", "updatedAt"])?;
    Ok(ItemFingerprint {
        id: take(&mut entry, K::ID_FIELD)?,
        status: take(&mut entry, "status")?,
        updated_at: take(&mut entry, "updatedAt")?,
    })
}

/// One saved item's plan, its desired configuration checked like a spec and its parts against
/// its action.
fn saved_item<K: ItemKind>(gateway: &str, mut entry: RawEntry) -> Result<ItemPlan<K>, PlanFileError> {
    let mut fields = vec![K::KEY_FIELD, "action"];
    if K::SYSTEM_MANAGED {
        fields.push("managedBy");
    }
    if K::REPLACEABLE {
        fields.push("forcedBy");
    }
    fields.extend(["changes", "observed", "desired"]);
    if K::AWAITS_AUTHORIZATION {
        fields.push("authorizationUrl");
    }
    deny_unknown(&entry, &fields)?;
    let key: K::Key = take(&mut entry, K::KEY_FIELD)?;
    let action: Action = take(&mut entry, "action")?;
    let managed_by: Option<String> = take_opt(&mut entry, "managedBy")?;
    let forced_by: Vec<String> = if K::REPLACEABLE { take(&mut entry, "forcedBy")? } else { Vec::new() };
    let authorization_url: Option<String> = take_opt(&mut entry, "authorizationUrl")?;
    let changes: Vec<Change> = take(&mut entry, "changes")?;
    let observed = match take_opt::<RawEntry>(&mut entry, "observed")? {
        Some(o) => Some(saved_fingerprint::<K>(o)?),
        None => None,
    };
    let noun = K::NOUN;
    let name = format!("{noun} {}", K::cite(&key));
    let desired = match take_opt::<serde_json::Value>(&mut entry, "desired")? {
        None => None,
        Some(d) => {
            let file = format!("plan file: gateways[{gateway}].{}[{key}].desired", K::SPEC_KEY);
            let item: K::Desired = decode_saved(gateway, &file, &d, K::check_cross_field)?;
            let have = K::key(&item);
            if have != key {
                return Err(PlanFileError::Inconsistent(format!(
                    "gateway `{gateway}`: {name} has desired {} {}",
                    K::KEY_FIELD,
                    K::cite(&have)
                )));
            }
            Some(item)
        }
    };
    let system = managed_by.is_some();
    if system && (action != Action::NoOp || desired.is_some()) {
        return Err(PlanFileError::Inconsistent(format!(
            "gateway `{gateway}`: {name}: a system-managed {noun} must be a no-op without desired"
        )));
    }
    if !system && (action == Action::Delete) != desired.is_none() {
        return Err(PlanFileError::Inconsistent(format!(
            "gateway `{gateway}`: {name}: desired must be null exactly for delete"
        )));
    }
    if (action == Action::Create) != observed.is_none() {
        return Err(PlanFileError::Inconsistent(format!(
            "gateway `{gateway}`: {name}: observed must be null exactly for create"
        )));
    }
    Ok(ItemPlan { key, action, managed_by, forced_by, changes, observed, desired, authorization_url })
}

/// A saved plan's resource-policy plan, before its desired policy is checked.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawPolicyPlan {
    action: Action,
    changes: Vec<Change>,
    observed: Option<String>,
    desired: Option<serde_json::Value>,
}

impl RawPolicyPlan {
    fn into_plan(self, gateway: &str) -> Result<PolicyPlan, PlanFileError> {
        let desired = match &self.desired {
            None => None,
            Some(d) => {
                let file = format!("plan file: gateways[{gateway}].resourcePolicy.desired");
                Some(decode_saved::<ResourcePolicy>(gateway, &file, d, |_, _| {})?)
            }
        };
        Ok(PolicyPlan { action: self.action, changes: self.changes, observed: self.observed, desired })
    }
}

/// A saved plan's desired configuration, checked like a spec.
pub(super) fn decode_desired(name: &str, desired: &serde_json::Value) -> Result<Gateway, PlanFileError> {
    decode_saved(name, &format!("plan file: gateways[{name}].desired"), desired, Gateway::check_cross_field)
}

/// A desired value of a saved plan, at `file` (its place in the plan file), checked like a spec:
/// the model's decoder and the shape's `cross_field` rules. Only errors refuse it.
pub(super) fn decode_saved<T: Decode>(
    gateway: &str,
    file: &str,
    desired: &serde_json::Value,
    cross_field: fn(&Node, &mut Cx<'_>),
) -> Result<T, PlanFileError> {
    let mut problems = Vec::new();
    let node = Node::from_json(desired);
    let decoded = {
        let mut cx = Cx::new(file, &mut problems);
        cx.set_gateway(Some(gateway.to_string()));
        let value = T::decode(&node, &mut cx);
        cross_field(&node, &mut cx);
        value
    };
    let mut problems = Problems(problems);
    problems.sort();
    match decoded {
        Some(value) if !problems.has_errors() => Ok(value),
        _ => {
            problems.0.retain(|p| p.severity == Severity::Error);
            Err(PlanFileError::InvalidGateway { name: gateway.to_string(), problems })
        }
    }
}

impl<K: ItemKind + GatewayPart> PlannedPart for K {
    type Planned = Vec<ItemPlan<K>>;
    type Raw = Vec<RawEntry>;
    type Drift = Vec<ItemDrift<K>>;

    fn visit(planned: Option<&Vec<ItemPlan<K>>>, visitor: &mut impl PartsVisitor) {
        visitor.items::<K>(planned)
    }

    fn visit_drift(drift: Option<&Vec<ItemDrift<K>>>, visitor: &mut impl DriftVisitor) {
        visitor.items::<K>(drift)
    }

    fn read_saved(gateway: &str, raw: Vec<RawEntry>) -> Result<Vec<ItemPlan<K>>, PlanFileError> {
        raw.into_iter().map(|entry| saved_item::<K>(gateway, entry)).collect()
    }

    fn drift(planned: &Vec<ItemPlan<K>>) -> Option<Vec<ItemDrift<K>>> {
        Some(planned.iter().map(ItemDrift::of).collect())
    }
}

impl PlannedPart for PolicyKind {
    type Planned = PolicyPlan;
    type Raw = RawPolicyPlan;
    type Drift = Folded;

    fn visit(planned: Option<&PolicyPlan>, visitor: &mut impl PartsVisitor) {
        visitor.policy(planned)
    }

    fn visit_drift(_drift: Option<&Folded>, _visitor: &mut impl DriftVisitor) {}

    fn read_saved(gateway: &str, raw: RawPolicyPlan) -> Result<PolicyPlan, PlanFileError> {
        raw.into_plan(gateway)
    }

    /// The policy's differences are the gateway's, under `resourcePolicy`.
    fn drift(_planned: &PolicyPlan) -> Option<Folded> {
        None
    }
}

//! The machine-readable documents (`--format json`) and their JSON Schemas (draft 2020-12).
//!
//! Each document is one JSON value on stdout, with a `format_version` of its own; the rule for
//! versions is in `docs/output-format.md`. The schemas are generated here from the same types
//! and constants that serialize the documents (the item kinds' field names, the plan's version),
//! closed with `additionalProperties: false` everywhere, so that a field added without a schema
//! change fails the tests that validate every JSON output of the suite.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::apply::{ApplyError, Report};
use crate::kind::rate_limit::RateLimitKind;
use crate::kind::rule::RuleKind;
use crate::kind::target::TargetKind;
use crate::kind::{ItemKind, PolicyKind};
use crate::model::schema::{Defs, Schema, DIALECT};
use crate::plan::PlannedPart;
use crate::problem::Problem;

/// The `format_version` of the apply and destroy reports.
pub const APPLY_FORMAT_VERSION: &str = "2";
/// The `format_version` of the validate report.
pub const VALIDATE_FORMAT_VERSION: &str = "1";
/// The `format_version` of the sync report.
pub const SYNC_FORMAT_VERSION: &str = "1";

/// The documents acgw prints for machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// `plan --format json` and `plan --out` (the saved plan).
    Plan,
    /// `drift --format json`.
    Drift,
    /// `apply --format json`.
    Apply,
    /// `destroy --format json` (the apply report's shape).
    Destroy,
    /// `validate --format json`.
    Validate,
    /// `sync --format json`.
    Sync,
}

impl Output {
    /// Every document, in the order the docs list them.
    pub const ALL: [Output; 6] =
        [Output::Plan, Output::Drift, Output::Apply, Output::Destroy, Output::Validate, Output::Sync];

    /// Its name: the command that prints it, and its schema's file stem in `docs/schemas/`.
    pub fn name(self) -> &'static str {
        match self {
            Output::Plan => "plan",
            Output::Drift => "drift",
            Output::Apply => "apply",
            Output::Destroy => "destroy",
            Output::Validate => "validate",
            Output::Sync => "sync",
        }
    }

    /// The document named `name`.
    pub fn from_name(name: &str) -> Option<Output> {
        Output::ALL.into_iter().find(|o| o.name() == name)
    }

    /// The `format_version` this acgw writes.
    pub fn format_version(self) -> &'static str {
        match self {
            Output::Plan | Output::Drift => crate::plan::FORMAT_VERSION,
            Output::Apply | Output::Destroy => APPLY_FORMAT_VERSION,
            Output::Validate => VALIDATE_FORMAT_VERSION,
            Output::Sync => SYNC_FORMAT_VERSION,
        }
    }

    /// Its JSON Schema.
    pub fn schema(self) -> Value {
        let mut defs = Defs::default();
        let (title, body) = match self {
            Output::Plan => ("acgw plan", or_failure(plan_schema(&mut defs))),
            Output::Drift => ("acgw drift report", or_failure(drift_schema(&mut defs))),
            Output::Apply => ("acgw apply report", apply_schema(self)),
            Output::Destroy => ("acgw destroy report", apply_schema(self)),
            Output::Validate => ("acgw validate report", validate_schema()),
            Output::Sync => ("acgw sync report", sync_schema()),
        };
        let mut doc = Map::new();
        doc.insert("$schema".into(), json!(DIALECT));
        doc.insert("title".into(), json!(title));
        if let Value::Object(body) = body {
            doc.extend(body);
        }
        let defs = defs.into_map();
        if !defs.is_empty() {
            doc.insert("$defs".into(), json!(defs));
        }
        Value::Object(doc)
    }
}

/// What `plan` and `drift` print with `--format json` when they fail before they have a plan
/// (invalid specs, no connection): stdout still holds one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureDocument {
    /// The version of the document that would have come ([`crate::plan::FORMAT_VERSION`]).
    pub format_version: &'static str,
    /// Why there is no plan; the details are on stderr.
    pub error: String,
}

impl FailureDocument {
    /// The failure of a plan or drift run.
    pub fn new(error: String) -> Self {
        FailureDocument { format_version: crate::plan::FORMAT_VERSION, error }
    }

    /// Pretty-printed, ending in a newline.
    pub fn to_json(&self) -> String {
        to_json(self)
    }
}

/// The apply (and destroy) report: what was done per gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplyDocument {
    /// Always [`APPLY_FORMAT_VERSION`].
    pub format_version: &'static str,
    /// True when every gateway succeeded and nothing was refused.
    pub succeeded: bool,
    /// Why nothing was applied, when the run refused before any change (e.g. a replacement
    /// without `--allow-replace`, a stale plan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// True when a signal stopped the run (exit 130); absent otherwise.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    pub summary: ApplySummary,
    /// Credential providers written or deleted, sorted by name; absent when there were none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credential_providers: Vec<ApplyProvider>,
    /// Sorted by name.
    pub gateways: Vec<ApplyGateway>,
}

/// One credential provider's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplyProvider {
    pub name: String,
    /// `oauth2` or `apiKey`; `null` for one that could not be planned and whose kind is unknown.
    pub kind: Option<crate::model::credential_provider::ProviderKind>,
    /// `create`, `update`, `delete`, or `none` (not applied: it could not be planned).
    pub action: &'static str,
    /// `succeeded`, `partial`, `failed`, `interrupted` or `not-applied`.
    pub result: &'static str,
    pub arn: Option<String>,
    pub elapsed_ms: u64,
    /// Calls that took effect, in order.
    pub done: Vec<String>,
    pub error: Option<String>,
}

/// Counts of gateways by outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ApplySummary {
    pub succeeded: usize,
    pub failed: usize,
}

/// One gateway's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplyGateway {
    pub name: String,
    /// `create`, `update`, `replace`, `delete` or `none` (not applied).
    pub action: &'static str,
    /// `succeeded`, `partial`, `failed`, `interrupted` or `not-applied`.
    pub result: &'static str,
    pub gateway_id: Option<String>,
    pub elapsed_ms: u64,
    /// Calls that took effect, in order.
    pub done: Vec<String>,
    /// The status last seen; `null` when no call reported one.
    pub status: Option<String>,
    pub pending_authorization: Vec<PendingAuthorization>,
    pub error: Option<String>,
}

/// A target left pending OAuth authorization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingAuthorization {
    pub target: String,
    pub authorization_url: String,
}

/// An outcome's result word.
fn result_of(error: Option<&ApplyError>, nothing_done: bool) -> &'static str {
    match (error, nothing_done) {
        (None, _) => "succeeded",
        (Some(ApplyError::NotRead { .. }), _) => "not-applied",
        (Some(ApplyError::Interrupted { .. }), _) => "interrupted",
        (Some(_), true) => "failed",
        (Some(_), false) => "partial",
    }
}

impl ApplyDocument {
    /// The document of a finished apply.
    pub fn of(report: &Report) -> Self {
        let gateways: Vec<ApplyGateway> = report
            .gateways
            .iter()
            .map(|g| ApplyGateway {
                name: g.name.clone(),
                action: g.action,
                result: result_of(g.error.as_ref(), g.done.is_empty()),
                gateway_id: g.gateway_id.clone(),
                elapsed_ms: u64::try_from(g.elapsed.as_millis()).unwrap_or(u64::MAX),
                done: g.done.clone(),
                status: g.status.as_ref().map(|s| s.as_str().to_string()),
                pending_authorization: g
                    .pending_auth
                    .iter()
                    .map(|(target, url)| PendingAuthorization {
                        target: target.clone(),
                        authorization_url: url.clone(),
                    })
                    .collect(),
                error: g.error.as_ref().map(ToString::to_string),
            })
            .collect();
        let providers: Vec<ApplyProvider> = report
            .providers
            .iter()
            .map(|p| ApplyProvider {
                name: p.name.clone(),
                kind: p.kind,
                action: p.action,
                result: result_of(p.error.as_ref(), p.done.is_empty()),
                arn: p.arn.clone(),
                elapsed_ms: u64::try_from(p.elapsed.as_millis()).unwrap_or(u64::MAX),
                done: p.done.clone(),
                error: p.error.as_ref().map(ToString::to_string),
            })
            .collect();
        let total = gateways.len() + providers.len();
        let succeeded = gateways.iter().filter(|g| g.result == "succeeded").count()
            + providers.iter().filter(|p| p.result == "succeeded").count();
        ApplyDocument {
            format_version: APPLY_FORMAT_VERSION,
            succeeded: succeeded == total,
            refused: None,
            interrupted: report.interrupted,
            summary: ApplySummary { succeeded, failed: total - succeeded },
            credential_providers: providers,
            gateways,
        }
    }

    /// The document of a run that refused before changing anything: every gateway it would have
    /// changed is `not-applied` with `reason`.
    pub fn refused(reason: &str, gateways: &[(String, Option<String>, &'static str)]) -> Self {
        let gateways: Vec<ApplyGateway> = gateways
            .iter()
            .map(|(name, id, action)| ApplyGateway {
                name: name.clone(),
                action,
                result: "not-applied",
                gateway_id: id.clone(),
                elapsed_ms: 0,
                done: Vec::new(),
                status: None,
                pending_authorization: Vec::new(),
                error: Some(reason.to_string()),
            })
            .collect();
        ApplyDocument {
            format_version: APPLY_FORMAT_VERSION,
            succeeded: false,
            refused: Some(reason.to_string()),
            interrupted: false,
            summary: ApplySummary { succeeded: 0, failed: gateways.len() },
            credential_providers: Vec::new(),
            gateways,
        }
    }

    /// Pretty-printed, ending in a newline.
    pub fn to_json(&self) -> String {
        to_json(self)
    }
}

/// The validate report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidateDocument<'a> {
    /// Always [`VALIDATE_FORMAT_VERSION`].
    pub format_version: &'static str,
    pub valid: bool,
    /// Gateways declared (0 when invalid).
    pub gateways: usize,
    /// Credential providers declared; absent when none is.
    #[serde(skip_serializing_if = "is_zero")]
    pub credential_providers: usize,
    /// Errors and warnings, sorted by file and position.
    pub problems: &'a [Problem],
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl<'a> ValidateDocument<'a> {
    /// The report of one validate run.
    pub fn new(valid: bool, gateways: usize, problems: &'a [Problem]) -> Self {
        ValidateDocument { format_version: VALIDATE_FORMAT_VERSION, valid, gateways, credential_providers: 0, problems }
    }

    /// The report with the number of credential providers declared.
    pub fn with_providers(mut self, providers: usize) -> Self {
        self.credential_providers = providers;
        self
    }

    /// Pretty-printed, ending in a newline.
    pub fn to_json(&self) -> String {
        to_json(self)
    }
}

/// The sync report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncDocument {
    /// Always [`SYNC_FORMAT_VERSION`].
    pub format_version: &'static str,
    /// True when every chosen target synchronized and nothing else failed.
    pub succeeded: bool,
    pub summary: SyncSummary,
    /// Sorted by gateway, then target name.
    pub targets: Vec<SyncTarget>,
    /// Failures that are no target's synchronization: a gateway that could not be read, a named
    /// target that is missing or cannot be synchronized.
    pub errors: Vec<String>,
}

/// Counts of the sync report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SyncSummary {
    pub synchronized: usize,
    pub failed: usize,
}

/// One target's synchronization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncTarget {
    pub gateway: String,
    pub target: String,
    pub target_id: String,
    /// `synchronized` or `failed`.
    pub result: &'static str,
    /// The status after the synchronization; `null` when it failed.
    pub status: Option<String>,
    pub last_synchronized_at: Option<String>,
    pub error: Option<String>,
}

impl SyncDocument {
    /// The report of `targets` plus `errors`.
    pub fn new(targets: Vec<SyncTarget>, errors: Vec<String>) -> Self {
        let synchronized = targets.iter().filter(|t| t.result == "synchronized").count();
        let failed = targets.len() - synchronized + errors.len();
        SyncDocument {
            format_version: SYNC_FORMAT_VERSION,
            succeeded: failed == 0,
            summary: SyncSummary { synchronized, failed },
            targets,
            errors,
        }
    }

    /// Pretty-printed, ending in a newline.
    pub fn to_json(&self) -> String {
        to_json(self)
    }
}

fn to_json<T: Serialize>(doc: &T) -> String {
    // Every map key in these documents is a string, so serializing cannot fail.
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}

// ---- schema building blocks ----

/// A closed object: `props` as (key, required, schema); nothing else allowed.
fn object(doc: &str, props: Vec<(&str, bool, Value)>) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (key, req, schema) in props {
        if req {
            required.push(key.to_string());
        }
        properties.insert(key.to_string(), schema);
    }
    let mut s =
        json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false });
    if !doc.is_empty() {
        s["description"] = json!(doc);
    }
    s
}

fn string() -> Value {
    json!({ "type": "string" })
}

fn nullable(schema: Value) -> Value {
    json!({ "anyOf": [schema, { "type": "null" }] })
}

fn count() -> Value {
    json!({ "type": "integer", "minimum": 0 })
}

fn list(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

fn one_of_strings(values: &[&str]) -> Value {
    json!({ "type": "string", "enum": values })
}

fn version(v: &str) -> Value {
    json!({ "const": v, "description": "This document's format version; see docs/output-format.md." })
}

/// A reference to `$defs/name`, defined by `build` on first use.
fn define(defs: &mut Defs, name: &str, build: impl FnOnce(&mut Defs) -> Value) -> Value {
    defs.define(name, build)
}

const ACTIONS: &[&str] = &["create", "update", "replace", "delete", "no-op"];

// ---- plan and drift ----

/// `document`, or the failure document printed instead when there is none to print.
fn or_failure(document: Value) -> Value {
    let failure = object(
        "Printed instead when the run failed before it had a plan (invalid specs, no connection); a saved plan is never one.",
        vec![("format_version", true, version(crate::plan::FORMAT_VERSION)), ("error", true, string())],
    );
    json!({ "oneOf": [document, failure] })
}

/// The JSON type of an item kind's key (a target's name, a rule's priority, a rate limit's ID),
/// and the name its schemas are defined under.
trait KeySchema: ItemKind {
    /// The prefix of its `$defs` names: `Target` gives `TargetPlan` and `TargetDrift`.
    const DEF: &'static str;
    fn key_schema() -> Value;
}

impl KeySchema for TargetKind {
    const DEF: &'static str = "Target";
    fn key_schema() -> Value {
        string()
    }
}

impl KeySchema for RuleKind {
    const DEF: &'static str = "Rule";
    fn key_schema() -> Value {
        json!({ "type": "integer" })
    }
}

impl KeySchema for RateLimitKind {
    const DEF: &'static str = "RateLimit";
    fn key_schema() -> Value {
        string()
    }
}

/// The schema of each gateway part in plans and drift reports.
trait SchemaPart: PlannedPart {
    /// Its property in a gateway plan.
    fn plan_schema(defs: &mut Defs) -> Value;
    /// Its property in a drift entry; `None` when its drift is the gateway's own.
    fn drift_schema(defs: &mut Defs) -> Option<Value>;
}

impl<K: KeySchema + PlannedPart> SchemaPart for K
where
    K::Desired: Schema,
{
    fn plan_schema(defs: &mut Defs) -> Value {
        list(item_plan_schema::<K>(defs, &format!("{}Plan", K::DEF)))
    }

    fn drift_schema(defs: &mut Defs) -> Option<Value> {
        Some(list(item_drift_schema::<K>(defs, &format!("{}Drift", K::DEF))))
    }
}

impl SchemaPart for PolicyKind {
    fn plan_schema(defs: &mut Defs) -> Value {
        // The policy document is the user's IAM JSON, passed through as written: open on purpose.
        let mut policy = crate::model::policy::ResourcePolicy::schema(defs);
        policy["additionalProperties"] = json!(true);
        object(
            "The plan for the gateway's resource policy.",
            vec![
                ("action", true, one_of_strings(ACTIONS)),
                ("changes", true, list(change_schema(defs))),
                ("observed", true, nullable(string())),
                ("desired", true, nullable(policy)),
            ],
        )
    }

    fn drift_schema(_defs: &mut Defs) -> Option<Value> {
        None
    }
}

macro_rules! part_schemas {
    ([$(($var:ident, $field:ident, $key:literal, $kind:ty, $rank:literal)),* $(,)?]) => {
        /// Each registered part's property in a gateway plan, in plan order.
        fn plan_parts_schema(defs: &mut Defs) -> Vec<(&'static str, bool, Value)> {
            vec![$(($key, false, <$kind as SchemaPart>::plan_schema(defs)),)*]
        }

        /// Each registered part's property in a drift entry, in plan order.
        fn drift_parts_schema(defs: &mut Defs) -> Vec<(&'static str, bool, Value)> {
            let mut out = Vec::new();
            $(
                if let Some(schema) = <$kind as SchemaPart>::drift_schema(defs) {
                    out.push(($key, false, schema));
                }
            )*
            out
        }
    };
}
crate::kind::for_each_part!(part_schemas);

fn target_schema(defs: &mut Defs) -> Value {
    define(defs, "PlanTarget", |_| {
        object(
            "Which API the document was made against.",
            vec![("region", true, nullable(string())), ("endpoint", true, nullable(string()))],
        )
    })
}

fn change_schema(defs: &mut Defs) -> Value {
    define(defs, "Change", |_| {
        object(
            "One changed field, observed (before) → desired (after); null when absent.",
            vec![
                ("path", true, string()),
                ("kind", true, one_of_strings(&["add", "remove", "change"])),
                ("before", true, json!({})),
                ("after", true, json!({})),
                (
                    "elements",
                    false,
                    object("", vec![("added", true, list(json!({}))), ("removed", true, list(json!({})))]),
                ),
            ],
        )
    })
}

fn tag_change_schema(defs: &mut Defs) -> Value {
    define(defs, "TagChange", |_| {
        object(
            "One changed tag.",
            vec![
                ("key", true, string()),
                ("kind", true, one_of_strings(&["add", "remove", "change"])),
                ("before", true, nullable(string())),
                ("after", true, nullable(string())),
            ],
        )
    })
}

fn unmanaged_schema(defs: &mut Defs) -> Value {
    define(defs, "Unmanaged", |_| {
        object(
            "A live gateway no spec names.",
            vec![
                ("name", true, string()),
                ("gatewayId", true, string()),
                ("status", true, string()),
                ("updatedAt", true, string()),
            ],
        )
    })
}

fn failed_schema(defs: &mut Defs) -> Value {
    define(defs, "FailedGateway", |_| {
        object(
            "A gateway the specs name that could not be read or represented.",
            vec![("name", true, string()), ("gatewayId", true, nullable(string())), ("error", true, string())],
        )
    })
}

fn fingerprint_schema(defs: &mut Defs) -> Value {
    define(defs, "Fingerprint", |_| {
        object(
            "What was observed of a live gateway.",
            vec![
                ("gatewayId", true, string()),
                ("gatewayArn", true, string()),
                ("status", true, string()),
                ("updatedAt", true, string()),
                ("tags", true, json!({ "type": "object", "additionalProperties": string() })),
                (
                    "targets",
                    false,
                    list(object(
                        "",
                        vec![("targetId", true, string()), ("name", true, string()), ("status", true, string())],
                    )),
                ),
            ],
        )
    })
}

fn item_plan_schema<K: KeySchema>(defs: &mut Defs, def: &str) -> Value
where
    K::Desired: Schema,
{
    define(defs, def, |defs| {
        let observed =
            object("", vec![(K::ID_FIELD, true, string()), ("status", true, string()), ("updatedAt", true, string())]);
        let mut props = vec![(K::KEY_FIELD, true, K::key_schema()), ("action", true, one_of_strings(ACTIONS))];
        if K::SYSTEM_MANAGED {
            props.push(("managedBy", false, string()));
        }
        if K::REPLACEABLE {
            props.push(("forcedBy", true, list(string())));
        }
        props.push(("changes", true, list(change_schema(defs))));
        props.push(("observed", true, nullable(observed)));
        props.push(("desired", true, nullable(K::Desired::schema(defs))));
        if K::AWAITS_AUTHORIZATION {
            props.push(("authorizationUrl", false, string()));
        }
        object(&format!("The plan for one {}.", K::NOUN), props)
    })
}

fn plan_schema(defs: &mut Defs) -> Value {
    let mut props = vec![
        ("name", true, string()),
        ("action", true, one_of_strings(ACTIONS)),
        ("forcedBy", true, list(string())),
        ("updateGateway", true, json!({ "type": "boolean" })),
        ("changes", true, list(change_schema(defs))),
        ("tagChanges", true, list(tag_change_schema(defs))),
        ("observed", true, nullable(fingerprint_schema(defs))),
        ("desired", true, nullable(crate::model::Gateway::schema(defs))),
        ("reason", false, one_of_strings(&["pruned", "destroyed"])),
    ];
    props.extend(plan_parts_schema(defs));
    let gateway_plan = object("The plan for one gateway.", props);
    let summary = object(
        "Counts per action.",
        ["create", "update", "replace", "noOp", "unmanaged", "failed", "delete", "orphaned"]
            .into_iter()
            .map(|k| (k, true, count()))
            .collect(),
    );
    object(
        "What apply would change (also the file `plan --out` saves). See docs/plan-format.md.",
        vec![
            ("format_version", true, version(crate::plan::FORMAT_VERSION)),
            ("target", true, target_schema(defs)),
            ("summary", true, summary),
            ("gateways", true, list(gateway_plan)),
            ("unmanaged", true, list(unmanaged_schema(defs))),
            ("failed", true, list(failed_schema(defs))),
            ("orphaned", true, list(unmanaged_schema(defs))),
            ("credentialProviders", false, providers_plan_schema(defs)),
        ],
    )
}

// ---- credential providers (present when providers were read): output/providers.rs ----

mod providers;
use providers::{providers_drift_schema, providers_plan_schema};

fn item_drift_schema<K: KeySchema>(defs: &mut Defs, def: &str) -> Value {
    define(defs, def, |defs| {
        let mut props = vec![
            (K::KEY_FIELD, true, K::key_schema()),
            (
                "state",
                true,
                one_of_strings(&["in-sync", "modified", "missing", "not-declared", "pending-authorization"]),
            ),
        ];
        if K::ID_IN_REPORTS {
            props.push((K::ID_FIELD, true, nullable(string())));
        }
        props.push(("status", true, nullable(string())));
        if K::SYSTEM_MANAGED {
            props.push(("managedBy", false, string()));
        }
        if K::REPLACEABLE {
            props.push(("forcedBy", true, list(string())));
        }
        props.push(("changes", true, list(change_schema(defs))));
        if K::AWAITS_AUTHORIZATION {
            props.push(("authorizationUrl", false, string()));
        }
        object(&format!("How one {} compares with its spec.", K::NOUN), props)
    })
}

fn drift_schema(defs: &mut Defs) -> Value {
    let mut props = vec![
        ("name", true, string()),
        ("state", true, one_of_strings(&["in-sync", "modified", "missing", "orphaned"])),
        ("gatewayId", true, nullable(string())),
        ("status", true, nullable(string())),
        ("forcedBy", true, list(string())),
        ("changes", true, list(change_schema(defs))),
        ("tagChanges", true, list(tag_change_schema(defs))),
    ];
    props.extend(drift_parts_schema(defs));
    let entry = object("How one gateway compares with its spec.", props);
    let summary = object(
        "Counts per state.",
        ["inSync", "modified", "missing", "orphaned", "unmanaged", "failed"]
            .into_iter()
            .map(|k| (k, true, count()))
            .collect(),
    );
    object(
        "Differences between the specs and the live gateways. See docs/plan-format.md.",
        vec![
            ("format_version", true, version(crate::plan::FORMAT_VERSION)),
            ("target", true, target_schema(defs)),
            ("summary", true, summary),
            ("gateways", true, list(entry)),
            ("unmanaged", true, list(unmanaged_schema(defs))),
            ("failed", true, list(failed_schema(defs))),
            ("credentialProviders", false, providers_drift_schema(defs)),
        ],
    )
}

// ---- apply, destroy, validate, sync ----

fn apply_schema(which: Output) -> Value {
    let gateway = object(
        "One gateway's outcome.",
        vec![
            ("name", true, string()),
            ("action", true, one_of_strings(&["create", "update", "replace", "delete", "none"])),
            ("result", true, one_of_strings(&["succeeded", "partial", "failed", "interrupted", "not-applied"])),
            ("gateway_id", true, nullable(string())),
            ("elapsed_ms", true, count()),
            ("done", true, list(string())),
            ("status", true, nullable(string())),
            (
                "pending_authorization",
                true,
                list(object("", vec![("target", true, string()), ("authorization_url", true, string())])),
            ),
            ("error", true, nullable(string())),
        ],
    );
    let provider = object(
        "One credential provider's outcome.",
        vec![
            ("name", true, string()),
            ("kind", true, nullable(one_of_strings(&["oauth2", "apiKey"]))),
            ("action", true, one_of_strings(&["create", "update", "delete", "none"])),
            ("result", true, one_of_strings(&["succeeded", "partial", "failed", "interrupted", "not-applied"])),
            ("arn", true, nullable(string())),
            ("elapsed_ms", true, count()),
            ("done", true, list(string())),
            ("error", true, nullable(string())),
        ],
    );
    let what = if which == Output::Destroy { "What destroy deleted" } else { "What apply did" };
    object(
        &format!("{what}, per gateway and credential provider."),
        vec![
            ("format_version", true, version(APPLY_FORMAT_VERSION)),
            ("succeeded", true, json!({ "type": "boolean" })),
            ("refused", false, string()),
            ("interrupted", false, json!({ "type": "boolean" })),
            (
                "summary",
                true,
                object(
                    "Gateways and credential providers by outcome.",
                    vec![("succeeded", true, count()), ("failed", true, count())],
                ),
            ),
            ("credential_providers", false, list(provider)),
            ("gateways", true, list(gateway)),
        ],
    )
}

fn validate_schema() -> Value {
    let problem = object(
        "One problem in a spec.",
        vec![
            ("severity", true, one_of_strings(&["error", "warning"])),
            ("file", true, string()),
            ("line", true, count()),
            ("column", true, count()),
            ("gateway", true, nullable(string())),
            ("path", true, string()),
            ("message", true, string()),
        ],
    );
    object(
        "Whether the specs are valid, and every problem found.",
        vec![
            ("format_version", true, version(VALIDATE_FORMAT_VERSION)),
            ("valid", true, json!({ "type": "boolean" })),
            ("gateways", true, count()),
            ("credential_providers", false, count()),
            ("problems", true, list(problem)),
        ],
    )
}

fn sync_schema() -> Value {
    let target = object(
        "One target's synchronization.",
        vec![
            ("gateway", true, string()),
            ("target", true, string()),
            ("target_id", true, string()),
            ("result", true, one_of_strings(&["synchronized", "failed"])),
            ("status", true, nullable(string())),
            ("last_synchronized_at", true, nullable(string())),
            ("error", true, nullable(string())),
        ],
    );
    object(
        "Which targets were synchronized.",
        vec![
            ("format_version", true, version(SYNC_FORMAT_VERSION)),
            ("succeeded", true, json!({ "type": "boolean" })),
            ("summary", true, object("", vec![("synchronized", true, count()), ("failed", true, count())])),
            ("targets", true, list(target)),
            ("errors", true, list(string())),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docs_state_every_documents_current_version() {
        let docs = include_str!("../docs/output-format.md");
        for o in Output::ALL {
            let row = format!("`{}`: `\"{}\"`", o.name(), o.format_version());
            assert!(docs.contains(&row), "docs/output-format.md must state {row}");
            assert_eq!(Output::from_name(o.name()), Some(o));
        }
    }

    /// The errors of `doc` against `output`'s schema, one line each.
    fn schema_errors(output: Output, doc: &Value) -> Vec<String> {
        let schema = output.schema();
        let validator = jsonschema::draft202012::new(&schema).expect("the schema compiles");
        validator.iter_errors(doc).map(|e| format!("at {}: {e}", e.instance_path())).collect()
    }

    #[test]
    fn plans_and_drift_reports_with_credential_providers_match_their_schemas() {
        use crate::render::fixture;
        for prune in [true, false] {
            let plan = fixture::providers_plan(prune);
            let doc: Value = serde_json::from_str(&plan.to_json()).expect("JSON");
            let providers = &doc["credentialProviders"];
            assert!(providers["providers"].as_array().is_some_and(|p| p.len() >= 4), "{doc}");
            assert_eq!(schema_errors(Output::Plan, &doc), Vec::<String>::new(), "prune {prune}");
            let report: Value = serde_json::from_str(&plan.drift_report().to_json()).expect("JSON");
            assert!(report["credentialProviders"]["providers"].is_array(), "{report}");
            assert_eq!(schema_errors(Output::Drift, &report), Vec::<String>::new(), "prune {prune}");
        }
        // Both kinds, every action, a secret sent and a deletion's holders are in what was checked.
        let doc: Value = serde_json::from_str(&fixture::providers_plan(true).to_json()).expect("JSON");
        let providers = doc["credentialProviders"]["providers"].as_array().expect("providers");
        for action in ["create", "update", "delete", "no-op"] {
            assert!(providers.iter().any(|p| p["action"] == action), "{action}");
        }
        for kind in ["oauth2", "apiKey"] {
            assert!(providers.iter().any(|p| p["kind"] == kind), "{kind}");
        }
        assert!(providers.iter().any(|p| p["sendsSecret"]["from"] == "${WEATHER_API_KEY}"));
        assert!(providers.iter().any(|p| p["observed"]["heldBy"] == json!([])));
        // A plan without providers still matches: the member is optional.
        let plain: Value = serde_json::from_str(&fixture::plan().to_json()).expect("JSON");
        assert!(plain.get("credentialProviders").is_none());
        assert_eq!(schema_errors(Output::Plan, &plain), Vec::<String>::new());
    }

    #[test]
    fn the_provider_schemas_refuse_a_member_they_do_not_name() {
        use crate::render::fixture;
        let doc: Value = serde_json::from_str(&fixture::providers_plan(true).to_json()).expect("JSON");
        type Mutation = (&'static str, fn(&mut Value));
        let mutations: [Mutation; 7] = [
            ("credentialProviders", |d| d["credentialProviders"]["surprise"] = json!(1)),
            ("summary", |d| d["credentialProviders"]["summary"]["replace"] = json!(0)),
            ("a provider", |d| d["credentialProviders"]["providers"][0]["surprise"] = json!(1)),
            ("sendsSecret", |d| d["credentialProviders"]["providers"][0]["sendsSecret"]["value"] = json!("x")),
            ("observed", |d| d["credentialProviders"]["providers"][1]["observed"]["status"] = json!("READY")),
            ("desired", |d| d["credentialProviders"]["providers"][0]["desired"]["oauth2"]["surprise"] = json!(1)),
            ("a replace", |d| d["credentialProviders"]["providers"][0]["action"] = json!("replace")),
        ];
        for (what, mutate) in mutations {
            let mut bad = doc.clone();
            mutate(&mut bad);
            assert!(!schema_errors(Output::Plan, &bad).is_empty(), "{what}: accepted {bad}");
        }
        let report: Value =
            serde_json::from_str(&fixture::providers_plan(false).drift_report().to_json()).expect("JSON");
        let mut bad = report.clone();
        bad["credentialProviders"]["providers"][0]["surprise"] = json!(1);
        assert!(!schema_errors(Output::Drift, &bad).is_empty());
        let mut bad = report;
        bad["credentialProviders"]["providers"][0]["state"] = json!("not-declared");
        assert!(!schema_errors(Output::Drift, &bad).is_empty());
    }

    #[test]
    fn a_refused_run_fails_and_names_every_gateway_it_left_alone() {
        let doc = ApplyDocument::refused("no", &[("a".into(), Some("a-1".into()), "none")]);
        assert!(!doc.succeeded);
        assert_eq!(doc.summary.failed, 1);
        assert_eq!(doc.gateways[0].result, "not-applied");
        assert_eq!(doc.gateways[0].error.as_deref(), Some("no"));
    }
}

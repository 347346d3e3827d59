//! Render plans and drift reports as text (terminal), JSON (machines, saved plans) or Markdown
//! (pull-request comments, `$GITHUB_STEP_SUMMARY`). Pure: every function returns a `String`.

pub mod json;
pub mod markdown;
pub mod text;

use serde_json::Value;
use similar::{ChangeTag, TextDiff};

pub use crate::diff::mask_sensitive;
use crate::diff::{Change, ChangeKind, TagChange};
pub use crate::escape::{clean, clean_lines};
use crate::model::credential_provider::ProviderKind;
use crate::plan::{DeleteReason, DriftReport, Plan, ProviderPlan, ProvidersDrift, ProvidersPlan, SentSecret, Summary};

/// Renders a plan in `format`; `color` applies to text only.
/// The formats plans and drift reports render to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Terraform-like, for terminals and logs.
    Text,
    /// The versioned document of `docs/plan-format.md`.
    Json,
    /// For pull-request comments and `$GITHUB_STEP_SUMMARY`.
    Markdown,
}

pub fn plan(plan: &Plan, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::plan(plan, color),
        Format::Json => json::plan(plan),
        Format::Markdown => markdown::plan(plan),
    }
}

/// Renders a drift report in `format`; `color` applies to text only.
pub fn drift(report: &DriftReport, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::drift(report, color),
        Format::Json => json::drift(report),
        Format::Markdown => markdown::drift(report),
    }
}

/// The closing line of a plan.
pub fn closing_line(summary: &Summary) -> String {
    let failed = summary.failed;
    match (summary.create + summary.update + summary.replace + summary.delete, failed) {
        (0, 0) => "No changes. Gateways match the specs.".to_string(),
        (0, _) => format!("No changes for the gateways that could be read; {} could not be planned.", gateways(failed)),
        _ => {
            let delete = if summary.delete > 0 { format!("{} to delete, ", summary.delete) } else { String::new() };
            let mut line = format!(
                "Plan: {} to create, {} to update, {} to replace, {delete}{} unchanged.",
                summary.create, summary.update, summary.replace, summary.no_op
            );
            if failed > 0 {
                line.push_str(&format!(" {} could not be planned.", gateways(failed)));
            }
            line
        }
    }
}

/// "1 gateway", "2 gateways".
fn gateways(n: usize) -> String {
    format!("{n} gateway{}", if n == 1 { "" } else { "s" })
}

/// The closing line of a drift report.
pub fn drift_line(report: &DriftReport) -> String {
    if let Some(providers) = drift_providers(report) {
        return drift_line_with_providers(report, providers);
    }
    let s = &report.summary;
    match (report.has_drift(), s.failed) {
        (true, failed) => {
            let orphaned = if s.orphaned > 0 { format!(", {} orphaned", s.orphaned) } else { String::new() };
            let mut line =
                format!("Drift: {} modified, {} missing{orphaned}, {} in sync", s.modified, s.missing, s.in_sync);
            if failed > 0 {
                line.push_str(&format!("; {} could not be checked", gateways(failed)));
            }
            line.push('.');
            line
        }
        (false, 0) => "No drift. Gateways match the specs.".to_string(),
        (false, failed) => {
            format!("No drift in the gateways that could be checked; {} could not be checked.", gateways(failed))
        }
    }
}

// ---- credential providers ----

/// A plan's credential providers when there is something to say of them: one to act on, or one
/// that could not be planned. Otherwise (none read, or a `--prune` run that found none) the plan
/// reads as a gateways-only plan always has.
pub(crate) fn plan_providers(plan: &Plan) -> Option<&ProvidersPlan> {
    plan.credential_providers.as_ref().filter(|p| !p.providers.is_empty() || !p.failed.is_empty())
}

/// A drift report's credential providers when there is something to say of them (see
/// [`plan_providers`]).
pub(crate) fn drift_providers(report: &DriftReport) -> Option<&ProvidersDrift> {
    report.credential_providers.as_ref().filter(|p| !p.providers.is_empty() || !p.failed.is_empty())
}

/// The closing line of a plan: its gateways' counts ([`closing_line`]) and, when it holds
/// credential providers, theirs. "No changes" only when neither changes.
pub fn plan_line(plan: &Plan) -> String {
    let Some(providers) = plan_providers(plan) else { return closing_line(&plan.summary) };
    let (s, p) = (&plan.summary, &providers.summary);
    let failures = not_planned(s.failed, p.failed);
    if s.create + s.update + s.replace + s.delete + p.create + p.update + p.delete == 0 {
        return match failures {
            None => "No changes. Gateways and credential providers match the specs.".to_string(),
            Some(f) => {
                format!("No changes for the gateways and credential providers that could be read; {f} could not be planned.")
            }
        };
    }
    let delete = |n: usize| if n > 0 { format!("{n} to delete, ") } else { String::new() };
    let mut line = format!(
        "Plan: {} to create, {} to update, {} to replace, {}{} unchanged. Credential providers: {} to create, {} to update, {}{} unchanged.",
        s.create,
        s.update,
        s.replace,
        delete(s.delete),
        s.no_op,
        p.create,
        p.update,
        delete(p.delete),
        p.no_op
    );
    if let Some(f) = failures {
        line.push_str(&format!(" {f} could not be planned."));
    }
    line
}

/// The closing line of a drift report that holds credential providers.
fn drift_line_with_providers(report: &DriftReport, providers: &ProvidersDrift) -> String {
    let (s, p) = (&report.summary, &providers.summary);
    let failures = not_planned(s.failed, p.failed);
    if !report.has_drift() {
        return match failures {
            None => "No drift. Gateways and credential providers match the specs.".to_string(),
            Some(f) => format!(
                "No drift in the gateways and credential providers that could be checked; {f} could not be checked."
            ),
        };
    }
    let orphaned = |n: usize| if n > 0 { format!(", {n} orphaned") } else { String::new() };
    let mut line = format!(
        "Drift: {} modified, {} missing{}, {} in sync; credential providers: {} modified, {} missing{}, {} in sync",
        s.modified,
        s.missing,
        orphaned(s.orphaned),
        s.in_sync,
        p.modified,
        p.missing,
        orphaned(p.orphaned),
        p.in_sync
    );
    if let Some(f) = failures {
        line.push_str(&format!("; {f} could not be checked"));
    }
    line.push('.');
    line
}

/// "1 gateway and 2 credential providers": what could not be planned or checked; `None` when
/// nothing.
fn not_planned(gateways_failed: usize, providers_failed: usize) -> Option<String> {
    let providers = |n: usize| format!("{n} credential provider{}", if n == 1 { "" } else { "s" });
    match (gateways_failed, providers_failed) {
        (0, 0) => None,
        (g, 0) => Some(gateways(g)),
        (0, p) => Some(providers(p)),
        (g, p) => Some(format!("{} and {}", gateways(g), providers(p))),
    }
}

/// A provider's kind in tables and lists: `OAuth2`, `API key`.
pub(crate) fn kind_label(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Oauth2 => "OAuth2",
        ProviderKind::ApiKey => "API key",
    }
}

/// Why a provider is deleted, its owner (from the service's tags) passed through `escape`.
pub(crate) fn provider_delete_reason(p: &ProviderPlan, escape: impl Fn(&str) -> String) -> String {
    let owner = p.observed.as_ref().and_then(|o| o.owner());
    match (p.reason, owner) {
        (Some(DeleteReason::Pruned), Some(owner)) => {
            format!("owned by {}, no longer in the specs", escape(owner))
        }
        (Some(DeleteReason::Pruned), None) => "no longer in the specs".to_string(),
        (Some(DeleteReason::Destroyed), _) => "its spec is destroyed".to_string(),
        (None, _) => "deleted".to_string(),
    }
}

/// Why a plan sends a secret, in words: the reason it records is `create`, `secretVersion` or
/// `update`.
pub(crate) fn secret_because(sent: &SentSecret) -> String {
    match sent.because.as_str() {
        "create" => "create".to_string(),
        "secretVersion" => "secretVersion changed".to_string(),
        "update" => "a full update sends it again".to_string(),
        other => clean(other),
    }
}

/// A value as shown in a diff: compact JSON (strings quoted).
pub(crate) fn value(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A tag value as shown in a diff.
pub(crate) fn tag_value(v: &str) -> String {
    value(&Value::String(v.to_string()))
}

/// One line of a line diff between two long strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TextLine {
    Same(String),
    Removed(String),
    Added(String),
    /// Unchanged lines left out between two hunks.
    Gap,
}

/// Lines of context kept around each changed region of a long string.
const CONTEXT: usize = 3;

/// A line diff of `before` → `after`, made with `similar`, with distant unchanged lines elided.
pub(crate) fn line_diff(before: &str, after: &str) -> Vec<TextLine> {
    let diff = TextDiff::from_lines(before, after);
    let mut out = Vec::new();
    for (i, group) in diff.grouped_ops(CONTEXT).iter().enumerate() {
        if i > 0 {
            out.push(TextLine::Gap);
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let line = clean(change.value().trim_end_matches(['\n', '\r']));
                out.push(match change.tag() {
                    ChangeTag::Equal => TextLine::Same(line),
                    ChangeTag::Delete => TextLine::Removed(line),
                    ChangeTag::Insert => TextLine::Added(line),
                });
            }
        }
    }
    out
}

/// A change, prepared for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    /// `path: before → after` (either side may be absent).
    Scalar { path: String, kind: ChangeKind, before: Option<String>, after: Option<String>, forces: bool },
    /// A set-like list: elements added and removed.
    Set { path: String, kind: ChangeKind, added: Vec<String>, removed: Vec<String> },
    /// A long or multi-line string, as a line diff.
    Text { path: String, kind: ChangeKind, lines: Vec<TextLine> },
    /// Tag changes, sorted by key.
    Tags(Vec<TagRow>),
}

/// One tag change, values quoted for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TagRow {
    pub kind: ChangeKind,
    pub key: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Display items for a gateway's changes, tags last. Paths are [`clean`]ed: an item's key (a live
/// target's name) is part of them.
pub(crate) fn items(changes: &[Change], tags: &[TagChange], forced_by: &[String]) -> Vec<Item> {
    let mut out: Vec<Item> = changes
        .iter()
        .map(|c| {
            if let Some(el) = &c.elements {
                return Item::Set {
                    path: clean(&c.path),
                    kind: c.kind,
                    added: el.added.iter().map(value).collect(),
                    removed: el.removed.iter().map(value).collect(),
                };
            }
            if c.is_text() {
                let text = |v: &Option<Value>| v.as_ref().and_then(Value::as_str).unwrap_or("").to_string();
                return Item::Text {
                    path: clean(&c.path),
                    kind: c.kind,
                    lines: line_diff(&text(&c.before), &text(&c.after)),
                };
            }
            Item::Scalar {
                path: clean(&c.path),
                kind: c.kind,
                before: c.before.as_ref().map(value),
                after: c.after.as_ref().map(value),
                forces: forced_by.contains(&c.path),
            }
        })
        .collect();
    if !tags.is_empty() {
        out.push(Item::Tags(
            tags.iter()
                .map(|t| TagRow {
                    kind: t.kind,
                    key: clean(&t.key),
                    before: t.before.as_deref().map(tag_value),
                    after: t.after.as_deref().map(tag_value),
                })
                .collect(),
        ));
    }
    out
}

/// The symbol kind for a block of tag changes: add or remove when all agree, change otherwise.
pub(crate) fn tags_kind(tags: &[TagRow]) -> ChangeKind {
    match tags.first() {
        Some(first) if tags.iter().all(|t| t.kind == first.kind) => first.kind,
        _ => ChangeKind::Change,
    }
}

/// "3 fields, 1 tag": the size of a gateway's change, for summaries.
pub(crate) fn change_count(changes: &[Change], tags: &[TagChange]) -> String {
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (changes.len(), tags.len()) {
        (0, 0) => String::new(),
        (f, 0) => plural(f, "field", "fields"),
        (0, t) => plural(t, "tag", "tags"),
        (f, t) => format!("{}, {}", plural(f, "field", "fields"), plural(t, "tag", "tags")),
    }
}

#[cfg(test)]
pub(crate) mod fixture;
#[cfg(test)]
mod tests;

/// "1 rule to add, 1 to replace" for a gateway whose items of kind `K` (targets, rules, rate
/// limits) change.
pub fn item_counts<K: crate::kind::ItemKind>(plans: Option<&Vec<crate::plan::ItemPlan<K>>>) -> Option<String> {
    use crate::plan::Action;
    let plans = plans?;
    let n = |a: Action| plans.iter().filter(|p| p.action == a).count();
    let parts: Vec<String> = [
        (n(Action::Create), "to add"),
        (n(Action::Update), "to change"),
        (n(Action::Replace), "to replace"),
        (n(Action::Delete), "to delete"),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .enumerate()
    .map(|(i, (count, what))| match i {
        0 => format!("{count} {} {what}", if count == 1 { K::NOUN } else { K::NOUNS }),
        _ => format!("{count} {what}"),
    })
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// What changes of a gateway's parts: target counts and the resource policy, if any.
pub fn parts_summary(g: &crate::plan::GatewayPlan) -> Option<String> {
    let mut counts = PartCounts(Vec::new());
    g.visit_parts(&mut counts);
    (!counts.0.is_empty()).then(|| counts.0.join("; "))
}

/// What changes of each part of a gateway, counted.
struct PartCounts(Vec<String>);

impl crate::plan::PartsVisitor for PartCounts {
    fn items<K: crate::kind::ItemKind>(&mut self, plans: Option<&Vec<crate::plan::ItemPlan<K>>>) {
        self.0.extend(item_counts(plans));
    }

    fn policy(&mut self, plan: Option<&crate::plan::PolicyPlan>) {
        use crate::plan::Action;
        let what = plan.and_then(|p| match p.action {
            Action::Create => Some("resource policy to put"),
            Action::Update => Some("resource policy to change"),
            Action::Delete => Some("resource policy to delete"),
            _ => None,
        });
        self.0.extend(what.map(str::to_string));
    }
}

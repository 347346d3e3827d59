//! Text: Terraform-like, for terminals and logs; ANSI color only when asked.

use std::fmt::Write as _;

use super::{clean, drift_line, items, kind_label, plan_line, Item, TextLine};
use crate::diff::ChangeKind;
use crate::escape::paint;
use crate::kind::credential_provider::kind_noun;
use crate::kind::{ItemKind, TargetKind};
use crate::model::live::GatewayStatus;
use crate::plan::{
    Action, DeleteReason, DriftReport, DriftState, DriftVisitor, FailedGateway, FailedProvider, GatewayPlan, ItemDrift,
    ItemPlan, PartsVisitor, Plan, PolicyPlan, ProviderDrift, ProviderPlan, TargetDriftState, Unmanaged,
    UnmanagedProvider,
};

const GREEN: &str = "32";
const RED: &str = "31";
const YELLOW: &str = "33";
const BOLD: &str = "1";
const DIM: &str = "2";

/// Renders a plan; `color` adds ANSI escapes.
pub fn plan(plan: &Plan, color: bool) -> String {
    let mut out = String::new();
    let changed: Vec<&GatewayPlan> = plan.gateways.iter().filter(|g| g.is_change()).collect();
    let providers = plan.credential_providers.as_ref();
    // Providers first: they are created before the gateways whose targets name them.
    let changed_providers: Vec<&ProviderPlan> =
        providers.iter().flat_map(|p| &p.providers).filter(|p| p.is_change()).collect();
    if !changed.is_empty() || !changed_providers.is_empty() {
        out.push_str("acgw will perform the following actions:\n");
        for p in changed_providers {
            out.push('\n');
            provider_plan(&mut out, p, color);
        }
        for g in changed {
            out.push('\n');
            gateway_plan(&mut out, g, color);
        }
        out.push('\n');
    }
    failed_providers(&mut out, providers.map_or(&[], |p| &p.failed), "planned", color);
    failed(&mut out, &plan.failed, "planned", color);
    out.push_str(&paint(color, BOLD, &plan_line(plan)));
    out.push('\n');
    pending_authorization(&mut out, plan, color);
    orphaned(&mut out, &plan.orphaned, color);
    if let Some(p) = providers {
        provider_list(&mut out, &p.orphaned, ORPHANED_PROVIDERS, Some(RED), color);
    }
    unmanaged(&mut out, &plan.unmanaged, color);
    if let Some(p) = providers {
        provider_list(&mut out, &p.unmanaged, UNMANAGED_PROVIDERS, None, color);
    }
    out
}

const ORPHANED_PROVIDERS: &str =
    "Orphaned credential providers ({n}; owned by this owner, in no spec; `--prune` deletes them):";
const UNMANAGED_PROVIDERS: &str = "Unmanaged credential providers ({n}; in no spec, never touched):";

/// One credential provider's action: what it does, its field and tag changes, and the secret
/// it sends (where from, never the value).
fn provider_plan(out: &mut String, p: &ProviderPlan, color: bool) {
    let (symbol, tone) = match p.action {
        Action::Create => ("+", GREEN),
        Action::Update | Action::Replace => ("~", YELLOW),
        Action::Delete => ("-", RED),
        Action::NoOp => (" ", DIM),
    };
    let mut head = format!("{symbol} {} {} {}", p.action.as_str(), kind_noun(p.kind), clean(&p.name));
    if let Some(o) = &p.observed {
        let _ = write!(head, " ({})", clean(&o.arn));
    }
    if p.action == Action::Update && !p.update_provider {
        head.push_str(" (tags only)");
    }
    if p.action == Action::Delete {
        let _ = write!(head, ": {}", super::provider_delete_reason(p, clean));
    }
    out.push_str(&paint(color, tone, &paint(color, BOLD, &head)));
    out.push('\n');
    changes(out, &items(&p.changes, &p.tag_changes, &[]), color);
    if let Some(sent) = &p.sends_secret {
        let line =
            format!("sends its {} from {} ({})", clean(&sent.member), clean(&sent.from), super::secret_because(sent));
        let _ = writeln!(out, "    {} {line}", paint(color, YELLOW, "*"));
    }
}

/// Credential providers that could not be planned or checked, with the reason.
fn failed_providers(out: &mut String, list: &[FailedProvider], verb: &str, color: bool) {
    for f in list {
        let arn = f.arn.as_deref().map(|a| format!(" ({})", clean(a))).unwrap_or_default();
        let head = format!("! credential provider {}{arn} could not be {verb}:", clean(&f.name));
        let _ = writeln!(out, "{} {}", paint(color, RED, &paint(color, BOLD, &head)), clean(&f.error));
    }
    if !list.is_empty() {
        out.push('\n');
    }
}

/// A list of credential providers acgw leaves alone (orphaned, unmanaged) under `title` (`{n}`
/// is their number), marked with a red `-` when `mark` is given.
fn provider_list(out: &mut String, list: &[UnmanagedProvider], title: &str, mark: Option<&str>, color: bool) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", title.replace("{n}", &list.len().to_string()));
    let rows: Vec<(String, &str, String)> =
        list.iter().map(|u| (clean(&u.name), kind_label(u.kind), clean(&u.arn))).collect();
    let name_width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    for (name, kind, arn) in rows {
        let lead = mark.map(|tone| format!("{} ", paint(color, tone, "-"))).unwrap_or_default();
        // Pad before painting: escape codes would otherwise count toward the width.
        let _ = writeln!(out, "  {lead}{name:name_width$}  {kind:7}  {}", paint(color, DIM, &arn));
    }
}

/// One credential provider's drift: its state, and for a modified one what differs.
fn provider_drift(out: &mut String, d: &ProviderDrift, color: bool) {
    let (label, tone) = match d.state {
        DriftState::InSync => ("in sync", GREEN),
        DriftState::Modified => ("modified", YELLOW),
        DriftState::Missing => ("missing", RED),
        DriftState::Orphaned => ("orphaned (owned, in no spec)", RED),
    };
    let mut head = format!("{} {}", kind_noun(d.kind), clean(&d.name));
    if let Some(arn) = &d.arn {
        let _ = write!(head, " ({})", clean(arn));
    }
    let _ = writeln!(out, "{head}: {}", paint(color, tone, label));
    changes(out, &items(&d.changes, &d.tag_changes, &[]), color);
}

/// Targets waiting for a user to authorize them (OAuth authorization code), whatever the plan
/// does: a plan with no changes still says so.
fn pending_authorization(out: &mut String, plan: &Plan, color: bool) {
    let pending: Vec<(&str, &ItemPlan<TargetKind>)> = plan
        .gateways
        .iter()
        .flat_map(|g| g.targets.iter().flatten().map(move |t| (g.name.as_str(), t)))
        .filter(|(_, t)| t.authorization_url.is_some())
        .collect();
    if pending.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nTargets pending authorization ({}; a user must authorize each):", pending.len());
    for (gateway, t) in pending {
        let url = t.authorization_url.as_deref().unwrap_or_default();
        let _ =
            writeln!(out, "  {} {}/{}  {}", paint(color, YELLOW, "!"), clean(gateway), clean(&t.key.name), clean(url));
    }
}

fn orphaned(out: &mut String, list: &[Unmanaged], color: bool) {
    if list.is_empty() {
        return;
    }
    let _ =
        writeln!(out, "\nOrphaned gateways ({}; owned by this owner, in no spec; `--prune` deletes them):", list.len());
    for u in list {
        let _ = writeln!(
            out,
            "  {} {}  {}  {}",
            paint(color, RED, "-"),
            clean(&u.name),
            paint(color, DIM, &clean(&u.gateway_id)),
            clean(u.status.as_str())
        );
    }
}

fn gateway_plan(out: &mut String, g: &GatewayPlan, color: bool) {
    let (symbol, tone) = match g.action {
        Action::Create => ("+", GREEN),
        Action::Update => ("~", YELLOW),
        Action::Replace => ("-/+", RED),
        Action::Delete => ("-", RED),
        Action::NoOp => (" ", DIM),
    };
    let mut head = format!("{symbol} {}", clean(&g.name));
    if let Some(o) = &g.observed {
        let _ = write!(head, " ({})", clean(&o.gateway_id));
    }
    let what = match g.action {
        Action::Create => "will be created".to_string(),
        Action::Update if !g.update_gateway && g.tag_changes.is_empty() => parts_change(g),
        Action::Update if !g.update_gateway => "will be updated in place (tags only)".to_string(),
        Action::Update if g.changes.is_empty() => {
            "will be updated in place: its last update did not succeed, so its configuration is sent again".to_string()
        }
        Action::Update => "will be updated in place".to_string(),
        Action::Replace if g.forced_by.iter().any(|f| f == crate::plan::FORCED_BY_FAILED) => {
            "must be replaced: its creation FAILED".to_string()
        }
        Action::Replace => format!("must be replaced: {} cannot change in place", clean(&g.forced_by.join(", "))),
        Action::Delete => match (g.reason, g.observed.as_ref().and_then(|o| o.owner())) {
            (Some(DeleteReason::Pruned), Some(owner)) => {
                format!("will be deleted (owned by {}, no longer in the specs)", clean(owner))
            }
            _ => "will be deleted".to_string(),
        },
        Action::NoOp => "is unchanged".to_string(),
    };
    let _ = write!(head, " {what}");
    if let Some(counts) = super::parts_summary(g) {
        let _ = write!(head, ": {counts}");
    }
    match g.owner_change() {
        Some((None, owner)) => {
            let _ = write!(head, "; will be adopted by owner {}", clean(owner));
        }
        Some((Some(from), _)) => {
            let _ = write!(head, "; owned by {}: taking it over needs --take-ownership", clean(from));
        }
        None => {}
    }
    if let Some(status) = g.observed.as_ref().map(|o| &o.status).filter(|s| **s != GatewayStatus::Ready) {
        let _ = write!(head, " [status {}]", clean(&status.to_string()));
    }
    out.push_str(&paint(color, tone, &paint(color, BOLD, &head)));
    out.push('\n');
    if g.action == Action::Delete {
        for t in g.observed.iter().flat_map(|o| o.targets.iter().flatten()) {
            let _ = writeln!(out, "    {} target {} ({})", paint(color, RED, "-"), clean(&t.name), clean(&t.target_id));
        }
    }
    changes(out, &items(&g.changes, &g.tag_changes, &g.forced_by), color);
    g.visit_parts(&mut PartPlans { out, color });
}

/// Writes what changes of each part of a gateway.
struct PartPlans<'a> {
    out: &'a mut String,
    color: bool,
}

impl PartsVisitor for PartPlans<'_> {
    fn items<K: ItemKind>(&mut self, plans: Option<&Vec<ItemPlan<K>>>) {
        item_plans(self.out, plans.into_iter().flatten(), self.color);
    }

    fn policy(&mut self, plan: Option<&PolicyPlan>) {
        let (out, color) = (&mut *self.out, self.color);
        let Some(p) = plan.filter(|p| p.action != Action::NoOp) else { return };
        let (symbol, tone, what) = match p.action {
            Action::Create => ("+", GREEN, "will be put"),
            Action::Delete => ("-", RED, "will be deleted"),
            _ => ("~", YELLOW, "will be changed"),
        };
        let _ = writeln!(out, "    {} resource policy {what}", paint(color, tone, symbol));
        let mut inner = String::new();
        changes(&mut inner, &items(&p.changes, &[], &[]), color);
        for l in inner.lines() {
            let _ = writeln!(out, "    {l}");
        }
    }
}

/// Writes the plans of a gateway's items of one kind (rules, rate limits) that change, and the
/// system-managed ones, which never do.
fn item_plans<'a, K: ItemKind>(out: &mut String, plans: impl Iterator<Item = &'a ItemPlan<K>>, color: bool) {
    let noun = K::NOUN;
    for p in plans {
        let key = clean(&p.key.to_string());
        if let Some(by) = &p.managed_by {
            let _ = writeln!(out, "    = {noun} {key} managed by {} (never changed by acgw)", clean(by));
            continue;
        }
        let (symbol, tone, what) = match p.action {
            Action::NoOp => continue,
            Action::Create => ("+", GREEN, "will be created".to_string()),
            // Its last change failed (a target): the configuration is sent again.
            Action::Update if p.changes.is_empty() => {
                ("~", YELLOW, "will be updated: its last change did not succeed".to_string())
            }
            Action::Update => ("~", YELLOW, "will be updated in place".to_string()),
            Action::Replace => ("-/+", RED, format!("must be replaced: {}", clean(&p.forced_by.join("; ")))),
            Action::Delete => ("-", RED, "will be deleted".to_string()),
        };
        // The service's ID is shown when it is not the key.
        let id = p.observed.as_ref().filter(|_| !K::id_is_key()).map(|o| format!(" ({})", clean(&o.id)));
        let id = id.unwrap_or_default();
        let _ = writeln!(out, "    {} {noun} {key}{id} {what}", paint(color, tone, symbol));
        let mut inner = String::new();
        changes(&mut inner, &items(&super::mask_sensitive(&p.changes, K::sensitive), &[], &[]), color);
        for l in inner.lines() {
            let _ = writeln!(out, "    {l}");
        }
    }
}

/// Writes change items, one field per line, indented under their gateway.
fn changes(out: &mut String, items: &[Item], color: bool) {
    let sym = |kind: ChangeKind| match kind {
        ChangeKind::Add => ("+", GREEN),
        ChangeKind::Remove => ("-", RED),
        ChangeKind::Change => ("~", YELLOW),
    };
    let line = |out: &mut String, indent: &str, (s, tone): (&str, &str), text: &str| {
        let _ = writeln!(out, "{indent}{} {text}", paint(color, tone, s));
    };
    for item in items {
        match item {
            Item::Scalar { path, kind, before, after, forces } => {
                let text = match (before, after) {
                    (Some(b), Some(a)) => format!("{path}: {b} → {a}"),
                    (None, Some(v)) | (Some(v), None) => format!("{path}: {v}"),
                    (None, None) => path.clone(),
                };
                let text = if *forces { format!("{text} {}", paint(color, RED, "# forces replacement")) } else { text };
                line(out, "    ", sym(*kind), &text);
            }
            Item::Set { path, kind, added, removed } => {
                line(out, "    ", sym(*kind), &format!("{path}:"));
                for a in added {
                    line(out, "        ", ("+", GREEN), a);
                }
                for r in removed {
                    line(out, "        ", ("-", RED), r);
                }
            }
            Item::Text { path, kind, lines } => {
                line(out, "    ", sym(*kind), &format!("{path}:"));
                for l in lines {
                    match l {
                        TextLine::Same(t) => line(out, "        ", (" ", ""), t),
                        TextLine::Removed(t) => line(out, "        ", ("-", RED), t),
                        TextLine::Added(t) => line(out, "        ", ("+", GREEN), t),
                        TextLine::Gap => line(out, "        ", (" ", ""), &paint(color, DIM, "…")),
                    }
                }
            }
            Item::Tags(tags) => {
                line(out, "    ", sym(super::tags_kind(tags)), "tags:");
                for t in tags {
                    let key = &t.key;
                    let text = match (&t.before, &t.after) {
                        (Some(b), Some(a)) => format!("{key}: {b} → {a}"),
                        (None, Some(v)) | (Some(v), None) => format!("{key}: {v}"),
                        (None, None) => key.clone(),
                    };
                    line(out, "        ", sym(t.kind), &text);
                }
            }
        }
    }
}

/// Gateways that could not be read: one line each, with the reason, before the closing line.
fn failed(out: &mut String, list: &[FailedGateway], verb: &str, color: bool) {
    for f in list {
        let id = f.gateway_id.as_deref().map(|id| format!(" ({})", clean(id))).unwrap_or_default();
        let head = format!("! {}{id} could not be {verb}:", clean(&f.name));
        let _ = writeln!(out, "{} {}", paint(color, RED, &paint(color, BOLD, &head)), clean(&f.error));
    }
    if !list.is_empty() {
        out.push('\n');
    }
}

fn unmanaged(out: &mut String, list: &[Unmanaged], color: bool) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nUnmanaged gateways ({}; in no spec, never touched):", list.len());
    let rows: Vec<(String, String, String)> =
        list.iter().map(|u| (clean(&u.name), clean(&u.gateway_id), clean(u.status.as_str()))).collect();
    let name_width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let id_width = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    for (name, id, status) in rows {
        // Pad before painting: escape codes would otherwise count toward the width.
        let id = paint(color, DIM, &format!("{id:id_width$}"));
        let _ = writeln!(out, "  {name:name_width$}  {id}  {status}");
    }
}

/// Writes the drift of a gateway's items of one kind (rules, rate limits) that drifted, and the
/// system-managed ones.
fn item_drift<'a, K: ItemKind>(out: &mut String, drift: impl Iterator<Item = &'a ItemDrift<K>>, color: bool) {
    let noun = K::NOUN;
    for d in drift {
        let key = clean(&d.key.to_string());
        if let Some(by) = &d.managed_by {
            let _ = writeln!(out, "  {noun} {key}: managed by {}", clean(by));
            continue;
        }
        let (label, tone) = match d.state {
            TargetDriftState::InSync => continue,
            TargetDriftState::Modified => ("modified", YELLOW),
            TargetDriftState::Missing => ("missing", RED),
            TargetDriftState::NotDeclared => ("not declared (apply deletes it)", RED),
            TargetDriftState::PendingAuthorization => ("pending authorization", YELLOW),
        };
        let id = d.id.as_ref().filter(|_| K::ID_IN_REPORTS).map(|i| format!(" ({})", clean(i))).unwrap_or_default();
        let mut line = format!("  {noun} {key}{id}: {}", paint(color, tone, label));
        if let Some(url) = &d.authorization_url {
            let _ = write!(line, " at {}", clean(url));
        }
        if !d.forced_by.is_empty() {
            let _ = write!(line, " (only a replacement can undo it: {})", clean(&d.forced_by.join("; ")));
        }
        out.push_str(&line);
        out.push('\n');
        let mut inner = String::new();
        changes(&mut inner, &items(&super::mask_sensitive(&d.changes, K::sensitive), &[], &[]), color);
        for l in inner.lines() {
            let _ = writeln!(out, "  {l}");
        }
    }
}

/// Renders a drift report; `color` adds ANSI escapes.
pub fn drift(report: &DriftReport, color: bool) -> String {
    let mut out = String::new();
    if report.has_drift() {
        out.push_str("Differences are shown as live → spec.\n\n");
    }
    // Providers first, as plans list them.
    let providers = report.credential_providers.as_ref();
    for d in providers.iter().flat_map(|p| &p.providers) {
        provider_drift(&mut out, d, color);
    }
    if providers.is_some_and(|p| !p.providers.is_empty()) {
        out.push('\n');
    }
    for g in &report.gateways {
        let (label, tone) = match g.state {
            DriftState::InSync => ("in sync", GREEN),
            DriftState::Modified => ("modified", YELLOW),
            DriftState::Missing => ("missing", RED),
            DriftState::Orphaned => ("orphaned (owned, in no spec)", RED),
        };
        let mut head = clean(&g.name);
        if let Some(id) = &g.gateway_id {
            let _ = write!(head, " ({})", clean(id));
        }
        let _ = write!(head, ": {}", paint(color, tone, label));
        if let Some(status) = g.status.as_ref().filter(|s| **s != GatewayStatus::Ready) {
            let _ = write!(head, " [status {}]", clean(&status.to_string()));
        }
        if !g.forced_by.is_empty() {
            let _ = write!(head, " (only a replacement can undo {})", clean(&g.forced_by.join(", ")));
        }
        out.push_str(&head);
        out.push('\n');
        changes(&mut out, &items(&g.changes, &g.tag_changes, &g.forced_by), color);
        g.visit_parts(&mut PartDrift { out: &mut out, color });
    }
    if !report.gateways.is_empty() {
        out.push('\n');
    }
    failed_providers(&mut out, providers.map_or(&[], |p| &p.failed), "checked", color);
    failed(&mut out, &report.failed, "checked", color);
    out.push_str(&paint(color, BOLD, &drift_line(report)));
    out.push('\n');
    unmanaged(&mut out, &report.unmanaged, color);
    if let Some(p) = providers {
        provider_list(&mut out, &p.unmanaged, UNMANAGED_PROVIDERS, None, color);
    }
    out
}
/// The headline of a gateway whose configuration and tags hold while some of its parts change:
/// which parts.
fn parts_change(g: &GatewayPlan) -> String {
    let mut changing = ChangingParts(Vec::new());
    g.visit_parts(&mut changing);
    let parts = changing.0;
    let verb = if parts == ["resource policy"] { "changes" } else { "change" };
    let named = match parts.split_last() {
        None => return "is unchanged".to_string(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    };
    format!("is unchanged; its {named} {verb}")
}

/// Writes the drift of each part of a gateway that has a drift view of its own.
struct PartDrift<'a> {
    out: &'a mut String,
    color: bool,
}

impl DriftVisitor for PartDrift<'_> {
    fn items<K: ItemKind>(&mut self, drift: Option<&Vec<ItemDrift<K>>>) {
        item_drift(self.out, drift.into_iter().flatten(), self.color);
    }
}

/// The parts of a gateway that change, by their plural nouns.
struct ChangingParts(Vec<&'static str>);

impl PartsVisitor for ChangingParts {
    fn items<K: ItemKind>(&mut self, plans: Option<&Vec<ItemPlan<K>>>) {
        if plans.into_iter().flatten().any(|p| p.is_change()) {
            self.0.push(K::NOUNS);
        }
    }

    fn policy(&mut self, plan: Option<&PolicyPlan>) {
        if plan.is_some_and(|p| p.action != Action::NoOp) {
            self.0.push("resource policy");
        }
    }
}

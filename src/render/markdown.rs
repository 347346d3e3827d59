//! Markdown: for pull-request comments and `$GITHUB_STEP_SUMMARY`. A summary table first, one
//! collapsible `<details>` per changed gateway with a ```diff block, all within [`BUDGET`].

use std::fmt::Write as _;

use super::{change_count, clean, drift_line, items, kind_label, plan_line, Item, TextLine};
use crate::diff::{Change, TagChange};
use crate::kind::credential_provider::kind_noun;
use crate::kind::ItemKind;
use crate::plan::{
    Action, DriftEntry, DriftReport, DriftState, DriftVisitor, FailedGateway, FailedProvider, GatewayPlan, ItemDrift,
    ItemPlan, PartsVisitor, Plan, PolicyPlan, ProviderDrift, ProviderPlan, TargetDriftState, Unmanaged,
    UnmanagedProvider,
};

/// The most characters (counted as UTF-8 bytes, never fewer than characters) the output may take;
/// GitHub refuses comments over 65,536 characters, and callers may add a header of their own.
pub const BUDGET: usize = 60_000;

/// Room kept for the note that says where the output was cut.
const NOTE_ROOM: usize = 600;

/// Output that stops taking pieces once the next one would not fit.
struct Budget {
    out: String,
    limit: usize,
    cut: bool,
}

impl Budget {
    fn new(limit: usize) -> Self {
        Budget { out: String::new(), limit, cut: false }
    }

    /// Appends `piece` whole if it fits (and nothing was cut before); reports whether it did.
    fn push(&mut self, piece: &str) -> bool {
        if self.cut || self.out.len() + piece.len() > self.limit.saturating_sub(NOTE_ROOM) {
            self.cut = true;
            return false;
        }
        self.out.push_str(piece);
        true
    }
}

/// Renders a plan as Markdown within [`BUDGET`].
pub fn plan(plan: &Plan) -> String {
    plan_within(plan, BUDGET)
}

fn plan_within(plan: &Plan, limit: usize) -> String {
    let mut b = Budget::new(limit);
    b.push(&format!("### acgw plan\n\n**{}**\n\n", plan_line(plan)));
    let s = &plan.summary;
    b.push(&format!(
        "| Create | Update | Replace | Delete | Unchanged | Orphaned |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n| {} | {} | {} | {} | {} | {} |\n\n",
        s.create, s.update, s.replace, s.delete, s.no_op, s.orphaned
    ));
    failed_section(&mut b, &plan.failed, "planned");
    let providers = plan.credential_providers.as_ref();
    failed_providers_section(&mut b, providers.map_or(&[], |p| &p.failed), "planned");
    // Providers first: they are created before the gateways whose targets name them.
    provider_plans(&mut b, providers.iter().flat_map(|p| &p.providers).filter(|p| p.is_change()).collect());
    let changed: Vec<&GatewayPlan> = plan.gateways.iter().filter(|g| g.is_change()).collect();
    let mut rows_shown = 0;
    if !changed.is_empty() {
        b.push("| Gateway | Action | Changes |\n| --- | --- | --- |\n");
        for g in &changed {
            let mut what = match g.action {
                Action::Update if !g.update_gateway && g.tag_changes.is_empty() => String::new(),
                Action::Replace => {
                    format!("forced by {}; {}", code_list(&g.forced_by), change_count(&g.changes, &g.tag_changes))
                }
                Action::Update if !g.update_gateway => {
                    format!("{} (tags only)", change_count(&g.changes, &g.tag_changes))
                }
                Action::Update if g.changes.is_empty() => {
                    format!(
                        "last update unsuccessful: configuration sent again; {}",
                        change_count(&g.changes, &g.tag_changes)
                    )
                }
                Action::Delete => {
                    let n = g.observed.as_ref().and_then(|o| o.targets.as_ref()).map_or(0, Vec::len);
                    let owner = g
                        .observed
                        .as_ref()
                        .and_then(|o| o.owner())
                        .map(|o| format!("owned by {}; ", code(o)))
                        .unwrap_or_default();
                    format!("{owner}{n} target{} deleted first", if n == 1 { "" } else { "s" })
                }
                _ => change_count(&g.changes, &g.tag_changes),
            };
            // What changes of its targets, rules, rate limits and policy, as text plans say.
            if let Some(parts) = super::parts_summary(g).filter(|_| g.action != Action::Delete) {
                what = if what.is_empty() { parts } else { format!("{what}; {parts}") };
            }
            if !b.push(&format!("| {} | {} | {what} |\n", code(&g.name), action_label(g.action))) {
                break;
            }
            rows_shown += 1;
        }
        b.push("\n");
    }
    let mut details_shown = 0;
    for g in &changed {
        let id = g.observed.as_ref().map(|o| format!(" ({})", html(&o.gateway_id))).unwrap_or_default();
        let body = if g.action == Action::Delete {
            let lines: Vec<String> = g
                .observed
                .iter()
                .flat_map(|o| o.targets.iter().flatten())
                .map(|t| format!("- target {} ({})\n", clean(&t.name), clean(&t.target_id)))
                .collect();
            fenced(&format!("- gateway {}\n{}", clean(&g.name), lines.concat()))
        } else {
            let mut body = own_block(&g.changes, &g.tag_changes, &g.forced_by, parts_change(g));
            g.visit_parts(&mut PartBlocks(&mut body));
            body
        };
        let what = match g.action {
            Action::Replace => {
                let fields: Vec<String> = g.forced_by.iter().map(|f| format!("<code>{}</code>", html(f))).collect();
                format!("replace, forced by {}", fields.join(", "))
            }
            other => other.as_str().to_string(),
        };
        let piece =
            format!("<details><summary><code>{}</code>{id}: {what}</summary>\n\n{body}\n</details>\n\n", html(&g.name));
        if !b.push(&piece) {
            break;
        }
        details_shown += 1;
    }
    orphaned_section(&mut b, &plan.orphaned);
    if let Some(p) = providers {
        orphaned_providers_section(&mut b, &p.orphaned);
    }
    unmanaged_section(&mut b, &plan.unmanaged);
    if let Some(p) = providers {
        unmanaged_providers_section(&mut b, &p.unmanaged);
    }
    let shown = Shown { rows: rows_shown, of_rows: changed.len(), details: details_shown, of_details: changed.len() };
    finish(b, shown, "`acgw plan` (or read the saved plan's JSON)")
}

/// True when a gateway's targets, rules, rate limits or resource policy change.
fn parts_change(g: &GatewayPlan) -> bool {
    let mut blocks = String::new();
    g.visit_parts(&mut PartBlocks(&mut blocks));
    !blocks.is_empty()
}

/// The diff blocks of each part of a gateway that changes, as text plans list them.
struct PartBlocks<'a>(&'a mut String);

impl PartsVisitor for PartBlocks<'_> {
    fn items<K: ItemKind>(&mut self, plans: Option<&Vec<ItemPlan<K>>>) {
        for p in plans.into_iter().flatten().filter(|p| p.is_change()) {
            self.0.push_str(&item_block(p));
        }
    }

    fn policy(&mut self, plan: Option<&PolicyPlan>) {
        if let Some(p) = plan.filter(|p| !p.changes.is_empty()) {
            self.0.push_str(&diff_block(&items(&p.changes, &[], &[])));
        }
    }
}

/// The fields a drift table names for each part of a gateway.
struct PartFields<'a>(&'a mut Vec<String>);

impl DriftVisitor for PartFields<'_> {
    fn items<K: ItemKind>(&mut self, drift: Option<&Vec<ItemDrift<K>>>) {
        item_fields(self.0, drift.into_iter().flatten());
    }
}

/// The drift blocks of each part of a gateway.
struct PartDriftBlocks<'a>(&'a mut Vec<String>);

impl DriftVisitor for PartDriftBlocks<'_> {
    fn items<K: ItemKind>(&mut self, drift: Option<&Vec<ItemDrift<K>>>) {
        item_drift_blocks(self.0, drift.into_iter().flatten());
    }
}

fn action_label(a: Action) -> &'static str {
    match a {
        Action::Create => "create",
        Action::Update => "update",
        Action::Replace => "**replace**",
        Action::Delete => "**delete**",
        Action::NoOp => "no-op",
    }
}

fn code_list(items: &[String]) -> String {
    items.iter().map(|f| code(f)).collect::<Vec<_>>().join(", ")
}

/// A code span that is safe in a table cell: no backtick can end it, no `|` can split the cell.
pub(super) fn code(s: &str) -> String {
    format!("`{}`", clean(s).replace('`', "'").replace('|', "\\|"))
}

/// Plain text that is safe in a table cell and shows as itself: the characters that Markdown or
/// HTML would read as markup (a link, emphasis, a tag, an entity, a new column) are
/// backslash-escaped.
pub(super) fn cell(s: &str) -> String {
    let mut out = String::new();
    for c in clean(s).chars() {
        if "\\`*_[]<>&|~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text that is safe inside HTML (`<summary>`, `<code>`) and shows as itself: HTML specials
/// and the characters Markdown could still read as markup are written as character references.
pub(super) fn html(s: &str) -> String {
    let mut out = String::new();
    for c in clean(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' | '`' | '|' | '*' | '_' | '[' | ']' | '~' | '\\' => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// `body` in a ```diff block whose fence is longer than any run of backticks in it, so that no
/// value can close the block early.
pub(super) fn fenced(body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}diff\n{body}{fence}\n")
}

/// The diff block of a gateway's own fields and tags; left out when they hold and only its parts
/// (targets, rules, rate limits, policy) change, where it would be an empty block.
fn own_block(changes: &[Change], tags: &[TagChange], forced_by: &[String], parts_change: bool) -> String {
    if changes.is_empty() && tags.is_empty() && parts_change {
        return String::new();
    }
    diff_block(&items(changes, tags, forced_by))
}

/// One item's changes (a target's, a rule's, a rate limit's), paths under `<spec key>.<key>.`
/// (`targets.orders-api.`, `rules.10.`), sensitive values masked; a replacement says why.
fn item_block<K: ItemKind>(p: &ItemPlan<K>) -> String {
    if p.action == Action::Delete {
        let id = p
            .observed
            .as_ref()
            .filter(|_| K::ID_IN_REPORTS)
            .map(|o| format!(" ({})", clean(&o.id)))
            .unwrap_or_default();
        return fenced(&format!("- {} {}{id}\n", K::NOUN, clean(&p.key.to_string())));
    }
    let changes: Vec<crate::diff::Change> = super::mask_sensitive(&p.changes, K::sensitive)
        .into_iter()
        .map(|mut c| {
            c.path = format!("{}.{}.{}", K::SPEC_KEY, p.key, c.path);
            c
        })
        .collect();
    let note = if p.action == Action::Replace {
        format!("{} {} -/+ replaced: {}\n\n", K::NOUN, code(&p.key.to_string()), cell(&p.forced_by.join("; ")))
    } else {
        String::new()
    };
    format!("{note}{}", diff_block(&items(&changes, &[], &[])))
}

/// A ```diff block for change items: `-` lines are the live values, `+` lines the desired ones.
fn diff_block(items: &[Item]) -> String {
    let mut body = String::new();
    for item in items {
        match item {
            Item::Scalar { path, before, after, forces, .. } => {
                let note = if *forces { "  # forces replacement" } else { "" };
                if let Some(b) = before {
                    let _ = writeln!(body, "- {path}: {b}{}", if after.is_none() { note } else { "" });
                }
                if let Some(a) = after {
                    let _ = writeln!(body, "+ {path}: {a}{note}");
                }
            }
            Item::Set { path, added, removed, .. } => {
                let _ = writeln!(body, "  {path}:");
                for a in added {
                    let _ = writeln!(body, "+   {a}");
                }
                for r in removed {
                    let _ = writeln!(body, "-   {r}");
                }
            }
            Item::Text { path, lines, .. } => {
                let _ = writeln!(body, "  {path}:");
                for l in lines {
                    let _ = match l {
                        TextLine::Same(t) => writeln!(body, "    {t}"),
                        TextLine::Removed(t) => writeln!(body, "-   {t}"),
                        TextLine::Added(t) => writeln!(body, "+   {t}"),
                        TextLine::Gap => writeln!(body, "    …"),
                    };
                }
            }
            Item::Tags(tags) => {
                let _ = writeln!(body, "  tags:");
                for t in tags {
                    if let Some(b) = &t.before {
                        let _ = writeln!(body, "-   {}: {b}", t.key);
                    }
                    if let Some(a) = &t.after {
                        let _ = writeln!(body, "+   {}: {a}", t.key);
                    }
                }
            }
        }
    }
    fenced(&body)
}

/// Gateways that could not be read, right under the summary so that the size budget never cuts
/// them: a reviewer must see what the plan does not cover.
fn failed_section(b: &mut Budget, list: &[FailedGateway], verb: &str) {
    if list.is_empty() {
        return;
    }
    b.push(&format!(
        "> [!WARNING]\n> {} gateway{} could not be {verb}; nothing is said about {}:\n\n| Gateway | ID | Error |\n| --- | --- | --- |\n",
        list.len(),
        if list.len() == 1 { "" } else { "s" },
        if list.len() == 1 { "it" } else { "them" }
    ));
    for f in list {
        let id = f.gateway_id.as_deref().map(code).unwrap_or_default();
        if !b.push(&format!("| {} | {id} | {} |\n", code(&f.name), cell(&f.error))) {
            break;
        }
    }
    b.push("\n");
}

fn orphaned_section(b: &mut Budget, list: &[Unmanaged]) {
    if list.is_empty() {
        return;
    }
    b.push(&format!(
        "**Orphaned gateways: {}** (owned by this owner, in no spec; `--prune` deletes them)\n\n| Gateway | ID | Status |\n| --- | --- | --- |\n",
        list.len()
    ));
    for u in list {
        if !b.push(&format!("| {} | {} | {} |\n", code(&u.name), code(&u.gateway_id), cell(u.status.as_str()))) {
            break;
        }
    }
    b.push("\n");
}

fn unmanaged_section(b: &mut Budget, list: &[Unmanaged]) {
    if list.is_empty() {
        return;
    }
    if !b.push(&format!(
        "<details><summary>Unmanaged gateways: {} (in no spec, never touched)</summary>\n\n| Gateway | ID | Status |\n| --- | --- | --- |\n",
        list.len()
    )) {
        return;
    }
    let mut closed = true;
    for u in list {
        let row = format!("| {} | {} | {} |\n", code(&u.name), code(&u.gateway_id), cell(u.status.as_str()));
        if !b.push(&row) {
            closed = false;
            break;
        }
    }
    if closed {
        b.push("\n</details>\n");
    } else {
        // Close the table's <details> even when cut, so the rest of the page renders normally.
        b.out.push_str("\n</details>\n");
    }
}

// ---- credential providers ----

/// The credential providers a plan changes: a table, then one collapsible diff each, with the
/// secret each one sends named by where it is read from (never its value).
fn provider_plans(b: &mut Budget, changed: Vec<&ProviderPlan>) {
    if changed.is_empty() {
        return;
    }
    b.push("| Credential provider | Kind | Action | Changes |\n| --- | --- | --- | --- |\n");
    for p in &changed {
        let what = match p.action {
            Action::Delete => super::provider_delete_reason(p, code),
            _ => {
                let mut what = change_count(&p.changes, &p.tag_changes);
                if p.action == Action::Update && !p.update_provider {
                    what.push_str(" (tags only)");
                }
                if let Some(sent) = &p.sends_secret {
                    let sep = if what.is_empty() { "" } else { "; " };
                    what = format!(
                        "{what}{sep}sends {} from {} ({})",
                        code(&sent.member),
                        code(&sent.from),
                        cell(&super::secret_because(sent))
                    );
                }
                what
            }
        };
        if !b.push(&format!("| {} | {} | {} | {what} |\n", code(&p.name), kind_label(p.kind), action_label(p.action))) {
            return;
        }
    }
    b.push("\n");
    for p in &changed {
        let arn = p.observed.as_ref().map(|o| format!(" ({})", html(&o.arn))).unwrap_or_default();
        let body = if p.action == Action::Delete {
            fenced(&format!("- credential provider {}{}\n", clean(&p.name), arn_suffix(p)))
        } else {
            let mut body = diff_block(&items(&p.changes, &p.tag_changes, &[]));
            if let Some(sent) = &p.sends_secret {
                let _ = write!(
                    body,
                    "\nSends {} from {} ({}); the value is read from the environment when applied, never shown.\n",
                    code(&sent.member),
                    code(&sent.from),
                    cell(&super::secret_because(sent))
                );
            }
            body
        };
        let piece = format!(
            "<details><summary><code>{}</code>{arn}: {} {}</summary>\n\n{body}\n</details>\n\n",
            html(&p.name),
            p.action.as_str(),
            kind_noun(p.kind)
        );
        if !b.push(&piece) {
            return;
        }
    }
}

/// " (ARN)" of an observed provider, for a diff block.
fn arn_suffix(p: &ProviderPlan) -> String {
    p.observed.as_ref().map(|o| format!(" ({})", clean(&o.arn))).unwrap_or_default()
}

/// The credential providers that drifted: a table, then a collapsible diff for each modified one.
fn provider_drift(b: &mut Budget, drifted: Vec<&ProviderDrift>) {
    if drifted.is_empty() {
        return;
    }
    b.push("| Credential provider | Kind | State | Fields |\n| --- | --- | --- | --- |\n");
    for d in &drifted {
        let mut fields: Vec<String> = d.changes.iter().map(|c| code(&c.path)).collect();
        if !d.tag_changes.is_empty() {
            fields.push("tags".into());
        }
        let row =
            format!("| {} | {} | {} | {} |\n", code(&d.name), kind_label(d.kind), d.state.as_str(), fields.join(", "));
        if !b.push(&row) {
            return;
        }
    }
    b.push("\n");
    for d in drifted.iter().filter(|d| d.state == DriftState::Modified) {
        let arn = d.arn.as_ref().map(|a| format!(" ({})", html(a))).unwrap_or_default();
        let piece = format!(
            "<details><summary><code>{}</code>{arn}: modified (<code>-</code> live, <code>+</code> spec)</summary>\n\n{}\n</details>\n\n",
            html(&d.name),
            diff_block(&items(&d.changes, &d.tag_changes, &[]))
        );
        if !b.push(&piece) {
            return;
        }
    }
}

/// Credential providers that could not be planned or checked, under the summary with the
/// gateways that could not: a reviewer must see what the plan does not cover.
fn failed_providers_section(b: &mut Budget, list: &[FailedProvider], verb: &str) {
    if list.is_empty() {
        return;
    }
    b.push(&format!(
        "> [!WARNING]\n> {} credential provider{} could not be {verb}; nothing is said about {}:\n\n| Credential provider | ARN | Error |\n| --- | --- | --- |\n",
        list.len(),
        if list.len() == 1 { "" } else { "s" },
        if list.len() == 1 { "it" } else { "them" }
    ));
    for f in list {
        let arn = f.arn.as_deref().map(code).unwrap_or_default();
        if !b.push(&format!("| {} | {arn} | {} |\n", code(&f.name), cell(&f.error))) {
            break;
        }
    }
    b.push("\n");
}

/// One table row per provider acgw leaves alone.
fn provider_rows(list: &[UnmanagedProvider]) -> impl Iterator<Item = String> + '_ {
    list.iter().map(|u| format!("| {} | {} | {} |\n", code(&u.name), kind_label(u.kind), code(&u.arn)))
}

fn orphaned_providers_section(b: &mut Budget, list: &[UnmanagedProvider]) {
    if list.is_empty() {
        return;
    }
    b.push(&format!(
        "**Orphaned credential providers: {}** (owned by this owner, in no spec; `--prune` deletes them)\n\n| Credential provider | Kind | ARN |\n| --- | --- | --- |\n",
        list.len()
    ));
    for row in provider_rows(list) {
        if !b.push(&row) {
            break;
        }
    }
    b.push("\n");
}

fn unmanaged_providers_section(b: &mut Budget, list: &[UnmanagedProvider]) {
    if list.is_empty() {
        return;
    }
    if !b.push(&format!(
        "\n<details><summary>Unmanaged credential providers: {} (in no spec, never touched)</summary>\n\n| Credential provider | Kind | ARN |\n| --- | --- | --- |\n",
        list.len()
    )) {
        return;
    }
    for row in provider_rows(list) {
        if !b.push(&row) {
            break;
        }
    }
    // Closed even when cut, so the rest of the page renders normally.
    b.out.push_str("\n</details>\n");
}

/// How much of the output made it in, for the note where it was cut.
struct Shown {
    rows: usize,
    of_rows: usize,
    details: usize,
    of_details: usize,
}

fn finish(mut b: Budget, shown: Shown, full: &str) -> String {
    if b.cut {
        let _ = write!(
            b.out,
            "\n> [!NOTE]\n> Output cut here to stay within {BUDGET} characters: {} of {} gateways listed in the table, \
             {} of {} shown in detail. Run {full} for everything.\n",
            shown.rows, shown.of_rows, shown.details, shown.of_details
        );
    }
    b.out
}

/// Renders a drift report as Markdown within [`BUDGET`].
pub fn drift(report: &DriftReport) -> String {
    drift_within(report, BUDGET)
}

fn drift_within(report: &DriftReport, limit: usize) -> String {
    let mut b = Budget::new(limit);
    let s = &report.summary;
    b.push(&format!(
        "### acgw drift\n\n**{}**\n\n| In sync | Modified | Missing | Orphaned | Unmanaged | Not checked |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n| {} | {} | {} | {} | {} | {} |\n\n",
        drift_line(report),
        s.in_sync,
        s.modified,
        s.missing,
        s.orphaned,
        s.unmanaged,
        s.failed
    ));
    failed_section(&mut b, &report.failed, "checked");
    let providers = report.credential_providers.as_ref();
    failed_providers_section(&mut b, providers.map_or(&[], |p| &p.failed), "checked");
    provider_drift(
        &mut b,
        providers.iter().flat_map(|p| &p.providers).filter(|d| d.state != DriftState::InSync).collect(),
    );
    let drifted: Vec<_> = report.gateways.iter().filter(|g| g.state != DriftState::InSync).collect();
    let mut rows = 0;
    if !drifted.is_empty() {
        b.push("| Gateway | State | Fields |\n| --- | --- | --- |\n");
        for g in &drifted {
            let paths: Vec<String> = g.changes.iter().map(|c| c.path.clone()).collect();
            let mut fields: Vec<String> = paths.iter().map(|p| code(p)).collect();
            if !g.tag_changes.is_empty() {
                fields.push("tags".into());
            }
            let mut parts = Vec::new();
            g.visit_parts(&mut PartFields(&mut parts));
            fields.extend(parts.iter().map(|p| code(p)));
            let fields = fields.join(", ");
            if !b.push(&format!("| {} | {} | {fields} |\n", code(&g.name), g.state.as_str())) {
                break;
            }
            rows += 1;
        }
        b.push("\n");
    }
    let mut details = 0;
    for g in drifted.iter().filter(|g| g.state == DriftState::Modified) {
        let id = g.gateway_id.as_ref().map(|i| format!(" ({})", html(i))).unwrap_or_default();
        let body = drift_body(g);
        let piece = format!(
            "<details><summary><code>{}</code>{id}: modified (<code>-</code> live, <code>+</code> spec)</summary>\n\n{body}\n</details>\n\n",
            html(&g.name)
        );
        if !b.push(&piece) {
            break;
        }
        details += 1;
    }
    let modified = drifted.iter().filter(|g| g.state == DriftState::Modified).count();
    unmanaged_section(&mut b, &report.unmanaged);
    if let Some(p) = providers {
        unmanaged_providers_section(&mut b, &p.unmanaged);
    }
    let shown = Shown { rows, of_rows: drifted.len(), details, of_details: modified };
    finish(b, shown, "`acgw drift --format json`")
}

/// The fields a drift table names for a gateway's items of one kind: each drifted field under
/// `<spec key>.<key>.`, or the item itself when it is missing or not declared.
fn item_fields<'a, K: ItemKind>(out: &mut Vec<String>, drift: impl Iterator<Item = &'a ItemDrift<K>>) {
    for d in drift.filter(|d| d.managed_by.is_none()) {
        let at = format!("{}.{}", K::SPEC_KEY, d.key);
        match d.state {
            TargetDriftState::Modified => out.extend(d.changes.iter().map(|c| format!("{at}.{}", c.path))),
            TargetDriftState::Missing => out.push(format!("{at} (missing)")),
            TargetDriftState::NotDeclared => out.push(format!("{at} (not declared)")),
            TargetDriftState::InSync | TargetDriftState::PendingAuthorization => {}
        }
    }
}

/// The details of a modified gateway: its own fields and tags, then each drifted target, rule
/// and rate limit, as text drift lists them.
fn drift_body(g: &DriftEntry) -> String {
    let mut blocks = Vec::new();
    g.visit_parts(&mut PartDriftBlocks(&mut blocks));
    let mut body = own_block(&g.changes, &g.tag_changes, &g.forced_by, !blocks.is_empty());
    body.push_str(&blocks.concat());
    body
}

/// One block per drifted item of one kind: a modified item's fields (sensitive values masked,
/// paths under `<spec key>.<key>.`), a missing one as `+`, an undeclared one as `-`.
fn item_drift_blocks<'a, K: ItemKind>(out: &mut Vec<String>, drift: impl Iterator<Item = &'a ItemDrift<K>>) {
    for d in drift.filter(|d| d.managed_by.is_none()) {
        let key = d.key.to_string();
        let id = d.id.as_ref().filter(|_| K::ID_IN_REPORTS).map(|i| format!(" ({})", clean(i))).unwrap_or_default();
        match d.state {
            TargetDriftState::Modified => {
                if !d.forced_by.is_empty() {
                    out.push(format!(
                        "{} {} drifted; only a replacement can undo it: {}\n\n",
                        K::NOUN,
                        code(&key),
                        cell(&d.forced_by.join("; "))
                    ));
                }
                let changes: Vec<Change> = super::mask_sensitive(&d.changes, K::sensitive)
                    .into_iter()
                    .map(|mut c| {
                        c.path = format!("{}.{}.{}", K::SPEC_KEY, key, c.path);
                        c
                    })
                    .collect();
                out.push(diff_block(&items(&changes, &[], &[])));
            }
            TargetDriftState::Missing => {
                out.push(fenced(&format!("+ {} {}  # missing: apply creates it\n", K::NOUN, clean(&key))));
            }
            TargetDriftState::NotDeclared => {
                out.push(fenced(&format!("- {} {}{id}  # not declared: apply deletes it\n", K::NOUN, clean(&key))));
            }
            TargetDriftState::InSync | TargetDriftState::PendingAuthorization => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::ChangeKind;

    #[test]
    fn budget_refuses_pieces_that_do_not_fit() {
        let mut b = Budget::new(NOTE_ROOM + 10);
        assert!(b.push("12345"));
        assert!(!b.push("123456"));
        assert!(!b.push("1"), "nothing is added after a cut");
        assert!(b.cut);
    }

    #[test]
    fn fence_outgrows_backticks_in_values() {
        let block = diff_block(&[Item::Scalar {
            path: "description".into(),
            kind: ChangeKind::Add,
            before: None,
            after: Some("\"has ```` four\"".into()),
            forces: false,
        }]);
        assert!(block.starts_with("`````diff\n"), "{block}");
        assert!(block.ends_with("`````\n"));
    }
}

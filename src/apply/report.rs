//! Apply's final report: what was done per gateway, as text or JSON, and its progress display.

use std::sync::Mutex;
use std::time::Duration;

use super::{ApplyError, GatewayOutcome, Progress, Report};
use crate::model::live::GatewayStatus;
use crate::rate::RateLimiter;
use crate::render::clean;
use crate::ui::{paint, rate_text};

/// The report as text: one line per gateway, then a closing line that says what failed.
pub fn text(report: &Report, color: bool) -> String {
    let mut out = providers_text(report, color);
    // Names, IDs, statuses, target names, URLs and errors can all come from the service (a pruned
    // gateway's name, an error's message): each is escaped before colors are added around it.
    let width = report.gateways.iter().map(|g| clean(&g.name).len()).max().unwrap_or(0);
    for g in &report.gateways {
        let (word, code) = status_word(g);
        let id = clean(g.gateway_id.as_deref().unwrap_or("-"));
        // READY is what a finished apply means; anything else (e.g. with --no-wait) is news.
        let status = match &g.status {
            Some(s) if *s != GatewayStatus::Ready => clean(&format!("  [status {s}]")),
            _ => String::new(),
        };
        out.push_str(&format!(
            "{} {:<width$}  {}  {}  {}{status}\n",
            paint(color, code, symbol(g)),
            clean(&g.name),
            paint(color, code, &format!("{word:<22}")),
            id,
            seconds(g.elapsed),
        ));
        if !g.done.is_empty() {
            out.push_str(&format!("  {:<width$}  done: {}\n", "", clean(&g.done.join(", "))));
        }
        for (target, url) in &g.pending_auth {
            out.push_str(&format!(
                "  {:<width$}  {}\n",
                "",
                paint(color, "33", &clean(&format!("target {target} is pending authorization: authorize it at {url}")))
            ));
        }
        if let Some(e) = &g.error {
            out.push_str(&format!("  {:<width$}  {}\n", "", paint(color, "31", &clean(&format!("error: {e}")))));
        }
    }
    let failed: Vec<String> = report
        .providers
        .iter()
        .filter(|p| !p.succeeded())
        .map(|p| format!("credential provider {}", clean(&p.name)))
        .chain(report.gateways.iter().filter(|g| !g.succeeded()).map(|g| clean(&g.name)))
        .collect();
    let ok = report.gateways.len() + report.providers.len() - failed.len();
    let settling = report
        .gateways
        .iter()
        .filter(|g| g.succeeded() && g.status.as_ref().is_some_and(|s| *s != GatewayStatus::Ready))
        .count();
    if settling > 0 {
        out.push_str(&format!(
            "{settling} gateway{} not READY yet (not waited for); `acgw plan` shows their status.\n",
            if settling == 1 { " is" } else { "s are" }
        ));
    }
    if report.interrupted {
        out.push_str(&format!(
            "Apply interrupted: {ok} succeeded, {} not finished ({}). The `done` lines say which calls took effect; run apply again to finish.\n",
            failed.len(),
            if failed.is_empty() { "none".to_string() } else { failed.join(", ") }
        ));
    } else if failed.is_empty() {
        // A gateway a destroy found already gone succeeded without a change: say so apart.
        let gone = report.gateways.iter().filter(|g| already_gone(g)).count();
        let changed = report.gateways.len() - gone;
        let gone = if gone > 0 { format!(", {gone} already gone") } else { String::new() };
        let providers = match report.providers.len() {
            0 => String::new(),
            n => format!("{n} credential provider{}, ", plural(n)),
        };
        out.push_str(&format!("Apply complete: {providers}{changed} gateway{} changed{gone}.\n", plural(changed)));
    } else {
        out.push_str(&format!(
            "Apply incomplete: {ok} succeeded, {} failed ({}). The failed {}' `done` lines say which calls took effect; run apply again to finish.\n",
            failed.len(),
            failed.join(", "),
            if report.providers.is_empty() { "gateways" } else { "ones" }
        ));
    }
    out
}

/// One line per credential provider (they are written before the gateways and deleted after),
/// with the calls that took effect and the error.
fn providers_text(report: &Report, color: bool) -> String {
    let mut out = String::new();
    let width = report.providers.iter().map(|p| clean(&p.name).len()).max().unwrap_or(0);
    for p in &report.providers {
        let (symbol, word, code) = match (&p.error, p.action) {
            (None, "delete") if p.done.is_empty() => ("-", "already gone".to_string(), "2"),
            (None, "delete") => ("-", "deleted".to_string(), "31"),
            (None, "create") => ("✓", "created".to_string(), "32"),
            (None, _) => ("✓", "updated".to_string(), "32"),
            (Some(ApplyError::NotRead { .. }), _) => ("✗", "not applied".to_string(), "31"),
            (Some(ApplyError::Interrupted { .. }), _) => ("✗", "interrupted".to_string(), "33"),
            (Some(_), action) if p.done.is_empty() => ("✗", format!("{action} failed"), "31"),
            (Some(_), action) => ("✗", format!("{action} partly done"), "31"),
        };
        out.push_str(&format!(
            "{} credential provider {:<width$}  {}  {}  {}\n",
            paint(color, code, symbol),
            clean(&p.name),
            paint(color, code, &format!("{word:<22}")),
            clean(p.arn.as_deref().unwrap_or("-")),
            seconds(p.elapsed),
        ));
        if !p.done.is_empty() {
            out.push_str(&format!("    {:<width$}  done: {}\n", "", clean(&p.done.join(", "))));
        }
        if let Some(e) = &p.error {
            out.push_str(&format!("    {:<width$}  {}\n", "", paint(color, "31", &clean(&format!("error: {e}")))));
        }
    }
    out
}

/// `-` for a deletion, as in the plan; otherwise whether it succeeded.
fn symbol(g: &GatewayOutcome) -> &'static str {
    match (g.succeeded(), g.action) {
        (true, "delete") => "-",
        (true, _) => "✓",
        (false, _) => "✗",
    }
}

fn status_word(g: &GatewayOutcome) -> (String, &'static str) {
    let past = match g.action {
        "create" => "created",
        "update" => "updated",
        "replace" => "replaced",
        "delete" => "deleted",
        other => other,
    };
    if already_gone(g) {
        ("already gone".to_string(), "2")
    } else if g.succeeded() && g.action == "delete" {
        ("deleted".to_string(), "31")
    } else if g.succeeded() {
        (past.to_string(), "32")
    } else if matches!(g.error, Some(ApplyError::NotRead { .. })) {
        ("not applied".to_string(), "31")
    } else if matches!(g.error, Some(ApplyError::Interrupted { .. })) {
        let word = if g.done.is_empty() { "interrupted" } else { "partly done, interrupted" };
        (word.to_string(), "33")
    } else if g.done.is_empty() {
        (format!("{} failed", g.action), "31")
    } else {
        (format!("{} partly done", g.action), "31")
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A delete that found nothing to delete.
fn already_gone(g: &GatewayOutcome) -> bool {
    g.succeeded() && g.action == "delete" && g.done.is_empty()
}

/// Plain progress lines on stderr (`name: message`), for logs and pipelines.
pub struct Lines;

impl Progress for Lines {
    fn event(&self, name: &str, message: &str) {
        eprintln!("{}", event_line(name, message));
    }
}

/// One progress event as a line: names and messages can hold what the service sent (a pruned
/// gateway's name, an error message), so control characters are escaped.
fn event_line(name: &str, message: &str) -> String {
    clean(&format!("{name}: {message}"))
}

/// A live progress bar on a terminal: gateways finished out of all, the request rate, and the
/// latest step.
pub struct Bar {
    bar: indicatif::ProgressBar,
    last: Mutex<String>,
    limiter: Option<RateLimiter>,
}

impl Bar {
    /// A bar for `total` gateways, drawn on stderr.
    pub fn new(total: usize) -> Self {
        let bar = indicatif::ProgressBar::new(total as u64);
        let style = indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {pos}/{len} gateways  {prefix}  {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar { bar, last: Mutex::new(String::new()), limiter: None }
    }

    /// The same bar, also showing the request rate of `limiter`.
    pub fn with_rate(mut self, limiter: &RateLimiter) -> Self {
        self.bar.set_prefix(rate_text(limiter));
        self.limiter = Some(limiter.clone());
        self
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn event(&self, name: &str, message: &str) {
        if message == "done" || message.starts_with("failed") {
            self.bar.inc(1);
            if message.starts_with("failed") {
                self.bar.println(event_line(name, message));
            }
        }
        if let Some(limiter) = &self.limiter {
            self.bar.set_prefix(rate_text(limiter));
        }
        if let Ok(mut last) = self.last.lock() {
            *last = event_line(name, message);
            self.bar.set_message(last.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_strings_in_the_text_report_are_escaped_and_gone_gateways_are_not_changes() {
        let hostile = "evil\u{1b}]0;owned\u{7}\u{1b}[2J";
        let mut deleted = GatewayOutcome::already_gone(hostile);
        deleted.gateway_id = Some("id\u{1b}[31m".into());
        deleted.done = vec![format!("DeleteGatewayTarget {hostile}"), "DeleteGateway".into()];
        deleted.pending_auth = vec![(hostile.into(), "https://x.example.com/\u{1b}[0m".into())];
        let report = Report { gateways: vec![deleted, GatewayOutcome::already_gone("gone")], ..Report::default() };
        let text = text(&report, false);
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
        assert!(text.contains("evil\\u{1b}]0;owned\\u{7}\\u{1b}[2J"), "{text}");
        assert!(text.contains("id\\u{1b}[31m"), "{text}");
        assert!(text.ends_with("Apply complete: 1 gateway changed, 1 already gone.\n"), "{text}");
        assert_eq!(event_line(hostile, "failed: \u{1b}[2J"), "evil\\u{1b}]0;owned\\u{7}\\u{1b}[2J: failed: \\u{1b}[2J");
    }
}

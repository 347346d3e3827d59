//! Terminal output: data to stdout, progress and diagnostics to stderr, color when wanted.

use std::io::{IsTerminal, Write};

use std::time::Duration;

use crate::escape::clean;
pub use crate::escape::paint;
use crate::problem::{Problem, Severity};
use crate::rate::RateLimiter;

/// When to color output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    Always,
    Never,
}

/// Where and how to print; created once from the global options.
#[derive(Debug, Clone)]
pub struct Ui {
    /// Color for stdout.
    pub color_stdout: bool,
    /// Color for stderr.
    pub color_stderr: bool,
    pub quiet: bool,
    pub verbose: u8,
    /// Whether stderr is a terminal (live progress).
    pub stderr_is_terminal: bool,
    /// Whether stdin is a terminal (confirmation prompts).
    pub stdin_is_terminal: bool,
}

impl Ui {
    /// Decides colors from `--color`, `NO_COLOR` and whether each stream is a terminal.
    pub fn new(color: ColorWhen, quiet: bool, verbose: u8) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let want = |terminal: bool| match color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => terminal && !no_color,
        };
        let stderr_is_terminal = std::io::stderr().is_terminal();
        Ui {
            color_stdout: want(std::io::stdout().is_terminal()),
            color_stderr: want(stderr_is_terminal),
            quiet,
            verbose,
            stderr_is_terminal,
            stdin_is_terminal: std::io::stdin().is_terminal(),
        }
    }

    /// A plain UI for tests and library use: no color, normal verbosity.
    pub fn plain() -> Self {
        Ui {
            color_stdout: false,
            color_stderr: false,
            quiet: false,
            verbose: 0,
            stderr_is_terminal: false,
            stdin_is_terminal: false,
        }
    }

    /// Writes a line of data to stdout.
    pub fn data(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
    }

    /// Writes data to stdout as is (no newline added).
    pub fn data_raw(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    // The message methods below print one line each with its control characters escaped
    // (`\u{1b}`): messages quote live names and service errors, which must not move the cursor,
    // recolor the terminal or forge a line of their own. No message of theirs spans lines.

    /// Progress for humans on stderr, unless quiet.
    pub fn info(&self, text: &str) {
        if !self.quiet {
            eprintln!("{}", clean(text));
        }
    }

    /// Detail shown with `-v`.
    pub fn debug(&self, text: &str) {
        if self.verbose > 0 {
            eprintln!("{}", self.paint_err("2", &clean(text)));
        }
    }

    /// A warning on stderr, unless quiet.
    pub fn warn(&self, text: &str) {
        if !self.quiet {
            eprintln!("{} {}", self.paint_err("33;1", "warning:"), clean(text));
        }
    }

    /// An error on stderr (always shown).
    pub fn error(&self, text: &str) {
        eprintln!("{} {}", self.paint_err("31;1", "error:"), clean(text));
    }

    /// A spec problem on stderr; warnings are hidden by `-q`.
    pub fn problem(&self, p: &Problem) {
        match p.severity {
            Severity::Error => eprintln!("{}", self.paint_err("31", &clean(&p.to_string()))),
            Severity::Warning if !self.quiet => eprintln!("{}", self.paint_err("33", &clean(&p.to_string()))),
            Severity::Warning => {}
        }
    }

    fn paint_err(&self, code: &str, text: &str) -> String {
        paint(self.color_stderr, code, text)
    }
}

/// A spinner on a terminal while API calls run, showing the current request rate; nothing when
/// stderr is not a terminal or with `-q`. It disappears when dropped.
pub struct RateSpinner {
    bar: Option<indicatif::ProgressBar>,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl RateSpinner {
    /// Starts the spinner with `label`; must be called inside a tokio runtime.
    pub fn start(ui: &Ui, limiter: &RateLimiter, label: &str) -> Self {
        if ui.quiet || !ui.stderr_is_terminal {
            return RateSpinner { bar: None, ticker: None };
        }
        let bar = indicatif::ProgressBar::new_spinner();
        let style = indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {prefix}  {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_prefix(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        let (shown, limiter) = (bar.clone(), limiter.clone());
        // The rate changes without any event to hang a redraw on, so it is sampled.
        let ticker = tokio::spawn(async move {
            loop {
                shown.set_message(rate_text(&limiter));
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        });
        RateSpinner { bar: Some(bar), ticker: Some(ticker) }
    }
}

impl Drop for RateSpinner {
    fn drop(&mut self) {
        if let Some(ticker) = self.ticker.take() {
            ticker.abort();
        }
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// The rate as progress displays show it: requests sent in the last second, and the limit.
pub fn rate_text(limiter: &RateLimiter) -> String {
    format!("{} req/s (limit {:.0}/s)", limiter.current_rps(), limiter.limit_rps())
}

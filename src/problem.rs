//! Problems found in a spec: where, in which gateway and field, and what was expected.

use std::fmt;

/// How serious a problem is: errors fail the run, warnings are only printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A position in a source file, 1-based; line 0 means "no source position" (JSON from the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Mark {
    pub line: usize,
    pub column: usize,
}

/// One thing wrong with a spec.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub file: String,
    #[serde(flatten)]
    pub mark: Mark,
    /// The gateway's name, when the problem is inside a gateway entry.
    pub gateway: Option<String>,
    /// The field path in API naming, e.g. `protocolConfiguration.mcp.searchType`.
    pub path: String,
    pub message: String,
}

impl Problem {
    /// Sort key: file, then position, then path, so output is stable.
    pub fn sort_key(&self) -> (&str, Mark, &str) {
        (&self.file, self.mark, &self.path)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.mark.line > 0 {
            write!(f, "{}:{}:{}: {sev}", self.file, self.mark.line, self.mark.column)?;
        } else {
            write!(f, "{}: {sev}", self.file)?;
        }
        if let Some(g) = &self.gateway {
            write!(f, ": gateway `{g}`")?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Problems sorted by file and position; `Err` of loading when any is an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// True when at least one problem is an error (warnings alone do not fail).
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|p| p.severity == Severity::Error)
    }

    /// Sorts by file, line, column and path.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

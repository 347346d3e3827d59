//! JSON: the versioned document of `docs/plan-format.md`, the same bytes `plan --out` saves.

use crate::plan::{DriftReport, Plan};

/// The plan document (also the saved plan file's content).
pub fn plan(plan: &Plan) -> String {
    plan.to_json()
}

/// The drift report document.
pub fn drift(report: &DriftReport) -> String {
    report.to_json()
}

//! `acgw drift`: read-only comparison of specs and live gateways; exit 2 on drift.

use std::process::ExitCode;

use crate::cli::{ClientArgs, DriftArgs, ReportFormat};
use acgw::api::ReadOnly;
use acgw::render;
use acgw::ui::Ui;

pub fn run(global: &ClientArgs, args: &DriftArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    super::or_failure_document(args.format == ReportFormat::Json, ui, run_inner(global, args, ui))
}

fn run_inner(global: &ClientArgs, args: &DriftArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let Some(desired) = super::load_specs(&args.specs, ui) else { return Ok(ExitCode::from(1)) };
    super::runtime()?.block_on(async {
        let conn = super::connect(global, ui).await?;
        // Only the read calls are reachable from here: drift cannot change anything.
        let api = ReadOnly::new(conn.api());
        let (_, plan) = super::observe_and_plan(&api, &conn, &desired, global, ui, false).await?;
        let report = plan.drift_report();
        let text = render::drift(&report, args.format.into(), ui.color_stdout);
        if args.format == ReportFormat::Json {
            super::print_json(ui, &text);
        } else {
            ui.data_raw(&text);
        }
        super::close(conn, ui).await?;
        if report.has_failures() {
            // A cron job must not read "no drift" when some gateways were never checked.
            ui.error(&super::failed_summary(
                report.failed.len(),
                report.credential_providers.as_ref().map_or(0, |p| p.failed.len()),
                "checked",
            ));
            return Ok(ExitCode::from(1));
        }
        Ok(ExitCode::from(if report.has_drift() { 2 } else { 0 }))
    })
}

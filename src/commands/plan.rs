//! `acgw plan`: what apply would change, optionally saved for `acgw apply PLANFILE`.

use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{ClientArgs, PlanArgs, ReportFormat};
use acgw::render;
use acgw::ui::Ui;

pub fn run(global: &ClientArgs, args: &PlanArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    super::or_failure_document(args.format == ReportFormat::Json, ui, run_inner(global, args, ui))
}

fn run_inner(global: &ClientArgs, args: &PlanArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let Some(desired) = super::load_specs(&args.specs, ui) else { return Ok(ExitCode::from(1)) };
    super::runtime()?.block_on(async {
        let conn = super::connect(global, ui).await?;
        let (_, plan) = super::observe_and_plan(conn.api(), &conn, &desired, global, ui, args.prune).await?;
        if let Some(out) = &args.out {
            acgw::atomic::write(out, plan.to_json().as_bytes())
                .with_context(|| format!("cannot write the plan to {}", out.display()))?;
            let local = if global.local { "--local " } else { "" };
            ui.info(&format!(
                "Saved the plan to {}; apply it with `acgw apply {local}{}`.",
                out.display(),
                out.display()
            ));
        }
        let text = render::plan(&plan, args.format.into(), ui.color_stdout);
        if args.format == ReportFormat::Json {
            super::print_json(ui, &text);
        } else {
            ui.data_raw(&text);
        }
        super::close(conn, ui).await?;
        if plan.has_failures() {
            ui.error(&super::failed_summary(plan.failed.len(), super::failed_providers(&plan), "planned"));
            return Ok(ExitCode::from(1));
        }
        let changes = args.detailed_exitcode && plan.has_changes();
        Ok(ExitCode::from(if changes { 2 } else { 0 }))
    })
}

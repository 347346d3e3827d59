//! `acgw destroy`: delete every gateway the specs name, with its targets, when acgw can prove it
//! owns it; for tearing down preview environments.

use std::process::ExitCode;

use crate::cli::{ClientArgs, DestroyArgs};
use acgw::apply::GatewayOutcome;
use acgw::observe;
use acgw::plan;
use acgw::render;
use acgw::ui::Ui;

use super::apply::{ask, execute_plan, refuse, refused_as_json, Execution};
use crate::cli::ApplyFormat;

pub fn run(global: &ClientArgs, args: &DestroyArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    refused_as_json(run_inner(global, args, ui), args.format, ui)
}

fn run_inner(global: &ClientArgs, args: &DestroyArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let json = args.format == ApplyFormat::Json;
    let Some(desired) = super::load_specs(&args.specs, ui) else { return Ok(ExitCode::from(1)) };
    if !args.auto_approve && !ui.stdin_is_terminal {
        let why = "refusing to destroy without confirmation: stdin is not a terminal. Pass --auto-approve.";
        ui.error(why);
        if json {
            super::print_json(ui, &acgw::output::ApplyDocument::refused(why, &[]).to_json());
        }
        return Ok(ExitCode::from(1));
    }
    super::runtime()?.block_on(async {
        let conn = super::connect(global, ui).await?;
        let names: Vec<&str> = desired.specs.iter().map(|s| s.gateway.name.as_str()).collect();
        let parallelism = usize::from(global.parallelism);
        let observed = observe::observe(conn.api(), &names, parallelism).await?;
        let live: Vec<(&str, &str)> =
            observed.managed.iter().map(|(name, s)| (name.as_str(), s.live.gateway_id.as_str())).collect();
        let targets = observe::read_targets(conn.api(), &live, parallelism).await;
        let mut plan = plan::destroy(&desired, &observed, &targets, args.take_ownership);
        plan.target = super::target_of(&conn);
        if !desired.providers.is_empty() {
            // Providers go after the gateways; one still named by a live target that stays is kept.
            let declared: Vec<_> = desired.providers.iter().map(|p| (p.name(), p.provider.kind())).collect();
            let mut providers = observe::observe_providers(conn.api(), &declared, None, false, parallelism).await?;
            if !providers.managed.is_empty() {
                providers.holders = Some(observe::read_holders(conn.api(), parallelism).await);
            }
            let destroyed: std::collections::BTreeSet<String> =
                plan.gateways.iter().filter(|g| g.action == plan::Action::Delete).map(|g| g.name.clone()).collect();
            plan.credential_providers = plan::destroy_providers(&desired, &providers, args.take_ownership, &destroyed);
        }
        let color = if json { ui.color_stderr } else { ui.color_stdout };
        if !plan.has_changes() && !plan.has_failures() {
            // The plan renderer's "No changes. Gateways match the specs." is plan's wording.
            let what = if desired.providers.is_empty() { "gateways" } else { "gateways or credential providers" };
            super::human(ui, json, &format!("Nothing to destroy: none of the {what} the specs name exists.\n"));
        } else {
            super::human(ui, json, &render::plan(&plan, acgw::render::Format::Text, color));
        }
        // Gateways already gone are done: a second destroy of the same specs succeeds.
        let gone: Vec<GatewayOutcome> = names
            .iter()
            .filter(|n| !observed.managed.contains_key(**n) && !observed.failed.contains_key(**n))
            .map(|n| GatewayOutcome::already_gone(n))
            .collect();
        let refused: Vec<GatewayOutcome> = plan
            .failed
            .iter()
            .map(|f| GatewayOutcome::not_read(&f.name, f.gateway_id.clone(), f.error.clone()))
            .collect();
        if plan.has_changes()
            && !args.auto_approve
            && !ask("Destroy these gateways and their targets? Only 'yes' is accepted: ")?
        {
            ui.error("destroy cancelled; nothing was deleted.");
            let _ = refuse(&plan, args.format, ui, anyhow::anyhow!("destroy cancelled; nothing was deleted."));
            super::close(conn, ui).await?;
            return Ok(ExitCode::from(1));
        }
        let how = Execution { wait_timeout: args.wait_timeout, wait: true, allow_replace: false, format: args.format };
        execute_plan(conn, global, &how, ui, &plan, gone.into_iter().chain(refused).collect()).await
    })
}

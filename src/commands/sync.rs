//! `acgw sync`: SynchronizeGatewayTargets for MCP server targets without `mcpToolSchema` (the
//! service refuses the others), one target per call as the API requires, each waited on until
//! READY. What a pipeline runs after an MCP server deploys new tools.

use std::process::ExitCode;

use futures_util::stream::{self, StreamExt};

use crate::cli::{ApplyFormat, ClientArgs, SyncArgs};
use acgw::apply::{self, Options};
use acgw::model::live::LiveTarget;
use acgw::observe::{self, Part};
use acgw::output::{SyncDocument, SyncTarget};
use acgw::ui::{RateSpinner, Ui};

pub fn run(global: &ClientArgs, args: &SyncArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let result = run_inner(global, args, ui);
    if args.format == ApplyFormat::Json && !super::json_printed() {
        // Every path that returns without a report failed up front (e.g. invalid specs).
        let why = match &result {
            Err(e) => format!("{e:#}"),
            Ok(_) => "nothing was synchronized: see the errors on stderr".to_string(),
        };
        super::print_json(ui, &SyncDocument::new(Vec::new(), vec![why]).to_json());
    }
    result
}

fn run_inner(global: &ClientArgs, args: &SyncArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let json = args.format == ApplyFormat::Json;
    let Some(desired) = super::load_specs(&args.specs, ui) else { return Ok(ExitCode::from(1)) };
    let unknown: Vec<&str> = args.gateways.iter().filter(|g| desired.get(g).is_none()).map(String::as_str).collect();
    if !unknown.is_empty() {
        let why = format!("no spec names the gateway {}; nothing was synchronized", unknown.join(", "));
        ui.error(&why);
        if json {
            super::print_json(ui, &SyncDocument::new(Vec::new(), vec![why]).to_json());
        }
        return Ok(ExitCode::from(1));
    }
    let names: Vec<&str> = desired
        .specs
        .iter()
        .map(|s| s.gateway.name.as_str())
        .filter(|n| args.gateways.is_empty() || args.gateways.iter().any(|g| g == n))
        .collect();
    super::runtime()?.block_on(async {
        let conn = super::connect(global, ui).await?;
        let parallelism = usize::from(global.parallelism);
        let observed = {
            let _progress = RateSpinner::start(ui, conn.limiter(), "reading the live targets");
            let wanted: Vec<(&str, Vec<Part>)> = names.iter().map(|n| (*n, vec![Part::Targets])).collect();
            observe::observe_with(conn.api(), &wanted, parallelism).await?
        };
        // Failures that are no target's synchronization, for the JSON report.
        let mut errors: Vec<String> = Vec::new();
        let mut report_error = |message: String| {
            ui.error(&message);
            errors.push(message);
        };
        for (name, error) in &observed.failed {
            report_error(format!("gateway {name} could not be read: {error}"));
        }
        // (gateway name, gateway ID, target) for every target to synchronize.
        let mut chosen: Vec<(String, String, LiveTarget)> = Vec::new();
        for (name, state) in &observed.managed {
            for t in state.targets.iter().flatten() {
                let named = args.targets.contains(&t.name);
                if !args.targets.is_empty() && !named {
                    continue;
                }
                let syncable = t.config.as_ref().is_ok_and(|c| c.can_synchronize());
                if syncable {
                    chosen.push((name.clone(), state.live.gateway_id.clone(), t.clone()));
                } else if named {
                    report_error(format!(
                        "gateway {name}: target {} cannot be synchronized: only MCP server targets without mcpToolSchema can",
                        t.name
                    ));
                }
            }
        }
        let missing: Vec<&str> = args
            .targets
            .iter()
            .filter(|n| !observed.managed.values().flat_map(|s| s.targets.iter().flatten()).any(|t| t.name == **n))
            .map(String::as_str)
            .collect();
        for m in &missing {
            report_error(format!("no live target named {m} in the selected gateways"));
        }
        let mut failed = errors.len();
        let mut opts =
            Options::new(apply::Target { region: conn.region().to_string(), endpoint: conn.endpoint().to_string() });
        opts.wait_timeout = args.wait_timeout;
        if conn.emulator().is_some() {
            opts.poll_initial = std::time::Duration::from_millis(20);
            opts.poll_max = std::time::Duration::from_millis(200);
        }
        if chosen.is_empty() && failed == 0 {
            ui.info("Nothing to synchronize: no MCP server target without mcpToolSchema in the selected gateways.");
        }
        let api = conn.api();
        let opts = &opts;
        let results: Vec<_> = stream::iter(chosen)
            .map(|(gateway, gateway_id, t)| async move {
                let result = apply::synchronize(api, opts, &gateway_id, &t.target_id).await;
                (gateway, t, result)
            })
            .buffer_unordered(parallelism.max(1))
            .collect()
            .await;
        let mut results = results;
        results.sort_by(|a, b| (&a.0, &a.1.name).cmp(&(&b.0, &b.1.name)));
        // Target names, IDs, statuses and errors are the service's: in the human lines their
        // control characters are escaped (the JSON document escapes them by itself).
        let clean = acgw::render::clean;
        let mut targets = Vec::new();
        for (gateway, t, result) in results {
            let (shown, name, id) = (clean(&gateway), clean(&t.name), clean(&t.target_id));
            let line = match &result {
                Ok(live) => format!(
                    "✓ {shown}/{name} ({id}) synchronized: {}, lastSynchronizedAt {}
",
                    clean(&live.status.to_string()),
                    clean(live.last_synchronized_at.as_deref().unwrap_or("(not reported)"))
                ),
                Err(e) => {
                    failed += 1;
                    format!("✗ {shown}/{name} ({id}) not synchronized: {}\n", clean(&e.to_string()))
                }
            };
            super::human(ui, json, &line);
            targets.push(SyncTarget {
                gateway,
                target: t.name.clone(),
                target_id: t.target_id.clone(),
                result: if result.is_ok() { "synchronized" } else { "failed" },
                status: result.as_ref().ok().map(|live| live.status.to_string()),
                last_synchronized_at: result.as_ref().ok().and_then(|live| live.last_synchronized_at.clone()),
                error: result.as_ref().err().map(ToString::to_string),
            });
        }
        if json {
            super::print_json(ui, &SyncDocument::new(targets, errors).to_json());
        }
        if let Err(e) = super::close(conn, ui).await {
            ui.error(&format!("{e:#}"));
            return Ok(ExitCode::from(1));
        }
        Ok(ExitCode::from(if failed > 0 { 1 } else { 0 }))
    })
}

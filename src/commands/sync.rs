//! `acgw sync`: SynchronizeGatewayTargets for MCP server targets without `mcpToolSchema` (the
//! service refuses the others), one target per call as the API requires, each waited on until
//! READY. What a pipeline runs after an MCP server deploys new tools.

use std::process::ExitCode;

use futures_util::stream::{self, StreamExt};

use crate::cli::{ClientArgs, SyncArgs};
use acgw::apply::{self, Options};
use acgw::model::live::LiveTarget;
use acgw::observe::{self, Part};
use acgw::ui::{RateSpinner, Ui};

pub fn run(global: &ClientArgs, args: &SyncArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let Some(desired) = super::load_specs(&args.specs, ui) else { return Ok(ExitCode::from(1)) };
    let unknown: Vec<&str> = args.gateways.iter().filter(|g| desired.get(g).is_none()).map(String::as_str).collect();
    if !unknown.is_empty() {
        ui.error(&format!("no spec names the gateway {}; nothing was synchronized", unknown.join(", ")));
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
        let mut failed = 0;
        for (name, error) in &observed.failed {
            ui.error(&format!("gateway {name} could not be read: {error}"));
            failed += 1;
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
                    ui.error(&format!(
                        "gateway {name}: target {} cannot be synchronized: only MCP server targets without mcpToolSchema can",
                        t.name
                    ));
                    failed += 1;
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
            ui.error(&format!("no live target named {m} in the selected gateways"));
            failed += 1;
        }
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
        // Target names, IDs, statuses and errors are the service's: their control characters
        // are escaped.
        let clean = acgw::render::clean;
        for (gateway, t, result) in results {
            let (gateway, name, id) = (clean(&gateway), clean(&t.name), clean(&t.target_id));
            match result {
                Ok(live) => ui.data_raw(&format!(
                    "✓ {gateway}/{name} ({id}) synchronized: {}, lastSynchronizedAt {}\n",
                    clean(&live.status.to_string()),
                    clean(live.last_synchronized_at.as_deref().unwrap_or("(not reported)"))
                )),
                Err(e) => {
                    ui.data_raw(&format!("✗ {gateway}/{name} ({id}) not synchronized: {}\n", clean(&e.to_string())));
                    failed += 1;
                }
            }
        }
        super::close(conn, ui).await?;
        Ok(ExitCode::from(if failed > 0 { 1 } else { 0 }))
    })
}

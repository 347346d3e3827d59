//! One function per subcommand; the glue between the library's stages and the terminal.

mod apply;
mod drift;
mod emulator;
mod export;
mod plan;
mod validate;

use std::process::ExitCode;

use acgw::cli::{Cli, Command, GlobalArgs, SpecArgs};
use acgw::connect::Connection;
use acgw::load::{self, Desired};
use acgw::observe::{self, Observed};
use acgw::plan::{self as planning, Plan};
use acgw::ui::{RateSpinner, Ui};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ui = Ui::new(&cli.global);
    match &cli.command {
        Command::Validate(args) => validate::run(args, &ui),
        Command::Plan(args) => plan::run(&cli.global, args, &ui),
        Command::Apply(args) => apply::run(&cli.global, args, &ui),
        Command::Drift(args) => drift::run(&cli.global, args, &ui),
        Command::Export(args) => export::run(&cli.global, args, &ui),
        Command::Emulator(args) => emulator::run(args, &ui),
    }
}

/// The async runtime for commands that talk to the API.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// Loads specs, printing problems; `None` means they were invalid (exit 1, no API call made).
fn load_specs(specs: &SpecArgs, ui: &Ui) -> Option<Desired> {
    match load::load_paths(&specs.paths(), &load::process_env) {
        Ok(desired) => {
            desired.warnings.iter().for_each(|w| ui.problem(w));
            Some(desired)
        }
        Err(problems) => {
            problems.0.iter().for_each(|p| ui.problem(p));
            let errors = problems.0.iter().filter(|p| p.severity == acgw::problem::Severity::Error).count();
            ui.error(&format!(
                "{errors} problem{} in the specs; no API call was made.",
                if errors == 1 { "" } else { "s" }
            ));
            None
        }
    }
}

/// Connects, saying where to with `-v`.
async fn connect(global: &GlobalArgs, ui: &Ui) -> anyhow::Result<Connection> {
    let conn = acgw::connect::connect(global).await?;
    ui.debug(&format!("using region {} at {}", conn.region(), conn.endpoint()));
    Ok(conn)
}

/// Closes the connection; with `-v`, first says what rate the run settled on and how many
/// throttles it absorbed, so that the user can pass `--max-rps` next time.
async fn close(conn: Connection, ui: &Ui) -> anyhow::Result<()> {
    if ui.verbose > 1 {
        conn.limiter().decisions().iter().for_each(|d| ui.debug(&format!("rate decision at {d}")));
    }
    ui.debug(&conn.limiter().summary().describe());
    conn.close().await?;
    Ok(())
}

/// Observes the gateways `desired` names and plans against them.
async fn observe_and_plan<A: acgw::api::ReadApi>(
    api: &A,
    conn: &Connection,
    desired: &Desired,
    global: &GlobalArgs,
    ui: &Ui,
) -> anyhow::Result<(Observed, Plan)> {
    let names: Vec<&str> = desired.specs.iter().map(|s| s.gateway.name.as_str()).collect();
    let observed = {
        let _progress = RateSpinner::start(ui, conn.limiter(), "reading the live gateways");
        observe::observe(api, &names, usize::from(global.parallelism)).await?
    };
    let mut plan = planning::build(desired, &observed);
    plan.target = target_of(conn);
    Ok((observed, plan))
}

/// The plan target for a connection: the region, and the endpoint when it is not AWS's default.
fn target_of(conn: &Connection) -> planning::Target {
    planning::Target { region: Some(conn.region().to_string()), endpoint: Some(conn.endpoint().to_string()) }
}

/// The closing error line when some gateways could not be read: the others' results stand.
fn failed_summary(failed: usize, verb: &str) -> String {
    format!(
        "{failed} gateway{} could not be {verb} (see above); the results for the others are complete.",
        if failed == 1 { "" } else { "s" }
    )
}

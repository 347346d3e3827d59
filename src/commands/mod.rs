//! One function per subcommand; the glue between the library's stages and the terminal.

mod apply;
mod destroy;
mod drift;
mod emulator;
mod export;
mod integrate;
mod plan;
mod sync;
mod validate;

use std::process::ExitCode;

use crate::cli::{Cli, ClientArgs, Command, SpecArgs};
use acgw::connect::Connection;
use acgw::load::{self, Desired};
use acgw::observe::{self, Observed, Part};
use acgw::plan::{self as planning, Plan};
use acgw::ui::{RateSpinner, Ui};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ui = Ui::new(cli.output.color.into(), cli.output.quiet, cli.output.verbose);
    match &cli.command {
        Command::Validate(args) => validate::run(args, &ui),
        Command::Plan(args) => plan::run(&args.client, args, &ui),
        Command::Apply(args) => apply::run(&args.client, args, &ui),
        Command::Drift(args) => drift::run(&args.client, args, &ui),
        Command::Export(args) => export::run(&args.client, args, &ui),
        Command::Emulator(args) => emulator::run(args, &ui),
        Command::Destroy(args) => destroy::run(&args.client, args, &ui),
        Command::Sync(args) => sync::run(&args.client, args, &ui),
        Command::Schema(args) => integrate::schema(args, &ui),
        Command::Completions(args) => integrate::completions(args.shell),
        Command::Man => integrate::man(),
    }
}

/// Set once a command has printed its JSON document, so that an error after it does not print a
/// second one (stdout must stay exactly one document).
static JSON_PRINTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Prints a command's JSON document on stdout.
fn print_json(ui: &Ui, doc: &str) {
    JSON_PRINTED.store(true, std::sync::atomic::Ordering::SeqCst);
    ui.data_raw(doc);
}

/// Whether a JSON document was printed already.
fn json_printed() -> bool {
    JSON_PRINTED.load(std::sync::atomic::Ordering::SeqCst)
}

/// `result` of a command that prints a plan-like document with `--format json`: when it returns
/// without having printed one, it failed before it had a plan, so a failure document says why.
fn or_failure_document(json: bool, ui: &Ui, result: anyhow::Result<ExitCode>) -> anyhow::Result<ExitCode> {
    if json && !json_printed() {
        let why = match &result {
            Err(e) => format!("{e:#}"),
            Ok(_) => "the specs are invalid: see the errors on stderr".to_string(),
        };
        print_json(ui, &acgw::output::FailureDocument::new(why).to_json());
    }
    result
}

/// Human output that belongs on stdout in text mode; with `--format json` it goes to stderr
/// (unless quiet), so that stdout holds only the document.
fn human(ui: &Ui, json: bool, text: &str) {
    if !json {
        ui.data_raw(text);
    } else if !ui.quiet {
        eprint!("{text}");
    }
}

/// The async runtime for commands that talk to the API.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// Loads specs, printing problems; `None` means they were invalid (exit 1, no API call made).
fn load_specs(specs: &SpecArgs, ui: &Ui) -> Option<Desired> {
    let loaded =
        load::load_paths_with(&specs.paths(), &load::process_env, specs.load_options()).and_then(|mut desired| {
            if let Some(owner) = &specs.owner {
                desired.override_owner(owner.clone())?;
            }
            Ok(desired)
        });
    match loaded {
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
async fn connect(global: &ClientArgs, ui: &Ui) -> anyhow::Result<Connection> {
    let conn = acgw::connect::connect(&global.settings()).await?;
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

/// Observes the gateways `desired` names (and, with an owner, which of the others it owns), and
/// the credential providers when a spec declares one or `prune` is set, and plans against them;
/// `prune` plans the deletion of owned gateways (and providers) in no spec.
async fn observe_and_plan<A: acgw::api::ReadApi>(
    api: &A,
    conn: &Connection,
    desired: &Desired,
    global: &ClientArgs,
    ui: &Ui,
    prune: bool,
) -> anyhow::Result<(Observed, Plan)> {
    if prune && desired.owner.is_none() {
        anyhow::bail!(
            "--prune deletes only gateways tagged with this run's owner: set `owner:` in the specs or pass --owner"
        );
    }
    let wanted: Vec<(&str, Vec<Part>)> =
        desired.specs.iter().map(|s| (s.gateway.name.as_str(), declared_parts(s))).collect();
    let parallelism = usize::from(global.parallelism);
    let mut observed = {
        let _progress = RateSpinner::start(ui, conn.limiter(), "reading the live gateways");
        observe::observe_with(api, &wanted, parallelism).await?
    };
    if let Some(owner) = &desired.owner {
        // One ListTagsForResource per gateway in no spec: the price of proving ownership.
        observe::find_owned(api, &mut observed, owner.as_str(), prune, parallelism).await;
    }
    // Providers cost calls only when a spec declares one or owned ones may be pruned.
    if !desired.providers.is_empty() || prune {
        let declared: Vec<(&str, _)> = desired.providers.iter().map(|p| (p.name(), p.provider.kind())).collect();
        let owner = desired.owner.as_ref().map(|o| o.as_str());
        let _progress = RateSpinner::start(ui, conn.limiter(), "reading the credential providers");
        // With an owner, the owned ones in no spec are found as for gateways: pruned with
        // `--prune`, reported as orphaned (plan, drift) without it.
        let find_owned = owner.is_some();
        match observe::observe_providers(api, &declared, owner, find_owned, parallelism).await {
            Ok(providers) => observed.providers = providers,
            // Pruning alone must not break runs whose role may not list providers (or whose
            // service lacks them): gateways are still pruned, providers are not read, so none is.
            Err(e) if desired.providers.is_empty() => {
                ui.warn(&format!("{e}; credential providers were not read, so none is pruned"))
            }
            Err(e) => return Err(e.into()),
        }
        if prune && !observed.providers.owned.is_empty() {
            // Which targets name each provider: a provider still named is never deleted.
            observed.providers.holders = Some(observe::read_holders(api, parallelism).await);
        }
    }
    let mut plan = planning::build_with(desired, &observed, prune);
    plan.target = target_of(conn);
    Ok((observed, plan))
}

/// The parts of a gateway its spec declares (and so manages): only those are read.
fn declared_parts(spec: &acgw::load::Spec) -> Vec<Part> {
    Part::ALL.into_iter().filter(|part| part.declared_in(spec)).collect()
}

/// The plan target for a connection: the region, and the endpoint when it is not AWS's default.
fn target_of(conn: &Connection) -> planning::Target {
    planning::Target { region: Some(conn.region().to_string()), endpoint: Some(conn.endpoint().to_string()) }
}

/// The closing error line when some gateways (or credential providers) could not be read: the
/// others' results stand.
fn failed_summary(failed: usize, providers: usize, verb: &str) -> String {
    let mut what = Vec::new();
    if failed > 0 || providers == 0 {
        what.push(format!("{failed} gateway{}", if failed == 1 { "" } else { "s" }));
    }
    if providers > 0 {
        what.push(format!("{providers} credential provider{}", if providers == 1 { "" } else { "s" }));
    }
    format!("{} could not be {verb} (see above); the results for the others are complete.", what.join(" and "))
}

/// How many credential providers a plan could not cover.
fn failed_providers(plan: &Plan) -> usize {
    plan.credential_providers.as_ref().map_or(0, |p| p.failed.len())
}

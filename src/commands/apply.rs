//! `acgw apply`: plan and apply specs (asking first on a terminal), or apply a saved plan.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::cli::{ApplyArgs, ApplyFormat, ClientArgs};
use acgw::apply::{self, report, Options, PartsWork, Progress, Work};
use acgw::connect::Connection;
use acgw::diff;
use acgw::observe::{self, Part};
use acgw::output::ApplyDocument;
use acgw::plan::{self, Action, Plan};
use acgw::render;
use acgw::ui::{RateSpinner, Ui};

/// The largest saved plan `apply` reads: far above a plan of a thousand gateways with their
/// targets, and a bound on what a device or a `/proc` file named as a plan can make it hold.
const MAX_PLAN_BYTES: u64 = 256 * 1024 * 1024;

pub fn run(global: &ClientArgs, args: &ApplyArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    refused_as_json(run_inner(global, args, ui), args.format, ui)
}

/// With `--format json`, an error before the report (a refusal, a stale or unreadable plan, no
/// connection) still prints one report, saying why nothing was applied, so stdout is always one
/// document; the error goes to stderr and the exit code is unchanged.
pub(super) fn refused_as_json(
    result: anyhow::Result<ExitCode>,
    format: ApplyFormat,
    ui: &Ui,
) -> anyhow::Result<ExitCode> {
    if format == ApplyFormat::Json && !super::json_printed() {
        // Every path that returns without a report refused up front (e.g. invalid specs).
        let why = match &result {
            Err(e) => format!("{e:#}"),
            Ok(_) => "nothing was applied: see the errors on stderr".to_string(),
        };
        super::print_json(ui, &ApplyDocument::refused(&why, &[]).to_json());
    }
    result
}

/// Refuses, with `--format json` printing a report in which every gateway `plan` would change
/// is not applied.
pub(super) fn refuse(plan: &Plan, format: ApplyFormat, ui: &Ui, error: anyhow::Error) -> anyhow::Error {
    if format == ApplyFormat::Json && !super::json_printed() {
        let gateways: Vec<(String, Option<String>, &'static str)> = plan
            .gateways
            .iter()
            .filter(|g| g.is_change())
            .map(|g| (g.name.clone(), g.observed.as_ref().map(|o| o.gateway_id.clone()), "none"))
            .collect();
        super::print_json(ui, &ApplyDocument::refused(&format!("{error:#}"), &gateways).to_json());
    }
    error
}

/// Prints the report of a run with nothing to apply: only the gateways that could not be read.
pub(super) fn print_nothing_to_do(format: ApplyFormat, ui: &Ui, plan: &Plan) {
    if format == ApplyFormat::Json {
        let report =
            apply::Report { gateways: not_read(plan), providers: providers_not_read(plan), interrupted: false };
        super::print_json(ui, &ApplyDocument::of(&report).to_json());
    }
}

fn run_inner(global: &ClientArgs, args: &ApplyArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let json = args.format == ApplyFormat::Json;
    match &args.plan_file {
        Some(file) => {
            let bytes = acgw::bounded::read(file, MAX_PLAN_BYTES, "plan files")
                .with_context(|| format!("cannot read plan file {}", file.display()))?;
            let text = String::from_utf8(bytes)
                .with_context(|| format!("cannot read plan file {}: it is not UTF-8", file.display()))?;
            let plan =
                Plan::from_json(&text).with_context(|| format!("{} is not a valid acgw plan", file.display()))?;
            super::runtime()?.block_on(apply_saved(global, args, ui, plan))
        }
        None => {
            let Some(desired) = super::load_specs(&args.specs, ui) else { return Ok(ExitCode::from(1)) };
            if !args.auto_approve && !ui.stdin_is_terminal {
                let why = "refusing to apply without confirmation: stdin is not a terminal. Pass --auto-approve, or save a plan with `acgw plan --out FILE` and apply that.";
                ui.error(why);
                if json {
                    super::print_json(ui, &ApplyDocument::refused(why, &[]).to_json());
                }
                return Ok(ExitCode::from(1));
            }
            super::runtime()?.block_on(async {
                let conn = super::connect(global, ui).await?;
                let (_, plan) = super::observe_and_plan(conn.api(), &conn, &desired, global, ui, args.prune).await?;
                let color = if json { ui.color_stderr } else { ui.color_stdout };
                super::human(ui, json, &render::plan(&plan, acgw::render::Format::Text, color));
                if !plan.has_changes() {
                    print_nothing_to_do(args.format, ui, &plan);
                    super::close(conn, ui).await?;
                    if plan.has_failures() {
                        ui.error(&super::failed_summary(plan.failed.len(), super::failed_providers(&plan), "planned"));
                        return Ok(ExitCode::from(1));
                    }
                    return Ok(ExitCode::SUCCESS);
                }
                refuse_replacements(&plan, args)
                    .and_then(|()| refuse_takeovers(&plan, args))
                    .map_err(|e| refuse(&plan, args.format, ui, e))?;
                if !args.auto_approve && !confirm()? {
                    ui.error("apply cancelled; nothing was changed.");
                    let _ = refuse(&plan, args.format, ui, anyhow::anyhow!("apply cancelled; nothing was changed."));
                    super::close(conn, ui).await?;
                    return Ok(ExitCode::from(1));
                }
                let not_read = not_read(&plan);
                execute(conn, global, args, ui, &plan, not_read).await
            })
        }
    }
}

/// Applies a saved plan after checking that nothing it observed has moved.
async fn apply_saved(global: &ClientArgs, args: &ApplyArgs, ui: &Ui, plan: Plan) -> anyhow::Result<ExitCode> {
    if plan.target.endpoint.as_deref().is_some_and(|e| e.starts_with("local:")) && !global.local {
        bail!("this plan was made with --local (the built-in emulator); apply it with `acgw apply --local PLANFILE`");
    }
    let conn = super::connect(global, ui).await?;
    let here = super::target_of(&conn);
    if plan.target.region.is_some() && plan.target != here {
        bail!(
            "this plan was made for region {} at {}, but this apply targets region {} at {}",
            plan.target.region.as_deref().unwrap_or("?"),
            plan.target.endpoint.as_deref().unwrap_or("the default endpoint"),
            here.region.as_deref().unwrap_or("?"),
            here.endpoint.as_deref().unwrap_or("the default endpoint"),
        );
    }
    if !plan.has_changes() {
        ui.info("The plan has no changes.");
        print_nothing_to_do(args.format, ui, &plan);
        super::close(conn, ui).await?;
        if plan.has_failures() {
            ui.error(&super::failed_summary(plan.failed.len(), super::failed_providers(&plan), "planned"));
            return Ok(ExitCode::from(1));
        }
        return Ok(ExitCode::SUCCESS);
    }
    refuse_replacements(&plan, args)
        .and_then(|()| refuse_takeovers(&plan, args))
        .map_err(|e| refuse(&plan, args.format, ui, e))?;
    let touched: Vec<(&str, Vec<Part>)> =
        plan.gateways.iter().filter(|g| g.is_change()).map(|g| (g.name.as_str(), planned_parts(g))).collect();
    let parallelism = usize::from(global.parallelism);
    let now = {
        let _progress = RateSpinner::start(ui, conn.limiter(), "re-reading the planned gateways");
        observe::observe_with(conn.api(), &touched, parallelism).await?
    };
    // A gateway to delete is stale when it gained targets: read them again.
    let deleting: Vec<(&str, &str)> = plan
        .gateways
        .iter()
        .filter(|g| g.action == Action::Delete)
        .filter_map(|g| now.managed.get(&g.name).map(|l| (g.name.as_str(), l.live.gateway_id.as_str())))
        .collect();
    let targets_now = observe::read_targets(conn.api(), &deleting, parallelism).await;
    let fingerprint_now = |g: &plan::GatewayPlan| {
        now.managed.get(&g.name).map(|live| {
            let mut f = plan::Fingerprint::of(live);
            if g.action == Action::Delete {
                f.targets = targets_now.get(&f.gateway_id).and_then(|r| r.as_ref().ok()).cloned();
            }
            f
        })
    };
    // A gateway that cannot be re-read is not applied (its staleness is unknown), alone.
    let mut not_read = not_read(&plan);
    for (name, error) in &now.failed {
        let reason = format!("it could not be re-read to check that the plan still holds: {error}");
        not_read.push(apply::GatewayOutcome::not_read(name, error.gateway_id().map(str::to_string), reason));
    }
    let stale: Vec<String> = plan
        .gateways
        .iter()
        .filter(|g| g.is_change() && !now.failed.contains_key(&g.name))
        .filter_map(|g| {
            let mut moved = plan::staleness(g, fingerprint_now(g));
            // A replaced gateway's targets go with it: only an updated one's must hold.
            if let (Some(planned), Some(live), Action::Update) =
                (&g.targets, now.managed.get(&g.name).and_then(|l| l.targets.as_ref()), g.action)
            {
                moved.extend(plan::item_staleness(planned, live));
            }
            if let (Some(planned), Some(live), Action::Update) =
                (&g.resource_policy, now.managed.get(&g.name).and_then(|l| l.resource_policy.as_ref()), g.action)
            {
                moved.extend(plan::policy_staleness(planned, live.as_ref()));
            }
            if let (Some(planned), Some(live), Action::Update) =
                (&g.rate_limits, now.managed.get(&g.name).and_then(|l| l.rate_limits.as_ref()), g.action)
            {
                moved.extend(plan::item_staleness(planned, live));
            }
            if let (Some(planned), Some(live), Action::Update) =
                (&g.rules, now.managed.get(&g.name).and_then(|l| l.rules.as_ref()), g.action)
            {
                moved.extend(plan::item_staleness(planned, live));
            }
            (!moved.is_empty()).then(|| format!("  {}: {}", g.name, moved.join("; ")))
        })
        .collect();
    let mut stale = stale;
    stale.extend(stale_providers(conn.api(), &plan, parallelism).await?);
    if !stale.is_empty() {
        let error = anyhow::anyhow!(
            "the plan is stale: {} gateway(s) or credential provider(s) changed since it was made, so nothing was applied:\n{}\nRun `acgw plan` again.",
            stale.len(),
            stale.join("\n")
        );
        return Err(refuse(&plan, args.format, ui, error));
    }
    let mut plan = plan;
    plan.gateways.retain(|g| !now.failed.contains_key(&g.name));
    execute(conn, global, args, ui, &plan, not_read).await
}

/// The credential providers a saved plan changes that moved since it was made (or can no longer
/// be read), one line each.
async fn stale_providers<A: acgw::api::ReadApi>(
    api: &A,
    plan: &Plan,
    parallelism: usize,
) -> anyhow::Result<Vec<String>> {
    let Some(planned) = &plan.credential_providers else { return Ok(Vec::new()) };
    let changed: Vec<&plan::ProviderPlan> = planned.providers.iter().filter(|p| p.is_change()).collect();
    if changed.is_empty() {
        return Ok(Vec::new());
    }
    let declared: Vec<(&str, acgw::model::credential_provider::ProviderKind)> =
        changed.iter().map(|p| (p.name.as_str(), p.kind)).collect();
    let now = observe::observe_providers(api, &declared, None, false, parallelism).await?;
    Ok(changed
        .iter()
        .filter_map(|p| {
            let moved = match now.failed.get(&p.name) {
                Some(error) => vec![format!("it could not be re-read: {error}")],
                None => plan::provider_staleness(p, now.managed.get(&p.name)),
            };
            (!moved.is_empty()).then(|| format!("  credential provider {}: {}", p.name, moved.join("; ")))
        })
        .collect())
}

/// The credential providers the plan could not cover (or left alone: still named by a live
/// target, their targets unreadable), as outcomes that say so.
fn providers_not_read(plan: &Plan) -> Vec<apply::providers::ProviderOutcome> {
    plan.credential_providers
        .iter()
        .flat_map(|p| &p.failed)
        .map(|f| apply::providers::ProviderOutcome {
            arn: f.arn.clone(),
            ..apply::providers::ProviderOutcome::not_applied(
                &f.name,
                f.kind,
                "none",
                format!("it could not be planned: {}", f.error),
            )
        })
        .collect()
}

/// The gateways the plan could not cover, as outcomes that say so.
fn not_read(plan: &Plan) -> Vec<apply::GatewayOutcome> {
    plan.failed
        .iter()
        .map(|f| {
            apply::GatewayOutcome::not_read(
                &f.name,
                f.gateway_id.clone(),
                format!("it could not be planned: {}", f.error),
            )
        })
        .collect()
}

/// Refuses up front, before any call, when the plan takes gateways over from another owner
/// without --take-ownership.
fn refuse_takeovers(plan: &Plan, args: &ApplyArgs) -> anyhow::Result<()> {
    if args.take_ownership {
        return Ok(());
    }
    let providers = plan.credential_providers.iter().flat_map(|p| &p.providers).filter_map(|p| {
        let change = p.tag_changes.iter().find(|t| t.key == acgw::model::OWNER_TAG)?;
        let (from, to) = (change.before.as_deref()?, change.after.as_deref()?);
        Some(format!("credential provider {} (owned by `{from}`, not `{to}`)", p.name))
    });
    let taken: Vec<String> = plan
        .gateways
        .iter()
        .filter_map(|g| {
            let (from, to) = g.owner_change()?;
            from.map(|from| format!("{} (owned by `{from}`, not `{to}`)", g.name))
        })
        .chain(providers)
        .collect();
    if taken.is_empty() {
        return Ok(());
    }
    bail!(
        "the plan updates {} gateway(s) or credential provider(s) that another owner holds: {}. Re-run with --take-ownership to take them over. Nothing was applied.",
        taken.len(),
        taken.join(", ")
    )
}

/// Refuses up front, before any call, when the plan replaces gateways without --allow-replace.
fn refuse_replacements(plan: &Plan, args: &ApplyArgs) -> anyhow::Result<()> {
    if args.allow_replace {
        return Ok(());
    }
    let replaced: Vec<String> = plan
        .gateways
        .iter()
        .filter(|g| g.action == Action::Replace)
        .map(|g| format!("{} (forced by {})", g.name, g.forced_by.join(", ")))
        .collect();
    if replaced.is_empty() {
        return Ok(());
    }
    bail!(
        "the plan replaces {} gateway(s): {}. Replacing deletes the gateway and creates it again; re-run with --allow-replace to do that. Nothing was applied.",
        replaced.len(),
        replaced.join(", ")
    )
}

fn confirm() -> anyhow::Result<bool> {
    ask("Apply these changes? Only 'yes' is accepted: ")
}

/// Asks on the terminal; only `yes` is a yes.
pub(super) fn ask(question: &str) -> anyhow::Result<bool> {
    eprint!("{question}");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim() == "yes")
}

/// The work for every gateway the plan changes.
fn work_of(plan: &Plan) -> anyhow::Result<Vec<(String, Work)>> {
    let mut work = Vec::new();
    for g in plan.gateways.iter().filter(|g| g.is_change()) {
        let item = match (g.action, &g.observed, &g.desired) {
            (Action::Create, _, Some(desired)) => Work::Create { desired: desired.clone(), parts: PartsWork::of(g) },
            (Action::Update, Some(seen), Some(desired)) => Work::Update {
                gateway_id: seen.gateway_id.clone(),
                gateway_arn: seen.gateway_arn.clone(),
                desired: desired.clone(),
                config: g.update_gateway,
                tags_set: diff::tags_to_set(&g.tag_changes),
                tags_remove: diff::tags_to_remove(&g.tag_changes),
                parts: PartsWork::of(g),
            },
            (Action::Replace, Some(seen), Some(desired)) => Work::Replace {
                gateway_id: seen.gateway_id.clone(),
                desired: desired.clone(),
                forced_by: g.forced_by.join(", "),
                // The desired tags carry the protection tag when the spec asks for it, so a
                // protection not yet applied protects as well as one already on the gateway.
                protected: plan::Protection::of(
                    acgw::model::protection_tag(&acgw::normalize::gateway_tags(desired)).is_some(),
                    seen,
                ),
                parts: PartsWork::of(g),
            },
            (Action::Delete, Some(seen), None) => Work::Delete { gateway_id: seen.gateway_id.clone() },
            (Action::NoOp, _, _) => continue,
            (action, _, _) => {
                bail!(
                    "the plan for {} says {} but its observed and desired parts do not fit it",
                    g.name,
                    action.as_str()
                )
            }
        };
        work.push((g.name.clone(), item));
    }
    Ok(work)
}

/// How the changes of a plan are carried out.
pub(super) struct Execution {
    pub wait_timeout: std::time::Duration,
    pub wait: bool,
    pub allow_replace: bool,
    pub format: ApplyFormat,
}

impl From<&ApplyArgs> for Execution {
    fn from(args: &ApplyArgs) -> Self {
        Execution {
            wait_timeout: args.wait_timeout,
            wait: !args.no_wait,
            allow_replace: args.allow_replace,
            format: args.format,
        }
    }
}

async fn execute(
    conn: Connection,
    global: &ClientArgs,
    args: &ApplyArgs,
    ui: &Ui,
    plan: &Plan,
    not_read: Vec<apply::GatewayOutcome>,
) -> anyhow::Result<ExitCode> {
    execute_plan(conn, global, &Execution::from(args), ui, plan, not_read).await
}

/// The exit code of an apply or destroy stopped by SIGINT or SIGTERM (128 + SIGINT, as shells do).
const EXIT_INTERRUPTED: u8 = 130;

/// Handles SIGINT and SIGTERM from now on: the first triggers `interrupt` (the apply stops sending
/// calls and reports), a second exits at once. Without this, a signal would kill acgw before it
/// could say which calls took effect.
fn watch_signals(interrupt: apply::Interrupt) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let mut signals = Signals::new()?;
    Ok(tokio::spawn(async move {
        let name = signals.next().await;
        interrupt.trigger();
        eprintln!(
            "acgw: {name} received: sending no new calls; waiting up to {}s for the calls in flight, then reporting \
             what took effect (send it again to exit at once).",
            interrupt.grace().as_secs()
        );
        let name = signals.next().await;
        eprintln!(
            "acgw: {name} received again: exiting at once without a report; calls in flight may or may not have \
             taken effect. Run the same command again to converge."
        );
        std::process::exit(i32::from(EXIT_INTERRUPTED));
    }))
}

/// The signals that stop an apply: SIGINT and SIGTERM.
#[cfg(unix)]
struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> anyhow::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            int: signal(SignalKind::interrupt()).context("cannot handle SIGINT")?,
            term: signal(SignalKind::terminate()).context("cannot handle SIGTERM")?,
        })
    }

    /// Waits for the next one and names it.
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.int.recv() => "SIGINT",
            _ = self.term.recv() => "SIGTERM",
        }
    }
}

/// The signal that stops an apply where there are no Unix signals: Ctrl-C.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> anyhow::Result<Self> {
        Ok(Signals)
    }

    /// Waits for the next one and names it; never, when Ctrl-C cannot be listened for.
    async fn next(&mut self) -> &'static str {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        "Ctrl-C"
    }
}

/// Carries out every change of `plan`, reports, and closes the connection; exit 1 when anything,
/// including `not_read`, was not done, 130 when a signal stopped it.
pub(super) async fn execute_plan(
    conn: Connection,
    global: &ClientArgs,
    how: &Execution,
    ui: &Ui,
    plan: &Plan,
    not_read: Vec<apply::GatewayOutcome>,
) -> anyhow::Result<ExitCode> {
    let (provider_writes, provider_deletes) = apply::providers::work_of(plan, &acgw::load::process_env)
        .map_err(|e| refuse(plan, how.format, ui, e.into()))?;
    let mut opts =
        Options::new(apply::Target { region: conn.region().to_string(), endpoint: conn.endpoint().to_string() });
    opts.parallelism = usize::from(global.parallelism);
    opts.wait_timeout = how.wait_timeout;
    opts.wait = how.wait;
    opts.allow_replace = how.allow_replace;
    if conn.emulator().is_some() {
        // The built-in emulator settles in milliseconds; polling it at AWS's pace only adds waiting.
        opts.poll_initial = std::time::Duration::from_millis(20);
        opts.poll_max = std::time::Duration::from_millis(200);
    }
    // The handler stays for the rest of the process (tokio never restores a signal's default
    // action), so a signal while the report is printed or the connection closes is still caught.
    let _signals = watch_signals(opts.interrupt.clone())?;
    let total = plan.gateways.iter().filter(|g| g.is_change()).count() + provider_writes.len() + provider_deletes.len();
    let bar = (!ui.quiet && ui.stderr_is_terminal).then(|| report::Bar::new(total).with_rate(conn.limiter()));
    let progress: &dyn Progress = match &bar {
        Some(bar) => bar,
        None if ui.quiet => &apply::Silent,
        None => &report::Lines,
    };
    // Providers first: a target may name one created now.
    let mut providers = apply::providers::write_providers(conn.api(), provider_writes, &opts, progress).await;
    let mut plan = plan.clone();
    apply::providers::resolve_references(&mut plan, &providers);
    let work = work_of(&plan)?;
    let mut report = apply::apply(conn.api(), work, &opts, progress).await;
    // Deletions last, each only when a fresh read of every live target shows none names it.
    if !provider_deletes.is_empty() {
        let holders = if opts.interrupt.is_set() {
            Err("interrupted".to_string())
        } else {
            observe::read_holders(conn.api(), opts.parallelism).await.map_err(|e| e.to_string())
        };
        providers
            .extend(apply::providers::delete_providers(conn.api(), provider_deletes, &holders, &opts, progress).await);
    }
    if let Some(bar) = &bar {
        bar.finish();
    }
    // A provider the plan left alone (still named by a live target, its targets unreadable, not
    // readable itself) is not applied, as a gateway that could not be planned is: a prune or a
    // destroy that kept one reports it and does not exit 0.
    providers.extend(providers_not_read(&plan));
    providers.sort_by(|a, b| a.name.cmp(&b.name));
    report.providers = providers;
    report.interrupted = opts.interrupt.is_set();
    report.gateways.extend(not_read);
    report.gateways.sort_by(|a, b| a.name.cmp(&b.name));
    match how.format {
        ApplyFormat::Text => ui.data_raw(&report::text(&report, ui.color_stdout)),
        ApplyFormat::Json => super::print_json(ui, &ApplyDocument::of(&report).to_json()),
    }
    if let Err(e) = super::close(conn, ui).await {
        // The report is out: an error closing must not print a second document.
        ui.error(&format!("{e:#}"));
        return Ok(ExitCode::from(1));
    }
    if report.interrupted {
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    Ok(ExitCode::from(if report.succeeded() { 0 } else { 1 }))
}

/// The parts of a planned gateway that its plan manages: only those are re-read.
fn planned_parts(g: &plan::GatewayPlan) -> Vec<Part> {
    Part::ALL.into_iter().filter(|part| g.manages(*part)).collect()
}

//! `acgw export`: live gateways, and every live credential provider, as spec YAML.

use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{ClientArgs, ExportArgs};
use acgw::api::ReadOnly;
use acgw::export::providers;
use acgw::observe::{self, Part};
use acgw::ui::{RateSpinner, Ui};

pub fn run(global: &ClientArgs, args: &ExportArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    // Credential providers are exported with every gateway, not with chosen ones (`--name`).
    let with_providers = args.names.is_empty();
    if with_providers
        && args.output.as_deref().and_then(std::path::Path::file_name).is_some_and(|f| f == providers::FILE)
    {
        anyhow::bail!(
            "{} is where export writes the credential providers, beside the -o file: name the -o file otherwise",
            providers::FILE
        );
    }
    super::runtime()?.block_on(async {
        let conn = super::connect(global, ui).await?;
        let api = ReadOnly::new(conn.api());
        let parallelism = usize::from(global.parallelism);
        let progress = RateSpinner::start(ui, conn.limiter(), "reading the live gateways");
        let observed = if args.names.is_empty() {
            observe::observe_all(&api, parallelism).await?
        } else {
            let mut observed = observe::observe(&api, &args.names, parallelism).await?;
            let missing: Vec<&str> = args
                .names
                .iter()
                .filter(|n| !observed.managed.contains_key(n.as_str()) && !observed.failed.contains_key(n.as_str()))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                anyhow::bail!("no live gateway is named {}", missing.join(", "));
            }
            observed.unmanaged.clear();
            observed
        };
        let mut observed = observed;
        let every: Vec<String> = observed.managed.keys().cloned().collect();
        let wanted: Vec<(&String, Vec<Part>)> = every.iter().map(|n| (n, Part::ALL.to_vec())).collect();
        // A policy, rules or rate limits that cannot be read are left out of the export (absent
        // means unmanaged, so loading it never deletes them), with a warning; the gateway still
        // exports. Targets that cannot be read fail the gateway.
        let mut left_out = Vec::new();
        for read in observe::read_parts(&api, &observed, &wanted, parallelism).await {
            match read.result {
                Ok(value) => value.store_in(&mut observed, &read.gateway),
                Err(error) if read.part != Part::Targets => left_out.push(format!(
                    "gateway {}: `{}` is left out of the export (unmanaged): {error}",
                    read.gateway,
                    read.part.key()
                )),
                Err(error) => observed.fail(&read.gateway, error),
            }
        }
        let read = if with_providers { Some(providers::read(&api, parallelism).await) } else { None };
        drop(progress);
        left_out.iter().for_each(|w| ui.warn(w));
        for e in read.iter().flat_map(|r| &r.unlisted) {
            ui.warn(&format!("{e}; credential providers of that kind were not read, so none is exported"));
        }
        // Schema files are named from live names, so they are written only inside the output's
        // folder, never through a symlink, and never over a file this run did not write.
        let dir = args
            .output
            .as_deref()
            .and_then(std::path::Path::parent)
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let mut folder = acgw::confine::Folder::new(dir, args.force);
        let source = format!("{} ({})", conn.endpoint(), conn.region());
        let mut failed = 0;
        // With -o the providers go to their own file in the folder, under the folder's rules; a
        // refused file leaves them all out, and then targets keep their literal ARNs.
        let mut credentials = read.as_ref().map(|r| providers::export(&r.providers)).filter(|p| !p.items.is_empty());
        if let (Some(_), Some(_)) = (&credentials, &args.output) {
            if let Err(e) = folder.check(providers::FILE) {
                ui.error(&format!("the credential providers were not exported: {e}"));
                failed += 1;
                credentials = None;
            }
        }
        let names = credentials.as_ref().map(providers::ProvidersExport::names);
        let check = |rel: &str| folder.check(rel).map(drop).map_err(|e| e.to_string());
        let options = acgw::export::Options {
            split_payloads: args.output.is_some(),
            check_file: Some(&check),
            provider_names: names.as_ref(),
        };
        let export = acgw::export::to_yaml_with(&observed, &source, options)?;
        export.warnings.iter().for_each(|w| ui.warn(w));
        if let Some(c) = &credentials {
            c.warnings.iter().for_each(|w| ui.warn(w));
            let variables = c.variables();
            if !variables.is_empty() {
                ui.info(&format!("Set before loading the export: {}.", variables.join(", ")));
            }
        }
        match &args.output {
            Some(path) => {
                for (file, text) in &export.files {
                    folder.write(file, text.as_bytes())?;
                }
                if let Some(c) = &credentials {
                    let written = folder.write(providers::FILE, c.document(&source).as_bytes())?;
                    ui.info(&format!("Exported {} credential provider(s) to {}.", c.items.len(), written.display()));
                }
                acgw::atomic::write(path, export.yaml.as_bytes())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                ui.info(&format!("Exported {} gateway(s) to {}.", export.count, path.display()));
            }
            None => {
                let mut yaml = export.yaml;
                if let Some(c) = &credentials {
                    yaml.push_str(&c.section());
                }
                ui.data_raw(&yaml);
            }
        }
        if let Some(read) = &read {
            for e in &read.failed {
                ui.error(&format!("{e}; not exported"));
            }
            failed += read.failed.len();
        }
        if let Some(c) = &credentials {
            for (name, error) in &c.skipped {
                ui.error(&format!("credential provider {name} was not exported: {error}"));
            }
            failed += c.skipped.len();
        }
        for f in &export.skipped {
            let id = f.gateway_id.as_deref().map(|id| format!(" ({id})")).unwrap_or_default();
            ui.error(&format!("gateway {}{id} was not exported: {}", f.name, f.error));
        }
        super::close(conn, ui).await?;
        if !export.skipped.is_empty() {
            ui.error(&format!(
                "{} of {} gateway(s) could not be exported; the others were.",
                export.skipped.len(),
                export.skipped.len() + export.count
            ));
        }
        if failed > 0 {
            ui.error("Not every credential provider was exported (see the errors above).");
        }
        if !export.skipped.is_empty() || failed > 0 {
            return Ok(ExitCode::from(1));
        }
        Ok(ExitCode::SUCCESS)
    })
}

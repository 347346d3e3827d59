//! `acgw export`: live gateways as spec YAML.

use std::process::ExitCode;

use anyhow::Context;

use acgw::api::ReadOnly;
use acgw::cli::{ExportArgs, GlobalArgs};
use acgw::observe;
use acgw::ui::Ui;

pub fn run(global: &GlobalArgs, args: &ExportArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    super::runtime()?.block_on(async {
        let conn = super::connect(global, ui).await?;
        let api = ReadOnly::new(conn.api());
        let parallelism = usize::from(global.parallelism);
        let observed = if args.names.is_empty() {
            observe::observe_all(&api, parallelism).await?
        } else {
            let mut observed = observe::observe(&api, &args.names, parallelism).await?;
            let missing: Vec<&str> =
                args.names.iter().filter(|n| !observed.managed.contains_key(n.as_str())).map(String::as_str).collect();
            if !missing.is_empty() {
                anyhow::bail!("no live gateway is named {}", missing.join(", "));
            }
            observed.unmanaged.clear();
            observed
        };
        let yaml = acgw::export::to_yaml(&observed, &format!("{} ({})", conn.endpoint(), conn.region()))?;
        match &args.output {
            Some(path) => {
                acgw::atomic::write(path, yaml.as_bytes())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                ui.info(&format!("Exported {} gateway(s) to {}.", observed.managed.len(), path.display()));
            }
            None => ui.data_raw(&yaml),
        }
        conn.close().await?;
        Ok(ExitCode::SUCCESS)
    })
}

//! `acgw export`.

use std::process::ExitCode;

use acgw::cli::{ExportArgs, GlobalArgs};
use acgw::ui::Ui;

pub fn run(_global: &GlobalArgs, _args: &ExportArgs, _ui: &Ui) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`acgw export` is not built yet")
}

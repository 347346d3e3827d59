//! `acgw apply`.

use std::process::ExitCode;

use acgw::cli::{ApplyArgs, GlobalArgs};
use acgw::ui::Ui;

pub fn run(_global: &GlobalArgs, _args: &ApplyArgs, _ui: &Ui) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`acgw apply` is not built yet")
}

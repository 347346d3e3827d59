//! `acgw plan`.

use std::process::ExitCode;

use acgw::cli::{GlobalArgs, PlanArgs};
use acgw::ui::Ui;

pub fn run(_global: &GlobalArgs, _args: &PlanArgs, _ui: &Ui) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`acgw plan` is not built yet")
}

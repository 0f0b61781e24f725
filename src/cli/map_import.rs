//! `dimap import` and `dimap export`: not built yet.

use std::process::ExitCode;

use super::{ExportArgs, ImportArgs};

pub fn import(_args: &ImportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`dimap import` is not built yet")
}

pub fn export(_args: &ExportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`dimap export` is not built yet")
}

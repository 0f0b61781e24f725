//! `dimap schema import`: not built yet.

use std::process::ExitCode;

use super::SchemaImportArgs;

pub fn run(_args: &SchemaImportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`dimap schema import` is not built yet")
}

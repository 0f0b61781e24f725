//! The command line: argument parsing types and dispatch to each command.

mod check;
mod fmt;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// dimap: checks Dynamics 365 dual-write and Data Integrator table maps
/// (`.dimap` files) against cached entity schemas, before anything runs.
#[derive(Debug, Parser)]
#[command(name = "dimap", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the workspace(s) holding each PATH and print every finding.
    Check(CheckArgs),
    /// Format `.dimap` files in place: indentation, and aligned columns of
    /// field mappings within each map.
    Fmt(FmtArgs),
    /// Run the language server over standard input and output.
    Lsp,
}

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Files or folders to format.
    #[arg(default_value = ".")]
    pub paths: Vec<std::path::PathBuf>,
    /// Only list the files that would change; exit 1 if any would.
    #[arg(long)]
    pub check: bool,
}

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or folders; each is checked as part of its workspace (the
    /// nearest folder upward with a dimap.toml, else the folder itself).
    #[arg(default_value = ".")]
    pub paths: Vec<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Apply every unambiguous fix, then report what remains.
    #[arg(long)]
    pub fix: bool,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Lsp => crate::lsp::run().map(|()| ExitCode::SUCCESS),
    }
}

//! The command line: argument parsing types and dispatch to each command.

mod check;
mod workspace;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub use workspace::{load_workspace, LoadedWorkspace};

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
    }
}

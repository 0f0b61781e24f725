//! The command line: argument parsing types and dispatch to each command.

mod check;
mod fmt;
mod map_import;
mod run;
mod schema_import;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub use crate::samples::SourceFormat;
pub use run::{DirectionArg, RunArgs, RunsArgs, RunsCommand};

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
    /// Cached schemas: make one from an environment's published metadata.
    Schema {
        #[command(subcommand)]
        command: SchemaCommand,
    },
    /// Print `.dimap` text for dual-write table maps stored as JSON.
    Import(ImportArgs),
    /// Print the dual-write JSON of the maps of a `.dimap` file.
    Export(ExportArgs),
    /// Preview a map: run sample records of its source through it into a
    /// local store, with the product's statuses (Completed, Warning, Error).
    Run(RunArgs),
    /// The history of `dimap run`: every run, or one with its failed records.
    Runs(RunsArgs),
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Make a cached schema from OData CSDL `$metadata` or Dataverse
    /// `EntityDefinitions` JSON.
    Import(SchemaImportArgs),
}

/// What published metadata is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetadataFormat {
    /// OData CSDL `$metadata` XML (finance and operations or Dataverse).
    Csdl,
    /// Dataverse Web API `EntityDefinitions` JSON with attributes and keys.
    Entitydefinitions,
}

#[derive(Debug, clap::Args)]
pub struct SchemaImportArgs {
    /// The format of the metadata.
    #[arg(long = "from", value_enum)]
    pub from: MetadataFormat,
    /// The metadata file, or `-` for standard input.
    pub input: std::path::PathBuf,
    /// The environment name connections refer to.
    #[arg(long)]
    pub environment: String,
    /// The app of the environment (finance_and_operations, dataverse, ...).
    #[arg(long, default_value = "dataverse")]
    pub app: String,
    /// Where to write the cache (default: `.dimap/schemas/ENVIRONMENT.json`
    /// under the workspace of the current folder).
    #[arg(long)]
    pub output: Option<std::path::PathBuf>,
    /// The organizations of the environment, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub organizations: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Dual-write map JSON files (the `msdyn_mapping` document), or `-`.
    #[arg(required = true)]
    pub inputs: Vec<std::path::PathBuf>,
    /// Write the `.dimap` text here instead of standard output.
    #[arg(long)]
    pub output: Option<std::path::PathBuf>,
    /// The project name to write.
    #[arg(long)]
    pub project: Option<String>,
    /// The connection set the project uses.
    #[arg(long = "connection-set")]
    pub connection_set: Option<String>,
    /// The aliases of the left and right environments, `LEFT,RIGHT`.
    #[arg(long, value_delimiter = ',')]
    pub aliases: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The `.dimap` file holding the maps.
    pub input: std::path::PathBuf,
    /// Only this map (its name, or `PROJECT/MAP`).
    #[arg(long)]
    pub map: Option<String>,
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
        Command::Lsp => crate::lsp::run().map(|clean| if clean { ExitCode::SUCCESS } else { ExitCode::from(1) }),
        Command::Schema { command: SchemaCommand::Import(args) } => schema_import::run(&args),
        Command::Import(args) => map_import::import(&args),
        Command::Export(args) => map_import::export(&args),
        Command::Run(args) => run::run(&args),
        Command::Runs(args) => run::runs(&args),
    }
}

//! The `dimap` binary: argument parsing and dispatch, nothing else.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = dimap::cli::Cli::parse();
    match dimap::cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("dimap: {err:#}");
            ExitCode::from(2)
        }
    }
}

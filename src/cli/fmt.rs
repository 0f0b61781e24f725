//! `dimap fmt`: formats `.dimap` files in place (through a temporary file
//! and a rename), or with `--check` only lists those that would change.
//! Files with syntax errors are left alone and reported.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::FmtArgs;
use crate::disk::{dimap_files, write_atomically};

pub fn run(args: &FmtArgs) -> anyhow::Result<ExitCode> {
    let mut files: Vec<PathBuf> = Vec::new();
    for path in &args.paths {
        let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_dir() {
            files.extend(dimap_files(path));
        } else {
            files.push(path.clone());
        }
    }
    let (mut changed, mut refused) = (0, 0);
    for file in &files {
        let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let Ok(text) = String::from_utf8(bytes) else {
            eprintln!("{}: not UTF-8 text; left as it is", file.display());
            refused += 1;
            continue;
        };
        let Some(formatted) = crate::ide::format::format(&crate::syntax::parse(&text)) else {
            eprintln!("{}: has syntax errors (see `dimap check`); left as it is", file.display());
            refused += 1;
            continue;
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        if args.check {
            println!("{}", file.display());
        } else {
            write_atomically(file, &formatted)?;
        }
    }
    let verb = if args.check { "would be reformatted" } else { "reformatted" };
    eprintln!(
        "{changed} of {} file(s) {verb}{}",
        files.len(),
        if refused > 0 { format!(", {refused} left alone") } else { String::new() }
    );
    Ok(if refused > 0 || (args.check && changed > 0) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

//! `dimap schema import`: the glue around `crate::metadata`. It opens the
//! metadata (a file, or standard input for `-`), shows a progress bar on a
//! terminal while the bytes are read, writes the cache through a temporary
//! file and a rename, and prints what was skipped to standard error.

use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{MetadataFormat, SchemaImportArgs};
use crate::metadata::{self, ImportOptions};
use crate::schema::App;

pub fn run(args: &SchemaImportArgs) -> anyhow::Result<ExitCode> {
    let app = App::from_keyword(&args.app).with_context(|| {
        let known: Vec<&str> = App::ALL.iter().map(|a| a.keyword()).collect();
        format!("unknown app \"{}\"; expected one of {}", args.app, known.join(", "))
    })?;
    if args.environment.trim().is_empty() {
        bail!("--environment must name the environment");
    }
    let output = match &args.output {
        Some(path) => path.clone(),
        None => default_output(&args.environment)?,
    };
    let refreshed = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let options = ImportOptions {
        environment: args.environment.clone(),
        app,
        organizations: args.organizations.iter().map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect(),
        refreshed: metadata::rfc3339_utc(refreshed),
    };

    let from_stdin = args.input.as_os_str() == "-";
    let (source, length): (Box<dyn Read>, Option<u64>) = if from_stdin {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let file = std::fs::File::open(&args.input).with_context(|| format!("cannot read {}", args.input.display()))?;
        let length = file.metadata().ok().map(|m| m.len());
        (Box::new(file), length)
    };
    let label = if from_stdin { "standard input".to_string() } else { args.input.display().to_string() };
    let bar = progress_bar(length);
    let input: Box<dyn BufRead> = Box::new(BufReader::with_capacity(1 << 16, bar.wrap_read(source)));
    let result = match args.from {
        MetadataFormat::Csdl => metadata::csdl::import(input, &options),
        MetadataFormat::Entitydefinitions => metadata::entity_definitions::import(input, &options),
    };
    bar.finish_and_clear();
    let import = result.with_context(|| format!("cannot import {label}"))?;

    for skipped in &import.skipped {
        eprintln!("dimap: skipped {skipped}");
    }
    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    crate::disk::write_atomically(&output, &import.document.to_json())?;
    let entities = import.document.entities.len();
    let fields: usize = import.document.entities.iter().map(|e| e.fields.len()).sum();
    eprintln!(
        "dimap: wrote {} ({entities} entities, {fields} fields; {} skipped)",
        output.display(),
        import.skipped.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `ENVIRONMENT.json` in the schema folder of the current folder's
/// workspace: the folder `dimap.toml` names, else `.dimap/schemas`, so that
/// the checker finds the cache where it looks for caches.
fn default_output(environment: &str) -> anyhow::Result<PathBuf> {
    if environment.contains(['/', '\\']) || environment == "." || environment == ".." {
        bail!("the environment \"{environment}\" cannot be a file name; give --output");
    }
    let root = crate::disk::find_root(Path::new("."))?;
    let config: crate::disk::Config = match std::fs::read_to_string(root.join("dimap.toml")) {
        Ok(text) => {
            toml::from_str(&text).with_context(|| format!("cannot read {}", root.join("dimap.toml").display()))?
        }
        Err(_) => crate::disk::Config::default(),
    };
    let folder = config.schemas.unwrap_or_else(|| ".dimap/schemas".to_string());
    Ok(root.join(folder).join(format!("{environment}.json")))
}

/// A bar of bytes read when the size is known, a spinner otherwise; drawn
/// only when standard error is a terminal, so logs and pipes stay clean.
fn progress_bar(length: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(length, ProgressDrawTarget::stderr());
    let template = if length.is_some() {
        "{spinner} reading metadata [{bar:30}] {bytes}/{total_bytes} ({eta})"
    } else {
        "{spinner} reading metadata {bytes}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

//! `dimap run` and `dimap runs`: the glue of the execution preview. It finds
//! the map in the workspace, hashes and streams the source file (JSON array,
//! JSON objects one after another, JSON Lines or CSV) record by record
//! through `crate::preview`, upserts into `crate::store`, and prints the run
//! for people (a table, with a progress bar for large inputs on a terminal)
//! or for CI (`--format json`, `--junit FILE`). Records are never collected:
//! a million-record file runs in the memory of one record.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::Format;
use crate::analysis::model::Flow;
use crate::analysis::query::{Index, MapScope};
use crate::disk::{find_root, load_workspace};
use crate::preview::{flow_from_name, flow_name, Counts, Outcome, Plan, Position, Status};
use crate::samples::{read_records, SourceFormat};
use crate::store::{self, DestinationInfo, NewRun, RunRecord, SourceInfo, Store, Upserted};

/// A direction of data on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DirectionArg {
    LeftToRight,
    RightToLeft,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The map: `PROJECT/MAP`, or a map name that only one project uses.
    #[arg(required_unless_present = "rerun")]
    pub map: Option<String>,
    /// Records of the map's source entity: JSON, JSON Lines or CSV.
    #[arg(long, required_unless_present = "rerun")]
    pub source: Option<PathBuf>,
    /// The format of the source (default: from its extension; JSON otherwise).
    #[arg(long, value_enum)]
    pub source_format: Option<SourceFormat>,
    /// Which way data moves (default: the map's first flow).
    #[arg(long, value_enum)]
    pub direction: Option<DirectionArg>,
    /// Run the map, direction and source of an earlier run again.
    #[arg(long, conflicts_with_all = ["map", "source", "direction", "source_format"])]
    pub rerun: Option<i64>,
    /// The store (default: `.dimap/runs.sqlite` under the workspace root).
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also write a JUnit XML report: one failed test case per failed record.
    #[arg(long)]
    pub junit: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct RunsArgs {
    #[command(subcommand)]
    pub command: Option<RunsCommand>,
    /// The store (default: `.dimap/runs.sqlite` under the workspace root).
    #[arg(long, global = true)]
    pub store: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    pub format: Format,
}

#[derive(Debug, clap::Subcommand)]
pub enum RunsCommand {
    /// One run with every failed record.
    Show {
        /// The run's number, as `dimap runs` lists it.
        id: i64,
    },
}

/// How many failed records the text summary lists; the rest are in the store.
const TEXT_FAILURES: usize = 20;

pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let root = find_root(Path::new("."))?;
    let store_path = args.store.clone().unwrap_or_else(|| root.join(".dimap/runs.sqlite"));
    let mut store = Store::open(&store_path)?;
    // What to run: the command line's, or an earlier run's.
    let (map_name, source, format, direction, rerun_of) = match args.rerun {
        Some(id) => {
            let earlier =
                store.run(id)?.with_context(|| format!("there is no run {id} in {}", store_path.display()))?;
            let source = PathBuf::from(&earlier.source.path);
            let hash = sha256_of(&source)?;
            if hash != earlier.source.sha256 {
                bail!(
                    "{} has changed since run {id} (sha256 {} then, {} now), so it is not the same input; run it \
                     with --source to record a new run",
                    source.display(),
                    short(&earlier.source.sha256),
                    short(&hash)
                );
            }
            let format = SourceFormat::from_name(&earlier.source.format).unwrap_or(SourceFormat::Json);
            let flow = flow_from_name(&earlier.direction);
            (format!("{}/{}", earlier.project, earlier.map), source, format, flow, Some(id))
        }
        None => {
            let source = args.source.clone().expect("clap requires --source");
            let format = args.source_format.unwrap_or_else(|| SourceFormat::of_path(&source));
            let flow = args.direction.map(|d| match d {
                DirectionArg::LeftToRight => Flow::LeftToRight,
                DirectionArg::RightToLeft => Flow::RightToLeft,
            });
            (args.map.clone().expect("clap requires MAP"), source, format, flow, None)
        }
    };
    let source = std::fs::canonicalize(&source).with_context(|| format!("cannot read {}", source.display()))?;
    let loaded = load_workspace(&root)?;
    let index = Index::new(&loaded.workspace);
    let scope = find_map(&index, &map_name)?;
    let flow =
        direction.or_else(|| scope.map.direction.as_ref().map(|d| d.direction.flows()[0])).unwrap_or(Flow::LeftToRight);
    let plan = Plan::new(&scope, flow).map_err(|e| anyhow::anyhow!("map `{map_name}`: {e}"))?;
    let (environment, entity) = plan.destination();
    let new_run = NewRun {
        project: scope.project.decl.name.text.clone(),
        map: scope.map.name.text.clone(),
        direction: flow_name(flow).to_string(),
        started: store::now(),
        source: SourceInfo {
            path: source.to_string_lossy().into_owned(),
            format: format.name().to_string(),
            sha256: sha256_of(&source)?,
        },
        destination: DestinationInfo { environment: environment.to_string(), entity: entity.to_string() },
        rerun_of,
    };
    let mut writer = store.begin(&new_run)?;
    let mut counts = Counts::default();
    let mut store_error = None;
    let mut each = |position: Position, record: Result<Map<String, Value>, String>| -> bool {
        counts.read += 1;
        let outcome = match record {
            Ok(record) => plan.apply(&record),
            Err(reason) => Outcome::Failed(reason),
        };
        let written = match outcome {
            Outcome::FilteredOut => {
                counts.filtered_out += 1;
                Ok(())
            }
            Outcome::Ready(record) => writer.upsert(&record).map(|u| match u {
                Upserted::Inserted => counts.inserted += 1,
                Upserted::Updated => counts.updated += 1,
            }),
            Outcome::Failed(reason) => {
                counts.failed += 1;
                writer.fail(position, &reason)
            }
        };
        match written {
            Ok(()) => true,
            Err(err) => {
                store_error = Some(err);
                false
            }
        }
    };
    let aborted = read_records(&source, format, &plan, &mut each)?;
    if let Some(err) = store_error {
        return Err(err.into());
    }
    let mut notes = plan.notes.clone();
    if let Some((position, message)) = &aborted {
        // The unreadable rest of the file is one failure, at the place the
        // reading stopped, so that the history shows why the run ended.
        counts.failed += 1;
        writer.fail(*position, &format!("the source cannot be read from here on: {message}"))?;
        notes.push(format!("reading stopped at {position}: the records after it were not read"));
    }
    let status = counts.status(aborted.is_some());
    if status == Status::Completed {
        notes.extend(counts.note());
    }
    let id = writer.finish(&store::now(), &counts, status, &notes)?;
    let record = store.run(id)?.context("the run just recorded")?;
    report(&store, &record, args.format)?;
    if let Some(junit) = &args.junit {
        write_junit(&store, &record, junit)?;
    }
    Ok(exit_code(status))
}

pub fn runs(args: &RunsArgs) -> anyhow::Result<ExitCode> {
    let store_path = match &args.store {
        Some(path) => path.clone(),
        None => find_root(Path::new("."))?.join(".dimap/runs.sqlite"),
    };
    if !store_path.exists() {
        bail!("there is no run store at {} yet: `dimap run` makes it", store_path.display());
    }
    let store = Store::open(&store_path)?;
    match &args.command {
        None => {
            let runs = store.runs()?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match args.format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "version": 1, "runs": runs }))?;
                    writeln!(out)?;
                }
                Format::Text => print_history(&mut out, &runs)?,
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Some(RunsCommand::Show { id }) => {
            let record =
                store.run(*id)?.with_context(|| format!("there is no run {id} in {}", store_path.display()))?;
            report_with(&store, &record, args.format, usize::MAX)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn exit_code(status: Status) -> ExitCode {
    match status {
        Status::Completed => ExitCode::SUCCESS,
        Status::Warning | Status::Error => ExitCode::from(1),
    }
}

/// The map `name` names: `PROJECT/MAP`, or a map name only one project has.
fn find_map<'w>(index: &Index<'w>, name: &str) -> anyhow::Result<MapScope<'w>> {
    let (project, map) = match name.split_once('/') {
        Some((project, map)) => (Some(project), map),
        None => (None, name),
    };
    let mut found: Vec<MapScope<'w>> = index
        .maps()
        .filter(|m| m.map.name.text == map && project.is_none_or(|p| m.project.decl.name.text == p))
        .collect();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => {
            let known: Vec<String> =
                index.maps().map(|m| format!("{}/{}", m.project.decl.name.text, m.map.name.text)).collect();
            bail!(
                "no map `{name}` in the workspace (maps: {})",
                if known.is_empty() { "none".into() } else { known.join(", ") }
            )
        }
        _ => {
            let projects: Vec<String> = found.iter().map(|m| format!("{}/{map}", m.project.decl.name.text)).collect();
            bail!("`{name}` names maps of several projects; say which: {}", projects.join(", "))
        }
    }
}

fn sha256_of(path: &Path) -> anyhow::Result<String> {
    let mut file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer).with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

fn report(store: &Store, record: &RunRecord, format: Format) -> anyhow::Result<()> {
    report_with(store, record, format, TEXT_FAILURES)
}

/// Prints a run: a table and up to `limit` failures as text, or the run
/// and all of its failures as JSON (streamed from the store).
fn report_with(store: &Store, record: &RunRecord, format: Format, limit: usize) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        Format::Json => {
            write!(out, "{{\"version\":1,\"run\":")?;
            serde_json::to_writer(&mut out, record)?;
            write!(out, ",\"failures\":[")?;
            let mut first = true;
            store.each_failure(record.id, |failure| {
                if !first {
                    out.write_all(b",")?;
                }
                first = false;
                serde_json::to_writer(&mut out, &failure).map_err(std::io::Error::other)
            })??;
            writeln!(out, "]}}")?;
        }
        Format::Text => {
            let c = &record.counts;
            let status = record.status.map_or("unfinished", Status::name);
            writeln!(
                out,
                "run {}  {}/{}  {}  -> {} ({}){}",
                record.id,
                record.project,
                record.map,
                record.direction,
                record.destination.entity,
                record.destination.environment,
                record.rerun_of.map_or(String::new(), |r| format!("  rerun of {r}"))
            )?;
            writeln!(
                out,
                "  source        {} ({}, sha256 {})",
                record.source.path,
                record.source.format,
                short(&record.source.sha256)
            )?;
            writeln!(out, "  started       {}", record.started)?;
            for (label, n) in [
                ("read", c.read),
                ("filtered out", c.filtered_out),
                ("inserted", c.inserted),
                ("updated", c.updated),
                ("failed", c.failed),
            ] {
                writeln!(out, "  {label:<12} {n:>9}")?;
            }
            writeln!(out, "  status        {status}")?;
            for note in &record.notes {
                writeln!(out, "  note: {note}")?;
            }
            if c.failed > 0 {
                writeln!(out, "failed records:")?;
                let mut shown = 0usize;
                store.each_failure(record.id, |failure| {
                    if shown < limit {
                        writeln!(out, "  {}: {}", failure.position, failure.reason)?;
                    }
                    shown += 1;
                    Ok(())
                })??;
                if shown > limit {
                    writeln!(out, "  ... and {} more: dimap runs show {}", shown - limit, record.id)?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn print_history(out: &mut impl Write, runs: &[RunRecord]) -> std::io::Result<()> {
    if runs.is_empty() {
        return writeln!(out, "no runs yet");
    }
    writeln!(
        out,
        "{:>4}  {:<20}  {:<24}  {:<13}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  STATUS",
        "ID", "STARTED", "MAP", "DIRECTION", "READ", "FILTERED", "INSERTED", "UPDATED", "FAILED"
    )?;
    for r in runs {
        let c = &r.counts;
        writeln!(
            out,
            "{:>4}  {:<20}  {:<24}  {:<13}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {}",
            r.id,
            r.started,
            format!("{}/{}", r.project, r.map),
            r.direction,
            c.read,
            c.filtered_out,
            c.inserted,
            c.updated,
            c.failed,
            r.status.map_or("unfinished", Status::name)
        )?;
    }
    Ok(())
}

/// JUnit XML for CI: one test suite for the run, one failed test case per
/// failed record, named by its position.
fn write_junit(store: &Store, record: &RunRecord, path: &Path) -> anyhow::Result<()> {
    use quick_xml::escape::escape;
    let file = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let suite = format!("{}/{}", record.project, record.map);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites><testsuite name="{}" tests="{}" failures="{}" errors="0" timestamp="{}">"#,
        escape(suite.as_str()),
        record.counts.failed,
        record.counts.failed,
        escape(record.started.as_str())
    )?;
    store.each_failure(record.id, |failure| {
        let reason = escape(failure.reason.as_str());
        writeln!(
            out,
            r#"<testcase classname="{}" name="{}"><failure message="{reason}">{reason}</failure></testcase>"#,
            escape(suite.as_str()),
            escape(failure.position.to_string().as_str())
        )
    })??;
    writeln!(out, "</testsuite></testsuites>")?;
    out.flush().with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

//! Sample records from disk for the execution preview: a JSON array read one
//! element at a time, JSON objects one after another, JSON Lines, or CSV
//! with cells read as their source fields' types. Records are streamed to a
//! handler, never collected, so a million-record file runs in the memory of
//! one record. Shared by `dimap run` and the language server's "Preview with
//! samples" lens, which also lives here as [`dry_run`].

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::de::{DeserializeSeed, Error as _, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::analysis::model::Flow;
use crate::analysis::query::MapScope;
use crate::preview::{Counts, Outcome, Plan, Position, Status};
use crate::store::{self, DestinationInfo, NewRun, SourceInfo, Store, Upserted};

/// Inputs larger than this show a progress bar on a terminal.
const PROGRESS_BYTES: u64 = 4 << 20;

/// The format of a source file; by default taken from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceFormat {
    /// A JSON array of objects, or objects one after another.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// A header line of column names, then one record per line.
    Csv,
}

impl SourceFormat {
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::Json => "json",
            SourceFormat::Jsonl => "jsonl",
            SourceFormat::Csv => "csv",
        }
    }

    pub fn from_name(name: &str) -> Option<SourceFormat> {
        [SourceFormat::Json, SourceFormat::Jsonl, SourceFormat::Csv].into_iter().find(|f| f.name() == name)
    }

    pub fn of_path(path: &Path) -> SourceFormat {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => SourceFormat::Csv,
            Some("jsonl" | "ndjson") => SourceFormat::Jsonl,
            _ => SourceFormat::Json,
        }
    }
}

/// A record handler: `false` stops reading (the store failed).
pub type Each<'a> = dyn FnMut(Position, Result<Map<String, Value>, String>) -> bool + 'a;

/// Streams the records of `path` into `each`. Returns where and why reading
/// stopped when the file could not be read to its end.
pub fn read_records(
    path: &Path,
    format: SourceFormat,
    plan: &Plan<'_>,
    each: &mut Each<'_>,
) -> anyhow::Result<Option<(Position, String)>> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let progress = if len >= PROGRESS_BYTES && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(len);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let reader = BufReader::with_capacity(1 << 16, progress.wrap_read(file));
    let stopped = match format {
        SourceFormat::Json => read_json(reader, each),
        SourceFormat::Jsonl => read_json_lines(reader, each),
        SourceFormat::Csv => read_csv(reader, plan, each),
    };
    progress.finish_and_clear();
    stopped
}

fn object(value: Value) -> Result<Map<String, Value>, String> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(format!("the record is not a JSON object but {}", crate::preview::value::show(&other))),
    }
}

/// A JSON array read one element at a time, or JSON objects one after
/// another (which also reads a single object).
fn read_json(mut reader: impl BufRead, each: &mut Each<'_>) -> anyhow::Result<Option<(Position, String)>> {
    let first = loop {
        let buffer = reader.fill_buf()?;
        match buffer.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let b = buffer[i];
                reader.consume(i);
                break Some(b);
            }
            None if buffer.is_empty() => break None,
            None => {
                let n = buffer.len();
                reader.consume(n);
            }
        }
    };
    let mut count = 0u64;
    match first {
        None => Ok(None),
        Some(b'[') => {
            let mut de = serde_json::Deserializer::from_reader(reader);
            let mut stopped_by_store = false;
            let seed = Elements { each, count: &mut count, stopped_by_store: &mut stopped_by_store };
            let result = seed.deserialize(&mut de).and_then(|()| de.end());
            match result {
                Ok(()) => Ok(None),
                Err(_) if stopped_by_store => Ok(None),
                Err(err) => Ok(Some((Position { record: count + 1, line: Some(err.line() as u64) }, err.to_string()))),
            }
        }
        Some(_) => {
            let stream = serde_json::Deserializer::from_reader(reader).into_iter::<Value>();
            for value in stream {
                let position = Position { record: count + 1, line: None };
                match value {
                    Ok(value) => {
                        count += 1;
                        if !each(position, object(value)) {
                            return Ok(None);
                        }
                    }
                    Err(err) => {
                        let position = Position { line: Some(err.line() as u64), ..position };
                        return Ok(Some((position, err.to_string())));
                    }
                }
            }
            Ok(None)
        }
    }
}

/// Visits the elements of a JSON array without collecting them.
struct Elements<'a, 'b> {
    each: &'a mut Each<'b>,
    count: &'a mut u64,
    stopped_by_store: &'a mut bool,
}

impl<'de> DeserializeSeed<'de> for Elements<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Elements<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<Value>()? {
            *self.count += 1;
            if !(self.each)(Position { record: *self.count, line: None }, object(value)) {
                *self.stopped_by_store = true;
                return Err(A::Error::custom("the store failed"));
            }
        }
        Ok(())
    }
}

/// One JSON object per line; a line that is not JSON fails its record and
/// reading goes on. Blank lines are skipped.
fn read_json_lines(reader: impl BufRead, each: &mut Each<'_>) -> anyhow::Result<Option<(Position, String)>> {
    let mut count = 0u64;
    let mut line_text = String::new();
    let mut reader = reader;
    let mut line = 0u64;
    loop {
        line_text.clear();
        let n = match reader.read_line(&mut line_text) {
            Ok(n) => n,
            Err(err) => return Ok(Some((Position { record: count + 1, line: Some(line + 1) }, err.to_string()))),
        };
        if n == 0 {
            return Ok(None);
        }
        line += 1;
        if line_text.trim().is_empty() {
            continue;
        }
        count += 1;
        let record = serde_json::from_str::<Value>(&line_text)
            .map_err(|e| format!("the line is not JSON: {e}"))
            .and_then(object);
        if !each(Position { record: count, line: Some(line) }, record) {
            return Ok(None);
        }
    }
}

/// CSV with a header line; each cell is read as its source field's type.
fn read_csv(reader: impl Read, plan: &Plan<'_>, each: &mut Each<'_>) -> anyhow::Result<Option<(Position, String)>> {
    let mut csv = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(reader);
    let headers = match csv.headers() {
        Ok(headers) => headers.clone(),
        Err(err) => return Ok(Some((Position { record: 1, line: Some(1) }, err.to_string()))),
    };
    let fields: Vec<_> = headers.iter().map(|h| plan.source_field(h.trim())).collect();
    let names: Vec<String> = headers.iter().map(|h| h.trim().to_string()).collect();
    let mut row = csv::StringRecord::new();
    let mut count = 0u64;
    loop {
        let line = csv.position().line();
        match csv.read_record(&mut row) {
            Ok(false) => return Ok(None),
            Ok(true) => {
                count += 1;
                let line = row.position().map_or(line, |p| p.line());
                let record = names
                    .iter()
                    .zip(&fields)
                    .zip(row.iter())
                    .map(|((name, field), cell)| {
                        crate::preview::value::from_csv(cell, *field).map(|v| (name.clone(), v))
                    })
                    .collect::<Result<Map<String, Value>, String>>();
                if !each(Position { record: count, line: Some(line) }, record) {
                    return Ok(None);
                }
            }
            Err(err) => {
                count += 1;
                let line = err.position().map_or(line, |p| p.line());
                let position = Position { record: count, line: Some(line) };
                match err.kind() {
                    csv::ErrorKind::Io(_) => return Ok(Some((position, err.to_string()))),
                    _ => {
                        if !each(position, Err(format!("the row cannot be read: {err}"))) {
                            return Ok(None);
                        }
                    }
                }
            }
        }
    }
}

/// The sample file of a map, when the workspace has one:
/// `samples/MAP.json`, `.jsonl` or `.csv` under the workspace root.
pub fn sample_file(root: &Path, map: &str) -> Option<(PathBuf, SourceFormat)> {
    [("json", SourceFormat::Json), ("jsonl", SourceFormat::Jsonl), ("csv", SourceFormat::Csv)]
        .into_iter()
        .map(|(ext, format)| (root.join("samples").join(format!("{map}.{ext}")), format))
        .find(|(path, _)| path.is_file())
}

/// Runs a map on a sample file against a throw-away in-memory store, so an
/// editor can show what a run would do without touching the run history.
pub fn dry_run(
    scope: &MapScope<'_>,
    flow: Flow,
    path: &Path,
    format: SourceFormat,
) -> anyhow::Result<(Counts, Status)> {
    let plan = Plan::new(scope, flow).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (environment, entity) = plan.destination();
    let mut store = Store::open(Path::new(":memory:"))?;
    let run = NewRun {
        project: scope.project.decl.name.text.clone(),
        map: scope.map.name.text.clone(),
        direction: crate::preview::flow_name(flow).to_string(),
        started: store::now(),
        source: SourceInfo {
            path: path.to_string_lossy().into_owned(),
            format: format.name().to_string(),
            sha256: String::new(),
        },
        destination: DestinationInfo { environment: environment.to_string(), entity: entity.to_string() },
        rerun_of: None,
    };
    let mut writer = store.begin(&run)?;
    let mut counts = Counts::default();
    let mut each = |_: Position, record: Result<Map<String, Value>, String>| -> bool {
        counts.read += 1;
        match record.map(|r| plan.apply(&r)).unwrap_or_else(Outcome::Failed) {
            Outcome::FilteredOut => counts.filtered_out += 1,
            Outcome::Ready(record) => match writer.upsert(&record) {
                Ok(Upserted::Inserted) => counts.inserted += 1,
                Ok(Upserted::Updated) => counts.updated += 1,
                Err(_) => counts.failed += 1,
            },
            Outcome::Failed(_) => counts.failed += 1,
        }
        true
    };
    let aborted = read_records(path, format, &plan, &mut each)?;
    if aborted.is_some() {
        counts.failed += 1;
    }
    Ok((counts, counts.status(aborted.is_some())))
}

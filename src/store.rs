//! The local store of `dimap run`: one SQLite file (`.dimap/runs.sqlite` by
//! default) holding the destination records that runs upserted, keyed by
//! destination environment, entity and integration key, so that two maps
//! writing one table share its records as they would in the product; and the
//! execution history: each run with its counts and status, and each failed
//! record with its position and reason.
//!
//! A run is one transaction: its upserts, its failures and its history row
//! become visible together, and a run that stops half-way (an IO error, a
//! killed process) leaves the store as it was. Records are merged on update:
//! the columns a run writes replace the stored ones and the others are kept,
//! as an upsert that writes only mapped fields does.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::preview::{Counts, DestinationRecord, Position, Status};

/// The version of the store's tables, kept in SQLite's `user_version`.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project TEXT NOT NULL,
    map TEXT NOT NULL,
    direction TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    source_path TEXT NOT NULL,
    source_format TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    environment TEXT NOT NULL,
    entity TEXT NOT NULL,
    read INTEGER NOT NULL DEFAULT 0,
    filtered_out INTEGER NOT NULL DEFAULT 0,
    inserted INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    status TEXT,
    notes TEXT NOT NULL DEFAULT '[]',
    rerun_of INTEGER
);
CREATE TABLE failures (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    record INTEGER NOT NULL,
    line INTEGER,
    reason TEXT NOT NULL
);
CREATE INDEX failures_by_run ON failures(run_id, record);
CREATE TABLE records (
    environment TEXT NOT NULL,
    entity TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    PRIMARY KEY (environment, entity, key)
);
";

/// A problem with the store itself, worded for the person who owns the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the run store {path} is damaged or is not a dimap run store ({reason}); move it aside to start a new \
         history, or choose another file with --store"
    )]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "the run store {path} was written by a newer dimap (store version {found}, this one reads {SCHEMA_VERSION})"
    )]
    Newer { path: PathBuf, found: i64 },
    #[error("cannot open the run store {path}: {source}")]
    Open { path: PathBuf, source: Box<dyn std::error::Error + Send + Sync> },
    #[error("the run store {path} failed: {source}")]
    Sqlite { path: PathBuf, source: rusqlite::Error },
}

/// One run of the history.
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    pub id: i64,
    pub project: String,
    pub map: String,
    pub direction: String,
    pub started: String,
    pub finished: Option<String>,
    pub source: SourceInfo,
    pub destination: DestinationInfo,
    pub counts: Counts,
    pub status: Option<Status>,
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rerun_of: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    pub path: String,
    pub format: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DestinationInfo {
    pub environment: String,
    pub entity: String,
}

/// What a run starts with.
#[derive(Debug, Clone)]
pub struct NewRun {
    pub project: String,
    pub map: String,
    pub direction: String,
    pub started: String,
    pub source: SourceInfo,
    pub destination: DestinationInfo,
    pub rerun_of: Option<i64>,
}

/// A failed record of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    #[serde(flatten)]
    pub position: Position,
    pub reason: String,
}

/// Whether an upsert inserted or updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Inserted,
    Updated,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the store at `path`, making it (and its folder) when missing.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::Open { path: path.to_path_buf(), source: Box::new(e) })?;
        }
        let conn =
            Connection::open(path).map_err(|e| StoreError::Open { path: path.to_path_buf(), source: Box::new(e) })?;
        let store = Store { conn, path: path.to_path_buf() };
        store.prepare()?;
        Ok(store)
    }

    /// Checks the file is a store this version reads, and makes the tables
    /// of a new one. SQLite opens any file lazily, so this first read is
    /// where a damaged file shows.
    fn prepare(&self) -> Result<(), StoreError> {
        let corrupt = |e: rusqlite::Error| StoreError::Corrupt { path: self.path.clone(), reason: e.to_string() };
        let version: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(corrupt)?;
        // A busy store (another run writing) is waited for rather than failed.
        self.conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(|e| self.sqlite(e))?;
        // Durability of a preview matters less than its speed on large
        // inputs: a crash loses at most the run in progress, never the file.
        self.conn.pragma_update(None, "synchronous", "NORMAL").map_err(corrupt)?;
        match version {
            0 => {
                let tables: i64 = self
                    .conn
                    .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0))
                    .map_err(corrupt)?;
                if tables > 0 {
                    return Err(StoreError::Corrupt {
                        path: self.path.clone(),
                        reason: "it holds tables but no store version".into(),
                    });
                }
                self.conn
                    .execute_batch(&format!("BEGIN; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"))
                    .map_err(|e| self.sqlite(e))
            }
            SCHEMA_VERSION => {
                // A store whose tables were lost reads as damaged here, not
                // half-way through a run.
                self.conn
                    .query_row("SELECT count(*) FROM runs, failures, records WHERE 0", [], |r| r.get::<_, i64>(0))
                    .map_err(corrupt)?;
                Ok(())
            }
            found => Err(StoreError::Newer { path: self.path.clone(), found }),
        }
    }

    fn sqlite(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), source }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts a run: everything it writes is one transaction.
    pub fn begin(&mut self, run: &NewRun) -> Result<RunWriter<'_>, StoreError> {
        let path = self.path.clone();
        let sqlite = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(sqlite)?;
        tx.execute(
            "INSERT INTO runs (project, map, direction, started, source_path, source_format, source_sha256,
                               environment, entity, rerun_of)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                run.project,
                run.map,
                run.direction,
                run.started,
                run.source.path,
                run.source.format,
                run.source.sha256,
                run.destination.environment,
                run.destination.entity,
                run.rerun_of
            ],
        )
        .map_err(sqlite)?;
        let id = tx.last_insert_rowid();
        Ok(RunWriter {
            tx,
            id,
            path: self.path.clone(),
            environment: run.destination.environment.clone(),
            entity: run.destination.entity.clone(),
        })
    }

    /// Every run, newest first.
    pub fn runs(&self) -> Result<Vec<RunRecord>, StoreError> {
        let mut statement = self
            .conn
            .prepare(&format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC"))
            .map_err(|e| self.sqlite(e))?;
        let rows = statement.query_map([], run_from_row).map_err(|e| self.sqlite(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sqlite(e))
    }

    pub fn run(&self, id: i64) -> Result<Option<RunRecord>, StoreError> {
        self.conn
            .query_row(&format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"), [id], run_from_row)
            .optional()
            .map_err(|e| self.sqlite(e))
    }

    /// Calls `each` with the failed records of run `id` in source order,
    /// one row at a time, so that a run with a million failures streams.
    pub fn each_failure(
        &self,
        id: i64,
        mut each: impl FnMut(Failure) -> std::io::Result<()>,
    ) -> Result<std::io::Result<()>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT record, line, reason FROM failures WHERE run_id = ?1 ORDER BY record")
            .map_err(|e| self.sqlite(e))?;
        let mut rows = statement.query([id]).map_err(|e| self.sqlite(e))?;
        while let Some(row) = rows.next().map_err(|e| self.sqlite(e))? {
            let failure = Failure {
                position: Position {
                    record: row.get::<_, i64>(0).map_err(|e| self.sqlite(e))? as u64,
                    line: row.get::<_, Option<i64>>(1).map_err(|e| self.sqlite(e))?.map(|l| l as u64),
                },
                reason: row.get(2).map_err(|e| self.sqlite(e))?,
            };
            if let Err(err) = each(failure) {
                return Ok(Err(err));
            }
        }
        Ok(Ok(()))
    }

    /// The stored destination record, if any.
    pub fn record(&self, environment: &str, entity: &str, key: &str) -> Result<Option<Value>, StoreError> {
        let data: Option<String> = self
            .conn
            .query_row(
                "SELECT data FROM records WHERE environment = ?1 AND entity = ?2 AND key = ?3",
                [environment, entity, key],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sqlite(e))?;
        Ok(data.and_then(|d| serde_json::from_str(&d).ok()))
    }
}

const RUN_COLUMNS: &str = "id, project, map, direction, started, finished, source_path, source_format, source_sha256,
    environment, entity, read, filtered_out, inserted, updated, failed, status, notes, rerun_of";

fn run_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
    let count = |i: usize| row.get::<_, i64>(i).map(|n| n as u64);
    let status: Option<String> = row.get(16)?;
    let notes: String = row.get(17)?;
    Ok(RunRecord {
        id: row.get(0)?,
        project: row.get(1)?,
        map: row.get(2)?,
        direction: row.get(3)?,
        started: row.get(4)?,
        finished: row.get(5)?,
        source: SourceInfo { path: row.get(6)?, format: row.get(7)?, sha256: row.get(8)? },
        destination: DestinationInfo { environment: row.get(9)?, entity: row.get(10)? },
        counts: Counts {
            read: count(11)?,
            filtered_out: count(12)?,
            inserted: count(13)?,
            updated: count(14)?,
            failed: count(15)?,
        },
        status: status.as_deref().and_then(Status::from_name),
        notes: serde_json::from_str(&notes).unwrap_or_default(),
        rerun_of: row.get(18)?,
    })
}

/// A run in progress: its upserts and failures, committed by [`finish`].
///
/// [`finish`]: RunWriter::finish
pub struct RunWriter<'s> {
    tx: Transaction<'s>,
    id: i64,
    path: PathBuf,
    environment: String,
    entity: String,
}

impl RunWriter<'_> {
    pub fn id(&self) -> i64 {
        self.id
    }

    fn sqlite(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), source }
    }

    /// Inserts the record, or merges it into the stored one with its key.
    pub fn upsert(&mut self, record: &DestinationRecord) -> Result<Upserted, StoreError> {
        let existing: Option<String> = self
            .tx
            .prepare_cached("SELECT data FROM records WHERE environment = ?1 AND entity = ?2 AND key = ?3")
            .and_then(|mut s| s.query_row(params![self.environment, self.entity, record.key], |r| r.get(0)).optional())
            .map_err(|e| self.sqlite(e))?;
        match existing {
            Some(data) => {
                let mut merged: Map<String, Value> = serde_json::from_str(&data).unwrap_or_default();
                merged.extend(record.values.iter().map(|(k, v)| (k.clone(), v.clone())));
                let data = Value::Object(merged).to_string();
                self.tx
                    .prepare_cached(
                        "UPDATE records SET data = ?4, run_id = ?5 WHERE environment = ?1 AND entity = ?2 AND key = ?3",
                    )
                    .and_then(|mut s| s.execute(params![self.environment, self.entity, record.key, data, self.id]))
                    .map_err(|e| self.sqlite(e))?;
                Ok(Upserted::Updated)
            }
            None => {
                let data = Value::Object(record.values.clone()).to_string();
                self.tx
                    .prepare_cached(
                        "INSERT INTO records (environment, entity, key, data, run_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )
                    .and_then(|mut s| s.execute(params![self.environment, self.entity, record.key, data, self.id]))
                    .map_err(|e| self.sqlite(e))?;
                Ok(Upserted::Inserted)
            }
        }
    }

    pub fn fail(&mut self, position: Position, reason: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("INSERT INTO failures (run_id, record, line, reason) VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut s| {
                s.execute(params![self.id, position.record as i64, position.line.map(|l| l as i64), reason])
            })
            .map_err(|e| self.sqlite(e))?;
        Ok(())
    }

    /// Records the outcome and commits the run.
    pub fn finish(self, finished: &str, counts: &Counts, status: Status, notes: &[String]) -> Result<i64, StoreError> {
        self.tx
            .execute(
                "UPDATE runs SET finished = ?2, read = ?3, filtered_out = ?4, inserted = ?5, updated = ?6,
                 failed = ?7, status = ?8, notes = ?9 WHERE id = ?1",
                params![
                    self.id,
                    finished,
                    counts.read as i64,
                    counts.filtered_out as i64,
                    counts.inserted as i64,
                    counts.updated as i64,
                    counts.failed as i64,
                    status.name(),
                    serde_json::to_string(notes).unwrap_or_else(|_| "[]".into())
                ],
            )
            .map_err(|e| StoreError::Sqlite { path: self.path.clone(), source: e })?;
        let id = self.id;
        let path = self.path.clone();
        self.tx.commit().map_err(|e| StoreError::Sqlite { path, source: e })?;
        Ok(id)
    }
}

/// The current time as an ISO 8601 UTC timestamp, to the second.
pub fn now() -> String {
    crate::clock::now_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn new_run() -> NewRun {
        NewRun {
            project: "P".into(),
            map: "m".into(),
            direction: "left-to-right".into(),
            started: now(),
            source: SourceInfo { path: "/x.json".into(), format: "json".into(), sha256: "00".into() },
            destination: DestinationInfo { environment: "env".into(), entity: "account".into() },
            rerun_of: None,
        }
    }

    fn record(key: &str, values: Value) -> DestinationRecord {
        DestinationRecord { key: key.into(), values: values.as_object().unwrap().clone() }
    }

    #[test]
    fn upserts_insert_then_merge_by_key_and_runs_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/runs.sqlite");
        let mut store = Store::open(&path).unwrap();
        let mut run = store.begin(&new_run()).unwrap();
        assert_eq!(run.upsert(&record("[1]", json!({ "a": 1, "b": 2 }))).unwrap(), Upserted::Inserted);
        assert_eq!(run.upsert(&record("[1]", json!({ "b": 3 }))).unwrap(), Upserted::Updated);
        run.fail(Position { record: 3, line: Some(4) }, "bad").unwrap();
        let counts = Counts { read: 3, inserted: 1, updated: 1, failed: 1, ..Counts::default() };
        let id = run.finish(&now(), &counts, Status::Warning, &["n".into()]).unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.record("env", "account", "[1]").unwrap(), Some(json!({ "a": 1, "b": 3 })));
        let runs = store.runs().unwrap();
        assert_eq!((runs[0].id, runs[0].status, runs[0].counts), (id, Some(Status::Warning), counts));
        assert_eq!(runs[0].notes, ["n"]);
        let mut failures = Vec::new();
        store
            .each_failure(id, |f| {
                failures.push((f.position, f.reason));
                Ok(())
            })
            .unwrap()
            .unwrap();
        assert_eq!(failures, [(Position { record: 3, line: Some(4) }, "bad".to_string())]);
    }

    #[test]
    fn an_unfinished_run_leaves_no_trace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.sqlite");
        let mut store = Store::open(&path).unwrap();
        let mut run = store.begin(&new_run()).unwrap();
        run.upsert(&record("[1]", json!({ "a": 1 }))).unwrap();
        drop(run);
        assert!(store.runs().unwrap().is_empty());
        assert_eq!(store.record("env", "account", "[1]").unwrap(), None);
    }

    #[test]
    fn a_file_that_is_not_a_store_is_reported_as_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.sqlite");
        std::fs::write(&path, b"this is not a database, just some text long enough to look like a header").unwrap();
        let err = Store::open(&path).err().expect("refused");
        assert!(err.to_string().contains("is damaged or is not a dimap run store (file is not a database)"), "{err}");
    }

    #[test]
    fn timestamps_are_iso_8601() {
        let now = now();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.starts_with("20") && now.ends_with('Z'), "{now}");
    }
}

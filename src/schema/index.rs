//! The index of a cache file: a SQLite database beside it (in the schema
//! folder's `.index/`, which ignores itself in git) holding the cache's
//! header, one row per entity with its name, kind, entity set and field
//! count, and each entity's JSON as the cache file has it.
//!
//! A cache of thousands of entities takes seconds to parse and hundreds of
//! megabytes to hold, while a workspace's maps name a few hundred entities.
//! With the index, loading a cache reads the entity list only, and an
//! entity's fields are read when first asked for. The index is built the
//! first time a cache is loaded (after the whole file was parsed and found
//! valid), and again whenever the cache file's size or modification time
//! differs from what the index recorded. Where it cannot be written (a
//! read-only checkout), every entity is kept in memory as before.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde_json::value::RawValue;

use super::{CachedEntity, EntityHead, RawSchema};

/// The folder, inside the schema folder, that holds the indexes.
pub const INDEX_FOLDER: &str = ".index";

/// Bumped whenever what an index holds changes meaning; an index of another
/// format is rebuilt.
const INDEX_FORMAT: &str = "1";

/// An open index, read one entity at a time.
#[derive(Debug)]
pub struct Store {
    connection: Connection,
}

impl Store {
    /// The JSON of the entity at a position of the cache's entity list.
    pub fn entity_json(&self, position: usize) -> Result<String> {
        // The statement is compiled once per connection: a cold start reads
        // hundreds of entities.
        self.connection
            .prepare_cached("SELECT json FROM entities WHERE id = ?1")?
            .query_row([position as i64], |row| row.get(0))
            .context("the entity is missing from the index")
    }
}

/// Decodes an entity read from an index.
pub fn decode(json: &str) -> Result<CachedEntity> {
    serde_json::from_str(json).context("the indexed entity is not a valid cached entity")
}

/// A cache read through its index: the header, the entity list and the
/// store to read entities from.
pub struct Indexed {
    pub header: RawSchema<CachedEntity>,
    pub heads: Vec<EntityHead>,
    pub store: Store,
}

/// Where the index of a cache file lives.
pub fn index_path(cache: &Path) -> Option<PathBuf> {
    let folder = cache.parent()?.join(INDEX_FOLDER);
    let name = cache.file_name()?.to_string_lossy().into_owned();
    Some(folder.join(format!("{name}.sqlite")))
}

/// The size and modification time of a cache file, as an index records
/// them to tell whether it is still the index of that file.
fn stamp(cache: &Path) -> Result<(u64, u128)> {
    let meta = std::fs::metadata(cache)?;
    let modified = meta.modified()?.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    Ok((meta.len(), modified))
}

/// Opens the index of `cache` when there is one for the file as it is now;
/// `None` when it is missing, stale, of another format, or unreadable (it
/// is then rebuilt).
pub fn open(cache: &Path) -> Option<Indexed> {
    let path = index_path(cache)?;
    if !path.is_file() {
        return None;
    }
    let read = || -> Result<Indexed> {
        let connection = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let meta = |key: &str| -> Result<Option<String>> {
            Ok(connection.query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| row.get(0)).optional()?)
        };
        let (len, modified) = stamp(cache)?;
        if meta("format")?.as_deref() != Some(INDEX_FORMAT)
            || meta("source_len")?.as_deref() != Some(&len.to_string())
            || meta("source_modified")?.as_deref() != Some(&modified.to_string())
        {
            bail!("stale");
        }
        let header: RawSchema<CachedEntity> =
            serde_json::from_str(&meta("header")?.context("no header")?).context("the indexed header")?;
        let heads = {
            let mut query =
                connection.prepare("SELECT id, name, kind, entity_set, field_count FROM entities ORDER BY id")?;
            let rows = query.query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    EntityHead {
                        name: row.get(1)?,
                        kind: row.get(2)?,
                        entity_set: row.get(3)?,
                        field_count: row.get::<_, i64>(4)? as usize,
                        entity: Default::default(),
                    },
                ))
            })?;
            let mut heads = Vec::new();
            for (expected, row) in rows.enumerate() {
                let (id, head) = row?;
                if id != expected as i64 {
                    bail!("entity rows are not numbered in order");
                }
                heads.push(head);
            }
            heads
        };
        Ok(Indexed { header, heads, store: Store { connection } })
    };
    read().ok()
}

/// Writes the index of `cache` from its parsed header and each entity's
/// JSON, through a temporary file and a rename so that a reader never sees
/// half an index, and opens it.
pub fn build(cache: &Path, header: &RawSchema<&RawValue>, entities: &[(&EntityHead, &RawValue)]) -> Result<Store> {
    let path = index_path(cache).context("the cache has no folder")?;
    let folder = path.parent().context("the index has no folder")?;
    std::fs::create_dir_all(folder)?;
    // The folder is generated; it keeps itself out of version control.
    let ignore = folder.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "# Indexes dimap builds from the caches beside this folder.\n*\n")?;
    }
    let (len, modified) = stamp(cache)?;
    let temporary =
        folder.join(format!(".{}.{}.tmp", path.file_name().unwrap_or_default().to_string_lossy(), std::process::id()));
    let _ = std::fs::remove_file(&temporary);
    let written = (|| -> Result<()> {
        let mut connection = Connection::open(&temporary)?;
        connection.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
             CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE entities (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT, entity_set TEXT,
                                    field_count INTEGER NOT NULL, json TEXT NOT NULL);",
        )?;
        let transaction = connection.transaction()?;
        {
            let mut meta = transaction.prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)")?;
            meta.execute(params!["format", INDEX_FORMAT])?;
            meta.execute(params!["source_len", len.to_string()])?;
            meta.execute(params!["source_modified", modified.to_string()])?;
            meta.execute(params!["dimap", env!("CARGO_PKG_VERSION")])?;
            meta.execute(params!["header", serde_json::to_string(&header_json(header))?])?;
            let mut insert = transaction.prepare(
                "INSERT INTO entities (id, name, kind, entity_set, field_count, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (id, (head, json)) in entities.iter().enumerate() {
                insert.execute(params![
                    id as i64,
                    head.name,
                    head.kind,
                    head.entity_set,
                    head.field_count as i64,
                    json.get()
                ])?;
            }
        }
        transaction.commit()?;
        Ok(())
    })();
    if let Err(err) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(err);
    }
    std::fs::rename(&temporary, &path)?;
    let connection = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(Store { connection })
}

/// The header of a cache as JSON, for the index's `meta` table.
fn header_json(header: &RawSchema<&RawValue>) -> serde_json::Value {
    serde_json::json!({
        "format": header.format,
        "environment": header.environment,
        "app": header.app,
        "refreshed": header.refreshed,
        "connection": { "status": header.connection.status, "message": header.connection.message },
        "organizations": header.organizations,
    })
}

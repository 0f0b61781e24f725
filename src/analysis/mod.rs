//! The analysis: the workspace model, name resolution and every rule. It is
//! pure (no IO, no protocol types): files and caches come in as data and
//! findings go out as [`Diagnostic`]s in byte ranges.

mod check;
pub mod diagnostic;
pub mod filters;
pub mod model;
mod names;
pub mod query;
mod resolve;
mod rules;
pub mod suggest;
#[cfg(test)]
pub(crate) mod tests;

use std::sync::Arc;

use rayon::prelude::*;

use crate::schema::{CachedSchema, SchemaSet};
use crate::syntax::{self, Changed, Parse};
use crate::text::LineIndex;

pub use check::{check, check_files, check_incremental, CheckMemo};
pub use diagnostic::{Code, Diagnostic, Edit, FileId, Fix, Location, Related, Severity};
pub use model::FileModel;
pub use rules::types::compatible;
pub use rules::values::{is_date, is_guid, is_identifier, member_literal};

/// A file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceInput {
    /// The path relative to the workspace root, with `/` separators.
    pub path: String,
    pub text: String,
    /// The byte offset of the first byte that was not UTF-8, when the file
    /// was not text: the file is then reported and not analysed.
    pub invalid_utf8_at: Option<usize>,
}

/// One file of the workspace, parsed and lowered.
#[derive(Debug, Clone)]
pub struct WorkspaceFile {
    pub path: String,
    pub parse: Parse,
    pub model: FileModel,
    pub invalid_utf8_at: Option<usize>,
}

impl WorkspaceFile {
    pub fn new(input: SourceInput) -> WorkspaceFile {
        let text = if input.invalid_utf8_at.is_some() { String::new() } else { input.text };
        let parse = syntax::parse(&text);
        let model = model::lower(&parse);
        WorkspaceFile { path: input.path, parse, model, invalid_utf8_at: input.invalid_utf8_at }
    }

    /// The one-based line number of a byte offset, for messages.
    pub fn line_number(&self, offset: usize) -> usize {
        self.line_index().line_of(offset) + 1
    }

    /// The line index of the file's text.
    pub fn line_index(&self) -> &LineIndex {
        self.parse.line_index()
    }

    /// A file from a parse the caller already has (an editor's document).
    pub fn from_parse(path: String, parse: Parse) -> WorkspaceFile {
        let model = model::lower(&parse);
        WorkspaceFile { path, parse, model, invalid_utf8_at: None }
    }

    /// A file from a new parse of an edited document, reusing the maps of
    /// `old` (the same document's model before the edits `changed`
    /// describes) that the edits left alone. A map that only moved is moved
    /// in place when nothing else holds it, rather than copied.
    pub fn from_parse_reusing(path: String, parse: Parse, old: FileModel, changed: &Changed) -> WorkspaceFile {
        let model = model::lower_reusing(&parse, Some((old, changed)));
        WorkspaceFile { path, parse, model, invalid_utf8_at: None }
    }

    /// The model of a file about to be replaced: taken from it when nothing
    /// else holds the file (its maps can then be moved in place), else
    /// copied (which shares the maps).
    pub fn into_model(file: Arc<WorkspaceFile>) -> FileModel {
        match Arc::try_unwrap(file) {
            Ok(file) => file.model,
            Err(shared) => shared.model.clone(),
        }
    }

    pub fn text(&self) -> &str {
        self.parse.text()
    }
}

/// Everything the rules look at: the files, ordered by path as the language
/// orders duplicates, and the cached schemas.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    /// Shared, so that an editor's snapshot after an edit copies pointers,
    /// not files.
    pub files: Vec<Arc<WorkspaceFile>>,
    /// Shared across snapshots: caches are large and change rarely.
    pub schemas: Arc<SchemaSet>,
    /// The schema folder relative to the root, for messages.
    pub schema_folder: String,
}

impl Workspace {
    /// Parses every file (in parallel) and orders them by path.
    pub fn new(inputs: Vec<SourceInput>, schemas: SchemaSet, schema_folder: String) -> Workspace {
        let files: Vec<Arc<WorkspaceFile>> = inputs.into_par_iter().map(|i| Arc::new(WorkspaceFile::new(i))).collect();
        Workspace::from_parts(files, Arc::new(schemas), schema_folder)
    }

    /// A workspace of already parsed files, ordered here by path.
    pub fn from_parts(mut files: Vec<Arc<WorkspaceFile>>, schemas: Arc<SchemaSet>, schema_folder: String) -> Workspace {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Workspace { files, schemas, schema_folder }
    }

    pub fn file(&self, id: FileId) -> &WorkspaceFile {
        &self.files[id.0 as usize]
    }

    pub fn file_id(&self, path: &str) -> Option<FileId> {
        self.files.iter().position(|f| f.path == path).map(|i| FileId(i as u32))
    }

    pub fn schema(&self, environment: &str) -> Option<&CachedSchema> {
        self.schemas.get(environment)
    }
}

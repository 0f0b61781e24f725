//! Reading a workspace from disk, shared by the command line and the
//! language server: finding its root and `dimap.toml`, every `.dimap` file
//! under it (bytes that are not UTF-8 are recorded, not fatal), and its
//! cached schemas; and writing a file safely. The analysis itself does no IO.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context};
use rayon::prelude::*;
use serde::Deserialize;

use crate::analysis::{SourceInput, Workspace, WorkspaceFile};
use crate::schema::{self, CacheProblem};

/// The `dimap.toml` of a workspace.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The schema folder, relative to the root.
    pub schemas: Option<String>,
}

/// A workspace as read from disk.
pub struct LoadedWorkspace {
    pub root: PathBuf,
    pub workspace: Workspace,
    pub cache_problems: Vec<CacheProblem>,
    /// Files the caller asked to leave out (see [`load_workspace_with`]).
    pub skipped: Vec<String>,
}

/// The workspace root of `path`: the nearest folder upward holding
/// `dimap.toml`, else the folder itself (or a file's folder).
pub fn find_root(path: &Path) -> anyhow::Result<PathBuf> {
    let path = std::fs::canonicalize(path).with_context(|| format!("cannot read {}", path.display()))?;
    let start = if path.is_dir() { path.clone() } else { path.parent().map(Path::to_path_buf).unwrap_or_default() };
    for dir in start.ancestors() {
        if dir.join("dimap.toml").is_file() {
            return Ok(dir.to_path_buf());
        }
    }
    Ok(start)
}

/// Reads the workspace at `root`.
pub fn load_workspace(root: &Path) -> anyhow::Result<LoadedWorkspace> {
    load_workspace_with(root, None, &|_| false)
}

/// Reads the workspace at `root`, with a schema folder that overrides the
/// one `dimap.toml` names (the language server's `schemas` setting). A file
/// for which `skip` (asked with its workspace path just before the file is
/// read) says yes is left out: the server passes its open documents, which
/// it has parsed already and would only parse again.
pub fn load_workspace_with(
    root: &Path,
    schemas: Option<&str>,
    skip: &(dyn Fn(&str) -> bool + Sync),
) -> anyhow::Result<LoadedWorkspace> {
    let mut config = read_config(root)?;
    if let Some(schemas) = schemas {
        config.schemas = Some(schemas.to_string());
    }
    let schema_folder = config.schemas.clone().unwrap_or_else(|| ".dimap/schemas".to_string());
    let schema_path = root.join(&schema_folder);
    if config.schemas.is_some() && !schema_path.is_dir() {
        bail!("dimap.toml names the schema folder \"{schema_folder}\", which does not exist under {}", root.display());
    }
    // The caches are read while the files are read and parsed: both take
    // tens of milliseconds at real sizes, and the editor waits for both.
    let skipped = std::sync::Mutex::new(Vec::new());
    let ((schemas, cache_problems), files) = rayon::join(
        || schema::load_folder(&schema_path),
        || -> anyhow::Result<Vec<Arc<WorkspaceFile>>> {
            // Smallest first: an editor opens its documents a few
            // milliseconds after the load starts, so the large files,
            // which cost the most to parse twice, are asked about last.
            let mut files: Vec<(u64, PathBuf)> = dimap_files(root)
                .into_iter()
                .map(|path| (std::fs::metadata(&path).map_or(0, |m| m.len()), path))
                .collect();
            files.sort();
            let read: Vec<Option<Arc<WorkspaceFile>>> = files
                .par_iter()
                .map(|(_, path)| {
                    let rel = relative(root, path);
                    if skip(&rel) {
                        skipped.lock().unwrap_or_else(|e| e.into_inner()).push(rel);
                        return Ok(None);
                    }
                    Ok(Some(Arc::new(WorkspaceFile::new(read_source(root, path)?))))
                })
                .collect::<anyhow::Result<_>>()?;
            Ok(read.into_iter().flatten().collect())
        },
    );
    let workspace = Workspace::from_parts(files?, Arc::new(schemas), schema_folder);
    let skipped = skipped.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(LoadedWorkspace { root: root.to_path_buf(), workspace, cache_problems, skipped })
}

fn read_config(root: &Path) -> anyhow::Result<Config> {
    let path = root.join("dimap.toml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Config::default());
    };
    toml::from_str(&text).map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))
}

/// Every `.dimap` file under the root, skipping hidden folders and build
/// output; symbolic links are not followed, so a link loop cannot hang us.
pub fn dimap_files(root: &Path) -> Vec<PathBuf> {
    let skip = |entry: &walkdir::DirEntry| {
        let name = entry.file_name().to_string_lossy();
        entry.depth() > 0
            && entry.file_type().is_dir()
            && (name.starts_with('.') || name == "target" || name == "node_modules")
    };
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| !skip(e))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "dimap"))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

fn read_source(root: &Path, path: &Path) -> anyhow::Result<SourceInput> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let rel = relative(root, path);
    Ok(match String::from_utf8(bytes) {
        Ok(text) => SourceInput { path: rel, text, invalid_utf8_at: None },
        Err(err) => {
            SourceInput { path: rel, text: String::new(), invalid_utf8_at: Some(err.utf8_error().valid_up_to()) }
        }
    })
}

/// `path` relative to `root` with `/` separators; it may climb with `../`.
pub fn relative(root: &Path, path: &Path) -> String {
    let root: Vec<Component> = root.components().collect();
    let path_components: Vec<Component> = path.components().collect();
    let common = root.iter().zip(&path_components).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); root.len() - common];
    parts.extend(path_components[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

/// Writes a file through a temporary file in the same folder and a rename,
/// so that a crash or a full disk never leaves half a file.
pub fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{}.dimap-tmp", path.file_name().unwrap_or_default().to_string_lossy()));
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_when_needed() {
        assert_eq!(relative(Path::new("/a/b/case"), Path::new("/a/b/case/maps/x.dimap")), "maps/x.dimap");
        assert_eq!(relative(Path::new("/a/b/case"), Path::new("/a/schemas/s.json")), "../../schemas/s.json");
    }
}

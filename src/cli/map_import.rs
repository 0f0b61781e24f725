//! `dimap import` and `dimap export`: reading the inputs (files or `-` for
//! standard input), loading the workspace's caches and connection sets for
//! the conversions of `crate::mapjson`, printing or writing the result, and
//! reporting on standard error whatever one side could not hold.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;

use super::{ExportArgs, ImportArgs};
use crate::analysis::model::ConnectionSetDecl;
use crate::mapjson::{self, Context, ImportOptions, Loss};
use crate::schema::SchemaSet;

pub fn import(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let mut options = ImportOptions::default();
    if let Some(project) = &args.project {
        options.project = project.clone();
    }
    if let Some(set) = &args.connection_set {
        options.connection_set = set.clone();
    }
    match args.aliases.as_slice() {
        [] => {}
        [left, right] => {
            options.left_alias = left.trim().to_string();
            options.right_alias = right.trim().to_string();
        }
        other => anyhow::bail!("--aliases takes two names, LEFT,RIGHT; got {}", other.len()),
    }
    let stdin_inputs = args.inputs.iter().filter(|p| p.as_os_str() == "-").count();
    anyhow::ensure!(stdin_inputs <= 1, "standard input (`-`) can be read only once");
    let mut stdin_read = false;
    let mut documents = Vec::new();
    for input in &args.inputs {
        let (name, text) = read_input(input, &mut stdin_read)?;
        documents.extend(mapjson::parse_documents(&name, &text)?);
    }
    let (schemas, connection_sets) = workspace_of(&std::env::current_dir()?);
    let context = Context { schemas: &schemas, connection_sets: &connection_sets };
    let (text, losses) = mapjson::to_dimap(&documents, &options, context)?;
    match &args.output {
        Some(path) => crate::disk::write_atomically(path, &text)?,
        None => print!("{text}"),
    }
    report(&losses);
    Ok(ExitCode::SUCCESS)
}

pub fn export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let (name, text) = read_input(&args.input, &mut false)?;
    let parse = crate::syntax::parse(&text);
    let folder = if name == "-" {
        std::env::current_dir()?
    } else {
        args.input.parent().filter(|p| !p.as_os_str().is_empty()).map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let (schemas, mut connection_sets) = workspace_of(&folder);
    // The file's own connection sets count even when it lies outside the
    // workspace it is exported from.
    connection_sets.extend(crate::analysis::model::lower(&parse).connection_sets);
    let context = Context { schemas: &schemas, connection_sets: &connection_sets };
    let output = mapjson::from_dimap(&parse, &name, args.map.as_deref(), context)?;
    println!("{}", output.json);
    report(&output.losses);
    Ok(ExitCode::SUCCESS)
}

/// The name to show and the text of one input; `-` is standard input, read
/// once.
fn read_input(path: &Path, stdin_read: &mut bool) -> anyhow::Result<(String, String)> {
    if path.as_os_str() == "-" {
        anyhow::ensure!(!*stdin_read, "standard input (`-`) can be read only once");
        *stdin_read = true;
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("cannot read standard input")?;
        return Ok(("-".to_string(), text));
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", path.display()))?;
    Ok((path.display().to_string(), text))
}

/// The caches and connection sets of the workspace holding `folder`. A
/// workspace that cannot be read is reported and the conversion goes on
/// without it, keeping names as given.
fn workspace_of(folder: &Path) -> (Arc<SchemaSet>, Vec<ConnectionSetDecl>) {
    let loaded = crate::disk::find_root(folder).and_then(|root| crate::disk::load_workspace(&root));
    match loaded {
        Ok(loaded) => {
            let sets = loaded.workspace.files.iter().flat_map(|f| f.model.connection_sets.iter().cloned()).collect();
            (loaded.workspace.schemas.clone(), sets)
        }
        Err(err) => {
            eprintln!("dimap: warning: the workspace is not used ({err:#}); names are kept as given");
            (Arc::new(SchemaSet::default()), Vec::new())
        }
    }
}

fn report(losses: &[Loss]) {
    for loss in losses {
        eprintln!("dimap: not kept: {loss}");
    }
    if !losses.is_empty() {
        eprintln!("dimap: {} thing(s) could not be carried over; see above", losses.len());
    }
}

//! One thin handler per LSP method: take what is needed from the session,
//! call the core or `ide`, convert back in `convert`.

use std::sync::{Arc, Mutex, MutexGuard};

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::convert::{self, Positions};
use super::session::{Session, Snapshot};
use crate::analysis;
use crate::ide;

pub struct Backend {
    client: Client,
    session: Arc<Mutex<Session>>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend { client, session: Arc::new(Mutex::new(Session::new())) }
    }

    /// The session; a handler that panicked while holding the lock leaves
    /// consistent data behind (every change is applied whole), so a
    /// poisoned lock is taken over rather than killing the server.
    fn session(&self) -> MutexGuard<'_, Session> {
        lock(&self.session)
    }

    /// Re-checks the workspace after the debounce and publishes, unless a
    /// newer change has arrived by then.
    fn schedule(&self, changed: Option<String>) {
        let (snapshot, delay) = {
            let session = self.session();
            (session.snapshot(), session.settings.debounce)
        };
        let client = self.client.clone();
        let session = self.session.clone();
        tokio::spawn(async move {
            if let Some(path) = changed.filter(|_| !delay.is_zero() || !snapshot.loaded) {
                publish_syntax_now(&client, &session, &snapshot, &path).await;
            }
            if !snapshot.loaded {
                return;
            }
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if lock(&session).generation != snapshot.generation {
                return;
            }
            let generation = snapshot.generation;
            let Ok((snapshot, found)) = tokio::task::spawn_blocking(move || {
                let found = analysis::check(&snapshot.workspace);
                (snapshot, found)
            })
            .await
            else {
                client.log_message(MessageType::ERROR, "dimap: the analysis failed; see the server's stderr").await;
                return;
            };
            let mut by_path = convert::diagnostics(
                &snapshot.workspace,
                &snapshot.root,
                &found,
                snapshot.encoding,
                &snapshot.severity,
            );
            for problem in &snapshot.cache_problems {
                let at = Position {
                    line: problem.line.saturating_sub(1) as u32,
                    character: problem.column.saturating_sub(1) as u32,
                };
                by_path.entry(problem.path.to_string_lossy().into_owned()).or_default().push(Diagnostic {
                    range: Range { start: at, end: at },
                    severity: Some(DiagnosticSeverity::ERROR),
                    code: Some(NumberOrString::String("DIMAP0010".into())),
                    source: Some("dimap".into()),
                    message: problem.message.clone(),
                    ..Default::default()
                });
            }
            let to_send = {
                let mut session = lock(&session);
                if session.generation != generation {
                    return;
                }
                let mut to_send = Vec::new();
                let paths: Vec<String> = session.published.keys().chain(by_path.keys()).cloned().collect();
                for path in paths {
                    let list = by_path.remove(&path).unwrap_or_default();
                    if session.published.get(&path) == Some(&list) {
                        continue;
                    }
                    let Some(uri) = convert::uri_for(&snapshot.root, &path) else { continue };
                    to_send.push((uri, list.clone(), snapshot.versions.get(&path).copied()));
                    if list.is_empty() {
                        session.published.remove(&path);
                    } else {
                        session.published.insert(path, list);
                    }
                }
                to_send
            };
            for (uri, list, version) in to_send {
                client.publish_diagnostics(uri, list, version).await;
            }
        });
    }

    /// Loads the workspace from disk: every `.dimap` file not open in the
    /// editor, and the caches. Runs off the request path.
    async fn load_workspace(&self) {
        let root = self.session().root.clone();
        let schemas_override = self.session().settings.schemas.clone();
        let loaded =
            tokio::task::spawn_blocking(move || crate::disk::load_workspace_with(&root, schemas_override.as_deref()))
                .await;
        match loaded {
            Ok(Ok(loaded)) => {
                let count = loaded.workspace.files.len();
                let caches = loaded.workspace.schemas.len();
                {
                    let mut session = self.session();
                    for file in &loaded.workspace.files {
                        if !session.documents.contains_key(&file.path) {
                            session.files.insert(file.path.clone(), file.clone());
                        }
                    }
                    session.schemas = loaded.workspace.schemas.clone();
                    session.schema_folder = loaded.workspace.schema_folder.clone();
                    session.cache_problems = loaded.cache_problems;
                    session.loaded = true;
                    session.generation += 1;
                }
                eprintln!("dimap: indexed {count} file(s) and {caches} cached environment(s)");
                self.client
                    .log_message(
                        MessageType::INFO,
                        format!("dimap: indexed {count} file(s) and {caches} cached environment(s)"),
                    )
                    .await;
            }
            Ok(Err(err)) => {
                // Check what the editor has open, with no caches, rather
                // than nothing at all.
                self.session().loaded = true;
                eprintln!("dimap: {err:#}");
                self.client.log_message(MessageType::ERROR, format!("dimap: {err:#}")).await;
            }
            Err(err) => {
                self.session().loaded = true;
                eprintln!("dimap: loading the workspace failed: {err}");
            }
        }
        self.schedule(None);
    }

    /// A snapshot and the file id of `uri` in it.
    fn snapshot_for(&self, uri: &Uri) -> Option<(Snapshot, analysis::FileId)> {
        let session = self.session();
        let path = session.path_of(uri)?;
        let snapshot = session.snapshot();
        let id = snapshot.workspace.file_id(&path)?;
        Some((snapshot, id))
    }
}

fn lock(session: &Mutex<Session>) -> MutexGuard<'_, Session> {
    session.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Publishes a changed file's syntax errors at once, before the debounced
/// full analysis, so a typo shows while typing.
async fn publish_syntax_now(client: &Client, session: &Mutex<Session>, snapshot: &Snapshot, path: &str) {
    let Some(id) = snapshot.workspace.file_id(path) else { return };
    let file = snapshot.workspace.file(id);
    let positions = Positions { file, encoding: snapshot.encoding };
    let list: Vec<Diagnostic> = file
        .parse
        .errors()
        .iter()
        .map(|e| Diagnostic {
            range: positions.range(&e.range),
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some(NumberOrString::String("DIMAP0001".into())),
            source: Some("dimap".into()),
            message: e.message.clone(),
            ..Default::default()
        })
        .collect();
    let Some(uri) = convert::uri_for(&snapshot.root, path) else { return };
    {
        let mut session = lock(session);
        if session.generation != snapshot.generation {
            return;
        }
        session.published.insert(path.to_string(), list.clone());
    }
    client.publish_diagnostics(uri, list, snapshot.versions.get(path).copied()).await;
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding =
            convert::negotiate(params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_deref()));
        #[allow(deprecated)]
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .and_then(|folder| folder.uri.to_file_path().map(|p| p.into_owned()))
            .or_else(|| params.root_uri.as_ref().and_then(|uri| uri.to_file_path().map(|p| p.into_owned())))
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        {
            let mut session = self.session();
            session.encoding = encoding;
            session.root = crate::disk::find_root(&root).unwrap_or(root);
            if let Some(options) = &params.initialization_options {
                session.settings.update(options);
            }
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(convert::encoding_kind(encoding)),
                text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::INCREMENTAL)),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".into(), " ".into()]),
                    ..Default::default()
                }),
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                    ..Default::default()
                })),
                document_formatting_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                ..Default::default()
            },
            server_info: Some(ServerInfo { name: "dimap".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.load_workspace().await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.session().shut_down = true;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let path = {
            let mut session = self.session();
            let Some(path) = session.path_of(&doc.uri) else { return };
            session.open(path.clone(), doc.version, &doc.text);
            path
        };
        self.schedule(Some(path));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let changed = {
            let mut session = self.session();
            let Some(path) = session.path_of(&params.text_document.uri) else { return };
            session.change(&path, params.text_document.version, params.content_changes).then_some(path)
        };
        if let Some(path) = changed {
            self.schedule(Some(path));
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let closed = {
            let mut session = self.session();
            let Some(path) = session.path_of(&params.text_document.uri) else { return };
            session.published.remove(&path);
            session.close(&path).map(|version| (path, version))
        };
        if let Some((_, version)) = closed {
            self.client.publish_diagnostics(params.text_document.uri, Vec::new(), Some(version)).await;
            self.schedule(None);
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let reload = {
            let mut session = self.session();
            let before = session.settings.schemas.clone();
            session.settings.update(&params.settings);
            session.generation += 1;
            before != session.settings.schemas
        };
        if reload {
            self.load_workspace().await;
        } else {
            self.schedule(None);
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let caches_changed = params.changes.iter().any(|c| c.uri.path().as_str().ends_with(".json"));
        if caches_changed {
            self.load_workspace().await;
        }
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some((snapshot, id)) = self.snapshot_for(&params.text_document.uri) else { return Ok(None) };
        let actions = tokio::task::spawn_blocking(move || {
            let found = analysis::check(&snapshot.workspace);
            let file = snapshot.workspace.file(id);
            let positions = Positions { file, encoding: snapshot.encoding };
            let range = positions.offset(params.range.start)..positions.offset(params.range.end);
            convert::code_actions(&snapshot.workspace, &snapshot.root, &found, id, &range, snapshot.encoding)
        })
        .await
        .unwrap_or_default();
        Ok(Some(actions))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        let Some((snapshot, id)) = self.snapshot_for(&at.text_document.uri) else { return Ok(None) };
        let file = snapshot.workspace.file(id);
        let positions = Positions { file, encoding: snapshot.encoding };
        let info = ide::hover::hover(&snapshot.workspace, id, positions.offset(at.position));
        Ok(info.map(|info| convert::hover(info, &positions)))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let Some((snapshot, id)) = self.snapshot_for(&at.text_document.uri) else { return Ok(None) };
        let file = snapshot.workspace.file(id);
        let positions = Positions { file, encoding: snapshot.encoding };
        let items = ide::completion::complete(&snapshot.workspace, id, positions.offset(at.position));
        Ok(Some(convert::completion(items, &positions)))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let Some((snapshot, id)) = self.snapshot_for(&params.text_document.uri) else { return Ok(None) };
        let file = snapshot.workspace.file(id);
        let Some(formatted) = ide::format::format(&file.parse) else { return Ok(None) };
        if formatted == file.text() {
            return Ok(Some(Vec::new()));
        }
        let positions = Positions { file, encoding: snapshot.encoding };
        Ok(Some(vec![convert::whole_document_edit(&positions, formatted)]))
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let Some((snapshot, id)) = self.snapshot_for(&params.text_document.uri) else { return Ok(None) };
        let file = snapshot.workspace.file(id);
        let positions = Positions { file, encoding: snapshot.encoding };
        let symbols = ide::symbols::document_symbols(&file.model);
        Ok(Some(DocumentSymbolResponse::Nested(convert::document_symbols(symbols, &positions))))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let Some((snapshot, id)) = self.snapshot_for(&params.text_document.uri) else { return Ok(None) };
        let file = snapshot.workspace.file(id);
        let positions = Positions { file, encoding: snapshot.encoding };
        Ok(Some(convert::folding_ranges(file.parse.folding_ranges(), &positions)))
    }
}

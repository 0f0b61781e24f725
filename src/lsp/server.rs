//! One thin handler per LSP method: take what is needed from the session,
//! call the core or `ide`, convert back in `convert`.

use std::sync::{Arc, Mutex, MutexGuard};

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::convert::{self, Positions};
use super::session::{lock, OpenedDocument, Session, Snapshot};
use crate::analysis;
use crate::ide;

/// The server: a client handle and the shared session; cheap to clone so
/// that background tasks (the file watcher) can act as the server does.
#[derive(Clone)]
pub struct Backend {
    client: Client,
    session: Arc<Mutex<Session>>,
}

impl Backend {
    /// A server on a session the caller keeps, to read after `exit`.
    pub fn with_session(client: Client, session: Arc<Mutex<Session>>) -> Backend {
        Backend { client, session }
    }

    /// The session; a handler that panicked while holding the lock leaves
    /// consistent data behind (every change is applied whole), so a
    /// poisoned lock is taken over rather than killing the server.
    fn session(&self) -> MutexGuard<'_, Session> {
        lock(&self.session)
    }

    /// Re-checks the workspace after the debounce and publishes, unless a
    /// newer change has arrived by then. With `open_first`, the open files
    /// are checked and published before the rest, so that what the user
    /// sees comes first after a (re)load.
    fn schedule(&self, changed: Option<String>) {
        self.schedule_with(changed, false);
    }

    fn schedule_with(&self, changed: Option<String>, open_first: bool) {
        let (generation, loaded, delay) = {
            let session = self.session();
            (session.generation, session.loaded, session.settings.debounce)
        };
        let client = self.client.clone();
        let session = self.session.clone();
        // No snapshot is held while waiting: the next keystroke then finds
        // the document's model held by the session alone, and moves its
        // maps instead of copying them.
        let current = move || {
            let session = lock(&session);
            (session.generation == generation).then(|| session.snapshot())
        };
        let session = self.session.clone();
        tokio::spawn(async move {
            if let Some(path) = changed.filter(|_| !delay.is_zero() || !loaded) {
                let Some(snapshot) = current() else { return };
                publish_syntax_now(&client, &session, &snapshot, &path).await;
            }
            if !loaded {
                return;
            }
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let Some(snapshot) = current() else { return };
            let snapshot = Arc::new(snapshot);
            if open_first && !snapshot.versions.is_empty() {
                publish_round(&client, &session, snapshot.clone(), true).await;
            }
            publish_round(&client, &session, snapshot, false).await;
        });
    }

    /// Loads the workspace from disk: every `.dimap` file not open in the
    /// editor, and the caches. Runs off the request path.
    async fn load_workspace(&self) {
        let (root, schemas_override) = {
            let session = self.session();
            (session.root.clone(), session.settings.schemas.clone())
        };
        self.client
            .send_notification::<StatusNotification>(StatusParams {
                state: "loading".into(),
                environments: 0,
                maps: 0,
                message: None,
            })
            .await;
        let open_paths = self.session().open_paths.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            // A document the editor has open by the time its file is
            // reached is not read: the session has parsed it already.
            let open = |path: &str| lock(&open_paths).contains(path);
            crate::disk::load_workspace_with(&root, schemas_override.as_deref(), &open)
        })
        .await;
        match loaded {
            Ok(Ok(loaded)) => {
                let caches = loaded.workspace.schemas.len();
                let (count, maps) = {
                    let mut session = self.session();
                    // Files deleted on disk leave; open documents stay as
                    // the editor has them. A file the load left out because
                    // it was open is kept as the session has it (closed
                    // since, it was read again when it was closed).
                    let open: Vec<String> = session.documents.keys().cloned().collect();
                    session.files.retain(|path, _| open.contains(path) || loaded.skipped.contains(path));
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
                    let maps: usize =
                        session.files.values().flat_map(|f| &f.model.projects).map(|p| p.maps.len()).sum();
                    (session.files.len(), maps)
                };
                let problems = self.session().cache_problems.len();
                self.client
                    .send_notification::<StatusNotification>(StatusParams {
                        state: "ready".into(),
                        environments: caches,
                        maps,
                        message: (problems > 0).then(|| format!("{problems} cached schema problem(s)")),
                    })
                    .await;
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
                self.client
                    .send_notification::<StatusNotification>(StatusParams {
                        state: "error".into(),
                        environments: 0,
                        maps: 0,
                        message: Some(format!("{err:#}")),
                    })
                    .await;
                eprintln!("dimap: {err:#}");
                self.client.log_message(MessageType::ERROR, format!("dimap: {err:#}")).await;
            }
            Err(err) => {
                self.session().loaded = true;
                eprintln!("dimap: loading the workspace failed: {err}");
            }
        }
        self.schedule_with(None, true);
        // A client that pulled before the load, or before the caches
        // changed, has findings of another workspace.
        self.refresh_pulled().await;
    }

    /// Asks a client that pulls diagnostics to pull again, when it can be
    /// asked: what it pulled earlier is out of date.
    async fn refresh_pulled(&self) {
        let refresh = {
            let session = self.session();
            session.pull_diagnostics && session.refresh_pulled
        };
        if refresh {
            let _ = self.client.workspace_diagnostic_refresh().await;
        }
    }

    /// Waits (up to a minute) until the workspace and caches are read, so a
    /// pulled finding is never one of the wrong "unknown name" kind that an
    /// unloaded workspace would give.
    async fn wait_loaded(&self) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        while !self.session().loaded && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
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

/// `dimap/status`: the server's state for an editor's status bar, sent when
/// loading starts and whenever the workspace and caches are (re)loaded. It is
/// not part of LSP; clients that do not know it ignore it.
pub enum StatusNotification {}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct StatusParams {
    /// `loading`, `ready`, or `error` (the workspace could not be read).
    pub state: String,
    /// Cached environments loaded.
    pub environments: usize,
    /// Maps across the workspace.
    pub maps: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl notification::Notification for StatusNotification {
    type Params = StatusParams;
    const METHOD: &'static str = "dimap/status";
}

/// Checks a snapshot (its open files only, with `open_only`) and publishes
/// what changed, unless a newer change has arrived meanwhile.
async fn publish_round(client: &Client, session: &Mutex<Session>, snapshot: Arc<Snapshot>, open_only: bool) {
    let generation = snapshot.generation;
    let open: Vec<String> = if open_only { snapshot.versions.keys().cloned().collect() } else { Vec::new() };
    let Ok((snapshot, found)) = tokio::task::spawn_blocking(move || {
        let found = if open_only {
            let ids: Vec<analysis::FileId> = open.iter().filter_map(|p| snapshot.workspace.file_id(p)).collect();
            snapshot.check_only(Some(&ids))
        } else {
            snapshot.check()
        };
        (snapshot, found)
    })
    .await
    else {
        client.log_message(MessageType::ERROR, "dimap: the analysis failed; see the server's stderr").await;
        return;
    };
    let mut by_path =
        convert::diagnostics(&snapshot.workspace, &snapshot.root, &found, snapshot.encoding, &snapshot.severity);
    for problem in snapshot.cache_problems.iter().filter(|_| !open_only) {
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
        let mut session = lock(session);
        if session.generation != generation || session.pull_diagnostics {
            return;
        }
        let mut to_send = Vec::new();
        // A file published before and still with findings is in
        // both lists; once is enough (a second pass would find its
        // list taken and clear it).
        let mut paths: Vec<String> = session.published.keys().chain(by_path.keys()).cloned().collect();
        paths.sort();
        paths.dedup();
        if open_only {
            paths.retain(|p| snapshot.versions.contains_key(p));
        }
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
        let pull = params.capabilities.text_document.as_ref().is_some_and(|t| t.diagnostic.is_some());
        let watches = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        {
            let mut session = self.session();
            session.pull_diagnostics = pull;
            session.refresh_pulled = params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false);
            session.client_watches_files = watches;
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
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::SOURCE]),
                    ..Default::default()
                })),
                document_formatting_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                inlay_hint_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
                semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
                    SemanticTokensOptions {
                        legend: convert::semantic_legend(),
                        full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
                        range: Some(false),
                        ..Default::default()
                    },
                )),
                diagnostic_provider: pull.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some("dimap".into()),
                        inter_file_dependencies: true,
                        workspace_diagnostics: true,
                        ..Default::default()
                    })
                }),
                ..Default::default()
            },
            server_info: Some(ServerInfo { name: "dimap".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.load_workspace().await;
        self.watch_files().await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.session().shut_down = true;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let (path, open_paths) = {
            let session = self.session();
            let Some(path) = session.path_of(&doc.uri) else { return };
            (path, session.open_paths.clone())
        };
        // The path is known to be open before the (possibly long) parse, so
        // a workspace load running meanwhile leaves the file alone; the
        // parse itself runs without the session's lock. Nothing else runs
        // between here and the insertion, as no `.await` comes between.
        lock(&open_paths).insert(path.clone());
        let opened = OpenedDocument::new(path.clone(), doc.version, &doc.text);
        {
            let mut session = self.session();
            session.open_prepared(opened);
            // Findings published while the file was closed carried no
            // version; the next round sends them again with this one.
            session.published.remove(&path);
        }
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
            // Severities changed: pulled findings are out of date.
            self.refresh_pulled().await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let relevant = params.changes.iter().any(|c| {
            let path = c.uri.path().as_str().to_string();
            path.ends_with(".json") || path.ends_with(".dimap") || path.ends_with("dimap.toml")
        });
        if relevant {
            self.load_workspace().await;
        }
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some((snapshot, id)) = self.snapshot_for(&params.text_document.uri) else { return Ok(None) };
        let actions = tokio::task::spawn_blocking(move || {
            let found = snapshot.check();
            let file = snapshot.workspace.file(id);
            let positions = Positions { file, encoding: snapshot.encoding };
            let range = positions.offset(params.range.start)..positions.offset(params.range.end);
            let mut actions =
                convert::code_actions(&snapshot.workspace, &snapshot.root, &found, id, &range, snapshot.encoding);
            for fix in ide::source_actions::source_actions(&snapshot.workspace, id, range.start, &found) {
                actions.push(convert::fix_action(
                    &snapshot.workspace,
                    &snapshot.root,
                    &fix,
                    CodeActionKind::SOURCE,
                    snapshot.encoding,
                ));
            }
            actions
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

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        let Some((snapshot, id)) = self.snapshot_for(&at.text_document.uri) else { return Ok(None) };
        let positions = Positions { file: snapshot.workspace.file(id), encoding: snapshot.encoding };
        let offset = positions.offset(at.position);
        if let Some(target) = ide::navigation::definition(&snapshot.workspace, id, offset) {
            let location = convert::location(&snapshot.workspace, &snapshot.root, &target, snapshot.encoding);
            return Ok(location.map(GotoDefinitionResponse::Scalar));
        }
        Ok(cache_definition(&snapshot, id, offset).map(GotoDefinitionResponse::Scalar))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = params.text_document_position;
        let Some((snapshot, id)) = self.snapshot_for(&at.text_document.uri) else { return Ok(None) };
        let positions = Positions { file: snapshot.workspace.file(id), encoding: snapshot.encoding };
        let found = ide::navigation::references(
            &snapshot.workspace,
            id,
            positions.offset(at.position),
            params.context.include_declaration,
        );
        Ok(Some(
            found
                .iter()
                .filter_map(|l| convert::location(&snapshot.workspace, &snapshot.root, l, snapshot.encoding))
                .collect(),
        ))
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let at = params.text_document_position;
        let Some((snapshot, id)) = self.snapshot_for(&at.text_document.uri) else { return Ok(None) };
        let positions = Positions { file: snapshot.workspace.file(id), encoding: snapshot.encoding };
        let edits = ide::navigation::rename(&snapshot.workspace, id, positions.offset(at.position), &params.new_name)
            .map_err(tower_lsp_server::jsonrpc::Error::invalid_params)?;
        let mut changes: std::collections::HashMap<Uri, Vec<TextEdit>> = std::collections::HashMap::new();
        for (location, new_text) in edits {
            if let Some(l) = convert::location(&snapshot.workspace, &snapshot.root, &location, snapshot.encoding) {
                changes.entry(l.uri).or_default().push(TextEdit { range: l.range, new_text });
            }
        }
        Ok(Some(WorkspaceEdit { changes: Some(changes), ..Default::default() }))
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        let snapshot = self.session().snapshot();
        #[allow(deprecated)]
        let symbols = ide::navigation::workspace_symbols(&snapshot.workspace, &params.query)
            .into_iter()
            .filter_map(|o| {
                let location = convert::location(&snapshot.workspace, &snapshot.root, &o.location, snapshot.encoding)?;
                let (kind, container) = match &o.kind {
                    ide::navigation::NameKind::ConnectionSet => (SymbolKind::NAMESPACE, None),
                    ide::navigation::NameKind::Alias { set } => (SymbolKind::VARIABLE, Some(set.clone())),
                    ide::navigation::NameKind::Project => (SymbolKind::PACKAGE, None),
                    ide::navigation::NameKind::Map { project } => (SymbolKind::CLASS, Some(project.clone())),
                };
                Some(SymbolInformation {
                    name: o.name,
                    kind,
                    tags: None,
                    deprecated: None,
                    location,
                    container_name: container,
                })
            })
            .collect();
        Ok(Some(WorkspaceSymbolResponse::Flat(symbols)))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let Some((snapshot, id)) = self.snapshot_for(&params.text_document.uri) else { return Ok(None) };
        let positions = Positions { file: snapshot.workspace.file(id), encoding: snapshot.encoding };
        let hints = ide::inlay::inlay_hints(&snapshot.workspace, id)
            .into_iter()
            .map(|h| InlayHint {
                position: positions.position(h.offset),
                label: InlayHintLabel::String(h.label),
                kind: Some(InlayHintKind::TYPE),
                text_edits: None,
                tooltip: None,
                padding_left: Some(false),
                padding_right: Some(false),
                data: None,
            })
            .filter(|h| h.position.line >= params.range.start.line && h.position.line <= params.range.end.line)
            .collect();
        Ok(Some(hints))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let Some((snapshot, id)) = self.snapshot_for(&params.text_document.uri) else { return Ok(None) };
        let lenses = tokio::task::spawn_blocking(move || {
            let found = snapshot.check();
            let positions = Positions { file: snapshot.workspace.file(id), encoding: snapshot.encoding };
            let mut lenses: Vec<(std::ops::Range<usize>, String)> =
                ide::inlay::code_lenses(&snapshot.workspace, id, &found)
                    .into_iter()
                    .map(|l| (l.range, l.title))
                    .collect();
            lenses.extend(sample_previews(&snapshot, id));
            lenses
                .into_iter()
                .map(|(range, title)| CodeLens {
                    range: positions.range(&range),
                    command: Some(Command { title, command: String::new(), arguments: None }),
                    data: None,
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        Ok(Some(lenses))
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        let Some((snapshot, id)) = self.snapshot_for(&params.text_document.uri) else { return Ok(None) };
        let file = snapshot.workspace.file(id);
        let data = convert::semantic_tokens(&Positions { file, encoding: snapshot.encoding });
        let result_id = self.remember_tokens(&file.path, data.clone());
        Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
            result_id: Some(result_id),
            data: convert::to_semantic_tokens(&data),
        })))
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        let Some((snapshot, id)) = self.snapshot_for(&params.text_document.uri) else { return Ok(None) };
        let file = snapshot.workspace.file(id);
        let data = convert::semantic_tokens(&Positions { file, encoding: snapshot.encoding });
        let previous = self.session().semantic_tokens.get(&file.path).cloned();
        let result_id = self.remember_tokens(&file.path, data.clone());
        Ok(Some(match previous.filter(|(id, _)| *id == params.previous_result_id) {
            Some((_, old)) => SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta {
                result_id: Some(result_id),
                edits: convert::semantic_delta(&old, &data),
            }),
            None => SemanticTokensFullDeltaResult::Tokens(SemanticTokens {
                result_id: Some(result_id),
                data: convert::to_semantic_tokens(&data),
            }),
        }))
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        let empty = || {
            DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
                RelatedFullDocumentDiagnosticReport::default(),
            ))
        };
        self.wait_loaded().await;
        let Some((snapshot, id)) = self.snapshot_for(&params.text_document.uri) else { return Ok(empty()) };
        let items = tokio::task::spawn_blocking(move || {
            let found = snapshot.check();
            let path = snapshot.workspace.file(id).path.clone();
            convert::diagnostics(&snapshot.workspace, &snapshot.root, &found, snapshot.encoding, &snapshot.severity)
                .remove(&path)
                .unwrap_or_default()
        })
        .await
        .unwrap_or_default();
        Ok(DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
            RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: None, items },
            },
        )))
    }

    async fn workspace_diagnostic(&self, _: WorkspaceDiagnosticParams) -> Result<WorkspaceDiagnosticReportResult> {
        self.wait_loaded().await;
        let snapshot = self.session().snapshot();
        let items = tokio::task::spawn_blocking(move || {
            let found = snapshot.check();
            let by_path = convert::diagnostics(
                &snapshot.workspace,
                &snapshot.root,
                &found,
                snapshot.encoding,
                &snapshot.severity,
            );
            snapshot
                .workspace
                .files
                .iter()
                .filter_map(|f| {
                    Some(WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                        uri: convert::uri_for(&snapshot.root, &f.path)?,
                        version: snapshot.versions.get(&f.path).map(|v| i64::from(*v)),
                        full_document_diagnostic_report: FullDocumentDiagnosticReport {
                            result_id: None,
                            items: by_path.get(&f.path).cloned().unwrap_or_default(),
                        },
                    }))
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        Ok(WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items }))
    }
}

impl Backend {
    /// Asks the client to watch caches and maps; when it cannot, watches
    /// the workspace folder from the server with `notify`.
    async fn watch_files(&self) {
        let (dynamic, root) = {
            let session = self.session();
            (session.client_watches_files, session.root.clone())
        };
        if dynamic {
            let watchers = ["**/*.json", "**/*.dimap", "**/dimap.toml"]
                .iter()
                .map(|glob| FileSystemWatcher { glob_pattern: GlobPattern::String(glob.to_string()), kind: None })
                .collect();
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            let registration = Registration {
                id: "dimap-watched-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            if self.client.register_capability(vec![registration]).await.is_ok() {
                return;
            }
        }
        let (send, mut receive) = tokio::sync::mpsc::unbounded_channel::<()>();
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let Ok(event) = event else { return };
            let relevant = event.paths.iter().any(|p| {
                p.extension().is_some_and(|e| e == "json" || e == "dimap")
                    || p.file_name().is_some_and(|n| n == "dimap.toml")
            });
            if relevant && !event.kind.is_access() {
                let _ = send.send(());
            }
        });
        let mut watcher = match watcher {
            Ok(watcher) => watcher,
            Err(err) => {
                eprintln!("dimap: cannot watch {}: {err}", root.display());
                return;
            }
        };
        use notify::Watcher;
        if let Err(err) = watcher.watch(&root, notify::RecursiveMode::Recursive) {
            eprintln!("dimap: cannot watch {}: {err}", root.display());
            return;
        }
        let backend = self.clone();
        tokio::spawn(async move {
            let _watcher = watcher;
            while receive.recv().await.is_some() {
                // A save touches a file several times: settle, then reload once.
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                while receive.try_recv().is_ok() {}
                if backend.session().shut_down {
                    return;
                }
                backend.load_workspace().await;
            }
        });
    }

    fn remember_tokens(&self, path: &str, data: Vec<u32>) -> String {
        let mut session = self.session();
        let id = session.next_result_id.to_string();
        session.next_result_id += 1;
        session.semantic_tokens.insert(path.to_string(), (id.clone(), data));
        id
    }
}

/// "Preview with samples" over each map that has a sample file
/// (`samples/MAP.json`, `.jsonl` or `.csv` under the root): the status and
/// counts of running the map on it, against a throw-away store.
fn sample_previews(snapshot: &Snapshot, id: analysis::FileId) -> Vec<(std::ops::Range<usize>, String)> {
    let index = analysis::query::Index::new(&snapshot.workspace);
    let file = snapshot.workspace.file(id);
    let mut out = Vec::new();
    for map in file.model.projects.iter().flat_map(|p| &p.maps) {
        let Some((path, format)) = crate::samples::sample_file(&snapshot.root, &map.name.text) else { continue };
        let Some(scope) = index.map_at(id, map.range.start) else { continue };
        let flow = map.direction.as_ref().map_or(analysis::model::Flow::LeftToRight, |d| d.direction.flows()[0]);
        let title = match crate::samples::dry_run(&scope, flow, &path, format) {
            Ok((counts, status)) => format!(
                "Preview with samples: {} · {} read · {} upserted · {} failed",
                status.name(),
                counts.read,
                counts.inserted + counts.updated,
                counts.failed
            ),
            Err(err) => format!("Preview with samples: cannot run ({err})"),
        };
        out.push((map.header.clone(), title));
    }
    out
}

/// Go to definition on an entity or a field: its place in the cache JSON.
fn cache_definition(snapshot: &Snapshot, id: analysis::FileId, offset: usize) -> Option<Location> {
    let index = analysis::query::Index::new(&snapshot.workspace);
    let (schema, entity, field) = match index.symbol_at(id, offset)? {
        analysis::query::Symbol::Entity { schema, entity, .. } => (schema, entity, None),
        analysis::query::Symbol::Field { schema, entity, field, .. } => (schema, entity, Some(field)),
    };
    let text = std::fs::read_to_string(&schema.path).ok()?;
    let entities = text.find("\"entities\"").unwrap_or(0);
    let mut at = convert::find_cache_name(&text, entities, &entity.name)?;
    if let Some(field) = field {
        at = convert::find_cache_name(&text, at + 1, &field.name)?;
    }
    let index = crate::text::LineIndex::new(&text);
    let start = index.line_col(&text, at, snapshot.encoding);
    let position = Position { line: start.line, character: start.col };
    Some(Location { uri: Uri::from_file_path(&schema.path)?, range: Range { start: position, end: position } })
}

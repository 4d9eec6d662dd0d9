//! The Lattice language server: a thin adapter from the Language Server Protocol
//! (tower-lsp-server over stdio) to the pure analysis in `lattice_compiler::ide`.
//!
//! It owns the open documents (full-text sync, never letting an older version replace a
//! newer one), the debounce before diagnostics, reading imported files from disk, and the
//! conversion of byte offsets to UTF-16 positions (`convert.rs`). It answers nothing by
//! itself: every feature is one call into `ide`.

mod convert;
mod workspace;

use convert::LineMap;
use lattice_compiler::ide::{self, Analysis, DefId};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server, UriExt};
use workspace::OpenFiles;

/// Runs the server on stdin/stdout until the client says `exit`.
pub fn run_stdio() -> std::io::Result<()> {
    run_stdio_with_natives(Vec::new())
}

/// Like [`run_stdio`], knowing the names of the natives the embedder defines (the
/// standard library's), which "did you mean" then never takes for typos.
pub fn run_stdio_with_natives(natives: Vec<String>) -> std::io::Result<()> {
    let natives: Arc<HashSet<String>> = Arc::new(natives.into_iter().collect());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().enable_io().build()?;
    runtime.block_on(async {
        let (service, socket) = LspService::new(|client| Backend::new(client, natives));
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service).await;
    });
    Ok(())
}

/// How long the server waits before computing diagnostics for a change that came within
/// this time of the previous one, so a burst of keystrokes costs one analysis. A change
/// after a pause is analysed at once. `LATTICE_LSP_DEBOUNCE_MS` overrides it.
fn debounce() -> Duration {
    let ms = std::env::var("LATTICE_LSP_DEBOUNCE_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    Duration::from_millis(ms)
}

/// The analysis of one version of a document, computed once by whoever needs it first
/// (the diagnostics task or a request); the others wait for it instead of redoing it.
type AnalysisCell = Arc<OnceLock<Arc<Analysis>>>;

struct Document {
    text: Arc<str>,
    version: i32,
    /// When this version arrived.
    changed: Instant,
    analysis: AnalysisCell,
}

impl Document {
    fn new(text: String, version: i32) -> Document {
        Document { text: text.into(), version, changed: Instant::now(), analysis: AnalysisCell::default() }
    }
}

type Documents = Arc<Mutex<HashMap<Uri, Document>>>;

/// A file that sees a definition: its analysis and the definitions there that are it.
type Seeing = (Uri, Arc<Analysis>, Vec<DefId>);

pub struct Backend {
    client: Client,
    #[allow(clippy::mutable_key_type)]
    docs: Documents,
    /// The workspace folders, for workspace symbols and cross-file references.
    roots: Mutex<Vec<PathBuf>>,
    /// Held while checking that diagnostics are current and sending them, so an older
    /// version's diagnostics are never sent after a newer one's.
    publishing: Arc<tokio::sync::Mutex<()>>,
    /// The embedder's native function names.
    natives: Arc<HashSet<String>>,
    /// Outlines of workspace files that are not open, with the modification time read.
    outlines: Mutex<HashMap<PathBuf, (std::time::SystemTime, Arc<Analysis>)>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn path_of(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| workspace::normalize(&p))
}

/// The open documents' texts by path.
#[allow(clippy::mutable_key_type)] // `Uri` hashing ignores its lazily parsed cache.
fn open_files(docs: &HashMap<Uri, Document>) -> OpenFiles {
    docs.iter().filter_map(|(u, d)| Some((path_of(u)?, d.text.clone()))).collect()
}

/// Analyses the text of the file at `path` (if it is one), reading imports from the open
/// documents first, then from disk.
fn analyse(path: Option<&std::path::Path>, text: &str, open: &OpenFiles) -> Analysis {
    let vfs = |import: &str| {
        let target = workspace::resolve_import(path, import, open)?;
        workspace::read(&target, open).map(|t| t.to_string())
    };
    Analysis::new(text, &vfs)
}

impl Backend {
    fn new(client: Client, natives: Arc<HashSet<String>>) -> Backend {
        Backend {
            client,
            natives,
            docs: Arc::new(Mutex::new(HashMap::new())),
            roots: Mutex::new(Vec::new()),
            publishing: Arc::default(),
            outlines: Mutex::default(),
        }
    }

    fn docs(&self) -> std::sync::MutexGuard<'_, HashMap<Uri, Document>> {
        lock(&self.docs)
    }

    /// The analysis of the current version of `uri`, computing it if nobody has yet.
    fn analysis(&self, uri: &Uri) -> Option<Arc<Analysis>> {
        let (cell, text, open) = {
            let docs = self.docs();
            let doc = docs.get(uri)?;
            if let Some(a) = doc.analysis.get() {
                return Some(a.clone());
            }
            (doc.analysis.clone(), doc.text.clone(), open_files(&docs))
        };
        Some(cell.get_or_init(|| Arc::new(analyse(path_of(uri).as_deref(), &text, &open))).clone())
    }

    /// Stores a new version of a document, then analyses again, after the debounce, the
    /// open documents that import it (their diagnostics may change with it).
    fn store(&self, uri: Uri, doc: Document) {
        let mut stale = Vec::new();
        {
            let mut docs = self.docs();
            docs.insert(uri.clone(), doc);
            let Some(changed) = path_of(&uri) else { return };
            let open = open_files(&docs);
            for (other_uri, other) in docs.iter_mut() {
                let Some(a) = other.analysis.get() else { continue };
                let here = path_of(other_uri);
                let imports_it = a.files.keys().any(|import| {
                    workspace::resolve_import(here.as_deref(), import, &open).as_ref() == Some(&changed)
                });
                if imports_it && *other_uri != uri {
                    other.analysis = AnalysisCell::default();
                    stale.push((other_uri.clone(), other.version));
                }
            }
        }
        for (other, version) in stale {
            self.schedule_diagnostics(other, version, true);
        }
    }

    /// Publishes diagnostics for `version` unless a newer one came: at once after a pause,
    /// after the debounce within a burst of changes. The analysis runs off the protocol
    /// thread, so requests are answered meanwhile, and is kept for the requests.
    fn schedule_diagnostics(&self, uri: Uri, version: i32, burst: bool) {
        let docs = self.docs.clone();
        let client = self.client.clone();
        let publishing = self.publishing.clone();
        let natives = self.natives.clone();
        let current =
            move |docs: &Documents, uri: &Uri| lock(docs).get(uri).is_some_and(|d| d.version == version);
        tokio::spawn(async move {
            if burst {
                tokio::time::sleep(debounce()).await;
            }
            let (cell, text, open, uri) = {
                let docs_now = lock(&docs);
                match docs_now.get_key_value(&uri) {
                    Some((u, d)) if d.version == version => {
                        (d.analysis.clone(), d.text.clone(), open_files(&docs_now), u.clone())
                    }
                    _ => return,
                }
            };
            let path = path_of(&uri);
            let analysed = tokio::task::spawn_blocking(move || {
                let a = cell.get_or_init(|| Arc::new(analyse(path.as_deref(), &text, &open))).clone();
                let map = LineMap::new(&a.src);
                let typos = a.typo_diagnostics(&|name| natives.contains(name));
                a.diagnostics
                    .iter()
                    .chain(&typos)
                    .map(|d| convert::diagnostic(&a.src, &map, d))
                    .collect::<Vec<_>>()
            });
            let Ok(diags) = analysed.await else { return };
            let _turn = publishing.lock().await;
            if current(&docs, &uri) {
                client.publish_diagnostics(uri, diags, Some(version)).await;
            }
        });
    }

    /// The analysis and byte offset for a request's document position.
    fn at(&self, pos: &TextDocumentPositionParams) -> Option<(Arc<Analysis>, LineMap, u32)> {
        let a = self.analysis(&pos.text_document.uri)?;
        let map = LineMap::new(&a.src);
        let offset = map.offset(&a.src, pos.position);
        Some((a, map, offset))
    }

    fn location(&self, uri: &Uri, a: &Analysis, target: &ide::FileSpan) -> Option<Location> {
        let text = a.file_text(target.file.as_deref())?;
        let uri = match &target.file {
            None => uri.clone(),
            Some(import) => {
                let open = open_files(&self.docs());
                let path = workspace::resolve_import(path_of(uri).as_deref(), import, &open)?;
                Uri::from_file_path(path)?
            }
        };
        Some(Location { uri, range: LineMap::new(text).range(text, target.span) })
    }

    /// The outline of a workspace file that is not open, parsed again only when the file's
    /// modification time changes (a workspace symbol query comes with every keystroke).
    fn outline(&self, path: &std::path::Path) -> Option<Arc<Analysis>> {
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
        if let Some((when, a)) = lock(&self.outlines).get(path) {
            if *when == modified {
                return Some(a.clone());
            }
        }
        let text = std::fs::read_to_string(path).ok()?;
        let a = Arc::new(Analysis::outline_only(&text));
        lock(&self.outlines).insert(path.to_path_buf(), (modified, a.clone()));
        Some(a)
    }

    /// Every file that sees the definition under the cursor, with its analysis and the
    /// definitions there that are it: the open documents and the workspace's `.lat` files
    /// that mention its name and are, or import, the file declaring it.
    fn files_seeing(&self, uri: &Uri, offset: u32) -> Option<Vec<Seeing>> {
        let a = self.analysis(uri)?;
        let (id, _) = a.symbol_at(offset)?;
        let def = a.def(id).clone();
        let (open, open_uris) = {
            let docs = self.docs();
            (open_files(&docs), docs.keys().cloned().collect::<Vec<_>>())
        };
        let Some(here) = path_of(uri) else {
            // Not a file (an unsaved buffer): only this document.
            return Some(vec![(
                uri.clone(),
                a.clone(),
                a.defs_declared_at(def.file.as_deref(), def.name_span),
            )]);
        };
        let target = match &def.file {
            None => here.clone(),
            Some(import) => workspace::resolve_import(Some(&here), import, &open)?,
        };
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        let roots = lock(&self.roots).clone();
        let on_disk =
            workspace::lat_files(&roots).into_iter().filter_map(|p| Some((Uri::from_file_path(&p)?, p)));
        let candidates = open_uris.into_iter().filter_map(|u| Some((path_of(&u)?, u))).map(|(p, u)| (u, p));
        for (file_uri, path) in std::iter::once((uri.clone(), here.clone())).chain(candidates).chain(on_disk)
        {
            if !seen.insert(path.clone()) {
                continue;
            }
            // A file that never writes the name cannot use it: skip it unanalysed.
            let Some(text) = workspace::read(&path, &open) else { continue };
            if !text.contains(def.name.as_str()) {
                continue;
            }
            let analysis = match self.analysis(&file_uri) {
                Some(an) => an,
                None => Arc::new(analyse(Some(&path), &text, &open)),
            };
            let mut ids = Vec::new();
            if path == target {
                ids.extend(analysis.defs_declared_at(None, def.name_span));
            }
            for import in analysis.files.keys() {
                if workspace::resolve_import(Some(&path), import, &open).as_ref() == Some(&target) {
                    ids.extend(analysis.defs_declared_at(Some(import), def.name_span));
                }
            }
            if !ids.is_empty() {
                out.push((file_uri, analysis, ids));
            }
        }
        Some(out)
    }
}

fn markdown(value: String) -> MarkupContent {
    MarkupContent { kind: MarkupKind::Markdown, value }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        #[allow(deprecated)] // `root_uri` is what older clients send instead of folders.
        let folders = match params.workspace_folders {
            Some(folders) => folders.into_iter().map(|f| f.uri).collect(),
            None => params.root_uri.into_iter().collect::<Vec<_>>(),
        };
        *lock(&self.roots) = folders.iter().filter_map(path_of).collect();
        let capabilities = ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
            position_encoding: Some(PositionEncodingKind::UTF16),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![".".into(), ":".into()]),
                ..Default::default()
            }),
            signature_help_provider: Some(SignatureHelpOptions {
                trigger_characters: Some(vec!["(".into(), ",".into()]),
                ..Default::default()
            }),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            document_highlight_provider: Some(OneOf::Left(true)),
            document_symbol_provider: Some(OneOf::Left(true)),
            workspace_symbol_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            document_formatting_provider: Some(OneOf::Left(true)),
            folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                ..Default::default()
            })),
            inlay_hint_provider: Some(OneOf::Left(true)),
            semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
                SemanticTokensOptions {
                    legend: convert::legend(),
                    full: Some(SemanticTokensFullOptions::Bool(true)),
                    ..Default::default()
                },
            )),
            ..Default::default()
        };
        let server_info =
            Some(ServerInfo { name: "lattice-lsp".into(), version: Some(env!("CARGO_PKG_VERSION").into()) });
        Ok(InitializeResult { capabilities, server_info })
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let version = doc.version;
        self.store(doc.uri.clone(), Document::new(doc.text, version));
        self.schedule_diagnostics(doc.uri, version, false);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let Some(change) = params.content_changes.into_iter().last() else { return };
        let burst = {
            let docs = self.docs();
            match docs.get(&uri) {
                // Messages can be reordered by a client; an older version never wins.
                Some(doc) if version <= doc.version => return,
                Some(doc) => doc.changed.elapsed() < debounce(),
                None => false,
            }
        };
        self.store(uri.clone(), Document::new(change.text, version));
        self.schedule_diagnostics(uri, version, burst);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.docs().remove(&params.text_document.uri);
        self.client.publish_diagnostics(params.text_document.uri, Vec::new(), None).await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let Some((a, map, offset)) = self.at(&params.text_document_position_params) else { return Ok(None) };
        Ok(a.hover(offset).map(|h| Hover {
            contents: HoverContents::Markup(markdown(h.markdown)),
            range: Some(map.range(&a.src, h.range)),
        }))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let Some((a, _, offset)) = self.at(&params.text_document_position) else { return Ok(None) };
        let items = a
            .completions(offset)
            .into_iter()
            .map(|c| CompletionItem {
                label: c.label,
                kind: Some(convert::completion_kind(c.kind)),
                detail: c.detail,
                documentation: c.doc.map(|d| Documentation::MarkupContent(markdown(d))),
                ..Default::default()
            })
            .collect();
        Ok(Some(CompletionResponse::Array(items)))
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let Some((a, _, offset)) = self.at(&params.text_document_position_params) else { return Ok(None) };
        Ok(a.signature_help(offset).map(|s| {
            let parameters = s
                .params
                .iter()
                .map(|p| ParameterInformation {
                    label: ParameterLabel::Simple(p.clone()),
                    documentation: None,
                })
                .collect();
            SignatureHelp {
                signatures: vec![SignatureInformation {
                    label: s.label,
                    documentation: s.doc.map(|d| Documentation::MarkupContent(markdown(d))),
                    parameters: Some(parameters),
                    active_parameter: Some(s.active as u32),
                }],
                active_signature: Some(0),
                active_parameter: Some(s.active as u32),
            }
        }))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let pos = &params.text_document_position_params;
        let Some((a, _, offset)) = self.at(pos) else { return Ok(None) };
        let target = a.goto_definition(offset);
        Ok(target
            .and_then(|t| self.location(&pos.text_document.uri, &a, &t))
            .map(GotoDefinitionResponse::Scalar))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let pos = &params.text_document_position;
        let Some((_, _, offset)) = self.at(pos) else { return Ok(None) };
        let Some(files) = self.files_seeing(&pos.text_document.uri, offset) else {
            return Ok(Some(Vec::new()));
        };
        let mut out = Vec::new();
        for (uri, a, ids) in files {
            let map = LineMap::new(&a.src);
            let spans = a.uses_of(&ids, params.context.include_declaration);
            out.extend(spans.into_iter().map(|s| Location { uri: uri.clone(), range: map.range(&a.src, s) }));
        }
        Ok(Some(out))
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let Some((a, map, offset)) = self.at(&params.text_document_position_params) else { return Ok(None) };
        let hl = a.highlights(offset).into_iter().map(|h| DocumentHighlight {
            range: map.range(&a.src, h.span),
            kind: Some(if h.write { DocumentHighlightKind::WRITE } else { DocumentHighlightKind::READ }),
        });
        Ok(Some(hl.collect()))
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let Some((a, map, offset)) = self.at(&params) else { return Ok(None) };
        let (id, span) =
            a.symbol_at(offset).ok_or_else(|| Error::invalid_params("no symbol to rename here"))?;
        if let Some(import) = &a.def(id).file {
            let open = open_files(&self.docs());
            let here = path_of(&params.text_document.uri);
            if workspace::resolve_import(here.as_deref(), import, &open).is_none() {
                return Err(Error::invalid_params(format!("cannot find \"{import}\" to rename in it")));
            }
        }
        Ok(Some(PrepareRenameResponse::Range(map.range(&a.src, span))))
    }

    /// Renames in every file that sees the symbol, or nowhere when any file refuses.
    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let pos = &params.text_document_position;
        let Some((_, _, offset)) = self.at(pos) else { return Ok(None) };
        let files = self
            .files_seeing(&pos.text_document.uri, offset)
            .ok_or_else(|| Error::invalid_params("no symbol to rename here"))?;
        // `Uri` caches its parse lazily, which clippy reads as a mutable key; hashing
        // ignores that cache.
        #[allow(clippy::mutable_key_type)]
        let mut changes = HashMap::new();
        for (uri, a, ids) in files {
            let edits = a.rename_def(&ids, &params.new_name).map_err(Error::invalid_params)?;
            let map = LineMap::new(&a.src);
            let edits: Vec<TextEdit> = edits
                .into_iter()
                .map(|e| TextEdit { range: map.range(&a.src, e.span), new_text: e.text })
                .collect();
            if !edits.is_empty() {
                changes.insert(uri, edits);
            }
        }
        Ok(Some(WorkspaceEdit { changes: Some(changes), ..Default::default() }))
    }

    /// Symbols of the open documents and the workspace's `.lat` files matching the query.
    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<Vec<SymbolInformation>>> {
        const MAX_RESULTS: usize = 256;
        let (open_uris, open) = {
            let docs = self.docs();
            (docs.keys().cloned().collect::<Vec<_>>(), open_files(&docs))
        };
        let roots = lock(&self.roots).clone();
        let on_disk = workspace::lat_files(&roots)
            .into_iter()
            .filter(|p| !open.contains_key(p))
            .filter_map(|p| Some((Uri::from_file_path(&p)?, p)));
        let mut found = Vec::new();
        let open_analyses = open_uris.into_iter().filter_map(|u| Some((self.analysis(&u)?, u)));
        let disk_analyses = on_disk.filter_map(|(u, p)| Some((self.outline(&p)?, u)));
        for (a, uri) in open_analyses.chain(disk_analyses) {
            let map = LineMap::new(&a.src);
            for m in a.matching_symbols(&params.query) {
                #[allow(deprecated)] // `deprecated` is a required field of the protocol type.
                let info = SymbolInformation {
                    name: m.name,
                    kind: convert::symbol_kind(m.kind),
                    tags: None,
                    deprecated: None,
                    location: Location { uri: uri.clone(), range: map.range(&a.src, m.name_span) },
                    container_name: m.container,
                };
                found.push((m.score, info));
            }
        }
        found.sort_by(|(a, x), (b, y)| (a, &x.name).cmp(&(b, &y.name)));
        Ok(Some(found.into_iter().take(MAX_RESULTS).map(|(_, info)| info).collect()))
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let Some(a) = self.analysis(&params.text_document.uri) else { return Ok(None) };
        let map = LineMap::new(&a.src);
        #[allow(deprecated)] // `deprecated` is a required field of the protocol type.
        fn convert(a: &Analysis, map: &LineMap, s: ide::Symbol) -> DocumentSymbol {
            let range = map.range(&a.src, s.span);
            let mut selection_range = map.range(&a.src, s.name_span);
            if selection_range.start < range.start || selection_range.end > range.end {
                selection_range = range;
            }
            DocumentSymbol {
                name: s.name,
                detail: s.detail,
                kind: convert::symbol_kind(s.kind),
                tags: None,
                deprecated: None,
                range,
                selection_range,
                children: Some(s.children.into_iter().map(|c| convert(a, map, c)).collect()),
            }
        }
        let symbols = a.document_symbols().into_iter().map(|s| convert(&a, &map, s)).collect();
        Ok(Some(DocumentSymbolResponse::Nested(symbols)))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let Some(text) = self.docs().get(&params.text_document.uri).map(|d| d.text.clone()) else {
            return Ok(None);
        };
        let Ok(formatted) = lattice_compiler::fmt::format(&text) else { return Ok(None) };
        if formatted == *text {
            return Ok(Some(Vec::new()));
        }
        let map = LineMap::new(&text);
        let range = map.range(&text, lattice_compiler::Span::new(0, text.len() as u32));
        Ok(Some(vec![TextEdit { range, new_text: formatted }]))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let Some(a) = self.analysis(&params.text_document.uri) else { return Ok(None) };
        let map = LineMap::new(&a.src);
        let folds = a.folding_ranges().into_iter().map(|f| {
            let r = map.range(&a.src, f.span);
            FoldingRange {
                start_line: r.start.line,
                end_line: r.end.line,
                kind: Some(match f.kind {
                    ide::FoldKind::Comment => FoldingRangeKind::Comment,
                    ide::FoldKind::Imports => FoldingRangeKind::Imports,
                    ide::FoldKind::Region => FoldingRangeKind::Region,
                }),
                ..Default::default()
            }
        });
        Ok(Some(folds.collect()))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let Some(a) = self.analysis(&params.text_document.uri) else { return Ok(None) };
        let map = LineMap::new(&a.src);
        let range = lattice_compiler::Span::new(
            map.offset(&a.src, params.range.start),
            map.offset(&a.src, params.range.end),
        );
        let hints = a.inlay_hints(range).into_iter().map(|h| {
            let parameter = h.kind == ide::InlayKind::Parameter;
            InlayHint {
                position: map.position(&a.src, h.offset),
                label: InlayHintLabel::String(h.label),
                kind: Some(if parameter { InlayHintKind::PARAMETER } else { InlayHintKind::TYPE }),
                text_edits: None,
                tooltip: None,
                padding_left: Some(!parameter),
                padding_right: Some(parameter),
                data: None,
            }
        });
        Ok(Some(hints.collect()))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some(a) = self.analysis(&uri) else { return Ok(None) };
        let map = LineMap::new(&a.src);
        let range = lattice_compiler::Span::new(
            map.offset(&a.src, params.range.start),
            map.offset(&a.src, params.range.end),
        );
        let actions = a.code_actions(range, &|name| self.natives.contains(name)).into_iter().map(|action| {
            let edits = action
                .edits
                .into_iter()
                .map(|e| TextEdit { range: map.range(&a.src, e.span), new_text: e.text })
                .collect();
            #[allow(clippy::mutable_key_type)]
            let changes = HashMap::from([(uri.clone(), edits)]);
            let diagnostics = action.diagnostic.map(|d| vec![convert::diagnostic(&a.src, &map, &d)]);
            CodeActionOrCommand::CodeAction(CodeAction {
                title: action.title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics,
                edit: Some(WorkspaceEdit { changes: Some(changes), ..Default::default() }),
                is_preferred: Some(action.preferred),
                ..Default::default()
            })
        });
        Ok(Some(actions.collect()))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let Some(a) = self.analysis(&params.text_document.uri) else { return Ok(None) };
        let map = LineMap::new(&a.src);
        let data = convert::semantic_tokens(&a.src, &map, &a.semantic_tokens());
        Ok(Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data })))
    }
}

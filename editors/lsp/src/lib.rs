//! The Lattice language server: a thin adapter from the Language Server Protocol
//! (tower-lsp-server over stdio) to the pure analysis in `lattice_compiler::ide`.
//!
//! It owns the open documents (full-text sync, never letting an older version replace a
//! newer one), the debounce before diagnostics, reading imported files from disk, and the
//! conversion of byte offsets to UTF-16 positions (`convert.rs`). It answers nothing by
//! itself: every feature is one call into `ide`.

mod convert;

use convert::LineMap;
use lattice_compiler::ide::{self, Analysis};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server, UriExt};

/// Runs the server on stdin/stdout until the client says `exit`.
pub fn run_stdio() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().enable_io().build()?;
    runtime.block_on(async {
        let (service, socket) = LspService::new(Backend::new);
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service).await;
    });
    Ok(())
}

/// How long the server waits after a change before computing diagnostics, so a burst of
/// keystrokes costs one analysis. `LATTICE_LSP_DEBOUNCE_MS` overrides it.
fn debounce() -> Duration {
    let ms = std::env::var("LATTICE_LSP_DEBOUNCE_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(150);
    Duration::from_millis(ms)
}

struct Document {
    text: Arc<str>,
    version: i32,
    /// The analysis of this version, once computed.
    analysis: Option<Arc<Analysis>>,
}

pub struct Backend {
    client: Client,
    #[allow(clippy::mutable_key_type)]
    docs: Arc<Mutex<HashMap<Uri, Document>>>,
}

impl Backend {
    fn new(client: Client) -> Backend {
        Backend { client, docs: Arc::new(Mutex::new(HashMap::new())) }
    }

    fn docs(&self) -> std::sync::MutexGuard<'_, HashMap<Uri, Document>> {
        self.docs.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The analysis of the current version of `uri`, computing and caching it if needed.
    fn analysis(&self, uri: &Uri) -> Option<Arc<Analysis>> {
        let (text, version) = {
            let docs = self.docs();
            let doc = docs.get(uri)?;
            if let Some(a) = &doc.analysis {
                return Some(a.clone());
            }
            (doc.text.clone(), doc.version)
        };
        let analysis = Arc::new(analyse(uri, &text));
        if let Some(doc) = self.docs().get_mut(uri) {
            if doc.version == version {
                doc.analysis = Some(analysis.clone());
            }
        }
        Some(analysis)
    }

    /// After the debounce, publishes diagnostics for `version` unless a newer one came.
    fn schedule_diagnostics(&self, uri: Uri, version: i32) {
        let docs = self.docs.clone();
        let client = self.client.clone();
        tokio::spawn(async move {
            tokio::time::sleep(debounce()).await;
            let text = match docs.lock().ok().and_then(|d| d.get(&uri).map(|d| (d.version, d.text.clone()))) {
                Some((v, text)) if v == version => text,
                _ => return,
            };
            let analysis = Arc::new(analyse(&uri, &text));
            let map = LineMap::new(&text);
            let diags = analysis.diagnostics.iter().map(|d| convert::diagnostic(&text, &map, d)).collect();
            {
                let Ok(mut docs) = docs.lock() else { return };
                match docs.get_mut(&uri) {
                    Some(doc) if doc.version == version => doc.analysis = Some(analysis),
                    _ => return,
                }
            }
            client.publish_diagnostics(uri, diags, Some(version)).await;
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
            Some(path) => Uri::from_file_path(resolve_import(uri, path)?)?,
        };
        Some(Location { uri, range: LineMap::new(text).range(text, target.span) })
    }
}

fn analyse(uri: &Uri, text: &str) -> Analysis {
    let vfs = |path: &str| std::fs::read_to_string(resolve_import(uri, path)?).ok();
    Analysis::new(text, &vfs)
}

/// Where `import "path"` in the document `uri` points: next to the document, then the
/// working directory, with `.lat` added when missing (as `lat run` does).
fn resolve_import(uri: &Uri, path: &str) -> Option<PathBuf> {
    let with_ext = if path.ends_with(".lat") { path.to_string() } else { format!("{path}.lat") };
    let dir = uri.to_file_path().and_then(|p| p.parent().map(Path::to_path_buf));
    let mut candidates = Vec::new();
    if let Some(dir) = dir {
        candidates.push(dir.join(&with_ext));
        candidates.push(dir.join(path));
    }
    candidates.push(PathBuf::from(&with_ext));
    candidates.into_iter().find(|p| p.is_file())
}

fn markdown(value: String) -> MarkupContent {
    MarkupContent { kind: MarkupKind::Markdown, value }
}

impl LanguageServer for Backend {
    async fn initialize(&self, _: InitializeParams) -> Result<InitializeResult> {
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
        self.docs().insert(doc.uri.clone(), Document { text: doc.text.into(), version, analysis: None });
        self.schedule_diagnostics(doc.uri, version);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let Some(change) = params.content_changes.into_iter().last() else { return };
        {
            let mut docs = self.docs();
            if let Some(doc) = docs.get(&uri) {
                // Messages can be reordered by a client; an older version never wins.
                if version <= doc.version {
                    return;
                }
            }
            docs.insert(uri.clone(), Document { text: change.text.into(), version, analysis: None });
        }
        self.schedule_diagnostics(uri, version);
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
        let Some((a, _, offset)) = self.at(pos) else { return Ok(None) };
        let refs = a.references(offset, params.context.include_declaration);
        Ok(Some(refs.iter().filter_map(|r| self.location(&pos.text_document.uri, &a, r)).collect()))
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
        match a.prepare_rename(offset) {
            Ok(span) => Ok(Some(PrepareRenameResponse::Range(map.range(&a.src, span)))),
            Err(msg) => Err(Error::invalid_params(msg)),
        }
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let pos = &params.text_document_position;
        let Some((a, map, offset)) = self.at(pos) else { return Ok(None) };
        let edits = a.rename(offset, &params.new_name).map_err(Error::invalid_params)?;
        let edits = edits
            .into_iter()
            .map(|e| TextEdit { range: map.range(&a.src, e.span), new_text: e.text })
            .collect();
        // `Uri` caches its parse lazily, which clippy reads as a mutable key; hashing
        // ignores that cache.
        #[allow(clippy::mutable_key_type)]
        let changes = HashMap::from([(pos.text_document.uri.clone(), edits)]);
        Ok(Some(WorkspaceEdit { changes: Some(changes), ..Default::default() }))
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
        let actions = a.code_actions(range).into_iter().map(|action| {
            let edits = action
                .edits
                .into_iter()
                .map(|e| TextEdit { range: map.range(&a.src, e.span), new_text: e.text })
                .collect();
            #[allow(clippy::mutable_key_type)]
            let changes = HashMap::from([(uri.clone(), edits)]);
            let diagnostics =
                action.diagnostic.map(|i| vec![convert::diagnostic(&a.src, &map, &a.diagnostics[i])]);
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

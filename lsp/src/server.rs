//! The session: the protocol's lifecycle (initialize, shutdown, exit) and the dispatch
//! of each request and notification to the module that answers it.
//!
//! [`Server::handle_text`] takes one message body and returns the bodies to send back.
//! It never fails: bad JSON is a parse error, a request it does not know is "method not
//! found", bad parameters are "invalid params", and a position past the end of a file
//! is clamped to the end.

use fluxo_grammar::FileId;
use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CompletionOptions, HoverContents, HoverProviderCapability, InitializeResult, LogMessageParams,
    MarkupContent, MarkupKind, MessageType, OneOf, PrepareRenameResponse, PublishDiagnosticsParams,
    RenameOptions, ServerCapabilities, ServerInfo, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::project::Project;
use crate::{completion, diagnostics, hover, navigation, outline, uri};

/// Where the session is in the protocol's lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Uninitialized,
    Running,
    ShutDown,
}

#[derive(Debug)]
pub struct Server {
    phase: Phase,
    project: Project,
    /// What was last published for each source, so that only changes are sent.
    published: Vec<Vec<lsp_types::Diagnostic>>,
    /// Set by the `exit` notification: the process exit code (0 after `shutdown`).
    exit: Option<i32>,
}

impl Default for Server {
    fn default() -> Server {
        Server::new()
    }
}

impl Server {
    pub fn new() -> Server {
        Server {
            phase: Phase::Uninitialized,
            project: Project::default(),
            published: Vec::new(),
            exit: None,
        }
    }

    /// The exit code once the client sent `exit`.
    pub fn exit_code(&self) -> Option<i32> {
        self.exit
    }

    /// One message body in, the bodies to send out.
    pub fn handle_text(&mut self, body: &str) -> Vec<String> {
        let value: Value = match serde_json::from_str(body) {
            Ok(value) => value,
            Err(err) => {
                return vec![error_body(
                    Value::Null,
                    ErrorCode::ParseError,
                    &err.to_string(),
                )]
            }
        };
        let id = value.get("id").cloned().unwrap_or(Value::Null);
        match serde_json::from_value::<Message>(value) {
            Ok(message) => self
                .handle(message)
                .into_iter()
                .filter_map(|it| serde_json::to_string(&it).ok())
                .collect(),
            Err(err) => vec![error_body(
                id,
                ErrorCode::InvalidRequest,
                &format!("not a JSON-RPC request, response or notification: {err}"),
            )],
        }
    }

    /// One message in, the messages to send out.
    pub fn handle(&mut self, message: Message) -> Vec<Message> {
        let mut out = match message {
            Message::Request(request) => self.request(request),
            Message::Notification(notification) => self.notification(notification),
            // The server sends no requests, so no response is awaited.
            Message::Response(_) => Vec::new(),
        };
        out.extend(self.log_unread());
        out
    }

    /// A warning in the client's log for each file the project could not read (a file
    /// left out of the project would otherwise be missing without a word).
    fn log_unread(&mut self) -> Vec<Message> {
        self.project
            .take_unread()
            .into_iter()
            .map(|line| {
                let params = LogMessageParams {
                    typ: MessageType::WARNING,
                    message: format!("fluxo lsp: {line}"),
                };
                Message::Notification(Notification::new(
                    note::LogMessage::METHOD.to_string(),
                    params,
                ))
            })
            .collect()
    }

    fn request(&mut self, request: Request) -> Vec<Message> {
        let Request { id, method, params } = request;
        let answer = match (self.phase, method.as_str()) {
            (Phase::Uninitialized, req::Initialize::METHOD) => {
                self.initialize(params).map(|it| (it, Vec::new()))
            }
            (Phase::Uninitialized, _) => Err((
                ErrorCode::ServerNotInitialized,
                "the client must send `initialize` first".to_string(),
            )),
            (Phase::ShutDown, _) => Err((
                ErrorCode::InvalidRequest,
                "the server is shut down; only `exit` is expected".to_string(),
            )),
            (Phase::Running, req::Shutdown::METHOD) => {
                self.phase = Phase::ShutDown;
                Ok((Value::Null, Vec::new()))
            }
            (Phase::Running, _) => self.answer(&method, params),
        };
        match answer {
            Ok((result, mut also)) => {
                also.insert(0, Message::Response(Response::new_ok(id, result)));
                also
            }
            Err((code, message)) => vec![Message::Response(Response::new_err(
                id,
                code as i32,
                message,
            ))],
        }
    }

    fn initialize(&mut self, params: Value) -> Result<Value, (ErrorCode, String)> {
        let params: lsp_types::InitializeParams = parse(params)?;
        #[allow(deprecated)] // `root_uri` is what older clients send
        let root = params
            .workspace_folders
            .and_then(|it| it.into_iter().next().map(|it| it.uri))
            .or(params.root_uri);
        if let Some(path) = root.as_ref().and_then(uri::to_path) {
            self.project.load_root(&path);
        }
        self.phase = Phase::Running;
        let capabilities = ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Kind(
                TextDocumentSyncKind::INCREMENTAL,
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec!["(".into(), ",".into(), ":".into(), " ".into()]),
                ..CompletionOptions::default()
            }),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            document_formatting_provider: Some(OneOf::Left(true)),
            document_symbol_provider: Some(OneOf::Left(true)),
            folding_range_provider: Some(lsp_types::FoldingRangeProviderCapability::Simple(true)),
            ..ServerCapabilities::default()
        };
        to_value(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "fluxo".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        })
    }

    /// A request of a running session: its result and any notifications to send after.
    fn answer(&mut self, method: &str, params: Value) -> Result<(Value, Vec<Message>), Answer> {
        let result = match method {
            req::HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = parse(params)?;
                let (file, offset) = self.position(&p.text_document_position_params)?;
                let hover =
                    hover::hover(&self.project, file, offset).map(|value| lsp_types::Hover {
                        contents: HoverContents::Markup(MarkupContent {
                            kind: MarkupKind::Markdown,
                            value,
                        }),
                        range: None,
                    });
                to_value(hover)?
            }
            req::Completion::METHOD => {
                let p: lsp_types::CompletionParams = parse(params)?;
                let (file, offset) = self.position(&p.text_document_position)?;
                to_value(completion::complete(&self.project, file, offset))?
            }
            req::GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = parse(params)?;
                let (file, offset) = self.position(&p.text_document_position_params)?;
                to_value(navigation::definition(&self.project, file, offset))?
            }
            req::References::METHOD => {
                let p: lsp_types::ReferenceParams = parse(params)?;
                let (file, offset) = self.position(&p.text_document_position)?;
                let declaration = p.context.include_declaration;
                to_value(navigation::references(
                    &self.project,
                    file,
                    offset,
                    declaration,
                ))?
            }
            req::PrepareRenameRequest::METHOD => {
                let p: TextDocumentPositionParams = parse(params)?;
                let (file, offset) = self.position(&p)?;
                let answer = navigation::prepare_rename(&self.project, file, offset).map(
                    |(range, placeholder)| PrepareRenameResponse::RangeWithPlaceholder {
                        range,
                        placeholder,
                    },
                );
                to_value(answer)?
            }
            req::Rename::METHOD => {
                let p: lsp_types::RenameParams = parse(params)?;
                let (file, offset) = self.position(&p.text_document_position)?;
                let edit = navigation::rename(&self.project, file, offset, &p.new_name)
                    .map_err(|why| (ErrorCode::RequestFailed, why))?;
                to_value(edit)?
            }
            req::Formatting::METHOD => {
                let p: lsp_types::DocumentFormattingParams = parse(params)?;
                let file = self.file(&p.text_document.uri)?;
                to_value(outline::format(&self.project, file))?
            }
            req::DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = parse(params)?;
                let file = self.file(&p.text_document.uri)?;
                to_value(outline::symbols(&self.project, file))?
            }
            req::FoldingRangeRequest::METHOD => {
                let p: lsp_types::FoldingRangeParams = parse(params)?;
                let file = self.file(&p.text_document.uri)?;
                to_value(outline::folding(&self.project, file))?
            }
            _ => {
                return Err((
                    ErrorCode::MethodNotFound,
                    format!("fluxo lsp does not answer `{method}`"),
                ))
            }
        };
        Ok((result, Vec::new()))
    }

    fn notification(&mut self, notification: Notification) -> Vec<Message> {
        let Notification { method, params } = notification;
        if method == note::Exit::METHOD {
            self.exit = Some(if self.phase == Phase::ShutDown { 0 } else { 1 });
            return Vec::new();
        }
        if self.phase != Phase::Running {
            return Vec::new();
        }
        // A notification has no answer, so malformed parameters are dropped.
        let changed = match method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                parse::<lsp_types::DidOpenTextDocumentParams>(params)
                    .ok()
                    .map(|p| {
                        let doc = p.text_document;
                        self.project.open(doc.uri, doc.text, doc.version)
                    })
            }
            note::DidChangeTextDocument::METHOD => {
                parse::<lsp_types::DidChangeTextDocumentParams>(params)
                    .ok()
                    .and_then(|p| {
                        let doc = p.text_document;
                        self.project
                            .change(&doc.uri, doc.version, p.content_changes)
                    })
            }
            note::DidCloseTextDocument::METHOD => {
                parse::<lsp_types::DidCloseTextDocumentParams>(params)
                    .ok()
                    .and_then(|p| self.project.close(&p.text_document.uri))
            }
            _ => None,
        };
        match changed {
            Some(file) => {
                self.project.analyse();
                self.publish(file)
            }
            None => Vec::new(),
        }
    }

    /// `publishDiagnostics` for `file` (always: the editor waits for it) and for every
    /// other source whose diagnostics changed.
    fn publish(&mut self, file: FileId) -> Vec<Message> {
        let project = &self.project;
        let analysis = &project.analysis;
        self.published
            .resize(analysis.diagnostics.len(), Vec::new());
        let mut out = Vec::new();
        for (idx, found) in analysis.diagnostics.iter().enumerate() {
            let id = FileId(idx as u32);
            let converted: Vec<lsp_types::Diagnostic> = found
                .iter()
                .map(|it| diagnostics::to_lsp(project, it))
                .collect();
            if id != file && self.published[idx] == converted {
                continue;
            }
            let Some(uri) = project.uri_of(id) else {
                continue;
            };
            let params = PublishDiagnosticsParams {
                uri,
                version: project.doc(id).and_then(|it| it.version),
                diagnostics: converted.clone(),
            };
            self.published[idx] = converted;
            out.push(Message::Notification(Notification::new(
                note::PublishDiagnostics::METHOD.to_string(),
                params,
            )));
        }
        out
    }

    fn file(&self, uri: &Uri) -> Result<FileId, Answer> {
        self.project.find(uri).ok_or_else(|| {
            (
                ErrorCode::InvalidParams,
                format!("`{}` is not a file of this project", uri.as_str()),
            )
        })
    }

    /// The file and byte offset of a position (clamped to the text).
    fn position(&self, at: &TextDocumentPositionParams) -> Result<(FileId, u32), Answer> {
        let file = self.file(&at.text_document.uri)?;
        let doc = self
            .project
            .doc(file)
            .ok_or((ErrorCode::InternalError, String::new()))?;
        Ok((file, doc.lines.offset(&doc.text, at.position)))
    }
}

/// An error answer: its code and message.
type Answer = (ErrorCode, String);

fn parse<T: DeserializeOwned>(params: Value) -> Result<T, Answer> {
    serde_json::from_value(params).map_err(|err| (ErrorCode::InvalidParams, err.to_string()))
}

fn to_value(value: impl serde::Serialize) -> Result<Value, Answer> {
    serde_json::to_value(value).map_err(|err| (ErrorCode::InternalError, err.to_string()))
}

/// An error response written by hand: its id may be `null`, which `RequestId` cannot be.
fn error_body(id: Value, code: ErrorCode, message: &str) -> String {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code as i32, "message": message },
    })
    .to_string()
}

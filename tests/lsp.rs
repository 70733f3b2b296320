//! `fluxo lsp` driven as a process over stdio, as an editor drives it: a scripted
//! session (open, an edit with an error and its diagnostic, the fix, hover, completion,
//! definition, references, rename across two files, formatting, symbols, folding) and
//! malformed input (bad framing, bad JSON, unknown methods, positions past the end),
//! which must never end the session, and files it cannot read (a FIFO, a device, a file
//! past the limit), logged and reported with the reason the CLI gives.

use std::io::{BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

const EMPRESA: &str = "\
department suporte \"Suporte técnico\"
group noc \"NOC - Plantão\"

flow atendimento \"Falar com um atendente\" {
    transfer to suporte
}
";

const MAIN: &str = "\
flow main \"Início\" {
    say \"Olá, {user_name}!\"
    ask \"Qual é o seu CPF?\" input cpf as documento (retries: 3, fail_flow: atendimento)
    notify(group: noc, message: \"CPF {documento}\")
    goto atendimento
}
";

struct Session {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Notifications read while waiting for something else.
    held: Vec<Value>,
    next_id: i64,
    root: PathBuf,
}

impl Session {
    fn start(name: &str, files: &[(&str, &str)]) -> Session {
        let root = std::env::temp_dir().join(format!("fluxo-lsp-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        for (file, text) in files {
            std::fs::write(root.join(file), text).unwrap();
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_fluxo"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("fluxo lsp starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            while let Ok(Some(frame)) = fluxo_lsp::transport::read(&mut stdout) {
                let fluxo_lsp::transport::Frame::Body(body) = frame else {
                    panic!("the server wrote a malformed frame: {frame:?}");
                };
                let value: Value = serde_json::from_str(&body).expect("the server writes JSON");
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        Session {
            child,
            stdin,
            messages,
            held: Vec::new(),
            next_id: 1,
            root,
        }
    }

    fn uri(&self, file: &str) -> String {
        fluxo_lsp::file_uri(&self.root.join(file))
            .unwrap()
            .as_str()
            .to_string()
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    fn next(&mut self) -> Value {
        // A guard against a hung server, not a speed test.
        self.messages
            .recv_timeout(Duration::from_secs(60))
            .expect("the server answers")
    }

    /// Sends a request and returns its response, holding notifications read meanwhile.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.response(json!(id))
    }

    fn response(&mut self, id: Value) -> Value {
        loop {
            let message = self.next();
            if message.get("method").is_none() && message["id"] == id {
                return message;
            }
            self.held.push(message);
        }
    }

    fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next diagnostics published for `file`.
    fn diagnostics(&mut self, file: &str) -> Vec<Value> {
        let uri = self.uri(file);
        let is_it = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
        };
        if let Some(at) = self.held.iter().position(is_it) {
            let message = self.held.remove(at);
            return message["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let message = self.next();
            if is_it(&message) {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.held.push(message);
        }
    }

    fn initialize(&mut self) -> Value {
        let root = self.uri("");
        let result = self.result(
            "initialize",
            json!({"processId": null, "rootUri": root, "capabilities": {}}),
        );
        self.notify("initialized", json!({}));
        result
    }

    fn open(&mut self, file: &str, text: &str) {
        let uri = self.uri(file);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "fluxo", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, file: &str, version: i64, text: &str) {
        let uri = self.uri(file);
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn at(&self, file: &str, line: u32, character: u32) -> Value {
        json!({"textDocument": {"uri": self.uri(file)}, "position": {"line": line, "character": character}})
    }

    /// Ends the session as the protocol says; the exit code must be 0.
    fn shutdown(mut self) {
        let result = self.result("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert_eq!(status.code(), Some(0));
        let _ = std::fs::remove_dir_all(&self.root);
    }

    /// A JSON answer with this session's folder written as `ROOT`, for snapshots.
    fn redact(&self, value: &Value) -> String {
        let text = serde_json::to_string_pretty(value).unwrap();
        text.replace(&self.uri(""), "file:///ROOT/")
    }
}

/// The line and column of the first `needle` in `text` (columns in UTF-16 units).
fn find(text: &str, needle: &str) -> (u32, u32) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in the text"));
    let line = text[..at].matches('\n').count() as u32;
    let start = text[..at].rfind('\n').map_or(0, |it| it + 1);
    (line, text[start..at].encode_utf16().count() as u32)
}

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|it| it["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_scripted_editing_session() {
    let mut s = Session::start("session", &[("empresa.flow", EMPRESA), ("main.flow", MAIN)]);
    let init = s.initialize();
    let caps = &init["capabilities"];
    for cap in [
        "hoverProvider",
        "completionProvider",
        "definitionProvider",
        "referencesProvider",
        "renameProvider",
        "documentFormattingProvider",
        "documentSymbolProvider",
        "foldingRangeProvider",
    ] {
        assert!(!caps[cap].is_null(), "{cap} is announced: {init}");
    }

    // Open: the program is clean.
    s.open("main.flow", MAIN);
    assert_eq!(s.diagnostics("main.flow"), Vec::<Value>::new());

    // An edit with an error: an unknown group, with its code and a hint.
    let broken = MAIN.replace("group: noc", "group: nco");
    s.change("main.flow", 2, &broken);
    let found = s.diagnostics("main.flow");
    assert_eq!(found.len(), 1, "{found:?}");
    let (line, col) = find(&broken, "nco");
    assert_eq!(found[0]["code"], "E0201", "{found:?}");
    assert_eq!(found[0]["severity"], 1);
    assert_eq!(
        found[0]["range"]["start"],
        json!({"line": line, "character": col})
    );
    assert_eq!(
        found[0]["range"]["end"],
        json!({"line": line, "character": col + 3})
    );
    insta::assert_snapshot!("lsp_unknown_group", s.redact(&json!(found)));

    // The fix: diagnostics are empty again.
    s.change("main.flow", 3, MAIN);
    assert_eq!(s.diagnostics("main.flow"), Vec::<Value>::new());

    // Hover: a card's documentation, a variable's type, a flow's title, a department.
    let (line, col) = find(MAIN, "notify");
    let hover = s.result("textDocument/hover", s.at("main.flow", line, col + 2));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("notify(group: <group>, message:"), "{text}");
    assert!(text.contains("`group: group` (required)"), "{text}");
    let (line, col) = find(MAIN, "ask");
    let hover = s.result("textDocument/hover", s.at("main.flow", line, col));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("input <type> as <var>"), "{text}");
    let (line, col) = find(MAIN, "{documento}");
    let hover = s.result("textDocument/hover", s.at("main.flow", line, col + 3));
    insta::assert_snapshot!(
        "lsp_hover_variable",
        hover["contents"]["value"].as_str().unwrap()
    );
    let (line, col) = find(MAIN, "goto atendimento");
    let hover = s.result("textDocument/hover", s.at("main.flow", line, col + 7));
    insta::assert_snapshot!(
        "lsp_hover_flow",
        hover["contents"]["value"].as_str().unwrap()
    );
    let (line, col) = find(EMPRESA, "to suporte");
    let hover = s.result("textDocument/hover", s.at("empresa.flow", line, col + 4));
    insta::assert_snapshot!(
        "lsp_hover_department",
        hover["contents"]["value"].as_str().unwrap()
    );

    // Completion: cards at a statement, argument names in a call, flows after goto,
    // declared names and enum values for a parameter.
    let typing = MAIN.replace(
        "    goto atendimento\n",
        "    goto \n    when channel {\n        \n    }\n    survey(target: )\n    notify(\n",
    );
    s.change("main.flow", 4, &typing);
    let _ = s.diagnostics("main.flow");
    let (line, col) = find(&typing, "goto ");
    let items = s.result("textDocument/completion", s.at("main.flow", line, col + 5));
    assert_eq!(labels(&items), ["atendimento", "main"]);
    let (line, col) = find(&typing, "notify(\n");
    let items = s.result("textDocument/completion", s.at("main.flow", line, col + 7));
    insta::assert_snapshot!("lsp_complete_arguments", s.redact(&items));
    let (line, col) = find(&typing, "say ");
    let items = s.result("textDocument/completion", s.at("main.flow", line, col));
    let cards = labels(&items);
    for expected in [
        "say",
        "ask",
        "transfer",
        "notify",
        "erp.second_copy",
        "documento",
        "user_name",
    ] {
        assert!(
            cards.iter().any(|it| it == expected),
            "{expected} in {cards:?}"
        );
    }
    let (line, col) = find(&typing, "group: noc");
    let items = s.result("textDocument/completion", s.at("main.flow", line, col + 7));
    assert_eq!(labels(&items), ["noc"]);
    let (line, _) = find(&typing, "when channel {");
    let items = s.result("textDocument/completion", s.at("main.flow", line + 1, 8));
    let arms = labels(&items);
    for expected in ["whatsapp", "telegram", "else"] {
        assert!(
            arms.iter().any(|it| it == expected),
            "{expected} in {arms:?}"
        );
    }
    let (line, col) = find(&typing, "target: )");
    let items = s.result("textDocument/completion", s.at("main.flow", line, col + 8));
    assert_eq!(labels(&items), ["company", "attendant", "both"]);
    s.change("main.flow", 5, MAIN);
    let _ = s.diagnostics("main.flow");

    // Definition and references, across files.
    let (line, col) = find(MAIN, "goto atendimento");
    let definition = s.result("textDocument/definition", s.at("main.flow", line, col + 6));
    let (def_line, def_col) = find(EMPRESA, "atendimento");
    assert_eq!(definition["uri"], s.uri("empresa.flow"));
    assert_eq!(
        definition["range"]["start"],
        json!({"line": def_line, "character": def_col})
    );
    let mut params = s.at("empresa.flow", def_line, def_col);
    params["context"] = json!({"includeDeclaration": true});
    let references = s.result("textDocument/references", params);
    insta::assert_snapshot!("lsp_references", s.redact(&references));

    // Rename a flow: its declaration and both uses, in two files.
    let (line, col) = find(MAIN, "fail_flow: atendimento");
    let mut params = s.at("main.flow", line, col + 12);
    let prepared = s.result("textDocument/prepareRename", params.clone());
    assert_eq!(prepared["placeholder"], "atendimento");
    params["newName"] = json!("humano");
    let edit = s.result("textDocument/rename", params.clone());
    insta::assert_snapshot!("lsp_rename", s.redact(&edit));
    // Rename a variable: where the card binds it and where a string reads it.
    let (line, col) = find(MAIN, "as documento");
    let mut renamed = s.at("main.flow", line, col + 4);
    renamed["newName"] = json!("cpf_cliente");
    let edit = s.result("textDocument/rename", renamed);
    let edits = edit["changes"][s.uri("main.flow")]
        .as_array()
        .unwrap()
        .clone();
    let (bind, read) = (find(MAIN, "documento ("), find(MAIN, "documento}"));
    let starts: Vec<Value> = edits
        .iter()
        .map(|it| it["range"]["start"].clone())
        .collect();
    assert_eq!(
        starts,
        [
            json!({"line": bind.0, "character": bind.1}),
            json!({"line": read.0, "character": read.1})
        ]
    );
    params["newName"] = json!("Não Pode");
    let refused = s.request("textDocument/rename", params);
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not a name"));

    // Formatting: the canonical layout as one edit.
    let messy = MAIN
        .replace("    say", "  say")
        .replace("retries: 3,", "retries:3 ,");
    s.change("main.flow", 6, &messy);
    let _ = s.diagnostics("main.flow");
    let edits = s.result(
        "textDocument/formatting",
        json!({"textDocument": {"uri": s.uri("main.flow")}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(edits.as_array().unwrap().len(), 1, "{edits}");
    assert_eq!(edits[0]["newText"], MAIN);
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 0, "character": 0})
    );

    // Document symbols and folding.
    let symbols = s.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": s.uri("empresa.flow")}}),
    );
    insta::assert_snapshot!("lsp_symbols", s.redact(&symbols));
    let folds = s.result(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": s.uri("empresa.flow")}}),
    );
    assert_eq!(folds, json!([{"startLine": 3, "endLine": 5}]));
    s.shutdown();
}

#[test]
fn malformed_input_never_ends_the_session() {
    let mut s = Session::start("malformed", &[("main.flow", MAIN)]);
    // Before `initialize`, requests are refused.
    let early = s.request("textDocument/hover", s.at("main.flow", 0, 0));
    assert_eq!(early["error"]["code"], -32002);
    // In the workspace, files that are no regular files: a FIFO (opening it would wait
    // for a writer forever) and a link to a device that never ends. Neither is read.
    let fifo = s.root.join("fifo.flow");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", s.root.join("zero.flow")).unwrap();
    s.initialize();
    s.open("main.flow", MAIN);
    let _ = s.diagnostics("main.flow");
    // Bad JSON in a good frame: a parse error with a null id.
    s.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let answer = s.next();
    assert_eq!(answer["error"]["code"], -32700, "{answer}");
    assert_eq!(answer["id"], Value::Null);
    // JSON that is no JSON-RPC message.
    s.send_raw(b"Content-Length: 12\r\n\r\n{\"id\":[1,2]}");
    assert_eq!(s.next()["error"]["code"], -32600);
    // Bad framing: headers without a length, a length that is no number; skipped.
    s.send_raw(b"Content-Type: x\r\n\r\nContent-Length: many\r\n\r\n");
    // An unknown method, an unknown notification, bad parameters.
    let unknown = s.request("fluxo/nothing", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    s.notify("fluxo/nothing", json!([1, 2, 3]));
    let bad = s.request("textDocument/hover", json!({"textDocument": 7}));
    assert_eq!(bad["error"]["code"], -32602);
    let elsewhere = s.request("textDocument/hover", s.at("nowhere.flow", 0, 0));
    assert_eq!(elsewhere["error"]["code"], -32602);
    // Positions past the end of a line and of the file, and edits past the end.
    for (line, col) in [(0, 10_000), (10_000, 0), (u32::MAX, u32::MAX)] {
        let _ = s.result("textDocument/hover", s.at("main.flow", line, col));
        let _ = s.result("textDocument/completion", s.at("main.flow", line, col));
        let _ = s.result("textDocument/definition", s.at("main.flow", line, col));
    }
    let uri = s.uri("main.flow");
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 99, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "// é\n"}
        ]}),
    );
    let _ = s.diagnostics("main.flow");
    // Still answering.
    let (line, col) = find(MAIN, "notify");
    let hover = s.result("textDocument/hover", s.at("main.flow", line, col));
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("notify"));
    s.shutdown();
}

#[test]
fn files_it_cannot_read_are_logged_and_reported_with_the_clis_reason() {
    let scripted = format!("script sinal \"fifo.rhai\" -> {{ x: text }}\n{MAIN}");
    let mut s = Session::start(
        "unreadable",
        &[("empresa.flow", EMPRESA), ("main.flow", &scripted)],
    );
    // A workspace `.flow` file past the input limit (sparse: nothing is written), a
    // FIFO and a link to a device, and a FIFO where a script is named.
    std::fs::File::create(s.root.join("big.flow"))
        .and_then(|file| file.set_len((64 << 20) + 1))
        .unwrap();
    for fifo in ["fifo.flow", "fifo.rhai"] {
        let made = Command::new("mkfifo").arg(s.root.join(fifo)).status();
        assert!(made.unwrap().success());
    }
    std::os::unix::fs::symlink("/dev/zero", s.root.join("zero.flow")).unwrap();
    s.initialize();
    // The script's reason is its diagnostic's, as `fluxo check` prints it.
    s.open("main.flow", &scripted);
    let found = s.diagnostics("main.flow");
    let unreadable = found
        .iter()
        .find(|it| it["code"] == "E0418")
        .unwrap_or_else(|| panic!("E0418 in {found:?}"));
    assert!(
        unreadable["message"]
            .as_str()
            .unwrap()
            .contains("not a regular file (a FIFO); only regular files are read"),
        "{unreadable}"
    );
    // A file closed after it left the disk is read as empty, and why is logged.
    s.open("empresa.flow", EMPRESA);
    let _ = s.diagnostics("empresa.flow");
    std::fs::remove_file(s.root.join("empresa.flow")).unwrap();
    s.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": s.uri("empresa.flow")}}),
    );
    let _ = s.diagnostics("empresa.flow");
    // A round trip: whatever the server sent before its answer is held by then.
    let _ = s.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": s.uri("main.flow")}}),
    );
    let root = format!("{}/", s.root.display());
    let logged: Vec<String> = s
        .held
        .iter()
        .filter(|it| it["method"] == "window/logMessage")
        .map(|it| {
            assert_eq!(it["params"]["type"], 2, "a warning: {it}");
            it["params"]["message"]
                .as_str()
                .unwrap()
                .replace(&root, "ROOT/")
        })
        .collect();
    assert_eq!(
        logged,
        [
            "fluxo lsp: skipped ROOT/big.flow: 67108865 bytes, more than the 64 MiB allowed for an input file",
            "fluxo lsp: skipped ROOT/fifo.flow: not a regular file (a FIFO); only regular files are read",
            "fluxo lsp: skipped ROOT/zero.flow: not a regular file (a character device); only regular files are read",
            "fluxo lsp: closed ROOT/empresa.flow, taken as empty: no such file or directory",
        ]
    );
    s.shutdown();
}

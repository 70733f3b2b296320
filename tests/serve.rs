//! `fluxo serve` driven as a user drives it: the real binary on loopback, its generic
//! API checked against its own OpenAPI document, its transcripts against `fluxo run`'s
//! for the same messages, and its durability by SIGKILL and restart (acknowledged
//! messages kept and handled in order, timers firing after the restart). A write host
//! call in flight when the server dies is never sent again: two servers share one data
//! folder's disk state in-process, the first stuck inside the write, and the second
//! finishes the turn with "outcome unknown".

#[path = "serve/client.rs"]
mod client;
#[path = "serve/openapi.rs"]
mod openapi;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::Value;

use client::{fluxo_run, program_saying, publish, request, scratch, Server, Sink};

fn provedor() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/provedor")
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// Asserts that `body` is what the document says `method path` answers with `status`.
fn conforms(doc: &Value, path: &str, method: &str, status: u16, body: &str) {
    let schema = openapi::response_schema(doc, path, method, status);
    let problems = openapi::violations(doc, schema, &json(body));
    assert!(
        problems.is_empty(),
        "{method} {path} {status}: {problems:?}\n{body}"
    );
}

const MESSAGES: &str = "/v1/conversations/{key}/messages";

#[test]
fn a_conversation_over_http_reads_as_fluxo_run_prints_it() {
    let data = scratch("contract");
    let server = Server::start(&provedor(), &data, &[]);
    let (status, doc) = server.get("/v1/openapi.json");
    assert_eq!(status, 200);
    let doc = json(&doc);
    assert_eq!(doc["openapi"], "3.0.3");
    // The platforms' webhooks are in the document; with no channel configured they
    // answer 404, saying which table turns them on.
    for (method, path) in [
        ("GET", "/v1/channels/whatsapp/webhook"),
        ("POST", "/v1/channels/whatsapp/webhook"),
        ("POST", "/v1/channels/telegram/webhook"),
    ] {
        let body = (method == "POST").then_some("{}");
        let (status, answer) = request(&server.addr, method, path, body, &[]);
        assert_eq!(status, 404, "{method} {path}: {answer}");
        conforms(&doc, path, &method.to_lowercase(), 404, &answer);
        assert!(answer.contains("[channels."), "{answer}");
    }

    let (status, body) = server.say("ana", "m-1", "oi", true);
    assert_eq!(status, 200, "{body}");
    conforms(&doc, MESSAGES, "post", 200, &body);
    let reply = json(&body);
    assert_eq!(reply["wait"], "customer");
    assert_eq!(reply["outputs"][0]["type"], "text");
    assert!(reply["outputs"][0]["text"]
        .as_str()
        .unwrap()
        .contains("Você autoriza o envio de mensagens?"));

    let (status, body) = server.say("ana", "m-2", "1", false);
    assert_eq!(status, 202, "{body}");
    conforms(&doc, MESSAGES, "post", 202, &body);
    assert_eq!(json(&body)["duplicate"], false);
    // The same id again: acknowledged, nothing changes; with wait, the same reply.
    let (status, body) = server.say("ana", "m-2", "1", false);
    assert_eq!(
        (status, json(&body)["duplicate"].clone()),
        (202, Value::Bool(true))
    );
    let (status, first) = server.say("ana", "m-2", "1", true);
    assert_eq!(status, 200, "{first}");
    let (_, again) = server.say("ana", "m-2", "2", true);
    assert_eq!(first, again);
    assert!(json(&first)["outputs"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("Olá, Ana!"));

    let (status, body) = server.get("/v1/conversations/ana");
    assert_eq!(status, 200, "{body}");
    conforms(&doc, "/v1/conversations/{key}", "get", 200, &body);
    let state = json(&body);
    assert!(state["variables"].is_object(), "{body}");
    assert_eq!(
        (state["wait"].as_str(), state["flow"].as_str()),
        (Some("customer"), Some("main"))
    );
    let (status, body) = server.get("/v1/conversations/nobody");
    assert_eq!(status, 404);
    conforms(&doc, "/v1/conversations/{key}", "get", 404, &body);
    let (status, body) = server.post("/v1/conversations/ana/messages", r#"{"text": "sem id"}"#);
    assert_eq!(status, 400);
    conforms(&doc, MESSAGES, "post", 400, &body);
    assert!(body.contains("id"), "{body}");

    let inputs = ["1", "1", "1", "1", "2", "5"];
    let mut last = Value::Null;
    for (n, text) in inputs.iter().enumerate().skip(1) {
        let (status, body) = server.say("ana", &format!("m-{}", n + 2), text, true);
        assert_eq!(status, 200, "{body}");
        conforms(&doc, MESSAGES, "post", 200, &body);
        last = json(&body);
    }
    assert_eq!(
        (last["wait"].as_str(), last["ending"].as_str()),
        (Some("done"), Some("closed"))
    );
    assert_eq!(server.transcript("ana"), fluxo_run(&provedor(), &inputs));

    let (status, metrics) = server.get("/metrics");
    assert_eq!(status, 200);
    assert!(
        metrics
            .contains("fluxo_inbound_messages_total{channel=\"generic\",result=\"duplicate\"} 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("fluxo_card_visits_total{flow=\"main\""),
        "{metrics}"
    );
    assert_eq!(server.get("/healthz").0, 200);
    assert_eq!(server.get("/readyz").0, 200);
}

#[test]
fn a_killed_server_restarts_and_the_conversation_goes_on_in_order() {
    let data = scratch("restart");
    let server = Server::start(&provedor(), &data, &[]);
    assert_eq!(server.say("bia", "m-1", "oi", true).0, 200);
    assert_eq!(server.say("bia", "m-2", "1", true).0, 200);
    // Acknowledged (stored), then SIGKILL before or while its turn runs.
    assert_eq!(server.say("bia", "m-3", "1", false).0, 202);
    server.kill();

    let server = Server::start(&provedor(), &data, &[]);
    // A burst without waiting, then one that waits: turns run strictly in order.
    for (id, text) in [("m-4", "1"), ("m-5", "1"), ("m-6", "2")] {
        assert_eq!(server.say("bia", id, text, false).0, 202);
    }
    let (status, body) = server.say("bia", "m-7", "5", true);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["wait"], "done");
    // A message acknowledged before the kill is a duplicate now.
    assert_eq!(
        json(&server.say("bia", "m-3", "1", false).1)["duplicate"],
        true
    );
    let inputs = ["1", "1", "1", "1", "2", "5"];
    assert_eq!(server.transcript("bia"), fluxo_run(&provedor(), &inputs));
}

#[test]
fn timers_fire_after_a_restart() {
    let data = scratch("timers");
    let flow = data.join("espera.flow");
    std::fs::write(
        &flow,
        "flow main {\n    say \"Oi\"\n    wait 2s\n    say \"Depois\"\n    end\n}\n",
    )
    .unwrap();
    let server = Server::start(&flow, &data, &[]);
    let (status, body) = server.say("c", "m-1", "oi", true);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["wait"], "timer");
    // A message during the wait queues; the timer keeps its time.
    let (status, body) = server.say("c", "m-2", "olá", true);
    assert_eq!((status, json(&body)["wait"].as_str()), (200, Some("timer")));
    server.kill();

    let server = Server::start(&flow, &data, &[]);
    let transcript = server.transcript_when("c", |it| it.contains("Depois"));
    assert_eq!(transcript, "< Oi\n= wait 2s\n> olá\n< Depois\n= end\n");
    let (_, state) = server.get("/v1/conversations/c");
    assert_eq!(json(&state)["wait"], "done");
}

#[test]
fn off_loopback_the_server_needs_a_token_and_names_missing_secrets() {
    let data = scratch("token");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_fluxo"))
            .arg("serve")
            .arg(provedor())
            .arg("--data")
            .arg(&data)
            .args(args)
            .env_remove("FLUXO_TEST_MISSING_TOKEN")
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };
    let (code, stderr) = run(&["--listen", "0.0.0.0:0"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("api_token_env"), "{stderr}");
    let config = data.join("fluxo.toml");
    std::fs::write(
        &config,
        "[server]\napi_token_env = \"FLUXO_TEST_MISSING_TOKEN\"\n",
    )
    .unwrap();
    let (code, stderr) = run(&[
        "--listen",
        "127.0.0.1:0",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("[server] api_token_env names the environment variable FLUXO_TEST_MISSING_TOKEN, which is not set"),
        "{stderr}"
    );
    std::fs::write(&config, "[server]\nlisten_to = \"127.0.0.1:1\"\n").unwrap();
    let (code, stderr) = run(&["--config", config.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("listen_to"), "{stderr}");
}

/// A conversation key holding a CPF (as a careless integration might build one).
const CPF_KEY: &str = "cpf-52998224725";

#[test]
fn outputs_and_handoffs_are_delivered_in_order_and_the_admin_api_works() {
    let data = scratch("operations");
    let sink = Sink::start(1);
    let config = data.join("fluxo.toml");
    let text = format!(
        "[server]\nwebhook_url = \"http://{0}/out\"\nadmin_token_env = \"FLUXO_TEST_ADMIN\"\n\
         messages_per_minute = 6\nmax_body_bytes = 2048\nlog_format = \"json\"\n\n[handoff]\nurl = \"http://{0}/handoff\"\n",
        sink.addr
    );
    std::fs::write(&config, text).unwrap();
    let server = Server::start_with_env(
        &provedor(),
        &data,
        &["--config", config.to_str().unwrap()],
        &[("FLUXO_TEST_ADMIN", "s3cret")],
    );
    let inputs = ["oi", "1", "5", "Minha fatura veio com valor errado"];
    let mut outputs = 0;
    for (n, text) in inputs.iter().enumerate() {
        let (status, body) = server.say("ana", &format!("m-{n}"), text, true);
        assert_eq!(status, 200, "{body}");
        outputs += json(&body)["outputs"].as_array().unwrap().len();
    }
    // Every output once, in order, and the hand-off record; the first attempt failed
    // (500) and was retried with the same idempotency key.
    let received = sink.wait_for(outputs + 2);
    assert_eq!(received[0].idempotency_key, received[1].idempotency_key);
    let delivered = &received[1..];
    let keys: Vec<&str> = delivered
        .iter()
        .map(|it| it.idempotency_key.as_str())
        .collect();
    let expected: Vec<String> = (1..=delivered.len()).map(|n| format!("ana/{n}")).collect();
    assert_eq!(keys, expected);
    let handoff = delivered
        .iter()
        .find(|it| it.path == "/handoff")
        .expect("a hand-off");
    assert_eq!(handoff.body["department"], "suporte");
    assert_eq!(handoff.body["protocol"], "20261123000001");
    assert_eq!(
        handoff.body["description"],
        "Minha fatura veio com valor errado"
    );
    assert_eq!(handoff.body["customer"]["customer_id"], "1001");
    assert!(handoff.body["tags"].is_array() && handoff.body["contact"].is_object());
    let first = &delivered[0].body;
    assert_eq!(
        (first["kind"].as_str(), first["output"]["type"].as_str()),
        (Some("output"), Some("text"))
    );

    // Limits: the body size and the rate per conversation.
    let big = format!("{{\"id\": \"big\", \"text\": \"{}\"}}", "x".repeat(4000));
    assert_eq!(server.post("/v1/conversations/other/messages", &big).0, 413);
    let statuses: Vec<u16> = (0..8)
        .map(|n| server.say(CPF_KEY, &format!("r-{n}"), "oi", false).0)
        .collect();
    assert_eq!(statuses, [202, 202, 202, 202, 202, 202, 429, 429]);

    // The admin API: a token, a list, ending, erasing, publishing a version.
    let admin = |method: &str, path: &str, body: Option<&str>| {
        request(
            &server.addr,
            method,
            path,
            body,
            &[("Authorization", "Bearer s3cret")],
        )
    };
    assert_eq!(
        request(&server.addr, "GET", "/v1/admin/conversations", None, &[]).0,
        401
    );
    let (status, list) = admin("GET", "/v1/admin/conversations?status=done", None);
    assert_eq!(status, 200, "{list}");
    let keys: Vec<String> = json(&list)["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| it["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys, ["ana"]);
    let _ = server.transcript_when(CPF_KEY, |it| !it.is_empty());
    assert_eq!(
        admin(
            "POST",
            &format!("/v1/admin/conversations/{CPF_KEY}/end"),
            None
        )
        .0,
        200
    );
    assert_eq!(
        json(&server.get(&format!("/v1/conversations/{CPF_KEY}")).1)["ending"],
        "ended by an operator"
    );
    assert_eq!(
        admin(
            "POST",
            &format!("/v1/admin/conversations/{CPF_KEY}/end"),
            None
        )
        .0,
        404
    );
    let (status, erased) = admin("DELETE", &format!("/v1/admin/contacts/{CPF_KEY}"), None);
    assert_eq!(
        (status, json(&erased)["erased_conversations"].as_u64()),
        (200, Some(1))
    );
    assert_eq!(
        server
            .get(&format!("/v1/conversations/{CPF_KEY}/transcript"))
            .0,
        404
    );
    // JSON logs, one object per line, with the CPF in the key masked.
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(!log.contains(CPF_KEY), "{log}");
    let ended = log
        .lines()
        .map(json)
        .find(|it| it["message"] == "ended by an operator")
        .expect("the end is logged");
    assert_eq!(ended["conversation"], "cpf-529.***.***-25");

    // A conversation waiting on the first version stays on it after a publish.
    assert_eq!(server.say("old", "o-1", "oi", true).0, 200);
    let bytes = program_saying(&data, "Versão nova");
    let published = publish(&server.addr, &bytes);
    assert_eq!(published.0, 201, "{}", published.1);
    let (_, reply) = server.say("new", "n-1", "oi", true);
    assert_eq!(json(&reply)["outputs"][0]["text"], "Versão nova");
    assert_eq!(
        json(&server.get("/v1/conversations/new").1)["program"],
        json(&published.1)["program"]
    );
}

/// The simulated ERP, counting write calls; `stuck` never answers one (the server
/// "dies" inside the call).
struct CountingWorld {
    erp: fluxo_host::erp::SimulatedErp,
    writes: Arc<AtomicUsize>,
    stuck: bool,
}

impl fluxo_server::World for CountingWorld {
    fn load(&self, _: u64, _: &fluxo_runtime::bytecode::Program) -> Result<(), String> {
        Ok(())
    }

    fn answer(
        &self,
        _: u64,
        call: &fluxo_runtime::session::HostCall,
        now: i64,
    ) -> (fluxo_runtime::session::HostResult, Vec<String>) {
        use fluxo_runtime::session::{HostCall, HostResult};
        let result = match call {
            HostCall::Erp { request } => {
                if !request.is_read() {
                    self.writes.fetch_add(1, Ordering::SeqCst);
                    if self.stuck {
                        // The server "dies" here: the call never returns.
                        loop {
                            std::thread::park();
                        }
                    }
                }
                HostResult::Erp(self.erp.handle(request, fluxo_runtime::clock::today(now)))
            }
            HostCall::Intent { .. } => HostResult::Intent(None),
            HostCall::Lowcode { .. } => HostResult::Lowcode(Err("no scripts here".into())),
            HostCall::Agent { .. } => HostResult::Agent(None),
        };
        (result, Vec::new())
    }
}

/// Starts an in-process server on `data` with `world`; its address.
fn serve_in_process(data: &Path, world: CountingWorld) -> String {
    let sources = fluxo::files::load_program(&provedor()).unwrap();
    let compiled = fluxo_compiler::compile(&sources, &fluxo_compiler::CompileOptions::default());
    let program = compiled.program.unwrap().to_bytes();
    let mut context = fluxo_runtime::session::Context::new(0);
    context.company_name = "Provedor Exemplo".into();
    context.protocol = "20261123000001".into();
    let mut settings = fluxo_server::Settings::new(context);
    settings.now = fluxo_runtime::clock::parse_rfc3339(client::NOW);
    let options = fluxo_server::Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        data: data.to_path_buf(),
        store: None,
        program,
        settings,
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = fluxo_server::run(options, Arc::new(world), |addr| {
            let _ = tx.send(addr.to_string());
        });
    });
    rx.recv().unwrap()
}

#[test]
fn a_write_in_flight_at_a_crash_is_never_sent_again() {
    let data = scratch("journal");
    let fixture = std::fs::read_to_string(provedor().join("erp-demo.json")).unwrap();
    let world = |writes: &Arc<AtomicUsize>, stuck| CountingWorld {
        erp: fluxo_host::erp::SimulatedErp::from_json(&fixture).unwrap(),
        writes: Arc::clone(writes),
        stuck,
    };
    let first_writes = Arc::new(AtomicUsize::new(0));
    let first = serve_in_process(&data, world(&first_writes, true));
    // Opt in, Financeiro, Desbloqueio, the second contract: its trust unlock is a write.
    for (n, text) in ["oi", "1", "1", "2", "2"].iter().enumerate() {
        let body = serde_json::json!({"id": format!("m-{n}"), "text": text,
            "contact": {"name": "Ana", "phone": "+5548999990000"}});
        let (status, _) = client::request(
            &first,
            "POST",
            "/v1/conversations/ana/messages",
            Some(&body.to_string()),
            &[],
        );
        assert_eq!(status, 202);
    }
    let stuck = Server::poll(&first, "ana", "write");
    assert_eq!(stuck["wait"], "write");
    // The checkpoint is durable before the call starts: wait for the call itself.
    for _ in 0..400 {
        if first_writes.load(Ordering::SeqCst) > 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    assert_eq!(first_writes.load(Ordering::SeqCst), 1);

    // The disk as the first server left it (it never finishes the write): what a
    // restart after a crash finds. The first still holds the folder's lock.
    let copy = scratch("journal-copy");
    for file in ["fluxo.db", "fluxo.db-wal"] {
        std::fs::copy(data.join(file), copy.join(file)).unwrap();
    }
    let second_writes = Arc::new(AtomicUsize::new(0));
    let second = serve_in_process(&copy, world(&second_writes, false));
    let state = Server::poll(&second, "ana", "customer");
    assert_eq!(state["wait"], "customer");
    assert_eq!(
        second_writes.load(Ordering::SeqCst),
        0,
        "the write was sent again"
    );
    let (_, transcript) = client::request(
        &second,
        "GET",
        "/v1/conversations/ana/transcript",
        None,
        &[],
    );
    assert_eq!(
        transcript.matches("= erp trust_unlock 5002").count(),
        1,
        "{transcript}"
    );
    let after = transcript
        .split("= erp trust_unlock 5002\n")
        .nth(1)
        .unwrap();
    assert!(!after.contains("foi desbloqueada"), "{after}");
    // The journal says so; the request itself (which may hold a password) is not in it.
    use fluxo_server::store::Store;
    let store = fluxo_server::store::sqlite::SqliteStore::open(&copy.join("fluxo.db")).unwrap();
    assert_eq!(
        store.journal("ana").unwrap(),
        [(
            "erp trust_unlock 5002".to_string(),
            Some("outcome unknown".to_string())
        )]
    );
}

#[test]
fn with_an_api_token_every_call_needs_it() {
    let data = scratch("api-token");
    let config = data.join("fluxo.toml");
    std::fs::write(&config, "[server]\napi_token_env = \"FLUXO_TEST_API\"\n").unwrap();
    let server = Server::start_with_env(
        &provedor(),
        &data,
        &["--config", config.to_str().unwrap()],
        &[("FLUXO_TEST_API", "t0ken")],
    );
    let body = r#"{"id": "m-1", "text": "oi"}"#;
    let path = "/v1/conversations/ana/messages";
    assert_eq!(server.post(path, body).0, 401);
    let wrong = [("Authorization", "Bearer t0kem")];
    assert_eq!(
        request(&server.addr, "POST", path, Some(body), &wrong).0,
        401
    );
    let right = [("Authorization", "Bearer t0ken")];
    assert_eq!(
        request(&server.addr, "POST", path, Some(body), &right).0,
        202
    );
    assert_eq!(server.get("/v1/conversations/ana/transcript").0, 401);
}

#[test]
fn one_data_folder_serves_one_server() {
    let data = scratch("lock");
    let _first = Server::start(&provedor(), &data, &[]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .arg("serve")
        .arg(provedor())
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("another fluxo serve is using this data folder"),
        "{stderr}"
    );
}

impl Server {
    /// Polls `GET /v1/conversations/key` at `addr` until it waits for `wait` (10 s).
    fn poll(addr: &str, key: &str, wait: &str) -> Value {
        let mut last = String::new();
        for _ in 0..200 {
            let (status, body) =
                client::request(addr, "GET", &format!("/v1/conversations/{key}"), None, &[]);
            if status == 200 && json(&body)["wait"] == wait {
                return json(&body);
            }
            last = body;
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("{key} never waited for {wait}: {last}");
    }
}

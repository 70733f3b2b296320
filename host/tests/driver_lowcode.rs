//! Low Code through the driver, in real time against a stand-in portal on loopback:
//! an endless loop, a server slower than the card's timeout, a host outside the
//! allow-list and a record of the wrong type each take the card's fail path promptly,
//! with the reason logged, and the conversation goes on to a script that reads the
//! portal for real. Also the synchronous host the CLI uses, which runs the same code.

mod driver_support;
mod lowcode_fake_http;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use driver_support::{compile_dir, context, FakeErp};
use fluxo_host::driver::{
    BlockingHost, ConversationId, Driver, Hosts, Level, MemoryLog, Outbound, Scripts,
};
use fluxo_host::lowcode::LowcodeConfig;
use fluxo_runtime::bytecode::Program;
use fluxo_runtime::session::{Effect, Ending, HostCall, HostResult, Output};
use lowcode_fake_http::{Reply, Request, Server};
use serde_json::{json, Map, Value};
use tokio::sync::mpsc;

const FLOWS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/driver/lowcode");

/// The portal: `/sinal` answers the reading for the protocol it is given; `/lento`
/// answers after 30 seconds.
fn portal(request: &Request) -> Reply {
    match request.path() {
        "/sinal" => {
            let protocol = request
                .query()
                .get("protocolo")
                .cloned()
                .unwrap_or_default();
            let body = json!({"dbm": -24.5, "olt": format!("OLT-{protocol}")}).to_string();
            Reply::json(200, &body)
        }
        "/lento" => Reply::html("enfim").delay(Duration::from_secs(30)),
        _ => Reply::new(404, "não encontrado"),
    }
}

/// The test program, its scripts pointed at `server`, and hosts allowed to reach it.
fn setup(server: &Server) -> (Arc<Program>, Hosts) {
    let program = compile_dir(Path::new(FLOWS));
    let scripts = Scripts::load(&program, &mut |path| {
        let text =
            std::fs::read_to_string(Path::new(FLOWS).join(path)).map_err(|it| it.to_string())?;
        Ok(text.replace("PORTAL", &server.host()))
    })
    .expect("the scripts compile");
    assert_eq!(scripts.len(), 5);
    let config = LowcodeConfig {
        allowed_hosts: vec![server.host()],
        ..LowcodeConfig::default()
    };
    let hosts = Hosts::new(Arc::new(FakeErp {
        delays: (1, 1),
        seed: 0,
    }))
    .with_scripts(scripts)
    .with_lowcode(config);
    (Arc::new(program), hosts)
}

fn text(it: &str) -> Outbound {
    Outbound::Output(Output::Text { text: it.into() })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_script_failure_takes_the_fail_path_and_the_conversation_goes_on() {
    let server = Server::start(portal);
    let (program, hosts) = setup(&server);
    let (outbox, mut inbox) = mpsc::channel(16);
    let log = Arc::new(MemoryLog::default());
    let driver = Driver::new(program, hosts, outbox, log.clone()).expect("inside a runtime");
    let id = ConversationId::from("sinal-42");
    let started = Instant::now();
    driver.open(id.clone(), None, context("42")).expect("opens");
    let mut items = Vec::new();
    let mut arrived = Vec::new();
    loop {
        let (from, item) = tokio::time::timeout(Duration::from_secs(60), inbox.recv())
            .await
            .expect("the conversation goes on")
            .expect("the driver is alive");
        assert_eq!(from, id);
        arrived.push(started.elapsed());
        let last = matches!(item, Outbound::Ended(_) | Outbound::Failed(_));
        items.push(item);
        if last {
            break;
        }
    }
    assert_eq!(
        items,
        vec![
            text("Início do protocolo 42."),
            text("Falhou: laço."),
            text("Falhou: lento."),
            text("Falhou: fora da lista."),
            text("Falhou: tipo errado."),
            text("Sinal -24,5 dBm na OLT-42, protocolo 42."),
            Outbound::Output(Output::Effect {
                effect: Effect::End
            }),
            Outbound::Ended(Ending::Closed),
        ]
    );
    // The slow portal holds its answer for 30 s; the card gave up after its 1 s.
    let slow = arrived[2] - arrived[1];
    assert!(slow >= Duration::from_millis(900), "{slow:?}");
    assert!(slow < Duration::from_secs(10), "{slow:?}");
    // The endless loop stops at the operation limit, well before its 5 s timeout.
    assert!(arrived[1] < Duration::from_secs(5), "{:?}", arrived[1]);

    let records = log.take();
    let lines: Vec<(Level, &str)> = records
        .iter()
        .map(|it| (it.level, it.message.as_str()))
        .collect();
    assert_eq!(
        lines,
        vec![
            (
                Level::Warn,
                "lowcode `laco`: the script exceeded the number of operations (max_operations); \
                 the card takes its fail path"
            ),
            (
                Level::Warn,
                "lowcode `lento`: the script did not finish within its timeout; the card takes its fail path"
            ),
            (
                Level::Warn,
                "lowcode `fora`: the script tried to reach `intranet.example.test:80`, which is not in the \
                 allowed hosts; the card takes its fail path"
            ),
            (
                Level::Warn,
                "lowcode `errado`: the script's result is invalid: the field `dbm` should be a number, but it \
                 is the text \"-24,5 dBm\"; the card takes its fail path"
            ),
            (Level::Info, "lowcode `sinal`: leitura para 42"),
        ]
    );
    assert!(records.iter().all(|it| it.conversation == id));
}

/// Many conversations run their scripts at once on the blocking pool, each with its
/// own input, and each gets its own record back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_scripts_keep_their_own_records() {
    let server = Server::start(portal);
    let (program, hosts) = setup(&server);
    let (outbox, mut inbox) = mpsc::channel(64);
    let log = Arc::new(MemoryLog::default());
    let driver = Driver::new(program, hosts, outbox, log).expect("inside a runtime");
    // Start each conversation at the last step, the real reading.
    for n in 0..20 {
        let id = ConversationId::from(format!("c{n}"));
        driver
            .open(id, Some("leitura"), context(&format!("9{n}")))
            .expect("opens");
    }
    let received = driver_support::collect(&mut inbox, 20, Duration::from_secs(60)).await;
    assert_eq!(received.len(), 20);
    for (id, got) in received {
        let n = &id.as_str()[1..];
        assert_eq!(
            got.items[0],
            text(&format!("Sinal -24,5 dBm na OLT-9{n}, protocolo 9{n}.")),
            "{id}"
        );
    }
}

fn lowcode_call(script: &str, input: Map<String, Value>) -> HostCall {
    HostCall::Lowcode {
        script: script.into(),
        path: format!("scripts/{script}.rhai"),
        input,
        timeout_secs: 5,
    }
}

/// The CLI's synchronous host runs the same scripts, with the same checks and logs.
#[test]
fn the_blocking_host_runs_scripts_for_real() {
    let server = Server::start(portal);
    let (_program, hosts) = setup(&server);
    let host = BlockingHost::new(hosts).expect("a runtime");
    let log = MemoryLog::default();
    let id = ConversationId::from("cli");
    let mut input = Map::new();
    input.insert("protocol".into(), json!("7"));
    let now = fluxo_runtime::clock::parse_rfc3339("2026-11-23T10:00:00-03:00").expect("an instant");
    let record = match host.execute(&lowcode_call("sinal", input), now, &id, &log) {
        HostResult::Lowcode(Ok(record)) => record,
        other => panic!("expected a record, got {other:?}"),
    };
    assert_eq!(Value::Object(record), json!({"dbm": -24.5, "olt": "OLT-7"}));
    let failed = host.execute(&lowcode_call("errado", Map::new()), now, &id, &log);
    assert!(
        matches!(&failed, HostResult::Lowcode(Err(reason)) if reason.contains("should be a number")),
        "{failed:?}"
    );
    let missing = host.execute(&lowcode_call("nenhum", Map::new()), now, &id, &log);
    assert_eq!(
        missing,
        HostResult::Lowcode(Err("the script was not loaded with the program".into()))
    );
    let levels: Vec<Level> = log.take().iter().map(|it| it.level).collect();
    assert_eq!(levels, vec![Level::Info, Level::Warn, Level::Warn]);
}

/// A program that declares one script returning an empty record, and nothing else.
fn one_script_program(name: &str, path: &str) -> Program {
    let mut entities = fluxo_runtime::bytecode::program::Entities::default();
    entities
        .scripts
        .push(fluxo_runtime::bytecode::program::Script {
            name: 0,
            path: 1,
            fields: Vec::new(),
        });
    Program {
        strings: vec![name.into(), path.into()],
        entities,
        ..Program::default()
    }
}

/// A conversation whose script reads `today()` gets the conversation clock's date,
/// not the machine's, so a run is reproducible.
#[test]
fn scripts_read_the_conversation_date() {
    let program = one_script_program("hoje", "hoje.rhai");
    let scripts =
        Scripts::load(&program, &mut |_| Ok("#{ dia: today() }".into())).expect("compiles");
    let host = BlockingHost::new(
        Hosts::new(Arc::new(FakeErp {
            delays: (1, 1),
            seed: 0,
        }))
        .with_scripts(scripts),
    )
    .expect("a runtime");
    let now = fluxo_runtime::clock::parse_rfc3339("2026-02-28T23:30:00-03:00").expect("an instant");
    let result = host.execute(
        &lowcode_call("hoje", Map::new()),
        now,
        &ConversationId::from("d"),
        &MemoryLog::default(),
    );
    assert_eq!(
        result,
        HostResult::Lowcode(Ok(json!({"dia": "2026-02-28"})
            .as_object()
            .cloned()
            .unwrap_or_default()))
    );
}

#[test]
fn a_script_that_does_not_compile_is_refused_at_load_with_its_position() {
    let program = one_script_program("quebrado", "scripts/quebrado.rhai");
    let error =
        Scripts::load(&program, &mut |_| Ok("let x = ;\n".into())).expect_err("a syntax error");
    assert_eq!(
        (error.script.as_str(), error.path.as_str()),
        ("quebrado", "scripts/quebrado.rhai")
    );
    assert_eq!(error.position.map(|it| it.0), Some(1));
    assert!(
        error
            .to_string()
            .starts_with("script `quebrado` (scripts/quebrado.rhai:1:"),
        "{error}"
    );
    let unreadable =
        Scripts::load(&program, &mut |_| Err("no such file".into())).expect_err("unreadable");
    assert_eq!(
        unreadable.to_string(),
        "script `quebrado` (scripts/quebrado.rhai): no such file"
    );
}

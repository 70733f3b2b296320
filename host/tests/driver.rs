//! The async driver end to end: the example ISP conversations with the simulated ERP,
//! 10,000 concurrent conversations against a slow fake ERP (none lost or mixed up),
//! per-conversation ordering with timers, ERP failures taking the fail path with a
//! masked log line, and the driver's refusals.

mod driver_support;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use driver_support::{collect, compile_dir, context, cpf, FakeErp};
use fluxo_host::driver::{
    ConversationId, Driver, DriverError, Hosts, Level, MemoryLog, Outbound, Scripts,
};
use fluxo_host::erp::{ErpAdapter, ErpError, ErpFuture, Request, SimulatedErp};
use fluxo_runtime::bytecode::Program;
use fluxo_runtime::clock;
use fluxo_runtime::session::{Effect, Ending, Event, HostResult, Output, Session, Wait};
use fluxo_stdlib::erp::ErpSystem;
use tokio::sync::mpsc;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/provedor");
const CARGA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/driver/carga");
const ESPERA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/driver/espera");

fn driver(
    program: Arc<Program>,
    hosts: Hosts,
    capacity: usize,
) -> (
    Driver,
    mpsc::Receiver<(ConversationId, Outbound)>,
    Arc<MemoryLog>,
) {
    let (outbox, inbox) = mpsc::channel(capacity);
    let log = Arc::new(MemoryLog::default());
    let driver = Driver::new(program, hosts, outbox, log.clone()).expect("inside a runtime");
    (driver, inbox, log)
}

/// A transcript's customer lines, the bot's text lines, and how many effect lines
/// (not host calls) it shows.
struct Transcript {
    now: Option<String>,
    contact: Option<(String, String)>,
    customer: Vec<String>,
    bot: Vec<String>,
    effects: usize,
}

fn transcript(text: &str) -> Transcript {
    let mut parsed = Transcript {
        now: None,
        contact: None,
        customer: Vec::new(),
        bot: Vec::new(),
        effects: 0,
    };
    for line in text.lines() {
        if let Some(now) = line.strip_prefix("@now ") {
            parsed.now = Some(now.trim().to_string());
        } else if let Some(contact) = line.strip_prefix("@contact ") {
            let quoted: Vec<&str> = contact.split('"').collect();
            parsed.contact = Some((quoted[1].to_string(), quoted[3].to_string()));
        } else if let Some(rest) = line.strip_prefix('>') {
            parsed
                .customer
                .push(rest.strip_prefix(' ').unwrap_or(rest).to_string());
        } else if let Some(rest) = line.strip_prefix('<') {
            parsed
                .bot
                .push(rest.strip_prefix(' ').unwrap_or(rest).to_string());
        } else if let Some(rest) = line.strip_prefix("= ") {
            let host_call = ["erp ", "lowcode ", "intent ", "wait "]
                .iter()
                .any(|it| rest.starts_with(it));
            if !host_call {
                parsed.effects += 1;
            }
        }
    }
    parsed
}

/// Every example transcript that needs no canned Low Code record, run through the
/// driver with the simulated ERP: the bot says exactly what the transcript says.
#[tokio::test(start_paused = true)]
async fn the_example_conversations_run_through_the_driver() {
    let program = Arc::new(compile_dir(Path::new(EXAMPLE)));
    let scripts = Scripts::load(&program, &mut |path| {
        std::fs::read_to_string(Path::new(EXAMPLE).join(path)).map_err(|it| it.to_string())
    })
    .expect("the example's scripts compile");
    assert_eq!(scripts.len(), 1);
    let fixture =
        std::fs::read_to_string(Path::new(EXAMPLE).join("erp-demo.json")).expect("the fixture");
    let mut chats: Vec<_> = std::fs::read_dir(EXAMPLE)
        .expect("the example folder")
        .map(|it| it.expect("an entry").path())
        .filter(|it| it.extension().is_some_and(|ext| ext == "chat"))
        .collect();
    chats.sort();
    let mut ran = 0;
    for chat in chats {
        let text = std::fs::read_to_string(&chat).expect("a transcript");
        // This test models only the clock and the contact (not the linked registration,
        // origin, channel, branch, tags or canned scripts), so it replays the example's
        // core conversations; `fluxo test` runs every transcript with its full context.
        const CORE: [&str; 7] = [
            "cpf-invalido.chat",
            "desbloqueio.chat",
            "fora-do-horario.chat",
            "menu-tentativas.chat",
            "optout.chat",
            "recusa-optin.chat",
            "segunda-via.chat",
        ];
        let name = chat.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !CORE.contains(&name) {
            continue;
        }
        let expected = transcript(&text);
        // Each transcript starts from the fixture afresh, as `fluxo test` does.
        let erp = Arc::new(SimulatedErp::from_json(&fixture).expect("the fixture loads"));
        let hosts = Hosts::new(erp).with_scripts(scripts.clone());
        let (driver, mut inbox, _log) = driver(program.clone(), hosts, 64);
        let mut ctx = context("20261123000001");
        if let Some(now) = &expected.now {
            ctx.now = clock::parse_rfc3339(now).expect("a valid @now");
        }
        if let Some((name, phone)) = &expected.contact {
            ctx.user_name = name.clone();
            ctx.contact_phone = phone.clone();
        }
        let id = ConversationId::from(chat.display().to_string());
        driver.open(id.clone(), None, ctx).expect("opens");
        for line in &expected.customer {
            driver
                .send(&id, Event::text(line.clone()))
                .expect("the conversation is live");
        }
        let received = collect(&mut inbox, 1, Duration::from_secs(3600)).await;
        let items = &received[&id].items;
        let bot: Vec<String> = items
            .iter()
            .filter_map(|it| match it {
                Outbound::Output(Output::Text { text }) => {
                    Some(text.split('\n').map(str::to_string).collect::<Vec<_>>())
                }
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(bot, expected.bot, "{}", chat.display());
        let effects = items
            .iter()
            .filter(|it| {
                matches!(
                    it,
                    Outbound::Output(
                        Output::Effect { .. } | Output::File { .. } | Output::Audio { .. }
                    )
                )
            })
            .count();
        assert_eq!(effects, expected.effects, "{}", chat.display());
        assert!(
            matches!(items.last(), Some(Outbound::Ended(_))),
            "{}: {:?}",
            chat.display(),
            items.last()
        );
        assert_eq!(driver.stats().live, 0);
        ran += 1;
    }
    assert_eq!(ran, 7);
}

/// The outputs a conversation of the load flow gives when run directly on a session,
/// with the fake ERP's answers and timers fired at once: what the driver must deliver.
fn oracle(program: &Program, protocol: &str, messages: &[String]) -> Vec<Outbound> {
    let mut session = Session::new(program, None, context(protocol)).expect("a session");
    let mut turn = session.start(program).expect("starts");
    let mut pending = messages.iter();
    let mut items = Vec::new();
    loop {
        items.extend(turn.outputs.into_iter().map(Outbound::Output));
        let event = match turn.wait {
            Wait::Customer => Event::text(
                pending
                    .next()
                    .expect("a message for every question")
                    .clone(),
            ),
            Wait::Host(fluxo_runtime::session::HostCall::Erp { request }) => {
                Event::HostResult(HostResult::Erp(FakeErp::answer(&request)))
            }
            Wait::Host(other) => panic!("the load flow makes no {other:?}"),
            Wait::Timer { .. } => Event::TimerFired,
            Wait::Done(ending) => {
                items.push(Outbound::Ended(ending));
                return items;
            }
        };
        turn = session.resume(program, event).expect("runs");
    }
}

#[tokio::test(start_paused = true)]
async fn ten_thousand_concurrent_conversations_are_neither_lost_nor_mixed_up() {
    const COUNT: u32 = 10_000;
    let program = Arc::new(compile_dir(Path::new(CARGA)));
    let hosts = Hosts::new(Arc::new(FakeErp {
        delays: (50, 200),
        seed: 7,
    }));
    let (driver, mut inbox, log) = driver(program.clone(), hosts, 1024);
    let mut expected = HashMap::new();
    for n in 0..COUNT {
        let id = ConversationId::from(format!("conversa-{n}"));
        let protocol = format!("2026112300{n:06}");
        let messages = vec![format!("Pessoa {n}"), cpf(n)];
        expected.insert(
            id.clone(),
            (
                oracle(&program, &protocol, &messages),
                protocol.clone(),
                messages[1].clone(),
            ),
        );
        driver
            .open(id.clone(), None, context(&protocol))
            .expect("opens");
        for message in messages {
            driver.send(&id, Event::text(message)).expect("live");
        }
    }
    assert_eq!(driver.stats().live, COUNT as usize);
    let received = collect(&mut inbox, COUNT as usize, Duration::from_secs(3600)).await;
    assert_eq!(
        received.len(),
        COUNT as usize,
        "every conversation delivered something"
    );
    for (id, (items, protocol, document)) in &expected {
        let got = &received[id].items;
        assert_eq!(got, items, "{id}");
        let texts: String = got
            .iter()
            .filter_map(|it| match it {
                Outbound::Output(Output::Text { text }) => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert!(texts.contains(protocol.as_str()), "{id}: {texts}");
        assert!(
            texts.contains(&format!("Cliente {document}")),
            "{id}: {texts}"
        );
        assert!(
            texts.contains(&format!("linha k{document}")),
            "{id}: {texts}"
        );
        assert_eq!(got.last(), Some(&Outbound::Ended(Ending::Closed)), "{id}");
    }
    let stats = driver.stats();
    assert_eq!(
        (stats.live, stats.opened, stats.ended, stats.failed),
        (0, 10_000, 10_000, 0)
    );
    assert_eq!(stats.host_calls, 3 * 10_000);
    assert!(log.take().is_empty());
}

/// The same flow on a multi-threaded runtime in real time, with short ERP delays:
/// conversations really run on several threads at once and still never mix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_stay_apart_on_worker_threads() {
    const COUNT: u32 = 300;
    let program = Arc::new(compile_dir(Path::new(CARGA)));
    let hosts = Hosts::new(Arc::new(FakeErp {
        delays: (1, 5),
        seed: 11,
    }));
    let (driver, mut inbox, _log) = driver(program.clone(), hosts, 16);
    // The flow's `wait 2m` would take two real minutes: the program is the same, but
    // each conversation is checked up to the timer.
    for n in 0..COUNT {
        let id = ConversationId::from(format!("t-{n}"));
        driver
            .open(id.clone(), None, context(&format!("P{n}")))
            .expect("opens");
        driver
            .send(&id, Event::text(format!("Pessoa {n}")))
            .expect("live");
        driver.send(&id, Event::text(cpf(n))).expect("live");
    }
    let mut bills: HashMap<ConversationId, usize> = HashMap::new();
    while bills.len() < COUNT as usize {
        let (id, item) = tokio::time::timeout(Duration::from_secs(20), inbox.recv())
            .await
            .expect("deliveries keep coming")
            .expect("the driver is alive");
        let n: u32 = id.as_str()["t-".len()..].parse().expect("our id");
        if let Outbound::Output(Output::Text { text }) = item {
            if text.contains("linha") {
                assert!(text.contains(&format!("linha k{}", cpf(n))), "{id}: {text}");
                *bills.entry(id).or_default() += 1;
            }
        }
    }
    assert!(bills.values().all(|it| *it == 1));
    let stats = driver.stats();
    assert_eq!(stats.live, COUNT as usize);
    assert!(stats.snapshot_bytes > 0);
}

/// Messages sent while a conversation waits on its timer are kept, in order, and
/// answered only once the timer fires; meanwhile the conversation is stored as bytes.
#[tokio::test(start_paused = true)]
async fn a_timer_holds_the_messages_that_arrive_meanwhile() {
    let program = Arc::new(compile_dir(Path::new(ESPERA)));
    let (driver, mut inbox, _log) = driver(
        program,
        Hosts::new(Arc::new(FakeErp {
            delays: (1, 1),
            seed: 0,
        })),
        8,
    );
    let id = ConversationId::from("espera");
    driver.open(id.clone(), None, context("1")).expect("opens");
    let first = inbox.recv().await.expect("a delivery");
    assert_eq!(
        first,
        (
            id.clone(),
            Outbound::Output(Output::Text {
                text: "Aguarde um minuto.".into()
            })
        )
    );
    tokio::time::sleep(Duration::from_secs(30)).await;
    let stats = driver.stats();
    assert_eq!(stats.live, 1);
    assert!(
        stats.snapshot_bytes > 0,
        "a waiting conversation is kept as its snapshot"
    );
    driver.send(&id, Event::text("Ana")).expect("live");
    driver.send(&id, Event::text("Souza")).expect("live");
    // Nothing before the minute is up.
    assert!(tokio::time::timeout(Duration::from_secs(29), inbox.recv())
        .await
        .is_err());
    let received = collect(&mut inbox, 1, Duration::from_secs(60)).await;
    let texts: Vec<&Outbound> = received[&id].items.iter().collect();
    let text = |it: &str| Outbound::Output(Output::Text { text: it.into() });
    assert_eq!(
        texts,
        vec![
            &text("Qual é o seu nome?"),
            &text("Olá, Ana."),
            &text("E o sobrenome?"),
            &text("Ana Souza."),
            &Outbound::Output(Output::Effect {
                effect: Effect::End
            }),
            &Outbound::Ended(Ending::Closed),
        ]
    );
}

/// An ERP that is down, and says so with the CPF in its error detail.
struct DownErp;

impl ErpAdapter for DownErp {
    fn system(&self) -> ErpSystem {
        ErpSystem::Ixc
    }

    fn call(&self, request: Request) -> ErpFuture<'_> {
        Box::pin(async move {
            Err(ErpError::Unavailable {
                detail: format!("connection refused while asking for {request:?}"),
            })
        })
    }
}

/// An adapter with a bug: it panics inside the conversation's task.
struct PanickingErp;

impl ErpAdapter for PanickingErp {
    fn system(&self) -> ErpSystem {
        ErpSystem::Ixc
    }

    fn call(&self, _request: Request) -> ErpFuture<'_> {
        Box::pin(async move { panic!("adapter bug for 52998224725") })
    }
}

#[tokio::test(start_paused = true)]
async fn a_panicking_task_ends_its_conversation_instead_of_leaving_a_zombie() {
    let program = Arc::new(compile_dir(Path::new(CARGA)));
    let (driver, mut inbox, log) = driver(program, Hosts::new(Arc::new(PanickingErp)), 8);
    let id = ConversationId::from("zumbi");
    driver
        .open(id.clone(), None, context("555"))
        .expect("opens");
    driver.send(&id, Event::text("Ana")).expect("live");
    driver
        .send(&id, Event::text("529.982.247-25"))
        .expect("live");
    let received = collect(&mut inbox, 1, Duration::from_secs(60)).await;
    let last = received[&id].items.last().expect("deliveries");
    let Outbound::Failed(reason) = last else {
        panic!("expected the conversation to fail, got {last:?}");
    };
    assert_eq!(
        reason,
        "the conversation's task failed: adapter bug for 529.***.***-25"
    );
    let records = log.take();
    let record = records.last().expect("a log line");
    assert_eq!(record.level, Level::Error);
    assert!(
        record.message.contains("529.***.***-25"),
        "{}",
        record.message
    );
    assert_eq!(
        driver.send(&id, Event::text("oi")),
        Err(DriverError::Unknown(id.clone()))
    );
    assert_eq!(driver.stats().failed, 1);
    assert_eq!(driver.stats().live, 0);
}

#[tokio::test(start_paused = true)]
async fn an_erp_failure_takes_the_fail_path_with_one_masked_log_line() {
    let program = Arc::new(compile_dir(Path::new(CARGA)));
    let (driver, mut inbox, log) = driver(program, Hosts::new(Arc::new(DownErp)), 8);
    let id = ConversationId::from("falha");
    driver
        .open(id.clone(), None, context("555"))
        .expect("opens");
    driver.send(&id, Event::text("Ana")).expect("live");
    driver
        .send(&id, Event::text("529.982.247-25"))
        .expect("live");
    let received = collect(&mut inbox, 1, Duration::from_secs(60)).await;
    let texts: Vec<String> = received[&id]
        .items
        .iter()
        .filter_map(|it| match it {
            Outbound::Output(Output::Text { text }) => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        texts[texts.len() - 2..],
        [
            "Não conseguimos consultar agora.",
            "Falha no protocolo 555."
        ]
    );
    let records = log.take();
    assert_eq!(records.len(), 1, "{records:?}");
    let record = &records[0];
    assert_eq!(
        (record.level, record.conversation.as_str()),
        (Level::Warn, "falha")
    );
    assert!(
        record
            .message
            .starts_with("erp find_customer_by_document (ixc): "),
        "{}",
        record.message
    );
    assert!(
        record.message.ends_with("; the card takes its fail path"),
        "{}",
        record.message
    );
    assert!(
        record.message.contains("529.***.***-25"),
        "{}",
        record.message
    );
    assert!(
        !record.message.contains("52998224725") && !record.message.contains("982.247"),
        "{}",
        record.message
    );
}

#[tokio::test(start_paused = true)]
async fn the_driver_refuses_what_it_cannot_do() {
    let program = Arc::new(compile_dir(Path::new(ESPERA)));
    let (driver, mut inbox, _log) = driver(program, Hosts::new(Arc::new(DownErp)), 8);
    let id = ConversationId::from("a");
    assert_eq!(
        driver.send(&id, Event::text("oi")),
        Err(DriverError::Unknown(id.clone()))
    );
    driver.open(id.clone(), None, context("1")).expect("opens");
    assert_eq!(
        driver.open(id.clone(), None, context("1")),
        Err(DriverError::AlreadyOpen(id.clone()))
    );
    assert!(matches!(
        driver.open(ConversationId::from("b"), Some("nenhum"), context("1")),
        Err(DriverError::Runtime(_))
    ));
    assert_eq!(
        driver.send(&id, Event::TimerFired),
        Err(DriverError::NotACustomerEvent)
    );
    assert!(inbox.recv().await.is_some());
    assert!(driver.close(&id));
    assert!(!driver.close(&id));
    assert_eq!(
        driver.send(&id, Event::text("oi")),
        Err(DriverError::Unknown(id.clone()))
    );
    // The closed conversation's timer fires into nothing.
    assert!(tokio::time::timeout(Duration::from_secs(600), inbox.recv())
        .await
        .is_err());
    assert_eq!(driver.stats().live, 0);
}

#[test]
fn a_driver_needs_a_runtime() {
    let (outbox, _inbox) = mpsc::channel(1);
    let program = Arc::new(Program::default());
    let made = Driver::new(
        program,
        Hosts::new(Arc::new(DownErp)),
        outbox,
        Arc::new(MemoryLog::default()),
    );
    assert_eq!(made.err(), Some(DriverError::NoRuntime));
}

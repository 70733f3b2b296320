//! Snapshots are invisible: for random event sequences (menu answers, numbers, garbage,
//! the fixture's CPFs/CNPJs, `/bloquear`, media, messages that arrive while a host call
//! or a timer is pending, ERP answers from the simulated ERP or an outage, Low Code and
//! agent results, timers, clock moves), a conversation that is snapshotted and restored
//! at every wait produces exactly the outputs of one that never stops, and the restored
//! session equals the one that was saved. Runs on examples/provedor and the test flows.

use std::path::Path;
use std::sync::OnceLock;

use fluxo_compiler::{compile, CompileOptions};
use fluxo_host::erp::{ErpError, SimulatedErp};
use fluxo_host::intent::{IntentOption, OfflineClassifier};
use fluxo_runtime::bytecode::Program;
use fluxo_runtime::clock;
use fluxo_runtime::session::{
    Context, Event, HostCall, HostResult, Media, Message, Output, Session, Wait,
};
use fluxo_stdlib::types::Channel;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{json, Map};

/// The programs the conversations run on, each with the names of its flows.
fn programs() -> &'static [(Program, Vec<String>)] {
    static PROGRAMS: OnceLock<Vec<(Program, Vec<String>)>> = OnceLock::new();
    PROGRAMS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![root.join("examples/provedor")];
        for name in ["perguntas", "quando", "erp", "agente", "pesquisa"] {
            dirs.push(root.join("tests/data/flows").join(name));
        }
        dirs.iter()
            .map(|dir| {
                let program = compile_dir(dir);
                let flows = (0..program.flows.len() as u32)
                    .filter_map(|idx| program.flow_name(idx).map(str::to_string))
                    .collect();
                (program, flows)
            })
            .collect()
    })
}

fn compile_dir(dir: &Path) -> Program {
    let sources =
        fluxo::files::load_program(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    compile(&sources, &CompileOptions::default())
        .program
        .unwrap_or_else(|| panic!("{} does not compile", dir.display()))
}

fn fixture() -> &'static str {
    static FIXTURE: OnceLock<String> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/provedor/erp-demo.json");
        std::fs::read_to_string(path).expect("the demo fixture")
    })
}

/// What the customer does at the next wait.
#[derive(Clone, Debug)]
enum Action {
    /// A message, after the clock moved this many seconds.
    Say(Message, i64),
    /// The platform's opt-out button.
    OptOut,
}

/// One random conversation: where it starts, who it is with, what the customer does,
/// and how the host answers.
#[derive(Clone, Debug)]
struct Script {
    program: usize,
    flow: usize,
    ctx: Context,
    actions: Vec<Action>,
    /// Messages delivered while a host call or a timer is pending (by wait number).
    interjections: Vec<(usize, Message)>,
    /// Host calls from this one on answer as if the ERP were down.
    erp_down_from: Option<usize>,
    /// The signal the Low Code script reads, `None` when it fails.
    lowcode_dbm: Option<f64>,
    agent_reply: Option<String>,
}

const PHONES: &[&str] = &[
    "+5548999990000",
    "+5548988881111",
    "+5548977772222",
    "+5547996663333",
    "+5548991234567",
    "+5548995556666",
    "+5548990001111",
    "",
];

const TEXTS: &[&str] = &[
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "10",
    "0",
    "sim",
    "não",
    "s",
    "N",
    "talvez",
    "Financeiro",
    "suporte técnico",
    "desbloqueio",
    "2ª via de boleto",
    "Nota fiscal",
    "falar com alguém",
    "Quero contratar",
    "agora não",
    "Planos",
    "otimo",
    "529.982.247-25",
    "52998224725",
    "111.444.777-35",
    "123.456.789-09",
    "987.654.321-00",
    "11.222.333/0001-81",
    "246.813.579-28",
    "000.000.000-00",
    "ana.souza",
    "Ana@2026",
    "12345678909",
    "carla123",
    "curta",
    "FibraRapida2026",
    "88058-000",
    "paula@exemplo.com.br",
    "30/04/2026",
    "31/04/2026",
    "minha internet está lenta",
    "quero cancelar o meu plano",
    "qual o horário?",
    "/bloquear",
    "",
    "  ",
];

fn message() -> impl Strategy<Value = Message> {
    let text = prop_oneof![
        6 => proptest::sample::select(TEXTS).prop_map(str::to_string),
        6 => proptest::sample::select(&["1", "2", "3", "sim", "não"][..]).prop_map(str::to_string),
        1 => "-?[0-9]{1,4}",
        1 => "[a-zA-Zà-ú !?.]{0,16}",
    ];
    prop_oneof![
        8 => text.prop_map(|text| Message { text, ..Message::default() }),
        1 => proptest::sample::select(&["1", "2", "Quero contratar", "Sim"][..]).prop_map(|id| Message {
            reply_id: Some(id.to_string()),
            ..Message::default()
        }),
        1 => Just(Message {
            media: Some(Media { kind: "image".into(), url: "https://cdn.example/a.jpg".into() }),
            ..Message::default()
        }),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        30 => (message(), prop_oneof![3 => Just(0i64), 1 => 0i64..20_000]).prop_map(|(m, d)| Action::Say(m, d)),
        1 => Just(Action::OptOut),
    ]
}

fn context() -> impl Strategy<Value = Context> {
    let instants = [
        "2026-11-23T10:00:00-03:00",
        "2026-11-24T15:30:00-03:00",
        "2026-11-22T10:00:00-03:00",
        "2026-12-25T20:15:00-03:00",
        "2026-11-28T11:59:00-03:00",
    ];
    let channels = [
        Channel::Whatsapp,
        Channel::Whatsapp,
        Channel::Telephony,
        Channel::Webchat,
    ];
    (
        proptest::sample::select(instants.to_vec()),
        proptest::sample::select(channels.to_vec()),
        proptest::sample::select(PHONES),
        any::<bool>(),
        proptest::option::of(proptest::sample::select(
            &["florianopolis", "joinville", "centro"][..],
        )),
        proptest::sample::subsequence(&["vip", "inadimplente", "novo_cliente"][..], 0..=2),
        proptest::option::of(proptest::sample::select(&["quero a segunda via", "oi"][..])),
    )
        .prop_map(|(now, channel, phone, from_ad, branch, tags, opening)| {
            let mut ctx = Context::new(clock::parse_rfc3339(now).expect("an instant"));
            ctx.channel = channel;
            ctx.user_name = "Ana".into();
            ctx.contact_phone = phone.to_string();
            ctx.company_name = "Provedor Exemplo".into();
            ctx.protocol = "20261123000001".into();
            ctx.from_ad = from_ad;
            ctx.branch = branch.map(str::to_string);
            ctx.tags = tags.into_iter().map(str::to_string).collect();
            ctx.opening_message = opening.map(str::to_string);
            ctx
        })
}

fn script() -> impl Strategy<Value = Script> {
    let count = programs().len();
    (0..count)
        .prop_flat_map(|program| {
            let flows = programs()[program].1.len();
            (
                Just(program),
                // The entry flow half of the time, any flow otherwise.
                prop_oneof![Just(usize::MAX), 0..flows],
                context(),
                proptest::collection::vec(action(), 0..40),
                proptest::collection::vec((0usize..40, message()), 0..4),
                proptest::option::of(0usize..12),
                proptest::option::of(prop_oneof![Just(-29.5), Just(-21.0)]),
                proptest::option::of(Just("Atendemos das 8h às 18h.".to_string())),
            )
        })
        .prop_map(
            |(
                program,
                flow,
                ctx,
                actions,
                interjections,
                erp_down_from,
                lowcode_dbm,
                agent_reply,
            )| Script {
                program,
                flow,
                ctx,
                actions,
                interjections,
                erp_down_from,
                lowcode_dbm,
                agent_reply,
            },
        )
}

/// The offline host: a fresh simulated ERP per conversation (it keeps state), canned
/// Low Code and agent answers, the offline classifier.
struct Host {
    erp: SimulatedErp,
    calls: usize,
}

impl Host {
    fn new() -> Host {
        Host {
            erp: SimulatedErp::from_json(fixture()).expect("the demo fixture loads"),
            calls: 0,
        }
    }

    fn answer(&mut self, script: &Script, call: &HostCall, now: clock::Timestamp) -> HostResult {
        self.calls += 1;
        match call {
            HostCall::Erp { request } => HostResult::Erp(match script.erp_down_from {
                Some(from) if self.calls > from => Err(ErpError::Unavailable {
                    detail: "down".into(),
                }),
                _ => self.erp.handle(request, clock::today(now)),
            }),
            HostCall::Lowcode { .. } => HostResult::Lowcode(match script.lowcode_dbm {
                Some(dbm) => {
                    let record = json!({"dbm": dbm, "olt": "OLT-01"});
                    Ok(record.as_object().cloned().unwrap_or_else(Map::new))
                }
                None => Err("the portal is down".into()),
            }),
            HostCall::Intent { text, intents, .. } => {
                let options: Vec<IntentOption> = intents.iter().map(IntentOption::new).collect();
                HostResult::Intent(
                    OfflineClassifier::default()
                        .classify_now(text, &options)
                        .choice,
                )
            }
            HostCall::Agent { .. } => HostResult::Agent(script.agent_reply.clone()),
        }
    }
}

/// What a conversation did: every turn's outputs and wait, or the error that stopped it.
type Trace = Vec<Result<(Vec<Output>, String), String>>;

/// Runs `script`; with `restore`, every wait is snapshotted, the session dropped and
/// restored from the bytes (checking the restored session equals the saved one).
fn run(script: &Script, restore: bool) -> Trace {
    let (program, flows) = &programs()[script.program];
    let flow = flows.get(script.flow).map(String::as_str);
    let mut session = match Session::new(program, flow, script.ctx.clone()) {
        Ok(session) => session,
        Err(err) => return vec![Err(err.to_string())],
    };
    let mut host = Host::new();
    let mut trace = Trace::new();
    let mut actions = script.actions.iter();
    let mut turn = session.start(program);
    for wait_number in 0.. {
        let current = match turn {
            Ok(current) => current,
            Err(err) => {
                trace.push(Err(err.to_string()));
                return trace;
            }
        };
        trace.push(Ok((current.outputs.clone(), format!("{:?}", current.wait))));
        if restore {
            let bytes = session.snapshot();
            let restored = Session::restore(&bytes, program).expect("a snapshot restores");
            assert_eq!(restored, session, "the restored session differs");
            assert_eq!(
                restored.snapshot(),
                bytes,
                "a restored session snapshots alike"
            );
            session = restored;
        }
        let interjection = script
            .interjections
            .iter()
            .find(|(at, _)| *at == wait_number)
            .map(|(_, message)| message.clone());
        let event = match current.wait {
            Wait::Done(_) => return trace,
            Wait::Customer => match actions.next() {
                None => return trace,
                Some(Action::OptOut) => Event::OptOut,
                Some(Action::Say(message, delay)) => {
                    session.set_now(session.now() + delay);
                    Event::Message(message.clone())
                }
            },
            Wait::Host(_) | Wait::Timer { .. } if interjection.is_some() => {
                Event::Message(interjection.unwrap_or_default())
            }
            Wait::Host(call) => Event::HostResult(host.answer(script, &call, session.now())),
            Wait::Timer { .. } => Event::TimerFired,
        };
        turn = session.resume(program, event);
    }
    trace
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn restoring_at_every_wait_changes_nothing(script in script()) {
        let straight = run(&script, false);
        let restored = run(&script, true);
        prop_assert_eq!(straight, restored);
    }
}

/// The generator reaches the interesting places: across many scripts, conversations
/// wait on the customer, the ERP, Low Code, the AI, the agent and timers, and end in
/// every way (a property that never reached them would prove little).
#[test]
fn the_scripts_reach_every_kind_of_wait() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..1500 {
        let script = script().new_tree(&mut runner).expect("a script").current();
        for (_, wait) in run(&script, false).into_iter().flatten() {
            let kind = wait.split(['(', ' ', '{']).next().unwrap_or("").to_string();
            let kind = match wait.split_once("Host(") {
                Some((_, rest)) => format!("Host {}", rest.split([' ', '{']).next().unwrap_or("")),
                None => kind,
            };
            let kind = match wait.split_once("Done(") {
                Some((_, rest)) => format!("Done {}", rest.trim_end_matches(')')),
                None => kind,
            };
            seen.insert(kind);
        }
    }
    for wanted in [
        "Customer",
        "Host Erp",
        "Host Lowcode",
        "Host Intent",
        "Host Agent",
        "Timer",
        "Done Closed",
        "Done Transferred",
        "Done OptedOut",
        "Done Forwarded",
    ] {
        assert!(
            seen.contains(wanted),
            "no script reached {wanted}: {seen:?}"
        );
    }
}

//! The measurements of one program size, both engines in this one process: compile
//! throughput, time per customer turn, memory per waiting conversation, and the size of
//! the compiled program against the Opa JSON of the same flow.
//!
//! Before anything is timed, every scripted conversation is replayed on both engines
//! and compared with the model's transcript: figures are only reported for runs in
//! which both engines said the same things.

use std::hint::black_box;
use std::time::{Duration, Instant};

use fluxo_runtime::bytecode::Program;
use yarnspinner::prelude::DialogueEvent;

use crate::customer::{converse, Contact, Conversation};
use crate::generate::generate;
use crate::measure::{median, median_time, release_free_memory, resident_bytes};
use crate::ours;
use crate::print_flow::print_flow;
use crate::print_yarn::print_yarn;
use crate::yarn::{self, YarnConversation, YarnFlow};

/// What to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Scripted conversations per size (customer seeds `0..conversations`).
    pub conversations: usize,
    /// Answers after which a scripted customer stops answering.
    pub max_answers: usize,
    /// Waiting conversations held in memory for our resident-memory figure.
    pub sessions: usize,
    /// The least time each timing runs for.
    pub min_time: Duration,
    /// The most resident memory to spend on Yarn's live dialogues.
    pub yarn_memory_budget: u64,
}

/// Everything measured for one size.
#[derive(Clone, Debug)]
pub struct Figures {
    pub cards: usize,
    pub flows: usize,
    pub flow_bytes: usize,
    pub yarn_bytes: usize,
    /// Median check + compile time of the `.flow` text.
    pub ours_compile: Duration,
    /// Median Yarn compile time of the `.yarn` text.
    pub yarn_compile: Duration,
    pub ours_turns: usize,
    pub ours_turn_ns: f64,
    pub yarn_turns: usize,
    pub yarn_turn_ns: f64,
    /// Waiting points seen across the scripted conversations.
    pub waiting_points: usize,
    pub snapshot_median: usize,
    pub snapshot_max: usize,
    /// Our waiting conversations held in memory, and the resident growth they caused.
    pub sessions: usize,
    pub ours_resident: u64,
    /// Yarn's live waiting dialogues held in memory, and the resident growth they caused.
    pub yarn_dialogues: usize,
    pub yarn_resident: u64,
    /// The `.fxb` as `fluxo build` writes it (deflated), and stored plain.
    pub fxb_bytes: usize,
    pub fxb_plain_bytes: usize,
    /// The Opa JSON export, compact and as `fluxo export` writes it (pretty).
    pub json_bytes: usize,
    pub json_pretty_bytes: usize,
}

/// Measures a generated program of at least `cards` cards.
pub fn measure(
    cards: usize,
    options: &Options,
    log: &mut dyn FnMut(&str),
) -> Result<Figures, String> {
    let model = generate(cards);
    let flow_text = print_flow(&model);
    let yarn_text = print_yarn(&model);
    let library = yarn::library();
    log(&format!(
        "{} cards, {} flows: compiling",
        model.card_count(),
        model.flows.len()
    ));

    let program =
        ours::compile(&flow_text).map_err(|e| format!("our compiler refused the flow:\n{e}"))?;
    let yarn_flow = yarn::compile(&yarn_text, &library)?;
    let ours_compile = median_time(options.min_time, 3, 200, || ours::compile(&flow_text));
    let yarn_compile = median_time(options.min_time, 3, 200, || {
        yarn::compile(&yarn_text, &library)
    });

    let contact = Contact::default();
    let scripts: Vec<Conversation> = (0..options.conversations as u64)
        .map(|seed| converse(&model, &contact, seed, options.max_answers))
        .collect();
    log("replaying the scripted customers on both engines");
    let waiting = replay(&program, &yarn_flow, &contact, &scripts)?;
    let sizes: Vec<usize> = waiting.iter().map(Vec::len).collect();

    log("timing customer turns");
    let (ours_turns, ours_time) = time_ours(&program, &contact, &scripts, options.min_time)?;
    let (yarn_turns, yarn_time) = time_yarn(&yarn_flow, &contact, &scripts, options.min_time)?;

    log("holding waiting conversations in memory");
    let ours_resident = hold_snapshots(&waiting, options.sessions)?;
    let (yarn_dialogues, yarn_resident) =
        hold_dialogues(&yarn_flow, &contact, &scripts, options.yarn_memory_budget)?;

    let (json_bytes, json_pretty_bytes) = opa_json_sizes(&flow_text)?;
    Ok(Figures {
        cards: model.card_count(),
        flows: model.flows.len(),
        flow_bytes: flow_text.len(),
        yarn_bytes: yarn_text.len(),
        ours_compile,
        yarn_compile,
        ours_turns,
        ours_turn_ns: ours_time.as_nanos() as f64 / ours_turns.max(1) as f64,
        yarn_turns,
        yarn_turn_ns: yarn_time.as_nanos() as f64 / yarn_turns.max(1) as f64,
        waiting_points: waiting.len(),
        snapshot_median: median(&sizes).unwrap_or(0),
        snapshot_max: sizes.iter().copied().max().unwrap_or(0),
        sessions: options.sessions,
        ours_resident,
        yarn_dialogues,
        yarn_resident,
        fxb_bytes: program.to_bytes().len(),
        fxb_plain_bytes: program.to_plain_bytes().len(),
        json_bytes,
        json_pretty_bytes,
    })
}

/// Runs every script on both engines, checks each turn against the model, and returns
/// our snapshots at every point where the conversation waits for the customer.
fn replay(
    program: &Program,
    yarn_flow: &YarnFlow,
    contact: &Contact,
    scripts: &[Conversation],
) -> Result<Vec<Vec<u8>>, String> {
    let mut waiting = Vec::new();
    let mut events = Vec::new();
    for (seed, talk) in scripts.iter().enumerate() {
        let mismatch = |engine: &str, turn: usize, said: &dyn std::fmt::Debug| {
            format!(
                "{engine} left the scripted path: customer {seed}, turn {turn}\n  \
                 expected {:?}\n  got      {said:?}",
                talk.turns.get(turn)
            )
        };
        let (mut snapshot, opening) = ours::start(program, contact)?;
        let said = ours::normalize(&opening.outputs);
        if said != talk.turns[0] {
            return Err(mismatch("Fluxo", 0, &said));
        }
        let mut tags = Vec::new();
        events.clear();
        let mut dialogue = yarn_flow.start(contact, &mut events)?;
        let said = yarn::normalize(&events, &mut tags);
        if said != talk.turns[0] {
            return Err(mismatch("Yarn", 0, &said));
        }
        let mut waits = ours::waits_for_customer(&opening);
        for (index, answer) in talk.answers.iter().enumerate() {
            if waits {
                waiting.push(snapshot.clone());
            }
            let turn = ours::turn(program, &mut snapshot, answer.text())?;
            let said = ours::normalize(&turn.outputs);
            if said != talk.turns[index + 1] {
                return Err(mismatch("Fluxo", index + 1, &said));
            }
            waits = ours::waits_for_customer(&turn);
            events.clear();
            dialogue.answer(answer, &mut events)?;
            let said = yarn::normalize(&events, &mut tags);
            if said != talk.turns[index + 1] {
                return Err(mismatch("Yarn", index + 1, &said));
            }
        }
        if waits {
            waiting.push(snapshot);
        }
    }
    Ok(waiting)
}

/// Our turn: restore the snapshot, resume with the answer, deliver the outputs, save.
/// Opening a conversation is not a customer turn and is not timed.
fn time_ours(
    program: &Program,
    contact: &Contact,
    scripts: &[Conversation],
    min_time: Duration,
) -> Result<(usize, Duration), String> {
    let (mut turns, mut total) = (0, Duration::ZERO);
    while turns == 0 || total < min_time {
        for talk in scripts {
            let (mut snapshot, _) = ours::start(program, contact)?;
            let started = Instant::now();
            for answer in &talk.answers {
                let turn = ours::turn(program, &mut snapshot, answer.text())?;
                black_box(turn.outputs);
            }
            total += started.elapsed();
            turns += talk.answers.len();
        }
        if turns == 0 {
            return Err("the scripted customers gave no answers".to_string());
        }
    }
    Ok((turns, total))
}

/// Yarn's turn: select the option (or store the typed text) and `continue_` to the next
/// wait, collecting the events. Yarn cannot save a waiting dialogue, so it has no
/// snapshot cost; opening a dialogue (which copies the program) is not timed.
fn time_yarn(
    flow: &YarnFlow,
    contact: &Contact,
    scripts: &[Conversation],
    min_time: Duration,
) -> Result<(usize, Duration), String> {
    let (mut turns, mut total) = (0, Duration::ZERO);
    let mut events: Vec<DialogueEvent> = Vec::new();
    while turns == 0 || total < min_time {
        for talk in scripts {
            events.clear();
            let mut dialogue = flow.start(contact, &mut events)?;
            let started = Instant::now();
            for answer in &talk.answers {
                events.clear();
                dialogue.answer(answer, &mut events)?;
                black_box(&events);
            }
            total += started.elapsed();
            turns += talk.answers.len();
        }
        if turns == 0 {
            return Err("the scripted customers gave no answers".to_string());
        }
    }
    Ok((turns, total))
}

/// Resident growth from holding `sessions` waiting conversations as snapshots (copies
/// of the waiting points the replay saw, each its own allocation, in one vector).
fn hold_snapshots(waiting: &[Vec<u8>], sessions: usize) -> Result<u64, String> {
    if waiting.is_empty() {
        return Err("no conversation ever waited".to_string());
    }
    release_free_memory();
    let before = resident_bytes().ok_or("cannot read /proc/self/statm")?;
    let mut held: Vec<Box<[u8]>> = Vec::with_capacity(sessions);
    for index in 0..sessions {
        held.push(waiting[index % waiting.len()].clone().into_boxed_slice());
    }
    let after = resident_bytes().ok_or("cannot read /proc/self/statm")?;
    black_box(&held);
    Ok(after.saturating_sub(before))
}

/// Resident growth from holding live Yarn dialogues, each stopped at a waiting point of
/// a script: dialogues are added in batches until their resident growth reaches
/// `budget` (or 100,000 dialogues), so a large program never exhausts memory.
fn hold_dialogues(
    flow: &YarnFlow,
    contact: &Contact,
    scripts: &[Conversation],
    budget: u64,
) -> Result<(usize, u64), String> {
    const BATCH: usize = 16;
    const MOST: usize = 100_000;
    let mut events = Vec::new();
    release_free_memory();
    let before = resident_bytes().ok_or("cannot read /proc/self/statm")?;
    let mut held: Vec<YarnConversation> = Vec::with_capacity(MOST.min(4096));
    let mut grown = 0;
    while held.len() < MOST && grown < budget {
        for _ in 0..BATCH {
            let index = held.len();
            let talk = &scripts[index % scripts.len()];
            // Any strict prefix of the answers leaves the dialogue waiting.
            let answered = index % talk.answers.len().max(1);
            events.clear();
            let mut dialogue = flow.start(contact, &mut events)?;
            for answer in &talk.answers[..answered] {
                events.clear();
                dialogue.answer(answer, &mut events)?;
            }
            held.push(dialogue);
        }
        let now = resident_bytes().ok_or("cannot read /proc/self/statm")?;
        grown = now.saturating_sub(before);
    }
    black_box(&held);
    Ok((held.len(), grown))
}

/// The Opa JSON export of the flow: compact, and pretty as `fluxo export` writes it.
fn opa_json_sizes(flow_text: &str) -> Result<(usize, usize), String> {
    let mut sources = fluxo_compiler::Sources::new();
    sources.add("generated.flow", flow_text);
    let (files, _) = fluxo_compiler::parse_all(&sources);
    let asts: Vec<_> = files.into_iter().map(|it| it.ast).collect();
    let pretty = fluxo_compiler::json::export(&asts).map_err(|e| e.to_string())?;
    let value: serde_json::Value = serde_json::from_str(&pretty).map_err(|e| e.to_string())?;
    Ok((value.to_string().len(), pretty.len()))
}

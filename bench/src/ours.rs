//! Fluxo's side of the comparison: check + compile a printed `.flow`, and run one
//! customer turn the way a stateless server does: restore the waiting conversation
//! from its snapshot, resume it with the customer's message, deliver the outputs, and
//! save the new snapshot.

use std::cell::RefCell;

use fluxo_compiler::{compile as compile_program, CompileOptions, Sources};
use fluxo_runtime::bytecode::Program;
use fluxo_runtime::session::{Context, Effect, Event, Output, Session, Turn, Wait};
use fluxo_stdlib::types::Channel;

use crate::customer::{Contact, Said};

/// The clock of every benchmark conversation: 2026-11-23 10:00 in São Paulo.
const NOW: i64 = 1_795_438_800;

/// Checks and compiles one `.flow` file; the error lists the diagnostics.
pub fn compile(text: &str) -> Result<Program, String> {
    let mut sources = Sources::new();
    sources.add("generated.flow", text);
    let compiled = compile_program(&sources, &CompileOptions::default());
    match compiled.program {
        Some(program) if compiled.diagnostics.is_empty() => Ok(program),
        _ => Err(fluxo_compiler::render::render_text(
            &sources,
            &compiled.diagnostics,
            false,
        )),
    }
}

/// The session context matching the contact the Yarn side is given.
pub fn context(contact: &Contact) -> Context {
    let mut context = Context::new(NOW);
    context.channel = Channel::from_name(&contact.channel).unwrap_or(Channel::Whatsapp);
    context.user_name = contact.user_name.clone();
    context.company_name = contact.company_name.clone();
    context.protocol = contact.protocol.clone();
    context
}

/// Opens a conversation and runs it to its first wait: the snapshot and the turn.
pub fn start(program: &Program, contact: &Contact) -> Result<(Vec<u8>, Turn), String> {
    let mut session = Session::new(program, None, context(contact)).map_err(|e| e.to_string())?;
    let turn = session.start(program).map_err(|e| e.to_string())?;
    Ok((session.snapshot(), turn))
}

thread_local! {
    /// The session a worker restores each conversation into, turn after turn: a
    /// stateless server keeps one per worker thread (`Session::restore_into`).
    static WORKER: RefCell<Session> = RefCell::new(Session::default());
}

/// One customer turn on a waiting conversation held as a snapshot, the way a stateless
/// server runs it: restore the conversation from its bytes into the worker's session,
/// resume it with `text`, and save it over the old bytes, in their buffer. Everything
/// the conversation knows comes from the snapshot; only buffers are reused.
pub fn turn(program: &Program, snapshot: &mut Vec<u8>, text: &str) -> Result<Turn, String> {
    WORKER.with_borrow_mut(|session| {
        Session::restore_into(snapshot, program, session).map_err(|e| e.to_string())?;
        let turn = session
            .resume(program, Event::text(text))
            .map_err(|e| e.to_string())?;
        session.snapshot_into(snapshot);
        Ok(turn)
    })
}

/// Whether the conversation waits for the customer (as opposed to being over).
pub fn waits_for_customer(turn: &Turn) -> bool {
    matches!(turn.wait, Wait::Customer)
}

/// Our outputs as the customer sees them: a message whose later lines are numbered
/// options (`  1) Financeiro`) is a menu.
pub fn normalize(outputs: &[Output]) -> Vec<Said> {
    let mut said = Vec::new();
    for output in outputs {
        match output {
            Output::Text { text } => said.push(text_said(text)),
            Output::Effect {
                effect: Effect::Tag { tag },
            } => said.push(Said::Tag(tag.clone())),
            Output::Effect {
                effect: Effect::Transfer { department, .. },
            } => said.push(Said::Transfer(department.clone())),
            Output::Effect {
                effect: Effect::End,
            } => said.push(Said::End),
            Output::File { .. } | Output::Audio { .. } | Output::Effect { .. } => {}
        }
    }
    said
}

fn text_said(text: &str) -> Said {
    let mut lines = text.split('\n');
    let question = lines.next().unwrap_or_default().to_string();
    let options: Option<Vec<String>> = lines
        .enumerate()
        .map(|(index, line)| {
            line.trim_start()
                .strip_prefix(&format!("{}) ", index + 1))
                .map(str::to_string)
        })
        .collect();
    match options {
        Some(options) if !options.is_empty() => Said::Menu { question, options },
        _ => Said::Line(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_numbered_message_is_a_menu_and_other_text_a_line() {
        assert_eq!(
            text_said("Como podemos ajudar?\n  1) Financeiro\n  2) Suporte"),
            Said::Menu {
                question: "Como podemos ajudar?".to_string(),
                options: vec!["Financeiro".to_string(), "Suporte".to_string()],
            }
        );
        assert_eq!(text_said("Olá!"), Said::Line("Olá!".to_string()));
        assert_eq!(text_said("a\nb"), Said::Line("a\nb".to_string()));
    }
}

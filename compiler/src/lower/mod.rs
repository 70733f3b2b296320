//! Lowering: a checked program (the parsed files and the checker's `ProgramInfo`) to a
//! verified bytecode `Program`. It assumes the checker passed: anything inconsistent is
//! an internal error value ([`LowerError`]), never a panic and never a user diagnostic.
//!
//! Steps: the tables the code refers to (variables, entities, flow names), then each
//! flow's code (`stmt.rs`, `expr.rs`) into one emitter, then layout (labels become pcs),
//! then the verifier, so a lowering bug is caught here and not in a conversation.

mod emit;
mod expr;
mod intern;
mod lines;
mod stmt;
mod tables;

use std::fmt;

use fluxo_runtime::bytecode::hash::fnv1a64;
use fluxo_runtime::bytecode::op::Op;
use fluxo_runtime::bytecode::program::Program;

use crate::check::{GotoCursor, ProgramInfo};
use crate::{ParsedFile, Sources};
use emit::Emitter;
use lines::Lines;
use stmt::FlowCx;
use tables::Tables;

/// A bug in the compiler: lowering met something the checker should have rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowerError {
    pub message: String,
}

impl LowerError {
    pub(crate) fn new(message: impl Into<String>) -> LowerError {
        LowerError {
            message: message.into(),
        }
    }
}

impl fmt::Display for LowerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "internal compiler error while lowering: {}",
            self.message
        )
    }
}

/// FNV-1a 64 of every source file's name and text, in order.
pub fn source_hash(sources: &Sources) -> u64 {
    fnv1a64(
        sources
            .iter()
            .flat_map(|it| [it.name.as_bytes(), it.text.as_bytes()]),
    )
}

/// Lowers a program the checker accepted.
pub fn lower(
    sources: &Sources,
    files: &[ParsedFile],
    info: &ProgramInfo,
) -> Result<Program, LowerError> {
    // About a name per flow and a text per statement; a message per statement.
    let mut t = Tables::with_capacity(info.statements() + info.flows.len(), info.statements());
    t.program.source_hash = source_hash(sources);
    t.program.erp = info.erp;
    t.program.files = sources.iter().map(|it| it.name.clone()).collect();
    t.declare_vars(info)?;
    t.declare_entities(files, info)?;
    t.declare_flows(info)?;
    let entry = info
        .entry_flow()
        .ok_or_else(|| LowerError::new(format!("no entry flow `{}`", info.entry)))?;
    t.program.entry = u32::try_from(entry).map_err(|_| LowerError::new("too many flows"))?;

    let lines = Lines::new(sources);
    // About an instruction and a label per statement, plus a few per flow.
    let mut em = Emitter::with_capacity(2 * info.statements() + 4 * info.flows.len());
    let mut menus = Vec::new();
    let mut switches = Vec::new();
    let mut entries = Vec::new();
    let mut gotos = GotoCursor::default();
    for (flow_idx, flow) in info.flows.iter().enumerate() {
        let (_, ast_flow) = info
            .flow_ast(files, flow_idx)
            .ok_or_else(|| LowerError::new(format!("flow `{}` not found", flow.name)))?;
        if let Some(title) = &ast_flow.title {
            let title = t.string(&tables::plain(title)?)?;
            if let Some(info) = t.program.flows.get_mut(flow_idx) {
                info.title = Some(title);
            }
        }
        let start = em.label();
        em.place(start);
        entries.push(start);
        let labels = flow.labels.iter().map(|_| em.label()).collect();
        let mut cx = FlowCx {
            info,
            lines: &lines,
            file: flow.loc.file,
            flow: flow_idx,
            labels,
            menus: &mut menus,
            switches: &mut switches,
            gotos: &mut gotos,
        };
        stmt::block(&mut cx, &mut t, &mut em, &ast_flow.body.stmts)?;
        if em.open() {
            // Running off the end of a flow closes the conversation.
            let (line, column) =
                lines.line_col(flow.loc.file, ast_flow.body.span.end.saturating_sub(1));
            em.op(Op::End {}, (flow.loc.file.0, line, column));
        }
    }
    let layout = em.layout()?;
    let pc = |label: u32| -> Result<u32, LowerError> {
        layout
            .labels
            .get(label as usize)
            .copied()
            .ok_or_else(|| LowerError::new("a table names an unknown label"))
    };
    for (flow, label) in t.program.flows.iter_mut().zip(&entries) {
        flow.entry = pc(label.0)?;
    }
    for menu in &mut menus {
        for option in &mut menu.options {
            option.target = pc(option.target)?;
        }
        menu.otherwise = menu.otherwise.map(pc).transpose()?;
    }
    for table in &mut switches {
        for arm in &mut table.arms {
            arm.target = pc(arm.target)?;
        }
        table.otherwise = pc(table.otherwise)?;
    }
    let mut program = t.program;
    program.menus = menus;
    program.switches = switches;
    program.code = layout.code;
    program.lines = layout.lines;
    program
        .verify()
        .map_err(|err| LowerError::new(format!("the program fails verification: {err}")))?;
    Ok(program)
}

//! The disassembler: a program as text, one instruction per line with its offset, its
//! source position, its mnemonic and its operands resolved through the tables (message
//! text, flow and variable names, menu and `when` targets, card arguments by name).
//! Printing is driven by `OperandKind` from the one opcode table, so a new opcode needs
//! no change here.
//!
//! The program does not carry its source text: the caller may pass a lookup that
//! returns a source line, and the disassembly then shows each line's text above its
//! first instruction. It never panics, even on an unverified program: a bad index
//! prints as `<bad N>`.

use std::fmt::Write;

use fluxo_stdlib::catalogue::cards;
use fluxo_stdlib::types::InputType;

use super::op::{Op, OperandKind};
use super::program::{ArgValue, Const, EntityRef, Message, MessagePart, Program, Subject};

/// Returns the text of `line` (1-based) of source file `file`, when available.
pub type SourceLines<'a> = &'a dyn Fn(&str, u32) -> Option<String>;

/// The whole program: a short header, then each flow's instructions.
pub fn disassemble(p: &Program, source: Option<SourceLines<'_>>) -> String {
    let mut out = String::new();
    let erp = p.erp.map_or("none", |it| it.name());
    let entry = p.flow_name(p.entry).unwrap_or("<bad>");
    let _ = writeln!(
        out,
        "; source hash {:016x}, erp {erp}, entry flow {entry}, {} bytes of code",
        p.source_hash,
        p.code.len()
    );
    let mut starts: Vec<(u32, usize)> = p
        .flows
        .iter()
        .enumerate()
        .map(|(idx, it)| (it.entry, idx))
        .collect();
    starts.sort_unstable();
    let mut last_line: Option<(u32, u32)> = None;
    let mut pc = 0u32;
    while (pc as usize) < p.code.len() {
        for (_, flow) in starts.iter().filter(|(entry, _)| *entry == pc) {
            let title = p.flows[*flow].title.and_then(|it| p.string(it));
            let name = p.string(p.flows[*flow].name).unwrap_or("<bad>");
            match title {
                Some(title) => {
                    let _ = writeln!(out, "\nflow {name} {}:", quote(title));
                }
                None => {
                    let _ = writeln!(out, "\nflow {name}:");
                }
            }
        }
        let entry = p.lines.lookup(pc).copied();
        let position = match entry {
            Some(it) => {
                let here = (it.file, it.line);
                if last_line != Some(here) {
                    last_line = Some(here);
                    let file = p
                        .files
                        .get(it.file as usize)
                        .map_or("<bad>", String::as_str);
                    if let Some(text) = source.and_then(|lookup| lookup(file, it.line)) {
                        let _ = writeln!(out, "    ; {file}:{} | {}", it.line, text.trim());
                    }
                }
                format!("{}:{}", it.line, it.column)
            }
            None => "-".to_string(),
        };
        match Op::decode(&p.code, pc as usize) {
            Ok((op, next)) => {
                let _ = writeln!(out, "  {pc:04}  {position:<7} {}", instruction(p, &op));
                pc = u32::try_from(next).unwrap_or(u32::MAX);
            }
            Err(err) => {
                let _ = writeln!(out, "  {pc:04}  {position:<7} <{err}>");
                break;
            }
        }
    }
    out
}

/// One instruction with its operands resolved: `say "Olá, {user_name}!"`.
pub fn instruction(p: &Program, op: &Op) -> String {
    let mut out = op.name().to_string();
    let card = match op {
        Op::Choice { .. } => Some("ask_choice"),
        Op::Confirm { .. } => Some("ask_confirm"),
        Op::Input { .. } => Some("ask_input"),
        Op::Card { card, .. } => cards().get(*card as usize).map(|it| it.name),
        _ => None,
    };
    for (spec, value) in op.operands() {
        let text = match spec.kind {
            OperandKind::Message => p
                .messages
                .get(value as usize)
                .map(|it| quote(&message_text(p, it))),
            OperandKind::Str => p.string(value).map(quote),
            OperandKind::Const => p.consts.get(value as usize).map(|it| const_text(p, it)),
            OperandKind::Flow => p.flow_name(value).map(str::to_string),
            OperandKind::Var => p.var_name(value).map(str::to_string),
            OperandKind::OptVar | OperandKind::OptMenu | OperandKind::OptAttendant
                if value == 0 =>
            {
                continue;
            }
            OperandKind::OptVar => p.var_name(value - 1).map(str::to_string),
            OperandKind::Target => Some(format!("{value:04}")),
            OperandKind::Menu => menu_text(p, value),
            OperandKind::OptMenu => menu_text(p, value - 1),
            OperandKind::Switch => switch_text(p, value),
            OperandKind::Args => args_text(p, value, card),
            OperandKind::Card => cards().get(value as usize).map(|it| it.name.to_string()),
            OperandKind::Department => entity(p, EntityRef::Department, value),
            OperandKind::OptAttendant => entity(p, EntityRef::Attendant, value - 1),
            OperandKind::Tag => entity(p, EntityRef::Tag, value),
            OperandKind::Seconds => Some(format!("{value}s")),
            OperandKind::InputType => InputType::ALL
                .get(value as usize)
                .map(|it| it.name().to_string()),
        };
        let text = text.unwrap_or_else(|| format!("<bad {value}>"));
        let _ = write!(out, " {}={text}", spec.name);
    }
    out
}

fn quote(text: &str) -> String {
    format!("{text:?}")
}

fn entity(p: &Program, kind: EntityRef, index: u32) -> Option<String> {
    p.string(p.entities.name(kind, index)?).map(str::to_string)
}

fn message_text(p: &Program, message: &Message) -> String {
    let mut out = String::new();
    for part in &message.parts {
        match part {
            MessagePart::Text(text) => out.push_str(p.string(*text).unwrap_or("<bad>")),
            MessagePart::Var { var, fields } => {
                out.push('{');
                out.push_str(p.var_name(*var).unwrap_or("<bad>"));
                for field in fields {
                    out.push('.');
                    out.push_str(p.string(*field).unwrap_or("<bad>"));
                }
                out.push('}');
            }
        }
    }
    out
}

fn const_text(p: &Program, value: &Const) -> String {
    match *value {
        Const::Text(text) => p
            .string(text)
            .map_or_else(|| format!("<bad {text}>"), quote),
        Const::Number(number) => number.to_string(),
        Const::Bool(flag) => flag.to_string(),
        Const::Duration(secs) => format!("{secs}s"),
        Const::Time(minutes) => format!("{:02}:{:02}", minutes / 60, minutes % 60),
        Const::Date { year, month, day } => format!("{year:04}-{month:02}-{day:02}"),
        Const::Range(low, high) => format!("{low}..{high}"),
        Const::Pattern { kind, index } => kind
            .patterns()
            .get(index as usize)
            .map_or_else(|| format!("<bad {index}>"), |it| it.name.to_string()),
    }
}

fn arg_text(p: &Program, value: &ArgValue) -> String {
    let text = match value {
        ArgValue::Const(idx) => p.consts.get(*idx as usize).map(|it| const_text(p, it)),
        ArgValue::Message(idx) => p
            .messages
            .get(*idx as usize)
            .map(|it| quote(&message_text(p, it))),
        ArgValue::Flow(idx) => p.flow_name(*idx).map(str::to_string),
        ArgValue::Item { kind, index } => entity(p, *kind, *index),
        ArgValue::List(items) => {
            let items: Vec<String> = items.iter().map(|it| arg_text(p, it)).collect();
            Some(format!("[{}]", items.join(", ")))
        }
    };
    text.unwrap_or_else(|| "<bad>".to_string())
}

fn args_text(p: &Program, args: u32, card: Option<&str>) -> Option<String> {
    let record = p.args.get(args as usize)?;
    let spec = card.and_then(fluxo_stdlib::catalogue::card);
    let values: Vec<String> = record
        .values
        .iter()
        .map(|entry| {
            let name = spec
                .and_then(|it| it.params().nth(entry.param as usize))
                .map_or_else(|| format!("#{}", entry.param), |it| it.name.to_string());
            format!("{name}: {}", arg_text(p, &entry.value))
        })
        .collect();
    Some(format!("{{{}}}", values.join(", ")))
}

fn menu_text(p: &Program, menu: u32) -> Option<String> {
    let menu = p.menus.get(menu as usize)?;
    let mut arms: Vec<String> = menu
        .options
        .iter()
        .map(|it| {
            format!(
                "{} -> {:04}",
                p.string(it.label).map_or_else(|| "<bad>".into(), quote),
                it.target
            )
        })
        .collect();
    if let Some(otherwise) = menu.otherwise {
        arms.push(format!("else -> {otherwise:04}"));
    }
    Some(format!("[{}]", arms.join(", ")))
}

fn switch_text(p: &Program, table: u32) -> Option<String> {
    let table = p.switches.get(table as usize)?;
    let subject = match table.subject {
        Subject::Channel => "channel".to_string(),
        Subject::Branch => "branch".to_string(),
        Subject::Hours(period) => format!("hours {}", entity(p, EntityRef::Period, period)?),
        Subject::Shift => "shift".to_string(),
        Subject::Tag => "tag".to_string(),
        Subject::Registration => "registration".to_string(),
        Subject::Origin => "origin".to_string(),
        Subject::Var(var) => p.var_name(var)?.to_string(),
    };
    let kind = table.subject.pattern_kind(p);
    let mut arms: Vec<String> = table
        .arms
        .iter()
        .map(|arm| {
            let name = match (table.subject, kind) {
                (Subject::Tag, _) => entity(p, EntityRef::Tag, arm.pattern),
                (Subject::Branch, _) => entity(p, EntityRef::Branch, arm.pattern),
                (_, Some(kind)) => kind
                    .patterns()
                    .get(arm.pattern as usize)
                    .map(|it| it.name.to_string()),
                (_, None) => None,
            };
            format!(
                "{} -> {:04}",
                name.unwrap_or_else(|| format!("<bad {}>", arm.pattern)),
                arm.target
            )
        })
        .collect();
    arms.push(format!("else -> {:04}", table.otherwise));
    Some(format!("{subject} [{}]", arms.join(", ")))
}

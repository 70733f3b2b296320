//! Lowering statements: one card instruction per card, branch tables for `ask`, `when`
//! and call cards with arms, jumps for `if` and labels. A branch that finishes without
//! leaving jumps to the statement after its `ask`/`when`/`if`.

use fluxo_grammar::ast::{self, Arms, AskKind, Else, Pattern, Stmt, StmtKind};
use fluxo_runtime::bytecode::op::Op;
use fluxo_runtime::bytecode::program::{
    EntityRef, Menu, MenuOption, Subject, SwitchArm, SwitchTable, ValueType,
};
use fluxo_stdlib::catalogue::{when_subject, ArmsSpec, CardId, SubjectPatterns};
use fluxo_stdlib::types::{EnumKind, InputType};

use super::emit::{Emitter, Label, Pos};
use super::expr::{args_record, expr, pattern_index};
use super::lines::Lines;
use super::tables::Tables;
use super::LowerError;
use crate::check::{call_card, GotoCursor, GotoTarget, ProgramInfo};

/// What lowering one flow needs besides the tables.
pub(crate) struct FlowCx<'a> {
    pub info: &'a ProgramInfo,
    pub lines: &'a Lines<'a>,
    pub file: fluxo_grammar::FileId,
    pub flow: usize,
    /// One label per `FlowInfo::labels` entry.
    pub labels: Vec<Label>,
    /// Menus and switches hold labels until layout turns them into pcs.
    pub menus: &'a mut Vec<Menu>,
    pub switches: &'a mut Vec<SwitchTable>,
    pub gotos: &'a mut GotoCursor,
}

impl FlowCx<'_> {
    fn pos(&self, span: ast::Span) -> Pos {
        let (line, column) = self.lines.line_col(self.file, span.start);
        (self.file.0, line, column)
    }
}

pub(crate) fn block(
    cx: &mut FlowCx<'_>,
    t: &mut Tables,
    em: &mut Emitter,
    stmts: &[Stmt],
) -> Result<(), LowerError> {
    for s in stmts {
        stmt(cx, t, em, s)?;
    }
    Ok(())
}

fn stmt(cx: &mut FlowCx<'_>, t: &mut Tables, em: &mut Emitter, s: &Stmt) -> Result<(), LowerError> {
    if let Some(label) = &s.label {
        let labels = &cx
            .info
            .flows
            .get(cx.flow)
            .ok_or_else(|| LowerError::new("flow out of range"))?
            .labels;
        let idx = labels
            .iter()
            .position(|it| it.name == label.name && it.loc.span.start == label.span.start)
            .or_else(|| labels.iter().position(|it| it.name == label.name))
            .ok_or_else(|| LowerError::new(format!("unknown label `{}`", label.name)))?;
        em.place(cx.labels[idx]);
    }
    let pos = cx.pos(s.span);
    match &s.kind {
        StmtKind::Say(text) => {
            let msg = t.message(&text.parts)?;
            em.op(Op::Say { msg }, pos);
        }
        StmtKind::SayAudio(file) => {
            let file = t.string(&super::tables::plain(file)?)?;
            em.op(Op::SayAudio { file }, pos);
        }
        StmtKind::Ask(ask) => {
            let prompt = t.message(&ask.prompt.parts)?;
            match &ask.kind {
                AskKind::Choice { arms } => {
                    let args = args_record(t, cx.info, CardId::AskChoice.spec(), &ask.args)?;
                    let menu = u32::try_from(cx.menus.len())
                        .map_err(|_| LowerError::new("too many menus"))?;
                    em.op(Op::Choice { prompt, args, menu }, pos);
                    string_arms(cx, t, em, arms, false)?;
                }
                AskKind::Confirm { arms } => {
                    let args = args_record(t, cx.info, CardId::AskConfirm.spec(), &ask.args)?;
                    let (yes, no, end) = (em.label(), em.label(), em.label());
                    em.op(
                        Op::Confirm {
                            prompt,
                            args,
                            yes: yes.0,
                            no: no.0,
                        },
                        pos,
                    );
                    let arm = |want: fn(&Pattern) -> bool| {
                        arms.arms
                            .iter()
                            .find(|it| want(&it.pattern))
                            .ok_or_else(|| LowerError::new("a confirm without both arms"))
                    };
                    let yes_arm = arm(|it| matches!(it, Pattern::Yes(_)))?;
                    let no_arm = arm(|it| matches!(it, Pattern::No(_)))?;
                    let arms = [(yes, &yes_arm.body, false), (no, &no_arm.body, true)];
                    for (label, body, last) in arms {
                        em.place(label);
                        branch(cx, t, em, body.stmts(), end, last)?;
                    }
                    em.place(end);
                }
                AskKind::Input { ty, var } => {
                    let args = args_record(t, cx.info, CardId::AskInput.spec(), &ask.args)?;
                    let input = InputType::ALL
                        .iter()
                        .position(|it| it.name() == ty.name)
                        .and_then(|it| u32::try_from(it).ok())
                        .ok_or_else(|| {
                            LowerError::new(format!("unknown input type `{}`", ty.name))
                        })?;
                    em.op(
                        Op::Input {
                            prompt,
                            ty: input,
                            var: t.var(&var.name)?,
                            args,
                        },
                        pos,
                    );
                }
            }
        }
        StmtKind::When(when) => lower_when(cx, t, em, when, pos)?,
        StmtKind::If(if_) => lower_if(cx, t, em, if_)?,
        StmtKind::Goto(target) => match cx.info.goto_target(cx.gotos, cx.file, cx.flow, target) {
            Some(GotoTarget::Label(idx)) => {
                let label = *cx
                    .labels
                    .get(idx)
                    .ok_or_else(|| LowerError::new("label out of range"))?;
                em.op(Op::Jump { target: label.0 }, pos);
            }
            Some(GotoTarget::Flow(flow)) => {
                let flow = u32::try_from(flow).map_err(|_| LowerError::new("too many flows"))?;
                em.op(Op::Goto { flow }, pos);
            }
            None => {
                return Err(LowerError::new(format!(
                    "unknown goto target `{}`",
                    target.name
                )))
            }
        },
        StmtKind::Transfer {
            department,
            attendant,
        } => {
            let department = t.entity(EntityRef::Department, &department.name)?;
            let attendant = match attendant {
                Some(it) => t.entity(EntityRef::Attendant, &it.name)? + 1,
                None => 0,
            };
            em.op(
                Op::Transfer {
                    department,
                    attendant,
                },
                pos,
            );
        }
        StmtKind::Tag(tags) => {
            for tag in tags {
                em.op(
                    Op::Tag {
                        tag: t.entity(EntityRef::Tag, &tag.name)?,
                    },
                    pos,
                );
            }
        }
        StmtKind::Wait(duration) => {
            let seconds = u32::try_from(duration.as_secs())
                .map_err(|_| LowerError::new("a wait longer than 136 years"))?;
            em.op(Op::Wait { seconds }, pos);
        }
        StmtKind::Set { var, value } => {
            expr(t, em, value, pos)?;
            em.op(
                Op::Set {
                    var: t.var(&var.name)?,
                },
                pos,
            );
        }
        StmtKind::End => em.op(Op::End {}, pos),
        StmtKind::Call(call) => {
            let id = call_card(call).ok_or_else(|| {
                LowerError::new(format!("`{}` is not in the catalogue", call.full_name()))
            })?;
            let (card, spec) = (id.index(), id.spec());
            let args = args_record(t, cx.info, spec, &call.args)?;
            let bind = match &call.binding {
                Some(var) => t.var(&var.name)? + 1,
                None => 0,
            };
            match &call.arms {
                Some(arms) => {
                    let else_allowed =
                        matches!(spec.arms, ArmsSpec::Strings(it) if it.else_allowed);
                    let menu = u32::try_from(cx.menus.len())
                        .map_err(|_| LowerError::new("too many menus"))?;
                    em.op(
                        Op::Card {
                            card,
                            args,
                            bind,
                            menu: menu + 1,
                        },
                        pos,
                    );
                    string_arms(cx, t, em, arms, else_allowed)?;
                }
                None => em.op(
                    Op::Card {
                        card,
                        args,
                        bind,
                        menu: 0,
                    },
                    pos,
                ),
            }
        }
    }
    Ok(())
}

/// Lowers a branch body and, when it can finish, jumps to `end`; the last branch before
/// `end` needs no jump.
fn branch(
    cx: &mut FlowCx<'_>,
    t: &mut Tables,
    em: &mut Emitter,
    body: &[Stmt],
    end: Label,
    last: bool,
) -> Result<(), LowerError> {
    block(cx, t, em, body)?;
    if em.open() && !last {
        let pos = body.last().map_or((cx.file.0, 0, 0), |it| cx.pos(it.span));
        em.op(Op::Jump { target: end.0 }, pos);
    }
    Ok(())
}

/// The menu for string-keyed arms (pushed as the next menu) and the arms' code. When
/// `else_goes_on`, an answer matching no option and no `else` goes on after the card.
fn string_arms(
    cx: &mut FlowCx<'_>,
    t: &mut Tables,
    em: &mut Emitter,
    arms: &Arms,
    else_goes_on: bool,
) -> Result<(), LowerError> {
    let end = em.label();
    let slot = cx.menus.len();
    cx.menus.push(Menu::default());
    let mut menu = Menu {
        options: Vec::with_capacity(arms.arms.len()),
        otherwise: None,
    };
    let mut bodies = Vec::with_capacity(arms.arms.len());
    for arm in &arms.arms {
        let label = em.label();
        match &arm.pattern {
            Pattern::Str(text) => {
                let label_text = t.string(&super::tables::plain(text)?)?;
                menu.options.push(MenuOption {
                    label: label_text,
                    target: label.0,
                });
            }
            Pattern::Else(_) => menu.otherwise = Some(label.0),
            _ => return Err(LowerError::new("a string-keyed arm with another pattern")),
        }
        bodies.push((label, &arm.body));
    }
    if menu.otherwise.is_none() && else_goes_on {
        menu.otherwise = Some(end.0);
    }
    if let Some(it) = cx.menus.get_mut(slot) {
        *it = menu;
    }
    let n_bodies = bodies.len();
    for (idx, (label, body)) in bodies.into_iter().enumerate() {
        em.place(label);
        branch(cx, t, em, body.stmts(), end, idx + 1 == n_bodies)?;
    }
    em.place(end);
    Ok(())
}

fn lower_when(
    cx: &mut FlowCx<'_>,
    t: &mut Tables,
    em: &mut Emitter,
    when: &ast::When,
    pos: Pos,
) -> Result<(), LowerError> {
    let (subject, kind) = match &when.subject {
        ast::Subject::Hours(period) => (
            Subject::Hours(t.entity(EntityRef::Period, &period.name)?),
            Some(EnumKind::Hours),
        ),
        ast::Subject::Tag(_) => (Subject::Tag, None),
        ast::Subject::Branch(_) => (Subject::Branch, None),
        ast::Subject::Path(path) => {
            let keyword = match path.segments.as_slice() {
                [name] => when_subject(&name.name),
                _ => None,
            };
            match keyword.map(|it| (it.keyword, it.patterns)) {
                Some((Some(word), SubjectPatterns::Enum(kind))) => {
                    let subject = match word {
                        "channel" => Subject::Channel,
                        "shift" => Subject::Shift,
                        "registration" => Subject::Registration,
                        "origin" => Subject::Origin,
                        other => {
                            return Err(LowerError::new(format!(
                                "`when {other}` without its operand"
                            )))
                        }
                    };
                    (subject, Some(kind))
                }
                _ => {
                    let [name] = path.segments.as_slice() else {
                        return Err(LowerError::new("`when` on a record field"));
                    };
                    let var = t.var(&name.name)?;
                    match t.var_type(&name.name) {
                        Some(ValueType::Enum(kind)) => (Subject::Var(var), Some(kind)),
                        _ => {
                            return Err(LowerError::new(format!(
                                "`when {}` on a non-enum variable",
                                name.name
                            )))
                        }
                    }
                }
            }
        }
    };
    let end = em.label();
    let mut table = SwitchTable {
        subject,
        arms: Vec::with_capacity(when.arms.arms.len()),
        otherwise: end.0,
    };
    let mut bodies = Vec::with_capacity(when.arms.arms.len());
    for arm in &when.arms.arms {
        let label = em.label();
        match &arm.pattern {
            Pattern::Name(name) => {
                let pattern = match (subject, kind) {
                    (Subject::Tag, _) => t.entity(EntityRef::Tag, &name.name)?,
                    (Subject::Branch, _) => t.entity(EntityRef::Branch, &name.name)?,
                    (_, Some(kind)) => pattern_index(kind, &name.name)?,
                    (_, None) => return Err(LowerError::new("a `when` without patterns")),
                };
                table.arms.push(SwitchArm {
                    pattern,
                    target: label.0,
                });
            }
            Pattern::Else(_) => table.otherwise = label.0,
            _ => return Err(LowerError::new("a `when` arm that is not a name")),
        }
        bodies.push((label, &arm.body));
    }
    let slot = cx.switches.len();
    cx.switches.push(table);
    let table = u32::try_from(slot).map_err(|_| LowerError::new("too many `when`s"))?;
    em.op(Op::Switch { table }, pos);
    let n_bodies = bodies.len();
    for (idx, (label, body)) in bodies.into_iter().enumerate() {
        em.place(label);
        branch(cx, t, em, body.stmts(), end, idx + 1 == n_bodies)?;
    }
    em.place(end);
    Ok(())
}

fn lower_if(
    cx: &mut FlowCx<'_>,
    t: &mut Tables,
    em: &mut Emitter,
    if_: &ast::If,
) -> Result<(), LowerError> {
    let end = em.label();
    let mut current = if_;
    loop {
        let otherwise = em.label();
        let pos = cx.pos(current.cond.span);
        expr(t, em, &current.cond, pos)?;
        em.op(
            Op::JumpIfFalse {
                target: otherwise.0,
            },
            pos,
        );
        let last = current.otherwise.is_none();
        branch(cx, t, em, &current.then.stmts, end, last)?;
        em.place(otherwise);
        match &current.otherwise {
            None => break,
            Some(Else::Block(block_)) => {
                block(cx, t, em, &block_.stmts)?;
                break;
            }
            Some(Else::If(next, _)) => current = next,
        }
    }
    em.place(end);
    Ok(())
}

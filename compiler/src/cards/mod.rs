//! Each card's own checks, one file per card with rules of its own; the checks every
//! card shares (arguments, `as`, arms) come from the catalogue entry in the stdlib.
//!
//! [`check_call`] matches on every `CardId` of the catalogue with no catch-all arm: a
//! card added to the catalogue does not compile until it is given its rules here, or
//! listed among the cards the shared rules suffice for. Statement cards (`ask`, `when`,
//! `transfer`, `say audio`) have syntax of their own and are dispatched by the statement
//! walk in `check/walk.rs`, which calls the files here.

pub(crate) mod args;
pub(crate) mod arms;
pub(crate) mod ask_choice;
pub(crate) mod ask_input;
mod erp;
mod lowcode;
mod optin;
pub(crate) mod say_audio;
pub(crate) mod sign_contract;
mod survey;
pub(crate) mod transfer;
pub(crate) mod when;

use fluxo_grammar::ast::{self, Ident};
use fluxo_stdlib::catalogue::{ArmsSpec, Binds, CallCard, CardId, CardKind, CardSpec};
use fluxo_stdlib::types::Ty;

use crate::check::{Cx, Problem, ProgramInfo, Type};
use crate::symbols::Symbol;

/// Where a statement stands, for cards that must come first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Position {
    /// The first statement of the entry flow.
    EntryStart,
    Elsewhere,
}

/// What the control-flow graph needs to know about a checked call card.
pub(crate) struct CallFacts {
    /// The variable the card binds.
    pub binds: Option<usize>,
    /// The flow its `fail_flow` names.
    pub fail_flow: Option<usize>,
    /// Whether execution can go on to the next statement without passing an arm.
    pub falls_through: bool,
}

/// Checks a call card: the shared rules, then the card's own.
pub(crate) fn check_call(
    cx: &mut Cx,
    card: CardId,
    call: &ast::Call,
    stmt: &ast::Stmt,
    position: Position,
) -> CallFacts {
    let spec = card.spec();
    let card_at = cx.loc(call.name_span());
    let args = args::check(cx, spec, &call.args, call.name_span());
    let binds = binding(cx, spec, call);
    let mut falls_through = spec.continues;
    match (spec.arms, &call.arms) {
        (ArmsSpec::None, None) => {}
        (ArmsSpec::None, Some(a)) => {
            let message = "this card takes no arms".to_string();
            cx.report(Problem::Arms {
                at: cx.loc(a.span),
                card: spec.name.to_string(),
                message,
            });
        }
        (ArmsSpec::Strings(limits), Some(a)) => {
            arms::strings(cx, spec, a);
            let has_else = a
                .arms
                .iter()
                .any(|arm| matches!(arm.pattern, ast::Pattern::Else(_)));
            falls_through &= limits.else_allowed && !has_else;
        }
        (ArmsSpec::Strings(_), None) => {
            let message = "needs arms: `{ \"<option>\" => ... }`".to_string();
            cx.report(Problem::Arms {
                at: card_at,
                card: spec.name.to_string(),
                message,
            });
        }
        (ArmsSpec::YesNo, Some(a)) => {
            // A missing arm is reported; going on after the card keeps what follows
            // from being reported unreachable as well.
            falls_through |= !arms::yes_no(cx, spec, a, stmt.span);
        }
        (ArmsSpec::YesNo | ArmsSpec::Subject, _) => {}
    }
    // Statement cards are checked by their syntax in `check/walk.rs`. A call that spells
    // one's catalogue name (`ask_confirm()`) gets only the shared rules above; the VM
    // refuses it when it runs (`vm/cards/mod.rs`).
    if let CardKind::Call(call_card) = card.kind() {
        match call_card {
            CallCard::Optin => optin::check(cx, position, card_at),
            CallCard::Survey => survey::check(cx, call),
            CallCard::ErpSecondCopy
            | CallCard::ErpInvoice
            | CallCard::ErpTrustUnlock
            | CallCard::ErpReleaseSpeed
            | CallCard::ErpDiagnose
            | CallCard::ErpSignContract
            | CallCard::ErpOpenTicket
            | CallCard::ErpAuthenticate
            | CallCard::ErpWifiPassword => erp::check(cx, spec, card_at),
            // The shared rules driven by the catalogue are all these need: their arguments'
            // types, files and item references, `as`, their arms and their channels.
            // `lowcode`'s record type (`binding_type`) and `auto_link`'s link
            // (`sign_contract.rs`) are facts for the analyses, not rules of the call itself.
            CallCard::SendFile
            | CallCard::Describe
            | CallCard::Notify
            | CallCard::MigrateWhatsapp
            | CallCard::ForwardCall
            | CallCard::ValidateDocument
            | CallCard::AutoLink
            | CallCard::AccountAdd
            | CallCard::AccountSwitch
            | CallCard::Intent
            | CallCard::Lowcode
            | CallCard::InteractiveTemplate => {}
        }
    }
    CallFacts {
        binds,
        fail_flow: args.fail_flow,
        falls_through,
    }
}

/// The `as <var>` of a call card, checked against the catalogue.
fn binding(cx: &mut Cx, spec: &'static CardSpec, call: &ast::Call) -> Option<usize> {
    let card = spec.name.to_string();
    match (spec.binds, &call.binding) {
        (Binds::None, Some(var)) => {
            cx.report(Problem::Binding {
                at: cx.loc(var.span),
                card,
                missing: false,
            });
            None
        }
        (Binds::Required(_), None) => {
            cx.report(Problem::Binding {
                at: cx.loc(call.name_span()),
                card,
                missing: true,
            });
            None
        }
        (_, Some(var)) => {
            let ty = binding_type(&cx.program, spec, call);
            bind(cx, var, ty)
        }
        (_, None) => None,
    }
}

/// The type of the variable a call card binds.
pub(crate) fn binding_type(program: &ProgramInfo, spec: &CardSpec, call: &ast::Call) -> Type {
    match spec.binds {
        Binds::Optional(Ty::Record) | Binds::Required(Ty::Record) => {
            lowcode::record_type(program, call)
        }
        Binds::Optional(ty) | Binds::Required(ty) => Type::Value(ty),
        Binds::None | Binds::ByInputType => Type::Unknown,
    }
}

/// Assigns `var` a value of type `ty`: it must agree with the variable's one type.
pub(crate) fn bind(cx: &mut Cx, var: &Ident, ty: Type) -> Option<usize> {
    let idx = cx.program.variable_id(&var.name)?;
    let at = cx.loc(var.span);
    cx.program.symbols.push(Symbol::Variable(idx), at);
    let info = cx.program.variables.get(idx)?;
    if info.loc != at && !ty.agrees(info.ty) {
        let (first, first_ty, name) = (info.loc, cx.show(info.ty), var.name.clone());
        let ty = cx.show(ty);
        cx.report(Problem::VariableType {
            at,
            name,
            ty,
            first,
            first_ty,
        });
    }
    Some(idx)
}

//! The card catalogue: one static `CardSpec` per card of the language, statement cards
//! (`say`, `ask`, `when`, ...) and call cards (`survey(...)`, `erp.second_copy(...)`)
//! alike. The checker, the Opa JSON frontend, the docs and the runtime's host calls all
//! read a card's parameters, types, defaults, channels and Opa names from here.
//!
//! This module is data and lookups only. The list of cards and their ids is the table in
//! `registry.rs`; each card's own checks live in the compiler (`compiler/src/cards/`) and
//! its behaviour in the VM (`runtime/src/vm/cards/`), both dispatched on `CardId`;
//! nothing here knows syntax trees or bytecode.

mod calls;
mod erp_cards;
mod params;
mod registry;
mod statements;
mod subjects;
#[cfg(test)]
mod tests;

pub use params::{CALL_FAILURE_PARAMS, RETRY_PARAMS};
pub use registry::{
    card, card_by_opa_type, cards, erp_card, CallCard, CardId, CardKind, StatementCard,
};
pub use subjects::{
    when_subject, when_subject_for_variable, when_subjects, SubjectPatterns, SubjectSpec,
};

use crate::erp::ErpAction;
use crate::types::{Channel, Literal, Ty};

/// Everything the tools know about one card.
#[derive(Debug, PartialEq, Eq)]
pub struct CardSpec {
    /// The card's name in the catalogue and the language: the keyword of a statement card
    /// with its variant (`say`, `say_audio`, `ask_choice`), or the callee of a call card
    /// (`survey`, `erp.second_copy`).
    pub name: &'static str,
    pub syntax: Syntax,
    /// How a program writes the card, in the notation of the language reference.
    pub form: &'static str,
    /// The card's type id in Fluxo's Opa JSON: stable snake-case Portuguese, unique
    /// across the catalogue.
    pub opa_type: &'static str,
    /// The card's title in the Opa editor.
    pub opa_title: &'static str,
    pub family: Family,
    /// One English line.
    pub summary: &'static str,
    /// What the card does at run time, in English, with the decisions the seeds left open.
    pub doc: &'static str,
    /// The card's own parameters; `params()` adds those of `fails`.
    pub own_params: &'static [ParamSpec],
    pub fails: Fails,
    pub channels: Channels,
    /// Whether `as <var>` may or must follow the card, and the variable's type.
    pub binds: Binds,
    pub arms: ArmsSpec,
    pub erp_action: Option<ErpAction>,
    /// True if every run of the card reads at least one message from the customer. The
    /// checker's endless-loop check counts only such cards as a wait, so a card that
    /// sometimes goes on without reading (an ERP action for a linked contact) says false.
    pub waits_for_customer: bool,
    /// False if execution never goes on to the next statement (`goto`, `transfer`, `end`,
    /// `forward_call`): whatever follows in the same block is unreachable.
    pub continues: bool,
}

/// How a card is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// Its own keyword syntax (`say "..."`, `transfer to x`); a few take `(<args>)`.
    Statement,
    /// `name(<named args>) [as <var>] [{ <arms> }]`.
    Call,
}

/// The two groups the Opa editor sorts cards into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Ferramenta do sistema: acts on the platform or the ERP.
    SystemTool,
    /// Interação: talks with the customer.
    Interaction,
}

impl Family {
    pub fn english(self) -> &'static str {
        match self {
            Family::SystemTool => "system tool",
            Family::Interaction => "interaction",
        }
    }

    pub fn opa_label(self) -> &'static str {
        match self {
            Family::SystemTool => "Ferramenta do sistema",
            Family::Interaction => "Interação",
        }
    }
}

/// The channels a card may run in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channels {
    Any,
    /// The checker rejects the card where the channel is not known to be one of these.
    Only(&'static [Channel]),
}

impl Channels {
    pub fn allows(self, channel: Channel) -> bool {
        match self {
            Channels::Any => true,
            Channels::Only(channels) => channels.contains(&channel),
        }
    }
}

/// The variable a card may bind with `as <var>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binds {
    None,
    Optional(Ty),
    Required(Ty),
    /// Required; its type is `Ty::Input` of the type the card names (`ask ... input cpf
    /// as doc` binds a `cpf`).
    ByInputType,
}

/// The arms a card may carry after it, in `{ ... }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArmsSpec {
    None,
    /// Arms keyed by string literals: choice options, intents, template buttons.
    Strings(StringArms),
    /// Exactly the arms `yes` and `no`.
    YesNo,
    /// The patterns depend on the `when` subject; see `when_subjects()`.
    Subject,
}

/// The limits on string-keyed arms. Lengths count characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StringArms {
    pub max_len: Option<usize>,
    pub max_count: Option<usize>,
    /// Whether an `else` arm may take the answers that match no key.
    pub else_allowed: bool,
}

/// How a card can fail, which decides the failure parameters it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fails {
    Never,
    /// It reads the customer's answer and asks again when the answer is wrong: takes
    /// `RETRY_PARAMS` (`retries`, `invalid_message`, `fail_message`, `fail_flow`).
    OnInput,
    /// A host call can fail without the customer at fault: takes
    /// `CALL_FAILURE_PARAMS` (`fail_message`, `fail_flow`).
    OnCall,
}

impl Fails {
    pub fn params(self) -> &'static [ParamSpec] {
        match self {
            Fails::Never => &[],
            Fails::OnInput => &RETRY_PARAMS,
            Fails::OnCall => &CALL_FAILURE_PARAMS,
        }
    }
}

/// One parameter of a card.
#[derive(Debug, PartialEq, Eq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub ty: Ty,
    pub default: ParamDefault,
    pub place: Place,
    /// The field's label in the Opa editor.
    pub opa_field: &'static str,
    pub doc: &'static str,
}

/// Whether a parameter must be given, and what it is when it is not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamDefault {
    Required,
    /// Absent means "none": no caption, no fail flow, no agent.
    Optional,
    Value(Literal),
}

/// Where a parameter is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A named argument, `name: value`, inside the card's parentheses.
    Arg,
    /// Part of the statement's own syntax (the question of `ask`, the department of
    /// `transfer to`); listed for the docs and the JSON frontend, not as an argument.
    Syntax,
}

impl CardSpec {
    /// All parameters: the card's own, then those its way of failing adds.
    pub fn params(&self) -> impl Iterator<Item = &'static ParamSpec> {
        self.own_params.iter().chain(self.fails.params())
    }

    pub fn param(&self, name: &str) -> Option<&'static ParamSpec> {
        self.params().find(|it| it.name == name)
    }

    /// The parameters written as `name: value` arguments.
    pub fn args(&self) -> impl Iterator<Item = &'static ParamSpec> {
        self.params().filter(|it| it.place == Place::Arg)
    }
}

//! The one model of a generated support flow that both printers read (`print_flow` for
//! our language, `print_yarn` for Yarn Spinner) and that the scripted customer walks.
//!
//! The model only holds what both engines can express: messages with variables, menus,
//! yes/no questions, a CPF question with retries, conditions, jumps and hand-offs. It
//! knows nothing about either syntax.

/// A variable that messages and conditions read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Var {
    /// The contact's name (`user_name`).
    UserName,
    /// The company's name (`company_name`).
    CompanyName,
    /// The conversation's protocol number (`protocol`).
    Protocol,
    /// The CPF the customer typed, set by a [`Step::Cpf`].
    Cpf,
    /// The speed of the plan the customer picked, in megabits, set by [`Card::SetPlan`].
    Plan,
}

/// A piece of a message.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Text(String),
    Var(Var),
}

/// A message that the bot sends, with its variables left as variables.
#[derive(Clone, Debug, PartialEq)]
pub struct Message(pub Vec<Piece>);

impl Message {
    /// Builds a message from text where `{user_name}`-style names stand for variables.
    pub fn parse(text: &str) -> Message {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|it| it + open) else {
                break;
            };
            let var = match &rest[open + 1..close] {
                "user_name" => Some(Var::UserName),
                "company_name" => Some(Var::CompanyName),
                "protocol" => Some(Var::Protocol),
                "cpf" => Some(Var::Cpf),
                "plano" => Some(Var::Plan),
                _ => None,
            };
            match var {
                Some(var) => {
                    if open > 0 {
                        pieces.push(Piece::Text(rest[..open].to_string()));
                    }
                    pieces.push(Piece::Var(var));
                }
                None => pieces.push(Piece::Text(rest[..=close].to_string())),
            }
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        Message(pieces)
    }
}

/// An index into [`Model::flows`].
pub type FlowId = usize;

/// One option of a menu and what happens when the customer picks it.
#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    pub label: String,
    pub body: Vec<Card>,
}

/// One card (statement). Cards nest inside arms and conditions.
#[derive(Clone, Debug, PartialEq)]
pub enum Card {
    Say(Message),
    /// Labels the conversation with `Model::tags[index]`.
    Tag(usize),
    SetPlan(u32),
    /// A menu: the question, then the numbered options (retries 3, fail flow `atendente`).
    Choice {
        question: Message,
        arms: Vec<Arm>,
    },
    /// A yes/no question.
    Confirm {
        question: Message,
        yes: Vec<Card>,
        no: Vec<Card>,
    },
    /// `if plano >= at_least { then } else { otherwise }`.
    IfPlanAtLeast {
        at_least: u32,
        then: Vec<Card>,
        otherwise: Vec<Card>,
    },
    /// Branches on whether the conversation runs on WhatsApp.
    WhenWhatsapp {
        whatsapp: Vec<Card>,
        other: Vec<Card>,
    },
    Goto(FlowId),
    /// Hands the conversation to `Model::departments[index]`.
    Transfer(usize),
    End,
}

/// The CPF question: asked until the answer is a valid CPF, `CPF_TRIES` tries in all;
/// the last wrong answer sends `fail_message` and continues at `fail_flow`.
#[derive(Clone, Debug, PartialEq)]
pub struct CpfAsk {
    pub question: String,
    pub fail_message: String,
    pub fail_flow: FlowId,
}

/// How many answers a customer gets for a CPF question.
pub const CPF_TRIES: u32 = 3;

/// A top-level step of a flow. The CPF question only appears at the top level, where
/// Yarn can express its retry loop as a node of its own.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Card(Card),
    Cpf(CpfAsk),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    pub name: String,
    pub title: String,
    pub steps: Vec<Step>,
}

/// A whole program: platform entities and flows; `flows[0]` is the entry flow `main`.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub departments: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub flows: Vec<Flow>,
}

impl Model {
    /// The number of cards: every statement, nested ones included.
    pub fn card_count(&self) -> usize {
        self.flows
            .iter()
            .map(|flow| flow.steps.iter().map(step_cards).sum::<usize>())
            .sum()
    }

    pub fn flow_named(&self, name: &str) -> Option<FlowId> {
        self.flows.iter().position(|flow| flow.name == name)
    }
}

fn step_cards(step: &Step) -> usize {
    match step {
        Step::Card(card) => card_cards(card),
        Step::Cpf(_) => 1,
    }
}

fn card_cards(card: &Card) -> usize {
    let nested = |cards: &[Card]| cards.iter().map(card_cards).sum::<usize>();
    1 + match card {
        Card::Choice { arms, .. } => arms.iter().map(|arm| nested(&arm.body)).sum(),
        Card::Confirm { yes, no, .. } => nested(yes) + nested(no),
        Card::IfPlanAtLeast {
            then, otherwise, ..
        } => nested(then) + nested(otherwise),
        Card::WhenWhatsapp { whatsapp, other } => nested(whatsapp) + nested(other),
        Card::Say(_)
        | Card::Tag(_)
        | Card::SetPlan(_)
        | Card::Goto(_)
        | Card::Transfer(_)
        | Card::End => 0,
    }
}

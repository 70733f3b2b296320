//! The scripted customer: walks a [`Model`] with a seeded RNG, choosing menu options and
//! typing valid and invalid CPFs, and writes down both the answers it gave and what
//! the bot must say after each one.
//!
//! Both engines are then driven with the same answers, and the expected transcript is
//! how the bench checks that they went down the same path. Validity of a typed CPF is
//! decided by the stdlib validator, the one both engines call.

use fluxo_stdlib::builtins::{INVALID_MESSAGE, NO_LABEL, YES_LABEL};

use crate::model::{Card, CpfAsk, FlowId, Message, Model, Piece, Step, Var, CPF_TRIES};
use crate::rng::Rng;

/// The facts of one conversation that the engines are given, not told by the flow.
#[derive(Clone, Debug)]
pub struct Contact {
    pub user_name: String,
    pub company_name: String,
    pub protocol: String,
    /// `whatsapp`, `telegram`, ...
    pub channel: String,
}

impl Default for Contact {
    fn default() -> Contact {
        Contact {
            user_name: "Ana".to_string(),
            company_name: "Provedor Exemplo".to_string(),
            protocol: "20261123000001".to_string(),
            channel: "whatsapp".to_string(),
        }
    }
}

/// One customer message.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// Picks option `index` (from 0) of a menu or a yes/no question; `typed` is what
    /// the customer writes (the option's number, its text, `sim`...).
    Pick { index: usize, typed: String },
    /// Free text: a CPF, well or badly typed.
    Type(String),
}

impl Answer {
    /// The text the customer sends.
    pub fn text(&self) -> &str {
        match self {
            Answer::Pick { typed, .. } => typed,
            Answer::Type(text) => text,
        }
    }
}

/// What the bot does that the customer can see, in an engine-neutral form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Said {
    Line(String),
    /// A question with numbered options (a menu or a yes/no question).
    Menu {
        question: String,
        options: Vec<String>,
    },
    Tag(String),
    Transfer(String),
    End,
}

/// One scripted conversation: `turns[0]` is what the bot says when the conversation
/// opens, `turns[k]` what it says after `answers[k - 1]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Conversation {
    pub answers: Vec<Answer>,
    pub turns: Vec<Vec<Said>>,
    /// False when the customer stopped answering (`max_answers`) while the bot waited.
    pub finished: bool,
}

/// Walks `model` as customer number `seed` would, giving at most `max_answers` answers.
pub fn converse(model: &Model, contact: &Contact, seed: u64, max_answers: usize) -> Conversation {
    let mut walker = Walker {
        model,
        contact,
        rng: Rng::new(seed),
        max_answers,
        cpf: String::new(),
        plan: 0,
        tags: Vec::new(),
        conversation: Conversation {
            answers: Vec::new(),
            turns: vec![Vec::new()],
            finished: false,
        },
    };
    let mut flow = 0;
    loop {
        match walker.flow(flow) {
            Next::Jump(target) => flow = target,
            Next::Stop => {
                walker.conversation.finished = true;
                break;
            }
            Next::On | Next::Abandoned => break,
        }
    }
    walker.conversation
}

/// A valid CPF: nine random digits and their two check digits (never all digits equal).
pub fn valid_cpf(rng: &mut Rng) -> String {
    loop {
        let mut digits: Vec<u32> = (0..9).map(|_| rng.below(10) as u32).collect();
        if digits.iter().all(|it| *it == digits[0]) {
            continue;
        }
        for _ in 0..2 {
            let len = digits.len() as u32;
            let sum: u32 = digits
                .iter()
                .enumerate()
                .map(|(i, d)| d * (len + 1 - i as u32))
                .sum();
            let remainder = sum % 11;
            digits.push(if remainder < 2 { 0 } else { 11 - remainder });
        }
        return digits
            .iter()
            .map(|it| char::from(b'0' + *it as u8))
            .collect();
    }
}

/// What a customer types when asked for a CPF: mostly a valid one (bare or with the
/// usual punctuation), sometimes a wrong check digit, a short number or a word.
pub fn typed_cpf(rng: &mut Rng) -> String {
    let cpf = valid_cpf(rng);
    match rng.below(10) {
        0..=3 => cpf,
        4..=6 => format!("{}.{}.{}-{}", &cpf[..3], &cpf[3..6], &cpf[6..9], &cpf[9..]),
        7 => {
            let last = cpf.as_bytes()[10] - b'0';
            format!("{}{}", &cpf[..10], (last + 1) % 10)
        }
        8 => cpf[..10].to_string(),
        _ => "não sei".to_string(),
    }
}

enum Next {
    /// Go on with the next card.
    On,
    Jump(FlowId),
    /// The bot's part is over (transfer or end).
    Stop,
    /// The customer gave up while the bot waited.
    Abandoned,
}

struct Walker<'a> {
    model: &'a Model,
    contact: &'a Contact,
    rng: Rng,
    max_answers: usize,
    cpf: String,
    plan: u32,
    tags: Vec<String>,
    conversation: Conversation,
}

impl Walker<'_> {
    fn say(&mut self, said: Said) {
        if let Some(turn) = self.conversation.turns.last_mut() {
            turn.push(said);
        }
    }

    /// Records an answer and starts the next turn; `None` once the customer gives up.
    fn answer(&mut self, answer: Answer) -> Option<Answer> {
        if self.conversation.answers.len() >= self.max_answers {
            return None;
        }
        self.conversation.answers.push(answer.clone());
        self.conversation.turns.push(Vec::new());
        Some(answer)
    }

    fn render(&self, message: &Message) -> String {
        let mut out = String::new();
        for piece in &message.0 {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Var(Var::UserName) => out.push_str(&self.contact.user_name),
                Piece::Var(Var::CompanyName) => out.push_str(&self.contact.company_name),
                Piece::Var(Var::Protocol) => out.push_str(&self.contact.protocol),
                Piece::Var(Var::Cpf) => out.push_str(&self.cpf),
                Piece::Var(Var::Plan) => out.push_str(&self.plan.to_string()),
            }
        }
        out
    }

    fn flow(&mut self, flow: FlowId) -> Next {
        let model = self.model;
        let Some(flow) = model.flows.get(flow) else {
            return Next::Stop;
        };
        for step in &flow.steps {
            let next = match step {
                Step::Card(card) => self.card(card),
                Step::Cpf(ask) => self.cpf(ask),
            };
            if !matches!(next, Next::On) {
                return next;
            }
        }
        // Running off the end of a flow closes the conversation.
        Next::Stop
    }

    fn cards(&mut self, cards: &[Card]) -> Next {
        for card in cards {
            let next = self.card(card);
            if !matches!(next, Next::On) {
                return next;
            }
        }
        Next::On
    }

    fn cpf(&mut self, ask: &CpfAsk) -> Next {
        for try_number in 1..=CPF_TRIES {
            self.say(Said::Line(ask.question.clone()));
            let typed = typed_cpf(&mut self.rng);
            if self.answer(Answer::Type(typed.clone())).is_none() {
                return Next::Abandoned;
            }
            match fluxo_stdlib::validate::cpf(&typed) {
                Ok(digits) => {
                    self.cpf = digits;
                    return Next::On;
                }
                Err(_) if try_number == CPF_TRIES => {
                    self.say(Said::Line(ask.fail_message.clone()));
                    return Next::Jump(ask.fail_flow);
                }
                Err(_) => self.say(Said::Line(INVALID_MESSAGE.to_string())),
            }
        }
        Next::Jump(ask.fail_flow)
    }

    /// Shows a question with options and returns the one the customer picks.
    fn pick(&mut self, question: &Message, options: Vec<String>, yes_no: bool) -> Option<usize> {
        let index = self.rng.below(options.len());
        let typed = match (yes_no, self.rng.below(10)) {
            (true, 0..=4) => ["sim", "não"][index.min(1)].to_string(),
            (_, 0..=6) => (index + 1).to_string(),
            (_, 7 | 8) => options[index].clone(),
            _ => options[index].to_lowercase(),
        };
        let question = self.render(question);
        self.say(Said::Menu { question, options });
        self.answer(Answer::Pick { index, typed }).map(|_| index)
    }

    fn card(&mut self, card: &Card) -> Next {
        match card {
            Card::Say(message) => {
                let line = self.render(message);
                self.say(Said::Line(line));
            }
            Card::Tag(index) => {
                // Tags are a set: tagging twice is seen once.
                let tag = &self.model.tags[*index].0;
                if !self.tags.contains(tag) {
                    self.tags.push(tag.clone());
                    self.say(Said::Tag(tag.clone()));
                }
            }
            Card::SetPlan(speed) => self.plan = *speed,
            Card::Choice { question, arms } => {
                let labels = arms.iter().map(|it| it.label.clone()).collect();
                let Some(index) = self.pick(question, labels, false) else {
                    return Next::Abandoned;
                };
                return self.cards(&arms[index].body);
            }
            Card::Confirm { question, yes, no } => {
                let labels = vec![YES_LABEL.to_string(), NO_LABEL.to_string()];
                let Some(index) = self.pick(question, labels, true) else {
                    return Next::Abandoned;
                };
                return self.cards(if index == 0 { yes } else { no });
            }
            Card::IfPlanAtLeast {
                at_least,
                then,
                otherwise,
            } => {
                return self.cards(if self.plan >= *at_least {
                    then
                } else {
                    otherwise
                });
            }
            Card::WhenWhatsapp { whatsapp, other } => {
                return self.cards(if self.contact.channel == "whatsapp" {
                    whatsapp
                } else {
                    other
                });
            }
            Card::Goto(flow) => return Next::Jump(*flow),
            Card::Transfer(index) => {
                let department = self.model.departments[*index].0.clone();
                self.say(Said::Transfer(department));
                return Next::Stop;
            }
            Card::End => {
                self.say(Said::End);
                return Next::Stop;
            }
        }
        Next::On
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::generate;

    #[test]
    fn generated_cpfs_pass_the_stdlib_validator_and_bad_ones_fail() {
        let mut rng = Rng::new(3);
        let (mut good, mut bad) = (0, 0);
        for _ in 0..500 {
            assert!(fluxo_stdlib::validate::cpf(&valid_cpf(&mut rng)).is_ok());
            match fluxo_stdlib::validate::cpf(&typed_cpf(&mut rng)) {
                Ok(_) => good += 1,
                Err(_) => bad += 1,
            }
        }
        assert!(good > 300 && bad > 100, "{good} valid, {bad} invalid");
    }

    #[test]
    fn conversations_are_reproducible_and_end_in_a_hand_off_or_an_end() {
        let model = generate(1_000);
        let contact = Contact::default();
        let mut finished = 0;
        for seed in 0..200 {
            let a = converse(&model, &contact, seed, 60);
            assert_eq!(a, converse(&model, &contact, seed, 60));
            assert_eq!(a.turns.len(), a.answers.len() + 1);
            if a.finished {
                finished += 1;
                let last = a.turns.last().and_then(|it| it.last());
                assert!(
                    matches!(last, Some(Said::Transfer(_) | Said::End)),
                    "{last:?}"
                );
            }
        }
        assert!(finished > 150, "{finished}");
    }

    #[test]
    fn the_opening_turn_greets_and_shows_the_main_menu() {
        let model = generate(100);
        let talk = converse(&model, &Contact::default(), 1, 10);
        assert_eq!(
            talk.turns[0][0],
            Said::Line(
                "Olá, Ana! Você está falando com a Provedor Exemplo. Protocolo 20261123000001."
                    .to_string()
            )
        );
        assert!(matches!(&talk.turns[0][1], Said::Menu { question, options }
            if question == "Como podemos ajudar?" && options.len() == 5));
    }
}

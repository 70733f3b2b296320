//! Prints a [`Model`] as a Yarn Spinner 2 script: the same program, written the way a
//! Yarn author would write it.
//!
//! Yarn has no free-text questions, platform effects or retry counters, so:
//! - the CPF question is a node of its own that loops with a counter variable
//!   (`$tentativas`): the host is asked for the answer by the `<<aguardar cpf>>`
//!   command, stores it in `$resposta`, and Yarn checks it with the `cpf_digitos`
//!   function (which the host registers; it runs the same validator as our VM and
//!   returns the CPF's digits, or `""` when the answer is not a CPF);
//! - tags, transfers and the end of a conversation are commands (`<<tag x>>`,
//!   `<<transfer x>>`, `<<encerrar>>`) followed by `<<stop>>` where the bot's part ends;
//! - built-in variables are ordinary variables the host sets (`$nome`, `$empresa`,
//!   `$protocolo`, `$canal`).

use std::fmt::Write;

use crate::model::{Card, Flow, Message, Model, Piece, Step, Var, CPF_TRIES};

/// The command that asks the host for the customer's typed answer.
pub const AWAIT_COMMAND: &str = "aguardar";
pub const TAG_COMMAND: &str = "tag";
pub const TRANSFER_COMMAND: &str = "transfer";
pub const END_COMMAND: &str = "encerrar";
/// The function that checks a CPF and returns its digits (`""`: not a CPF); the host
/// must register it with the compiler and the dialogue.
pub const CPF_FUNCTION: &str = "cpf_digitos";
/// Where the host puts the customer's typed answer before continuing.
pub const ANSWER_VAR: &str = "$resposta";
/// Where the host puts the channel's name (`whatsapp`, ...).
pub const CHANNEL_VAR: &str = "$canal";
pub const INVALID_MESSAGE: &str = fluxo_stdlib::builtins::INVALID_MESSAGE;
pub const YES_LABEL: &str = fluxo_stdlib::builtins::YES_LABEL;
pub const NO_LABEL: &str = fluxo_stdlib::builtins::NO_LABEL;

/// The name a variable has in Yarn.
pub fn yarn_var(var: Var) -> &'static str {
    match var {
        Var::UserName => "$nome",
        Var::CompanyName => "$empresa",
        Var::Protocol => "$protocolo",
        Var::Cpf => "$cpf",
        Var::Plan => "$plano",
    }
}

/// The whole program as one `.yarn` file.
pub fn print_yarn(model: &Model) -> String {
    let mut out = String::with_capacity(model.card_count() * 72);
    let printer = Printer { model };
    for (index, flow) in model.flows.iter().enumerate() {
        printer.flow(&mut out, flow, index == 0);
    }
    out
}

const DECLARATIONS: &str = "\
<<declare $nome = \"\">>
<<declare $empresa = \"\">>
<<declare $protocolo = \"\">>
<<declare $canal = \"\">>
<<declare $cpf = \"\">>
<<declare $plano = 0>>
<<declare $resposta = \"\">>
<<declare $tentativas = 0>>
<<declare $digitos = \"\">>
";

struct Printer<'m> {
    model: &'m Model,
}

impl Printer<'_> {
    fn flow_name(&self, id: usize) -> &str {
        self.model
            .flows
            .get(id)
            .map_or("main", |flow| flow.name.as_str())
    }

    /// One node per flow, plus two per CPF question: the question's loop and what
    /// follows it.
    fn flow(&self, out: &mut String, flow: &Flow, entry: bool) {
        let _ = write!(out, "title: {}\n---\n", flow.name);
        if entry {
            out.push_str(DECLARATIONS);
        }
        for (index, step) in flow.steps.iter().enumerate() {
            match step {
                Step::Card(card) => self.card(out, 0, card),
                Step::Cpf(ask) => {
                    let question_node = format!("{}__cpf{index}", flow.name);
                    let next_node = format!("{}__depois{index}", flow.name);
                    let _ = write!(
                        out,
                        "<<set $tentativas = 0>>\n<<jump {question_node}>>\n===\n\
                         title: {question_node}\n---\n"
                    );
                    line(out, 0, &ask.question);
                    let _ = write!(
                        out,
                        "<<{AWAIT_COMMAND} cpf>>\n\
                         <<set $digitos = {CPF_FUNCTION}({ANSWER_VAR})>>\n\
                         <<if $digitos != \"\">>\n\
                         \x20   <<set $cpf = $digitos>>\n\
                         \x20   <<jump {next_node}>>\n\
                         <<endif>>\n\
                         <<set $tentativas = $tentativas + 1>>\n\
                         <<if $tentativas >= {CPF_TRIES}>>\n"
                    );
                    line(out, 1, &ask.fail_message);
                    let _ = writeln!(
                        out,
                        "    <<jump {}>>\n<<endif>>",
                        self.flow_name(ask.fail_flow)
                    );
                    line(out, 0, INVALID_MESSAGE);
                    let _ = write!(
                        out,
                        "<<jump {question_node}>>\n===\ntitle: {next_node}\n---\n"
                    );
                }
            }
        }
        out.push_str("===\n");
    }

    fn cards(&self, out: &mut String, depth: usize, cards: &[Card]) {
        for card in cards {
            self.card(out, depth, card);
        }
    }

    fn card(&self, out: &mut String, depth: usize, card: &Card) {
        match card {
            Card::Say(message) => message_line(out, depth, message),
            Card::Tag(index) => command(
                out,
                depth,
                &format!("{TAG_COMMAND} {}", self.model.tags[*index].0),
            ),
            Card::SetPlan(speed) => command(out, depth, &format!("set $plano = {speed}")),
            Card::Goto(flow) => command(out, depth, &format!("jump {}", self.flow_name(*flow))),
            Card::Transfer(index) => {
                let department = &self.model.departments[*index].0;
                command(out, depth, &format!("{TRANSFER_COMMAND} {department}"));
                command(out, depth, "stop");
            }
            Card::End => {
                command(out, depth, END_COMMAND);
                command(out, depth, "stop");
            }
            Card::Choice { question, arms } => {
                message_line(out, depth, question);
                for arm in arms {
                    indent(out, depth);
                    out.push_str("-> ");
                    escape_into(out, &arm.label);
                    out.push('\n');
                    self.cards(out, depth + 1, &arm.body);
                }
            }
            Card::Confirm { question, yes, no } => {
                message_line(out, depth, question);
                for (label, body) in [(YES_LABEL, yes), (NO_LABEL, no)] {
                    indent(out, depth);
                    let _ = writeln!(out, "-> {label}");
                    self.cards(out, depth + 1, body);
                }
            }
            Card::IfPlanAtLeast {
                at_least,
                then,
                otherwise,
            } => self.if_else(
                out,
                depth,
                &format!("$plano >= {at_least}"),
                then,
                otherwise,
            ),
            Card::WhenWhatsapp { whatsapp, other } => self.if_else(
                out,
                depth,
                &format!("{CHANNEL_VAR} == \"whatsapp\""),
                whatsapp,
                other,
            ),
        }
    }

    fn if_else(
        &self,
        out: &mut String,
        depth: usize,
        condition: &str,
        then: &[Card],
        otherwise: &[Card],
    ) {
        command(out, depth, &format!("if {condition}"));
        self.cards(out, depth + 1, then);
        command(out, depth, "else");
        self.cards(out, depth + 1, otherwise);
        command(out, depth, "endif");
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("    ");
    }
}

fn command(out: &mut String, depth: usize, text: &str) {
    indent(out, depth);
    let _ = writeln!(out, "<<{text}>>");
}

fn line(out: &mut String, depth: usize, text: &str) {
    indent(out, depth);
    escape_into(out, text);
    out.push('\n');
}

fn message_line(out: &mut String, depth: usize, message: &Message) {
    indent(out, depth);
    for piece in &message.0 {
        match piece {
            Piece::Text(text) => escape_into(out, text),
            Piece::Var(var) => {
                let _ = write!(out, "{{{}}}", yarn_var(*var));
            }
        }
    }
    out.push('\n');
}

/// Yarn gives meaning to these characters inside a line; a backslash makes them text.
fn escape_into(out: &mut String, text: &str) {
    for ch in text.chars() {
        if matches!(ch, '\\' | '{' | '}' | '[' | ']' | '#' | '<' | '>' | '/') {
            out.push('\\');
        }
        out.push(ch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::generate;

    #[test]
    fn prints_nodes_options_commands_and_the_cpf_loop() {
        let text = print_yarn(&generate(100));
        assert!(text.starts_with("title: main\n---\n<<declare $nome = \"\">>\n"));
        assert!(text.contains("Olá, {$nome}! Você está falando com a {$empresa}."));
        assert!(text.contains("-> Falar com atendente\n    <<jump atendente>>\n"));
        assert!(text.contains(
            "<<aguardar cpf>>\n<<set $digitos = cpf_digitos($resposta)>>\n<<if $digitos != \"\">>\n"
        ));
        assert!(
            text.contains("<<if $tentativas >= 3>>\n    Você excedeu o número de tentativas.\n")
        );
        assert!(text.contains("<<transfer suporte>>\n<<stop>>\n"));
        assert!(text.contains("<<if $plano >= 500>>\n    O plano de {$plano} Mega"));
    }
}

//! Yarn Spinner's side of the comparison: compiling a printed script and driving one
//! dialogue per conversation through the same answers as our VM.
//!
//! A Yarn conversation is a live [`Dialogue`]: the API offers no way to save a waiting
//! dialogue and restore it elsewhere, so a waiting conversation costs a whole
//! `Dialogue` (its own copy of the program, its variable storage, its VM state). The
//! string table is shared between dialogues through [`SharedText`], the cheapest thing
//! the `TextProvider` trait allows.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use yarnspinner::prelude::{
    Dialogue, DialogueEvent, Language, LineId, OptionId, TextProvider, YarnCompiler, YarnFile,
    YarnLibrary, YarnProgram, YarnValue,
};
use yarnspinner::runtime::MemoryVariableStorage;

use crate::customer::{Answer, Contact, Said};
use crate::print_yarn::{
    ANSWER_VAR, AWAIT_COMMAND, CHANNEL_VAR, CPF_FUNCTION, END_COMMAND, TAG_COMMAND,
    TRANSFER_COMMAND,
};

/// The entry node, the flow `main`.
const ENTRY_NODE: &str = "main";

/// The host functions the printed scripts call (see `print_yarn`).
pub fn library() -> YarnLibrary {
    let mut library = YarnLibrary::standard_library();
    library.add_function(CPF_FUNCTION, cpf_digits);
    library
}

fn cpf_digits(answer: &str) -> String {
    fluxo_stdlib::validate::cpf(answer).unwrap_or_default()
}

/// Compiles a Yarn script; the error is Yarn's own rendering of its diagnostics.
pub fn compile(source: &str, library: &YarnLibrary) -> Result<YarnFlow, String> {
    let compilation = YarnCompiler::new()
        .add_file(YarnFile {
            file_name: "fluxo.yarn".to_string(),
            source: source.to_string(),
        })
        .extend_library(library.clone())
        .compile()
        .map_err(|error| error.to_string())?;
    let program = compilation.program.ok_or("Yarn produced no program")?;
    let text = compilation
        .string_table
        .into_iter()
        .map(|(id, info)| (id, info.text))
        .collect();
    Ok(YarnFlow {
        program,
        text: SharedText(Arc::new(text)),
    })
}

/// A compiled Yarn program and its string table.
#[derive(Clone, Debug)]
pub struct YarnFlow {
    pub program: YarnProgram,
    text: SharedText,
}

/// What a Yarn dialogue waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiting {
    /// An option of the options it showed.
    Option,
    /// Typed text, asked for by the `<<aguardar>>` command.
    Text,
    /// Nothing: the dialogue is over.
    Done,
}

/// One conversation: a live dialogue and what it waits for.
#[derive(Debug)]
pub struct YarnConversation {
    dialogue: Dialogue,
    pub waiting: Waiting,
}

impl YarnFlow {
    /// Opens a conversation and runs it to its first wait; the bot's first events go to
    /// `out`.
    pub fn start(
        &self,
        contact: &Contact,
        out: &mut Vec<DialogueEvent>,
    ) -> Result<YarnConversation, String> {
        let storage = Box::new(MemoryVariableStorage::new());
        let mut dialogue = Dialogue::new(storage, Box::new(self.text.clone()));
        dialogue
            .library_mut()
            .add_function(CPF_FUNCTION, cpf_digits);
        dialogue.replace_program(self.program.clone());
        // After `replace_program`, which writes the declared initial values.
        for (name, value) in [
            ("$nome", &contact.user_name),
            ("$empresa", &contact.company_name),
            ("$protocolo", &contact.protocol),
            (CHANNEL_VAR, &contact.channel),
        ] {
            dialogue
                .variable_storage_mut()
                .set(name.to_string(), YarnValue::from(value.as_str()))
                .map_err(|e| e.to_string())?;
        }
        dialogue.set_node(ENTRY_NODE).map_err(|e| e.to_string())?;
        let mut conversation = YarnConversation {
            dialogue,
            waiting: Waiting::Done,
        };
        conversation.run(out)?;
        Ok(conversation)
    }
}

impl YarnConversation {
    /// Gives the dialogue the customer's answer and runs it to the next wait, the way a
    /// host does: select the option (or store the typed text), then `continue_` past
    /// lines and commands until options, a request for text, or the end.
    pub fn answer(&mut self, answer: &Answer, out: &mut Vec<DialogueEvent>) -> Result<(), String> {
        match (self.waiting, answer) {
            (Waiting::Option, Answer::Pick { index, .. }) => {
                self.dialogue
                    .set_selected_option(OptionId(*index))
                    .map_err(|e| e.to_string())?;
            }
            (Waiting::Text, answer) => {
                let text = YarnValue::from(answer.text());
                self.dialogue
                    .variable_storage_mut()
                    .set(ANSWER_VAR.to_string(), text)
                    .map_err(|e| e.to_string())?;
            }
            (waiting, answer) => {
                return Err(format!(
                    "the dialogue waits for {waiting:?}, not for {answer:?}"
                ))
            }
        }
        self.run(out)
    }

    fn run(&mut self, out: &mut Vec<DialogueEvent>) -> Result<(), String> {
        loop {
            let events = self.dialogue.continue_().map_err(|e| e.to_string())?;
            for event in events {
                let waiting = match &event {
                    DialogueEvent::Options(_) => Some(Waiting::Option),
                    DialogueEvent::Command(command) if command.name == AWAIT_COMMAND => {
                        Some(Waiting::Text)
                    }
                    DialogueEvent::DialogueComplete => Some(Waiting::Done),
                    _ => None,
                };
                out.push(event);
                if let Some(waiting) = waiting {
                    self.waiting = waiting;
                    return Ok(());
                }
            }
        }
    }
}

/// Yarn's events as the customer sees them: a line followed by options is one menu;
/// node starts and the `aguardar` command are not seen, and a tag already in `tags`
/// (the conversation's tags so far, which this updates) is not put on again, as the
/// platform keeps tags as a set.
pub fn normalize(events: &[DialogueEvent], tags: &mut Vec<String>) -> Vec<Said> {
    let mut said = Vec::new();
    for event in events {
        match event {
            DialogueEvent::Line(line) => said.push(Said::Line(line.text.clone())),
            DialogueEvent::Options(options) => {
                let question = match said.pop() {
                    Some(Said::Line(question)) => question,
                    other => {
                        said.extend(other);
                        String::new()
                    }
                };
                let options = options.iter().map(|it| it.line.text.clone()).collect();
                said.push(Said::Menu { question, options });
            }
            DialogueEvent::Command(command) => {
                let parameter = command
                    .parameters
                    .first()
                    .map(|it| it.to_string())
                    .unwrap_or_default();
                match command.name.as_str() {
                    TAG_COMMAND if !tags.contains(&parameter) => {
                        tags.push(parameter.clone());
                        said.push(Said::Tag(parameter));
                    }
                    TRANSFER_COMMAND => said.push(Said::Transfer(parameter)),
                    END_COMMAND => said.push(Said::End),
                    _ => {}
                }
            }
            DialogueEvent::NodeStart(_)
            | DialogueEvent::NodeComplete(_)
            | DialogueEvent::LineHints(_)
            | DialogueEvent::DialogueComplete => {}
        }
    }
    said
}

/// A string table shared by every dialogue of a program (Yarn's own
/// `StringTableTextProvider` would copy the table into each one).
#[derive(Clone, Debug)]
struct SharedText(Arc<HashMap<LineId, String>>);

impl TextProvider for SharedText {
    fn clone_shallow(&self) -> Box<dyn TextProvider> {
        Box::new(self.clone())
    }

    fn accept_line_hints(&mut self, _line_ids: &[LineId]) {}

    fn get_text(&self, id: &LineId) -> Option<String> {
        self.0.get(id).cloned()
    }

    fn set_language(&mut self, _language: Option<Language>) {}

    fn get_language(&self) -> Option<Language> {
        None
    }

    fn are_lines_available(&self) -> bool {
        true
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

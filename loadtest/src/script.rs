//! The conversations a run sends: the customer inputs of the program's `.chat`
//! transcripts, and random walks (a transcript's opening, then random answers from
//! the menus' vocabulary), each given its own family of customers (`fixture`).

use std::path::Path;

use crate::fixture::Families;
use crate::rng::Rng;
use crate::Result;

/// The default contact of `fluxo run` and `fluxo test` (docs/runtime.md).
const DEFAULT_NAME: &str = "Ana";
const DEFAULT_PHONE: &str = "+5548999990000";

/// A transcript the server can reproduce: one whose only header is `@contact` (the
/// generic API carries a contact, not a clock, origin, branch or canned script).
#[derive(Clone, Debug)]
pub struct Chat {
    pub name: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub inputs: Vec<String>,
}

/// One conversation to send.
#[derive(Clone, Debug)]
pub struct Conversation {
    /// The conversation key in the API path.
    pub key: String,
    /// Which family of customers it uses (`Families`).
    pub family: usize,
    pub name: String,
    pub phone: String,
    pub inputs: Vec<String>,
    /// Where it came from: a transcript's name, with `+walk` for a random walk.
    pub origin: String,
}

/// Reads the `.chat` transcripts of `dir` that the server can reproduce, by name.
pub fn load_chats(dir: &Path) -> Result<Vec<Chat>> {
    let entries =
        std::fs::read_dir(dir).map_err(|err| format!("cannot list {}: {err}", dir.display()))?;
    let mut chats = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|it| it == "chat") {
            let text = std::fs::read_to_string(&path)
                .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
            let name = path
                .file_stem()
                .map(|it| it.to_string_lossy().into_owned())
                .unwrap_or_default();
            chats.extend(parse_chat(&name, &text));
        }
    }
    chats.sort_by(|a, b| a.name.cmp(&b.name));
    if chats.is_empty() {
        return Err(format!(
            "{} has no .chat transcript without headers other than @contact",
            dir.display()
        ));
    }
    Ok(chats)
}

/// A transcript's contact and inputs; `None` when a header other than `@contact`
/// sets what the generic API cannot.
pub fn parse_chat(name: &str, text: &str) -> Option<Chat> {
    let mut chat = Chat {
        name: name.to_string(),
        contact_name: DEFAULT_NAME.into(),
        contact_phone: DEFAULT_PHONE.into(),
        inputs: Vec::new(),
    };
    for line in text.lines() {
        if let Some(contact) = line.strip_prefix("@contact ") {
            chat.contact_name = quoted(contact, "name=")?;
            chat.contact_phone = quoted(contact, "phone=")?;
        } else if line.starts_with('@') {
            return None;
        } else if let Some(input) = line.strip_prefix("> ") {
            chat.inputs.push(input.to_string());
        }
    }
    Some(chat)
}

fn quoted(text: &str, key: &str) -> Option<String> {
    let rest = &text[text.find(key)? + key.len()..];
    let rest = rest.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

/// Answers a random walk picks from: menu numbers (most often), yes and no, wrong
/// answers, a CPF of the family, free text, and now and then an opt-out.
const WALK_ANSWERS: &[&str] = &[
    "1",
    "1",
    "2",
    "2",
    "3",
    "4",
    "5",
    "1",
    "2",
    "sim",
    "não",
    "xx",
    "<cpf>",
    "ana.souza",
    "Ana@2026",
    "88058-000",
    "cliente@exemplo.com.br",
    "Minha internet caiu",
    "quero trocar meu plano",
];

/// The `count`-th conversation of a run with seed `seed`: every other one replays a
/// transcript, the rest walk at random from a transcript's opening. The same seed and
/// index always give the same conversation.
pub fn conversation(chats: &[Chat], families: &Families, seed: u64, index: usize) -> Conversation {
    let mut rng = Rng::new(seed ^ (index as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let chat = &chats[rng.below(chats.len())];
    let family = index;
    let walk = rng.chance(50);
    let mut inputs: Vec<String> = chat
        .inputs
        .iter()
        .map(|it| families.input(it, family))
        .collect();
    if walk {
        inputs.truncate(rng.below(inputs.len() + 1));
        let cpf = families.document(0, family).unwrap_or_default();
        for _ in 0..rng.between(1, 12) {
            let answer = WALK_ANSWERS[rng.below(WALK_ANSWERS.len())];
            inputs.push(if answer == "<cpf>" {
                cpf.clone()
            } else if rng.chance(2) {
                "/bloquear".to_string()
            } else {
                answer.to_string()
            });
        }
    }
    Conversation {
        key: format!("s{seed}-c{index}"),
        family,
        name: chat.contact_name.clone(),
        phone: families.phone(&chat.contact_phone, family),
        inputs,
        origin: if walk {
            format!("{}+walk", chat.name)
        } else {
            chat.name.clone()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = r#"{"customers": [{"id": "1001", "name": "Ana", "document": "529.982.247-25",
        "phones": ["+55 48 99999-0000"], "contracts": []}]}"#;

    #[test]
    fn only_transcripts_the_api_can_reproduce_are_read() {
        let chat = parse_chat(
            "x",
            "// a comment\n@contact name=\"Bruno\" phone=\"+5548988881111\"\n< Olá\n> 1\n= tag a\n> 529.982.247-25\n",
        )
        .unwrap();
        assert_eq!(chat.contact_name, "Bruno");
        assert_eq!(chat.contact_phone, "+5548988881111");
        assert_eq!(chat.inputs, ["1", "529.982.247-25"]);
        assert!(parse_chat("y", "@now 2026-11-22T10:00:00-03:00\n> 1\n").is_none());
        let plain = parse_chat("z", "> 2\n").unwrap();
        assert_eq!(plain.contact_phone, DEFAULT_PHONE);
    }

    #[test]
    fn conversations_are_reproducible_and_use_their_family() {
        let families = Families::new(DEMO).unwrap();
        let chats = vec![parse_chat("a", "> 1\n> 529.982.247-25\n> 2\n").unwrap()];
        let first = conversation(&chats, &families, 9, 3);
        let again = conversation(&chats, &families, 9, 3);
        assert_eq!(first.inputs, again.inputs);
        assert_eq!(first.key, "s9-c3");
        assert_eq!(first.phone, families.phone(DEFAULT_PHONE, 3));
        let replays: Vec<Conversation> = (0..40)
            .map(|it| conversation(&chats, &families, 9, it))
            .filter(|it| !it.origin.ends_with("+walk"))
            .collect();
        assert!(!replays.is_empty());
        for replay in replays {
            assert_eq!(
                replay.inputs[1],
                families.input("529.982.247-25", replay.family)
            );
        }
    }
}

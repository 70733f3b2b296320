//! Generates realistic ISP support programs of a requested size as a [`Model`].
//!
//! The shape: an entry menu (`main`), a hand-off flow (`atendente`) and topic flows laid
//! out as a tree of menus with four children each. Inner topics are menus (a tag, a
//! greeting that may depend on the channel, a menu of 4–5 options with a way back to the
//! main menu); leaf topics take turns being a CPF check, a plan sale with a condition on
//! the chosen speed, and a support triage that asks the CPF and hands off. Every path
//! ends in a jump, a transfer or `end`, and every loop waits for the customer, so the
//! program checks clean.

use crate::model::{Arm, Card, CpfAsk, Flow, FlowId, Message, Model, Step};

/// (menu label of at most 24 characters, the topic as it reads inside a sentence)
const TOPICS: [(&str, &str); 12] = [
    ("Segunda via do boleto", "a segunda via do boleto"),
    ("Internet lenta", "a internet lenta"),
    ("Sem conexão", "a falta de conexão"),
    ("Senha do Wi-Fi", "a senha do Wi-Fi"),
    ("Mudança de endereço", "a mudança de endereço"),
    ("Planos e upgrades", "os planos e upgrades"),
    ("Cancelamento", "o cancelamento"),
    ("Nota fiscal", "a nota fiscal"),
    ("Desbloqueio", "o desbloqueio de confiança"),
    ("Visita técnica", "a visita técnica"),
    ("Telefone fixo", "o telefone fixo"),
    ("TV por assinatura", "a TV por assinatura"),
];

const DEPARTMENTS: [(&str, &str); 3] = [
    ("suporte", "Suporte técnico"),
    ("financeiro", "Financeiro"),
    ("comercial", "Comercial"),
];
const SUPORTE: usize = 0;
const FINANCEIRO: usize = 1;
const COMERCIAL: usize = 2;

const TAGS: [(&str, &str); 8] = [
    ("cobranca", "Cobrança"),
    ("suporte_tecnico", "Suporte técnico"),
    ("lentidao", "Lentidão"),
    ("sem_conexao", "Sem conexão"),
    ("vendas", "Vendas"),
    ("cadastro", "Cadastro"),
    ("wifi", "Wi-Fi"),
    ("atendimento_humano", "Atendimento humano"),
];
const TAG_HUMANO: usize = 7;

const MAIN: FlowId = 0;
const ATENDENTE: FlowId = 1;
/// Flow id of topic 0; topic `t` is flow `FIRST_TOPIC + t`.
const FIRST_TOPIC: FlowId = 2;
/// Children per menu.
const FAN_OUT: usize = 4;
/// At least the cards of the biggest topic flow: growing the topics by the missing cards
/// over this never overshoots by more than about one flow.
const MAX_CARDS_PER_TOPIC: usize = 14;

pub const MENU_PRINCIPAL: &str = "Menu principal";
pub const FALAR_COM_ATENDENTE: &str = "Falar com atendente";
pub const PLAN_SPEEDS: [(&str, u32); 4] = [
    ("100 Mega", 100),
    ("300 Mega", 300),
    ("500 Mega", 500),
    ("1 Giga", 1000),
];

/// A program of at least `target_cards` cards (and at most about one topic flow more).
pub fn generate(target_cards: usize) -> Model {
    let mut topics = (target_cards / MAX_CARDS_PER_TOPIC).max(1);
    loop {
        let model = build(topics);
        let cards = model.card_count();
        if cards >= target_cards {
            return model;
        }
        topics += (target_cards - cards) / MAX_CARDS_PER_TOPIC + 1;
    }
}

fn build(topics: usize) -> Model {
    let mut flows = vec![main_flow(topics), atendente_flow()];
    flows.extend((0..topics).map(|topic| topic_flow(topic, topics)));
    Model {
        departments: owned(&DEPARTMENTS),
        tags: owned(&TAGS),
        flows,
    }
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(id, name)| (id.to_string(), name.to_string()))
        .collect()
}

fn say(text: &str) -> Card {
    Card::Say(Message::parse(text))
}

/// The topics under topic `parent` (`None`: under the main menu).
fn children(parent: Option<usize>, topics: usize) -> std::ops::Range<usize> {
    let first = parent.map_or(0, |it| FAN_OUT * (it + 1));
    first.min(topics)..(first + FAN_OUT).min(topics)
}

fn goto_topic(topic: usize) -> Arm {
    Arm {
        label: TOPICS[topic % TOPICS.len()].0.to_string(),
        body: vec![Card::Goto(FIRST_TOPIC + topic)],
    }
}

fn arm(label: &str, body: Vec<Card>) -> Arm {
    Arm {
        label: label.to_string(),
        body,
    }
}

fn main_flow(topics: usize) -> Flow {
    let mut arms: Vec<Arm> = children(None, topics).map(goto_topic).collect();
    arms.push(arm(FALAR_COM_ATENDENTE, vec![Card::Goto(ATENDENTE)]));
    Flow {
        name: "main".to_string(),
        title: "Início".to_string(),
        steps: vec![
            Step::Card(say(
                "Olá, {user_name}! Você está falando com a {company_name}. Protocolo {protocol}.",
            )),
            Step::Card(Card::Choice {
                question: Message::parse("Como podemos ajudar?"),
                arms,
            }),
        ],
    }
}

fn atendente_flow() -> Flow {
    Flow {
        name: "atendente".to_string(),
        title: "Atendimento humano".to_string(),
        steps: vec![
            Step::Card(say(
                "Vamos te transferir para um de nossos atendentes, {user_name}.",
            )),
            Step::Card(Card::Tag(TAG_HUMANO)),
            Step::Card(Card::Transfer(SUPORTE)),
        ],
    }
}

fn topic_flow(topic: usize, topics: usize) -> Flow {
    let (label, phrase) = TOPICS[topic % TOPICS.len()];
    let below = children(Some(topic), topics);
    let steps = if !below.is_empty() {
        menu_steps(topic, phrase, below)
    } else {
        match topic % 3 {
            0 => cpf_steps(topic, phrase),
            1 => plan_steps(topic),
            _ => support_steps(topic, phrase),
        }
    };
    Flow {
        name: format!("t{topic}"),
        title: format!("{label} {topic}"),
        steps,
    }
}

fn cpf_ask(question: &str) -> Step {
    Step::Cpf(CpfAsk {
        question: question.to_string(),
        fail_message: "Você excedeu o número de tentativas.".to_string(),
        fail_flow: ATENDENTE,
    })
}

fn menu_steps(topic: usize, phrase: &str, below: std::ops::Range<usize>) -> Vec<Step> {
    let greeting = if topic.is_multiple_of(2) {
        Card::WhenWhatsapp {
            whatsapp: vec![say("{user_name}, escolha uma opção no menu abaixo.")],
            other: vec![say("Escolha uma opção no menu abaixo.")],
        }
    } else {
        say(&format!(
            "Certo, {{user_name}}. Vamos falar sobre {phrase}."
        ))
    };
    let full = below.len() == FAN_OUT;
    let mut arms: Vec<Arm> = below.map(goto_topic).collect();
    arms.push(arm(MENU_PRINCIPAL, vec![Card::Goto(MAIN)]));
    if !full {
        arms.push(arm(FALAR_COM_ATENDENTE, vec![Card::Goto(ATENDENTE)]));
    }
    vec![
        Step::Card(Card::Tag(topic % TAGS.len())),
        Step::Card(greeting),
        Step::Card(Card::Choice {
            question: Message::parse(&format!("Sobre {phrase}, o que você precisa?")),
            arms,
        }),
    ]
}

fn cpf_steps(topic: usize, phrase: &str) -> Vec<Step> {
    vec![
        Step::Card(Card::Tag(topic % TAGS.len())),
        Step::Card(say(&format!(
            "Para continuar com {phrase}, precisamos confirmar seus dados, {{user_name}}."
        ))),
        cpf_ask("Digite o CPF do titular do contrato."),
        Step::Card(say("Obrigado! Localizamos o cadastro do CPF {cpf}.")),
        Step::Card(say(&format!(
            "Sua solicitação sobre {phrase} foi registrada com o protocolo {{protocol}}."
        ))),
        Step::Card(Card::Confirm {
            question: Message::parse("Posso ajudar em algo mais?"),
            yes: vec![Card::Goto(MAIN)],
            no: vec![
                say("Obrigado pelo contato, {user_name}! Até logo."),
                Card::End,
            ],
        }),
    ]
}

fn plan_steps(topic: usize) -> Vec<Step> {
    let arms = PLAN_SPEEDS
        .iter()
        .map(|(label, speed)| arm(label, vec![Card::SetPlan(*speed)]))
        .collect();
    let department = if topic.is_multiple_of(2) {
        COMERCIAL
    } else {
        FINANCEIRO
    };
    vec![
        Step::Card(say("Conheça os planos da {company_name}, {user_name}.")),
        Step::Card(Card::Choice {
            question: Message::parse("Qual velocidade você procura?"),
            arms,
        }),
        Step::Card(Card::IfPlanAtLeast {
            at_least: 500,
            then: vec![say(
                "O plano de {plano} Mega inclui roteador Wi-Fi 6 sem custo.",
            )],
            otherwise: vec![say(
                "O plano de {plano} Mega é ideal para quem usa a internet no dia a dia.",
            )],
        }),
        Step::Card(Card::Confirm {
            question: Message::parse("Deseja contratar o plano de {plano} Mega?"),
            yes: vec![Card::Tag(4), Card::Transfer(department)],
            no: vec![Card::Goto(MAIN)],
        }),
    ]
}

fn support_steps(topic: usize, phrase: &str) -> Vec<Step> {
    vec![
        Step::Card(Card::Tag(topic % TAGS.len())),
        cpf_ask("Digite o CPF do titular para abrirmos o atendimento."),
        Step::Card(Card::Choice {
            question: Message::parse(&format!("Qual é o problema com {phrase}?")),
            arms: vec![
                arm(
                    "Não funciona",
                    vec![
                        say("Vamos encaminhar seu atendimento ao suporte, {user_name}."),
                        Card::Transfer(SUPORTE),
                    ],
                ),
                arm(
                    "Funciona com falhas",
                    vec![
                        say("Reinicie o roteador e teste novamente. Atendimento do CPF {cpf}."),
                        Card::Goto(MAIN),
                    ],
                ),
                arm("Outro problema", vec![Card::Goto(ATENDENTE)]),
                arm(MENU_PRINCIPAL, vec![Card::Goto(MAIN)]),
            ],
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_reach_the_target_without_overshooting_much() {
        for target in [10, 100, 1_000, 10_000] {
            let model = generate(target);
            let cards = model.card_count();
            assert!(cards >= target, "{cards} < {target}");
            assert!(cards <= target + 20, "{cards} overshoots {target}");
        }
    }

    #[test]
    fn every_menu_has_four_or_five_options_with_unique_short_labels() {
        let model = generate(1_000);
        let mut menus = 0;
        for flow in &model.flows {
            for step in &flow.steps {
                if let Step::Card(Card::Choice { arms, .. }) = step {
                    if arms
                        .iter()
                        .any(|it| it.label == MENU_PRINCIPAL || it.label == FALAR_COM_ATENDENTE)
                    {
                        menus += 1;
                        assert!(
                            (3..=5).contains(&arms.len()),
                            "{}: {}",
                            flow.name,
                            arms.len()
                        );
                    }
                    let mut labels: Vec<&str> = arms.iter().map(|it| it.label.as_str()).collect();
                    assert!(labels.iter().all(|it| it.chars().count() <= 24));
                    labels.sort_unstable();
                    labels.dedup();
                    assert_eq!(labels.len(), arms.len(), "duplicate label in {}", flow.name);
                }
            }
        }
        assert!(menus > 20);
    }

    #[test]
    fn every_topic_is_reached_from_exactly_one_menu() {
        let model = generate(1_000);
        let mut parents = vec![0; model.flows.len()];
        for flow in &model.flows {
            for step in &flow.steps {
                if let Step::Card(Card::Choice { arms, .. }) = step {
                    for arm in arms {
                        if let [Card::Goto(target)] = arm.body.as_slice() {
                            if *target >= FIRST_TOPIC {
                                parents[*target] += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(
            parents[FIRST_TOPIC..].iter().all(|it| *it == 1),
            "{parents:?}"
        );
    }
}

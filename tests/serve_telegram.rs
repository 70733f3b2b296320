//! The Telegram Bot API channel of `fluxo serve`, driven as Telegram drives it: the real
//! binary on loopback, `Update`s with (and without) the webhook's secret token, and a
//! fake Bot API (started here) that records the methods called and answers as
//! scripted (a 429 with `retry_after`).

#[allow(dead_code)]
#[path = "serve/client.rs"]
mod client;
#[path = "serve/platform.rs"]
mod platform;

use serde_json::{json, Value};

use client::{request, Received, Server, Sink};
use platform::{metric, start, start_program, state_when, until, Setup};

const CHANNEL: &str = "[channels.telegram]\napi_url = \"http://{api}\"\n\
    bot_token_env = \"TG_BOT_TOKEN\"\nsecret_token_env = \"TG_SECRET\"\n";
const CHAT: i64 = 987654321;

const ENV: [(&str, &str); 2] = [("TG_BOT_TOKEN", "123:abc"), ("TG_SECRET", "tg-secret")];

fn telegram(name: &str, api: Sink) -> Setup {
    start(name, api, CHANNEL, &ENV)
}

fn post(server: &Server, update: &Value, secret: Option<&str>) -> u16 {
    let headers: Vec<(&str, &str)> = secret
        .map(|it| ("X-Telegram-Bot-Api-Secret-Token", it))
        .into_iter()
        .collect();
    let body = update.to_string();
    let (status, answer) = request(
        &server.addr,
        "POST",
        "/v1/channels/telegram/webhook",
        Some(&body),
        &headers,
    );
    assert!(status != 500, "{answer}");
    status
}

fn text(update_id: i64, text: &str) -> Value {
    json!({"update_id": update_id, "message": {"message_id": update_id, "date": 1,
           "from": {"id": CHAT, "is_bot": false, "first_name": "Ana"},
           "chat": {"id": CHAT, "type": "private"}, "text": text}})
}

fn tap(update_id: i64, data: &str) -> Value {
    json!({"update_id": update_id, "callback_query": {"id": format!("cb-{update_id}"),
           "from": {"id": CHAT, "is_bot": false, "first_name": "Ana"},
           "message": {"message_id": 1, "date": 1, "chat": {"id": CHAT, "type": "private"}},
           "chat_instance": "1", "data": data}})
}

fn sends(server: &Server, update: Value) {
    assert_eq!(post(server, &update, Some("tg-secret")), 200);
}

fn buttons(it: &Received) -> Vec<(String, String)> {
    it.body["reply_markup"]["inline_keyboard"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|row| {
            (
                row[0]["text"].as_str().unwrap().to_string(),
                row[0]["callback_data"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The Bot API calls so far, once one sends `text`.
fn sent(setup: &Setup, text: &str) -> Vec<Received> {
    until(&setup.api, text, |it| it.body["text"] == text)
}

#[test]
fn a_provedor_conversation_over_telegram_reaches_a_second_copy_and_a_handoff() {
    // The second call (the greeting's second message) meets a flood limit.
    let flood = json!({"ok": false, "error_code": 429,
                       "description": "Too Many Requests: retry after 1",
                       "parameters": {"retry_after": 1}});
    let script = vec![(200, "{}".to_string()), (429, flood.to_string())];
    let setup = telegram("tg-provedor", Sink::scripted(script));
    let server = &setup.server;
    let key = format!("telegram:{CHAT}");

    // Without the secret token, or with another: 401, nothing stored.
    assert_eq!(post(server, &text(1, "oi"), None), 401);
    assert_eq!(post(server, &text(1, "oi"), Some("guess")), 401);
    assert_eq!(server.get(&format!("/v1/conversations/{key}")).0, 404);

    // The greeting (Telegram asks no WhatsApp consent) and the main menu as an inline
    // keyboard; the flood limit: the same message again after retry_after, then the
    // rest in order.
    sends(server, text(1, "oi"));
    let calls = sent(&setup, "Como podemos ajudar?");
    assert_eq!(calls[0].path, "/bot123:abc/sendMessage");
    assert_eq!(calls[0].body["chat_id"], CHAT.to_string());
    assert!(calls[0].body["text"]
        .as_str()
        .unwrap()
        .starts_with("Olá, Ana!"));
    assert_eq!(calls[1].body, calls[2].body);
    assert_eq!(calls[2].body["text"], "Bom dia! ☀️");
    let menu = buttons(&calls[3]);
    assert_eq!(menu.len(), 5);
    assert_eq!(menu[4], ("Falar com alguém".into(), "5".into()));

    // A tapped button: answered at once; the update delivered twice counts once.
    sends(server, tap(2, "1"));
    sends(server, tap(2, "1"));
    until(&setup.api, "the callback answer", |it| {
        it.path == "/bot123:abc/answerCallbackQuery" && it.body["callback_query_id"] == "cb-2"
    });
    sent(&setup, "O que você precisa?");
    assert_eq!(
        metric(
            server,
            "fluxo_inbound_messages_total{channel=\"telegram\",result=\"duplicate\"}"
        ),
        1
    );

    // 2ª via, the first contract: the bill as a document.
    sends(server, tap(3, "1"));
    sent(
        &setup,
        "Encontramos mais de um contrato no seu cadastro. Qual deles você deseja?",
    );
    sends(server, tap(4, "1"));
    let calls = sent(&setup, "Posso ajudar em algo mais?");
    let bill = calls
        .iter()
        .find(|it| it.path.ends_with("/sendDocument"))
        .unwrap();
    assert_eq!(
        bill.body["document"],
        "https://boletos.provedorexemplo.com.br/90011.pdf"
    );

    // Something else, by typing this time: talk to someone, the reason, the hand-off.
    sends(server, text(5, "sim"));
    sends(server, text(6, "Falar com alguém"));
    sent(
        &setup,
        "Enquanto isso, conte em poucas palavras o motivo do contato.",
    );
    sends(server, text(7, "Minha internet caiu"));
    let people = until(&setup.people, "the hand-off", |it| it.path == "/handoff");
    let handoff = people.iter().find(|it| it.path == "/handoff").unwrap();
    assert_eq!(handoff.body["conversation"], key);
    assert_eq!(handoff.body["channel"], "telegram");
    assert_eq!(handoff.body["department"], "suporte");
    assert_eq!(handoff.body["description"], "Minha internet caiu");
    let state = state_when(server, &key, |it| it["wait"] == "done");
    assert_eq!(state["ending"], "transferred");
}

#[test]
fn a_text_over_the_platform_limit_arrives_whole_in_pieces_and_in_order() {
    // 120 numbered lines of 60 characters (7,320 characters), then a yes/no question of
    // 4,080 characters: a plain cut at 4,096 would fall between its two options.
    let lines: Vec<String> = (1..=120)
        .map(|n| format!("{n:03} {}", "ç".repeat(56)))
        .collect();
    let question = format!("{}Ficou claro?", "Leia com atenção. ".repeat(226));
    assert_eq!(question.chars().count(), 4080);
    let flow = format!(
        "flow main {{\n    say \"{}\"\n    ask \"{question}\" confirm {{\n        \
         yes => end\n        no => end\n    }}\n}}\n",
        lines.join("\\n")
    );
    let program = client::scratch("tg-long-program");
    std::fs::write(program.join("main.flow"), flow).unwrap();
    let setup = start_program(&program, "tg-long", Sink::start(0), CHANNEL, &ENV);
    sends(&setup.server, text(1, "oi"));
    let calls = until(&setup.api, "the keyboard", |it| {
        it.body.get("reply_markup").is_some()
    });
    let texts: Vec<&str> = calls
        .iter()
        .map(|it| it.body["text"].as_str().unwrap())
        .collect();
    // Each within 4,096 characters, in order: the lines in two pieces cut between lines,
    // then the question in two pieces cut at a space, the keyboard on the last.
    assert_eq!(texts.len(), 4, "{texts:#?}");
    assert!(texts.iter().all(|it| it.chars().count() <= 4096));
    assert_eq!(format!("{}\n{}", texts[0], texts[1]), lines.join("\n"));
    assert!(texts[1].starts_with(&format!("{:03} ", texts[0].lines().count() + 1)));
    assert_eq!(format!("{} {}", texts[2], texts[3]), question);
    assert_eq!(
        buttons(&calls[3]),
        [("Sim".into(), "1".into()), ("Não".into(), "2".into())]
    );
}

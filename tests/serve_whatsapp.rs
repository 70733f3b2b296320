//! The WhatsApp Cloud API channel of `fluxo serve`, driven as Meta drives it: the real
//! binary on loopback, signed (and unsigned) webhooks in Meta's payload shapes, and a
//! fake Graph API (started here) that records what the server sends and answers as
//! scripted (rate limits, a closed 24-hour window, an outage).

#[allow(dead_code)]
#[path = "serve/client.rs"]
mod client;
#[path = "serve/platform.rs"]
mod platform;

use hmac::{Hmac, Mac};
use serde_json::{json, Value};

use client::{request, Received, Server, Sink};
use platform::{metric, start, state_when, until, Setup};

const NUMBER: &str = "106540352242922";
const SECRET: &str = "app-secret";
const ANA: &str = "5548999990000";

const CHANNEL: &str = "[channels.whatsapp]\nphone_number_id = \"106540352242922\"\n\
    graph_url = \"http://{api}/v21.0\"\naccess_token_env = \"WA_ACCESS_TOKEN\"\n\
    app_secret_env = \"WA_APP_SECRET\"\nverify_token_env = \"WA_VERIFY_TOKEN\"\n";

const ENV: [(&str, &str); 3] = [
    ("WA_ACCESS_TOKEN", "graph-token"),
    ("WA_APP_SECRET", SECRET),
    ("WA_VERIFY_TOKEN", "verify-me"),
];

fn whatsapp(name: &str, api: Sink) -> Setup {
    start(name, api, CHANNEL, &ENV)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A message from `from`, `ago` seconds old, with `content` (its `type` and body).
fn message(from: &str, id: &str, ago: i64, content: Value) -> Value {
    let mut message = json!({"from": from, "id": id, "timestamp": (now() - ago).to_string()});
    for (key, value) in content.as_object().unwrap() {
        message[key] = value.clone();
    }
    message
}

fn text(body: &str) -> Value {
    json!({"type": "text", "text": {"body": body}})
}

fn tapped(kind: &str, id: &str) -> Value {
    json!({"type": "interactive", "interactive": {"type": kind, kind: {"id": id, "title": "x"}}})
}

/// One change of Meta's envelope with these messages and statuses.
fn change(messages: Vec<Value>, statuses: Vec<Value>) -> Value {
    let contacts: Vec<Value> = messages
        .iter()
        .map(|it| json!({"profile": {"name": "Ana"}, "wa_id": it["from"]}))
        .collect();
    json!({"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "554830000000", "phone_number_id": NUMBER},
        "contacts": contacts, "messages": messages, "statuses": statuses}})
}

fn envelope(changes: Vec<Value>) -> String {
    let entries: Vec<Value> = changes
        .into_iter()
        .map(|it| json!({"id": "WABA", "changes": [it]}))
        .collect();
    json!({"object": "whatsapp_business_account", "entry": entries}).to_string()
}

fn signature(body: &str, secret: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// POSTs `body` to the webhook signed with `secret` (unsigned when `None`).
fn post(server: &Server, body: &str, secret: Option<&str>) -> u16 {
    let signed = secret.map(|it| signature(body, it));
    let headers: Vec<(&str, &str)> = signed
        .iter()
        .map(|it| ("X-Hub-Signature-256", it.as_str()))
        .collect();
    let (status, answer) = request(
        &server.addr,
        "POST",
        "/v1/channels/whatsapp/webhook",
        Some(body),
        &headers,
    );
    assert!(status != 500, "{answer}");
    status
}

/// Ana sends one message; the webhook acknowledges it.
fn says(server: &Server, id: &str, content: Value) {
    let body = envelope(vec![change(vec![message(ANA, id, 0, content)], vec![])]);
    assert_eq!(post(server, &body, Some(SECRET)), 200);
}

fn kind(it: &Received) -> (&str, &str) {
    (
        it.body["type"].as_str().unwrap_or(""),
        it.body["interactive"]["type"].as_str().unwrap_or(""),
    )
}

fn titles(it: &Received) -> Vec<String> {
    let action = &it.body["interactive"]["action"];
    let buttons = action["buttons"].as_array().cloned().unwrap_or_default();
    let rows = action["sections"][0]["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    buttons
        .iter()
        .map(|it| it["reply"]["title"].clone())
        .chain(rows.iter().map(|it| it["title"].clone()))
        .map(|it| it.as_str().unwrap_or("").to_string())
        .collect()
}

fn body_text(it: &Received) -> &str {
    it.body["interactive"]["body"]["text"]
        .as_str()
        .or(it.body["text"]["body"].as_str())
        .unwrap_or("")
}

/// The Graph API requests after the first `seen`, once one has `question` as its
/// text; the count to pass next.
fn next(setup: &Setup, seen: usize, question: &str) -> (Vec<Received>, usize) {
    let all = until(&setup.api, question, |it| body_text(it) == question);
    let new = all[seen..].to_vec();
    let count = all.len();
    (new, count)
}

#[test]
fn a_provedor_conversation_over_whatsapp_reaches_a_second_copy_and_a_handoff() {
    let setup = whatsapp("wa-provedor", Sink::scripted(vec![]));
    let server = &setup.server;

    // The verification handshake.
    let hub = "/v1/channels/whatsapp/webhook?hub.mode=subscribe&hub.challenge=1158201444";
    let (status, body) = server.get(&format!("{hub}&hub.verify_token=verify-me"));
    assert_eq!((status, body.as_str()), (200, "1158201444"));
    assert_eq!(server.get(&format!("{hub}&hub.verify_token=wrong")).0, 403);

    // Unsigned and wrongly signed posts are refused and store nothing.
    let hello = envelope(vec![change(
        vec![message(ANA, "wamid.1", 0, text("oi"))],
        vec![],
    )]);
    assert_eq!(post(server, &hello, None), 401);
    assert_eq!(post(server, &hello, Some("not-the-secret")), 401);
    let key = format!("whatsapp:{ANA}");
    assert_eq!(server.get(&format!("/v1/conversations/{key}")).0, 404);

    // The consent question as two reply buttons, to Ana's number, with the token.
    assert_eq!(post(server, &hello, Some(SECRET)), 200);
    let consent = "Olá! Para seguirmos com o atendimento pelo WhatsApp, a Provedor Exemplo \
                   precisa da sua autorização para enviar mensagens sobre os seus serviços, \
                   como avisos, faturas e protocolos. Você pode cancelar a autorização a \
                   qualquer momento enviando /bloquear. Você autoriza o envio de mensagens?";
    let (sent, seen) = next(&setup, 0, consent);
    let first = &sent[0];
    assert_eq!(first.path, format!("/v21.0/{NUMBER}/messages"));
    assert_eq!(first.authorization, "Bearer graph-token");
    assert_eq!(first.body["to"], ANA);
    assert_eq!(first.body["messaging_product"], "whatsapp");
    assert_eq!(kind(first), ("interactive", "button"));
    assert_eq!(titles(first), ["Sim", "Não"]);

    // A button reply: the main menu (5 options) comes as a list.
    says(server, "wamid.2", tapped("button_reply", "1"));
    let (sent, seen) = next(&setup, seen, "Como podemos ajudar?");
    let menu = sent.last().unwrap();
    assert_eq!(kind(menu), ("interactive", "list"));
    assert_eq!(titles(menu)[4], "Falar com alguém");
    assert!(body_text(&sent[0]).starts_with("Olá, Ana!"), "{sent:?}");

    // Financeiro, then 2ª via: the contracts' long labels are cut to 24 characters,
    // whole in the row's description.
    says(server, "wamid.3", tapped("list_reply", "1"));
    let (_, seen) = next(&setup, seen, "O que você precisa?");
    says(server, "wamid.4", tapped("list_reply", "1"));
    let question = "Encontramos mais de um contrato no seu cadastro. Qual deles você deseja?";
    let (sent, seen) = next(&setup, seen, question);
    let contracts = sent.last().unwrap();
    assert_eq!(titles(contracts)[0], "Fibra 500 Mega - Rua da…");
    let row = &contracts.body["interactive"]["action"]["sections"][0]["rows"][0];
    assert_eq!(
        row["description"],
        "Fibra 500 Mega - Rua das Gaivotas, 120, Ingleses, Florianópolis"
    );

    // The second copy: its texts, then the bill as a document by link.
    says(server, "wamid.5", tapped("list_reply", "1"));
    let (sent, seen) = next(&setup, seen, "Posso ajudar em algo mais?");
    let bill = sent
        .iter()
        .find(|it| it.body["type"] == "document")
        .unwrap();
    assert_eq!(
        bill.body["document"]["link"],
        "https://boletos.provedorexemplo.com.br/90011.pdf"
    );
    assert!(sent.iter().any(|it| body_text(it).contains("R$ 129,90")));

    // Something else: talk to someone; the reason typed; the hand-off.
    says(server, "wamid.6", tapped("button_reply", "1"));
    let (_, seen) = next(&setup, seen, "Como podemos ajudar?");
    says(server, "wamid.7", tapped("list_reply", "5"));
    let (_, _) = next(
        &setup,
        seen,
        "Enquanto isso, conte em poucas palavras o motivo do contato.",
    );
    says(server, "wamid.8", text("Minha internet caiu"));
    let people = until(&setup.people, "the hand-off", |it| it.path == "/handoff");
    let handoff = people.iter().find(|it| it.path == "/handoff").unwrap();
    assert_eq!(handoff.body["conversation"], key);
    assert_eq!(handoff.body["channel"], "whatsapp");
    assert_eq!(handoff.body["department"], "suporte");
    assert_eq!(handoff.body["protocol"], "20261123000001");
    assert_eq!(handoff.body["contact"]["phone"], format!("+{ANA}"));
    assert_eq!(handoff.body["contact"]["name"], "Ana");
    assert_eq!(handoff.body["customer"]["customer_id"], "1001");
    assert_eq!(handoff.body["description"], "Minha internet caiu");
    assert!(handoff.body["tags"].as_array().unwrap().len() >= 2);
    assert!(!handoff.idempotency_key.is_empty());
    let notify = people.iter().find(|it| it.path == "/notify").unwrap();
    assert_eq!(notify.body["group"], "noc");
    assert!(notify.body["text"]
        .as_str()
        .unwrap()
        .contains("Motivo: Minha internet caiu"));
    let state = state_when(server, &key, |it| it["wait"] == "done");
    assert_eq!(state["ending"], "transferred");
}

#[test]
fn batches_duplicates_late_messages_and_the_window() {
    let setup = whatsapp("wa-webhooks", Sink::scripted(vec![]));
    let server = &setup.server;
    let consent = |to: &'static str| {
        move |it: &Received| it.body["to"] == to && kind(it) == ("interactive", "button")
    };

    // One POST: two entries, two contacts, and a status callback (not a message).
    let status = json!({"id": "wamid.out", "status": "read", "timestamp": now().to_string(),
                        "recipient_id": "5548111"});
    let batch = envelope(vec![
        change(vec![message("5548111", "wamid.b1", 0, text("oi"))], vec![]),
        change(
            vec![message("5548222", "wamid.b2", 0, text("oi"))],
            vec![status],
        ),
    ]);
    assert_eq!(post(server, &batch, Some(SECRET)), 200);
    until(&setup.api, "the first consent", consent("5548111"));
    until(&setup.api, "the second consent", consent("5548222"));
    assert_eq!(
        metric(
            server,
            "fluxo_outbound_deliveries_total{status=\"platform_read\"}"
        ),
        1
    );

    // Meta delivers the same POST again: acknowledged, nothing new.
    assert_eq!(post(server, &batch, Some(SECRET)), 200);
    let inbound = "fluxo_inbound_messages_total{channel=\"whatsapp\",result=";
    assert_eq!(metric(server, &format!("{inbound}\"duplicate\"}}")), 2);
    assert_eq!(metric(server, &format!("{inbound}\"accepted\"}}")), 2);

    // A message delivered late (written 25 hours ago, after one written now) is
    // handled in arrival order and does not close the window the newer one opened.
    let late = envelope(vec![change(
        vec![message("5548111", "wamid.b0", 25 * 3600, text("2"))],
        vec![],
    )]);
    assert_eq!(post(server, &late, Some(SECRET)), 200);
    until(&setup.api, "the answer to the late message", |it| {
        it.body["to"] == "5548111" && body_text(it).contains("não enviará mais mensagens")
    });

    // A failed status callback for a message refused outside the window (131047,
    // reported asynchronously) ends that contact's conversation.
    let failed = json!({"id": "wamid.out2", "status": "failed", "timestamp": now().to_string(),
                        "recipient_id": "5548222", "biz_opaque_callback_data": "whatsapp:5548222/1",
                        "errors": [{"code": 131047, "title": "Re-engagement message"}]});
    let callback = envelope(vec![change(vec![], vec![failed])]);
    assert_eq!(post(server, &callback, Some(SECRET)), 200);
    let state = state_when(server, "whatsapp:5548222", |it| it["wait"] == "done");
    assert!(
        state["ending"].as_str().unwrap().contains("131047"),
        "{state}"
    );

    // A contact whose only message is 25 hours old: the window is closed, nothing
    // free-form is sent, and the conversation ends with the reason.
    let old = envelope(vec![change(
        vec![message("5548333", "wamid.c1", 25 * 3600, text("oi"))],
        vec![],
    )]);
    assert_eq!(post(server, &old, Some(SECRET)), 200);
    let state = state_when(server, "whatsapp:5548333", |it| it["wait"] == "done");
    assert!(
        state["ending"].as_str().unwrap().contains("24-hour window"),
        "{state}"
    );
    let sent = setup.api.received.lock().unwrap().clone();
    assert!(sent.iter().all(|it| it.body["to"] != "5548333"), "{sent:?}");
}

/// Meta's error answer with `code`.
fn graph_error(code: i64) -> (u16, String) {
    let body = json!({"error": {"message": "refused", "type": "OAuthException", "code": code}});
    (400, body.to_string())
}

#[test]
fn rate_limits_and_an_outage_are_retried_in_order() {
    // The consent goes out; then a throughput limit and an outage on the next
    // message; then everything is delivered, in order, each retry under its key.
    let script = vec![
        (200, "{}".to_string()),
        graph_error(130429),
        (503, String::new()),
    ];
    let setup = whatsapp("wa-limits", Sink::scripted(script));
    let server = &setup.server;
    says(server, "wamid.1", text("oi"));
    says(server, "wamid.2", tapped("button_reply", "1"));
    let sent = until(&setup.api, "the main menu", |it| {
        body_text(it) == "Como podemos ajudar?"
    });
    let keys: Vec<&str> = sent
        .iter()
        .map(|it| it.body["biz_opaque_callback_data"].as_str().unwrap())
        .collect();
    assert_eq!(keys[1], keys[2]);
    assert_eq!(keys[2], keys[3]);
    let mut delivered = keys.clone();
    delivered.dedup();
    let key = format!("whatsapp:{ANA}");
    let expected: Vec<String> = (1..=delivered.len())
        .map(|n| format!("{key}/{n}"))
        .collect();
    assert_eq!(delivered, expected);
}

#[test]
fn a_refusal_for_a_closed_window_ends_the_conversation() {
    let setup = whatsapp("wa-window", Sink::scripted(vec![graph_error(131047)]));
    says(&setup.server, "wamid.1", text("oi"));
    let key = format!("whatsapp:{ANA}");
    let state = state_when(&setup.server, &key, |it| it["wait"] == "done");
    assert!(
        state["ending"].as_str().unwrap().contains("131047"),
        "{state}"
    );
}

#[test]
fn an_opt_out_on_whatsapp_quiets_the_contact_on_other_channels() {
    let config = format!("{CHANNEL}\n[server]\nwebhook_url = \"http://{{api}}/generic\"\n");
    let setup = start("wa-optout", Sink::scripted(vec![]), &config, &ENV);
    let server = &setup.server;
    let web = |id: &str, text: &str| {
        let body = json!({"id": id, "text": text, "channel": "webchat",
                          "contact": {"name": "Ana", "phone": format!("+{ANA}")}});
        server.post(
            "/v1/conversations/web-ana/messages?wait=true",
            &body.to_string(),
        )
    };
    // Ana on the web chat (the generic API), then on WhatsApp, where she opts out.
    assert_eq!(web("w-1", "oi").0, 200);
    until(&setup.api, "the web chat's consent", |it| {
        it.path == "/generic"
    });
    says(server, "wamid.1", text("oi"));
    says(server, "wamid.2", text("/bloquear"));
    until(&setup.api, "the goodbye", |it| {
        body_text(it).contains("não enviará mais mensagens")
    });
    // Back on the web chat her answer is handled, and nothing goes out to her.
    let (status, reply) = web("w-2", "1");
    assert_eq!(status, 200);
    let reply: Value = serde_json::from_str(&reply).unwrap();
    let outputs = reply["outputs"].as_array().unwrap().len();
    assert!(outputs > 0, "{reply}");
    assert_eq!(
        metric(
            server,
            "fluxo_outbound_deliveries_total{status=\"suppressed\"}"
        ),
        outputs as u64
    );
}

//! The OpenAI-compatible intent client against a fake chat-completions server
//! on loopback that checks the documented request shape and replays the
//! documented response and error bodies.

#[path = "lowcode_fake_http/mod.rs"]
mod fake_http;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_http::{Reply, Request, Server};
use fluxo_host::intent::{
    Classification, IntentClassifier, IntentError, IntentOption, OfflineClassifier,
    OpenAiClassifier, OpenAiConfig,
};
use serde_json::{json, Value};

const KEY: &str = "sk-test-123";

fn options() -> Vec<IntentOption> {
    vec![
        IntentOption::new("2ª via de boleto").with_examples(["fatura", "pix"]),
        IntentOption::new("Suporte técnico").with_examples(["internet lenta"]),
        IntentOption::new("Falar com atendente"),
    ]
}

/// A chat completion as the API documents it, answering `content`.
fn completion(content: &str) -> String {
    json!({
        "id": "chatcmpl-abc123",
        "object": "chat.completion",
        "created": 1_763_750_000,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content, "refusal": null},
            "logprobs": null,
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 97, "completion_tokens": 1, "total_tokens": 98}
    })
    .to_string()
}

/// Serves `/v1/chat/completions`, records each request body, and answers
/// `content`; a wrong key gets the documented 401 error body.
fn fake_api(content: &'static str, seen: Arc<Mutex<Vec<Value>>>) -> Server {
    Server::start(move |request: &Request| {
        if request.method != "POST" || request.target != "/v1/chat/completions" {
            return Reply::json(
                404,
                r#"{"error": {"message": "Unknown request URL", "type": "invalid_request_error"}}"#,
            );
        }
        if request.header("authorization") != Some(&format!("Bearer {KEY}")) {
            return Reply::json(
                401,
                r#"{"error": {"message": "Incorrect API key provided: sk-wrong. You can find your API key at https://platform.openai.com/account/api-keys.", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}"#,
            );
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        seen.lock().unwrap().push(body);
        Reply::json(200, &completion(content))
    })
}

fn classifier(server: &Server, key: &str, timeout: Duration) -> OpenAiClassifier {
    let mut config = OpenAiConfig::new(format!("{}/v1/", server.base_url()), "gpt-4o-mini", key);
    config.timeout = timeout;
    OpenAiClassifier::new(config).unwrap()
}

#[tokio::test]
async fn sends_the_documented_request_and_reads_the_choice() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let server = fake_api("2", Arc::clone(&seen));
    let classifier = classifier(&server, KEY, Duration::from_secs(5));
    let result = classifier
        .classify("minha internet tá lenta", &options())
        .await;
    assert_eq!(
        result,
        Ok(Classification {
            choice: Some(1),
            confidence: 1.0
        })
    );

    let requests = seen.lock().unwrap();
    let request = &requests[0];
    assert_eq!(request["model"], "gpt-4o-mini");
    assert_eq!(request["temperature"], 0.0);
    assert_eq!(request["messages"][0]["role"], "system");
    assert_eq!(request["messages"][1]["role"], "user");
    let prompt = request["messages"][1]["content"].as_str().unwrap();
    assert!(
        prompt.contains("1. 2ª via de boleto (for example: \"fatura\", \"pix\")"),
        "{prompt}"
    );
    assert!(
        prompt.contains("3. Falar com atendente\n0. none of the above"),
        "{prompt}"
    );
    assert!(prompt.contains("\"minha internet tá lenta\""), "{prompt}");
}

#[tokio::test]
async fn zero_is_no_match_and_nonsense_is_an_error() {
    let none = fake_api("0", Arc::default());
    let result = classifier(&none, KEY, Duration::from_secs(5))
        .classify("qual o horário?", &options())
        .await;
    assert_eq!(
        result,
        Ok(Classification {
            choice: None,
            confidence: 0.0
        })
    );

    let chatty = fake_api("Claro! O cliente quer falar sobre boletos.", Arc::default());
    let result = classifier(&chatty, KEY, Duration::from_secs(5))
        .classify("boleto", &options())
        .await;
    assert!(
        matches!(result, Err(IntentError::BadResponse(_))),
        "{result:?}"
    );

    let out_of_range = fake_api("7", Arc::default());
    let result = classifier(&out_of_range, KEY, Duration::from_secs(5))
        .classify("boleto", &options())
        .await;
    assert_eq!(
        result,
        Err(IntentError::BadResponse(
            "the model answered option 7, but there are only 3".into()
        ))
    );
}

#[tokio::test]
async fn api_errors_carry_status_and_message() {
    let server = fake_api("1", Arc::default());
    let result = classifier(&server, "sk-wrong", Duration::from_secs(5))
        .classify("boleto", &options())
        .await;
    match result {
        Err(IntentError::Api {
            status: 401,
            message,
        }) => {
            assert!(
                message.starts_with("Incorrect API key provided"),
                "{message}"
            )
        }
        other => panic!("expected a 401 API error, got {other:?}"),
    }
    let rate_limited = Server::start(|_: &Request| Reply::new(429, "Too Many Requests"));
    let result = classifier(&rate_limited, KEY, Duration::from_secs(5))
        .classify("boleto", &options())
        .await;
    assert_eq!(
        result,
        Err(IntentError::Api {
            status: 429,
            message: "Too Many Requests".into()
        })
    );
    let broken = Server::start(|_: &Request| Reply::json(200, "{\"choices\": []}"));
    let result = classifier(&broken, KEY, Duration::from_secs(5))
        .classify("boleto", &options())
        .await;
    assert_eq!(
        result,
        Err(IntentError::BadResponse(
            "the completion has no message".into()
        ))
    );
}

#[tokio::test]
async fn a_slow_service_times_out() {
    let slow = Server::start(|_: &Request| {
        Reply::json(200, &completion("1")).delay(Duration::from_secs(5))
    });
    let started = Instant::now();
    let result = classifier(&slow, KEY, Duration::from_millis(300))
        .classify("boleto", &options())
        .await;
    assert_eq!(result, Err(IntentError::Timeout));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn option_numbers_are_answered_without_a_request() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let server = fake_api("1", Arc::clone(&seen));
    let result = classifier(&server, KEY, Duration::from_secs(5))
        .classify("opção 3", &options())
        .await;
    assert_eq!(
        result,
        Ok(Classification {
            choice: Some(2),
            confidence: 1.0
        })
    );
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn classifiers_are_interchangeable_behind_the_trait() {
    let server = fake_api("1", Arc::default());
    let classifiers: Vec<Box<dyn IntentClassifier>> = vec![
        Box::new(OfflineClassifier::default()),
        Box::new(classifier(&server, KEY, Duration::from_secs(5))),
    ];
    for classifier in &classifiers {
        let result = classifier
            .classify("segunda via do boletu", &options())
            .await
            .unwrap();
        assert_eq!(result.choice, Some(0));
    }
}

#[tokio::test]
async fn an_unreachable_service_is_an_http_error() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = OpenAiConfig::new(format!("http://{closed}/v1"), "gpt-4o-mini", KEY);
    let result = OpenAiClassifier::new(config)
        .unwrap()
        .classify("boleto", &options())
        .await;
    assert!(matches!(result, Err(IntentError::Http(_))), "{result:?}");
}

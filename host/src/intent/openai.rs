//! An intent classifier backed by an OpenAI-compatible chat-completions API
//! (OpenAI itself, Azure-style gateways, Ollama, vLLM, LocalAI...).
//!
//! The model is shown the numbered options and the customer's message and
//! asked to answer with the option's number, or 0 for none. Whatever it says,
//! only a number in range is accepted, so a prompt injection in the message
//! can at worst pick a wrong option. Bare option numbers ("2") are answered
//! locally, without a request.

use std::time::Duration;

use reqwest::header::{HeaderValue, AUTHORIZATION};
use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::{
    by_number, Classification, ClassifyFuture, IntentClassifier, IntentError, IntentOption,
};

/// Bytes kept from an error body or an answer: answers are a few tokens.
const MAX_BODY_BYTES: usize = 64 * 1024;

const SYSTEM_PROMPT: &str = "You classify messages that customers send to the chatbot of a \
Brazilian internet provider. Reply with only the number of the option that matches what the \
customer wants, or 0 if no option matches. Do not explain.";

/// Where and how to reach the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAiConfig {
    /// The API root that `/chat/completions` is appended to, e.g.
    /// `https://api.openai.com/v1` or `http://localhost:11434/v1`.
    pub base_url: String,
    pub model: String,
    /// Sent as `Authorization: Bearer <key>`; empty sends no header (local servers).
    pub api_key: String,
    /// The whole request, connection included. Default 10 s.
    pub timeout: Duration,
}

impl OpenAiConfig {
    pub fn new(
        base_url: impl Into<String>,
        model: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Self {
        OpenAiConfig {
            base_url: base_url.into(),
            model: model.into(),
            api_key: api_key.into(),
            timeout: Duration::from_secs(10),
        }
    }
}

pub struct OpenAiClassifier {
    client: reqwest::Client,
    endpoint: Url,
    model: String,
    authorization: Option<HeaderValue>,
}

impl OpenAiClassifier {
    pub fn new(config: OpenAiConfig) -> Result<OpenAiClassifier, IntentError> {
        let root = format!("{}/", config.base_url.trim_end_matches('/'));
        let endpoint = Url::parse(&root)
            .and_then(|root| root.join("chat/completions"))
            .map_err(|err| IntentError::Config(format!("base URL `{}`: {err}", config.base_url)))?;
        let authorization = if config.api_key.is_empty() {
            None
        } else {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", config.api_key)).map_err(|_| {
                    IntentError::Config("the API key is not a valid header value".into())
                })?;
            value.set_sensitive(true);
            Some(value)
        };
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|err| IntentError::Config(format!("cannot start the HTTP client: {err}")))?;
        Ok(OpenAiClassifier {
            client,
            endpoint,
            model: config.model,
            authorization,
        })
    }

    async fn ask(
        &self,
        text: &str,
        options: &[IntentOption],
    ) -> Result<Classification, IntentError> {
        if let Some(picked) = by_number(text, options) {
            return Ok(picked);
        }
        if options.is_empty() {
            return Ok(Classification::no_match(0.0));
        }
        let request = ChatRequest {
            model: &self.model,
            temperature: 0.0,
            max_tokens: 8,
            messages: [
                ChatMessage {
                    role: "system",
                    content: SYSTEM_PROMPT.to_string(),
                },
                ChatMessage {
                    role: "user",
                    content: user_prompt(text, options),
                },
            ],
        };
        let mut builder = self.client.post(self.endpoint.clone()).json(&request);
        if let Some(authorization) = &self.authorization {
            builder = builder.header(AUTHORIZATION, authorization.clone());
        }
        let mut response = builder.send().await.map_err(failure)?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failure)? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_BODY_BYTES {
                return Err(IntentError::BadResponse(format!(
                    "the answer is over {MAX_BODY_BYTES} bytes"
                )));
            }
        }
        if !status.is_success() {
            return Err(IntentError::Api {
                status: status.as_u16(),
                message: error_message(&body),
            });
        }
        let answer: ChatResponse = serde_json::from_slice(&body)
            .map_err(|err| IntentError::BadResponse(format!("not a chat completion: {err}")))?;
        let content = answer
            .choices
            .into_iter()
            .next()
            .and_then(|choice| choice.message.content)
            .ok_or_else(|| IntentError::BadResponse("the completion has no message".into()))?;
        parse_answer(&content, options.len())
    }
}

impl IntentClassifier for OpenAiClassifier {
    fn classify<'a>(&'a self, text: &'a str, options: &'a [IntentOption]) -> ClassifyFuture<'a> {
        Box::pin(self.ask(text, options))
    }
}

#[derive(Serialize)]
struct ChatRequest<'a> {
    model: &'a str,
    temperature: f32,
    max_tokens: u32,
    messages: [ChatMessage; 2],
}

#[derive(Serialize)]
struct ChatMessage {
    role: &'static str,
    content: String,
}

#[derive(Deserialize)]
struct ChatResponse {
    choices: Vec<ChatChoice>,
}

#[derive(Deserialize)]
struct ChatChoice {
    message: ChatAnswer,
}

#[derive(Deserialize)]
struct ChatAnswer {
    content: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: String,
}

/// The options, numbered from 1 with their examples, then the message.
fn user_prompt(text: &str, options: &[IntentOption]) -> String {
    let mut prompt = String::from("Options:\n");
    for (index, option) in options.iter().enumerate() {
        prompt.push_str(&format!("{}. {}", index + 1, option.label));
        if !option.examples.is_empty() {
            let examples: Vec<String> = option
                .examples
                .iter()
                .map(|example| format!("{example:?}"))
                .collect();
            prompt.push_str(&format!(" (for example: {})", examples.join(", ")));
        }
        prompt.push('\n');
    }
    prompt.push_str(&format!(
        "0. none of the above\n\nCustomer message:\n{text:?}\n\nOption number:"
    ));
    prompt
}

/// The first number in the model's answer ("2", "2.", "Option 2", "**2**").
fn parse_answer(content: &str, n_options: usize) -> Result<Classification, IntentError> {
    let digits: String = content
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    let number: usize = digits.parse().map_err(|_| {
        IntentError::BadResponse(format!(
            "the model answered {content:?}, not an option number"
        ))
    })?;
    match number {
        0 => Ok(Classification::no_match(0.0)),
        n if n <= n_options => Ok(Classification {
            choice: Some(n - 1),
            confidence: 1.0,
        }),
        n => Err(IntentError::BadResponse(format!(
            "the model answered option {n}, but there are only {n_options}"
        ))),
    }
}

/// The `error.message` of an OpenAI-style error body, else the body itself.
fn error_message(body: &[u8]) -> String {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) => parsed.error.message,
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            if text.is_empty() {
                "(empty body)".to_string()
            } else {
                text.chars().take(300).collect()
            }
        }
    }
}

fn failure(err: reqwest::Error) -> IntentError {
    if err.is_timeout() {
        return IntentError::Timeout;
    }
    let mut reason = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(&err);
    while let Some(cause) = source {
        if !reason.is_empty() {
            reason.push_str(": ");
        }
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    IntentError::Http(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_robustly() {
        let pick = |content: &str| parse_answer(content, 3);
        assert_eq!(pick("2").unwrap().choice, Some(1));
        assert_eq!(pick(" Option 3.\n").unwrap().choice, Some(2));
        assert_eq!(pick("**1**").unwrap().choice, Some(0));
        assert_eq!(pick("0").unwrap(), Classification::no_match(0.0));
        assert!(matches!(pick("4"), Err(IntentError::BadResponse(_))));
        assert!(matches!(pick("boleto"), Err(IntentError::BadResponse(_))));
        assert!(matches!(
            pick("99999999999999999999999"),
            Err(IntentError::BadResponse(_))
        ));
    }

    #[test]
    fn the_prompt_numbers_options_from_one() {
        let options = [
            IntentOption::new("2ª via de boleto").with_examples(["fatura"]),
            IntentOption::new("Suporte técnico"),
        ];
        let prompt = user_prompt("minha \"internet\" caiu", &options);
        assert_eq!(
            prompt,
            "Options:\n1. 2ª via de boleto (for example: \"fatura\")\n2. Suporte técnico\n\
             0. none of the above\n\nCustomer message:\n\"minha \\\"internet\\\" caiu\"\n\nOption number:"
        );
    }

    #[test]
    fn error_bodies() {
        let body = br#"{"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}"#;
        assert_eq!(error_message(body), "Incorrect API key provided");
        assert_eq!(error_message(b"Bad Gateway"), "Bad Gateway");
        assert_eq!(error_message(b""), "(empty body)");
    }

    #[test]
    fn a_malformed_base_url_is_a_config_error() {
        let result = OpenAiClassifier::new(OpenAiConfig::new("not a url", "m", "k"));
        assert!(matches!(result, Err(IntentError::Config(_))));
    }
}

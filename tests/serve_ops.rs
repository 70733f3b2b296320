//! What operators see of `fluxo serve`, through the real binary: the operator metrics
//! on `/metrics` and `fluxo report` after a scripted set of conversations (a second
//! copy with a survey, a hand-off, a customer who leaves), the report surviving a
//! SIGKILL; LGPD erasure (the contact's phone and words gone from the API and from the
//! SQLite files) and retention (finished conversations deleted, figures kept).

#[path = "serve/client.rs"]
#[allow(dead_code)] // The webhook sink and `fluxo run` oracle serve tests/serve.rs.
mod client;
#[path = "serve/openapi.rs"]
mod openapi;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use client::{request, scratch, Server};

const ADMIN: (&str, &str) = ("FLUXO_TEST_ADMIN", "s3cret");

fn provedor() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/provedor")
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// A server on `data` with the admin token and these `[server]` lines.
fn start(data: &Path, server_table: &str) -> Server {
    let config = data.join("fluxo.toml");
    std::fs::create_dir_all(data).unwrap();
    let text = format!(
        "[server]\nadmin_token_env = \"{}\"\n{server_table}",
        ADMIN.0
    );
    std::fs::write(&config, text).unwrap();
    Server::start_with_env(
        &provedor(),
        data,
        &["--config", config.to_str().unwrap()],
        &[ADMIN],
    )
}

fn admin(server: &Server, method: &str, path: &str) -> (u16, String) {
    let token = format!("Bearer {}", ADMIN.1);
    request(
        &server.addr,
        method,
        path,
        None,
        &[("Authorization", &token)],
    )
}

/// Sends `texts` to conversation `key` one turn at a time; the last reply.
fn script(server: &Server, key: &str, texts: &[&str]) -> Value {
    let mut last = Value::Null;
    for (n, text) in texts.iter().enumerate() {
        let (status, body) = server.say(key, &format!("{key}-{n}"), text, true);
        assert_eq!(status, 200, "{key} {text}: {body}");
        last = json(&body);
    }
    last
}

/// Polls `GET path` until `done` holds for its body (10 s at most).
fn until(server: &Server, path: &str, done: impl Fn(u16, &str) -> bool) -> String {
    for _ in 0..200 {
        let (status, body) = admin(server, "GET", path);
        if done(status, &body) {
            return body;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "{path} never got there: {:?}\nlog: {}",
        admin(server, "GET", path),
        std::fs::read_to_string(&server.log).unwrap_or_default()
    );
}

/// `fluxo report` with `args`: its exit code, stdout and stderr.
fn report(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .arg("report")
        .args(args)
        .output()
        .unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (
        out.status.code().unwrap_or(-1),
        text(out.stdout),
        text(out.stderr),
    )
}

/// The operator metrics' lines, without the ERP latency's time-dependent values
/// (its buckets and sum; the count stays).
fn operator_lines(scrape: &str) -> String {
    const NAMES: [&str; 8] = [
        "fluxo_conversations_ended_total",
        "fluxo_handoffs_total",
        "fluxo_card_visits_total",
        "fluxo_card_abandons_total",
        "fluxo_survey_scores_total",
        "fluxo_erp_call_seconds_count",
        "fluxo_erp_call_failures_total",
        "fluxo_timers_fired_total",
    ];
    let lines: Vec<&str> = scrape
        .lines()
        .filter(|line| NAMES.iter().any(|name| line.starts_with(name)))
        .collect();
    lines.join("\n")
}

/// The text report with the ERP section's milliseconds starred (they are timings).
fn without_timings(text: &str) -> String {
    let mut erp = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with("ERP calls") {
                erp = true;
            } else if line.is_empty() {
                erp = false;
            } else if erp {
                let columns: Vec<&str> = line.split_whitespace().collect();
                return format!("  {} {} {} * *", columns[0], columns[1], columns[2]);
            }
            line.to_string()
        })
        .collect();
    lines.join("\n")
}

#[test]
fn operator_metrics_and_the_report_count_a_scripted_day() {
    let data = scratch("ops-metrics");
    let server = start(&data, "inactivity_secs = 2\n");
    // A second copy of a bill with a survey, a hand-off, and a customer who leaves.
    let ana = script(&server, "ana", &["oi", "1", "1", "1", "1", "2", "5"]);
    assert_eq!(ana["ending"], "closed");
    let bia = script(&server, "bia", &["oi", "1", "5", "Minha internet caiu"]);
    assert_eq!(bia["ending"], "transferred");
    script(&server, "caio", &["oi"]);
    until(&server, "/v1/conversations/caio", |status, body| {
        status == 200 && json(body)["ending"] == "inactive"
    });

    let (status, scrape) = server.get("/metrics");
    assert_eq!(status, 200);
    insta::assert_snapshot!("operator_metrics", operator_lines(&scrape));

    // The admin API answers the report as `fluxo report --format json` prints it, as
    // the OpenAPI document describes it.
    let doc = json(&server.get("/v1/openapi.json").1);
    let conforms = |status: u16, body: &str| {
        let schema = openapi::response_schema(&doc, "/v1/admin/report", "get", status);
        let problems = openapi::violations(&doc, schema, &json(body));
        assert!(problems.is_empty(), "{status}: {problems:?}\n{body}");
    };
    let (status, body) = admin(&server, "GET", "/v1/admin/report?since=2020-01-01");
    assert_eq!(status, 200, "{body}");
    conforms(200, &body);
    let from_api = json(&body);
    let (status, body) = admin(&server, "GET", "/v1/admin/report?until=yesterday");
    assert_eq!(status, 400, "{body}");
    conforms(400, &body);
    assert!(body.contains("`yesterday`"), "{body}");

    // The figures are durable: the report reads them after a SIGKILL.
    server.kill();
    let data_arg = data.to_str().unwrap();
    let period = ["--since", "2020-01-01", "--until", "2999-01-01T00:00:00Z"];
    let (code, text, err) = report(&[&["--data", data_arg][..], &period].concat());
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("report_text", without_timings(&text));
    let (code, out, err) = report(&["--data", data_arg, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let printed = json(&out);
    for part in ["conversations", "handoffs", "cards", "surveys", "timers"] {
        assert_eq!(printed[part], from_api[part], "{part}");
    }
    assert_eq!(printed["erp"][0]["calls"], from_api["erp"][0]["calls"]);
    assert_eq!(printed["conversations"]["containment"], json!(2.0 / 3.0));

    // A period after everything: an empty report; a bad date: a usage error.
    let (code, out, _) = report(&[
        "--data",
        data_arg,
        "--since",
        "2999-01-01",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["conversations"]["ended"], 0);
    let (code, _, err) = report(&["--data", data_arg, "--until", "amanhã"]);
    assert_eq!(code, 2);
    assert!(err.contains("--until: `amanhã`"), "{err}");
    let (code, _, err) = report(&["--data", "/nonexistent/fluxo"]);
    assert_eq!(code, 2);
    assert!(err.contains("no store there"), "{err}");
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
fn erasing_a_contact_leaves_no_trace_and_retention_deletes_finished_conversations() {
    let data = scratch("ops-lgpd");
    let server = start(&data, "");
    const PHONE: &str = "+5548988887777";
    const WORDS: &str = "minha senha antiga era girassol";
    let opening =
        json!({"id": "z-0", "text": "oi", "contact": {"name": "Zuleica", "phone": PHONE}});
    let (status, body) = server.post(
        "/v1/conversations/conv-z/messages?wait=true",
        &opening.to_string(),
    );
    assert_eq!(status, 200, "{body}");
    script(&server, "conv-z", &["1", WORDS]);
    script(&server, "keep", &["oi"]);
    assert!(server.transcript("conv-z").contains(WORDS));

    let (status, body) = admin(&server, "DELETE", "/v1/admin/contacts/%2B5548988887777");
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["erased_conversations"], 1);
    let (status, _) = server.get("/v1/conversations/conv-z");
    assert_eq!(status, 404);
    let (status, _) = server.get("/v1/conversations/conv-z/transcript");
    assert_eq!(status, 404);
    let (_, list) = admin(&server, "GET", "/v1/admin/conversations");
    let keys: Vec<Value> = json(&list)["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| it["key"].clone())
        .collect();
    assert_eq!(keys, [json!("keep")], "{list}");
    // No byte of the contact is left in the store's files (the erase zeroes what it
    // frees and empties the WAL), while the server still runs.
    for file in ["fluxo.db", "fluxo.db-wal"] {
        let bytes = std::fs::read(data.join(file)).unwrap_or_default();
        for trace in ["8988887777", "Zuleica", "girassol", "conv-z"] {
            assert!(!contains(&bytes, trace), "{file} still holds {trace}");
        }
    }
    // Logs are masked: the phone never reached them.
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(!log.contains("8988887777"), "{log}");
    server.kill();

    // Retention of one second: a finished conversation goes, a waiting one stays, and
    // the report keeps the finished one's figures.
    let data = scratch("ops-retention");
    let server = start(&data, "retention_secs = 1\n");
    let done = script(&server, "gone", &["oi", "nao"]);
    assert_eq!(done["wait"], "done");
    script(&server, "waits", &["oi"]);
    until(&server, "/v1/admin/conversations", |status, body| {
        status == 200 && !body.contains("\"gone\"")
    });
    let (status, _) = server.get("/v1/conversations/gone/transcript");
    assert_eq!(status, 404);
    let (status, _) = server.get("/v1/conversations/waits");
    assert_eq!(status, 200);
    let (_, body) = admin(&server, "GET", "/v1/admin/report");
    assert_eq!(json(&body)["conversations"]["by_ending"]["opted_out"], 1);
}

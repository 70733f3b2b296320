//! Low Code end to end: the example OLT-signal script against a stand-in
//! portal on loopback, and every way a run can fail (limits, clock,
//! allow-list, bad results, script errors), each with the error the card's
//! fail path will log.

mod lowcode_fake_http;

use std::time::{Duration, Instant};

use fluxo_host::lowcode::{
    self, validate_record, CompiledScript, FieldType, LimitKind, Limits, LowcodeConfig,
    LowcodeError, RunOutcome,
};
use lowcode_fake_http::{Reply, Request, Server};
use serde_json::{json, Map, Value};

const SINAL: &str = include_str!("../../examples/provedor/scripts/sinal.rhai");
const SESSION: &str = "c2Vzc2FvLWFkbWlu";

/// The OLT portal: a login form that sets a session cookie, and an ONU page
/// (Latin-1, as old portals are) that needs it.
fn portal(request: &Request) -> Reply {
    match (request.method.as_str(), request.path()) {
        ("POST", "/login") => {
            let form = request.form();
            if form.get("usuario").map(String::as_str) == Some("admin")
                && form.get("senha").map(String::as_str) == Some("s3nh@ forte")
            {
                Reply::redirect("/painel")
                    .header("Set-Cookie", &format!("sessao={SESSION}; Path=/; HttpOnly"))
            } else {
                Reply::html("<p class=erro>Usuário ou senha inválidos</p>")
            }
        }
        ("GET", "/painel") if logged_in(request) => Reply::html("<h1>Painel da OLT</h1>"),
        ("GET", "/onu") if logged_in(request) => {
            let query = request.query();
            match query.get("login").map(String::as_str) {
                Some("ana.souza@fibra") => {
                    let page = "<html><body><h1>ONU ana.souza@fibra</h1><table id=\"onu\">\
                        <tr><th>OLT</th><td class=\"olt\"> OLT-01 </td></tr>\
                        <tr><th>Pot\u{ea}ncia RX</th><td class=\"rx\">-24,50 dBm</td></tr>\
                        </table></body></html>";
                    let latin1: Vec<u8> = page.chars().map(|c| c as u8).collect();
                    Reply::new(200, latin1).header("Content-Type", "text/html; charset=iso-8859-1")
                }
                _ => Reply::new(404, "ONU não encontrada"),
            }
        }
        ("GET", "/painel" | "/onu") => Reply::redirect("/login"),
        ("GET", "/lento") => Reply::html("enfim").delay(Duration::from_secs(5)),
        ("GET", "/grande") => Reply::html(&"x".repeat(64 * 1024)),
        ("GET", "/fora") => Reply::redirect("http://evil.example.test/roubar"),
        ("GET", "/loop") => Reply::redirect("/loop"),
        ("GET", "/eco") => Reply::html(request.header("x-token").unwrap_or("sem token")),
        ("POST", "/eco") => Reply::json(200, &String::from_utf8_lossy(&request.body)).header(
            "X-Content-Type-Seen",
            request.header("content-type").unwrap_or(""),
        ),
        _ => Reply::new(404, "não encontrado"),
    }
}

fn logged_in(request: &Request) -> bool {
    request.cookie("sessao").as_deref() == Some(SESSION)
}

fn config_for(server: &Server) -> LowcodeConfig {
    LowcodeConfig {
        allowed_hosts: vec![server.host()],
        ..LowcodeConfig::default()
    }
}

fn input(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("test input must be an object, got {other}"),
    }
}

fn sinal_input(server: &Server, password: &str) -> Map<String, Value> {
    input(json!({
        "portal": server.base_url(),
        "portal_user": "admin",
        "portal_password": password,
        "login": "ana.souza@fibra",
    }))
}

fn script(source: &str) -> CompiledScript {
    match lowcode::compile("test", source) {
        Ok(script) => script,
        Err(err) => panic!("test script does not compile: {err}"),
    }
}

/// Runs `source` with no input and returns the outcome and how long it took.
fn run_source(source: &str, timeout: Duration, config: &LowcodeConfig) -> (RunOutcome, Duration) {
    let started = Instant::now();
    let outcome = lowcode::run(&script(source), Map::new(), timeout, config);
    (outcome, started.elapsed())
}

fn error_of(source: &str, config: &LowcodeConfig) -> LowcodeError {
    match run_source(source, Duration::from_secs(30), config).0.result {
        Ok(record) => panic!("expected an error, got {record:?}"),
        Err(err) => err,
    }
}

#[test]
fn sinal_script_logs_in_and_reads_the_signal() {
    let server = Server::start(portal);
    let script = lowcode::compile("sinal", SINAL).unwrap();
    let outcome = lowcode::run(
        &script,
        sinal_input(&server, "s3nh@ forte"),
        Duration::from_secs(5),
        &config_for(&server),
    );
    let record = outcome.result.unwrap();
    assert_eq!(
        Value::Object(record.clone()),
        json!({"dbm": -24.5, "olt": "OLT-01"})
    );
    let declared = [
        ("dbm".to_string(), FieldType::Number),
        ("olt".to_string(), FieldType::Text),
    ];
    assert_eq!(validate_record(&record, &declared), Ok(()));
    assert_eq!(outcome.log, ["ONU de ana.souza@fibra na OLT-01: -24.5 dBm"]);
}

#[test]
fn sinal_script_reports_a_failed_login_at_its_throw() {
    let server = Server::start(portal);
    let script = lowcode::compile("sinal", SINAL).unwrap();
    let outcome = lowcode::run(
        &script,
        sinal_input(&server, "errada"),
        Duration::from_secs(5),
        &config_for(&server),
    );
    let throw_line = SINAL
        .lines()
        .position(|line| line.contains("login no portal"))
        .unwrap()
        + 1;
    assert_eq!(
        outcome.result,
        Err(LowcodeError::Script {
            message: "login no portal da OLT falhou (HTTP 200)".into(),
            line: Some(throw_line),
        })
    );
}

#[test]
fn one_compiled_script_runs_on_many_threads_with_separate_cookie_jars() {
    let server = Server::start(portal);
    let script = lowcode::compile("sinal", SINAL).unwrap();
    let config = config_for(&server);
    std::thread::scope(|scope| {
        let runs: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    lowcode::run(
                        &script,
                        sinal_input(&server, "s3nh@ forte"),
                        Duration::from_secs(5),
                        &config,
                    )
                })
            })
            .collect();
        for run in runs {
            assert_eq!(run.join().unwrap().result.unwrap()["dbm"], json!(-24.5));
        }
    });
    // A new run starts with an empty jar: without logging in, the page redirects to the form.
    let source = format!(
        r#"let page = http_get("{}/onu?login=x"); #{{ url: page.url }}"#,
        server.base_url()
    );
    let (outcome, _) = run_source(&source, Duration::from_secs(5), &config);
    assert_eq!(
        outcome.result.unwrap()["url"],
        json!(format!("{}/login", server.base_url()))
    );
}

#[test]
fn an_endless_loop_hits_the_operations_limit() {
    let (outcome, _) = run_source(
        "let n = 0; loop { n += 1; }",
        Duration::from_secs(30),
        &LowcodeConfig::default(),
    );
    assert_eq!(
        outcome.result,
        Err(LowcodeError::Limit(LimitKind::Operations))
    );
}

#[test]
fn an_endless_loop_under_a_huge_operations_limit_hits_the_clock() {
    let config = LowcodeConfig {
        limits: Limits {
            max_operations: u64::MAX,
            ..Limits::default()
        },
        ..LowcodeConfig::default()
    };
    let (outcome, elapsed) = run_source("loop { }", Duration::from_millis(200), &config);
    assert_eq!(outcome.result, Err(LowcodeError::Timeout));
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
}

#[test]
fn size_and_depth_limits() {
    let config = LowcodeConfig::default();
    assert_eq!(
        error_of(r#"let s = "xy"; loop { s += s; }"#, &config),
        LowcodeError::Limit(LimitKind::StringSize)
    );
    assert_eq!(
        error_of("let a = []; loop { a.push(1); }", &config),
        LowcodeError::Limit(LimitKind::ArraySize)
    );
    assert_eq!(
        error_of(
            "let m = #{}; let i = 0; loop { m.set(`k${i}`, i); i += 1; }",
            &config
        ),
        LowcodeError::Limit(LimitKind::MapSize)
    );
    // Rhai does not measure a map when `m[key] = value` adds a key; the
    // result is measured before it reaches the flow.
    assert_eq!(
        error_of(
            "let m = #{}; for i in 0..2000 { m[`k${i}`] = i; } m",
            &config
        ),
        LowcodeError::Limit(LimitKind::MapSize)
    );
    assert_eq!(
        error_of("fn f(n) { f(n + 1) } f(0)", &config),
        LowcodeError::Limit(LimitKind::CallDepth)
    );
}

#[test]
fn a_script_cannot_catch_a_limit() {
    let source =
        "let caught = false; try { loop { } } catch { caught = true; } #{ caught: caught }";
    assert_eq!(
        error_of(source, &LowcodeConfig::default()),
        LowcodeError::Limit(LimitKind::Operations)
    );
}

#[test]
fn a_slow_server_ends_the_run_at_its_timeout() {
    let server = Server::start(portal);
    let source = format!(r#"http_get("{}/lento")"#, server.base_url());
    let (outcome, elapsed) = run_source(&source, Duration::from_millis(500), &config_for(&server));
    assert_eq!(outcome.result, Err(LowcodeError::Timeout));
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
}

#[test]
fn hosts_outside_the_allow_list_are_refused_before_connecting() {
    let server = Server::start(portal);
    let config = config_for(&server);
    // No DNS name is resolved: the host is refused before any connection.
    assert_eq!(
        error_of(r#"http_get("http://evil.example.test/x")"#, &config),
        LowcodeError::HostNotAllowed("evil.example.test:80".into())
    );
    // A redirect to a foreign host is refused at that hop.
    let source = format!(r#"http_get("{}/fora")"#, server.base_url());
    assert_eq!(
        error_of(&source, &config),
        LowcodeError::HostNotAllowed("evil.example.test:80".into())
    );
    // And the script cannot swallow the refusal.
    let source = r#"try { http_get("https://evil.example.test/") } catch { } #{ ok: true }"#;
    assert_eq!(
        error_of(source, &config),
        LowcodeError::HostNotAllowed("evil.example.test:443".into())
    );
    // With no allow-list at all, even the stand-in portal is out of reach.
    let source = format!(r#"http_get("{}/painel")"#, server.base_url());
    assert_eq!(
        error_of(&source, &LowcodeConfig::default()),
        LowcodeError::HostNotAllowed(server.host())
    );
}

#[test]
fn http_limits_and_transport_errors() {
    let server = Server::start(portal);
    let small = LowcodeConfig {
        limits: Limits {
            max_response_bytes: 1024,
            ..Limits::default()
        },
        ..config_for(&server)
    };
    let source = format!(r#"http_get("{}/grande")"#, server.base_url());
    assert_eq!(
        error_of(&source, &small),
        LowcodeError::Limit(LimitKind::ResponseSize)
    );

    let source = format!(r#"http_get("{}/loop")"#, server.base_url());
    match error_of(&source, &config_for(&server)) {
        LowcodeError::Http(reason) => {
            assert!(reason.contains("redirected more than 5 times"), "{reason}")
        }
        other => panic!("expected an HTTP error, got {other}"),
    }

    // A port nobody listens on: allowed, but the connection is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = LowcodeConfig {
        allowed_hosts: vec![closed.to_string()],
        ..LowcodeConfig::default()
    };
    let source = format!(r#"http_get("http://{closed}/")"#);
    assert!(matches!(error_of(&source, &config), LowcodeError::Http(_)));
}

#[test]
fn requests_carry_headers_and_bodies() {
    let server = Server::start(portal);
    let config = config_for(&server);
    let source = format!(
        r#"
        let base = "{}";
        let got = http_get(base + "/eco", #{{ "X-Token": "abc" }});
        let posted = http_post_json(base + "/eco", #{{ login: "ana", planos: [1, 2] }});
        #{{ token: got.body, echoed: json_parse(posted.body), type: posted.headers["x-content-type-seen"], status: posted.status }}
        "#,
        server.base_url()
    );
    let (outcome, _) = run_source(&source, Duration::from_secs(5), &config);
    let record = outcome.result.unwrap();
    assert_eq!(
        Value::Object(record),
        json!({"token": "abc", "echoed": {"login": "ana", "planos": [1, 2]}, "type": "application/json", "status": 200})
    );
}

#[test]
fn results_are_checked_against_the_declared_record() {
    let declared = [
        ("dbm".to_string(), FieldType::Number),
        ("olt".to_string(), FieldType::Text),
    ];
    let (outcome, _) = run_source(
        r#"#{ dbm: "-24,5" }"#,
        Duration::from_secs(5),
        &LowcodeConfig::default(),
    );
    let err = validate_record(&outcome.result.unwrap(), &declared).unwrap_err();
    assert_eq!(
        err,
        LowcodeError::BadResult(
            "the field `dbm` should be a number, but it is the text \"-24,5\"; \
             the field `olt` is missing (expected a text)"
                .into()
        )
    );
    match error_of(r#""OLT-01""#, &LowcodeConfig::default()) {
        LowcodeError::BadResult(reason) => {
            assert!(reason.contains("must end with a map"), "{reason}")
        }
        other => panic!("expected a bad result, got {other}"),
    }
}

#[test]
fn runtime_errors_carry_their_line() {
    let source = "let x = 1;\nlet lista = [1, 2];\nlista[5]";
    match error_of(source, &LowcodeConfig::default()) {
        LowcodeError::Script { message, line } => {
            assert_eq!(line, Some(3));
            assert!(message.contains("out of bounds"), "{message}");
        }
        other => panic!("expected a script error, got {other}"),
    }
    let source = "fn leia(x) {\n  throw `sem sinal para ${x}`;\n}\nleia(\"ana\")";
    assert_eq!(
        error_of(source, &LowcodeConfig::default()),
        LowcodeError::Script {
            message: "in function `leia`: sem sinal para ana".into(),
            line: Some(2)
        }
    );
    assert!(matches!(
        error_of(r#"regex_match("x", "(")"#, &LowcodeConfig::default()),
        LowcodeError::Script { line: Some(1), .. }
    ));
}

#[test]
fn compile_errors_point_into_the_file() {
    let err = lowcode::compile("s", "let a = 1;\nlet b = ;\n").unwrap_err();
    assert_eq!((err.line, err.column), (2, 9));
    let err = lowcode::compile("s", "let a = 1;\n#{ total: inptu.a }").unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.message.contains("inptu"), "{}", err.message);
    for forbidden in [r#"eval("1")"#, r#"import "os" as os;"#] {
        assert!(
            lowcode::compile("s", forbidden).is_err(),
            "{forbidden} compiled"
        );
    }
    assert!(lowcode::compile("s", "#{ a: 1").is_err());
}

#[test]
fn host_functions_outside_the_sandbox_do_not_exist() {
    for source in ["sleep(1)", "timestamp()", "exit(1)"] {
        match error_of(source, &LowcodeConfig::default()) {
            LowcodeError::Script { message, .. } => {
                assert!(message.contains("Function not found"), "{message}")
            }
            other => panic!("{source}: expected a script error, got {other}"),
        }
    }
}

#[test]
fn print_and_debug_go_to_the_log() {
    let config = LowcodeConfig {
        limits: Limits {
            max_log_lines: 2,
            ..Limits::default()
        },
        ..LowcodeConfig::default()
    };
    let (outcome, _) = run_source(
        "print(\"a\");\ndebug(\"b\");\nprint(1);\nprint(2);\n#{}",
        Duration::from_secs(5),
        &config,
    );
    assert_eq!(
        outcome.log,
        ["a", "[line 2] \"b\"", "(2 more log lines were dropped)"]
    );
    assert!(outcome.result.is_ok());
}

#[test]
fn helpers_behave_as_documented() {
    let config = LowcodeConfig {
        today: Some(time::macros::date!(2026 - 11 - 23)),
        ..LowcodeConfig::default()
    };
    let source = r#"
        let s = "  Sinal BOM  ";
        #{
            trimmed: s.trim(), original: s, lower: lower(trim(s)), upper: upper("ok"),
            replaced: replace("a-b-c", "-", "/"), parts: split("a,b", ","), has: contains("fibra", "ib"),
            number: parse_number("R$ 1.234,56"), today: today(), due: format_date_br(add_days(today(), 10)),
            iso: parse_date_br("05/01/2027"), found: regex_match("OLT-07 ativa", `OLT-(\d+)`),
            cleaned: regex_replace("R$ 99,90", `[^0-9,]`, ""), json: json_stringify(#{ a: [1, true] }),
        }
    "#;
    let (outcome, _) = run_source(source, Duration::from_secs(5), &config);
    assert_eq!(
        Value::Object(outcome.result.unwrap()),
        json!({
            "trimmed": "Sinal BOM", "original": "  Sinal BOM  ", "lower": "sinal bom", "upper": "OK",
            "replaced": "a/b/c", "parts": ["a", "b"], "has": true, "number": 1234.56,
            "today": "2026-11-23", "due": "03/12/2026", "iso": "2027-01-05", "found": ["OLT-07", "07"],
            "cleaned": "99,90", "json": "{\"a\":[1,true]}",
        })
    );
    match error_of("#{ d: today() }", &LowcodeConfig::default()) {
        LowcodeError::Script { message, .. } => {
            assert!(message.contains("today() has no date"), "{message}")
        }
        other => panic!("expected a script error, got {other}"),
    }
}

#[test]
fn input_is_read_only_flow_data() {
    let assigns = script("input.n = 2; #{}");
    let outcome = lowcode::run(
        &assigns,
        input(json!({"n": 1})),
        Duration::from_secs(5),
        &LowcodeConfig::default(),
    );
    assert!(
        matches!(outcome.result, Err(LowcodeError::Script { .. })),
        "{:?}",
        outcome.result
    );
    let reads = script("#{ n: input.n + 1, nome: input.nome }");
    let outcome = lowcode::run(
        &reads,
        input(json!({"n": 41, "nome": "Ana"})),
        Duration::from_secs(5),
        &LowcodeConfig::default(),
    );
    assert_eq!(
        Value::Object(outcome.result.unwrap()),
        json!({"n": 42, "nome": "Ana"})
    );
}

#[tokio::test]
async fn runs_from_async_code_directly_or_through_spawn_blocking() {
    let server = Server::start(portal);
    let script = script(&format!(
        r#"let r = http_get("{}/eco", #{{ "X-Token": "t" }}); #{{ body: r.body }}"#,
        server.base_url()
    ));
    let config = config_for(&server);
    // Directly on the runtime's thread: it blocks the thread, but must not panic.
    let direct = lowcode::run(&script, Map::new(), Duration::from_secs(5), &config);
    assert_eq!(direct.result.unwrap()["body"], json!("t"));
    // The intended way.
    let blocking = tokio::task::spawn_blocking(move || {
        lowcode::run(&script, Map::new(), Duration::from_secs(5), &config)
    })
    .await
    .unwrap();
    assert_eq!(blocking.result.unwrap()["body"], json!("t"));
}

//! One line per construct of the language: what the grammar accepts, and what it rejects
//! with which code. Statements are wrapped in a flow by `stmt_ok`/`stmt_err`.

use fluxo_grammar::{parse, FileId};

#[track_caller]
fn ok(src: &str) {
    let parsed = parse(FileId(0), src);
    let found: Vec<String> = parsed
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    assert!(found.is_empty(), "`{src}` should parse, got {found:?}");
}

#[track_caller]
fn err(src: &str, code: &str) {
    let parsed = parse(FileId(0), src);
    let codes: Vec<&str> = parsed.diagnostics.iter().map(|d| d.code).collect();
    assert!(
        codes.contains(&code),
        "`{src}` should fail with {code}, got {codes:?}"
    );
}

#[track_caller]
fn stmt_ok(stmt: &str) {
    ok(&format!("flow f {{\n    {stmt}\n}}\n"));
}

#[track_caller]
fn stmt_err(stmt: &str, code: &str) {
    err(&format!("flow f {{\n    {stmt}\n}}\n"), code);
}

#[test]
fn comments_and_whitespace() {
    ok("");
    ok("// only a comment");
    ok("flow a { // after the brace\n}\n");
    ok("flow a {}\r\n// windows line ends\r\n");
    ok("flow\ta\t{\tend\t}");
}

#[test]
fn identifiers() {
    ok("flow a_1 {}");
    ok("flow _x {}");
    err("flow A {}", "E0107");
    err("flow fluxoÇ {}", "E0107");
    err("flow promoção {}", "E0107");
    err("flow 1a {}", "E0101");
    err("flow say {}", "E0108");
    err("flow end {}", "E0108");
    // Prefixes of reserved words are names.
    ok("flow ends {}");
    ok("flow sayonara {}");
    ok("flow hours {}");
}

#[test]
fn items() {
    ok("erp ixc");
    err("erp", "E0101");
    ok("department suporte \"Suporte técnico\"");
    ok("tag cobranca \"Cobrança\"");
    ok("group noc \"NOC\"");
    ok("branch centro \"Centro\"");
    ok("template boas_vindas \"Boas-vindas\"");
    ok("agent ia \"Assistente\"");
    err("department suporte", "E0101");
    err("department \"Suporte\"", "E0101");
    ok("attendant ana \"Ana\" in suporte");
    err("attendant ana \"Ana\" suporte", "E0101");
    ok("script sinal \"scripts/sinal.rhai\" -> { dbm: number, olt: text }");
    ok("script sinal \"s.rhai\" -> { dbm: number, }");
    ok("script sinal \"s.rhai\" -> {}");
    err("script sinal \"s.rhai\" { dbm: number }", "E0101");
    ok("flow main \"Início\" {}");
    ok("flow main {}");
    err("flow main", "E0101");
    err("flow main \"a\" \"b\" {}", "E0101");
}

#[test]
fn periods() {
    ok("period p \"P\" { mon..fri 08:00-18:00 }");
    ok("period p \"P\" {\n mon..fri 08:00-12:00 13:00-18:00\n sat 08:00-12:00\n holiday 2026-12-25\n}");
    ok("period p \"P\" { mon, wed..thu 00:00-24:00 }");
    ok("period p \"P\" {}");
    err("period p \"P\" { monday 08:00-18:00 }", "E0101");
    err("period p \"P\" { mon 8:00-18:00 }", "E0101");
    err("period p \"P\" { mon 08:00 - 18:00 }", "E0101");
    err("period p \"P\" { mon 08:00-25:00 }", "E0105");
    err("period p \"P\" { mon 08:60-09:00 }", "E0105");
    err("period p \"P\" { holiday 2026-02-30 }", "E0106");
    err("period p \"P\" { holiday 2026-13-01 }", "E0106");
    ok("period p \"P\" { holiday 2028-02-29 }");
    err("period p \"P\" { holiday 2027-02-29 }", "E0106");
}

#[test]
fn attributes() {
    ok("@id(\"c81f\") @pos(120, -340)\nflow a {}");
    ok("@start\nflow a {}");
    ok("@pos(1.5, 2)\nflow a {}");
    stmt_ok("@id(\"x\") say \"y\"");
    stmt_ok("@id(\"x\")\n    say \"y\"");
    stmt_ok("ask \"q\" choice {\n        @id(\"a\") \"A\" => end\n    }");
    err("@ flow a {}", "E0108");
    err("@id(\"x\"\nflow a {}", "E0101");
}

#[test]
fn say_and_audio() {
    stmt_ok("say \"Olá\"");
    stmt_ok("say \"\"\"\n        Linha um\n        Linha dois\n    \"\"\"");
    stmt_ok("say audio \"bem-vindo.mp3\"");
    stmt_err("say", "E0101");
    stmt_err("say Olá", "E0101");
    stmt_err("say audio", "E0101");
}

#[test]
fn ask_forms() {
    stmt_ok("ask \"Como?\" choice { \"A\" => goto a \"B\" => goto b }");
    stmt_ok("ask \"Como?\" choice (retries: 3, fail_flow: atendente) { \"A\" => end }");
    stmt_ok("ask \"Como?\" choice { \"A\" => end, \"B\" => end, }");
    stmt_ok("ask \"Ok?\" confirm { yes => end no => { say \"x\" end } }");
    stmt_ok("ask \"CPF?\" input cpf as doc");
    stmt_ok("ask \"CPF?\" input cpf as doc (retries: 2)");
    stmt_err("ask \"Como?\" { \"A\" => end }", "E0101");
    stmt_err("ask \"Como?\" choice \"A\" => end", "E0101");
    stmt_err("ask \"Como?\" choice { \"A\" goto a }", "E0101");
    stmt_err("ask \"CPF?\" input cpf", "E0101");
    stmt_err("ask choice { \"A\" => end }", "E0101");
}

#[test]
fn when_forms() {
    stmt_ok("when channel { whatsapp => goto a else => end }");
    stmt_ok("when hours comercial { open => end closed => goto fora }");
    stmt_ok("when tag { vip => end }");
    stmt_ok("when branch { centro => end }");
    stmt_ok("when diag.status { overdue => end }");
    stmt_ok("when hours { x => end }");
    stmt_err("when { x => end }", "E0101");
    stmt_err("when channel whatsapp => end", "E0101");
}

#[test]
fn if_forms() {
    stmt_ok("if x { end }");
    stmt_ok("if x { end } else { goto a }");
    stmt_ok("if a == 1 { end } else if a == 2 { end } else if not b { end } else { end }");
    stmt_ok("if (a or b) and not c { end }");
    stmt_err("if { end }", "E0101");
    stmt_err("if x end", "E0101");
    stmt_err("if x { end } else end", "E0101");
}

#[test]
fn simple_statements() {
    stmt_ok("goto menu");
    stmt_err("goto", "E0101");
    stmt_err("goto Menu", "E0107");
    stmt_ok("transfer to suporte");
    stmt_ok("transfer to suporte attendant ana");
    stmt_err("transfer suporte", "E0101");
    stmt_ok("tag cobranca");
    stmt_ok("tag cobranca, vip");
    stmt_err("tag", "E0101");
    stmt_ok("wait 30s");
    stmt_ok("wait 2h");
    stmt_err("wait 30", "E0101");
    stmt_err("wait 30 s", "E0101");
    stmt_ok("set n = 1");
    stmt_err("set n 1", "E0101");
    stmt_err("set n =", "E0101");
    stmt_ok("end");
    stmt_err("End", "E0107");
}

#[test]
fn calls() {
    stmt_ok("optin()");
    stmt_ok("notify(group: noc, message: \"x\")");
    stmt_ok("notify(group: noc, message: \"x\",)");
    stmt_ok("erp.second_copy(retries: 3)");
    stmt_ok("erp.diagnose() as diag");
    stmt_ok("intent(agent: ia) as i { \"boleto\" => goto b else => end }");
    stmt_ok("lowcode(script: sinal, timeout: 5s) as rx");
    // `attendant` is a keyword (`transfer to attendant`) and also one of `survey`'s targets.
    stmt_ok("survey(question: \"Nota?\", target: attendant)");
    stmt_err("optin", "E0101");
    stmt_err("notify(group noc)", "E0101");
    stmt_err("notify(group:)", "E0101");
    stmt_err("notify(group: noc", "E0101");
    stmt_err("erp.(x: 1)", "E0101");
    stmt_err("erp.diagnose() as", "E0101");
}

#[test]
fn labels() {
    stmt_ok("menu: say \"x\"");
    stmt_ok("menu:\n    say \"x\"");
    stmt_ok("@id(\"a\") menu: say \"x\"");
    stmt_err("Menu: say \"x\"", "E0107");
    stmt_err("menu: ", "E0101");
}

#[test]
fn expressions() {
    for e in [
        "1",
        "-27",
        "3.5",
        "true",
        "false",
        "\"x\"",
        "30s",
        "08:00",
        "2026-12-25",
        "1..5",
        "[1, 2]",
        "[]",
        "[1,]",
        "x",
        "rx.dbm",
        "a + b * c",
        "(a + b) * c",
        "a - -b",
        "not a == b",
        "a < b and c >= d or e != f",
        "a / b",
    ] {
        stmt_ok(&format!("set v = {e}"));
    }
    for e in ["", "1 +", "(1", "1)", "a ==", "a b", "not", "1..", "[1"] {
        stmt_err(&format!("set v = {e}"), "E0101");
    }
}

#[test]
fn strings() {
    stmt_ok(r#"say "aspas \" barra \\ linha \n chaves \{ \}""#);
    stmt_ok(r#"say "Olá, {user_name}! {rx.dbm} }""#);
    stmt_ok("say \"\"\"\"\"\"");
    stmt_ok("say \"\"\"uma \"aspa\" só\"\"\"");
    stmt_ok("say \"emoji 👋🏽 e acentos çãé\"");
    stmt_err("say \"sem fim", "E0102");
    stmt_err("say \"\"\"sem fim", "E0102");
    stmt_err(r#"say "tab \t""#, "E0103");
    stmt_err(r#"say "chave {""#, "E0104");
    stmt_err(r#"say "chave {Nome}""#, "E0104");
    stmt_err(r#"say "chave { nome }""#, "E0104");
    stmt_err("say \"quebra\nde linha\"", "E0102");
}

#[test]
fn numbers() {
    err("flow f { wait 99999999999999999999999s }", "E0111");
    err("flow f { set x = 1..99999999999 }", "E0111");
    let huge = "9".repeat(400);
    err(&format!("flow f {{ set x = {huge} }}"), "E0111");
}

#[test]
fn structure_mistakes() {
    err("flow a {\n say \"x\"\n", "E0109");
    err("flow a { say \"x\" }\n}\n", "E0110");
    err("say \"x\"", "E0112");
    err("goto main", "E0112");
    err("Flow a {}", "E0107");
}

#[test]
fn nesting_is_bounded_and_never_crashes() {
    let parens = |n: usize| format!("set x = {}1{}", "(".repeat(n), ")".repeat(n));
    stmt_ok(&parens(100));
    stmt_err(&parens(300), "E0113");
    let ifs = |n: usize| format!("{}end{}", "if true { ".repeat(n), " }".repeat(n));
    stmt_ok(&ifs(50));
    stmt_err(&ifs(200), "E0113");
    let chain = |n: usize| format!("set x = 1{}", " + 1".repeat(n));
    stmt_ok(&chain(200));
    stmt_err(&chain(100_000), "E0113");
    stmt_err(&format!("set x = {}true", "not ".repeat(300)), "E0113");
    let elifs = format!(
        "if true {{ end }}{} else {{ end }}",
        " else if true { end }".repeat(300)
    );
    stmt_err(&elifs, "E0113");
    // Deeper than pest itself can go: refused in words, not by the stack.
    stmt_err(&parens(50_000), "E0101");
}

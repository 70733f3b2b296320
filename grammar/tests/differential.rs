//! The fast parser against the pest path (the check is `support/differential.rs`): on
//! every `.flow` file of the repository, on tricky hand-written cases, and on random
//! sources from `support/source_gen.rs`, their formatted forms and their mutations.

#[path = "support/differential.rs"]
mod differential;
#[path = "support/source_gen.rs"]
mod source_gen;

use differential::{check_differential, Agreed};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// How many sources ended up on each side.
#[derive(Default, Debug)]
struct Seen {
    valid: usize,
    invalid: usize,
    too_deep: usize,
}

impl Seen {
    fn count(&mut self, agreed: Agreed) {
        match agreed {
            Agreed::Valid => self.valid += 1,
            Agreed::Invalid => self.invalid += 1,
            Agreed::TooDeep => self.too_deep += 1,
        }
    }
}

/// Every `.flow` file under `dir`, recursively.
fn flow_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            flow_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "flow") {
            out.push(path);
        }
    }
}

#[test]
fn every_flow_file_of_the_repository() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in [
        "examples",
        "tests/data",
        "grammar/tests/regressions",
        "fuzz/seeds",
    ] {
        flow_files(&root.join(dir), &mut files);
    }
    let mut seen = Seen::default();
    for path in &files {
        let src = std::fs::read_to_string(path).expect("a UTF-8 file");
        match check_differential(&src) {
            Ok(agreed) => seen.count(agreed),
            Err(broken) => panic!("{}: {broken}", path.display()),
        }
    }
    eprintln!("{} files: {seen:?}", files.len());
    assert!(seen.valid >= 100 && seen.invalid >= 30, "{seen:?}");
}

/// Places where pest's ordered choices, lookaheads and per-item chunks decide, each with
/// the answer pest gives.
#[test]
fn tricky_cases() {
    use Agreed::{Invalid, Valid};
    let in_flow = |body: &str| format!("flow a {{\n    {body}\n}}\n");
    let cases: &[(&str, Agreed)] = &[
        // A range or a date may touch the next statement; a number or duration may not.
        ("set x = 1..5abc()", Valid),
        ("set x = 2026-12-25abc()", Valid),
        ("set x = 12:30abc()", Valid),
        ("set x = 30sabc()", Invalid),
        ("set x = 5abc()", Invalid),
        ("set x = 1.5.5", Invalid),
        ("set x = 2026-12-2", Valid),
        ("set x = 2026 - 12", Valid),
        ("set x = 1..x", Invalid),
        // `else` after an `if` in an arm may be the next arm's pattern.
        ("when x {\n a => if c { end }\n else => end\n }", Valid),
        ("when x {\n a => if c { end } else { end }\n }", Valid),
        (
            "when x {\n a => if c { end } else if d { end } else => end\n }",
            Valid,
        ),
        ("when x {\n a => if c { end } else if => end\n }", Invalid),
        // A comma after `tag a` that no name follows belongs to the arm.
        ("when x { \"a\" => tag x, \"b\" => end }", Valid),
        ("when x { \"a\" => tag x, y, else => end }", Valid),
        // `hours` names a period only before whitespace and a name.
        ("when hours comercial { }", Valid),
        ("when hours\ncomercial { }", Valid),
        ("when hours { }", Valid),
        ("when hours.x { }", Valid),
        ("when hours // c\n comercial { }", Invalid),
        ("when hours tag { }", Invalid),
        ("when tag.x { }", Invalid),
        // Keywords are whole words; values and names may touch other tokens.
        ("say\"x\"", Valid),
        ("set x = a or_b()", Valid),
        ("set x = \"a\"or\"b\"", Valid),
        ("sayonara()", Valid),
        ("iff()", Valid),
        ("survey(target: attendant)", Valid),
        ("survey(target: attendant.x)", Invalid),
        ("notify(group: noc, if: 1, hours: 2)", Valid),
        // `reserved` lists "no" before "not", so `not` is a name but for the operator.
        ("goto not", Valid),
        ("not: end", Valid),
        ("not()", Valid),
        ("set not = a.not", Valid),
        ("say \"{not}\"", Valid),
        ("when not { not => end }", Valid),
        ("@not(not) end", Valid),
        ("set x = not", Invalid),
        ("goto no", Invalid),
        // Atomic rules: nothing between the parts.
        ("erp.diagnose() as d", Valid),
        ("erp . diagnose()", Invalid),
        ("erp.if()", Invalid),
        ("set x = a.b.c", Valid),
        ("set x = a. b", Invalid),
        ("set x = a .b", Invalid),
        // Operators, prefixes and their precedences.
        ("set x = not a == b and - - c * d or e", Valid),
        ("set x = a == not b == c", Valid),
        ("set x = - not a", Valid),
        ("set x = a <= -1", Valid),
        ("set x = a =< 1", Invalid),
        ("set x == 1", Invalid),
        ("set x => 1", Invalid),
        ("set x = a -", Invalid),
        ("set x = [1, [2, 3,], ]", Valid),
        ("set x = [,]", Invalid),
        // Arguments, attributes, labels and arms.
        ("f(a: 1,)", Valid),
        ("f(a: 1,,)", Invalid),
        ("f(,)", Invalid),
        ("@pos(-12, 3.5) @id(\"x\") @flag end", Valid),
        ("@pos(- 12) end", Invalid),
        ("@pos(1,) end", Invalid),
        ("@pos(12:30) end", Invalid),
        ("@if end", Invalid),
        ("menu : say \"x\"", Valid),
        ("a: b: end", Invalid),
        ("ask \"x\" input cpf as doc\n(retries: 3)", Valid),
        (
            "ask \"x\" choice (retries: 3) { \"a\" => end, @id(\"1\") else => { end } }",
            Valid,
        ),
        ("ask \"x\" confirm { yes => end no => end }", Valid),
        ("f() {\n}", Valid),
        ("f() as", Invalid),
        ("transfer to x attendant", Invalid),
        ("wait 5", Invalid),
        // Literals the builder reports.
        ("set x = 24:00", Valid),
        ("set x = 24:01", Invalid),
        ("set x = 2024-02-29", Valid),
        ("set x = 2025-02-29", Invalid),
        ("set x = 0..4294967295", Valid),
        ("set x = 0..4294967296", Invalid),
        ("wait 307445734561825860m", Valid),
        ("wait 307445734561825861m", Invalid),
        ("wait 18446744073709551616s", Invalid),
        // Strings: escapes, interpolations of names only, triple quotes.
        ("say \"{a.b} \\{ \\} \\\" \\\\ \\n }\"", Valid),
        ("say \"{say}\"", Invalid),
        ("say \"{a.if}\"", Invalid),
        (
            "say \"\"\"\n    a \"b\" \"\"c\"\"\n    {x}\n    \"\"\"",
            Valid,
        ),
        ("say \"\"\"\"\"\"", Valid),
    ];
    for (body, want) in cases {
        let src = in_flow(body);
        match check_differential(&src) {
            Ok(agreed) => assert_eq!(agreed, *want, "{src}"),
            Err(broken) => panic!("{broken}"),
        }
    }
    let files: &[(&str, Agreed)] = &[
        ("", Valid),
        ("// only a comment", Valid),
        ("flow a {}flow b {}", Valid),
        ("flow a {} // c\nflow b {}\n", Valid),
        ("period p \"P\" {\n  mon .. fri, sat 08:00-12:00 13:00-18:00\n  holiday 2026-12-25mon 08:00-09:00\n}", Valid),
        ("period p \"P\" { mon 08:00 - 12:00 }", Invalid),
        ("period p \"P\" { mon...fri 08:00-12:00 }", Invalid),
        ("period p \"P\" { mon 08:00-24:30 }", Invalid),
        ("script s \"s.rhai\" -> { a: number, b: text, }", Valid),
        ("script s \"s.rhai\" -> { , }", Invalid),
        ("attendant carlos \"Carlos\" in suporte\nerp ixc\ntag vip \"VIP\"", Valid),
        ("erp not\nerp no", Invalid),
        // An attribute line, then a line that does not start an item, then the item:
        // pest reads the stretches between item starts on their own.
        ("@a(\nb)\nflow x {}", Invalid),
        ("@a\n@b(1)\nflow x {}", Valid),
        ("@a\n\n// c\nflow x {}", Valid),
        ("\u{feff}flow a {}", Invalid),
        ("flow a {\u{c}}", Invalid),
        ("Flow a {}", Invalid),
        ("flow a { say \"x\"", Invalid),
    ];
    for (src, want) in files {
        match check_differential(src) {
            Ok(agreed) => assert_eq!(agreed, *want, "{src}"),
            Err(broken) => panic!("{broken}"),
        }
    }
}

/// A flow body nested `n` levels deep in one way.
type Shape = fn(usize) -> String;

/// The fast parser goes as deep as real flows do (20 levels) in every nesting form, and
/// leaves deeper files to pest, which still parses them.
#[test]
fn nesting_depth() {
    let shapes: [(&str, Shape); 5] = [
        ("if", |n| {
            format!("if x {{ {} end {} }}", "if x { ".repeat(n), "} ".repeat(n))
        }),
        ("when", |n| {
            format!(
                "when x {{ {} a => end {} }}",
                "a => when x { ".repeat(n),
                "} ".repeat(n)
            )
        }),
        ("paren", |n| {
            format!("set x = {}1{}", "(".repeat(n), ")".repeat(n))
        }),
        ("list", |n| {
            format!("set x = {}1{}", "[".repeat(n), "]".repeat(n))
        }),
        ("neg", |n| format!("set x = {}1", "- not ".repeat(n))),
    ];
    for (name, shape) in shapes {
        let outcome = |n: usize| check_differential(&format!("flow a {{\n{}\n}}\n", shape(n)));
        assert_eq!(outcome(20), Ok(Agreed::Valid), "{name}");
        assert_eq!(outcome(100), Ok(Agreed::TooDeep), "{name}");
    }
}

/// Runs the check on a generated source, its formatted form when it is valid, and its
/// mutations.
fn check_generated(
    tokens: &[String],
    gaps: &[u8],
    mutations: &[source_gen::Mutation],
    seen: &mut Seen,
) -> Result<(), String> {
    let src = source_gen::render(tokens, gaps);
    let agreed = check_differential(&src)?;
    seen.count(agreed);
    if agreed == Agreed::Valid {
        let parsed = fluxo_grammar::parse(fluxo_grammar::FileId(0), &src);
        let formatted = fluxo_grammar::format(&parsed.file, &parsed.comments, &src);
        seen.count(check_differential(&formatted)?);
    }
    for mutation in mutations {
        seen.count(check_differential(&source_gen::mutate(
            tokens, gaps, mutation,
        ))?);
    }
    Ok(())
}

fn generated() -> impl Strategy<Value = (source_gen::Tokens, Vec<u8>, Vec<source_gen::Mutation>)> {
    (
        source_gen::file(),
        prop::collection::vec(any::<u8>(), 1..64),
        prop::collection::vec(source_gen::mutation(), 0..5),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn generated_sources_agree((tokens, gaps, mutations) in generated()) {
        let mut seen = Seen::default();
        let checked = check_generated(&tokens, &gaps, &mutations, &mut seen);
        prop_assert!(checked.is_ok(), "{}", checked.unwrap_err());
    }
}

/// The same check from a fixed seed, counting where the sources land: the generators
/// must reach both the valid and the invalid side, or the property above proves little.
#[test]
fn generated_sources_reach_both_sides() {
    let config = Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let seen = std::cell::RefCell::new(Seen::default());
    let res = runner.run(&generated(), |(tokens, gaps, mutations)| {
        check_generated(&tokens, &gaps, &mutations, &mut seen.borrow_mut())
            .map_err(TestCaseError::fail)
    });
    if let Err(err) = res {
        panic!("{err}");
    }
    let seen = seen.into_inner();
    eprintln!("{seen:?}");
    assert!(seen.valid >= 200 && seen.invalid >= 200, "{seen:?}");
}

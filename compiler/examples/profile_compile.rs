//! A release profiling harness for the compiler's three stages: it generates ISP programs
//! of about 1,000 and 10,000 cards (or reads the `.flow` files given as arguments) and
//! times parse, check and lower separately, printing MB/s for each and the growth from
//! the smallest to the largest program (linear = the ratio of their sizes).
//!
//! ```text
//! cargo run --release -p fluxo-compiler --example profile_compile [-- [--runs N] [--sizes 1000,10000] [file.flow ...]]
//! ```
//!
//! Times are CPU time of this thread (Linux's `CLOCK_THREAD_CPUTIME_ID`, wall time where
//! that is missing), the best of `--runs` runs, so that a loaded machine skews them less.
//! For load-independent comparisons run it once under `valgrind --tool=callgrind` with
//! `--runs 1 --sizes 10000`.

use std::time::Instant;

use fluxo_compiler::{check, lower, CheckOptions, Sources};

/// Cards in one generated module (a menu, a billing flow and a support flow).
const CARDS_PER_MODULE: usize = 20;

/// A realistic ISP program with about `n_cards` cards, the same shape as
/// `benches/check.rs`: a main menu, then modules of billing and support flows with ERP
/// cards, Low Code, questions and transfers.
fn program(n_cards: usize) -> String {
    let n_modules = (n_cards / CARDS_PER_MODULE).max(1);
    let mut out = String::from(
        "erp ixc\n\
         department suporte \"Suporte técnico\"\n\
         department financeiro \"Financeiro\"\n\
         tag cobranca \"Cobrança\"\n\
         group noc \"NOC\"\n\
         script sinal \"scripts/sinal.rhai\" -> { dbm: number, olt: text }\n\n\
         flow main \"Início\" {\n    optin()\n    auto_link()\n    say \"Olá, {user_name}! Protocolo {protocol}.\"\n    goto menu_0\n}\n\n\
         flow atendente {\n    notify(group: noc, message: \"Cliente {client_name} na fila.\")\n    transfer to suporte\n}\n\n",
    );
    for k in 0..n_modules {
        let next = if k + 1 < n_modules {
            format!("menu_{}", k + 1)
        } else {
            "atendente".to_string()
        };
        out.push_str(&format!(
            "flow menu_{k} {{
    tag cobranca
    say \"Menu {k}: escolha uma opção.\"
    ask \"Como podemos ajudar?\" choice (retries: 3, fail_flow: atendente) {{
        \"Financeiro\" => goto fin_{k}
        \"Suporte técnico\" => goto sup_{k}
        \"Mais opções\" => goto {next}
    }}
}}

flow fin_{k} {{
    erp.second_copy(retries: 3, fail_message: \"Você excedeu as tentativas.\", fail_flow: atendente)
    ask \"Posso ajudar em algo mais?\" confirm {{
        yes => goto menu_{k}
        no => {{
            survey(question: \"Como você avalia o atendimento?\", target: both)
            end
        }}
    }}
}}

flow sup_{k} {{
    erp.diagnose(retries: 3, fail_flow: atendente) as diag
    when diag {{
        overdue => goto fin_{k}
        reduced => erp.release_speed(retries: 3, fail_flow: atendente)
        active => {{
            lowcode(script: sinal, timeout: 5s) as rx
            if rx.dbm < -27 and rx.olt != \"\" {{
                say \"Seu sinal está fraco ({{rx.dbm}} dBm).\"
                erp.open_ticket(retries: 3, fail_flow: atendente)
            }}
        }}
        else => goto atendente
    }}
    ask \"Qual o seu nome?\" input text as nome_{k}
    say \"Obrigado, {{nome_{k}}}.\"
    goto atendente
}}

"
        ));
    }
    out
}

/// The C `struct timespec` of 64-bit Linux.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
#[repr(C)]
struct Timespec {
    secs: i64,
    nanos: i64,
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
extern "C" {
    fn clock_gettime(clock: i32, out: *mut Timespec) -> i32;
}

/// CPU time of this thread in seconds (`CLOCK_THREAD_CPUTIME_ID`), or `None` if the
/// clock is missing.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn cpu_seconds() -> Option<f64> {
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut out = Timespec { secs: 0, nanos: 0 };
    // SAFETY: `out` is a valid, writable timespec for the duration of the call.
    let status = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut out) };
    (status == 0).then(|| out.secs as f64 + out.nanos as f64 / 1e9)
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn cpu_seconds() -> Option<f64> {
    None
}

/// Runs `f` and returns its result with the seconds it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let (cpu, wall) = (cpu_seconds(), Instant::now());
    let out = f();
    let secs = match (cpu, cpu_seconds()) {
        (Some(a), Some(b)) => b - a,
        _ => wall.elapsed().as_secs_f64(),
    };
    (out, secs)
}

/// The best seconds of each stage over the runs.
#[derive(Clone, Copy)]
struct Stages {
    parse: f64,
    check: f64,
    lower: f64,
}

impl Stages {
    fn total(&self) -> f64 {
        self.parse + self.check + self.lower
    }
}

fn measure(sources: &Sources, runs: usize) -> Result<Stages, String> {
    let mut best = Stages {
        parse: f64::MAX,
        check: f64::MAX,
        lower: f64::MAX,
    };
    for _ in 0..runs.max(1) {
        let ((files, syntax), parse) = timed(|| fluxo_compiler::parse_all(sources));
        if let Some(first) = syntax.first() {
            return Err(format!("syntax error: {}", first.message));
        }
        let ((info, diagnostics), check) =
            timed(|| check::check_files(sources, &files, &CheckOptions::default()));
        if let Some(first) = diagnostics.iter().find(|d| d.is_error()) {
            return Err(format!("check error {}: {}", first.code, first.message));
        }
        let (lowered, lower) = timed(|| lower::lower(sources, &files, &info));
        lowered.map_err(|err| err.to_string())?;
        best.parse = best.parse.min(parse);
        best.check = best.check.min(check);
        best.lower = best.lower.min(lower);
    }
    Ok(best)
}

fn mb_per_s(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / 1e6 / secs.max(1e-9)
}

fn main() -> Result<(), String> {
    let mut runs = 5;
    let mut sizes = vec![1_000, 10_000];
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|it| it.parse().ok())
                    .ok_or("--runs takes a number")?;
            }
            "--sizes" => {
                sizes = args
                    .next()
                    .ok_or("--sizes takes a comma-separated list")?
                    .split(',')
                    .map(|it| it.trim().parse().map_err(|_| format!("bad size `{it}`")))
                    .collect::<Result<_, _>>()?;
            }
            path => files.push(path.to_string()),
        }
    }
    let mut programs = Vec::new();
    if files.is_empty() {
        for n in sizes {
            programs.push((format!("{n} cards"), program(n)));
        }
    } else {
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|err| format!("{path}: {err}"))?;
            programs.push((path, text));
        }
    }
    println!(
        "{:>14} {:>9} | {:>17} | {:>17} | {:>17} | {:>17}",
        "program", "bytes", "parse ms  MB/s", "check ms  MB/s", "lower ms  MB/s", "total ms  MB/s"
    );
    let mut totals = Vec::new();
    for (name, text) in &programs {
        let mut sources = Sources::new();
        sources.add(format!("{}.flow", name.replace(' ', "_")), text.clone());
        let stages = measure(&sources, runs)?;
        let cell = |secs: f64| format!("{:>8.2} {:>8.2}", secs * 1e3, mb_per_s(text.len(), secs));
        println!(
            "{name:>14} {:>9} | {} | {} | {} | {}",
            text.len(),
            cell(stages.parse),
            cell(stages.check),
            cell(stages.lower),
            cell(stages.total())
        );
        totals.push((text.len(), stages));
    }
    if let (Some((small_len, small)), Some((large_len, large))) = (totals.first(), totals.last()) {
        if large_len > small_len {
            let ratio = |a: f64, b: f64| b / a.max(1e-12);
            println!(
                "growth (size x{:.1}): parse x{:.1}, check x{:.1}, lower x{:.1}, total x{:.1}",
                *large_len as f64 / *small_len as f64,
                ratio(small.parse, large.parse),
                ratio(small.check, large.check),
                ratio(small.lower, large.lower),
                ratio(small.total(), large.total())
            );
        }
    }
    Ok(())
}

//! Parse + check time for generated ISP programs of about 1,000 and 10,000 cards, and
//! the growth ratio between them (the checker is meant to be linear: about 10x).
//!
//! Run with `cargo bench --bench check`.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fluxo_compiler::Sources;

/// Cards in one generated module (a menu, a billing flow and a support flow).
const CARDS_PER_MODULE: usize = 20;

/// A realistic ISP program with about `n_cards` cards: a main menu, then modules of
/// billing and support flows with ERP cards, Low Code, questions and transfers.
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

fn sources(n_cards: usize) -> Sources {
    let mut sources = Sources::new();
    sources.add(format!("generated_{n_cards}.flow"), program(n_cards));
    sources
}

fn bench_check(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_and_check");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    for n_cards in [1_000, 10_000] {
        let program = sources(n_cards);
        let checked = fluxo_compiler::check(&program);
        assert!(
            !checked.has_errors(),
            "the generated program has errors: {:?}",
            checked.diagnostics.first()
        );
        group.bench_with_input(
            BenchmarkId::from_parameter(n_cards),
            &program,
            |b, program| b.iter(|| fluxo_compiler::check(program)),
        );
    }
    group.finish();
    // The growth ratio, from a few plain runs of each size.
    let time = |program: &Sources| {
        let runs = 5;
        let start = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(fluxo_compiler::check(program));
        }
        start.elapsed() / runs
    };
    let (small, large) = (time(&sources(1_000)), time(&sources(10_000)));
    println!(
        "parse+check: 1k cards {small:?}, 10k cards {large:?}, growth 1k->10k {:.1}x (linear = 10x)",
        large.as_secs_f64() / small.as_secs_f64()
    );
}

criterion_group!(benches, bench_check);
criterion_main!(benches);

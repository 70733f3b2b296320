//! Front-end throughput: parsing and formatting a generated program of 10,000 cards
//! (many flows of `say`, `ask ... choice`, `when`, ERP calls, `if`, `goto`, with comments),
//! reported in bytes per second.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use fluxo_grammar::{format, parse, FileId};

/// Cards (statements, nested ones included) per generated flow.
const CARDS_PER_FLOW: usize = 18;
const N_CARDS: usize = 10_000;

/// A realistic program: declarations, then flows that greet, ask, branch on hours and
/// ERP diagnoses, call the ERP and hand over. Each flow holds `CARDS_PER_FLOW` cards.
fn program(n_cards: usize) -> String {
    let n_flows = n_cards / CARDS_PER_FLOW;
    let mut src = String::from(
        "// Generated for the parse/format benchmark.\nerp ixc\n\ndepartment suporte \"Suporte técnico\"\n\
         department financeiro \"Financeiro\"\ntag cobranca \"Cobrança\"\ngroup noc \"NOC - Plantão\"\n\n\
         period comercial \"Horário comercial\" {\n    mon..fri 08:00-18:00\n    sat      08:00-12:00\n    holiday 2026-12-25\n}\n\n\
         script sinal \"scripts/sinal.rhai\" -> { dbm: number }\n",
    );
    for i in 0..n_flows {
        let next = (i + 1) % n_flows;
        let back = i / 2;
        src.push_str(&format!(
            r#"
// Flow {i}: greets, asks, checks the contract.
@id("f{i}") @pos({x}, {y})
flow etapa_{i} "Etapa {i}" {{
    say "Olá, {{user_name}}! Protocolo {{protocol}}."
    when hours comercial {{
        closed => goto etapa_{back}
    }}
    tag cobranca
    ask "Como podemos ajudar? ({i})" choice (retries: 3, fail_message: "Não entendi sua resposta.", fail_flow: etapa_{back}) {{
        "Financeiro"      => goto etapa_{next}
        "Suporte técnico" => erp.second_copy(retries: 3, fail_flow: etapa_{back})
        "Falar com alguém" => {{
            notify(group: noc, message: "Cliente {{client_name}} na fila.")
            transfer to suporte
        }}
    }}
    erp.diagnose(retries: 3, fail_flow: etapa_{back}) as diag_{i}
    when diag_{i} {{
        overdue => goto etapa_{next}
        else    => erp.release_speed(retries: 3, fail_flow: etapa_{back})
    }}
    set tentativas = tentativas + 1 // counts the laps
    if tentativas >= 3 and not (diag_{i} == "active") {{
        say """
            Vamos te transferir.
            Aguarde um instante.
            """
    }} else {{
        wait 5m
    }}
    goto etapa_{next}
}}
"#,
            x = i * 40,
            y = i % 17 * 30,
        ));
    }
    src
}

fn parse_and_format(c: &mut Criterion) {
    let src = program(N_CARDS);
    let parsed = parse(FileId(0), &src);
    assert!(
        parsed.diagnostics.is_empty(),
        "the generated program must parse: {:?}",
        parsed.diagnostics.first()
    );

    let mut group = c.benchmark_group("frontend_10k_cards");
    group.throughput(Throughput::Bytes(src.len() as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("parse", |b| b.iter(|| parse(FileId(0), black_box(&src))));
    group.bench_function("format", |b| {
        b.iter(|| {
            format(
                black_box(&parsed.file),
                black_box(&parsed.comments),
                black_box(&src),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, parse_and_format);
criterion_main!(benches);

//! Opa JSON export and import throughput (`Throughput::Bytes` of the JSON document) on a
//! generated ISP project of about 10,000 cards whose flows loop back to labelled menus
//! (joins and cycles), plus the JSON size of `examples/provedor`, compact and pretty.
//!
//! Run with `cargo bench --bench json`.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use fluxo_compiler::json::{export, import};
use fluxo_grammar::ast::File;
use fluxo_grammar::{parse, FileId};

/// Cards in one generated module (a menu with a retry loop and a support flow).
const CARDS_PER_MODULE: usize = 20;

/// A project of about `n_cards` cards: menus whose arms rejoin and loop back to a
/// labelled question, diagnosis with `when`, signal checks with `if`, ERP cards.
fn project(n_cards: usize) -> String {
    let mut out = String::from(
        "erp ixc\ndepartment suporte \"Suporte técnico\"\ndepartment financeiro \"Financeiro\"\n\
         tag cobranca \"Cobrança\"\ngroup noc \"NOC\"\n\
         script sinal \"scripts/sinal.rhai\" -> { dbm: number, olt: text }\n\n\
         flow atendente {\n    notify(group: noc, message: \"Cliente {client_name} na fila.\")\n    transfer to suporte\n}\n",
    );
    for k in 0..(n_cards / CARDS_PER_MODULE).max(1) {
        out.push_str(&format!(
            "
flow menu_{k} \"Menu {k}\" {{
    say \"Olá, {{user_name}}! Protocolo {{protocol}}.\"
    inicio: ask \"Como podemos ajudar?\" choice (retries: 3, fail_flow: atendente) {{
        \"Financeiro\" => {{
            tag cobranca
            erp.second_copy(retries: 3, fail_flow: atendente)
        }}
        \"Suporte\" => goto sup_{k}
        \"Voltar\" => goto inicio
    }}
    ask \"Posso ajudar em algo mais?\" confirm {{
        yes => goto inicio
        no => {{
            survey(question: \"Como você avalia o atendimento?\", target: both) as nota
            end
        }}
    }}
}}

flow sup_{k} {{
    erp.diagnose(retries: 3, fail_flow: atendente) as diag
    when diag {{
        overdue => goto menu_{k}
        reduced => erp.release_speed(retries: 3, fail_flow: atendente)
        else => {{
            lowcode(script: sinal, timeout: 5s) as leitura
            if leitura.dbm < -27 {{
                say \"Sinal fraco ({{leitura.dbm}} dBm).\"
                erp.open_ticket(retries: 3, fail_flow: atendente)
            }} else {{
                say \"Sinal bom. Reinicie o roteador.\"
                wait 2m
            }}
        }}
    }}
    set tentativas = tentativas_previas + 1
    transfer to suporte
}}
"
        ));
    }
    out
}

fn parsed(text: &str) -> File {
    let parsed = parse(FileId(0), text);
    assert!(
        parsed.diagnostics.iter().all(|d| !d.is_error()),
        "the generated project does not parse"
    );
    parsed.file
}

fn cards(json: &str) -> usize {
    let doc: serde_json::Value = serde_json::from_str(json).expect("JSON");
    doc["fluxos"].as_array().map_or(0, |f| {
        f.iter()
            .map(|f| f["cards"].as_array().map_or(0, Vec::len))
            .sum()
    })
}

fn provedor_sizes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/provedor");
    let mut files = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/provedor")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "flow"))
        .collect();
    paths.sort();
    for path in paths {
        files.push(parsed(&std::fs::read_to_string(path).expect("a flow file")));
    }
    let pretty = export(&files).expect("export");
    let value: serde_json::Value = serde_json::from_str(&pretty).expect("JSON");
    let compact = value.to_string();
    println!(
        "examples/provedor: {} cards, {} bytes pretty, {} bytes compact",
        cards(&pretty),
        pretty.len(),
        compact.len()
    );
}

fn bench_json(c: &mut Criterion) {
    provedor_sizes();
    let file = parsed(&project(10_000));
    let files = [file];
    let json = export(&files).expect("export");
    println!(
        "generated project: {} cards, {} bytes of JSON",
        cards(&json),
        json.len()
    );
    let mut group = c.benchmark_group("json_10k_cards");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("export", |b| b.iter(|| export(&files).expect("export")));
    group.bench_function("import", |b| b.iter(|| import(&json).expect("import")));
    group.finish();
}

criterion_group!(benches, bench_json);
criterion_main!(benches);

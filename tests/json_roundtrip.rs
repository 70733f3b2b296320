//! The Opa JSON frontend's round trips: every example program goes text → JSON → text
//! unchanged (as syntax trees, after formatting); generated programs (statements, arms,
//! labels and `goto`s) do the same; generated editor graphs (joins, cycles, dangling
//! cards and connectors, unknown keys) go JSON → text → JSON with every card, field and
//! connector kept. The editor corpus and refusals are in `json_corpus.rs`.

use std::path::{Path, PathBuf};

use fluxo_compiler::json::{export, import, Imported};
use fluxo_grammar::ast::{File, Item, ItemKind};
use fluxo_grammar::{format, parse, FileId};
use proptest::prelude::*;
use serde_json::Value;

fn flow_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            flow_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "flow") {
            out.push(path);
        }
    }
}

fn parse_ok(text: &str, what: &str) -> File {
    let parsed = parse(FileId(0), text);
    let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "{what} does not parse: {errors:?}\n{text}"
    );
    parsed.file
}

/// The order import writes items in: declarations by kind, then flows.
fn rank(item: &Item) -> u8 {
    use fluxo_grammar::ast::EntityKind::*;
    match &item.kind {
        ItemKind::Erp(_) => 0,
        ItemKind::Entity(e) => match e.kind {
            Department => 1,
            Tag => 3,
            Group => 4,
            Branch => 5,
            Template => 6,
            Agent => 7,
        },
        ItemKind::Attendant(_) => 2,
        ItemKind::Period(_) => 8,
        ItemKind::Script(_) => 9,
        ItemKind::Flow(_) => 10,
    }
}

/// The imported program as the CLI writes it (formatted files), parsed back.
fn reparsed(imported: &Imported) -> Vec<Item> {
    let mut items = Vec::new();
    let files =
        std::iter::once(&imported.declarations).chain(imported.flows.iter().map(|(_, f)| f));
    for file in files {
        let text = format(file, &[], "");
        items.extend(parse_ok(&text, "imported text").items);
    }
    items
}

fn text_round_trip(files: &[File]) {
    let json = export(files).expect("export");
    let imported = import(&json).expect("import");
    assert_eq!(imported.warnings, vec![], "an example gives no warnings");
    let mut original: Vec<Item> = files.iter().flat_map(|f| f.items.clone()).collect();
    original.sort_by_key(rank);
    let back = reparsed(&imported);
    assert_eq!(back.len(), original.len());
    for (a, b) in original.iter().zip(&back) {
        let text = |item: &Item| {
            format(
                &File {
                    items: vec![item.clone()],
                },
                &[],
                "",
            )
        };
        assert_eq!(text(a), text(b));
        assert_eq!(a, b);
    }
    // And the JSON of the text read back is the same JSON.
    let again = export(&[File { items: back }]).expect("export again");
    let (a, b): (Value, Value) = (
        serde_json::from_str(&json).unwrap(),
        serde_json::from_str(&again).unwrap(),
    );
    assert_eq!(a, b);
}

#[test]
fn examples_round_trip_through_json() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut programs = Vec::new();
    for dir in ["examples", "tests/data/check/ok"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let mut found = Vec::new();
            flow_files(&entry.path(), &mut found);
            if entry.path().is_file() && entry.path().extension().is_some_and(|e| e == "flow") {
                found.push(entry.path());
            }
            found.sort();
            if !found.is_empty() {
                programs.push(found);
            }
        }
    }
    assert!(!programs.is_empty(), "no example programs found");
    for program in programs {
        let files: Vec<File> = program
            .iter()
            .map(|p| {
                parse_ok(
                    &std::fs::read_to_string(p).unwrap(),
                    &p.display().to_string(),
                )
            })
            .collect();
        text_round_trip(&files);
    }
}

/// A generated statement: the leaves and branching cards the frontend maps, nested.
#[derive(Clone, Debug)]
enum Gen {
    Leaf(u8),
    Choice(Vec<GenBlock>),
    Confirm(GenBlock, GenBlock),
    When(Vec<GenBlock>),
    Intent(Vec<GenBlock>),
    If(GenBlock, Option<GenBlock>),
}

/// A generated block: statements (some labelled), then maybe a statement that leaves
/// it, which can only come last (anything after it would be a card nothing reaches).
#[derive(Clone, Debug)]
struct GenBlock {
    stmts: Vec<(bool, Gen)>,
    exit: Option<Exit>,
    braces: bool,
}

#[derive(Clone, Debug)]
enum Exit {
    End,
    Transfer,
    GotoFlow,
    GotoLabel(u8),
}

const LEAVES: [&str; 8] = [
    "say \"Olá, {user_name}! Protocolo {protocol}.\"",
    "wait 5m",
    "tag cobranca",
    "set contador = 1 + 2",
    "erp.second_copy(retries: 3, fail_flow: outro)",
    "survey(question: \"Como foi?\") as nota",
    "ask \"Seu CPF?\" input cpf as doc",
    "lowcode(script: sinal, timeout: 5s) as leitura",
];

fn gen_block(stmt: BoxedStrategy<Gen>, min: usize) -> impl Strategy<Value = GenBlock> {
    let exit = prop_oneof![
        Just(Exit::End),
        Just(Exit::Transfer),
        Just(Exit::GotoFlow),
        any::<u8>().prop_map(Exit::GotoLabel),
    ];
    (
        prop::collection::vec((prop::bool::weighted(0.25), stmt), min..3),
        prop::option::weighted(0.4, exit),
        any::<bool>(),
    )
        .prop_map(|(stmts, exit, braces)| GenBlock {
            stmts,
            exit,
            braces,
        })
}

fn gen_stmt() -> impl Strategy<Value = Gen> {
    let leaf = (0..LEAVES.len() as u8).prop_map(Gen::Leaf);
    leaf.prop_recursive(3, 24, 3, |inner| {
        let arm = gen_block(inner.clone(), 0).boxed();
        prop_oneof![
            prop::collection::vec(arm.clone(), 1..4).prop_map(Gen::Choice),
            (arm.clone(), arm.clone()).prop_map(|(y, n)| Gen::Confirm(y, n)),
            prop::collection::vec(arm.clone(), 1..3).prop_map(Gen::When),
            prop::collection::vec(arm.clone(), 1..3).prop_map(Gen::Intent),
            (arm.clone(), prop::option::of(arm)).prop_map(|(t, e)| Gen::If(t, e)),
        ]
    })
}

/// Writes generated flows as text; labels are `l0`, `l1`, ... in writing order.
struct Writer {
    out: String,
    labels: usize,
    gotos: Vec<(usize, u8)>,
}

impl Writer {
    fn block(&mut self, block: &GenBlock, depth: usize) {
        for (labelled, stmt) in &block.stmts {
            self.indent(depth);
            if *labelled {
                self.out.push_str(&format!("l{}: ", self.labels));
                self.labels += 1;
            }
            self.stmt(stmt, depth);
        }
        if let Some(exit) = &block.exit {
            self.indent(depth);
            self.exit(exit);
        }
    }

    fn indent(&mut self, depth: usize) {
        self.out.push_str(&"    ".repeat(depth));
    }

    fn exit(&mut self, exit: &Exit) {
        match exit {
            Exit::End => self.out.push_str("end\n"),
            Exit::Transfer => self.out.push_str("transfer to suporte\n"),
            Exit::GotoFlow => self.out.push_str("goto outro\n"),
            Exit::GotoLabel(k) => {
                // Resolved once every label is known (a goto may jump forward).
                self.gotos.push((self.out.len(), *k));
                self.out.push_str("goto \n");
            }
        }
    }

    /// An arm: one statement without braces when it can be, else a block.
    fn arm(&mut self, pattern: &str, block: &GenBlock, depth: usize) {
        self.indent(depth);
        self.out.push_str(pattern);
        self.out.push_str(" => ");
        let single = block.stmts.len() + usize::from(block.exit.is_some()) == 1;
        let bare_if = matches!(block.stmts.first(), Some((_, Gen::If(..))));
        if single && !block.braces && !bare_if {
            match block.stmts.first() {
                Some((labelled, stmt)) => {
                    if *labelled {
                        self.out.push_str(&format!("l{}: ", self.labels));
                        self.labels += 1;
                    }
                    self.stmt(stmt, depth);
                }
                None => self.exit(block.exit.as_ref().unwrap_or(&Exit::End)),
            }
        } else {
            self.out.push_str("{\n");
            self.block(block, depth + 1);
            self.indent(depth);
            self.out.push_str("}\n");
        }
    }

    fn stmt(&mut self, stmt: &Gen, depth: usize) {
        let arms = |w: &mut Writer, head: &str, arms: &[(String, &GenBlock)]| {
            w.out.push_str(head);
            w.out.push_str(" {\n");
            for (pattern, block) in arms {
                w.arm(pattern, block, depth + 1);
            }
            w.indent(depth);
            w.out.push_str("}\n");
        };
        match stmt {
            Gen::Leaf(k) => {
                self.out.push_str(LEAVES[usize::from(*k) % LEAVES.len()]);
                self.out.push('\n');
            }
            Gen::Choice(blocks) => {
                let list: Vec<_> = (0..)
                    .zip(blocks)
                    .map(|(i, b)| (format!("\"Opção {i}\""), b))
                    .collect();
                arms(self, "ask \"Escolha:\" choice", &list);
            }
            Gen::Confirm(yes, no) => {
                let list = [("yes".to_string(), yes), ("no".to_string(), no)];
                arms(self, "ask \"Confirma?\" confirm", &list);
            }
            Gen::When(blocks) => {
                let patterns = ["whatsapp", "else"];
                let list: Vec<_> = blocks
                    .iter()
                    .enumerate()
                    .map(|(i, b)| (patterns[i + 2 - blocks.len()].to_string(), b))
                    .collect();
                arms(self, "when channel", &list);
            }
            Gen::Intent(blocks) => {
                let list: Vec<_> = (0..)
                    .zip(blocks)
                    .map(|(i, b)| (format!("\"Intenção {i}\""), b))
                    .collect();
                arms(self, "intent(question: \"Diga:\")", &list);
            }
            Gen::If(then, otherwise) => {
                self.out.push_str("if contador > 1 {\n");
                self.block(then, depth + 1);
                self.indent(depth);
                self.out.push('}');
                if let Some(otherwise) = otherwise {
                    self.out.push_str(" else {\n");
                    self.block(otherwise, depth + 1);
                    self.indent(depth);
                    self.out.push('}');
                }
                self.out.push('\n');
            }
        }
    }

    /// The flow's text, with each `goto` to a label pointed at one that exists.
    fn finish(mut self) -> String {
        for (at, k) in self.gotos.iter().rev() {
            let target = match self.labels {
                0 => "outro".to_string(),
                n => format!("l{}", usize::from(*k) % n),
            };
            self.out.insert_str(at + "goto ".len(), &target);
        }
        self.out
    }
}

const DECLARATIONS: &str = "department suporte \"Suporte\"\ntag cobranca \"Cobrança\"\n\
    script sinal \"scripts/sinal.rhai\" -> { dbm: number }\n\nflow outro {\n    end\n}\n";

fn flow_text(body: &GenBlock) -> String {
    let mut w = Writer {
        out: String::from("flow main \"Principal\" {\n"),
        labels: 0,
        gotos: Vec::new(),
    };
    w.block(body, 1);
    w.out.push_str("}\n");
    w.finish()
}

fn formatted(files: &[File]) -> Vec<String> {
    files.iter().map(|f| format(f, &[], "")).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Text → JSON → text gives the same program (as formatted text).
    #[test]
    fn generated_text_round_trips(body in gen_block(gen_stmt().boxed(), 1)) {
        let text = format!("{DECLARATIONS}\n{}", flow_text(&body));
        let file = parse_ok(&text, "generated text");
        let json = export(std::slice::from_ref(&file)).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let imported = import(&json).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        // An empty arm at the end of a flow is an output with no connector, which import
        // reports; nothing else may warn.
        let unexpected: Vec<_> = imported
            .warnings
            .iter()
            .filter(|w| !w.message.ends_with("has no connector"))
            .collect();
        prop_assert!(unexpected.is_empty(), "{:?}\n{}", unexpected, text);
        let mut items = file.items.clone();
        items.sort_by_key(rank);
        let back = reparsed(&imported);
        prop_assert_eq!(
            formatted(&[File { items: back }]),
            formatted(&[File { items }]),
            "{}\n{}", text, json
        );
    }
}

/// A generated editor card: its kind and, per output, the index of the card its
/// connector enters (`None`: no connector; 255: a card the flow does not have).
#[derive(Clone, Debug)]
struct GenCard {
    kind: u8,
    targets: Vec<Option<u8>>,
    colour: bool,
}

fn oid(seed: usize) -> String {
    format!("65f1{seed:020x}")
}

/// An editor document of one flow wired as the generated cards say: joins, cycles,
/// dangling cards and connectors, outputs with no connector, and an unknown key.
fn editor_graph(cards: &[GenCard]) -> Value {
    let n = cards.len();
    let mut out_cards = Vec::new();
    let mut connectors = Vec::new();
    for (i, card) in cards.iter().enumerate() {
        let id = oid(i + 1);
        let mut c = serde_json::json!({
            "_id": id,
            "posicao": {"x": 80 + 37 * (i % 4), "y": 96 + 188 * i},
        });
        let outputs: Vec<String> = match card.kind % 5 {
            0 => {
                c["tipo"] = "enviar_mensagem".into();
                c["Mensagem"] = format!("Mensagem {i}").into();
                vec!["proximo".into()]
            }
            1 => {
                c["tipo"] = "pergunta_escolha".into();
                c["Pergunta"] = "Escolha:".into();
                let (a, b) = (oid(1000 + 2 * i), oid(1001 + 2 * i));
                c["saidas"] =
                    serde_json::json!([{"_id": a, "opcao": "A"}, {"_id": b, "opcao": "B"}]);
                vec![a, b, "proximo".into()]
            }
            2 => {
                c["tipo"] = "pergunta_confirmacao".into();
                c["Pergunta"] = "Confirma?".into();
                let (a, b) = (oid(1000 + 2 * i), oid(1001 + 2 * i));
                c["saidas"] = serde_json::json!([{"_id": a, "resposta": "sim"}, {"_id": b, "resposta": "nao"}]);
                vec![a, b, "proximo".into()]
            }
            3 => {
                c["tipo"] = "condicional_variavel".into();
                c["Variável"] = serde_json::json!({"variavel": "ok"});
                vec!["sim".into(), "nao".into(), "proximo".into()]
            }
            _ => {
                c["tipo"] = "encerrar_atendimento".into();
                Vec::new()
            }
        };
        if card.colour {
            c["corFundo"] = "#fff".into();
        }
        for (saida, target) in outputs.into_iter().zip(&card.targets) {
            let destino = match target {
                None => continue,
                Some(255) => "65f1ffffffffffffffffffff".to_string(),
                Some(t) => oid(usize::from(*t) % n + 1),
            };
            connectors.push(serde_json::json!({"origem": id, "saida": saida, "destino": destino}));
        }
        out_cards.push(c);
    }
    serde_json::json!({
        "versao": 1,
        "fluxos": [{
            "_id": oid(0), "nome": "main", "titulo": "Principal", "inicio": oid(1),
            "cards": out_cards, "conectores": connectors,
        }],
    })
}

/// The document with cards and connectors in a canonical order.
fn unordered(mut doc: Value) -> Value {
    for flow in doc["fluxos"].as_array_mut().into_iter().flatten() {
        for key in ["cards", "conectores"] {
            if let Some(list) = flow[key].as_array_mut() {
                list.sort_by_key(|v| v.to_string());
            }
        }
    }
    doc
}

fn json_via_text(json: &str) -> Result<String, TestCaseError> {
    let imported = import(json).map_err(|e| TestCaseError::fail(format!("import: {e}\n{json}")))?;
    let files: Vec<File> = reparsed(&imported)
        .into_iter()
        .map(|item| File { items: vec![item] })
        .collect();
    export(&files).map_err(|e| TestCaseError::fail(format!("export: {e}\n{json}")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Editor graph → text → JSON keeps every card, field and connector.
    #[test]
    fn generated_editor_graphs_round_trip(
        cards in prop::collection::vec(
            (any::<u8>(), prop::collection::vec(prop::option::weighted(0.85, any::<u8>()), 3), any::<bool>())
                .prop_map(|(kind, targets, colour)| GenCard { kind, targets, colour }),
            1..14,
        )
    ) {
        let doc = editor_graph(&cards);
        let json = doc.to_string();
        let again = json_via_text(&json)?;
        let value: Value = serde_json::from_str(&again).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(value["fluxos"][0].get("estrutura").is_none(), "{}", again);
        prop_assert_eq!(unordered(value.clone()), unordered(doc), "{}", again);
        // And the canonical document is a fixed point.
        let third: Value = serde_json::from_str(&json_via_text(&again)?).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(third, value);
    }
}

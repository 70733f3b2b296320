//! `fluxo import` into folders, driven as a process: updating a project in place after
//! edits in the editor (added, changed, removed definitions; comments and files kept),
//! refusing to overwrite local changes without `--force`, an editor's own export into
//! the source folder, and the file names it refuses to write (`entities`, `../`,
//! absolute paths, odd characters).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

fn fluxo(args: &[&Path]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .args(args)
        .output()
        .expect("run fluxo");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn import(json: &Path, dir: &Path, force: bool) -> (Option<i32>, String) {
    let mut args = vec![Path::new("import"), json, Path::new("-o"), dir];
    if force {
        args.push(Path::new("--force"));
    }
    fluxo(&args)
}

fn export(dir: &Path, json: &Path) -> Value {
    let (code, err) = fluxo(&[Path::new("export"), dir, Path::new("-o"), json]);
    assert_eq!(code, Some(0), "{err}");
    serde_json::from_str(&read(json)).expect("JSON")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fluxo-json-import-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

const MAIN: &str = "\
// Entrada do bot.
erp ixc
department suporte \"Suporte\"

// O fluxo principal.
flow main \"Início\" {
    say \"Olá!\" // saudação
    goto extra
}

flow extra {
    // Um fluxo que o editor vai apagar.
    end
}
";

const OTHER: &str = "\
// Outro arquivo, que ninguém mexe.
flow outro {
    say \"Tchau\"
    end
}
";

/// A small project on disk, with a file that is not part of the program.
fn project(dir: &Path) {
    write(&dir.join("main.flow"), MAIN);
    write(&dir.join("sub/other.flow"), OTHER);
    write(&dir.join("notes.txt"), "not a flow\n");
}

/// The document with the edits an editor would make: a message changed in `main`, flow
/// `extra` deleted (and `main`'s jump to it), a flow and a tag added (they have no
/// `_texto`).
fn edited_in_the_editor(mut doc: Value) -> Value {
    let flows = doc["fluxos"].as_array_mut().expect("fluxos");
    flows.retain(|f| f["nome"] != "extra");
    let main = flows
        .iter_mut()
        .find(|f| f["nome"] == "main")
        .expect("main");
    let cards = main["cards"].as_array_mut().expect("cards");
    cards.truncate(1);
    cards[0]["Mensagem"] = json!("Olá, tudo bem?");
    main["conectores"] = json!([]);
    flows.push(json!({
        "_id": "65f1a2b3c4d5e6f708192a3b", "nome": "novo", "titulo": "Novo",
        "inicio": "65f1a2b3c4d5e6f708192a40",
        "cards": [{"_id": "65f1a2b3c4d5e6f708192a40", "tipo": "encerrar_atendimento",
                   "posicao": {"x": 0, "y": 0}}],
        "conectores": []
    }));
    doc["etiquetas"] = json!([{"_id": "65f1a2b3c4d5e6f708192a99", "nome": "vip", "titulo": "VIP"}]);
    doc
}

#[test]
fn import_updates_a_project_in_place() {
    let dir = scratch("in-place");
    let p = dir.join("project");
    project(&p);
    let json = dir.join("a.json");
    let doc = export(&p, &json);

    // Unchanged: nothing to write.
    let (code, err) = import(&json, &p, false);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("0 added, 0 changed, 0 removed, 5 unchanged; 0 file(s) written"),
        "{err}"
    );
    assert_eq!(read(&p.join("main.flow")), MAIN);

    let edited = dir.join("edited.json");
    write(&edited, &edited_in_the_editor(doc).to_string());
    let (code, err) = import(&edited, &p, false);
    assert_eq!(code, Some(0), "{err}");
    for line in [
        "added flow `novo`",
        "added tag `vip`",
        "changed flow `main`",
        "removed flow `extra`",
        "2 added, 1 changed, 1 removed, 3 unchanged",
    ] {
        assert!(err.contains(line), "no `{line}` in:\n{err}");
    }
    assert_eq!(
        read(&p.join("main.flow")),
        "// Entrada do bot.\nerp ixc\ndepartment suporte \"Suporte\"\n\n// O fluxo principal.\n\
         flow main \"Início\" {\n    say \"Olá, tudo bem?\" // saudação\n}\n"
    );
    assert_eq!(read(&p.join("sub/other.flow")), OTHER);
    assert_eq!(read(&p.join("notes.txt")), "not a flow\n");
    assert_eq!(
        read(&p.join("novo.flow")),
        "@id(\"65f1a2b3c4d5e6f708192a3b\")\nflow novo \"Novo\" {\n    \
         @id(\"65f1a2b3c4d5e6f708192a40\")\n    end\n}\n"
    );
    assert_eq!(
        read(&p.join("entities.flow")),
        "@id(\"65f1a2b3c4d5e6f708192a99\")\ntag vip \"VIP\"\n"
    );
    let (code, err) = fluxo(&[Path::new("check"), &p]);
    assert_eq!(code, Some(0), "one definition per name:\n{err}");

    // A pull of the same document again changes nothing.
    let (code, err) = import(&edited, &p, false);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("0 file(s) written"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn import_refuses_to_overwrite_local_changes_without_force() {
    let dir = scratch("clobber");
    let p = dir.join("project");
    project(&p);
    let json = dir.join("a.json");
    let doc = export(&p, &json);
    let edited = dir.join("edited.json");
    write(&edited, &edited_in_the_editor(doc).to_string());

    // Changed here since the export: main.flow would be overwritten.
    let local = MAIN.replace("// O fluxo principal.", "// Editado aqui.");
    write(&p.join("main.flow"), &local);
    let (code, err) = import(&edited, &p, false);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("main.flow"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(read(&p.join("main.flow")), local, "nothing is written");
    assert!(!p.join("novo.flow").exists(), "nothing is written");

    // Reformatting is no change.
    write(&p.join("main.flow"), &MAIN.replace("    say", "  say"));
    let (code, err) = import(&edited, &p, false);
    assert_eq!(code, Some(0), "{err}");

    write(&p.join("main.flow"), &local);
    let (code, err) = import(&edited, &p, true);
    assert_eq!(code, Some(0), "{err}");
    assert!(read(&p.join("main.flow")).contains("Olá, tudo bem?"));

    // A file the document does not mention that would lose its definitions.
    write(&p.join("novo2.flow"), "flow novo2 {\n    end\n}\n");
    let (code, err) = import(&edited, &p, false);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("novo2.flow"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The editor's own export (no `_texto`) into the example's folder: every definition
/// goes back to the file that has it, none twice.
#[test]
fn an_editor_export_updates_the_source_folder_without_duplicates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = scratch("editor");
    let p = dir.join("provedor");
    std::fs::create_dir_all(&p).expect("mkdir");
    for entry in std::fs::read_dir(root.join("examples/provedor"))
        .expect("example")
        .flatten()
    {
        if entry.path().extension().is_some_and(|e| e == "flow") {
            std::fs::copy(entry.path(), p.join(entry.file_name())).expect("copy");
        }
    }
    let json = root.join("tests/data/json/provedor_editor.json");
    let (code, err) = import(&json, &p, false);
    assert_eq!(code, Some(2), "no base to vouch for the files:\n{err}");
    let (code, err) = import(&json, &p, true);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("added flow `religamento`"), "{err}");
    assert!(p.join("religamento.flow").exists());
    assert!(
        !p.join("entities.flow").exists(),
        "declarations stay in their files"
    );
    let (_, err) = fluxo(&[Path::new("check"), &p]);
    assert!(!err.contains("E0203"), "a name defined twice:\n{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// An editor document: declarations and flows, no `_texto`.
fn editor_doc(flows: &[(&str, Value)]) -> Value {
    let flows: Vec<Value> = flows
        .iter()
        .enumerate()
        .map(|(i, (name, texto))| {
            let mut flow = json!({
                "_id": format!("65f1a2b3c4d5e6f7081920{i:02x}"), "nome": name,
                "inicio": format!("65f1a2b3c4d5e6f7081930{i:02x}"),
                "cards": [{"_id": format!("65f1a2b3c4d5e6f7081930{i:02x}"),
                           "tipo": "encerrar_atendimento", "posicao": {"x": 0, "y": 0}}],
                "conectores": []
            });
            if !texto.is_null() {
                flow["_texto"] = texto.clone();
            }
            flow
        })
        .collect();
    json!({
        "versao": 1,
        "departamentos": [{"_id": "65f1a2b3c4d5e6f708192aaa", "nome": "suporte", "titulo": "Suporte"}],
        "fluxos": flows
    })
}

#[test]
fn a_flow_named_entities_does_not_overwrite_the_declarations() {
    let dir = scratch("entities");
    let json = dir.join("a.json");
    write(
        &json,
        &editor_doc(&[("entities", Value::Null), ("main", Value::Null)]).to_string(),
    );
    let out = dir.join("out");
    let (code, err) = import(&json, &out, false);
    assert_eq!(code, Some(0), "{err}");
    // Each file holds what its name says (and the editor's ids).
    let holds = |file: &str, what: &str| {
        let text = read(&out.join(file));
        assert!(text.contains(what), "{file}:\n{text}");
        assert_eq!(
            text.matches("\n}\n").count() + text.matches("department").count(),
            1,
            "{file}:\n{text}"
        );
    };
    holds("entities.flow", "department suporte \"Suporte\"");
    holds("entities-2.flow", "flow entities {");
    holds("main.flow", "flow main {");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hostile_names_and_paths_are_refused_and_nothing_is_written() {
    let dir = scratch("hostile");
    let texto = |arquivo: &str| json!({"arquivo": arquivo, "ordem": 0, "simbolos": 5});
    let cases = [
        (
            editor_doc(&[("../evil", Value::Null)]),
            "fluxos[0].nome",
            "is not a name",
        ),
        (
            editor_doc(&[("Suporte Técnico", Value::Null)]),
            "fluxos[0].nome",
            "is not a name",
        ),
        (
            editor_doc(&[("main", texto("../evil.flow"))]),
            "flow main: _texto.arquivo",
            "inside the project folder",
        ),
        (
            editor_doc(&[("main", texto("/tmp/evil.flow"))]),
            "flow main: _texto.arquivo",
            "inside the project folder",
        ),
        (
            editor_doc(&[("main", texto("a/../../evil.flow"))]),
            "flow main: _texto.arquivo",
            "inside the project folder",
        ),
        (
            editor_doc(&[("main", texto(".git/hooks.flow"))]),
            "flow main: _texto.arquivo",
            "hidden",
        ),
        (
            editor_doc(&[("main", texto("a\u{0}b.flow"))]),
            "flow main: _texto.arquivo",
            "characters",
        ),
        (
            editor_doc(&[("main", texto("main.sh"))]),
            "flow main: _texto.arquivo",
            "not a .flow file",
        ),
        (
            editor_doc(&[("main", texto("Main.flow")), ("other", texto("main.flow"))]),
            "main.flow",
            "two files",
        ),
    ];
    for (i, (doc, path, says)) in cases.into_iter().enumerate() {
        let json = dir.join(format!("{i}.json"));
        write(&json, &doc.to_string());
        let out = dir.join(format!("out{i}"));
        let (code, err) = import(&json, &out, false);
        assert_eq!(code, Some(1), "case {i}: {err}");
        assert!(err.contains(path) && err.contains(says), "case {i}: {err}");
        assert!(!out.exists(), "case {i}: nothing is written");
    }
    assert!(!dir.join("evil.flow").exists() && !std::env::temp_dir().join("evil.flow").exists());

    // A script whose path leads out of the folder.
    let mut doc = editor_doc(&[]);
    doc["scripts"] = json!([{"_id": "65f1a2b3c4d5e6f708192abc", "nome": "sinal",
        "arquivo": "../../evil.rhai", "campos": [], "_fonte": "#{}"}]);
    let json = dir.join("script.json");
    write(&json, &doc.to_string());
    let (code, err) = import(&json, &dir.join("out"), false);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("script `sinal`") && err.contains("outside the project folder"),
        "{err}"
    );
    assert!(!dir.join("out").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

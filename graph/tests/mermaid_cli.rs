//! The Mermaid text renders without error in the Mermaid CLI (`mmdc`, from the npm
//! registry): the example, each small case and the diff, as the ```mermaid blocks of
//! one Markdown file, the way GitHub finds them in a pull request.
//!
//! The CLI is installed once into `<target dir>/mermaid-cli` (npm), with puppeteer's own
//! browser download skipped: it drives the machine's Chromium (Debian's `chromium`
//! package; `FLUXO_CHROMIUM` names another binary). Without npm or Chromium the test
//! fails and says how to install them; `FLUXO_SKIP_MERMAID_CLI=1` skips it explicitly.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use fluxo_graph::diff;

const MERMAID_CLI: &str = "@mermaid-js/mermaid-cli@11.12.0";

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| support::root().join("target"), PathBuf::from)
}

/// `mmdc`, installed into the target directory when it is not there yet.
fn mmdc() -> PathBuf {
    let prefix = target_dir().join("mermaid-cli");
    let bin = prefix.join("node_modules/.bin/mmdc");
    if bin.exists() {
        return bin;
    }
    std::fs::create_dir_all(&prefix).unwrap();
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&prefix)
        .arg(MERMAID_CLI)
        .env("PUPPETEER_SKIP_DOWNLOAD", "1")
        .status()
        .unwrap_or_else(|err| {
            panic!("npm is needed to install the Mermaid CLI ({err}): install Node.js and npm (`apt-get install -y npm`), or set FLUXO_SKIP_MERMAID_CLI=1 to skip this test")
        });
    assert!(status.success(), "`npm install {MERMAID_CLI}` failed");
    bin
}

fn chromium() -> PathBuf {
    let path = std::env::var_os("FLUXO_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.exists(),
        "the Mermaid CLI needs Chromium at {}: install it (`apt-get install -y chromium`), name another binary with FLUXO_CHROMIUM, or set FLUXO_SKIP_MERMAID_CLI=1 to skip this test",
        path.display()
    );
    path
}

#[test]
fn mermaid_output_renders_in_the_mermaid_cli() {
    if std::env::var_os("FLUXO_SKIP_MERMAID_CLI").is_some_and(|it| it == "1") {
        eprintln!("skipped: FLUXO_SKIP_MERMAID_CLI=1");
        return;
    }
    let chromium = chromium();
    let mmdc = mmdc();
    let dir = target_dir().join("mermaid-cli/check");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut pictures = vec![("examples/provedor".to_string(), support::provedor())];
    for case in support::CASES {
        let path = format!("graph/tests/data/{case}.flow");
        pictures.push((path.clone(), support::graph(&path)));
    }
    let old = support::graph("graph/tests/data/diff/old");
    let new = support::graph("graph/tests/data/diff/new");
    pictures.push(("the diff".into(), diff::diff(&old, &new)));
    let mut markdown = String::new();
    for (name, graph) in &pictures {
        markdown.push_str(&format!(
            "# {name}\n\n```mermaid\n{}```\n\n",
            fluxo_graph::mermaid(graph)
        ));
    }
    let input = dir.join("pictures.md");
    std::fs::write(&input, markdown).unwrap();
    let config = dir.join("puppeteer.json");
    let args = [
        "--no-sandbox",
        "--headless",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
    ];
    let json = format!(
        "{{\"executablePath\": \"{}\", \"args\": [{}]}}",
        chromium.display(),
        args.map(|it| format!("\"{it}\"")).join(", ")
    );
    std::fs::write(&config, json).unwrap();
    let output = Command::new(&mmdc)
        .arg("-i")
        .arg(&input)
        .arg("-o")
        .arg(dir.join("out.md"))
        .arg("-p")
        .arg(&config)
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "mmdc failed:\n{log}");
    // One SVG per block, each a drawn chart.
    for i in 1..=pictures.len() {
        let svg = std::fs::read_to_string(dir.join(format!("out-{i}.svg")))
            .unwrap_or_else(|err| panic!("picture {i} ({}): {err}\n{log}", pictures[i - 1].0));
        assert!(
            svg.contains("<svg") && svg.contains("flow "),
            "picture {i} ({}) is empty",
            pictures[i - 1].0
        );
        assert!(
            !svg.contains("Syntax error"),
            "picture {i} ({}) has a syntax error",
            pictures[i - 1].0
        );
    }
    assert!(Path::new(&dir.join("out.md")).exists());
}

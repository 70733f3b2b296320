//! `fluxo cards [NAME]`: the card catalogue for a terminal. Without a name, one line
//! per card (its name and summary) by group; with one, that card's entry of
//! `docs/cards.md` rendered as plain text: tables as aligned columns, code indented,
//! Markdown links and comments dropped.

use std::io::IsTerminal;
use std::process::ExitCode;

use fluxo_stdlib::catalogue::{cards, CardSpec, Syntax};

use crate::files::{CliError, CliResult};

/// Print the card catalogue, or one card's parameters and behaviour.
#[derive(clap::Args)]
pub struct Args {
    /// A card, such as `say`, `ask` or `erp.second_copy`.
    name: Option<String>,
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let bold = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|it| it.is_empty());
    let Some(name) = args.name else {
        print!("{}", index(bold));
        return Ok(ExitCode::SUCCESS);
    };
    let markdown = fluxo_stdlib::docs::cards_markdown();
    let Some(section) = section(&markdown, &name) else {
        return Err(CliError(format!(
            "unknown card `{name}` (`fluxo cards` lists them)"
        )));
    };
    print!("{}", render(section, bold));
    Ok(ExitCode::SUCCESS)
}

/// Whether a card belongs to a group of the index.
type Member = fn(&CardSpec) -> bool;

fn index(bold: bool) -> String {
    let groups: [(&str, Member); 3] = [
        ("Statement cards", |it| it.syntax == Syntax::Statement),
        ("Call cards", |it| {
            it.syntax == Syntax::Call && it.erp_action.is_none()
        }),
        ("ERP cards", |it| it.erp_action.is_some()),
    ];
    let width = cards().iter().map(|it| it.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (title, member) in groups {
        out.push_str(&heading(title, bold));
        for card in cards().iter().filter(|it| member(it)) {
            out.push_str(&format!("  {:width$}  {}\n", card.name, card.summary));
        }
        out.push('\n');
    }
    out.push_str("`fluxo cards NAME` shows one card; docs/cards.md is the whole catalogue.\n");
    out
}

fn heading(text: &str, bold: bool) -> String {
    if bold {
        format!("\x1b[1m{text}\x1b[0m\n")
    } else {
        format!("{text}\n")
    }
}

/// The Markdown of the card `name`: from its `### `name`` heading to the next heading.
fn section<'a>(markdown: &'a str, name: &str) -> Option<&'a str> {
    let title = format!("\n### `{name}`\n");
    let start = markdown.find(&title)? + 1;
    let rest = &markdown[start..];
    let end = rest[4..].find("\n#").map_or(rest.len(), |it| it + 5);
    Some(&rest[..end])
}

/// Markdown as terminal text.
fn render(markdown: &str, bold: bool) -> String {
    let mut out = String::new();
    let mut in_code = false;
    let mut table: Vec<Vec<String>> = Vec::new();
    for line in markdown.lines() {
        if line.starts_with('|') {
            if line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
                continue;
            }
            let cells: Vec<String> = line
                .trim_matches('|')
                .split(" | ")
                .map(|cell| inline(cell.trim()))
                .collect();
            if cells.iter().any(|it| !it.is_empty()) {
                table.push(cells);
            }
            continue;
        }
        flush_table(&mut out, &mut table);
        if line.starts_with("```") {
            in_code = !in_code;
        } else if in_code {
            out.push_str(&format!("    {line}\n"));
        } else if let Some(title) = line.strip_prefix('#') {
            out.push_str(&heading(
                &inline(title.trim_start_matches('#').trim()),
                bold,
            ));
        } else if !line.starts_with("<!--") {
            out.push_str(&inline(line));
            out.push('\n');
        }
    }
    flush_table(&mut out, &mut table);
    out
}

/// A table's rows as columns padded to their widest cell.
fn flush_table(out: &mut String, table: &mut Vec<Vec<String>>) {
    let columns = table.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|col| {
            table
                .iter()
                .filter_map(|row| row.get(col))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in table.drain(..) {
        let mut line = String::from(" ");
        for (cell, width) in row.iter().zip(&widths) {
            line.push_str(&format!(" {cell:width$} "));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// Inline Markdown as text: `[text](#anchor)` becomes `text`, `**x**` becomes `x`.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let link = rest[open..].find("](").and_then(|mid| {
            let close = rest[open + mid..].find(')')?;
            Some((mid, open + mid + close))
        });
        let Some((mid, close)) = link else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..open + mid]);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out.replace("**", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_markdown_as_text() {
        let text = render(
            "### `say`\n\n```flow\nsay \"x\"\n```\n\n| | |\n|---|---|\n| Opa card | Texto |\n| long name | **x** |\nSee [retry](#retry-parameters).\n",
            false,
        );
        assert_eq!(
            text,
            "`say`\n\n    say \"x\"\n\n  Opa card   Texto\n  long name  x\nSee retry.\n"
        );
    }
}

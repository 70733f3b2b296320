//! What a node looks like, decided once for every renderer: the lines of its label
//! (cut to fit), its fill and outline from the card's family, the checker's marks and
//! a diff's change, and the words of the legend.

use fluxo_stdlib::catalogue::Family;

use crate::model::{Change, FlowGraph, Node, Role};
use crate::text;

/// How many characters a line of a node's text holds, and how many lines it may take.
pub const WRAP: usize = 30;
pub const MAX_LINES: usize = 3;
/// Edge labels are cut to this many characters.
pub const EDGE_LABEL: usize = 26;

/// A node's label: a small header (the card and its line) and the key text.
pub struct Label {
    pub header: String,
    pub lines: Vec<String>,
    /// The checker's marks and a diff's change, in words.
    pub notes: Vec<String>,
}

pub fn label(node: &Node) -> Label {
    let header = match node.role {
        Role::Start => "flow".to_string(),
        Role::Link => "go to flow".to_string(),
        Role::Close => String::new(),
        _ => node.card.unwrap_or("unknown card").to_string(),
    };
    let header = match node.line {
        Some(line) if node.role != Role::Link => format!("{header} · line {line}")
            .trim_start_matches(" · ")
            .to_string(),
        _ => header,
    };
    let lines = text::wrap(&node.text, WRAP, MAX_LINES);
    Label {
        header,
        lines,
        notes: notes(node),
    }
}

fn notes(node: &Node) -> Vec<String> {
    let mut notes = Vec::new();
    if node.marks.dead_end {
        notes.push("⚠ dead end: can run off the flow".to_string());
    }
    if node.marks.unreachable {
        notes.push("⚠ unreachable".to_string());
    }
    if node.marks.waitless_loop {
        notes.push("⚠ loop never waits".to_string());
    }
    match node.change {
        Some(Change::Added) => notes.push("+ added".to_string()),
        Some(Change::Removed) => notes.push("− removed".to_string()),
        Some(Change::Changed) => notes.push("~ changed".to_string()),
        None => {}
    }
    notes
}

/// Colours (SVG/CSS notation).
pub const INTERACTION: &str = "#dbeafe";
pub const SYSTEM_TOOL: &str = "#ede9fe";
pub const NEUTRAL: &str = "#f3f4f6";
pub const START: &str = "#1f2937";
pub const OUTLINE: &str = "#4b5563";
pub const WARNING: &str = "#dc2626";
pub const ADDED: &str = "#bbf7d0";
pub const ADDED_LINE: &str = "#15803d";
pub const REMOVED: &str = "#fecaca";
pub const REMOVED_LINE: &str = "#b91c1c";
pub const CHANGED: &str = "#fde68a";
pub const CHANGED_LINE: &str = "#b45309";

pub struct Paint {
    pub fill: &'static str,
    pub stroke: &'static str,
    pub stroke_width: f32,
    pub dashed: bool,
    pub text: &'static str,
}

pub fn paint(node: &Node) -> Paint {
    let fill = match (node.role, node.family) {
        (Role::Start, _) => START,
        (Role::Link | Role::Close, _) => NEUTRAL,
        (_, Some(Family::Interaction)) => INTERACTION,
        (_, Some(Family::SystemTool)) => SYSTEM_TOOL,
        (_, None) => NEUTRAL,
    };
    let text = if node.role == Role::Start {
        "#ffffff"
    } else {
        "#111827"
    };
    let mut paint = Paint {
        fill,
        stroke: OUTLINE,
        stroke_width: if node.role == Role::Ending { 2.5 } else { 1.2 },
        dashed: node.role == Role::Link,
        text,
    };
    match node.change {
        Some(Change::Added) => (paint.fill, paint.stroke) = (ADDED, ADDED_LINE),
        Some(Change::Removed) => {
            (paint.fill, paint.stroke, paint.dashed) = (REMOVED, REMOVED_LINE, true)
        }
        Some(Change::Changed) => (paint.fill, paint.stroke) = (CHANGED, CHANGED_LINE),
        None => {}
    }
    if node.change.is_some() {
        paint.text = "#111827";
        paint.stroke_width = paint.stroke_width.max(2.0);
    }
    if node.marks.any() {
        paint.stroke = WARNING;
        paint.stroke_width = 3.0;
        paint.dashed = node.marks.unreachable;
    }
    paint
}

/// The legend's words for each shape.
pub const SHAPES: [(Role, &str); 6] = [
    (Role::Start, "start of the flow"),
    (Role::Step, "card, goes on to the next"),
    (Role::Decision, "card with arms: the way splits"),
    (Role::Ending, "the bot hands over or ends (end, transfer)"),
    (Role::Link, "another flow (goto, fail_flow)"),
    (
        Role::Close,
        "the flow runs off its end: the conversation closes",
    ),
];

pub const FAMILIES: [(&str, &str); 2] = [
    (INTERACTION, "interaction: talks with the customer"),
    (SYSTEM_TOOL, "system tool: acts on the platform or the ERP"),
];

pub const CHANGES: [(&str, &str, &str); 3] = [
    (ADDED, ADDED_LINE, "added"),
    (CHANGED, CHANGED_LINE, "changed"),
    (REMOVED, REMOVED_LINE, "removed"),
];

/// Edge labels, cut to fit.
pub fn edge_label(label: &str) -> String {
    text::cut(label, EDGE_LABEL)
}

/// A flow's title: `flow main — Início (main.flow)`, and the checker's word when no path
/// from the entry flow reaches it. Mermaid leaves the file out (`with_file`): GitHub
/// shows the picture beside it.
pub fn flow_title(flow: &FlowGraph, with_file: bool) -> String {
    let mut title = format!("flow {}", flow.name);
    if let Some(t) = &flow.title {
        title.push_str(" — ");
        title.push_str(t);
    }
    if with_file {
        title.push_str(&format!(" ({})", flow.file));
    }
    if flow.unreached {
        title.push_str(" ⚠ never reached from the entry flow");
    }
    title
}

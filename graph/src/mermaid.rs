//! The picture as Mermaid (`flowchart TD`), which GitHub and GitLab draw inside
//! Markdown: a subgraph per flow, the shapes of the SVG, colours as classes, and a
//! legend subgraph.

use std::fmt::Write;

use crate::model::{EdgeKind, Graph, Node, Role};
use crate::style;

pub fn render(graph: &Graph) -> String {
    let mut out = String::from("flowchart TD\n");
    let mut classes = Classes::default();
    let mut link_styles: Vec<(usize, String)> = Vec::new();
    let mut links = 0usize;
    let mut edges = String::new();
    for (f, flow) in graph.flows.iter().enumerate() {
        let title = style::flow_title(flow, false);
        let _ = writeln!(
            out,
            "  subgraph f{f}[\"{}\"]\n    direction TB",
            escape(&title)
        );
        for (i, node) in flow.nodes.iter().enumerate() {
            let id = format!("f{f}n{i}");
            let _ = writeln!(out, "    {}", node_text(&id, node, &label_of(node)));
            classes.add(node, id);
        }
        out.push_str("  end\n");
        for edge in &flow.edges {
            let arrow = if edge.kind == EdgeKind::Fail || edge.removed {
                "-.->"
            } else {
                "-->"
            };
            let label = edge
                .label
                .as_deref()
                .map(|l| format!("|\"{}\"|", escape(&style::edge_label(l))))
                .unwrap_or_default();
            let _ = writeln!(
                edges,
                "  f{f}n{} {arrow}{label} f{f}n{}",
                edge.from, edge.to
            );
            if edge.waitless_loop || edge.removed {
                link_styles.push((links, format!("stroke:{},stroke-width:3px", style::WARNING)));
            } else if edge.kind == EdgeKind::Fail {
                link_styles.push((links, "stroke:#9ca3af".to_string()));
            }
            links += 1;
        }
    }
    out.push_str(&edges);
    legend(&mut out, graph, &mut classes);
    classes.write(&mut out);
    for (index, css) in link_styles {
        let _ = writeln!(out, "  linkStyle {index} {css}");
    }
    out
}

fn label_of(node: &Node) -> String {
    let label = style::label(node);
    let mut lines: Vec<String> = Vec::new();
    if !label.header.is_empty() {
        lines.push(format!("<small>{}</small>", escape(&label.header)));
    }
    lines.extend(label.lines.iter().map(|it| escape(it)));
    lines.extend(
        label
            .notes
            .iter()
            .map(|it| format!("<b>{}</b>", escape(it))),
    );
    lines.join("<br/>")
}

fn node_text(id: &str, node: &Node, label: &str) -> String {
    let (open, close) = match node.role {
        Role::Start | Role::Close => ("([", "])"),
        Role::Step => ("[", "]"),
        Role::Decision => ("{{", "}}"),
        Role::Ending => ("(", ")"),
        Role::Link => ("[/", "/]"),
    };
    format!("{id}{open}\"{label}\"{close}")
}

/// The looks nodes are given, as Mermaid classes: one per distinct paint.
#[derive(Default)]
struct Classes {
    /// Each look's CSS and the nodes that have it.
    looks: Vec<(String, Vec<String>)>,
}

impl Classes {
    fn add(&mut self, node: &Node, id: String) {
        let paint = style::paint(node);
        let mut css = format!(
            "fill:{},stroke:{},stroke-width:{}px,color:{}",
            paint.fill, paint.stroke, paint.stroke_width, paint.text
        );
        if paint.dashed {
            css.push_str(",stroke-dasharray:5 3");
        }
        match self.looks.iter_mut().find(|(it, _)| *it == css) {
            Some((_, ids)) => ids.push(id),
            None => self.looks.push((css, vec![id])),
        }
    }

    fn write(&self, out: &mut String) {
        for (i, (css, ids)) in self.looks.iter().enumerate() {
            let _ = writeln!(out, "  classDef look{i} {css}");
            let _ = writeln!(out, "  class {} look{i}", ids.join(","));
        }
    }
}

fn legend(out: &mut String, graph: &Graph, classes: &mut Classes) {
    out.push_str("  subgraph legend[\"Legend\"]\n    direction LR\n");
    let mut add = |out: &mut String, id: String, node: Node, words: &str| {
        let _ = writeln!(out, "    {}", node_text(&id, &node, &escape(words)));
        classes.add(&node, id);
    };
    for (i, (role, words)) in style::SHAPES.iter().enumerate() {
        add(out, format!("legend{i}"), Node::new(*role, ""), words);
    }
    let families = [
        fluxo_stdlib::catalogue::Family::Interaction,
        fluxo_stdlib::catalogue::Family::SystemTool,
    ];
    for (i, ((_, words), family)) in style::FAMILIES.iter().zip(families).enumerate() {
        let mut node = Node::new(Role::Step, "");
        node.family = Some(family);
        add(out, format!("legendfamily{i}"), node, words);
    }
    let changed = graph
        .flows
        .iter()
        .any(|f| f.change.is_some() || f.nodes.iter().any(|n| n.change.is_some()));
    if changed {
        let changes = [
            crate::model::Change::Added,
            crate::model::Change::Changed,
            crate::model::Change::Removed,
        ];
        for (i, ((_, _, words), change)) in style::CHANGES.iter().zip(changes).enumerate() {
            let mut node = Node::new(Role::Step, "");
            node.change = Some(change);
            add(
                out,
                format!("legendchange{i}"),
                node,
                &format!("card {words}"),
            );
        }
    }
    let marked = graph
        .flows
        .iter()
        .any(|f| f.unreached || f.nodes.iter().any(|n| n.marks.any()));
    if marked {
        let mut node = Node::new(Role::Step, "");
        node.marks.dead_end = true;
        add(
            out,
            "legendwarning".into(),
            node,
            "⚠ what fluxo check warns about",
        );
    }
    out.push_str("  end\n");
}

/// Text inside a quoted Mermaid label: quotes and angle brackets as entities.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            _ => out.push(c),
        }
    }
    out
}

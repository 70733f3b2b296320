//! The picture as Graphviz DOT: a cluster per flow, the shapes and colours of the SVG,
//! and a legend cluster, for `dot -Tsvg` and the tools that read DOT.

use std::fmt::Write;

use crate::model::{EdgeKind, Graph, Node, Role};
use crate::style;

pub fn render(graph: &Graph) -> String {
    let mut out = String::new();
    out.push_str("digraph fluxo {\n");
    out.push_str("  rankdir=TB;\n  compound=true;\n");
    out.push_str("  node [fontname=\"DejaVu Sans\" fontsize=11 style=filled penwidth=1.2];\n");
    out.push_str("  edge [fontname=\"DejaVu Sans\" fontsize=10 color=\"#4b5563\"];\n");
    for (f, flow) in graph.flows.iter().enumerate() {
        let title = style::flow_title(flow, true);
        let _ = writeln!(out, "  subgraph cluster_{f} {{");
        let _ = writeln!(out, "    label={};", quote(&title));
        let colour = match flow.change {
            Some(crate::model::Change::Added) => style::ADDED_LINE,
            Some(crate::model::Change::Removed) => style::REMOVED_LINE,
            _ if flow.unreached => style::WARNING,
            _ => "#9ca3af",
        };
        let _ = writeln!(out, "    color=\"{colour}\";");
        for (i, node) in flow.nodes.iter().enumerate() {
            let _ = writeln!(out, "    f{f}n{i} [{}];", node_attrs(node));
        }
        out.push_str("  }\n");
        for edge in &flow.edges {
            let mut attrs: Vec<String> = Vec::new();
            if let Some(label) = &edge.label {
                attrs.push(format!("label={}", quote(&style::edge_label(label))));
            }
            if edge.kind == EdgeKind::Fail || edge.removed {
                attrs.push("style=dashed".into());
            }
            if edge.waitless_loop || edge.removed {
                attrs.push(format!("color=\"{}\" penwidth=2.5", style::WARNING));
            } else if edge.kind == EdgeKind::Fail {
                attrs.push("color=\"#9ca3af\"".into());
            }
            let attrs = if attrs.is_empty() {
                String::new()
            } else {
                format!(" [{}]", attrs.join(" "))
            };
            let _ = writeln!(out, "  f{f}n{} -> f{f}n{}{attrs};", edge.from, edge.to);
        }
    }
    legend(&mut out, graph);
    out.push_str("}\n");
    out
}

fn shape(role: Role) -> (&'static str, &'static str) {
    match role {
        Role::Start => ("box", "rounded,filled"),
        Role::Step => ("box", "filled"),
        Role::Decision => ("hexagon", "filled"),
        Role::Ending => ("box", "rounded,filled,bold"),
        Role::Link => ("parallelogram", "filled,dashed"),
        Role::Close => ("oval", "filled"),
    }
}

fn node_attrs(node: &Node) -> String {
    let label = style::label(node);
    let mut lines: Vec<String> = Vec::new();
    if !label.header.is_empty() {
        lines.push(label.header.clone());
    }
    lines.extend(label.lines.iter().cloned());
    lines.extend(label.notes.iter().cloned());
    paint_attrs(node, &lines.join("\n"))
}

fn paint_attrs(node: &Node, label: &str) -> String {
    let paint = style::paint(node);
    let (shape, look) = shape(node.role);
    let mut look = look.to_string();
    if paint.dashed && !look.contains("dashed") {
        look.push_str(",dashed");
    }
    format!(
        "shape={shape} style=\"{look}\" fillcolor=\"{}\" color=\"{}\" fontcolor=\"{}\" penwidth={} label={}",
        paint.fill,
        paint.stroke,
        paint.text,
        paint.stroke_width,
        quote(label)
    )
}

fn legend(out: &mut String, graph: &Graph) {
    out.push_str("  subgraph cluster_legend {\n    label=\"Legend\";\n    color=\"#9ca3af\";\n");
    let mut previous: Option<String> = None;
    let mut row = |out: &mut String, id: String, attrs: String| {
        let _ = writeln!(out, "    {id} [{attrs}];");
        if let Some(prev) = previous.replace(id.clone()) {
            let _ = writeln!(out, "    {prev} -> {id} [style=invis];");
        }
    };
    for (i, (role, words)) in style::SHAPES.iter().enumerate() {
        let node = Node::new(*role, "");
        row(out, format!("legend_shape{i}"), paint_attrs(&node, words));
    }
    for (i, (fill, words)) in style::FAMILIES.iter().enumerate() {
        row(
            out,
            format!("legend_family{i}"),
            format!("shape=box fillcolor=\"{fill}\" label={}", quote(words)),
        );
    }
    let changed = graph
        .flows
        .iter()
        .any(|f| f.change.is_some() || f.nodes.iter().any(|n| n.change.is_some()));
    if changed {
        for (i, (fill, line, words)) in style::CHANGES.iter().enumerate() {
            row(
                out,
                format!("legend_change{i}"),
                format!(
                    "shape=box fillcolor=\"{fill}\" color=\"{line}\" penwidth=2 label={}",
                    quote(&format!("card {words}"))
                ),
            );
        }
    }
    let marked = graph
        .flows
        .iter()
        .any(|f| f.unreached || f.nodes.iter().any(|n| n.marks.any()));
    if marked {
        row(out, "legend_warning".into(), format!("shape=box fillcolor=\"#ffffff\" color=\"{}\" penwidth=3 label=\"⚠ what fluxo check warns about\"", style::WARNING));
    }
    out.push_str("    legend_fail_a [shape=point];\n    legend_fail_b [shape=plaintext style=\"\" label=\"fail path (fail_flow)\"];\n");
    out.push_str("    legend_fail_a -> legend_fail_b [style=dashed color=\"#9ca3af\"];\n");
    out.push_str("  }\n");
}

/// A DOT string literal.
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

//! The picture as SVG: each flow in a panel of its own (title, laid-out cards and
//! ways), panels stacked top to bottom, then the legend.

use std::fmt::Write;

use crate::layout::{self, Layout, Rect, FONT, HEADER_FONT, HEADER_LINE, LABEL_FONT, LINE};
use crate::model::{Edge, EdgeKind, FlowGraph, Graph, Node, Role};
use crate::style::{self, Paint};
use crate::text::{self, xml};

const FONT_FAMILY: &str = "DejaVu Sans, Verdana, Arial, sans-serif";
const TITLE_H: f32 = 40.0;
const LEGEND_ROW: f32 = 22.0;
const EDGE: &str = "#4b5563";
const FAIL: &str = "#9ca3af";

/// Every flow of `graph`, each laid out on its own.
pub fn render(graph: &Graph) -> String {
    let layouts: Vec<Layout> = graph.flows.iter().map(layout::layout).collect();
    let legend = Legend::of(graph);
    let width = layouts
        .iter()
        .map(|it| it.width)
        .chain(
            graph
                .flows
                .iter()
                .map(|f| text::width(&style::flow_title(f, true), 15.0) + 2.0 * layout::GAP),
        )
        .fold(legend.width(), f32::max)
        .ceil();
    let panels: f32 = layouts.iter().map(|it| it.height + TITLE_H).sum();
    let height = (panels + legend.height()).ceil();
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}">
<defs>{markers}</defs>
<rect width="{w}" height="{h}" fill="#ffffff"/>
"##,
        w = px(width),
        h = px(height),
        markers = markers(),
    );
    let mut y = 0.0;
    for (flow, layout) in graph.flows.iter().zip(&layouts) {
        panel(&mut out, flow, layout, y, width);
        y += layout.height + TITLE_H;
    }
    legend.draw(&mut out, y);
    out.push_str("</svg>\n");
    out
}

fn panel(out: &mut String, flow: &FlowGraph, layout: &Layout, top: f32, width: f32) {
    let colour = if flow.unreached {
        style::WARNING
    } else {
        "#111827"
    };
    let _ = writeln!(
        out,
        r##"<g class="flow" id="flow-{id}"><rect x="0" y="{top}" width="{w}" height="{h}" fill="#f9fafb" stroke="#e5e7eb"/><text x="{x}" y="{ty}" font-size="15" font-weight="bold" fill="{colour}">{title}</text>"##,
        id = xml(&flow.name),
        top = px(top),
        w = px(width),
        h = px(TITLE_H - 4.0),
        x = px(layout::GAP),
        ty = px(top + 24.0),
        title = xml(&style::flow_title(flow, true)),
    );
    let dy = top + TITLE_H;
    for (edge, path) in flow.edges.iter().zip(&layout.edges) {
        draw_edge(out, edge, path, dy);
    }
    for (node, rect) in flow.nodes.iter().zip(&layout.nodes) {
        draw_node(out, node, &shift(rect, dy));
    }
    out.push_str("</g>\n");
}

fn shift(r: &Rect, dy: f32) -> Rect {
    Rect { y: r.y + dy, ..*r }
}

fn draw_edge(out: &mut String, edge: &Edge, path: &layout::EdgePath, dy: f32) {
    let (colour, marker) = if edge.waitless_loop || edge.removed {
        (style::WARNING, "arrow-warning")
    } else if edge.kind == EdgeKind::Fail {
        (FAIL, "arrow-fail")
    } else {
        (EDGE, "arrow")
    };
    let dash = if edge.kind == EdgeKind::Fail || edge.removed {
        r#" stroke-dasharray="6 4""#
    } else {
        ""
    };
    let width = if edge.waitless_loop { 2.5 } else { 1.4 };
    let points: Vec<(f32, f32)> = path.points.iter().map(|&(x, y)| (x, y + dy)).collect();
    let mut d = String::new();
    if let Some(&(x, y)) = points.first() {
        let _ = write!(d, "M{} {}", px(x), px(y));
    }
    if path.self_loop {
        for &(x, y) in &points[1..] {
            let _ = write!(d, " L{} {}", px(x), px(y));
        }
    } else {
        for pair in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
            let bend = (y1 - y0) / 2.0;
            let _ = write!(
                d,
                " C{} {} {} {} {} {}",
                px(x0),
                px(y0 + bend),
                px(x1),
                px(y1 - bend),
                px(x1),
                px(y1)
            );
        }
    }
    let _ = writeln!(
        out,
        r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width}"{dash} marker-end="url(#{marker})"/>"#
    );
    if let (Some(label), Some(rect)) = (&edge.label, path.label) {
        let rect = shift(&rect, dy);
        let _ = writeln!(
            out,
            r##"<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="3" fill="#ffffff" fill-opacity="0.9"/><text x="{tx}" y="{ty}" font-size="{LABEL_FONT}" fill="{colour}">{text}</text>"##,
            x = px(rect.x),
            y = px(rect.y),
            w = px(rect.w),
            h = px(rect.h),
            tx = px(rect.x + 3.0),
            ty = px(rect.y + 12.5),
            colour = if colour == FAIL { "#6b7280" } else { colour },
            text = xml(&style::edge_label(label)),
        );
    }
}

fn shape(out: &mut String, role: Role, r: &Rect, paint: &Paint) {
    let dash = if paint.dashed {
        r#" stroke-dasharray="5 3""#
    } else {
        ""
    };
    let common = format!(
        r#"fill="{}" stroke="{}" stroke-width="{}"{dash}"#,
        paint.fill, paint.stroke, paint.stroke_width
    );
    let (x, y, w, h) = (r.x, r.y, r.w, r.h);
    let _ = match role {
        Role::Decision => {
            let p = 12.0f32.min(w / 4.0);
            writeln!(
                out,
                r#"<polygon points="{},{} {},{} {},{} {},{} {},{} {},{}" {common}/>"#,
                px(x + p),
                px(y),
                px(x + w - p),
                px(y),
                px(x + w),
                px(y + h / 2.0),
                px(x + w - p),
                px(y + h),
                px(x + p),
                px(y + h),
                px(x),
                px(y + h / 2.0)
            )
        }
        Role::Link => writeln!(
            out,
            r#"<polygon points="{},{} {},{} {},{} {},{}" {common}/>"#,
            px(x + 8.0),
            px(y),
            px(x + w),
            px(y),
            px(x + w - 8.0),
            px(y + h),
            px(x),
            px(y + h)
        ),
        _ => {
            let radius = match role {
                Role::Step => 4.0,
                Role::Ending => 12.0,
                _ => h / 2.0,
            };
            writeln!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{}" {common}/>"#,
                px(x),
                px(y),
                px(w),
                px(h),
                px(radius)
            )
        }
    };
}

fn draw_node(out: &mut String, node: &Node, r: &Rect) {
    let paint = style::paint(node);
    let label = style::label(node);
    out.push_str("<g class=\"node\">");
    shape(out, node.role, r, &paint);
    let header_colour = if paint.fill == style::START {
        "#d1d5db"
    } else {
        "#6b7280"
    };
    let mut y = r.y + 8.0;
    let cx = px(r.cx());
    if !label.header.is_empty() {
        let _ = write!(
            out,
            r#"<text x="{cx}" y="{}" font-size="{HEADER_FONT}" text-anchor="middle" fill="{header_colour}">{}</text>"#,
            px(y + 11.0),
            xml(&label.header)
        );
        y += HEADER_LINE;
    }
    for line in &label.lines {
        let _ = write!(
            out,
            r#"<text x="{cx}" y="{}" font-size="{FONT}" text-anchor="middle" fill="{}">{}</text>"#,
            px(y + 13.5),
            paint.text,
            xml(line)
        );
        y += LINE;
    }
    for note in &label.notes {
        let colour = if note.starts_with('⚠') {
            style::WARNING
        } else {
            paint.stroke
        };
        let _ = write!(
            out,
            r#"<text x="{cx}" y="{}" font-size="{LABEL_FONT}" font-weight="bold" text-anchor="middle" fill="{colour}">{}</text>"#,
            px(y + 13.0),
            xml(note)
        );
        y += LINE;
    }
    out.push_str("</g>\n");
}

fn markers() -> String {
    [("arrow", EDGE), ("arrow-fail", FAIL), ("arrow-warning", style::WARNING)]
        .iter()
        .map(|(id, colour)| {
            format!(r#"<marker id="{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="{colour}"/></marker>"#)
        })
        .collect()
}

/// The legend: shapes and colours always, marks and changes when the picture has any.
struct Legend {
    rows: Vec<(Swatch, String)>,
}

enum Swatch {
    Shape(Role),
    Fill(&'static str, &'static str),
    Line(&'static str, bool),
}

impl Legend {
    fn of(graph: &Graph) -> Legend {
        let mut rows: Vec<(Swatch, String)> = Vec::new();
        rows.extend(
            style::SHAPES
                .iter()
                .map(|(role, words)| (Swatch::Shape(*role), words.to_string())),
        );
        rows.extend(
            style::FAMILIES
                .iter()
                .map(|(fill, words)| (Swatch::Fill(fill, style::OUTLINE), words.to_string())),
        );
        rows.push((
            Swatch::Line(FAIL, true),
            "fail path (fail_flow)".to_string(),
        ));
        let nodes = || graph.flows.iter().flat_map(|f| f.nodes.iter());
        if nodes().any(|n| n.marks.any()) || graph.flows.iter().any(|f| f.unreached) {
            rows.push((
                Swatch::Fill("#ffffff", style::WARNING),
                "⚠ what `fluxo check` warns about".to_string(),
            ));
        }
        if graph
            .flows
            .iter()
            .any(|f| f.edges.iter().any(|e| e.waitless_loop))
        {
            rows.push((
                Swatch::Line(style::WARNING, false),
                "a loop that never waits for the customer".to_string(),
            ));
        }
        if nodes().any(|n| n.change.is_some()) || graph.flows.iter().any(|f| f.change.is_some()) {
            for (fill, line, words) in style::CHANGES {
                rows.push((Swatch::Fill(fill, line), format!("card {words}")));
            }
        }
        Legend { rows }
    }

    fn width(&self) -> f32 {
        let words = self
            .rows
            .iter()
            .map(|(_, w)| text::width(w, LABEL_FONT))
            .fold(0.0, f32::max);
        words + 90.0 + layout::GAP
    }

    fn height(&self) -> f32 {
        LEGEND_ROW * (self.rows.len() + 1) as f32 + layout::GAP
    }

    fn draw(&self, out: &mut String, top: f32) {
        let x = layout::GAP;
        let _ = writeln!(
            out,
            r##"<g class="legend"><text x="{}" y="{}" font-size="12" font-weight="bold" fill="#111827">Legend</text>"##,
            px(x),
            px(top + 18.0)
        );
        for (i, (swatch, words)) in self.rows.iter().enumerate() {
            let y = top + LEGEND_ROW * (i + 1) as f32 + 6.0;
            let r = Rect {
                x,
                y,
                w: 48.0,
                h: 16.0,
            };
            match swatch {
                Swatch::Shape(role) => {
                    let mut node = Node::new(*role, "");
                    node.family = None;
                    shape(out, *role, &r, &style::paint(&node));
                }
                Swatch::Fill(fill, stroke) => {
                    let paint = Paint {
                        fill,
                        stroke,
                        stroke_width: 1.5,
                        dashed: false,
                        text: "",
                    };
                    shape(out, Role::Step, &r, &paint);
                }
                Swatch::Line(colour, dashed) => {
                    let dash = if *dashed {
                        r#" stroke-dasharray="6 4""#
                    } else {
                        ""
                    };
                    let _ = writeln!(
                        out,
                        r#"<path d="M{} {} L{} {}" stroke="{colour}" stroke-width="2"{dash}/>"#,
                        px(x),
                        px(y + 8.0),
                        px(x + 48.0),
                        px(y + 8.0)
                    );
                }
            }
            let _ = writeln!(
                out,
                r##"<text x="{}" y="{}" font-size="{LABEL_FONT}" fill="#111827">{}</text>"##,
                px(x + 60.0),
                px(y + 12.0),
                xml(words)
            );
        }
        out.push_str("</g>\n");
    }
}

/// A coordinate with at most one decimal, so the text is stable and small.
fn px(v: f32) -> String {
    let v = (v * 10.0).round() / 10.0;
    if v == v.trunc() {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

//! The SVG of every flow drawn to PNG, the layout's boxes never overlapping, and the
//! README's picture of the example's main flow kept current.

mod support;

use fluxo_graph::layout::{self, Rect};
use fluxo_graph::{diff, Graph};

/// Every graph the tests draw: the example (whole and flow by flow), each small case
/// and the diff.
fn graphs() -> Vec<(String, Graph)> {
    let provedor = support::provedor();
    let mut out: Vec<(String, Graph)> = provedor
        .flows
        .iter()
        .map(|f| {
            (
                format!("provedor/{}", f.name),
                provedor.clone().only(&f.name).unwrap(),
            )
        })
        .collect();
    out.push(("provedor".into(), provedor));
    for case in support::CASES {
        out.push((
            case.to_string(),
            support::graph(&format!("graph/tests/data/{case}.flow")),
        ));
    }
    let old = support::graph("graph/tests/data/diff/old");
    let new = support::graph("graph/tests/data/diff/new");
    out.push(("diff".into(), diff::diff(&old, &new)));
    out
}

/// The width and height a PNG's header says.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let word = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

/// The size the SVG says it is.
fn svg_size(svg: &str) -> (f32, f32) {
    let attr = |name: &str| -> f32 {
        let start = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        let end = start + svg[start..].find('"').unwrap();
        svg[start..end].parse().unwrap()
    };
    (attr("width"), attr("height"))
}

#[test]
fn every_svg_renders_to_png() {
    for (name, graph) in graphs() {
        let svg = fluxo_graph::svg(&graph);
        let png = fluxo_graph::png(&svg).unwrap_or_else(|err| panic!("{name}: {err}"));
        let (w, h) = svg_size(&svg);
        assert_eq!(
            png_size(&png),
            ((w * 2.0) as u32, (h * 2.0) as u32),
            "{name}"
        );
        // Drawn, not blank: a picture with text and boxes is far larger than a white page.
        assert!(png.len() > 10_000, "{name}: {} bytes", png.len());
    }
}

#[test]
fn no_two_boxes_overlap() {
    for (name, graph) in graphs() {
        for flow in &graph.flows {
            let laid = layout::layout(flow);
            let mut boxes: Vec<(String, Rect)> = laid
                .nodes
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("node {i} ({})", flow.nodes[i].text), *r))
                .collect();
            for (i, edge) in laid.edges.iter().enumerate() {
                if let Some(label) = edge.label {
                    boxes.push((format!("label of edge {i}"), label));
                }
            }
            assert_eq!(
                boxes.len(),
                flow.nodes.len() + flow.edges.iter().filter(|e| e.label.is_some()).count(),
                "{name}/{}: every label has a place",
                flow.name
            );
            for (i, (a, ra)) in boxes.iter().enumerate() {
                assert!(
                    ra.x >= 0.0 && ra.y >= 0.0,
                    "{name}/{}: {a} is off the picture",
                    flow.name
                );
                assert!(
                    ra.x + ra.w <= laid.width && ra.y + ra.h <= laid.height,
                    "{name}/{}: {a} is off the picture",
                    flow.name
                );
                for (b, rb) in &boxes[i + 1..] {
                    assert!(
                        !ra.overlaps(rb),
                        "{name}/{}: {a} {ra:?} overlaps {b} {rb:?}",
                        flow.name
                    );
                }
            }
        }
    }
}

#[test]
fn text_fits_its_box() {
    for (name, graph) in graphs() {
        for flow in &graph.flows {
            let laid = layout::layout(flow);
            for (node, rect) in flow.nodes.iter().zip(&laid.nodes) {
                let label = fluxo_graph::style::label(node);
                for line in &label.lines {
                    let width = fluxo_graph::text::width(line, layout::FONT);
                    assert!(width < rect.w, "{name}: `{line}` is wider than its box");
                }
            }
        }
    }
}

/// The README shows the example's main flow; `./bless` redraws it.
#[test]
fn the_readme_picture_is_current() {
    let main = support::provedor().only("main").unwrap();
    let svg = fluxo_graph::svg(&main);
    let path = support::root().join("docs/provedor-main.svg");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != svg && std::env::var_os("FLUXO_BLESS").is_some_and(|it| it == "1") {
        std::fs::write(&path, &svg).unwrap();
        return;
    }
    assert!(
        committed == svg,
        "docs/provedor-main.svg is not the picture of examples/provedor's main flow; redraw it with `./bless` (or `FLUXO_BLESS=1 cargo test -p fluxo-graph`)"
    );
}

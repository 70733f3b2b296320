//! The picture of a flow (`fluxo graph`): every card a node, every way an edge, the
//! checker's findings marked, drawn as SVG, PNG, Graphviz DOT or Mermaid; and the
//! picture of a change between two versions of a program (`--diff`).
//!
//! `build` turns a checked program into the [`Graph`] model, `marks` puts the
//! checker's diagnostics on it, `layout` places one flow's boxes in layers, and each
//! renderer (`svg`, `png`, `dot`, `mermaid`) reads the model (and the layout). Like
//! the compiler it does no I/O: the CLI reads the files and writes the picture.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod build;
pub mod diff;
mod dot;
pub mod layout;
mod marks;
mod mermaid;
pub mod model;
mod png;
pub mod style;
mod svg;
pub mod text;

use fluxo_compiler::{Checked, Sources};

pub use model::{Change, Edge, EdgeKind, FlowGraph, Graph, Marks, Node, Role};

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
    Dot,
    Mermaid,
}

/// The graph of a checked program, with what `fluxo check` found marked on it.
pub fn graph(checked: &Checked, sources: &Sources) -> Graph {
    let mut graph = build::build(checked, sources);
    marks::apply(&mut graph, &checked.diagnostics);
    graph
}

impl Graph {
    /// Only flow `name`, or an error naming the flows there are.
    pub fn only(mut self, name: &str) -> Result<Graph, String> {
        match self.flows.iter().position(|it| it.name == name) {
            Some(idx) => {
                let flow = self.flows.swap_remove(idx);
                Ok(Graph { flows: vec![flow] })
            }
            None => {
                let names: Vec<&str> = self.flows.iter().map(|it| it.name.as_str()).collect();
                Err(format!(
                    "there is no flow `{name}`; the flows are: {}",
                    names.join(", ")
                ))
            }
        }
    }
}

/// The picture in `format`: text for SVG, DOT and Mermaid, PNG bytes.
pub fn render(graph: &Graph, format: Format) -> Result<Vec<u8>, String> {
    Ok(match format {
        Format::Svg => svg::render(graph).into_bytes(),
        Format::Png => png::render(&svg::render(graph))?,
        Format::Dot => dot::render(graph).into_bytes(),
        Format::Mermaid => mermaid::render(graph).into_bytes(),
    })
}

/// The picture as SVG text.
pub fn svg(graph: &Graph) -> String {
    svg::render(graph)
}

pub fn dot(graph: &Graph) -> String {
    dot::render(graph)
}

pub fn mermaid(graph: &Graph) -> String {
    mermaid::render(graph)
}

/// PNG bytes of an SVG document.
pub fn png(svg: &str) -> Result<Vec<u8>, String> {
    png::render(svg)
}

//! A layered (Sugiyama-style) layout of one flow, top to bottom, in pure Rust.
//!
//! 1. **Cycles** are broken by a depth-first search from the flow's start: an edge to a
//!    card still on the search's stack (a `goto` back) is laid out reversed.
//! 2. **Ranks** by longest path over that acyclic graph. An edge with a label spans at
//!    least two ranks, so that its label gets a slot of its own in the rank between.
//! 3. **Virtual nodes**: an edge spanning several ranks passes through one per rank
//!    crossed; a labelled edge's first one is as wide as its label.
//! 4. **Crossings** are reduced by barycentre sweeps, down and up, keeping the order with
//!    the fewest crossings seen.
//! 5. **Coordinates**: each rank is packed left to right in its order, then nodes are
//!    pulled towards the mean of their neighbours in alternate sweeps; a final pass
//!    keeps every two neighbours in a rank at least [`GAP`] apart, so no two boxes (node
//!    or label) overlap.
//!
//! A `goto` to the same card is drawn as a loop on its right; the room for it and its
//! label is kept in the card's slot.

use crate::model::{FlowGraph, Role};
use crate::style;
use crate::text;

pub const FONT: f32 = 13.0;
pub const HEADER_FONT: f32 = 10.5;
pub const LABEL_FONT: f32 = 11.0;
pub const LINE: f32 = 17.0;
pub const HEADER_LINE: f32 = 14.0;
const PAD_X: f32 = 12.0;
const PAD_Y: f32 = 8.0;
/// Room for a decision's pointed sides.
const POINT: f32 = 12.0;
/// The least space between two boxes of a rank, and between ranks.
pub const GAP: f32 = 24.0;
const RANK_GAP: f32 = 30.0;
/// How far an edge's line runs left of its label.
const LABEL_INDENT: f32 = 6.0;
/// The width of a virtual node without a label.
const THIN: f32 = 8.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }

    pub fn cx(&self) -> f32 {
        self.x + self.w / 2.0
    }
}

/// Where everything of one flow goes, in pixels from the top left corner.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Per node of the flow: its box.
    pub nodes: Vec<Rect>,
    /// Per edge of the flow.
    pub edges: Vec<EdgePath>,
    pub width: f32,
    pub height: f32,
}

#[derive(Clone, Debug)]
pub struct EdgePath {
    /// From the source's outline to the target's, through each rank crossed.
    pub points: Vec<(f32, f32)>,
    /// Where the label's text goes (its box; text starts at the left).
    pub label: Option<Rect>,
    /// The edge goes to the card it leaves (a loop on the right).
    pub self_loop: bool,
}

/// The size of node `id`'s box.
pub fn node_size(flow: &FlowGraph, id: usize) -> (f32, f32) {
    let node = &flow.nodes[id];
    let label = style::label(node);
    let mut w = text::width(&label.header, HEADER_FONT);
    for line in &label.lines {
        w = w.max(text::width(line, FONT));
    }
    for note in &label.notes {
        w = w.max(text::width(note, LABEL_FONT));
    }
    let header = if label.header.is_empty() {
        0.0
    } else {
        HEADER_LINE
    };
    let h = header + LINE * (label.lines.len() + label.notes.len()) as f32;
    let extra = if node.role == Role::Decision {
        2.0 * POINT
    } else {
        0.0
    };
    (w.max(40.0) + 2.0 * PAD_X + extra, h + 2.0 * PAD_Y)
}

pub fn label_size(label: &str) -> (f32, f32) {
    (text::width(label, LABEL_FONT) + 2.0 * LABEL_INDENT, LINE)
}

/// One box of the layered graph: a node of the flow or a point an edge passes.
struct Slot {
    rank: usize,
    w: f32,
    h: f32,
    x: f32,
    /// For a real node: the room kept right of its box for a loop to itself.
    loop_room: f32,
}

pub fn layout(flow: &FlowGraph) -> Layout {
    let n = flow.nodes.len();
    let mut slots: Vec<Slot> = (0..n)
        .map(|id| {
            let (w, h) = node_size(flow, id);
            Slot {
                rank: 0,
                w,
                h,
                x: 0.0,
                loop_room: 0.0,
            }
        })
        .collect();
    for edge in flow.edges.iter().filter(|e| e.from == e.to) {
        let label = edge
            .label
            .as_deref()
            .map_or(0.0, |it| label_size(&style::edge_label(it)).0);
        let slot = &mut slots[edge.from];
        slot.loop_room = slot.loop_room.max(28.0 + label);
    }
    // 1. Cycles: the edges laid out reversed.
    let reversed = back_edges(flow);
    let dag: Vec<(usize, usize, usize)> = flow
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.from != e.to)
        .map(|(i, e)| {
            let len = if e.label.is_some() { 2 } else { 1 };
            if reversed[i] {
                (e.to, e.from, len)
            } else {
                (e.from, e.to, len)
            }
        })
        .collect();
    // 2. Ranks by longest path, in topological order.
    let ranks = longest_path(n, &dag);
    for (slot, rank) in slots.iter_mut().zip(&ranks) {
        slot.rank = *rank;
    }
    // 3. Virtual nodes: each non-loop edge's chain of slots, top to bottom.
    let mut chains: Vec<Vec<usize>> = vec![Vec::new(); flow.edges.len()];
    let mut labels: Vec<Option<usize>> = vec![None; flow.edges.len()];
    let mut links: Vec<(usize, usize)> = Vec::new();
    let mut k = 0;
    for (i, edge) in flow.edges.iter().enumerate() {
        if edge.from == edge.to {
            continue;
        }
        let (top, bottom, _) = dag[k];
        k += 1;
        let mut chain = vec![top];
        for rank in ranks[top] + 1..ranks[bottom] {
            let (w, h) = match (&edge.label, chain.len()) {
                (Some(label), 1) => {
                    labels[i] = Some(slots.len());
                    label_size(&style::edge_label(label))
                }
                _ => (THIN, THIN),
            };
            chain.push(slots.len());
            slots.push(Slot {
                rank,
                w,
                h,
                x: 0.0,
                loop_room: 0.0,
            });
        }
        chain.push(bottom);
        links.extend(chain.windows(2).map(|w| (w[0], w[1])));
        chains[i] = chain;
    }
    // 4. Order within ranks.
    let n_ranks = slots.iter().map(|s| s.rank + 1).max().unwrap_or(1);
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); n_ranks];
    for (id, slot) in slots.iter().enumerate() {
        order[slot.rank].push(id);
    }
    let order = reduce_crossings(order, &links, slots.len());
    // 5. Coordinates.
    place(&mut slots, &order, &links);
    let mut tops = vec![0.0f32; n_ranks];
    let mut heights = vec![0.0f32; n_ranks];
    for slot in &slots {
        heights[slot.rank] = heights[slot.rank].max(slot.h);
    }
    let mut y = GAP;
    for rank in 0..n_ranks {
        tops[rank] = y;
        y += heights[rank] + RANK_GAP;
    }
    let boxes: Vec<Rect> = slots
        .iter()
        .map(|s| {
            let y = tops[s.rank] + (heights[s.rank] - s.h) / 2.0;
            Rect {
                x: s.x - (s.w + s.loop_room) / 2.0,
                y,
                w: s.w,
                h: s.h,
            }
        })
        .collect();
    let width = slots
        .iter()
        .map(|s| s.x + (s.w + s.loop_room) / 2.0)
        .fold(0.0, f32::max)
        + GAP;
    let edges = flow
        .edges
        .iter()
        .enumerate()
        .map(|(i, edge)| {
            if edge.from == edge.to {
                return loop_path(&boxes[edge.from], edge.label.as_deref());
            }
            let chain = &chains[i];
            let mut points: Vec<(f32, f32)> = Vec::with_capacity(chain.len());
            for (j, &id) in chain.iter().enumerate() {
                let b = &boxes[id];
                if j == 0 {
                    points.push((b.cx(), b.y + b.h));
                } else if j == chain.len() - 1 {
                    points.push((b.cx(), b.y));
                } else if labels[i] == Some(id) {
                    points.push((b.x, b.y + b.h / 2.0));
                } else {
                    points.push((b.cx(), b.y + b.h / 2.0));
                }
            }
            if reversed[i] {
                points.reverse();
                // A way back leaves and enters right of centre, clear of the ways down.
                let last = points.len() - 1;
                for at in [0, last] {
                    let id = if at == 0 { edge.from } else { edge.to };
                    points[at].0 += (boxes[id].w / 4.0).min(30.0);
                }
            }
            let label = labels[i].map(|id| {
                let b = boxes[id];
                Rect {
                    x: b.x + LABEL_INDENT,
                    w: b.w - LABEL_INDENT,
                    ..b
                }
            });
            EdgePath {
                points,
                label,
                self_loop: false,
            }
        })
        .collect();
    Layout {
        nodes: boxes[..n].to_vec(),
        edges,
        width,
        height: y - RANK_GAP + GAP,
    }
}

/// A loop from the right side of a box back into it, its label right of the loop.
fn loop_path(b: &Rect, label: Option<&str>) -> EdgePath {
    let right = b.x + b.w;
    let points = vec![
        (right, b.y + b.h * 0.3),
        (right + 22.0, b.y + b.h * 0.3),
        (right + 22.0, b.y + b.h * 0.7),
        (right, b.y + b.h * 0.7),
    ];
    let label = label.map(|it| {
        let (w, h) = label_size(&style::edge_label(it));
        Rect {
            x: right + 26.0,
            y: b.y + b.h / 2.0 - h / 2.0,
            w,
            h,
        }
    });
    EdgePath {
        points,
        label,
        self_loop: true,
    }
}

/// Which edges a depth-first search from the start finds going back up its stack.
fn back_edges(flow: &FlowGraph) -> Vec<bool> {
    let n = flow.nodes.len();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in flow.edges.iter().enumerate() {
        out[e.from].push(i);
    }
    let mut reversed = vec![false; flow.edges.len()];
    // 0 unseen, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&edge) = out[node].get(*next) {
                *next += 1;
                let to = flow.edges[edge].to;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 if to != node => reversed[edge] = true,
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
    reversed
}

/// Each node's rank: the longest path (counting each edge's least length) from a node
/// without predecessors.
fn longest_path(n: usize, dag: &[(usize, usize, usize)]) -> Vec<usize> {
    let mut indegree = vec![0usize; n];
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for &(from, to, len) in dag {
        indegree[to] += 1;
        out[from].push((to, len));
    }
    let mut rank = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).rev().collect();
    while let Some(v) = ready.pop() {
        for &(to, len) in &out[v] {
            rank[to] = rank[to].max(rank[v] + len);
            indegree[to] -= 1;
            if indegree[to] == 0 {
                ready.push(to);
            }
        }
    }
    rank
}

fn crossings(
    order: &[Vec<usize>],
    links: &[(usize, usize)],
    pos: &[usize],
    rank_of: &[usize],
) -> usize {
    let mut total = 0;
    for rank in 0..order.len().saturating_sub(1) {
        let between: Vec<(usize, usize)> = links
            .iter()
            .filter(|(a, _)| rank_of[*a] == rank)
            .map(|&(a, b)| (pos[a], pos[b]))
            .collect();
        for (i, x) in between.iter().enumerate() {
            for y in &between[i + 1..] {
                if (x.0 < y.0 && x.1 > y.1) || (x.0 > y.0 && x.1 < y.1) {
                    total += 1;
                }
            }
        }
    }
    total
}

fn positions(order: &[Vec<usize>], n: usize) -> (Vec<usize>, Vec<usize>) {
    let mut pos = vec![0; n];
    let mut rank_of = vec![0; n];
    for (rank, ids) in order.iter().enumerate() {
        for (i, &id) in ids.iter().enumerate() {
            pos[id] = i;
            rank_of[id] = rank;
        }
    }
    (pos, rank_of)
}

/// The ranks a sweep visits: down from the second, or up from the one before last.
fn sweep_ranks(n_ranks: usize, down: bool) -> Vec<usize> {
    if down {
        (1..n_ranks).collect()
    } else {
        (0..n_ranks.saturating_sub(1)).rev().collect()
    }
}

/// Node `id`'s neighbours in the rank above (`down`) or below.
fn neighbours(links: &[(usize, usize)], id: usize, down: bool) -> impl Iterator<Item = usize> + '_ {
    links.iter().filter_map(move |&(a, b)| match down {
        true if b == id => Some(a),
        false if a == id => Some(b),
        _ => None,
    })
}

/// Barycentre sweeps: each rank sorted by the mean position of its neighbours in the
/// rank before (down) or after (up); the best order seen wins.
fn reduce_crossings(
    mut order: Vec<Vec<usize>>,
    links: &[(usize, usize)],
    n: usize,
) -> Vec<Vec<usize>> {
    let (pos, rank_of) = positions(&order, n);
    let mut best = (crossings(&order, links, &pos, &rank_of), order.clone());
    for sweep in 0..16 {
        let down = sweep % 2 == 0;
        for rank in sweep_ranks(order.len(), down) {
            let (pos, _) = positions(&order, n);
            let mut keyed: Vec<(f32, usize)> = order[rank]
                .iter()
                .map(|&id| {
                    let near: Vec<usize> = neighbours(links, id, down).collect();
                    let key = if near.is_empty() {
                        pos[id] as f32
                    } else {
                        near.iter().map(|&v| pos[v] as f32).sum::<f32>() / near.len() as f32
                    };
                    (key, id)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            order[rank] = keyed.into_iter().map(|(_, id)| id).collect();
        }
        let (pos, rank_of) = positions(&order, n);
        let count = crossings(&order, links, &pos, &rank_of);
        if count < best.0 {
            best = (count, order.clone());
        }
    }
    best.1
}

/// Horizontal centres: packed, then pulled towards neighbours, separations kept.
fn place(slots: &mut [Slot], order: &[Vec<usize>], links: &[(usize, usize)]) {
    let room = |s: &Slot| s.w + s.loop_room;
    for ids in order {
        let mut x = GAP;
        for &id in ids {
            slots[id].x = x + room(&slots[id]) / 2.0;
            x += room(&slots[id]) + GAP;
        }
    }
    for sweep in 0..24 {
        let down = sweep % 2 == 0;
        for rank in sweep_ranks(order.len(), down) {
            let ids = &order[rank];
            let desired: Vec<f32> = ids
                .iter()
                .map(|&id| {
                    let near: Vec<f32> = neighbours(links, id, down).map(|v| slots[v].x).collect();
                    if near.is_empty() {
                        slots[id].x
                    } else {
                        near.iter().sum::<f32>() / near.len() as f32
                    }
                })
                .collect();
            let sep = |i: usize| (room(&slots[ids[i - 1]]) + room(&slots[ids[i]])) / 2.0 + GAP;
            let mut left = desired.clone();
            for i in 1..ids.len() {
                left[i] = left[i].max(left[i - 1] + sep(i));
            }
            let mut right = desired;
            for i in (1..ids.len()).rev() {
                right[i - 1] = right[i - 1].min(right[i] - sep(i));
            }
            let mut xs: Vec<f32> = left
                .iter()
                .zip(&right)
                .map(|(a, b)| (a + b) / 2.0)
                .collect();
            for i in 1..ids.len() {
                xs[i] = xs[i].max(xs[i - 1] + sep(i));
            }
            for (i, &id) in ids.iter().enumerate() {
                slots[id].x = xs[i];
            }
        }
    }
    let min = slots
        .iter()
        .map(|s| s.x - room(s) / 2.0)
        .fold(f32::INFINITY, f32::min);
    let shift = GAP - if min.is_finite() { min } else { GAP };
    for slot in slots.iter_mut() {
        slot.x += shift;
    }
}

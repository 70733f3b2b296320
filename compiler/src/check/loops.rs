//! Step 5: loops that never wait for the customer. In the graph without the edges out
//! of cards that read the customer's answer, any cycle would run forever; Tarjan's
//! algorithm finds the strongly connected components in linear time, and each one with
//! a cycle is reported once, at its first `goto`.

use super::cfg::{Graph, NodeId};
use super::{Cx, Problem};

pub(super) fn check(cx: &mut Cx, graph: &Graph) {
    for component in cycles(graph) {
        let mut jumps: Vec<_> = component
            .iter()
            .map(|&id| &graph.nodes[id])
            .filter(|node| node.is_goto)
            .map(|node| node.loc)
            .collect();
        if jumps.is_empty() {
            jumps = component.iter().map(|&id| graph.nodes[id].loc).collect();
        }
        jumps.sort_by_key(|loc| (loc.file, loc.span.start));
        let mut jumps = jumps.into_iter();
        if let Some(at) = jumps.next() {
            cx.report(Problem::EndlessLoop {
                at,
                others: jumps.take(4).collect(),
            });
        }
    }
}

/// The strongly connected components with a cycle (more than one node, or one with an
/// edge to itself) of the graph without the edges out of waiting nodes (iterative
/// Tarjan, so deep graphs cannot overflow the stack). Almost every node is a component
/// of its own without a cycle; those are not collected.
fn cycles(graph: &Graph) -> Vec<Vec<NodeId>> {
    let n = graph.nodes.len();
    // Node ids and visit numbers in 32 bits, as the graph stores its own (it cannot
    // hold more nodes): the walk's bookkeeping is half the size, and a deep graph's (a
    // chain of flows that each `goto` the next is one path of every node) is most of
    // what this step touches.
    if u32::try_from(n).is_err() {
        return Vec::new();
    }
    let succ = |id: usize| -> &[super::cfg::Edge] {
        if graph.nodes[id].waits {
            &[]
        } else {
            graph.succ(id)
        }
    };
    const UNSEEN: u32 = u32::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    // Both stacks may hold every node: sized once, they are not copied over and over as
    // they grow, and the room a shallow graph leaves unused is never touched.
    let mut stack: Vec<u32> = Vec::with_capacity(n);
    let mut res = Vec::new();
    let mut counter: u32 = 0;
    // (node, next edge to look at)
    let mut work: Vec<(u32, u32)> = Vec::with_capacity(n);
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        work.push((root as u32, 0));
        index[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root as u32);
        on_stack[root] = true;
        while let Some(&mut (id, ref mut next)) = work.last_mut() {
            let id = id as usize;
            let edges = succ(id);
            if let Some(edge) = edges.get(*next as usize) {
                *next += 1;
                let to = edge.to;
                if index[to] == UNSEEN {
                    index[to] = counter;
                    low[to] = counter;
                    counter += 1;
                    stack.push(to as u32);
                    on_stack[to] = true;
                    work.push((to as u32, 0));
                } else if on_stack[to] {
                    low[id] = low[id].min(index[to]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                let parent = parent as usize;
                low[parent] = low[parent].min(low[id]);
            }
            if low[id] == index[id] {
                if stack.last() == Some(&(id as u32)) && !succ(id).iter().any(|edge| edge.to == id)
                {
                    stack.pop();
                    on_stack[id] = false;
                    continue;
                }
                let mut component = Vec::new();
                while let Some(top) = stack.pop() {
                    let top = top as usize;
                    on_stack[top] = false;
                    component.push(top);
                    if top == id {
                        break;
                    }
                }
                res.push(component);
            }
        }
    }
    res
}

//! Step 6: declarations and labels nothing uses (warnings W0201, W0202).
//!
//! A department nobody is transferred to, a tag never set nor branched on, a group never
//! notified, a period no `when hours` reads, a template never sent, a script never run
//! or a label no `goto` reaches is most often a leftover or a misspelt reference that
//! resolved elsewhere. Attendants, branches and agents are left out: they mirror the
//! company's records (a branch is matched by `when branch` only where it matters) and
//! are declared whether or not a flow names them. Uses are recorded by `Cx::resolve` and
//! the walk's `goto`.

use fluxo_stdlib::types::ItemKind;

use super::{Cx, Problem};

/// The kinds whose unused declarations are reported, with how one uses them.
const REPORTED: [(ItemKind, &str); 6] = [
    (ItemKind::Department, "transfer to it: `transfer to {name}`"),
    (ItemKind::Tag, "set it with `tag {name}` or branch on it with `when tag`"),
    (ItemKind::Group, "notify it: `notify(group: {name}, message: \"...\")`"),
    (ItemKind::Period, "branch on it: `when hours {name} { open => ... closed => ... }`"),
    (ItemKind::Template, "send it: `migrate_whatsapp(template: {name}, ...)` or `interactive_template(template: {name})`"),
    (ItemKind::Script, "run it: `lowcode(script: {name}) as <var>`"),
];

pub(super) fn check(cx: &mut Cx) {
    let mut problems = Vec::new();
    for (kind, how) in REPORTED {
        let declared: Vec<(usize, &str, super::Loc)> = match kind {
            ItemKind::Script => cx
                .program
                .scripts
                .iter()
                .enumerate()
                .map(|(idx, it)| (idx, it.name.as_str(), it.loc))
                .collect(),
            _ => cx
                .program
                .items
                .iter()
                .enumerate()
                .filter(|(_, it)| it.kind == kind)
                .map(|(idx, it)| (idx, it.name.as_str(), it.loc))
                .collect(),
        };
        for (idx, name, at) in declared {
            if !cx.used.contains(&(kind, idx)) {
                problems.push(Problem::UnusedDeclaration {
                    at,
                    kind: kind.english(),
                    name: name.to_string(),
                    how: how.replace("{name}", name),
                });
            }
        }
    }
    for (flow_idx, flow) in cx.program.flows.iter().enumerate() {
        for (idx, label) in flow.labels.iter().enumerate() {
            if !cx.used_labels.contains(&(flow_idx, idx)) {
                problems.push(Problem::UnusedLabel {
                    at: label.loc,
                    name: label.name.clone(),
                });
            }
        }
    }
    cx.problems.extend(problems);
}

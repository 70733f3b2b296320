//! Where each `goto` leads: the walk records every `goto` it resolved to a flow, and
//! lowering reads that record in step instead of looking each name up a second time.
//! On a program of many small flows the second lookup, a random probe of a large hash
//! table per `goto`, was one of the build's largest costs (issue 18's scaling bench).

use fluxo_grammar::ast::Ident;
use fluxo_grammar::FileId;

use super::{GotoTarget, Loc, ProgramInfo};

/// Where lowering is in the walk's record of resolved `goto`s
/// ([`ProgramInfo::goto_target`]).
#[derive(Default)]
pub struct GotoCursor(usize);

impl ProgramInfo {
    /// Records that the `goto` whose target name is at `at` leads to flow `to`.
    pub(crate) fn resolved_goto(&mut self, at: Loc, to: usize) {
        if let Ok(to) = u32::try_from(to) {
            self.goto_flows.push((at.file.0, at.span.start, to));
        }
    }

    /// `goto target` in flow `from` of file `file`: a label of that flow wins over a
    /// flow of the same name. A flow is read from the walk's record: at `cursor` when
    /// the questions come in the walk's order, else by binary search (the record is in
    /// source order), else by name.
    pub fn goto_target(
        &self,
        cursor: &mut GotoCursor,
        file: FileId,
        from: usize,
        target: &Ident,
    ) -> Option<GotoTarget> {
        let labels = &self.flows.get(from)?.labels;
        if let Some(idx) = labels.iter().position(|it| it.name == target.name) {
            return Some(GotoTarget::Label(idx));
        }
        let key = (file.0, target.span.start);
        let record = &self.goto_flows;
        let at = match record.get(cursor.0) {
            Some(&(file, start, _)) if (file, start) == key => Ok(cursor.0),
            _ => record.binary_search_by_key(&key, |&(file, start, _)| (file, start)),
        };
        match at {
            Ok(at) => {
                cursor.0 = at + 1;
                record
                    .get(at)
                    .map(|&(_, _, to)| GotoTarget::Flow(to as usize))
            }
            Err(_) => self.flow(&target.name).map(GotoTarget::Flow),
        }
    }
}

#[cfg(test)]
mod tests {
    use fluxo_grammar::ast::Span;

    use super::*;
    use crate::check::{check_files, CheckOptions};
    use crate::{parse_all, Sources};

    /// Every `goto` of `program`'s flows, with the flow it is in, in source order.
    fn gotos(files: &[crate::ParsedFile], info: &ProgramInfo) -> Vec<(FileId, usize, Ident)> {
        let mut found = Vec::new();
        for idx in 0..info.flows.len() {
            let Some((file, flow)) = info.flow_ast(files, idx) else {
                continue;
            };
            for stmt in &flow.body.stmts {
                if let fluxo_grammar::ast::StmtKind::Goto(target) = &stmt.kind {
                    found.push((file, idx, target.clone()));
                }
            }
        }
        found
    }

    #[test]
    fn a_goto_is_found_whatever_the_order_of_the_questions() {
        let mut sources = Sources::new();
        sources.add(
            "a.flow".to_string(),
            "flow main {\n  goto b\n}\nflow b {\n  again:\n  say \"oi\"\n  goto c\n}\n".to_string(),
        );
        sources.add(
            "b.flow".to_string(),
            "flow c {\n  goto again\n}\nflow again {\n  say \"fim\"\n}\n".to_string(),
        );
        let (files, _) = parse_all(&sources);
        let (info, diagnostics) = check_files(&sources, &files, &CheckOptions::default());
        assert!(
            diagnostics.iter().all(|it| !it.is_error()),
            "{diagnostics:?}"
        );
        let flow = |name: &str| info.flow(name).map(GotoTarget::Flow);
        let expected = [flow("b"), flow("c"), flow("again")];
        let asked = gotos(&files, &info);
        assert_eq!(asked.len(), expected.len());
        // In the walk's order, backwards (each a binary search), and twice over.
        let orders: [Vec<usize>; 3] = [vec![0, 1, 2], vec![2, 1, 0], vec![1, 1, 0, 0]];
        for order in orders {
            let mut cursor = GotoCursor::default();
            for at in order {
                let (file, from, target) = &asked[at];
                assert_eq!(
                    info.goto_target(&mut cursor, *file, *from, target),
                    expected[at],
                    "goto {} in flow {from}",
                    target.name
                );
            }
        }
        // A label of the flow wins over the flow of the same name.
        let (file, _, _) = &asked[1];
        let b = info.flow("b").unwrap_or_default();
        let again = Ident {
            name: "again".to_string(),
            span: Span::new(0, 5),
        };
        let mut cursor = GotoCursor::default();
        assert_eq!(
            info.goto_target(&mut cursor, *file, b, &again),
            Some(GotoTarget::Label(0))
        );
        // A `goto` the walk did not record (here, a made-up place) is looked up by name.
        let c_flow = info.flow("c").unwrap_or_default();
        assert_eq!(
            info.goto_target(&mut cursor, FileId(7), c_flow, &again),
            flow("again")
        );
    }
}

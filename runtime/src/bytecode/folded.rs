//! The labels of a program's menus in `fluxo_stdlib::answers::fold` form, made on
//! first use and kept with the program for every later conversation: a customer's
//! typed answer is compared with them on many turns, and folding a label costs far more
//! than comparing it.
//!
//! This is derived data, not part of the program: a clone starts empty, `==` and
//! `Debug` ignore it, and the `.fxb` file does not hold it. Each folded label keeps the
//! label it was made from and is used only while the label still reads the same, so a
//! program whose tables are changed after a conversation ran never matches stale text.

use std::fmt;
use std::sync::OnceLock;

use fluxo_stdlib::answers::fold;

use super::program::{Menu, Program};

/// Per menu, made when the menu is first matched against.
#[derive(Default)]
pub struct FoldedLabels(OnceLock<Box<[OnceLock<Labels>]>>);

/// Per option of one menu: the label as it was folded, and its folded form.
type Labels = Box<[(String, String)]>;

impl Clone for FoldedLabels {
    fn clone(&self) -> FoldedLabels {
        FoldedLabels::default()
    }
}

impl PartialEq for FoldedLabels {
    fn eq(&self, _: &FoldedLabels) -> bool {
        true
    }
}

impl fmt::Debug for FoldedLabels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FoldedLabels")
    }
}

impl Program {
    /// The first option of menu `menu` whose label, folded, `matches` (the labels are
    /// folded as `fluxo_stdlib::answers::fold` does). `None` when no label matches or
    /// the menu does not exist.
    pub fn option_by_folded_label(
        &self,
        menu: u32,
        matches: impl Fn(&str) -> bool,
    ) -> Option<usize> {
        let table = self.menus.get(menu as usize)?;
        let known = self.folded_labels(menu, table);
        table.options.iter().enumerate().position(|(idx, option)| {
            let label = self.string(option.label).unwrap_or_default();
            match known.and_then(|it| it.get(idx)) {
                Some((source, known)) if source == label => matches(known),
                _ => matches(&fold(label)),
            }
        })
    }

    fn folded_labels(&self, menu: u32, table: &Menu) -> Option<&[(String, String)]> {
        let menus = self
            .folded
            .0
            .get_or_init(|| self.menus.iter().map(|_| OnceLock::new()).collect());
        let labels = menus.get(menu as usize)?.get_or_init(|| {
            table
                .options
                .iter()
                .map(|option| {
                    let label = self.string(option.label).unwrap_or_default();
                    (label.to_string(), fold(label))
                })
                .collect()
        });
        Some(labels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::program::MenuOption;

    fn program(labels: &[&str]) -> Program {
        let mut program = Program {
            strings: labels.iter().map(|it| it.to_string()).collect(),
            ..Program::default()
        };
        program.menus.push(Menu {
            options: (0..labels.len() as u32)
                .map(|label| MenuOption { label, target: 0 })
                .collect(),
            otherwise: None,
        });
        program
    }

    #[test]
    fn finds_labels_by_their_folded_form_and_follows_changes() {
        let mut program = program(&["Sem conexão", "Mudança de endereço"]);
        let find = |program: &Program, menu, folded: &str| {
            program.option_by_folded_label(menu, |it| it == folded)
        };
        assert_eq!(find(&program, 0, "sem conexao"), Some(0));
        assert_eq!(find(&program, 0, "mudanca de endereco"), Some(1));
        assert_eq!(find(&program, 0, "mudança"), None);
        assert_eq!(find(&program, 1, "sem conexao"), None);
        // A label changed after it was folded is folded again, never matched stale.
        program.strings[0] = "Financeiro".to_string();
        assert_eq!(find(&program, 0, "sem conexao"), None);
        assert_eq!(find(&program, 0, "financeiro"), Some(0));
    }

    #[test]
    fn is_no_part_of_the_program() {
        let program = program(&["Suporte"]);
        let fresh = program.clone();
        assert_eq!(
            program.option_by_folded_label(0, |it| it == "suporte"),
            Some(0)
        );
        assert_eq!(program, fresh);
        assert_eq!(format!("{program:?}"), format!("{fresh:?}"));
    }
}

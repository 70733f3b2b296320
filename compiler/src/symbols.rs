//! The symbol index: every place a name of the program refers to a declaration, a flow,
//! a label or a variable, as the checker resolved it.
//!
//! Editors answer "go to definition", "find references" and "rename" from it. The
//! checker fills it while resolving names (one push per resolved name, so a program
//! pays nothing it did not already pay for the lookups); definitions are not stored
//! twice: they are read back from [`ProgramInfo`], which already holds their places.

use fluxo_grammar::FileId;
use fluxo_stdlib::types::ItemKind;
use rustc_hash::FxHashSet;

use crate::check::{Loc, ProgramInfo};

/// What a name stands for, as indices into [`ProgramInfo`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// A flow (`ProgramInfo::flows`), a script (`scripts`) or another declared item
    /// (`items`), by kind.
    Item(ItemKind, usize),
    /// Label `label` of flow `flow` (`FlowInfo::labels`).
    Label { flow: usize, label: usize },
    /// A variable (`ProgramInfo::variables`).
    Variable(usize),
}

/// One place where a symbol is named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub symbol: Symbol,
    /// The name as written (for a variable read as `x.field`, only `x`).
    pub loc: Loc,
}

/// The references the checker resolved, in the order it met them.
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    references: Vec<Occurrence>,
}

impl Symbols {
    pub(crate) fn push(&mut self, symbol: Symbol, loc: Loc) {
        self.references.push(Occurrence { symbol, loc });
    }

    /// Every resolved reference (assignments of a variable included; declarations not).
    pub fn references(&self) -> &[Occurrence] {
        &self.references
    }
}

impl ProgramInfo {
    /// Where `symbol` is declared: a name's span in its declaration, a variable's first
    /// assignment.
    pub fn definition(&self, symbol: Symbol) -> Option<Loc> {
        match symbol {
            Symbol::Item(ItemKind::Flow, idx) => self.flows.get(idx).map(|it| it.loc),
            Symbol::Item(ItemKind::Script, idx) => self.scripts.get(idx).map(|it| it.loc),
            Symbol::Item(_, idx) => self.items.get(idx).map(|it| it.loc),
            Symbol::Label { flow, label } => self
                .flows
                .get(flow)
                .and_then(|it| it.labels.get(label))
                .map(|it| it.loc),
            Symbol::Variable(idx) => self.variables.get(idx).map(|it| it.loc),
        }
    }

    /// Every declaration of the program with its place: items, scripts, flows, labels
    /// and variables.
    pub fn definitions(&self) -> Vec<Occurrence> {
        let mut out = Vec::new();
        let mut add = |symbol, loc| out.push(Occurrence { symbol, loc });
        for (idx, item) in self.items.iter().enumerate() {
            add(Symbol::Item(item.kind, idx), item.loc);
        }
        for (idx, script) in self.scripts.iter().enumerate() {
            add(Symbol::Item(ItemKind::Script, idx), script.loc);
        }
        for (idx, flow) in self.flows.iter().enumerate() {
            add(Symbol::Item(ItemKind::Flow, idx), flow.loc);
            for (label, info) in flow.labels.iter().enumerate() {
                add(Symbol::Label { flow: idx, label }, info.loc);
            }
        }
        for (idx, var) in self.variables.iter().enumerate() {
            add(Symbol::Variable(idx), var.loc);
        }
        out
    }

    /// The symbol named at byte `offset` of `file`, declaration or reference.
    pub fn symbol_at(&self, file: FileId, offset: u32) -> Option<Symbol> {
        let inside =
            |loc: &Loc| loc.file == file && loc.span.start <= offset && offset <= loc.span.end;
        self.symbols
            .references()
            .iter()
            .copied()
            .chain(self.definitions())
            .find(|it| inside(&it.loc))
            .map(|it| it.symbol)
    }

    /// Every place `symbol` is named, its declaration first, each place once.
    pub fn occurrences(&self, symbol: Symbol) -> Vec<Loc> {
        let mut out: Vec<Loc> = self.definition(symbol).into_iter().collect();
        let mut seen: FxHashSet<(FileId, u32, u32)> = out
            .iter()
            .map(|it| (it.file, it.span.start, it.span.end))
            .collect();
        for it in self.symbols.references() {
            let key = (it.loc.file, it.loc.span.start, it.loc.span.end);
            if it.symbol == symbol && seen.insert(key) {
                out.push(it.loc);
            }
        }
        out
    }

    /// How a type reads to an engineer: "a number", "a record `{ dbm: number }`".
    pub fn show_type(&self, ty: crate::check::Type) -> String {
        crate::check::types::Shown {
            ty,
            records: &self.record_types(),
        }
        .to_string()
    }
}

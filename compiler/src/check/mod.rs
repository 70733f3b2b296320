//! The checker: names, types, each card's rules and the flow analyses, over all files of
//! a program at once. Every problem of every file is reported in one run.
//!
//! The pipeline is the list of steps in [`check_files`]; each step reads what the
//! previous ones built and adds problems. Statement-level rules of each card live in
//! `crate::cards`; this module owns the program-wide structure: declarations,
//! variables, the control-flow graph and the analyses over it. All steps are linear in
//! the size of the program (the dataflow iterates to a fixpoint over a graph with one
//! node per statement; see `dataflow.rs`).
//!
//! What lowering reads afterwards is [`ProgramInfo`]: the declared items, the flows with
//! their labels, the variables with their types and the entry flow.

mod cfg;
mod damage;
mod dataflow;
mod declare;
mod gotos;
mod loops;
mod problem;
mod scripts;
mod suggest;
pub(crate) mod types;
mod unused;
mod vars;
mod walk;

use fluxo_grammar::ast::{self, Ident, Span};
use fluxo_grammar::{Diagnostic, FileId};
use fluxo_stdlib::builtins;
use fluxo_stdlib::catalogue::CardId;
use fluxo_stdlib::erp::ErpSystem;
use fluxo_stdlib::types::{ItemKind, Ty};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::index_of::{hash_str, IndexOf};
use crate::symbols::{Symbol, Symbols};
use crate::{ParsedFile, Sources};

pub use gotos::GotoCursor;
pub use problem::Loc;
pub(crate) use problem::Problem;
pub use scripts::{scripts_wanted_by, wanted_scripts, WantedScript};
pub(crate) use suggest::closest;
pub use types::Type;

/// How to check a program.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// The flow conversations start at.
    pub entry: String,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions {
            entry: "main".to_string(),
        }
    }
}

/// A checked program: the parsed files, what the checker resolved, and every diagnostic
/// (syntax ones included), sorted by file and position.
#[derive(Clone, Debug)]
pub struct Checked {
    pub files: Vec<ParsedFile>,
    pub program: ProgramInfo,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// What the checker resolved, for lowering and tools.
///
/// Indices (`FlowInfo::item`, `ItemInfo::item`) point into `ParsedFile::ast.items` of the
/// file named by the entry's `loc.file`. When the program has errors some references
/// may be unresolved; lowering should only run on programs without errors.
#[derive(Clone, Debug, Default)]
pub struct ProgramInfo {
    /// The name of the entry flow (whether or not it exists: see [`ProgramInfo::entry_flow`]).
    pub entry: String,
    /// The ERP the `erp` line declares.
    pub erp: Option<ErpSystem>,
    /// Departments, attendants, tags, groups, branches, periods, templates and agents,
    /// in source order.
    pub items: Vec<ItemInfo>,
    pub flows: Vec<FlowInfo>,
    pub scripts: Vec<ScriptInfo>,
    /// Every variable the program assigns (built-ins excluded), with its one type.
    pub variables: Vec<VariableInfo>,
    /// The statements with arms after which execution may also go on to the next
    /// statement (a `when` whose arms may all miss, a call card's arms, an incomplete
    /// `confirm`), in walk order: tools that draw a flow read it rather than decide
    /// exhaustiveness again.
    pub falls_through: Vec<Loc>,
    /// Per kind (`ItemKind as usize`): each name's index into `flows`, `scripts` or
    /// `items`. One map per kind so that a lookup borrows the name instead of building
    /// a `(kind, String)` key.
    names: [IndexOf; ItemKind::ALL.len()],
    /// Each variable's index into `variables`, by name.
    variable_index: IndexOf,
    /// Every name the checker resolved, for editors.
    pub symbols: Symbols,
    /// Each `goto` the walk resolved to a flow: where its target name is (file index,
    /// byte offset) and the flow, in walk order, which is source order. Lowering reads
    /// them in step (`gotos.rs`) instead of looking every name up again: on a program of
    /// many small flows that second lookup was one of the build's largest costs.
    goto_flows: Vec<(u32, u32, u32)>,
    /// How many statements the flows hold, nested ones included (a second flow of the
    /// same name is not counted): the walk and lowering size their buffers by it.
    statements: usize,
}

#[derive(Clone, Debug)]
pub struct ItemInfo {
    pub kind: ItemKind,
    pub name: String,
    pub loc: Loc,
    /// Index of the declaring item in its file's `ast.items`.
    pub item: usize,
    /// For an attendant: the department it is declared `in`.
    pub department: Option<String>,
}

#[derive(Clone, Debug)]
pub struct FlowInfo {
    pub name: String,
    pub loc: Loc,
    /// Index of the flow in its file's `ast.items`.
    pub item: usize,
    /// The labels of the flow (at any depth), in source order.
    pub labels: Vec<LabelInfo>,
    /// Whether some path from the entry flow reaches this flow.
    pub reached: bool,
}

#[derive(Clone, Debug)]
pub struct LabelInfo {
    pub name: String,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct ScriptInfo {
    pub name: String,
    pub path: String,
    /// The declared record fields, in order.
    pub fields: Vec<(String, Ty)>,
    /// The record type the script returns: the index of the first script with the same
    /// fields (records are structural), this one's own index if none came before.
    pub record: usize,
    pub loc: Loc,
    pub item: usize,
}

#[derive(Clone, Debug)]
pub struct VariableInfo {
    pub name: String,
    pub ty: Type,
    /// Where the first assignment in source order is; it fixes the type.
    pub loc: Loc,
}

/// Where `goto <name>` inside a flow leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GotoTarget {
    /// A label of the same flow: index into its `FlowInfo::labels`.
    Label(usize),
    /// A flow: index into `ProgramInfo::flows`.
    Flow(usize),
}

impl ProgramInfo {
    /// The entry flow's index, if the program declares it.
    pub fn entry_flow(&self) -> Option<usize> {
        self.flow(&self.entry)
    }

    pub fn flow(&self, name: &str) -> Option<usize> {
        self.index(ItemKind::Flow, name)
    }

    pub fn script(&self, name: &str) -> Option<usize> {
        self.index(ItemKind::Script, name)
    }

    /// A declared department, attendant, tag, group, branch, period, template or agent.
    pub fn item(&self, kind: ItemKind, name: &str) -> Option<&ItemInfo> {
        match kind {
            ItemKind::Flow | ItemKind::Script => None,
            _ => self.index(kind, name).and_then(|idx| self.items.get(idx)),
        }
    }

    pub fn variable(&self, name: &str) -> Option<&VariableInfo> {
        self.variable_id(name)
            .and_then(|idx| self.variables.get(idx))
    }

    /// The index of variable `name` in `variables`.
    pub fn variable_id(&self, name: &str) -> Option<usize> {
        let named = |idx: usize| self.variables.get(idx).is_some_and(|it| it.name == name);
        self.variable_index.get(hash_str(name), named)
    }

    /// The syntax tree of declared flow `idx` (the first flow of its name) and the file
    /// it is in: found by position, so that walking every flow looks up no names.
    pub fn flow_ast<'a>(
        &self,
        files: &'a [ParsedFile],
        idx: usize,
    ) -> Option<(FileId, &'a ast::Flow)> {
        let flow = self.flows.get(idx)?;
        let file = files
            .get(flow.loc.file.0 as usize)
            .filter(|it| it.id == flow.loc.file)
            .or_else(|| files.iter().find(|it| it.id == flow.loc.file))?;
        match &file.ast.items.get(flow.item)?.kind {
            ast::ItemKind::Flow(ast) => Some((file.id, ast)),
            _ => None,
        }
    }

    /// How many statements the flows hold, nested ones included.
    pub(crate) fn statements(&self) -> usize {
        self.statements
    }

    /// Index into `flows`, `scripts` or `items`, depending on the kind.
    pub(crate) fn index(&self, kind: ItemKind, name: &str) -> Option<usize> {
        let named = |idx: usize| self.name_at(kind, idx) == Some(name);
        self.names[kind as usize].get(hash_str(name), named)
    }

    /// The name of the flow, script or item at `idx` of `kind`'s list.
    fn name_at(&self, kind: ItemKind, idx: usize) -> Option<&str> {
        name_in(&self.flows, &self.scripts, &self.items, kind, idx)
    }

    /// Gives `kind`'s `name` place `idx` of its list, which it is about to join; the
    /// place of the first of that name if it is taken (or `idx` itself, past the
    /// table's 2^32 places).
    fn claim_name(&mut self, kind: ItemKind, name: &str, idx: usize) -> Result<(), usize> {
        let Ok(next) = u32::try_from(idx) else {
            return Err(idx);
        };
        let Self {
            names,
            flows,
            scripts,
            items,
            ..
        } = self;
        let name_at = |at| name_in(flows, scripts, items, kind, at);
        let found = names[kind as usize].find_or_insert(
            hash_str(name),
            next,
            |at| name_at(at) == Some(name),
            |at| hash_str(name_at(at).unwrap_or_default()),
        );
        found.map_or(Ok(()), Err)
    }

    /// Records that variable `name` is at `idx` of `variables`, which it is about to join.
    fn index_variable(&mut self, name: &str, idx: usize) -> bool {
        let Ok(at) = u32::try_from(idx) else {
            return false;
        };
        let variables = &self.variables;
        let hash_at = |at: usize| hash_str(variables.get(at).map_or("", |it| it.name.as_str()));
        self.variable_index.insert(hash_str(name), at, hash_at);
        true
    }

    /// The declared names of `kind`, in declaration order (so that a "did you mean"
    /// between equally close names does not depend on hashing).
    fn names_of(&self, kind: ItemKind) -> Box<dyn Iterator<Item = &str> + '_> {
        match kind {
            ItemKind::Flow => Box::new(self.flows.iter().map(|it| it.name.as_str())),
            ItemKind::Script => Box::new(self.scripts.iter().map(|it| it.name.as_str())),
            _ => Box::new(
                self.items
                    .iter()
                    .filter(move |it| it.kind == kind)
                    .map(|it| it.name.as_str()),
            ),
        }
    }

    /// Each script's record type as a message shows it: `{ ok: bool, msg: text }`.
    pub(crate) fn record_types(&self) -> Vec<String> {
        self.scripts
            .iter()
            .map(|it| {
                let fields: Vec<String> = it
                    .fields
                    .iter()
                    .map(|(name, ty)| format!("{name}: {ty}"))
                    .collect();
                format!("{{ {} }}", fields.join(", "))
            })
            .collect()
    }
}

/// Checks parsed files (the flow files of `sources`, which also holds the Low Code
/// scripts). Syntax diagnostics are the caller's; the result holds only the checker's,
/// sorted.
pub fn check_files(
    sources: &Sources,
    files: &[ParsedFile],
    options: &CheckOptions,
) -> (ProgramInfo, Vec<Diagnostic>) {
    let mut cx = Cx::new(options);
    // 1. Declarations: items of every kind, the `erp` line, the entry flow.
    declare::collect(&mut cx, files);
    // 2. Variables: every assignment, each variable's one type.
    vars::collect(&mut cx, files);
    // 3. Statements: names, types, arguments and each card's rules; builds the graph.
    let graph = walk::walk(&mut cx, files);
    // 4. Dataflow over the graph: unassigned reads, auto_link before sign_contract,
    //    channel-only cards, unreachable statements, unreached flows, open endings.
    dataflow::analyse(&mut cx, &graph);
    // 5. Loops that never wait for the customer.
    loops::check(&mut cx, &graph);
    // 6. Declarations and labels nothing uses.
    unused::check(&mut cx);
    // 7. Low Code scripts: each file the host supplied compiles in the sandbox.
    scripts::check(&mut cx, files, sources);
    let mut diagnostics: Vec<Diagnostic> = cx
        .problems
        .into_iter()
        .map(Problem::into_diagnostic)
        .collect();
    // 8. What a syntax error's recovery may explain is not reported a second time.
    damage::forgive(&mut diagnostics, files, sources, &cx.program.entry);
    sort(&mut diagnostics, sources);
    (cx.program, diagnostics)
}

/// Sorts diagnostics by file, then line, errors before warnings within a line (the
/// warning is most often the error's consequence), then column, keeping the order of
/// equal ones (a syntax error before the checker's).
pub(crate) fn sort(diagnostics: &mut [Diagnostic], sources: &Sources) {
    // Each file's line starts, found once: a large program may have many diagnostics.
    let mut newlines: FxHashMap<FileId, Vec<u32>> = FxHashMap::default();
    diagnostics.sort_by_cached_key(|d| {
        let (file, start) = (d.primary.file, d.primary.span.start);
        let lines = newlines.entry(file).or_insert_with(|| {
            let text = sources.get(file).map_or("", |it| it.text.as_str());
            text.match_indices('\n')
                .filter_map(|(at, _)| u32::try_from(at).ok())
                .collect()
        });
        let line = lines.partition_point(|&at| at < start);
        (file, line, !d.is_error(), start)
    });
}

/// The state the steps share.
pub(crate) struct Cx {
    pub program: ProgramInfo,
    pub problems: Vec<Problem>,
    /// The file being walked.
    pub file: FileId,
    /// Variables read by the statement being checked, collected for its graph node.
    pub reads: Vec<(usize, Loc)>,
    /// Whether the program has an `erp` line (even one naming an unknown system).
    pub erp_line: bool,
    /// The declarations some reference resolved to: (kind, index into `items`,
    /// `scripts` or `flows`).
    pub used: FxHashSet<(ItemKind, usize)>,
    /// The labels some `goto` names: (flow, index into its `labels`).
    pub used_labels: FxHashSet<(usize, usize)>,
}

impl Cx {
    fn new(options: &CheckOptions) -> Cx {
        Cx {
            program: ProgramInfo {
                entry: options.entry.clone(),
                ..ProgramInfo::default()
            },
            problems: Vec::new(),
            file: FileId(0),
            reads: Vec::new(),
            erp_line: false,
            used: FxHashSet::default(),
            used_labels: FxHashSet::default(),
        }
    }

    pub fn loc(&self, span: Span) -> Loc {
        Loc::new(self.file, span)
    }

    pub fn report(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// The index of the declared item `name` of `kind` (into `flows`, `scripts` or
    /// `items`), reporting an unknown name with a hint of the same kind.
    pub fn resolve(&mut self, kind: ItemKind, name: &Ident) -> Option<usize> {
        if name.name.is_empty() {
            return None;
        }
        if let Some(idx) = self.program.index(kind, &name.name) {
            self.used.insert((kind, idx));
            let at = self.loc(name.span);
            self.program.symbols.push(Symbol::Item(kind, idx), at);
            return Some(idx);
        }
        let suggestion = suggest::closest(&name.name, self.program.names_of(kind));
        // The name it most likely misspells counts as used: one mistake, one report.
        if let Some(idx) = suggestion
            .as_deref()
            .and_then(|it| self.program.index(kind, it))
        {
            self.used.insert((kind, idx));
        }
        self.report(Problem::UnknownName {
            at: self.loc(name.span),
            kind: kind.english().to_string(),
            name: name.name.clone(),
            suggestion,
        });
        None
    }

    /// How a type reads in a message: "a number", "a record `{ dbm: number }`".
    pub fn show(&self, ty: Type) -> String {
        let records = self.program.record_types();
        types::Shown {
            ty,
            records: &records,
        }
        .to_string()
    }

    /// The type of variable `name`: a user variable or a built-in.
    pub fn variable_type(&self, name: &str) -> Option<Type> {
        match self.program.variable(name) {
            Some(var) => Some(var.ty),
            None => builtins::builtin(name).map(|it| Type::Value(it.ty)),
        }
    }
}

/// The catalogue card a call names. Compares `namespace.name` piecewise, so no full name
/// is built for each call of the program.
pub(crate) fn call_card(call: &ast::Call) -> Option<CardId> {
    let name = call.name.name.as_str();
    let matches = |full: &str| match &call.namespace {
        Some(ns) => {
            full.strip_prefix(ns.name.as_str())
                .and_then(|rest| rest.strip_prefix('.'))
                == Some(name)
        }
        None => full == name,
    };
    CardId::ALL.into_iter().find(|it| matches(it.name()))
}

/// Every flow of every file with the file it is in and its index among the file's items.
pub(crate) fn flows(files: &[ParsedFile]) -> impl Iterator<Item = (FileId, usize, &ast::Flow)> {
    files.iter().flat_map(|file| {
        file.ast
            .items
            .iter()
            .enumerate()
            .filter_map(move |(idx, item)| match &item.kind {
                ast::ItemKind::Flow(flow) => Some((file.id, idx, flow)),
                _ => None,
            })
    })
}

/// Expressions checked inside statements report their problems and record their reads.
impl types::Env for Cx {
    fn variable(&mut self, name: &str) -> Option<Type> {
        self.variable_type(name)
    }

    fn record_read(&mut self, name: &str, loc: Loc) {
        if let Some(idx) = self.program.variable_id(name) {
            self.reads.push((idx, loc));
        }
    }

    fn record_reference(&mut self, name: &Ident) {
        if let Some(idx) = self.program.variable_id(&name.name) {
            let at = self.loc(name.span);
            self.program.symbols.push(Symbol::Variable(idx), at);
        }
    }

    fn variable_names(&self) -> Vec<&str> {
        let user = self.program.variables.iter().map(|it| it.name.as_str());
        user.chain(builtins::builtins().iter().map(|it| it.name))
            .collect()
    }

    fn fields(&self, script: usize) -> &[(String, Ty)] {
        self.program
            .scripts
            .get(script)
            .map_or(&[], |it| it.fields.as_slice())
    }

    fn report(&mut self, problem: Problem) {
        Cx::report(self, problem);
    }

    fn loc(&self, span: Span) -> Loc {
        Cx::loc(self, span)
    }

    fn show(&self, ty: Type) -> String {
        Cx::show(self, ty)
    }
}

/// The name at `idx` of `kind`'s list: flows and scripts have their own, every other
/// kind shares `items`.
fn name_in<'a>(
    flows: &'a [FlowInfo],
    scripts: &'a [ScriptInfo],
    items: &'a [ItemInfo],
    kind: ItemKind,
    idx: usize,
) -> Option<&'a str> {
    match kind {
        ItemKind::Flow => flows.get(idx).map(|it| it.name.as_str()),
        ItemKind::Script => scripts.get(idx).map(|it| it.name.as_str()),
        _ => items.get(idx).map(|it| it.name.as_str()),
    }
}

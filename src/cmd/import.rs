//! `fluxo import flows.json -o DIR`: an Opa JSON document as a project folder (`-` reads
//! it from stdin). Into an empty folder it writes the project; into a project folder it
//! updates it in place: the flows and declarations become the document's, every other
//! file stays, and it says which definitions it added, changed and removed. A file
//! changed since the export (or one the document cannot vouch for) is only overwritten
//! or removed with `--force`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use fluxo_compiler::json::project::{self, ImportedProject, ProjectFile};

use crate::cmd::export::relative;
use crate::files::{self, io_error, CliError, CliResult};

/// Read an Opa flow export (JSON) into a project folder.
#[derive(clap::Args)]
pub struct Args {
    /// The exported JSON file, or `-` for stdin.
    input: PathBuf,
    /// The project folder to write (created if missing; updated in place if it has one).
    #[arg(short, long)]
    output: PathBuf,
    /// Overwrite or remove files changed since the export.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let json = files::read(&args.input)?;
    import(&json, &args.input, &args.output, args.force)
}

/// Imports the document `json` (read from `input`) into the folder `output`, as `fluxo
/// import` does once it has the text. The `import` fuzz target drives this very
/// function.
pub fn import(json: &str, input: &Path, output: &Path, force: bool) -> CliResult<ExitCode> {
    let local = local_project(output)?;
    let imported = match project::import(json, &local) {
        Ok(imported) => imported,
        Err(err) => {
            eprintln!("error: {}: {err}", input.display());
            return Ok(ExitCode::from(1));
        }
    };
    let plan = plan(output, &local, &imported)?;
    if !plan.conflicts.is_empty() && !force {
        return Err(CliError(format!(
            "{} changed since the export (or the document does not say how they were \
             exported): {}; pass --force to overwrite them",
            if plan.conflicts.len() == 1 {
                "this file has"
            } else {
                "these files have"
            },
            plan.conflicts.join(", ")
        )));
    }
    for file in &plan.write {
        let path = output.join(&file.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))?;
        }
        files::write(&path, &file.text)?;
    }
    for path in &plan.remove {
        let path = output.join(path);
        std::fs::remove_file(&path).map_err(|e| io_error(&path, &e))?;
    }
    for warning in &imported.warnings {
        eprintln!("warning: {}: {warning}", input.display());
    }
    let new_flows: Vec<ProjectFile> = imported
        .files
        .iter()
        .filter(|f| f.path.ends_with(".flow"))
        .cloned()
        .collect();
    let changes = project::changes(&local, &new_flows);
    for (verb, names) in [
        ("added", &changes.added),
        ("changed", &changes.changed),
        ("removed", &changes.removed),
    ] {
        // Into a new folder, everything is added: the summary says enough.
        for name in names.iter().filter(|_| !local.is_empty()) {
            eprintln!("{verb} {name}");
        }
    }
    eprintln!(
        "imported into {}: {} added, {} changed, {} removed, {} unchanged; {} file(s) \
         written, {} removed, {} warning(s)",
        output.display(),
        changes.added.len(),
        changes.changed.len(),
        changes.removed.len(),
        changes.unchanged,
        plan.write.len(),
        plan.remove.len(),
        imported.warnings.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// The `.flow` files already in `dir` (none when it does not exist).
fn local_project(dir: &Path) -> CliResult<Vec<ProjectFile>> {
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(dir, &e)),
        Ok(meta) if !meta.is_dir() => {
            return Err(CliError(format!("{} is not a folder", dir.display())))
        }
        Ok(_) => {}
    }
    let mut found = Vec::new();
    files::collect(dir, "flow", &mut found)?;
    found.sort();
    found
        .into_iter()
        .map(|path| Ok(ProjectFile::new(relative(dir, &path), files::read(&path)?)))
        .collect()
}

/// What an import does to the folder.
struct Plan {
    write: Vec<ProjectFile>,
    remove: Vec<String>,
    /// Files it would overwrite or remove that changed since the export.
    conflicts: Vec<String>,
}

fn plan(dir: &Path, local: &[ProjectFile], imported: &ImportedProject) -> CliResult<Plan> {
    let mut plan = Plan {
        write: Vec::new(),
        remove: Vec::new(),
        conflicts: Vec::new(),
    };
    // A `.flow` file may be overwritten when it is as the export saw it; another file
    // (a script) when it is what the document carries.
    let untouched = |file: &ProjectFile, old: &str| match imported.bases.get(&file.path) {
        Some(base) => project::fingerprint(old).as_ref() == Some(base),
        None => false,
    };
    for file in &imported.files {
        let path = dir.join(&file.path);
        let old = match files::read_text(&path, files::INPUT) {
            Ok(old) => Some(old),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_error(&path, &e)),
        };
        match old {
            Some(old) if old == file.text => {}
            Some(old) => {
                if !untouched(file, &old) {
                    plan.conflicts.push(file.path.clone());
                }
                plan.write.push(file.clone());
            }
            None => plan.write.push(file.clone()),
        }
    }
    for file in local {
        let kept = imported.files.iter().any(|f| f.path == file.path);
        // A file of comments alone defines nothing the document could replace.
        if kept
            || project::changes(&[], std::slice::from_ref(file))
                .added
                .is_empty()
        {
            continue;
        }
        if !untouched(file, &file.text) {
            plan.conflicts.push(file.path.clone());
        }
        plan.remove.push(file.path.clone());
    }
    Ok(plan)
}

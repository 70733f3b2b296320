//! The Low Code scripts of one program, compiled once when the program loads and
//! looked up by the script's declared name when a `lowcode` card runs, together with
//! the record each must return.
//!
//! The program holds only each script's path; reading the files is the caller's job
//! (the CLI reads them beside the flow, a server from its store), so this module does
//! no I/O. It knows nothing about running scripts: see `host`.

use std::collections::HashMap;
use std::fmt;

use crate::lowcode::{self, CompiledScript, FieldType};
use fluxo_runtime::bytecode::program::{Script, ValueType};
use fluxo_runtime::bytecode::Program;

/// A script ready to run, and the fields its record must have.
#[derive(Clone, Debug)]
pub struct LoadedScript {
    pub compiled: CompiledScript,
    pub fields: Vec<(String, FieldType)>,
}

/// The compiled scripts of a program, by declared name.
#[derive(Clone, Debug, Default)]
pub struct Scripts {
    by_name: HashMap<String, LoadedScript>,
}

/// Why a program's scripts could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptLoadError {
    /// The script's declared name.
    pub script: String,
    /// Its path as the program declares it.
    pub path: String,
    /// 1-based line and column in the script file, for a syntax error.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for ScriptLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(
                f,
                "script `{}` ({}:{line}:{column}): {}",
                self.script, self.path, self.message
            ),
            None => write!(
                f,
                "script `{}` ({}): {}",
                self.script, self.path, self.message
            ),
        }
    }
}

impl std::error::Error for ScriptLoadError {}

impl Scripts {
    /// Compiles every script `program` declares. `read` returns a script's source from
    /// its declared path, or why it cannot (in English).
    pub fn load(
        program: &Program,
        read: &mut dyn FnMut(&str) -> Result<String, String>,
    ) -> Result<Scripts, ScriptLoadError> {
        let mut by_name = HashMap::new();
        for script in &program.entities.scripts {
            let (name, path) = names(program, script)?;
            let error = |position, message: String| ScriptLoadError {
                script: name.clone(),
                path: path.clone(),
                position,
                message,
            };
            let source = read(&path).map_err(|message| error(None, message))?;
            let compiled = lowcode::compile(&name, &source)
                .map_err(|it| error(Some((it.line, it.column)), it.message))?;
            let mut fields = Vec::with_capacity(script.fields.len());
            for field in &script.fields {
                let field_name = program
                    .string(field.name)
                    .ok_or_else(|| error(None, "a record field's name is missing".into()))?;
                let ty = field_type(field.ty).ok_or_else(|| {
                    error(
                        None,
                        format!("the record field `{field_name}` has a type no script can return"),
                    )
                })?;
                fields.push((field_name.to_string(), ty));
            }
            by_name.insert(name, LoadedScript { compiled, fields });
        }
        Ok(Scripts { by_name })
    }

    /// The script declared as `name`.
    pub fn get(&self, name: &str) -> Option<&LoadedScript> {
        self.by_name.get(name)
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

fn names(program: &Program, script: &Script) -> Result<(String, String), ScriptLoadError> {
    let name = program.string(script.name).unwrap_or_default().to_string();
    let path = program.string(script.path).unwrap_or_default().to_string();
    if name.is_empty() || path.is_empty() {
        return Err(ScriptLoadError {
            script: name,
            path,
            position: None,
            message: "the program declares a script without a name or a path".into(),
        });
    }
    Ok((name, path))
}

/// How a record field's declared type is checked in the JSON a script returns.
fn field_type(ty: ValueType) -> Option<FieldType> {
    match ty {
        ValueType::Number => Some(FieldType::Number),
        ValueType::Bool => Some(FieldType::Bool),
        ValueType::Text | ValueType::Input(_) => Some(FieldType::Text),
        ValueType::Duration
        | ValueType::Time
        | ValueType::Date
        | ValueType::Enum(_)
        | ValueType::Record(_) => None,
    }
}

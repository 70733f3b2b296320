//! The errors of a Low Code run (a script that does not compile is
//! `fluxo_lowcode::ScriptError`): the reasons a run fails. It owns turning Rhai's
//! errors into ours; Display texts are English sentences written for the engineer
//! reading the log when the card takes its fail path.

use std::fmt;

use rhai::{EvalAltResult, Position};

/// Which resource limit a run hit; see [`Limits`](super::Limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitKind {
    Operations,
    CallDepth,
    StringSize,
    ArraySize,
    MapSize,
    ResponseSize,
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LimitKind::Operations => "the number of operations (max_operations)",
            LimitKind::CallDepth => "the depth of nested function calls (max_call_depth)",
            LimitKind::StringSize => "the size of a string (max_string_size)",
            LimitKind::ArraySize => "the size of an array (max_array_size)",
            LimitKind::MapSize => "the size of a map (max_map_size)",
            LimitKind::ResponseSize => "the size of an HTTP response (max_response_bytes)",
        })
    }
}

/// Why a run failed. The card takes its fail path and logs this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LowcodeError {
    /// The script raised an error (`throw`, a bad index, a wrong type, a bad
    /// regex, ...), at `line` of the `.rhai` file when Rhai knows it.
    Script {
        message: String,
        line: Option<usize>,
    },
    /// The run hit a resource limit.
    Limit(LimitKind),
    /// The run took longer than its timeout.
    Timeout,
    /// The script asked for a host outside `allowed_hosts` (directly or
    /// through a redirect); no connection was made.
    HostNotAllowed(String),
    /// An HTTP request failed below the HTTP level (connection refused, TLS,
    /// too many redirects). An HTTP error status is not this: the script sees it.
    Http(String),
    /// A flow value could not be given to the script.
    BadInput(String),
    /// The script's result is not the record the flow declared.
    BadResult(String),
}

impl fmt::Display for LowcodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LowcodeError::Script {
                message,
                line: Some(line),
            } => {
                write!(f, "the script failed at line {line}: {message}")
            }
            LowcodeError::Script {
                message,
                line: None,
            } => write!(f, "the script failed: {message}"),
            LowcodeError::Limit(kind) => write!(f, "the script exceeded {kind}"),
            LowcodeError::Timeout => f.write_str("the script did not finish within its timeout"),
            LowcodeError::HostNotAllowed(host) => write!(
                f,
                "the script tried to reach `{host}`, which is not in the allowed hosts"
            ),
            LowcodeError::Http(reason) => write!(f, "an HTTP request failed: {reason}"),
            LowcodeError::BadInput(reason) => write!(f, "the script's input is invalid: {reason}"),
            LowcodeError::BadResult(reason) => {
                write!(f, "the script's result is invalid: {reason}")
            }
        }
    }
}

impl std::error::Error for LowcodeError {}

/// Wraps a host failure so that Rhai unwinds the whole run: `ErrorTerminated`
/// cannot be caught by a script's `try`/`catch`, so a timeout or a forbidden
/// host always reaches the caller.
pub(crate) fn abort(err: LowcodeError) -> Box<EvalAltResult> {
    EvalAltResult::ErrorTerminated(rhai::Dynamic::from(err), Position::NONE).into()
}

/// A script-level error (a mistake in the script or its data), which the
/// script may catch.
pub(crate) fn script_error(message: impl Into<String>) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(message.into().into(), Position::NONE).into()
}

impl LowcodeError {
    pub(crate) fn from_eval(err: &EvalAltResult) -> LowcodeError {
        let inner = err.unwrap_inner();
        match inner {
            EvalAltResult::ErrorTooManyOperations(..) => LowcodeError::Limit(LimitKind::Operations),
            EvalAltResult::ErrorStackOverflow(..) => LowcodeError::Limit(LimitKind::CallDepth),
            EvalAltResult::ErrorDataTooLarge(what, ..) => LowcodeError::Limit(data_limit(what)),
            EvalAltResult::ErrorTerminated(token, ..) => token
                .clone()
                .try_cast::<LowcodeError>()
                .unwrap_or(LowcodeError::Timeout),
            _ => LowcodeError::Script {
                message: script_message(err),
                line: inner.position().line(),
            },
        }
    }
}

fn data_limit(what: &str) -> LimitKind {
    if what.starts_with("Size of array") {
        LimitKind::ArraySize
    } else if what.starts_with("Size of object map") {
        LimitKind::MapSize
    } else {
        LimitKind::StringSize
    }
}

/// The innermost error's text, prefixed with the script functions it
/// happened in, outermost first: "in function `leia`: Runtime error: ...".
fn script_message(err: &EvalAltResult) -> String {
    let mut prefix = String::new();
    let mut current = err;
    while let EvalAltResult::ErrorInFunctionCall(name, _, inner, _) = current {
        prefix.push_str(&format!("in function `{name}`: "));
        current = inner;
    }
    let text = match current {
        EvalAltResult::ErrorRuntime(value, _) if value.is_string() => value.to_string(),
        other => {
            let text = other.to_string();
            let suffix = format!(" ({})", other.position());
            match text.strip_suffix(&suffix) {
                Some(bare) if !other.position().is_none() => bare.to_string(),
                _ => text,
            }
        }
    };
    prefix.push_str(&text);
    prefix
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_are_sentences_with_the_facts() {
        let err = LowcodeError::Script {
            message: "boom".into(),
            line: Some(3),
        };
        assert_eq!(err.to_string(), "the script failed at line 3: boom");
        assert_eq!(
            LowcodeError::Limit(LimitKind::CallDepth).to_string(),
            "the script exceeded the depth of nested function calls (max_call_depth)"
        );
        assert!(LowcodeError::HostNotAllowed("evil.com".into())
            .to_string()
            .contains("`evil.com`"));
    }
}

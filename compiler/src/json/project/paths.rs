//! The file names an import may write: relative to the project folder, `/` between
//! folders, never outside it (`..`, absolute paths), never hidden (`.git/...`), and only
//! plain characters, whatever a document says.

/// Checks a path a document gives for a `.flow` file.
pub fn flow_path(path: &str) -> Result<(), String> {
    safe(path)?;
    if !path.ends_with(".flow") {
        return Err(format!("`{path}` is not a .flow file name"));
    }
    Ok(())
}

/// Where the script `path` of a `script` item of the flow file `from` is, as a path in
/// the project folder.
pub fn script_path(from: &str, path: &str) -> Result<String, String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    if path.starts_with('/') || path.contains('\\') {
        return Err(format!("`{path}` is not a relative path"));
    }
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!("`{path}` leads outside the project folder"));
                }
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    safe(&joined)?;
    if joined.ends_with(".flow") {
        return Err(format!("`{path}` would be read as a flow file"));
    }
    Ok(joined)
}

fn safe(path: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("`{path}` {why}"));
    if path.is_empty() {
        return bad("is empty");
    }
    if path.starts_with('/') || path.contains('\\') || path.contains(':') {
        return bad("is not a relative path inside the project folder");
    }
    for part in path.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return bad("is not a relative path inside the project folder");
        }
        if part.starts_with('.') {
            return bad("names a hidden file or folder");
        }
        if !part
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '))
        {
            return bad("has characters a file name should not have");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_project() {
        assert!(flow_path("main.flow").is_ok());
        assert!(flow_path("fluxos/suporte técnico.flow").is_ok());
        for bad in [
            "../x.flow",
            "/etc/x.flow",
            "a/../../x.flow",
            ".git/x.flow",
            "a//b.flow",
            "c:x.flow",
            "a\\b.flow",
            "x\n.flow",
            "x.rhai",
            "",
        ] {
            assert!(flow_path(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            script_path("sub/main.flow", "../scripts/a.rhai").as_deref(),
            Ok("scripts/a.rhai")
        );
        assert_eq!(script_path("main.flow", "a.rhai").as_deref(), Ok("a.rhai"));
        assert!(script_path("main.flow", "../a.rhai").is_err());
        assert!(script_path("main.flow", "/etc/passwd").is_err());
        assert!(script_path("main.flow", ".git/hooks/pre-commit").is_err());
        assert!(script_path("main.flow", "other.flow").is_err());
    }
}

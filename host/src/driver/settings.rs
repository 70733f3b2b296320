//! The `[lowcode]` table of `fluxo.toml`: which hosts Low Code scripts may reach, and
//! optionally a tighter operation limit. The rest of the file belongs to others (the
//! `[erp]` table to `erp::config`) and is ignored here. No I/O: the caller hands in the
//! text.

use serde::Deserialize;

use crate::erp::config::ConfigError;
use crate::lowcode::LowcodeConfig;

#[derive(Deserialize)]
struct Document {
    lowcode: Option<Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    #[serde(default)]
    allowed_hosts: Vec<String>,
    max_operations: Option<u64>,
}

/// The Low Code settings of a `fluxo.toml`; the defaults (no host allowed) when it has
/// no `[lowcode]` table.
pub fn lowcode_settings(text: &str) -> Result<LowcodeConfig, ConfigError> {
    let document: Document = toml::from_str(text).map_err(|error| ConfigError {
        line: None,
        column: None,
        message: error.to_string().trim_end().to_string(),
    })?;
    let mut config = LowcodeConfig::default();
    if let Some(table) = document.lowcode {
        config.allowed_hosts = table.allowed_hosts;
        if let Some(max) = table.max_operations {
            config.limits.max_operations = max;
        }
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_lowcode_table_and_ignores_the_rest() {
        let text = "[erp]\nsystem = \"ixc\"\nbase_url = \"https://erp\"\n\n[lowcode]\n\
                    allowed_hosts = [\"olt.provedor.net.br\", \"*.intranet\"]\nmax_operations = 5000\n";
        let config = lowcode_settings(text).expect("valid");
        assert_eq!(config.allowed_hosts, ["olt.provedor.net.br", "*.intranet"]);
        assert_eq!(config.limits.max_operations, 5000);
        assert_eq!(
            lowcode_settings("").expect("valid"),
            LowcodeConfig::default()
        );
    }

    #[test]
    fn refuses_unknown_keys_and_bad_toml() {
        let typo = lowcode_settings("[lowcode]\nallowed_host = [\"a\"]\n").expect_err("a typo");
        assert!(typo.message.contains("allowed_host"), "{}", typo.message);
        assert!(lowcode_settings("[lowcode\n").is_err());
    }
}

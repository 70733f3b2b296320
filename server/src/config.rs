//! The `[server]` table of `fluxo.toml`: where to listen and keep data, the tokens
//! (each read from the environment variable the file names), the outbound webhook,
//! limits, retention and logs. Other tables belong to others (`[erp]`, `[lowcode]`)
//! and are ignored here. A key this table does not know is an error naming it; a
//! secret's variable that is not set is an error naming the key and the variable,
//! never a value.

use serde::Deserialize;

use crate::Settings;

#[derive(Deserialize)]
struct Document {
    server: Option<ServerConfig>,
    handoff: Option<HandoffConfig>,
}

/// The `[handoff]` table: where hand-off records go.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HandoffConfig {
    pub url: String,
}

/// The `[server]` table as written.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: Option<String>,
    pub data: Option<String>,
    /// A PostgreSQL URL (`postgres://user@host/db`): the store several processes
    /// share, instead of the data folder's SQLite file.
    pub store: Option<String>,
    pub api_token_env: Option<String>,
    pub admin_token_env: Option<String>,
    pub webhook_url: Option<String>,
    pub webhook_timeout_secs: Option<u64>,
    pub wait_timeout_secs: Option<u64>,
    pub inactivity_secs: Option<u64>,
    pub messages_per_minute: Option<u32>,
    pub max_body_bytes: Option<usize>,
    pub retention_days: Option<u64>,
    /// `text` (default) or `json`.
    pub log_format: Option<String>,
    /// The company name new conversations greet with.
    pub company: Option<String>,
    /// The `[handoff]` table (a table of its own in the file).
    #[serde(skip)]
    pub handoff: Option<HandoffConfig>,
}

impl ServerConfig {
    /// The `[server]` table of a `fluxo.toml`'s text; the defaults when it has none.
    pub fn parse(text: &str) -> Result<ServerConfig, String> {
        let document: Document =
            toml::from_str(text).map_err(|e| e.to_string().trim_end().replace('\n', " "))?;
        let mut config = document.server.unwrap_or_default();
        config.handoff = document.handoff;
        let is_http = |url: &str| url.starts_with("http://") || url.starts_with("https://");
        if config.handoff.as_ref().is_some_and(|it| !is_http(&it.url)) {
            return Err("[handoff] url: not an http:// or https:// URL".into());
        }
        if let Some(format) = config.log_format.as_deref() {
            if format != "text" && format != "json" {
                return Err(format!(
                    "[server] log_format: `{format}` is neither `text` nor `json`"
                ));
            }
        }
        if config
            .webhook_url
            .as_deref()
            .is_some_and(|url| !(url.starts_with("http://") || url.starts_with("https://")))
        {
            return Err("[server] webhook_url: not an http:// or https:// URL".into());
        }
        Ok(config)
    }

    /// Applies the table to `settings`, reading secrets through `env` (the process
    /// environment, or a test's map).
    pub fn apply(
        &self,
        settings: &mut Settings,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), String> {
        let secret = |key: &str, var: &Option<String>| -> Result<Option<String>, String> {
            let Some(var) = var else {
                return Ok(None);
            };
            match env(var) {
                Some(value) if !value.is_empty() => Ok(Some(value)),
                _ => Err(format!(
                    "[server] {key} names the environment variable {var}, which is not set"
                )),
            }
        };
        settings.api_token = secret("api_token_env", &self.api_token_env)?;
        settings.admin_token = secret("admin_token_env", &self.admin_token_env)?;
        settings.webhook = self.webhook_url.clone();
        settings.handoff = self.handoff.as_ref().map(|it| it.url.clone());
        let set = |target: &mut u64, value: Option<u64>| {
            if let Some(value) = value {
                *target = value;
            }
        };
        set(
            &mut settings.webhook_timeout_secs,
            self.webhook_timeout_secs,
        );
        set(&mut settings.wait_timeout_secs, self.wait_timeout_secs);
        set(&mut settings.inactivity_secs, self.inactivity_secs);
        set(
            &mut settings.retention_secs,
            self.retention_days
                .map(|days| days.saturating_mul(24 * 3600)),
        );
        if let Some(n) = self.messages_per_minute {
            settings.messages_per_minute = n;
        }
        if let Some(n) = self.max_body_bytes {
            settings.max_body_bytes = n;
        }
        settings.json_logs = self.log_format.as_deref() == Some("json");
        if let Some(company) = &self.company {
            settings.context.company_name = company.clone();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluxo_runtime::session::Context;

    #[test]
    fn reads_the_server_table_and_ignores_the_others() {
        let text = "[erp]\nsystem = \"ixc\"\n\n[server]\nlisten = \"0.0.0.0:80\"\n\
                    api_token_env = \"TOKEN\"\nlog_format = \"json\"\nretention_days = 2\n\n\
                    [handoff]\nurl = \"http://127.0.0.1:9/handoff\"\n";
        let config = ServerConfig::parse(text).unwrap();
        assert_eq!(config.listen.as_deref(), Some("0.0.0.0:80"));
        let mut settings = Settings::new(Context::new(0));
        let env = |var: &str| (var == "TOKEN").then(|| "s3cret".to_string());
        config.apply(&mut settings, &env).unwrap();
        assert_eq!(settings.api_token.as_deref(), Some("s3cret"));
        assert!(settings.json_logs);
        assert_eq!(settings.retention_secs, 2 * 24 * 3600);
        assert_eq!(
            settings.handoff.as_deref(),
            Some("http://127.0.0.1:9/handoff")
        );
    }

    #[test]
    fn a_wrong_key_or_a_missing_secret_is_named_without_values() {
        let typo = ServerConfig::parse("[server]\nlisten_on = \"x\"\n").unwrap_err();
        assert!(typo.contains("listen_on"), "{typo}");
        let config = ServerConfig::parse("[server]\nadmin_token_env = \"FLUXO_ADMIN\"\n").unwrap();
        let mut settings = Settings::new(Context::new(0));
        let missing = config.apply(&mut settings, &|_| None).unwrap_err();
        assert_eq!(
            missing,
            "[server] admin_token_env names the environment variable FLUXO_ADMIN, which is not set"
        );
        let bad = ServerConfig::parse("[server]\nlog_format = \"xml\"\n").unwrap_err();
        assert!(bad.contains("log_format"), "{bad}");
    }
}

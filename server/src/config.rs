//! The `[server]`, `[handoff]` and `[channels.*]` tables of `fluxo.toml`: where to
//! listen and keep data, the tokens (each read from the environment variable the file
//! names), the outbound webhook, the hand-off and notify targets, the WhatsApp and
//! Telegram channels, limits, retention and logs. Other tables belong to others
//! (`[erp]`, `[lowcode]`) and are ignored here. A key this table does not know is an error naming it; a
//! secret's variable that is not set is an error naming the key and the variable,
//! never a value.

use serde::Deserialize;

use crate::channels::{TelegramSettings, WhatsAppSettings};
use crate::Settings;

#[derive(Deserialize)]
struct Document {
    server: Option<ServerConfig>,
    handoff: Option<HandoffConfig>,
    channels: Option<ChannelsConfig>,
}

/// The `[handoff]` table: where hand-off records (and `notify` messages) go.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HandoffConfig {
    pub url: String,
    /// Where each `notify` card's message to a group of people is POSTed.
    pub notify_url: Option<String>,
}

/// The `[channels]` tables (`generic` is always on and has none).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ChannelsConfig {
    pub whatsapp: Option<WhatsAppConfig>,
    pub telegram: Option<TelegramConfig>,
}

/// `[channels.whatsapp]` as written: the Cloud API number and the variables that hold
/// its secrets.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WhatsAppConfig {
    pub phone_number_id: String,
    pub graph_url: Option<String>,
    pub access_token_env: String,
    pub app_secret_env: String,
    pub verify_token_env: String,
    /// Messages per second to this number's API (Meta's default limit is 80).
    pub messages_per_second: Option<u32>,
    /// The language code templates are sent in.
    pub template_language: Option<String>,
}

/// `[channels.telegram]` as written.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TelegramConfig {
    pub api_url: Option<String>,
    pub bot_token_env: String,
    pub secret_token_env: String,
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
    /// The retention in seconds, winning over `retention_days`: for tests and demos.
    pub retention_secs: Option<u64>,
    /// `text` (default) or `json`.
    pub log_format: Option<String>,
    /// The company name new conversations greet with.
    pub company: Option<String>,
    /// The `[handoff]` table (a table of its own in the file).
    #[serde(skip)]
    pub handoff: Option<HandoffConfig>,
    /// The `[channels]` tables.
    #[serde(skip)]
    pub channels: ChannelsConfig,
}

impl ServerConfig {
    /// The `[server]` table of a `fluxo.toml`'s text; the defaults when it has none.
    pub fn parse(text: &str) -> Result<ServerConfig, String> {
        let document: Document =
            toml::from_str(text).map_err(|e| e.to_string().trim_end().replace('\n', " "))?;
        let mut config = document.server.unwrap_or_default();
        config.handoff = document.handoff;
        config.channels = document.channels.unwrap_or_default();
        let is_http = |url: &str| url.starts_with("http://") || url.starts_with("https://");
        let urls = [
            (
                "[handoff] url",
                config.handoff.as_ref().map(|it| it.url.as_str()),
            ),
            (
                "[handoff] notify_url",
                config
                    .handoff
                    .as_ref()
                    .and_then(|it| it.notify_url.as_deref()),
            ),
            (
                "[channels.whatsapp] graph_url",
                config
                    .channels
                    .whatsapp
                    .as_ref()
                    .and_then(|it| it.graph_url.as_deref()),
            ),
            (
                "[channels.telegram] api_url",
                config
                    .channels
                    .telegram
                    .as_ref()
                    .and_then(|it| it.api_url.as_deref()),
            ),
        ];
        for (key, url) in urls {
            if url.is_some_and(|url| !is_http(url)) {
                return Err(format!("{key}: not an http:// or https:// URL"));
            }
        }
        if config
            .channels
            .whatsapp
            .as_ref()
            .is_some_and(|it| it.messages_per_second == Some(0))
        {
            return Err("[channels.whatsapp] messages_per_second: must be at least 1".into());
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
        let secret = |key: &str, var: &str| -> Result<String, String> {
            match env(var) {
                Some(value) if !value.is_empty() => Ok(value),
                _ => Err(format!(
                    "{key} names the environment variable {var}, which is not set"
                )),
            }
        };
        let optional = |key: &str, var: &Option<String>| var.as_deref().map(|var| secret(key, var));
        settings.api_token = optional("[server] api_token_env", &self.api_token_env).transpose()?;
        settings.admin_token =
            optional("[server] admin_token_env", &self.admin_token_env).transpose()?;
        settings.webhook = self.webhook_url.clone();
        settings.handoff = self.handoff.as_ref().map(|it| it.url.clone());
        settings.notify = self.handoff.as_ref().and_then(|it| it.notify_url.clone());
        if let Some(wa) = &self.channels.whatsapp {
            let key = |name: &str| format!("[channels.whatsapp] {name}");
            settings.whatsapp = Some(WhatsAppSettings {
                phone_number_id: wa.phone_number_id.clone(),
                graph_url: wa
                    .graph_url
                    .clone()
                    .unwrap_or_else(|| "https://graph.facebook.com/v21.0".into()),
                access_token: secret(&key("access_token_env"), &wa.access_token_env)?,
                app_secret: secret(&key("app_secret_env"), &wa.app_secret_env)?,
                verify_token: secret(&key("verify_token_env"), &wa.verify_token_env)?,
                messages_per_second: wa.messages_per_second.unwrap_or(80),
                template_language: wa
                    .template_language
                    .clone()
                    .unwrap_or_else(|| "pt_BR".into()),
            });
        }
        if let Some(tg) = &self.channels.telegram {
            let key = |name: &str| format!("[channels.telegram] {name}");
            settings.telegram = Some(TelegramSettings {
                api_url: tg
                    .api_url
                    .clone()
                    .unwrap_or_else(|| "https://api.telegram.org".into()),
                bot_token: secret(&key("bot_token_env"), &tg.bot_token_env)?,
                secret_token: secret(&key("secret_token_env"), &tg.secret_token_env)?,
            });
        }
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
            self.retention_secs.or(self
                .retention_days
                .map(|days| days.saturating_mul(24 * 3600))),
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
    fn reads_the_channel_tables_with_their_secrets() {
        let text = "[channels.whatsapp]\nphone_number_id = \"106540352242922\"\n\
                    graph_url = \"http://127.0.0.1:9/v21.0\"\naccess_token_env = \"WA_T\"\n\
                    app_secret_env = \"WA_S\"\nverify_token_env = \"WA_V\"\n\n\
                    [channels.telegram]\nbot_token_env = \"TG_B\"\nsecret_token_env = \"TG_S\"\n";
        let config = ServerConfig::parse(text).unwrap();
        let mut settings = Settings::new(Context::new(0));
        let env = |var: &str| Some(format!("value of {var}"));
        config.apply(&mut settings, &env).unwrap();
        let wa = settings.whatsapp.as_ref().unwrap();
        assert_eq!(wa.app_secret, "value of WA_S");
        assert_eq!(wa.messages_per_second, 80);
        let tg = settings.telegram.as_ref().unwrap();
        assert_eq!(tg.api_url, "https://api.telegram.org");
        assert_eq!(tg.secret_token, "value of TG_S");
        let unset = |var: &str| (var != "TG_S").then(|| "x".to_string());
        let missing = config.apply(&mut settings, &unset).unwrap_err();
        assert_eq!(
            missing,
            "[channels.telegram] secret_token_env names the environment variable TG_S, which is not set"
        );
        let typo = ServerConfig::parse("[channels.telegram]\nbot_token = \"x\"\n").unwrap_err();
        assert!(typo.contains("bot_token"), "{typo}");
        let unknown = ServerConfig::parse("[channels.sms]\nurl = \"x\"\n").unwrap_err();
        assert!(unknown.contains("sms"), "{unknown}");
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

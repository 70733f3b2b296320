//! The `[erp]` table of `fluxo.toml`: which ERP, where, with which credentials
//! (named by environment variables, never written in the file), timeouts and the
//! resilience policy; and building the adapter it describes.
//!
//! The text comes from the CLI and the environment through a lookup closure, so this
//! module reads neither files nor the process environment. Other top-level tables of
//! `fluxo.toml` belong to other parts of Fluxo and are ignored here.

use std::fmt;
use std::time::Duration;

use fluxo_stdlib::erp::ErpSystem;
use serde::Deserialize;

use crate::erp::generic::GenericAuth;
use crate::erp::{
    ErpAdapter, GenericConfig, GenericHttpErp, HttpSettings, Hubsoft, HubsoftCredentials, Ixc,
    MkAuth, MkAuthCredentials, MkSolutions, MkSolutionsCredentials, Resilience, Resilient, Secret,
    Sgp, SgpCredentials, Synsuite, SynsuiteCredentials,
};

/// A configuration that cannot be used. `line` and `column` (1-based) point into
/// `fluxo.toml` when the problem is in its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl ConfigError {
    fn new(message: impl Into<String>) -> ConfigError {
        ConfigError {
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, "line {line}, column {column}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The `[erp]` table.
#[derive(Clone, Debug)]
pub struct ErpConfig {
    pub system: ErpSystem,
    /// The ERP's base URL; required unless `fixture` is set.
    pub base_url: Option<String>,
    /// A simulated-ERP fixture (path relative to `fluxo.toml`) to use instead of a
    /// real ERP; the CLI reads it and builds a `SimulatedErp`.
    pub fixture: Option<String>,
    /// The limit for one HTTP call (`timeout_ms`).
    pub timeout: Duration,
    pub accept_invalid_certs: bool,
    /// How long a trust unlock lasts when the ERP's answer does not say.
    pub trust_unlock_days: u8,
    pub credentials: Credentials,
    pub resilience: Resilience,
    pub generic: Option<GenericConfig>,
    /// `[erp.tickets]`: the ticket departments and subjects to offer, for an ERP
    /// whose token may not list them (IXC).
    pub tickets: Option<TicketOptions>,
}

/// `[erp.tickets]`: fixed ticket departments and subjects.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TicketOptions {
    pub departments: Vec<TicketOption>,
    pub subjects: Vec<TicketOption>,
}

/// One department or subject: the ERP's id and the name the customer picks.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TicketOption {
    pub id: String,
    pub name: String,
}

/// `[erp.credentials]`: names of environment variables holding the secrets, plus the
/// few settings that are not secret.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub token_env: Option<String>,
    pub password_env: Option<String>,
    pub username_env: Option<String>,
    pub client_id_env: Option<String>,
    pub client_secret_env: Option<String>,
    pub syndata_env: Option<String>,
    /// SGP: the app name the token was issued for.
    pub app: Option<String>,
    /// Synsuite: the token endpoint's base, `https://<host>:45700`.
    pub auth_url: Option<String>,
    /// Generic adapter: `none`, `bearer`, `basic`, `header` or `query`.
    pub scheme: Option<String>,
    /// Generic adapter: the header or query parameter that carries the token.
    pub name: Option<String>,
}

#[derive(Deserialize)]
struct Document {
    erp: Option<RawErp>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawErp {
    system: String,
    base_url: Option<String>,
    fixture: Option<String>,
    #[serde(default = "default_timeout_ms")]
    timeout_ms: u64,
    budget_ms: Option<u64>,
    #[serde(default)]
    accept_invalid_certs: bool,
    #[serde(default = "default_unlock_days")]
    trust_unlock_days: u8,
    #[serde(default)]
    credentials: Credentials,
    #[serde(default)]
    resilience: RawResilience,
    generic: Option<GenericConfig>,
    tickets: Option<TicketOptions>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResilience {
    #[serde(default = "default_retries")]
    retries: u32,
    #[serde(default = "default_backoff_ms")]
    backoff_ms: u64,
    #[serde(default = "default_breaker_failures")]
    breaker_failures: u32,
    #[serde(default = "default_breaker_cooldown_ms")]
    breaker_cooldown_ms: u64,
}

impl Default for RawResilience {
    fn default() -> RawResilience {
        RawResilience {
            retries: default_retries(),
            backoff_ms: default_backoff_ms(),
            breaker_failures: default_breaker_failures(),
            breaker_cooldown_ms: default_breaker_cooldown_ms(),
        }
    }
}

fn default_timeout_ms() -> u64 {
    10_000
}

fn default_unlock_days() -> u8 {
    3
}

fn default_retries() -> u32 {
    2
}

fn default_backoff_ms() -> u64 {
    200
}

fn default_breaker_failures() -> u32 {
    5
}

fn default_breaker_cooldown_ms() -> u64 {
    30_000
}

/// Reads the `[erp]` table of a `fluxo.toml`; `None` when the file has none.
pub fn parse(text: &str) -> Result<Option<ErpConfig>, ConfigError> {
    let document: Document = toml::from_str(text).map_err(|error| {
        let (line, column) = match error.span() {
            Some(span) => {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before
                    .rsplit('\n')
                    .next()
                    .map_or(1, |it| it.chars().count() + 1);
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        ConfigError {
            line,
            column,
            message: error.message().to_string(),
        }
    })?;
    let Some(raw) = document.erp else {
        return Ok(None);
    };
    let system = ErpSystem::from_name(&raw.system).ok_or_else(|| {
        let known: Vec<&str> = ErpSystem::ALL.iter().map(|it| it.name()).collect();
        ConfigError::new(format!(
            "erp.system: unknown ERP {:?}; known: {}",
            raw.system,
            known.join(", ")
        ))
    })?;
    if raw.base_url.is_none() && raw.fixture.is_none() {
        return Err(ConfigError::new(
            "erp: give base_url (a real ERP) or fixture (the simulated ERP)",
        ));
    }
    if raw.trust_unlock_days == 0 {
        return Err(ConfigError::new(
            "erp.trust_unlock_days: a trust unlock lasts at least one day",
        ));
    }
    if raw.resilience.breaker_failures == 0 {
        return Err(ConfigError::new(
            "erp.resilience.breaker_failures: at least 1",
        ));
    }
    // Default: 30 s, or one call's limit when that is longer.
    let budget_ms = raw.budget_ms.unwrap_or(raw.timeout_ms.max(30_000));
    if budget_ms < raw.timeout_ms {
        return Err(ConfigError::new(format!(
            "erp.budget_ms ({budget_ms}) is shorter than erp.timeout_ms ({}): the budget covers every call of a request",
            raw.timeout_ms
        )));
    }
    if let Some(tickets) = &raw.tickets {
        if tickets.departments.is_empty() || tickets.subjects.is_empty() {
            return Err(ConfigError::new(
                "erp.tickets: give at least one department and one subject",
            ));
        }
    }
    Ok(Some(ErpConfig {
        system,
        base_url: raw.base_url,
        fixture: raw.fixture,
        timeout: Duration::from_millis(raw.timeout_ms.max(1)),
        accept_invalid_certs: raw.accept_invalid_certs,
        trust_unlock_days: raw.trust_unlock_days,
        credentials: raw.credentials,
        resilience: Resilience {
            budget: Duration::from_millis(budget_ms.max(1)),
            retries: raw.resilience.retries,
            backoff: Duration::from_millis(raw.resilience.backoff_ms),
            breaker_failures: raw.resilience.breaker_failures,
            breaker_cooldown: Duration::from_millis(raw.resilience.breaker_cooldown_ms),
        },
        generic: raw.generic,
        tickets: raw.tickets,
    }))
}

impl ErpConfig {
    /// Builds the real ERP's adapter, behind the resilience policy. `env` looks up an
    /// environment variable (the CLI passes `std::env::var(..).ok()`). A configuration
    /// with `fixture` is for the simulated ERP, which the CLI builds from the file.
    pub fn build(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Box<dyn ErpAdapter>, ConfigError> {
        let base_url = self.base_url.clone().ok_or_else(|| {
            ConfigError::new("erp: this configuration uses a fixture; build a SimulatedErp from it")
        })?;
        let settings = HttpSettings {
            base_url,
            timeout: self.timeout,
            accept_invalid_certs: self.accept_invalid_certs,
        };
        let lookup = Lookup {
            env,
            credentials: &self.credentials,
        };
        let http_error = |error: crate::erp::ErpError| ConfigError::new(error.to_string());
        let days = self.trust_unlock_days;
        let policy = self.resilience.clone();
        let adapter: Box<dyn ErpAdapter> = match (self.system, &self.generic) {
            (system, Some(generic)) => {
                let auth = lookup.generic_auth()?;
                let adapter = GenericHttpErp::new(&settings, system, generic.clone(), auth, days)
                    .map_err(|message| ConfigError::new(format!("erp.generic.{message}")))?;
                Box::new(Resilient::new(adapter, policy))
            }
            (ErpSystem::Ixc, None) => {
                let token = lookup.secret("token_env")?;
                if !Ixc::token_is_well_formed(&token) {
                    return Err(ConfigError::new(format!(
                        "the IXC token in {} (erp.credentials.token_env) must be `userId:hash`, the API user's id, a colon, then its token",
                        lookup.variable("token_env").map_or("", String::as_str)
                    )));
                }
                let mut adapter = Ixc::new(&settings, token, days).map_err(http_error)?;
                if let Some(tickets) = &self.tickets {
                    adapter = adapter.with_ticket_options(tickets);
                }
                Box::new(Resilient::new(adapter, policy))
            }
            (ErpSystem::Hubsoft, None) => {
                let credentials = HubsoftCredentials {
                    client_id: lookup.plain("client_id_env")?,
                    client_secret: lookup.secret("client_secret_env")?,
                    username: lookup.plain("username_env")?,
                    password: lookup.secret("password_env")?,
                };
                Box::new(Resilient::new(Hubsoft::new(&settings, credentials).map_err(http_error)?, policy))
            }
            (ErpSystem::Sgp, None) => {
                let credentials = SgpCredentials {
                    token: lookup.secret("token_env")?,
                    app: self
                        .credentials
                        .app
                        .clone()
                        .ok_or_else(|| ConfigError::new("erp.credentials.app: SGP needs the app name"))?,
                };
                Box::new(Resilient::new(Sgp::new(&settings, credentials).map_err(http_error)?, policy))
            }
            (ErpSystem::Mksolutions, None) => {
                let credentials = MkSolutionsCredentials {
                    token: lookup.secret("token_env")?,
                    password: lookup.secret("password_env")?,
                };
                let adapter = MkSolutions::new(&settings, credentials, days).map_err(http_error)?;
                Box::new(Resilient::new(adapter, policy))
            }
            (ErpSystem::Mkauth, None) => {
                let credentials = MkAuthCredentials {
                    client_id: lookup.plain("client_id_env")?,
                    client_secret: lookup.secret("client_secret_env")?,
                };
                Box::new(Resilient::new(MkAuth::new(&settings, credentials).map_err(http_error)?, policy))
            }
            (ErpSystem::Synsuite, None) => {
                let credentials = SynsuiteCredentials {
                    client_id: lookup.plain("client_id_env")?,
                    client_secret: lookup.secret("client_secret_env")?,
                    syndata: lookup.secret("syndata_env")?,
                    auth_url: self
                        .credentials
                        .auth_url
                        .clone()
                        .ok_or_else(|| ConfigError::new("erp.credentials.auth_url: Synsuite needs its token endpoint (https://<host>:45700)"))?,
                };
                let adapter = Synsuite::new(&settings, credentials, days).map_err(http_error)?;
                Box::new(Resilient::new(adapter, policy))
            }
            (system, None) => {
                return Err(ConfigError::new(format!(
                    "erp: {} has no public API Fluxo knows; describe its endpoints in [erp.generic] (see docs/erp.md)",
                    system.title()
                )))
            }
        };
        Ok(adapter)
    }
}

/// Resolves `*_env` credential keys through the lookup.
struct Lookup<'a> {
    env: &'a dyn Fn(&str) -> Option<String>,
    credentials: &'a Credentials,
}

impl Lookup<'_> {
    fn variable(&self, key: &str) -> Option<&String> {
        let credentials = self.credentials;
        match key {
            "token_env" => credentials.token_env.as_ref(),
            "password_env" => credentials.password_env.as_ref(),
            "username_env" => credentials.username_env.as_ref(),
            "client_id_env" => credentials.client_id_env.as_ref(),
            "client_secret_env" => credentials.client_secret_env.as_ref(),
            "syndata_env" => credentials.syndata_env.as_ref(),
            _ => None,
        }
    }

    fn plain(&self, key: &str) -> Result<String, ConfigError> {
        let variable = self.variable(key).ok_or_else(|| {
            ConfigError::new(format!("erp.credentials.{key}: required for this ERP"))
        })?;
        // A secret pasted here by mistake must not be echoed back in the error.
        if !is_variable_name(variable) {
            return Err(ConfigError::new(format!(
                "erp.credentials.{key} must be the NAME of an environment variable (letters, digits and _), not the secret itself"
            )));
        }
        match (self.env)(variable) {
            Some(value) if !value.is_empty() => Ok(value),
            _ => Err(ConfigError::new(format!(
                "the environment variable {variable} (erp.credentials.{key}) is not set"
            ))),
        }
    }

    fn secret(&self, key: &str) -> Result<Secret, ConfigError> {
        self.plain(key).map(Secret::new)
    }

    fn generic_auth(&self) -> Result<GenericAuth, ConfigError> {
        let name = || {
            self.credentials.name.clone().ok_or_else(|| {
                ConfigError::new("erp.credentials.name: the header or parameter name is required")
            })
        };
        match self.credentials.scheme.as_deref().unwrap_or("none") {
            "none" => Ok(GenericAuth::None),
            "bearer" => Ok(GenericAuth::Bearer(self.secret("token_env")?)),
            "basic" => Ok(GenericAuth::Basic {
                user: self.plain("username_env")?,
                password: self.secret("password_env")?,
            }),
            "header" => Ok(GenericAuth::Header {
                name: name()?,
                value: self.secret("token_env")?,
            }),
            "query" => Ok(GenericAuth::Query {
                name: name()?,
                value: self.secret("token_env")?,
            }),
            other => Err(ConfigError::new(format!(
                "erp.credentials.scheme: {other:?}; use none, bearer, basic, header or query"
            ))),
        }
    }
}

/// A portable environment variable name: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|it| it.is_ascii_alphanumeric() || it == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_erp_table_and_ignores_the_rest() {
        let text = r#"
[lowcode]
anything = 1

[erp]
system = "ixc"
base_url = "https://erp.example.com.br"
timeout_ms = 5000

[erp.credentials]
token_env = "IXC_TOKEN"

[erp.resilience]
retries = 1
"#;
        let config = parse(text).unwrap().unwrap();
        assert_eq!(config.system, ErpSystem::Ixc);
        assert_eq!(config.timeout, Duration::from_millis(5000));
        assert_eq!(config.resilience.retries, 1);
        assert_eq!(config.resilience.breaker_failures, 5);
        assert!(parse("[other]\nx = 1\n").unwrap().is_none());
    }

    #[test]
    fn errors_point_into_the_file() {
        let error =
            parse("[erp]\nsystem = \"ixc\"\nbase_url = \"x\"\ntoken = \"oops\"\n").unwrap_err();
        assert_eq!(error.line, Some(4));
        assert!(error.message.contains("token"), "{error}");
        let error = parse("[erp]\nsystem = \"ixcc\"\nbase_url = \"x\"\n").unwrap_err();
        assert!(
            error.to_string().contains("unknown ERP \"ixcc\""),
            "{error}"
        );
    }

    #[test]
    fn secrets_come_from_the_lookup_and_never_show() {
        let config = parse("[erp]\nsystem = \"ixc\"\nbase_url = \"https://x\"\n[erp.credentials]\ntoken_env = \"IXC_TOKEN\"\n")
            .unwrap()
            .unwrap();
        let missing = config.build(&|_| None).err().unwrap();
        assert_eq!(
            missing.to_string(),
            "the environment variable IXC_TOKEN (erp.credentials.token_env) is not set"
        );
        let adapter = config
            .build(&|name| (name == "IXC_TOKEN").then(|| "7:s3cr3t".to_string()))
            .unwrap();
        assert_eq!(adapter.system(), ErpSystem::Ixc);
        assert!(!format!("{:?}", config.credentials).contains("s3cr3t"));
    }

    #[test]
    fn the_budget_covers_a_request_and_tickets_are_listed() {
        let base = "[erp]\nsystem = \"ixc\"\nbase_url = \"https://x\"\n";
        let config = parse(&format!("{base}timeout_ms = 45000\n"))
            .unwrap()
            .unwrap();
        assert_eq!(config.timeout, Duration::from_secs(45));
        assert_eq!(config.resilience.budget, Duration::from_secs(45));
        let short = parse(&format!("{base}timeout_ms = 5000\nbudget_ms = 1000\n")).unwrap_err();
        assert!(short.message.contains("erp.budget_ms"), "{short}");
        let tickets = parse(&format!(
            "{base}[erp.tickets]\ndepartments = [{{ id = \"1\", name = \"Suporte\" }}]\nsubjects = [{{ id = \"10\", name = \"Sem conexão\" }}]\n"
        ))
        .unwrap()
        .unwrap();
        assert_eq!(
            tickets
                .tickets
                .map(|it| it.subjects[0].name.clone())
                .as_deref(),
            Some("Sem conexão")
        );
        let empty = parse(&format!(
            "{base}[erp.tickets]\ndepartments = []\nsubjects = []\n"
        ))
        .unwrap_err();
        assert!(empty.message.contains("erp.tickets"), "{empty}");
    }

    #[test]
    fn systems_without_api_need_the_generic_table() {
        let config = parse("[erp]\nsystem = \"beesweb\"\nbase_url = \"https://x\"\n")
            .unwrap()
            .unwrap();
        let error = config.build(&|_| None).err().unwrap();
        assert!(error.message.contains("[erp.generic]"), "{error}");
    }
}

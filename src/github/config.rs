//! How orgctl reaches GitHub: endpoints, credentials (a token, or a GitHub App
//! installation), timeouts and the retry policy.
//!
//! [`GithubConfig::from_lookup`] is the pure core that reads settings through
//! a lookup function; [`GithubConfig::from_env`] feeds it the process
//! environment. Variables:
//!
//! | variable | meaning |
//! |---|---|
//! | `GITHUB_TOKEN` | token (classic PAT needs `read:org`, `admin:org` to apply) |
//! | `GITHUB_API_URL` | REST base, default `https://api.github.com` (set by GitHub Actions; GHES: `https://HOST/api/v3`) |
//! | `GITHUB_GRAPHQL_URL` | GraphQL endpoint, default `https://api.github.com/graphql` (set by GitHub Actions) |
//! | `ORGCTL_APP_ID`, `ORGCTL_APP_PRIVATE_KEY`, `ORGCTL_APP_INSTALLATION_ID` | GitHub App installation auth (PEM text of the private key) |
//! | `ORGCTL_GITHUB_TIMEOUT` | seconds one request may take, connection to last byte of the body (default 60) |
//! | `ORGCTL_GITHUB_READ_DEADLINE` | seconds reading the whole organisation may take, retries and rate-limit waits included (default 600) |
//!
//! A token given explicitly wins over `GITHUB_TOKEN`, which wins over App settings. Every value
//! is checked here, before anything is sent: a token or id that cannot go into an HTTP header
//! (a line break, a control character, a space) is refused with the variable's name, never its
//! value.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::error::GithubError;
use super::retry::RetryPolicy;

/// Default REST base.
pub const DEFAULT_API_URL: &str = "https://api.github.com";
/// Default GraphQL endpoint.
pub const DEFAULT_GRAPHQL_URL: &str = "https://api.github.com/graphql";
/// The variable setting [`GithubConfig::request_timeout`].
pub const TIMEOUT_VAR: &str = "ORGCTL_GITHUB_TIMEOUT";
/// The variable setting [`GithubConfig::read_deadline`].
pub const READ_DEADLINE_VAR: &str = "ORGCTL_GITHUB_READ_DEADLINE";
/// Default of [`GithubConfig::request_timeout`].
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Default of [`GithubConfig::read_deadline`].
pub const DEFAULT_READ_DEADLINE: Duration = Duration::from_secs(600);

/// Credentials for GitHub.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// A personal access token, OAuth token or `GITHUB_TOKEN`.
    Token(SecretString),
    /// A GitHub App installation: orgctl signs a JWT with the app's key and
    /// exchanges it for an installation token.
    App {
        /// App id.
        app_id: u64,
        /// PEM text of the app's RSA private key.
        private_key_pem: SecretString,
        /// Installation id (the installation on the organisation).
        installation_id: u64,
    },
}

/// Everything needed to talk to GitHub.
#[derive(Debug, Clone)]
pub struct GithubConfig {
    /// REST base URL.
    pub api_url: String,
    /// GraphQL endpoint URL.
    pub graphql_url: String,
    /// Credentials.
    pub credentials: Credentials,
    /// Retry limits.
    pub retry: RetryPolicy,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Longest silence while reading one answer (octocrab's read timeout: it restarts with
    /// every byte, so it does not bound a request; [`Self::request_timeout`] does).
    pub read_timeout: Duration,
    /// Longest time one request may take in all: connecting, sending, the status line, the
    /// headers and the whole body (`ORGCTL_GITHUB_TIMEOUT`).
    pub request_timeout: Duration,
    /// Longest time reading the whole organisation may take, every request, retry and
    /// rate-limit wait included (`ORGCTL_GITHUB_READ_DEADLINE`).
    pub read_deadline: Duration,
}

impl GithubConfig {
    /// Configuration for github.com with `token`.
    pub fn with_token(token: SecretString) -> GithubConfig {
        GithubConfig {
            api_url: DEFAULT_API_URL.to_string(),
            graphql_url: DEFAULT_GRAPHQL_URL.to_string(),
            credentials: Credentials::Token(token),
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            read_deadline: DEFAULT_READ_DEADLINE,
        }
    }

    /// Points the configuration at other endpoints (GHES, a local fake).
    pub fn with_urls(mut self, api_url: &str, graphql_url: &str) -> GithubConfig {
        self.api_url = api_url.to_string();
        self.graphql_url = graphql_url.to_string();
        self
    }

    /// Reads the settings from the process environment; `token` (e.g. from a
    /// command-line flag) wins over `GITHUB_TOKEN`.
    pub fn from_env(token: Option<SecretString>) -> Result<GithubConfig, GithubError> {
        GithubConfig::from_lookup(token, |name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (pure core of [`Self::from_env`]). Values are
    /// trimmed; a malformed one is an error naming the variable, never showing the value.
    pub fn from_lookup(
        token: Option<SecretString>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<GithubConfig, GithubError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let credentials = match (token, get("GITHUB_TOKEN"), get("ORGCTL_APP_ID")) {
            (Some(t), _, _) => {
                check_header_value("the token passed to orgctl", t.expose_secret())?;
                Credentials::Token(t)
            }
            (None, Some(t), _) => {
                check_header_value("GITHUB_TOKEN", &t)?;
                Credentials::Token(SecretString::from(t))
            }
            (None, None, Some(app_id)) => {
                let number = |name: &str, value: Option<String>| -> Result<u64, GithubError> {
                    let value = value.ok_or_else(|| {
                        GithubError::Config(format!("ORGCTL_APP_ID is set but {name} is not"))
                    })?;
                    value
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| malformed(name, "it must be a positive whole number"))
                };
                let pem = lookup("ORGCTL_APP_PRIVATE_KEY")
                    .filter(|v| v.contains("PRIVATE KEY"))
                    .ok_or_else(|| {
                        GithubError::Config(
                            "ORGCTL_APP_ID is set but ORGCTL_APP_PRIVATE_KEY does not hold a PEM private key".into(),
                        )
                    })?;
                let pem_ok = pem
                    .chars()
                    .all(|c| c.is_ascii_graphic() || matches!(c, ' ' | '\t' | '\r' | '\n'));
                if !pem_ok {
                    return Err(malformed(
                        "ORGCTL_APP_PRIVATE_KEY",
                        "a PEM key is ASCII text with line breaks only",
                    ));
                }
                Credentials::App {
                    app_id: number("ORGCTL_APP_ID", Some(app_id))?,
                    private_key_pem: SecretString::from(pem),
                    installation_id: number(
                        "ORGCTL_APP_INSTALLATION_ID",
                        get("ORGCTL_APP_INSTALLATION_ID"),
                    )?,
                }
            }
            (None, None, None) => {
                return Err(GithubError::Config(
                    "no GitHub credentials: set GITHUB_TOKEN to a token with the read:org scope (admin:org to apply), or ORGCTL_APP_ID, ORGCTL_APP_PRIVATE_KEY and ORGCTL_APP_INSTALLATION_ID for a GitHub App".into(),
                ));
            }
        };
        let mut config = GithubConfig::with_token(SecretString::from(String::new()));
        config.credentials = credentials;
        for (name, field) in [
            ("GITHUB_API_URL", &mut config.api_url),
            ("GITHUB_GRAPHQL_URL", &mut config.graphql_url),
        ] {
            if let Some(url) = get(name) {
                check_url(name, &url)?;
                *field = url;
            }
        }
        let seconds = |name: &str, max: u64| -> Result<Option<Duration>, GithubError> {
            get(name)
                .map(|v| {
                    v.parse::<u64>()
                        .ok()
                        .filter(|n| (1..=max).contains(n))
                        .map(Duration::from_secs)
                        .ok_or_else(|| {
                            malformed(
                                name,
                                &format!("it must be a whole number of seconds from 1 to {max}"),
                            )
                        })
                })
                .transpose()
        };
        if let Some(t) = seconds(TIMEOUT_VAR, 3600)? {
            config.request_timeout = t;
            config.read_timeout = config.read_timeout.min(t);
        }
        if let Some(d) = seconds(READ_DEADLINE_VAR, 7 * 24 * 3600)? {
            config.read_deadline = d;
        }
        Ok(config)
    }
}

/// The error for a malformed variable: its name and what it must be, never its value.
fn malformed(name: &str, rule: &str) -> GithubError {
    GithubError::Config(format!(
        "{name} is malformed: {rule} (the value is not shown); check how the variable is set"
    ))
}

/// Checks that a credential can be sent in an HTTP `Authorization` header: non-empty, printable
/// ASCII, no spaces (GitHub's tokens are letters, digits and `_`). `name` names it in the error,
/// which never shows the value.
pub fn check_header_value(name: &str, value: &str) -> Result<(), GithubError> {
    let what = match value.chars().find(|c| !c.is_ascii_graphic()) {
        None if value.is_empty() => "it is empty",
        None => return Ok(()),
        Some('\n' | '\r') => "it contains a line break",
        Some(' ' | '\t') => "it contains a space or tab",
        Some(c) if c.is_control() => "it contains a control character",
        Some(_) => "it contains a non-ASCII character",
    };
    Err(GithubError::Config(format!(
        "{name} is malformed: {what}, and a token is printable ASCII without spaces (the value is not shown); check how it is set (a stray newline or quote from a file or a secret?)"
    )))
}

/// Checks a GitHub endpoint URL: `http(s)://` and printable ASCII (the value is not shown: it
/// may carry credentials).
fn check_url(name: &str, url: &str) -> Result<(), GithubError> {
    let scheme = url.starts_with("https://") || url.starts_with("http://");
    if scheme && url.chars().all(|c| c.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(malformed(
            name,
            "it must be an http:// or https:// URL of printable ASCII",
        ))
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn lookup(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn tokens_and_urls() {
        let c = GithubConfig::from_lookup(
            None,
            lookup(&[
                ("GITHUB_TOKEN", "ghp_x"),
                ("GITHUB_API_URL", "https://ghe.example/api/v3"),
                ("GITHUB_GRAPHQL_URL", "https://ghe.example/api/graphql"),
            ]),
        )
        .expect("config");
        assert!(matches!(&c.credentials, Credentials::Token(t) if t.expose_secret() == "ghp_x"));
        assert_eq!(c.api_url, "https://ghe.example/api/v3");
        assert_eq!(c.graphql_url, "https://ghe.example/api/graphql");
        let flag = GithubConfig::from_lookup(
            Some(SecretString::from("flag")),
            lookup(&[("GITHUB_TOKEN", "env")]),
        )
        .expect("config");
        assert!(matches!(&flag.credentials, Credentials::Token(t) if t.expose_secret() == "flag"));
        assert_eq!(flag.api_url, DEFAULT_API_URL);
    }

    #[test]
    fn app_settings_are_checked() {
        let c = GithubConfig::from_lookup(
            None,
            lookup(&[
                ("ORGCTL_APP_ID", "12"),
                (
                    "ORGCTL_APP_PRIVATE_KEY",
                    "-----BEGIN RSA PRIVATE KEY-----\n...",
                ),
                ("ORGCTL_APP_INSTALLATION_ID", "34"),
            ]),
        )
        .expect("config");
        assert!(matches!(
            c.credentials,
            Credentials::App {
                app_id: 12,
                installation_id: 34,
                ..
            }
        ));
        let err = GithubConfig::from_lookup(None, lookup(&[("ORGCTL_APP_ID", "12")]))
            .expect_err("no key");
        assert!(err.to_string().contains("ORGCTL_APP_PRIVATE_KEY"));
        let none = GithubConfig::from_lookup(None, lookup(&[])).expect_err("nothing");
        assert!(none.to_string().contains("GITHUB_TOKEN"));
    }

    #[test]
    fn malformed_values_are_named_and_never_shown() {
        let refused = |vars: &'static [(&'static str, &'static str)], name: &str| {
            let err = GithubConfig::from_lookup(None, lookup(vars)).expect_err(name);
            let text = err.to_string();
            assert!(text.contains(name) && text.contains("malformed"), "{text}");
            assert!(!text.contains("SECRET"), "{text}");
        };
        refused(&[("GITHUB_TOKEN", "ghp_SECRET\nX-Evil: 1")], "GITHUB_TOKEN");
        refused(&[("GITHUB_TOKEN", "ghp_SECRET\u{1b}[2J")], "GITHUB_TOKEN");
        refused(&[("GITHUB_TOKEN", "ghp_SECRET two")], "GITHUB_TOKEN");
        refused(&[("GITHUB_TOKEN", "ghp_SECRETé")], "GITHUB_TOKEN");
        refused(
            &[
                ("ORGCTL_APP_ID", "1SECRET"),
                (
                    "ORGCTL_APP_PRIVATE_KEY",
                    "-----BEGIN RSA PRIVATE KEY-----\n...",
                ),
                ("ORGCTL_APP_INSTALLATION_ID", "34"),
            ],
            "ORGCTL_APP_ID",
        );
        refused(
            &[
                ("ORGCTL_APP_ID", "12"),
                (
                    "ORGCTL_APP_PRIVATE_KEY",
                    "-----BEGIN RSA PRIVATE KEY-----\n\u{0}SECRET",
                ),
                ("ORGCTL_APP_INSTALLATION_ID", "34"),
            ],
            "ORGCTL_APP_PRIVATE_KEY",
        );
        refused(
            &[
                ("ORGCTL_APP_ID", "12"),
                (
                    "ORGCTL_APP_PRIVATE_KEY",
                    "-----BEGIN RSA PRIVATE KEY-----\n...",
                ),
                ("ORGCTL_APP_INSTALLATION_ID", "3\r\n4SECRET"),
            ],
            "ORGCTL_APP_INSTALLATION_ID",
        );
        refused(
            &[
                ("GITHUB_TOKEN", "t"),
                ("GITHUB_API_URL", "https://SECRET@h/a b"),
            ],
            "GITHUB_API_URL",
        );
        refused(
            &[
                ("GITHUB_TOKEN", "t"),
                ("GITHUB_GRAPHQL_URL", "ftp://SECRET"),
            ],
            "GITHUB_GRAPHQL_URL",
        );
        refused(&[("GITHUB_TOKEN", "t"), (TIMEOUT_VAR, "0")], TIMEOUT_VAR);
        refused(
            &[("GITHUB_TOKEN", "t"), (TIMEOUT_VAR, "SECRET")],
            TIMEOUT_VAR,
        );
        refused(
            &[
                ("GITHUB_TOKEN", "t"),
                (READ_DEADLINE_VAR, "99999999999999999999"),
            ],
            READ_DEADLINE_VAR,
        );
        // A trailing newline (a token read from a file) is trimmed, not refused.
        let c = GithubConfig::from_lookup(None, lookup(&[("GITHUB_TOKEN", "ghp_x\n")]))
            .expect("config");
        assert!(matches!(&c.credentials, Credentials::Token(t) if t.expose_secret() == "ghp_x"));
        let flag = GithubConfig::from_lookup(Some(SecretString::from("a\nb")), lookup(&[]));
        assert!(flag.is_err());
    }

    #[test]
    fn timeouts_have_defaults_and_settings() {
        let c = GithubConfig::from_lookup(None, lookup(&[("GITHUB_TOKEN", "t")])).expect("config");
        assert_eq!(c.request_timeout, Duration::from_secs(60));
        assert_eq!(c.read_deadline, Duration::from_secs(600));
        let c = GithubConfig::from_lookup(
            None,
            lookup(&[
                ("GITHUB_TOKEN", "t"),
                (TIMEOUT_VAR, "5"),
                (READ_DEADLINE_VAR, "30"),
            ]),
        )
        .expect("config");
        assert_eq!(c.request_timeout, Duration::from_secs(5));
        assert_eq!(c.read_timeout, Duration::from_secs(5));
        assert_eq!(c.read_deadline, Duration::from_secs(30));
    }
}

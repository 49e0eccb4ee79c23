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
//!
//! A token given explicitly wins over `GITHUB_TOKEN`, which wins over App settings.

use std::time::Duration;

use secrecy::SecretString;

use super::error::GithubError;
use super::retry::RetryPolicy;

/// Default REST base.
pub const DEFAULT_API_URL: &str = "https://api.github.com";
/// Default GraphQL endpoint.
pub const DEFAULT_GRAPHQL_URL: &str = "https://api.github.com/graphql";

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
    /// Read timeout of one request.
    pub read_timeout: Duration,
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

    /// Reads the settings through `lookup` (pure core of [`Self::from_env`]).
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
            (Some(t), _, _) => Credentials::Token(t),
            (None, Some(t), _) => Credentials::Token(SecretString::from(t)),
            (None, None, Some(app_id)) => {
                let number = |name: &str, value: Option<String>| -> Result<u64, GithubError> {
                    let value = value.ok_or_else(|| {
                        GithubError::Config(format!("ORGCTL_APP_ID is set but {name} is not"))
                    })?;
                    value.parse().map_err(|_| {
                        GithubError::Config(format!("{name} must be a number, got `{value}`"))
                    })
                };
                let pem = lookup("ORGCTL_APP_PRIVATE_KEY")
                    .filter(|v| v.contains("PRIVATE KEY"))
                    .ok_or_else(|| {
                        GithubError::Config(
                            "ORGCTL_APP_ID is set but ORGCTL_APP_PRIVATE_KEY does not hold a PEM private key".into(),
                        )
                    })?;
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
        if let Some(url) = get("GITHUB_API_URL") {
            config.api_url = url;
        }
        if let Some(url) = get("GITHUB_GRAPHQL_URL") {
            config.graphql_url = url;
        }
        Ok(config)
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
}

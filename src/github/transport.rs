//! The imperative shell around octocrab: builds the REST and GraphQL clients
//! (octocrab's own retries off, see [`super::retry`]), obtains a GitHub App
//! installation token when configured, sends requests through
//! [`retry::run`], counts every request it sends, and turns answers into
//! [`RawResponse`]s and GraphQL replies.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use octocrab::Octocrab;
use octocrab::service::middleware::retry::RetryConfig;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::config::{Credentials, GithubConfig};
use super::error::{GithubError, GraphqlErrorInfo};
use super::http::{Headers, RawResponse, path_and_query};
use super::retry::{
    self, AttemptOutcome, Clock, NoProgress, ProgressSink, RateLimitInfo, RetryEnv, RetryPolicy,
    SystemClock,
};

/// How many requests were sent (every attempt counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestCount {
    /// REST requests.
    pub rest: u64,
    /// GraphQL requests.
    pub graphql: u64,
    /// Of those, repeated attempts.
    pub retries: u64,
}

impl RequestCount {
    /// All requests.
    pub fn total(&self) -> u64 {
        self.rest + self.graphql
    }
}

/// A GraphQL answer: `data` (possibly partial) and `errors`.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphqlReply {
    /// `data`, `Null` when absent.
    pub data: Value,
    /// `errors`, empty on success.
    pub errors: Vec<GraphqlErrorInfo>,
}

/// Sends requests to GitHub with retries, rate-limit waits and counting.
pub struct Transport {
    rest: Octocrab,
    graphql: Octocrab,
    graphql_path: String,
    policy: RetryPolicy,
    clock: Arc<dyn Clock>,
    progress: Arc<dyn ProgressSink>,
    rng: Mutex<fastrand::Rng>,
    rest_count: AtomicU64,
    graphql_count: AtomicU64,
    retries: AtomicU64,
    rate_limits: Mutex<BTreeMap<String, RateLimitInfo>>,
    app: bool,
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

fn config_error(what: &str, e: &octocrab::Error) -> GithubError {
    GithubError::Config(format!("{what}: {}", error_chain(e)))
}

/// Reads an octocrab raw answer into an [`AttemptOutcome`].
macro_rules! outcome {
    ($client:expr, $sent:expr) => {
        match $sent {
            Ok(res) => {
                let status = res.status().as_u16();
                let headers =
                    Headers::from_pairs(res.headers().iter().map(|(k, v)| {
                        (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())
                    }));
                match $client.body_to_string(res).await {
                    Ok(body) => AttemptOutcome::Response(RawResponse {
                        status,
                        headers,
                        body,
                    }),
                    Err(e) => AttemptOutcome::Transport(error_chain(&e)),
                }
            }
            Err(e) => AttemptOutcome::Transport(error_chain(&e)),
        }
    };
}

/// A client for `base`. octocrab itself sends `X-GitHub-Api-Version: 2022-11-28`.
fn build_client(
    base: &str,
    token: &SecretString,
    config: &GithubConfig,
) -> Result<Octocrab, GithubError> {
    let header_error =
        |e: &dyn std::fmt::Display| GithubError::Config(format!("invalid header name: {e}"));
    Octocrab::builder()
        .base_uri(base)
        .map_err(|e| config_error(&format!("invalid GitHub URL `{base}`"), &e))?
        .personal_token(token.clone())
        .add_retry_config(RetryConfig::None)
        .set_connect_timeout(Some(config.connect_timeout))
        .set_read_timeout(Some(config.read_timeout))
        .add_header(
            "accept".parse().map_err(|e| header_error(&e))?,
            "application/vnd.github+json".to_string(),
        )
        .build()
        .map_err(|e| config_error("could not build the GitHub client", &e))
}

/// Exchanges a GitHub App's key for an installation token.
async fn installation_token(
    config: &GithubConfig,
    app_id: u64,
    pem: &SecretString,
    installation_id: u64,
) -> Result<SecretString, GithubError> {
    let app = Octocrab::builder()
        .base_uri(config.api_url.as_str())
        .map_err(|e| config_error(&format!("invalid GitHub URL `{}`", config.api_url), &e))?
        .add_retry_config(RetryConfig::None)
        .app_from_rsa_pem(
            octocrab::models::AppId(app_id),
            pem.expose_secret().as_bytes(),
        )
        .map_err(|e| config_error("ORGCTL_APP_PRIVATE_KEY is not a usable RSA private key", &e))?
        .build()
        .map_err(|e| config_error("could not build the GitHub App client", &e))?;
    let (_, token) = app
        .installation_and_token(octocrab::models::InstallationId(installation_id))
        .await
        .map_err(|e| {
            GithubError::Config(format!(
                "could not get an installation token for app {app_id}, installation {installation_id} (check the app id, key and installation id): {}",
                error_chain(&e)
            ))
        })?;
    Ok(token)
}

impl Transport {
    /// Connects with `config`: builds the clients and, for a GitHub App,
    /// fetches an installation token (one REST request, counted). The token is
    /// not refreshed: installation tokens last an hour.
    pub async fn connect(config: &GithubConfig) -> Result<Transport, GithubError> {
        let (token, app) = match &config.credentials {
            Credentials::Token(token) => (token.clone(), false),
            Credentials::App {
                app_id,
                private_key_pem,
                installation_id,
            } => (
                installation_token(config, *app_id, private_key_pem, *installation_id).await?,
                true,
            ),
        };
        let graphql_path = path_and_query(&config.graphql_url);
        let transport = Transport {
            rest: build_client(&config.api_url, &token, config)?,
            graphql: build_client(&config.graphql_url, &token, config)?,
            graphql_path,
            policy: config.retry.clone(),
            clock: Arc::new(SystemClock),
            progress: Arc::new(NoProgress),
            rng: Mutex::new(fastrand::Rng::new()),
            // The installation-token exchange was one REST request.
            rest_count: AtomicU64::new(u64::from(app)),
            graphql_count: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            rate_limits: Mutex::new(BTreeMap::new()),
            app,
        };
        Ok(transport)
    }

    /// Uses `clock` for waits (tests: a scaled or recording clock).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Transport {
        self.clock = clock;
        self
    }

    /// Reports waits and rate-limit figures to `progress`.
    pub fn with_progress(mut self, progress: Arc<dyn ProgressSink>) -> Transport {
        self.progress = progress;
        self
    }

    /// Makes the backoff jitter reproducible.
    pub fn with_jitter_seed(self, seed: u64) -> Transport {
        *self.rng.lock().unwrap_or_else(PoisonError::into_inner) = fastrand::Rng::with_seed(seed);
        self
    }

    /// Whether the credentials are a GitHub App installation (no viewer).
    pub fn is_app(&self) -> bool {
        self.app
    }

    /// Requests sent so far.
    pub fn requests(&self) -> RequestCount {
        RequestCount {
            rest: self.rest_count.load(Ordering::Relaxed),
            graphql: self.graphql_count.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
        }
    }

    /// The latest primary rate-limit figures seen, per resource (`core`, `graphql`).
    pub fn rate_limits(&self) -> Vec<RateLimitInfo> {
        self.rate_limits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }

    fn jitter(&self) -> f64 {
        self.rng
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .f64()
    }

    async fn with_retries<F, Fut>(
        &self,
        endpoint: &str,
        attempt: F,
    ) -> Result<RawResponse, GithubError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = AttemptOutcome>,
    {
        let jitter = || self.jitter();
        let env = RetryEnv {
            policy: &self.policy,
            clock: self.clock.as_ref(),
            progress: self.progress.as_ref(),
            jitter: &jitter,
        };
        let (response, attempts) = retry::run(&env, endpoint, attempt).await?;
        if let Some(info) = RateLimitInfo::from_headers(&response.headers) {
            self.rate_limits
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(info.resource.clone(), info);
        }
        self.retries
            .fetch_add(u64::from(attempts - 1), Ordering::Relaxed);
        if response.status == 401 {
            return Err(GithubError::BadCredentials {
                endpoint: endpoint.to_string(),
                message: response.message(),
            });
        }
        Ok(response)
    }

    /// `GET` a REST path (or a URL from a `link` header) with retries. Any
    /// status but 401 is returned for the caller to judge.
    pub async fn get(&self, path_or_url: &str) -> Result<RawResponse, GithubError> {
        let path = path_and_query(path_or_url);
        let endpoint = format!("GET {path}");
        let path = path.as_str();
        self.with_retries(&endpoint, move || async move {
            self.rest_count.fetch_add(1, Ordering::Relaxed);
            outcome!(self.rest, self.rest._get(path).await)
        })
        .await
    }

    /// Runs a GraphQL operation (named `operation` in messages) with retries.
    pub async fn graphql(
        &self,
        operation: &str,
        query: &str,
        variables: Value,
    ) -> Result<GraphqlReply, GithubError> {
        let endpoint = format!("POST {} ({operation})", self.graphql_path);
        let body = serde_json::json!({ "query": query, "variables": variables });
        let body = &body;
        let response = self
            .with_retries(&endpoint, move || async move {
                self.graphql_count.fetch_add(1, Ordering::Relaxed);
                outcome!(
                    self.graphql,
                    self.graphql
                        ._post(self.graphql_path.as_str(), Some(body))
                        .await
                )
            })
            .await?;
        if !response.is_success() {
            return Err(GithubError::Http {
                endpoint,
                status: response.status,
                message: response.message(),
            });
        }
        let mut parsed: Value =
            serde_json::from_str(&response.body).map_err(|e| GithubError::Decode {
                endpoint: endpoint.clone(),
                message: e.to_string(),
            })?;
        let errors = parsed
            .get("errors")
            .and_then(Value::as_array)
            .map(|list| list.iter().map(graphql_error).collect())
            .unwrap_or_default();
        Ok(GraphqlReply {
            // Moved out, not cloned: a page of 100 teams is a large tree.
            data: parsed
                .get_mut("data")
                .map(Value::take)
                .unwrap_or(Value::Null),
            errors,
        })
    }
}

fn graphql_error(e: &Value) -> GraphqlErrorInfo {
    let path = e.get("path").and_then(Value::as_array).map(|p| {
        p.iter()
            .map(|seg| match seg {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(".")
    });
    GraphqlErrorInfo {
        kind: e.get("type").and_then(Value::as_str).map(str::to_string),
        path,
        message: e
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("(no message)")
            .to_string(),
    }
}

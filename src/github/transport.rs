//! The imperative shell around octocrab: builds the REST and GraphQL clients
//! (octocrab's own retries off, see [`super::retry`]), obtains a GitHub App
//! installation token when configured, sends requests through
//! [`retry::run`], counts every request it sends, and turns answers into
//! [`RawResponse`]s and GraphQL replies.
//!
//! Writes ([`Transport::write_once`], [`Transport::write_idempotent`]) are
//! paced by [`WritePacing`] (GitHub asks for at least a second between
//! mutative requests and limits content creation to 80 a minute and 500 an
//! hour) and each attempt is recorded as an [`Exchange`] for audit records.
//! Only idempotent writes (PUT, PATCH, DELETE) are retried here; a POST is
//! sent once and its caller decides (see `super::writer`).
//!
//! Every attempt has a total deadline, [`GithubConfig::request_timeout`]: connecting, sending,
//! the status line, the headers and the whole body (octocrab's own read timeout restarts with
//! every byte, so a server answering a byte a second would never trip it), and its body is read
//! up to [`MAX_BODY_BYTES`]. [`Transport::within_read_deadline`] bounds a whole read of the
//! organisation by [`GithubConfig::read_deadline`]: attempts are cut to the time left and a
//! retry wait that does not fit stops the read with an error instead of sleeping.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use octocrab::Octocrab;
use octocrab::service::middleware::retry::RetryConfig;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::config::{
    Credentials, GithubConfig, READ_DEADLINE_VAR, TIMEOUT_VAR, check_header_value,
};
use super::error::{GithubError, GraphqlErrorInfo, secs};
use super::http::{Headers, RawResponse, path_and_query};
use super::retry::{
    self, AttemptOutcome, Clock, Deadline, Decision, NoProgress, ProgressEvent, ProgressSink,
    RateLimitInfo, RetryEnv, RetryPolicy, RetryState, SystemClock, WaitReason,
};

/// The largest answer body orgctl reads (a GraphQL page of 100 full teams is a few MiB).
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// How many requests were sent (every attempt counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestCount {
    /// REST requests.
    pub rest: u64,
    /// GraphQL requests.
    pub graphql: u64,
    /// Of those, repeated attempts.
    pub retries: u64,
    /// Of the REST requests, writes (POST, PATCH, PUT, DELETE).
    pub writes: u64,
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

/// The HTTP method of a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WriteMethod {
    /// `POST` (creates; not idempotent).
    Post,
    /// `PATCH`.
    Patch,
    /// `PUT`.
    Put,
    /// `DELETE`.
    Delete,
}

impl WriteMethod {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            WriteMethod::Post => "POST",
            WriteMethod::Patch => "PATCH",
            WriteMethod::Put => "PUT",
            WriteMethod::Delete => "DELETE",
        }
    }

    /// Whether sending it twice has the effect of sending it once (everything but POST).
    pub fn is_idempotent(self) -> bool {
        self != WriteMethod::Post
    }
}

/// How far apart writes are sent: a minimum interval and at most `max` writes in any `window`.
/// GitHub's best practices ask for at least one second between mutative requests, and its
/// secondary limits allow 80 content-creating requests a minute and 500 an hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WritePacing {
    /// Minimum time between the starts of two writes.
    pub min_interval: Duration,
    /// `(window, max)`: at most `max` writes start within any `window`.
    pub windows: Vec<(Duration, usize)>,
}

impl Default for WritePacing {
    fn default() -> Self {
        WritePacing {
            min_interval: Duration::from_secs(1),
            windows: vec![
                (Duration::from_secs(60), 80),
                (Duration::from_secs(3600), 500),
            ],
        }
    }
}

impl WritePacing {
    /// No pacing at all (tests and benchmarks against a local fake).
    pub fn none() -> WritePacing {
        WritePacing {
            min_interval: Duration::ZERO,
            windows: Vec::new(),
        }
    }

    /// GitHub's limits with another minimum interval.
    pub fn with_min_interval(min_interval: Duration) -> WritePacing {
        WritePacing {
            min_interval,
            ..WritePacing::default()
        }
    }

    /// The longest window (how much history [`Self::delay`] needs).
    fn horizon(&self) -> Duration {
        self.windows
            .iter()
            .map(|(w, _)| *w)
            .max()
            .unwrap_or(Duration::ZERO)
            .max(self.min_interval)
    }

    /// How long to wait at `now` before the next write, given the start times of earlier
    /// writes (`sent`, oldest first). Pure; saturating (any interval, however large, is safe).
    pub fn delay(&self, sent: &VecDeque<Instant>, now: Instant) -> Duration {
        let mut wait = sent
            .back()
            .map(|last| {
                self.min_interval
                    .saturating_sub(now.saturating_duration_since(*last))
            })
            .unwrap_or(Duration::ZERO);
        for (window, max) in &self.windows {
            let max = (*max).max(1);
            let recent: Vec<&Instant> = sent
                .iter()
                .filter(|t| now.saturating_duration_since(**t) < *window)
                .collect();
            if recent.len() >= max {
                let oldest_that_counts = recent[recent.len() - max];
                let age = now.saturating_duration_since(*oldest_that_counts);
                wait = wait.max(window.saturating_sub(age));
            }
        }
        wait
    }
}

pub use crate::apply::Exchange;

/// Sends requests to GitHub with retries, rate-limit waits and counting.
pub struct Transport {
    /// The clients, rebuilt when a GitHub App's installation token is renewed.
    clients: std::sync::RwLock<Clients>,
    /// For a GitHub App: how to get a new installation token.
    app_auth: Option<AppAuth>,
    /// Held while a token is renewed, so concurrent requests renew it once.
    renewing: tokio::sync::Mutex<()>,
    graphql_path: String,
    policy: RetryPolicy,
    clock: Arc<dyn Clock>,
    progress: Arc<dyn ProgressSink>,
    rng: Mutex<fastrand::Rng>,
    rest_count: AtomicU64,
    graphql_count: AtomicU64,
    retries: AtomicU64,
    rate_limits: Mutex<BTreeMap<String, RateLimitInfo>>,
    pacing: WritePacing,
    sent_writes: Mutex<VecDeque<Instant>>,
    write_count: AtomicU64,
    /// Total time one attempt may take.
    request_timeout: Duration,
    /// Time a whole read of the organisation may take.
    read_deadline: Duration,
    /// The deadline of the read in progress, if any.
    deadline: Mutex<Option<Deadline>>,
}

/// The REST and GraphQL clients, and when their token was issued.
struct Clients {
    rest: Octocrab,
    graphql: Octocrab,
    /// When the token was obtained ([`Clock::now_epoch`]); renewed after [`APP_TOKEN_RENEW_AFTER`].
    issued_at: u64,
}

/// A GitHub App installation's credentials, kept to renew its token.
struct AppAuth {
    config: GithubConfig,
    app_id: u64,
    private_key_pem: SecretString,
    installation_id: u64,
}

/// Installation tokens expire an hour after they are issued; orgctl asks for a new one after
/// 50 minutes, before any request could meet an expired token (a long `apply` is paced at one
/// write a second and can run for hours).
pub const APP_TOKEN_RENEW_AFTER: Duration = Duration::from_secs(50 * 60);

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
                match read_body(res.into_body()).await {
                    Ok(body) => AttemptOutcome::Response(RawResponse {
                        status,
                        headers,
                        body,
                    }),
                    Err(message) => AttemptOutcome::Transport(message),
                }
            }
            Err(e) => AttemptOutcome::Transport(error_chain(&e)),
        }
    };
}

/// Reads a whole answer body, at most [`MAX_BODY_BYTES`], as text.
async fn read_body<B>(body: B) -> Result<String, String>
where
    B: hyper::body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    use http_body_util::BodyExt;
    let bytes = http_body_util::Limited::new(body, MAX_BODY_BYTES)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                format!(
                    "the answer is larger than {} MiB, more than any GitHub answer orgctl asks for",
                    MAX_BODY_BYTES >> 20
                )
            } else {
                error_chain(e.as_ref())
            }
        })?
        .to_bytes();
    String::from_utf8(bytes.to_vec()).map_err(|_| "the answer is not UTF-8 text".to_string())
}

impl Clients {
    fn new(
        config: &GithubConfig,
        token: &SecretString,
        issued_at: u64,
    ) -> Result<Clients, GithubError> {
        Ok(Clients {
            rest: build_client(&config.api_url, token, config)?,
            graphql: build_client(&config.graphql_url, token, config)?,
            issued_at,
        })
    }
}

/// A client for `base`. octocrab itself sends `X-GitHub-Api-Version: 2022-11-28`.
fn build_client(
    base: &str,
    token: &SecretString,
    config: &GithubConfig,
) -> Result<Octocrab, GithubError> {
    let header_error =
        |e: &dyn std::fmt::Display| GithubError::Config(format!("invalid header name: {e}"));
    // octocrab panics on a token that is not a valid header value: refuse it here.
    check_header_value("the GitHub token", token.expose_secret())?;
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
        .set_connect_timeout(Some(config.connect_timeout))
        .set_read_timeout(Some(config.read_timeout))
        .app_from_rsa_pem(
            octocrab::models::AppId(app_id),
            pem.expose_secret().as_bytes(),
        )
        .map_err(|e| config_error("ORGCTL_APP_PRIVATE_KEY is not a usable RSA private key", &e))?
        .build()
        .map_err(|e| config_error("could not build the GitHub App client", &e))?;
    let exchange = app.installation_and_token(octocrab::models::InstallationId(installation_id));
    let (_, token) = tokio::time::timeout(config.request_timeout, exchange)
        .await
        .map_err(|_| {
            GithubError::Config(format!(
                "could not get an installation token for app {app_id}, installation {installation_id}: no complete answer from {} within {} ({TIMEOUT_VAR})",
                config.api_url,
                secs(config.request_timeout)
            ))
        })?
        .map_err(|e| {
            GithubError::Config(format!(
                "could not get an installation token for app {app_id}, installation {installation_id} (check the app id, key and installation id): {}",
                error_chain(&e)
            ))
        })?;
    check_header_value(
        &format!(
            "the installation token GitHub returned for app {app_id}, installation {installation_id}"
        ),
        token.expose_secret(),
    )?;
    Ok(token)
}

impl Transport {
    /// Connects with `config`: builds the clients and, for a GitHub App,
    /// fetches an installation token (one REST request, counted). An App's token
    /// is renewed after [`APP_TOKEN_RENEW_AFTER`] (one more counted request).
    pub async fn connect(config: &GithubConfig) -> Result<Transport, GithubError> {
        let (token, app_auth) = match &config.credentials {
            Credentials::Token(token) => (token.clone(), None),
            Credentials::App {
                app_id,
                private_key_pem,
                installation_id,
            } => (
                installation_token(config, *app_id, private_key_pem, *installation_id).await?,
                Some(AppAuth {
                    config: config.clone(),
                    app_id: *app_id,
                    private_key_pem: private_key_pem.clone(),
                    installation_id: *installation_id,
                }),
            ),
        };
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let clients = Clients::new(config, &token, clock.now_epoch())?;
        let graphql_path = path_and_query(&config.graphql_url);
        let app = app_auth.is_some();
        let transport = Transport {
            clients: std::sync::RwLock::new(clients),
            app_auth,
            renewing: tokio::sync::Mutex::new(()),
            graphql_path,
            policy: config.retry.clone(),
            clock,
            progress: Arc::new(NoProgress),
            rng: Mutex::new(fastrand::Rng::new()),
            // The installation-token exchange was one REST request.
            rest_count: AtomicU64::new(u64::from(app)),
            graphql_count: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            rate_limits: Mutex::new(BTreeMap::new()),
            pacing: WritePacing::default(),
            sent_writes: Mutex::new(VecDeque::new()),
            write_count: AtomicU64::new(0),
            request_timeout: config.request_timeout,
            read_deadline: config.read_deadline,
            deadline: Mutex::new(None),
        };
        Ok(transport)
    }

    /// Uses `clock` for waits and token ages (tests: a scaled or recording clock). The
    /// current token counts as issued now, on that clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Transport {
        let now = clock.now_epoch();
        self.clients
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .issued_at = now;
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

    /// Paces writes with `pacing` (default: [`WritePacing::default`]).
    pub fn with_write_pacing(mut self, pacing: WritePacing) -> Transport {
        self.pacing = pacing;
        self
    }

    /// Whether the credentials are a GitHub App installation (no viewer).
    pub fn is_app(&self) -> bool {
        self.app_auth.is_some()
    }

    /// The clients to send the next request with: for a GitHub App whose token is
    /// [`APP_TOKEN_RENEW_AFTER`] old, new ones with a new token (one counted REST request).
    async fn clients(&self) -> Result<(Octocrab, Octocrab), GithubError> {
        let current = |t: &Transport| {
            let c = t.clients.read().unwrap_or_else(PoisonError::into_inner);
            (c.rest.clone(), c.graphql.clone(), c.issued_at)
        };
        let (rest, graphql, issued_at) = current(self);
        let Some(app) = &self.app_auth else {
            return Ok((rest, graphql));
        };
        let due = |issued_at: u64| {
            self.clock.now_epoch().saturating_sub(issued_at) >= APP_TOKEN_RENEW_AFTER.as_secs()
        };
        if !due(issued_at) {
            return Ok((rest, graphql));
        }
        let _renewing = self.renewing.lock().await;
        let (rest, graphql, issued_at) = current(self);
        if !due(issued_at) {
            return Ok((rest, graphql)); // renewed while this request waited
        }
        self.rest_count.fetch_add(1, Ordering::Relaxed);
        let token = installation_token(
            &app.config,
            app.app_id,
            &app.private_key_pem,
            app.installation_id,
        )
        .await?;
        let renewed = Clients::new(&app.config, &token, self.clock.now_epoch())?;
        let pair = (renewed.rest.clone(), renewed.graphql.clone());
        *self.clients.write().unwrap_or_else(PoisonError::into_inner) = renewed;
        Ok(pair)
    }

    /// Requests sent so far.
    pub fn requests(&self) -> RequestCount {
        RequestCount {
            rest: self.rest_count.load(Ordering::Relaxed),
            graphql: self.graphql_count.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            writes: self.write_count.load(Ordering::Relaxed),
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
        let deadline = self.current_deadline();
        let env = RetryEnv {
            policy: &self.policy,
            clock: self.clock.as_ref(),
            progress: self.progress.as_ref(),
            jitter: &jitter,
            deadline: deadline.as_ref(),
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
        self.with_retries(&endpoint, move || {
            self.timed(async move {
                let rest = match self.clients().await {
                    Ok((rest, _)) => rest,
                    Err(e) => return AttemptOutcome::Transport(e.to_string()),
                };
                self.rest_count.fetch_add(1, Ordering::Relaxed);
                outcome!(rest, rest._get(path).await)
            })
        })
        .await
    }

    /// Waits until [`WritePacing`] allows the next write, and records its start.
    async fn pace(&self) {
        loop {
            let wait = {
                let mut sent = self
                    .sent_writes
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let now = Instant::now();
                let wait = self.pacing.delay(&sent, now);
                if wait.is_zero() {
                    let horizon = self.pacing.horizon();
                    while sent
                        .front()
                        .is_some_and(|t| now.saturating_duration_since(*t) >= horizon)
                    {
                        sent.pop_front();
                    }
                    sent.push_back(now);
                    return;
                }
                wait
            };
            if wait >= Duration::from_secs(5) {
                self.progress.event(&ProgressEvent::Waiting {
                    endpoint: "the next write".into(),
                    reason: WaitReason::WritePacing,
                    wait,
                    attempt: 0,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Sends one write attempt (paced, counted, no retry) and records it as an [`Exchange`].
    pub async fn write_once(
        &self,
        method: WriteMethod,
        path: &str,
        body: Option<&Value>,
    ) -> (AttemptOutcome, Exchange) {
        self.pace().await;
        let path = path_and_query(path);
        let started_at = jiff::Timestamp::now();
        let clock = Instant::now();
        let uri = path.as_str();
        let outcome = self
            .timed(async {
                match self.clients().await {
                    // Nothing was sent: the write's caller sees a transport failure before sending.
                    Err(e) => AttemptOutcome::Transport(e.to_string()),
                    Ok((rest, _)) => {
                        self.rest_count.fetch_add(1, Ordering::Relaxed);
                        self.write_count.fetch_add(1, Ordering::Relaxed);
                        match method {
                            WriteMethod::Post => outcome!(rest, rest._post(uri, body).await),
                            WriteMethod::Patch => outcome!(rest, rest._patch(uri, body).await),
                            WriteMethod::Put => outcome!(rest, rest._put(uri, body).await),
                            WriteMethod::Delete => outcome!(rest, rest._delete(uri, body).await),
                        }
                    }
                }
            })
            .await;
        let exchange = exchange(method.as_str(), path, &outcome, started_at, clock);
        (outcome, exchange)
    }

    /// Sends an idempotent write (PUT, PATCH, DELETE) with retries on 5xx, timeouts and rate
    /// limits; every attempt is appended to `log`. Any status but 401 is returned.
    pub async fn write_idempotent(
        &self,
        method: WriteMethod,
        path: &str,
        body: Option<&Value>,
        log: &Mutex<Vec<Exchange>>,
    ) -> Result<RawResponse, GithubError> {
        let path = path_and_query(path);
        let endpoint = format!("{} {path}", method.as_str());
        let path = path.as_str();
        self.with_retries(&endpoint, move || async move {
            let (outcome, exchange) = self.write_once(method, path, body).await;
            log.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(exchange);
            outcome
        })
        .await
    }

    /// `GET` like [`Self::get`], appending the exchange to `log`.
    pub async fn get_logged(
        &self,
        path: &str,
        log: &Mutex<Vec<Exchange>>,
    ) -> Result<RawResponse, GithubError> {
        let started_at = jiff::Timestamp::now();
        let clock = Instant::now();
        let result = self.get(path).await;
        let outcome = match &result {
            Ok(r) => AttemptOutcome::Response(r.clone()),
            Err(e) => AttemptOutcome::Transport(e.to_string()),
        };
        log.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(exchange(
                "GET",
                path_and_query(path),
                &outcome,
                started_at,
                clock,
            ));
        result
    }

    /// What the retry rule says about `outcome` of attempt number `attempt` (1-based).
    pub fn retry_decision(&self, outcome: &AttemptOutcome, attempt: u32) -> Decision {
        retry::decide(
            outcome,
            attempt,
            &self.policy,
            self.clock.now_epoch(),
            self.jitter(),
        )
    }

    /// The retry limits.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Whether to stop instead of waiting `wait` before retrying `endpoint` ([`retry::give_up`]
    /// with this transport's policy, deadline and clock).
    pub fn give_up(
        &self,
        endpoint: &str,
        attempts: u32,
        waited: Duration,
        wait: Duration,
        reason: &WaitReason,
    ) -> Option<GithubError> {
        let at = RetryState {
            endpoint,
            attempts,
            waited,
            now: self.clock.now_epoch(),
        };
        retry::give_up(
            &self.policy,
            self.current_deadline().as_ref(),
            at,
            wait,
            reason,
        )
    }

    /// The deadline of the read in progress, if any.
    fn current_deadline(&self) -> Option<Deadline> {
        self.deadline
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Runs one attempt within its total time: [`GithubConfig::request_timeout`], or less when
    /// the read's deadline is nearer. Running out is a transport failure saying which setting.
    async fn timed(
        &self,
        attempt: impl std::future::Future<Output = AttemptOutcome>,
    ) -> AttemptOutcome {
        let (limit, why) = match self.current_deadline() {
            Some(d) if d.remaining() < self.request_timeout => (
                d.remaining(),
                format!(
                    "what was left of {} ({TIMEOUT_VAR} allows {} a request)",
                    d.setting,
                    secs(self.request_timeout)
                ),
            ),
            _ => (
                self.request_timeout,
                format!("the per-request limit {TIMEOUT_VAR}"),
            ),
        };
        match tokio::time::timeout(limit, attempt).await {
            Ok(outcome) => outcome,
            Err(_) => AttemptOutcome::Transport(format!(
                "no complete answer (status, headers and body) within {}, {why}",
                secs(limit)
            )),
        }
    }

    /// Runs `read` (a whole read of the organisation, described by `what`) under the read
    /// deadline, [`GithubConfig::read_deadline`]: every request in it is cut to the time left,
    /// and a retry wait that does not fit is an error naming the request and
    /// `ORGCTL_GITHUB_READ_DEADLINE` instead of a sleep. A read inside another keeps the outer
    /// deadline.
    pub async fn within_read_deadline<T>(
        &self,
        what: &str,
        read: impl std::future::Future<Output = Result<T, GithubError>>,
    ) -> Result<T, GithubError> {
        let deadline = Deadline::starting_now(self.read_deadline, what, READ_DEADLINE_VAR);
        let owner = {
            let mut current = self.deadline.lock().unwrap_or_else(PoisonError::into_inner);
            let free = current.is_none();
            if free {
                *current = Some(deadline.clone());
            }
            free
        };
        let _clear = ClearDeadline {
            transport: self,
            owner,
        };
        // The requests stop themselves at the deadline, naming themselves; this bounds the rest.
        let backstop = deadline.limit.saturating_add(Duration::from_secs(2));
        match tokio::time::timeout(backstop, read).await {
            Ok(result) => result,
            Err(_) => Err(deadline.exceeded("the GitHub API", "it was still running".to_string())),
        }
    }

    /// Reports a wait before retrying `endpoint` and sleeps through the clock.
    pub async fn wait_before_retry(
        &self,
        endpoint: &str,
        reason: WaitReason,
        wait: Duration,
        attempt: u32,
    ) {
        self.retries.fetch_add(1, Ordering::Relaxed);
        self.progress.event(&ProgressEvent::Waiting {
            endpoint: endpoint.to_string(),
            reason,
            wait,
            attempt,
        });
        self.clock.sleep(wait).await;
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
            .with_retries(&endpoint, move || {
                self.timed(async move {
                    let graphql = match self.clients().await {
                        Ok((_, graphql)) => graphql,
                        Err(e) => return AttemptOutcome::Transport(e.to_string()),
                    };
                    self.graphql_count.fetch_add(1, Ordering::Relaxed);
                    outcome!(
                        graphql,
                        graphql._post(self.graphql_path.as_str(), Some(body)).await
                    )
                })
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

/// Clears the transport's deadline when the read that set it ends (or is dropped).
struct ClearDeadline<'a> {
    transport: &'a Transport,
    owner: bool,
}

impl Drop for ClearDeadline<'_> {
    fn drop(&mut self) {
        if self.owner {
            *self
                .transport
                .deadline
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = None;
        }
    }
}

fn exchange(
    method: &str,
    path: String,
    outcome: &AttemptOutcome,
    started_at: jiff::Timestamp,
    clock: Instant,
) -> Exchange {
    let (status, error) = match outcome {
        AttemptOutcome::Response(r) if r.is_success() => (Some(r.status), None),
        AttemptOutcome::Response(r) => (Some(r.status), Some(r.message())),
        AttemptOutcome::Transport(e) => (None, Some(e.clone())),
    };
    Exchange {
        method: method.to_string(),
        path,
        status,
        error,
        started_at,
        duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
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

//! Mailgun backend: one or more routes per alias, managed through Mailgun's Routes API.
//!
//! API (documentation.mailgun.com, "Routes" API reference and user manual):
//! `GET /v3/routes?skip=N&limit=N` lists the account's routes (`{"total_count", "items"}`;
//! routes are per account, not per domain; `limit` defaults to 100 and may not exceed 1000);
//! `POST /v3/routes` creates one from form fields `priority`, `description`, `expression` and
//! repeated `action`; `PUT /v3/routes/<id>` updates the fields given; `DELETE /v3/routes/<id>`
//! deletes. Authentication is HTTP basic with user `api` and the API key as password.
//! A route `match_recipient("^infra@nixos\.org$")` with actions `forward("a@example.com")`
//! forwards the alias. The user manual says "the length of the Filter or Action fields cannot
//! exceed 4k" and to spread more actions over several routes with the same filter: orgctl keeps
//! the actions of one route at most [`MAX_ACTION_BYTES`] long (4,000 bytes, reading "4k"
//! conservatively) and splits a long recipient list into parts.
//!
//! Only routes whose description starts with `orgctl:v1` are read as orgctl's, and only those
//! are ever updated or deleted. The description carries the marker (see the `email` module
//! doc): `orgctl:v1 alias=<address> part=<i>/<n> sha256=<16 hex of expression and actions>`
//! then one `secret=<person>:<reference>:<digest>` per private recipient of that part. A route
//! whose expression or actions no longer hash to its marker is drift. A route without the
//! marker whose expression matches exactly a desired alias is a conflict (mail would be
//! delivered twice).
//!
//! Apply converges alias by alias, in address order: `PUT` parts that differ, `POST` missing
//! parts, then `DELETE` parts no longer needed, so an alias never loses its routing in between.
//! A permanent error on one alias is recorded and apply continues with the others. Reads,
//! `PUT` and `DELETE` are retried on 429/5xx/timeouts with jittered backoff (honouring
//! `Retry-After`); `POST` is not retried (it is not idempotent), re-running apply converges.

use super::digest;
use super::expand::Recipient;
use super::plan::{Action, Drift, EmailPlan, Observed};
use super::{
    Applied, ApplyOptions, ApplyReport, EmailError, MailBackend, Resolved, ResolvedAlias,
    resolve_table,
};
use crate::schema::MailgunRegion;
use base64::Engine;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

/// Mailgun's API base URL for US accounts, the default (EU accounts: `region: eu`).
pub const DEFAULT_API_URL: &str = "https://api.mailgun.net";
/// The environment variable that replaces Mailgun's API base URL (tests, an https proxy). The
/// org files can only choose between Mailgun's two regions.
pub const API_URL_ENV: &str = "ORGCTL_MAILGUN_API_URL";
/// The environment variable that replaces the total deadline of one request, in seconds.
pub const DEADLINE_ENV: &str = "ORGCTL_MAILGUN_TIMEOUT_SECS";
/// The total deadline of one request (connect, headers and body), unless [`DEADLINE_ENV`] says
/// otherwise: a server trickling its answer cannot hold plan or apply for longer.
pub const DEADLINE: Duration = Duration::from_secs(30);
/// Longest total length of one route's actions.
pub const MAX_ACTION_BYTES: usize = 4000;
/// Page size when listing routes (the API's maximum).
pub const PAGE: usize = 1000;
/// Priority of orgctl's routes (smaller runs first).
pub const PRIORITY: i64 = 0;
const MARKER: &str = "orgctl:v1";
const ATTEMPTS: u32 = 4;

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// A Mailgun account's routes.
pub struct Mailgun {
    base: String,
    domain: String,
    authorization: SecretString,
    client: Client<Https, Full<Bytes>>,
    deadline: Duration,
}

impl fmt::Debug for Mailgun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailgun")
            .field("base", &self.base)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

/// A route as the API returns it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
struct Route {
    id: String,
    #[serde(default)]
    priority: i64,
    #[serde(default)]
    description: String,
    #[serde(default)]
    expression: String,
    #[serde(default)]
    actions: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Page {
    #[serde(default)]
    total_count: usize,
    #[serde(default)]
    items: Vec<Route>,
}

/// A route orgctl wants (pure).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Spec {
    description: String,
    expression: String,
    actions: Vec<String>,
}

/// A parsed marker description.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Marker {
    alias: String,
    part: usize,
    parts: usize,
    hash: String,
    secrets: Vec<(String, String, String)>,
}

/// Where the API key is sent. Pure.
///
/// `env_override` ([`API_URL_ENV`], from the operator's environment) wins, and must be an
/// `https://` URL, or `http://` to a loopback address (local fakes in tests). Otherwise the org
/// files choose only between Mailgun's hosts: `region` (default `us`), or an `api_url` that is
/// one of the two region URLs; any other `api_url`, or one contradicting `region`, is refused
/// (`check` reports it at its line too, rule `email-backend`).
pub fn endpoint(
    region: Option<MailgunRegion>,
    api_url: Option<&str>,
    env_override: Option<&str>,
) -> Result<String, EmailError> {
    if let Some(url) = env_override.filter(|u| !u.trim().is_empty()) {
        return check_base(url).map_err(|why| {
            EmailError::Config(format!(
                "{API_URL_ENV}: {why}; the Mailgun API key is only sent over https (plain http only to 127.0.0.1, ::1 or localhost)"
            ))
        });
    }
    let from_url = match api_url {
        None => None,
        Some(url) => Some(MailgunRegion::from_api_url(url).ok_or_else(|| {
            EmailError::Config(format!(
                "org.yaml `email.backend.api_url: {url}` is not one of Mailgun's API hosts: \
                 write `region: us` or `region: eu` instead (tests and proxies set {API_URL_ENV} in the environment)"
            ))
        })?),
    };
    match (region, from_url) {
        (Some(r), Some(u)) if r != u => Err(EmailError::Config(format!(
            "org.yaml `email.backend`: `api_url` ({}) contradicts `region`; remove `api_url`",
            u.api_url()
        ))),
        (r, u) => Ok(r.or(u).unwrap_or(MailgunRegion::Us).api_url().to_string()),
    }
}

/// `url` without a trailing `/` when the key may be sent there: `https://` anywhere, `http://`
/// only to a loopback host; no user info, no spaces or control characters.
fn check_base(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the URL contains spaces or control characters".into());
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("`{url}` is not a URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(format!("`{url}` carries user information"));
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() {
        return Err(format!("`{url}` has no host"));
    }
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url.to_string()),
        "http" if loopback => Ok(url.to_string()),
        "http" => Err(format!(
            "`{url}` is plain http to a host that is not loopback"
        )),
        other => Err(format!("`{url}`: scheme `{other}` is not https")),
    }
}

/// The request deadline [`DEADLINE_ENV`] asks for (seconds, fractions allowed), if valid.
pub fn deadline_from_env(value: Option<&str>) -> Result<Duration, EmailError> {
    let Some(v) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(DEADLINE);
    };
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 3600.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| {
            EmailError::Config(format!(
                "{DEADLINE_ENV}={v}: expected a number of seconds between 0 and 3600"
            ))
        })
}

impl Mailgun {
    /// A client for `api_url` (no trailing `/v3`) with `api_key`. `domain` is the Mailgun
    /// domain the aliases belong to (shown in descriptions of the backend). `api_url` must be
    /// https (or http to a loopback address); use [`endpoint`] to choose it. Each request has
    /// a total deadline of [`DEADLINE`] (see [`Mailgun::with_deadline`]).
    pub fn new(api_url: &str, domain: &str, api_key: SecretString) -> Result<Mailgun, EmailError> {
        let base = check_base(api_url).map_err(|why| {
            EmailError::Config(format!(
                "Mailgun API URL: {why}; the API key is only sent over https"
            ))
        })?;
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| {
                EmailError::Config(format!("loading the system's TLS root certificates: {e}"))
            })?
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(hyper_util::rt::TokioExecutor::new()).build(https);
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("api:{}", api_key.expose_secret()));
        Ok(Mailgun {
            base,
            domain: domain.to_string(),
            authorization: SecretString::from(format!("Basic {token}")),
            client,
            deadline: DEADLINE,
        })
    }

    /// The same client with another total deadline per request.
    pub fn with_deadline(mut self, deadline: Duration) -> Mailgun {
        self.deadline = deadline;
        self
    }

    /// One request within the deadline: connecting, the headers and the whole body.
    async fn send_once(
        &self,
        method: &Method,
        path: &str,
        form: Option<&str>,
    ) -> Result<(StatusCode, Option<u64>, Bytes), String> {
        let deadline = self.deadline;
        tokio::time::timeout(deadline, self.exchange(method, path, form))
            .await
            .map_err(|_| {
                format!(
                    "no complete response within {:.1}s (the deadline of one request; {DEADLINE_ENV} changes it)",
                    deadline.as_secs_f64()
                )
            })?
    }

    async fn exchange(
        &self,
        method: &Method,
        path: &str,
        form: Option<&str>,
    ) -> Result<(StatusCode, Option<u64>, Bytes), String> {
        let mut auth = header::HeaderValue::from_str(self.authorization.expose_secret())
            .map_err(|_| "invalid API key characters".to_string())?;
        auth.set_sensitive(true);
        let mut req = Request::builder()
            .method(method.clone())
            .uri(format!("{}{path}", self.base))
            .header(header::AUTHORIZATION, auth)
            .header(header::ACCEPT, "application/json")
            .header(
                header::USER_AGENT,
                concat!("orgctl/", env!("CARGO_PKG_VERSION")),
            );
        if form.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let body = Full::new(Bytes::from(form.unwrap_or_default().to_string()));
        let req = req.body(body).map_err(|e| e.to_string())?;
        let resp = self
            .client
            .request(req)
            .await
            .map_err(|e| format!("transport error: {e}"))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("reading the body: {e}"))?
            .to_bytes();
        Ok((status, retry_after, bytes))
    }

    /// One request, retried when idempotent and transient. Returns the body of a 2xx.
    async fn send(
        &self,
        method: Method,
        path: &str,
        form: Option<&str>,
    ) -> Result<Bytes, EmailError> {
        let name: &'static str = match method {
            Method::GET => "GET",
            Method::POST => "POST",
            Method::PUT => "PUT",
            Method::DELETE => "DELETE",
            _ => "request",
        };
        let retry = method != Method::POST;
        let endpoint = path.split('?').next().unwrap_or(path).to_string();
        let fail = |message: String| EmailError::Http {
            method: name,
            endpoint: endpoint.clone(),
            message,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self.send_once(&method, path, form).await;
            let (wait, error) = match result {
                Ok((status, _, body)) if status.is_success() => return Ok(body),
                Ok((status, retry_after, body)) => {
                    let msg = api_message(&body);
                    let transient =
                        status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
                    let hint = match status {
                        StatusCode::UNAUTHORIZED => {
                            "; check MAILGUN_API_KEY (and the region: EU accounts need `region: eu` in org.yaml's email.backend)"
                        }
                        StatusCode::FORBIDDEN => "; the key lacks permission to manage routes",
                        _ => "",
                    };
                    let error = fail(format!("HTTP {}: {msg}{hint}", status.as_u16()));
                    if !transient {
                        return Err(error);
                    }
                    (retry_after.map(Duration::from_secs), error)
                }
                Err(e) => (None, fail(e)),
            };
            if !retry || attempt >= ATTEMPTS {
                return Err(error);
            }
            let backoff = Duration::from_millis(200 * (1 << attempt) + fastrand::u64(0..200));
            let wait = wait.unwrap_or(backoff).min(Duration::from_secs(60));
            eprintln!(
                "mailgun: {}; retrying in {:.1}s",
                crate::render::text::terminal_safe(&error.to_string()),
                wait.as_secs_f64()
            );
            tokio::time::sleep(wait).await;
        }
    }

    async fn list(&self) -> Result<Vec<Route>, EmailError> {
        let mut out = Vec::new();
        loop {
            let body = self
                .send(
                    Method::GET,
                    &format!("/v3/routes?skip={}&limit={PAGE}", out.len()),
                    None,
                )
                .await?;
            let page: Page = serde_json::from_slice(&body).map_err(|e| EmailError::Http {
                method: "GET",
                endpoint: "/v3/routes".into(),
                message: format!("unexpected response: {e}"),
            })?;
            let n = page.items.len();
            out.extend(page.items);
            if n == 0 || out.len() >= page.total_count {
                return Ok(out);
            }
        }
    }

    async fn observe(&self) -> Result<(Observed, BTreeMap<String, Vec<Route>>), EmailError> {
        let routes = self.list().await?;
        Ok(observe(routes))
    }

    async fn create(&self, spec: &Spec) -> Result<(), EmailError> {
        self.send(Method::POST, "/v3/routes", Some(&form(spec)))
            .await
            .map(drop)
    }

    async fn update(&self, id: &str, spec: &Spec) -> Result<(), EmailError> {
        self.send(
            Method::PUT,
            &format!("/v3/routes/{}", path_segment(id)),
            Some(&form(spec)),
        )
        .await
        .map(drop)
    }

    async fn delete(&self, id: &str) -> Result<(), EmailError> {
        self.send(
            Method::DELETE,
            &format!("/v3/routes/{}", path_segment(id)),
            None,
        )
        .await
        .map(drop)
    }

    /// Converges one alias: PUT differing parts, POST missing ones, DELETE extra ones.
    async fn converge(&self, specs: &[Spec], existing: &[Route]) -> Result<usize, EmailError> {
        let mut writes = 0;
        for (i, spec) in specs.iter().enumerate() {
            match existing.get(i) {
                Some(r) if same(r, spec) => {}
                Some(r) => {
                    self.update(&r.id, spec).await?;
                    writes += 1;
                }
                None => {
                    self.create(spec).await?;
                    writes += 1;
                }
            }
        }
        for r in existing.iter().skip(specs.len()) {
            self.delete(&r.id).await?;
            writes += 1;
        }
        Ok(writes)
    }
}

impl MailBackend for Mailgun {
    fn describe(&self) -> String {
        format!("mailgun routes ({} at {})", self.domain, self.base)
    }

    async fn read(&self) -> Result<Observed, EmailError> {
        Ok(self.observe().await?.0)
    }

    async fn apply(
        &self,
        plan: &EmailPlan,
        secrets: &Resolved,
        options: ApplyOptions,
    ) -> Result<ApplyReport, EmailError> {
        let (observed, existing) = self.observe().await?;
        if observed.fingerprint != plan.observed_fingerprint {
            return Err(EmailError::Stale);
        }
        let conflicts = super::plan::conflicts(&plan.desired, &observed.unmanaged);
        if !conflicts.is_empty() {
            return Err(EmailError::Conflict(conflicts));
        }
        if !observed.drift.is_empty() && !options.allow_drift {
            return Err(EmailError::Drift(observed.drift));
        }
        let resolved = resolve_table(&plan.desired, secrets)?;
        let desired: BTreeMap<&str, Vec<Spec>> =
            resolved.iter().map(|a| (a.address, specs(a))).collect();
        let planned: BTreeMap<&str, Action> = plan
            .changes
            .iter()
            .map(|c| (c.address.as_str(), c.action))
            .collect();
        let addresses: BTreeSet<&str> = desired
            .keys()
            .copied()
            .chain(existing.keys().map(String::as_str))
            .collect();
        let mut report = ApplyReport::default();
        let mut writes = 0;
        for address in addresses {
            let want = desired.get(address).map(Vec::as_slice).unwrap_or_default();
            let have = existing.get(address).map(Vec::as_slice).unwrap_or_default();
            let differs =
                want.len() != have.len() || want.iter().zip(have).any(|(s, r)| !same(r, s));
            if !differs {
                continue;
            }
            let action = match (want.is_empty(), have.is_empty()) {
                (false, true) => Action::Create,
                (true, false) => Action::Delete,
                _ => Action::Update,
            };
            let note = match planned.get(address) {
                Some(_) => None,
                None if action == Action::Update && want.len() == have.len() => {
                    Some("private address changed".to_string())
                }
                None => Some("route parts rearranged".to_string()),
            };
            let result = self.converge(want, have).await;
            let error = match result {
                Ok(n) => {
                    writes += n;
                    None
                }
                Err(e) => Some(e.to_string()),
            };
            report.applied.push(Applied {
                resource: super::resource(address),
                action,
                note,
                error,
            });
        }
        report
            .notes
            .push(format!("{writes} route write(s) to {}", self.base));
        Ok(report)
    }
}

fn same(r: &Route, s: &Spec) -> bool {
    r.priority == PRIORITY
        && r.description == s.description
        && r.expression == s.expression
        && r.actions == s.actions
}

fn path_segment(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

fn form(spec: &Spec) -> String {
    let mut f = form_urlencoded::Serializer::new(String::new());
    f.append_pair("priority", &PRIORITY.to_string());
    f.append_pair("description", &spec.description);
    f.append_pair("expression", &spec.expression);
    for a in &spec.actions {
        f.append_pair("action", a);
    }
    f.finish()
}

/// The `message` of an error body, or a short prefix of it.
fn api_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct M {
        message: String,
    }
    match serde_json::from_slice::<M>(body) {
        Ok(m) => m.message,
        Err(_) => String::from_utf8_lossy(body).chars().take(200).collect(),
    }
}

/// `match_recipient("^infra@nixos\.org$")`: the exact address, regex-escaped.
fn expression(address: &str) -> String {
    let mut pat = String::from("^");
    for c in address.chars() {
        if "\\.^$*+?()[]{}|\"".contains(c) {
            pat.push('\\');
        }
        pat.push(c);
    }
    pat.push('$');
    format!("match_recipient(\"{pat}\")")
}

/// The literal address an expression matches, if it is of the form orgctl writes (anchors
/// optional, `.` escaped or not); `None` for patterns such as `.*@domain`.
fn expression_address(expr: &str) -> Option<String> {
    let inner = expr
        .trim()
        .strip_prefix("match_recipient(")?
        .strip_suffix(')')?
        .trim();
    let inner = inner
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))?;
    let inner = inner.strip_prefix('^').unwrap_or(inner);
    let inner = inner.strip_suffix('$').unwrap_or(inner);
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            // An unescaped `.` matches itself too (Mailgun's own examples leave it unescaped).
            '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '^' | '$' => return None,
            c => out.push(c),
        }
    }
    Some(out.to_lowercase())
}

fn forward(address: &str) -> String {
    format!("forward(\"{address}\")")
}

/// Destinations of a `forward("a, b")` action.
fn forwarded(action: &str) -> Option<Vec<String>> {
    let inner = action
        .trim()
        .strip_prefix("forward(")?
        .strip_suffix(')')?
        .trim();
    let inner = inner
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))?;
    Some(
        inner
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

fn route_hash(expression: &str, actions: &[String]) -> String {
    let mut text = format!("{expression}\n");
    for a in actions {
        text.push_str(a);
        text.push('\n');
    }
    digest::short(&text)
}

/// The routes of one alias: actions split so each route stays under [`MAX_ACTION_BYTES`].
fn specs(a: &ResolvedAlias<'_>) -> Vec<Spec> {
    let mut chunks: Vec<Vec<(&Recipient, &str)>> = vec![Vec::new()];
    let mut len = 0;
    for &(r, real) in &a.recipients {
        let n = forward(real).len();
        if len + n > MAX_ACTION_BYTES && chunks.last().is_some_and(|c| !c.is_empty()) {
            chunks.push(Vec::new());
            len = 0;
        }
        len += n;
        if let Some(c) = chunks.last_mut() {
            c.push((r, real));
        }
    }
    let expression = expression(a.address);
    let parts = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let actions: Vec<String> = chunk.iter().map(|(_, real)| forward(real)).collect();
            let mut description = format!(
                "{MARKER} alias={} part={}/{parts} sha256={}",
                a.address,
                i + 1,
                route_hash(&expression, &actions)
            );
            for (r, real) in &chunk {
                if let Recipient::Secret { person, reference } = r {
                    description.push_str(&format!(
                        " secret={person}:{}:{}",
                        digest::escape(reference),
                        digest::secret(a.address, person, real)
                    ));
                }
            }
            Spec {
                description,
                expression: expression.clone(),
                actions,
            }
        })
        .collect()
}

fn parse_marker(description: &str) -> Option<Marker> {
    let mut words = description.split_whitespace();
    if words.next()? != MARKER {
        return None;
    }
    let alias = words.next()?.strip_prefix("alias=")?.to_lowercase();
    let (part, parts) = words.next()?.strip_prefix("part=")?.split_once('/')?;
    let hash = words.next()?.strip_prefix("sha256=")?.to_string();
    let mut secrets = Vec::new();
    for w in words {
        let s = w.strip_prefix("secret=")?;
        let (person, rest) = s.split_once(':')?;
        let (reference, d) = rest.rsplit_once(':')?;
        secrets.push((
            person.to_string(),
            digest::unescape(reference)?,
            d.to_string(),
        ));
    }
    Some(Marker {
        alias,
        part: part.parse().ok()?,
        parts: parts.parse().ok()?,
        hash,
        secrets,
    })
}

/// What the routes say (pure): managed aliases with drift and fingerprint, plus orgctl's routes
/// by alias in part order.
fn observe(routes: Vec<Route>) -> (Observed, BTreeMap<String, Vec<Route>>) {
    let mut observed = Observed::default();
    let mut managed: BTreeMap<String, Vec<(Marker, Route)>> = BTreeMap::new();
    for r in routes {
        if r.description.starts_with(MARKER) {
            match parse_marker(&r.description) {
                Some(m) => managed.entry(m.alias.clone()).or_default().push((m, r)),
                None => observed.drift.push(Drift {
                    address: None,
                    message: format!(
                        "route {} carries orgctl's marker but its description was edited by hand",
                        r.id
                    ),
                }),
            }
        } else if let Some(a) = expression_address(&r.expression) {
            observed
                .unmanaged
                .entry(a)
                .or_insert_with(|| format!("Mailgun route {} without orgctl's marker", r.id));
        }
    }
    let mut fingerprint = String::new();
    let mut by_alias = BTreeMap::new();
    for (alias, mut parts) in managed {
        parts.sort_by(|(a, ra), (b, rb)| (a.part, &ra.id).cmp(&(b.part, &rb.id)));
        let expected = parts.first().map_or(0, |(m, _)| m.parts);
        let numbers: Vec<usize> = parts.iter().map(|(m, _)| m.part).collect();
        let complete: Vec<usize> = (1..=expected).collect();
        let mut deduped = numbers.clone();
        deduped.dedup();
        if deduped != complete || parts.iter().any(|(m, _)| m.parts != expected) {
            observed.drift.push(Drift {
                address: Some(alias.clone()),
                message: format!("route parts {numbers:?} of {expected} found: some were deleted or added by hand"),
            });
        }
        let mut recipients = Vec::new();
        for (m, r) in &parts {
            let want_expr = expression(&alias);
            if r.expression != want_expr || route_hash(&r.expression, &r.actions) != m.hash {
                observed.drift.push(Drift {
                    address: Some(alias.clone()),
                    message: format!("route {} edited by hand since the last apply", r.id),
                });
            }
            for a in &r.actions {
                for dest in forwarded(a).unwrap_or_default() {
                    recipients.push(attribute(&alias, &dest, m));
                }
            }
            fingerprint.push_str(&format!(
                "{}\0{}\0{}\0{}\0{}\n",
                r.id,
                r.priority,
                r.description,
                r.expression,
                r.actions.join("\0")
            ));
        }
        observed
            .table
            .insert(alias.clone(), super::expand::normalize(recipients));
        by_alias.insert(alias, parts.into_iter().map(|(_, r)| r).collect());
    }
    observed.fingerprint = digest::sha256_hex(&fingerprint);
    (observed, by_alias)
}

fn attribute(alias: &str, address: &str, m: &Marker) -> Recipient {
    for (person, reference, d) in &m.secrets {
        if *d == digest::secret(alias, person, address) {
            return Recipient::Secret {
                person: person.clone(),
                reference: reference.clone(),
            };
        }
    }
    Recipient::Public(address.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alias<'a>(address: &'a str, rs: &'a [(Recipient, String)]) -> ResolvedAlias<'a> {
        ResolvedAlias {
            address,
            recipients: rs.iter().map(|(r, s)| (r, s.as_str())).collect(),
        }
    }

    fn route(id: &str, s: &Spec) -> Route {
        Route {
            id: id.into(),
            priority: PRIORITY,
            description: s.description.clone(),
            expression: s.expression.clone(),
            actions: s.actions.clone(),
        }
    }

    #[test]
    fn the_key_goes_only_to_mailgun_or_the_operators_override() {
        use MailgunRegion::{Eu, Us};
        let ok = |r, u, e| endpoint(r, u, e).map_err(|e| e.to_string());
        assert_eq!(
            ok(None, None, None).as_deref(),
            Ok("https://api.mailgun.net")
        );
        assert_eq!(
            ok(Some(Eu), None, None).as_deref(),
            Ok("https://api.eu.mailgun.net")
        );
        assert_eq!(
            ok(None, Some("https://API.eu.mailgun.net/v3/"), None).as_deref(),
            Ok("https://api.eu.mailgun.net")
        );
        assert_eq!(
            ok(Some(Us), Some("https://api.mailgun.net"), None).as_deref(),
            Ok("https://api.mailgun.net")
        );
        for hostile in [
            "http://api.mailgun.net",
            "https://evil.example",
            "https://api.mailgun.net.evil.example",
            "https://api.mailgun.net@evil.example",
            "http://127.0.0.1:8080",
        ] {
            let e = ok(None, Some(hostile), None).expect_err(hostile);
            assert!(e.contains("is not one of Mailgun's API hosts"), "{e}");
            assert!(e.contains("region: eu"), "{e}");
        }
        let e = ok(Some(Us), Some("https://api.eu.mailgun.net"), None).expect_err("contradiction");
        assert!(e.contains("contradicts `region`"), "{e}");
        // The environment override wins over the files, and is https or loopback http only.
        assert_eq!(
            ok(
                Some(Eu),
                Some("https://evil.example"),
                Some("http://127.0.0.1:4242/")
            )
            .as_deref(),
            Ok("http://127.0.0.1:4242")
        );
        assert_eq!(
            ok(None, None, Some("http://[::1]:80")).as_deref(),
            Ok("http://[::1]:80")
        );
        assert_eq!(
            ok(None, None, Some("http://localhost:1")).as_deref(),
            Ok("http://localhost:1")
        );
        assert_eq!(
            ok(None, None, Some("https://proxy.example/mailgun")).as_deref(),
            Ok("https://proxy.example/mailgun")
        );
        for bad in [
            "http://evil.example",
            "http://127.0.0.1.evil.example",
            "http://user@127.0.0.1",
            "ftp://127.0.0.1",
            "127.0.0.1:80",
            "https://a b.example",
        ] {
            let e = ok(None, None, Some(bad)).expect_err(bad);
            assert!(e.starts_with("ORGCTL_MAILGUN_API_URL: "), "{e}");
        }
        // Mailgun::new refuses plain http too, whoever calls it.
        let e = Mailgun::new("http://evil.example", "x.org", SecretString::from("k"))
            .expect_err("plain http");
        assert!(e.to_string().contains("only sent over https"), "{e}");
    }

    #[test]
    fn deadline_from_the_environment() {
        assert_eq!(deadline_from_env(None).ok(), Some(DEADLINE));
        assert_eq!(
            deadline_from_env(Some("1.5")).ok(),
            Some(Duration::from_millis(1500))
        );
        for bad in ["0", "-1", "abc", "NaN", "1e9"] {
            assert!(deadline_from_env(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn expression_escapes_and_round_trips() {
        let e = expression("a.b+c@nixos.example");
        assert_eq!(e, r#"match_recipient("^a\.b\+c@nixos\.example$")"#);
        assert_eq!(
            expression_address(&e).as_deref(),
            Some("a.b+c@nixos.example")
        );
        assert_eq!(
            expression_address(r#"match_recipient(".*@nixos.example")"#),
            None
        );
        assert_eq!(
            expression_address("match_recipient('Press@nixos\\.example')").as_deref(),
            Some("press@nixos.example")
        );
    }

    #[test]
    fn long_lists_split_and_read_back_without_drift() {
        let rs: Vec<(Recipient, String)> = (0..300)
            .map(|i| {
                (
                    Recipient::External(format!("member{i:03}@lists.example.org")),
                    format!("member{i:03}@lists.example.org"),
                )
            })
            .chain([(
                Recipient::Secret {
                    person: "alice".into(),
                    reference: "env:ALICE".into(),
                },
                "alice@private.example".to_string(),
            )])
            .collect();
        let a = alias("big@nixos.example", &rs);
        let specs = specs(&a);
        assert!(specs.len() >= 3, "{}", specs.len());
        for s in &specs {
            assert!(s.actions.iter().map(String::len).sum::<usize>() <= MAX_ACTION_BYTES);
        }
        assert!(specs[0].description.starts_with(&format!(
            "orgctl:v1 alias=big@nixos.example part=1/{} sha256=",
            specs.len()
        )));
        let routes: Vec<Route> = specs
            .iter()
            .enumerate()
            .map(|(i, s)| route(&format!("r{i}"), s))
            .collect();
        let (observed, by_alias) = observe(routes);
        assert!(observed.drift.is_empty(), "{:?}", observed.drift);
        assert_eq!(by_alias["big@nixos.example"].len(), specs.len());
        let got = &observed.table["big@nixos.example"];
        assert_eq!(got.len(), 301);
        assert_eq!(got[300].to_string(), "alice <redacted>");
    }

    #[test]
    fn edited_and_unmanaged_routes() {
        let rs = vec![(
            Recipient::Public("bob@example.com".into()),
            "bob@example.com".to_string(),
        )];
        let s = specs(&alias("infra@nixos.example", &rs));
        let mut edited = route("a", &s[0]);
        edited.actions.push(forward("mallory@evil.example"));
        let other = Route {
            id: "b".into(),
            priority: 5,
            description: "hand-made".into(),
            expression: "match_recipient(\"press@nixos.example\")".into(),
            actions: vec![forward("x@example.com")],
        };
        let (observed, _) = observe(vec![edited, other]);
        let d: Vec<String> = observed.drift.iter().map(ToString::to_string).collect();
        assert_eq!(
            d,
            ["email_alias[\"infra@nixos.example\"]: route a edited by hand since the last apply"]
        );
        assert_eq!(
            observed.unmanaged.keys().collect::<Vec<_>>(),
            ["press@nixos.example"]
        );
    }
}

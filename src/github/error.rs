//! Errors of the GitHub layer. Each names the endpoint that failed and, where
//! there is one, the fix (wrong token, missing scope, wrong organisation name).

use std::time::Duration;

/// One entry of a GraphQL `errors` array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphqlErrorInfo {
    /// GitHub's `type` (`NOT_FOUND`, `RATE_LIMITED`, …) when present.
    pub kind: Option<String>,
    /// Path of the failing field, joined with `.`.
    pub path: Option<String>,
    /// Message.
    pub message: String,
}

impl std::fmt::Display for GraphqlErrorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(kind) = &self.kind {
            write!(f, "[{kind}] ")?;
        }
        if let Some(path) = &self.path {
            write!(f, "at {path}: ")?;
        }
        f.write_str(&self.message)
    }
}

fn join(errors: &[GraphqlErrorInfo]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn org_denied(org: &str, endpoint: &str, status: &str, message: &str) -> String {
    let scope = format!(
        "the token lacks the `read:org` scope (fine-grained token: organisation Members read access), or its owner is not a member of `{org}` (listing invitations needs an owner)"
    );
    if status == "404" {
        format!(
            "GitHub answered 404 for organisation `{org}` on {endpoint} ({message}): either the organisation name is wrong, or {scope}"
        )
    } else {
        format!(
            "GitHub refused to show organisation `{org}` ({status} on {endpoint}: {message}): {scope}"
        )
    }
}

/// A duration in whole seconds for messages (`90 s`; `0.3 s` below one second).
pub fn secs(d: Duration) -> String {
    if d < Duration::from_secs(1) && !d.is_zero() {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} s", d.as_secs())
    }
}

/// An epoch time as an RFC 3339 timestamp (`2026-11-26T03:46:40Z`).
pub fn retry_after(epoch: u64) -> String {
    i64::try_from(epoch)
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map_or_else(|| format!("{epoch} (epoch seconds)"), |t| t.to_string())
}

/// An error talking to GitHub.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    /// 401: the token is not valid.
    #[error(
        "GitHub rejected the credentials (401 {message}) on {endpoint}: the token is invalid, expired or revoked; set GITHUB_TOKEN (or pass a token) to a valid token"
    )]
    BadCredentials {
        /// Endpoint.
        endpoint: String,
        /// GitHub's message (`Bad credentials`).
        message: String,
    },
    /// 403/404 (or GraphQL `INSUFFICIENT_SCOPES`/`FORBIDDEN`) on an organisation resource.
    #[error("{}", org_denied(org, endpoint, status, message))]
    OrgAccessDenied {
        /// Organisation.
        org: String,
        /// Endpoint.
        endpoint: String,
        /// Status or GraphQL error type.
        status: String,
        /// GitHub's message.
        message: String,
    },
    /// GraphQL `NOT_FOUND` for the organisation.
    #[error(
        "organisation `{org}` does not exist on GitHub ({endpoint}: {message}); check the organisation name"
    )]
    OrgNotFound {
        /// Organisation.
        org: String,
        /// Endpoint.
        endpoint: String,
        /// GitHub's message.
        message: String,
    },
    /// Any other unsuccessful status.
    #[error("GitHub answered {status} on {endpoint}: {message}")]
    Http {
        /// Endpoint.
        endpoint: String,
        /// HTTP status.
        status: u16,
        /// GitHub's message.
        message: String,
    },
    /// GraphQL errors other than the ones above.
    #[error("GraphQL query {endpoint} failed: {}", join(.errors))]
    Graphql {
        /// Operation.
        endpoint: String,
        /// The errors.
        errors: Vec<GraphqlErrorInfo>,
    },
    /// A transient failure kept happening until the retry budget ran out.
    #[error("gave up on {endpoint} after {attempts} attempts ({waited:?} spent waiting): {last}")]
    RetriesExhausted {
        /// Endpoint.
        endpoint: String,
        /// Attempts made.
        attempts: u32,
        /// Time spent waiting between attempts.
        waited: Duration,
        /// The last failure.
        last: String,
    },
    /// GitHub's rate limit (primary or secondary) outlasted the retry budget: orgctl gave up.
    /// Apply stops here: every later write would meet the same limit.
    #[error(
        "rate limited on {endpoint}: {reason}; GitHub asks to wait {}, more than the retry budget allows ({} of waiting, {attempts} attempt{}); try again after {}",
        secs(*wait),
        secs(*budget),
        if *attempts == 1 { "" } else { "s" },
        retry_after(*retry_at)
    )]
    RateLimited {
        /// Endpoint.
        endpoint: String,
        /// Which limit, and until when.
        reason: String,
        /// The wait GitHub asked for.
        wait: Duration,
        /// The configured budget.
        budget: Duration,
        /// Attempts made.
        attempts: u32,
        /// When GitHub expects the limit to be over (epoch seconds).
        retry_at: u64,
    },
    /// A deadline ran out: one request's, or the whole read's (with the setting that sets it).
    #[error(
        "gave up on {endpoint}: {what} must finish within {} ({setting}), and {detail}; if GitHub is only slow, raise {setting}, otherwise check the network and GITHUB_API_URL",
        secs(*limit)
    )]
    DeadlineExceeded {
        /// The request in progress, or about to be retried.
        endpoint: String,
        /// What had the deadline (`reading organisation `acme``).
        what: String,
        /// The deadline.
        limit: Duration,
        /// The variable that sets it.
        setting: String,
        /// Why it could not finish (the last failure, or the wait GitHub asked for).
        detail: String,
    },
    /// No HTTP answer (connection refused, timeout, TLS, …), not retried further.
    #[error("could not reach GitHub for {endpoint}: {message}")]
    Transport {
        /// Endpoint.
        endpoint: String,
        /// What went wrong.
        message: String,
    },
    /// An answer that did not have the expected shape.
    #[error("unexpected answer from {endpoint}: {message}")]
    Decode {
        /// Endpoint.
        endpoint: String,
        /// What did not fit.
        message: String,
    },
    /// Missing or unusable configuration.
    #[error("GitHub configuration: {0}")]
    Config(String),
    /// A write apply did not make, or made only in part, with the reason and the fix.
    #[error("{0}")]
    NotApplied(String),
    /// The organisation changed under the reader.
    #[error("team `{slug}` disappeared while the organisation was being read; run again")]
    Inconsistent {
        /// Team slug.
        slug: String,
    },
}

impl GithubError {
    /// When GitHub's rate limit stopped the request: the time it expects the limit to be over
    /// (epoch seconds). Apply stops the run on such an error instead of sending more writes.
    pub fn rate_limited_until(&self) -> Option<u64> {
        match self {
            GithubError::RateLimited { retry_at, .. } => Some(*retry_at),
            _ => None,
        }
    }
}

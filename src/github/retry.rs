//! Rate limits and retries, in one place.
//!
//! [`decide`] is the pure rule GitHub documents: on a secondary rate limit wait
//! `retry-after` seconds if given, else until `x-ratelimit-reset` when
//! `x-ratelimit-remaining` is 0, else at least a minute, doubling on each
//! further attempt; on an exhausted primary limit (REST 403/429 or GraphQL
//! `RATE_LIMITED`) wait for the reset; retry 502/503/504 and transport errors
//! (timeouts, refused connections) with jittered exponential backoff.
//! [`run`] applies it with a bounded attempt count and waiting budget,
//! sleeping through an injectable [`Clock`] and reporting every wait to a
//! [`ProgressSink`]. [`give_up`] is the one rule for stopping instead of waiting, shared by
//! [`run`] and the writer's own loop for POSTs: a rate limit that outlasts the budget is
//! [`GithubError::RateLimited`] (apply stops the run on it), a wait beyond the current
//! [`Deadline`] is [`GithubError::DeadlineExceeded`] (no sleep that cannot end in time).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::error::{GithubError, secs};
use super::http::{Headers, RawResponse};

/// Limits of retrying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// Total time one request may spend waiting between attempts.
    pub max_total_wait: Duration,
    /// First backoff after a 5xx or transport error (doubles each attempt).
    pub base_backoff: Duration,
    /// Upper bound of one backoff.
    pub max_backoff: Duration,
    /// Wait after a secondary rate limit that gives no `retry-after` or reset
    /// (doubles each attempt; GitHub asks for at least a minute).
    pub secondary_min_wait: Duration,
    /// Added to waits until `x-ratelimit-reset` (clock skew).
    pub reset_margin: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            max_total_wait: Duration::from_secs(15 * 60),
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            secondary_min_wait: Duration::from_secs(60),
            reset_margin: Duration::from_secs(1),
        }
    }
}

/// Primary rate-limit figures from `x-ratelimit-*` headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitInfo {
    /// `core`, `graphql`, …
    pub resource: String,
    /// Requests or points per hour.
    pub limit: u64,
    /// Left in this window.
    pub remaining: u64,
    /// Used in this window.
    pub used: u64,
    /// End of the window, epoch seconds.
    pub reset: u64,
}

impl RateLimitInfo {
    /// Reads the headers; `None` when they are absent.
    pub fn from_headers(headers: &Headers) -> Option<RateLimitInfo> {
        Some(RateLimitInfo {
            resource: headers
                .get("x-ratelimit-resource")
                .unwrap_or("core")
                .to_string(),
            limit: headers.get_u64("x-ratelimit-limit")?,
            remaining: headers.get_u64("x-ratelimit-remaining")?,
            used: headers.get_u64("x-ratelimit-used").unwrap_or(0),
            reset: headers.get_u64("x-ratelimit-reset").unwrap_or(0),
        })
    }
}

/// Why the client is waiting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitReason {
    /// GitHub's secondary rate limit.
    SecondaryRateLimit,
    /// Primary limit exhausted until `reset` (epoch seconds).
    PrimaryRateLimit {
        /// `core` or `graphql`.
        resource: String,
        /// Reset time.
        reset: u64,
    },
    /// 502, 503 or 504.
    ServerError(u16),
    /// No answer (timeout, connection error).
    Transport(String),
    /// Writes are paced under GitHub's documented limits.
    WritePacing,
}

impl WaitReason {
    /// Whether this is one of GitHub's rate limits.
    pub fn is_rate_limit(&self) -> bool {
        matches!(
            self,
            WaitReason::SecondaryRateLimit | WaitReason::PrimaryRateLimit { .. }
        )
    }
}

impl fmt::Display for WaitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitReason::SecondaryRateLimit => f.write_str("secondary rate limit"),
            WaitReason::PrimaryRateLimit { resource, reset } => {
                let at = jiff::Timestamp::from_second(i64::try_from(*reset).unwrap_or(i64::MAX))
                    .map(|t| t.to_string())
                    .unwrap_or_else(|_| reset.to_string());
                write!(f, "{resource} rate limit exhausted until {at}")
            }
            WaitReason::ServerError(status) => write!(f, "server error {status}"),
            WaitReason::Transport(message) => write!(f, "no answer ({message})"),
            WaitReason::WritePacing => f.write_str(
                "pacing writes under GitHub's content-creation limits (80 a minute, 500 an hour)",
            ),
        }
    }
}

/// Outcome of one attempt as the retry rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// An HTTP answer.
    Response(RawResponse),
    /// No answer.
    Transport(String),
}

/// What to do after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Hand the answer to the caller (success, or an error not worth retrying).
    Accept,
    /// Wait, then try again.
    Retry {
        /// How long.
        wait: Duration,
        /// Why.
        reason: WaitReason,
    },
}

fn is_secondary_message(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("secondary rate limit") || t.contains("abuse detection")
}

/// The retry rule. `attempt` is the 1-based number of the attempt that just
/// failed, `now` epoch seconds, `jitter` a number in [0, 1).
pub fn decide(
    outcome: &AttemptOutcome,
    attempt: u32,
    policy: &RetryPolicy,
    now: u64,
    jitter: f64,
) -> Decision {
    let exponent = attempt.saturating_sub(1).min(20);
    let backoff = || {
        let raw = policy
            .base_backoff
            .saturating_mul(1u32 << exponent)
            .min(policy.max_backoff);
        raw.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
    };
    let response = match outcome {
        AttemptOutcome::Transport(message) => {
            return Decision::Retry {
                wait: backoff(),
                reason: WaitReason::Transport(message.clone()),
            };
        }
        AttemptOutcome::Response(r) => r,
    };
    let h = &response.headers;
    let retry_after = h.get_u64("retry-after").map(Duration::from_secs);
    let remaining = h.get_u64("x-ratelimit-remaining");
    let reset = h.get_u64("x-ratelimit-reset");
    let until_reset = |reset: u64| {
        Duration::from_secs(reset.saturating_sub(now)).saturating_add(policy.reset_margin)
    };
    let resource = h.get("x-ratelimit-resource").unwrap_or("core").to_string();
    let secondary_wait = || {
        policy
            .secondary_min_wait
            .saturating_mul(1u32 << exponent.min(10))
    };

    let graphql_limited = response.status == 200
        && response
            .graphql_error_types()
            .iter()
            .any(|t| t == "RATE_LIMITED");
    let limited_status = matches!(response.status, 403 | 429);
    if graphql_limited || limited_status {
        let secondary = is_secondary_message(&response.body);
        if let Some(wait) = retry_after {
            let reason = match (secondary, remaining, reset) {
                (false, Some(0), Some(reset)) => WaitReason::PrimaryRateLimit { resource, reset },
                _ => WaitReason::SecondaryRateLimit,
            };
            return Decision::Retry { wait, reason };
        }
        if let (Some(0), Some(reset)) = (remaining, reset) {
            return Decision::Retry {
                wait: until_reset(reset),
                reason: WaitReason::PrimaryRateLimit { resource, reset },
            };
        }
        if secondary || response.status == 429 || graphql_limited {
            return Decision::Retry {
                wait: secondary_wait(),
                reason: WaitReason::SecondaryRateLimit,
            };
        }
        return Decision::Accept;
    }
    if matches!(response.status, 502..=504) {
        return Decision::Retry {
            wait: retry_after.unwrap_or_else(backoff),
            reason: WaitReason::ServerError(response.status),
        };
    }
    Decision::Accept
}

/// A boxed future, for object-safe async traits.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Time as the retry loop sees it; swap it to test long waits quickly.
pub trait Clock: Send + Sync {
    /// Now, in seconds since the Unix epoch (compared with `x-ratelimit-reset`).
    fn now_epoch(&self) -> u64;
    /// Sleeps for `duration` (or a scaled version of it).
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()>;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

fn system_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Clock for SystemClock {
    fn now_epoch(&self) -> u64 {
        system_now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Real time, but every sleep is multiplied by `factor` (0.001 turns a
/// 60-second wait into 60 ms). For tests and demos.
#[derive(Debug, Clone, Copy)]
pub struct ScaledClock {
    /// Multiplier applied to every sleep.
    pub factor: f64,
}

impl Clock for ScaledClock {
    fn now_epoch(&self) -> u64 {
        system_now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        Box::pin(tokio::time::sleep(duration.mul_f64(self.factor.max(0.0))))
    }
}

/// Something the GitHub layer reports while it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgressEvent {
    /// About to wait before retrying `endpoint`.
    Waiting {
        /// Endpoint.
        endpoint: String,
        /// Why.
        reason: WaitReason,
        /// How long.
        wait: Duration,
        /// Attempt that just failed (1-based).
        attempt: u32,
    },
    /// Rate-limit figures from the latest answer.
    RateLimit(RateLimitInfo),
}

/// Receives [`ProgressEvent`]s (a CLI shows them; tests record them).
pub trait ProgressSink: Send + Sync {
    /// Called for every event.
    fn event(&self, event: &ProgressEvent);
}

/// Ignores every event.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl ProgressSink for NoProgress {
    fn event(&self, _event: &ProgressEvent) {}
}

impl<F> ProgressSink for F
where
    F: Fn(&ProgressEvent) + Send + Sync,
{
    fn event(&self, event: &ProgressEvent) {
        self(event)
    }
}

/// A bound on a group of requests (reading the organisation): when it started, how long it
/// may take, and the setting that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// When the group started.
    pub started: Instant,
    /// How long it may take.
    pub limit: Duration,
    /// What must finish (`reading organisation `acme``).
    pub what: String,
    /// The variable that sets `limit`.
    pub setting: String,
}

impl Deadline {
    /// A deadline `limit` from now.
    pub fn starting_now(limit: Duration, what: &str, setting: &str) -> Deadline {
        Deadline {
            started: Instant::now(),
            limit,
            what: what.to_string(),
            setting: setting.to_string(),
        }
    }

    /// Time left (zero once it has passed).
    pub fn remaining(&self) -> Duration {
        self.limit.saturating_sub(self.started.elapsed())
    }

    /// The error for `endpoint` when the deadline cannot be kept, saying why (`detail`).
    pub fn exceeded(&self, endpoint: &str, detail: String) -> GithubError {
        GithubError::DeadlineExceeded {
            endpoint: endpoint.to_string(),
            what: self.what.clone(),
            limit: self.limit,
            setting: self.setting.clone(),
            detail,
        }
    }
}

/// Where a request stands when [`decide`] asks for another wait.
#[derive(Debug, Clone, Copy)]
pub struct RetryState<'a> {
    /// The request (`PUT /orgs/acme/memberships/alice`).
    pub endpoint: &'a str,
    /// Attempts made so far.
    pub attempts: u32,
    /// Time already spent waiting for this request.
    pub waited: Duration,
    /// Now, epoch seconds (for the time a rate limit ends).
    pub now: u64,
}

/// Whether to stop instead of waiting `wait` for `reason`, and with which error. The one rule
/// every retry loop follows: a rate limit whose wait does not fit the budget (time or attempts)
/// is [`GithubError::RateLimited`]; other failures past the budget are
/// [`GithubError::RetriesExhausted`]; a wait the `deadline` has no room for is
/// [`GithubError::DeadlineExceeded`]. Pure.
pub fn give_up(
    policy: &RetryPolicy,
    deadline: Option<&Deadline>,
    at: RetryState<'_>,
    wait: Duration,
    reason: &WaitReason,
) -> Option<GithubError> {
    let total = at.waited.saturating_add(wait);
    let over_budget = at.attempts >= policy.max_attempts || total > policy.max_total_wait;
    if over_budget && reason.is_rate_limit() {
        return Some(GithubError::RateLimited {
            endpoint: at.endpoint.to_string(),
            reason: reason.to_string(),
            wait,
            budget: policy.max_total_wait,
            attempts: at.attempts,
            retry_at: at.now.saturating_add(wait.as_secs()),
        });
    }
    if over_budget {
        return Some(GithubError::RetriesExhausted {
            endpoint: at.endpoint.to_string(),
            attempts: at.attempts,
            waited: at.waited,
            last: reason.to_string(),
        });
    }
    let deadline = deadline?;
    let left = deadline.remaining();
    if left.is_zero() {
        return Some(deadline.exceeded(
            at.endpoint,
            format!("no time is left (last failure: {reason})"),
        ));
    }
    (wait >= left).then(|| {
        let detail = if reason.is_rate_limit() {
            format!(
                "GitHub asks to wait {} ({reason}) but only {} is left",
                secs(wait),
                secs(left)
            )
        } else {
            format!(
                "the last attempt failed ({reason}); the next would start in {}, with only {} left",
                secs(wait),
                secs(left)
            )
        };
        deadline.exceeded(at.endpoint, detail)
    })
}

/// What [`run`] needs besides the attempt itself.
pub struct RetryEnv<'a> {
    /// Limits.
    pub policy: &'a RetryPolicy,
    /// Time.
    pub clock: &'a dyn Clock,
    /// Where waits are reported.
    pub progress: &'a dyn ProgressSink,
    /// Source of jitter in [0, 1).
    pub jitter: &'a (dyn Fn() -> f64 + Send + Sync),
    /// The deadline the request belongs to, if any.
    pub deadline: Option<&'a Deadline>,
}

/// Runs `attempt` until [`decide`] accepts its outcome or the budget is spent.
/// Returns the accepted answer and the number of attempts made.
pub async fn run<F, Fut>(
    env: &RetryEnv<'_>,
    endpoint: &str,
    mut attempt: F,
) -> Result<(RawResponse, u32), GithubError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = AttemptOutcome>,
{
    let mut waited = Duration::ZERO;
    let mut n = 0u32;
    loop {
        n += 1;
        let outcome = attempt().await;
        if let AttemptOutcome::Response(r) = &outcome {
            if let Some(info) = RateLimitInfo::from_headers(&r.headers) {
                env.progress.event(&ProgressEvent::RateLimit(info));
            }
        }
        let decision = decide(
            &outcome,
            n,
            env.policy,
            env.clock.now_epoch(),
            (env.jitter)(),
        );
        let (wait, reason) = match decision {
            Decision::Accept => {
                return match outcome {
                    AttemptOutcome::Response(r) => Ok((r, n)),
                    AttemptOutcome::Transport(message) => Err(GithubError::Transport {
                        endpoint: endpoint.to_string(),
                        message,
                    }),
                };
            }
            Decision::Retry { wait, reason } => (wait, reason),
        };
        let at = RetryState {
            endpoint,
            attempts: n,
            waited,
            now: env.clock.now_epoch(),
        };
        if let Some(e) = give_up(env.policy, env.deadline, at, wait, &reason) {
            return Err(e);
        }
        env.progress.event(&ProgressEvent::Waiting {
            endpoint: endpoint.to_string(),
            reason,
            wait,
            attempt: n,
        });
        env.clock.sleep(wait).await;
        waited = waited.saturating_add(wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> AttemptOutcome {
        AttemptOutcome::Response(RawResponse {
            status,
            headers: Headers::from_pairs(headers.iter().map(|(k, v)| (*k, *v))),
            body: body.to_string(),
        })
    }

    const SECONDARY: &str = r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#;

    #[test]
    fn secondary_limits_follow_the_documented_order() {
        let p = RetryPolicy::default();
        let with_retry_after = resp(
            403,
            &[("retry-after", "30"), ("x-ratelimit-remaining", "10")],
            SECONDARY,
        );
        assert_eq!(
            decide(&with_retry_after, 1, &p, 1000, 0.0),
            Decision::Retry {
                wait: Duration::from_secs(30),
                reason: WaitReason::SecondaryRateLimit
            }
        );
        let until_reset = resp(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1100"),
            ],
            SECONDARY,
        );
        assert!(matches!(
            decide(&until_reset, 1, &p, 1000, 0.0),
            Decision::Retry { wait, .. } if wait == Duration::from_secs(101)
        ));
        let bare = resp(403, &[("x-ratelimit-remaining", "10")], SECONDARY);
        assert_eq!(
            decide(&bare, 1, &p, 1000, 0.0),
            Decision::Retry {
                wait: Duration::from_secs(60),
                reason: WaitReason::SecondaryRateLimit
            }
        );
        assert!(matches!(
            decide(&bare, 3, &p, 1000, 0.0),
            Decision::Retry { wait, .. } if wait == Duration::from_secs(240)
        ));
    }

    #[test]
    fn primary_limits_wait_for_the_reset() {
        let p = RetryPolicy::default();
        let rest = resp(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1060"),
                ("x-ratelimit-resource", "core"),
            ],
            r#"{"message":"API rate limit exceeded for user ID 1."}"#,
        );
        assert_eq!(
            decide(&rest, 1, &p, 1000, 0.5),
            Decision::Retry {
                wait: Duration::from_secs(61),
                reason: WaitReason::PrimaryRateLimit {
                    resource: "core".into(),
                    reset: 1060
                }
            }
        );
        let graphql = resp(
            200,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1010"),
            ],
            r#"{"errors":[{"type":"RATE_LIMITED","message":"API rate limit already exceeded"}]}"#,
        );
        assert!(matches!(
            decide(&graphql, 1, &p, 1000, 0.0),
            Decision::Retry {
                reason: WaitReason::PrimaryRateLimit { .. },
                ..
            }
        ));
    }

    #[test]
    fn server_errors_back_off_and_others_are_accepted() {
        let p = RetryPolicy::default();
        let bad_gateway = resp(502, &[], "");
        let Decision::Retry { wait, .. } = decide(&bad_gateway, 3, &p, 0, 0.0) else {
            panic!("502 is retried");
        };
        assert_eq!(
            wait,
            Duration::from_secs(2),
            "4 s backoff, half with zero jitter"
        );
        let Decision::Retry { wait, .. } = decide(&bad_gateway, 30, &p, 0, 0.999_999) else {
            panic!("502 is retried");
        };
        assert!(wait <= p.max_backoff);
        assert_eq!(
            decide(&resp(200, &[], "{}"), 1, &p, 0, 0.0),
            Decision::Accept
        );
        assert_eq!(
            decide(&resp(404, &[], "{}"), 1, &p, 0, 0.0),
            Decision::Accept
        );
        assert_eq!(
            decide(&resp(500, &[], "{}"), 1, &p, 0, 0.0),
            Decision::Accept
        );
        let forbidden = resp(
            403,
            &[("x-ratelimit-remaining", "4000")],
            r#"{"message":"Must have admin rights"}"#,
        );
        assert_eq!(decide(&forbidden, 1, &p, 0, 0.0), Decision::Accept);
        assert!(matches!(
            decide(
                &AttemptOutcome::Transport("timed out".into()),
                1,
                &p,
                0,
                0.0
            ),
            Decision::Retry {
                reason: WaitReason::Transport(_),
                ..
            }
        ));
    }

    #[derive(Default)]
    struct FakeClock(std::sync::Mutex<Vec<Duration>>);

    impl Clock for FakeClock {
        fn now_epoch(&self) -> u64 {
            1000
        }
        fn sleep(&self, d: Duration) -> BoxFuture<'_, ()> {
            self.0.lock().expect("lock").push(d);
            Box::pin(async {})
        }
    }

    #[tokio::test]
    async fn run_retries_within_budget() {
        let clock = FakeClock::default();
        let policy = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        let events = std::sync::Mutex::new(Vec::new());
        let sink = |e: &ProgressEvent| events.lock().expect("lock").push(e.clone());
        let env = RetryEnv {
            policy: &policy,
            clock: &clock,
            progress: &sink,
            jitter: &|| 0.0,
            deadline: None,
        };
        let mut calls = 0;
        let ok = run(&env, "GET /x", || {
            calls += 1;
            let outcome = if calls < 3 {
                resp(502, &[], "")
            } else {
                resp(200, &[], "{}")
            };
            async move { outcome }
        })
        .await
        .expect("third attempt succeeds");
        assert_eq!(ok.1, 3);
        assert_eq!(clock.0.lock().expect("lock").len(), 2);
        assert_eq!(events.lock().expect("lock").len(), 2);

        let err = run(&env, "GET /y", || async { resp(503, &[], "") })
            .await
            .expect_err("gives up");
        assert!(
            matches!(err, GithubError::RetriesExhausted { attempts: 3, .. }),
            "{err}"
        );

        let tight = RetryPolicy {
            max_total_wait: Duration::from_secs(10),
            ..RetryPolicy::default()
        };
        let env = RetryEnv {
            policy: &tight,
            ..env
        };
        let err = run(&env, "GET /z", || async {
            resp(403, &[("retry-after", "60")], SECONDARY)
        })
        .await
        .expect_err("budget");
        assert!(err.to_string().contains("secondary rate limit"), "{err}");
    }

    #[tokio::test]
    async fn a_wait_beyond_the_deadline_stops_without_sleeping() {
        let clock = FakeClock::default();
        let policy = RetryPolicy::default();
        let deadline = Deadline::starting_now(
            Duration::from_secs(30),
            "reading organisation `acme`",
            "ORGCTL_GITHUB_READ_DEADLINE",
        );
        let env = RetryEnv {
            policy: &policy,
            clock: &clock,
            progress: &NoProgress,
            jitter: &|| 0.0,
            deadline: Some(&deadline),
        };
        let err = run(&env, "POST /graphql (OrgTeams)", || async {
            resp(403, &[("retry-after", "60")], SECONDARY)
        })
        .await
        .expect_err("no room for the wait");
        assert!(matches!(err, GithubError::DeadlineExceeded { .. }), "{err}");
        let text = err.to_string();
        for part in [
            "POST /graphql (OrgTeams)",
            "ORGCTL_GITHUB_READ_DEADLINE",
            "60 s",
            "reading organisation `acme` must finish within 30 s",
        ] {
            assert!(text.contains(part), "{part}: {text}");
        }
        assert!(clock.0.lock().expect("lock").is_empty(), "never slept");

        // A spent deadline stops even a short backoff.
        let spent =
            Deadline::starting_now(Duration::ZERO, "reading", "ORGCTL_GITHUB_READ_DEADLINE");
        let env = RetryEnv {
            deadline: Some(&spent),
            ..env
        };
        let err = run(&env, "GET /x", || async { resp(502, &[], "") })
            .await
            .expect_err("no time left");
        assert!(err.to_string().contains("no time is left"), "{err}");
    }

    #[tokio::test]
    async fn a_rate_limit_that_outlasts_the_budget_is_its_own_error() {
        let clock = FakeClock::default();
        let policy = RetryPolicy {
            max_attempts: 2,
            ..RetryPolicy::default()
        };
        let env = RetryEnv {
            policy: &policy,
            clock: &clock,
            progress: &NoProgress,
            jitter: &|| 0.0,
            deadline: None,
        };
        // Out of attempts with a rate limit as the last failure: rate limited, not "retries".
        let err = run(&env, "PUT /x", || async {
            resp(429, &[("retry-after", "5")], SECONDARY)
        })
        .await
        .expect_err("gives up");
        assert_eq!(err.rate_limited_until(), Some(1005), "{err}");
        // A hostile retry-after cannot overflow the arithmetic.
        let err = run(&env, "PUT /y", || async {
            resp(403, &[("retry-after", "18446744073709551615")], SECONDARY)
        })
        .await
        .expect_err("gives up");
        assert!(err.rate_limited_until().is_some(), "{err}");
        assert!(err.to_string().contains("try again after"), "{err}");
        let primary = resp(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "18446744073709551615"),
            ],
            "{}",
        );
        assert!(matches!(
            decide(&primary, 1, &policy, 1000, 0.0),
            Decision::Retry { .. }
        ));
        // Other failures past the budget stay "retries exhausted".
        let err = run(&env, "GET /z", || async { resp(503, &[], "") })
            .await
            .expect_err("gives up");
        assert_eq!(err.rate_limited_until(), None);
    }
}

//! Configurable behaviour of the fake that is not organisation state: latency,
//! deterministic fault injection, accepted tokens and scopes, rate-limit sizes
//! and the GitHub App installation the fake can issue tokens for.

use std::time::Duration;

/// Which requests a fault rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultScope {
    /// Every request; `Nth` counts all requests.
    Any,
    /// REST requests only; `Nth` counts REST requests.
    Rest,
    /// `POST /graphql` only; `Nth` counts GraphQL requests.
    Graphql,
    /// REST writes only (POST, PATCH, PUT, DELETE); `Nth` counts writes.
    Writes,
}

/// Where a request falls in the fake's numbering, for [`FaultRule::fires_for`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestNumber {
    /// `POST /graphql`.
    pub is_graphql: bool,
    /// A REST write (POST, PATCH, PUT, DELETE).
    pub is_write: bool,
    /// Number among all requests (1-based).
    pub any: u64,
    /// Number among the requests of its kind, REST or GraphQL (1-based).
    pub kind: u64,
    /// Number among REST writes (1-based; 0 for other requests).
    pub write: u64,
}

/// When a fault rule fires.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    /// On the n-th request in the rule's scope (1-based).
    Nth(u64),
    /// On requests `from..=to` in the rule's scope (1-based, inclusive).
    Range(u64, u64),
    /// On a fraction `p` of the requests, chosen deterministically from `seed`
    /// and the request number.
    Fraction {
        /// Probability in 0..=1.
        p: f64,
        /// Seed of the deterministic choice.
        seed: u64,
    },
    /// On every request in scope.
    Always,
}

/// What an injected fault answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// A bare error status such as 502, 503 or 504.
    Status(u16),
    /// A secondary rate limit: `status` (403 or 429), GitHub's message, and a
    /// `retry-after` header when given.
    SecondaryRateLimit {
        /// 403 or 429.
        status: u16,
        /// Seconds for the `retry-after` header.
        retry_after: Option<u64>,
    },
    /// Primary limit exhausted: `x-ratelimit-remaining: 0` and a reset
    /// `reset_after` seconds from now (403 for REST, 200 + `RATE_LIMITED` for GraphQL).
    PrimaryRateLimit {
        /// Seconds until `x-ratelimit-reset`.
        reset_after: u64,
    },
    /// Wait this long, then answer normally (to trigger client timeouts).
    Delay(Duration),
    /// Carry the request out, then answer this status instead of the real answer (a proxy's
    /// 502 after GitHub did the work): the client cannot tell whether its write happened.
    LoseAnswer(u16),
}

/// A fault and when it fires.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// Requests the rule looks at.
    pub scope: FaultScope,
    /// Trigger.
    pub when: When,
    /// Answer.
    pub fault: Fault,
}

impl FaultRule {
    /// Fire `fault` on the n-th request (any route).
    pub fn nth(n: u64, fault: Fault) -> FaultRule {
        FaultRule {
            scope: FaultScope::Any,
            when: When::Nth(n),
            fault,
        }
    }

    /// Fire `fault` on a deterministic fraction `p` of requests.
    pub fn fraction(p: f64, seed: u64, fault: Fault) -> FaultRule {
        FaultRule {
            scope: FaultScope::Any,
            when: When::Fraction { p, seed },
            fault,
        }
    }

    /// Restricts the rule (and its request numbering) to GraphQL requests.
    pub fn only_graphql(mut self) -> FaultRule {
        self.scope = FaultScope::Graphql;
        self
    }

    /// Restricts the rule (and its request numbering) to REST requests.
    pub fn only_rest(mut self) -> FaultRule {
        self.scope = FaultScope::Rest;
        self
    }

    /// Restricts the rule (and its request numbering) to REST writes (POST, PATCH, PUT, DELETE).
    pub fn only_writes(mut self) -> FaultRule {
        self.scope = FaultScope::Writes;
        self
    }

    /// Whether the rule fires for a request numbered `n_any` overall and
    /// `n_rest` / `n_graphql` within its kind (0 when of the other kind); never for
    /// [`FaultScope::Writes`] (see [`Self::fires_for`]).
    pub fn fires(&self, is_graphql: bool, n_any: u64, n_kind: u64) -> bool {
        self.fires_for(&RequestNumber {
            is_graphql,
            is_write: false,
            any: n_any,
            kind: n_kind,
            write: 0,
        })
    }

    /// Whether the rule fires for the request numbered `req`.
    pub fn fires_for(&self, req: &RequestNumber) -> bool {
        let n = match self.scope {
            FaultScope::Any => req.any,
            FaultScope::Rest if !req.is_graphql => req.kind,
            FaultScope::Graphql if req.is_graphql => req.kind,
            FaultScope::Writes if req.is_write => req.write,
            _ => return false,
        };
        match &self.when {
            When::Nth(k) => n == *k,
            When::Range(from, to) => (*from..=*to).contains(&n),
            When::Fraction { p, seed } => unit_interval(*seed, n) < *p,
            When::Always => true,
        }
    }
}

/// A deterministic number in [0, 1) from a seed and a counter (splitmix64).
pub fn unit_interval(seed: u64, n: u64) -> f64 {
    let mut z = seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// A token the fake accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// The secret.
    pub token: String,
    /// Login of the account the token belongs to.
    pub login: String,
    /// OAuth scopes; `None` grants everything.
    pub scopes: Option<Vec<String>>,
}

/// A GitHub App installation the fake issues tokens for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installation {
    /// Installation id.
    pub id: u64,
    /// Token handed out by `POST /app/installations/{id}/access_tokens`.
    pub token: String,
    /// Login reported for the installation (the app's bot account).
    pub bot_login: String,
}

/// Behaviour of the fake apart from the organisation state.
#[derive(Debug, Clone, PartialEq)]
pub struct Behaviour {
    /// Delay before every answer.
    pub latency: Duration,
    /// Injected faults, first matching rule wins.
    pub faults: Vec<FaultRule>,
    /// Accepted tokens; empty = any non-empty token, owned by the state's viewer.
    pub tokens: Vec<TokenGrant>,
    /// App installation for installation tokens.
    pub installation: Option<Installation>,
    /// Primary REST limit per window.
    pub core_limit: u64,
    /// Primary GraphQL points per window.
    pub graphql_limit: u64,
    /// Length of a rate-limit window.
    pub rate_window: Duration,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            latency: Duration::ZERO,
            faults: Vec::new(),
            tokens: Vec::new(),
            installation: None,
            core_limit: 5000,
            graphql_limit: 5000,
            rate_window: Duration::from_secs(3600),
        }
    }
}

impl Behaviour {
    /// Accept only `token`, owned by `login`, with every scope.
    pub fn with_token(mut self, token: &str, login: &str) -> Behaviour {
        self.tokens.push(TokenGrant {
            token: token.to_string(),
            login: login.to_string(),
            scopes: None,
        });
        self
    }

    /// Adds a fault rule.
    pub fn with_fault(mut self, rule: FaultRule) -> Behaviour {
        self.faults.push(rule);
        self
    }

    /// Sets the per-request latency.
    pub fn with_latency(mut self, latency: Duration) -> Behaviour {
        self.latency = latency;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_deterministic_and_roughly_right() {
        let rule = FaultRule::fraction(0.25, 7, Fault::Status(502));
        let hits: Vec<bool> = (1..=4000).map(|n| rule.fires(false, n, n)).collect();
        let again: Vec<bool> = (1..=4000).map(|n| rule.fires(false, n, n)).collect();
        assert_eq!(hits, again);
        let count = hits.iter().filter(|h| **h).count();
        assert!((800..1200).contains(&count), "{count}");
    }

    #[test]
    fn scoped_rules_count_within_their_kind() {
        let rule = FaultRule::nth(2, Fault::Status(502)).only_graphql();
        assert!(!rule.fires(false, 2, 2));
        assert!(rule.fires(true, 5, 2));
        let writes = FaultRule::nth(1, Fault::Status(502)).only_writes();
        let get = RequestNumber {
            any: 1,
            kind: 1,
            ..RequestNumber::default()
        };
        let put = RequestNumber {
            is_write: true,
            any: 2,
            kind: 2,
            write: 1,
            ..get
        };
        assert!(!writes.fires_for(&get));
        assert!(writes.fires_for(&put));
    }
}

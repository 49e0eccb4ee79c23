//! Primary rate-limit accounting: one bucket per resource (`core`, `graphql`)
//! with GitHub's `x-ratelimit-*` headers.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch.
pub fn now_epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Formats epoch seconds as an RFC 3339 UTC timestamp (`2024-01-01T00:00:00Z`).
pub fn iso8601(epoch: u64) -> String {
    let days = (epoch / 86_400) as i64;
    let secs = epoch % 86_400;
    // Civil-from-days (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// One primary rate-limit bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    /// Resource name for `x-ratelimit-resource`.
    pub resource: &'static str,
    /// Requests (or GraphQL points) per window.
    pub limit: u64,
    /// Used in the current window.
    pub used: u64,
    /// End of the current window, epoch seconds.
    pub reset: u64,
}

impl Bucket {
    /// A fresh bucket whose window starts now.
    pub fn new(resource: &'static str, limit: u64, window: Duration, now: u64) -> Bucket {
        Bucket {
            resource,
            limit,
            used: 0,
            reset: now + window.as_secs(),
        }
    }

    /// Starts a new window when the old one is over.
    pub fn refresh(&mut self, window: Duration, now: u64) {
        if now >= self.reset {
            self.used = 0;
            self.reset = now + window.as_secs();
        }
    }

    /// Remaining requests/points in the window.
    pub fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }

    /// Takes `cost`; false (and nothing taken) when the bucket is exhausted.
    pub fn try_take(&mut self, cost: u64) -> bool {
        if self.remaining() == 0 || (cost > 0 && self.remaining() < cost) {
            return false;
        }
        self.used += cost;
        true
    }

    /// The `x-ratelimit-*` headers for this bucket.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        vec![
            ("x-ratelimit-limit", self.limit.to_string()),
            ("x-ratelimit-remaining", self.remaining().to_string()),
            ("x-ratelimit-used", self.used.to_string()),
            ("x-ratelimit-reset", self.reset.to_string()),
            ("x-ratelimit-resource", self.resource.to_string()),
        ]
    }

    /// JSON object as in `GET /rate_limit`.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "limit": self.limit,
            "remaining": self.remaining(),
            "used": self.used,
            "reset": self.reset,
            "resource": self.resource,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_timestamps() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_704_067_200), "2024-01-01T00:00:00Z");
        assert_eq!(iso8601(1_709_210_096), "2024-02-29T12:34:56Z");
    }

    #[test]
    fn buckets_exhaust_and_reset() {
        let mut b = Bucket::new("core", 2, Duration::from_secs(60), 1000);
        assert!(b.try_take(1));
        assert!(b.try_take(1));
        assert!(!b.try_take(1));
        assert_eq!(b.remaining(), 0);
        b.refresh(Duration::from_secs(60), 1060);
        assert_eq!(b.remaining(), 2);
        assert_eq!(b.reset, 1120);
    }
}

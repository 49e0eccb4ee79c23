//! The guard apply checks for every provider before its first write: the removal limit
//! (`limits.max_removals`, `--allow-removals`). Each provider adds its own (the GitHub
//! provider's are in `github/guard.rs`). Pure.

use crate::plan::Change;
use std::fmt;

/// More removals than `limits.max_removals`, not allowed by `--allow-removals`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooManyRemovals {
    /// Removals in the selected changes.
    pub removals: usize,
    /// The org's limit.
    pub limit: u32,
    /// `--allow-removals` as given.
    pub allowed: Option<usize>,
}

impl fmt::Display for TooManyRemovals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (removals, limit) = (self.removals, self.limit);
        match self.allowed {
            None => write!(
                f,
                "the plan removes {removals} resources, more than `limits.max_removals` ({limit}) in org.yaml; review the removals, then run again with `--allow-removals {removals}`"
            ),
            Some(n) => write!(
                f,
                "the plan removes {removals} resources, more than `limits.max_removals` ({limit}) and more than `--allow-removals {n}` allows; review the removals, then run again with `--allow-removals {removals}`"
            ),
        }
    }
}

/// The refusal of `changes` when they remove more than `max_removals` and `allow_removals`
/// does not cover them. Pure.
pub fn removal_limit(
    changes: &[Change],
    max_removals: u32,
    allow_removals: Option<usize>,
) -> Option<TooManyRemovals> {
    let removals = crate::plan::removals(changes);
    (removals > max_removals as usize && allow_removals.is_none_or(|n| n < removals)).then_some(
        TooManyRemovals {
            removals,
            limit: max_removals,
            allowed: allow_removals,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, Address};

    fn delete(login: &str) -> Change {
        Change {
            address: Address::indexed("p", "kind", &format!("{login}@example.org")),
            action: Action::Delete,
            before: None,
            after: None,
            reason: None,
            needs: Vec::new(),
        }
    }

    #[test]
    fn removals_over_the_limit_need_enough_allowance() {
        let four: Vec<Change> = ["a", "b", "c", "d"].into_iter().map(delete).collect();
        assert_eq!(
            removal_limit(&four, 1, None),
            Some(TooManyRemovals {
                removals: 4,
                limit: 1,
                allowed: None
            })
        );
        assert_eq!(
            removal_limit(&four, 1, Some(3)).map(|r| r.allowed),
            Some(Some(3))
        );
        assert_eq!(removal_limit(&four, 1, Some(4)), None);
        assert_eq!(removal_limit(&four, 4, None), None);
    }
}

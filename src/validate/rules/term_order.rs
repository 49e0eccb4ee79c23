//! `term-order`: a term's `since` is not after its `until`; a budget period's start is not after its end.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::validate::{Context, finding};

/// Checks member terms and budget periods.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    for t in org.teams.values() {
        for m in t.members() {
            if let (Some(s), Some(u)) = (m.since, m.until) {
                if s > u {
                    out.push(
                        finding(format!(
                            "`{}`'s term in `{}` ends ({u}) before it starts ({s})",
                            m.person, t.id
                        ))
                        .at(t.file, format!("/members/{}/until", m.index))
                        .help("swap `since` and `until`, or fix the year"),
                    );
                }
            }
        }
    }
    for b in org.budgets.values() {
        if let Some(p) = &b.spec.period {
            if p.start > p.end {
                out.push(
                    finding(format!(
                        "budget `{}` ends ({}) before it starts ({})",
                        b.id, p.end, p.start
                    ))
                    .at(b.file, "/period/end")
                    .help("swap `start` and `end`, or fix the year"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn reversed_term() {
        let d = check(
            "term-order",
            &[
                ("people/a.yaml", "name: A\n"),
                (
                    "teams/t.yaml",
                    "name: T\nmembers:\n  - person: a\n    since: 2026-05-01\n    until: 2025-04-30\n",
                ),
            ],
        );
        assert_eq!(
            messages(&d),
            ["`a`'s term in `t` ends (2025-04-30) before it starts (2026-05-01)"]
        );
    }
}

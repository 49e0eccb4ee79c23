//! `expired-term`: members whose term has ended are moved to alumni (until then they lose access).

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::validate::{Context, finding};

/// Warns about every member whose `until` is before today.
pub fn check(org: &Org, ctx: &Context, out: &mut Vec<Diagnostic>) {
    for t in org.teams.values() {
        for m in t.members() {
            if let Some(u) = m.until.filter(|u| *u < ctx.today) {
                out.push(
                    finding(format!("`{}`'s term in `{}` ended on {u}", m.person, t.id))
                        .at(t.file, format!("/members/{}/until", m.index))
                        .label("term ended")
                        .help("they no longer get GitHub access or team mail: move them to `alumni:`, or extend `until:` if re-elected"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn ended_term() {
        let d = check(
            "expired-term",
            &[
                ("people/a.yaml", "name: A\n"),
                ("people/b.yaml", "name: B\n"),
                (
                    "teams/t.yaml",
                    "name: T\nmembers:\n  - person: a\n    until: 2026-06-30\n  - person: b\n    until: 2026-11-25\n",
                ),
            ],
        );
        assert_eq!(messages(&d), ["`a`'s term in `t` ended on 2026-06-30"]);
    }
}

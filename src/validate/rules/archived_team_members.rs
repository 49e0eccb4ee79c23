//! `archived-team-members`: an archived team has no leads and no members (only alumni).

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::validate::{Context, finding};

/// Checks archived teams.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    for t in org.teams.values().filter(|t| t.spec.archived) {
        for (list, n) in [
            ("members", t.spec.members.len()),
            ("leads", t.spec.leads.len()),
        ] {
            if n > 0 {
                out.push(
                    finding(format!("archived team `{}` still has {n} {list}", t.id))
                        .at(t.file, format!("/{list}"))
                        .help("move them to `alumni:`, or set `archived: false`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn archived_with_members() {
        let d = check(
            "archived-team-members",
            &[
                ("people/a.yaml", "name: A\n"),
                ("teams/t.yaml", "name: T\narchived: true\nmembers: [a]\n"),
            ],
        );
        assert_eq!(messages(&d), ["archived team `t` still has 1 members"]);
    }
}

//! `member-without-github`: current members of GitHub-synced teams have a GitHub login.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::validate::{Context, finding};

/// Warns: such a member is left out of the GitHub team.
pub fn check(org: &Org, ctx: &Context, out: &mut Vec<Diagnostic>) {
    for t in org.teams.values().filter(|t| t.spec.github.is_some()) {
        for m in t.current_members(ctx.today) {
            if org
                .people
                .get(m.person)
                .is_some_and(|p| p.spec.github.is_none())
            {
                out.push(
                    finding(format!("`{}` is in GitHub-synced team `{}` but has no GitHub login", m.person, t.id))
                        .at(t.file, m.pointer())
                        .help(format!("add `github:` and `github_id:` to people/{}.yaml, or they stay off the GitHub team", m.person)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn no_login() {
        let d = check(
            "member-without-github",
            &[
                ("people/a.yaml", "name: A\n"),
                ("teams/t.yaml", "name: T\nmembers: [a]\ngithub: {}\n"),
            ],
        );
        assert_eq!(
            messages(&d),
            ["`a` is in GitHub-synced team `t` but has no GitHub login"]
        );
    }
}

//! `github-admin`: org admins have a GitHub login and there is at least one when GitHub is synced.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::validate::{Context, finding};

/// Checks `github.admins` in org.yaml.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(gh)) = (org.file, &org.spec.github) else {
        return;
    };
    if gh.admins.is_empty() {
        out.push(
            finding("the GitHub org has no admins in org.yaml")
                .at_key(file, "/github", "org")
                .help("list at least one person id under `github.admins`: apply never removes the last owner, so a plan would always stop"),
        );
    }
    for (i, a) in gh.admins.iter().enumerate() {
        if let Some(p) = org.people.get(a) {
            if p.spec.github.is_none() {
                out.push(
                    finding(format!("admin `{a}` has no GitHub login"))
                        .at(file, format!("/github/admins/{i}"))
                        .help(format!("add `github:` and `github_id:` to people/{a}.yaml")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn admin_needs_login() {
        let d = check(
            "github-admin",
            &[
                ("org.yaml", "name: O\ngithub:\n  org: o\n  admins: [a]\n"),
                ("people/a.yaml", "name: A\n"),
            ],
        );
        assert_eq!(messages(&d), ["admin `a` has no GitHub login"]);
        let d = check(
            "github-admin",
            &[("org.yaml", "name: O\ngithub:\n  org: o\n")],
        );
        assert_eq!(messages(&d), ["the GitHub org has no admins in org.yaml"]);
    }
}

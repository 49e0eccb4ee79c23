//! `repo-name`: repository names in `github.repos` and `owns:` are valid GitHub repository names.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::validate::{Context, finding};

/// GitHub repository names: 1–100 of ASCII letters, digits, `.`, `-`, `_`; not `.` or `..`.
pub fn is_valid_repo(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
}

/// Checks every repository name a team uses.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    for t in org.teams.values() {
        if let Some(gh) = &t.spec.github {
            for repo in gh.repos.keys().filter(|r| !is_valid_repo(r)) {
                out.push(
                    finding(format!("`{repo}` is not a valid repository name"))
                        .at_key(t.file, "/github/repos", repo.clone())
                        .help("use the repository's name without the org (`nixpkgs`, not `NixOS/nixpkgs`)"),
                );
            }
        }
        for (i, o) in t.spec.owns.iter().enumerate() {
            if !is_valid_repo(&o.repo) {
                out.push(
                    finding(format!("`{}` is not a valid repository name", o.repo))
                        .at(t.file, format!("/owns/{i}/repo"))
                        .help("use the repository's name without the org (`nixpkgs`, not `NixOS/nixpkgs`)"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn org_prefixed_repo() {
        let d = check(
            "repo-name",
            &[(
                "teams/t.yaml",
                "name: T\ngithub:\n  repos: {NixOS/nixpkgs: push, ok-repo.rs: pull}\n",
            )],
        );
        assert_eq!(
            messages(&d),
            ["`NixOS/nixpkgs` is not a valid repository name"]
        );
    }
}

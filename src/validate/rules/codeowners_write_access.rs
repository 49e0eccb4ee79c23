//! `codeowners-write-access`: a team that owns paths in a repository can be a code owner there.
//!
//! GitHub's "About code owners": a team listed as a code owner must be visible and have write
//! access to the repository, even if its members have access some other way; otherwise GitHub
//! silently ignores it. In the org files that means: the team has a `github:` block, is not
//! `privacy: secret`, and has `push`, `maintain` or `admin` on the repository in `github.repos`.

use crate::diagnostic::{Diagnostic, escape_pointer_segment};
use crate::model::Org;
use crate::schema::{Permission, Privacy};
use crate::validate::{Context, finding};
use std::collections::BTreeSet;

/// Checks every (team, repository) pair of `owns:` once, at its first entry.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    for t in org.teams.values() {
        let mut seen = BTreeSet::new();
        for (i, owns) in t.spec.owns.iter().enumerate() {
            let repo = owns.repo.as_str();
            if !seen.insert(repo) {
                continue;
            }
            let at_repo = format!("/owns/{i}/repo");
            let Some(gh) = &t.spec.github else {
                out.push(
                    finding(format!(
                        "team `{}` owns paths in `{repo}` but has no `github:` block, so GitHub ignores it as a code owner",
                        t.id
                    ))
                    .at(t.file, at_repo)
                    .help(format!("add `github:` with `repos: {{ {repo}: push }}`, or remove this `owns:` entry")),
                );
                continue;
            };
            if gh.privacy == Privacy::Secret {
                out.push(
                    finding(format!(
                        "team `{}` owns paths in `{repo}` but is secret; GitHub ignores teams that are not visible as code owners",
                        t.id
                    ))
                    .at(t.file, at_repo)
                    .help("set `github.privacy: closed`, or let a visible team own these paths"),
                );
                continue;
            }
            match gh.repos.get(repo) {
                None => out.push(
                    finding(format!(
                        "team `{}` owns paths in `{repo}` but has no access to `{repo}` in `github.repos`; GitHub ignores code owners without write access",
                        t.id
                    ))
                    .at(t.file, at_repo)
                    .help(format!("add `{repo}: push` (or maintain, admin) under `github.repos`")),
                ),
                Some(p) if *p < Permission::Push => out.push(
                    finding(format!(
                        "team `{}` has `{}` on `{repo}`, but a code owner needs write access (push, maintain or admin)",
                        t.id,
                        p.as_str()
                    ))
                    .at(t.file, format!("/github/repos/{}", escape_pointer_segment(repo)))
                    .label("not write access")
                    .help(format!("raise it to `push`, or remove the team's `owns:` entry for `{repo}`")),
                ),
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn code_owners_need_a_visible_team_with_write_access() {
        let d = check(
            "codeowners-write-access",
            &[
                ("teams/a.yaml", "name: A\nowns:\n  - repo: r\n"),
                (
                    "teams/b.yaml",
                    "name: B\ngithub:\n  privacy: secret\n  repos: {r: admin}\nowns:\n  - repo: r\n",
                ),
                (
                    "teams/c.yaml",
                    "name: C\ngithub:\n  repos: {r: triage}\nowns:\n  - repo: r\n    paths: [/x/]\n  - repo: r\n    paths: [/y/]\n",
                ),
                (
                    "teams/d.yaml",
                    "name: D\ngithub:\n  repos: {s: push}\nowns:\n  - repo: r\n",
                ),
                (
                    "teams/e.yaml",
                    "name: E\ngithub:\n  repos: {r: push, s: maintain, t: admin}\nowns:\n  - repo: r\n  - repo: s\n  - repo: t\n",
                ),
            ],
        );
        let m = messages(&d);
        assert_eq!(m.len(), 4, "{m:?}");
        assert!(m[0].starts_with("team `a` owns paths in `r` but has no `github:` block"));
        assert!(m[1].contains("team `b`") && m[1].contains("secret"));
        assert_eq!(
            m[2],
            "team `c` has `triage` on `r`, but a code owner needs write access (push, maintain or admin)"
        );
        assert!(m[3].starts_with("team `d` owns paths in `r` but has no access to `r`"));
        assert_eq!(
            d[2].at,
            crate::diagnostic::At::Value("/github/repos/r".into())
        );
    }
}

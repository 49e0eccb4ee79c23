//! `github-id`: GitHub ids are unique and belong to a person with a login.

use crate::diagnostic::{At, Diagnostic};
use crate::model::Org;
use crate::validate::{Context, finding};
use std::collections::BTreeMap;

/// Checks presence and uniqueness of `github_id`.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<u64, &str> = BTreeMap::new();
    for p in org.people.values() {
        if p.spec.github.is_none() && p.spec.github_id.is_some() {
            out.push(
                finding(format!("`{}` has a `github_id` but no GitHub login", p.id))
                    .at(p.file, "/github_id")
                    .help("add `github:` with the login, or remove `github_id:`"),
            );
        }
        if let Some(id) = p.spec.github_id {
            if id == 0 {
                out.push(finding("`github_id` 0 is not a GitHub user id").at(p.file, "/github_id"));
            } else if let Some(other) = seen.get(&id) {
                out.push(
                    finding(format!(
                        "GitHub id {id} belongs to both `{other}` and `{}`",
                        p.id
                    ))
                    .at(p.file, "/github_id")
                    .related(
                        org.people[*other].file,
                        At::Value("/github_id".into()),
                        "first used here",
                    )
                    .help("one GitHub account is one person: merge the two files or fix the id"),
                );
            } else {
                seen.insert(id, &p.id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn missing_and_duplicate_ids() {
        let d = check(
            "github-id",
            &[
                ("people/a.yaml", "name: A\ngithub_id: 5\n"),
                ("people/b.yaml", "name: B\ngithub: b\ngithub_id: 7\n"),
                ("people/c.yaml", "name: C\ngithub: c\ngithub_id: 7\n"),
            ],
        );
        assert_eq!(
            messages(&d),
            [
                "`a` has a `github_id` but no GitHub login",
                "GitHub id 7 belongs to both `b` and `c`"
            ]
        );
    }
}

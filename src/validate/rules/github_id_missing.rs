//! `github-id-missing`: a person with a GitHub login also records GitHub's numeric user id.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::validate::{Context, finding};

/// Warns: without the id a renamed account looks like a removal plus a new person.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    for p in org.people.values() {
        if let (Some(login), None) = (&p.spec.github, p.spec.github_id) {
            out.push(
                finding(format!("`{}` has GitHub login `{login}` but no `github_id`", p.id))
                    .at(p.file, "/github")
                    .help(format!(
                        "add `github_id:` (the `id` in https://api.github.com/users/{login}): it lets orgctl recognise a renamed account"
                    )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn missing_id() {
        let d = check(
            "github-id-missing",
            &[("people/a.yaml", "name: A\ngithub: a\n")],
        );
        assert_eq!(
            messages(&d),
            ["`a` has GitHub login `a` but no `github_id`"]
        );
    }
}

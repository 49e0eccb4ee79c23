//! `github-login`: GitHub logins are well-formed (GitHub's rules) and unique, ignoring case.

use crate::diagnostic::{At, Diagnostic};
use crate::model::Org;
use crate::validate::{Context, finding};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// GitHub's login rules: 1–39 characters, ASCII letters, digits and single hyphens, not starting
/// or ending with a hyphen.
pub fn is_valid_login(login: &str) -> bool {
    let b = login.as_bytes();
    !b.is_empty()
        && b.len() <= 39
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
        && !login.contains("--")
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

/// Checks form and uniqueness of every person's `github`.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<String, &str> = HashMap::with_capacity(org.people.len());
    for p in org.people.values() {
        let Some(login) = &p.spec.github else {
            continue;
        };
        if !is_valid_login(login) {
            out.push(
                finding(format!("`{login}` is not a valid GitHub login"))
                    .at(p.file, "/github")
                    .label("invalid login")
                    .help("GitHub logins are 1-39 letters, digits or single hyphens, not starting or ending with a hyphen"),
            );
            continue;
        }
        match seen.entry(login.to_ascii_lowercase()) {
            Entry::Occupied(first) => {
                let other = first.get();
                let other_file = org.people[*other].file;
                out.push(
                    finding(format!(
                        "GitHub login `{login}` is used by both `{other}` and `{}`",
                        p.id
                    ))
                    .at(p.file, "/github")
                    .label("used again here")
                    .related(other_file, At::Value("/github".into()), "first used here")
                    .help("one account is one person: keep one file, or fix the login"),
                );
            }
            Entry::Vacant(slot) => {
                slot.insert(&p.id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_valid_login;
    use crate::validate::testing::{check, messages};

    #[test]
    fn login_rules() {
        assert!(is_valid_login("octo-cat9"));
        assert!(!is_valid_login("-octo"));
        assert!(!is_valid_login("octo-"));
        assert!(!is_valid_login("oc--to"));
        assert!(!is_valid_login("octo_cat"));
        assert!(!is_valid_login(&"a".repeat(40)));
    }

    #[test]
    fn invalid_and_duplicate() {
        let d = check(
            "github-login",
            &[
                ("people/a.yaml", "name: A\ngithub: Octo\ngithub_id: 1\n"),
                ("people/b.yaml", "name: B\ngithub: octo\ngithub_id: 2\n"),
                (
                    "people/c.yaml",
                    "name: C\ngithub: bad_login\ngithub_id: 3\n",
                ),
            ],
        );
        assert_eq!(
            messages(&d),
            [
                "GitHub login `octo` is used by both `a` and `b`",
                "`bad_login` is not a valid GitHub login"
            ]
        );
    }
}

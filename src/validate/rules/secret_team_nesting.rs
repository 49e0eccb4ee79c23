//! `secret-team-nesting`: a secret GitHub team has no parent and no child teams (GitHub's rule).

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::schema::Privacy;
use crate::validate::{Context, finding};

/// Checks secret synced teams against their synced parent and children.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    for t in org.teams.values() {
        let Some(gh) = &t.spec.github else { continue };
        if gh.privacy != Privacy::Secret {
            continue;
        }
        if let Some(parent) = org.github_parent(t) {
            out.push(
                finding(format!("secret team `{}` is nested under `{}`", t.id, parent.id))
                    .at(t.file, "/github/privacy")
                    .help("GitHub does not nest secret teams: make it `privacy: closed` or remove `parent:`"),
            );
        }
        let synced_children: Vec<&str> = org
            .children(&t.id)
            .iter()
            .filter(|c| org.teams.get(*c).is_some_and(|c| c.spec.github.is_some()))
            .map(String::as_str)
            .collect();
        if !synced_children.is_empty() {
            out.push(
                finding(format!(
                    "secret team `{}` has child teams: {}",
                    t.id,
                    synced_children.join(", ")
                ))
                .at(t.file, "/github/privacy")
                .help("GitHub secret teams cannot have child teams: make it `privacy: closed`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn secret_parent_and_child() {
        let d = check(
            "secret-team-nesting",
            &[
                ("teams/p.yaml", "name: P\ngithub: {privacy: secret}\n"),
                (
                    "teams/c.yaml",
                    "name: C\nparent: p\ngithub: {privacy: secret}\n",
                ),
            ],
        );
        assert_eq!(
            messages(&d),
            [
                "secret team `c` is nested under `p`",
                "secret team `p` has child teams: c"
            ]
        );
    }
}

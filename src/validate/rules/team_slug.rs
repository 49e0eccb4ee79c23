//! `team-slug`: GitHub team slugs are valid, unique, and not listed as unmanaged.

use crate::diagnostic::{At, Diagnostic};
use crate::model::Org;
use crate::validate::{Context, finding};
use std::collections::BTreeMap;

/// The slug GitHub derives from a team name, for names in ASCII: letters lowercased, digits and
/// `_` kept, every run of other characters one `-`, none at either end (GitHub: "replaces
/// special characters in the name string, changes all words to lowercase, and replaces spaces
/// with a `-` separator"). `None` for other names: GitHub documents too little to predict them.
pub fn expected_slug(name: &str) -> Option<String> {
    if !name.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    Some(out)
}

/// A slug as GitHub makes them: lowercase letters, digits, `-` and `_`, not starting with `-`.
pub fn is_valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && !s.starts_with('-')
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
}

/// Checks every synced team's slug.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    let unmanaged: Vec<&str> = org
        .spec
        .github
        .as_ref()
        .map(|g| g.unmanaged_teams.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for t in org.teams.values().filter(|t| t.spec.github.is_some()) {
        let slug = t.slug();
        let explicit = t
            .spec
            .github
            .as_ref()
            .and_then(|g| g.slug.as_ref())
            .is_some();
        let at = if explicit { "/github/slug" } else { "/github" };
        if !is_valid_slug(slug) {
            out.push(
                finding(format!("`{slug}` is not a valid GitHub team slug"))
                    .at(t.file, at)
                    .help("slugs are lowercase letters, digits, `-` and `_`"),
            );
        }
        if let Some(name) = t.spec.github.as_ref().and_then(|g| g.name.as_deref()) {
            if let Some(derived) = expected_slug(name).filter(|d| d != slug) {
                out.push(
                    finding(format!(
                        "GitHub would give team `{}` the slug `{derived}` (from its name `{name}`), not `{slug}`",
                        t.id
                    ))
                    .at(t.file, "/github/name")
                    .help(format!(
                        "GitHub derives a team's slug from its name: set `github.name` to a name whose slug is `{slug}`, or `github.slug: {derived}`"
                    )),
                );
            }
        }
        if unmanaged.contains(&slug) {
            out.push(
                finding(format!("team `{}` has slug `{slug}`, which org.yaml lists as unmanaged", t.id))
                    .at(t.file, at)
                    .help("remove the slug from `github.unmanaged_teams` to manage it here, or remove this team's `github:` block"),
            );
        }
        match seen.get(slug) {
            Some(other) => out.push(
                finding(format!(
                    "teams `{other}` and `{}` both use GitHub slug `{slug}`",
                    t.id
                ))
                .at(t.file, at)
                .related(
                    org.teams[*other].file,
                    At::Value("/github".into()),
                    "first used here",
                )
                .help("give one of them another `github.slug`"),
            ),
            None => {
                seen.insert(slug, &t.id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn duplicate_invalid_and_unmanaged() {
        let d = check(
            "team-slug",
            &[
                (
                    "org.yaml",
                    "name: O\ngithub:\n  org: o\n  unmanaged_teams: [secret-ops]\n",
                ),
                ("teams/a.yaml", "name: A\ngithub: {slug: shared}\n"),
                ("teams/b.yaml", "name: B\ngithub: {slug: shared}\n"),
                ("teams/c.yaml", "name: C\ngithub: {slug: Bad Slug}\n"),
                ("teams/secret-ops.yaml", "name: S\ngithub: {}\n"),
                (
                    "teams/docs.yaml",
                    "name: D\ngithub: {slug: docs-team, name: Documentation team}\n",
                ),
            ],
        );
        assert_eq!(
            messages(&d),
            [
                "teams `a` and `b` both use GitHub slug `shared`",
                "`Bad Slug` is not a valid GitHub team slug",
                "GitHub would give team `docs` the slug `documentation-team` (from its name `Documentation team`), not `docs-team`",
                "team `secret-ops` has slug `secret-ops`, which org.yaml lists as unmanaged"
            ]
        );
    }
}

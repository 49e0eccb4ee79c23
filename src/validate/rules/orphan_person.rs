//! `orphan-person`: every person is a current member of some team, or marked `inactive: true`.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::schema::FileKind;
use crate::validate::{Context, finding};
use std::collections::HashSet;

/// Warns about people who belong nowhere. Skipped while a team file is broken (its members
/// are unknown).
pub fn check(org: &Org, ctx: &Context, out: &mut Vec<Diagnostic>) {
    if org.broken.iter().any(|(k, _)| *k == FileKind::Team) {
        return;
    }
    let mut belonging: HashSet<&str> = HashSet::with_capacity(org.people.len());
    for t in org.teams.values() {
        belonging.extend(t.current_members(ctx.today).map(|m| m.person));
    }
    if let Some(gh) = &org.spec.github {
        belonging.extend(gh.admins.iter().map(String::as_str));
    }
    for p in org.people.values() {
        if !p.spec.inactive && !belonging.contains(p.id.as_str()) {
            out.push(
                finding(format!("`{}` is not a current member of any team", p.id))
                    .in_file(p.file)
                    .help("add them to a team, or set `inactive: true` (they are then not expected in any team)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn belongs_nowhere() {
        let d = check(
            "orphan-person",
            &[
                ("people/a.yaml", "name: A\n"),
                ("people/b.yaml", "name: B\n"),
                ("people/c.yaml", "name: C\ninactive: true\n"),
                ("teams/t.yaml", "name: T\nmembers: [a]\nalumni: [b]\n"),
            ],
        );
        assert_eq!(messages(&d), ["`b` is not a current member of any team"]);
    }
}

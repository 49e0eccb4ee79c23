//! `duplicate-member`: nobody is listed twice in one team's leads, members or alumni.

use crate::diagnostic::{At, Diagnostic};
use crate::model::Org;
use crate::validate::{Context, finding};
use std::collections::BTreeMap;

/// Checks each list of a team for repeated people.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    for t in org.teams.values() {
        let lists: [(&str, Vec<(&str, String)>); 3] = [
            (
                "leads",
                t.spec
                    .leads
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.as_str(), format!("/leads/{i}")))
                    .collect(),
            ),
            (
                "members",
                t.members().map(|m| (m.person, m.pointer())).collect(),
            ),
            (
                "alumni",
                t.spec
                    .alumni
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.as_str(), format!("/alumni/{i}")))
                    .collect(),
            ),
        ];
        for (list, entries) in lists {
            let mut first: BTreeMap<&str, &String> = BTreeMap::new();
            for (person, pointer) in &entries {
                if let Some(prev) = first.get(person) {
                    out.push(
                        finding(format!(
                            "`{person}` is listed twice in `{list}` of team `{}`",
                            t.id
                        ))
                        .at(t.file, pointer.clone())
                        .label("listed again here")
                        .related(t.file, At::Value((*prev).clone()), "first listed here")
                        .help(
                            "remove one of the two entries (a changed term goes in the first one)",
                        ),
                    );
                } else {
                    first.insert(person, pointer);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn twice_in_members() {
        let d = check(
            "duplicate-member",
            &[
                ("people/a.yaml", "name: A\n"),
                (
                    "teams/t.yaml",
                    "name: T\nmembers:\n  - a\n  - person: a\n    role: chair\n",
                ),
            ],
        );
        assert_eq!(
            messages(&d),
            ["`a` is listed twice in `members` of team `t`"]
        );
        assert_eq!(d[0].related.len(), 1);
    }
}

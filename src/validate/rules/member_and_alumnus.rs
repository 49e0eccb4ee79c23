//! `member-and-alumnus`: nobody is both a member and an alumnus of the same team.

use crate::diagnostic::{At, Diagnostic};
use crate::model::Org;
use crate::validate::{Context, finding};

/// Checks alumni against members.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    for t in org.teams.values() {
        let members = t.member_lookup(t.spec.alumni.len());
        for (i, a) in t.spec.alumni.iter().enumerate() {
            if let Some(m) = members.get(a) {
                out.push(
                    finding(format!("`{a}` is both a member and an alumnus of team `{}`", t.id))
                        .at(t.file, format!("/alumni/{i}"))
                        .label("alumnus here")
                        .related(t.file, At::Value(m.pointer()), "member here")
                        .help("a returning member is removed from `alumni:`; a leaving one from `members:`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn both() {
        let d = check(
            "member-and-alumnus",
            &[
                ("people/a.yaml", "name: A\n"),
                ("teams/t.yaml", "name: T\nmembers: [a]\nalumni: [a]\n"),
            ],
        );
        assert_eq!(
            messages(&d),
            ["`a` is both a member and an alumnus of team `t`"]
        );
    }
}

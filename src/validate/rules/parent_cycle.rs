//! `parent-cycle`: following `parent:` from any team ends at a root team.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::validate::{Context, finding};
use std::collections::BTreeSet;

/// Finds each cycle once and reports it at its smallest team id. Linear: every team is walked
/// at most once thanks to the `done` set.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    let mut done: BTreeSet<&str> = BTreeSet::new();
    for start in org.teams.keys() {
        let mut path: Vec<&str> = Vec::new();
        let mut cur = Some(start.as_str());
        while let Some(id) = cur {
            if done.contains(id) {
                break;
            }
            if let Some(pos) = path.iter().position(|p| *p == id) {
                let mut cycle: Vec<&str> = path[pos..].to_vec();
                let min = cycle.iter().copied().min().unwrap_or(id);
                let rot = cycle.iter().position(|c| *c == min).unwrap_or(0);
                cycle.rotate_left(rot);
                if let Some(t) = org.teams.get(min) {
                    let mut chain = cycle.join(" → ");
                    chain.push_str(&format!(" → {min}"));
                    out.push(
                        finding(format!("teams form a parent cycle: {chain}"))
                            .at(t.file, "/parent")
                            .label("parent leads back to this team")
                            .help("a team cannot be its own ancestor: remove `parent:` from one of these teams"),
                    );
                }
                break;
            }
            path.push(id);
            cur = org.teams.get(id).and_then(|t| t.spec.parent.as_deref());
        }
        done.extend(path);
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn two_team_cycle_reported_once() {
        let d = check(
            "parent-cycle",
            &[
                ("teams/a.yaml", "name: A\nparent: b\n"),
                ("teams/b.yaml", "name: B\nparent: a\n"),
                ("teams/c.yaml", "name: C\nparent: a\n"),
                ("teams/d.yaml", "name: D\nparent: d\n"),
            ],
        );
        assert_eq!(
            messages(&d),
            [
                "teams form a parent cycle: a → b → a",
                "teams form a parent cycle: d → d"
            ]
        );
    }
}

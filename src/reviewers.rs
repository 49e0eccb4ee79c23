//! Who must approve a change to the org files, derived from the org itself: a team's leads
//! approve changes to their team (and a team that hands over paths it owns approves that), a
//! fund's approving team approves its budget, a person approves
//! changes to their own file, and the org admins approve what belongs to nobody (org.yaml,
//! cross-team aliases, people joining or leaving, a GitHub identity changing hands).
//!
//! Approvers always come from the **base** version: a pull request that makes its author a lead
//! does not let them approve it. Pure: an [`OrgDiff`] and both models in, plain data out.

use crate::model::Org;
use crate::orgdiff::{ChangeKind, EntityChange, OrgDiff};
use crate::schema::Permission;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One approval the change needs: from any one of `any_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// The changed file (relative to the org directory).
    pub file: String,
    /// Why these people: what changes and whose it is.
    pub why: String,
    /// Who can give the approval: person ids from the base, sorted.
    pub any_of: Vec<Approver>,
}

/// Someone who can approve.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Approver {
    /// Person id.
    pub person: String,
    /// Their GitHub login in the base, when they have one (reviews are requested by login).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub github: Option<String>,
}

/// The approvals a change needs, and a small set of reviewers that covers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approvals {
    /// Every approval needed, in file order.
    pub required: Vec<Requirement>,
    /// Requirements nobody but the author can meet (after `--author` is left out).
    pub unmet: Vec<Requirement>,
    /// Few reviewers who together meet every other requirement (greedy set cover: each pick
    /// meets the most requirements still open; ties by person id).
    pub suggested: Vec<Approver>,
}

/// The approvals `diff` (from `base` to `head`) needs; `author` (a person id or a GitHub login)
/// cannot approve their own change.
pub fn approvals(
    diff: &OrgDiff,
    base: &Org,
    head: &Org,
    today: Date,
    author: Option<&str>,
) -> Approvals {
    let who = Who { base, today };
    let mut required = Vec::new();
    for e in &diff.entities {
        required.extend(for_entity(e, &who, head));
    }
    let is_author = |a: &Approver| {
        author.is_some_and(|x| {
            a.person.eq_ignore_ascii_case(x)
                || a.github
                    .as_deref()
                    .is_some_and(|g| g.eq_ignore_ascii_case(x))
        })
    };
    let mut unmet = Vec::new();
    let mut open: Vec<Vec<Approver>> = Vec::new();
    for r in &mut required {
        r.any_of.retain(|a| !is_author(a));
        if r.any_of.is_empty() {
            unmet.push(r.clone());
        } else {
            open.push(r.any_of.clone());
        }
    }
    let mut suggested = Vec::new();
    while !open.is_empty() {
        let mut counts: BTreeMap<&Approver, usize> = BTreeMap::new();
        for group in &open {
            for a in group {
                *counts.entry(a).or_default() += 1;
            }
        }
        let Some(best) = counts
            .iter()
            .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
            .map(|(a, _)| (*a).clone())
        else {
            break;
        };
        open.retain(|g| !g.contains(&best));
        suggested.push(best);
    }
    Approvals {
        required,
        unmet,
        suggested,
    }
}

/// Looks people up in the base.
struct Who<'a> {
    base: &'a Org,
    today: Date,
}

impl Who<'_> {
    fn approvers<'p>(&self, people: impl IntoIterator<Item = &'p str>) -> Vec<Approver> {
        let set: BTreeSet<Approver> = people
            .into_iter()
            .map(|p| Approver {
                person: p.to_string(),
                github: self.base.people.get(p).and_then(|x| x.spec.github.clone()),
            })
            .collect();
        set.into_iter().collect()
    }

    fn admins(&self) -> Vec<Approver> {
        let admins = self.base.spec.github.as_ref().map(|g| g.admins.clone());
        self.approvers(admins.iter().flatten().map(String::as_str))
    }

    /// A team's current leads; its current members when it has no lead; else `None`.
    fn team_leads(&self, id: &str) -> Option<(Vec<Approver>, &'static str)> {
        let t = self.base.teams.get(id)?;
        let leads = self.approvers(t.current_leads(self.today));
        if !leads.is_empty() {
            return Some((leads, "leads"));
        }
        let members = self.approvers(t.current_members(self.today).map(|m| m.person));
        (!members.is_empty()).then_some((members, "members"))
    }
}

/// The `owns:` claims of team `id` in `org`, as `(repository, pattern)` (`*`: the whole
/// repository).
fn claims(org: &Org, id: &str) -> BTreeSet<(String, String)> {
    let Some(t) = org.teams.get(id) else {
        return BTreeSet::new();
    };
    let mut out = BTreeSet::new();
    for o in &t.spec.owns {
        if o.paths.is_empty() {
            out.insert((o.repo.clone(), "*".to_string()));
        }
        for p in &o.paths {
            out.insert((o.repo.clone(), p.clone()));
        }
    }
    out
}

/// For each claim team `e.id` gains, the teams that own that area in the base: the owner of
/// the path the pattern names (for a directory, of a file directly in it), or for a glob the
/// teams claiming the very same pattern. Their leads approve handing it over.
fn takeovers(e: &EntityChange, who: &Who<'_>, head: &Org) -> Vec<Requirement> {
    let gained: Vec<(String, String)> = claims(head, &e.id)
        .difference(&claims(who.base, &e.id))
        .cloned()
        .collect();
    let mut by_repo: BTreeMap<&str, crate::ownership::RepoOwnership<'_>> = BTreeMap::new();
    let mut out = Vec::new();
    for (repo, pattern) in &gained {
        let own = by_repo
            .entry(repo.as_str())
            .or_insert_with(|| crate::ownership::RepoOwnership::build(who.base, repo));
        let owners: BTreeSet<&str> = if pattern == "*" || pattern.contains(['*', '?']) {
            own.rules
                .iter()
                .filter(|r| r.pattern.as_str() == pattern)
                .flat_map(|r| r.claims.iter().map(|c| c.team.id.as_str()))
                .collect()
        } else {
            let path = if pattern.ends_with('/') {
                format!("{pattern}file")
            } else {
                pattern.clone()
            };
            own.owner(&path)
                .map(|r| r.claims.iter().map(|c| c.team.id.as_str()).collect())
                .unwrap_or_default()
        };
        for owner in owners.into_iter().filter(|o| *o != e.id) {
            if let Some((people, what)) = who.team_leads(owner) {
                out.push(requirement(
                    e,
                    format!(
                        "gives team `{}` ownership of `{repo}:{pattern}`, owned by `{owner}`: one of `{owner}`'s {what}",
                        e.id
                    ),
                    people,
                ));
            }
        }
    }
    out
}

/// The repository permissions of team `id` in `org` (none without a `github:` block).
fn permissions(org: &Org, id: &str) -> BTreeMap<String, Permission> {
    org.teams
        .get(id)
        .and_then(|t| t.spec.github.as_ref())
        .map(|g| g.repos.clone())
        .unwrap_or_default()
}

/// A team gaining `maintain` or `admin` on a repository (new, or raised from less): `admin`
/// needs an org admin, whoever leads the team; and on a repository another team owns whole in
/// the base (`owns:` without paths, or `/`, `*`), that team's leads approve too. The team's own leads cannot grant their team
/// more power over someone else's repository, or over the organisation's.
fn escalations(e: &EntityChange, who: &Who<'_>, head: &Org) -> Vec<Requirement> {
    let before = permissions(who.base, &e.id);
    let mut out = Vec::new();
    for (repo, now) in permissions(head, &e.id) {
        let was = before.get(&repo).copied();
        if now < Permission::Maintain || was.is_some_and(|w| w >= now) {
            continue;
        }
        let from = was.map_or_else(|| "none".to_string(), |w| w.as_str().to_string());
        if now == Permission::Admin {
            out.push(requirement(
                e,
                format!(
                    "raises team `{}`'s permission on `{repo}` to admin (was {from}): an org admin",
                    e.id
                ),
                who.admins(),
            ));
        }
        // The repository's owners: teams whose `owns:` names it whole (a monorepo's path
        // owners are asked when paths change hands, not for power over the whole repository).
        let owners = who.base.teams.values().filter(|t| {
            t.id != e.id
                && t.spec.owns.iter().any(|o| {
                    o.repo == repo
                        && (o.paths.is_empty()
                            || o.paths
                                .iter()
                                .any(|p| matches!(p.as_str(), "/" | "*" | "/*" | "**" | "/**")))
                })
        });
        for owner in owners {
            if let Some((people, what)) = who.team_leads(&owner.id) {
                out.push(requirement(
                    e,
                    format!(
                        "gives team `{}` {} on `{repo}` (was {from}), owned by `{}`: one of `{}`'s {what}",
                        e.id,
                        now.as_str(),
                        owner.id,
                        owner.id
                    ),
                    people,
                ));
            }
        }
    }
    out
}

fn requirement(e: &EntityChange, why: String, any_of: Vec<Approver>) -> Requirement {
    Requirement {
        file: e.file.clone(),
        why,
        any_of,
    }
}

fn for_entity(e: &EntityChange, who: &Who<'_>, head: &Org) -> Vec<Requirement> {
    let verb = match e.change {
        ChangeKind::Added => "adds",
        ChangeKind::Removed => "removes",
        ChangeKind::Changed => "changes",
    };
    let admins = |why: String| requirement(e, why, who.admins());
    let mut out = Vec::new();
    match e.kind {
        "team" => {
            // Whose team it is: its own leads, or for a new team its parent's.
            let parent_of = |org: &Org| org.teams.get(&e.id).and_then(|t| t.spec.parent.clone());
            let own = if e.change == ChangeKind::Added {
                None
            } else {
                who.team_leads(&e.id)
            };
            match own {
                Some((people, what)) => out.push(requirement(
                    e,
                    format!("{verb} team `{}`: one of its {what}", e.id),
                    people,
                )),
                None => match parent_of(head).and_then(|p| who.team_leads(&p).map(|l| (p, l))) {
                    Some((parent, (people, what))) => out.push(requirement(
                        e,
                        format!(
                            "{verb} team `{}` under `{parent}`: one of `{parent}`'s {what}",
                            e.id
                        ),
                        people,
                    )),
                    None => out.push(admins(format!(
                        "{verb} team `{}`, which has no lead or parent team to approve: an org admin",
                        e.id
                    ))),
                },
            }
            // Taking over paths another team owns needs that team's consent; so does gaining
            // maintain or admin on a repository another team owns, and admin needs an org admin.
            if e.change != ChangeKind::Removed {
                out.extend(takeovers(e, who, head));
                out.extend(escalations(e, who, head));
            }
            // Moving under another team also needs that team's consent.
            let (old, new) = (parent_of(who.base), parent_of(head));
            if e.change == ChangeKind::Changed && new.is_some() && old != new {
                if let Some(p) = new {
                    if let Some((people, what)) = who.team_leads(&p) {
                        out.push(requirement(
                            e,
                            format!("moves team `{}` under `{p}`: one of `{p}`'s {what}", e.id),
                            people,
                        ));
                    }
                }
            }
        }
        "person" => match e.change {
            ChangeKind::Changed => {
                out.push(requirement(
                    e,
                    format!("changes the file of `{}`: they approve", e.id),
                    who.approvers([e.id.as_str()]),
                ));
                let identity = e
                    .fields
                    .iter()
                    .any(|f| f.path == "github" || f.path == "github_id");
                if identity {
                    out.push(admins(format!(
                        "changes the GitHub account of `{}` (who gets their access): an org admin",
                        e.id
                    )));
                }
            }
            ChangeKind::Added => out.push(admins(format!(
                "adds person `{}` (a new org member when org membership is managed): an org admin",
                e.id
            ))),
            ChangeKind::Removed => {
                out.push(admins(format!("removes person `{}`: an org admin", e.id)))
            }
        },
        "budget" => {
            let approving = |org: &Org| org.budgets.get(&e.id).map(|b| b.spec.approvers.clone());
            let team = approving(who.base).or_else(|| approving(head));
            let members = team.as_deref().and_then(|t| {
                who.base
                    .teams
                    .get(t)
                    .map(|x| who.approvers(x.current_members(who.today).map(|m| m.person)))
            });
            match (team, members) {
                (Some(t), Some(people)) if !people.is_empty() => out.push(requirement(
                    e,
                    format!(
                        "{verb} fund `{}`: a member of its approving team `{t}`",
                        e.id
                    ),
                    people,
                )),
                _ => out.push(admins(format!(
                    "{verb} fund `{}`, whose approving team is new or empty: an org admin",
                    e.id
                ))),
            }
        }
        "alias" => out.push(admins(format!(
            "{verb} the cross-team alias `{}`: an org admin",
            e.id
        ))),
        _ => out.push(admins(format!("{verb} org.yaml: an org admin"))),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orgdiff::{Side, diff};
    use crate::validate::testing::{org_with_sources, today};

    const ORG: &str =
        "name: Test\ngithub:\n  org: acme\n  admins: [root]\nemail:\n  domains: [example.org]\n";

    fn people() -> Vec<(&'static str, &'static str)> {
        vec![
            (
                "people/root.yaml",
                "name: Root\ngithub: root-gh\ngithub_id: 1\n",
            ),
            (
                "people/lea.yaml",
                "name: Lea\ngithub: lea-gh\ngithub_id: 2\n",
            ),
            (
                "people/max.yaml",
                "name: Max\ngithub: max-gh\ngithub_id: 3\n",
            ),
            (
                "people/ann.yaml",
                "name: Ann\ngithub: ann-gh\ngithub_id: 4\n",
            ),
        ]
    }

    fn run(
        base: &[(&'static str, &'static str)],
        head: &[(&'static str, &'static str)],
        author: Option<&str>,
    ) -> Approvals {
        // The standard people, unless a side brings its own version of one.
        let side = |files: &[(&'static str, &'static str)]| {
            let mut all: Vec<(&str, &str)> = vec![("org.yaml", ORG)];
            all.extend(
                people()
                    .into_iter()
                    .filter(|(p, _)| !files.iter().any(|(q, _)| q == p)),
            );
            all.extend(files);
            all
        };
        let (b, h) = (side(base), side(head));
        let (bo, bs) = org_with_sources(&b);
        let (ho, hs) = org_with_sources(&h);
        let d = diff(
            Side {
                org: &bo,
                sources: &bs,
            },
            Side {
                org: &ho,
                sources: &hs,
            },
            today(),
            |_, _, _| (Vec::new(), Vec::new()),
        );
        approvals(&d, &bo, &ho, today(), author)
    }

    fn ids(a: &[Approver]) -> Vec<&str> {
        a.iter().map(|x| x.person.as_str()).collect()
    }

    /// Each requirement's reason and who can meet it.
    fn whys(a: &Approvals) -> Vec<(&str, Vec<&str>)> {
        a.required
            .iter()
            .map(|r| (r.why.as_str(), ids(&r.any_of)))
            .collect()
    }

    #[test]
    fn a_teams_base_leads_approve_not_the_leads_a_change_adds() {
        let base = [(
            "teams/web.yaml",
            "name: Web\nleads: [lea]\nmembers: [lea, max]\n",
        )];
        let head = [(
            "teams/web.yaml",
            "name: Web\nleads: [lea, max]\nmembers: [lea, max, ann]\n",
        )];
        let a = run(&base, &head, None);
        assert_eq!(a.required.len(), 1);
        assert_eq!(a.required[0].why, "changes team `web`: one of its leads");
        assert_eq!(ids(&a.required[0].any_of), ["lea"]);
        assert_eq!(a.required[0].any_of[0].github.as_deref(), Some("lea-gh"));
        // Lea wrote it: nobody else can approve.
        let a = run(&base, &head, Some("lea-gh"));
        assert_eq!(a.unmet.len(), 1);
        assert!(a.suggested.is_empty());
    }

    #[test]
    fn taking_over_owned_paths_needs_the_owners() {
        let base = [
            (
                "teams/web.yaml",
                "name: Web\nleads: [lea]\nmembers: [lea]\nowns:\n  - repo: site\n    paths: [/docs/]\n",
            ),
            (
                "teams/docs.yaml",
                "name: Docs\nleads: [ann]\nmembers: [ann]\n",
            ),
        ];
        let head = [
            (
                "teams/web.yaml",
                "name: Web\nleads: [lea]\nmembers: [lea]\nowns:\n  - repo: site\n    paths: [/docs/]\n",
            ),
            (
                "teams/docs.yaml",
                "name: Docs\nleads: [ann]\nmembers: [ann]\nowns:\n  - repo: site\n    paths: [/docs/guide/, \"*.md\"]\n",
            ),
        ];
        let a = run(&base, &head, None);
        assert_eq!(
            whys(&a),
            [
                ("changes team `docs`: one of its leads", vec!["ann"]),
                (
                    "gives team `docs` ownership of `site:/docs/guide/`, owned by `web`: one of `web`'s leads",
                    vec!["lea"]
                ),
            ]
        );
    }

    /// Issue 14.5: a team's own leads cannot raise it to admin, nor to maintain or admin on a
    /// repository another team owns.
    #[test]
    fn privilege_escalation_needs_an_org_admin_or_the_owner() {
        let owner = (
            "teams/docs.yaml",
            "name: Docs\nleads: [ann]\nmembers: [ann]\nowns:\n  - repo: site\n",
        );
        let web = |repos: &'static str| -> (&'static str, &'static str) {
            (
                "teams/web.yaml",
                match repos {
                    "" => "name: Web\nleads: [lea]\nmembers: [lea]\ngithub: {}\n",
                    "push" => {
                        "name: Web\nleads: [lea]\nmembers: [lea]\ngithub:\n  repos: {site: push, tools: push}\n"
                    }
                    "admin" => {
                        "name: Web\nleads: [lea]\nmembers: [lea]\ngithub:\n  repos: {site: push, tools: admin}\n"
                    }
                    "maintain" => {
                        "name: Web\nleads: [lea]\nmembers: [lea]\ngithub:\n  repos: {site: maintain, tools: push}\n"
                    }
                    _ => {
                        "name: Web\nleads: [lea]\nmembers: [lea]\ngithub:\n  repos: {site: admin, tools: push}\n"
                    }
                },
            )
        };
        // Raised to admin on a repository nobody owns: the team's leads and an org admin.
        let a = run(&[owner, web("push")], &[owner, web("admin")], Some("lea"));
        assert_eq!(
            whys(&a),
            [
                ("changes team `web`: one of its leads", vec![]),
                (
                    "raises team `web`'s permission on `tools` to admin (was push): an org admin",
                    vec!["root"]
                ),
            ]
        );
        assert_eq!(a.unmet.len(), 1, "lea cannot approve her own change");
        assert_eq!(ids(&a.suggested), ["root"]);
        // Maintain on a repository docs owns: docs' leads too.
        let a = run(&[owner, web("push")], &[owner, web("maintain")], None);
        assert_eq!(
            whys(&a),
            [
                ("changes team `web`: one of its leads", vec!["lea"]),
                (
                    "gives team `web` maintain on `site` (was push), owned by `docs`: one of `docs`'s leads",
                    vec!["ann"]
                ),
            ]
        );
        // Admin on it, from nothing: both.
        let a = run(&[owner, web("")], &[owner, web("site-admin")], None);
        assert_eq!(
            whys(&a),
            [
                ("changes team `web`: one of its leads", vec!["lea"]),
                (
                    "raises team `web`'s permission on `site` to admin (was none): an org admin",
                    vec!["root"]
                ),
                (
                    "gives team `web` admin on `site` (was none), owned by `docs`: one of `docs`'s leads",
                    vec!["ann"]
                ),
            ]
        );
        // A new team with admin: its parent's leads and an org admin.
        let a = run(
            &[owner],
            &[
                owner,
                (
                    "teams/ops.yaml",
                    "name: Ops\nparent: docs\nleads: [max]\nmembers: [max]\ngithub:\n  repos: {infra: admin}\n",
                ),
            ],
            None,
        );
        assert_eq!(
            whys(&a),
            [
                (
                    "adds team `ops` under `docs`: one of `docs`'s leads",
                    vec!["ann"]
                ),
                (
                    "raises team `ops`'s permission on `infra` to admin (was none): an org admin",
                    vec!["root"]
                ),
            ]
        );
        // Owning some paths of a repository is not owning the repository.
        let path_owner = (
            "teams/docs.yaml",
            "name: Docs\nleads: [ann]\nmembers: [ann]\nowns:\n  - repo: site\n    paths: [/docs/]\n",
        );
        let a = run(
            &[path_owner, web("push")],
            &[path_owner, web("maintain")],
            None,
        );
        assert_eq!(
            whys(&a),
            [("changes team `web`: one of its leads", vec!["lea"])]
        );
        // Lowering, or keeping, needs nothing more.
        let a = run(&[owner, web("site-admin")], &[owner, web("push")], None);
        assert_eq!(
            whys(&a),
            [("changes team `web`: one of its leads", vec!["lea"])]
        );
    }

    #[test]
    fn new_teams_budgets_identities_and_a_small_set_of_reviewers() {
        let base = [
            (
                "teams/web.yaml",
                "name: Web\nleads: [lea]\nmembers: [lea, max]\n",
            ),
            (
                "budgets/fund.yaml",
                "name: F\ncurrency: EUR\ntotal: 100\napprovers: web\n",
            ),
        ];
        let head = [
            (
                "teams/web.yaml",
                "name: Web\nleads: [lea]\nmembers: [lea, max]\n",
            ),
            (
                "teams/docs.yaml",
                "name: Docs\nparent: web\nmembers: [ann]\n",
            ),
            (
                "budgets/fund.yaml",
                "name: F\ncurrency: EUR\ntotal: 200\napprovers: web\n",
            ),
        ];
        let mut head_people = head.to_vec();
        head_people.push((
            "people/max.yaml",
            "name: Max\ngithub: max-new\ngithub_id: 3\n",
        ));
        let a = run(&base, &head_people, None);
        assert_eq!(
            whys(&a),
            [
                ("changes the file of `max`: they approve", vec!["max"]),
                (
                    "changes the GitHub account of `max` (who gets their access): an org admin",
                    vec!["root"]
                ),
                (
                    "adds team `docs` under `web`: one of `web`'s leads",
                    vec!["lea"]
                ),
                (
                    "changes fund `fund`: a member of its approving team `web`",
                    vec!["lea", "max"]
                ),
            ]
        );
        // Lea and max each meet two requirements (lea first by id), then max and root are left.
        assert_eq!(ids(&a.suggested), ["lea", "max", "root"]);
    }
}

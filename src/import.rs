//! Importing an existing organisation: a GitHub state snapshot or a peribolos config → `org/` files.
//!
//! Pure: input data in, `(relative path, YAML text)` pairs out; the CLI writes them. The files are
//! written so that the first `orgctl plan` against the same organisation is empty: team names,
//! slugs, descriptions, privacy, parents, maintainers (as leads), members and repository
//! permissions are carried over exactly. People without a team are marked `inactive: true` (they
//! stay org members). Real names are not known to GitHub's team APIs: the login is used.

use crate::github::state::{GithubState, OrgRole, Privacy, TeamRole};
use std::collections::{BTreeMap, BTreeSet};

/// A team being imported, in one vocabulary for both sources.
#[derive(Debug, Clone, Default)]
struct ImportTeam {
    slug: String,
    name: String,
    description: Option<String>,
    secret: bool,
    parent: Option<String>,
    maintainers: Vec<String>,
    members: Vec<String>,
    repos: BTreeMap<String, &'static str>,
}

/// An organisation being imported.
#[derive(Debug, Clone, Default)]
struct ImportOrg {
    org: String,
    admins: BTreeSet<String>,
    /// login → GitHub id, when known.
    members: BTreeMap<String, Option<u64>>,
    teams: Vec<ImportTeam>,
}

/// Files for a snapshot of a live organisation.
pub fn from_state(state: &GithubState) -> Vec<(String, String)> {
    let mut org = ImportOrg {
        org: state.org.clone(),
        ..Default::default()
    };
    for m in &state.members {
        org.members.insert(m.login.clone(), Some(m.id));
        if m.role == OrgRole::Admin {
            org.admins.insert(m.login.clone());
        }
    }
    for i in &state.invitations {
        if let Some(login) = &i.login {
            org.members.entry(login.clone()).or_insert(None);
        }
    }
    for t in &state.teams {
        let mut it = ImportTeam {
            slug: t.slug.clone(),
            name: t.name.clone(),
            description: t.description.clone(),
            secret: t.privacy == Privacy::Secret,
            parent: t.parent.clone(),
            ..Default::default()
        };
        for m in &t.members {
            org.members.entry(m.login.clone()).or_insert(Some(m.id));
            match m.role {
                TeamRole::Maintainer => it.maintainers.push(m.login.clone()),
                TeamRole::Member => it.members.push(m.login.clone()),
            }
        }
        for r in &t.repos {
            it.repos.insert(r.name.clone(), r.permission.as_str());
        }
        org.teams.push(it);
    }
    render(&org)
}

/// An error in a peribolos config.
#[derive(Debug, thiserror::Error)]
#[error("not a peribolos config: {0}")]
pub struct PeribolosError(pub String);

/// Files for a peribolos config (`orgs: {NAME: {admins, members, teams}}`, teams nested under
/// `teams:`), or the flattened JSON form with `parent` links (as in the shared corpora).
pub fn from_peribolos(
    value: &serde_json::Value,
    only_org: Option<&str>,
) -> Result<Vec<(String, String)>, PeribolosError> {
    let (name, body) = if let Some(orgs) = value.get("orgs").and_then(|o| o.as_object()) {
        let (name, body) = match only_org {
            Some(n) => orgs
                .get_key_value(n)
                .ok_or_else(|| PeribolosError(format!("no org `{n}` under `orgs:`")))?,
            None if orgs.len() == 1 => orgs
                .iter()
                .next()
                .ok_or_else(|| PeribolosError("`orgs:` is empty".into()))?,
            None => {
                return Err(PeribolosError(
                    "several orgs under `orgs:`: pass --github-org NAME".into(),
                ));
            }
        };
        (name.clone(), body)
    } else {
        // The flattened form: `org` is the org's login, or its settings with a `name`.
        let org = value
            .get("org")
            .ok_or_else(|| PeribolosError("expected `orgs:` or `org:`".into()))?;
        let name = org
            .as_str()
            .or_else(|| org.get("login").and_then(|n| n.as_str()))
            .or_else(|| org.get("name").and_then(|n| n.as_str()))
            .ok_or_else(|| PeribolosError("`org:` has no name".into()))?;
        (only_org.unwrap_or(name).to_lowercase(), value)
    };
    let mut org = ImportOrg {
        org: name,
        ..Default::default()
    };
    let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    for a in strings(body.get("admins")) {
        org.admins.insert(a.clone());
        org.members.insert(a, None);
    }
    for m in strings(body.get("members")) {
        org.members.insert(m, None);
    }
    let mut stack: Vec<(String, Option<String>, &serde_json::Value)> = body
        .get("teams")
        .and_then(|t| t.as_object())
        .map(|t| t.iter().map(|(k, v)| (k.clone(), None, v)).collect())
        .unwrap_or_default();
    while let Some((tname, parent_name, t)) = stack.pop() {
        let parent =
            parent_name.or_else(|| t.get("parent").and_then(|p| p.as_str()).map(str::to_string));
        let mut it = ImportTeam {
            slug: slugify(&tname),
            name: tname.clone(),
            description: t
                .get("description")
                .and_then(|d| d.as_str())
                .map(str::to_string)
                .filter(|d| !d.is_empty()),
            secret: t.get("privacy").and_then(|p| p.as_str()) == Some("secret"),
            parent: parent.map(|p| slugify(&p)),
            maintainers: strings(t.get("maintainers")),
            members: strings(t.get("members")),
            repos: BTreeMap::new(),
        };
        if let Some(repos) = t.get("repos").and_then(|r| r.as_object()) {
            for (repo, perm) in repos {
                let p = match perm.as_str().unwrap_or("read") {
                    "admin" => "admin",
                    "maintain" => "maintain",
                    "write" | "push" => "push",
                    "triage" => "triage",
                    _ => "pull",
                };
                it.repos.insert(repo.clone(), p);
            }
        }
        for login in it.maintainers.iter().chain(&it.members) {
            org.members.entry(login.clone()).or_insert(None);
        }
        if let Some(children) = t.get("teams").and_then(|c| c.as_object()) {
            for (k, v) in children {
                stack.push((k.clone(), Some(tname.clone()), v));
            }
        }
        org.teams.push(it);
    }
    org.teams.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(render(&org))
}

/// GitHub's slug of a team name (`crate::github::writer::expected_slug`), with Latin letters
/// with diacritics folded first (`Näme` → `name`) and any other non-ASCII character dropped.
pub fn slugify(name: &str) -> String {
    let folded: String = name
        .chars()
        .map(fold_latin)
        .filter(char::is_ascii)
        .collect();
    crate::github::writer::expected_slug(&folded).unwrap_or_default()
}

/// Latin letters with diacritics → their base letter (what GitHub does for `Näme` → `name`).
fn fold_latin(c: char) -> char {
    const FROM: &str = "àáâãäåçèéêëìíîïñòóôõöøùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝ";
    const TO: &str = "aaaaaaceeeeiiiinoooooouuuuyyAAAAAACEEEEIIIINOOOOOOUUUUY";
    FROM.chars()
        .position(|f| f == c)
        .and_then(|i| TO.chars().nth(i))
        .unwrap_or(c)
}

/// A person or team id from a login or slug (`Some_Team` → `some-team`).
fn to_id(s: &str) -> String {
    let id: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let id = id.trim_matches('-').to_string();
    if id.is_empty() {
        "x".into()
    } else {
        id.chars().take(64).collect()
    }
}

/// A YAML scalar for free text: JSON string syntax is valid YAML.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn render(org: &ImportOrg) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let person_ids: BTreeMap<&str, String> =
        org.members.keys().map(|l| (l.as_str(), to_id(l))).collect();
    let pid = |login: &str| {
        person_ids
            .get(login)
            .cloned()
            .unwrap_or_else(|| to_id(login))
    };
    let team_ids: BTreeMap<&str, String> = org
        .teams
        .iter()
        .map(|t| (t.slug.as_str(), to_id(&t.slug)))
        .collect();
    let mut in_team: BTreeSet<&str> = BTreeSet::new();
    for t in &org.teams {
        in_team.extend(t.maintainers.iter().chain(&t.members).map(String::as_str));
    }
    let mut o = format!(
        "# yaml-language-server: $schema=../schemas/org.schema.json\nname: {}\ngithub:\n  org: {}\n  admins:\n",
        q(&org.org),
        q(&org.org)
    );
    for a in &org.admins {
        o.push_str(&format!("    - {}\n", pid(a)));
    }
    if org.admins.is_empty() {
        o = o.replace("  admins:\n", "  admins: []\n");
    }
    o.push_str("  manage_org_members: true\n");
    files.push(("org.yaml".to_string(), o));
    for (login, id) in &org.members {
        let mut p = format!(
            "# yaml-language-server: $schema=../../schemas/person.schema.json\nname: {}\ngithub: {}\n",
            q(login),
            q(login)
        );
        if let Some(id) = id {
            p.push_str(&format!("github_id: {id}\n"));
        }
        if !in_team.contains(login.as_str()) && !org.admins.contains(login) {
            p.push_str("inactive: true\n");
        }
        files.push((format!("people/{}.yaml", pid(login)), p));
    }
    for t in &org.teams {
        let id = &team_ids[t.slug.as_str()];
        let mut s = format!(
            "# yaml-language-server: $schema=../../schemas/team.schema.json\nname: {}\n",
            q(&t.name)
        );
        if let Some(d) = &t.description {
            s.push_str(&format!("description: {}\n", q(d)));
        }
        if let Some(p) = t.parent.as_deref().and_then(|p| team_ids.get(p)) {
            s.push_str(&format!("parent: {p}\n"));
        }
        let list = |key: &str, v: &[String]| -> String {
            if v.is_empty() {
                return String::new();
            }
            let mut out = format!("{key}:\n");
            let mut ids: Vec<String> = v.iter().map(|l| pid(l)).collect();
            ids.sort();
            ids.dedup();
            for i in ids {
                out.push_str(&format!("  - {i}\n"));
            }
            out
        };
        let everyone: Vec<String> = t.maintainers.iter().chain(&t.members).cloned().collect();
        s.push_str(&list("leads", &t.maintainers));
        s.push_str(&list("members", &everyone));
        let mut gh = String::new();
        if t.slug != *id {
            gh.push_str(&format!("  slug: {}\n", q(&t.slug)));
        }
        if t.name != t.slug {
            gh.push_str(&format!("  name: {}\n", q(&t.name)));
        }
        if t.secret {
            gh.push_str("  privacy: secret\n");
        }
        if !t.repos.is_empty() {
            gh.push_str("  repos:\n");
            for (r, p) in &t.repos {
                gh.push_str(&format!("    {}: {p}\n", q(r)));
            }
        }
        if gh.is_empty() {
            // An empty block would read as null, i.e. "not synced".
            s.push_str("github: {}\n");
        } else {
            s.push_str("github:\n");
            s.push_str(&gh);
        }
        files.push((format!("teams/{id}.yaml"), s));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs_as_github_documents() {
        assert_eq!(slugify("My TEam Näme"), "my-team-name");
        assert_eq!(slugify("Monkeys & Bananas"), "monkeys-bananas");
        assert_eq!(slugify("sig-api_machinery"), "sig-api_machinery");
    }
}

//! Importing an existing organisation: a GitHub state snapshot or a peribolos config → `org/` files.
//!
//! Pure: input data in, `(relative path, YAML text)` pairs out; the CLI writes them. The files are
//! written so that the first `orgctl plan` against the same organisation is empty: team names,
//! slugs, descriptions, privacy, parents, maintainers (as leads), members and repository
//! permissions are carried over exactly. People without a team are marked `inactive: true` (they
//! stay org members). Real names are not known to GitHub's team APIs: the login is used.
//!
//! Nothing is lost silently: every team and person gets its own file. Two teams or people whose
//! file names would be the same (`Team A` and `team-a`, `foo_bar` and `foo-bar`, slugs cut to
//! the same 64 characters), a name that gives no usable file name or slug (`a/b`, `.`, `..`, an
//! empty one) and a parent that is not imported are errors naming both sources. Logins that
//! differ only in case are one GitHub account, so one person.

use super::state::{GithubState, OrgRole, Privacy, TeamRole};
use std::collections::{BTreeMap, BTreeSet};

/// A team being imported, in one vocabulary for both sources.
#[derive(Debug, Clone, Default)]
struct ImportTeam {
    /// Where it came from, for errors: `team "Team A" (slug team-a)`.
    source: String,
    slug: String,
    name: String,
    description: Option<String>,
    secret: bool,
    /// GitHub does not notify the team when it is mentioned (written only then: the default
    /// leaves GitHub's setting alone, so an enabled team needs no line).
    notifications_disabled: bool,
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
    /// Logins the organisation itself lists (members, admins), as spelled there.
    listed: BTreeSet<String>,
    /// login → GitHub id, when known.
    members: BTreeMap<String, Option<u64>>,
    teams: Vec<ImportTeam>,
}

/// Files for a snapshot of a live organisation.
pub fn from_state(state: &GithubState) -> Result<Vec<(String, String)>, ImportError> {
    let mut org = ImportOrg {
        org: state.org.clone(),
        ..Default::default()
    };
    for m in &state.members {
        org.listed.insert(m.login.clone());
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
            source: format!("team {} (slug {})", q(&t.name), q(&t.slug)),
            slug: t.slug.clone(),
            name: t.name.clone(),
            description: t.description.clone(),
            secret: t.privacy == Privacy::Secret,
            notifications_disabled: t.notifications == Some(crate::schema::Notifications::Disabled),
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

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input is not a peribolos config.
    #[error("not a peribolos config: {0}")]
    Config(String),
    /// Teams or people that cannot each get their own file (every problem, one per line).
    #[error("{}\nnothing was written", .0.join("\n"))]
    Names(Vec<String>),
}

/// Files for a peribolos config (`orgs: {NAME: {admins, members, teams}}`, teams nested under
/// `teams:`), or the flattened JSON form with `parent` links (as in the shared corpora).
pub fn from_peribolos(
    value: &serde_json::Value,
    only_org: Option<&str>,
) -> Result<Vec<(String, String)>, ImportError> {
    let (name, body) = if let Some(orgs) = value.get("orgs").and_then(|o| o.as_object()) {
        let (name, body) = match only_org {
            Some(n) => orgs
                .get_key_value(n)
                .ok_or_else(|| ImportError::Config(format!("no org `{n}` under `orgs:`")))?,
            None if orgs.len() == 1 => orgs
                .iter()
                .next()
                .ok_or_else(|| ImportError::Config("`orgs:` is empty".into()))?,
            None => {
                return Err(ImportError::Config(
                    "several orgs under `orgs:`: pass --github-org NAME".into(),
                ));
            }
        };
        (name.clone(), body)
    } else {
        // The flattened form: `org` is the org's login, or its settings with a `name`.
        let org = value
            .get("org")
            .ok_or_else(|| ImportError::Config("expected `orgs:` or `org:`".into()))?;
        let name = org
            .as_str()
            .or_else(|| org.get("login").and_then(|n| n.as_str()))
            .or_else(|| org.get("name").and_then(|n| n.as_str()))
            .ok_or_else(|| ImportError::Config("`org:` has no name".into()))?;
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
        org.listed.insert(a.clone());
        org.admins.insert(a.clone());
        org.members.insert(a, None);
    }
    for m in strings(body.get("members")) {
        org.listed.insert(m.clone());
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
        let slug = slugify(&tname);
        let mut it = ImportTeam {
            source: format!("team {} (slug {})", q(&tname), q(&slug)),
            slug,
            name: tname.clone(),
            description: t
                .get("description")
                .and_then(|d| d.as_str())
                .map(str::to_string)
                .filter(|d| !d.is_empty()),
            secret: t.get("privacy").and_then(|p| p.as_str()) == Some("secret"),
            notifications_disabled: false,
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
    render(&org)
}

/// GitHub's slug of a team name (`super::writer::expected_slug`), with Latin letters
/// with diacritics folded first (`Näme` → `name`) and any other non-ASCII character dropped.
pub fn slugify(name: &str) -> String {
    let folded: String = name
        .chars()
        .map(fold_latin)
        .filter(char::is_ascii)
        .collect();
    super::writer::expected_slug(&folded).unwrap_or_default()
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

/// A person or team id from a login or slug (`Some_Team` → `some-team`), at most 64
/// characters; `None` when nothing usable is left (no letter or digit).
fn to_id(s: &str) -> Option<String> {
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
    let id: String = id.trim_matches('-').chars().take(64).collect();
    let id = id.trim_end_matches('-').to_string();
    (!id.is_empty()).then_some(id)
}

/// Gives every key its own id (and so its own file): `id` maps a key to its id, `None` when
/// it has none; `what` describes a key for errors. Two keys with one id, and a key without
/// one, are each reported once, naming both sources and the file.
fn assign<'a>(
    keys: impl Iterator<Item = (&'a str, String)>,
    id: impl Fn(&str) -> Option<String>,
    dir: &str,
    problems: &mut Vec<String>,
) -> BTreeMap<&'a str, String> {
    let mut by_id: BTreeMap<String, String> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for (key, what) in keys {
        let Some(i) = id(key) else {
            problems.push(format!(
                "{what} gives no usable file name: rename it (letters, digits, `-`, `_`) and import again"
            ));
            continue;
        };
        match by_id.get(&i) {
            Some(first) => problems.push(format!(
                "{first} and {what} would both be written to {dir}/{i}.yaml: rename one of them and import again"
            )),
            None => {
                by_id.insert(i.clone(), what);
                out.insert(key, i);
            }
        }
    }
    out
}

/// A YAML scalar for free text: JSON string syntax is valid YAML.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The files of an organisation, or every team and person that would not get its own file.
fn render(org: &ImportOrg) -> Result<Vec<(String, String)>, ImportError> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    // Logins differing only in case are one GitHub account: one person, under the spelling the
    // organisation lists (else the first in order).
    let mut canon: BTreeMap<String, &str> = BTreeMap::new();
    for login in org.members.keys() {
        let slot = canon.entry(login.to_lowercase()).or_insert(login);
        if org.listed.contains(login) && !org.listed.contains(*slot) {
            *slot = login;
        }
    }
    let person_ids = assign(
        canon.values().map(|l| (*l, format!("person {}", q(l)))),
        to_id,
        "people",
        &mut problems,
    );
    let pid = |login: &str| -> String {
        canon
            .get(&login.to_lowercase())
            .and_then(|c| person_ids.get(c))
            .cloned()
            .unwrap_or_default()
    };
    let team_ids = assign(
        org.teams
            .iter()
            .map(|t| (t.slug.as_str(), t.source.clone())),
        |slug| {
            if crate::validate::is_valid_slug(slug) {
                to_id(slug)
            } else {
                None
            }
        },
        "teams",
        &mut problems,
    );
    for t in &org.teams {
        if let Some(p) = &t.parent {
            if !org.teams.iter().any(|x| &x.slug == p) {
                problems.push(format!(
                    "{} names the parent {}, which is not among the imported teams: add it or remove the parent, and import again",
                    t.source,
                    q(p)
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Names(problems));
    }
    let mut in_team: BTreeSet<String> = BTreeSet::new();
    for t in &org.teams {
        in_team.extend(
            t.maintainers
                .iter()
                .chain(&t.members)
                .map(|l| l.to_lowercase()),
        );
    }
    let admins: BTreeSet<String> = org.admins.iter().map(|l| l.to_lowercase()).collect();
    let mut o = format!(
        "# yaml-language-server: $schema=../schemas/org.schema.json\nname: {}\ngithub:\n  org: {}\n  admins:\n",
        q(&org.org),
        q(&org.org)
    );
    let admin_ids: BTreeSet<String> = org.admins.iter().map(|a| pid(a)).collect();
    for a in &admin_ids {
        o.push_str(&format!("    - {a}\n"));
    }
    if org.admins.is_empty() {
        o = o.replace("  admins:\n", "  admins: []\n");
    }
    o.push_str("  manage_org_members: true\n");
    files.push(("org.yaml".to_string(), o));
    for login in canon.values() {
        let id = org.members.get(*login).copied().flatten();
        let mut p = format!(
            "# yaml-language-server: $schema=../../schemas/person.schema.json\nname: {}\ngithub: {}\n",
            q(login),
            q(login)
        );
        if let Some(id) = id {
            p.push_str(&format!("github_id: {id}\n"));
        }
        let lower = login.to_lowercase();
        if !in_team.contains(&lower) && !admins.contains(&lower) {
            p.push_str("inactive: true\n");
        }
        files.push((format!("people/{}.yaml", pid(login)), p));
    }
    for t in &org.teams {
        let Some(id) = team_ids.get(t.slug.as_str()) else {
            continue;
        };
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
        if t.notifications_disabled {
            gh.push_str("  notifications: disabled\n");
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
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::{ImportError, from_peribolos, from_state, slugify};
    use crate::github::state::{GithubState, OrgMember, OrgRole, Privacy, Team};

    #[test]
    fn slugs_as_github_documents() {
        assert_eq!(slugify("My TEam Näme"), "my-team-name");
        assert_eq!(slugify("Monkeys & Bananas"), "monkeys-bananas");
        assert_eq!(slugify("sig-api_machinery"), "sig-api_machinery");
    }

    fn team(slug: &str, name: &str, parent: Option<&str>) -> Team {
        Team {
            id: 0,
            slug: slug.into(),
            name: name.into(),
            description: None,
            privacy: Privacy::Closed,
            parent: parent.map(str::to_string),
            notifications: None,
            members: Vec::new(),
            repos: Vec::new(),
        }
    }

    fn state(teams: Vec<Team>, logins: &[&str]) -> GithubState {
        let mut s = GithubState::new("o");
        s.teams = teams;
        for (i, l) in logins.iter().enumerate() {
            s.members.push(OrgMember {
                login: (*l).into(),
                id: i as u64 + 1,
                role: OrgRole::Member,
            });
        }
        s
    }

    fn problems(r: Result<Vec<(String, String)>, ImportError>) -> Vec<String> {
        match r {
            Err(ImportError::Names(p)) => p,
            other => panic!("expected name problems, got {other:?}"),
        }
    }

    #[test]
    fn teams_sharing_a_file_are_refused_naming_both() {
        let p = problems(from_state(&state(
            vec![
                team("a_b", "A B", None),
                team("a-b", "a-b", None),
                team("child", "Child", Some("a-b")),
            ],
            &[],
        )));
        assert_eq!(
            p,
            [
                "team \"A B\" (slug \"a_b\") and team \"a-b\" (slug \"a-b\") would both be written to teams/a-b.yaml: rename one of them and import again"
            ]
        );
        let long = "x".repeat(64);
        let p = problems(from_state(&state(
            vec![
                team(&format!("{long}-one"), "one", None),
                team(&format!("{long}-two"), "two", None),
            ],
            &[],
        )));
        assert_eq!(p.len(), 1);
        assert!(p[0].contains(&format!("teams/{long}.yaml")), "{p:?}");
    }

    #[test]
    fn unusable_slugs_are_refused() {
        for slug in ["a/b", ".", "..", "", "-a", "A"] {
            let p = problems(from_state(&state(vec![team(slug, "T", None)], &[])));
            assert_eq!(p.len(), 1, "{slug}: {p:?}");
            assert!(p[0].contains("gives no usable file name"), "{p:?}");
        }
    }

    #[test]
    fn a_missing_parent_is_refused() {
        let p = problems(from_state(&state(
            vec![team("child", "Child", Some("gone"))],
            &[],
        )));
        assert!(p[0].contains("names the parent \"gone\""), "{p:?}");
    }

    #[test]
    fn people_sharing_a_file_are_refused_but_case_is_one_account() {
        let p = problems(from_state(&state(
            Vec::new(),
            &["foo_bar", "foo-bar", "---"],
        )));
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p.iter()
                .any(|m| m.contains("person \"---\" gives no usable file name"))
        );
        assert!(p.iter().any(|m| m.contains(
            "person \"foo-bar\" and person \"foo_bar\" would both be written to people/foo-bar.yaml"
        )));
        let files = from_state(&state(Vec::new(), &["Alice", "alice"])).unwrap();
        let people: Vec<&str> = files
            .iter()
            .filter(|(p, _)| p.starts_with("people/"))
            .map(|(p, _)| p.as_str())
            .collect();
        assert_eq!(people, ["people/alice.yaml"]);
    }

    #[test]
    fn peribolos_names_with_one_slug_are_refused() {
        let config = serde_json::json!({"orgs": {"o": {
            "members": ["m"],
            "teams": {
                "Team A": {"members": ["m"], "teams": {"Child": {"members": ["m"]}}},
                "team-a": {"members": ["m"]},
                "...": {"members": ["m"]},
            }
        }}});
        let p = problems(from_peribolos(&config, None));
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p.iter()
                .any(|m| m.contains("team \"...\" (slug \"\") gives no usable file name")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("team \"Team A\" (slug \"team-a\")")
                    && m.contains("team \"team-a\" (slug \"team-a\")")
                    && m.contains("teams/team-a.yaml")),
            "{p:?}"
        );
    }
}

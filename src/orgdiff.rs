//! What a change to the org files means, in the org's own terms: which people, teams, aliases
//! and budgets were added, removed or changed (field by field, lists as additions and removals),
//! what GitHub would change if both versions were applied, and who gains or loses mail.
//!
//! Pure: two models in, plain data out ([`OrgDiff`]), so `orgctl diff`, PR comments and later
//! tools (reviewers, history) read the same list. Stage: after model, beside desired state.

use crate::model::Org;
use crate::model::aliases::{Recipient, expand};
use crate::plan::Change;
use crate::schema::FileKind;
use crate::source::SourceSet;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// A provider's changes from the base's desired state to the head's, and its notes (the GitHub
/// provider's is `between` in `github/plan.rs`; the shell passes it, the core names no
/// provider).
pub type ProviderDiff = fn(&Org, &Org, Date) -> (Vec<Change>, Vec<String>);

/// Everything that differs between two versions of an org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgDiff {
    /// Entities added, removed or changed, by kind then id.
    pub entities: Vec<EntityChange>,
    /// What GitHub would change going from the base's desired state to the head's, in plan
    /// order (computed from the files alone, not from live GitHub).
    pub github: Vec<Change>,
    /// What the plan reports without changing it (a team left undeclared stays on GitHub, a
    /// renamed account), or why nothing can be planned.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub github_notes: Vec<String>,
    /// Email aliases whose recipients change, by address.
    pub email: Vec<AliasChange>,
}

/// Added, removed or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Only in the head.
    Added,
    /// Only in the base.
    Removed,
    /// In both, different.
    Changed,
}

impl ChangeKind {
    /// `+`, `-` or `~`.
    pub fn symbol(self) -> char {
        match self {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
            ChangeKind::Changed => '~',
        }
    }
}

/// One file's entity that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityChange {
    /// `org`, `person`, `team`, `alias` or `budget`.
    pub kind: &'static str,
    /// The id (file stem; `org` for org.yaml).
    pub id: String,
    /// The file, relative to the org directory (the head's, or the base's when removed).
    pub file: String,
    /// How it differs.
    pub change: ChangeKind,
    /// Its `name`, when it has one (the head's, or the base's when removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The fields that differ (empty for an added or removed entity).
    pub fields: Vec<FieldChange>,
}

/// One field that differs: a value replaced, or items added to and removed from a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Dotted path from the file's top: `github.repos.nixpkgs`, `members[carol].role`.
    pub path: String,
    /// The old value (absent when the field is new, or for a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The new value (absent when the field is gone, or for a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// List items added.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    /// List items removed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}

/// An alias whose recipients differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AliasChange {
    /// The address.
    pub address: String,
    /// How it differs.
    pub change: ChangeKind,
    /// Recipients gained (person ids, or external addresses as written).
    pub added: Vec<String>,
    /// Recipients lost.
    pub removed: Vec<String>,
}

/// One version of the org: the model and the files it was read from.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The model.
    pub org: &'a Org,
    /// Its files (for the paths shown).
    pub sources: &'a SourceSet,
}

impl OrgDiff {
    /// Whether nothing differs.
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty() && self.github.is_empty() && self.email.is_empty()
    }
}

/// Compares `base` with `head`, judging terms and expiries on `today`.
pub fn diff(base: Side<'_>, head: Side<'_>, today: Date, github: ProviderDiff) -> OrgDiff {
    let (github, github_notes) = github(base.org, head.org, today);
    OrgDiff {
        entities: entity_changes(base, head),
        github,
        github_notes,
        email: email_changes(base.org, head.org, today),
    }
}

/// Every entity of a side as `(kind, id) → (file, spec as JSON)`.
fn entities(side: Side<'_>) -> BTreeMap<(FileKind, String), (String, Value)> {
    let org = side.org;
    let mut out = BTreeMap::new();
    let mut put =
        |kind: FileKind, id: &str, file: String, spec: Result<Value, serde_json::Error>| {
            out.insert((kind, id.to_string()), (file, spec.unwrap_or(Value::Null)));
        };
    let file = |id: crate::source::FileId| side.sources.get(id).rel.clone();
    if let Some((_, f)) = side
        .sources
        .iter()
        .find(|(_, s)| s.rel == "org.yaml" || s.rel == "org.yml")
    {
        put(
            FileKind::Org,
            "org",
            f.rel.clone(),
            serde_json::to_value(&org.spec),
        );
    }
    for p in org.people.values() {
        put(
            FileKind::Person,
            &p.id,
            file(p.file),
            serde_json::to_value(&p.spec),
        );
    }
    for t in org.teams.values() {
        put(
            FileKind::Team,
            &t.id,
            file(t.file),
            serde_json::to_value(&t.spec),
        );
    }
    for a in org.aliases.values() {
        put(
            FileKind::Alias,
            &a.id,
            file(a.file),
            serde_json::to_value(&a.spec),
        );
    }
    for b in org.budgets.values() {
        put(
            FileKind::Budget,
            &b.id,
            file(b.file),
            serde_json::to_value(&b.spec),
        );
    }
    out
}

fn entity_changes(base: Side<'_>, head: Side<'_>) -> Vec<EntityChange> {
    let before = entities(base);
    let after = entities(head);
    let keys: BTreeSet<&(FileKind, String)> = before.keys().chain(after.keys()).collect();
    let name = |v: &Value| v.get("name").and_then(Value::as_str).map(str::to_string);
    let mut out = Vec::new();
    for key in keys {
        // The head's file and name, or the base's when the entity is gone.
        let ((file, v), change, fields) = match (before.get(key), after.get(key)) {
            (None, Some(h)) => (h, ChangeKind::Added, Vec::new()),
            (Some(b), None) => (b, ChangeKind::Removed, Vec::new()),
            (Some((_, a)), Some(h)) => {
                let mut fields = Vec::new();
                diff_values("", a, &h.1, &mut fields);
                if fields.is_empty() {
                    continue;
                }
                (h, ChangeKind::Changed, fields)
            }
            (None, None) => continue,
        };
        out.push(EntityChange {
            kind: key.0.name(),
            id: key.1.clone(),
            file: file.clone(),
            change,
            name: name(v),
            fields,
        });
    }
    out
}

/// Whether a value says nothing: null, an empty list or an empty mapping (as if absent).
fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn replaced(path: &str, before: Option<&Value>, after: Option<&Value>) -> FieldChange {
    FieldChange {
        path: path.to_string(),
        before: before.filter(|v| !is_blank(v)).map(render),
        after: after.filter(|v| !is_blank(v)).map(render),
        added: Vec::new(),
        removed: Vec::new(),
    }
}

fn diff_values(path: &str, a: &Value, b: &Value, out: &mut Vec<FieldChange>) {
    match (a, b) {
        _ if a == b => {}
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let (u, v) = (
                    x.get(k).filter(|v| !is_blank(v)),
                    y.get(k).filter(|v| !is_blank(v)),
                );
                let p = join(path, k);
                match (u, v) {
                    (Some(u), Some(v)) => diff_values(&p, u, v, out),
                    (None, None) => {}
                    (Some(u), None) if u.is_array() => out.push(list_change(&p, u, &Value::Null)),
                    (None, Some(v)) if v.is_array() => out.push(list_change(&p, &Value::Null, v)),
                    (u, v) => out.push(replaced(&p, u, v)),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => diff_lists(path, x, y, out),
        _ => out.push(replaced(path, Some(a), Some(b))),
    }
}

/// The fields that name a list item: a member's `person`, an allocation's `id`, an alias's
/// `address`, an ownership's `repo`, a recipient's `team`.
const IDENTITY_KEYS: [&str; 5] = ["person", "id", "address", "repo", "team"];

/// The item's identity key and value: a plain string or number is its own identity.
fn identity(v: &Value) -> Option<(Option<&'static str>, String)> {
    match v {
        Value::String(s) => Some((None, s.clone())),
        Value::Number(n) => Some((None, n.to_string())),
        Value::Object(m) => IDENTITY_KEYS.iter().find_map(|k| {
            m.get(*k)
                .and_then(Value::as_str)
                .map(|s| (Some(*k), s.to_string()))
        }),
        _ => None,
    }
}

/// Lists compared as sets: by identity when every item has a distinct one (then items in both
/// are compared field by field, `path[id].field`), else by whole value.
fn diff_lists(path: &str, x: &[Value], y: &[Value], out: &mut Vec<FieldChange>) {
    let keyed = |items: &[Value]| -> Option<BTreeMap<String, (Option<&'static str>, Value)>> {
        let mut m = BTreeMap::new();
        for v in items {
            let (key, id) = identity(v)?;
            if m.insert(id, (key, v.clone())).is_some() {
                return None;
            }
        }
        Some(m)
    };
    let (Some(a), Some(b)) = (keyed(x), keyed(y)) else {
        out.push(list_change(
            path,
            &Value::Array(x.to_vec()),
            &Value::Array(y.to_vec()),
        ));
        return;
    };
    let added: Vec<String> = b
        .iter()
        .filter(|(id, _)| !a.contains_key(*id))
        .map(|(_, (_, v))| render(v))
        .collect();
    let removed: Vec<String> = a
        .iter()
        .filter(|(id, _)| !b.contains_key(*id))
        .map(|(_, (_, v))| render(v))
        .collect();
    if !added.is_empty() || !removed.is_empty() {
        out.push(FieldChange {
            path: path.to_string(),
            before: None,
            after: None,
            added,
            removed,
        });
    }
    for (id, (ka, va)) in &a {
        let Some((kb, vb)) = b.get(id) else { continue };
        // `alice` and `{person: alice, role: lead}` are the same item: compare as mappings.
        let as_map = |key: Option<&str>, other: Option<&str>, v: &Value| match (v, key.or(other)) {
            (Value::String(s), Some(k)) => {
                Value::Object(Map::from_iter([(k.to_string(), Value::String(s.clone()))]))
            }
            _ => v.clone(),
        };
        let (u, v) = (as_map(*ka, *kb, va), as_map(*kb, *ka, vb));
        diff_values(&format!("{path}[{id}]"), &u, &v, out);
    }
}

/// A list compared by whole items (as a multiset).
fn list_change(path: &str, before: &Value, after: &Value) -> FieldChange {
    let items = |v: &Value| -> Vec<String> {
        match v {
            Value::Array(a) => a.iter().map(render).collect(),
            Value::Null => Vec::new(),
            other => vec![render(other)],
        }
    };
    let (mut old, new) = (items(before), items(after));
    let mut added = Vec::new();
    for item in new {
        match old.iter().position(|o| *o == item) {
            Some(i) => {
                old.remove(i);
            }
            None => added.push(item),
        }
    }
    FieldChange {
        path: path.to_string(),
        before: None,
        after: None,
        added,
        removed: old,
    }
}

/// A value as a reader writes it: text without quotes, `{key: value, ...}`, `[a, b]`.
pub fn render(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(render).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => {
            let parts: Vec<String> = o
                .iter()
                .filter(|(_, v)| !is_blank(v))
                .map(|(k, v)| format!("{k}: {}", render(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

fn email_changes(base: &Org, head: &Org, today: Date) -> Vec<AliasChange> {
    let names = |r: &std::collections::BTreeSet<Recipient>| -> BTreeSet<String> {
        r.iter()
            .map(|r| match r {
                Recipient::Person(p) => p.clone(),
                Recipient::External(a) => a.clone(),
            })
            .collect()
    };
    let before = expand(base, today);
    let after = expand(head, today);
    let addresses: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut out = Vec::new();
    for address in addresses {
        let a = before.get(address).map(|e| names(&e.recipients));
        let b = after.get(address).map(|e| names(&e.recipients));
        let change = match (&a, &b) {
            (None, Some(_)) => ChangeKind::Added,
            (Some(_), None) => ChangeKind::Removed,
            (Some(x), Some(y)) if x != y => ChangeKind::Changed,
            _ => continue,
        };
        let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
        out.push(AliasChange {
            address: address.clone(),
            change,
            added: b.difference(&a).cloned().collect(),
            removed: a.difference(&b).cloned().collect(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testing::{org_with_sources, today};

    const ORG: &str = "name: Test\ngithub:\n  org: acme\nemail:\n  domains: [example.org]\n";

    fn run(base: &[(&str, &str)], head: &[(&str, &str)]) -> OrgDiff {
        let (b, bs) = org_with_sources(base);
        let (h, hs) = org_with_sources(head);
        diff(
            Side {
                org: &b,
                sources: &bs,
            },
            Side {
                org: &h,
                sources: &hs,
            },
            today(),
            provider,
        )
    }

    /// A provider's diff as the CLI would pass one (GitHub's is tested in `github::plan`): its
    /// changes and notes must reach the `OrgDiff` as they are.
    fn provider(_: &Org, _: &Org, _: Date) -> (Vec<Change>, Vec<String>) {
        (Vec::new(), vec!["from the provider".into()])
    }

    fn paths(d: &OrgDiff) -> Vec<String> {
        d.entities
            .iter()
            .flat_map(|e| {
                let head = format!("{} {} {}", e.change.symbol(), e.kind, e.id);
                std::iter::once(head).chain(e.fields.iter().map(|f| {
                    format!(
                        "  {} {:?} -> {:?} +{:?} -{:?}",
                        f.path, f.before, f.after, f.added, f.removed
                    )
                }))
            })
            .collect()
    }

    #[test]
    fn nothing_changed_is_empty() {
        let files = [
            ("org.yaml", ORG),
            ("people/a.yaml", "name: A\ngithub: a-gh\ngithub_id: 1\n"),
        ];
        assert!(run(&files, &files).is_empty());
    }

    #[test]
    fn people_and_team_fields_in_the_orgs_terms() {
        let base = [
            ("org.yaml", ORG),
            (
                "people/a.yaml",
                "name: A\ngithub: a-gh\ngithub_id: 1\nemail: a@x.org\n",
            ),
            (
                "people/b.yaml",
                "name: B\ngithub: b-gh\ngithub_id: 2\nemail: b@x.org\n",
            ),
            ("people/gone.yaml", "name: Gone\ninactive: true\n"),
            (
                "teams/t.yaml",
                "name: T\nleads: [a]\nmembers: [a, b]\ngithub:\n  repos:\n    web: push\nemail:\n  - address: t@example.org\n",
            ),
        ];
        let head = [
            ("org.yaml", ORG),
            (
                "people/a.yaml",
                "name: A\ngithub: a-new\ngithub_id: 1\nemail: a@x.org\n",
            ),
            (
                "people/b.yaml",
                "name: B\ngithub: b-gh\ngithub_id: 2\nemail: b@x.org\n",
            ),
            (
                "people/c.yaml",
                "name: C\ngithub: c-gh\ngithub_id: 3\nemail: c@x.org\n",
            ),
            (
                "teams/t.yaml",
                "name: T\nleads: [a]\nmembers:\n  - a\n  - person: b\n    role: secretary\n  - c\ngithub:\n  repos:\n    web: maintain\n    api: pull\nemail:\n  - address: t@example.org\n",
            ),
        ];
        let d = run(&base, &head);
        assert_eq!(
            paths(&d),
            [
                "~ person a",
                "  github Some(\"a-gh\") -> Some(\"a-new\") +[] -[]",
                "+ person c",
                "- person gone",
                "~ team t",
                "  github.repos.api None -> Some(\"pull\") +[] -[]",
                "  github.repos.web Some(\"push\") -> Some(\"maintain\") +[] -[]",
                "  members None -> None +[\"c\"] -[]",
                "  members[b].role None -> Some(\"secretary\") +[] -[]",
            ]
        );
        assert_eq!(d.entities[1].file, "people/c.yaml");
        // The GitHub part is the provider's, carried as it is.
        assert_eq!(d.github, Vec::new());
        assert_eq!(d.github_notes, ["from the provider"]);
        assert_eq!(
            d.email,
            [AliasChange {
                address: "t@example.org".into(),
                change: ChangeKind::Changed,
                added: vec!["c".into()],
                removed: vec![],
            }]
        );
    }

    #[test]
    fn lists_without_ids_compare_as_multisets() {
        let budget = |expenses: &str| {
            format!(
                "name: F\nsource: donations\ncurrency: EUR\ntotal: 1000\nperiod:\n  start: 2026-01-01\n  end: 2026-12-31\napprovers: t\nallocations:\n  - id: hosting\n    team: t\n    amount: 500\n    purpose: servers\nexpenses:\n{expenses}"
            )
        };
        let one =
            "  - allocation: hosting\n    date: 2026-02-01\n    amount: 100\n    description: VM\n";
        let two = format!(
            "{one}  - allocation: hosting\n    date: 2026-03-01\n    amount: 120\n    description: VM\n"
        );
        let team = ("teams/t.yaml", "name: T\nmembers: []\n");
        let (b1, b2) = (budget(one), budget(&two));
        let d = run(
            &[("org.yaml", ORG), team, ("budgets/f.yaml", &b1)],
            &[("org.yaml", ORG), team, ("budgets/f.yaml", &b2)],
        );
        assert_eq!(d.entities.len(), 1);
        let f = &d.entities[0].fields;
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].path, "expenses");
        assert_eq!(f[0].added.len(), 1);
        assert!(f[0].added[0].contains("2026-03-01"), "{:?}", f[0].added);
        assert!(f[0].removed.is_empty());
    }

    #[test]
    fn a_team_leaving_github_is_a_change_of_its_github_field() {
        let base = [
            ("org.yaml", ORG),
            ("people/a.yaml", "name: A\ngithub: a-gh\ngithub_id: 1\n"),
            ("teams/t.yaml", "name: T\nmembers: [a]\ngithub: {}\n"),
        ];
        let head = [
            ("org.yaml", ORG),
            ("people/a.yaml", "name: A\ngithub: a-gh\ngithub_id: 1\n"),
            ("teams/t.yaml", "name: T\nmembers: [a]\n"),
        ];
        let d = run(&base, &head);
        assert_eq!(d.entities.len(), 1);
        assert_eq!(d.entities[0].fields[0].path, "github");
    }
}

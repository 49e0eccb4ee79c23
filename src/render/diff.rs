//! `orgctl diff` for people (terminal) and for pull-request comments (Markdown).

use super::text::{markdown as escape_markdown, terminal_safe};
use crate::orgdiff::{ChangeKind, EntityChange, FieldChange, OrgDiff};
use crate::plan::{Action, Change};

/// Section titles per entity kind, in the order shown.
const KINDS: [(&str, &str); 5] = [
    ("org", "Organisation"),
    ("person", "People"),
    ("team", "Teams"),
    ("alias", "Aliases"),
    ("budget", "Budgets"),
];

/// Items gained and lost: `+ a, + b, - c`.
fn plus_minus(added: &[String], removed: &[String]) -> String {
    let items: Vec<String> = added
        .iter()
        .map(|a| format!("+ {a}"))
        .chain(removed.iter().map(|r| format!("- {r}")))
        .collect();
    items.join(", ")
}

/// One line per field: `path: before → after`, `path: + a, + b, - c`.
fn field_line(f: &FieldChange) -> String {
    if !f.added.is_empty() || !f.removed.is_empty() {
        return format!("{}: {}", f.path, plus_minus(&f.added, &f.removed));
    }
    match (&f.before, &f.after) {
        (Some(b), Some(a)) => format!("{}: {b} → {a}", f.path),
        (None, Some(a)) => format!("{}: + {a}", f.path),
        (Some(b), None) => format!("{}: - {b}", f.path),
        (None, None) => f.path.clone(),
    }
}

fn title(e: &EntityChange) -> String {
    match &e.name {
        Some(n) if n != &e.id => format!("{} ({n})", e.id),
        _ => e.id.clone(),
    }
}

/// A planned GitHub change without its symbol: `address (field: before → after)`.
fn github_line(c: &Change) -> String {
    let mut line = c.address.to_string();
    let fields: Vec<String> = c
        .changed_fields()
        .into_iter()
        .filter_map(|(name, b, a)| match (c.action, b, a) {
            (Action::Create, _, Some(a)) => Some(format!("{name} = {a}")),
            (Action::Delete, _, _) => None,
            (_, Some(b), Some(a)) => Some(format!("{name}: {b} → {a}")),
            (_, None, Some(a)) => Some(format!("{name} = {a}")),
            (_, Some(b), None) => Some(format!("{name} was {b}")),
            (_, None, None) => None,
        })
        .collect();
    if !fields.is_empty() {
        line.push_str(&format!(" ({})", fields.join(", ")));
    }
    line
}

fn alias_line(a: &crate::orgdiff::AliasChange) -> String {
    format!("{}: {}", a.address, plus_minus(&a.added, &a.removed))
}

/// The symbol as an emoji, for Markdown (where a leading `-` or `+` would start a list).
fn emoji(symbol: char) -> &'static str {
    match symbol {
        '+' => "➕",
        '-' => "➖",
        _ => "✏️",
    }
}

/// Counts: `2 files added, 3 changed, 1 removed; 4 GitHub changes; 1 alias changes recipients`.
pub fn summary_line(d: &OrgDiff) -> String {
    if d.is_empty() {
        return "No changes.".into();
    }
    let count = |k: ChangeKind| d.entities.iter().filter(|e| e.change == k).count();
    format!(
        "Files: {} added, {} changed, {} removed. GitHub: {} change{}. Email: {} alias{} with other recipients.",
        count(ChangeKind::Added),
        count(ChangeKind::Changed),
        count(ChangeKind::Removed),
        d.github.len(),
        if d.github.len() == 1 { "" } else { "s" },
        d.email.len(),
        if d.email.len() == 1 { "" } else { "es" },
    )
}

/// Terminal output: entities by kind with their fields, then GitHub and email effects. No
/// colours: the whole text is made [`terminal_safe`].
pub fn human(d: &OrgDiff, from: &str, to: &str) -> String {
    let mut out = format!("orgctl diff: {from} → {to}\n\n");
    for (kind, heading) in KINDS {
        let entities: Vec<&EntityChange> = d.entities.iter().filter(|e| e.kind == kind).collect();
        if entities.is_empty() {
            continue;
        }
        out.push_str(&format!("# {heading}\n"));
        for e in entities {
            out.push_str(&format!(
                "  {} {}  [{}]\n",
                e.change.symbol(),
                title(e),
                e.file
            ));
            for f in &e.fields {
                out.push_str(&format!("      {}\n", field_line(f)));
            }
        }
        out.push('\n');
    }
    if !d.github.is_empty() || !d.github_notes.is_empty() {
        out.push_str("# GitHub (what apply would change, from the base's files to these)\n");
        for c in &d.github {
            out.push_str(&format!("  {} {}\n", c.action.symbol(), github_line(c)));
        }
        for n in &d.github_notes {
            out.push_str(&format!("  ! {n}\n"));
        }
        out.push('\n');
    }
    if !d.email.is_empty() {
        out.push_str("# Email recipients\n");
        for a in &d.email {
            out.push_str(&format!("  {} {}\n", a.change.symbol(), alias_line(a)));
        }
        out.push('\n');
    }
    out.push_str(&summary_line(d));
    out.push('\n');
    terminal_safe(&out).into_owned()
}

/// A pull-request comment: the summary, then one collapsible section per part. Mentions and
/// issue references are neutralised, so a comment never pings anyone.
pub fn markdown(d: &OrgDiff, from: &str, to: &str) -> String {
    let e = escape_markdown;
    let mut out = format!("### orgctl diff: {} → {}\n\n", e(from), e(to));
    out.push_str(&format!("**{}**\n\n", e(&summary_line(d))));
    for (kind, heading) in KINDS {
        let entities: Vec<&EntityChange> = d.entities.iter().filter(|x| x.kind == kind).collect();
        if entities.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "<details open><summary>{heading} ({})</summary>\n\n",
            entities.len()
        ));
        for x in entities {
            out.push_str(&format!(
                "- {} **{}** <sub>{}</sub>\n",
                emoji(x.change.symbol()),
                e(&title(x)),
                e(&x.file)
            ));
            for f in &x.fields {
                out.push_str(&format!("  - {}\n", e(&field_line(f))));
            }
        }
        out.push_str("\n</details>\n\n");
    }
    if !d.github.is_empty() || !d.github_notes.is_empty() {
        out.push_str(&format!(
            "<details><summary>GitHub: {} change{}</summary>\n\n",
            d.github.len(),
            if d.github.len() == 1 { "" } else { "s" }
        ));
        for c in &d.github {
            out.push_str(&format!(
                "- {} {}\n",
                emoji(c.action.symbol()),
                e(&github_line(c))
            ));
        }
        for n in &d.github_notes {
            out.push_str(&format!("- ⚠️ {}\n", e(n)));
        }
        out.push_str("\n</details>\n\n");
    }
    if !d.email.is_empty() {
        out.push_str("<details><summary>Email recipients</summary>\n\n");
        for a in &d.email {
            out.push_str(&format!(
                "- {} {}\n",
                emoji(a.change.symbol()),
                e(&alias_line(a))
            ));
        }
        out.push_str("\n</details>\n");
    }
    out
}

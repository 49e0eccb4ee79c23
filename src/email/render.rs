//! Rendering email plans and apply reports: Terraform-style text and versioned JSON. Pure.
//!
//! Everything printed goes through [`Recipient`]'s `Display`, so a private recipient is always
//! `alice <redacted>` and an address unknown to the org files `<unlisted address 1a2b3c4d>`.
//! Text from the files or the mail server (route ids, addresses, error messages) goes through
//! [`terminal_safe`]: the only escape sequences in the human output are its colours.

use super::plan::{AliasChange, Drift, EmailPlan};
use super::{ApplyReport, Recipient};
use crate::render::text::terminal_safe;
use serde_json::{Value, json};
use std::fmt::Write;

/// Version of the JSON documents below.
pub const JSON_VERSION: u32 = 1;

/// `s`, made terminal-safe, in colour `code` when `color`.
fn paint(color: bool, code: &str, s: &str) -> String {
    let s = terminal_safe(s);
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn sym_color(sym: char) -> &'static str {
    match sym {
        '+' => "32",
        '-' => "31",
        _ => "33",
    }
}

/// The lines of one change: header and `+`/`-` recipient lines.
pub fn change_lines(c: &AliasChange, color: bool) -> String {
    let mut out = String::new();
    let sym = c.action.symbol();
    let head = format!("  {sym} {}", c.resource());
    let _ = writeln!(out, "{}", paint(color, sym_color(sym), &head));
    for r in c.added() {
        let _ = writeln!(out, "{}", paint(color, "32", &format!("      + {r}")));
    }
    for r in c.removed() {
        let _ = writeln!(out, "{}", paint(color, "31", &format!("      - {r}")));
    }
    out
}

fn drift_lines(out: &mut String, title: &str, items: &[Drift], color: bool) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", paint(color, "1;33", title));
    for d in items {
        let _ = writeln!(
            out,
            "  {} {}",
            paint(color, "33", "!"),
            terminal_safe(&d.to_string())
        );
    }
}

/// The human plan: changes, drift, conflicts, notes and the summary line.
pub fn human(plan: &EmailPlan, color: bool) -> String {
    let mut out = format!("Email aliases on {}\n", terminal_safe(&plan.backend));
    if plan.changes.is_empty() {
        out.push_str("\nNo changes. The email aliases match the org.\n");
    } else {
        out.push('\n');
        for c in &plan.changes {
            out.push_str(&change_lines(c, color));
        }
    }
    drift_lines(
        &mut out,
        "Drift: edited by hand since the last apply (apply refuses to overwrite it without --allow-drift):",
        &plan.drift,
        color,
    );
    drift_lines(
        &mut out,
        "Conflicts (apply refuses until they are resolved):",
        &plan.conflicts,
        color,
    );
    if !plan.empty_aliases.is_empty() {
        let _ = writeln!(
            out,
            "\nNote: nobody currently receives mail for {}; such aliases are not served.",
            terminal_safe(&plan.empty_aliases.join(", "))
        );
    }
    let _ = writeln!(out, "\n{}", plan.summary());
    out
}

fn recipients(rs: &[&Recipient]) -> Value {
    Value::Array(rs.iter().map(|r| Value::String(r.redacted())).collect())
}

fn drift_json(items: &[Drift]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|d| {
                json!({
                    "resource": d.address.as_deref().map(super::resource),
                    "message": d.message,
                })
            })
            .collect(),
    )
}

/// The plan as a JSON value (version [`JSON_VERSION`]).
pub fn json(plan: &EmailPlan) -> Value {
    let s = plan.summary();
    json!({
        "version": JSON_VERSION,
        "backend": plan.backend,
        "changes": plan.changes.iter().map(|c| json!({
            "resource": c.resource(),
            "address": c.address,
            "action": c.action,
            "added": recipients(&c.added()),
            "removed": recipients(&c.removed()),
            "recipients": recipients(&c.after.iter().collect::<Vec<_>>()),
        })).collect::<Vec<_>>(),
        "drift": drift_json(&plan.drift),
        "conflicts": drift_json(&plan.conflicts),
        "empty_aliases": plan.empty_aliases,
        "summary": { "add": s.add, "change": s.change, "destroy": s.destroy },
        "observed_fingerprint": plan.observed_fingerprint,
    })
}

/// The human apply report: one line per alias written, notes, then the summary.
pub fn apply_human(report: &ApplyReport, color: bool) -> String {
    let mut out = String::new();
    for a in &report.applied {
        let verb = match a.action {
            super::Action::Create => "created",
            super::Action::Update => "updated",
            super::Action::Delete => "destroyed",
        };
        let note = a
            .note
            .as_deref()
            .map(|n| format!(" ({})", terminal_safe(n)))
            .unwrap_or_default();
        match &a.error {
            None => {
                let _ = writeln!(out, "{}: {verb}{note}", terminal_safe(&a.resource));
            }
            Some(e) => {
                let _ = writeln!(
                    out,
                    "{}: {} {}",
                    terminal_safe(&a.resource),
                    paint(color, "1;31", "failed:"),
                    terminal_safe(e)
                );
            }
        }
    }
    for n in &report.notes {
        let _ = writeln!(out, "{}", terminal_safe(n));
    }
    let _ = writeln!(out, "\n{}", report.summary());
    out
}

/// The apply report with the plan it executed, as JSON (an audit record CI can keep).
pub fn apply_json(plan: &EmailPlan, report: &ApplyReport) -> Value {
    json!({
        "version": JSON_VERSION,
        "plan": json(plan),
        "applied": report.applied,
        "notes": report.notes,
        "failed": report.failed(),
        "summary": report.summary(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::{AliasTable, Observed};
    use std::collections::BTreeSet;

    /// Review of issue 13: what the mail server says (errors, route ids) never reaches the
    /// terminal as escape sequences; with colour on, the only ones are orgctl's.
    #[test]
    fn server_text_is_terminal_safe() {
        let report = ApplyReport {
            applied: vec![crate::email::Applied {
                resource: "email_alias[\"x@example.org\u{1b}]0;pwned\u{7}\"]".into(),
                action: super::super::Action::Create,
                note: Some("\u{1b}[2J".into()),
                error: Some("bad \u{1b}[2J\u{1b}]8;;http://evil.example\u{7}click".into()),
                exchanges: Vec::new(),
            }],
            notes: vec!["\u{9b}31m".into()],
        };
        let plain = apply_human(&report, false);
        assert!(
            !plain.contains('\u{1b}') && !plain.contains('\u{9b}'),
            "{plain:?}"
        );
        assert!(plain.contains("\\u{1b}[2J"), "{plain}");
        let coloured = apply_human(&report, true);
        let escapes = coloured.matches('\u{1b}').count();
        assert_eq!(
            escapes, 2,
            "only the colour on and off of `failed:`: {coloured:?}"
        );
    }

    #[test]
    fn human_plan_is_terraform_style_and_redacted() {
        let desired = AliasTable::from([(
            "infra@nixos.example".to_string(),
            vec![
                Recipient::Public("bob@example.com".into()),
                Recipient::Secret {
                    person: "alice".into(),
                    reference: "env:ALICE".into(),
                },
            ],
        )]);
        let observed = Observed {
            table: AliasTable::from([(
                "old@nixos.example".to_string(),
                vec![Recipient::Public("hand@private.example".into())],
            )]),
            ..Observed::default()
        };
        let plan = EmailPlan::new(
            "postfix map virtual".into(),
            desired,
            observed,
            &BTreeSet::new(),
        );
        let text = human(&plan, false);
        assert!(text.contains("  + email_alias[\"infra@nixos.example\"]\n      + bob@example.com\n      + alice <redacted>\n"), "{text}");
        assert!(
            text.contains("  - email_alias[\"old@nixos.example\"]\n      - <unlisted address "),
            "{text}"
        );
        assert!(
            text.ends_with("Plan: 1 to add, 0 to change, 1 to destroy.\n"),
            "{text}"
        );
        let j = json(&plan).to_string();
        assert!(j.contains("\"alice <redacted>\""));
        assert!(!j.contains("private.example") && !text.contains("private.example"));
    }
}

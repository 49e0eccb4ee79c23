//! Plans for people: Terraform-style text grouped by team, and a Markdown PR comment.
//!
//! Both read only the [`Plan`] data, so what a reviewer sees is what apply executes.

use super::text::{markdown as markdown_text, terminal_safe};
use crate::interface::Catalog;
use crate::plan::resource::display;
use crate::plan::{Action, Change, Plan};
use serde_json::Value;
use std::collections::BTreeMap;

const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const RED: &str = "\x1b[31m";
const RESET: &str = "\x1b[0m";

fn colour(action: Action) -> &'static str {
    match action {
        Action::Create => GREEN,
        Action::Update => YELLOW,
        Action::Delete => RED,
    }
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Create => "will be created",
        Action::Update => "will be updated in place",
        Action::Delete => "will be destroyed",
    }
}

/// `Plan: X to add, Y to change, Z to destroy.` or `No changes. GitHub matches the org
/// files.` (naming the live side of every planned provider).
pub fn summary_line(plan: &Plan, catalog: &Catalog<'_>) -> String {
    let s = plan.summary();
    if plan.changes.is_empty() && !plan.targets.is_empty() {
        format!("No changes for --target {}.", plan.targets.join(", "))
    } else if plan.changes.is_empty() {
        format!("No changes. {}", matches(plan, catalog))
    } else {
        format!(
            "Plan: {} to add, {} to change, {} to destroy.",
            s.add, s.change, s.destroy
        )
    }
}

/// For a list attribute that changes in place, the items gained (`+`) then lost (`-`), as
/// printed; `None` for any other change.
fn list_change(before: Option<&Value>, after: Option<&Value>) -> Option<Vec<(char, String)>> {
    let (Some(Value::Array(b)), Some(Value::Array(a))) = (before, after) else {
        return None;
    };
    let gained = a
        .iter()
        .filter(|i| !b.contains(i))
        .map(|i| ('+', display(i)));
    let lost = b
        .iter()
        .filter(|i| !a.contains(i))
        .map(|i| ('-', display(i)));
    Some(gained.chain(lost).collect())
}

/// `GitHub matches the org files.`, `GitHub and the mail server match the org files.`
fn matches(plan: &Plan, catalog: &Catalog<'_>) -> String {
    let (sides, plural) = catalog.live_sides(&providers(plan));
    let verb = if plural { "match" } else { "matches" };
    let mut chars = sides.chars();
    let sides: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    format!("{sides} {verb} the org files.")
}

/// The providers of the plan's parts, in plan order.
fn providers(plan: &Plan) -> Vec<&str> {
    plan.parts.iter().map(|p| p.provider.as_str()).collect()
}

/// Changes grouped as their providers describe their kinds (organisation members, then each
/// team, then email aliases).
fn groups<'p>(plan: &'p Plan, catalog: &Catalog<'_>) -> BTreeMap<(u8, String), Vec<&'p Change>> {
    let mut g: BTreeMap<(u8, String), Vec<&Change>> = BTreeMap::new();
    for c in &plan.changes {
        g.entry(catalog.group(&c.address)).or_default().push(c);
    }
    g
}

/// Human output, grouped as `catalog` describes the kinds. Every text from the files or from
/// GitHub goes through [`terminal_safe`]; the only escape sequences are the colours, when
/// `color` is set. A list attribute that changes shows the items gained and lost.
pub fn human(plan: &Plan, catalog: &Catalog<'_>, color: bool) -> String {
    let paint = |a: Action, s: &str| {
        if color {
            format!("{}{s}{RESET}", colour(a))
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    out.push_str(&format!(
        "orgctl plan for {}\n\n",
        terminal_safe(&catalog.subject(&providers(plan), &plan.org))
    ));
    for ((_, title), changes) in groups(plan, catalog) {
        out.push_str(&format!("# {}\n", terminal_safe(&title)));
        for c in changes {
            out.push_str(&format!(
                "  {} {} {}",
                paint(c.action, &c.action.symbol().to_string()),
                terminal_safe(&c.address.to_string()),
                verb(c.action)
            ));
            if let Some(r) = &c.reason {
                out.push_str(&format!("  ({})", terminal_safe(r)));
            }
            out.push('\n');
            for (field, before, after) in c.changed_values() {
                if let Some(items) = list_change(before, after) {
                    for (sign, item) in items {
                        out.push_str(&format!("      {sign} {}\n", terminal_safe(&item)));
                    }
                    continue;
                }
                let (before, after) = (before.map(display), after.map(display));
                let line = match (c.action, before, after) {
                    (Action::Create, _, Some(a)) => format!("      + {field} = {a}"),
                    (Action::Delete, Some(b), _) => format!("      - {field} = {b}"),
                    (_, Some(b), Some(a)) => format!("      ~ {field}: {b} → {a}"),
                    (_, None, Some(a)) => format!("      + {field} = {a}"),
                    (_, Some(b), None) => format!("      - {field} = {b}"),
                    (_, None, None) => continue,
                };
                out.push_str(&terminal_safe(&line));
                out.push('\n');
            }
        }
        out.push('\n');
    }
    if !plan.notes.is_empty() {
        out.push_str("Notes (not changed by this plan):\n");
        for n in &plan.notes {
            let note = format!("{}: {}", n.address, n.message);
            out.push_str(&format!("  ! {}\n", terminal_safe(&note)));
        }
        out.push('\n');
    }
    if plan.needs_override() {
        out.push_str(&format!(
            "Warning: this plan removes {} resources, more than org.yaml's limits.max_removals ({}). apply will refuse it unless run with --allow-removals {}.\n\n",
            plan.removals, plan.max_removals, plan.removals
        ));
    }
    out.push_str(&summary_line(plan, catalog));
    out.push('\n');
    out
}

/// Markdown PR comment: summary counts, then collapsible details per group.
pub fn markdown(plan: &Plan, catalog: &Catalog<'_>) -> String {
    let s = plan.summary();
    let mut out = String::new();
    out.push_str(&format!(
        "### orgctl plan for `{}`\n\n",
        markdown_text(&plan.org)
    ));
    if plan.changes.is_empty() && !plan.targets.is_empty() {
        out.push_str(&format!(
            "**No changes** for `--target {}`.\n",
            crate::render::text::markdown_code_block(&plan.targets.join(", "))
        ));
    } else if plan.changes.is_empty() {
        out.push_str(&format!(
            "**No changes.** {}\n",
            markdown_text(&matches(plan, catalog))
        ));
    } else {
        out.push_str(&format!(
            "**{} to add, {} to change, {} to destroy.**\n\n| | count |\n|---|---|\n| ➕ add | {} |\n| ✏️ change | {} |\n| ➖ destroy | {} |\n\n",
            s.add, s.change, s.destroy, s.add, s.change, s.destroy
        ));
        if plan.needs_override() {
            out.push_str(&format!(
                "> [!WARNING]\n> This plan removes {} resources, more than the limit of {}. Apply needs `--allow-removals {}`.\n\n",
                plan.removals, plan.max_removals, plan.removals
            ));
        }
        for ((_, title), changes) in groups(plan, catalog) {
            out.push_str(&format!(
                "<details><summary>{} ({})</summary>\n\n```diff\n",
                markdown_text(&title),
                super::count(changes.len(), "change", "changes")
            ));
            for c in changes {
                let sym = match c.action {
                    Action::Create => '+',
                    Action::Update => '!',
                    Action::Delete => '-',
                };
                out.push_str(&format!(
                    "{sym} {}\n",
                    crate::render::text::markdown_code_block(&c.address.to_string())
                ));
                for (field, before, after) in c.changed_values() {
                    // A list that changes in place: the items gained and lost, as in the text.
                    if let Some(items) = list_change(before, after) {
                        for (sign, item) in items {
                            let line = format!("{sign}     {field}: {item}");
                            out.push_str(&crate::render::text::markdown_code_block(&line));
                            out.push('\n');
                        }
                        continue;
                    }
                    let b = before.map(display).unwrap_or_default();
                    let a = after.map(display).unwrap_or_default();
                    let line = match c.action {
                        Action::Create => format!("+     {field} = {a}"),
                        Action::Delete => format!("-     {field} = {b}"),
                        Action::Update => format!("!     {field}: {b} -> {a}"),
                    };
                    out.push_str(&crate::render::text::markdown_code_block(&line));
                    out.push('\n');
                }
            }
            out.push_str("```\n\n</details>\n\n");
        }
    }
    if !plan.notes.is_empty() {
        out.push_str(&format!(
            "<details><summary>Notes ({})</summary>\n\n",
            plan.notes.len()
        ));
        for n in &plan.notes {
            out.push_str(&format!(
                "- {}: {}\n",
                markdown_text(&n.address.to_string()),
                markdown_text(&n.message)
            ));
        }
        out.push_str("\n</details>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interface::{Description, Group, Kind};
    use crate::plan::PartOrigin;

    static HUB: Description = Description {
        name: "hub",
        title: "Hub",
        about: "",
        configured_by: "",
        desired: "",
        live: "Hub",
        account_noun: Some("Hub organisation"),
        kinds: &[Kind {
            name: "team",
            doc: "",
            group: Group::ByName {
                noun: "team",
                rank: 1,
            },
        }],
        configured: |_| true,
    };
    static MAIL: Description = Description {
        name: "mail",
        title: "mail",
        about: "",
        configured_by: "",
        desired: "",
        live: "the mail server",
        account_noun: None,
        kinds: &[],
        configured: |_| true,
    };

    fn plan(providers: &[&str]) -> Plan {
        let mut p = Plan::new("acme", 5);
        for name in providers {
            p.parts.push(PartOrigin {
                provider: name.to_string(),
                target: String::new(),
                desired_fingerprint: String::new(),
                observed_fingerprint: String::new(),
            });
        }
        p
    }

    #[test]
    fn the_header_and_the_empty_summary_name_the_planned_providers() {
        let catalog = Catalog {
            providers: &[&HUB, &MAIL],
        };
        let both = human(&plan(&["hub", "mail"]), &catalog, false);
        assert!(
            both.starts_with("orgctl plan for Hub organisation `acme`\n"),
            "{both}"
        );
        assert!(
            both.ends_with("No changes. Hub and the mail server match the org files.\n"),
            "{both}"
        );
        let mail = human(&plan(&["mail"]), &catalog, false);
        assert!(mail.starts_with("orgctl plan for `acme`\n"), "{mail}");
        assert!(
            mail.ends_with("No changes. The mail server matches the org files.\n"),
            "{mail}"
        );
        let md = markdown(&plan(&["hub"]), &catalog);
        assert!(
            md.contains("**No changes.** Hub matches the org files."),
            "{md}"
        );
    }

    #[test]
    fn an_empty_targeted_plan_says_so_rather_than_all_is_well() {
        let catalog = Catalog { providers: &[&HUB] };
        let mut p = plan(&["hub"]);
        p.targets = vec!["hub_team.web".into()];
        assert_eq!(
            summary_line(&p, &catalog),
            "No changes for --target hub_team.web."
        );
        assert!(
            markdown(&p, &catalog).contains("**No changes** for `--target hub_team.web`."),
            "{}",
            markdown(&p, &catalog)
        );
    }

    #[test]
    fn a_changed_list_shows_the_items_gained_and_lost_in_both_outputs() {
        let catalog = Catalog {
            providers: &[&MAIL],
        };
        let mut p = plan(&["mail"]);
        p.changes.push(crate::plan::Change {
            address: crate::plan::Address::indexed("mail", "alias", "x@example.org"),
            action: Action::Update,
            before: Some(crate::plan::Resource::new().with("recipients", ["a@x.org", "b@x.org"])),
            after: Some(crate::plan::Resource::new().with("recipients", ["a@x.org", "c@x.org"])),
            reason: None,
            needs: Vec::new(),
        });
        let text = human(&p, &catalog, false);
        assert!(
            text.contains("      + c@x.org\n      - b@x.org\n"),
            "{text}"
        );
        let md = markdown(&p, &catalog);
        assert!(
            md.contains("+     recipients: c@x.org\n-     recipients: b@x.org\n"),
            "{md}"
        );
        assert!(!md.contains("a@x.org"), "{md}");
    }
}

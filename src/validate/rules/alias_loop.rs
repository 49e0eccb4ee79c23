//! `alias-loop`: aliases that include other aliases never include themselves.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::schema::RawRecipient;
use crate::validate::{Context, finding};
use std::collections::{BTreeMap, BTreeSet};

/// Depth-first search over `alias:` recipients; each cycle is reported once, at its smallest id.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    let edges: BTreeMap<&str, Vec<(&str, usize)>> = org
        .aliases
        .values()
        .map(|a| {
            let next = a
                .spec
                .recipients
                .iter()
                .enumerate()
                .filter_map(|(i, r)| match r {
                    RawRecipient::Alias(x) => Some((x.alias.as_str(), i)),
                    _ => None,
                })
                .collect();
            (a.id.as_str(), next)
        })
        .collect();
    let mut reported: BTreeSet<Vec<&str>> = BTreeSet::new();
    let mut finished: BTreeSet<&str> = BTreeSet::new();
    for start in edges.keys() {
        let mut stack: Vec<&str> = Vec::new();
        visit(start, &edges, &mut stack, &mut finished, &mut reported);
    }
    for cycle in reported {
        let first = cycle[0];
        let Some(a) = org.aliases.get(first) else {
            continue;
        };
        let next = cycle.get(1).copied().unwrap_or(first);
        let index = edges[first]
            .iter()
            .find(|(t, _)| *t == next)
            .map_or(0, |(_, i)| *i);
        let mut chain = cycle.join(" → ");
        chain.push_str(&format!(" → {first}"));
        out.push(
            finding(format!("aliases include each other in a loop: {chain}"))
                .at(a.file, format!("/recipients/{index}/alias"))
                .help("mail would circulate forever: remove one `alias:` recipient from the loop"),
        );
    }
}

fn visit<'a>(
    node: &'a str,
    edges: &BTreeMap<&'a str, Vec<(&'a str, usize)>>,
    stack: &mut Vec<&'a str>,
    finished: &mut BTreeSet<&'a str>,
    reported: &mut BTreeSet<Vec<&'a str>>,
) {
    if finished.contains(node) {
        return;
    }
    if let Some(pos) = stack.iter().position(|n| *n == node) {
        let mut cycle = stack[pos..].to_vec();
        let min_pos = cycle
            .iter()
            .enumerate()
            .min_by_key(|(_, n)| **n)
            .map_or(0, |(i, _)| i);
        cycle.rotate_left(min_pos);
        reported.insert(cycle);
        return;
    }
    stack.push(node);
    for (next, _) in edges.get(node).into_iter().flatten() {
        visit(next, edges, stack, finished, reported);
    }
    stack.pop();
    finished.insert(node);
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn three_alias_loop() {
        let d = check(
            "alias-loop",
            &[
                (
                    "aliases/a.yaml",
                    "address: a@example.org\nrecipients: [{alias: b}]\n",
                ),
                (
                    "aliases/b.yaml",
                    "address: b@example.org\nrecipients: [{alias: c}]\n",
                ),
                (
                    "aliases/c.yaml",
                    "address: c@example.org\nrecipients: [{alias: a}, {address: x@y.org}]\n",
                ),
                (
                    "aliases/d.yaml",
                    "address: d@example.org\nrecipients: [{alias: a}]\n",
                ),
            ],
        );
        assert_eq!(
            messages(&d),
            ["aliases include each other in a loop: a → b → c → a"]
        );
    }
}

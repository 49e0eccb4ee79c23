//! Drawing geometry for reports: the team hierarchy as a tidy tree (SVG) or a Mermaid flowchart,
//! and budget bars. Only numbers and ids are computed here; every label is escaped by the
//! templates (SVG) or sanitised for Mermaid. Pure.

use crate::budget::FundReport;
use crate::model::Org;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use std::collections::BTreeSet;

/// Width of a team box.
pub const NODE_W: f64 = 200.0;
/// Height of a team box.
pub const NODE_H: f64 = 38.0;
const GAP_X: f64 = 48.0;
const ROW: f64 = 48.0;
const MARGIN: f64 = 8.0;

/// The team hierarchy laid out left to right: depth is the column, leaves take consecutive rows
/// and a parent sits midway between its first and last child. Grows downwards only, so it stays
/// readable with hundreds of teams (the page scrolls).
#[derive(Debug, Clone, Serialize)]
pub struct Tree {
    /// SVG width.
    pub width: f64,
    /// SVG height.
    pub height: f64,
    /// Boxes.
    pub nodes: Vec<Node>,
    /// Parent → child connectors as SVG path data.
    pub edges: Vec<String>,
}

/// One team box.
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// Team id (link target).
    pub id: String,
    /// Name, shortened to fit; `title` has it in full.
    pub label: String,
    /// Full name.
    pub title: String,
    /// Second line: kind and member count.
    pub detail: String,
    /// Team kind (CSS class).
    pub kind: &'static str,
    /// Whether archived.
    pub archived: bool,
    /// Depth in the hierarchy (0 for top-level teams).
    pub depth: usize,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
}

/// Roots first (sorted), then children in id order; teams unreachable from a root (a parent
/// cycle, which `check` reports) are drawn as extra roots.
fn forest(org: &Org) -> Vec<(&str, usize)> {
    let mut order = Vec::new();
    let mut seen = BTreeSet::new();
    let roots = org.teams.values().filter(|t| {
        t.spec
            .parent
            .as_deref()
            .is_none_or(|p| !org.teams.contains_key(p))
    });
    let mut starts: Vec<&str> = roots.map(|t| t.id.as_str()).collect();
    starts.extend(org.teams.keys().map(String::as_str));
    for s in starts {
        if seen.contains(s) {
            continue;
        }
        let mut stack = vec![(s, 0usize)];
        while let Some((t, d)) = stack.pop() {
            if !seen.insert(t) {
                continue;
            }
            order.push((t, d));
            for c in org.children(t).iter().rev() {
                stack.push((c.as_str(), d + 1));
            }
        }
    }
    order
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Lays out every team of `org`; `members` gives a team's current member count.
pub fn tree(org: &Org, members: impl Fn(&str) -> usize) -> Tree {
    let order = forest(org);
    // Rows: a pre-order walk where a node with children takes the middle of its children's rows.
    let n = order.len();
    let mut y = vec![0.0; n];
    let mut next_row = 0.0;
    // Children of each visited node in the walk are the following entries with depth + 1 until
    // the depth drops back; compute bottom-up by scanning backwards.
    let mut child_rows: Vec<Vec<f64>> = vec![Vec::new(); n];
    let mut stack: Vec<usize> = Vec::new();
    let mut parent_of = vec![None; n];
    for (i, &(_, d)) in order.iter().enumerate() {
        while stack.last().is_some_and(|&p| order[p].1 >= d) {
            stack.pop();
        }
        parent_of[i] = stack.last().copied();
        stack.push(i);
    }
    let mut is_leaf = vec![true; n];
    for p in parent_of.iter().flatten() {
        is_leaf[*p] = false;
    }
    for i in 0..n {
        if is_leaf[i] {
            y[i] = next_row;
            next_row += 1.0;
        }
    }
    for i in (0..n).rev() {
        if !is_leaf[i] {
            let rows = &child_rows[i];
            let (lo, hi) = rows
                .iter()
                .fold((f64::MAX, f64::MIN), |(a, b), r| (a.min(*r), b.max(*r)));
            y[i] = (lo + hi) / 2.0;
        }
        if let Some(p) = parent_of[i] {
            let r = y[i];
            child_rows[p].push(r);
        }
    }
    let max_depth = order.iter().map(|(_, d)| *d).max().unwrap_or(0);
    let px = |d: usize| MARGIN + d as f64 * (NODE_W + GAP_X);
    let py = |row: f64| MARGIN + row * ROW;
    let mut nodes = Vec::with_capacity(n);
    let mut edges = Vec::new();
    for (i, &(id, d)) in order.iter().enumerate() {
        let Some(t) = org.teams.get(id) else { continue };
        let count = members(id);
        nodes.push(Node {
            id: id.to_string(),
            label: shorten(&t.spec.name, 26),
            title: t.spec.name.clone(),
            detail: format!(
                "{} · {count} member{}",
                t.spec.kind.as_str(),
                if count == 1 { "" } else { "s" }
            ),
            kind: t.spec.kind.as_str(),
            archived: t.spec.archived,
            depth: d,
            x: px(d),
            y: py(y[i]),
        });
        if let Some(p) = parent_of[i] {
            let (x1, y1) = (px(order[p].1) + NODE_W, py(y[p]) + NODE_H / 2.0);
            let (x2, y2) = (px(d), py(y[i]) + NODE_H / 2.0);
            let xm = (x1 + x2) / 2.0;
            edges.push(format!(
                "M{x1:.1} {y1:.1}C{xm:.1} {y1:.1} {xm:.1} {y2:.1} {x2:.1} {y2:.1}"
            ));
        }
    }
    Tree {
        width: px(max_depth) + NODE_W + MARGIN,
        height: MARGIN * 2.0 + (next_row.max(1.0) - 1.0) * ROW + NODE_H,
        nodes,
        edges,
    }
}

/// Characters Mermaid labels cannot carry literally, as Mermaid entity codes.
fn mermaid_label(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Mermaid nodes are capped so GitHub still renders the diagram; deeper levels are cut.
pub const MERMAID_MAX_NODES: usize = 150;

/// The hierarchy as a Mermaid flowchart (`flowchart LR`), and whether levels were cut.
pub fn mermaid(org: &Org) -> (String, bool) {
    let order = forest(org);
    let mut max_depth = order.iter().map(|(_, d)| *d).max().unwrap_or(0);
    while max_depth > 0 && order.iter().filter(|(_, d)| *d <= max_depth).count() > MERMAID_MAX_NODES
    {
        max_depth -= 1;
    }
    let cut = order.iter().any(|(_, d)| *d > max_depth);
    let shown: Vec<&(&str, usize)> = order
        .iter()
        .filter(|(_, d)| *d <= max_depth)
        .take(MERMAID_MAX_NODES)
        .collect();
    let index = |id: &str| shown.iter().position(|(t, _)| *t == id);
    let mut s = String::from("flowchart LR\n");
    for (i, (id, _)) in shown.iter().enumerate() {
        let name = org.teams.get(*id).map_or(*id, |t| t.spec.name.as_str());
        s.push_str(&format!("  n{i}[\"{}\"]\n", mermaid_label(name)));
    }
    for (i, (id, _)) in shown.iter().enumerate() {
        let parent = org.teams.get(*id).and_then(|t| t.spec.parent.as_deref());
        if let Some(p) = parent.and_then(index) {
            s.push_str(&format!("  n{p} --> n{i}\n"));
        }
    }
    (s, cut)
}

/// One bar of a fund's chart.
#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    /// Row label (team name or "whole fund").
    pub label: String,
    /// Team id, for a link (none for the fund row).
    pub team: Option<String>,
    /// Top edge.
    pub y: f64,
    /// Width of the whole allocation (the fund's total for the fund row), drawn as a track.
    pub track: f64,
    /// Width of the spent part (within the allocation).
    pub spent: f64,
    /// Width of the unspent part that does not expire soon.
    pub remaining: f64,
    /// Width of the unspent part expiring soon (highlighted).
    pub expiring: f64,
    /// Width of spending beyond the allocation (drawn in red).
    pub over: f64,
    /// Text after the bar.
    pub text: String,
}

/// A fund's bar chart.
#[derive(Debug, Clone, Serialize)]
pub struct Bars {
    /// SVG width.
    pub width: f64,
    /// SVG height.
    pub height: f64,
    /// Left edge of the bars.
    pub x: f64,
    /// Bar height.
    pub bar_h: f64,
    /// Rows.
    pub bars: Vec<Bar>,
}

/// Bars for `f`: one for the whole fund (spent / allocated but unspent / unallocated), then one
/// per team (spent / remaining / expiring soon / overspent), on one scale.
pub fn bars(f: &FundReport) -> Bars {
    const LABEL: f64 = 190.0;
    const AREA: f64 = 520.0;
    const TEXT: f64 = 330.0;
    const PITCH: f64 = 30.0;
    let num = |d: rust_decimal::Decimal| d.to_f64().unwrap_or(0.0).max(0.0);
    let mut max = num(f.total.0).max(num(f.allocated.0)).max(num(f.spent.0));
    for t in &f.teams {
        max = max.max(num(t.allocated.0)).max(num(t.spent.0));
    }
    let scale = if max > 0.0 { AREA / max } else { 0.0 };
    let w = |v: f64| (v * scale * 10.0).round() / 10.0;
    let c = &f.currency;
    let mut bars = vec![Bar {
        label: "whole fund".into(),
        team: None,
        y: 4.0,
        track: w(num(f.total.0)),
        spent: w(num(f.spent.0).min(num(f.total.0))),
        remaining: w((num(f.allocated.0) - num(f.spent.0))
            .max(0.0)
            .min(num(f.total.0))),
        expiring: 0.0,
        over: w((num(f.spent.0) - num(f.total.0)).max(0.0)),
        text: format!("{} of {} {c} spent", f.spent, f.total),
    }];
    for (i, t) in f.teams.iter().enumerate() {
        let alloc = num(t.allocated.0);
        let spent = num(t.spent.0);
        let unspent = (alloc - spent).max(0.0);
        let expiring = num(t.expiring_soon.0).min(unspent);
        bars.push(Bar {
            label: t.team_name.clone(),
            team: Some(t.team.clone()),
            y: 4.0 + (i + 1) as f64 * PITCH,
            track: w(alloc),
            spent: w(spent.min(alloc)),
            remaining: w(unspent - expiring),
            expiring: w(expiring),
            over: w((spent - alloc).max(0.0)),
            text: format!("{} of {} {c} left", t.remaining, t.allocated),
        });
    }
    Bars {
        width: LABEL + AREA + TEXT,
        height: 8.0 + bars.len() as f64 * PITCH,
        x: LABEL,
        bar_h: 20.0,
        bars,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testing::{org, today};

    #[test]
    fn parents_sit_between_their_children() {
        let o = org(&[
            ("teams/root.yaml", "name: Root\n"),
            ("teams/a.yaml", "name: A\nparent: root\n"),
            ("teams/b.yaml", "name: B \"<x>\"\nparent: root\n"),
            ("teams/c.yaml", "name: C\nparent: a\n"),
            ("teams/lone.yaml", "name: Lone\n"),
        ]);
        let t = tree(&o, |_| 1);
        let y = |id: &str| t.nodes.iter().find(|n| n.id == id).unwrap().y;
        let x = |id: &str| t.nodes.iter().find(|n| n.id == id).unwrap().x;
        assert_eq!(t.nodes.len(), 5);
        assert_eq!(t.edges.len(), 3);
        assert!(x("root") < x("a") && x("a") < x("c"));
        assert_eq!(y("a"), y("c"));
        assert_eq!(y("root"), (y("a") + y("b")) / 2.0);
        assert!(y("lone") < y("c"), "roots are in id order");
        let (m, cut) = mermaid(&o);
        assert!(!cut);
        assert!(m.contains("[\"B #quot;#lt;x#gt;#quot;\"]"), "{m}");
        assert_eq!(m.matches("-->").count(), 3);
    }

    #[test]
    fn mermaid_is_capped_for_large_orgs() {
        let mut files = vec![("teams/root.yaml".to_string(), "name: Root\n".to_string())];
        for i in 0..20 {
            files.push((format!("teams/m{i}.yaml"), "name: M\nparent: root\n".into()));
            for j in 0..10 {
                files.push((
                    format!("teams/l{i}-{j}.yaml"),
                    format!("name: L\nparent: m{i}\n"),
                ));
            }
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let o = org(&refs);
        let (m, cut) = mermaid(&o);
        assert!(cut);
        assert_eq!(m.matches("[\"").count(), 21);
        let t = tree(&o, |_| 0);
        assert_eq!(t.nodes.len(), 221);
        assert!(t.height > 200.0 * ROW);
        let _ = today();
    }
}

//! Budget reports: for every fund, allocated / spent / remaining per team and per purpose, what
//! expires soon, and over-commitment.
//!
//! Exact decimal arithmetic (`rust_decimal`), never floats, so every total is the sum of its
//! lines to the cent. Definitions, per fund: `allocated` = Σ allocations; `spent` = Σ expenses;
//! an allocation's `remaining` = amount − its expenses (negative when overspent); `unallocated`
//! = total − allocated; the fund's `remaining` = total − spent = unallocated + Σ remaining.
//! Pure; [`human`] and [`markdown`] render the report for the CLI. Stage: report.

use crate::model::{Budget, Org};
use crate::render::text::{markdown as md, markdown_code, terminal_safe};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How far ahead "expiring soon" looks.
pub const SOON_DAYS: i64 = 90;

/// An amount of money in a report: exact, possibly negative, shown with two decimals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(pub Decimal);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:.2}", self.0))
    }
}

impl std::fmt::Display for Amount {
    /// Two decimals with thousands separators: `-30,000.00`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plain = format!("{:.2}", self.0.abs());
        let (int, frac) = plain.split_once('.').unwrap_or((&plain, "00"));
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.0.is_sign_negative() && !self.0.is_zero() {
            "-"
        } else {
            ""
        };
        write!(f, "{sign}{grouped}.{frac}")
    }
}

/// Where an allocation stands on the report date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// No expiry, or not within [`SOON_DAYS`].
    Active,
    /// Expires within [`SOON_DAYS`] days (inclusive).
    ExpiringSoon,
    /// Expired before the report date.
    Expired,
}

/// One allocation (a purpose).
#[derive(Debug, Clone, Serialize)]
pub struct AllocationLine {
    /// Allocation id.
    pub id: String,
    /// Receiving team id.
    pub team: String,
    /// Receiving team's name (the id if the team is unknown).
    pub team_name: String,
    /// What for.
    pub purpose: String,
    /// Allocated.
    pub amount: Amount,
    /// Spent from it.
    pub spent: Amount,
    /// amount − spent (negative when overspent).
    pub remaining: Amount,
    /// spent − amount when positive, else zero.
    pub overspent: Amount,
    /// Expiry date.
    pub expires: Option<Date>,
    /// Status on the report date.
    pub status: Status,
    /// Number of expenses.
    pub expenses: usize,
}

/// One team's share of a fund.
#[derive(Debug, Clone, Serialize)]
pub struct TeamLine {
    /// Team id.
    pub team: String,
    /// Team name.
    pub team_name: String,
    /// Σ of its allocations.
    pub allocated: Amount,
    /// Σ spent from them.
    pub spent: Amount,
    /// allocated − spent.
    pub remaining: Amount,
    /// Money of this team that expires within [`SOON_DAYS`].
    pub expiring_soon: Amount,
}

/// One fund.
#[derive(Debug, Clone, Serialize)]
pub struct FundReport {
    /// Budget id (file stem).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Where the money comes from.
    pub source: Option<String>,
    /// ISO 4217 code.
    pub currency: String,
    /// Period start.
    pub start: Option<Date>,
    /// Period end.
    pub end: Option<Date>,
    /// Approving team id.
    pub approvers: String,
    /// The fund's total.
    pub total: Amount,
    /// Σ allocations.
    pub allocated: Amount,
    /// Σ expenses.
    pub spent: Amount,
    /// total − allocated (negative when over-allocated).
    pub unallocated: Amount,
    /// total − spent.
    pub remaining: Amount,
    /// allocated − total when positive.
    pub overallocated: Amount,
    /// Σ of the allocations' overspending.
    pub overspent: Amount,
    /// Expenses naming an allocation that does not exist (`check` reports them).
    pub unattributed: Amount,
    /// Per team, by team id.
    pub teams: Vec<TeamLine>,
    /// Per allocation, in file order.
    pub allocations: Vec<AllocationLine>,
    /// Ids of allocations expiring within [`SOON_DAYS`], soonest first.
    pub expiring: Vec<String>,
    /// Ids of expired allocations still holding unspent money.
    pub expired_holding: Vec<String>,
}

impl FundReport {
    /// Whether the fund is over-committed (over-allocated or an allocation overspent).
    pub fn overcommitted(&self) -> bool {
        self.overallocated.0 > Decimal::ZERO || self.overspent.0 > Decimal::ZERO
    }
}

/// The last day of the "expiring soon" window starting `today`.
pub fn soon_limit(today: Date) -> Date {
    today
        .checked_add(jiff::Span::new().days(SOON_DAYS))
        .unwrap_or(jiff::civil::Date::MAX)
}

/// The report of every fund, by budget id.
pub fn report(org: &Org, today: Date) -> Vec<FundReport> {
    org.budgets.values().map(|b| fund(org, b, today)).collect()
}

/// The report of one fund.
pub fn fund(org: &Org, b: &Budget, today: Date) -> FundReport {
    let spec = &b.spec;
    let soon = soon_limit(today);
    let mut spent_by: BTreeMap<&str, (Decimal, usize)> = BTreeMap::new();
    let mut unattributed = Decimal::ZERO;
    for e in &spec.expenses {
        if spec.allocations.iter().any(|a| a.id == e.allocation) {
            let s = spent_by.entry(&e.allocation).or_default();
            s.0 += e.amount.0;
            s.1 += 1;
        } else {
            unattributed += e.amount.0;
        }
    }
    let team_name = |id: &str| {
        org.teams
            .get(id)
            .map_or_else(|| id.to_string(), |t| t.spec.name.clone())
    };
    let mut allocations = Vec::new();
    let mut seen_ids: Vec<&str> = Vec::new();
    for a in &spec.allocations {
        // A duplicated id (`check` reports it) shares the expenses with its first occurrence only.
        let (spent, expenses) = if seen_ids.contains(&a.id.as_str()) {
            (Decimal::ZERO, 0)
        } else {
            spent_by.get(a.id.as_str()).copied().unwrap_or_default()
        };
        seen_ids.push(&a.id);
        let status = match a.expires {
            Some(d) if d < today => Status::Expired,
            Some(d) if d <= soon => Status::ExpiringSoon,
            _ => Status::Active,
        };
        let remaining = a.amount.0 - spent;
        allocations.push(AllocationLine {
            id: a.id.clone(),
            team: a.team.clone(),
            team_name: team_name(&a.team),
            purpose: a.purpose.clone(),
            amount: Amount(a.amount.0),
            spent: Amount(spent),
            remaining: Amount(remaining),
            overspent: Amount((-remaining).max(Decimal::ZERO)),
            expires: a.expires,
            status,
            expenses,
        });
    }
    let mut teams: BTreeMap<&str, TeamLine> = BTreeMap::new();
    for a in &allocations {
        let t = teams.entry(&a.team).or_insert_with(|| TeamLine {
            team: a.team.clone(),
            team_name: a.team_name.clone(),
            allocated: Amount::default(),
            spent: Amount::default(),
            remaining: Amount::default(),
            expiring_soon: Amount::default(),
        });
        t.allocated.0 += a.amount.0;
        t.spent.0 += a.spent.0;
        t.remaining.0 += a.remaining.0;
        if a.status == Status::ExpiringSoon {
            t.expiring_soon.0 += a.remaining.0.max(Decimal::ZERO);
        }
    }
    let allocated: Decimal = allocations.iter().map(|a| a.amount.0).sum();
    let spent_alloc: Decimal = allocations.iter().map(|a| a.spent.0).sum();
    let spent = spent_alloc + unattributed;
    let mut expiring: Vec<&AllocationLine> = allocations
        .iter()
        .filter(|a| a.status == Status::ExpiringSoon)
        .collect();
    expiring.sort_by_key(|a| (a.expires, a.id.clone()));
    FundReport {
        id: b.id.clone(),
        name: spec.name.clone(),
        source: spec.source.clone(),
        currency: spec.currency.clone(),
        start: spec.period.as_ref().map(|p| p.start),
        end: spec.period.as_ref().map(|p| p.end),
        approvers: spec.approvers.clone(),
        total: Amount(spec.total.0),
        allocated: Amount(allocated),
        spent: Amount(spent),
        unallocated: Amount(spec.total.0 - allocated),
        remaining: Amount(spec.total.0 - spent),
        overallocated: Amount((allocated - spec.total.0).max(Decimal::ZERO)),
        overspent: Amount(allocations.iter().map(|a| a.overspent.0).sum()),
        unattributed: Amount(unattributed),
        expiring: expiring.iter().map(|a| a.id.clone()).collect(),
        expired_holding: allocations
            .iter()
            .filter(|a| a.status == Status::Expired && a.remaining.0 > Decimal::ZERO)
            .map(|a| a.id.clone())
            .collect(),
        teams: teams.into_values().collect(),
        allocations,
    }
}

fn flag(s: Status) -> &'static str {
    match s {
        Status::ExpiringSoon => " (soon)",
        Status::Expired => " (expired)",
        Status::Active => "",
    }
}

fn date(d: Option<Date>) -> String {
    d.map_or_else(|| "-".to_string(), |d| d.to_string())
}

/// A plain-text table; `align` has one letter per column, `l` left or `r` right.
fn table(out: &mut String, indent: &str, rows: &[Vec<String>], align: &str) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in rows {
        let mut line = String::from(indent);
        for (c, cell) in r.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c > 0 {
                line.push_str("  ");
            }
            if align.as_bytes().get(c) != Some(&b'r') {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// The report for people, on `today`.
pub fn human(funds: &[FundReport], today: Date) -> String {
    let mut s = String::new();
    if funds.is_empty() {
        s.push_str("no budgets in the org\n");
    }
    for f in funds {
        let c = &f.currency;
        let period = match (f.start, f.end) {
            (Some(a), Some(b)) => format!(", {a} to {b}"),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "{} ({}): {c}{period}, approved by {}",
            f.name, f.id, f.approvers
        );
        if let Some(src) = &f.source {
            let _ = writeln!(s, "  source: {src}");
        }
        table(
            &mut s,
            "  ",
            &[
                vec!["total".into(), format!("{}", f.total), c.clone()],
                vec!["allocated".into(), format!("{}", f.allocated), c.clone()],
                vec![
                    "unallocated".into(),
                    format!("{}", f.unallocated),
                    c.clone(),
                ],
                vec!["spent".into(), format!("{}", f.spent), c.clone()],
                vec!["remaining".into(), format!("{}", f.remaining), c.clone()],
            ],
            "lrl",
        );
        s.push_str("\n  per team\n");
        let mut rows = vec![vec![
            "team".into(),
            "allocated".into(),
            "spent".into(),
            "remaining".into(),
            "expiring soon".into(),
        ]];
        for t in &f.teams {
            rows.push(vec![
                t.team.clone(),
                t.allocated.to_string(),
                t.spent.to_string(),
                t.remaining.to_string(),
                t.expiring_soon.to_string(),
            ]);
        }
        rows.push(vec![
            "total".into(),
            f.allocated.to_string(),
            Amount(f.spent.0 - f.unattributed.0).to_string(),
            Amount(f.allocated.0 - f.spent.0 + f.unattributed.0).to_string(),
            Amount(f.teams.iter().map(|t| t.expiring_soon.0).sum()).to_string(),
        ]);
        table(&mut s, "    ", &rows, "lrrrr");
        s.push_str("\n  per purpose\n");
        let mut rows = vec![vec![
            "allocation".into(),
            "team".into(),
            "purpose".into(),
            "allocated".into(),
            "spent".into(),
            "remaining".into(),
            "expires".into(),
        ]];
        for a in &f.allocations {
            rows.push(vec![
                a.id.clone(),
                a.team.clone(),
                a.purpose.clone(),
                a.amount.to_string(),
                a.spent.to_string(),
                a.remaining.to_string(),
                format!("{}{}", date(a.expires), flag(a.status)),
            ]);
        }
        table(&mut s, "    ", &rows, "lllrrrl");
        let _ = writeln!(
            s,
            "\n  expiring by {} ({SOON_DAYS} days):",
            soon_limit(today)
        );
        if f.expiring.is_empty() {
            s.push_str("    nothing\n");
        }
        for id in &f.expiring {
            if let Some(a) = f.allocations.iter().find(|a| &a.id == id) {
                let _ = writeln!(
                    s,
                    "    {} ({}) on {}: {} {c} unspent of {}",
                    a.id,
                    a.team,
                    date(a.expires),
                    Amount(a.remaining.0.max(Decimal::ZERO)),
                    a.amount
                );
            }
        }
        for id in &f.expired_holding {
            if let Some(a) = f.allocations.iter().find(|a| &a.id == id) {
                let _ = writeln!(
                    s,
                    "  expired on {} but still holding {} {c}: {} ({})",
                    date(a.expires),
                    a.remaining,
                    a.id,
                    a.team
                );
            }
        }
        s.push_str("  over-commitment: ");
        let mut over = Vec::new();
        if f.overallocated.0 > Decimal::ZERO {
            over.push(format!(
                "allocations exceed the total by {} {c}",
                f.overallocated
            ));
        }
        for a in f
            .allocations
            .iter()
            .filter(|a| a.overspent.0 > Decimal::ZERO)
        {
            over.push(format!("`{}` is overspent by {} {c}", a.id, a.overspent));
        }
        if f.unattributed.0 > Decimal::ZERO {
            over.push(format!(
                "{} {c} of expenses name no allocation",
                f.unattributed
            ));
        }
        if over.is_empty() {
            s.push_str("none\n");
        } else {
            s.push_str(&over.join("; "));
            s.push('\n');
        }
        s.push('\n');
    }
    terminal_safe(&s).into_owned()
}

/// The report as GitHub-flavoured Markdown, on `today`.
pub fn markdown(funds: &[FundReport], today: Date) -> String {
    let mut s = String::from("# Budgets\n\n");
    if funds.is_empty() {
        s.push_str("No budgets in the org.\n");
    }
    for f in funds {
        let c = md(&f.currency);
        let _ = writeln!(s, "## {} ({})\n", md(&f.name), md(&f.id));
        let period = match (f.start, f.end) {
            (Some(a), Some(b)) => format!("{a} to {b}"),
            _ => "no period".into(),
        };
        let _ = writeln!(
            s,
            "{c}, {period}, approved by {}.",
            markdown_code(&f.approvers)
        );
        if let Some(src) = &f.source {
            let _ = writeln!(s, "Source: {}.", md(src));
        }
        s.push_str("\n| | amount |\n|---|---:|\n");
        for (k, v) in [
            ("total", f.total),
            ("allocated", f.allocated),
            ("unallocated", f.unallocated),
            ("spent", f.spent),
            ("remaining", f.remaining),
        ] {
            let _ = writeln!(s, "| {k} | {v} {c} |");
        }
        s.push_str("\n### Per team\n\n| team | allocated | spent | remaining | expiring soon |\n|---|---:|---:|---:|---:|\n");
        for t in &f.teams {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                md(&t.team_name),
                t.allocated,
                t.spent,
                t.remaining,
                t.expiring_soon
            );
        }
        let _ = writeln!(
            s,
            "| **total** | {} | {} | {} | {} |",
            f.allocated,
            Amount(f.spent.0 - f.unattributed.0),
            Amount(f.allocated.0 - f.spent.0 + f.unattributed.0),
            Amount(f.teams.iter().map(|t| t.expiring_soon.0).sum())
        );
        s.push_str("\n### Per purpose\n\n| allocation | team | purpose | allocated | spent | remaining | expires |\n|---|---|---|---:|---:|---:|---|\n");
        for a in &f.allocations {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {}{} |",
                md(&a.id),
                md(&a.team_name),
                md(&a.purpose),
                a.amount,
                a.spent,
                a.remaining,
                date(a.expires),
                flag(a.status)
            );
        }
        let _ = writeln!(
            s,
            "\nExpiring by {} ({SOON_DAYS} days): {}.",
            soon_limit(today),
            if f.expiring.is_empty() {
                "nothing".to_string()
            } else {
                f.expiring
                    .iter()
                    .map(|i| md(i))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
        if !f.expired_holding.is_empty() {
            let _ = writeln!(
                s,
                "\nExpired but still holding money: {}.",
                f.expired_holding
                    .iter()
                    .map(|i| md(i))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if f.overcommitted() {
            let _ = writeln!(
                s,
                "\n**Over-committed:** allocations over the total by {} {c}; allocations overspent by {} {c}.",
                f.overallocated, f.overspent
            );
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testing::{org, today};

    const FUND: &str = "name: F\ncurrency: EUR\ntotal: \"100.00\"\napprovers: t\nallocations:\n  - {id: a, team: t, amount: \"33.33\", purpose: p, expires: 2026-12-31}\n  - {id: b, team: t, amount: \"33.33\", purpose: q}\n  - {id: c, team: u, amount: \"33.34\", purpose: r, expires: 2026-01-01}\n  - {id: d, team: u, amount: \"10.00\", purpose: s}\nexpenses:\n  - {allocation: a, date: 2026-01-01, amount: \"0.10\", description: x}\n  - {allocation: a, date: 2026-01-02, amount: \"0.20\", description: y}\n  - {allocation: b, date: 2026-01-02, amount: \"40.00\", description: z}\n  - {allocation: c, date: 2026-01-02, amount: \"1.01\", description: w}\n";

    #[test]
    fn totals_add_up_to_the_cent() {
        let o = org(&[("budgets/f.yaml", FUND)]);
        let f = &report(&o, today())[0];
        assert_eq!(f.allocated.to_string(), "110.00");
        assert_eq!(f.spent.to_string(), "41.31");
        assert_eq!(f.unallocated.to_string(), "-10.00");
        assert_eq!(f.remaining.to_string(), "58.69");
        assert_eq!(f.overallocated.to_string(), "10.00");
        assert_eq!(f.overspent.to_string(), "6.67");
        assert!(f.overcommitted());
        let a = &f.allocations[0];
        assert_eq!(
            (
                a.spent.to_string().as_str(),
                a.remaining.to_string().as_str()
            ),
            ("0.30", "33.03")
        );
        assert_eq!(a.status, Status::ExpiringSoon);
        assert_eq!(f.allocations[2].status, Status::Expired);
        assert_eq!(f.expiring, ["a"]);
        assert_eq!(f.expired_holding, ["c"]);
        // Invariants: teams sum to the fund; remaining = unallocated + Σ allocation remaining.
        let sum = |g: fn(&TeamLine) -> Decimal| f.teams.iter().map(g).sum::<Decimal>();
        assert_eq!(sum(|t| t.allocated.0), f.allocated.0);
        assert_eq!(sum(|t| t.spent.0), f.spent.0);
        assert_eq!(sum(|t| t.remaining.0), f.allocated.0 - f.spent.0);
        let rem: Decimal = f.allocations.iter().map(|a| a.remaining.0).sum();
        assert_eq!(f.remaining.0, f.unallocated.0 + rem);
        assert_eq!(f.teams[0].expiring_soon.to_string(), "33.03");
    }

    #[test]
    fn amounts_are_grouped_and_signed() {
        let a = |s: &str| Amount(s.parse().unwrap()).to_string();
        assert_eq!(a("1234567.5"), "1,234,567.50");
        assert_eq!(a("-1000"), "-1,000.00");
        assert_eq!(a("999.99"), "999.99");
        assert_eq!(a("0"), "0.00");
        assert_eq!(
            serde_json::to_string(&Amount("-0.5".parse().unwrap())).unwrap(),
            "\"-0.50\""
        );
    }

    #[test]
    fn markdown_escapes_text() {
        assert_eq!(md("<b>x</b> | *y*"), "&lt;b&gt;x&lt;/b&gt; &#124; \\*y\\*");
    }
}

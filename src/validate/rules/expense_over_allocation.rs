//! `expense-over-allocation`: the expenses paid from an allocation add up to no more than it.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::validate::{Context, finding};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Sums expenses per allocation, reporting at the expense that crosses the line.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    for b in org.budgets.values() {
        let limits: BTreeMap<&str, Decimal> = b
            .spec
            .allocations
            .iter()
            .map(|a| (a.id.as_str(), a.amount.0))
            .collect();
        let mut spent: BTreeMap<&str, Decimal> = BTreeMap::new();
        for (i, e) in b.spec.expenses.iter().enumerate() {
            let Some(limit) = limits.get(e.allocation.as_str()) else {
                continue;
            };
            let before = spent
                .get(e.allocation.as_str())
                .copied()
                .unwrap_or_default();
            let after = before + e.amount.0;
            spent.insert(&e.allocation, after);
            if after > *limit && before <= *limit {
                out.push(
                    finding(format!(
                        "expenses from allocation `{}` reach {after:.2} {c}, over its {limit:.2} {c}",
                        e.allocation,
                        c = b.spec.currency
                    ))
                    .at(b.file, format!("/expenses/{i}/amount"))
                    .label("this expense goes over")
                    .help("raise the allocation (approved by the approving team) or book the expense elsewhere"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn overspent() {
        let d = check(
            "expense-over-allocation",
            &[(
                "budgets/b.yaml",
                "name: B\ncurrency: EUR\ntotal: 100\napprovers: t\nallocations:\n  - {id: x, team: t, amount: 50, purpose: p}\nexpenses:\n  - {allocation: x, date: 2026-01-01, amount: \"30.00\", description: a}\n  - {allocation: x, date: 2026-02-01, amount: \"20.01\", description: b}\n  - {allocation: x, date: 2026-03-01, amount: 5, description: c}\n",
            )],
        );
        assert_eq!(
            messages(&d),
            ["expenses from allocation `x` reach 50.01 EUR, over its 50.00 EUR"]
        );
    }
}

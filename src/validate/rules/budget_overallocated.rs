//! `budget-overallocated`: a fund's allocations add up to no more than its total.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::validate::{Context, finding};
use rust_decimal::Decimal;

/// Sums allocations exactly (decimal, never float).
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    for b in org.budgets.values() {
        let allocated: Decimal = b.spec.allocations.iter().map(|a| a.amount.0).sum();
        let total = b.spec.total.0;
        if allocated > total {
            out.push(
                finding(format!(
                    "budget `{}` allocates {allocated:.2} {c} but the fund holds {total:.2} {c} (over by {over:.2})",
                    b.id,
                    c = b.spec.currency,
                    over = allocated - total
                ))
                .at(b.file, "/total")
                .help("reduce allocations, or raise `total:` if the fund really grew"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn over() {
        let d = check(
            "budget-overallocated",
            &[(
                "budgets/b.yaml",
                "name: B\ncurrency: EUR\ntotal: \"100.00\"\napprovers: t\nallocations:\n  - {id: x, team: t, amount: \"60.10\", purpose: p}\n  - {id: y, team: t, amount: \"40.00\", purpose: p}\n",
            )],
        );
        assert_eq!(
            messages(&d),
            ["budget `b` allocates 100.10 EUR but the fund holds 100.00 EUR (over by 0.10)"]
        );
    }
}

//! `allocation-expired`: an allocation past its expiry date holds no unspent money.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::validate::{Context, finding};
use rust_decimal::Decimal;

/// Warns about expired allocations with money left, naming the date and the amount.
pub fn check(org: &Org, ctx: &Context, out: &mut Vec<Diagnostic>) {
    for b in org.budgets.values() {
        for (i, a) in b.spec.allocations.iter().enumerate() {
            let Some(expires) = a.expires.filter(|e| *e < ctx.today) else {
                continue;
            };
            let spent: Decimal = b
                .spec
                .expenses
                .iter()
                .filter(|e| e.allocation == a.id)
                .map(|e| e.amount.0)
                .sum();
            let left = a.amount.0 - spent;
            if left > Decimal::ZERO {
                out.push(
                    finding(format!(
                        "allocation `{}` expired on {expires} with {left:.2} {} unspent",
                        a.id, b.spec.currency
                    ))
                    .at(b.file, format!("/allocations/{i}/expires"))
                    .help("lower `amount:` to what was spent (the rest returns to the fund), or extend `expires:` with the approvers' consent"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn expired_with_money_left() {
        let d = check(
            "allocation-expired",
            &[(
                "budgets/b.yaml",
                "name: B\ncurrency: EUR\ntotal: 100\napprovers: t\nallocations:\n  - {id: x, team: t, amount: 50, purpose: p, expires: 2026-06-30}\n  - {id: y, team: t, amount: 10, purpose: p, expires: 2026-06-30}\nexpenses:\n  - {allocation: y, date: 2026-01-01, amount: 10, description: a}\n",
            )],
        );
        assert_eq!(
            messages(&d),
            ["allocation `x` expired on 2026-06-30 with 50.00 EUR unspent"]
        );
    }
}

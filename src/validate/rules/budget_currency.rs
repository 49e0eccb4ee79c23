//! `budget-currency`: allocations and expenses that name a currency use the fund's currency.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::validate::{Context, finding};

/// Checks explicit currencies against the fund's.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    for b in org.budgets.values() {
        let fund = &b.spec.currency;
        let items = b
            .spec
            .allocations
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("/allocations/{i}/currency"), a.currency.as_ref()))
            .chain(
                b.spec
                    .expenses
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (format!("/expenses/{i}/currency"), e.currency.as_ref())),
            );
        for (pointer, currency) in items {
            if let Some(c) = currency.filter(|c| *c != fund) {
                out.push(
                    finding(format!("{c} in budget `{}`, whose fund is in {fund}", b.id))
                        .at(b.file, pointer)
                        .help(format!(
                            "record the amount converted to {fund}; one fund has one currency"
                        )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn mixed_currency() {
        let d = check(
            "budget-currency",
            &[(
                "budgets/b.yaml",
                "name: B\ncurrency: EUR\ntotal: 100\napprovers: t\nallocations:\n  - {id: x, team: t, amount: 50, purpose: p}\nexpenses:\n  - {allocation: x, date: 2026-01-01, amount: 3, description: a, currency: USD}\n",
            )],
        );
        assert_eq!(messages(&d), ["USD in budget `b`, whose fund is in EUR"]);
    }
}

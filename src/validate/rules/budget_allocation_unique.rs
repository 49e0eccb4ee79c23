//! `budget-allocation-unique`: allocation ids are unique within a budget.

use crate::diagnostic::{At, Diagnostic};
use crate::model::Org;
use crate::validate::{Context, finding};
use std::collections::BTreeMap;

/// Checks allocation ids per budget.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    for b in org.budgets.values() {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, a) in b.spec.allocations.iter().enumerate() {
            if let Some(first) = seen.get(a.id.as_str()) {
                out.push(
                    finding(format!(
                        "allocation id `{}` is used twice in budget `{}`",
                        a.id, b.id
                    ))
                    .at(b.file, format!("/allocations/{i}/id"))
                    .related(
                        b.file,
                        At::Value(format!("/allocations/{first}/id")),
                        "first used here",
                    )
                    .help("expenses refer to allocations by id: give each a unique one"),
                );
            } else {
                seen.insert(&a.id, i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn twice() {
        let d = check(
            "budget-allocation-unique",
            &[(
                "budgets/b.yaml",
                "name: B\ncurrency: EUR\ntotal: 100\napprovers: t\nallocations:\n  - {id: x, team: t, amount: 5, purpose: p}\n  - {id: x, team: t, amount: 5, purpose: q}\n",
            )],
        );
        assert_eq!(
            messages(&d),
            ["allocation id `x` is used twice in budget `b`"]
        );
    }
}

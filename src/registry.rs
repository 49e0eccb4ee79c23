//! The registry: what the command line composes from the core and the providers. Today, the
//! `check` rules: the core's (`validate::RULES`) and each provider's (`email::rules::RULES`),
//! one sorted list for `check`, `--skip` and `orgctl rules`. Part of the shell: the core never
//! names a provider, the registry names them all.

use crate::validate::Rule;

/// Every rule, the core's and the providers', sorted by name.
pub fn rules() -> Vec<&'static Rule> {
    let mut all: Vec<&'static Rule> = crate::validate::RULES
        .iter()
        .chain(crate::email::rules::RULES)
        .collect();
    all.sort_by_key(|r| r.name);
    all
}

#[cfg(test)]
mod tests {
    #[test]
    fn rule_names_are_unique_across_core_and_providers() {
        let all = super::rules();
        for w in all.windows(2) {
            assert!(w[0].name < w[1].name, "{} / {}", w[0].name, w[1].name);
        }
        assert!(all.iter().any(|r| r.name == "email-backend"));
        assert!(all.iter().any(|r| r.name == "team-slug"));
        assert_eq!(
            all.len(),
            crate::validate::RULES.len() + crate::email::rules::RULES.len()
        );
    }
}

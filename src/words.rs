//! Words for output: a count with its noun in the right number. A leaf module, so the core
//! (plans' notes) and the renderers share it without depending on each other.

/// `1 change`, `2 changes`: a count with its noun in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_agree_in_number() {
        assert_eq!(super::count(1, "change", "changes"), "1 change");
        assert_eq!(super::count(0, "change", "changes"), "0 changes");
        assert_eq!(super::count(2, "person", "people"), "2 people");
    }
}

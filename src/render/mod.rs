//! Rendering results for people and machines: diagnostics (human, JSON, GitHub annotations),
//! plans and org diffs; `text` makes untrusted text safe for a terminal or for Markdown.
//!
//! Renderers take resolved data and return strings; the CLI decides where they go.

pub mod diagnostics;
pub mod diff;
pub mod plan;
pub mod text;

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

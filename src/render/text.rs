//! Untrusted text made safe for where it is shown: a terminal ([`terminal_safe`]) or GitHub
//! Markdown ([`markdown`]). Every human renderer and every Markdown renderer goes through these
//! two functions; nothing else escapes text.
//!
//! Names, descriptions, budget sources, logins and server messages come from files a pull request
//! can change or from servers orgctl does not control. Raw in a terminal, an `ESC` sequence can
//! clear the screen, rewrite earlier lines or hide a link (OSC 8), and a bidirectional override
//! (U+202E) can reorder what a reviewer reads. In a GitHub comment, `@name` pings people and raw
//! HTML or links change what is shown.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is: C0 controls other than newline and tab
/// (ESC, carriage return, backspace, BEL...), DEL, C1 controls (U+0080–U+009F, including the
/// 8-bit CSI and OSC), and the Unicode bidirectional controls and line separators that reorder
/// or break what is shown.
fn is_unsafe(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        c if c.is_control() => true,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

/// The visible form of an unsafe character: `\u{1b}`.
fn visible(c: char) -> String {
    format!("\\u{{{:x}}}", u32::from(c))
}

/// Text safe to print on a terminal: every control character other than newline and tab, and
/// every bidirectional control, is shown visibly as `\u{1b}` instead of acting on the terminal.
/// Borrowed when there is nothing to escape (the common case).
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.push_str(&visible(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A text made [`terminal_safe`] together with where its bytes moved, so byte spans into the
/// original (a diagnostic's label) can be carried over to the escaped text.
#[derive(Debug, Clone)]
pub struct SafeSource {
    /// The escaped text.
    pub text: String,
    /// (original byte offset of an escaped character, bytes added by escaping it).
    shifts: Vec<(usize, usize)>,
}

impl SafeSource {
    /// Escapes `s` as [`terminal_safe`] does, remembering where bytes moved.
    pub fn new(s: &str) -> Self {
        let mut text = String::with_capacity(s.len());
        let mut shifts = Vec::new();
        for (i, c) in s.char_indices() {
            if is_unsafe(c) {
                let v = visible(c);
                shifts.push((i, v.len() - c.len_utf8()));
                text.push_str(&v);
            } else {
                text.push(c);
            }
        }
        SafeSource { text, shifts }
    }

    /// The offset in the escaped text of byte `offset` of the original.
    pub fn offset(&self, offset: usize) -> usize {
        let before = self.shifts.partition_point(|(at, _)| *at < offset);
        offset + self.shifts[..before].iter().map(|(_, n)| n).sum::<usize>()
    }
}

/// Escapes text for GitHub-flavoured Markdown (a PR comment, a table cell, a report page): no
/// markup, no raw HTML, no line breaks, and `@` / `#` neutralised so the output never pings a
/// person or team (`@user`, `@org/team`) nor links an issue (`@` inside an address such as
/// `a@b.example` is left alone: GitHub does not read a mention there). Control characters are shown as
/// [`terminal_safe`] shows them. Safe both in Markdown text and inside an HTML block
/// (`<summary>`), where entities are decoded too.
pub fn markdown(s: &str) -> String {
    fn push(out: &mut String, ch: char) {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '#' => out.push_str("&#35;"),
            '`' => out.push_str("&#96;"),
            '|' => out.push_str("&#124;"),
            '*' | '_' | '[' | ']' | '\\' | '~' | '!' | '{' | '}' | '(' | ')' => {
                out.push('\\');
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut prev = ' ';
    for ch in s.chars() {
        let after = std::mem::replace(&mut prev, ch);
        match ch {
            // GitHub reads a mention only after a non-word character: `a@b.example` is an
            // address and stays as it is; elsewhere a zero-width space after `@` breaks it.
            '@' if !after.is_ascii_alphanumeric() => out.push_str("@\u{200b}"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_unsafe(c) => {
                for v in visible(c).chars() {
                    push(&mut out, v);
                }
            }
            c => push(&mut out, c),
        }
    }
    out
}

/// One line inside a fenced code block (a plan's ```` ```diff ```` section): mentions do not
/// fire there, but a fence or an HTML close tag (`</details>`) could break out, so backticks
/// become `'`, `<` becomes `‹`, line breaks spaces, and control characters are shown as
/// [`terminal_safe`] shows them.
pub fn markdown_code_block(s: &str) -> String {
    terminal_safe(s)
        .replace('`', "'")
        .replace('<', "‹")
        .replace('\n', " ")
}

/// A Markdown code span that no content can break out of (mentions do not fire inside one): the
/// fence is longer than any backtick run inside, `|` is escaped for tables, line breaks become
/// spaces and control characters are shown as [`terminal_safe`] shows them.
pub fn markdown_code(s: &str) -> String {
    let text: String = terminal_safe(s)
        .chars()
        .map(|c| if matches!(c, '\n' | '\t') { ' ' } else { c })
        .collect();
    let text = text.replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::{SafeSource, markdown, markdown_code, terminal_safe};

    /// Hostile text: a screen clear, an OSC 8 hyperlink, a carriage return, 8-bit CSI, a bidi
    /// override, BEL and DEL.
    const HOSTILE: &str =
        "a\x1b[2Jb \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 c\rd \u{9b}31m e\u{202e}f\x7f";

    #[test]
    fn terminal_safe_leaves_no_control_character() {
        let s = terminal_safe(HOSTILE);
        assert!(
            !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{s:?}"
        );
        assert!(!s.contains('\u{202e}'));
        assert!(s.starts_with("a\\u{1b}[2Jb"), "{s}");
        assert!(s.contains("\\u{202e}"));
        // Newlines and tabs stay, plain text is not copied.
        assert!(matches!(
            terminal_safe("x\ny\tz é"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn code_spans_hold() {
        assert_eq!(markdown_code("a``b"), "```a``b```");
        assert_eq!(markdown_code("`x|\ny\x1b"), "`` `x\\| y\\u{1b} ``");
    }

    #[test]
    fn spans_follow_the_escapes() {
        let src = SafeSource::new("a\x1bbc");
        assert_eq!(src.text, "a\\u{1b}bc");
        assert_eq!(src.offset(0), 0);
        assert_eq!(src.offset(1), 1);
        assert_eq!(src.offset(2), 7);
        assert_eq!(&src.text[src.offset(2)..src.offset(4)], "bc");
    }

    #[test]
    fn markdown_never_pings_or_injects() {
        let e = markdown("@nixos/security <script>alert(1)</script> #123 [x](javascript:y) @alice");
        assert!(!e.contains("@n"));
        assert!(!e.contains("@a"));
        assert_eq!(
            markdown("a@b.example x.@y (@z"),
            "a@b.example x.@\u{200b}y \\(@\u{200b}z"
        );
        assert!(!e.contains('<'));
        assert!(!e.contains("#1"));
        assert!(!e.contains("[x]("));
        let e = markdown(HOSTILE);
        assert!(!e.chars().any(char::is_control), "{e:?}");
        assert!(!e.contains('\u{202e}'));
        assert_eq!(
            markdown("<b>x</b> | *y*\nz"),
            "&lt;b&gt;x&lt;/b&gt; &#124; \\*y\\* z"
        );
    }
}

//! The hashes orgctl writes beside the aliases it manages (see the module doc of `email`).
//!
//! Pure. All digests are SHA-256 in lowercase hex; per-entry and per-secret digests are truncated
//! to 16 hex digits (64 bits: enough to notice an edit, and they are not a security boundary, the
//! server's copy holds the addresses in clear anyway).

use sha2::{Digest, Sha256};

/// Full SHA-256 of `text`, lowercase hex.
pub fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// The first 16 hex digits of the SHA-256 of `text`.
pub fn short(text: &str) -> String {
    let mut h = sha256_hex(text);
    h.truncate(16);
    h
}

/// Identifies the resolved address of `person` in alias `alias` without revealing it: the
/// address, salted with the alias and the person so equal addresses do not look equal across
/// aliases. Plan matches observed addresses against it to show them as `person <redacted>`.
pub fn secret(alias: &str, person: &str, address: &str) -> String {
    short(&format!(
        "orgctl-secret-v1\0{}\0{person}\0{}",
        alias.to_lowercase(),
        address.to_lowercase()
    ))
}

/// The short digest shown for an observed address the org files do not know.
pub fn unlisted(address: &str) -> String {
    let mut h = sha256_hex(&format!("orgctl-unlisted-v1\0{}", address.to_lowercase()));
    h.truncate(8);
    h
}

/// Escapes a secret reference for a space-separated marker (`%`, whitespace, `,`, `=`, `:`
/// after the kind are percent-encoded).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' | ',' | '=' | '"' | '\'' | '(' | ')' => out.push_str(&format!("%{:02X}", c as u32)),
            c if c.is_whitespace() || c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Reverses [`escape`]; `None` on a malformed escape.
pub fn unescape(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let h = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_round_trip() {
        for s in [
            "env:ORGCTL_EMAIL_X",
            "file:/run/my secrets/a,b=c%d",
            "file:ü (x)",
        ] {
            let e = escape(s);
            assert!(!e.contains([' ', ',', '=', '(']), "{e}");
            assert_eq!(unescape(&e).as_deref(), Some(s));
        }
        assert_eq!(unescape("%zz"), None);
    }

    #[test]
    fn digests_are_stable_and_salted() {
        assert_eq!(
            sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(secret("a@x.org", "p", "m@y.org").len(), 16);
        assert_ne!(
            secret("a@x.org", "p", "m@y.org"),
            secret("b@x.org", "p", "m@y.org")
        );
        assert_eq!(
            secret("A@x.org", "p", "M@y.org"),
            secret("a@x.org", "p", "m@y.org")
        );
    }
}

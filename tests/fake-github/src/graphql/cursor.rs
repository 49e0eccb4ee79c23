//! Opaque connection cursors: base64 of `cursor:v2:<position>`, like GitHub's
//! cursors look (clients must not interpret them).

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Cursor pointing at position `index` of a connection.
pub fn encode(index: usize) -> String {
    base64(format!("cursor:v2:{index}").as_bytes())
}

/// Position a cursor points at, `None` for a malformed cursor.
pub fn decode(cursor: &str) -> Option<usize> {
    let bytes = unbase64(cursor)?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("cursor:v2:")?.parse().ok()
}

fn base64(input: &[u8]) -> String {
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unbase64(input: &str) -> Option<Vec<u8>> {
    let digits: Vec<u32> = input
        .trim_end_matches('=')
        .bytes()
        .map(|c| ALPHABET.iter().position(|a| *a == c).map(|p| p as u32))
        .collect::<Option<_>>()?;
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (i, d) in chunk.iter().enumerate() {
            n |= d << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for i in [0, 1, 99, 100, 12345] {
            assert_eq!(decode(&encode(i)), Some(i));
        }
        assert_eq!(base64(b"cursor:v2:1"), "Y3Vyc29yOnYyOjE=");
        assert_eq!(decode("nonsense!"), None);
        assert_eq!(decode("Zm9v"), None);
    }
}

//! The private-recipient words both backends write in their markers (a Postfix
//! `# orgctl-alias` line, a Mailgun route's description): `secret=<person>:<reference>:<digest>`,
//! and attributing an observed address back to the person whose digest it matches (see the
//! `email` module doc). Pure.

use super::digest;
use super::expand::Recipient;

/// One private recipient of a marker: (person, reference, digest of the resolved address).
pub(crate) type SecretMark = (String, String, String);

/// Appends ` secret=<person>:<reference>:<digest>` to `marker` for each private recipient of
/// alias `alias` among `recipients` (recipient, resolved address), in order.
pub(crate) fn push_secrets(marker: &mut String, alias: &str, recipients: &[(&Recipient, &str)]) {
    for (r, real) in recipients {
        if let Recipient::Secret { person, reference } = r {
            marker.push_str(&format!(
                " secret={person}:{}:{}",
                digest::escape(reference),
                digest::secret(alias, person, real)
            ));
        }
    }
}

/// Reads one `secret=<person>:<reference>:<digest>` word; `None` when it is not one.
pub(crate) fn parse_secret(word: &str) -> Option<SecretMark> {
    let s = word.strip_prefix("secret=")?;
    let (person, rest) = s.split_once(':')?;
    let (reference, d) = rest.rsplit_once(':')?;
    Some((
        person.to_string(),
        digest::unescape(reference)?,
        d.to_string(),
    ))
}

/// An observed address of alias `alias`: a secret's when one of `secrets` has its digest,
/// else public.
pub(crate) fn attribute(alias: &str, address: &str, secrets: &[SecretMark]) -> Recipient {
    for (person, reference, d) in secrets {
        if *d == digest::secret(alias, person, address) {
            return Recipient::Secret {
                person: person.clone(),
                reference: reference.clone(),
            };
        }
    }
    Recipient::Public(address.to_string())
}

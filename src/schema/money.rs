//! `Money`: a decimal amount as written in a budget file. Never a float.

use rust_decimal::Decimal;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::str::FromStr;

/// A non-negative amount of money with at most two decimal places, kept as an exact decimal.
///
/// Written as a quoted decimal string (`"1250.50"`) or a whole number (`1250`). An unquoted
/// fraction (`1250.50`) is rejected by the schema because YAML reads it as a binary float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub Decimal);

/// The pattern of a money string.
pub const MONEY_PATTERN: &str = r"^[0-9]{1,12}(\.[0-9]{1,2})?$";

impl FromStr for Money {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let valid = {
            let (int, frac) = t.split_once('.').unwrap_or((t, ""));
            !int.is_empty()
                && int.len() <= 12
                && int.bytes().all(|b| b.is_ascii_digit())
                && (!t.contains('.') || (1..=2).contains(&frac.len()))
                && frac.bytes().all(|b| b.is_ascii_digit())
        };
        if !valid {
            return Err(format!(
                "`{s}` is not an amount of money: write digits with at most two decimals, like \"1250.50\""
            ));
        }
        Decimal::from_str(t).map(Money).map_err(|e| e.to_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Money;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a decimal string like \"1250.50\" or a whole number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
                Ok(Money(Decimal::from(v)))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
                if v < 0 {
                    return Err(E::custom("amounts of money are never negative"));
                }
                Ok(Money(Decimal::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Money, E> {
                Err(E::custom(format!(
                    "{v} is a binary float: quote amounts of money, like \"{v:.2}\""
                )))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2}", self.0)
    }
}

impl JsonSchema for Money {
    fn schema_name() -> Cow<'static, str> {
        "Money".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "An amount of money: a quoted decimal string with at most two decimals (\"1250.50\") or a whole number. Never an unquoted fraction, which YAML reads as a float.",
            "anyOf": [
                { "type": "string", "pattern": MONEY_PATTERN },
                { "type": "integer", "minimum": 0 }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_decimals() {
        assert_eq!("1250.50".parse::<Money>().unwrap().to_string(), "1250.50");
        assert_eq!("7".parse::<Money>().unwrap().to_string(), "7.00");
        assert!("1.234".parse::<Money>().is_err());
        assert!("-1".parse::<Money>().is_err());
        assert!("1e3".parse::<Money>().is_err());
        assert!("".parse::<Money>().is_err());
    }

    #[test]
    fn sums_to_the_cent() {
        let a: Money = "0.10".parse().unwrap();
        let b: Money = "0.20".parse().unwrap();
        assert_eq!((a.0 + b.0).to_string(), "0.30");
    }
}

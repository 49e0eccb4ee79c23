//! Resources: a provider's attributes for one address, as plain JSON values in the provider's
//! order, plus identifiers people do not review.
//!
//! Display is generic, so what a reviewer sees is what the plan holds: `null` prints
//! `(none)`, a string itself, a list its items joined with `, `. A provider that wants a field
//! shown only sometimes leaves it out (an org member's `state` exists only while invited).

use schemars::JsonSchema;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// The state of one resource, as desired or as observed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// The reviewed attributes, in the provider's order (shown by `plan`).
    pub attributes: Attributes,
    /// Identifiers the provider keeps with the resource that people do not review (GitHub's
    /// numeric user id). Compared and covered by the digest like the attributes; not shown in
    /// plans (a refused saved plan's message names them). A name given twice is refused.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique_ids"
    )]
    pub ids: BTreeMap<String, Value>,
}

/// Named attribute values, in order; a JSON object in the plan document (names unique). Two
/// are equal when they hold the same values by name, whatever the order (the order is for
/// display; a plan file written by another JSON tool may have sorted them).
#[derive(Debug, Clone, Default)]
pub struct Attributes(Vec<(String, Value)>);

impl PartialEq for Attributes {
    fn eq(&self, other: &Attributes) -> bool {
        // Names are unique (deserialisation refuses repeats, `Resource::with` replaces).
        let theirs: std::collections::HashMap<&str, &Value> =
            other.0.iter().map(|(n, v)| (n.as_str(), v)).collect();
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .all(|(n, v)| theirs.get(n.as_str()) == Some(&v))
    }
}

impl Eq for Attributes {}

impl Resource {
    /// A resource with no attributes yet.
    pub fn new() -> Resource {
        Resource::default()
    }

    /// Adds (or replaces) attribute `name`; values that do not serialise become `null`.
    #[must_use]
    pub fn with<T: Serialize>(mut self, name: &str, value: T) -> Resource {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        match self.attributes.0.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.attributes.0.push((name.to_string(), value)),
        }
        self
    }

    /// Adds (or replaces) identifier `name`.
    #[must_use]
    pub fn with_id<T: Serialize>(mut self, name: &str, value: T) -> Resource {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.ids.insert(name.to_string(), value);
        self
    }

    /// The value of attribute `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.attributes
            .0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Attribute `name` as a `T`, when present and of that type.
    pub fn get_as<T: serde::de::DeserializeOwned>(&self, name: &str) -> Option<T> {
        self.get(name)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }

    /// Identifier `name` as a `T`, when present and of that type.
    pub fn id_as<T: serde::de::DeserializeOwned>(&self, name: &str) -> Option<T> {
        self.ids
            .get(name)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }

    /// The attributes in order.
    pub fn attributes(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.attributes.0.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// `(field, value)` pairs for display and field-level diffs.
    pub fn fields(&self) -> Vec<(String, String)> {
        self.attributes()
            .map(|(n, v)| (n.to_string(), display(v)))
            .collect()
    }
}

/// A value as people read it: `null` is `(none)`, a string itself, a list its items joined
/// with `, `, anything else its JSON.
pub fn display(value: &Value) -> String {
    match value {
        Value::Null => "(none)".to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(display).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (n, v) in &self.0 {
            map.serialize_entry(n, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Ordered;
        impl<'de> Visitor<'de> for Ordered {
            type Value = Attributes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of attribute values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attributes, A::Error> {
                let mut out: Vec<(String, Value)> = Vec::new();
                let mut seen = std::collections::HashSet::new();
                while let Some((name, value)) = map.next_entry::<String, Value>()? {
                    if !seen.insert(name.clone()) {
                        return Err(de::Error::custom(format!(
                            "attribute `{name}` is given twice"
                        )));
                    }
                    out.push((name, value));
                }
                Ok(Attributes(out))
            }
        }
        deserializer.deserialize_map(Ordered)
    }
}

/// `ids` as a map whose names are unique (serde's own map keeps the last of two silently).
fn unique_ids<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Value>, D::Error> {
    struct Ids;
    impl<'de> Visitor<'de> for Ids {
        type Value = BTreeMap<String, Value>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of ids")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((name, value)) = map.next_entry::<String, Value>()? {
                if out.insert(name.clone(), value).is_some() {
                    return Err(de::Error::custom(format!("id `{name}` is given twice")));
                }
            }
            Ok(out)
        }
    }
    d.deserialize_map(Ids)
}

impl JsonSchema for Attributes {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Attributes".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <BTreeMap<String, Value>>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_keep_their_order_through_json() {
        let r = Resource::new()
            .with("name", "Infra")
            .with("description", None::<String>)
            .with("privacy", "closed")
            .with_id("user_id", 7);
        let json = serde_json::to_string(&r).expect("json");
        assert_eq!(
            json,
            r#"{"attributes":{"name":"Infra","description":null,"privacy":"closed"},"ids":{"user_id":7}}"#
        );
        let back: Resource = serde_json::from_str(&json).expect("back");
        assert_eq!(back, r);
        assert_eq!(
            back.fields(),
            [
                ("name".to_string(), "Infra".to_string()),
                ("description".to_string(), "(none)".to_string()),
                ("privacy".to_string(), "closed".to_string()),
            ]
        );
        assert_eq!(back.id_as::<u64>("user_id"), Some(7));
    }

    #[test]
    fn equality_ignores_the_order() {
        let a = Resource::new().with("name", "x").with("privacy", "closed");
        let b = Resource::new().with("privacy", "closed").with("name", "x");
        assert_eq!(a, b);
        assert_ne!(a, Resource::new().with("name", "x"));
        assert_ne!(a, b.with("name", "y"));
    }

    #[test]
    fn a_repeated_attribute_is_refused() {
        let twice = r#"{"attributes":{"role":"member","role":"maintainer"}}"#;
        let err = serde_json::from_str::<Resource>(twice).expect_err("refused");
        assert!(err.to_string().contains("`role` is given twice"), "{err}");
    }

    #[test]
    fn a_repeated_id_is_refused() {
        let twice = r#"{"attributes":{},"ids":{"user_id":1,"user_id":2}}"#;
        let err = serde_json::from_str::<Resource>(twice).expect_err("refused");
        assert!(
            err.to_string().contains("`user_id` is given twice"),
            "{err}"
        );
    }

    #[test]
    fn lists_print_as_their_items() {
        let r = Resource::new().with("recipients", ["a <redacted>", "b@x.org"]);
        assert_eq!(r.fields()[0].1, "a <redacted>, b@x.org");
    }
}

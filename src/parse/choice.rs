//! Closed sets in the schemas: the fields that take one of a fixed list of values (team kind,
//! privacy, permission, `to:`, a backend's `kind`) and the mappings that take one of a fixed
//! list of forms (a recipient is `person:`, `team:`, `alias:` or `address:`).
//!
//! schemars writes a Rust enum as an `enum` of strings, or as a `oneOf` of string `const`s (each
//! with its description), an internally tagged enum as a `oneOf` of objects sharing a tag
//! property, and an untagged enum of structs as an `anyOf` of objects each with its own required
//! key. Whatever the shape, a wrong value gets the same diagnostic: what the field is, every
//! allowed value, and the closest one when it looks like a typo. Pure.

use serde_json::Value;

/// A field's closed set of values, read from the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedSet {
    /// What the field is, from the schema's description (`what kind of group a team is`).
    pub what: Option<String>,
    /// The allowed values, in the schema's order.
    pub values: Vec<String>,
}

impl ClosedSet {
    /// The allowed value closest to `given` (case-insensitively equal, or a small edit away).
    pub fn closest(&self, given: &str) -> Option<&str> {
        let lower = given.to_lowercase();
        if let Some(v) = self.values.iter().find(|v| v.to_lowercase() == lower) {
            return Some(v);
        }
        self.values
            .iter()
            .map(|v| (super::edit_distance(&lower, v), v))
            .filter(|(d, v)| *d <= 2.max(v.len() / 3) && *d < v.len())
            .min_by_key(|(d, _)| *d)
            .map(|(_, v)| v.as_str())
    }

    /// The help line: the allowed values, and the closest one to `given` if any.
    pub fn help(&self, given: &str) -> String {
        let list = self.values.join(", ");
        match self.closest(given) {
            Some(v) => format!("did you mean `{v}`? allowed values: {list}"),
            None => format!("allowed values: {list}"),
        }
    }
}

/// The schema node at a validation error's schema path (`/properties/kind/$ref/oneOf`),
/// following `$ref`s; `None` if the path leaves the schema.
pub fn node_at<'a>(root: &'a Value, schema_path: &str) -> Option<&'a Value> {
    let mut node = root;
    for seg in schema_path.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        node = if seg == "$ref" {
            resolve(root, node)
        } else {
            node.get(seg.as_str())
                .or_else(|| seg.parse::<usize>().ok().and_then(|i| node.get(i)))?
        };
    }
    Some(node)
}

/// `node`, or the definition its local `$ref` points at.
pub fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    node.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|target| root.pointer(target))
        .unwrap_or(node)
}

/// The closed set of strings `node` accepts: an `enum` of strings, a string `const`, or a
/// `oneOf`/`anyOf` whose every branch is one of those. `None` for anything open.
pub fn closed_set(root: &Value, node: &Value) -> Option<ClosedSet> {
    let node = resolve(root, node);
    let values = values_of(root, node)?;
    // An optional field says what it is through its type, as a required one does.
    let what = optional_inner(root, node)
        .and_then(description)
        .or_else(|| description(node));
    Some(ClosedSet { what, values })
}

/// The one non-null branch of an optional field's `anyOf: [T, {"type": "null"}]`.
fn optional_inner<'a>(root: &'a Value, node: &'a Value) -> Option<&'a Value> {
    let branches = node.get("anyOf").and_then(Value::as_array)?;
    let is_null = |b: &Value| resolve(root, b).get("type").and_then(Value::as_str) == Some("null");
    match branches.as_slice() {
        [a, b] if is_null(b) => Some(resolve(root, a)),
        [a, b] if is_null(a) => Some(resolve(root, b)),
        _ => None,
    }
}

fn values_of(root: &Value, node: &Value) -> Option<Vec<String>> {
    let node = resolve(root, node);
    if let Some(list) = node.get("enum").and_then(Value::as_array) {
        return list
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect();
    }
    if let Some(c) = node.get("const") {
        return c.as_str().map(|s| vec![s.to_string()]);
    }
    let branches = node
        .get("oneOf")
        .or_else(|| node.get("anyOf"))
        .and_then(Value::as_array)?;
    let mut out = Vec::new();
    for b in branches {
        // An optional field (`Option<T>`) is `anyOf: [T, {"type": "null"}]`: null is "not
        // given", not a value to offer.
        if resolve(root, b).get("type").and_then(Value::as_str) == Some("null") {
            continue;
        }
        out.extend(values_of(root, b)?);
    }
    (!out.is_empty()).then_some(out)
}

/// For a `oneOf`/`anyOf` of objects told apart by one property (a tag such as a backend's
/// `kind`), that property's name and the closed set of its values, branch by branch.
pub fn tag_of(root: &Value, node: &Value) -> Option<(String, ClosedSet, Vec<Vec<String>>)> {
    let node = resolve(root, node);
    let branches: Vec<&Value> = node
        .get("oneOf")
        .or_else(|| node.get("anyOf"))
        .and_then(Value::as_array)?
        .iter()
        .map(|b| resolve(root, b))
        .collect();
    let first = branches.first()?.get("properties")?.as_object()?;
    'candidates: for key in first.keys() {
        let mut per_branch = Vec::new();
        for b in &branches {
            let prop = b.get("properties").and_then(|p| p.get(key));
            let required = b
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|k| k.as_str() == Some(key)));
            match prop.and_then(|p| values_of(root, p)) {
                Some(v) if required => per_branch.push(v),
                _ => continue 'candidates,
            }
        }
        let values: Vec<String> = per_branch.iter().flatten().cloned().collect();
        let set = ClosedSet {
            what: description(node),
            values,
        };
        return Some((key.clone(), set, per_branch));
    }
    None
}

/// For a `oneOf`/`anyOf` of objects each with its own required key (`person:`, `team:`, …),
/// the key of each branch; `None` unless every branch has exactly one and they differ.
pub fn forms_of(root: &Value, node: &Value) -> Option<(ClosedSet, Vec<String>)> {
    let node = resolve(root, node);
    let branches = node
        .get("oneOf")
        .or_else(|| node.get("anyOf"))
        .and_then(Value::as_array)?;
    let mut keys = Vec::new();
    for b in branches {
        let b = resolve(root, b);
        let required = b.get("required").and_then(Value::as_array)?;
        let [key] = required.as_slice() else {
            return None;
        };
        let key = key.as_str()?.to_string();
        if keys.contains(&key) {
            return None;
        }
        keys.push(key);
    }
    let set = ClosedSet {
        what: description(node),
        values: keys.clone(),
    };
    Some((set, keys))
}

/// A schema description as a phrase: final full stop dropped, first letter lowercased unless
/// the first word is a name (`GitHub team privacy` stays as it is).
fn description(node: &Value) -> Option<String> {
    let d = node.get("description")?.as_str()?.trim();
    let d = d.strip_suffix('.').unwrap_or(d);
    let first_word = d.split_whitespace().next()?;
    if first_word.chars().skip(1).any(char::is_uppercase) {
        return Some(d.to_string());
    }
    let mut chars = d.chars();
    let first = chars.next()?;
    Some(first.to_lowercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn root() -> Value {
        json!({
            "$defs": {
                "Kind": {"description": "What kind of group a team is.", "oneOf": [
                    {"description": "A team.", "type": "string", "const": "team"},
                    {"type": "string", "const": "sig"}]},
                "Plain": {"type": "string", "enum": ["members", "leads"]},
                "Backend": {"description": "Which mail server.", "oneOf": [
                    {"type": "object", "properties": {"kind": {"const": "postfix"}, "path": {}}, "required": ["kind", "path"]},
                    {"type": "object", "properties": {"kind": {"const": "mailgun"}, "domain": {}}, "required": ["kind", "domain"]}]},
                "Recipient": {"anyOf": [
                    {"type": "object", "properties": {"person": {}}, "required": ["person"]},
                    {"type": "object", "properties": {"team": {}, "leads_only": {}}, "required": ["team"]}]}
            },
            "properties": {"kind": {"$ref": "#/$defs/Kind"}}
        })
    }

    #[test]
    fn every_shape_of_enum_is_a_closed_set() {
        let r = root();
        let kind = node_at(&r, "/properties/kind/$ref").expect("node");
        let set = closed_set(&r, kind).expect("closed");
        assert_eq!(set.values, ["team", "sig"]);
        assert_eq!(set.what.as_deref(), Some("what kind of group a team is"));
        let plain = closed_set(&r, &r["$defs"]["Plain"]).expect("closed");
        assert_eq!(plain.values, ["members", "leads"]);
        assert_eq!(plain.what, None);
        assert_eq!(closed_set(&r, &r["$defs"]["Recipient"]), None);
        // An optional field: its null branch is "not given", not a value.
        let optional = json!({"description": "whether", "anyOf": [{"$ref": "#/$defs/Kind"}, {"type": "null"}]});
        let set = closed_set(&r, &optional).expect("closed");
        assert_eq!(set.values, ["team", "sig"]);
        assert_eq!(set.what.as_deref(), Some("what kind of group a team is"));
        let open = json!({"anyOf": [{"type": "string"}, {"type": "null"}]});
        assert_eq!(closed_set(&r, &open), None);
    }

    #[test]
    fn tags_and_forms() {
        let r = root();
        let (tag, set, per_branch) = tag_of(&r, &r["$defs"]["Backend"]).expect("tagged");
        assert_eq!(tag, "kind");
        assert_eq!(set.values, ["postfix", "mailgun"]);
        assert_eq!(per_branch, [vec!["postfix"], vec!["mailgun"]]);
        let (forms, keys) = forms_of(&r, &r["$defs"]["Recipient"]).expect("forms");
        assert_eq!(keys, ["person", "team"]);
        assert_eq!(forms.values, keys);
        assert!(forms_of(&r, &r["$defs"]["Backend"]).is_none());
    }

    #[test]
    fn closest_value() {
        let set = ClosedSet {
            what: None,
            values: vec!["closed".into(), "secret".into()],
        };
        assert_eq!(set.closest("Closed"), Some("closed"));
        assert_eq!(set.closest("secert"), Some("secret"));
        assert_eq!(set.closest("hidden"), None);
        assert_eq!(
            set.help("hidden"),
            "allowed values: closed, secret".to_string()
        );
    }
}

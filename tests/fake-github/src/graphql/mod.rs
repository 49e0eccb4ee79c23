//! `POST /graphql`: parses the document with `graphql-parser`, checks it
//! against the schema subset in [`schema`] with GitHub's limits (pagination
//! boundaries, 1..=100 per page, 500,000 nodes), charges its cost to the
//! GraphQL rate-limit bucket and executes it against the [`FakeState`].
//!
//! Errors follow GitHub: HTTP 200 with an `errors` array whose entries carry
//! `type` (`NOT_FOUND`, `MISSING_PAGINATION_BOUNDARIES`, …), `path`,
//! `locations` and `message`. Static errors (unknown fields, pagination
//! limits, node limit) come back without `data`.

mod cursor;
mod exec;
pub mod schema;
mod validate;

use std::collections::{BTreeMap, HashSet};

use graphql_parser::query::{
    Definition, Document, Field, FragmentDefinition, OperationDefinition, Selection, SelectionSet,
    Type, TypeCondition, Value as GValue,
};
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::model::FakeState;

pub(crate) type GField = Field<'static, String>;
pub(crate) type GSet = SelectionSet<'static, String>;
pub(crate) type Fragments<'d> = BTreeMap<&'d str, &'d FragmentDefinition<'static, String>>;

/// The maximum number of nodes one query may request.
pub const MAX_NODES: u64 = 500_000;

/// Who is asking.
#[derive(Debug, Clone, Copy)]
pub struct GqlEnv<'a> {
    /// The organisation state.
    pub state: &'a FakeState,
    /// Login of the token owner.
    pub viewer: &'a str,
    /// OAuth scopes of the token; `None` grants everything.
    pub scopes: Option<&'a [String]>,
}

/// Figures reported by the `rateLimit` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateInfo {
    /// Points charged for this query.
    pub cost: u64,
    /// Points per window.
    pub limit: u64,
    /// Points left.
    pub remaining: u64,
    /// Points used.
    pub used: u64,
    /// End of the window, epoch seconds.
    pub reset: u64,
    /// Nodes the query may return.
    pub node_count: u64,
}

/// Outcome of a GraphQL request.
#[derive(Debug, Clone, PartialEq)]
pub struct GqlReply {
    /// Response body (always HTTP 200).
    pub body: Value,
    /// Whether the primary limit refused the query.
    pub rate_limited: bool,
}

/// An error object as GitHub shapes it.
pub(crate) fn error(
    kind: Option<&str>,
    message: String,
    path: &[Value],
    pos: Option<graphql_parser::Pos>,
) -> Value {
    let mut e = Map::new();
    if let Some(kind) = kind {
        e.insert("type".into(), json!(kind));
    }
    if !path.is_empty() {
        e.insert("path".into(), Value::Array(path.to_vec()));
    }
    if let Some(pos) = pos {
        e.insert(
            "locations".into(),
            json!([{"line": pos.line, "column": pos.column}]),
        );
    }
    e.insert("message".into(), Value::String(message));
    Value::Object(e)
}

fn errors_only(errors: Vec<Value>) -> GqlReply {
    GqlReply {
        body: json!({ "errors": errors }),
        rate_limited: false,
    }
}

/// Runs a GraphQL request body. `charge(cost, node_count)` takes the cost from
/// the rate-limit bucket and returns the figures after charging, or `None`
/// when the primary limit is exhausted. Only malformed JSON is an HTTP error.
pub fn run(
    env: &GqlEnv<'_>,
    body: &[u8],
    charge: &mut dyn FnMut(u64, u64) -> Option<RateInfo>,
) -> Result<GqlReply, ApiError> {
    let request: Value = serde_json::from_slice(body)
        .map_err(|_| ApiError::BadRequest("Problems parsing JSON".into()))?;
    let Some(request) = request.as_object() else {
        return Err(ApiError::BadRequest("Body should be a JSON object".into()));
    };
    let Some(query) = request.get("query").and_then(Value::as_str) else {
        return Ok(errors_only(vec![error(
            None,
            "A query attribute must be specified and must be a string.".into(),
            &[],
            None,
        )]));
    };
    let input_vars = match request.get("variables") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => {
            return Ok(errors_only(vec![error(
                None,
                "Variables are invalid JSON.".into(),
                &[],
                None,
            )]));
        }
    };
    let operation_name = request.get("operationName").and_then(Value::as_str);
    let doc: Document<'static, String> = match graphql_parser::parse_query::<String>(query) {
        Ok(doc) => doc.into_static(),
        Err(e) => {
            let msg = e.to_string().replace('\n', " ");
            return Ok(errors_only(vec![error(
                None,
                format!("Parse error: {}", msg.trim()),
                &[],
                None,
            )]));
        }
    };
    let mut fragments: Fragments<'_> = BTreeMap::new();
    let mut operations = Vec::new();
    for def in &doc.definitions {
        match def {
            Definition::Fragment(f) => {
                fragments.insert(f.name.as_str(), f);
            }
            Definition::Operation(op) => operations.push(op),
        }
    }
    let op = match (operation_name, operations.as_slice()) {
        (None, [only]) => *only,
        (None, _) => {
            return Ok(errors_only(vec![error(
                None,
                "An operation name is required when the document contains several operations"
                    .into(),
                &[],
                None,
            )]));
        }
        (Some(name), ops) => match ops.iter().find(|o| op_name(o) == Some(name)) {
            Some(op) => *op,
            None => {
                return Ok(errors_only(vec![error(
                    None,
                    format!("No operation named \"{name}\""),
                    &[],
                    None,
                )]));
            }
        },
    };
    let (set, var_defs, label) = match op {
        OperationDefinition::SelectionSet(s) => (s, &[][..], "anonymous query".to_string()),
        OperationDefinition::Query(q) => (
            &q.selection_set,
            q.variable_definitions.as_slice(),
            q.name
                .clone()
                .map(|n| n.to_string())
                .unwrap_or_else(|| "anonymous query".into()),
        ),
        OperationDefinition::Mutation(m) => {
            return Ok(errors_only(vec![error(
                None,
                "The fake GitHub does not implement mutations".into(),
                &[],
                Some(m.position),
            )]));
        }
        OperationDefinition::Subscription(s) => {
            return Ok(errors_only(vec![error(
                None,
                "Subscriptions are not supported".into(),
                &[],
                Some(s.position),
            )]));
        }
    };

    let mut vars = Map::new();
    let mut errors = Vec::new();
    for def in var_defs {
        let given = input_vars
            .get(def.name.as_str())
            .cloned()
            .unwrap_or(Value::Null);
        let value = match (&given, &def.default_value) {
            (Value::Null, Some(default)) => {
                to_json(default, &Map::new(), &label).unwrap_or(Value::Null)
            }
            _ => given,
        };
        if let Some(problem) = type_problem(&def.var_type, &value) {
            let mut e = error(
                None,
                format!(
                    "Variable ${} of type {} was provided invalid value",
                    def.name, def.var_type
                ),
                &[],
                Some(def.position),
            );
            if let Some(obj) = e.as_object_mut() {
                obj.insert(
                    "extensions".into(),
                    json!({"value": value, "problems": [{"path": [], "explanation": problem}]}),
                );
            }
            errors.push(e);
        }
        vars.insert(def.name.to_string(), value);
    }
    if !errors.is_empty() {
        return Ok(errors_only(errors));
    }

    let ctx = Ctx {
        env: *env,
        fragments: &fragments,
        vars: &vars,
        label: &label,
    };
    let checked = validate::check(&ctx, set);
    if !checked.errors.is_empty() {
        return Ok(errors_only(checked.errors));
    }
    if checked.nodes > MAX_NODES {
        return Ok(errors_only(vec![error(
            Some("MAX_NODE_LIMIT_EXCEEDED"),
            format!(
                "This query requests up to {} possible nodes which exceeds the maximum limit of 500,000.",
                thousands(checked.nodes)
            ),
            &[],
            None,
        )]));
    }
    let cost = ((checked.requests as f64 / 100.0).round() as u64).max(1);
    let Some(rate) = charge(cost, checked.nodes) else {
        let id = env.state.user(env.viewer).map(|u| u.id).unwrap_or(0);
        return Ok(GqlReply {
            body: json!({"errors": [{
                "type": "RATE_LIMITED",
                "code": "graphql_rate_limit",
                "message": format!("API rate limit already exceeded for user ID {id}."),
            }]}),
            rate_limited: true,
        });
    };
    let (data, errors) = exec::execute(&ctx, set, rate);
    let mut body = Map::new();
    body.insert("data".into(), data);
    if !errors.is_empty() {
        body.insert("errors".into(), Value::Array(errors));
    }
    Ok(GqlReply {
        body: Value::Object(body),
        rate_limited: false,
    })
}

fn op_name<'d>(op: &'d OperationDefinition<'static, String>) -> Option<&'d str> {
    match op {
        OperationDefinition::SelectionSet(_) => None,
        OperationDefinition::Query(q) => q.name.as_deref(),
        OperationDefinition::Mutation(m) => m.name.as_deref(),
        OperationDefinition::Subscription(s) => s.name.as_deref(),
    }
}

/// Why `value` does not fit `ty`, if it does not.
fn type_problem(ty: &Type<'static, String>, value: &Value) -> Option<String> {
    match ty {
        Type::NonNullType(inner) => {
            if value.is_null() {
                Some("Expected value to not be null".into())
            } else {
                type_problem(inner, value)
            }
        }
        Type::ListType(inner) => match value {
            Value::Null => None,
            Value::Array(items) => items.iter().find_map(|i| type_problem(inner, i)),
            other => type_problem(inner, other),
        },
        Type::NamedType(name) => {
            let ok = match (name.as_str(), value) {
                (_, Value::Null) => true,
                ("Int", v) => v.as_i64().is_some(),
                ("Float", v) => v.is_number(),
                ("String" | "ID" | "DateTime" | "URI", v) => {
                    v.is_string() || (name == "ID" && v.is_number())
                }
                ("Boolean", v) => v.is_boolean(),
                _ => true,
            };
            (!ok).then(|| format!("Could not coerce value {value} to {name}"))
        }
    }
}

/// `123456` → `123,456`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Everything both passes need.
pub(crate) struct Ctx<'c> {
    pub env: GqlEnv<'c>,
    pub fragments: &'c Fragments<'c>,
    pub vars: &'c Map<String, Value>,
    pub label: &'c str,
}

/// Converts an argument value to JSON, substituting variables.
pub(crate) fn to_json(
    v: &GValue<'static, String>,
    vars: &Map<String, Value>,
    label: &str,
) -> Result<Value, String> {
    Ok(match v {
        GValue::Variable(name) => match vars.get(name.as_str()) {
            Some(value) => value.clone(),
            None => {
                return Err(format!(
                    "Variable ${name} is used by {label} but not declared"
                ));
            }
        },
        GValue::Int(n) => json!(n.as_i64()),
        GValue::Float(f) => json!(f),
        GValue::String(s) => json!(s),
        GValue::Boolean(b) => json!(b),
        GValue::Null => Value::Null,
        GValue::Enum(e) => json!(e),
        GValue::List(items) => Value::Array(
            items
                .iter()
                .map(|i| to_json(i, vars, label))
                .collect::<Result<_, _>>()?,
        ),
        GValue::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), to_json(v, vars, label)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}

/// Arguments of a field as JSON; errors name undeclared variables.
pub(crate) fn arguments(field: &GField, ctx: &Ctx<'_>) -> Result<Map<String, Value>, String> {
    field
        .arguments
        .iter()
        .map(|(k, v)| Ok((k.clone(), to_json(v, ctx.vars, ctx.label)?)))
        .collect()
}

/// Evaluates `@include(if:)` / `@skip(if:)`.
fn included(
    directives: &[graphql_parser::query::Directive<'static, String>],
    ctx: &Ctx<'_>,
) -> bool {
    for d in directives {
        let cond = d
            .arguments
            .iter()
            .find(|(k, _)| k == "if")
            .and_then(|(_, v)| to_json(v, ctx.vars, ctx.label).ok())
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        match d.name.as_str() {
            "include" if !cond => return false,
            "skip" if cond => return false,
            _ => {}
        }
    }
    true
}

/// Fields selected on an object of type `ty` by `sets`, grouped by response
/// key (alias or name) in first-seen order, fragments expanded.
pub(crate) fn collect<'d>(
    sets: &[&'d GSet],
    ty: &str,
    ctx: &Ctx<'d>,
    errors: &mut Vec<Value>,
) -> Vec<(String, Vec<&'d GField>)> {
    let mut out: Vec<(String, Vec<&'d GField>)> = Vec::new();
    let mut seen = HashSet::new();
    for set in sets {
        collect_into(set, ty, ctx, &mut out, &mut seen, errors);
    }
    out
}

fn collect_into<'d>(
    set: &'d GSet,
    ty: &str,
    ctx: &Ctx<'d>,
    out: &mut Vec<(String, Vec<&'d GField>)>,
    visited: &mut HashSet<&'d str>,
    errors: &mut Vec<Value>,
) {
    for sel in &set.items {
        match sel {
            Selection::Field(field) => {
                if !included(&field.directives, ctx) {
                    continue;
                }
                let key = field.alias.clone().unwrap_or_else(|| field.name.clone());
                match out.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, fields)) => fields.push(field),
                    None => out.push((key, vec![field])),
                }
            }
            Selection::FragmentSpread(spread) => {
                if !included(&spread.directives, ctx) {
                    continue;
                }
                let Some(frag) = ctx.fragments.get(spread.fragment_name.as_str()) else {
                    errors.push(error(
                        None,
                        format!(
                            "Fragment {} was used, but not defined",
                            spread.fragment_name
                        ),
                        &[],
                        Some(spread.position),
                    ));
                    continue;
                };
                let TypeCondition::On(cond) = &frag.type_condition;
                if cond != ty || !visited.insert(frag.name.as_str()) {
                    continue;
                }
                collect_into(&frag.selection_set, ty, ctx, out, visited, errors);
                visited.remove(frag.name.as_str());
            }
            Selection::InlineFragment(inline) => {
                if !included(&inline.directives, ctx) {
                    continue;
                }
                if let Some(TypeCondition::On(cond)) = &inline.type_condition {
                    if cond != ty {
                        continue;
                    }
                }
                collect_into(&inline.selection_set, ty, ctx, out, visited, errors);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FakeState, OrgRole};

    fn ask(state: &FakeState, query: &str, variables: Value) -> Value {
        let env = GqlEnv {
            state,
            viewer: "boss",
            scopes: None,
        };
        let body = serde_json::to_vec(&json!({"query": query, "variables": variables}))
            .unwrap_or_default();
        let mut charge = |cost, nodes| {
            Some(RateInfo {
                cost,
                limit: 5000,
                remaining: 5000 - cost,
                used: cost,
                reset: 0,
                node_count: nodes,
            })
        };
        match run(&env, &body, &mut charge) {
            Ok(reply) => reply.body,
            Err(e) => e.body(),
        }
    }

    fn state() -> FakeState {
        let mut s = FakeState::new("acme", "boss");
        for i in 0..5 {
            s.add_member(&format!("user{i}"), OrgRole::Member);
        }
        s
    }

    #[test]
    fn pages_members_with_cursors() {
        let s = state();
        let q = "query($after: String) { organization(login: \"acme\") { membersWithRole(first: 4, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { role node { login } } } } }";
        let first = ask(&s, q, json!({}));
        let conn = &first["data"]["organization"]["membersWithRole"];
        assert_eq!(conn["totalCount"], 6);
        assert_eq!(conn["pageInfo"]["hasNextPage"], true);
        assert_eq!(conn["edges"][0]["node"]["login"], "boss");
        assert_eq!(conn["edges"][0]["role"], "ADMIN");
        let cursor = conn["pageInfo"]["endCursor"].clone();
        let second = ask(&s, q, json!({"after": cursor}));
        let conn = &second["data"]["organization"]["membersWithRole"];
        assert_eq!(conn["edges"].as_array().map(Vec::len), Some(2));
        assert_eq!(conn["pageInfo"]["hasNextPage"], false);
    }

    #[test]
    fn limits_and_errors() {
        let s = state();
        let missing = ask(
            &s,
            "{ organization(login: \"acme\") { membersWithRole { totalCount } } }",
            json!({}),
        );
        assert_eq!(
            missing["errors"][0]["type"],
            "MISSING_PAGINATION_BOUNDARIES"
        );
        let excessive = ask(
            &s,
            "{ organization(login: \"acme\") { membersWithRole(first: 101) { totalCount } } }",
            json!({}),
        );
        assert_eq!(excessive["errors"][0]["type"], "EXCESSIVE_PAGINATION");
        assert_eq!(
            excessive["errors"][0]["message"],
            "Requesting 101 records on the `membersWithRole` connection exceeds the `first` limit of 100 records."
        );
        let huge = ask(
            &s,
            "{ organization(login: \"acme\") { teams(first: 100) { nodes { members(first: 100) { nodes { login } } repositories(first: 100) { totalCount } childTeams(first: 100) { nodes { members(first: 100) { totalCount } } } } } } }",
            json!({}),
        );
        assert_eq!(huge["errors"][0]["type"], "MAX_NODE_LIMIT_EXCEEDED");
        let unknown = ask(
            &s,
            "query($org: String!) { organization(login: $org) { login } }",
            json!({"org": "nope"}),
        );
        assert_eq!(unknown["data"]["organization"], Value::Null);
        assert_eq!(unknown["errors"][0]["type"], "NOT_FOUND");
        assert_eq!(
            unknown["errors"][0]["message"],
            "Could not resolve to an Organization with the login of 'nope'."
        );
        let bad_field = ask(
            &s,
            "{ organization(login: \"acme\") { colour } }",
            json!({}),
        );
        assert_eq!(
            bad_field["errors"][0]["message"],
            "Field 'colour' doesn't exist on type 'Organization'"
        );
        let missing_var = ask(
            &s,
            "query($org: String!) { organization(login: $org) { login } }",
            json!({}),
        );
        assert!(
            missing_var["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("$org")
        );
    }

    #[test]
    fn fragments_aliases_and_directives() {
        let s = state();
        let q = "query($v: Boolean!) { me: viewer @include(if: $v) { ...U } rateLimit { cost nodeCount } } fragment U on User { login databaseId }";
        let r = ask(&s, q, json!({"v": true}));
        assert_eq!(r["data"]["me"]["login"], "boss");
        assert_eq!(r["data"]["rateLimit"]["cost"], 1);
        let r = ask(&s, q, json!({"v": false}));
        assert!(r["data"].get("me").is_none());
    }
}

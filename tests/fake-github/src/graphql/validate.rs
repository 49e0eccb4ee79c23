//! Static checks of a GraphQL operation before it runs, as GitHub does them:
//! fields and arguments must exist, every connection needs `first` or `last`
//! within 0..=100, cursors must be well-formed, the token must have the org
//! scopes; meanwhile it sums the node count (product of page sizes along each
//! connection path) and the request count behind the query's cost.

use serde_json::{Value, json};

use super::schema::{self, Kind};
use super::{Ctx, GField, GSet, arguments, collect, cursor, error};

/// Result of the static pass.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// Errors; when not empty the query does not run.
    pub errors: Vec<Value>,
    /// Nodes the query may return.
    pub nodes: u64,
    /// Requests GitHub would need (one per parent node per connection).
    pub requests: u64,
}

/// Checks the operation's top-level selection set.
pub(crate) fn check(ctx: &Ctx<'_>, set: &GSet) -> Checked {
    let mut out = Checked::default();
    walk(ctx, &[set], "Query", 1, &mut Vec::new(), &mut out);
    out
}

fn walk<'d>(
    ctx: &Ctx<'d>,
    sets: &[&'d GSet],
    ty: &str,
    mult: u64,
    path: &mut Vec<Value>,
    out: &mut Checked,
) {
    let mut errors = Vec::new();
    let fields = collect(sets, ty, ctx, &mut errors);
    out.errors.extend(errors);
    for (key, group) in fields {
        path.push(json!(key));
        walk_field(ctx, &group, ty, mult, path, out);
        path.pop();
    }
}

fn coded(code: &str, message: String, path: &[Value], field: &GField, extra: Value) -> Value {
    let mut e = error(None, message, path, Some(field.position));
    if let (Some(obj), Value::Object(mut ext)) = (e.as_object_mut(), extra) {
        ext.insert("code".into(), json!(code));
        obj.insert("extensions".into(), Value::Object(ext));
    }
    e
}

const ORG_SCOPED: &[&str] = &["teams", "membersWithRole", "pendingMembers", "team"];
const ORG_SCOPES: &[&str] = &["read:org", "write:org", "admin:org"];

fn walk_field<'d>(
    ctx: &Ctx<'d>,
    group: &[&'d GField],
    ty: &str,
    mult: u64,
    path: &mut Vec<Value>,
    out: &mut Checked,
) {
    let field = group[0];
    let name = field.name.as_str();
    if name == "__typename" {
        return;
    }
    let Some(def) = schema::field(ty, name) else {
        out.errors.push(coded(
            "undefinedField",
            format!("Field '{name}' doesn't exist on type '{ty}'"),
            path,
            field,
            json!({"typeName": ty, "fieldName": name}),
        ));
        return;
    };
    for (arg, _) in &field.arguments {
        if !def.args.contains(&arg.as_str()) {
            out.errors.push(coded(
                "argumentNotAccepted",
                format!("Field '{name}' doesn't accept argument '{arg}'"),
                path,
                field,
                json!({"name": name, "typeName": "Field", "argumentName": arg}),
            ));
        }
    }
    let args = match arguments(field, ctx) {
        Ok(args) => args,
        Err(message) => {
            out.errors
                .push(error(None, message, path, Some(field.position)));
            return;
        }
    };
    for required in required_args(ty, name) {
        if args.get(*required).is_none_or(Value::is_null) {
            out.errors.push(coded(
                "missingRequiredArguments",
                format!("Field '{name}' is missing required arguments: {required}"),
                path,
                field,
                json!({"className": "Field", "name": name, "arguments": required}),
            ));
        }
    }
    if ty == "Organization" && ORG_SCOPED.contains(&name) {
        if let Some(scopes) = ctx.env.scopes {
            if !scopes.iter().any(|s| ORG_SCOPES.contains(&s.as_str())) {
                let granted: Vec<String> = scopes.iter().map(|s| format!("'{s}'")).collect();
                let mut e = error(
                    Some("INSUFFICIENT_SCOPES"),
                    format!(
                        "Your token has not been granted the required scopes to execute this query. The '{name}' field requires one of the following scopes: ['read:org'], but your token has only been granted the: [{}] scopes. Please modify your token's scopes at: https://github.com/settings/tokens.",
                        granted.join(", ")
                    ),
                    &[],
                    Some(field.position),
                );
                if let Some(obj) = e.as_object_mut() {
                    obj.remove("path");
                }
                out.errors.push(e);
                return;
            }
        }
    }
    let subsets: Vec<&'d GSet> = group.iter().map(|f| &f.selection_set).collect();
    let has_selection = group.iter().any(|f| !f.selection_set.items.is_empty());
    match def.kind {
        Kind::Scalar => {
            if has_selection {
                out.errors.push(coded(
                    "selectionMismatch",
                    format!("Selections can't be made on scalars (field '{name}' returns {} but has selections)", def.ty),
                    path,
                    field,
                    json!({"nodeName": format!("field '{name}'"), "typeName": def.ty}),
                ));
            }
        }
        Kind::Object | Kind::List | Kind::Connection => {
            if !has_selection {
                out.errors.push(coded(
                    "selectionMismatch",
                    format!(
                        "Field must have selections (field '{name}' returns {} but has no selections. Did you mean '{name} {{ ... }}'?)",
                        def.ty
                    ),
                    path,
                    field,
                    json!({"nodeName": format!("field '{name}'"), "typeName": def.ty}),
                ));
                return;
            }
            let mut child_mult = mult;
            if def.kind == Kind::Connection {
                match page_size(name, &args) {
                    Ok(page) => {
                        out.nodes = out.nodes.saturating_add(mult.saturating_mul(page));
                        out.requests = out.requests.saturating_add(mult);
                        child_mult = mult.saturating_mul(page);
                    }
                    Err((kind, message)) => {
                        out.errors
                            .push(error(Some(kind), message, path, Some(field.position)));
                        return;
                    }
                }
                for which in ["after", "before"] {
                    if let Some(c) = args.get(which).and_then(Value::as_str) {
                        if cursor::decode(c).is_none() {
                            out.errors.push(error(
                                Some("INVALID_CURSOR_ARGUMENTS"),
                                format!("`{c}` does not appear to be a valid cursor."),
                                path,
                                Some(field.position),
                            ));
                        }
                    }
                }
            }
            walk(ctx, &subsets, def.ty, child_mult, path, out);
        }
    }
}

fn required_args(ty: &str, name: &str) -> &'static [&'static str] {
    match (ty, name) {
        ("Query", "organization") => &["login"],
        ("Organization", "team") => &["slug"],
        _ => &[],
    }
}

/// Page size of a connection field from its `first` / `last` arguments.
fn page_size(
    name: &str,
    args: &serde_json::Map<String, Value>,
) -> Result<u64, (&'static str, String)> {
    let first = args.get("first").filter(|v| !v.is_null());
    let last = args.get("last").filter(|v| !v.is_null());
    let (which, value) = match (first, last) {
        (Some(v), _) => ("first", v),
        (None, Some(v)) => ("last", v),
        (None, None) => {
            return Err((
                "MISSING_PAGINATION_BOUNDARIES",
                format!(
                    "You must provide a `first` or `last` value to properly paginate the `{name}` connection."
                ),
            ));
        }
    };
    let n = value.as_i64().unwrap_or(-1);
    if n < 0 {
        return Err((
            "EXCESSIVE_PAGINATION",
            format!("`{which}` on the `{name}` connection cannot be less than zero."),
        ));
    }
    if n > 100 {
        return Err((
            "EXCESSIVE_PAGINATION",
            format!(
                "Requesting {n} records on the `{name}` connection exceeds the `{which}` limit of 100 records."
            ),
        ));
    }
    Ok(n.unsigned_abs())
}

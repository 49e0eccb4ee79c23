//! REST error responses in GitHub's shapes: `basic-error`
//! (`{message, documentation_url, status}`) and `validation-error`
//! (`{message: "Validation Failed", documentation_url, errors: [...]}`).

use serde_json::{Value, json};

/// Where GitHub's error bodies point for REST documentation.
pub const DOCS_URL: &str = "https://docs.github.com/rest";

/// An error a REST operation can answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 404 `Not Found`.
    NotFound,
    /// 401 with the given message (`Bad credentials`, `Requires authentication`).
    Unauthorized(String),
    /// 403 with the given message.
    Forbidden(String),
    /// 400 with the given message (`Problems parsing JSON`, …).
    BadRequest(String),
    /// 422 `Validation Failed` with field errors.
    Validation(Vec<FieldError>),
    /// 422 with a plain message (`Invalid request`).
    Unprocessable(String),
}

/// One entry of a `validation-error` body's `errors` array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Resource, e.g. `Team`.
    pub resource: String,
    /// Field, e.g. `name`.
    pub field: String,
    /// `missing`, `missing_field`, `invalid`, `already_exists`, `unprocessable` or `custom`.
    pub code: String,
    /// Human message (for `custom` errors).
    pub message: Option<String>,
}

impl ApiError {
    /// A 422 with a single field error.
    pub fn validation(resource: &str, field: &str, code: &str, message: Option<&str>) -> ApiError {
        ApiError::Validation(vec![FieldError {
            resource: resource.to_string(),
            field: field.to_string(),
            code: code.to_string(),
            message: message.map(str::to_string),
        }])
    }

    /// HTTP status of the error.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::NotFound => 404,
            ApiError::Unauthorized(_) => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::BadRequest(_) => 400,
            ApiError::Validation(_) | ApiError::Unprocessable(_) => 422,
        }
    }

    /// JSON body of the error.
    pub fn body(&self) -> Value {
        let status = self.status().to_string();
        match self {
            ApiError::NotFound => {
                json!({"message": "Not Found", "documentation_url": DOCS_URL, "status": status})
            }
            ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::BadRequest(m)
            | ApiError::Unprocessable(m) => {
                json!({"message": m, "documentation_url": DOCS_URL, "status": status})
            }
            ApiError::Validation(errors) => {
                let errors: Vec<Value> = errors
                    .iter()
                    .map(|e| {
                        let mut v =
                            json!({"resource": e.resource, "field": e.field, "code": e.code});
                        if let (Some(m), Some(obj)) = (&e.message, v.as_object_mut()) {
                            obj.insert("message".into(), Value::String(m.clone()));
                        }
                        v
                    })
                    .collect();
                json!({"message": "Validation Failed", "errors": errors, "documentation_url": DOCS_URL, "status": status})
            }
        }
    }
}

//! Helpers for the fake's own tests: a raw HTTP client (octocrab without
//! retries) that returns status, headers and JSON.

#![allow(dead_code)]

use fake_github::FakeGithub;
use octocrab::Octocrab;
use octocrab::service::middleware::retry::RetryConfig;
use serde_json::Value;

/// A raw answer.
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub json: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub struct Api {
    pub oc: Octocrab,
}

pub fn api(gh: &FakeGithub, token: &str) -> Api {
    let oc = Octocrab::builder()
        .base_uri(gh.url())
        .unwrap()
        .personal_token(token.to_string())
        .add_retry_config(RetryConfig::None)
        .build()
        .unwrap();
    Api { oc }
}

impl Api {
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let path = path.to_string();
        let res = match method {
            "GET" => self.oc._get(path).await,
            "POST" => self.oc._post(path, body.as_ref()).await,
            "PUT" => self.oc._put(path, body.as_ref()).await,
            "PATCH" => self.oc._patch(path, body.as_ref()).await,
            "DELETE" => self.oc._delete(path, body.as_ref()).await,
            _ => panic!("method {method}"),
        }
        .unwrap();
        let status = res.status().as_u16();
        let headers = res
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let text = self.oc.body_to_string(res).await.unwrap();
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        Resp {
            status,
            headers,
            json,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None).await
    }

    pub async fn graphql(&self, query: &str, variables: Value) -> Resp {
        self.call(
            "POST",
            "/graphql",
            Some(serde_json::json!({"query": query, "variables": variables})),
        )
        .await
    }
}

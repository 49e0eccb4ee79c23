//! REST listings shared by both readers: judging an organisation endpoint's
//! answer, following `link: rel="next"` page by page, fetching the pages of a
//! listing concurrently once the first page's `rel="last"` tells how many
//! there are, and decoding organisation invitations.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::error::GithubError;
use super::http::{RawResponse, query_param, with_query_param};
use super::state::{Invitation, InvitationRole};
use super::transport::Transport;

/// The JSON of a successful answer from an organisation endpoint; 403 and
/// 404 mean the token cannot see the organisation.
pub(crate) fn org_json(
    org: &str,
    endpoint: &str,
    response: &RawResponse,
) -> Result<Value, GithubError> {
    match response.status {
        200..=299 => serde_json::from_str(&response.body).map_err(|e| GithubError::Decode {
            endpoint: endpoint.to_string(),
            message: e.to_string(),
        }),
        403 | 404 => Err(GithubError::OrgAccessDenied {
            org: org.to_string(),
            endpoint: endpoint.to_string(),
            status: response.status.to_string(),
            message: response.message(),
        }),
        status => Err(GithubError::Http {
            endpoint: endpoint.to_string(),
            status,
            message: response.message(),
        }),
    }
}

/// The items of a JSON array answer.
pub(crate) fn items(endpoint: &str, json: Value) -> Result<Vec<Value>, GithubError> {
    match json {
        Value::Array(items) => Ok(items),
        _ => Err(GithubError::Decode {
            endpoint: endpoint.to_string(),
            message: "expected a JSON array".into(),
        }),
    }
}

/// Fetches a listing by following `rel="next"` links one page at a time.
pub(crate) async fn list_sequential(
    transport: &Transport,
    org: &str,
    first: &str,
) -> Result<Vec<Value>, GithubError> {
    let mut out = Vec::new();
    let mut next = Some(first.to_string());
    while let Some(url) = next {
        let response = transport.get(&url).await?;
        let endpoint = format!("GET {url}");
        out.extend(items(&endpoint, org_json(org, &endpoint, &response)?)?);
        next = response.link("next");
    }
    Ok(out)
}

/// Fetches a listing's first page, then every further page concurrently
/// (the page count comes from the first page's `rel="last"` link), keeping
/// page order. Each request in flight holds one permit of `semaphore`.
pub(crate) async fn list_concurrent(
    transport: Arc<Transport>,
    semaphore: Arc<Semaphore>,
    org: String,
    first: String,
) -> Result<Vec<Value>, GithubError> {
    let response = {
        let _permit = semaphore.acquire().await.map_err(|e| closed(&e))?;
        transport.get(&first).await?
    };
    let endpoint = format!("GET {first}");
    let mut pages = vec![items(&endpoint, org_json(&org, &endpoint, &response)?)?];
    let last = response.link("last").and_then(|url| {
        query_param(&url, "page")
            .and_then(|p| p.parse::<u32>().ok())
            .map(|n| (url, n))
    });
    if let Some((last_url, count)) = last {
        check_page_count(&endpoint, count)?;
        let mut tasks = JoinSet::new();
        for page in 2..=count {
            let url = with_query_param(&last_url, "page", &page.to_string());
            let (transport, semaphore, org) = (transport.clone(), semaphore.clone(), org.clone());
            tasks.spawn(async move {
                let _permit = semaphore.acquire().await.map_err(|e| closed(&e))?;
                let response = transport.get(&url).await?;
                let endpoint = format!("GET {url}");
                Ok::<_, GithubError>((
                    page,
                    items(&endpoint, org_json(&org, &endpoint, &response)?)?,
                ))
            });
        }
        let mut rest = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            rest.push(joined.map_err(|e| task_failed(&e))??);
        }
        rest.sort_by_key(|(page, _)| *page);
        pages.extend(rest.into_iter().map(|(_, items)| items));
    }
    Ok(pages.into_iter().flatten().collect())
}

/// The most pages of one listing orgctl requests at once (100,000 items at 100 a page).
pub(crate) const MAX_LISTING_PAGES: u32 = 1000;

/// Refuses a `rel="last"` page number no organisation needs: the pages are requested at once,
/// so a hostile or broken server announcing 4 billion would exhaust memory.
pub(crate) fn check_page_count(endpoint: &str, count: u32) -> Result<(), GithubError> {
    if count <= MAX_LISTING_PAGES {
        Ok(())
    } else {
        Err(GithubError::Decode {
            endpoint: endpoint.to_string(),
            message: format!(
                "the `link` header announces {count} pages, more than the {MAX_LISTING_PAGES} orgctl reads; is GITHUB_API_URL a GitHub API?"
            ),
        })
    }
}

/// Error for a closed semaphore (never closed in practice).
pub(crate) fn closed(e: &tokio::sync::AcquireError) -> GithubError {
    GithubError::Transport {
        endpoint: "request scheduler".into(),
        message: e.to_string(),
    }
}

/// Error for a reader task that panicked or was cancelled.
pub(crate) fn task_failed(e: &tokio::task::JoinError) -> GithubError {
    GithubError::Transport {
        endpoint: "reader task".into(),
        message: e.to_string(),
    }
}

/// Decodes one `organization-invitation`.
pub(crate) fn invitation(endpoint: &str, v: &Value) -> Result<Invitation, GithubError> {
    let decode = |message: &str| GithubError::Decode {
        endpoint: endpoint.to_string(),
        message: message.to_string(),
    };
    let login = v.get("login").and_then(Value::as_str).map(str::to_string);
    Ok(Invitation {
        email: if login.is_none() {
            v.get("email").and_then(Value::as_str).map(str::to_string)
        } else {
            None
        },
        login,
        id: v
            .get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| decode("invitation without id"))?,
        role: InvitationRole::from_rest(v.get("role").and_then(Value::as_str).unwrap_or("")),
    })
}

/// The path of the first page of organisation invitations.
pub(crate) fn invitations_path(org: &str) -> String {
    format!("/orgs/{org}/invitations?per_page=100")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announced_page_counts_are_bounded() {
        assert!(check_page_count("GET /x", 1).is_ok());
        assert!(check_page_count("GET /x", MAX_LISTING_PAGES).is_ok());
        let err = check_page_count("GET /x", u32::MAX).expect_err("too many");
        assert!(err.to_string().contains("GET /x"), "{err}");
    }
}

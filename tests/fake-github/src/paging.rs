//! REST pagination: `per_page` (default 30, at most 100) and `page` (default 1)
//! query parameters and the RFC 5988 `link` header with `prev`, `next`, `last`
//! and `first` relations, as GitHub sends them.

/// Parsed query string, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(pub Vec<(String, String)>);

impl Query {
    /// Parses `a=1&b=2` (percent-decoding `%XX` and `+`).
    pub fn parse(query: Option<&str>) -> Query {
        let pairs = query
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (decode(k), decode(v)),
                None => (decode(p), String::new()),
            })
            .collect();
        Query(pairs)
    }

    /// First value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// A page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: usize,
    /// Items per page, 1..=100.
    pub per_page: usize,
}

impl PageRequest {
    /// Reads `page` and `per_page` with GitHub's defaults and the cap of 100.
    pub fn from_query(q: &Query) -> PageRequest {
        let per_page = q
            .get("per_page")
            .and_then(|v| v.parse::<usize>().ok())
            .map(|n| if n == 0 { 30 } else { n.min(100) })
            .unwrap_or(30);
        let page = q
            .get("page")
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1);
        PageRequest { page, per_page }
    }

    /// The slice of `items` on this page.
    pub fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let start = (self.page - 1)
            .saturating_mul(self.per_page)
            .min(items.len());
        let end = start.saturating_add(self.per_page).min(items.len());
        &items[start..end]
    }

    /// The `link` header for a listing of `total` items at `base` + `path`
    /// with query `q`, or `None` when a single page holds everything.
    pub fn link_header(&self, total: usize, base: &str, path: &str, q: &Query) -> Option<String> {
        let last = total.div_ceil(self.per_page).max(1);
        if last == 1 && self.page == 1 {
            return None;
        }
        let url = |page: usize| {
            let mut params: Vec<String> =
                q.0.iter()
                    .filter(|(k, _)| k != "page")
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
            params.push(format!("page={page}"));
            format!("<{base}{path}?{}>", params.join("&"))
        };
        let mut rels = Vec::new();
        if self.page > 1 {
            rels.push(format!("{}; rel=\"prev\"", url((self.page - 1).min(last))));
        }
        if self.page < last {
            rels.push(format!("{}; rel=\"next\"", url(self.page + 1)));
            rels.push(format!("{}; rel=\"last\"", url(last)));
        }
        if self.page > 1 {
            rels.push(format!("{}; rel=\"first\"", url(1)));
        }
        Some(rels.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_middle_and_last_pages() {
        let q = Query::parse(Some("per_page=10&role=admin"));
        let p1 = PageRequest::from_query(&q);
        let link = p1.link_header(25, "http://x", "/a", &q).expect("link");
        assert_eq!(
            link,
            "<http://x/a?per_page=10&role=admin&page=2>; rel=\"next\", <http://x/a?per_page=10&role=admin&page=3>; rel=\"last\""
        );
        let q2 = Query::parse(Some("per_page=10&page=2"));
        let link = PageRequest::from_query(&q2)
            .link_header(25, "http://x", "/a", &q2)
            .expect("link");
        assert!(link.contains("page=1>; rel=\"prev\""));
        assert!(link.contains("page=3>; rel=\"next\""));
        assert!(link.contains("page=1>; rel=\"first\""));
        let q3 = Query::parse(Some("per_page=10&page=3"));
        let p3 = PageRequest::from_query(&q3);
        let link = p3.link_header(25, "http://x", "/a", &q3).expect("link");
        assert!(!link.contains("next") && !link.contains("last"));
        assert_eq!(p3.slice(&(0..25).collect::<Vec<_>>()).len(), 5);
    }

    #[test]
    fn defaults_and_cap() {
        let q = Query::parse(Some("per_page=500"));
        assert_eq!(PageRequest::from_query(&q).per_page, 100);
        let q = Query::parse(None);
        assert_eq!(
            PageRequest::from_query(&q),
            PageRequest {
                page: 1,
                per_page: 30
            }
        );
        assert!(
            PageRequest::from_query(&q)
                .link_header(30, "h", "/p", &q)
                .is_none()
        );
        assert_eq!(decode("a%2Fb+c"), "a/b c");
    }
}

//! Where links live: one Durable Object (`LinkStore`), reached over its `fetch`, and the rules
//! that decide a link's code and which URLs are refused.

use serde::{Deserialize, Serialize};
use worker::{
    durable_object, DurableObject, Env, Method, Request, RequestInit, Response, Result, State,
};

/// A stored link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The target URL.
    pub url: String,
    /// How many times it was resolved.
    pub hits: u64,
}

/// Hosts whose URLs are refused.
const BLOCKED_HOSTS: &[&str] = &["evil.example", "phish.example"];

/// The host of an `http` or `https` URL, lowercased; `None` for anything else.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Why a URL on `host` is refused, if it is: a blocked host or one of its subdomains.
pub fn refusal(host: &str) -> Option<&'static str> {
    BLOCKED_HOSTS
        .iter()
        .any(|blocked| host == *blocked || host.ends_with(&format!(".{blocked}")))
        .then_some("blocklisted host")
}

/// A link's code: 7 base-36 digits of the URL's FNV-1a hash, so one URL always gets one code.
pub fn short_code(url: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in url.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    (0..7)
        .map(|_| {
            let digit = digits[(hash % 36) as usize] as char;
            hash /= 36;
            digit
        })
        .collect()
}

/// Every link, in one Durable Object (workerd runs it in memory).
#[durable_object]
pub struct LinkStore {
    state: State,
}

impl DurableObject for LinkStore {
    fn new(state: State, _env: Env) -> Self {
        LinkStore { state }
    }

    /// `PUT /{code}` (the body is the URL), `GET /{code}` (resolves it: counts a hit),
    /// `GET /{code}/stats`, `DELETE /{code}`.
    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let storage = self.state.storage();
        let path = req.path();
        let (code, stats) = match path.trim_start_matches('/').split_once('/') {
            Some((code, "stats")) => (code.to_owned(), true),
            _ => (path.trim_start_matches('/').to_owned(), false),
        };
        let key = format!("link:{code}");
        let link = storage.get::<Link>(&key).await?;
        match (req.method(), link) {
            (Method::Put, _) => {
                let url = req.text().await?;
                storage.put(&key, Link { url, hits: 0 }).await?;
                Response::empty().map(|r| r.with_status(201))
            }
            (Method::Get, Some(link)) if stats => Response::from_json(&link),
            (Method::Get, Some(mut link)) => {
                link.hits += 1;
                storage.put(&key, &link).await?;
                Response::from_json(&link)
            }
            (Method::Delete, Some(_)) => {
                storage.delete(&key).await?;
                Response::empty().map(|r| r.with_status(204))
            }
            _ => Response::error("no such link", 404),
        }
    }
}

/// Asks the store: `method` on `/{path}`, with `body`. Returns the status and, for 200, the link.
pub async fn ask(
    env: &Env,
    method: Method,
    path: &str,
    body: Option<String>,
) -> Result<(u16, Option<Link>)> {
    let stub = env
        .durable_object("LINK_STORE")?
        .id_from_name("links")?
        .get_stub()?;
    let mut init = RequestInit::new();
    init.with_method(method).with_body(body.map(Into::into));
    let request = Request::new_with_init(&format!("https://store/{path}"), &init)?;
    let mut response = stub.fetch_with_request(request).await?;
    let status = response.status_code();
    let link = if status == 200 {
        Some(response.json().await?)
    } else {
        None
    };
    Ok((status, link))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_have_a_host() {
        assert_eq!(
            host_of("https://Example.com/a?b#c").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            host_of("http://user@host.example:8080/x").as_deref(),
            Some("host.example")
        );
        assert_eq!(host_of("ftp://example.com"), None);
        assert_eq!(host_of("https:///path"), None);
    }

    #[test]
    fn blocked_hosts_and_their_subdomains_are_refused() {
        assert_eq!(refusal("evil.example"), Some("blocklisted host"));
        assert_eq!(refusal("www.phish.example"), Some("blocklisted host"));
        assert_eq!(refusal("notevil.example"), None);
        assert_eq!(refusal("example.com"), None);
    }

    #[test]
    fn a_url_always_gets_the_same_seven_character_code() {
        let code = short_code("https://example.com/docs");
        assert_eq!(code.len(), 7);
        assert_eq!(code, short_code("https://example.com/docs"));
        assert_ne!(code, short_code("https://example.com/blog"));
    }
}

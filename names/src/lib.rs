//! Naming rules shared by `tallymark-macros` (which applies them to route patterns at compile time)
//! and `tallymark` (which applies them to concrete request paths), so both always agree.
#![warn(missing_docs)]

/// The event name of an HTTP request, by the reference system's rule
/// (`deriveHttpEventName` in KiloClaw's `src/middleware/analytics.ts`):
///
/// 1. strip one leading `/api/`, then one leading `/`;
/// 2. split on `/`, dropping empty segments and route parameters (segments starting with `:`);
/// 3. join what remains with `.` (the *tail*);
/// 4. map the verb case-sensitively: `GET` → `get`, `POST` → `create`, `PUT`/`PATCH` → `update`,
///    `DELETE` → `delete`, anything else lowercased;
/// 5. `http.<verb>` when the tail is empty, else `<tail>.<verb>`.
///
/// ```
/// use tallymark_names::http_event_name;
/// assert_eq!(http_event_name("GET", "/api/admin/storage"), "admin.storage.get");
/// assert_eq!(http_event_name("PATCH", "/api/platform/kilocode-config"), "platform.kilocode-config.update");
/// assert_eq!(http_event_name("DELETE", "/api/users/:id"), "users.delete");
/// assert_eq!(http_event_name("GET", "/"), "http.get");
/// ```
pub fn http_event_name(method: &str, path: &str) -> String {
    let path = path.strip_prefix("/api/").unwrap_or(path);
    let path = path.strip_prefix('/').unwrap_or(path);
    let mut name = String::with_capacity(path.len() + 8);
    for segment in path
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with(':'))
    {
        name.push_str(segment);
        name.push('.');
    }
    if name.is_empty() {
        name.push_str("http.");
    }
    match method {
        "GET" => name.push_str("get"),
        "POST" => name.push_str("create"),
        "PUT" | "PATCH" => name.push_str("update"),
        "DELETE" => name.push_str("delete"),
        other => name.push_str(&other.to_lowercase()),
    }
    name
}

/// Splits a route string `"<METHOD> <path>"` as the reference does
/// (`method = route.split(' ', 1)[0]`, `path = route.slice(method.length + 1)`).
///
/// ```
/// assert_eq!(tallymark_names::split_route("GET /api/kiloclaw/status"), ("GET", "/api/kiloclaw/status"));
/// assert_eq!(tallymark_names::split_route("GET"), ("GET", ""));
/// ```
pub fn split_route(route: &str) -> (&str, &str) {
    match route.split_once(' ') {
        Some((method, path)) => (method, path),
        None => (route, ""),
    }
}

/// `RestartSelfHealed` → `restart_self_healed`.
///
/// ```
/// assert_eq!(tallymark_names::snake_case("ApiKeyMintError"), "api_key_mint_error");
/// assert_eq!(tallymark_names::snake_case("Http"), "http");
/// ```
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_wrapped_routes() {
        let cases = [
            ("GET /api/admin/storage", "admin.storage.get"),
            ("POST /api/admin/storage/sync", "admin.storage.sync.create"),
            (
                "POST /api/admin/machine/restart",
                "admin.machine.restart.create",
            ),
            (
                "POST /api/admin/gateway/restart",
                "admin.gateway.restart.create",
            ),
            ("GET /api/admin/public-key", "admin.public-key.get"),
            (
                "GET /api/admin/google-credentials",
                "admin.google-credentials.get",
            ),
            (
                "POST /api/admin/google-credentials",
                "admin.google-credentials.create",
            ),
            (
                "DELETE /api/admin/google-credentials",
                "admin.google-credentials.delete",
            ),
            ("GET /api/kiloclaw/config", "kiloclaw.config.get"),
            ("GET /api/kiloclaw/status", "kiloclaw.status.get"),
        ];
        for (route, event) in cases {
            let (method, path) = split_route(route);
            assert_eq!(http_event_name(method, path), event, "{route}");
        }
    }

    #[test]
    fn reference_platform_paths() {
        let cases = [
            (
                "POST",
                "/api/platform/provision",
                "platform.provision.create",
            ),
            (
                "PATCH",
                "/api/platform/kilocode-config",
                "platform.kilocode-config.update",
            ),
            ("GET", "/api/platform/files/read", "platform.files.read.get"),
            (
                "DELETE",
                "/api/platform/gmail-notifications",
                "platform.gmail-notifications.delete",
            ),
            (
                "GET",
                "/api/platform/versions/latest",
                "platform.versions.latest.get",
            ),
            // The platform sub-app tested directly sees the un-prefixed path.
            ("POST", "/start", "start.create"),
        ];
        for (method, path, event) in cases {
            assert_eq!(http_event_name(method, path), event);
        }
    }

    #[test]
    fn verb_map_is_case_sensitive_and_falls_back_to_lowercase() {
        assert_eq!(http_event_name("PUT", "/api/x"), "x.update");
        assert_eq!(http_event_name("OPTIONS", "/api/x"), "x.options");
        assert_eq!(http_event_name("HEAD", "/api/x"), "x.head");
        assert_eq!(http_event_name("post", "/api/x"), "x.post");
        assert_eq!(http_event_name("Get", "/api/x"), "x.get");
    }

    #[test]
    fn prefixes_params_and_empty_segments() {
        // Only one leading `/api/` is stripped, then one leading `/`.
        assert_eq!(http_event_name("GET", "/api/api/x"), "api.x.get");
        assert_eq!(http_event_name("GET", "/apix/y"), "apix.y.get");
        assert_eq!(http_event_name("GET", "/api"), "api.get");
        assert_eq!(http_event_name("GET", "api/x"), "api.x.get");
        assert_eq!(http_event_name("GET", "//a//b/"), "a.b.get");
        assert_eq!(
            http_event_name("GET", "/api/users/:id/keys/:key"),
            "users.keys.get"
        );
        assert_eq!(http_event_name("POST", "/api/"), "http.create");
        assert_eq!(http_event_name("GET", ""), "http.get");
        assert_eq!(http_event_name("DELETE", "/api/:id"), "http.delete");
        // Hyphens and other characters inside segments are kept.
        assert_eq!(
            http_event_name("GET", "/api/a_b/c-d/e.f"),
            "a_b.c-d.e.f.get"
        );
    }

    #[test]
    fn split_route_splits_at_the_first_space() {
        assert_eq!(split_route("POST /a b"), ("POST", "/a b"));
        assert_eq!(split_route(""), ("", ""));
    }
}

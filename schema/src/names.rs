//! The naming rules of tallymark, shared by `tallymark-macros` (which applies them to route
//! patterns at compile time) and `tallymark` (which applies them to concrete request paths at run
//! time), so both always agree; and the roles instrumentation fills, declared once for both.

/// A rule that names the event of an HTTP call from its method and path.
///
/// Every rule drops empty path segments and route parameters (segments starting with `:` or
/// `*`, as workers-rs writes them, and whole segments in braces, `{id}` or `{*rest}`, as axum 0.8
/// writes them), so a route pattern and the concrete paths it matches get the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamingRule {
    /// The default: the remaining segments joined with `.`, then the method lowercased:
    /// `GET /users/:id/keys` → `users.keys.get`; `http.<method>` when no segment remains.
    PathMethod,
    /// REST words for the verbs: one leading `/api/` stripped, then the segments joined with `.`,
    /// then `GET` → `get`, `POST` → `create`, `PUT` and `PATCH` → `update`, `DELETE` → `delete`,
    /// any other method lowercased (`POST /api/admin/storage/sync` → `admin.storage.sync.create`).
    ApiCrud,
}

impl NamingRule {
    /// Every built-in rule, in the order of [`NamingRule::position`].
    pub const ALL: [NamingRule; 2] = [NamingRule::PathMethod, NamingRule::ApiCrud];

    /// The rule's name as written in attributes: `path_method`, `api_crud`.
    pub const fn attribute_name(self) -> &'static str {
        match self {
            NamingRule::PathMethod => "path_method",
            NamingRule::ApiCrud => "api_crud",
        }
    }

    /// The rule named `name` in an attribute.
    pub fn from_attribute_name(name: &str) -> Option<Self> {
        NamingRule::ALL
            .into_iter()
            .find(|rule| rule.attribute_name() == name)
    }

    /// This rule's position in [`NamingRule::ALL`].
    pub const fn position(self) -> usize {
        match self {
            NamingRule::PathMethod => 0,
            NamingRule::ApiCrud => 1,
        }
    }

    /// The event name of a call with this `method` and `path`.
    ///
    /// ```
    /// use tallymark_schema::names::NamingRule;
    /// assert_eq!(NamingRule::PathMethod.name("GET", "/users/:id/keys"), "users.keys.get");
    /// assert_eq!(NamingRule::PathMethod.name("POST", "/api/links"), "api.links.post");
    /// assert_eq!(NamingRule::ApiCrud.name("POST", "/api/links"), "links.create");
    /// assert_eq!(NamingRule::ApiCrud.name("PATCH", "/api/platform/kilocode-config"), "platform.kilocode-config.update");
    /// assert_eq!(NamingRule::PathMethod.name("GET", "/"), "http.get");
    /// assert_eq!(NamingRule::PathMethod.name("GET", "/links/{code}/stats"), "links.stats.get");
    /// ```
    pub fn name(self, method: &str, path: &str) -> String {
        let path = match self {
            NamingRule::PathMethod => path,
            NamingRule::ApiCrud => path.strip_prefix("/api/").unwrap_or(path),
        };
        let mut name = String::with_capacity(path.len() + 8);
        for segment in path
            .split('/')
            .filter(|s| !s.is_empty() && !is_parameter(s))
        {
            name.push_str(segment);
            name.push('.');
        }
        if name.is_empty() {
            name.push_str("http.");
        }
        match (self, method) {
            (NamingRule::ApiCrud, "GET") => name.push_str("get"),
            (NamingRule::ApiCrud, "POST") => name.push_str("create"),
            (NamingRule::ApiCrud, "PUT" | "PATCH") => name.push_str("update"),
            (NamingRule::ApiCrud, "DELETE") => name.push_str("delete"),
            (_, other) => name.push_str(&other.to_lowercase()),
        }
        name
    }
}

/// Whether a non-empty path segment is a route parameter: `:id` or `*rest` (workers-rs), `{id}` or
/// `{*rest}` (axum 0.8). A segment that opens with `{{` is axum's escaped literal brace, not a
/// parameter.
fn is_parameter(segment: &str) -> bool {
    segment.starts_with([':', '*'])
        || (segment.len() >= 2
            && segment.starts_with('{')
            && segment.ends_with('}')
            && !segment.starts_with("{{"))
}

/// Splits a route string `"<METHOD> <path>"` at its first space.
///
/// ```
/// assert_eq!(tallymark_schema::names::split_route("GET /users/:id"), ("GET", "/users/:id"));
/// assert_eq!(tallymark_schema::names::split_route("GET"), ("GET", ""));
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
/// assert_eq!(tallymark_schema::names::snake_case("ApiKeyMintError"), "api_key_mint_error");
/// assert_eq!(tallymark_schema::names::snake_case("Http"), "http");
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

/// The kind of slot a role's field must occupy for instrumentation to fill it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleSlot {
    /// A blob or the index.
    Text,
    /// A double.
    Number,
}

/// A fact of an instrumented call that instrumentation writes into a layout without knowing it:
/// into the field of the role's name, when the layout declares one in a slot of the role's kind,
/// and nowhere otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The event name: field `event`, else the index (unless the index is field `route`,
    /// `error` or `outcome`).
    Event,
    /// The HTTP route pattern (`GET /users/:id`): field `route`.
    Route,
    /// The error text: field `error`.
    Error,
    /// `ok`, `error`, `cancelled` or `panicked`: field `outcome`.
    Outcome,
    /// The call's duration in milliseconds: field `duration_ms`.
    DurationMs,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::Event,
        Role::Route,
        Role::Error,
        Role::Outcome,
        Role::DurationMs,
    ];

    /// The name of the layout field this role fills.
    pub const fn field(self) -> &'static str {
        match self {
            Role::Event => "event",
            Role::Route => "route",
            Role::Error => "error",
            Role::Outcome => "outcome",
            Role::DurationMs => "duration_ms",
        }
    }

    /// The kind of slot the field must occupy.
    pub const fn slot(self) -> RoleSlot {
        match self {
            Role::DurationMs => RoleSlot::Number,
            _ => RoleSlot::Text,
        }
    }

    /// This role's position in [`Role::ALL`].
    pub const fn position(self) -> usize {
        match self {
            Role::Event => 0,
            Role::Route => 1,
            Role::Error => 2,
            Role::Outcome => 3,
            Role::DurationMs => 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(method: &str, path: &str) -> (String, String) {
        (
            NamingRule::PathMethod.name(method, path),
            NamingRule::ApiCrud.name(method, path),
        )
    }

    #[test]
    fn the_two_rules_differ_only_in_the_api_prefix_and_the_verbs() {
        let cases = [
            (
                "GET",
                "/api/admin/storage",
                "api.admin.storage.get",
                "admin.storage.get",
            ),
            (
                "POST",
                "/api/admin/storage/sync",
                "api.admin.storage.sync.post",
                "admin.storage.sync.create",
            ),
            ("PUT", "/x", "x.put", "x.update"),
            ("PATCH", "/x", "x.patch", "x.update"),
            ("DELETE", "/users/:id", "users.delete", "users.delete"),
            ("OPTIONS", "/x", "x.options", "x.options"),
            ("post", "/x", "x.post", "x.post"),
            ("GET", "/", "http.get", "http.get"),
            ("POST", "/api/", "api.post", "http.create"),
        ];
        for (method, path, plain, crud) in cases {
            assert_eq!(
                both(method, path),
                (plain.to_owned(), crud.to_owned()),
                "{method} {path}"
            );
        }
    }

    #[test]
    fn parameters_wildcards_and_empty_segments_are_dropped() {
        assert_eq!(both("GET", "/users/:id/keys/:key").0, "users.keys.get");
        assert_eq!(both("GET", "/files/*rest").0, "files.get");
        assert_eq!(both("GET", "//a//b/").0, "a.b.get");
        assert_eq!(both("GET", "").0, "http.get");
        assert_eq!(both("GET", "/a_b/c-d/e.f").0, "a_b.c-d.e.f.get");
    }

    #[test]
    fn axum_brace_parameters_are_dropped_like_colon_ones() {
        assert_eq!(both("GET", "/users/{id}/keys/{key}").0, "users.keys.get");
        assert_eq!(both("GET", "/files/{*rest}").0, "files.get");
        assert_eq!(both("DELETE", "/api/links/{code}").1, "links.delete");
        assert_eq!(
            both("GET", "/users/{id}/keys"),
            both("GET", "/users/:id/keys"),
            "the two syntaxes of one route name alike"
        );
        assert_eq!(both("GET", "/{code}").0, "http.get");
    }

    #[test]
    fn braces_that_are_not_a_whole_parameter_segment_are_kept() {
        // axum's escaped literal braces, and segments that merely contain a brace.
        assert_eq!(both("GET", "/{{literal}}").0, "{{literal}}.get");
        assert_eq!(both("GET", "/a{b}").0, "a{b}.get");
        assert_eq!(both("GET", "/{b}c").0, "{b}c.get");
        assert_eq!(both("GET", "/{").0, "{.get");
        assert_eq!(both("GET", "/}").0, "}.get");
    }

    #[test]
    fn only_one_leading_api_prefix_is_stripped() {
        assert_eq!(both("GET", "/api/api/x").1, "api.x.get");
        assert_eq!(both("GET", "/apix/y").1, "apix.y.get");
        assert_eq!(both("GET", "/api").1, "api.get");
        assert_eq!(both("DELETE", "/api/:id").1, "http.delete");
    }

    #[test]
    fn rules_round_trip_through_their_attribute_names() {
        for rule in NamingRule::ALL {
            assert_eq!(
                NamingRule::from_attribute_name(rule.attribute_name()),
                Some(rule)
            );
            assert_eq!(NamingRule::ALL[rule.position()], rule);
        }
        assert_eq!(NamingRule::from_attribute_name("kebab"), None);
    }

    #[test]
    fn each_role_is_at_its_position() {
        for role in Role::ALL {
            assert_eq!(Role::ALL[role.position()], role);
        }
    }

    #[test]
    fn split_route_splits_at_the_first_space() {
        assert_eq!(split_route("POST /a b"), ("POST", "/a b"));
        assert_eq!(split_route(""), ("", ""));
    }
}

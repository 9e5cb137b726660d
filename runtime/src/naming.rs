//! How an HTTP call's event is named: a choice per layout (`#[layout(.., naming = "...")]`) or per
//! attribute (`#[instrumented(.., naming = ...)]`), the way serde makes `rename_all` a choice.

use tallymark_schema::names::NamingRule;

/// The rule that names an HTTP call's event from its method and route.
///
/// | rule | attribute | `GET /api/users/:id` | `POST /api/users` |
/// |---|---|---|---|
/// | [`EventNaming::PathMethod`] (the default) | `naming = "path_method"` | `api.users.get` | `api.users.post` |
/// | [`EventNaming::ApiCrud`] | `naming = "api_crud"` | `users.get` | `users.create` |
/// | [`EventNaming::Custom`] | `naming = my_rule` | `my_rule("GET", "/api/users/:id")` | … |
///
/// Every built-in rule drops empty segments and route parameters (`:id`, `*rest`, and axum's
/// `{id}`, `{*rest}`), joins the remaining segments with `.`, and names a call with no segment
/// left `http.<verb>`.
/// [`EventNaming::ApiCrud`] also strips one leading `/api/` and writes `POST` as `create`, `PUT`
/// and `PATCH` as `update`, `DELETE` as `delete`; other methods are lowercased by both.
///
/// `#[instrumented]` applies a built-in rule to its route at compile time; a custom rule runs at
/// each call, so it costs an allocation per call. A custom rule is a `fn(&str, &str) -> String`: a
/// function, or a static or constant holding one.
#[derive(Debug, Clone, Copy)]
pub enum EventNaming {
    /// `<segments>.<method lowercased>`.
    PathMethod,
    /// `/api/` stripped, `<segments>.<get|create|update|delete>`.
    ApiCrud,
    /// A function of the method and the route (or path, for [`crate::Call::http`]).
    Custom(fn(method: &str, route: &str) -> String),
}

impl EventNaming {
    /// The event name of a call with this `method` and `route`.
    ///
    /// ```
    /// use tallymark::EventNaming;
    /// assert_eq!(EventNaming::PathMethod.name("DELETE", "/links/:code"), "links.delete");
    /// assert_eq!(EventNaming::ApiCrud.name("POST", "/api/links"), "links.create");
    /// ```
    pub fn name(&self, method: &str, route: &str) -> String {
        match self {
            EventNaming::PathMethod => NamingRule::PathMethod.name(method, route),
            EventNaming::ApiCrud => NamingRule::ApiCrud.name(method, route),
            EventNaming::Custom(rule) => rule(method, route),
        }
    }

    /// The position of a built-in rule among the names `#[instrumented]` computes at compile
    /// time, or `None` for a custom rule.
    pub(crate) const fn builtin_position(&self) -> Option<usize> {
        match self {
            EventNaming::PathMethod => Some(NamingRule::PathMethod.position()),
            EventNaming::ApiCrud => Some(NamingRule::ApiCrud.position()),
            EventNaming::Custom(_) => None,
        }
    }
}

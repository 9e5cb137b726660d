//! Where an instrumented function is: the event name and route its attribute gives, as constants.
//!
//! `#[instrumented]` writes one [`Callsite`] per function, a constant in static memory. A call
//! carries a reference to it, and the runtime fills every call's start from it (one function per
//! layout), so an instrumented function adds no code of its own for what is the same at every
//! call.

use crate::call::fill_names;
use crate::layout::Layout;
use crate::naming::EventNaming;
use crate::value::Blob;
use std::borrow::Cow;
use tallymark_schema::names::NamingRule;

/// What every call of one instrumented function starts with: its event name and its route.
#[derive(Debug)]
pub struct Callsite {
    /// How the call's event is named.
    pub event: CallsiteEvent,
    /// The route (`"GET /users/:id"`), when the attribute gives one.
    pub route: Option<&'static str>,
}

/// How an instrumented function's event is named.
#[derive(Debug)]
pub enum CallsiteEvent {
    /// As written: the attribute's `event = "..."`, or its route named by the built-in rule the
    /// attribute chose; empty after a compile error the attribute reported.
    Named(&'static str),
    /// From the route, by the layout's rule: for a built-in rule, its name among `builtin`
    /// (never computed at run time); for a custom rule, what the rule returns.
    ByLayout {
        /// The name each built-in rule gives the route, computed at compile time, in the order
        /// of `NamingRule::ALL`.
        builtin: &'static [&'static str; NamingRule::ALL.len()],
        /// The route's method.
        method: &'static str,
        /// The route's path pattern.
        path: &'static str,
    },
    /// From the route, by the attribute's custom rule (`naming = path::to::rule`).
    Custom {
        /// The rule.
        rule: fn(method: &str, route: &str) -> String,
        /// The route's method.
        method: &'static str,
        /// The route's path pattern.
        path: &'static str,
    },
}

impl Callsite {
    /// Sets the event name and route of a call of layout `L` on its `point`.
    #[inline]
    pub(crate) fn fill<'a, L: Layout>(&self, point: &mut L::Point<'a>) {
        let route = self.route.map(|route| Blob::Text(Cow::Borrowed(route)));
        fill_names::<L>(point, self.event_name(L::SCHEMA.naming()), route);
    }

    /// The event name, with `layout_naming` the rule of the call's layout. Only a custom rule
    /// runs: a built-in rule's name was computed at compile time.
    fn event_name(&self, layout_naming: EventNaming) -> Blob<'static> {
        let name = match self.event {
            CallsiteEvent::Named(name) => name,
            CallsiteEvent::Custom { rule, method, path } => {
                return Blob::Text(Cow::Owned(rule(method, path)))
            }
            CallsiteEvent::ByLayout {
                builtin,
                method,
                path,
            } => match layout_naming {
                EventNaming::Custom(rule) => return Blob::Text(Cow::Owned(rule(method, path))),
                // A built-in rule has a position in `NamingRule::ALL`, as long as `builtin`.
                built_in => built_in
                    .builtin_position()
                    .and_then(|position| builtin.get(position).copied())
                    .unwrap_or_default(),
            },
        };
        Blob::Text(Cow::Borrowed(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tallymark_schema::names::NamingRule;

    const ROUTE: Callsite = Callsite {
        event: CallsiteEvent::ByLayout {
            builtin: &["api.users.put", "users.update"],
            method: "PUT",
            path: "/api/users/:id",
        },
        route: Some("PUT /api/users/:id"),
    };

    fn text(blob: Blob<'_>) -> String {
        match blob {
            Blob::Text(text) => text.into_owned(),
            other => panic!("text expected, got {other:?}"),
        }
    }

    #[test]
    fn the_builtin_names_follow_the_order_of_the_rules() {
        assert_eq!(NamingRule::PathMethod.position(), 0);
        assert_eq!(NamingRule::ApiCrud.position(), 1);
        let name = |naming| text(ROUTE.event_name(naming));
        assert_eq!(name(EventNaming::PathMethod), "api.users.put");
        assert_eq!(name(EventNaming::ApiCrud), "users.update");
    }

    #[test]
    fn a_custom_rule_names_the_route_at_each_call() {
        fn shout(method: &str, path: &str) -> String {
            format!("{method}{path}").to_uppercase()
        }
        assert_eq!(
            text(ROUTE.event_name(EventNaming::Custom(shout))),
            "PUT/API/USERS/:ID"
        );
        let own_rule = Callsite {
            event: CallsiteEvent::Custom {
                rule: shout,
                method: "GET",
                path: "/x",
            },
            route: None,
        };
        // The attribute's rule wins over the layout's.
        assert_eq!(text(own_rule.event_name(EventNaming::PathMethod)), "GET/X");
    }

    #[test]
    fn a_name_as_written_ignores_the_rules() {
        let named = Callsite {
            event: CallsiteEvent::Named("job.run"),
            route: None,
        };
        assert_eq!(text(named.event_name(EventNaming::ApiCrud)), "job.run");
    }
}

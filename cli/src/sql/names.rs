//! Field names from a schema lock, resolved to AE's columns in every clause (`user_id` →
//! `blob2`), and every other name checked: a column, an alias of the query, or an error listing
//! the dataset's fields. A field selected bare keeps its name as the column's (`blob2 AS user_id`).

use super::Rejection;
use crate::store::{self, is_column};
use sqlparser::ast::{
    visit_expressions_mut, Expr, GroupByExpr, Ident, LimitClause, OrderByKind, Query, SelectItem,
    SetExpr, TableFactor,
};
use std::ops::ControlFlow;
use std::path::Path;
use tallymark_schema::{Lock, Place};

/// The field names of every dataset of a schema lock (none without a lock).
#[derive(Debug, Default, Clone)]
pub struct Names {
    lock: Lock,
}

/// What the names in one SELECT can refer to.
struct Scope {
    /// The dataset read, when FROM names one.
    dataset: Option<String>,
    /// The columns FROM provides (AE's columns, or a subquery's output names).
    columns: Vec<String>,
    /// Field name → column, from the lock.
    fields: Vec<(String, String)>,
    /// The aliases the SELECT defines, with the position of the item defining each.
    aliases: Vec<(String, usize)>,
}

impl Names {
    /// The names of the lock at `path`, or of `./tallymark.lock` when `path` is `None` and it
    /// exists; none otherwise.
    pub fn load(path: Option<&Path>) -> Result<Names, String> {
        Ok(Names {
            lock: crate::schema::read_given_or_beside(path, Path::new(""))?.0,
        })
    }

    /// The names of a lock already read.
    pub fn from_lock(lock: Lock) -> Names {
        Names { lock }
    }

    /// Field name → column for `dataset` (a field that is the index and a blob maps to its blob).
    fn fields(&self, dataset: &str) -> Vec<(String, String)> {
        let Some(section) = self.lock.sections.iter().find(|s| s.dataset == dataset) else {
            return Vec::new();
        };
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut entries: Vec<_> = section.entries.iter().filter(|e| !e.retired()).collect();
        // Blobs and doubles first, so a field that is also the index is read from its blob.
        entries.sort_by_key(|e| (e.place == Place::Index, e.place.order()));
        for entry in entries {
            if !fields.iter().any(|(name, _)| *name == entry.field) {
                fields.push((entry.field.clone(), entry.place.column()));
            }
        }
        fields
    }

    /// Resolves every name of `query` (and its subquery); returns the query's output names.
    pub fn resolve(&self, query: &mut Query) -> Result<Vec<String>, Rejection> {
        let SetExpr::Select(select) = query.body.as_mut() else {
            return match query.body.as_mut() {
                SetExpr::Query(inner) => self.resolve(inner),
                _ => Ok(Vec::new()),
            };
        };
        let mut scope = match select.from.first_mut().map(|from| &mut from.relation) {
            Some(TableFactor::Table { name, .. }) => {
                let dataset = name.to_string();
                Scope {
                    fields: self.fields(&dataset),
                    dataset: Some(dataset),
                    columns: store::columns(),
                    aliases: Vec::new(),
                }
            }
            Some(TableFactor::Derived { subquery, .. }) => Scope {
                dataset: None,
                columns: self.resolve(subquery)?,
                fields: Vec::new(),
                aliases: Vec::new(),
            },
            _ => Scope {
                dataset: None,
                columns: Vec::new(),
                fields: Vec::new(),
                aliases: Vec::new(),
            },
        };
        for (i, item) in select.projection.iter().enumerate() {
            if let SelectItem::ExprWithAlias { alias, .. } = item {
                scope.aliases.push((alias.value.clone(), i));
            }
        }
        let mut outputs = Vec::new();
        for (i, item) in select.projection.iter_mut().enumerate() {
            match item {
                SelectItem::UnnamedExpr(Expr::Identifier(ident))
                    if scope.field(&ident.value).is_some() =>
                {
                    let name = ident.clone();
                    let column = scope
                        .field_column(&name.value, Some(i))?
                        .unwrap_or_default();
                    *item = SelectItem::ExprWithAlias {
                        expr: Expr::Identifier(Ident::new(column)),
                        alias: name.clone(),
                    };
                    outputs.push(name.value);
                }
                SelectItem::UnnamedExpr(expr) => {
                    scope.rewrite(expr, Some(i))?;
                    outputs.push(match expr {
                        Expr::Identifier(ident) => ident.value.clone(),
                        other => other.to_string(),
                    });
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    scope.rewrite(expr, Some(i))?;
                    outputs.push(alias.value.clone());
                }
                SelectItem::Wildcard(_) => outputs.extend(scope.columns.iter().cloned()),
                SelectItem::QualifiedWildcard(..) => {}
            }
        }
        if let Some(expr) = select.selection.as_mut() {
            scope.rewrite(expr, None)?;
        }
        if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
            for expr in exprs {
                scope.rewrite(expr, None)?;
            }
        }
        if let Some(expr) = select.having.as_mut() {
            scope.rewrite(expr, None)?;
        }
        if let Some(order_by) = query.order_by.as_mut() {
            if let OrderByKind::Expressions(exprs) = &mut order_by.kind {
                for order in exprs {
                    scope.rewrite(&mut order.expr, None)?;
                }
            }
        }
        if let Some(LimitClause::LimitOffset { limit, offset, .. }) = query.limit_clause.as_mut() {
            if let Some(limit) = limit {
                scope.rewrite(limit, None)?;
            }
            if let Some(offset) = offset {
                scope.rewrite(&mut offset.value, None)?;
            }
        }
        Ok(outputs)
    }
}

impl Scope {
    fn field(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, column)| column.clone())
    }

    /// Rewrites the names in `expr`, an item of the projection at `item` or another clause.
    fn rewrite(&self, expr: &mut Expr, item: Option<usize>) -> Result<(), Rejection> {
        let flow = visit_expressions_mut(expr, |e| {
            let Expr::Identifier(ident) = e else {
                return ControlFlow::Continue(());
            };
            match self.resolve(&ident.value, item) {
                Ok(Some(column)) => *ident = Ident::new(column),
                Ok(None) => {}
                Err(rejection) => return ControlFlow::Break(rejection),
            }
            ControlFlow::Continue(())
        });
        match flow {
            ControlFlow::Break(rejection) => Err(rejection),
            ControlFlow::Continue(()) => Ok(()),
        }
    }

    /// What `name` becomes: `None` to keep it, a column for a field, or why it is wrong.
    fn resolve(&self, name: &str, item: Option<usize>) -> Result<Option<String>, Rejection> {
        // An alias is looked up before a column of the same name: ClickHouse substitutes it for
        // the column (setting prefer_column_name_to_alias, default 0), except in its own
        // expression, where the name is the column.
        let defined_at = self
            .aliases
            .iter()
            .find(|(alias, _)| alias == name)
            .map(|(_, at)| *at);
        if let (Some(i), Some(at)) = (item, defined_at) {
            if i != at {
                return Err(Rejection {
                    reason: format!(
                        "AE rejects a SELECT alias used inside another selected expression (`{name}`)"
                    ),
                    fix: "repeat the aliased expression instead of its alias, or compute it in a subquery in FROM".to_owned(),
                });
            }
        }
        let from_table = self.dataset.is_some();
        // In its own expression (`max(duration_ms) AS duration_ms`) the name is a column or a
        // field, resolved as any other.
        let own = item.is_some() && item == defined_at;
        if (defined_at.is_some() && !own)
            || (from_table && is_column(name))
            || (!from_table && self.columns.iter().any(|c| c == name))
        {
            return Ok(None);
        }
        match self.field_column(name, item)? {
            Some(column) => Ok(Some(column)),
            None => Err(self.unknown(name)),
        }
    }

    /// The column of field `name`, read in the projection's item `item` or another clause; an
    /// error when an alias of another item has the column's name, since AE would read the alias
    /// there (ClickHouse prefers an alias to a column of the same name).
    fn field_column(&self, name: &str, item: Option<usize>) -> Result<Option<String>, Rejection> {
        let Some(column) = self.field(name) else {
            return Ok(None);
        };
        if self
            .aliases
            .iter()
            .any(|(alias, at)| *alias == column && item != Some(*at))
        {
            return Err(Rejection {
                reason: format!(
                    "field `{name}` is column `{column}`, which the alias `{column}` hides: AE reads the alias"
                ),
                fix: format!("give the alias `{column}` another name"),
            });
        }
        Ok(Some(column))
    }

    fn unknown(&self, name: &str) -> Rejection {
        match (&self.dataset, self.fields.is_empty()) {
            (Some(dataset), false) => Rejection {
                reason: format!(
                    "unknown column `{name}`: dataset `{dataset}` has the fields {}",
                    self.fields
                        .iter()
                        .map(|(field, column)| format!("{field} ({column})"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                fix: "use one of those fields, or a column: timestamp, _sample_interval, index1, blob1..blob20, double1..double20".to_owned(),
            },
            (Some(dataset), true) => Rejection {
                reason: format!(
                    "unknown column `{name}`: dataset `{dataset}` has the columns dataset, timestamp, _sample_interval, index1, blob1..blob20, double1..double20"
                ),
                fix: "use a column, or give a schema lock (--lock tallymark.lock) to use field names".to_owned(),
            },
            (None, _) => Rejection {
                reason: format!(
                    "unknown column `{name}`: the subquery gives {}",
                    self.columns.join(", ")
                ),
                fix: "name a column the subquery selects (alias it there with AS)".to_owned(),
            },
        }
    }
}

//! The schema lock: `tallymark.lock` beside the crate's `Cargo.toml` records, per layout, its
//! dataset and binding and what each slot holds. A layout is checked against it at compile time,
//! so a slot never silently changes meaning in a dataset that already has rows.
//!
//! Rules, for a crate with a lock (a crate without one is not checked):
//! - errors, at the offending token, quoting the lock's line: a field moved to another slot; a
//!   slot whose kind changed; a slot that held another field (unless the field says
//!   `#[renamed_from = "old"]`); a retired slot used again; a renamed dataset; a field removed
//!   while its slot is not retired in the lock;
//! - "out of date", a warning (so `-D warnings` fails CI): a layout not in the lock, a field
//!   appended to a free slot, a rename, a changed doc comment or binding;
//! - with `TALLYMARK_LOCK=write` in the environment, the layout's section is rewritten from the
//!   layout instead of checked (the slots of removed fields become `retired`), in the crates cargo
//!   was asked for only (`CARGO_PRIMARY_PACKAGE`), never in their dependencies.
//!
//! - the values of each `FixedText` enum are recorded too: a removed value is an error at the
//!   enum, an added one makes the lock out of date.
//!
//! The file's format (types, parser, renderer) is the `tallymark-schema` crate, shared with the
//! `tallymark` command; this module is what the macros do with it. Where the lock comes from is the
//! caller's [`LockSource`]: only [`LockSource::Crate`] reads the environment and the file system.

use crate::errors::Errors;
use crate::layout::validate::{Field, Layout, Slot};
use crate::LockSource;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use std::path::{Path, PathBuf};
use syn::ext::IdentExt as _;
use tallymark_schema::{parse, render, Entry, EnumValues, Lock, Place, Section, FILE_NAME};

/// A lock opened for checking: its file (`None` for a lock given as text), whether
/// `TALLYMARK_LOCK=write` asks to rewrite it, and its content (empty when writing a new one).
type Opened = (Option<PathBuf>, bool, Lock);

/// The lock `source` names. `None` when there is none (a crate without a lock); an error message
/// when it cannot be read.
fn open(source: LockSource<'_>) -> Option<Result<Opened, String>> {
    let parsed = |text: &str, path: Option<PathBuf>, writing: bool| {
        parse(text)
            .map(|lock| (path, writing, lock))
            .map_err(|message| format!("{FILE_NAME} {message}"))
    };
    match source {
        LockSource::Absent => None,
        LockSource::Text(text) => Some(parsed(text, None, false)),
        LockSource::Crate => {
            let (path, writing, text) = read_crate_lock()?;
            Some(parsed(&text, Some(path), writing))
        }
    }
}

/// The lock of the crate being compiled: its path, whether `TALLYMARK_LOCK=write` asks to rewrite
/// it, and its text (empty when writing a new one). `None` when the crate has no lock.
fn read_crate_lock() -> Option<(PathBuf, bool, String)> {
    let path = lock_path()?;
    // `TALLYMARK_LOCK=write cargo check -p app` rewrites app's lock, not its dependencies'.
    let writing =
        std::env::var("TALLYMARK_LOCK").is_ok_and(|mode| mode == "write") && primary_package();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(_) if writing => String::new(),
        Err(_) => return None,
    };
    Some((path, writing, text))
}

/// [`open`] for the item `at`: a lock that cannot be read is an error there.
fn open_for(at: &syn::Ident, source: LockSource<'_>, errors: &mut Errors) -> Option<Opened> {
    match open(source)? {
        Ok(opened) => Some(opened),
        Err(message) => {
            errors.at(at, message);
            None
        }
    }
}

/// Writes `lock` to `path` (nowhere for a lock given as text), reporting a failure at `at`.
fn save(path: Option<&Path>, lock: &Lock, at: &syn::Ident, errors: &mut Errors) {
    let Some(path) = path else { return };
    if let Err(error) = std::fs::write(path, render(lock)) {
        errors.at(at, format!("cannot write {}: {error}", path.display()));
    }
}

/// The kind a field's slot holds, as the lock records it.
fn kind_of(field: &Field<'_>, place: Place) -> String {
    let ty = field.decl.ty.to_token_stream().to_string().replace(' ', "");
    let kind = match (place, ty.as_str()) {
        (Place::Double(_), _) => "number".to_owned(),
        (_, "String") => "text".to_owned(),
        (_, "Vec<u8>") => "bytes".to_owned(),
        (_, other) => format!("enum {other}"),
    };
    match &field.decl.privacy {
        // What a hashed or redacted slot holds is not the value: another kind.
        Some(privacy) => format!("{kind} {privacy}"),
        None => kind,
    }
}

/// The layout's slots, as lock entries.
fn entries_of<'l, 'd>(layout: &'l Layout<'d>) -> Vec<(Entry, &'l Field<'d>)> {
    let mut entries = Vec::new();
    for field in &layout.fields {
        let mut places = Vec::new();
        if field.index {
            places.push(Place::Index);
        }
        match field.slot {
            Some(Slot::Blob(n)) => places.push(Place::Blob(n)),
            Some(Slot::Double(n)) => places.push(Place::Double(n)),
            None => {}
        }
        for place in places {
            let entry = Entry {
                place,
                field: field.decl.ident.unraw().to_string(),
                kind: kind_of(field, place),
                doc: field
                    .decl
                    .doc
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
                line: None,
            };
            entries.push((entry, field));
        }
    }
    entries
}

/// Whether the crate being compiled is one the user asked cargo for, not a dependency of it.
fn primary_package() -> bool {
    std::env::var_os("CARGO_PRIMARY_PACKAGE").is_some()
}

/// The lock's path: beside the crate's manifest, or `TALLYMARK_LOCK_PATH` when set (for tests; it
/// applies to the crates cargo was asked for, not to their dependencies).
fn lock_path() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("TALLYMARK_LOCK_PATH") {
        return primary_package().then(|| PathBuf::from(path));
    }
    let dir = std::env::var("CARGO_MANIFEST_DIR").ok()?;
    Some(PathBuf::from(dir).join(FILE_NAME))
}

/// Checks `layout` against the lock `source` names, or rewrites its section
/// (`TALLYMARK_LOCK=write`). Returns the tokens to add to the expansion: the lock as an input of
/// the build (so a change to it recompiles the crate), and the "out of date" warning.
pub fn check_layout(
    layout: &Layout<'_>,
    source: LockSource<'_>,
    errors: &mut Errors,
) -> TokenStream {
    let ident = &layout.decl.item.ident;
    let Some((path, writing, mut lock)) = open_for(ident, source, errors) else {
        return TokenStream::new();
    };
    let path = path.as_deref();
    let name = ident.unraw().to_string();
    let current = entries_of(layout);
    let locked = lock
        .sections
        .iter()
        .position(|section| section.layout == name);
    if writing {
        let section = rewritten(layout, locked.map(|i| &lock.sections[i]), &current);
        match locked {
            Some(i) => lock.sections[i] = section,
            None => lock.sections.push(section),
        }
        save(path, &lock, ident, errors);
        return input_of_build(path);
    }
    let stale = match locked {
        Some(i) => compare(layout, &lock.sections[i], &current, errors),
        None => vec![format!("layout `{name}` is not in the lock yet")],
    };
    let mut tokens = input_of_build(path);
    if !stale.is_empty() {
        tokens.extend(out_of_date(ident, &stale));
    }
    tokens
}

/// Checks the values of the `FixedText` enum `ident` (`values`, in declaration order) against
/// the lock `source` names, or records them (`TALLYMARK_LOCK=write`): a removed value is an error
/// at the enum, an added one makes the lock out of date.
pub fn check_enum(
    ident: &syn::Ident,
    values: &[String],
    source: LockSource<'_>,
    errors: &mut Errors,
) -> TokenStream {
    let Some((path, writing, mut lock)) = open_for(ident, source, errors) else {
        return TokenStream::new();
    };
    let path = path.as_deref();
    let name = ident.unraw().to_string();
    let locked = lock.enums.iter().position(|e| e.name == name);
    if writing {
        let mut recorded = EnumValues {
            name,
            values: values.to_vec(),
            line: 0,
        };
        match locked {
            Some(i) => {
                // Values once written stay listed: rows may hold them.
                for old in &lock.enums[i].values {
                    if !recorded.values.contains(old) {
                        recorded.values.push(old.clone());
                    }
                }
                lock.enums[i] = recorded;
            }
            None => lock.enums.push(recorded),
        }
        save(path, &lock, ident, errors);
        return input_of_build(path);
    }
    let mut tokens = input_of_build(path);
    let Some(i) = locked else {
        tokens.extend(out_of_date(
            ident,
            &[format!("enum `{name}` is not in the lock yet")],
        ));
        return tokens;
    };
    let recorded = &lock.enums[i];
    for removed in recorded.values.iter().filter(|v| !values.contains(v)) {
        errors.at(
            ident,
            format!(
                "`{name}` no longer writes \"{removed}\" ({FILE_NAME} line {}: `{}`): rows already \
                 hold it; keep a variant that writes it",
                recorded.line,
                recorded.render()
            ),
        );
    }
    let added: Vec<String> = values
        .iter()
        .filter(|v| !recorded.values.contains(v))
        .map(|v| format!("`{name}` writes \"{v}\""))
        .collect();
    if !added.is_empty() {
        tokens.extend(out_of_date(ident, &added));
    }
    tokens
}

/// The section `TALLYMARK_LOCK=write` writes: the layout's slots, the retired ones kept, and the
/// slots of fields removed since `old` retired.
fn rewritten(
    layout: &Layout<'_>,
    old: Option<&Section>,
    current: &[(Entry, &Field<'_>)],
) -> Section {
    let mut entries: Vec<Entry> = current.iter().map(|(entry, _)| entry.clone()).collect();
    if let Some(old) = old {
        for entry in &old.entries {
            let taken = entries.iter().any(|e| e.place == entry.place);
            if !taken {
                entries.push(Entry {
                    kind: "retired".to_owned(),
                    doc: String::new(),
                    line: None,
                    ..entry.clone()
                });
            }
        }
    }
    entries.sort_by_key(|entry| entry.place.order());
    for entry in &mut entries {
        entry.line = None;
    }
    Section {
        layout: layout.decl.item.ident.unraw().to_string(),
        dataset: layout.dataset.clone(),
        binding: layout.binding.clone(),
        entries,
        line: 0,
    }
}

/// Reports every change that breaks the lock; returns the changes that only make it out of date.
fn compare(
    layout: &Layout<'_>,
    section: &Section,
    current: &[(Entry, &Field<'_>)],
    errors: &mut Errors,
) -> Vec<String> {
    let mut stale = Vec::new();
    if section.dataset != layout.dataset {
        let at: Span = layout
            .decl
            .dataset
            .as_ref()
            .map_or_else(|| layout.decl.item.ident.span(), syn::LitStr::span);
        errors.push(syn::Error::new(
            at,
            format!(
                "dataset renamed from `{}` to `{}`: its rows stay under the old name ({}); keep \
                 the dataset, or declare a new layout",
                section.dataset,
                layout.dataset,
                section.header()
            ),
        ));
    }
    if section.binding != layout.binding {
        stale.push(format!("the binding is now `{}`", layout.binding));
    }
    let by_name = |name: &str, place: Place| {
        section
            .entries
            .iter()
            .find(|e| !e.retired() && e.field == name && same_kind_of_place(e.place, place))
    };
    let mut accounted: Vec<&Entry> = Vec::new();
    for (entry, field) in current {
        let renamed_from = field.decl.renamed_from.as_ref().map(syn::LitStr::value);
        let known = by_name(&entry.field, entry.place).or_else(|| {
            renamed_from
                .as_deref()
                .and_then(|old| by_name(old, entry.place))
        });
        if let Some(locked) = known {
            accounted.push(locked);
            if locked.place != entry.place {
                errors.at(
                    &field.decl.ident,
                    format!(
                        "`{}` moved from {} to {}: the rows already written hold it in {} ({}); \
                         keep it there",
                        entry.field,
                        locked.place,
                        entry.place,
                        locked.place,
                        locked.quoted()
                    ),
                );
            } else if locked.kind != entry.kind {
                errors.at(
                    &field.decl.ty,
                    format!(
                        "the kind of {} changed from `{}` to `{}` ({}): the rows already written \
                         hold the old kind; add a field in a free slot instead",
                        entry.place,
                        locked.kind,
                        entry.kind,
                        locked.quoted()
                    ),
                );
            } else if locked.field != entry.field {
                stale.push(format!("`{}` renamed to `{}`", locked.field, entry.field));
            } else if locked.doc != entry.doc {
                stale.push(format!("the doc comment of `{}` changed", entry.field));
            }
            continue;
        }
        match section.entries.iter().find(|e| e.place == entry.place) {
            Some(held) if held.retired() => errors.at(
                &field.decl.ident,
                format!(
                    "{} is retired (it held `{}`, {}): a retired slot stays reserved, so old rows \
                     are not read as `{}`; choose a free slot, or free it by deleting that line",
                    entry.place,
                    held.field,
                    held.quoted(),
                    entry.field
                ),
            ),
            Some(held) => {
                accounted.push(held);
                errors.at(
                    &field.decl.ident,
                    format!(
                        "{} held `{}` ({}): old rows would be read as `{}`; choose a free slot, or \
                         say `#[renamed_from = \"{}\"]` if this is that field renamed",
                        entry.place,
                        held.field,
                        held.quoted(),
                        entry.field,
                        held.field
                    ),
                );
            }
            None => stale.push(format!("`{}` appended in {}", entry.field, entry.place)),
        }
    }
    for removed in section
        .entries
        .iter()
        .filter(|e| !e.retired() && !accounted.iter().any(|a| std::ptr::eq(*a, *e)))
    {
        errors.at(
            &layout.decl.item.ident,
            format!(
                "`{}` was removed from {} ({}): retire its slot so it is never reused, by \
                 writing `{} retired {}` there (TALLYMARK_LOCK=write does it)",
                removed.field,
                removed.place,
                removed.quoted(),
                removed.place,
                removed.field
            ),
        );
    }
    stale
}

/// Whether two places are the same kind of place (the index, a blob, a double), so a field is
/// matched with its own entry when it is both the index and a blob.
fn same_kind_of_place(a: Place, b: Place) -> bool {
    matches!(
        (a, b),
        (Place::Index, Place::Index)
            | (Place::Blob(_), Place::Blob(_))
            | (Place::Double(_), Place::Double(_))
    )
}

/// The lock as an input of the build: a change to it recompiles the crate (nothing for a lock
/// given as text).
fn input_of_build(path: Option<&Path>) -> TokenStream {
    let Some(path) = path else {
        return TokenStream::new();
    };
    let path = path.display().to_string();
    quote! {
        const _: &[u8] = ::core::include_bytes!(#path);
    }
}

/// A warning at the layout's name, through a deprecated item: proc macros cannot warn otherwise.
fn out_of_date(ident: &syn::Ident, changes: &[String]) -> TokenStream {
    let note = format!(
        "{FILE_NAME} is out of date for `{ident}`: {}; update it with `TALLYMARK_LOCK=write cargo check` and commit the diff",
        changes.join("; ")
    );
    quote_spanned! {ident.span()=>
        const _: () = {
            #[deprecated(note = #note)]
            struct SchemaLockOutOfDate;
            let _ = SchemaLockOutOfDate;
        };
    }
}

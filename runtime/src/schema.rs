//! The const description of a layout: what each slot of a dataset means.
//!
//! `#[tallymark::layout]` generates one [`Schema`] per layout. It is the single source of truth for
//! slot positions: sinks use it to name fields, tools use it to export the layout or write queries.
//! It is read-only: only the layout macro builds one.

use crate::naming::EventNaming;
use crate::text::TextLimit;
use tallymark_schema::names::{Role, RoleSlot};

/// The description of one dataset's layout.
#[derive(Debug)]
pub struct Schema {
    pub(crate) layout: &'static str,
    pub(crate) dataset: &'static str,
    pub(crate) binding: &'static str,
    pub(crate) fields: &'static [FieldSchema],
    pub(crate) blob_count: usize,
    pub(crate) double_count: usize,
    pub(crate) naming: EventNaming,
    pub(crate) error_text: TextLimit,
    pub(crate) hash_key: Option<&'static str>,
    /// Where each role is written, at the role's [`Role::position`].
    pub(crate) roles: [RoleTarget; Role::ALL.len()],
    /// The blob slot (1-based) of the index field, when it has one: computed when the schema is
    /// built, so that neither making a point nor sealing it searches the fields.
    pub(crate) index_blob: Option<u8>,
    /// Whether any field is hashed or redacted (computed when the schema is built).
    pub(crate) private_fields: bool,
    /// How this layout's `#[hashed]` fields are hashed (`crate::privacy::keyed_hash`); only the
    /// schemas of layouts with such a field hold it, so a Worker without one links no HMAC.
    pub(crate) hasher: Option<Hasher>,
}

/// A keyed hash: `(key, value)` to the text a hashed field is written as.
pub(crate) type Hasher = fn(key: &[u8], value: &[u8]) -> String;

/// One named field of a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSchema {
    pub(crate) name: &'static str,
    pub(crate) ty: &'static str,
    pub(crate) index: bool,
    pub(crate) slot: Option<Slot>,
    pub(crate) doc: &'static str,
    pub(crate) privacy: Privacy,
}

/// What may leave the worker of a field's value (`#[hashed]`, `#[redacted]` on a layout field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Privacy {
    /// Written as it is.
    #[default]
    Plain,
    /// Written as a keyed hash of the value, never the value: HMAC-SHA-256 with the key the layout
    /// names (`hash_key`), its first 16 bytes in base64url (22 characters). With no key the field
    /// is written empty and counted ([`crate::Stats::unhashed_fields`]). Needs the `hashed`
    /// feature.
    Hashed,
    /// Kept by in-memory test sinks only: every other sink writes it empty, and console lines
    /// leave it out.
    Redacted,
}

/// A numbered slot, 1-based as in Analytics Engine's SQL columns (`blob1`, `double1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// `blobN`
    Blob(u8),
    /// `doubleN`
    Double(u8),
}

/// Where instrumentation writes a [`Role`] in a layout's points (see [`role_targets`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RoleTarget {
    /// The layout has no field for the role: it is not written.
    Nowhere,
    /// The index: the event name, in a layout with no `event` blob whose index has no blob and
    /// is no other text role's field; or the role whose field the index alone is.
    Index,
    /// Blob slot `n` (1-based).
    Blob(u8),
    /// Double slot `n` (1-based).
    Double(u8),
}

/// Where each role goes in a layout of `fields`, at the role's [`Role::position`]: the field of
/// the role's name when it is in a slot of the role's kind, the index included for a text role
/// (an index-only `error` field gets the error text); else, for the event name, the index (its
/// blob, when the index field has one), unless the index is another text role's field (`route`,
/// `error`, `outcome`); else nowhere.
pub(crate) const fn role_targets(fields: &[FieldSchema]) -> [RoleTarget; Role::ALL.len()] {
    let mut targets = [RoleTarget::Nowhere; Role::ALL.len()];
    let index = index_field_in(fields);
    // The text role the index field is named for, if any: the index holds that role alone.
    let index_role = match index {
        Some(field) => match role_named(field.name) {
            Some(role) if matches!(role.slot(), RoleSlot::Text) => Some(role),
            _ => None,
        },
        None => None,
    };
    let mut r = 0;
    while r < Role::ALL.len() {
        let role = Role::ALL[r];
        targets[r] = match named_slot(fields, role) {
            Some(Slot::Blob(n)) => RoleTarget::Blob(n),
            Some(Slot::Double(n)) => RoleTarget::Double(n),
            None => match (index_role, index) {
                // Only an index-only field gets here: one with a blob has its slot above.
                (Some(owner), _) if owner.position() == role.position() => RoleTarget::Index,
                (Some(_), _) => RoleTarget::Nowhere,
                (None, _) if role.position() != Role::Event.position() => RoleTarget::Nowhere,
                (
                    None,
                    Some(FieldSchema {
                        slot: Some(Slot::Blob(n)),
                        ..
                    }),
                ) => RoleTarget::Blob(*n),
                (None, _) => RoleTarget::Index,
            },
        };
        r += 1;
    }
    targets
}

/// The role whose field is named `name`, if any.
const fn role_named(name: &str) -> Option<Role> {
    let mut r = 0;
    while r < Role::ALL.len() {
        if str_eq(Role::ALL[r].field(), name) {
            return Some(Role::ALL[r]);
        }
        r += 1;
    }
    None
}

/// The slot of the first of `fields` named as `role`'s field, when it is of the role's kind.
const fn named_slot(fields: &[FieldSchema], role: Role) -> Option<Slot> {
    let mut i = 0;
    while i < fields.len() {
        match (fields[i].slot, role.slot()) {
            (Some(slot @ Slot::Blob(_)), RoleSlot::Text)
            | (Some(slot @ Slot::Double(_)), RoleSlot::Number)
                if str_eq(fields[i].name, role.field()) =>
            {
                return Some(slot);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The first of `fields` that is the index (`#[tallymark::layout]` guarantees exactly one).
const fn index_field_in(fields: &[FieldSchema]) -> Option<&FieldSchema> {
    let mut i = 0;
    while i < fields.len() {
        if fields[i].index {
            return Some(&fields[i]);
        }
        i += 1;
    }
    None
}

/// The blob slot (1-based) of the index field of `fields`, if it has one.
pub(crate) const fn index_blob(fields: &[FieldSchema]) -> Option<u8> {
    match index_field_in(fields) {
        Some(FieldSchema {
            slot: Some(Slot::Blob(n)),
            ..
        }) => Some(*n),
        _ => None,
    }
}

/// Whether `a` and `b` are the same text (`==` is not `const` for `str`).
pub(crate) const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl Slot {
    /// The SQL column name: `blob3`, `double1`.
    pub fn column(&self) -> String {
        match self {
            Slot::Blob(n) => format!("blob{n}"),
            Slot::Double(n) => format!("double{n}"),
        }
    }
}

impl FieldSchema {
    /// The field's name: its key in console lines, the in-memory sink and queries.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The declared Rust type, as written.
    pub const fn ty(&self) -> &'static str {
        self.ty
    }

    /// Whether the field is (also) the point's index.
    pub const fn is_index(&self) -> bool {
        self.index
    }

    /// The blob or double slot the field occupies, if any (an index-only field has none).
    pub const fn slot(&self) -> Option<Slot> {
        self.slot
    }

    /// The field's doc comment.
    pub const fn doc(&self) -> &'static str {
        self.doc
    }

    /// What may leave the worker of the field's value.
    pub const fn privacy(&self) -> Privacy {
        self.privacy
    }
}

impl Schema {
    /// The Rust type that declares the layout.
    pub const fn layout(&self) -> &'static str {
        self.layout
    }

    /// The Analytics Engine dataset.
    pub const fn dataset(&self) -> &'static str {
        self.dataset
    }

    /// The name of the Analytics Engine binding in `wrangler.toml`.
    pub const fn binding(&self) -> &'static str {
        self.binding
    }

    /// Every field, in declaration order.
    pub const fn fields(&self) -> &'static [FieldSchema] {
        self.fields
    }

    /// The highest blob slot declared: points carry exactly this many blobs.
    pub const fn blob_count(&self) -> usize {
        self.blob_count
    }

    /// The highest double slot declared: points carry exactly this many doubles.
    pub const fn double_count(&self) -> usize {
        self.double_count
    }

    /// How HTTP calls of this layout are named (`#[layout(.., naming = "...")]`).
    pub const fn naming(&self) -> EventNaming {
        self.naming
    }

    /// How long an error text of this layout may be (`#[layout(.., error_text = chars(200))]`).
    pub const fn error_text(&self) -> TextLimit {
        self.error_text
    }

    /// The name of the Worker secret whose value keys the hashes of `#[hashed]` fields
    /// (`#[layout(.., hash_key = "...")]`).
    pub const fn hash_key(&self) -> Option<&'static str> {
        self.hash_key
    }

    /// Whether any field is hashed or redacted (so points of other layouts skip that step).
    pub const fn has_private_fields(&self) -> bool {
        self.private_fields
    }

    /// `value` hashed under `key` as this layout's hashed fields are (see `crate::privacy`);
    /// `None` for a layout without hashed fields.
    pub(crate) fn keyed_hash(&self, key: &[u8], value: &[u8]) -> Option<String> {
        self.hasher.map(|hash| hash(key, value))
    }

    /// The field with this name.
    pub fn field(&self, name: &str) -> Option<&'static FieldSchema> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// The field that is the index (`#[tallymark::layout]` guarantees exactly one).
    pub const fn index_field(&self) -> Option<&'static FieldSchema> {
        index_field_in(self.fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field of `name` in `slot`, the index when `index`.
    const fn field(name: &'static str, slot: Option<Slot>, index: bool) -> FieldSchema {
        crate::__private::field(name, "String", index, slot, "", Privacy::Plain)
    }

    /// The target of each role, in `Role::ALL`'s order: event, route, error, outcome, duration.
    fn targets(fields: &[FieldSchema]) -> [RoleTarget; 5] {
        role_targets(fields)
    }

    #[test]
    fn a_role_goes_to_the_field_of_its_name_in_a_slot_of_its_kind() {
        let fields = [
            field("duration_ms", Some(Slot::Double(2)), false),
            field("outcome", Some(Slot::Blob(4)), false),
            field("error", Some(Slot::Blob(3)), false),
            field("route", Some(Slot::Blob(2)), false),
            field("event", Some(Slot::Blob(1)), true),
        ];
        assert_eq!(
            targets(&fields),
            [
                RoleTarget::Blob(1),
                RoleTarget::Blob(2),
                RoleTarget::Blob(3),
                RoleTarget::Blob(4),
                RoleTarget::Double(2),
            ]
        );
    }

    #[test]
    fn a_field_of_the_other_kind_or_without_a_slot_takes_no_role() {
        let fields = [
            field("duration_ms", Some(Slot::Blob(1)), false),
            field("route", Some(Slot::Double(1)), false),
            field("error", None, false),
        ];
        assert_eq!(
            targets(&fields),
            [
                RoleTarget::Index,
                RoleTarget::Nowhere,
                RoleTarget::Nowhere,
                RoleTarget::Nowhere,
                RoleTarget::Nowhere,
            ]
        );
    }

    #[test]
    fn an_index_named_for_a_text_role_holds_that_role_alone() {
        // Index-only: the error text goes to the index, and the event name nowhere.
        let index_only_error = [
            field("error", None, true),
            field("route", Some(Slot::Blob(1)), false),
        ];
        assert_eq!(
            targets(&index_only_error),
            [
                RoleTarget::Nowhere,
                RoleTarget::Blob(1),
                RoleTarget::Index,
                RoleTarget::Nowhere,
                RoleTarget::Nowhere,
            ]
        );
        // With a blob, the error text goes to the blob, and the event name not into it too.
        let error_blob = [field("error", Some(Slot::Blob(2)), true)];
        assert_eq!(targets(&error_blob)[0], RoleTarget::Nowhere);
        assert_eq!(targets(&error_blob)[2], RoleTarget::Blob(2));
        // A text index named for the number role is no role's field: the event name goes there.
        let duration_index = [field("duration_ms", None, true)];
        assert_eq!(targets(&duration_index)[0], RoleTarget::Index);
        assert_eq!(targets(&duration_index)[4], RoleTarget::Nowhere);
    }

    #[test]
    fn texts_are_compared_whole() {
        assert!(str_eq("event", "event"));
        assert!(!str_eq("event", "events"));
        assert!(!str_eq("event", "Event"));
        assert!(!str_eq("", "event"));
    }

    #[test]
    fn without_an_event_blob_the_event_name_goes_to_the_index_or_its_blob() {
        let event_double = [
            field("event", Some(Slot::Double(1)), false),
            field("user", Some(Slot::Blob(3)), true),
        ];
        assert_eq!(targets(&event_double)[0], RoleTarget::Blob(3));
        let index_only = [field("user", None, true)];
        assert_eq!(targets(&index_only)[0], RoleTarget::Index);
        assert_eq!(targets(&[])[0], RoleTarget::Index);
    }
}

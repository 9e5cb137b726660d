//! Data points: built in place without allocating, clamped to the limits, then read by sinks.

use crate::limits::{self, Clamped};
use crate::schema::{FieldSchema, Privacy, RoleTarget, Schema, Slot};
use crate::value::Blob;
use tallymark_schema::names::Role;

/// The storage behind a layout's typed builder: the index, `B` blobs and `D` doubles.
///
/// `B` and `D` are the layout's highest declared blob and double slots: unset slots in gaps
/// (blob1, blob2, blob5) are written as `''` and `0`, so every point of a layout has the same
/// shape.
///
/// Making a point depends on `B` and `D`; every operation that changes one borrows it as
/// `Slots`, which does not, so that it is compiled once, in tallymark, rather than once per
/// layout in the crate that declares it.
#[derive(Clone)]
pub struct PointBuf<'a, const B: usize, const D: usize> {
    head: Head<'a>,
    blobs: [Blob<'a>; B],
    doubles: [f64; D],
}

/// What a point holds besides its blobs and doubles.
#[derive(Debug, Clone)]
struct Head<'a> {
    schema: &'static Schema,
    index: Blob<'a>,
    /// At least the bytes the blobs hold (every value ever set is added; an overwritten one is not
    /// taken back): while it is within the limit, sealing need not measure every blob.
    blob_bytes_bound: usize,
    /// Bit `i` is set once double `i + 1` has been set (a layout has at most 20 doubles), so that
    /// absorbing a point can tell a recorded `0` from an unset slot.
    doubles_set: u32,
}

impl<'a, const B: usize, const D: usize> PointBuf<'a, B, D> {
    /// An empty point of the given layout.
    pub const fn new(schema: &'static Schema) -> Self {
        PointBuf {
            head: Head {
                schema,
                index: Blob::Unset,
                blob_bytes_bound: 0,
                doubles_set: 0,
            },
            blobs: [const { Blob::Unset }; B],
            doubles: [0.0; D],
        }
    }

    /// The point's slots, without their counts: what a builder's
    /// [`PointBuilder::slots`](crate::__private::PointBuilder::slots) returns.
    #[inline]
    pub fn slots(&mut self) -> Slots<'_, 'a> {
        Slots {
            head: &mut self.head,
            blobs: &mut self.blobs,
            doubles: &mut self.doubles,
        }
    }

    /// The layout this point belongs to.
    #[inline]
    pub fn schema(&self) -> &'static Schema {
        self.head.schema
    }

    /// Sets the index; [`Blob::Unset`] leaves it as it is.
    #[inline]
    pub fn set_index(&mut self, value: Blob<'a>) {
        self.slots().set_index(value);
    }

    /// The index as set (when the index field is also a blob, read that blob instead).
    #[inline]
    pub fn index(&self) -> &Blob<'a> {
        &self.head.index
    }

    /// Sets blob slot `slot` (1-based); [`Blob::Unset`] leaves it as it is. Slots are checked by
    /// the layout macro at compile time; an out-of-range slot is ignored rather than panicking.
    #[inline]
    pub fn set_blob(&mut self, slot: usize, value: Blob<'a>) {
        self.slots().set_blob(slot, value);
    }

    /// Sets double slot `slot` (1-based); out of range is ignored.
    #[inline]
    pub fn set_double(&mut self, slot: usize, value: f64) {
        self.slots().set_double(slot, value);
    }

    /// Takes every slot `recorded` has set (the index, blobs, doubles) over this point's values.
    #[inline]
    pub fn absorb(&mut self, mut recorded: PointBuf<'a, B, D>) {
        self.slots().absorb(recorded.slots());
    }

    /// The current content of blob slot `slot` (1-based).
    #[inline]
    pub fn blob(&self, slot: usize) -> Option<&Blob<'a>> {
        slot.checked_sub(1).and_then(|i| self.blobs.get(i))
    }

    /// The current value of double slot `slot` (1-based).
    #[inline]
    pub fn double(&self, slot: usize) -> Option<f64> {
        slot.checked_sub(1)
            .and_then(|i| self.doubles.get(i))
            .copied()
    }

    /// The text of blob slot `slot` (1-based) so far, `""` when unset or not UTF-8: what a
    /// layout's getter of a blob field returns.
    #[inline]
    pub fn text(&self, slot: usize) -> &str {
        self.blob(slot)
            .map_or("", |blob| blob.as_str().unwrap_or(""))
    }

    /// The value of double slot `slot` (1-based) so far, `0` when unset: what a layout's getter
    /// of a double field returns.
    #[inline]
    pub fn number(&self, slot: usize) -> f64 {
        self.double(slot).unwrap_or(0.0)
    }

    /// The text of the index so far, `""` when unset or not UTF-8: what a layout's getter of an
    /// index field without a blob slot returns.
    #[inline]
    pub fn index_text(&self) -> &str {
        self.index().as_str().unwrap_or("")
    }

    /// Writes the point as its builder's `Debug` shows it: `name`, then each declared field with
    /// its value so far, in declaration order. A hashed or redacted field shows `<hashed>` or
    /// `<redacted>`, never its value: a point is protected only when it is written.
    pub fn fmt_fields(&self, name: &str, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_fields(
            name,
            self.head.schema,
            &self.head.index,
            &self.blobs,
            &self.doubles,
            f,
        )
    }

    /// Clamps the point to Analytics Engine's limits and returns the view sinks read.
    ///
    /// When the index field is also a blob, the index is read from that blob, so setting it once
    /// fills both without a copy.
    #[inline]
    pub fn seal(&mut self) -> DataPoint<'_> {
        self.slots().seal()
    }
}

impl<const B: usize, const D: usize> std::fmt::Debug for PointBuf<'_, B, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.fmt_fields("PointBuf", f)
    }
}

/// A [`PointBuf`] borrowed as slices: the same point whatever its layout's slot counts. Only
/// tallymark reads or writes through it.
#[doc(hidden)]
#[derive(Debug)]
pub struct Slots<'p, 'a> {
    head: &'p mut Head<'a>,
    blobs: &'p mut [Blob<'a>],
    doubles: &'p mut [f64],
}

/// What [`Slots::protect`] did to a point: the values it replaced, kept here rather than on the
/// heap (a point is written without allocating), and how many hashed fields it wrote empty for
/// want of a key.
#[must_use = "a protected point's own values are put back with `Slots::restore`"]
pub(crate) struct Protected<'a> {
    /// Hashed fields written empty for want of a key.
    pub(crate) unhashed: u32,
    /// The index as it was, when it was replaced.
    index: Option<Blob<'a>>,
    /// Blob slot `i + 1`'s value as it was, when it was replaced.
    blobs: [Option<Blob<'a>>; limits::MAX_BLOBS],
    /// Double slot `i + 1`'s value as it was, when it was replaced.
    doubles: [Option<f64>; limits::MAX_DOUBLES],
}

impl<'p, 'a> Slots<'p, 'a> {
    /// The layout this point belongs to.
    pub(crate) fn schema(&self) -> &'static Schema {
        self.head.schema
    }

    /// See [`PointBuf::set_index`].
    fn set_index(&mut self, value: Blob<'a>) {
        if value != Blob::Unset {
            self.head.index = value;
        }
    }

    /// See [`PointBuf::set_blob`].
    fn set_blob(&mut self, slot: usize, value: Blob<'a>) {
        if value == Blob::Unset {
            return;
        }
        if let Some(blob) = slot.checked_sub(1).and_then(|i| self.blobs.get_mut(i)) {
            self.head.blob_bytes_bound = self.head.blob_bytes_bound.saturating_add(value.len());
            *blob = value;
        }
    }

    /// See [`PointBuf::set_double`].
    fn set_double(&mut self, slot: usize, value: f64) {
        let Some(i) = slot.checked_sub(1) else { return };
        if let Some(double) = self.doubles.get_mut(i) {
            *double = value;
            self.head.doubles_set |= 1 << (i % 32);
        }
    }

    /// See [`PointBuf::absorb`]; `recorded`'s index and blobs are taken (left unset).
    pub(crate) fn absorb<'r: 'a>(&mut self, recorded: Slots<'_, 'r>) {
        self.set_index(std::mem::take(&mut recorded.head.index));
        for (i, blob) in recorded.blobs.iter_mut().enumerate() {
            self.set_blob(i + 1, std::mem::take(blob));
        }
        for (i, value) in recorded.doubles.iter().enumerate() {
            if recorded.head.doubles_set & (1 << (i % 32)) != 0 {
                self.set_double(i + 1, *value);
            }
        }
    }

    /// Writes a text role where the layout places it (see [`RoleTarget`]).
    pub(crate) fn fill_text(&mut self, role: Role, value: Blob<'a>) {
        // In bounds: `roles` has one target per role, at the role's position.
        match self.head.schema.roles[role.position()] {
            RoleTarget::Blob(n) => self.set_blob(usize::from(n), value),
            RoleTarget::Index => self.set_index(value),
            RoleTarget::Double(_) | RoleTarget::Nowhere => {}
        }
    }

    /// Writes a number role where the layout places it (see [`RoleTarget`]).
    pub(crate) fn fill_number(&mut self, role: Role, value: f64) {
        if let RoleTarget::Double(n) = self.head.schema.roles[role.position()] {
            self.set_double(usize::from(n), value);
        }
    }

    /// The same slots, borrowed again for a shorter while (to seal them and still put values
    /// back after).
    pub(crate) fn reborrow(&mut self) -> Slots<'_, 'a> {
        Slots {
            head: self.head,
            blobs: self.blobs,
            doubles: self.doubles,
        }
    }

    /// Applies the layout's privacy rules (`crate::privacy`): hashed fields replaced by `hash` of
    /// their bytes (`None`: no key, written empty), redacted fields emptied unless
    /// `keep_redacted`. Returns the values it replaced, for [`Slots::restore`], and how many
    /// hashed fields were emptied for want of a key.
    ///
    /// A hash can be longer than the value it replaces: its bytes are added to the blobs' bound,
    /// so sealing still clamps a point that hashing took over the limit.
    pub(crate) fn protect(
        &mut self,
        hash: impl Fn(&[u8]) -> Option<String>,
        keep_redacted: bool,
    ) -> Protected<'a> {
        let mut protected = Protected {
            unhashed: 0,
            index: None,
            blobs: [const { None }; limits::MAX_BLOBS],
            doubles: [None; limits::MAX_DOUBLES],
        };
        let mut hashed_bytes = 0usize;
        for field in self.head.schema.fields() {
            let privacy = field.privacy();
            if privacy == Privacy::Plain || (privacy == Privacy::Redacted && keep_redacted) {
                continue;
            }
            // The blob slot (0-based) of a text field; `None` for an index-only field.
            let (slot, blob) = match field.slot() {
                Some(Slot::Blob(n)) => {
                    let Some(i) = slot_index(n) else { continue };
                    (Some(i), self.blobs.get_mut(i))
                }
                Some(Slot::Double(n)) => {
                    let Some(i) = slot_index(n) else { continue };
                    if let (Some(double), Some(kept)) =
                        (self.doubles.get_mut(i), protected.doubles.get_mut(i))
                    {
                        *kept = Some(std::mem::replace(double, 0.0));
                    }
                    continue;
                }
                None => (None, Some(&mut self.head.index)),
            };
            let Some(blob) = blob else { continue };
            if blob.is_empty() {
                continue;
            }
            let value = match privacy {
                Privacy::Hashed => match hash(blob.as_bytes()) {
                    Some(text) => {
                        hashed_bytes = hashed_bytes.saturating_add(text.len());
                        Blob::Text(text.into())
                    }
                    None => {
                        protected.unhashed += 1;
                        Blob::Unset
                    }
                },
                _ => Blob::Unset,
            };
            let original = std::mem::replace(blob, value);
            match slot {
                Some(i) => {
                    if let Some(kept) = protected.blobs.get_mut(i) {
                        *kept = Some(original);
                    }
                }
                None => protected.index = Some(original),
            }
            // An index that is also this blob is read from the blob when sealed; an index-only
            // field was protected above.
        }
        // Counted for the index too: an over-estimate only costs sealing a measure of the blobs.
        self.head.blob_bytes_bound = self.head.blob_bytes_bound.saturating_add(hashed_bytes);
        protected
    }

    /// Puts back the values [`Slots::protect`] replaced: the builder keeps its private values
    /// after it is written, so writing it again protects them again (never hashes a hash).
    /// Sealing still clamps the builder's values in place (a blob cut to the limits stays cut).
    pub(crate) fn restore(&mut self, protected: Protected<'a>) {
        if let Some(index) = protected.index {
            self.head.index = index;
        }
        for (blob, kept) in self.blobs.iter_mut().zip(protected.blobs) {
            if let Some(kept) = kept {
                self.head.blob_bytes_bound = self.head.blob_bytes_bound.saturating_add(kept.len());
                *blob = kept;
            }
        }
        for (double, kept) in self.doubles.iter_mut().zip(protected.doubles) {
            if let Some(kept) = kept {
                *double = kept;
            }
        }
    }

    /// See [`PointBuf::seal`].
    pub(crate) fn seal(self) -> DataPoint<'p> {
        let Slots {
            head,
            blobs,
            doubles,
        } = self;
        let mut clamped = Clamped {
            truncated_fields: 0,
            non_finite_doubles: limits::clamp_doubles(doubles),
        };
        if head.blob_bytes_bound > limits::MAX_BLOB_BYTES_TOTAL {
            clamped.truncated_fields = limits::clamp_blobs(blobs);
            head.blob_bytes_bound = blobs.iter().map(Blob::len).sum();
        }
        let (head, blobs): (&'p Head<'a>, &'p [Blob<'a>]) = (head, blobs);
        let index_blob = (head.schema.index_blob)
            .and_then(slot_index)
            .and_then(|i| blobs.get(i));
        let mut index = index_blob.unwrap_or(&head.index).borrowed();
        clamped.truncated_fields += u32::from(limits::clamp_index(&mut index));
        DataPoint {
            schema: head.schema,
            index,
            blobs,
            doubles,
            clamped,
        }
    }
}

/// A sealed data point: within every limit, ready for a sink. Borrowed from its builder, so
/// handing it to sinks copies nothing.
///
/// Its `Debug` shows a hashed or redacted field as `<hashed>` or `<redacted>`, as a builder's
/// does: a point sealed by hand ([`PointBuf::seal`]) is not protected.
#[derive(Clone)]
pub struct DataPoint<'p> {
    schema: &'static Schema,
    index: Blob<'p>,
    blobs: &'p [Blob<'p>],
    doubles: &'p [f64],
    clamped: Clamped,
}

/// The value of one named field of a point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldValue<'p> {
    /// A text blob or index (`''` when unset).
    Text(&'p str),
    /// A blob holding bytes that are not UTF-8.
    Bytes(&'p [u8]),
    /// A double (`0` when unset).
    Number(f64),
}

impl<'p> FieldValue<'p> {
    pub(crate) fn of_blob(blob: &'p Blob<'_>) -> Self {
        match blob.as_str() {
            Some(text) => FieldValue::Text(text),
            None => FieldValue::Bytes(blob.as_bytes()),
        }
    }
}

impl<'p> DataPoint<'p> {
    /// A view over parts that are already within the limits (a recorded point).
    pub(crate) fn from_parts(
        schema: &'static Schema,
        index: &'p Blob<'p>,
        blobs: &'p [Blob<'p>],
        doubles: &'p [f64],
    ) -> Self {
        DataPoint {
            schema,
            index: index.borrowed(),
            blobs,
            doubles,
            clamped: Clamped::default(),
        }
    }

    /// The layout this point belongs to.
    pub fn schema(&self) -> &'static Schema {
        self.schema
    }

    /// The dataset this point is written to.
    pub fn dataset(&self) -> &'static str {
        self.schema.dataset()
    }

    /// The index.
    pub fn index(&self) -> &Blob<'p> {
        &self.index
    }

    /// All blobs, `blob1` first; exactly [`Schema::blob_count`] of them.
    pub fn blobs(&self) -> &'p [Blob<'p>] {
        self.blobs
    }

    /// All doubles, `double1` first; exactly [`Schema::double_count`] of them.
    pub fn doubles(&self) -> &'p [f64] {
        self.doubles
    }

    /// What clamping to the limits changed.
    pub fn clamped(&self) -> Clamped {
        self.clamped
    }

    /// The value of a declared field, by the field's schema entry.
    pub fn value_of(&self, field: &FieldSchema) -> FieldValue<'_> {
        read_field(field, &self.index, self.blobs, self.doubles)
    }

    /// The value of the field named `name`, if the layout declares it.
    pub fn get(&self, name: &str) -> Option<FieldValue<'_>> {
        self.schema.field(name).map(|field| self.value_of(field))
    }

    /// Every declared field with its value, in declaration order.
    pub fn fields(&self) -> impl Iterator<Item = (&'static FieldSchema, FieldValue<'_>)> + '_ {
        self.schema
            .fields()
            .iter()
            .map(|field| (field, self.value_of(field)))
    }

    /// The index as text, for summaries (`''` when it holds non-UTF-8 bytes).
    pub fn summary(&self) -> &str {
        self.index.as_str().unwrap_or("")
    }
}

impl std::fmt::Debug for DataPoint<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_fields(
            "DataPoint",
            self.schema,
            &self.index,
            self.blobs,
            self.doubles,
            f,
        )
    }
}

/// See [`PointBuf::fmt_fields`].
fn debug_fields(
    name: &str,
    schema: &Schema,
    index: &Blob<'_>,
    blobs: &[Blob<'_>],
    doubles: &[f64],
    f: &mut std::fmt::Formatter<'_>,
) -> std::fmt::Result {
    let mut out = f.debug_struct(name);
    for field in schema.fields() {
        let name = field.name();
        match (field.privacy(), read_field(field, index, blobs, doubles)) {
            (Privacy::Hashed, _) => out.field(name, &format_args!("<hashed>")),
            (Privacy::Redacted, _) => out.field(name, &format_args!("<redacted>")),
            (Privacy::Plain, FieldValue::Text(text)) => out.field(name, &text),
            (Privacy::Plain, FieldValue::Bytes(bytes)) => out.field(name, &bytes),
            (Privacy::Plain, FieldValue::Number(number)) => out.field(name, &number),
        };
    }
    out.finish()
}

/// The array position of a 1-based slot number.
pub(crate) const fn slot_index(slot: u8) -> Option<usize> {
    (slot as usize).checked_sub(1)
}

/// The value `field` has in a point made of these parts (unset slots read `''` and `0`).
pub(crate) fn read_field<'p>(
    field: &FieldSchema,
    index: &'p Blob<'_>,
    blobs: &'p [Blob<'_>],
    doubles: &'p [f64],
) -> FieldValue<'p> {
    match field.slot {
        Some(Slot::Blob(n)) => slot_index(n)
            .and_then(|i| blobs.get(i))
            .map_or(FieldValue::Text(""), FieldValue::of_blob),
        Some(Slot::Double(n)) => FieldValue::Number(
            slot_index(n)
                .and_then(|i| doubles.get(i))
                .copied()
                .unwrap_or(0.0),
        ),
        None => FieldValue::of_blob(index),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static EMPTY: Schema = crate::__private::schema(
        "Empty",
        "empty",
        "EMPTY",
        &[],
        13,
        2,
        crate::EventNaming::PathMethod,
        crate::TextLimit::DEFAULT_ERROR,
        None,
    );

    #[test]
    fn a_new_point_has_every_blob_unset_and_every_double_zero() {
        let mut point = PointBuf::<13, 2>::new(&EMPTY);
        assert!(point.blobs.iter().all(|blob| *blob == Blob::Unset));
        point.set_blob(3, Blob::Text("kept".into()));
        point.set_blob(13, Blob::Text(String::from("owned").into()));
        let sealed = point.seal();
        let blobs: Vec<&[u8]> = sealed.blobs().iter().map(Blob::as_bytes).collect();
        let mut expected: Vec<&[u8]> = vec![b""; 13];
        expected[2] = b"kept";
        expected[12] = b"owned";
        assert_eq!(blobs, expected);
        assert_eq!(sealed.doubles(), [0.0, 0.0]);
        assert_eq!(*sealed.index(), Blob::Unset);
    }

    /// A layout whose last blob is hashed (a schema that needs the `hashed` feature).
    #[cfg(feature = "hashed")]
    static HASHED_LAST: Schema = crate::__private::schema(
        "HashedLast",
        "hashed_last",
        "HASHED_LAST",
        &[crate::__private::field(
            "user",
            "String",
            false,
            Some(Slot::Blob(20)),
            "",
            Privacy::Hashed,
        )],
        20,
        0,
        crate::EventNaming::PathMethod,
        crate::TextLimit::DEFAULT_ERROR,
        Some("KEY"),
    );

    /// Found by the `data_point` fuzz target: a hashed value (22 bytes) is longer than a short
    /// original, so a point within the blob limit when filled went over it once protected, and
    /// was sealed without being clamped (16,021 bytes).
    #[cfg(feature = "hashed")]
    #[test]
    fn a_point_that_hashing_makes_longer_is_clamped_when_sealed() {
        let filler = "x".repeat(15_999 / 19);
        let mut point = PointBuf::<20, 0>::new(&HASHED_LAST);
        for slot in 1..=18 {
            point.set_blob(slot, Blob::Text(filler.as_str().into()));
        }
        point.set_blob(
            19,
            Blob::Text("x".repeat(15_999 - 18 * filler.len()).into()),
        );
        point.set_blob(20, Blob::Text("u".into()));
        let protected = point.slots().protect(|_| Some("h".repeat(22)), false);
        assert_eq!(protected.unhashed, 0);
        let sealed = point.seal();
        let total: usize = sealed.blobs().iter().map(Blob::len).sum();
        assert!(total <= limits::MAX_BLOB_BYTES_TOTAL, "{total} bytes");
        assert_eq!(sealed.blobs()[19].as_str(), Some("h".repeat(22).as_str()));
        assert_eq!(sealed.clamped().truncated_fields, 19);
    }

    #[test]
    fn a_point_can_be_made_in_a_const() {
        const POINT: PointBuf<'static, 3, 1> = PointBuf::new(&EMPTY);
        let point = POINT;
        assert_eq!(point.blobs, [Blob::Unset, Blob::Unset, Blob::Unset]);
        assert_eq!(point.doubles, [0.0]);
        assert_eq!(point.head.index, Blob::Unset);
    }

    #[test]
    fn absorbing_takes_exactly_the_slots_the_other_point_set() {
        let mut point = PointBuf::<3, 3>::new(&EMPTY);
        point.set_index(Blob::Text("kept index".into()));
        point.set_blob(1, Blob::Text("kept".into()));
        point.set_blob(2, Blob::Text("replaced".into()));
        point.set_double(1, 1.0);
        point.set_double(2, 2.0);
        let mut recorded = PointBuf::<3, 3>::new(&EMPTY);
        recorded.set_blob(2, Blob::Text("recorded".into()));
        recorded.set_blob(3, Blob::Text("new".into()));
        recorded.set_double(2, 0.0);
        recorded.set_double(3, 3.0);
        point.absorb(recorded);
        assert_eq!(point.head.index, Blob::Text("kept index".into()));
        assert_eq!(
            point.blobs,
            [
                Blob::Text("kept".into()),
                Blob::Text("recorded".into()),
                Blob::Text("new".into())
            ]
        );
        assert_eq!(point.doubles, [1.0, 0.0, 3.0]);
    }

    #[test]
    fn each_role_is_written_where_the_schema_places_it_and_nowhere_else() {
        // The event name in the index (its field has no blob), two blobs and the second double.
        static ROLES: Schema = crate::__private::schema(
            "Roles",
            "roles",
            "ROLES",
            &[
                crate::__private::field("user", "String", true, None, "", Privacy::Plain),
                field_in("route", Slot::Blob(2)),
                field_in("error", Slot::Blob(3)),
                field_in("duration_ms", Slot::Double(2)),
            ],
            3,
            2,
            crate::EventNaming::PathMethod,
            crate::TextLimit::DEFAULT_ERROR,
            None,
        );
        const fn field_in(name: &'static str, slot: Slot) -> FieldSchema {
            crate::__private::field(name, "String", false, Some(slot), "", Privacy::Plain)
        }
        let mut point = PointBuf::<3, 2>::new(&ROLES);
        let mut slots = point.slots();
        for role in Role::ALL {
            slots.fill_text(role, Blob::Text(role.field().into()));
            slots.fill_number(role, 7.0);
        }
        assert_eq!(point.head.index, Blob::Text("event".into()));
        assert_eq!(
            point.blobs,
            [
                Blob::Unset,
                Blob::Text("route".into()),
                Blob::Text("error".into())
            ]
        );
        assert_eq!(point.doubles, [0.0, 7.0]);
        assert_eq!(point.head.doubles_set, 0b10);
    }
}

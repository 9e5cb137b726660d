//! The values a layout's slots hold, and the conversions that put a Rust value into a slot.
//!
//! A layout declares each field with a *field type* (`String`, `Vec<u8>`, an enum with
//! [`FixedText`], `f64`, ...). The declared type decides which slot kinds the field may use
//! ([`BlobField`], [`DoubleField`]) and which arguments its setter accepts ([`IntoBlob`],
//! [`IntoDouble`]). Setters borrow where they can: a `&'a str` stays borrowed until the sink
//! reads it, so filling a point allocates nothing.

use std::borrow::Cow;

/// The content of one blob slot (or of the index) while a point is being built.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Blob<'a> {
    /// Never set: written as `''`, as Analytics Engine reads a missing blob.
    #[default]
    Unset,
    /// UTF-8 text.
    Text(Cow<'a, str>),
    /// Arbitrary bytes (Analytics Engine stores blobs as bytes).
    Bytes(Cow<'a, [u8]>),
}

impl<'a> Blob<'a> {
    /// The bytes this blob writes (empty when unset).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Blob::Unset => &[],
            Blob::Text(text) => text.as_bytes(),
            Blob::Bytes(bytes) => bytes,
        }
    }

    /// The text of this blob: `Some("")` when unset, `None` when it holds bytes that are not UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Blob::Unset => Some(""),
            Blob::Text(text) => Some(text),
            Blob::Bytes(bytes) => std::str::from_utf8(bytes).ok(),
        }
    }

    /// Whether this blob owns its content (rather than borrowing it).
    pub fn is_owned(&self) -> bool {
        matches!(self, Blob::Text(Cow::Owned(_)) | Blob::Bytes(Cow::Owned(_)))
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Whether this blob writes no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A view of this blob that borrows its content (never allocates).
    pub fn borrowed(&self) -> Blob<'_> {
        match self {
            Blob::Unset => Blob::Unset,
            Blob::Text(text) => Blob::Text(Cow::Borrowed(text)),
            Blob::Bytes(bytes) => Blob::Bytes(Cow::Borrowed(bytes)),
        }
    }

    /// Copies borrowed content so the blob outlives its source.
    pub fn into_owned(self) -> Blob<'static> {
        match self {
            Blob::Unset => Blob::Unset,
            Blob::Text(text) => Blob::Text(Cow::Owned(text.into_owned())),
            Blob::Bytes(bytes) => Blob::Bytes(Cow::Owned(bytes.into_owned())),
        }
    }
}

/// A declared field type that may occupy a blob slot or the index.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in a blob slot or the index",
    label = "not a blob type",
    note = "blob fields are `String` (text), `Vec<u8>` (bytes), or an enum deriving `tallymark::FixedText`"
)]
pub trait BlobField {}

impl BlobField for String {}
impl BlobField for Vec<u8> {}
impl<E: FixedText> BlobField for E {}

/// A declared field type that may occupy a double slot.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in a double slot",
    label = "not a number type",
    note = "double fields are `f64`, `f32` or an integer type"
)]
pub trait DoubleField {}

/// A value a blob field's setter accepts, for a field declared with type `F`.
///
/// Text fields (`String`) take `&str` (and `&&str`), `String`, `&String` and `Cow<str>` without
/// copying;
/// byte fields (`Vec<u8>`) take `&[u8]`, `&[u8; N]` and `Vec<u8>`; enum fields take the enum.
/// Every field also takes an `Option` of what it takes: `None` leaves the slot as it is (unset on
/// a fresh point), like JavaScript's `value ?? previous`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written to a field declared as `{F}`",
    label = "wrong type for this field",
    note = "text fields take `&str`, `String` or `Cow<str>`; byte fields take `&[u8]` or `Vec<u8>`; enum fields take their enum"
)]
pub trait IntoBlob<'a, F> {
    /// Converts the value into blob content.
    fn into_blob(self) -> Blob<'a>;
}

impl<'a> IntoBlob<'a, String> for &'a str {
    fn into_blob(self) -> Blob<'a> {
        Blob::Text(Cow::Borrowed(self))
    }
}
/// What a typed event's `&'static str` field gives its setter.
impl<'a, 'b: 'a> IntoBlob<'a, String> for &'a &'b str {
    fn into_blob(self) -> Blob<'a> {
        Blob::Text(Cow::Borrowed(*self))
    }
}
impl<'a> IntoBlob<'a, String> for &'a String {
    fn into_blob(self) -> Blob<'a> {
        Blob::Text(Cow::Borrowed(self.as_str()))
    }
}
impl<'a> IntoBlob<'a, String> for String {
    fn into_blob(self) -> Blob<'a> {
        Blob::Text(Cow::Owned(self))
    }
}
impl<'a> IntoBlob<'a, String> for Cow<'a, str> {
    fn into_blob(self) -> Blob<'a> {
        Blob::Text(self)
    }
}
impl<'a> IntoBlob<'a, Vec<u8>> for &'a [u8] {
    fn into_blob(self) -> Blob<'a> {
        Blob::Bytes(Cow::Borrowed(self))
    }
}
impl<'a, const N: usize> IntoBlob<'a, Vec<u8>> for &'a [u8; N] {
    fn into_blob(self) -> Blob<'a> {
        Blob::Bytes(Cow::Borrowed(self))
    }
}
impl<'a> IntoBlob<'a, Vec<u8>> for &'a Vec<u8> {
    fn into_blob(self) -> Blob<'a> {
        Blob::Bytes(Cow::Borrowed(self.as_slice()))
    }
}
impl<'a> IntoBlob<'a, Vec<u8>> for Vec<u8> {
    fn into_blob(self) -> Blob<'a> {
        Blob::Bytes(Cow::Owned(self))
    }
}
impl<'a, E: FixedText> IntoBlob<'a, E> for E {
    fn into_blob(self) -> Blob<'a> {
        Blob::Text(Cow::Borrowed(self.text()))
    }
}
impl<'a, E: FixedText> IntoBlob<'a, E> for &E {
    fn into_blob(self) -> Blob<'a> {
        Blob::Text(Cow::Borrowed(self.text()))
    }
}
/// An enum's fixed text can go in any text field.
impl<'a, E: FixedText> IntoBlob<'a, String> for E {
    fn into_blob(self) -> Blob<'a> {
        Blob::Text(Cow::Borrowed(self.text()))
    }
}
impl<'a, T: IntoBlob<'a, String>> IntoBlob<'a, String> for Option<T> {
    fn into_blob(self) -> Blob<'a> {
        self.map_or(Blob::Unset, IntoBlob::into_blob)
    }
}
impl<'a, T: IntoBlob<'a, Vec<u8>>> IntoBlob<'a, Vec<u8>> for Option<T> {
    fn into_blob(self) -> Blob<'a> {
        self.map_or(Blob::Unset, IntoBlob::into_blob)
    }
}
impl<'a, F, T> IntoBlob<'a, F> for &'a Option<T>
where
    &'a T: IntoBlob<'a, F>,
{
    fn into_blob(self) -> Blob<'a> {
        self.as_ref().map_or(Blob::Unset, IntoBlob::into_blob)
    }
}
impl<'a, E: FixedText> IntoBlob<'a, E> for Option<E> {
    fn into_blob(self) -> Blob<'a> {
        self.map_or(Blob::Unset, <E as IntoBlob<'a, E>>::into_blob)
    }
}

/// A reference writes what its target writes.
impl<E: FixedText + ?Sized> FixedText for &E {
    fn text(&self) -> &'static str {
        (**self).text()
    }
}

/// An enum whose variants each write one fixed text, chosen at compile time.
///
/// Derive it with `#[derive(tallymark::FixedText)]`; a variant writes its name in snake_case
/// unless it says otherwise with `#[text("...")]`.
pub trait FixedText {
    /// The text this value writes.
    fn text(&self) -> &'static str;
}

/// A value a double field's setter accepts: any primitive number, or an `Option` of one
/// (`None` writes 0). Integers wider than 53 bits lose precision, as in JavaScript.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written to a double field",
    label = "not a number",
    note = "double fields take `f64`, `f32`, an integer, or an `Option` of one"
)]
pub trait IntoDouble {
    /// Converts the value to the `f64` the slot stores.
    fn into_double(self) -> f64;
}

macro_rules! numbers {
    ($($num:ty),*) => {$(
        impl DoubleField for $num {}
        impl IntoDouble for $num {
            #[allow(clippy::cast_lossless, clippy::cast_precision_loss)]
            fn into_double(self) -> f64 { self as f64 }
        }
    )*};
}
numbers!(f64, f32, u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

macro_rules! borrowed_numbers {
    ($($num:ty),*) => {$(
        impl IntoDouble for &$num {
            fn into_double(self) -> f64 { (*self).into_double() }
        }
        impl IntoDouble for &Option<$num> {
            fn into_double(self) -> f64 { (*self).into_double() }
        }
    )*};
}
borrowed_numbers!(f64, f32, u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

impl<T: IntoDouble> IntoDouble for Option<T> {
    fn into_double(self) -> f64 {
        self.map_or(0.0, IntoDouble::into_double)
    }
}

//! The items `#[tallymark::layout]` declares beside a layout, written once here as a declarative
//! macro that the attribute invokes with what it found. The attribute is a procedural macro, and
//! a user's crate runs it unoptimised at every build, making its output one token at a time: its
//! cost grows with the tokens it writes. Given this macro's few names and literals, the compiler
//! writes the rest itself, and the builder's methods are read here rather than in expansions.

use crate::schema::Slot;

/// The schema's slot of a field whose setter is of kind `blob`, `double`, `index` (the index
/// alone) or `nowhere` (a field with a mistake, reported), at position `n` of its kind.
pub mod slot {
    use super::Slot;

    /// `blob<n>`.
    #[must_use]
    pub const fn blob(n: u8) -> Option<Slot> {
        Some(Slot::Blob(n))
    }

    /// `double<n>`.
    #[must_use]
    pub const fn double(n: u8) -> Option<Slot> {
        Some(Slot::Double(n))
    }

    /// No blob or double: the index alone.
    #[must_use]
    pub const fn index(_: u8) -> Option<Slot> {
        None
    }
}

/// What `#[tallymark::layout]` declares beside the layout `$name`, given:
/// * the builder's name and visibility, and the layout's name as text;
/// * the blob and double counts;
/// * the schema's dataset, binding, naming rule, error text limit and hash key;
/// * `fields`: each placed field's schema entry, in declaration order: its name and type as
///   text, whether it is the index, its slot (a function of [`slot`] and a position), its doc
///   and its privacy;
/// * per kind of setter, each field's setter and getter names, position, type and doc (`nowhere`:
///   a field with a mistake, already reported, whose setter takes anything so its uses compile).
///
/// It declares the builder (`Clone`, and a `Debug` that shows private values as `<hashed>` or
/// `<redacted>`), the `Layout` impl with the schema, the layout's `point` and `record`, and the
/// builder's setters, getters, `emit` and `seal`.
#[doc(hidden)]
#[macro_export]
macro_rules! __layout_items {
    (
        $vis:vis $name:ident => $builder:ident ($name_text:literal, $builder_text:literal)
        counts ($blobs:literal, $doubles:literal)
        schema ($dataset:literal, $binding:literal, $naming:expr, $error_text:expr, $hash_key:expr)
        fields [$(
            ($field_name:literal, $field_ty:literal, $is_index:literal,
             $slot:ident $slot_n:literal, $field_doc:literal, $privacy:ident)
        )*]
        blob [$( $blob:ident $get_blob:ident $blob_n:literal ($blob_ty:ty) $blob_doc:literal )*]
        double [$( $double:ident $get_double:ident $double_n:literal $double_doc:literal )*]
        index [$( $index:ident $get_index:ident ($index_ty:ty) $index_doc:literal )*]
        nowhere [$( $nowhere:ident $get_nowhere:ident $nowhere_doc:literal )*]
    ) => {
        #[doc = concat!("The typed builder of [`", $name_text, "`] points: one setter per field.")]
        #[derive(Clone)]
        #[must_use = "a point is written only by `.emit()`"]
        $vis struct $builder<'a> {
            buf: $crate::__private::PointBuf<'a, $blobs, $doubles>,
        }

        #[automatically_derived]
        impl ::core::fmt::Debug for $builder<'_> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                self.buf.fmt_fields($builder_text, f)
            }
        }

        #[automatically_derived]
        impl $crate::Layout for $name {
            type Point<'a> = $builder<'a>;

            const SCHEMA: &'static $crate::Schema = &$crate::__private::schema(
                $name_text,
                $dataset,
                $binding,
                &[$(
                    $crate::__private::field(
                        $field_name,
                        $field_ty,
                        $is_index,
                        $crate::__private::slot::$slot($slot_n),
                        $field_doc,
                        $crate::Privacy::$privacy,
                    ),
                )*],
                $blobs,
                $doubles,
                $naming,
                $error_text,
                $hash_key,
            );

            fn point<'a>() -> $builder<'a> {
                $builder { buf: $crate::__private::PointBuf::new(<Self as $crate::Layout>::SCHEMA) }
            }
        }

        // `point` and `seal` are also the `Layout` and `PointBuilder` methods they call, and
        // `record` and the setters take `impl` arguments by design: restriction lints a user's
        // crate enables for its own code stay quiet here.
        #[allow(clippy::impl_trait_in_params, clippy::same_name_method)]
        impl $name {
            /// An empty point of this layout (every blob `''`, every double `0`).
            $vis fn point<'a>() -> $builder<'a> {
                <Self as $crate::Layout>::point()
            }

            /// Sets fields of the innermost `#[instrumented]` call of this layout that is running,
            /// from any function it calls: `set` receives the fields recorded so far by such
            /// functions, and the call takes them before its body's next `record!` and before its
            /// point is written (the last value recorded wins). With no such call running,
            /// nothing is written and `Stats::records_outside_call` counts it.
            $vis fn record(set: impl ::core::ops::FnOnce(&mut $builder<'static>)) {
                $crate::__private::record_active::<Self>(set);
            }
        }

        // One setter per field, named as the field, and its getter; `pub`, as the builder's own
        // visibility limits who can reach them. Each reads or writes through the runtime's
        // `PointBuf`, so none has a body of more than one call.
        #[allow(clippy::impl_trait_in_params, clippy::same_name_method)]
        impl<'a> $builder<'a> {
            $(
                #[doc = $blob_doc]
                pub fn $blob(&mut self, value: impl $crate::IntoBlob<'a, $blob_ty>) -> &mut Self {
                    self.buf.set_blob($blob_n, $crate::IntoBlob::into_blob(value));
                    self
                }

                #[doc = concat!("The value `", stringify!($blob), "` holds so far.")]
                pub fn $get_blob(&self) -> &str {
                    self.buf.text($blob_n)
                }
            )*
            $(
                #[doc = $index_doc]
                pub fn $index(&mut self, value: impl $crate::IntoBlob<'a, $index_ty>) -> &mut Self {
                    self.buf.set_index($crate::IntoBlob::into_blob(value));
                    self
                }

                #[doc = concat!("The value `", stringify!($index), "` holds so far.")]
                pub fn $get_index(&self) -> &str {
                    self.buf.index_text()
                }
            )*
            $(
                #[doc = $double_doc]
                pub fn $double(&mut self, value: impl $crate::IntoDouble) -> &mut Self {
                    self.buf.set_double($double_n, $crate::IntoDouble::into_double(value));
                    self
                }

                #[doc = concat!("The value `", stringify!($double), "` holds so far.")]
                pub fn $get_double(&self) -> f64 {
                    self.buf.number($double_n)
                }
            )*
            $(
                #[doc = $nowhere_doc]
                pub fn $nowhere(&mut self, value: impl ::core::marker::Sized) -> &mut Self {
                    let _ = value;
                    self
                }

                #[doc = concat!("The value `", stringify!($nowhere), "` holds so far.")]
                pub fn $get_nowhere(&self) -> &str {
                    self.buf.index_text()
                }
            )*

            /// Writes the point to the current scope's sink (or the global sink outside any
            /// scope). Never fails and never panics: what is lost is counted in the scope's stats.
            $vis fn emit(&mut self) {
                $crate::__private::emit(&mut self.buf);
            }

            /// Clamps the point to Analytics Engine's limits and returns the view sinks read.
            $vis fn seal(&mut self) -> $crate::DataPoint<'_> {
                self.buf.seal()
            }
        }

        #[automatically_derived]
        impl<'a> $crate::__private::PointBuilder<'a> for $builder<'a> {
            fn slots(&mut self) -> $crate::__private::Slots<'_, 'a> {
                self.buf.slots()
            }
        }
    };
}

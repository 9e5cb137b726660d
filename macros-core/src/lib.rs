//! The code of [tallymark](https://docs.rs/tallymark)'s procedural macros, as a plain library:
//! one function per macro, from `proc_macro2` tokens to `proc_macro2` tokens. The proc-macro crate
//! `tallymark-macros` wraps each in a line; anything else (the fuzz targets of `fuzz/`, tests) can
//! call them too, which a proc-macro crate cannot offer. Depend on `tallymark`, not on this.
//!
//! Each macro is parse → validate → expand, in modules of its own; every mistake is collected and
//! reported at its token, and the macro still expands (with the mistake left out) so that the rest
//! of the crate type-checks and each mistake gives one error.
//!
//! What an expansion depends on besides its tokens is an argument: whether instrumentation is
//! compiled out ([`Instrumentation`]), whether `#[hashed]` fields can be hashed ([`Hashing`]), and
//! where the crate's schema lock comes from ([`LockSource`]). With [`LockSource::Crate`] the
//! expansion reads the environment cargo sets and the lock file, and may rewrite it; with the
//! other sources it touches neither.
#![warn(missing_docs)]

mod args;
mod depth;
mod errors;
mod event;
mod fixed_text;
mod helper;
mod instrumented;
mod layout;
mod lock;

use proc_macro2::TokenStream;

/// Whether instrumentation is compiled in, or out (the `tallymark/off` feature, which the
/// proc-macro crate sees as its own `off` feature).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instrumentation {
    /// Attributes expand to their instrumentation.
    On,
    /// Attributes validate their input, then expand to the item unchanged.
    Off,
}

/// Whether `#[hashed]` layout fields can be hashed: the `tallymark/hashed` feature, which the
/// proc-macro crate sees as its own `hashed` feature. Without it a `#[hashed]` field is a compile
/// error at its attribute, naming the feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hashing {
    /// The runtime links the keyed hash: `#[hashed]` fields are accepted.
    Available,
    /// The runtime has no hashing: `#[hashed]` fields are refused.
    Unavailable,
}

/// Where the schema lock (`tallymark.lock`) that layouts and `FixedText` enums are checked
/// against comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockSource<'a> {
    /// The crate being compiled: the file beside its manifest (`CARGO_MANIFEST_DIR`), or
    /// `TALLYMARK_LOCK_PATH`; none when the file is missing. With `TALLYMARK_LOCK=write`, the
    /// file is rewritten. What the proc macros use.
    Crate,
    /// No lock: nothing is checked, no file or variable is read.
    Absent,
    /// A lock's text, checked against but never written; no file or variable is read.
    Text(&'a str),
}

/// `#[tallymark::layout(args)] item`: the layout's schema, typed builder and checks.
pub fn layout(
    args: TokenStream,
    item: TokenStream,
    lock: LockSource<'_>,
    hashing: Hashing,
) -> TokenStream {
    depth::attribute_replacing_item(args, item, |args, item| {
        layout::layout(args, item, lock, hashing)
    })
}

/// `#[derive(tallymark::FixedText)]` on `input`.
pub fn derive_fixed_text(input: TokenStream, lock: LockSource<'_>) -> TokenStream {
    depth::input(input, |input| fixed_text::derive(input, lock))
}

/// `#[tallymark::instrumented(args)] item`.
pub fn instrumented(
    args: TokenStream,
    item: TokenStream,
    instrumentation: Instrumentation,
) -> TokenStream {
    depth::function_attribute(args, item, |args, item| {
        instrumented::instrumented(args, item, instrumentation)
    })
}

/// `tallymark::record!(input)`.
pub fn record(input: TokenStream) -> TokenStream {
    depth::input(input, instrumented::record)
}

/// `#[derive(tallymark::Event)]` on `input`.
pub fn derive_event(input: TokenStream) -> TokenStream {
    depth::input(input, event::derive_event)
}

/// `#[derive(tallymark::Dimensions)]` on `input`.
pub fn derive_dimensions(input: TokenStream) -> TokenStream {
    depth::input(input, event::derive_dimensions)
}

/// `#[tallymark::reconcile_event(args)] item`.
pub fn reconcile_event(
    args: TokenStream,
    item: TokenStream,
    instrumentation: Instrumentation,
) -> TokenStream {
    depth::function_attribute(args, item, |args, item| {
        instrumented::step(instrumented::Kind::Reconcile, args, item, instrumentation)
    })
}

/// `#[tallymark::lifecycle_event(args)] item`.
pub fn lifecycle_event(
    args: TokenStream,
    item: TokenStream,
    instrumentation: Instrumentation,
) -> TokenStream {
    depth::function_attribute(args, item, |args, item| {
        instrumented::step(instrumented::Kind::Lifecycle, args, item, instrumentation)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn tokens(text: &str) -> TokenStream {
        TokenStream::from_str(text).unwrap()
    }

    const LOCK: &str = "layout Moved dataset jobs binding JOBS
  index event text
  blob1 event text
  blob2 owner text
  blob3 region text
";

    const MOVED: &str = "pub struct Moved {
        #[index] #[blob(1)] event: String,
        #[blob(2)] owner: String,
        #[blob(4)] region: String,
    }";

    #[test]
    fn a_lock_given_as_text_is_checked_and_named_by_no_file() {
        let args = tokens(r#"dataset = "jobs", binding = "JOBS""#);
        let checked = layout(
            args.clone(),
            tokens(MOVED),
            LockSource::Text(LOCK),
            Hashing::Available,
        )
        .to_string();
        assert!(
            checked.contains("`region` moved from blob3 to blob4"),
            "{checked}"
        );
        assert!(checked.contains("tallymark.lock line 5"), "{checked}");
        assert!(!checked.contains("include_bytes"), "{checked}");
        let unchecked =
            layout(args, tokens(MOVED), LockSource::Absent, Hashing::Available).to_string();
        assert!(!unchecked.contains("compile_error"), "{unchecked}");
    }

    /// A layout expands to the user's struct, its type checks, and one invocation of the runtime's
    /// `layout_items!`, which declares every impl (the runtime's own build, warnings denied, checks
    /// that only its trait impls are `#[automatically_derived]`, which rustc refuses elsewhere).
    #[test]
    fn the_items_beside_a_layout_are_the_runtimes_macro() {
        let args = tokens(r#"dataset = "jobs", binding = "JOBS""#);
        let expanded = layout(args, tokens(MOVED), LockSource::Absent, Hashing::Available);
        let file: syn::File = syn::parse2(expanded).unwrap();
        let kinds: Vec<String> = file
            .items
            .iter()
            .map(|item| match item {
                syn::Item::Struct(item) => format!("struct {}", item.ident),
                syn::Item::Const(item) => format!("const {}", item.ident),
                syn::Item::Macro(item) => {
                    let path = &item.mac.path;
                    format!("{}!", quote::quote!(#path)).replace(' ', "")
                }
                other => format!("{}", quote::quote!(#other)),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "struct Moved",
                "const _",
                "::tallymark::__private::layout_items!"
            ]
        );
    }

    #[test]
    fn without_hashing_a_layout_refuses_its_hashed_fields_once() {
        let args = tokens(r#"dataset = "jobs", binding = "JOBS", hash_key = "KEY""#);
        let item = tokens(
            "pub struct Job {
                #[index] #[blob(1)] event: String,
                #[blob(2)] #[hashed] owner: String,
                #[blob(3)] #[hashed] account: String,
            }",
        );
        let refused = layout(
            args.clone(),
            item.clone(),
            LockSource::Absent,
            Hashing::Unavailable,
        )
        .to_string();
        assert_eq!(
            refused.matches("compile_error").count(),
            1,
            "one error for the layout, not one per field: {refused}"
        );
        assert!(
            refused.contains("needs tallymark's `hashed` feature"),
            "{refused}"
        );
        let accepted = layout(args, item, LockSource::Absent, Hashing::Available).to_string();
        assert!(!accepted.contains("compile_error"), "{accepted}");
    }

    #[test]
    fn compiled_out_an_attribute_writes_no_point() {
        let args = tokens("Telemetry");
        let item = tokens("async fn handler() -> Result<(), Error> { Ok(()) }");
        let on = instrumented(args.clone(), item.clone(), Instrumentation::On).to_string();
        let off = instrumented(args, item, Instrumentation::Off).to_string();
        assert!(on.contains("__private"), "{on}");
        assert!(!off.contains("emit"), "{off}");
    }

    /// An `async fn` body that cannot suspend runs in a closure inside the call; one that awaits
    /// runs in an `async` block the call polls.
    #[test]
    fn only_a_body_that_may_suspend_gets_an_async_block() {
        let args = tokens("Telemetry");
        let expand = |item: &str| {
            instrumented(args.clone(), tokens(item), Instrumentation::On)
                .to_string()
                .replace(' ', "")
        };
        let plain = expand("async fn handler() -> Result<(), Error> { Ok(()) }");
        assert!(plain.contains(".run_sync(||->Result<(),Error>{"), "{plain}");
        assert!(!plain.contains("async{"), "{plain}");
        let awaiting = expand("async fn handler() -> Result<(), Error> { step().await }");
        assert!(awaiting.contains(".run(async{"), "{awaiting}");
        assert!(!awaiting.contains("run_sync"), "{awaiting}");
    }

    /// Found by the `macros` fuzz target: a keyword as a field's key parsed (keys are read as
    /// options' are), and compiled out, the expansion's `parse_quote!` of `point.use(...)`
    /// panicked; instrumented, it expanded to code that does not parse.
    #[test]
    fn a_keyword_is_not_a_field() {
        let args = tokens(r#"Event, route = "GET /users/:id", fields(use = "fr", r#type = "t")"#);
        let item = tokens("fn get_user(id: &str) -> Result<(), String> { Ok(()) }");
        for instrumentation in [Instrumentation::On, Instrumentation::Off] {
            let expanded = instrumented(args.clone(), item.clone(), instrumentation).to_string();
            assert!(
                expanded.contains("`use` is a keyword, not a field name"),
                "{expanded}"
            );
            assert!(!expanded.contains(". use"), "{expanded}");
            assert!(expanded.contains("r#type"), "{expanded}");
        }
    }

    /// Found by the `macros` fuzz target once the macros were on syn 3, which reads
    /// `-> Result<RError>+` as a signature's return type: compiled out, that type put inside
    /// `Fn(&T) -> bool` no longer parsed, and the check block's `parse_quote!` panicked. The block
    /// is verbatim tokens now, so such a type is the compiler's error at the user's tokens.
    #[test]
    fn a_return_type_that_fits_nowhere_else_is_the_compilers_error_not_a_panic() {
        let args = tokens("ApiEvent, ok_if = not_found_if = tea > p");
        let item = tokens("fn lookup(status: u17) -> Result<RError>+ {}");
        for instrumentation in [Instrumentation::On, Instrumentation::Off] {
            let expanded = instrumented(args.clone(), item.clone(), instrumentation).to_string();
            assert!(expanded.contains("Result < RError > +"), "{expanded}");
        }
    }
}

//! The macros' parsers and expansions on arbitrary attribute and item text, through the plain
//! library `tallymark-macros-core` that the proc-macro crate wraps.
//!
//! Input: one selector byte, then UTF-8 text: the attribute's arguments, a NUL, and the item (no
//! NUL: no arguments, the whole text is the item). The selector's low three bits choose the macro
//! (`layout`, `instrumented`, `record!`, `reconcile_event`, `lifecycle_event`, and the derives
//! `Event`, `Dimensions`, `FixedText`; `record!` and the derives read the item only); bit 3
//! compiles instrumentation out (`tallymark/off`); bit 4 checks layouts and enums against the lock
//! of the lock UI tests (tests/ui/lock/tallymark.lock), else against none; bit 5 refuses
//! `#[hashed]` fields (tallymark without its `hashed` feature). Text that does not lex as Rust
//! tokens is skipped.
//!
//! Asserted: no expansion panics, whatever the tokens; what it returns renders as text that lexes
//! back into tokens (what the compiler does with it).
//! Nothing reads the environment or a file: the lock is given as text (`LockSource::Text`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use proc_macro2::TokenStream;
use std::str::FromStr;
use tallymark_macros_core::{Hashing, Instrumentation, LockSource};

/// The lock the lock UI cases are checked against: the layouts of its seeds are in it.
const LOCK: &str = include_str!("../../tests/ui/lock/tallymark.lock");

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let (args, item) = text.split_once('\0').unwrap_or(("", text));
    let (Ok(args), Ok(item)) = (TokenStream::from_str(args), TokenStream::from_str(item)) else {
        return;
    };
    let instrumentation = if selector & 0b1000 == 0 {
        Instrumentation::On
    } else {
        Instrumentation::Off
    };
    let lock = if selector & 0b1_0000 == 0 {
        LockSource::Absent
    } else {
        LockSource::Text(LOCK)
    };
    let hashing = if selector & 0b10_0000 == 0 {
        Hashing::Available
    } else {
        Hashing::Unavailable
    };
    let expanded = match selector & 0b111 {
        0 => tallymark_macros_core::layout(args, item, lock, hashing),
        1 => tallymark_macros_core::instrumented(args, item, instrumentation),
        2 => tallymark_macros_core::record(item),
        3 => tallymark_macros_core::reconcile_event(args, item, instrumentation),
        4 => tallymark_macros_core::lifecycle_event(args, item, instrumentation),
        5 => tallymark_macros_core::derive_event(item),
        6 => tallymark_macros_core::derive_dimensions(item),
        _ => tallymark_macros_core::derive_fixed_text(item, lock),
    };
    let rendered = expanded.to_string();
    assert!(
        TokenStream::from_str(&rendered).is_ok(),
        "the expansion does not lex: {rendered}"
    );
});

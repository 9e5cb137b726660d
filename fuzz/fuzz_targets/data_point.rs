//! Data points, from arbitrary values to the sealed point a sink receives: blobs (text and bytes,
//! short or many kilobytes), doubles (NaN and ±∞ included) and the index, set through what the
//! macros expand to.
//!
//! Three paths, one input:
//! - the public clamping functions (`tallymark::limits`) on any number of blobs;
//! - `PointBuf<20, 20>` (`tallymark::__private`, what every generated builder wraps) filled slot by
//!   slot, arbitrary slot numbers included, another point absorbed, then sealed;
//! - the points of two `#[tallymark::layout]`s (hashed and redacted fields, an index that is also
//!   a blob) filled through their typed setters and emitted in a `Scope`, with or without a hash
//!   key, into a sink that checks what it receives.
//!
//! Asserted (runtime/src/limits.rs, runtime/src/privacy.rs): nothing panics; a sealed point is
//! within Analytics Engine's limits (index ≤ 96 bytes, blobs ≤ 16,000 bytes together, every
//! double finite); each blob and the index is a prefix of what was set, text cut on a character
//! boundary; within the limits nothing is cut; over them, every cut blob is cut to one common cap
//! (the largest that fits) and no blob under the cap is touched; doubles follow the non-finite
//! rule bit for bit; `clamped()` counts exactly what changed; hashed fields reach the sink as
//! their 22-character hash or empty, redacted ones empty.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;
use tallymark::__private::PointBuf;
use tallymark::limits::{self, MAX_BLOB_BYTES_TOTAL, MAX_INDEX_BYTES};
use tallymark::sink::{Sink, WriteError};
use tallymark::{Blob, DataPoint, Layout, Scope};

/// The longest a single value may grow to (a repeated piece): past the blob limit, so cuts happen.
const LONGEST: usize = 20_000;

/// One value for a blob or the index: a piece, repeated; or text of the length that brings the
/// point's values so far to the limit, give or take a few bytes (the totals where the policy
/// changes are too narrow a target for repeated pieces alone).
#[derive(Arbitrary, Debug, Clone)]
enum Value {
    Unset,
    Text(String, u16),
    Bytes(Vec<u8>, u16),
    Fill(i8),
}

/// Makes the values of one point in the order they are set, counting their bytes for
/// [`Value::Fill`].
struct Maker {
    given: usize,
    limit: usize,
}

impl Maker {
    fn new(limit: usize) -> Self {
        Maker { given: 0, limit }
    }

    fn blob(&mut self, value: &Value) -> Blob<'static> {
        let blob = match value {
            Value::Unset => Blob::Unset,
            Value::Text(piece, times) => Blob::Text(Cow::Owned(repeat(piece, *times))),
            Value::Bytes(piece, times) => Blob::Bytes(Cow::Owned(repeat_bytes(piece, *times))),
            Value::Fill(delta) => {
                let wanted = self.limit.saturating_add_signed(isize::from(*delta));
                Blob::Text(Cow::Owned("f".repeat(wanted.saturating_sub(self.given))))
            }
        };
        self.given += blob.len();
        blob
    }

    /// The value as text (bytes read lossily), for a text field's setter.
    fn text(&mut self, value: &Value) -> Option<String> {
        match self.blob(value) {
            Blob::Unset => None,
            blob => Some(String::from_utf8_lossy(blob.as_bytes()).into_owned()),
        }
    }

    /// The value as bytes, for a byte field's setter.
    fn bytes(&mut self, value: &Value) -> Option<Vec<u8>> {
        match self.blob(value) {
            Blob::Unset => None,
            blob => Some(blob.as_bytes().to_vec()),
        }
    }
}

fn repeat(piece: &str, times: u16) -> String {
    let times = usize::from(times).min(LONGEST / piece.len().max(1)).max(1);
    piece.repeat(times)
}

fn repeat_bytes(piece: &[u8], times: u16) -> Vec<u8> {
    let times = usize::from(times).min(LONGEST / piece.len().max(1)).max(1);
    piece.repeat(times)
}

/// A double: any bit pattern, or one of the values that matter most.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Double {
    Bits(u64),
    Nan,
    Infinity,
    NegativeInfinity,
    Max,
    Min,
}

impl Double {
    fn value(self) -> f64 {
        match self {
            Double::Bits(bits) => f64::from_bits(bits),
            Double::Nan => f64::NAN,
            Double::Infinity => f64::INFINITY,
            Double::NegativeInfinity => f64::NEG_INFINITY,
            Double::Max => f64::MAX,
            Double::Min => f64::MIN,
        }
    }
}

/// What is set on a `PointBuf`: slot numbers as given (0 and > 20 are out of range).
#[derive(Arbitrary, Debug)]
struct Slots {
    index: Value,
    blobs: Vec<(u8, Value)>,
    doubles: Vec<(u8, Double)>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    /// For the `PointBuf`.
    set: Slots,
    /// A second point absorbed into the first (what `record!` does).
    absorbed: Option<Slots>,
    /// For the layouts: one value per field, in declaration order.
    fields: Vec<Value>,
    numbers: Vec<Double>,
    /// The hash key of the scope, if any.
    key: Option<Vec<u8>>,
    /// For `limits::clamp_blobs`: any number of blobs.
    loose: Vec<Value>,
}

fuzz_target!(|input: Input| {
    clamp(&input.loose);
    point_buf(&input);
    layouts(&input);
});

/// `limits::clamp_blobs` and `limits::clamp_index` on their own, held to the rules of a sealed
/// point.
fn clamp(values: &[Value]) {
    // Twice a layout's most blobs: enough to see what happens past 20.
    let mut maker = Maker::new(MAX_BLOB_BYTES_TOTAL);
    let originals: Vec<Blob<'static>> = values.iter().take(40).map(|v| maker.blob(v)).collect();
    let mut blobs = originals.clone();
    let cut = limits::clamp_blobs(&mut blobs);
    let total: usize = blobs.iter().map(Blob::len).sum();
    assert!(
        total <= MAX_BLOB_BYTES_TOTAL,
        "blobs over the limit: {total}"
    );
    let before: usize = originals.iter().map(Blob::len).sum();
    let cap = common_cap(&originals);
    let mut counted = 0;
    for (blob, original) in blobs.iter().zip(&originals) {
        let was_cut = check_prefix(blob, original, cap);
        assert!(!was_cut || before > MAX_BLOB_BYTES_TOTAL);
        counted += u32::from(was_cut);
    }
    assert_eq!(cut, counted, "clamp_blobs counts what it cut");
    if let Some(original) = originals.first() {
        let mut index = original.clone();
        let was_cut = limits::clamp_index(&mut index);
        assert_eq!(was_cut, check_prefix(&index, original, MAX_INDEX_BYTES));
    }
}

static SCHEMA: tallymark::Schema = tallymark::__private::schema(
    "Fuzz",
    "fuzz",
    "FUZZ",
    &[],
    20,
    20,
    tallymark::EventNaming::PathMethod,
    tallymark::TextLimit::DEFAULT_ERROR,
    None,
);

fn point_buf(input: &Input) {
    let mut point = PointBuf::<20, 20>::new(&SCHEMA);
    // What each slot holds once everything is set: the expectation the sealed point is held to.
    let mut index = Blob::Unset;
    let mut blobs: Vec<Blob<'static>> = vec![Blob::Unset; 20];
    let mut doubles = [0.0f64; 20];
    let mut index_maker = Maker::new(MAX_INDEX_BYTES);
    let mut maker = Maker::new(MAX_BLOB_BYTES_TOTAL);
    let mut fill = |point: &mut PointBuf<'static, 20, 20>, slots: &Slots| {
        let value = index_maker.blob(&slots.index);
        if value != Blob::Unset {
            index = value.clone();
        }
        point.set_index(value);
        for (slot, value) in &slots.blobs {
            let value = maker.blob(value);
            if let Some(expected) = usize::from(*slot)
                .checked_sub(1)
                .and_then(|i| blobs.get_mut(i))
            {
                if value != Blob::Unset {
                    *expected = value.clone();
                }
            }
            point.set_blob(usize::from(*slot), value);
        }
        for (slot, double) in &slots.doubles {
            if let Some(expected) = usize::from(*slot)
                .checked_sub(1)
                .and_then(|i| doubles.get_mut(i))
            {
                *expected = double.value();
            }
            point.set_double(usize::from(*slot), double.value());
        }
    };
    fill(&mut point, &input.set);
    if let Some(slots) = &input.absorbed {
        let mut recorded = PointBuf::<20, 20>::new(&SCHEMA);
        fill(&mut recorded, slots);
        point.absorb(recorded);
    }
    for slot in 1..=20 {
        assert_eq!(
            point.blob(slot),
            Some(&blobs[slot - 1]),
            "blob{slot} as set"
        );
        assert_eq!(
            point.double(slot).map(f64::to_bits),
            Some(doubles[slot - 1].to_bits()),
            "double{slot} as set"
        );
    }
    let sealed = point.seal();
    check_sealed(&sealed, &index, &blobs, &doubles);
}

/// `sealed` against what was set: within the limits, each value a prefix of its original, cut by
/// the common cap, the doubles by the non-finite rule, and `clamped()` exact.
fn check_sealed(sealed: &DataPoint<'_>, index: &Blob<'_>, blobs: &[Blob<'_>], doubles: &[f64]) {
    let mut cut = 0;
    // The index.
    let written = sealed.index();
    assert!(written.len() <= MAX_INDEX_BYTES, "index over the limit");
    cut += u32::from(check_prefix(written, index, MAX_INDEX_BYTES));
    // The blobs.
    let written = sealed.blobs();
    assert_eq!(written.len(), blobs.len());
    let total: usize = written.iter().map(Blob::len).sum();
    assert!(
        total <= MAX_BLOB_BYTES_TOTAL,
        "blobs over the limit: {total}"
    );
    let before: usize = blobs.iter().map(Blob::len).sum();
    let cap = common_cap(blobs);
    for (written, original) in written.iter().zip(blobs) {
        let was_cut = check_prefix(written, original, cap);
        if before <= MAX_BLOB_BYTES_TOTAL {
            assert!(!was_cut, "a blob cut while the point was within the limits");
        }
        cut += u32::from(was_cut);
    }
    // The doubles.
    let mut non_finite = 0;
    for (&written, &original) in sealed.doubles().iter().zip(doubles) {
        assert!(written.is_finite(), "a double is not finite");
        // NaN as 0, ±∞ as the extremes, every other value as it is.
        let expected = match original {
            x if x.is_nan() => 0.0,
            f64::INFINITY => f64::MAX,
            f64::NEG_INFINITY => f64::MIN,
            x => x,
        };
        assert_eq!(
            written.to_bits(),
            expected.to_bits(),
            "double not by the rule"
        );
        non_finite += u32::from(!original.is_finite());
    }
    let clamped = sealed.clamped();
    assert_eq!(clamped.truncated_fields, cut, "truncated_fields");
    assert_eq!(clamped.non_finite_doubles, non_finite, "non_finite_doubles");
}

/// Checks that `written` is `original` cut to at most `cap` bytes (text on a character boundary,
/// so at most 3 bytes shorter; bytes exactly at the cap). Returns whether it was cut.
fn check_prefix(written: &Blob<'_>, original: &Blob<'_>, cap: usize) -> bool {
    let (written_bytes, original_bytes) = (written.as_bytes(), original.as_bytes());
    assert!(
        original_bytes.starts_with(written_bytes),
        "a value is not a prefix of what was set"
    );
    if written_bytes.len() == original_bytes.len() {
        assert!(
            original_bytes.len() <= cap,
            "a value over the cap left whole"
        );
        return false;
    }
    match original {
        Blob::Text(text) => {
            assert!(matches!(written, Blob::Text(_)), "text became bytes");
            assert!(text.is_char_boundary(written_bytes.len()));
            assert!(written_bytes.len() <= cap && written_bytes.len() + 3 >= cap);
            // The longest prefix within the cap: the next character would not fit.
            let next = text[written_bytes.len()..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
            assert!(
                written_bytes.len() + next > cap,
                "text cut shorter than needed"
            );
        }
        Blob::Bytes(_) => assert_eq!(written_bytes.len(), cap, "bytes cut off the cap"),
        Blob::Unset => unreachable!("an unset value has nothing to cut"),
    }
    true
}

/// The common cap: the largest `c` with `sum(min(len, c)) <= the limit` (`usize::MAX` when
/// everything fits), by another way than the runtime's: up the sorted lengths, the blobs shorter
/// than the cap keep theirs and the others share what remains.
fn common_cap(blobs: &[Blob<'_>]) -> usize {
    let mut lengths: Vec<usize> = blobs.iter().map(Blob::len).collect();
    lengths.sort_unstable();
    let mut budget = MAX_BLOB_BYTES_TOTAL;
    for (i, &len) in lengths.iter().enumerate() {
        let sharing = lengths.len() - i;
        if len * sharing > budget {
            return budget / sharing;
        }
        budget -= len;
    }
    usize::MAX
}

/// Private fields, every blob and double slot, the index apart from the blobs.
#[tallymark::layout(dataset = "fuzz_wide", binding = "FUZZ_WIDE", hash_key = "FUZZ_KEY")]
pub struct Wide {
    #[index]
    #[hashed]
    user: String,
    #[blob(1)]
    event: String,
    #[blob(2)]
    #[hashed]
    email: String,
    #[blob(3)]
    #[redacted]
    note: String,
    #[blob(4)]
    raw: Vec<u8>,
    #[blob(5)]
    b5: String,
    #[blob(6)]
    b6: String,
    #[blob(7)]
    #[hashed]
    b7: Vec<u8>,
    #[blob(8)]
    b8: String,
    #[blob(9)]
    b9: String,
    #[blob(10)]
    b10: String,
    #[blob(11)]
    b11: String,
    #[blob(12)]
    b12: String,
    #[blob(13)]
    b13: String,
    #[blob(14)]
    b14: String,
    #[blob(15)]
    b15: String,
    #[blob(16)]
    b16: String,
    #[blob(17)]
    b17: String,
    #[blob(18)]
    b18: String,
    #[blob(19)]
    b19: String,
    #[blob(20)]
    #[hashed]
    b20: String,
    #[double(1)]
    d1: f64,
    #[double(2)]
    #[redacted]
    d2: f64,
    #[double(20)]
    d20: f64,
}

/// The index is also a blob, and hashed; the blobs in between are unset.
#[tallymark::layout(
    dataset = "fuzz_shared",
    binding = "FUZZ_SHARED",
    hash_key = "FUZZ_KEY"
)]
pub struct Shared {
    #[index]
    #[blob(1)]
    #[hashed]
    user: String,
    #[blob(9)]
    label: String,
    #[blob(12)]
    #[redacted]
    secret: String,
    #[double(3)]
    seconds: f64,
}

/// Checks every point it receives; remembers them for the caller's checks.
#[derive(Clone, Default)]
struct Checking {
    received: Rc<RefCell<Vec<Received>>>,
}

/// What a sink received of one point.
struct Received {
    dataset: &'static str,
    blobs: Vec<Vec<u8>>,
    index: Vec<u8>,
}

impl Sink for Checking {
    fn write(&self, point: &DataPoint<'_>) -> Result<(), WriteError> {
        assert!(
            point.index().len() <= MAX_INDEX_BYTES,
            "index over the limit"
        );
        let total: usize = point.blobs().iter().map(Blob::len).sum();
        assert!(
            total <= MAX_BLOB_BYTES_TOTAL,
            "blobs over the limit: {total}"
        );
        assert!(
            point.doubles().iter().all(|d| d.is_finite()),
            "a double is not finite"
        );
        for blob in point.blobs().iter().chain([point.index()]) {
            if let Blob::Text(text) = blob {
                // A `Cow<str>` is UTF-8 by construction; a cut that split a character would have
                // panicked on the way here.
                assert!(std::str::from_utf8(text.as_bytes()).is_ok());
            }
        }
        self.received.borrow_mut().push(Received {
            dataset: point.dataset(),
            blobs: point
                .blobs()
                .iter()
                .map(|b| b.as_bytes().to_vec())
                .collect(),
            index: point.index().as_bytes().to_vec(),
        });
        Ok(())
    }
}

fn layouts(input: &Input) {
    // Field 0 is the index, fields 1 to 20 the blobs of the same number; 4 and 7 hold bytes.
    let value = |i: usize| input.fields.get(i).cloned().unwrap_or(Value::Unset);
    let user = Maker::new(MAX_INDEX_BYTES).text(&value(0));
    let mut maker = Maker::new(MAX_BLOB_BYTES_TOTAL);
    let mut texts = vec![user];
    let (mut raw, mut b7) = (None, None);
    for i in 1..=20 {
        let value = value(i);
        texts.push(match i {
            4 => {
                raw = maker.bytes(&value);
                None
            }
            7 => {
                b7 = maker.bytes(&value);
                None
            }
            _ => maker.text(&value),
        });
    }
    let number = |i: usize| input.numbers.get(i).map_or(0.0, |d| d.value());

    let sink = Checking::default();
    let mut scope = Scope::new(sink.clone());
    if let Some(key) = &input.key {
        scope = scope.with_hash_key("FUZZ_KEY", key);
    }
    scope.run_sync(|| {
        let mut wide = Wide::point();
        wide.user(texts[0].as_deref())
            .event(texts[1].as_deref())
            .email(texts[2].as_deref())
            .note(texts[3].as_deref())
            .raw(raw.as_deref())
            .b5(texts[5].as_deref())
            .b6(texts[6].as_deref())
            .b7(b7.as_deref())
            .b8(texts[8].as_deref())
            .b9(texts[9].as_deref())
            .b10(texts[10].as_deref())
            .b11(texts[11].as_deref())
            .b12(texts[12].as_deref())
            .b13(texts[13].as_deref())
            .b14(texts[14].as_deref())
            .b15(texts[15].as_deref())
            .b16(texts[16].as_deref())
            .b17(texts[17].as_deref())
            .b18(texts[18].as_deref())
            .b19(texts[19].as_deref())
            .b20(texts[20].as_deref())
            .d1(number(0))
            .d2(number(1))
            .d20(number(2));
        wide.emit();
        let mut shared = Shared::point();
        shared
            .user(texts[0].as_deref())
            .label(texts[9].as_deref())
            .secret(texts[3].as_deref())
            .seconds(number(3));
        shared.emit();
    });
    let received = sink.received.borrow();
    assert_eq!(received.len(), 2, "every point reaches the sink");
    let hashed_or_empty = |bytes: &[u8]| bytes.is_empty() || bytes.len() == 22;
    let Received {
        dataset,
        blobs,
        index,
    } = &received[0];
    assert_eq!(*dataset, Wide::SCHEMA.dataset());
    assert!(hashed_or_empty(index), "the hashed index");
    for slot in [2, 7, 20] {
        assert!(hashed_or_empty(&blobs[slot - 1]), "hashed blob{slot}");
    }
    assert!(blobs[2].is_empty(), "the redacted blob3");
    let Received { blobs, index, .. } = &received[1];
    assert!(
        hashed_or_empty(index) && index == &blobs[0],
        "the hashed index, blob1"
    );
    assert!(blobs[11].is_empty(), "the redacted blob12");
    if input.key.is_none() {
        assert!(index.is_empty(), "no key: a hashed field is written empty");
    }
}

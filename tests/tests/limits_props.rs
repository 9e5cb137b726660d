//! Property tests: whatever goes in, the sealed point is within every limit, never splits a
//! character, and is deterministic; and the policy itself: untouched within the limits, the
//! longest blobs cut to the common cap a brute-force search finds, every double mapped exactly.

use proptest::prelude::*;
use tallymark::limits::{truncate_str, MAX_BLOB_BYTES_TOTAL, MAX_INDEX_BYTES};
use tallymark::sink::MemorySink;
use tallymark::{Blob, Scope};

#[tallymark::layout(dataset = "props", binding = "PROPS")]
pub struct Wide {
    #[index]
    key: String,
    #[blob(1)]
    b1: String,
    #[blob(2)]
    b2: String,
    #[blob(3)]
    b3: Vec<u8>,
    #[blob(7)]
    b7: String,
    #[blob(20)]
    b20: String,
    #[double(1)]
    d1: f64,
    #[double(20)]
    d20: f64,
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        any::<String>(),
        (any::<char>(), 0usize..9000).prop_map(|(c, n)| c.to_string().repeat(n)),
    ]
}

fn build<'a>(
    key: &'a str,
    texts: &'a [String; 4],
    bytes: &'a [u8],
    doubles: (f64, f64),
) -> WidePoint<'a> {
    let mut point = Wide::point();
    point
        .key(key)
        .b1(texts[0].as_str())
        .b2(texts[1].as_str())
        .b3(bytes)
        .b7(texts[2].as_str())
        .b20(texts[3].as_str())
        .d1(doubles.0)
        .d20(doubles.1);
    point
}

/// Any double, with the special values (NaN, ±∞, ±0, subnormals, the extremes) drawn often.
fn any_double() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<u64>().prop_map(f64::from_bits),
        prop::sample::select(vec![
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            f64::MIN_POSITIVE / 2.0,
            -f64::MIN_POSITIVE / 3.0,
            f64::MAX,
            f64::MIN,
        ]),
    ]
}

/// The non-finite rule, written out: NaN as 0, +∞ as `f64::MAX`, -∞ as `f64::MIN`, every other
/// value bit for bit.
fn expected_double(value: f64) -> f64 {
    if value.is_nan() {
        0.0
    } else if value == f64::INFINITY {
        f64::MAX
    } else if value == f64::NEG_INFINITY {
        f64::MIN
    } else {
        value
    }
}

/// The common cap by brute force: the largest `c` for which the blobs, each cut to `c` bytes,
/// fit in the total (ignoring character boundaries, which only ever shorten a cut blob further).
fn brute_force_cap(lengths: &[usize]) -> usize {
    let longest = lengths.iter().copied().max().unwrap_or(0);
    (0..=longest)
        .rev()
        .find(|&c| lengths.iter().map(|&len| len.min(c)).sum::<usize>() <= MAX_BLOB_BYTES_TOTAL)
        .unwrap_or(0)
}

/// Texts whose total may be just under, at or over the blob limit.
fn sized_texts() -> impl Strategy<Value = [String; 4]> {
    let one = prop_oneof![
        (any::<char>(), 0usize..6000).prop_map(|(c, n)| c.to_string().repeat(n)),
        ".{0,30}",
    ];
    [one.clone(), one.clone(), one.clone(), one]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_double_is_written_by_the_rule_bit_for_bit_and_non_finite_ones_are_counted(
        d1 in any_double(),
        d20 in any_double(),
    ) {
        let sink = MemorySink::new();
        let scope = Scope::new(sink.clone());
        scope.run_sync(|| build("k", &Default::default(), &[], (d1, d20)).emit());
        let point = sink.last().unwrap();
        let written = point.doubles();
        prop_assert_eq!(written[0].to_bits(), expected_double(d1).to_bits());
        prop_assert_eq!(written[19].to_bits(), expected_double(d20).to_bits());
        prop_assert!(written[1..19].iter().all(|d| d.to_bits() == 0));
        let non_finite = u64::from(!d1.is_finite()) + u64::from(!d20.is_finite());
        prop_assert_eq!(scope.stats().non_finite_doubles, non_finite);
    }

    #[test]
    fn within_the_limits_a_point_is_written_exactly_as_given(
        key in ".{0,24}",
        texts in [".{0,200}", ".{0,200}", ".{0,200}", ".{0,200}"],
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        prop_assume!(key.len() <= MAX_INDEX_BYTES);
        let mut point = build(&key, &texts, &bytes, (1.5, -2.0));
        let sealed = point.seal();
        prop_assert!(sealed.clamped().is_unchanged());
        prop_assert_eq!(sealed.index().as_str(), Some(key.as_str()));
        for (slot, original) in [0usize, 1, 6, 19].into_iter().zip(&texts) {
            prop_assert_eq!(sealed.blobs()[slot].as_str(), Some(original.as_str()));
        }
        prop_assert_eq!(sealed.blobs()[2].as_bytes(), bytes.as_slice());
    }

    #[test]
    fn over_the_limit_every_blob_is_cut_to_the_brute_force_cap(
        texts in sized_texts(),
        bytes in proptest::collection::vec(any::<u8>(), 0..6000),
    ) {
        let lengths = [texts[0].len(), texts[1].len(), bytes.len(), texts[2].len(), texts[3].len()];
        let cap = brute_force_cap(&lengths);
        let mut point = build("k", &texts, &bytes, (0.0, 0.0));
        let sealed = point.seal();
        let over = lengths.iter().sum::<usize>() > MAX_BLOB_BYTES_TOTAL;
        for (slot, original) in [0usize, 1, 6, 19].into_iter().zip(&texts) {
            let expected = if over { truncate_str(original, cap) } else { original.as_str() };
            prop_assert_eq!(sealed.blobs()[slot].as_str(), Some(expected));
        }
        let expected_bytes = if over { &bytes[..bytes.len().min(cap)] } else { &bytes[..] };
        prop_assert_eq!(sealed.blobs()[2].as_bytes(), expected_bytes);
        let cut = lengths.iter().filter(|&&len| over && len > cap).count();
        prop_assert_eq!(sealed.clamped().truncated_fields as usize, cut);
    }

    #[test]
    fn sealed_points_respect_every_limit(
        key in text(),
        texts in [text(), text(), text(), text()],
        bytes in proptest::collection::vec(any::<u8>(), 0..12_000),
        doubles in (any_double(), any_double()),
    ) {
        let mut point = build(&key, &texts, &bytes, doubles);
        let sealed = point.seal();

        prop_assert!(sealed.index().len() <= MAX_INDEX_BYTES);
        prop_assert!(key.starts_with(sealed.index().as_str().unwrap()));
        let total: usize = sealed.blobs().iter().map(Blob::len).sum();
        prop_assert!(total <= MAX_BLOB_BYTES_TOTAL);
        prop_assert_eq!(sealed.blobs().len(), 20);
        prop_assert_eq!(sealed.doubles().len(), 20);
        prop_assert!(sealed.doubles().iter().all(|d| d.is_finite()));

        // Every text blob is a valid prefix of what was set (no split character); bytes likewise.
        let originals = [&texts[0], &texts[1], &texts[2], &texts[3]];
        for (slot, original) in [0usize, 1, 6, 19].into_iter().zip(originals) {
            let written = sealed.blobs()[slot].as_str().unwrap();
            prop_assert!(original.starts_with(written));
        }
        prop_assert!(bytes.starts_with(sealed.blobs()[2].as_bytes()));

        // The same input seals to the same point.
        let mut again = build(&key, &texts, &bytes, doubles);
        let again = again.seal();
        prop_assert_eq!(again.blobs(), sealed.blobs());
        prop_assert_eq!(again.index(), sealed.index());
        prop_assert_eq!(
            again.doubles().iter().map(|d| d.to_bits()).collect::<Vec<_>>(),
            sealed.doubles().iter().map(|d| d.to_bits()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn short_blobs_survive_when_the_point_is_over_the_limit(
        short in ".{0,50}",
        long in (any::<char>(), 16_001usize..40_000).prop_map(|(c, n)| c.to_string().repeat(n)),
    ) {
        let texts = [short.clone(), long, String::new(), String::new()];
        let mut point = build("k", &texts, &[], (0.0, 0.0));
        let sealed = point.seal();
        prop_assert_eq!(sealed.blobs()[0].as_str().unwrap(), short.as_str());
    }

    #[test]
    fn sealing_after_overwrites_clamps_what_the_slots_finally_hold(
        sets in proptest::collection::vec((0usize..4, text()), 0..12),
    ) {
        // Sealing skips measuring the blobs while every value ever set fits; a slot overwritten
        // with a shorter value must still be clamped exactly as its final content requires.
        let mut point = Wide::point();
        let mut finals: [Blob<'_>; 4] = Default::default();
        for (slot, value) in &sets {
            match slot {
                0 => point.b1(value.as_str()),
                1 => point.b2(value.as_str()),
                2 => point.b7(value.as_str()),
                _ => point.b20(value.as_str()),
            };
            finals[*slot] = Blob::Text(value.as_str().into());
        }
        let expected_cuts = tallymark::limits::clamp_blobs(&mut finals);
        let sealed = point.seal();
        let written: Vec<&Blob<'_>> = [0, 1, 6, 19].iter().map(|&i| &sealed.blobs()[i]).collect();
        prop_assert_eq!(written, finals.iter().collect::<Vec<_>>());
        prop_assert_eq!(sealed.clamped().truncated_fields, expected_cuts);
    }
}

// --- The exact boundaries ---------------------------------------------------------------------------

/// A layout whose index is also its first blob.
#[tallymark::layout(dataset = "props", binding = "PROPS")]
pub struct Named {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    detail: String,
}

#[test]
fn sixteen_thousand_bytes_of_blobs_pass_and_one_more_is_cut() {
    let at_limit = [
        "a".repeat(8_000),
        "b".repeat(8_000),
        String::new(),
        String::new(),
    ];
    let mut point = build("k", &at_limit, &[], (0.0, 0.0));
    assert!(point.seal().clamped().is_unchanged());

    let over = [
        "a".repeat(8_000),
        "b".repeat(8_001),
        String::new(),
        String::new(),
    ];
    let mut point = build("k", &over, &[], (0.0, 0.0));
    let sealed = point.seal();
    assert_eq!(sealed.blobs()[0].len(), 8_000);
    assert_eq!(sealed.blobs()[1].len(), 8_000, "the longer blob gives way");
    assert_eq!(sealed.clamped().truncated_fields, 1);
}

#[test]
fn a_96_byte_index_passes_and_a_97_byte_one_is_cut() {
    let texts: [String; 4] = Default::default();
    let key = "i".repeat(96);
    let mut point = build(&key, &texts, &[], (0.0, 0.0));
    assert!(point.seal().clamped().is_unchanged());
    let key = "i".repeat(97);
    let mut point = build(&key, &texts, &[], (0.0, 0.0));
    let sealed = point.seal();
    assert_eq!(sealed.index().len(), 96);
    assert_eq!(sealed.clamped().truncated_fields, 1);
}

#[test]
fn an_event_name_over_96_bytes_is_cut_in_the_index_only() {
    let name = format!("{}.{}", "é".repeat(60), "get");
    let mut point = Named::point();
    point.event(name.as_str());
    let sealed = point.seal();
    assert_eq!(
        sealed.blobs()[0].as_str(),
        Some(name.as_str()),
        "the blob keeps it whole"
    );
    assert_eq!(sealed.index().as_str(), Some("é".repeat(48).as_str()));
    assert_eq!(sealed.clamped().truncated_fields, 1);
}

#[test]
fn an_index_that_is_also_a_blob_is_read_from_the_blob_after_the_blobs_are_cut() {
    let mut point = Named::point();
    point.event("e".repeat(10_000)).detail("d".repeat(10_000));
    let sealed = point.seal();
    assert_eq!(sealed.blobs()[0].len(), 8_000);
    assert_eq!(sealed.blobs()[1].len(), 8_000);
    assert_eq!(sealed.index().as_str(), Some("e".repeat(96).as_str()));
    assert_eq!(
        sealed.clamped().truncated_fields,
        3,
        "two blobs and the index"
    );
}

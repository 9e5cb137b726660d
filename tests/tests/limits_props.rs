//! Property tests: whatever goes in, the sealed point is within every limit, never splits a
//! character, and is deterministic.

use proptest::prelude::*;
use tallymark::limits::{MAX_BLOB_BYTES_TOTAL, MAX_INDEX_BYTES};
use tallymark::Blob;

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sealed_points_respect_every_limit(
        key in text(),
        texts in [text(), text(), text(), text()],
        bytes in proptest::collection::vec(any::<u8>(), 0..12_000),
        doubles in (any::<f64>(), any::<f64>()),
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

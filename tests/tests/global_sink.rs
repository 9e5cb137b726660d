//! Points outside any scope go to the global sink (natively: a CLI, a test harness), and the
//! process-wide counts say what became of each. The global sink is set once per process, hence
//! this file of its own, with one test, so that the counts can be asserted exactly.

use futures_executor::block_on;
use tallymark::sink::{MemorySink, Sink, WriteError};
use tallymark::{global_stats, DataPoint, Stats};
use tallymark_tests::{blobs, ApiEvent};

/// Keeps every point, except that it refuses those named `refused`.
struct Refusing(MemorySink);

impl Sink for Refusing {
    fn write(&self, point: &DataPoint<'_>) -> Result<(), WriteError> {
        if point.summary() == "refused" {
            return Err(WriteError::new("refused by the test sink"));
        }
        self.0.write(point)
    }
}

#[tallymark::instrumented(ApiEvent, event = "handler", fields(user = user))]
async fn handler(user: &'static str) -> Result<u16, std::fmt::Error> {
    Ok(200)
}

#[test]
fn points_outside_a_scope_reach_the_global_sink_and_are_counted() {
    let kept = MemorySink::new();
    assert!(tallymark::set_global_sink(Refusing(kept.clone())));
    assert!(!tallymark::set_global_sink(MemorySink::new()), "set once");

    let before = global_stats();
    ApiEvent::point().event("plain").emit();
    let huge = "x".repeat(20_000);
    ApiEvent::point()
        .event("clamped")
        .error(huge.as_str())
        .duration_ms(f64::NAN)
        .emit();
    ApiEvent::point().event("refused").emit();
    let started = std::time::Instant::now();
    assert_eq!(block_on(handler("user-1")), Ok(200));
    let around_ms = started.elapsed().as_secs_f64() * 1000.0;

    assert_eq!(
        global_stats().since(before),
        Stats {
            written: 3,
            failed: 1,
            truncated_fields: 1,
            non_finite_doubles: 1,
            ..Stats::default()
        }
    );
    let points = kept.points();
    assert_eq!(points.len(), 3, "the refused point is not kept");
    // Set through the builder, the error gives way to the blobs' total only: the layout's
    // `error_text` limit (32 characters) is for errors that instrumentation captures.
    let cut_error = "x".repeat(16_000 - "clamped".len());
    let expected = [
        ("plain", blobs::<ApiEvent>(&[(1, "plain")])),
        (
            "clamped",
            blobs::<ApiEvent>(&[(1, "clamped"), (4, &cut_error)]),
        ),
        (
            "handler",
            blobs::<ApiEvent>(&[(1, "handler"), (2, "user-1")]),
        ),
    ];
    for (point, (index, blobs)) in points.iter().zip(expected) {
        assert_eq!(point.index(), Some(index));
        assert_eq!(point.blob_texts(), blobs, "{index}");
    }
    assert_eq!(points[0].doubles(), [0.0, 0.0]);
    assert_eq!(points[1].doubles(), [0.0, 0.0], "NaN is written as 0");
    let [duration_ms, value] = points[2].doubles() else {
        panic!("two doubles: {:?}", points[2].doubles())
    };
    assert!((0.0..=around_ms).contains(duration_ms), "{duration_ms} ms");
    assert_eq!(*value, 0.0);
}

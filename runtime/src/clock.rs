//! Clocks that work on every target.
//!
//! `std::time::Instant::now()` and `SystemTime::now()` panic on `wasm32-unknown-unknown`, so
//! tallymark reads time through `web-time`: `performance.now()` and `Date.now()` on wasm, `std`
//! natively.
//!
//! On Cloudflare Workers the clocks advance only across I/O (a Spectre mitigation): a handler that
//! only computes measures 0 ms. Durations therefore measure I/O-bound wall time, as
//! `performance.now()` differences in a JavaScript worker do.

pub use web_time::Instant;

/// Now, on the monotonic clock.
pub fn now() -> Instant {
    Instant::now()
}

/// Milliseconds (fractional) since `start`.
pub fn elapsed_ms(start: Instant) -> f64 {
    millis(start.elapsed())
}

/// `duration` in fractional milliseconds, by multiplication only (this runs at the end of every
/// instrumented call).
fn millis(duration: std::time::Duration) -> f64 {
    duration.as_secs() as f64 * 1000.0 + f64::from(duration.subsec_nanos()) * 1e-6
}

/// Milliseconds since the Unix epoch, like JavaScript's `Date.now()` (0 if the clock is before 1970).
pub fn unix_ms() -> f64 {
    web_time::SystemTime::now()
        .duration_since(web_time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_millis() as f64)
}

#[cfg(test)]
mod tests {
    use super::millis;
    use std::time::Duration;

    #[test]
    fn durations_convert_to_fractional_milliseconds() {
        assert_eq!(millis(Duration::ZERO), 0.0);
        assert_eq!(millis(Duration::new(2, 500_000)), 2000.5);
        for nanos in [1, 9_694_000, 999_999_999, 86_400_000_000_123] {
            let duration = Duration::from_nanos(nanos);
            let exact = duration.as_secs_f64() * 1000.0;
            assert!(
                (millis(duration) - exact).abs() <= exact * 1e-15,
                "{nanos} ns"
            );
        }
    }
}

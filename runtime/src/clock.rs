//! Clocks that work on every target.
//!
//! `std::time::Instant::now()` and `SystemTime::now()` panic on `wasm32-unknown-unknown`, so
//! tallymark reads time through `web-time`: `performance.now()` and `Date.now()` on wasm, `std`
//! natively.
//!
//! On Cloudflare Workers the clocks advance only across I/O (a Spectre mitigation): a handler that
//! only computes measures 0 ms. Durations therefore measure I/O-bound wall time, exactly as the
//! reference system's `performance.now()` differences do.

pub use web_time::Instant;

/// Now, on the monotonic clock.
pub fn now() -> Instant {
    Instant::now()
}

/// Milliseconds (fractional) since `start`.
pub fn elapsed_ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// Milliseconds since the Unix epoch, like JavaScript's `Date.now()` (0 if the clock is before 1970).
pub fn unix_ms() -> f64 {
    web_time::SystemTime::now()
        .duration_since(web_time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_millis() as f64)
}

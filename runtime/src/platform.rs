//! The few things that differ between wasm (Workers) and native targets.

/// `console.log(line)` on wasm, a line on standard output natively.
#[cfg(any(feature = "events", feature = "dev-print"))]
pub fn console_log(line: &str) {
    #[cfg(target_arch = "wasm32")]
    crate::js::console_log(line);
    #[cfg(not(target_arch = "wasm32"))]
    println!("{line}");
}

/// Writes a notice to the console: `console.warn` on wasm, standard error natively.
pub fn console_warn(message: &str) {
    #[cfg(target_arch = "wasm32")]
    crate::js::console_warn(message);
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("{message}");
}

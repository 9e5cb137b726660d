//! The few things that differ between wasm (Workers) and native targets.

/// Writes a notice to the console: `console.warn` on wasm, standard error natively.
pub fn console_warn(message: &str) {
    #[cfg(target_arch = "wasm32")]
    crate::js::console_warn(message);
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("{message}");
}

//! The code of the `tallymark` command, as a library: `src/main.rs` is its command line, and the
//! fuzz targets of `fuzz/` call the SQL checker and translator (`sql`) and the ingest reader
//! (`ingest`) through it. Not a public API: it changes with the command.

mod capture;
pub mod dev;
pub mod ingest;
pub mod output;
pub mod remote;
pub mod schema;
pub mod serve;
pub mod show;
pub mod sql;
pub mod store;
pub mod tail;
pub mod time;
mod tools;
mod wrangler;

/// `count` and `noun`, plural unless the count is one: `1 point`, `0 points`. For the nouns of
/// the command's reports, which all take an `s`.
///
/// ```
/// assert_eq!(tallymark_cli::counted(1, "point"), "1 point");
/// assert_eq!(tallymark_cli::counted(0, "line"), "0 lines");
/// ```
pub fn counted(count: usize, noun: &str) -> String {
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {noun}{plural}")
}

/// Writes `text` to standard output; a reader that went away (`| head`) is not an error.
pub fn emit(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

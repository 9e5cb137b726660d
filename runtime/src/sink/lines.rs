//! Destinations for console lines (of typed events): the platform console by default, memory in
//! tests.

use std::sync::{Arc, Mutex, PoisonError};

/// Where a scope's console lines go.
pub trait LineSink {
    /// Writes one line.
    fn line(&self, line: &str);
}

/// Keeps lines in memory; clones share them.
#[derive(Debug, Clone, Default)]
pub struct MemoryLines {
    lines: Arc<Mutex<Vec<String>>>,
}

impl MemoryLines {
    /// No lines yet.
    pub fn new() -> Self {
        MemoryLines::default()
    }

    /// Every line so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl LineSink for MemoryLines {
    fn line(&self, line: &str) {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(line.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_lines_in_order() {
        let lines = MemoryLines::new();
        let writer = lines.clone();
        writer.line("first");
        writer.line("second");
        assert_eq!(lines.lines(), ["first", "second"]);
    }
}

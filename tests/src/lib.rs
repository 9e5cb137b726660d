//! Integration and UI tests of tallymark live in `tests/` and `ui/`.

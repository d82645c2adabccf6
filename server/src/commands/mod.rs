//! Longer command-line commands that the `cli` module dispatches to.

pub mod import;

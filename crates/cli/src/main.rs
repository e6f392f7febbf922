//! The `scrutin` binary.
fn main() {}

//! scrutin-tally.

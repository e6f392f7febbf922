//! scrutin-log.

//! scrutin-model.

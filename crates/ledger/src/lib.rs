//! scrutin: the embedded ledger.

//! `scrutin`: the embedded ledger of a shareholder meeting.
//!
//! A [`Ledger`] is a durable, signed, verifiable log (`scrutin-log`) whose entries are the
//! meeting's events (`scrutin-model`), and the meeting state folded from them
//! (`scrutin-tally`). Every event is checked against the rules before it is appended; a
//! refused event changes nothing. The ledger signs checkpoints, exports a portable bundle that
//! [`verify_bundle`] checks offline (chain, signatures, Merkle root, checkpoint, cosignatures,
//! authority, every voting rule and every declared tally), and gives each holder a
//! [`VoteReceipt`] proving its ballots were recorded and counted.
//!
//! ```no_run
//! use scrutin::{verify_bundle, Ledger};
//! use scrutin_log::Signer;
//! use scrutin_model::{Event, MeetingConvened};
//!
//! # fn run(convened: MeetingConvened, events: Vec<Event>) -> Result<(), Box<dyn std::error::Error>> {
//! let registrar = Signer::generate("registrar.example")?;
//! let dir = std::path::Path::new("meeting-db");
//! let ledger = Ledger::create(dir, convened, &registrar)?;
//! ledger.submit_batch(&registrar, events)?;          // all or nothing
//! println!("{}", ledger.tally().to_json());
//! ledger.checkpoint(&registrar)?;
//! let mut bundle = Vec::new();
//! ledger.export(&mut bundle, &mut |_, _| {})?;
//! let report = verify_bundle(&bundle[..], &[registrar.verifier()], &mut |_, _| {})?;
//! assert!(report.is_valid());
//! # Ok(()) }
//! ```
//!
//! `examples/embed.rs` runs a whole small meeting this way. `docs/ARCHITECTURE.md` describes
//! the design and the receipt file.

mod compare;
mod error;
mod ledger;
mod receipt;
mod replay;
mod verify;

pub use compare::{compare_tally, Difference, TallyComparison};
pub use error::LedgerError;
pub use ledger::{origin_for, tally_digest, Ledger};
pub use receipt::{
    verify_receipt, ReceiptBallot, ReceiptEntry, ReceiptReport, ReceiptVerdict, VoteReceipt,
    RECEIPT_FORMAT,
};
pub use verify::{verify_bundle, Check, CheckStatus, Verdict, VerifyReport};

/// The crates the ledger is built on, re-exported so that embedders use the same versions.
pub use scrutin_log as log;
pub use scrutin_model as model;
pub use scrutin_tally as tally;

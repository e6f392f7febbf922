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
//! ```
//! use scrutin::{verify_bundle, Ledger};
//! use scrutin::log::Signer;
//! use scrutin::model::*;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let tmp = std::env::temp_dir().join(format!("scrutin-doc-{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&tmp);
//! let registrar = Signer::from_seed("registrar.example", [1; 32])?;
//! let h = ClassId::new("H")?;
//! let convened = MeetingConvened {
//!     id: "DOC-EGM".into(), issuer: "Doc Ltd".into(), stock_code: "09999".into(),
//!     kind: MeetingKind::Egm, date: Date::new("2026-12-01")?,
//!     rules: RulesProfile::preset(Preset::Hk, 4),
//!     classes: vec![ShareClass { id: h.clone(), name: "H shares".into(), votes_per_share: 1 }],
//!     record_date: Date::new("2026-11-20")?, proxy_deadline: UtcMillis(1_900_000_000_000),
//!     registrar: AuthorKey(*registrar.public_key().as_bytes()), scrutineer: String::new(),
//! };
//! let ledger = Ledger::create(&tmp, convened, &registrar)?;
//! let holder = HolderId::new("H1")?;
//! let r1 = ResolutionId::new("1")?;
//! ledger.submit_batch(&registrar, vec![                  // all or nothing
//!     Event::ResolutionProposed(Resolution { id: r1.clone(), kind: ResolutionKind::Ordinary,
//!         title: "Final dividend".into(), classes: vec![], votes_per_share: vec![] }),
//!     Event::ShareRegistered { holder: holder.clone(), name: "A holder".into(),
//!         class: h, shares: Shares(1_000) },
//!     Event::RegisterClosed,
//!     Event::PollOpened { resolution: None },
//!     Event::VoteCast(Ballot { voter: Voter::Holder(holder), resolution: r1, class: None,
//!         choice: Choice::Split { for_: Shares(900), against: Shares(100), abstain: Shares(0) } }),
//!     Event::PollClosed { resolution: None },
//! ])?;
//! assert_eq!(ledger.tally().resolutions[0].for_pct, "90.0000");
//!
//! ledger.checkpoint(&registrar)?;
//! let mut bundle = Vec::new();
//! ledger.export(&mut bundle, &mut |_, _| {})?;
//! let report = verify_bundle(&bundle[..], &[registrar.verifier()], &mut |_, _| {})?;
//! assert!(report.is_valid());
//! # drop(ledger); let _ = std::fs::remove_dir_all(&tmp);
//! # Ok(()) }
//! ```
//!
//! `examples/embed.rs` runs a whole small meeting this way. `docs/ARCHITECTURE.md` describes
//! the design and the receipt file.

mod atomic;
mod checkpoints;
mod compare;
pub mod demo;
mod error;
pub mod keys;
mod ledger;
mod log_only;
mod pin;
mod receipt;
mod receipt_bulk;
mod receipt_index;
mod receipt_text;
mod receipt_verify;
mod replay;
pub mod report;
mod scan;
pub mod state_cache;
pub mod text;
mod verify;
mod verify_state;
mod witness_state;
mod workflow;

pub use atomic::{write_atomic, write_atomic_with};
pub use checkpoints::{read_proof_file, write_checkpoint_note, CHECKPOINT_NOTE};
pub use compare::{compare_claim, compare_tally, parse_claimed_tally, Difference, TallyComparison};
pub use error::LedgerError;
pub use ledger::{origin_for, tally_digest, tally_digest_of_format, Ledger};
pub use log_only::{LedgerLog, PollsState};
pub use pin::{verify_bundle_pinned, verify_receipt_pinned, CHECK_PINNING};
pub use receipt::{ReceiptEntry, VoteReceipt, RECEIPT_FORMAT};
pub use receipt_bulk::{receipt_file_name, ReceiptVerifier, ReceiptsWritten};
pub use receipt_verify::{
    verify_receipt, ReceiptBallot, ReceiptHolding, ReceiptReport, ReceiptVerdict,
};
pub use scrutin_log::{Check, CheckList, CheckStatus, Verdict};
pub use verify::{
    verify_bundle, Incremental, Restricted, VerifyReport, MEETING_CHECKS, PROVISIONAL_LINE,
};
pub use verify_state::{verify_bundle_since, VerifyState, STATE_MAGIC, STATE_VERSION};
pub use witness_state::{origin_dir_name, OriginState, WitnessState};
pub use workflow::{
    AfterClose, CloseOutcome, ImportOptions, ImportWarning, Imported, IMPORT_CHUNK,
};

/// The README's example, compiled and run as a doctest so that it cannot drift from the API.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The announcement cross-check: a published poll-results text against the recomputed tally.
pub use scrutin_crosscheck as crosscheck;
/// The crates the ledger is built on, re-exported so that embedders use the same versions.
/// The meeting file and CSV parsers (`meeting.toml`, register, abstentions, proxies, ballots).
pub use scrutin_interchange as interchange;
pub use scrutin_log as log;
pub use scrutin_model as model;
pub use scrutin_tally as tally;

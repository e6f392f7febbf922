//! The event model of a shareholder general meeting, and its canonical bytes.
//!
//! Pure: no files, no clock, no randomness. Time enters only as data ([`UtcMillis`]).
//! A meeting is the sequence of [`Event`]s recorded in its ledger; `scrutin-tally` folds them
//! into the meeting's state and its count under the meeting's [`RulesProfile`].
//!
//! ```
//! use scrutin_model::{decode_event, encode_event, ClassId, Event, HolderId, Shares};
//!
//! let event = Event::ShareRegistered {
//!     holder: HolderId::new("H0001")?,
//!     name: "HKSCC NOMINEES LIMITED".into(),
//!     class: ClassId::new("H")?,
//!     shares: Shares(125_466_000),
//! };
//! let bytes = encode_event(&event)?;
//! assert_eq!(decode_event(&bytes)?, event);
//! # Ok::<(), scrutin_model::ModelError>(())
//! ```

mod codec;
mod error;
mod event;
mod ids;
mod rules;

pub use codec::{decode_event, encode_event, EVENT_FORMAT_VERSION, MAX_PAYLOAD_LEN};
pub use error::ModelError;
pub use event::{
    Allocation, Ballot, Candidate, Choice, ClassIssued, ClassPctBase, ClassWeight, Declaration,
    Event, EventKind, Instruction, MeetingConvened, MeetingKind, MeetingSettings, ProxyInstruction,
    ProxyLodged, Resolution, ResolutionKind, Restriction, Role, SchemeTerms, ShareClass, Sitting,
    SittingKind, Voter, MAX_TEXT_LEN,
};
pub use ids::{
    group_thousands, AuthorKey, CandidateId, ClassId, Date, HolderId, ProxyId, ResolutionId,
    Shares, SittingId, UtcMillis, Votes, MAX_ID_LEN,
};
pub use rules::{Denominator, Preset, RulesProfile, Threshold};

//! The projection of a meeting: its state as the fold of its events under its rules, the
//! validation of each event against that state, the count, and the announcement text.
//!
//! Pure: no files, no clock. The same events always give byte-identical tallies and text.
//! Every rule enforced here is listed in `docs/RULES.md` with its [`RuleViolation`] code and
//! the test that pins it.
//!
//! ```
//! use scrutin_model::*;
//! use scrutin_tally::Meeting;
//!
//! let registrar = AuthorKey([1; 32]);
//! const AT: UtcMillis = UtcMillis(1_800_000_000_000); // when each event is recorded
//! let id = |s: &str| HolderId::new(s).unwrap();
//! let mut m = Meeting::new();
//! m.submit(&Event::MeetingConvened(MeetingConvened {
//!     id: "egm".into(), issuer: "Example Co".into(), stock_code: "00001".into(),
//!     kind: MeetingKind::Egm, date: Date::new("2026-11-24")?,
//!     rules: RulesProfile::preset(Preset::Hk, 4),
//!     classes: vec![ShareClass { id: ClassId::new("H")?, name: "H shares".into(), votes_per_share: 1 }],
//!     record_date: Date::new("2026-11-20")?, proxy_deadline: UtcMillis(0),
//!     registrar, scrutineer: String::new(),
//! }), &registrar, AT)?;
//! m.submit(&Event::ResolutionProposed(Resolution {
//!     id: ResolutionId::new("1")?, kind: ResolutionKind::Ordinary, title: "Accounts".into(),
//!     classes: vec![], votes_per_share: vec![],
//! }), &registrar, AT)?;
//! for (h, shares) in [("A", 600), ("B", 400)] {
//!     m.submit(&Event::ShareRegistered {
//!         holder: id(h), name: h.into(), class: ClassId::new("H")?, shares: Shares(shares),
//!     }, &registrar, AT)?;
//! }
//! m.submit(&Event::RegisterClosed, &registrar, AT)?;
//! m.submit(&Event::PollOpened { resolution: None }, &registrar, AT)?;
//! let ballot = |h: &str, f, a| Event::VoteCast(Ballot {
//!     voter: Voter::Holder(id(h)), resolution: ResolutionId::new("1").unwrap(), class: None,
//!     choice: Choice::Split { for_: Shares(f), against: Shares(a), abstain: Shares(0) },
//! });
//! m.submit(&ballot("A", 600, 0), &registrar, AT)?;
//! m.submit(&ballot("B", 100, 300), &registrar, AT)?;
//! // A second ballot on the same resolution is refused, and names the rule.
//! let refused = m.submit(&ballot("B", 1, 0), &registrar, AT).unwrap_err();
//! assert_eq!(refused.rule(), "duplicate-ballot");
//! let tally = m.tally();
//! assert_eq!((tally.resolutions[0].for_, tally.resolutions[0].against), (700, 300));
//! assert_eq!(tally.resolutions[0].for_pct, "70.0000");
//! assert!(tally.resolutions[0].passed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod announce;
mod apply;
mod arena;
mod check;
mod count;
mod cowvec;
mod error;
mod fxhash;
mod meeting;
mod plan;
mod sitting_count;
mod sittings;
mod snapshot;
mod subject;
mod tally;

pub use announce::{render_announcement, PROVISIONAL};
pub use check::MAX_CLASSES;
pub use error::RuleViolation;
pub use meeting::{Abstention, BallotStatus, Meeting, Planned};
pub use sittings::GENERAL_SITTING;
pub use snapshot::{SnapshotError, SNAPSHOT_MAGIC, SNAPSHOT_VERSION};
pub use subject::{Subject, VoteColumn};
pub use tally::{
    mul_div, percent, AgainstLimitTest, CandidateResult, ClassAttendance, ClassVotes, Disregarded,
    HeadcountTest, MajorityTest, ResolutionTally, SchemeTests, SittingAttendance, Tally,
    TALLY_FORMAT,
};

//! The projection of a meeting: its state as the fold of its events under its rules, the
//! validation of each event against that state, the count, and the announcement text.
//!
//! Pure: no files, no clock. The same events always give byte-identical tallies and text.
//! Every rule enforced here is listed in `docs/RULES.md` with its [`RuleViolation`] code and
//! the test that pins it.

mod announce;
mod apply;
mod check;
mod count;
mod cowvec;
mod error;
mod fxhash;
mod meeting;
mod plan;
mod tally;

pub use announce::render_announcement;
pub use error::RuleViolation;
pub use meeting::{Abstention, BallotStatus, Meeting};
pub use tally::{
    percent, CandidateResult, ClassAttendance, ClassVotes, Disregarded, ResolutionTally,
    SchemeTests, Tally,
};

//! The projection of a meeting: its state as the fold of its events under its rules, the
//! validation of each event against that state, the count, and the announcement text.
//!
//! Pure: no files, no clock. The same events always give byte-identical tallies and text.

mod announce;
mod error;
mod meeting;
mod tally;

pub use announce::render_announcement;
pub use error::RuleViolation;
pub use meeting::Meeting;
pub use tally::{
    percent, CandidateResult, ClassAttendance, ClassVotes, Disregarded, ResolutionTally,
    SchemeTests, Tally,
};

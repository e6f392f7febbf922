//! The poll-results announcement text, in the layout of published announcements.

use crate::{Meeting, Tally};

/// Renders the poll-results announcement (attendance paragraph, Rule 13.40 and abstention
/// statements, the results table, the pass statement, the scrutineer).
pub fn render_announcement(meeting: &Meeting, tally: &Tally) -> String {
    let _ = (meeting, tally);
    todo!("issue 3")
}

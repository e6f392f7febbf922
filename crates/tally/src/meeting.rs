//! The meeting's state: the fold of its events under its rules.

use scrutin_model::{AuthorKey, Event, HolderId, MeetingConvened, ProxyId, Resolution, Role};

use crate::{RuleViolation, Tally};

/// The state of a meeting: the fold of its events. `check` says whether an event is valid now
/// and why not; `apply` folds a checked event in. Replaying the same events always gives the
/// same state, and the same [`Tally`].
#[derive(Debug, Clone, Default)]
pub struct Meeting {}

impl Meeting {
    /// An empty meeting: the first event must be `MeetingConvened`.
    pub fn new() -> Meeting {
        Meeting::default()
    }

    /// Whether `event`, authored by `author`, may be recorded now.
    ///
    /// # Errors
    /// The [`RuleViolation`] that forbids it.
    pub fn check(&self, event: &Event, author: &AuthorKey) -> Result<(), RuleViolation> {
        let _ = (event, author);
        todo!("issue 3")
    }

    /// Folds in an event that `check` accepted. Calling it with an unchecked event is a bug
    /// in the caller; the state stays consistent but the result is unspecified.
    pub fn apply(&mut self, event: &Event, author: &AuthorKey) {
        let _ = (event, author);
        todo!("issue 3")
    }

    /// `check` then `apply`.
    ///
    /// # Errors
    /// The [`RuleViolation`] that forbids the event; the state is then unchanged.
    pub fn submit(&mut self, event: &Event, author: &AuthorKey) -> Result<(), RuleViolation> {
        self.check(event, author)?;
        self.apply(event, author);
        Ok(())
    }

    /// The genesis event, once recorded.
    pub fn convened(&self) -> Option<&MeetingConvened> {
        todo!("issue 3")
    }

    /// The authorities `key` currently holds.
    pub fn roles(&self, key: &AuthorKey) -> Vec<Role> {
        let _ = key;
        todo!("issue 3")
    }

    /// The resolutions, in the order proposed.
    pub fn resolutions(&self) -> Vec<&Resolution> {
        todo!("issue 3")
    }

    /// The proxies `holder` has appointed (revoked ones included), in lodging order.
    pub fn proxies_of(&self, holder: &HolderId) -> Vec<ProxyId> {
        let _ = holder;
        todo!("issue 3")
    }

    /// Whether every proposed resolution's poll is closed.
    pub fn all_polls_closed(&self) -> bool {
        todo!("issue 3")
    }

    /// The count as it stands.
    pub fn tally(&self) -> Tally {
        todo!("issue 3")
    }
}

//! Why an event is not valid now.

/// Why an event may not be recorded in the meeting's current state. Each variant names the
/// rule it enforces and carries the holder or proxy, the resolution and the numbers concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleViolation {
    /// Placeholder until the rules land (see issue 3).
    #[error("{rule}: {detail}")]
    Other {
        /// A stable short code of the rule (`"over-voting"`).
        rule: &'static str,
        /// The holder, proxy, resolution and numbers, in words.
        detail: String,
    },
}

impl RuleViolation {
    /// A stable short code of the rule broken (`"over-voting"`, `"duplicate-ballot"`, ...),
    /// for machine-readable output.
    pub fn rule(&self) -> &'static str {
        match self {
            RuleViolation::Other { rule, .. } => rule,
        }
    }
}

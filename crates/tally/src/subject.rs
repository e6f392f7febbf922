//! What part of a refused event a [`RuleViolation`] is about, as a typed value: so that a
//! caller that knows where each part came from (a CSV row and column, a form field) can point
//! at it without reading the rule code or the message.

use scrutin_model::{
    AuthorKey, CandidateId, ClassId, HolderId, Instruction, ProxyId, ResolutionId, SittingId, Voter,
};

use crate::RuleViolation;

/// Which number of a ballot a violation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VoteColumn {
    /// The shares voted for (for a cumulative ballot: the votes allocated).
    For,
    /// The shares voted against.
    Against,
    /// The shares abstaining.
    Abstain,
    /// The votes a cumulative ballot allocates.
    Votes,
}

/// The part of an event a [`RuleViolation`] concerns (see [`RuleViolation::subject`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Subject {
    /// The event as a whole, no one part of it (it comes too early or too late, the meeting
    /// refuses its kind now).
    Event,
    /// The key that signed the event, or that an authority event names.
    Author(AuthorKey),
    /// A holder the event names (the registered holder, the appointing holder, a holder
    /// voting in person).
    Holder(HolderId),
    /// A proxy the event names (the form lodged, or the proxy voting).
    Proxy(ProxyId),
    /// Who attends or votes, holder or proxy.
    Voter(Voter),
    /// A resolution the event names.
    Resolution(ResolutionId),
    /// The share class the event names; `None` when the event should have named one and did
    /// not.
    Class(Option<ClassId>),
    /// The number of shares registered or appointed.
    Shares,
    /// When a proxy form says it was lodged.
    LodgedAt,
    /// A proxy form's instruction on this resolution.
    Instruction(ResolutionId),
    /// A ballot's numbers as a whole (its split, or its allocations).
    Tendered,
    /// One number of a ballot.
    VoteColumn(VoteColumn),
    /// A candidate a cumulative ballot allocates votes to.
    Candidate(CandidateId),
    /// The sitting the event names.
    Sitting(SittingId),
    /// When an attendance record says the attendee arrived.
    AttendedAt,
}

/// The first number of a ballot that its proxy's instruction does not allow.
fn contradicted(instruction: &Instruction, for_: u64, against: u64, abstain: u64) -> VoteColumn {
    let allowed = match instruction {
        Instruction::For => [None, Some(0), Some(0)],
        Instruction::Against => [Some(0), None, Some(0)],
        Instruction::Abstain => [Some(0), Some(0), None],
        Instruction::Split {
            for_,
            against,
            abstain,
        } => [Some(for_.0), Some(against.0), Some(abstain.0)],
        Instruction::Discretion => [None, None, None],
    };
    let cols = [VoteColumn::For, VoteColumn::Against, VoteColumn::Abstain];
    let given = [for_, against, abstain];
    (0..3)
        .find(|&i| allowed[i].is_some_and(|a| a != given[i]))
        // An instruction to vote all appointed shares one way, voted for fewer: the column
        // it names.
        .or_else(|| (0..3).find(|&i| allowed[i].is_none()))
        .map_or(VoteColumn::For, |i| cols[i])
}

impl RuleViolation {
    /// The part of the refused event this violation is about.
    pub fn subject(&self) -> Subject {
        use RuleViolation as V;
        match self {
            V::NotConvened { .. }
            | V::AlreadyConvened
            | V::InvalidMeeting { .. }
            | V::RegisterClosed { .. }
            | V::RegisterOpen { .. }
            | V::EmptyAbstention { .. }
            | V::NothingToOpen
            | V::NoOpenPoll
            | V::NoClosedPoll
            | V::LogSealed { .. }
            | V::InvalidSettings { .. } => Subject::Event,
            V::UnknownSitting { sitting } | V::InvalidSitting { sitting, .. } => {
                Subject::Sitting(sitting.clone())
            }
            V::DuplicateTerms { resolution } | V::ProxySitting { resolution, .. } => {
                Subject::Resolution(resolution.clone())
            }
            V::AttendedInFuture { .. } => Subject::AttendedAt,
            V::Unauthorized { author, .. } => Subject::Author(*author),
            V::AuthorityAlreadyHeld { key, .. } | V::AuthorityNotHeld { key, .. } => {
                Subject::Author(*key)
            }
            V::DuplicateResolution { resolution }
            | V::UnknownResolution { resolution }
            | V::InvalidResolution { resolution, .. }
            | V::ClassMeetingResolution { resolution, .. }
            | V::PollAlreadyOpened { resolution }
            | V::PollAlreadyClosed { resolution }
            | V::PollNotOpen { resolution }
            | V::PollStillOpen { resolution }
            | V::PollNotHeld { resolution }
            | V::BallotBeforePoll { resolution, .. }
            | V::BallotAfterPoll { resolution, .. } => Subject::Resolution(resolution.clone()),
            V::UnknownClass { class }
            | V::NoSharesInClass { class, .. }
            | V::ClassNotVoting { class, .. } => Subject::Class(Some(class.clone())),
            V::AmbiguousProxyClass { .. } | V::AmbiguousClass { .. } => Subject::Class(None),
            V::DuplicateRegisterLine { holder, .. }
            | V::UnknownHolder { holder }
            | V::TreasuryShares { holder, .. }
            | V::DuplicateAbstention { holder, .. }
            | V::HolderInPerson { holder, .. } => Subject::Holder(holder.clone()),
            V::EmptyRegisterLine { .. } | V::ZeroProxyShares { .. } | V::OverAppointment { .. } => {
                Subject::Shares
            }
            V::DuplicateProxy { proxy }
            | V::UnknownProxy { proxy }
            | V::ProxyNotActive { proxy, .. }
            | V::ProxyAfterPollOpened { proxy, .. } => Subject::Proxy(proxy.clone()),
            V::LateProxy { .. } | V::ProxyLodgedInFuture { .. } => Subject::LodgedAt,
            V::DuplicateInstruction { resolution, .. }
            | V::InstructionExceedsAppointment { resolution, .. } => {
                Subject::Instruction(resolution.clone())
            }
            V::DuplicateAttendance { attendee } => Subject::Voter(attendee.clone()),
            V::DuplicateBallot { voter, .. } => Subject::Voter(voter.clone()),
            V::AttendanceClosed { subject, .. } => Subject::Voter(subject.clone()),
            V::ChoiceKindMismatch { .. }
            | V::EmptyBallot { .. }
            | V::OverVoting { .. }
            | V::SharesWithProxy { .. } => Subject::Tendered,
            V::ProxyInstruction {
                instruction,
                for_,
                against,
                abstain,
                ..
            }
            | V::ProxyShortfall {
                instruction,
                for_,
                against,
                abstain,
                ..
            } => Subject::VoteColumn(contradicted(instruction, *for_, *against, *abstain)),
            V::UnknownCandidate { candidate, .. } | V::DuplicateCandidate { candidate, .. } => {
                Subject::Candidate(candidate.clone())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scrutin_model::Shares;

    #[test]
    fn a_proxy_ballot_points_at_the_number_its_instruction_forbids() {
        assert_eq!(
            contradicted(&Instruction::For, 5, 3, 0),
            VoteColumn::Against
        );
        assert_eq!(
            contradicted(&Instruction::Against, 0, 3, 2),
            VoteColumn::Abstain
        );
        let split = Instruction::Split {
            for_: Shares(5),
            against: Shares(5),
            abstain: Shares(0),
        };
        assert_eq!(contradicted(&split, 5, 4, 0), VoteColumn::Against);
        assert_eq!(
            contradicted(&Instruction::Abstain, 0, 0, 1),
            VoteColumn::Abstain
        );
    }
}

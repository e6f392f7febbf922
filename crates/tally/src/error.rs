//! Why an event is not valid now.

use scrutin_model::{
    group_thousands, AuthorKey, CandidateId, ClassId, EventKind, HolderId, Instruction, ProxyId,
    ResolutionId, Role, SittingId, UtcMillis, Voter,
};

fn n(value: &u64) -> String {
    group_thousands(u128::from(*value))
}

fn n128(value: &u128) -> String {
    group_thousands(*value)
}

fn who(voter: &Voter) -> String {
    match voter {
        Voter::Holder(h) => format!("holder {h}"),
        Voter::Proxy(p) => format!("proxy {p}"),
    }
}

fn list(classes: &[ClassId]) -> String {
    let names: Vec<&str> = classes.iter().map(ClassId::as_str).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

fn proxy_list(proxies: &[ProxyId]) -> String {
    let names: Vec<&str> = proxies.iter().map(ProxyId::as_str).collect();
    names.join(", ")
}

/// Shares a split instruction covers beyond a ballot's total (0 for other instructions).
fn shortfall(i: &Instruction, for_: u64, against: u64, abstain: u64) -> u128 {
    match i {
        Instruction::Split {
            for_: f,
            against: a,
            abstain: x,
        } => (u128::from(f.0) + u128::from(a.0) + u128::from(x.0))
            .saturating_sub(u128::from(for_) + u128::from(against) + u128::from(abstain)),
        _ => 0,
    }
}

fn instruction_words(i: &Instruction) -> String {
    match i {
        Instruction::For => "for".to_owned(),
        Instruction::Against => "against".to_owned(),
        Instruction::Abstain => "abstain".to_owned(),
        Instruction::Split {
            for_,
            against,
            abstain,
        } => format!("split (for {for_}, against {against}, abstain {abstain})"),
        Instruction::Discretion => "discretion".to_owned(),
    }
}

/// Why an event may not be recorded in the meeting's current state. Each variant names the
/// rule it enforces and carries the holder or proxy, the resolution and the numbers concerned.
/// [`RuleViolation::rule`] gives a stable kebab-case code; `docs/RULES.md` maps each code to
/// the domain rule and its test.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleViolation {
    /// An event other than `MeetingConvened` came first.
    #[error(
        "not-convened: {kind} before MeetingConvened (the first event must convene the meeting)"
    )]
    NotConvened {
        /// The event kind refused.
        kind: EventKind,
    },
    /// A second `MeetingConvened`.
    #[error("already-convened: the meeting is already convened (MeetingConvened comes once)")]
    AlreadyConvened,
    /// `MeetingConvened` is malformed (no classes, a class listed twice).
    #[error("invalid-meeting: {reason}")]
    InvalidMeeting {
        /// What is wrong.
        reason: String,
    },
    /// A sitting id that no `SittingConvened` declared.
    #[error("unknown-sitting: sitting {sitting} was never convened (declare it in [[sittings]])")]
    UnknownSitting {
        /// The sitting.
        sitting: SittingId,
    },
    /// A `SittingConvened` that is malformed or repeats one, or an event that does not fit
    /// its sitting.
    #[error("invalid-sitting: sitting {sitting}: {reason}")]
    InvalidSitting {
        /// The sitting.
        sitting: SittingId,
        /// What is wrong.
        reason: String,
    },
    /// A second `ResolutionTerms` for one resolution.
    #[error("duplicate-terms: resolution {resolution} already has its terms recorded")]
    DuplicateTerms {
        /// The resolution.
        resolution: ResolutionId,
    },
    /// A `MeetingSettings` that is malformed or repeats one.
    #[error("invalid-settings: {reason}")]
    InvalidSettings {
        /// What is wrong.
        reason: String,
    },
    /// The author does not hold the authority the event needs.
    #[error("unauthorized: key {author} may not record {kind} (needs {required})")]
    Unauthorized {
        /// The event kind.
        kind: EventKind,
        /// Who signed it.
        author: AuthorKey,
        /// The authority needed, in words.
        required: &'static str,
    },
    /// `AuthorityGranted` for an authority the key already holds.
    #[error("authority-already-held: key {key} already holds {role:?}")]
    AuthorityAlreadyHeld {
        /// The key.
        key: AuthorKey,
        /// The authority.
        role: Role,
    },
    /// `AuthorityRevoked` for an authority the key does not hold.
    #[error("authority-not-held: key {key} does not hold {role:?}")]
    AuthorityNotHeld {
        /// The key.
        key: AuthorKey,
        /// The authority.
        role: Role,
    },
    /// A resolution id proposed twice.
    #[error("duplicate-resolution: resolution {resolution} is already proposed")]
    DuplicateResolution {
        /// The resolution.
        resolution: ResolutionId,
    },
    /// A resolution that was never proposed.
    #[error("unknown-resolution: resolution {resolution} was never proposed")]
    UnknownResolution {
        /// The resolution.
        resolution: ResolutionId,
    },
    /// A share class the meeting does not have.
    #[error("unknown-class: class {class} is not a class of this meeting")]
    UnknownClass {
        /// The class.
        class: ClassId,
    },
    /// A resolution that is malformed (a class listed twice, a bad cumulative pool).
    #[error("invalid-resolution: resolution {resolution}: {reason}")]
    InvalidResolution {
        /// The resolution.
        resolution: ResolutionId,
        /// What is wrong.
        reason: String,
    },
    /// In a class meeting every resolution names exactly one class.
    #[error("class-meeting: resolution {resolution} names {classes} classes; a class meeting's resolution names exactly one")]
    ClassMeetingResolution {
        /// The resolution.
        resolution: ResolutionId,
        /// How many classes it named.
        classes: usize,
    },
    /// A register line or a second `RegisterClosed` after the register closed.
    #[error(
        "register-closed: {kind} after the register closed (the register is as at the record date)"
    )]
    RegisterClosed {
        /// The event kind refused.
        kind: EventKind,
    },
    /// An event that needs the closed register before it.
    #[error("register-open: {kind} before RegisterClosed")]
    RegisterOpen {
        /// The event kind refused.
        kind: EventKind,
    },
    /// The same holder and class registered twice.
    #[error("duplicate-register-line: holder {holder} already has a line in class {class}")]
    DuplicateRegisterLine {
        /// The holder.
        holder: HolderId,
        /// The class.
        class: ClassId,
    },
    /// A register line of zero shares.
    #[error("empty-register-line: holder {holder} registered with 0 shares of class {class}")]
    EmptyRegisterLine {
        /// The holder.
        holder: HolderId,
        /// The class.
        class: ClassId,
    },
    /// A holder not on the register.
    #[error("unknown-holder: holder {holder} is not on the register")]
    UnknownHolder {
        /// The holder.
        holder: HolderId,
    },
    /// Treasury shares carry no votes: they cannot be restricted, appointed, present or voted.
    #[error("treasury-shares: {kind} for {holder}: treasury shares carry no votes")]
    TreasuryShares {
        /// The event kind refused.
        kind: EventKind,
        /// The treasury holder.
        holder: HolderId,
    },
    /// `AbstentionRequired` with no resolution.
    #[error("empty-abstention: AbstentionRequired for holder {holder} names no resolution")]
    EmptyAbstention {
        /// The holder.
        holder: HolderId,
    },
    /// The holder is already restricted on the resolution.
    #[error(
        "duplicate-abstention: holder {holder} is already restricted on resolution {resolution}"
    )]
    DuplicateAbstention {
        /// The holder.
        holder: HolderId,
        /// The resolution.
        resolution: ResolutionId,
    },
    /// The poll on the resolution is already open (or was open), so it cannot change now.
    #[error("poll-already-opened: the poll on resolution {resolution} has already opened")]
    PollAlreadyOpened {
        /// The resolution.
        resolution: ResolutionId,
    },
    /// A proxy id lodged twice.
    #[error("duplicate-proxy: proxy {proxy} is already lodged")]
    DuplicateProxy {
        /// The proxy.
        proxy: ProxyId,
    },
    /// A proxy form lodged after the proxy deadline.
    #[error("late-proxy: proxy {proxy} of holder {holder} lodged at {} after the deadline {}", lodged_at.to_rfc3339(), deadline.to_rfc3339())]
    LateProxy {
        /// The proxy.
        proxy: ProxyId,
        /// The appointing holder.
        holder: HolderId,
        /// When it was lodged.
        lodged_at: UtcMillis,
        /// The proxy deadline.
        deadline: UtcMillis,
    },
    /// The holder already attended or voted in person, so a new proxy cannot take its shares.
    #[error(
        "holder-in-person: proxy {proxy}: holder {holder} has already attended or voted in person"
    )]
    HolderInPerson {
        /// The proxy.
        proxy: ProxyId,
        /// The holder.
        holder: HolderId,
    },
    /// The holder has no shares of the class.
    #[error("no-shares-in-class: holder {holder} has no shares of class {class}")]
    NoSharesInClass {
        /// The holder.
        holder: HolderId,
        /// The class.
        class: ClassId,
    },
    /// A proxy for a number of shares without a class, from a holder of several classes.
    #[error("ambiguous-proxy-class: proxy {proxy} names no class but holder {holder} holds classes {}", list(.classes))]
    AmbiguousProxyClass {
        /// The proxy.
        proxy: ProxyId,
        /// The holder.
        holder: HolderId,
        /// The holder's classes.
        classes: Vec<ClassId>,
    },
    /// A proxy appointed for zero shares.
    #[error("zero-proxy-shares: proxy {proxy} is appointed for 0 shares")]
    ZeroProxyShares {
        /// The proxy.
        proxy: ProxyId,
    },
    /// More shares appointed than the holder has free (or has at all).
    #[error("over-appointment: proxy {proxy} of holder {holder} appointed for {} shares of class {class} but only {} are available", n(.requested), n(.available))]
    OverAppointment {
        /// The proxy.
        proxy: ProxyId,
        /// The holder.
        holder: HolderId,
        /// The class.
        class: ClassId,
        /// Shares the form appoints.
        requested: u64,
        /// Shares the holder has not appointed to active proxies (or, when a later proxy wins,
        /// all its shares of the class).
        available: u64,
    },
    /// Two instructions for one resolution on one proxy form.
    #[error(
        "duplicate-instruction: proxy {proxy} has two instructions on resolution {resolution}"
    )]
    DuplicateInstruction {
        /// The proxy.
        proxy: ProxyId,
        /// The resolution.
        resolution: ResolutionId,
    },
    /// A split instruction for more shares than appointed.
    #[error("instruction-exceeds-appointment: proxy {proxy} is instructed on {} shares of resolution {resolution} but appointed for {}", n128(.instructed), n(.appointed))]
    InstructionExceedsAppointment {
        /// The proxy.
        proxy: ProxyId,
        /// The resolution.
        resolution: ResolutionId,
        /// Shares the split instruction covers.
        instructed: u128,
        /// Shares appointed.
        appointed: u64,
    },
    /// A proxy that was never lodged.
    #[error("unknown-proxy: proxy {proxy} was never lodged")]
    UnknownProxy {
        /// The proxy.
        proxy: ProxyId,
    },
    /// A proxy that is revoked (or superseded, or revoked by its holder's attendance).
    #[error("proxy-not-active: proxy {proxy} is no longer active ({reason})")]
    ProxyNotActive {
        /// The proxy.
        proxy: ProxyId,
        /// Why it stopped.
        reason: String,
    },
    /// Attendance recorded twice.
    #[error("duplicate-attendance: {} is already recorded as present", who(.attendee))]
    DuplicateAttendance {
        /// Who.
        attendee: Voter,
    },
    /// `PollOpened` for all when every poll already opened.
    #[error("nothing-to-open: every proposed resolution's poll has already opened (or none is proposed)")]
    NothingToOpen,
    /// A closed poll never reopens, and closes only once.
    #[error("poll-already-closed: the poll on resolution {resolution} is closed")]
    PollAlreadyClosed {
        /// The resolution.
        resolution: ResolutionId,
    },
    /// `PollClosed` on a resolution whose poll never opened.
    #[error("poll-not-open: the poll on resolution {resolution} has not opened")]
    PollNotOpen {
        /// The resolution.
        resolution: ResolutionId,
    },
    /// `PollClosed` for all when no poll is open.
    #[error("no-open-poll: no poll is open")]
    NoOpenPoll,
    /// `ResultDeclared` while a poll is open.
    #[error("poll-still-open: the poll on resolution {resolution} is still open")]
    PollStillOpen {
        /// The resolution.
        resolution: ResolutionId,
    },
    /// `ResultDeclared` before any poll closed.
    #[error("no-closed-poll: no poll has closed, so there is no result to declare")]
    NoClosedPoll,
    /// A ballot before the poll on its resolution opened.
    #[error("ballot-before-poll: {} voted on resolution {resolution} before its poll opened", who(.voter))]
    BallotBeforePoll {
        /// The voter.
        voter: Voter,
        /// The resolution.
        resolution: ResolutionId,
    },
    /// A ballot after the poll on its resolution closed.
    #[error("ballot-after-poll: {} voted on resolution {resolution} after its poll closed", who(.voter))]
    BallotAfterPoll {
        /// The voter.
        voter: Voter,
        /// The resolution.
        resolution: ResolutionId,
    },
    /// The ballot names no class and the voter's shares voting on it are of several classes.
    #[error("ambiguous-class: {} names no class on resolution {resolution} but has shares of classes {} voting on it", who(.voter), list(.classes))]
    AmbiguousClass {
        /// The voter.
        voter: Voter,
        /// The resolution.
        resolution: ResolutionId,
        /// The voter's classes that vote on the resolution.
        classes: Vec<ClassId>,
    },
    /// The class does not vote on the resolution, or the voter holds none of it.
    #[error("class-not-voting: {} has no shares of class {class} voting on resolution {resolution}", who(.voter))]
    ClassNotVoting {
        /// The voter.
        voter: Voter,
        /// The resolution.
        resolution: ResolutionId,
        /// The class.
        class: ClassId,
    },
    /// A split ballot on a cumulative resolution, or allocations on another kind.
    #[error("choice-kind: {} cast a {given} ballot on resolution {resolution}, which takes {expected} ballots", who(.voter))]
    ChoiceKindMismatch {
        /// The voter.
        voter: Voter,
        /// The resolution.
        resolution: ResolutionId,
        /// What the resolution takes (`split` or `cumulative`).
        expected: &'static str,
        /// What the ballot was.
        given: &'static str,
    },
    /// A ballot of no shares (or no votes).
    #[error("empty-ballot: {} cast a ballot of nothing on resolution {resolution}", who(.voter))]
    EmptyBallot {
        /// The voter.
        voter: Voter,
        /// The resolution.
        resolution: ResolutionId,
    },
    /// More shares voted than the voter is entitled to.
    #[error("over-voting: {} tendered {} shares on resolution {resolution} (class {class}) but is entitled to {}", who(.voter), n128(.tendered), n(.entitled))]
    OverVoting {
        /// The voter.
        voter: Voter,
        /// The resolution.
        resolution: ResolutionId,
        /// The class voted.
        class: ClassId,
        /// Shares tendered (for + against + abstain).
        tendered: u128,
        /// Shares the voter may vote (a holder's own less those appointed to active proxies;
        /// a proxy's appointed shares).
        entitled: u64,
    },
    /// A holder voting in person while its active proxies hold every one of its shares of
    /// the class: the proxies vote those shares until the holder attends (which revokes
    /// them) or they are revoked.
    #[error("over-voting: holder {holder} tendered {} shares on resolution {resolution} (class {class}) but is entitled to 0 in person: all its shares of class {class} are held by its proxies {} (to vote them in person, record the holder's attendance, which revokes its proxies, or revoke the proxies first)", n128(.tendered), proxy_list(.proxies))]
    SharesWithProxy {
        /// The holder.
        holder: HolderId,
        /// The resolution.
        resolution: ResolutionId,
        /// The class voted.
        class: ClassId,
        /// Shares tendered (for + against + abstain).
        tendered: u128,
        /// Those proxies, in lodging order (boxed, to keep the error small).
        proxies: Box<[ProxyId]>,
    },
    /// A second ballot by the same voter on the same resolution and class.
    #[error("duplicate-ballot: {} has already voted on resolution {resolution} (class {class})", who(.voter))]
    DuplicateBallot {
        /// The voter.
        voter: Voter,
        /// The resolution.
        resolution: ResolutionId,
        /// The class.
        class: ClassId,
    },
    /// A proxy's ballot contradicts its instruction.
    #[error("proxy-instruction: proxy {proxy} was instructed {} on resolution {resolution} but voted for {}, against {}, abstain {}", instruction_words(.instruction), n(.for_), n(.against), n(.abstain))]
    ProxyInstruction {
        /// The proxy.
        proxy: ProxyId,
        /// The resolution.
        resolution: ResolutionId,
        /// The instruction on the form.
        instruction: Instruction,
        /// Shares voted for (for a cumulative ballot: votes allocated).
        for_: u64,
        /// Shares voted against.
        against: u64,
        /// Shares abstaining.
        abstain: u64,
    },
    /// A proxy with a split instruction voted fewer shares of some part than instructed
    /// (each part within, but not all of it): a proxy votes as instructed, so the ballot is
    /// refused, naming the shortfall.
    #[error("proxy-instruction: proxy {proxy} was instructed {} on resolution {resolution} but voted for {}, against {}, abstain {}: {} shares short of the instruction (a proxy votes every instructed share as instructed)", instruction_words(.instruction), n(.for_), n(.against), n(.abstain), n128(&shortfall(.instruction, *.for_, *.against, *.abstain)))]
    ProxyShortfall {
        /// The proxy.
        proxy: ProxyId,
        /// The resolution.
        resolution: ResolutionId,
        /// The split instruction on the form.
        instruction: Instruction,
        /// Shares voted for.
        for_: u64,
        /// Shares voted against.
        against: u64,
        /// Shares abstaining.
        abstain: u64,
    },
    /// An allocation to someone not standing in the resolution's pool.
    #[error("unknown-candidate: {} allocated votes to {candidate}, who is not a candidate in resolution {resolution}", who(.voter))]
    UnknownCandidate {
        /// The voter.
        voter: Voter,
        /// The resolution.
        resolution: ResolutionId,
        /// The candidate.
        candidate: CandidateId,
    },
    /// A proxy form claims to have been lodged after the moment it was recorded in the log.
    #[error("proxy-lodged-in-future: proxy {proxy} of holder {holder} claims to have been lodged at {}, after it was recorded ({}): a form cannot be received after it is entered", lodged_at.to_rfc3339(), recorded_at.to_rfc3339())]
    ProxyLodgedInFuture {
        /// The proxy.
        proxy: ProxyId,
        /// The appointing holder.
        holder: HolderId,
        /// The receipt time the form states.
        lodged_at: UtcMillis,
        /// The entry's recorded time.
        recorded_at: UtcMillis,
    },
    /// A proxy form recorded after a poll of the meeting opened: the meeting, and so the proxy
    /// deadline before it, had already begun, whatever receipt time the form states.
    #[error("late-proxy: proxy {proxy} of holder {holder} is recorded after the poll on resolution {resolution} opened, so after the proxy deadline, whatever lodging time it states")]
    ProxyAfterPollOpened {
        /// The proxy.
        proxy: ProxyId,
        /// The appointing holder.
        holder: HolderId,
        /// A resolution whose poll had opened.
        resolution: ResolutionId,
    },
    /// Attendance, a proxy revocation, or a ballot by someone not yet present, after a poll
    /// closed: it would change the count of a closed resolution (shares represented, a proxy's
    /// standing).
    #[error("attendance-closed: {kind} for {} after the poll on resolution {resolution} closed: nothing recorded after a poll closes may change how it counts", who(.subject))]
    AttendanceClosed {
        /// The event kind refused.
        kind: EventKind,
        /// Who it concerns.
        subject: Voter,
        /// A resolution whose poll had closed.
        resolution: ResolutionId,
    },
    /// A declaration while a resolution has not been put to the vote: the declaration is final,
    /// so every poll must have been held and closed.
    #[error("poll-not-held: the poll on resolution {resolution} has not been held: the result is declared once, when every poll is closed")]
    PollNotHeld {
        /// A resolution whose poll never opened.
        resolution: ResolutionId,
    },
    /// Any event after the result was declared: the declaration is final and seals the log.
    #[error("log-sealed: {kind} after the result was declared at entry {declared_at}: the declared result is final and nothing may be recorded after it")]
    LogSealed {
        /// The event kind refused.
        kind: EventKind,
        /// The index of the declaration among the meeting's events (its log entry index).
        declared_at: u64,
    },
    /// A proxy used at a sitting it was not appointed for: a ballot on a resolution of
    /// another sitting, or an instruction on one. The proxy forms of the general meeting and
    /// of a class meeting are different appointments (docs/RULES.md, "proxy-sitting").
    #[error("proxy-sitting: proxy {proxy} is appointed for sitting {proxy_sitting}, but resolution {resolution} is put to sitting {sitting}: a proxy acts only at the sitting its form appoints it for")]
    ProxySitting {
        /// The proxy.
        proxy: ProxyId,
        /// The resolution.
        resolution: ResolutionId,
        /// The sitting the resolution is put to.
        sitting: SittingId,
        /// The sitting the proxy is appointed for.
        proxy_sitting: SittingId,
    },
    /// Attendance that states a time after the moment it was recorded in the log.
    #[error("attended-in-future: {} is stated to have attended at {}, after the attendance was recorded ({}): attendance cannot be taken after it is entered", who(.attendee), attended_at.to_rfc3339(), recorded_at.to_rfc3339())]
    AttendedInFuture {
        /// Who attended.
        attendee: Voter,
        /// The time stated.
        attended_at: UtcMillis,
        /// The entry's recorded time.
        recorded_at: UtcMillis,
    },
    /// The same candidate twice in one cumulative ballot.
    #[error("duplicate-candidate: {} allocated votes to {candidate} twice on resolution {resolution}", who(.voter))]
    DuplicateCandidate {
        /// The voter.
        voter: Voter,
        /// The resolution.
        resolution: ResolutionId,
        /// The candidate.
        candidate: CandidateId,
    },
}

impl RuleViolation {
    /// Whether the violation is about who may author the event (bundle verification's check 7,
    /// genesis and authority) rather than about the voting rules (check 8).
    pub fn is_authority(&self) -> bool {
        matches!(
            self,
            RuleViolation::NotConvened { .. }
                | RuleViolation::AlreadyConvened
                | RuleViolation::Unauthorized { .. }
                | RuleViolation::AuthorityAlreadyHeld { .. }
                | RuleViolation::AuthorityNotHeld { .. }
        )
    }

    /// A stable short code of the rule broken (`"over-voting"`, `"duplicate-ballot"`, ...),
    /// for machine-readable output. It is also the first word of the message.
    pub fn rule(&self) -> &'static str {
        match self {
            RuleViolation::NotConvened { .. } => "not-convened",
            RuleViolation::AlreadyConvened => "already-convened",
            RuleViolation::InvalidMeeting { .. } => "invalid-meeting",
            RuleViolation::Unauthorized { .. } => "unauthorized",
            RuleViolation::AuthorityAlreadyHeld { .. } => "authority-already-held",
            RuleViolation::AuthorityNotHeld { .. } => "authority-not-held",
            RuleViolation::DuplicateResolution { .. } => "duplicate-resolution",
            RuleViolation::UnknownResolution { .. } => "unknown-resolution",
            RuleViolation::UnknownClass { .. } => "unknown-class",
            RuleViolation::InvalidResolution { .. } => "invalid-resolution",
            RuleViolation::ClassMeetingResolution { .. } => "class-meeting",
            RuleViolation::RegisterClosed { .. } => "register-closed",
            RuleViolation::RegisterOpen { .. } => "register-open",
            RuleViolation::DuplicateRegisterLine { .. } => "duplicate-register-line",
            RuleViolation::EmptyRegisterLine { .. } => "empty-register-line",
            RuleViolation::UnknownHolder { .. } => "unknown-holder",
            RuleViolation::TreasuryShares { .. } => "treasury-shares",
            RuleViolation::EmptyAbstention { .. } => "empty-abstention",
            RuleViolation::DuplicateAbstention { .. } => "duplicate-abstention",
            RuleViolation::PollAlreadyOpened { .. } => "poll-already-opened",
            RuleViolation::DuplicateProxy { .. } => "duplicate-proxy",
            RuleViolation::LateProxy { .. } => "late-proxy",
            RuleViolation::HolderInPerson { .. } => "holder-in-person",
            RuleViolation::NoSharesInClass { .. } => "no-shares-in-class",
            RuleViolation::AmbiguousProxyClass { .. } => "ambiguous-proxy-class",
            RuleViolation::ZeroProxyShares { .. } => "zero-proxy-shares",
            RuleViolation::OverAppointment { .. } => "over-appointment",
            RuleViolation::DuplicateInstruction { .. } => "duplicate-instruction",
            RuleViolation::InstructionExceedsAppointment { .. } => {
                "instruction-exceeds-appointment"
            }
            RuleViolation::UnknownProxy { .. } => "unknown-proxy",
            RuleViolation::ProxyNotActive { .. } => "proxy-not-active",
            RuleViolation::DuplicateAttendance { .. } => "duplicate-attendance",
            RuleViolation::NothingToOpen => "nothing-to-open",
            RuleViolation::PollAlreadyClosed { .. } => "poll-already-closed",
            RuleViolation::PollNotOpen { .. } => "poll-not-open",
            RuleViolation::NoOpenPoll => "no-open-poll",
            RuleViolation::PollStillOpen { .. } => "poll-still-open",
            RuleViolation::NoClosedPoll => "no-closed-poll",
            RuleViolation::BallotBeforePoll { .. } => "ballot-before-poll",
            RuleViolation::BallotAfterPoll { .. } => "ballot-after-poll",
            RuleViolation::AmbiguousClass { .. } => "ambiguous-class",
            RuleViolation::ClassNotVoting { .. } => "class-not-voting",
            RuleViolation::ChoiceKindMismatch { .. } => "choice-kind",
            RuleViolation::EmptyBallot { .. } => "empty-ballot",
            RuleViolation::OverVoting { .. } => "over-voting",
            RuleViolation::SharesWithProxy { .. } => "over-voting",
            RuleViolation::DuplicateBallot { .. } => "duplicate-ballot",
            RuleViolation::ProxyInstruction { .. } => "proxy-instruction",
            RuleViolation::ProxyShortfall { .. } => "proxy-instruction",
            RuleViolation::UnknownCandidate { .. } => "unknown-candidate",
            RuleViolation::DuplicateCandidate { .. } => "duplicate-candidate",
            RuleViolation::ProxyLodgedInFuture { .. } => "proxy-lodged-in-future",
            RuleViolation::ProxyAfterPollOpened { .. } => "late-proxy",
            RuleViolation::AttendanceClosed { .. } => "attendance-closed",
            RuleViolation::LogSealed { .. } => "log-sealed",
            RuleViolation::PollNotHeld { .. } => "poll-not-held",
            RuleViolation::UnknownSitting { .. } => "unknown-sitting",
            RuleViolation::InvalidSitting { .. } => "invalid-sitting",
            RuleViolation::DuplicateTerms { .. } => "duplicate-terms",
            RuleViolation::InvalidSettings { .. } => "invalid-settings",
            RuleViolation::ProxySitting { .. } => "proxy-sitting",
            RuleViolation::AttendedInFuture { .. } => "attended-in-future",
        }
    }
}

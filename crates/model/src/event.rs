//! The events of a meeting. Variant order is part of the format: append only.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::{
    AuthorKey, CandidateId, ClassId, Date, HolderId, ModelError, ProxyId, ResolutionId,
    RulesProfile, Shares, SittingId, Threshold, UtcMillis, Votes,
};

/// Longest free text (names, titles, reasons) accepted in an event, in bytes.
pub const MAX_TEXT_LEN: usize = 4096;

/// The kind of general meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum MeetingKind {
    /// Annual general meeting.
    Agm,
    /// Extraordinary general meeting.
    Egm,
    /// A class meeting (e.g. of H-share holders).
    Class,
    /// Special general meeting (Bermuda and Cayman issuers' name for an EGM). Added after
    /// `Class`, so every earlier encoding keeps its meaning.
    Sgm,
    /// A meeting convened by order of the court (the scheme shareholders' meeting on a scheme
    /// of arrangement).
    Court,
}

impl MeetingKind {
    /// The kind as written in `meeting.toml` (`AGM`, `EGM`, `CLASS`, `SGM`, `COURT`).
    pub fn name(self) -> &'static str {
        match self {
            MeetingKind::Agm => "AGM",
            MeetingKind::Egm => "EGM",
            MeetingKind::Class => "CLASS",
            MeetingKind::Sgm => "SGM",
            MeetingKind::Court => "COURT",
        }
    }
}

/// A class of shares and its default voting weight.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct ShareClass {
    /// The class id used in the register.
    pub id: ClassId,
    /// Its name ("A shares", "Class Y ordinary shares").
    pub name: String,
    /// Votes each share carries unless a resolution says otherwise (at least 1).
    pub votes_per_share: u32,
}

/// Genesis: the meeting, its rules, its share classes and its registrar.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct MeetingConvened {
    /// The meeting's id (also the log origin's last component).
    pub id: String,
    /// The issuer's name.
    pub issuer: String,
    /// The stock code ("06680").
    pub stock_code: String,
    /// AGM, EGM or class meeting.
    pub kind: MeetingKind,
    /// The meeting date.
    pub date: Date,
    /// How votes are counted.
    pub rules: RulesProfile,
    /// The share classes.
    pub classes: Vec<ShareClass>,
    /// The record date (book closure) the register is taken at.
    pub record_date: Date,
    /// Proxy forms must be lodged before this instant.
    pub proxy_deadline: UtcMillis,
    /// The registrar's key: it authors this event and holds the registrar authority.
    pub registrar: AuthorKey,
    /// The scrutineer's name, as the announcement states it (may be empty).
    pub scrutineer: String,
}

/// Who may author which events.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Keeps the register; records proxies, attendance and ballots.
    Registrar,
    /// Counts the poll and declares results.
    Scrutineer,
    /// Opens and closes polls.
    Chair,
    /// Witness lawyer: observes, cosigns checkpoints.
    Witness,
    /// A holder's own key: may cast that holder's own ballots.
    Holder(HolderId),
}

/// What a resolution is, and how it passes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionKind {
    /// Passes with the profile's ordinary threshold (more than half).
    Ordinary,
    /// Passes with the profile's special threshold.
    Special,
    /// Cumulative voting for `seats` seats: each share carries `seats` votes to spread over the
    /// candidates; the best-placed candidates that reach the profile's minimum are elected.
    Cumulative {
        /// Seats to fill from this pool.
        seats: u32,
        /// The candidates standing in this pool.
        candidates: Vec<Candidate>,
    },
    /// A scheme of arrangement (court meeting): special threshold by value, a majority in
    /// number (headcount) and at most the profile's share of disinterested votes against.
    Scheme,
}

/// A candidate for election.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct Candidate {
    /// The candidate's id.
    pub id: CandidateId,
    /// The candidate's name.
    pub name: String,
}

/// A votes-per-share weight for one class on one resolution (HK Rule 8A.24).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct ClassWeight {
    /// The class.
    pub class: ClassId,
    /// Votes per share of that class on this resolution (at least 1).
    pub votes_per_share: u32,
}

/// A resolution put to the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct Resolution {
    /// Its number in the notice.
    pub id: ResolutionId,
    /// Ordinary, special, cumulative or scheme.
    pub kind: ResolutionKind,
    /// Its title.
    pub title: String,
    /// The classes that vote on it; empty means every class (a class meeting names its one class).
    pub classes: Vec<ClassId>,
    /// Weights that override the class default on this resolution.
    pub votes_per_share: Vec<ClassWeight>,
}

/// How a must-abstain holder is restricted on a resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Restriction {
    /// Must abstain (material interest, Rule 2.15 / 14A.36): votes tendered are disregarded.
    Abstain,
    /// May vote against but not in favour (Rule 13.40).
    AgainstOnly,
    /// Not a disinterested shareholder on a scheme of arrangement (a concert party of the
    /// offeror): votes, and counts in the statutory tests, but is left out of every
    /// disinterested test. Appended after `AgainstOnly`: earlier encodings keep their meaning.
    NotDisinterested,
    /// Stated in the circular an intention to vote against (Rule 13.40 practice): restricts
    /// nothing, and the announcement states whether the holder did.
    IntendsAgainst,
    /// Stated in the circular an intention to abstain: restricts nothing, and the announcement
    /// states whether the holder did.
    IntendsAbstain,
}

/// A proxy's instruction on one resolution.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Instruction {
    /// All appointed shares for.
    For,
    /// All appointed shares against.
    Against,
    /// All appointed shares abstain.
    Abstain,
    /// A stated split of the appointed shares.
    Split {
        /// Shares to vote for.
        #[serde(rename = "for")]
        for_: Shares,
        /// Shares to vote against.
        against: Shares,
        /// Shares to abstain.
        abstain: Shares,
    },
    /// No instruction: the proxy votes at its discretion.
    Discretion,
}

/// One resolution's instruction on a proxy form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct ProxyInstruction {
    /// The resolution.
    pub resolution: ResolutionId,
    /// What the proxy must do on it.
    pub instruction: Instruction,
}

/// A proxy form lodged with the registrar.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct ProxyLodged {
    /// This appointment's id.
    pub proxy: ProxyId,
    /// The appointing holder.
    pub holder: HolderId,
    /// The proxy's name (the chairman by default; need not be a member).
    pub proxy_name: String,
    /// The class of the appointed shares; `None` when the holder has one class or for all.
    pub class: Option<ClassId>,
    /// Shares appointed; `None` means all the holder's shares (of `class`, if given).
    pub shares: Option<Shares>,
    /// Per-resolution instructions; a resolution not listed is at the proxy's discretion.
    pub instructions: Vec<ProxyInstruction>,
    /// When the form was lodged (checked against the proxy deadline).
    pub lodged_at: UtcMillis,
}

/// Who casts a ballot or attends.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Voter {
    /// A holder in person (or by corporate representative).
    Holder(HolderId),
    /// A proxy, for the shares of its appointment.
    Proxy(ProxyId),
}

impl std::fmt::Display for Voter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Voter::Holder(h) => write!(f, "{h}"),
            Voter::Proxy(p) => write!(f, "{}{p}", HolderId::PROXY_PREFIX),
        }
    }
}

/// What a ballot says on one resolution.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// Shares for, against and abstaining (any of them may be zero: a split vote).
    Split {
        /// Shares voted for.
        #[serde(rename = "for")]
        for_: Shares,
        /// Shares voted against.
        against: Shares,
        /// Shares abstaining.
        abstain: Shares,
    },
    /// Votes allocated to candidates in a cumulative election.
    Cumulative(Vec<Allocation>),
}

/// Votes given to one candidate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct Allocation {
    /// The candidate.
    pub candidate: CandidateId,
    /// Votes given.
    pub votes: Votes,
}

/// One ballot: a voter's vote on one resolution.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct Ballot {
    /// Who votes.
    pub voter: Voter,
    /// On what.
    pub resolution: ResolutionId,
    /// The class whose shares are voted; `None` when the voter's shares are of one class.
    pub class: Option<ClassId>,
    /// How.
    pub choice: Choice,
}

/// Whether a sitting is the general meeting or a class meeting held beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SittingKind {
    /// The general meeting (every class attends).
    General,
    /// A meeting of the holders of one class.
    Class,
}

impl SittingKind {
    /// The kind as written in `meeting.toml` (`general`, `class`).
    pub fn name(self) -> &'static str {
        match self {
            SittingKind::General => "general",
            SittingKind::Class => "class",
        }
    }
}

/// A sitting of the meeting: PRC issuers hold the general meeting and the A- and H-share class
/// meetings on one day and publish one announcement. Proxy forms, attendance and the shares
/// represented are per sitting; each resolution belongs to one sitting.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct Sitting {
    /// The sitting's id (`sitting = "ID"` in resolutions and CSV files).
    pub id: SittingId,
    /// General meeting or class meeting.
    pub kind: SittingKind,
    /// The class of a class sitting; `None` for the general sitting.
    pub class: Option<ClassId>,
    /// Its heading in the announcement ("H Shareholders' Class Meeting").
    pub title: String,
}

/// The tests of one scheme of arrangement, when they differ from the preset's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct SchemeTerms {
    /// Whether a majority in number of the holders voting must vote for (Cap 622 s.674(2)
    /// takeover schemes have no headcount test).
    pub headcount: bool,
    /// The value test: votes for as a fraction of the votes cast (for + against).
    pub value_majority: Threshold,
    /// Votes for as a fraction of the **disinterested** votes cast (holders marked
    /// `not_disinterested` left out); `None`: no such test.
    pub disinterested_majority: Option<Threshold>,
    /// Largest share of **all** disinterested scheme shares (cast or not) that may vote
    /// against; `None`: no such test.
    pub disinterested_max_against: Option<Threshold>,
}

/// Which total a class's percentages are printed over in the announcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassPctBase {
    /// Over the class's own votes (most issuers).
    Class,
    /// Over the company's total votes on the resolution (Minsheng).
    Total,
}

/// A class whose issued total differs from the register's (shares issued during book
/// closure, treasury shares): the announcement states both.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct ClassIssued {
    /// The class.
    pub class: ClassId,
    /// Shares of the class in issue.
    pub issued: Shares,
}

/// Settings of the meeting that the first format's genesis could not carry: how the
/// announcement is printed and two rule options. Recorded at most once, by the registrar,
/// before the register closes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct MeetingSettings {
    /// Issued totals per class, where they differ from the register.
    pub issued: Vec<ClassIssued>,
    /// Whether the announcement prints the Abstain column (`None`: the preset's default,
    /// printed by PRC issuers, not by HK, Cayman or Bermuda ones).
    pub show_abstain: Option<bool>,
    /// Base of class percentages (`None`: over the class).
    pub class_pct_base: Option<ClassPctBase>,
    /// The PRC witness lawyer's firm and names, for the legal-opinion paragraph (empty: none).
    pub witness_lawyer: String,
    /// A proxy may vote fewer shares than instructed (the rest unvoted); off by default: a
    /// proxy must vote as instructed.
    pub partial_voting: bool,
    /// A holder who attends in person keeps the proxies they lodged for that sitting (off by
    /// default: attending revokes them).
    pub attendance_keeps_proxies: bool,
}

/// Everything that can happen at a meeting. Variant order is part of the format: append only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "PascalCase")]
pub enum Event {
    /// Genesis: the meeting, its rules, classes and registrar.
    MeetingConvened(MeetingConvened),
    /// A key is given an authority.
    AuthorityGranted {
        /// The key.
        key: AuthorKey,
        /// What it may do.
        role: Role,
    },
    /// A key loses an authority.
    AuthorityRevoked {
        /// The key.
        key: AuthorKey,
        /// The authority withdrawn.
        role: Role,
    },
    /// A resolution is put to the meeting.
    ResolutionProposed(Resolution),
    /// A register line as at the record date.
    ShareRegistered {
        /// The holder (`treasury` for treasury shares).
        holder: HolderId,
        /// The holder's name.
        name: String,
        /// The class.
        class: ClassId,
        /// The shares held.
        shares: Shares,
    },
    /// The register as at the record date is complete.
    RegisterClosed,
    /// A holder must abstain (or may only vote against) on some resolutions.
    AbstentionRequired {
        /// The holder.
        holder: HolderId,
        /// The resolutions concerned.
        resolutions: Vec<ResolutionId>,
        /// Abstain, or against only (Rule 13.40).
        restriction: Restriction,
        /// Why (the rule and the interest).
        reason: String,
    },
    /// A proxy form is lodged.
    ProxyLodged(ProxyLodged),
    /// A proxy appointment is withdrawn.
    ProxyRevoked {
        /// The appointment.
        proxy: ProxyId,
        /// Why.
        reason: String,
    },
    /// A holder or proxy is present at the meeting.
    AttendanceRecorded {
        /// Who attends.
        attendee: Voter,
    },
    /// Voting opens on a resolution (`None`: on every resolution).
    PollOpened {
        /// The resolution, or all.
        resolution: Option<ResolutionId>,
    },
    /// A ballot is cast.
    VoteCast(Ballot),
    /// Voting closes on a resolution (`None`: on every open resolution).
    PollClosed {
        /// The resolution, or all.
        resolution: Option<ResolutionId>,
    },
    /// The scrutineer declares the result: the SHA-256 of the canonical tally JSON at this point.
    ResultDeclared {
        /// SHA-256 of the tally JSON the declaration certifies.
        tally_sha256: [u8; 32],
    },
    /// A sitting of the meeting is convened (the general meeting or a class meeting beside it).
    /// Events from here on are appended after the first format's: earlier encodings keep
    /// their bytes and meaning.
    SittingConvened(Sitting),
    /// Terms of a resolution the first format's `ResolutionProposed` could not carry: its
    /// sitting and its scheme tests. At most once per resolution, before the register closes.
    ResolutionTerms {
        /// The resolution.
        resolution: ResolutionId,
        /// The sitting it is put to (`None`: the general sitting).
        sitting: Option<SittingId>,
        /// The tests of a scheme of arrangement (`None`: the preset's).
        scheme: Option<SchemeTerms>,
    },
    /// A proxy form lodged for one sitting (a form without a sitting is for the general one).
    SittingProxyLodged {
        /// The sitting the form appoints a proxy for.
        sitting: SittingId,
        /// The form.
        form: ProxyLodged,
    },
    /// A holder or proxy is present at a sitting, with the time they registered.
    Attended {
        /// Who attends.
        attendee: Voter,
        /// The sitting (`None`: the general sitting).
        sitting: Option<SittingId>,
        /// When they registered at the meeting, if recorded.
        attended_at: Option<UtcMillis>,
    },
    /// Settings of the meeting beyond the genesis (announcement style, rule options).
    MeetingSettings(MeetingSettings),
    /// The scrutineer declares the result: the SHA-256 of the canonical tally JSON of the
    /// stated tally format (`ResultDeclared` certifies format 1).
    ResultDeclaredV2 {
        /// The tally JSON format the digest is taken over (2 or later).
        tally_format: u16,
        /// SHA-256 of that tally JSON.
        tally_sha256: [u8; 32],
    },
}

/// What a result declaration certifies: the tally JSON of one format, by its digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Declaration {
    /// The tally JSON format the digest is taken over.
    pub tally_format: u16,
    /// SHA-256 of that tally JSON.
    pub tally_sha256: [u8; 32],
}

/// The kind of an event, without its data (for authority rules and messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[allow(missing_docs)] // each variant names the event of the same name
pub enum EventKind {
    MeetingConvened,
    AuthorityGranted,
    AuthorityRevoked,
    ResolutionProposed,
    ShareRegistered,
    RegisterClosed,
    AbstentionRequired,
    ProxyLodged,
    ProxyRevoked,
    AttendanceRecorded,
    PollOpened,
    VoteCast,
    PollClosed,
    ResultDeclared,
    SittingConvened,
    ResolutionTerms,
    MeetingSettings,
}

impl EventKind {
    /// The event's name (`"VoteCast"`).
    pub fn name(self) -> &'static str {
        match self {
            EventKind::MeetingConvened => "MeetingConvened",
            EventKind::AuthorityGranted => "AuthorityGranted",
            EventKind::AuthorityRevoked => "AuthorityRevoked",
            EventKind::ResolutionProposed => "ResolutionProposed",
            EventKind::ShareRegistered => "ShareRegistered",
            EventKind::RegisterClosed => "RegisterClosed",
            EventKind::AbstentionRequired => "AbstentionRequired",
            EventKind::ProxyLodged => "ProxyLodged",
            EventKind::ProxyRevoked => "ProxyRevoked",
            EventKind::AttendanceRecorded => "AttendanceRecorded",
            EventKind::PollOpened => "PollOpened",
            EventKind::VoteCast => "VoteCast",
            EventKind::PollClosed => "PollClosed",
            EventKind::ResultDeclared => "ResultDeclared",
            EventKind::SittingConvened => "SittingConvened",
            EventKind::ResolutionTerms => "ResolutionTerms",
            EventKind::MeetingSettings => "MeetingSettings",
        }
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

fn check_text(field: &'static str, text: &str) -> Result<(), ModelError> {
    if text.len() > MAX_TEXT_LEN {
        return Err(ModelError::InvalidField {
            field,
            reason: format!("{} bytes is more than {MAX_TEXT_LEN}", text.len()),
        });
    }
    Ok(())
}

fn check_weight(field: &'static str, votes_per_share: u32) -> Result<(), ModelError> {
    if votes_per_share == 0 {
        return Err(ModelError::InvalidField {
            field,
            reason: "votes per share must be at least 1".into(),
        });
    }
    Ok(())
}

impl Event {
    /// The event's kind.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::MeetingConvened(_) => EventKind::MeetingConvened,
            Event::AuthorityGranted { .. } => EventKind::AuthorityGranted,
            Event::AuthorityRevoked { .. } => EventKind::AuthorityRevoked,
            Event::ResolutionProposed(_) => EventKind::ResolutionProposed,
            Event::ShareRegistered { .. } => EventKind::ShareRegistered,
            Event::RegisterClosed => EventKind::RegisterClosed,
            Event::AbstentionRequired { .. } => EventKind::AbstentionRequired,
            Event::ProxyLodged(_) => EventKind::ProxyLodged,
            Event::ProxyRevoked { .. } => EventKind::ProxyRevoked,
            Event::AttendanceRecorded { .. } => EventKind::AttendanceRecorded,
            Event::PollOpened { .. } => EventKind::PollOpened,
            Event::VoteCast(_) => EventKind::VoteCast,
            Event::PollClosed { .. } => EventKind::PollClosed,
            Event::ResultDeclared { .. } | Event::ResultDeclaredV2 { .. } => {
                EventKind::ResultDeclared
            }
            Event::SittingConvened(_) => EventKind::SittingConvened,
            Event::ResolutionTerms { .. } => EventKind::ResolutionTerms,
            Event::SittingProxyLodged { .. } => EventKind::ProxyLodged,
            Event::Attended { .. } => EventKind::AttendanceRecorded,
            Event::MeetingSettings(_) => EventKind::MeetingSettings,
        }
    }

    /// What the event declares, if it is a result declaration (of any format).
    pub fn declaration(&self) -> Option<Declaration> {
        match self {
            Event::ResultDeclared { tally_sha256 } => Some(Declaration {
                tally_format: 1,
                tally_sha256: *tally_sha256,
            }),
            Event::ResultDeclaredV2 {
                tally_format,
                tally_sha256,
            } => Some(Declaration {
                tally_format: *tally_format,
                tally_sha256: *tally_sha256,
            }),
            _ => None,
        }
    }

    /// The proxy form of a `ProxyLodged` or `SittingProxyLodged` event, with its sitting
    /// (`None`: the general sitting).
    pub fn proxy_form(&self) -> Option<(Option<&SittingId>, &ProxyLodged)> {
        match self {
            Event::ProxyLodged(p) => Some((None, p)),
            Event::SittingProxyLodged { sitting, form } => Some((Some(sitting), form)),
            _ => None,
        }
    }

    /// Checks every field invariant of the event (identifiers, text lengths, weights, the
    /// rules profile). Decoding runs this, so a decoded event always satisfies it. Whether the
    /// event is *allowed now* is the tally's question, not this one.
    ///
    /// # Errors
    /// The first [`ModelError`] found.
    pub fn validate(&self) -> Result<(), ModelError> {
        match self {
            Event::MeetingConvened(m) => {
                check_text("meeting id", &m.id)?;
                check_text("issuer", &m.issuer)?;
                check_text("stock code", &m.stock_code)?;
                check_text("scrutineer", &m.scrutineer)?;
                m.date.validate()?;
                m.record_date.validate()?;
                m.rules.validate()?;
                for c in &m.classes {
                    c.id.validate()?;
                    check_text("class name", &c.name)?;
                    check_weight("class votes_per_share", c.votes_per_share)?;
                }
            }
            Event::AuthorityGranted { role, .. } | Event::AuthorityRevoked { role, .. } => {
                if let Role::Holder(h) = role {
                    h.validate()?;
                }
            }
            Event::ResolutionProposed(r) => {
                r.id.validate()?;
                check_text("resolution title", &r.title)?;
                for c in &r.classes {
                    c.validate()?;
                }
                for w in &r.votes_per_share {
                    w.class.validate()?;
                    check_weight("resolution votes_per_share", w.votes_per_share)?;
                }
                if let ResolutionKind::Cumulative { candidates, .. } = &r.kind {
                    for c in candidates {
                        c.id.validate()?;
                        check_text("candidate name", &c.name)?;
                    }
                }
            }
            Event::ShareRegistered {
                holder,
                name,
                class,
                ..
            } => {
                holder.validate()?;
                check_text("holder name", name)?;
                class.validate()?;
            }
            Event::RegisterClosed | Event::ResultDeclared { .. } => {}
            Event::ResultDeclaredV2 { tally_format, .. } => {
                if *tally_format < 2 {
                    return Err(ModelError::InvalidField {
                        field: "tally_format",
                        reason: format!("{tally_format}: format 1 is declared by ResultDeclared"),
                    });
                }
            }
            Event::SittingConvened(st) => {
                st.id.validate()?;
                check_text("sitting title", &st.title)?;
                match (st.kind, &st.class) {
                    (SittingKind::General, None) => {}
                    (SittingKind::Class, Some(c)) => c.validate()?,
                    (SittingKind::General, Some(_)) => {
                        return Err(ModelError::InvalidField {
                            field: "sitting class",
                            reason: "a general sitting names no class".into(),
                        })
                    }
                    (SittingKind::Class, None) => {
                        return Err(ModelError::InvalidField {
                            field: "sitting class",
                            reason: "a class sitting names its class".into(),
                        })
                    }
                }
            }
            Event::ResolutionTerms {
                resolution,
                sitting,
                scheme,
            } => {
                resolution.validate()?;
                if let Some(s) = sitting {
                    s.validate()?;
                }
                if let Some(t) = scheme {
                    t.value_majority.validate()?;
                    if let Some(d) = &t.disinterested_majority {
                        d.validate()?;
                    }
                    if let Some(d) = &t.disinterested_max_against {
                        d.validate()?;
                    }
                }
            }
            Event::SittingProxyLodged { sitting, form } => {
                sitting.validate()?;
                validate_proxy(form)?;
            }
            Event::Attended {
                attendee, sitting, ..
            } => {
                validate_voter(attendee)?;
                if let Some(s) = sitting {
                    s.validate()?;
                }
            }
            Event::MeetingSettings(m) => {
                check_text("witness lawyer", &m.witness_lawyer)?;
                for i in &m.issued {
                    i.class.validate()?;
                }
            }
            Event::AbstentionRequired {
                holder,
                resolutions,
                reason,
                ..
            } => {
                holder.validate()?;
                for r in resolutions {
                    r.validate()?;
                }
                check_text("abstention reason", reason)?;
            }
            Event::ProxyLodged(p) => validate_proxy(p)?,
            Event::ProxyRevoked { proxy, reason } => {
                proxy.validate()?;
                check_text("revocation reason", reason)?;
            }
            Event::AttendanceRecorded { attendee } => validate_voter(attendee)?,
            Event::PollOpened { resolution } | Event::PollClosed { resolution } => {
                if let Some(r) = resolution {
                    r.validate()?;
                }
            }
            Event::VoteCast(b) => {
                validate_voter(&b.voter)?;
                b.resolution.validate()?;
                if let Some(c) = &b.class {
                    c.validate()?;
                }
                if let Choice::Cumulative(allocs) = &b.choice {
                    for a in allocs {
                        a.candidate.validate()?;
                    }
                }
            }
        }
        Ok(())
    }
}

fn validate_proxy(p: &ProxyLodged) -> Result<(), ModelError> {
    p.proxy.validate()?;
    p.holder.validate()?;
    check_text("proxy name", &p.proxy_name)?;
    if let Some(c) = &p.class {
        c.validate()?;
    }
    for i in &p.instructions {
        i.resolution.validate()?;
    }
    Ok(())
}

fn validate_voter(v: &Voter) -> Result<(), ModelError> {
    match v {
        Voter::Holder(h) => h.validate(),
        Voter::Proxy(p) => p.validate(),
    }
}

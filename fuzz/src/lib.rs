//! Shared pieces of the fuzz targets: the fixed trusted keys, and a byte-driven generator of
//! meetings (a genesis and a sequence of events with their authors and recorded times) drawn
//! from small pools of ids, so that most generated events refer to things that exist.

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use scrutin_log::{NoteVerifier, Signer};
use scrutin_model::{
    Allocation, AuthorKey, Ballot, Candidate, CandidateId, Choice, ClassId, ClassIssued,
    ClassPctBase, ClassWeight, Date, Event, HolderId, Instruction, MeetingConvened, MeetingKind,
    MeetingSettings, Preset, ProxyId, ProxyInstruction, ProxyLodged, Resolution, ResolutionId,
    ResolutionKind, Restriction, Role, RulesProfile, SchemeTerms, ShareClass, Shares, Sitting,
    SittingId, SittingKind, Threshold, UtcMillis, Voter, Votes,
};
use scrutin_tally::Meeting;
use std::sync::OnceLock;

/// Every public key of the repository's vectors and fixtures (tests/vectors/v1/keys.txt and
/// tests/fixtures/audit-v1/*.vkey), as a bundle or receipt verifier trusts them.
pub fn trusted() -> &'static [NoteVerifier] {
    static KEYS: OnceLock<Vec<NoteVerifier>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let vectors = include_str!("../../tests/vectors/v1/keys.txt")
            .lines()
            .filter_map(|l| l.split_once(' '))
            .filter(|(k, _)| k.ends_with("vkey"))
            .map(|(_, v)| v);
        let audit = [
            include_str!("../../tests/fixtures/audit-v1/registrar.vkey"),
            include_str!("../../tests/fixtures/audit-v1/scrutineer.vkey"),
        ];
        vectors
            .chain(audit)
            .map(|v| NoteVerifier::parse(v).expect("a fixture key parses"))
            .collect()
    })
}

/// The private key of a test vector (`registrar`, `scrutineer` or `witness`): public seeds,
/// test only.
pub fn vector_signer(role: &str) -> Signer {
    let key = format!("{role}.private ");
    let line = include_str!("../../tests/vectors/v1/keys.txt")
        .lines()
        .find_map(|l| l.strip_prefix(key.as_str()))
        .expect("the vector key exists");
    Signer::from_private_key_string(line).expect("the vector key parses")
}

/// The keys a generated meeting uses: registrar, scrutineer, chair, a holder's own key, and
/// one with no authority. The registrar and scrutineer are the test vectors' keys.
pub struct Keys {
    /// The five signers, in the order above.
    pub signers: [Signer; 5],
    /// Their public keys as event authors.
    pub authors: [AuthorKey; 5],
}

/// The generator's keys (computed once).
pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let signers = [
            vector_signer("registrar"),
            vector_signer("scrutineer"),
            Signer::from_seed("chair", [3; 32]).expect("valid name"),
            Signer::from_seed("holder", [4; 32]).expect("valid name"),
            Signer::from_seed("nobody", [5; 32]).expect("valid name"),
        ];
        let authors = [0, 1, 2, 3, 4].map(|i| AuthorKey(*signers[i].public_key().as_bytes()));
        Keys { signers, authors }
    })
}

const HOLDERS: [&str; 5] = ["H1", "H2", "H3", "treasury", "H4"];
const PROXIES: [&str; 3] = ["P1", "P2", "P3"];
const RESOLUTIONS: [&str; 4] = ["1", "2", "3", "9"];
const CLASSES: [&str; 3] = ["H", "A", "Z"];
const CANDIDATES: [&str; 4] = ["C1", "C2", "C3", "C9"];
/// Sitting ids: the implicit general sitting's id, two class sittings and one never convened.
const SITTINGS: [&str; 4] = ["general", "HC", "AC", "X"];

fn pick<'a>(u: &mut Unstructured<'_>, pool: &[&'a str]) -> Result<&'a str> {
    Ok(pool[usize::from(u.arbitrary::<u8>()?) % pool.len()])
}

fn holder(u: &mut Unstructured<'_>) -> Result<HolderId> {
    Ok(HolderId::new(pick(u, &HOLDERS)?).expect("pool id is valid"))
}
fn proxy(u: &mut Unstructured<'_>) -> Result<ProxyId> {
    Ok(ProxyId::new(pick(u, &PROXIES)?).expect("pool id is valid"))
}
fn resolution(u: &mut Unstructured<'_>) -> Result<ResolutionId> {
    Ok(ResolutionId::new(pick(u, &RESOLUTIONS)?).expect("pool id is valid"))
}
fn class(u: &mut Unstructured<'_>) -> Result<ClassId> {
    Ok(ClassId::new(pick(u, &CLASSES)?).expect("pool id is valid"))
}
fn candidate(u: &mut Unstructured<'_>) -> Result<CandidateId> {
    Ok(CandidateId::new(pick(u, &CANDIDATES)?).expect("pool id is valid"))
}
fn sitting(u: &mut Unstructured<'_>) -> Result<SittingId> {
    Ok(SittingId::new(pick(u, &SITTINGS)?).expect("pool id is valid"))
}
fn option<T>(
    u: &mut Unstructured<'_>,
    f: impl FnOnce(&mut Unstructured<'_>) -> Result<T>,
) -> Result<Option<T>> {
    Ok(if u.arbitrary::<bool>()? {
        Some(f(u)?)
    } else {
        None
    })
}

/// A count: mostly small, sometimes at the edges of `u64`.
fn count(u: &mut Unstructured<'_>) -> Result<u64> {
    Ok(match u.arbitrary::<u8>()? % 8 {
        0 => 0,
        1 => u64::from(u.arbitrary::<u8>()?),
        2 | 3 => u64::from(u.arbitrary::<u16>()?),
        4 => u.arbitrary::<u64>()?,
        5 => u64::MAX - u64::from(u.arbitrary::<u8>()?),
        6 => 1_000,
        _ => 100,
    })
}

fn split(u: &mut Unstructured<'_>) -> Result<(Shares, Shares, Shares)> {
    Ok((Shares(count(u)?), Shares(count(u)?), Shares(count(u)?)))
}

fn role(u: &mut Unstructured<'_>) -> Result<Role> {
    Ok(match u.arbitrary::<u8>()? % 5 {
        0 => Role::Registrar,
        1 => Role::Scrutineer,
        2 => Role::Chair,
        3 => Role::Witness,
        _ => Role::Holder(holder(u)?),
    })
}

fn threshold(u: &mut Unstructured<'_>) -> Result<Threshold> {
    Ok(match u.arbitrary::<u8>()? % 4 {
        0 => Threshold::MORE_THAN_HALF,
        1 => Threshold::TWO_THIRDS,
        2 => Threshold::THREE_QUARTERS,
        _ => Threshold {
            num: u32::from(u.arbitrary::<u8>()?),
            den: u32::from(u.arbitrary::<u8>()?),
            strict: u.arbitrary()?,
        },
    })
}

/// The genesis: one to three classes, a rules profile, a proxy deadline near the start.
pub fn genesis(u: &mut Unstructured<'_>) -> Result<MeetingConvened> {
    let preset = match u.arbitrary::<u8>()? % 5 {
        0 => Preset::Hk,
        1 => Preset::Prc,
        2 => Preset::Cayman,
        3 => Preset::Bermuda,
        _ => Preset::Custom,
    };
    let mut rules = RulesProfile::preset(preset, u.arbitrary::<u8>()? % 8);
    if u.arbitrary::<bool>()? {
        rules.unvoted_as_abstain = u.arbitrary()?;
        rules.later_proxy_wins = u.arbitrary()?;
        rules.ordinary = threshold(u)?;
        rules.cumulative_minimum = threshold(u)?;
    }
    let n_classes = 1 + usize::from(u.arbitrary::<u8>()? % 3);
    let classes = CLASSES[..n_classes]
        .iter()
        .map(|c| {
            Ok(ShareClass {
                id: ClassId::new(*c).expect("pool id is valid"),
                name: format!("{c} shares"),
                votes_per_share: u32::from(u.arbitrary::<u8>()? % 4),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(MeetingConvened {
        id: "FUZZ-EGM".into(),
        issuer: "Fuzz Ltd".into(),
        stock_code: "09999".into(),
        kind: match u.arbitrary::<u8>()? % 8 {
            0..=2 => MeetingKind::Egm,
            3 | 4 => MeetingKind::Class,
            5 => MeetingKind::Agm,
            6 => MeetingKind::Sgm,
            _ => MeetingKind::Court,
        },
        date: Date::new("2026-12-01").expect("valid date"),
        rules,
        classes,
        record_date: Date::new("2026-11-20").expect("valid date"),
        proxy_deadline: UtcMillis(START_MS + 1_000),
        registrar: keys().authors[0],
        scrutineer: "Fuzz Scrutineer".into(),
    })
}

/// The recorded time of the genesis; later events move forward from here.
pub const START_MS: u64 = 1_900_000_000_000;

fn resolution_event(u: &mut Unstructured<'_>) -> Result<Resolution> {
    let kind = match u.arbitrary::<u8>()? % 6 {
        0 | 1 => ResolutionKind::Ordinary,
        2 => ResolutionKind::Special,
        3 => ResolutionKind::Scheme,
        _ => {
            let n = usize::from(u.arbitrary::<u8>()? % 4);
            let candidates = (0..n)
                .map(|_| {
                    let id = candidate(u)?;
                    Ok(Candidate {
                        name: format!("Candidate {id}"),
                        id,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            ResolutionKind::Cumulative {
                seats: u32::from(u.arbitrary::<u8>()? % 4),
                candidates,
            }
        }
    };
    let classes = (0..u.arbitrary::<u8>()? % 3)
        .map(|_| class(u))
        .collect::<Result<Vec<_>>>()?;
    let votes_per_share = (0..u.arbitrary::<u8>()? % 3)
        .map(|_| {
            Ok(ClassWeight {
                class: class(u)?,
                votes_per_share: u32::from(u.arbitrary::<u8>()? % 4),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Resolution {
        id: resolution(u)?,
        kind,
        title: "A resolution".into(),
        classes,
        votes_per_share,
    })
}

fn instruction(u: &mut Unstructured<'_>) -> Result<Instruction> {
    Ok(match u.arbitrary::<u8>()? % 5 {
        0 => Instruction::For,
        1 => Instruction::Against,
        2 => Instruction::Abstain,
        3 => Instruction::Discretion,
        _ => {
            let (for_, against, abstain) = split(u)?;
            Instruction::Split {
                for_,
                against,
                abstain,
            }
        }
    })
}

fn proxy_form(u: &mut Unstructured<'_>) -> Result<ProxyLodged> {
    let instructions = (0..u.arbitrary::<u8>()? % 3)
        .map(|_| {
            Ok(ProxyInstruction {
                resolution: resolution(u)?,
                instruction: instruction(u)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ProxyLodged {
        proxy: proxy(u)?,
        holder: holder(u)?,
        proxy_name: "Chairman".into(),
        class: option(u, class)?,
        shares: option(u, |u| Ok(Shares(count(u)?)))?,
        instructions,
        lodged_at: UtcMillis(START_MS + u64::from(u.arbitrary::<u16>()?)),
    })
}

/// A restriction or mark: the two restrictions on the vote as often as the three marks.
fn restriction(u: &mut Unstructured<'_>) -> Result<Restriction> {
    Ok(match u.arbitrary::<u8>()? % 8 {
        0 | 1 => Restriction::Abstain,
        2 | 3 => Restriction::AgainstOnly,
        4 | 5 => Restriction::NotDisinterested,
        6 => Restriction::IntendsAgainst,
        _ => Restriction::IntendsAbstain,
    })
}

/// A sitting: mostly the general sitting or a class sitting of a pool class, rarely one whose
/// kind and class disagree (which the event's validation refuses).
fn sitting_event(u: &mut Unstructured<'_>) -> Result<Sitting> {
    let id = sitting(u)?;
    let (kind, class) = match u.arbitrary::<u8>()? % 16 {
        0..=4 => (SittingKind::General, None),
        5..=13 => (SittingKind::Class, Some(class(u)?)),
        14 => (SittingKind::General, Some(class(u)?)),
        _ => (SittingKind::Class, None),
    };
    Ok(Sitting {
        id,
        kind,
        class,
        title: "A sitting".into(),
    })
}

/// A scheme's tests: any of the three optional tests, thresholds as `threshold` draws them.
fn scheme_terms(u: &mut Unstructured<'_>) -> Result<SchemeTerms> {
    Ok(SchemeTerms {
        headcount: u.arbitrary()?,
        value_majority: threshold(u)?,
        disinterested_majority: option(u, threshold)?,
        disinterested_max_against: option(u, threshold)?,
    })
}

fn settings(u: &mut Unstructured<'_>) -> Result<MeetingSettings> {
    let issued = (0..u.arbitrary::<u8>()? % 3)
        .map(|_| {
            Ok(ClassIssued {
                class: class(u)?,
                issued: Shares(count(u)?),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(MeetingSettings {
        issued,
        show_abstain: option(u, |u| u.arbitrary())?,
        class_pct_base: option(u, |u| {
            Ok(if u.arbitrary()? {
                ClassPctBase::Class
            } else {
                ClassPctBase::Total
            })
        })?,
        witness_lawyer: if u.arbitrary()? {
            String::new()
        } else {
            "Fuzz & Co (A. Lawyer, B. Lawyer)".into()
        },
        partial_voting: u.arbitrary()?,
        attendance_keeps_proxies: u.arbitrary()?,
    })
}

/// A time around `now`: mostly at or before it, sometimes after it (the attended-in-future
/// rule).
fn time_near(u: &mut Unstructured<'_>, now: u64) -> Result<UtcMillis> {
    let d = u64::from(u.arbitrary::<u16>()?);
    Ok(UtcMillis(match u.arbitrary::<u8>()? % 4 {
        0 => now,
        1 | 2 => now.saturating_sub(d),
        _ => now.saturating_add(d),
    }))
}

fn voter(u: &mut Unstructured<'_>) -> Result<Voter> {
    Ok(if u.arbitrary()? {
        Voter::Holder(holder(u)?)
    } else {
        Voter::Proxy(proxy(u)?)
    })
}

/// One event (never a second genesis unless the input asks for one), with the key that
/// naturally authors it; `now` is the last recorded time (attendance times are drawn near it).
/// Selectors 0-15 are the first format's events, 16-25 the later ones (sittings, resolution
/// terms, sitting proxy forms, attendance with a sitting and time, settings, marks).
pub fn event(u: &mut Unstructured<'_>, meeting: &Meeting, now: u64) -> Result<(Event, usize)> {
    let reg = 0;
    Ok(match u.arbitrary::<u8>()? % 26 {
        0 => (
            Event::AuthorityGranted {
                key: keys().authors[usize::from(u.arbitrary::<u8>()? % 5)],
                role: role(u)?,
            },
            reg,
        ),
        1 => (
            Event::AuthorityRevoked {
                key: keys().authors[usize::from(u.arbitrary::<u8>()? % 5)],
                role: role(u)?,
            },
            reg,
        ),
        2 => (Event::ResolutionProposed(resolution_event(u)?), reg),
        3 | 4 => (
            Event::ShareRegistered {
                holder: holder(u)?,
                name: "A holder".into(),
                class: class(u)?,
                shares: Shares(count(u)?),
            },
            reg,
        ),
        5 => (Event::RegisterClosed, reg),
        6 => (
            Event::AbstentionRequired {
                holder: holder(u)?,
                resolutions: (0..1 + u.arbitrary::<u8>()? % 2)
                    .map(|_| resolution(u))
                    .collect::<Result<Vec<_>>>()?,
                restriction: restriction(u)?,
                reason: "interested".into(),
            },
            reg,
        ),
        7 => (Event::ProxyLodged(proxy_form(u)?), reg),
        8 => (
            Event::ProxyRevoked {
                proxy: proxy(u)?,
                reason: "withdrawn".into(),
            },
            reg,
        ),
        9 => (
            Event::AttendanceRecorded {
                attendee: voter(u)?,
            },
            reg,
        ),
        10 => (
            Event::PollOpened {
                resolution: option(u, resolution)?,
            },
            2,
        ),
        11 | 12 => {
            let choice = if u.arbitrary::<u8>()? % 4 == 0 {
                Choice::Cumulative(
                    (0..u.arbitrary::<u8>()? % 4)
                        .map(|_| {
                            Ok(Allocation {
                                candidate: candidate(u)?,
                                votes: Votes(count(u)?),
                            })
                        })
                        .collect::<Result<Vec<_>>>()?,
                )
            } else {
                let (for_, against, abstain) = split(u)?;
                Choice::Split {
                    for_,
                    against,
                    abstain,
                }
            };
            (
                Event::VoteCast(Ballot {
                    voter: voter(u)?,
                    resolution: resolution(u)?,
                    class: option(u, class)?,
                    choice,
                }),
                reg,
            )
        }
        13 => (
            Event::PollClosed {
                resolution: option(u, resolution)?,
            },
            2,
        ),
        14 => {
            // Mostly the digest of the tally as it stands (what a scrutineer declares).
            // Either format: the legacy declaration over format 1, or the current one.
            // Rarely a format no build writes (refused as unknown).
            let format: u16 = match u.arbitrary::<u8>()? % 16 {
                0..=6 => 1,
                7..=14 => 2,
                _ => u.arbitrary::<u16>()?.max(3),
            };
            let tally_sha256 = if u.arbitrary::<u8>()? % 8 == 0 {
                u.arbitrary()?
            } else {
                scrutin::tally_digest_of_format(&meeting.tally(), format).unwrap_or_default()
            };
            let event = if format == 1 {
                Event::ResultDeclared { tally_sha256 }
            } else {
                Event::ResultDeclaredV2 {
                    tally_format: format,
                    tally_sha256,
                }
            };
            (event, 1)
        }
        15 => (Event::MeetingConvened(genesis(u)?), reg),
        16 | 17 => (Event::SittingConvened(sitting_event(u)?), reg),
        18 | 19 => (
            Event::ResolutionTerms {
                resolution: resolution(u)?,
                sitting: option(u, sitting)?,
                scheme: option(u, scheme_terms)?,
            },
            reg,
        ),
        20 | 21 => (
            Event::SittingProxyLodged {
                sitting: sitting(u)?,
                form: proxy_form(u)?,
            },
            reg,
        ),
        22 | 23 => (
            Event::Attended {
                attendee: voter(u)?,
                sitting: option(u, sitting)?,
                attended_at: option(u, |u| time_near(u, now))?,
            },
            reg,
        ),
        24 => (Event::MeetingSettings(settings(u)?), reg),
        _ => (
            Event::AbstentionRequired {
                holder: holder(u)?,
                resolutions: vec![resolution(u)?],
                restriction: restriction(u)?,
                reason: "concert party".into(),
            },
            reg,
        ),
    })
}

/// An event with its author and recorded time: the natural author most of the time, time
/// never moving backwards (the log refuses that).
pub struct Step {
    /// The event.
    pub event: Event,
    /// Index into [`Keys::authors`].
    pub author: usize,
    /// The entry's recorded time.
    pub at: UtcMillis,
}

/// The next step of a generated meeting whose last recorded time is `now`.
pub fn step(u: &mut Unstructured<'_>, meeting: &Meeting, now: u64) -> Result<Step> {
    let (event, natural) = event(u, meeting, now)?;
    let control = u.arbitrary::<u8>()?;
    let author = if control & 0x07 == 0 {
        usize::from(control >> 3) % 5
    } else {
        natural
    };
    let at = match control >> 6 {
        0 => now,
        1 | 2 => now + u64::from(u.arbitrary::<u16>()?),
        _ => now + u64::from(u.arbitrary::<u32>()?),
    };
    Ok(Step {
        event,
        author,
        at: UtcMillis(at),
    })
}

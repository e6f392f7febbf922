//! Frozen bytes of every enum value an event can carry (`tests/vectors/events-v1/values/`).
//!
//! `tests/vectors/events-v1/<Kind>.hex` pins one event of each kind (`codec.rs`); these pin the
//! values those events do not show: every meeting kind, role, resolution kind, restriction,
//! instruction, voter and choice form, rules preset and denominator, a boolean `true`, a
//! strict threshold and an absent option. docs/FORMAT.md section 9 lists the variant numbers
//! they show. The files are written once and never regenerated: this test only reads them.
//! (A new value gets a new file: `SCRUTIN_WRITE_VECTORS=1 cargo test -p scrutin-model --test
//! enum_vectors` writes the files that do not exist yet, never an existing one.)

use std::path::PathBuf;

use scrutin_model::*;

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().expect("valid id")
}

fn dir() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/events-v1/values")
}

fn grant(role: Role) -> Event {
    Event::AuthorityGranted {
        key: AuthorKey([9; 32]),
        role,
    }
}

fn convened(kind: MeetingKind, rules: RulesProfile) -> Event {
    Event::MeetingConvened(MeetingConvened {
        id: "m".into(),
        issuer: "I".into(),
        stock_code: "1".into(),
        kind,
        date: Date::new("2026-01-02").expect("date"),
        rules,
        classes: vec![ShareClass {
            id: id("A"),
            name: String::new(),
            votes_per_share: 1,
        }],
        record_date: Date::new("2026-01-01").expect("date"),
        proxy_deadline: UtcMillis(0),
        registrar: AuthorKey([7; 32]),
        scrutineer: String::new(),
    })
}

fn resolution(kind: ResolutionKind) -> Event {
    Event::ResolutionProposed(Resolution {
        id: id("1"),
        kind,
        title: String::new(),
        classes: vec![],
        votes_per_share: vec![],
    })
}

fn proxy(instruction: Instruction) -> Event {
    Event::ProxyLodged(ProxyLodged {
        proxy: id("P"),
        holder: id("H"),
        proxy_name: String::new(),
        class: None,
        shares: None,
        instructions: vec![ProxyInstruction {
            resolution: id("1"),
            instruction,
        }],
        lodged_at: UtcMillis(0),
    })
}

fn mark(restriction: Restriction) -> Event {
    Event::AbstentionRequired {
        holder: id("H"),
        resolutions: vec![id("1")],
        restriction,
        reason: String::new(),
    }
}

/// Each named value, as the smallest event that carries it.
fn values() -> Vec<(&'static str, Event)> {
    let mut custom = RulesProfile::preset(Preset::Custom, 0);
    custom.unvoted_as_abstain = true;
    custom.later_proxy_wins = false;
    custom.ordinary = Threshold::new(1, 2, false).expect("threshold");
    vec![
        (
            "MeetingKind-Agm",
            convened(MeetingKind::Agm, RulesProfile::preset(Preset::Hk, 4)),
        ),
        (
            "MeetingKind-Class",
            convened(MeetingKind::Class, RulesProfile::preset(Preset::Cayman, 2)),
        ),
        (
            "MeetingKind-Sgm",
            convened(MeetingKind::Sgm, RulesProfile::preset(Preset::Bermuda, 4)),
        ),
        (
            "MeetingKind-Court",
            convened(MeetingKind::Court, RulesProfile::preset(Preset::Hk, 4)),
        ),
        (
            "Preset-Bermuda",
            convened(MeetingKind::Egm, RulesProfile::preset(Preset::Bermuda, 6)),
        ),
        ("Preset-Custom", convened(MeetingKind::Egm, custom)),
        ("Role-Registrar", grant(Role::Registrar)),
        ("Role-Chair", grant(Role::Chair)),
        ("Role-Witness", grant(Role::Witness)),
        (
            "ResolutionKind-Ordinary",
            resolution(ResolutionKind::Ordinary),
        ),
        (
            "ResolutionKind-Special",
            resolution(ResolutionKind::Special),
        ),
        ("ResolutionKind-Scheme", resolution(ResolutionKind::Scheme)),
        (
            "Restriction-Abstain",
            Event::AbstentionRequired {
                holder: id("H"),
                resolutions: vec![id("1")],
                restriction: Restriction::Abstain,
                reason: String::new(),
            },
        ),
        (
            "Restriction-NotDisinterested",
            mark(Restriction::NotDisinterested),
        ),
        (
            "Restriction-IntendsAgainst",
            mark(Restriction::IntendsAgainst),
        ),
        (
            "Restriction-IntendsAbstain",
            mark(Restriction::IntendsAbstain),
        ),
        (
            "SittingKind-General",
            Event::SittingConvened(Sitting {
                id: id("egm"),
                kind: SittingKind::General,
                class: None,
                title: String::new(),
            }),
        ),
        (
            "ClassPctBase-Class",
            Event::MeetingSettings(MeetingSettings {
                class_pct_base: Some(ClassPctBase::Class),
                ..MeetingSettings::default()
            }),
        ),
        ("Instruction-For", proxy(Instruction::For)),
        ("Instruction-Against", proxy(Instruction::Against)),
        ("Instruction-Abstain", proxy(Instruction::Abstain)),
        ("Instruction-Discretion", proxy(Instruction::Discretion)),
        (
            "Voter-Holder",
            Event::AttendanceRecorded {
                attendee: Voter::Holder(id("H")),
            },
        ),
        (
            "Choice-Cumulative",
            Event::VoteCast(Ballot {
                voter: Voter::Proxy(id("P")),
                resolution: id("1"),
                class: Some(id("A")),
                choice: Choice::Cumulative(vec![
                    Allocation {
                        candidate: id("c1"),
                        votes: Votes(3),
                    },
                    Allocation {
                        candidate: id("c2"),
                        votes: Votes(0),
                    },
                ]),
            }),
        ),
    ]
}

#[test]
fn every_enum_value_has_frozen_bytes() {
    for (name, event) in values() {
        let path = dir().join(format!("{name}.hex"));
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("missing vector {}: {e}", path.display()));
        let bytes = encode_event(&event).expect("encodes");
        assert_eq!(
            hex::encode(&bytes),
            want.trim(),
            "bytes of {name} changed: that is a format change"
        );
        let decoded = decode_event(&hex::decode(want.trim()).expect("hex")).expect("decodes");
        assert_eq!(decoded, event, "{name}");
    }
}

/// The variant numbers docs/FORMAT.md section 9 states, read off the frozen bytes: a variant
/// number is the u32 BE right after the fields before it.
#[test]
fn variant_numbers_are_those_the_spec_states() {
    let bytes = |name: &str| {
        let text = std::fs::read_to_string(dir().join(format!("{name}.hex"))).expect("vector");
        hex::decode(text.trim()).expect("hex")
    };
    let u32_at = |b: &[u8], at: usize| u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    // AuthorityGranted: version (2), variant (4), key (32), then the role's variant.
    for (name, n) in [
        ("Role-Registrar", 0),
        ("Role-Chair", 2),
        ("Role-Witness", 3),
    ] {
        assert_eq!(u32_at(&bytes(name), 38), n, "{name}");
    }
    // AbstentionRequired: version, variant, holder "H" (9), resolutions (8 + 9), then the
    // restriction's variant.
    for (name, n) in [
        ("Restriction-Abstain", 0),
        ("Restriction-NotDisinterested", 2),
        ("Restriction-IntendsAgainst", 3),
        ("Restriction-IntendsAbstain", 4),
    ] {
        assert_eq!(u32_at(&bytes(name), 32), n, "{name}");
    }
    // ResolutionProposed: version, variant, id "1" (8 + 1), then the kind's variant.
    for (name, n) in [
        ("ResolutionKind-Ordinary", 0),
        ("ResolutionKind-Special", 1),
        ("ResolutionKind-Scheme", 3),
    ] {
        assert_eq!(u32_at(&bytes(name), 15), n, "{name}");
    }
    // ProxyLodged: version, variant, proxy "P" (9), holder "H" (9), proxy_name "" (8),
    // class None (1), shares None (1), instructions length (8), resolution "1" (9), then
    // the instruction's variant.
    for (name, n) in [
        ("Instruction-For", 0),
        ("Instruction-Against", 1),
        ("Instruction-Abstain", 2),
        ("Instruction-Discretion", 4),
    ] {
        let b = bytes(name);
        assert_eq!(&b[32..34], &[0, 0], "{name}: class and shares are None");
        assert_eq!(u32_at(&b, 51), n, "{name}");
    }
    // MeetingConvened: version, variant, id "m" (9), issuer "I" (9), stock code "1" (9), then
    // the kind's variant, the date (8 + 10), then the profile's preset.
    for (name, kind, preset) in [
        ("MeetingKind-Agm", 0, 0),
        ("MeetingKind-Class", 2, 2),
        ("MeetingKind-Sgm", 3, 3),
        ("MeetingKind-Court", 4, 0),
        ("Preset-Bermuda", 1, 3),
        ("Preset-Custom", 1, 4),
    ] {
        let b = bytes(name);
        assert_eq!(u32_at(&b, 33), kind, "{name}");
        assert_eq!(u32_at(&b, 55), preset, "{name}");
    }
}

/// Every vector the generator knows is frozen: an event kind or value added without its
/// vector fails here. `SCRUTIN_WRITE_VECTORS=1` writes the missing ones (never rewriting one
/// that exists), to be reviewed and committed.
#[test]
fn every_generated_vector_is_frozen() {
    let write = std::env::var_os("SCRUTIN_WRITE_VECTORS").is_some();
    for (name, event) in values() {
        let path = dir().join(format!("{name}.hex"));
        if path.exists() {
            continue; // frozen: never rewritten
        }
        assert!(write, "no frozen vector {}", path.display());
        std::fs::create_dir_all(dir()).expect("dir");
        let text = format!("{}\n", hex::encode(encode_event(&event).expect("encodes")));
        std::fs::write(&path, text).expect("write");
    }
}

//! Canonical encoding: round trips, golden bytes, and rejection of non-canonical or hostile input.

use proptest::prelude::*;
use scrutin_model::*;

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().expect("valid id")
}

/// One of each event, in variant order. Their bytes are pinned in `tests/vectors/events-v1/`.
fn one_of_each() -> Vec<Event> {
    let key = AuthorKey([7; 32]);
    vec![
        Event::MeetingConvened(MeetingConvened {
            id: "jlmag-2022-egm1".into(),
            issuer: "JL MAG RARE-EARTH CO., LTD.".into(),
            stock_code: "06680".into(),
            kind: MeetingKind::Egm,
            date: Date::new("2022-08-24").unwrap(),
            rules: RulesProfile::preset(Preset::Prc, 4),
            classes: vec![
                ShareClass {
                    id: id("A"),
                    name: "A shares".into(),
                    votes_per_share: 1,
                },
                ShareClass {
                    id: id("H"),
                    name: "H shares".into(),
                    votes_per_share: 1,
                },
            ],
            record_date: Date::new("2022-08-18").unwrap(),
            proxy_deadline: UtcMillis(1_661_229_000_000),
            registrar: key,
            scrutineer: "Computershare Hong Kong Investor Services Limited".into(),
        }),
        Event::AuthorityGranted {
            key: AuthorKey([9; 32]),
            role: Role::Scrutineer,
        },
        Event::AuthorityRevoked {
            key: AuthorKey([9; 32]),
            role: Role::Holder(id("H1")),
        },
        Event::ResolutionProposed(Resolution {
            id: id("1"),
            kind: ResolutionKind::Cumulative {
                seats: 2,
                candidates: vec![Candidate {
                    id: id("c1"),
                    name: "Mr. Cai".into(),
                }],
            },
            title: "To elect directors".into(),
            classes: vec![id("A")],
            votes_per_share: vec![ClassWeight {
                class: id("A"),
                votes_per_share: 10,
            }],
        }),
        Event::ShareRegistered {
            holder: id("H1"),
            name: "HKSCC NOMINEES LIMITED".into(),
            class: id("H"),
            shares: Shares(125_466_000),
        },
        Event::RegisterClosed,
        Event::AbstentionRequired {
            holder: id("H2"),
            resolutions: vec![id("1"), id("2")],
            restriction: Restriction::AgainstOnly,
            reason: "Rule 13.40".into(),
        },
        Event::ProxyLodged(ProxyLodged {
            proxy: id("P1"),
            holder: id("H1"),
            proxy_name: "The Chairman".into(),
            class: Some(id("H")),
            shares: Some(Shares(1000)),
            instructions: vec![ProxyInstruction {
                resolution: id("1"),
                instruction: Instruction::Split {
                    for_: Shares(600),
                    against: Shares(300),
                    abstain: Shares(100),
                },
            }],
            lodged_at: UtcMillis(1_661_000_000_000),
        }),
        Event::ProxyRevoked {
            proxy: id("P1"),
            reason: "holder attended".into(),
        },
        Event::AttendanceRecorded {
            attendee: Voter::Proxy(id("P1")),
        },
        Event::PollOpened { resolution: None },
        Event::VoteCast(Ballot {
            voter: Voter::Holder(id("H1")),
            resolution: id("1"),
            class: None,
            choice: Choice::Split {
                for_: Shares(5),
                against: Shares(0),
                abstain: Shares(1),
            },
        }),
        Event::PollClosed {
            resolution: Some(id("1")),
        },
        Event::ResultDeclared {
            tally_sha256: [0xab; 32],
        },
    ]
}

/// The events appended after the first fourteen (variants 14 to 19), named by variant: their
/// bytes are pinned in `tests/vectors/events-v1/<Name>.hex` beside the others.
fn appended() -> Vec<(&'static str, u32, Event)> {
    let form = ProxyLodged {
        proxy: id("P2"),
        holder: id("H1"),
        proxy_name: String::new(),
        class: Some(id("H")),
        shares: None,
        instructions: vec![],
        lodged_at: UtcMillis(1_661_229_000_000),
    };
    vec![
        (
            "SittingConvened",
            14,
            Event::SittingConvened(Sitting {
                id: id("h-class"),
                kind: SittingKind::Class,
                class: Some(id("H")),
                title: "H Shareholders' Class Meeting".into(),
            }),
        ),
        (
            "ResolutionTerms",
            15,
            Event::ResolutionTerms {
                resolution: id("1"),
                sitting: Some(id("h-class")),
                scheme: Some(SchemeTerms {
                    headcount: false,
                    value_majority: Threshold::THREE_QUARTERS,
                    disinterested_majority: Some(Threshold::THREE_QUARTERS),
                    disinterested_max_against: None,
                }),
            },
        ),
        (
            "SittingProxyLodged",
            16,
            Event::SittingProxyLodged {
                sitting: id("h-class"),
                form,
            },
        ),
        (
            "Attended",
            17,
            Event::Attended {
                attendee: Voter::Proxy(id("P2")),
                sitting: Some(id("h-class")),
                attended_at: Some(UtcMillis(1_661_320_800_000)),
            },
        ),
        (
            "MeetingSettings",
            18,
            Event::MeetingSettings(MeetingSettings {
                issued: vec![ClassIssued {
                    class: id("H"),
                    issued: Shares(140_000_000),
                }],
                show_abstain: Some(true),
                class_pct_base: Some(ClassPctBase::Total),
                witness_lawyer: "Jingtian & Gongcheng".into(),
                partial_voting: false,
                attendance_keeps_proxies: true,
            }),
        ),
        (
            "ResultDeclaredV2",
            19,
            Event::ResultDeclaredV2 {
                tally_format: 2,
                tally_sha256: [0xcd; 32],
            },
        ),
    ]
}

/// Variants 14 to 19 have frozen bytes, with the variant number the spec states right after
/// the format version. `SCRUTIN_WRITE_VECTORS=1` writes a missing file (never rewrites one).
#[test]
fn appended_events_have_frozen_bytes_and_their_variant_numbers() {
    let write = std::env::var_os("SCRUTIN_WRITE_VECTORS").is_some();
    for (name, variant, event) in appended() {
        let bytes = encode_event(&event).unwrap();
        assert_eq!(
            u32::from_be_bytes([bytes[2], bytes[3], bytes[4], bytes[5]]),
            variant,
            "{name}"
        );
        let path = vectors_dir().join(format!("{name}.hex"));
        if !path.exists() {
            assert!(write, "no frozen vector {}", path.display());
            std::fs::write(&path, format!("{}\n", hex::encode(&bytes))).unwrap();
        }
        let want = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            hex::encode(&bytes),
            want.trim(),
            "bytes of {name} changed: that is a format change"
        );
        assert_eq!(decode_event(&bytes).unwrap(), event, "{name}");
    }
    // A format-2 declaration may not claim format 1 (that is `ResultDeclared`'s).
    let mut one = encode_event(&Event::ResultDeclaredV2 {
        tally_format: 2,
        tally_sha256: [0; 32],
    })
    .unwrap();
    one[7] = 1;
    assert!(decode_event(&one).is_err());
}

fn vectors_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/events-v1")
}

#[test]
fn one_of_each_covers_every_variant_in_order() {
    let kinds: Vec<_> = one_of_each().iter().map(Event::kind).collect();
    let mut sorted = kinds.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(kinds, sorted, "one event per kind, in variant order");
    assert_eq!(kinds.len(), 14, "a new event variant needs a golden vector");
}

#[test]
fn golden_vectors_pin_the_bytes() {
    // The files are written once, by hand, and never regenerated: a change here is a format change.
    for event in one_of_each() {
        let name = event.kind().name();
        let path = vectors_dir().join(format!("{name}.hex"));
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("missing golden vector {}: {e}", path.display()));
        let got = hex::encode(encode_event(&event).unwrap());
        assert_eq!(
            got,
            want.trim(),
            "bytes of {name} changed: that is a format change"
        );
        let decoded = decode_event(&hex::decode(want.trim()).unwrap()).unwrap();
        assert_eq!(decoded, event);
    }
}

#[test]
fn round_trip_and_version_first() {
    for event in one_of_each() {
        let bytes = encode_event(&event).unwrap();
        assert_eq!(&bytes[..2], &EVENT_FORMAT_VERSION.to_be_bytes());
        assert_eq!(decode_event(&bytes).unwrap(), event);
    }
}

#[test]
fn rejects_trailing_bytes_other_versions_and_truncation() {
    let bytes = encode_event(&one_of_each()[4]).unwrap();
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(
        matches!(decode_event(&longer), Err(ModelError::Malformed(m)) if m.contains("trailing"))
    );
    let mut v2 = bytes.clone();
    v2[1] = 2;
    assert_eq!(
        decode_event(&v2),
        Err(ModelError::UnsupportedVersion {
            found: 2,
            supported: 1
        })
    );
    for cut in 0..bytes.len() {
        assert!(
            decode_event(&bytes[..cut]).is_err(),
            "prefix of {cut} bytes accepted"
        );
    }
}

#[test]
fn rejects_decoded_values_that_break_invariants() {
    // A ShareRegistered whose holder id is empty: the bytes decode, the invariant does not hold.
    let event = Event::ShareRegistered {
        holder: id("X"),
        name: String::new(),
        class: id("A"),
        shares: Shares(1),
    };
    let mut bytes = encode_event(&event).unwrap();
    // Layout: u16 version, u32 variant tag, u64 length of holder id, then its bytes.
    let len_at = 2 + 4;
    assert_eq!(&bytes[len_at..len_at + 8], &1u64.to_be_bytes());
    bytes[len_at + 7] = 0;
    bytes.remove(len_at + 8);
    assert!(matches!(
        decode_event(&bytes),
        Err(ModelError::InvalidId {
            kind: "holder id",
            ..
        })
    ));
}

#[test]
fn rejects_a_huge_length_claim_without_allocating() {
    // version 1, variant ShareRegistered (4), then a holder id claiming 2^62 bytes.
    let mut bytes = vec![0, 1, 0, 0, 0, 4];
    bytes.extend_from_slice(&(1u64 << 62).to_be_bytes());
    assert!(decode_event(&bytes).is_err());
}

#[test]
fn ids_refuse_what_they_must() {
    assert!(HolderId::new("").is_err());
    assert!(HolderId::new("proxy:1").is_err());
    assert!(HolderId::new(" H1").is_err());
    assert!(HolderId::new("a\nb").is_err());
    assert!(HolderId::new("x".repeat(129)).is_err());
    assert!(HolderId::new("treasury").unwrap().is_treasury());
    assert!(Date::new("2022-02-30").is_err());
    assert!(Date::new("2022-08-24").is_ok());
    assert_eq!(
        UtcMillis::parse_rfc3339("deadline", "2022-08-22T14:30:00+08:00").unwrap(),
        UtcMillis(1_661_149_800_000)
    );
    assert_eq!(
        UtcMillis(1_661_149_800_000).to_rfc3339(),
        "2022-08-22T06:30:00.000Z"
    );
    assert_eq!(group_thousands(516_237_845), "516,237,845");
    assert_eq!(group_thousands(0), "0");
    assert_eq!(group_thousands(100), "100");
    assert_eq!(group_thousands(1000), "1,000");
}

#[test]
fn thresholds_are_decided_on_integers() {
    let half = Threshold::MORE_THAN_HALF;
    assert!(!half.is_met(50, 100), "a tie fails");
    assert!(half.is_met(51, 100));
    assert!(!half.is_met(0, 0), "nothing cast never passes");
    let three_q = Threshold::THREE_QUARTERS;
    assert!(three_q.is_met(75, 100));
    assert!(
        !three_q.is_met(747, 1000),
        "74.7% is not a special majority"
    );
    assert!(
        half.is_met(747, 1000),
        "74.7% passes an ordinary resolution"
    );
    // Products beyond u128 (hostile or huge weighted totals) are compared exactly, no panic.
    let all = Threshold::new(u32::MAX, u32::MAX, false).unwrap();
    assert!(all.is_met(u128::MAX, u128::MAX));
    assert!(!all.is_met(u128::MAX - 1, u128::MAX));
    assert!(!Threshold::new(u32::MAX, u32::MAX, true)
        .unwrap()
        .is_met(u128::MAX, u128::MAX));
    assert!(half.is_met(u128::MAX / 2 + 1, u128::MAX));
    assert!(!half.is_met(u128::MAX / 2, u128::MAX));
    assert!(Threshold::new(3, 2, false).is_err());
    assert!(Threshold::new(1, 0, false).is_err());
    let mut p = RulesProfile::preset(Preset::Hk, 7);
    assert!(p.validate().is_err());
    p.decimals = 6;
    assert!(p.validate().is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode_event(&bytes);
    }

    #[test]
    fn mutated_events_never_panic_and_decode_canonically(idx in 0usize..14, pos in any::<usize>(), bit in 0u8..8) {
        let mut bytes = encode_event(&one_of_each()[idx]).unwrap();
        let p = pos % bytes.len();
        bytes[p] ^= 1 << bit;
        if let Ok(event) = decode_event(&bytes) {
            prop_assert_eq!(encode_event(&event).unwrap(), bytes);
        }
    }

    #[test]
    fn split_ballots_round_trip(f in any::<u64>(), a in any::<u64>(), b in any::<u64>(), h in "[A-Za-z0-9]{1,20}") {
        let event = Event::VoteCast(Ballot {
            voter: Voter::Holder(HolderId::new(h).unwrap()),
            resolution: ResolutionId::new("1").unwrap(),
            class: None,
            choice: Choice::Split { for_: Shares(f), against: Shares(a), abstain: Shares(b) },
        });
        prop_assert_eq!(decode_event(&encode_event(&event).unwrap()).unwrap(), event);
    }
}

//! Hostile receipts: mutated receipt JSON never panics and never verifies as something else,
//! and a receipt never covers a ballot the declared tally did not count.

mod common;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use common::*;
use proptest::prelude::*;
use scrutin::{verify_receipt, LedgerError, ReceiptReport, VoteReceipt};
use scrutin_model::{Event, ResolutionId};

fn receipt_for(holder: &str) -> VoteReceipt {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    ledger.checkpoint(&registrar()).unwrap();
    ledger.receipt(&h(holder)).unwrap()
}

fn good() -> &'static (String, ReceiptReport) {
    static G: std::sync::OnceLock<(String, ReceiptReport)> = std::sync::OnceLock::new();
    G.get_or_init(|| {
        let r = receipt_for("H2");
        let report = verify_receipt(&r, &trust()).unwrap();
        assert!(report.is_valid(), "{}", report.to_json());
        (r.to_json(), report)
    })
}

fn trust() -> Vec<scrutin_log::NoteVerifier> {
    vec![registrar().verifier(), witness().verifier()]
}

/// What a valid verification vouches for must be exactly what the genuine receipt says.
fn same_claims(a: &ReceiptReport, b: &ReceiptReport) -> bool {
    a.holder == b.holder
        && a.origin == b.origin
        && a.checkpoint_size == b.checkpoint_size
        && a.declaration_index == b.declaration_index
        && a.final_result == b.final_result
        && a.polls_not_closed == b.polls_not_closed
        && a.ballots == b.ballots
}

fn check_text(text: &str) -> Result<(), TestCaseError> {
    let Ok(r) = VoteReceipt::from_json(text) else {
        return Ok(());
    };
    let report = verify_receipt(&r, &trust()).unwrap();
    if report.is_valid() {
        prop_assert!(
            same_claims(&report, &good().1),
            "a mutated receipt verified with other claims: {}",
            report.to_json()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if std::env::var("SCRUTIN_SOAK").is_ok_and(|v| v == "1") { 20_000 } else { 128 }))]

    #[test]
    fn mutated_receipt_json_never_panics_nor_verifies_other_claims(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let mut b = good().0.clone().into_bytes();
        for (i, v, op) in &edits {
            let i = i.index(b.len());
            match op {
                0 => b[i] = *v,
                1 => b.insert(i, *v),
                _ => { b.remove(i); }
            }
        }
        if let Some(c) = cut {
            b.truncate(c.index(b.len()));
        }
        check_text(&String::from_utf8_lossy(&b))?;
    }

    #[test]
    fn mutated_receipt_fields_never_panic(
        field in 0usize..11,
        pos in any::<prop::sample::Index>(),
        bit in 0u8..8,
        number in any::<u64>(),
    ) {
        let mut r = VoteReceipt::from_json(&good().0).unwrap();
        let flip = |s: &mut Vec<u8>| {
            if !s.is_empty() {
                let i = pos.index(s.len());
                s[i] ^= 1 << bit;
            }
        };
        match field {
            0 => {
                let mut bytes = B64.decode(&r.entries[0].entry).unwrap();
                flip(&mut bytes);
                r.entries[0].entry = B64.encode(&bytes);
            }
            1 => {
                let mut t = r.checkpoint.clone().into_bytes();
                flip(&mut t);
                r.checkpoint = String::from_utf8_lossy(&t).into_owned();
            }
            2 => {
                let mut t = r.tally.clone().into_bytes();
                flip(&mut t);
                r.tally = String::from_utf8_lossy(&t).into_owned();
            }
            3 => r.entries[0].index = number,
            4 => r.declaration.index = number,
            5 => {
                let n = (number % 70) as usize;
                r.entries[0].proof = vec!["00".repeat(32); n];
            }
            6 => {
                let mut bytes = B64.decode(&r.declaration.entry).unwrap();
                flip(&mut bytes);
                r.declaration.entry = B64.encode(&bytes);
            }
            8 => {
                let i = pos.index(r.polls.len());
                let mut bytes = B64.decode(&r.polls[i].entry).unwrap();
                flip(&mut bytes);
                r.polls[i].entry = B64.encode(&bytes);
            }
            9 => {
                r.polls.remove(pos.index(r.polls.len()));
            }
            10 => {
                let i = pos.index(r.entries.len());
                let mut t = r.entries[i].event.to_string().into_bytes();
                flip(&mut t);
                if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&t) {
                    // Any change to an event copy fails: it must be the signed event exactly.
                    if v != r.entries[i].event {
                        r.entries[i].event = v;
                        prop_assert!(!verify_receipt(&r, &trust()).unwrap().is_valid());
                    }
                }
            }
            _ => {
                let mut t = r.entries[0].proof.concat().into_bytes();
                flip(&mut t);
                r.entries[0].proof = vec![String::from_utf8_lossy(&t).into_owned()];
            }
        }
        check_text(&r.to_json())?;
    }
}

#[test]
fn huge_and_negative_numbers_are_refused_not_panicked_on() {
    let text = &good().0;
    let first_index = format!(
        "\"index\": {}",
        VoteReceipt::from_json(text).unwrap().entries[0].index
    );
    for n in [
        "18446744073709551615",
        "18446744073709551616",
        "-1",
        "1e30",
        "99999999999999999999999999999999999999",
        "0.5",
    ] {
        let t = text.replacen(&first_index, &format!("\"index\": {n}"), 1);
        assert_ne!(&t, text);
        check_text(&t).unwrap();
    }
}

#[test]
fn a_ballot_moved_into_another_role_fails() {
    let r = VoteReceipt::from_json(&good().0).unwrap();
    let mut other = r.clone();
    other.declaration = r.entries[1].clone();
    assert!(!verify_receipt(&other, &trust()).unwrap().is_valid());
    let mut other = r.clone();
    other.entries[1].role = "proxy".into();
    assert!(!verify_receipt(&other, &trust()).unwrap().is_valid());
    // A ballot of someone else (H1) carried in H2's receipt.
    let h1 = receipt_for("H1");
    let mut other = r.clone();
    other.entries.push(h1.entries[0].clone());
    assert!(!verify_receipt(&other, &trust()).unwrap().is_valid());
}

#[test]
fn a_receipt_checkpoint_cosigned_but_signed_by_a_stranger_fails() {
    // The witness's cosignature is genuine but the note signature is by an untrusted key.
    let r = VoteReceipt::from_json(&good().0).unwrap();
    let cp = scrutin_log::SignedCheckpoint::parse_note(&r.checkpoint).unwrap();
    let mut forged = scrutin_log::SignedCheckpoint::sign(cp.checkpoint.clone(), &stranger());
    let mut w = scrutin_log::Witness::new(witness(), None);
    let c = w
        .cosign(&forged, &stranger().verifier(), &[], 1_700_000_000)
        .unwrap();
    forged.add_cosignature(c);
    let mut other = r.clone();
    other.checkpoint = forged.to_note_text();
    let report = verify_receipt(&other, &trust()).unwrap();
    assert!(!report.is_valid(), "{}", report.to_json());
}

/// Events for a meeting whose resolutions are polled one at a time, so a result can be
/// declared on resolution 1 before resolution 2 is voted.
fn staged_events() -> Vec<Event> {
    let mut ev = setup_events();
    assert!(matches!(
        ev.pop(),
        Some(Event::PollOpened { resolution: None })
    ));
    ev
}

fn res(id: &str) -> Option<ResolutionId> {
    Some(r(id))
}

#[test]
fn a_receipt_is_built_on_the_final_declaration_and_nothing_follows_it() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registrar();
    let ledger = scrutin::Ledger::create(dir.path(), convened(), &reg).unwrap();
    ledger.submit_batch(&reg, staged_events()).unwrap();
    ledger
        .submit(&reg, Event::PollOpened { resolution: None })
        .unwrap();
    ledger
        .submit(&reg, vote(holder("H1"), "1", 1_000, 0, 0))
        .unwrap();
    // A declaration needs every poll held and closed: resolution 2 is still open.
    ledger
        .submit(
            &reg,
            Event::PollClosed {
                resolution: res("1"),
            },
        )
        .unwrap();
    assert!(ledger.declare_result(&scrutineer()).is_err());
    ledger
        .submit(
            &reg,
            Event::PollClosed {
                resolution: res("2"),
            },
        )
        .unwrap();
    ledger.checkpoint(&reg).unwrap();
    let decl = ledger.declare_result(&scrutineer()).unwrap();
    // No checkpoint ends with the declaration yet: no receipt, and the operator is told what
    // to run.
    let err = ledger.receipt(&h("H1")).unwrap_err();
    assert!(
        matches!(
            err,
            LedgerError::DeclarationNotCheckpointed { declaration, needed, .. }
                if declaration == decl && needed == decl + 1
        ),
        "{err}"
    );
    assert!(err.to_string().contains("scrutin checkpoint"), "{err}");
    ledger.checkpoint(&reg).unwrap();
    // The declaration is final and seals the log: no later ballot.
    let sealed = ledger.submit(&reg, vote(holder("H2"), "2", 1, 0, 0));
    assert!(
        matches!(
            sealed,
            Err(LedgerError::Rejected {
                violation: scrutin_tally::RuleViolation::LogSealed { .. },
                ..
            })
        ),
        "{sealed:?}"
    );
    let receipt = ledger.receipt(&h("H1")).unwrap();
    assert_eq!(
        scrutin_log::SignedCheckpoint::parse_note(&receipt.checkpoint)
            .unwrap()
            .checkpoint
            .size,
        decl + 1
    );
    assert!(
        receipt.entries.iter().all(|e| e.index < decl),
        "{}",
        receipt.to_json()
    );
    let report = verify_receipt(&receipt, &trust()).unwrap();
    assert!(report.is_valid(), "{}", report.to_json());
    assert_eq!(report.ballots.len(), 1);
    assert!(report.final_result, "{}", report.to_json());
    assert_eq!(report.ballots[0].status, "counted");
}

#[test]
fn refusal_reasons_read_as_one_sentence() {
    let mut r = VoteReceipt::from_json(&good().0).unwrap();
    r.scrutineer_grant = None;
    let report = verify_receipt(&r, &trust()).unwrap();
    let scrutin::ReceiptVerdict::Invalid { reason } = &report.verdict else {
        panic!("a declaration by an unproven scrutineer verified")
    };
    assert!(reason.contains("scrutineer by the registrar"), "{reason}");
    assert!(!reason.contains("  "), "{reason:?}");
}

#[test]
fn a_repeated_or_reordered_entry_fails() {
    let r = VoteReceipt::from_json(&good().0).unwrap();
    let mut twice = r.clone();
    twice.entries.push(r.entries[1].clone());
    let report = verify_receipt(&twice, &trust()).unwrap();
    assert!(!report.is_valid(), "{}", report.to_json());
    let mut reordered = r.clone();
    reordered.entries.swap(1, 2);
    assert!(!verify_receipt(&reordered, &trust()).unwrap().is_valid());
}

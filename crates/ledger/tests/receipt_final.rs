//! A receipt shows the result that stands: its declaration must be the last entry of its
//! checkpoint, it says whether that result is final, and every copy written beside the signed
//! bytes (event, role, status) must be exactly what those bytes say.

mod common;

use std::path::Path;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use common::*;
use scrutin::{origin_for, tally_digest, verify_receipt, Ledger, ReceiptVerdict, VoteReceipt};
use scrutin_log::{Log, NoteVerifier, Signer};
use scrutin_model::{encode_event, Event, ProxyId, ResolutionId, UtcMillis};
use scrutin_tally::Meeting;

fn trust() -> Vec<NoteVerifier> {
    vec![registrar().verifier()]
}

fn reason_of(report: &scrutin::ReceiptReport) -> String {
    match &report.verdict {
        ReceiptVerdict::Invalid { reason } => reason.clone(),
        _ => panic!("the receipt verified: {}", report.to_json()),
    }
}

/// Appends `event` signed by `signer`, folding it into `meeting` as the ledger would (without
/// the rules' check, which a registrar holding its key can bypass by writing the log itself).
fn append(log: &Log, meeting: &mut Meeting, signer: &Signer, event: &Event) -> u64 {
    let entry = log.append(signer, encode_event(event).unwrap()).unwrap();
    meeting.apply(event, &key(signer), UtcMillis(u64::MAX));
    entry.index
}

fn declare(log: &Log, meeting: &mut Meeting) -> u64 {
    let event = Event::ResultDeclaredV2 {
        tally_format: scrutin::tally::TALLY_FORMAT,
        tally_sha256: tally_digest(&meeting.tally()),
    };
    append(log, meeting, &scrutineer(), &event)
}

/// The attack of issue 7: a whole meeting declared at `d1` and checkpointed, then (written
/// straight into the log, past the seal) a revocation of H2's proxy P1, which disregards P1's
/// ballots, and a second declaration at `d2`, checkpointed. Returns `d1`, the tally JSON it
/// certifies, and `d2`.
fn declare_then_supersede(dir: &Path) -> (u64, String, u64) {
    let reg = registrar();
    let mut meeting = Meeting::new();
    let log = Log::create(dir, &origin_for(&convened().id)).unwrap();
    let genesis = Event::MeetingConvened(convened());
    meeting
        .submit(&genesis, &key(&reg), UtcMillis(u64::MAX))
        .unwrap();
    log.append(&reg, encode_event(&genesis).unwrap()).unwrap();
    for event in setup_events().iter().chain(&ballots()).chain(&[close()]) {
        meeting
            .submit(event, &key(&reg), UtcMillis(u64::MAX))
            .unwrap();
        log.append(&reg, encode_event(event).unwrap()).unwrap();
    }
    let tally1 = meeting.tally().to_json();
    let d1 = declare(&log, &mut meeting);
    log.checkpoint(&reg).unwrap();
    append(
        &log,
        &mut meeting,
        &reg,
        &Event::ProxyRevoked {
            proxy: ProxyId::new("P1").unwrap(),
            reason: "superseded by a later proxy form".into(),
        },
    );
    let d2 = declare(&log, &mut meeting);
    log.checkpoint(&reg).unwrap();
    (d1, tally1, d2)
}

/// Re-proves every entry of `receipt` against the log's tree of `size`, with the stored
/// checkpoint of that size: what a registrar can do with its own log and key.
fn reprove(log: &Log, receipt: &mut VoteReceipt, size: u64) {
    let hex = |i: u64| -> Vec<String> {
        log.prove_inclusion(i, size)
            .unwrap()
            .iter()
            .map(|h| h.to_hex())
            .collect()
    };
    for e in receipt
        .entries
        .iter_mut()
        .chain(receipt.polls.iter_mut())
        .chain(receipt.context.iter_mut())
        .chain(receipt.scrutineer_grant.iter_mut())
        .chain([&mut receipt.genesis, &mut receipt.declaration])
    {
        e.proof = hex(e.index);
    }
    receipt.checkpoint = log.checkpoint_at(size).unwrap().unwrap().to_note_text();
    // Each ballot's tlog-proof restates its proof and the checkpoint: rebuild it too.
    let with_proof: Vec<usize> = (0..receipt.entries.len())
        .filter(|&i| receipt.entries[i].tlog_proof.is_some())
        .collect();
    for i in with_proof {
        let t = receipt.tlog_proof(&receipt.entries[i]).unwrap();
        receipt.entries[i].tlog_proof = Some(t);
    }
}

#[test]
fn a_receipt_on_a_superseded_declaration_does_not_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (d1, tally1, d2) = declare_then_supersede(dir.path());

    // The ledger builds H2's receipt on the last declaration, where P1's ballots are
    // disregarded.
    let current = {
        let ledger = Ledger::open(dir.path()).unwrap();
        ledger.receipt(&h("H2")).unwrap()
    };
    assert_eq!(current.declaration.index, d2);
    let report = verify_receipt(&current, &trust()).unwrap();
    assert!(report.is_valid(), "{}", report.to_json());
    assert!(report.final_result);
    assert_eq!(report.ballots.len(), 2);
    assert!(
        report
            .ballots
            .iter()
            .all(|b| b.status.starts_with("disregarded")),
        "{}",
        report.to_json()
    );

    // The registrar's receipt on the first declaration instead: same ballots, "counted" by
    // the tally declared at d1.
    let log = Log::open(dir.path()).unwrap();
    let first = log.entry(d1).unwrap();
    let mut stale = current.clone();
    stale.declaration.index = d1;
    stale.declaration.entry = B64.encode(first.encode());
    stale.declaration.event =
        serde_json::to_value(scrutin_model::decode_event(&first.payload).unwrap()).unwrap();
    stale.tally = tally1;
    for e in &mut stale.entries {
        if e.role == "ballot" {
            e.status = Some("counted".into());
        }
    }

    // Against the checkpoint that ends with d1 it is well formed (and final: only the seal,
    // which the bundle verifier checks, forbids what followed).
    reprove(&log, &mut stale, d1 + 1);
    let report = verify_receipt(&stale, &trust()).unwrap();
    assert!(report.is_valid(), "{}", report.to_json());
    assert!(report.final_result);
    assert!(report.ballots.iter().all(|b| b.status == "counted"));

    // Against the checkpoint that covers what followed, it must not verify.
    reprove(&log, &mut stale, d2 + 1);
    let report = verify_receipt(&stale, &trust()).unwrap();
    let reason = reason_of(&report);
    assert!(
        reason.contains(&format!(
            "entry {d1} is not the last entry of the checkpoint"
        )),
        "{reason}"
    );
    assert!(!report.final_result);
    assert!(report.ballots.is_empty());
}

fn whole_receipt(holder: &str) -> VoteReceipt {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    ledger.checkpoint(&registrar()).unwrap();
    ledger.receipt(&h(holder)).unwrap()
}

#[test]
fn a_receipt_after_close_and_checkpoint_is_final() {
    let receipt = whole_receipt("H2");
    let report = verify_receipt(&receipt, &trust()).unwrap();
    assert!(report.is_valid(), "{}", report.to_json());
    assert!(report.final_result, "{}", report.to_json());
    assert!(report.polls_not_closed.is_empty());
    assert_eq!(report.checkpoint_size, report.declaration_index + 1);
    // Both resolutions were proposed, opened and closed together: two proposals, the
    // opening and the closing.
    let roles: Vec<&str> = receipt.polls.iter().map(|e| e.role.as_str()).collect();
    assert_eq!(roles, ["resolution", "resolution", "poll", "poll"]);
    assert!(report.lines.iter().any(|l| l.contains("is FINAL")));
}

#[test]
fn without_its_poll_entries_a_receipt_is_never_final() {
    let receipt = whole_receipt("H2");
    for keep in 0..receipt.polls.len() {
        let mut cut = receipt.clone();
        cut.polls.remove(keep);
        let report = verify_receipt(&cut, &trust()).unwrap();
        assert!(!report.final_result, "{}", report.to_json());
        // Its ballots still say "counted", which a provisional result may not say.
        let reason = reason_of(&report);
        assert!(
            reason.contains("\"counted\" as of a final result")
                && reason.contains("the declared result is provisional"),
            "{reason}"
        );
    }
    // Relabelled as provisional, the ballots verify, and read as provisional.
    let mut cut = receipt.clone();
    cut.polls.clear();
    for e in &mut cut.entries {
        if let Some(s) = &mut e.status {
            *s = format!("provisional: {s}");
        }
    }
    let report = verify_receipt(&cut, &trust()).unwrap();
    assert!(report.is_valid(), "{}", report.to_json());
    assert!(!report.final_result);
    assert_eq!(report.polls_not_closed, ["1", "2"]);
    assert!(report
        .ballots
        .iter()
        .all(|b| b.status == "provisional: counted"));
}

#[test]
fn a_ballot_passed_off_as_a_poll_entry_fails() {
    let receipt = whole_receipt("H2");
    let mut forged = receipt.clone();
    let mut ballot = receipt.entries[1].clone();
    ballot.role = "poll".into();
    ballot.status = None;
    forged.polls.push(ballot);
    forged.polls.sort_by_key(|e| e.index);
    assert!(!verify_receipt(&forged, &trust()).unwrap().is_valid());
}

/// Every `"for"` number in a JSON value, bumped.
fn bump_for(v: &mut serde_json::Value) -> bool {
    match v {
        serde_json::Value::Object(m) => {
            let mut done = false;
            for (k, x) in m.iter_mut() {
                if k == "for" {
                    if let Some(n) = x.as_u64() {
                        *x = serde_json::Value::from(n + 1_000);
                        done = true;
                    }
                } else {
                    done |= bump_for(x);
                }
            }
            done
        }
        serde_json::Value::Array(a) => a.iter_mut().fold(false, |d, x| bump_for(x) | d),
        _ => false,
    }
}

#[test]
fn an_edited_for_in_an_event_copy_does_not_verify() {
    let receipt = whole_receipt("H1");
    let ballot = receipt
        .entries
        .iter()
        .position(|e| e.role == "ballot")
        .unwrap();
    let mut edited = receipt.clone();
    assert!(
        bump_for(&mut edited.entries[ballot].event),
        "no \"for\" field"
    );
    // Through the file, as a holder would receive it.
    let edited = VoteReceipt::from_json(&edited.to_json()).unwrap();
    let report = verify_receipt(&edited, &trust()).unwrap();
    let reason = reason_of(&report);
    assert!(
        reason.contains(&format!("entry {}", receipt.entries[ballot].index)),
        "{reason}"
    );
    assert!(reason.contains("event written in the receipt"), "{reason}");
}

#[test]
fn every_event_copy_and_role_is_bound_to_its_bytes() {
    let receipt = whole_receipt("H2");
    let mut cases: Vec<VoteReceipt> = Vec::new();
    let mut r = receipt.clone();
    r.genesis.event["MeetingConvened"]["issuer"] = "Someone Else Ltd".into();
    cases.push(r);
    let mut r = receipt.clone();
    r.declaration.event = serde_json::json!({"ResultDeclared": {"tally_sha256": "00"}});
    cases.push(r);
    let mut r = receipt.clone();
    r.polls[0].event = serde_json::Value::Null;
    cases.push(r);
    let mut r = receipt.clone();
    if let Some(g) = &mut r.scrutineer_grant {
        g.event = serde_json::json!({});
    }
    cases.push(r);
    let mut r = receipt.clone();
    r.entries[0].event = receipt.entries[1].event.clone();
    cases.push(r);
    let mut r = receipt.clone();
    r.genesis.role = "declaration".into();
    cases.push(r);
    let mut r = receipt.clone();
    r.declaration.role = "ballot".into();
    cases.push(r);
    let mut r = receipt.clone();
    r.entries[0].status = Some("counted".into()); // a proxy entry carries no status
    cases.push(r);
    let mut r = receipt.clone();
    r.entries[1].status = None;
    cases.push(r);
    for (i, c) in cases.iter().enumerate() {
        assert_ne!(c, &receipt, "case {i} changed nothing");
        let report = verify_receipt(c, &trust()).unwrap();
        assert!(
            !report.is_valid(),
            "case {i} verified: {}",
            report.to_json()
        );
    }
}

#[test]
fn a_declaration_made_before_every_poll_closed_is_provisional() {
    // Resolution 1 is polled and declared while resolution 2 is still to be polled. The rules
    // refuse such a declaration (it would seal the log), so a registrar holding the key writes
    // it into the log directly; the receipt must still not present it as final.
    let dir = tempfile::tempdir().unwrap();
    let reg = registrar();
    let decl = {
        let log = Log::create(dir.path(), &origin_for(&convened().id)).unwrap();
        let mut meeting = Meeting::new();
        let mut events = vec![Event::MeetingConvened(convened())];
        events.extend(setup_events());
        events.pop(); // the opening of every poll
        let r1 = Some(ResolutionId::new("1").unwrap());
        events.push(Event::PollOpened {
            resolution: r1.clone(),
        });
        events.push(vote(holder("H1"), "1", 1_000, 0, 0));
        events.push(Event::PollClosed { resolution: r1 });
        for e in &events {
            append(&log, &mut meeting, &reg, e);
        }
        let decl = declare(&log, &mut meeting);
        log.checkpoint(&reg).unwrap();
        decl
    };
    let ledger = Ledger::open(dir.path()).unwrap();
    let receipt = ledger.receipt(&h("H1")).unwrap();
    // Resolution 1 was closed by name: its closing alone shows it.
    assert_eq!(receipt.polls.len(), 1);
    let report = verify_receipt(&receipt, &trust()).unwrap();
    assert!(report.is_valid(), "{}", report.to_json());
    assert_eq!(report.declaration_index, decl);
    assert!(!report.final_result);
    assert_eq!(report.polls_not_closed, ["2"]);
    assert!(report.lines.iter().any(|l| l.contains("is PROVISIONAL")));
    assert_eq!(report.ballots[0].status, "provisional: counted");
}

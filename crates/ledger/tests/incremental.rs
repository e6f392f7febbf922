//! Incremental verification (`verify --since STATE`): from the state a valid verification
//! leaves, a longer bundle of the same log verifies to exactly the report of a full
//! verification while decoding only its new entries; a fork or rewritten prefix, a bundle
//! smaller than the state, a state of another log or other keys, and an altered state fail.

mod common;

use common::*;
use scrutin::log::{verify_bundle_resuming, Pin, Signer};
use scrutin::{verify_bundle_since, CheckStatus, LedgerError, Verdict, VerifyReport, VerifyState};
use scrutin_log::NoteVerifier;
use scrutin_model::{ClassId, Event, Shares};

fn trust() -> Vec<NoteVerifier> {
    vec![registrar().verifier()]
}

fn full(bundle: &[u8], trust: &[NoteVerifier]) -> (VerifyReport, Option<VerifyState>) {
    verify_bundle_since(bundle, trust, &Pin::default(), None, true, &mut |_, _| {}).unwrap()
}

fn since(
    bundle: &[u8],
    trust: &[NoteVerifier],
    state: &VerifyState,
) -> (VerifyReport, Option<VerifyState>) {
    verify_bundle_since(
        bundle,
        trust,
        &Pin::default(),
        Some(state),
        true,
        &mut |_, _| {},
    )
    .unwrap()
}

/// The state of a valid verification of `bundle`, written and read back as a file is.
fn state_of(bundle: &[u8]) -> VerifyState {
    let (report, state) = full(bundle, &trust());
    assert!(report.is_valid(), "{}", report.verdict_line());
    VerifyState::from_bytes(
        &state
            .expect("a valid verification leaves a state")
            .to_bytes(),
    )
    .unwrap()
}

/// The bundles of one meeting at each stage: genesis only, after setup, after some ballots,
/// after every ballot and the close, declared.
fn stages(dir: &std::path::Path) -> Vec<Vec<u8>> {
    let reg = registrar();
    let ledger = scrutin::Ledger::create(dir, convened(), &reg).unwrap();
    let mut out = vec![bundle_of(&ledger)];
    ledger.submit_batch(&reg, setup_events()).unwrap();
    out.push(bundle_of(&ledger));
    let ballots = ballots();
    for b in &ballots[..3] {
        ledger.submit(&reg, b.clone()).unwrap();
    }
    out.push(bundle_of(&ledger));
    for b in &ballots[3..] {
        ledger.submit(&reg, b.clone()).unwrap();
    }
    ledger.submit(&reg, close()).unwrap();
    out.push(bundle_of(&ledger));
    ledger.declare_result(&scrutineer()).unwrap();
    out.push(bundle_of(&ledger));
    out
}

/// The report without its `incremental` field: what a full verification prints.
fn as_full(report: &VerifyReport) -> String {
    let mut r = report.clone();
    r.incremental = None;
    r.to_json()
}

#[test]
fn incremental_verification_gives_the_full_report() {
    let dir = tempfile::tempdir().unwrap();
    let stages = stages(dir.path());
    for (i, earlier) in stages.iter().enumerate() {
        let state = state_of(earlier);
        for later in &stages[i..] {
            let (want, want_state) = full(later, &trust());
            let (got, got_state) = since(later, &trust(), &state);
            assert!(want.is_valid());
            assert_eq!(got.verdict, want.verdict);
            assert_eq!(got.checks, want.checks);
            assert_eq!(
                got.tally.as_ref().map(|t| t.to_json()),
                want.tally.as_ref().map(|t| t.to_json())
            );
            assert_eq!(got.announcement, want.announcement);
            assert_eq!(as_full(&got), want.to_json(), "stage {i}");
            let inc = got.incremental.expect("an incremental report says so");
            assert_eq!(inc.since_size, state.size());
            assert_eq!(inc.entries_checked, want.entries - state.size());
            let json: serde_json::Value = serde_json::from_str(&got.to_json()).unwrap();
            assert_eq!(json["incremental"]["since_size"], state.size());
            // The state left by the incremental run is the state a full run leaves.
            assert_eq!(
                got_state.unwrap().to_bytes(),
                want_state.unwrap().to_bytes(),
                "stage {i}"
            );
        }
    }
}

#[test]
fn incremental_verification_decodes_only_the_new_entries() {
    let dir = tempfile::tempdir().unwrap();
    let stages = stages(dir.path());
    let (first, last) = (&stages[1], &stages[stages.len() - 1]);
    let state = state_of(first);
    let (full_log, _) = full(last, &trust());
    assert!(state.size() > 0 && state.size() < full_log.entries);
    // The log's own verifier, shown every entry it decodes and checks: only the new ones.
    let (_, prefix) = {
        let mut seen = Vec::new();
        let report = verify_bundle_resuming(
            &first[..],
            &trust(),
            None,
            true,
            &mut |e| seen.push(e.index),
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(seen, (0..state.size()).collect::<Vec<_>>());
        (report.decoded, report.prefix.unwrap())
    };
    let mut seen = Vec::new();
    let report = verify_bundle_resuming(
        &last[..],
        &trust(),
        Some(&prefix),
        false,
        &mut |e| seen.push(e.index),
        &mut |_, _| {},
    )
    .unwrap();
    assert!(report.is_valid(), "{:?}", report.verdict);
    assert_eq!(seen, (state.size()..full_log.entries).collect::<Vec<_>>());
    assert_eq!(report.decoded, full_log.entries - state.size());
    assert_eq!(report.entries, full_log.entries);
    let (got, _) = since(last, &trust(), &state);
    assert_eq!(
        got.incremental.unwrap().entries_checked,
        full_log.entries - state.size()
    );
}

/// The same meeting, but the registrar registers H2 with one share more: a fork from entry 5.
fn forked_bundle(dir: &std::path::Path) -> Vec<u8> {
    let reg = registrar();
    let ledger = scrutin::Ledger::create(dir, convened(), &reg).unwrap();
    let mut setup = setup_events();
    if let Event::ShareRegistered { shares, .. } = &mut setup[4] {
        *shares = Shares(2_001);
    }
    assert!(matches!(
        &setup[4],
        Event::ShareRegistered { class, .. } if *class == ClassId::new("H").unwrap()
    ));
    ledger.submit_batch(&reg, setup).unwrap();
    for b in ballots() {
        ledger.submit(&reg, b).unwrap();
    }
    ledger.submit(&reg, close()).unwrap();
    ledger.declare_result(&scrutineer()).unwrap();
    bundle_of(&ledger)
}

#[track_caller]
fn assert_broken(report: &VerifyReport, check: &str, needle: &str) {
    match &report.verdict {
        Verdict::Broken {
            check: c, reason, ..
        } => {
            assert_eq!(c, check, "{reason}");
            assert!(reason.contains(needle), "{reason}");
        }
        Verdict::Valid => panic!("verified: {}", report.to_json()),
    }
    assert!(report.tally.is_none());
    assert!(report
        .checks
        .iter()
        .any(|c| c.name == check && c.status == CheckStatus::Failed));
}

#[test]
fn a_forked_or_rewritten_prefix_fails() {
    let dir = tempfile::tempdir().unwrap();
    let stages = stages(&dir.path().join("a"));
    let state = state_of(&stages[2]);
    // The registrar's fork is a valid bundle on its own, but not the log verified before.
    let fork = forked_bundle(&dir.path().join("b"));
    assert!(full(&fork, &trust()).0.is_valid());
    let (report, out) = since(&fork, &trust(), &state);
    assert_broken(&report, "chain", "a fork, or a rewritten entry");
    assert!(out.is_none(), "no state is left by a broken verification");
    // An outsider's change to one byte of an old entry (a ballot's figure).
    let last = stages.last().unwrap();
    let mut rewritten = last.clone();
    let at = last.len() / 2;
    rewritten[at] ^= 0x01;
    assert!(!full(&rewritten, &trust()).0.is_valid());
    let (report, _) = since(&rewritten, &trust(), &state);
    assert_broken(&report, "chain", "not the entries verified before");
}

#[test]
fn a_bundle_smaller_than_the_state_fails() {
    let dir = tempfile::tempdir().unwrap();
    let stages = stages(dir.path());
    let state = state_of(stages.last().unwrap());
    let (report, _) = since(&stages[1], &trust(), &state);
    assert_broken(&report, "chain", "a log never shrinks");
    // A file cut inside the entries verified before.
    let last = stages.last().unwrap();
    let (report, _) = since(&last[..last.len() / 2], &trust(), &state);
    assert_broken(&report, "format", "ends inside the");
}

#[test]
fn a_state_of_another_log_or_other_keys_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let stages = stages(&dir.path().join("a"));
    let state = state_of(&stages[1]);
    // Another meeting by the same registrar: another origin.
    let reg = registrar();
    let mut other = convened();
    other.id = "OTHER-AGM-2026".into();
    let ledger = scrutin::Ledger::create(&dir.path().join("b"), other, &reg).unwrap();
    ledger.submit_batch(&reg, setup_events()).unwrap();
    let other_bundle = bundle_of(&ledger);
    let (report, _) = since(&other_bundle, &trust(), &state);
    assert_broken(&report, "chain", "the entries verified before of");
    // Other trusted keys: the state cannot be used (the caller must verify in full).
    let more = vec![registrar().verifier(), witness().verifier()];
    let err = verify_bundle_since(
        &stages[3][..],
        &more,
        &Pin::default(),
        Some(&state),
        false,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(
        matches!(err, LedgerError::StateTrustMismatch { .. }),
        "{err}"
    );
    let stranger_only: Vec<NoteVerifier> = vec![Signer::verifier(&stranger())];
    assert!(verify_bundle_since(
        &stages[3][..],
        &stranger_only,
        &Pin::default(),
        Some(&state),
        false,
        &mut |_, _| {},
    )
    .is_err());
}

#[test]
fn an_altered_state_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let stages = stages(dir.path());
    let bytes = state_of(&stages[2]).to_bytes();
    // The meeting snapshot is the end of the file: a changed byte breaks its digest.
    let mut tampered = bytes.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    let err = VerifyState::from_bytes(&tampered).unwrap_err();
    assert!(matches!(err, LedgerError::BadVerifyState(_)), "{err}");
    assert!(err.to_string().contains("meeting-state digest"), "{err}");
    // Another version, a cut file, trailing bytes, a frontier that is not the checkpoint's.
    let mut version = bytes.clone();
    version[9] ^= 0x02;
    assert!(VerifyState::from_bytes(&version).is_err());
    assert!(VerifyState::from_bytes(&bytes[..bytes.len() / 2]).is_err());
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(VerifyState::from_bytes(&longer).is_err());
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let start = text.find("\"frontier\"").unwrap() + "\"frontier\": [\n    \"".len();
    let mut frontier = bytes.clone();
    frontier[start] = if frontier[start] == b'0' { b'1' } else { b'0' };
    let err = VerifyState::from_bytes(&frontier).unwrap_err();
    assert!(err.to_string().contains("frontier"), "{err}");
    assert!(VerifyState::from_bytes(&bytes).is_ok());
}

/// A bundle of raw entries (payloads `[i]`) recorded at `times`, checkpointed by the registrar;
/// `root_of` replaces the leaves the checkpoint's root is computed over.
fn raw_bundle(times: &[u64], root_leaves: Option<Vec<scrutin_log::Hash>>) -> Vec<u8> {
    use scrutin_log::{root_of, write_bundle, Checkpoint, Entry, Hash, SignedCheckpoint};
    let reg = registrar();
    let mut prev = Hash::ZERO;
    let mut entries = Vec::new();
    for (i, t) in times.iter().enumerate() {
        let e = Entry::sign(&reg, i as u64, prev, *t, vec![i as u8]);
        prev = e.hash();
        entries.push(e);
    }
    let leaves = root_leaves.unwrap_or_else(|| entries.iter().map(Entry::hash).collect());
    let cp = SignedCheckpoint::sign(
        Checkpoint {
            origin: "scrutin/RAW".into(),
            size: times.len() as u64,
            root: root_of(&leaves),
        },
        &reg,
    );
    let mut out = Vec::new();
    write_bundle(&cp, entries, &mut out).unwrap();
    out
}

fn log_verify(
    bundle: &[u8],
    since: Option<&scrutin_log::VerifiedPrefix>,
) -> scrutin_log::BundleReport {
    verify_bundle_resuming(bundle, &trust(), since, true, &mut |_| {}, &mut |_, _| {}).unwrap()
}

#[test]
fn the_chain_and_the_tree_continue_from_the_state() {
    let early = raw_bundle(&[10, 20, 30, 40], None);
    let report = log_verify(&early, None);
    assert!(report.is_valid(), "{:?}", report.verdict);
    let prefix = report.prefix.unwrap();
    assert_eq!(prefix.frontier.hashes().len(), 1);
    // Honest growth verifies; its recorded prefix is the one a full verification records.
    let grown = raw_bundle(&[10, 20, 30, 40, 40, 50, 60], None);
    let resumed = log_verify(&grown, Some(&prefix));
    assert!(resumed.is_valid(), "{:?}", resumed.verdict);
    assert_eq!(resumed.decoded, 3);
    assert_eq!(resumed.prefix, log_verify(&grown, None).prefix);
    // Entry 4 recorded before entry 3: the chain check continues from the state's time.
    let earlier = raw_bundle(&[10, 20, 30, 40, 35, 50], None);
    for since in [None, Some(&prefix)] {
        match log_verify(&earlier, since).verdict {
            Verdict::Broken {
                at_entry, check, ..
            } => assert_eq!((at_entry, check.as_str()), (Some(4), "chain")),
            Verdict::Valid => panic!("an entry earlier than its predecessor verified"),
        }
    }
    // A checkpoint over other leaves than the verified ones and the new entries: check 4.
    let mut leaves: Vec<scrutin_log::Hash> = Vec::new();
    for i in 0..7u8 {
        leaves.push(scrutin_log::leaf_hash(&[i]));
    }
    let other_root = raw_bundle(&[10, 20, 30, 40, 40, 50, 60], Some(leaves));
    match log_verify(&other_root, Some(&prefix)).verdict {
        Verdict::Broken { check, .. } => assert_eq!(check, "merkle root"),
        Verdict::Valid => panic!("a checkpoint of another tree verified"),
    }
}

//! The state cache (`DIR/meeting.state`): a reopen folds only the events after it, gives the
//! state a full replay gives, and ignores a cache that is not this log's or not intact.

mod common;

use std::path::Path;

use common::*;
use scrutin::state_cache;
use scrutin::Ledger;

/// Reopens `dir`; returns the ledger and the first event it replayed (the cache's size, or 0).
fn reopen(dir: &Path) -> (Ledger, u64) {
    let mut first = None;
    let ledger = Ledger::open_with_progress(dir, &mut |done, _| {
        first.get_or_insert(done);
    })
    .unwrap();
    (ledger, first.unwrap_or(0))
}

/// The tally JSON a reopen without any cache gives.
fn replayed(dir: &Path) -> String {
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.file_name().is_some_and(|n| n == state_cache::FILE_NAME) {
            continue;
        }
        copy_tree(&p, &copy.path().join(p.file_name().unwrap()));
    }
    let (ledger, from) = reopen(copy.path());
    assert_eq!(from, 0, "no cache: every event replayed");
    ledger.tally().to_json()
}

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let p = e.unwrap().path();
            copy_tree(&p, &to.join(p.file_name().unwrap()));
        }
    } else {
        std::fs::copy(from, to).unwrap();
    }
}

#[test]
fn a_reopen_folds_only_the_events_after_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registrar();
    let cached_at;
    {
        let ledger = Ledger::create(dir.path(), convened(), &reg).unwrap();
        ledger.submit_batch(&reg, setup_events()).unwrap();
        ledger.save_state().unwrap();
        cached_at = ledger.len();
        for b in ballots() {
            ledger.submit(&reg, b).unwrap();
        }
    }
    let (ledger, from) = reopen(dir.path());
    assert_eq!(from, cached_at, "the cache was read, the rest replayed");
    assert_eq!(ledger.tally().to_json(), replayed(dir.path()));
    // The reopened ledger goes on exactly as a replayed one would.
    ledger.submit(&reg, close()).unwrap();
    ledger.declare_result(&scrutineer()).unwrap();
    let json = ledger.tally().to_json();
    drop(ledger);
    assert_eq!(json, replayed(dir.path()));
    // Not due after a few events; due once it has grown by SAVE_AFTER.
    let (ledger, _) = reopen(dir.path());
    assert!(!ledger.save_state_if_due().unwrap());
}

#[test]
fn a_cache_of_another_log_or_damaged_is_ignored() {
    let reg = registrar();
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    {
        let ledger = whole_meeting(a.path());
        ledger.save_state().unwrap();
        // B: the same meeting but H1's first ballot split otherwise: the same size, another
        // root (only the root tells the two logs apart).
        let other = Ledger::create(b.path(), convened(), &reg).unwrap();
        other.submit_batch(&reg, setup_events()).unwrap();
        other
            .submit(&reg, vote(holder("H1"), "1", 500, 500, 0))
            .unwrap();
        for v in ballots().into_iter().skip(1) {
            other.submit(&reg, v).unwrap();
        }
        other.submit(&reg, close()).unwrap();
        other.declare_result(&scrutineer()).unwrap();
        assert_eq!(other.len(), ledger.len());
    }
    let cache = std::fs::read(state_cache::path(a.path())).unwrap();
    // Another log's cache: its root is not B's.
    std::fs::write(state_cache::path(b.path()), &cache).unwrap();
    let (ledger, from) = reopen(b.path());
    assert_eq!(from, 0, "another log's cache is not used");
    assert_eq!(ledger.tally().to_json(), replayed(b.path()));
    drop(ledger);
    // A's own cache, damaged anywhere (header, root, digest, snapshot) or cut short.
    let (ledger, from) = reopen(a.path());
    assert!(from > 0, "A's intact cache is used");
    let want = ledger.tally().to_json();
    drop(ledger);
    for at in [0, 17, 30, 60, 100, cache.len() / 2, cache.len() - 1] {
        let mut bad = cache.clone();
        bad[at] ^= 0x40;
        std::fs::write(state_cache::path(a.path()), &bad).unwrap();
        let (ledger, from) = reopen(a.path());
        assert_eq!(from, 0, "a cache damaged at byte {at} is not used");
        assert_eq!(ledger.tally().to_json(), want);
    }
    for cut in [0, 10, 88, cache.len() - 1] {
        std::fs::write(state_cache::path(a.path()), &cache[..cut]).unwrap();
        let (ledger, from) = reopen(a.path());
        assert_eq!(from, 0, "a cache cut at {cut} is not used");
        assert_eq!(ledger.tally().to_json(), want);
    }
}

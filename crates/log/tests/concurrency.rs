//! Several threads appending to one `Log`: one chain, no gaps, no forks; readers see
//! consistent prefixes meanwhile.

mod common;

use common::*;
use scrutin_log::{verify_bundle, Hash, Log, Verdict};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

#[test]
fn concurrent_appends_form_one_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let log = Log::create(tmp.path(), ORIGIN).unwrap();
    let threads = 4u8;
    let per_thread = 40u32;
    let done = AtomicBool::new(false);
    let mut observed: Vec<(u64, Hash)> = Vec::new();
    std::thread::scope(|s| {
        let mut writers = Vec::new();
        for t in 0..threads {
            let log = &log;
            writers.push(s.spawn(move || {
                let me = signer(&format!("example.com/submitter-{t}"), 10 + t);
                let mut k = 0u32;
                while k < per_thread {
                    if k.is_multiple_of(4) {
                        let batch: Vec<Vec<u8>> = (k..k + 3)
                            .map(|j| format!("{t}:{j}").into_bytes())
                            .collect();
                        log.append_batch(&me, batch).unwrap();
                        k += 3;
                    } else {
                        log.append(&me, format!("{t}:{k}").into_bytes()).unwrap();
                        k += 1;
                    }
                }
            }));
        }
        // A reader: roots of the sizes it sees must never change later.
        let log = &log;
        let done = &done;
        let observed = &mut observed;
        let reader = s.spawn(move || {
            while !done.load(Ordering::Relaxed) {
                let n = log.len();
                observed.push((n, log.root(n).unwrap()));
                if n > 0 {
                    let p = log.prove_inclusion(n - 1, n).unwrap();
                    let leaf = log.entry(n - 1).unwrap().hash();
                    scrutin_log::verify_inclusion(&leaf, n - 1, n, &p, &log.root(n).unwrap())
                        .unwrap();
                }
                std::thread::yield_now();
            }
        });
        let results: Vec<_> = writers.into_iter().map(|w| w.join()).collect();
        done.store(true, Ordering::Relaxed);
        reader.join().unwrap();
        for r in results {
            r.unwrap();
        }
    });
    let total = log.len();
    let mut per: HashMap<u8, Vec<u32>> = HashMap::new();
    let mut prev = Hash::ZERO;
    for (i, e) in log.entries(0..total).enumerate() {
        let e = e.unwrap();
        assert_eq!(e.index, i as u64, "gap or duplicate index");
        assert_eq!(e.prev, prev, "fork at {i}");
        e.verify_signature().unwrap();
        prev = e.hash();
        let s = String::from_utf8(e.payload.clone()).unwrap();
        let (t, k) = s.split_once(':').unwrap();
        per.entry(t.parse().unwrap())
            .or_default()
            .push(k.parse().unwrap());
    }
    assert_eq!(log.head(), Some(prev));
    assert_eq!(per.len(), usize::from(threads));
    for (t, ks) in &per {
        // Each thread's entries appear once each, in the order it appended them.
        let want: Vec<u32> = (0..ks.len() as u32).collect();
        assert_eq!(ks, &want, "thread {t}");
        assert_eq!(ks.len() as u32, per_thread);
    }
    assert_eq!(total, u64::from(threads) * u64::from(per_thread));
    assert!(observed.len() > 1);
    for (n, root) in observed {
        assert_eq!(log.root(n).unwrap(), root, "root of size {n} changed");
    }
    let cp = log.checkpoint(&registrar()).unwrap();
    let mut b = Vec::new();
    log.export(&cp, &mut b).unwrap();
    let r = verify_bundle(&b[..], &[registrar().verifier()]).unwrap();
    assert_eq!(r.verdict, Verdict::Valid);
    assert_eq!((r.entries, r.root), (total, Some(cp.checkpoint.root)));
}

#[test]
fn log_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Log>();
    assert_send_sync::<scrutin_log::Signer>();
    assert_send_sync::<scrutin_log::Witness>();
}

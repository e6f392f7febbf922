//! The append pipeline: entries are chained in order on one thread, signed on every core,
//! and written in order by the caller, all at once, so that the durable write of one job
//! overlaps the signing of the next.
//!
//! The chain (each entry's `prev` is the leaf hash of the one before) is the only serial
//! part, so it does as little as it can: one SHA-256 per entry, over the body's fixed head
//! and the payload, without building the body. The signing threads hash each payload for the
//! signed message (which does not depend on the chain) and sign; the writer encodes each
//! entry once, straight into its storage page. Memory is bounded by the input chunk being
//! chained and a few jobs in flight.

use crate::codec::{self, MAX_PAYLOAD_BYTES};
use crate::error::LogError;
use crate::hash::Hash;
use crate::keys::Signer;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Mutex;

/// Entries chained, then signed, as one unit of work.
pub(crate) struct Job {
    /// Position of the job in the batch (the writer restores this order).
    pub(crate) seq: usize,
    /// Index of the job's first entry.
    pub(crate) start: u64,
    /// Hash of the entry before `start` (the first entry's `prev`).
    pub(crate) prev: Hash,
    pub(crate) payloads: Vec<Vec<u8>>,
    /// Leaf hash of each entry.
    pub(crate) leaves: Vec<Hash>,
    /// Signature of each entry, once signed (empty until then).
    pub(crate) sigs: Vec<[u8; 64]>,
}

impl Job {
    /// One past the last entry's index.
    pub(crate) fn end(&self) -> u64 {
        self.start + self.leaves.len() as u64
    }

    /// The `prev` of the job's `k`-th entry.
    pub(crate) fn prev_of(&self, k: usize) -> Hash {
        match k.checked_sub(1) {
            None => self.prev,
            Some(j) => self.leaves[j],
        }
    }

    /// The last entry's hash (`prev` when the job is empty).
    pub(crate) fn last_leaf(&self) -> Hash {
        self.leaves.last().copied().unwrap_or(self.prev)
    }
}

/// Chains `payloads` as entries `start..` after the entry whose hash is `prev`: checks their
/// sizes and computes their leaf hashes (nothing else runs in order).
///
/// # Errors
/// [`LogError::PayloadTooLarge`]; [`LogError::InvalidRange`] when the indices overflow.
pub(crate) fn chain(
    seq: usize,
    start: u64,
    prev: Hash,
    time: u64,
    author: &[u8; 32],
    payloads: Vec<Vec<u8>>,
) -> Result<Job, LogError> {
    if let Some(p) = payloads.iter().find(|p| p.len() > MAX_PAYLOAD_BYTES) {
        return Err(LogError::PayloadTooLarge {
            len: p.len(),
            limit: MAX_PAYLOAD_BYTES,
        });
    }
    let end = start
        .checked_add(payloads.len() as u64)
        .ok_or_else(|| LogError::InvalidRange("log is full".into()))?;
    let mut leaves = Vec::with_capacity(payloads.len());
    let mut last = prev;
    for (i, p) in (start..end).zip(&payloads) {
        // RFC 6962 leaf hash: SHA-256(0x00 || body), body = head || payload.
        let mut h = Sha256::new();
        h.update([0x00]);
        h.update(codec::body_head(i, &last, time, author, p.len()));
        h.update(p);
        last = Hash(h.finalize().into());
        leaves.push(last);
    }
    Ok(Job {
        seq,
        start,
        prev,
        payloads,
        leaves,
        sigs: Vec::new(),
    })
}

/// Signs every entry of `job` (on the calling thread).
pub(crate) fn sign(job: &mut Job, signer: &Signer, time: u64, author: &[u8; 32]) {
    let mut sigs = Vec::with_capacity(job.payloads.len());
    for (k, p) in job.payloads.iter().enumerate() {
        let msg = codec::entry_signed_message(
            job.start + k as u64,
            &job.prev_of(k),
            time,
            author,
            &Hash::digest(p),
        );
        sigs.push(signer.sign(&msg));
    }
    job.sigs = sigs;
}

/// Threads that sign: every core (at most 8).
pub(crate) fn signing_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
}

/// Signs `job` on every core, splitting it (for a job appended outside [`run`]).
pub(crate) fn sign_parallel(job: &mut Job, signer: &Signer, time: u64, author: &[u8; 32]) {
    let n = job.payloads.len();
    let threads = signing_threads();
    if threads < 2 || n < 32 {
        return sign(job, signer, time, author);
    }
    let per = n.div_ceil(threads);
    let job_ref = &*job;
    let sigs = std::thread::scope(|s| {
        let parts: Vec<_> = (0..n)
            .step_by(per)
            .map(|lo| {
                let hi = (lo + per).min(n);
                s.spawn(move || {
                    (lo..hi)
                        .map(|k| {
                            signer.sign(&codec::entry_signed_message(
                                job_ref.start + k as u64,
                                &job_ref.prev_of(k),
                                time,
                                author,
                                &Hash::digest(&job_ref.payloads[k]),
                            ))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(n);
        for (lo, h) in (0..n).step_by(per).zip(parts) {
            match h.join() {
                Ok(v) => out.extend(v),
                // A panicking signer thread cannot happen short of a bug; redo its share.
                Err(_) => out.extend((lo..(lo + per).min(n)).map(|k| {
                    signer.sign(&codec::entry_signed_message(
                        job_ref.start + k as u64,
                        &job_ref.prev_of(k),
                        time,
                        author,
                        &Hash::digest(&job_ref.payloads[k]),
                    ))
                })),
            }
        }
        out
    });
    job.sigs = sigs;
}

/// Where a batch starts: the next index, the last entry's hash, the recorded time.
#[derive(Clone, Copy)]
pub(crate) struct Start {
    pub(crate) index: u64,
    pub(crate) head: Hash,
    pub(crate) time: u64,
}

/// Runs the pipeline over `chunks` (split into jobs of at most `job_len` entries): one
/// thread chains, [`signing_threads`] threads sign, and `write` gets every signed job in
/// order on the calling thread. Stops at the first error (of the chunks, of the chain or of
/// `write`) and returns it; whatever `write` stored before is the caller's to discard.
///
/// # Errors
/// The chunks' errors, [`chain`]'s and `write`'s.
pub(crate) fn run<I, E, W>(
    signer: &Signer,
    at: Start,
    job_len: usize,
    chunks: I,
    mut write: W,
) -> Result<(), E>
where
    I: Iterator<Item = Result<Vec<Vec<u8>>, E>> + Send,
    E: From<LogError> + Send,
    W: FnMut(Job) -> Result<(), LogError>,
{
    let job_len = job_len.max(1);
    let threads = signing_threads();
    let author = *signer.public_key().as_bytes();
    let stop = AtomicBool::new(false);
    let (job_tx, job_rx) = sync_channel::<Job>(threads);
    let job_rx: Mutex<Receiver<Job>> = Mutex::new(job_rx);
    // Credits bound the jobs between the chainer and the writer, whatever the scheduling: a
    // job is chained only with a credit, and a credit comes back when a job is written. (The
    // channels alone did not bound it: while one signer is descheduled holding the next job
    // to write, the others kept signing later jobs into the writer's reorder buffer.)
    let window = threads * 2 + 2;
    let (credit_tx, credit_rx) = sync_channel::<()>(window);
    for _ in 0..window {
        let _ = credit_tx.send(());
    }
    let mut credit_tx = Some(credit_tx);
    std::thread::scope(|s| {
        let (done_tx, done_rx) = sync_channel::<Job>(threads * 2);
        let stop = &stop;
        let chainer = s.spawn(move || -> Result<usize, E> {
            let mut seq = 0usize;
            let mut next = at.index;
            let mut prev = at.head;
            for chunk in chunks {
                let mut payloads = chunk?;
                while !payloads.is_empty() {
                    if stop.load(Ordering::Relaxed) || credit_rx.recv().is_err() {
                        return Ok(seq);
                    }
                    let rest = if payloads.len() > job_len {
                        payloads.split_off(job_len)
                    } else {
                        Vec::new()
                    };
                    let job = chain(seq, next, prev, at.time, &author, payloads)?;
                    next = job.end();
                    prev = job.last_leaf();
                    seq += 1;
                    if job_tx.send(job).is_err() {
                        return Ok(seq);
                    }
                    payloads = rest;
                }
            }
            Ok(seq)
        });
        let signers: Vec<_> = (0..threads)
            .map(|_| {
                let done_tx = done_tx.clone();
                let job_rx = &job_rx;
                s.spawn(move || loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(p) => p.into_inner().recv(),
                    };
                    let Ok(mut job) = job else { return };
                    if !stop.load(Ordering::Relaxed) {
                        sign(&mut job, signer, at.time, &author);
                    }
                    if done_tx.send(job).is_err() {
                        return;
                    }
                })
            })
            .collect();
        drop(done_tx);
        // The writer: jobs come back in any order; write them in sequence.
        let mut waiting: BTreeMap<usize, Job> = BTreeMap::new();
        let mut next_seq = 0usize;
        let mut failed: Option<LogError> = None;
        for job in done_rx.iter() {
            if failed.is_some() {
                continue; // draining until every thread has stopped
            }
            waiting.insert(job.seq, job);
            while let Some(job) = waiting.remove(&next_seq) {
                next_seq += 1;
                if let Err(e) = write(job) {
                    stop.store(true, Ordering::Relaxed);
                    failed = Some(e);
                    waiting.clear();
                    // The chainer may wait for a credit: with none to come, it stops.
                    credit_tx = None;
                    break;
                }
                if let Some(tx) = &credit_tx {
                    let _ = tx.send(());
                }
            }
        }
        let lost_signer = signers.into_iter().any(|h| h.join().is_err());
        let chained = chainer.join().unwrap_or_else(|_| {
            Err(E::from(LogError::Storage(
                "the chaining thread panicked".into(),
            )))
        });
        if let Some(e) = failed {
            return Err(E::from(e));
        }
        let jobs = chained?;
        if lost_signer || next_seq != jobs {
            return Err(E::from(LogError::Storage(
                "a signing thread panicked".into(),
            )));
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn signer() -> Signer {
        Signer::from_seed("example.com/registrar", [7; 32]).unwrap()
    }

    fn chunk(c: usize, n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| format!("chunk {c} entry {i}").into_bytes())
            .collect()
    }

    const AT: Start = Start {
        index: 5,
        head: Hash([9; 32]),
        time: 1_700_000_000_000,
    };

    #[test]
    fn jobs_come_out_in_order_chained_and_signed_as_one_thread_would() {
        let s = signer();
        let author = *s.public_key().as_bytes();
        let chunks: Vec<Vec<Vec<u8>>> = (0..7).map(|c| chunk(c, 1 + c * 13)).collect();
        let all: Vec<Vec<u8>> = chunks.iter().flatten().cloned().collect();
        let mut expected = chain(0, AT.index, AT.head, AT.time, &author, all).unwrap();
        sign(&mut expected, &s, AT.time, &author);
        let mut got = Vec::new();
        run(
            &s,
            AT,
            10,
            chunks.into_iter().map(Ok::<_, LogError>),
            |job| {
                got.push(job);
                Ok(())
            },
        )
        .unwrap();
        assert!(got.iter().enumerate().all(|(k, j)| j.seq == k));
        assert!(got.iter().all(|j| j.leaves.len() <= 10));
        let leaves: Vec<Hash> = got.iter().flat_map(|j| j.leaves.clone()).collect();
        let sigs: Vec<[u8; 64]> = got.iter().flat_map(|j| j.sigs.clone()).collect();
        assert_eq!(leaves, expected.leaves);
        assert_eq!(sigs, expected.sigs);
        // Each entry's leaf is the hash of the body the store writes.
        let mut prev = AT.head;
        for (k, p) in expected.payloads.iter().enumerate() {
            let mut body = Vec::new();
            codec::encode_body_into(AT.index + k as u64, &prev, AT.time, &author, p, &mut body);
            assert_eq!(crate::hash::leaf_hash(&body), expected.leaves[k]);
            prev = expected.leaves[k];
        }
    }

    #[test]
    fn chunks_are_pulled_only_a_few_jobs_ahead_of_the_writer() {
        // Memory is bounded by a chunk and the jobs in flight, not by the input: when job j
        // is written, few chunks beyond it have been taken from the source.
        let s = signer();
        let pulled = AtomicUsize::new(0);
        let total = 200;
        let chunks = (0..total).map(|c| {
            pulled.fetch_add(1, Ordering::SeqCst);
            Ok::<_, LogError>(chunk(c, 3))
        });
        // The credit window (2 x threads + 2), plus the chunk the chainer holds.
        let bound = 2 * signing_threads() + 3;
        let mut written = 0usize;
        let mut worst = 0usize;
        run(&s, AT, 3, chunks, |_| {
            let ahead = pulled.load(Ordering::SeqCst) - written;
            worst = worst.max(ahead);
            written += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(written, total);
        assert!(worst <= bound, "{worst} chunks taken ahead of the writer");
    }

    #[test]
    fn a_failing_write_or_source_stops_everything_and_is_returned() {
        let s = signer();
        let mut writes = 0;
        let r = run(
            &s,
            AT,
            4,
            (0..100).map(|c| Ok::<_, LogError>(chunk(c, 4))),
            |_| {
                writes += 1;
                if writes == 3 {
                    Err(LogError::Storage("disk full".into()))
                } else {
                    Ok(())
                }
            },
        );
        assert!(matches!(r, Err(LogError::Storage(m)) if m == "disk full"));
        assert_eq!(writes, 3);
        let source = (0..100).map(|c| {
            if c == 5 {
                Err(LogError::Usage("row refused".into()))
            } else {
                Ok(chunk(c, 4))
            }
        });
        let mut written = 0;
        let r = run(&s, AT, 4, source, |_| {
            written += 1;
            Ok(())
        });
        assert!(matches!(r, Err(LogError::Usage(m)) if m == "row refused"));
        assert_eq!(written, 5);
        let too_big = std::iter::once(Ok::<_, LogError>(vec![vec![0; MAX_PAYLOAD_BYTES + 1]]));
        let r = run(&s, AT, 4, too_big, |_| Ok(()));
        assert!(matches!(r, Err(LogError::PayloadTooLarge { .. })));
    }
}

//! Reading the log's events in order, decoding on several cores.
//!
//! Decoding an entry (its canonical bytes, the author key's validity, the event payload)
//! costs far more than folding it into the meeting, so workers decode chunks in parallel and
//! the caller folds them strictly in log order.

use std::ops::Range;
use std::sync::mpsc::sync_channel;

use scrutin_log::Log;
use scrutin_model::{decode_event, AuthorKey, Event, UtcMillis};

use crate::LedgerError;

/// Entries per decoded chunk.
const CHUNK: u64 = 8_192;

/// (index, author, recorded time, event) of each entry.
type Decoded = Vec<(u64, AuthorKey, UtcMillis, Event)>;

fn decode_chunk(log: &Log, range: Range<u64>) -> Result<Decoded, LedgerError> {
    let mut out = Vec::with_capacity(usize::try_from(range.end - range.start).unwrap_or(0));
    for entry in log.entries(range) {
        let entry = entry?;
        let event = decode_event(&entry.payload).map_err(|e| {
            LedgerError::Malformed(format!(
                "entry {}: payload is not an event: {e}",
                entry.index
            ))
        })?;
        out.push((
            entry.index,
            AuthorKey(*entry.author.as_bytes()),
            UtcMillis(entry.recorded_at_ms),
            event,
        ));
    }
    Ok(out)
}

/// Calls `f(index, author, recorded_at, event)` for every entry in `range`, in order.
pub(crate) fn for_each_event(
    log: &Log,
    range: Range<u64>,
    f: impl FnMut(u64, AuthorKey, UtcMillis, Event) -> Result<(), LedgerError>,
) -> Result<(), LedgerError> {
    for_each_event_in_chunks(log, range, CHUNK, f)
}

fn for_each_event_in_chunks(
    log: &Log,
    range: Range<u64>,
    chunk: u64,
    mut f: impl FnMut(u64, AuthorKey, UtcMillis, Event) -> Result<(), LedgerError>,
) -> Result<(), LedgerError> {
    let chunk = chunk.max(1);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let chunks: Vec<Range<u64>> = (range.start..range.end)
        .step_by(usize::try_from(chunk).unwrap_or(usize::MAX))
        .map(|s| s..(s + chunk).min(range.end))
        .collect();
    if workers == 1 || chunks.len() <= 1 {
        for c in chunks {
            for (i, a, t, e) in decode_chunk(log, c)? {
                f(i, a, t, e)?;
            }
        }
        return Ok(());
    }
    std::thread::scope(|s| {
        let mut receivers = Vec::with_capacity(workers);
        for w in 0..workers {
            // Two chunks in flight per worker bound the memory held ahead of the fold.
            let (tx, rx) = sync_channel::<Result<Decoded, LedgerError>>(2);
            receivers.push(rx);
            let mine: Vec<Range<u64>> = chunks.iter().skip(w).step_by(workers).cloned().collect();
            s.spawn(move || {
                for c in mine {
                    let r = decode_chunk(log, c);
                    let failed = r.is_err();
                    // A send fails only when the fold stopped early: nothing left to do.
                    if tx.send(r).is_err() || failed {
                        break;
                    }
                }
            });
        }
        for k in 0..chunks.len() {
            let batch = receivers[k % workers]
                .recv()
                .map_err(|_| LedgerError::Malformed("a decoding worker stopped".into()))??;
            for (i, a, t, e) in batch {
                f(i, a, t, e)?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::for_each_event_in_chunks;
    use crate::LedgerError;
    use scrutin_log::{Log, Signer};
    use scrutin_model::{encode_event, Event, ResolutionId};

    #[test]
    fn chunks_decoded_in_parallel_are_folded_in_log_order() {
        let dir = tempfile::tempdir().unwrap();
        let log = Log::create(dir.path(), "scrutin/T").unwrap();
        let signer = Signer::from_seed("t", [5; 32]).unwrap();
        let payloads = (0..100)
            .map(|i| {
                let resolution = Some(ResolutionId::new(format!("{i}")).unwrap());
                encode_event(&Event::PollOpened { resolution }).unwrap()
            })
            .collect();
        log.append_batch(&signer, payloads).unwrap();
        for chunk in [1, 7, 100, 1000] {
            let mut seen = Vec::new();
            for_each_event_in_chunks(&log, 3..97, chunk, |i, _, _, e| {
                let Event::PollOpened {
                    resolution: Some(r),
                } = e
                else {
                    panic!("unexpected event {e:?}")
                };
                assert_eq!(r.as_str(), i.to_string());
                seen.push(i);
                Ok(())
            })
            .unwrap();
            assert_eq!(seen, (3..97).collect::<Vec<_>>(), "chunk {chunk}");
        }
        // An error from the fold stops the scan and is returned.
        let mut calls = 0;
        let err = for_each_event_in_chunks(&log, 0..100, 7, |i, _, _, _| {
            calls += 1;
            if i == 20 {
                return Err(LedgerError::NotFound("stop".into()));
            }
            Ok(())
        })
        .unwrap_err();
        assert_eq!(err, LedgerError::NotFound("stop".into()));
        assert_eq!(calls, 21);
    }
}

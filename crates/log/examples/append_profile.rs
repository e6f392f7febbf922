//! A load for profilers (`perf record`), not a benchmark: durable appends in a loop.
//!
//! `cargo run --profile bench -p scrutin-log --example append_profile -- batch 50` runs 50
//! `append_batch(1000)`; `... -- chunks 8` one `append_chunks_at` of 8 chunks of 8,192;
//! `... -- sign 50` signs as many messages of an entry's signed-message length (143 bytes) as
//! `batch 50` appends, on two threads: compare the CPU time of each with `perf stat`.

use scrutin_log::{Log, LogError, Signer};

fn payloads(n: usize, salt: u64) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let mut p = vec![0u8; 200];
            p[..8].copy_from_slice(&(i as u64 ^ salt).to_be_bytes());
            p
        })
        .collect()
}

fn main() -> Result<(), LogError> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("batch", String::as_str);
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let dir = std::env::temp_dir().join(format!("scrutin-append-profile-{}", std::process::id()));
    let log = Log::create(&dir, "profile.example/log")?;
    let s = Signer::from_seed("profile.example/registrar", [42; 32])?;
    let t = std::time::Instant::now();
    let entries = if mode == "sign" {
        let key = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
        let msgs: Vec<[u8; 143]> = (0..n * 1000).map(|i| [i as u8; 143]).collect();
        std::thread::scope(|sc| {
            for half in msgs.chunks(msgs.len().div_ceil(2)) {
                let key = &key;
                sc.spawn(move || {
                    for m in half {
                        std::hint::black_box(ed25519_dalek::Signer::sign(key, m));
                    }
                });
            }
        });
        n * 1000
    } else if mode == "chunks" {
        let chunks = (0..n).map(|c| Ok::<_, LogError>(payloads(8192, c)));
        let r = log.append_chunks_at(&s, chunks, log.next_time())?;
        r.end - r.start
    } else {
        for b in 0..n {
            log.append_batch(&s, payloads(1000, b))?;
        }
        n * 1000
    };
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{mode}: {entries} entries in {secs:.2} s = {:.0}/s",
        entries as f64 / secs
    );
    drop(log);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

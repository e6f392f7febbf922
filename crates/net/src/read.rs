//! Reading a tlog-tiles log (a URL or a directory): verifying a meeting from its tiles with the
//! bundle verifier's checks, and consistency proofs between two checkpoints built from tiles.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use scrutin::log::{
    bundle_header, leaf_hash, root_of, verify_consistency, Checkpoint, CheckpointVerdict, Hash,
    NoteVerifier, Pin, SignedCheckpoint,
};
use scrutin::{verify_bundle_pinned, CheckStatus, Verdict, VerifyReport};

use crate::client::{excerpt, Client};
use crate::error::{io_at, malformed, NetError};
use crate::tiles::{Kind, Tile, TILE_WIDTH};

/// Largest checkpoint note read.
const MAX_CHECKPOINT: u64 = 64 * 1024;
/// Largest entry bundle read: 256 entries of at most 65535 bytes and their prefixes.
const MAX_BUNDLE: u64 = TILE_WIDTH * (2 + 65535);

/// Where tiles come from.
pub trait TileSource {
    /// The resource at `path` under the log's prefix: `Ok(None)` if it does not exist.
    ///
    /// # Errors
    /// Transport and I/O errors, or a response larger than `limit`.
    fn fetch(&self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, NetError>;
}

/// A log's prefix as a directory (an `export --tiles` output).
#[derive(Debug, Clone)]
pub struct DirSource(pub PathBuf);

impl TileSource for DirSource {
    fn fetch(&self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, NetError> {
        let p = self.0.join(path);
        match std::fs::File::open(&p) {
            Ok(f) => {
                let mut b = Vec::new();
                f.take(limit + 1)
                    .read_to_end(&mut b)
                    .map_err(|e| io_at(&p, e))?;
                if b.len() as u64 > limit {
                    return Err(NetError::TooLarge {
                        url: p.display().to_string(),
                        limit,
                    });
                }
                Ok(Some(b))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_at(&p, e)),
        }
    }
}

/// A log's prefix as an http(s) URL.
#[derive(Debug, Clone)]
pub struct HttpSource {
    /// The prefix, without a trailing slash.
    pub prefix: String,
    /// The client (timeouts, no redirects).
    pub client: Client,
}

impl TileSource for HttpSource {
    fn fetch(&self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, NetError> {
        let url = format!("{}/{path}", self.prefix.trim_end_matches('/'));
        let r = self.client.get(&url, limit)?;
        match r.status {
            200 => Ok(Some(r.body)),
            404 | 410 => Ok(None),
            status => Err(NetError::Status {
                url,
                status,
                body: excerpt(&r.body),
            }),
        }
    }
}

/// The source for a command-line argument: an http(s) URL, else a directory.
pub fn source_for(arg: &str, client: &Client) -> Box<dyn TileSource> {
    if arg.starts_with("http://") || arg.starts_with("https://") {
        Box::new(HttpSource {
            prefix: arg.trim_end_matches('/').to_owned(),
            client: client.clone(),
        })
    } else {
        Box::new(DirSource(PathBuf::from(arg)))
    }
}

/// Fetches and parses the log's `checkpoint`.
///
/// # Errors
/// [`NetError::Malformed`] if it is missing or not a checkpoint note; transport errors.
pub fn read_checkpoint(src: &dyn TileSource) -> Result<SignedCheckpoint, NetError> {
    let bytes = src
        .fetch("checkpoint", MAX_CHECKPOINT)?
        .ok_or_else(|| malformed("checkpoint", "not found"))?;
    let text = String::from_utf8(bytes).map_err(|_| malformed("checkpoint", "not UTF-8"))?;
    SignedCheckpoint::parse_note(&text).map_err(|e| malformed("checkpoint", e.to_string()))
}

/// A problem with the tiles themselves, found while streaming.
#[derive(Debug, Clone)]
struct Problem {
    check: &'static str,
    reason: String,
}

/// The entries of a tiled log as a bundle byte stream (header, then length-prefixed canonical
/// entries), for [`scrutin::verify_bundle`]; while streaming it recomputes every hash tile
/// from the entries and compares it with the log's.
struct TileStream<'a> {
    src: &'a dyn TileSource,
    size: u64,
    next: u64,
    buf: Vec<u8>,
    pos: usize,
    /// Hashes of the current tile at each level, and the tiles completed per level.
    levels: Vec<Vec<Hash>>,
    done: Vec<u64>,
    finished: bool,
    problem: Option<Problem>,
}

impl<'a> TileStream<'a> {
    /// Records the first problem with the tiles; streaming goes on.
    fn fail(&mut self, check: &'static str, reason: String) {
        if self.problem.is_none() {
            self.problem = Some(Problem { check, reason });
        }
    }

    fn fetch(&mut self, t: Tile, limit: u64) -> Option<Vec<u8>> {
        match self.src.fetch(&t.path(), limit) {
            Ok(Some(b)) => Some(b),
            Ok(None) => {
                self.fail("format", format!("{} is missing", t.path()));
                None
            }
            Err(e) => {
                self.fail("format", format!("{}: {e}", t.path()));
                None
            }
        }
    }

    /// Compares the level's accumulated hashes with the tile of that width; carries a full
    /// tile's root up a level.
    fn check_tile(&mut self, level: usize) {
        let hashes = std::mem::take(&mut self.levels[level]);
        let t = Tile {
            kind: Kind::Hashes(level as u8),
            index: self.done[level],
            width: hashes.len() as u64,
        };
        let Some(bytes) = self.fetch(t, TILE_WIDTH * 32) else {
            return;
        };
        let ours: Vec<u8> = hashes.iter().flat_map(|h| h.0).collect();
        if bytes != ours {
            let at = bytes
                .chunks(32)
                .zip(ours.chunks(32))
                .position(|(a, b)| a != b)
                .unwrap_or(hashes.len());
            self.fail(
                "merkle root",
                format!("{} differs from the entries at hash {at}", t.path()),
            );
            return;
        }
        if t.width == TILE_WIDTH {
            self.done[level] += 1;
            self.push(level + 1, root_of(&hashes));
        }
    }

    fn push(&mut self, level: usize, h: Hash) {
        if self.levels.len() <= level {
            self.levels.push(Vec::new());
            self.done.push(0);
        }
        self.levels[level].push(h);
        if self.levels[level].len() as u64 == TILE_WIDTH {
            self.check_tile(level);
        }
    }

    /// The partial tiles at the end of the tree.
    fn finish_tiles(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        let mut level = 0;
        while level < self.levels.len() {
            if !self.levels[level].is_empty() {
                self.check_tile(level);
            }
            level += 1;
        }
    }

    /// Loads the next entry bundle into `buf`.
    fn fill(&mut self) {
        if self.next >= self.size {
            self.finish_tiles();
            return;
        }
        let index = self.next / TILE_WIDTH;
        let width = (self.size - self.next).min(TILE_WIDTH);
        let entries = Tile {
            kind: Kind::Entries,
            index,
            width,
        };
        let sigs = Tile {
            kind: Kind::Signatures,
            index,
            width,
        };
        let (Some(bundle), Some(sig)) = (
            self.fetch(entries, MAX_BUNDLE),
            self.fetch(sigs, TILE_WIDTH * 64),
        ) else {
            // Without the entries the stream ends here: the verifier reports it truncated.
            self.next = self.size;
            self.finished = true;
            return;
        };
        self.buf.clear();
        self.pos = 0;
        let mut rest = &bundle[..];
        let mut n = 0u64;
        while !rest.is_empty() && n < width {
            let Some((len, r)) = rest.split_first_chunk::<2>() else {
                break;
            };
            let len = usize::from(u16::from_be_bytes(*len));
            let Some((leaf, r)) = (r.len() >= len).then(|| r.split_at(len)) else {
                break;
            };
            let Some(s) = sig.get(n as usize * 64..(n as usize + 1) * 64) else {
                break;
            };
            self.buf
                .extend_from_slice(&((len + 64) as u32).to_be_bytes());
            self.buf.extend_from_slice(leaf);
            self.buf.extend_from_slice(s);
            let h = leaf_hash(leaf);
            self.push(0, h);
            rest = r;
            n += 1;
        }
        if n < width || !rest.is_empty() || sig.len() as u64 != width * 64 {
            // What parsed is streamed; the verifier reports the bundle as truncated.
            let path = entries.path();
            self.fail(
                "format",
                format!("{path}: {n} whole entries of {width} (or trailing bytes / signatures of the wrong length)"),
            );
        }
        self.next += width;
        if n < width {
            self.next = self.size;
            self.finished = true;
        }
    }
}

impl Read for TileStream<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.buf.len() {
            if self.finished {
                return Ok(0);
            }
            self.fill();
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Verifies a meeting from its tiles: the checkpoint, the entry bundles with their signatures
/// (streamed through [`scrutin::verify_bundle_pinned`] as the bundle they make, so the checks,
/// verdicts and digest are a bundle's), and every hash tile recomputed from the entries. A
/// tile that differs, or a missing resource, makes the report [`Verdict::Broken`] (at
/// "merkle root" or "format") if nothing failed earlier.
///
/// # Errors
/// [`NetError::Malformed`] if the checkpoint is missing or unreadable; transport errors
/// fetching it; [`NetError::Ledger`] if verification could not run.
pub fn verify_tiles(
    src: &dyn TileSource,
    trust: &[NoteVerifier],
    pin: &Pin,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<VerifyReport, NetError> {
    let cp = read_checkpoint(src)?;
    let header = bundle_header(&cp)?;
    let mut stream = TileStream {
        src,
        size: cp.checkpoint.size,
        next: 0,
        pos: 0,
        buf: header,
        levels: vec![Vec::new()],
        done: vec![0],
        finished: false,
        problem: None,
    };
    let mut report = verify_bundle_pinned(&mut stream, trust, pin, progress)?;
    if !stream.finished {
        stream.finish_tiles();
    }
    if let Some(p) = stream.problem {
        // An earlier failure stays the verdict, exactly as the bundle's.
        if report.verdict == Verdict::Valid {
            {
                report.verdict = Verdict::Broken {
                    at_entry: None,
                    check: p.check.into(),
                    reason: p.reason.clone(),
                };
                report.tally = None;
                report.announcement = None;
                report.disregarded.clear();
                if let Some(c) = report.checks.iter_mut().find(|c| c.name == p.check) {
                    c.status = CheckStatus::Failed;
                    c.detail = p.reason;
                }
            }
        }
    }
    Ok(report)
}

/// Subtree hashes of a tree of `size` entries read from its tiles (cached per tile).
struct TileHashes<'a> {
    src: &'a dyn TileSource,
    size: u64,
    cache: HashMap<String, Vec<u8>>,
}

impl TileHashes<'_> {
    /// MTH of the complete subtree of height `h`, index `k`.
    fn node(&mut self, h: u32, k: u64) -> Result<Hash, NetError> {
        let level = h / 8;
        let r = h % 8;
        let first = k << r;
        let count = 1u64 << r;
        let index = first / TILE_WIDTH;
        let nodes = self.size >> (8 * level);
        let width = (nodes - index * TILE_WIDTH).min(TILE_WIDTH);
        let t = Tile {
            kind: Kind::Hashes(level as u8),
            index,
            width,
        };
        let path = t.path();
        if !self.cache.contains_key(&path) {
            let b = self
                .src
                .fetch(&path, TILE_WIDTH * 32)?
                .ok_or_else(|| malformed("tiles", format!("{path} is missing")))?;
            if b.len() as u64 != width * 32 {
                return Err(malformed("tiles", format!("{path} has {} bytes", b.len())));
            }
            self.cache.insert(path.clone(), b);
        }
        let b = &self.cache[&path];
        let off = (first % TILE_WIDTH) as usize * 32;
        let hashes: Vec<Hash> = b
            .get(off..off + count as usize * 32)
            .ok_or_else(|| malformed("tiles", format!("{path} is short")))?
            .chunks_exact(32)
            .map(|c| Hash::from_slice(c).map_err(NetError::from))
            .collect::<Result<_, _>>()?;
        Ok(root_of(&hashes))
    }

    fn subtree(&mut self, lo: u64, hi: u64) -> Result<Hash, NetError> {
        let n = hi - lo;
        if n.is_power_of_two() && lo.is_multiple_of(n) {
            return self.node(n.trailing_zeros(), lo / n);
        }
        let k = split(n);
        let l = self.subtree(lo, lo + k)?;
        let r = self.subtree(lo + k, hi)?;
        Ok(scrutin::log::node_hash(&l, &r))
    }

    /// RFC 6962 section 2.1.2 SUBPROOF(m, D[lo:hi], b).
    fn subproof(
        &mut self,
        m: u64,
        lo: u64,
        hi: u64,
        b: bool,
        out: &mut Vec<Hash>,
    ) -> Result<(), NetError> {
        let n = hi - lo;
        if m == n {
            if !b {
                out.push(self.subtree(lo, hi)?);
            }
            return Ok(());
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, lo, lo + k, b, out)?;
            out.push(self.subtree(lo + k, hi)?);
        } else {
            self.subproof(m - k, lo + k, hi, false, out)?;
            out.push(self.subtree(lo, lo + k)?);
        }
        Ok(())
    }
}

/// Largest power of two below `n` (n >= 2).
fn split(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

/// An RFC 6962 consistency proof from `old` to `new` entries, built from the tiles of the
/// tree of `new` entries.
///
/// # Errors
/// [`NetError::Malformed`] if a tile is missing or of the wrong length; transport errors.
pub fn consistency_proof(src: &dyn TileSource, old: u64, new: u64) -> Result<Vec<Hash>, NetError> {
    let mut out = Vec::new();
    if old == 0 || old >= new {
        return Ok(out);
    }
    TileHashes {
        src,
        size: new,
        cache: HashMap::new(),
    }
    .subproof(old, 0, new, true, &mut out)?;
    Ok(out)
}

/// How an earlier checkpoint (a receipt's) stands against the log's current one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogCheck {
    /// The log's checkpoint is signed by a trusted key, of the same origin, at least as large,
    /// and consistent with the earlier one.
    Consistent {
        /// The log's checkpoint.
        latest: Checkpoint,
        /// Who signed and cosigned it.
        verdict: CheckpointVerdict,
    },
    /// It is not: the reason.
    Inconsistent(String),
}

/// Checks `earlier` against the log's current checkpoint through a consistency proof built
/// from the log's tiles (a receipt's checkpoint against the published log).
///
/// # Errors
/// Transport errors, a missing or unreadable checkpoint or tile.
pub fn check_against_log(
    src: &dyn TileSource,
    earlier: &Checkpoint,
    trust: &[NoteVerifier],
) -> Result<LogCheck, NetError> {
    let latest = read_checkpoint(src)?;
    let verdict = match latest.verify(trust) {
        Ok(v) => v,
        Err(e) => return Ok(LogCheck::Inconsistent(format!("the log's checkpoint: {e}"))),
    };
    let l = &latest.checkpoint;
    if l.origin != earlier.origin {
        return Ok(LogCheck::Inconsistent(format!(
            "the log is {:?}, the receipt's checkpoint {:?}",
            l.origin, earlier.origin
        )));
    }
    if l.size < earlier.size {
        return Ok(LogCheck::Inconsistent(format!(
            "the log's checkpoint has {} entries, fewer than the receipt's {}",
            l.size, earlier.size
        )));
    }
    let proof = consistency_proof(src, earlier.size, l.size)?;
    match verify_consistency(earlier.size, l.size, &earlier.root, &l.root, &proof) {
        Ok(()) => Ok(LogCheck::Consistent {
            latest: l.clone(),
            verdict,
        }),
        Err(e) => Ok(LogCheck::Inconsistent(format!(
            "no consistency from size {} to {}: {e}",
            earlier.size, l.size
        ))),
    }
}

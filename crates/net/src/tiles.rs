//! C2SP tlog-tiles (c2sp.org/tlog-tiles): resource paths, the static layout written by
//! [`export`], and the read-only server of [`serve`].
//!
//! Layout under a log's prefix ("APIs"):
//! - `checkpoint`: the latest checkpoint note, with its cosignatures ("Checkpoints");
//! - `tile/<L>/<N>[.p/<W>]`: Merkle tree tiles, 32-byte hashes concatenated ("Merkle Tree");
//!   scrutin-log stores its tree as exactly these tiles, so they are copied, not recomputed;
//! - `tile/entries/<N>[.p/<W>]`: entry bundles ("Log entries"): each entry is its RFC 6962
//!   leaf data (the canonical entry bytes without the signature, docs/FORMAT.md) prefixed by its
//!   length as a big-endian uint16, so that each hashes to its level-0 tile hash as the
//!   specification requires;
//! - `signatures/<N>[.p/<W>]`: scrutin's companion to each entry bundle (the specification
//!   lets a log serve other encodings at other URLs): the entries' 64-byte Ed25519 signatures,
//!   concatenated in entry order. An entry bundle and its signatures make the canonical entries.
//!
//! A leaf longer than 65535 bytes cannot be put in an entry bundle: export refuses it
//! ([`NetError::EntryTooLarge`]). scrutin's events are far smaller (a ballot is ~200 bytes),
//! though the log accepts payloads up to [`scrutin::log::MAX_PAYLOAD_BYTES`].

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use scrutin::Ledger;

use crate::error::{io_at, NetError};
use crate::server::{self, Request, Response, Running};

/// Hashes in a full tile and entries in a full bundle.
pub const TILE_WIDTH: u64 = 256;
/// Largest leaf an entry bundle can carry (uint16 length prefix).
pub const MAX_BUNDLE_ENTRY: usize = u16::MAX as usize;
/// `Cache-Control` of full tiles and bundles (immutable).
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of partial tiles and bundles.
pub const CACHE_PARTIAL: &str = "public, max-age=60";
/// `Cache-Control` of the checkpoint ("SHOULD prevent caching beyond a few seconds").
pub const CACHE_CHECKPOINT: &str = "public, max-age=2";

/// What a tile path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `tile/<L>/...`: Merkle tree hashes at level L.
    Hashes(u8),
    /// `tile/entries/...`: an entry bundle.
    Entries,
    /// `signatures/...`: the signatures of an entry bundle's entries.
    Signatures,
}

/// A tile resource: kind, index and width (256 for a full tile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    /// Which resource.
    pub kind: Kind,
    /// Its index `N` within the level.
    pub index: u64,
    /// Its width `W`: 1 to 255 for a partial tile, 256 for a full one.
    pub width: u64,
}

/// `N` as tlog-tiles encodes it: zero-padded 3-digit path elements, all but the last
/// prefixed with `x` (1234067 is `x001/x234/067`).
pub fn index_path(n: u64) -> String {
    let mut parts = vec![format!("{:03}", n % 1000)];
    let mut n = n / 1000;
    while n > 0 {
        parts.push(format!("x{:03}", n % 1000));
        n /= 1000;
    }
    parts.reverse();
    parts.join("/")
}

impl Tile {
    /// The path under the log's prefix, e.g. `tile/0/x001/x234/067.p/5`.
    pub fn path(&self) -> String {
        let base = match self.kind {
            Kind::Hashes(l) => format!("tile/{l}/"),
            Kind::Entries => "tile/entries/".to_owned(),
            Kind::Signatures => "signatures/".to_owned(),
        };
        let mut s = base + &index_path(self.index);
        if self.width < TILE_WIDTH {
            s.push_str(&format!(".p/{}", self.width));
        }
        s
    }

    /// Parses a path written by [`Tile::path`] (strictly: canonical index and width).
    pub fn parse(path: &str) -> Option<Tile> {
        let (kind, rest) = if let Some(r) = path.strip_prefix("tile/entries/") {
            (Kind::Entries, r)
        } else if let Some(r) = path.strip_prefix("signatures/") {
            (Kind::Signatures, r)
        } else {
            let r = path.strip_prefix("tile/")?;
            let (l, r) = r.split_once('/')?;
            let level = crate::witness::parse_decimal(l).filter(|&l| l <= 63)?;
            (Kind::Hashes(level as u8), r)
        };
        let (idx, width) = match rest.split_once(".p/") {
            Some((i, w)) => {
                let w = crate::witness::parse_decimal(w).filter(|w| (1..TILE_WIDTH).contains(w))?;
                (i, w)
            }
            None => (rest, TILE_WIDTH),
        };
        let parts: Vec<&str> = idx.split('/').collect();
        let mut n: u64 = 0;
        for (i, p) in parts.iter().enumerate() {
            let digits = if i + 1 < parts.len() {
                p.strip_prefix('x')?
            } else {
                p
            };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            n = n
                .checked_mul(1000)?
                .checked_add(digits.parse::<u64>().ok()?)?;
        }
        let t = Tile {
            kind,
            index: n,
            width,
        };
        // One encoding per index: no leading `x000` element.
        (t.path() == path).then_some(t)
    }

    /// The level whose nodes this tile holds (0 for entries and signatures).
    fn level(&self) -> u8 {
        match self.kind {
            Kind::Hashes(l) => l,
            _ => 0,
        }
    }

    /// The tree size this tile's last hash (or entry) completes: `index * 256^(L+1) + width *
    /// 256^L`; `None` if it overflows.
    pub fn end(&self) -> Option<u64> {
        let unit = 1u64.checked_shl(8 * u32::from(self.level()))?;
        if self.level() > 7 {
            return None;
        }
        self.index
            .checked_mul(TILE_WIDTH)?
            .checked_add(self.width)?
            .checked_mul(unit)
    }
}

/// The hash tiles of a tree of `size` entries: every full tile and the partial tile of each
/// level (tlog-tiles, "Partial Tiles": width `floor(size / 256^L) mod 256`, none if 0).
pub fn hash_tiles(size: u64) -> Vec<Tile> {
    let mut out = Vec::new();
    let mut level = 0u8;
    while level <= 7 && (size >> (8 * u32::from(level))) > 0 {
        let nodes = size >> (8 * u32::from(level));
        for index in 0..nodes / TILE_WIDTH {
            out.push(Tile {
                kind: Kind::Hashes(level),
                index,
                width: TILE_WIDTH,
            });
        }
        if !nodes.is_multiple_of(TILE_WIDTH) {
            out.push(Tile {
                kind: Kind::Hashes(level),
                index: nodes / TILE_WIDTH,
                width: nodes % TILE_WIDTH,
            });
        }
        level += 1;
    }
    out
}

/// The bytes of an entry bundle and of its signatures resource for entries `start..start+width`.
fn bundle_bytes(ledger: &Ledger, start: u64, width: u64) -> Result<(Vec<u8>, Vec<u8>), NetError> {
    let mut entries = Vec::new();
    let mut sigs = Vec::new();
    for e in ledger.entries(start..start + width) {
        let e = e?;
        let leaf = e.leaf_bytes();
        let len = u16::try_from(leaf.len()).map_err(|_| NetError::EntryTooLarge {
            index: e.index,
            len: leaf.len(),
        })?;
        entries.extend_from_slice(&len.to_be_bytes());
        entries.extend_from_slice(&leaf);
        sigs.extend_from_slice(&e.signature);
    }
    Ok((entries, sigs))
}

/// The bytes of a resource for a log whose published size is `size`, or `None` if the
/// resource is not part of it.
fn resource(ledger: &Ledger, size: u64, t: Tile) -> Result<Option<Vec<u8>>, NetError> {
    if t.end().is_none_or(|end| end > size) {
        return Ok(None);
    }
    Ok(Some(match t.kind {
        Kind::Hashes(l) => ledger.tile(l, t.index, t.width as usize)?,
        Kind::Entries => bundle_bytes(ledger, t.index * TILE_WIDTH, t.width)?.0,
        Kind::Signatures => bundle_bytes(ledger, t.index * TILE_WIDTH, t.width)?.1,
    }))
}

/// What [`export`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    /// The checkpoint's size.
    pub size: u64,
    /// Files written (unchanged files are not rewritten).
    pub written: u64,
    /// Files already present with the same bytes.
    pub unchanged: u64,
}

struct Writer {
    root: PathBuf,
    dirs: BTreeSet<PathBuf>,
    written: u64,
    unchanged: u64,
}

impl Writer {
    /// Writes `root/rel` atomically (temporary file, fsync, rename) unless it holds `bytes`.
    fn put(&mut self, rel: &str, bytes: &[u8]) -> Result<(), NetError> {
        let path = self.root.join(rel);
        if fs::read(&path).is_ok_and(|old| old == bytes) {
            self.unchanged += 1;
            return Ok(());
        }
        let dir = path.parent().unwrap_or(&self.root).to_owned();
        fs::create_dir_all(&dir).map_err(|e| io_at(&dir, e))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.tmp"));
        let mut f = File::create(&tmp).map_err(|e| io_at(&tmp, e))?;
        f.write_all(bytes).map_err(|e| io_at(&tmp, e))?;
        f.sync_all().map_err(|e| io_at(&tmp, e))?;
        drop(f);
        fs::rename(&tmp, &path).map_err(|e| io_at(&path, e))?;
        self.dirs.insert(dir);
        self.written += 1;
        Ok(())
    }

    fn sync_dirs(&mut self) -> Result<(), NetError> {
        for d in std::mem::take(&mut self.dirs) {
            File::open(&d)
                .and_then(|f| f.sync_all())
                .map_err(|e| io_at(&d, e))?;
        }
        Ok(())
    }
}

/// Writes the tlog-tiles layout of `ledger`'s latest checkpoint into `out`: every full tile
/// and entry bundle, the partial ones of every stored checkpoint size up to it (the
/// specification: "Logs MUST serve partial tiles corresponding to tree sizes for which a
/// checkpoint was produced"), then, last, `checkpoint`. Each file is written atomically and
/// fsynced, and the directories are fsynced before the checkpoint is replaced, so a reader
/// never sees a checkpoint whose tiles are missing.
///
/// # Errors
/// [`NetError::NoCheckpoint`]; [`NetError::EntryTooLarge`]; ledger and I/O errors.
pub fn export(ledger: &Ledger, out: &Path) -> Result<ExportSummary, NetError> {
    let cp = ledger.latest_checkpoint()?.ok_or(NetError::NoCheckpoint)?;
    let size = cp.checkpoint.size;
    let sizes: BTreeSet<u64> = ledger
        .checkpoint_sizes()?
        .into_iter()
        .filter(|&s| s > 0 && s <= size)
        .collect();
    fs::create_dir_all(out).map_err(|e| io_at(out, e))?;
    let mut w = Writer {
        root: out.to_owned(),
        dirs: BTreeSet::new(),
        written: 0,
        unchanged: 0,
    };
    // Entry bundles and signatures, in one pass over the entries.
    let mut entries = Vec::new();
    let mut sigs = Vec::new();
    for (count, e) in (1u64..).zip(ledger.entries(0..size)) {
        let e = e?;
        let leaf = e.leaf_bytes();
        let len = u16::try_from(leaf.len()).map_err(|_| NetError::EntryTooLarge {
            index: e.index,
            len: leaf.len(),
        })?;
        entries.extend_from_slice(&len.to_be_bytes());
        entries.extend_from_slice(&leaf);
        sigs.extend_from_slice(&e.signature);
        let width = count % TILE_WIDTH;
        if width == 0 || sizes.contains(&count) {
            let index = (count - 1) / TILE_WIDTH;
            let width = if width == 0 { TILE_WIDTH } else { width };
            for (kind, bytes) in [(Kind::Entries, &entries), (Kind::Signatures, &sigs)] {
                w.put(&Tile { kind, index, width }.path(), bytes)?;
            }
            if width == TILE_WIDTH {
                entries.clear();
                sigs.clear();
            }
        }
    }
    let mut tiles = BTreeSet::new();
    for &s in &sizes {
        for t in hash_tiles(s) {
            tiles.insert((t.level(), t.index, t.width));
        }
    }
    for (level, index, width) in tiles {
        let t = Tile {
            kind: Kind::Hashes(level),
            index,
            width,
        };
        w.put(&t.path(), &ledger.tile(level, index, width as usize)?)?;
    }
    w.sync_dirs()?;
    w.put("checkpoint", cp.to_note_text().as_bytes())?;
    w.sync_dirs()?;
    Ok(ExportSummary {
        size,
        written: w.written,
        unchanged: w.unchanged,
    })
}

/// Serves the tlog-tiles layout of each ledger under its origin's path (`/<origin>/checkpoint`,
/// `/<origin>/tile/...`), read-only, from the ledger itself (its latest checkpoint defines what
/// is published). Full tiles and bundles are `Cache-Control: public, max-age=31536000,
/// immutable`; partial ones and the checkpoint are short-lived.
///
/// # Errors
/// [`NetError::Usage`] if `listen` does not bind or two ledgers share an origin.
pub fn serve(ledgers: Vec<Ledger>, listen: &str, threads: usize) -> Result<Running, NetError> {
    let mut by_origin: Vec<(String, Ledger)> = Vec::new();
    for l in ledgers {
        let o = l.origin();
        if by_origin.iter().any(|(x, _)| *x == o) {
            return Err(NetError::Usage(format!(
                "two ledgers have the origin {o:?}"
            )));
        }
        by_origin.push((o, l));
    }
    let logs = Arc::new(by_origin);
    server::start(
        listen,
        threads,
        0,
        Arc::new(move |r: &Request<'_>| answer(&logs, r)),
    )
}

fn answer(logs: &[(String, Ledger)], r: &Request<'_>) -> Response {
    if r.method != "GET" && r.method != "HEAD" {
        return Response::text(405, "read-only: GET only");
    }
    let path = percent_decode(r.url.split('?').next().unwrap_or_default());
    let Some(path) = path.as_deref().and_then(|p| p.strip_prefix('/')) else {
        return Response::text(400, "bad path");
    };
    let Some((ledger, rest)) = logs.iter().find_map(|(o, l)| {
        path.strip_prefix(o.as_str())
            .and_then(|r| r.strip_prefix('/'))
            .map(|r| (l, r))
    }) else {
        return Response::text(404, "no such log");
    };
    let cp = match ledger.latest_checkpoint() {
        Ok(Some(cp)) => cp,
        Ok(None) => return Response::text(404, "no checkpoint yet"),
        Err(e) => return Response::text(500, &e.to_string()),
    };
    if rest == "checkpoint" {
        return Response {
            status: 200,
            headers: vec![
                ("Content-Type", "text/plain; charset=utf-8".into()),
                ("Cache-Control", CACHE_CHECKPOINT.into()),
            ],
            body: cp.to_note_text().into_bytes(),
        };
    }
    let Some(t) = Tile::parse(rest) else {
        return Response::text(404, "not a tile path");
    };
    match resource(ledger, cp.checkpoint.size, t) {
        Ok(Some(body)) => Response {
            status: 200,
            headers: vec![
                ("Content-Type", "application/octet-stream".into()),
                (
                    "Cache-Control",
                    if t.width == TILE_WIDTH {
                        CACHE_IMMUTABLE
                    } else {
                        CACHE_PARTIAL
                    }
                    .into(),
                ),
            ],
            body,
        },
        Ok(None) => Response::text(404, "beyond the published checkpoint"),
        Err(e) => Response::text(500, &e.to_string()),
    }
}

/// Decodes `%XX` escapes; `None` if one is malformed or the result is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths_as_the_specification() {
        assert_eq!(index_path(1234067), "x001/x234/067");
        assert_eq!(index_path(0), "000");
        assert_eq!(index_path(999), "999");
        assert_eq!(index_path(1000), "x001/000");
        let t = Tile {
            kind: Kind::Hashes(0),
            index: 1234067,
            width: 5,
        };
        assert_eq!(t.path(), "tile/0/x001/x234/067.p/5");
        assert_eq!(Tile::parse(&t.path()), Some(t));
        let e = Tile {
            kind: Kind::Entries,
            index: 1,
            width: 256,
        };
        assert_eq!(e.path(), "tile/entries/001");
        assert_eq!(Tile::parse("tile/entries/001"), Some(e));
        for bad in [
            "tile/0/1",
            "tile/0/x000/001",
            "tile/0/001.p/0",
            "tile/0/001.p/256",
            "tile/64/000",
            "tile/0/001.p/05",
        ] {
            assert_eq!(Tile::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_specification_example_of_70000() {
        // "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial
        // level 0 tile of width 112, one full level 1 tile, one partial level 1 tile of width
        // 17, and one partial level 2 tile of width 1."
        let t = hash_tiles(70_000);
        let at = |l: u8| t.iter().filter(move |x| x.kind == Kind::Hashes(l));
        assert_eq!(at(0).filter(|x| x.width == 256).count(), 273);
        assert_eq!(
            at(0)
                .filter(|x| x.width < 256)
                .map(|x| x.width)
                .collect::<Vec<_>>(),
            [112]
        );
        assert_eq!(at(1).map(|x| x.width).collect::<Vec<_>>(), [256, 17]);
        assert_eq!(at(2).map(|x| x.width).collect::<Vec<_>>(), [1]);
        assert_eq!(t.len(), 273 + 1 + 2 + 1);
        let t = hash_tiles(256);
        assert_eq!(
            t.iter().map(|x| (x.level(), x.width)).collect::<Vec<_>>(),
            [(0, 256), (1, 1)]
        );
    }
}

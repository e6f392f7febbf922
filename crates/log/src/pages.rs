//! Entries are stored in pages: one sled value holds up to 16 consecutive entries (fewer when
//! they pass 4 KiB), keyed by the index of the page's first entry. One sled insert per page
//! instead of per entry is what keeps a durable batch append close to the speed of signing;
//! 4 KiB keeps sled's leaf nodes (16 values each) far below its blob threshold.
//!
//! A page value is a sequence of records, each a u32 BE length then canonical entry bytes.
//! The last page stays open (and is rewritten by the next append) until it is full.

use crate::error::LogError;
use crate::store::storage;

pub(crate) const PAGE_MAX_ENTRIES: u64 = 16;
pub(crate) const PAGE_TARGET_BYTES: usize = 4096;

/// Storage key of the page whose first entry is `first`: `e` + index (u64 BE).
pub(crate) fn entry_key(first: u64) -> [u8; 9] {
    let mut k = [b'e'; 9];
    k[1..].copy_from_slice(&first.to_be_bytes());
    k
}

fn key_index(k: &[u8]) -> Option<u64> {
    match k.split_first() {
        Some((b'e', rest)) => <[u8; 8]>::try_from(rest).ok().map(u64::from_be_bytes),
        _ => None,
    }
}

/// The page being filled by appends.
#[derive(Clone, Default, Debug)]
pub(crate) struct OpenPage {
    pub(crate) start: u64,
    pub(crate) count: u64,
    pub(crate) bytes: Vec<u8>,
}

impl OpenPage {
    pub(crate) fn new(start: u64) -> Self {
        OpenPage {
            start,
            count: 0,
            bytes: Vec::new(),
        }
    }

    /// Whether no further entry goes into this page.
    pub(crate) fn is_full(&self) -> bool {
        self.count >= PAGE_MAX_ENTRIES || self.bytes.len() >= PAGE_TARGET_BYTES
    }

    /// Appends one entry's record from its parts (the body's fixed head, the payload, the
    /// signature), encoding it straight into the page.
    pub(crate) fn push_parts(&mut self, head: &[u8], payload: &[u8], signature: &[u8; 64]) {
        let len = (head.len() + payload.len() + signature.len()) as u32;
        self.bytes.reserve(4 + len as usize);
        self.bytes.extend_from_slice(&len.to_be_bytes());
        self.bytes.extend_from_slice(head);
        self.bytes.extend_from_slice(payload);
        self.bytes.extend_from_slice(signature);
        self.count += 1;
    }
}

/// The (offset, length) of each entry in a page value.
pub(crate) fn records(page: &[u8]) -> Result<Vec<(usize, usize)>, LogError> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at < page.len() {
        let len = page
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(|b| u32::from_be_bytes(b) as usize)
            .ok_or_else(|| LogError::Damaged("truncated entry page".into()))?;
        let start = at + 4;
        if page.len() - start < len {
            return Err(LogError::Damaged("truncated entry page".into()));
        }
        out.push((start, len));
        at = start + len;
    }
    Ok(out)
}

/// The page holding entry `index`: its first index and value.
pub(crate) fn page_of(db: &sled::Db, index: u64) -> Result<Option<(u64, sled::IVec)>, LogError> {
    let Some(next) = index.checked_add(1) else {
        return Ok(None);
    };
    match db.get_lt(entry_key(next)).map_err(storage)? {
        Some((k, v)) => Ok(key_index(&k).map(|start| (start, v))),
        None => Ok(None),
    }
}

/// Canonical bytes of entry `index`.
pub(crate) fn entry_bytes(db: &sled::Db, index: u64) -> Result<sled::IVec, LogError> {
    let missing = || LogError::Damaged(format!("entry {index} is missing"));
    let (start, page) = page_of(db, index)?.ok_or_else(missing)?;
    let recs = records(&page)?;
    let k = usize::try_from(index - start).map_err(|_| missing())?;
    let &(off, len) = recs.get(k).ok_or_else(missing)?;
    Ok(page.subslice(off, len))
}

/// A page read from storage: its first index, its value, and its records.
struct LoadedPage {
    first: u64,
    value: sled::IVec,
    records: Vec<(usize, usize)>,
}

/// A scan over the entries `next..end`, page by page, checking that pages are contiguous.
pub(crate) struct RawEntries {
    pages: Option<sled::Iter>,
    current: Option<LoadedPage>,
    next: u64,
    end: u64,
}

impl RawEntries {
    pub(crate) fn new(db: &sled::Db, start: u64, end: u64) -> Result<Self, LogError> {
        let first = match page_of(db, start)? {
            Some((first, _)) => first,
            None => return Err(LogError::Damaged(format!("entry {start} is missing"))),
        };
        Ok(RawEntries {
            pages: Some(db.range(entry_key(first)..entry_key(end))),
            current: None,
            next: start,
            end,
        })
    }

    fn step(&mut self) -> Result<(u64, sled::IVec), LogError> {
        let i = self.next;
        loop {
            if let Some(p) = &self.current {
                let k = (i - p.first) as usize;
                if let Some(&(off, len)) = p.records.get(k) {
                    return Ok((i, p.value.subslice(off, len)));
                }
                self.current = None;
            }
            let missing = || LogError::Damaged(format!("entry {i} is missing"));
            let (k, v) = self
                .pages
                .as_mut()
                .and_then(Iterator::next)
                .ok_or_else(missing)?
                .map_err(storage)?;
            let first = key_index(&k).ok_or_else(missing)?;
            if first > i {
                return Err(missing());
            }
            let recs = records(&v)?;
            if first + recs.len() as u64 <= i {
                // A page that ends before `i` can only be the one before the start.
                continue;
            }
            self.current = Some(LoadedPage {
                first,
                value: v,
                records: recs,
            });
        }
    }
}

impl Iterator for RawEntries {
    type Item = Result<(u64, sled::IVec), LogError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let item = self.step();
        // After an error, stop: the scan position no longer matches the index.
        self.next = if item.is_ok() {
            self.next + 1
        } else {
            self.end
        };
        Some(item)
    }
}

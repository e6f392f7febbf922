//! A chunked copy-on-write string arena: each string costs its bytes plus a 4-byte end offset,
//! instead of a `String` each (a 24-byte header and a heap block of at least 16 bytes). Like
//! [`crate::cowvec::CowVec`], cloning shares every chunk and writing copies only the last.

use std::sync::Arc;

/// Strings per chunk.
const CHUNK: usize = 1024;

/// Up to [`CHUNK`] strings, back to back, and where each ends.
#[derive(Debug, Clone, Default)]
struct Chunk {
    text: String,
    ends: Vec<u32>,
}

/// An append-only list of strings, indexed by `u32`, whose clones share storage.
#[derive(Debug, Clone, Default)]
pub(crate) struct StrArena {
    chunks: Vec<Arc<Chunk>>,
    len: usize,
}

impl StrArena {
    /// Number of strings.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends a string and returns its index.
    pub(crate) fn push(&mut self, value: &str) -> u32 {
        let index = self.len;
        if index.is_multiple_of(CHUNK) {
            // The chunk before is full: give its spare capacity back.
            if let Some(last) = self.chunks.last_mut() {
                let last = Arc::make_mut(last);
                last.text.shrink_to_fit();
            }
            self.chunks.push(Arc::new(Chunk {
                text: String::new(),
                ends: Vec::with_capacity(CHUNK),
            }));
        }
        if let Some(last) = self.chunks.last_mut() {
            let last = Arc::make_mut(last);
            last.text.push_str(value);
            // A chunk holds at most 1024 strings of a bounded payload (1 MiB each at most).
            last.ends
                .push(u32::try_from(last.text.len()).unwrap_or(u32::MAX));
        }
        self.len += 1;
        // Indices are u32 by design (interned ids); the model caps payloads far below 4G events.
        u32::try_from(index).unwrap_or(u32::MAX)
    }

    /// The string at `index`.
    pub(crate) fn get(&self, index: u32) -> Option<&str> {
        let i = index as usize;
        let chunk = self.chunks.get(i / CHUNK)?;
        let k = i % CHUNK;
        let end = *chunk.ends.get(k)? as usize;
        let start = match k.checked_sub(1) {
            Some(j) => *chunk.ends.get(j)? as usize,
            None => 0,
        };
        chunk.text.get(start..end)
    }

    /// Every string in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len).filter_map(|i| self.get(u32::try_from(i).ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::StrArena;

    #[test]
    fn strings_come_back_exactly_and_clones_are_independent() {
        let mut a = StrArena::default();
        let text = |i: u32| "x".repeat((i % 7) as usize) + &i.to_string() + "é";
        for i in 0..2500u32 {
            assert_eq!(a.push(&text(i)), i);
        }
        a.push("");
        let mut b = a.clone();
        b.push("tail");
        for i in 0..2500u32 {
            assert_eq!(a.get(i), Some(text(i).as_str()));
        }
        assert_eq!(a.get(2500), Some(""));
        assert_eq!(a.get(2501), None);
        assert_eq!(b.get(2501), Some("tail"));
        assert_eq!(a.len(), 2501);
        assert_eq!(b.iter().count(), 2502);
        assert_eq!(a.iter().nth(3), Some(text(3).as_str()));
    }
}

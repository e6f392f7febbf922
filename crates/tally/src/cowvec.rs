//! A chunked copy-on-write vector: cloning shares every chunk, writing copies only the chunk
//! written. The ledger clones the meeting once per batch (to make a batch all-or-nothing), so a
//! clone must cost O(chunks), not O(ballots).

use std::sync::Arc;

const CHUNK: usize = 1024;

/// An append-mostly vector whose clones share storage until written.
#[derive(Debug)]
pub(crate) struct CowVec<T> {
    chunks: Vec<Arc<Vec<T>>>,
    len: usize,
}

impl<T> Default for CowVec<T> {
    fn default() -> Self {
        CowVec {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Clone for CowVec<T> {
    fn clone(&self) -> Self {
        CowVec {
            chunks: self.chunks.clone(),
            len: self.len,
        }
    }
}

impl<T: Clone> CowVec<T> {
    /// Number of elements.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends an element and returns its index.
    pub(crate) fn push(&mut self, value: T) -> u32 {
        let index = self.len;
        if index.is_multiple_of(CHUNK) {
            self.chunks.push(Arc::new(Vec::with_capacity(CHUNK)));
        }
        if let Some(last) = self.chunks.last_mut() {
            Arc::make_mut(last).push(value);
        }
        self.len += 1;
        // Indices are u32 by design (interned ids); the model caps payloads far below 4G events.
        u32::try_from(index).unwrap_or(u32::MAX)
    }

    /// The element at `index`.
    pub(crate) fn get(&self, index: u32) -> Option<&T> {
        let i = index as usize;
        self.chunks.get(i / CHUNK).and_then(|c| c.get(i % CHUNK))
    }

    /// The element at `index`, copying its chunk first if it is shared.
    pub(crate) fn get_mut(&mut self, index: u32) -> Option<&mut T> {
        let i = index as usize;
        self.chunks
            .get_mut(i / CHUNK)
            .and_then(|c| Arc::make_mut(c).get_mut(i % CHUNK))
    }

    /// Every element in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks.iter().flat_map(|c| c.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::CowVec;

    #[test]
    fn clones_are_independent() {
        let mut a = CowVec::default();
        for i in 0..3000u32 {
            assert_eq!(a.push(i), i);
        }
        let mut b = a.clone();
        if let Some(x) = b.get_mut(1500) {
            *x = 7;
        }
        b.push(9);
        assert_eq!(a.get(1500), Some(&1500));
        assert_eq!(b.get(1500), Some(&7));
        assert_eq!(a.len(), 3000);
        assert_eq!(b.len(), 3001);
        assert_eq!(a.iter().count(), 3000);
        assert_eq!(b.get(3000), Some(&9));
        assert_eq!(a.get(3000), None);
    }
}

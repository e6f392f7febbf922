//! Line numbers as an editor shows them. The csv crate's own line count skips blank lines and
//! does not count line breaks inside quoted cells, so a row after either was misnumbered.

/// Turns byte offsets of record starts (non-decreasing) into 1-based line numbers.
pub(crate) struct LineIndex<'a> {
    bytes: &'a [u8],
    /// Bytes before this offset have been counted.
    at: usize,
    /// Line breaks before `at`: `\n`, and a `\r` not followed by `\n` (a classic Mac
    /// line end, which the csv crate also ends a record at).
    newlines: u64,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        LineIndex {
            bytes,
            at: 0,
            newlines: 0,
        }
    }

    /// The csv crate places a record at the end of the previous one, before any blank lines
    /// and the `\n` of a CRLF: the row's own line starts after the line breaks found there.
    pub(crate) fn line_at(&mut self, byte: u64) -> u64 {
        let mut end = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while end < self.bytes.len() && matches!(self.bytes[end], b'\r' | b'\n') {
            end += 1;
        }
        if end > self.at {
            let counted = (self.at..end)
                .filter(|&i| match self.bytes[i] {
                    b'\n' => true,
                    b'\r' => self.bytes.get(i + 1) != Some(&b'\n'),
                    _ => false,
                })
                .count();
            self.newlines += counted as u64;
            self.at = end;
        }
        self.newlines + 1
    }
}

//! Line numbers as an editor shows them. The csv crate's own line count skips blank lines and
//! does not count line breaks inside quoted cells, so a row after either was misnumbered.
//!
//! The file is streamed, never held whole: [`LineReader`] sits between the file and the csv
//! reader, keeps the bytes the csv reader has taken but whose lines are not counted yet (about
//! one record and the csv reader's buffer), and counts them as records are placed.

use std::io::Read;

/// Bytes already counted are dropped once this many have accumulated at the front.
const COMPACT_AT: usize = 64 * 1024;

/// A reader that numbers the lines of what passes through it: turns byte offsets of record
/// starts (non-decreasing) into 1-based line numbers.
pub(crate) struct LineReader<R> {
    inner: R,
    /// Bytes read from `inner` and not yet dropped; `buf[0]` is at offset `base` of the file.
    buf: Vec<u8>,
    base: u64,
    /// `buf[..counted]` has been counted.
    counted: usize,
    /// Line breaks before `base + counted`: `\n`, and a `\r` not followed by `\n` (a classic
    /// Mac line end, which the csv crate also ends a record at).
    newlines: u64,
    /// `inner` has reported its end.
    eof: bool,
}

impl<R: Read> Read for LineReader<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        if n == 0 && !out.is_empty() {
            self.eof = true;
        }
        self.buf.extend_from_slice(out.get(..n).unwrap_or_default());
        Ok(n)
    }
}

impl<R> LineReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        LineReader {
            inner,
            buf: Vec::new(),
            base: 0,
            counted: 0,
            newlines: 0,
            eof: false,
        }
    }

    /// Bytes read from the file so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.base + self.buf.len() as u64
    }

    /// Bytes held for line counting (bounded by a record and the csv reader's buffer).
    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        self.buf.len()
    }

    /// The csv crate places a record at the end of the previous one, before any blank lines
    /// and the `\n` of a CRLF: the row's own line starts after the line breaks found there.
    pub(crate) fn line_at(&mut self, byte: u64) -> u64 {
        let len = self.buf.len();
        let mut end = usize::try_from(byte.saturating_sub(self.base))
            .unwrap_or(usize::MAX)
            .min(len);
        while end < len && matches!(self.buf[end], b'\r' | b'\n') {
            end += 1;
        }
        // A `\r` at the end of what was read may be the first half of a CRLF: its line break
        // is counted once the next byte is known.
        if end == len && !self.eof && end > 0 && self.buf[end - 1] == b'\r' {
            end -= 1;
        }
        if end > self.counted {
            let counted = (self.counted..end)
                .filter(|&i| match self.buf[i] {
                    b'\n' => true,
                    b'\r' => self.buf.get(i + 1) != Some(&b'\n'),
                    _ => false,
                })
                .count();
            self.newlines += counted as u64;
            self.counted = end;
        }
        if self.counted >= COMPACT_AT {
            self.buf.drain(..self.counted);
            self.base += self.counted as u64;
            self.counted = 0;
        }
        self.newlines + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out one byte per read, the worst case for a CRLF split across reads.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), out.first_mut()) {
                (Some((b, rest)), Some(o)) => {
                    *o = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn lines_of(text: &[u8], trickle: bool) -> Vec<u64> {
        let src: Box<dyn Read> = if trickle {
            Box::new(Trickle(text))
        } else {
            Box::new(text)
        };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineReader::new(src));
        let mut rec = csv::StringRecord::new();
        let mut out = Vec::new();
        while rdr.read_record(&mut rec).unwrap_or(false) {
            let byte = rec.position().map_or(0, csv::Position::byte);
            out.push(rdr.get_mut().line_at(byte));
        }
        out
    }

    #[test]
    fn lines_are_counted_across_reads_and_line_ends() {
        let text = b"a,b\r\n\r\n1,2\r3,4\n\n\"x\ny\",5\r\n6,7\n";
        let expected = vec![1, 3, 4, 6, 8];
        assert_eq!(lines_of(text, false), expected);
        assert_eq!(lines_of(text, true), expected);
    }

    #[test]
    fn what_is_held_is_bounded_by_a_record_not_the_file() {
        let mut text = String::from("a,b\n");
        for i in 0..200_000 {
            text.push_str(&format!("{i},{i}\n"));
        }
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(LineReader::new(text.as_bytes()));
        let mut rec = csv::StringRecord::new();
        let (mut worst, mut last) = (0, 0);
        while rdr.read_record(&mut rec).unwrap_or(false) {
            let byte = rec.position().map_or(0, csv::Position::byte);
            last = rdr.get_mut().line_at(byte);
            worst = worst.max(rdr.get_ref().held());
        }
        assert_eq!(last, 200_001);
        assert!(worst <= 2 * COMPACT_AT, "{worst} bytes held");
        assert!(text.len() > 10 * worst);
    }
}

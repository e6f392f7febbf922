//! The four CSV interchange files (DESIGN.md) -> events, each remembering the line and the
//! columns it came from so a refusal can name `FILE:LINE:COLUMN`.

use std::collections::BTreeMap;
use std::io::Read;

use scrutin_model::{ClassId, Event, HolderId, ProxyId, ResolutionId, UtcMillis, Voter};

use crate::error::CliError;

mod kinds;
use kinds::Parsing;

/// Which CSV file is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CsvKind {
    /// `holder,name,class,shares`
    Register,
    /// `holder,resolution,restriction,reason`
    Abstentions,
    /// `proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain`
    Proxies,
    /// `voter,resolution,for,against,abstain` or `voter,resolution,candidate,votes`
    Ballots,
}

/// Where an event came from: its first CSV line and the columns of its parts (1-based; 0 when
/// the file has no such column).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) line: u64,
    pub(super) who: u32,
    pub(super) resolution: u32,
    pub(super) class: u32,
    pub(super) amount: u32,
}

impl Origin {
    /// The column a broken rule most likely concerns, from its stable code.
    pub(crate) fn column_for(&self, rule: &str) -> u32 {
        let pick = if rule.contains("resolution") || rule.contains("poll") {
            self.resolution
        } else if rule.contains("class") {
            self.class
        } else if rule == "zero-proxy-shares" {
            self.amount
        } else if rule.contains("holder")
            || rule.contains("voter")
            || rule.contains("proxy")
            || rule.contains("unauthori")
            || rule.contains("attend")
            || rule.contains("duplicate")
            || rule.contains("register")
            || rule.contains("treasury")
        {
            self.who
        } else {
            self.amount
        };
        if pick == 0 {
            self.who.max(1)
        } else {
            pick
        }
    }
}

/// The events of one file, with their origins (same length, same order).
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub(crate) events: Vec<Event>,
    pub(crate) origins: Vec<Origin>,
    /// Header columns this kind of file does not read (extra columns are allowed, but a
    /// misspelt `abstian` would otherwise read every abstention as 0 without a word).
    pub(crate) ignored_columns: Vec<String>,
}

impl CsvKind {
    /// Every column this kind of file reads.
    fn columns(self) -> &'static [&'static str] {
        match self {
            CsvKind::Register => &["holder", "name", "class", "shares"],
            CsvKind::Abstentions => &["holder", "resolution", "restriction", "reason"],
            CsvKind::Proxies => &[
                "proxy",
                "holder",
                "proxy_name",
                "shares",
                "resolution",
                "instruction",
                "for",
                "against",
                "abstain",
                "class",
                "lodged_at",
            ],
            CsvKind::Ballots => &[
                "voter",
                "resolution",
                "for",
                "against",
                "abstain",
                "candidate",
                "votes",
                "class",
            ],
        }
    }
}

/// Column indices (0-based) by header name.
pub(super) struct Header {
    names: BTreeMap<String, usize>,
}

impl Header {
    pub(super) fn get(&self, name: &str) -> Option<usize> {
        self.names.get(name).copied()
    }

    pub(super) fn require(&self, file: &str, name: &str) -> Result<usize, CliError> {
        self.get(name).ok_or_else(|| {
            let have: Vec<&str> = self.names.keys().map(String::as_str).collect();
            let have = have.join(",");
            // A one-column header holding `;` or tabs is a file in another separator.
            let hint = if self.names.len() == 1 && (have.contains(';') || have.contains('\t')) {
                " (scrutin reads comma-separated files; this one seems separated by `;` or tabs)"
            } else {
                ""
            };
            CliError::Usage(format!(
                "{file}:1:1: missing-column: the header has no `{name}` column (it has: {have}){hint}"
            ))
        })
    }
}

pub(super) fn col(i: Option<usize>) -> u32 {
    i.map_or(0, |i| u32::try_from(i + 1).unwrap_or(u32::MAX))
}

/// One data row with its line number, for field access with positioned errors.
pub(super) struct Row<'a> {
    pub(super) file: &'a str,
    pub(super) line: u64,
    pub(super) rec: &'a csv::StringRecord,
}

impl Row<'_> {
    pub(super) fn err(&self, idx: usize, rule: &str, msg: impl std::fmt::Display) -> CliError {
        CliError::Usage(format!(
            "{}:{}:{}: {rule}: {msg}",
            self.file,
            self.line,
            idx + 1
        ))
    }

    pub(super) fn text(&self, idx: Option<usize>) -> &str {
        idx.and_then(|i| self.rec.get(i)).unwrap_or("")
    }

    pub(super) fn required(&self, idx: usize, name: &str) -> Result<&str, CliError> {
        let t = self.text(Some(idx));
        if t.is_empty() {
            return Err(self.err(idx, "missing-value", format!("`{name}` is empty")));
        }
        Ok(t)
    }

    pub(super) fn holder(&self, idx: usize, name: &str) -> Result<HolderId, CliError> {
        HolderId::new(self.required(idx, name)?).map_err(|e| self.err(idx, "bad-id", e))
    }

    pub(super) fn resolution(&self, idx: usize) -> Result<ResolutionId, CliError> {
        ResolutionId::new(self.required(idx, "resolution")?).map_err(|e| self.err(idx, "bad-id", e))
    }

    pub(super) fn class(&self, idx: Option<usize>) -> Result<Option<ClassId>, CliError> {
        match idx {
            Some(i) if !self.text(Some(i)).is_empty() => ClassId::new(self.text(Some(i)))
                .map(Some)
                .map_err(|e| self.err(i, "bad-id", e)),
            _ => Ok(None),
        }
    }

    /// A count: digits, optionally grouped in thousands (see [`ungroup`]); empty is `None`.
    pub(super) fn count(&self, idx: Option<usize>, name: &str) -> Result<Option<u64>, CliError> {
        let Some(i) = idx else { return Ok(None) };
        let t = self.text(Some(i));
        if t.is_empty() {
            return Ok(None);
        }
        let Some(digits) = ungroup(t) else {
            return Err(self.err(
                i,
                "bad-number",
                format!(
                    "`{name}` {t:?} is not a whole number (digits, optionally grouped in \
                     thousands: 1,234,567 or 1 234 567 or 1_234_567)"
                ),
            ));
        };
        digits.parse::<u64>().map(Some).map_err(|_| {
            self.err(
                i,
                "bad-number",
                format!("`{name}` {t:?} is larger than 18446744073709551615"),
            )
        })
    }

    pub(super) fn voter(&self, idx: usize) -> Result<Voter, CliError> {
        let t = self.required(idx, "voter")?;
        match t.strip_prefix(HolderId::PROXY_PREFIX) {
            Some(p) => ProxyId::new(p)
                .map(Voter::Proxy)
                .map_err(|e| self.err(idx, "bad-id", e)),
            None => HolderId::new(t)
                .map(Voter::Holder)
                .map_err(|e| self.err(idx, "bad-id", e)),
        }
    }
}

/// The digits of a count written plainly or grouped in thousands, as spreadsheets export
/// them: one separator kind out of `,` `_` `'` space, no-break space (U+00A0) or narrow
/// no-break space (U+202F), a first group of 1 to 3 digits and then groups of exactly 3.
/// Anything else is `None`: "1,5" or "1234,56" is a decimal comma, not 15 or 123456 shares,
/// and "1.000" is ambiguous, so they are refused rather than guessed.
fn ungroup(t: &str) -> Option<String> {
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return Some(t.to_owned());
    }
    let sep = t.chars().find(|c| !c.is_ascii_digit())?;
    if ![',', '_', '\'', ' ', '\u{a0}', '\u{202f}'].contains(&sep) {
        return None;
    }
    let mut groups = t.split(sep);
    let first = groups.next()?;
    let digits_only = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    if !digits_only(first) || first.len() > 3 {
        return None;
    }
    let mut out = first.to_owned();
    for g in groups {
        if g.len() != 3 || !digits_only(g) {
            return None;
        }
        out.push_str(g);
    }
    Some(out)
}

/// The input, remembering where its newlines are, so that a row's line number is its line in
/// the file as an editor shows it. The csv crate's own line count skips blank lines and does
/// not count line breaks inside quoted cells, so a row after either was misnumbered.
struct LineCounter<R> {
    inner: R,
    read: u64,
    newlines: LineBreaks,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut nl = self.newlines.borrow_mut();
        for (i, b) in buf.iter().take(n).enumerate() {
            if *b == b'\n' || *b == b'\r' {
                nl.push_back((self.read + i as u64, *b == b'\n'));
            }
        }
        self.read += n as u64;
        Ok(n)
    }
}

/// Offsets of the `\r` and `\n` bytes read but not yet passed, and whether each is a `\n`.
type LineBreaks = std::rc::Rc<std::cell::RefCell<std::collections::VecDeque<(u64, bool)>>>;

/// Turns byte offsets of record starts (non-decreasing) into 1-based line numbers.
struct Lines {
    newlines: LineBreaks,
    before: u64,
}

impl Lines {
    /// The csv crate places a record at the end of the previous one, before any blank lines
    /// and the `\n` of a CRLF: the row's own line starts after the line breaks found there.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut nl = self.newlines.borrow_mut();
        let mut cursor = byte;
        while let Some(&(at, is_nl)) = nl.front() {
            if at < byte || at == cursor {
                if at == cursor {
                    cursor += 1;
                }
                nl.pop_front();
                self.before += u64::from(is_nl);
            } else {
                break;
            }
        }
        self.before + 1
    }
}

fn csv_error(file: &str, e: &csv::Error, lines: &mut Lines) -> CliError {
    let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
    if let csv::ErrorKind::Utf8 { err, .. } = e.kind() {
        // Excel's plain "CSV" is Windows-1252 (and "Unicode text" UTF-16): say how to fix it.
        return CliError::Usage(format!(
            "{file}:{line}:{}: bad-csv: the cell is not UTF-8 text (save the file as \
             \"CSV UTF-8\")",
            err.field() + 1
        ));
    }
    CliError::Usage(format!("{file}:{line}:1: bad-csv: {e}"))
}

/// Every column name some CSV kind reads.
const READ_COLUMNS: &[&str] = &[
    "holder",
    "name",
    "class",
    "shares",
    "resolution",
    "restriction",
    "reason",
    "proxy",
    "proxy_name",
    "instruction",
    "for",
    "against",
    "abstain",
    "lodged_at",
    "voter",
    "candidate",
    "votes",
];

/// Reads a whole CSV file of `kind` into events. `now` is the lodging time of proxies whose
/// row gives no `lodged_at`. `on_row` is called with the number of bytes read so far (progress).
pub(crate) fn parse(
    kind: CsvKind,
    file: &str,
    input: impl Read,
    now: UtcMillis,
    on_row: &mut dyn FnMut(u64),
) -> Result<Parsed, CliError> {
    let newlines = std::rc::Rc::default();
    let mut lines = Lines {
        newlines: std::rc::Rc::clone(&newlines),
        before: 0,
    };
    let input = LineCounter {
        inner: input,
        read: 0,
        newlines,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(input);
    let headers = rdr.headers().map_err(|e| csv_error(file, &e, &mut lines))?;
    let width = headers.len();
    // A column scrutin reads, given twice, would be read from whichever came last.
    let mut seen = std::collections::BTreeSet::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().to_ascii_lowercase();
        if READ_COLUMNS.contains(&h.as_str()) && !seen.insert(h.clone()) {
            return Err(CliError::Usage(format!(
                "{file}:1:{}: bad-csv: the header names `{h}` twice",
                i + 1
            )));
        }
    }
    let names = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_ascii_lowercase(), i))
        .collect();
    let ignored_columns: Vec<String> = headers
        .iter()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty() && !kind.columns().contains(&h.to_ascii_lowercase().as_str()))
        .collect();
    let header = Header { names };
    let mut rec = csv::StringRecord::new();
    let mut p = Parsing::new(kind, file, &header, now)?;
    let mut n: u64 = 0;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(file, &e, &mut lines)),
        }
        let line = rec.position().map_or(0, |p| lines.line_at(p.byte()));
        if rec.iter().all(str::is_empty) {
            continue; // blank line
        }
        // A cell beyond the header is almost always an unquoted comma: `1,000` read as the
        // two cells `1` and `000` would record 1 share. Refuse it rather than drop the rest.
        if let Some(extra) = (width..rec.len()).find(|&i| !rec.get(i).unwrap_or("").is_empty()) {
            return Err(CliError::Usage(format!(
                "{file}:{line}:{}: bad-csv: the row has {} cells but the header has {width} \
                 (quote a cell that contains a comma, e.g. \"1,000\")",
                extra + 1,
                rec.len()
            )));
        }
        p.row(&Row {
            file,
            line,
            rec: &rec,
        })?;
        n += 1;
        if n.is_multiple_of(4096) {
            on_row(rdr.position().byte());
        }
    }
    on_row(rdr.position().byte());
    let mut parsed = p.finish();
    parsed.ignored_columns = ignored_columns;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scrutin_model::{Ballot, Choice, Shares};

    fn run(kind: CsvKind, text: &str) -> Result<Parsed, CliError> {
        parse(kind, "f.csv", text.as_bytes(), UtcMillis(5), &mut |_| {})
    }

    #[test]
    fn seed_fixtures_parse() {
        let reg = run(
            CsvKind::Register,
            include_str!("../fixtures/jlmag/register.csv"),
        )
        .unwrap();
        assert_eq!(reg.events.len(), 7);
        assert_eq!(reg.origins[0].line, 2);
        let px = run(
            CsvKind::Proxies,
            include_str!("../fixtures/jlmag/proxies.csv"),
        )
        .unwrap();
        assert_eq!(px.events.len(), 2);
        let b = run(
            CsvKind::Ballots,
            include_str!("../fixtures/jlmag/ballots.csv"),
        )
        .unwrap();
        assert_eq!(b.events.len(), 4);
        match &b.events[3] {
            Event::VoteCast(Ballot {
                voter: Voter::Proxy(p),
                choice: Choice::Split { for_, against, .. },
                ..
            }) => {
                assert_eq!(p.as_str(), "P0002");
                assert_eq!((for_.0, against.0), (66_237_845, 23_300));
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn bad_number_names_line_and_column() {
        let e = run(
            CsvKind::Register,
            "holder,name,class,shares\nH1,One,A,100\nH2,Two,A,12x\n",
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("f.csv:3:4: bad-number: `shares` \"12x\" is not a whole number"),
            "{e}"
        );
        let e = run(CsvKind::Register, "holder,name,class\nH1,One,A\n").unwrap_err();
        assert!(
            e.to_string().starts_with("f.csv:1:1: missing-column"),
            "{e}"
        );
    }

    #[test]
    fn proxies_group_by_proxy_and_cumulative_ballots_group() {
        let px = run(
            CsvKind::Proxies,
            "proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain\n\
             P1,H1,Chair,\"1,000\",1,split,600,400,0\nP1,H1,Chair,\"1,000\",2,against,,,\n\
             P2,H2,Bob,,,,,,\n",
        )
        .unwrap();
        assert_eq!(px.events.len(), 2);
        match &px.events[0] {
            Event::ProxyLodged(p) => {
                assert_eq!(p.shares, Some(Shares(1000)));
                assert_eq!(p.instructions.len(), 2);
                assert_eq!(p.lodged_at, UtcMillis(5));
            }
            e => panic!("{e:?}"),
        }
        let e = run(
            CsvKind::Proxies,
            "proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain\n\
             P1,H1,Chair,10,1,for,,,\nP1,H9,Chair,10,2,for,,,\n",
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("f.csv:3:2: inconsistent-proxy"),
            "{e}"
        );
        let b = run(
            CsvKind::Ballots,
            "voter,resolution,candidate,votes\nH1,3,C1,100\nH1,3,C2,50\nproxy:P1,3,C1,7\n",
        )
        .unwrap();
        assert_eq!(b.events.len(), 2);
        assert_eq!(b.origins[1].line, 4);
    }

    #[test]
    fn optional_class_column_and_extra_columns() {
        let b = run(
            CsvKind::Ballots,
            "voter,resolution,for,against,abstain,class,note\nH1,1,5,0,0,H,ok\nH2,1,1,2,3,,\n",
        )
        .unwrap();
        match (&b.events[0], &b.events[1]) {
            (Event::VoteCast(x), Event::VoteCast(y)) => {
                assert_eq!(x.class.as_ref().map(ClassId::as_str), Some("H"));
                assert_eq!(y.class, None);
            }
            e => panic!("{e:?}"),
        }
        let e = run(CsvKind::Ballots, "voter,resolution,for\nproxy:,1,5\n").unwrap_err();
        assert!(e.to_string().starts_with("f.csv:2:1: bad-id"), "{e}");
    }

    #[test]
    fn columns_for_rules() {
        let o = Origin {
            line: 3,
            who: 1,
            resolution: 2,
            class: 6,
            amount: 3,
        };
        assert_eq!(o.column_for("over-voting"), 3);
        assert_eq!(o.column_for("unknown-resolution"), 2);
        assert_eq!(o.column_for("unknown-holder"), 1);
    }
}

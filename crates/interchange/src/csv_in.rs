//! The four CSV interchange files -> events, each remembering the line and the columns it
//! came from so a refusal can name `FILE:LINE:COLUMN`.

use scrutin_model::{
    CandidateId, ClassId, Event, HolderId, ProxyId, ResolutionId, UtcMillis, Voter,
};

use crate::error::{shown, ImportError, Rule};
use crate::near::near_miss;

mod kinds;
mod lines;

use kinds::Parsing;
use lines::LineIndex;

/// Which CSV file is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CsvKind {
    /// `holder,name,class,shares`
    Register,
    /// `holder,resolution,restriction,reason`
    Abstentions,
    /// `proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain`
    /// (`class`, `lodged_at`, `sitting` optional)
    Proxies,
    /// `voter,resolution,for,against,abstain` or `voter,resolution,candidate,votes`
    /// (`class` optional)
    Ballots,
    /// `voter` (`sitting`, `attended_at` optional): who is present at the meeting, a holder
    /// in person or `proxy:ID`.
    Attendance,
    /// `proxy` (`revoked_at`, `reason` optional): proxy appointments revoked.
    Revocations,
}

impl CsvKind {
    /// Every kind, in the order a meeting imports them.
    pub const ALL: [CsvKind; 6] = [
        CsvKind::Register,
        CsvKind::Abstentions,
        CsvKind::Proxies,
        CsvKind::Revocations,
        CsvKind::Attendance,
        CsvKind::Ballots,
    ];

    /// The kind's name on the command line (`register`, `abstentions`, ...).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            CsvKind::Register => "register",
            CsvKind::Abstentions => "abstentions",
            CsvKind::Proxies => "proxies",
            CsvKind::Ballots => "ballots",
            CsvKind::Attendance => "attendance",
            CsvKind::Revocations => "revocations",
        }
    }

    /// Every column this kind of file reads, required or optional, in documented order.
    #[must_use]
    pub fn columns(self) -> &'static [&'static str] {
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
                "sitting",
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
            CsvKind::Attendance => &["voter", "sitting", "attended_at"],
            CsvKind::Revocations => &["proxy", "revoked_at", "reason"],
        }
    }
}

/// Every column of a file's header that scrutin reads (1-based; 0 when the file has no such
/// column).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Columns {
    /// `holder` (the appointing holder in a proxies file).
    pub holder: u32,
    /// `proxy` (proxies file) or `voter` (ballots file): who the row is about.
    pub who: u32,
    /// `class`.
    pub class: u32,
    /// `shares`.
    pub shares: u32,
    /// `resolution`.
    pub resolution: u32,
    /// `restriction`.
    pub restriction: u32,
    /// `instruction`.
    pub instruction: u32,
    /// `for`.
    pub for_: u32,
    /// `against`.
    pub against: u32,
    /// `abstain`.
    pub abstain: u32,
    /// `candidate`.
    pub candidate: u32,
    /// `votes`.
    pub votes: u32,
    /// `lodged_at`.
    pub lodged_at: u32,
    /// `sitting` (proxies and attendance files).
    pub sitting: u32,
    /// `attended_at` (attendance file).
    pub attended_at: u32,
}

/// Where an event came from: its first CSV line and the columns of its parts (1-based; 0 when
/// the file has no such column).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The row's line in the file (the header is line 1).
    pub line: u64,
    /// The holder, proxy or voter column.
    pub who: u32,
    /// The resolution column.
    pub resolution: u32,
    /// The class column.
    pub class: u32,
    /// The column of the numbers (shares, the vote split, votes, the restriction).
    pub amount: u32,
    /// Every column of the file's header.
    pub columns: Columns,
    /// For an event grouped from rows, where each part came from, in the event's order: each
    /// instruction of a `ProxyLodged`, each allocation of a cumulative ballot. Empty for any
    /// other event.
    pub parts: Vec<Part>,
}

/// One part of a grouped event, and the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Which part.
    pub key: PartKey,
    /// The row's line in the file.
    pub line: u64,
}

/// What a part of a grouped event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartKey {
    /// A proxy form's instruction on this resolution.
    Instruction(ResolutionId),
    /// A cumulative ballot's allocation to this candidate.
    Allocation(CandidateId),
}

/// The events of one CSV file, with their origins (same length, same order).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CsvImport {
    /// The events, in file order (proxy rows grouped into one `ProxyLodged` per proxy,
    /// cumulative rows into one ballot per voter, resolution and class).
    pub events: Vec<Event>,
    /// Where each event came from.
    pub origins: Vec<Origin>,
    /// Header cells this kind of file does not read, far from any column it reads, in file
    /// order, control characters escaped: a warning to show, not an error (extra columns are
    /// allowed).
    pub ignored_columns: Vec<String>,
}

/// Every column name some CSV kind reads: a header naming one of them is never a near miss.
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
    "sitting",
    "attended_at",
    "revoked_at",
];

/// The header: its cells in file order (trimmed, lowercased for matching) and its line.
pub(crate) struct Header {
    cells: Vec<String>,
    /// The cells as written (trimmed), for messages.
    written: Vec<String>,
    line: u64,
}

impl Header {
    /// The 0-based index of a column scrutin reads.
    pub(crate) fn get(&self, name: &str) -> Option<usize> {
        self.cells.iter().position(|c| c == name)
    }

    /// The index of a column this kind needs, or `missing-column` placed after the last
    /// header cell (where the column would go), listing the header in file order.
    pub(crate) fn require(&self, file: &str, name: &str) -> Result<usize, ImportError> {
        self.get(name).ok_or_else(|| {
            let have = shown(&self.written.join(","));
            // A one-cell header holding `;` or tabs is a file in another separator: the column
            // is inside that cell.
            let other_separator =
                self.cells.len() == 1 && (have.contains(';') || self.cells[0].contains('\t'));
            let (column, hint) = if other_separator {
                (
                    1,
                    " (scrutin reads comma-separated files; this one seems separated by `;` or tabs)",
                )
            } else {
                (self.cells.len() as u64 + 1, "")
            };
            ImportError::new(
                file,
                self.line,
                column,
                Rule::MissingColumn,
                format!("the header has no `{name}` column (it has: {have}){hint}"),
            )
        })
    }

    /// `missing-column` for a need that is not one column (ballots need one of two forms).
    pub(crate) fn missing(&self, file: &str, message: &str) -> ImportError {
        let have = shown(&self.written.join(","));
        ImportError::new(
            file,
            self.line,
            self.cells.len() as u64 + 1,
            Rule::MissingColumn,
            format!("{message} (it has: {have})"),
        )
    }
}

pub(crate) fn col(i: Option<usize>) -> u32 {
    i.map_or(0, |i| u32::try_from(i + 1).unwrap_or(u32::MAX))
}

/// One data row with its line number, for field access with positioned errors.
pub(crate) struct Row<'a> {
    pub(crate) file: &'a str,
    pub(crate) line: u64,
    pub(crate) rec: &'a csv::StringRecord,
}

impl Row<'_> {
    pub(crate) fn err(&self, idx: usize, rule: Rule, msg: impl std::fmt::Display) -> ImportError {
        ImportError::new(self.file, self.line, idx as u64 + 1, rule, msg)
    }

    pub(crate) fn text(&self, idx: Option<usize>) -> &str {
        idx.and_then(|i| self.rec.get(i)).unwrap_or("")
    }

    pub(crate) fn required(&self, idx: usize, name: &str) -> Result<&str, ImportError> {
        let t = self.text(Some(idx));
        if t.is_empty() {
            return Err(self.err(idx, Rule::MissingValue, format!("`{name}` is empty")));
        }
        Ok(t)
    }

    pub(crate) fn holder(&self, idx: usize, name: &str) -> Result<HolderId, ImportError> {
        HolderId::new(self.required(idx, name)?).map_err(|e| self.err(idx, Rule::BadId, e))
    }

    pub(crate) fn resolution(&self, idx: usize) -> Result<ResolutionId, ImportError> {
        ResolutionId::new(self.required(idx, "resolution")?)
            .map_err(|e| self.err(idx, Rule::BadId, e))
    }

    pub(crate) fn class(&self, idx: Option<usize>) -> Result<Option<ClassId>, ImportError> {
        match idx {
            Some(i) if !self.text(Some(i)).is_empty() => ClassId::new(self.text(Some(i)))
                .map(Some)
                .map_err(|e| self.err(i, Rule::BadId, e)),
            _ => Ok(None),
        }
    }

    /// A count: digits, optionally grouped in thousands (see [`ungroup`]); empty is `None`.
    pub(crate) fn count(&self, idx: Option<usize>, name: &str) -> Result<Option<u64>, ImportError> {
        let Some(i) = idx else { return Ok(None) };
        let t = self.text(Some(i));
        if t.is_empty() {
            return Ok(None);
        }
        let Some(digits) = ungroup(t) else {
            return Err(self.err(
                i,
                Rule::BadNumber,
                format!(
                    "`{name}` {t:?} is not a whole number (digits, optionally grouped in \
                     thousands: 1,234,567 or 1 234 567 or 1_234_567)"
                ),
            ));
        };
        digits.parse::<u64>().map(Some).map_err(|_| {
            self.err(
                i,
                Rule::BadNumber,
                format!("`{name}` {t:?} is larger than 18446744073709551615"),
            )
        })
    }

    pub(crate) fn voter(&self, idx: usize) -> Result<Voter, ImportError> {
        let t = self.required(idx, "voter")?;
        match t.strip_prefix(HolderId::PROXY_PREFIX) {
            Some(p) => ProxyId::new(p)
                .map(Voter::Proxy)
                .map_err(|e| self.err(idx, Rule::BadId, e)),
            None => HolderId::new(t)
                .map(Voter::Holder)
                .map_err(|e| self.err(idx, Rule::BadId, e)),
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

fn csv_error(file: &str, e: &csv::Error, lines: &mut LineIndex<'_>) -> ImportError {
    let line = e.position().map_or(1, |p| lines.line_at(p.byte()));
    if let csv::ErrorKind::Utf8 { err, .. } = e.kind() {
        // Excel's plain "CSV" is Windows-1252 (and "Unicode text" UTF-16): say how to fix it.
        return ImportError::new(
            file,
            line,
            err.field() as u64 + 1,
            Rule::BadCsv,
            "the cell is not UTF-8 text (save the file as \"CSV UTF-8\")",
        );
    }
    ImportError::new(file, line, 1, Rule::BadCsv, e)
}

/// Reads the header: a column scrutin reads may not appear twice, and a cell that nearly
/// spells a column of this kind is refused; returns the header and the cells it ignores.
fn read_header(
    kind: CsvKind,
    file: &str,
    rec: &csv::StringRecord,
    line: u64,
) -> Result<(Header, Vec<String>), ImportError> {
    let written: Vec<String> = rec.iter().map(|h| h.trim().to_owned()).collect();
    let cells: Vec<String> = written.iter().map(|h| h.to_lowercase()).collect();
    let mut ignored = Vec::new();
    for (i, h) in cells.iter().enumerate() {
        let at = i as u64 + 1;
        // A column scrutin reads, given twice, would be read from one of the two.
        if READ_COLUMNS.contains(&h.as_str()) && cells[..i].contains(h) {
            return Err(ImportError::new(
                file,
                line,
                at,
                Rule::BadCsv,
                format!("the header names `{}` twice", shown(h)),
            ));
        }
        if h.is_empty() || kind.columns().contains(&h.as_str()) {
            continue;
        }
        // A near miss is refused unless the file also has the column it nearly spells.
        match near_miss(h, kind.columns(), READ_COLUMNS) {
            Some(meant) if !cells.iter().any(|c| c == meant) => {
                return Err(ImportError::new(
                    file,
                    line,
                    at,
                    Rule::MisspeltColumn,
                    format!(
                        "`{}` is not a column scrutin reads; did you mean `{meant}`? (rename \
                         the column: as written, its cells would be ignored)",
                        shown(&written[i])
                    ),
                ));
            }
            _ => ignored.push(shown(&written[i])),
        }
    }
    Ok((
        Header {
            cells,
            written,
            line,
        },
        ignored,
    ))
}

/// Reads a whole CSV file of `kind`, named `file` in errors, into events. `now` is the lodging
/// time of proxies whose row gives no `lodged_at`.
///
/// # Errors
/// The first row (or header cell) that cannot be read, as an [`ImportError`] naming its
/// line, column and rule.
pub fn parse_csv(
    kind: CsvKind,
    file: &str,
    bytes: &[u8],
    now: UtcMillis,
) -> Result<CsvImport, ImportError> {
    parse_csv_with_progress(kind, file, bytes, now, &mut |_| {})
}

/// [`parse_csv`], calling `on_progress` now and then with the number of bytes read so far
/// (for a progress bar), and once at the end with the whole length.
///
/// # Errors
/// As [`parse_csv`].
pub fn parse_csv_with_progress(
    kind: CsvKind,
    file: &str,
    bytes: &[u8],
    now: UtcMillis,
    on_progress: &mut dyn FnMut(u64),
) -> Result<CsvImport, ImportError> {
    let mut lines = LineIndex::new(bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(bytes);
    let mut rec = csv::StringRecord::new();
    // The header is the first record that is not blank.
    let header_line = loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break None,
            Err(e) => return Err(csv_error(file, &e, &mut lines)),
        }
        if !rec.iter().all(str::is_empty) {
            break Some(rec.position().map_or(1, |p| lines.line_at(p.byte())));
        }
    };
    let header_rec = rec.clone();
    let (header, ignored_columns) = read_header(kind, file, &header_rec, header_line.unwrap_or(1))?;
    let width = header.cells.len();
    let mut p = Parsing::new(kind, file, &header, now)?;
    let mut n: u64 = 0;
    if header_line.is_some() {
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
            // A cell beyond the header is almost always an unquoted comma: `1,000` read as
            // the two cells `1` and `000` would record 1 share. Refuse it rather than drop it.
            if let Some(extra) = (width..rec.len()).find(|&i| !rec.get(i).unwrap_or("").is_empty())
            {
                return Err(ImportError::new(
                    file,
                    line,
                    extra as u64 + 1,
                    Rule::BadCsv,
                    format!(
                        "the row has {} cells but the header has {width} (quote a cell that \
                         contains a comma, e.g. \"1,000\")",
                        rec.len()
                    ),
                ));
            }
            p.row(&Row {
                file,
                line,
                rec: &rec,
            })?;
            n += 1;
            if n.is_multiple_of(4096) {
                on_progress(rdr.position().byte());
            }
        }
    }
    on_progress(bytes.len() as u64);
    let mut parsed = p.finish();
    parsed.ignored_columns = ignored_columns;
    Ok(parsed)
}

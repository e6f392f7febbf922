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
use lines::LineReader;

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

fn csv_error<R>(file: &str, e: &csv::Error, lines: &mut LineReader<R>) -> ImportError {
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
    if let csv::ErrorKind::Io(io) = e.kind() {
        // The file is streamed: a read that fails part-way is refused at the line reached.
        return ImportError::new(
            file,
            line,
            1,
            Rule::BadCsv,
            format!("cannot read the file: {io}"),
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

/// The events of a chunk of a CSV file, with their origins (same length, same order).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CsvChunk {
    /// The events, in file order.
    pub events: Vec<Event>,
    /// Where each event came from.
    pub origins: Vec<Origin>,
}

/// A CSV file of one kind read as a stream of [`CsvChunk`]s of at most `chunk` events: the
/// file is never held whole, and what is kept per row (its event and origin) is kept only
/// until its chunk is handed out, so memory is bounded by a chunk, not the file.
///
/// Rows that group into one event across the file (a proxy form's rows share a proxy id; a
/// cumulative ballot's rows share a voter, resolution and class) can only be handed out once
/// the whole file is read, as a later row may still belong to an earlier event: a proxies
/// file, and a ballots file with a `candidate` column, are grouped whole and then handed out
/// in chunks ([`CsvStream::groups_whole_file`]). Every other file (a register, ballots of
/// `for,against,abstain`, abstentions, attendance, revocations) streams.
///
/// The header is read by [`CsvStream::new`]; a row that cannot be read ends the stream with
/// its [`ImportError`] (nothing after it is read).
pub struct CsvStream<R> {
    file: String,
    rdr: csv::Reader<LineReader<R>>,
    rec: csv::StringRecord,
    parsing: Parsing,
    width: usize,
    chunk: usize,
    ignored_columns: Vec<String>,
    /// Rows read (blank lines not counted).
    rows: u64,
    /// Every row is read (or the stream failed).
    read_all: bool,
    /// Grouped events of the whole file, handed out from the front.
    grouped: std::collections::VecDeque<(Event, Origin)>,
}

impl<R: std::io::Read> CsvStream<R> {
    /// Reads the header of a CSV file of `kind` from `reader` (named `file` in errors), to
    /// hand out its events `chunk` at a time (at least one). `now` is the lodging time of
    /// proxies whose row gives no `lodged_at`.
    ///
    /// # Errors
    /// The header's [`ImportError`] (a missing, doubled or misspelt column, a file that is
    /// not UTF-8 CSV).
    pub fn new(
        kind: CsvKind,
        file: &str,
        reader: R,
        now: UtcMillis,
        chunk: usize,
    ) -> Result<Self, ImportError> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(LineReader::new(reader));
        let mut rec = csv::StringRecord::new();
        // The header is the first record that is not blank.
        let header_line = loop {
            match rdr.read_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break None,
                Err(e) => return Err(csv_error(file, &e, rdr.get_mut())),
            }
            if !rec.iter().all(str::is_empty) {
                let byte = rec.position().map_or(0, csv::Position::byte);
                break Some(rdr.get_mut().line_at(byte));
            }
        };
        let (header, ignored_columns) = read_header(kind, file, &rec, header_line.unwrap_or(1))?;
        let parsing = Parsing::new(kind, file, &header, now)?;
        Ok(CsvStream {
            file: file.to_owned(),
            rdr,
            rec,
            width: header.cells.len(),
            parsing,
            chunk: chunk.max(1),
            ignored_columns,
            rows: 0,
            read_all: header_line.is_none(),
            grouped: std::collections::VecDeque::new(),
        })
    }

    /// Header cells this kind of file does not read, far from any column it reads, in file
    /// order, control characters escaped: a warning to show, not an error.
    #[must_use]
    pub fn ignored_columns(&self) -> &[String] {
        &self.ignored_columns
    }

    /// Whether the file's rows group into events across the whole file (a proxies file, a
    /// ballots file with a `candidate` column): its events are then held until every row is
    /// read, and only then handed out in chunks.
    #[must_use]
    pub fn groups_whole_file(&self) -> bool {
        self.parsing.groups()
    }

    /// Bytes read from the file so far.
    #[must_use]
    pub fn bytes_read(&self) -> u64 {
        self.rdr.get_ref().bytes_read()
    }

    /// Data rows read so far (blank lines not counted).
    #[must_use]
    pub fn rows_read(&self) -> u64 {
        self.rows
    }

    /// The next chunk of at most `chunk` events, in file order; `None` once every event has
    /// been handed out.
    ///
    /// # Errors
    /// The first row that cannot be read, as an [`ImportError`] naming its line, column and
    /// rule; the stream then ends.
    pub fn next_chunk(&mut self) -> Result<Option<CsvChunk>, ImportError> {
        if !self.read_all {
            if let Err(e) = self.read_rows() {
                // The stream ends here: nothing parsed before the error is handed out after it.
                self.read_all = true;
                self.grouped.clear();
                drop(self.parsing.take());
                return Err(e);
            }
        }
        let mut out = CsvChunk::default();
        if self.parsing.groups() {
            let n = self.chunk.min(self.grouped.len());
            for (event, origin) in self.grouped.drain(..n) {
                out.events.push(event);
                out.origins.push(origin);
            }
        } else {
            (out.events, out.origins) = self.parsing.take();
        }
        Ok((!out.events.is_empty()).then_some(out))
    }

    /// Reads rows until a chunk's worth of events is parsed (streamed kinds) or the end of
    /// the file (kinds that group, whose events then wait in `grouped`).
    fn read_rows(&mut self) -> Result<(), ImportError> {
        let file = self.file.as_str();
        let width = self.width;
        while self.parsing.groups() || self.parsing.parsed() < self.chunk {
            match self.rdr.read_record(&mut self.rec) {
                Ok(true) => {}
                Ok(false) => {
                    self.read_all = true;
                    if self.parsing.groups() {
                        let (events, origins) = self.parsing.take();
                        self.grouped = events.into_iter().zip(origins).collect();
                    }
                    return Ok(());
                }
                Err(e) => return Err(csv_error(file, &e, self.rdr.get_mut())),
            }
            let byte = self.rec.position().map_or(0, csv::Position::byte);
            let line = self.rdr.get_mut().line_at(byte);
            let rec = &self.rec;
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
            self.parsing.row(&Row { file, line, rec })?;
            self.rows += 1;
        }
        Ok(())
    }
}

impl<R: std::io::Read> Iterator for CsvStream<R> {
    type Item = Result<CsvChunk, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_chunk().transpose()
    }
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
/// (for a progress bar), and once at the end with the whole length. (A file too large to
/// hold is better read with [`CsvStream`].)
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
    let mut stream = CsvStream::new(kind, file, bytes, now, 4096)?;
    let mut out = CsvImport::default();
    while let Some(chunk) = stream.next_chunk()? {
        out.events.extend(chunk.events);
        out.origins.extend(chunk.origins);
        on_progress(stream.bytes_read());
    }
    on_progress(bytes.len() as u64);
    out.ignored_columns = stream.ignored_columns;
    Ok(out)
}

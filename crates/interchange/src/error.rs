//! The crate's one error type: where in which file, which rule, and why.

use std::fmt;

/// The rule an input file broke, as the stable code printed between the position and the
/// message (`FILE:LINE:COLUMN: <rule>: <message>`). Match on the variant, never on the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// The file is not CSV scrutin can read (not UTF-8, a cell beyond the header, a column
    /// named twice): `bad-csv`.
    BadCsv,
    /// The CSV header lacks a column this kind of file needs: `missing-column`.
    MissingColumn,
    /// A header cell is a near miss of a column scrutin reads (`abstian` for `abstain`):
    /// `misspelt-column`.
    MisspeltColumn,
    /// A cell that must have a value is empty: `missing-value`.
    MissingValue,
    /// A count is not a whole number: `bad-number`.
    BadNumber,
    /// An identifier is not a valid holder, proxy, resolution, class or candidate id:
    /// `bad-id`.
    BadId,
    /// A proxy instruction is not one scrutin knows, or carries numbers it must not:
    /// `bad-instruction`.
    BadInstruction,
    /// An abstention restriction is not `abstain` or `against_only`: `bad-restriction`.
    BadRestriction,
    /// A time is not RFC 3339: `bad-time`.
    BadTime,
    /// Rows of one proxy disagree on what the form appoints: `inconsistent-proxy`.
    InconsistentProxy,
    /// One proxy gives two instructions on one resolution: `duplicate-instruction`.
    DuplicateInstruction,
    /// A ballot row mixes the split and the cumulative columns: `mixed-row`.
    MixedRow,
    /// A cumulative ballot names one candidate twice: `duplicate-candidate`. Unlike the other
    /// CSV rules this is a meeting rule (docs/RULES.md), found while grouping rows; see
    /// [`Rule::is_meeting_rule`].
    DuplicateCandidate,
    /// The meeting file is not TOML, or a field has the wrong type or is missing:
    /// `bad-toml`.
    BadToml,
    /// A meeting file field has a value scrutin refuses: `bad-value`.
    BadValue,
    /// A meeting file lacks a table or field it needs: `missing-field`.
    MissingField,
    /// A meeting file field is a near miss of one scrutin reads (`decimal` for `decimals`):
    /// `misspelt-field`.
    MisspeltField,
    /// A row names a sitting the meeting does not hold (a meeting is one general sitting
    /// until sittings are modelled): `unknown-sitting`.
    UnknownSitting,
}

impl Rule {
    /// The stable code, as printed and as listed in docs/CLI.md.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Rule::BadCsv => "bad-csv",
            Rule::MissingColumn => "missing-column",
            Rule::MisspeltColumn => "misspelt-column",
            Rule::MissingValue => "missing-value",
            Rule::BadNumber => "bad-number",
            Rule::BadId => "bad-id",
            Rule::BadInstruction => "bad-instruction",
            Rule::BadRestriction => "bad-restriction",
            Rule::BadTime => "bad-time",
            Rule::InconsistentProxy => "inconsistent-proxy",
            Rule::DuplicateInstruction => "duplicate-instruction",
            Rule::MixedRow => "mixed-row",
            Rule::DuplicateCandidate => "duplicate-candidate",
            Rule::BadToml => "bad-toml",
            Rule::BadValue => "bad-value",
            Rule::MissingField => "missing-field",
            Rule::MisspeltField => "misspelt-field",
            Rule::UnknownSitting => "unknown-sitting",
        }
    }

    /// Whether the file was understood and a meeting rule refuses it (the CLI exits 1, as for
    /// a row the ledger refuses) rather than the file not being readable (exit 2).
    #[must_use]
    pub fn is_meeting_rule(self) -> bool {
        matches!(self, Rule::DuplicateCandidate)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why an input file was refused, and where: printed `FILE:LINE:COLUMN: <rule>: <message>`.
///
/// `line` is the line in the file as an editor shows it (1-based; the CSV header is line 1),
/// `column` the 1-based CSV cell or, in a meeting file, the 1-based character in the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {rule}: {message}")]
pub struct ImportError {
    /// The file's name, as given to the parser.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column (CSV cell, or character in a meeting file's line).
    pub column: u64,
    /// The rule broken.
    pub rule: Rule,
    /// What is wrong, naming the values read (escaped).
    pub message: String,
}

impl ImportError {
    pub(crate) fn new(
        file: &str,
        line: u64,
        column: u64,
        rule: Rule,
        message: impl fmt::Display,
    ) -> Self {
        ImportError {
            file: file.to_owned(),
            line,
            column,
            rule,
            message: message.to_string(),
        }
    }
}

/// Text read from a file, made safe to print: control characters (a terminal escape, a stray
/// carriage return) are shown escaped; everything else is kept.
pub(crate) fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

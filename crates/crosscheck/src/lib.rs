//! `scrutin-crosscheck`: reads a published poll-results announcement (text copied from the
//! issuer's PDF or web page) and checks every figure it claims against the tally recomputed
//! from the ledger.
//!
//! [`crosscheck`] extracts the claims (per resolution: number, kind, for / against / abstain
//! counts and printed percentages, per-class rows, the pass statement; attendance; the
//! must-abstain and Rule 13.40 statements; the scrutineer), compares each with the
//! [`Recomputed`] meeting, and names the kind of every difference ([`DifferenceKind`]: a typo,
//! a truncated or otherwise rounded percentage, other decimals, another denominator, a row
//! forced to total 100, interchanged columns, a resolution or figure missing from the text,
//! or one the ledger does not have). A line it could not read is listed in
//! [`CrossCheck::unparsed`], never skipped.
//!
//! Pure and exact: no files, no floats; percentages are compared as integer mantissas against
//! the exact ratio of the counts.
//!
//! ```
//! use scrutin_crosscheck::{parse_percent, classify_percent, DifferenceKind, PercentContext};
//! let printed = parse_percent("（94.9905%）").unwrap();
//! let ctx = PercentContext { num: 999_905, den: 1_000_000, decimals: 4, other_dens: &[], row_forced: false };
//! assert_eq!(classify_percent(&printed, &ctx), Some(DifferenceKind::Typo));
//! let truncated = parse_percent("approximately 66.6666%").unwrap();
//! let ctx = PercentContext { num: 2, den: 3, ..ctx };
//! assert_eq!(classify_percent(&truncated, &ctx), Some(DifferenceKind::Truncated));
//! ```

mod check;
mod classify;
mod parse;
mod row;
mod text;

use serde::Serialize;

use scrutin_model::{MeetingConvened, Resolution, RulesProfile, ShareClass, Sitting};
use scrutin_tally::Tally;

pub use classify::{
    classify_percent, half_up, roundings, sums_to_100, DifferenceKind, PercentContext, Printed,
    MAX_PLACES,
};
pub use row::{classify_row, ClaimedRow, RowBasis, RowVerdict};

/// The recomputed meeting an announcement is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Recomputed<'a> {
    /// The tally recomputed from the ledger.
    pub tally: &'a Tally,
    /// The meeting's rules (decimals, denominator, thresholds).
    pub rules: &'a RulesProfile,
    /// The share classes (names and votes per share).
    pub classes: &'a [ShareClass],
    /// The resolutions as proposed (kinds, per-resolution weights).
    pub resolutions: &'a [Resolution],
    /// The scrutineer's name as the ledger records it (may be empty).
    pub scrutineer: &'a str,
    /// The sittings convened (empty: one general sitting). A section of the text headed
    /// `"ATTENDANCE OF THE <title>"` with a class sitting's title is checked against that
    /// sitting's figures (`sittings[id=ID].entitled`, `.represented`, ...).
    pub sittings: &'a [Sitting],
}

impl<'a> Recomputed<'a> {
    /// The recomputed meeting from its convening event, its resolutions and its tally.
    pub fn new(
        tally: &'a Tally,
        convened: &'a MeetingConvened,
        resolutions: &'a [Resolution],
    ) -> Recomputed<'a> {
        Recomputed {
            tally,
            rules: &convened.rules,
            classes: &convened.classes,
            resolutions,
            scrutineer: &convened.scrutineer,
            sittings: &[],
        }
    }

    /// The same, with the meeting's sittings (for an announcement with one section per
    /// sitting).
    #[must_use]
    pub fn with_sittings(self, sittings: &'a [Sitting]) -> Recomputed<'a> {
        Recomputed { sittings, ..self }
    }
}

/// One figure or statement read from the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// Where, as `verify --expect` names it (`resolutions[id=2].for_pct`, `represented`).
    pub path: String,
    /// The line of the text (1-based).
    pub line: usize,
    /// The figure or statement as printed (a percentage without its `%`).
    pub claimed: String,
    /// The recomputed figure it was compared with (`(absent)` when the ledger has none).
    pub recomputed: String,
}

/// A claim that differs from the recomputed meeting, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// Where (see [`Claim::path`]).
    pub path: String,
    /// The line of the text; `None` for what the text lacks.
    pub line: Option<usize>,
    /// As printed (`(absent)` when the text lacks it).
    pub claimed: String,
    /// As recomputed (`(absent)` when the ledger has no such thing).
    pub recomputed: String,
    /// What kind of error explains it.
    pub kind: DifferenceKind,
}

/// A line of the text that holds figures or a statement that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unparsed {
    /// The line (1-based).
    pub line: usize,
    /// Its text (or the sentence, for prose).
    pub text: String,
}

/// The result of [`crosscheck`]: serialises to `{claims, matched, differences, unparsed}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CrossCheck {
    /// Every claim read from the text, in the order of the text.
    pub claims: Vec<Claim>,
    /// Paths of the claims equal to the recomputed figures.
    pub matched: Vec<String>,
    /// Every difference, classified: claims in the order of the text, then what it lacks.
    pub differences: Vec<Difference>,
    /// What could not be read.
    pub unparsed: Vec<Unparsed>,
}

impl CrossCheck {
    /// No difference and nothing unread: every figure of the text was checked and is right.
    pub fn is_clean(&self) -> bool {
        self.differences.is_empty() && self.unparsed.is_empty()
    }

    /// The differences at `path`.
    pub fn at<'s>(&'s self, path: &'s str) -> impl Iterator<Item = &'s Difference> + 's {
        self.differences.iter().filter(move |d| d.path == path)
    }
}

/// Reads `text` (a poll-results announcement) and compares every claim with `recomputed`.
pub fn crosscheck(text: &str, recomputed: &Recomputed<'_>) -> CrossCheck {
    let hints: Vec<parse::ClassHint> = recomputed
        .classes
        .iter()
        .map(|c| parse::ClassHint {
            id: c.id.as_str().to_owned(),
            name: c.name.clone(),
        })
        .collect();
    let parsed = parse::parse(text, &hints);
    check::compare(&parsed, recomputed)
}

/// A percentage as printed, with the noise of copying: `99.6149`, `(99.6149%)`,
/// `approximately 53.31%`, `（72.33%）`. `None` when it is not one.
pub fn parse_percent(s: &str) -> Option<Printed> {
    text::parse_percent(s).map(|(p, _)| p)
}

/// A count as printed: digits with optional `,` thousands separators (`516,237,845`).
pub fn parse_count(s: &str) -> Option<u128> {
    text::parse_count(s)
}

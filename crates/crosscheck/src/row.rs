//! Classifying the figures of one results row (for / against / abstain, counts and printed
//! percentages) against the recomputed counts: shared by the announcement cross-check and by
//! `scrutin::compare_tally` (`verify --expect`).

use scrutin_model::Denominator;

use crate::classify::{
    classify_percent, half_up, sums_to_100, DifferenceKind, PercentContext, Printed,
};

/// The figures a text or a claimed tally gives for one row, by column (0 for, 1 against,
/// 2 abstain); `None` where it gives none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimedRow {
    /// Counts claimed for, against, abstain.
    pub counts: [Option<u128>; 3],
    /// Percentages claimed for, against, abstain.
    pub pcts: [Option<Printed>; 3],
}

/// What a row is recomputed from: its counts and the meeting's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowBasis {
    /// Votes for, against, abstaining.
    pub counts: [u128; 3],
    /// The meeting's denominator of the for and against percentages (abstentions are always a
    /// percentage of for + against + abstain).
    pub denominator: Denominator,
    /// The meeting's decimal places.
    pub decimals: u32,
    /// Shares represented at the meeting (another denominator a publisher may have used;
    /// 0 when unknown).
    pub represented: u128,
    /// Votes entitled to be cast on the resolution (another denominator a publisher may have
    /// used: the shares entitled to vote; 0 when unknown).
    pub entitled: u128,
}

impl RowBasis {
    /// The denominator of column `i` under the meeting's rules.
    pub fn base(&self, i: usize) -> u128 {
        let [f, a, b] = self.counts;
        match (i, self.denominator) {
            (0 | 1, Denominator::ForAgainst) => f.saturating_add(a),
            _ => f.saturating_add(a).saturating_add(b),
        }
    }

    /// The percentage the meeting prints in column `i`.
    pub fn printed(&self, i: usize) -> Printed {
        Printed {
            mantissa: half_up(self.counts[i], self.base(i), self.decimals).unwrap_or(0),
            places: self.decimals,
        }
    }
}

/// The verdict on each claimed figure of a row: `[counts, percentages]` by column; `None`
/// where the figure matches or is not claimed.
pub type RowVerdict = [[Option<DifferenceKind>; 3]; 2];

/// Classifies every claimed figure of a row. Columns interchanged (both ways) are `swapped`;
/// a count that differs otherwise is a `typo`; a percentage is classified by
/// [`classify_percent`], knowing whether the printed row was forced to total 100.
#[allow(clippy::needless_range_loop)] // three parallel arrays indexed by column
pub fn classify_row(claimed: &ClaimedRow, basis: &RowBasis) -> RowVerdict {
    let mut out: RowVerdict = [[None; 3]; 2];
    let rec_p: [Printed; 3] = [basis.printed(0), basis.printed(1), basis.printed(2)];
    for i in 0..3 {
        if let Some(c) = claimed.counts[i] {
            if c != basis.counts[i] {
                let swapped = (0..3).any(|j| {
                    j != i
                        && c == basis.counts[j]
                        && claimed.counts[j] == Some(basis.counts[i])
                        && basis.counts[i] != basis.counts[j]
                });
                out[0][i] = Some(if swapped {
                    DifferenceKind::Swapped
                } else {
                    DifferenceKind::Typo
                });
            }
        }
    }
    // The columns that sum to 100 under the meeting's rules.
    let group: &[usize] = match basis.denominator {
        Denominator::ForAgainst => &[0, 1],
        Denominator::ForAgainstAbstain => &[0, 1, 2],
    };
    let claimed_group: Option<Vec<&Printed>> =
        group.iter().map(|&i| claimed.pcts[i].as_ref()).collect();
    let row_forced = claimed_group.is_some_and(|g| sums_to_100(&g))
        && !sums_to_100(&group.iter().map(|&i| &rec_p[i]).collect::<Vec<_>>());
    let [f, a, b] = basis.counts;
    for i in 0..3 {
        let Some(p) = &claimed.pcts[i] else { continue };
        if *p == rec_p[i] {
            continue;
        }
        let swapped = (0..3).any(|j| {
            j != i
                && *p == rec_p[j]
                && claimed.pcts[j].as_ref() == Some(&rec_p[i])
                && rec_p[i] != rec_p[j]
        });
        if swapped {
            out[1][i] = Some(DifferenceKind::Swapped);
            continue;
        }
        let den = basis.base(i);
        let others: Vec<u128> = [
            f.saturating_add(a),
            f.saturating_add(a).saturating_add(b),
            basis.represented,
            basis.entitled,
        ]
        .into_iter()
        .filter(|&d| d != 0 && d != den)
        .collect();
        out[1][i] = classify_percent(
            p,
            &PercentContext {
                num: basis.counts[i],
                den,
                decimals: basis.decimals,
                other_dens: &others,
                row_forced,
            },
        );
    }
    out
}

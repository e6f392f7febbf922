//! Exact percentages and the classification of a printed figure that differs from the
//! recomputed one. Integers only: a percentage is the exact ratio `num / den`, and a printed
//! figure is an integer mantissa with a number of decimal places.

use std::fmt;

use scrutin_tally::mul_div;
use serde::Serialize;

/// What kind of error explains a difference between a printed figure and the recomputed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DifferenceKind {
    /// The digits differ beyond any rounding, denominator or column mix-up.
    Typo,
    /// The printed percentage is the exact one truncated, not rounded, at the meeting's places.
    Truncated,
    /// The printed percentage is the exact one under another rounding rule (half-even,
    /// half-down, up) at the meeting's places.
    Rounding,
    /// The printed percentage has more or fewer decimal places than the meeting's, and is right
    /// at the places printed.
    Decimals,
    /// The printed percentage is right under another denominator: for + against, for +
    /// against + abstain, or the shares represented.
    Denominator,
    /// A percentage of a row adjusted (up or down one unit) so that the row sums to 100.
    ForcedTotal,
    /// Two columns of a row interchanged.
    Swapped,
    /// The ledger has a resolution or figure that the text lacks.
    Missing,
    /// The text claims something that the ledger does not have.
    Extra,
}

impl DifferenceKind {
    /// The kind's name as printed and serialised (`forced-total`).
    pub fn name(self) -> &'static str {
        match self {
            DifferenceKind::Typo => "typo",
            DifferenceKind::Truncated => "truncated",
            DifferenceKind::Rounding => "rounding",
            DifferenceKind::Decimals => "decimals",
            DifferenceKind::Denominator => "denominator",
            DifferenceKind::ForcedTotal => "forced-total",
            DifferenceKind::Swapped => "swapped",
            DifferenceKind::Missing => "missing",
            DifferenceKind::Extra => "extra",
        }
    }
}

impl fmt::Display for DifferenceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A percentage as printed: `mantissa / 10^places` percent (`99.9955` is `999955`, 4 places).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Printed {
    /// The digits without the decimal point.
    pub mantissa: u128,
    /// Decimal places printed.
    pub places: u32,
}

impl Printed {
    /// The canonical text: `99.9955`, `100`, `0.000000`.
    pub fn text(&self) -> String {
        if self.places == 0 {
            return self.mantissa.to_string();
        }
        let scale = 10u128.pow(self.places);
        format!(
            "{}.{:0width$}",
            self.mantissa / scale,
            self.mantissa % scale,
            width = self.places as usize
        )
    }
}

/// Largest number of decimal places compared (beyond it, a figure is read but not rounded).
pub const MAX_PLACES: u32 = 18;

/// `num / den` percent at `places` decimals: the truncated value and the remainder, exactly
/// (`None` for a zero denominator, too many places, or a value beyond 128 bits).
pub(crate) fn scaled(num: u128, den: u128, places: u32) -> Option<(u128, u128)> {
    if places > MAX_PLACES {
        return None;
    }
    mul_div(num, 100 * 10u128.pow(places), den)
}

/// The roundings of `num / den` percent at `places` decimals: (half-up, floor, ceiling,
/// half-even, half-down), or `None` when it cannot be computed (zero denominator).
pub fn roundings(num: u128, den: u128, places: u32) -> Option<[u128; 5]> {
    let (q, r) = scaled(num, den, places)?;
    let up = q.saturating_add(u128::from(r > 0));
    // r < den, so 2r cannot overflow when den < 2^127; compare r with den - r instead.
    let half_up = if r >= den - r && r > 0 { q + 1 } else { q };
    let half_down = if r > den - r { q + 1 } else { q };
    let half_even = if r > den - r || (r == den - r && r > 0 && q % 2 == 1) {
        q + 1
    } else {
        q
    };
    Some([half_up, q, up, half_even, half_down])
}

/// `num / den` percent rounded half-up at `places` (what the meeting prints).
pub fn half_up(num: u128, den: u128, places: u32) -> Option<u128> {
    roundings(num, den, places).map(|r| r[0])
}

/// What a printed percentage is claimed against: the exact ratio, the meeting's decimals,
/// the other denominators a publisher might have used, and whether the printed row was
/// forced to total 100 (its printed percentages sum to exactly 100 while the recomputed
/// ones do not).
#[derive(Debug, Clone)]
pub struct PercentContext<'a> {
    /// The numerator (votes for, against, abstaining; shares represented).
    pub num: u128,
    /// The denominator the meeting's rules use.
    pub den: u128,
    /// The meeting's decimal places.
    pub decimals: u32,
    /// Other denominators under which the figure would be "right".
    pub other_dens: &'a [u128],
    /// Whether the printed row sums to exactly 100 while the recomputed row does not.
    pub row_forced: bool,
}

/// Classifies a printed percentage against the exact one: `None` when it is what the meeting
/// prints (half-up at the meeting's decimals), else the kind of error that explains it.
/// Column swaps are a property of the row and are decided by the caller first.
pub fn classify_percent(p: &Printed, ctx: &PercentContext<'_>) -> Option<DifferenceKind> {
    let at_meeting = roundings(ctx.num, ctx.den, ctx.decimals);
    if p.places == ctx.decimals && at_meeting.is_some_and(|r| r[0] == p.mantissa) {
        return None;
    }
    if p.places != ctx.decimals {
        if roundings(ctx.num, ctx.den, p.places).is_some_and(|r| r.contains(&p.mantissa)) {
            return Some(DifferenceKind::Decimals);
        }
        if ctx.other_dens.iter().any(|&d| {
            roundings(ctx.num, d, p.places)
                .is_some_and(|r| r[0] == p.mantissa || r[1] == p.mantissa)
        }) {
            return Some(DifferenceKind::Denominator);
        }
        return Some(DifferenceKind::Typo);
    }
    if let Some([_, floor, ceil, even, down]) = at_meeting {
        if ctx.row_forced && (p.mantissa == floor || p.mantissa == ceil) {
            return Some(DifferenceKind::ForcedTotal);
        }
        if p.mantissa == floor {
            return Some(DifferenceKind::Truncated);
        }
        if p.mantissa == ceil || p.mantissa == even || p.mantissa == down {
            return Some(DifferenceKind::Rounding);
        }
    }
    if ctx.other_dens.iter().any(|&d| {
        d != ctx.den
            && roundings(ctx.num, d, p.places)
                .is_some_and(|r| r[0] == p.mantissa || r[1] == p.mantissa)
    }) {
        return Some(DifferenceKind::Denominator);
    }
    Some(DifferenceKind::Typo)
}

/// Whether printed percentages sum to exactly 100 (at the largest places among them).
pub fn sums_to_100(printed: &[&Printed]) -> bool {
    let Some(places) = printed.iter().map(|p| p.places).max() else {
        return false;
    };
    if places > MAX_PLACES {
        return false;
    }
    let mut sum: u128 = 0;
    for p in printed {
        let Some(v) = 10u128
            .checked_pow(places - p.places)
            .and_then(|f| p.mantissa.checked_mul(f))
        else {
            return false;
        };
        sum = sum.saturating_add(v);
    }
    Some(sum) == 10u128.checked_pow(places).and_then(|s| s.checked_mul(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(m: u128, places: u32) -> Printed {
        Printed {
            mantissa: m,
            places,
        }
    }

    fn ctx(num: u128, den: u128, decimals: u32) -> PercentContext<'static> {
        PercentContext {
            num,
            den,
            decimals,
            other_dens: &[],
            row_forced: false,
        }
    }

    #[test]
    fn roundings_are_exact() {
        // 1/8 = 12.5%: at 0 places half-up 13, floor 12, ceil 13, half-even 12, half-down 12.
        assert_eq!(roundings(1, 8, 0), Some([13, 12, 13, 12, 12]));
        assert_eq!(roundings(1, 3, 2), Some([3333, 3333, 3334, 3333, 3333]));
        assert_eq!(roundings(1, 0, 2), None);
        assert_eq!(half_up(516_237_845, 516_261_145, 4), Some(999_955));
    }

    #[test]
    fn each_kind_of_printed_error_is_named() {
        // 2/3 = 66.6666...%
        assert_eq!(classify_percent(&p(666_667, 4), &ctx(2, 3, 4)), None);
        assert_eq!(
            classify_percent(&p(666_666, 4), &ctx(2, 3, 4)),
            Some(DifferenceKind::Truncated)
        );
        assert_eq!(
            classify_percent(&p(6667, 2), &ctx(2, 3, 4)),
            Some(DifferenceKind::Decimals)
        );
        assert_eq!(
            classify_percent(&p(616_667, 4), &ctx(2, 3, 4)),
            Some(DifferenceKind::Typo)
        );
        // 1/8 = 12.5 at 0 places: half-even prints 12 (which is also the floor: truncated).
        assert_eq!(
            classify_percent(&p(12, 0), &ctx(1, 8, 0)),
            Some(DifferenceKind::Truncated)
        );
        // 3/8 = 37.5: half-even 38 = half-up; half-down 37 = floor. 5/8 = 62.5 at 0: half-even 62.
        assert_eq!(
            classify_percent(&p(62, 0), &ctx(5, 8, 0)),
            Some(DifferenceKind::Truncated)
        );
        // 1/3 = 33.33..%: the ceiling 33.34 is another rounding rule.
        assert_eq!(
            classify_percent(&p(3334, 2), &ctx(1, 3, 2)),
            Some(DifferenceKind::Rounding)
        );
        let dens = [4u128];
        let c = PercentContext {
            other_dens: &dens,
            ..ctx(1, 3, 2)
        };
        assert_eq!(
            classify_percent(&p(2500, 2), &c),
            Some(DifferenceKind::Denominator)
        );
        let c = PercentContext {
            row_forced: true,
            ..ctx(1, 3, 2)
        };
        assert_eq!(
            classify_percent(&p(3334, 2), &c),
            Some(DifferenceKind::ForcedTotal)
        );
    }

    #[test]
    fn sums() {
        assert!(sums_to_100(&[&p(999_955, 4), &p(45, 4), &p(0, 4)]));
        assert!(sums_to_100(&[&p(9999, 2), &p(1, 2)]));
        assert!(!sums_to_100(&[&p(999_954, 4), &p(45, 4)]));
        assert!(!sums_to_100(&[]));
    }
}

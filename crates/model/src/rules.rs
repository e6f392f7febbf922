//! How a meeting counts: thresholds, denominators, rounding and proxy precedence.

use std::fmt;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::ModelError;

/// A pass threshold as an exact fraction: `votes / base > num / den` (strict) or `>=`.
///
/// INVARIANT: `0 < den`, `num <= den`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct Threshold {
    /// Numerator of the fraction.
    pub num: u32,
    /// Denominator of the fraction.
    pub den: u32,
    /// `true`: more than the fraction is needed; `false`: at least the fraction.
    pub strict: bool,
}

impl Threshold {
    /// More than half (an ordinary resolution; a tie fails).
    pub const MORE_THAN_HALF: Threshold = Threshold {
        num: 1,
        den: 2,
        strict: true,
    };
    /// At least three quarters (HK, Bermuda, many Cayman articles: special resolutions).
    pub const THREE_QUARTERS: Threshold = Threshold {
        num: 3,
        den: 4,
        strict: false,
    };
    /// At least two thirds (PRC; the Cayman statutory default for special resolutions).
    pub const TWO_THIRDS: Threshold = Threshold {
        num: 2,
        den: 3,
        strict: false,
    };

    /// Builds a threshold, checking its invariant.
    ///
    /// # Errors
    /// [`ModelError::InvalidField`] when `den` is zero or `num > den`.
    pub fn new(num: u32, den: u32, strict: bool) -> Result<Threshold, ModelError> {
        let t = Threshold { num, den, strict };
        t.validate()?;
        Ok(t)
    }

    /// Re-checks the invariant.
    ///
    /// # Errors
    /// [`ModelError::InvalidField`] when `den` is zero or `num > den`.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.den == 0 || self.num > self.den {
            return Err(ModelError::InvalidField {
                field: "threshold",
                reason: format!(
                    "{}/{} is not a fraction between 0 and 1",
                    self.num, self.den
                ),
            });
        }
        Ok(())
    }

    /// Whether `votes` out of `base` meets the threshold, decided on integers only:
    /// `votes * den > num * base` (strict) or `>=`. A zero base never passes.
    pub fn is_met(&self, votes: u128, base: u128) -> bool {
        if base == 0 {
            return false;
        }
        // Exact 256-bit products: vote totals of weighted classes can exceed 2^96, where a
        // u128 product would overflow (and panic with overflow checks on).
        let lhs = mul_wide(votes, self.den);
        let rhs = mul_wide(base, self.num);
        if self.strict {
            lhs > rhs
        } else {
            lhs >= rhs
        }
    }
}

/// `a * b` exactly, as (high 128 bits, low 128 bits); tuples compare as the 256-bit number.
fn mul_wide(a: u128, b: u32) -> (u128, u128) {
    const LOW64: u128 = (1 << 64) - 1;
    let b = u128::from(b);
    // Each half times a u32 fits in 96 bits.
    let low = (a & LOW64) * b;
    let high = (a >> 64) * b;
    let (sum, carry) = (high << 64).overflowing_add(low);
    ((high >> 64) + u128::from(carry), sum)
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = if self.strict { "more than" } else { "at least" };
        write!(f, "{op} {}/{}", self.num, self.den)
    }
}

/// Which votes form the base of a resolution's percentages and pass test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Denominator {
    /// Votes cast for + against; abstentions are not votes (HK Cap 622, Cayman, Bermuda).
    ForAgainst,
    /// Votes for + against + abstain: an abstention counts against (PRC Company Law).
    ForAgainstAbstain,
}

/// A named jurisdiction preset, or a custom profile from the meeting file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Hong Kong incorporated (Companies Ordinance Cap 622).
    Hk,
    /// PRC incorporated (Company Law).
    Prc,
    /// Cayman Islands.
    Cayman,
    /// Bermuda.
    Bermuda,
    /// Given in full by the meeting file.
    Custom,
}

impl Preset {
    /// The preset's name as written in `meeting.toml` (`hk`, `prc`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Preset::Hk => "hk",
            Preset::Prc => "prc",
            Preset::Cayman => "cayman",
            Preset::Bermuda => "bermuda",
            Preset::Custom => "custom",
        }
    }

    /// Parses a preset name.
    ///
    /// # Errors
    /// [`ModelError::InvalidField`] for an unknown name.
    pub fn parse(name: &str) -> Result<Preset, ModelError> {
        Ok(match name {
            "hk" => Preset::Hk,
            "prc" => Preset::Prc,
            "cayman" => Preset::Cayman,
            "bermuda" => Preset::Bermuda,
            "custom" => Preset::Custom,
            other => {
                return Err(ModelError::InvalidField {
                    field: "rules",
                    reason: format!(
                        "unknown rules profile {other:?} (hk|prc|cayman|bermuda|custom)"
                    ),
                })
            }
        })
    }
}

/// How a meeting counts. Every jurisdictional difference is data here, never a constant in code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct RulesProfile {
    /// The preset this profile started from (informational once built).
    pub preset: Preset,
    /// Threshold for ordinary resolutions.
    pub ordinary: Threshold,
    /// Threshold for special resolutions (and the value test of a scheme of arrangement).
    pub special: Threshold,
    /// Base of percentages and of the pass test.
    pub denominator: Denominator,
    /// Some PRC issuers count shares present but not voted on a resolution as abstentions.
    pub unvoted_as_abstain: bool,
    /// Decimal places of printed percentages, 0 to 6.
    pub decimals: u8,
    /// A later proxy for the same shares replaces an earlier one (`false`: the later is refused).
    pub later_proxy_wins: bool,
    /// Minimum a candidate needs in a cumulative election, as a fraction of the voting shares
    /// represented on that resolution (often more than half).
    pub cumulative_minimum: Threshold,
    /// Largest share of all disinterested votes that may be cast against a scheme of
    /// arrangement (10%: "at most", so not strict).
    pub scheme_max_against: Threshold,
}

impl RulesProfile {
    /// The profile of a preset with the given percentage decimals.
    /// `Custom` starts from the HK values; the meeting file then overrides them.
    pub fn preset(preset: Preset, decimals: u8) -> RulesProfile {
        let (special, denominator) = match preset {
            Preset::Hk | Preset::Bermuda | Preset::Custom => {
                (Threshold::THREE_QUARTERS, Denominator::ForAgainst)
            }
            Preset::Cayman => (Threshold::TWO_THIRDS, Denominator::ForAgainst),
            Preset::Prc => (Threshold::TWO_THIRDS, Denominator::ForAgainstAbstain),
        };
        RulesProfile {
            preset,
            ordinary: Threshold::MORE_THAN_HALF,
            special,
            denominator,
            unvoted_as_abstain: false,
            decimals,
            later_proxy_wins: true,
            cumulative_minimum: Threshold::MORE_THAN_HALF,
            scheme_max_against: Threshold {
                num: 1,
                den: 10,
                strict: false,
            },
        }
    }

    /// Checks the profile's invariants.
    ///
    /// # Errors
    /// [`ModelError::InvalidField`] for decimals above 6 or an invalid threshold.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.decimals > 6 {
            return Err(ModelError::InvalidField {
                field: "decimals",
                reason: format!("{} is more than 6", self.decimals),
            });
        }
        self.ordinary.validate()?;
        self.special.validate()?;
        self.cumulative_minimum.validate()?;
        self.scheme_max_against.validate()
    }
}

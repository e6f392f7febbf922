//! The count: per resolution, per class and in total. Serialises to the tally JSON of docs/CLI.md.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The result of a meeting's poll as derived from its events. Counts are votes (shares times
/// votes per share) as exact integers; percentages are strings with the meeting's decimals.
///
/// The JSON form (`to_json`) is the `scrutin tally --json` contract of docs/CLI.md; fields beyond
/// the contract are additions, never renames.
///
/// The JSON has formats: a result declaration certifies the SHA-256 of the JSON of one format
/// (`ResultDeclared`: format 1; `ResultDeclaredV2`: the format it names). Format 1 is the JSON
/// before any field was added; every field added since is left out of it by
/// [`Tally::json_of_format`], so a declaration made by an earlier build still verifies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// The tally JSON format (absent in format 1). Added in format 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<u16>,
    /// The meeting's id.
    pub meeting: String,
    /// Attendance per share class.
    pub classes: Vec<ClassAttendance>,
    /// Shares entitling holders to attend and vote (all classes, treasury excluded).
    pub entitled: u128,
    /// Shares represented at the meeting, in person or by proxy.
    pub represented: u128,
    /// `represented / entitled` as a percentage string.
    pub represented_pct: String,
    /// One entry per resolution, in the order proposed.
    pub resolutions: Vec<ResolutionTally>,
    /// Attendance per sitting: the general meeting and each class meeting held beside it (a
    /// meeting without sittings has one, `general`). Added in format 2.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sittings: Vec<SittingAttendance>,
}

/// Attendance of one sitting (added in format 2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SittingAttendance {
    /// The sitting's id (`general` for the implicit general sitting).
    pub id: String,
    /// `general` or `class`.
    pub kind: String,
    /// The class of a class sitting; absent for the general sitting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Shares of the classes it covers entitling holders to attend and vote there.
    pub entitled: u128,
    /// Of them, shares represented there, in person or by a proxy appointed for it.
    pub represented: u128,
    /// `represented / entitled` as a percentage string.
    pub represented_pct: String,
    /// Holders present there, in person or by proxy (each holder once).
    pub holders_present: u64,
    /// Holders present there in person.
    pub holders_in_person: u64,
    /// Holders not present in person whose shares a proxy present there represents.
    pub holders_by_proxy: u64,
}

/// Attendance of one share class.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassAttendance {
    /// The class id.
    pub id: String,
    /// Shares of the class entitling holders to attend and vote (treasury excluded).
    pub entitled: u128,
    /// Shares of the class represented in person or by proxy.
    pub represented: u128,
    /// `represented / entitled` as a percentage string (an addition to the contract).
    #[serde(default)]
    pub represented_pct: String,
}

/// The count of one resolution.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolutionTally {
    /// The resolution's id.
    pub id: String,
    /// `ordinary`, `special`, `cumulative` or `scheme`.
    pub kind: String,
    /// Votes entitled to be cast on this resolution (must-abstain holders excluded).
    pub entitled: u128,
    /// Votes of holders required to abstain (Rule 2.15 / 14A.36).
    pub must_abstain: u128,
    /// Votes of holders who may vote only against (Rule 13.40).
    pub against_only: u128,
    /// Votes for.
    #[serde(rename = "for")]
    pub for_: u128,
    /// Votes against.
    pub against: u128,
    /// Votes abstaining (including, where the profile says so, shares present but not voted).
    pub abstain: u128,
    /// `for` as a percentage of the profile's denominator.
    pub for_pct: String,
    /// `against` as a percentage of the profile's denominator.
    pub against_pct: String,
    /// `abstain` as a percentage of for + against + abstain (or of the denominator, PRC).
    pub abstain_pct: String,
    /// Whether the resolution passed, decided on integers.
    pub passed: bool,
    /// Votes tendered but not counted (sum over `disregarded_ballots`).
    pub disregarded: u128,
    /// Each ballot not counted, and why (an addition to the contract).
    #[serde(default)]
    pub disregarded_ballots: Vec<Disregarded>,
    /// Votes per class (class id -> counts).
    pub by_class: BTreeMap<String, ClassVotes>,
    /// Candidates of a cumulative resolution, in ballot order; empty otherwise.
    pub candidates: Vec<CandidateResult>,
    /// Extra tests of a scheme of arrangement; `None` for other kinds (an addition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<SchemeTests>,
    /// Holders whose counted votes include votes for (a holder voting through several
    /// proxies counts once; one splitting counts both for and against). Added in format 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holders_for: Option<u64>,
    /// Holders whose counted votes include votes against. Added in format 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holders_against: Option<u64>,
    /// Holders present at the resolution's sitting, in person or by proxy, holding shares
    /// of a class voting on it. Added in format 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holders_present: Option<u64>,
}

/// Votes of one class on one resolution.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassVotes {
    /// Votes for.
    #[serde(rename = "for")]
    pub for_: u128,
    /// Votes against.
    pub against: u128,
    /// Votes abstaining.
    pub abstain: u128,
}

/// A ballot (or part of one) that was tendered but not counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disregarded {
    /// The voter as in ballot files: a holder id or `proxy:ID`.
    pub voter: String,
    /// The votes not counted.
    pub votes: u128,
    /// The rule that excluded them, in words.
    pub reason: String,
}

/// A candidate's result in a cumulative election.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateResult {
    /// The candidate's id.
    pub id: String,
    /// Votes received.
    pub votes: u128,
    /// Whether elected (ranked within the seats, above the minimum, not tied at the last seat).
    pub elected: bool,
    /// `votes` as a percentage of the voting shares present (the minimum's base). Added in
    /// format 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pct: Option<String>,
}

/// The headcount and "10% of disinterested shares" tests of a scheme of arrangement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemeTests {
    /// Holders voting for (a holder who splits counts once each way).
    pub holders_for: u64,
    /// Holders voting against.
    pub holders_against: u64,
    /// Whether a majority in number voted for.
    pub headcount_passed: bool,
    /// Whether votes against are within the profile's share of all disinterested votes.
    /// Since format 2: true when the resolution states no such limit.
    pub against_limit_passed: bool,
    /// The headcount test (majority in number of the holders voting). Added in format 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headcount: Option<HeadcountTest>,
    /// The value test over every holder voting (concert parties included). Added in format 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<MajorityTest>,
    /// The majority test over the disinterested holders' votes (concert parties left out);
    /// `None` when the resolution states none. Added in format 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disinterested: Option<MajorityTest>,
    /// The limit on disinterested votes against, over ALL disinterested scheme shares;
    /// `None` when the resolution states none. Added in format 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disinterested_against: Option<AgainstLimitTest>,
}

/// A scheme's headcount test: more holders voting for than against.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadcountTest {
    /// Whether the resolution applies the test (Cap 622 s.674(2) takeover schemes do not).
    pub required: bool,
    /// Holders voting for (a holder who splits counts once each way).
    pub holders_for: u64,
    /// Holders voting against.
    pub holders_against: u64,
    /// Whether a majority in number voted for (true when the test does not apply).
    pub passed: bool,
}

/// A scheme's majority test in value: `for` at least (or more than) `threshold` of
/// `for + against`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MajorityTest {
    /// Votes for in this population.
    #[serde(rename = "for")]
    pub for_: u128,
    /// Votes against in this population.
    pub against: u128,
    /// Holders voting for in this population.
    pub holders_for: u64,
    /// Holders voting against in this population.
    pub holders_against: u64,
    /// The test's base: `for + against`.
    pub base: u128,
    /// `for` as a percentage of the base.
    pub for_pct: String,
    /// `against` as a percentage of the base.
    pub against_pct: String,
    /// The fraction required, as `"3/4"`.
    pub threshold: String,
    /// Whether the fraction is exceeded strictly ("more than") rather than reached.
    pub strict: bool,
    /// Whether the test is met.
    pub passed: bool,
}

/// A scheme's limit on disinterested votes against, over every disinterested scheme share
/// entitled to vote (whether voted or not).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgainstLimitTest {
    /// Disinterested votes against.
    pub against: u128,
    /// Votes of every disinterested scheme share entitled to vote.
    pub base: u128,
    /// `against` as a percentage of the base.
    pub pct: String,
    /// The most the votes against may be, as a fraction of the base (`"1/10"`).
    pub limit: String,
    /// Whether the test is met (`against` not more than the limit).
    pub passed: bool,
}

/// The tally JSON format this build writes (see [`Tally::json_of_format`]).
pub const TALLY_FORMAT: u16 = 2;

impl Tally {
    /// The canonical JSON text of tally format `format`, the bytes a declaration of that
    /// format certifies; `None` for a format this build does not know (later than
    /// [`TALLY_FORMAT`], or 0).
    ///
    /// Format 1 is this tally with every field added since left out; format
    /// [`TALLY_FORMAT`] is [`Tally::to_json`].
    pub fn json_of_format(&self, format: u16) -> Option<String> {
        match format {
            1 => {
                let mut t = self.clone();
                t.strip_to_format1();
                Some(t.to_json())
            }
            TALLY_FORMAT => {
                let mut t = self.clone();
                t.format = Some(TALLY_FORMAT);
                Some(t.to_json())
            }
            _ => None,
        }
    }

    /// Leaves out every field added after format 1. A field added to the tally JSON is
    /// cleared here too, or declarations of format 1 stop verifying (the frozen vectors of
    /// `crates/ledger/tests/tally_vectors.rs` pin this).
    fn strip_to_format1(&mut self) {
        self.format = None;
        self.sittings.clear();
        for r in &mut self.resolutions {
            r.holders_for = None;
            r.holders_against = None;
            r.holders_present = None;
            for c in &mut r.candidates {
                c.pct = None;
            }
            if let Some(s) = &mut r.scheme {
                s.headcount = None;
                s.value = None;
                s.disinterested = None;
                s.disinterested_against = None;
            }
        }
    }

    /// The canonical JSON text: pretty-printed, fields in declaration order, maps sorted,
    /// ending in a newline. Replaying the same events gives byte-identical text.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|e| {
            // Serialising plain structs of integers and strings cannot fail; keep a marker if it did.
            format!("{{\"error\":{:?}}}", e.to_string())
        });
        s.push('\n');
        s
    }
}

/// `num / den` as a percentage with `decimals` places, rounded half-up from the exact ratio
/// (`percent(516_237_845, 516_261_145, 4) == "99.9955"`). A zero denominator prints zero.
pub fn percent(num: u128, den: u128, decimals: u8) -> String {
    let decimals = u32::from(decimals.min(18));
    let scale = 10u128.pow(decimals);
    // Round half up: the quotient, plus one when the remainder is at least half of `den`.
    // The product `num x 100 x scale` is taken in 256 bits: vote totals of weighted classes
    // can exceed what a u128 product holds, and a saturated product printed a wrong figure.
    let value = match mul_div(num, 100 * scale, den) {
        Some((q, rem)) => q.saturating_add(u128::from(rem >= den - rem)),
        None if den == 0 => 0,
        None => u128::MAX,
    };
    let whole = value / scale;
    if decimals == 0 {
        return whole.to_string();
    }
    let frac = value % scale;
    format!("{whole}.{frac:0width$}", width = decimals as usize)
}

/// `(a * b / den, a * b % den)` exactly, through a 256-bit product; `None` when `den` is zero
/// or the quotient does not fit in a u128. The one exact ratio every percentage (printed or
/// compared) is derived from.
pub fn mul_div(a: u128, b: u128, den: u128) -> Option<(u128, u128)> {
    if den == 0 {
        return None;
    }
    const M: u128 = u64::MAX as u128;
    let (a1, a0, b1, b0) = (a >> 64, a & M, b >> 64, b & M);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    let mid = (p00 >> 64) + (p01 & M) + (p10 & M);
    let lo = (p00 & M) | (mid << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    if hi >= den {
        return None;
    }
    // Shift-subtract division of (hi, lo) by den; hi < den keeps the quotient in 128 bits.
    let (mut q, mut rem) = (0u128, hi);
    for i in (0..128).rev() {
        let carry = rem >> 127;
        rem = (rem << 1) | ((lo >> i) & 1);
        q <<= 1;
        if carry == 1 || rem >= den {
            rem = rem.wrapping_sub(den);
            q |= 1;
        }
    }
    Some((q, rem))
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percent_rounds_half_up_from_integers() {
        assert_eq!(percent(516_237_845, 516_261_145, 4), "99.9955");
        assert_eq!(percent(23_300, 516_261_145, 4), "0.0045");
        assert_eq!(percent(0, 516_261_145, 4), "0.0000");
        assert_eq!(percent(1, 8, 2), "12.50");
        assert_eq!(percent(1, 8, 1), "12.5");
        assert_eq!(percent(1, 16, 1), "6.3", "6.25 rounds half up");
        assert_eq!(percent(2, 3, 0), "67");
        assert_eq!(percent(1, 3, 6), "33.333333");
        assert_eq!(percent(5, 0, 4), "0.0000");
        assert_eq!(percent(1, 1, 4), "100.0000");
        assert_eq!(percent(237_570_707, 238_196_724, 6), "99.737185");
    }

    #[test]
    fn percent_is_exact_beyond_a_u128_product() {
        let big = u128::MAX / 7;
        assert_eq!(percent(big, big, 6), "100.000000");
        assert_eq!(percent(big / 2, big, 4), "50.0000");
        assert_eq!(percent(1, u128::MAX, 6), "0.000000");
        assert_eq!(
            percent(u128::MAX / 3, u128::MAX, 18),
            "33.333333333333333333"
        );
        assert_eq!(percent(3, 2, 2), "150.00");
    }
}

//! The pass statement of each resolution, worded by kind and by jurisdiction's denominator.

use std::fmt::Write as _;

use scrutin_model::{Denominator, RulesProfile, Threshold};

use super::text::join_and;
use super::Names;
use crate::{ResolutionTally, Tally};

/// "more than one half", "at least two-thirds", "at least three quarters", "more than 3/5".
fn fraction_words(t: &Threshold) -> String {
    match (t.num, t.den) {
        (1, 2) => "one half".to_owned(),
        (2, 3) => "two-thirds".to_owned(),
        (3, 4) => "three quarters".to_owned(),
        (1, 10) => "one tenth".to_owned(),
        (n, d) => format!("{n}/{d}"),
    }
}

fn threshold_words(t: &Threshold, met: bool) -> String {
    let f = fraction_words(t);
    match (t.strict, met) {
        (true, true) => format!("more than {f}"),
        (true, false) => format!("not more than {f}"),
        (false, true) => format!("at least {f}"),
        (false, false) => format!("less than {f}"),
    }
}

pub(super) fn pass_statements(
    out: &mut String,
    names: &Names,
    tally: &Tally,
    profile: Option<&RulesProfile>,
) {
    let Some(profile) = profile else {
        return;
    };
    let short = names.short;
    for r in &tally.resolutions {
        let passed = if r.passed { "passed" } else { "not passed" };
        let line = match r.kind.as_str() {
            "cumulative" => {
                let elected: Vec<String> = r
                    .candidates
                    .iter()
                    .filter(|c| c.elected)
                    .map(|c| c.id.clone())
                    .collect();
                let who = if elected.is_empty() {
                    "no candidate was elected".to_owned()
                } else {
                    format!("elected: {}", join_and(&elected))
                };
                format!(
                    "Resolution {} was voted on by cumulative voting; a candidate needed {} of \
                     the voting Shares represented on it to be elected; {who}. The resolution \
                     was {passed}.",
                    r.id,
                    threshold_words(&profile.cumulative_minimum, true)
                )
            }
            kind => {
                let (threshold, word) = match kind {
                    "ordinary" => (&profile.ordinary, "an ordinary resolution"),
                    "scheme" => (&profile.special, "a resolution approving the scheme"),
                    _ => (&profile.special, "a special resolution"),
                };
                // The value test of a scheme is on the votes cast for and against, whatever
                // the profile's denominator (as the count decides it).
                let denominator = if kind == "scheme" {
                    Denominator::ForAgainst
                } else {
                    profile.denominator
                };
                let met = threshold_met(r, threshold, denominator);
                let mut s = match denominator {
                    Denominator::ForAgainstAbstain => format!(
                        "Resolution {} is {word}; votes in favour represented {} of the total \
                         Shares with valid voting rights held by the Shareholders (including \
                         their proxies) attending the {short} and voting on it, and it has been \
                         {passed}.",
                        r.id,
                        threshold_words(threshold, met)
                    ),
                    Denominator::ForAgainst => format!(
                        "As {} of the votes were cast in favour of resolution {}, the resolution \
                         was {}{passed} as {word}.",
                        threshold_words(threshold, met),
                        r.id,
                        if r.passed { "duly " } else { "" }
                    ),
                };
                if let Some(scheme) = &r.scheme {
                    let _ = write!(
                        s,
                        " Holders voting for: {}; against: {} (headcount test {}). Votes against \
                         {} {} of the disinterested votes (test {}).",
                        scheme.holders_for,
                        scheme.holders_against,
                        if scheme.headcount_passed {
                            "met"
                        } else {
                            "not met"
                        },
                        if scheme.against_limit_passed {
                            "were within"
                        } else {
                            "exceeded"
                        },
                        fraction_words(&profile.scheme_max_against),
                        if scheme.against_limit_passed {
                            "met"
                        } else {
                            "not met"
                        },
                    );
                }
                s
            }
        };
        let _ = writeln!(out, "{line}");
    }
    out.push('\n');
}

/// Whether the value threshold itself was met (a scheme may fail on another test).
fn threshold_met(r: &ResolutionTally, t: &Threshold, denominator: Denominator) -> bool {
    let base = match denominator {
        Denominator::ForAgainst => r.for_ + r.against,
        Denominator::ForAgainstAbstain => r.for_ + r.against + r.abstain,
    };
    t.is_met(r.for_, base)
}

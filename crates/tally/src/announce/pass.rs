//! The pass statement of each resolution, worded by kind and by jurisdiction's denominator.

use std::collections::HashMap;
use std::fmt::Write as _;

use scrutin_model::{group_thousands, Denominator, ResolutionKind, RulesProfile, Threshold};

use super::market;
use super::text::{clean, join_and};
use super::{Context, Names};
use crate::{MajorityTest, ResolutionTally, Tally};

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

/// The key of a pass line that differs from its neighbours' only by the resolution's id:
/// (kind, passed, threshold met). Schemes and cumulative resolutions have their own lines.
fn group_key(r: &ResolutionTally, profile: &RulesProfile) -> Option<(String, bool, bool)> {
    let threshold = match r.kind.as_str() {
        "ordinary" => &profile.ordinary,
        "special" => &profile.special,
        _ => return None,
    };
    Some((
        r.kind.clone(),
        r.passed,
        threshold_met(r, threshold, profile.denominator),
    ))
}

/// A run of this many identical pass lines or more is printed as one line.
const GROUP_RUN: usize = 5;

/// "1 to 9" for consecutive numbers, else "1, 2(a) and 3".
fn id_range(ids: &[&str]) -> String {
    let nums: Option<Vec<u64>> = ids.iter().map(|i| i.parse::<u64>().ok()).collect();
    if let Some(n) = nums {
        if n.windows(2).all(|w| w[0].checked_add(1) == Some(w[1])) {
            if let (Some(a), Some(b)) = (n.first(), n.last()) {
                return format!("{a} to {b}");
            }
        }
    }
    let ids: Vec<String> = ids.iter().map(|&i| i.to_owned()).collect();
    join_and(&ids)
}

pub(super) fn pass_statements(
    out: &mut String,
    ctx: &Context<'_>,
    names: &Names,
    tally: &Tally,
    profile: Option<&RulesProfile>,
) {
    let Some(profile) = profile else {
        return;
    };
    let short: &str = &names.short;
    let mut i = 0;
    while i < tally.resolutions.len() {
        let r = &tally.resolutions[i];
        if let Some(key) = group_key(r, profile) {
            let run = tally.resolutions[i..]
                .iter()
                .take_while(|x| group_key(x, profile).as_ref() == Some(&key))
                .count();
            if run >= GROUP_RUN {
                let ids: Vec<&str> = tally.resolutions[i..i + run]
                    .iter()
                    .map(|x| x.id.as_str())
                    .collect();
                let _ = writeln!(out, "{}", grouped_line(&id_range(&ids), r, profile, short));
                i += run;
                continue;
            }
        }
        let line = single_line(ctx, r, profile, short);
        let _ = writeln!(out, "{line}");
        i += 1;
    }
    out.push('\n');
}

/// "has been passed", or "has not been passed" (never "has been not passed").
fn has_been(passed: bool) -> &'static str {
    if passed {
        "has been passed"
    } else {
        "has not been passed"
    }
}

/// One line for a run of ordinary or special resolutions with the same outcome.
fn grouped_line(range: &str, r: &ResolutionTally, profile: &RulesProfile, short: &str) -> String {
    let (threshold, word) = match r.kind.as_str() {
        "ordinary" => (&profile.ordinary, "ordinary resolutions"),
        _ => (&profile.special, "special resolutions"),
    };
    let met = threshold_met(r, threshold, profile.denominator);
    let passed = if r.passed { "passed" } else { "not passed" };
    match profile.denominator {
        Denominator::ForAgainstAbstain => format!(
            "Resolutions {range} are {word}; for each of them, votes in favour represented {} \
             of the total Shares with valid voting rights held by the Shareholders (including \
             their proxies) attending the {short} and voting on it, and each {}.",
            threshold_words(threshold, met),
            has_been(r.passed)
        ),
        Denominator::ForAgainst => format!(
            "As {} of the votes were cast in favour of each of resolutions {range}, resolutions \
             {range} were {}{passed} as {word}.",
            threshold_words(threshold, met),
            if r.passed { "duly " } else { "" }
        ),
    }
}

fn single_line(
    ctx: &Context<'_>,
    r: &ResolutionTally,
    profile: &RulesProfile,
    short: &str,
) -> String {
    let passed = if r.passed { "passed" } else { "not passed" };
    match r.kind.as_str() {
        "cumulative" => {
            let mut names: HashMap<&str, &str> = HashMap::new();
            if let Some(ResolutionKind::Cumulative { candidates, .. }) =
                ctx.resolution(&r.id).map(|x| &x.kind)
            {
                for k in candidates {
                    names.entry(k.id.as_str()).or_insert(k.name.as_str());
                }
            }
            let elected: Vec<String> = r
                .candidates
                .iter()
                .filter(|c| c.elected)
                .map(|c| {
                    let name = names
                        .get(c.id.as_str())
                        .map_or_else(|| c.id.clone(), |n| clean(n));
                    match &c.pct {
                        Some(pct) => format!(
                            "{name} ({} votes, {pct}% of the voting Shares present)",
                            group_thousands(c.votes)
                        ),
                        None => name,
                    }
                })
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
            // A scheme's value test is the one its terms state (the count's figures).
            let scheme_value = r.scheme.as_ref().and_then(|s| s.value.as_ref());
            let parsed;
            let threshold = match scheme_value.and_then(parse_threshold) {
                Some(t) => {
                    parsed = t;
                    &parsed
                }
                None => threshold,
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
                     their proxies) attending the {short} and voting on it, and it {}.",
                    r.id,
                    threshold_words(threshold, met),
                    has_been(r.passed)
                ),
                Denominator::ForAgainst => format!(
                    "As {} of the votes were cast in favour of resolution {}, the resolution \
                     was {}{passed} as {word}.",
                    threshold_words(threshold, met),
                    r.id,
                    if r.passed { "duly " } else { "" }
                ),
            };
            match &r.scheme {
                Some(scheme) if scheme.value.is_some() => {
                    s.push_str(&market::scheme_figures(&r.id, scheme));
                }
                // A tally without the tests' figures (format 1).
                Some(scheme) => {
                    let met = |b: bool| if b { "met" } else { "not met" };
                    let _ = write!(
                        s,
                        " Holders voting for: {}; against: {} (headcount test {}). Votes against \
                         {} {} of the disinterested votes (test {}).",
                        scheme.holders_for,
                        scheme.holders_against,
                        met(scheme.headcount_passed),
                        if scheme.against_limit_passed {
                            "were within"
                        } else {
                            "exceeded"
                        },
                        fraction_words(&profile.scheme_max_against),
                        met(scheme.against_limit_passed),
                    );
                }
                None => {}
            }
            s
        }
    }
}

/// The threshold a scheme's value test states ("3/4", strictness), when it reads.
fn parse_threshold(v: &MajorityTest) -> Option<Threshold> {
    let (n, d) = v.threshold.split_once('/')?;
    Threshold::new(n.parse().ok()?, d.parse().ok()?, v.strict).ok()
}

/// Whether the value threshold itself was met (a scheme may fail on another test).
fn threshold_met(r: &ResolutionTally, t: &Threshold, denominator: Denominator) -> bool {
    let base = match denominator {
        Denominator::ForAgainst => r.for_ + r.against,
        Denominator::ForAgainstAbstain => r.for_ + r.against + r.abstain,
    };
    t.is_met(r.for_, base)
}

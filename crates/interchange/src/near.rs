//! Near misses: a header or field name a small edit away from one scrutin reads.
//!
//! An unknown column or field is allowed (spreadsheets carry notes), but `abstian` for
//! `abstain` would drop every abstention and `decimal = 6` would record a ledger with the
//! default 4 places, so a name this close to a known one is refused with "did you mean".

/// The optimal-string-alignment (restricted Damerau-Levenshtein) distance: insertions,
/// deletions, substitutions and transpositions of adjacent characters each cost 1.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

/// The largest distance at which `name` counts as a near miss of `known`: a third of the
/// known name's length, at most 2 (`for` 1, `votes` 1, `abstain` 2, `id` 0).
fn allowed(known: &str) -> usize {
    (known.chars().count() / 3).min(2)
}

/// The known name that `name` (compared case-insensitively) nearly spells, if any: within
/// [`allowed`] edits and with the same first letter. `name`
/// itself must not be a name scrutin reads anywhere (`all_known`): a `shares` column in a
/// ballots file is an extra column, not a misspelt `shares`-like one.
pub(crate) fn near_miss<'k>(name: &str, known: &[&'k str], all_known: &[&str]) -> Option<&'k str> {
    let lower = name.trim().to_lowercase();
    if known.contains(&name) || all_known.contains(&name) {
        return None;
    }
    // A typo keeps the first letter: without that rule a `notes` column beside a cumulative
    // `votes` one would be refused, and extra columns are allowed.
    let first = lower.chars().next();
    known
        .iter()
        .filter(|k| k.chars().next() == first)
        .map(|k| (distance(&lower, k), *k))
        .filter(|(d, k)| *d <= allowed(k) && (*d > 0 || name != *k))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("abstian", "abstain"), 1);
        assert_eq!(distance("agaisnt", "against"), 1);
        assert_eq!(distance("sahres", "shares"), 1);
        assert_eq!(distance("decimal", "decimals"), 1);
        assert_eq!(distance("", "for"), 3);
        assert_eq!(distance("notes", "name"), 3);
    }

    #[test]
    fn near_misses() {
        let k = ["for", "against", "abstain", "votes"];
        assert_eq!(near_miss("abstian", &k, &[]), Some("abstain"));
        assert_eq!(near_miss("Abstain", &k, &[]), Some("abstain"));
        assert_eq!(near_miss("abstain", &k, &[]), None);
        assert_eq!(near_miss("note", &k, &[]), None);
        assert_eq!(near_miss("fo", &k, &[]), Some("for"));
        assert_eq!(near_miss("vote", &k, &["vote"]), None);
        // Extra columns that merely look like a known one are not typos of it.
        assert_eq!(near_miss("notes", &k, &[]), None);
    }
}

//! Reading the figures of pasted text: the noise that copying adds (full-width forms,
//! non-breaking spaces, "approximately", separators) is normalised away here.

use crate::classify::Printed;

/// A line with full-width forms, non-breaking and odd spaces, curly quotes and dashes
/// replaced by their ASCII equivalents; tabs are kept (they separate columns).
pub(crate) fn normalise(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        let m = match c {
            // Full-width ASCII (U+FF01 to U+FF5E): （ ） ％ ， ． and digits.
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(u32::from(c) - 0xfee0).unwrap_or(c),
            '\u{3000}' | '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' => ' ',
            '\u{200b}' | '\u{feff}' | '\u{ad}' => continue,
            '\u{2018}' | '\u{2019}' | '\u{201b}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201f}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{2026}' => {
                out.push_str("...");
                continue;
            }
            '\r' => continue,
            other => other,
        };
        out.push(m);
    }
    out
}

/// A count as printed: digits with optional `,` thousands separators in the right places
/// (`516,237,845`, `516237845`). Anything else is not a count.
pub(crate) fn parse_count(s: &str) -> Option<u128> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return None;
    }
    if s.contains(',') {
        let mut groups = s.split(',');
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 || !groups.all(|g| g.len() == 3) {
            return None;
        }
    }
    s.replace(',', "").parse().ok()
}

/// Whether `s` is a count written with thousands separators (`1,234`): in prose, a bare
/// number is a date or a directors' count, a grouped one is a figure.
pub(crate) fn is_grouped_count(s: &str) -> bool {
    s.contains(',') && parse_count(s).is_some()
}

/// A percentage as printed: `99.9955`, `99.9955%`, `(99.9955%)`, `(approximately 53.31%)`,
/// `approximately 53.31 %`, `100`. Returns the figure and whether a `%` sign was written.
pub(crate) fn parse_percent(s: &str) -> Option<(Printed, bool)> {
    let mut t = normalise(s).trim().to_string();
    if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        t = inner.trim().to_string();
    }
    let lower = t.to_ascii_lowercase();
    let mut body = lower.as_str();
    for word in ["approximately", "approx.", "approx", "about", "c."] {
        if let Some(rest) = body.strip_prefix(word) {
            body = rest.trim_start();
            break;
        }
    }
    let (body, sign) = match body.strip_suffix('%') {
        Some(b) => (b.trim_end(), true),
        None => (body, false),
    };
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w, f),
        None => (body, ""),
    };
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 3
    {
        return None;
    }
    let places = u32::try_from(frac.len()).ok()?;
    if places > crate::classify::MAX_PLACES {
        return None;
    }
    let mantissa: u128 = format!("{whole}{frac}").parse().ok()?;
    Some((Printed { mantissa, places }, sign))
}

/// One token of a line: its text and whether a column separator (a tab, `|`, or two or more
/// spaces) precedes it.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) text: String,
    pub(crate) column_start: bool,
}

/// Splits a line into tokens: a parenthesised group is one token (`(approximately 53.31%)`),
/// otherwise runs of characters other than spaces, tabs and `|`.
pub(crate) fn tokens(line: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut sep = true;
    let mut spaces = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\t' || c == '|' {
            sep = true;
            spaces = 0;
            i += 1;
            continue;
        }
        if c == ' ' {
            spaces += 1;
            if spaces >= 2 {
                sep = true;
            }
            i += 1;
            continue;
        }
        let start = i;
        if c == '(' {
            // A parenthesised group, if it closes on this line without nesting.
            if let Some(len) = chars[i + 1..].iter().position(|&x| x == ')' || x == '(') {
                if chars[i + 1 + len] == ')' {
                    i += len + 2;
                    let text: String = chars[start..i].iter().collect();
                    out.push(Token {
                        text,
                        column_start: sep || out.is_empty(),
                    });
                    sep = false;
                    spaces = 0;
                    continue;
                }
            }
        }
        while i < chars.len() && !matches!(chars[i], ' ' | '\t' | '|') {
            i += 1;
        }
        let text: String = chars[start..i].iter().collect();
        out.push(Token {
            text,
            column_start: sep || out.is_empty(),
        });
        sep = false;
        spaces = 0;
    }
    out
}

/// The words of `s`, lower case, letters and digits only (`"Votes Cast (%) For"` gives
/// `votes`, `cast`, `for`).
pub(crate) fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// `s` lower case with runs of whitespace collapsed to one space.
pub(crate) fn squash(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noisy_figures_read() {
        assert_eq!(parse_count("516,237,845"), Some(516_237_845));
        assert_eq!(parse_count("516237845"), Some(516_237_845));
        assert_eq!(parse_count("5,16,237"), None);
        assert_eq!(parse_count("12.5"), None);
        let (p, sign) = parse_percent("（72.33%）").unwrap();
        assert_eq!((p.mantissa, p.places, sign), (7233, 2, true));
        let (p, _) = parse_percent("(approximately 53.31%)").unwrap();
        assert_eq!((p.mantissa, p.places), (5331, 2));
        let (p, sign) = parse_percent("(99.6149)").unwrap();
        assert_eq!((p.mantissa, p.places, sign), (996_149, 4, false));
        assert_eq!(
            parse_percent("Approximately 61.7219 %").unwrap().0.text(),
            "61.7219"
        );
        assert!(parse_percent("(the Company)").is_none());
        assert!(parse_percent("1,000").is_none());
    }

    #[test]
    fn tokens_keep_groups_and_columns() {
        let t = tokens("1.\tTo approve  it | 516,237,845 (approximately 99.9955%)");
        let texts: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "1.",
                "To",
                "approve",
                "it",
                "516,237,845",
                "(approximately 99.9955%)"
            ]
        );
        let starts: Vec<bool> = t.iter().map(|t| t.column_start).collect();
        assert_eq!(starts, [true, true, false, true, true, false]);
    }
}

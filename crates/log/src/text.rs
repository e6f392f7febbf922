//! The one definition of a control character, used wherever text from a file is parsed, and
//! the escaping that makes such text safe to print.
//!
//! A **control character** is any character of Unicode general category Cc: U+0000 to U+001F,
//! U+007F and U+0080 to U+009F (`docs/FORMAT.md` section 2). Origins and key names never
//! contain one: a parser refuses them, so that a name read from a note or a bundle cannot
//! move a terminal's cursor, clear its screen or start a new output line.
//!
//! Other invisible characters are not control characters and are accepted in names (C2SP
//! allows any Unicode that is not whitespace in a key name, and right-to-left scripts need the
//! directional marks), but some of them reorder or split what a terminal shows: the
//! bidirectional controls U+061C, U+200E, U+200F, U+202A to U+202E and U+2066 to U+2069, and
//! the separators U+2028 and U+2029. [`escape_for_display`] escapes those too.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is a control character: Unicode general category Cc (U+0000 to U+001F, U+007F,
/// U+0080 to U+009F).
pub fn is_control_char(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// Whether printing `c` raw could change how the rest of a line is shown: a control character
/// ([`is_control_char`]), a bidirectional control (U+061C, U+200E, U+200F, U+202A to U+202E,
/// U+2066 to U+2069) or a line or paragraph separator (U+2028, U+2029).
pub fn is_display_hazard(c: char) -> bool {
    is_control_char(c)
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// `s` with every display hazard ([`is_display_hazard`], newlines included) written as
/// `\u{hex}`, so that the result is one line that a terminal shows as it is. Borrows when
/// there is nothing to escape. Escaping an escaped string changes nothing.
pub fn escape_for_display(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_display_hazard) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_display_hazard(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Refuses text with a control character, naming what it is (`what`) and where.
pub(crate) fn check_no_control(what: &str, s: &str) -> Result<(), String> {
    match s.char_indices().find(|&(_, c)| is_control_char(c)) {
        None => Ok(()),
        Some((at, c)) => Err(format!(
            "{what} {} contains the control character U+{:04X} at byte {at}",
            escape_for_display(s),
            u32::from(c)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_is_exactly_category_cc() {
        for c in (0u32..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(is_control_char(c), c.is_control(), "U+{:04X}", u32::from(c));
        }
        for c in ['\t', '\n', '\r', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}'] {
            assert!(is_control_char(c));
        }
        for c in [' ', 'a', '\u{a0}', '\u{200b}', '\u{feff}'] {
            assert!(!is_control_char(c));
        }
    }

    #[test]
    fn escaping_leaves_no_hazard_and_is_idempotent() {
        let s = "a\u{1b}[2J\nVALID\u{202e}x\u{9b}\u{2028}é";
        let e = escape_for_display(s);
        assert_eq!(e, "a\\u{1b}[2J\\u{a}VALID\\u{202e}x\\u{9b}\\u{2028}é");
        assert!(!e.chars().any(is_display_hazard));
        assert_eq!(escape_for_display(&e), e);
        assert!(matches!(escape_for_display("plain/é"), Cow::Borrowed(_)));
    }
}

//! What the binary prints that came from a file (a bundle, a receipt, a note, a ledger, a CSV
//! or TOML file) goes through here first, so that a crafted name cannot clear the screen, move
//! the cursor or start an output line of its own ("VALID: ..." under a bundle that is not).
//!
//! One rule, `scrutin::log::is_display_hazard` (control characters, bidirectional controls,
//! line and paragraph separators), applied three ways: a value on one line ([`field`]), text
//! laid out in lines by the binary itself ([`lines`]), and JSON ([`json`]).

use std::borrow::Cow;
use std::fmt::Write as _;

use scrutin::log::is_display_hazard;

/// A value printed within a line: every hazard, newline included, written as `\u{hex}`.
pub(crate) fn field(s: &str) -> Cow<'_, str> {
    scrutin::log::escape_for_display(s)
}

/// Text the binary laid out in lines: each line escaped as a [`field`], the line breaks kept.
/// Values inside it must already be [`field`]-escaped (so that none adds a line); escaping is
/// idempotent, so this pass is a guarantee that nothing raw slipped through.
pub(crate) fn lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_display_hazard(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.split('\n').map(field).collect::<Vec<_>>().join("\n"))
}

/// JSON text: hazards that JSON allows raw in a string (DEL, U+0080 to U+009F, the
/// bidirectional controls, U+2028, U+2029) written as `\uXXXX`, which JSON reads back as the
/// same character. serde_json already escapes U+0000 to U+001F; newlines outside strings
/// are layout and stay.
pub(crate) fn json(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_display_hazard(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if c != '\n' && is_display_hazard(c) {
            // Every hazard is in the Basic Multilingual Plane: one \u escape.
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// An error message for stderr: every line escaped and prefixed `scrutin: `, so that no line
/// of it can pass for a line of a command's output.
pub(crate) fn error(msg: &str) -> String {
    msg.split('\n')
        .map(|l| format!("scrutin: {}\n", field(l)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_raw_survives_any_of_the_three_forms() {
        let evil = "x\u{1b}[2J\r\nVALID: every check passed\u{7f}\u{85}\u{9b}\u{202e}";
        for out in [
            field(evil).into_owned(),
            lines(evil).into_owned(),
            json(evil).into_owned(),
        ] {
            assert!(
                !out.chars().any(|c| c != '\n' && is_display_hazard(c)),
                "{out:?}"
            );
        }
        assert!(!field(evil).contains('\n'));
        assert_eq!(lines("a\nb\u{1b}\n"), "a\nb\\u{1b}\n");
        let v: serde_json::Value =
            serde_json::from_str(&json(&serde_json::to_string(evil).unwrap())).unwrap();
        assert_eq!(v, evil, "the JSON escape reads back as the same text");
        assert_eq!(
            error("bad\nVALID\u{1b}"),
            "scrutin: bad\nscrutin: VALID\\u{1b}\n"
        );
    }
}

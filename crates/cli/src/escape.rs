//! What the binary prints that came from a file goes through `scrutin::text`'s escaping first
//! ([`field`] within a line, [`lines`] for laid-out text, [`json`]); error messages through
//! [`error`].

pub(crate) use scrutin::text::{field, json, lines, table_lines};

/// An error message for stderr: every line escaped and prefixed `scrutin: `, so that no line
/// of it can pass for a line of a command's output.
pub(crate) fn error(msg: &str) -> String {
    msg.split('\n')
        .map(|l| format!("scrutin: {}\n", field(l)))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_line_of_an_error_is_prefixed_and_escaped() {
        assert_eq!(
            super::error("bad\nVALID\u{1b}"),
            "scrutin: bad\nscrutin: VALID\\u{1b}\n"
        );
    }
}

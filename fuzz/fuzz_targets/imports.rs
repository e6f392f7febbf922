//! The CSV and meeting.toml imports: never panic; an error names a line and column inside the
//! input; a successful CSV import has one origin per event, each on a line of the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scrutin_interchange::{parse_csv, parse_meeting, CsvKind, ImportError};
use scrutin_model::{AuthorKey, UtcMillis};

/// Lines as an editor counts them: `\n`, and a `\r` not followed by `\n`.
fn lines_of(bytes: &[u8]) -> u64 {
    let breaks = bytes
        .iter()
        .enumerate()
        .filter(|&(i, b)| *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    breaks as u64 + 1
}

fn check_position(e: &ImportError, bytes: &[u8], file: &str) {
    assert_eq!(e.file, file);
    assert!(
        e.line >= 1 && e.line <= lines_of(bytes),
        "line out of the input: {e}"
    );
    assert!(e.column >= 1, "column 0: {e}");
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 5 {
        4 => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            let vkey = |s: &str| {
                if s.len() % 2 == 0 {
                    Ok(AuthorKey([7; 32]))
                } else {
                    Err(format!("not a key: {s:?}"))
                }
            };
            match parse_meeting("meeting.toml", text, AuthorKey([1; 32]), &vkey) {
                Ok(plan) => {
                    let _ = plan.events_after_genesis();
                }
                Err(e) => {
                    check_position(&e, rest, "meeting.toml");
                    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
                    let line = body.split('\n').nth((e.line - 1) as usize).unwrap_or("");
                    assert!(
                        e.column <= line.chars().count() as u64 + 1,
                        "column past the end of line {}: {e}",
                        e.line
                    );
                }
            }
        }
        k => {
            let kind = CsvKind::ALL[usize::from(k)];
            match parse_csv(kind, "in.csv", rest, UtcMillis(1_900_000_000_000)) {
                Ok(import) => {
                    assert_eq!(import.events.len(), import.origins.len());
                    for o in &import.origins {
                        assert!(o.line >= 2 && o.line <= lines_of(rest), "origin {o:?}");
                    }
                }
                Err(e) => {
                    check_position(&e, rest, "in.csv");
                    assert!(
                        e.column <= rest.len() as u64 + 2,
                        "column past the input: {e}"
                    );
                }
            }
        }
    }
});

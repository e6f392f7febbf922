//! Plain-text presentation of what the library computes: the tally table, the verification
//! summary, the `--expect` comparison and the announcement cross-check table, and the escaping
//! that every one of them applies to text that came from a file.
//!
//! A value read from a bundle, a receipt, a note, a ledger, a CSV or TOML file must not clear
//! a terminal, move its cursor or start an output line of its own ("VALID: ..." under a bundle
//! that is not). One rule, [`scrutin_log::is_display_hazard`] (control characters,
//! bidirectional controls, line and paragraph separators), applied three ways: a value on one
//! line ([`field`]), text laid out in lines ([`lines`]), and JSON ([`json`]). Every renderer
//! here escapes each value it takes from a file with [`field`].

mod announcement;

use std::borrow::Cow;
use std::fmt::Write as _;

use scrutin_log::is_display_hazard;
use scrutin_model::group_thousands;
use scrutin_tally::Tally;

use crate::{TallyComparison, Verdict, VerifyReport};

pub use announcement::{announcement_table, with_announcement_check};

/// A value printed within a line: every hazard, newline included, written as `\u{hex}`.
#[must_use]
pub fn field(s: &str) -> Cow<'_, str> {
    scrutin_log::escape_for_display(s)
}

/// Text laid out in lines: each line escaped as a [`field`], the line breaks kept. Values
/// inside it should already be [`field`]-escaped (so that none adds a line); escaping is
/// idempotent, so this pass is a guarantee that nothing raw slipped through.
#[must_use]
pub fn lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_display_hazard(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.split('\n').map(field).collect::<Vec<_>>().join("\n"))
}

/// Text laid out in lines and tab-separated columns (the announcement's poll table): as
/// [`lines`], but a tab stays a tab. A tab is no terminal hazard (it moves the cursor to the
/// next stop and nothing else), and the table's columns must survive a round trip through a
/// file: `scrutin announce > a.txt` is what `verify --announcement a.txt` reads.
#[must_use]
pub fn table_lines(s: &str) -> Cow<'_, str> {
    if !s
        .chars()
        .any(|c| c != '\n' && c != '\t' && is_display_hazard(c))
    {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.split('\n')
            .map(|line| line.split('\t').map(field).collect::<Vec<_>>().join("\t"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// JSON text: hazards that JSON allows raw in a string (DEL, U+0080 to U+009F, the
/// bidirectional controls, U+2028, U+2029) written as `\uXXXX`, which JSON reads back as the
/// same character. serde_json already escapes U+0000 to U+001F; newlines outside strings
/// are layout and stay.
#[must_use]
pub fn json(s: &str) -> Cow<'_, str> {
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

/// The tally as a text table: attendance, then one row per resolution, candidates and
/// disregarded ballots under their resolution. Deterministic. Until the result is `declared`
/// the table says it is provisional and states no outcome.
#[must_use]
pub fn tally_table(t: &Tally, declared: bool) -> String {
    let mut s = String::new();
    if !declared {
        s.push_str("PROVISIONAL: no result declared; the count below may still change\n");
    }
    let _ = writeln!(
        s,
        "meeting {}: {} of {} shares represented ({}%)",
        field(&t.meeting),
        group_thousands(t.represented),
        group_thousands(t.entitled),
        t.represented_pct
    );
    for c in &t.classes {
        let _ = writeln!(
            s,
            "  class {:<8} {:>20} of {:>20} represented ({}%)",
            field(&c.id),
            group_thousands(c.represented),
            group_thousands(c.entitled),
            c.represented_pct
        );
    }
    let cell = |v: u128, pct: &str| format!("{} ({pct}%)", group_thousands(v));
    let rows: Vec<[String; 6]> = t
        .resolutions
        .iter()
        .map(|r| {
            [
                field(&r.id).into_owned(),
                field(&r.kind).into_owned(),
                cell(r.for_, &r.for_pct),
                cell(r.against, &r.against_pct),
                cell(r.abstain, &r.abstain_pct),
                match (declared, r.passed) {
                    (false, _) => "provisional",
                    (true, true) => "passed",
                    (true, false) => "NOT passed",
                }
                .to_owned(),
            ]
        })
        .collect();
    let head = ["resolution", "kind", "for", "against", "abstain", "result"];
    let mut w = head.map(str::len);
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: [&str; 6]| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if (2..=4).contains(&i) {
                let _ = write!(l, "{c:>width$}  ", width = w[i]);
            } else {
                let _ = write!(l, "{c:<width$}  ", width = w[i]);
            }
        }
        l.trim_end().to_owned()
    };
    let _ = writeln!(s, "{}", line(head));
    for (r, row) in t.resolutions.iter().zip(&rows) {
        let _ = writeln!(
            s,
            "{}",
            line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]])
        );
        for c in &r.candidates {
            let _ = writeln!(
                s,
                "    candidate {}: {} votes{}",
                field(&c.id),
                group_thousands(c.votes),
                if c.elected { ", elected" } else { "" }
            );
        }
        for d in &r.disregarded_ballots {
            let _ = writeln!(
                s,
                "    disregarded: {} {} votes: {}",
                field(&d.voter),
                group_thousands(d.votes),
                field(&d.reason)
            );
        }
    }
    s
}

impl TallyComparison {
    /// The comparison with the claimed tally in `file` as text: the counts, every difference
    /// (claimed, recomputed, kind) and the figures that matched.
    #[must_use]
    pub fn to_text(&self, file: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "comparison with {}: {} figures match, {} differ",
            field(file),
            self.matched.len(),
            self.differences.len()
        );
        for d in &self.differences {
            let _ = writeln!(
                s,
                "  DIFFERS {}: claimed {}, recomputed {} ({})",
                field(&d.path),
                field(&d.claimed),
                field(&d.recomputed),
                d.kind
            );
        }
        if !self.matched.is_empty() {
            let _ = writeln!(s, "  matched: {}", field(&self.matched.join(", ")));
        }
        s
    }
}

impl VerifyReport {
    /// The verification of `bundle` as text: the meeting, the log's size and digest, the
    /// checkpoint and its cosigners, every check, the verdict line, the tally table (marked
    /// provisional without a declaration) and, given `(file, comparison)`, the comparison
    /// with a claimed tally. Every value from the bundle is escaped.
    #[must_use]
    pub fn to_text(&self, bundle: &str, comparison: Option<(&str, &TallyComparison)>) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "bundle {}", field(bundle));
        if let Some(m) = &self.meeting {
            let _ = writeln!(
                s,
                "meeting {}: {} ({}) {} on {}",
                field(&m.id),
                field(&m.issuer),
                field(&m.stock_code),
                m.kind.name(),
                field(&m.date.to_string())
            );
        }
        let _ = writeln!(s, "entries {}, SHA-256 {}", self.entries, self.digest);
        if let Some(i) = &self.incremental {
            let _ = writeln!(
                s,
                "incremental: the first {} entries were verified before (--since); {} entries \
                 checked now",
                i.since_size, i.entries_checked
            );
        }
        if let Some(cp) = &self.checkpoint {
            let _ = writeln!(
                s,
                "checkpoint {} size {} root {}",
                field(&cp.checkpoint.origin),
                cp.checkpoint.size,
                cp.checkpoint.root
            );
        }
        if !self.cosigners.is_empty() {
            let _ = writeln!(s, "cosigned by {}", field(&self.cosigners.join(", ")));
        }
        if !self.witnesses_silent.is_empty() {
            let _ = writeln!(
                s,
                "trusted witnesses that did not cosign: {}",
                field(&self.witnesses_silent.join(", "))
            );
        }
        s.push_str("checks:\n");
        for ch in &self.checks {
            let _ = writeln!(
                s,
                "  {}. {:<22} {:<8} {}",
                ch.number,
                field(&ch.name),
                ch.status.word(),
                field(&ch.detail)
            );
        }
        match &self.verdict {
            Verdict::Valid if self.declared_at.is_none() => {
                let _ = writeln!(s, "VALID, {}", self.verdict_line());
            }
            Verdict::Valid => s.push_str("VALID: every check passed\n"),
            Verdict::Broken {
                at_entry,
                check,
                reason,
            } => {
                let at = at_entry.map_or(String::new(), |i| format!(" at entry {i}"));
                let _ = writeln!(s, "NOT VALID{at}: {}: {}", field(check), field(reason));
            }
        }
        if let Some(t) = &self.tally {
            s.push_str(&lines(&tally_table(t, self.declared_at.is_some())));
        }
        if let Some((file, c)) = comparison {
            s.push_str(&c.to_text(file));
        }
        s
    }
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
    }

    #[test]
    fn a_table_keeps_its_tabs_and_nothing_else_raw() {
        let evil = "1\tFor\u{1b}[2J\t99%\r\nVALID\u{9b}";
        let out = table_lines(evil);
        assert!(
            !out.chars()
                .any(|c| c != '\n' && c != '\t' && is_display_hazard(c)),
            "{out:?}"
        );
        assert_eq!(out, "1\tFor\\u{1b}[2J\t99%\\u{d}\nVALID\\u{9b}");
        assert_eq!(table_lines("a\tb\n"), "a\tb\n", "borrowed when clean");
    }

    #[test]
    fn a_comparison_escapes_what_the_claim_file_holds() {
        let c = TallyComparison {
            matched: vec!["1.for".into()],
            differences: vec![crate::Difference {
                path: "1.against".into(),
                claimed: "5\nVALID: every check passed".into(),
                recomputed: "4".into(),
                kind: scrutin_crosscheck::DifferenceKind::Typo,
            }],
        };
        let text = c.to_text("claim\u{1b}.json");
        assert!(text.starts_with(
            "comparison with claim\\u{1b}.json: 1 figures match, 1 differ\n  DIFFERS 1.against: \
             claimed 5\\u{a}VALID"
        ));
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(!text.lines().any(|l| l.starts_with("VALID")));
    }
}

//! The self-contained HTML verification report (`scrutin verify --report`): one file, inline
//! CSS and inline SVG, no external resources, every string from the bundle HTML-escaped, laid
//! out for A4 print so that it can be attached to a legal opinion: a scope statement (what was
//! verified, under which keys, and what was not), when and with which version of scrutin, the
//! checks, the count, the votes disregarded and the restricted holders by name, the published
//! figures compared with the recomputed ones, and an attestation block.
//! Deterministic: the same bundle, keys and [`ReportInput`] give the same bytes (the
//! verification time is an input, never read from a clock here).
//!
//! An embedder renders it from a [`VerifyReport`] and what the report cannot know (the
//! bundle's name, the trusted keys, when it was verified, a comparison with published figures):
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let trust: Vec<scrutin::log::NoteVerifier> = Vec::new();
//! let file = std::fs::File::open("meeting.bundle")?;
//! let report = scrutin::verify_bundle(file, &trust, &mut |_, _| {})?;
//! let html = scrutin::report::render_html(
//!     &report,
//!     &scrutin::report::ReportInput {
//!         offset: scrutin::report::DisplayOffset::parse("+08:00")?,
//!         attest: Some("A. Lawyer, Lawyer & Co"),
//!         ..scrutin::report::ReportInput::new("meeting.bundle", &trust)
//!     },
//! );
//! std::fs::write("report.html", html)?;
//! # Ok(()) }
//! ```

use std::fmt::Write as _;

use scrutin_crosscheck::CrossCheck;
use scrutin_log::{CheckStatus, NoteVerifier, SignedCheckpoint};
use scrutin_model::{group_thousands, MeetingConvened, Resolution, Restriction, UtcMillis};
use scrutin_tally::{ResolutionTally, Tally};

use crate::{LedgerError, Restricted, TallyComparison, VerifyReport};

/// What the HTML report shows beyond the [`VerifyReport`].
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The bundle's name as shown (its file name, say).
    pub bundle: &'a str,
    /// The keys the bundle was verified against (listed as vkey strings).
    pub trusted: &'a [NoteVerifier],
    /// The comparison with a claimed (published) tally, if one was made (`--expect`).
    pub comparison: Option<ReportComparison<'a>>,
    /// The cross-check of a published announcement, if one was made (`--announcement`).
    pub announcement: Option<ReportAnnouncement<'a>>,
    /// When the verification ran (the CLI passes the current time); `None` says it was not
    /// recorded. An input, so that the page stays deterministic.
    pub verified_at: Option<UtcMillis>,
    /// The offset every time is shown in: the meeting's own (the genesis stores instants in
    /// UTC only, so the caller says which, e.g. `--tz +08:00`); UTC by default.
    pub offset: DisplayOffset,
    /// Who attests the report, `NAME, FIRM` (`--attest`): fills the attestation block's name
    /// and firm; without it the block is left blank to fill by hand.
    pub attest: Option<&'a str>,
}

impl<'a> ReportInput<'a> {
    /// The input for `bundle` verified against `trusted`, with nothing else: no comparison,
    /// no time, times in UTC, no attestation.
    pub fn new(bundle: &'a str, trusted: &'a [NoteVerifier]) -> ReportInput<'a> {
        ReportInput {
            bundle,
            trusted,
            comparison: None,
            announcement: None,
            verified_at: None,
            offset: DisplayOffset::UTC,
            attest: None,
        }
    }
}

/// A comparison of claimed figures with the recomputed tally, as the report shows it.
#[derive(Debug, Clone, Copy)]
pub struct ReportComparison<'a> {
    /// The claimed tally's name as shown (its file name, say).
    pub file: &'a str,
    /// What matched and what differs ([`crate::compare_tally`]).
    pub result: &'a TallyComparison,
}

/// A published announcement cross-checked against the recomputed tally
/// ([`scrutin_crosscheck::crosscheck`]), as the report shows it.
#[derive(Debug, Clone, Copy)]
pub struct ReportAnnouncement<'a> {
    /// The announcement's name as shown (its file name, say).
    pub file: &'a str,
    /// Every claim read, every difference classified, every line not read.
    pub result: &'a CrossCheck,
}

/// A fixed UTC offset that times are shown in (`+08:00`); [`DisplayOffset::UTC`] by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DisplayOffset {
    minutes: i32,
}

impl DisplayOffset {
    /// UTC (times end in `Z`).
    pub const UTC: DisplayOffset = DisplayOffset { minutes: 0 };

    /// The offset of `minutes` east of UTC, if less than a day either way.
    pub fn from_minutes(minutes: i32) -> Option<DisplayOffset> {
        (minutes.abs() < 24 * 60).then_some(DisplayOffset { minutes })
    }

    /// Minutes east of UTC.
    pub fn minutes(self) -> i32 {
        self.minutes
    }

    /// Parses `Z`, `UTC`, `+08:00`, `-05:30`, `+0800` or `+08`.
    ///
    /// # Errors
    /// [`LedgerError::Usage`] for anything else, or hours above 23 or minutes above 59.
    pub fn parse(text: &str) -> Result<DisplayOffset, LedgerError> {
        let bad = || {
            LedgerError::Usage(format!(
                "{text:?} is not a UTC offset (expected Z, UTC, or +HH:MM / -HH:MM, e.g. +08:00)"
            ))
        };
        let t = text.trim();
        if t.eq_ignore_ascii_case("z") || t.eq_ignore_ascii_case("utc") {
            return Ok(DisplayOffset::UTC);
        }
        let (sign, rest) = match t.as_bytes().first() {
            Some(b'+') => (1, &t[1..]),
            Some(b'-') => (-1, &t[1..]),
            _ => return Err(bad()),
        };
        let digits: String = rest.chars().filter(|c| *c != ':').collect();
        if !digits.bytes().all(|b| b.is_ascii_digit())
            || !(digits.len() == 2 || digits.len() == 4)
            || (rest.contains(':') && rest.len() != 5)
        {
            return Err(bad());
        }
        let h: i32 = digits[..2].parse().map_err(|_| bad())?;
        let m: i32 = if digits.len() == 4 {
            digits[2..].parse().map_err(|_| bad())?
        } else {
            0
        };
        if h > 23 || m > 59 {
            return Err(bad());
        }
        Ok(DisplayOffset {
            minutes: sign * (h * 60 + m),
        })
    }

    /// The offset as RFC 3339 writes it: `Z`, `+08:00`, `-05:30`.
    pub fn suffix(self) -> String {
        if self.minutes == 0 {
            return "Z".into();
        }
        let sign = if self.minutes < 0 { '-' } else { '+' };
        let m = self.minutes.unsigned_abs();
        format!("{sign}{:02}:{:02}", m / 60, m % 60)
    }

    /// `t` in RFC 3339 at this offset with milliseconds: `2019-08-28T14:00:00.000+08:00`.
    /// An instant that cannot be shifted (before 1970 once shifted) is shown in UTC.
    pub fn format(self, t: UtcMillis) -> String {
        let shift = i64::from(self.minutes) * 60_000;
        let shifted = i64::try_from(t.0)
            .ok()
            .and_then(|ms| ms.checked_add(shift))
            .and_then(|ms| u64::try_from(ms).ok());
        match shifted {
            Some(ms) => {
                let utc = UtcMillis(ms).to_rfc3339();
                match utc.strip_suffix('Z') {
                    Some(local) => format!("{local}{}", self.suffix()),
                    None => utc,
                }
            }
            None => t.to_rfc3339(),
        }
    }

    /// The calendar date of `t` at this offset (`2019-08-28`).
    pub fn date(self, t: UtcMillis) -> String {
        self.format(t).chars().take(10).collect()
    }

    /// POSIX seconds (a cosignature's timestamp) in RFC 3339 at this offset, no fraction.
    pub fn format_seconds(self, secs: u64) -> String {
        let t = UtcMillis(secs.saturating_mul(1000));
        let s = self.format(t);
        s.replacen(".000", "", 1)
    }
}

/// Renders the whole report: the verdict and a scope statement (what was verified, under
/// which keys, when and by which version, and what was not), the meeting, the bundle and its
/// checkpoint, the numbered checks, attendance, the poll results with bar charts, the votes
/// disregarded and the restricted holders with their names, the published figures compared
/// with the recomputed ones, the recomputed announcement, and an attestation block. The
/// verdict reads VALID only when the bundle is valid and no claimed figure differs. Every
/// string from the bundle, the keys or the comparison is escaped ([`escape_html`]).
pub fn render_html(report: &VerifyReport, input: &ReportInput<'_>) -> String {
    render(&View {
        input,
        valid: report.is_valid()
            && input
                .comparison
                .as_ref()
                .is_none_or(|c| c.result.is_match())
            && input
                .announcement
                .as_ref()
                .is_none_or(|a| a.result.is_clean()),
        verdict: report.verdict_line(),
        report,
        checkpoint_note: report
            .checkpoint
            .as_ref()
            .map(SignedCheckpoint::to_note_text),
        declared: report.declared_at.is_some(),
    })
}

/// Everything the report shows.
struct View<'a> {
    input: &'a ReportInput<'a>,
    report: &'a VerifyReport,
    valid: bool,
    verdict: String,
    checkpoint_note: Option<String>,
    /// Whether the result is declared: until then no outcome is stated.
    declared: bool,
}

impl View<'_> {
    fn meeting(&self) -> Option<&MeetingConvened> {
        self.report.meeting.as_ref()
    }

    /// The one form every key is shown in: the vkey string it was trusted as, found by its
    /// public key; a key not among the trusted ones is shown in hex and said so.
    fn key_by_bytes(&self, key: &[u8; 32]) -> String {
        self.input
            .trusted
            .iter()
            .filter(|v| v.may_sign())
            .chain(self.input.trusted.iter())
            .find(|v| v.public_key().as_bytes() == key)
            .map_or_else(
                || {
                    format!(
                        "{} (not among the trusted keys)",
                        key.iter().map(|b| format!("{b:02x}")).collect::<String>()
                    )
                },
                NoteVerifier::to_vkey_string,
            )
    }

    /// The trusted vkey of a key name (a signature or cosignature line's), or the name itself.
    fn key_by_name(&self, name: &str, cosigner: bool) -> String {
        self.input
            .trusted
            .iter()
            .find(|v| v.name() == name && (cosigner || v.may_sign()))
            .map_or_else(|| name.to_owned(), NoteVerifier::to_vkey_string)
    }

    fn time(&self, t: UtcMillis) -> String {
        self.input.offset.format(t)
    }

    /// `H3 (Name)` when the name is known.
    fn named(&self, id: &str) -> String {
        match self.report.holder_names.get(id) {
            Some(n) => format!("{id} ({n})"),
            None => id.to_owned(),
        }
    }
}

/// Escapes text for HTML element content and attribute values (`&`, `<`, `>`, `"`, `'`).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "
@page{size:A4;margin:16mm 15mm 18mm}
body{font-family:Georgia,'Times New Roman',serif;color:#1a1a1a;max-width:1060px;margin:24px auto;padding:0 24px;line-height:1.45}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;border-bottom:2px solid #233;padding-bottom:3px;margin-top:30px}
h3{font-size:16px;margin:18px 0 6px}
.sub{color:#555;margin:0 0 14px}
.title{margin:0 0 8px;font-style:italic}
.verdict{padding:12px 16px;border-radius:4px;font-size:18px;font-weight:bold;margin:14px 0}
.ok{background:#e3f4e6;border:2px solid #2e7d32;color:#1b5e20}.bad{background:#fdecea;border:2px solid #c62828;color:#8e0000}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:14px}
th,td{border:1px solid #bbb;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4}td.n{text-align:right;font-family:'Courier New',monospace;white-space:nowrap}
td.mono,span.mono,.key{font-family:'Courier New',monospace;font-size:12px;word-break:break-all}
pre{background:#f6f6f6;border:1px solid #ccc;padding:8px;font-size:12px;white-space:pre-wrap;word-break:break-all}
.passed{color:#1b5e20;font-weight:bold}.failed{color:#b71c1c;font-weight:bold}.notrun{color:#777}
.res{border:1px solid #ccc;padding:4px 14px 10px;margin:12px 0;border-radius:4px;page-break-inside:avoid}
svg{max-width:100%;height:auto}
div.ann p{margin:4px 0}table.ann td.n,table.ann th{white-space:nowrap}table.ann th{text-align:left}
td.v{font-family:'Courier New',monospace;font-size:11px;overflow-wrap:anywhere}
table.cmp{table-layout:fixed}table.cmp td.n{overflow-wrap:anywhere;white-space:normal}
.scope p{margin:6px 0}.scope ul{margin:4px 0 8px}
.attest{border:2px solid #233;padding:10px 16px;margin-top:24px;break-inside:avoid;page-break-inside:avoid}
.attest h3{margin-top:4px}.attest table{margin:0}.attest table td,.attest table th{border:none;padding:6px 4px;background:none}.attest .line{border-bottom:1px solid #333;min-width:300px;height:22px}
.foot{color:#666;font-size:12px;margin-top:24px;border-top:1px solid #ccc;padding-top:8px}
.page{break-before:page;page-break-before:always}
@media print{body{max-width:none;margin:0;padding:0;font-size:10.5pt}h1{font-size:19pt}h2{font-size:14pt;margin-top:0}
h2,h3{break-after:avoid;page-break-after:avoid}tr,.res,.attest{break-inside:avoid;page-break-inside:avoid}table{font-size:9.5pt}
.res{margin:8px 0}.verdict{font-size:13pt}th,td{padding:3px 6px}.foot{margin-top:12px}}
";

fn render(r: &View<'_>) -> String {
    let mut h = String::with_capacity(16 * 1024);
    let title = match r.meeting() {
        Some(m) => format!(
            "Verification report: {} ({}) {} {}",
            m.issuer,
            m.stock_code,
            m.kind.name(),
            m.date
        ),
        None => "Verification report".to_owned(),
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape_html(&title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", escape_html(&title));
    let _ = writeln!(
        h,
        "<p class=\"sub\">Independent verification of the meeting ledger bundle <span class=\"mono\">{}</span> by <code>scrutin verify</code> {}.</p>",
        escape_html(r.input.bundle),
        escape_html(env!("CARGO_PKG_VERSION"))
    );
    let (cls, word) = if r.valid && !r.declared {
        ("notrun", "VALID, PROVISIONAL")
    } else if r.valid {
        ("ok", "VALID")
    } else {
        ("bad", "NOT VALID")
    };
    let _ = writeln!(
        h,
        "<div class=\"verdict {cls}\">{word}: {}</div>",
        escape_html(&r.verdict)
    );
    if r.report.is_valid() && !r.valid {
        h.push_str("<p>The bundle itself verifies, but published figures differ from the count recomputed from it (section 8).</p>\n");
    }
    scope_section(&mut h, r);
    meeting_section(&mut h, r);
    h.push_str("<div class=\"page\">\n");
    bundle_section(&mut h, r);
    checks_section(&mut h, r);
    h.push_str("</div>\n");
    if let Some(t) = r.report.tally.as_ref() {
        h.push_str("<div class=\"page\">\n");
        attendance_section(&mut h, t);
        results_section(&mut h, t, &r.report.resolutions, r.declared);
        disregarded_section(&mut h, r, t);
        restricted_section(&mut h, r);
        h.push_str("</div>\n");
    } else {
        h.push_str("<h2>4. Poll results</h2>\n<p>No tally: the bundle is not valid, so no count derived from it can be relied on.</p>\n");
    }
    if r.input.comparison.is_some() || r.input.announcement.is_some() {
        h.push_str("<div class=\"page\">\n<h2>8. Published figures compared with the recomputed count</h2>\n");
        if let Some(c) = &r.input.comparison {
            comparison_section(&mut h, r, c);
        }
        if let Some(a) = &r.input.announcement {
            announcement_section(&mut h, a);
        }
        h.push_str("</div>\n");
    }
    if let Some(a) = r.report.announcement.as_deref() {
        h.push_str("<div class=\"page\">\n<h2>Appendix: the announcement recomputed from the ledger</h2>\n<div class=\"ann\">\n");
        announcement_text(&mut h, a);
        h.push_str("</div>\n</div>\n");
    }
    let _ = writeln!(
        h,
        "<p class=\"foot\">Generated by scrutin {} from the bundle alone and the trusted keys listed in the scope statement; \
         re-running <code>scrutin verify</code> on the same bundle with the same keys reproduces every number in this report. \
         Counts are votes (shares &times; votes per share); percentages are rounded half-up at the meeting&#39;s decimals; \
         pass or fail is decided on exact integers. Times are shown at UTC{}.</p>",
        escape_html(env!("CARGO_PKG_VERSION")),
        escape_html(&r.input.offset.suffix().replace('Z', ""))
    );
    attestation(&mut h, r);
    h.push_str("</body>\n</html>\n");
    h
}

/// What was verified, under which keys, when and with which version, and what was not.
fn scope_section(h: &mut String, r: &View<'_>) {
    h.push_str("<div class=\"scope\">\n<h2>Scope of this verification</h2>\n");
    let when = r.input.verified_at.map_or_else(
        || "at a time not recorded".to_owned(),
        |t| format!("on {}", r.time(t)),
    );
    let _ = writeln!(
        h,
        "<p>This report records a verification of the meeting ledger bundle <span class=\"mono\">{}</span> \
         (SHA-256 <span class=\"mono\">{}</span>), made {} with scrutin version {}, offline, from the bundle \
         and the keys below alone.</p>",
        escape_html(r.input.bundle),
        escape_html(&r.report.digest),
        escape_html(&when),
        escape_html(env!("CARGO_PKG_VERSION"))
    );
    h.push_str("<p><b>What was verified.</b> That every entry of the bundle is well formed, hash-chained to the one before it and signed by its author; \
        that the signed checkpoint commits to exactly these entries (its Merkle root) and is signed by a trusted key; \
        that the meeting was convened by the registrar key trusted below and each later entry was made by a key holding the authority it needs; \
        that every recorded event obeys the meeting&#39;s voting rules; and that the count was recomputed from the recorded events and equals each result declared.");
    if r.input.comparison.is_some() || r.input.announcement.is_some() {
        h.push_str(" The published figures named in section 8 were compared, figure by figure, with the recomputed count.");
    }
    h.push_str("</p>\n<p><b>Under which keys.</b> The keys below were supplied by the person verifying, not taken from the bundle; \
        every key in this report is shown in this one form:</p>\n<ul>\n");
    for v in r.input.trusted {
        let role = if v.may_sign() {
            "trusted to sign"
        } else {
            "trusted to cosign only"
        };
        let _ = writeln!(
            h,
            "<li><span class=\"key\">{}</span> ({role})</li>",
            escape_html(&v.to_vkey_string())
        );
    }
    h.push_str("</ul>\n<p><b>What was not verified.</b> This verification does <b>not</b> establish: \
        the identity of the holders, proxies and attendees behind the register lines and ballots; \
        that the register recorded in the bundle is the true register of members at the record date; \
        that the meeting was duly convened (notice, circular, record date, quorum, the chair&#39;s conduct); \
        nor that the trusted keys belong to the persons they are named after. Each must be established separately.</p>\n</div>\n");
}

/// The attestation block: name, firm, date and a signature line.
fn attestation(h: &mut String, r: &View<'_>) {
    let (name, firm) = match r.input.attest {
        Some(a) => match a.split_once(',') {
            Some((n, f)) => (n.trim().to_owned(), f.trim().to_owned()),
            None => (a.trim().to_owned(), String::new()),
        },
        None => (String::new(), String::new()),
    };
    let date = r
        .input
        .verified_at
        .map(|t| r.input.offset.date(t))
        .unwrap_or_default();
    h.push_str("<div class=\"attest\">\n<h3>Attestation</h3>\n<p>I verified the bundle named above as this report describes, within the scope stated at its beginning.</p>\n<table>\n");
    for (k, v) in [("Name", name), ("Firm", firm), ("Date", date)] {
        let _ = writeln!(
            h,
            "<tr><th>{k}</th><td class=\"line\">{}</td></tr>",
            escape_html(&v)
        );
    }
    h.push_str("<tr><th>Signature</th><td class=\"line\"></td></tr>\n</table>\n</div>\n");
}

fn row(h: &mut String, k: &str, v: &str) {
    let _ = writeln!(
        h,
        "<tr><th>{}</th><td>{}</td></tr>",
        escape_html(k),
        escape_html(v)
    );
}

fn meeting_section(h: &mut String, r: &View<'_>) {
    h.push_str("<h2>1. The meeting</h2>\n");
    let Some(m) = r.meeting() else {
        h.push_str("<p>The bundle does not start with a readable meeting record.</p>\n");
        return;
    };
    h.push_str("<table>\n");
    row(h, "Issuer", &m.issuer);
    row(h, "Stock code", &m.stock_code);
    row(
        h,
        "Meeting",
        &format!("{} ({}) held on {}", m.id, m.kind.name(), m.date),
    );
    row(h, "Record date", m.record_date.as_str());
    row(h, "Proxy deadline", &r.time(m.proxy_deadline));
    let rules = &m.rules;
    row(
        h,
        "Counting rules",
        &format!(
            "{} profile; ordinary: {}; special: {}; denominator: {}; percentages to {} decimals",
            rules.preset.name(),
            rules.ordinary,
            rules.special,
            match rules.denominator {
                scrutin_model::Denominator::ForAgainst => "votes for + against",
                scrutin_model::Denominator::ForAgainstAbstain => "votes for + against + abstain",
            },
            rules.decimals
        ),
    );
    let classes: Vec<String> = m
        .classes
        .iter()
        .map(|c| {
            format!(
                "{} ({}, {} vote(s) per share)",
                c.id, c.name, c.votes_per_share
            )
        })
        .collect();
    row(h, "Share classes", &classes.join("; "));
    if !m.scrutineer.is_empty() {
        row(h, "Scrutineer", &m.scrutineer);
    }
    key_row(h, "Registrar key", &r.key_by_bytes(&m.registrar.0));
    h.push_str("</table>\n");
}

/// A row whose value is a key (monospace, breakable).
fn key_row(h: &mut String, k: &str, keys: &str) {
    let _ = writeln!(
        h,
        "<tr><th>{}</th><td class=\"mono\">{}</td></tr>",
        escape_html(k),
        escape_html(keys).replace('\n', "<br>")
    );
}

fn bundle_section(h: &mut String, r: &View<'_>) {
    h.push_str("<h2>2. The bundle and its checkpoint</h2>\n<table>\n");
    row(h, "Bundle file", r.input.bundle);
    let _ = writeln!(
        h,
        "<tr><th>Bundle digest (SHA-256)</th><td class=\"mono\">{}</td></tr>",
        escape_html(&r.report.digest)
    );
    row(h, "Entries", &group_thousands(u128::from(r.report.entries)));
    if let Some(cp) = &r.report.checkpoint {
        let signers: Vec<String> = cp
            .signers()
            .iter()
            .map(|s| r.key_by_name(&s.name, false))
            .collect();
        key_row(h, "Checkpoint signed by", &signers.join("\n"));
    }
    let cos = if r.report.cosigners.is_empty() {
        "none".to_owned()
    } else {
        r.report
            .cosigners
            .iter()
            .map(|n| {
                let at = r
                    .report
                    .checkpoint
                    .as_ref()
                    .and_then(|cp| cp.cosigners().iter().find(|c| &c.name == n))
                    .map(|c| format!(" (cosigned {})", r.input.offset.format_seconds(c.timestamp)))
                    .unwrap_or_default();
                format!("{}{at}", r.key_by_name(n, true))
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    key_row(h, "Trusted witnesses that cosigned", &cos);
    if !r.report.witnesses_silent.is_empty() {
        let silent: Vec<String> = r
            .report
            .witnesses_silent
            .iter()
            .map(|n| r.key_by_name(n, true))
            .collect();
        key_row(
            h,
            "Trusted witnesses that did not cosign",
            &silent.join("\n"),
        );
    }
    h.push_str("</table>\n");
    if let Some(note) = &r.checkpoint_note {
        let _ = writeln!(
            h,
            "<h3>Signed checkpoint (C2SP signed note)</h3>\n<pre>{}</pre>",
            escape_html(note)
        );
    }
}

fn checks_section(h: &mut String, r: &View<'_>) {
    h.push_str("<h2>3. Checks</h2>\n<table>\n<tr><th>#</th><th>Check</th><th>Result</th><th>Detail</th></tr>\n");
    for c in &r.report.checks {
        let cls = match c.status {
            CheckStatus::Passed => "passed",
            CheckStatus::Failed => "failed",
            CheckStatus::NotRun => "notrun",
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"{cls}\">{}</td><td>{}</td></tr>",
            c.number,
            escape_html(&c.name),
            c.status.word(),
            escape_html(&c.detail)
        );
    }
    h.push_str("</table>\n");
}

fn attendance_section(h: &mut String, t: &Tally) {
    h.push_str("<h2>4. Attendance</h2>\n<table>\n<tr><th>Class</th><th>Shares entitled to attend and vote</th><th>Shares represented</th><th>%</th></tr>\n");
    for c in &t.classes {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}%</td></tr>",
            escape_html(&c.id),
            group_thousands(c.entitled),
            group_thousands(c.represented),
            escape_html(&c.represented_pct)
        );
    }
    let _ = writeln!(
        h,
        "<tr><th>Total</th><td class=\"n\"><b>{}</b></td><td class=\"n\"><b>{}</b></td><td class=\"n\"><b>{}%</b></td></tr>\n</table>",
        group_thousands(t.entitled),
        group_thousands(t.represented),
        escape_html(&t.represented_pct)
    );
    sittings_table(h, t);
}

/// Attendance per sitting, when the meeting holds class meetings beside the general one:
/// each sitting counts the shares and holders present at it (a proxy form is for one
/// sitting), so the lawyer sees each meeting's quorum figures, not one merged total.
fn sittings_table(h: &mut String, t: &Tally) {
    if t.sittings.len() < 2 {
        return;
    }
    h.push_str("<p>Attendance at each sitting (a proxy form and an attendance are for one sitting):</p>\n<table>\n<tr><th>Sitting</th><th>Shares entitled to attend and vote</th><th>Shares represented</th><th>%</th><th>Holders present (in person, by proxy)</th></tr>\n");
    for s in &t.sittings {
        let what = match &s.class {
            Some(c) => format!("{} (class {})", s.id, c),
            None => format!("{} (general meeting)", s.id),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}%</td><td class=\"n\">{} ({}, {})</td></tr>",
            escape_html(&what),
            group_thousands(s.entitled),
            group_thousands(s.represented),
            escape_html(&s.represented_pct),
            s.holders_present,
            s.holders_in_person,
            s.holders_by_proxy
        );
    }
    h.push_str("</table>\n");
}

/// A horizontal bar chart of for / against / abstain, widths proportional to the votes
/// (integer arithmetic; a non-zero count gets at least one pixel so it stays visible).
fn bars(r: &ResolutionTally) -> String {
    const W: u128 = 560;
    let total = r.for_ + r.against + r.abstain;
    let parts = [
        ("For", r.for_, &r.for_pct, "#2e7d32"),
        ("Against", r.against, &r.against_pct, "#c62828"),
        ("Abstain", r.abstain, &r.abstain_pct, "#757575"),
    ];
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"96\" viewBox=\"0 0 900 96\" role=\"img\" aria-label=\"votes for, against and abstaining on resolution {}\">",
        escape_html(&r.id)
    );
    for (i, (label, votes, pct, colour)) in parts.iter().enumerate() {
        let y = 6 + i * 30;
        let w = match (votes * W).checked_div(total) {
            Some(w) if *votes > 0 => w.max(1),
            _ => 0,
        };
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\" font-size=\"13\" font-family=\"Georgia,serif\">{label}</text>\
             <rect x=\"70\" y=\"{y}\" width=\"{W}\" height=\"20\" fill=\"#f0f0f0\"/>\
             <rect x=\"70\" y=\"{y}\" width=\"{w}\" height=\"20\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"13\" font-family=\"Courier New,monospace\">{} ({}%)</text>",
            y + 15,
            70 + W + 8,
            y + 15,
            group_thousands(*votes),
            escape_html(pct)
        );
    }
    s.push_str("</svg>");
    s
}

fn results_section(h: &mut String, t: &Tally, proposed: &[Resolution], declared: bool) {
    h.push_str("<h2>5. Poll results</h2>\n");
    for r in &t.resolutions {
        let title = proposed
            .iter()
            .find(|p| p.id.as_str() == r.id)
            .map_or("", |p| p.title.as_str());
        let (verdict, cls) = match (declared, r.passed) {
            (false, _) => ("PROVISIONAL: NO RESULT DECLARED", "notrun"),
            (true, true) => ("PASSED", "passed"),
            (true, false) => ("NOT PASSED", "failed"),
        };
        let _ = writeln!(
            h,
            "<div class=\"res\">\n<h3>Resolution {} ({} resolution): <span class=\"{cls}\">{verdict}</span></h3>",
            escape_html(&r.id),
            escape_html(&r.kind)
        );
        if !title.is_empty() {
            let _ = writeln!(h, "<p class=\"title\">{}</p>", escape_html(title));
        }
        let _ = writeln!(
            h,
            "<table>\n<tr><th>Votes entitled on this resolution</th><th>Required to abstain</th><th>May vote only against (Rule 13.40)</th><th>Disregarded</th></tr>\n\
             <tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n</table>",
            group_thousands(r.entitled),
            group_thousands(r.must_abstain),
            group_thousands(r.against_only),
            group_thousands(r.disregarded)
        );
        if r.candidates.is_empty() {
            split_table(h, r);
        } else {
            candidates_table(h, r);
        }
        if let Some(s) = &r.scheme {
            let _ = writeln!(
                h,
                "<p>Scheme tests: holders for {}, against {} (headcount {}); votes against within the limit: {}.</p>",
                s.holders_for,
                s.holders_against,
                if s.headcount_passed { "passed" } else { "failed" },
                if s.against_limit_passed { "yes" } else { "no" }
            );
        }
        h.push_str("</div>\n");
    }
}

fn split_table(h: &mut String, r: &ResolutionTally) {
    let _ = writeln!(
        h,
        "<table>\n<tr><th></th><th>For</th><th>Against</th><th>Abstain</th></tr>\n\
         <tr><th>Votes</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n\
         <tr><th>%</th><td class=\"n\">{}%</td><td class=\"n\">{}%</td><td class=\"n\">{}%</td></tr>",
        group_thousands(r.for_),
        group_thousands(r.against),
        group_thousands(r.abstain),
        escape_html(&r.for_pct),
        escape_html(&r.against_pct),
        escape_html(&r.abstain_pct)
    );
    for (class, v) in &r.by_class {
        let _ = writeln!(
            h,
            "<tr><th>Class {}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape_html(class),
            group_thousands(v.for_),
            group_thousands(v.against),
            group_thousands(v.abstain)
        );
    }
    h.push_str("</table>\n");
    h.push_str(&bars(r));
    h.push('\n');
}

/// A cumulative election: each candidate's votes, with a bar scaled to the leader's.
fn candidates_table(h: &mut String, r: &ResolutionTally) {
    const W: u128 = 420;
    let top = r.candidates.iter().map(|c| c.votes).max().unwrap_or(0);
    h.push_str("<table>\n<tr><th>Candidate</th><th>Votes</th><th>Elected</th><th></th></tr>\n");
    for c in &r.candidates {
        let w = match (c.votes * W).checked_div(top) {
            Some(w) if c.votes > 0 => w.max(1),
            _ => 0,
        };
        let colour = if c.elected { "#2e7d32" } else { "#9e9e9e" };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"{}\">{}</td><td><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"16\" viewBox=\"0 0 {W} 16\" role=\"img\" aria-label=\"votes for candidate {}\"><rect x=\"0\" y=\"2\" width=\"{W}\" height=\"12\" fill=\"#f0f0f0\"/><rect x=\"0\" y=\"2\" width=\"{w}\" height=\"12\" fill=\"{colour}\"/></svg></td></tr>",
            escape_html(&c.id),
            group_thousands(c.votes),
            if c.elected { "passed" } else { "notrun" },
            if c.elected { "elected" } else { "not elected" },
            escape_html(&c.id)
        );
    }
    let _ = writeln!(
        h,
        "</table>\n<p>Votes cast in total: {} (each share carries one vote per seat).</p>",
        group_thousands(r.for_ + r.against + r.abstain)
    );
}

fn disregarded_section(h: &mut String, r: &View<'_>, t: &Tally) {
    h.push_str("<h2>6. Votes disregarded, and why</h2>\n");
    let any = t
        .resolutions
        .iter()
        .any(|r| !r.disregarded_ballots.is_empty());
    if !any {
        h.push_str("<p>No vote tendered was disregarded.</p>\n");
        return;
    }
    h.push_str(
        "<table>\n<tr><th>Resolution</th><th>Voter</th><th>Votes</th><th>Reason</th></tr>\n",
    );
    for res in &t.resolutions {
        for d in &res.disregarded_ballots {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                escape_html(&res.id),
                escape_html(&r.named(&d.voter)),
                group_thousands(d.votes),
                escape_html(&d.reason)
            );
        }
    }
    h.push_str("</table>\n");
}

fn restricted_section(h: &mut String, r: &View<'_>) {
    h.push_str("<h2>7. Holders required to abstain or to vote only against</h2>\n");
    if r.report.restricted.is_empty() {
        h.push_str("<p>No holder was required to abstain or restricted to voting against.</p>\n");
        return;
    }
    h.push_str("<table>\n<tr><th>Holder</th><th>Resolution</th><th>Restriction</th><th>Reason recorded</th></tr>\n");
    for x in &r.report.restricted {
        let Restricted {
            holder,
            resolution,
            restriction,
            reason,
        } = x;
        let what = match restriction {
            Restriction::Abstain => "must abstain",
            Restriction::AgainstOnly => "may vote only against (Rule 13.40)",
            Restriction::NotDisinterested => {
                "not disinterested (left out of the scheme's disinterested tests)"
            }
            Restriction::IntendsAgainst => "stated an intention to vote against",
            Restriction::IntendsAbstain => "stated an intention to abstain",
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{what}</td><td>{}</td></tr>",
            escape_html(&r.named(holder)),
            escape_html(resolution),
            escape_html(reason)
        );
    }
    h.push_str("</table>\n");
}

/// A path's segments, split at the dots outside brackets (`resolutions[id=1.a]`, `for`).
fn split_path(path: &str) -> Vec<String> {
    let mut seg = String::new();
    let mut depth = 0u32;
    let mut segs = Vec::new();
    for c in path.chars() {
        match c {
            '[' => {
                depth += 1;
                seg.push(c);
            }
            ']' => {
                depth = depth.saturating_sub(1);
                seg.push(c);
            }
            '.' if depth == 0 => segs.push(std::mem::take(&mut seg)),
            c => seg.push(c),
        }
    }
    segs.push(seg);
    segs
}

/// A figure's path (`resolutions[id=2].for_pct`) in words (`Resolution 2: for (%)`).
pub fn figure_label(path: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let segs = split_path(path);
    for s in segs {
        let (name, key) = match s.split_once('[') {
            Some((n, k)) => (n.to_owned(), Some(k.trim_end_matches(']').to_owned())),
            None => (s.clone(), None),
        };
        let key = key.map(|k| k.strip_prefix("id=").map_or(k.clone(), str::to_owned));
        let word = match name.as_str() {
            "resolutions" => "Resolution",
            "classes" => "Class",
            "candidates" => "candidate",
            "by_class" => "class",
            "for" => "votes for",
            "against" => "votes against",
            "abstain" => "votes abstaining",
            "for_pct" => "for (%)",
            "against_pct" => "against (%)",
            "abstain_pct" => "abstaining (%)",
            "passed" => "passed",
            "entitled" => "votes entitled",
            "represented" => "shares represented",
            "represented_pct" => "represented (%)",
            "must_abstain" => "votes required to abstain",
            "against_only" => "votes that may only be against",
            "disregarded" => "votes disregarded",
            "votes" => "votes",
            "elected" => "elected",
            "kind" => "kind",
            "scrutineer" => "scrutineer",
            other => other,
        };
        let word = if word == name && word.contains('_') {
            word.replace('_', " ")
        } else {
            word.to_owned()
        };
        parts.push(match key {
            Some(k) => format!("{word} {k}"),
            None => word,
        });
    }
    let mut out = parts.join(": ");
    if out.is_empty() {
        out = path.to_owned();
    }
    out
}

/// The recomputed value at a claimed path, from the tally as JSON (for figures that matched:
/// the comparison keeps only their paths).
fn lookup(tally: &serde_json::Value, path: &str) -> Option<String> {
    let mut v = tally;
    let segs = split_path(path);
    for s in segs {
        let (name, key) = match s.split_once('[') {
            Some((n, k)) => (n, Some(k.trim_end_matches(']'))),
            None => (s.as_str(), None),
        };
        if !name.is_empty() {
            v = v.get(name)?;
        }
        if let Some(k) = key {
            match k.strip_prefix("id=") {
                Some(id) => {
                    v = v
                        .as_array()?
                        .iter()
                        .find(|x| x.get("id").and_then(|i| i.as_str()) == Some(id))?;
                }
                None => v = v.get(k.parse::<usize>().ok()?)?,
            }
        }
    }
    Some(match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

fn comparison_section(h: &mut String, r: &View<'_>, c: &ReportComparison<'_>) {
    let (file, c) = (c.file, c.result);
    let _ = writeln!(
        h,
        "<h3>Claimed tally <span class=\"mono\">{}</span></h3>\n<p>{} figure(s) match; {} differ.</p>",
        escape_html(file),
        c.matched.len(),
        c.differences.len()
    );
    let tally = r
        .report
        .tally
        .as_ref()
        .and_then(|t| serde_json::to_value(t).ok());
    h.push_str("<table class=\"cmp\">\n<colgroup><col style=\"width:31%\"><col style=\"width:27%\"><col style=\"width:27%\"><col style=\"width:15%\"></colgroup>\n<thead><tr><th>Figure</th><th>Claimed</th><th>Recomputed from the ledger</th><th>Result</th></tr></thead>\n");
    for d in &c.differences {
        let _ = writeln!(
            h,
            "<tr><td title=\"{}\">{}</td><td class=\"n failed\">{}</td><td class=\"n\">{}</td><td class=\"failed\">differs: {}</td></tr>",
            escape_html(&d.path),
            escape_html(&figure_label(&d.path)),
            escape_html(&d.claimed),
            escape_html(&d.recomputed),
            escape_html(d.kind.name())
        );
    }
    for p in &c.matched {
        let v = tally
            .as_ref()
            .and_then(|t| lookup(t, p))
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<tr><td title=\"{}\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"passed\">matches</td></tr>",
            escape_html(p),
            escape_html(&figure_label(p)),
            escape_html(&v),
            escape_html(&v)
        );
    }
    h.push_str("</table>\n");
}

/// A short value stays on one line, right-aligned; a long one (a statement) wraps.
fn value_class(v: &str) -> &'static str {
    if v.chars().count() <= 22 {
        "n"
    } else {
        "v"
    }
}

fn announcement_section(h: &mut String, a: &ReportAnnouncement<'_>) {
    let c = a.result;
    let differs = |cl: &scrutin_crosscheck::Claim| {
        c.differences
            .iter()
            .find(|d| d.path == cl.path && d.line == Some(cl.line) && d.claimed == cl.claimed)
    };
    let _ = writeln!(
        h,
        "<h3>Published announcement <span class=\"mono\">{}</span></h3>\n<p>{} claim(s) read, {} match, {} difference(s), {} line(s) with figures not read.</p>",
        escape_html(a.file),
        c.claims.len(),
        c.claims.iter().filter(|cl| differs(cl).is_none()).count(),
        c.differences.len(),
        c.unparsed.len()
    );
    h.push_str("<table class=\"cmp\">\n<colgroup><col style=\"width:6%\"><col style=\"width:25%\"><col style=\"width:27%\"><col style=\"width:27%\"><col style=\"width:15%\"></colgroup>\n<thead><tr><th>Line</th><th>Figure</th><th>Claimed</th><th>Recomputed from the ledger</th><th>Result</th></tr></thead>\n");
    for cl in &c.claims {
        let (cls, res) = match differs(cl) {
            Some(d) => ("failed", format!("differs: {}", d.kind.name())),
            None => ("passed", "matches".to_owned()),
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">{}</td><td title=\"{}\">{}</td><td class=\"{}\">{}</td><td class=\"{}\">{}</td><td class=\"{cls}\">{}</td></tr>",
            cl.line,
            escape_html(&cl.path),
            escape_html(&figure_label(&cl.path)),
            value_class(&cl.claimed),
            escape_html(&cl.claimed),
            value_class(&cl.recomputed),
            escape_html(&cl.recomputed),
            escape_html(&res)
        );
    }
    for d in c.differences.iter().filter(|d| d.line.is_none()) {
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">&ndash;</td><td title=\"{}\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"failed\">differs: {}</td></tr>",
            escape_html(&d.path),
            escape_html(&figure_label(&d.path)),
            escape_html(&d.claimed),
            escape_html(&d.recomputed),
            escape_html(d.kind.name())
        );
    }
    h.push_str("</table>\n");
    if !c.unparsed.is_empty() {
        h.push_str("<p>Lines holding figures that could not be read (not compared):</p>\n<table>\n<tr><th>Line</th><th>Text</th></tr>\n");
        for u in &c.unparsed {
            let _ = writeln!(
                h,
                "<tr><td class=\"n\">{}</td><td class=\"mono\">{}</td></tr>",
                u.line,
                escape_html(&u.text)
            );
        }
        h.push_str("</table>\n");
    }
}

/// The recomputed announcement as laid out: its tab-separated lines as table rows (each
/// figure on one line, in its column), the rest as paragraphs.
fn announcement_text(h: &mut String, text: &str) {
    let mut rows: Vec<Vec<&str>> = Vec::new();
    let flush = |h: &mut String, rows: &mut Vec<Vec<&str>>| {
        if rows.is_empty() {
            return;
        }
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        h.push_str("<table class=\"ann\">\n");
        for (i, row) in rows.iter().enumerate() {
            h.push_str("<tr>");
            // A row with fewer cells (a heading) lets its first cell span the difference.
            let span = width - row.len() + 1;
            for (j, cell) in row.iter().enumerate() {
                let tag = if i == 0 { "th" } else { "td" };
                let figure = is_figure(cell);
                let _ = write!(
                    h,
                    "<{tag}{}{}>{}</{tag}>",
                    if j == 0 && span > 1 {
                        format!(" colspan=\"{span}\"")
                    } else {
                        String::new()
                    },
                    if figure { " class=\"n\"" } else { "" },
                    escape_html(cell.trim())
                );
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
        rows.clear();
    };
    for line in text.lines() {
        if line.contains('\t') {
            rows.push(line.split('\t').collect());
            continue;
        }
        flush(h, &mut rows);
        if !line.trim().is_empty() {
            let _ = writeln!(h, "<p>{}</p>", escape_html(line));
        }
    }
    flush(h, &mut rows);
}

/// A figure cell (`516,237,845 (99.9955%)`, `1.`): digits and their punctuation only.
fn is_figure(cell: &str) -> bool {
    let c = cell.trim();
    !c.is_empty()
        && c.chars().any(|ch| ch.is_ascii_digit())
        && c.chars()
            .all(|ch| ch.is_ascii_digit() || " ,.%()".contains(ch))
}

#[cfg(test)]
mod tests {
    use super::attendance_section;
    use scrutin_tally::{SittingAttendance, Tally};

    fn sitting(id: &str, class: Option<&str>, represented: u128) -> SittingAttendance {
        SittingAttendance {
            id: id.into(),
            kind: if class.is_some() { "class" } else { "general" }.into(),
            class: class.map(Into::into),
            entitled: 4_000,
            represented,
            represented_pct: format!("{}.00", represented * 100 / 4_000),
            holders_present: 3,
            holders_in_person: 1,
            holders_by_proxy: 2,
        }
    }

    /// With a class meeting beside the general one, the report states each sitting's own
    /// attendance (the H shares represented at each), escaped; with one sitting, no table.
    #[test]
    fn the_report_states_attendance_per_sitting() {
        let mut t = Tally {
            sittings: vec![sitting("egm", None, 1_372)],
            ..Tally::default()
        };
        let mut one = String::new();
        attendance_section(&mut one, &t);
        assert!(!one.contains("Attendance at each sitting"), "{one}");
        t.sittings.push(sitting("h<class>", Some("H"), 2_744));
        let mut two = String::new();
        attendance_section(&mut two, &t);
        assert!(two.contains("Attendance at each sitting"), "{two}");
        assert!(two.contains("egm (general meeting)"), "{two}");
        assert!(two.contains("h&lt;class&gt; (class H)"), "{two}");
        assert!(two.contains("1,372") && two.contains("2,744"), "{two}");
        assert!(two.contains("3 (1, 2)"), "{two}");
    }
}

//! The self-contained HTML verification report (`scrutin verify --report`): one file, inline
//! CSS and inline SVG, no external resources, every string from the bundle HTML-escaped.
//! Deterministic: the same bundle and keys give the same bytes (no clock in the page).
//!
//! An embedder renders it from a [`VerifyReport`] and what the report cannot know (the
//! bundle's name, the trusted keys, a comparison with published figures):
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let trust: Vec<scrutin::log::NoteVerifier> = Vec::new();
//! let file = std::fs::File::open("meeting.bundle")?;
//! let report = scrutin::verify_bundle(file, &trust, &mut |_, _| {})?;
//! let html = scrutin::report::render_html(
//!     &report,
//!     &scrutin::report::ReportInput { bundle: "meeting.bundle", trusted: &trust, comparison: None },
//! );
//! std::fs::write("report.html", html)?;
//! # Ok(()) }
//! ```

use std::fmt::Write as _;

use scrutin_log::{CheckStatus, NoteVerifier, SignedCheckpoint};
use scrutin_model::{group_thousands, MeetingConvened, Resolution};
use scrutin_tally::{ResolutionTally, Tally};

use crate::{TallyComparison, VerifyReport};

/// What the HTML report shows beyond the [`VerifyReport`].
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The bundle's name as shown (its file name, say).
    pub bundle: &'a str,
    /// The keys the bundle was verified against (listed as vkey strings).
    pub trusted: &'a [NoteVerifier],
    /// The comparison with a claimed (published) tally, if one was made.
    pub comparison: Option<ReportComparison<'a>>,
}

/// A comparison of claimed figures with the recomputed tally, as the report shows it.
#[derive(Debug, Clone, Copy)]
pub struct ReportComparison<'a> {
    /// The claimed tally's name as shown (its file name, say).
    pub file: &'a str,
    /// What matched and what differs ([`crate::compare_tally`]).
    pub result: &'a TallyComparison,
}

/// Renders the whole report: the meeting, the bundle and its checkpoint, the numbered checks
/// and the verdict, attendance, the poll results with bar charts, the votes disregarded and
/// the comparison. The verdict reads VALID only when the bundle is valid and no claimed
/// figure differs. Every string from the bundle, the keys or the comparison is escaped
/// ([`escape_html`]).
pub fn render_html(report: &VerifyReport, input: &ReportInput<'_>) -> String {
    render(&View {
        bundle: input.bundle,
        valid: report.is_valid()
            && input
                .comparison
                .as_ref()
                .is_none_or(|c| c.result.is_match()),
        verdict: report.verdict_line(),
        meeting: report.meeting.as_ref(),
        resolutions: &report.resolutions,
        digest: &report.digest,
        entries: report.entries,
        checkpoint_note: report
            .checkpoint
            .as_ref()
            .map(SignedCheckpoint::to_note_text),
        cosigners: &report.cosigners,
        trusted: input
            .trusted
            .iter()
            .map(NoteVerifier::to_vkey_string)
            .collect(),
        checks: &report.checks,
        tally: report.tally.as_ref(),
        comparison: input.comparison,
        announcement: report.announcement.as_deref(),
        declared: report.declared_at.is_some(),
    })
}

/// Everything the report shows.
struct View<'a> {
    bundle: &'a str,
    valid: bool,
    verdict: String,
    meeting: Option<&'a MeetingConvened>,
    /// The resolutions as proposed (for their titles).
    resolutions: &'a [Resolution],
    digest: &'a str,
    entries: u64,
    checkpoint_note: Option<String>,
    cosigners: &'a [String],
    trusted: Vec<String>,
    checks: &'a [crate::Check],
    tally: Option<&'a Tally>,
    comparison: Option<ReportComparison<'a>>,
    announcement: Option<&'a str>,
    /// Whether the result is declared: until then no outcome is stated.
    declared: bool,
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
td.mono,span.mono{font-family:'Courier New',monospace;font-size:12px;word-break:break-all}
pre{background:#f6f6f6;border:1px solid #ccc;padding:8px;font-size:12px;white-space:pre-wrap;word-break:break-all}
.passed{color:#1b5e20;font-weight:bold}.failed{color:#b71c1c;font-weight:bold}.notrun{color:#777}
.res{border:1px solid #ccc;padding:4px 14px 10px;margin:12px 0;border-radius:4px;page-break-inside:avoid}
pre.ann{font-family:Georgia,serif;font-size:13px;white-space:pre-wrap;word-break:normal;tab-size:4}
.foot{color:#666;font-size:12px;margin-top:30px;border-top:1px solid #ccc;padding-top:8px}
@media print{body{margin:0}.res{break-inside:avoid}}
";

fn render(r: &View<'_>) -> String {
    let mut h = String::with_capacity(16 * 1024);
    let title = match r.meeting {
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
        escape_html(r.bundle),
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
    meeting_section(&mut h, r);
    bundle_section(&mut h, r);
    checks_section(&mut h, r);
    if let Some(t) = r.tally {
        attendance_section(&mut h, t);
        results_section(&mut h, t, r.resolutions, r.declared);
        disregarded_section(&mut h, t);
    } else {
        h.push_str("<h2>4. Poll results</h2>\n<p>No tally: the bundle is not valid, so no count derived from it can be relied on.</p>\n");
    }
    if let Some(c) = &r.comparison {
        comparison_section(&mut h, c);
    }
    if let Some(a) = r.announcement {
        let _ = writeln!(
            h,
            "<h2>Appendix: the announcement recomputed from the ledger</h2>\n<pre class=\"ann\">{}</pre>",
            escape_html(a)
        );
    }
    let _ = writeln!(
        h,
        "<p class=\"foot\">Generated by scrutin {} from the bundle alone and the trusted keys listed above; \
         re-running <code>scrutin verify</code> on the same bundle with the same keys reproduces every number in this report. \
         Counts are votes (shares &times; votes per share); percentages are rounded half-up at the meeting&#39;s decimals; \
         pass or fail is decided on exact integers.</p>\n</body>\n</html>",
        escape_html(env!("CARGO_PKG_VERSION"))
    );
    h
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
    let Some(m) = r.meeting else {
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
    row(h, "Proxy deadline", &m.proxy_deadline.to_rfc3339());
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
    row(h, "Registrar key", &m.registrar.to_string());
    h.push_str("</table>\n");
}

fn bundle_section(h: &mut String, r: &View<'_>) {
    h.push_str("<h2>2. The bundle and its checkpoint</h2>\n<table>\n");
    row(h, "Bundle file", r.bundle);
    let _ = writeln!(
        h,
        "<tr><th>Bundle digest (SHA-256)</th><td class=\"mono\">{}</td></tr>",
        escape_html(r.digest)
    );
    row(h, "Entries", &group_thousands(u128::from(r.entries)));
    let cos = if r.cosigners.is_empty() {
        "none".to_owned()
    } else {
        r.cosigners.join(", ")
    };
    row(h, "Trusted witnesses that cosigned", &cos);
    h.push_str("<tr><th>Trusted keys</th><td class=\"mono\">");
    for (i, t) in r.trusted.iter().enumerate() {
        if i > 0 {
            h.push_str("<br>");
        }
        h.push_str(&escape_html(t));
    }
    h.push_str("</td></tr>\n</table>\n");
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
    for c in r.checks {
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
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"{}\">{}</td><td><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"16\" role=\"img\" aria-label=\"votes for candidate {}\"><rect x=\"0\" y=\"2\" width=\"{W}\" height=\"12\" fill=\"#f0f0f0\"/><rect x=\"0\" y=\"2\" width=\"{w}\" height=\"12\" fill=\"{colour}\"/></svg></td></tr>",
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

fn disregarded_section(h: &mut String, t: &Tally) {
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
    for r in &t.resolutions {
        for d in &r.disregarded_ballots {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                escape_html(&r.id),
                escape_html(&d.voter),
                group_thousands(d.votes),
                escape_html(&d.reason)
            );
        }
    }
    h.push_str("</table>\n");
}

fn comparison_section(h: &mut String, c: &ReportComparison<'_>) {
    let (file, c) = (c.file, c.result);
    let _ = writeln!(
        h,
        "<h2>7. Published figures compared with the recomputed tally</h2>\n<p>Claimed tally: <span class=\"mono\">{}</span>. {} figure(s) match; {} differ.</p>",
        escape_html(file),
        c.matched.len(),
        c.differences.len()
    );
    if !c.differences.is_empty() {
        h.push_str(
            "<table>\n<tr><th>Field</th><th>Claimed</th><th>Recomputed from the ledger</th></tr>\n",
        );
        for d in &c.differences {
            let _ = writeln!(
                h,
                "<tr><td class=\"mono\">{}</td><td class=\"n failed\">{}</td><td class=\"n\">{}</td></tr>",
                escape_html(&d.path),
                escape_html(&d.claimed),
                escape_html(&d.recomputed)
            );
        }
        h.push_str("</table>\n");
    }
    if !c.matched.is_empty() {
        let _ = writeln!(
            h,
            "<h3>Matching figures</h3>\n<p class=\"mono\">{}</p>",
            escape_html(&c.matched.join(", "))
        );
    }
}

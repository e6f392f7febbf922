//! The HTML verification report (`scrutin::report`), rendered from a `VerifyReport`: title,
//! numbered checks, verdict, tally rows, the comparison, and every string from the bundle
//! HTML-escaped.

mod common;

use common::*;
use scrutin::log::NoteVerifier;
use scrutin::model::{group_thousands, Event};
use scrutin::report::{escape_html, render_html, ReportComparison, ReportInput};
use scrutin::{compare_tally, verify_bundle, CheckStatus, VerifyReport};

fn trust() -> Vec<NoteVerifier> {
    vec![registrar().verifier()]
}

fn verified(bundle: &[u8]) -> VerifyReport {
    verify_bundle(bundle, &trust(), &mut |_, _| {}).unwrap()
}

fn html(report: &VerifyReport, bundle: &str) -> String {
    render_html(
        report,
        &ReportInput {
            comparison: None,
            ..ReportInput::new(bundle, &trust())
        },
    )
}

/// No script, no external resource: the page is self-contained.
fn self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>\n"));
    assert!(html.ends_with("</html>\n"));
    for bad in ["<script", "<img", "src=\"", "<link", "<iframe", "url("] {
        assert!(!html.contains(bad), "the report contains {bad:?}");
    }
}

#[test]
fn a_valid_bundle_shows_title_checks_verdict_and_tally() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    let report = verified(&bundle_of(&ledger));
    assert!(report.is_valid(), "{}", report.to_json());
    let page = html(&report, "meeting.bundle");
    self_contained(&page);
    assert_eq!(page, html(&report, "meeting.bundle"), "deterministic");

    let m = convened();
    let title = format!(
        "Verification report: {} ({}) {} {}",
        m.issuer,
        m.stock_code,
        m.kind.name(),
        m.date
    );
    assert!(page.contains(&format!("<title>{title}</title>")));
    assert!(page.contains(&format!("<h1>{title}</h1>")));
    assert!(page.contains("<div class=\"verdict ok\">VALID: every check passed</div>"));
    assert!(page.contains("<span class=\"mono\">meeting.bundle</span>"));
    assert!(page.contains(&registrar().verifier().to_vkey_string()));
    for c in &report.checks {
        assert_eq!(c.status, CheckStatus::Passed);
        let row = format!(
            "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"passed\">passed</td><td>{}</td></tr>",
            c.number,
            c.name,
            escape_html(&c.detail)
        );
        assert!(page.contains(&row), "missing {row}");
    }
    let tally = report.tally.as_ref().unwrap();
    for r in &tally.resolutions {
        let verdict = if r.passed { "PASSED" } else { "NOT PASSED" };
        assert!(
            page.contains(&format!(
                "<h3>Resolution {} ({} resolution): ",
                r.id, r.kind
            )),
            "{}",
            r.id
        );
        assert!(page.contains(verdict));
        let votes = format!(
            "<tr><th>Votes</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            group_thousands(r.for_),
            group_thousands(r.against),
            group_thousands(r.abstain)
        );
        assert!(page.contains(&votes), "missing {votes}");
    }
    let total = format!(
        "<tr><th>Total</th><td class=\"n\"><b>{}</b></td><td class=\"n\"><b>{}</b></td>",
        group_thousands(tally.entitled),
        group_thousands(tally.represented)
    );
    assert!(page.contains(&total), "missing {total}");
    // H4's ballot on resolution 2 is disregarded, and the report says why.
    assert!(page.contains("<h2>6. Votes disregarded, and why</h2>"));
    assert!(page.contains("<tr><td>2</td><td>H4 (Holder H4)</td><td class=\"n\">300</td>"));
    assert!(!page.contains("<h2>7. Published figures"));
}

#[test]
fn a_broken_bundle_shows_the_verdict_the_checks_not_run_and_no_tally() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    let mut bundle = bundle_of(&ledger);
    let n = bundle.len();
    bundle[n - 1] ^= 1;
    let report = verified(&bundle);
    assert!(!report.is_valid());
    let page = html(&report, "tampered.bundle");
    self_contained(&page);
    let last = ledger.len() - 1;
    assert!(page.contains(&format!(
        "<div class=\"verdict bad\">NOT VALID: entry {last}: signatures: signature of entry {last} does not verify</div>"
    )));
    assert!(page
        .contains("<tr><td class=\"n\">3</td><td>signatures</td><td class=\"failed\">FAILED</td>"));
    assert!(page.contains(&format!(
        "<tr><td class=\"n\">9</td><td>tally</td><td class=\"notrun\">not run</td><td>stopped: the signatures check failed at entry {last}</td></tr>"
    )));
    assert!(page.contains("<p>No tally: the bundle is not valid"));
    assert!(!page.contains("<h2>5. Poll results</h2>"));
}

#[test]
fn a_claimed_figure_that_differs_makes_the_report_not_valid() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    let report = verified(&bundle_of(&ledger));
    let claimed = serde_json::json!({"resolutions": [{"id": "1", "for": 1}]});
    let result = compare_tally(&claimed, report.tally.as_ref().unwrap());
    assert!(!result.is_match());
    let page = render_html(
        &report,
        &ReportInput {
            comparison: Some(ReportComparison {
                file: "published.json",
                result: &result,
            }),
            ..ReportInput::new("meeting.bundle", &trust())
        },
    );
    assert!(page.contains("<div class=\"verdict bad\">NOT VALID: every check passed</div>"));
    assert!(page.contains("<h2>8. Published figures compared with the recomputed count</h2>"));
    assert!(page.contains(
        "<h3>Claimed tally <span class=\"mono\">published.json</span></h3>\n<p>1 figure(s) match; 1 differ.</p>"
    ));
    assert!(page.contains(
        "<tr><td title=\"resolutions[id=1].for\">Resolution 1: votes for</td><td class=\"n failed\">1</td>"
    ));
}

#[test]
fn every_string_from_the_bundle_and_the_caller_is_escaped() {
    assert_eq!(escape_html("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
    let hostile_issuer = "<script>alert(\"x\")</script> & 'Co'";
    let hostile_title = "<img src=x onerror=alert(1)>";
    let dir = tempfile::tempdir().unwrap();
    let reg = registrar();
    let mut m = convened();
    m.issuer = hostile_issuer.into();
    m.scrutineer = "</td><td>forged".into();
    let ledger = scrutin::Ledger::create(dir.path(), m, &reg).unwrap();
    let setup = setup_events()
        .into_iter()
        .map(|e| match e {
            Event::ResolutionProposed(mut r) if r.id.as_str() == "1" => {
                r.title = hostile_title.into();
                Event::ResolutionProposed(r)
            }
            e => e,
        })
        .collect();
    ledger.submit_batch(&reg, setup).unwrap();
    for b in ballots() {
        ledger.submit(&reg, b).unwrap();
    }
    ledger.submit(&reg, close()).unwrap();
    ledger.declare_result(&scrutineer()).unwrap();
    let report = verified(&bundle_of(&ledger));
    assert!(report.is_valid(), "{}", report.to_json());
    let claimed = serde_json::json!({"resolutions": [{"id": "<i>1</i>", "for": 1}]});
    let result = compare_tally(&claimed, report.tally.as_ref().unwrap());
    let page = render_html(
        &report,
        &ReportInput {
            comparison: Some(ReportComparison {
                file: "\"><u>published",
                result: &result,
            }),
            ..ReportInput::new("<evil>.bundle", &trust())
        },
    );
    self_contained(&page);
    for raw in [
        hostile_issuer,
        hostile_title,
        "<evil>",
        "</td><td>forged",
        "\"><u>",
        "<i>1</i>",
    ] {
        assert!(!page.contains(raw), "{raw:?} is in the report unescaped");
    }
    assert!(page.contains(&escape_html(hostile_issuer)));
    assert!(page.contains(&format!(
        "<p class=\"title\">{}</p>",
        escape_html(hostile_title)
    )));
    assert!(page.contains("&lt;evil&gt;.bundle"));
    assert!(page.contains("&quot;&gt;&lt;u&gt;published"));
    assert!(page.contains(&format!(
        "<title>Verification report: {} (09999) EGM 2026-12-01</title>",
        escape_html(hostile_issuer)
    )));
}

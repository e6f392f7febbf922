//! What the lawyer and the shareholder are handed: the HTML report a lawyer can attach to an
//! opinion (scope, attestation, one key form, holder names, claimed-vs-recomputed tables,
//! times at the meeting's offset), the receipt in plain words, and each ballot's inclusion
//! proof as a C2SP tlog-proof that an independent check accepts.

mod common;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use common::*;
use scrutin::crosscheck::{Claim, CrossCheck, Difference, DifferenceKind, Unparsed};
use scrutin::log::NoteVerifier;
use scrutin::model::UtcMillis;
use scrutin::report::{
    render_html, DisplayOffset, ReportAnnouncement, ReportComparison, ReportInput,
};
use scrutin::{compare_tally, verify_bundle, verify_receipt, VerifyReport, VoteReceipt};
use sha2::{Digest, Sha256};

fn trust() -> Vec<NoteVerifier> {
    vec![registrar().verifier(), witness().verifier_cosigner()]
}

trait Cosigner {
    fn verifier_cosigner(&self) -> NoteVerifier;
}
impl Cosigner for scrutin::log::Signer {
    fn verifier_cosigner(&self) -> NoteVerifier {
        let v = self.verifier();
        NoteVerifier::cosigner(v.name(), v.public_key())
    }
}

fn verified() -> VerifyReport {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    let r = verify_bundle(&bundle_of(&ledger)[..], &trust(), &mut |_, _| {}).unwrap();
    assert!(r.is_valid(), "{}", r.to_json());
    r
}

fn plus8() -> DisplayOffset {
    DisplayOffset::parse("+08:00").unwrap()
}

#[test]
fn offsets_parse_and_format_in_rfc3339() {
    let t = UtcMillis(1_566_972_000_000); // 2019-08-28T06:00:00Z
    assert_eq!(plus8().format(t), "2019-08-28T14:00:00.000+08:00");
    assert_eq!(DisplayOffset::UTC.format(t), "2019-08-28T06:00:00.000Z");
    assert_eq!(
        DisplayOffset::parse("-0530").unwrap().format(t),
        "2019-08-28T00:30:00.000-05:30"
    );
    assert_eq!(plus8().date(t), "2019-08-28");
    for bad in ["8", "+24:00", "+08:60", "+8:00", "08:00", "+08:0", ""] {
        assert!(DisplayOffset::parse(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn the_report_states_its_scope_time_version_keys_and_attestation() {
    let report = verified();
    let trust = trust();
    let page = render_html(
        &report,
        &ReportInput {
            verified_at: Some(UtcMillis(1_566_972_000_000)),
            offset: plus8(),
            attest: Some("Ada Counsel, Counsel & Partners LLP"),
            ..ReportInput::new("meeting.bundle", &trust)
        },
    );
    // Scope in prose: what was verified, and what was not.
    assert!(page.contains("<h2>Scope of this verification</h2>"));
    assert!(page.contains("<b>What was not verified.</b>"));
    for not in [
        "the identity of the holders",
        "the true register of members",
        "duly convened",
    ] {
        assert!(page.contains(not), "scope does not exclude {not:?}");
    }
    // When, at the meeting's offset, and with which version.
    assert!(page.contains(&format!(
        "made on 2019-08-28T14:00:00.000+08:00 with scrutin version {}",
        env!("CARGO_PKG_VERSION")
    )));
    // The attestation block, filled.
    assert!(page.contains("<h3>Attestation</h3>"));
    assert!(page.contains("<tr><th>Name</th><td class=\"line\">Ada Counsel</td></tr>"));
    assert!(
        page.contains("<tr><th>Firm</th><td class=\"line\">Counsel &amp; Partners LLP</td></tr>")
    );
    assert!(page.contains("<tr><th>Date</th><td class=\"line\">2019-08-28</td></tr>"));
    assert!(page.contains("<tr><th>Signature</th><td class=\"line\"></td></tr>"));
    // Print-ready: A4, a page break before each part.
    assert!(page.contains("@page{size:A4"));
    assert!(page.contains("<div class=\"page\">"));
    // Every key in one form: the trusted vkey, in the scope, the meeting and the bundle
    // sections; the registrar key never in bare hex.
    let reg = registrar().verifier().to_vkey_string();
    assert!(
        page.matches(&reg).count() >= 3,
        "registrar vkey shown once only"
    );
    assert!(page.contains(&format!(
        "<tr><th>Registrar key</th><td class=\"mono\">{reg}</td></tr>"
    )));
    let hex: String = registrar()
        .verifier()
        .public_key()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(!page.contains(&hex), "a key shown in hex");
    assert!(page.contains(&witness().verifier_cosigner().to_vkey_string()));
}

#[test]
fn without_attest_the_block_is_blank_and_times_default_to_utc() {
    let report = verified();
    let trust = trust();
    let page = render_html(&report, &ReportInput::new("b", &trust));
    assert!(page.contains("<tr><th>Name</th><td class=\"line\"></td></tr>"));
    assert!(page.contains("made at a time not recorded"));
    let m = convened();
    assert!(page.contains(&format!(
        "<tr><th>Proxy deadline</th><td>{}</td></tr>",
        m.proxy_deadline.to_rfc3339()
    )));
}

#[test]
fn the_proxy_deadline_is_shown_at_the_meetings_offset() {
    let report = verified();
    let trust = trust();
    let page = render_html(
        &report,
        &ReportInput {
            offset: plus8(),
            ..ReportInput::new("b", &trust)
        },
    );
    let m = convened();
    let local = plus8().format(m.proxy_deadline);
    assert!(local.ends_with("+08:00"));
    assert!(page.contains(&format!("<tr><th>Proxy deadline</th><td>{local}</td></tr>")));
    assert!(!page.contains(&m.proxy_deadline.to_rfc3339()));
}

#[test]
fn disregarded_votes_and_must_abstain_holders_carry_their_names() {
    let report = verified();
    assert_eq!(
        report.holder_names.get("H4").map(String::as_str),
        Some("Holder H4")
    );
    // Only the holders the report shows.
    assert!(!report.holder_names.contains_key("H1"));
    assert_eq!(report.restricted.len(), 1);
    let trust = trust();
    let page = render_html(&report, &ReportInput::new("b", &trust));
    assert!(page.contains("<tr><td>2</td><td>H4 (Holder H4)</td><td class=\"n\">300</td>"));
    assert!(page.contains(
        "<tr><td>H4 (Holder H4)</td><td>2</td><td>must abstain</td><td>material interest in the transaction (Rule 2.15)</td></tr>"
    ));
}

#[test]
fn the_expect_comparison_is_a_claimed_vs_recomputed_table_with_kinds() {
    let report = verified();
    let t = report.tally.as_ref().unwrap();
    let r1 = &t.resolutions[0];
    let claimed = serde_json::json!({"resolutions": [
        {"id": "1", "for": r1.for_ + 1, "against": r1.against}
    ]});
    let result = compare_tally(&claimed, t);
    assert_eq!(result.differences.len(), 1);
    let trust = trust();
    let page = render_html(
        &report,
        &ReportInput {
            comparison: Some(ReportComparison {
                file: "published.json",
                result: &result,
            }),
            ..ReportInput::new("b", &trust)
        },
    );
    assert!(page.contains("<table class=\"cmp\">\n<colgroup><col style=\"width:31%\"><col style=\"width:27%\"><col style=\"width:27%\"><col style=\"width:15%\"></colgroup>\n<thead><tr><th>Figure</th><th>Claimed</th><th>Recomputed from the ledger</th><th>Result</th></tr></thead>"));
    assert!(page.contains(&format!(
        "<tr><td title=\"resolutions[id=1].for\">Resolution 1: votes for</td><td class=\"n failed\">{}</td><td class=\"n\">{}</td><td class=\"failed\">differs: {}</td></tr>",
        r1.for_ + 1,
        r1.for_,
        result.differences[0].kind.name()
    )));
    // The matching figure with its value, not only its path.
    assert!(page.contains(&format!(
        "<tr><td title=\"resolutions[id=1].against\">Resolution 1: votes against</td><td class=\"n\">{0}</td><td class=\"n\">{0}</td><td class=\"passed\">matches</td></tr>",
        r1.against
    )));
    assert!(page.contains("NOT VALID"));
}

#[test]
fn the_announcement_cross_check_is_a_table_with_lines_and_kinds() {
    let report = verified();
    let check = CrossCheck {
        claims: vec![
            Claim {
                path: "resolutions[id=1].for_pct".into(),
                line: 12,
                claimed: "94.9905".into(),
                recomputed: "99.9905".into(),
            },
            Claim {
                path: "resolutions[id=1].against".into(),
                line: 12,
                claimed: "1,000".into(),
                recomputed: "1,000".into(),
            },
        ],
        matched: vec!["resolutions[id=1].against".into()],
        differences: vec![
            Difference {
                path: "resolutions[id=1].for_pct".into(),
                line: Some(12),
                claimed: "94.9905".into(),
                recomputed: "99.9905".into(),
                kind: DifferenceKind::Typo,
            },
            Difference {
                path: "resolutions[id=2]".into(),
                line: None,
                claimed: "(absent)".into(),
                recomputed: "special resolution".into(),
                kind: DifferenceKind::Missing,
            },
        ],
        unparsed: vec![Unparsed {
            line: 20,
            text: "<b>garbled 12%</b>".into(),
        }],
    };
    let trust = trust();
    let page = render_html(
        &report,
        &ReportInput {
            announcement: Some(ReportAnnouncement {
                file: "announcement.txt",
                result: &check,
            }),
            ..ReportInput::new("b", &trust)
        },
    );
    assert!(page
        .contains("<h3>Published announcement <span class=\"mono\">announcement.txt</span></h3>"));
    assert!(page.contains("<tr><td class=\"n\">12</td><td title=\"resolutions[id=1].for_pct\">Resolution 1: for (%)</td><td class=\"n\">94.9905</td><td class=\"n\">99.9905</td><td class=\"failed\">differs: typo</td></tr>"));
    assert!(page.contains("<td class=\"passed\">matches</td>"));
    assert!(page.contains("<td class=\"failed\">differs: missing</td>"));
    assert!(page.contains(
        "<tr><td class=\"n\">20</td><td class=\"mono\">&lt;b&gt;garbled 12%&lt;/b&gt;</td></tr>"
    ));
    assert!(page.contains("<div class=\"verdict bad\">NOT VALID"));
    // The recomputed announcement keeps its columns: its tab-separated rows are table rows,
    // each figure in its own cell on one line.
    let ann = report.announcement.as_deref().unwrap();
    let row = ann.lines().find(|l| l.starts_with("1.\t")).unwrap();
    let cells: Vec<&str> = row.split('\t').collect();
    assert!(page.contains("<table class=\"ann\">"));
    assert!(
        page.contains(&format!(
            "<tr><td class=\"n\">1.</td><td>{}</td><td class=\"n\">{}</td>",
            cells[1].trim(),
            cells[2].trim()
        )),
        "{row}"
    );
    assert!(page.contains("table.ann td.n,table.ann th{white-space:nowrap}"));
}

/// A whole meeting whose checkpoint the witness cosigned, and a holder's receipt from it.
fn cosigned_receipt(holder: &str) -> VoteReceipt {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    let mut cp = ledger.checkpoint(&registrar()).unwrap();
    let mut w = scrutin::log::Witness::new(witness(), None);
    let c = w
        .cosign(&cp, &registrar().verifier(), &[], 1_700_000_000)
        .unwrap();
    cp.add_cosignature(c);
    ledger.store_checkpoint(&cp).unwrap();
    ledger.receipt(&h(holder)).unwrap()
}

#[test]
fn a_proxy_voted_receipt_reads_in_plain_words() {
    let receipt = cosigned_receipt("H2");
    let mut report = verify_receipt(&receipt, &trust()).unwrap();
    assert!(report.is_valid(), "{}", report.to_json());
    report.set_offset(plus8());
    let text = report.to_text(false);
    assert!(text.contains("Shareholder: H2, Holder H2\n"), "{text}");
    assert!(
        text.contains("Holding on the register: 2,000 class H shares\n"),
        "{text}"
    );
    assert!(text.contains("Resolution 1: Resolution 1\n"), "{text}");
    assert!(
        text.contains("  Voted through your proxy Chairman of the meeting (P1): for 2,000 against 0 abstain 0; recorded "),
        "{text}"
    );
    assert!(text.contains("+08:00\n  Counted\n"), "{text}");
    assert!(text.contains("  Outcome: the resolution was "), "{text}");
    assert!(text.contains("VALID: your ballots are in the meeting's log signed by registrar.example (cosigned by witness.example)"), "{text}");
    // The plain words first, the technical lines after them; more with verbose.
    let plain_end = text.find("VALID: your ballots").unwrap();
    let checks = text.find("Checks made:\n  checkpoint of ").unwrap();
    assert!(plain_end < checks, "{text}");
    assert!(text.contains("  entry 0: meeting TEST-EGM-2026"), "{text}");
    assert!(!text.contains("Ballots as recorded:"), "{text}");
    let verbose = report.to_text(true);
    assert!(
        verbose.contains("Ballots as recorded:\n  ballot at entry "),
        "{verbose}"
    );
    assert!(
        verbose.contains("  cosigned by (trusted): witness.example\n"),
        "{verbose}"
    );
    // Times at the offset in the JSON too.
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert!(json["ballots"][0]["recorded_at"]
        .as_str()
        .unwrap()
        .ends_with("+08:00"));
    assert_eq!(json["offset"], "+08:00");
    assert_eq!(json["holder_name"], "Holder H2");
    assert_eq!(json["ballots"][0]["proxy_name"], "Chairman of the meeting");
}

#[test]
fn a_disregarded_ballot_says_why_it_was_not_counted() {
    let receipt = cosigned_receipt("H4");
    let report = verify_receipt(&receipt, &trust()).unwrap();
    assert!(report.is_valid(), "{}", report.to_json());
    let text = report.to_text(false);
    assert!(text.contains("Shareholder: H4, Holder H4\n"), "{text}");
    assert!(text.contains("  Voted directly: "), "{text}");
    assert!(
        text.contains("  NOT counted: 300 votes disregarded: "),
        "{text}"
    );
}

#[test]
fn a_cosigner_not_trusted_is_named_not_called_nobody() {
    let receipt = cosigned_receipt("H1");
    let report = verify_receipt(&receipt, &[registrar().verifier()]).unwrap();
    assert!(report.is_valid(), "{}", report.to_json());
    let w = witness().verifier();
    let named = format!("{}+{}", w.name(), hex::encode(w.cosigner_key_id()));
    assert_eq!(report.cosigned_untrusted, vec![named.clone()]);
    let text = report.to_text(true);
    assert!(!text.contains("nobody"), "{text}");
    assert!(
        text.contains(&format!(
            "cosigned by {named}, whose key is not in the trusted set"
        )),
        "{text}"
    );
}

/// RFC 6962 / RFC 9162 inclusion check written from the RFC, independently of scrutin-log.
fn root_from_proof(leaf: [u8; 32], index: u64, size: u64, proof: &[[u8; 32]]) -> Option<[u8; 32]> {
    if index >= size {
        return None;
    }
    let node = |l: &[u8; 32], r: &[u8; 32]| -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([1u8]);
        h.update(l);
        h.update(r);
        h.finalize().into()
    };
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = leaf;
    for p in proof {
        if sn == 0 {
            return None;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    (sn == 0).then_some(r)
}

#[test]
fn each_ballot_carries_a_tlog_proof_that_an_independent_check_accepts() {
    let receipt = cosigned_receipt("H2");
    let ballots: Vec<_> = receipt
        .entries
        .iter()
        .filter(|e| e.role == "ballot")
        .collect();
    assert!(!ballots.is_empty());
    for e in ballots {
        let text = e.tlog_proof.as_deref().expect("a ballot has a tlog-proof");
        assert_eq!(text, receipt.tlog_proof(e).unwrap());
        // Parse it as c2sp.org/tlog-proof says, knowing nothing of scrutin's receipts.
        let mut lines = text.split('\n');
        assert_eq!(lines.next(), Some("c2sp.org/tlog-proof@v1"));
        let extra = lines.next().unwrap().strip_prefix("extra ").unwrap();
        let index: u64 = lines
            .next()
            .unwrap()
            .strip_prefix("index ")
            .unwrap()
            .parse()
            .unwrap();
        let mut proof = Vec::new();
        for l in lines.by_ref() {
            if l.is_empty() {
                break;
            }
            proof.push(<[u8; 32]>::try_from(B64.decode(l).unwrap()).unwrap());
        }
        let note: Vec<&str> = lines.collect();
        let (origin, size, root) = (note[0], note[1], note[2]);
        assert_eq!(origin, receipt.origin);
        assert!(note
            .iter()
            .any(|l| l.starts_with("\u{2014} witness.example ")));
        let size: u64 = size.parse().unwrap();
        let root = <[u8; 32]>::try_from(B64.decode(root).unwrap()).unwrap();
        // The record is the entry's bytes without its 64-byte signature.
        let record = B64.decode(extra).unwrap();
        let full = B64.decode(&e.entry).unwrap();
        assert_eq!(record, full[..full.len() - 64]);
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(&record);
        let leaf: [u8; 32] = h.finalize().into();
        assert_eq!(index, e.index);
        assert_eq!(root_from_proof(leaf, index, size, &proof), Some(root));
        // A flipped proof hash no longer reaches the root.
        let mut bad = proof.clone();
        bad[0][0] ^= 1;
        assert_ne!(root_from_proof(leaf, index, size, &bad), Some(root));
    }
    // A receipt whose tlog-proof was altered does not verify.
    let mut altered = receipt.clone();
    let i = altered
        .entries
        .iter()
        .position(|e| e.role == "ballot")
        .unwrap();
    let t = altered.entries[i].tlog_proof.clone().unwrap();
    altered.entries[i].tlog_proof = Some(t.replacen("index ", "index 1", 1));
    assert!(!verify_receipt(&altered, &trust()).unwrap().is_valid());
}

//! What the lawyer and the shareholder are handed, end to end on the demo meeting: the report
//! with `--attest` and `--tz`, the cross-check in the report, the receipt in plain words, and
//! `cosign` printing the key verifiers must trust.

mod common;

use std::path::Path;

use common::{ok, s, scrutin};

const PUBLISHED: &str =
    include_str!("../../crosscheck/tests/samples/jlmag-2022-egm1-poll-results.txt");

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("demo.html");
    ok(&["demo", "--dir", s(dir.path()), "--report", s(&report)]);
    dir
}

fn pubkey(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap()
        .trim()
        .to_owned()
}

#[test]
fn cosign_prints_the_cosigner_vkey_verifiers_must_trust() {
    let d = demo();
    let dir = d.path();
    let out = ok(&[
        "cosign",
        s(&dir.join("checkpoint.txt")),
        "--key",
        s(&dir.join("scrutineer.key")),
        "--state",
        s(&dir.join("witness-state")),
    ]);
    let cosigner = pubkey(dir, "scrutineer.key.cosigner.pub");
    let signer = pubkey(dir, "scrutineer.key.pub");
    assert!(
        out.contains(&format!(
            "witness cosigner key (give verifiers this with --trust): {cosigner}\n"
        )),
        "{out}"
    );
    assert!(!out.contains(&signer), "the signer vkey printed: {out}");
}

#[test]
fn the_report_carries_attestation_offset_and_the_announcement_table() {
    let d = demo();
    let dir = d.path();
    let wrong = PUBLISHED.replace(
        "representing approximately 61.7219%",
        "representing approximately 61.7218%",
    );
    let ann = dir.join("wrong.txt");
    std::fs::write(&ann, wrong).unwrap();
    let report = dir.join("report.html");
    let o = scrutin(&[
        "verify",
        s(&dir.join("meeting.bundle")),
        "--trust",
        s(&dir.join("registrar.key.pub")),
        s(&dir.join("scrutineer.key.cosigner.pub")),
        "--announcement",
        s(&ann),
        "--report",
        s(&report),
        "--attest",
        "Ada Counsel, Counsel & Partners LLP",
        "--tz",
        "+08:00",
    ]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    let page = std::fs::read_to_string(&report).unwrap();
    assert!(page.contains("<tr><th>Name</th><td class=\"line\">Ada Counsel</td></tr>"));
    assert!(
        page.contains("<tr><th>Firm</th><td class=\"line\">Counsel &amp; Partners LLP</td></tr>")
    );
    assert!(
        page.contains("<tr><th>Proxy deadline</th><td>2022-08-23T14:00:00.000+08:00</td></tr>"),
        "deadline not at +08:00"
    );
    assert!(page.contains("+08:00 with scrutin version"));
    // The cross-check made by --announcement is in the report, as a table with the kind.
    assert!(page.contains("<td title=\"represented_pct\">represented (%)</td><td class=\"n\">61.7218</td><td class=\"n\">61.7219</td><td class=\"failed\">differs: typo</td>"), "no cross-check table");
    // The keys in their trusted form.
    assert!(page.contains(&pubkey(dir, "scrutineer.key.cosigner.pub")));
    assert!(page.contains(&pubkey(dir, "registrar.key.pub")));

    // --attest without --report is a usage error; a bad --tz too.
    let o = scrutin(&[
        "verify",
        s(&dir.join("meeting.bundle")),
        "--trust",
        s(&dir.join("registrar.key.pub")),
        "--attest",
        "A, B",
    ]);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    let o = scrutin(&[
        "verify",
        s(&dir.join("meeting.bundle")),
        "--trust",
        s(&dir.join("registrar.key.pub")),
        "--tz",
        "+25:00",
    ]);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
}

#[test]
fn verify_receipt_speaks_plainly_and_names_an_untrusted_cosigner() {
    let d = demo();
    let dir = d.path();
    let receipt = dir.join("H0001.receipt.json");
    let o = scrutin(&[
        "verify-receipt",
        s(&receipt),
        "--trust",
        s(&dir.join("registrar.key.pub")),
        "--tz",
        "+08:00",
    ]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let out = &o.stdout;
    assert!(
        out.contains("Shareholder: H0001, HKSCC NOMINEES LIMITED\n"),
        "{out}"
    );
    assert!(
        out.contains("Holding on the register: 120,000,000 class H shares\n"),
        "{out}"
    );
    assert!(out.contains("Resolution 1: To consider and approve the change in the use of proceeds from the global offering\n"), "{out}");
    assert!(out.contains("  Voted through your proxy Chairman of the EGM (P0002): for 66,237,845 against 23,300 abstain 0; recorded "), "{out}");
    assert!(
        out.contains("+08:00\n  Counted\n  Outcome: the resolution was passed\n"),
        "{out}"
    );
    let w = pubkey(dir, "scrutineer.key.cosigner.pub");
    let named: String = w.splitn(3, '+').take(2).collect::<Vec<_>>().join("+");
    assert!(
        out.contains(&format!(
            "cosigned by {named}, whose key is not in the trusted set"
        )),
        "{out}"
    );
    assert!(!out.contains("nobody"), "{out}");
    assert!(!out.contains("Ballots as recorded:"), "{out}");

    let o = scrutin(&[
        "verify-receipt",
        s(&receipt),
        "--trust",
        s(&dir.join("registrar.key.pub")),
        s(&dir.join("scrutineer.key.cosigner.pub")),
        "--verbose",
    ]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("(cosigned by scrutineer)"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("Ballots as recorded:\n  ballot at entry "),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("  entry 0: meeting jlmag-2022-egm1"),
        "{}",
        o.stdout
    );

    // The receipt file carries each ballot's tlog-proof.
    let text = std::fs::read_to_string(&receipt).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let ballot = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["role"] == "ballot")
        .unwrap();
    let proof = ballot["tlog_proof"].as_str().unwrap();
    assert!(
        proof.starts_with("c2sp.org/tlog-proof@v1\nextra "),
        "{proof}"
    );
    assert!(
        proof.contains(&format!("\nindex {}\n", ballot["index"])),
        "{proof}"
    );
    assert!(proof.contains("\n\nscrutin/jlmag-2022-egm1\n"), "{proof}");
}

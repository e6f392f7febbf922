//! `scrutin verify --announcement`: the demo meeting (JL MAG's first EGM of 2022, built by the
//! CLI from crates/cli/fixtures/jlmag) cross-checked against the published announcement.

use std::path::{Path, PathBuf};

mod common;

use common::{ok, s, scrutin};

const PUBLISHED: &str =
    include_str!("../../crosscheck/tests/samples/jlmag-2022-egm1-poll-results.txt");

/// The demo's directory: keys, bundle (cosigned by the scrutineer).
fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("demo.html");
    ok(&["demo", "--dir", s(dir.path()), "--report", s(&report)]);
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn verify(dir: &Path, announcement: &Path, extra: &[&str]) -> common::Out {
    let bundle = dir.join("meeting.bundle");
    let reg = dir.join("registrar.key.pub");
    let wit = dir.join("scrutineer.key.cosigner.pub");
    let mut args = vec![
        "verify",
        s(&bundle),
        "--trust",
        s(&reg),
        s(&wit),
        "--announcement",
        s(announcement),
    ];
    args.extend_from_slice(extra);
    scrutin(&args)
}

#[test]
fn announcement_cross_check_end_to_end() {
    let d = demo();
    let dir = d.path();

    // The published announcement: every claim matches.
    let published = write(dir, "published.txt", PUBLISHED);
    let o = verify(dir, &published, &[]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("VALID: every check passed"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("ANNOUNCEMENT MATCHES"), "{}", o.stdout);
    assert!(
        o.stdout.contains("17 claims read, 17 match, 0 differences"),
        "{}",
        o.stdout
    );

    // Three errors: a typo, a truncated percentage, two columns interchanged.
    let wrong = PUBLISHED
        .replace(
            "representing approximately 61.7219%",
            "representing approximately 61.7218%",
        )
        .replace(
            "516,237,845 (99.9955%)\t23,300 (0.0045%)\t0 (0.0000%)",
            "516,237,845 (99.9954%)\t0 (0.0000%)\t23,300 (0.0045%)",
        );
    let wrong = write(dir, "wrong.txt", &wrong);
    let o = verify(dir, &wrong, &[]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    for line in [
        "22  represented_pct                 61.7218",
        "DIFFERS (typo)",
        "34  resolutions[id=1].for_pct       99.9954",
        "DIFFERS (truncated)",
        "34  resolutions[id=1].against       0",
        "DIFFERS (swapped)",
        "ANNOUNCEMENT DIFFERS: 6 differences",
    ] {
        assert!(o.stdout.contains(line), "{line:?} in\n{}", o.stdout);
    }

    // --json: the verify report gains `announcement_check`.
    let o = verify(dir, &wrong, &["--json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert!(v["announcement"].is_string(), "the announcement text stays");
    let check = &v["announcement_check"];
    let kinds: Vec<(&str, &str)> = check["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("represented_pct", "typo"),
            ("resolutions[id=1].for_pct", "truncated"),
            ("resolutions[id=1].against", "swapped"),
            ("resolutions[id=1].against_pct", "swapped"),
            ("resolutions[id=1].abstain", "swapped"),
            ("resolutions[id=1].abstain_pct", "swapped"),
        ]
    );
    assert_eq!(check["differences"][0]["line"], 22);
    assert!(check["claims"].as_array().unwrap().len() == 17);
    assert!(check["unparsed"].as_array().unwrap().is_empty());
}

#[test]
fn printed_text_is_escaped_and_unread_lines_fail() {
    let d = demo();
    let dir = d.path();
    let crafted = PUBLISHED.replace(
        "Guangdong Huashang Law Firm witnessed",
        "Junk\u{1b}[2J 12,345 (\u{1b}]0;VALID\u{7}) figures.\n\nGuangdong Huashang Law Firm witnessed",
    );
    let crafted = write(dir, "crafted.txt", &crafted);
    let o = verify(dir, &crafted, &[]);
    assert_eq!(
        o.code, 1,
        "a line not read is not a clean match: {}",
        o.stdout
    );
    assert!(o.stdout.contains("NOT READ line"), "{}", o.stdout);
    assert!(
        !o.stdout.contains('\u{1b}') && !o.stdout.contains('\u{7}'),
        "{}",
        o.stdout
    );
    let o = verify(dir, &crafted, &["--json"]);
    assert!(!o.stdout.contains('\u{1b}'));
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert!(
        v["announcement_check"]["unparsed"][0]["text"]
            .as_str()
            .unwrap()
            .contains('\u{1b}'),
        "JSON keeps the text, escaped"
    );
}

#[test]
fn an_invalid_bundle_is_not_cross_checked() {
    let d = demo();
    let dir = d.path();
    let published = write(dir, "published.txt", PUBLISHED);
    let bundle = dir.join("meeting.bundle");
    let wit = dir.join("scrutineer.key.cosigner.pub");
    let o = scrutin(&[
        "verify",
        s(&bundle),
        "--trust",
        s(&wit),
        "--announcement",
        s(&published),
    ]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("NOT CROSS-CHECKED"), "{}", o.stdout);
    let o = scrutin(&[
        "verify",
        s(&bundle),
        "--trust",
        s(&dir.join("registrar.key.pub")),
        "--announcement",
        s(&dir.join("no-such-file.txt")),
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
}

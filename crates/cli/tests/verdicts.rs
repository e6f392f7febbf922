//! The line between a verdict (exit 1) and an error (exit 2) for `verify` and
//! `verify-receipt`: a damaged bundle or receipt is a verdict; only input that is not a bundle
//! or a receipt at all, I/O and usage are errors.

mod common;

use common::{ok, s, scrutin};

#[test]
fn damaged_input_is_a_verdict_and_only_a_non_bundle_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    ok(&[
        "demo",
        "--dir",
        s(&demo),
        "--report",
        s(&dir.path().join("r.html")),
    ]);
    let reg_pub = demo.join("registrar.key.pub");
    let trust = s(&reg_pub);
    let bundle = std::fs::read(demo.join("meeting.bundle")).unwrap();
    let verify = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        scrutin(&["verify", s(&p), "--trust", trust])
    };

    // Only the 8-byte magic, and a bundle cut inside its entries: NOT VALID at check 1.
    for (name, bytes) in [
        ("magic.bundle", &bundle[..8]),
        ("cut.bundle", &bundle[..bundle.len() - 10]),
    ] {
        let o = verify(name, bytes);
        assert_eq!(o.code, 1, "{name}\n{}{}", o.stdout, o.stderr);
        assert!(o.stdout.contains("NOT VALID"), "{}", o.stdout);
        assert!(o.stdout.contains(": format: "), "{}", o.stdout);
        assert!(
            o.stdout.contains("1. format                 FAILED"),
            "{}",
            o.stdout
        );
    }
    let o = verify("magic.bundle", &bundle[..8]);
    assert!(
        o.stdout.contains("2. chain                  not run"),
        "{}",
        o.stdout
    );
    // Not a bundle at all (another file's bytes, another version): the check cannot run.
    let o = verify("other.bundle", b"holder,name,class,shares\n");
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    let mut v2 = bundle[..8].to_vec();
    v2.extend_from_slice(&2u16.to_be_bytes());
    let o = verify("v2.bundle", &v2);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);

    // Receipts: another format tag, and no ballot, are NOT VALID (exit 1).
    let receipt = std::fs::read_to_string(demo.join("H0001.receipt.json")).unwrap();
    ok(&[
        "verify-receipt",
        s(&demo.join("H0001.receipt.json")),
        "--trust",
        trust,
    ]);
    let verify_receipt = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        scrutin(&["verify-receipt", s(&p), "--trust", trust])
    };
    let other = receipt.replace("\"scrutin-receipt/1\"", "\"scrutin-receipt/9\"");
    assert_ne!(other, receipt);
    let o = verify_receipt("other.receipt.json", &other);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("NOT VALID: receipt format"),
        "{}",
        o.stdout
    );
    let mut v: serde_json::Value = serde_json::from_str(&receipt).unwrap();
    v["entries"] = serde_json::json!([]);
    let o = verify_receipt("empty.receipt.json", &v.to_string());
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("carries no ballot"), "{}", o.stdout);
    // Not a receipt at all: exit 2.
    let o = verify_receipt("not.receipt.json", "{\"hello\": 1}");
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
}

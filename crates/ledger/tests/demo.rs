//! The synthetic meeting generator (`scrutin::demo`) and the tally table (`scrutin::text`):
//! the generated files import as a valid meeting whose count is what the generator intends,
//! and the table presents it, provisional until declared.

use scrutin::demo::{synthetic, SYNTHETIC_MEETING};
use scrutin::interchange::{parse_csv, parse_meeting, CsvKind};
use scrutin::keys::{author_from_vkey, author_of};
use scrutin::log::Signer;
use scrutin::model::UtcMillis;
use scrutin::text::tally_table;
use scrutin::{
    compare_claim, parse_claimed_tally, verify_bundle, AfterClose, CloseOutcome, ImportOptions,
    Ledger,
};

#[test]
fn the_synthetic_meeting_imports_closes_and_passes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let signer = Signer::from_seed("registrar.example", [3; 32]).expect("signer");
    let plan = parse_meeting(
        "meeting.toml",
        SYNTHETIC_MEETING,
        author_of(&signer),
        &author_from_vkey,
    )
    .expect("the synthetic meeting file parses");
    let ledger = Ledger::create_meeting(&tmp.path().join("db"), &plan, &signer).expect("created");
    let files = synthetic(50);
    assert_eq!(files, synthetic(50), "deterministic");
    assert_ne!(files, synthetic(51));
    assert_eq!(
        files.register.lines().count(),
        1 + 50 + 1,
        "header, holders, treasury"
    );
    assert_eq!(files.proxies.lines().count(), 1 + 5, "one holder in ten");
    assert_eq!(
        files.ballots.lines().count(),
        1 + 5 + 35,
        "proxies and seven in ten"
    );
    let lodged = ledger.default_lodged_at(UtcMillis(u64::MAX));
    for (kind, text) in [
        (CsvKind::Register, &files.register),
        (CsvKind::Proxies, &files.proxies),
        (CsvKind::Ballots, &files.ballots),
    ] {
        let parsed = parse_csv(kind, kind.name(), text.as_bytes(), lodged).expect("parses");
        ledger
            .import(&signer, kind, kind.name(), parsed, ImportOptions::default())
            .expect("imports");
    }
    let provisional = tally_table(&ledger.tally(), false);
    assert!(provisional.starts_with("PROVISIONAL: no result declared"));
    assert!(provisional.contains("provisional"), "{provisional}");
    assert!(!provisional.contains("passed"), "{provisional}");
    match ledger.close(&signer, None).expect("closes") {
        CloseOutcome::Closed {
            then: AfterClose::Declared { .. },
            ..
        } => {}
        other => panic!("expected a declaration, got {other:?}"),
    }
    let t = ledger.tally();
    assert_eq!(t.resolutions.len(), 1);
    assert!(t.resolutions[0].passed, "nine in ten vote for");
    assert!(t.resolutions[0].for_ > t.resolutions[0].against);
    let table = tally_table(&t, true);
    assert!(table.starts_with("meeting synthetic-egm: "), "{table}");
    let row = table
        .lines()
        .find(|l| l.starts_with("1 "))
        .expect("a row for resolution 1");
    assert!(row.ends_with("passed") && !row.contains("NOT"), "{row}");

    // --expect: the whole tally as claimed matches; an empty claim compares nothing; a claim
    // against a bundle that gave no tally is one difference; a claim may start with a BOM.
    let claim = parse_claimed_tally(&format!("\u{feff}{}", t.to_json())).expect("JSON");
    assert!(compare_claim(&claim, Some(&t)).expect("figures").is_match());
    let empty = parse_claimed_tally("{}").expect("JSON");
    assert_eq!(compare_claim(&empty, Some(&t)), None);
    let none = compare_claim(&claim, None).expect("a difference");
    assert_eq!(none.differences.len(), 1);
    assert!(!none.is_match());
    // The verification summary, from the exported bundle.
    ledger.checkpoint(&signer).expect("checkpoint");
    let mut bundle = Vec::new();
    ledger.export(&mut bundle, &mut |_, _| {}).expect("export");
    let report = verify_bundle(&bundle[..], &[signer.verifier()], &mut |_, _| {}).expect("verify");
    let text = report.to_text("x\u{1b}.bundle", Some(("claim.json", &none)));
    assert!(
        text.starts_with("bundle x\\u{1b}.bundle\nmeeting synthetic-egm: "),
        "{text}"
    );
    assert!(text.contains("\nVALID: every check passed\n"), "{text}");
    assert!(
        text.contains(&table),
        "the declared table is in the summary"
    );
    assert!(text.ends_with(&none.to_text("claim.json")), "{text}");
    let check = report
        .cross_check("")
        .expect("a verified tally to compare with");
    assert!(
        !check.is_clean(),
        "an empty announcement claims nothing: {check:?}"
    );
}

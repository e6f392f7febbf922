//! The synthetic meeting generator (`scrutin::demo`) and the tally table (`scrutin::text`):
//! the generated files import as a valid meeting whose count is what the generator intends,
//! and the table presents it, provisional until declared.

use scrutin::demo::{synthetic, SYNTHETIC_MEETING};
use scrutin::interchange::{parse_csv, parse_meeting, CsvKind};
use scrutin::keys::{author_from_vkey, author_of};
use scrutin::log::Signer;
use scrutin::model::UtcMillis;
use scrutin::text::tally_table;
use scrutin::{AfterClose, CloseOutcome, ImportOptions, Ledger};

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
}

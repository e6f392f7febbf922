//! Inputs the fuzzer (fuzz/fuzz_targets/imports.rs) found, kept as regression tests.

use scrutin_interchange::{parse_csv, CsvKind, Rule};
use scrutin_model::UtcMillis;

/// A lone carriage return (a classic Mac line end) ends a CSV record; the row after it was
/// placed on line 1, the header's line, so an error in it pointed at the header.
#[test]
fn a_row_after_a_lone_carriage_return_is_on_its_own_line() {
    let text = b"voter,resolution,for,against,abstain\rH1,1,10,0,0\rH2,1,5,0,0\n\nH3,1,1,1,1\r\n";
    let b = parse_csv(CsvKind::Ballots, "f.csv", text, UtcMillis(5)).expect("parses");
    let lines: Vec<u64> = b.origins.iter().map(|o| o.line).collect();
    assert_eq!(lines, [2, 3, 5]);

    // The fuzzer's reproducer: a header, a lone CR, then a data row.
    let found = b"voter,resolution,for,against,a[[[[[[[[[[[[[[[[[[ts tproxy\rotals are the \
                  published ones MAG RARE-EARTH CO.00000,0,0\nproxy:P0202,1,66237845,23300,0";
    let b = parse_csv(CsvKind::Ballots, "f.csv", found, UtcMillis(5)).expect("parses");
    assert!(b.origins.iter().all(|o| o.line >= 2), "{:?}", b.origins);

    let bad = b"voter,resolution,for,against,abstain\rH1,1,ten,0,0\n";
    let e = parse_csv(CsvKind::Ballots, "f.csv", bad, UtcMillis(5)).expect_err("bad number");
    assert_eq!((e.line, e.column, e.rule), (2, 3, Rule::BadNumber), "{e}");
}

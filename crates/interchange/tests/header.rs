//! The CSV header: missing columns placed where they belong and listed in file order, near
//! misses of a column scrutin reads refused, far unknown columns returned as warnings.

use scrutin_interchange::{parse_csv, CsvImport, CsvKind, ImportError, Rule};
use scrutin_model::UtcMillis;

fn run(kind: CsvKind, text: &str) -> Result<CsvImport, ImportError> {
    parse_csv(kind, "f.csv", text.as_bytes(), UtcMillis(5))
}

#[test]
fn a_missing_column_is_placed_after_the_header_which_is_listed_in_file_order() {
    let e = run(CsvKind::Register, "shares,holder,class\nH1,One,A\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "f.csv:1:4: missing-column: the header has no `name` column (it has: shares,holder,class)"
    );
    let e = run(CsvKind::Ballots, "voter,resolution,class\n").unwrap_err();
    assert_eq!((e.line, e.column, e.rule), (1, 4, Rule::MissingColumn));
    assert!(
        e.message.contains("(it has: voter,resolution,class)"),
        "{e}"
    );
    // A header after blank lines is on its own line.
    let e = run(CsvKind::Register, "\n\nholder,name,class\n").unwrap_err();
    assert_eq!((e.line, e.column), (3, 4), "{e}");
}

#[test]
fn a_file_in_another_separator_is_named_at_its_one_cell() {
    let e = run(CsvKind::Register, "holder;name;class;shares\nH1;One;A;5\n").unwrap_err();
    assert_eq!((e.line, e.column, e.rule), (1, 1, Rule::MissingColumn));
    assert!(e.message.contains("`;`"), "{e}");
}

#[test]
fn near_misses_of_a_column_are_refused_where_they_stand() {
    for (kind, header, column, meant) in [
        (
            CsvKind::Ballots,
            "voter,resolution,for,against,abstian",
            5,
            "abstain",
        ),
        (
            CsvKind::Ballots,
            "voter,resolution,for,agaisnt,abstain",
            4,
            "against",
        ),
        (CsvKind::Register, "holder,name,class,sahres", 4, "shares"),
        (
            CsvKind::Proxies,
            "proxy,holder,proxy-name,resolution,instruction",
            3,
            "proxy_name",
        ),
        (
            CsvKind::Ballots,
            "voter,resolution,for,against,abstain,clas",
            6,
            "class",
        ),
    ] {
        let text = format!("{header}\n");
        let e = run(kind, &text).expect_err(header);
        assert_eq!(
            (e.line, e.column, e.rule),
            (1, column, Rule::MisspeltColumn),
            "{e}"
        );
        assert!(
            e.message.contains(&format!("did you mean `{meant}`?")),
            "{e}"
        );
    }
}

#[test]
fn a_near_miss_beside_the_column_it_nearly_spells_is_an_extra_column() {
    // The file has `shares` itself: `sahres` cannot be hiding it.
    let r = run(
        CsvKind::Register,
        "holder,name,class, Shares ,sahres\nH1,One,A,5,x\n",
    )
    .unwrap();
    assert_eq!(r.ignored_columns, ["sahres"]);
}

#[test]
fn far_unknown_columns_and_columns_of_other_kinds_are_warnings() {
    let b = run(
        CsvKind::Ballots,
        "voter,resolution,for,against,abstain,Comment,shares,holder\nH1,1,5,0,0,x,1,H1\n",
    )
    .unwrap();
    assert_eq!(b.events.len(), 1);
    assert_eq!(b.ignored_columns, ["Comment", "shares", "holder"]);
}

#[test]
fn a_column_read_twice_is_refused_but_extra_columns_may_repeat() {
    let e = run(
        CsvKind::Register,
        "holder,name,class,shares,Shares\nH1,One,A,1000,10\n",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "f.csv:1:5: bad-csv: the header names `shares` twice"
    );
    let ok = run(
        CsvKind::Register,
        "holder,name,class,shares,note,note\nH1,One,A,1000,a,b\n",
    )
    .unwrap();
    assert_eq!(ok.ignored_columns, ["note", "note"]);
}

#[test]
fn control_characters_from_the_header_are_escaped() {
    let e = run(CsvKind::Register, "holder,\x1b[2Jname,class\n").unwrap_err();
    assert!(!e.to_string().contains('\x1b'), "{e}");
    assert!(e.message.contains("\\u{1b}"), "{e}");
}

/// Issue 9 item 5: the attendance and revocation files obey the header rules of every kind:
/// their required column, and near misses of their optional ones refused.
#[test]
fn attendance_and_revocation_headers_follow_the_header_rules() {
    let e = run(CsvKind::Attendance, "holder,attended_at\nH1,\n").unwrap_err();
    assert_eq!((e.line, e.column, e.rule), (1, 3, Rule::MissingColumn));
    assert!(e.message.contains("no `voter` column"), "{e}");
    let e = run(CsvKind::Attendance, "voter,atended_at\nH1,\n").unwrap_err();
    assert_eq!((e.column, e.rule), (2, Rule::MisspeltColumn));
    assert!(e.message.contains("did you mean `attended_at`"), "{e}");
    let e = run(CsvKind::Attendance, "voter,siting\nH1,\n").unwrap_err();
    assert_eq!((e.column, e.rule), (2, Rule::MisspeltColumn));
    let e = run(CsvKind::Revocations, "proxy,reveked_at\nP1,\n").unwrap_err();
    assert_eq!((e.column, e.rule), (2, Rule::MisspeltColumn));
    assert!(e.message.contains("did you mean `revoked_at`"), "{e}");
    let e = run(CsvKind::Revocations, "voter,reason\nP1,x\n").unwrap_err();
    assert_eq!(e.rule, Rule::MissingColumn);
    // A bad time is refused where it stands; a voter may be a proxy.
    let e = run(
        CsvKind::Attendance,
        "voter,attended_at\nproxy:P1,yesterday\n",
    )
    .unwrap_err();
    assert_eq!((e.line, e.column, e.rule), (2, 2, Rule::BadTime));
    let ok = run(CsvKind::Attendance, "voter\nproxy:P1\nH1\n").expect("parses");
    assert_eq!(ok.events.len(), 2);
}

//! The four CSV formats: happy paths as spreadsheets export them, and every refusal with its
//! exact `FILE:LINE:COLUMN` and rule.

use scrutin_interchange::{parse_csv, CsvImport, CsvKind, CsvStream, ImportError, Rule};
use scrutin_model::{
    Ballot, Choice, ClassId, Event, Instruction, Restriction, Shares, UtcMillis, Voter,
};

fn run(kind: CsvKind, text: &str) -> Result<CsvImport, ImportError> {
    parse_csv(kind, "f.csv", text.as_bytes(), UtcMillis(5))
}

/// The error's position and rule, and that it prints as the CLI prints it.
fn refused(kind: CsvKind, text: &str, line: u64, column: u64, rule: Rule) -> ImportError {
    let e = run(kind, text).expect_err(text);
    assert_eq!((e.line, e.column, e.rule), (line, column, rule), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("f.csv:{line}:{column}: {}: ", rule.code())),
        "{e}"
    );
    e
}

const SEED_REGISTER: &str = include_str!("../../cli/fixtures/jlmag/register.csv");
const SEED_PROXIES: &str = include_str!("../../cli/fixtures/jlmag/proxies.csv");
const SEED_BALLOTS: &str = include_str!("../../cli/fixtures/jlmag/ballots.csv");

#[test]
fn the_seed_files_parse() {
    let reg = run(CsvKind::Register, SEED_REGISTER).unwrap();
    assert_eq!(reg.events.len(), 7);
    assert_eq!(reg.origins[0].line, 2);
    assert!(reg.ignored_columns.is_empty());
    assert!(reg.events.iter().any(|e| matches!(
        e,
        Event::ShareRegistered { holder, .. } if holder.as_str() == "treasury"
    )));
    let px = run(CsvKind::Proxies, SEED_PROXIES).unwrap();
    assert_eq!(px.events.len(), 2);
    let b = run(CsvKind::Ballots, SEED_BALLOTS).unwrap();
    assert_eq!(b.events.len(), 4);
    match &b.events[3] {
        Event::VoteCast(Ballot {
            voter: Voter::Proxy(p),
            choice: Choice::Split { for_, against, .. },
            ..
        }) => {
            assert_eq!(p.as_str(), "P0002");
            assert_eq!((for_.0, against.0), (66_237_845, 23_300));
        }
        e => panic!("{e:?}"),
    }
}

#[test]
fn a_register_from_excel_with_bom_crlf_and_grouped_counts() {
    let text = "\u{feff}holder,name,class,shares,notes\r\n\
                H1,\"Smith, John\",A,\"1,234,567\",x\r\n\
                \r\n\
                H2,\"Line one\r\nline two\",A,1 000\r\n\
                treasury,Treasury shares,A,1_000\r\n";
    let reg = run(CsvKind::Register, text).unwrap();
    let shares: Vec<u64> = reg
        .events
        .iter()
        .map(|e| match e {
            Event::ShareRegistered { shares, .. } => shares.0,
            e => panic!("{e:?}"),
        })
        .collect();
    assert_eq!(shares, [1_234_567, 1000, 1000]);
    // Lines as an editor shows them: the blank line and the quoted line break count.
    let lines: Vec<u64> = reg.origins.iter().map(|o| o.line).collect();
    assert_eq!(lines, [2, 4, 6]);
    assert_eq!(reg.ignored_columns, ["notes"]);
    // A bad cell after all that is placed on its line and column.
    let e = refused(
        CsvKind::Register,
        &format!("{text}H3,C,A,1.000\r\n"),
        7,
        4,
        Rule::BadNumber,
    );
    assert!(e.message.contains("\"1.000\""), "{e}");
}

#[test]
fn abstentions_parse_both_restrictions() {
    let a = run(
        CsvKind::Abstentions,
        "holder,resolution,restriction,reason\nH3,3,abstain,interest\nH4,2,Against-Only,\n",
    )
    .unwrap();
    match (&a.events[0], &a.events[1]) {
        (
            Event::AbstentionRequired {
                restriction: Restriction::Abstain,
                reason,
                ..
            },
            Event::AbstentionRequired {
                restriction: Restriction::AgainstOnly,
                ..
            },
        ) => assert_eq!(reason, "interest"),
        e => panic!("{e:?}"),
    }
    assert_eq!((a.origins[1].line, a.origins[1].amount), (3, 3));
    refused(
        CsvKind::Abstentions,
        "holder,resolution,restriction\nH3,3,never\n",
        2,
        3,
        Rule::BadRestriction,
    );
}

#[test]
fn proxies_group_by_proxy() {
    let px = run(
        CsvKind::Proxies,
        "proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain\n\
         P1,H1,Chair,\"1,000\",1,split,600,400,0\nP1,H1,Chair,\"1,000\",2,against,,,\n\
         P2,H2,Bob,,,,,,\n",
    )
    .unwrap();
    assert_eq!(px.events.len(), 2);
    match &px.events[0] {
        Event::ProxyLodged(p) => {
            assert_eq!(p.shares, Some(Shares(1000)));
            assert_eq!(p.instructions.len(), 2);
            assert_eq!(p.instructions[1].instruction, Instruction::Against);
            assert_eq!(p.lodged_at, UtcMillis(5));
        }
        e => panic!("{e:?}"),
    }
    match &px.events[1] {
        Event::ProxyLodged(p) => assert!(p.instructions.is_empty() && p.shares.is_none()),
        e => panic!("{e:?}"),
    }
}

#[test]
fn proxy_refusals_name_their_cell() {
    let head =
        "proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain,lodged_at\n";
    let cases: &[(&str, u64, u64, Rule)] = &[
        (
            "P1,H1,C,10,1,for,,,,\nP1,H9,C,10,2,for,,,,\n",
            3,
            2,
            Rule::InconsistentProxy,
        ),
        (
            "P1,H1,C,10,1,for,,,,\nP1,H1,C,10,1,against,,,,\n",
            3,
            5,
            Rule::DuplicateInstruction,
        ),
        ("P1,H1,C,10,1,for,5,0,0,\n", 2, 7, Rule::BadInstruction),
        ("P1,H1,C,10,1,maybe,,,,\n", 2, 6, Rule::BadInstruction),
        ("P1,H1,C,10,1,split,,,,\n", 2, 7, Rule::MissingValue),
        ("P1,H1,C,10,1,for,,,,yesterday\n", 2, 10, Rule::BadTime),
        (",H1,C,10,1,for,,,,\n", 2, 1, Rule::MissingValue),
    ];
    for (rows, line, column, rule) in cases {
        refused(
            CsvKind::Proxies,
            &format!("{head}{rows}"),
            *line,
            *column,
            *rule,
        );
    }
}

#[test]
fn ballots_split_cumulative_and_proxy_voters() {
    let b = run(
        CsvKind::Ballots,
        "voter,resolution,for,against,abstain,candidate,votes,class\n\
         H1,1,5,0,0,,,H\nH2,1,1,2,3,,,\nH1,3,,,,C1,100,\nH1,3,,,,C2,50,\nproxy:P1,3,,,,C1,7,\n",
    )
    .unwrap();
    assert_eq!(b.events.len(), 4);
    match (&b.events[0], &b.events[1], &b.events[2], &b.events[3]) {
        (Event::VoteCast(x), Event::VoteCast(y), Event::VoteCast(z), Event::VoteCast(p)) => {
            assert_eq!(x.class.as_ref().map(ClassId::as_str), Some("H"));
            assert_eq!(y.class, None);
            assert!(matches!(&z.choice, Choice::Cumulative(a) if a.len() == 2));
            assert!(matches!(&p.voter, Voter::Proxy(id) if id.as_str() == "P1"));
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(b.origins[3].line, 6);
    // The documented cumulative-only header.
    let c = run(
        CsvKind::Ballots,
        "voter,resolution,candidate,votes\nH1,3,C1,100\nH1,3,C2,50\n",
    )
    .unwrap();
    assert_eq!(c.events.len(), 1);
}

#[test]
fn ballot_refusals_name_their_cell() {
    let head = "voter,resolution,for,against,abstain,candidate,votes\n";
    let cases: &[(&str, u64, u64, Rule)] = &[
        ("A1,3,5,0,0,C1,100\n", 2, 3, Rule::MixedRow),
        ("H1,1,5,0,0,,7\n", 2, 7, Rule::MixedRow),
        ("H1,1,12x,0,0,,\n", 2, 3, Rule::BadNumber),
        ("proxy:,1,5,0,0,,\n", 2, 1, Rule::BadId),
        ("H1,1,5,0,0,,,9\n", 2, 8, Rule::BadCsv),
        (
            "A1,3,,,,C1,100\nA1,3,,,,C1,200\n",
            3,
            6,
            Rule::DuplicateCandidate,
        ),
    ];
    for (rows, line, column, rule) in cases {
        refused(
            CsvKind::Ballots,
            &format!("{head}{rows}"),
            *line,
            *column,
            *rule,
        );
    }
    assert!(Rule::DuplicateCandidate.is_meeting_rule());
    assert!(!Rule::MixedRow.is_meeting_rule());
}

#[test]
fn a_cell_not_in_utf8_is_named() {
    let e = parse_csv(
        CsvKind::Register,
        "r.csv",
        b"holder,name,class,shares\nH1,One,A,5\nH2,Soci\xe9t\xe9,A,5\n",
        UtcMillis(0),
    )
    .unwrap_err();
    assert_eq!((e.line, e.column, e.rule), (3, 2, Rule::BadCsv));
}

/// A reader of `rows` register rows made as they are read, counting the bytes handed out:
/// the file never exists whole.
struct Generated {
    next: u64,
    rows: u64,
    pending: Vec<u8>,
    handed: std::rc::Rc<std::cell::Cell<u64>>,
}

impl std::io::Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pending.len() < out.len() && self.next <= self.rows {
            let row = if self.next == 0 {
                "holder,name,class,shares\n".to_owned()
            } else {
                format!("H{0},Holder {0},A,{0}\n", self.next)
            };
            self.pending.extend_from_slice(row.as_bytes());
            self.next += 1;
        }
        let n = out.len().min(self.pending.len());
        out[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        self.handed.set(self.handed.get() + n as u64);
        Ok(n)
    }
}

#[test]
fn a_stream_reads_a_chunk_at_a_time_not_the_file() {
    let handed = std::rc::Rc::new(std::cell::Cell::new(0));
    let file = Generated {
        next: 0,
        rows: 100_000,
        pending: Vec::new(),
        handed: handed.clone(),
    };
    let mut s = CsvStream::new(CsvKind::Register, "f.csv", file, UtcMillis(5), 1000).expect("h");
    assert!(!s.groups_whole_file());
    let mut chunks = 0u64;
    let mut rows = 0u64;
    while let Some(chunk) = s.next_chunk().expect("reads") {
        assert!(chunk.events.len() <= 1000);
        assert_eq!(chunk.events.len(), chunk.origins.len());
        rows += chunk.events.len() as u64;
        chunks += 1;
        // Read no further than the chunk handed out (and the csv reader's buffer).
        assert!(s.rows_read() <= rows + 1, "{} rows read", s.rows_read());
        assert!(handed.get() <= s.bytes_read() && s.bytes_read() < (rows + 400) * 40);
        assert_eq!(chunk.origins[0].line, rows - chunk.events.len() as u64 + 2);
    }
    assert_eq!((rows, chunks), (100_000, 100));
}

#[test]
fn proxies_and_cumulative_ballots_group_the_whole_file_then_hand_it_out_in_chunks() {
    // The rows of a proxy form need not be together: the form is complete only at the end.
    let mut text = String::from("proxy,holder,resolution,instruction\n");
    for i in 0..50 {
        text.push_str(&format!("P{i},H{i},1,for\n"));
    }
    for i in 0..50 {
        text.push_str(&format!("P{i},H{i},2,against\n"));
    }
    let mut s =
        CsvStream::new(CsvKind::Proxies, "f.csv", text.as_bytes(), UtcMillis(5), 16).expect("h");
    assert!(s.groups_whole_file());
    let mut forms = Vec::new();
    while let Some(chunk) = s.next_chunk().expect("reads") {
        assert!(chunk.events.len() <= 16);
        forms.extend(chunk.events);
    }
    assert_eq!(forms.len(), 50);
    assert!(forms
        .iter()
        .all(|e| matches!(e, Event::ProxyLodged(p) if p.instructions.len() == 2)));
    let whole = run(CsvKind::Proxies, &text).expect("parses");
    assert_eq!(whole.events, forms);
    let ballots = "voter,resolution,for,against,abstain,candidate,votes\nH1,1,5,0,0,,\n";
    let s = CsvStream::new(
        CsvKind::Ballots,
        "f.csv",
        ballots.as_bytes(),
        UtcMillis(5),
        16,
    )
    .expect("h");
    assert!(s.groups_whole_file());
    let split = "voter,resolution,for,against,abstain\nH1,1,5,0,0\n";
    let s = CsvStream::new(
        CsvKind::Ballots,
        "f.csv",
        split.as_bytes(),
        UtcMillis(5),
        16,
    )
    .expect("h");
    assert!(!s.groups_whole_file());
}

#[test]
fn a_bad_row_many_chunks_in_names_its_exact_line_and_cell() {
    let mut text = String::from("voter,resolution,for,against,abstain\n\n");
    for i in 0..20_000 {
        text.push_str(&format!("H{i},1,{i},0,0\n"));
    }
    text.push_str("\r\n\r\nH20001,1,1,0,0\r\nH20002,1,1,two,0\n");
    let mut s = CsvStream::new(
        CsvKind::Ballots,
        "f.csv",
        text.as_bytes(),
        UtcMillis(5),
        512,
    )
    .expect("h");
    let e = loop {
        match s.next_chunk() {
            Ok(Some(_)) => {}
            Ok(None) => panic!("the bad row was not found"),
            Err(e) => break e,
        }
    };
    // Header line 1, a blank line 2, rows on lines 3..=20002, two blank CRLF lines, then
    // CRLF rows on 20005 and 20006.
    assert_eq!(
        (e.line, e.column, e.rule),
        (20_006, 4, Rule::BadNumber),
        "{e}"
    );
    assert_eq!(s.next_chunk(), Ok(None), "the stream ends at its error");
}

//! The announcement of a meeting with class sittings (issue 9 items 1 and 6): one section per
//! sitting, each headed by its title, with its own attendance and holder counts, restrictions,
//! table and pass lines (figures checked by hand in fixtures/sittings.rs).

mod fixtures;

use fixtures::sittings::egm_with_a_and_h_class_meetings;
use scrutin_tally::render_announcement;

fn text() -> String {
    let m = egm_with_a_and_h_class_meetings().run_declared();
    render_announcement(&m, &m.tally())
}

/// The part of `text` from `from` up to `to` (or the end).
fn part<'a>(text: &'a str, from: &str, to: Option<&str>) -> &'a str {
    let start = text
        .find(from)
        .unwrap_or_else(|| panic!("no {from:?} in\n{text}"));
    let rest = &text[start..];
    match to {
        Some(t) => {
            &rest[..rest
                .find(t)
                .unwrap_or_else(|| panic!("no {t:?} after {from:?}"))]
        }
        None => rest,
    }
}

#[test]
fn one_section_per_sitting_in_order_under_one_heading() {
    let text = text();
    assert!(text.contains(
        "POLL RESULTS OF THE EXTRAORDINARY GENERAL MEETING, THE A SHAREHOLDERS' CLASS MEETING \
         AND THE H SHAREHOLDERS' CLASS MEETING HELD ON 28 JUNE 2024\n"
    ));
    let headings: Vec<&str> = text
        .lines()
        .filter(|l| {
            [
                "EXTRAORDINARY GENERAL MEETING",
                "A SHAREHOLDERS' CLASS MEETING",
                "H SHAREHOLDERS' CLASS MEETING",
                "SCRUTINEER",
            ]
            .contains(l)
        })
        .collect();
    assert_eq!(
        headings,
        [
            "EXTRAORDINARY GENERAL MEETING",
            "A SHAREHOLDERS' CLASS MEETING",
            "H SHAREHOLDERS' CLASS MEETING",
            "SCRUTINEER"
        ]
    );
    assert!(text.contains(
        "Computershare Hong Kong Investor Services Limited acted as the scrutineer for the \
         vote-taking at the EGM, the A Shareholders' Class Meeting and the H Shareholders' Class \
         Meeting.\n"
    ));
}

#[test]
fn each_section_has_its_own_attendance_and_holders_present() {
    let text = text();
    let egm = part(
        &text,
        "EXTRAORDINARY GENERAL MEETING\n",
        Some("A SHAREHOLDERS' CLASS MEETING\n"),
    );
    assert!(egm.contains(
        "As at the date of the EGM, the total number of Shares entitling the holders to attend \
         and vote on the resolution proposed at the EGM is 16,000 Shares (including 10,000 A \
         shares and 6,000 H shares). The total number of Shares with voting rights represented by \
         the Shareholders attending the EGM in person or by proxy was 9,000 Shares, representing \
         approximately 56.2500% of the total number of Shares. A total of 2 Shareholders (1 in \
         person and 1 by proxy), holding 9,000 Shares and representing approximately 56.2500% of \
         the total number of Shares, attended the EGM.\n"
    ), "{egm}");
    let h = part(&text, "H SHAREHOLDERS' CLASS MEETING\n", Some("SCRUTINEER"));
    assert!(
        h.contains("ATTENDANCE OF THE H SHAREHOLDERS' CLASS MEETING\n"),
        "{h}"
    );
    assert!(
        h.contains(
            "As at the date of the H Shareholders' Class Meeting, the total number of Shares \
         entitling the holders to attend and vote on the resolution proposed at the H \
         Shareholders' Class Meeting is 6,000 Shares. The total number of Shares with voting \
         rights represented by the Shareholders attending the H Shareholders' Class Meeting in \
         person or by proxy was 5,000 Shares, representing approximately 83.3333% of the total \
         number of Shares. A total of 2 Shareholders (1 in person and 1 by proxy), holding 5,000 \
         Shares and representing approximately 83.3333% of the total number of Shares, attended \
         the H Shareholders' Class Meeting.\n"
        ),
        "{h}"
    );
    // A class meeting's section has no per-class breakdown of the general meeting.
    assert!(!h.contains("By class"), "{h}");
    let a = part(
        &text,
        "A SHAREHOLDERS' CLASS MEETING\n",
        Some("H SHAREHOLDERS' CLASS MEETING\n"),
    );
    assert!(
        a.contains("was 10,000 Shares, representing approximately 100.0000%"),
        "{a}"
    );
}

#[test]
fn each_section_has_only_its_resolutions_rows_and_pass_lines() {
    let text = text();
    let egm = part(
        &text,
        "EXTRAORDINARY GENERAL MEETING\n",
        Some("A SHAREHOLDERS' CLASS MEETING\n"),
    );
    let a = part(
        &text,
        "A SHAREHOLDERS' CLASS MEETING\n",
        Some("H SHAREHOLDERS' CLASS MEETING\n"),
    );
    let h = part(&text, "H SHAREHOLDERS' CLASS MEETING\n", Some("SCRUTINEER"));
    assert!(
        egm.contains(
            "SPECIAL RESOLUTION\tFOR\tAGAINST\tABSTAIN\n1.\tTo approve the absorption by share \
         exchange\t8,000 (88.8889%)\t1,000 (11.1111%)\t0 (0.0000%)\n"
        ),
        "{egm}"
    );
    assert!(
        egm.contains("Resolution 1 is a special resolution"),
        "{egm}"
    );
    assert!(
        !egm.contains("Resolution 2") && !egm.contains("Resolution 3"),
        "{egm}"
    );
    // One class voting on each: no per-class rows in a class meeting's table.
    assert!(
        a.contains(
            "SPECIAL RESOLUTION\tFOR\tAGAINST\tABSTAIN\n2.\tTo approve the absorption by share \
         exchange (A shares)\t6,000 (60.0000%)\t4,000 (40.0000%)\t0 (0.0000%)\n"
        ),
        "{a}"
    );
    assert!(a.contains(
        "Resolution 2 is a special resolution; votes in favour represented less than two-thirds \
         of the total Shares with valid voting rights held by the Shareholders (including their \
         proxies) attending the A Shareholders' Class Meeting and voting on it"
    ), "{a}");
    assert!(
        !a.contains("Resolution 1 ") && !a.contains("Resolution 3"),
        "{a}"
    );
    assert!(h.contains("3.\tTo approve the absorption by share exchange (H shares)\t5,000 (100.0000%)\t0 (0.0000%)\t0 (0.0000%)\n"), "{h}");
    assert!(
        !h.contains("Resolution 1 ") && !h.contains("Resolution 2"),
        "{h}"
    );
}

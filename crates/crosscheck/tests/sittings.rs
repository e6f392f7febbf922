//! The cross-check of an announcement with one section per sitting (a general meeting and its
//! A and H class meetings, fixtures/sittings.rs): scrutin's own text reads back clean, each
//! section's attendance is checked against its own sitting, and an error in a class meeting's
//! section is named at that sitting.

#[path = "../../tally/tests/fixtures/mod.rs"]
mod fixtures;

use fixtures::sittings::egm_with_a_and_h_class_meetings;
use scrutin_crosscheck::{crosscheck, CrossCheck, DifferenceKind, Recomputed};
use scrutin_model::Resolution;
use scrutin_tally::{render_announcement, Meeting};

fn check(text: &str, meeting: &Meeting) -> CrossCheck {
    let tally = meeting.tally();
    let convened = meeting.convened().expect("convened");
    let resolutions: Vec<Resolution> = meeting.resolutions().into_iter().cloned().collect();
    crosscheck(
        text,
        &Recomputed::new(&tally, convened, &resolutions).with_sittings(meeting.sittings()),
    )
}

fn dump(c: &CrossCheck) -> String {
    let mut s = String::new();
    for cl in &c.claims {
        s.push_str(&format!("claim {} @{}: {}\n", cl.path, cl.line, cl.claimed));
    }
    for d in &c.differences {
        s.push_str(&format!(
            "DIFF {} @{:?}: claimed {} recomputed {} [{}]\n",
            d.path, d.line, d.claimed, d.recomputed, d.kind
        ));
    }
    for u in &c.unparsed {
        s.push_str(&format!("UNPARSED @{}: {}\n", u.line, u.text));
    }
    s
}

fn has_claim(c: &CrossCheck, path: &str, claimed: &str) -> bool {
    c.claims
        .iter()
        .any(|x| x.path == path && x.claimed == claimed)
}

#[test]
fn our_sectioned_announcement_reads_back_clean_sitting_by_sitting() {
    let m = egm_with_a_and_h_class_meetings().run_declared();
    let text = render_announcement(&m, &m.tally());
    let c = check(&text, &m);
    assert!(c.is_clean(), "{text}\n{}", dump(&c));
    for (path, claimed) in [
        ("entitled", "16,000"),
        ("represented", "9,000"),
        ("sittings[id=a].entitled", "10,000"),
        ("sittings[id=a].represented", "10,000"),
        ("sittings[id=h].entitled", "6,000"),
        ("sittings[id=h].represented", "5,000"),
        ("sittings[id=h].represented_pct", "83.3333"),
        ("sittings[id=general].holders_present", "2"),
        ("sittings[id=h].holders_present", "2"),
    ] {
        assert!(
            has_claim(&c, path, claimed),
            "{path} {claimed}\n{}",
            dump(&c)
        );
    }
    let passed = c
        .claims
        .iter()
        .filter(|x| x.path.ends_with(".passed"))
        .count();
    assert_eq!(passed, 3, "{}", dump(&c));
}

#[test]
fn an_error_in_a_class_meetings_section_is_named_at_its_sitting() {
    let m = egm_with_a_and_h_class_meetings().run_declared();
    let text = render_announcement(&m, &m.tally());
    let at = text
        .find("ATTENDANCE OF THE H SHAREHOLDERS")
        .expect("the H section");
    let (head, tail) = text.split_at(at);
    let wrong = format!(
        "{head}{}",
        tail.replacen("was 5,000 Shares", "was 5,100 Shares", 1)
            .replacen("A total of 2 Shareholders", "A total of 3 Shareholders", 1)
    );
    let c = check(&wrong, &m);
    let diffs: Vec<(&str, &str, DifferenceKind)> = c
        .differences
        .iter()
        .map(|d| (d.path.as_str(), d.claimed.as_str(), d.kind))
        .collect();
    assert_eq!(
        diffs,
        [
            ("sittings[id=h].represented", "5,100", DifferenceKind::Typo),
            ("sittings[id=h].holders_present", "3", DifferenceKind::Typo),
        ],
        "{}",
        dump(&c)
    );
}

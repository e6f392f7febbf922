//! One section per sitting (issue 9 item 1): a general meeting and the class meetings held
//! beside it are announced together, as PRC issuers publish "EGM, A Shareholders' Class
//! Meeting and H Shareholders' Class Meeting" results. Each section is headed by its
//! sitting's title and has its own attendance (with the holders present, item 6),
//! restrictions, results table and pass lines, built by the same sentence builders as a
//! meeting without sittings, over a tally cut down to the sitting.

use std::borrow::Cow;

use scrutin_model::{group_thousands, SittingKind};

use super::text::{clean, join_list};
use super::{Context, Names};
use crate::{ClassAttendance, Meeting, SittingAttendance, Tally};

/// One sitting's part of the announcement.
pub(super) struct Section {
    /// How the section's sentences name the sitting ("EGM", "H Shareholders' Class Meeting").
    pub(super) names: Names,
    /// The section's heading: the sitting's title in capitals.
    pub(super) heading: String,
    /// The tally of the sitting: its classes, attendance and resolutions only.
    pub(super) tally: Tally,
    /// The sitting's attendance, with its holder counts.
    pub(super) attendance: SittingAttendance,
}

/// Whether the meeting holds class sittings beside (or instead of) the general one.
pub(super) fn has_class_sittings(meeting: &Meeting) -> bool {
    meeting
        .sittings()
        .iter()
        .any(|s| s.kind == SittingKind::Class)
}

/// The sections of a meeting with class sittings, in the order of the tally's `sittings`
/// (the general sitting, then each class sitting as convened); empty for any other meeting.
pub(super) fn sections(ctx: &Context<'_>, tally: &Tally, meeting: &Names) -> Vec<Section> {
    let Some(m) = ctx.meeting.filter(|_| ctx.sectioned) else {
        return Vec::new();
    };
    tally
        .sittings
        .iter()
        .map(|att| section(ctx, m, tally, att, meeting))
        .collect()
}

fn section(
    ctx: &Context<'_>,
    m: &Meeting,
    tally: &Tally,
    att: &SittingAttendance,
    meeting: &Names,
) -> Section {
    let title = m
        .sittings()
        .iter()
        .find(|s| s.id.as_str() == att.id)
        .map(|s| clean(&s.title))
        .filter(|t| !t.is_empty());
    let (names, classes) = match &att.class {
        None => (
            Names {
                long: meeting.long.clone(),
                short: meeting.short.clone(),
            },
            tally.classes.clone(),
        ),
        Some(class) => {
            let title = title
                .clone()
                .unwrap_or_else(|| format!("{} Class Meeting", ctx.class_name(class)));
            let names = Names {
                long: Cow::Owned(title.to_uppercase()),
                short: Cow::Owned(title),
            };
            let classes = vec![ClassAttendance {
                id: class.clone(),
                entitled: att.entitled,
                represented: att.represented,
                represented_pct: att.represented_pct.clone(),
            }];
            (names, classes)
        }
    };
    let heading = title
        .unwrap_or_else(|| names.long.to_string())
        .to_uppercase();
    let resolutions = tally
        .resolutions
        .iter()
        .filter(|r| {
            ctx.resolution(&r.id)
                .and_then(|x| m.resolution_sitting(&x.id))
                .is_some_and(|s| s.as_str() == att.id)
        })
        .cloned()
        .collect();
    Section {
        names,
        heading,
        tally: Tally {
            format: tally.format,
            meeting: tally.meeting.clone(),
            classes,
            entitled: att.entitled,
            represented: att.represented,
            represented_pct: att.represented_pct.clone(),
            resolutions,
            sittings: vec![att.clone()],
        },
        attendance: att.clone(),
    }
}

/// How the heading, the scrutineer and the witness lawyer name the meeting when it has
/// sections: "EXTRAORDINARY GENERAL MEETING, THE A SHAREHOLDERS' CLASS MEETING AND THE H
/// SHAREHOLDERS' CLASS MEETING", "EGM, the A Shareholders' Class Meeting and the H
/// Shareholders' Class Meeting". `None` without sections.
pub(super) fn whole(sections: &[Section]) -> Option<Names> {
    if sections.is_empty() {
        return None;
    }
    let list = |name: fn(&Names) -> &str, the: &str, and: &str| {
        let parts: Vec<String> = sections
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if i == 0 {
                    name(&s.names).to_owned()
                } else {
                    format!("{the} {}", name(&s.names))
                }
            })
            .collect();
        join_list(&parts, and)
    };
    Some(Names {
        long: Cow::Owned(list(|n| &n.long, "THE", "AND")),
        short: Cow::Owned(list(|n| &n.short, "the", "and")),
    })
}

/// "A total of 56 Shareholders (12 in person and 44 by proxy), holding 1,234 Shares and
/// representing approximately 61.7219% of the total number of Shares, attended the EGM."
pub(super) fn holders_sentence(att: &SittingAttendance, short: &str) -> String {
    let who = if att.holders_present == 1 {
        "Shareholder"
    } else {
        "Shareholders"
    };
    format!(
        "A total of {} {who} ({} in person and {} by proxy), holding {} Shares and representing \
         approximately {}% of the total number of Shares, attended the {short}.",
        att.holders_present,
        att.holders_in_person,
        att.holders_by_proxy,
        group_thousands(att.represented),
        att.represented_pct
    )
}

//! The announcement as each market prints it (issue 9 items 2, 7, 8): the Abstain column,
//! class percentages over the class or the total, issued against entitled shares, the
//! circular-intention statement, each scheme test's figures, and the PRC witness lawyer.

use std::fmt::Write as _;

use scrutin_model::{group_thousands, ClassPctBase, HolderId, Preset, ResolutionId, Restriction};

use super::text::clean;
use super::{Context, Names};
use crate::{SchemeTests, Tally};

/// Whether the table prints the Abstain column: the setting, else the preset's default (PRC
/// issuers print it; HK, Cayman and Bermuda ones print For and Against only). A meeting
/// without settings keeps the column, as announcements printed it before settings existed.
pub(super) fn show_abstain(ctx: &Context<'_>) -> bool {
    let Some(settings) = ctx.meeting.and_then(|m| m.settings()) else {
        return true;
    };
    settings.show_abstain.unwrap_or_else(|| {
        ctx.convened
            .is_none_or(|c| matches!(c.rules.preset, Preset::Prc | Preset::Custom))
    })
}

/// Whether class rows print their percentages over the company's total on the resolution.
pub(super) fn class_pct_over_total(ctx: &Context<'_>) -> bool {
    ctx.meeting
        .and_then(|m| m.settings())
        .and_then(|s| s.class_pct_base)
        == Some(ClassPctBase::Total)
}

/// "The total number of issued Shares was X (including ...), of which Y Shares entitled the
/// holders to attend the SGM." when the settings state an issued total that differs.
pub(super) fn issued_sentence(out: &mut String, ctx: &Context<'_>, names: &Names, tally: &Tally) {
    let Some(settings) = ctx.meeting.and_then(|m| m.settings()) else {
        return;
    };
    if settings.issued.is_empty() {
        return;
    }
    let mut parts = Vec::new();
    let mut issued_total = 0u128;
    for c in &tally.classes {
        let issued = settings
            .issued
            .iter()
            .find(|i| i.class.as_str() == c.id)
            .map_or(c.entitled, |i| u128::from(i.issued.0));
        issued_total += issued;
        parts.push(format!(
            "{} {}",
            group_thousands(issued),
            ctx.class_name(&c.id)
        ));
    }
    if issued_total == tally.entitled {
        return;
    }
    let _ = write!(
        out,
        "The total number of issued Shares as at the date of the {} was {} Shares",
        names.short,
        group_thousands(issued_total)
    );
    if parts.len() > 1 {
        let _ = write!(out, " (including {})", super::text::join_and(&parts));
    }
    let _ = writeln!(
        out,
        ", of which {} Shares entitled the holders to attend the {}.",
        group_thousands(tally.entitled),
        names.short
    );
    out.push('\n');
}

/// The circular-intention statement (Rule 13.40 practice): each holder who stated an
/// intention to vote against or to abstain, and whether it voted as stated; or the denial.
/// In a section of a meeting with class sittings, only the section's resolutions (those of
/// `tally`) are stated.
pub(super) fn intentions(out: &mut String, ctx: &Context<'_>, names: &Names, tally: &Tally) {
    let short: &str = &names.short;
    let marked: Vec<_> = ctx
        .marks
        .iter()
        .filter(|r| {
            matches!(
                r.restriction,
                Restriction::IntendsAgainst | Restriction::IntendsAbstain
            )
        })
        .filter(|r| {
            !ctx.sectioned
                || tally
                    .resolutions
                    .iter()
                    .any(|t| t.id == r.resolution.as_str())
        })
        .collect();
    if marked.is_empty() {
        let _ = writeln!(
            out,
            "No Shareholder indicated in the circular an intention to vote against or to \
             abstain from voting on any resolution proposed at the {short}."
        );
        return;
    }
    for r in &marked {
        let cast = ctx
            .meeting
            .and_then(|m| m.holder_cast(&r.holder, &r.resolution));
        let ((f, a, x), any) = cast.unwrap_or(((0, 0, 0), false));
        let (stated, as_stated) = match r.restriction {
            Restriction::IntendsAgainst => ("vote against", any && f == 0 && x == 0 && a > 0),
            _ => ("abstain from voting on", f == 0 && a == 0),
        };
        let how = if as_stated && r.restriction == Restriction::IntendsAgainst {
            "and voted against it as stated".to_owned()
        } else if as_stated {
            "and abstained as stated".to_owned()
        } else if !any {
            "but did not vote on it".to_owned()
        } else {
            format!(
                "but did not vote as stated: it voted {} Shares for, {} against and {} \
                 abstaining",
                group_thousands(f),
                group_thousands(a),
                group_thousands(x)
            )
        };
        let _ = writeln!(
            out,
            "{} had indicated in the circular its intention to {stated} resolution {}, {how}.",
            r.name, r.resolution
        );
    }
    let _ = writeln!(
        out,
        "Save as disclosed above, no Shareholder indicated in the circular an intention to vote \
         against or to abstain from voting on any resolution proposed at the {short}."
    );
}

/// A holder's stated intention on one resolution, as the announcement names it.
pub(super) struct Mark {
    pub(super) holder: HolderId,
    pub(super) resolution: ResolutionId,
    pub(super) restriction: Restriction,
    /// The holder's name on the register, cleaned for print.
    pub(super) name: String,
}

/// Each scheme test's figures, as scheme announcements state them.
pub(super) fn scheme_figures(id: &str, s: &SchemeTests) -> String {
    let met = |b: bool| if b { "met" } else { "not met" };
    let mut out = String::new();
    match &s.headcount {
        Some(h) if !h.required => {
            let _ = write!(
                out,
                " No majority in number is required on resolution {id} (holders voting for: {}; \
                 against: {}).",
                h.holders_for, h.holders_against
            );
        }
        _ => {
            let _ = write!(
                out,
                " Holders voting for: {}; against: {} (headcount test {}).",
                s.holders_for,
                s.holders_against,
                met(s.headcount_passed)
            );
        }
    }
    if let Some(v) = &s.value {
        let _ = write!(
            out,
            " Value test: {} Shares for ({}%) and {} against ({}%) of the {} Shares voted, \
             {} required (test {}).",
            group_thousands(v.for_),
            v.for_pct,
            group_thousands(v.against),
            v.against_pct,
            group_thousands(v.base),
            v.threshold,
            met(v.passed)
        );
    }
    if let Some(d) = &s.disinterested {
        let _ = write!(
            out,
            " Disinterested Shareholders ({} for, {} against): {} Shares for ({}%) and {} \
             against ({}%) of the {} disinterested Shares voted, {} required (test {}).",
            d.holders_for,
            d.holders_against,
            group_thousands(d.for_),
            d.for_pct,
            group_thousands(d.against),
            d.against_pct,
            group_thousands(d.base),
            d.threshold,
            met(d.passed)
        );
    }
    if let Some(l) = &s.disinterested_against {
        let _ = write!(
            out,
            " Votes against by disinterested Shareholders: {} Shares, {}% of all {} \
                 disinterested Shares, at most {} allowed (test {}).",
            group_thousands(l.against),
            l.pct,
            group_thousands(l.base),
            l.limit,
            met(l.passed)
        );
    }
    out
}

/// The PRC witness lawyer's legal-opinion paragraph, when the settings name one.
pub(super) fn witness_lawyer(out: &mut String, ctx: &Context<'_>, names: &Names) {
    let Some(lawyer) = ctx
        .meeting
        .and_then(|m| m.settings())
        .map(|s| clean(&s.witness_lawyer))
        .filter(|s| !s.is_empty())
    else {
        return;
    };
    let short: &str = &names.short;
    out.push('\n');
    let _ = writeln!(out, "WITNESS LAWYERS");
    out.push('\n');
    let _ = writeln!(
        out,
        "{lawyer} witnessed the {short}, and issued a legal opinion, certifying that the \
         convening and holding procedures, the qualifications of the convener and the \
         attendees, and the voting procedures of the {short} are in compliance with the laws \
         and regulations and the provisions of the Articles of Association; and the poll \
         results of the {short} are lawful and valid."
    );
}

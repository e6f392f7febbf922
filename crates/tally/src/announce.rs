//! The poll-results announcement text, in the layout of published announcements.
//!
//! The text is built from the [`Tally`] (every count, percentage and pass/fail is taken from it,
//! never recomputed differently) plus the meeting's descriptive data (issuer, classes, titles,
//! scrutineer). The same meeting and tally always give byte-identical text.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use scrutin_model::{
    group_thousands, ClassId, Denominator, MeetingConvened, MeetingKind, Resolution,
    ResolutionKind, Restriction, RulesProfile, ShareClass,
};

use crate::{percent, ClassVotes, Meeting, ResolutionTally, SittingAttendance, Tally};

mod market;
mod pass;
mod sitting;
mod text;

use market::Mark;
use pass::pass_statements;
use text::{clean, join_and, long_date, tidy};

/// Renders the poll-results announcement (attendance paragraph, Rule 13.40 and abstention
/// statements, the results table, the pass statement, the scrutineer).
///
/// A meeting that has not been convened yet renders only what the tally says, under a
/// placeholder heading.
pub fn render_announcement(meeting: &Meeting, tally: &Tally) -> String {
    let resolutions = meeting.resolutions();
    let restricted: Vec<Restricted> = meeting
        .abstentions()
        .into_iter()
        .map(|a| {
            // The holder's shares of the classes that vote on the resolution.
            let shares = meeting.voting_shares(&a.holder, &a.resolution);
            Restricted {
                resolution: a.resolution.as_str().to_owned(),
                restriction: a.restriction,
                name: meeting
                    .holder_name(&a.holder)
                    .map_or_else(|| a.holder.to_string(), clean),
                shares,
                reason: clean(&a.reason),
            }
        })
        .collect();
    let mut ctx = Context::new(
        Some(meeting),
        meeting.convened(),
        resolutions,
        restricted,
        meeting.result_declared(),
    );
    ctx.marks = meeting
        .abstentions()
        .into_iter()
        .filter(|a| {
            matches!(
                a.restriction,
                Restriction::IntendsAgainst | Restriction::IntendsAbstain
            )
        })
        .map(|a| Mark {
            name: meeting
                .holder_name(&a.holder)
                .map_or_else(|| a.holder.to_string(), clean),
            holder: a.holder,
            resolution: a.resolution,
            restriction: a.restriction,
        })
        .collect();
    ctx.sectioned = sitting::has_class_sittings(meeting);
    ctx.tendered_by_abstainers = ctx
        .resolutions
        .iter()
        .filter(|r| meeting.must_abstain_tendered(&r.id))
        .map(|r| r.id.as_str().to_owned())
        .collect();
    render(&ctx, tally)
}

/// What the text needs from the meeting besides the tally.
struct Context<'a> {
    /// The meeting's own records, when rendering a meeting (the weights it interned).
    meeting: Option<&'a Meeting>,
    convened: Option<&'a MeetingConvened>,
    resolutions: Vec<&'a Resolution>,
    /// Resolution id -> index in `resolutions` (first wins).
    res_ix: HashMap<&'a str, usize>,
    /// Class id -> class (first wins).
    class_ix: HashMap<&'a str, &'a ShareClass>,
    /// Must-abstain and against-only holders, by holder then resolution.
    restricted: Vec<Restricted>,
    /// Resolution id -> indices into `restricted`, in order.
    restricted_on: HashMap<String, Vec<usize>>,
    /// Whether the result has been declared: until then the text is a provisional count and
    /// states no outcome.
    declared: bool,
    /// Resolutions on which a holder required to abstain (or its proxy) tendered a ballot:
    /// the text may not say they "had abstained" there.
    tendered_by_abstainers: std::collections::HashSet<String>,
    /// Holders who stated an intention in the circular (against, abstain).
    marks: Vec<Mark>,
    /// Whether the meeting has class sittings: the text has one section per sitting, and
    /// each section's tally holds that sitting's classes and resolutions only.
    sectioned: bool,
}

/// A holder restricted on one resolution, as the announcement names it.
struct Restricted {
    resolution: String,
    restriction: Restriction,
    /// The holder's name on the register.
    name: String,
    /// Its shares of the classes voting on the resolution.
    shares: u128,
    reason: String,
}

impl<'a> Context<'a> {
    fn new(
        meeting: Option<&'a Meeting>,
        convened: Option<&'a MeetingConvened>,
        resolutions: Vec<&'a Resolution>,
        restricted: Vec<Restricted>,
        declared: bool,
    ) -> Context<'a> {
        let mut restricted_on: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in restricted.iter().enumerate() {
            restricted_on
                .entry(r.resolution.clone())
                .or_default()
                .push(i);
        }
        // Reversed, so that the first of two equal ids wins, as a linear search did.
        let res_ix = resolutions
            .iter()
            .enumerate()
            .rev()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let class_ix = convened
            .map(|c| c.classes.iter().rev().map(|c| (c.id.as_str(), c)).collect())
            .unwrap_or_default();
        Context {
            meeting,
            convened,
            resolutions,
            res_ix,
            class_ix,
            restricted,
            restricted_on,
            declared,
            tendered_by_abstainers: std::collections::HashSet::new(),
            marks: Vec::new(),
            sectioned: false,
        }
    }

    /// "CHEN YIHONG holding 294,174,742 Shares (reason) and ..." for the holders restricted
    /// on `resolution`; empty when none is known.
    fn named(&self, resolution: &str, restriction: Restriction) -> String {
        // Holders sharing a reason are listed together, reasons in order of first mention.
        let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
        let mut group_of: HashMap<&str, usize> = HashMap::new();
        for r in self
            .restricted_on
            .get(resolution)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.restricted.get(i))
            .filter(|r| r.restriction == restriction)
        {
            let who = format!("{} holding {} Shares", r.name, group_thousands(r.shares));
            match group_of
                .get(r.reason.as_str())
                .and_then(|&g| groups.get_mut(g))
            {
                Some((_, names)) => names.push(who),
                None => {
                    group_of.insert(&r.reason, groups.len());
                    groups.push((&r.reason, vec![who]));
                }
            }
        }
        let parts: Vec<String> = groups
            .into_iter()
            .map(|(reason, names)| {
                if reason.is_empty() {
                    join_and(&names)
                } else {
                    format!("{} ({reason})", join_and(&names))
                }
            })
            .collect();
        parts.join("; ")
    }

    fn resolution(&self, id: &str) -> Option<&Resolution> {
        self.res_ix
            .get(id)
            .and_then(|&i| self.resolutions.get(i))
            .copied()
    }

    fn classes(&self) -> &[ShareClass] {
        self.convened.map_or(&[], |c| c.classes.as_slice())
    }

    fn class_name(&self, id: &str) -> String {
        self.class_ix
            .get(id)
            .map_or_else(|| format!("{id} shares"), |c| clean(&c.name))
    }

    /// The classes voting on `resolution`, in the meeting's class order, each with its votes
    /// per share (the resolution's override, else the class default, at least 1). Costs the
    /// resolution's voting classes, as its `by_class` in the tally does.
    fn voting_classes(&self, resolution: Option<&Resolution>) -> Vec<(&ClassId, u32)> {
        let Some(r) = resolution else {
            return self
                .classes()
                .iter()
                .map(|c| (&c.id, c.votes_per_share.max(1)))
                .collect();
        };
        if let Some((m, rec)) = self.meeting.and_then(|m| Some((m, m.res_rec(&r.id)?))) {
            return m
                .voting_classes(rec)
                .filter(|&(_, vps)| vps > 0)
                .filter_map(|(c, vps)| Some((m.class_id(c)?, vps.max(1))))
                .collect();
        }
        // A resolution the meeting does not hold: from its definition, through maps.
        let mut over: HashMap<&str, u32> = HashMap::new();
        for w in r.votes_per_share.iter().rev() {
            over.insert(w.class.as_str(), w.votes_per_share);
        }
        let named: std::collections::HashSet<&str> =
            r.classes.iter().map(ClassId::as_str).collect();
        self.classes()
            .iter()
            .filter(|c| r.classes.is_empty() || named.contains(c.id.as_str()))
            .map(|c| {
                let vps = over
                    .get(c.id.as_str())
                    .copied()
                    .unwrap_or(c.votes_per_share);
                (&c.id, vps.max(1))
            })
            .collect()
    }

    /// Per-class rows are printed when a class carries more than one vote per share on some
    /// resolution, or when a resolution is restricted to some classes (a class meeting
    /// reported with the general meeting). In a section of a meeting with class sittings,
    /// only the section's classes and resolutions (those of `tally`) are considered.
    fn per_class_rows(&self, tally: &Tally) -> bool {
        let shown = |r: &&&Resolution| {
            !self.sectioned || tally.resolutions.iter().any(|t| t.id == r.id.as_str())
        };
        let resolutions: Vec<&Resolution> =
            self.resolutions.iter().filter(shown).copied().collect();
        let classes: Vec<&ShareClass> = if self.sectioned {
            tally
                .classes
                .iter()
                .filter_map(|c| self.class_ix.get(c.id.as_str()).copied())
                .collect()
        } else {
            self.classes().iter().collect()
        };
        let weighted = classes.iter().any(|c| c.votes_per_share > 1)
            || resolutions
                .iter()
                .any(|r| r.votes_per_share.iter().any(|w| w.votes_per_share > 1));
        let restricted = classes.len() > 1
            && resolutions
                .iter()
                .any(|r| !r.classes.is_empty() && r.classes.len() < classes.len());
        weighted || restricted
    }

    /// A vote count of `resolution` expressed in shares when every voting class carries the
    /// same weight (`None` when weights differ: the count is then stated in votes).
    fn shares_of_votes(&self, resolution: Option<&Resolution>, votes: u128) -> Option<u128> {
        let mut weights = self
            .voting_classes(resolution)
            .into_iter()
            .map(|(_, vps)| vps);
        let first = weights.next().unwrap_or(1);
        if weights.all(|w| w == first) {
            Some(votes / u128::from(first))
        } else {
            None
        }
    }
}

struct Names {
    /// "EXTRAORDINARY GENERAL MEETING" (a class sitting: its title in capitals)
    long: Cow<'static, str>,
    /// "EGM" (a class sitting: its title, "H Shareholders' Class Meeting")
    short: Cow<'static, str>,
}

fn names(kind: Option<MeetingKind>) -> Names {
    match kind {
        Some(MeetingKind::Agm) => Names {
            long: Cow::Borrowed("ANNUAL GENERAL MEETING"),
            short: Cow::Borrowed("AGM"),
        },
        Some(MeetingKind::Egm) => Names {
            long: Cow::Borrowed("EXTRAORDINARY GENERAL MEETING"),
            short: Cow::Borrowed("EGM"),
        },
        Some(MeetingKind::Class) => Names {
            long: Cow::Borrowed("CLASS MEETING"),
            short: Cow::Borrowed("Class Meeting"),
        },
        Some(MeetingKind::Sgm) => Names {
            long: Cow::Borrowed("SPECIAL GENERAL MEETING"),
            short: Cow::Borrowed("SGM"),
        },
        Some(MeetingKind::Court) => Names {
            long: Cow::Borrowed("COURT MEETING"),
            short: Cow::Borrowed("Court Meeting"),
        },
        None => Names {
            long: Cow::Borrowed("MEETING"),
            short: Cow::Borrowed("Meeting"),
        },
    }
}

/// What an announcement says in place of an outcome before the result is declared.
pub const PROVISIONAL: &str =
    "PROVISIONAL COUNT: NO RESULT HAS BEEN DECLARED\n\nThe scrutineer has \
not declared the result: the polls are not all closed and declared, the figures below may \
still change, and this count states no resolution's outcome.\n\n";

fn render(ctx: &Context<'_>, tally: &Tally) -> String {
    let names = names(ctx.convened.map(|c| c.kind));
    let profile = ctx.convened.map(|c| c.rules.clone());
    let mut out = String::new();
    // A meeting with class sittings: one section per sitting, under a heading naming them all.
    let sections = sitting::sections(ctx, tally, &names);
    let whole = sitting::whole(&sections);
    let meeting_names = whole.as_ref().unwrap_or(&names);
    heading(&mut out, ctx, meeting_names, tally);
    if !ctx.declared {
        out.push_str(PROVISIONAL);
    }
    if sections.is_empty() {
        body(&mut out, ctx, &names, tally, None, profile.as_ref());
    }
    for s in &sections {
        let _ = writeln!(out, "{}", s.heading);
        out.push('\n');
        body(
            &mut out,
            ctx,
            &s.names,
            &s.tally,
            Some(&s.attendance),
            profile.as_ref(),
        );
    }
    scrutineer(&mut out, ctx, meeting_names);
    market::witness_lawyer(&mut out, ctx, meeting_names);
    tidy(&out)
}

/// Attendance, restrictions, the results table, the pass statements and the votes not
/// counted: of the whole meeting, or of one sitting (`holders`: its attendance, whose holder
/// counts are then printed).
fn body(
    out: &mut String,
    ctx: &Context<'_>,
    names: &Names,
    tally: &Tally,
    holders: Option<&SittingAttendance>,
    profile: Option<&RulesProfile>,
) {
    attendance(out, ctx, names, tally, holders);
    restrictions(out, ctx, names, tally);
    table(out, ctx, names, tally, profile);
    if ctx.declared {
        pass_statements(out, ctx, names, tally, profile);
    }
    disregarded(out, tally);
}

fn heading(out: &mut String, ctx: &Context<'_>, names: &Names, tally: &Tally) {
    match ctx.convened {
        Some(c) => {
            let _ = writeln!(out, "{}", clean(&c.issuer));
            let _ = writeln!(out, "(Stock Code: {})", clean(&c.stock_code));
            out.push('\n');
            let _ = writeln!(
                out,
                "POLL RESULTS OF THE {} HELD ON {}",
                names.long,
                long_date(c.date.as_str()).to_uppercase()
            );
        }
        None => {
            let _ = writeln!(out, "POLL RESULTS OF THE {} {}", names.long, tally.meeting);
        }
    }
    out.push('\n');
}

fn attendance(
    out: &mut String,
    ctx: &Context<'_>,
    names: &Names,
    tally: &Tally,
    holders: Option<&SittingAttendance>,
) {
    let short: &str = &names.short;
    let decimals = ctx.convened.map_or(4, |c| c.rules.decimals);
    let what = if tally.resolutions.len() == 1 {
        "the resolution"
    } else {
        "the resolutions"
    };
    let _ = writeln!(out, "ATTENDANCE OF THE {}", short.to_uppercase());
    out.push('\n');
    // The meeting's total entitles the holders to vote on every resolution only when each
    // resolution's own total is the same: otherwise (holders required to abstain, classes
    // voting on some resolutions only) it is the total entitling them to attend, and each
    // resolution's own total follows in the restrictions paragraph.
    let meeting_total = format!("{} Shares", group_thousands(tally.entitled));
    let uniform = tally.resolutions.iter().all(|r| {
        r.must_abstain == 0
            && count_in_shares(ctx, ctx.resolution(&r.id), r.entitled) == meeting_total
    });
    let mut para = if uniform {
        format!(
            "As at the date of the {short}, the total number of Shares entitling the holders to \
             attend and vote on {what} proposed at the {short} is {meeting_total}"
        )
    } else {
        format!(
            "As at the date of the {short}, the total number of Shares entitling the holders to \
             attend the {short} is {meeting_total}"
        )
    };
    if tally.classes.len() > 1 {
        let parts: Vec<String> = tally
            .classes
            .iter()
            .map(|c| format!("{} {}", group_thousands(c.entitled), ctx.class_name(&c.id)))
            .collect();
        let _ = write!(para, " (including {})", join_and(&parts));
    }
    let _ = write!(
        para,
        ". The total number of Shares with voting rights represented by the Shareholders \
         attending the {short} in person or by proxy was {} Shares, representing approximately \
         {}% of the total number of Shares.",
        group_thousands(tally.represented),
        tally.represented_pct
    );
    if let Some(att) = holders {
        para.push(' ');
        para.push_str(&sitting::holders_sentence(att, short));
    }
    out.push_str(&para);
    out.push_str("\n\n");
    market::issued_sentence(out, ctx, names, tally);
    if tally.classes.len() > 1 {
        let parts: Vec<String> = tally
            .classes
            .iter()
            .map(|c| {
                let name = ctx.class_name(&c.id);
                let pct = if c.represented_pct.is_empty() {
                    percent(c.represented, c.entitled, decimals)
                } else {
                    c.represented_pct.clone()
                };
                format!(
                    "{} {name} (approximately {pct}% of the {name})",
                    group_thousands(c.represented)
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "By class, the Shares represented were {}.",
            join_and(&parts)
        );
        out.push('\n');
    }
}

fn restrictions(out: &mut String, ctx: &Context<'_>, names: &Names, tally: &Tally) {
    let short: &str = &names.short;
    let abstaining: Vec<&ResolutionTally> = tally
        .resolutions
        .iter()
        .filter(|r| r.must_abstain > 0)
        .collect();
    if abstaining.is_empty() {
        let _ = writeln!(
            out,
            "No Shareholder was required to abstain from voting on any resolution proposed at \
             the {short} under the Listing Rules."
        );
    } else {
        for r in &abstaining {
            let res = ctx.resolution(&r.id);
            // As announcements say it, but only when true: a ballot tendered by one of them
            // was recorded (and not counted), so they did not all abstain.
            let tendered = ctx.tendered_by_abstainers.contains(&r.id);
            let _ = write!(
                out,
                "Shareholders {} were required under the Listing Rules to abstain {}from voting \
                 on resolution {}",
                holding(ctx, res, r.must_abstain),
                if tendered { "" } else { "and had abstained " },
                r.id,
            );
            named(out, ctx, &r.id, Restriction::Abstain);
            if tendered {
                out.pop();
                out.push_str(
                    "; the votes tendered on their Shares were not counted (see VOTES NOT COUNTED \
                     below).",
                );
            }
            let _ = writeln!(
                out,
                " {}",
                entitled_sentence(ctx, res, r, "the Independent Shareholders")
            );
        }
        if abstaining.len() < tally.resolutions.len() {
            // Rule 13.39(5) asks for the must-abstain shares of every resolution: deny the rest.
            let _ = writeln!(
                out,
                "Save as disclosed above, no Shareholder was required to abstain from voting on \
                 any other resolution proposed at the {short} under the Listing Rules."
            );
        }
    }
    // A resolution's entitled shares differ from the meeting's total when only some classes
    // vote on it or its classes carry weights: state them, as Rule 13.39(5) asks per resolution.
    let meeting_total = format!("{} Shares", group_thousands(tally.entitled));
    for r in tally.resolutions.iter().filter(|r| r.must_abstain == 0) {
        let res = ctx.resolution(&r.id);
        if count_in_shares(ctx, res, r.entitled) != meeting_total {
            let _ = writeln!(out, "{}", entitled_sentence(ctx, res, r, "the holders"));
        }
    }
    let against_only: Vec<&ResolutionTally> = tally
        .resolutions
        .iter()
        .filter(|r| r.against_only > 0)
        .collect();
    if against_only.is_empty() {
        let _ = writeln!(
            out,
            "No Shareholder who was entitled to attend had to abstain from voting in favour of \
             any resolution at the {short} pursuant to Rule 13.40 of the Listing Rules."
        );
    } else {
        for r in &against_only {
            let res = ctx.resolution(&r.id);
            let _ = write!(
                out,
                "Shareholders {} were entitled to attend but had to abstain from voting in \
                 favour of resolution {} pursuant to Rule 13.40 of the Listing Rules",
                holding(ctx, res, r.against_only),
                r.id
            );
            named(out, ctx, &r.id, Restriction::AgainstOnly);
            out.push('\n');
        }
        if against_only.len() < tally.resolutions.len() {
            let _ = writeln!(
                out,
                "Save as disclosed above, no Shareholder who was entitled to attend had to \
                 abstain from voting in favour of any other resolution at the {short} pursuant \
                 to Rule 13.40 of the Listing Rules."
            );
        }
    }
    market::intentions(out, ctx, names, tally);
    out.push('\n');
}

/// "The total number of Shares entitling the holders to attend and vote on resolution 2 was
/// 10,100 Shares." or, when the voting classes carry different weights, "The Shares entitling
/// the holders to attend and vote on resolution 8 carried 1,218,151,140 votes."
///
/// `who` names the holders: "the holders", or "the Independent Shareholders" when holders
/// required to abstain are left out of the total.
fn entitled_sentence(
    ctx: &Context<'_>,
    res: Option<&Resolution>,
    r: &ResolutionTally,
    who: &str,
) -> String {
    match ctx.shares_of_votes(res, r.entitled) {
        Some(shares) => format!(
            "The total number of Shares entitling {who} to attend and vote on resolution {} was \
             {} Shares.",
            r.id,
            group_thousands(shares)
        ),
        None => format!(
            "The Shares entitling {who} to attend and vote on resolution {} carried {} votes.",
            r.id,
            group_thousands(r.entitled)
        ),
    }
}

/// Ends the sentence, naming the holders concerned when the meeting knows them.
fn named(out: &mut String, ctx: &Context<'_>, resolution: &str, restriction: Restriction) {
    let who = ctx.named(resolution, restriction);
    if who.is_empty() {
        out.push('.');
    } else {
        let _ = write!(out, ": {who}.");
    }
}

/// "holding 2,294,174,742 Shares" or, when the voting classes carry different weights,
/// "carrying 1,000 votes".
fn holding(ctx: &Context<'_>, res: Option<&Resolution>, votes: u128) -> String {
    match ctx.shares_of_votes(res, votes) {
        Some(shares) => format!("holding {} Shares", group_thousands(shares)),
        None => format!("carrying {} votes", group_thousands(votes)),
    }
}

fn count_in_shares(ctx: &Context<'_>, res: Option<&Resolution>, votes: u128) -> String {
    match ctx.shares_of_votes(res, votes) {
        Some(shares) => format!("{} Shares", group_thousands(shares)),
        None => format!("{} votes", group_thousands(votes)),
    }
}

fn kind_word(kind: &str) -> &'static str {
    match kind {
        "special" => "SPECIAL RESOLUTION",
        "cumulative" => "CUMULATIVE VOTING RESOLUTION",
        "scheme" => "RESOLUTION ON THE SCHEME",
        _ => "ORDINARY RESOLUTION",
    }
}

fn table(
    out: &mut String,
    ctx: &Context<'_>,
    names: &Names,
    tally: &Tally,
    profile: Option<&RulesProfile>,
) {
    let decimals = profile.map_or(4, |p| p.decimals);
    let denominator = profile.map_or(Denominator::ForAgainst, |p| p.denominator);
    let by_class = ctx.per_class_rows(tally);
    let cols = if market::show_abstain(ctx) {
        "FOR\tAGAINST\tABSTAIN"
    } else {
        "FOR\tAGAINST"
    };
    let _ = writeln!(out, "POLL RESULTS OF THE {}", names.short.to_uppercase());
    out.push('\n');
    let _ = writeln!(
        out,
        "The poll results in respect of {} at the {} were as follows:",
        if tally.resolutions.len() == 1 {
            "the resolution"
        } else {
            "the resolutions"
        },
        names.short
    );
    out.push('\n');
    let mut i = 0;
    while i < tally.resolutions.len() {
        // Consecutive resolutions of one kind share a heading, as in the samples.
        let kind = tally.resolutions[i].kind.as_str();
        let run = tally.resolutions[i..]
            .iter()
            .take_while(|r| r.kind == kind)
            .count();
        let plural = if run > 1 { "S" } else { "" };
        if kind == "cumulative" {
            let _ = writeln!(out, "{}{plural}\tCANDIDATE\tVOTES\tRESULT", kind_word(kind));
        } else if by_class {
            let _ = writeln!(
                out,
                "{}{plural}\t{cols}\tSHARES VOTED\tVOTES CAST",
                kind_word(kind)
            );
        } else {
            let _ = writeln!(out, "{}{plural}\t{cols}", kind_word(kind));
        }
        for r in &tally.resolutions[i..i + run] {
            row(out, ctx, r, by_class, decimals, denominator);
        }
        out.push('\n');
        i += run;
    }
}

fn number(id: &str) -> String {
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) {
        format!("{id}.")
    } else {
        id.to_owned()
    }
}

fn row(
    out: &mut String,
    ctx: &Context<'_>,
    r: &ResolutionTally,
    by_class: bool,
    decimals: u8,
    denominator: Denominator,
) {
    let res = ctx.resolution(&r.id);
    let title = res.map(|x| clean(&x.title)).unwrap_or_default();
    let head = format!("{}\t{title}", number(&r.id));
    if r.kind == "cumulative" {
        let _ = writeln!(out, "{head}");
        let mut names: HashMap<&str, &str> = HashMap::new();
        if let Some(ResolutionKind::Cumulative { candidates, .. }) = res.map(|x| &x.kind) {
            for k in candidates {
                names.entry(k.id.as_str()).or_insert(k.name.as_str());
            }
        }
        for c in &r.candidates {
            let name = names
                .get(c.id.as_str())
                .map_or_else(|| c.id.clone(), |n| clean(n));
            let _ = writeln!(
                out,
                "\t{name}\t{} votes\t{}",
                group_thousands(c.votes),
                if c.elected { "elected" } else { "not elected" }
            );
        }
        return;
    }
    let abstain_col = market::show_abstain(ctx);
    let mut cells = format!(
        "{} ({}%)\t{} ({}%)",
        group_thousands(r.for_),
        r.for_pct,
        group_thousands(r.against),
        r.against_pct,
    );
    if abstain_col {
        let _ = write!(
            cells,
            "\t{} ({}%)",
            group_thousands(r.abstain),
            r.abstain_pct
        );
    }
    // Class percentages over the company's total on the resolution (Minsheng), or over the
    // class's own votes.
    let over_total = market::class_pct_over_total(ctx).then_some(ClassVotes {
        for_: r.for_,
        against: r.against,
        abstain: r.abstain,
    });
    if !by_class {
        let _ = writeln!(out, "{head}\t{cells}");
        return;
    }
    let _ = writeln!(out, "{head}");
    let mut shares_total: u128 = 0;
    for (class, vps) in ctx.voting_classes(res) {
        let votes = r.by_class.get(class.as_str()).cloned().unwrap_or_default();
        let vps = u128::from(vps);
        let cast = votes.for_ + votes.against + votes.abstain;
        shares_total += cast / vps;
        let _ = writeln!(
            out,
            "\t{}\t{}\t{}\t{}",
            ctx.class_name(class.as_str()),
            class_cells(
                &votes,
                over_total.as_ref().unwrap_or(&votes),
                abstain_col,
                decimals,
                denominator
            ),
            group_thousands(cast / vps),
            group_thousands(cast)
        );
    }
    let _ = writeln!(
        out,
        "\tTotal\t{cells}\t{}\t{}",
        group_thousands(shares_total),
        group_thousands(r.for_ + r.against + r.abstain)
    );
}

/// A class row's cells, with the percentages on the profile's denominator of `over` (the
/// class's own votes, or the resolution's total).
fn class_cells(
    v: &ClassVotes,
    over: &ClassVotes,
    abstain_col: bool,
    decimals: u8,
    denominator: Denominator,
) -> String {
    let all = over.for_ + over.against + over.abstain;
    let base = match denominator {
        Denominator::ForAgainst => over.for_ + over.against,
        Denominator::ForAgainstAbstain => all,
    };
    let mut s = format!(
        "{} ({}%)\t{} ({}%)",
        group_thousands(v.for_),
        percent(v.for_, base, decimals),
        group_thousands(v.against),
        percent(v.against, base, decimals),
    );
    if abstain_col {
        let _ = write!(
            s,
            "\t{} ({}%)",
            group_thousands(v.abstain),
            percent(v.abstain, all, decimals)
        );
    }
    s
}

fn disregarded(out: &mut String, tally: &Tally) {
    if tally
        .resolutions
        .iter()
        .all(|r| r.disregarded_ballots.is_empty())
    {
        return;
    }
    let _ = writeln!(out, "VOTES NOT COUNTED");
    out.push('\n');
    for r in &tally.resolutions {
        for d in &r.disregarded_ballots {
            let _ = writeln!(
                out,
                "Resolution {}: {} votes tendered by {} were not counted ({}).",
                r.id,
                group_thousands(d.votes),
                d.voter,
                clean(&d.reason)
            );
        }
    }
    out.push('\n');
}

fn scrutineer(out: &mut String, ctx: &Context<'_>, names: &Names) {
    let name = ctx
        .convened
        .map(|c| clean(&c.scrutineer))
        .unwrap_or_default();
    let _ = writeln!(out, "SCRUTINEER");
    out.push('\n');
    if name.is_empty() {
        let _ = writeln!(
            out,
            "The scrutineer for the vote-taking at the {} was not named.",
            names.short
        );
    } else {
        let _ = writeln!(
            out,
            "{name} acted as the scrutineer for the vote-taking at the {}.",
            names.short
        );
    }
}

#[cfg(test)]
mod tests;

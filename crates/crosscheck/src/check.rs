//! Comparing what was read from an announcement with the recomputed meeting.

use std::collections::BTreeSet;

use scrutin_model::{group_thousands, Denominator};
use scrutin_tally::{ResolutionTally, SittingAttendance};

use crate::classify::{classify_percent, half_up, DifferenceKind, PercentContext, Printed};
use crate::parse::{class_of, Cell, ClassHint, ClassLabel, Col, Figures, Parsed, Row, Scope, Stmt};
use crate::row::{classify_row, ClaimedRow, RowBasis};
use crate::text::squash;
use crate::{Claim, CrossCheck, Difference, Recomputed, Unparsed};

const ABSENT: &str = "(absent)";

struct Ctx<'a> {
    rec: &'a Recomputed<'a>,
    hints: Vec<ClassHint>,
    out: CrossCheck,
    /// The text's sections, one per sitting (see [`Parsed::sections`]).
    sections: Vec<(usize, String)>,
    /// Each row's line and ledger resolution.
    rows: Vec<(usize, Option<String>)>,
}

fn norm(id: &str) -> String {
    id.to_lowercase()
        .replace(' ', "")
        .trim_end_matches('.')
        .to_owned()
}

fn col_index(c: Col) -> usize {
    match c {
        Col::For => 0,
        Col::Against => 1,
        Col::Abstain => 2,
    }
}

const NAMES: [&str; 3] = ["for", "against", "abstain"];

pub(crate) fn compare(parsed: &Parsed, rec: &Recomputed<'_>) -> CrossCheck {
    let mut cx = Ctx {
        rec,
        hints: rec
            .classes
            .iter()
            .map(|c| ClassHint {
                id: c.id.as_str().to_owned(),
                name: c.name.clone(),
            })
            .collect(),
        out: CrossCheck {
            unparsed: parsed.unparsed.clone(),
            ..CrossCheck::default()
        },
        sections: parsed.sections.clone(),
        rows: Vec::new(),
    };
    let ids = map_rows(&parsed.rows, rec);
    cx.rows = parsed
        .rows
        .iter()
        .zip(&ids)
        .map(|(r, id)| (r.line, id.clone()))
        .collect();
    for (row, id) in parsed.rows.iter().zip(&ids) {
        match id
            .as_deref()
            .and_then(|id| rec.tally.resolutions.iter().find(|t| t.id == id))
        {
            Some(t) => cx.row(row, t),
            None => {
                let path = format!("resolutions[id={}]", row.label);
                cx.claim(&path, row.line, &row_summary(row), ABSENT);
                cx.diff(
                    &path,
                    Some(row.line),
                    row_summary(row),
                    ABSENT.into(),
                    DifferenceKind::Extra,
                );
            }
        }
    }
    let mut named: [BTreeSet<String>; 2] = Default::default();
    for (line, stmt) in &parsed.stmts {
        cx.statement(*line, stmt, &parsed.rows, &ids, &mut named);
    }
    let seen: BTreeSet<&str> = ids.iter().flatten().map(String::as_str).collect();
    for t in &rec.tally.resolutions {
        if !seen.contains(t.id.as_str()) {
            cx.diff(
                &format!("resolutions[id={}]", t.id),
                None,
                ABSENT.into(),
                tally_summary(t),
                DifferenceKind::Missing,
            );
        }
    }
    let mut out = cx.out;
    out.claims.sort_by_key(|c| c.line);
    out.differences
        .sort_by_key(|d| d.line.map_or((1, 0), |l| (0, l)));
    out.unparsed.sort_by_key(|u| u.line);
    out
}

/// The ledger resolution of each row: by number; a single row and a single resolution left
/// unmatched on each side (a resolution printed as "(a)") are paired.
fn map_rows(rows: &[Row], rec: &Recomputed<'_>) -> Vec<Option<String>> {
    let mut ids: Vec<Option<String>> = rows
        .iter()
        .map(|r| {
            rec.tally
                .resolutions
                .iter()
                .find(|t| norm(&t.id) == norm(&r.label))
                .map(|t| t.id.clone())
        })
        .collect();
    let unmatched_rows: Vec<usize> = (0..rows.len()).filter(|&i| ids[i].is_none()).collect();
    let unmatched_ledger: Vec<&ResolutionTally> = rec
        .tally
        .resolutions
        .iter()
        .filter(|t| !ids.iter().flatten().any(|id| *id == t.id))
        .collect();
    // One resolution left on the ledger's side: the only row left, or the first row printed
    // as a paragraph, "(a)", rather than a number.
    if let [t] = unmatched_ledger.as_slice() {
        let row = match unmatched_rows.as_slice() {
            [i] => Some(*i),
            many => many
                .iter()
                .copied()
                .find(|&i| rows[i].label.starts_with('(')),
        };
        if let Some(i) = row {
            ids[i] = Some(t.id.clone());
        }
    }
    ids
}

fn row_summary(row: &Row) -> String {
    let figs = row
        .classes
        .iter()
        .find(|(l, _)| *l == ClassLabel::Total)
        .map(|(_, f)| f)
        .or(row.main.as_ref());
    let cells: Vec<String> = figs
        .map(|f| f.cells.iter().map(cell_text).collect())
        .unwrap_or_default();
    format!("{} {}", row.label, cells.join(" | "))
        .trim()
        .to_owned()
}

fn cell_text(c: &Cell) -> String {
    match (&c.count, &c.pct) {
        (Some(n), Some(p)) => format!("{} ({}%)", n.text, p.printed.text()),
        (Some(n), None) => n.text.clone(),
        (None, Some(p)) => format!("{}%", p.printed.text()),
        (None, None) => String::new(),
    }
}

fn tally_summary(t: &ResolutionTally) -> String {
    format!(
        "for {} ({}%), against {} ({}%), abstain {} ({}%)",
        group_thousands(t.for_),
        t.for_pct,
        group_thousands(t.against),
        t.against_pct,
        group_thousands(t.abstain),
        t.abstain_pct
    )
}

impl Ctx<'_> {
    fn claim(&mut self, path: &str, line: usize, claimed: &str, recomputed: &str) {
        self.out.claims.push(Claim {
            path: path.to_owned(),
            line,
            claimed: claimed.to_owned(),
            recomputed: recomputed.to_owned(),
        });
    }

    fn ok(&mut self, path: &str) {
        if !self.out.matched.iter().any(|m| m == path) {
            self.out.matched.push(path.to_owned());
        }
    }

    fn diff(
        &mut self,
        path: &str,
        line: Option<usize>,
        claimed: String,
        recomputed: String,
        kind: DifferenceKind,
    ) {
        self.out.differences.push(Difference {
            path: path.to_owned(),
            line,
            claimed,
            recomputed,
            kind,
        });
    }

    /// Claims `value` at `path` and records it matched, or different with `kind`.
    fn check(
        &mut self,
        path: &str,
        line: usize,
        claimed: &str,
        recomputed: &str,
        kind: Option<DifferenceKind>,
    ) {
        self.claim(path, line, claimed, recomputed);
        match kind {
            None => self.ok(path),
            Some(k) => self.diff(path, Some(line), claimed.into(), recomputed.into(), k),
        }
    }

    /// The lines `[start, end)` of the section `line` is in, when the text has one section
    /// per sitting (two or more "ATTENDANCE OF THE ..." headings).
    fn section_span(&self, line: usize) -> Option<(usize, usize)> {
        if self.sections.len() < 2 {
            return None;
        }
        let i = self.sections.iter().rposition(|(l, _)| *l <= line)?;
        let end = self.sections.get(i + 1).map_or(usize::MAX, |(l, _)| *l);
        Some((self.sections[i].0, end))
    }

    /// The resolutions of the rows printed in the section `line` is in (`None`: the text
    /// has no sections, every resolution is in scope).
    fn section_ids(&self, line: usize) -> Option<Vec<String>> {
        let (start, end) = self.section_span(line)?;
        Some(
            self.rows
                .iter()
                .filter(|(l, _)| (start..end).contains(l))
                .filter_map(|(_, id)| id.clone())
                .collect(),
        )
    }

    /// The sitting whose attendance the section `line` is in states: a class sitting whose
    /// title the section's heading names, else the general sitting.
    fn sitting_at(&self, line: usize) -> Option<&SittingAttendance> {
        let sittings = &self.rec.tally.sittings;
        let general = || sittings.iter().find(|s| s.class.is_none());
        let Some(i) = self.sections.iter().rposition(|(l, _)| *l <= line) else {
            return general();
        };
        let name = squash(&self.sections[i].1);
        let class = self
            .rec
            .sittings
            .iter()
            .find(|s| !s.title.trim().is_empty() && squash(&s.title) == name)
            .and_then(|s| sittings.iter().find(|a| a.id == s.id.as_str()))
            .filter(|a| a.class.is_some());
        class.or_else(general)
    }

    /// A class sitting's attendance, when `line` is in its section.
    fn class_sitting_at(&self, line: usize) -> Option<SittingAttendance> {
        self.sitting_at(line)
            .filter(|a| a.class.is_some() && self.section_span(line).is_some())
            .cloned()
    }

    fn resolution(&self, id: &str) -> Option<&ResolutionTally> {
        self.rec.tally.resolutions.iter().find(|t| t.id == id)
    }

    /// Votes per share of `class` on resolution `id`.
    fn vps(&self, id: &str, class: &str) -> u128 {
        let over = self
            .rec
            .resolutions
            .iter()
            .find(|r| r.id.as_str() == id)
            .and_then(|r| {
                r.votes_per_share
                    .iter()
                    .find(|w| w.class.as_str() == class)
                    .map(|w| w.votes_per_share)
            });
        let default = self
            .rec
            .classes
            .iter()
            .find(|c| c.id.as_str() == class)
            .map(|c| c.votes_per_share);
        u128::from(over.or(default).unwrap_or(1).max(1))
    }

    /// Votes of resolution `id` as shares, when every class carries the same weight on it.
    fn shares_of(&self, id: &str, votes: u128) -> u128 {
        let weights: BTreeSet<u128> = self
            .rec
            .classes
            .iter()
            .map(|c| self.vps(id, c.id.as_str()))
            .collect();
        match weights.iter().next() {
            Some(&w) if weights.len() == 1 => votes / w,
            _ => votes,
        }
    }

    fn basis(&self, counts: [u128; 3], entitled: u128) -> RowBasis {
        RowBasis {
            counts,
            denominator: self.rec.rules.denominator,
            decimals: u32::from(self.rec.rules.decimals),
            represented: self.rec.tally.represented,
            entitled,
        }
    }

    fn row(&mut self, row: &Row, t: &ResolutionTally) {
        let prefix = format!("resolutions[id={}]", t.id);
        if let Some(k) = row.kind {
            let kind = (k != t.kind).then_some(DifferenceKind::Typo);
            self.check(&format!("{prefix}.kind"), row.line, k, &t.kind, kind);
        }
        let total = row
            .classes
            .iter()
            .find(|(l, _)| *l == ClassLabel::Total)
            .map(|(_, f)| f)
            .or(row.main.as_ref());
        let votes = t.for_ + t.against + t.abstain;
        let shares: u128 = t
            .by_class
            .iter()
            .map(|(c, v)| (v.for_ + v.against + v.abstain) / self.vps(&t.id, c))
            .sum();
        if let Some(f) = total {
            let basis = self.basis([t.for_, t.against, t.abstain], t.entitled);
            self.figures(&prefix, f, &row.columns, &basis, (shares, votes), row.cut);
        }
        let mut printed_classes = BTreeSet::new();
        for (label, f) in &row.classes {
            match label {
                ClassLabel::Total => {}
                ClassLabel::Class(c) => {
                    printed_classes.insert(c.clone());
                    let v = t.by_class.get(c).cloned().unwrap_or_default();
                    let cast = v.for_ + v.against + v.abstain;
                    let basis = self.basis([v.for_, v.against, v.abstain], 0);
                    let trailing = (cast / self.vps(&t.id, c), cast);
                    let p = format!("{prefix}.by_class.{c}");
                    self.figures(&p, f, &row.columns, &basis, trailing, row.cut);
                }
                ClassLabel::Unknown(l) => {
                    let p = format!("{prefix}.by_class.{l}");
                    let cells: Vec<String> = f.cells.iter().map(cell_text).collect();
                    self.claim(&p, f.line, &cells.join(" | "), ABSENT);
                    self.diff(
                        &p,
                        Some(f.line),
                        cells.join(" | "),
                        ABSENT.into(),
                        DifferenceKind::Extra,
                    );
                }
            }
        }
        if !printed_classes.is_empty() && !row.cut {
            for (c, v) in &t.by_class {
                if !printed_classes.contains(c) && v.for_ + v.against + v.abstain > 0 {
                    self.diff(
                        &format!("{prefix}.by_class.{c}"),
                        None,
                        ABSENT.into(),
                        format!(
                            "for {}, against {}, abstain {}",
                            group_thousands(v.for_),
                            group_thousands(v.against),
                            group_thousands(v.abstain)
                        ),
                        DifferenceKind::Missing,
                    );
                }
            }
        }
    }

    /// The cells of one printed row line against `basis`; counts beyond the vote columns are
    /// compared with the shares and the votes cast (`trailing`).
    fn figures(
        &mut self,
        prefix: &str,
        f: &Figures,
        columns: &[Col],
        basis: &RowBasis,
        trailing: (u128, u128),
        cut: bool,
    ) {
        let n = columns.len();
        let mut claimed = ClaimedRow::default();
        for (k, cell) in f.cells.iter().take(n).enumerate() {
            let i = col_index(columns[k]);
            claimed.counts[i] = cell.count.as_ref().map(|c| c.value);
            claimed.pcts[i] = cell.pct.as_ref().map(|p| p.printed.clone());
        }
        let verdict = classify_row(&claimed, basis);
        let any_pct = f.cells.iter().take(n).any(|c| c.pct.is_some());
        for (k, cell) in f.cells.iter().take(n).enumerate() {
            let i = col_index(columns[k]);
            let name = NAMES[i];
            let rec_count = group_thousands(basis.counts[i]);
            let rec_pct = basis.printed(i).text();
            if let Some(c) = &cell.count {
                let path = format!("{prefix}.{name}");
                self.check(&path, f.line, &c.text, &rec_count, verdict[0][i]);
            }
            let path = format!("{prefix}.{name}_pct");
            match &cell.pct {
                Some(p) => {
                    let text = p.printed.text();
                    self.check(&path, f.line, &text, &rec_pct, verdict[1][i]);
                }
                None if any_pct => {
                    self.diff(
                        &path,
                        Some(f.line),
                        ABSENT.into(),
                        rec_pct,
                        DifferenceKind::Missing,
                    );
                }
                None => {}
            }
        }
        if !cut {
            for &c in columns.iter().skip(f.cells.len()) {
                let i = col_index(c);
                self.diff(
                    &format!("{prefix}.{}", NAMES[i]),
                    Some(f.line),
                    ABSENT.into(),
                    format!(
                        "{} ({}%)",
                        group_thousands(basis.counts[i]),
                        basis.printed(i).text()
                    ),
                    DifferenceKind::Missing,
                );
            }
        }
        let (shares, votes) = trailing;
        for (j, cell) in f.cells.iter().skip(n).enumerate() {
            let Some(c) = &cell.count else { continue };
            let path = if c.value == shares && (shares != votes || j == 0) {
                format!("{prefix}.shares_cast")
            } else if c.value == votes {
                format!("{prefix}.votes_cast")
            } else if j == 0 {
                format!("{prefix}.shares_cast")
            } else {
                format!("{prefix}.votes_cast")
            };
            let kind = (c.value != shares && c.value != votes).then_some(DifferenceKind::Typo);
            let rec = format!(
                "{} shares, {} votes",
                group_thousands(shares),
                group_thousands(votes)
            );
            self.check(&path, f.line, &c.text, &rec, kind);
        }
    }

    /// The ledger resolutions a statement is about, and the numbers it names that the ledger
    /// does not have; `None` when it cannot be told.
    fn resolve(
        &self,
        scope: &Scope,
        line: usize,
        rows: &[Row],
        ids: &[Option<String>],
        named: &BTreeSet<String>,
    ) -> Option<(Vec<String>, Vec<String>)> {
        // In a text with one section per sitting, "every resolution" is the section's.
        let section = self.section_ids(line);
        let all: Vec<String> = section.clone().unwrap_or_else(|| {
            self.rec
                .tally
                .resolutions
                .iter()
                .map(|t| t.id.clone())
                .collect()
        });
        if let (Scope::The, Some([one])) = (scope, section.as_deref()) {
            return Some((vec![one.clone()], Vec::new()));
        }
        match scope {
            Scope::All => Some((all, Vec::new())),
            Scope::Others => Some((
                all.into_iter().filter(|id| !named.contains(id)).collect(),
                Vec::new(),
            )),
            Scope::The => {
                let mapped: Vec<&String> = ids.iter().flatten().collect();
                if let [one] = mapped.as_slice() {
                    return Some((vec![(*one).clone()], Vec::new()));
                }
                if let [one] = all.as_slice() {
                    return Some((vec![one.clone()], Vec::new()));
                }
                rows.iter()
                    .zip(ids)
                    .rev()
                    .find(|(r, _)| r.line < line)
                    .and_then(|(_, id)| id.clone())
                    .map(|id| (vec![id], Vec::new()))
            }
            Scope::Ids(list) => {
                let mut found = Vec::new();
                let mut unknown = Vec::new();
                for l in list {
                    match all.iter().find(|id| norm(id) == norm(l)) {
                        Some(id) => found.push(id.clone()),
                        None => unknown.push(l.clone()),
                    }
                }
                Some((found, unknown))
            }
        }
    }

    fn statement(
        &mut self,
        line: usize,
        stmt: &Stmt,
        rows: &[Row],
        ids: &[Option<String>],
        named: &mut [BTreeSet<String>; 2],
    ) {
        let tally = self.rec.tally;
        let decimals = u32::from(self.rec.rules.decimals);
        match stmt {
            Stmt::Entitled {
                count,
                scope,
                meeting_level,
                classes,
            } => {
                let mut targets: Vec<(String, Vec<u128>, u128)> = Vec::new();
                let meeting = match self.class_sitting_at(line) {
                    Some(s) => (
                        format!("sittings[id={}].entitled", s.id),
                        vec![s.entitled],
                        s.entitled,
                    ),
                    None => ("entitled".to_owned(), vec![tally.entitled], tally.entitled),
                };
                let one = self
                    .resolve(scope, line, rows, ids, &BTreeSet::new())
                    .filter(|(found, _)| found.len() == 1)
                    .and_then(|(found, _)| self.resolution(&found[0]).cloned());
                let res = one.map(|t| {
                    (
                        format!("resolutions[id={}].entitled", t.id),
                        vec![t.entitled, self.shares_of(&t.id, t.entitled)],
                        self.shares_of(&t.id, t.entitled),
                    )
                });
                if *meeting_level {
                    targets.push(meeting);
                    targets.extend(res);
                } else {
                    targets.extend(res);
                    targets.push(meeting);
                }
                let hit = targets
                    .iter()
                    .find(|(_, acc, _)| acc.contains(&count.value));
                match hit {
                    Some((path, _, _)) => {
                        let path = path.clone();
                        self.check(&path, line, &count.text, &count.text, None);
                    }
                    None => {
                        let (path, _, shown) = targets[0].clone();
                        let rec = group_thousands(shown);
                        self.check(&path, line, &count.text, &rec, Some(DifferenceKind::Typo));
                    }
                }
                for (label, c) in classes {
                    self.class_figure(line, label, c, "entitled", |a| a.entitled);
                }
            }
            Stmt::Represented {
                count,
                pct,
                holders,
            } => {
                let (prefix, represented, entitled) = match self.class_sitting_at(line) {
                    Some(s) => (format!("sittings[id={}].", s.id), s.represented, s.entitled),
                    None => (String::new(), tally.represented, tally.entitled),
                };
                let kind = (count.value != represented).then_some(DifferenceKind::Typo);
                let rec = group_thousands(represented);
                self.check(
                    &format!("{prefix}represented"),
                    line,
                    &count.text,
                    &rec,
                    kind,
                );
                if let Some(p) = pct {
                    let path = format!("{prefix}represented_pct");
                    self.percent(&path, line, p, represented, entitled, decimals);
                }
                if let Some(h) = holders {
                    self.holders_present(line, h);
                }
            }
            Stmt::ClassRepresented {
                label,
                class,
                count,
                pct,
            } => {
                let Some(c) = class
                    .as_ref()
                    .and_then(|c| tally.classes.iter().find(|x| x.id == *c))
                else {
                    let path = format!("classes[id={label}].represented");
                    self.claim(&path, line, &count.text, ABSENT);
                    self.diff(
                        &path,
                        Some(line),
                        count.text.clone(),
                        ABSENT.into(),
                        DifferenceKind::Extra,
                    );
                    return;
                };
                let (id, represented, entitled) = (c.id.clone(), c.represented, c.entitled);
                let kind = (count.value != represented).then_some(DifferenceKind::Typo);
                let path = format!("classes[id={id}].represented");
                self.check(
                    &path,
                    line,
                    &count.text,
                    &group_thousands(represented),
                    kind,
                );
                if let Some(p) = pct {
                    let path = format!("classes[id={id}].represented_pct");
                    self.percent(&path, line, p, represented, entitled, decimals);
                }
            }
            Stmt::Issued { count } => {
                if count.value == tally.entitled {
                    let rec = group_thousands(tally.entitled);
                    self.check("entitled", line, &count.text, &rec, None);
                } else {
                    // Issued shares include treasury shares, which carry no vote: not compared.
                    self.claim(
                        "issued",
                        line,
                        &count.text,
                        "(not compared: issued shares include treasury shares, which carry no vote)",
                    );
                }
            }
            Stmt::Restricted {
                against_only,
                negative,
                scope,
                count,
                pct,
            } => {
                let k = usize::from(*against_only);
                let field = if *against_only {
                    "against_only"
                } else {
                    "must_abstain"
                };
                let Some((found, unknown)) = self.resolve(scope, line, rows, ids, &named[k]) else {
                    self.out.unparsed.push(Unparsed {
                        line,
                        text: format!("a {field} statement: cannot tell which resolution"),
                    });
                    return;
                };
                for u in unknown {
                    let path = format!("resolutions[id={u}].{field}");
                    let claimed = count
                        .as_ref()
                        .map_or("(stated)".to_owned(), |c| c.text.clone());
                    self.claim(&path, line, &claimed, ABSENT);
                    self.diff(
                        &path,
                        Some(line),
                        claimed,
                        ABSENT.into(),
                        DifferenceKind::Extra,
                    );
                }
                for id in found {
                    let Some(t) = self.resolution(&id).cloned() else {
                        continue;
                    };
                    let votes = if *against_only {
                        t.against_only
                    } else {
                        t.must_abstain
                    };
                    let shares = self.shares_of(&id, votes);
                    let path = format!("resolutions[id={id}].{field}");
                    if *negative {
                        let kind = (votes != 0).then_some(DifferenceKind::Missing);
                        self.check(&path, line, "0", &group_thousands(shares), kind);
                        continue;
                    }
                    named[k].insert(id.clone());
                    match count {
                        Some(c) => {
                            let kind = if c.value == votes || c.value == shares {
                                None
                            } else if votes == 0 {
                                Some(DifferenceKind::Extra)
                            } else {
                                Some(DifferenceKind::Typo)
                            };
                            self.check(&path, line, &c.text, &group_thousands(shares), kind);
                        }
                        None => {
                            let kind = (votes == 0).then_some(DifferenceKind::Extra);
                            let rec = group_thousands(shares);
                            self.check(&path, line, "(stated)", &rec, kind);
                        }
                    }
                    if let Some(p) = pct {
                        let path = format!("resolutions[id={id}].{field}_pct");
                        let places = p.printed.places;
                        self.percent(&path, line, p, shares, tally.entitled, places);
                    }
                }
            }
            Stmt::Passed {
                scope,
                passed,
                kind,
            } => {
                let Some((found, unknown)) = self.resolve(scope, line, rows, ids, &BTreeSet::new())
                else {
                    self.out.unparsed.push(Unparsed {
                        line,
                        text: "a pass statement: cannot tell which resolution".into(),
                    });
                    return;
                };
                for u in unknown {
                    let path = format!("resolutions[id={u}].passed");
                    self.claim(&path, line, &passed.to_string(), ABSENT);
                    self.diff(
                        &path,
                        Some(line),
                        passed.to_string(),
                        ABSENT.into(),
                        DifferenceKind::Extra,
                    );
                }
                for id in found {
                    let Some(t) = self.resolution(&id).cloned() else {
                        continue;
                    };
                    let path = format!("resolutions[id={id}].passed");
                    let k = (t.passed != *passed).then(|| self.pass_kind(&t, *passed));
                    self.check(&path, line, &passed.to_string(), &t.passed.to_string(), k);
                    if let Some(kind) = kind {
                        let k = (*kind != t.kind).then_some(DifferenceKind::Typo);
                        self.check(
                            &format!("resolutions[id={id}].kind"),
                            line,
                            kind,
                            &t.kind,
                            k,
                        );
                    }
                }
            }
            Stmt::Scrutineer { text, not_named } => {
                let ours = self.rec.scrutineer.trim().to_owned();
                let kind = if *not_named {
                    (!ours.is_empty()).then_some(DifferenceKind::Missing)
                } else if ours.is_empty() {
                    Some(DifferenceKind::Extra)
                } else if squash(text).contains(&squash(&ours)) {
                    None
                } else {
                    Some(DifferenceKind::Typo)
                };
                let rec = if ours.is_empty() {
                    ABSENT.to_owned()
                } else {
                    ours
                };
                self.check("scrutineer", line, text, &rec, kind);
            }
        }
    }

    /// The holders present at the sitting whose section `line` is in
    /// (`sittings[id=ID].holders_present`).
    fn holders_present(&mut self, line: usize, h: &crate::parse::Count) {
        let Some(s) = self.sitting_at(line).cloned() else {
            let path = "sittings.holders_present";
            self.claim(path, line, &h.text, ABSENT);
            self.diff(
                path,
                Some(line),
                h.text.clone(),
                ABSENT.into(),
                DifferenceKind::Extra,
            );
            return;
        };
        let path = format!("sittings[id={}].holders_present", s.id);
        let kind = (u128::from(s.holders_present) != h.value).then_some(DifferenceKind::Typo);
        let rec = s.holders_present.to_string();
        self.check(&path, line, &h.text, &rec, kind);
    }

    /// A per-class attendance figure (`classes[id=A].entitled`).
    fn class_figure(
        &mut self,
        line: usize,
        label: &str,
        c: &crate::parse::Count,
        field: &str,
        get: impl Fn(&scrutin_tally::ClassAttendance) -> u128,
    ) {
        let class = class_of(label, &self.hints);
        let found = class
            .as_ref()
            .and_then(|id| self.rec.tally.classes.iter().find(|x| x.id == *id));
        match found {
            Some(a) => {
                let v = get(a);
                let path = format!("classes[id={}].{field}", a.id);
                let kind = (v != c.value).then_some(DifferenceKind::Typo);
                self.check(&path, line, &c.text, &group_thousands(v), kind);
            }
            None => {
                let path = format!("classes[id={label}].{field}");
                self.claim(&path, line, &c.text, ABSENT);
                self.diff(
                    &path,
                    Some(line),
                    c.text.clone(),
                    ABSENT.into(),
                    DifferenceKind::Extra,
                );
            }
        }
    }

    /// A percentage of prose (`represented_pct`) against `num / den` at `decimals`.
    fn percent(
        &mut self,
        path: &str,
        line: usize,
        p: &crate::parse::Pct,
        num: u128,
        den: u128,
        decimals: u32,
    ) {
        let rec = Printed {
            mantissa: half_up(num, den, decimals).unwrap_or(0),
            places: decimals,
        };
        let kind = classify_percent(
            &p.printed,
            &PercentContext {
                num,
                den,
                decimals,
                other_dens: &[],
                row_forced: false,
            },
        );
        self.check(path, line, &p.printed.text(), &rec.text(), kind);
    }

    /// Why a pass statement differs: the outcome under the other denominator, or a typo.
    fn pass_kind(&self, t: &ResolutionTally, claimed: bool) -> DifferenceKind {
        let rules = self.rec.rules;
        let threshold = if t.kind == "ordinary" {
            rules.ordinary
        } else {
            rules.special
        };
        let other = match rules.denominator {
            Denominator::ForAgainst => t.for_ + t.against + t.abstain,
            Denominator::ForAgainstAbstain => t.for_ + t.against,
        };
        if threshold.is_met(t.for_, other) == claimed {
            DifferenceKind::Denominator
        } else {
            DifferenceKind::Typo
        }
    }
}

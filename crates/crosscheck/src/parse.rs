//! Reading an announcement's text into rows (the results table) and statements (attendance,
//! abstentions, pass statements, the scrutineer). Nothing is compared here.

use crate::classify::Printed;
use crate::text::{
    is_grouped_count, normalise, parse_count, parse_percent, squash, tokens, words, Token,
};
use crate::Unparsed;

/// A column of the results table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    For,
    Against,
    Abstain,
}

/// A count as read, with its text.
#[derive(Debug, Clone)]
pub(crate) struct Count {
    pub(crate) value: u128,
    pub(crate) text: String,
}

/// A percentage as read, with its text.
#[derive(Debug, Clone)]
pub(crate) struct Pct {
    pub(crate) printed: Printed,
}

/// One cell of the table: `516,237,845 (99.9955%)`, a count alone or a percentage alone.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cell {
    pub(crate) count: Option<Count>,
    pub(crate) pct: Option<Pct>,
}

/// Figures of one printed line of a row.
#[derive(Debug, Clone, Default)]
pub(crate) struct Figures {
    pub(crate) line: usize,
    pub(crate) cells: Vec<Cell>,
}

/// What a per-class line of a row names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ClassLabel {
    /// A class of the meeting (its id).
    Class(String),
    /// The total row.
    Total,
    /// A class the meeting does not have (the label as printed).
    Unknown(String),
}

/// A resolution's row of the results table.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) line: usize,
    pub(crate) label: String,
    pub(crate) title: String,
    pub(crate) kind: Option<&'static str>,
    pub(crate) columns: Vec<Col>,
    pub(crate) main: Option<Figures>,
    pub(crate) classes: Vec<(ClassLabel, Figures)>,
    pub(crate) cut: bool,
}

impl Row {
    fn has_figures(&self) -> bool {
        self.main.is_some() || !self.classes.is_empty()
    }
}

/// Which resolutions a statement is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every resolution.
    All,
    /// Every resolution not named by an earlier statement of the same kind.
    Others,
    /// "the resolution": the only one, or the last row before the statement.
    The,
    /// Resolutions named by number.
    Ids(Vec<String>),
}

/// A statement of the announcement's prose.
#[derive(Debug, Clone)]
pub(crate) enum Stmt {
    Entitled {
        count: Count,
        scope: Scope,
        meeting_level: bool,
        classes: Vec<(String, Count)>,
    },
    Represented {
        count: Count,
        pct: Option<Pct>,
        /// "A total of 56 Shareholders (...) holding ...": the holders present.
        holders: Option<Count>,
    },
    ClassRepresented {
        label: String,
        class: Option<String>,
        count: Count,
        pct: Option<Pct>,
    },
    Issued {
        count: Count,
    },
    Restricted {
        against_only: bool,
        negative: bool,
        scope: Scope,
        count: Option<Count>,
        pct: Option<Pct>,
    },
    Passed {
        scope: Scope,
        passed: bool,
        kind: Option<&'static str>,
    },
    Scrutineer {
        text: String,
        not_named: bool,
    },
}

/// What was read from the text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Parsed {
    /// Sections of the text, one per sitting: the line of each "ATTENDANCE OF THE X" heading
    /// and X as printed.
    pub(crate) sections: Vec<(usize, String)>,
    pub(crate) rows: Vec<Row>,
    pub(crate) stmts: Vec<(usize, Stmt)>,
    pub(crate) unparsed: Vec<Unparsed>,
}

/// A share class as the parser needs it: id and name.
#[derive(Debug, Clone)]
pub(crate) struct ClassHint {
    pub(crate) id: String,
    pub(crate) name: String,
}

const DEFAULT_COLUMNS: [Col; 3] = [Col::For, Col::Against, Col::Abstain];

struct State<'a> {
    hints: &'a [ClassHint],
    columns: Vec<Col>,
    /// Whether a header named the columns (else each row's figures do).
    header_seen: bool,
    kind: Option<&'static str>,
    table: bool,
    pending: Option<Row>,
    paragraph: Vec<(usize, String)>,
    out: Parsed,
}

pub(crate) fn parse(text: &str, hints: &[ClassHint]) -> Parsed {
    let mut st = State {
        hints,
        columns: DEFAULT_COLUMNS.to_vec(),
        header_seen: false,
        kind: None,
        table: false,
        pending: None,
        paragraph: Vec::new(),
        out: Parsed::default(),
    };
    for (i, raw) in text.lines().enumerate() {
        st.line(i + 1, &normalise(raw));
    }
    st.flush();
    st.end_paragraph();
    st.out
}

impl State<'_> {
    fn unparsed(&mut self, line: usize, text: &str) {
        self.out.unparsed.push(Unparsed {
            line,
            text: text.trim().to_owned(),
        });
    }

    fn flush(&mut self) {
        if let Some(row) = self.pending.take() {
            if row.has_figures() {
                self.out.rows.push(row);
            } else {
                let text = format!("{} {}", row.label, row.title);
                self.unparsed(row.line, &format!("{text} (no figures read)"));
            }
        }
    }

    fn end_paragraph(&mut self) {
        let para = std::mem::take(&mut self.paragraph);
        if para.is_empty() {
            return;
        }
        let mut joined = String::new();
        let mut starts = Vec::new();
        for (n, text) in &para {
            if !joined.is_empty() {
                joined.push(' ');
            }
            starts.push((joined.len(), *n));
            joined.push_str(text.trim());
        }
        for (offset, sentence) in sentences(&joined) {
            let line = starts
                .iter()
                .rev()
                .find(|(o, _)| *o <= offset)
                .map_or(para[0].0, |(_, n)| *n);
            match statement(&sentence, self.hints) {
                Some(Reading::Stmts(list)) => {
                    for s in list {
                        self.out.stmts.push((line, s));
                    }
                }
                Some(Reading::Unread) => self.unparsed(line, &sentence),
                None => {}
            }
        }
    }

    fn line(&mut self, n: usize, line: &str) {
        if line.trim().is_empty() {
            self.end_paragraph();
            return;
        }
        let mut toks = tokens(line);
        let cut = toks
            .last()
            .is_some_and(|t| t.text == "..." || t.text == "…");
        if cut {
            toks.pop();
        }
        let (lead, figures) = split_figures(&toks);
        let lead_text = lead
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let label = parse_label(lead);
        if figures.is_empty() {
            if let Some(name) = section_heading(&lead_text) {
                self.flush();
                self.end_paragraph();
                self.table = false;
                self.out.sections.push((n, name));
                return;
            }
            let header_kind = kind_header(lead);
            let columns = column_header(lead);
            if header_kind.is_some() || columns.is_some() {
                self.flush();
                self.end_paragraph();
                if let Some(k) = header_kind {
                    self.kind = k;
                }
                if let Some(c) = columns {
                    self.columns = c;
                    self.header_seen = true;
                }
                self.table = true;
                return;
            }
            if let Some((label, rest)) = &label {
                if self.table && self.accepts(label) {
                    self.flush();
                    self.end_paragraph();
                    self.start_row(n, label, rest, None, cut);
                    return;
                }
            }
            if let Some(p) = self.pending.as_mut() {
                if !p.has_figures() {
                    p.title.push(' ');
                    p.title.push_str(&lead_text);
                    p.cut |= cut;
                    return;
                }
            }
            self.flush();
            self.table = false;
            self.paragraph.push((n, line.to_owned()));
            return;
        }
        let figs = Figures {
            line: n,
            cells: figures,
        };
        if let Some((label, rest)) = &label {
            if self.accepts(label) {
                self.flush();
                self.end_paragraph();
                self.start_row(n, label, rest, Some(figs), cut);
                self.table = true;
                return;
            }
        }
        let class = self.class_label(lead);
        let cols = self.columns.len();
        if let Some(p) = self.pending.as_mut() {
            if let Some(c) = class {
                if p.main.is_none() {
                    p.classes.push((c, figs));
                    p.cut |= cut;
                    if cut {
                        self.unparsed(n, line);
                    }
                    return;
                }
            } else if !p.has_figures() {
                p.title.push(' ');
                p.title.push_str(&lead_text);
                p.main = Some(figs);
                p.cut |= cut;
                if cut {
                    self.unparsed(n, line);
                }
                return;
            } else if lead.is_empty() {
                let target = match p.classes.last_mut() {
                    Some((_, f)) => Some(f),
                    None => p.main.as_mut(),
                };
                if let Some(f) = target {
                    if f.cells.len() < cols {
                        f.cells.extend(figs.cells);
                        return;
                    }
                }
            }
        }
        if !self.table && words(&lead_text).len() > 3 {
            // A sentence that happens to end on a figure.
            self.flush();
            self.paragraph.push((n, line.to_owned()));
            return;
        }
        self.flush();
        self.end_paragraph();
        self.unparsed(n, line);
    }

    /// Whether `label` starts a new row here (and not a title line that starts with a number).
    fn accepts(&self, label: &str) -> bool {
        match &self.pending {
            None => true,
            Some(p) if p.has_figures() => true,
            Some(p) => successor(&p.label, label),
        }
    }

    fn start_row(&mut self, n: usize, label: &str, rest: &str, figs: Option<Figures>, cut: bool) {
        let lower = rest.to_lowercase();
        let kind = if lower.contains("as an ordinary resolution") {
            Some("ordinary")
        } else if lower.contains("as a special resolution") {
            Some("special")
        } else {
            self.kind
        };
        if cut && figs.is_some() {
            self.unparsed(n, &format!("{label} {rest} ... (the row is cut short)"));
        }
        let columns = if self.header_seen {
            self.columns.clone()
        } else {
            // No header: the vote columns are the cells up to the last with a percentage.
            let k = figs.as_ref().map_or(3, |f| {
                f.cells
                    .iter()
                    .rposition(|c| c.pct.is_some())
                    .map_or(f.cells.len(), |i| i + 1)
            });
            DEFAULT_COLUMNS[..k.clamp(1, 3)].to_vec()
        };
        self.pending = Some(Row {
            line: n,
            label: label.to_owned(),
            title: rest.to_owned(),
            kind,
            columns,
            main: figs,
            classes: Vec::new(),
            cut,
        });
    }

    fn class_label(&self, lead: &[Token]) -> Option<ClassLabel> {
        let text = lead
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let w = words(&text);
        if w.is_empty() || w.len() > 8 {
            return None;
        }
        if w[0] == "total" {
            return Some(ClassLabel::Total);
        }
        class_of(&text, self.hints)
            .map(ClassLabel::Class)
            .or_else(|| {
                let shares = w.iter().any(|x| x.starts_with("share") || x == "class");
                let pending_classes = self.pending.as_ref().is_some_and(|p| !p.classes.is_empty());
                (shares && pending_classes).then(|| ClassLabel::Unknown(text.trim().to_owned()))
            })
    }
}

/// The class a label names: its name exactly, or its id as a word beside "shares"/"class".
pub(crate) fn class_of(label: &str, hints: &[ClassHint]) -> Option<String> {
    let sq = squash(label);
    if let Some(h) = hints.iter().find(|h| squash(&h.name) == sq) {
        return Some(h.id.clone());
    }
    let w = words(label);
    if !w.iter().any(|x| x.starts_with("share") || x == "class") {
        return None;
    }
    let found: Vec<&ClassHint> = hints
        .iter()
        .filter(|h| w.contains(&h.id.to_lowercase()))
        .collect();
    match found.as_slice() {
        [one] => Some(one.id.clone()),
        _ => None,
    }
}

/// Whether `next` follows `prev` (`2` after `1`, `(b)` after `(a)`, `2(b)` after `2(a)`).
fn successor(prev: &str, next: &str) -> bool {
    let num = |s: &str| -> Option<u32> {
        s.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok()
    };
    match (num(prev), num(next)) {
        (Some(a), Some(b)) => b == a + 1 || (b == a && prev != next),
        (None, None) => {
            let l = |s: &str| s.chars().find(char::is_ascii_alphabetic).map(u32::from);
            matches!((l(prev), l(next)), (Some(a), Some(b)) if b == a + 1)
        }
        _ => false,
    }
}

/// A resolution's number at the start of a line: `1.`, `1`, `2(a)`, `2 (a)`, `(a)`.
/// Returns the label (without the final dot or spaces) and the rest of the line.
fn parse_label(lead: &[Token]) -> Option<(String, String)> {
    let first = lead.first()?;
    let t = first.text.trim_end_matches(['.', ':']);
    let is_num = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    let is_sub = |s: &str| {
        s.strip_prefix('(')
            .and_then(|x| x.strip_suffix(')'))
            .is_some_and(|x| {
                !x.is_empty() && x.len() <= 4 && x.chars().all(|c| c.is_ascii_lowercase())
            })
    };
    let rest_from = |i: usize| {
        lead[i..]
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    if is_num(t) {
        if let Some(second) = lead.get(1) {
            let s = second.text.trim_end_matches(['.', ':']);
            if is_sub(s) {
                return Some((format!("{t}{s}"), rest_from(2)));
            }
        }
        return Some((t.to_owned(), rest_from(1)));
    }
    if let Some(open) = t.find('(') {
        if open > 0 && is_num(&t[..open]) && is_sub(&t[open..]) {
            return Some((t.to_owned(), rest_from(1)));
        }
    }
    if is_sub(t) {
        return Some((t.to_owned(), rest_from(1)));
    }
    None
}

/// The sitting an "ATTENDANCE OF THE H SHAREHOLDERS' CLASS MEETING" heading starts the
/// section of (as printed); `None` for any other line.
fn section_heading(line: &str) -> Option<String> {
    const HEAD: &str = "attendance of the ";
    let t = line.trim();
    let head = t.get(..HEAD.len())?;
    (head.eq_ignore_ascii_case(HEAD) && t.len() > HEAD.len() && t.len() < 120)
        .then(|| t[HEAD.len()..].trim().to_owned())
}

/// "A total of 56 Shareholders ...": the holders counted, and the index of the word after
/// the count (its figure is not a share count).
fn holders_lead(ws: &[String]) -> Option<(Count, usize)> {
    let lead: Vec<String> = ws.iter().take(3).map(|w| w.to_lowercase()).collect();
    if lead != ["a", "total", "of"] {
        return None;
    }
    let w = ws.get(3)?;
    let value = parse_count(w)?;
    ws.get(4)?
        .to_lowercase()
        .starts_with("shareholder")
        .then(|| {
            (
                Count {
                    value,
                    text: w.clone(),
                },
                4,
            )
        })
}

/// `Some(kind)` for a heading such as `ORDINARY RESOLUTIONS` or `Resolutions` (generic: kind
/// `None`); the heading is the first column and at most four words.
fn kind_header(lead: &[Token]) -> Option<Option<&'static str>> {
    let mut first = Vec::new();
    for (i, t) in lead.iter().enumerate() {
        if i > 0 && t.column_start {
            break;
        }
        first.push(t.text.as_str());
    }
    let w = words(&first.join(" "));
    if w.is_empty() || w.len() > 4 {
        return None;
    }
    let last = w.last()?.as_str();
    if !(last == "resolution" || last == "resolutions" || last == "resolution(s)") {
        return None;
    }
    let kind = match w[0].as_str() {
        "ordinary" => Some("ordinary"),
        "special" => Some("special"),
        "cumulative" => Some("cumulative"),
        _ => None,
    };
    if w.len() > 1 && kind.is_none() {
        // "Number of resolutions" and the like are not headings.
        return None;
    }
    Some(kind)
}

/// The vote columns of a header line (`FOR AGAINST ABSTAIN`), in their printed order.
fn column_header(lead: &[Token]) -> Option<Vec<Col>> {
    let text = lead
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let w = words(&text);
    let columns = lead.iter().skip(1).filter(|t| t.column_start).count();
    if w.len() > 40 || (w.len() > 12 && columns < 2) {
        return None;
    }
    let pos = |names: &[&str]| w.iter().position(|x| names.contains(&x.as_str()));
    let f = pos(&["for"])?;
    let a = pos(&["against"])?;
    let b = pos(&["abstain", "abstained", "abstention", "abstentions"]);
    let mut cols = vec![(f, Col::For), (a, Col::Against)];
    if let Some(b) = b {
        cols.push((b, Col::Abstain));
    }
    cols.sort_by_key(|(i, _)| *i);
    Some(cols.into_iter().map(|(_, c)| c).collect())
}

fn is_approx(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "approximately" | "approx." | "approx" | "about"
    )
}

/// A token that is a percentage: in brackets, or bare with `%` or a decimal point.
fn token_pct(t: &str) -> Option<Printed> {
    let bracketed = t.starts_with('(');
    let (p, sign) = parse_percent(t)?;
    (bracketed || sign || t.contains('.')).then_some(p)
}

/// Splits a line into its leading text and the cells of figures that end it.
fn split_figures(toks: &[Token]) -> (&[Token], Vec<Cell>) {
    let is_fig = |t: &Token| {
        parse_count(&t.text).is_some() || token_pct(&t.text).is_some() || is_approx(&t.text)
    };
    let mut s = toks.len();
    while s > 0 && is_fig(&toks[s - 1]) {
        s -= 1;
    }
    if s == toks.len() {
        return (toks, Vec::new());
    }
    // A title ending in a number ("... for 2021<TAB>1,000 (50%)"): the figures start a column.
    if s > 0 && !toks[s].column_start {
        if let Some(k) = (s..toks.len()).find(|&k| toks[k].column_start) {
            s = k;
        } else if toks
            .iter()
            .any(|t| t.column_start && !std::ptr::eq(t, &toks[0]))
        {
            // Columns are separated on this line but no column holds only figures.
            return (toks, Vec::new());
        }
    }
    let mut cells: Vec<Cell> = Vec::new();
    let mut i = s;
    while i < toks.len() {
        let t = &toks[i].text;
        if is_approx(t) {
            i += 1;
            continue;
        }
        if let Some(value) = parse_count(t) {
            let mut cell = Cell {
                count: Some(Count {
                    value,
                    text: t.clone(),
                }),
                pct: None,
            };
            let mut j = i + 1;
            while j < toks.len() && is_approx(&toks[j].text) {
                j += 1;
            }
            if let Some(next) = toks.get(j) {
                let bracketed = next.text.starts_with('(');
                if let Some(p) = token_pct(&next.text) {
                    if bracketed || !next.column_start {
                        cell.pct = Some(Pct { printed: p });
                        i = j;
                    }
                }
            }
            cells.push(cell);
        } else if let Some(p) = token_pct(t) {
            cells.push(Cell {
                count: None,
                pct: Some(Pct { printed: p }),
            });
        }
        i += 1;
    }
    // A lone bare number ("... for 2021") is a title's, not a figure.
    let lone_bare =
        matches!(cells.as_slice(), [Cell { count: Some(c), pct: None }] if !c.text.contains(','));
    if cells.is_empty() || lone_bare {
        return (toks, Vec::new());
    }
    (&toks[..s], cells)
}

/// Splits a paragraph into sentences, with the byte offset of each: at `.`, `!` or `?`
/// followed by a space and a capital or a quote, except after abbreviations (`Mr.`, `No.`,
/// `Co.`, `Ltd.`, `i.e.`).
fn sentences(p: &str) -> Vec<(usize, String)> {
    const ABBREV: [&str; 16] = [
        "mr", "ms", "mrs", "dr", "no", "nos", "co", "ltd", "inc", "i.e", "e.g", "st", "messrs",
        "jr", "approx", "corp",
    ];
    let mut out = Vec::new();
    let bytes = p.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b'.' | b'!' | b'?')
            && bytes.get(i + 1) == Some(&b' ')
            && bytes
                .get(i + 2)
                .is_some_and(|c| c.is_ascii_uppercase() || *c == b'"' || *c == b'\'')
        {
            let word_start = p[..i].rfind(' ').map_or(0, |x| x + 1);
            let word = p[word_start..i]
                .trim_start_matches(['(', '"', '\''])
                .to_ascii_lowercase();
            if !(ABBREV.contains(&word.as_str()) || (word.len() == 1 && b == b'.')) {
                out.push((start, p[start..=i].trim().to_owned()));
                start = i + 2;
            }
        }
        i += 1;
    }
    if start < p.len() && !p[start..].trim().is_empty() {
        out.push((start, p[start..].trim().to_owned()));
    }
    out
}

enum Reading {
    Stmts(Vec<Stmt>),
    Unread,
}

/// A figure in a sentence.
#[derive(Debug, Clone)]
enum Fig {
    Count(Count),
    Pct(Pct),
}

/// The figures of a sentence, each with the index of the word that follows it.
fn figures(sentence: &str) -> (Vec<String>, Vec<(usize, Fig)>) {
    let ws: Vec<String> = sentence
        .split_whitespace()
        .map(|w| {
            w.trim_start_matches(['(', '"', '\'', '['])
                .trim_end_matches([',', '.', ')', ';', ':', '"', '\'', ']'])
                .to_owned()
        })
        .collect();
    let mut figs = Vec::new();
    for (i, w) in ws.iter().enumerate() {
        let next = ws.get(i + 1).map(|x| x.to_lowercase()).unwrap_or_default();
        let unit = next.starts_with("share") || next.starts_with("vote");
        if is_grouped_count(w) || (unit && w.len() >= 4 && parse_count(w).is_some()) {
            if let Some(value) = parse_count(w) {
                figs.push((
                    i + 1,
                    Fig::Count(Count {
                        value,
                        text: w.clone(),
                    }),
                ));
            }
        } else if w.ends_with('%') {
            if let Some((p, _)) = parse_percent(w) {
                figs.push((i + 1, Fig::Pct(Pct { printed: p })));
            }
        }
    }
    (ws, figs)
}

fn first_count(figs: &[(usize, Fig)]) -> Option<Count> {
    figs.iter().find_map(|(_, f)| match f {
        Fig::Count(c) => Some(c.clone()),
        Fig::Pct(_) => None,
    })
}

fn first_pct(figs: &[(usize, Fig)]) -> Option<Pct> {
    figs.iter().find_map(|(_, f)| match f {
        Fig::Pct(p) => Some(p.clone()),
        Fig::Count(_) => None,
    })
}

fn statement(sentence: &str, hints: &[ClassHint]) -> Option<Reading> {
    let l = squash(sentence);
    let (ws, figs) = figures(sentence);
    let has = |s: &str| l.contains(s);
    let negative = l.starts_with("no ")
        || has("no shareholder")
        || has("no other shareholder")
        || has("none of the shareholders")
        || has("no holder");
    if has("13.40") {
        return Some(Reading::Stmts(vec![Stmt::Restricted {
            against_only: true,
            negative: negative && first_count(&figs).is_none(),
            scope: scope(&l, !negative),
            count: first_count(&figs),
            pct: first_pct(&figs),
        }]));
    }
    if has("abstain") && (has("required") || has("must ")) && !has("intention") {
        let count = first_count(&figs);
        return Some(Reading::Stmts(vec![Stmt::Restricted {
            against_only: false,
            negative: negative && count.is_none(),
            scope: scope(&l, !negative),
            count,
            pct: first_pct(&figs),
        }]));
    }
    if let Some(passed) = pass_verb(&l) {
        let kind = if has("ordinary resolution") && !has("special resolution") {
            Some("ordinary")
        } else if has("special resolution") && !has("ordinary resolution") {
            Some("special")
        } else {
            None
        };
        return Some(Reading::Stmts(vec![Stmt::Passed {
            scope: scope(&l, true),
            passed,
            kind,
        }]));
    }
    if (has("entitling") || has("entitled to attend and vote")) && first_count(&figs).is_some() {
        let count = first_count(&figs)?;
        let mut classes = Vec::new();
        if let Some(inc) = ws.iter().position(|w| w.eq_ignore_ascii_case("including")) {
            for (next, f) in figs.iter().filter(|(n, _)| *n > inc) {
                if let Fig::Count(c) = f {
                    classes.push((class_words(&ws, *next), c.clone()));
                }
            }
        }
        let sc = scope(&l, true);
        let meeting_level = has("proposed at") || sc == Scope::All;
        return Some(Reading::Stmts(vec![Stmt::Entitled {
            count,
            scope: sc,
            meeting_level,
            classes,
        }]));
    }
    if l.starts_with("by class") && first_count(&figs).is_some() {
        let mut out = Vec::new();
        for (k, (next, f)) in figs.iter().enumerate() {
            if let Fig::Count(c) = f {
                let pct = figs[k + 1..].iter().take(1).find_map(|(_, g)| match g {
                    Fig::Pct(p) => Some(p.clone()),
                    Fig::Count(_) => None,
                });
                let label = class_words(&ws, *next);
                out.push(Stmt::ClassRepresented {
                    class: class_of(&label, hints),
                    label,
                    count: c.clone(),
                    pct,
                });
            }
        }
        return Some(Reading::Stmts(out));
    }
    if has("represent") && (has("attend") || has("present")) {
        let holders = holders_lead(&ws);
        let shares: Vec<(usize, Fig)> = match &holders {
            Some((_, after)) => figs.iter().filter(|(n, _)| n != after).cloned().collect(),
            None => figs.clone(),
        };
        if let Some(count) = first_count(&shares) {
            return Some(Reading::Stmts(vec![Stmt::Represented {
                count,
                pct: first_pct(&shares),
                holders: holders.map(|(c, _)| c),
            }]));
        }
    }
    if has("issued") && !figs.is_empty() {
        if let Some(count) = first_count(&figs) {
            return Some(Reading::Stmts(vec![Stmt::Issued { count }]));
        }
    }
    if has("scrutineer") && ws.len() > 3 {
        return Some(Reading::Stmts(vec![Stmt::Scrutineer {
            text: sentence.trim().to_owned(),
            not_named: has("not named") || has("no scrutineer"),
        }]));
    }
    (!figs.is_empty()).then_some(Reading::Unread)
}

/// The words after a count up to and including "shares" (`A shares`, `Class Z Ordinary Shares`).
fn class_words(ws: &[String], from: usize) -> String {
    let mut out = Vec::new();
    for w in ws.iter().skip(from).take(6) {
        out.push(w.as_str());
        if w.to_lowercase().starts_with("share") {
            break;
        }
    }
    out.join(" ")
}

/// `Some(true)` for "was passed", "were duly approved"; `Some(false)` for "was not passed";
/// `None` when the sentence states no outcome.
fn pass_verb(l: &str) -> Option<bool> {
    const NEG: [&str; 9] = [
        "not passed",
        "not duly passed",
        "not been passed",
        "not approved",
        "not carried",
        "failed to pass",
        "was rejected",
        "were rejected",
        "was defeated",
    ];
    const POS: [&str; 10] = [
        "was passed",
        "were passed",
        "been passed",
        "duly passed",
        "was approved",
        "were approved",
        "been approved",
        "duly approved",
        "was carried",
        "were carried",
    ];
    if NEG.iter().any(|n| l.contains(n)) {
        Some(false)
    } else if POS.iter().any(|p| l.contains(p)) || l.ends_with(" passed") {
        Some(true)
    } else {
        None
    }
}

/// Which resolutions a sentence is about: "resolution 1", "resolutions numbered 1 to 3, 5 and
/// 7 to 9", "any other resolution", "the resolution". `specific`: a statement about named
/// holders (default "the resolution"); otherwise a denial (default every resolution).
fn scope(l: &str, specific: bool) -> Scope {
    let ws: Vec<&str> = l.split_whitespace().collect();
    for (i, w) in ws.iter().enumerate() {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if w != "resolution" && w != "resolutions" {
            continue;
        }
        let mut ids = Vec::new();
        let mut range = false;
        for t in &ws[i + 1..] {
            let t = t.trim_end_matches([',', '.', ':', ';']);
            let t = t.trim_start_matches(['(', '"']);
            let t = if t.contains('(') {
                t
            } else {
                t.trim_end_matches(')')
            };
            match t {
                "no" | "nos" | "no." | "nos." | "numbered" | "number" | "numbers" => continue,
                "and" | "&" => continue,
                "to" | "-" => {
                    range = true;
                    continue;
                }
                _ => {}
            }
            let digits = t.chars().take_while(char::is_ascii_digit).count();
            if digits == 0 || digits > 3 {
                break;
            }
            let label = t.replace(' ', "");
            if range {
                if let (Some(Ok(a)), Ok(b)) = (
                    ids.last().map(|x: &String| x.parse::<u32>()),
                    label.parse::<u32>(),
                ) {
                    for k in a + 1..=b.min(a + 200) {
                        ids.push(k.to_string());
                    }
                }
                range = false;
            } else {
                ids.push(label);
            }
        }
        if !ids.is_empty() {
            return Scope::Ids(ids);
        }
    }
    let others = ["other resolution", "other resolutions"];
    if others.iter().any(|o| l.contains(o)) {
        return Scope::Others;
    }
    let all = [
        "any resolution",
        "all resolutions",
        "all the resolutions",
        "all of the resolutions",
        "each of the resolutions",
        "each resolution",
        "the above resolutions",
        "the resolutions",
        "any of the resolutions",
    ];
    if all.iter().any(|a| l.contains(a)) {
        return Scope::All;
    }
    let the = [
        "the resolution",
        "the above resolution",
        "this resolution",
        "such resolution",
    ];
    if the.iter().any(|a| l.contains(a)) || specific {
        return Scope::The;
    }
    Scope::All
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_but_not_after_abbreviations() {
        let s =
            sentences("As at the date, Mr. Chen held 1,000 Shares. The total was 2,000 Shares.");
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(s[0].1.starts_with("As at"));
        assert_eq!(s[1].0, 44);
    }

    #[test]
    fn scopes() {
        assert_eq!(
            scope("for resolutions numbered 1 to 3, 5 and 7 to 9 above", true),
            Scope::Ids(
                ["1", "2", "3", "5", "7", "8", "9"]
                    .map(String::from)
                    .to_vec()
            )
        );
        assert_eq!(scope("on any other resolution", false), Scope::Others);
        assert_eq!(scope("on any resolution proposed", false), Scope::All);
        assert_eq!(scope("the above resolution is", true), Scope::The);
        assert_eq!(
            scope("on resolution 2(a).", true),
            Scope::Ids(vec!["2(a)".into()])
        );
    }
}

//! The four CSV interchange files (DESIGN.md) -> events, each remembering the line and the
//! columns it came from so a refusal can name `FILE:LINE:COLUMN`.

use std::collections::BTreeMap;
use std::io::Read;

use scrutin_model::{
    Allocation, Ballot, CandidateId, Choice, ClassId, Event, HolderId, Instruction, ProxyId,
    ProxyInstruction, ProxyLodged, ResolutionId, Restriction, Shares, UtcMillis, Voter, Votes,
};

use crate::error::CliError;

/// Which CSV file is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CsvKind {
    /// `holder,name,class,shares`
    Register,
    /// `holder,resolution,restriction,reason`
    Abstentions,
    /// `proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain`
    Proxies,
    /// `voter,resolution,for,against,abstain` or `voter,resolution,candidate,votes`
    Ballots,
}

/// Where an event came from: its first CSV line and the columns of its parts (1-based; 0 when
/// the file has no such column).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) line: u64,
    who: u32,
    resolution: u32,
    class: u32,
    amount: u32,
}

impl Origin {
    /// The column a broken rule most likely concerns, from its stable code.
    pub(crate) fn column_for(&self, rule: &str) -> u32 {
        let pick = if rule.contains("resolution") || rule.contains("poll") {
            self.resolution
        } else if rule.contains("class") {
            self.class
        } else if rule.contains("holder")
            || rule.contains("voter")
            || rule.contains("proxy")
            || rule.contains("unauthori")
            || rule.contains("attend")
            || rule.contains("duplicate")
            || rule.contains("register")
        {
            self.who
        } else {
            self.amount
        };
        if pick == 0 {
            self.who.max(1)
        } else {
            pick
        }
    }
}

/// The events of one file, with their origins (same length, same order).
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub(crate) events: Vec<Event>,
    pub(crate) origins: Vec<Origin>,
}

/// Column indices (0-based) by header name.
struct Header {
    names: BTreeMap<String, usize>,
}

impl Header {
    fn get(&self, name: &str) -> Option<usize> {
        self.names.get(name).copied()
    }

    fn require(&self, file: &str, name: &str) -> Result<usize, CliError> {
        self.get(name).ok_or_else(|| {
            let have: Vec<&str> = self.names.keys().map(String::as_str).collect();
            CliError::Usage(format!(
                "{file}:1:1: missing-column: the header has no `{name}` column (it has: {})",
                have.join(",")
            ))
        })
    }
}

fn col(i: Option<usize>) -> u32 {
    i.map_or(0, |i| u32::try_from(i + 1).unwrap_or(u32::MAX))
}

/// One data row with its line number, for field access with positioned errors.
struct Row<'a> {
    file: &'a str,
    line: u64,
    rec: &'a csv::StringRecord,
}

impl Row<'_> {
    fn err(&self, idx: usize, rule: &str, msg: impl std::fmt::Display) -> CliError {
        CliError::Usage(format!(
            "{}:{}:{}: {rule}: {msg}",
            self.file,
            self.line,
            idx + 1
        ))
    }

    fn text(&self, idx: Option<usize>) -> &str {
        idx.and_then(|i| self.rec.get(i)).unwrap_or("")
    }

    fn required(&self, idx: usize, name: &str) -> Result<&str, CliError> {
        let t = self.text(Some(idx));
        if t.is_empty() {
            return Err(self.err(idx, "missing-value", format!("`{name}` is empty")));
        }
        Ok(t)
    }

    fn holder(&self, idx: usize, name: &str) -> Result<HolderId, CliError> {
        HolderId::new(self.required(idx, name)?).map_err(|e| self.err(idx, "bad-id", e))
    }

    fn resolution(&self, idx: usize) -> Result<ResolutionId, CliError> {
        ResolutionId::new(self.required(idx, "resolution")?).map_err(|e| self.err(idx, "bad-id", e))
    }

    fn class(&self, idx: Option<usize>) -> Result<Option<ClassId>, CliError> {
        match idx {
            Some(i) if !self.text(Some(i)).is_empty() => ClassId::new(self.text(Some(i)))
                .map(Some)
                .map_err(|e| self.err(i, "bad-id", e)),
            _ => Ok(None),
        }
    }

    /// A count: digits, optionally grouped with `,` or `_`; empty is `None`.
    fn count(&self, idx: Option<usize>, name: &str) -> Result<Option<u64>, CliError> {
        let Some(i) = idx else { return Ok(None) };
        let t = self.text(Some(i));
        if t.is_empty() {
            return Ok(None);
        }
        let digits: String = t.chars().filter(|c| *c != ',' && *c != '_').collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.err(
                i,
                "bad-number",
                format!("`{name}` {t:?} is not a whole number"),
            ));
        }
        digits.parse::<u64>().map(Some).map_err(|_| {
            self.err(
                i,
                "bad-number",
                format!("`{name}` {t:?} is larger than 18446744073709551615"),
            )
        })
    }

    fn voter(&self, idx: usize) -> Result<Voter, CliError> {
        let t = self.required(idx, "voter")?;
        match t.strip_prefix(HolderId::PROXY_PREFIX) {
            Some(p) => ProxyId::new(p)
                .map(Voter::Proxy)
                .map_err(|e| self.err(idx, "bad-id", e)),
            None => HolderId::new(t)
                .map(Voter::Holder)
                .map_err(|e| self.err(idx, "bad-id", e)),
        }
    }
}

fn csv_error(file: &str, e: &csv::Error) -> CliError {
    let line = e.position().map_or(0, csv::Position::line);
    CliError::Usage(format!("{file}:{line}:1: bad-csv: {e}"))
}

/// Reads a whole CSV file of `kind` into events. `now` is the lodging time of proxies whose
/// row gives no `lodged_at`. `on_row` is called with the number of bytes read so far (progress).
pub(crate) fn parse(
    kind: CsvKind,
    file: &str,
    input: impl Read,
    now: UtcMillis,
    on_row: &mut dyn FnMut(u64),
) -> Result<Parsed, CliError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(input);
    let names = rdr
        .headers()
        .map_err(|e| csv_error(file, &e))?
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_ascii_lowercase(), i))
        .collect();
    let header = Header { names };
    let mut rec = csv::StringRecord::new();
    let mut p = Parsing::new(kind, file, &header, now)?;
    let mut n: u64 = 0;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(file, &e)),
        }
        let line = rec.position().map_or(0, csv::Position::line);
        if rec.iter().all(str::is_empty) {
            continue; // blank line
        }
        p.row(&Row {
            file,
            line,
            rec: &rec,
        })?;
        n += 1;
        if n.is_multiple_of(4096) {
            on_row(rdr.position().byte());
        }
    }
    on_row(rdr.position().byte());
    Ok(p.finish())
}

/// The state of one file's parse: the header's columns and the groups built so far.
struct Parsing {
    kind: CsvKind,
    now: UtcMillis,
    c: Cols,
    out: Parsed,
    /// Proxy id -> index in `out` (proxies group rows by proxy).
    proxies: BTreeMap<ProxyId, usize>,
    /// (voter, resolution, class) -> index in `out` (cumulative ballots group rows).
    cumulative: BTreeMap<(Voter, ResolutionId, Option<ClassId>), usize>,
}

#[derive(Default)]
struct Cols {
    who: usize,
    name: Option<usize>,
    class: Option<usize>,
    shares: Option<usize>,
    resolution: usize,
    restriction: usize,
    reason: Option<usize>,
    holder: usize,
    proxy_name: Option<usize>,
    instruction: Option<usize>,
    for_: Option<usize>,
    against: Option<usize>,
    abstain: Option<usize>,
    candidate: Option<usize>,
    votes: Option<usize>,
    lodged_at: Option<usize>,
}

impl Parsing {
    fn new(kind: CsvKind, file: &str, h: &Header, now: UtcMillis) -> Result<Self, CliError> {
        let mut c = Cols {
            class: h.get("class"),
            ..Cols::default()
        };
        match kind {
            CsvKind::Register => {
                c.who = h.require(file, "holder")?;
                c.name = Some(h.require(file, "name")?);
                c.class = Some(h.require(file, "class")?);
                c.shares = Some(h.require(file, "shares")?);
            }
            CsvKind::Abstentions => {
                c.who = h.require(file, "holder")?;
                c.resolution = h.require(file, "resolution")?;
                c.restriction = h.require(file, "restriction")?;
                c.reason = h.get("reason");
            }
            CsvKind::Proxies => {
                c.who = h.require(file, "proxy")?;
                c.holder = h.require(file, "holder")?;
                c.proxy_name = h.get("proxy_name");
                c.shares = h.get("shares");
                c.resolution = h.require(file, "resolution")?;
                c.instruction = Some(h.require(file, "instruction")?);
                c.for_ = h.get("for");
                c.against = h.get("against");
                c.abstain = h.get("abstain");
                c.lodged_at = h.get("lodged_at");
            }
            CsvKind::Ballots => {
                c.who = h.require(file, "voter")?;
                c.resolution = h.require(file, "resolution")?;
                c.for_ = h.get("for");
                c.against = h.get("against");
                c.abstain = h.get("abstain");
                c.candidate = h.get("candidate");
                c.votes = h.get("votes");
                let split = c.for_.is_some() || c.against.is_some() || c.abstain.is_some();
                let cumulative = c.candidate.is_some() && c.votes.is_some();
                if !split && !cumulative {
                    return Err(CliError::Usage(format!(
                        "{file}:1:1: missing-column: a ballots file needs `for,against,abstain` \
                         or `candidate,votes` columns"
                    )));
                }
            }
        }
        Ok(Parsing {
            kind,
            now,
            c,
            out: Parsed::default(),
            proxies: BTreeMap::new(),
            cumulative: BTreeMap::new(),
        })
    }

    fn push(&mut self, event: Event, origin: Origin) {
        self.out.events.push(event);
        self.out.origins.push(origin);
    }

    fn finish(self) -> Parsed {
        self.out
    }

    fn row(&mut self, r: &Row<'_>) -> Result<(), CliError> {
        match self.kind {
            CsvKind::Register => self.register(r),
            CsvKind::Abstentions => self.abstention(r),
            CsvKind::Proxies => self.proxy(r),
            CsvKind::Ballots => self.ballot(r),
        }
    }

    fn register(&mut self, r: &Row<'_>) -> Result<(), CliError> {
        let c = &self.c;
        let holder = r.holder(c.who, "holder")?;
        let class_col = c.class.unwrap_or(0);
        let class = ClassId::new(r.required(class_col, "class")?)
            .map_err(|e| r.err(class_col, "bad-id", e))?;
        let shares_col = c.shares.unwrap_or(0);
        let shares = r
            .count(c.shares, "shares")?
            .ok_or_else(|| r.err(shares_col, "missing-value", "`shares` is empty"))?;
        let origin = Origin {
            line: r.line,
            who: col(Some(c.who)),
            class: col(c.class),
            amount: col(c.shares),
            resolution: 0,
        };
        let name = r.text(c.name).to_owned();
        self.push(
            Event::ShareRegistered {
                holder,
                name,
                class,
                shares: Shares(shares),
            },
            origin,
        );
        Ok(())
    }

    fn abstention(&mut self, r: &Row<'_>) -> Result<(), CliError> {
        let c = &self.c;
        let holder = r.holder(c.who, "holder")?;
        let resolution = r.resolution(c.resolution)?;
        let restriction = match r
            .required(c.restriction, "restriction")?
            .to_ascii_lowercase()
            .replace('-', "_")
            .as_str()
        {
            "abstain" => Restriction::Abstain,
            "against_only" => Restriction::AgainstOnly,
            other => {
                return Err(r.err(
                    c.restriction,
                    "bad-restriction",
                    format!("{other:?} is not abstain|against_only"),
                ))
            }
        };
        let origin = Origin {
            line: r.line,
            who: col(Some(c.who)),
            resolution: col(Some(c.resolution)),
            class: 0,
            amount: col(Some(c.restriction)),
        };
        let reason = r.text(c.reason).to_owned();
        self.push(
            Event::AbstentionRequired {
                holder,
                resolutions: vec![resolution],
                restriction,
                reason,
            },
            origin,
        );
        Ok(())
    }

    fn proxy(&mut self, r: &Row<'_>) -> Result<(), CliError> {
        let c = &self.c;
        let proxy =
            ProxyId::new(r.required(c.who, "proxy")?).map_err(|e| r.err(c.who, "bad-id", e))?;
        let holder = r.holder(c.holder, "holder")?;
        let proxy_name = r.text(c.proxy_name).to_owned();
        let shares = r.count(c.shares, "shares")?.map(Shares);
        let class = r.class(c.class)?;
        let lodged_at = match c.lodged_at {
            Some(i) if !r.text(Some(i)).is_empty() => {
                UtcMillis::parse_rfc3339("lodged_at", r.text(Some(i)))
                    .map_err(|e| r.err(i, "bad-time", e))?
            }
            _ => self.now,
        };
        let instr_col = c.instruction.unwrap_or(0);
        let instr_text = r.text(c.instruction).to_ascii_lowercase();
        let res_text = r.text(Some(c.resolution));
        let instruction = if res_text.is_empty() && instr_text.is_empty() {
            None // a form without per-resolution instructions: discretion on everything
        } else {
            let resolution = r.resolution(c.resolution)?;
            let num = |i: Option<usize>, n: &str| -> Result<Shares, CliError> {
                Ok(Shares(r.count(i, n)?.unwrap_or(0)))
            };
            let instruction = match instr_text.as_str() {
                "for" => Instruction::For,
                "against" => Instruction::Against,
                "abstain" => Instruction::Abstain,
                "discretion" | "" => Instruction::Discretion,
                "split" => Instruction::Split {
                    for_: num(c.for_, "for")?,
                    against: num(c.against, "against")?,
                    abstain: num(c.abstain, "abstain")?,
                },
                other => {
                    return Err(r.err(
                        instr_col,
                        "bad-instruction",
                        format!("{other:?} is not for|against|abstain|split|discretion"),
                    ))
                }
            };
            Some(ProxyInstruction {
                resolution,
                instruction,
            })
        };
        if let Some(&idx) = self.proxies.get(&proxy) {
            let Event::ProxyLodged(p) = &mut self.out.events[idx] else {
                return Err(r.err(c.who, "internal", "proxy group is not a ProxyLodged"));
            };
            let first = self.out.origins[idx].line;
            let differs = |what: &str, col: Option<usize>| {
                r.err(
                    col.unwrap_or(c.who),
                    "inconsistent-proxy",
                    format!("proxy {proxy}: `{what}` differs from its first row (line {first})"),
                )
            };
            if p.holder != holder {
                return Err(differs("holder", Some(c.holder)));
            }
            if p.shares != shares {
                return Err(differs("shares", c.shares));
            }
            if p.class != class {
                return Err(differs("class", c.class));
            }
            if p.proxy_name != proxy_name {
                return Err(differs("proxy_name", c.proxy_name));
            }
            if p.lodged_at != lodged_at {
                return Err(differs("lodged_at", c.lodged_at));
            }
            if let Some(i) = instruction {
                if p.instructions.iter().any(|x| x.resolution == i.resolution) {
                    return Err(r.err(
                        c.resolution,
                        "duplicate-instruction",
                        format!(
                            "proxy {proxy} already has an instruction on resolution {}",
                            i.resolution
                        ),
                    ));
                }
                p.instructions.push(i);
            }
            return Ok(());
        }
        let origin = Origin {
            line: r.line,
            who: col(Some(c.who)),
            resolution: col(Some(c.resolution)),
            class: col(c.class),
            amount: col(c.shares.or(c.instruction)),
        };
        self.proxies.insert(proxy.clone(), self.out.events.len());
        self.push(
            Event::ProxyLodged(ProxyLodged {
                proxy,
                holder,
                proxy_name,
                class,
                shares,
                instructions: instruction.into_iter().collect(),
                lodged_at,
            }),
            origin,
        );
        Ok(())
    }

    fn ballot(&mut self, r: &Row<'_>) -> Result<(), CliError> {
        let c = &self.c;
        let voter = r.voter(c.who)?;
        let resolution = r.resolution(c.resolution)?;
        let class = r.class(c.class)?;
        let candidate_text = r.text(c.candidate);
        let cumulative = !candidate_text.is_empty();
        let origin = Origin {
            line: r.line,
            who: col(Some(c.who)),
            resolution: col(Some(c.resolution)),
            class: col(c.class),
            amount: col(if cumulative { c.votes } else { c.for_ }),
        };
        if !cumulative {
            let num = |i: Option<usize>, n: &str| -> Result<Shares, CliError> {
                Ok(Shares(r.count(i, n)?.unwrap_or(0)))
            };
            let choice = Choice::Split {
                for_: num(c.for_, "for")?,
                against: num(c.against, "against")?,
                abstain: num(c.abstain, "abstain")?,
            };
            self.push(
                Event::VoteCast(Ballot {
                    voter,
                    resolution,
                    class,
                    choice,
                }),
                origin,
            );
            return Ok(());
        }
        let cand_col = c.candidate.unwrap_or(0);
        let candidate =
            CandidateId::new(candidate_text).map_err(|e| r.err(cand_col, "bad-id", e))?;
        let votes = Votes(r.count(c.votes, "votes")?.unwrap_or(0));
        let key = (voter.clone(), resolution.clone(), class.clone());
        let alloc = Allocation { candidate, votes };
        if let Some(&idx) = self.cumulative.get(&key) {
            if let Event::VoteCast(Ballot {
                choice: Choice::Cumulative(allocs),
                ..
            }) = &mut self.out.events[idx]
            {
                allocs.push(alloc);
            }
            return Ok(());
        }
        self.cumulative.insert(key, self.out.events.len());
        self.push(
            Event::VoteCast(Ballot {
                voter,
                resolution,
                class,
                choice: Choice::Cumulative(vec![alloc]),
            }),
            origin,
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(kind: CsvKind, text: &str) -> Result<Parsed, CliError> {
        parse(kind, "f.csv", text.as_bytes(), UtcMillis(5), &mut |_| {})
    }

    #[test]
    fn seed_fixtures_parse() {
        let reg = run(
            CsvKind::Register,
            include_str!("../fixtures/jlmag/register.csv"),
        )
        .unwrap();
        assert_eq!(reg.events.len(), 7);
        assert_eq!(reg.origins[0].line, 2);
        let px = run(
            CsvKind::Proxies,
            include_str!("../fixtures/jlmag/proxies.csv"),
        )
        .unwrap();
        assert_eq!(px.events.len(), 2);
        let b = run(
            CsvKind::Ballots,
            include_str!("../fixtures/jlmag/ballots.csv"),
        )
        .unwrap();
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
    fn bad_number_names_line_and_column() {
        let e = run(
            CsvKind::Register,
            "holder,name,class,shares\nH1,One,A,100\nH2,Two,A,12x\n",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.csv:3:4: bad-number: `shares` \"12x\" is not a whole number"
        );
        let e = run(CsvKind::Register, "holder,name,class\nH1,One,A\n").unwrap_err();
        assert!(
            e.to_string().starts_with("f.csv:1:1: missing-column"),
            "{e}"
        );
    }

    #[test]
    fn proxies_group_by_proxy_and_cumulative_ballots_group() {
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
                assert_eq!(p.lodged_at, UtcMillis(5));
            }
            e => panic!("{e:?}"),
        }
        let e = run(
            CsvKind::Proxies,
            "proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain\n\
             P1,H1,Chair,10,1,for,,,\nP1,H9,Chair,10,2,for,,,\n",
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("f.csv:3:2: inconsistent-proxy"),
            "{e}"
        );
        let b = run(
            CsvKind::Ballots,
            "voter,resolution,candidate,votes\nH1,3,C1,100\nH1,3,C2,50\nproxy:P1,3,C1,7\n",
        )
        .unwrap();
        assert_eq!(b.events.len(), 2);
        assert_eq!(b.origins[1].line, 4);
    }

    #[test]
    fn columns_for_rules() {
        let o = Origin {
            line: 3,
            who: 1,
            resolution: 2,
            class: 6,
            amount: 3,
        };
        assert_eq!(o.column_for("over-voting"), 3);
        assert_eq!(o.column_for("unknown-resolution"), 2);
        assert_eq!(o.column_for("unknown-holder"), 1);
    }
}

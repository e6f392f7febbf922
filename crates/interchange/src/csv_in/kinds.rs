//! Rows of each CSV kind -> events: the column layout of each file and how rows group
//! (proxies by proxy id, cumulative ballots by voter, resolution and class).

use std::collections::BTreeMap;

use scrutin_model::{
    Allocation, Ballot, CandidateId, Choice, ClassId, Event, Instruction, ProxyId,
    ProxyInstruction, ProxyLodged, ResolutionId, Restriction, Shares, SittingId, UtcMillis, Voter,
    Votes,
};

use super::{col, Columns, CsvImport, CsvKind, Header, Origin, Part, PartKey, Row};
use crate::error::{ImportError, Rule};

/// The state of one file's parse: the header's columns and the groups built so far.
pub(crate) struct Parsing {
    kind: CsvKind,
    now: UtcMillis,
    c: Cols,
    /// `c` as reported in each origin.
    columns: Columns,
    out: CsvImport,
    /// Proxy id -> index in `out` (proxies group rows by proxy).
    proxies: BTreeMap<ProxyId, usize>,
    /// (voter, resolution, class) -> index in `out` (cumulative ballots group rows).
    cumulative: BTreeMap<(Voter, ResolutionId, Option<ClassId>), usize>,
    /// Event index -> the sitting a proxy form's rows name (none: the general sitting's
    /// `ProxyLodged`, as before sittings existed).
    proxy_sittings: BTreeMap<usize, SittingId>,
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
    sitting: Option<usize>,
    /// `attended_at` or `revoked_at`.
    at: Option<usize>,
}

impl Parsing {
    pub(crate) fn new(
        kind: CsvKind,
        file: &str,
        h: &Header,
        now: UtcMillis,
    ) -> Result<Self, ImportError> {
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
                c.sitting = h.get("sitting");
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
                    return Err(h.missing(
                        file,
                        "a ballots file needs `for,against,abstain` or `candidate,votes` columns",
                    ));
                }
            }
            CsvKind::Attendance => {
                c.who = h.require(file, "voter")?;
                c.sitting = h.get("sitting");
                c.at = h.get("attended_at");
            }
            CsvKind::Revocations => {
                c.who = h.require(file, "proxy")?;
                c.reason = h.get("reason");
                c.at = h.get("revoked_at");
            }
        }
        let columns = Columns {
            holder: col(match kind {
                CsvKind::Proxies => Some(c.holder),
                CsvKind::Register | CsvKind::Abstentions => Some(c.who),
                _ => None,
            }),
            who: col(Some(c.who)),
            class: col(c.class),
            shares: col(c.shares),
            resolution: col(matches!(
                kind,
                CsvKind::Abstentions | CsvKind::Proxies | CsvKind::Ballots
            )
            .then_some(c.resolution)),
            restriction: col((kind == CsvKind::Abstentions).then_some(c.restriction)),
            instruction: col(c.instruction),
            for_: col(c.for_),
            against: col(c.against),
            abstain: col(c.abstain),
            candidate: col(c.candidate),
            votes: col(c.votes),
            lodged_at: col(c.lodged_at),
            sitting: col(c.sitting),
            attended_at: col((kind == CsvKind::Attendance).then_some(c.at).flatten()),
        };
        Ok(Parsing {
            kind,
            now,
            c,
            columns,
            out: CsvImport::default(),
            proxies: BTreeMap::new(),
            cumulative: BTreeMap::new(),
            proxy_sittings: BTreeMap::new(),
        })
    }

    fn push(&mut self, event: Event, origin: Origin) {
        self.out.events.push(event);
        self.out.origins.push(origin);
    }

    /// Whether rows group into events across the whole file: proxy forms by proxy id,
    /// cumulative ballots (a ballots file with a `candidate` column) by voter, resolution and
    /// class. Their events can only be taken once every row is parsed.
    pub(crate) fn groups(&self) -> bool {
        self.kind == CsvKind::Proxies
            || (self.kind == CsvKind::Ballots && self.c.candidate.is_some())
    }

    /// Events parsed and not yet taken.
    pub(crate) fn parsed(&self) -> usize {
        self.out.events.len()
    }

    /// Takes the events parsed so far and their origins. For a kind that [`Parsing::groups`],
    /// only once every row is parsed (the groups and their indices are then done).
    pub(crate) fn take(&mut self) -> (Vec<Event>, Vec<Origin>) {
        for (i, sitting) in std::mem::take(&mut self.proxy_sittings) {
            if let Some(e) = self.out.events.get_mut(i) {
                if let Event::ProxyLodged(form) = e {
                    let form = form.clone();
                    *e = Event::SittingProxyLodged { sitting, form };
                }
            }
        }
        self.proxies.clear();
        self.cumulative.clear();
        let out = std::mem::take(&mut self.out);
        (out.events, out.origins)
    }

    /// The row's `sitting` cell, if the file has the column and the cell is not empty.
    fn sitting(r: &Row<'_>, i: Option<usize>) -> Result<Option<SittingId>, ImportError> {
        match i {
            Some(i) if !r.text(Some(i)).is_empty() => SittingId::new(r.text(Some(i)))
                .map(Some)
                .map_err(|e| r.err(i, Rule::BadId, e)),
            _ => Ok(None),
        }
    }

    pub(crate) fn row(&mut self, r: &Row<'_>) -> Result<(), ImportError> {
        match self.kind {
            CsvKind::Register => self.register(r),
            CsvKind::Abstentions => self.abstention(r),
            CsvKind::Proxies => self.proxy(r),
            CsvKind::Ballots => self.ballot(r),
            CsvKind::Attendance => self.attendance(r),
            CsvKind::Revocations => self.revocation(r),
        }
    }

    /// The origin of a one-row event about `who` (attendance, revocation).
    fn origin_of_row(&self, r: &Row<'_>) -> Origin {
        Origin {
            line: r.line,
            who: col(Some(self.c.who)),
            resolution: 0,
            class: 0,
            amount: 0,
            columns: self.columns,
            parts: Vec::new(),
        }
    }

    /// A time cell (`attended_at`, `revoked_at`): RFC 3339 or empty.
    fn time(
        r: &Row<'_>,
        idx: Option<usize>,
        name: &'static str,
    ) -> Result<Option<UtcMillis>, ImportError> {
        match idx {
            Some(i) if !r.text(Some(i)).is_empty() => {
                UtcMillis::parse_rfc3339(name, r.text(Some(i)))
                    .map(Some)
                    .map_err(|e| r.err(i, Rule::BadTime, e))
            }
            _ => Ok(None),
        }
    }

    fn attendance(&mut self, r: &Row<'_>) -> Result<(), ImportError> {
        let c = &self.c;
        let attendee = r.voter(c.who)?;
        // The sitting is looked up against the meeting's sittings when the rows are recorded
        // (`unknown-sitting` naming this cell).
        let sitting = Self::sitting(r, c.sitting)?;
        let attended_at = Self::time(r, c.at, "attended_at")?;
        let origin = self.origin_of_row(r);
        // A row with neither records the first format's event, so old files log as before.
        let event = if sitting.is_none() && attended_at.is_none() {
            Event::AttendanceRecorded { attendee }
        } else {
            Event::Attended {
                attendee,
                sitting,
                attended_at,
            }
        };
        self.push(event, origin);
        Ok(())
    }

    fn revocation(&mut self, r: &Row<'_>) -> Result<(), ImportError> {
        let c = &self.c;
        let proxy =
            ProxyId::new(r.required(c.who, "proxy")?).map_err(|e| r.err(c.who, Rule::BadId, e))?;
        let mut reason = r.text(c.reason).to_owned();
        // The event has no time of its own: the stated time is kept in its reason.
        if let Some(at) = Self::time(r, c.at, "revoked_at")? {
            let when = format!("revoked at {}", at.to_rfc3339());
            reason = if reason.is_empty() {
                when
            } else {
                format!("{reason} ({when})")
            };
        }
        let origin = self.origin_of_row(r);
        self.push(Event::ProxyRevoked { proxy, reason }, origin);
        Ok(())
    }

    fn register(&mut self, r: &Row<'_>) -> Result<(), ImportError> {
        let c = &self.c;
        let holder = r.holder(c.who, "holder")?;
        let class_col = c.class.unwrap_or(0);
        let class = ClassId::new(r.required(class_col, "class")?)
            .map_err(|e| r.err(class_col, Rule::BadId, e))?;
        let shares_col = c.shares.unwrap_or(0);
        let shares = r
            .count(c.shares, "shares")?
            .ok_or_else(|| r.err(shares_col, Rule::MissingValue, "`shares` is empty"))?;
        let origin = Origin {
            line: r.line,
            who: col(Some(c.who)),
            class: col(c.class),
            amount: col(c.shares),
            resolution: 0,
            columns: self.columns,
            parts: Vec::new(),
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

    fn abstention(&mut self, r: &Row<'_>) -> Result<(), ImportError> {
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
            "not_disinterested" => Restriction::NotDisinterested,
            "intends_against" => Restriction::IntendsAgainst,
            "intends_abstain" => Restriction::IntendsAbstain,
            other => {
                return Err(r.err(
                    c.restriction,
                    Rule::BadRestriction,
                    format!(
                        "{other:?} is not abstain|against_only|not_disinterested|\
                         intends_against|intends_abstain"
                    ),
                ))
            }
        };
        let origin = Origin {
            line: r.line,
            who: col(Some(c.who)),
            resolution: col(Some(c.resolution)),
            class: 0,
            amount: col(Some(c.restriction)),
            columns: self.columns,
            parts: Vec::new(),
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

    fn proxy(&mut self, r: &Row<'_>) -> Result<(), ImportError> {
        let c = &self.c;
        let proxy =
            ProxyId::new(r.required(c.who, "proxy")?).map_err(|e| r.err(c.who, Rule::BadId, e))?;
        let holder = r.holder(c.holder, "holder")?;
        let proxy_name = r.text(c.proxy_name).to_owned();
        let shares = r.count(c.shares, "shares")?.map(Shares);
        let class = r.class(c.class)?;
        let sitting = Self::sitting(r, c.sitting)?;
        let lodged_at = match c.lodged_at {
            Some(i) if !r.text(Some(i)).is_empty() => {
                UtcMillis::parse_rfc3339("lodged_at", r.text(Some(i)))
                    .map_err(|e| r.err(i, Rule::BadTime, e))?
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
            let num = |i: Option<usize>, n: &str| -> Result<Shares, ImportError> {
                Ok(Shares(r.count(i, n)?.unwrap_or(0)))
            };
            let counts = [
                (c.for_, "for"),
                (c.against, "against"),
                (c.abstain, "abstain"),
            ];
            if instr_text == "split" {
                // An empty split is a form whose numbers were lost, not a vote of nothing.
                if counts.iter().all(|(i, _)| r.text(*i).is_empty()) {
                    return Err(r.err(
                        c.for_.unwrap_or(instr_col),
                        Rule::MissingValue,
                        "`split` needs its for/against/abstain numbers",
                    ));
                }
            } else {
                // Numbers are read only with `split`: `for,5,0,0` could mean "5 shares for",
                // and dropping the 5 would let the proxy vote every share for.
                for (i, name) in counts {
                    if r.count(i, name)?.is_some_and(|n| n > 0) {
                        return Err(r.err(
                            i.unwrap_or(instr_col),
                            Rule::BadInstruction,
                            format!(
                                "instruction {:?} takes no `{name}` number (use `split` to \
                                 instruct on part of the shares)",
                                r.text(c.instruction)
                            ),
                        ));
                    }
                }
            }
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
                        Rule::BadInstruction,
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
            let first = self.out.origins[idx].line;
            let Some(Event::ProxyLodged(p)) = self.out.events.get_mut(idx) else {
                // `proxies` only indexes the ProxyLodged events pushed below.
                return Ok(());
            };
            let differs = |what: &str, col: Option<usize>| {
                r.err(
                    col.unwrap_or(c.who),
                    Rule::InconsistentProxy,
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
            if self.proxy_sittings.get(&idx) != sitting.as_ref() {
                return Err(differs("sitting", c.sitting));
            }
            if let Some(i) = instruction {
                let part = Part {
                    key: PartKey::Instruction(i.resolution.clone()),
                    line: r.line,
                };
                if p.instructions.iter().any(|x| x.resolution == i.resolution) {
                    return Err(r.err(
                        c.resolution,
                        Rule::DuplicateInstruction,
                        format!(
                            "proxy {proxy} already has an instruction on resolution {}",
                            i.resolution
                        ),
                    ));
                }
                p.instructions.push(i);
                self.out.origins[idx].parts.push(part);
            }
            return Ok(());
        }
        let origin = Origin {
            line: r.line,
            who: col(Some(c.who)),
            resolution: col(Some(c.resolution)),
            class: col(c.class),
            amount: col(c.shares.or(c.instruction)),
            columns: self.columns,
            parts: instruction
                .iter()
                .map(|i| Part {
                    key: PartKey::Instruction(i.resolution.clone()),
                    line: r.line,
                })
                .collect(),
        };
        self.proxies.insert(proxy.clone(), self.out.events.len());
        if let Some(sitting) = sitting {
            self.proxy_sittings.insert(self.out.events.len(), sitting);
        }
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

    fn ballot(&mut self, r: &Row<'_>) -> Result<(), ImportError> {
        let c = &self.c;
        let voter = r.voter(c.who)?;
        let resolution = r.resolution(c.resolution)?;
        let class = r.class(c.class)?;
        let candidate_text = r.text(c.candidate);
        let cumulative = !candidate_text.is_empty();
        let mut origin = Origin {
            line: r.line,
            who: col(Some(c.who)),
            resolution: col(Some(c.resolution)),
            class: col(c.class),
            amount: col(if cumulative { c.votes } else { c.for_ }),
            columns: self.columns,
            parts: Vec::new(),
        };
        // A row is split or cumulative, never both: a number in the other form's columns
        // would otherwise be dropped without a word.
        let stray: &[(Option<usize>, &str)] = if cumulative {
            &[
                (c.for_, "for"),
                (c.against, "against"),
                (c.abstain, "abstain"),
            ]
        } else {
            &[(c.votes, "votes")]
        };
        for &(i, name) in stray {
            if r.count(i, name)?.is_some_and(|n| n > 0) {
                return Err(r.err(
                    i.unwrap_or(c.who),
                    Rule::MixedRow,
                    if cumulative {
                        format!("a row with a `candidate` takes `votes`, not `{name}`")
                    } else {
                        "`votes` needs a `candidate` (a split row takes for/against/abstain)"
                            .to_owned()
                    },
                ));
            }
        }
        if !cumulative {
            let num = |i: Option<usize>, n: &str| -> Result<Shares, ImportError> {
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
            CandidateId::new(candidate_text).map_err(|e| r.err(cand_col, Rule::BadId, e))?;
        let votes = Votes(r.count(c.votes, "votes")?.unwrap_or(0));
        let key = (voter.clone(), resolution.clone(), class.clone());
        let alloc = Allocation { candidate, votes };
        if let Some(&idx) = self.cumulative.get(&key) {
            if let Event::VoteCast(Ballot {
                choice: Choice::Cumulative(allocs),
                ..
            }) = &mut self.out.events[idx]
            {
                // Named here, on the repeated row, rather than by the ledger on the ballot's
                // first row.
                if allocs.iter().any(|a| a.candidate == alloc.candidate) {
                    return Err(r.err(
                        cand_col,
                        Rule::DuplicateCandidate,
                        format!(
                            "{voter} allocates votes to {} twice on resolution {resolution} \
                             (first at line {})",
                            alloc.candidate, self.out.origins[idx].line
                        ),
                    ));
                }
                self.out.origins[idx].parts.push(Part {
                    key: PartKey::Allocation(alloc.candidate.clone()),
                    line: r.line,
                });
                allocs.push(alloc);
            }
            return Ok(());
        }
        self.cumulative.insert(key, self.out.events.len());
        origin.parts.push(Part {
            key: PartKey::Allocation(alloc.candidate.clone()),
            line: r.line,
        });
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

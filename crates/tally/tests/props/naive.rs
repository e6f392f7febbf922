//! The naive recount: accepted events counted from scratch with plain loops and maps.

use super::*;

#[derive(Debug, Clone)]
pub(crate) struct NProxy {
    id: ProxyId,
    holder: HolderId,
    appts: Vec<(ClassId, u64)>,
    active: bool,
    why: String,
    attended: bool,
    voted: bool,
}

/// What the recount produces per resolution, in the tally's units (votes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct NRes {
    entitled: u128,
    must_abstain: u128,
    against_only: u128,
    for_: u128,
    against: u128,
    abstain: u128,
    disregarded: Vec<(String, u128, String)>,
    by_class: BTreeMap<String, (u128, u128, u128)>,
    passed: bool,
    candidates: Vec<(String, u128, bool)>,
    scheme: Option<(u64, u64, bool, bool)>,
}

/// A recorded ballot in the recount.
#[derive(Debug, Clone)]
pub(crate) enum NCast {
    Split(u64, u64, u64),
    /// Allocations and the shares the voter was entitled to when casting.
    Cumulative(Vec<(CandidateId, u64)>, u64),
}

/// Recounts accepted events from scratch with plain loops and maps; shares no code with the
/// crate beyond the model types.
pub(crate) fn naive(events: &[Event]) -> (u128, u128, Vec<NRes>) {
    let mut conv = None;
    let mut resolutions: Vec<Resolution> = Vec::new();
    let mut lines: BTreeMap<(HolderId, ClassId), u64> = BTreeMap::new();
    let mut order: Vec<HolderId> = Vec::new();
    let mut restrictions: BTreeMap<(HolderId, ResolutionId), (Restriction, String)> =
        BTreeMap::new();
    let mut proxies: Vec<NProxy> = Vec::new();
    let mut attended: BTreeSet<HolderId> = BTreeSet::new();
    let mut voted: BTreeSet<HolderId> = BTreeSet::new();
    // (voter, resolution, class, for, against, abstain)
    let mut ballots: Vec<(Voter, ResolutionId, ClassId, NCast)> = Vec::new();

    pub(crate) fn vps(conv: &MeetingConvened, r: &Resolution, c: &ClassId) -> u128 {
        if !r.classes.is_empty() && !r.classes.contains(c) {
            return 0;
        }
        for w in &r.votes_per_share {
            if &w.class == c {
                return u128::from(w.votes_per_share);
            }
        }
        for k in &conv.classes {
            if &k.id == c {
                return u128::from(k.votes_per_share);
            }
        }
        0
    }
    pub(crate) fn active_appointed(proxies: &[NProxy], h: &HolderId, c: &ClassId) -> u64 {
        let mut total = 0;
        for p in proxies {
            if p.active && &p.holder == h {
                for (pc, s) in &p.appts {
                    if pc == c {
                        total += s;
                    }
                }
            }
        }
        total
    }

    for e in events {
        match e {
            Event::MeetingConvened(m) => conv = Some(m.clone()),
            Event::ResolutionProposed(r) => resolutions.push(r.clone()),
            Event::ShareRegistered {
                holder,
                class,
                shares,
                ..
            } => {
                if !order.contains(holder) {
                    order.push(holder.clone());
                }
                lines.insert((holder.clone(), class.clone()), shares.0);
            }
            Event::AbstentionRequired {
                holder,
                resolutions: rs,
                restriction,
                reason,
            } => {
                // Only the two restrictions on the vote; the marks (not disinterested, stated
                // intentions) change no count of this model.
                if matches!(restriction, Restriction::Abstain | Restriction::AgainstOnly) {
                    for r in rs {
                        restrictions
                            .insert((holder.clone(), r.clone()), (*restriction, reason.clone()));
                    }
                }
            }
            Event::ProxyLodged(p) => {
                let conv = conv.as_ref().unwrap();
                let holder_classes: Vec<(ClassId, u64)> = lines
                    .iter()
                    .filter(|((h, _), _)| h == &p.holder)
                    .map(|((_, c), s)| (c.clone(), *s))
                    .collect();
                let appts: Vec<(ClassId, u64)> = match (&p.class, p.shares) {
                    (Some(c), s) => {
                        let all = lines[&(p.holder.clone(), c.clone())];
                        vec![(c.clone(), s.map_or(all, |s| s.0))]
                    }
                    (None, Some(s)) => vec![(holder_classes[0].0.clone(), s.0)],
                    (None, None) => holder_classes.clone(),
                };
                // A later proxy wins: revoke the holder's oldest active proxies until it fits.
                let new_id = p.proxy.clone();
                for (c, want) in &appts {
                    let line = lines[&(p.holder.clone(), c.clone())];
                    loop {
                        let free = line - active_appointed(&proxies, &p.holder, c);
                        if free >= *want {
                            break;
                        }
                        assert!(conv.rules.later_proxy_wins, "accepted only if it fits");
                        let oldest = proxies
                            .iter_mut()
                            .find(|q| {
                                q.active
                                    && q.holder == p.holder
                                    && q.appts.iter().any(|(qc, s)| qc == c && *s > 0)
                            })
                            .unwrap();
                        oldest.active = false;
                        oldest.why = format!("superseded by later proxy {new_id}");
                    }
                }
                proxies.push(NProxy {
                    id: p.proxy.clone(),
                    holder: p.holder.clone(),
                    appts,
                    active: true,
                    why: String::new(),
                    attended: false,
                    voted: false,
                });
            }
            Event::ProxyRevoked { proxy, .. } => {
                for q in proxies.iter_mut() {
                    if &q.id == proxy {
                        q.active = false;
                        q.why = "proxy revoked".into();
                    }
                }
            }
            Event::AttendanceRecorded { attendee } => match attendee {
                Voter::Holder(h) => {
                    attended.insert(h.clone());
                    for q in proxies.iter_mut() {
                        if &q.holder == h && q.active {
                            q.active = false;
                            q.why = "revoked: holder attended in person".into();
                        }
                    }
                }
                Voter::Proxy(p) => {
                    for q in proxies.iter_mut() {
                        if &q.id == p {
                            q.attended = true;
                        }
                    }
                }
            },
            Event::VoteCast(b) => {
                let conv = conv.as_ref().unwrap();
                let r = resolutions.iter().find(|r| r.id == b.resolution).unwrap();
                let class = match &b.class {
                    Some(c) => c.clone(),
                    None => {
                        let mine: Vec<ClassId> = match &b.voter {
                            Voter::Holder(h) => lines
                                .keys()
                                .filter(|(lh, _)| lh == h)
                                .map(|(_, c)| c.clone())
                                .collect(),
                            Voter::Proxy(p) => proxies
                                .iter()
                                .find(|q| &q.id == p)
                                .unwrap()
                                .appts
                                .iter()
                                .map(|(c, _)| c.clone())
                                .collect(),
                        };
                        let voting: Vec<ClassId> =
                            mine.into_iter().filter(|c| vps(conv, r, c) > 0).collect();
                        assert_eq!(voting.len(), 1);
                        voting[0].clone()
                    }
                };
                match &b.voter {
                    Voter::Holder(h) => {
                        voted.insert(h.clone());
                    }
                    Voter::Proxy(p) => {
                        for q in proxies.iter_mut() {
                            if &q.id == p {
                                q.voted = true;
                            }
                        }
                    }
                }
                // Entitlement when cast: own shares less active proxies', or the proxy's
                // appointment (the proxy must be active).
                let entitled: u64 = match &b.voter {
                    Voter::Holder(h) => {
                        lines[&(h.clone(), class.clone())] - active_appointed(&proxies, h, &class)
                    }
                    Voter::Proxy(p) => {
                        let q = proxies.iter().find(|q| &q.id == p).unwrap();
                        assert!(q.active, "an inactive proxy's ballot was accepted");
                        q.appts
                            .iter()
                            .filter(|(c, _)| c == &class)
                            .map(|(_, s)| *s)
                            .sum()
                    }
                };
                let cast = match &b.choice {
                    Choice::Split {
                        for_,
                        against,
                        abstain,
                    } => {
                        // Nobody votes more shares than it is entitled to (checked here
                        // independently of the crate, which accepted the ballot).
                        let tendered =
                            u128::from(for_.0) + u128::from(against.0) + u128::from(abstain.0);
                        assert!(
                            tendered <= u128::from(entitled),
                            "over-voting accepted: {b:?} tendered {tendered}, entitled {entitled}"
                        );
                        NCast::Split(for_.0, against.0, abstain.0)
                    }
                    Choice::Cumulative(allocs) => NCast::Cumulative(
                        allocs
                            .iter()
                            .map(|a| (a.candidate.clone(), a.votes.0))
                            .collect(),
                        entitled,
                    ),
                };
                ballots.push((b.voter.clone(), b.resolution.clone(), class, cast));
            }
            _ => {}
        }
    }

    let conv = conv.unwrap();
    let present = |h: &HolderId| attended.contains(h) || voted.contains(h);
    // Attendance, in shares.
    let mut entitled = 0u128;
    let mut represented = 0u128;
    // A class meeting's totals cover only the classes its resolutions put to the vote.
    let in_meeting = |c: &ClassId| {
        conv.kind != MeetingKind::Class
            || resolutions.is_empty()
            || resolutions.iter().any(|r| vps(&conv, r, c) > 0)
    };
    for ((h, c), s) in &lines {
        if h.is_treasury() || !in_meeting(c) {
            continue;
        }
        entitled += u128::from(*s);
        if present(h) {
            represented += u128::from(s - active_appointed(&proxies, h, c));
        }
    }
    for p in &proxies {
        if p.active && (p.attended || p.voted) {
            for (c, s) in &p.appts {
                if in_meeting(c) {
                    represented += u128::from(*s);
                }
            }
        }
    }

    let mut out = Vec::new();
    for r in &resolutions {
        let mut n = NRes::default();
        for k in &conv.classes {
            if vps(&conv, r, &k.id) > 0 {
                n.by_class.insert(k.id.to_string(), (0, 0, 0));
            }
        }
        for ((h, c), s) in &lines {
            let w = vps(&conv, r, c);
            if h.is_treasury() || w == 0 {
                continue;
            }
            let shares = u128::from(*s);
            match restrictions.get(&(h.clone(), r.id.clone())) {
                Some((Restriction::Abstain, _)) => n.must_abstain += shares * w,
                Some((Restriction::AgainstOnly, _)) => {
                    n.against_only += shares * w;
                    n.entitled += shares * w;
                }
                _ => n.entitled += shares * w,
            }
        }
        let (seats, names) = match &r.kind {
            ResolutionKind::Cumulative { seats, candidates } => (
                u128::from(*seats),
                candidates.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
            ),
            _ => (0, Vec::new()),
        };
        let mut cand_votes: Vec<u128> = vec![0; names.len()];
        let mut min_base = 0u128;
        let mut heads: BTreeSet<(HolderId, bool)> = BTreeSet::new();
        for (voter, res, class, cast) in &ballots {
            if res != &r.id {
                continue;
            }
            let w = vps(&conv, r, class);
            let label = match voter {
                Voter::Holder(h) => h.to_string(),
                Voter::Proxy(p) => format!("proxy:{p}"),
            };
            let (holder, proxy_why) = match voter {
                Voter::Holder(h) => (h.clone(), None),
                Voter::Proxy(p) => {
                    let q = proxies.iter().find(|q| &q.id == p).unwrap();
                    (
                        q.holder.clone(),
                        if q.active { None } else { Some(q.why.clone()) },
                    )
                }
            };
            let restriction = restrictions.get(&(holder.clone(), r.id.clone()));
            let slot = n.by_class.get_mut(class.as_str()).unwrap();
            match cast {
                NCast::Split(f, a, x) => {
                    let (f, a, x) = (u128::from(*f) * w, u128::from(*a) * w, u128::from(*x) * w);
                    if let Some(why) = proxy_why {
                        n.disregarded.push((label, f + a + x, why));
                        continue;
                    }
                    let counted_for = match restriction {
                        Some((Restriction::Abstain, reason)) => {
                            n.disregarded.push((
                                label,
                                f + a + x,
                                format!("required to abstain: {reason}"),
                            ));
                            continue;
                        }
                        Some((Restriction::AgainstOnly, reason)) => {
                            if f > 0 {
                                n.disregarded.push((
                                    label,
                                    f,
                                    format!("may not vote for (Rule 13.40): {reason}"),
                                ));
                            }
                            0
                        }
                        _ => f,
                    };
                    slot.0 += counted_for;
                    slot.1 += a;
                    slot.2 += x;
                    if counted_for > 0 {
                        heads.insert((holder.clone(), true));
                    }
                    if a > 0 {
                        heads.insert((holder.clone(), false));
                    }
                }
                NCast::Cumulative(allocs, entitled) => {
                    let total: u128 = allocs.iter().map(|(_, v)| u128::from(*v)).sum();
                    let allowed = u128::from(*entitled) * seats * w;
                    let why = match (proxy_why, restriction) {
                        (Some(why), _) => Some(why),
                        (None, Some((Restriction::Abstain, reason))) => {
                            Some(format!("required to abstain: {reason}"))
                        }
                        (None, Some((Restriction::AgainstOnly, reason))) => {
                            Some(format!("may not vote for (Rule 13.40): {reason}"))
                        }
                        (None, None) if total > allowed => Some(format!(
                            "over-allocation: {} votes cast, {} allowed",
                            scrutin_model::group_thousands(total),
                            scrutin_model::group_thousands(allowed)
                        )),
                        (None, _) => None,
                    };
                    if let Some(why) = why {
                        n.disregarded.push((label, total, why));
                        continue;
                    }
                    for (cand, v) in allocs {
                        let k = names.iter().position(|x| x == cand).unwrap();
                        cand_votes[k] += u128::from(*v);
                    }
                    slot.0 += total;
                }
            }
        }
        if !names.is_empty() {
            // The minimum's base: voting shares present on r (docs/POLLS.md), ballot or not: each
            // present holder's own shares and each present active proxy's appointed shares,
            // in the classes voting on r, less must-abstain holders'.
            for ((h, c), s) in &lines {
                let w = vps(&conv, r, c);
                let barred = matches!(
                    restrictions.get(&(h.clone(), r.id.clone())),
                    Some((Restriction::Abstain, _))
                );
                if h.is_treasury() || w == 0 || barred {
                    continue;
                }
                if present(h) {
                    min_base += u128::from(s - active_appointed(&proxies, h, c)) * w;
                }
                for p in &proxies {
                    if p.active && (p.attended || p.voted) && &p.holder == h {
                        for (pc, ps) in &p.appts {
                            if pc == c {
                                min_base += u128::from(*ps) * w;
                            }
                        }
                    }
                }
            }
        }
        if conv.rules.unvoted_as_abstain && names.is_empty() {
            // Every unit present (a holder in person, an active proxy) entitled on r that
            // cast no ballot on (r, class) adds its shares as abstentions.
            for ((h, c), s) in &lines {
                let w = vps(&conv, r, c);
                if h.is_treasury() || w == 0 {
                    continue;
                }
                if matches!(
                    restrictions.get(&(h.clone(), r.id.clone())),
                    Some((Restriction::Abstain, _))
                ) {
                    continue;
                }
                let cast = |v: &Voter| {
                    ballots
                        .iter()
                        .any(|(bv, br, bc, _)| bv == v && br == &r.id && bc == c)
                };
                if present(h) && !cast(&Voter::Holder(h.clone())) {
                    let own = s - active_appointed(&proxies, h, c);
                    n.by_class.get_mut(c.as_str()).unwrap().2 += u128::from(own) * w;
                }
                for p in &proxies {
                    let silent = p.active
                        && (p.attended || p.voted)
                        && &p.holder == h
                        && !cast(&Voter::Proxy(p.id.clone()));
                    if silent {
                        for (pc, ps) in &p.appts {
                            if pc == c {
                                n.by_class.get_mut(c.as_str()).unwrap().2 += u128::from(*ps) * w;
                            }
                        }
                    }
                }
            }
        }
        for (f, a, x) in n.by_class.values() {
            n.for_ += f;
            n.against += a;
            n.abstain += x;
        }
        let base = match conv.rules.denominator {
            scrutin_model::Denominator::ForAgainst => n.for_ + n.against,
            scrutin_model::Denominator::ForAgainstAbstain => n.for_ + n.against + n.abstain,
        };
        let meets = |t: scrutin_model::Threshold, votes: u128, base: u128| {
            // votes/base against num/den, cross-multiplied.
            let lhs = votes * u128::from(t.den);
            let rhs = base * u128::from(t.num);
            base > 0 && if t.strict { lhs > rhs } else { lhs >= rhs }
        };
        let rules = &conv.rules;
        n.passed = match &r.kind {
            ResolutionKind::Ordinary => meets(rules.ordinary, n.for_, base),
            ResolutionKind::Special => meets(rules.special, n.for_, base),
            ResolutionKind::Scheme => {
                let hf = heads.iter().filter(|x| x.1).count() as u64;
                let ha = heads.iter().filter(|x| !x.1).count() as u64;
                let m = rules.scheme_max_against;
                let (lhs, rhs) = (
                    n.against * u128::from(m.den),
                    n.entitled * u128::from(m.num),
                );
                let limit = if m.strict { lhs < rhs } else { lhs <= rhs };
                n.scheme = Some((hf, ha, hf > ha, limit));
                meets(rules.special, n.for_, n.for_ + n.against) && hf > ha && limit
            }
            ResolutionKind::Cumulative { seats, .. } => {
                let seats = *seats as usize;
                // Rank: most votes first, then the order proposed.
                let mut order: Vec<usize> = (0..names.len()).collect();
                for i in 0..order.len() {
                    for j in i + 1..order.len() {
                        let (a, b) = (order[i], order[j]);
                        if cand_votes[b] > cand_votes[a]
                            || (cand_votes[b] == cand_votes[a] && b < a)
                        {
                            order.swap(i, j);
                        }
                    }
                }
                let mut elected = vec![false; names.len()];
                for (rank, &k) in order.iter().enumerate() {
                    if rank >= seats {
                        break;
                    }
                    let tied_at_last_seat = order.len() > seats
                        && cand_votes[k] == cand_votes[order[seats - 1]]
                        && cand_votes[k] == cand_votes[order[seats]];
                    if !tied_at_last_seat
                        && meets(rules.cumulative_minimum, cand_votes[k], min_base)
                    {
                        elected[k] = true;
                    }
                }
                n.candidates = names
                    .iter()
                    .zip(&cand_votes)
                    .zip(&elected)
                    .map(|((id, v), e)| (id.to_string(), *v, *e))
                    .collect();
                elected.iter().filter(|e| **e).count() == seats
            }
        };
        out.push(n);
    }
    (entitled, represented, out)
}

pub(crate) fn observed(t: &Tally) -> (u128, u128, Vec<NRes>) {
    let res = t
        .resolutions
        .iter()
        .map(|r| NRes {
            entitled: r.entitled,
            must_abstain: r.must_abstain,
            against_only: r.against_only,
            for_: r.for_,
            against: r.against,
            abstain: r.abstain,
            disregarded: r
                .disregarded_ballots
                .iter()
                .map(|d| (d.voter.clone(), d.votes, d.reason.clone()))
                .collect(),
            by_class: r
                .by_class
                .iter()
                .map(|(k, v)| (k.clone(), (v.for_, v.against, v.abstain)))
                .collect(),
            passed: r.passed,
            candidates: r
                .candidates
                .iter()
                .map(|c| (c.id.clone(), c.votes, c.elected))
                .collect(),
            scheme: r.scheme.as_ref().map(|s| {
                (
                    s.holders_for,
                    s.holders_against,
                    s.headcount_passed,
                    s.against_limit_passed,
                )
            }),
        })
        .collect();
    (t.entitled, t.represented, res)
}

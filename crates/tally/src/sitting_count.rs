//! Attendance per sitting and the holder counts: who is present at the general meeting and at
//! each class meeting held beside it, in person or by proxy, and the shares they represent.
//!
//! The general sitting's figures come from the holder and proxy records; a class sitting's
//! from the sparse per-sitting state, so a meeting without class sittings costs what it did.

use scrutin_model::SittingKind;

use crate::meeting::{Meeting, ProxyStatus, ResRec};
use crate::{percent, SittingAttendance};

/// Who is present at each sitting, and the shares represented at each class sitting.
pub(crate) struct SittingCounts {
    /// Holders present at the general sitting (sorted, each once).
    general: Present,
    /// Per entry of `Meeting::sittings` (empty for the general one): the class sitting's.
    class: Vec<Present>,
}

#[derive(Default)]
struct Present {
    /// Holders present in person or by proxy, sorted, each once.
    holders: Vec<u32>,
    in_person: u64,
    /// Shares of the class represented (class sittings only).
    represented: u128,
}

impl Present {
    fn by_proxy(&self) -> u64 {
        (self.holders.len() as u64).saturating_sub(self.in_person)
    }
}

impl SittingCounts {
    pub(crate) fn of(m: &Meeting) -> SittingCounts {
        let mut general = Present::default();
        for (h, rec) in m.holders.iter().enumerate() {
            if !rec.treasury && (rec.attended || rec.voted) {
                general.holders.push(u32::try_from(h).unwrap_or(u32::MAX));
            }
        }
        general.in_person = general.holders.len() as u64;
        let mut class: Vec<Present> = m.sittings.iter().map(|_| Present::default()).collect();
        for (&(h, s), p) in &m.by_sitting.presence {
            let Some(x) = class.get_mut(s as usize) else {
                continue;
            };
            if !(p.attended || p.voted) {
                continue;
            }
            x.holders.push(h);
            x.in_person += 1;
            if let Some(c) = m.sitting_class(s) {
                x.represented += u128::from(m.own_shares_at(h, c, Some(s)));
            }
        }
        for (i, p) in m.proxies.iter().enumerate() {
            if p.status != ProxyStatus::Active || !(p.attended || p.voted) {
                continue;
            }
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            match m.sitting_of_proxy(i) {
                None => general.holders.push(p.holder),
                Some(s) => {
                    if let Some(x) = class.get_mut(s as usize) {
                        x.holders.push(p.holder);
                        x.represented += m
                            .appointments_of(p)
                            .map(|(_, n)| u128::from(n))
                            .sum::<u128>();
                    }
                }
            }
        }
        for x in std::iter::once(&mut general).chain(class.iter_mut()) {
            x.holders.sort_unstable();
            x.holders.dedup();
        }
        SittingCounts { general, class }
    }

    /// Shares represented at class sitting `s` (of its one class).
    pub(crate) fn represented_in(&self, s: u32) -> u128 {
        self.class.get(s as usize).map_or(0, |x| x.represented)
    }

    /// Holders present at resolution `r`'s sitting holding shares of a class voting on it.
    pub(crate) fn present_on(&self, m: &Meeting, r: u32, res: &ResRec) -> u64 {
        let present = match res.sitting {
            None => &self.general,
            Some(s) => match self.class.get(s as usize) {
                Some(x) => x,
                None => return 0,
            },
        };
        present
            .holders
            .iter()
            .filter(|&&h| m.lines_of(h).any(|(_, l)| m.res_vps(r, l.class) > 0))
            .count() as u64
    }

    /// The `sittings` of the tally: the general sitting (whose figures are the meeting's
    /// `classes` totals) then each class sitting in the order convened.
    pub(crate) fn attendance(
        &self,
        m: &Meeting,
        entitled: u128,
        represented: u128,
        ent_c: &[u128],
        dec: u8,
    ) -> Vec<SittingAttendance> {
        let mut out = Vec::with_capacity(m.sittings.len() + 1);
        let general_declared = m.sittings.iter().any(|s| s.kind == SittingKind::General);
        let general_used = m.res.iter().any(|r| r.sitting.is_none()) || m.res.is_empty();
        let general = SittingAttendance {
            id: m.sitting_id(None).to_string(),
            kind: SittingKind::General.name().to_owned(),
            class: None,
            entitled,
            represented,
            represented_pct: percent(represented, entitled, dec),
            holders_present: self.general.holders.len() as u64,
            holders_in_person: self.general.in_person,
            holders_by_proxy: self.general.by_proxy(),
        };
        if !general_declared && general_used {
            out.push(general.clone());
        }
        for (i, s) in m.sittings.iter().enumerate() {
            match s.kind {
                SittingKind::General => out.push(general.clone()),
                SittingKind::Class => {
                    let i32_ = u32::try_from(i).unwrap_or(u32::MAX);
                    let ent = m
                        .sitting_class(i32_)
                        .and_then(|c| ent_c.get(c as usize).copied())
                        .unwrap_or(0);
                    let x = self.class.get(i);
                    let rep = x.map_or(0, |x| x.represented);
                    out.push(SittingAttendance {
                        id: s.id.to_string(),
                        kind: s.kind.name().to_owned(),
                        class: s.class.as_ref().map(ToString::to_string),
                        entitled: ent,
                        represented: rep,
                        represented_pct: percent(rep, ent, dec),
                        holders_present: x.map_or(0, |x| x.holders.len() as u64),
                        holders_in_person: x.map_or(0, |x| x.in_person),
                        holders_by_proxy: x.map_or(0, Present::by_proxy),
                    });
                }
            }
        }
        out
    }
}

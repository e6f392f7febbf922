//! The setup events appended after the first event format: sittings (`SittingConvened`), a
//! resolution's sitting and scheme tests (`ResolutionTerms`), and the meeting's settings
//! (`MeetingSettings`). Each is the registrar's, and is recorded before the register closes,
//! so nothing is counted before the meeting's shape is fixed.

use std::collections::BTreeSet;
use std::sync::Arc;

use scrutin_model::{
    Event, ProxyId, ResolutionId, ResolutionKind, Sitting, SittingId, SittingKind, UtcMillis, Voter,
};

use crate::meeting::{Line, NONE};
use crate::{Meeting, RuleViolation};

fn general_id() -> SittingId {
    SittingId::new(GENERAL_SITTING).expect("\"general\" satisfies the sitting id invariant")
}

/// The id of the general sitting of a meeting that convenes none.
pub const GENERAL_SITTING: &str = "general";

impl Meeting {
    /// The class sitting `id` names, as an index into `sittings`; `None` for the general
    /// sitting (declared with that id, or implicit: `general` when none is declared).
    pub(crate) fn sitting_idx(&self, id: &SittingId) -> Result<Option<u32>, RuleViolation> {
        for (i, s) in self.sittings.iter().enumerate() {
            if &s.id == id {
                return Ok(match s.kind {
                    SittingKind::General => None,
                    SittingKind::Class => u32::try_from(i).ok(),
                });
            }
        }
        let general_declared = self.sittings.iter().any(|s| s.kind == SittingKind::General);
        if !general_declared && id.as_str() == GENERAL_SITTING {
            return Ok(None);
        }
        Err(RuleViolation::UnknownSitting {
            sitting: id.clone(),
        })
    }

    /// The id of sitting `s` (`None`: the general sitting, as declared or `general`).
    pub(crate) fn sitting_id(&self, s: Option<u32>) -> SittingId {
        let found = match s {
            Some(i) => self.sittings.get(i as usize),
            None => self
                .sittings
                .iter()
                .find(|x| x.kind == SittingKind::General),
        };
        found.map_or_else(general_id, |x| x.id.clone())
    }

    /// The class index a class sitting covers.
    pub(crate) fn sitting_class(&self, s: u32) -> Option<u32> {
        let class = self.sittings.get(s as usize)?.class.as_ref()?;
        self.class_index(class)
    }

    /// The class sitting proxy `p` is appointed for (`None`: the general sitting).
    pub(crate) fn sitting_of_proxy(&self, p: u32) -> Option<u32> {
        if self.by_sitting.proxy_sitting.is_empty() {
            return None;
        }
        self.by_sitting.proxy_sitting.get(&p).copied()
    }

    /// Whether holder `h` is present in person at sitting `s` (attended, or voted there).
    pub(crate) fn holder_present_at(&self, h: u32, s: Option<u32>) -> bool {
        match s {
            None => self.holders.get(h).is_some_and(|r| r.attended || r.voted),
            Some(s) => self
                .by_sitting
                .presence
                .get(&(h, s))
                .is_some_and(|p| p.attended || p.voted),
        }
    }

    /// Whether holder `h` is recorded as attending sitting `s` in person.
    pub(crate) fn holder_attended_at(&self, h: u32, s: Option<u32>) -> bool {
        match s {
            None => self.holders.get(h).is_some_and(|r| r.attended),
            Some(s) => self
                .by_sitting
                .presence
                .get(&(h, s))
                .is_some_and(|p| p.attended),
        }
    }

    /// Shares of register line `l` appointed to active proxies for sitting `s`.
    pub(crate) fn appointed_at(&self, l: u32, line: &Line, s: Option<u32>) -> u64 {
        match s {
            None => line.appointed,
            Some(_) => self.by_sitting.appointed.get(&l).copied().unwrap_or(0),
        }
    }

    /// Shares of holder `h`'s line of class `c` that it votes itself at sitting `s` (not
    /// appointed to an active proxy for that sitting).
    pub(crate) fn own_shares_at(&self, h: u32, c: u32, s: Option<u32>) -> u64 {
        self.line_of(h, c).map_or(0, |(l, line)| {
            line.shares - self.appointed_at(l, &line, s).min(line.shares)
        })
    }

    /// The sitting proxy `proxy` is appointed for (`None` if the proxy is unknown).
    pub fn proxy_sitting(&self, proxy: &ProxyId) -> Option<SittingId> {
        let p = self.proxy_ix.get(proxy)?;
        self.proxies.get(p)?;
        Some(self.sitting_id(self.sitting_of_proxy(p)))
    }

    /// The sitting a resolution is put to (`None` if the resolution is unknown).
    pub fn resolution_sitting(&self, resolution: &ResolutionId) -> Option<SittingId> {
        let rec = self.res_rec(resolution)?;
        Some(self.sitting_id(rec.sitting))
    }

    /// The sittings convened, in log order (empty: the meeting is one general sitting).
    pub fn sittings(&self) -> &[Sitting] {
        &self.sittings
    }

    /// The time of arrival an attendance record of `voter` at `sitting` (`None`: the general
    /// sitting) stated, if any.
    pub fn attended_at(&self, voter: &Voter, sitting: Option<&SittingId>) -> Option<UtcMillis> {
        let s = match sitting {
            Some(id) => self.sitting_idx(id).ok()?,
            None => None,
        };
        let (proxy, v) = match voter {
            Voter::Holder(h) => (false, self.holder_ix.get(h)?),
            Voter::Proxy(p) => (true, self.proxy_ix.get(p)?),
        };
        self.by_sitting
            .attended_at
            .get(&(proxy, v, s.unwrap_or(NONE)))
            .copied()
    }

    /// Checks a `SittingConvened`, `ResolutionTerms` or `MeetingSettings` (authority checked
    /// by the caller).
    pub(crate) fn check_setup(&self, event: &Event) -> Result<(), RuleViolation> {
        if self.register_closed {
            return Err(RuleViolation::RegisterClosed { kind: event.kind() });
        }
        match event {
            Event::SittingConvened(s) => {
                let invalid = |reason: &str| RuleViolation::InvalidSitting {
                    sitting: s.id.clone(),
                    reason: reason.to_owned(),
                };
                if self.sittings.iter().any(|x| x.id == s.id) {
                    return Err(invalid("already convened"));
                }
                match (&s.kind, &s.class) {
                    (SittingKind::General, _) => {
                        if self.sittings.iter().any(|x| x.kind == SittingKind::General) {
                            return Err(invalid("the meeting has one general sitting"));
                        }
                    }
                    (SittingKind::Class, Some(class)) => {
                        self.class_idx(class)?;
                        if self
                            .sittings
                            .iter()
                            .any(|x| x.class.as_ref() == Some(class))
                        {
                            return Err(invalid(&format!(
                                "class {class} already has a class sitting"
                            )));
                        }
                    }
                    (SittingKind::Class, None) => {
                        return Err(invalid("a class sitting names its class"))
                    }
                }
                Ok(())
            }
            Event::ResolutionTerms {
                resolution,
                sitting,
                scheme,
            } => {
                let r = self.res_idx(resolution)?;
                let rec = self.res.get(r as usize);
                if rec.is_some_and(|x| x.has_terms) {
                    return Err(RuleViolation::DuplicateTerms {
                        resolution: resolution.clone(),
                    });
                }
                if let Some(id) = sitting {
                    if let Some(i) = self.sitting_idx(id)? {
                        let class = self.sittings.get(i as usize).and_then(|s| s.class.as_ref());
                        let named = rec.map(|x| x.def.classes.as_slice()).unwrap_or_default();
                        if class.is_none_or(|c| named != std::slice::from_ref(c)) {
                            return Err(RuleViolation::InvalidSitting {
                                sitting: id.clone(),
                                reason: format!(
                                    "resolution {resolution} is put to a class sitting, so it \
                                     names exactly that sitting's class"
                                ),
                            });
                        }
                    }
                }
                if scheme.is_some() && rec.is_some_and(|x| x.def.kind != ResolutionKind::Scheme) {
                    return Err(RuleViolation::InvalidResolution {
                        resolution: resolution.clone(),
                        reason: "scheme tests are stated for a resolution that is not a scheme"
                            .into(),
                    });
                }
                Ok(())
            }
            Event::MeetingSettings(m) => {
                if self.settings.is_some() {
                    return Err(RuleViolation::InvalidSettings {
                        reason: "the meeting's settings are already recorded".into(),
                    });
                }
                let mut seen = BTreeSet::new();
                for i in &m.issued {
                    self.class_idx(&i.class)?;
                    if !seen.insert(&i.class) {
                        return Err(RuleViolation::InvalidSettings {
                            reason: format!("class {} has its issued total twice", i.class),
                        });
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Folds in a checked setup event.
    pub(crate) fn apply_setup(&mut self, event: &Event) {
        match event {
            Event::SittingConvened(s) => Arc::make_mut(&mut self.sittings).push(s.clone()),
            Event::ResolutionTerms {
                resolution,
                sitting,
                scheme,
            } => {
                let sitting = sitting
                    .as_ref()
                    .and_then(|id| self.sitting_idx(id).ok())
                    .flatten();
                let Some(r) = self.res_index.get(resolution) else {
                    return;
                };
                if let Some(rec) = Arc::make_mut(&mut self.res).get_mut(r as usize) {
                    rec.sitting = sitting;
                    rec.scheme.clone_from(scheme);
                    rec.has_terms = true;
                }
            }
            Event::MeetingSettings(m) if self.settings.is_none() => {
                self.settings = Some(Arc::new(m.clone()));
            }
            _ => {}
        }
    }
}

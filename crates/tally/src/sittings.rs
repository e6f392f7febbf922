//! The setup events appended after the first event format: sittings (`SittingConvened`), a
//! resolution's sitting and scheme tests (`ResolutionTerms`), and the meeting's settings
//! (`MeetingSettings`). Each is the registrar's, and is recorded before the register closes,
//! so nothing is counted before the meeting's shape is fixed.

use std::collections::BTreeSet;
use std::sync::Arc;

use scrutin_model::{Event, ResolutionKind, SittingId, SittingKind};

use crate::{Meeting, RuleViolation};

impl Meeting {
    /// The class sitting `id` names, as an index into `sittings`; `None` for the general
    /// sitting (declared with that id, or implicit).
    pub(crate) fn sitting_idx(&self, id: &SittingId) -> Result<Option<u32>, RuleViolation> {
        for (i, s) in self.sittings.iter().enumerate() {
            if &s.id == id {
                return Ok(match s.kind {
                    SittingKind::General => None,
                    SittingKind::Class => u32::try_from(i).ok(),
                });
            }
        }
        Err(RuleViolation::UnknownSitting {
            sitting: id.clone(),
        })
    }

    /// Refuses a sitting other than the general one where only the general sitting is
    /// supported (per-sitting proxies and attendance).
    pub(crate) fn require_general_sitting(&self, id: &SittingId) -> Result<(), RuleViolation> {
        match self.sitting_idx(id)? {
            None => Ok(()),
            Some(_) => Err(RuleViolation::InvalidSitting {
                sitting: id.clone(),
                reason: "proxy forms and attendance of a class sitting are not supported yet"
                    .into(),
            }),
        }
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

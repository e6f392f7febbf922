//! `meeting.toml` -> the genesis event, the authorities and the resolutions that
//! `scrutin init` records.

use std::collections::BTreeMap;

use serde::Deserialize;

use scrutin_model::{
    AuthorKey, Candidate, CandidateId, ClassId, ClassIssued, ClassPctBase, ClassWeight, Date,
    Denominator, Event, HolderId, MeetingConvened, MeetingKind, MeetingSettings, Preset,
    Resolution, ResolutionId, ResolutionKind, Role, RulesProfile, SchemeTerms, ShareClass, Shares,
    Sitting, SittingId, SittingKind, Threshold, UtcMillis,
};

use crate::error::{ImportError, Rule};

mod fields;

use fields::{line_col, Doc, Step};

/// What `init` records, in order: genesis, then grants, then resolutions; and the fields of
/// the file scrutin did not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingPlan {
    /// The genesis event (its `registrar` is the key given to [`parse_meeting`]).
    pub convened: MeetingConvened,
    /// Keys named in `[[authorities]]`, with their role, in file order.
    pub authorities: Vec<(AuthorKey, Role)>,
    /// The resolutions, in file order.
    pub resolutions: Vec<Resolution>,
    /// The meeting's settings, when the file gives any of them (`show_abstain`,
    /// `class_pct_base`, `witness_lawyer`, `partial_voting`, `attendance_keeps_proxies`,
    /// `[[classes]] issued`); `None` keeps the events of a file without them as before.
    pub settings: Option<MeetingSettings>,
    /// The `[[sittings]]`, in file order (empty: the meeting is one general sitting).
    pub sittings: Vec<Sitting>,
    /// The terms of each resolution beyond `ResolutionProposed` (its sitting, its scheme
    /// tests: `headcount`, `value_majority`, `disinterested_majority`,
    /// `disinterested_max_against`), in the order of `resolutions`.
    pub terms: Vec<ResolutionTerms>,
    /// Fields scrutin does not read and that are far from any it reads (`classes[0].notes`),
    /// in file order, control characters escaped: a warning to show, not an error (extra
    /// fields are allowed).
    pub ignored_fields: Vec<String>,
}

/// What a resolution's `ResolutionTerms` event states: its sitting and its scheme tests.
/// One event per resolution carries both, so the resolution's terms are recorded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolutionTerms {
    /// The resolution.
    pub resolution: ResolutionId,
    /// The sitting it is put to (`None`: the general sitting).
    pub sitting: Option<SittingId>,
    /// Its scheme tests (`None`: the preset's).
    pub scheme: Option<SchemeTerms>,
}

impl ResolutionTerms {
    /// The `ResolutionTerms` event, or `None` when there is nothing beyond the defaults (so a
    /// meeting that uses neither sittings nor scheme terms records what it always did).
    #[must_use]
    pub fn event(&self) -> Option<Event> {
        if self.sitting.is_none() && self.scheme.is_none() {
            return None;
        }
        Some(Event::ResolutionTerms {
            resolution: self.resolution.clone(),
            sitting: self.sitting.clone(),
            scheme: self.scheme.clone(),
        })
    }
}

impl MeetingPlan {
    /// Whether the file names a scrutineer key (then the registrar is not made scrutineer).
    #[must_use]
    pub fn names_scrutineer(&self) -> bool {
        self.authorities
            .iter()
            .any(|(_, r)| matches!(r, Role::Scrutineer))
    }

    /// The events after genesis: grants (the registrar as scrutineer unless the file names
    /// one), the `MeetingSettings` if the file gives any, every `SittingConvened`, every
    /// `ResolutionProposed`, then the `ResolutionTerms` of the resolutions that state a
    /// sitting or scheme tests (one event per resolution).
    #[must_use]
    pub fn events_after_genesis(&self) -> Vec<Event> {
        let mut out = Vec::new();
        if !self.names_scrutineer() {
            out.push(Event::AuthorityGranted {
                key: self.convened.registrar,
                role: Role::Scrutineer,
            });
        }
        for (key, role) in &self.authorities {
            out.push(Event::AuthorityGranted {
                key: *key,
                role: role.clone(),
            });
        }
        if let Some(settings) = &self.settings {
            out.push(Event::MeetingSettings(settings.clone()));
        }
        for s in &self.sittings {
            out.push(Event::SittingConvened(s.clone()));
        }
        for r in &self.resolutions {
            out.push(Event::ResolutionProposed(r.clone()));
        }
        out.extend(self.terms.iter().filter_map(ResolutionTerms::event));
        out
    }
}

#[derive(Deserialize)]
struct FileDoc {
    meeting: MeetingSection,
    #[serde(default)]
    classes: Vec<ClassSection>,
    #[serde(default)]
    resolutions: Vec<ResolutionSection>,
    #[serde(default)]
    rules: Option<RulesSection>,
    #[serde(default)]
    authorities: Vec<AuthoritySection>,
    #[serde(default)]
    sittings: Vec<SittingSection>,
}

#[derive(Deserialize)]
struct SittingSection {
    id: String,
    kind: String,
    #[serde(default)]
    class: Option<String>,
    title: String,
}

#[derive(Deserialize)]
struct MeetingSection {
    id: String,
    issuer: String,
    stock_code: toml::Value,
    kind: String,
    date: toml::Value,
    rules: String,
    #[serde(default)]
    decimals: Option<u8>,
    record_date: toml::Value,
    proxy_deadline: toml::Value,
    #[serde(default)]
    scrutineer: Option<String>,
    #[serde(default)]
    show_abstain: Option<bool>,
    #[serde(default)]
    class_pct_base: Option<String>,
    #[serde(default)]
    witness_lawyer: Option<String>,
    #[serde(default)]
    partial_voting: Option<bool>,
    #[serde(default)]
    attendance_keeps_proxies: Option<bool>,
}

#[derive(Deserialize)]
struct ClassSection {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    votes_per_share: Option<u32>,
    #[serde(default)]
    issued: Option<u64>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CandidateEntry {
    Id(String),
    Full { id: String, name: Option<String> },
}

#[derive(Deserialize)]
struct ResolutionSection {
    id: toml::Value,
    kind: String,
    title: String,
    #[serde(default)]
    classes: Vec<String>,
    #[serde(default)]
    votes_per_share: BTreeMap<String, u32>,
    #[serde(default)]
    seats: Option<u32>,
    #[serde(default)]
    candidates: Vec<CandidateEntry>,
    #[serde(default)]
    headcount: Option<bool>,
    #[serde(default)]
    value_majority: Option<String>,
    #[serde(default)]
    disinterested_majority: Option<String>,
    #[serde(default)]
    disinterested_max_against: Option<String>,
    #[serde(default)]
    sitting: Option<String>,
}

#[derive(Deserialize, Default)]
struct RulesSection {
    ordinary: Option<String>,
    ordinary_strict: Option<bool>,
    special: Option<String>,
    special_strict: Option<bool>,
    denominator: Option<String>,
    unvoted_as_abstain: Option<bool>,
    later_proxy_wins: Option<bool>,
    cumulative_minimum: Option<String>,
    cumulative_minimum_strict: Option<bool>,
    scheme_max_against: Option<String>,
}

#[derive(Deserialize)]
struct AuthoritySection {
    key: String,
    role: String,
}

/// The file being read: its name and text, and the document with spans to place errors.
struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    doc: Doc<'a>,
}

impl Ctx<'_> {
    /// An error about the field at `path`, placed on its value (or on the nearest table that
    /// is present), its message starting with the field's name.
    fn bad(&self, path: &[Step<'_>], rule: Rule, msg: impl std::fmt::Display) -> ImportError {
        let (line, column) = line_col(self.text, self.doc.span(path).start);
        let mut name = String::new();
        for step in path {
            match step {
                Step::Key(k) if name.is_empty() => name.push_str(k),
                Step::Key(k) => {
                    name.push('.');
                    name.push_str(k);
                }
                Step::Index(i) => name.push_str(&format!("[{i}]")),
            }
        }
        ImportError::new(self.file, line, column, rule, format!("{name}: {msg}"))
    }

    /// Parses `"1/2"` into a threshold with the given strictness.
    fn fraction(&self, field: &str, text: &str, strict: bool) -> Result<Threshold, ImportError> {
        self.fraction_at(&[Step::Key("rules"), Step::Key(field)], text, strict)
    }

    /// Parses `"1/2"` at `path` into a threshold with the given strictness.
    fn fraction_at(
        &self,
        path: &[Step<'_>],
        text: &str,
        strict: bool,
    ) -> Result<Threshold, ImportError> {
        let path = path.to_vec();
        let (n, d) = text.split_once('/').ok_or_else(|| {
            self.bad(
                &path,
                Rule::BadValue,
                format!("{text:?} is not a fraction like \"1/2\""),
            )
        })?;
        let num: u32 = n
            .trim()
            .parse()
            .map_err(|_| self.bad(&path, Rule::BadValue, format!("{text:?}: bad numerator")))?;
        let den: u32 = d
            .trim()
            .parse()
            .map_err(|_| self.bad(&path, Rule::BadValue, format!("{text:?}: bad denominator")))?;
        Threshold::new(num, den, strict).map_err(|e| self.bad(&path, Rule::BadValue, e))
    }

    fn rules_profile(
        &self,
        preset: Preset,
        decimals: u8,
        rules: Option<&RulesSection>,
    ) -> Result<RulesProfile, ImportError> {
        let mut p = RulesProfile::preset(preset, decimals);
        let top = [Step::Key("rules")];
        let Some(r) = rules else {
            if preset == Preset::Custom {
                return Err(self.bad(
                    &[Step::Key("meeting"), Step::Key("rules")],
                    Rule::MissingField,
                    "a custom profile needs a [rules] table (ordinary, special, denominator)",
                ));
            }
            return Ok(p);
        };
        if preset == Preset::Custom && (r.ordinary.is_none() || r.special.is_none()) {
            return Err(self.bad(
                &top,
                Rule::MissingField,
                "a custom profile must give `ordinary` and `special` thresholds",
            ));
        }
        let pick = |field: &str,
                    text: &Option<String>,
                    strict: Option<bool>,
                    cur: Threshold|
         -> Result<Threshold, ImportError> {
            match text {
                Some(t) => self.fraction(field, t, strict.unwrap_or(cur.strict)),
                None => Ok(Threshold {
                    strict: strict.unwrap_or(cur.strict),
                    ..cur
                }),
            }
        };
        p.ordinary = pick("ordinary", &r.ordinary, r.ordinary_strict, p.ordinary)?;
        p.special = pick("special", &r.special, r.special_strict, p.special)?;
        p.cumulative_minimum = pick(
            "cumulative_minimum",
            &r.cumulative_minimum,
            r.cumulative_minimum_strict,
            p.cumulative_minimum,
        )?;
        if let Some(t) = &r.scheme_max_against {
            p.scheme_max_against = self.fraction("scheme_max_against", t, false)?;
        }
        if let Some(d) = &r.denominator {
            p.denominator = match d.as_str() {
                "for_against" => Denominator::ForAgainst,
                "for_against_abstain" => Denominator::ForAgainstAbstain,
                other => {
                    return Err(self.bad(
                        &[Step::Key("rules"), Step::Key("denominator")],
                        Rule::BadValue,
                        format!("{other:?} is not for_against|for_against_abstain"),
                    ))
                }
            };
        }
        if let Some(b) = r.unvoted_as_abstain {
            p.unvoted_as_abstain = b;
        }
        if let Some(b) = r.later_proxy_wins {
            p.later_proxy_wins = b;
        }
        p.validate()
            .map_err(|e| self.bad(&top, Rule::BadValue, e))?;
        Ok(p)
    }

    /// The scheme tests resolution `i` states, completed from the profile's defaults
    /// (`value_majority`: the special majority; `disinterested_max_against`: the profile's
    /// `scheme_max_against`); `None` when it states none.
    fn scheme_terms(
        &self,
        i: usize,
        r: &ResolutionSection,
        kind: &ResolutionKind,
        rules: &RulesProfile,
    ) -> Result<Option<SchemeTerms>, ImportError> {
        let at = |k: &'static str| [Step::Key("resolutions"), Step::Index(i), Step::Key(k)];
        let stated = [
            (r.headcount.is_some(), "headcount"),
            (r.value_majority.is_some(), "value_majority"),
            (r.disinterested_majority.is_some(), "disinterested_majority"),
            (
                r.disinterested_max_against.is_some(),
                "disinterested_max_against",
            ),
        ];
        let Some(&(_, first)) = stated.iter().find(|x| x.0) else {
            return Ok(None);
        };
        if *kind != ResolutionKind::Scheme {
            return Err(self.bad(
                &at(first),
                Rule::BadValue,
                "scheme tests are stated only for a resolution of kind \"scheme\"",
            ));
        }
        let value_majority = match &r.value_majority {
            Some(t) => self.fraction_at(&at("value_majority"), t, false)?,
            None => rules.special,
        };
        let disinterested_majority = match &r.disinterested_majority {
            Some(t) => Some(self.fraction_at(&at("disinterested_majority"), t, false)?),
            None => None,
        };
        let disinterested_max_against = match r.disinterested_max_against.as_deref() {
            Some("none") => None,
            Some(t) => Some(self.fraction_at(&at("disinterested_max_against"), t, false)?),
            None => Some(rules.scheme_max_against),
        };
        Ok(Some(SchemeTerms {
            headcount: r.headcount.unwrap_or(true),
            value_majority,
            disinterested_majority,
            disinterested_max_against,
        }))
    }

    /// The meeting's settings, when the file gives any.
    fn settings(
        &self,
        m: &MeetingSection,
        classes: &[ClassSection],
    ) -> Result<Option<MeetingSettings>, ImportError> {
        let mut issued = Vec::new();
        for c in classes {
            if let Some(n) = c.issued {
                issued.push(ClassIssued {
                    // Checked with the class list before this is called.
                    class: ClassId::new(c.id.clone())
                        .map_err(|e| self.bad(&[Step::Key("classes")], Rule::BadValue, e))?,
                    issued: Shares(n),
                });
            }
        }
        let class_pct_base = match m.class_pct_base.as_deref() {
            None => None,
            Some("class") => Some(ClassPctBase::Class),
            Some("total") => Some(ClassPctBase::Total),
            Some(other) => {
                return Err(self.bad(
                    &[Step::Key("meeting"), Step::Key("class_pct_base")],
                    Rule::BadValue,
                    format!("{other:?} is not class|total"),
                ))
            }
        };
        let given = !issued.is_empty()
            || m.show_abstain.is_some()
            || class_pct_base.is_some()
            || m.witness_lawyer.is_some()
            || m.partial_voting.is_some()
            || m.attendance_keeps_proxies.is_some();
        if !given {
            return Ok(None);
        }
        Ok(Some(MeetingSettings {
            issued,
            show_abstain: m.show_abstain,
            class_pct_base,
            witness_lawyer: m.witness_lawyer.clone().unwrap_or_default(),
            partial_voting: m.partial_voting.unwrap_or(false),
            attendance_keeps_proxies: m.attendance_keeps_proxies.unwrap_or(false),
        }))
    }

    fn role_of(&self, path: &[Step<'_>], text: &str) -> Result<Role, ImportError> {
        Ok(match text {
            "registrar" => Role::Registrar,
            "scrutineer" => Role::Scrutineer,
            "chair" => Role::Chair,
            "witness" => Role::Witness,
            other => match other.strip_prefix("holder:") {
                Some(h) => {
                    Role::Holder(HolderId::new(h).map_err(|e| self.bad(path, Rule::BadValue, e))?)
                }
                None => {
                    return Err(self.bad(
                        path,
                        Rule::BadValue,
                        format!("{other:?} is not registrar|scrutineer|chair|witness|holder:ID"),
                    ))
                }
            },
        })
    }

    fn resolution(
        &self,
        i: usize,
        r: &ResolutionSection,
        sittings: &[Sitting],
    ) -> Result<(Resolution, ResolutionTerms), ImportError> {
        let at = |k: &'static str| [Step::Key("resolutions"), Step::Index(i), Step::Key(k)];
        let whole = [Step::Key("resolutions"), Step::Index(i)];
        let id = ResolutionId::new(text_of(&r.id))
            .map_err(|e| self.bad(&at("id"), Rule::BadValue, e))?;
        let kind = match r.kind.as_str() {
            "ordinary" => ResolutionKind::Ordinary,
            "special" => ResolutionKind::Special,
            "scheme" => ResolutionKind::Scheme,
            "cumulative" => {
                let seats = r.seats.ok_or_else(|| {
                    self.bad(
                        &whole,
                        Rule::MissingField,
                        "a cumulative resolution needs `seats`",
                    )
                })?;
                let mut candidates = Vec::new();
                for c in &r.candidates {
                    let (cid, name) = match c {
                        CandidateEntry::Id(id) => (id.clone(), id.clone()),
                        CandidateEntry::Full { id, name } => {
                            (id.clone(), name.clone().unwrap_or_else(|| id.clone()))
                        }
                    };
                    candidates.push(Candidate {
                        id: CandidateId::new(cid)
                            .map_err(|e| self.bad(&at("candidates"), Rule::BadValue, e))?,
                        name,
                    });
                }
                ResolutionKind::Cumulative { seats, candidates }
            }
            other => {
                return Err(self.bad(
                    &at("kind"),
                    Rule::BadValue,
                    format!("{other:?} is not ordinary|special|cumulative|scheme"),
                ))
            }
        };
        let mut classes = r
            .classes
            .iter()
            .map(|c| {
                ClassId::new(c.clone()).map_err(|e| self.bad(&at("classes"), Rule::BadValue, e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let sitting = match &r.sitting {
            None => None,
            Some(name) => {
                let known = sittings.iter().find(|s| s.id.as_str() == name);
                let implicit = sittings.is_empty() && name == "general";
                match known {
                    Some(s) => {
                        // A class sitting's resolution is put to that class alone.
                        if let Some(class) = &s.class {
                            if classes.is_empty() {
                                classes.push(class.clone());
                            } else if classes != std::slice::from_ref(class) {
                                return Err(self.bad(
                                    &at("classes"),
                                    Rule::BadValue,
                                    format!(
                                        "resolution is put to the class meeting {} of class \
                                         {class}, so its classes are [\"{class}\"]",
                                        s.id
                                    ),
                                ));
                            }
                        }
                        Some(s.id.clone())
                    }
                    None if implicit => None,
                    None => {
                        let ids: Vec<&str> = sittings.iter().map(|s| s.id.as_str()).collect();
                        return Err(self.bad(
                            &at("sitting"),
                            Rule::BadValue,
                            format!(
                                "{name:?} is not a sitting of [[sittings]] (they are: {})",
                                ids.join(", ")
                            ),
                        ));
                    }
                }
            }
        };
        let votes_per_share = r
            .votes_per_share
            .iter()
            .map(|(c, v)| {
                Ok(ClassWeight {
                    class: ClassId::new(c.clone())
                        .map_err(|e| self.bad(&at("votes_per_share"), Rule::BadValue, e))?,
                    votes_per_share: *v,
                })
            })
            .collect::<Result<Vec<_>, ImportError>>()?;
        let res = Resolution {
            id,
            kind,
            title: r.title.clone(),
            classes,
            votes_per_share,
        };
        Event::ResolutionProposed(res.clone())
            .validate()
            .map_err(|e| self.bad(&whole, Rule::BadValue, e))?;
        // The scheme tests are filled in by `scheme_terms` (they need the rules profile):
        // ONE `ResolutionTerms` per resolution carries both.
        let terms = ResolutionTerms {
            resolution: res.id.clone(),
            sitting,
            scheme: None,
        };
        Ok((res, terms))
    }

    fn sitting(&self, i: usize, s: &SittingSection) -> Result<Sitting, ImportError> {
        let at = |k: &'static str| [Step::Key("sittings"), Step::Index(i), Step::Key(k)];
        let id =
            SittingId::new(s.id.clone()).map_err(|e| self.bad(&at("id"), Rule::BadValue, e))?;
        let kind = match s.kind.to_ascii_lowercase().as_str() {
            "general" => SittingKind::General,
            "class" => SittingKind::Class,
            other => {
                return Err(self.bad(
                    &at("kind"),
                    Rule::BadValue,
                    format!("{other:?} is not general|class"),
                ))
            }
        };
        let class = match (&s.class, kind) {
            (Some(c), SittingKind::Class) => Some(
                ClassId::new(c.clone()).map_err(|e| self.bad(&at("class"), Rule::BadValue, e))?,
            ),
            (None, SittingKind::General) => None,
            (Some(_), SittingKind::General) => {
                return Err(self.bad(
                    &at("class"),
                    Rule::BadValue,
                    "a general sitting names no class",
                ))
            }
            (None, SittingKind::Class) => {
                return Err(self.bad(
                    &[Step::Key("sittings"), Step::Index(i)],
                    Rule::MissingField,
                    "a class sitting needs `class`",
                ))
            }
        };
        let sitting = Sitting {
            id,
            kind,
            class,
            title: s.title.clone(),
        };
        Event::SittingConvened(sitting.clone())
            .validate()
            .map_err(|e| self.bad(&[Step::Key("sittings"), Step::Index(i)], Rule::BadValue, e))?;
        Ok(sitting)
    }
}

/// A text value that TOML may also have parsed as a number or a date (`date = 2022-08-24`).
fn text_of(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        other => other.to_string(),
    }
}

/// A TOML error (syntax, a missing field, a wrong type) at toml's own position, with toml's
/// own text (which shows the offending line).
fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> ImportError {
    let (line, column) = line_col(text, e.span().map_or(0, |s| s.start));
    ImportError::new(file, line, column, Rule::BadToml, e.to_string().trim_end())
}

/// Parses the text of a meeting file named `file` (for messages). `registrar` becomes the
/// genesis registrar; `vkey` turns an `[[authorities]]` key (a vkey string) into the key it
/// names, or says why it cannot (this crate does not know the key format: the caller does).
///
/// # Errors
/// The first thing wrong in the file, as an [`ImportError`] naming its line and column: not
/// TOML or a field of the wrong type (`bad-toml`), a field that nearly spells one scrutin
/// reads (`misspelt-field`), a missing table or field (`missing-field`), or a value scrutin
/// refuses (`bad-value`).
pub fn parse_meeting(
    file: &str,
    text: &str,
    registrar: AuthorKey,
    vkey: &dyn Fn(&str) -> Result<AuthorKey, String>,
) -> Result<MeetingPlan, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = Doc::parse(text).map_err(|e| toml_error(file, text, &e))?;
    // Near misses first: `[rule]` for `[rules]` should not surface as some other complaint.
    let ignored_fields = doc.unknown_fields(file, text)?;
    let cx = Ctx { file, text, doc };
    let parsed: FileDoc = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    let m = &parsed.meeting;
    let at = |k: &'static str| [Step::Key("meeting"), Step::Key(k)];
    let kind = match m.kind.to_ascii_uppercase().as_str() {
        "AGM" => MeetingKind::Agm,
        "EGM" => MeetingKind::Egm,
        "CLASS" => MeetingKind::Class,
        "SGM" => MeetingKind::Sgm,
        "COURT" => MeetingKind::Court,
        other => {
            return Err(cx.bad(
                &at("kind"),
                Rule::BadValue,
                format!("{other:?} is not AGM|EGM|SGM|CLASS|COURT"),
            ))
        }
    };
    let preset = Preset::parse(&m.rules).map_err(|e| cx.bad(&at("rules"), Rule::BadValue, e))?;
    let decimals = m.decimals.unwrap_or(4);
    let rules = cx.rules_profile(preset, decimals, parsed.rules.as_ref())?;
    let date = Date::new(text_of(&m.date)).map_err(|e| cx.bad(&at("date"), Rule::BadValue, e))?;
    let record_date = Date::new(text_of(&m.record_date))
        .map_err(|e| cx.bad(&at("record_date"), Rule::BadValue, e))?;
    let proxy_deadline = UtcMillis::parse_rfc3339("proxy_deadline", &text_of(&m.proxy_deadline))
        .map_err(|e| cx.bad(&at("proxy_deadline"), Rule::BadValue, e))?;
    if parsed.classes.is_empty() {
        return Err(cx.bad(
            &[Step::Key("classes")],
            Rule::MissingField,
            "at least one [[classes]] entry is needed",
        ));
    }
    let mut classes = Vec::new();
    for (i, c) in parsed.classes.iter().enumerate() {
        let path = [Step::Key("classes"), Step::Index(i)];
        let id = ClassId::new(c.id.clone()).map_err(|e| cx.bad(&path, Rule::BadValue, e))?;
        if classes.iter().any(|k: &ShareClass| k.id == id) {
            return Err(cx.bad(&path, Rule::BadValue, format!("duplicate class id {id}")));
        }
        let votes_per_share = c.votes_per_share.unwrap_or(1);
        if votes_per_share == 0 {
            return Err(cx.bad(&path, Rule::BadValue, "votes_per_share must be at least 1"));
        }
        classes.push(ShareClass {
            name: c.name.clone().unwrap_or_else(|| format!("{id} shares")),
            id,
            votes_per_share,
        });
    }
    let mut sittings: Vec<Sitting> = Vec::new();
    for (i, s) in parsed.sittings.iter().enumerate() {
        let sitting = cx.sitting(i, s)?;
        if let Some(class) = sitting.class.as_ref() {
            if !classes.iter().any(|k| &k.id == class) {
                return Err(cx.bad(
                    &[Step::Key("sittings"), Step::Index(i), Step::Key("class")],
                    Rule::BadValue,
                    format!("class {class} is not one of [[classes]]"),
                ));
            }
        }
        if sittings.iter().any(|x| x.id == sitting.id) {
            return Err(cx.bad(
                &[Step::Key("sittings"), Step::Index(i), Step::Key("id")],
                Rule::BadValue,
                format!("duplicate sitting id {}", sitting.id),
            ));
        }
        sittings.push(sitting);
    }
    let mut resolutions = Vec::new();
    let mut terms = Vec::new();
    for (i, r) in parsed.resolutions.iter().enumerate() {
        let (res, mut t) = cx.resolution(i, r, &sittings)?;
        t.scheme = cx.scheme_terms(i, r, &res.kind, &rules)?;
        resolutions.push(res);
        terms.push(t);
    }
    let settings = cx.settings(m, &parsed.classes)?;
    let mut authorities = Vec::new();
    for (i, a) in parsed.authorities.iter().enumerate() {
        let path = [Step::Key("authorities"), Step::Index(i)];
        let key = vkey(&a.key)
            .map_err(|e| cx.bad(&[path[0], path[1], Step::Key("key")], Rule::BadValue, e))?;
        let role = cx.role_of(&[path[0], path[1], Step::Key("role")], &a.role)?;
        authorities.push((key, role));
    }
    let convened = MeetingConvened {
        id: m.id.clone(),
        issuer: m.issuer.clone(),
        stock_code: text_of(&m.stock_code),
        kind,
        date,
        rules,
        classes,
        record_date,
        proxy_deadline,
        registrar,
        scrutineer: m.scrutineer.clone().unwrap_or_default(),
    };
    Event::MeetingConvened(convened.clone())
        .validate()
        .map_err(|e| cx.bad(&[Step::Key("meeting")], Rule::BadValue, e))?;
    if convened.id.is_empty() || convened.id.contains(char::is_whitespace) {
        return Err(cx.bad(
            &at("id"),
            Rule::BadValue,
            "must be non-empty without whitespace (it names the log)",
        ));
    }
    Ok(MeetingPlan {
        convened,
        authorities,
        resolutions,
        settings,
        sittings,
        terms,
        ignored_fields,
    })
}

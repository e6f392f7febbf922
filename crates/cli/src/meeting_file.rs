//! `meeting.toml` (DESIGN.md interchange format) -> the genesis event, the authorities and the
//! resolutions that `scrutin init` records.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use scrutin_model::{
    AuthorKey, Candidate, CandidateId, ClassId, ClassWeight, Date, Denominator, Event,
    MeetingConvened, MeetingKind, Preset, Resolution, ResolutionId, ResolutionKind, Role,
    RulesProfile, ShareClass, Threshold, UtcMillis,
};

use crate::error::CliError;

/// What `init` records, in order: genesis, then grants, then resolutions.
#[derive(Debug)]
pub(crate) struct MeetingPlan {
    /// The genesis event (its `registrar` is the key passed to init).
    pub(crate) convened: MeetingConvened,
    /// Keys named in `[[authorities]]`, with their role.
    pub(crate) authorities: Vec<(AuthorKey, Role)>,
    /// The resolutions, in file order.
    pub(crate) resolutions: Vec<Resolution>,
}

impl MeetingPlan {
    /// Whether the file names a scrutineer key (then the registrar is not made scrutineer).
    pub(crate) fn names_scrutineer(&self) -> bool {
        self.authorities
            .iter()
            .any(|(_, r)| matches!(r, Role::Scrutineer))
    }

    /// The events after genesis: grants (the registrar as scrutineer unless the file names
    /// one), then every `ResolutionProposed`.
    pub(crate) fn events_after_genesis(&self) -> Vec<Event> {
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
        for r in &self.resolutions {
            out.push(Event::ResolutionProposed(r.clone()));
        }
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
}

#[derive(Deserialize)]
struct ClassSection {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    votes_per_share: Option<u32>,
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

/// Reads and checks a meeting file; `registrar` becomes the genesis registrar.
pub(crate) fn load(path: &Path, registrar: AuthorKey) -> Result<MeetingPlan, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Io(format!("{}: {e}", path.display())))?;
    let file = path.display().to_string();
    let plan = parse(&file, &text, registrar)?;
    for w in unknown_fields(&text) {
        eprintln!("scrutin: warning: {file}: {w}: not a field scrutin reads (ignored)");
    }
    Ok(plan)
}

/// The fields of each table scrutin reads, by table name.
const KNOWN_FIELDS: &[(&str, &[&str])] = &[
    (
        "",
        &["meeting", "classes", "resolutions", "rules", "authorities"],
    ),
    (
        "meeting",
        &[
            "id",
            "issuer",
            "stock_code",
            "kind",
            "date",
            "rules",
            "decimals",
            "record_date",
            "proxy_deadline",
            "scrutineer",
        ],
    ),
    ("classes", &["id", "name", "votes_per_share"]),
    (
        "resolutions",
        &[
            "id",
            "kind",
            "title",
            "classes",
            "votes_per_share",
            "seats",
            "candidates",
        ],
    ),
    (
        "rules",
        &[
            "ordinary",
            "ordinary_strict",
            "special",
            "special_strict",
            "denominator",
            "unvoted_as_abstain",
            "later_proxy_wins",
            "cumulative_minimum",
            "cumulative_minimum_strict",
            "scheme_max_against",
        ],
    ),
    ("authorities", &["key", "role"]),
];

/// Fields the meeting file has but scrutin does not read. Extra fields are allowed (DESIGN.md),
/// but `vote_per_share = 10` for `votes_per_share` would silently count a weighted class at one
/// vote a share: name each one so a typo is seen before the meeting is recorded.
fn unknown_fields(text: &str) -> Vec<String> {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let known = |table: &str, key: &str| {
        KNOWN_FIELDS
            .iter()
            .any(|(t, keys)| *t == table && keys.contains(&key))
    };
    let mut out = Vec::new();
    for (key, value) in &doc {
        if !known("", key) {
            out.push(key.clone());
            continue;
        }
        let tables: Vec<(String, &toml::Table)> = match value {
            toml::Value::Table(t) => vec![(key.clone(), t)],
            toml::Value::Array(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.as_table().map(|t| (format!("{key}[{i}]"), t)))
                .collect(),
            _ => Vec::new(),
        };
        for (at, table) in tables {
            for field in table.keys() {
                if !known(key, field) {
                    out.push(format!("{at}.{field}"));
                }
            }
        }
    }
    out
}

fn bad(file: &str, field: &str, msg: impl std::fmt::Display) -> CliError {
    CliError::Usage(format!("{file}: {field}: {msg}"))
}

/// A text value that TOML may also have parsed as a number or a date (`date = 2022-08-24`).
fn text_of(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        other => other.to_string(),
    }
}

/// Parses `"1/2"` into a threshold with the given strictness.
fn fraction(file: &str, field: &str, text: &str, strict: bool) -> Result<Threshold, CliError> {
    let (n, d) = text.split_once('/').ok_or_else(|| {
        bad(
            file,
            field,
            format!("{text:?} is not a fraction like \"1/2\""),
        )
    })?;
    let num: u32 = n
        .trim()
        .parse()
        .map_err(|_| bad(file, field, format!("{text:?}: bad numerator")))?;
    let den: u32 = d
        .trim()
        .parse()
        .map_err(|_| bad(file, field, format!("{text:?}: bad denominator")))?;
    Threshold::new(num, den, strict).map_err(|e| bad(file, field, e))
}

fn rules_profile(
    file: &str,
    preset: Preset,
    decimals: u8,
    rules: Option<&RulesSection>,
) -> Result<RulesProfile, CliError> {
    let mut p = RulesProfile::preset(preset, decimals);
    let Some(r) = rules else {
        if preset == Preset::Custom {
            return Err(bad(
                file,
                "rules",
                "a custom profile needs a [rules] table (ordinary, special, denominator)",
            ));
        }
        return Ok(p);
    };
    if preset == Preset::Custom && (r.ordinary.is_none() || r.special.is_none()) {
        return Err(bad(
            file,
            "rules",
            "a custom profile must give `ordinary` and `special` thresholds",
        ));
    }
    let pick = |field: &str,
                text: &Option<String>,
                strict: Option<bool>,
                cur: Threshold|
     -> Result<Threshold, CliError> {
        match text {
            Some(t) => fraction(file, field, t, strict.unwrap_or(cur.strict)),
            None => Ok(Threshold {
                strict: strict.unwrap_or(cur.strict),
                ..cur
            }),
        }
    };
    p.ordinary = pick("rules.ordinary", &r.ordinary, r.ordinary_strict, p.ordinary)?;
    p.special = pick("rules.special", &r.special, r.special_strict, p.special)?;
    p.cumulative_minimum = pick(
        "rules.cumulative_minimum",
        &r.cumulative_minimum,
        r.cumulative_minimum_strict,
        p.cumulative_minimum,
    )?;
    if let Some(t) = &r.scheme_max_against {
        p.scheme_max_against = fraction(file, "rules.scheme_max_against", t, false)?;
    }
    if let Some(d) = &r.denominator {
        p.denominator = match d.as_str() {
            "for_against" => Denominator::ForAgainst,
            "for_against_abstain" => Denominator::ForAgainstAbstain,
            other => {
                return Err(bad(
                    file,
                    "rules.denominator",
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
    p.validate().map_err(|e| bad(file, "rules", e))?;
    Ok(p)
}

fn role_of(file: &str, field: &str, text: &str) -> Result<Role, CliError> {
    Ok(match text {
        "registrar" => Role::Registrar,
        "scrutineer" => Role::Scrutineer,
        "chair" => Role::Chair,
        "witness" => Role::Witness,
        other => match other.strip_prefix("holder:") {
            Some(h) => {
                Role::Holder(scrutin_model::HolderId::new(h).map_err(|e| bad(file, field, e))?)
            }
            None => {
                return Err(bad(
                    file,
                    field,
                    format!("{other:?} is not registrar|scrutineer|chair|witness|holder:ID"),
                ))
            }
        },
    })
}

/// Parses the text of a meeting file named `file` (for messages).
pub(crate) fn parse(file: &str, text: &str, registrar: AuthorKey) -> Result<MeetingPlan, CliError> {
    let doc: FileDoc = toml::from_str(text).map_err(|e| {
        // toml's message already carries "line N, column M" and the offending snippet.
        CliError::Usage(format!("{file}: {}", e.to_string().trim_end()))
    })?;
    let m = &doc.meeting;
    let kind = match m.kind.to_ascii_uppercase().as_str() {
        "AGM" => MeetingKind::Agm,
        "EGM" => MeetingKind::Egm,
        "CLASS" => MeetingKind::Class,
        other => {
            return Err(bad(
                file,
                "meeting.kind",
                format!("{other:?} is not AGM|EGM|CLASS"),
            ))
        }
    };
    let preset = Preset::parse(&m.rules).map_err(|e| bad(file, "meeting.rules", e))?;
    let decimals = m.decimals.unwrap_or(4);
    let rules = rules_profile(file, preset, decimals, doc.rules.as_ref())?;
    let date = Date::new(text_of(&m.date)).map_err(|e| bad(file, "meeting.date", e))?;
    let record_date =
        Date::new(text_of(&m.record_date)).map_err(|e| bad(file, "meeting.record_date", e))?;
    let proxy_deadline = UtcMillis::parse_rfc3339("proxy_deadline", &text_of(&m.proxy_deadline))
        .map_err(|e| bad(file, "meeting.proxy_deadline", e))?;
    if doc.classes.is_empty() {
        return Err(bad(
            file,
            "classes",
            "at least one [[classes]] entry is needed",
        ));
    }
    let mut classes = Vec::new();
    for (i, c) in doc.classes.iter().enumerate() {
        let field = format!("classes[{i}]");
        let id = ClassId::new(c.id.clone()).map_err(|e| bad(file, &field, e))?;
        if classes.iter().any(|k: &ShareClass| k.id == id) {
            return Err(bad(file, &field, format!("duplicate class id {id}")));
        }
        let votes_per_share = c.votes_per_share.unwrap_or(1);
        if votes_per_share == 0 {
            return Err(bad(file, &field, "votes_per_share must be at least 1"));
        }
        classes.push(ShareClass {
            name: c.name.clone().unwrap_or_else(|| format!("{id} shares")),
            id,
            votes_per_share,
        });
    }
    let mut resolutions = Vec::new();
    for (i, r) in doc.resolutions.iter().enumerate() {
        resolutions.push(resolution(file, i, r)?);
    }
    let mut authorities = Vec::new();
    for (i, a) in doc.authorities.iter().enumerate() {
        let field = format!("authorities[{i}]");
        let v = scrutin_log::NoteVerifier::parse(&a.key).map_err(|e| bad(file, &field, e))?;
        let role = role_of(file, &field, &a.role)?;
        authorities.push((AuthorKey(*v.public_key().as_bytes()), role));
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
    let genesis = Event::MeetingConvened(convened);
    genesis.validate().map_err(|e| bad(file, "meeting", e))?;
    let Event::MeetingConvened(convened) = genesis else {
        return Err(bad(file, "meeting", "internal: genesis"));
    };
    if convened.id.is_empty() || convened.id.contains(char::is_whitespace) {
        return Err(bad(
            file,
            "meeting.id",
            "must be non-empty without whitespace (it names the log)",
        ));
    }
    Ok(MeetingPlan {
        convened,
        authorities,
        resolutions,
    })
}

fn resolution(file: &str, i: usize, r: &ResolutionSection) -> Result<Resolution, CliError> {
    let field = format!("resolutions[{i}]");
    let id = ResolutionId::new(text_of(&r.id)).map_err(|e| bad(file, &field, e))?;
    let kind = match r.kind.as_str() {
        "ordinary" => ResolutionKind::Ordinary,
        "special" => ResolutionKind::Special,
        "scheme" => ResolutionKind::Scheme,
        "cumulative" => {
            let seats = r
                .seats
                .ok_or_else(|| bad(file, &field, "a cumulative resolution needs `seats`"))?;
            let mut candidates = Vec::new();
            for c in &r.candidates {
                let (cid, name) = match c {
                    CandidateEntry::Id(id) => (id.clone(), id.clone()),
                    CandidateEntry::Full { id, name } => {
                        (id.clone(), name.clone().unwrap_or_else(|| id.clone()))
                    }
                };
                candidates.push(Candidate {
                    id: CandidateId::new(cid).map_err(|e| bad(file, &field, e))?,
                    name,
                });
            }
            ResolutionKind::Cumulative { seats, candidates }
        }
        other => {
            return Err(bad(
                file,
                &format!("{field}.kind"),
                format!("{other:?} is not ordinary|special|cumulative|scheme"),
            ))
        }
    };
    let classes = r
        .classes
        .iter()
        .map(|c| ClassId::new(c.clone()).map_err(|e| bad(file, &field, e)))
        .collect::<Result<Vec<_>, _>>()?;
    let votes_per_share = r
        .votes_per_share
        .iter()
        .map(|(c, v)| {
            Ok(ClassWeight {
                class: ClassId::new(c.clone()).map_err(|e| bad(file, &field, e))?,
                votes_per_share: *v,
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    let res = Resolution {
        id,
        kind,
        title: r.title.clone(),
        classes,
        votes_per_share,
    };
    Event::ResolutionProposed(res.clone())
        .validate()
        .map_err(|e| bad(file, &field, e))?;
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JLMAG: &str = include_str!("../fixtures/jlmag/meeting.toml");

    #[test]
    fn parses_the_seed_meeting() {
        let plan = parse("meeting.toml", JLMAG, AuthorKey([7; 32])).unwrap();
        assert_eq!(plan.convened.stock_code, "06680");
        assert_eq!(plan.convened.rules.preset, Preset::Prc);
        assert_eq!(plan.convened.rules.decimals, 4);
        assert_eq!(plan.convened.classes.len(), 2);
        assert_eq!(plan.resolutions.len(), 1);
        // registrar doubles as scrutineer, then one resolution
        assert_eq!(plan.events_after_genesis().len(), 2);
    }

    #[test]
    fn custom_rules_and_overrides() {
        let text = r#"
[meeting]
id = "m1"
issuer = "X"
stock_code = "00001"
kind = "AGM"
date = 2024-05-01
rules = "custom"
decimals = 2
record_date = "2024-04-25"
proxy_deadline = 2024-04-29T10:00:00+08:00
[[classes]]
id = "ordinary"
[[classes]]
id = "Y"
votes_per_share = 10
[[resolutions]]
id = 1
kind = "special"
title = "Amend articles"
votes_per_share = { Y = 1 }
[[resolutions]]
id = "2"
kind = "cumulative"
title = "Elect directors"
seats = 2
candidates = ["C1", { id = "C2", name = "Ms Two" }]
[rules]
ordinary = "1/2"
special = "3/4"
special_strict = true
denominator = "for_against_abstain"
"#;
        let plan = parse("m.toml", text, AuthorKey([1; 32])).unwrap();
        let r = &plan.convened.rules;
        assert_eq!(r.special, Threshold::new(3, 4, true).unwrap());
        assert_eq!(r.denominator, Denominator::ForAgainstAbstain);
        assert_eq!(plan.convened.date.as_str(), "2024-05-01");
        assert_eq!(plan.resolutions[0].id.as_str(), "1");
        assert_eq!(plan.resolutions[0].votes_per_share.len(), 1);
        match &plan.resolutions[1].kind {
            ResolutionKind::Cumulative { seats, candidates } => {
                assert_eq!(*seats, 2);
                assert_eq!(candidates[1].name, "Ms Two");
            }
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn errors_name_the_field_or_position() {
        let e = parse("m.toml", "[meeting]\nid = ", AuthorKey([1; 32])).unwrap_err();
        assert!(e.to_string().contains("m.toml"), "{e}");
        assert!(e.to_string().contains("line"), "{e}");
        let bad_kind = JLMAG.replace("kind = \"EGM\"", "kind = \"XGM\"");
        let e = parse("m.toml", &bad_kind, AuthorKey([1; 32])).unwrap_err();
        assert!(e.to_string().contains("meeting.kind"), "{e}");
        let bad_rules = JLMAG.replace("rules = \"prc\"", "rules = \"custom\"");
        let e = parse("m.toml", &bad_rules, AuthorKey([1; 32])).unwrap_err();
        assert!(e.to_string().contains("[rules]"), "{e}");
    }
}

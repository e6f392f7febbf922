//! The meeting file's shape: the fields scrutin reads in each table, the fields it does not
//! (warnings, or errors when they nearly spell a known one), and where a field is in the text.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::error::{shown, ImportError, Rule};
use crate::near::near_miss;

/// The fields of each table scrutin reads, by table name (`""` is the top level).
const KNOWN_FIELDS: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "meeting",
            "classes",
            "resolutions",
            "rules",
            "authorities",
            "sittings",
        ],
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
            "show_abstain",
            "class_pct_base",
            "witness_lawyer",
            "partial_voting",
            "attendance_keeps_proxies",
        ],
    ),
    ("classes", &["id", "name", "votes_per_share", "issued"]),
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
            "headcount",
            "value_majority",
            "disinterested_majority",
            "disinterested_max_against",
            "sitting",
        ],
    ),
    ("sittings", &["id", "kind", "class", "title"]),
    ("candidates", &["id", "name"]),
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

fn known(table: &str) -> &'static [&'static str] {
    KNOWN_FIELDS
        .iter()
        .find(|(t, _)| *t == table)
        .map_or(&[], |(_, k)| k)
}

/// Every field name scrutin reads in some table: such a name is never a near miss.
fn all_known() -> Vec<&'static str> {
    KNOWN_FIELDS
        .iter()
        .flat_map(|(_, k)| k.iter().copied())
        .collect()
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() as u64 + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[start..].chars().count() as u64 + 1;
    (line, column)
}

/// One step of a path into the document: a key, or an index into an array.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step<'a> {
    /// A table key.
    Key(&'a str),
    /// An array element.
    Index(usize),
}

/// The parsed document with spans, to place errors on the field they concern.
pub(crate) struct Doc<'i> {
    root: Spanned<DeTable<'i>>,
}

impl<'i> Doc<'i> {
    /// Parses the text (syntax only).
    pub(crate) fn parse(text: &'i str) -> Result<Self, toml::de::Error> {
        Ok(Doc {
            root: DeTable::parse(text)?,
        })
    }

    /// The span of the value at `path`, or of its deepest ancestor present.
    pub(crate) fn span(&self, path: &[Step<'_>]) -> Range<usize> {
        let mut span = 0..0;
        let mut table = Some(self.root.get_ref());
        let mut array: Option<&[Spanned<DeValue<'i>>]> = None;
        for step in path {
            let next = match (*step, table, array) {
                (Step::Key(k), Some(t), _) => t
                    .iter()
                    .find(|(key, _)| key.get_ref().as_ref() == k)
                    .map(|(_, v)| v),
                (Step::Index(i), _, Some(a)) => a.get(i),
                _ => None,
            };
            let Some(v) = next else { break };
            span = v.span();
            table = v.get_ref().as_table();
            array = v.get_ref().as_array().map(|a| &a[..]);
        }
        span
    }

    /// Every field scrutin does not read, as `path`, in file order; the first one that nearly
    /// spells a field of its table is an error instead.
    pub(crate) fn unknown_fields(
        &self,
        file: &str,
        text: &str,
    ) -> Result<Vec<String>, ImportError> {
        let all = all_known();
        let mut found: Vec<(usize, String, Option<&'static str>)> = Vec::new();
        let mut scan = |table: &str, at: &str, t: &DeTable<'_>| {
            for (key, _) in t.iter() {
                let name = key.get_ref().as_ref();
                if known(table).contains(&name) {
                    continue;
                }
                let path = if at.is_empty() {
                    name.to_owned()
                } else {
                    format!("{at}.{name}")
                };
                found.push((key.span().start, path, near_miss(name, known(table), &all)));
            }
        };
        let root = self.root.get_ref();
        scan("", "", root);
        for (key, value) in root.iter() {
            let name = key.get_ref().as_ref();
            if !known("").contains(&name) {
                continue;
            }
            let mut tables: Vec<(String, &DeTable<'_>)> = Vec::new();
            match value.get_ref() {
                DeValue::Table(t) => tables.push((name.to_owned(), t)),
                DeValue::Array(items) => {
                    tables.extend(items.iter().enumerate().filter_map(|(i, v)| {
                        v.get_ref().as_table().map(|t| (format!("{name}[{i}]"), t))
                    }))
                }
                _ => {}
            }
            for (at, t) in tables {
                scan(name, &at, t);
                // A cumulative resolution's `{ id, name }` candidates are a table level too.
                if name != "resolutions" {
                    continue;
                }
                let candidates = t
                    .iter()
                    .find(|(k, _)| k.get_ref().as_ref() == "candidates")
                    .and_then(|(_, v)| v.get_ref().as_array());
                for (j, c) in candidates.into_iter().flatten().enumerate() {
                    if let Some(ct) = c.get_ref().as_table() {
                        scan("candidates", &format!("{at}.candidates[{j}]"), ct);
                    }
                }
            }
        }
        found.sort_by_key(|(at, _, _)| *at);
        let mut ignored = Vec::new();
        for (at, path, meant) in found {
            if let Some(meant) = meant {
                let (line, column) = line_col(text, at);
                return Err(ImportError::new(
                    file,
                    line,
                    column,
                    Rule::MisspeltField,
                    format!(
                        "`{}` is not a field scrutin reads; did you mean `{meant}`? (as written \
                         it would be ignored)",
                        shown(&path)
                    ),
                ));
            }
            ignored.push(shown(&path));
        }
        Ok(ignored)
    }
}

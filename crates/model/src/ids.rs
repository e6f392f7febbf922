//! Domain newtypes: identifiers, share and vote counts, times and dates.

use std::fmt;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::ModelError;

/// Longest identifier accepted, in bytes.
pub const MAX_ID_LEN: usize = 128;

fn check_id(kind: &'static str, value: &str) -> Result<(), ModelError> {
    let fail = |reason| {
        Err(ModelError::InvalidId {
            kind,
            value: value.to_owned(),
            reason,
        })
    };
    if value.is_empty() {
        return fail("must not be empty");
    }
    if value.len() > MAX_ID_LEN {
        return fail("longer than 128 bytes");
    }
    if value.trim() != value {
        return fail("leading or trailing whitespace");
    }
    if value.chars().any(char::is_control) {
        return fail("control characters");
    }
    Ok(())
}

/// A validated string newtype: the type's own `check` states its invariant; this provides the
/// constructor, `as_str`, `validate` (re-check after decoding) and the conversions.
macro_rules! checked_string {
    ($(#[$doc:meta])* $name:ident, $invariant:literal) => {
        $(#[$doc])*
        ///
        #[doc = concat!("INVARIANT: ", $invariant)]
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps the text.
            ///
            /// # Errors
            /// The [`ModelError`] of the broken invariant.
            pub fn new(value: impl Into<String>) -> Result<Self, ModelError> {
                let value = value.into();
                Self::check(&value)?;
                Ok(Self(value))
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Re-checks the invariant (used after decoding).
            ///
            /// # Errors
            /// The [`ModelError`] of the broken invariant.
            pub fn validate(&self) -> Result<(), ModelError> {
                Self::check(&self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ModelError;
            fn try_from(value: String) -> Result<Self, ModelError> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = ModelError;
            fn from_str(s: &str) -> Result<Self, ModelError> {
                Self::new(s)
            }
        }
    };
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        checked_string!(
            $(#[$doc])* $name,
            "1 to 128 bytes of UTF-8, no control characters, no surrounding whitespace."
        );
    };
}

id_type!(
    /// A registered holder (member) of the company, as the register names them.
    /// The id `treasury` marks the company's own (treasury) shares, which carry no votes.
    /// A holder id never starts with `proxy:` (that prefix names a proxy in ballot files).
    HolderId, "holder id"
);
id_type!(
    /// A share class ("A", "H", "Y", "Z", "ordinary").
    ClassId, "class id"
);
id_type!(
    /// A resolution, as numbered in the notice ("1", "2(a)", "5.1").
    ResolutionId, "resolution id"
);
id_type!(
    /// One proxy appointment (one lodged proxy form), unique within a meeting.
    ProxyId, "proxy id"
);
id_type!(
    /// A candidate in a cumulative (director election) resolution.
    CandidateId, "candidate id"
);
id_type!(
    /// A sitting of the meeting: the general meeting, or a class meeting held beside it
    /// ("egm", "h-class"). A meeting without declared sittings has one general sitting.
    SittingId, "sitting id"
);

impl HolderId {
    /// The reserved holder id of treasury shares.
    pub const TREASURY: &'static str = "treasury";
    /// The prefix that marks a proxy in a ballot's voter column; no holder id may start with it.
    pub const PROXY_PREFIX: &'static str = "proxy:";

    fn check(value: &str) -> Result<(), ModelError> {
        check_id("holder id", value)?;
        if value.starts_with(Self::PROXY_PREFIX) {
            return Err(ModelError::InvalidId {
                kind: "holder id",
                value: value.to_owned(),
                reason: "must not start with \"proxy:\" (reserved for proxies)",
            });
        }
        Ok(())
    }

    /// Whether this is the reserved treasury holder, whose shares carry no votes.
    pub fn is_treasury(&self) -> bool {
        self.0 == Self::TREASURY
    }
}

macro_rules! plain_id_check {
    ($($name:ident, $kind:literal);*) => {
        $(impl $name {
            fn check(value: &str) -> Result<(), ModelError> {
                check_id($kind, value)
            }
        })*
    };
}
plain_id_check!(ClassId, "class id"; ResolutionId, "resolution id"; ProxyId, "proxy id"; CandidateId, "candidate id"; SittingId, "sitting id");

/// A number of shares. Sums of shares are taken in `u128` by the tally, so no total overflows.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Encode,
    Decode,
    Serialize,
    Deserialize,
)]
#[serde(transparent)]
pub struct Shares(pub u64);

impl Shares {
    /// No shares.
    pub const ZERO: Shares = Shares(0);

    /// The count.
    pub fn get(self) -> u64 {
        self.0
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Shares) -> Option<Shares> {
        self.0.checked_add(other.0).map(Shares)
    }

    /// `self - other`, or `None` if `other` is larger.
    pub fn checked_sub(self, other: Shares) -> Option<Shares> {
        self.0.checked_sub(other.0).map(Shares)
    }

    /// The votes these shares carry at `per_share` votes each (exact, in `u128`).
    pub fn votes(self, per_share: u32) -> u128 {
        u128::from(self.0) * u128::from(per_share)
    }
}

impl fmt::Display for Shares {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&group_thousands(u128::from(self.0)))
    }
}

/// A number of votes (cumulative allocations are in votes: shares times seats).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Encode,
    Decode,
    Serialize,
    Deserialize,
)]
#[serde(transparent)]
pub struct Votes(pub u64);

impl Votes {
    /// The count.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Votes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&group_thousands(u128::from(self.0)))
    }
}

/// Formats an integer with comma thousands separators, as announcements print counts
/// (`516237845` -> `516,237,845`).
pub fn group_thousands(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A UTC instant in milliseconds since the Unix epoch. Time enters the model only as data.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Encode,
    Decode,
    Serialize,
    Deserialize,
)]
#[serde(transparent)]
pub struct UtcMillis(pub u64);

impl UtcMillis {
    /// Parses an RFC 3339 timestamp (`2022-08-22T14:30:00+08:00`) into UTC milliseconds.
    ///
    /// # Errors
    /// [`ModelError::InvalidField`] when the text is not RFC 3339 or is before 1970.
    pub fn parse_rfc3339(field: &'static str, text: &str) -> Result<UtcMillis, ModelError> {
        let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .map_err(|e| ModelError::InvalidField {
            field,
            reason: format!("{text:?} is not an RFC 3339 timestamp ({e})"),
        })?;
        let ms = t.unix_timestamp_nanos() / 1_000_000;
        u64::try_from(ms)
            .map(UtcMillis)
            .map_err(|_| ModelError::InvalidField {
                field,
                reason: format!("{text:?} is before 1970"),
            })
    }

    /// Formats as RFC 3339 in UTC with millisecond precision (`2022-08-22T06:30:00.000Z`).
    pub fn to_rfc3339(self) -> String {
        let nanos = i128::from(self.0) * 1_000_000;
        match time::OffsetDateTime::from_unix_timestamp_nanos(nanos) {
            Ok(t) => {
                let fmt = time::macros::format_description!(
                    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
                );
                t.format(&fmt).unwrap_or_else(|_| format!("{}ms", self.0))
            }
            Err(_) => format!("{}ms", self.0),
        }
    }
}

checked_string!(
    /// A calendar date `YYYY-MM-DD` (meeting date, record date).
    Date,
    "a valid proleptic Gregorian date written as `YYYY-MM-DD`."
);

impl Date {
    fn check(value: &str) -> Result<(), ModelError> {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(value, &fmt)
            .map(|_| ())
            .map_err(|e| ModelError::InvalidField {
                field: "date",
                reason: format!("{value:?} is not a YYYY-MM-DD date ({e})"),
            })
    }
}

/// An ed25519 public key, as raw bytes: who authored an event or holds an authority.
/// The model does no cryptography; `scrutin-log` checks signatures.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
pub struct AuthorKey(pub [u8; 32]);

impl fmt::Debug for AuthorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthorKey({self})")
    }
}

impl fmt::Display for AuthorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

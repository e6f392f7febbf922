//! The CSV kinds on the command line, and where in a row a rule the ledger refused points.
//! Parsing is `scrutin-interchange`'s.

use scrutin_interchange::{ImportError, Origin};

use crate::error::CliError;

/// Which CSV file is imported (the `import` argument).
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

impl From<CsvKind> for scrutin_interchange::CsvKind {
    fn from(k: CsvKind) -> Self {
        match k {
            CsvKind::Register => scrutin_interchange::CsvKind::Register,
            CsvKind::Abstentions => scrutin_interchange::CsvKind::Abstentions,
            CsvKind::Proxies => scrutin_interchange::CsvKind::Proxies,
            CsvKind::Ballots => scrutin_interchange::CsvKind::Ballots,
        }
    }
}

/// A file that does not parse is exit 2; a meeting rule found while grouping rows
/// (`duplicate-candidate`) is a refusal like the ledger's, exit 1.
pub(crate) fn import_err(e: &ImportError) -> CliError {
    if e.rule.is_meeting_rule() {
        CliError::Refused(format!("{e} (nothing from {} was recorded)", e.file))
    } else {
        CliError::Usage(e.to_string())
    }
}

/// The column a broken rule most likely concerns, from its stable code.
pub(crate) fn column_for(origin: &Origin, rule: &str) -> u32 {
    let pick = if rule.contains("resolution") || rule.contains("poll") {
        origin.resolution
    } else if rule.contains("class") {
        origin.class
    } else if rule == "zero-proxy-shares" {
        origin.amount
    } else if rule.contains("holder")
        || rule.contains("voter")
        || rule.contains("proxy")
        || rule.contains("unauthori")
        || rule.contains("attend")
        || rule.contains("duplicate")
        || rule.contains("register")
        || rule.contains("treasury")
    {
        origin.who
    } else {
        origin.amount
    };
    if pick == 0 {
        origin.who.max(1)
    } else {
        pick
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_for_rules() {
        let o = Origin {
            line: 3,
            who: 1,
            resolution: 2,
            class: 6,
            amount: 3,
        };
        assert_eq!(column_for(&o, "over-voting"), 3);
        assert_eq!(column_for(&o, "unknown-resolution"), 2);
        assert_eq!(column_for(&o, "unknown-holder"), 1);
    }
}

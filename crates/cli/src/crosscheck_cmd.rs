//! `scrutin verify BUNDLE --trust ... --announcement FILE.txt`: the published announcement's
//! every claim against the tally recomputed from the verified bundle
//! (`scrutin::crosscheck`), as a claimed-vs-recomputed table, or in the JSON report as
//! `announcement_check`. Exit 0 only when the bundle is valid, every claim matched and every
//! line holding figures was read.

use std::path::Path;
use std::process::ExitCode;

use scrutin::crosscheck::CrossCheck;
use scrutin::text::{announcement_table, with_announcement_check};

use crate::error::{io_err, CliError};
use crate::escape::{self, field};
use crate::verify_cmd::{self, VerifyArgs};

/// Reads the announcement: UTF-8 (a byte-order mark dropped; bytes that are not UTF-8 shown
/// as U+FFFD rather than refused: text copied from a PDF is often mixed).
fn read_text(path: &Path) -> Result<String, CliError> {
    let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned())
}

/// `scrutin verify ... --announcement FILE`.
pub(crate) fn verify(a: &VerifyArgs<'_>, announcement: &Path) -> Result<ExitCode, CliError> {
    let text = read_text(announcement)?;
    let out = verify_cmd::run(a)?;
    let check = out.report.cross_check(&text);
    let name = announcement.display().to_string();
    let trust = crate::keys::parse_trusts(a.trust)?;
    verify_cmd::write_report(
        a,
        &trust,
        &out,
        check.as_ref().map(|c| scrutin::report::ReportAnnouncement {
            file: &name,
            result: c,
        }),
    )?;
    if a.json {
        print!(
            "{}",
            escape::json(&with_announcement_check(
                &out.report.to_json(),
                check.as_ref()
            ))
        );
        if let Some(c) = &out.comparison {
            eprint!("{}", escape::lines(&verify_cmd::comparison_text(c)));
        }
    } else {
        print!("{}", escape::lines(&out.text));
        print!(
            "{}",
            escape::lines(&announcement_table(
                &announcement.display().to_string(),
                check.as_ref()
            ))
        );
        if let Some(p) = a.report {
            println!("HTML report written to {}", field(&p.display().to_string()));
        }
    }
    Ok(
        if out.ok() && check.as_ref().is_some_and(CrossCheck::is_clean) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    )
}

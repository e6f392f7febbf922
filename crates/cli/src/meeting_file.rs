//! Reads `meeting.toml` for `scrutin init`: the parsing is `scrutin-interchange`'s; this reads
//! the file, resolves `[[authorities]]` vkeys and prints the warnings.

use std::path::Path;

use scrutin_interchange::MeetingPlan;
use scrutin_model::AuthorKey;

use crate::error::CliError;

/// Reads and checks a meeting file; `registrar` becomes the genesis registrar.
pub(crate) fn load(path: &Path, registrar: AuthorKey) -> Result<MeetingPlan, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Io(format!("{}: {e}", path.display())))?;
    let file = path.display().to_string();
    let vkey = |text: &str| {
        scrutin_log::NoteVerifier::parse(text)
            .map(|v| AuthorKey(*v.public_key().as_bytes()))
            .map_err(|e| e.to_string())
    };
    let plan = scrutin_interchange::parse_meeting(&file, &text, registrar, &vkey)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    for w in &plan.ignored_fields {
        eprintln!("scrutin: warning: {file}: {w}: not a field scrutin reads (ignored)");
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_meeting_loads_with_the_registrar_as_scrutineer() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/jlmag/meeting.toml");
        let plan = load(&path, AuthorKey([7; 32])).expect("seed meeting");
        assert_eq!(plan.convened.stock_code, "06680");
        // registrar doubles as scrutineer, then one resolution
        assert_eq!(plan.events_after_genesis().len(), 2);
    }
}

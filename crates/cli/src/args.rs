//! Command-line arguments. Command names and flags are a contract (docs/CLI.md):
//! options are added, never renamed.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use scrutin::interchange;

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
    /// `voter,sitting,attended_at` (`sitting`, `attended_at` optional)
    Attendance,
    /// `proxy,revoked_at,reason` (`revoked_at`, `reason` optional)
    Revocations,
}

impl From<CsvKind> for interchange::CsvKind {
    fn from(k: CsvKind) -> Self {
        match k {
            CsvKind::Register => interchange::CsvKind::Register,
            CsvKind::Abstentions => interchange::CsvKind::Abstentions,
            CsvKind::Proxies => interchange::CsvKind::Proxies,
            CsvKind::Ballots => interchange::CsvKind::Ballots,
            CsvKind::Attendance => interchange::CsvKind::Attendance,
            CsvKind::Revocations => interchange::CsvKind::Revocations,
        }
    }
}

/// scrutin: a verifiable ledger of a shareholder meeting's poll.
#[derive(Debug, Parser)]
#[command(
    name = "scrutin",
    version,
    about = "Record, count and verify a shareholder meeting's poll in a tamper-evident ledger"
)]
pub(crate) struct Cli {
    /// The command.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Every `scrutin` command.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate a signing key: writes KEYFILE (mode 0600) and KEYFILE.pub; prints the verifier key.
    Keygen {
        /// Where to write the secret key (never overwritten).
        #[arg(long)]
        out: PathBuf,
        /// The key's name in signed notes (default: the file's stem).
        #[arg(long)]
        name: Option<String>,
    },
    /// Create a meeting's ledger from meeting.toml, signed by the registrar key.
    Init {
        /// The ledger directory (created).
        #[arg(long)]
        db: PathBuf,
        /// The meeting file.
        #[arg(long)]
        meeting: PathBuf,
        /// The registrar's key file.
        #[arg(long)]
        key: PathBuf,
    },
    /// Import a CSV file (register, abstentions, proxies or ballots) as one all-or-nothing batch.
    Import {
        /// Which file.
        #[arg(value_enum)]
        kind: CsvKind,
        /// The CSV file.
        file: PathBuf,
        /// The ledger directory.
        #[arg(long)]
        db: PathBuf,
        /// The registrar's key file.
        #[arg(long)]
        key: PathBuf,
        /// register: leave the register open (do not record RegisterClosed).
        #[arg(long)]
        open: bool,
    },
    /// Close the poll (on one resolution or all); when none stays open, declare the result.
    Close {
        /// The ledger directory.
        #[arg(long)]
        db: PathBuf,
        /// The key file (registrar or chair; scrutineer to declare the result).
        #[arg(long)]
        key: PathBuf,
        /// Close only this resolution.
        #[arg(long)]
        resolution: Option<String>,
    },
    /// Print the tally (a table, or the tally JSON).
    Tally {
        /// The ledger directory.
        #[arg(long)]
        db: PathBuf,
        /// Print the tally JSON (docs/CLI.md).
        #[arg(long)]
        json: bool,
    },
    /// Print the ledger's origin, length and latest checkpoint.
    Status {
        /// The ledger directory.
        #[arg(long)]
        db: PathBuf,
    },
    /// Print the poll-results announcement.
    Announce {
        /// The ledger directory.
        #[arg(long)]
        db: PathBuf,
    },
    /// Sign and store a checkpoint; print its note and write DIR/checkpoint.txt.
    Checkpoint {
        /// The ledger directory.
        #[arg(long)]
        db: PathBuf,
        /// The log key file (signs the checkpoint).
        #[arg(long)]
        key: PathBuf,
        /// Also write the note to this file.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Send the checkpoint to this witness (C2SP tlog-witness URL prefix); repeat for several.
        #[arg(long, value_name = "URL")]
        witness: Vec<String>,
        /// A witness's verifier key (vkey string or file): its cosignatures are kept.
        #[arg(long = "witness-key", value_name = "VKEY", requires = "witness")]
        witness_key: Vec<String>,
        /// Exit 1 unless at least K witnesses cosigned.
        #[arg(long, value_name = "K", default_value_t = 0, requires = "witness")]
        quorum: usize,
    },
    /// Witness over HTTP (C2SP tlog-witness).
    Witness {
        /// What to do.
        #[command(subcommand)]
        command: WitnessCommand,
    },
    /// Serve ledgers as C2SP tlog-tiles (read-only), each under its origin's path.
    Serve {
        /// The ledger directories.
        #[arg(long, num_args = 1.., required = true)]
        db: Vec<PathBuf>,
        /// The address to listen on (e.g. 127.0.0.1:8080).
        #[arg(long)]
        listen: String,
        /// Worker threads.
        #[arg(long, default_value_t = 8)]
        threads: usize,
    },
    /// Witness: cosign a checkpoint file if it is consistent with the last one cosigned.
    Cosign {
        /// The checkpoint note file (the cosignature is added to it in place).
        checkpoint: PathBuf,
        /// The witness's key file.
        #[arg(long)]
        key: PathBuf,
        /// The witness's state directory (last cosigned checkpoint, trusted log key).
        #[arg(long)]
        state: PathBuf,
        /// The log's verifier key (needed the first time, then kept in the state).
        #[arg(long = "log-key")]
        log_key: Option<String>,
        /// Take the consistency proof from this ledger and store the cosigned checkpoint in it.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Take the consistency proof from this file (one hash per line, hex or base64).
        #[arg(long)]
        proof: Option<PathBuf>,
    },
    /// Export the ledger as one bundle file (needs a checkpoint of the current size), or as
    /// C2SP tlog-tiles with --tiles.
    Export {
        /// The ledger directory.
        #[arg(long)]
        db: PathBuf,
        /// The bundle file to write.
        #[arg(long, required_unless_present = "tiles")]
        out: Option<PathBuf>,
        /// Write the tlog-tiles layout of the latest checkpoint into this directory.
        #[arg(long, value_name = "OUTDIR")]
        tiles: Option<PathBuf>,
    },
    /// Verify a bundle offline against trusted keys: exit 0 valid, 1 invalid, 2 usage/I/O.
    Verify {
        /// The bundle file.
        file: PathBuf,
        /// Trusted verifier keys (vkey strings or files); repeat or list several.
        #[arg(long, num_args = 1.., required = true)]
        trust: Vec<String>,
        /// Print the verification report as JSON.
        #[arg(long)]
        json: bool,
        /// Write a self-contained HTML report to this file.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Compare the recomputed tally with this claimed tally JSON.
        #[arg(long)]
        expect: Option<PathBuf>,
        /// Cross-check a published poll-results announcement (text copied from the issuer's
        /// PDF or web page) against the recomputed tally: every difference is named.
        #[arg(long, value_name = "FILE")]
        announcement: Option<PathBuf>,
        /// Write the recomputed tally JSON (exactly as `scrutin tally --json`) to this file.
        #[arg(long = "tally-out")]
        tally_out: Option<PathBuf>,
        /// Require the checkpoint's origin to be ORIGIN (the meeting you mean): another is NOT VALID.
        #[arg(long, value_name = "ORIGIN", conflicts_with = "meeting")]
        origin: Option<String>,
        /// Require the meeting ID (origin `scrutin/ID`); the same as --origin scrutin/ID.
        #[arg(long, value_name = "ID")]
        meeting: Option<String>,
        /// Require at least K cosignatures by trusted witnesses (--trust keys other than the
        /// checkpoint's signer): fewer is NOT VALID.
        #[arg(long, value_name = "K", default_value_t = 0)]
        quorum: usize,
        /// Fill the HTML report's attestation block: name and firm of who attests it.
        #[arg(long, value_name = "NAME, FIRM", requires = "report")]
        attest: Option<String>,
        /// Show times at this UTC offset (the meeting's own, e.g. +08:00; default UTC).
        #[arg(long, value_name = "OFFSET", value_parser = parse_tz)]
        tz: Option<scrutin::report::DisplayOffset>,
        /// Continue from the verification state STATE (written by --state-out for an earlier
        /// bundle of the same log, under the same --trust keys): only the entries after it are
        /// decoded and checked; a bundle whose first entries are not the ones verified fails.
        #[arg(long, value_name = "STATE")]
        since: Option<PathBuf>,
        /// After a VALID verification, write its verification state to STATE (for --since).
        #[arg(long = "state-out", value_name = "STATE")]
        state_out: Option<PathBuf>,
    },
    /// Write a holder's vote receipt (inclusion proofs of its ballots).
    Receipt {
        /// The ledger directory.
        #[arg(long)]
        db: PathBuf,
        /// The holder id.
        #[arg(long, required_unless_present = "all", conflicts_with = "all")]
        holder: Option<String>,
        /// The receipt file to write.
        #[arg(long, required_unless_present = "all", conflicts_with = "all")]
        out: Option<PathBuf>,
        /// Write every holder's receipt into this directory in one pass, one file per holder
        /// (`<holder>.json`, characters other than letters, digits, `-` and `_` written `%XX`).
        #[arg(long, value_name = "OUTDIR")]
        all: Option<PathBuf>,
    },
    /// Verify a vote receipt against a trusted key: exit 0 valid, 1 invalid, 2 usage/I/O.
    VerifyReceipt {
        /// The receipt file(s): several are verified against the same trusted keys, each
        /// distinct checkpoint's signatures checked once.
        #[arg(required = true, num_args = 1.., value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Trusted verifier keys (vkey strings or files).
        #[arg(long, num_args = 1.., required = true)]
        trust: Vec<String>,
        /// Print the receipt report as JSON.
        #[arg(long)]
        json: bool,
        /// Require the checkpoint's origin to be ORIGIN (the meeting you mean): another is NOT VALID.
        #[arg(long, value_name = "ORIGIN", conflicts_with = "meeting")]
        origin: Option<String>,
        /// Require the meeting ID (origin `scrutin/ID`); the same as --origin scrutin/ID.
        #[arg(long, value_name = "ID")]
        meeting: Option<String>,
        /// Require at least K cosignatures by trusted witnesses (--trust keys other than the
        /// checkpoint's signer): fewer is NOT VALID.
        #[arg(long, value_name = "K", default_value_t = 0)]
        quorum: usize,
        /// Also check the receipt's checkpoint against the log's current one (tlog-tiles URL
        /// or directory) through a consistency proof built from its tiles.
        #[arg(long, value_name = "URL|DIR")]
        log: Option<String>,
        /// Also print every check made (entries, proofs, keys) after the plain-language receipt.
        #[arg(long)]
        verbose: bool,
        /// Show times at this UTC offset (the meeting's own, e.g. +08:00; default UTC).
        #[arg(long, value_name = "OFFSET", value_parser = parse_tz)]
        tz: Option<scrutin::report::DisplayOffset>,
    },
    /// Replay the seed meeting (JL MAG EGM 2022) end to end, or a synthetic one of N holders.
    Demo {
        /// Scale to a synthetic meeting of N holders and print each phase's throughput.
        #[arg(long)]
        holders: Option<u64>,
        /// Where to write the HTML report (default ./scrutin-demo-report.html).
        #[arg(long)]
        report: Option<PathBuf>,
        /// Keep the demo's ledger, keys and files in this directory instead of a temporary one.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

/// `scrutin witness ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum WitnessCommand {
    /// Serve POST /add-checkpoint (C2SP tlog-witness) for the logs of --log-key.
    Serve {
        /// The witness's key file.
        #[arg(long)]
        key: PathBuf,
        /// The witness's state directory (as for `scrutin cosign`).
        #[arg(long)]
        state: PathBuf,
        /// The address to listen on (e.g. 127.0.0.1:7380).
        #[arg(long)]
        listen: String,
        /// A log key: VKEY (any origin it signs) or ORIGIN=VKEY (that origin only); repeat.
        #[arg(long = "log-key", value_name = "VKEY", required = true)]
        log_key: Vec<String>,
        /// Worker threads.
        #[arg(long, default_value_t = 8)]
        threads: usize,
    },
}

/// `--tz`: `Z`, `UTC` or `+HH:MM` / `-HH:MM`.
fn parse_tz(s: &str) -> Result<scrutin::report::DisplayOffset, String> {
    scrutin::report::DisplayOffset::parse(s).map_err(|e| e.to_string())
}

//! Embedding the ledger: create a meeting, register holders, lodge a proxy, vote, close,
//! count, declare, checkpoint, export a bundle and verify it offline, then a holder's receipt.
//!
//! Run with `cargo run -p scrutin --example embed`. It works in a temporary directory.

use std::error::Error;

use scrutin::{verify_bundle, verify_receipt, Ledger};
use scrutin_log::Signer;
use scrutin_model::{
    AuthorKey, Ballot, Choice, ClassId, Date, Event, HolderId, MeetingConvened, MeetingKind,
    Preset, ProxyId, ProxyLodged, Resolution, ResolutionId, ResolutionKind, Role, RulesProfile,
    ShareClass, Shares, UtcMillis, Voter,
};

pub(crate) fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::temp_dir().join(format!("scrutin-embed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let result = run(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run(dir: &std::path::Path) -> Result<(), Box<dyn Error>> {
    // Keys: in production these come from key files (`Signer::from_private_key_string`).
    let registrar = Signer::from_seed("registrar.example", [1; 32])?;
    let scrutineer = Signer::from_seed("scrutineer.example", [2; 32])?;
    let key = |s: &Signer| AuthorKey(*s.public_key().as_bytes());
    let class = ClassId::new("H")?;

    // Genesis: the meeting, its rules and its registrar.
    let convened = MeetingConvened {
        id: "EXAMPLE-AGM-2026".into(),
        issuer: "Example Holdings Limited".into(),
        stock_code: "09999".into(),
        kind: MeetingKind::Agm,
        date: Date::new("2026-12-01")?,
        rules: RulesProfile::preset(Preset::Hk, 4),
        classes: vec![ShareClass {
            id: class.clone(),
            name: "Ordinary shares".into(),
            votes_per_share: 1,
        }],
        record_date: Date::new("2026-11-20")?,
        proxy_deadline: UtcMillis::parse_rfc3339("proxy_deadline", "2026-11-29T10:00:00Z")?,
        registrar: key(&registrar),
        scrutineer: "Example Registrar Limited".into(),
    };
    let ledger = Ledger::create(dir, convened, &registrar)?;

    // The register, a proxy and the poll, in one all-or-nothing batch.
    let holders = [("H1", 6_000u64), ("H2", 3_000), ("H3", 1_000)];
    let mut events = vec![
        Event::AuthorityGranted {
            key: key(&scrutineer),
            role: Role::Scrutineer,
        },
        Event::ResolutionProposed(Resolution {
            id: ResolutionId::new("1")?,
            kind: ResolutionKind::Ordinary,
            title: "To receive the audited financial statements".into(),
            classes: vec![],
            votes_per_share: vec![],
        }),
    ];
    for (id, shares) in holders {
        events.push(Event::ShareRegistered {
            holder: HolderId::new(id)?,
            name: format!("Holder {id}"),
            class: class.clone(),
            shares: Shares(shares),
        });
    }
    events.push(Event::RegisterClosed);
    events.push(Event::ProxyLodged(ProxyLodged {
        proxy: ProxyId::new("P1")?,
        holder: HolderId::new("H2")?,
        proxy_name: "Chairman of the meeting".into(),
        class: None,
        shares: None,
        instructions: vec![],
        lodged_at: UtcMillis::parse_rfc3339("lodged_at", "2026-11-25T09:00:00Z")?,
    }));
    events.push(Event::PollOpened { resolution: None });
    ledger.submit_batch(&registrar, events)?;

    // Ballots: a holder in person, a proxy, and one that splits.
    let ballot = |voter: Voter, f: u64, a: u64, ab: u64| {
        Event::VoteCast(Ballot {
            voter,
            resolution: ResolutionId::new("1").expect("valid id"),
            class: None,
            choice: Choice::Split {
                for_: Shares(f),
                against: Shares(a),
                abstain: Shares(ab),
            },
        })
    };
    ledger.submit_batch(
        &registrar,
        vec![
            ballot(Voter::Holder(HolderId::new("H1")?), 6_000, 0, 0),
            ballot(Voter::Proxy(ProxyId::new("P1")?), 2_000, 1_000, 0),
            ballot(Voter::Holder(HolderId::new("H3")?), 0, 900, 100),
        ],
    )?;
    // A refused event changes nothing: H3 has already voted.
    if let Err(e) = ledger.submit(
        &registrar,
        ballot(Voter::Holder(HolderId::new("H3")?), 1, 0, 0),
    ) {
        println!("refused as expected: {e}");
    }

    // Close, count, declare, checkpoint.
    ledger.submit(&registrar, Event::PollClosed { resolution: None })?;
    let tally = ledger.tally();
    println!("{}", tally.to_json());
    ledger.declare_result(&scrutineer)?;
    ledger.checkpoint(&registrar)?;

    // Export the bundle and verify it as a witness lawyer would, offline.
    let mut bundle = Vec::new();
    let summary = ledger.export(&mut bundle, &mut |_, _| {})?;
    let report = verify_bundle(&bundle[..], &[registrar.verifier()], &mut |_, _| {})?;
    for c in &report.checks {
        println!(
            "check {} {:<22} {:?}: {}",
            c.number, c.name, c.status, c.detail
        );
    }
    println!(
        "bundle of {} entries, SHA-256 {}: {}",
        summary.entries,
        report.digest,
        if report.is_valid() { "VALID" } else { "BROKEN" }
    );
    if !report.is_valid() {
        return Err(format!("the bundle did not verify: {:?}", report.verdict).into());
    }

    // A shareholder's receipt, checkable with the receipt and the registrar's key alone.
    let receipt = ledger.receipt(&HolderId::new("H2")?)?;
    let checked = verify_receipt(&receipt, &[registrar.verifier()])?;
    for b in &checked.ballots {
        println!(
            "receipt: entry {} {} on {}: {} ({})",
            b.index, b.voter, b.resolution, b.choice, b.status
        );
    }
    if !checked.is_valid() {
        return Err(format!("the receipt did not verify: {:?}", checked.verdict).into());
    }
    Ok(())
}

//! A verified receipt in plain words (`scrutin verify-receipt`): first what a shareholder
//! wants to know (who, how much, each resolution, how the vote went in, whether it counted,
//! the outcome), then the technical lines (entries, proofs, keys) after it, with more under
//! `verbose`.
//! Every value from the receipt is escaped for display (`scrutin_log::escape_for_display`),
//! so no line of it can pass for a line of the output.

use std::borrow::Cow;
use std::fmt::Write as _;

use scrutin_log::escape_for_display;
use scrutin_model::group_thousands;

use crate::{ReceiptBallot, ReceiptReport, ReceiptVerdict};

fn f(s: &str) -> Cow<'_, str> {
    escape_for_display(s)
}

impl ReceiptReport {
    /// The receipt in words: the holder's name and holding; for each ballot, the resolution
    /// and its title, how the vote was cast (directly, or by which proxy), when it was
    /// recorded (at the offset set by [`ReceiptReport::set_offset`]), whether it was counted
    /// or why not, and the declared outcome; then whether the receipt verified and who signed
    /// and cosigned (naming cosigners whose key was not trusted); then, after it, every check
    /// performed, in words. With `verbose`, each ballot as recorded (entry, time, voter,
    /// choice, status) and the checkpoint's signers and cosigners by key name follow. Each line
    /// ends in a newline.
    pub fn to_text(&self, verbose: bool) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "Vote receipt for meeting {}", f(&self.origin));
        let name = self
            .holder_name
            .as_deref()
            .map_or(String::new(), |n| format!(", {}", f(n)));
        let _ = writeln!(s, "Shareholder: {}{name}", f(&self.holder));
        if !self.holdings.is_empty() {
            let held: Vec<String> = self
                .holdings
                .iter()
                .map(|h| format!("{} class {} shares", group_thousands(h.shares), f(&h.class)))
                .collect();
            let _ = writeln!(s, "Holding on the register: {}", held.join(", "));
        }
        s.push('\n');
        for b in &self.ballots {
            ballot_text(&mut s, b);
        }
        verdict_text(&mut s, self);
        s.push_str("\nChecks made:\n");
        for l in &self.lines {
            let _ = writeln!(s, "  {}", f(l));
        }
        if verbose {
            s.push_str("Ballots as recorded:\n");
            for b in &self.ballots {
                let _ = writeln!(
                    s,
                    "  ballot at entry {} (recorded {}): {} on resolution {}{}: {} -> {}",
                    b.index,
                    f(&b.recorded_at),
                    f(&b.voter),
                    f(&b.resolution),
                    b.class
                        .as_ref()
                        .map_or(String::new(), |c| format!(" (class {})", f(c))),
                    f(&b.choice),
                    f(&b.status)
                );
            }
            let keys = |v: &[String]| {
                if v.is_empty() {
                    "none".to_owned()
                } else {
                    f(&v.join(", ")).into_owned()
                }
            };
            let _ = writeln!(s, "Checkpoint of {} entries", self.checkpoint_size);
            let _ = writeln!(s, "  signed by (trusted): {}", keys(&self.signed_by));
            let _ = writeln!(s, "  cosigned by (trusted): {}", keys(&self.cosigned_by));
            let _ = writeln!(
                s,
                "  cosigned by keys not trusted: {}",
                keys(&self.cosigned_untrusted)
            );
        }
        s
    }
}

fn ballot_text(s: &mut String, b: &ReceiptBallot) {
    let title = b
        .title
        .as_deref()
        .map_or(String::new(), |t| format!(": {}", f(t)));
    let _ = writeln!(s, "Resolution {}{title}", f(&b.resolution));
    let how = match &b.proxy_name {
        Some(p) => format!(
            "through your proxy {} ({})",
            f(p),
            f(b.voter.strip_prefix("proxy:").unwrap_or(&b.voter))
        ),
        None => "directly".to_owned(),
    };
    let class = b.class.as_deref().map_or(String::new(), |c| {
        format!(" with your class {} shares", f(c))
    });
    let _ = writeln!(
        s,
        "  Voted {how}{class}: {}; recorded {}",
        f(&b.choice),
        f(&b.recorded_at)
    );
    let status = b.status.strip_prefix("provisional: ").unwrap_or(&b.status);
    let counted = if status == "counted" {
        "Counted".to_owned()
    } else if let Some(why) = status.strip_prefix("disregarded: ") {
        format!("NOT counted: {}", f(why))
    } else {
        format!("Not counted: {}", f(status))
    };
    let provisional = if b.status.starts_with("provisional: ") {
        " (provisional: the result is not final)"
    } else {
        ""
    };
    let _ = writeln!(s, "  {counted}{provisional}");
    let outcome = match b.outcome.as_str() {
        "passed" => "the resolution was passed".to_owned(),
        "not passed" => "the resolution was not passed".to_owned(),
        "provisional" => "no final result was declared yet".to_owned(),
        other => f(other).into_owned(),
    };
    let _ = writeln!(s, "  Outcome: {outcome}\n");
}

fn verdict_text(s: &mut String, r: &ReceiptReport) {
    let cosigned = match (r.cosigned_by.is_empty(), r.cosigned_untrusted.is_empty()) {
        (true, true) => "cosigned by no witness".to_owned(),
        (true, false) => format!(
            "cosigned by {}, whose key is not in the trusted set you gave (pass its cosigner \
             key with --trust to check that cosignature)",
            f(&r.cosigned_untrusted.join(", "))
        ),
        (false, true) => format!("cosigned by {}", f(&r.cosigned_by.join(", "))),
        (false, false) => format!(
            "cosigned by {}, and by {}, whose key is not in the trusted set you gave",
            f(&r.cosigned_by.join(", ")),
            f(&r.cosigned_untrusted.join(", "))
        ),
    };
    match &r.verdict {
        ReceiptVerdict::Valid if r.final_result => {
            let _ = writeln!(
                s,
                "VALID: your ballots are in the meeting's log signed by {} ({cosigned}), before \
                 the final result declared at entry {}, its last entry; nothing can be recorded \
                 after it",
                f(&r.signed_by.join(", ")),
                r.declaration_index
            );
        }
        ReceiptVerdict::Valid => {
            let _ = writeln!(
                s,
                "VALID, PROVISIONAL RESULT: your ballots are in the meeting's log signed by {} \
                 ({cosigned}), before the result declared at entry {}, which is not final (the \
                 poll on resolution(s) {} was not shown closed): a later declaration may change it",
                f(&r.signed_by.join(", ")),
                r.declaration_index,
                f(&r.polls_not_closed.join(", "))
            );
        }
        ReceiptVerdict::Invalid { reason } => {
            let _ = writeln!(s, "NOT VALID: {}", f(reason));
            s.push_str("This receipt does not prove your vote: a check failed (above).\n");
        }
    }
    if !r.witnesses_silent.is_empty() {
        let _ = writeln!(
            s,
            "Trusted witnesses that did not cosign: {}",
            f(&r.witnesses_silent.join(", "))
        );
    }
}

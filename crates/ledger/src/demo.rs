//! A synthetic meeting of any size, for demonstrations and load tests: the files a registrar
//! would import (meeting.toml, register, proxies, ballots), generated deterministically.

use std::fmt::Write as _;

/// The synthetic meeting's `meeting.toml`: one EGM, classes A and H, one ordinary resolution.
pub const SYNTHETIC_MEETING: &str = r#"[meeting]
id = "synthetic-egm"
issuer = "SYNTHETIC HOLDINGS LIMITED"
stock_code = "09999"
kind = "EGM"
date = "2022-08-24"
rules = "prc"
decimals = 4
record_date = "2022-08-18"
proxy_deadline = "2022-08-23T14:00:00+08:00"
scrutineer = "Synthetic Registrar Services Limited"

[[classes]]
id = "A"
name = "A shares"

[[classes]]
id = "H"
name = "H shares"

[[resolutions]]
id = "1"
kind = "ordinary"
title = "To approve the synthetic resolution"
"#;

/// The CSV files of a synthetic meeting (the meeting file is [`SYNTHETIC_MEETING`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticMeeting {
    /// `register.csv`: the holders and the treasury shares.
    pub register: String,
    /// `proxies.csv`: the chairman appointed with an instruction.
    pub proxies: String,
    /// `ballots.csv`: in person and by proxy.
    pub ballots: String,
}

/// A tiny deterministic generator (SplitMix64): the same N always gives the same meeting.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The synthetic meeting of `n` holders `S00000000`..: four in five of class A, the rest H,
/// 100 to 100,099 shares each; one in ten appointing the chairman as proxy with an
/// instruction to vote for (and the proxy's ballot), seven in ten voting in person (nine in
/// ten of those for, some against, some split), two in ten absent; plus 1,000,000 treasury
/// shares in class A, which do not vote. The same `n` always gives the same files.
#[must_use]
pub fn synthetic(n: u64) -> SyntheticMeeting {
    let mut rng = Mix(n);
    let mut reg = String::with_capacity(usize::try_from(n).unwrap_or(0).saturating_mul(40));
    let mut px = String::from(
        "proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain,lodged_at\n",
    );
    let mut bal = String::with_capacity(usize::try_from(n).unwrap_or(0).saturating_mul(30));
    reg.push_str("holder,name,class,shares\n");
    bal.push_str("voter,resolution,for,against,abstain\n");
    for i in 0..n {
        let class = if i % 5 == 4 { "H" } else { "A" };
        let shares = 100 + rng.next() % 100_000;
        let _ = writeln!(reg, "S{i:08},Holder {i},{class},{shares}");
        match i % 10 {
            0 => {
                let _ = writeln!(
                    px,
                    "P{i:08},S{i:08},Chairman of the meeting,,1,for,,,,2022-08-22T09:00:00+08:00"
                );
                let _ = writeln!(bal, "proxy:P{i:08},1,{shares},0,0");
            }
            8 | 9 => {}
            _ => {
                let r = rng.next() % 100;
                let (f, a, b) = if r < 90 {
                    (shares, 0, 0)
                } else if r < 96 {
                    (0, shares, 0)
                } else {
                    let f = shares / 2;
                    let a = shares / 4;
                    (f, a, shares - f - a)
                };
                let _ = writeln!(bal, "S{i:08},1,{f},{a},{b}");
            }
        }
    }
    let _ = writeln!(reg, "treasury,Treasury shares,A,1000000");
    SyntheticMeeting {
        register: reg,
        proxies: px,
        ballots: bal,
    }
}

//! `scrutin::verify_bundle` on arbitrary bytes, trusting the repository's fixture keys: never
//! panic, and a report always renders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scrutin_fuzz::trusted;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = scrutin::verify_bundle(data, trusted(), &mut |_, _| {}) {
        let _ = report.to_json();
        let _ = report.is_valid();
    }
});

//! Progress bars on stderr, only for a person watching: hidden when stderr is not a terminal
//! or the output is machine-readable (`--json`).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

fn visible(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// A bar of `total` entries (0 = set later with `set_length`).
pub(crate) fn bar(total: u64, msg: &str, quiet: bool) -> ProgressBar {
    styled(
        total,
        msg,
        quiet,
        "{msg:>20} [{bar:40.cyan/blue}] {human_pos}/{human_len} ({elapsed} elapsed, eta {eta})",
    )
}

/// A bar of `total` bytes (reading a file).
pub(crate) fn bytes_bar(total: u64, msg: &str, quiet: bool) -> ProgressBar {
    styled(
        total,
        msg,
        quiet,
        "{msg:>20} [{bar:40.cyan/blue}] {bytes}/{total_bytes} ({elapsed} elapsed, eta {eta})",
    )
}

fn styled(total: u64, msg: &str, quiet: bool, template: &str) -> ProgressBar {
    if !visible(quiet) {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(template) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(msg.to_owned());
    pb
}

/// A `progress(done, total)` callback that moves `pb`.
pub(crate) fn track(pb: &ProgressBar) -> impl FnMut(u64, u64) + '_ {
    |done, total| {
        pb.set_length(total);
        pb.set_position(done);
    }
}

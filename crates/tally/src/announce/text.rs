//! Small text helpers: lists, one-line free text, dates, whitespace.

/// "a", "a and b", "a, b and c".
pub(super) fn join_and(parts: &[String]) -> String {
    join_list(parts, "and")
}

/// "a", "a AND b", "a, b AND c" with `and` as the last separator's word.
pub(super) fn join_list(parts: &[String], and: &str) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {and} {last}", init.join(", ")),
    }
}

/// Free text on one line: tabs and line breaks become spaces, ends trimmed.
pub(super) fn clean(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    one_line.trim().to_owned()
}

/// `2022-08-24` -> `24 August 2022`; any other text is returned as is.
pub(super) fn long_date(date: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let mut parts = date.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return date.to_owned();
    };
    let month = m
        .parse::<usize>()
        .ok()
        .and_then(|m| m.checked_sub(1))
        .and_then(|i| MONTHS.get(i));
    match (month, d.parse::<u32>()) {
        (Some(month), Ok(day)) => format!("{day} {month} {y}"),
        _ => date.to_owned(),
    }
}

/// No trailing whitespace on any line; exactly one newline at the end.
pub(super) fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.trim_end().lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

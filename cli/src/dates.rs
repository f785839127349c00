//! Dates on the command line (RFC 3339 or Unix seconds) and in tables (RFC 3339, UTC).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{CliError, Result};

/// Parses `2027-01-31T00:00:00Z`, `2027-01-31T01:00:00+01:00` or `1800000000`.
pub fn parse(what: &str, text: &str) -> Result<u64> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse()
            .map_err(|_| CliError::new(format!("{what}: {text:?} is out of range")));
    }
    let at = OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
        CliError::new(format!(
            "{what}: {text:?} is neither an RFC 3339 date (2027-01-31T00:00:00Z) nor Unix seconds"
        ))
    })?;
    u64::try_from(at.unix_timestamp())
        .map_err(|_| CliError::new(format!("{what}: {text:?} is before 1970")))
}

/// A date as [`parse`] reads it, or a time from now: a whole number with
/// a unit, `s`, `m`, `h`, `d` or `w` (`90d`, `12h`). A bare number stays
/// Unix seconds, so a duration always carries its unit.
pub fn parse_or_from_now(what: &str, text: &str, now: u64) -> Result<u64> {
    let unit = match text.as_bytes().last() {
        Some(b's') => 1,
        Some(b'm') => 60,
        Some(b'h') => 3600,
        Some(b'd') => 86_400,
        Some(b'w') => 7 * 86_400,
        _ => return parse(what, text),
    };
    let count = &text[..text.len() - 1];
    if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
        return parse(what, text);
    }
    count
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .and_then(|secs| now.checked_add(secs))
        .ok_or_else(|| CliError::new(format!("{what}: {text:?} is out of range")))
}

/// `2027-01-31T00:00:00Z`, or the number itself when it is past what RFC 3339 can show.
pub fn format(unix: u64) -> String {
    i64::try_from(unix)
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// Now, in Unix seconds.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

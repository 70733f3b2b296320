//! The conversation clock: instants, their reading in America/Sao_Paulo, shifts and
//! business hours with holidays.
//!
//! Brazil abolished daylight saving time in 2019 (Decree 9.772), so America/Sao_Paulo
//! is UTC-3 all year and this module uses that fixed offset instead of a time-zone
//! database. Should DST return, only `SAO_PAULO_OFFSET_SECS` and `local` change.
//!
//! The VM never reads the machine's clock: the host hands it instants. This module
//! knows nothing about programs or bytecode; the VM passes a period's rules in.

use time::{Date, OffsetDateTime, UtcOffset};

/// America/Sao_Paulo's offset from UTC, in seconds.
pub const SAO_PAULO_OFFSET_SECS: i32 = -3 * 3600;

/// Seconds since the Unix epoch (UTC). Plain data so snapshots stay small.
pub type Timestamp = i64;

/// An instant read on a wall clock in America/Sao_Paulo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime {
    pub date: Date,
    /// Monday is 0, Sunday 6.
    pub weekday: u8,
    /// Minutes since local midnight, 0..1440.
    pub minute: u16,
}

/// `at` on the wall clock of America/Sao_Paulo. Instants outside the years the `time`
/// crate represents read as the epoch, which no real conversation reaches.
pub fn local(at: Timestamp) -> LocalTime {
    let offset = UtcOffset::from_whole_seconds(SAO_PAULO_OFFSET_SECS).unwrap_or(UtcOffset::UTC);
    let utc = OffsetDateTime::from_unix_timestamp(at).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let there = utc.to_offset(offset);
    LocalTime {
        date: there.date(),
        weekday: there.weekday().number_days_from_monday(),
        minute: u16::from(there.hour()) * 60 + u16::from(there.minute()),
    }
}

/// The shift (`morning`, `afternoon`, `night`) of an instant, as the stdlib reads hours.
pub fn shift(at: Timestamp) -> &'static str {
    let hour = (local(at).minute / 60) as u8;
    fluxo_stdlib::types::shift_of_hour(hour).unwrap_or("night")
}

/// One line of a business-hours period: the weekdays it applies to and a time span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoursRule {
    /// Bit `d` set means weekday `d` (Monday 0) is included.
    pub days: u8,
    /// Minutes since midnight, inclusive.
    pub from: u16,
    /// Minutes since midnight, exclusive; 1440 for `24:00`.
    pub to: u16,
}

/// Whether `at` falls inside the period made of `rules` and `holidays`: on a holiday
/// the period is closed all day, otherwise open when any rule of that weekday covers
/// the minute (`from` inclusive, `to` exclusive).
pub fn is_open(rules: &[HoursRule], holidays: &[Date], at: Timestamp) -> bool {
    let now = local(at);
    if holidays.contains(&now.date) {
        return false;
    }
    rules.iter().any(|rule| {
        rule.days & (1 << now.weekday) != 0 && rule.from <= now.minute && now.minute < rule.to
    })
}

/// The instant of an RFC 3339 text such as `2026-11-23T10:00:00-03:00`.
pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

/// The calendar date of an instant in America/Sao_Paulo ("today" for the ERP).
pub fn today(at: Timestamp) -> Date {
    local(at).date
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn at(text: &str) -> Timestamp {
        parse_rfc3339(text).expect("valid instant")
    }

    #[test]
    fn reads_sao_paulo_wall_clock() {
        let now = local(at("2026-11-23T13:00:00Z"));
        assert_eq!(now.date, date!(2026 - 11 - 23));
        assert_eq!(now.weekday, 0, "2026-11-23 is a Monday");
        assert_eq!(now.minute, 10 * 60);
        let late = local(at("2026-11-24T02:30:00Z"));
        assert_eq!(late.date, date!(2026 - 11 - 23));
        assert_eq!(late.minute, 23 * 60 + 30);
        assert_eq!(today(at("2026-11-24T02:30:00Z")), date!(2026 - 11 - 23));
    }

    #[test]
    fn shifts_follow_local_hours() {
        assert_eq!(shift(at("2026-11-23T08:00:00-03:00")), "morning");
        assert_eq!(shift(at("2026-11-23T12:00:00-03:00")), "afternoon");
        assert_eq!(shift(at("2026-11-23T18:00:00-03:00")), "night");
        assert_eq!(shift(at("2026-11-23T05:59:00-03:00")), "night");
    }

    #[test]
    fn business_hours_with_holidays() {
        let weekdays = 0b001_1111;
        let rules = [
            HoursRule {
                days: weekdays,
                from: 8 * 60,
                to: 18 * 60,
            },
            HoursRule {
                days: 1 << 5,
                from: 8 * 60,
                to: 12 * 60,
            },
        ];
        let holidays = [date!(2026 - 12 - 25)];
        let open = |text| is_open(&rules, &holidays, at(text));
        assert!(open("2026-11-23T08:00:00-03:00"));
        assert!(!open("2026-11-23T18:00:00-03:00"), "`to` is exclusive");
        assert!(!open("2026-11-23T07:59:00-03:00"));
        assert!(open("2026-11-28T11:59:00-03:00"), "Saturday morning");
        assert!(!open("2026-11-28T12:00:00-03:00"));
        assert!(!open("2026-11-29T10:00:00-03:00"), "Sunday");
        assert!(!open("2026-12-25T10:00:00-03:00"), "a holiday Friday");
    }

    #[test]
    fn rejects_bad_instants() {
        assert_eq!(parse_rfc3339("2026-11-23"), None);
        assert_eq!(parse_rfc3339("ontem"), None);
    }
}

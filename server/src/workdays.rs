//! Calendar dates and working days (工作日), for the due dates of a case: accepted within 2
//! working days of submission, decided within 3 working days of acceptance.
//!
//! Pure: no database, no clock. Which days are worked is a [`Calendar`]'s answer: the State
//! Council's yearly holiday calendar (调休 Saturdays included, see [`holidays`]); a date it does
//! not cover is counted by the weekday rule and flagged as estimated.

pub mod holidays;

use std::fmt;

use taxicert_api::domain::{beijing_date, civil_from_days, is_real_date, parse_date};

/// A calendar date, kept as the number of days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i64);

impl Date {
    /// `None` for a date that does not exist (2026-02-30).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        is_real_date(year, month, day).then(|| Date(days_from_civil(year, month, day)))
    }

    /// A `YYYY-MM-DD` text, checked.
    pub fn parse(text: &str) -> Option<Date> {
        parse_date(text).and_then(|(y, m, d)| Date::from_ymd(y, m, d))
    }

    /// The date in Beijing (UTC+8) at a Unix time: the date the driver sees on his phone.
    pub fn beijing_today(unix_seconds: i64) -> Date {
        let (y, m, d) = beijing_date(unix_seconds);
        Date(days_from_civil(y, m, d))
    }

    /// The hour and minute in Beijing (UTC+8) at a Unix time.
    pub fn beijing_clock(unix_seconds: i64) -> (i64, i64) {
        let minutes = (unix_seconds + 8 * 3_600).rem_euclid(86_400) / 60;
        (minutes / 60, minutes % 60)
    }

    /// The Unix time of 00:00 in Beijing (UTC+8) on this date.
    pub fn beijing_midnight(self) -> i64 {
        self.0 * 86_400 - 8 * 3_600
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    pub fn add_days(self, days: i64) -> Date {
        Date(self.0 + days)
    }

    /// The same day `years` later (or earlier); 29 February becomes the 28th in a common year.
    pub fn add_years(self, years: i32) -> Date {
        let (y, m, d) = self.ymd();
        Date::from_ymd(y + years, m, d).unwrap_or_else(|| Date(days_from_civil(y + years, m, d - 1)))
    }

    /// Days from `self` to `later`: negative when `later` is earlier.
    pub fn days_until(self, later: Date) -> i64 {
        later.0 - self.0
    }

    /// ISO weekday: 1 for Monday … 7 for Sunday (1970-01-01 was a Thursday).
    pub fn weekday(self) -> u32 {
        (self.0 + 3).rem_euclid(7) as u32 + 1
    }

    pub fn is_weekend(self) -> bool {
        self.weekday() >= 6
    }
}

/// `YYYY-MM-DD`, as the contract writes dates.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// Howard Hinnant's days_from_civil.
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Which days are worked, as far as an official calendar says.
pub trait Calendar {
    /// `Some(true)` for a working day (a 调休 Saturday too), `Some(false)` for a day off (a
    /// public holiday too), `None` for a date the calendar does not cover.
    fn working_day(&self, date: Date) -> Option<bool>;
}

/// No official calendar: every date falls back to the weekday rule, and is estimated.
pub struct WeekendsOnly;

impl Calendar for WeekendsOnly {
    fn working_day(&self, _date: Date) -> Option<bool> {
        None
    }
}

/// The date `n` working days after `from` (`from` itself not counted, whether or not it is
/// worked: a case submitted on Saturday still has Monday and Tuesday), and whether any day on
/// the way had to be guessed by the weekday rule because the calendar does not cover it.
pub fn add_working_days(calendar: &(impl Calendar + ?Sized), from: Date, n: u32) -> (Date, bool) {
    let (mut date, mut left, mut estimated) = (from, n, false);
    while left > 0 {
        date = date.add_days(1);
        let working = calendar.working_day(date).unwrap_or_else(|| {
            estimated = true;
            !date.is_weekend()
        });
        if working {
            left -= 1;
        }
    }
    (date, estimated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn dates_round_trip_and_know_their_weekday() {
        assert_eq!(date("1970-01-01").weekday(), 4, "a Thursday");
        assert_eq!(date("2026-11-27").weekday(), 5, "a Friday");
        assert_eq!(date("2024-02-29").to_string(), "2024-02-29");
        assert_eq!(date("2024-02-28").add_days(1).to_string(), "2024-02-29");
        assert_eq!(date("2024-12-31").add_days(1).to_string(), "2025-01-01");
        assert_eq!(date("2029-05-01").add_days(-90).to_string(), "2029-01-31");
        assert_eq!(date("2024-02-29").add_years(1).to_string(), "2025-02-28");
        assert_eq!(date("2020-06-15").add_years(6).to_string(), "2026-06-15");
        assert_eq!(date("2026-01-01").days_until(date("2026-12-31")), 364);
        assert_eq!(Date::beijing_today(1_795_485_600).to_string(), "2026-11-24");
        assert_eq!(Date::parse("2026-02-30"), None);
        assert_eq!(Date::parse("2026-2-3"), None);
        for days in -800_000..800_000i64 {
            let d = Date(days);
            let (y, m, dd) = d.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(d));
        }
    }

    #[test]
    fn friday_plus_two_working_days_is_tuesday() {
        assert_eq!(add_working_days(&WeekendsOnly, date("2026-11-27"), 2), (date("2026-12-01"), true));
    }

    #[test]
    fn a_weekend_submission_counts_from_monday() {
        assert_eq!(add_working_days(&WeekendsOnly, date("2026-11-28"), 2).0, date("2026-12-01"), "Saturday");
        assert_eq!(add_working_days(&WeekendsOnly, date("2026-11-29"), 2).0, date("2026-12-01"), "Sunday");
        assert_eq!(add_working_days(&WeekendsOnly, date("2026-11-29"), 1).0, date("2026-11-30"));
    }

    #[test]
    fn midweek_days_and_the_second_span() {
        // Tuesday + 2 = Thursday; Thursday + 3 = Tuesday across the weekend.
        let accept_by = add_working_days(&WeekendsOnly, date("2026-11-24"), 2).0;
        assert_eq!(accept_by, date("2026-11-26"));
        assert_eq!(add_working_days(&WeekendsOnly, accept_by, 3).0, date("2026-12-01"));
        assert_eq!(add_working_days(&WeekendsOnly, date("2026-11-26"), 0), (date("2026-11-26"), false));
    }

    /// A calendar covering one holiday week: 国庆 2026-10-01..=07 off, Saturday 10-10 worked.
    struct NationalDay;

    impl Calendar for NationalDay {
        fn working_day(&self, date: Date) -> Option<bool> {
            let (y, m, d) = date.ymd();
            if (y, m) != (2026, 10) {
                return None;
            }
            Some(match d {
                1..=7 => false,
                10 => true,
                _ => !date.is_weekend(),
            })
        }
    }

    #[test]
    fn a_plugged_in_calendar_skips_holidays_and_works_make_up_days() {
        // Submitted on 30 September: 1–7 October off, then Thursday 8 and Friday 9.
        assert_eq!(add_working_days(&NationalDay, date("2026-09-30"), 2), (date("2026-10-09"), false));
        // The make-up Saturday counts: Friday 9 + 1 = Saturday 10.
        assert_eq!(add_working_days(&NationalDay, date("2026-10-09"), 1), (date("2026-10-10"), false));
        // Leaving the covered month, the weekday rule takes over and says so.
        assert_eq!(add_working_days(&NationalDay, date("2026-10-30"), 2), (date("2026-11-03"), true));
    }
}

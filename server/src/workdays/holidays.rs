//! The official calendar of working days: the public holidays and the 调休 make-up working
//! days of each year, as the State Council's notice (国务院办公厅关于…部分节假日安排的通知)
//! publishes them every November for the year after.
//!
//! The calendar is data, not code: `data/workdays-cn.txt` is built in, and a deployer can
//! point `workday_calendar_file` to a newer copy when the next notice comes out, without a new
//! build. Years the file does not list fall back to the weekday rule, flagged as estimated.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
    sync::Once,
};

use super::{Calendar, Date};

/// The calendar built into the server.
pub const EMBEDDED: &str = include_str!("../../data/workdays-cn.txt");

/// What the notices say: which years they cover, the days off and the worked weekend days.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OfficialCalendar {
    years: BTreeSet<i32>,
    off: BTreeSet<Date>,
    work: BTreeSet<Date>,
}

/// A line of a calendar file that does not parse, with its number (from 1) and what is wrong.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CalendarError {
    pub line: usize,
    pub message: String,
}

impl OfficialCalendar {
    /// The built-in calendar. It is checked by the tests, so it always parses.
    pub fn embedded() -> OfficialCalendar {
        OfficialCalendar::parse(EMBEDDED).expect("the built-in workday calendar parses (see the holidays tests)")
    }

    /// Reads a calendar file; the error names the file and the line.
    pub fn load(path: &Path) -> Result<OfficialCalendar, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        OfficialCalendar::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses the format described at the top of `data/workdays-cn.txt`.
    pub fn parse(text: &str) -> Result<OfficialCalendar, CalendarError> {
        let mut calendar = OfficialCalendar::default();
        let mut year = None;
        // Date → the line that listed it, to name both lines of a duplicate.
        let mut listed: BTreeMap<Date, usize> = BTreeMap::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let fail = |message: String| CalendarError { line, message };
            let content = raw.split('#').next().unwrap_or_default().trim();
            let mut words = content.split_whitespace();
            let Some(keyword) = words.next() else {
                continue;
            };
            let value = words.next().ok_or_else(|| fail(format!("`{keyword}` needs a value")))?;
            match keyword {
                "year" => {
                    let y: i32 = value
                        .parse()
                        .ok()
                        .filter(|y| (2000..=2100).contains(y))
                        .ok_or_else(|| fail(format!("`{value}` is not a year from 2000 to 2100")))?;
                    if !calendar.years.insert(y) {
                        return Err(fail(format!("the year {y} is listed twice")));
                    }
                    year = Some(y);
                }
                "off" | "work" => {
                    let y = year.ok_or_else(|| fail("a `year YYYY` line must come before the dates".into()))?;
                    let (first, last) = match value.split_once("..") {
                        Some((a, b)) if keyword == "off" => (parse_date(a, &fail)?, parse_date(b, &fail)?),
                        Some(_) => return Err(fail("a make-up working day is one date, not a range".into())),
                        None => {
                            let d = parse_date(value, &fail)?;
                            (d, d)
                        }
                    };
                    if first > last || first.days_until(last) > 31 {
                        return Err(fail(format!("`{value}` is not a range of at most a month, earliest first")));
                    }
                    let mut date = first;
                    while date <= last {
                        if date.ymd().0 != y {
                            return Err(fail(format!("{date} is not in {y}, the year of this section")));
                        }
                        if let Some(before) = listed.insert(date, line) {
                            return Err(fail(format!("{date} is already listed on line {before}")));
                        }
                        if keyword == "work" {
                            if !date.is_weekend() {
                                return Err(fail(format!(
                                    "{date} is a weekday: only a Saturday or Sunday can be a make-up working day"
                                )));
                            }
                            calendar.work.insert(date);
                        } else {
                            calendar.off.insert(date);
                        }
                        date = date.add_days(1);
                    }
                }
                other => return Err(fail(format!("unknown keyword `{other}`: expected year, off or work"))),
            }
        }
        Ok(calendar)
    }

    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn days_off(&self) -> impl Iterator<Item = Date> + '_ {
        self.off.iter().copied()
    }

    pub fn make_up_days(&self) -> impl Iterator<Item = Date> + '_ {
        self.work.iter().copied()
    }
}

fn parse_date(text: &str, fail: &impl Fn(String) -> CalendarError) -> Result<Date, CalendarError> {
    Date::parse(text).ok_or_else(|| fail(format!("`{text}` is not a date written YYYY-MM-DD")))
}

impl Calendar for OfficialCalendar {
    fn working_day(&self, date: Date) -> Option<bool> {
        let year = date.ymd().0;
        if !self.covers(year) {
            // Once per process: every due date past the file's last year would say it again.
            static WARNED: Once = Once::new();
            WARNED.call_once(|| {
                tracing::warn!(
                    year,
                    "the workday calendar does not cover this year: due dates are counted by weekdays and shown as \
                     estimated (预计); add the State Council's holiday notice of that year to the calendar file \
                     (workday_calendar_file, TAXICERT_WORKDAY_CALENDAR_FILE)"
                );
            });
            return None;
        }
        Some(self.work.contains(&date) || (!self.off.contains(&date) && !date.is_weekend()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workdays::add_working_days;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    /// Submitted on `from`: (accept by, decide by, estimated), as the cases count them.
    fn due(from: &str) -> (String, String, bool) {
        let calendar = OfficialCalendar::embedded();
        let (accept_by, e1) = add_working_days(&calendar, date(from), 2);
        let (decide_by, e2) = add_working_days(&calendar, accept_by, 3);
        (accept_by.to_string(), decide_by.to_string(), e1 || e2)
    }

    fn expect(from: &str, accept_by: &str, decide_by: &str, estimated: bool) {
        assert_eq!(due(from), (accept_by.to_owned(), decide_by.to_owned(), estimated), "submitted on {from}");
    }

    #[test]
    fn the_built_in_file_parses_and_covers_2023_to_2026() {
        let calendar = OfficialCalendar::embedded();
        assert!((2023..=2026).all(|y| calendar.covers(y)));
        assert!(!calendar.covers(2022) && !calendar.covers(2027));
        assert_eq!(calendar.make_up_days().count(), 7 + 8 + 5 + 6, "2023, 2024, 2025, 2026");
    }

    #[test]
    fn every_make_up_day_is_a_weekend_and_no_day_is_both() {
        let calendar = OfficialCalendar::embedded();
        for day in calendar.make_up_days() {
            assert!(day.is_weekend(), "{day}");
            assert!(!calendar.days_off().any(|off| off == day), "{day}");
        }
        let off: Vec<Date> = calendar.days_off().collect();
        let unique: BTreeSet<Date> = off.iter().copied().collect();
        assert_eq!(off.len(), unique.len());
        // Golden week 2025: eight days, 1–8 October.
        assert!((1..=8).all(|d| off.contains(&Date::from_ymd(2025, 10, d).unwrap())));
    }

    #[test]
    fn national_day_2023_and_its_worked_weekend() {
        // Thursday 28 September, the last working day before 29 Sep – 6 Oct; Saturday 7 and
        // Sunday 8 October are worked.
        expect("2023-09-28", "2023-10-08", "2023-10-11", false);
        // Submitted on the worked Saturday: Sunday 8 and Monday 9.
        expect("2023-10-07", "2023-10-09", "2023-10-12", false);
    }

    #[test]
    fn spring_festival_2024() {
        // Thursday 8 Feb: Friday 9 worked, 10–17 off, Sunday 18 worked.
        expect("2024-02-08", "2024-02-18", "2024-02-21", false);
        // The make-up Sunday before it, 4 Feb, counts as well.
        expect("2024-02-02", "2024-02-05", "2024-02-08", false);
        expect("2024-02-03", "2024-02-05", "2024-02-08", false);
    }

    #[test]
    fn spring_festival_2026() {
        // Thursday 12 Feb: Friday 13 and the worked Saturday 14; 15–23 off, then Tuesday 24 to Thursday 26.
        expect("2026-02-12", "2026-02-14", "2026-02-26", false);
        // Friday 13: Saturday 14, then Tuesday 24.
        expect("2026-02-13", "2026-02-24", "2026-02-27", false);
        // Thursday 26: Friday 27, the worked Saturday 28; then Monday 2 March to Wednesday 4.
        expect("2026-02-26", "2026-02-28", "2026-03-04", false);
    }

    #[test]
    fn national_day_2025_takes_eight_days() {
        // Tuesday 30 September: 1–8 October off, Thursday 9 and Friday 10; the worked Saturday
        // 11, then Monday 13 and Tuesday 14.
        expect("2025-09-30", "2025-10-10", "2025-10-14", false);
        // Sunday 28 September is worked: a Friday submission counts it.
        expect("2025-09-26", "2025-09-29", "2025-10-10", false);
    }

    #[test]
    fn new_year_2026_and_a_saturday_submission() {
        // Wednesday 31 Dec 2025: 1–3 January off, Sunday 4 worked, Monday 5.
        expect("2025-12-31", "2026-01-05", "2026-01-08", false);
        // An ordinary Saturday: Monday and Tuesday.
        expect("2026-11-28", "2026-12-01", "2026-12-04", false);
    }

    #[test]
    fn beyond_the_file_the_weekday_rule_is_estimated() {
        // Wednesday 30 Dec 2026: Thursday 31, then 1 January 2027, not covered yet.
        expect("2026-12-30", "2027-01-01", "2027-01-06", true);
        // Within the file, not estimated even at its end.
        expect("2026-12-24", "2026-12-28", "2026-12-31", false);
    }

    #[test]
    fn a_broken_line_names_its_number() {
        let err = |text: &str| OfficialCalendar::parse(text).unwrap_err();
        assert_eq!(err("# c\nyear 2027\noff 2027-02-30\n").line, 3);
        assert_eq!(err("off 2027-01-01\n").line, 1, "a date before its year");
        let weekday = err("year 2027\n\nwork 2027-01-04 调休\n");
        assert_eq!(weekday.line, 3);
        assert!(weekday.to_string().starts_with("line 3: "), "{weekday}");
        assert_eq!(err("year 2027\noff 2027-01-01\noff 2026-12-31..2027-01-02\n").line, 3, "another year");
        assert_eq!(err("year 2027\noff 2027-01-01\noff 2027-01-01\n").line, 3, "listed twice");
        assert_eq!(err("year 2027\nholiday 2027-01-01\n").line, 2);
        assert_eq!(err("year 2027\nyear 2027\n").line, 2);
        assert_eq!(err("year 2027\noff 2027-01-05..2027-01-01\n").line, 2);
        let ok =
            OfficialCalendar::parse("year 2027 # 通知\noff 2027-01-01..2027-01-03 元旦\nwork 2027-01-09\n").unwrap();
        assert_eq!(ok.working_day(date("2027-01-09")), Some(true));
        assert_eq!(ok.working_day(date("2027-01-01")), Some(false));
        assert_eq!(ok.working_day(date("2027-01-04")), Some(true));
        assert_eq!(ok.working_day(date("2028-01-04")), None);
    }
}

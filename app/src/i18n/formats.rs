//! Numbers, dates and sizes as each language writes them. Dates are shown in UTC, as stored.

use super::Texts;

/// How a language writes numbers and dates.
pub struct Formats {
    /// Separates groups of three digits.
    pub thousands: &'static str,
    /// Between the whole and the fraction.
    pub decimal: &'static str,
    /// The ten digits (Arabic uses its own).
    pub digits: [char; 10],
    /// A date and time from its parts: year, month (1-12), day, hour, minute.
    pub date_time: fn(&Formats, Civil) -> String,
    /// A date alone.
    pub date: fn(&Formats, Civil) -> String,
}

/// A moment in UTC, split into what people read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

impl Civil {
    /// From milliseconds since 1970 (UTC), with Howard Hinnant's days-to-civil algorithm.
    pub fn from_millis(millis: i64) -> Self {
        let seconds = millis.div_euclid(1000);
        let days = seconds.div_euclid(86_400);
        let of_day = seconds.rem_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Civil { year, month, day, hour: (of_day / 3600) as u32, minute: (of_day % 3600 / 60) as u32 }
    }
}

impl Formats {
    /// Digits in this language's script.
    pub fn digits(&self, ascii: &str) -> String {
        ascii.chars().map(|c| c.to_digit(10).map_or(c, |d| self.digits[d as usize])).collect()
    }

    /// A whole number with its groups of three: "12,345" / "12.345" / "١٢٬٣٤٥".
    pub fn number(&self, n: u64) -> String {
        let plain = n.to_string();
        let mut grouped = String::new();
        for (at, c) in plain.chars().enumerate() {
            if at > 0 && (plain.len() - at).is_multiple_of(3) {
                grouped.push_str(self.thousands);
            }
            grouped.push(c);
        }
        self.digits(&grouped)
    }

    /// A number with `places` decimals, rounded: "2.4" / "2,4" / "-1.235". Worked out in whole
    /// numbers, so that what rounds to zero has no sign ("0.000", where `{:.3}` writes "-0.000").
    pub fn fixed(&self, x: f64, places: u32) -> String {
        let scale = 10_i64.pow(places);
        let scaled = (x * scale as f64).round() as i64;
        let sign = if scaled < 0 { "-" } else { "" };
        let (whole, fraction) = (scaled.unsigned_abs() / scale as u64, scaled.unsigned_abs() % scale as u64);
        let plain = if places == 0 {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}{}{fraction:0width$}", self.decimal, width = places as usize)
        };
        self.digits(&plain)
    }

    fn pad2(&self, n: u32) -> String {
        self.digits(&format!("{n:02}"))
    }
}

impl Texts {
    /// A count, as this language writes numbers.
    pub fn number(&self, n: u64) -> String {
        self.formats.number(n)
    }

    /// A stored moment (milliseconds since 1970, UTC) with its time.
    pub fn date_time(&self, millis: i64) -> String {
        (self.formats.date_time)(&self.formats, Civil::from_millis(millis))
    }

    /// A stored moment's date.
    pub fn date(&self, millis: i64) -> String {
        (self.formats.date)(&self.formats, Civil::from_millis(millis))
    }

    /// A file size: "2.4 MB", "310 KB", "12 bytes" in this language.
    pub fn size(&self, bytes: u64) -> String {
        let units = &self.common.size_units;
        match bytes {
            b if b >= 1_000_000 => format!("{} {}", self.formats.fixed(b as f64 / 1e6, 1), units[2]),
            b if b >= 1_000 => format!("{} {}", self.number((b as f64 / 1e3).round() as u64), units[1]),
            b => format!("{} {}", self.number(b), units[0]),
        }
    }
}

/// A counted Arabic noun, by CLDR's plural rule for Arabic: the word alone for one and two
/// (`one`, `two`: the number is in the form), then the number with the plural for 3-10, the
/// accusative singular for 11-99 and the singular for 0 and 100 and up (of the last two digits).
pub fn arabic_count(n: u64, one: &str, two: &str, few: &str, many: &str, other: &str) -> String {
    let number = AR.number(n);
    match n {
        1 => one.to_owned(),
        2 => two.to_owned(),
        _ => match n % 100 {
            3..=10 => format!("{number} {few}"),
            11..=99 => format!("{number} {many}"),
            _ => format!("{number} {other}"),
        },
    }
}

const ASCII_DIGITS: [char; 10] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

const EN_MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DE_MONTHS: [&str; 12] =
    ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."];
const AR_MONTHS: [&str; 12] =
    ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"];

fn en_date(f: &Formats, c: Civil) -> String {
    format!("{} {} {}", c.day, EN_MONTHS[c.month as usize - 1], f.digits(&c.year.to_string()))
}
fn en_date_time(f: &Formats, c: Civil) -> String {
    format!("{}, {}:{} UTC", en_date(f, c), f.pad2(c.hour), f.pad2(c.minute))
}
fn de_date(_: &Formats, c: Civil) -> String {
    format!("{}. {} {}", c.day, DE_MONTHS[c.month as usize - 1], c.year)
}
fn de_date_time(f: &Formats, c: Civil) -> String {
    format!("{}, {}:{} UTC", de_date(f, c), f.pad2(c.hour), f.pad2(c.minute))
}
fn zh_date(_: &Formats, c: Civil) -> String {
    format!("{}年{}月{}日", c.year, c.month, c.day)
}
fn zh_date_time(f: &Formats, c: Civil) -> String {
    format!("{} {}:{} UTC", zh_date(f, c), f.pad2(c.hour), f.pad2(c.minute))
}
fn ar_date(f: &Formats, c: Civil) -> String {
    format!("{} {} {}", f.digits(&c.day.to_string()), AR_MONTHS[c.month as usize - 1], f.digits(&c.year.to_string()))
}
fn ar_date_time(f: &Formats, c: Civil) -> String {
    format!("{}، {}:{} UTC", ar_date(f, c), f.pad2(c.hour), f.pad2(c.minute))
}

pub const EN: Formats =
    Formats { thousands: ",", decimal: ".", digits: ASCII_DIGITS, date_time: en_date_time, date: en_date };
pub const ZH: Formats =
    Formats { thousands: ",", decimal: ".", digits: ASCII_DIGITS, date_time: zh_date_time, date: zh_date };
pub const DE: Formats =
    Formats { thousands: ".", decimal: ",", digits: ASCII_DIGITS, date_time: de_date_time, date: de_date };
/// Arabic-Indic digits with the Arabic thousands and decimal separators, as CLDR's `ar` has them.
pub const AR: Formats = Formats {
    thousands: "\u{066C}",
    decimal: "\u{066B}",
    digits: ['٠', '١', '٢', '٣', '٤', '٥', '٦', '٧', '٨', '٩'],
    date_time: ar_date_time,
    date: ar_date,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{AR, DE, EN, ZH};

    #[test]
    fn civil_dates_from_milliseconds() {
        assert_eq!(Civil::from_millis(0), Civil { year: 1970, month: 1, day: 1, hour: 0, minute: 0 });
        // 2026-11-28T14:05:00Z
        assert_eq!(
            Civil::from_millis(1_795_874_700_000),
            Civil { year: 2026, month: 11, day: 28, hour: 14, minute: 5 }
        );
        // 2024-02-29T23:59:00Z, a leap day
        assert_eq!(
            Civil::from_millis(1_709_251_140_000),
            Civil { year: 2024, month: 2, day: 29, hour: 23, minute: 59 }
        );
    }

    #[test]
    fn each_language_writes_dates_its_way() {
        let at = 1_795_874_700_000;
        assert_eq!(EN.date_time(at), "28 Nov 2026, 14:05 UTC");
        assert_eq!(DE.date_time(at), "28. Nov. 2026, 14:05 UTC");
        assert_eq!(ZH.date_time(at), "2026年11月28日 14:05 UTC");
        assert_eq!(AR.date_time(at), "٢٨ نوفمبر ٢٠٢٦، ١٤:٠٥ UTC");
        assert_eq!(DE.date(at), "28. Nov. 2026");
    }

    #[test]
    fn each_language_writes_numbers_its_way() {
        assert_eq!(EN.number(1_234_567), "1,234,567");
        assert_eq!(DE.number(1_234_567), "1.234.567");
        assert_eq!(AR.number(1_234), "١٬٢٣٤");
        assert_eq!(EN.number(999), "999");
        assert_eq!(EN.size(2_400_000), "2.4 MB");
        assert_eq!(DE.size(2_400_000), "2,4 MB");
        assert_eq!(EN.size(310_000), "310 KB");
        assert_eq!(EN.size(12), "12 bytes");
    }

    #[test]
    fn fixed_decimals_round_and_keep_their_zeros() {
        let f = &EN.formats;
        assert_eq!(f.fixed(-1.23456, 3), "-1.235");
        assert_eq!(f.fixed(-0.0004, 3), "0.000");
        assert_eq!(f.fixed(2.05, 3), "2.050");
        assert_eq!(f.fixed(0.96, 1), "1.0");
        assert_eq!(f.fixed(12.0, 0), "12");
        assert_eq!(DE.formats.fixed(-2.5, 1), "-2,5");
        assert_eq!(AR.formats.fixed(1.25, 2), "١٫٢٥");
    }
}

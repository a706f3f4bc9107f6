//! Money as a whole number of fen (分, hundredths of a yuan), and how it is shown.
//!
//! Why whole fen and not `f64` yuan: every figure a customer sees is rounded to the fen once, by one
//! documented rule, and sums of rounded figures (a loan's total repayable) then add up exactly.

use crate::locale::Lang;
use serde::{Deserialize, Serialize};

/// An amount of Chinese yuan (CNY), in fen. Serialised as the number of fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money {
    pub fen: i64,
}

impl Money {
    /// An amount from its number of fen.
    pub const fn from_fen(fen: i64) -> Self {
        Self { fen }
    }

    /// An amount from yuan, rounded to the fen, half away from zero (`f64::round`).
    pub fn from_yuan(yuan: f64) -> Self {
        Self {
            fen: (yuan * 100.0).round() as i64,
        }
    }

    /// The amount in yuan (for display arithmetic only; calculations stay in fen).
    pub fn yuan(self) -> f64 {
        self.fen as f64 / 100.0
    }

    /// "¥10,150.00": the yuan sign, thousands separated by commas, always two decimals. The same in
    /// both languages, as Chinese banks print amounts this way too.
    pub fn format(self) -> String {
        let sign = if self.fen < 0 { "-" } else { "" };
        let fen = self.fen.unsigned_abs();
        format!("{sign}¥{}.{:02}", group(fen / 100), fen % 100)
    }

    /// Like [`Money::format`], but without ".00" for whole yuan: for amounts the customer typed
    /// ("¥10,000") rather than results.
    pub fn format_short(self) -> String {
        if self.fen % 100 == 0 {
            let sign = if self.fen < 0 { "-" } else { "" };
            format!("{sign}¥{}", group(self.fen.unsigned_abs() / 100))
        } else {
            self.format()
        }
    }
}

fn group(mut n: u64) -> String {
    let mut parts = Vec::new();
    loop {
        if n < 1000 {
            parts.push(n.to_string());
            break;
        }
        parts.push(format!("{:03}", n % 1000));
        n /= 1000;
    }
    parts.reverse();
    parts.join(",")
}

/// A rate in percent, shown with up to two decimals and no trailing zeros: "1.5%", "0.05%", "18.25%".
pub fn format_rate(pct: f64) -> String {
    let s = format!("{pct:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

/// A term in months as words: "1 year", "18 months", "3年", "6个月".
pub fn format_months(months: u32, lang: Lang) -> String {
    let (y, m) = (months / 12, months % 12);
    match lang {
        Lang::En => {
            let plural = |n: u32, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
            match (y, m) {
                (0, m) => plural(m, "month"),
                (y, 0) => plural(y, "year"),
                (y, m) => format!("{} {}", plural(y, "year"), plural(m, "month")),
            }
        }
        Lang::ZhCn => match (y, m) {
            (0, m) => format!("{m}个月"),
            (y, 0) => format!("{y}年"),
            (y, m) => format!("{y}年{m}个月"),
        },
    }
}

/// A number of days: "30 days", "30天".
pub fn format_days(days: u32, lang: Lang) -> String {
    match lang {
        Lang::En if days == 1 => "1 day".into(),
        Lang::En => format!("{days} days"),
        Lang::ZhCn => format!("{days}天"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(Money::from_fen(1_015_000).format(), "¥10,150.00");
        assert_eq!(Money::from_fen(5).format(), "¥0.05");
        assert_eq!(Money::from_fen(-123_456_789).format(), "-¥1,234,567.89");
        assert_eq!(Money::from_fen(1_000_000).format_short(), "¥10,000");
        assert_eq!(Money::from_yuan(150.005).fen, 15001);
        assert_eq!(format_rate(1.5), "1.5%");
        assert_eq!(format_rate(18.25), "18.25%");
        assert_eq!(format_rate(0.05), "0.05%");
        assert_eq!(format_rate(3.0), "3%");
        assert_eq!(format_months(12, Lang::En), "1 year");
        assert_eq!(format_months(18, Lang::En), "1 year 6 months");
        assert_eq!(format_months(360, Lang::ZhCn), "30年");
        assert_eq!(format_months(3, Lang::ZhCn), "3个月");
    }
}

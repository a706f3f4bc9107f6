//! Opening hours of the people behind the assistant. A fixed UTC offset rather than a time-zone
//! database: banks publish their service hours in local time and Chinese time has no daylight saving;
//! a bank in a zone with DST sets the offset it needs (or sets `always_open` and answers 24/7).

use assistant_core::answers::Texts;
use chrono::{DateTime, Datelike, Duration, FixedOffset, Timelike, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct HoursConfig {
    /// People answer at any time (the other settings are ignored).
    pub always_open: bool,
    /// Offset of local time from UTC, minutes (480 = UTC+8, China).
    pub utc_offset_minutes: i32,
    /// Open days, ISO numbering: 1 = Monday … 7 = Sunday.
    pub days: Vec<u32>,
    /// Local opening and closing time, "HH:MM".
    pub open: String,
    pub close: String,
    /// The hours in words, shown by the widget as written.
    pub description_en: String,
    pub description_zh: String,
}

impl Default for HoursConfig {
    fn default() -> Self {
        Self {
            always_open: false,
            utc_offset_minutes: 480,
            days: vec![1, 2, 3, 4, 5, 6, 7],
            open: "08:00".into(),
            close: "22:00".into(),
            description_en: "Our people are here every day, 8:00–22:00 (China time).".into(),
            description_zh: "人工客服每天 8:00–22:00（北京时间）在线。".into(),
        }
    }
}

fn minutes(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.split_once(':')?;
    let (h, m): (u32, u32) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

impl HoursConfig {
    /// Checks the settings once at start-up, so a typo stops the server instead of closing the queue.
    pub fn validate(&self) -> Result<(), String> {
        if self.always_open {
            return Ok(());
        }
        let (o, c) = (minutes(&self.open), minutes(&self.close));
        match (o, c) {
            (Some(o), Some(c)) if o < c => {}
            _ => {
                return Err(format!(
                    "hours: open '{}' must be before close '{}' (HH:MM)",
                    self.open, self.close
                ));
            }
        }
        if self.days.iter().any(|d| !(1..=7).contains(d)) {
            return Err("hours: days are 1 (Monday) to 7 (Sunday)".into());
        }
        if self.utc_offset_minutes.abs() > 14 * 60 {
            return Err("hours: utc_offset_minutes must be within ±840".into());
        }
        Ok(())
    }

    pub fn description(&self) -> Texts {
        Texts {
            en: self.description_en.clone(),
            zh: self.description_zh.clone(),
        }
    }

    fn offset(&self) -> FixedOffset {
        FixedOffset::east_opt(self.utc_offset_minutes * 60)
            .unwrap_or(FixedOffset::east_opt(0).expect("zero offset"))
    }

    /// Whether people are available at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        if self.always_open {
            return true;
        }
        let local = now.with_timezone(&self.offset());
        let (Some(o), Some(c)) = (minutes(&self.open), minutes(&self.close)) else {
            return false;
        };
        let m = local.hour() * 60 + local.minute();
        self.days.contains(&local.weekday().number_from_monday()) && m >= o && m < c
    }

    /// When people are next available after `now` (None when open now or never open).
    pub fn next_open(&self, now: DateTime<Utc>) -> Option<DateTime<FixedOffset>> {
        if self.is_open(now) {
            return None;
        }
        let o = minutes(&self.open)?;
        let local = now.with_timezone(&self.offset());
        let midnight = local
            - Duration::seconds(local.num_seconds_from_midnight() as i64)
            - Duration::nanoseconds(local.nanosecond() as i64);
        (0..8).find_map(|d| {
            let t = midnight + Duration::days(d) + Duration::minutes(o as i64);
            (t > local && self.days.contains(&t.weekday().number_from_monday())).then_some(t)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn weekdays() -> HoursConfig {
        HoursConfig {
            days: vec![1, 2, 3, 4, 5],
            open: "09:00".into(),
            close: "17:30".into(),
            ..HoursConfig::default()
        }
    }

    #[test]
    fn open_within_local_hours_on_open_days() {
        let h = weekdays();
        // Monday 2026-11-23 10:00 in China = 02:00 UTC.
        assert!(h.is_open(Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap()));
        // Monday 17:30 China time: closed (close is exclusive).
        assert!(!h.is_open(Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap()));
    }

    #[test]
    fn next_open_skips_closed_days() {
        let h = weekdays();
        // Friday 2026-11-27 20:00 China time → Monday 09:00.
        let next = h
            .next_open(Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap())
            .unwrap();
        assert_eq!(next.to_rfc3339(), "2026-11-30T09:00:00+08:00");
        // Monday 07:00 → same day 09:00.
        let next = h
            .next_open(Utc.with_ymd_and_hms(2026, 11, 22, 23, 0, 0).unwrap())
            .unwrap();
        assert_eq!(next.to_rfc3339(), "2026-11-23T09:00:00+08:00");
    }

    #[test]
    fn bad_settings_are_refused() {
        let mut h = weekdays();
        h.close = "08:00".into();
        assert!(h.validate().is_err());
        h.close = "18:00".into();
        h.days.push(8);
        assert!(h.validate().is_err());
    }
}

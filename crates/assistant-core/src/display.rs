//! Display text sizes, shared by the widget, the worker protocol and the server (a hand-off carries the
//! customer's text-size preference so an agent can keep replies short and plain for large-text users).
//!
//! The larger steps are the elder-friendly "large-text mode": MIIT's 适老化 guidance and WCAG-minded
//! testers expect body text of at least 18 CSS px there, and a largest step of at least 30 px.

use serde::{Deserialize, Serialize};

/// Text size steps. `Standard` is the ordinary widget; every larger step is elder mode, which also
/// enlarges controls to at least 60×60 CSS px and simplifies answers and choices.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSize {
    #[default]
    Standard,
    Large,
    Larger,
    Largest,
}

impl TextSize {
    pub const ALL: [TextSize; 4] = [
        TextSize::Standard,
        TextSize::Large,
        TextSize::Larger,
        TextSize::Largest,
    ];

    /// Body text size in CSS px. MIIT's elder-friendly guidance and the issue ask for ≥ 18 px in elder
    /// mode with a largest step of ≥ 30 px.
    pub fn px(self) -> u32 {
        match self {
            TextSize::Standard => 16,
            TextSize::Large => 20,
            TextSize::Larger => 24,
            TextSize::Largest => 30,
        }
    }

    /// Elder (large-text) mode: every step above standard.
    pub fn elder(self) -> bool {
        self != TextSize::Standard
    }

    /// The stable name used in storage, `data-text-size` and the bridge.
    pub fn name(self) -> &'static str {
        match self {
            TextSize::Standard => "standard",
            TextSize::Large => "large",
            TextSize::Larger => "larger",
            TextSize::Largest => "largest",
        }
    }

    /// Parses a name, a CSS pixel size ("20", "20px") or "elder" (the first elder step).
    pub fn parse(value: &str) -> Option<TextSize> {
        let v = value.trim().to_ascii_lowercase();
        if v == "elder" {
            return Some(TextSize::Large);
        }
        if let Some(size) = TextSize::ALL.into_iter().find(|s| s.name() == v) {
            return Some(size);
        }
        let px: u32 = v.trim_end_matches("px").trim().parse().ok()?;
        // The largest step not above the asked-for size (at least standard).
        Some(
            TextSize::ALL
                .into_iter()
                .rev()
                .find(|s| s.px() <= px)
                .unwrap_or(TextSize::Standard),
        )
    }

    pub fn smaller(self) -> TextSize {
        let i = TextSize::ALL.iter().position(|s| *s == self).unwrap_or(0);
        TextSize::ALL[i.saturating_sub(1)]
    }

    pub fn larger(self) -> TextSize {
        let i = TextSize::ALL.iter().position(|s| *s == self).unwrap_or(0);
        TextSize::ALL[(i + 1).min(TextSize::ALL.len() - 1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elder_steps_meet_the_size_floor_and_the_largest_reaches_30px() {
        for s in TextSize::ALL {
            assert_eq!(s.elder(), s != TextSize::Standard);
            if s.elder() {
                assert!(s.px() >= 18, "{s:?}");
            }
        }
        assert!(TextSize::Largest.px() >= 30);
    }

    #[test]
    fn parses_names_pixels_and_elder() {
        assert_eq!(TextSize::parse("largest"), Some(TextSize::Largest));
        assert_eq!(TextSize::parse(" Large "), Some(TextSize::Large));
        assert_eq!(TextSize::parse("elder"), Some(TextSize::Large));
        assert_eq!(TextSize::parse("24px"), Some(TextSize::Larger));
        assert_eq!(TextSize::parse("22"), Some(TextSize::Large));
        assert_eq!(TextSize::parse("12"), Some(TextSize::Standard));
        assert_eq!(TextSize::parse("huge"), None);
        assert_eq!(TextSize::parse(""), None);
    }

    #[test]
    fn steps_stop_at_both_ends() {
        assert_eq!(TextSize::Standard.smaller(), TextSize::Standard);
        assert_eq!(TextSize::Largest.larger(), TextSize::Largest);
        assert_eq!(TextSize::Large.larger(), TextSize::Larger);
    }

    #[test]
    fn serialises_as_its_name() {
        for s in TextSize::ALL {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.name())
            );
        }
    }
}

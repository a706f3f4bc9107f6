//! Property tests: no panics on arbitrary Unicode, and masking never leaves a valid card or PRC ID
//! number in clear, however it is written. (Native only: proptest does not build for wasm32.)
#![cfg(not(target_arch = "wasm32"))]

use assistant_core::features::{FeaturiserConfig, featurise};
use assistant_core::normalize::Normalizer;
use assistant_core::pii::{luhn_valid, mask, prc_id_valid};
use proptest::prelude::*;
use std::sync::OnceLock;

fn normalizer() -> &'static Normalizer {
    static N: OnceLock<Normalizer> = OnceLock::new();
    N.get_or_init(Normalizer::new)
}

/// A Luhn-valid card number of 13–19 digits.
fn card() -> impl Strategy<Value = Vec<u8>> {
    (12usize..=18)
        .prop_flat_map(|n| proptest::collection::vec(0u8..=9, n))
        .prop_map(|mut d| {
            d[0] = d[0].max(1);
            for check in 0..=9 {
                d.push(check);
                if luhn_valid(&d) {
                    break;
                }
                d.pop();
            }
            d
        })
}

/// A valid 18-character PRC ID number (check character 10 = X).
fn prc_id() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(0u8..=9, 17).prop_map(|mut d| {
        for check in 0..=10 {
            d.push(check);
            if prc_id_valid(&d) {
                break;
            }
            d.pop();
        }
        d
    })
}

/// Writes digits in groups with a separator (none, space, hyphen, dot, full-width digits).
fn write(digits: &[u8], style: u8, group: usize) -> String {
    let mut s = String::new();
    for (i, d) in digits.iter().enumerate() {
        if i > 0 && i % group == 0 {
            match style % 4 {
                1 => s.push(' '),
                2 => s.push('-'),
                3 => s.push('.'),
                _ => {}
            }
        }
        let c = if *d == 10 { 'X' } else { char::from(b'0' + d) };
        s.push(if style >= 4 && *d < 10 {
            char::from_u32(0xFF10 + u32::from(*d)).unwrap()
        } else {
            c
        });
    }
    s
}

/// Only ASCII digits (and X) of the text, full-width folded: a number "in clear" shows up here.
fn digits_of(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '0'..='9' | 'X' => Some(c),
            '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFF10 + 0x30),
            _ => None,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn nothing_panics_on_arbitrary_unicode(text in "\\PC{0,300}") {
        let n = normalizer().normalize(&text);
        let f = featurise(&n, &FeaturiserConfig::default());
        prop_assert_eq!(f.ids.len(), f.weights.len());
        prop_assert!(f.weights.iter().all(|w| w.is_finite()));
        let m = mask(&text);
        prop_assert!(m.text.len() <= text.len() + 24 * m.found.len());
    }

    #[test]
    fn normalisation_is_idempotent(text in "\\PC{0,100}") {
        let once = normalizer().normalize(&text);
        prop_assert_eq!(normalizer().normalize(&once), once);
    }

    #[test]
    fn card_numbers_never_stay_in_clear(
        before in "[a-z 我的卡号：]{0,20}", after in "[a-z 丢了。!]{0,20}",
        card in card(), style in 0u8..8, group in 3usize..=5,
    ) {
        let text = format!("{before}{}{after}", write(&card, style, group));
        let masked = mask(&text).text;
        let number: String = card.iter().map(|d| char::from(b'0' + d)).collect();
        prop_assert!(!digits_of(&masked).contains(&number), "{text} → {masked}");
    }

    #[test]
    fn prc_id_numbers_never_stay_in_clear(before in "[a-z 身份证]{0,10}", id in prc_id(), style in 0u8..8) {
        let text = format!("{before}{}", write(&id, style, 6));
        let masked = mask(&text).text;
        let number: String = id.iter().map(|d| if *d == 10 { 'X' } else { char::from(b'0' + d) }).collect();
        prop_assert!(!digits_of(&masked).contains(&number[..17]), "{text} → {masked}");
    }
}

//! Property tests: no panics on arbitrary Unicode; masking never leaves a valid number in clear (cards,
//! PRC/Hong Kong/Taiwan/Macau IDs, passports, mainland/US/Hong Kong phones, one-time codes, PINs,
//! passwords, e-mail addresses), however it is written and whatever surrounds it; and amounts, dates,
//! percentages and the like stay as they are. (Native only: proptest does not build for wasm32.)
#![cfg(not(target_arch = "wasm32"))]

use assistant_core::features::{FeaturiserConfig, featurise};
use assistant_core::normalize::Normalizer;
use assistant_core::pii::{PiiKind, luhn_valid, mask, prc_id_valid};
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

// ---- Every kind of secret, written every way ----

/// Digit scripts a customer may type in.
#[derive(Debug, Clone, Copy)]
enum Script {
    Ascii,
    FullWidth,
    ArabicIndic,
    Persian,
    Devanagari,
    /// 〇一二三…, with 幺 for one and 两 for two.
    Chinese,
    /// 零一二三….
    ChineseZero,
}

fn script() -> impl Strategy<Value = Script> {
    prop_oneof![
        3 => Just(Script::Ascii),
        1 => Just(Script::FullWidth),
        1 => Just(Script::ArabicIndic),
        1 => Just(Script::Persian),
        1 => Just(Script::Devanagari),
        1 => Just(Script::Chinese),
        1 => Just(Script::ChineseZero),
    ]
}

fn digit_char(d: u8, script: Script) -> char {
    let at = |zero: u32| char::from_u32(zero + u32::from(d)).unwrap();
    match script {
        Script::Ascii => at(0x30),
        Script::FullWidth => at(0xFF10),
        Script::ArabicIndic => at(0x660),
        Script::Persian => at(0x6F0),
        Script::Devanagari => at(0x966),
        Script::Chinese => "〇幺两三四五六七八九".chars().nth(usize::from(d)).unwrap(),
        Script::ChineseZero => "零一二三四五六七八九".chars().nth(usize::from(d)).unwrap(),
    }
}

/// What may stand between digit groups.
const SEPARATORS: [&str; 12] = [
    "", " ", "-", " - ", "/", ",", "_", "\t", "．", ".", "\u{3000}", "–",
];

/// Digits in groups of the given sizes (the last group takes the rest), in one script, one separator.
fn render(digits: &[u8], groups: &[usize], sep: &str, script: Script) -> String {
    let mut out = String::new();
    let mut rest = digits;
    for (i, &g) in groups.iter().enumerate() {
        let take = if i + 1 == groups.len() {
            rest.len()
        } else {
            g.min(rest.len())
        };
        if take == 0 {
            break;
        }
        if i > 0 {
            out.push_str(sep);
        }
        out.extend(rest[..take].iter().map(|&d| digit_char(d, script)));
        rest = &rest[take..];
    }
    out
}

/// Groups of `size` covering `n` digits.
fn even_groups(n: usize, size: usize) -> Vec<usize> {
    vec![size; n.div_ceil(size)]
}

fn ascii(digits: &[u8]) -> String {
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// The digits of `text` in any script above, as ASCII, leaving out the last four a card mask shows.
fn digits_left(text: &str) -> String {
    let mut text = text.to_string();
    while let Some(s) = text.find("[card ••••") {
        text.replace_range(s..s + "[card ••••".len() + 4, "[card]");
    }
    text.chars()
        .filter_map(|c| {
            let u = c as u32;
            if let Some(z) = [0x30, 0xFF10, 0x660, 0x6F0, 0x966]
                .iter()
                .find(|z| (**z..**z + 10).contains(&u))
            {
                return char::from_digit(u - z, 10);
            }
            ["〇幺两三四五六七八九", "零一二三四五六七八九"]
                .iter()
                .find_map(|s| s.chars().position(|x| x == c))
                .map(|p| char::from(b'0' + p as u8))
        })
        .collect()
}

/// English or Chinese words around a secret (no digits, no keywords, no currency).
fn surroundings() -> impl Strategy<Value = (String, String)> {
    const EN: [&str; 12] = [
        "my", "please", "help", "it", "is", "here", "lost", "thanks", "for", "the", "urgent",
        "hello",
    ];
    const ZH: [&str; 8] = [
        "我的",
        "请帮我查",
        "谢谢",
        "丢了",
        "在这里",
        "你好",
        "麻烦",
        "急",
    ];
    let en = proptest::collection::vec(proptest::sample::select(&EN[..]), 0..4)
        .prop_map(|w| w.join(" "));
    let zh =
        proptest::collection::vec(proptest::sample::select(&ZH[..]), 0..4).prop_map(|w| w.concat());
    let side = prop_oneof![
        en.clone().prop_map(|w| (format!("{w} "), format!(" {w}"))),
        zh.prop_map(|w| (w.clone(), w))
    ];
    (side.clone(), side).prop_map(|((b, _), (_, a))| (b, a))
}

/// A secret as written, and its digits (ASCII) that must not survive, or a text that must not.
#[derive(Debug, Clone)]
struct Secret {
    text: String,
    digits: String,
    words: Vec<String>,
}

fn secret(text: String, digits: &[u8]) -> Secret {
    Secret {
        text,
        digits: ascii(digits),
        words: Vec::new(),
    }
}

fn digits(n: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(0u8..=9, n)
}

fn written_card() -> impl Strategy<Value = Secret> {
    (
        card(),
        script(),
        proptest::sample::select(&SEPARATORS[..]),
        3usize..=5,
        0u8..4,
    )
        .prop_map(|(card, script, sep, group, word)| {
            let mut text = render(&card, &even_groups(card.len(), group), sep, script);
            if word > 0 && card.len() == 16 && group == 4 {
                // "4111 1111 1111 and 1111"
                let w = [" and ", " 和 ", " then "][usize::from(word - 1)];
                let sep = if sep.is_empty() { " " } else { sep };
                text = render(&card[..12], &[4, 4, 4], sep, script)
                    + w
                    + &render(&card[12..], &[4], "", script);
            }
            secret(text, &card)
        })
}

fn written_prc_id() -> impl Strategy<Value = Secret> {
    (
        prc_id(),
        script(),
        proptest::sample::select(&SEPARATORS[..3]),
        prop_oneof![Just(vec![18]), Just(vec![6, 8, 4])],
    )
        .prop_map(|(id, script, sep, groups)| {
            let mut text = render(&id[..17], &groups, sep, script);
            text.push(if id[17] == 10 {
                'X'
            } else {
                digit_char(id[17], script)
            });
            secret(text, &id[..17])
        })
}

/// Hong Kong ID check character (10 = A): the weighted sum with it is a multiple of 11.
fn hk_check(letters: &[u8], d: &[u8]) -> u8 {
    let (a, b) = match letters {
        [b] => (36, u32::from(*b) + 10),
        [a, b] => (u32::from(*a) + 10, u32::from(*b) + 10),
        _ => unreachable!(),
    };
    let sum = a * 9
        + b * 8
        + d.iter()
            .zip([7, 6, 5, 4, 3, 2])
            .map(|(&x, w)| u32::from(x) * w)
            .sum::<u32>();
    ((11 - sum % 11) % 11) as u8
}

/// Taiwan ID check digit for a letter (A = 10 … in the ID's order) and 8 digits.
fn tw_check(letter: u8, d: &[u8]) -> u8 {
    let code = "ABCDEFGHJKLMNPQRSTUVXYWZIO"
        .find(char::from(b'A' + letter))
        .unwrap() as u32
        + 10;
    let sum = code / 10
        + code % 10 * 9
        + d.iter()
            .zip([8, 7, 6, 5, 4, 3, 2, 1])
            .map(|(&x, w)| u32::from(x) * w)
            .sum::<u32>();
    ((10 - sum % 10) % 10) as u8
}

/// ASCII or full-width letters.
fn letters(l: &[u8], wide: bool, lower: bool) -> String {
    l.iter()
        .map(|&x| {
            let c = if lower { b'a' + x } else { b'A' + x };
            if wide {
                char::from_u32(u32::from(c) - 0x20 + 0xFF00 + 0x20 - 0x20).unwrap()
            } else {
                char::from(c)
            }
        })
        .collect()
}

fn written_document() -> impl Strategy<Value = Secret> {
    let hk = (
        proptest::collection::vec(0u8..26, 1..=2),
        digits(6),
        0u8..3,
        any::<bool>(),
        script(),
    )
        .prop_map(|(l, d, form, wide, script)| {
            let check = hk_check(&l, &d);
            let c = if check == 10 {
                'A'
            } else {
                digit_char(check, script)
            };
            let body = letters(&l, wide, false) + &render(&d, &[6], "", script);
            let text = match form {
                0 => format!("{body}({c})"),
                1 => format!("{body} （{c}）"),
                _ => format!("{body}{c}"),
            };
            secret(text, &d)
        });
    let tw = (
        0u8..26,
        prop_oneof![Just(1u8), Just(2), Just(8), Just(9)],
        digits(7),
        any::<bool>(),
        script(),
    )
        .prop_map(|(l, second, d, lower, script)| {
            let mut all = vec![second];
            all.extend(&d);
            all.push(tw_check(l, &all));
            secret(
                letters(&[l], false, lower) + &render(&all, &[9], "", script),
                &all,
            )
        });
    let macau = (
        prop_oneof![Just(1u8), Just(5), Just(7)],
        digits(7),
        script(),
    )
        .prop_map(|(first, d, script)| {
            let mut all = vec![first];
            all.extend(&d[..6]);
            secret(
                format!(
                    "{}({})",
                    render(&all, &[7], "", script),
                    digit_char(d[6], script)
                ),
                &all,
            )
        });
    let passport = (
        prop_oneof![Just("E"), Just("G"), Just("e")],
        digits(8),
        script(),
    )
        .prop_map(|(l, d, script)| secret(format!("{l}{}", render(&d, &[8], "", script)), &d));
    let passport_after_word = (
        proptest::sample::select(
            &[
                "passport ",
                "passport no. ",
                "Passport number: ",
                "护照号 ",
                "护照号码：",
                "通行证",
            ][..],
        ),
        proptest::collection::vec(0u8..26, 0..=2),
        6usize..=9,
        digits(9),
        script(),
    )
        .prop_map(|(word, l, n, d, script)| {
            secret(
                format!(
                    "{word}{}{}",
                    letters(&l, false, false),
                    render(&d[..n], &[n], "", script)
                ),
                &d[..n],
            )
        });
    prop_oneof![hk, tw, macau, passport, passport_after_word]
}

fn written_phone() -> impl Strategy<Value = Secret> {
    let sep = || proptest::sample::select(&SEPARATORS[..]);
    let mainland = (3u8..=9, digits(9), script(), sep(), any::<bool>()).prop_map(
        |(second, d, script, sep, plus)| {
            let mut all = vec![1, second];
            all.extend(&d);
            let text = render(&all, &[3, 4, 4], sep, script);
            secret(if plus { format!("+86 {text}") } else { text }, &all)
        },
    );
    let us = (
        2u8..=9,
        digits(2),
        2u8..=9,
        digits(6),
        script(),
        proptest::sample::select(&[" ", "-", ".", "/", " - "][..]),
        0u8..4,
    )
        .prop_map(|(a, mut area, b, rest, script, sep, form)| {
            if matches!(a, 4 | 8) && area[0] == area[1] {
                area[1] = (area[1] + 1) % 10; // toll-free numbers (8xx, 400) are kept
            }
            let mut all = vec![a];
            all.extend(&area);
            all.push(b);
            all.extend(&rest);
            let text = match form {
                0 => render(&all, &[3, 3, 4], sep, script),
                1 => format!(
                    "({}) {}",
                    render(&all[..3], &[3], "", script),
                    render(&all[3..], &[3, 4], "-", script)
                ),
                2 => format!(
                    "{}{sep}{}",
                    digit_char(1, script),
                    render(&all, &[3, 3, 4], sep, script)
                ),
                _ => format!("+1 {}", render(&all, &[3, 3, 4], sep, script)),
            };
            secret(text, &all)
        });
    let hong_kong = (
        prop_oneof![Just(2u8), Just(3), Just(5), Just(6), Just(9)],
        digits(7),
        script(),
        0u8..3,
        proptest::sample::select(
            &[
                "香港电话 ",
                "call me on ",
                "phone: ",
                "手机",
                "联系电话：",
                "my mobile is ",
            ][..],
        ),
        sep(),
    )
        .prop_map(|(first, d, script, form, word, sep)| {
            let mut all = vec![first];
            all.extend(&d);
            let text = match form {
                // Written 4-4 without a phone word: not a year pair ("2023 2024") nor a round range.
                0 => {
                    if all[0] == 2 && all[1] == 0 {
                        all[1] = 1;
                    }
                    all[7] = all[7].max(1);
                    render(
                        &all,
                        &[4, 4],
                        if sep.contains('-') { "-" } else { " " },
                        script,
                    )
                }
                1 => format!("+852 {}", render(&all, &[4, 4], sep, script)),
                _ => format!(
                    "{word}{}",
                    render(
                        &all,
                        if sep.is_empty() {
                            &[8][..]
                        } else {
                            &[4, 4][..]
                        },
                        sep,
                        script
                    )
                ),
            };
            secret(text, &all)
        });
    prop_oneof![mainland, us, hong_kong]
}

/// One-time codes, PINs, passwords, and a card's CVV and expiry, each after its word.
fn written_code_or_secret() -> impl Strategy<Value = Secret> {
    let code = (
        proptest::sample::select(
            &[
                "验证码 ",
                "验证码是",
                "OTP: ",
                "the code is ",
                "my code ",
                "verification code ",
                "动态码：",
                "短信码",
                "one-time code: ",
                "驗證碼",
            ][..],
        ),
        4usize..=8,
        digits(8),
        script(),
        proptest::sample::select(&SEPARATORS[..]),
    )
        .prop_map(|(word, n, d, script, sep)| {
            let d = &d[..n];
            let groups = if sep.is_empty() {
                vec![n]
            } else {
                vec![n / 2, n - n / 2]
            };
            secret(format!("{word}{}", render(d, &groups, sep, script)), d)
        });
    let pin = (
        proptest::sample::select(
            &[
                "pin ",
                "PIN: ",
                "my pin is ",
                "PIN码",
                "密码",
                "取款密码 ",
                "密码是",
                "支付密码：",
                "pin number ",
            ][..],
        ),
        4usize..=6,
        digits(6),
        script(),
    )
        .prop_map(|(word, n, d, script)| {
            secret(
                format!("{word}{}", render(&d[..n], &[n], "", script)),
                &d[..n],
            )
        });
    let password = (
        proptest::sample::select(
            &[
                "password: ",
                "password ",
                "pwd ",
                "passwd=",
                "密码是",
                "登录密码是",
                "my password is ",
            ][..],
        ),
        "[A-Za-z]{2,6}[0-9]{2,4}[!#$%&*]?",
    )
        .prop_map(|(word, token)| Secret {
            text: format!("{word}{token}"),
            digits: String::new(),
            words: vec![token],
        });
    let card_details = (card(), 0u8..6, digits(3), 1u8..=12, 24u8..=35).prop_map(
        |(card, form, cvv, month, year)| {
            let card_text = render(&card, &even_groups(card.len(), 4), " ", Script::Ascii);
            let (expiry, expiry_digits) = (
                format!("{month:02}/{year}"),
                vec![month / 10, month % 10, year / 10, year % 10],
            );
            let cvv_text = ascii(&cvv);
            let (text, hidden) = match form {
                0 => (format!("{card_text} cvv {cvv_text}"), cvv.clone()),
                1 => (format!("{card_text} CVC: {cvv_text}"), cvv.clone()),
                2 => (format!("卡号{card_text} 安全码{cvv_text}"), cvv.clone()),
                3 => (format!("{card_text} exp {expiry}"), expiry_digits),
                4 => (format!("卡号{card_text}，有效期{expiry}"), expiry_digits),
                _ => (
                    format!("{card_text} {cvv_text} {expiry}"),
                    [cvv.clone(), expiry_digits].concat(),
                ),
            };
            let mut s = secret(text, &hidden);
            s.digits = format!("{}|{}", ascii(&card), s.digits);
            s
        },
    );
    prop_oneof![code, pin, password, card_details]
}

fn written_email() -> impl Strategy<Value = Secret> {
    let part = || {
        prop_oneof![
            "[a-z][a-z0-9._]{0,8}[a-z0-9]",
            "[a-zéüñøçå]{3,8}",
            proptest::collection::vec(
                proptest::sample::select(
                    &['张', '王', '明', '华', '伟', '芳', '例', '子', '邮'][..]
                ),
                2..=3
            )
            .prop_map(|c| c.into_iter().collect::<String>()),
        ]
    };
    let tld = prop_oneof![
        "[a-z]{2,4}",
        Just("公司".to_string()),
        Just("中国".to_string())
    ];
    let host = prop_oneof![
        "[a-z][a-z0-9-]{0,8}[a-z0-9]",
        "[a-zéüñøçå]{3,8}",
        proptest::collection::vec(
            proptest::sample::select(&['例', '子', '网', '络', '邮', '件'][..]),
            2..=3
        )
        .prop_map(|c| c.into_iter().collect::<String>()),
    ];
    (part(), host, tld, 0u8..6).prop_map(|(local, host, tld, form)| {
        let (at, dot) = match form {
            0 => ("@", "."),
            1 => ("＠", "．"),
            2 => (" (at) ", " (dot) "),
            3 => ("[at]", "[dot]"),
            4 => (" at ", " dot "),
            _ => ("@", "(dot)"),
        };
        Secret {
            text: format!("{local}{at}{host}{dot}{tld}"),
            digits: String::new(),
            words: vec![local, host],
        }
    })
}

fn assert_hidden(s: &Secret, before: &str, after: &str) -> Result<(), TestCaseError> {
    let text = format!("{before}{}{after}", s.text);
    let m = mask(&text);
    let left = digits_left(&m.text);
    let around = digits_left(&format!("{before}{after}"));
    for d in s
        .digits
        .split('|')
        .filter(|d| !d.is_empty() && !around.contains(d))
    {
        prop_assert!(!left.contains(d), "{text:?} → {:?} keeps {d}", m.text);
    }
    // The words of an e-mail address or password, unless they are also around it.
    let masks = [
        "[email]",
        "[secret]",
        "[code]",
        "[cvv]",
        "[expiry]",
        "[phone]",
        "[passport]",
        "[ID]",
        "[number]",
    ];
    let rest = masks
        .iter()
        .fold(m.text.clone(), |t, r| t.replace(r, "\u{0}"));
    for w in s
        .words
        .iter()
        .filter(|w| !before.contains(w.as_str()) && !after.contains(w.as_str()))
    {
        prop_assert!(
            !rest.contains(w.as_str()),
            "{text:?} → {:?} keeps {w:?}",
            m.text
        );
    }
    prop_assert!(!m.found.is_empty(), "{text:?}: nothing found");
    prop_assert_eq!(
        mask(&m.text).text,
        m.text.clone(),
        "masking {:?} twice",
        text
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn no_valid_card_or_id_survives(s in prop_oneof![written_card(), written_prc_id(), written_document()], (b, a) in surroundings()) {
        assert_hidden(&s, &b, &a)?;
    }

    #[test]
    fn no_phone_number_survives(s in written_phone(), (b, a) in surroundings()) {
        assert_hidden(&s, &b, &a)?;
    }

    #[test]
    fn no_code_pin_password_or_cvv_survives(s in written_code_or_secret(), (b, a) in surroundings()) {
        assert_hidden(&s, &b, &a)?;
    }

    #[test]
    fn no_email_survives(s in written_email(), (b, a) in surroundings()) {
        assert_hidden(&s, &b, &a)?;
        let found = mask(&format!("{b}{}{a}", s.text)).found;
        prop_assert!(found.contains(&PiiKind::Email), "{:?}", found);
    }
}

// ---- What customers need in clear ----

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Amounts, dates, times, percentages, years, quantities, ranges.
fn keep_item() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u64..1_000_000_000_000, any::<bool>(), 0u8..100).prop_map(|(n, cents, c)| {
            format!(
                "${}{}",
                thousands(n / if cents { 100 } else { 1 }),
                if cents {
                    format!(".{c:02}")
                } else {
                    String::new()
                }
            )
        }),
        (1u32..100_000).prop_map(|n| format!("¥{n}")),
        (1u32..1000).prop_map(|n| format!("{n}万元")),
        (1u32..10_000_000).prop_map(|n| format!("{n}元")),
        (0u32..20, 0u32..100).prop_map(|(a, b)| format!("{a}.{b}%")),
        (1u64..10_000_000).prop_map(|n| format!("HK${}", thousands(n))),
        (1990u32..2035, 1u32..=12, 1u32..=28, 0u8..4).prop_map(|(y, m, d, f)| match f {
            0 => format!("{y}-{m:02}-{d:02}"),
            1 => format!("{d:02}/{m:02}/{y}"),
            2 => format!("{y}/{m}/{d}"),
            _ => format!("{y}年{m}月{d}日"),
        }),
        (0u32..24, 0u32..60).prop_map(|(h, m)| format!("{h}:{m:02}")),
        (1990u32..2035).prop_map(|y| format!("{y}-{}", y + 1)),
        (1990u32..2035).prop_map(|y| format!("in {y}")),
        (1u32..20).prop_map(|n| format!("{n} cards")),
        (1u32..20).prop_map(|n| format!("{n}张卡")),
        (1u32..9).prop_map(|a| format!("{a}000-{}000元", a + 1)),
        (1u32..9).prop_map(|a| format!("{a}000-{}000", a + 1)),
        Just("Gold Card".to_string()),
        Just("branch code 1234".to_string()),
    ]
}

fn joiner() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(&[" and ", ", ", " on ", "，", "；", " then ", " ", " or "][..])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn amounts_dates_and_percentages_stay(items in proptest::collection::vec((keep_item(), joiner()), 1..5), (b, a) in surroundings()) {
        let text = format!("{b}{}{a}", items.iter().map(|(i, j)| format!("{i}{j}")).collect::<String>());
        let m = mask(&text);
        prop_assert_eq!(&m.text, &text);
        prop_assert!(m.found.is_empty());
    }

    #[test]
    fn kept_text_stays_next_to_masked_data(
        before in keep_item(), after in keep_item(),
        s in prop_oneof![written_card(), written_phone(), written_code_or_secret(), written_email()],
        j1 in proptest::sample::select(&[" on ", ", ", "，", " and "][..]),
        j2 in proptest::sample::select(&[" on ", ", ", "，", " and "][..]),
    ) {
        let text = format!("{before}{j1}{}{j2}{after}", s.text);
        let m = mask(&text);
        prop_assert!(m.text.contains(&before) && m.text.contains(&after), "{text:?} → {:?}", m.text);
        assert_hidden(&s, &format!("{before}{j1}"), &format!("{j2}{after}"))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Digits, separators, keywords and brackets in any order: no panic, and masking twice (the widget,
    /// then the server) changes nothing more.
    #[test]
    fn number_soup_masks_once(
        text in "(pin|code|cvv|exp|phone|电话|护照|身份证|[0-9]{1,5}|[ \\-./,_()+:xXaeE@]|元|\\$|一三八|٤١|(at)|dot|\\.com){0,40}"
    ) {
        let once = mask(&text).text;
        prop_assert_eq!(mask(&once).text, once.clone(), "{:?}", text);
    }
}

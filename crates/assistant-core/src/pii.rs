//! Masking of personal data before anything leaves the browser or is kept in a transcript.
//!
//! What is masked, in English and Chinese writing alike (spaces, hyphens, dots and full-width digits are
//! all understood as part of a number):
//! - payment card numbers: 13–19 digits passing the Luhn check → `[card ••••1234]` (last four kept, as on
//!   a receipt, so the customer can tell which card they meant);
//! - PRC resident ID numbers: 18 characters with a valid ISO 7064 checksum → `[ID]`;
//! - phone numbers: mainland mobiles (`1[3-9]` + 9 digits, with or without +86/0086), landlines with an
//!   area code (`0xx-xxxxxxxx`), and any number written with a leading `+` → `[phone]`;
//! - e-mail addresses → `[email]`;
//! - and, to be safe, any other run of 12 or more digits (account numbers, mistyped cards) → `[number]`.
//!
//! Written by hand rather than with the `regex` crate: this runs in the widget's first load, where the
//! regex engine would cost more bytes than the whole masker, and number grouping rules are easier to get
//! right (and to property-test) as a small scanner.

use serde::{Deserialize, Serialize};

/// Kinds of personal data the masker recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    Card,
    IdNumber,
    Phone,
    Email,
    Number,
}

/// Masked text and what was hidden in it (so the UI can tell the customer).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Masked {
    pub text: String,
    pub found: Vec<PiiKind>,
}

/// Characters allowed between digit groups of one number.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '.' | '\u{00A0}' | '\u{3000}' | '\u{FF0D}' | '\u{2010}'..='\u{2015}'
    )
}

/// ASCII and full-width digits.
fn digit_value(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '\u{FF10}'..='\u{FF19}' => Some((c as u32 - 0xFF10) as u8),
        _ => None,
    }
}

fn is_email_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_email_domain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
}

/// Masks personal data in `text`.
pub fn mask(text: &str) -> Masked {
    let chars: Vec<char> = text.chars().collect();
    let emails = email_spans(&chars);
    let mut out = String::with_capacity(text.len());
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some(&(_, end)) = emails.iter().find(|(s, _)| *s == i) {
            out.push_str("[email]");
            found.push(PiiKind::Email);
            i = end;
            continue;
        }
        let plus = chars[i] == '+' || chars[i] == '\u{FF0B}';
        let start = if plus { i + 1 } else { i };
        if start < chars.len() && digit_value(chars[start]).is_some() && !follows_digit(&chars, i) {
            let (mut digits, mut end) = number_at(&chars, start);
            // A trailing X that does not make a valid ID number is just a letter after the number.
            if digits.last() == Some(&10) && classify_number(&digits, plus).is_none() {
                digits.pop();
                end -= 1;
            }
            // A number never runs into an e-mail address.
            let end = emails
                .iter()
                .map(|(s, _)| *s)
                .filter(|s| *s > i)
                .fold(end, usize::min);
            if let Some((kind, replacement)) = classify_number(&digits, plus) {
                out.push_str(&replacement);
                found.push(kind);
            } else {
                // Not personal data: copy the whole number unchanged.
                chars[i..end].iter().for_each(|c| out.push(*c));
            }
            i = end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    Masked { text: out, found }
}

/// Whether position `i` continues a letter/digit run (then it is not the start of a number).
fn follows_digit(chars: &[char], i: usize) -> bool {
    i > 0 && digit_value(chars[i - 1]).is_some()
}

/// Reads a number starting at `start`: digit groups joined by at most two separator characters, and a
/// trailing `X` (PRC ID check character). Returns its digits (X as 10) and the end index.
fn number_at(chars: &[char], start: usize) -> (Vec<u8>, usize) {
    let mut digits = Vec::new();
    let mut i = start;
    let mut end = start;
    loop {
        while i < chars.len() {
            if let Some(d) = digit_value(chars[i]) {
                digits.push(d);
                i += 1;
                end = i;
            } else {
                break;
            }
        }
        // An ID number's check character.
        if i < chars.len() && matches!(chars[i], 'X' | 'x') && digits.len() == 17 {
            digits.push(10);
            i += 1;
            end = i;
            break;
        }
        let mut j = i;
        while j < chars.len() && j - i < 2 && is_separator(chars[j]) {
            j += 1;
        }
        if j > i && j < chars.len() && digit_value(chars[j]).is_some() {
            i = j;
        } else {
            break;
        }
    }
    (digits, end)
}

fn classify_number(digits: &[u8], plus: bool) -> Option<(PiiKind, String)> {
    let n = digits.len();
    if n == 18 && prc_id_valid(digits) {
        return Some((PiiKind::IdNumber, "[ID]".into()));
    }
    if digits.contains(&10) {
        return None;
    }
    if (13..=19).contains(&n) && luhn_valid(digits) {
        let last4: String = digits[n - 4..]
            .iter()
            .map(|d| char::from(b'0' + d))
            .collect();
        return Some((PiiKind::Card, format!("[card ••••{last4}]")));
    }
    if is_phone(digits, plus) {
        return Some((PiiKind::Phone, "[phone]".into()));
    }
    if n >= 12 {
        return Some((PiiKind::Number, "[number]".into()));
    }
    None
}

fn is_phone(d: &[u8], plus: bool) -> bool {
    let n = d.len();
    let mobile = |d: &[u8]| d.len() == 11 && d[0] == 1 && (3..=9).contains(&d[1]);
    if plus {
        return (7..=15).contains(&n);
    }
    if mobile(d) {
        return true;
    }
    if n == 13 && d.starts_with(&[8, 6]) && mobile(&d[2..]) {
        return true;
    }
    if n == 15 && d.starts_with(&[0, 0, 8, 6]) && mobile(&d[4..]) {
        return true;
    }
    // Landline with area code: 0 + 2–3 digit area + 7–8 digit number.
    (10..=12).contains(&n) && d[0] == 0 && d[1] != 0
}

/// The Luhn (mod 10) check used by payment cards.
pub fn luhn_valid(digits: &[u8]) -> bool {
    if digits.is_empty() || digits.iter().any(|&d| d > 9) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// GB 11643-1999 check: weighted sum of the first 17 digits mod 11 selects the 18th character.
pub fn prc_id_valid(digits: &[u8]) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [u8; 11] = [1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2];
    if digits.len() != 18 || digits[..17].iter().any(|&d| d > 9) {
        return false;
    }
    let sum: u32 = digits[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    CHECK[(sum % 11) as usize] == digits[17]
}

/// Spans `(start, end)` of e-mail addresses: a local part, '@', and a domain with a letters-only TLD.
fn email_spans(chars: &[char]) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for at in 0..chars.len() {
        if chars[at] != '@' && chars[at] != '\u{FF20}' {
            continue;
        }
        let floor = spans.last().map_or(0, |s| s.1);
        let local = chars[floor..at]
            .iter()
            .rev()
            .take_while(|c| is_email_local(**c))
            .count();
        if local == 0 {
            continue;
        }
        let mut end = at + 1;
        while end < chars.len() && is_email_domain(chars[end]) {
            end += 1;
        }
        // Trailing dots belong to the sentence, not the domain.
        while end > at + 1 && chars[end - 1] == '.' {
            end -= 1;
        }
        let domain: String = chars[at + 1..end].iter().collect();
        let tld_ok = domain.rsplit_once('.').is_some_and(|(host, tld)| {
            !host.is_empty() && tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
        });
        if tld_ok {
            spans.push((at - local, end));
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> String {
        mask(s).text
    }

    #[test]
    fn card_numbers_in_common_formats() {
        assert_eq!(
            m("my card 4111 1111 1111 1111 was lost"),
            "my card [card ••••1111] was lost"
        );
        assert_eq!(m("卡号4111-1111-1111-1111丢了"), "卡号[card ••••1111]丢了");
        assert_eq!(
            m("card ４１１１１１１１１１１１１１１１ lost"),
            "card [card ••••1111] lost"
        );
    }

    #[test]
    fn prc_id_numbers() {
        // 11010519491231002X is the standard published example with a valid checksum.
        assert_eq!(m("身份证11010519491231002X"), "身份证[ID]");
        assert_eq!(
            m("id 110105194912310021 ok"),
            "id [number] ok",
            "bad checksum is still a long number"
        );
    }

    #[test]
    fn phone_numbers() {
        assert_eq!(m("call me on 138 0013 8000"), "call me on [phone]");
        assert_eq!(m("我的手机13800138000"), "我的手机[phone]");
        assert_eq!(m("+86 138-0013-8000"), "[phone]");
        assert_eq!(m("+44 20 7946 0958"), "[phone]");
        assert_eq!(m("座机010-12345678"), "座机[phone]");
    }

    #[test]
    fn emails() {
        assert_eq!(
            m("write to jane.doe+bank@example.co.uk."),
            "write to [email]."
        );
        assert_eq!(m("邮箱是abc@qq.com谢谢"), "邮箱是[email]谢谢");
        assert_eq!(m("meet @ noon"), "meet @ noon");
        assert_eq!(m("13800138000@qq.com"), "[email]");
    }

    #[test]
    fn ordinary_numbers_are_left_alone() {
        for s in [
            "I paid 25.50 twice",
            "top up 1000 yuan",
            "2024-05-01",
            "转账5000元",
            "pin 1234",
        ] {
            assert_eq!(m(s), s);
        }
    }

    #[test]
    fn reports_what_was_found() {
        let r = mask("4111111111111111 and 13800138000");
        assert_eq!(r.found, vec![PiiKind::Card, PiiKind::Phone]);
    }

    #[test]
    fn luhn_and_checksum() {
        assert!(luhn_valid(&[
            4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
        ]));
        assert!(!luhn_valid(&[
            4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2
        ]));
    }
}

//! Masking of personal data before anything leaves the browser or is kept in a transcript. The widget
//! and the server call this same [`mask`], so they hide the same things.
//!
//! One left-to-right scanner reads a folded copy of the text (full-width ASCII → ASCII, ASCII lower case,
//! one char per input char) and copies whatever it keeps from the input unchanged. English and Chinese
//! writing alike:
//!
//! **Digits** are any Unicode decimal digit (ASCII, full-width, Arabic-Indic ٠–٩, ۰–۹, Devanagari …: the
//! Nd blocks of Unicode 14) and the Chinese digit words 零〇一二三四五六七八九, 幺 (1), 两/兩 (2) and the
//! financial forms 壹贰叁肆伍陆柒捌玖. **A number** is digit groups joined by 1–3 of space, tab, `-`, a dash,
//! `/`, `_`, `(`, `)`, or by a lone `.` or `,` (also `．`; not `，`, which is punctuation):
//! "4111 - 1111/1111_1111". A card's last four may also follow one short word after three groups of four
//! ("4111 1111 1111 and 1111", "… 1111 和 1111"). A number is split at group boundaries into the longest
//! parts that are personal data:
//! - payment cards: 13–19 digits passing Luhn → `[card ••••1234]` (last four kept, as on a receipt, so
//!   the customer can tell which card they meant);
//! - PRC resident IDs: 18 characters with a valid ISO 7064 checksum and a plausible birth date → `[ID]`;
//!   Macau IDs "1234567(8)" → `[ID]`;
//! - phones → `[phone]`: a leading `+`; mainland mobiles `1[3-9]` + 9 digits (±86/0086); landlines `0` +
//!   area + number; (852) + Hong Kong 8 digits starting 2/3/5/6/9; and three weaker shapes, each the
//!   whole number: NANP written 3-3-4 or 1-3-3-4 ("(415) 555-2671", "415.555.2671"), Hong Kong written
//!   4-4 ("9123 4567"), and any 7–8 digit (or 10-digit NANP) number that is the first number within 20
//!   characters after a phone word (phone, tel, call, mobile, 电话, 手机, 联系 …: "香港电话 91234567");
//! - any other run of 12 or more digits (account numbers, mistyped cards) → `[number]`;
//! - after a card, in the same message: a 3–4 digit group 1–3 spaces after it → `[cvv]`, and any
//!   `MM/YY` or `MM/YYYY` → `[expiry]`.
//!
//! Cards, IDs and `[number]` are written with one kind of separator ("1990-1991 1000-2000" is two ranges).
//!
//! **Kept in clear**, because customers need them: amounts ("$1,250.00", "¥5000", "5万元", "3.5%": up to
//! 12 digits grouped by thousands commas, or after a currency sign or before a unit), dates (Y-M-D, D/M/Y
//! with `-`, `/` or `.`), times, years, quantities and other short numbers. No number is read through an
//! amount or a date. The weak phone shapes are not used next to money ($ ¥ € £ 元 万 % yuan HKD …), for
//! toll-free service numbers (8xx, 400) nor, without a phone word, for two years or a round range
//! ("2023-2024", "3000-5000").
//!
//! **Letters and digits**, at the start of a word:
//! - Taiwan IDs (letter + 9 digits, checksum) and Hong Kong IDs (1–2 letters + 6 digits + check digit or
//!   A: "A123456(3)" in brackets always, "A1234563" when the check digit is right) → `[ID]`;
//! - mainland passports "E12345678", "G12345678", "EA1234567" → `[passport]`.
//!
//! **After a keyword** and its connectors ("is", "no.", "number", ":", "=", "#", "是", "为", "号码"; up to
//! three other short words when "is", ":" or "是" follows them: "the code I got is 482913"):
//! - one-time codes (code, OTP, 验证码, 动态码, 短信码, 校验码) of 4–8 digits → `[code]`, except after
//!   branch, zip, post, error, promo … ("branch code 1234" stays);
//! - CVV/CVC/CVN/security code/安全码: 3–4 digits → `[cvv]`; exp/expiry/有效期: MM/YY or MMYY → `[expiry]`;
//! - PIN/password/passwd/pwd/passcode/密码/口令: the next token (ASCII or digits, ≥ 4 characters) →
//!   `[secret]` when it holds a digit, or straight after ":", "=", "是", "为" ("my password is expired",
//!   "your PIN in the app: Cards" stay);
//! - passport/护照/通行证: 0–2 letters + 6–9 digits → `[passport]` ("passport no. 123456789");
//!   身份证/证件/HKID/"ID card"/"ID number": 0–2 letters + 6–18 digits → `[ID]`.
//!
//! **E-mail addresses** → `[email]`: "@", "＠", "(at)", "[at]", or " at " when the domain spells " dot ";
//! dots may be ".", "．", "(dot)", "[dot]", " dot ". Local parts and domains may be non-ASCII
//! ("josé@correo.es", "张三@例子.公司"); a CJK local part stops at 是为到给发至和与箱址件, so
//! "邮箱是张三@例子.公司" keeps "邮箱是".
//!
//! Masking masked text changes nothing (the widget masks, then the server masks again).
//!
//! Known limits: a card written straight before other digits in the same number ("4111 1111 1111 1111
//! 12/27") is read longest first, so one time in ten Luhn accepts a longer card (all digits still hidden,
//! the last four shown are wrong); an expiry is only recognised without a keyword after the card; after
//! "password:" any word is taken for the password.
//!
//! Written by hand rather than with the `regex` crate: this runs in the widget's first load, where the
//! regex engine would cost more bytes than the whole masker, and number grouping rules are easier to get
//! right (and to property-test) as a small scanner. Linear: each character is looked at a bounded number
//! of times (numbers are split over at most 20 groups at a time).

use serde::{Deserialize, Serialize};

/// Kinds of personal data the masker recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    /// A card number, or its expiry date.
    Card,
    IdNumber,
    Phone,
    Email,
    Number,
    Passport,
    /// A one-time (SMS, verification) code.
    Code,
    /// A PIN, password or CVV.
    Secret,
}

/// Masked text and what was hidden in it (so the UI can tell the customer).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Masked {
    pub text: String,
    pub found: Vec<PiiKind>,
}

/// A replacement: start and end (in chars), what it is, and the text that stands in for it.
type Hit = (usize, usize, PiiKind, String);

#[derive(Default)]
struct State {
    /// Where the last card number ended (its CVV and expiry may follow).
    card_end: Option<usize>,
    /// Where the last phone word ended.
    phone_word: Option<usize>,
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Code,
    Cvv,
    Secret,
    Expiry,
    Passport,
    Id,
    Phone,
}

/// Keywords (folded: lower case), `|`-separated, by what follows them. Where one keyword starts another,
/// the longer comes first.
const KEYWORDS: [(Ctx, &str); 7] = [
    (
        Ctx::Cvv,
        "cvv2|cvv|cvc2|cvc|cvn|security code|安全码|安全碼",
    ),
    (
        Ctx::Code,
        "otp|code|验证码|驗證碼|动态码|動態碼|短信码|短信碼|校验码|校驗碼",
    ),
    (
        Ctx::Secret,
        "pin|password|passwd|pwd|passcode|密码|密碼|口令",
    ),
    (
        Ctx::Expiry,
        "exp|expiry|expires|expiration|valid thru|有效期",
    ),
    (Ctx::Passport, "passport|护照|護照|通行证|通行證"),
    (
        Ctx::Id,
        "hkid|id card|identity card|id number|id no|身份证|身份證|证件|證件",
    ),
    (
        Ctx::Phone,
        "phone|telephone|tel|mobile|call|cellphone|cell|whatsapp|电话|電話|手机|手機|联系|聯繫|致电",
    ),
];

/// The first characters of the keywords, sorted (a quick test before looking them up).
const KEYWORD_STARTS: [char; 33] = [
    'c', 'e', 'h', 'i', 'm', 'o', 'p', 's', 't', 'v', 'w', '动', '動', '口', '安', '密', '手',
    '护', '有', '校', '电', '短', '联', '聯', '致', '證', '護', '证', '身', '通', '電', '驗', '验',
];

/// "… code" that is not a one-time code.
const NOT_CODES: [&str; 16] = [
    "area", "bank", "branch", "country", "coupon", "error", "post", "postal", "promo", "product",
    "qr", "routing", "sort", "swift", "tax", "zip",
];

/// Characters that end a CJK e-mail local part ("邮箱是张三@…"), sorted.
const LOCAL_STOP: [char; 15] = [
    '与', '为', '件', '到', '发', '和', '址', '是', '為', '發', '箱', '給', '给', '至', '與',
];

/// The zeros of the Unicode 14 decimal digit blocks (Nd) beyond ASCII and full-width (folded).
const ZEROS: [u32; 64] = [
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6,
    0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50,
    0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0x104A0,
    0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0,
    0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE,
    0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// Full-width ASCII (but '，') → ASCII, spaces and dashes → ' ' and '-', ASCII → lower case.
fn fold(c: char) -> char {
    match c {
        // Not '，': Chinese text's comma is punctuation, never inside a number.
        '\u{FF01}'..='\u{FF0B}' | '\u{FF0D}'..='\u{FF5E}' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        '\t' | '\u{00A0}' | '\u{3000}' => ' ',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '\u{FFE5}' => '¥',
        _ => c,
    }
    .to_ascii_lowercase()
}

/// The value of a decimal digit in any script, or of a Chinese digit word.
fn digit(c: char) -> Option<u8> {
    let u = c as u32;
    if c.is_ascii_digit() {
        return Some((u - 0x30) as u8);
    }
    if u < 0x660 {
        return None;
    }
    Some(match c {
        '零' | '〇' => 0,
        '一' | '幺' | '壹' => 1,
        '二' | '两' | '兩' | '贰' | '貳' => 2,
        '三' | '叁' | '參' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' | '陸' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        // No decimal digits between Ol Chiki's and Vai's (CJK among them).
        _ if (0x1C5A..0xA620).contains(&u) => return None,
        _ => {
            let z = ZEROS[ZEROS.partition_point(|&z| z <= u).checked_sub(1)?];
            return (u - z < 10).then(|| (u - z) as u8);
        }
    })
}

fn is_sep(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '/' | ',' | '_' | '(' | ')')
}

/// `w` is at `c[i..]`.
fn at(c: &[char], i: usize, w: &str) -> bool {
    let mut j = i;
    w.chars().all(|x| {
        j += 1;
        c.get(j - 1) == Some(&x)
    })
}

/// The ASCII word `w` is at `c[i..]`, not inside a longer word.
fn word(c: &[char], i: usize, w: &str) -> bool {
    let letter = |j: usize| c.get(j).is_some_and(char::is_ascii_alphanumeric);
    at(c, i, w) && !(i > 0 && letter(i - 1)) && !letter(i + w.len())
}

/// Masks personal data in `text`.
pub fn mask(text: &str) -> Masked {
    // Masking must be idempotent (the widget masks, then the server again): a replacement can make a
    // span recognisable that was not before ("…com٤١pin00" → "…com٤١pin[secret]" ends an e-mail's
    // domain with a letter), so mask again until nothing changes (at most twice more; one pass in
    // almost every message).
    let mut m = mask_once(text);
    for _ in 0..2 {
        let again = mask_once(&m.text);
        if again.text == m.text {
            break;
        }
        m.text = again.text;
        m.found.extend(again.found);
    }
    m
}

fn mask_once(text: &str) -> Masked {
    let orig: Vec<char> = text.chars().collect();
    let folded: Vec<char> = orig.iter().map(|&c| fold(c)).collect();
    let emails = email_spans(&folded);
    let mut hits: Vec<Hit> = Vec::new();
    let mut st = State::default();
    let (mut i, mut e) = (0, 0);
    while i < folded.len() {
        if let Some(&(s, end)) = emails.get(e)
            && s == i
        {
            hits.push((s, end, PiiKind::Email, "[email]".into()));
            (i, e) = (end, e + 1);
            continue;
        }
        // Nothing runs into an e-mail address.
        let c = &folded[..emails.get(e).map_or(folded.len(), |s| s.0)];
        i = keyword(c, i, &mut st, &mut hits)
            .or_else(|| letter_id(c, i, &mut hits))
            .or_else(|| number(c, i, &mut st, &mut hits))
            .unwrap_or(i + 1);
    }
    let mut out = String::with_capacity(text.len());
    let mut found = Vec::with_capacity(hits.len());
    let mut pos = 0;
    for (s, e, kind, r) in hits {
        out.extend(&orig[pos..s]);
        out.push_str(&r);
        found.push(kind);
        pos = e;
    }
    out.extend(&orig[pos..]);
    Masked { text: out, found }
}

/// A replacement ends at `i` (so a word may start there, as it will when the masked text is masked
/// again).
fn after_hit(hits: &[Hit], i: usize) -> bool {
    hits.last().is_some_and(|h| h.1 == i)
}

/// A keyword at `i` and the value after it.
fn keyword(c: &[char], i: usize, st: &mut State, hits: &mut Vec<Hit>) -> Option<usize> {
    let ascii = c[i].is_ascii_lowercase();
    // Not inside a word, nor our own "[phone]" when masked text is masked again.
    let before = i.checked_sub(1).map(|j| c[j]);
    if ascii && before.is_some_and(|b| b.is_ascii_alphanumeric()) && !after_hit(hits, i)
        || before == Some('[')
        || KEYWORD_STARTS.binary_search(&c[i]).is_err()
    {
        return None;
    }
    let (ctx, w) = KEYWORDS
        .iter()
        .flat_map(|&(ctx, ws)| ws.split('|').map(move |w| (ctx, w)))
        .find(|(_, w)| {
            at(c, i, w)
                && !(ascii
                    && c.get(i + w.chars().count())
                        .is_some_and(char::is_ascii_lowercase))
        })?;
    let end = i + w.chars().count();
    if ctx == Ctx::Phone {
        st.phone_word = Some(end);
        return Some(end);
    }
    if ctx == Ctx::Code && not_a_code(c, i) {
        return None;
    }
    let (j, marked) = connect(c, end);
    let (e, kind, r) = match ctx {
        Ctx::Secret => {
            let e = token(c, j);
            let digits = c[j..e].iter().any(|&x| digit(x).is_some());
            (e - j >= 4 && (marked || digits)).then_some((e, PiiKind::Secret, "[secret]"))
        }
        Ctx::Passport => id_token(c, j, 9).map(|e| (e, PiiKind::Passport, "[passport]")),
        Ctx::Id => id_token(c, j, 18).map(|e| (e, PiiKind::IdNumber, "[ID]")),
        _ => {
            digit(*c.get(j)?)?;
            let ch = chain(c, j);
            let g = &ch.g;
            let upto = g.iter().position(|g| g.weak).unwrap_or(g.len());
            let total = g[upto - 1].d;
            let n = match ctx {
                Ctx::Code
                    if (4..=8).contains(&total) && g[..upto].iter().all(|g| g.e - g.s >= 2) =>
                {
                    Some(upto)
                }
                Ctx::Code => ((4..=8).contains(&g[0].d) && total < 12).then_some(1),
                Ctx::Cvv => ((3..=4).contains(&g[0].d) && total < 12).then_some(1),
                _ => expiry(c, &ch, 0, false),
            };
            let (kind, r) = match ctx {
                Ctx::Code => (PiiKind::Code, "[code]"),
                Ctx::Cvv => (PiiKind::Secret, "[cvv]"),
                _ => (PiiKind::Card, "[expiry]"),
            };
            n.map(|n| (g[n - 1].e, kind, r))
        }
    }?;
    hits.push((j, e, kind, r.into()));
    Some(e)
}

/// "branch code", "zip code" …: not a one-time code.
fn not_a_code(c: &[char], i: usize) -> bool {
    let mut e = i;
    while e > 0 && c[e - 1] == ' ' {
        e -= 1;
    }
    let mut s = e;
    while s > 0 && c[s - 1].is_ascii_lowercase() {
        s -= 1;
    }
    NOT_CODES
        .iter()
        .any(|w| c[s..e].iter().copied().eq(w.chars()))
}

/// Skips what joins a keyword to its value (spaces, ":", "#", "is", "no.", "是", "号码" …), and up to three
/// other short words when "is", "was", ":" or "是" follows them ("the code I got is 482913",
/// "验证码收到了是123456"). Says whether an explicit marker (":", "=", "是", "为") was among it, and no
/// such word ("your PIN in the app: Cards" is not a password).
fn connect(c: &[char], mut i: usize) -> (usize, bool) {
    let (start, mut marked) = (i, false);
    // Where the words not yet followed by "is" or a marker began, and how many there are.
    let (mut filler, mut words) = (None, 0);
    while i < c.len() && i - start < 24 {
        if matches!(c[i], ':' | '=' | '是' | '为' | '為') {
            (marked, filler) = (true, None);
            i += 1;
        } else if matches!(c[i], ' ' | '#' | '.' | '-' | '号' | '號' | '码' | '碼') {
            i += 1;
        } else if let Some(w) = ["is", "was", "no", "number", "num", "code"]
            .iter()
            .find(|w| word(c, i, w))
        {
            if matches!(*w, "is" | "was") {
                filler = None;
            }
            i += w.len();
        } else {
            let ascii = c[i].is_ascii_lowercase();
            let n = c[i..]
                .iter()
                .take(9)
                .take_while(|&&x| {
                    if ascii {
                        x.is_ascii_lowercase()
                    } else {
                        is_cjk(x)
                            && letter(x)
                            && digit(x).is_none()
                            && !matches!(x, '是' | '为' | '為')
                    }
                })
                .count();
            if n == 0 || n > if ascii { 8 } else { 4 } || words == 3 {
                break;
            }
            filler.get_or_insert(i);
            (i, words) = (i + n, words + 1);
        }
    }
    (filler.unwrap_or(i), marked && words == 0)
}

/// A password or PIN: ASCII without spaces, quotes and brackets, or digits of any script.
fn token(c: &[char], i: usize) -> usize {
    let mut e = i;
    while e < c.len()
        && (digit(c[e]).is_some()
            || c[e].is_ascii_graphic()
                && !matches!(
                    c[e],
                    ',' | ';' | '"' | '\'' | '(' | ')' | '[' | ']' | '{' | '}' | '<' | '>'
                ))
    {
        e += 1;
    }
    while e > i && matches!(c[e - 1], '.' | '!' | '?' | ':') {
        e -= 1;
    }
    e
}

/// A document number after its keyword: 0–2 letters, 6–`max` digits, a check character.
fn id_token(c: &[char], i: usize, max: usize) -> Option<usize> {
    let l = c[i..]
        .iter()
        .take(3)
        .take_while(|x| x.is_ascii_lowercase())
        .count();
    let n = c[i + l.min(2)..]
        .iter()
        .take_while(|&&x| digit(x).is_some())
        .count();
    let mut e = i + l + n;
    if l > 2 || !(6..=max).contains(&n) {
        return None;
    }
    if let Some(b) = bracket_check(c, e) {
        e = b;
    } else if max > 9 && c.get(e) == Some(&'x') {
        e += 1;
    }
    (!c.get(e).is_some_and(char::is_ascii_alphanumeric)).then_some(e)
}

/// A bracketed check character "(7)", "(A)" (full-width brackets are folded); returns its end.
fn bracket_check(c: &[char], mut i: usize) -> Option<usize> {
    i += usize::from(c.get(i) == Some(&' '));
    let ok = c.get(i) == Some(&'(')
        && c.get(i + 2) == Some(&')')
        && c.get(i + 1)
            .is_some_and(|&x| x == 'a' || digit(x).is_some());
    ok.then_some(i + 3)
}

/// Taiwan ID (letter + 1/2/8/9 + 8 digits), Hong Kong ID, mainland passport, at the start of a word.
fn letter_id(c: &[char], i: usize, hits: &mut Vec<Hit>) -> Option<usize> {
    let alnum = |j: usize| {
        c.get(j)
            .is_some_and(|&x| x.is_ascii_alphanumeric() || digit(x).is_some())
    };
    if !c[i].is_ascii_lowercase() || i > 0 && alnum(i - 1) && !after_hit(hits, i) {
        return None;
    }
    let l = c[i..]
        .iter()
        .take(3)
        .take_while(|x| x.is_ascii_lowercase())
        .count();
    if l > 2 {
        return None;
    }
    let mut d = [0; 10];
    let n = c[i + l..]
        .iter()
        .map_while(|&x| digit(x))
        .take(10)
        .zip(&mut d)
        .map(|(v, d)| *d = v)
        .count();
    if n < 6 {
        return None;
    }
    let (d, e, letters) = (&d[..n], i + l + n, &c[i..i + l]);
    let bracket = bracket_check(c, e);
    let (end, kind) = match (l, d.len()) {
        (_, 6) if bracket.is_some() => (bracket?, PiiKind::IdNumber),
        (_, 6) if c.get(e) == Some(&'a') && !alnum(e + 1) && hkid_valid(letters, d, 10) => {
            (e + 1, PiiKind::IdNumber)
        }
        _ if alnum(e) => return None,
        (_, 7) if hkid_valid(letters, &d[..6], d[6]) => (e, PiiKind::IdNumber),
        (1, 9) if twid_valid(letters[0], d) => (e, PiiKind::IdNumber),
        (1, 8) if matches!(letters[0], 'e' | 'g') => (e, PiiKind::Passport),
        (2, 7) if letters[0] == 'e' => (e, PiiKind::Passport),
        _ => return None,
    };
    let r = if kind == PiiKind::Passport {
        "[passport]"
    } else {
        "[ID]"
    };
    hits.push((i, end, kind, r.into()));
    Some(end)
}

/// Hong Kong ID check: letters (a space pads one letter to two) and digits weighted 9…2, plus the check
/// (A = 10), is a multiple of 11.
fn hkid_valid(letters: &[char], d: &[u8], check: u8) -> bool {
    let v = |c: char| u32::from(c) - u32::from('a') + 10;
    let (a, b) = match letters {
        [b] => (36, v(*b)),
        [a, b] => (v(*a), v(*b)),
        _ => return false,
    };
    let sum = a * 9
        + b * 8
        + d.iter()
            .zip((2..=7).rev())
            .map(|(&x, w)| u32::from(x) * w)
            .sum::<u32>();
    (sum + u32::from(check)) % 11 == 0
}

/// Taiwan ID check: the letter's code (A = 10 … in this order), then the digits, weighted
/// 1 9 8 7 6 5 4 3 2 1 1, sum to a multiple of 10.
fn twid_valid(letter: char, d: &[u8]) -> bool {
    let Some(code) = b"abcdefghjklmnpqrstuvxywzio"
        .iter()
        .position(|&x| char::from(x) == letter)
        .map(|p| p as u32 + 10)
    else {
        return false;
    };
    let w = [8, 7, 6, 5, 4, 3, 2, 1, 1];
    let sum =
        code / 10 + code % 10 * 9 + d.iter().zip(w).map(|(&x, w)| u32::from(x) * w).sum::<u32>();
    matches!(d[0], 1 | 2 | 8 | 9) && sum % 10 == 0
}

/// A group of digits in a number: chars `s..e`, digits up to `d` in the number's digits; `weak` when a
/// word joins it to the group before.
struct Group {
    s: usize,
    e: usize,
    d: usize,
    weak: bool,
}

/// A number: its groups, all digits, and whether an `X` (PRC ID check character) follows the last group.
struct Chain {
    g: Vec<Group>,
    d: Vec<u8>,
    x: bool,
}

impl Chain {
    fn digits(&self, k: usize, j: usize) -> &[u8] {
        &self.d[if k == 0 { 0 } else { self.g[k - 1].d }..self.g[j - 1].d]
    }

    fn value(&self, k: usize) -> u32 {
        self.digits(k, k + 1)
            .iter()
            .fold(0, |v, &x| v * 10 + u32::from(x))
    }

    fn len(&self, k: usize) -> usize {
        self.g[k].e - self.g[k].s
    }

    /// The end of the run of groups from `k` (before `j`) joined by one kind of separator: its first
    /// non-space character ("-" for " - "), or a space.
    fn alike(&self, c: &[char], k: usize, j: usize) -> usize {
        let kind = |q: usize| {
            let sep = &c[self.g[q - 1].e..self.g[q].s];
            sep.iter().copied().find(|&x| x != ' ').unwrap_or(' ')
        };
        (k + 2..j).find(|&q| kind(q) != kind(k + 1)).unwrap_or(j)
    }
}

/// Reads the number whose first digit is at `i`.
fn chain(c: &[char], mut i: usize) -> Chain {
    let mut ch = Chain {
        g: Vec::new(),
        d: Vec::new(),
        x: false,
    };
    let mut weak = false;
    let run = |i: usize| c[i..].iter().take_while(|&&x| digit(x).is_some()).count();
    loop {
        let s = i;
        while let Some(v) = c.get(i).and_then(|&x| digit(x)) {
            ch.d.push(v);
            i += 1;
        }
        ch.g.push(Group {
            s,
            e: i,
            d: ch.d.len(),
            weak,
        });
        if c.get(i) == Some(&'x')
            && !c
                .get(i + 1)
                .is_some_and(|&x| x.is_ascii_alphanumeric() || digit(x).is_some())
        {
            ch.x = true;
            break;
        }
        let mut j = i;
        while j < c.len() && j - i < 3 && is_sep(c[j]) {
            j += 1;
        }
        // A lone '.' or ',' only: ". " and ", " end sentences and list items.
        let sep_ok = j - i == 1 || !c[i..j].iter().any(|&x| x == '.' || x == ',');
        if j > i && j < c.len() && digit(c[j]).is_some() && sep_ok {
            (i, weak) = (j, false);
            continue;
        }
        if i - s == 4
            && !ch.g.iter().any(|g| g.weak)
            && let Some(j) = word_gap(c, i)
            && run(j) == 4
        {
            (i, weak) = (j, true);
            continue;
        }
        break;
    }
    ch
}

/// A short word between two digit groups ("… 1111 and 1111", "1111和1111"): where the next group starts.
fn word_gap(c: &[char], i: usize) -> Option<usize> {
    let spaces = |mut j: usize| {
        while c.get(j) == Some(&' ') {
            j += 1;
        }
        j
    };
    let a = spaces(i);
    let mut b = a;
    while b < c.len() && b - a < 5 && letter(c[b]) && digit(c[b]).is_none() {
        b += 1;
    }
    let ascii = c[a..b].iter().all(char::is_ascii);
    let ok = b > a
        && if ascii {
            a > i && c.get(b) == Some(&' ')
        } else {
            b - a <= 2
        };
    let j = spaces(b);
    (ok && c.get(j).is_some_and(|&x| digit(x).is_some())).then_some(j)
}

/// A number at `i` (perhaps after '+' or '('), split into its personal-data parts.
fn number(c: &[char], i: usize, st: &mut State, hits: &mut Vec<Hit>) -> Option<usize> {
    let plus = c[i] == '+';
    let s0 = i + usize::from(plus || c[i] == '(');
    digit(*c.get(s0)?)?;
    if i > 0 && digit(c[i - 1]).is_some() {
        return None;
    }
    let ch = chain(c, s0);
    let (g, n) = (&ch.g, ch.g.len());
    // A phone word is for the first number after it, not past a masked one ("电话 [phone] 2000-3000").
    let near_word = st
        .phone_word
        .take()
        .is_some_and(|p| p <= i && i - p <= 20 && !c[p..i].contains(&']'));
    // The minutes of a time ("10:30") are not the start of a number.
    if i > 1 && c[i - 1] == ':' && digit(c[i - 2]).is_some() {
        return Some(g[0].e);
    }
    // Macau ID: 7 digits and a bracketed check digit.
    if !plus
        && ch.len(0) == 7
        && let Some(e) = bracket_check(c, g[0].e)
    {
        hits.push((s0, e, PiiKind::IdNumber, "[ID]".into()));
        return Some(e);
    }
    // Dates and amounts are kept whole, and no other number runs through them.
    let kept: Vec<usize> = (0..n)
        .map(|k| {
            if is_date(c, &ch, k) {
                3
            } else {
                amount(c, &ch, k).unwrap_or(0)
            }
        })
        .collect();
    // The next group after k that a [number] does not run into: a kept one, or a word.
    let mut brk = vec![n; n];
    for k in (0..n.saturating_sub(1)).rev() {
        brk[k] = if g[k + 1].weak || kept[k + 1] > 0 {
            k + 1
        } else {
            brk[k + 1]
        };
    }
    let mut k = 0;
    while k < n {
        if g[k].weak {
            // No card spans the word: read it (and what follows) as text.
            return Some(g[k - 1].e);
        }
        if kept[k] > 0 {
            k += kept[k];
            continue;
        }
        let start = if k == 0 { i } else { g[k].s };
        let near_word = near_word && k == 0;
        let mut stop = k + 1;
        while stop < n && stop < k + 20 && kept[stop] == 0 {
            stop += 1;
        }
        let hit = (k + 1..=stop)
            .rev()
            .filter(|&j| ch.digits(k, j).len() <= 19)
            .find_map(|j| classify(c, &ch, k, j, start, plus && k == 0, near_word).map(|h| (j, h)));
        if let Some((j, (kind, r, end))) = hit {
            hits.push((start, end, kind, r));
            if kind == PiiKind::Card {
                st.card_end = Some(end);
            }
            if end > g[j - 1].e {
                return Some(end);
            }
            k = j;
            continue;
        }
        // Right after a card: its expiry (anywhere after it) and CVV (straight after it).
        if let Some(ce) = st.card_end {
            if let Some(m) = expiry(c, &ch, k, true) {
                hits.push((g[k].s, g[k + m - 1].e, PiiKind::Card, "[expiry]".into()));
                k += m;
                continue;
            }
            if (3..=4).contains(&ch.len(k))
                && ce < start
                && start - ce <= 3
                && c[ce..start].iter().all(|&x| x == ' ')
            {
                hits.push((g[k].s, g[k].e, PiiKind::Secret, "[cvv]".into()));
                k += 1;
                continue;
            }
        }
        let to = ch.alike(c, k, brk[k]);
        if ch.digits(k, to).len() >= 12 {
            hits.push((start, g[to - 1].e, PiiKind::Number, "[number]".into()));
            k = to;
            continue;
        }
        k += 1;
    }
    Some(g[n - 1].e)
}

/// What groups `k..j` of a number are, with the replacement and where it ends.
fn classify(
    c: &[char],
    ch: &Chain,
    k: usize,
    j: usize,
    start: usize,
    plus: bool,
    near_word: bool,
) -> Option<(PiiKind, String, usize)> {
    let d = ch.digits(k, j);
    let (n, end) = (d.len(), ch.g[j - 1].e);
    // Cards and IDs are written with one kind of separator ("1990-1991 1000-2000" is two ranges).
    let alike = ch.alike(c, k, j) == j;
    let card = || {
        let last4: String = d[n - 4..].iter().map(|&x| char::from(b'0' + x)).collect();
        (PiiKind::Card, format!("[card ••••{last4}]"), end)
    };
    if ch.g[k + 1..j].iter().any(|g| g.weak) {
        // Only "4111 1111 1111 and 1111": three groups of four alike, a word, the last four.
        let sep = |q: usize| &c[ch.g[q - 1].e..ch.g[q].s];
        let ok = j - k == 4 && ch.g[j - 1].weak && (k..j).all(|q| ch.len(q) == 4);
        return (ok && sep(k + 1) == sep(k + 2) && luhn_valid(d)).then(card);
    }
    // A PRC ID holds a birth date (YYYYMMDD from the 7th digit); a card that happens to pass the
    // checksum does not.
    let id = |d: &[u8]| {
        let v = |a: usize, b: usize| d[a..b].iter().fold(0, |v, &x| v * 10 + u32::from(x));
        prc_id_valid(d)
            && (1900..=2099).contains(&v(6, 10))
            && (1..=12).contains(&v(10, 12))
            && (1..=31).contains(&v(12, 14))
    };
    if !alike {
        return is_phone(c, ch, k, j, start, plus, near_word)
            .then(|| (PiiKind::Phone, "[phone]".into(), end));
    }
    if j == ch.g.len() && ch.x && n == 17 && id(&[d, &[10]].concat()) {
        return Some((PiiKind::IdNumber, "[ID]".into(), end + 1));
    }
    if n == 18 && id(d) {
        return Some((PiiKind::IdNumber, "[ID]".into(), end));
    }
    if (13..=19).contains(&n) && luhn_valid(d) {
        return Some(card());
    }
    is_phone(c, ch, k, j, start, plus, near_word).then(|| (PiiKind::Phone, "[phone]".into(), end))
}

fn is_phone(
    c: &[char],
    ch: &Chain,
    k: usize,
    j: usize,
    start: usize,
    plus: bool,
    near_word: bool,
) -> bool {
    let d = ch.digits(k, j);
    let n = d.len();
    let mobile = |d: &[u8]| d.len() == 11 && d[0] == 1 && (3..=9).contains(&d[1]);
    let hk = |d: &[u8]| d.len() == 8 && matches!(d[0], 2 | 3 | 5 | 6 | 9);
    if plus {
        return (7..=15).contains(&n);
    }
    if mobile(d)
        || n == 13 && d.starts_with(&[8, 6]) && mobile(&d[2..])
        || n == 15 && d.starts_with(&[0, 0, 8, 6]) && mobile(&d[4..])
        || n == 11 && d.starts_with(&[8, 5, 2]) && hk(&d[3..])
        || n == 13 && d.starts_with(&[0, 0, 8, 5, 2]) && hk(&d[5..])
    {
        return true;
    }
    // Landline with area code: 0 + 2–3 digit area + 7–8 digit number.
    if (10..=12).contains(&n) && d[0] == 0 && d[1] != 0 {
        return true;
    }
    // The weak shapes.
    // The whole number is written in groups of these sizes.
    let shape = |lens: &[usize]| {
        k == 0
            && j == lens.len()
            && ch.g.get(j).is_none_or(|g| g.weak)
            && lens.iter().enumerate().all(|(q, &l)| ch.len(q) == l)
    };
    let nanp = |d: &[u8]| {
        d.len() == 10 && d[0] >= 2 && d[3] >= 2 && !(matches!(d[0], 4 | 8) && d[1] == d[2])
    };
    let v = |a: usize, b: usize| d[a..b].iter().fold(0, |v, &x| v * 10 + u32::from(x));
    // Two years or a round range: "2023-2024", "3000-5000".
    let range = shape(&[4, 4])
        && ((1900..=2099).contains(&v(0, 4)) || v(0, 4) % 100 == 0 && v(4, 8) % 100 == 0);
    let four_four =
        shape(&[4, 4]) && ch.g[k + 1].s - ch.g[k].e == 1 && matches!(c[ch.g[k].e], ' ' | '-');
    !money_near(c, start, ch.g[j - 1].e)
        && (hk(d) && (near_word || four_four && !range)
            || near_word && (7..=8).contains(&n) && d[0] >= 2
            || nanp(d) && (near_word || shape(&[3, 3, 4]))
            || n == 11 && d[0] == 1 && nanp(&d[1..]) && (near_word || shape(&[1, 3, 3, 4])))
}

/// A currency sign or word before `s`, or a unit after `e`.
fn money_near(c: &[char], s: usize, e: usize) -> bool {
    let (mut a, mut b) = (s, e);
    while a > 0 && c[a - 1] == ' ' {
        a -= 1;
    }
    while b < c.len() && c[b] == ' ' {
        b += 1;
    }
    let before = |w: &str| a >= w.len() && word(c, a - w.len(), w);
    a > 0 && matches!(c[a - 1], '$' | '¥' | '€' | '£')
        || ["rmb", "usd", "hkd", "cny"].iter().any(|w| before(w))
        || b < c.len() && matches!(c[b], '元' | '块' | '塊' | '万' | '萬' | '亿' | '億' | '%')
        || ["yuan", "dollar", "usd", "hkd", "rmb", "cny"]
            .iter()
            .any(|w| at(c, b, w))
}

/// Groups `k..k+3` are a date: Y-M-D, or D/M/Y or M/D/Y, with one '-', '/' or '.' twice.
fn is_date(c: &[char], ch: &Chain, k: usize) -> bool {
    if k + 2 >= ch.g.len() {
        return false;
    }
    let g = &ch.g[k..k + 3];
    let sep = c[g[0].e];
    let joined = |a: &Group, b: &Group| b.s - a.e == 1 && c[a.e] == sep && !b.weak;
    if !(matches!(sep, '-' | '/' | '.') && joined(&g[0], &g[1]) && joined(&g[1], &g[2])) {
        return false;
    }
    let (v0, v1, v2) = (ch.value(k), ch.value(k + 1), ch.value(k + 2));
    match (ch.len(k), ch.len(k + 1), ch.len(k + 2)) {
        (4, 1..=2, 1..=2) => (1..=12).contains(&v1) && (1..=31).contains(&v2),
        (1..=2, 1..=2, 2 | 4) => v0.min(v1) >= 1 && v0.min(v1) <= 12 && v0.max(v1) <= 31,
        _ => false,
    }
}

/// An amount at group `k`: written with thousands commas ("1,250.00"), or after a currency sign or
/// before a unit ("¥10000 1000000元"), up to 12 integer digits. Returns its groups.
fn amount(c: &[char], ch: &Chain, k: usize) -> Option<usize> {
    let n = ch.g.len();
    let sep = |q: usize| &c[ch.g[q - 1].e..ch.g[q].s];
    let list = |q: usize| q > 0 && q < n && matches!(sep(q), [',' | '.']);
    if list(k) {
        return None;
    }
    let mut q = k + 1;
    while ch.len(k) <= 3 && q < n && ch.len(q) == 3 && sep(q) == [','] {
        q += 1;
    }
    let (commas, int) = (q > k + 1, ch.digits(k, q).len());
    if q < n && (1..=2).contains(&ch.len(q)) && sep(q) == ['.'] {
        q += 1;
    }
    let money = money_near(c, ch.g[k].s, ch.g[q - 1].e);
    ((commas || money) && int <= 12 && !list(q)).then_some(q - k)
}

/// An expiry date at group `k`: MM/YY or MM/YYYY ('/' only with `slash`; else also '-', '.', ' ', MMYY).
fn expiry(c: &[char], ch: &Chain, k: usize, slash: bool) -> Option<usize> {
    let month = |v: u32| (1..=12).contains(&v);
    if !slash && ch.len(k) == 4 && month(ch.value(k) / 100) {
        return Some(1);
    }
    let g = &ch.g;
    let ok = k + 1 < g.len()
        && (1..=2).contains(&ch.len(k))
        && month(ch.value(k))
        && matches!(ch.len(k + 1), 2 | 4)
        && g[k + 1].s - g[k].e == 1
        && !g[k + 1].weak
        && (c[g[k].e] == '/' || !slash && matches!(c[g[k].e], '-' | '.' | ' '));
    ok.then_some(2)
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
    sum.is_multiple_of(10)
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

/// A letter or digit of any script, roughly: ASCII ones, and anything past Latin-1's symbols that is not
/// punctuation or a symbol block (general punctuation to arrows, CJK punctuation, '，', full-width and
/// half-width forms' symbols). Rough on purpose: std's exact tables cost kilobytes in the widget.
fn letter(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || !matches!(c as u32, 0..=0xBF | 0xD7 | 0xF7 | 0x2000..=0x2BFF | 0x3000..=0x303F | 0xFE10..=0xFE6F | 0xFF0C | 0xFF5F..=0xFF65 | 0xFFE0..=0xFFFF)
}

fn is_cjk(c: char) -> bool {
    c >= '\u{2E80}'
}

/// `w` in brackets ("(at)", "[dot]", "{at}", "<dot>"), spaces around allowed: its end.
fn bracketed(c: &[char], mut i: usize, w: &str) -> Option<usize> {
    while c.get(i) == Some(&' ') {
        i += 1;
    }
    let close = match c.get(i)? {
        '(' => ')',
        '[' => ']',
        '{' => '}',
        '<' => '>',
        _ => return None,
    };
    i += 1 + w.len();
    if !at(c, i - w.len(), w) || c.get(i) != Some(&close) {
        return None;
    }
    i += 1;
    while c.get(i) == Some(&' ') {
        i += 1;
    }
    Some(i)
}

/// `w` spelled out between spaces (" at ", " dot "): its end.
fn spelled(c: &[char], i: usize, w: &str) -> Option<usize> {
    let e = i + 1 + w.len();
    (c.get(i) == Some(&' ') && at(c, i + 1, w) && c.get(e) == Some(&' ')).then_some(e + 1)
}

/// A domain at `i` (labels of one script each, a TLD of letters): its end, and whether a dot was spelled.
fn domain(c: &[char], mut i: usize) -> Option<(usize, bool)> {
    let (mut labels, mut spelt, mut last) = (0, false, (i, i));
    loop {
        let s = i;
        let cjk = c.get(i).is_some_and(|&x| is_cjk(x));
        while i < c.len() && (letter(c[i]) && is_cjk(c[i]) == cjk || matches!(c[i], '-' | '_')) {
            i += 1;
        }
        if i == s {
            break;
        }
        (labels, last) = (labels + 1, (s, i));
        if c.get(i) == Some(&'.') && c.get(i + 1).is_some_and(|&x| letter(x)) {
            i += 1;
        } else if let Some(e) = bracketed(c, i, "dot") {
            i = e;
        } else if let Some(e) = spelled(c, i, "dot") {
            (i, spelt) = (e, true);
        } else {
            break;
        }
    }
    let tld = &c[last.0..last.1];
    (labels >= 2 && tld.len() >= 2 && tld.iter().all(|&x| letter(x) && !x.is_ascii_digit()))
        .then_some((last.1, spelt))
}

/// Spans `(start, end)` of e-mail addresses: a local part, an at sign, a domain.
fn email_spans(c: &[char]) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let local = |x: char| {
        x.is_ascii_alphanumeric()
            || matches!(x, '.' | '_' | '%' | '+' | '-')
            || !x.is_ascii() && letter(x) && LOCAL_STOP.binary_search(&x).is_err()
    };
    let mut i = 1;
    while i < c.len() {
        let floor = spans.last().map_or(0, |s| s.1);
        let at_sign = || match c[i] {
            '@' => Some((i + 1, false)),
            ' ' | '(' | '[' | '{' | '<' => bracketed(c, i, "at")
                .map(|e| (e, false))
                .or_else(|| spelled(c, i, "at").map(|e| (e, true))),
            _ => None,
        };
        if i > floor
            && matches!(c[i], '@' | ' ' | '(' | '[' | '{' | '<')
            && local(c[i - 1])
            && let Some((a, spelt_at)) = at_sign()
            && let Some((end, spelt_dot)) = domain(c, a)
            && (spelt_dot || !spelt_at)
        {
            let cjk = is_cjk(c[i - 1]);
            let mut s = i;
            while s > floor && local(c[s - 1]) && is_cjk(c[s - 1]) == cjk {
                s -= 1;
            }
            spans.push((s, end));
            i = end + 1;
            continue;
        }
        i += 1;
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
        ] {
            assert_eq!(m(s), s);
        }
    }

    #[test]
    fn pins_are_masked() {
        // Until the masker knew PINs, "pin 1234" was deliberately kept in clear; now it is a secret.
        assert_eq!(m("pin 1234"), "pin [secret]");
        assert_eq!(m("my pin is 1234"), "my pin is [secret]");
        assert_eq!(m("PIN: 1234"), "PIN: [secret]");
        assert_eq!(m("取款密码 123456"), "取款密码 [secret]");
    }

    #[test]
    fn reports_what_was_found() {
        let r = mask("4111111111111111 and 13800138000");
        assert_eq!(r.found, vec![PiiKind::Card, PiiKind::Phone]);
    }

    #[test]
    fn reports_the_new_kinds() {
        let r = mask("护照 E12345678, 验证码 123456, pin 1234, cvv 123, a@b.com");
        use PiiKind::*;
        assert_eq!(r.found, vec![Passport, Code, Secret, Secret, Email]);
        assert_eq!(
            r.text,
            "护照 [passport], 验证码 [code], pin [secret], cvv [cvv], [email]"
        );
    }

    #[test]
    fn keyword_starts_are_complete() {
        for (_, words) in KEYWORDS {
            for w in words.split('|') {
                assert!(
                    KEYWORD_STARTS
                        .binary_search(&w.chars().next().unwrap())
                        .is_ok(),
                    "{w}"
                );
            }
        }
    }

    #[test]
    fn digits_of_every_script() {
        for z in ZEROS {
            for d in 0..10 {
                let c = char::from_u32(z + d).unwrap();
                assert!(c.is_numeric(), "{c:?}");
                assert_eq!(digit(c), Some(d as u8), "{c:?}");
            }
            if !ZEROS.contains(&(z - 10)) {
                assert_eq!(digit(char::from_u32(z - 1).unwrap()), None);
            }
        }
        assert_eq!(digit(fold('７')), Some(7));
        assert_eq!(digit('幺'), Some(1));
        assert_eq!(digit('两'), Some(2));
        assert_eq!(digit('〇'), Some(0));
        assert_eq!(digit('十'), None);
        assert_eq!(digit('a'), None);
    }

    #[test]
    fn hong_kong_and_taiwan_checks() {
        // The published examples A123456(3) and A123456789.
        assert!(hkid_valid(&['a'], &[1, 2, 3, 4, 5, 6], 3));
        assert!(!hkid_valid(&['a'], &[1, 2, 3, 4, 5, 6], 7));
        assert!(hkid_valid(&['x', 'a'], &[1, 2, 3, 4, 5, 6], 8));
        assert!(hkid_valid(&['z'], &[6, 8, 3, 3, 6, 5], 10));
        assert!(twid_valid('a', &[1, 2, 3, 4, 5, 6, 7, 8, 9]));
        assert!(!twid_valid('a', &[1, 2, 3, 4, 5, 6, 7, 8, 8]));
        assert_eq!(
            m("A123456(7)"),
            "[ID]",
            "bracketed: masked even with a wrong check digit"
        );
        assert_eq!(
            m("A1234567 ok"),
            "A1234567 ok",
            "unbracketed: only with the right one"
        );
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

//! Hand-written masking cases, English and Chinese, "must mask" and "must keep": `data/pii_corpus.tsv`
//! (its header says how rows are read). Every row is checked and all failing rows are reported at once.
#![cfg(not(target_arch = "wasm32"))]

use assistant_core::pii::mask;

const CORPUS: &str = include_str!("data/pii_corpus.tsv");

/// The digits of `text` in any script this test knows (ASCII, full-width, Arabic-Indic, extended
/// Arabic-Indic, Devanagari, Chinese digit words), as ASCII.
fn ascii_digits(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            let u = c as u32;
            let zero = [0x30, 0xFF10, 0x660, 0x6F0, 0x966]
                .into_iter()
                .find(|z| (*z..*z + 10).contains(&u));
            let d = match zero {
                Some(z) => u - z,
                None => "零一二三四五六七八九"
                    .chars()
                    .position(|x| x == c)
                    .map(|p| p as u32)
                    .or(match c {
                        '〇' => Some(0),
                        '幺' => Some(1),
                        '两' => Some(2),
                        _ => None,
                    })?,
            };
            char::from_digit(d, 10)
        })
        .collect()
}

#[test]
fn every_corpus_row_holds() {
    let mut failures = Vec::new();
    let (mut masks, mut keeps) = (0, 0);
    for (n, line) in CORPUS.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(
            cols.len() >= 2 && matches!(cols[0], "mask" | "keep"),
            "line {}: expected `mask|keep<TAB>input[<TAB>fragments[<TAB>output]]`: {line:?}",
            n + 1
        );
        let input = cols[1].replace("\\t", "\t");
        let fragments: Vec<String> = cols
            .get(2)
            .map(|f| {
                f.split('|')
                    .filter(|f| !f.is_empty())
                    .map(|f| f.replace("\\t", "\t"))
                    .collect()
            })
            .unwrap_or_default();
        let m = mask(&input);
        let mut wrong = Vec::new();
        if cols[0] == "mask" {
            masks += 1;
            assert!(
                !fragments.is_empty(),
                "line {}: a mask row needs fragments",
                n + 1
            );
            if m.found.is_empty() {
                wrong.push("nothing reported found".to_string());
            }
            for f in &fragments {
                let digits = ascii_digits(f);
                if m.text.contains(f.as_str()) {
                    wrong.push(format!("{f:?} still there"));
                } else if digits.len() >= 4 && ascii_digits(&m.text).contains(&digits) {
                    wrong.push(format!("the digits of {f:?} still there"));
                }
            }
        } else {
            keeps += 1;
            if fragments.is_empty() && (m.text != input || !m.found.is_empty()) {
                wrong.push(format!("changed ({:?})", m.found));
            }
            for f in &fragments {
                if !m.text.contains(f.as_str()) {
                    wrong.push(format!("{f:?} gone"));
                }
            }
        }
        if let Some(want) = cols.get(3)
            && m.text != *want
        {
            wrong.push(format!("expected {want:?}"));
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "line {} {} {input:?} → {:?}: {}",
                n + 1,
                cols[0],
                m.text,
                wrong.join("; ")
            ));
        }
    }
    assert!(
        masks >= 30 && keeps >= 30,
        "the corpus shrank: {masks} mask, {keeps} keep rows"
    );
    assert!(
        failures.is_empty(),
        "{} of {} corpus rows fail:\n{}",
        failures.len(),
        masks + keeps,
        failures.join("\n")
    );
}

/// Masking runs on every message: a rough timing over 10,000 messages (the corpus inputs, repeated),
/// printed, not asserted. Meaningful with `--release`.
#[test]
fn timing_over_ten_thousand_messages() {
    let inputs: Vec<String> = CORPUS
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split('\t').nth(1).map(|s| s.replace("\\t", "\t")))
        .collect();
    let messages: Vec<&String> = inputs.iter().cycle().take(10_000).collect();
    let long =
        "我的卡号是 4111 1111 1111 1111，请帮我查一下 2024-05-01 的 $1,250.00 交易。".repeat(25);
    let start = std::time::Instant::now();
    let found: usize = messages.iter().map(|m| mask(m).found.len()).sum();
    let short = start.elapsed();
    let start = std::time::Instant::now();
    let long_found: usize = (0..1000).map(|_| mask(&long).found.len()).sum();
    let long_time = start.elapsed();
    println!(
        "mask: 10,000 corpus messages in {short:?} ({:.1} µs each, {found} found); \
         1,000 messages of {} chars in {long_time:?} ({:.1} µs each, {long_found} found)",
        short.as_secs_f64() * 1e6 / 10_000.0,
        long.chars().count(),
        long_time.as_secs_f64() * 1e6 / 1000.0
    );
}

/// Found by `number_soup_masks_once`: masking the PIN made the e-mail before it recognisable, so a
/// second masking (the server's, after the widget's) changed the text again.
#[test]
fn masking_settles_when_one_replacement_reveals_another() {
    let once = assistant_core::pii::mask("一三八@code.com٤١pin00$$").text;
    assert_eq!(assistant_core::pii::mask(&once).text, once);
    assert!(!once.contains("一三八@"), "{once}");
}

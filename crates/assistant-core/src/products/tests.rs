//! Tests over the real catalogue and glossary (`public/kb/products.toml`, `public/kb/glossary.toml`):
//! they load and validate, mistakes are reported by product and field, the honesty rules hold on every
//! card and comparison, comparisons are found in free text, and every text passes the readability
//! thresholds.

use super::card::SectionKey;
use super::compare::{detect_compare, find_products};
use super::glossary::Segment;
use super::readability;
use super::*;
use crate::locale::Lang;
use crate::taxonomy;

const PRODUCTS: &str = include_str!("../../../../public/kb/products.toml");
const GLOSSARY: &str = include_str!("../../../../public/kb/glossary.toml");

fn catalogue() -> Catalogue {
    Catalogue::from_toml(PRODUCTS).unwrap_or_else(|errs| {
        panic!(
            "products.toml has mistakes:\n{}",
            errs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn glossary() -> Glossary {
    Glossary::from_toml(GLOSSARY).unwrap_or_else(|errs| {
        panic!(
            "glossary.toml has mistakes:\n{}",
            errs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn errors_of(toml: &str) -> Vec<String> {
    match Catalogue::from_toml(toml) {
        Ok(_) => Vec::new(),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

fn edit(from: &str, to: &str) -> String {
    assert!(
        PRODUCTS.contains(from),
        "test edit target not found: {from}"
    );
    PRODUCTS.replacen(from, to, 1)
}

#[test]
fn catalogue_and_glossary_load() {
    let c = catalogue();
    assert!(c.example_content);
    let ids: Vec<&str> = c.products.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, taxonomy::PRODUCTS, "all nine, in taxonomy order");
    assert!(glossary().terms.len() >= glossary::MIN_TERMS);
}

#[test]
fn wrong_example_numbers_are_errors_naming_product_and_field() {
    let errs = errors_of(&edit("interest = 130.00", "interest = 150.00"));
    assert!(
        errs.contains(&"product 'product_fixed_deposit': example.interest: says ¥150.00, but the calculator gives ¥130.00".to_string()),
        "{errs:?}"
    );
    let errs = errors_of(&edit(
        "monthly_payment = 4270.16",
        "monthly_payment = 4270.00",
    ));
    assert!(
        errs.iter().any(|e| e
            .starts_with("product 'product_mortgage': example.monthly_payment: says ¥4,270.00")),
        "{errs:?}"
    );
}

#[test]
fn missing_risk_level_or_language_is_an_error_naming_product_and_field() {
    let errs = errors_of(&edit("level = \"R2\"\nexplained", "explained"));
    assert!(
        errs.iter()
            .any(|e| e.starts_with("product 'product_wealth_management': risk.level: is missing")),
        "{errs:?}"
    );
    let errs = errors_of(&edit(
        "summary.zh = \"买房用的长期贷款，房子作为抵押。\"\n",
        "",
    ));
    assert!(
        errs.contains(&"product 'product_mortgage': summary.zh: is missing".to_string()),
        "{errs:?}"
    );
    let errs = errors_of(&edit(
        "get_out.en = \"Take money out at any time, with no charge. To close the account, use the app or visit a branch.\"",
        "get_out.en = \"  \"",
    ));
    assert!(
        errs.contains(
            &"product 'product_savings_account': get_out.en: is missing or empty".to_string()
        ),
        "{errs:?}"
    );
    let errs = errors_of(&edit("level = \"R3\"\nname", "level = \"R3\"\nnome"));
    assert!(
        errs.iter()
            .any(|e| e == "catalogue: risk_level.R3.nome: is not a known field (a typo?)"),
        "{errs:?}"
    );
}

#[test]
fn honesty_rules_are_validated() {
    // A rate not labelled as an example.
    let errs = errors_of(&edit("Example rate: 1.3% a year", "Rate: 1.3% a year"));
    assert!(
        errs.contains(&"product 'product_fixed_deposit': returns.en: states a rate without calling it an example".to_string()),
        "{errs:?}"
    );
    // An investment return not called unguaranteed.
    let errs = errors_of(&edit(
        "A benchmark is a target, not a promise. The return is not guaranteed, and it can be less than zero.",
        "It has done well.",
    ));
    assert!(
        errs.iter().any(|e| e.starts_with(
            "product 'product_wealth_management': returns.en: an investment's return"
        )),
        "{errs:?}"
    );
    // A deposit rated above R1, a loan on the R scale.
    let errs = errors_of(&edit(
        "level = \"R1\"\nexplained.en = \"The amount you put in does not go down. Deposit insurance covers up to ¥500,000 per person at each bank. The main",
        "level = \"R3\"\nexplained.en = \"The amount you put in does not go down. Deposit insurance covers up to ¥500,000 per person at each bank. The main",
    ));
    assert!(
        errs.iter().any(
            |e| e.starts_with("product 'product_savings_account': risk.level: R3 does not fit")
        ),
        "{errs:?}"
    );
    // The disclaimer must say "not advice".
    let errs = errors_of(&edit(
        "This is general information, not advice.",
        "This is general information.",
    ));
    assert!(
        errs.contains(&"catalogue: disclaimer.en: must say \"not advice\"".to_string()),
        "{errs:?}"
    );
    // A product missing altogether.
    let cut = PRODUCTS
        .find("[[product]]\nid = \"product_sme_loan\"")
        .unwrap();
    let errs = errors_of(&PRODUCTS[..cut]);
    assert!(
        errs.contains(&"product 'product_sme_loan': id: is missing".to_string()),
        "{errs:?}"
    );
}

#[test]
fn every_card_shows_risk_disclaimer_and_example_labels() {
    let c = catalogue();
    for p in &c.products {
        for lang in [Lang::En, Lang::ZhCn] {
            let card = c.card(&p.id, lang).unwrap();
            let at = format!("{} {lang:?}", p.id);
            assert!(!card.summary.is_empty(), "{at}");
            assert!(
                !card.risk.code.is_empty() && !card.risk.meaning.is_empty(),
                "{at}"
            );
            assert!(!card.risk.profile_meaning.is_empty(), "{at}");
            assert_eq!(
                card.risk.profile.is_some(),
                p.kind != catalogue::ProductKind::Borrowing,
                "{at}"
            );
            match lang {
                Lang::En => assert!(card.disclaimer.contains("not advice"), "{at}"),
                Lang::ZhCn => assert!(card.disclaimer.contains("不构成"), "{at}"),
            }
            assert!(
                card.example_notice.is_some(),
                "{at}: demo content is marked as example"
            );
            // Returns are never shown without their risk.
            for s in &card.sections {
                if matches!(
                    s.key,
                    SectionKey::Returns | SectionKey::Example | SectionKey::Risk
                ) {
                    let note = s.risk_note.as_deref().unwrap_or_default();
                    assert!(
                        note.contains(&card.risk.code),
                        "{at}: {:?} lacks the risk level",
                        s.key
                    );
                }
            }
            // The example's rate is labelled as an example, and the note says so too.
            let label = if lang == Lang::En {
                "Example"
            } else {
                "示例"
            };
            assert!(
                card.example.rows.iter().any(|r| r.label.contains(label)),
                "{at}"
            );
            assert!(
                !card.example.rows.is_empty() && !card.example.note.is_empty(),
                "{at}"
            );
        }
    }
    assert!(c.card("product_unknown", Lang::En).is_none());
}

#[test]
fn worked_example_rows_show_the_calculated_figures() {
    let c = catalogue();
    let card = c.card("product_fixed_deposit", Lang::En).unwrap();
    let rows: Vec<(&str, &str)> = card
        .example
        .rows
        .iter()
        .map(|r| (r.label.as_str(), r.value.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("You put in", "¥10,000"),
            ("For", "1 year"),
            ("Example rate", "1.3% a year"),
            ("Interest you get", "¥130.00"),
            ("You get back", "¥10,130.00"),
        ]
    );
    let card = c.card("product_wealth_management", Lang::ZhCn).unwrap();
    let last = card.example.rows.last().unwrap();
    assert_eq!(
        (last.label.as_str(), last.value.as_str()),
        ("但如果净值下跌2%，您会只剩", "¥9,800.00")
    );
    let card = c.card("product_credit_card", Lang::En).unwrap();
    assert!(
        card.example
            .rows
            .iter()
            .any(|r| r.value == "0.05% a day (about 18.25% a year)")
    );
}

#[test]
fn compare_requests_are_found_in_english_and_chinese() {
    let c = catalogue();
    let pair = |a: &str, b: &str| Some((a.to_string(), b.to_string()));
    let cases = [
        (
            "compare fixed deposit and certificate of deposit",
            pair("product_fixed_deposit", "product_certificate_of_deposit"),
        ),
        (
            "fixed deposit vs CD",
            pair("product_fixed_deposit", "product_certificate_of_deposit"),
        ),
        (
            "What's the difference between a mortgage and a personal loan?",
            pair("product_mortgage", "product_consumer_loan"),
        ),
        (
            "Which is better: money market fund or savings account?",
            pair("product_money_market_fund", "product_savings_account"),
        ),
        (
            "定期存款和大额存单有什么区别",
            pair("product_fixed_deposit", "product_certificate_of_deposit"),
        ),
        (
            "比较一下理财和货币基金",
            pair("product_wealth_management", "product_money_market_fund"),
        ),
        (
            "定期存款和大額存單有什麼區別",
            pair("product_fixed_deposit", "product_certificate_of_deposit"),
        ),
        (
            "信用卡跟消費貸哪個划算",
            pair("product_credit_card", "product_consumer_loan"),
        ),
        (
            "房贷和经营贷对比",
            pair("product_mortgage", "product_sme_loan"),
        ),
        (
            "ＦＤ ｖｓ ＭＭＦ",
            pair("product_fixed_deposit", "product_money_market_fund"),
        ),
        // Not comparisons: one product, no comparing word, or the same product twice.
        ("how does a fixed deposit work", None),
        ("定期存款利率是多少", None),
        ("I have a mortgage and a credit card", None),
        ("compare fixed deposit and time deposit", None),
        ("compare the weather", None),
    ];
    for (text, want) in cases {
        assert_eq!(detect_compare(text, &c), want, "{text}");
    }
    assert_eq!(
        find_products("活期还是定期好", &c),
        ["product_savings_account", "product_fixed_deposit"]
    );
}

#[test]
fn every_pair_compares_on_the_same_rows() {
    let c = catalogue();
    for a in taxonomy::PRODUCTS {
        for b in taxonomy::PRODUCTS {
            if a == b {
                continue;
            }
            for lang in [Lang::En, Lang::ZhCn] {
                let cmp = c.compare(a, b, lang).unwrap();
                assert_eq!((cmp.a.id.as_str(), cmp.b.id.as_str()), (a, b));
                let keys: Vec<SectionKey> = cmp.rows.iter().map(|r| r.key).collect();
                assert!(keys.contains(&SectionKey::Risk) && keys.contains(&SectionKey::Example));
                for row in &cmp.rows {
                    assert!(
                        !row.a.is_empty() && !row.b.is_empty(),
                        "{a} vs {b}: {:?}",
                        row.key
                    );
                }
                assert!(!cmp.disclaimer.is_empty() && cmp.example_notice.is_some());
            }
        }
    }
    let cmp = c
        .compare(
            "product_fixed_deposit",
            "product_certificate_of_deposit",
            Lang::En,
        )
        .unwrap();
    let example = cmp
        .rows
        .iter()
        .find(|r| r.key == SectionKey::Example)
        .unwrap();
    assert_eq!(
        example.a,
        "¥10,000 for 1 year at an example 1.3% a year earns ¥130.00."
    );
    assert!(
        c.compare("product_fixed_deposit", "nope", Lang::En)
            .is_none()
    );
}

#[test]
fn glossary_terms_are_marked_in_product_texts() {
    let (c, g) = (catalogue(), glossary());
    let marked = |text: &str, lang| -> Vec<String> {
        g.mark_terms(text, lang)
            .into_iter()
            .filter_map(|s| match s {
                Segment::Term { id, .. } => Some(id),
                Segment::Text { .. } => None,
            })
            .collect()
    };
    let loan = c.product("product_consumer_loan").unwrap();
    assert!(marked(&loan.returns.en, Lang::En).contains(&"apr".to_string()));
    assert!(marked(&loan.misunderstanding.zh, Lang::ZhCn).contains(&"apr".to_string()));
    let fd = c.product("product_fixed_deposit").unwrap();
    assert!(marked(&fd.misunderstanding.zh, Lang::ZhCn).contains(&"principal".to_string()));
    assert!(
        g.explain("compound_interest", Lang::ZhCn)
            .unwrap()
            .contains("复利")
    );
    // Every term is findable by each of its own forms.
    for t in &g.terms {
        for (lang, forms) in [(Lang::En, &t.en), (Lang::ZhCn, &t.zh)] {
            for f in forms {
                let got = marked(f, lang);
                assert_eq!(got, std::slice::from_ref(&t.id), "form '{f}' of '{}'", t.id);
            }
        }
    }
}

#[test]
fn bundle_round_trips_through_json() {
    let bundle = ProductBundle {
        format: catalogue::BUNDLE_FORMAT,
        catalogue: catalogue(),
        glossary: glossary(),
    };
    let json = serde_json::to_string(&bundle).unwrap();
    assert_eq!(ProductBundle::parse(&json).unwrap(), bundle);
    assert!(ProductBundle::parse("{}").is_err());
}

/// Every customer-facing text of the catalogue and glossary, with a name for failure messages.
fn all_texts(c: &Catalogue, g: &Glossary) -> Vec<(String, Lang, String)> {
    let mut out = Vec::new();
    let mut add = |name: String, t: &crate::answers::Texts| {
        out.push((format!("{name}.en"), Lang::En, t.en.clone()));
        out.push((format!("{name}.zh"), Lang::ZhCn, t.zh.clone()));
    };
    add("example_notice".into(), &c.example_notice);
    add("disclaimer".into(), &c.disclaimer);
    for r in &c.risk_levels {
        add(format!("risk_level.{}.meaning", r.level.code()), &r.meaning);
        add(
            format!("risk_level.{}.profile_meaning", r.level.code()),
            &r.profile_meaning,
        );
    }
    for p in &c.products {
        for (f, t) in [
            ("summary", &p.summary),
            ("what_it_is", &p.what_it_is),
            ("suits", &p.suits),
            ("not_for", &p.not_for),
            ("returns", &p.returns),
            ("costs", &p.costs),
            ("risk.explained", &p.risk.explained),
            ("get_it", &p.get_it),
            ("get_out", &p.get_out),
            ("misunderstanding", &p.misunderstanding),
            ("example_note", &p.example_note),
        ] {
            add(format!("product '{}' {f}", p.id), t);
        }
    }
    for t in &g.terms {
        add(format!("term '{}' explain", t.id), &t.explain);
    }
    out
}

#[test]
fn all_texts_are_plain_and_short() {
    let (c, g) = (catalogue(), glossary());
    let texts = all_texts(&c, &g);
    let mut failures = Vec::new();
    let (mut en_all, mut zh_all) = (String::new(), String::new());
    let (mut lowest_flesch, mut longest_zh) = ((f64::MAX, String::new()), (0.0, String::new()));
    for (name, lang, text) in &texts {
        match lang {
            Lang::En => {
                let s = readability::english(text);
                if s.flesch < lowest_flesch.0 {
                    lowest_flesch = (s.flesch, name.clone());
                }
                // The rule: Flesch reading ease ≥ 60, or sentences of ≤ 20 words on average.
                if s.flesch < 60.0 && s.words_per_sentence > 20.0 {
                    failures.push(format!(
                        "{name}: Flesch {:.0}, {:.1} words a sentence: {text}",
                        s.flesch, s.words_per_sentence
                    ));
                }
                // And no single sentence may run on.
                for sentence in readability::sentences(text) {
                    let n = readability::words(sentence).len();
                    if n > 25 {
                        failures.push(format!("{name}: a sentence of {n} words: {sentence}"));
                    }
                }
                en_all.push_str(text);
                en_all.push('\n');
            }
            Lang::ZhCn => {
                let avg = readability::chinese_chars_per_sentence(text);
                if avg > longest_zh.0 {
                    longest_zh = (avg, name.clone());
                }
                if avg > 40.0 {
                    failures.push(format!("{name}: {avg:.1} characters a sentence: {text}"));
                }
                zh_all.push_str(text);
                zh_all.push('\n');
            }
        }
    }
    assert!(
        failures.is_empty(),
        "texts to simplify:\n{}",
        failures.join("\n")
    );
    // Taken together, the English reads as plain English (Flesch ≥ 60) and the Chinese stays short.
    let en = readability::english(&en_all);
    let zh = readability::chinese_chars_per_sentence(&zh_all);
    println!(
        "English: Flesch {:.1}, {:.1} words a sentence over {} sentences; Chinese: {zh:.1} characters a sentence",
        en.flesch, en.words_per_sentence, en.sentences
    );
    println!(
        "Lowest Flesch: {:.1} ({}); longest Chinese average: {:.1} ({})",
        lowest_flesch.0, lowest_flesch.1, longest_zh.0, longest_zh.1
    );
    assert!(en.flesch >= 60.0, "overall Flesch {:.1}", en.flesch);
    assert!(zh <= 25.0, "overall Chinese {zh:.1} characters a sentence");
}

#[cfg(feature = "text")]
#[test]
fn fold_table_agrees_with_opencc() {
    let n = crate::normalize::Normalizer::new();
    for (t, s) in super::matcher::TRAD_SIMP {
        if *t == '帳' {
            // OpenCC gives the variant 帐; the fold uses 账, the form in 账户 as written today.
            continue;
        }
        assert_eq!(n.normalize(&t.to_string()), s.to_string(), "{t}");
    }
}

#[test]
fn committed_bundle_is_up_to_date() {
    let committed = ProductBundle::parse(include_str!("../../../../public/kb/products.json"))
        .expect("public/kb/products.json reads");
    let fresh = ProductBundle::from_sources(PRODUCTS, GLOSSARY).expect("sources validate");
    assert!(
        committed == fresh,
        "public/kb/products.json is out of date with products.toml/glossary.toml: run `cargo xtask kb`"
    );
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::super::calc;
    use super::super::input::{MAX_AMOUNT, parse_amount, parse_term};
    use super::super::money::Money;
    use crate::locale::Lang;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC{0,20}") {
            let _ = parse_amount(&s, Lang::En);
            let _ = parse_term(&s, Lang::ZhCn);
        }

        #[test]
        fn formatted_amounts_read_back(fen in 1i64..=MAX_AMOUNT.fen) {
            let m = Money::from_fen(fen);
            prop_assert_eq!(parse_amount(&m.format(), Lang::En), Ok(m));
            prop_assert_eq!(parse_amount(&m.format_short(), Lang::ZhCn), Ok(m));
        }

        #[test]
        fn loan_schedules_repay_exactly(
            fen in 100i64..=10_000_000_000,
            apr_bp in 0u32..=2400,
            months in 1u32..=360,
        ) {
            let apr = apr_bp as f64 / 100.0;
            let p = Money::from_fen(fen);
            for s in [
                calc::loan_schedule(p, apr, months).unwrap(),
                calc::loan_schedule_equal_principal(p, apr, months).unwrap(),
            ] {
                prop_assert_eq!(s.len(), months as usize);
                prop_assert_eq!(s.last().unwrap().balance.fen, 0);
                prop_assert_eq!(s.iter().map(|r| r.principal.fen).sum::<i64>(), fen);
                prop_assert!(s.iter().all(|r| r.payment.fen >= 0 && r.interest.fen >= 0));
            }
            // The summary's totals are the schedule's own sums (not derived from each other).
            let r = calc::loan_annuity(p, apr, months).unwrap();
            let s = calc::loan_schedule(p, apr, months).unwrap();
            prop_assert_eq!(r.total_repayable.fen, s.iter().map(|x| x.payment.fen).sum::<i64>());
            prop_assert_eq!(r.total_interest.fen, s.iter().map(|x| x.interest.fen).sum::<i64>());
        }
    }
}

//! The views the widget renders for products, built where the catalogue lives (the Web Worker):
//! a product card, a comparison, an answer's text with its glossary terms marked, and the
//! calculators' results. See the view types in [`crate::protocol`].
//!
//! Why here and not in the widget: the catalogue, glossary, matching, calculators and all their
//! wording were about half of the product feature's cost in the widget's first load. The worker
//! already loads on idle and the widget already waits for it for any instant answer, so it builds
//! these plain data views and the widget keeps one small renderer. What a card shows (the order of
//! its parts, the risk line beside every return, the example labels, "not advice") is decided here,
//! so it is tested natively.

use super::ProductBundle;
use super::calculator::{deposit_from_text, describe_deposit, describe_loan, loan_from_text};
use super::card::SectionKey;
use super::catalogue::{RiskLevel, WorkedExample};
use super::facet::{Facet, first_sentence};
use super::glossary::{Glossary, Segment};
use super::input::{parse_rate, parse_term};
use super::money::format_rate;
use crate::locale::Lang;
use crate::protocol::{
    Block, CalcField, CalcKind, CalcOutcome, CalcView, CardView, CardWords, CompareRow,
    CompareView, Part, Render, Rich, RiskView, Span, TermNote, View,
};

/// The product views' own words (headings, buttons, calculator labels) in English and Simplified
/// Chinese. Product texts themselves come from the catalogue (`public/kb/products.toml`).
struct Words {
    tell_me_more: &'static str,
    previous: &'static str,
    next: &'static str,
    step_of: &'static str,
    example_caption: &'static str,
    risk_label: &'static str,
    next_steps: &'static str,
    talk_to_person: &'static str,
    more_on_site: &'static str,
    work_it_out: &'static str,
    deposit_calc: &'static str,
    loan_calc: &'static str,
    amount: &'static str,
    amount_hint: &'static str,
    rate_deposit: &'static str,
    rate_loan: &'static str,
    rate_hint: &'static str,
    term: &'static str,
    term_hint: &'static str,
    calculate: &'static str,
    result_note: &'static str,
    compare_intro: &'static str,
    compare_caption: &'static str,
    topic: &'static str,
    term_means: &'static str,
}

const EN: Words = Words {
    tell_me_more: "Tell me more",
    previous: "Previous",
    next: "Next",
    step_of: "Page {n} of {total}",
    example_caption: "Worked example (example rate)",
    risk_label: "Risk level",
    next_steps: "What you can do next",
    talk_to_person: "Talk to a person",
    more_on_site: "More about this on our website",
    work_it_out: "Work it out for your own numbers",
    deposit_calc: "Interest calculator",
    loan_calc: "Loan repayment calculator",
    amount: "Amount (¥)",
    amount_hint: "For example 10000, 1.5万 or 一万.",
    rate_deposit: "Yearly interest rate (%)",
    rate_loan: "APR, yearly rate (%)",
    rate_hint: "Filled in with the example rate. Your rate may differ.",
    term: "Term (months)",
    term_hint: "For example 12, or 1 year.",
    calculate: "Calculate",
    result_note: "Example figures only, not an offer.",
    compare_intro: "Here are {a} and {b} side by side.",
    compare_caption: "{a} and {b} compared",
    topic: "Topic",
    term_means: "means",
};

const ZH: Words = Words {
    tell_me_more: "了解更多",
    previous: "上一部分",
    next: "下一部分",
    step_of: "第{n}页，共{total}页",
    example_caption: "算一算（示例利率）",
    risk_label: "风险等级",
    next_steps: "接下来可以",
    talk_to_person: "找人工客服",
    more_on_site: "在官网了解更多",
    work_it_out: "用自己的数字算一算",
    deposit_calc: "利息计算器",
    loan_calc: "贷款还款计算器",
    amount: "金额（元）",
    amount_hint: "例如 10000、1.5万 或 一万。",
    rate_deposit: "年利率（%）",
    rate_loan: "年化利率（%）",
    rate_hint: "已填入示例利率，您的实际利率可能不同。",
    term: "期限（月）",
    term_hint: "例如 12，或 1年。",
    calculate: "计算",
    result_note: "仅为示例数字，不是报价。",
    compare_intro: "{a}和{b}的对比如下。",
    compare_caption: "{a}和{b}对比",
    topic: "项目",
    term_means: "的意思是",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::ZhCn => &ZH,
    }
}

/// The view a [`Render`] request asks for; `None` for an unknown product.
pub fn render(bundle: &ProductBundle, what: &Render, lang: Lang) -> Option<View> {
    match what {
        Render::Text { text } => Some(View::Text {
            paragraphs: text
                .split("\n\n")
                .map(|p| mark(&bundle.glossary, p, lang))
                .collect(),
        }),
        Render::Product { product } => card_view(bundle, product, lang, None).map(View::Card),
        Render::Compare { a, b } => compare_view(bundle, a, b, lang).map(View::Compare),
    }
}

/// `text` with its glossary terms marked; a term mentioned twice is marked once (a paragraph that
/// says "interest" four times would otherwise have four buttons: noise for keyboard users).
pub fn mark(glossary: &Glossary, text: &str, lang: Lang) -> Rich {
    let mut seen: Vec<String> = Vec::new();
    glossary
        .mark_terms(text, lang)
        .into_iter()
        .map(|seg| match seg {
            Segment::Term { text, id } if !seen.contains(&id) => {
                let explain = glossary.explain(&id, lang).unwrap_or_default().to_owned();
                seen.push(id);
                let means = format!("{text} {} ", words(lang).term_means);
                Span {
                    text,
                    term: Some(TermNote { means, explain }),
                }
            }
            Segment::Term { text, .. } | Segment::Text { text } => Span { text, term: None },
        })
        .collect()
}

/// "Compare fixed deposit and certificate of deposit": the two ids and the one-line
/// introduction, or `None` when `text` does not ask to compare two products.
pub fn compare_request(
    bundle: &ProductBundle,
    text: &str,
    lang: Lang,
) -> Option<((String, String), String)> {
    let (a, b) = super::compare::detect_compare(text, &bundle.catalogue)?;
    let cmp = bundle.catalogue.compare(&a, &b, lang)?;
    let intro = words(lang)
        .compare_intro
        .replace("{a}", &cmp.a.name)
        .replace("{b}", &cmp.b.name);
    Some(((a, b), intro))
}

/// Two products side by side (same rows for both), with the notice and "not advice" lines.
pub fn compare_view(bundle: &ProductBundle, a: &str, b: &str, lang: Lang) -> Option<CompareView> {
    let cmp = bundle.catalogue.compare(a, b, lang)?;
    let w = words(lang);
    let g = &bundle.glossary;
    Some(CompareView {
        caption: w
            .compare_caption
            .replace("{a}", &cmp.a.name)
            .replace("{b}", &cmp.b.name),
        topic: w.topic.to_owned(),
        rows: cmp
            .rows
            .into_iter()
            .map(|r| CompareRow {
                key: format!("{:?}", r.key).to_lowercase(),
                label: r.label,
                a: mark(g, &r.a, lang),
                b: mark(g, &r.b, lang),
            })
            .collect(),
        a: cmp.a.id,
        b: cmp.b.id,
        a_name: cmp.a.name,
        b_name: cmp.b.name,
        notice: cmp.example_notice,
        disclaimer: cmp.disclaimer,
    })
}

/// The card for product `id`: summary, worked example, the calculator where one helps (filled in
/// with the worked example), then every "tell me more" section (the example's own section excluded:
/// the table shows it), each return or example with its risk line.
///
/// With a `facet` (the customer asked about one part: "信用卡年费多少钱"), that part's section comes
/// right after the summary, always shown (not behind "Tell me more"; on elder mode's first page), and
/// its first sentence is the card's `lead`: the answer to the question, before anything else.
pub fn card_view(
    bundle: &ProductBundle,
    id: &str,
    lang: Lang,
    facet: Option<Facet>,
) -> Option<CardView> {
    let card = bundle.catalogue.card(id, lang)?;
    let w = words(lang);
    let g = &bundle.glossary;
    let para = |class: &str, text: &str| Block::Para {
        class: class.to_owned(),
        text: mark(g, text, lang),
    };
    let mut parts = vec![
        Part {
            key: "summary".into(),
            title: SectionKey::Summary.title(lang).into(),
            detail: false,
            blocks: vec![para("ba-card-summary", &card.summary)],
        },
        Part {
            key: "example".into(),
            title: SectionKey::Example.title(lang).into(),
            detail: false,
            blocks: vec![Block::Table {
                caption: w.example_caption.into(),
                rows: card
                    .example
                    .rows
                    .iter()
                    .map(|r| (r.label.clone(), r.value.clone()))
                    .collect(),
                note: card.example.note.clone(),
            }],
        },
    ];
    if let Some(calc) = calc_view(bundle, id, lang) {
        parts.push(Part {
            key: "calc".into(),
            title: w.work_it_out.into(),
            detail: false,
            blocks: vec![Block::Calc(calc)],
        });
    }
    let details = card
        .sections
        .iter()
        .filter(|s| s.key != SectionKey::Example);
    for (i, s) in details.enumerate() {
        let mut blocks: Vec<Block> = s
            .body
            .split('\n')
            .filter(|l| !l.trim().is_empty())
            .map(|l| para("", l))
            .collect();
        blocks.extend(s.risk_note.clone().map(|text| Block::RiskNote { text }));
        parts.push(Part {
            key: format!("detail{i}"),
            title: s.title.clone(),
            detail: true,
            blocks,
        });
    }
    let mut lead = None;
    if let Some(facet) = facet {
        let key = facet.section();
        let at = card
            .sections
            .iter()
            .filter(|s| s.key != SectionKey::Example)
            .position(|s| s.key == key);
        if let Some(at) = at {
            let first_detail = parts.iter().position(|p| p.detail).unwrap_or(parts.len());
            let mut part = parts.remove(first_detail + at);
            part.detail = false;
            part.key = format!("facet-{}", facet.name());
            parts.insert(1, part);
            lead = card
                .sections
                .iter()
                .find(|s| s.key == key)
                .map(|s| first_sentence(&s.body).to_owned());
        }
    }
    Some(CardView {
        product: card.id,
        name: card.name,
        lead,
        risk: risk_view(&card.risk, lang),
        parts,
        notice: card.example_notice,
        disclaimer: card.disclaimer,
        words: CardWords {
            tell_me_more: w.tell_me_more.into(),
            previous: w.previous.into(),
            next: w.next.into(),
            step_of: w.step_of.into(),
            next_steps: w.next_steps.into(),
            talk_to_person: w.talk_to_person.into(),
            more_on_site: w.more_on_site.into(),
            work_it_out: w.work_it_out.into(),
        },
    })
}

/// "Risk level R2: low to medium risk" with a level meter (▮▮▯▯▯) or, for borrowing, a warning sign.
fn risk_view(risk: &super::card::RiskLine, lang: Lang) -> RiskView {
    let (icon, label) = match (risk.level, lang) {
        (RiskLevel::Borrowing, Lang::En) => (
            "⚠".to_owned(),
            format!("Risk: {} ({})", risk.code, risk.name),
        ),
        (RiskLevel::Borrowing, Lang::ZhCn) => (
            "⚠".to_owned(),
            format!("风险：{}（{}）", risk.code, risk.name),
        ),
        (level, _) => {
            let n = RiskLevel::ALL.iter().position(|l| *l == level).unwrap_or(0) + 1;
            let meter: String = (1..=5).map(|i| if i <= n { '▮' } else { '▯' }).collect();
            let label = match lang {
                Lang::En => format!("{} {}: {}", words(lang).risk_label, risk.code, risk.name),
                Lang::ZhCn => format!("{}{}：{}", words(lang).risk_label, risk.code, risk.name),
            };
            (meter, label)
        }
    };
    RiskView {
        level: risk.level.code().to_owned(),
        icon,
        label,
        meaning: risk.meaning.clone(),
    }
}

/// The calculator that fits a product, filled in with its worked example.
fn calc_view(bundle: &ProductBundle, id: &str, lang: Lang) -> Option<CalcView> {
    let w = words(lang);
    let (kind, amount, rate, months) = match &bundle.catalogue.product(id)?.example {
        WorkedExample::Deposit {
            amount,
            rate_pct,
            months,
            ..
        } => (CalcKind::Deposit, amount, rate_pct, months),
        WorkedExample::Loan {
            amount,
            apr_pct,
            months,
            ..
        } => (CalcKind::Loan, amount, apr_pct, months),
        _ => return None,
    };
    let (title, rate_label) = match kind {
        CalcKind::Deposit => (w.deposit_calc, w.rate_deposit),
        CalcKind::Loan => (w.loan_calc, w.rate_loan),
    };
    let field = |key: &str, label: &str, hint: &str, value: String| CalcField {
        key: key.into(),
        label: label.into(),
        hint: hint.into(),
        value,
    };
    Some(CalcView {
        kind,
        title: title.into(),
        fields: vec![
            field(
                "amount",
                w.amount,
                w.amount_hint,
                format!("{}", amount.yuan()),
            ),
            field("rate", rate_label, w.rate_hint, format_rate(*rate)),
            field("term", w.term, w.term_hint, months.to_string()),
        ],
        calculate: w.calculate.into(),
        result_note: w.result_note.into(),
    })
}

/// A calculator's result for what the customer typed ("10000", "1.5万", "一万", "1年"), or the calm
/// message for the first field that is wrong.
pub fn calculate(kind: CalcKind, amount: &str, rate: &str, term: &str, lang: Lang) -> CalcOutcome {
    let rate_pct = parse_rate(rate, lang).unwrap_or(0.0);
    let result = match kind {
        CalcKind::Deposit => deposit_from_text(amount, rate, term, lang)
            .map(|r| describe_deposit(&r, rate_pct, parse_term(term, lang).unwrap_or(0), lang)),
        CalcKind::Loan => {
            loan_from_text(amount, rate, term, lang).map(|r| describe_loan(&r, rate_pct, lang))
        }
    };
    match result {
        Ok(text) => CalcOutcome::Result { text },
        Err(e) => CalcOutcome::Error {
            field: format!("{:?}", e.field).to_lowercase(),
            message: e.message(lang),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> ProductBundle {
        ProductBundle::parse(include_str!("../../../../public/kb/products.json")).unwrap()
    }

    fn text(r: &Rich) -> String {
        r.iter().map(|s| s.text.as_str()).collect()
    }

    use crate::taxonomy::PRODUCTS;

    #[test]
    fn every_card_has_risk_example_details_and_not_advice_in_both_languages() {
        let b = bundle();
        for id in PRODUCTS {
            for lang in [Lang::En, Lang::ZhCn] {
                let c = card_view(&b, id, lang, None).unwrap_or_else(|| panic!("{id}"));
                assert_eq!(c.product, id);
                assert!(!c.risk.label.is_empty() && !c.risk.meaning.is_empty());
                assert!(c.notice.is_some(), "{id}: example notice");
                let not_advice = if lang == Lang::En {
                    "not advice"
                } else {
                    "建议"
                };
                assert!(c.disclaimer.contains(not_advice), "{id}: {}", c.disclaimer);
                let keys: Vec<&str> = c.parts.iter().map(|p| p.key.as_str()).collect();
                assert_eq!(&keys[..2], ["summary", "example"], "{id}");
                assert!(c.parts.iter().filter(|p| p.detail).count() >= 8, "{id}");
                // Details come after everything that is always shown, numbered in order.
                let first_detail = c.parts.iter().position(|p| p.detail).unwrap();
                assert!(c.parts[first_detail..].iter().all(|p| p.detail));
                for (i, p) in c.parts[first_detail..].iter().enumerate() {
                    assert_eq!(p.key, format!("detail{i}"));
                }
                let Block::Table { rows, caption, .. } = &c.parts[1].blocks[0] else {
                    panic!("{id}: the example is a table");
                };
                assert!(rows.len() >= 3);
                let example = if lang == Lang::En { "xample" } else { "示例" };
                assert!(
                    caption.contains(example) || rows.iter().any(|r| r.0.contains(example)),
                    "{id}: the rate is labelled as an example"
                );
            }
        }
    }

    #[test]
    fn a_question_about_one_part_opens_the_card_there_with_its_answer_first() {
        let b = bundle();
        for lang in [Lang::En, Lang::ZhCn] {
            let c = card_view(&b, "product_credit_card", lang, Some(Facet::Fees)).unwrap();
            let costs = SectionKey::Costs.title(lang);
            // Right after the summary, not behind "Tell me more".
            assert_eq!(c.parts[1].title, costs, "{lang:?}");
            assert!(!c.parts[1].detail);
            assert_eq!(c.parts.iter().filter(|p| p.title == costs).count(), 1);
            let lead = c.lead.clone().unwrap();
            let body = text(match &c.parts[1].blocks[0] {
                Block::Para { text, .. } => text,
                other => panic!("{other:?}"),
            });
            assert!(body.starts_with(&lead), "{lead} / {body}");
            // Every other part is still there.
            let plain = card_view(&b, "product_credit_card", lang, None).unwrap();
            assert_eq!(c.parts.len(), plain.parts.len());
            assert!(plain.lead.is_none());
            // A return asked about first still carries its risk line.
            let rate = card_view(&b, "product_wealth_management", lang, Some(Facet::Rate)).unwrap();
            assert!(
                rate.parts[1]
                    .blocks
                    .iter()
                    .any(|b| matches!(b, Block::RiskNote { .. })),
                "{lang:?}"
            );
        }
    }

    #[test]
    fn a_return_is_never_shown_without_its_risk() {
        let b = bundle();
        for id in PRODUCTS {
            let c = card_view(&b, id, Lang::En, None).unwrap();
            let returns = c.parts.iter().find(|p| p.title == "What you get").unwrap();
            let notes = returns
                .blocks
                .iter()
                .filter(|b| matches!(b, Block::RiskNote { text } if text.starts_with("Risk")))
                .count();
            assert_eq!(notes, 1, "{id}");
        }
    }

    #[test]
    fn deposits_and_loans_get_their_calculator_filled_in_with_the_example() {
        let b = bundle();
        let calc = |id| {
            card_view(&b, id, Lang::En, None)
                .unwrap()
                .parts
                .into_iter()
                .find_map(|p| match p.blocks.into_iter().next() {
                    Some(Block::Calc(c)) => Some(c),
                    _ => None,
                })
        };
        let loan = calc("product_consumer_loan").expect("loan calculator");
        assert_eq!(loan.kind, CalcKind::Loan);
        let keys: Vec<&str> = loan.fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["amount", "rate", "term"]);
        assert!(loan.fields.iter().all(|f| !f.value.is_empty()));
        // The prefilled example computes without an error.
        let [a, r, t] = [0, 1, 2].map(|i| loan.fields[i].value.clone());
        assert!(matches!(
            calculate(loan.kind, &a, &r, &t, Lang::En),
            CalcOutcome::Result { .. }
        ));
        assert_eq!(
            calc("product_fixed_deposit").unwrap().kind,
            CalcKind::Deposit
        );
        assert!(
            calc("product_wealth_management").is_none(),
            "no calculator for an investment"
        );
    }

    #[test]
    fn calculator_results_and_field_errors() {
        let out = calculate(CalcKind::Loan, "50000", "6", "12", Lang::En);
        let CalcOutcome::Result { text } = out else {
            panic!("{out:?}")
        };
        assert!(text.contains("¥4,303.32 a month"), "{text}");
        assert!(text.contains("¥51,639.86 in all"), "{text}");
        let out = calculate(CalcKind::Deposit, "一万五千", "2", "1年", Lang::ZhCn);
        let CalcOutcome::Result { text } = out else {
            panic!("{out:?}")
        };
        assert!(
            text.contains("存¥15,000，存1年，年利率2%，利息¥300.00"),
            "{text}"
        );
        for (amount, rate, term, field) in [
            ("abc", "6", "12", "amount"),
            ("-5", "6", "12", "amount"),
            ("20000", "六十", "24", "rate"),
            ("20000", "6", "40 years", "term"),
        ] {
            match calculate(CalcKind::Loan, amount, rate, term, Lang::En) {
                CalcOutcome::Error { field: f, message } => {
                    assert_eq!(f, field, "{amount} {rate} {term}");
                    assert!(!message.is_empty());
                }
                other => panic!("{amount} {rate} {term}: {other:?}"),
            }
        }
    }

    #[test]
    fn terms_are_marked_once_per_block_and_the_text_is_kept_exactly() {
        let b = bundle();
        let t = "The APR is the yearly cost. A lower APR means you pay less interest.";
        let r = mark(&b.glossary, t, Lang::En);
        assert_eq!(text(&r), t);
        let marked: Vec<&str> = r
            .iter()
            .filter(|s| s.term.is_some())
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(
            marked.iter().filter(|m| **m == "APR").count(),
            1,
            "{marked:?}"
        );
        let apr = r.iter().find_map(|s| s.term.as_ref()).unwrap();
        assert!(apr.means.starts_with("APR means") && apr.explain.len() > 20);
        let Some(View::Text { paragraphs }) = render(
            &b,
            &Render::Text {
                text: "One.\n\nTwo APR.".into(),
            },
            Lang::En,
        ) else {
            panic!()
        };
        assert_eq!(paragraphs.len(), 2);
    }

    #[test]
    fn compare_requests_become_a_table_with_the_same_rows_for_both() {
        let b = bundle();
        let (pair, intro) = compare_request(
            &b,
            "compare fixed deposit and certificate of deposit",
            Lang::En,
        )
        .unwrap();
        assert_eq!(
            pair,
            (
                "product_fixed_deposit".to_owned(),
                "product_certificate_of_deposit".to_owned()
            )
        );
        assert!(intro.contains("Fixed deposit") && intro.contains("side by side"));
        assert!(compare_request(&b, "how does a fixed deposit work?", Lang::En).is_none());
        let Some(View::Compare(c)) = render(
            &b,
            &Render::Compare {
                a: "product_fixed_deposit".into(),
                b: "product_mortgage".into(),
            },
            Lang::ZhCn,
        ) else {
            panic!()
        };
        assert_eq!(c.a_name, "定期存款");
        assert_eq!(c.rows.len(), 9);
        let risk = c.rows.iter().find(|r| r.key == "risk").unwrap();
        assert!(text(&risk.a).contains("风险等级R") && !text(&risk.b).is_empty());
        assert!(
            render(
                &b,
                &Render::Product {
                    product: "nope".into()
                },
                Lang::En
            )
            .is_none()
        );
    }
}

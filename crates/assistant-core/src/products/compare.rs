//! "Compare fixed deposit and certificate of deposit", "定期存款和大额存单有什么区别": finding a
//! comparison request and its two products in free text, and the side-by-side rows.
//!
//! Why this is not a model intent: the fixed taxonomy has one intent per product and none for
//! comparing, and a comparison is recognisable from words alone: two product names (from the
//! catalogue's `names`, so a bank can add its own) and a comparing word (compare, vs, difference,
//! 比较, 区别, 哪个…). Text is folded with [`super::matcher::fold`] (full-width, case, traditional
//! characters), which the UI thread can afford; the OpenCC tables of `normalize` are not needed.

use super::card::{SectionKey, kind_label};
use super::catalogue::{Catalogue, Product, RateBasis, WorkedExample};
use super::matcher::{PhraseMatcher, fold};
use super::money::{format_days, format_months, format_rate};
use crate::locale::Lang;
use serde::{Deserialize, Serialize};

/// Words that ask for a comparison (already folded: lower case, simplified).
const CUES: [&str; 27] = [
    "compare",
    "comparing",
    "comparison",
    "versus",
    "vs",
    "difference",
    "different",
    "differ",
    "better",
    "which",
    "same",
    "or",
    "比较",
    "对比",
    "区别",
    "差别",
    "差异",
    "不同",
    "不一样",
    "一样",
    "哪个",
    "哪种",
    "哪一个",
    "还是",
    "相比",
    "比一比",
    "pk",
];

/// Product ids mentioned in `text`, in order of first mention, without repeats.
pub fn find_products(text: &str, catalogue: &Catalogue) -> Vec<String> {
    let names = catalogue.products.iter().flat_map(|p| {
        p.names
            .en
            .iter()
            .chain(&p.names.zh)
            .map(move |n| (fold(n), p.id.clone()))
    });
    let matcher = PhraseMatcher::new(names, true);
    let mut ids: Vec<String> = Vec::new();
    for m in matcher.find_all(&fold(text)) {
        if !ids.contains(&m.value) {
            ids.push(m.value);
        }
    }
    ids
}

/// The two products a comparison request names, or `None` when `text` does not ask to compare two
/// different products (one product, three or more, or no comparing word).
pub fn detect_compare(text: &str, catalogue: &Catalogue) -> Option<(String, String)> {
    let folded = fold(text);
    let cues = PhraseMatcher::new(CUES.iter().map(|c| (c.to_string(), ())), false);
    if cues.find_all(&folded).is_empty() {
        return None;
    }
    match <[String; 2]>::try_from(find_products(text, catalogue)) {
        Ok([a, b]) => Some((a, b)),
        Err(_) => None,
    }
}

/// A side-by-side comparison in one language: the same rows for both products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub lang: Lang,
    pub a: ProductHeader,
    pub b: ProductHeader,
    pub rows: Vec<CompareRow>,
    pub example_notice: Option<String>,
    pub disclaimer: String,
}

/// A column heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductHeader {
    pub id: String,
    pub name: String,
}

/// One row: what it compares, and the text for each product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareRow {
    pub key: SectionKey,
    pub label: String,
    pub a: String,
    pub b: String,
}

impl Catalogue {
    /// Products `a` and `b` side by side; `None` if either id is unknown.
    pub fn compare(&self, a: &str, b: &str, lang: Lang) -> Option<Comparison> {
        let (pa, pb) = (self.product(a)?, self.product(b)?);
        let keys = [
            SectionKey::Kind,
            SectionKey::Summary,
            SectionKey::Risk,
            SectionKey::Returns,
            SectionKey::Example,
            SectionKey::Costs,
            SectionKey::GetOut,
            SectionKey::Suits,
            SectionKey::NotFor,
        ];
        let rows = keys
            .into_iter()
            .map(|key| CompareRow {
                key,
                label: key.title(lang).to_owned(),
                a: self.row_value(pa, key, lang),
                b: self.row_value(pb, key, lang),
            })
            .collect();
        let header = |p: &Product| ProductHeader {
            id: p.id.clone(),
            name: p.name.get(lang).to_owned(),
        };
        Some(Comparison {
            lang,
            a: header(pa),
            b: header(pb),
            rows,
            example_notice: self
                .example_content
                .then(|| self.example_notice.get(lang).to_owned()),
            disclaimer: self.disclaimer.get(lang).to_owned(),
        })
    }

    fn row_value(&self, p: &Product, key: SectionKey, lang: Lang) -> String {
        let t = |x: &crate::answers::Texts| x.get(lang).to_owned();
        match key {
            SectionKey::Kind => kind_label(p.kind, lang).to_owned(),
            SectionKey::Summary => t(&p.summary),
            SectionKey::Risk => self.risk_line(p, lang).short,
            SectionKey::Returns => t(&p.returns),
            SectionKey::Example => example_line(p, lang),
            SectionKey::Costs => t(&p.costs),
            SectionKey::GetOut => t(&p.get_out),
            SectionKey::Suits => t(&p.suits),
            SectionKey::NotFor => t(&p.not_for),
            SectionKey::WhatItIs => t(&p.what_it_is),
            SectionKey::GetIt => t(&p.get_it),
            SectionKey::Misunderstanding => t(&p.misunderstanding),
        }
    }
}

/// The worked example in one sentence, for a comparison cell.
pub fn example_line(p: &Product, lang: Lang) -> String {
    let en = lang == Lang::En;
    match &p.example {
        WorkedExample::Deposit {
            amount,
            rate_pct,
            months,
            interest,
            ..
        } => {
            if en {
                format!(
                    "{} for {} at an example {} a year earns {}.",
                    amount.format_short(),
                    format_months(*months, lang),
                    format_rate(*rate_pct),
                    interest.format()
                )
            } else {
                format!(
                    "存{}，存{}，按示例利率每年{}，利息{}。",
                    amount.format_short(),
                    format_months(*months, lang),
                    format_rate(*rate_pct),
                    interest.format()
                )
            }
        }
        WorkedExample::Investment {
            basis,
            amount,
            rate_pct,
            months,
            interest,
            loss_pct,
            value_after_loss,
            ..
        } => {
            let what = match (basis, en) {
                (RateBasis::Yield, true) => "yield",
                (RateBasis::Benchmark, true) => "benchmark",
                (RateBasis::Yield, false) => "收益率",
                (RateBasis::Benchmark, false) => "业绩比较基准",
            };
            if en {
                format!(
                    "{} for {} at an example {what} of {} a year would earn {}, but a {} fall would leave {}.",
                    amount.format_short(),
                    format_months(*months, lang),
                    format_rate(*rate_pct),
                    interest.format(),
                    format_rate(*loss_pct),
                    value_after_loss.format()
                )
            } else {
                format!(
                    "投{}，{}，按示例{what}每年{}约赚{}；但如果下跌{}，只剩{}。",
                    amount.format_short(),
                    format_months(*months, lang),
                    format_rate(*rate_pct),
                    interest.format(),
                    format_rate(*loss_pct),
                    value_after_loss.format()
                )
            }
        }
        WorkedExample::Loan {
            amount,
            apr_pct,
            months,
            monthly_payment,
            total_repayable,
            ..
        } => {
            if en {
                format!(
                    "Borrow {} over {} at an example APR of {}: {} a month, {} in total.",
                    amount.format_short(),
                    format_months(*months, lang),
                    format_rate(*apr_pct),
                    monthly_payment.format(),
                    total_repayable.format()
                )
            } else {
                format!(
                    "借{}，分{}还，示例年化利率{}：每月还{}，一共还{}。",
                    amount.format_short(),
                    format_months(*months, lang),
                    format_rate(*apr_pct),
                    monthly_payment.format(),
                    total_repayable.format()
                )
            }
        }
        WorkedExample::Daily {
            amount,
            daily_rate_pct,
            days,
            interest,
            ..
        } => {
            if en {
                format!(
                    "{} not paid back for {} at an example {} a day costs {} in interest.",
                    amount.format_short(),
                    format_days(*days, lang),
                    format_rate(*daily_rate_pct),
                    interest.format()
                )
            } else {
                format!(
                    "{}没按时还，过了{}，按示例日利率{}，要付利息{}。",
                    amount.format_short(),
                    format_days(*days, lang),
                    format_rate(*daily_rate_pct),
                    interest.format()
                )
            }
        }
    }
}

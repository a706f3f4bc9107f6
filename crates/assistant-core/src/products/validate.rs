//! The rules every catalogue must follow (see the `catalogue` module): both languages present, the risk
//! scale complete with matching customer profiles, every product's risk level fitting its kind, rates
//! labelled as examples, investments' returns called unguaranteed, and worked examples that agree with
//! the calculators to the fen.
//!
//! Why apart from the types: the rules are the part a reviewer reads; the types are what the UI reads.

use super::calc;
use super::catalogue::{
    Catalogue, CatalogueError, Product, ProductKind, RiskLevel, WorkedExample, error,
};
use super::money::Money;
use crate::answers::Texts;
use crate::locale::Lang;
use crate::taxonomy;
use std::collections::BTreeMap;

impl Catalogue {
    /// Every rule a catalogue must follow; empty when it is fine.
    pub fn validate(&self) -> Vec<CatalogueError> {
        let mut errors = Vec::new();
        let cat = "catalogue";
        // A real bank's own content sets `example_content = false`; the demo's must say it is an example.
        if self.example_content {
            check_labelled(cat, "example_notice", &self.example_notice, &mut errors);
        }
        for (field, t) in [
            ("bank", &self.bank),
            ("example_notice", &self.example_notice),
            ("disclaimer", &self.disclaimer),
        ] {
            check_texts(cat, field, t, &mut errors);
        }
        if !self.disclaimer.en.to_lowercase().contains("not advice") {
            errors.push(error(cat, "disclaimer.en", "must say \"not advice\""));
        }
        if !self.disclaimer.zh.contains("不构成") || !self.disclaimer.zh.contains("建议") {
            errors.push(error(cat, "disclaimer.zh", "must say \"不构成…建议\""));
        }
        for level in RiskLevel::ALL {
            let found: Vec<_> = self
                .risk_levels
                .iter()
                .filter(|r| r.level == level)
                .collect();
            let field = format!("risk_level.{}", level.code());
            match found.as_slice() {
                [] => errors.push(error(cat, &field, "is missing")),
                [r] => {
                    if r.profile != level.matching_profile() {
                        errors.push(error(
                            cat,
                            &format!("{field}.profile"),
                            match level.matching_profile() {
                                Some(p) => format!("must be {}", p.code()),
                                None => "loans have no customer risk profile".into(),
                            },
                        ));
                    }
                    for (f, t) in [
                        ("name", &r.name),
                        ("meaning", &r.meaning),
                        ("profile_meaning", &r.profile_meaning),
                    ] {
                        check_texts(cat, &format!("{field}.{f}"), t, &mut errors);
                    }
                }
                _ => errors.push(error(cat, &field, "appears more than once")),
            }
        }
        let mut seen_names: BTreeMap<String, String> = BTreeMap::new();
        for id in taxonomy::PRODUCTS {
            match self.products.iter().filter(|p| p.id == id).count() {
                0 => errors.push(error(&format!("product '{id}'"), "id", "is missing")),
                1 => {}
                _ => errors.push(error(
                    &format!("product '{id}'"),
                    "id",
                    "appears more than once",
                )),
            }
        }
        for p in &self.products {
            let item = format!("product '{}'", p.id);
            if !taxonomy::PRODUCTS.contains(&p.id.as_str()) {
                errors.push(error(&item, "id", "is not one of the nine product intents"));
            }
            check_product(&item, p, &mut errors);
            for (lang, names) in [("en", &p.names.en), ("zh", &p.names.zh)] {
                if names.is_empty() {
                    errors.push(error(
                        &item,
                        &format!("names.{lang}"),
                        "is missing or empty",
                    ));
                }
                for n in names {
                    let key = super::matcher::fold(n.trim());
                    if key.is_empty() {
                        errors.push(error(&item, &format!("names.{lang}"), "has an empty name"));
                    } else if let Some(other) = seen_names.insert(key, p.id.clone())
                        && other != p.id
                    {
                        errors.push(error(
                            &item,
                            &format!("names.{lang}"),
                            format!("'{n}' is also a name of '{other}'"),
                        ));
                    }
                }
            }
        }
        errors
    }
}

fn check_texts(item: &str, field: &str, t: &Texts, errors: &mut Vec<CatalogueError>) {
    for (lang, s) in [("en", &t.en), ("zh", &t.zh)] {
        if s.trim().is_empty() {
            errors.push(error(
                item,
                &format!("{field}.{lang}"),
                "is missing or empty",
            ));
        }
    }
}

/// A text must say it is an example: "example" in English, "示例" or "例如" in Chinese.
fn check_labelled(item: &str, field: &str, t: &Texts, errors: &mut Vec<CatalogueError>) {
    if !t.en.to_lowercase().contains("example") {
        errors.push(error(
            item,
            &format!("{field}.en"),
            "must say it is an example (\"example\")",
        ));
    }
    if !t.zh.contains("示例") && !t.zh.contains("例如") {
        errors.push(error(
            item,
            &format!("{field}.zh"),
            "must say it is an example (\"示例\")",
        ));
    }
}

fn mentions_rate(s: &str) -> bool {
    s.contains('%') || s.contains('％')
}

fn check_product(item: &str, p: &Product, errors: &mut Vec<CatalogueError>) {
    let texts = [
        ("name", &p.name),
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
    ];
    for (field, t) in texts {
        check_texts(item, field, t, errors);
        // Honesty: a rate is always labelled as an example, in the same text.
        for (lang, s) in [("en", &t.en), ("zh", &t.zh)] {
            if mentions_rate(s) {
                let ok = match lang {
                    "en" => s.to_lowercase().contains("example"),
                    _ => s.contains("示例") || s.contains("例如"),
                };
                if !ok {
                    errors.push(error(
                        item,
                        &format!("{field}.{lang}"),
                        "states a rate without calling it an example",
                    ));
                }
            }
        }
    }
    check_labelled(item, "example_note", &p.example_note, errors);
    let level_ok = match p.kind {
        ProductKind::Deposit => p.risk.level == RiskLevel::R1,
        ProductKind::Investment => p.risk.level != RiskLevel::Borrowing,
        ProductKind::Borrowing => p.risk.level == RiskLevel::Borrowing,
    };
    if !level_ok {
        errors.push(error(
            item,
            "risk.level",
            format!(
                "{} does not fit a {:?} product (deposits are R1, investments R1–R5, loans \"borrowing\")",
                p.risk.level.code(),
                p.kind
            ),
        ));
    }
    if p.kind == ProductKind::Investment {
        let en = p.returns.en.to_lowercase();
        if !(en.contains("not guaranteed") || en.contains("not a promise")) {
            errors.push(error(
                item,
                "returns.en",
                "an investment's return must be called \"not guaranteed\" or \"not a promise\"",
            ));
        }
        if !(p.returns.zh.contains("不保证") || p.returns.zh.contains("不是承诺")) {
            errors.push(error(
                item,
                "returns.zh",
                "an investment's return must be called \"不保证\"",
            ));
        }
    }
    check_example(item, p, errors);
}

fn differs(
    errors: &mut Vec<CatalogueError>,
    item: &str,
    field: &str,
    stated: Money,
    computed: Money,
) {
    if stated != computed {
        errors.push(error(
            item,
            &format!("example.{field}"),
            format!(
                "says {}, but the calculator gives {}",
                stated.format(),
                computed.format()
            ),
        ));
    }
}

/// The stated results must be what the calculators compute from the stated inputs.
fn check_example(item: &str, p: &Product, errors: &mut Vec<CatalogueError>) {
    let kind_ok = matches!(
        (p.kind, &p.example),
        (ProductKind::Deposit, WorkedExample::Deposit { .. })
            | (ProductKind::Investment, WorkedExample::Investment { .. })
            | (
                ProductKind::Borrowing,
                WorkedExample::Loan { .. } | WorkedExample::Daily { .. }
            )
    );
    let bad_input = |e: super::input::InputError| {
        error(
            item,
            "example",
            format!("inputs are not valid: {}", e.message(Lang::En)),
        )
    };
    match &p.example {
        WorkedExample::Deposit {
            amount,
            rate_pct,
            months,
            interest,
            total,
        } => match calc::deposit_interest(*amount, *rate_pct, *months) {
            Ok(r) => {
                differs(errors, item, "interest", *interest, r.interest);
                differs(errors, item, "total", *total, r.total);
            }
            Err(e) => errors.push(bad_input(e)),
        },
        WorkedExample::Investment {
            basis: _,
            amount,
            rate_pct,
            months,
            interest,
            total,
            loss_pct,
            value_after_loss,
        } => {
            match calc::deposit_interest(*amount, *rate_pct, *months) {
                Ok(r) => {
                    differs(errors, item, "interest", *interest, r.interest);
                    differs(errors, item, "total", *total, r.total);
                }
                Err(e) => errors.push(bad_input(e)),
            }
            match calc::value_after_fall(*amount, *loss_pct) {
                Ok(v) if *loss_pct > 0.0 => {
                    differs(errors, item, "value_after_loss", *value_after_loss, v)
                }
                Ok(_) => errors.push(error(
                    item,
                    "example.loss_pct",
                    "must show a fall in value above zero",
                )),
                Err(e) => errors.push(bad_input(e)),
            }
        }
        WorkedExample::Loan {
            amount,
            apr_pct,
            months,
            monthly_payment,
            total_repayable,
            total_interest,
        } => match calc::loan_annuity(*amount, *apr_pct, *months) {
            Ok(r) => {
                differs(
                    errors,
                    item,
                    "monthly_payment",
                    *monthly_payment,
                    r.monthly_payment,
                );
                differs(
                    errors,
                    item,
                    "total_repayable",
                    *total_repayable,
                    r.total_repayable,
                );
                differs(
                    errors,
                    item,
                    "total_interest",
                    *total_interest,
                    r.total_interest,
                );
            }
            Err(e) => errors.push(bad_input(e)),
        },
        WorkedExample::Daily {
            amount,
            daily_rate_pct,
            days,
            interest,
            annual_pct,
        } => {
            match calc::daily_interest(*amount, *daily_rate_pct, *days) {
                Ok(r) => differs(errors, item, "interest", *interest, r),
                Err(e) => errors.push(bad_input(e)),
            }
            if (calc::daily_to_annual_pct(*daily_rate_pct) - annual_pct).abs() > 1e-9 {
                errors.push(error(
                    item,
                    "example.annual_pct",
                    format!(
                        "says {annual_pct}%, but {daily_rate_pct}% a day × 365 is {}%",
                        calc::daily_to_annual_pct(*daily_rate_pct)
                    ),
                ));
            }
        }
    }
    if !kind_ok {
        errors.push(error(
            item,
            "example.kind",
            format!("does not fit a {:?} product", p.kind),
        ));
    }
}

//! The product catalogue: one demo bank's example of each of the nine products, in English and
//! Simplified Chinese, and the rules every entry must follow.
//!
//! Why validated in the core: the catalogue is content a bank edits, and the honesty rules are not
//! optional. Validation refuses a catalogue where a risk level or a language is missing, where a worked
//! example's stated result differs from what [`super::calc`] computes from its stated inputs, where a rate
//! appears without being labelled an example, or where an investment's return is not said to be
//! unguaranteed. Every error names the product and the field (`product 'x': summary.zh: is empty`).
//!
//! Sources are TOML (`public/kb/products.toml`, read by `source` with the `kb-source` feature); the
//! browser downloads the validated catalogue and glossary as JSON (`public/kb/products.json`, a
//! [`ProductBundle`]).

use super::calc;
use super::glossary::Glossary;
use super::money::Money;
use crate::answers::Texts;
use crate::locale::Lang;
use crate::taxonomy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the bundle format; bump when the JSON shape changes.
pub const BUNDLE_FORMAT: u32 = 1;

/// What the browser downloads: the catalogue and the glossary, both languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductBundle {
    pub format: u32,
    pub catalogue: Catalogue,
    pub glossary: Glossary,
}

impl ProductBundle {
    /// Reads and validates `products.toml` and `glossary.toml` together; the errors of both.
    #[cfg(feature = "kb-source")]
    pub fn from_sources(
        products_toml: &str,
        glossary_toml: &str,
    ) -> Result<Self, Vec<CatalogueError>> {
        match (
            Catalogue::from_toml(products_toml),
            Glossary::from_toml(glossary_toml),
        ) {
            (Ok(catalogue), Ok(glossary)) => Ok(Self {
                format: BUNDLE_FORMAT,
                catalogue,
                glossary,
            }),
            (a, b) => Err(a
                .err()
                .into_iter()
                .flatten()
                .chain(b.err().into_iter().flatten())
                .collect()),
        }
    }

    /// Reads `products.json`, checking its format version.
    pub fn parse(json: &str) -> Result<Self, String> {
        let b: Self =
            serde_json::from_str(json).map_err(|e| format!("products file is not valid: {e}"))?;
        if b.format != BUNDLE_FORMAT {
            return Err(format!(
                "products file has format {}, this build reads {BUNDLE_FORMAT}",
                b.format
            ));
        }
        Ok(b)
    }
}

/// A validated product catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    /// True while the content is the demo's: the UI then shows [`Catalogue::example_notice`] on every
    /// product view.
    pub example_content: bool,
    /// The bank's name ("Lakeside Bank" / "湖畔银行").
    pub bank: Texts,
    /// "Example content: … replace with your own products" (shown with every product).
    pub example_notice: Texts,
    /// "This is general information, not advice." (shown with every product answer and comparison).
    pub disclaimer: Texts,
    /// The regulator's five-level scale R1–R5 (plus "borrowing", for loans, which are not on it).
    pub risk_levels: Vec<RiskLevelInfo>,
    /// The nine products, in taxonomy order.
    pub products: Vec<Product>,
}

/// What a product is, for the rules that apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    /// Money kept by the bank; the amount put in does not go down (deposit insurance).
    Deposit,
    /// Money invested; its value can go down.
    Investment,
    /// Money borrowed; it must be paid back with interest.
    Borrowing,
}

/// A product's risk level on the regulator's scale. Loans are not rated on it: their risk is the
/// borrower's debt, so they carry `Borrowing` and a plain explanation instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RiskLevel {
    R1,
    R2,
    R3,
    R4,
    R5,
    #[serde(rename = "borrowing")]
    Borrowing,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 6] = [
        RiskLevel::R1,
        RiskLevel::R2,
        RiskLevel::R3,
        RiskLevel::R4,
        RiskLevel::R5,
        RiskLevel::Borrowing,
    ];

    /// "R1" … "R5", "borrowing".
    pub fn code(self) -> &'static str {
        match self {
            RiskLevel::R1 => "R1",
            RiskLevel::R2 => "R2",
            RiskLevel::R3 => "R3",
            RiskLevel::R4 => "R4",
            RiskLevel::R5 => "R5",
            RiskLevel::Borrowing => "borrowing",
        }
    }

    /// Parses "R1".."R5" (any case) and "borrowing".
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(s.trim()))
    }

    /// The customer risk profile that matches: a product at R*n* suits customers assessed C*n* or above.
    pub fn matching_profile(self) -> Option<CustomerProfile> {
        Some(match self {
            RiskLevel::R1 => CustomerProfile::C1,
            RiskLevel::R2 => CustomerProfile::C2,
            RiskLevel::R3 => CustomerProfile::C3,
            RiskLevel::R4 => CustomerProfile::C4,
            RiskLevel::R5 => CustomerProfile::C5,
            RiskLevel::Borrowing => return None,
        })
    }
}

/// A customer's assessed risk tolerance, C1 (most careful) to C5 (takes the most risk).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CustomerProfile {
    C1,
    C2,
    C3,
    C4,
    C5,
}

impl CustomerProfile {
    pub fn code(self) -> &'static str {
        match self {
            CustomerProfile::C1 => "C1",
            CustomerProfile::C2 => "C2",
            CustomerProfile::C3 => "C3",
            CustomerProfile::C4 => "C4",
            CustomerProfile::C5 => "C5",
        }
    }
}

/// One step of the risk scale, explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskLevelInfo {
    pub level: RiskLevel,
    /// Short name: "Low", "低风险".
    pub name: Texts,
    /// One sentence: what this level means for your money.
    pub meaning: Texts,
    /// The matching customer profile (none for borrowing).
    pub profile: Option<CustomerProfile>,
    /// One sentence about who it suits (the profile, or for loans: what the bank checks instead).
    pub profile_meaning: Texts,
}

/// Names customers use for a product, for finding it in free text ("FD", "定期", "定存").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names {
    pub en: Vec<String>,
    pub zh: Vec<String>,
}

/// One product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// The product intent label, e.g. `product_fixed_deposit`.
    pub id: String,
    pub kind: ProductKind,
    pub name: Texts,
    pub names: Names,
    /// One sentence.
    pub summary: Texts,
    pub what_it_is: Texts,
    pub suits: Texts,
    pub not_for: Texts,
    /// What you get (rate or return), labelled as an example.
    pub returns: Texts,
    /// Fees and interest you pay.
    pub costs: Texts,
    pub risk: ProductRisk,
    /// How to get it.
    pub get_it: Texts,
    /// How to get out of it: early withdrawal, cancellation, cooling-off.
    pub get_out: Texts,
    /// "Things people often misunderstand".
    pub misunderstanding: Texts,
    pub example: WorkedExample,
    /// A line under the worked example ("Example rate, not today's rate…").
    pub example_note: Texts,
}

/// A product's risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductRisk {
    pub level: RiskLevel,
    /// What can go wrong, in plain words.
    pub explained: Texts,
}

/// A worked example with its stated results, which must equal what the calculators compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WorkedExample {
    /// Simple interest on a deposit.
    Deposit {
        amount: Money,
        rate_pct: f64,
        months: u32,
        interest: Money,
        total: Money,
    },
    /// An investment that earns its example yield or benchmark, and what a fall in value would mean.
    Investment {
        basis: RateBasis,
        amount: Money,
        rate_pct: f64,
        months: u32,
        interest: Money,
        total: Money,
        loss_pct: f64,
        value_after_loss: Money,
    },
    /// A loan repaid in equal monthly instalments.
    Loan {
        amount: Money,
        apr_pct: f64,
        months: u32,
        monthly_payment: Money,
        total_repayable: Money,
        total_interest: Money,
    },
    /// Daily interest on an unpaid credit-card balance.
    Daily {
        amount: Money,
        daily_rate_pct: f64,
        days: u32,
        interest: Money,
        annual_pct: f64,
    },
}

/// What an investment's example rate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateBasis {
    /// A recent annualised yield that changes every day (money market funds' 7-day yield).
    Yield,
    /// A performance benchmark: a target, not a promise (wealth management products).
    Benchmark,
}

/// A mistake in the catalogue or glossary: `item` is "product 'x'", "term 'apr'", "catalogue" or a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{item}: {field}: {message}")]
pub struct CatalogueError {
    pub item: String,
    pub field: String,
    pub message: String,
}

pub(crate) fn error(item: &str, field: &str, message: impl Into<String>) -> CatalogueError {
    CatalogueError {
        item: item.into(),
        field: field.into(),
        message: message.into(),
    }
}

impl Catalogue {
    /// Reads and validates `products.toml`. Returns every mistake, not only the first.
    #[cfg(feature = "kb-source")]
    pub fn from_toml(text: &str) -> Result<Self, Vec<CatalogueError>> {
        let c = super::source::read_catalogue(text)?;
        let errors = c.validate();
        if errors.is_empty() {
            Ok(c)
        } else {
            Err(errors)
        }
    }

    /// The product with this id (intent label).
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    /// The explanation of a risk level.
    pub fn risk_level(&self, level: RiskLevel) -> Option<&RiskLevelInfo> {
        self.risk_levels.iter().find(|r| r.level == level)
    }

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

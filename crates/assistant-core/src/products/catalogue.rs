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

use super::glossary::Glossary;
use super::money::Money;
use crate::answers::Texts;
use serde::{Deserialize, Serialize};

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
}

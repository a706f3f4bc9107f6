//! Reading `public/kb/products.toml` and `public/kb/glossary.toml` (feature `kb-source`).
//!
//! Why by hand over a `toml::Table` rather than `#[derive(Deserialize)]`: serde stops at the first
//! problem and says "missing field `zh`" without saying where. Content writers need every mistake at
//! once, each naming the product and the field: `product 'product_mortgage': risk.level: is missing`.

use super::catalogue::{
    Catalogue, CatalogueError, CustomerProfile, Names, Product, ProductKind, ProductRisk,
    RateBasis, RiskLevel, RiskLevelInfo, WorkedExample, error,
};
use super::glossary::{Glossary, Term};
use super::money::Money;
use crate::answers::Texts;
use toml::{Table, Value};

struct Reader<'e> {
    item: String,
    errors: &'e mut Vec<CatalogueError>,
}

impl Reader<'_> {
    fn err(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(error(&self.item, field, message));
    }

    /// Complains about keys other than `allowed` (typos such as `sumary`).
    fn only(&mut self, t: &Table, prefix: &str, allowed: &[&str]) {
        for k in t.keys() {
            if !allowed.contains(&k.as_str()) {
                self.err(&format!("{prefix}{k}"), "is not a known field (a typo?)");
            }
        }
    }

    fn table<'t>(&mut self, t: &'t Table, key: &str, field: &str) -> Option<&'t Table> {
        match t.get(key) {
            Some(Value::Table(v)) => Some(v),
            Some(_) => {
                self.err(field, "must be a table with en and zh");
                None
            }
            None => {
                self.err(field, "is missing");
                None
            }
        }
    }

    fn string(&mut self, t: &Table, key: &str, field: &str) -> String {
        match t.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                self.err(field, "must be text");
                String::new()
            }
            None => {
                self.err(field, "is missing");
                String::new()
            }
        }
    }

    fn texts(&mut self, t: &Table, key: &str, field: &str) -> Texts {
        let Some(sub) = self.table(t, key, field) else {
            return Texts {
                en: String::new(),
                zh: String::new(),
            };
        };
        self.only(sub, &format!("{field}."), &["en", "zh"]);
        let en = self.string(sub, "en", &format!("{field}.en"));
        let zh = self.string(sub, "zh", &format!("{field}.zh"));
        Texts {
            en: en.trim().to_owned(),
            zh: zh.trim().to_owned(),
        }
    }

    fn list(&mut self, t: &Table, key: &str, field: &str) -> Vec<String> {
        match t.get(key) {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.trim().to_owned()),
                    _ => {
                        self.err(field, "must be a list of texts");
                        None
                    }
                })
                .collect(),
            Some(_) => {
                self.err(field, "must be a list of texts");
                Vec::new()
            }
            None => {
                self.err(field, "is missing");
                Vec::new()
            }
        }
    }

    fn number(&mut self, t: &Table, key: &str, field: &str) -> f64 {
        match t.get(key) {
            Some(Value::Integer(i)) => *i as f64,
            Some(Value::Float(f)) => *f,
            Some(_) => {
                self.err(field, "must be a number");
                0.0
            }
            None => {
                self.err(field, "is missing");
                0.0
            }
        }
    }

    fn money(&mut self, t: &Table, key: &str, field: &str) -> Money {
        Money::from_yuan(self.number(t, key, field))
    }

    fn count(&mut self, t: &Table, key: &str, field: &str) -> u32 {
        let n = self.number(t, key, field);
        if n < 0.0 || n.fract() != 0.0 || n > u32::MAX as f64 {
            self.err(field, "must be a whole number");
            return 0;
        }
        n as u32
    }
}

fn parse_table(text: &str, file: &str) -> Result<Table, Vec<CatalogueError>> {
    toml::from_str::<Table>(text)
        .map_err(|e| vec![error(file, "toml", e.to_string().trim().to_owned())])
}

fn tables<'t>(root: &'t Table, key: &str, reader: &mut Reader<'_>) -> Vec<&'t Table> {
    match root.get(key) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| match v {
                Value::Table(t) => Some(t),
                _ => {
                    reader.err(key, "must be a list of [[tables]]");
                    None
                }
            })
            .collect(),
        Some(_) => {
            reader.err(key, "must be a list of [[tables]]");
            Vec::new()
        }
        None => {
            reader.err(key, "is missing");
            Vec::new()
        }
    }
}

const PRODUCT_FIELDS: [&str; 17] = [
    "id",
    "kind",
    "name",
    "names",
    "summary",
    "what_it_is",
    "suits",
    "not_for",
    "returns",
    "costs",
    "risk",
    "get_it",
    "get_out",
    "misunderstanding",
    "example",
    "example_note",
    "comment",
];

/// Reads the catalogue's structure; `Catalogue::validate` then checks its rules.
pub(crate) fn read_catalogue(text: &str) -> Result<Catalogue, Vec<CatalogueError>> {
    let root = parse_table(text, "products.toml")?;
    let mut errors = Vec::new();
    let mut r = Reader {
        item: "catalogue".into(),
        errors: &mut errors,
    };
    r.only(
        &root,
        "",
        &[
            "example_content",
            "bank",
            "example_notice",
            "disclaimer",
            "risk_level",
            "product",
        ],
    );
    let example_content = match root.get("example_content") {
        Some(Value::Boolean(b)) => *b,
        _ => {
            r.err("example_content", "must be true or false");
            true
        }
    };
    let bank = r.texts(&root, "bank", "bank");
    let example_notice = r.texts(&root, "example_notice", "example_notice");
    let disclaimer = r.texts(&root, "disclaimer", "disclaimer");
    let mut risk_levels = Vec::new();
    for t in tables(&root, "risk_level", &mut r) {
        let code = r.string(t, "level", "risk_level.level");
        let Some(level) = RiskLevel::from_code(&code) else {
            r.err(
                "risk_level.level",
                format!("'{code}' is not R1–R5 or borrowing"),
            );
            continue;
        };
        let f = format!("risk_level.{}", level.code());
        r.only(
            t,
            &format!("{f}."),
            &["level", "name", "meaning", "profile", "profile_meaning"],
        );
        let profile = match t.get("profile") {
            None => None,
            Some(Value::String(p)) => {
                let p = [
                    CustomerProfile::C1,
                    CustomerProfile::C2,
                    CustomerProfile::C3,
                    CustomerProfile::C4,
                    CustomerProfile::C5,
                ]
                .into_iter()
                .find(|c| c.code().eq_ignore_ascii_case(p.trim()));
                if p.is_none() {
                    r.err(&format!("{f}.profile"), "must be C1–C5");
                }
                p
            }
            Some(_) => {
                r.err(&format!("{f}.profile"), "must be C1–C5");
                None
            }
        };
        risk_levels.push(RiskLevelInfo {
            level,
            name: r.texts(t, "name", &format!("{f}.name")),
            meaning: r.texts(t, "meaning", &format!("{f}.meaning")),
            profile,
            profile_meaning: r.texts(t, "profile_meaning", &format!("{f}.profile_meaning")),
        });
    }
    let product_tables = tables(&root, "product", &mut r);
    let mut products = Vec::new();
    for (i, t) in product_tables.into_iter().enumerate() {
        let id = match t.get("id") {
            Some(Value::String(s)) => s.clone(),
            _ => format!("#{}", i + 1),
        };
        let mut r = Reader {
            item: format!("product '{id}'"),
            errors: r.errors,
        };
        if let Some(p) = read_product(&mut r, t, id) {
            products.push(p);
        }
    }
    if errors.is_empty() {
        Ok(Catalogue {
            example_content,
            bank,
            example_notice,
            disclaimer,
            risk_levels,
            products,
        })
    } else {
        Err(errors)
    }
}

fn read_product(r: &mut Reader<'_>, t: &Table, id: String) -> Option<Product> {
    r.only(t, "", &PRODUCT_FIELDS);
    let kind = match r.string(t, "kind", "kind").as_str() {
        "deposit" => Some(ProductKind::Deposit),
        "investment" => Some(ProductKind::Investment),
        "borrowing" => Some(ProductKind::Borrowing),
        "" => None,
        other => {
            r.err(
                "kind",
                format!("'{other}' is not deposit, investment or borrowing"),
            );
            None
        }
    };
    let names = match r.table(t, "names", "names") {
        Some(n) => {
            r.only(n, "names.", &["en", "zh"]);
            Names {
                en: r.list(n, "en", "names.en"),
                zh: r.list(n, "zh", "names.zh"),
            }
        }
        None => Names::default(),
    };
    let risk = r.table(t, "risk", "risk").map(|rt| {
        r.only(rt, "risk.", &["level", "explained"]);
        let level = match rt.get("level") {
            Some(Value::String(s)) => {
                let l = RiskLevel::from_code(s);
                if l.is_none() {
                    r.err("risk.level", format!("'{s}' is not R1–R5 or borrowing"));
                }
                l
            }
            _ => {
                r.err(
                    "risk.level",
                    "is missing (R1–R5, or \"borrowing\" for loans)",
                );
                None
            }
        };
        (level, r.texts(rt, "explained", "risk.explained"))
    });
    let example = r
        .table(t, "example", "example")
        .and_then(|e| read_example(r, e));
    let mut text = |key: &str| r.texts(t, key, key);
    let (name, summary, what_it_is, suits, not_for, returns, costs) = (
        text("name"),
        text("summary"),
        text("what_it_is"),
        text("suits"),
        text("not_for"),
        text("returns"),
        text("costs"),
    );
    let (get_it, get_out, misunderstanding, example_note) = (
        text("get_it"),
        text("get_out"),
        text("misunderstanding"),
        text("example_note"),
    );
    let (level, explained) = risk?;
    Some(Product {
        id,
        kind: kind?,
        name,
        names,
        summary,
        what_it_is,
        suits,
        not_for,
        returns,
        costs,
        risk: ProductRisk {
            level: level?,
            explained,
        },
        get_it,
        get_out,
        misunderstanding,
        example: example?,
        example_note,
    })
}

fn read_example(r: &mut Reader<'_>, e: &Table) -> Option<WorkedExample> {
    let kind = r.string(e, "kind", "example.kind");
    let f = |k: &str| format!("example.{k}");
    let allowed: &[&str] = match kind.as_str() {
        "deposit" => &["kind", "amount", "rate_pct", "months", "interest", "total"],
        "investment" => &[
            "kind",
            "basis",
            "amount",
            "rate_pct",
            "months",
            "interest",
            "total",
            "loss_pct",
            "value_after_loss",
        ],
        "loan" => &[
            "kind",
            "amount",
            "apr_pct",
            "months",
            "monthly_payment",
            "total_repayable",
            "total_interest",
        ],
        "daily" => &[
            "kind",
            "amount",
            "daily_rate_pct",
            "days",
            "interest",
            "annual_pct",
        ],
        _ => {
            r.err(
                "example.kind",
                format!("'{kind}' is not deposit, investment, loan or daily"),
            );
            return None;
        }
    };
    r.only(e, "example.", allowed);
    let amount = r.money(e, "amount", &f("amount"));
    Some(match kind.as_str() {
        "deposit" => WorkedExample::Deposit {
            amount,
            rate_pct: r.number(e, "rate_pct", &f("rate_pct")),
            months: r.count(e, "months", &f("months")),
            interest: r.money(e, "interest", &f("interest")),
            total: r.money(e, "total", &f("total")),
        },
        "investment" => WorkedExample::Investment {
            basis: match r.string(e, "basis", &f("basis")).as_str() {
                "yield" => RateBasis::Yield,
                "benchmark" => RateBasis::Benchmark,
                other => {
                    r.err(&f("basis"), format!("'{other}' is not yield or benchmark"));
                    RateBasis::Benchmark
                }
            },
            amount,
            rate_pct: r.number(e, "rate_pct", &f("rate_pct")),
            months: r.count(e, "months", &f("months")),
            interest: r.money(e, "interest", &f("interest")),
            total: r.money(e, "total", &f("total")),
            loss_pct: r.number(e, "loss_pct", &f("loss_pct")),
            value_after_loss: r.money(e, "value_after_loss", &f("value_after_loss")),
        },
        "loan" => WorkedExample::Loan {
            amount,
            apr_pct: r.number(e, "apr_pct", &f("apr_pct")),
            months: r.count(e, "months", &f("months")),
            monthly_payment: r.money(e, "monthly_payment", &f("monthly_payment")),
            total_repayable: r.money(e, "total_repayable", &f("total_repayable")),
            total_interest: r.money(e, "total_interest", &f("total_interest")),
        },
        _ => WorkedExample::Daily {
            amount,
            daily_rate_pct: r.number(e, "daily_rate_pct", &f("daily_rate_pct")),
            days: r.count(e, "days", &f("days")),
            interest: r.money(e, "interest", &f("interest")),
            annual_pct: r.number(e, "annual_pct", &f("annual_pct")),
        },
    })
}

/// Reads `glossary.toml`; `Glossary::validate` then checks its rules.
pub(crate) fn read_glossary(text: &str) -> Result<Glossary, Vec<CatalogueError>> {
    let root = parse_table(text, "glossary.toml")?;
    let mut errors = Vec::new();
    let mut r = Reader {
        item: "glossary".into(),
        errors: &mut errors,
    };
    r.only(&root, "", &["term"]);
    let mut terms = Vec::new();
    for (i, t) in tables(&root, "term", &mut r).into_iter().enumerate() {
        let id = match t.get("id") {
            Some(Value::String(s)) => s.clone(),
            _ => format!("#{}", i + 1),
        };
        let mut r = Reader {
            item: format!("term '{id}'"),
            errors: r.errors,
        };
        r.only(t, "", &["id", "en", "zh", "explain"]);
        terms.push(Term {
            en: r.list(t, "en", "en"),
            zh: r.list(t, "zh", "zh"),
            explain: r.texts(t, "explain", "explain"),
            id,
        });
    }
    if errors.is_empty() {
        Ok(Glossary { terms })
    } else {
        Err(errors)
    }
}

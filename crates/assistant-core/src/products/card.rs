//! A product card in one language, ready to render: summary first, the risk line, the worked example as
//! a short table, then the "tell me more" steps, and the notice and disclaimer.
//!
//! Why the core builds it: the honesty rules hold by construction. A [`ProductCard`] cannot be built
//! without its risk line, the "not advice" disclaimer and the example notice, and the sections that
//! show a return or a worked example carry the risk level with them (`risk_note`), so a return is
//! never shown without its risk, even in elder mode's one-section-at-a-time view.

use super::catalogue::{Catalogue, Product, ProductKind, RateBasis, RiskLevel, WorkedExample};
use super::money::{format_days, format_months, format_rate};
use crate::locale::Lang;
use serde::{Deserialize, Serialize};

/// Which part of a product a section or comparison row shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKey {
    Summary,
    Kind,
    WhatItIs,
    Suits,
    NotFor,
    Returns,
    Example,
    Costs,
    Risk,
    GetIt,
    GetOut,
    Misunderstanding,
}

impl SectionKey {
    /// The heading for this section.
    pub fn title(self, lang: Lang) -> &'static str {
        use SectionKey::*;
        let (en, zh) = match self {
            Summary => ("In short", "一句话说明"),
            Kind => ("Type", "类型"),
            WhatItIs => ("What it is", "这是什么"),
            Suits => ("Who it suits", "适合谁"),
            NotFor => ("Who it does not suit", "不适合谁"),
            Returns => ("What you get", "能得到什么"),
            Example => ("Worked example", "算一算"),
            Costs => ("What it costs", "要花多少钱"),
            Risk => ("Risk", "风险"),
            GetIt => ("How to get it", "怎么办理"),
            GetOut => ("How to get out of it", "怎么退出或提前取出"),
            Misunderstanding => ("Often misunderstood", "常见误解"),
        };
        match lang {
            Lang::En => en,
            Lang::ZhCn => zh,
        }
    }
}

/// The risk line every product view shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskLine {
    pub level: RiskLevel,
    /// "R2" or, for loans, "Borrowing"/"借款" — text, so the level never relies on an icon or colour.
    pub code: String,
    /// "Low to medium risk".
    pub name: String,
    /// One sentence on what the level means.
    pub meaning: String,
    /// "C2" (none for loans).
    pub profile: Option<String>,
    /// One sentence on who it suits (or what the bank checks, for loans).
    pub profile_meaning: String,
    /// One short line for beside a return: "Risk level R2 (low to medium). …".
    pub short: String,
}

/// The worked example as rows of label and value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExampleTable {
    pub rows: Vec<ExampleRow>,
    /// "Example rate, not today's rate …".
    pub note: String,
}

/// One row of a worked example: "Interest you get" | "¥130.00".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExampleRow {
    pub label: String,
    pub value: String,
}

/// One "tell me more" step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub key: SectionKey,
    pub title: String,
    pub body: String,
    /// For sections that show a return or an example: the risk line to show with it.
    pub risk_note: Option<String>,
}

/// Everything the UI shows for one product, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCard {
    pub id: String,
    pub lang: Lang,
    pub name: String,
    pub summary: String,
    pub risk: RiskLine,
    pub example: ExampleTable,
    /// Details in order, for "tell me more" (elder mode: one at a time).
    pub sections: Vec<Section>,
    /// "Example content …" (when the catalogue is the demo's).
    pub example_notice: Option<String>,
    /// "This is general information, not advice."
    pub disclaimer: String,
}

impl Catalogue {
    /// The card for product `id` in `lang`, or `None` for an unknown id.
    pub fn card(&self, id: &str, lang: Lang) -> Option<ProductCard> {
        let p = self.product(id)?;
        let risk = self.risk_line(p, lang);
        let short = risk.short.clone();
        let section = |key: SectionKey, body: &str, with_risk: bool| Section {
            key,
            title: key.title(lang).to_owned(),
            body: body.to_owned(),
            risk_note: with_risk.then(|| short.clone()),
        };
        let t = |x: &crate::answers::Texts| x.get(lang).to_owned();
        let example = example_table(p, lang);
        let example_body = example
            .rows
            .iter()
            .map(|r| match lang {
                Lang::En => format!("{}: {}", r.label, r.value),
                Lang::ZhCn => format!("{}：{}", r.label, r.value),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let sections = vec![
            section(SectionKey::WhatItIs, &t(&p.what_it_is), false),
            section(SectionKey::Returns, &t(&p.returns), true),
            section(SectionKey::Example, &example_body, true),
            section(SectionKey::Costs, &t(&p.costs), false),
            section(SectionKey::Risk, &t(&p.risk.explained), true),
            section(SectionKey::Suits, &t(&p.suits), false),
            section(SectionKey::NotFor, &t(&p.not_for), false),
            section(SectionKey::GetIt, &t(&p.get_it), false),
            section(SectionKey::GetOut, &t(&p.get_out), false),
            section(SectionKey::Misunderstanding, &t(&p.misunderstanding), false),
        ];
        Some(ProductCard {
            id: p.id.clone(),
            lang,
            name: t(&p.name),
            summary: t(&p.summary),
            risk,
            example,
            sections,
            example_notice: self
                .example_content
                .then(|| self.example_notice.get(lang).to_owned()),
            disclaimer: self.disclaimer.get(lang).to_owned(),
        })
    }

    /// The risk line for a product.
    pub fn risk_line(&self, p: &Product, lang: Lang) -> RiskLine {
        let level = p.risk.level;
        let info = self.risk_level(level);
        let get = |f: fn(&super::catalogue::RiskLevelInfo) -> &crate::answers::Texts| {
            info.map(|i| f(i).get(lang).to_owned()).unwrap_or_default()
        };
        let name = get(|i| &i.name);
        let code = match (level, lang) {
            (RiskLevel::Borrowing, Lang::En) => "Borrowing".to_owned(),
            (RiskLevel::Borrowing, Lang::ZhCn) => "借款".to_owned(),
            (l, _) => l.code().to_owned(),
        };
        let short = match (level, lang) {
            (RiskLevel::Borrowing, Lang::En) => {
                format!("Risk: {code}, {name}. {}", get(|i| &i.meaning))
            }
            (RiskLevel::Borrowing, Lang::ZhCn) => {
                format!("风险：{code}，{name}。{}", get(|i| &i.meaning))
            }
            (_, Lang::En) => format!("Risk level {code} ({name}). {}", get(|i| &i.meaning)),
            (_, Lang::ZhCn) => format!("风险等级{code}（{name}）。{}", get(|i| &i.meaning)),
        };
        RiskLine {
            level,
            code,
            name,
            meaning: get(|i| &i.meaning),
            profile: level.matching_profile().map(|c| c.code().to_owned()),
            profile_meaning: get(|i| &i.profile_meaning),
            short,
        }
    }
}

/// The worked example's rows: inputs, then results, with the rate labelled as an example.
pub fn example_table(p: &Product, lang: Lang) -> ExampleTable {
    let en = lang == Lang::En;
    let l = |e: &str, z: &str| if en { e.to_owned() } else { z.to_owned() };
    let per_year = |pct: f64| {
        if en {
            format!("{} a year", format_rate(pct))
        } else {
            format!("每年{}", format_rate(pct))
        }
    };
    let rows = match &p.example {
        WorkedExample::Deposit {
            amount,
            rate_pct,
            months,
            interest,
            total,
        } => vec![
            (l("You put in", "存入"), amount.format_short()),
            (l("For", "存期"), format_months(*months, lang)),
            (l("Example rate", "示例利率"), per_year(*rate_pct)),
            (l("Interest you get", "得到的利息"), interest.format()),
            (l("You get back", "到期共取回"), total.format()),
        ],
        WorkedExample::Investment {
            basis,
            amount,
            rate_pct,
            months,
            interest,
            total,
            loss_pct,
            value_after_loss,
        } => {
            let (rate_label, earn_label) = if *basis == RateBasis::Yield {
                (
                    l("Example yield (changes daily)", "示例收益率（每天会变）"),
                    l(
                        "If the yield stayed the same, you would earn about",
                        "如果收益率一直不变，大约能赚",
                    ),
                )
            } else {
                (
                    l(
                        "Example benchmark (not a promise)",
                        "示例业绩比较基准（不是承诺）",
                    ),
                    l(
                        "If it met the benchmark, you would earn",
                        "如果达到基准，能赚",
                    ),
                )
            };
            vec![
                (l("You put in", "投入"), amount.format_short()),
                (l("For", "期限"), format_months(*months, lang)),
                (rate_label, per_year(*rate_pct)),
                (earn_label, interest.format()),
                (l("Total", "合计"), total.format()),
                (
                    if en {
                        format!(
                            "But if its value fell by {}, you would have",
                            format_rate(*loss_pct)
                        )
                    } else {
                        format!("但如果净值下跌{}，您会只剩", format_rate(*loss_pct))
                    },
                    value_after_loss.format(),
                ),
            ]
        }
        WorkedExample::Loan {
            amount,
            apr_pct,
            months,
            monthly_payment,
            total_repayable,
            total_interest,
        } => vec![
            (l("You borrow", "借款"), amount.format_short()),
            (l("Over", "期限"), format_months(*months, lang)),
            (l("Example APR", "示例年化利率"), per_year(*apr_pct)),
            (
                l("Each month you pay", "每月还款"),
                monthly_payment.format(),
            ),
            (
                l("Total you pay back", "一共要还"),
                total_repayable.format(),
            ),
            (l("Of which interest", "其中利息"), total_interest.format()),
        ],
        WorkedExample::Daily {
            amount,
            daily_rate_pct,
            days,
            interest,
            annual_pct,
        } => vec![
            (
                l("Amount not paid back in time", "没按时还清的金额"),
                amount.format_short(),
            ),
            (l("For", "天数"), format_days(*days, lang)),
            (
                l("Example daily rate", "示例日利率"),
                if en {
                    format!(
                        "{} a day (about {} a year)",
                        format_rate(*daily_rate_pct),
                        format_rate(*annual_pct)
                    )
                } else {
                    format!(
                        "每天{}（约每年{}）",
                        format_rate(*daily_rate_pct),
                        format_rate(*annual_pct)
                    )
                },
            ),
            (l("Interest you pay", "要付的利息"), interest.format()),
        ],
    };
    ExampleTable {
        rows: rows
            .into_iter()
            .map(|(label, value)| ExampleRow { label, value })
            .collect(),
        note: p.example_note.get(lang).to_owned(),
    }
}

/// A short type label: "Deposit" / "存款".
pub fn kind_label(kind: ProductKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (ProductKind::Deposit, Lang::En) => "Deposit: the amount you put in does not go down",
        (ProductKind::Deposit, Lang::ZhCn) => "存款：本金不会减少",
        (ProductKind::Investment, Lang::En) => "Investment: its value can go down",
        (ProductKind::Investment, Lang::ZhCn) => "投资：价值可能下跌",
        (ProductKind::Borrowing, Lang::En) => "Borrowing: you pay it back with interest",
        (ProductKind::Borrowing, Lang::ZhCn) => "借款：要连本带息还",
    }
}

//! The product views' own words (headings, buttons, calculator labels) in English and Simplified
//! Chinese. Product texts themselves come from the catalogue (`public/kb/products.toml`).
//!
//! Why apart from `crate::i18n`: the product views are a separate, lazily used part of the widget;
//! keeping their strings here keeps `i18n.rs` (edited by everyone) free of merge conflicts.

use assistant_core::locale::Lang;

pub struct Words {
    pub tell_me_more: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    /// "{n}" and "{total}" are replaced.
    pub step_of: &'static str,
    pub example_caption: &'static str,
    pub risk_label: &'static str,
    pub next_steps: &'static str,
    pub talk_to_person: &'static str,
    pub more_on_site: &'static str,
    pub work_it_out: &'static str,
    pub deposit_calc: &'static str,
    pub loan_calc: &'static str,
    pub amount: &'static str,
    pub amount_hint: &'static str,
    pub rate_deposit: &'static str,
    pub rate_loan: &'static str,
    pub rate_hint: &'static str,
    pub term: &'static str,
    pub term_hint: &'static str,
    pub calculate: &'static str,
    pub result_note: &'static str,
    /// "{a}" and "{b}" are replaced.
    pub compare_intro: &'static str,
    pub compare_caption: &'static str,
    pub topic: &'static str,
    pub general_info: &'static str,
    pub term_means: &'static str,
}

const EN: Words = Words {
    tell_me_more: "Tell me more",
    previous: "Previous",
    next: "Next",
    step_of: "Part {n} of {total}",
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
    general_info: "This is general information, not advice.",
    term_means: "means",
};

const ZH: Words = Words {
    tell_me_more: "了解更多",
    previous: "上一部分",
    next: "下一部分",
    step_of: "第{n}部分，共{total}部分",
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
    general_info: "以上是一般信息，不构成建议。",
    term_means: "的意思是",
};

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::ZhCn => &ZH,
    }
}

//! The calculators as the UI uses them: text in (what the customer typed in each field), a result or a
//! friendly error that says which field is wrong, and a one-sentence summary of the result for the chat
//! transcript and screen readers.
//!
//! Why a separate layer: `calc` is pure arithmetic on checked numbers and `input` reads one field; the
//! UI needs both, per field, with the same wording everywhere.

use super::calc::{self, DepositResult, LoanResult};
use super::input::{InputError, parse_amount, parse_rate, parse_term};
use super::money::{format_months, format_rate};
use crate::locale::Lang;
use serde::{Deserialize, Serialize};

/// Which calculator field an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Amount,
    Rate,
    Term,
}

/// An input error, with the field it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    pub error: InputError,
}

impl FieldError {
    /// The friendly message to show next to the field.
    pub fn message(&self, lang: Lang) -> String {
        self.error.message(lang)
    }
}

fn on(field: Field) -> impl Fn(InputError) -> FieldError {
    move |error| FieldError { field, error }
}

/// Deposit interest from the three fields: amount ("1万"), yearly rate ("1.3%"), term ("1年").
pub fn deposit_from_text(
    amount: &str,
    rate: &str,
    term: &str,
    lang: Lang,
) -> Result<DepositResult, FieldError> {
    let a = parse_amount(amount, lang).map_err(on(Field::Amount))?;
    let r = parse_rate(rate, lang).map_err(on(Field::Rate))?;
    let t = parse_term(term, lang).map_err(on(Field::Term))?;
    calc::deposit_interest(a, r, t).map_err(on(Field::Amount))
}

/// Loan repayments (equal monthly instalments) from the three fields: amount, APR, term.
pub fn loan_from_text(
    amount: &str,
    apr: &str,
    term: &str,
    lang: Lang,
) -> Result<LoanResult, FieldError> {
    let a = parse_amount(amount, lang).map_err(on(Field::Amount))?;
    let r = parse_rate(apr, lang).map_err(on(Field::Rate))?;
    let t = parse_term(term, lang).map_err(on(Field::Term))?;
    calc::loan_annuity(a, r, t).map_err(on(Field::Amount))
}

/// "If you put in ¥10,000 for 1 year at 1.3% a year, you get ¥130.00 in interest, ¥10,130.00 in all."
pub fn describe_deposit(r: &DepositResult, rate_pct: f64, months: u32, lang: Lang) -> String {
    let (p, t, rate) = (
        r.principal.format_short(),
        format_months(months, lang),
        format_rate(rate_pct),
    );
    match lang {
        Lang::En => format!(
            "If you put in {p} for {t} at {rate} a year, you get {} in interest, {} in all.",
            r.interest.format(),
            r.total.format()
        ),
        Lang::ZhCn => format!(
            "存{p}，存{t}，年利率{rate}，利息{}，到期共{}。",
            r.interest.format(),
            r.total.format()
        ),
    }
}

/// "Borrowing ¥50,000 over 1 year at an APR of 6%, you pay ¥4,303.32 a month, ¥51,639.86 in all,
/// of which ¥1,639.86 is interest."
pub fn describe_loan(r: &LoanResult, apr_pct: f64, lang: Lang) -> String {
    let (p, t, rate) = (
        r.principal.format_short(),
        format_months(r.months, lang),
        format_rate(apr_pct),
    );
    let last = if r.last_payment != r.monthly_payment {
        match lang {
            Lang::En => format!(" (the last payment is {})", r.last_payment.format()),
            Lang::ZhCn => format!("（最后一期{}）", r.last_payment.format()),
        }
    } else {
        String::new()
    };
    match lang {
        Lang::En => format!(
            "Borrowing {p} over {t} at an APR of {rate}, you pay {} a month{last}. That is {} in all, of which {} is interest.",
            r.monthly_payment.format(),
            r.total_repayable.format(),
            r.total_interest.format()
        ),
        Lang::ZhCn => format!(
            "借{p}，分{t}还，年化利率{rate}，每月还{}{last}。一共还{}，其中利息{}。",
            r.monthly_payment.format(),
            r.total_repayable.format(),
            r.total_interest.format()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deposit_from_what_people_type() {
        let r = deposit_from_text("一万", "1.3%", "1年", Lang::ZhCn).unwrap();
        assert_eq!(r.interest.fen, 13_000);
        assert_eq!(
            describe_deposit(&r, 1.3, 12, Lang::En),
            "If you put in ¥10,000 for 1 year at 1.3% a year, you get ¥130.00 in interest, ¥10,130.00 in all."
        );
        assert_eq!(
            describe_deposit(&r, 1.3, 12, Lang::ZhCn),
            "存¥10,000，存1年，年利率1.3%，利息¥130.00，到期共¥10,130.00。"
        );
    }

    #[test]
    fn loan_from_what_people_type() {
        let r = loan_from_text("5万", "6", "12个月", Lang::ZhCn).unwrap();
        assert_eq!(r.monthly_payment.fen, 430_332);
        assert_eq!(
            describe_loan(&r, 6.0, Lang::En),
            "Borrowing ¥50,000 over 1 year at an APR of 6%, you pay ¥4,303.32 a month (the last payment is ¥4,303.34). That is ¥51,639.86 in all, of which ¥1,639.86 is interest."
        );
    }

    #[test]
    fn errors_name_the_field() {
        let e = loan_from_text("abc", "6", "12", Lang::En).unwrap_err();
        assert_eq!(e.field, Field::Amount);
        assert_eq!(e.error, InputError::NotANumber);
        let e = loan_from_text("1000", "六十", "12", Lang::En).unwrap_err();
        assert_eq!(e.field, Field::Rate);
        let e = loan_from_text("1000", "6", "40 years", Lang::En).unwrap_err();
        assert_eq!(e.field, Field::Term);
        assert_eq!(
            e.message(Lang::En),
            "Please enter a term of up to 30 years."
        );
        let e = deposit_from_text("-5", "1", "1", Lang::ZhCn).unwrap_err();
        assert_eq!(
            (e.field, e.message(Lang::ZhCn).as_str()),
            (Field::Amount, "请输入大于0的数，不要带负号。")
        );
    }
}

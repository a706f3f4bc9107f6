//! Small calculators for the product cards: deposit interest, loan repayments, credit-card interest.
//!
//! Why they live in the core: the worked examples in the product catalogue are checked against these
//! same functions (`catalogue` validation), so a number on a card can never disagree with what the
//! calculator shows for the same inputs.
//!
//! ## Conventions
//! - **Deposits** earn *simple* interest for the term: `I = P × rate × months / 12` (the way Chinese banks
//!   quote fixed deposits and certificates of deposit, paid at maturity). No compounding is modelled:
//!   none of the demo products compounds within its term.
//! - **Daily interest** (credit-card revolving balances): `I = P × daily rate × days`.
//! - **Loans** are repaid in equal monthly instalments (等额本息, an annuity):
//!   `M = P·r·(1+r)^n / ((1+r)^n − 1)` with `r = APR / 12` (nominal annual rate divided by twelve) and `n`
//!   months; when the rate is zero, `M = P / n`.
//! - **Equal principal** (等额本金), the other repayment method Chinese mortgages offer: each month repays
//!   `P / n` of the loan plus the interest on what is still owed, so payments shrink over time.
//!
//! ## Rounding
//! Every figure shown is rounded to the fen (¥0.01), **half away from zero**. Simple interest and each
//! month's loan interest are computed exactly in integers (fen × rate in millionths), so halves round
//! exactly. Only the annuity payment `M` needs powers and uses `f64`; its relative error (~1e-15) is far
//! below half a fen for the largest accepted loan (¥100,000,000). The loan schedule then works in fen:
//! each month the interest on the remaining balance is rounded to the fen, the rest of the payment
//! repays the balance, and the **last payment is adjusted** so the balance ends at exactly zero. The
//! total repayable is the sum of the payments actually made, so it always matches the schedule.

use super::input::{InputError, MAX_AMOUNT, MAX_DAILY_RATE_PCT, MAX_RATE_PCT, MAX_TERM_MONTHS};
use super::money::Money;
use serde::{Deserialize, Serialize};

/// Rates are used to a millionth of a percent point: 1.5% is 1_500_000 in these units.
const RATE_UNITS: i128 = 1_000_000;

/// What a deposit earns over its term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositResult {
    pub principal: Money,
    pub interest: Money,
    /// Principal plus interest at maturity.
    pub total: Money,
}

/// What a loan costs when repaid in equal monthly instalments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoanResult {
    pub principal: Money,
    pub months: u32,
    /// The first monthly payment (with equal instalments, every payment but the last).
    pub monthly_payment: Money,
    /// The final payment, adjusted by a few fen at most so the balance ends at zero.
    pub last_payment: Money,
    /// Sum of all payments.
    pub total_repayable: Money,
    /// `total_repayable − principal`.
    pub total_interest: Money,
}

/// One month of a loan schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleRow {
    pub month: u32,
    pub payment: Money,
    pub interest: Money,
    pub principal: Money,
    /// What is still owed after this payment.
    pub balance: Money,
}

/// Interest earned by `principal` at `rate_pct` percent a year for `months` months (simple interest,
/// paid at maturity).
pub fn deposit_interest(
    principal: Money,
    rate_pct: f64,
    months: u32,
) -> Result<DepositResult, InputError> {
    check_amount(principal)?;
    let rate = rate_units(rate_pct, MAX_RATE_PCT)?;
    check_months(months)?;
    let interest = div_round(
        principal.fen as i128 * rate * months as i128,
        100 * RATE_UNITS * 12,
    );
    Ok(DepositResult {
        principal,
        interest: Money::from_fen(interest),
        total: Money::from_fen(principal.fen + interest),
    })
}

/// Interest on `amount` at `daily_rate_pct` percent a day for `days` days (credit-card revolving
/// balances: 0.05% a day is 18.25% a year).
pub fn daily_interest(amount: Money, daily_rate_pct: f64, days: u32) -> Result<Money, InputError> {
    check_amount(amount)?;
    let rate = rate_units(daily_rate_pct, MAX_DAILY_RATE_PCT)?;
    if days == 0 {
        return Err(InputError::Zero);
    }
    if days > MAX_TERM_MONTHS / 12 * 365 {
        return Err(InputError::TermTooLong {
            max_months: MAX_TERM_MONTHS,
        });
    }
    Ok(Money::from_fen(div_round(
        amount.fen as i128 * rate * days as i128,
        100 * RATE_UNITS,
    )))
}

/// What `amount` is worth after its value falls by `fall_pct` percent (for investment examples:
/// "if the value fell 3%, ¥10,000 would be worth ¥9,700.00"). The fall is rounded to the fen.
pub fn value_after_fall(amount: Money, fall_pct: f64) -> Result<Money, InputError> {
    check_amount(amount)?;
    let rate = rate_units(fall_pct, 100.0)?;
    let fall = div_round(amount.fen as i128 * rate, 100 * RATE_UNITS);
    Ok(Money::from_fen(amount.fen - fall))
}

/// The yearly rate equivalent to a daily rate, without compounding (daily × 365), as banks state it.
pub fn daily_to_annual_pct(daily_rate_pct: f64) -> f64 {
    (daily_rate_pct * 365.0 * 1e6).round() / 1e6
}

/// Monthly payment and total cost of a loan of `principal` at `apr_pct` percent a year over `months`
/// months, repaid in equal monthly instalments. A zero rate is allowed (interest-free offers).
pub fn loan_annuity(principal: Money, apr_pct: f64, months: u32) -> Result<LoanResult, InputError> {
    let schedule = loan_schedule(principal, apr_pct, months)?;
    Ok(summarise(principal, months, &schedule))
}

/// The same loan repaid with equal principal (等额本金): `monthly_payment` is the first (largest)
/// payment and `last_payment` the smallest.
pub fn loan_equal_principal(
    principal: Money,
    apr_pct: f64,
    months: u32,
) -> Result<LoanResult, InputError> {
    let schedule = loan_schedule_equal_principal(principal, apr_pct, months)?;
    Ok(summarise(principal, months, &schedule))
}

/// The month-by-month schedule behind [`loan_equal_principal`]: each month repays `P / n` rounded to
/// the fen (the last month repays what is left) plus that month's interest, rounded to the fen.
pub fn loan_schedule_equal_principal(
    principal: Money,
    apr_pct: f64,
    months: u32,
) -> Result<Vec<ScheduleRow>, InputError> {
    check_amount(principal)?;
    let rate = rate_units(apr_pct, MAX_RATE_PCT)?;
    check_months(months)?;
    let part = div_round(principal.fen as i128, months as i128);
    let mut balance = principal.fen;
    let mut rows = Vec::with_capacity(months as usize);
    for month in 1..=months {
        let interest = div_round(balance as i128 * rate, 100 * RATE_UNITS * 12);
        let repaid = if month == months {
            balance
        } else {
            part.min(balance)
        };
        balance -= repaid;
        rows.push(ScheduleRow {
            month,
            payment: Money::from_fen(repaid + interest),
            interest: Money::from_fen(interest),
            principal: Money::from_fen(repaid),
            balance: Money::from_fen(balance),
        });
    }
    Ok(rows)
}

fn summarise(principal: Money, months: u32, schedule: &[ScheduleRow]) -> LoanResult {
    let total: i64 = schedule.iter().map(|r| r.payment.fen).sum();
    LoanResult {
        principal,
        months,
        monthly_payment: schedule[0].payment,
        last_payment: schedule[schedule.len() - 1].payment,
        total_repayable: Money::from_fen(total),
        total_interest: Money::from_fen(total - principal.fen),
    }
}

/// The month-by-month schedule behind [`loan_annuity`] (see the module's rounding rules).
pub fn loan_schedule(
    principal: Money,
    apr_pct: f64,
    months: u32,
) -> Result<Vec<ScheduleRow>, InputError> {
    check_amount(principal)?;
    let rate = rate_units(apr_pct, MAX_RATE_PCT)?;
    check_months(months)?;
    let payment = annuity_payment_fen(principal.fen, rate, months);
    let mut balance = principal.fen;
    let mut rows = Vec::with_capacity(months as usize);
    for month in 1..=months {
        let interest = div_round(balance as i128 * rate, 100 * RATE_UNITS * 12);
        let pay = if month == months {
            balance + interest
        } else {
            payment.min(balance + interest)
        };
        balance -= pay - interest;
        rows.push(ScheduleRow {
            month,
            payment: Money::from_fen(pay),
            interest: Money::from_fen(interest),
            principal: Money::from_fen(pay - interest),
            balance: Money::from_fen(balance),
        });
    }
    Ok(rows)
}

/// `M = P·r·(1+r)^n / ((1+r)^n − 1)` in fen, rounded half away from zero; `P / n` at a zero rate.
fn annuity_payment_fen(principal_fen: i64, rate_units: i128, months: u32) -> i64 {
    if rate_units == 0 {
        return div_round(principal_fen as i128, months as i128);
    }
    let r = rate_units as f64 / (100.0 * RATE_UNITS as f64 * 12.0);
    let growth = (1.0 + r).powi(months as i32);
    let m = principal_fen as f64 * r * growth / (growth - 1.0);
    m.round() as i64
}

/// `num / den` rounded half away from zero (`den > 0`).
fn div_round(num: i128, den: i128) -> i64 {
    let q = (num.abs() * 2 + den) / (den * 2);
    (if num < 0 { -q } else { q }) as i64
}

fn check_amount(m: Money) -> Result<(), InputError> {
    match m.fen {
        f if f < 0 => Err(InputError::Negative),
        0 => Err(InputError::Zero),
        f if f > MAX_AMOUNT.fen => Err(InputError::TooLarge { max: MAX_AMOUNT }),
        _ => Ok(()),
    }
}

fn check_months(months: u32) -> Result<(), InputError> {
    match months {
        0 => Err(InputError::Zero),
        m if m > MAX_TERM_MONTHS => Err(InputError::TermTooLong {
            max_months: MAX_TERM_MONTHS,
        }),
        _ => Ok(()),
    }
}

/// A percentage in millionths of a percent point, checked to be in `0..=max`.
fn rate_units(pct: f64, max: f64) -> Result<i128, InputError> {
    if !pct.is_finite() {
        return Err(InputError::NotANumber);
    }
    if pct < 0.0 {
        return Err(InputError::Negative);
    }
    if pct > max {
        return Err(InputError::RateTooHigh { max_pct: max });
    }
    Ok((pct * RATE_UNITS as f64).round() as i128)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan(y: i64) -> Money {
        Money::from_fen(y * 100)
    }

    #[test]
    fn deposit_worked_examples() {
        // ¥10,000 for 1 year at 1.5%: 10000 × 0.015 × 12/12 = ¥150.00.
        let r = deposit_interest(yuan(10_000), 1.5, 12).unwrap();
        assert_eq!(r.interest, Money::from_fen(15_000));
        assert_eq!(r.total, Money::from_fen(1_015_000));
        // ¥50,000 for 3 months at 1.1%: 50000 × 0.011 × 3/12 = ¥137.50.
        let r = deposit_interest(yuan(50_000), 1.1, 3).unwrap();
        assert_eq!(r.interest.fen, 13_750);
        // ¥200,000 for 3 years at 1.75%: 200000 × 0.0175 × 3 = ¥10,500.00.
        assert_eq!(
            deposit_interest(yuan(200_000), 1.75, 36)
                .unwrap()
                .interest
                .fen,
            1_050_000
        );
        // Halves round away from zero, exactly: ¥1.00 at 1.5% for 4 months is 0.5 fen → 1 fen.
        assert_eq!(
            deposit_interest(Money::from_fen(100), 1.5, 4)
                .unwrap()
                .interest
                .fen,
            1
        );
        // … and just below a half rounds down: ¥0.99 → 0.495 fen → 0 fen.
        assert_eq!(
            deposit_interest(Money::from_fen(99), 1.5, 4)
                .unwrap()
                .interest
                .fen,
            0
        );
    }

    #[test]
    fn published_mortgage_example() {
        // The standard amortisation formula's textbook example (Wikipedia, "Mortgage calculator"):
        // $200,000 at 6.5% a year for 30 years → $1,264.14 a month.
        let r = loan_annuity(yuan(200_000), 6.5, 360).unwrap();
        assert_eq!(r.monthly_payment.fen, 126_414);
        // The last payment absorbs the rounding of 360 months; checked independently with Python's
        // `decimal` (ROUND_HALF_UP on each month's interest): ¥1,259.56, total ¥455,085.82.
        assert_eq!(r.last_payment.fen, 125_956);
        assert_eq!(r.total_repayable.fen, 45_508_582);
        assert_eq!(
            r.total_repayable.fen,
            126_414 * 359 + r.last_payment.fen,
            "the total is the sum of the payments"
        );
        // Widely published Chinese 等额本息 example: ¥1,000,000, 4.9%, 30 years → ¥5,307.27 a month.
        let r = loan_annuity(yuan(1_000_000), 4.9, 360).unwrap();
        assert_eq!(r.monthly_payment.fen, 530_727);
    }

    #[test]
    fn consumer_loan_computed_independently() {
        // ¥50,000 at 6% APR over 12 months. By hand with the formula: r = 0.005,
        // (1.005)^12 = 1.0616778118645, M = 50000 × 0.005 × 1.0616778 / 0.0616778 = 4303.3215 → ¥4,303.32.
        let r = loan_annuity(yuan(50_000), 6.0, 12).unwrap();
        assert_eq!(r.monthly_payment.fen, 430_332);
        // The schedule (interest rounded monthly; checked with Python's `decimal`) ends with a payment
        // of ¥4,303.34; total ¥51,639.86.
        assert_eq!(r.last_payment.fen, 430_334);
        assert_eq!(r.total_repayable.fen, 5_163_986);
        assert_eq!(r.total_interest.fen, 163_986);
        let s = loan_schedule(yuan(50_000), 6.0, 12).unwrap();
        assert_eq!(s[0].interest.fen, 25_000, "first month: 50000 × 0.5%");
        assert_eq!(s.last().unwrap().balance.fen, 0);
    }

    #[test]
    fn equal_principal_published_example() {
        // Widely published 等额本金 example: ¥1,000,000, 4.9%, 30 years → first month ¥6,861.11
        // (1,000,000 / 360 + 1,000,000 × 4.9% / 12). The closed form for total interest,
        // P × r × (n + 1) / 2 = ¥737,041.67, ignores monthly rounding; the rounded schedule, checked
        // with Python's `decimal`, gives ¥737,041.08 and a last payment of ¥2,788.32.
        let r = loan_equal_principal(yuan(1_000_000), 4.9, 360).unwrap();
        assert_eq!(r.monthly_payment.fen, 686_111);
        assert_eq!(r.last_payment.fen, 278_832);
        assert_eq!(r.total_interest.fen, 73_704_108);
        assert!((r.total_interest.fen - 73_704_167).abs() < 100);
        let s = loan_schedule_equal_principal(yuan(1_000_000), 4.9, 360).unwrap();
        assert_eq!(s[1].payment.fen, 684_977);
        assert_eq!(s.last().unwrap().balance.fen, 0);
        // Equal principal costs less interest than equal instalments on the same loan.
        assert!(
            r.total_interest
                < loan_annuity(yuan(1_000_000), 4.9, 360)
                    .unwrap()
                    .total_interest
        );
    }

    #[test]
    fn zero_rate_loan_splits_the_principal() {
        let r = loan_annuity(yuan(1_000), 0.0, 3).unwrap();
        assert_eq!(r.monthly_payment.fen, 33_333);
        assert_eq!(r.last_payment.fen, 33_334);
        assert_eq!(r.total_repayable, yuan(1_000));
        assert_eq!(r.total_interest.fen, 0);
    }

    #[test]
    fn credit_card_daily_interest() {
        // ¥1,000 unpaid for 30 days at 0.05% a day: 1000 × 0.0005 × 30 = ¥15.00.
        assert_eq!(daily_interest(yuan(1_000), 0.05, 30).unwrap().fen, 1_500);
        assert_eq!(daily_to_annual_pct(0.05), 18.25);
    }

    #[test]
    fn fall_in_value() {
        assert_eq!(value_after_fall(yuan(10_000), 3.0).unwrap(), yuan(9_700));
        assert!(value_after_fall(yuan(10_000), 101.0).is_err());
    }

    #[test]
    fn bad_inputs_are_refused() {
        assert_eq!(
            deposit_interest(yuan(0), 1.5, 12).unwrap_err(),
            InputError::Zero
        );
        assert_eq!(
            deposit_interest(yuan(-5), 1.5, 12).unwrap_err(),
            InputError::Negative
        );
        assert!(matches!(
            loan_annuity(yuan(200_000_000), 3.0, 12).unwrap_err(),
            InputError::TooLarge { .. }
        ));
        assert!(matches!(
            loan_annuity(yuan(10_000), 3.0, 361).unwrap_err(),
            InputError::TermTooLong { .. }
        ));
        assert!(matches!(
            loan_annuity(yuan(10_000), 50.0, 12).unwrap_err(),
            InputError::RateTooHigh { .. }
        ));
        assert_eq!(
            loan_annuity(yuan(10_000), f64::NAN, 12).unwrap_err(),
            InputError::NotANumber
        );
        assert_eq!(
            loan_annuity(yuan(10_000), 3.0, 0).unwrap_err(),
            InputError::Zero
        );
    }
}

//! The fixed intent taxonomy (DESIGN.md). Other code, the knowledge base and tests rely on these exact
//! labels, so they live in one place. The model adds one more class, [`OUT_OF_SCOPE`], for questions that
//! are not about banking at all: those go to the server instead of being answered from the knowledge base.

/// The 77 BANKING77 labels, verbatim (including `Refund_not_showing_up` and `reverted_card_payment?`).
pub const BANKING77: [&str; 77] = [
    "card_arrival",
    "card_linking",
    "exchange_rate",
    "card_payment_wrong_exchange_rate",
    "extra_charge_on_statement",
    "pending_cash_withdrawal",
    "fiat_currency_support",
    "card_delivery_estimate",
    "automatic_top_up",
    "card_not_working",
    "exchange_via_app",
    "lost_or_stolen_card",
    "age_limit",
    "pin_blocked",
    "contactless_not_working",
    "top_up_by_bank_transfer_charge",
    "pending_top_up",
    "cancel_transfer",
    "top_up_limits",
    "wrong_amount_of_cash_received",
    "card_payment_fee_charged",
    "transfer_not_received_by_recipient",
    "supported_cards_and_currencies",
    "getting_virtual_card",
    "card_acceptance",
    "top_up_reverted",
    "balance_not_updated_after_cheque_or_cash_deposit",
    "card_payment_not_recognised",
    "edit_personal_details",
    "why_verify_identity",
    "unable_to_verify_identity",
    "get_physical_card",
    "visa_or_mastercard",
    "topping_up_by_card",
    "disposable_card_limits",
    "compromised_card",
    "atm_support",
    "direct_debit_payment_not_recognised",
    "passcode_forgotten",
    "declined_cash_withdrawal",
    "pending_card_payment",
    "lost_or_stolen_phone",
    "request_refund",
    "declined_transfer",
    "Refund_not_showing_up",
    "declined_card_payment",
    "pending_transfer",
    "terminate_account",
    "card_swallowed",
    "transaction_charged_twice",
    "verify_source_of_funds",
    "transfer_timing",
    "reverted_card_payment?",
    "change_pin",
    "beneficiary_not_allowed",
    "transfer_fee_charged",
    "receiving_money",
    "failed_transfer",
    "transfer_into_account",
    "verify_top_up",
    "getting_spare_card",
    "top_up_by_cash_or_cheque",
    "order_physical_card",
    "virtual_card_not_working",
    "wrong_exchange_rate_for_cash_withdrawal",
    "get_disposable_virtual_card",
    "top_up_failed",
    "balance_not_updated_after_bank_transfer",
    "cash_withdrawal_not_recognised",
    "exchange_charge",
    "top_up_by_card_charge",
    "activate_my_card",
    "cash_withdrawal_charge",
    "card_about_to_expire",
    "apple_pay_or_google_pay",
    "verify_my_identity",
    "country_support",
];

/// Conversational intents.
pub const CONVERSATIONAL: [&str; 5] = ["greeting", "goodbye", "thanks", "human_agent", "complaint"];

/// Bank products, explained in plain language.
pub const PRODUCTS: [&str; 9] = [
    "product_savings_account",
    "product_fixed_deposit",
    "product_certificate_of_deposit",
    "product_wealth_management",
    "product_money_market_fund",
    "product_consumer_loan",
    "product_mortgage",
    "product_credit_card",
    "product_sme_loan",
];

/// Topics a real bank gets that BANKING77 (a neobank's list) lacks: how to reach us, logging in, limits,
/// opening an account, statements, branches, and a customer being steered by a fraudster.
pub const BANK_SERVICES: [&str; 7] = [
    "contact_bank",
    "cannot_log_in",
    "transfer_limits",
    "open_account",
    "account_statement",
    "branch_hours",
    "scam_warning",
];

/// A customer being steered by a fraudster ("move your money to a safe account"): warned at once and
/// offered a person, first in the agents' queue.
pub const SCAM_WARNING: &str = "scam_warning";

/// The extra class the model is trained with; never answered from the knowledge base.
pub const OUT_OF_SCOPE: &str = "out_of_scope";
/// A customer asking for a person.
pub const HUMAN_AGENT: &str = "human_agent";
/// A customer complaining.
pub const COMPLAINT: &str = "complaint";

/// Number of in-scope intents (77 + 5 + 9 + 7).
pub const INTENT_COUNT: usize =
    BANKING77.len() + CONVERSATIONAL.len() + PRODUCTS.len() + BANK_SERVICES.len();

/// Every in-scope intent label, in taxonomy order.
pub fn intents() -> impl Iterator<Item = &'static str> {
    BANKING77
        .iter()
        .chain(CONVERSATIONAL.iter())
        .chain(PRODUCTS.iter())
        .chain(BANK_SERVICES.iter())
        .copied()
}

/// Whether `label` is one of the in-scope intents.
pub fn is_intent(label: &str) -> bool {
    intents().any(|l| l == label)
}

/// Whether the intent comes from BANKING77 (its English training phrases come from that dataset).
pub fn is_banking77(label: &str) -> bool {
    BANKING77.contains(&label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxonomy_has_98_unique_intents() {
        let mut all: Vec<_> = intents().collect();
        assert_eq!(all.len(), 98);
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 98, "labels must be unique");
        assert!(!is_intent(OUT_OF_SCOPE));
        assert!(is_intent("reverted_card_payment?") && is_intent("Refund_not_showing_up"));
    }
}

"""Training data: the knowledge base's phrases, BANKING77's training split, CLINC150's training/validation
splits. Test splits are only ever written out for evaluation, never trained or tuned on."""
import csv, json, random, re, tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
OOS = "out_of_scope"

# CLINC150 intents that a bank's assistant should handle (its "banking" and "credit cards" domains, plus
# money topics from other domains). They are neither negatives nor positives: left out entirely.
CLINC_BANKING = {
    "transfer", "transactions", "balance", "freeze_account", "pay_bill", "bill_balance", "bill_due",
    "interest_rate", "routing", "min_payment", "order_checks", "pin_change", "report_fraud", "account_blocked",
    "spending_history", "credit_score", "report_lost_card", "credit_limit", "rewards_balance", "new_card",
    "application_status", "card_declined", "international_fees", "apr", "redeem_rewards", "credit_limit_change",
    "damaged_card", "replacement_card_duration", "improve_credit_score", "expiration_date", "exchange_rate",
    "direct_deposit", "payday", "income", "taxes", "w2", "rollover_401k", "insurance", "insurance_change",
}
# CLINC150 intents used as out-of-scope negatives would otherwise teach banking words as out of scope
# ("convert pounds to kilos" sent "What rate do you use when converting pounds to euros?" to the server).
# Left out entirely: intents that are a bank's topic or are mostly about currency-like words.
CLINC_COLLIDING = {
    "travel_notification",     # "my bank needs to know I am going out of the country": a card travel notice
    "measurement_conversion",  # "how do you convert pounds to grams": pounds, convert
}
# Every other negative (and CLINC's oos_train) is dropped when it names a banking/money word
# (~140 of ~10,800 texts: "directions to my bank", "a reminder to pay the bills", "carry-on fees",
# "socket converter", "speech rate", "paid time off", …).
BANKING_WORDS = re.compile(
    r"\b(banks?|banking|accounts?|cards?|credit|debit|money|cash|pay|paid|paying|payments?|bills?|tax|taxes|"
    r"fees?|charged?|charges|rates?|exchange|currency|currencies|pounds?|euros?|dollars?|usd|gbp|eur|yen|"
    r"transfers?|atm|loans?|mortgage|interest|balance|refund|deposit|withdraw\w*|pin|password|passcode|"
    r"statements?|branch|scam\w*|fraud|convert\w*|cost|costs|price|salary|wire)\b", re.I)
# CLINC150 intents that are our conversational intents.
CLINC_TO_OURS = {"greeting": "greeting", "goodbye": "goodbye", "thank_you": "thanks"}


def is_chinese(text):
    """True for text with a Han character (our Chinese phrases; used to oversample them)."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def load_kb(kb=None):
    """The intents and out-of-scope phrases of the knowledge base `kb` (default: this repo's public/kb)."""
    kb = Path(kb) if kb else ROOT / "public/kb"
    intents = []
    for f in sorted((kb / "intents").glob("*.toml")):
        intents += tomllib.loads(f.read_text())["intent"]
    oos = tomllib.loads((kb / "out_of_scope.toml").read_text())["out_of_scope"]
    return intents, oos


def read_csv(path):
    with open(path, newline="") as f:
        return [(r["text"], r["category"]) for r in csv.DictReader(f)]


def split(items, frac, rng):
    items = list(items)
    rng.shuffle(items)
    k = max(1, round(len(items) * frac))
    return items[k:], items[:k]


def build_quick(seed, kb=None):
    """The knowledge base's own phrases only (no BANKING77, no CLINC150, no shared data needed): for the
    improvement loop's test (`train.py --quick`), which checks that a reviewed patch of training phrases
    reaches the browser's model, not how good the model is. 10% of each intent's phrases and 20% of the
    out-of-scope phrases are kept for choosing the thresholds; there are no evaluation sets."""
    rng = random.Random(seed)
    intents, oos = load_kb(kb)
    train, dev_in = [], []
    for i in intents:
        p = i["phrases"]
        fit, dev = split(p.get("en", []) + p.get("zh", []), 0.1, rng)
        train += [(t, i["label"]) for t in fit + p.get("zh_train", [])]
        dev_in += [(t, i["label"]) for t in dev]
    fit, dev_oos = split(oos.get("en", []) + oos.get("zh", []), 0.2, rng)
    train += [(t, OOS) for t in fit + oos.get("zh_train", [])]
    rng.shuffle(train)
    return {"labels": [i["label"] for i in intents] + [OOS], "train": train, "dev_in": dev_in,
            "dev_oos": [(t, OOS) for t in dev_oos], "eval": {}}


def build(seed):
    """Returns dict of named (text, label) lists: train, dev_in, dev_oos, and the eval sets."""
    rng = random.Random(seed)
    intents, oos = load_kb()
    labels = [i["label"] for i in intents]
    train, dev_in, zh_heldout = [], [], []

    # Our Chinese phrases (`phrases.zh`): 20% held out for reporting, 10% of the rest for tuning.
    for i in intents:
        rest, held = split(i["phrases"]["zh"], 0.2, rng)
        fit, dev = split(rest, 0.1, rng)
        train += [(t, i["label"]) for t in fit]
        dev_in += [(t, i["label"]) for t in dev]
        zh_heldout += [(t, i["label"]) for t in held]
        # Training-only phrases: never held out, and added without touching `rng`, so they leave the
        # held-out and dev draws above exactly as they were.
        train += [(t, i["label"]) for t in i["phrases"].get("zh_train", [])]
        train += [(t, i["label"]) for t in i["phrases"].get("en", [])]

    # BANKING77 train: 10% stratified dev for calibration and thresholds.
    by_label = {}
    for t, c in read_csv(DATA / "banking77/train.csv"):
        by_label.setdefault(c, []).append(t)
    for c, texts in sorted(by_label.items()):
        fit, dev = split(texts, 0.1, rng)
        train += [(t, c) for t in fit]
        dev_in += [(t, c) for t in dev]

    clinc = json.loads((DATA / "clinc150/data_full.json").read_text())
    neg_per_intent = 40
    per = {}
    for t, c in clinc["train"]:
        per.setdefault(c, []).append(t)
    for c, texts in sorted(per.items()):
        if c in CLINC_TO_OURS:
            train += [(t, CLINC_TO_OURS[c]) for t in texts]
        elif c not in CLINC_BANKING and c not in CLINC_COLLIDING:
            texts = [t for t in texts if not BANKING_WORDS.search(t)]
            rng.shuffle(texts)
            train += [(t, OOS) for t in texts[:neg_per_intent]]
    train += [(t, OOS) for t, _ in clinc["oos_train"] if not BANKING_WORDS.search(t)]

    zh_oos_fit, zh_oos_held = split(oos["zh"], 0.2, rng)
    train += [(t, OOS) for t in zh_oos_fit + oos.get("zh_train", []) + oos["en"]]

    dev_oos = [(t, OOS) for t, _ in clinc["oos_val"]]
    rng.shuffle(train)
    return {
        "labels": labels + [OOS],
        "train": train,
        "dev_in": dev_in,
        "dev_oos": dev_oos,
        "eval": {
            "banking77_test": read_csv(DATA / "banking77/test.csv"),
            "zh_heldout": zh_heldout,
            "zh_oos_heldout": [(t, OOS) for t in zh_oos_held],
            "clinc_oos_test": [(t, OOS) for t, _ in clinc["oos_test"]],
        },
    }

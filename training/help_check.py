#!/usr/bin/env python3
"""Check the help-centre corpus (public/kb/help/*.toml) and its evaluation set (public/kb/help/eval/*.csv).

Standard library only. Prints counts; prints every mistake with its file and article; exits 1 on any.
Rules: ../public/kb/help/README.md.
"""
import csv
import re
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELP = ROOT / "public" / "kb" / "help"
INTENTS = ROOT / "public" / "kb" / "intents"
TAXONOMY = ROOT / "crates" / "assistant-core" / "src" / "taxonomy.rs"

EN_MAX_WORDS = 20
ZH_MAX_CHARS = 40
MIN_PER_LANG = {"corpus": 200, "intent": 40, "none": 40}
ASKS_MIN, ASKS_MAX = 5, 15  # customer phrasings per article and language
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
EN_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
ZH_SPLIT = re.compile(r"(?<=[。！？；])|\n+")
# A figure that needs "example": a percentage or an amount of money.
FIGURE = re.compile(r"\d\s*%|[¥$€£]\s*\d|\d\s*(元|块|yuan)")
EXAMPLE_EN = re.compile(r"\bexample\b|\be\.g\.", re.I)
EXAMPLE_ZH = re.compile(r"示例|例如|举例|比如")

errors = []


def err(msg):
    errors.append(msg)


def en_sentences(text):
    return [s.strip() for s in EN_SPLIT.split(text) if s.strip()]


def zh_sentences(text):
    return [s.strip() for s in ZH_SPLIT.split(text) if s.strip()]


def zh_len(sentence):
    # Characters that count: CJK, letters and digits; an English word or number counts as one.
    s = re.sub(r"[A-Za-z0-9.,:/+@-]+", "A", sentence)
    return len(re.sub(r"[\s，。！？；：、“”‘’（）()《》「」\"'…—·→]", "", s))


def check_text(where, value):
    if not isinstance(value, dict):
        err(f"{where}: must be a table {{ en = …, zh = … }}")
        return
    for lang in ("en", "zh"):
        if not isinstance(value.get(lang), str) or not value[lang].strip():
            err(f"{where}.{lang}: is missing or empty")
    extra = set(value) - {"en", "zh"}
    if extra:
        err(f"{where}: unknown keys {sorted(extra)}")
    en, zh = value.get("en", ""), value.get("zh", "")
    if isinstance(en, str):
        for s in en_sentences(en):
            n = len(s.split())
            if n > EN_MAX_WORDS:
                err(f"{where}.en: sentence of {n} words (max {EN_MAX_WORDS}): {s!r}")
        if FIGURE.search(en) and not EXAMPLE_EN.search(en):
            err(f"{where}.en: a figure without 'example': {en!r}")
        if re.search(r"[\u4e00-\u9fff]", en):
            err(f"{where}.en: contains Chinese")
    if isinstance(zh, str):
        for s in zh_sentences(zh):
            n = zh_len(s)
            if n > ZH_MAX_CHARS:
                err(f"{where}.zh: sentence of {n} characters (max {ZH_MAX_CHARS}): {s!r}")
        if FIGURE.search(zh) and not EXAMPLE_ZH.search(zh):
            err(f"{where}.zh: a figure without 示例/例如: {zh!r}")
        if zh.strip() and not re.search(r"[\u4e00-\u9fff]", zh):
            err(f"{where}.zh: has no Chinese")


def norm(text):
    return re.sub(r"[\W_]+", "", text.lower())


TITLES = {}  # normalised title -> article id, both languages
ASKS = {}  # normalised ask -> (article id, the ask as written)
ASK_COUNTS = defaultdict(Counter)  # topic -> Counter(lang -> asks)
# Common characters that only Traditional Chinese writes this way (a rough count for the report).
TRADITIONAL = set("們這裡說話問題帳號賬戶轉錢銀開過還會麼為嗎個該應辦證時間輸碼處續費額點鐘從後來與對當發變網實請擔護媽導閱讀難聽見絡聯繫關換幫給讓機鎖將員揚盜裝綁認權約刪鈔兩閉貸摺險驗風頭體屬臨邊種類據產現壞區單錯誤憑劃測試結歲萬銷簡訊誰記協礙沒譯")


def check_asks(where, aid, topic, asks):
    """`asks`: how customers type a question this article answers, { en = [...], zh = [...] }."""
    if asks is None:
        err(f"{where}: asks is missing")
        return
    if not isinstance(asks, dict):
        err(f"{where}: asks must be a table {{ en = [...], zh = [...] }}")
        return
    extra = set(asks) - {"en", "zh"}
    if extra:
        err(f"{where}: asks: unknown keys {sorted(extra)}")
    seen = set()
    for lang in ("en", "zh"):
        items = asks.get(lang)
        if not isinstance(items, list):
            err(f"{where}: asks.{lang}: is missing or not a list")
            continue
        if not ASKS_MIN <= len(items) <= ASKS_MAX:
            err(f"{where}: asks.{lang}: has {len(items)} asks ({ASKS_MIN}–{ASKS_MAX})")
        for ask in items:
            if not isinstance(ask, str) or not ask.strip():
                err(f"{where}: asks.{lang}: an ask is empty or not a string")
                continue
            ASK_COUNTS[topic][lang] += 1
            key = norm(ask)
            if not key:
                err(f"{where}: asks.{lang}: {ask!r} has no letters")
                continue
            if key in seen:
                err(f"{where}: asks.{lang}: duplicate ask {ask!r}")
                continue
            seen.add(key)
            if key in ASKS and ASKS[key][0] != aid:
                err(f"{where}: asks.{lang}: {ask!r} is also an ask of article {ASKS[key][0]}")
                continue
            ASKS[key] = (aid, ask)
            if FIGURE.search(ask):
                err(f"{where}: asks.{lang}: no figures in asks: {ask!r}")
            has_zh = re.search(r"[\u4e00-\u9fff]", ask)
            if lang == "en" and has_zh:
                err(f"{where}: asks.en: contains Chinese: {ask!r}")
            if lang == "zh" and not has_zh:
                err(f"{where}: asks.zh: has no Chinese: {ask!r}")
            if lang == "zh" and TRADITIONAL & set(ask):
                ASK_COUNTS[topic]["zh traditional"] += 1


def check_asks_against(eval_texts):
    """An ask must not be an evaluation question (nor another article's title): it would leak the answer.
    Only the ask and its article are printed, never the evaluation row."""
    for key, (aid, ask) in ASKS.items():
        if key in eval_texts:
            err(f"article {aid}: ask {ask!r} equals an evaluation question; rewrite it (do not read eval/)")
        if key in TITLES and TITLES[key] != aid:
            err(f"article {aid}: ask {ask!r} is the title of article {TITLES[key]}")


def load_corpus():
    articles = {}
    per_topic = Counter()
    sections = 0
    files = sorted(HELP.glob("*.toml"))
    if not files:
        err(f"{HELP}: no .toml files")
    for path in files:
        name = path.relative_to(ROOT)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            err(f"{name}: TOML error: {e}")
            continue
        if not path.read_text(encoding="utf-8").lstrip().startswith("#"):
            err(f"{name}: must start with a header comment")
        if set(data) - {"article"}:
            err(f"{name}: unknown top-level keys {sorted(set(data) - {'article'})}")
        for i, art in enumerate(data.get("article", [])):
            aid = art.get("id")
            where = f"{name}: article {aid or '#' + str(i + 1)}"
            if not isinstance(aid, str) or not ID_RE.match(aid):
                err(f"{where}: id must be kebab-case")
            elif aid in articles:
                err(f"{where}: duplicate id (also in {articles[aid]})")
            else:
                articles[aid] = name
            if art.get("topic") != path.stem:
                err(f"{where}: topic {art.get('topic')!r} must be the file name {path.stem!r}")
            extra = set(art) - {"id", "topic", "title", "answer", "asks", "section"}
            if extra:
                err(f"{where}: unknown keys {sorted(extra)}")
            if isinstance(art.get("title"), dict):
                for lang in ("en", "zh"):
                    if isinstance(art["title"].get(lang), str):
                        TITLES[norm(art["title"][lang])] = aid
            for key in ("title", "answer"):
                if key not in art:
                    err(f"{where}: {key} is missing")
                else:
                    check_text(f"{where}: {key}", art[key])
            check_asks(where, aid, path.stem, art.get("asks"))
            secs = art.get("section", [])
            if not 1 <= len(secs) <= 4:
                err(f"{where}: has {len(secs)} sections (1–4)")
            for j, sec in enumerate(secs):
                for key in ("heading", "text"):
                    if key not in sec:
                        err(f"{where}: section {j + 1}: {key} is missing")
                    else:
                        check_text(f"{where}: section {j + 1}: {key}", sec[key])
                if set(sec) - {"heading", "text"}:
                    err(f"{where}: section {j + 1}: unknown keys {sorted(set(sec) - {'heading', 'text'})}")
            sections += len(secs)
            per_topic[path.stem] += 1
    return articles, per_topic, sections


KB_LABELS = set()  # labels with an entry in public/kb/intents


def check_asks_against_intents():
    """An ask must not be, word for word, a training phrase of an intent: the same question would point at
    two answers, and the server could only pick one by chance. The intent keeps it (the browser learns
    from it); rewrite the ask with what makes the article the better answer, or drop it."""
    phrases = {}
    for path in INTENTS.glob("*.toml"):
        for intent in tomllib.loads(path.read_text(encoding="utf-8")).get("intent", []):
            for key in ("en", "zh", "zh_train"):
                for phrase in intent.get("phrases", {}).get(key, []):
                    phrases[norm(phrase)] = intent["label"]
    for key, (aid, ask) in ASKS.items():
        if key in phrases:
            err(f"article {aid}: ask {ask!r} is a phrase of intent {phrases[key]}")


def intent_labels():
    for path in INTENTS.glob("*.toml"):
        for intent in tomllib.loads(path.read_text(encoding="utf-8")).get("intent", []):
            KB_LABELS.add(intent["label"])
    labels = set(KB_LABELS)
    # The fixed taxonomy also holds labels whose KB entries may not be written yet.
    if TAXONOMY.exists():
        labels |= set(re.findall(r'^\s*"([A-Za-z_?]+)",\s*$', TAXONOMY.read_text(encoding="utf-8"), re.M))
    return labels


USED_LABELS = set()


EVAL_TEXTS = set()  # normalised questions of dev.csv and test.csv, for check_asks_against only


def check_eval(articles, labels):
    texts = {}
    report = {}
    for stem in ("dev", "test"):
        if not (HELP / "eval" / f"{stem}.csv").exists():
            err(f"eval/{stem}.csv: is missing")
    for path in sorted((HELP / "eval").glob("*.csv")):
        name = path.relative_to(ROOT)
        counts = Counter()
        covered = defaultdict(set)
        seen = set()
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames != ["text", "lang", "expect"]:
                err(f"{name}: header must be text,lang,expect (is {reader.fieldnames})")
                continue
            for n, row in enumerate(reader, start=2):
                text, lang, expect = ((row.get(k) or "").strip() for k in ("text", "lang", "expect"))
                where = f"{name}:{n}"
                if not text:
                    err(f"{where}: empty text")
                if lang not in ("en", "zh"):
                    err(f"{where}: lang must be en or zh, is {lang!r}")
                if norm(text) in TITLES:
                    err(f"{where}: copies the title of article {TITLES[norm(text)]}: {text!r}")
                if path.stem in ("dev", "test"):
                    EVAL_TEXTS.add(norm(text))
                key = (lang, text.lower())
                if key in seen:
                    err(f"{where}: duplicate question {text!r}")
                seen.add(key)
                texts.setdefault(key, set()).add(path.stem)
                if expect == "none":
                    kind = "none"
                elif expect.startswith("intent:"):
                    kind = "intent"
                    USED_LABELS.add(expect[len("intent:"):])
                    if expect[len("intent:"):] not in labels:
                        err(f"{where}: unknown intent label {expect!r}")
                else:
                    kind = "corpus"
                    if expect not in articles:
                        err(f"{where}: unknown article id {expect!r}")
                    covered[lang].add(expect)
                counts[(lang, kind)] += 1
        for lang in ("en", "zh"):
            for kind, least in MIN_PER_LANG.items():
                if counts[(lang, kind)] < least:
                    err(f"{name}: {counts[(lang, kind)]} {kind} questions in {lang} (at least {least})")
        report[path.stem] = (counts, covered)
    pending = sorted({e for e in USED_LABELS if e not in KB_LABELS})
    if pending:
        print(f"note: intent labels in the taxonomy without a KB entry yet: {', '.join(pending)}")
    shared = [t for t, files in texts.items() if len(files) > 1]
    for lang, text in shared:
        err(f"eval: the same question is in dev and test: {text!r}")
    return report


def main():
    articles, per_topic, sections = load_corpus()
    labels = intent_labels()
    report = check_eval(articles, labels)
    check_asks_against(EVAL_TEXTS)
    check_asks_against_intents()
    total = Counter()
    for counts in ASK_COUNTS.values():
        total.update(counts)
    print(f"corpus: {len(articles)} articles, {sections} sections, {len(per_topic)} topics, "
          f"asks: en {total['en']}, zh {total['zh']}")
    for topic, n in sorted(per_topic.items()):
        asks = ASK_COUNTS[topic]
        print(f"  {topic:<20} {n:>3}  asks: en {asks['en']}, zh {asks['zh']} ({asks['zh traditional']} in 繁體)")
    for stem, (counts, covered) in report.items():
        line = ", ".join(f"{lang} {kind} {counts[(lang, kind)]}" for lang in ("en", "zh") for kind in MIN_PER_LANG)
        print(f"eval/{stem}.csv: {line}; articles asked about: en {len(covered['en'])}, zh {len(covered['zh'])}")
    if errors:
        print(f"\n{len(errors)} mistake(s):", file=sys.stderr)
        for e in errors:
            print(f"  {e}", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

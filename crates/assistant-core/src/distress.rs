//! Distress detection: whether a customer's own words show they are upset (angry, anxious or
//! frightened), so that the widget offers a person whatever the intent model says.
//!
//! It lives apart from [`crate::routing`] because it is a policy of its own with its own labelled
//! evaluation set (`tests/data/distress/`, measured with `assistant distress FILE.csv`): the routing
//! decision only asks it a yes/no question. It runs on the UI thread before any model, so it is plain
//! string matching, with no dependencies beyond `std`.
//!
//! # How it decides
//!
//! The text is lower-cased, apostrophes dropped (`i'm` → `im`, `can't` → `cant`, as customers type
//! them anyway), punctuation turned into spaces, `^ ` put before and a space after: an English cue
//! written `" rent "` matches the whole word only, and `"^ help "` only a message that starts with it.
//! Chinese cues need no spaces; traditional forms are listed beside the simplified ones (this module
//! has no conversion table: it ships without the `text` feature).
//!
//! Then a message is upset when it scores at least [`THRESHOLD`]:
//!
//! - a [`STRONG`] cue (an emotion named, an insult, "no money", 到底, 急, 害怕…) is enough on its own;
//! - a [`WEAK`] cue is one *kind* of sign (time pressure, something at stake such as rent or food, a
//!   wait, a repeat, money gone, "someone"…). Each kind counts at most once, so a message needs two
//!   different kinds: "can I pay my rent by card" is calm, "please help, my rent is due" is not;
//! - runs of `!!` or `??` count as a weak sign, `!!!` as a strong one, unless the message thanks us
//!   ("thank you!!!", "谢谢！！！");
//! - shouting (four or more words in capitals) is enough on its own.
//!
//! Topic words are deliberately not cues: "my card was stolen", "how do I report fraud", "我的卡丢了",
//! "被盗刷了怎么办" are ordinary questions, and the intent model answers them. A false alarm only offers
//! a person, it hides nothing, but offering one to every calm question would make the offer noise.

/// Score at which a message counts as upset.
pub const THRESHOLD: u32 = 2;

/// Cues that show distress on their own (weight [`THRESHOLD`]). English cues are written on the
/// normalised text: lower case, no apostrophes, a space before a word start (and after a whole word).
pub const STRONG: &[&str] = &[
    // Anger, named or shown.
    " furious",
    " outraged",
    " livid",
    " disgusted",
    " disgusting",
    " unacceptable",
    " ridiculous",
    " pathetic",
    " useless",
    " worst ",
    " i hate",
    " fed up",
    " sick of",
    " sick and tired",
    " angry",
    " annoyed",
    " fuming",
    " frustrat",
    " unhappy",
    " upset",
    " disgrace",
    " joke ",
    " embarrass",
    " rip off",
    " ripoff",
    " robbery",
    " waste of",
    " wasted",
    " terrible",
    " awful",
    " horrible",
    " shocking",
    " how many times do",
    " how many times have",
    " how many more times",
    " thanks for nothing",
    " wrong with you",
    " you people",
    " kidding me",
    " wtf ",
    " ffs ",
    " enough is enough",
    " had enough",
    " im done",
    " shame on",
    " how dare",
    " hung up",
    " nobody",
    " not ok ",
    " not okay",
    " formal complaint",
    " ombudsman",
    " lawyer",
    " sue you",
    // Fear, worry, despair.
    " scammed",
    " scammers",
    " hacked",
    " tricked",
    " threaten",
    " emptied",
    " scared",
    " afraid",
    " frighten",
    " terrified",
    " shaking",
    " worried",
    " worry",
    " stressed",
    " anxious",
    " panic",
    " freaking out",
    " desperate",
    " begging",
    " cant sleep",
    " dont know what to do",
    // Nothing left to live on.
    " no money",
    " nothing to eat",
    " nothing left",
    " evicted",
    // Chinese (simplified, then traditional where it differs).
    "气死",
    "太差",
    "垃圾",
    "骗子",
    "被骗",
    "受不了",
    "崩溃",
    "愤怒",
    "生气",
    "火大",
    "无语",
    "坑人",
    "太过分",
    "什么破",
    "搞什么",
    "什么服务",
    "什么银行",
    "凭什么",
    "到底", // 你们到底管不管: exasperation, in every use we have seen
    "没人", // 没人回复, 没人接, 没人管
    "多少遍",
    "多少次",
    "乱扣", // 乱扣费: an accusation
    "亂扣",
    "投诉你们",
    "投訴你們",
    "遍了", // 说了八遍了
    "太烂",
    "太爛",
    "可怕",
    "被黑",
    "对得起",
    "故意",
    "态度",
    "不想再",
    "再也不",
    "还给我",
    "要疯了",
    "欺负人",
    "死了", // 烦死了, 吓死了, 急死了
    "死我",
    "急", // 着急, 很急, 急用, 救急, 急急急 (but not 紧急: see is_distressed)
    "慌",
    "害怕",
    "好怕",
    "很怕",
    "怕怕",
    "吓",
    "抖",
    "威胁",
    "担心",
    "焦虑",
    "绝望",
    "求求",
    "求助",
    "拜托",
    "帮帮",
    "救命",
    "撑不住",
    "没办法",
    "怎么活",
    "揭不开锅",
    "没钱",
    "一分钱",
    "转空",
    "氣死",
    "騙子",
    "被騙",
    "崩潰",
    "憤怒",
    "生氣",
    "太過分",
    "什麼破",
    "搞什麼",
    "什麼服務",
    "什麼銀行",
    "憑什麼",
    "沒人",
    "對得起",
    "態度",
    "還給我",
    "嚇",
    "威脅",
    "擔心",
    "焦慮",
    "絕望",
    "拜託",
    "幫幫",
    "撐不住",
    "沒辦法",
    "怎麼活",
    "沒錢",
    "一分錢",
    "轉空",
];

/// Kinds of weak sign: each kind scores 1 at most, so two different kinds are needed. Everyday words
/// that calm questions use all the time ("today", "help", "still", 今天, 帮我, 你们, 一直) are kept
/// out or narrowed to the phrases an upset customer uses ("please help", "still no", 一直没).
/// `^` is the start of the message.
#[rustfmt::skip]
pub const WEAK: &[(&str, &[&str])] = &[
    ("time pressure", &[
        " asap", " urgent", " emergency", " hurry", " right now", " immediately", " due today",
        " due tomorrow", " is due", " by tomorrow", " today or ",
        "必须", "一定要", "尽快", "赶紧", "快点", "立刻", "就要", "今天要", "明天要", "今天不", "截止",
        "必須", "盡快", "趕緊", "快點",
    ]),
    ("something at stake", &[
        // Not the products themselves ("mortgage", "贷款", "工资"): those are what calm questions are
        // about ("贷款是怎么回事？").
        " rent ", " landlord", " food", " eat ", " medicine", " medication", " hospital",
        " bills", " kids", " children", " funeral", " flat ", " house ", " home ", " benefits",
        " school fees",
        "房租", "房东", "学费", "医院", "医药", "看病", "住院", "吃饭", "买菜", "生活费", "押金",
        "孩子",
        "房東", "學費", "醫院", "醫藥", "吃飯", "買菜", "生活費",
    ]),
    ("pleading", &[
        "^ help ", " please help", " pls help", " plz help", " help please", " help pls",
        " help me please", " someone help", " please please", " what do i do",
        " what now", " really need",
        "怎么办", "怎麼辦",
    ]),
    ("it keeps happening", &[
        " again", " keep ", " keeps ", " twice", " times ", " third time", "th time ", " 2nd time",
        " 3rd time", " second time", " every single", " yet another",
        "又", "次了", "每次", "总是", "老是", "还在刷", "还在被", "總是", "還在刷", "還在被",
    ]),
    ("still not solved", &[
        " still no", " still not", " still nothing", " still waiting", " still havent",
        " still hasnt", " still didnt", " never happened", " i told you", " already told",
        "一直没", "一直不", "一直失败", "一直提示", "一直拖", "一直显示", "还没", "还是", "没解决",
        "没处理", "没消息", "没回复", "说好",
        "一直沒", "一直失敗", "還沒", "還是", "沒解決", "沒處理", "沒消息", "沒回覆", "說好",
    ]),
    ("a long time", &[
        " days", " weeks", " months", " hours", " hour ", " minutes", " week ", " month ", " ages ",
        "星期了", "礼拜了", "个月了", "天了", "小时了", "周了", "好久",
        "禮拜了", "個月了", "小時了", "週了",
    ]),
    ("waiting, unanswered", &[
        " waiting", " waited", " on hold", " its been", " no one", " no reply", " no answer",
        " never replied", " never called", " ignor",
        "等了", "等着", "等著",
    ]),
    ("money gone or stuck", &[
        " gone", " vanished", " disappear", " minus ", " overdrawn", " bounced", " stuck",
        " stranded", " cant pay", " cant buy", " cant access", " cant afford", " lose ",
        " wrong account", " wrong person", " frozen", " blocked",
        "钱没了", "少了", "扣光", "负数", "转走", "被转", "空了", "转错", "失败", "刷不了", "转不出",
        "转不过", "取不出", "交不上", "交不了", "转我的",
        "錢沒了", "負數", "轉走", "被轉", "轉錯", "失敗", "轉不出", "轉不過", "轉我的",
    ]),
    ("done without telling me", &[
        " without asking", " without telling", " without warning", " without any warning",
        " didnt even", " never told",
    ]),
    ("will I get it back", &[
        " is my money", " will i lose",
        "会不会没", "会不会被", "是不是被盗", "是不是被骗", "是不是被黑", "追回",
        "會不會沒", "會不會被", "是不是被盜", "是不是被騙",
    ]),
    ("someone else", &[
        " someone", " somebody", " a man ", " stranger",
        "有人", "陌生", "别人", "对方", "冒充", "冒用", "別人", "對方",
    ]),
    ("it was not me", &[
        " didnt make", " never made", " didnt ask", " never asked", " not me ", " never requested",
        "没操作", "不是我", "我没有", "沒操作", "我沒有",
    ]),
    ("demanding", &[
        " i want my", " want it back", " i demand", " give me my", " give me back", " my own money",
        "投诉", "投訴", "真人",
    ]),
    // Not 为什么 ("why"): "为什么转账失败" is an ordinary question.
    ("exasperated question", &["怎么回事", "怎麼回事"]),
];

/// A cue that does not count where it is only part of a longer, calm word: 紧急 ("emergency", as in an
/// emergency contact) is a topic, any other 急 is the customer's own hurry; 有人工 is "is there a human
/// agent", not "someone".
const NOT_WHEN_PART_OF: &[(&str, &str)] = &[("急", "紧急"), ("急", "緊急"), ("有人", "有人工")];

/// Words that make a run of `!!` or `??` happy rather than upset.
const GRATITUDE: &[&str] = &[
    " thank",
    " thx",
    " cheers",
    " great",
    " awesome",
    " brilliant",
    " yay",
    " love ",
    "谢",
    "謝",
    "太好了",
    "太棒",
    "感谢",
    "感謝",
    "好评",
    "赞",
];

/// Clear signs of anger or distress (see the module documentation): a strong cue, two different
/// kinds of weak cue, a run of `!!!` that is not thanks, or shouting in capitals.
pub fn is_distressed(raw_text: &str) -> bool {
    if shouting(raw_text) {
        return true;
    }
    let text = normalise(raw_text);
    if STRONG.iter().any(|cue| has(&text, cue)) {
        return true;
    }
    let mut score: u32 = WEAK
        .iter()
        .filter(|(_, cues)| cues.iter().any(|cue| has(&text, cue)))
        .count() as u32;
    if !GRATITUDE.iter().any(|g| text.contains(g)) {
        score += punctuation_score(raw_text);
    }
    score >= THRESHOLD
}

/// Whether the normalised `text` has `cue`, other than inside a longer calm word ([`NOT_WHEN_PART_OF`]).
fn has(text: &str, cue: &str) -> bool {
    if !text.contains(cue) {
        return false;
    }
    let mut exceptions = NOT_WHEN_PART_OF
        .iter()
        .filter(|(c, _)| *c == cue)
        .peekable();
    if exceptions.peek().is_none() {
        return true;
    }
    text.matches(cue).count()
        > exceptions
            .map(|(_, word)| text.matches(word).count())
            .sum::<usize>()
}

/// `!!!` (or `！！！`) scores 2, `!!`, `??` or `?!` 1, anything else 0.
fn punctuation_score(raw: &str) -> u32 {
    let mut run_bang = 0;
    let mut run_mark = 0;
    let mut best = 0;
    for c in raw.chars() {
        let (bang, mark) = match c {
            '!' | '！' => (true, true),
            '?' | '？' => (false, true),
            _ => (false, false),
        };
        run_bang = if bang { run_bang + 1 } else { 0 };
        run_mark = if mark { run_mark + 1 } else { 0 };
        if run_bang >= 3 {
            return 2;
        }
        if run_mark >= 2 {
            best = 1;
        }
    }
    best
}

/// Four or more words of at least three letters, all in capitals.
fn shouting(raw: &str) -> bool {
    raw.split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 3)
        .filter(|w| w.chars().all(|c| !c.is_alphabetic() || c.is_uppercase()))
        .count()
        >= 4
}

/// Lower case, apostrophes dropped, anything not a letter or digit a single space, a space between
/// Latin and Chinese letters, `^ ` at the start and a space at the end: one allocation per message.
fn normalise(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 3);
    out.push_str("^ ");
    let mut prev_ascii: Option<bool> = None;
    for c in raw.chars().flat_map(char::to_lowercase) {
        if matches!(c, '\'' | '’' | '‘' | '`') {
            continue;
        }
        if !c.is_alphanumeric() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
            prev_ascii = None;
            continue;
        }
        let ascii = c.is_ascii();
        if prev_ascii.is_some_and(|p| p != ascii) {
            out.push(' ');
        }
        prev_ascii = Some(ascii);
        out.push(c);
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_for_whole_word_cues() {
        assert_eq!(normalise("I'm NOT ok!!"), "^ im not ok ");
        assert_eq!(
            normalise("我的credit card被decline了"),
            "^ 我的 credit card 被 decline 了 "
        );
        assert_eq!(normalise("can’t  pay"), "^ cant pay ");
    }

    #[test]
    fn upset_customers_in_english() {
        for q in [
            "I've been waiting three weeks and nobody replies",
            "my pension hasn't arrived and I have no money for food",
            "this is the 4th time i ask, still not fixed",
            "please help my rent is due today and the transfer failed",
            "someone is using my card right now",
            "i'm scared someone has got into my account",
            "WHERE IS MY MONEY YOU TOOK IT",
            "where is my refund!!!",
            "so annoyed with this app",
        ] {
            assert!(is_distressed(q), "{q}");
        }
    }

    #[test]
    fn upset_customers_in_chinese() {
        for q in [
            "我真的很着急 房租明天就要交了",
            "你们到底管不管",
            "卡又被锁了 怎么回事啊",
            "等了两个星期了还没到账",
            "有人在用我的卡 现在还在刷",
            "我好害怕 钱全没了",
            "你們到底有沒有在處理",
            "工资没到 我没钱吃饭了",
        ] {
            assert!(is_distressed(q), "{q}");
        }
    }

    #[test]
    fn calm_customers_are_not_upset() {
        for q in [
            "my card was stolen",
            "I lost my card!",
            "hello?? is anyone there",
            "贷款是怎么回事？",
            "为什么转账失败了",
            "how do I report fraud",
            "my transfer is still pending, is that normal?",
            "how long does a transfer take, 3 days?",
            "can I pay my rent by standing order",
            "thanks so much!!",
            "thank you!!! that's great",
            "我的卡丢了！",
            "被盗刷了怎么办",
            "怎么设置紧急联系人",
            "新卡还没收到",
            "太好了",
            "谢谢！！！",
            // One weak sign alone, or everyday words that upset customers also use.
            "can you help me transfer money today",
            "can I pay my rent by card",
            "how many times can I enter my PIN before it locks",
            "someone at the branch told me to call you",
            "工资卡今天能到账吗",
            "有人工客服吗 我想问贷款",
            "你们明天开门吗",
            "我想马上把卡冻结 怎么操作",
        ] {
            assert!(!is_distressed(q), "{q}");
        }
    }
}

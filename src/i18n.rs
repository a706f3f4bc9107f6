//! Every string the widget shows, in English and Simplified Chinese. Answers themselves come from the
//! knowledge base; these are the widget's own words.

use assistant_core::locale::Lang;

pub struct Strings {
    pub launcher: &'static str,
    pub title: &'static str,
    pub close: &'static str,
    pub switch_language: &'static str,
    pub log_label: &'static str,
    pub input_label: &'static str,
    pub placeholder: &'static str,
    pub send: &'static str,
    pub suggestions_label: &'static str,
    pub you: &'static str,
    pub assistant: &'static str,
    pub welcome: &'static str,
    pub getting_ready: &'static str,
    pub downloading: &'static str,
    pub preparing: &'static str,
    pub ready: &'static str,
    pub offline_model: &'static str,
    pub thinking: &'static str,
    pub masked_notice: &'static str,
    pub server_pending: &'static str,
    pub handoff_pending: &'static str,
    pub too_long: &'static str,
    /// Starting suggestions: (intent, question text).
    pub starters: [(&'static str, &'static str); 4],
}

const EN: Strings = Strings {
    launcher: "Chat with our assistant",
    title: "Lakeside Bank assistant",
    close: "Close chat",
    switch_language: "中文",
    log_label: "Conversation",
    input_label: "Your question",
    placeholder: "Type your question…",
    send: "Send",
    suggestions_label: "Suggested questions",
    you: "You",
    assistant: "Assistant",
    welcome: "Hello! Ask me about your cards, payments, transfers or our products. I answer common questions straight away, right here on your device.",
    getting_ready: "Getting ready…",
    downloading: "Getting ready… downloading",
    preparing: "Getting ready… almost there",
    ready: "Ready. Answers to common questions appear instantly.",
    offline_model: "Instant answers are not available on this device right now. Your questions will go to our team instead.",
    thinking: "Looking for an answer…",
    masked_notice: "For your safety, we hid personal numbers and addresses in your message before using it.",
    server_pending: "I'm not sure I can answer that one well here. Questions like this go to our online assistant service, which is not connected in this demo yet, so I can't give you an answer. You can call the number on the back of your card (24 hours).",
    handoff_pending: "I'd like to connect you with a person. Live chat with our staff is not connected in this demo yet. Please call the number on the back of your card (24 hours), and a member of our team will help you.",
    too_long: "That message is too long. Please keep it under 2,000 characters.",
    starters: [
        ("lost_or_stolen_card", "I lost my card"),
        ("card_arrival", "When will my card arrive?"),
        ("topping_up_by_card", "How do I top up with my card?"),
        ("human_agent", "Talk to a person"),
    ],
};

const ZH: Strings = Strings {
    launcher: "在线客服",
    title: "湖畔银行智能客服",
    close: "关闭对话",
    switch_language: "English",
    log_label: "对话记录",
    input_label: "您的问题",
    placeholder: "请输入您的问题…",
    send: "发送",
    suggestions_label: "推荐问题",
    you: "您",
    assistant: "客服助手",
    welcome: "您好！您可以问我银行卡、付款、转账或产品的问题。常见问题我会在您的设备上马上回答。",
    getting_ready: "正在准备…",
    downloading: "正在准备…下载中",
    preparing: "正在准备…马上就好",
    ready: "已就绪，常见问题可立即回答。",
    offline_model: "此设备暂时无法即时回答，您的问题将转给我们的工作人员。",
    thinking: "正在查找答案…",
    masked_notice: "为保护您的安全，我们已隐藏消息中的卡号、证件号、电话或邮箱。",
    server_pending: "这个问题我在这里可能答不好。此类问题会转给我们的在线客服系统，但本演示尚未连接，所以暂时无法回答。您可以拨打卡背面的客服电话（24小时）。",
    handoff_pending: "我想为您转接人工客服。本演示尚未连接人工在线服务，请拨打卡背面的客服电话（24小时），我们的工作人员会帮助您。",
    too_long: "消息太长了，请控制在2000字以内。",
    starters: [
        ("lost_or_stolen_card", "我的银行卡丢了"),
        ("card_arrival", "我的卡什么时候到？"),
        ("topping_up_by_card", "怎么用银行卡充值？"),
        ("human_agent", "转人工客服"),
    ],
};

pub fn strings(lang: Lang) -> &'static Strings {
    match lang {
        Lang::En => &EN,
        Lang::ZhCn => &ZH,
    }
}

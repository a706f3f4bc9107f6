//! Writing the JSON the widget sends: messages to the worker, requests to the bank's server, what it
//! keeps in storage and the page's event details. Reading goes through the browser's `JSON.parse`
//! ([`super::read`]), so with this module the widget links no serde code at all.
//!
//! Why by hand: `serde_json::to_string` and the derived `Serialize` impls were ~7 KB gzip of the
//! first load for a dozen small, flat shapes. The shapes are the ones serde wrote (same keys, in the
//! same order, optional fields left out where serde skipped them), so the worker and the server,
//! which read them with serde, see no difference. The writers for the core's types destructure
//! them without `..` and match their enums without `_`, so a new field or variant fails to compile
//! here instead of being left out silently.
//!
//! Numbers: whole numbers through Rust's integer formatting; the two fractional ones (a question's
//! intent scores, the history's expiry time) through the browser's number-to-string, not Rust's
//! float formatting, which the widget does not link. Non-finite numbers are written as `null`, as
//! serde_json does.

use assistant_core::api::{HandoffReason, Role, TextSize};
use assistant_core::protocol::CalcKind;

/// A JSON object being written: `Obj::new().str("a", "x").uint("n", 1).done()` is `{"a":"x","n":1}`.
pub struct Obj {
    out: String,
    first: bool,
}

impl Obj {
    pub fn new() -> Obj {
        Obj {
            out: String::from("{"),
            first: true,
        }
    }

    fn key(&mut self, key: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        quote(&mut self.out, key);
        self.out.push(':');
        &mut self.out
    }

    pub fn str(mut self, key: &str, value: &str) -> Obj {
        quote(self.key(key), value);
        self
    }

    /// Left out when `None` (serde's `skip_serializing_if = "Option::is_none"`).
    pub fn opt_str(self, key: &str, value: Option<&str>) -> Obj {
        match value {
            Some(v) => self.str(key, v),
            None => self,
        }
    }

    pub fn uint(mut self, key: &str, value: u32) -> Obj {
        self.key(key).push_str(&value.to_string());
        self
    }

    pub fn num(mut self, key: &str, value: f64) -> Obj {
        number(self.key(key), value);
        self
    }

    pub fn bool(mut self, key: &str, value: bool) -> Obj {
        self.key(key).push_str(if value { "true" } else { "false" });
        self
    }

    pub fn null(mut self, key: &str) -> Obj {
        self.key(key).push_str("null");
        self
    }

    /// A value that is already JSON (a nested object or array written with this module).
    pub fn raw(mut self, key: &str, json: &str) -> Obj {
        self.key(key).push_str(json);
        self
    }

    pub fn done(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// A JSON array of values that are already JSON.
pub fn array(items: impl IntoIterator<Item = String>) -> String {
    let mut out = String::from("[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item);
    }
    out.push(']');
    out
}

/// `s` as a JSON string, escaped as serde_json escapes: quote, backslash and control characters;
/// everything else (non-ASCII included) as it is.
pub fn quote(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let b = c as usize;
                out.push_str("\\u00");
                out.push(HEX[b >> 4] as char);
                out.push(HEX[b & 0xf] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A number as the browser writes it (`String(n)`), or `null` when it is not finite.
fn number(out: &mut String, n: f64) {
    if n.is_finite() {
        let s: String = js_sys::Number::from(n)
            .to_string_with_radix(10)
            .map(String::from)
            .unwrap_or_else(|_| "null".into());
        out.push_str(&s);
    } else {
        out.push_str("null");
    }
}

// The serde names of the core's unit enums the widget writes (`rename_all = "snake_case"`). `Lang`'s
// are its BCP 47 tags: `Lang::tag`.

pub fn text_size(t: TextSize) -> &'static str {
    match t {
        TextSize::Normal => "normal",
        TextSize::Large => "large",
    }
}

pub fn handoff_reason(r: HandoffReason) -> &'static str {
    match r {
        HandoffReason::Requested => "requested",
        HandoffReason::Complaint => "complaint",
        HandoffReason::Distress => "distress",
        HandoffReason::Unanswered => "unanswered",
        HandoffReason::Scam => "scam",
    }
}

pub fn role(r: Role) -> &'static str {
    match r {
        Role::Customer => "customer",
        Role::Assistant => "assistant",
        Role::Agent => "agent",
        Role::System => "system",
    }
}

pub fn calc_kind(k: CalcKind) -> &'static str {
    match k {
        CalcKind::Deposit => "deposit",
        CalcKind::Loan => "loan",
    }
}

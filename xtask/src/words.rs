//! The widget's words for the plain-JS parts of the bundle: the loader (`public/embed/assistant.js`, the
//! launcher's name before the widget's code arrives) and the fallback without WebAssembly
//! (`public/embed/fallback.js`). `fingerprint` writes them in at build time from the widget's own table,
//! `src/platform/i18n.rs`, so no sentence is typed twice and a change there reaches all three.
//!
//! Why read the Rust source instead of sharing a data file: the widget's table is `const` structs the
//! compiler checks (every field in both languages), and its first-load budget has no room for a JSON
//! reader. The table is plain `field: "text",` lines (rustfmt's layout); anything else in it (arrays,
//! other constants) is skipped, and a missing field fails the build.

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};
use std::path::Path;

/// The widget's fields the loader and the fallback say (the fallback's own few sentences, about working
/// without instant answers, stay in fallback.js).
pub const FOR_JS: [&str; 22] = [
    "launcher",
    "title",
    "close",
    "input_label",
    "send",
    "log_label",
    "masked_notice",
    "thinking",
    "talk_to_person",
    "connecting",
    "requesting",
    "queue_position",
    "queue_soon",
    "chatting_with",
    "agent_joined",
    "an_agent",
    "agent_left",
    "abandoned",
    "back_to_assistant",
    "cancel_waiting",
    "end_chat",
    "closed_now",
];

/// The two tables of `i18n.rs` and the language tags the JS uses for them.
const TABLES: [(&str, &str); 2] = [("en", "const EN: Strings"), ("zh-CN", "const ZH: Strings")];

/// `{"en": {field: text}, "zh-CN": {…}}` for `fields`, read from the widget's `src/platform/i18n.rs`.
pub fn for_js(root: &Path, fields: &[&str]) -> Result<Value> {
    let path = root.join("src/platform/i18n.rs");
    let source =
        std::fs::read_to_string(&path).with_context(|| format!("{} missing", path.display()))?;
    from_source(&source, fields)
}

fn from_source(source: &str, fields: &[&str]) -> Result<Value> {
    let mut out = Map::new();
    for (tag, start) in TABLES {
        let table = table(source, start)?;
        let mut words = Map::new();
        for field in fields {
            let Some(text) = table.iter().find(|(k, _)| k == field).map(|(_, v)| v) else {
                bail!("src/platform/i18n.rs: `{start}` has no string field `{field}`");
            };
            words.insert((*field).to_owned(), Value::String(text.clone()));
        }
        out.insert(tag.to_owned(), Value::Object(words));
    }
    Ok(Value::Object(out))
}

/// The `field: "text"` pairs of the struct literal that starts with `start`.
fn table(source: &str, start: &str) -> Result<Vec<(String, String)>> {
    let at = source
        .find(start)
        .with_context(|| format!("src/platform/i18n.rs: no `{start}`"))?;
    let body = &source[at..];
    let end = body
        .find("\n};")
        .context("src/platform/i18n.rs: table not closed")?;
    let body = &body[..end];
    let mut pairs = Vec::new();
    let mut rest = body;
    // Each `name:` at the start of a line (after indentation), followed by a string literal.
    while let Some(colon) = rest.find(':') {
        let line_start = rest[..colon].rfind('\n').map_or(0, |i| i + 1);
        let name = rest[line_start..colon].trim();
        let after = rest[colon + 1..].trim_start();
        rest = &rest[colon + 1..];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(lit) = after.strip_prefix('"') {
            let (text, used) = literal(lit)?;
            pairs.push((name.to_owned(), text));
            rest = &lit[used..];
        }
    }
    Ok(pairs)
}

/// Reads a Rust string literal's contents (after its opening quote) up to the closing quote: the text,
/// and how many bytes were read (closing quote included).
fn literal(s: &str) -> Result<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, i + 1)),
            '\\' => match chars.next().map(|(_, e)| e) {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('\\') => out.push('\\'),
                Some('"') => out.push('"'),
                Some('\'') => out.push('\''),
                Some('u') => {
                    let hex: String = chars
                        .by_ref()
                        .map(|(_, c)| c)
                        .skip_while(|c| *c == '{')
                        .take_while(|c| *c != '}')
                        .collect();
                    let code = u32::from_str_radix(&hex, 16).context("bad \\u escape")?;
                    out.push(char::from_u32(code).context("bad \\u escape")?);
                }
                // A line continuation: the newline and the next line's indentation are skipped.
                Some('\n') => {
                    let rest = &s[i + 2..];
                    let skip = rest.len() - rest.trim_start().len();
                    for _ in 0..rest[..skip].chars().count() {
                        chars.next();
                    }
                }
                other => bail!("unsupported escape \\{other:?} in src/platform/i18n.rs"),
            },
            c => out.push(c),
        }
    }
    bail!("unclosed string in src/platform/i18n.rs")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_escapes_and_wrapped_lines_and_skips_the_rest() {
        let source = r#"
pub struct Strings { pub a: &'static str }
const EN: Strings = Strings {
    launcher: "Chat \"now\"\n\nok \u{2026}",
    names: ["x", "y"],
    long_one:
        "wrapped by rustfmt",
    cont: "one \
           two",
};
const ZH: Strings = Strings {
    launcher: "在线客服",
    long_one: "长",
    cont: "续",
};
"#;
        let v = from_source(source, &["launcher", "long_one", "cont"]).unwrap();
        assert_eq!(v["en"]["launcher"], "Chat \"now\"\n\nok …");
        assert_eq!(v["en"]["long_one"], "wrapped by rustfmt");
        assert_eq!(v["en"]["cont"], "one two");
        assert_eq!(v["zh-CN"]["launcher"], "在线客服");
        let err = from_source(source, &["names"]).unwrap_err();
        assert!(err.to_string().contains("no string field `names`"), "{err}");
    }

    /// The loader and the fallback get every word they use, in both languages, from the widget's table.
    #[test]
    fn the_widget_s_table_has_every_word_the_js_uses() {
        let v = for_js(&crate::root(), &FOR_JS).unwrap();
        for tag in ["en", "zh-CN"] {
            for field in FOR_JS {
                let text = v[tag][field].as_str().unwrap();
                assert!(!text.trim().is_empty(), "{tag} {field} is empty");
            }
        }
        assert_eq!(v["en"]["launcher"], "Chat with our assistant");
        assert_eq!(v["zh-CN"]["launcher"], "在线客服");
    }
}

//! The Content-Security-Policy for pages the server serves. Trunk writes a small inline module script
//! into the built `index.html` (the demo page) to start the wasm; rather than allow `'unsafe-inline'`,
//! the server hashes the inline scripts of that file at start-up and allows exactly those
//! (`'sha256-…'` in `script-src`). JSON data blocks (`type="application/json"`) are not executed and
//! need no hash.

use base64::Engine;
use sha2::{Digest, Sha256};

/// Hashes of the executable inline scripts in an HTML document.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body_start = &after[tag_end + 1..];
        let Some(close) = body_start.find("</script>") else {
            break;
        };
        let body = &body_start[..close];
        let is_data = tag.contains("application/json") || tag.contains("importmap");
        if !tag.contains("src=") && !is_data && !body.trim().is_empty() {
            let digest = Sha256::digest(body.as_bytes());
            out.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &body_start[close..];
    }
    out
}

/// `csp` with `hashes` added to its `script-src` directive.
pub fn with_script_hashes(csp: &str, hashes: &[String]) -> String {
    if hashes.is_empty() {
        return csp.to_owned();
    }
    csp.split(';')
        .map(|d| {
            let d = d.trim();
            if d.starts_with("script-src ") {
                format!("{d} {}", hashes.join(" "))
            } else {
                d.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_executable_inline_scripts_are_hashed() {
        let html = r#"<script type="module">import init from '/a.js';init();</script>
<script type="application/json" id="x">{"a":1}</script><script src="/b.js"></script>"#;
        let h = inline_script_hashes(html);
        assert_eq!(h.len(), 1);
        assert!(h[0].starts_with("'sha256-") && h[0].ends_with("='"));
        let csp = with_script_hashes("default-src 'self'; script-src 'self'", &h);
        assert_eq!(
            csp,
            format!("default-src 'self'; script-src 'self' {}", h[0])
        );
    }
}

//! `cargo xtask fingerprint`: Trunk post-build hook that turns Trunk's output into the versioned
//! embedding bundle (docs/EMBEDDING.md):
//!
//! - every file the widget loads gets a content-hashed name (Trunk hashes the widget's JS and wasm; this
//!   hashes the worker, model, metadata, answers, products, the widget's one stylesheet, the no-wasm
//!   fallback and the WebView bridge), so browsers may cache them for a year;
//! - `assistant.js`, the loader, keeps a stable name (it is the one tag banks add) and carries the hashed
//!   names and sha384 Subresource Integrity hashes of everything it loads;
//! - the loader and the fallback get the widget's words (`words`) written in;
//! - `assistant.sri.json` publishes those hashes, with the loader's own, for the bank to pin.
//!
//! The demo page must stay free of inline scripts and `style` attributes (it is served under a strict
//! Content-Security-Policy); this step refuses to finish if Trunk wrote any.

use anyhow::{Context, Result, bail};
use base64::Engine;
use sha2::{Digest, Sha256, Sha384};
use std::collections::BTreeMap;
use std::path::Path;

fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The Subresource Integrity value of `bytes`.
pub fn sri(bytes: &[u8]) -> String {
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes))
    )
}

/// `stem-<hash>.ext` for `bytes`.
fn hashed_name(stem: &str, ext: &str, bytes: &[u8]) -> String {
    format!("{stem}-{}.{ext}", short_hash(bytes))
}

/// Renames `dir/rel` to include its content hash; returns the new relative path.
fn hashed(dir: &Path, rel: &str) -> Result<String> {
    let path = dir.join(rel);
    let bytes = std::fs::read(&path)
        .with_context(|| format!("{} is missing from the build", path.display()))?;
    let (stem, ext) = rel.rsplit_once('.').context("file without extension")?;
    let new = hashed_name(stem, ext, &bytes);
    std::fs::rename(&path, dir.join(&new))?;
    Ok(new)
}

/// Writes `bytes` into `dir` under a hashed name; returns the name.
fn write_hashed(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> Result<String> {
    let name = hashed_name(stem, ext, bytes);
    std::fs::write(dir.join(&name), bytes)?;
    Ok(name)
}

/// The one file in `dir` named `prefix…suffix` (Trunk's hashed widget files).
fn find(dir: &Path, prefix: &str, suffix: &str) -> Result<String> {
    let mut hits = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(prefix) && n.ends_with(suffix) && !n.ends_with("_bg.wasm.js"));
    let name = hits
        .next()
        .with_context(|| format!("no {prefix}*{suffix} in the build"))?;
    if let Some(other) = hits.next() {
        bail!("two builds of the widget in one dist: {name} and {other}");
    }
    Ok(name)
}

/// Fails on inline scripts or `style` attributes (the strict CSP would block them).
fn check_csp_clean(html: &str) -> Result<()> {
    let mut rest = html;
    while let Some(at) = rest.find("<script") {
        let tag_end = rest[at..].find('>').context("unclosed <script")? + at;
        let tag = &rest[at..tag_end];
        let body_end = rest[tag_end..].find("</script>").context("no </script>")? + tag_end;
        if !tag.contains("src=") && !rest[tag_end + 1..body_end].trim().is_empty() {
            bail!("index.html has an inline script ({tag}>); a strict CSP would block it");
        }
        rest = &rest[body_end..];
    }
    if html.contains(" style=") {
        bail!("index.html has a style attribute; a strict CSP would block it");
    }
    Ok(())
}

pub fn run(root: &Path) -> Result<()> {
    let dir = std::env::var("TRUNK_STAGING_DIR")
        .context("run by Trunk's post_build hook (TRUNK_STAGING_DIR unset)")?;
    let dir = Path::new(&dir);
    let mut integrity = BTreeMap::new();
    let mut pin = |name: &str| -> Result<()> {
        let bytes = std::fs::read(dir.join(name)).with_context(|| format!("{name} missing"))?;
        integrity.insert(name.to_owned(), sri(&bytes));
        Ok(())
    };

    // The worker: Trunk leaves its files unhashed; its loader is named by its own hash.
    let wasm =
        std::fs::read(dir.join("assistant-worker_bg.wasm")).context("worker wasm missing")?;
    let h = short_hash(&wasm);
    let (js, bg) = (
        format!("assistant-worker-{h}.js"),
        format!("assistant-worker-{h}_bg.wasm"),
    );
    std::fs::rename(dir.join("assistant-worker.js"), dir.join(&js))?;
    std::fs::rename(dir.join("assistant-worker_bg.wasm"), dir.join(&bg))?;
    let loader = format!("importScripts(\"./{js}\");wasm_bindgen(\"./{bg}\");\n");
    let worker = write_hashed(dir, "assistant-worker-loader", "js", loader.as_bytes())?;

    // The widget's stylesheet: one file, inserted into the shadow root by the loader.
    let mut css = Vec::new();
    for f in ["style/host.css", "style/widget.css", "style/products.css"] {
        css.extend(std::fs::read(root.join(f)).with_context(|| format!("{f} missing"))?);
        css.push(b'\n');
    }
    let embed = root.join("public/embed");
    // The widget's words, written into the plain-JS parts (`words`): never typed twice.
    const WORDS: &str = "/*__ASSISTANT_WORDS__*/ null";
    let fallback =
        std::fs::read_to_string(embed.join("fallback.js")).context("fallback.js missing")?;
    if !fallback.contains(WORDS) {
        bail!("public/embed/fallback.js has no {WORDS} placeholder");
    }
    let fallback = fallback.replace(
        WORDS,
        &crate::words::for_js(root, &crate::words::FOR_JS)?.to_string(),
    );
    let bridge = match std::fs::read(embed.join("bridge.js")) {
        Ok(b) => Some(write_hashed(dir, "assistant-bridge", "js", &b)?),
        Err(_) => None,
    };

    let build = serde_json::json!({
        "js": find(dir, "assistant-widget-", ".js")?,
        "wasm": find(dir, "assistant-widget-", "_bg.wasm")?,
        "css": write_hashed(dir, "assistant", "css", &css)?,
        "fallback": write_hashed(dir, "assistant-fallback", "js", fallback.as_bytes())?,
        "bridge": bridge,
        "worker": worker,
        "model": hashed(dir, "model/intent-model.onnx")?,
        "meta": hashed(dir, "model/intent-model.json")?,
        "answers": hashed(dir, "kb/answers.json")?,
        "products": hashed(dir, "kb/products.json")?,
    });
    for v in build.as_object().into_iter().flat_map(|o| o.values()) {
        if let Some(name) = v.as_str() {
            pin(name)?;
        }
    }
    pin(&js)?;
    pin(&bg)?;
    let mut build = build;
    build["integrity"] = serde_json::to_value(&integrity)?;

    // The loader: stable name, the build's names and hashes written in.
    let source = std::fs::read_to_string(embed.join("assistant.js"))?;
    const PLACEHOLDER: &str = "/*__ASSISTANT_BUILD__*/ null";
    if !source.contains(PLACEHOLDER) {
        bail!("public/embed/assistant.js has no {PLACEHOLDER} placeholder");
    }
    if !source.contains(WORDS) {
        bail!("public/embed/assistant.js has no {WORDS} placeholder");
    }
    let loader = source.replace(PLACEHOLDER, &build.to_string()).replace(
        WORDS,
        &crate::words::for_js(root, &["launcher"])?.to_string(),
    );
    std::fs::write(dir.join("assistant.js"), &loader)?;

    let published = serde_json::json!({
        "assistant.js": sri(loader.as_bytes()),
        "files": integrity,
    });
    std::fs::write(
        dir.join("assistant.sri.json"),
        serde_json::to_string_pretty(&published)? + "\n",
    )?;
    check_csp_clean(&std::fs::read_to_string(dir.join("index.html"))?)?;
    precompress(dir)
}

/// Kinds of file worth compressing (everything the build writes except images and the compressed files).
const COMPRESSIBLE: [&str; 6] = ["js", "wasm", "css", "json", "html", "onnx"];

/// Writes `NAME.br` (brotli quality 11) and `NAME.gz` (gzip level 9) next to every compressible file of
/// `dir`, for servers that send precompressed files (the assistant server's `ServeDir`, nginx
/// `gzip_static`/`brotli_static`, most CDNs): best ratio, no compression work per request.
fn precompress(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            precompress(&path)?;
            continue;
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !COMPRESSIBLE.contains(&ext) {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let (br, gz) = compressed(&bytes)?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        std::fs::write(path.with_file_name(format!("{name}.br")), br)?;
        std::fs::write(path.with_file_name(format!("{name}.gz")), gz)?;
    }
    Ok(())
}

/// `bytes` as brotli (quality 11, 16 MiB window) and as gzip (level 9).
fn compressed(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    use std::io::Write;
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut br, &params)?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    Ok((br, gz.finish()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precompressed_files_decompress_to_the_original() {
        use std::io::Read;
        let original = "做个测试 a widget file, repeated. "
            .repeat(500)
            .into_bytes();
        let (br, gz) = compressed(&original).unwrap();
        assert!(br.len() < original.len() / 10 && gz.len() < original.len() / 10);
        let mut back = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, original);
        back.clear();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, original);
    }

    #[test]
    fn sri_is_sha384_base64() {
        // `printf abc | openssl dgst -sha384 -binary | base64`
        assert_eq!(
            sri(b"abc"),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
    }

    #[test]
    fn inline_scripts_and_style_attributes_are_refused() {
        assert!(check_csp_clean(r#"<script type="module" src="/assistant.js"></script>"#).is_ok());
        assert!(
            check_csp_clean(r#"<script type="module">import x from '/a.js'</script>"#).is_err()
        );
        assert!(check_csp_clean(r#"<p style="color:red">x</p>"#).is_err());
    }
}

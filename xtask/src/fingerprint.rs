//! `cargo xtask fingerprint`: Trunk post-build hook. Trunk hashes the widget's own files but not the
//! worker's (a worker's URL is chosen at run time), and copies model/KB files as they are. This gives the
//! worker, model, metadata and answers content-hashed names, so browsers can cache them for a year, and
//! writes their names into the page's asset manifest (`<script type="application/json"
//! id="assistant-assets">`), which the widget reads. The worker's loader is generated here too, named by
//! its own hash.

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::path::Path;

fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Renames `dir/rel` to include its content hash; returns the new relative path.
fn hashed(dir: &Path, rel: &str) -> Result<String> {
    let path = dir.join(rel);
    let bytes = std::fs::read(&path)
        .with_context(|| format!("{} is missing from the build", path.display()))?;
    let (stem, ext) = rel.rsplit_once('.').context("file without extension")?;
    let new = format!("{stem}-{}.{ext}", short_hash(&bytes));
    std::fs::rename(&path, dir.join(&new))?;
    Ok(new)
}

pub fn run() -> Result<()> {
    let dir = std::env::var("TRUNK_STAGING_DIR")
        .context("run by Trunk's post_build hook (TRUNK_STAGING_DIR unset)")?;
    let dir = Path::new(&dir);
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
    let loader_name = format!(
        "assistant-worker-loader-{}.js",
        short_hash(loader.as_bytes())
    );
    std::fs::write(dir.join(&loader_name), loader)?;

    let manifest = serde_json::json!({
        "worker": loader_name,
        "model": hashed(dir, "model/intent-model.onnx")?,
        "meta": hashed(dir, "model/intent-model.json")?,
        "answers": hashed(dir, "kb/answers.json")?,
        "products": hashed(dir, "kb/products.json")?,
    });
    let index = dir.join("index.html");
    let html = std::fs::read_to_string(&index)?;
    if !html.contains("__ASSISTANT_ASSETS__") {
        bail!("index.html has no __ASSISTANT_ASSETS__ placeholder");
    }
    // JSON inside <script type="application/json">: only "</" could end the element early.
    let json = manifest.to_string().replace("</", "<\\/");
    std::fs::write(&index, html.replace("__ASSISTANT_ASSETS__", &json))?;
    Ok(())
}

//! `cargo xtask kb`: validate the knowledge base's TOML sources and write the bundles the browser
//! downloads: `public/kb/answers.json` (answers) and `public/kb/products.json` (product catalogue and
//! glossary). `--check` fails when a committed bundle is stale.

use anyhow::{Result, bail};
use assistant_core::kb::KnowledgeBase;
use assistant_core::products::ProductBundle;
use std::path::Path;

/// Reads and validates the knowledge base under `root/public/kb`.
pub fn load(root: &Path) -> Result<KnowledgeBase> {
    let dir = root.join("public/kb/intents");
    let mut files = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?.collect::<Result<Vec<_>, _>>()?;
    paths.sort_by_key(|e| e.file_name());
    for entry in paths {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "toml") {
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            files.push((name, std::fs::read_to_string(&path)?));
        }
    }
    let oos_name = "public/kb/out_of_scope.toml";
    let oos = std::fs::read_to_string(root.join(oos_name))?;
    match KnowledgeBase::from_sources(&files, (oos_name, &oos)) {
        Ok(kb) => Ok(kb),
        Err(errors) => {
            for e in &errors {
                eprintln!("  {e}");
            }
            bail!(
                "the knowledge base has {} mistake(s), listed above",
                errors.len()
            )
        }
    }
}

/// The bundle's JSON text.
pub fn bundle_json(kb: &KnowledgeBase) -> Result<String> {
    Ok(serde_json::to_string_pretty(&kb.answer_bundle())? + "\n")
}

/// Reads and validates `public/kb/products.toml` and `public/kb/glossary.toml`.
pub fn load_products(root: &Path) -> Result<ProductBundle> {
    let read = |name: &str| std::fs::read_to_string(root.join("public/kb").join(name));
    match ProductBundle::from_sources(&read("products.toml")?, &read("glossary.toml")?) {
        Ok(b) => Ok(b),
        Err(errors) => {
            for e in &errors {
                eprintln!("  {e}");
            }
            bail!(
                "the product catalogue or glossary has {} mistake(s), listed above",
                errors.len()
            )
        }
    }
}

/// Writes `out`, or with `check` fails when it differs from `json`.
fn write_or_check(root: &Path, out: &str, json: &str, check: bool) -> Result<()> {
    let path = root.join(out);
    if check {
        if std::fs::read_to_string(&path).unwrap_or_default() != json {
            bail!("{out} is out of date with its TOML sources: run `cargo xtask kb`");
        }
    } else {
        std::fs::write(&path, json)?;
    }
    Ok(())
}

pub fn run(root: &Path, check: bool) -> Result<()> {
    let products = load_products(root)?;
    let json = serde_json::to_string_pretty(&products)? + "\n";
    write_or_check(root, "public/kb/products.json", &json, check)?;
    println!(
        "products OK: {} products, {} glossary terms{}",
        products.catalogue.products.len(),
        products.glossary.terms.len(),
        if check {
            ", products.json up to date"
        } else {
            " → public/kb/products.json"
        }
    );
    let kb = load(root)?;
    let json = bundle_json(&kb)?;
    let out = root.join("public/kb/answers.json");
    if check {
        let current = std::fs::read_to_string(&out).unwrap_or_default();
        if current != json {
            bail!(
                "public/kb/answers.json is out of date with public/kb/*.toml: run `cargo xtask kb`"
            );
        }
        println!(
            "knowledge base OK: {} intents, answers.json up to date",
            kb.intents.len()
        );
    } else {
        std::fs::write(&out, json)?;
        println!(
            "knowledge base OK: {} intents → {}",
            kb.intents.len(),
            out.display()
        );
    }
    Ok(())
}

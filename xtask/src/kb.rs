//! `cargo xtask kb`: validate the knowledge base's TOML sources and write `public/kb/answers.json`,
//! the only knowledge-base file the browser downloads. `--check` fails when the committed bundle is stale.

use anyhow::{Result, bail};
use assistant_core::kb::KnowledgeBase;
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

pub fn run(root: &Path, check: bool) -> Result<()> {
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

//! Our `t2s` against `ferrous-opencc`'s `T2s` (the converter the committed model was trained with):
//! byte-identical on every phrase of the knowledge base, on the BANKING77 and CLINC150 files when the
//! shared data directory is present, and on every key and value of OpenCC's tables, alone and run
//! together. Any difference would shift the model's features, so this test guards the replacement.

use assistant_core::t2s::T2s;
use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every string value in a TOML or JSON document.
fn strings_of_toml(v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::String(s) => out.push(s.clone()),
        toml::Value::Array(a) => a.iter().for_each(|v| strings_of_toml(v, out)),
        toml::Value::Table(t) => t.values().for_each(|v| strings_of_toml(v, out)),
        _ => {}
    }
}

fn strings_of_json(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|v| strings_of_json(v, out)),
        serde_json::Value::Object(o) => o.values().for_each(|v| strings_of_json(v, out)),
        _ => {}
    }
}

/// Compares both converters on `texts` as given and after NFKC (what the normaliser hands to t2s).
fn differences(texts: &[String]) -> Vec<String> {
    let old = OpenCC::from_config(BuiltinConfig::T2s).unwrap();
    let new = T2s::new();
    texts
        .iter()
        .flat_map(|t| [t.clone(), t.nfkc().collect()])
        .filter(|t| old.convert(t) != new.convert(t))
        .map(|t| format!("{t:?}: {:?} vs {:?}", old.convert(&t), new.convert(&t)))
        .collect()
}

#[test]
fn identical_on_the_knowledge_base() {
    let mut texts = Vec::new();
    let kb = root().join("public/kb");
    let mut files: Vec<PathBuf> = std::fs::read_dir(kb.join("intents"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(kb.join("out_of_scope.toml"));
    for f in &files {
        let doc: toml::Value = toml::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        strings_of_toml(&doc, &mut texts);
    }
    let answers: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(kb.join("answers.json")).unwrap()).unwrap();
    strings_of_json(&answers, &mut texts);
    assert!(texts.len() > 2_000, "only {} strings found", texts.len());
    eprintln!("{} knowledge-base strings compared", texts.len());
    assert_eq!(differences(&texts), Vec::<String>::new());
}

#[test]
fn identical_on_the_datasets_when_present() {
    let data = root().join("../shared/data");
    let mut texts = Vec::new();
    for csv in ["banking77/train.csv", "banking77/test.csv"] {
        if let Ok(text) = std::fs::read_to_string(data.join(csv)) {
            texts.extend(text.lines().map(str::to_owned));
        }
    }
    if let Ok(text) = std::fs::read_to_string(data.join("clinc150/data_full.json")) {
        strings_of_json(&serde_json::from_str(&text).unwrap(), &mut texts);
    }
    if texts.is_empty() {
        eprintln!("shared data not found under {}; skipped", data.display());
        return;
    }
    eprintln!("{} dataset strings compared", texts.len());
    assert_eq!(differences(&texts), Vec::<String>::new());
}

#[test]
fn identical_on_every_table_entry() {
    let mut texts = Vec::new();
    for table in [
        include_str!("../data/opencc/TSPhrases.txt"),
        include_str!("../data/opencc/TSCharacters.txt"),
    ] {
        let mut run = String::new();
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split(['\t', ' ']).filter(|f| !f.is_empty()).collect();
            texts.extend(fields.iter().map(|f| f.to_string()));
            // Keys run together, so that matches cross entry boundaries as in real sentences.
            run.push_str(fields.first().copied().unwrap_or(""));
            if run.chars().count() >= 40 {
                texts.push(std::mem::take(&mut run));
            }
        }
        texts.push(run);
    }
    assert!(texts.len() > 8_000);
    eprintln!("{} table entries and runs compared", texts.len());
    assert_eq!(differences(&texts), Vec::<String>::new());
}

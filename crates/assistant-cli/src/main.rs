//! `assistant`: the intent engine on the command line, with the same core and model file as the browser.
//!
//! - `assistant classify`: questions on stdin, one per line → one JSON object per line:
//!   `{"intent": "...", "confidence": 0.93, "route": "answer" | "handoff" | "server"}`.
//! - `assistant eval FILE.csv`: a CSV with `text,category` columns → accuracy and where questions went,
//!   through `assistant_core::assistant::reply`, the function the browser's worker answers with (the
//!   answers and products from `--kb-dir`, default `public/kb`).
//! - `assistant features`: JSON strings on stdin, one per line → the featuriser's ids and weights, one
//!   JSON object per line. Training uses this, so Python never re-implements the featuriser. `--buckets W,C`
//!   overrides the bucket counts (for experiments; hashes folded with `% buckets`).
//! - `assistant featuriser`: the featuriser's settings as JSON (copied into the model metadata).
//! - `assistant distress FILE.csv [--misses]`: a CSV with `text,label,lang` columns (label one of angry,
//!   anxious, frightened, neutral, positive; lang en or zh) → per language, the precision and recall of
//!   `is_distressed` for "upset" (angry, anxious, frightened) against calm (neutral, positive), each with
//!   its binomial standard error, and the calm messages it flagged (`--misses`: the upset ones it missed
//!   too). The text is masked first, as the widget does before it decides.
//!
//! Like the widget, `classify` and `eval` mask personal data before the model sees the text.

use anyhow::{Context, Result, bail};
use assistant_core::answers::AnswerBundle;
use assistant_core::assistant::{self, Knowledge, Question};
use assistant_core::distress::is_distressed;
use assistant_core::engine::IntentEngine;
use assistant_core::features::{FeaturiserConfig, featurise};
use assistant_core::locale::Lang;
use assistant_core::normalize::Normalizer;
use assistant_core::pii;
use assistant_core::products::ProductBundle;
use assistant_core::protocol::View;
use assistant_core::routing::{Reason, Route, decide};
use assistant_core::taxonomy;
use std::collections::BTreeMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

const USAGE: &str = "usage: assistant <classify | eval FILE.csv | features [--buckets W,C] | featuriser | distress FILE.csv [--misses]> [--model-dir DIR] [--kb-dir DIR]";

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let model_dir = take_option(&mut args, "--model-dir")?
        .or_else(|| std::env::var("ASSISTANT_MODEL_DIR").ok())
        .map_or_else(|| PathBuf::from("public/model"), PathBuf::from);
    let kb_dir = take_option(&mut args, "--kb-dir")?
        .map_or_else(|| PathBuf::from("public/kb"), PathBuf::from);
    match args.first().map(String::as_str) {
        Some("classify") => classify(&load_engine(&model_dir)?),
        Some("eval") => {
            let misses = take_flag(&mut args, "--misses");
            let file = args.get(1).context(USAGE)?;
            eval(&load_engine(&model_dir)?, &kb_dir, file, misses)
        }
        Some("features") => {
            let mut cfg = FeaturiserConfig::default();
            if let Some(b) = take_option(&mut args, "--buckets")? {
                (cfg.word_buckets, cfg.char_buckets) = parse_buckets(&b)?;
            }
            features(&cfg)
        }
        Some("distress") => {
            let misses = take_flag(&mut args, "--misses");
            distress(args.get(1).context(USAGE)?, misses)
        }
        Some("featuriser") => {
            println!(
                "{}",
                serde_json::to_string_pretty(&FeaturiserConfig::default())?
            );
            Ok(())
        }
        _ => bail!(USAGE),
    }
}

fn take_flag(args: &mut Vec<String>, name: &str) -> bool {
    let found = args.iter().position(|a| a == name);
    if let Some(i) = found {
        args.remove(i);
    }
    found.is_some()
}

fn take_option(args: &mut Vec<String>, name: &str) -> Result<Option<String>> {
    let Some(i) = args.iter().position(|a| a == name) else {
        return Ok(None);
    };
    if i + 1 >= args.len() {
        bail!("{name} needs a value");
    }
    let value = args.remove(i + 1);
    args.remove(i);
    Ok(Some(value))
}

/// Loads `intent-model.onnx` and `intent-model.json` from `dir`.
pub fn load_engine(dir: &std::path::Path) -> Result<IntentEngine> {
    let onnx_path = dir.join("intent-model.onnx");
    let meta_path = dir.join("intent-model.json");
    let onnx =
        std::fs::read(&onnx_path).with_context(|| format!("reading {}", onnx_path.display()))?;
    let meta = std::fs::read_to_string(&meta_path)
        .with_context(|| format!("reading {}", meta_path.display()))?;
    Ok(IntentEngine::load(&onnx, &meta)?)
}

#[derive(serde::Serialize)]
struct Classified<'a> {
    intent: &'a str,
    confidence: f32,
    route: Route,
}

fn classify(engine: &IntentEngine) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let masked = pii::mask(&line).text;
        let prediction = engine.predict(&masked)?;
        let decision = decide(&prediction.ranked, &masked, &engine.meta().thresholds);
        let (intent, confidence) = prediction.top();
        serde_json::to_writer(
            &mut out,
            &Classified {
                intent,
                confidence: round3(confidence),
                route: decision.route,
            },
        )?;
        writeln!(out)?;
        out.flush()?;
    }
    Ok(())
}

fn round3(p: f32) -> f32 {
    (p * 1000.0).round() / 1000.0
}

/// `misses`: also print each question the assistant got wrong (wrong answer, scam not warned, part of a
/// product not opened, second question not offered), for looking at dev sets only.
fn eval(engine: &IntentEngine, kb_dir: &std::path::Path, file: &str, misses: bool) -> Result<()> {
    let read = |name: &str| {
        let path = kb_dir.join(name);
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
    };
    let answers = AnswerBundle::parse(&read("answers.json")?).map_err(anyhow::Error::msg)?;
    // Without a catalogue the browser makes no comparisons either.
    let products = read("products.json")
        .ok()
        .map(|json| ProductBundle::parse(&json).map_err(anyhow::Error::msg))
        .transpose()?;
    let knowledge = Knowledge {
        model: Some((engine, &answers)),
        products: products.as_ref(),
    };
    let (mut reader, col) = open_csv(file)?;
    let (text_col, cat_col) = (col("text")?, col("category")?);
    // Optional columns of the customers'-words sets (training/customer/): the part of a product asked
    // about, and the second question of a two-part one.
    let (facet_col, second_col) = (col("facet").ok(), col("second").ok());
    let mut n = Tally::default();
    let mut routes: BTreeMap<&str, usize> = BTreeMap::new();
    for record in reader.records() {
        let record = record?;
        let masked = pii::mask(&record[text_col]).text;
        let question = Question {
            id: 0,
            text: &masked,
            locale: Lang::En,
            simple: false,
            chip: None,
        };
        let reply = assistant::reply(&question, knowledge).map_err(anyhow::Error::msg)?;
        let want = &record[cat_col];
        let said = reply.intent.as_deref();
        n.total += 1;
        n.top1 += usize::from(reply.top.first().is_some_and(|(i, _)| i == want));
        let route = match reply.route {
            Route::Answer => "answer",
            Route::Handoff => "handoff",
            Route::Server => "server",
            Route::Clarify => "did you mean",
        };
        *routes.entry(route).or_default() += 1;
        let miss = |what: &str| {
            if misses {
                println!(
                    "miss ({what}): {:?} want {want}, got {:?} {:?}",
                    &record[text_col], reply.route, said
                );
            }
        };
        if reply.route == Route::Answer {
            n.answered += 1;
            n.answered_right += usize::from(said == Some(want));
            if said != Some(want) {
                miss("wrong answer");
            }
        }
        if reply.route == Route::Clarify {
            n.clarified += 1;
            n.clarified_with_right += usize::from(reply.choices.iter().any(|c| c.intent == want));
        }
        let warned = reply.reason == Reason::Scam;
        if want == taxonomy::SCAM_WARNING {
            n.scams += 1;
            n.scams_warned += usize::from(warned);
            if !warned {
                miss("scam not warned");
            }
        } else {
            n.false_scam += usize::from(warned);
        }
        if let Some(f) = facet_col.map(|c| &record[c]).filter(|f| !f.is_empty()) {
            n.facets += 1;
            let opened = reply.view.as_deref().and_then(|v| match v {
                View::Card(c) => c.parts.get(1).map(|p| p.key.clone()),
                _ => None,
            });
            let right = opened.as_deref() == Some(&format!("facet-{f}"));
            n.facets_opened += usize::from(right);
            if !right {
                miss(&format!("facet {f}, opened {opened:?}"));
            }
        }
        if let Some(s) = second_col.map(|c| &record[c]).filter(|s| !s.is_empty()) {
            n.seconds += 1;
            // Both parts covered: one answered, the other offered (either order).
            let also = reply.also.as_ref().map(|a| a.intent.as_str());
            let offered =
                (also == Some(s) && said == Some(want)) || (also == Some(want) && said == Some(s));
            n.seconds_offered += usize::from(offered);
            if !offered {
                miss(&format!(
                    "second {s}, offered {:?}",
                    reply.also.as_ref().map(|a| &a.intent)
                ));
            }
        }
    }
    if n.total == 0 {
        bail!("{file} has no rows");
    }
    let rate = |k, of| with_se(k, of, 2);
    println!("file: {file}");
    println!("examples: {}", n.total);
    println!("top-1 accuracy: {}", rate(n.top1, n.total));
    for route in ["answer", "did you mean", "handoff", "server"] {
        let k = routes.get(route).copied().unwrap_or(0);
        println!("routed to {route}: {}", rate(k, n.total));
    }
    println!(
        "accuracy of the answers given: {}",
        rate(n.answered_right, n.answered)
    );
    println!(
        "did you mean, right intent among the choices: {}",
        rate(n.clarified_with_right, n.clarified)
    );
    if n.scams > 0 || n.false_scam > 0 {
        println!("scam stories warned: {}", rate(n.scams_warned, n.scams));
        println!(
            "other questions warned as scams: {}",
            rate(n.false_scam, n.total - n.scams)
        );
    }
    if n.facets > 0 {
        println!(
            "product questions opened at the part asked: {}",
            rate(n.facets_opened, n.facets)
        );
    }
    if n.seconds > 0 {
        println!(
            "two-part questions, one part answered and the other offered: {}",
            rate(n.seconds_offered, n.seconds)
        );
    }
    Ok(())
}

/// Counts for `eval` (each rate is printed with its binomial standard error).
#[derive(Default)]
struct Tally {
    total: usize,
    top1: usize,
    answered: usize,
    answered_right: usize,
    clarified: usize,
    clarified_with_right: usize,
    scams: usize,
    scams_warned: usize,
    false_scam: usize,
    facets: usize,
    facets_opened: usize,
    seconds: usize,
    seconds_offered: usize,
}

#[derive(serde::Serialize)]
struct FeatureLine {
    ids: Vec<i64>,
    weights: Vec<f32>,
}

/// `--buckets W,C` (experiments only: the committed model uses the default sizes).
fn parse_buckets(s: &str) -> Result<(u32, u32)> {
    let parse = |p: &str| p.trim().parse::<u32>().ok().filter(|&n| n > 0);
    match s.split_once(',') {
        Some((w, c)) => match (parse(w), parse(c)) {
            (Some(w), Some(c)) => Ok((w, c)),
            _ => bail!("--buckets expects two positive numbers, e.g. 8192,8192; got {s:?}"),
        },
        None => bail!("--buckets expects WORD,CHAR bucket counts, e.g. 8192,8192; got {s:?}"),
    }
}

fn features(cfg: &FeaturiserConfig) -> Result<()> {
    let normalizer = Normalizer::new();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line?;
        let text: String = serde_json::from_str(&line)
            .with_context(|| format!("line {}: expected a JSON string", n + 1))?;
        let f = featurise(&normalizer.normalize(&text), cfg);
        serde_json::to_writer(
            &mut out,
            &FeatureLine {
                ids: f.ids,
                weights: f.weights,
            },
        )?;
        writeln!(out)?;
    }
    Ok(())
}

/// Counts for one language in `assistant distress`.
#[derive(Default)]
struct DistressCounts {
    /// Upset and flagged, upset and missed, calm and flagged, calm and not flagged.
    tp: usize,
    missed: usize,
    fp: usize,
    tn: usize,
    false_alarms: Vec<(String, String)>,
    misses: Vec<(String, String)>,
}

/// `p` with one binomial standard error, `sqrt(p(1-p)/n)`, as percentages; "n/a" when `n` is 0.
/// (`decimals` after the point.)
fn with_se(k: usize, n: usize, decimals: usize) -> String {
    if n == 0 {
        return "n/a".to_owned();
    }
    let p = k as f64 / n as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    let d = decimals;
    format!("{:5.d$}% ± {:4.d$} ({k}/{n})", 100.0 * p, 100.0 * se)
}

/// A CSV file's rows and a look-up of its columns by name (an error naming the file and the column).
fn open_csv(
    file: &str,
) -> Result<(
    csv::Reader<std::fs::File>,
    impl Fn(&str) -> Result<usize> + use<'_>,
)> {
    let mut reader = csv::Reader::from_path(file).with_context(|| format!("reading {file}"))?;
    let headers = reader.headers()?.clone();
    let col = move |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{file} has no '{name}' column"))
    };
    Ok((reader, col))
}

fn distress(file: &str, show_misses: bool) -> Result<()> {
    let (mut reader, col) = open_csv(file)?;
    let (text_col, label_col, lang_col) = (col("text")?, col("label")?, col("lang")?);
    let mut by_lang: BTreeMap<String, DistressCounts> = BTreeMap::new();
    for (n, record) in reader.records().enumerate() {
        let record = record?;
        let (text, label, lang) = (&record[text_col], &record[label_col], &record[lang_col]);
        let upset = match label {
            "angry" | "anxious" | "frightened" => true,
            "neutral" | "positive" => false,
            other => bail!("{file} row {}: unknown label {other:?}", n + 2),
        };
        if !matches!(lang, "en" | "zh") {
            bail!("{file} row {}: unknown lang {lang:?}", n + 2);
        }
        // The widget decides on the masked text.
        let flagged = is_distressed(&pii::mask(text).text);
        let c = by_lang.entry(lang.to_owned()).or_default();
        match (upset, flagged) {
            (true, true) => c.tp += 1,
            (true, false) => {
                c.missed += 1;
                c.misses.push((label.to_owned(), text.to_owned()));
            }
            (false, true) => {
                c.fp += 1;
                c.false_alarms.push((label.to_owned(), text.to_owned()));
            }
            (false, false) => c.tn += 1,
        }
    }
    if by_lang.is_empty() {
        bail!("{file} has no rows");
    }
    println!("file: {file}");
    println!(
        "upset = angry + anxious + frightened; calm = neutral + positive; ± one binomial standard error"
    );
    for (lang, c) in &by_lang {
        println!("[{lang}] {} upset, {} calm", c.tp + c.missed, c.fp + c.tn);
        println!("  precision {}", with_se(c.tp, c.tp + c.fp, 1));
        println!("  recall    {}", with_se(c.tp, c.tp + c.missed, 1));
        println!("  calm flagged {}", with_se(c.fp, c.fp + c.tn, 1));
        for (label, text) in &c.false_alarms {
            println!("  false positive ({label}): {text}");
        }
        if show_misses {
            for (label, text) in &c.misses {
                println!("  missed ({label}): {text}");
            }
        }
    }
    Ok(())
}

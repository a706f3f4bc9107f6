//! Project commands (the cargo-xtask pattern): `cargo xtask <command>`.
//!
//! - `dev`: install what is missing, build the widget and worker, serve the demo bank page;
//! - `test`: install what tests need and run every test (native, wasm, browser end-to-end);
//! - `bench`: native and in-browser benchmarks, asset sizes;
//! - `train`: retrain the intent model from the knowledge base and datasets;
//! - `kb [--check]`: validate the knowledge base and bundle its answers;
//! - `fingerprint`: (Trunk post-build hook) give worker/model/KB files content-hashed names.

mod fingerprint;
mod kb;

use anyhow::{Result, bail};
use std::path::PathBuf;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = root();
    match args.first().map(String::as_str) {
        Some("fingerprint") => fingerprint::run(),
        Some("kb") => kb::run(&root, args.iter().any(|a| a == "--check")),
        _ => bail!("usage: cargo xtask <dev | test | bench | train | kb [--check] | fingerprint>"),
    }
}

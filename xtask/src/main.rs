//! Project commands (the cargo-xtask pattern): `cargo xtask <command>`.
//!
//! - `dev`: install what is missing, build the widget and worker, and run the assistant server, which
//!   serves the demo bank page, the widget and the API on http://127.0.0.1:8080/ (`PORT` to change);
//! - `test`: install what tests need and run every test: knowledge-base check, native unit/property/
//!   parity tests, wasm tests (core + model, the widget's JSON writing; Node, wasm-bindgen-test), browser tests;
//! - `test-server`: the server's tests on SQLite and on a throwaway PostgreSQL;
//! - `bench [--native] [--browser] [--runtime] [--peers] [--server]`: native inference benchmark,
//!   in-browser load/inference benchmark, asset sizes; side by side with onnxruntime-web and the peers'
//!   widgets, and the server on SQLite and PostgreSQL (issue #18; `bench.rs`). No flag: all of them;
//! - `train`: retrain the intent model (Python, training/requirements.txt) and re-check it natively;
//! - `kb [--check]`: validate the knowledge base and bundle its answers;
//! - `screenshots`: re-take docs/screenshots/ (normal and elder mode, en/zh, phone/desktop);
//! - `fingerprint`: (Trunk post-build hook) hashed names, the `assistant.js` loader and SRI hashes.

mod bench;
mod fingerprint;
mod kb;
#[cfg(test)]
mod layout;
mod server;
mod tools;
mod words;

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use tools::run as sh;

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
        Some("dev") => dev(&root),
        Some("test") => test(&root),
        Some("test-server") => server::test_postgres(&root),
        Some("bench") => bench::run(&root, &args[1..]),
        Some("train") => train(&root),
        Some("fingerprint") => fingerprint::run(&root),
        Some("screenshots") => screenshots(&root),
        Some("kb") => kb::run(&root, args.iter().any(|a| a == "--check")),
        _ => bail!(
            "usage: cargo xtask <dev | test | test-server | bench [--native|--browser|--runtime|--peers|--server] | train | kb [--check] | screenshots \
             | fingerprint>"
        ),
    }
}

fn cargo(root: &Path, args: &[&str]) -> Result<()> {
    sh(Command::new("cargo").args(args).current_dir(root))
}

fn build_dist(root: &Path) -> Result<()> {
    sh(Command::new("trunk")
        .args(["build", "--release"])
        .env("PATH", tools::path_with_build_tools(root))
        .current_dir(root))
}

fn dev(root: &Path) -> Result<()> {
    tools::ensure_build_tools(root)?;
    kb::run(root, false)?;
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
    println!(
        "serving the demo bank page on http://127.0.0.1:{port}/ (first build takes a few minutes)"
    );
    build_dist(root)?;
    server::dev(root, &port)
}

fn test(root: &Path) -> Result<()> {
    tools::ensure_build_tools(root)?;
    tools::ensure_test_tools(root)?;
    println!("== knowledge base");
    kb::run(root, true)?;
    println!("== native tests (unit, property, model parity)");
    cargo(
        root,
        &[
            "test",
            "--workspace",
            "--exclude",
            "assistant-widget",
            "--exclude",
            "assistant-worker",
        ],
    )?;
    println!("== server storage tests again, on a throwaway PostgreSQL");
    server::test_postgres(root)?;
    println!("== wasm tests (core and committed model; the widget's JSON writing; in Node)");
    for args in [
        &["-p", "assistant-core", "--test", "wasm"][..],
        &["-p", "assistant-widget"][..],
    ] {
        sh(Command::new("cargo")
            .args(["test", "--target", "wasm32-unknown-unknown"])
            .args(args)
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .current_dir(root))?;
    }
    println!("== browser end-to-end tests (headless Chromium, against the real server)");
    build_dist(root)?;
    cargo(
        root,
        &["build", "-p", "assistant-server", "-p", "assistant-cli"],
    )?;
    // The improvement loop's test retrains a small model (training/train.py --quick).
    let python = tools::ensure_training_python(root)?;
    sh(Command::new("npm")
        .args(["test"])
        .env("TRAINING_PYTHON", python)
        .env("ASSISTANT_CLI", root.join("target/debug/assistant"))
        .current_dir(root.join("tests/e2e")))
}

/// Re-takes the README's screenshots (docs/screenshots/) from a fresh release build.
fn screenshots(root: &Path) -> Result<()> {
    tools::ensure_build_tools(root)?;
    tools::ensure_test_tools(root)?;
    build_dist(root)?;
    cargo(root, &["build", "-p", "assistant-server"])?;
    sh(Command::new("node")
        .arg("screenshots.mjs")
        .current_dir(root.join("tests/e2e")))?;
    sh(Command::new("node")
        .arg("insights-screenshots.mjs")
        .current_dir(root.join("tests/e2e")))
}

fn train(root: &Path) -> Result<()> {
    kb::run(root, false)?;
    sh(Command::new("python3")
        .arg("training/train.py")
        .current_dir(root))?;
    for set in [
        "banking77_test",
        "zh_heldout",
        "clinc_oos_test",
        "zh_oos_heldout",
    ] {
        let file = format!("training/out/{set}.csv");
        cargo(
            root,
            &[
                "run",
                "-q",
                "--release",
                "-p",
                "assistant-cli",
                "--",
                "eval",
                &file,
            ],
        )?;
    }
    Ok(())
}

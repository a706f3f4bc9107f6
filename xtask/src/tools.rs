//! Installs what the build and tests need, only when missing, so that `cargo xtask dev` and
//! `cargo xtask test` work on a fresh machine: the wasm32 target, Trunk, wasm-bindgen-cli (the exact
//! version in Cargo.lock), binaryen's wasm-opt (npm), Chromium (browser tests), the test's npm packages and
//! a Python virtual environment with the training packages (the improvement loop's test retrains a model).
//! Nothing is downloaded at run time by the tools themselves (Trunk.toml pins versions it must find).

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

pub const TRUNK_VERSION: &str = "0.21.14";

/// Runs a command, failing with its name when it fails.
pub fn run(cmd: &mut Command) -> Result<()> {
    let desc = format!("{cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start {desc}"))?;
    if !status.success() {
        bail!("{desc} failed ({status})");
    }
    Ok(())
}

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The wasm-bindgen version locked in Cargo.lock.
pub fn wasm_bindgen_version(root: &Path) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            let v = lines
                .next()
                .context("Cargo.lock: wasm-bindgen without version")?;
            return Ok(v
                .trim_start_matches("version = \"")
                .trim_end_matches('"')
                .to_owned());
        }
    }
    bail!("wasm-bindgen is not in Cargo.lock")
}

pub(crate) fn apt_install(packages: &[&str]) -> Result<()> {
    let sudo = output("id", &["-u"]).is_some_and(|u| u.trim() != "0");
    let mut prefix: Vec<&str> = if sudo { vec!["sudo"] } else { vec![] };
    prefix.extend(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
    let apt = |args: &[&str]| -> Result<()> {
        let mut cmd = Command::new(prefix[0]);
        cmd.args(&prefix[1..]).args(args);
        run(&mut cmd)
    };
    apt(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend(packages);
    apt(&args)
}

/// Everything needed to build the widget and worker.
pub fn ensure_build_tools(root: &Path) -> Result<()> {
    let targets = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets.lines().any(|t| t == "wasm32-unknown-unknown") {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let trunk = output("trunk", &["--version"]).unwrap_or_default();
    if !trunk.contains(TRUNK_VERSION) {
        eprintln!("installing trunk {TRUNK_VERSION} (about 8 minutes, once)…");
        run(Command::new("cargo").args([
            "install",
            "trunk",
            "--version",
            TRUNK_VERSION,
            "--locked",
        ]))?;
    }
    let wbg = wasm_bindgen_version(root)?;
    if !output("wasm-bindgen", &["--version"])
        .unwrap_or_default()
        .contains(&wbg)
    {
        eprintln!("installing wasm-bindgen-cli {wbg} (a few minutes, once)…");
        // Not --locked: the registry lacks one of its locked dependencies.
        run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &wbg]))?;
    }
    let bt = root.join("build-tools");
    if !bt.join("node_modules/.bin/wasm-opt").exists() {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&bt))?;
    }
    Ok(())
}

/// PATH with the npm build tools (wasm-opt) first, for Trunk.
pub fn path_with_build_tools(root: &Path) -> String {
    let bin = root.join("build-tools/node_modules/.bin");
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Chromium and the browser tests' npm packages.
pub fn ensure_test_tools(root: &Path) -> Result<()> {
    if !Path::new("/usr/bin/chromium").exists() {
        apt_install(&["chromium", "chromium-driver", "fonts-noto-cjk"])?;
    }
    let e2e = root.join("tests/e2e");
    if !e2e.join("node_modules/playwright-core").exists()
        || !e2e.join("node_modules/axe-core").exists()
    {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&e2e))?;
    }
    Ok(())
}

/// A Python virtual environment with `training/requirements.txt` (pinned numpy, scipy, onnx,
/// onnxruntime from PyPI), made once under `target/training-venv`; returns its interpreter. The system
/// Python is left as it is.
pub fn ensure_training_python(root: &Path) -> Result<std::path::PathBuf> {
    let venv = root.join("target/training-venv");
    let python = venv.join("bin/python");
    let requirements = root.join("training/requirements.txt");
    let stamp = venv.join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).context("training/requirements.txt")?;
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) && python.exists() {
        return Ok(python);
    }
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))
        .context("Python 3 with venv is needed for the training test (Debian: python3-venv)")?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&requirements))?;
    std::fs::write(stamp, wanted)?;
    Ok(python)
}

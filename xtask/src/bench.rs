//! `cargo xtask bench [--native] [--browser] [--runtime] [--peers] [--server]`: every benchmark, or the
//! parts named. Timings live here and in the bench scripts, never in tests.
//!
//! - `--native`: the CLI's criterion bench of the model (load, one question);
//! - `--browser`: `tests/e2e/bench.mjs` (sizes, the worker in Chromium, the page and launcher);
//! - `--runtime`: `tests/e2e/bench-runtime.mjs`, our tract worker against onnxruntime-web (issue #18);
//! - `--peers`: `tests/e2e/bench-peers.mjs`, our widget against the peers' published widgets (issue #18);
//! - `--server`: `POST /v1/chat` under wrk at 16 and 64 connections on SQLite and on a throwaway
//!   PostgreSQL in the same run, the 1,000-stream SSE hold on each, and the criterion bench of a chat
//!   request's parts (`crates/assistant-server/benches/parts.rs`), its storage on both databases.
//!   `BENCH_SECONDS` (default 15) sets how long wrk runs at each load. `SERVER_BIN=path` (relative to
//!   where xtask is run) loads that server binary instead of building this checkout's, to compare two
//!   versions one run after the other on the same machine, with this checkout's `public/kb` and wrk
//!   scripts (a build from before PostgreSQL support ignores `database_url`, so its "PostgreSQL" rows
//!   are SQLite again); the criterion bench, which measures this checkout's code, is then left out.
//!   `--server` alone needs wrk (installed when missing), python3, curl and PostgreSQL (likewise), none
//!   of the browser tools.

use crate::server::Postgres;
use crate::tools::{self, run as sh};
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PARTS: [&str; 5] = ["--native", "--browser", "--runtime", "--peers", "--server"];

pub fn run(root: &Path, args: &[String]) -> Result<()> {
    for a in args {
        if !PARTS.contains(&a.as_str()) {
            bail!("cargo xtask bench [{}]: unknown {a:?}", PARTS.join("] ["));
        }
    }
    let all = args.is_empty();
    let want = |p: &str| all || args.iter().any(|a| a == p);
    let browser = want("--browser") || want("--runtime") || want("--peers");
    if browser {
        tools::ensure_build_tools(root)?;
        tools::ensure_test_tools(root)?;
    }
    let peers = root.join("tests/e2e/peers");
    // The peers' packages (benchmark only: their own package.json, so the tests never install them).
    if (want("--runtime") || want("--peers"))
        && [
            "onnxruntime-web",
            "botframework-webchat",
            "rasa-webchat",
            "socket.io",
        ]
        .iter()
        .any(|p| !peers.join("node_modules").join(p).exists())
    {
        sh(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&peers))?;
    }
    if want("--native") {
        cargo(
            root,
            &["bench", "-p", "assistant-cli", "--bench", "inference"],
        )?;
    }
    if browser {
        crate::build_dist(root)?;
    }
    if want("--browser") {
        node(root, "bench.mjs", &[])?;
    }
    if want("--runtime") {
        // Our featuriser, natively, gives onnxruntime-web its feature vectors.
        cargo(root, &["build", "-q", "--release", "-p", "assistant-cli"])?;
        let cli = target_dir(root).join("release/assistant");
        node(
            root,
            "bench-runtime.mjs",
            &[("ASSISTANT_CLI", cli.display().to_string())],
        )?;
    }
    if want("--peers") {
        node(root, "bench-peers.mjs", &[])?;
    }
    if want("--server") {
        server(root)?;
    }
    Ok(())
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

fn cargo(root: &Path, args: &[&str]) -> Result<()> {
    sh(Command::new("cargo").args(args).current_dir(root))
}

fn node(root: &Path, script: &str, env: &[(&str, String)]) -> Result<()> {
    let mut c = Command::new("node");
    c.arg(script).current_dir(root.join("tests/e2e"));
    for (k, v) in env {
        c.env(k, v);
    }
    sh(&mut c)
}

/// Speed-optimised server build (the workspace's release profile optimises the wasm for size):
/// opt-level 3, LTO off.
fn bench_profile(c: &mut Command) -> &mut Command {
    c.env("CARGO_PROFILE_BENCH_LTO", "false")
        .env("CARGO_PROFILE_BENCH_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_BENCH_DEBUG", "false")
}

struct Load {
    requests: u64,
    errors: String,
    rps: f64,
    p50: String,
    p90: String,
    p99: String,
}

fn server(root: &Path) -> Result<()> {
    if Command::new("wrk").arg("--version").output().is_err() {
        tools::apt_install(&["wrk"])?;
    }
    // Another build to compare with, or this checkout's.
    let other = std::env::var_os("SERVER_BIN").filter(|b| !b.is_empty());
    let bin = match &other {
        Some(b) => {
            let b = std::path::absolute(b)?;
            if !b.is_file() {
                bail!("SERVER_BIN={}: no such file", b.display());
            }
            b
        }
        None => {
            sh(bench_profile(
                Command::new("cargo")
                    .args([
                        "build",
                        "-q",
                        "--profile",
                        "bench",
                        "-p",
                        "assistant-server",
                    ])
                    .current_dir(root),
            ))?;
            target_dir(root).join("release/assistant-server")
        }
    };
    println!("server: {}", bin.display());
    let secs: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let pg = Postgres::start()?;
    let mut results = Vec::new();
    for (name, url) in [("SQLite", String::new()), ("PostgreSQL", pg.url.clone())] {
        results.push((name, server_load(root, &bin, &url, secs)?));
    }
    println!(
        "\n/v1/chat under wrk (loopback, 2 threads, {secs} s each after a 3 s warm-up, rate limits off), \
         then 1,000 SSE streams held 10 s; {}",
        machine()
    );
    println!(
        "| database | connections | requests | req/s | p50 / p90 / p99 ms | errors: status / connect / timeout |\n|---|---:|---:|---:|---|---|"
    );
    for (name, (loads, _)) in &results {
        for (conns, l) in loads {
            println!(
                "| {name} | {conns} | {} | {:.0} | {} / {} / {} | {} |",
                l.requests, l.rps, l.p50, l.p90, l.p99, l.errors
            );
        }
    }
    for (name, (_, sse)) in &results {
        println!("| {name} | SSE hold | {sse} | | | |");
    }
    let (sqlite, postgres) = (&results[0].1.0, &results[1].1.0);
    for ((c, s), (_, p)) in sqlite.iter().zip(postgres) {
        println!(
            "PostgreSQL ÷ SQLite at {c} connections: throughput {:.2}",
            p.rps / s.rps
        );
    }
    if other.is_some() {
        println!(
            "\nSERVER_BIN is set: the criterion bench of a chat request's parts (this checkout's code) is left out"
        );
        return Ok(());
    }
    println!(
        "\n== parts of a chat request (criterion; storage on SQLite in a temp file and on the throwaway PostgreSQL)"
    );
    sh(bench_profile(
        Command::new("cargo")
            .args([
                "bench",
                "-p",
                "assistant-server",
                "--bench",
                "parts",
                "--",
                "--warm-up-time",
                "1",
                "--measurement-time",
                "3",
            ])
            .env("BENCH_DATABASE_URL", &pg.url)
            .current_dir(root),
    ))?;
    Ok(())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpu
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "machine: {cores} cores, {model}; load average at the end: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}

struct Running(Child);
impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One server on `database_url` (empty: SQLite in a temp data dir): wrk at 16 and 64 connections, then
/// the SSE hold.
fn server_load(
    root: &Path,
    bin: &Path,
    database_url: &str,
    secs: u64,
) -> Result<(Vec<(u32, Load)>, String)> {
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let data = std::env::temp_dir().join(format!("assistant-bench-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&data)?;
    let hash = {
        let mut c = Command::new(bin)
            .arg("hash-password")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        c.stdin.take().unwrap().write_all(b"bench-password\n")?;
        String::from_utf8(c.wait_with_output()?.stdout)?
            .trim()
            .to_owned()
    };
    let config = format!(
        r#"data_dir = "{data}"
database_url = "{database_url}"
kb_dir = "{kb}"
[server]
host = "127.0.0.1"
port = {port}
[rate_limit]
per_second = 0
[hours]
always_open = true
[log]
level = "warn"
[limits]
conversations_per_ip_per_hour = 0
handoffs_per_ip_per_hour = 0
handoffs_per_conversation_per_hour = 0
streams_per_ip = 5000
streams_per_conversation = 1000
[security]
secure_cookies = false
hsts = false
[[agents]]
username = "bench"
display_name = "Bench"
password_hash = "{hash}"
"#,
        data = data.display(),
        kb = root.join("public/kb").display(),
    );
    let file = data.join("bench.toml");
    std::fs::write(&file, config)?;
    // ulimit -n for 1,000 streams + wrk: the server inherits the shell's limit.
    let server = Running(
        Command::new("sh")
            .arg("-c")
            .arg(r#"ulimit -n 8192 2>/dev/null; exec "$0" --config "$1""#)
            .arg(bin)
            .arg(&file)
            .current_dir(root)
            .spawn()?,
    );
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while Command::new("curl")
        .args(["-sf", &format!("{base}/readyz")])
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        if started.elapsed() > Duration::from_secs(30) {
            bail!("assistant-server did not start on {base}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    // Conversations for wrk to ask in, opened once each as the widget does: "id secret" per line.
    let conversations = data.join("conversations.txt");
    let out = Command::new("python3")
        .arg("-c")
        .arg(OPEN_CONVERSATIONS)
        .arg(&base)
        .arg("200")
        .output()?;
    if !out.status.success() {
        bail!(
            "opening conversations: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::write(&conversations, &out.stdout)?;
    let lua = root.join("crates/assistant-server/bench/chat.lua");
    let wrk = |conns: u32, secs: u64| -> Result<String> {
        let out = Command::new("sh")
            .arg("-c")
            .arg(
                r#"ulimit -n 8192 2>/dev/null; exec wrk -t2 -c"$1" -d"$2"s --latency -s "$3" "$4""#,
            )
            .arg("wrk")
            .arg(conns.to_string())
            .arg(secs.to_string())
            .arg(&lua)
            .arg(&base)
            .env("BENCH_CONVERSATIONS", &conversations)
            .output()
            .context("wrk")?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let mut loads = Vec::new();
    for conns in [16, 64] {
        wrk(conns, 3)?; // warm-up
        let text = wrk(conns, secs)?;
        let field = |key: &str| {
            text.split_whitespace()
                .find_map(|w| w.strip_prefix(key))
                .unwrap_or("?")
                .to_owned()
        };
        let requests: u64 = field("requests=").parse().unwrap_or(0);
        let rps = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0.0);
        let errors = ["errors(status)=", "errors(connect)=", "errors(timeout)="]
            .map(field)
            .join(" / ");
        let non2xx = text
            .lines()
            .find(|l| l.contains("Non-2xx"))
            .map(|l| format!(" {}", l.trim()))
            .unwrap_or_default();
        loads.push((
            conns,
            Load {
                requests,
                errors: format!("{errors}{non2xx}"),
                rps,
                p50: field("p50_ms="),
                p90: field("p90_ms="),
                p99: field("p99_ms="),
            },
        ));
    }
    let sse = Command::new("sh")
        .arg("-c")
        .arg(
            r#"ulimit -n 8192 2>/dev/null; exec python3 "$0" "$1" 1000 10 10 bench bench-password"#,
        )
        .arg(root.join("crates/assistant-server/bench/sse_hold.py"))
        .arg(&base)
        .output()?;
    let sse = String::from_utf8_lossy(&sse.stdout)
        .lines()
        .next()
        .unwrap_or("SSE hold printed nothing")
        .to_owned();
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    Ok((loads, sse))
}

const OPEN_CONVERSATIONS: &str = r#"
import json, secrets, sys, urllib.request
base, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    c = "bench-" + secrets.token_hex(12)
    body = json.dumps({"conversation_id": c, "claim": secrets.token_hex(20)}).encode()
    req = urllib.request.Request(base + "/v1/conversations", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    print(c, json.load(urllib.request.urlopen(req))["secret"])
"#;

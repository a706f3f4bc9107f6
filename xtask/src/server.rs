//! Server commands: a throwaway PostgreSQL for the server's storage tests (so the same tests run on
//! SQLite and on a real PostgreSQL, locally and in CI), and the dev server that serves the built widget
//! and demo page with the API on one origin.
//!
//! PostgreSQL comes from Debian (`apt-get install postgresql`) when missing. It refuses to run as root,
//! so the cluster is created and run as the `postgres` user, in a fresh temporary directory, on a free
//! loopback port, with trust authentication for loopback only, and removed afterwards.

use anyhow::{Context, Result, bail};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

fn pg_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn ensure_postgres() -> Result<PathBuf> {
    if let Some(b) = pg_bin() {
        return Ok(b);
    }
    println!("installing PostgreSQL from Debian packages");
    crate::tools::apt_install(&["postgresql"])?;
    pg_bin().context("PostgreSQL installed but initdb not found under /usr/lib/postgresql")
}

/// Runs a command line as the `postgres` user when we are root (PostgreSQL will not run as root).
fn as_postgres(bin: &Path, args: &[&str]) -> Command {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if is_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin).args(args);
        c
    } else {
        let mut c = Command::new(bin);
        c.args(args);
        c
    }
}

/// A running throwaway cluster; stopped and deleted on drop.
pub struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
    pub url: String,
}

impl Postgres {
    pub fn start() -> Result<Self> {
        let bin = ensure_postgres()?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let dir = std::env::temp_dir().join(format!("assistant-pg-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        // The postgres user must own the directory.
        crate::tools::run(Command::new("chown").args(["postgres:postgres"]).arg(&dir)).ok();
        let data = dir.join("data");
        let data_s = data.display().to_string();
        crate::tools::run(&mut as_postgres(
            &bin.join("initdb"),
            &[
                "-D",
                &data_s,
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        ))?;
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={} -c fsync=off -c max_connections=200",
            dir.display()
        );
        let log = dir.join("log").display().to_string();
        crate::tools::run(&mut as_postgres(
            &bin.join("pg_ctl"),
            &["-D", &data_s, "-o", &opts, "-l", &log, "-w", "start"],
        ))?;
        let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        println!("throwaway PostgreSQL on {url}");
        Ok(Self { bin, dir, url })
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("data").display().to_string();
        let _ = as_postgres(
            &self.bin.join("pg_ctl"),
            &["-D", &data, "-m", "fast", "-w", "stop"],
        )
        .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The server's storage and security tests again, against a real PostgreSQL (`TEST_DATABASE_URL`), and
/// the two-instance test that only PostgreSQL can run (ignored by a plain `cargo test`).
pub fn test_postgres(root: &Path) -> Result<()> {
    let pg = Postgres::start()?;
    // The storage and security tests as they are (their ignored measurements stay ignored), then the
    // two-instance test, which is ignored only because it needs PostgreSQL.
    for args in [
        &["--test", "api", "--test", "security", "--test", "insights"][..],
        &["--test", "multi_instance", "--", "--include-ignored"][..],
    ] {
        let status = Command::new("cargo")
            .args(["test", "-p", "assistant-server"])
            .args(args)
            .env("TEST_DATABASE_URL", &pg.url)
            .current_dir(root)
            .status()?;
        if !status.success() {
            bail!("server tests failed on PostgreSQL");
        }
    }
    Ok(())
}

/// `cargo xtask dev`: the server on 127.0.0.1:$PORT, serving `dist/` (the widget and demo page) and
/// the API on one origin, with SQLite in `target/dev-data`, a demo agent and a demo admin.
pub fn dev(root: &Path, port: &str) -> Result<()> {
    println!("agent console: http://127.0.0.1:{port}/agent  (demo agent: demo / demo — dev only)");
    println!(
        "insights:      http://127.0.0.1:{port}/admin  (demo admin: admin / admin — dev only)"
    );
    crate::tools::run(
        Command::new("cargo")
            .args(["run", "-p", "assistant-server"])
            .env("ASSISTANT_SERVER__PORT", port)
            .env("ASSISTANT_DATA_DIR", root.join("target/dev-data"))
            .env(
                "ASSISTANT_CONFIG",
                root.join("crates/assistant-server/dev.toml"),
            )
            .current_dir(root),
    )
}

//! `assistant-server [--config FILE]` serves; `assistant-server hash-password` and `hash-token` read a
//! secret from standard input and print what goes in the configuration (an argon2 hash for an agent's
//! password, a SHA-256 for the admin token), so secrets never sit in the config file in clear.

use assistant_server::{Config, auth};
use std::io::BufRead;
use std::path::PathBuf;

fn read_secret() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let s = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!s.is_empty(), "nothing on standard input");
    Ok(s)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("hash-password") => {
            println!("{}", auth::hash_password(&read_secret()?)?);
            return Ok(());
        }
        Some("hash-token") => {
            println!("{}", auth::sha256_hex(&read_secret()?));
            return Ok(());
        }
        Some("--help" | "-h") => {
            println!(
                "usage: assistant-server [--config FILE] | hash-password | hash-token  (secrets on stdin)"
            );
            return Ok(());
        }
        _ => {}
    }
    let config_file = match args.iter().position(|a| a == "--config") {
        Some(i) => Some(PathBuf::from(
            args.get(i + 1)
                .ok_or_else(|| anyhow::anyhow!("--config needs a file"))?,
        )),
        None => std::env::var_os("ASSISTANT_CONFIG").map(PathBuf::from),
    };
    let config = Config::load(config_file.as_deref())?;
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log.level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt().with_env_filter(filter);
    if config.log.json {
        fmt.json().init();
    } else {
        fmt.init();
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(assistant_server::serve(config))
}

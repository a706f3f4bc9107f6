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

/// `eval [--misses | --sweep] [--config FILE] FILE.csv`: the chatbot's score on an evaluation set
/// (with every question it did not get right, or over the grid the defaults were chosen on).
fn eval(args: &[String]) -> anyhow::Result<()> {
    use assistant_server::evaluate;
    let misses = args.iter().any(|a| a == "--misses");
    let config = match args.iter().position(|a| a == "--config") {
        Some(i) => Some(PathBuf::from(
            args.get(i + 1)
                .ok_or_else(|| anyhow::anyhow!("--config needs a file"))?,
        )),
        None => None,
    };
    let file = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--config"))
        .map(|(_, a)| a)
        .next_back()
        .ok_or_else(|| anyhow::anyhow!("eval needs a CSV file (text,lang,expect)"))?;
    let config = Config::load(config.as_deref())?;
    let index = assistant_server::retrieval::Index::load(&config.kb_dir)?;
    let rows = evaluate::read_rows(&std::fs::read_to_string(file)?)?;
    if args.iter().any(|a| a == "--sweep") {
        print!("{}", evaluate::sweep(&index, &config.chat, &rows));
    } else {
        let (tally, missed) = evaluate::score(&index, &config.chat, &rows);
        if misses {
            print!("{missed}");
        }
        println!("{file}: {} questions\n\n{}", rows.len(), tally.report());
    }
    Ok(())
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
        Some("eval") => return eval(&args[1..]),
        Some("--help" | "-h") => {
            println!(
                "usage: assistant-server [--config FILE] | hash-password | hash-token  (secrets on stdin)\n       \
                 assistant-server eval [--misses | --sweep] [--config FILE] FILE.csv  (scores the chatbot)"
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

//! Short, stable stand-ins for conversation ids in logs and the audit trail. The id itself is half of
//! a customer's credentials and is never logged. A leaf module, so that any part of the server (the
//! upstream adapters too) can log a conversation without importing `conversations`.

use sha2::{Digest, Sha256};

/// A short, stable stand-in for a conversation id in logs and the audit trail (the id itself is a key
/// half: it is never logged).
pub fn log_id(id: &str) -> String {
    let d = Sha256::digest(format!("log:{id}").as_bytes());
    d.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

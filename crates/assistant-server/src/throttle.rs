//! Sign-in protection: exponential lockouts per username and per client address, and a cap on password
//! checks running at once.
//!
//! The rule (documented in docs/SECURITY.md): failures are counted per username and per address over a
//! window (`login.window_s`, 15 min). From the `failures_per_user`-th failure for a username (5) or the
//! `failures_per_ip`-th from an address (20), every further attempt for it is refused with 429 and
//! `Retry-After` until the lockout ends; the lockout starts at `first_lockout_s` (30 s) and doubles with
//! each failure past the threshold, up to `max_lockout_s` (15 min). Refused attempts are not checked
//! against the password at all (no argon2 work), so a flood costs the server nothing. A success clears
//! the username's count (not the address's: one good password must not unlock a spraying address).
//!
//! argon2 costs ~19 MiB and tens of milliseconds of a core per check; `max_concurrent_checks` bounds how
//! many run at once (a semaphore) and the excess gets 503 with `Retry-After: 1` instead of queueing
//! without bound.
//!
//! Counts live in this instance's memory: a restart forgets them, and several instances each count their
//! own share (a shared store would be the next step for a large deployment).

use crate::config::LoginConfig;
use crate::error::ApiError;
use axum::http::StatusCode;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    User(String),
    Ip(IpAddr),
}

pub struct LoginThrottle {
    config: LoginConfig,
    failures: Mutex<HashMap<Key, Failures>>,
    checks: std::sync::Arc<Semaphore>,
}

impl LoginThrottle {
    pub fn new(config: &LoginConfig) -> Self {
        Self {
            config: config.clone(),
            failures: Mutex::default(),
            checks: std::sync::Arc::new(Semaphore::new(config.max_concurrent_checks.max(1))),
        }
    }

    fn keys(username: &str, ip: IpAddr) -> [(Key, u32); 2] {
        [
            (Key::User(username.trim().to_lowercase()), 0),
            (Key::Ip(ip), 1),
        ]
    }

    /// How long `f` failures lock out, given the threshold `limit`.
    fn lockout(&self, f: Failures, limit: u32, now: Instant) -> Option<Duration> {
        if limit == 0 || f.count < limit {
            return None;
        }
        let doublings = (f.count - limit).min(20);
        let secs = self
            .config
            .first_lockout_s
            .saturating_mul(1 << doublings)
            .min(self.config.max_lockout_s);
        let until = f.last + Duration::from_secs(secs);
        (until > now).then(|| until - now)
    }

    /// Refuses an attempt while its username or address is locked out.
    pub fn check(&self, username: &str, ip: IpAddr) -> Result<(), ApiError> {
        let now = Instant::now();
        let window = Duration::from_secs(self.config.window_s);
        let mut m = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        m.retain(|_, f| {
            now.duration_since(f.last) < window.max(Duration::from_secs(self.config.max_lockout_s))
        });
        let mut wait = None::<Duration>;
        for (key, which) in Self::keys(username, ip) {
            let limit = if which == 0 {
                self.config.failures_per_user
            } else {
                self.config.failures_per_ip
            };
            if let Some(f) = m.get(&key)
                && let Some(w) = self.lockout(*f, limit, now)
            {
                wait = Some(wait.map_or(w, |x| x.max(w)));
            }
        }
        match wait {
            Some(w) => Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "Too many failed sign-ins. Please wait and try again.",
            )
            .with_retry_after(w.as_secs() + 1)),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt against the username and the address.
    pub fn failed(&self, username: &str, ip: IpAddr) {
        let now = Instant::now();
        let window = Duration::from_secs(self.config.window_s);
        let mut m = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for (key, _) in Self::keys(username, ip) {
            let f = m.entry(key).or_insert(Failures {
                count: 0,
                last: now,
            });
            if now.duration_since(f.last) >= window {
                f.count = 0;
            }
            f.count += 1;
            f.last = now;
        }
    }

    /// A successful sign-in clears the username's failures.
    pub fn succeeded(&self, username: &str) {
        let mut m = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        m.remove(&Key::User(username.trim().to_lowercase()));
    }

    /// A place to run one password check, or 503 when enough are running.
    pub fn permit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.checks.clone().try_acquire_owned().map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "Sign-in is busy; please try again in a moment.",
            )
            .with_retry_after(1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> LoginConfig {
        LoginConfig {
            max_concurrent_checks: 1,
            failures_per_user: 3,
            failures_per_ip: 5,
            first_lockout_s: 30,
            max_lockout_s: 120,
            window_s: 900,
        }
    }

    #[test]
    fn lockouts_start_at_the_threshold_and_double_up_to_the_cap() {
        let t = LoginThrottle::new(&config());
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..2 {
            assert!(t.check("li", ip).is_ok());
            t.failed("li", ip);
        }
        assert!(t.check("li", ip).is_ok(), "two failures: not locked yet");
        t.failed("li", ip);
        let e = t.check("LI ", ip).unwrap_err();
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert!((29..=31).contains(&e.retry_after.unwrap()));
        t.failed("li", ip);
        assert!((59..=61).contains(&t.check("li", ip).unwrap_err().retry_after.unwrap()));
        t.failed("li", ip);
        t.failed("li", ip);
        assert!((119..=121).contains(&t.check("li", ip).unwrap_err().retry_after.unwrap()));
    }

    #[test]
    fn an_address_spraying_many_usernames_is_locked_out() {
        let t = LoginThrottle::new(&config());
        let ip: IpAddr = "192.0.2.2".parse().unwrap();
        for i in 0..5 {
            t.failed(&format!("user{i}"), ip);
        }
        assert!(t.check("someone-new", ip).is_err());
        assert!(t.check("someone-new", "192.0.2.3".parse().unwrap()).is_ok());
    }

    #[test]
    fn success_clears_the_username_and_checks_are_capped() {
        let t = LoginThrottle::new(&config());
        let ip: IpAddr = "192.0.2.4".parse().unwrap();
        t.failed("sam", ip);
        t.failed("sam", ip);
        t.succeeded("sam");
        t.failed("sam", ip);
        assert!(t.check("sam", ip).is_ok());
        let p = t.permit().unwrap();
        assert_eq!(
            t.permit().unwrap_err().status,
            StatusCode::SERVICE_UNAVAILABLE
        );
        drop(p);
        assert!(t.permit().is_ok());
    }
}

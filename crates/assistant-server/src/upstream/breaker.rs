//! A circuit breaker in front of the bank's bot: after `failures` consecutive failures it opens and
//! every question skips the upstream (straight to "not sure + a person") for `cool_down`; then one
//! trial request goes through (half-open): success closes it, failure opens it for another cool-down.
//!
//! Why: a bot that is down or timing out would otherwise cost every customer the full timeout, and a
//! struggling upstream would get our whole load on top of its own. Written here (about 60 lines)
//! rather than taken from a crate: the maintained ones (`failsafe`, `tower`'s retry/limit layers) bring
//! futures combinators and policies we would not use, and this one is small enough to read whole.
//! State lives in this instance's memory; several instances each keep their own breaker.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
    },
    /// One trial is out; if it never reports back (its caller went away), another is let through at
    /// `retry_at`, a cool-down after the first.
    HalfOpen {
        retry_at: Instant,
    },
}

pub struct Breaker {
    failures: u32,
    cool_down: Duration,
    state: Mutex<State>,
}

impl Breaker {
    pub fn new(failures: u32, cool_down: Duration) -> Self {
        Self {
            failures: failures.max(1),
            cool_down,
            state: Mutex::new(State::Closed { failures: 0 }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// May a request go out now? Turns an expired open breaker into a half-open one (this request is
    /// the trial).
    pub fn allow(&self) -> bool {
        let now = Instant::now();
        let mut s = self.lock();
        match *s {
            State::Closed { .. } => true,
            State::Open { until } | State::HalfOpen { retry_at: until } if now < until => false,
            State::Open { .. } | State::HalfOpen { .. } => {
                *s = State::HalfOpen {
                    retry_at: now + self.cool_down,
                };
                true
            }
        }
    }

    /// The upstream answered (even "not sure"): it works.
    pub fn success(&self) {
        *self.lock() = State::Closed { failures: 0 };
    }

    /// The upstream failed (timeout, connection error, error status).
    pub fn failure(&self) {
        let mut s = self.lock();
        let failures = match *s {
            State::Closed { failures } => failures + 1,
            State::Open { .. } | State::HalfOpen { .. } => self.failures,
        };
        *s = if failures >= self.failures {
            State::Open {
                until: Instant::now() + self.cool_down,
            }
        } else {
            State::Closed { failures }
        };
    }

    /// Whether the breaker refuses requests right now (for health reporting).
    pub fn is_open(&self) -> bool {
        matches!(*self.lock(), State::Open { until } if Instant::now() < until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_consecutive_failures_and_a_success_resets_the_count() {
        let b = Breaker::new(3, Duration::from_secs(60));
        b.failure();
        b.failure();
        b.success();
        b.failure();
        b.failure();
        assert!(b.allow(), "two failures in a row: still closed");
        b.failure();
        assert!(!b.allow(), "three in a row: open");
        assert!(b.is_open());
    }

    #[test]
    fn half_opens_after_the_cool_down_with_one_trial() {
        let b = Breaker::new(1, Duration::ZERO);
        b.failure();
        assert!(b.allow(), "cool-down over: the trial goes out");
        b.failure();
        assert!(
            b.allow(),
            "failed trial: open again, then (zero cool-down) another trial"
        );
        b.success();
        assert!(b.allow() && b.allow(), "a good trial closes it");
    }

    #[test]
    fn only_one_trial_goes_out_while_half_open() {
        let b = Breaker::new(1, Duration::from_secs(60));
        *b.lock() = State::Open {
            until: Instant::now(),
        };
        assert!(b.allow());
        assert!(
            !b.allow(),
            "the second request waits for the trial's result"
        );
    }
}

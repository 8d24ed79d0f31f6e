//! Ctrl-C as a value. The CLI triggers it from a signal handler; the engine checks it only at safe
//! points (between requests, while sleeping between polls), so a request is never abandoned half-sent
//! and nothing is left half-applied.
//!
//! Once triggered, no new request should start (the CLI's request interceptor enforces that for every
//! client, retries included) except the cleanup that undoes what this run made and did not apply: the
//! engine marks those requests with [`Interrupt::cleanup`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::sync::Notify;

/// A one-way "stop" flag, shared by clone.
#[derive(Clone, Debug, Default)]
pub struct Interrupt {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    set: AtomicBool,
    notify: Notify,
    /// Live [`CleanupGuard`]s.
    cleaning_up: AtomicUsize,
}

/// While alive, requests are cleanup (deleting an unexecuted change set and its review stack) and may
/// be sent after the interrupt.
#[must_use = "requests count as cleanup only while the guard lives"]
#[derive(Debug)]
pub struct CleanupGuard {
    inner: Arc<Inner>,
}

impl Drop for CleanupGuard {
    fn drop(&mut self) {
        self.inner.cleaning_up.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Interrupt {
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests a stop at the next safe point.
    pub fn trigger(&self) {
        self.inner.set.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    pub fn is_triggered(&self) -> bool {
        self.inner.set.load(Ordering::SeqCst)
    }

    /// Marks the requests made while the guard lives as cleanup, allowed after the interrupt.
    pub fn cleanup(&self) -> CleanupGuard {
        self.inner.cleaning_up.fetch_add(1, Ordering::SeqCst);
        CleanupGuard {
            inner: self.inner.clone(),
        }
    }

    /// Whether a new request may start now: always before the interrupt, afterwards only cleanup.
    pub fn allows_new_request(&self) -> bool {
        !self.is_triggered() || self.inner.cleaning_up.load(Ordering::SeqCst) > 0
    }

    /// Completes once triggered (at once if it already was).
    pub async fn triggered(&self) {
        loop {
            let notified = self.inner.notify.notified();
            if self.is_triggered() {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn triggered_completes_for_waiters_and_late_comers() {
        let interrupt = Interrupt::new();
        let waiter = {
            let interrupt = interrupt.clone();
            tokio::spawn(async move { interrupt.triggered().await })
        };
        tokio::task::yield_now().await;
        interrupt.trigger();
        waiter.await.unwrap();
        interrupt.triggered().await;
        assert!(interrupt.is_triggered());
    }

    #[test]
    fn after_the_interrupt_only_cleanup_requests_may_start() {
        let interrupt = Interrupt::new();
        assert!(interrupt.allows_new_request());
        interrupt.trigger();
        assert!(!interrupt.allows_new_request());
        {
            let _cleanup = interrupt.cleanup();
            assert!(interrupt.allows_new_request());
        }
        assert!(!interrupt.allows_new_request());
    }
}

//! Ctrl-C as a value. The CLI triggers it from a signal handler; the engine checks it only at safe
//! points (between requests, while sleeping between polls), so a request is never abandoned half-sent
//! and nothing is left half-applied.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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
}

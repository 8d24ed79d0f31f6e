//! Errors of the Kubernetes side. Each says what failed, on which object, and — where the cause is a
//! known one — what to do.

/// Formats an error with its whole `source()` chain on one line: `outer: inner: root cause`.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

//! Test helpers (see ARCHITECTURE.md).

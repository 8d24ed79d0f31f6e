//! Deploy engine (see ARCHITECTURE.md).

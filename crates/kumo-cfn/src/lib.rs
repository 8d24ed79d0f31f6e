//! generated
pub const SCHEMA_DATE: &str = "2026-10-20";

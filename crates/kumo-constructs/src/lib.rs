//! kumo L2 constructs: safe defaults and wiring over the generated L1 resources

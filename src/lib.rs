//! dimap: a checker and language server for Dynamics 365 dual-write and Data
//! Integrator table maps. The layers, from the bottom: `syntax` (grammar and
//! typed tree) → `schema` (cached entity schemas) → `analysis` (workspace
//! model, name resolution, every rule; pure) → `ide` (fixes and other editor
//! answers as plain data) → `cli` (the command line). Only `syntax` knows
//! tree-sitter.

pub mod analysis;
pub mod cli;
pub mod clock;
pub mod disk;
pub mod fuzzing;
pub mod ide;
pub mod lsp;
pub mod mapjson;
pub mod metadata;
pub mod preview;
pub mod samples;
pub mod schema;
pub mod store;
pub mod syntax;
#[cfg(test)]
mod testing;
pub mod text;

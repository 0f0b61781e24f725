//! Fuzz target `edits`: see `dimap::fuzzing::incremental_edits` for the invariant.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dimap::fuzzing::incremental_edits(data));

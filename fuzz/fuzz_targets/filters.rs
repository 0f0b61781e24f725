//! Fuzz target `filters`: see `dimap::fuzzing::filters` for the invariant.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dimap::fuzzing::filters(data));

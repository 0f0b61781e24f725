//! Fuzz target `parse`: see `dimap::fuzzing::parse` for the invariant.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dimap::fuzzing::parse(data));

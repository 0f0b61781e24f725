//! Fuzz target `cache`: see `dimap::fuzzing::cache` for the invariant.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dimap::fuzzing::cache(data));

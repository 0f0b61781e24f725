//! Fuzz target `check`: see `dimap::fuzzing::check_one_file` for the invariant.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dimap::fuzzing::check_one_file(data));

//! Helpers shared by the randomized tests: a small seeded generator, so a
//! failing run can be replayed exactly from its seed.

/// A xorshift generator: `next(n)` gives a number below `n` (0 for `n` 0).
pub fn random(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed.max(1);
    move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    }
}

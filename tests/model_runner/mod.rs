//! The random-case runner the model tests share. It is proptest's runner with one
//! difference: the seed is fixed unless `PROPTEST_RNG_SEED` names another, so the
//! coverage a model test asserts (every interesting event reached at least once) holds on
//! every run instead of on most runs. Set `PROPTEST_RNG_SEED` (and `PROPTEST_CASES`) to
//! explore other cases.

use proptest::test_runner::{Config, RngSeed, TestRunner};

/// The seed used when `PROPTEST_RNG_SEED` is not set.
const DEFAULT_SEED: u64 = 0x736b_6569_6e00_0001;

/// A runner for `cases` cases (`PROPTEST_CASES` overrides it, as for `proptest!` tests),
/// saving failures beside `source_file`.
pub fn runner(cases: u32, source_file: &'static str) -> TestRunner {
    let default = Config::default();
    let cases = if std::env::var_os("PROPTEST_CASES").is_some() {
        default.cases
    } else {
        cases
    };
    let rng_seed = match default.rng_seed {
        RngSeed::Random => RngSeed::Fixed(DEFAULT_SEED),
        chosen => chosen,
    };
    TestRunner::new(Config {
        cases,
        rng_seed,
        source_file: Some(source_file),
        ..default
    })
}

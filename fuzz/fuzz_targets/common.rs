use enseal::{KeyPair, Keyring, Opener, Sealer, Suite};
use std::sync::LazyLock;

/// An opener holding one key per suite, and a valid sealed value per suite
/// for the fuzzer to start mutating from.
pub struct Fixture {
    pub opener: Opener,
    pub seeds: Vec<Vec<u8>>,
    /// Seals to the opener's X25519 key.
    pub sealer: Sealer,
}

pub static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let pairs: Vec<KeyPair> = Suite::ALL.iter().map(|s| KeyPair::generate(*s).unwrap()).collect();
    let seeds = pairs
        .iter()
        .map(|p| Sealer::new(p.public_key()).unwrap().seal(b"123-45-6789", b"ctx").unwrap())
        .collect();
    let sealer = Sealer::new(pairs[0].public_key()).unwrap();
    Fixture { opener: Opener::new(Keyring::from_iter(pairs)), seeds, sealer }
});

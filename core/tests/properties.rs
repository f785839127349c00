//! Property tests: round trips over sizes and contexts, tampering, arbitrary
//! input to the parsers, and counter uniqueness across threads.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::{KeyPair, Keyring, Opener, Sealer, Suite};
use proptest::prelude::*;
use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

struct Fixture {
    sealers: Vec<Sealer>,
    opener: Opener,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let pairs: Vec<KeyPair> = Suite::ALL
        .iter()
        .map(|s| KeyPair::generate(*s).unwrap())
        .collect();
    Fixture {
        sealers: pairs
            .iter()
            .map(|p| Sealer::new(p.public_key()).unwrap())
            .collect(),
        opener: Opener::new(Keyring::from_iter(pairs)),
    }
});

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn round_trip_any_size_any_context(
        suite in 0usize..3,
        plaintext in prop::collection::vec(any::<u8>(), 0..65_536),
        context in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let f = &*FIXTURE;
        let sealed = f.sealers[suite].seal_binary(&plaintext, enseal::Context::bytes(&context)).unwrap();
        prop_assert_eq!(&f.opener.open_binary(&sealed, enseal::Context::bytes(&context)).unwrap()[..], &plaintext[..]);
        let text = f.sealers[suite].seal(&plaintext, enseal::Context::bytes(&context)).unwrap();
        prop_assert_eq!(&f.opener.open(&text, enseal::Context::bytes(&context)).unwrap()[..], &plaintext[..]);
    }

    #[test]
    fn any_single_change_is_rejected(
        suite in 0usize..3,
        plaintext in prop::collection::vec(any::<u8>(), 0..256),
        at in any::<prop::sample::Index>(),
        mask in 1u8..=255,
    ) {
        let f = &*FIXTURE;
        let mut sealed = f.sealers[suite].seal_binary(&plaintext, "ctx").unwrap();
        let i = at.index(sealed.len());
        sealed[i] ^= mask;
        prop_assert!(f.opener.open_binary(&sealed, "ctx").is_err());
    }

    #[test]
    fn arbitrary_bytes_and_text_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048), text in ".{0,400}") {
        let f = &*FIXTURE;
        prop_assert!(f.opener.open_binary(&bytes, "").is_err());
        let _ = f.opener.open(&text, "");
        let _ = f.opener.open(format!("enseal1.{text}"), "");
        let _ = enseal::is_sealed(&text);
    }

    #[test]
    fn threads_sharing_a_sealer_never_repeat_a_nonce(threads in 2usize..6, limit in 1u64..50, per_thread in 1usize..200) {
        let pair = KeyPair::generate(Suite::X25519).unwrap();
        let sealer = Arc::new(Sealer::with_field_limit(pair.public_key(), limit).unwrap());
        let handles: Vec<_> = (0..threads).map(|_| {
            let sealer = Arc::clone(&sealer);
            std::thread::spawn(move || (0..per_thread).map(|_| sealer.seal_binary(b"v", "c").unwrap()[11..51].to_vec()).collect::<Vec<_>>())
        }).collect();
        let mut seen = HashSet::new();
        for h in handles {
            for enc_and_counter in h.join().unwrap() {
                let counter = u64::from_be_bytes(enc_and_counter[32..].try_into().unwrap());
                prop_assert!(counter < limit);
                prop_assert!(seen.insert(enc_and_counter), "(enc, counter) repeated");
            }
        }
        prop_assert_eq!(seen.len(), threads * per_thread);
    }
}

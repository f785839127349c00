//! `Sealer::run`: a thread's run claims counter values in blocks, and still
//! never repeats a (session, counter), ends its block at `rekey`, and keeps
//! the field limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use enseal::format::header_len;
use enseal::{KeyPair, Keyring, Opener, Sealer, Suite};
use std::collections::HashSet;

fn nonce_of(sealed: &[u8]) -> Vec<u8> {
    sealed[..header_len(Suite::X25519)].to_vec()
}

fn counter_of(sealed: &[u8]) -> u64 {
    let h = header_len(Suite::X25519);
    u64::from_be_bytes(sealed[h - 8..h].try_into().unwrap())
}

#[test]
fn runs_on_threads_and_single_fields_never_share_a_counter() {
    let key = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(key.public_key()).unwrap();
    let sealed: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..3)
            .map(|t| {
                let sealer = &sealer;
                scope.spawn(move || {
                    let mut run = sealer.run();
                    (0..3000)
                        .map(|i| {
                            if i % 100 == 7 {
                                // Single fields interleave with the runs' blocks.
                                return sealer.seal_binary(b"single", "c").unwrap();
                            }
                            let mut out = Vec::new();
                            run.seal_binary_into(format!("{t}/{i}").as_bytes(), "c", &mut out)
                                .unwrap();
                            out
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        runs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let headers: HashSet<Vec<u8>> = sealed.iter().map(|s| nonce_of(s)).collect();
    assert_eq!(
        headers.len(),
        sealed.len(),
        "a (session, counter) was used twice"
    );
    let opener = Opener::new(Keyring::from_iter([key]));
    for s in &sealed {
        opener.open_binary(s, "c").unwrap();
    }
}

#[test]
fn rekey_ends_a_runs_block_at_once() {
    let key = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(key.public_key()).unwrap();
    let mut run = sealer.run();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    run.seal_binary_into(b"a", "c", &mut a).unwrap();
    sealer.rekey().unwrap();
    run.seal_binary_into(b"b", "c", &mut b).unwrap();
    let session = |s: &[u8]| s[..header_len(Suite::X25519) - 8].to_vec();
    assert_ne!(session(&a), session(&b));
    assert_eq!(counter_of(&b), 0);
}

#[test]
fn a_run_keeps_the_field_limit() {
    let key = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::with_field_limit(key.public_key(), 100).unwrap();
    let mut run = sealer.run();
    let mut sessions = HashSet::new();
    for _ in 0..250 {
        let mut out = Vec::new();
        run.seal_binary_into(b"v", "c", &mut out).unwrap();
        assert!(counter_of(&out) < 100);
        sessions.insert(out[..header_len(Suite::X25519) - 8].to_vec());
    }
    assert_eq!(sessions.len(), 3);
}

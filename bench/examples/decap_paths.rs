//! A benchmark, not a test: the cost of opening the first field of a new
//! session (decapsulation, key schedule, one 64-byte field) per suite, in one
//! run, against the raw Diffie-Hellman of every backend measured:
//! - open: a `KeyPair` in the keyring (the default path: a `SoftwareKey` on
//!   the default backend), and a `SoftwareKey` custodian on each backend core
//!   compiles (RustCrypto, AWS-LC); and the `hpke` crate's own receiver
//!   (`SetupBaseR` + export, no field: what core used before the custody path);
//! - raw DH alone: RustCrypto (x25519-dalek, p256: what core used before),
//!   AWS-LC (aws-lc-rs, core's native default now), libcrux (libcrux-ecdh,
//!   measurement only), and ring. ring's `agreement` takes ephemeral keys
//!   only (`EphemeralPrivateKey::generate`, consumed by `agree_ephemeral`;
//!   no constructor from bytes), so it cannot hold a static key; it is
//!   measured through its deprecated, hidden test RNG, which re-makes the
//!   "ephemeral" key from the same bytes before each DH: an upper bound on
//!   what ring would cost, not a path core could take.
//!
//! Each figure: the best chunk of 100 operations, over 5 interleaved rounds
//! of 2,000 (new sessions, or DHs with one static key).
//!
//! `cargo run --release -p enseal-bench --example decap_paths`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use enseal::{Context, KeyPair, Keyring, Opener, Sealer, SoftwareBackend, SoftwareKey, Suite};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

const SESSIONS: usize = 2_000;
const ROUNDS: usize = 5;
/// Operations timed together: each figure is the best chunk's time per
/// operation over every round, so a chunk another process interrupted (the
/// machine is shared) does not count, the same for every variant.
const CHUNK: usize = 100;

/// The best µs per operation of `op(i)` over chunks of [`CHUNK`] of `0..n`.
fn best_chunk(n: usize, mut op: impl FnMut(usize)) -> f64 {
    let mut best = f64::MAX;
    for chunk in (0..n).collect::<Vec<_>>().chunks(CHUNK) {
        let start = Instant::now();
        for &i in chunk {
            op(i);
        }
        best = best.min(start.elapsed().as_secs_f64() * 1e6 / chunk.len() as f64);
    }
    best
}

fn first_fields(pair: &KeyPair) -> Vec<Vec<u8>> {
    (0..SESSIONS)
        .map(|_| {
            Sealer::new(pair.public_key())
                .unwrap()
                .seal_binary(&[0x5a; 64], Context::bytes(b"c"))
                .unwrap()
        })
        .collect()
}

/// µs per session: each field opened once by an opener that caches nothing.
fn per_session(ring: &Keyring, fields: &[Vec<u8>]) -> f64 {
    let opener = Opener::with_cache_capacity(ring.clone(), 0);
    best_chunk(fields.len(), |i| {
        black_box(
            opener
                .open_binary(&fields[i], Context::bytes(b"c"))
                .unwrap(),
        );
    })
}

/// µs per session of the `hpke` crate's own receiver (`SetupBaseR` and the
/// 44-byte export enseal takes; no field opened): what core opened with
/// before the custody path, a decapsulation that derives the public key again.
fn hpke_receiver<K: hpke::Kem>(sk: &[u8], pk: &[u8]) -> f64 {
    use hpke::aead::AesGcm256;
    use hpke::kdf::HkdfSha256;
    use hpke::{Deserializable, OpModeR, OpModeS, Serializable};
    let sk = K::PrivateKey::from_bytes(sk).unwrap();
    let pk = K::PublicKey::from_bytes(pk).unwrap();
    let encs: Vec<Vec<u8>> = (0..SESSIONS)
        .map(|_| {
            let (enc, _) =
                hpke::setup_sender::<AesGcm256, HkdfSha256, K>(&OpModeS::Base, &pk, b"enseal/v1")
                    .unwrap();
            enc.to_bytes().to_vec()
        })
        .collect();
    best_chunk(SESSIONS, |i| {
        let enc = K::EncappedKey::from_bytes(&encs[i]).unwrap();
        let ctx = hpke::setup_receiver::<AesGcm256, HkdfSha256, K>(
            &OpModeR::Base,
            &sk,
            &enc,
            b"enseal/v1",
        )
        .unwrap();
        let mut out = [0u8; 44];
        ctx.export(b"enseal/v1 field", &mut out).unwrap();
        black_box(out);
    })
}

fn time_hpke(pair: &KeyPair) -> f64 {
    let (sk, pk) = (pair.private_bytes(), pair.public_key().as_bytes());
    match pair.suite() {
        Suite::X25519 => hpke_receiver::<hpke::kem::X25519HkdfSha256>(&sk, pk),
        Suite::P256 => hpke_receiver::<hpke::kem::DhP256HkdfSha256>(&sk, pk),
        Suite::XWing => hpke_receiver::<hpke::kem::XWing>(&sk, pk),
    }
}

/// A raw DH backend: the shared secret of `sk` (enseal's private-key bytes)
/// and `pk` (enseal's public-key bytes), or `None` for a suite it lacks.
type Dh = fn(Suite, &[u8], &[u8]) -> Option<Vec<u8>>;

fn rustcrypto(suite: Suite, sk: &[u8], pk: &[u8]) -> Option<Vec<u8>> {
    match suite {
        Suite::X25519 => {
            let secret = x25519_dalek::StaticSecret::from(<[u8; 32]>::try_from(sk).unwrap());
            let pk = x25519_dalek::PublicKey::from(<[u8; 32]>::try_from(pk).unwrap());
            Some(secret.diffie_hellman(&pk).as_bytes().to_vec())
        }
        Suite::P256 => {
            let secret = p256::SecretKey::from_slice(sk).unwrap();
            let pk = p256::PublicKey::from_sec1_bytes(pk).unwrap();
            let dh = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), pk.as_affine());
            Some(dh.raw_secret_bytes().to_vec())
        }
        Suite::XWing => None,
    }
}

fn aws_lc(suite: Suite, sk: &[u8], pk: &[u8]) -> Option<Vec<u8>> {
    use aws_lc_rs::agreement::{ECDH_P256, PrivateKey, UnparsedPublicKey, X25519, agree};
    let alg = match suite {
        Suite::X25519 => &X25519,
        Suite::P256 => &ECDH_P256,
        Suite::XWing => return None,
    };
    let sk = PrivateKey::from_private_key(alg, sk).unwrap();
    Some(agree(&sk, UnparsedPublicKey::new(alg, pk), (), |s| Ok(s.to_vec())).unwrap())
}

fn libcrux(suite: Suite, sk: &[u8], pk: &[u8]) -> Option<Vec<u8>> {
    let alg = match suite {
        Suite::X25519 => libcrux_ecdh::Algorithm::X25519,
        Suite::P256 => libcrux_ecdh::Algorithm::P256,
        Suite::XWing => return None,
    };
    // P-256 gives the shared point, x || y: the DH output is x.
    let mut out = libcrux_ecdh::derive(alg, pk, sk).unwrap();
    out.truncate(32);
    Some(out)
}

#[allow(deprecated)]
fn ring(suite: Suite, sk: &[u8], pk: &[u8]) -> Option<Vec<u8>> {
    use ring::agreement::{ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey, X25519};
    let alg = match suite {
        Suite::X25519 => &X25519,
        Suite::P256 => &ECDH_P256,
        Suite::XWing => return None,
    };
    let rng = ring::test::rand::FixedSliceRandom { bytes: sk };
    let key = EphemeralPrivateKey::generate(alg, &rng).unwrap();
    ring::agreement::agree_ephemeral(key, &UnparsedPublicKey::new(alg, pk), |s| s.to_vec()).ok()
}

/// µs per DH: the static key parsed once, then `n` agreements (ring: the key
/// re-made for each, the only way it takes given bytes).
fn time_dh(which: &str, suite: Suite, sk: &[u8], pk: &[u8], n: usize) -> Option<f64> {
    Some(match (which, suite) {
        (_, Suite::XWing) => return None,
        ("RustCrypto", Suite::X25519) => {
            let secret = x25519_dalek::StaticSecret::from(<[u8; 32]>::try_from(sk).unwrap());
            let pk = x25519_dalek::PublicKey::from(<[u8; 32]>::try_from(pk).unwrap());
            best_chunk(n, |_| {
                black_box(secret.diffie_hellman(black_box(&pk)));
            })
        }
        ("RustCrypto", _) => {
            // As core did: the point parsed (and checked) per session.
            let secret = p256::SecretKey::from_slice(sk).unwrap();
            best_chunk(n, |_| {
                let pk = p256::PublicKey::from_sec1_bytes(black_box(pk)).unwrap();
                black_box(p256::ecdh::diffie_hellman(
                    secret.to_nonzero_scalar(),
                    pk.as_affine(),
                ));
            })
        }
        ("AWS-LC", _) => {
            use aws_lc_rs::agreement::{ECDH_P256, PrivateKey, UnparsedPublicKey, X25519, agree};
            let alg = if suite == Suite::X25519 {
                &X25519
            } else {
                &ECDH_P256
            };
            let sk = PrivateKey::from_private_key(alg, sk).unwrap();
            best_chunk(n, |_| {
                let pk = UnparsedPublicKey::new(alg, black_box(pk));
                black_box(agree(&sk, pk, (), |s| Ok::<usize, ()>(s.len())).unwrap());
            })
        }
        ("libcrux", _) => {
            let alg = if suite == Suite::X25519 {
                libcrux_ecdh::Algorithm::X25519
            } else {
                libcrux_ecdh::Algorithm::P256
            };
            best_chunk(n, |_| {
                black_box(libcrux_ecdh::derive(alg, black_box(pk), sk).unwrap());
            })
        }
        _ => best_chunk(n, |_| {
            black_box(ring(suite, sk, black_box(pk)).unwrap());
        }),
    })
}

const DH_BACKENDS: [(&str, Dh); 4] = [
    ("RustCrypto", rustcrypto),
    ("AWS-LC", aws_lc),
    ("libcrux", libcrux),
    ("ring", ring),
];

fn main() {
    let default = SoftwareBackend::DEFAULT.name();
    print!("| suite | open, `KeyPair` (default: {default}) µs |");
    for b in SoftwareBackend::ALL {
        print!(" open, `SoftwareKey` {} µs |", b.name());
    }
    print!(" `hpke` SetupBaseR + export µs |");
    for (name, _) in DH_BACKENDS {
        print!(" DH {name} µs |");
    }
    println!(" default open / fastest DH | RustCrypto open / fastest DH |");
    println!(
        "|---|---:|{}---:|{}---:|---:|",
        "---:|".repeat(SoftwareBackend::ALL.len()),
        "---:|".repeat(DH_BACKENDS.len())
    );
    for suite in Suite::ALL {
        let pair = KeyPair::generate(suite).unwrap();
        let sk = pair.private_bytes();
        let peer = KeyPair::generate(suite).unwrap();
        let pk = peer.public_key().as_bytes();
        // Every backend must agree before its speed means anything.
        let results: Vec<_> = DH_BACKENDS.iter().map(|(_, f)| f(suite, &sk, pk)).collect();
        for ((name, _), r) in DH_BACKENDS.iter().zip(&results) {
            assert_eq!(r, &results[0], "{name} {suite:?}");
        }

        let fields = first_fields(&pair);
        let local = Keyring::from_iter([pair.clone()]);
        let custody: Vec<Keyring> = SoftwareBackend::ALL
            .iter()
            .map(|&b| {
                let key = SoftwareKey::with_backend(&pair, b).unwrap();
                // X-Wing has one implementation, whatever was asked for.
                assert!(key.backend() == b || suite == Suite::XWing);
                let mut ring = Keyring::new();
                ring.add_custody(Arc::new(key));
                ring
            })
            .collect();
        // Interleaved rounds, the best of each: every variant sees the same machine.
        let mut open = f64::MAX;
        let mut opens = vec![f64::MAX; custody.len()];
        let mut dhs = vec![None::<f64>; DH_BACKENDS.len()];
        let mut hpke_open = f64::MAX;
        for _ in 0..ROUNDS {
            open = open.min(per_session(&local, &fields));
            for (best, ring) in opens.iter_mut().zip(&custody) {
                *best = best.min(per_session(ring, &fields));
            }
            hpke_open = hpke_open.min(time_hpke(&pair));
            for (best, (name, _)) in dhs.iter_mut().zip(DH_BACKENDS) {
                if let Some(x) = time_dh(name, suite, &sk, pk, SESSIONS) {
                    *best = Some(best.map_or(x, |y| y.min(x)));
                }
            }
        }
        let fastest = dhs.iter().flatten().copied().reduce(f64::min);
        let ratio = |x: f64| fastest.map_or("—".into(), |dh| format!("{:.2}×", x / dh));
        let show = |x: Option<f64>| x.map_or("—".into(), |dh| format!("{dh:.1}"));
        let rustcrypto_open = SoftwareBackend::ALL
            .iter()
            .position(|&b| b == SoftwareBackend::RustCrypto)
            .map(|i| opens[i])
            .unwrap();
        print!("| {} | {open:.1} |", suite.name());
        for x in &opens {
            print!(" {x:.1} |");
        }
        print!(" {hpke_open:.1} |");
        for x in &dhs {
            print!(" {} |", show(*x));
        }
        println!(" {} | {} |", ratio(open), ratio(rustcrypto_open));
    }
}

//! enseal against the references a user would otherwise reach for, in one run:
//! raw AES-256-GCM from ring, RustCrypto aes-gcm and OpenSSL; one HPKE
//! single-shot per field; a libsodium-style sealed box per field.
//! `cargo xtask bench` runs this and writes docs/PERFORMANCE.md.

use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::{AeadInOut, Aes256Gcm, KeyInit};
use criterion::{BenchmarkId, Criterion, Throughput, black_box, criterion_group, criterion_main};
use enseal::{KeyPair, Keyring, Opener, Sealer, Suite};
use enseal_bench::ring_seal_owned;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use std::time::Duration;

const SIZES: [usize; 5] = [16, 64, 1024, 16 * 1024, 1024 * 1024];
const CONTEXT: &[u8] = b"patients/8812/ssn";

fn random_key() -> [u8; 32] {
    let mut k = [0u8; 32];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut k);
    k
}

fn label(size: usize) -> String {
    match size {
        s if s >= 1 << 20 => format!("{}MiB", s >> 20),
        s if s >= 1 << 10 => format!("{}KiB", s >> 10),
        s => format!("{s}B"),
    }
}

fn field_seal_open(c: &mut Criterion) {
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(pair.public_key()).unwrap();
    let opener = Opener::new(Keyring::from_iter([pair]));
    let key = random_key();
    let ring_key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key).unwrap());
    let rc_key = Aes256Gcm::new(&key.into());
    let nonce = [7u8; 12];

    let mut seal = c.benchmark_group("seal");
    for size in SIZES {
        let pt = vec![0x5au8; size];
        seal.throughput(Throughput::Bytes(size as u64));
        seal.bench_with_input(BenchmarkId::new("enseal", label(size)), &pt, |b, pt| {
            b.iter(|| {
                sealer
                    .seal_binary(black_box(pt), enseal::Context::bytes(CONTEXT))
                    .unwrap()
            })
        });
        // Appending to a buffer the caller reuses: no allocation per field.
        let mut reused = Vec::with_capacity(size + 128);
        seal.bench_with_input(
            BenchmarkId::new("enseal-into", label(size)),
            &pt,
            |b, pt| {
                b.iter(|| {
                    reused.clear();
                    sealer
                        .seal_binary_into(
                            black_box(pt),
                            enseal::Context::bytes(CONTEXT),
                            &mut reused,
                        )
                        .unwrap();
                })
            },
        );
        // The same contract as enseal: borrowed plaintext in, owned ciphertext||tag out.
        seal.bench_with_input(BenchmarkId::new("ring", label(size)), &pt, |b, pt| {
            b.iter(|| ring_seal_owned(&ring_key, nonce, CONTEXT, black_box(pt)))
        });
        // The same, authenticating the AAD an enseal field carries (51-byte X25519
        // header + context): what the format itself asks of AES-GCM.
        let field_aad = [&[0u8; 51][..], CONTEXT].concat();
        seal.bench_with_input(
            BenchmarkId::new("ring-field-aad", label(size)),
            &pt,
            |b, pt| b.iter(|| ring_seal_owned(&ring_key, nonce, &field_aad, black_box(pt))),
        );
        // ring encrypting a buffer the caller already owns: no copy at all.
        let mut in_place = pt.clone();
        seal.bench_function(BenchmarkId::new("ring-in-place", label(size)), |b| {
            b.iter(|| {
                ring_key
                    .seal_in_place_separate_tag(
                        Nonce::assume_unique_for_key(nonce),
                        Aad::from(CONTEXT),
                        black_box(&mut in_place),
                    )
                    .unwrap()
            })
        });
        seal.bench_with_input(BenchmarkId::new("aes-gcm", label(size)), &pt, |b, pt| {
            b.iter(|| {
                let mut out = vec![0u8; pt.len()];
                let tag = rc_key
                    .encrypt_inout_detached(
                        &nonce.into(),
                        CONTEXT,
                        InOutBuf::new(black_box(pt), &mut out).unwrap(),
                    )
                    .unwrap();
                out.extend_from_slice(&tag);
                out
            })
        });
        seal.bench_with_input(BenchmarkId::new("openssl", label(size)), &pt, |b, pt| {
            b.iter(|| {
                let mut tag = [0u8; 16];
                let mut out = openssl::symm::encrypt_aead(
                    openssl::symm::Cipher::aes_256_gcm(),
                    &key,
                    Some(&nonce),
                    CONTEXT,
                    black_box(pt),
                    &mut tag,
                )
                .unwrap();
                out.extend_from_slice(&tag);
                out
            })
        });
    }
    seal.finish();

    let mut open = c.benchmark_group("open");
    for size in SIZES {
        let pt = vec![0x5au8; size];
        open.throughput(Throughput::Bytes(size as u64));
        let sealed = sealer
            .seal_binary(&pt, enseal::Context::bytes(CONTEXT))
            .unwrap();
        opener
            .open_binary(&sealed, enseal::Context::bytes(CONTEXT))
            .unwrap();
        open.bench_with_input(
            BenchmarkId::new("enseal-cached", label(size)),
            &sealed,
            |b, s| {
                b.iter(|| {
                    opener
                        .open_binary(black_box(s), enseal::Context::bytes(CONTEXT))
                        .unwrap()
                })
            },
        );
        let mut reused = Vec::with_capacity(size + 128);
        open.bench_with_input(
            BenchmarkId::new("enseal-into", label(size)),
            &sealed,
            |b, s| {
                b.iter(|| {
                    reused.clear();
                    opener
                        .open_binary_into(
                            black_box(s),
                            enseal::Context::bytes(CONTEXT),
                            &mut reused,
                        )
                        .unwrap();
                })
            },
        );
        let field_aad = [&[0u8; 51][..], CONTEXT].concat();
        let field_ct = ring_seal_owned(&ring_key, nonce, &field_aad, &pt);
        open.bench_with_input(
            BenchmarkId::new("ring-field-aad", label(size)),
            &field_ct,
            |b, ct| {
                b.iter(|| {
                    let mut buf = black_box(ct).clone();
                    let n = ring_key
                        .open_in_place(
                            Nonce::assume_unique_for_key(nonce),
                            Aad::from(&field_aad),
                            &mut buf,
                        )
                        .unwrap()
                        .len();
                    buf.truncate(n);
                    buf
                })
            },
        );
        let ct = ring_seal_owned(&ring_key, nonce, CONTEXT, &pt);
        open.bench_with_input(BenchmarkId::new("ring", label(size)), &ct, |b, ct| {
            b.iter(|| {
                let mut buf = black_box(ct).clone();
                let n = ring_key
                    .open_in_place(
                        Nonce::assume_unique_for_key(nonce),
                        Aad::from(CONTEXT),
                        &mut buf,
                    )
                    .unwrap()
                    .len();
                buf.truncate(n);
                buf
            })
        });
        open.bench_with_input(BenchmarkId::new("aes-gcm", label(size)), &ct, |b, ct| {
            b.iter(|| {
                let (body, tag) = ct.split_at(ct.len() - 16);
                let mut out = vec![0u8; body.len()];
                rc_key
                    .decrypt_inout_detached(
                        &nonce.into(),
                        CONTEXT,
                        InOutBuf::new(black_box(body), &mut out).unwrap(),
                        tag.try_into().unwrap(),
                    )
                    .unwrap();
                out
            })
        });
        open.bench_with_input(BenchmarkId::new("openssl", label(size)), &ct, |b, ct| {
            b.iter(|| {
                let (body, tag) = ct.split_at(ct.len() - 16);
                openssl::symm::decrypt_aead(
                    openssl::symm::Cipher::aes_256_gcm(),
                    &key,
                    Some(&nonce),
                    CONTEXT,
                    black_box(body),
                    tag,
                )
                .unwrap()
            })
        });
    }
    open.finish();
}

fn sessions(c: &mut Criterion) {
    let mut group = c.benchmark_group("session");
    for suite in Suite::ALL {
        let pair = KeyPair::generate(suite).unwrap();
        let public = pair.public_key().clone();
        group.bench_function(BenchmarkId::new("setup-encapsulate", suite.name()), |b| {
            b.iter(|| Sealer::new(black_box(&public)).unwrap())
        });
        let sealed = Sealer::new(&public)
            .unwrap()
            .seal_binary(&[0x5a; 64], enseal::Context::bytes(CONTEXT))
            .unwrap();
        let uncached = Opener::with_cache_capacity(Keyring::from_iter([pair.clone()]), 0);
        group.bench_function(
            BenchmarkId::new("first-open-decapsulate", suite.name()),
            |b| {
                b.iter(|| {
                    uncached
                        .open_binary(black_box(&sealed), enseal::Context::bytes(CONTEXT))
                        .unwrap()
                })
            },
        );
        let sealer = Sealer::new(&public).unwrap();
        group.bench_function(BenchmarkId::new("seal-64B-in-session", suite.name()), |b| {
            b.iter(|| {
                sealer
                    .seal_binary(black_box(&[0x5a; 64]), enseal::Context::bytes(CONTEXT))
                    .unwrap()
            })
        });
    }
    group.finish();
}

fn without_enseal(c: &mut Criterion) {
    use hpke::aead::AesGcm256;
    use hpke::kdf::HkdfSha256;
    use hpke::kem::X25519HkdfSha256;
    use hpke::{Kem, OpModeS};
    let mut group = c.benchmark_group("per-field-64B");
    let pt = [0x5au8; 64];
    let (_, pk) = X25519HkdfSha256::gen_keypair();
    group.bench_function("hpke-single-shot-x25519", |b| {
        b.iter(|| {
            hpke::single_shot_seal::<AesGcm256, HkdfSha256, X25519HkdfSha256>(
                &OpModeS::Base,
                &pk,
                b"info",
                black_box(&pt),
                CONTEXT,
            )
            .unwrap()
        })
    });
    let box_pk = crypto_box::SecretKey::generate(&mut rand_core::OsRng).public_key();
    group.bench_function("sealed-box-crypto_box", |b| {
        b.iter(|| box_pk.seal(&mut rand_core::OsRng, black_box(&pt)).unwrap())
    });
    let pair = KeyPair::generate(Suite::X25519).unwrap();
    let sealer = Sealer::new(pair.public_key()).unwrap();
    group.bench_function("enseal-in-session", |b| {
        b.iter(|| {
            sealer
                .seal_binary(black_box(&pt), enseal::Context::bytes(CONTEXT))
                .unwrap()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2)).sample_size(50);
    targets = field_seal_open, sessions, without_enseal
}
criterion_main!(benches);

//! RFC 9180's key schedule written out in core, for private keys that live
//! outside the process: an HSM or a KMS performs only the DH (or, for X-Wing,
//! the KEM decapsulation), and everything after it happens here, the same
//! for every backend. Local keys keep the `hpke` crate's path; the tests hold
//! the two to each other and to the RFC 9180 vectors.

use crate::format::{EXPORT_CONTEXT, HPKE_INFO};
use crate::{Error, Result, Suite};
use hkdf::{Hkdf, HkdfExtract};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::{SESSION_SECRET_LEN, SessionSecret};

const KDF_HKDF_SHA256: u16 = 0x0001;
const AEAD_AES_256_GCM: u16 = 0x0002;
/// Nh of HKDF-SHA256, and Nsecret of every suite enseal has.
const NH: usize = 32;

type Secret = Zeroizing<[u8; NH]>;

/// `LabeledExtract(salt, label, ikm)` (RFC 9180 §4): HKDF-Extract over
/// `"HPKE-v1" || suite_id || label || ikm`, fed in parts so no secret is copied.
fn labeled_extract(suite_id: &[u8], salt: &[u8], label: &[u8], ikm: &[u8]) -> Secret {
    let mut extract = HkdfExtract::<Sha256>::new(Some(salt));
    for part in [b"HPKE-v1".as_slice(), suite_id, label, ikm] {
        extract.input_ikm(part);
    }
    let (mut prk, _) = extract.finalize();
    let mut out = Zeroizing::new([0u8; NH]);
    out.copy_from_slice(&prk);
    zeroize::Zeroize::zeroize(prk.as_mut_slice());
    out
}

/// `LabeledExpand(prk, label, info, L)` (RFC 9180 §4) into `out` (`L = out.len()`).
fn labeled_expand(
    suite_id: &[u8],
    prk: &[u8; NH],
    label: &[u8],
    info: &[&[u8]],
    out: &mut [u8],
) -> Result<()> {
    let length = u16::try_from(out.len())
        .map_err(|_| Error::Internal("HPKE expand length"))?
        .to_be_bytes();
    let mut parts: Vec<&[u8]> = vec![&length, b"HPKE-v1", suite_id, label];
    parts.extend_from_slice(info);
    Hkdf::<Sha256>::from_prk(prk)
        .map_err(|_| Error::Internal("HPKE PRK length"))?
        .expand_multi_info(&parts, out)
        .map_err(|_| Error::Internal("HPKE expand length"))
}

fn kem_suite_id(suite: Suite) -> [u8; 5] {
    let id = suite.kem_id().to_be_bytes();
    [b'K', b'E', b'M', id[0], id[1]]
}

fn hpke_suite_id(suite: Suite, aead_id: u16) -> [u8; 10] {
    let mut id = *b"HPKE\0\0\0\0\0\0";
    id[4..6].copy_from_slice(&suite.kem_id().to_be_bytes());
    id[6..8].copy_from_slice(&KDF_HKDF_SHA256.to_be_bytes());
    id[8..10].copy_from_slice(&aead_id.to_be_bytes());
    id
}

/// DHKEM's `ExtractAndExpand(dh, kem_context)` with `kem_context = enc || pkRm` (RFC 9180 §4.1).
pub(crate) fn dhkem_shared_secret(
    suite: Suite,
    dh: &[u8; NH],
    enc: &[u8],
    pk_r: &[u8],
) -> Result<Secret> {
    let suite_id = kem_suite_id(suite);
    let eae_prk = labeled_extract(&suite_id, b"", b"eae_prk", dh);
    let mut shared_secret = Zeroizing::new([0u8; NH]);
    labeled_expand(
        &suite_id,
        &eae_prk,
        b"shared_secret",
        &[enc, pk_r],
        shared_secret.as_mut_slice(),
    )?;
    Ok(shared_secret)
}

/// The base-mode key schedule (RFC 9180 §5.1) up to `exporter_secret`, with
/// the intermediate values the RFC's vectors list, for the tests.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Schedule {
    pub(crate) key_schedule_context: [u8; 1 + 2 * NH],
    pub(crate) secret: Secret,
    pub(crate) exporter_secret: Secret,
    suite_id: [u8; 10],
}

impl Schedule {
    /// `KeySchedule(mode_base, shared_secret, info, "", "")` of enseal's
    /// suites (HKDF-SHA256, AES-256-GCM).
    pub(crate) fn base(suite: Suite, shared_secret: &[u8; NH], info: &[u8]) -> Result<Schedule> {
        Schedule::base_with_aead(suite, AEAD_AES_256_GCM, shared_secret, info)
    }

    /// The same with another AEAD id in the suite id: the published X-Wing
    /// HPKE vectors only exist with ChaCha20-Poly1305 (0x0003).
    pub(crate) fn base_with_aead(
        suite: Suite,
        aead_id: u16,
        shared_secret: &[u8; NH],
        info: &[u8],
    ) -> Result<Schedule> {
        let suite_id = hpke_suite_id(suite, aead_id);
        let psk_id_hash = labeled_extract(&suite_id, b"", b"psk_id_hash", b"");
        let info_hash = labeled_extract(&suite_id, b"", b"info_hash", info);
        let mut key_schedule_context = [0u8; 1 + 2 * NH];
        key_schedule_context[1..1 + NH].copy_from_slice(psk_id_hash.as_slice());
        key_schedule_context[1 + NH..].copy_from_slice(info_hash.as_slice());
        let secret = labeled_extract(&suite_id, shared_secret, b"secret", b"");
        let mut exporter_secret = Zeroizing::new([0u8; NH]);
        labeled_expand(
            &suite_id,
            &secret,
            b"exp",
            &[&key_schedule_context],
            exporter_secret.as_mut_slice(),
        )?;
        Ok(Schedule {
            key_schedule_context,
            secret,
            exporter_secret,
            suite_id,
        })
    }

    /// `Export(exporter_context, L)` (RFC 9180 §5.3), `L = out.len()`.
    pub(crate) fn export(&self, exporter_context: &[u8], out: &mut [u8]) -> Result<()> {
        labeled_expand(
            &self.suite_id,
            &self.exporter_secret,
            b"sec",
            &[exporter_context],
            out,
        )
    }
}

/// enseal's session secret from a KEM shared secret: `SetupBaseR`'s schedule
/// with info `"enseal/v1"`, then `Export("enseal/v1 field", 44)`.
pub(crate) fn session_secret(suite: Suite, shared_secret: &[u8; NH]) -> Result<SessionSecret> {
    let schedule = Schedule::base(suite, shared_secret, HPKE_INFO)?;
    let mut buf = Zeroizing::new([0u8; SESSION_SECRET_LEN]);
    schedule.export(EXPORT_CONTEXT, buf.as_mut_slice())?;
    let mut secret = SessionSecret {
        key: [0; 32],
        base_nonce: [0; 12],
    };
    let (key, nonce) = buf.split_at(32);
    secret.key.copy_from_slice(key);
    secret.base_nonce.copy_from_slice(nonce);
    Ok(secret)
}

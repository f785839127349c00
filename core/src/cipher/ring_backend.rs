use super::{Backend, NONCE_LEN, discard_from};
use crate::{Error, Result};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};

pub(crate) struct Ring;

impl Backend for Ring {
    type Key = LessSafeKey;
    const NAME: &'static str = "ring";

    fn new_key(key: &[u8; 32]) -> Result<LessSafeKey> {
        UnboundKey::new(&AES_256_GCM, key)
            .map(LessSafeKey::new)
            .map_err(|_| Error::Internal("ring rejected a 32-byte AES key"))
    }

    fn seal(
        key: &LessSafeKey,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        // ring only encrypts in place, so the plaintext is copied to where the
        // ciphertext goes first.
        let start = out.len();
        out.reserve(plaintext.len() + AES_256_GCM.tag_len());
        out.extend_from_slice(plaintext);
        let sealed = &mut out[start..];
        match key.seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            sealed,
        ) {
            Ok(tag) => {
                out.extend_from_slice(tag.as_ref());
                Ok(())
            }
            Err(_) => {
                discard_from(out, start);
                Err(Error::TooLarge)
            }
        }
    }

    fn open_into(
        key: &LessSafeKey,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        sealed: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        // ring only decrypts in place: the ciphertext is copied to where the plaintext goes.
        let start = out.len();
        out.extend_from_slice(sealed);
        let opened = key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut out[start..],
            )
            .map(|plaintext| plaintext.len());
        match opened {
            Ok(len) => {
                out.truncate(start + len);
                Ok(())
            }
            Err(_) => {
                discard_from(out, start);
                Err(Error::DecryptFailed)
            }
        }
    }
}

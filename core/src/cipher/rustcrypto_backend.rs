use super::{Backend, NONCE_LEN, discard_from};
use crate::{Error, Result};
use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::{AeadInOut, Aes256Gcm, KeyInit, Nonce, Tag};

use crate::format::TAG_LEN;

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) struct RustCrypto;

impl Backend for RustCrypto {
    type Key = Aes256Gcm;
    const NAME: &'static str = "aes-gcm";

    fn new_key(key: &[u8; 32]) -> Result<Aes256Gcm> {
        Ok(Aes256Gcm::new(key.into()))
    }

    fn seal(
        key: &Aes256Gcm,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let start = out.len();
        out.resize(start + plaintext.len(), 0);
        let buf = InOutBuf::new(plaintext, &mut out[start..])
            .map_err(|_| Error::Internal("buffer length mismatch"))?;
        match key.encrypt_inout_detached(&Nonce::from(nonce), aad, buf) {
            Ok(tag) => {
                out.extend_from_slice(&tag);
                Ok(())
            }
            Err(_) => {
                discard_from(out, start);
                Err(Error::TooLarge)
            }
        }
    }

    fn open_into(
        key: &Aes256Gcm,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        sealed: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let ct_len = sealed.len().checked_sub(TAG_LEN).ok_or(Error::Truncated)?;
        let (ct, tag) = sealed.split_at(ct_len);
        let tag = Tag::try_from(tag).map_err(|_| Error::Truncated)?;
        let start = out.len();
        out.resize(start + ct_len, 0);
        let opened = InOutBuf::new(ct, &mut out[start..])
            .map_err(|_| Error::Internal("buffer length mismatch"))
            .and_then(|buf| {
                key.decrypt_inout_detached(&Nonce::from(nonce), aad, buf, &tag)
                    .map_err(|_| Error::DecryptFailed)
            });
        if opened.is_err() {
            discard_from(out, start);
        }
        opened
    }
}

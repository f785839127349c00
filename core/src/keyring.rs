//! The private keyring an opener decrypts with: key pairs by key id, so old
//! keys keep opening old data after the keyset's primary moves on.

use crate::json::{self, Value};
use crate::jwk;
use crate::{Error, KeyId, KeyPair, Result};
use core::fmt;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// Private keys by key id.
#[derive(Clone, Default)]
pub struct Keyring {
    keys: BTreeMap<KeyId, KeyPair>,
}

impl Keyring {
    /// An empty keyring.
    pub fn new() -> Keyring {
        Keyring::default()
    }

    /// Adds a key pair and returns true, or returns false and leaves the
    /// keyring as it is when a key with the same key id is already there:
    /// the key id is a hash of the public key, so that is the same key.
    pub fn add(&mut self, key: KeyPair) -> bool {
        match self.keys.entry(key.kid()) {
            std::collections::btree_map::Entry::Occupied(_) => false,
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(key);
                true
            }
        }
    }

    /// The key pair with this id.
    pub fn get(&self, kid: &KeyId) -> Option<&KeyPair> {
        self.keys.get(kid)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the keyring holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key ids, in sorted order.
    pub fn kids(&self) -> impl Iterator<Item = KeyId> + '_ {
        self.keys.keys().copied()
    }

    /// Parses a private JWK set `{"keys": [private JWK, ...]}`. A document
    /// that lists a key twice is refused: it was not written by enseal.
    pub fn from_jwks(json: &str) -> Result<Keyring> {
        let shape = || Error::InvalidKeyset("expected {\"keys\": [private JWK, ...]}".into());
        let doc = json::parse(json).map_err(|_| shape())?;
        let jwks = jwk::key_list(&doc)
            .map_err(Error::InvalidKeyset)?
            .ok_or_else(shape)?;
        let mut ring = Keyring::new();
        for (i, jwk) in jwks.iter().enumerate() {
            let pair = KeyPair::from_jwk_struct(jwk).map_err(|e| e.in_entry(i))?;
            let kid = pair.kid();
            if !ring.add(pair) {
                return Err(Error::InvalidKeyset(format!("duplicate key id {kid}")));
            }
        }
        Ok(ring)
    }

    /// The keyring as a private JWK set, zeroized on drop.
    pub fn to_jwks(&self) -> Zeroizing<String> {
        let keys = self
            .keys
            .values()
            .map(|pair| pair.to_jwk_struct().to_value())
            .collect();
        json::to_string_pretty(&Value::Object(vec![("keys".into(), Value::Array(keys))]))
    }
}

impl FromIterator<KeyPair> for Keyring {
    /// Collects key pairs as [`Keyring::add`] adds them: a key already there is kept.
    fn from_iter<I: IntoIterator<Item = KeyPair>>(iter: I) -> Keyring {
        let mut ring = Keyring::new();
        for key in iter {
            ring.add(key);
        }
        ring
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("kids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

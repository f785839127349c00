//! The private keyring an opener decrypts with: key pairs by key id, so old
//! keys keep opening old data after the keyset's primary moves on. A key may
//! be held in memory, or by a custodian (an HSM, a KMS) that performs the
//! private-key step itself.

use crate::json::{self, Value};
use crate::jwk;
use crate::{Error, KeyCustody, KeyId, KeyPair, Result, SoftwareKey, Suite};
use core::fmt;
use std::collections::BTreeMap;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Where a keyring's private key is.
#[derive(Clone)]
pub(crate) enum Entry {
    /// In this process's memory: the key pair, and the same key as the
    /// in-memory custodian sessions are opened with. The custody path (a
    /// direct DH on AWS-LC, then core's RFC 9180 schedule with the stored
    /// public key) costs 1.07-1.13× the fastest raw DH per session, where
    /// `hpke`'s decapsulation, which derives the public key again on
    /// RustCrypto, costs 3.3-9.8× more (bench/examples/decap_paths.rs,
    /// docs/PERFORMANCE.md).
    Local(KeyPair, Arc<SoftwareKey>),
    /// With a custodian, which is asked for the private-key step.
    Custody(Arc<dyn KeyCustody>),
}

impl Entry {
    pub(crate) fn suite(&self) -> Suite {
        match self {
            Entry::Local(pair, _) => pair.suite(),
            Entry::Custody(custody) => custody.public_key().suite(),
        }
    }

    /// The custodian every session of this key is opened through.
    pub(crate) fn custody(&self) -> &dyn KeyCustody {
        match self {
            Entry::Local(_, software) => software.as_ref(),
            Entry::Custody(custody) => custody.as_ref(),
        }
    }
}

/// Private keys by key id.
#[derive(Clone, Default)]
pub struct Keyring {
    keys: BTreeMap<KeyId, Entry>,
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
        if self.keys.contains_key(&key.kid()) {
            return false;
        }
        // A key pair's own bytes always make a software key; were that ever
        // to fail, the pair is kept out rather than added half-usable.
        let Ok(software) = SoftwareKey::new(&key) else {
            return false;
        };
        self.insert(key.kid(), Entry::Local(key, Arc::new(software)))
    }

    /// Adds a key held by a custodian (an HSM, a KMS, a wrapped key), as
    /// [`Keyring::add`] adds a key pair: false, and nothing changes, when the
    /// key id is already there. Opening a session of this key asks the
    /// custodian for the private-key step (once per session: the opener
    /// caches proven sessions).
    pub fn add_custody(&mut self, custody: Arc<dyn KeyCustody>) -> bool {
        let kid = custody.public_key().kid();
        self.insert(kid, Entry::Custody(custody))
    }

    fn insert(&mut self, kid: KeyId, entry: Entry) -> bool {
        match self.keys.entry(kid) {
            std::collections::btree_map::Entry::Occupied(_) => false,
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(entry);
                true
            }
        }
    }

    /// Moves every key of `other` (in memory or in custody) into this
    /// keyring, as [`Keyring::add`] would add each: a key id already here
    /// keeps its key. Returns how many were added.
    pub fn merge(&mut self, other: Keyring) -> usize {
        let mut added = 0;
        for (kid, entry) in other.keys {
            added += usize::from(self.insert(kid, entry));
        }
        added
    }

    /// The key pair with this id, when it is held in memory (`None` for a
    /// key held by a custodian: its private key is not here to give).
    pub fn get(&self, kid: &KeyId) -> Option<&KeyPair> {
        match self.keys.get(kid) {
            Some(Entry::Local(pair, _)) => Some(pair),
            _ => None,
        }
    }

    /// True when the keyring has a key with this id, in memory or in custody.
    pub fn contains(&self, kid: &KeyId) -> bool {
        self.keys.contains_key(kid)
    }

    /// True when the key with this id is held by a custodian.
    pub fn is_in_custody(&self, kid: &KeyId) -> bool {
        matches!(self.keys.get(kid), Some(Entry::Custody(_)))
    }

    pub(crate) fn entry(&self, kid: &KeyId) -> Option<&Entry> {
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

    /// The keys held in memory as a private JWK set, zeroized on drop. Keys
    /// held by a custodian are not in it: their private keys are not here.
    pub fn to_jwks(&self) -> Zeroizing<String> {
        let keys = self
            .keys
            .values()
            .filter_map(|entry| match entry {
                Entry::Local(pair, _) => Some(pair.to_jwk_struct().to_value()),
                Entry::Custody(_) => None,
            })
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
        let in_custody: Vec<_> = self.kids().filter(|k| self.is_in_custody(k)).collect();
        f.debug_struct("Keyring")
            .field("kids", &self.keys.keys().collect::<Vec<_>>())
            .field("in_custody", &in_custody)
            .finish()
    }
}

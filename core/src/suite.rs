//! The three KEM suites. Every suite uses HKDF-SHA256 and AES-256-GCM in the
//! HPKE key schedule; only the key encapsulation differs.

use crate::{Error, Result};
use core::fmt;

/// An HPKE KEM suite. The suite is a property of the recipient key.
///
/// Deliberately exhaustive: a new suite is a breaking change that every
/// binding's `match` must handle, rather than fall back to a default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Suite {
    /// DHKEM(X25519, HKDF-SHA256), KEM id 0x0020: the default.
    #[default]
    X25519,
    /// DHKEM(P-256, HKDF-SHA256), KEM id 0x0010: for HSM, KMS and FIPS deployments.
    P256,
    /// X-Wing (ML-KEM-768 + X25519), KEM id 0x647a: post-quantum hybrid.
    XWing,
}

impl Suite {
    /// Every suite.
    pub const ALL: [Suite; 3] = [Suite::X25519, Suite::P256, Suite::XWing];

    /// The HPKE KEM id (RFC 9180 §7.1, draft-ietf-hpke-pq for X-Wing).
    pub const fn kem_id(self) -> u16 {
        match self {
            Suite::X25519 => 0x0020,
            Suite::P256 => 0x0010,
            Suite::XWing => 0x647a,
        }
    }

    /// The suite with this KEM id.
    pub fn from_kem_id(kem_id: u16) -> Result<Suite> {
        Suite::ALL
            .into_iter()
            .find(|s| s.kem_id() == kem_id)
            .ok_or(Error::UnsupportedSuite(kem_id))
    }

    /// Length of the encapsulated key `enc` (Nenc).
    pub const fn enc_len(self) -> usize {
        match self {
            Suite::X25519 => 32,
            Suite::P256 => 65,
            Suite::XWing => 1120,
        }
    }

    /// Length of a serialized public key (Npk).
    pub const fn public_key_len(self) -> usize {
        match self {
            Suite::X25519 => 32,
            Suite::P256 => 65,
            Suite::XWing => 1216,
        }
    }

    /// Length of a serialized private key (Nsk). For X-Wing this is the 32-byte seed.
    pub const fn private_key_len(self) -> usize {
        32
    }

    /// Bytes of randomness one encapsulation draws.
    pub(crate) const fn encap_randomness_len(self) -> usize {
        match self {
            Suite::X25519 | Suite::P256 => 32,
            Suite::XWing => 64,
        }
    }

    /// The canonical name: `"X25519"`, `"P-256"` or `"X-Wing"`.
    pub const fn name(self) -> &'static str {
        match self {
            Suite::X25519 => "X25519",
            Suite::P256 => "P-256",
            Suite::XWing => "X-Wing",
        }
    }

    /// The suite named `name`, ignoring case and the hyphen (`"x25519"`, `"p256"`, `"X-Wing"`, …).
    pub fn from_name(name: &str) -> Result<Suite> {
        let folded: String = name
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match folded.as_str() {
            "x25519" => Ok(Suite::X25519),
            "p256" => Ok(Suite::P256),
            "xwing" => Ok(Suite::XWing),
            _ => Err(Error::InvalidArgument(
                "unknown suite name (expected X25519, P-256 or X-Wing)",
            )),
        }
    }
}

impl fmt::Display for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_round_trip() {
        for s in Suite::ALL {
            assert_eq!(Suite::from_kem_id(s.kem_id()), Ok(s));
            assert_eq!(Suite::from_name(s.name()), Ok(s));
        }
        assert_eq!(Suite::from_name("xwing"), Ok(Suite::XWing));
        assert_eq!(Suite::from_name("p256"), Ok(Suite::P256));
        assert!(Suite::from_name("rsa").is_err());
        assert_eq!(
            Suite::from_kem_id(0x0011),
            Err(Error::UnsupportedSuite(0x0011))
        );
    }
}

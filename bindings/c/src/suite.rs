//! Suite ids: C passes and receives a suite as its HPKE KEM id (a `uint16_t`,
//! validated by core), never as an enum.

/// Suite id of DHKEM(X25519, HKDF-SHA256): the default.
pub const ENSEAL_SUITE_X25519: u16 = 0x0020;
/// Suite id of DHKEM(P-256, HKDF-SHA256).
pub const ENSEAL_SUITE_P256: u16 = 0x0010;
/// Suite id of X-Wing (ML-KEM-768 + X25519), post-quantum hybrid.
pub const ENSEAL_SUITE_XWING: u16 = 0x647a;

#[cfg(test)]
mod tests {
    use super::*;
    use enseal_core::Suite;

    #[test]
    fn the_constants_are_core_s_kem_ids() {
        let constants = [ENSEAL_SUITE_X25519, ENSEAL_SUITE_P256, ENSEAL_SUITE_XWING];
        assert_eq!(constants.len(), Suite::ALL.len());
        for (constant, suite) in constants.into_iter().zip(Suite::ALL) {
            assert_eq!(constant, suite.kem_id(), "{suite}");
        }
    }
}

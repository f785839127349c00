// An independent JOSE signer for the signed-keyset tests: Node's own
// `crypto` Ed25519 (OpenSSL), not enseal's Rust, writes each JWS compact
// serialization (RFC 7515 §7.1, EdDSA per RFC 8037) and each RFC 7638
// thumbprint, so the package is checked against a second implementation of
// docs/FORMAT.md §10. Node only; the cases it makes are plain JSON, handed to
// Chromium as they are (signed.js runs them in both).
import { createHash, generateKeyPairSync, sign } from 'node:crypto';

const b64 = (bytes) => Buffer.from(bytes).toString('base64url');

/** A fresh Ed25519 signer: its public JWK (with `kid`, the RFC 7638 thumbprint) and a `sign(header, payload)`. */
export function newSigner() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const { kty, crv, x } = publicKey.export({ format: 'jwk' });
  // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
  const kid = b64(createHash('sha256').update(JSON.stringify({ crv, kty, x })).digest());
  return {
    kid,
    publicJwk: { kty, crv, x, kid },
    privateJwk: privateKey.export({ format: 'jwk' }),
    /** The compact JWS of any header and payload objects (signing input: b64(header).b64(payload)). */
    sign(header, payload) {
      const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
      return `${input}.${b64(sign(null, Buffer.from(input), privateKey))}`;
    },
  };
}

/** A signed keyset as docs/FORMAT.md §10 writes it, by `signer`. */
export function signKeyset(signer, keyset, { version, iat, exp, kid = signer.kid }) {
  return signer.sign({ alg: 'EdDSA', typ: 'enseal-keyset+jws', kid }, { typ: 'enseal-keyset', version, iat, exp, keyset });
}

/** `jws` with bit 2 of byte `at` of segment `part` (0 header, 1 payload, 2 signature) flipped. */
export function flip(jws, part, at) {
  const parts = jws.split('.');
  const bytes = Buffer.from(parts[part], 'base64url');
  bytes[at] ^= 0x04;
  parts[part] = b64(bytes);
  return parts.join('.');
}

/**
 * Every case the package must decide: a recipient keyset (its private JWK
 * kept for opening), two pinned signers (the current one and the next, for
 * rotation), one that is not pinned, and the documents.
 */
export function signedCases(enseal) {
  const now = Math.floor(Date.now() / 1000);
  const recipient = enseal.KeyPair.generate();
  const keyset = enseal.Keyset.fromPublicKey(recipient.publicKey, { created: now - 600 }).toJson();
  const current = newSigner();
  const next = newSigner();
  const stranger = newSigner();
  const valid = signKeyset(current, keyset, { version: 3, iat: now - 60, exp: now + 3600 });
  const none = `${b64(JSON.stringify({ alg: 'none', typ: 'enseal-keyset+jws', kid: current.kid }))}.${valid.split('.')[1]}.`;
  return {
    recipient: recipient.toJwk(),
    keyset,
    primary: keyset.primary,
    pins: { keys: [current.publicJwk, next.publicJwk] },
    kids: [current.kid, next.kid],
    exp: now + 3600,
    valid,
    rotated: signKeyset(next, keyset, { version: 4, iat: now - 60, exp: now + 7200 }),
    refused: {
      KEYSET_UNSIGNED: { plainText: JSON.stringify(keyset), plainObject: keyset, twoParts: valid.split('.').slice(0, 2).join('.') },
      KEYSET_BAD_SIGNATURE: {
        otherSigner: signKeyset(stranger, keyset, { version: 3, iat: now - 60, exp: now + 3600 }),
        otherSignerPinnedKid: signKeyset(stranger, keyset, { version: 3, iat: now - 60, exp: now + 3600, kid: current.kid }),
        flippedSignature: flip(valid, 2, 17),
        flippedPayload: flip(valid, 1, 40),
        algNone: none,
        algHs256: current.sign({ alg: 'HS256', typ: 'enseal-keyset+jws', kid: current.kid }, { typ: 'enseal-keyset', version: 3, iat: now - 60, exp: now + 3600, keyset }),
        keyInHeader: current.sign({ alg: 'EdDSA', typ: 'enseal-keyset+jws', kid: current.kid, jwk: stranger.publicJwk }, { typ: 'enseal-keyset', version: 3, iat: now - 60, exp: now + 3600, keyset }),
      },
      KEYSET_EXPIRED: { expired: signKeyset(current, keyset, { version: 3, iat: now - 7200, exp: now - 3600 }) },
    },
    badPins: {
      INVALID_KEYSET: { empty: { keys: [] }, privateKey: { keys: [current.privateJwk] }, twice: { keys: [current.publicJwk, current.publicJwk] } },
      INVALID_KEY: { wrongKid: { keys: [{ ...current.publicJwk, kid: stranger.kid }] }, notEd25519: { keys: [recipient.publicKey.toJwk()] } },
    },
  };
}

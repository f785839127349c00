// An independent implementation of docs/FORMAT.md from @hpke/core (RFC 9180)
// and WebCrypto AES-GCM only: no enseal code. Used by the Node and browser tests
// (interop) and by the benchmark (what users do without enseal).
import { Aes256Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';

const te = new TextEncoder();
const INFO = te.encode('enseal/v1');
const EXPORT = te.encode('enseal/v1 field');
const KEMS = { X25519: [0x20, 32, DhkemX25519HkdfSha256], 'P-256': [0x10, 65, DhkemP256HkdfSha256] };

export function hpkeSuite(name) {
  const [, , Kem] = KEMS[name];
  return new CipherSuite({ kem: new Kem(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
}

function nonceFor(base, counter) {
  const nonce = base.slice();
  const view = new DataView(nonce.buffer);
  view.setUint32(4, view.getUint32(4) ^ Math.floor(counter / 2 ** 32));
  view.setUint32(8, view.getUint32(8) ^ counter % 2 ** 32);
  return nonce;
}

async function fieldKey(secret, usage) {
  const key = await crypto.subtle.importKey('raw', secret.slice(0, 32), 'AES-GCM', false, [usage]);
  return { key, base: new Uint8Array(secret.slice(32, 44)) };
}

const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Opens a binary sealed field with a raw private key, per FORMAT.md §4. */
export async function peerOpen(suiteName, privateKey, sealed, context) {
  const [kemId, encLen] = KEMS[suiteName];
  if (sealed[0] !== 1 || ((sealed[1] << 8) | sealed[2]) !== kemId) throw new Error('not this suite');
  const headerLen = 1 + 2 + 8 + encLen + 8;
  const enc = sealed.slice(11, 11 + encLen);
  const counterView = new DataView(sealed.buffer, sealed.byteOffset + 11 + encLen, 8);
  const counter = counterView.getUint32(0) * 2 ** 32 + counterView.getUint32(4);
  const suite = hpkeSuite(suiteName);
  const recipientKey = await suite.kem.deserializePrivateKey(privateKey);
  const ctx = await suite.createRecipientContext({ recipientKey, enc, info: INFO });
  const { key, base } = await fieldKey(new Uint8Array(await ctx.export(EXPORT, 44)), 'decrypt');
  const header = sealed.slice(0, headerLen);
  const plaintext = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: nonceFor(base, counter), additionalData: concat(header, context) },
    key,
    sealed.slice(headerLen),
  );
  return new Uint8Array(plaintext);
}

/** A sender session made with @hpke/core: seals fields in the enseal format. */
export async function peerSession(suiteName, publicKey, kid) {
  const [kemId] = KEMS[suiteName];
  const suite = hpkeSuite(suiteName);
  const recipientPublicKey = await suite.kem.deserializePublicKey(publicKey);
  const ctx = await suite.createSenderContext({ recipientPublicKey, info: INFO });
  const enc = new Uint8Array(ctx.enc);
  const { key, base } = await fieldKey(new Uint8Array(await ctx.export(EXPORT, 44)), 'encrypt');
  const prefix = concat(Uint8Array.of(1, kemId >> 8, kemId & 255), kid, enc);
  let counter = 0;
  return async function seal(plaintext, context) {
    const c = new Uint8Array(8);
    new DataView(c.buffer).setUint32(4, counter);
    const header = concat(prefix, c);
    const body = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: nonceFor(base, counter++), additionalData: concat(header, context) },
      key,
      plaintext,
    );
    return concat(header, new Uint8Array(body));
  };
}

/** What a user does without enseal: a fresh HPKE context per field (single-shot seal). */
export async function singleShotSeal(suite, recipientPublicKey, plaintext) {
  return suite.seal({ recipientPublicKey, info: INFO }, plaintext);
}

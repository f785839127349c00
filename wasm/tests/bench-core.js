// The web benchmark body, plain ESM: runs unchanged in Node and in Chromium.
// Rates are per field, each implementation doing what a user would do.
import { hpkeSuite, singleShotSeal } from './hpke-peer.js';

const now = () => performance.now();

/**
 * Calls `op` until `budgetMs` has passed (at least `min` times), in three rounds of a third of
 * the budget each; returns µs per call of the fastest round (this VM's GC pauses and noisy
 * neighbours only ever add time).
 */
async function time(op, { budgetMs = 300, min = 3, isAsync = false } = {}) {
  for (let i = 0; i < 3; i++) (isAsync ? await op() : op()); // warm-up
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    let n = 0;
    const start = now();
    let elapsed = 0;
    while (n < min || elapsed < budgetMs / 3) {
      if (isAsync) await op();
      else op();
      n++;
      if ((n & 15) === 0 || isAsync || n < min) elapsed = now() - start;
    }
    best = Math.min(best, ((now() - start) * 1000) / n);
  }
  return best;
}

/**
 * `baseline` is the bench-only wasm build's glue (`AesGcmBaseline`: bare
 * AES-256-GCM in wasm, src/baseline.rs), loaded and initialized.
 */
export async function runBench(enseal, sodium, sizes, baseline) {
  const rows = [];
  const row = (what, size, us) => rows.push({ what, size, us, perSecond: 1e6 / us });
  const kp = enseal.KeyPair.generate();
  const ring = new enseal.Keyring();
  ring.add(kp);
  const sealer = new enseal.Sealer(kp.publicKey);
  const opener = new enseal.Opener(ring);
  const suite = hpkeSuite('X25519');
  const peerKeys = await suite.kem.generateKeyPair();
  const oneContext = await suite.createSenderContext({ recipientPublicKey: peerKeys.publicKey });
  const aesKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
  const nonce = new Uint8Array(12);
  const box = sodium.crypto_box_keypair();
  const context = new TextEncoder().encode('patients/8812/ssn');
  const bare = new baseline.AesGcmBaseline(new Uint8Array(32).fill(7));
  const rawKey = await crypto.subtle.importKey('raw', new Uint8Array(32).fill(7), 'AES-GCM', false, ['encrypt']);

  for (const size of sizes) {
    const value = new Uint8Array(size).map((_, i) => i & 255);
    const big = size >= 1 << 20;
    const budget = { budgetMs: big ? 600 : 300 };
    const sealed = sealer.sealBinary(value, context);
    // The AAD core authenticates: the header (what the binary form adds beyond ciphertext and tag) and the context.
    const header = sealed.length - size - 16;
    const aad = new Uint8Array(header + context.length).fill(1);
    row('bare wasm AES-256-GCM, same AAD (floor)', size, await time(() => bare.encrypt(aad, value), budget));
    row('enseal seal, text form (wasm, sync)', size, await time(() => sealer.seal(value, context), budget));
    row('enseal sealBinary (wasm, sync)', size, await time(() => sealer.sealBinary(value, context), budget));
    row('enseal sealBinaryAsync (WebCrypto ≥ 2 KiB)', size, await time(() => sealer.sealBinaryAsync(value, context), { ...budget, isAsync: true }));
    if (size >= 2048) {
      // Where sealBinaryAsync's time goes: its two synchronous wasm halves without WebCrypto
      // (internal methods; `finish` given an output of the right length).
      const output = new Uint8Array(size + 16);
      row('  sealBinaryAsync part: _sealStart (sync half: arguments, counter, AAD, parameters)', size, await time(() => sealer._sealStart(value, context, false).free(), budget));
      row('  sealBinaryAsync part: _sealStart + finish (both sync halves, no WebCrypto)', size, await time(() => sealer._sealStart(value, context, false).finish(output), budget));
    }
    row('enseal openBinary (wasm, sync)', size, await time(() => opener.openBinary(sealed, context), budget));
    row('enseal openBinaryAsync (WebCrypto ≥ 2 KiB)', size, await time(() => opener.openBinaryAsync(sealed, context), { ...budget, isAsync: true }));
    row('WebCrypto AES-256-GCM raw encrypt', size, await time(() => crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: context }, aesKey, value), { ...budget, isAsync: true }));
    // What any implementation of the format pays at least: WebCrypto over the same AAD, then its
    // output copied once behind the header (WebCrypto cannot write at an offset).
    const headerBytes = sealed.subarray(0, header);
    row('WebCrypto raw encrypt + the one copy behind the header', size, await time(async () => {
      const body = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad }, rawKey, value));
      const out = new Uint8Array(header + body.length);
      out.set(headerBytes);
      out.set(body, header);
      return out;
    }, { ...budget, isAsync: true }));
    row('@hpke/core one context, ctx.seal per field', size, await time(() => oneContext.seal(value, context), { ...budget, isAsync: true }));
    row('@hpke/core single-shot seal per field', size, await time(() => singleShotSeal(suite, peerKeys.publicKey, value), { ...budget, isAsync: true, min: 3 }));
    row('libsodium crypto_box_seal per field', size, await time(() => sodium.crypto_box_seal(value, box.publicKey), budget));
  }
  const setup = [];
  for (const name of ['X25519', 'P-256', 'X-Wing']) {
    const pk = enseal.KeyPair.generate(name).publicKey;
    setup.push({ suite: name, us: await time(() => new enseal.Sealer(pk).free(), { budgetMs: 300 }) });
  }
  return { rows, setup };
}

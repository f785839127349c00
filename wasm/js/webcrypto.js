// The async methods: WebCrypto (hardware AES) seals and opens values of 2 KiB
// and more. Rust prepares each call and finishes it (`_sealStart`,
// `_openStart`, `WebCryptoJob`); only the await is here, because
// wasm-bindgen's futures cost ~40 µs a call in Chromium, more than WebCrypto
// encrypting 16 KiB. Their declarations are in webcrypto.d.ts.

import { isForeignSealed } from './sealed.js';

/** Adds the async methods to the classes of one wasm build's glue module. */
export function installAsyncMethods({ Opener, Sealed, Sealer, WebCryptoJob }) {
  async function run(job) {
    if (!(job instanceof WebCryptoJob)) return job; // small values: done in wasm
    // A copy, taken now, in the caller's turn: the caller may reuse or change
    // its buffer as soon as this call returns, and WebCrypto would read it only
    // after the await. (The copy is a plain ArrayBuffer, which WebCrypto takes
    // even when the caller's view is over a SharedArrayBuffer.)
    const input = job.input.slice();
    let output;
    try {
      output = await crypto.subtle[job.operation](job.algorithm, await job.key, input);
    } catch {
      throw job.fail();
    }
    return job.finish(new Uint8Array(output));
  }

  Object.assign(Sealer.prototype, {
    async sealAsync(value, context) {
      return run(this._sealStart(value, context, true));
    },
    async sealBinaryAsync(value, context) {
      return run(this._sealStart(value, context, false));
    },
  });

  Object.assign(Opener.prototype, {
    async openAsync(sealed, context) {
      // A Sealed goes as its binary form (the text form would be parsed again).
      if (sealed instanceof Sealed) return run(this._openStart(sealed.toBinary(), context, true));
      if (isForeignSealed(sealed)) return run(this._openStart(sealed.toText(), context, false));
      return run(this._openStart(sealed, context, false));
    },
    async openBinaryAsync(sealed, context) {
      return run(this._openStart(sealed, context, true));
    },
  });
}

// The async methods: WebCrypto (hardware AES) seals and opens values of 2 KiB
// and more. Rust prepares each call and finishes it (`_sealStart`,
// `_openStart`, `WebCryptoJob`); only the await is here, because
// wasm-bindgen's futures cost ~40 µs a call in Chromium, more than WebCrypto
// encrypting 16 KiB. Their declarations are in webcrypto.d.ts.

import { isForeignSealed } from './sealed.js';

/** The CryptoKey of each key import that has finished, by its promise. */
const importedKeys = new WeakMap();

async function imported(importing) {
  const key = await importing;
  importedKeys.set(importing, key);
  return key;
}

/** A view WebCrypto takes: one over a SharedArrayBuffer is copied first (WebCrypto refuses those). */
function ownBytes(view) {
  return view.buffer instanceof ArrayBuffer ? view : view.slice();
}

/** Adds the async methods to the classes of one wasm build's glue module. */
export function installAsyncMethods({ Opener, Sealed, Sealer, WebCryptoJob }) {
  async function run(job) {
    if (!(job instanceof WebCryptoJob)) return job; // small values: done in wasm
    const importing = job.key; // one promise per session, the same object for each of its fields
    const key = importedKeys.get(importing);
    let output;
    try {
      if (key) {
        // WebCrypto copies its input when it is called: called now, in the
        // caller's turn, it reads what the caller passed, without a copy of ours.
        output = await crypto.subtle[job.operation](job.algorithm, key, ownBytes(job.input));
      } else {
        // The session's key is still being imported: keep the caller's bytes as
        // they are now (it may reuse its buffer as soon as this call returns).
        const input = job.input.slice();
        output = await crypto.subtle[job.operation](job.algorithm, await imported(importing), input);
      }
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

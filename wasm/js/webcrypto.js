// The async methods: WebCrypto (hardware AES) seals and opens values of 2 KiB
// and more. Rust prepares each call and finishes it (`_sealStart`,
// `_openStart`, `WebCryptoJob`); only the await is here, because
// wasm-bindgen's futures cost ~40 µs a call in Chromium, more than WebCrypto
// encrypting 16 KiB. `async-all.js` and `async-x25519.js` install them on each
// build's generated classes.

/** Adds the async methods to the classes of one wasm build's glue module. */
export function installAsyncMethods({ Opener, Sealer, WebCryptoJob }) {
  async function run(job) {
    if (!(job instanceof WebCryptoJob)) return job; // small values: done in wasm
    let output;
    try {
      output = await crypto.subtle[job.operation](job.algorithm, await job.key, job.input);
    } catch {
      throw job.fail();
    }
    return job.finish(new Uint8Array(output));
  }

  Object.assign(Sealer.prototype, {
    async sealBinaryAsync(value, context) {
      return run(this._sealStart(value, context, false));
    },
    async sealAsync(value, context) {
      return run(this._sealStart(value, context, true));
    },
  });

  Object.assign(Opener.prototype, {
    async openBytesAsync(sealed, context) {
      return run(this._openStart(sealed, context));
    },
  });
}

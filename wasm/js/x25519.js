// `enseal/x25519` for browsers and bundlers: index.js with a wasm module built
// without the P-256 and X-Wing suites (~30 KB gzipped smaller). Keys of those
// suites are refused with UNSUPPORTED_SUITE; the sealed format is the same.
import initWasm from './glue-x25519/enseal.js';
import { initOnce } from './init.js';

export * from './api-x25519.js';

/** As `init` of the main entry, for the X25519-only wasm module. */
export const init = initOnce(initWasm);

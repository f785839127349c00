// `enseal/x25519` in Node: node.js with the X25519-only wasm module.
import { readFileSync } from 'node:fs';
import { initSync } from './glue-x25519/enseal.js';

initSync({ module: readFileSync(new URL('./glue-x25519/enseal_bg.wasm', import.meta.url)) });

export * from './api-x25519.js';

/** Already done in Node; resolves at once. */
export function init() {
  return Promise.resolve();
}

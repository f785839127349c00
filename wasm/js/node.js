// Node: the wasm module is read and instantiated synchronously on import, so
// everything is usable at once; `init()` exists only for isomorphic code.
import { readFileSync } from 'node:fs';
import { initSync } from './glue/enseal.js';

initSync({ module: readFileSync(new URL('./glue/enseal_bg.wasm', import.meta.url)) });

export * from './api-all.js';

/** Already done in Node; resolves at once. */
export function init() {
  return Promise.resolve();
}

// Browsers and bundlers (Vite, webpack, esbuild): the wasm module is fetched
// next to this file (new URL(..., import.meta.url), which bundlers follow) the
// first time `init()` is awaited. Nothing runs at import: no top-level await.
import initWasm from './glue/enseal.js';
import { initOnce } from './init.js';

export * from './api-all.js';

/**
 * Loads and instantiates the wasm module once; later calls return the same
 * promise. Pass a URL, Response or bytes to load it from elsewhere (a CDN, a
 * Content-Security-Policy-friendly path).
 */
export const init = initOnce(initWasm);

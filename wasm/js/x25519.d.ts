// `enseal/x25519`: the main entry's API over a wasm module without the P-256
// and X-Wing suites; keys of those suites throw UNSUPPORTED_SUITE.
export * from './api-x25519.js';
import type { InitInput } from './glue-x25519/enseal.js';

/**
 * Loads the wasm module; await it once before using anything else in a
 * browser (a call before it throws `EnsealError` `INVALID_ARGUMENT`). In
 * Node the module is loaded on import and this resolves at once.
 * @param input where to load the `.wasm` from (default: next to the package's JS).
 */
export declare function init(input?: InitInput | Promise<InitInput>): Promise<void>;

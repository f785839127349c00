// The main entry `enseal`: every suite (X25519, P-256, X-Wing).
export * from './api-all.js';
import type { InitInput } from './glue/enseal.js';

/**
 * Loads the wasm module; await it once before using anything else in a
 * browser (a call before it throws `EnsealError` `INVALID_ARGUMENT`). In
 * Node the module is loaded on import and this resolves at once.
 * @param input where to load the `.wasm` from (default: next to the package's JS).
 */
export declare function init(input?: InitInput | Promise<InitInput>): Promise<void>;

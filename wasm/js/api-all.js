// The public API over the every-suite wasm build (glue/): the glue's classes with
// a Sealed accepted where text is, the async methods installed and every failure an EnsealError (guard.js).
import * as glue from './glue/enseal.js';
import { guarded } from './guard.js';
import { acceptSealed } from './sealed.js';
import { installAsyncMethods } from './webcrypto.js';

acceptSealed(glue);
installAsyncMethods(glue);
export const { ContextTemplate, KeyPair, Keyring, Keyset, Opener, PublicKey, Sealed, Sealer, SignerPins, VerifiedKeyset, aesBackend, errorCodes, isSealed, jsonContext, version } = guarded(glue);
export { EnsealError, isEnsealError } from './error.js';

// Side effect: the async methods on the X25519-only entry's classes (see webcrypto.js).
import * as glue from './glue-x25519/enseal.js';
import { installAsyncMethods } from './webcrypto.js';

installAsyncMethods(glue);

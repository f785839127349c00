// Side effect: the async methods on the main entry's classes (see webcrypto.js).
import * as glue from './glue/enseal.js';
import { installAsyncMethods } from './webcrypto.js';

installAsyncMethods(glue);

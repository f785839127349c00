// The operations of docs/API.md that are new in issue 12 (Sealed, keyset
// building, batches) and caller misuse, through one entry of the package.
// Plain ESM with no Node imports: Node and headless Chromium run the same
// checks and assert the same report (assertApi, assertMisuse).

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const utf8 = (bytes) => new TextDecoder().decode(bytes);

/** `{ code, errno, message }` of what `fn` throws, or a string saying what went wrong. */
function failure(enseal, fn) {
  try {
    fn();
    return 'did not throw';
  } catch (e) {
    if (!enseal.isEnsealError(e) || !(e instanceof enseal.EnsealError)) return `not an EnsealError: ${e}`;
    return { code: e.code, errno: e.errno, message: e.message };
  }
}

function pair(enseal, suite) {
  const key = enseal.KeyPair.generate(suite);
  const ring = new enseal.Keyring();
  ring.add(key);
  return { key, ring, sealer: new enseal.Sealer(key.publicKey), opener: new enseal.Opener(ring) };
}

/** Sealed, keysets, keyrings, batches and the small functions, as plain data. */
export function runApi(enseal) {
  const fail = (fn) => failure(enseal, fn);
  const { key, ring, sealer, opener } = pair(enseal);
  const r = {};

  // Text by default; bytes out of open, a string out of openString.
  const text = sealer.seal('123-45-6789', 'patients/8812/ssn');
  const opened = opener.open(text, 'patients/8812/ssn');
  r.open = { isBytes: opened instanceof Uint8Array, text: utf8(opened), string: opener.openString(text, 'patients/8812/ssn') };
  const binary = sealer.sealBinary(Uint8Array.of(0, 255), 'ctx');
  r.openBinary = same(opener.openBinary(binary, 'ctx'), [0, 255]);
  r.notUtf8 = fail(() => opener.openString(sealer.seal(Uint8Array.of(0xff), 'c'), 'c'));
  r.binaryToOpen = fail(() => opener.open(binary, 'ctx'));
  r.textToOpenBinary = fail(() => opener.openBinary(text, 'patients/8812/ssn'));

  // Sealed: which key, without the private key.
  const publicOnly = enseal.PublicKey.fromJwk(key.publicKey.toJwk());
  const second = new enseal.Sealer(publicOnly).seal('x', 'c');
  const parsed = enseal.Sealed.parse(text);
  const fromBinary = enseal.Sealed.fromBinary(binary);
  r.sealed = {
    kid: parsed.kid === key.kid && enseal.Sealed.parse(second).kid === key.kid,
    suite: parsed.suite,
    version: parsed.version,
    sessionId: /^[A-Za-z0-9_-]{22}$/.test(parsed.sessionId),
    sameSession: fromBinary.sessionId === parsed.sessionId,
    counters: [parsed.counter, fromBinary.counter].map(String),
    bigCounter: (() => {
      // Any 64-bit counter parses (FORMAT §4) and reads back exactly, as a bigint.
      const edited = binary.slice();
      new DataView(edited.buffer).setBigUint64(11 + 32, 2n ** 60n + 1n);
      return enseal.Sealed.fromBinary(edited).counter === 2n ** 60n + 1n;
    })(),
    plaintextLen: [parsed.plaintextLen, fromBinary.plaintextLen],
    lengths: parsed.textLen === text.length && fromBinary.binaryLen === binary.length && parsed.binaryLen === parsed.toBinary().length,
    forms: parsed.toText() === text && same(fromBinary.toBinary(), binary) && enseal.Sealed.fromBinary(parsed.toBinary()).toText() === text,
    opensParsed: utf8(opener.open(parsed, 'patients/8812/ssn')) === '123-45-6789' && opener.openString(parsed, 'patients/8812/ssn') === '123-45-6789',
    parsedWrongContext: fail(() => opener.open(parsed, 'patients/8813/ssn')).code,
  };
  r.sealedErrors = {
    badPrefix: fail(() => enseal.Sealed.parse('hello')).code,
    badEncoding: fail(() => enseal.Sealed.parse('enseal1.%%%')).code,
    truncated: fail(() => enseal.Sealed.fromBinary(binary.slice(0, 20))).code,
    bytesToParse: fail(() => enseal.Sealed.parse(binary)).code,
    textToFromBinary: fail(() => enseal.Sealed.fromBinary(text)).code,
  };

  // Keysets built and rotated here: add, promote, retire, round trip.
  const next = enseal.KeyPair.generate(); // X25519: the x25519 entry runs this too
  const keyset = enseal.Keyset.fromPublicKey(key.publicKey, { created: 1000 });
  keyset.add(next.publicKey, { created: 2000, notAfter: 4102444800 });
  const beforePromote = enseal.Sealed.parse(enseal.Sealer.fromKeyset(keyset).seal('v', 'c')).kid;
  keyset.promote(next.kid);
  const afterPromote = enseal.Sealed.parse(enseal.Sealer.fromKeyset(keyset).seal('v', 'c')).kid;
  const retirePrimary = fail(() => keyset.retire(next.kid)).code;
  const entries = keyset.entries.map((e) => ({ kid: e.kid, keyKid: e.key.kid, created: e.created, notAfter: e.notAfter ?? null }));
  keyset.retire(key.kid);
  const reparsed = enseal.Keyset.fromJson(JSON.stringify(keyset.toJson()));
  const now = Math.floor(Date.now() / 1000);
  const defaulted = enseal.Keyset.fromPublicKey(key.publicKey).entries[0];
  r.keyset = {
    rotated: beforePromote === key.kid && afterPromote === next.kid,
    entries: entries.map((e) => ({ ...e, kid: e.kid === key.kid ? 'first' : e.kid === next.kid ? 'next' : e.kid, keyKid: e.keyKid === e.kid })),
    retirePrimary,
    afterRetire: { length: keyset.length, primary: keyset.primaryKid === next.kid, reparsed: reparsed.primaryKid === next.kid && reparsed.length === 1 },
    createdDefaultsToNow: Math.abs(defaulted.created - now) <= 5 && defaulted.notAfter === undefined,
    addTwice: fail(() => reparsed.add(next.publicKey)).code,
    promoteUnknown: fail(() => reparsed.promote(key.kid)).code,
    promoteNotAKid: fail(() => reparsed.promote('not a key id')).code,
    retireUnknown: fail(() => reparsed.retire(key.kid)).code,
    badDates: fail(() => enseal.Keyset.fromPublicKey(key.publicKey, { notAfter: -1 })).code,
    expired: fail(() => enseal.Sealer.fromKeyset(enseal.Keyset.fromPublicKey(key.publicKey, { created: 1, notAfter: 2 }))).code,
    notAfter: [sealer.notAfter ?? null, enseal.Sealer.fromKeyset(reparsed).notAfter],
  };

  // What a service that stores sealed fields checks, holding no private key.
  const expiredKey = enseal.KeyPair.generate();
  const outsideKey = enseal.KeyPair.generate();
  const accepting = enseal.Keyset.fromPublicKey(key.publicKey);
  accepting.add(expiredKey.publicKey, { created: 1, notAfter: 2 });
  const checked = accepting.checkSealed(text);
  const refusal = (value) => {
    const f = fail(() => accepting.checkSealed(value));
    return [f.code, typeof f.message === 'string' && !f.message.includes('123-45-6789')];
  };
  r.checkSealed = {
    accepted: checked.kid === key.kid && checked.toText() === text && checked.plaintextLen === 11,
    expired: refusal(new enseal.Sealer(expiredKey.publicKey).seal('123-45-6789', 'c')),
    unknownKey: refusal(new enseal.Sealer(outsideKey.publicKey).seal('123-45-6789', 'c')),
    clear: refusal('123-45-6789'),
    truncated: refusal(text.slice(0, 32)), // 18 bytes: short of a header
    binary: fail(() => accepting.checkSealed(binary)).code,
  };

  // Keyrings: a key added twice is left as it is.
  const other = enseal.KeyPair.generate();
  r.keyring = {
    addAgain: ring.add(key),
    addOther: ring.add(other),
    length: ring.length,
    kids: ring.kids.length === 2 && ring.kids.includes(other.kid),
    fromPrivateBytes: enseal.KeyPair.fromPrivateBytes(key.suite, key.privateBytes()).kid === key.kid,
    badPrivateBytes: fail(() => enseal.KeyPair.fromPrivateBytes('X25519', 'not bytes')).code,
  };

  // Batches: one context per value or one for all; errors name the value.
  const values = ['078-05-1120', Uint8Array.of(1, 2, 3), ''];
  const column = sealer.sealBatch(values, 'patients/ssn');
  const each = sealer.sealBatch(values, ['a', 'b', 'c']);
  const tampered = [...column];
  tampered[2] = each[2];
  const batchError = failure(enseal, () => opener.openBatch(tampered, 'patients/ssn'));
  r.batch = {
    column: opener.openBatch(column, 'patients/ssn').map(utf8),
    each: opener.openBatch(each, ['a', 'b', 'c']).map((v) => v.length),
    allText: column.every((v) => enseal.isSealed(v)),
    wrongValue: [batchError.code, /batch value 2\b/.test(batchError.message)],
    badValue: (({ code, message }) => [code, /batch value 1\b/.test(message)])(failure(enseal, () => sealer.sealBatch(['a', 7], 'c'))),
    badContext: (({ code, message }) => [code, /batch value 1\b/.test(message)])(failure(enseal, () => sealer.sealBatch(['a', 'b'], ['c', null]))),
    contextCount: fail(() => sealer.sealBatch(['a', 'b', 'c'], ['x', 'y'])).code,
    notAnArray: fail(() => opener.openBatch(column[0], 'c')).code,
    binaryInOpenBatch: fail(() => opener.openBatch([sealer.sealBinary('v', 'c')], 'c')).code,
  };

  // The small functions.
  r.functions = {
    version: enseal.version(),
    jsonContext: enseal.jsonContext('/ssn', 'r1') instanceof Uint8Array,
    isSealed: [enseal.isSealed(text), enseal.isSealed('enseal1.AAAA'), enseal.isSealed(42)],
    backend: typeof enseal.aesBackend().name,
    codes: enseal.errorCodes().slice(0, 5),
  };
  return r;
}

/** The assertions on a `runApi` report. */
export function assertApi(r, assert, label = '') {
  const at = (what) => `${label}${what}`;
  assert.deepEqual(r.open, { isBytes: true, text: '123-45-6789', string: '123-45-6789' }, at('open / openString'));
  assert.equal(r.openBinary, true, at('openBinary'));
  assert.equal(r.notUtf8.code, 'INVALID_ARGUMENT', at('openString of bytes that are not UTF-8'));
  assert.equal(r.binaryToOpen.code, 'INVALID_ARGUMENT', at('open of the binary form'));
  assert.match(r.binaryToOpen.message, /openBinary/, at('open of the binary form says what to use'));
  assert.equal(r.textToOpenBinary.code, 'INVALID_ARGUMENT', at('openBinary of the text form'));
  assert.deepEqual(r.sealed, {
    kid: true, suite: 'X25519', version: 1, sessionId: true, sameSession: true, counters: ['0', '1'], bigCounter: true,
    plaintextLen: [11, 2], lengths: true, forms: true, opensParsed: true, parsedWrongContext: 'DECRYPT_FAILED',
  }, at('Sealed'));
  assert.deepEqual(r.sealedErrors, {
    badPrefix: 'BAD_PREFIX', badEncoding: 'BAD_ENCODING', truncated: 'TRUNCATED',
    bytesToParse: 'INVALID_ARGUMENT', textToFromBinary: 'INVALID_ARGUMENT',
  }, at('Sealed errors'));
  assert.deepEqual(r.keyset, {
    rotated: true,
    entries: [
      { kid: 'first', keyKid: true, created: 1000, notAfter: null },
      { kid: 'next', keyKid: true, created: 2000, notAfter: 4102444800 },
    ],
    retirePrimary: 'INVALID_KEYSET',
    afterRetire: { length: 1, primary: true, reparsed: true },
    createdDefaultsToNow: true,
    addTwice: 'INVALID_KEYSET',
    promoteUnknown: 'INVALID_KEYSET',
    promoteNotAKid: 'INVALID_KEY',
    retireUnknown: 'INVALID_KEYSET',
    badDates: 'INVALID_ARGUMENT',
    expired: 'KEY_EXPIRED',
    notAfter: [null, 4102444800],
  }, at('keyset building'));
  assert.deepEqual(r.checkSealed, {
    accepted: true,
    expired: ['KEY_EXPIRED', true],
    unknownKey: ['UNKNOWN_KEY', true],
    clear: ['BAD_PREFIX', true],
    truncated: ['TRUNCATED', true],
    binary: 'INVALID_ARGUMENT',
  }, at('Keyset.checkSealed'));
  assert.deepEqual(r.keyring, { addAgain: false, addOther: true, length: 2, kids: true, fromPrivateBytes: true, badPrivateBytes: 'INVALID_ARGUMENT' }, at('keyring'));
  assert.deepEqual(r.batch, {
    column: ['078-05-1120', '\u0001\u0002\u0003', ''],
    each: [11, 3, 0],
    allText: true,
    wrongValue: ['DECRYPT_FAILED', true],
    badValue: ['INVALID_ARGUMENT', true],
    badContext: ['INVALID_ARGUMENT', true],
    contextCount: 'INVALID_ARGUMENT',
    notAnArray: 'INVALID_ARGUMENT',
    binaryInOpenBatch: 'INVALID_ARGUMENT',
  }, at('batches'));
  assert.deepEqual(r.functions, {
    version: '0.1.0',
    jsonContext: true,
    isSealed: [true, false, false],
    backend: 'string',
    codes: [['INVALID_ARGUMENT', 1], ['RANDOMNESS_UNAVAILABLE', 2], ['INTERNAL', 3], ['BUFFER_TOO_SMALL', 4], ['AUDIT_FAILED', 5]],
  }, at('functions'));
}

/**
 * Misuse the glue would report as a bare TypeError: wrong classes, objects
 * used after free(). Each must be an EnsealError INVALID_ARGUMENT.
 */
export function runMisuse(enseal) {
  const fail = (fn) => failure(enseal, fn);
  const { key, ring, sealer, opener } = pair(enseal);
  const freedKey = enseal.KeyPair.generate();
  const freedPublic = freedKey.publicKey;
  freedPublic.free();
  const freedSealer = new enseal.Sealer(key.publicKey);
  freedSealer.free();
  const freedRing = new enseal.Keyring();
  freedRing.free();
  return {
    sealerOfString: fail(() => new enseal.Sealer('a public key')),
    sealerOfKeyPair: fail(() => new enseal.Sealer(key)),
    sealerOfJwk: fail(() => new enseal.Sealer(key.publicKey.toJwk())),
    openerOfNothing: fail(() => new enseal.Opener()),
    fromKeysetOfKey: fail(() => enseal.Sealer.fromKeyset(key.publicKey)),
    ringAddPublic: fail(() => ring.add(key.publicKey)),
    openSealedOfOtherClass: fail(() => opener.open({ toText: () => 'x' }, 'c')),
    sealAfterFree: fail(() => freedSealer.seal('v', 'c')),
    sealerOfFreedKey: fail(() => new enseal.Sealer(freedPublic)),
    openerOfFreedRing: fail(() => new enseal.Opener(freedRing)),
    getterAfterFree: fail(() => freedPublic.kid),
    stillWorks: opener.openString(sealer.seal('v', 'c'), 'c'),
  };
}

/** The assertions on a `runMisuse` report. */
export function assertMisuse(r, assert, label = '') {
  const { stillWorks, ...cases } = r;
  assert.equal(stillWorks, 'v', `${label}objects not freed still work`);
  for (const [what, e] of Object.entries(cases)) {
    assert.equal(e.code, 'INVALID_ARGUMENT', `${label}${what}: ${JSON.stringify(e)}`);
    assert.equal(e.errno, 1, `${label}${what}`);
  }
  assert.match(r.sealerOfString.message, /expected a PublicKey/, `${label}names the class`);
  assert.match(r.sealAfterFree.message, /Sealer was used after free\(\)/, `${label}names the freed object`);
  assert.match(r.sealerOfFreedKey.message, /PublicKey was used after free\(\)/, `${label}a freed argument`);
}

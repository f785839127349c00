// Type tests of the shipped declarations (`tsc --noEmit --strict`, no
// skipLibCheck; run by `cargo xtask web-test`). Every export of both entries
// is used as a user would; each `@ts-expect-error` line must stay an error,
// or tsc fails ("Unused '@ts-expect-error' directive"). Compiled, not run.
import {
  init,
  ContextTemplate,
  KeyPair,
  Keyring,
  Keyset,
  Opener,
  PublicKey,
  Sealed,
  Sealer,
  SignerPins,
  VerifiedKeyset,
  aesBackend,
  errorCodes,
  isSealed,
  jsonContext,
  version,
  EnsealError,
  isEnsealError,
  type AesBackend,
  type Bytes,
  type EnsealErrorCode,
  type KeysetEntry,
  type SessionLimits,
  type SuiteName,
} from 'enseal';
import * as lean from 'enseal/x25519';

await init();
await init(new URL('https://cdn.example/enseal_bg.wasm'));

// Keys: optional arguments are optional.
const key: KeyPair = KeyPair.generate();
const p256: KeyPair = KeyPair.generate('P-256');
const suite: SuiteName = key.suite;
const kid: string = key.kid;
const publicKey: PublicKey = key.publicKey;
const jwk: JsonWebKey = key.toJwk();
const again: KeyPair = KeyPair.fromJwk(jwk);
KeyPair.fromJwk(JSON.stringify(jwk));
const secret: Uint8Array = key.privateBytes();
KeyPair.fromPrivateBytes('X25519', secret);
PublicKey.fromJwk(publicKey.toJwk());
PublicKey.fromBytes(publicKey.suite, publicKey.toBytes());
const publicKid: string = publicKey.kid;

// Keysets: built, rotated, read.
const keyset: Keyset = Keyset.fromPublicKey(publicKey);
Keyset.fromPublicKey(publicKey, { notAfter: 4102444800 });
keyset.add(p256.publicKey, { created: 1, notAfter: 2 });
keyset.add(p256.publicKey);
keyset.promote(p256.kid);
keyset.retire(key.kid);
const primary: string = keyset.primaryKid;
const count: number = keyset.length;
const entries: KeysetEntry[] = keyset.entries;
const entryKey: PublicKey = entries[0]!.key;
const created: number = entries[0]!.created;
const notAfter: number | undefined = entries[0]!.notAfter;
const document: object = keyset.toJson();
Keyset.fromJson(document);
Keyset.fromJson(JSON.stringify(document));

// Keyrings.
const ring = new Keyring();
const added: boolean = ring.add(key);
const kids: string[] = ring.kids;
const size: number = ring.length;
const jwks: { keys: JsonWebKey[] } = ring.toJwks();
Keyring.fromJwks(jwks);

// Sealing: text by default, binary on request, batches, JSON, async.
const sealer = new Sealer(key.publicKey);
new Sealer(key.publicKey, { fieldLimit: 1000 });
Sealer.fromKeyset(keyset);
const text: string = sealer.seal('123-45-6789', 'patients/8812/ssn');
const binary: Uint8Array = sealer.sealBinary(new Uint8Array([1, 2]), new TextEncoder().encode('ctx'));
const batch: string[] = sealer.sealBatch(['a', new Uint8Array(1)], 'column');
sealer.sealBatch(['a', 'b'], ['ctx/1', 'ctx/2']);
const sealedDoc: unknown = sealer.sealJson({ ssn: '1' }, ['/ssn'], 'record-1', { padTo: 64 });
sealer.sealJson('{"ssn":"1"}', ['/ssn']);
const asyncText: Promise<string> = sealer.sealAsync(new Uint8Array(4096), 'scan');
const asyncBinary: Promise<Uint8Array> = sealer.sealBinaryAsync('v', 'c');
sealer.rekey();
const expiry: number | undefined = sealer.notAfter;

// Session limits.
new Sealer(key.publicKey, { maxSessionAge: 600 });
new Sealer(key.publicKey, { fieldLimit: 10, maxSessionAge: 60 });
Sealer.fromKeyset(keyset, { maxSessionAge: 60 });
const limits: SessionLimits = sealer.limits;
const limitNumbers: number[] = [limits.fieldLimit, limits.maxSessionAge];

// Signed keysets: pins from the page's configuration, the JWS as fetched.
const pins: SignerPins = SignerPins.fromJwks({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'x' }] });
SignerPins.fromJwks('{"keys":[]}');
const pinnedKids: string[] = pins.kids;
const pinCount: number = pins.length;
const verified: VerifiedKeyset = Keyset.fromSigned('a.b.c', pins);
Keyset.fromSigned('a.b.c', pins, { minVersion: 3 });
const signedKeyset: Keyset = verified.keyset;
const signedVersion: number = verified.version;
const signedExpires: number = verified.expires;
const signedBy: string = verified.signer;
const signedSealer: Sealer = Sealer.fromSignedKeyset('a.b.c', pins);
Sealer.fromSignedKeyset('a.b.c', pins, { minVersion: signedVersion, fieldLimit: 10, maxSessionAge: 60 });
const leanVerified: lean.VerifiedKeyset = lean.Keyset.fromSigned('a.b.c', lean.SignerPins.fromJwks('{"keys":[]}'));
const leanSigned: lean.Sealer = lean.Sealer.fromSignedKeyset('a.b.c', lean.SignerPins.fromJwks('{"keys":[]}'), { minVersion: 1 });
verified.free();
pins[Symbol.dispose]();

// Records and context templates.
const template: ContextTemplate = ContextTemplate.parse('patients/{id}{pointer}');
const templateText: string = template.text;
const templateFields: string[] = template.fields;
const templateHasPointer: boolean = template.hasPointer;
const rendered: Uint8Array = template.render('/ssn', { id: '8812' });
template.render('/ssn', { id: 8812, active: true });
template.render('/ssn', new Map([['id', '8812']]));
const renderedJson: Uint8Array = template.renderJson({ id: 8812 }, '/ssn');
template.renderJson('{"id":8812}', '/ssn');
const sealedRecord: unknown = sealer.sealRecord({ id: 8812, ssn: '1' }, ['/ssn'], template);
sealer.sealRecord('{"id":8812,"ssn":"1"}', ['/ssn'], template, { padTo: 0 });
const openedRecord: unknown = new Opener(ring).openRecord(sealedRecord as object, ['/ssn'], template);
const openedRecordAll: unknown = new Opener(ring).openRecordAll('{}', template);
template.free();

// Inspecting without a key.
const parsed: Sealed = Sealed.parse(text);
const fromBinary: Sealed = Sealed.fromBinary(binary);
const sealedKid: string = parsed.kid;
const sealedSuite: SuiteName = parsed.suite;
const numbers: number[] = [parsed.version, parsed.plaintextLen, parsed.binaryLen, parsed.textLen];
const counter: bigint = parsed.counter;
const session: string = parsed.sessionId;
const roundTrip: [string, Uint8Array] = [parsed.toText(), fromBinary.toBinary()];

// Opening: bytes by default, a string on request.
const opener = new Opener(ring);
const bytes: Uint8Array = opener.open(text, 'patients/8812/ssn');
opener.open(parsed, 'patients/8812/ssn');
const clear: string = opener.openString(text, 'patients/8812/ssn');
opener.openString(parsed, 'patients/8812/ssn');
const fromBin: Uint8Array = opener.openBinary(binary, 'ctx');
const openedBatch: Uint8Array[] = opener.openBatch(batch, 'column');
const openedDoc: unknown = opener.openJson(sealedDoc as object, ['/ssn'], 'record-1');
const openedAll: unknown = opener.openJsonAll('{}');
const openedAsync: Promise<Uint8Array> = opener.openAsync(text, 'patients/8812/ssn');
opener.openAsync(parsed, 'patients/8812/ssn');
const openedBinaryAsync: Promise<Uint8Array> = opener.openBinaryAsync(binary, 'ctx');
const cached: number = opener.cachedSessions;

// Functions.
const well: boolean = isSealed(text) && isSealed(42);
const context: Uint8Array = jsonContext('/ssn', 'record-1');
jsonContext('/ssn');
const backend: AesBackend = aesBackend();
const backendName: string = backend.name;
const codes: Array<[EnsealErrorCode, number]> = errorCodes();
const libraryVersion: string = version();
const value: Bytes = 'x';

// Errors.
try {
  opener.open(text, 'wrong');
} catch (e) {
  if (isEnsealError(e)) {
    const code: EnsealErrorCode = e.code;
    const errno: number = e.errno;
    if (code === 'DECRYPT_FAILED' || e.code === 'BUFFER_TOO_SMALL') console.log(errno, e.cause);
  }
  if (e instanceof EnsealError) console.log(e.message, e.name === 'EnsealError');
}

// Releasing.
sealer.free();
{
  // `[Symbol.dispose]` without esnext in the consumer's lib.
  const disposable = KeyPair.generate();
  disposable[Symbol.dispose]();
}

// The X25519-only entry: the same API.
await lean.init();
const leanKey: lean.KeyPair = lean.KeyPair.generate();
const leanText: string = new lean.Sealer(leanKey.publicKey).seal('v', 'c');
const leanRing = new lean.Keyring();
leanRing.add(leanKey);
const leanOpened: Uint8Array = new lean.Opener(leanRing).open(lean.Sealed.parse(leanText), 'c');
const leanAsync: Promise<Uint8Array> = new lean.Opener(leanRing).openAsync(leanText, 'c');
const leanError: boolean = lean.isEnsealError(null) && lean.EnsealError === EnsealError;
const leanRecord: unknown = new lean.Sealer(leanKey.publicKey).sealRecord('{"id":1,"a":"x"}', ['/a'], lean.ContextTemplate.parse('p/{id}{pointer}'));

// What must not compile.
// @ts-expect-error: a template is parsed, not constructed
new ContextTemplate('patients/{id}{pointer}');
// @ts-expect-error: sealRecord takes a ContextTemplate, not its text
sealer.sealRecord({ id: 1 }, ['/ssn'], 'patients/{id}{pointer}');
// @ts-expect-error: a field's value is a string, number or boolean
template.render('/ssn', { id: { nested: 1 } });
// @ts-expect-error: read-only
limits.maxSessionAge = 5;
// @ts-expect-error: unknown option
new Sealer(key.publicKey, { maxAge: 60 });
// @ts-expect-error: no such suite
KeyPair.generate('RSA');
// @ts-expect-error: a sealer takes a PublicKey, not its JWK
new Sealer(key.toJwk());
// @ts-expect-error: nor a key pair
new Sealer(key);
// @ts-expect-error: open returns bytes; openString returns a string
const notAString: string = opener.open(text, 'c');
// @ts-expect-error: the binary form opens with openBinary
opener.open(binary, 'c');
// @ts-expect-error: openBinary takes the binary form
opener.openBinary(text, 'c');
// @ts-expect-error: a context is a string or bytes
sealer.seal('v', 42);
// @ts-expect-error: seal returns the text form
const notBytes: Uint8Array = sealer.seal('v', 'c');
// @ts-expect-error: sealJson returns unknown, not any
sealer.sealJson({ a: 1 }, ['/a']).a;
// @ts-expect-error: openJson returns unknown, not any
opener.openJson({ a: 'x' }, ['/a']).a;
// @ts-expect-error: pointers are an array
sealer.sealJson({ a: 1 }, '/a');
// @ts-expect-error: unknown option
new Sealer(key.publicKey, { fieldlimit: 3 });
// @ts-expect-error: Sealed values are made by parse or fromBinary
new Sealed();
// @ts-expect-error: Sealed.parse takes the text form
Sealed.parse(binary);
// @ts-expect-error: read-only
parsed.kid = 'x';
// @ts-expect-error: the async methods return promises
const notAwaited: string = sealer.sealAsync('v', 'c');
// @ts-expect-error: not a code
const badCode: EnsealErrorCode = 'NO_SUCH_CODE';
// @ts-expect-error: a keyring takes key pairs
ring.add(publicKey);
// @ts-expect-error: promote takes a key id
keyset.promote(publicKey);
// @ts-expect-error: pins are parsed, not constructed
new SignerPins();
// @ts-expect-error: a verified keyset comes from Keyset.fromSigned only
new VerifiedKeyset();
// @ts-expect-error: fromSigned takes SignerPins, not the JWK set
Keyset.fromSigned('a.b.c', { keys: [] });
// @ts-expect-error: the signed keyset is the JWS text, not a parsed object
Keyset.fromSigned({ keys: [] }, pins);
// @ts-expect-error: unknown option (minVersion)
Keyset.fromSigned('a.b.c', pins, { minversion: 3 });
// @ts-expect-error: read-only
verified.version = 9;
// @ts-expect-error: signing is not in the package (signing keys are offline)
Keyset.sign;
// @ts-expect-error: the glue's internals are not exported
import { initSync } from 'enseal';
// @ts-expect-error: nor its WebCrypto job class
import { WebCryptoJob } from 'enseal';

export const used = [
  leanRecord, limitNumbers, templateText, templateFields, templateHasPointer, rendered, renderedJson, openedRecord, openedRecordAll,
  again, suite, kid, publicKid, primary, count, entryKey, created, notAfter, added, kids, size, binary,
  asyncText, asyncBinary, expiry, sealedKid, sealedSuite, numbers, session, roundTrip, bytes, clear, fromBin,
  openedBatch, openedDoc, openedAll, openedAsync, openedBinaryAsync, cached, well, context, backendName, codes,
  libraryVersion, value, leanOpened, leanAsync, leanError, notAString, notBytes, notAwaited, badCode, initSync,
  WebCryptoJob, pinnedKids, pinCount, signedKeyset, signedExpires, signedBy, signedSealer, leanVerified, leanSigned,
];

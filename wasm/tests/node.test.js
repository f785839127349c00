// The packed npm package in Node 20, ESM and CommonJS: shared vectors, API and
// errors, the WebCrypto path, and interop with @hpke/core (FORMAT.md only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import * as enseal from 'enseal';
import { runVectors, runAsyncPath, assertAsyncPath, runX25519Entry, assertX25519Report, runJsonHelper, assertJsonHelper } from './vectors.js';
import { runApi, assertApi, runMisuse, assertMisuse } from './checks.js';
import { peerOpen, peerSession } from './hpke-peer.js';
import { runTemplateVectors, assertTemplateVectors, runRecords, assertRecords, runSessionAge } from './templates.js';
import { runSigned, assertSigned } from './signed.js';
import { signedCases } from './jose-node.js';

const root = new URL('../../', import.meta.url);
const vectors = JSON.parse(readFileSync(new URL('tests/vectors/enseal-v1.json', root), 'utf8'));
const templateVectors = JSON.parse(readFileSync(new URL('tests/vectors/context-templates.json', root), 'utf8'));
const { KeyPair, Keyring, Keyset, Opener, PublicKey, Sealer, EnsealError, isEnsealError } = enseal;

function pair(suite) {
  const kp = KeyPair.generate(suite);
  const ring = new Keyring();
  ring.add(kp);
  return { kp, sealer: new Sealer(kp.publicKey), opener: new Opener(ring) };
}

function sealerFor(kp) {
  return new Sealer(kp.publicKey);
}

function code(fn) {
  return thrown(fn).code;
}

function thrown(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(isEnsealError(e) && e instanceof EnsealError && e instanceof Error, `not an EnsealError: ${e}`);
    assert.equal(e.name, 'EnsealError');
    return e;
  }
  assert.fail('did not throw');
}

test('shared vectors: every positive opens, every negative fails with its code', () => {
  const r = runVectors(enseal, vectors);
  assert.deepEqual(r.failures, []);
  assert.equal(r.passed, 3 * 3 + 16 * 3 + 111);
  console.log(`vectors in Node: ${r.passed} passed, ${r.failed} failed`);
});

test('context templates: every case of context-templates.json, in both entries', async () => {
  const lean = await import('enseal/x25519');
  for (const [entry, label] of [[enseal, ''], [lean, 'x25519 entry: ']]) {
    const r = runTemplateVectors(entry, templateVectors);
    assertTemplateVectors(r, assert, label);
  }
  console.log(`context templates in Node: ${templateVectors.cases.length} cases, both entries`);
});

test('records by template, template accessors and errors, session limits, in both entries', async () => {
  assertRecords(runRecords(enseal), assert);
  assertRecords(runRecords(await import('enseal/x25519')), assert, 'x25519 entry: ');
  // A record sealed by one entry opens in the other (one format).
  const lean = await import('enseal/x25519');
  const kp = KeyPair.generate();
  const ring = new lean.Keyring();
  ring.add(lean.KeyPair.fromJwk(kp.toJwk()));
  const line = sealerFor(kp).sealRecord('{"id":"A-17","ssn":"078-05-1120"}', ['/ssn'], enseal.ContextTemplate.parse('patients/{id}{pointer}'));
  assert.equal(new lean.Opener(ring).openRecord(line, ['/ssn'], lean.ContextTemplate.parse('patients/{id}{pointer}')), '{"id":"A-17","ssn":"078-05-1120"}');
});

test('session maximum age: a one-second session is replaced, the default hour is kept', async () => {
  assert.deepEqual(await runSessionAge(enseal), { youngRenewed: true, defaultKept: true });
});

test('CommonJS require() gives the same module and error class', () => {
  const cjs = createRequire(import.meta.url)('enseal');
  assert.equal(cjs.Sealer, Sealer);
  assert.equal(cjs.EnsealError, EnsealError);
});

test('round trip per suite, strings and bytes, text and binary', () => {
  for (const suite of ['X25519', 'P-256', 'X-Wing']) {
    const { kp, sealer, opener } = pair(suite);
    assert.equal(kp.suite, suite);
    const sealed = sealer.seal('123-45-6789', 'patients/8812/ssn');
    assert.ok(sealed.startsWith('enseal1.') && enseal.isSealed(sealed));
    assert.ok(!sealed.includes('123-45-6789'));
    assert.equal(opener.openString(sealed, 'patients/8812/ssn'), '123-45-6789');
    assert.deepEqual(opener.open(sealed, 'patients/8812/ssn'), new TextEncoder().encode('123-45-6789'));
    const bytes = Uint8Array.of(0, 255, 7);
    const bin = sealer.sealBinary(bytes, new TextEncoder().encode('ctx'));
    assert.ok(bin instanceof Uint8Array);
    assert.deepEqual(opener.openBinary(bin, 'ctx'), bytes);
    assert.equal(code(() => opener.open(sealed, 'patients/8813/ssn')), 'DECRYPT_FAILED');
    assert.equal(code(() => opener.openString(sealer.seal(bytes, 'ctx'), 'ctx')), 'INVALID_ARGUMENT'); // not UTF-8
  }
});

test('JWK, keyset and keyring export and import', () => {
  const { kp, sealer } = pair('P-256');
  const jwk = kp.toJwk();
  assert.equal(jwk.kty, 'EC');
  assert.equal(KeyPair.fromJwk(JSON.stringify(jwk)).kid, kp.kid);
  const pub = PublicKey.fromJwk(kp.publicKey.toJwk());
  assert.equal(pub.toJwk().d, undefined);
  const keyset = Keyset.fromPublicKey(pub, { notAfter: 4102444800 });
  const again = Keyset.fromJson(JSON.stringify(keyset.toJson()));
  assert.equal(again.primaryKid, kp.kid);
  assert.deepEqual(again.entries.map((e) => e.kid), [kp.kid]);
  const ring = Keyring.fromJwks({ keys: [jwk] });
  assert.deepEqual(ring.kids, [kp.kid]);
  assert.equal(new Opener(Keyring.fromJwks(ring.toJwks())).openString(Sealer.fromKeyset(again).seal('x', 'c'), 'c'), 'x');
  assert.equal(new Opener(ring).openString(sealer.seal('y', 'c'), 'c'), 'y');
  const expired = Keyset.fromPublicKey(pub, { created: 1, notAfter: 2 });
  assert.equal(code(() => Sealer.fromKeyset(expired)), 'KEY_EXPIRED');
  assert.equal(code(() => Keyset.fromPublicKey(pub, { notAfter: -1 })), 'INVALID_ARGUMENT');
});

test('bad input gets a specific EnsealError and changes nothing', () => {
  const { kp, sealer, opener } = pair();
  assert.equal(code(() => KeyPair.generate('RSA')), 'INVALID_ARGUMENT');
  assert.equal(code(() => KeyPair.fromJwk('{')), 'INVALID_KEY');
  assert.equal(code(() => KeyPair.fromJwk({ kty: 'OKP', crv: 'X25519', x: 'AAAA' })), 'INVALID_KEY');
  assert.equal(code(() => PublicKey.fromBytes('X25519', new Uint8Array(31))), 'INVALID_KEY');
  assert.equal(code(() => Keyset.fromJson('{"keys":[]}')), 'INVALID_KEYSET');
  assert.equal(code(() => sealer.seal(42, 'c')), 'INVALID_ARGUMENT');
  assert.equal(code(() => sealer.seal('v', null)), 'INVALID_ARGUMENT');
  assert.equal(code(() => new Sealer(kp.publicKey, { fieldLimit: 0 })), 'INVALID_ARGUMENT');
  assert.equal(code(() => new Sealer(kp.publicKey, { fieldLimit: 2 ** 32 + 1 })), 'INVALID_ARGUMENT');
  assert.equal(code(() => opener.open('hello', 'c')), 'BAD_PREFIX');
  assert.equal(code(() => opener.open('enseal1.%%%', 'c')), 'BAD_ENCODING');
  assert.equal(code(() => opener.open('enseal1.AQ', 'c')), 'TRUNCATED');
  assert.equal(code(() => new Opener(new Keyring()).open(sealer.seal('v', 'c'), 'c')), 'UNKNOWN_KEY');
  assert.equal(code(() => sealer.sealJson({ a: 1 }, ['/b'])), 'PATH_NOT_FOUND');
  assert.equal(code(() => sealer.sealJson({ a: 1 }, ['a'])), 'INVALID_POINTER');
  const doc = { a: 1 };
  const sealed = sealer.sealJson(doc, ['/a']);
  assert.deepEqual(doc, { a: 1 });
  assert.equal(code(() => sealer.sealJson(sealed, ['/a'])), 'ALREADY_SEALED');
  // JSON text is read by core: a member named twice is refused, not merged as JSON.parse would.
  assert.equal(code(() => sealer.sealJson('{"ssn":"1","ssn":"2"}', ['/ssn'])), 'INVALID_JSON');
  assert.equal(code(() => sealer.sealJson('{"ssn":', ['/ssn'])), 'INVALID_JSON');
  assert.equal(code(() => opener.openJson('{"a":1,"a":1}', ['/a'])), 'INVALID_JSON');
  assert.equal(code(() => opener.openJsonAll('{"a":1,"a":1}')), 'INVALID_JSON');
  assert.equal(code(() => PublicKey.fromJwk('{"kty":"OKP","kty":"OKP"}')), 'INVALID_KEY');
  assert.equal(ring(kp).add(kp), false); // the same key: left as it is
  assert.equal(enseal.isSealed(42), false);
  assert.equal(enseal.isSealed('enseal1.AAAA'), false);
  function ring(k) {
    const r = new Keyring();
    r.add(k);
    return r;
  }
});

test('errors and Debug never carry plaintext or keys', () => {
  const { kp, sealer, opener } = pair();
  const secret = 'SSN 123-45-6789';
  const sealed = sealer.seal(secret, 'right');
  let message = '';
  try {
    opener.open(sealed, 'wrong');
  } catch (e) {
    message = `${e.message} ${e.stack} ${JSON.stringify(e)}`;
  }
  assert.ok(message.length > 0 && !message.includes('123-45-6789'));
  assert.ok(!String(kp).includes(kp.toJwk().d));
});

test('JSON helper: plain objects in and out, types restored, record binding', () => {
  const { sealer, opener } = pair();
  const record = { id: 'p-1', name: 'Ada', ssn: '123-45-6789', vitals: [{ hr: 61 }, { hr: 72 }], dx: { code: 'E11.9', chronic: true } };
  const sealed = sealer.sealJson(record, ['/ssn', '/vitals/*/hr', '/dx'], 'p-1');
  assert.equal(sealed.name, 'Ada');
  assert.ok(enseal.isSealed(sealed.ssn) && enseal.isSealed(sealed.dx) && enseal.isSealed(sealed.vitals[1].hr));
  assert.ok(!JSON.stringify(sealed).includes('E11.9'));
  assert.deepEqual(opener.openJson(sealed, ['/ssn', '/vitals/*/hr', '/dx'], 'p-1'), record);
  assert.deepEqual(opener.openJsonAll(sealed, 'p-1'), record);
  assert.equal(code(() => opener.openJson(sealed, ['/ssn'], 'p-2')), 'DECRYPT_FAILED');
  assert.equal(code(() => opener.openJsonAll(sealed, 'p-2')), 'DECRYPT_FAILED');
  // Only the pointers given are opened.
  const partial = opener.openJson(sealed, ['/dx'], 'p-1');
  assert.deepEqual(partial.dx, record.dx);
  assert.equal(partial.ssn, sealed.ssn);
  // Opened alone, a value is its JSON text padded with spaces to 16 bytes.
  const alone = opener.open(sealed.ssn, enseal.jsonContext('/ssn', 'p-1'));
  assert.equal(new TextDecoder().decode(alone), '"123-45-6789"   ');
});

test('JSON helper: openJson opens exactly its pointers, padding, pointer rules (both entries)', async () => {
  assertJsonHelper(runJsonHelper(enseal), assert);
  assertJsonHelper(runJsonHelper(await import('enseal/x25519')), assert, 'x25519 entry: ');
  // A planted sealed value in a field the server keeps clear stays sealed.
  const { sealer, opener } = pair();
  const body = sealer.sealJson({ ssn: '078-05-1120', name: 'Ada' }, ['/ssn', '/name'], 'r');
  const opened = opener.openJson(body, ['/ssn'], 'r');
  assert.equal(opened.ssn, '078-05-1120');
  assert.equal(opened.name, body.name);
  // A protected field that arrives clear is refused, naming its pointer.
  const e = thrown(() => opener.openJson({ ssn: '078-05-1120', name: 'Ada' }, ['/ssn'], 'r'));
  assert.equal(e.code, 'NOT_SEALED');
  assert.equal(e.errno, 404);
  assert.match(e.message, /\/ssn/);
  assert.ok(!e.message.includes('078-05-1120'));
  // {"hiv":true} and {"hiv":false}: one length by default, two without padding.
  const len = (doc, options) => JSON.stringify(sealer.sealJson(doc, ['/hiv'], 'r', options)).length;
  assert.equal(len({ hiv: true }), len({ hiv: false }));
  assert.equal(len({ hiv: true }, {}), len({ hiv: false }, { padTo: 16 }));
  assert.notEqual(len({ hiv: true }, { padTo: 0 }), len({ hiv: false }, { padTo: 0 }));
  assert.notEqual(len({ hiv: true }, { padTo: 1 }), len({ hiv: false }, { padTo: 1 }));
  assert.equal(code(() => sealer.sealJson({ hiv: true }, ['/hiv'], 'r', { padTo: 1.5 })), 'INVALID_ARGUMENT');
  assert.equal(code(() => sealer.sealJson({ dx: { a: 1 } }, ['/dx/*'])), 'INVALID_POINTER');
});

test('the operations of docs/API.md new in issue 12, in both entries', async () => {
  assertApi(runApi(enseal), assert);
  assertApi(runApi(await import('enseal/x25519')), assert, 'x25519 entry: ');
});

test('signed keysets signed by Node\'s crypto verify; each refusal has its code; both entries', async () => {
  const cases = signedCases(enseal);
  const ring = Keyring.fromJwks({ keys: [cases.recipient] });
  for (const [entry, label] of [[enseal, ''], [await import('enseal/x25519'), 'x25519 entry: ']]) {
    const r = runSigned(entry, cases);
    assertSigned(r, cases, assert, label);
    // The sealers seal to the signed keyset's primary key: its private key opens them.
    const opener = new Opener(ring);
    assert.equal(opener.openString(r.sealed[0], 'patients/1/ssn'), '078-05-1120', `${label}sealed to the signed keyset`);
    assert.equal(opener.openString(r.sealed[1], 'patients/1/dx'), 'E11.9', `${label}sealed to the signed keyset`);
  }
  // The CommonJS entry shares the classes.
  assert.equal(createRequire(import.meta.url)('enseal').SignerPins, enseal.SignerPins);
});

test('misuse is an EnsealError with a code: wrong classes, use after free()', async () => {
  assertMisuse(runMisuse(enseal), assert);
  assertMisuse(runMisuse(await import('enseal/x25519')), assert, 'x25519 entry: ');
});

test('a call before init() in the browser entry is an EnsealError, and init() then works', () => {
  // A process of its own: in this one the node entry has loaded the shared wasm module already.
  const script = `
    import { readFileSync } from 'node:fs';
    const entry = await import(${JSON.stringify(new URL('node_modules/enseal/index.js', import.meta.url).href)});
    const early = [() => entry.KeyPair.generate(), () => new entry.Keyring(), () => entry.Sealed.parse('x'), () => entry.version()].map((f) => {
      try { f(); return 'did not throw'; } catch (e) { return [entry.isEnsealError(e), e.code, e.message]; }
    });
    await entry.init(readFileSync(new URL('glue/enseal_bg.wasm', ${JSON.stringify(new URL('node_modules/enseal/', import.meta.url).href)})));
    const key = entry.KeyPair.generate();
    const kid = entry.Sealed.parse(new entry.Sealer(key.publicKey).seal('v', 'c')).kid;
    console.log(JSON.stringify({ early, works: kid === key.kid }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  assert.equal(out.works, true);
  for (const [isEnseal, code, message] of out.early) {
    assert.equal(isEnseal, true);
    assert.equal(code, 'INVALID_ARGUMENT');
    assert.match(message, /await init\(\)/);
  }
});

test('each entry exports exactly the JavaScript column of docs/API.md', async () => {
  const expected = [
    'ContextTemplate', 'EnsealError', 'KeyPair', 'Keyring', 'Keyset', 'Opener', 'PublicKey', 'Sealed', 'Sealer',
    'SignerPins', 'VerifiedKeyset', 'aesBackend', 'errorCodes', 'init', 'isEnsealError', 'isSealed', 'jsonContext', 'version',
  ];
  const lean = await import('enseal/x25519');
  const cjs = createRequire(import.meta.url)('enseal');
  for (const entry of [enseal, lean, cjs]) assert.deepEqual(Object.keys(entry).filter((k) => k !== 'default' && k !== 'module.exports').sort(), expected);
});

test('every error code: errorCodes() is core\'s list and error.d.ts names each one', () => {
  const codes = enseal.errorCodes();
  assert.deepEqual(codes.at(-1), ['INVALID_TEMPLATE', 405]);
  const dts = readFileSync(new URL('node_modules/enseal/error.d.ts', import.meta.url), 'utf8');
  const declared = [...dts.matchAll(/'([A-Z_]+)';? \/\/ (\d+)/g)].map((m) => [m[1], Number(m[2])]);
  assert.deepEqual(declared, codes);
  const numbers = codes.map(([, n]) => n);
  assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
});

test('keyset expiry is checked before every seal, not only when the sealer is made', async () => {
  const kp = KeyPair.generate();
  const now = Math.floor(Date.now() / 1000);
  const keyset = Keyset.fromJson({
    primary: kp.kid,
    keys: [{ ...kp.publicKey.toJwk(), suite: 'X25519', created: now - 10, not_after: now + 1 }],
  });
  const sealer = Sealer.fromKeyset(keyset);
  const ring = new Keyring();
  ring.add(kp);
  assert.equal(new Opener(ring).openString(sealer.seal('v', 'c'), 'c'), 'v');
  await new Promise((resolve) => setTimeout(resolve, 2200)); // now > not_after
  for (const attempt of [
    () => sealer.seal('v', 'c'),
    () => sealer.sealBinary('v', 'c'),
    () => sealer.sealJson({ a: 1 }, ['/a']),
    () => sealer.rekey(),
  ]) {
    const e = thrown(attempt);
    assert.equal(e.code, 'KEY_EXPIRED');
    assert.equal(e.errno, 302);
  }
  await assert.rejects(sealer.sealAsync(new Uint8Array(4096), 'c'), (e) => isEnsealError(e) && e.code === 'KEY_EXPIRED');
  assert.equal(code(() => Sealer.fromKeyset(keyset)), 'KEY_EXPIRED');
});

test('keys: a keyset carrying a private key, and a low-order X25519 key, are refused', () => {
  const kp = KeyPair.generate();
  const jwk = kp.toJwk();
  assert.ok(jwk.d);
  const keyset = { primary: kp.kid, keys: [{ ...jwk, suite: 'X25519', created: 1 }] };
  const e = thrown(() => Keyset.fromJson(keyset));
  assert.equal(e.code, 'INVALID_KEYSET');
  assert.ok(!e.message.includes(jwk.d));
  const { d, ...publicOnly } = jwk;
  assert.ok(d);
  assert.equal(Keyset.fromJson({ ...keyset, keys: [{ ...publicOnly, suite: 'X25519', created: 1 }] }).primaryKid, kp.kid);
  assert.equal(code(() => Keyset.fromJson({ ...keyset, keys: [{ ...publicOnly, suite: 'X25519', created: 1, use: null }] })), 'INVALID_KEYSET');
  assert.equal(code(() => PublicKey.fromBytes('X25519', new Uint8Array(32))), 'INVALID_KEY');
  assert.equal(code(() => PublicKey.fromJwk({ kty: 'OKP', crv: 'X25519', x: 'A'.repeat(43) })), 'INVALID_KEY');
});

test('enseal/x25519: X25519 vectors, other suites refused, fields shared with the main entry', async () => {
  const lean = await import('enseal/x25519');
  assertX25519Report(await runX25519Entry(enseal, lean, vectors), assert);
  const cjs = createRequire(import.meta.url)('enseal/x25519');
  assert.equal(cjs.Sealer, lean.Sealer);
  assert.notEqual(lean.Sealer, Sealer); // its own wasm module
});

test('async path: WebCrypto above the threshold, same format both ways', async () => {
  const sizes = [0, 100, 2047, 2048, 300 * 1024];
  assertAsyncPath(await runAsyncPath(enseal, sizes), assert);
});

test('async calls read the caller\'s buffer at the call: a buffer reused at once seals what it held then', async () => {
  const { sealer, opener } = pair('X25519');
  const buffer = new Uint8Array(4096);
  const pending = [];
  for (const letter of 'ABC') {
    buffer.fill(letter.charCodeAt(0)); // one buffer, refilled before the last promise settles
    pending.push(sealer.sealAsync(buffer, 'chunks'), sealer.sealBinaryAsync(buffer, 'chunks'));
  }
  const first = (bytes) => String.fromCharCode(bytes[0]);
  const openAll = async (promises) =>
    (await Promise.all(promises)).map((s) => first(typeof s === 'string' ? opener.open(s, 'chunks') : opener.openBinary(s, 'chunks')));
  // While the session's key is still being imported (a copy is kept) …
  assert.deepEqual(await openAll(pending), ['A', 'A', 'B', 'B', 'C', 'C']);
  // … and once it is imported (WebCrypto is called at once and copies itself).
  const later = [];
  for (const letter of 'XYZ') {
    buffer.fill(letter.charCodeAt(0));
    later.push(sealer.sealAsync(buffer, 'chunks'), sealer.sealBinaryAsync(buffer, 'chunks'));
  }
  assert.deepEqual(await openAll(later), ['X', 'X', 'Y', 'Y', 'Z', 'Z']);
  // A view over a SharedArrayBuffer seals as any other (WebCrypto refuses such views itself).
  const shared = new Uint8Array(new SharedArrayBuffer(4096)).fill(0x44);
  assert.equal(first(opener.open(await sealer.sealAsync(shared, 'chunks'), 'chunks')), 'D');
  // The binary form being opened is read at the call too.
  const binary = await sealer.sealBinaryAsync(new Uint8Array(4096).fill(0x45), 'chunks');
  const opening = opener.openBinaryAsync(binary, 'chunks');
  binary.fill(0);
  assert.equal(first(await opening), 'E');
});

test('a Sealed of the other entry opens through its text form', async () => {
  const lean = await import('enseal/x25519');
  const { kp, opener } = pair('X25519');
  const text = new lean.Sealer(lean.PublicKey.fromJwk(kp.publicKey.toJwk())).seal('v', 'c');
  const foreign = lean.Sealed.parse(text);
  assert.equal(opener.openString(foreign, 'c'), 'v');
  assert.equal(new TextDecoder().decode(await opener.openAsync(foreign, 'c')), 'v');
});

test('field limit renews the session without repeating (enc, counter)', () => {
  const kp = KeyPair.generate();
  const sealer = new Sealer(kp.publicKey, { fieldLimit: 3 });
  const headers = new Set();
  for (let i = 0; i < 10; i++) {
    const bin = sealer.sealBinary('v', 'c');
    headers.add(Buffer.from(bin.slice(0, 51)).toString('hex'));
  }
  assert.equal(headers.size, 10);
});

test('interop: @hpke/core + WebCrypto open what enseal seals, and the reverse', async () => {
  for (const suite of ['X25519', 'P-256']) {
    const v = vectors.suites.find((s) => s.suite === suite);
    const kp = KeyPair.fromJwk(v.private_jwk);
    const priv = Uint8Array.from(Buffer.from(v.private_key, 'hex'));
    const sealer = new Sealer(kp.publicKey);
    const ring = new Keyring();
    ring.add(kp);
    const opener = new Opener(ring);
    for (const size of [0, 11, 1024, 70000]) {
      const value = new Uint8Array(size).map((_, i) => i & 255);
      const ctx = new TextEncoder().encode(`records/${size}`);
      const sealed = sealer.sealBinary(value, ctx);
      assert.deepEqual(await peerOpen(suite, priv, sealed, ctx), value, `${suite} ${size}: peer opens enseal`);
    }
    const seal = await peerSession(suite, kp.publicKey.toBytes(), Buffer.from(v.kid_hex, 'hex'));
    for (let i = 0; i < 3; i++) {
      const ctx = new TextEncoder().encode(`peer/${i}`);
      const sealed = await seal(new TextEncoder().encode(`value ${i}`), ctx);
      assert.equal(new TextDecoder().decode(opener.openBinary(sealed, ctx)), `value ${i}`, `${suite}: enseal opens peer field ${i}`);
    }
  }
});

test('fields for Rust: sealed here, opened by core (examples/rust/open_fields.rs)', async () => {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const keys = ['X25519', 'P-256', 'X-Wing'].map((s) => KeyPair.generate(s));
  const toHex = (b) => Buffer.from(b).toString('hex');
  const fields = [];
  for (const kp of keys) {
    const sealer = new Sealer(kp.publicKey);
    for (const size of [0, 11, 1000, 65536]) {
      const value = new Uint8Array(size).map((_, i) => (i * 7 + size) & 255);
      const context = new TextEncoder().encode(`${kp.suite}/${size}`);
      fields.push({ sealed: sealer.seal(value, context), context_hex: toHex(context), plaintext_hex: toHex(value) });
    }
    fields.push({ sealed: await sealer.sealAsync(new Uint8Array(40000).fill(9), 'big'), context_hex: toHex(Buffer.from('big')), plaintext_hex: toHex(new Uint8Array(40000).fill(9)) });
  }
  const out = new URL('target/web/', root);
  mkdirSync(out, { recursive: true });
  writeFileSync(new URL('wasm-fields.json', out), JSON.stringify({ private_jwks: { keys: keys.map((k) => k.toJwk()) }, fields }));
  assert.equal(fields.length, 15);
});

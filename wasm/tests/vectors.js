// Runs tests/vectors/enseal-v1.json against an enseal module. Plain ESM with
// no Node imports, so the same checks run in Node and in headless Chromium.

const hex = (s) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Returns { passed, failed, failures } for every positive and negative case. */
export function runVectors(enseal, vectors) {
  const result = { passed: 0, failed: 0, failures: [] };
  const check = (ok, what) => {
    if (ok) result.passed++;
    else {
      result.failed++;
      result.failures.push(what);
    }
  };
  const keyring = new enseal.Keyring();
  for (const suite of vectors.suites) {
    keyring.add(enseal.KeyPair.fromJwk(suite.private_jwk));
    const pub = enseal.PublicKey.fromJwk(suite.public_jwk);
    check(pub.kid === suite.kid, `${suite.suite}: kid`);
    check(pub.suite === suite.suite, `${suite.suite}: suite name`);
    check(same(pub.toBytes(), hex(suite.public_key)), `${suite.suite}: public key bytes`);
  }
  const opener = new enseal.Opener(keyring);
  for (const suite of vectors.suites) {
    for (const c of suite.positive) {
      const name = `${suite.suite}/${c.name}`;
      const context = hex(c.context_hex);
      const plaintext = hex(c.plaintext_hex);
      try {
        check(same(opener.open(c.sealed_text, context), plaintext), `${name}: text form`);
        check(same(opener.openBinary(hex(c.sealed_hex), context), plaintext), `${name}: binary form`);
        check(enseal.isSealed(c.sealed_text), `${name}: isSealed`);
      } catch (e) {
        check(false, `${name}: threw ${e.code} ${e.message}`);
      }
    }
  }
  for (const c of vectors.negative) {
    try {
      if (c.sealed_text !== undefined) opener.open(c.sealed_text, hex(c.context_hex));
      else opener.openBinary(hex(c.sealed_hex), hex(c.context_hex));
      check(false, `${c.name}: opened, expected ${c.error}`);
    } catch (e) {
      check(
        enseal.isEnsealError(e) && e.code === c.error && e.errno === c.code,
        `${c.name}: expected ${c.error}/${c.code}, got ${e.code}/${e.errno}: ${e.message}`,
      );
    }
  }
  return result;
}

/** Seals with the WebCrypto path and the wasm path and opens each with the other. */
export async function runAsyncPath(enseal, sizes) {
  const kp = enseal.KeyPair.generate();
  const ring = new enseal.Keyring();
  ring.add(kp);
  const sealer = new enseal.Sealer(kp.publicKey);
  const opener = new enseal.Opener(ring);
  const out = [];
  for (const size of sizes) {
    const value = new Uint8Array(size).map((_, i) => (i * 31 + 7) & 255);
    const viaWebCrypto = await sealer.sealBinaryAsync(value, 'attachments/1');
    const viaWasm = sealer.sealBinary(value, 'attachments/1');
    const a = opener.openBinary(viaWebCrypto, 'attachments/1');
    const b = await opener.openBinaryAsync(viaWasm, 'attachments/1');
    const text = await sealer.sealAsync(value, 'attachments/1');
    const c = await opener.openAsync(text, 'attachments/1');
    const viaSealed = await opener.openAsync(enseal.Sealed.parse(text), 'attachments/1');
    const textViaWasm = opener.open(text, 'attachments/1');
    let tampered = 'opened';
    viaWebCrypto[viaWebCrypto.length - 1] ^= 1;
    try {
      await opener.openBinaryAsync(viaWebCrypto, 'attachments/1');
    } catch (e) {
      tampered = e.code;
    }
    // A fresh opener caches a session once a field of it opened, not before.
    sealer.rekey();
    const fresh = new enseal.Opener(ring);
    const first = await sealer.sealBinaryAsync(value, 'attachments/2');
    const second = await sealer.sealBinaryAsync(value, 'attachments/2');
    const forged = first.slice();
    forged[forged.length - 1] ^= 1;
    const sessions = [];
    await fresh.openBinaryAsync(forged, 'attachments/2').catch(() => {});
    sessions.push(fresh.cachedSessions);
    const d = await fresh.openBinaryAsync(first, 'attachments/2');
    sessions.push(fresh.cachedSessions);
    const e = await fresh.openBinaryAsync(second, 'attachments/2');
    sessions.push(fresh.cachedSessions);
    const ok = [a, b, c, d, e, viaSealed, textViaWasm].every((opened) => same(opened, value));
    out.push({ size, ok, tampered, sessions });
  }
  return out;
}

/** The checks every report of `runAsyncPath` must pass. */
export function assertAsyncPath(rows, assert, label = '') {
  for (const r of rows) {
    assert.ok(r.ok, `${label}async size ${r.size}`);
    assert.equal(r.tampered, 'DECRYPT_FAILED', `${label}size ${r.size}`);
    assert.deepEqual(r.sessions, [0, 1, 1], `${label}session cache, size ${r.size}`);
  }
}

/** Checks the X25519-only entry `lean` against the main entry `full`. */
export async function runX25519Entry(full, lean, vectors) {
  const x25519 = vectors.suites.find((s) => s.suite === 'X25519');
  const report = {
    vectors: runVectors(lean, { suites: [x25519], negative: [] }),
    asyncPath: await runAsyncPath(lean, [100, 64 * 1024]),
    unsupported: [],
    crossOpen: [],
    sameErrorClass: lean.EnsealError === full.EnsealError,
  };
  const others = vectors.suites.filter((s) => s.suite !== 'X25519');
  const attempts = [
    ...others.map((s) => () => lean.KeyPair.generate(s.suite)),
    ...others.map((s) => () => lean.PublicKey.fromJwk(s.public_jwk)),
    ...others.map((s) => () => lean.KeyPair.fromJwk(s.private_jwk)),
  ];
  for (const attempt of attempts) {
    try {
      attempt();
      report.unsupported.push('accepted');
    } catch (e) {
      report.unsupported.push(lean.isEnsealError(e) ? e.code : String(e));
    }
  }
  const ctx = 'patients/1/ssn';
  for (const [from, to] of [[full, lean], [lean, full]]) {
    const kp = to.KeyPair.generate();
    const ring = new to.Keyring();
    ring.add(kp);
    const sealed = new from.Sealer(from.PublicKey.fromJwk(kp.publicKey.toJwk())).seal('078-05-1120', ctx);
    report.crossOpen.push(new to.Opener(ring).openString(sealed, ctx) === '078-05-1120');
  }
  return report;
}

/** The assertions on a `runX25519Entry` report (run in Node, with node:assert). */
export function assertX25519Report(report, assert) {
  assert.deepEqual(report.vectors.failures, []);
  assert.equal(report.vectors.passed, 3 + 5 * 3); // 3 key checks, 5 X25519 fields × 3
  assertAsyncPath(report.asyncPath, assert, 'x25519 entry, ');
  assert.deepEqual(report.unsupported, Array(6).fill('UNSUPPORTED_SUITE'));
  assert.deepEqual(report.crossOpen, [true, true]);
  assert.equal(report.sameErrorClass, true);
}

/**
 * The JSON helper's pointer and padding rules through one entry: what
 * `openJson` opens, `NOT_SEALED`, padding buckets, `*` on an object. Returns
 * plain data, so a browser page can hand it back; see `assertJsonHelper`.
 */
export function runJsonHelper(enseal) {
  const kp = enseal.KeyPair.generate();
  const ring = new enseal.Keyring();
  ring.add(kp);
  const sealer = new enseal.Sealer(kp.publicKey);
  const opener = new enseal.Opener(ring);
  const fail = (fn) => {
    try {
      fn();
      return 'did not throw';
    } catch (e) {
      return enseal.isEnsealError(e) ? `${e.code} ${e.errno}` : `not an EnsealError: ${e}`;
    }
  };
  // A client seals its free-text note too: the server opens /ssn only.
  const planted = sealer.sealJson({ ssn: '078-05-1120', note: 'planted' }, ['/ssn', '/note'], 'r1');
  const byPointer = opener.openJson(planted, ['/ssn'], 'r1');
  const sealedLength = (doc, options) => sealer.sealJson(doc, ['/v'], 'r1', options).v.length;
  return {
    byPointer: { ssn: byPointer.ssn, noteStillSealed: enseal.isSealed(byPointer.note) && byPointer.note === planted.note },
    all: opener.openJsonAll(planted, 'r1'),
    clearProtected: fail(() => opener.openJson({ ssn: '078-05-1120' }, ['/ssn'], 'r1')),
    numberProtected: fail(() => opener.openJson({ ssn: 42 }, ['/ssn'])),
    typed: opener.openJson(sealer.sealJson({ v: false, n: [1, 2] }, ['/v', '/n/*']), ['/v', '/n/*']),
    bools: [sealedLength({ v: true }), sealedLength({ v: false })],
    boolsUnpadded: [sealedLength({ v: true }, { padTo: 0 }), sealedLength({ v: false }, { padTo: 0 })],
    names64: [sealedLength({ v: 'Al' }, { padTo: 64 }), sealedLength({ v: 'Bartholomew Montgomery-Smith' }, { padTo: 64 })],
    names16: [sealedLength({ v: 'Al' }), sealedLength({ v: 'Bartholomew Montgomery-Smith' })],
    padTooLarge: fail(() => sealer.sealJson({ v: 1 }, ['/v'], 'r1', { padTo: 65537 })),
    padNegative: fail(() => sealer.sealJson({ v: 1 }, ['/v'], 'r1', { padTo: -1 })),
    starOnObject: fail(() => sealer.sealJson({ dx: { a: 'x', b: 'y' } }, ['/dx/*'])),
    starOnObjectOpen: fail(() => opener.openJson({ dx: { a: 'x' } }, ['/dx/*'])),
    overlapping: fail(() => sealer.sealJson({ dx: { a: 'x' } }, ['/dx', '/dx/a'])),
    prefixedClear: fail(() => sealer.sealJson({ ssn: '1', note: 'enseal1.not-a-value' }, ['/ssn'])),
  };
}

/** The assertions on a `runJsonHelper` report. */
export function assertJsonHelper(r, assert, label = '') {
  assert.deepEqual(r.byPointer, { ssn: '078-05-1120', noteStillSealed: true }, `${label}openJson by pointer`);
  assert.deepEqual(r.all, { ssn: '078-05-1120', note: 'planted' }, `${label}openJsonAll`);
  assert.equal(r.clearProtected, 'NOT_SEALED 404', `${label}clear protected field`);
  assert.equal(r.numberProtected, 'NOT_SEALED 404', `${label}number at a protected pointer`);
  assert.deepEqual(r.typed, { v: false, n: [1, 2] }, `${label}types restored`);
  assert.equal(r.bools[0], r.bools[1], `${label}true and false seal to one length by default`);
  assert.ok(r.boolsUnpadded[0] < r.boolsUnpadded[1], `${label}padTo 0: false seals longer than true`);
  assert.equal(r.names64[0], r.names64[1], `${label}padTo 64 hides name lengths`);
  assert.notEqual(r.names16[0], r.names16[1], `${label}the default bucket does not hide a 30-byte name`);
  assert.equal(r.padTooLarge, 'INVALID_ARGUMENT 1', `${label}padTo over 65536`);
  assert.equal(r.padNegative, 'INVALID_ARGUMENT 1', `${label}padTo below 0`);
  assert.equal(r.starOnObject, 'INVALID_POINTER 401', `${label}* on an object (seal)`);
  assert.equal(r.starOnObjectOpen, 'INVALID_POINTER 401', `${label}* on an object (open)`);
  assert.equal(r.overlapping, 'INVALID_POINTER 401', `${label}overlapping pointers`);
  assert.equal(r.prefixedClear, 'ALREADY_SEALED 403', `${label}clear string with the prefix`);
}

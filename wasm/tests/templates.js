// Context templates (every case of tests/vectors/context-templates.json),
// records sealed and opened by template, and session limits, through one
// entry of the package. Plain ESM with no Node imports: Node and headless
// Chromium run the same checks and assert the same report.

const utf8 = (bytes) => new TextDecoder().decode(bytes);

function failure(enseal, fn) {
  try {
    fn();
    return 'did not throw';
  } catch (e) {
    if (!enseal.isEnsealError(e)) return `not an EnsealError: ${e}`;
    return { code: e.code, errno: e.errno, message: e.message };
  }
}

/** Every shared case through `ContextTemplate.parse` and `renderJson` (text and object records). */
export function runTemplateVectors(enseal, vectors) {
  const result = { cases: vectors.cases.length, passed: 0, failures: [] };
  for (const [i, c] of vectors.cases.entries()) {
    let got;
    let gotFromObject;
    try {
      const template = enseal.ContextTemplate.parse(c.template);
      got = { context: utf8(template.renderJson(c.record, c.pointer)) };
      // As an object too, when JavaScript keeps the record's numbers as written.
      const object = JSON.parse(c.record);
      if (JSON.stringify(object) === c.record) gotFromObject = { context: utf8(template.renderJson(object, c.pointer)) };
      template.free();
    } catch (e) {
      got = enseal.isEnsealError(e) ? { error: e.code, errno: e.errno, message: e.message } : { threw: String(e) };
    }
    const want = c.context !== undefined ? { context: c.context } : { error: c.error };
    const ok =
      (want.context !== undefined && got.context === want.context && (gotFromObject === undefined || gotFromObject.context === want.context)) ||
      (want.error !== undefined && got.error === want.error && got.errno === 405 && got.message.length > 0);
    if (ok) result.passed++;
    else result.failures.push(`case ${i} (${c.template} ${c.record} ${c.pointer}): want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
  return result;
}

/** The template's accessors, render from an object and a Map, records, limits, errors. */
export function runRecords(enseal) {
  const fail = (fn) => failure(enseal, fn);
  const key = enseal.KeyPair.generate();
  const ring = new enseal.Keyring();
  ring.add(key);
  const sealer = new enseal.Sealer(key.publicKey);
  const opener = new enseal.Opener(ring);
  const r = {};

  const t = enseal.ContextTemplate.parse('{site}/{/patient/mrn}/{active}{pointer}');
  r.accessors = { text: t.text, fields: t.fields, hasPointer: t.hasPointer, noPointer: enseal.ContextTemplate.parse('no fields').hasPointer };
  r.render = {
    object: utf8(t.render('/dx', { site: 'north', '/patient/mrn': 'M 1', active: true })),
    map: utf8(t.render('/dx', new Map([['site', 'north'], ['/patient/mrn', 'M 1'], ['active', 'true']]))),
    number: utf8(enseal.ContextTemplate.parse('p/{id}{pointer}').render('/ssn', { id: 8812 })),
    escaped: utf8(enseal.ContextTemplate.parse('p/{id}{pointer}').render('/ssn', { id: '88/12~x' })),
    missing: (({ code, message }) => [code, /\{\/patient\/mrn\}/.test(message)])(fail(() => t.render('/dx', { site: 'n', active: true }))),
    nullField: fail(() => t.render('/dx', { site: null, '/patient/mrn': 'm', active: true })).code,
    inherited: fail(() => enseal.ContextTemplate.parse('{constructor}').render('/x', {})).code,
    objectValue: fail(() => t.render('/dx', { site: {}, '/patient/mrn': 'm', active: true })).code,
    notAnObject: fail(() => t.render('/dx', 'site')).code,
  };
  r.parseErrors = ['p/{id', 'p/id}', 'p/{}', '{/a~2}'].map((text) => fail(() => enseal.ContextTemplate.parse(text)).code);
  r.parseMessage = /never closed/.test(fail(() => enseal.ContextTemplate.parse('p/{id')).message);

  // Records: an object in, an object out; text in, text out.
  const template = enseal.ContextTemplate.parse('patients/{id}{pointer}');
  const record = { id: 8812, ssn: '123-45-6789', dx: 'E11.9', visits: [{ note: 'ok' }] };
  const pointers = ['/ssn', '/dx', '/visits/*/note'];
  const sealed = sealer.sealRecord(record, pointers, template);
  const line = JSON.stringify(record);
  const sealedLine = sealer.sealRecord(line, pointers, template, { padTo: 0 });
  const ssnContext = template.renderJson(record, '/ssn');
  r.records = {
    sealedIsObject: typeof sealed === 'object' && sealed.id === 8812 && enseal.isSealed(sealed.ssn) && enseal.isSealed(sealed.visits[0].note),
    noPlaintext: !JSON.stringify(sealed).includes('123-45-6789') && !sealedLine.includes('E11.9'),
    opened: JSON.stringify(opener.openRecord(sealed, pointers, template)) === line,
    openedAll: JSON.stringify(opener.openRecordAll(sealed, template)) === line,
    textStaysText: typeof sealedLine === 'string' && opener.openRecord(sealedLine, pointers, template) === line,
    oneValueAlone: opener.openString(sealed.ssn, ssnContext).trimEnd() === '"123-45-6789"',
    context: utf8(ssnContext),
    otherTemplate: fail(() => opener.openRecord(sealed, pointers, enseal.ContextTemplate.parse('clinic/{id}{pointer}'))).code,
    missingField: (({ code, errno, message }) => [code, errno, /\{id\}/.test(message)])(fail(() => sealer.sealRecord({ name: 'x', ssn: '1' }, ['/ssn'], template))),
    openMissingField: fail(() => opener.openRecord({ ssn: sealed.ssn }, ['/ssn'], template)).code,
    sealsItsField: fail(() => sealer.sealRecord(record, ['/ssn'], enseal.ContextTemplate.parse('p/{ssn}{pointer}'))).code,
    noPointerTwoValues: fail(() => sealer.sealRecord(record, ['/ssn', '/dx'], enseal.ContextTemplate.parse('patients/{id}'))).code,
    notATemplate: fail(() => sealer.sealRecord(record, ['/ssn'], 'patients/{id}{pointer}')).code,
    badPadding: fail(() => sealer.sealRecord(record, ['/ssn'], template, { padTo: 70000 })).code,
  };

  // Session limits: read back, refused when too small, and an old session is replaced.
  r.limits = {
    defaults: sealer.limits,
    given: new enseal.Sealer(key.publicKey, { fieldLimit: 5, maxSessionAge: 2 }).limits,
    fromKeyset: enseal.Sealer.fromKeyset(enseal.Keyset.fromPublicKey(key.publicKey), { maxSessionAge: 600 }).limits,
    zero: fail(() => new enseal.Sealer(key.publicKey, { maxSessionAge: 0 })),
    negative: fail(() => new enseal.Sealer(key.publicKey, { maxSessionAge: -1 })).code,
    fraction: fail(() => new enseal.Sealer(key.publicKey, { maxSessionAge: 1.5 })).code,
    keysetZero: fail(() => enseal.Sealer.fromKeyset(enseal.Keyset.fromPublicKey(key.publicKey), { maxSessionAge: 0 })).code,
    fieldLimitStillChecked: fail(() => new enseal.Sealer(key.publicKey, { fieldLimit: 0 })).code,
  };
  return r;
}

/** A sealer with a one-second session age changes session after two seconds; the default does not. */
export async function runSessionAge(enseal) {
  const key = enseal.KeyPair.generate();
  const young = new enseal.Sealer(key.publicKey, { maxSessionAge: 1 });
  const normal = new enseal.Sealer(key.publicKey);
  const session = (s) => enseal.Sealed.parse(s.seal('v', 'c')).sessionId;
  const before = [session(young), session(normal)];
  await new Promise((resolve) => setTimeout(resolve, 2100));
  const after = [session(young), session(normal)];
  return { youngRenewed: before[0] !== after[0], defaultKept: before[1] === after[1] };
}

export function assertTemplateVectors(r, assert, label = '') {
  assert.deepEqual(r.failures, [], `${label}template vectors`);
  assert.equal(r.cases, 26, `${label}every case of context-templates.json`);
  assert.equal(r.passed, 26, `${label}template vectors passed`);
}

export function assertRecords(r, assert, label = '') {
  const at = (what) => `${label}${what}`;
  assert.deepEqual(r.accessors, { text: '{site}/{/patient/mrn}/{active}{pointer}', fields: ['site', '/patient/mrn', 'active'], hasPointer: true, noPointer: false }, at('accessors'));
  assert.deepEqual(r.render, {
    object: 'north/M 1/true/dx',
    map: 'north/M 1/true/dx',
    number: 'p/8812/ssn',
    escaped: 'p/88~112~0x/ssn',
    missing: ['INVALID_TEMPLATE', true],
    nullField: 'INVALID_TEMPLATE',
    inherited: 'INVALID_TEMPLATE',
    objectValue: 'INVALID_ARGUMENT',
    notAnObject: 'INVALID_ARGUMENT',
  }, at('render'));
  assert.deepEqual(r.parseErrors, ['INVALID_TEMPLATE', 'INVALID_TEMPLATE', 'INVALID_TEMPLATE', 'INVALID_TEMPLATE'], at('parse errors'));
  assert.equal(r.parseMessage, true, at('parse error names the problem'));
  assert.deepEqual(r.records, {
    sealedIsObject: true,
    noPlaintext: true,
    opened: true,
    openedAll: true,
    textStaysText: true,
    oneValueAlone: true,
    context: 'patients/8812/ssn',
    otherTemplate: 'DECRYPT_FAILED',
    missingField: ['INVALID_TEMPLATE', 405, true],
    openMissingField: 'INVALID_TEMPLATE',
    sealsItsField: 'INVALID_TEMPLATE',
    noPointerTwoValues: 'INVALID_TEMPLATE',
    notATemplate: 'INVALID_ARGUMENT',
    badPadding: 'INVALID_ARGUMENT',
  }, at('records'));
  const { zero, ...limits } = r.limits;
  assert.deepEqual(limits, {
    defaults: { fieldLimit: 2 ** 32, maxSessionAge: 3600 },
    given: { fieldLimit: 5, maxSessionAge: 2 },
    fromKeyset: { fieldLimit: 2 ** 32, maxSessionAge: 600 },
    negative: 'INVALID_ARGUMENT',
    fraction: 'INVALID_ARGUMENT',
    keysetZero: 'INVALID_ARGUMENT',
    fieldLimitStillChecked: 'INVALID_ARGUMENT',
  }, at('session limits'));
  assert.equal(zero.code, 'INVALID_ARGUMENT', at('maxSessionAge 0'));
  assert.match(zero.message, /at least one/, at('maxSessionAge 0 says why'));
}

// End to end over the real intake service (examples/ingest, binary in env
// ENSEAL_INGEST_BIN) on PostgreSQL (env ENSEAL_INGEST_TEST_POSTGRES, a URL
// whose user may CREATE DATABASE: each test gets a database of its own):
// headless Chromium fills the form served over HTTPS, trusting exactly the
// service's throw-away certificate; PostgreSQL then holds only sealed values
// for the SSN and diagnosis, and the Python pipeline (env
// ENSEAL_INGEST_PYTHON, a Python with the enseal wheel) fetches the day over
// mutual TLS and opens them to exactly what was typed. And a keyset
// substituted on the way (signed by another key, unsigned, an old version
// replayed, expired) is refused before anything is sealed or sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as enseal from 'enseal';
import { launchChromium, repo, startIngest, trustCertificateFlag } from './serve.js';
import { newSigner, signKeyset } from './jose-node.js';

const run = promisify(execFile);
const typed = { name: 'Ada Lovelace', dob: '1815-12-10', ssn: '078-05-1120', diagnosis: 'E11.9 type 2 diabetes mellitus' };
/** What must never leave the page in the clear, in any spelling. */
const secrets = [typed.ssn, typed.ssn.replaceAll('-', ''), typed.diagnosis, 'E11.9', 'diabetes'];
const HSTS = 'max-age=63072000; includeSubDomains';
const pipelineScript = fileURLToPath(new URL('examples/ingest/pipeline/fetch_day.py', repo));

function required(name, what) {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} to ${what} (cargo xtask test does)`);
  return value;
}

/**
 * A fresh database on the cluster of ENSEAL_INGEST_TEST_POSTGRES. The
 * password travels in PGPASSWORD, never in a command line (`ps` shows those).
 */
async function freshDatabase() {
  const given = new URL(required('ENSEAL_INGEST_TEST_POSTGRES', 'a PostgreSQL URL, postgres://USER:PASS@HOST:PORT/DB'));
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(given.password) };
  given.password = '';
  const at = (db) => Object.assign(new URL(given), { pathname: `/${db}` }).href;
  const name = `ingest_form_${randomBytes(6).toString('hex')}`;
  const psql = async (db, sql) => (await run('psql', [at(db), '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], { env })).stdout.trim();
  await psql('postgres', `CREATE DATABASE ${name}`);
  return {
    url: at(name),
    env: { PGPASSWORD: env.PGPASSWORD },
    query: (sql) => psql(name, sql),
    drop: () => psql('postgres', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** The service on a fresh database, and a Chromium that trusts its certificate (and only it). */
async function setUp() {
  const db = await freshDatabase();
  let svc;
  try {
    svc = await startIngest({ database: db.url, env: db.env });
    const browser = await launchChromium([trustCertificateFlag(join(svc.pki, 'server.pem'))]);
    const jws = readFileSync(join(svc.dev, 'keyset.jws'), 'utf8').trim();
    const genuine = JSON.parse(Buffer.from(jws.split('.')[1], 'base64url'));
    const signerJwk = JSON.parse(readFileSync(join(svc.dev, 'keyset-signer.jwk'), 'utf8'));
    return {
      db,
      svc,
      browser,
      genuine,
      signerJwk,
      rows: async () => Number(await db.query('SELECT count(*) FROM intakes')),
      async tearDown() {
        await browser.close();
        const { code, signal } = await svc.stop();
        await db.drop();
        assert.equal(code, 0, `enseal-ingest stopped with ${code ?? signal}: ${svc.stderr()}`);
      },
    };
  } catch (e) {
    await svc?.stop();
    await db.drop();
    throw e;
  }
}

/** A jose-node.js signer holding the dev directory's keyset signer (an Ed25519 private JWK). */
function signerOf(jwk) {
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  const b64 = (s) => Buffer.from(s).toString('base64url');
  return {
    kid: jwk.kid,
    sign(header, payload) {
      const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
      return `${input}.${b64(sign(null, Buffer.from(input), key))}`;
    },
  };
}

async function fill(page) {
  await page.fill('#name', typed.name);
  await page.fill('#dob', typed.dob);
  await page.fill('#ssn', typed.ssn);
  await page.fill('#diagnosis', typed.diagnosis);
}

const utcDay = () => new Date().toISOString().slice(0, 10);

/**
 * Waits until the page is ready or has refused, and returns its status; a
 * page that never gets there fails with its status and its uncaught errors.
 */
async function settled(page, errors) {
  try {
    await page.waitForFunction(() => /^(ready|keyset refused|enseal failed)/.test(document.getElementById('status').textContent), null, { timeout: 20_000 });
  } catch (e) {
    throw new Error(`the page did not start: status ${JSON.stringify(await page.textContent('#status'))}, errors ${JSON.stringify(errors)}: ${e.message}`);
  }
  return page.textContent('#status');
}

test('patient intake over HTTPS: PostgreSQL holds SSN and diagnosis sealed, the pipeline opens them over mTLS', { timeout: 180_000 }, async (t) => {
  const dayBefore = utcDay();
  const { db, svc, browser, genuine, signerJwk, rows, tearDown } = await setUp();
  try {
    const page = await browser.newPage();
    const requests = [];
    const responses = [];
    page.on('request', (r) => requests.push({ method: r.method(), url: r.url(), body: r.postData() ?? '' }));
    page.on('response', (r) => responses.push({ url: r.url(), status: r.status(), hsts: r.headers()['strict-transport-security'] }));
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${svc.intake}/`);
    const primary = genuine.keyset.primary;
    assert.equal(await settled(page, errors), `ready: sealing to key ${primary} (keyset version 1, signed by ${signerJwk.kid})`);
    assert.equal(await page.isDisabled('button[type=submit]'), false);
    await fill(page);
    await page.click('button[type=submit]');
    await page.waitForFunction(() => /^(submitted|failed)/.test(document.getElementById('status').textContent));
    const artifacts = new URL('target/web-artifacts/', repo);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: fileURLToPath(new URL('ingest-form.png', artifacts)), fullPage: true });
    const statusText = await page.textContent('#status');
    assert.match(statusText, /^submitted [0-9a-f-]{36}\n/, `the service acknowledged: ${statusText}; ${svc.stderr()}`);

    // Nothing sensitive in any request the page made, in any spelling.
    for (const secret of secrets) {
      for (const r of requests) assert.ok(!r.url.includes(secret) && !r.body.includes(secret), `${r.method} ${r.url} leaks ${secret}`);
    }
    const posts = requests.filter((r) => r.method === 'POST');
    assert.deepEqual(posts.map((r) => r.url), [`${svc.intake}/intake`]);
    const wire = JSON.parse(posts[0].body);
    assert.equal(statusText.split('\n')[0], `submitted ${wire.recordId}`);

    // The row, read back directly from PostgreSQL: the protected fields as the browser sealed them.
    const stored = JSON.parse(await db.query(
      'SELECT json_agg(t) FROM (SELECT record_id, kid, name, dob, ssn, diagnosis, received_day FROM intakes) t',
    ));
    assert.equal(stored.length, 1);
    const [row] = stored;
    assert.equal(row.record_id, wire.recordId);
    assert.equal(row.name, typed.name); // not marked sensitive: stored as typed
    assert.equal(row.dob, typed.dob);
    for (const field of ['ssn', 'diagnosis']) {
      assert.ok(row[field].startsWith('enseal1.') && enseal.isSealed(row[field]), `${field} is stored sealed`);
      assert.equal(row[field], wire.patient[field], `${field} is stored as it was sent`);
      for (const secret of secrets) assert.ok(!row[field].includes(secret), `${field} holds ${secret}`);
    }
    assert.equal(row.kid, primary, "sealed to the keyset's primary key");
    assert.ok([dayBefore, utcDay()].includes(row.received_day), `received_day ${row.received_day} is today (UTC)`);

    await t.test('the Python pipeline fetches the day over mutual TLS and opens exactly what was typed', async () => {
      const python = required('ENSEAL_INGEST_PYTHON', 'a Python with the enseal wheel installed');
      const scratch = mkdtempSync(join(tmpdir(), 'ingest-pipeline-'));
      try {
        const audit = join(scratch, 'audit.log');
        const { stdout } = await run(python, [
          pipelineScript,
          '--url', svc.records,
          '--ca', join(svc.pki, 'ca.pem'),
          '--cert', join(svc.pki, 'client.pem'),
          '--key', join(svc.pki, 'client.key'),
          '--keys', join(svc.dev, 'private-keyring.json'),
          '--day', row.received_day,
          '--audit', audit,
          '--actor', 'browser-e2e',
        ]);
        const opened = stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
        assert.equal(opened.length, 1, `one record for ${row.received_day}: ${stdout}`);
        assert.equal(opened[0].recordId, wire.recordId);
        assert.equal(opened[0].kid, primary);
        assert.equal(typeof opened[0].id, 'number');
        assert.equal(typeof opened[0].receivedAt, 'number');
        assert.deepEqual(opened[0].patient, typed);
        assert.ok(existsSync(audit), 'the pipeline wrote its audit log');
        const auditText = readFileSync(audit, 'utf8');
        for (const secret of secrets) assert.ok(!auditText.includes(secret), `the audit log holds ${secret}`);
        // The audit log's own check (its hash chain), by the wheel: the opens are recorded, by this actor, for this key.
        const report = JSON.parse((await run(python, ['-c', [
          'import enseal, json, sys',
          'r = enseal.verify_audit_log(sys.argv[1])',
          'print(json.dumps({"intact": r.intact, "events": r.events, "failures": r.failures, "perActor": r.per_actor, "perKid": r.per_kid}))',
        ].join('\n'), audit])).stdout);
        assert.equal(report.intact, true, `the audit log verifies: ${JSON.stringify(report)}`);
        assert.equal(report.failures, 0);
        assert.ok(report.events >= 1 && report.perActor['browser-e2e'] === report.events, `every event is browser-e2e's: ${JSON.stringify(report)}`);
        assert.ok(report.perKid[primary] >= 1, `the opens name the primary key: ${JSON.stringify(report)}`);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });

    // The service refuses an SSN in the clear, names the field, and stores nothing.
    // A new record id: a refused submission must not be stored under any id.
    const clear = await page.evaluate(async ({ patient, ssn }) => {
      const response = await fetch('/intake', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ recordId: crypto.randomUUID(), patient: { ...patient, ssn } }),
      });
      return { status: response.status, body: await response.json() };
    }, { patient: wire.patient, ssn: typed.ssn });
    assert.equal(clear.status, 422);
    assert.equal(clear.body.error.code, 'BAD_PREFIX');
    assert.equal(clear.body.error.field, '/patient/ssn');
    assert.ok(!JSON.stringify(clear.body).includes(typed.ssn), 'the refusal does not echo the value');
    assert.equal(await rows(), 1, 'the refused submission stored nothing');

    // HSTS on every response the page saw: the page, its scripts, the package, the keyset, both POSTs.
    assert.ok(responses.some((r) => r.url === `${svc.intake}/intake` && r.status === 201), 'the intake answer was seen');
    assert.ok(responses.some((r) => r.url === `${svc.intake}/intake` && r.status === 422), 'the refusal was seen');
    assert.ok(responses.length >= 6, `responses: ${responses.map((r) => r.url)}`);
    for (const r of responses) assert.equal(r.hsts, HSTS, `${r.url} (${r.status}) carries HSTS`);
    assert.ok(!svc.stderr().includes(typed.ssn), 'the service logged no SSN');
  } finally {
    await tearDown();
  }
});

/** POSTs JSON from Node over HTTPS trusting only `ca`; resolves to the status. */
function postTrusting(url, body, ca) {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, { method: 'POST', ca, servername: 'localhost', headers: { 'content-type': 'application/json' } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    request.on('error', reject);
    request.end(body);
  });
}

test('a lost answer, a 503, a second click: the form sends the same sealed submission and it is stored once', { timeout: 120_000 }, async () => {
  const { svc, browser, rows, tearDown } = await setUp();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const posts = [];
    let fault = 'answer-lost';
    await page.route('**/intake', async (route) => {
      posts.push(route.request().postData());
      const now = fault;
      fault = 'none';
      if (now === 'answer-lost') {
        // The service stores it; the answer never reaches the page.
        const stored = await postTrusting(`${svc.intake}/intake`, route.request().postData(), readFileSync(join(svc.pki, 'ca.pem')));
        assert.equal(stored, 201);
        return route.abort('connectionreset');
      }
      if (now === 'busy') {
        return route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"STORE_UNAVAILABLE"}}' });
      }
      return route.continue();
    });
    await page.goto(`${svc.intake}/`);
    await settled(page, errors);
    await fill(page);
    const submitted = async () => {
      await page.click('button[type=submit]');
      await page.waitForFunction(() => /^(submitted|failed|not sent)/.test(document.getElementById('status').textContent));
      return page.textContent('#status');
    };
    const first = await submitted();
    assert.match(first, /^submitted /, first);
    assert.equal(posts.length, 2, 'the page retried after the lost answer');
    assert.equal(posts[1], posts[0], 'with the same sealed body');
    assert.equal(await rows(), 1, 'stored once');
    // The user clicks again without changing anything: the same submission, answered 200.
    assert.equal(await submitted(), first);
    assert.equal(posts.length, 3);
    assert.equal(posts[2], posts[0]);
    assert.equal(await rows(), 1, 'still stored once');
    // An edit is a new submission; a 503 is retried with its body.
    fault = 'busy';
    await page.fill('#diagnosis', 'J45.909 asthma, uncomplicated');
    const second = await submitted();
    assert.match(second, /^submitted /, second);
    assert.notEqual(second.split('\n')[0], first.split('\n')[0], 'a new record id');
    assert.equal(posts.length, 5);
    assert.equal(posts[4], posts[3], 'the 503 was retried with the same body');
    assert.notEqual(posts[3], posts[0]);
    assert.equal(await rows(), 2);
  } finally {
    await tearDown();
  }
});

/**
 * Opens the page in a fresh browser context with `keyset.jws` answered by
 * `substitute` (what a compromised CDN or proxy would serve) when given,
 * after `before(page)`; waits for the page to be ready or to refuse.
 */
async function openPage(browser, url, substitute, before) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (before) await before(page);
  if (substitute !== undefined) {
    await page.route('**/keyset.jws', (route) => route.fulfill({ status: 200, contentType: 'application/jose', body: substitute }));
  }
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push({ method: r.method(), url: r.url(), body: r.postData() ?? '' }));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/`);
  await settled(page, errors);
  return { context, page, requests };
}

/** The page's status with `substitute`: refused, the form filled and submitted anyway (by `requestSubmit()`). */
async function refusedPage(browser, url, substitute, before) {
  const { context, page, requests } = await openPage(browser, url, substitute, before);
  try {
    const ready = await page.textContent('#status');
    const disabled = await page.isDisabled('button[type=submit]');
    await fill(page);
    await page.evaluate(() => document.getElementById('intake').requestSubmit());
    await page.waitForTimeout(300);
    const statusText = await page.textContent('#status');
    const sealedInPage = await page.evaluate(() => document.body.innerHTML.includes('enseal1.'));
    return { ready, statusText, disabled, requests, sealedInPage, url: page.url() };
  } finally {
    await context.close();
  }
}

/** The status a page shows with `substitute` (undefined: the service's own keyset), nothing else done. */
async function statusWith(browser, url, substitute, before) {
  const { context, page } = await openPage(browser, url, substitute, before);
  try {
    return await page.textContent('#status');
  } finally {
    await context.close();
  }
}

test('intake form over HTTPS: a substituted keyset is refused before anything is sealed or sent', { timeout: 180_000 }, async () => {
  const { svc, browser, genuine, signerJwk, rows, tearDown } = await setUp();
  try {
    const url = svc.intake;
    const signer = signerOf(signerJwk);
    const now = Math.floor(Date.now() / 1000);
    // The attacker's own recipient key, in a keyset signed by the attacker's own signer (valid JWS, unpinned key).
    const attacker = enseal.Keyset.fromPublicKey(enseal.KeyPair.generate().publicKey).toJson();
    // The genuine signer's signatures over the genuine keyset, each sound but for the one named defect.
    const older = signKeyset(signer, genuine.keyset, { version: 4, iat: now - 60, exp: now + 3600 });
    const expired = signKeyset(signer, genuine.keyset, { version: 6, iat: now - 7200, exp: now - 3600 });
    const current = signKeyset(signer, genuine.keyset, { version: 6, iat: now - 60, exp: now + 3600 });
    const acceptedFive = (page) => page.addInitScript(() => localStorage.setItem('enseal.keysetVersion', '5'));
    const cases = [
      ['KEYSET_BAD_SIGNATURE', signKeyset(newSigner(), attacker, { version: 99, iat: now, exp: now + 3600 })],
      ['KEYSET_UNSIGNED', JSON.stringify(attacker)],
      // Version 4 to a browser that accepted version 5.
      ['KEYSET_ROLLBACK', older, acceptedFive],
      // And the service's own version 1 is a rollback there too.
      ['KEYSET_ROLLBACK', undefined, acceptedFive],
      ['KEYSET_EXPIRED', expired],
    ];
    for (const [code, substitute, before] of cases) {
      const r = await refusedPage(browser, url, substitute, before);
      assert.match(r.ready, new RegExp(`^keyset refused: ${code} `), `${code}: the page names the code`);
      assert.match(r.statusText, /nothing will be sealed or sent/);
      assert.equal(r.disabled, true, `${code}: the submit button stays disabled`);
      assert.equal(r.sealedInPage, false, `${code}: nothing was sealed`);
      assert.equal(r.url, `${url}/`, `${code}: no form submission navigated the page`);
      assert.deepEqual(r.requests.filter((q) => q.method !== 'GET' || q.url.includes('?')), [], `${code}: nothing was submitted`);
      for (const q of r.requests) for (const secret of secrets) assert.ok(!q.url.includes(secret) && !q.body.includes(secret), `${code}: ${q.url} leaks ${secret}`);
    }
    assert.equal(await rows(), 0, 'no intake reached the database');

    // Each refusal was the named defect's alone: the same documents without it are accepted.
    const ready = (version, signedBy) => `ready: sealing to key ${genuine.keyset.primary} (keyset version ${version}, signed by ${signedBy})`;
    assert.equal(await statusWith(browser, url, older), ready(4, signer.kid), 'version 4 is fine where nothing newer was accepted');
    assert.equal(await statusWith(browser, url, current, acceptedFive), ready(6, signer.kid), 'an unexpired version 6 is fine after version 5');
    assert.equal(await statusWith(browser, url, undefined), ready(1, signer.kid), "the service's own keyset in a fresh browser");
  } finally {
    await tearDown();
  }
});

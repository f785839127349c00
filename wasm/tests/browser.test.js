// The packed package in headless Chromium (Debian's, via playwright-core),
// loaded by a plain <script type="module"> page from a local server.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launchChromium, standardMounts, here } from './serve.js';
import { assertAsyncPath, assertX25519Report, assertJsonHelper } from './vectors.js';
import { assertApi, assertMisuse } from './checks.js';
import { assertTemplateVectors, assertRecords } from './templates.js';
import { assertSigned } from './signed.js';
import { signedCases } from './jose-node.js';
import * as enseal from 'enseal';

let site;
let browser;
// Signed keysets made in Node by its own crypto, verified in the page.
const cases = signedCases(enseal);
before(async () => {
  const signedRoute = (req, res) => {
    if (req.url !== '/signed-cases.json') return false;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(cases));
    return true;
  };
  site = await serve({ ...standardMounts, '/': new URL('browser/', here) }, signedRoute);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  site?.server.close();
});

test('vectors, WebCrypto path, @hpke/core interop, JSON helper, the issue-12 operations, context templates, records, session limits, signed keysets, misuse and errors in Chromium', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(`${site.url}/index.html`);
  await page.waitForFunction(() => window.__report !== undefined, null, { timeout: 60_000 });
  const report = await page.evaluate(() => window.__report);
  assert.deepEqual(problems, []);
  assert.equal(report.crashed, undefined, report.crashed);
  assert.match(report.userAgent, /Chrome\//);
  assert.deepEqual(report.vectors.failures, []);
  assert.equal(report.vectors.passed, 168);
  assertAsyncPath(report.asyncPath, assert);
  assert.deepEqual(report.interop, [true, true, true, true]);
  assertX25519Report(report.x25519, assert);
  assertJsonHelper(report.json, assert, 'Chromium: ');
  assertJsonHelper(report.jsonX25519, assert, 'Chromium, x25519 entry: ');
  assert.deepEqual(report.beforeInit, ['INVALID_ARGUMENT true', 'INVALID_ARGUMENT true', 'INVALID_ARGUMENT true'], 'calls before init()');
  assertApi(report.api, assert, 'Chromium: ');
  assertApi(report.apiX25519, assert, 'Chromium, x25519 entry: ');
  assertMisuse(report.misuse, assert, 'Chromium: ');
  assertMisuse(report.misuseX25519, assert, 'Chromium, x25519 entry: ');
  assertTemplateVectors(report.templates, assert, 'Chromium: ');
  assertTemplateVectors(report.templatesX25519, assert, 'Chromium, x25519 entry: ');
  assertRecords(report.records, assert, 'Chromium: ');
  assertRecords(report.recordsX25519, assert, 'Chromium, x25519 entry: ');
  assertSigned(report.signed, cases, assert, 'Chromium: ');
  assertSigned(report.signedX25519, cases, assert, 'Chromium, x25519 entry: ');
  // What Chromium sealed to the verified keyset opens with the recipient's private key.
  const opener = new enseal.Opener(enseal.Keyring.fromJwks({ keys: [cases.recipient] }));
  for (const r of [report.signed, report.signedX25519]) {
    assert.equal(opener.openString(r.sealed[0], 'patients/1/ssn'), '078-05-1120', 'Chromium: sealed to the signed keyset');
    assert.equal(opener.openString(r.sealed[1], 'patients/1/dx'), 'E11.9', 'Chromium: sealed to the signed keyset');
  }
  assert.deepEqual(report.sessionAge, { youngRenewed: true, defaultKept: true }, 'Chromium: session maximum age');
  assert.deepEqual(report.error, { isEnsealError: true, instanceOfError: true, code: 'BAD_PREFIX', errno: 100 });
  console.log(`vectors in ${report.userAgent.match(/Chrome\/[\d.]+/)[0]}: ${report.vectors.passed} passed, ${report.vectors.failed} failed`);
});

// End to end: headless Chromium fills examples/web-form, submits, and the
// server must receive sealed values only, which its private key opens back;
// and a keyset substituted on the way (signed by another key, unsigned, an
// old version replayed) is refused before anything is sealed or sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as enseal from 'enseal';
import { startServer } from '../../examples/web-form/server.js';
import { launchChromium, here, repo } from './serve.js';
import { newSigner, signKeyset } from './jose-node.js';

const typed = { name: 'Ada Lovelace', dob: '1815-12-10', ssn: '078-05-1120', diagnosis: 'E11.9 type 2 diabetes mellitus' };

async function fill(page) {
  await page.fill('#name', typed.name);
  await page.fill('#dob', typed.dob);
  await page.fill('#ssn', typed.ssn);
  await page.fill('#diagnosis', typed.diagnosis);
}

/**
 * Opens the page in a fresh browser context with `keyset.jws` answered by
 * `substitute` (what a compromised CDN or proxy would serve), fills the form
 * and tries to submit it (the button is disabled, so by `requestSubmit()`).
 * Returns the status shown and every request the page made after loading.
 */
async function refusedPage(browser, url, substitute, { before } = {}) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    if (before) await before(page);
    await page.route('**/keyset.jws', (route) => route.fulfill({ status: 200, contentType: 'application/jose', body: substitute }));
    const requests = [];
    page.on('request', (r) => requests.push({ method: r.method(), url: r.url(), body: r.postData() ?? '' }));
    await page.goto(`${url}/`);
    await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('keyset refused'));
    const disabled = await page.isDisabled('button[type=submit]');
    await fill(page);
    await page.evaluate(() => document.getElementById('intake').requestSubmit());
    await page.waitForTimeout(300);
    const statusText = await page.textContent('#status');
    const sealedInPage = await page.evaluate(() => document.body.innerHTML.includes('enseal1.'));
    return { statusText, disabled, requests, sealedInPage, url: page.url() };
  } finally {
    await context.close();
  }
}

test('patient intake form seals SSN and diagnosis before they leave the browser', async () => {
  const received = [];
  const packageDir = fileURLToPath(new URL('node_modules/enseal/', here));
  const { server, url, keyset, signer } = await startServer({ enseal, packageDir, onIntake: (r) => received.push(r) });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const requests = [];
    page.on('request', (r) => requests.push({ url: r.url(), body: r.postData() ?? '' }));
    await page.goto(`${url}/`);
    await page.waitForSelector('button:not([disabled])');
    assert.equal(await page.textContent('#status'), `ready: sealing to key ${keyset.primary} (keyset version 1, signed by ${signer.kid})`);
    await fill(page);
    await page.click('button[type=submit]');
    await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('submitted'));
    const artifacts = new URL('target/web-artifacts/', repo);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: fileURLToPath(new URL('web-form.png', artifacts)), fullPage: true });

    assert.equal(received.length, 1);
    const [{ raw, opened, sealedTo }] = received;
    const wire = JSON.parse(raw);
    // Nothing sensitive on the wire, in any request the page made, in any spelling.
    for (const secret of [typed.ssn, typed.ssn.replaceAll('-', ''), typed.diagnosis, 'E11.9', 'diabetes']) {
      assert.ok(!raw.includes(secret), `request body contains ${secret}`);
      for (const r of requests) assert.ok(!r.url.includes(secret) && !r.body.includes(secret), `${r.url} leaks ${secret}`);
    }
    assert.ok(enseal.isSealed(wire.patient.ssn) && enseal.isSealed(wire.patient.diagnosis));
    assert.equal(wire.patient.name, typed.name); // not marked sensitive: sent as typed
    assert.deepEqual(opened, typed);
    // Every sealed field names the signed keyset's primary key.
    assert.deepEqual(sealedTo, [keyset.primary, keyset.primary]);

    // The server opens the fields it expects sealed, and refuses them in the clear.
    const clear = await fetch(`${url}/intake`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recordId: wire.recordId, patient: { ...wire.patient, ssn: typed.ssn } }),
    });
    assert.equal(clear.status, 400);
    assert.equal(await clear.text(), 'NOT_SEALED');
    assert.equal(received.length, 1);
  } finally {
    await browser.close();
    server.close();
  }
});

test('intake form: a substituted keyset is refused before anything is sealed or sent', async () => {
  const received = [];
  const packageDir = fileURLToPath(new URL('node_modules/enseal/', here));
  const { server, url, keyset, signKeyset: genuine } = await startServer({ enseal, packageDir, keysetVersion: 5, onIntake: (r) => received.push(r) });
  const browser = await launchChromium();
  try {
    // The attacker's own recipient key, in a keyset signed by the attacker's own signer (valid JWS, unpinned key).
    const attacker = enseal.Keyset.fromPublicKey(enseal.KeyPair.generate().publicKey).toJson();
    const now = Math.floor(Date.now() / 1000);
    const substitutes = {
      KEYSET_BAD_SIGNATURE: signKeyset(newSigner(), attacker, { version: 99, iat: now, exp: now + 3600 }),
      KEYSET_UNSIGNED: JSON.stringify(attacker),
      // The genuine signer's older keyset, replayed to a browser that accepted version 5.
      KEYSET_ROLLBACK: genuine({ version: 4 }),
      KEYSET_EXPIRED: genuine({ version: 6, iat: now - 7200, exp: now - 3600 }),
    };
    for (const [code, substitute] of Object.entries(substitutes)) {
      const before = code === 'KEYSET_ROLLBACK' ? (page) => page.addInitScript(() => localStorage.setItem('enseal.keysetVersion', '5')) : undefined;
      const r = await refusedPage(browser, url, substitute, { before });
      assert.match(r.statusText, new RegExp(`^keyset refused: ${code} `), `${code}: the page names the code`);
      assert.match(r.statusText, /nothing will be sealed or sent/);
      assert.equal(r.disabled, true, `${code}: the submit button stays disabled`);
      assert.equal(r.sealedInPage, false, `${code}: nothing was sealed`);
      assert.equal(r.url, `${url}/`, `${code}: no form submission navigated the page`);
      assert.deepEqual(r.requests.filter((q) => q.method !== 'GET' || q.url.includes('?')), [], `${code}: nothing was submitted`);
      for (const q of r.requests) assert.ok(!q.url.includes(typed.ssn) && !q.body.includes(typed.ssn), `${code}: ${q.url} leaks the SSN`);
    }
    assert.equal(received.length, 0, 'the server received no intake');

    // The same browser state with the genuine keyset: the page works (the refusals were the substitutes').
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(() => localStorage.setItem('enseal.keysetVersion', '5'));
    await page.goto(`${url}/`);
    await page.waitForSelector('button:not([disabled])');
    assert.match(await page.textContent('#status'), new RegExp(`ready: sealing to key ${keyset.primary} \\(keyset version 5,`));
    await context.close();
  } finally {
    await browser.close();
    server.close();
  }
});

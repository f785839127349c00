// End to end: headless Chromium fills examples/web-form, submits, and the
// server must receive sealed values only, which its private key opens back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as enseal from 'enseal';
import { startServer } from '../../examples/web-form/server.js';
import { launchChromium, here, repo } from './serve.js';

test('patient intake form seals SSN and diagnosis before they leave the browser', async () => {
  const received = [];
  const packageDir = fileURLToPath(new URL('node_modules/enseal/', here));
  const { server, url } = await startServer({ enseal, packageDir, onIntake: (r) => received.push(r) });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const requests = [];
    page.on('request', (r) => requests.push({ url: r.url(), body: r.postData() ?? '' }));
    await page.goto(`${url}/`);
    await page.waitForSelector('button:not([disabled])');
    const typed = { name: 'Ada Lovelace', dob: '1815-12-10', ssn: '078-05-1120', diagnosis: 'E11.9 type 2 diabetes mellitus' };
    await page.fill('#name', typed.name);
    await page.fill('#dob', typed.dob);
    await page.fill('#ssn', typed.ssn);
    await page.fill('#diagnosis', typed.diagnosis);
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
    // Every sealed field names the keyset's primary key.
    const keyset = await (await fetch(`${url}/keyset.json`)).json();
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

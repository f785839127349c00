// The clinic's side of the example: serves the page and the enseal package,
// publishes the public keyset, receives intakes and opens them with the
// private keyring. Run: node examples/web-form/server.js (after `cargo xtask
// web-build`, which packs the package into target/npm/enseal).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

// The fields the form seals, and so the only ones the clinic opens: a sealed
// value planted in any other field stays sealed, and a clear SSN is refused.
const SEALED_FIELDS = ['/ssn', '/diagnosis'];
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Starts the server; `enseal` is the package's Node entry, `packageDir` its browser files. */
export async function startServer({ enseal, packageDir, port = 0, onIntake = () => {} }) {
  // A demo key made at start-up. A real clinic loads its keyring from a KMS or HSM.
  const key = enseal.KeyPair.generate();
  const keyring = new enseal.Keyring();
  keyring.add(key);
  const opener = new enseal.Opener(keyring);
  const keyset = enseal.Keyset.fromPublicKey(key.publicKey).toJson();
  const page = fileURLToPath(new URL('./', import.meta.url));

  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (req.method === 'POST' && path === '/intake') {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      // What a log or database would store is `raw`; only the opener sees plaintext.
      let opened;
      let sealedTo;
      try {
        const { recordId, patient } = JSON.parse(raw);
        opened = opener.openJson(patient, SEALED_FIELDS, recordId);
        // Which key each field was sealed to, read without the private key
        // (what a rotation job asks: which values still need the old key?).
        sealedTo = SEALED_FIELDS.map((pointer) => enseal.Sealed.parse(patient[pointer.slice(1)]).kid);
      } catch (e) {
        // NOT_SEALED: a field that must arrive sealed came in the clear.
        res.writeHead(400, { 'content-type': 'text/plain' }).end(enseal.isEnsealError(e) ? e.code : 'bad request');
        return;
      }
      onIntake({ raw, headers: req.headers, url: req.url, opened, sealedTo });
      res.writeHead(204).end();
      return;
    }
    if (path === '/keyset.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(keyset));
      return;
    }
    const [root, rel] = path.startsWith('/enseal/') ? [packageDir, path.slice(8)] : [page, path.slice(1) || 'index.html'];
    const file = join(root, normalize(rel));
    if (!file.startsWith(root)) return res.writeHead(404).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const packageDir = fileURLToPath(new URL('../../target/npm/enseal/', import.meta.url));
  const enseal = await import(join(packageDir, 'node.js'));
  const { url } = await startServer({
    enseal,
    packageDir,
    port: Number(process.env.PORT ?? 8080),
    onIntake: ({ raw, opened }) => console.log(`received: ${raw}\nopened by the clinic: ${JSON.stringify(opened)}`),
  });
  console.log(`patient intake form: ${url}/`);
}

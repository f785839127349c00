// The clinic's side of the example: serves the page (with the keyset
// signer's public key pinned in it) and the enseal package, publishes the
// signed public keyset, receives intakes and opens them with the private
// keyring. Run: node examples/web-form/server.js (after `cargo xtask
// web-build`, which packs the package into target/npm/enseal).
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

// The fields the form seals, and so the only ones the clinic opens: a sealed
// value planted in any other field stays sealed, and a clear SSN is refused.
const SEALED_FIELDS = ['/ssn', '/diagnosis'];
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm' };
/** Where index.html takes the pinned signers: the page's configuration, filled in as it is served. */
const PINS_PLACEHOLDER = '{"keys": "PINNED_SIGNERS"}';
const DAY = 24 * 3600;

const b64 = (bytes) => Buffer.from(bytes).toString('base64url');

/**
 * A demo keyset signer made at start-up: an Ed25519 key and the signed keyset
 * document (docs/FORMAT.md §10, a JWS) it makes. A real clinic signs offline
 * (`enseal keyset sign`, the signing key never on a web server) and pins the
 * signer's public JWK in the page's configuration.
 */
function demoSigner() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const { kty, crv, x } = publicKey.export({ format: 'jwk' });
  // The RFC 7638 thumbprint: the key id a signed keyset names its signer by.
  const kid = b64(createHash('sha256').update(JSON.stringify({ crv, kty, x })).digest());
  return {
    publicJwk: { kty, crv, x, kid },
    signKeyset(keyset, { version, iat = Math.floor(Date.now() / 1000), exp = iat + DAY }) {
      const header = { alg: 'EdDSA', typ: 'enseal-keyset+jws', kid };
      const payload = { typ: 'enseal-keyset', version, iat, exp, keyset };
      const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
      return `${input}.${b64(sign(null, Buffer.from(input), privateKey))}`;
    },
  };
}

/**
 * Starts the server; `enseal` is the package's Node entry, `packageDir` its
 * browser files, `keysetVersion` the signed keyset's version. Returns the
 * public keyset, the pinned signer's public JWK and `signKeyset` (what the
 * offline signing step makes, for tests of old or replayed keysets).
 */
export async function startServer({ enseal, packageDir, port = 0, keysetVersion = 1, onIntake = () => {} }) {
  // A demo key made at start-up. A real clinic loads its keyring from a KMS or HSM.
  const key = enseal.KeyPair.generate();
  const keyring = new enseal.Keyring();
  keyring.add(key);
  const opener = new enseal.Opener(keyring);
  const keyset = enseal.Keyset.fromPublicKey(key.publicKey).toJson();
  const signer = demoSigner();
  const signedKeyset = signer.signKeyset(keyset, { version: keysetVersion });
  // JSON inside a <script> element: no `<` may close it early.
  const pins = JSON.stringify({ keys: [signer.publicJwk] }).replaceAll('<', '\\u003c');
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
    if (path === '/keyset.jws') {
      // Served from anywhere (a CDN, a static host): the page trusts the signature, not the server.
      res.writeHead(200, { 'content-type': 'application/jose' }).end(signedKeyset);
      return;
    }
    if (path === '/' || path === '/index.html') {
      const html = await readFile(join(page, 'index.html'), 'utf8');
      res.writeHead(200, { 'content-type': TYPES['.html'] }).end(html.replace(PINS_PLACEHOLDER, pins));
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
  return {
    server,
    url: `http://127.0.0.1:${server.address().port}`,
    keyset,
    signer: signer.publicJwk,
    signKeyset: (options) => signer.signKeyset(keyset, options),
  };
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

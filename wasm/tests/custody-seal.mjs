// Seals the custody test records with the npm package in Node (tests/custody/README.md):
// node custody-seal.mjs PUBLIC_JWK OUT
import { readFileSync, writeFileSync } from 'node:fs';
import { ContextTemplate, PublicKey, Sealer } from 'enseal';

const [publicJwk, out] = process.argv.slice(2);
const template = ContextTemplate.parse('custody/{by}/{i}{pointer}');
const publicKey = PublicKey.fromJwk(readFileSync(publicJwk, 'utf8'));
const lines = [];
let sealer;
for (let i = 0; i < 20; i++) {
  if (i % 5 === 0) sealer = new Sealer(publicKey); // a new session every 5 records
  const record = JSON.stringify({ by: 'js', i, ssn: `123-45-${String(i).padStart(4, '0')}`, dx: `J45.${i}` });
  lines.push(sealer.sealRecord(record, ['/ssn', '/dx'], template));
}
writeFileSync(out, lines.join('\n') + '\n');

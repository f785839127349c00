// Signed keysets (docs/FORMAT.md §10) through the package: documents signed
// outside enseal (jose-node.js, Node's crypto) verify, each refusal has its
// code, and a sealer exists only for a keyset that verified. Plain ESM with no
// Node imports: Node and headless Chromium run the same checks (run*), and
// Node asserts on the report (assert*), as checks.js does.

function codeOf(fn) {
  try {
    fn();
    return 'did not throw';
  } catch (e) {
    return e?.name === 'EnsealError' ? e.code : `not an EnsealError: ${e}`;
  }
}

/** Runs every case of `cases` (jose-node.js `signedCases`) through one entry of the package. */
export function runSigned(enseal, cases) {
  const { Keyset, Sealer, SignerPins, VerifiedKeyset } = enseal;
  const pins = SignerPins.fromJwks(cases.pins);
  const pinsFromText = SignerPins.fromJwks(JSON.stringify(cases.pins));
  const verified = Keyset.fromSigned(cases.valid, pins);
  const rotated = Keyset.fromSigned(cases.rotated, pins, { minVersion: 3 });
  const refused = {};
  const sealerRefused = {};
  for (const docs of Object.values(cases.refused)) {
    for (const [name, jws] of Object.entries(docs)) {
      refused[name] = codeOf(() => Keyset.fromSigned(jws, pins));
      sealerRefused[name] = codeOf(() => Sealer.fromSignedKeyset(jws, pins));
    }
  }
  refused.rollback = codeOf(() => Keyset.fromSigned(cases.valid, pins, { minVersion: 4 }));
  sealerRefused.rollback = codeOf(() => Sealer.fromSignedKeyset(cases.valid, pins, { minVersion: 4 }));
  const badPins = {};
  for (const docs of Object.values(cases.badPins)) {
    for (const [name, jwks] of Object.entries(docs)) badPins[name] = codeOf(() => SignerPins.fromJwks(jwks));
  }
  const sealer = Sealer.fromSignedKeyset(cases.valid, pins, { minVersion: 3, fieldLimit: 2 });
  const sealerNoOptions = Sealer.fromSignedKeyset(`${cases.valid}\n`, pins);
  return {
    pins: { kids: pins.kids, length: pins.length, fromText: pinsFromText.kids },
    verified: {
      isVerifiedKeyset: verified instanceof VerifiedKeyset,
      isKeyset: verified.keyset instanceof Keyset,
      version: verified.version,
      expires: verified.expires,
      signer: verified.signer,
      primaryKid: verified.keyset.primaryKid,
      keyset: verified.keyset.toJson(),
    },
    rotated: { version: rotated.version, signer: rotated.signer },
    sameVersion: Keyset.fromSigned(cases.valid, pins, { minVersion: 3 }).version,
    refused,
    sealerRefused,
    badPins,
    badOptions: {
      minVersionFraction: codeOf(() => Keyset.fromSigned(cases.valid, pins, { minVersion: 2.5 })),
      minVersionNegative: codeOf(() => Sealer.fromSignedKeyset(cases.valid, pins, { minVersion: -1 })),
      fieldLimitZero: codeOf(() => Sealer.fromSignedKeyset(cases.valid, pins, { fieldLimit: 0 })),
      notAString: codeOf(() => Keyset.fromSigned(42, pins)),
      pinsNotPins: codeOf(() => Keyset.fromSigned(cases.valid, cases.pins)),
    },
    limits: sealer.limits,
    sealed: [sealer.seal('078-05-1120', 'patients/1/ssn'), sealerNoOptions.seal('E11.9', 'patients/1/dx')],
  };
}

/** What `runSigned` must report for `cases`. */
export function assertSigned(r, cases, assert, label = '') {
  assert.deepEqual(r.pins, { kids: cases.kids, length: 2, fromText: cases.kids }, `${label}pins: kids are the RFC 7638 thumbprints`);
  assert.deepEqual(
    r.verified,
    { isVerifiedKeyset: true, isKeyset: true, version: 3, expires: cases.exp, signer: cases.kids[0], primaryKid: cases.primary, keyset: cases.keyset },
    `${label}verified keyset`,
  );
  assert.deepEqual(r.rotated, { version: 4, signer: cases.kids[1] }, `${label}the next pinned signer verifies too`);
  assert.equal(r.sameVersion, 3, `${label}minVersion equal to the version is accepted`);
  const expected = { rollback: 'KEYSET_ROLLBACK' };
  for (const [code, docs] of Object.entries(cases.refused)) for (const name of Object.keys(docs)) expected[name] = code;
  assert.deepEqual(r.refused, expected, `${label}Keyset.fromSigned refusals`);
  assert.deepEqual(r.sealerRefused, expected, `${label}Sealer.fromSignedKeyset refusals`);
  const pinCodes = {};
  for (const [code, docs] of Object.entries(cases.badPins)) for (const name of Object.keys(docs)) pinCodes[name] = code;
  assert.deepEqual(r.badPins, pinCodes, `${label}SignerPins.fromJwks refusals`);
  assert.deepEqual(
    r.badOptions,
    {
      minVersionFraction: 'INVALID_ARGUMENT',
      minVersionNegative: 'INVALID_ARGUMENT',
      fieldLimitZero: 'INVALID_ARGUMENT',
      notAString: 'INVALID_ARGUMENT',
      pinsNotPins: 'INVALID_ARGUMENT',
    },
    `${label}bad options`,
  );
  assert.deepEqual(r.limits, { fieldLimit: 2, maxSessionAge: 3600 }, `${label}session limits of fromSignedKeyset`);
}

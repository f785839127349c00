// Kotlin conveniences over the generated bindings: text given as String is
// UTF-8. They convert types only; core decides everything. (The error's code,
// name and detail need nothing here: the generated base class
// `EnsealException` has `code()`, `errorName()` and `detail()` from Rust.)
package org.enseal

/** Seals UTF-8 [value] bound to [context]; returns the text form ("enseal1." + base64url). */
fun Sealer.seal(value: String, context: String): String =
    seal(value.toByteArray(Charsets.UTF_8), context.toByteArray(Charsets.UTF_8))

/** Opens a text-form value sealed with [context] and decodes it as UTF-8. */
fun Opener.openString(sealed: String, context: String): String =
    openString(sealed, context.toByteArray(Charsets.UTF_8))

/**
 * Re-seals the text-form [value], sealed with the UTF-8 [context], to [to]'s key; a value
 * already on that key comes back as it is, with `alreadyCurrent`.
 */
fun Opener.reseal(value: String, context: String, to: Sealer): Resealed =
    reseal(value, context.toByteArray(Charsets.UTF_8), to)

/**
 * Verifies a signed keyset ([jws], docs/FORMAT.md §10) against [pins]; [minVersion] is the
 * highest version accepted before, when the app keeps it (a lower one is `KeysetRollback`).
 */
fun Keyset.Companion.fromSigned(jws: String, pins: SignerPins, minVersion: ULong? = null): VerifiedKeyset =
    VerifiedKeyset.fromSigned(jws, pins, minVersion)

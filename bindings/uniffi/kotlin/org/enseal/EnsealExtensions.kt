// Kotlin conveniences over the generated bindings: text is UTF-8, keyrings
// can be built from key pairs. They convert types only; core decides everything.
package org.enseal

/** Seals UTF-8 [value] bound to [context]; returns the text form ("enseal1." + base64url). */
fun Sealer.sealText(value: String, context: String): String =
    sealText(value.toByteArray(Charsets.UTF_8), context.toByteArray(Charsets.UTF_8))

/** Opens a text-form value sealed with [context] and decodes it as UTF-8. */
fun Opener.openString(sealed: String, context: String): String =
    openText(sealed, context.toByteArray(Charsets.UTF_8)).toString(Charsets.UTF_8)

/** A keyring holding [keys]. */
fun keyringOf(vararg keys: KeyPair): Keyring = Keyring().also { ring -> keys.forEach(ring::add) }

/** An opener over [keys]. */
fun openerOf(vararg keys: KeyPair): Opener = Opener(keyringOf(*keys))

/** The stable error code (the same number in every enseal binding). */
val EnsealException.errorCode: Int
    get() = when (this) {
        is EnsealException.InvalidArgument -> code
        is EnsealException.RandomnessUnavailable -> code
        is EnsealException.Internal -> code
        is EnsealException.BadPrefix -> code
        is EnsealException.BadEncoding -> code
        is EnsealException.Truncated -> code
        is EnsealException.TooLarge -> code
        is EnsealException.UnsupportedVersion -> code
        is EnsealException.UnsupportedSuite -> code
        is EnsealException.UnknownKey -> code
        is EnsealException.DecryptFailed -> code
        is EnsealException.InvalidKey -> code
        is EnsealException.InvalidKeyset -> code
        is EnsealException.KeyExpired -> code
        is EnsealException.InvalidJson -> code
        is EnsealException.InvalidPointer -> code
        is EnsealException.PathNotFound -> code
        is EnsealException.AlreadySealed -> code
        is EnsealException.NotSealed -> code
    }.toInt()

/** What went wrong, without secrets. */
val EnsealException.detail: String
    get() = when (this) {
        is EnsealException.InvalidArgument -> detail
        is EnsealException.RandomnessUnavailable -> detail
        is EnsealException.Internal -> detail
        is EnsealException.BadPrefix -> detail
        is EnsealException.BadEncoding -> detail
        is EnsealException.Truncated -> detail
        is EnsealException.TooLarge -> detail
        is EnsealException.UnsupportedVersion -> detail
        is EnsealException.UnsupportedSuite -> detail
        is EnsealException.UnknownKey -> detail
        is EnsealException.DecryptFailed -> detail
        is EnsealException.InvalidKey -> detail
        is EnsealException.InvalidKeyset -> detail
        is EnsealException.KeyExpired -> detail
        is EnsealException.InvalidJson -> detail
        is EnsealException.InvalidPointer -> detail
        is EnsealException.PathNotFound -> detail
        is EnsealException.AlreadySealed -> detail
        is EnsealException.NotSealed -> detail
    }

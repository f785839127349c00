// Signed keysets in Kotlin on the JVM, compiled against the packaged jar:
// SignerPins, Keyset.fromSigned and Sealer.fromSignedKeyset, each refusal with
// its exception and code. The documents come from the directory given as the
// argument, which `cargo xtask kotlin-test` fills with the enseal CLI from
// keys generated on every run (the bindings verify; the operator signs).
import org.enseal.*
import java.io.File

var passed = 0
var failed = 0

fun check(ok: Boolean, what: String) {
    if (ok) passed++ else { failed++; System.err.println("FAILED: $what") }
}

inline fun <reified E : EnsealException> refused(what: String, code: Int, block: () -> Unit) {
    try {
        block()
        check(false, "$what: no exception")
    } catch (e: EnsealException) {
        check(e is E, "$what: got ${e::class.simpleName}")
        check(e.code().toInt() == code, "$what: code ${e.code()}")
    }
}

fun main(args: Array<String>) {
    val dir = File(args[0])
    fun text(name: String) = File(dir, name).readText().trim()
    val signed = text("a.jws")
    val byB = text("b.jws")
    val pinsA = SignerPins.fromJwks(text("a.pins.json"))
    val pinsB = SignerPins.fromJwks(text("b.pins.json"))
    val both = SignerPins.fromJwks(text("both.pins.json"))
    val kidA = text("a.kid")
    val kidB = text("b.kid")
    check(pinsA.len() == 1UL && pinsA.kids() == listOf(kidA), "pins A")
    check(both.len() == 2UL && both.kids() == listOf(kidA, kidB), "both pins")

    // Verify, then seal to the verified primary and open with its private key.
    val verified = Keyset.fromSigned(signed, pinsA, null)
    check(verified.version() == 5UL, "version ${verified.version()}")
    check(verified.signer() == kidA, "signer")
    check(verified.expires() > (System.currentTimeMillis() / 1000).toULong(), "expires")
    val service = KeyPair.fromJwk(text("k.jwk"))
    check(verified.keyset().primaryKid() == service.kid(), "primary")
    check(Keyset.fromSigned(signed, pinsA, 5UL).version() == 5UL, "same version is no rollback")
    val sealer = Sealer.fromSignedKeyset(signed, pinsA)
    val sealed = sealer.seal("123-45-6789".toByteArray(), "ssn".toByteArray())
    val opener = Opener(Keyring().also { it.add(service) })
    check(String(opener.open(sealed, "ssn".toByteArray())) == "123-45-6789", "open")

    // Rotation: either pinned signer verifies; an unpinned one does not.
    check(Keyset.fromSigned(byB, both, null).signer() == kidB, "rotation B")
    check(Keyset.fromSigned(signed, both, null).signer() == kidA, "rotation A")

    refused<EnsealException.KeysetUnsigned>("plain keyset", 303) { Keyset.fromSigned(text("keyset.json"), pinsA, null) }
    refused<EnsealException.KeysetBadSignature>("unpinned", 304) { Keyset.fromSigned(signed, pinsB, null) }
    refused<EnsealException.KeysetBadSignature>("B under A", 304) { Keyset.fromSigned(byB, pinsA, null) }
    val last = signed.length - 4
    val tampered = signed.substring(0, last) + (if (signed[last] == 'A') 'B' else 'A') + signed.substring(last + 1)
    refused<EnsealException.KeysetBadSignature>("tampered", 304) { Keyset.fromSigned(tampered, pinsA, null) }
    refused<EnsealException.KeysetRollback>("rollback", 306) { Keyset.fromSigned(signed, pinsA, 6UL) }
    refused<EnsealException.KeysetRollback>("sealer rollback", 306) { Sealer.fromSignedKeyset(signed, pinsA, 6UL) }
    refused<EnsealException.KeysetUnsigned>("sealer plain", 303) { Sealer.fromSignedKeyset(text("keyset.json"), pinsA) }
    refused<EnsealException.InvalidKeyset>("empty pins", 301) { SignerPins.fromJwks("{\"keys\":[]}") }
    refused<EnsealException.InvalidKeyset>("private pins", 301) { SignerPins.fromJwks("{\"keys\":[${text("a.jwk")}]}") }

    println("SignedKeysetTest: $passed passed, $failed failed")
    if (failed != 0) kotlin.system.exitProcess(1)
}

// The Kotlin binding on a JVM, compiled against the packaged jar as a user's
// code is: the shared vectors (same plaintexts, same error codes), round trips
// per suite, Sealed, keysets, documents, batches, errors and threads.
import org.enseal.*
import java.io.File
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

var passed = 0
var failed = 0

fun check(ok: Boolean, what: String) {
    if (ok) passed++ else { failed++; System.err.println("FAILED: $what") }
}

fun hex(s: String): ByteArray = ByteArray(s.length / 2) { i -> s.substring(2 * i, 2 * i + 2).toInt(16).toByte() }

inline fun <reified E : EnsealException> expect(what: String, block: () -> Unit) {
    try {
        block()
        check(false, "$what: no exception")
    } catch (e: EnsealException) {
        check(e is E, "$what: got ${e::class.simpleName}")
    }
}

fun codeOf(e: EnsealException): Int = e.code().toInt()

fun keyringOf(vararg keys: KeyPair): Keyring = Keyring().also { ring -> keys.forEach { ring.add(it) } }

fun openerOf(vararg keys: KeyPair): Opener = Opener(keyringOf(*keys))

fun vectors(path: String) {
    val lines = File(path).readLines().map { it.split('\t') }
    val suites = mapOf(32 to Suite.X25519, 16 to Suite.P256, 25722 to Suite.X_WING)
    val ring = Keyring()
    for (f in lines.filter { it[0] == "key" }) {
        val pair = KeyPair.fromPrivateBytes(suites.getValue(f[1].toInt()), hex(f[2]))
        check(pair.kid() == f[3], "kid of suite ${f[1]}")
        ring.add(pair)
    }
    val opener = Opener(ring)
    var positives = 0
    for (f in lines.filter { it[0] == "pos" }) {
        val (ctx, pt) = hex(f[1]) to hex(f[2])
        check(opener.openBinary(hex(f[3]), ctx).contentEquals(pt), "positive binary ${f[1]}")
        check(opener.open(f[4], ctx).contentEquals(pt), "positive text ${f[1]}")
        val parsed = Sealed.parse(f[4])
        check(opener.open(parsed, ctx).contentEquals(pt), "positive Sealed ${f[1]}")
        check(parsed.toBinary().contentEquals(hex(f[3])) && Sealed.fromBinary(hex(f[3])).toText() == f[4], "Sealed forms ${f[1]}")
        check(isSealed(f[4]), "isSealed ${f[1]}")
        positives++
    }
    var negatives = 0
    for (f in lines.filter { it[0] == "neg" }) {
        val (name, kind, sealed, ctx, error, code) = Sextuple(f[1], f[2], f[3], hex(f[4]), f[5], f[6].toInt())
        try {
            if (kind == "text") opener.open(String(hex(sealed), Charsets.UTF_8), ctx) else opener.openBinary(hex(sealed), ctx)
            check(false, "$name opened")
        } catch (e: EnsealException) {
            check(codeOf(e) == code, "$name: code ${codeOf(e)} != $code")
            check(e.errorName() == error, "$name: ${e.errorName()} != $error")
            check(e::class.simpleName!!.uppercase() == error.replace("_", ""), "$name: ${e::class.simpleName} != $error")
        }
        negatives++
    }
    println("vectors: opened $positives positive cases, rejected $negatives negative cases")
}

data class Sextuple(val a: String, val b: String, val c: String, val d: ByteArray, val e: String, val f: Int)

fun api() {
    for (suite in Suite.values()) {
        val key = KeyPair.generate(suite)
        val sealer = Sealer(key.publicKey())
        val opener = openerOf(key)
        val sealed = sealer.seal("123-45-6789", "patients/8812/ssn")
        check(sealed.startsWith("enseal1.") && isSealed(sealed), "$suite text form")
        check(opener.openString(sealed, "patients/8812/ssn") == "123-45-6789", "$suite round trip")
        expect<EnsealException.DecryptFailed>("$suite wrong context") { opener.openString(sealed, "patients/8813/ssn") }
        val fromJwk = PublicKey.fromJwk(key.publicKey().toJwk())
        check(fromJwk.kid() == key.kid(), "$suite JWK round trip")
        check(PublicKey.fromBytes(suite, key.publicKey().toBytes()).kid() == key.kid(), "$suite bytes round trip")
        check(KeyPair.fromPrivateBytes(suite, key.privateBytes()).kid() == key.kid(), "$suite private bytes")
        val parsed = Sealed.parse(sealed)
        check(parsed.kid() == key.kid() && parsed.suite() == suite && parsed.version().toInt() == 1, "$suite Sealed names its key")
        check(parsed.plaintextLen() == 11uL && parsed.textLen() == sealed.length.toULong(), "$suite Sealed lengths")
        check(opener.openString(parsed, "patients/8812/ssn".toByteArray()) == "123-45-6789", "$suite openString takes a Sealed")
        check(opener.open(parsed, "patients/8812/ssn".toByteArray()).contentEquals("123-45-6789".toByteArray()), "$suite open takes a Sealed")
        val binary = sealer.sealBinary("x".toByteArray(), "c".toByteArray())
        val second = Sealed.fromBinary(binary)
        check(second.sessionId() == parsed.sessionId() && second.counter() == 1uL, "$suite one session, counted")
        check(second.binaryLen() == binary.size.toULong(), "$suite binary length")
        check(opener.openBinary(binary, "c".toByteArray()).contentEquals("x".toByteArray()), "$suite binary round trip")
        check(KeyPair.fromJwk(key.toJwk()).kid() == key.kid(), "$suite private JWK round trip")
    }
    val key = KeyPair.generate(Suite.X25519)
    val sealer = Sealer.withFieldLimit(key.publicKey(), 5uL)
    val opener = openerOf(key)
    val doc = """{"name":"Ada","ssn":"123-45-6789","visits":[{"dx":"F32.1"},{"dx":"J45"}]}"""
    val sealedDoc = sealer.sealJson(doc, listOf("/ssn", "/visits/*/dx"), "patient-8812")
    check(!sealedDoc.contains("123-45-6789") && !sealedDoc.contains("F32.1"), "document sealed")
    val fields = listOf("/ssn", "/visits/*/dx")
    check(opener.openJson(sealedDoc, fields, "patient-8812") == doc, "document opened")
    check(opener.openJsonAll(sealedDoc, "patient-8812") == doc, "document opened everywhere")
    expect<EnsealException.DecryptFailed>("other record") { opener.openJson(sealedDoc, fields, "patient-8813") }
    expect<EnsealException.PathNotFound>("missing path") { sealer.sealJson(doc, listOf("/visits/*/x"), null) }
    expect<EnsealException.AlreadySealed>("sealed twice") { sealer.sealJson(sealedDoc, listOf("/ssn"), null) }
    expect<EnsealException.InvalidJson>("member named twice") {
        sealer.sealJson("{\"ssn\":\"1\",\"ssn\":\"2\"}", listOf("/ssn"), null)
    }
    val exact = "{\"acct\":12345678901234567890123,\"rate\":0.10}"
    val numbers = listOf("/acct", "/rate")
    check(opener.openJson(sealer.sealJson(exact, numbers, "r"), numbers, "r") == exact, "numbers kept as written")
    expect<EnsealException.BadPrefix>("not sealed") { opener.openString("hello", "c") }
    expect<EnsealException.InvalidKey>("bad JWK") { KeyPair.fromJwk("""{"kty":"RSA"}""") }
    expect<EnsealException.InvalidArgument>("batch lengths") { sealer.sealBatch(listOf(byteArrayOf(1)), listOf()) }
    val values = (0 until 500).map { "%09d".format(it).toByteArray() }
    val contexts = (0 until 500).map { "rows/$it/ssn".toByteArray() }
    val batch = opener.openBatch(sealer.sealBatch(values, contexts), contexts)
    check(batch.zip(values).all { (a, b) -> a.contentEquals(b) }, "batch round trip")
    val column = listOf("patients.ssn".toByteArray())
    val sealedColumn = sealer.sealBatch(values, column)
    check(opener.openBatch(sealedColumn, column).zip(values).all { (a, b) -> a.contentEquals(b) }, "one context for a column")
    expect<EnsealException.DecryptFailed>("column under other contexts") { opener.openBatch(sealedColumn, contexts) }
    expect<EnsealException.InvalidArgument>("two contexts for 500") { sealer.sealBatch(values, contexts.take(2)) }
    val pool = Executors.newFixedThreadPool(8)
    val futures = (0 until 400).map { i -> pool.submit<Boolean> { opener.openString(sealer.seal("v$i", "c"), "c") == "v$i" } }
    check(futures.all { it.get() }, "8 threads sharing a sealer and an opener")
    pool.shutdown()
    pool.awaitTermination(10, TimeUnit.SECONDS)
    check(aesBackend().name in setOf("ring", "aes-gcm"), "aes backend")
    check(libraryVersion() == "0.1.0", "library version")
    check(jsonContext("/ssn", "r").contentEquals(jsonContext("/ssn", recordId = "r")) && !jsonContext("/ssn").contentEquals(jsonContext("/ssn", "r")), "json context")
    // A batch error keeps the failing value's code and names its index.
    val broken = sealedColumn.toMutableList().also { it[17] = sealer.seal("17", "elsewhere") }
    try {
        opener.openBatch(broken, column)
        check(false, "broken batch opened")
    } catch (e: EnsealException.DecryptFailed) {
        check(e.code.toInt() == 201 && e.detail.contains("17") && e.detail() == e.detail, "batch error: ${e.detail}")
    }
}

/** The security review's fixes: expiry while in use, padding, opening by pointers, strict pointers. */
fun reviewFixes() {
    val key = KeyPair.generate(Suite.X25519)
    val now = System.currentTimeMillis() / 1000
    val jwk = key.publicKey().toJwk().trimEnd('}')
    val keyset = Keyset.fromJson(
        """{"primary":"${key.kid()}","keys":[$jwk,"suite":"X25519","created":${now - 10},"not_after":${now + 1}}]}"""
    )
    val expiring = Sealer.fromKeyset(keyset)
    check(expiring.notAfter() == (now + 1).toULong(), "keyset sealer knows its not_after")
    check(openerOf(key).openString(expiring.seal("in time", "c"), "c") == "in time", "seals before not_after")
    Thread.sleep(maxOf(0L, (now + 2) * 1000 + 200 - System.currentTimeMillis()))
    expect<EnsealException.KeyExpired>("seal after not_after") { expiring.seal("late", "c") }
    expect<EnsealException.KeyExpired>("rekey after not_after") { expiring.rekey() }
    expect<EnsealException.KeyExpired>("new sealer after not_after") { Sealer.fromKeyset(keyset) }

    val sealer = Sealer(key.publicKey())
    val opener = openerOf(key)
    sealer.rekey()
    val lengths = listOf("true", "false", "null", "\"123-45-6789\"").map {
        sealer.sealJson("{\"hiv\":$it}", listOf("/hiv"), null).length
    }
    check(lengths.toSet().size == 1, "short values seal to one length: $lengths")
    val unpadded = listOf("true", "false").map { sealer.sealJson("{\"hiv\":$it}", listOf("/hiv"), padTo = 0u).length }
    check(unpadded[0] + 1 == unpadded[1], "pad 0 leaves lengths as they were")
    val sealed = sealer.sealJson("""{"ssn":"123-45-6789","memo":"x"}""", listOf("/ssn"), "r")
    val planted = sealed.replace("\"x\"", "\"enseal1.hello\"")
    check(opener.openJson(planted, listOf("/ssn"), "r").contains("enseal1.hello"), "strings elsewhere stay")
    expect<EnsealException.NotSealed>("clear protected field") {
        opener.openJson("""{"ssn":"123-45-6789"}""", listOf("/ssn"), "r")
    }
    try {
        opener.openJson("""{"ssn":"123-45-6789"}""", listOf("/ssn"), "r")
    } catch (e: EnsealException) {
        check(e.code().toInt() == 404 && e.errorName() == "NOT_SEALED" && !e.detail().contains("123-45-6789"), "NOT_SEALED is 404, no value in it")
    }
    expect<EnsealException.InvalidPointer>("* on an object") { sealer.sealJson("""{"o":{"i":1}}""", listOf("/o/*"), null) }
    expect<EnsealException.InvalidPointer>("overlap") { sealer.sealJson("""{"o":{"i":1}}""", listOf("/o", "/o/i"), null) }
    expect<EnsealException.InvalidKey>("all-zero X25519 key") { PublicKey.fromBytes(Suite.X25519, ByteArray(32)) }
}

/** Keysets built and rotated from Kotlin: add, promote, retire, through JSON, then a sealer seals to the new primary. */
fun keysets() {
    val (first, second) = KeyPair.generate(Suite.X25519) to KeyPair.generate(Suite.P256)
    val keyset = Keyset.fromPublicKey(first.publicKey(), created = 1_700_000_000uL)
    check(keyset.len() == 1uL && keyset.primaryKid() == first.kid(), "one-key keyset")
    keyset.add(second.publicKey(), notAfter = 4_000_000_000uL)
    keyset.promote(second.kid())
    val entries = keyset.entries()
    check(entries.map { it.kid } == listOf(first.kid(), second.kid()), "entries in order")
    check(entries[0].created == 1_700_000_000uL && entries[0].notAfter == null && entries[1].notAfter == 4_000_000_000uL, "entry dates")
    check(entries[1].suite == Suite.P256 && entries[1].publicKey.kid() == second.kid(), "entry key")
    val fetched = Keyset.fromJson(keyset.toJson())
    check(fetched.primaryKid() == second.kid() && fetched.len() == 2uL, "keyset through JSON")
    val sealed = Sealer.fromKeyset(fetched).seal("v", "c")
    check(Sealed.parse(sealed).kid() == second.kid(), "sealed to the new primary")
    check(openerOf(second).openString(sealed, "c") == "v", "opens with the new key")
    expect<EnsealException.InvalidKeyset>("retire the primary") { keyset.retire(second.kid()) }
    keyset.retire(first.kid())
    check(keyset.entries().map { it.kid } == listOf(second.kid()), "retired")
    val ring = Keyring()
    check(ring.add(first) && !ring.add(first) && ring.len() == 1uL, "a key added twice is there once")
    check(ring.copy().len() == 1uL && Keyring.fromJwks(ring.toJwks()).kids() == listOf(first.kid()), "keyring copy and JWKS")
    expect<EnsealException.BadPrefix>("Sealed.parse of clear text") { Sealed.parse("hello") }
    expect<EnsealException.Truncated>("Sealed.fromBinary of two bytes") { Sealed.fromBinary(byteArrayOf(1, 0)) }
    expect<EnsealException.InvalidArgument>("not UTF-8") { openerOf(first).openString(Sealer(first.publicKey()).seal(byteArrayOf(-1), "c".toByteArray()), "c") }
}

fun main(args: Array<String>) {
    if (args.firstOrNull() == "--smoke") {
        val key = KeyPair.generate(Suite.X25519)
        check(openerOf(key).openString(Sealer(key.publicKey()).seal("123-45-6789", "ssn"), "ssn") == "123-45-6789", "smoke")
        println("kotlin smoke (library from the jar): $passed passed, $failed failed")
        if (failed > 0) kotlin.system.exitProcess(1)
        return
    }
    vectors(args[0])
    keysets()
    api()
    reviewFixes()
    println("kotlin: $passed passed, $failed failed")
    if (failed > 0) kotlin.system.exitProcess(1)
}

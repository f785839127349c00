// The Kotlin binding on a JVM: the shared vectors (same plaintexts, same error
// codes), round trips per suite, documents, batches, errors and threads.
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

fun codeOf(e: EnsealException): Int = e.errorCode

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
        check(opener.open(hex(f[3]), ctx).contentEquals(pt), "positive binary ${f[1]}")
        check(opener.openText(f[4], ctx).contentEquals(pt), "positive text ${f[1]}")
        check(isSealed(f[4]), "isSealed ${f[1]}")
        positives++
    }
    var negatives = 0
    for (f in lines.filter { it[0] == "neg" }) {
        val (name, kind, sealed, ctx, error, code) = Sextuple(f[1], f[2], f[3], hex(f[4]), f[5], f[6].toInt())
        try {
            if (kind == "text") opener.openText(String(hex(sealed), Charsets.UTF_8), ctx) else opener.open(hex(sealed), ctx)
            check(false, "$name opened")
        } catch (e: EnsealException) {
            check(codeOf(e) == code, "$name: code ${codeOf(e)} != $code")
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
        val sealed = sealer.sealText("123-45-6789", "patients/8812/ssn")
        check(sealed.startsWith("enseal1.") && isSealed(sealed), "$suite text form")
        check(opener.openString(sealed, "patients/8812/ssn") == "123-45-6789", "$suite round trip")
        expect<EnsealException.DecryptFailed>("$suite wrong context") { opener.openString(sealed, "patients/8813/ssn") }
        val fromJwk = PublicKey.fromJwk(key.publicKey().toJwk())
        check(fromJwk.kid() == key.kid(), "$suite JWK round trip")
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
    expect<EnsealException.InvalidArgument>("batch lengths") { sealer.sealTextBatch(listOf(byteArrayOf(1)), listOf()) }
    val values = (0 until 500).map { "%09d".format(it).toByteArray() }
    val contexts = (0 until 500).map { "rows/$it/ssn".toByteArray() }
    val batch = opener.openTextBatch(sealer.sealTextBatch(values, contexts), contexts)
    check(batch.zip(values).all { (a, b) -> a.contentEquals(b) }, "batch round trip")
    val column = listOf("patients.ssn".toByteArray())
    val sealedColumn = sealer.sealTextBatch(values, column)
    check(opener.openTextBatch(sealedColumn, column).zip(values).all { (a, b) -> a.contentEquals(b) }, "one context for a column")
    expect<EnsealException.DecryptFailed>("column under other contexts") { opener.openTextBatch(sealedColumn, contexts) }
    expect<EnsealException.InvalidArgument>("two contexts for 500") { sealer.sealTextBatch(values, contexts.take(2)) }
    val pool = Executors.newFixedThreadPool(8)
    val futures = (0 until 400).map { i -> pool.submit<Boolean> { opener.openString(sealer.sealText("v$i", "c"), "c") == "v$i" } }
    check(futures.all { it.get() }, "8 threads sharing a sealer and an opener")
    pool.shutdown()
    pool.awaitTermination(10, TimeUnit.SECONDS)
    check(aesBackend().name in setOf("ring", "aes-gcm"), "aes backend")
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
    check(openerOf(key).openString(expiring.sealText("in time", "c"), "c") == "in time", "seals before not_after")
    Thread.sleep(maxOf(0L, (now + 2) * 1000 + 200 - System.currentTimeMillis()))
    expect<EnsealException.KeyExpired>("seal after not_after") { expiring.sealText("late", "c") }
    expect<EnsealException.KeyExpired>("rekey after not_after") { expiring.rekey() }
    expect<EnsealException.KeyExpired>("new sealer after not_after") { Sealer.fromKeyset(keyset) }

    val sealer = Sealer(key.publicKey())
    val opener = openerOf(key)
    sealer.rekey()
    val lengths = listOf("true", "false", "null", "\"123-45-6789\"").map {
        sealer.sealJson("{\"hiv\":$it}", listOf("/hiv"), null).length
    }
    check(lengths.toSet().size == 1, "short values seal to one length: $lengths")
    val unpadded = listOf("true", "false").map { sealer.sealJsonPadded("{\"hiv\":$it}", listOf("/hiv"), null, 0u).length }
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
        check(e.errorCode == 404 && !e.detail.contains("123-45-6789"), "NOT_SEALED is 404, no value in it")
    }
    expect<EnsealException.InvalidPointer>("* on an object") { sealer.sealJson("""{"o":{"i":1}}""", listOf("/o/*"), null) }
    expect<EnsealException.InvalidPointer>("overlap") { sealer.sealJson("""{"o":{"i":1}}""", listOf("/o", "/o/i"), null) }
    expect<EnsealException.InvalidKey>("all-zero X25519 key") { PublicKey.fromBytes(Suite.X25519, ByteArray(32)) }
}

fun main(args: Array<String>) {
    vectors(args[0])
    api()
    reviewFixes()
    println("kotlin: $passed passed, $failed failed")
    if (failed > 0) kotlin.system.exitProcess(1)
}

// The Kotlin binding on a JVM, compiled against the packaged jar as a user's
// code is: the shared vectors (same plaintexts, same error codes), round trips
// per suite, Sealed, keysets, documents, batches, errors and threads; context
// templates (every shared case), records, re-sealing, session limits, audit.
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

/** What a service that stores sealed fields checks with no private key: sealed, to a key of the keyset, not past its not_after. */
fun checkSealed() {
    val (primary, old, outside) = Triple(KeyPair.generate(Suite.X25519), KeyPair.generate(Suite.P256), KeyPair.generate(Suite.X25519))
    val keyset = Keyset.fromPublicKey(primary.publicKey())
    keyset.add(old.publicKey(), created = 1_600_000_000uL, notAfter = 1_700_000_000uL)
    val sealed = Sealer(primary.publicKey()).seal("123-45-6789", "ssn")
    val checked = keyset.checkSealed(sealed)
    check(checked.kid() == primary.kid() && checked.toText() == sealed, "checkSealed: accepted and parsed")
    fun refused(what: String, text: String, want: String) = try {
        keyset.checkSealed(text)
        check(false, "checkSealed $what: accepted")
    } catch (e: EnsealException) {
        check(e.errorName() == want && !e.detail().contains("123-45-6789") && !(e.message ?: "").contains("123-45-6789"), "checkSealed $what: ${e.errorName()}")
    }
    refused("past not_after", Sealer(old.publicKey()).seal("123-45-6789", "ssn"), "KEY_EXPIRED")
    refused("a key outside the keyset", Sealer(outside.publicKey()).seal("123-45-6789", "ssn"), "UNKNOWN_KEY")
    refused("a clear value", "123-45-6789", "BAD_PREFIX")
    refused("a truncated value", sealed.take(32), "TRUNCATED")
}

fun text(hexed: String): String = String(hex(hexed), Charsets.UTF_8)

/** Every case of tests/vectors/context-templates.json: from the record's JSON, and from a map of its top-level fields. */
fun templateVectors(path: String) {
    var fromJson = 0
    var fromMap = 0
    for (f in File(path).readLines().map { it.split('\t') }.filter { it[0] == "tpl" }) {
        val (template, record, pointer) = Triple(text(f[1]), text(f[2]), text(f[3]))
        val (context, error) = hex(f[4]) to f[5]
        val fields = if (f[6].isEmpty()) emptyMap() else f[6].split(';').associate { pair ->
            val (k, v) = pair.split('=')
            text(k) to text(v)
        }
        fun outcome(render: (ContextTemplate) -> ByteArray): Any = try {
            render(ContextTemplate.parse(template))
        } catch (e: EnsealException) {
            e
        }
        fun matches(got: Any): Boolean =
            if (error.isEmpty()) got is ByteArray && got.contentEquals(context)
            else got is EnsealException.InvalidTemplate && got.errorName() == error && got.code().toInt() == 405
        check(matches(outcome { it.renderJson(record, pointer) }), "template $template over $record: renderJson")
        fromJson++
        val nested = try { ContextTemplate.parse(template).fields().any { it.startsWith("/") } } catch (e: EnsealException) { false }
        if (!nested) {
            check(matches(outcome { it.render(pointer, fields) }), "template $template over $fields: render")
            fromMap++
        }
    }
    check(fromJson == 26 && fromMap >= 20, "template cases: $fromJson from JSON, $fromMap from a map")
    println("templates: $fromJson shared cases rendered from JSON, $fromMap from a map")
}

fun records() {
    val template = ContextTemplate.parse("patients/{id}{pointer}")
    check(template.toString() == "patients/{id}{pointer}" && template.fields() == listOf("id") && template.hasPointer(), "template text, fields, pointer")
    check(!ContextTemplate.parse("patients/{id}/ssn").hasPointer(), "a template without {pointer}")
    val key = KeyPair.generate(Suite.X25519)
    val sealer = Sealer(key.publicKey())
    val opener = openerOf(key)
    val record = """{"id":8812,"ssn":"123-45-6789","visits":[{"dx":"F32.1"},{"dx":"J45"}]}"""
    val pointers = listOf("/ssn", "/visits/*/dx")
    val sealed = sealer.sealRecord(record, pointers, template)
    check(!sealed.contains("123-45-6789") && !sealed.contains("F32.1"), "record sealed")
    check(opener.openRecord(sealed, pointers, template) == record, "record opened by pointer")
    check(opener.openRecordAll(sealed, template) == record, "record opened everywhere")
    val unpadded = sealer.sealRecord(record, pointers, template, padTo = 0u)
    check(unpadded.length < sealed.length && opener.openRecordAll(unpadded, template) == record, "padTo 0")
    expect<EnsealException.DecryptFailed>("a value under another record's id") {
        opener.openRecord(sealed.replaceFirst("\"id\":8812", "\"id\":8813"), listOf("/ssn"), template)
    }
    expect<EnsealException.InvalidTemplate>("a record without the field") { sealer.sealRecord("""{"ssn":"1"}""", listOf("/ssn"), template) }
    expect<EnsealException.InvalidTemplate>("sealing a field the template reads") { sealer.sealRecord(record, listOf("/id"), template) }
    expect<EnsealException.InvalidTemplate>("two values, no {pointer}") { sealer.sealRecord(record, pointers, ContextTemplate.parse("p/{id}")) }
    expect<EnsealException.InvalidTemplate>("malformed template") { ContextTemplate.parse("p/{id") }
    expect<EnsealException.NotSealed>("opening a clear record") { opener.openRecord(record, listOf("/ssn"), template) }
    expect<EnsealException.InvalidJson>("not JSON") { sealer.sealRecord("{", listOf("/ssn"), template) }

    // Re-sealing: old key to new key.
    val (old, new) = KeyPair.generate(Suite.X25519) to KeyPair.generate(Suite.P256)
    val both = openerOf(old, new)
    val onlyNew = openerOf(new)
    val toNew = Sealer(new.publicKey())
    val onOld = Sealer(old.publicKey()).seal("123-45-6789", "patients/8812/ssn")
    val moved = both.reseal(onOld, "patients/8812/ssn", toNew)
    check(!moved.alreadyCurrent && Sealed.parse(moved.text).kid() == new.kid() && Sealed.parse(onOld).kid() == old.kid(), "re-sealed to the new kid")
    check(onlyNew.openString(moved.text, "patients/8812/ssn") == "123-45-6789", "opens with only the new key")
    val again = both.reseal(moved.text, "patients/8812/ssn".toByteArray(), toNew)
    check(again.alreadyCurrent && again.text == moved.text, "a current value is left as it is")
    check(Opener(Keyring()).reseal(moved.text, "any", toNew).alreadyCurrent, "current is decided without a key")
    expect<EnsealException.UnknownKey>("the old key gone") { onlyNew.reseal(onOld, "patients/8812/ssn", toNew) }
    expect<EnsealException.DecryptFailed>("re-seal with the wrong context") { both.reseal(onOld, "patients/8813/ssn", toNew) }
    val oldRecord = Sealer(old.publicKey()).sealRecord(record, pointers, template)
    val done = both.resealRecord(oldRecord, pointers, template, toNew)
    check(done.resealed == 3uL && done.alreadyCurrent == 0uL, "record: 3 re-sealed (${done.resealed}, ${done.alreadyCurrent})")
    check(onlyNew.openRecord(done.json, pointers, template) == record, "re-sealed record opens with the new key")
    val rerun = both.resealRecordAll(done.json, template, toNew)
    check(rerun.resealed == 0uL && rerun.alreadyCurrent == 3uL && rerun.json == done.json, "a second run changes nothing")
    expect<EnsealException.UnknownKey>("record with the old key gone") { onlyNew.resealRecordAll(oldRecord, template, toNew) }

    // Session limits.
    check(sealer.limits() == SessionLimits(maxFields = 1uL shl 32, maxAge = 3600uL), "default limits: ${sealer.limits()}")
    check(Sealer(key.publicKey(), maxSessionAge = 60uL).limits().maxAge == 60uL, "max session age read back")
    check(Sealer.withFieldLimit(key.publicKey(), 10uL, maxSessionAge = 5uL).limits() == SessionLimits(10uL, 5uL), "both limits")
    check(Sealer.fromKeyset(Keyset.fromPublicKey(key.publicKey()), maxSessionAge = 120uL).limits().maxAge == 120uL, "keyset sealer max age")
    expect<EnsealException.InvalidArgument>("max session age 0") { Sealer(key.publicKey(), maxSessionAge = 0uL) }
    expect<EnsealException.InvalidArgument>("max session age 0 with a field limit") { Sealer.withFieldLimit(key.publicKey(), 3uL, 0uL) }
    expect<EnsealException.InvalidArgument>("keyset sealer max session age 0") { Sealer.fromKeyset(Keyset.fromPublicKey(key.publicKey()), 0uL) }
}

/** An audit sink in Kotlin: keeps every event, and throws on opens when told to. */
class Collect(private val failOpens: Boolean = false) : AuditSink {
    val events: MutableList<AuditEvent> = java.util.Collections.synchronizedList(mutableListOf())
    override fun record(event: AuditEvent): Boolean {
        events.add(event)
        if (failOpens && event.operation == "open") throw IllegalStateException("audit backend down")
        return true
    }
}

/** Sinks that fail in the ways uniffi does not catch, or do not acknowledge. */
class Throws(private val what: String) : AuditSink {
    override fun record(event: AuditEvent): Boolean = when (what) {
        "assert" -> throw AssertionError("sink bug")
        "todo" -> TODO("sink not written")
        else -> false
    }
}

fun audit() {
    val secret = "123-45-6789"
    val key = KeyPair.generate(Suite.X25519)
    val sealer = Sealer(key.publicKey())
    val sealed = sealer.seal(secret, "patients/8812/ssn")
    val session = Sealed.parse(sealed).sessionId()
    // A java.lang.Error (which uniffi's Kotlin glue does not catch) or a
    // sink that does not acknowledge must fail the open, never let it through.
    for (what in listOf("assert", "todo", "false")) {
        val failing = Opener.withAudit(keyringOf(key), Throws(what), "svc")
        expect<EnsealException.AuditFailed>("sink '$what' fails the open closed") { failing.openString(sealed, "patients/8812/ssn") }
    }
    val sink = Collect()
    val opener = Opener.withAudit(keyringOf(key), sink, "billing-service")
    check(opener.openString(sealed, "patients/8812/ssn") == secret, "audited open")
    expect<EnsealException.DecryptFailed>("audited failed open") { opener.openString(sealed, "patients/8813/ssn") }
    expect<EnsealException.BadPrefix>("audited open of clear text") { opener.openString("hello", "c") }
    val seen = sink.events.map { Triple(it.operation, it.error, it.context?.let { c -> String(c) }) }
    check(
        seen == listOf(
            Triple("decapsulate", null, null),
            Triple("open", null, "patients/8812/ssn"),
            Triple("open", "DECRYPT_FAILED", "patients/8813/ssn"),
            Triple("open", "BAD_PREFIX", "c"),
        ),
        "events: $seen",
    )
    check(sink.events.take(3).all { it.kid == key.kid() && it.suite == Suite.X25519 && it.sessionId == session && it.actor == "billing-service" && it.time > 1_700_000_000uL }, "event fields")
    check(sink.events[3].kid == null && sink.events[3].sessionId == null, "an unparsed value has no kid")
    check(sink.events.none { e -> e.toString().contains(secret) || (e.context?.let { String(it).contains(secret) } ?: false) }, "no plaintext in events")
    val refusing = Opener.withAudit(keyringOf(key), Collect(failOpens = true), "svc")
    try {
        refusing.openString(sealed, "patients/8812/ssn")
        check(false, "a throwing sink let the open through")
    } catch (e: EnsealException.AuditFailed) {
        check(e.detail().contains("audit sink did not record the event") && !e.detail().contains(secret), "fails closed: ${e.detail()}")
    }
    expect<EnsealException.AuditFailed>("throwing sink, document open") {
        refusing.openJsonAll(sealer.sealJson("{\"ssn\":\"$secret\"}", listOf("/ssn"), null), null)
    }

    // The hash-chained file, written from Kotlin, verified, then tampered with.
    val dir = java.nio.file.Files.createTempDirectory("enseal-audit")
    val path = dir.resolve("audit.jsonl").toString()
    val log = AuditLog.open(path)
    for (actor in listOf("alice", "bob")) {
        val o = Opener.withAuditLog(keyringOf(key), log, actor)
        repeat(3) { i -> check(o.openString(sealer.seal("$secret-$i", "rows/$i"), "rows/$i") == "$secret-$i", "log open") }
        expect<EnsealException.DecryptFailed>("log failed open") { o.openString(sealed, "wrong") }
    }
    log.flush()
    val report = verifyAuditLog(path)
    check(report.intact && report.problem == null && report.events == 10uL && report.failures == 2uL, "log verifies: $report")
    check(report.perActor == mapOf("alice" to 5uL, "bob" to 5uL) && report.perKid == mapOf(key.kid() to 10uL), "log counts: $report")
    val lines = File(path).readLines()
    check(lines.size == 10 && lines.none { it.contains(secret) } && report.lastHash.length == 64, "log lines")
    val tampered = mapOf(
        "deleted" to lines.filterIndexed { i, _ -> i != 4 },
        "edited" to lines.mapIndexed { i, l -> if (i == 4) l.replace("\"actor\":\"alice\"", "\"actor\":\"mallory\"") else l },
        "reordered" to lines.toMutableList().also { it[4] = lines[5]; it[5] = lines[4] },
    )
    for ((how, changed) in tampered) {
        val copy = dir.resolve("$how.jsonl").toFile()
        check(changed != lines, "$how: the file changed")
        copy.writeText(changed.joinToString("\n", postfix = "\n"))
        val broken = verifyAuditLog(copy.path)
        check(!broken.intact && broken.problem?.line == 5uL && broken.events == 4uL, "$how line is caught: $broken")
        expect<EnsealException.InvalidArgument>("$how log refused for appending") { AuditLog.open(copy.path) }
    }
    expect<EnsealException.InvalidArgument>("missing log") { verifyAuditLog(dir.resolve("missing.jsonl").toString()) }
    dir.toFile().deleteRecursively()
}

/** An Ed25519 JWS signer from the JDK alone (java.security), independent of enseal. */
class JdkSigner {
    private val pair = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair()
    private val b64 = java.util.Base64.getUrlEncoder().withoutPadding()
    // The X.509 SubjectPublicKeyInfo of an Ed25519 key ends with the 32 raw bytes.
    val x: String = b64.encodeToString(pair.public.encoded.takeLast(32).toByteArray())
    val kid: String = b64.encodeToString(
        java.security.MessageDigest.getInstance("SHA-256")
            .digest("{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"$x\"}".toByteArray()),
    )
    fun pin(): String = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"$x\"}"

    fun sign(keyset: String, version: Int = 1, iat: Long = 1_700_000_000, exp: Long = 4_000_000_000, alg: String = "EdDSA", asKid: String = kid): String {
        val header = "{\"alg\":\"$alg\",\"typ\":\"enseal-keyset+jws\",\"kid\":\"$asKid\"}"
        val payload = "{\"typ\":\"enseal-keyset\",\"version\":$version,\"iat\":$iat,\"exp\":$exp,\"keyset\":$keyset}"
        val input = b64.encodeToString(header.toByteArray()) + "." + b64.encodeToString(payload.toByteArray())
        val signature = java.security.Signature.getInstance("Ed25519").run {
            initSign(pair.private)
            update(input.toByteArray())
            sign()
        }
        return input + "." + b64.encodeToString(signature)
    }
}

/** Signed keysets from Kotlin: a JDK-signed JWS verifies and seals; each refusal has its own exception. */
fun signedKeysets() {
    val key = KeyPair.generate(Suite.X25519)
    val document = Keyset.fromPublicKey(key.publicKey()).toJson()
    val signer = JdkSigner()
    val pins = SignerPins.fromJwks("{\"keys\":[${signer.pin()}]}")
    check(pins.len() == 1uL && pins.kids() == listOf(signer.kid), "pins")
    val verified = Keyset.fromSigned(signer.sign(document, version = 5), pins)
    check(verified.version() == 5uL && verified.signer() == signer.kid, "verified version and signer")
    check(verified.keyset().primaryKid() == key.kid(), "verified keyset")
    val sealer = Sealer.fromSignedKeyset(signer.sign(document, version = 5), pins, minVersion = 5uL)
    check(openerOf(key).openString(sealer.seal("123-45-6789", "ssn"), "ssn") == "123-45-6789", "sealed to the signed primary")
    val attacker = JdkSigner()
    expect<EnsealException.KeysetUnsigned>("plain keyset") { Keyset.fromSigned(document, pins) }
    expect<EnsealException.KeysetBadSignature>("unpinned signer") { Sealer.fromSignedKeyset(attacker.sign(document), pins) }
    expect<EnsealException.KeysetBadSignature>("forged under the pinned kid") { Keyset.fromSigned(attacker.sign(document, asKid = signer.kid), pins) }
    expect<EnsealException.KeysetBadSignature>("alg none") { Keyset.fromSigned(signer.sign(document, alg = "none"), pins) }
    expect<EnsealException.KeysetExpired>("expired") { Keyset.fromSigned(signer.sign(document, iat = 1_000, exp = 2_000), pins) }
    expect<EnsealException.KeysetRollback>("rollback") { Sealer.fromSignedKeyset(signer.sign(document, version = 2), pins, minVersion = 3uL) }
    expect<EnsealException.InvalidKeyset>("empty pins") { SignerPins.fromJwks("{\"keys\":[]}") }
}

/** The custody test records (tests/custody/README.md): sealed to [publicJwk] into [out]. */
fun sealForCustody(publicJwk: String, out: String) {
    val template = ContextTemplate.parse("custody/{by}/{i}{pointer}")
    val key = PublicKey.fromJwk(File(publicJwk).readText())
    var sealer = Sealer(key)
    val lines = (0 until 20).map { i ->
        if (i % 5 == 0) sealer = Sealer(key) // a new session every 5 records
        val record = "{\"by\":\"kotlin\",\"i\":$i,\"ssn\":\"123-45-${"%04d".format(i)}\",\"dx\":\"J45.$i\"}"
        sealer.sealRecord(record, listOf("/ssn", "/dx"), template)
    }
    File(out).writeText(lines.joinToString("\n", postfix = "\n"))
}

/** Opens every binding's custody test records through the key [uri] names (an HSM). */
fun openThroughCustody(uri: String, files: List<String>) {
    val template = ContextTemplate.parse("custody/{by}/{i}{pointer}")
    val ring = Keyring()
    check(ring.addCustody(uri), "custody key added")
    val opener = Opener(ring)
    val counts = mutableMapOf<String, Int>()
    val field = Regex("\"(by|ssn|dx)\":\"([^\"]*)\"|\"i\":(\\d+)")
    for (path in files) for (line in File(path).readLines().filter { it.isNotBlank() }) {
        val opened = opener.openRecordAll(line, template)
        val values = field.findAll(opened).associate { m -> (m.groupValues[1].ifEmpty { "i" }) to (m.groupValues[2].ifEmpty { m.groupValues[3] }) }
        val i = values.getValue("i").toInt()
        check(values["ssn"] == "123-45-${"%04d".format(i)}" && values["dx"] == "J45.$i", "$path record $i opened")
        counts.merge(values.getValue("by"), 1, Int::plus)
    }
    check(counts.isNotEmpty() && counts.values.all { it == 20 }, "20 records of each binding: $counts")
    expect<EnsealException.InvalidArgument>("not a key URI") { Keyring().addCustody("nope:key") }
    println("kotlin opened through ${uri.substringBefore(':')}: $counts")
}

fun main(args: Array<String>) {
    if (args.firstOrNull() == "--seal-for-custody") {
        sealForCustody(args[1], args[2])
        return
    }
    if (args.firstOrNull() == "--open-through-custody") {
        openThroughCustody(args[1], args.drop(2))
        println("kotlin custody: $passed passed, $failed failed")
        if (failed > 0) kotlin.system.exitProcess(1)
        return
    }
    if (args.firstOrNull() == "--smoke") {
        val key = KeyPair.generate(Suite.X25519)
        check(openerOf(key).openString(Sealer(key.publicKey()).seal("123-45-6789", "ssn"), "ssn") == "123-45-6789", "smoke")
        println("kotlin smoke (library from the jar): $passed passed, $failed failed")
        if (failed > 0) kotlin.system.exitProcess(1)
        return
    }
    vectors(args[0])
    templateVectors(args[0])
    records()
    audit()
    keysets()
    checkSealed()
    signedKeysets()
    api()
    reviewFixes()
    println("kotlin: $passed passed, $failed failed")
    if (failed > 0) kotlin.system.exitProcess(1)
}

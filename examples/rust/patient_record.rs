//! The README demo: a clinic's intake record is sealed field by field to the
//! records service's public key, as a browser or app would before sending it,
//! then opened again on the service's side with the private key.
//!
//! Run: `cargo run --example patient_record` (optionally `-- p256` or `-- xwing`).

use enseal::{KeyPair, Keyring, Opener, Sealer, Suite};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let suite = match std::env::args().nth(1) {
        Some(name) => Suite::from_name(&name)?,
        None => Suite::X25519,
    };

    // The records service generates its key pair once and publishes the public half.
    let service_key = KeyPair::generate(suite)?;
    let public_jwk = service_key.public_key().to_jwk();

    // Client side: only the public key is known here.
    let recipient = enseal::PublicKey::from_jwk(&public_jwk)?;
    let sealer = Sealer::new(&recipient)?;
    let record = json!({
        "patient_id": "8812",
        "name": "Ada Lovelace",
        "date_of_birth": "1815-12-10",
        "ssn": "123-45-6789",
        "visits": [
            { "date": "2026-11-02", "diagnosis": "F32.1 Major depressive disorder, moderate", "copay": 25.0 },
            { "date": "2026-11-20", "diagnosis": "J45.40 Moderate persistent asthma", "copay": 40.0 }
        ]
    });
    let sensitive = ["/ssn", "/date_of_birth", "/visits/*/diagnosis"];
    let sealed = sealer.seal_json(&record, &sensitive, Some("patient-8812"))?;

    println!("suite: {suite}, recipient key id: {}", recipient.kid());
    println!("AES-256-GCM backend: {}\n", enseal::aes_backend());
    println!("== what the client sends (and every server, log and queue sees) ==");
    println!("{}\n", serde_json::to_string_pretty(&sealed)?);

    // Service side: the keyring holds the private key.
    let opener = Opener::new(Keyring::from_iter([service_key]));
    let opened = opener.open_json(&sealed, &sensitive, Some("patient-8812"))?;
    println!("== what the records service opens ==");
    println!("{}", serde_json::to_string_pretty(&opened)?);

    if opened != record {
        return Err("opened record differs from the original".into());
    }
    let sealed_fields = count_sealed(&sealed);
    println!("\nround trip OK: {sealed_fields} fields sealed and opened");
    Ok(())
}

fn count_sealed(value: &serde_json::Value) -> usize {
    match value {
        serde_json::Value::String(s) => usize::from(enseal::is_sealed(s)),
        serde_json::Value::Array(items) => items.iter().map(count_sealed).sum(),
        serde_json::Value::Object(members) => members.values().map(count_sealed).sum(),
        _ => 0,
    }
}

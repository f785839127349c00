//! Opens fields that another implementation sealed: reads a JSON file
//! `{"private_jwks": {"keys": [...]}, "fields": [{"sealed": "enseal1...", "context_hex": "..", "plaintext_hex": ".."}]}`
//! and checks every plaintext. The test command uses it to open what the
//! Python package sealed. Run: `cargo run --example open_fields -- FILE`.

use enseal::{Keyring, Opener};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: open_fields FILE")?;
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let opener = Opener::new(Keyring::from_jwks(&doc["private_jwks"].to_string())?);
    let fields = doc["fields"].as_array().ok_or("no fields")?;
    let mut opened = 0;
    for field in fields {
        let hex = |name: &str| -> Result<Vec<u8>, Box<dyn std::error::Error>> {
            let text = field[name].as_str().ok_or("missing field")?;
            (0..text.len())
                .step_by(2)
                .map(|i| {
                    u8::from_str_radix(text.get(i..i + 2).ok_or("odd hex")?, 16).map_err(Into::into)
                })
                .collect()
        };
        let sealed = field["sealed"].as_str().ok_or("missing sealed")?;
        let plaintext = opener.open(sealed, enseal::Context::bytes(&hex("context_hex")?))?;
        if plaintext.as_slice() != hex("plaintext_hex")?.as_slice() {
            return Err(format!("field {opened} opened to the wrong plaintext").into());
        }
        opened += 1;
    }
    println!("opened {opened} fields sealed elsewhere: {opened} passed, 0 failed");
    Ok(())
}

//! Key rotation of stored intakes, with enseal's CLI doing the one step that
//! needs private keys:
//!
//! 1. `enseal-ingest export` writes the rows not yet on the new primary key
//!    as NDJSON (the sealed values as stored; no key is needed);
//! 2. `enseal reseal rows.ndjson --field /patient/ssn --field
//!    /patient/diagnosis --context 'intake/{recordId}{pointer}' --key OLD
//!    --key NEW --keyset NEW-KEYSET` re-seals them (audited), wherever the
//!    private keys are;
//! 3. `enseal-ingest import-resealed` checks every re-sealed value against
//!    the service's current keyset (sealed to its primary key) and replaces
//!    the rows' sealed values in one transaction: all rows or none.
//!
//! Neither command here sees a plaintext. docs/INGEST-REPORT.md has the
//! whole 90-day plan.

use crate::files::{read_text, write_private};
use crate::intake::PROTECTED;
use crate::keys::Published;
use crate::store::{Resealed, Store};
use enseal::Keyset;
use std::path::Path;

/// Rows read per query while exporting.
const PAGE: i64 = 1000;

/// Writes every stored intake not sealed to `skip_kid` (all of them if
/// `None`) to `out` as NDJSON, mode 0600, whole or not at all: its id,
/// record id, kid and the two sealed values, nothing in the clear. Returns
/// how many rows it wrote.
pub async fn export(store: &Store, out: &Path, skip_kid: Option<&str>) -> Result<usize, String> {
    let mut text = String::new();
    let (mut after, mut count) = (0, 0);
    loop {
        let rows = store.page(after, PAGE, skip_kid).await?;
        for row in &rows {
            // Only what re-sealing needs: no clear name or date of birth in
            // a file that travels to where the private keys are.
            let line = serde_json::json!({
                "id": row.id,
                "recordId": row.record_id,
                "kid": row.kid,
                "patient": {"ssn": row.patient.ssn, "diagnosis": row.patient.diagnosis},
            });
            text.push_str(&line.to_string());
            text.push('\n');
        }
        count += rows.len();
        match rows.last() {
            Some(last) if rows.len() as i64 == PAGE => after = last.id,
            _ => break,
        }
    }
    write_private(out, text.as_bytes())?;
    Ok(count)
}

/// One line of `enseal reseal`'s output: the exported row, re-sealed.
fn resealed(line: &str, number: usize, keyset: &Keyset) -> Result<Resealed, String> {
    let at = |what: &str| format!("line {number}: {what}");
    let row: serde_json::Value =
        serde_json::from_str(line).map_err(|e| at(&format!("not JSON (column {})", e.column())))?;
    let id = row["id"].as_i64().ok_or_else(|| at("no integer \"id\""))?;
    let record_id = row["recordId"]
        .as_str()
        .ok_or_else(|| at("no \"recordId\""))?
        .to_string();
    let primary = keyset.primary_kid();
    let mut values = Vec::with_capacity(PROTECTED.len());
    for pointer in PROTECTED {
        let text = row["patient"][&pointer[1..]]
            .as_str()
            .ok_or_else(|| at(&format!("no /patient{pointer}")))?;
        let sealed = keyset
            .check_sealed(text)
            .map_err(|e| at(&format!("/patient{pointer}: {e}")))?;
        if sealed.kid() != primary {
            return Err(at(&format!(
                "/patient{pointer} is sealed to {}, not to the keyset's primary key {primary}: \
                 was `enseal reseal` given this keyset?",
                sealed.kid()
            )));
        }
        values.push(text.to_string());
    }
    let mut values = values.into_iter();
    let (Some(ssn), Some(diagnosis)) = (values.next(), values.next()) else {
        return Err(at("missing a protected field"));
    };
    Ok(Resealed {
        id,
        record_id,
        kid: primary.to_string(),
        ssn,
        diagnosis,
    })
}

/// Reads `enseal reseal`'s output and replaces the rows' sealed values, in
/// one transaction, after checking every value is sealed to the primary key
/// of `current` (the service's keyset) and no row is in it twice.
pub async fn import(
    store: &Store,
    resealed_file: &Path,
    current: &Published,
) -> Result<Imported, String> {
    let text = read_text(resealed_file)?;
    let rows = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| resealed(line, i + 1, current.keyset()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}; nothing was changed", resealed_file.display()))?;
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = rows.iter().find(|row| !seen.insert(row.id)) {
        return Err(format!(
            "{}: row {} is in it twice; nothing was changed",
            resealed_file.display(),
            twice.id
        ));
    }
    let replaced = store.replace_sealed(&rows).await?;
    let primary = current.keyset().primary_kid().to_string();
    Ok(Imported {
        replaced,
        remaining: store.count_not_on(&primary).await?,
    })
}

/// What an import did.
pub struct Imported {
    /// Rows whose sealed values were replaced.
    pub replaced: u64,
    /// Rows still sealed to another key than the primary (those that arrived
    /// on the old key after the export: export again until this is 0, and
    /// once more after the old key is retired).
    pub remaining: i64,
}

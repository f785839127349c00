//! Batches: many fields in one call, for pipelines and foreign-language
//! callers, where one call per field would cost more than the sealing. A batch
//! takes one context per value, or a single context for a whole column. All or
//! nothing: on the first error no result is returned, and the error
//! ([`Error::Batch`]) names the value's index and keeps its code.

use crate::context::{AsContext, Context};
use crate::{Error, Opener, Result, Sealer};
use zeroize::Zeroizing;

/// The context of each of `count` values: one per value, or one for all.
fn contexts_for<C: AsContext>(contexts: &[C], count: usize) -> Result<impl Iterator<Item = &[u8]>> {
    if contexts.len() != count && contexts.len() != 1 {
        return Err(Error::InvalidArgument(
            "a batch needs one context per value, or a single context for all",
        ));
    }
    // Cycling a single context repeats it; cycling one per value takes each once.
    Ok(contexts
        .iter()
        .map(AsContext::context_bytes)
        .cycle()
        .take(count))
}

impl Sealer {
    /// Seals every value of `plaintexts` with its context from `contexts` (one
    /// per value, or a single one for all) and returns the text forms. All or
    /// nothing.
    pub fn seal_batch<P: AsRef<[u8]>, C: AsContext>(
        &self,
        plaintexts: &[P],
        contexts: &[C],
    ) -> Result<Vec<String>> {
        let mut binary = Vec::new();
        plaintexts
            .iter()
            .zip(contexts_for(contexts, plaintexts.len())?)
            .enumerate()
            .map(|(index, (plaintext, context))| {
                binary.clear();
                self.seal_binary_into(plaintext.as_ref(), Context::bytes(context), &mut binary)
                    .map_err(|e| e.in_batch(index))?;
                Ok(crate::text::encode(&binary))
            })
            .collect()
    }
}

impl Opener {
    /// Opens every text form of `sealed` with its context from `contexts` (one
    /// per value, or a single one for all). All or nothing: on the first error
    /// the plaintexts opened so far are wiped and none is returned.
    pub fn open_batch<S: AsRef<str>, C: AsContext>(
        &self,
        sealed: &[S],
        contexts: &[C],
    ) -> Result<Vec<Zeroizing<Vec<u8>>>> {
        sealed
            .iter()
            .zip(contexts_for(contexts, sealed.len())?)
            .enumerate()
            .map(|(index, (value, context))| {
                self.open(value.as_ref(), Context::bytes(context))
                    .map_err(|e| e.in_batch(index))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KeyPair, Keyring, Suite};

    fn pair() -> (Sealer, Opener) {
        let key = KeyPair::generate(Suite::X25519).unwrap();
        let sealer = Sealer::new(key.public_key()).unwrap();
        let mut ring = Keyring::new();
        ring.add(key);
        (sealer, Opener::new(ring))
    }

    #[test]
    fn one_context_per_value_or_one_for_all() {
        let (sealer, opener) = pair();
        let values: [&[u8]; 4] = [b"123-45-6789", b"", b"E11.9", &[0xff; 300]];
        let each = ["a", "b", "c", "d"];
        let one = ["column"];
        let sealed_each = sealer.seal_batch(&values, &each).unwrap();
        let sealed_one = sealer.seal_batch(&values, &one).unwrap();
        for (sealed, contexts) in [(&sealed_each, &each[..]), (&sealed_one, &one[..])] {
            let opened = opener.open_batch(sealed, contexts).unwrap();
            assert!(opened.iter().map(|o| o.as_slice()).eq(values));
        }
        // Each value is bound to its own context, a column to the single one.
        let wrong = opener.open_batch(&sealed_each, &one).unwrap_err();
        assert_eq!(wrong, Error::DecryptFailed.in_batch(0));
        assert_eq!(wrong.code(), crate::ErrorCode::DecryptFailed);
        assert_eq!(opener.open(&sealed_one[3], "column").unwrap().len(), 300);
    }

    #[test]
    fn a_batch_error_names_the_index_of_the_value() {
        let (sealer, opener) = pair();
        let values: Vec<&[u8]> = vec![b"x"; 5];
        let mut sealed = sealer.seal_batch(&values, &["c"]).unwrap();
        sealed[3].truncate(20);
        let error = opener.open_batch(&sealed, &["c"]).unwrap_err();
        assert_eq!(error.batch_index(), Some(3));
        assert_eq!(error.code(), crate::ErrorCode::Truncated);
        assert!(error.to_string().starts_with("batch value 3: "), "{error}");
    }

    #[test]
    fn mismatched_counts_and_empty_batches() {
        let (sealer, opener) = pair();
        let values: [&[u8]; 3] = [b"a", b"b", b"c"];
        let two = ["x", "y"];
        let none: [&str; 0] = [];
        let no_values: [&[u8]; 0] = [];
        for contexts in [&two[..], &none[..]] {
            assert!(matches!(
                sealer.seal_batch(&values, contexts),
                Err(Error::InvalidArgument(_))
            ));
        }
        assert!(sealer.seal_batch(&no_values, &none).unwrap().is_empty());
        assert!(sealer.seal_batch(&no_values, &two[..1]).unwrap().is_empty());
        let no_text: [&str; 0] = [];
        assert!(opener.open_batch(&no_text, &none).unwrap().is_empty());
        assert!(matches!(
            opener.open_batch(&["enseal1.a", "enseal1.b", "enseal1.c"], &two),
            Err(Error::InvalidArgument(_))
        ));
    }
}

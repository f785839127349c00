//! Batches that cross a foreign-function boundary as a few buffers instead
//! of a list of values: binding layers such as uniffi's Python convert lists
//! element by element, which costs more than sealing the element. Values are
//! concatenated, with their lengths as little-endian `u32`s; sealed values
//! travel as text joined by `'\n'` (never part of the text form).

use crate::{Error, Opener, Result, Sealer};
use zeroize::Zeroizing;

/// Values concatenated in `data`, their lengths in `lengths` (4 bytes each,
/// little-endian). Checked on construction: the lengths add up to `data`.
#[derive(Clone, Copy)]
pub struct Packed<'a> {
    data: &'a [u8],
    lengths: &'a [u8],
    count: usize,
}

impl<'a> Packed<'a> {
    /// Checks that `lengths` is a whole number of `u32`s adding up to `data.len()`.
    pub fn new(data: &'a [u8], lengths: &'a [u8]) -> Result<Packed<'a>> {
        if !lengths.len().is_multiple_of(4) {
            return Err(Error::InvalidArgument(
                "packed lengths must be 4-byte little-endian integers",
            ));
        }
        let total = lengths
            .chunks_exact(4)
            .try_fold(0usize, |sum, l| sum.checked_add(read_u32(l)));
        if total != Some(data.len()) {
            return Err(Error::InvalidArgument(
                "packed lengths do not add up to the packed data",
            ));
        }
        Ok(Packed {
            data,
            lengths,
            count: lengths.len() / 4,
        })
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The values in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let data = self.data;
        self.lengths.chunks_exact(4).scan(0usize, move |at, l| {
            let start = *at;
            *at += read_u32(l);
            data.get(start..*at)
        })
    }

    /// The contexts for `count` values: one per value, or one for all.
    fn contexts_for(&self, count: usize) -> Result<Box<dyn Iterator<Item = &'a [u8]> + 'a>> {
        if self.count == count {
            Ok(Box::new(self.iter()))
        } else if self.count == 1 {
            Ok(Box::new(std::iter::repeat_n(self.data, count)))
        } else {
            Err(Error::InvalidArgument(
                "a batch needs one context per value, or a single context for all",
            ))
        }
    }
}

fn read_u32(bytes: &[u8]) -> usize {
    let mut le = [0u8; 4];
    le.copy_from_slice(bytes);
    u32::from_le_bytes(le) as usize
}

/// Opened values, packed as [`Packed`] takes them. The data is wiped on drop.
pub struct PackedPlaintexts {
    /// The plaintexts, concatenated.
    pub data: Zeroizing<Vec<u8>>,
    /// Their lengths, 4 bytes each, little-endian.
    pub lengths: Vec<u8>,
}

impl core::fmt::Debug for PackedPlaintexts {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PackedPlaintexts")
            .field("count", &(self.lengths.len() / 4))
            .finish_non_exhaustive()
    }
}

impl Sealer {
    /// Seals every value of `values`, each with its context from `contexts`
    /// (one per value, or a single one for all), and returns the text forms
    /// joined by `'\n'`. All or nothing.
    pub fn seal_text_packed(&self, values: &Packed<'_>, contexts: &Packed<'_>) -> Result<String> {
        let mut out = String::new();
        let mut binary = Vec::new();
        for (i, (value, context)) in values
            .iter()
            .zip(contexts.contexts_for(values.len())?)
            .enumerate()
        {
            if i > 0 {
                out.push('\n');
            }
            binary.clear();
            self.seal_into(value, context, &mut binary)?;
            crate::text::encode_into(&binary, &mut out);
        }
        Ok(out)
    }
}

impl Opener {
    /// Opens the text forms in `sealed` (joined by `'\n'`), each with its
    /// context from `contexts` (one per value, or a single one for all).
    /// All or nothing: on the first error nothing opened is returned.
    pub fn open_text_packed(
        &self,
        sealed: &str,
        contexts: &Packed<'_>,
    ) -> Result<PackedPlaintexts> {
        // An empty string is an empty batch, not one empty value.
        let values: Vec<&str> = match sealed {
            "" => Vec::new(),
            _ => sealed.split('\n').collect(),
        };
        let mut data = Zeroizing::new(Vec::with_capacity(sealed.len() * 3 / 4));
        let mut lengths = Vec::with_capacity(values.len() * 4);
        let contexts = contexts.contexts_for(values.len())?;
        for (text, context) in values.into_iter().zip(contexts) {
            let start = data.len();
            self.open_into(&crate::text::decode(text)?, context, &mut data)?;
            let len = u32::try_from(data.len() - start).map_err(|_| Error::TooLarge)?;
            lengths.extend_from_slice(&len.to_le_bytes());
        }
        Ok(PackedPlaintexts { data, lengths })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KeyPair, Keyring, Suite};

    fn pack(values: &[&[u8]]) -> (Vec<u8>, Vec<u8>) {
        let data = values.concat();
        let lengths = values
            .iter()
            .flat_map(|v| (v.len() as u32).to_le_bytes())
            .collect();
        (data, lengths)
    }

    #[test]
    fn packed_round_trip_with_one_and_many_contexts() {
        let key = KeyPair::generate(Suite::X25519).unwrap();
        let sealer = Sealer::new(key.public_key()).unwrap();
        let mut ring = Keyring::new();
        ring.add(key).unwrap();
        let opener = Opener::new(ring);
        let values: [&[u8]; 4] = [b"123-45-6789", b"", b"E11.9", &[0xff; 300]];
        let (data, lengths) = pack(&values);
        let values_packed = Packed::new(&data, &lengths).unwrap();
        let (cdata, clens) = pack(&[b"a", b"b", b"c", b"d"]);
        let each = Packed::new(&cdata, &clens).unwrap();
        let (odata, olens) = pack(&[b"column"]);
        let one = Packed::new(&odata, &olens).unwrap();
        for contexts in [each, one] {
            let text = sealer.seal_text_packed(&values_packed, &contexts).unwrap();
            assert_eq!(text.split('\n').count(), 4);
            let opened = opener.open_text_packed(&text, &contexts).unwrap();
            assert_eq!(opened.data.as_slice(), data.as_slice());
            assert_eq!(opened.lengths, lengths);
        }
        let text = sealer.seal_text_packed(&values_packed, &each).unwrap();
        assert_eq!(
            opener.open_text_packed(&text, &one).unwrap_err(),
            Error::DecryptFailed
        );
        let (two, twolens) = pack(&[b"a", b"b"]);
        let two = Packed::new(&two, &twolens).unwrap();
        assert!(matches!(
            sealer.seal_text_packed(&values_packed, &two),
            Err(Error::InvalidArgument(_))
        ));
        let empty = Packed::new(&[], &[]).unwrap();
        assert_eq!(sealer.seal_text_packed(&empty, &one).unwrap(), "");
        assert!(
            opener
                .open_text_packed("", &one)
                .unwrap()
                .lengths
                .is_empty()
        );
    }

    #[test]
    fn packed_lengths_are_checked() {
        assert!(Packed::new(b"abc", &[3, 0, 0]).is_err());
        assert!(Packed::new(b"abc", &[2, 0, 0, 0]).is_err());
        assert!(Packed::new(b"abc", &[0xff, 0xff, 0xff, 0xff, 4, 0, 0, 0]).is_err());
        assert_eq!(Packed::new(b"abc", &[3, 0, 0, 0]).unwrap().len(), 1);
    }
}

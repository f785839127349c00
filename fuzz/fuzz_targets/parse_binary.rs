#![no_main]
//! Arbitrary bytes, raw and spliced onto a valid header, into `Opener::open`:
//! never a panic, never plaintext from anything that was not sealed.

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let f = &*common::FIXTURE;
    assert!(f.opener.open(data, b"ctx").is_err());
    if let Some((&pick, rest)) = data.split_first() {
        let seed = &f.seeds[usize::from(pick) % f.seeds.len()];
        let cut = usize::from(rest.first().copied().unwrap_or(0)) * seed.len() / 256;
        let mut spliced = seed[..cut].to_vec();
        spliced.extend_from_slice(rest);
        if spliced != *seed {
            assert!(f.opener.open(&spliced, b"ctx").is_err());
        }
    }
});

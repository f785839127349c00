//! `cargo xtask bench`: runs the criterion benchmarks and writes the table
//! of docs/PERFORMANCE.md from criterion's estimates (medians, this machine, one run).

use crate::{Result, cargo, root};
use std::fmt::Write as _;

const SIZES: [&str; 5] = ["16B", "64B", "1KiB", "16KiB", "1MiB"];
const SUITES: [&str; 3] = ["X25519", "P-256", "X-Wing"];

fn median_ns(path: &str) -> Result<f64> {
    let file = root()
        .join("target/criterion")
        .join(path)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    json["median"]["point_estimate"]
        .as_f64()
        .ok_or_else(|| format!("{}: no median", file.display()))
}

fn show(ns: f64) -> String {
    match ns {
        n if n >= 1e6 => format!("{:.2} ms", n / 1e6),
        n if n >= 1e3 => format!("{:.2} µs", n / 1e3),
        n => format!("{n:.0} ns"),
    }
}

fn cpu() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split(':').nth(1))
        })
        .unwrap_or("unknown")
        .trim()
        .to_string();
    let flags = info.lines().find(|l| l.starts_with("flags")).unwrap_or("");
    let has = |f: &str| flags.split_whitespace().any(|x| x == f);
    format!(
        "{model}, {} logical CPUs; AES-NI {}, PCLMULQDQ {}, VAES {}, AVX2 {}",
        info.lines().filter(|l| l.starts_with("processor")).count(),
        has("aes"),
        has("pclmulqdq"),
        has("vaes"),
        has("avx2")
    )
}

pub(crate) fn run() -> Result {
    cargo(&[
        "bench",
        "-p",
        "enseal-bench",
        "--bench",
        "seal",
        "--",
        "--noplot",
    ])?;
    let mut md = String::new();
    let w = &mut md;
    let verdict = |ok: bool| if ok { "met" } else { "**missed**" };
    writeln!(w, "## Measured table\n").ok();
    writeln!(
        w,
        "Written by `cargo xtask bench` (criterion medians, one run). Machine: {}.\n",
        cpu()
    )
    .ok();

    writeln!(
        w,
        "### Seal one field inside a session (X25519 session, 17-byte context)\n"
    )
    .ok();
    writeln!(w, "| size | enseal `seal` | enseal `seal_into` (reused buffer) | ring | ring, field AAD | ring in place | aes-gcm | OpenSSL one-shot | `seal` ÷ fastest raw | `seal_into` ÷ ring in place | `seal` ÷ ring with the field's AAD |").ok();
    writeln!(w, "|---|---|---|---|---|---|---|---|---|---|---|").ok();
    let mut seal_ratios = Vec::new();
    for size in SIZES {
        let e = median_ns(&format!("seal/enseal/{size}"))?;
        let r = median_ns(&format!("seal/ring/{size}"))?;
        let rip = median_ns(&format!("seal/ring-in-place/{size}"))?;
        let a = median_ns(&format!("seal/aes-gcm/{size}"))?;
        let o = median_ns(&format!("seal/openssl/{size}"))?;
        let rf = median_ns(&format!("seal/ring-field-aad/{size}"))?;
        let ei = median_ns(&format!("seal/enseal-into/{size}"))?;
        let fastest = r.min(a).min(o);
        seal_ratios.push((size, e, fastest, rip, o, rf, ei));
        let cells = [e, ei, r, rf, rip, a, o].map(show).join(" | ");
        writeln!(
            w,
            "| {size} | {cells} | {:.2}× | {:.2}× | {:.2}× |",
            e / fastest,
            ei / rip,
            e / rf
        )
        .ok();
    }

    writeln!(w, "\n### Open one field of a cached session\n").ok();
    writeln!(w, "| size | enseal `open` (wiped on drop) | enseal `open_into` (reused buffer) | ring | ring, field AAD | aes-gcm | OpenSSL one-shot | `open` ÷ fastest raw | `open_into` ÷ fastest raw | `open_into` ÷ ring with the field's AAD |").ok();
    writeln!(w, "|---|---|---|---|---|---|---|---|---|---|").ok();
    let mut open_ratios = Vec::new();
    for size in SIZES {
        let e = median_ns(&format!("open/enseal-cached/{size}"))?;
        let r = median_ns(&format!("open/ring/{size}"))?;
        let a = median_ns(&format!("open/aes-gcm/{size}"))?;
        let o = median_ns(&format!("open/openssl/{size}"))?;
        let rf = median_ns(&format!("open/ring-field-aad/{size}"))?;
        let ei = median_ns(&format!("open/enseal-into/{size}"))?;
        let fastest = r.min(a).min(o);
        open_ratios.push((size, e / fastest, ei / fastest, ei / rf));
        let cells = [e, ei, r, rf, a, o].map(show).join(" | ");
        writeln!(
            w,
            "| {size} | {cells} | {:.2}× | {:.2}× | {:.2}× |",
            e / fastest,
            ei / fastest,
            ei / rf
        )
        .ok();
    }

    writeln!(w, "\n### Sessions per suite\n").ok();
    writeln!(w, "| suite | session set-up (encapsulate) | first open (decapsulate + open 64 B) | seal 64 B in session |").ok();
    writeln!(w, "|---|---|---|---|").ok();
    for suite in SUITES {
        writeln!(
            w,
            "| {suite} | {} | {} | {} |",
            show(median_ns(&format!("session/setup-encapsulate/{suite}"))?),
            show(median_ns(&format!(
                "session/first-open-decapsulate/{suite}"
            ))?),
            show(median_ns(&format!("session/seal-64B-in-session/{suite}"))?)
        )
        .ok();
    }

    let hpke = median_ns("per-field-64B/hpke-single-shot-x25519")?;
    let sbox = median_ns("per-field-64B/sealed-box-crypto_box")?;
    let ens = median_ns("per-field-64B/enseal-in-session")?;
    writeln!(
        w,
        "\n### What users do without enseal: one asymmetric operation per 64 B field\n"
    )
    .ok();
    writeln!(
        w,
        "| approach | per field | enseal in session is faster by |"
    )
    .ok();
    writeln!(w, "|---|---|---|").ok();
    writeln!(
        w,
        "| HPKE single-shot (X25519, `hpke` crate) | {} | {:.0}× |",
        show(hpke),
        hpke / ens
    )
    .ok();
    writeln!(
        w,
        "| sealed box (`crypto_box`, libsodium-compatible) | {} | {:.0}× |",
        show(sbox),
        sbox / ens
    )
    .ok();
    writeln!(w, "| enseal, inside a session | {} | 1× |", show(ens)).ok();

    writeln!(w, "\n### Targets (issue #2), this run\n").ok();
    let (_, e64, fastest64, rip64, o64, rf64, ei64) = seal_ratios[1];
    writeln!(w, "| target | measured | verdict |").ok();
    writeln!(w, "|---|---|---|").ok();
    writeln!(w, "| 64 B seal ≤ 1.5× fastest raw AES-256-GCM (same contract: borrowed plaintext in, new ciphertext out) | {:.2}× | {} |", e64 / fastest64, verdict(e64 / fastest64 <= 1.5)).ok();
    writeln!(w, "| 64 B `seal_into` (reused buffer) vs ring encrypting the caller's own buffer in place | {:.2}× | {} |", ei64 / rip64, verdict(ei64 / rip64 <= 1.5)).ok();
    writeln!(w, "| 64 B seal vs ring authenticating the same AAD (enseal's own overhead beyond the format's AES-GCM work) | {:.2}× | {} |", e64 / rf64, verdict(e64 / rf64 <= 1.5)).ok();
    writeln!(
        w,
        "| 64 B seal ≥ 3× OpenSSL one-shot rate | {:.1}× | {} |",
        o64 / e64,
        verdict(o64 / e64 >= 3.0)
    )
    .ok();
    writeln!(
        w,
        "| ≥ 500× per-field HPKE | {:.0}× | {} |",
        hpke / ens,
        verdict(hpke / ens >= 500.0)
    )
    .ok();
    writeln!(
        w,
        "| ≥ 500× per-field sealed box | {:.0}× | {} |",
        sbox / ens,
        verdict(sbox / ens >= 500.0)
    )
    .ok();
    for (size, e, fastest, rip, _, _, _) in &seal_ratios[3..] {
        writeln!(
            w,
            "| {size} seal ≥ 0.9× fastest raw rate (copy-out / in place) | {:.2}× / {:.2}× | {} |",
            fastest / e,
            rip / e,
            verdict(fastest / e >= 0.9)
        )
        .ok();
    }
    for (size, open_raw, into_raw, into_field) in &open_ratios {
        writeln!(w, "| {size} open, cached session, ≤ 1.5× raw AES-256-GCM decryption: `open` / `open_into` vs fastest raw; `open_into` vs same AAD | {open_raw:.2}× / {into_raw:.2}× ; {into_field:.2}× | {} |", verdict(*into_raw <= 1.5)).ok();
    }

    writeln!(
        w,
        "\n### The same comparisons, interleaved (`bench/examples/interleaved.rs`)\n"
    )
    .ok();
    writeln!(w, "Each pair is timed in alternating rounds in one process; the ratio is the median of the per-round ratios, so machine drift cancels.\n").ok();
    let interleaved =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "run",
                "--release",
                "--quiet",
                "-p",
                "enseal-bench",
                "--example",
                "interleaved",
            ])
            .current_dir(root())
            .output()
            .map_err(|e| e.to_string())?;
    if !interleaved.status.success() {
        return Err(format!(
            "interleaved benchmark failed: {}",
            String::from_utf8_lossy(&interleaved.stderr)
        ));
    }
    w.push_str(&String::from_utf8_lossy(&interleaved.stdout));

    let path = root().join("docs/PERFORMANCE.md");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let head = existing
        .split("## Measured table")
        .next()
        .unwrap_or("")
        .to_string();
    // The binding sections (Python, web) come from their own scripts: keep them.
    let tail = existing
        .find("\n## Python")
        .map(|at| &existing[at..])
        .unwrap_or("");
    std::fs::write(&path, format!("{head}{md}{tail}")).map_err(|e| e.to_string())?;
    println!("{md}");
    Ok(())
}

//! DOCX render time per summary on one core, for the seed, then the time
//! and peak memory of one summary of 100,000 key issues (BENCH_BULLETS
//! changes the number). Run with `make bench`; under `cargo test` it only
//! checks that the seed renders.

use std::hint::black_box;
use std::time::{Duration, Instant};

use rapporteur_parse::{ParseOptions, parse_summary};
use rapporteur_render_docx::render_docx;
use rapporteur_test_tools::peak_rss_kib;

const SEED: &str = include_str!("../../../examples/wsis-cooperation-sdgs.txt");
const A4: (f32, f32) = (210.0, 297.0);

fn main() {
    let summary = parse_summary("seed.txt", SEED.as_bytes(), &ParseOptions::default())
        .expect("the seed parses");
    let docx = render_docx(&summary, A4).expect("the seed renders");
    assert!(docx.starts_with(b"PK\x03\x04"), "a .docx is a zip archive");
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let seed_rss = peak_rss_kib(None);
    let budget = Duration::from_secs(3);
    let started = Instant::now();
    let mut runs = 0u64;
    while started.elapsed() < budget {
        black_box(render_docx(black_box(&summary), A4).expect("renders"));
        runs += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "render docx seed  {:>8.1} µs/summary  {:>8.0} summaries/s  ({} bytes of .docx, {runs} runs)",
        seconds * 1e6 / runs as f64,
        runs as f64 / seconds,
        docx.len()
    );

    // One huge summary: the seed's key issues repeated. The peak resident
    // size (VmHWM) before it is the small runs' above, so the growth is
    // this document's.
    let bullets: usize = std::env::var("BENCH_BULLETS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let mut huge = summary.clone();
    huge.key_issues = summary
        .key_issues
        .iter()
        .cycle()
        .take(bullets)
        .cloned()
        .collect();
    let before = peak_rss_kib(None);
    let started = Instant::now();
    let docx = render_docx(&huge, A4).expect("renders");
    println!(
        "render docx {bullets} key issues  {:>6.2} s  peak RSS +{} MB (the model itself +{} MB before)  ({} bytes of .docx)",
        started.elapsed().as_secs_f64(),
        (peak_rss_kib(None) - before) / 1024,
        before.saturating_sub(seed_rss) / 1024,
        docx.len()
    );
}

//! Parse throughput, in summaries per second on one core, for the seed and a
//! 40-bullet summary. Run with `make bench`; under `cargo test` it only checks
//! that both inputs parse.

use std::hint::black_box;
use std::time::{Duration, Instant};

use rapporteur_parse::{ParseOptions, parse_summary};

const SEED: &str = include_str!("../../../examples/wsis-cooperation-sdgs.txt");

/// The seed with its key issues repeated until there are 40 bullets.
fn forty_bullets() -> String {
    let (head, rest) = SEED.split_once("\n- ").expect("the seed has bullets");
    let (bullets, tail) = rest
        .split_once("\n\nKey recommendations")
        .expect("the seed has recommendations");
    let bullets: Vec<&str> = bullets.split("\n- ").collect();
    let mut text = head.to_string();
    for i in 0..40 {
        text.push_str("\n- ");
        text.push_str(bullets[i % bullets.len()]);
    }
    text.push_str("\n\nKey recommendations");
    text.push_str(tail);
    text
}

fn measure(label: &str, input: &str, budget: Duration) {
    let options = ParseOptions::default();
    let started = Instant::now();
    let mut runs = 0u64;
    while started.elapsed() < budget {
        black_box(
            parse_summary("bench.txt", black_box(input.as_bytes()), &options).expect("parses"),
        );
        runs += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "parse {label:<10} {:>10.0} summaries/s  {:>8.1} µs/summary  ({} bytes, {runs} runs)",
        runs as f64 / seconds,
        seconds * 1e6 / runs as f64,
        input.len()
    );
}

fn main() {
    let forty = forty_bullets();
    let summary =
        parse_summary("forty.txt", forty.as_bytes(), &ParseOptions::default()).expect("parses");
    assert_eq!(summary.key_issues.len(), 40);
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    measure("seed", SEED, Duration::from_secs(3));
    measure("40-bullet", &forty, Duration::from_secs(3));
}

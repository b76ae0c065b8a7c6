//! PDF render time per summary (one core) for the seed and a 40-bullet
//! summary (with the words already shaped, as in a worker that has rendered
//! a few summaries, and for the seed also with none), the time one summary
//! with one very long paragraph takes (10k and 100k words, and one
//! 200 KB word; `BENCH_LONG_WORDS=10000,20000,40000` and
//! `BENCH_LONG_WORD_BYTES` for others), which
//! must grow linearly (issue 12), the time and memory of one summary of
//! 100,000 key issues, and the peak memory of a 1,000-file
//! `rapporteur convert --formats pdf`. Run with `make bench`; under `cargo test` it only checks that both
//! summaries render.
//!
//! The bulk run needs the release CLI: `make bench` builds it and passes its
//! path in `RAPPORTEUR_BIN`.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rapporteur_model::EventSummary;
use rapporteur_parse::{ParseOptions, parse_summary};
use rapporteur_render_pdf::{PdfOptions, render};
use rapporteur_test_tools::peak_rss_kib;

const SEED: &str = include_str!("../../../examples/wsis-cooperation-sdgs.txt");

const A4: PdfOptions<'static> = PdfOptions {
    page_millimetres: (210.0, 297.0),
    font_dir: None,
};

fn seed() -> EventSummary {
    parse_summary("seed.txt", SEED.as_bytes(), &ParseOptions::default()).expect("parses")
}

/// The seed with its key issues repeated until there are 40.
fn forty_bullets() -> EventSummary {
    let mut summary = seed();
    let issues = summary.key_issues.clone();
    summary.key_issues = issues.iter().cycle().take(40).cloned().collect();
    summary
}

/// Renders `summary` over and over for `budget`. With `cold`, every
/// rendering runs on a new thread, whose cache of shaped words starts empty
/// (the fonts stay parsed, as they do in a running worker).
fn measure(label: &str, summary: &EventSummary, budget: Duration, cold: bool) {
    let render_once = || black_box(render(black_box(summary), &A4).expect("renders")).len();
    let started = Instant::now();
    let mut runs = 0u64;
    let mut bytes = 0;
    while started.elapsed() < budget {
        bytes = if cold {
            std::thread::scope(|scope| scope.spawn(render_once).join().expect("renders"))
        } else {
            render_once()
        };
        runs += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "render pdf {label:<12} {:>8.2} ms/summary  {:>8.0} summaries/s  ({bytes} bytes, {runs} runs)",
        seconds * 1e3 / runs as f64,
        runs as f64 / seconds,
    );
}

/// The seed with its background one paragraph of `words` words (a curly
/// quote in it, as real text has, which turns the bidi pass on).
fn long_paragraph(words: usize) -> EventSummary {
    let mut summary = seed();
    let vocabulary = SEED.split_whitespace().collect::<Vec<_>>();
    let mut text = String::from("The forum\u{2019}s");
    for word in vocabulary.iter().cycle().take(words) {
        text.push(' ');
        text.push_str(word);
    }
    summary.background = vec![text];
    summary
}

/// One rendering of `summary`, timed.
fn once(label: &str, summary: &EventSummary) {
    let started = Instant::now();
    let bytes = render(summary, &A4).expect("renders").len();
    println!(
        "render pdf {label:<24} {:>8.2} s  ({bytes} bytes)",
        started.elapsed().as_secs_f64()
    );
}

/// One huge summary, the seed's key issues repeated 100,000 times
/// (BENCH_BULLETS changes the number): its time and the growth of the peak
/// resident size (VmHWM) over the runs above, which is this document's.
/// Pages are written as they fill (issue 12); what remains is about twice
/// the output: the compressed objects, then the file they are written into.
fn many_bullets() {
    let bullets: usize = std::env::var("BENCH_BULLETS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let mut huge = seed();
    huge.key_issues = seed()
        .key_issues
        .iter()
        .cycle()
        .take(bullets)
        .cloned()
        .collect();
    let before = peak_rss_kib(None);
    let started = Instant::now();
    let pdf = render(&huge, &A4).expect("renders");
    println!(
        "render pdf {bullets} key issues  {:>6.2} s  peak RSS +{} MB  ({} bytes)",
        started.elapsed().as_secs_f64(),
        (peak_rss_kib(None) - before) / 1024,
        pdf.len()
    );
}

/// Converts 1,000 copies of the examples with the CLI and reports its peak
/// resident memory, read from /proc while it runs (VmHWM only grows).
fn bulk_peak_memory(binary: &Path) {
    let work = std::env::temp_dir().join(format!("rapporteur-bench-{}", std::process::id()));
    let inputs = work.join("in");
    std::fs::create_dir_all(&inputs).expect("a scratch directory");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut sources: Vec<_> = std::fs::read_dir(&examples)
        .expect("examples/")
        .map(|e| e.expect("readable").path())
        .collect();
    sources.sort();
    for i in 0..1000 {
        let source = &sources[i % sources.len()];
        let name = format!("{i:04}-{}", source.file_name().unwrap().to_string_lossy());
        std::fs::copy(source, inputs.join(name)).expect("copies");
    }
    let started = Instant::now();
    let mut child = Command::new(binary)
        .args(["convert", "--formats", "pdf", "--out"])
        .arg(work.join("out"))
        .arg(&inputs)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the CLI starts");
    let mut peak_kib = 0u64;
    let status = loop {
        peak_kib = peak_kib.max(peak_rss_kib(Some(child.id())));
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let seconds = started.elapsed().as_secs_f64();
    let written = std::fs::read_dir(work.join("out")).map_or(0, |d| d.count());
    let _ = std::fs::remove_dir_all(&work);
    assert!(status.success(), "the bulk convert failed: {status}");
    println!(
        "bulk convert 1000 files to pdf: peak RSS {:.1} MB, {seconds:.2} s, {written} PDFs (all cores)",
        peak_kib as f64 / 1024.0
    );
}

fn main() {
    let forty = forty_bullets();
    for summary in [seed(), forty.clone()] {
        assert!(
            render(&summary, &A4)
                .expect("renders")
                .starts_with(b"%PDF-")
        );
    }
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    // BENCH_SECONDS shortens the runs, for profiling under valgrind.
    let budget = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(Duration::from_secs(3), Duration::from_secs_f64);
    measure("seed", &seed(), budget, false);
    measure("40-bullet", &forty, budget, false);
    measure("seed, cold", &seed(), budget, true);
    let long_words = std::env::var("BENCH_LONG_WORDS").unwrap_or_else(|_| "10000,100000".into());
    for words in long_words.split(',').filter_map(|w| w.trim().parse().ok()) {
        once(
            &format!("one {words}-word paragraph"),
            &long_paragraph(words),
        );
    }
    let word_bytes = std::env::var("BENCH_LONG_WORD_BYTES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let mut one_word = seed();
    one_word.background = vec!["x".repeat(word_bytes)];
    once(&format!("one {word_bytes}-byte word"), &one_word);
    many_bullets();
    match std::env::var_os("RAPPORTEUR_BIN") {
        Some(binary) => bulk_peak_memory(Path::new(&binary)),
        None => println!(
            "bulk convert: skipped; set RAPPORTEUR_BIN to a release rapporteur binary (make bench does)"
        ),
    }
}

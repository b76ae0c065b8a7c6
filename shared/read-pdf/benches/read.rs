//! PDF reading speed and memory. Run with `make bench`; under `cargo test`
//! it only checks that the inputs read.
//!
//! - The seed rendered by Rapporteur (2 A4 pages) and 3 dense pages
//!   written here: milliseconds per read (the target is under 20 ms).
//! - Long PDFs written here (30 and 300 pages of body text with a running
//!   header and a page-number footer): time and the peak resident memory of
//!   a process that reads only that file (this bench run again as a child),
//!   to show memory stays flat as pages grow (pages are read one at a time;
//!   only their text is kept).

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{A4, Face, run};
use rapporteur_parse::{ParseOptions, parse_summary};
use rapporteur_read_pdf::pdf_document;
use rapporteur_render_pdf::{PdfOptions, render};
use rapporteur_test_tools::peak_rss_kib;

const SEED: &str = include_str!("../../../examples/wsis-cooperation-sdgs.txt");
/// The child reads the file this variable names and prints its peak memory.
const CHILD: &str = "RAPPORTEUR_PDF_BENCH_READ";

fn options() -> ParseOptions {
    ParseOptions {
        max_bytes: 256 * 1024 * 1024,
    }
}

/// A report of `pages` pages: 45 lines of body text each, in paragraphs,
/// with a running header and "Page N of M".
fn long_pdf(pages: usize) -> Vec<u8> {
    let words = "the participants discussed how national plans can connect schools clinics and \
                 local government offices to affordable broadband within five years";
    let all: Vec<Vec<common::Run>> = (1..=pages)
        .map(|page| {
            let mut runs = vec![run(
                300.0,
                46.0,
                10.0,
                Face::Regular,
                "Annual Report — WSIS Forum",
            )];
            if page == 1 {
                runs.push(run(
                    71.0,
                    90.0,
                    20.0,
                    Face::Bold,
                    "Workshop: Connecting Every School",
                ));
            }
            for line in 0..45 {
                let start = (line * 7 + page) % 40;
                let text: String = words.chars().skip(start).take(80).collect();
                let y = 120.0 + line as f32 * 14.7 + (line / 5) as f32 * 4.0;
                runs.push(run(71.0, y, 9.0, Face::Regular, text.trim()));
            }
            runs.push(run(
                280.0,
                805.0,
                10.0,
                Face::Regular,
                &format!("Page {page} of {pages}"),
            ));
            runs
        })
        .collect();
    let bytes = common::pdf(&all, A4);
    let mut doc = lopdf::Document::load_mem(&bytes).expect("the PDF loads");
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("saves");
    out
}

fn measure(label: &str, bytes: &[u8], budget: Duration) {
    let started = Instant::now();
    let mut runs = 0u64;
    while started.elapsed() < budget || runs == 0 {
        black_box(pdf_document("bench.pdf", black_box(bytes), &options()).expect("reads"));
        runs += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "read pdf {label:<22} {:>8.2} ms/read  ({} bytes, {runs} runs)",
        seconds * 1e3 / runs as f64,
        bytes.len()
    );
}

/// Reads `bytes` in a fresh process and returns its peak memory in KiB and
/// the number of blocks read.
fn child_peak(label: &str, bytes: &[u8]) {
    let path =
        std::env::temp_dir().join(format!("rapporteur-pdf-bench-{}.pdf", std::process::id()));
    std::fs::write(&path, bytes).expect("a scratch file");
    let output = Command::new(std::env::current_exe().expect("this bench"))
        .env(CHILD, &path)
        .output()
        .expect("the child runs");
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&output.stdout);
    println!("read pdf {label:<22} {}", text.trim());
}

fn main() {
    if let Ok(path) = std::env::var(CHILD) {
        let bytes = std::fs::read(path).expect("the scratch file");
        let before = peak_rss_kib(None);
        let started = Instant::now();
        let document = pdf_document("bench.pdf", &bytes, &options()).expect("reads");
        println!(
            "{:>8.1} ms, peak RSS {:.1} MB (the file loaded: {:.1} MB; {} bytes, {} blocks)",
            started.elapsed().as_secs_f64() * 1e3,
            peak_rss_kib(None) as f64 / 1024.0,
            before as f64 / 1024.0,
            bytes.len(),
            document.blocks.len()
        );
        return;
    }
    let seed =
        parse_summary("seed.txt", SEED.as_bytes(), &ParseOptions::default()).expect("parses");
    let seed_pdf = render(
        &seed,
        &PdfOptions {
            page_millimetres: (210.0, 297.0),
            font_dir: None,
        },
    )
    .expect("renders");
    let pages = lopdf::Document::load_mem(&seed_pdf)
        .expect("loads")
        .get_pages()
        .len();
    let thirty = long_pdf(30);
    assert!(
        !pdf_document("30.pdf", &thirty, &options())
            .expect("reads")
            .blocks
            .is_empty()
    );
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    measure(
        &format!("seed ({pages} pages)"),
        &seed_pdf,
        Duration::from_secs(3),
    );
    measure("3 dense pages", &long_pdf(3), Duration::from_secs(3));
    let three_hundred = long_pdf(300);
    measure("30 pages", &thirty, Duration::from_secs(2));
    measure("300 pages", &three_hundred, Duration::from_secs(3));
    child_peak("30 pages, own process", &thirty);
    child_peak("300 pages, own process", &three_hundred);
}

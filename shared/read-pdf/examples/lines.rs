//! Prints a PDF's rows page by page as the reader sees them (position,
//! size, bold ranges, list marker), then the blocks it gives the summary
//! reader: `cargo run -p rapporteur-read-pdf --example lines -- FILE.pdf`.

use rapporteur_parse::ParseOptions;

fn main() {
    let path = std::env::args().nth(1).expect("usage: lines FILE.pdf");
    let bytes = std::fs::read(&path).expect("a readable file");
    let options = ParseOptions {
        max_bytes: usize::MAX,
    };
    for (index, page) in rapporteur_read_pdf::page_rows_of(&bytes).iter().enumerate() {
        println!("== page {} ({} x {})", index + 1, page.width, page.height);
        for row in &page.rows {
            for s in &row.segments {
                println!(
                    "{:6.1} {:6.1}-{:6.1} {:4.1} {:?} {:?} {}",
                    s.y, s.x0, s.x1, s.size, s.marker, s.bold, s.text
                );
            }
        }
    }
    match rapporteur_read_pdf::pdf_document(&path, &bytes, &options) {
        Ok(document) => {
            for b in document.blocks {
                println!(
                    "{:4} {:?} level {} gap {} bold {:?}: {}",
                    b.line, b.role, b.level, b.gap_before, b.bold, b.text
                );
            }
            for (line, w) in document.warnings {
                println!("warning line {line}: {w}");
            }
        }
        Err(e) => println!("{e}"),
    }
}

//! Reading time of a typical saved session page: 36 KB, two thirds of
//! it chrome (an inline stylesheet and scripts, a menu, a cookie banner,
//! breadcrumbs, share links, a sidebar, a footer), the rest a summary with
//! twenty speaker items, a line-up table and recommendations. Prints
//! milliseconds per read, for the page's blocks alone and for the whole
//! summary. Run with `make bench`; under `cargo test` it only checks that
//! the page reads.

use std::fmt::Write;
use std::hint::black_box;
use std::time::{Duration, Instant};

use rapporteur_parse::ParseOptions;
use rapporteur_read_html::{html_document, read_html_summary};

fn page() -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Summary of Side Event: Connecting the Last Mile | WSIS Forum</title><style>",
    );
    for i in 0..150 {
        let _ = writeln!(
            html,
            ".c{i}{{margin:{i}px;padding:0 {i}px;color:#{i:03x};font:14px/1.4 sans-serif}}"
        );
    }
    html.push_str("</style><script>");
    for i in 0..120 {
        let _ = writeln!(
            html,
            "window.track{i}=function(e){{if(e<{i}){{dataLayer.push({{'event':'t{i}'}});}}}};"
        );
    }
    html.push_str(
        "</script></head><body><a class=\"skip-link\" href=\"#main\">Skip to content</a>",
    );
    html.push_str("<header class=\"site-header\"><div class=\"brand\">WSIS Forum</div><nav><ul>");
    for i in 0..40 {
        let _ = write!(
            html,
            "<li class=\"menu-item\"><a href=\"/section/{i}/\">Section {i}</a></li>"
        );
    }
    html.push_str(
        "</ul></nav><form role=\"search\"><input name=\"q\"><button>Search</button></form></header>\
         <div class=\"cookie-banner\"><p>We use cookies to improve your experience.</p>\
         <button>Accept all</button></div>\
         <nav class=\"breadcrumbs\"><ol><li>Home</li><li>Outcomes</li><li>Side events</li></ol></nav>\
         <main id=\"main\"><article><h1>Summary of Side Event: Connecting the Last Mile</h1>\
         <p>8 March 2023, 10:00–11:15 CET</p><h2>Background on the event</h2>",
    );
    for _ in 0..3 {
        html.push_str(
            "<p>Close to a third of humanity remains offline, and most of those people live in \
             rural and remote areas where commercial operators see little return on investment. \
             Community networks have emerged as a practical complement to national plans.</p>",
        );
    }
    html.push_str("<h2>Key Issues discussed</h2><ul>");
    for i in 0..20 {
        let _ = write!(
            html,
            "<li><strong>Ms. Speaker Number{i}</strong>, Head of Policy, Communications \
             Commission (NCC) explained how the Commission had opened a light-touch licence \
             category for community operators, and noted that fees had been set at a symbolic \
             level so that cooperatives could apply without legal support.</li>"
        );
    }
    html.push_str(
        "</ul><h2>Speakers</h2><table><thead><tr><th>Name</th><th>Title</th>\
         <th>Organization</th></tr></thead><tbody>",
    );
    for i in 0..20 {
        let _ = write!(
            html,
            "<tr><td>Ms. Speaker Number{i}</td><td>Head of Policy</td><td>Commission {i}</td></tr>"
        );
    }
    html.push_str("</tbody></table><h2>Key recommendations for action</h2><ul>");
    for _ in 0..8 {
        html.push_str(
            "<li>Regulators should create simple, low-cost licensing categories for community \
             and small operators.</li>",
        );
    }
    html.push_str(
        "</ul><div class=\"share\"><span>Share on:</span> <a href=\"#\">Facebook</a> \
         <a href=\"#\">LinkedIn</a></div></article><aside class=\"sidebar\"><h2>Related sessions</h2><ul>",
    );
    for i in 0..30 {
        let _ = write!(
            html,
            "<li><a href=\"/session/{i}/\">A related session on topic {i}</a></li>"
        );
    }
    html.push_str("</ul></aside></main><footer class=\"site-footer\"><ul>");
    for i in 0..40 {
        let _ = write!(
            html,
            "<li><a href=\"/footer/{i}/\">Footer link {i}</a></li>"
        );
    }
    html.push_str("</ul><p>© 2023 ITU. All rights reserved.</p></footer></body></html>");
    html
}

fn measure(label: &str, budget: Duration, mut read: impl FnMut()) {
    let started = Instant::now();
    let mut runs = 0u64;
    while started.elapsed() < budget {
        read();
        runs += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "read-html {label:<18} {:>8.2} ms/read  ({runs} runs)",
        seconds * 1e3 / runs as f64
    );
}

fn main() {
    let page = page();
    let options = ParseOptions::default();
    let summary =
        read_html_summary("bench.html", page.as_bytes(), &options).expect("the page reads");
    assert_eq!(summary.key_issues.len(), 20);
    assert_eq!(summary.recommendations.len(), 8);
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    println!("read-html page of {} bytes", page.len());
    measure("blocks", Duration::from_secs(3), || {
        black_box(html_document("bench.html", black_box(page.as_bytes()), &options).unwrap());
    });
    measure("whole summary", Duration::from_secs(3), || {
        black_box(read_html_summary("bench.html", black_box(page.as_bytes()), &options).unwrap());
    });
}

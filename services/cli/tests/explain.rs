//! `rapporteur explain FILE`: the reading of a document, block by block, so
//! that a user whose summary came out wrong can see where.

use std::process::Command;

fn explain(path: &std::path::Path) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_rapporteur"))
        .arg("explain")
        .arg(path)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn every_block_says_what_it_became_and_where_it_went() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.txt");
    std::fs::write(
        &path,
        "Share on: Facebook\n\nSummary of Workshop: Open Maps\n\n2 May 2023\n\n\
         Key Issues discussed\n\n- Ms. Ana Soto, Mapping Lead, Open Relief, explained that maps help.\n\n\
         Recommendations\n\n- Share imagery.\n",
    )
    .unwrap();
    let (ok, out) = explain(&path);
    assert!(ok, "{out}");
    let line = |n: usize| {
        out.lines()
            .find(|l| l.trim_start().starts_with(&format!("{n} ")))
            .unwrap_or_else(|| panic!("no line {n} in\n{out}"))
    };
    assert!(
        line(1).contains("furniture") && line(1).contains("dropped"),
        "{out}"
    );
    assert!(line(1).contains("'Share on' line"), "{out}");
    assert!(line(3).contains("title"), "{out}");
    assert!(
        line(7).contains("heading") && line(7).contains("key issues"),
        "{out}"
    );
    assert!(line(9).contains("key issue 1"), "{out}");
    assert!(
        line(9).contains("[Ms.] Ana Soto | role: Mapping Lead | organisation: Open Relief"),
        "{out}"
    );
    assert!(line(13).contains("recommendation 1"), "{out}");
    assert!(out.contains("accepted:"), "{out}");
    assert!(out.contains("line 1: dropped a 'Share on' line"), "{out}");
}

#[test]
fn a_rejected_document_says_why_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("press.txt");
    std::fs::write(
        &path,
        "PRESS RELEASE\n\nForum opens\n\nGeneva, 3 May 2023 – The forum opened today.\n",
    )
    .unwrap();
    let (ok, out) = explain(&path);
    assert!(!ok);
    assert!(out.contains("rejected (not_a_summary)"), "{out}");
    assert!(out.contains("a press release"), "{out}");
}

//! The HTML reader on small hand-written pages, one per pattern: chrome left
//! out by structure, headings and bold speakers, lists, tables, `<br>`
//! pseudo-headings, collapsible sections, declared charsets, limits, and
//! inputs that are not pages.

use rapporteur_parse::{Block, ParseOptions, RejectKind, Role};
use rapporteur_read_html::{html_document, read_html_summary};

fn blocks(html: &str) -> Vec<Block> {
    html_document("page.html", html.as_bytes(), &ParseOptions::default())
        .expect("the page is read")
        .blocks
}

fn texts(blocks: &[Block]) -> Vec<&str> {
    blocks.iter().map(|b| b.text.as_str()).collect()
}

fn bold_text(block: &Block) -> Vec<&str> {
    block.bold.iter().map(|&(s, e)| &block.text[s..e]).collect()
}

fn reject(bytes: &[u8]) -> RejectKind {
    html_document("page.html", bytes, &ParseOptions::default())
        .expect_err("the input is rejected")
        .kind
}

/// A page's chrome around `content`, every kind a CMS puts there.
fn page(content: &str) -> String {
    format!(
        r##"<!DOCTYPE html><html><head><title>Site | Page</title>
<style>.x{{color:red}}</style><script>var menu = "Menu item";</script></head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><div class="brand">Forum Site Name</div>
<nav><ul><li><a href="/">Home link</a></li><li><a href="/a">About link</a></li></ul></nav>
<form role="search"><input name="q"><button>Search button</button></form></header>
<div id="cookie-notice"><p>We use cookies on this site.</p><button>Accept</button></div>
<nav class="breadcrumbs"><a href="/">Breadcrumb home</a></nav>
<main>{content}
<div class="share-buttons"><span>Share on:</span> <a href="#">Facebook</a></div>
<aside><h2>Related sessions</h2><ul><li>Another session</li></ul></aside>
</main>
<footer><p>Copyright footer line</p></footer>
<noscript>Enable JavaScript</noscript>
</body></html>"##
    )
}

#[test]
fn chrome_is_left_out_by_structure() {
    let read = blocks(&page("<h1>The Session</h1><p>What was said.</p>"));
    assert_eq!(texts(&read), ["The Session", "What was said."]);
}

#[test]
fn chrome_named_by_class_stays_out_only_while_it_is_small() {
    // A theme's wrapper named after its sidebar holds the content itself.
    let read = blocks(
        r#"<body><div class="content-with-sidebar"><h1>Title</h1><p>The whole text of the page.</p>
        <div class="social-links">Follow us</div></div></body>"#,
    );
    assert_eq!(texts(&read), ["Title", "The whole text of the page."]);
}

#[test]
fn the_content_is_the_largest_article_else_a_content_container() {
    let read = blocks(
        r#"<body><article><p>Teaser</p></article>
        <article><h1>Report</h1><p>The long report text of the session.</p></article></body>"#,
    );
    assert_eq!(
        texts(&read),
        ["Report", "The long report text of the session."]
    );
    let read = blocks(
        r#"<body><div id="top">Top bar text</div><h1 class="entry-title">Post title</h1>
        <div class="entry-content"><p>Post text.</p></div><div>Bottom text</div></body>"#,
    );
    // The title above the content container is read first.
    assert_eq!(texts(&read), ["Post title", "Post text."]);
    assert_eq!(read[0].role, Role::Heading(1));
}

#[test]
fn a_header_inside_the_article_is_kept_and_the_site_banner_is_not() {
    let read = blocks(
        r#"<body><header><h1>Site name</h1></header><article>
        <header class="entry-header"><h1>Post title</h1></header><p>Text.</p></article></body>"#,
    );
    assert_eq!(texts(&read), ["Post title", "Text."]);
}

#[test]
fn a_title_block_header_without_navigation_is_the_documents_title() {
    // What pandoc and static site generators write for a document.
    let read = blocks(
        r#"<body><header id="title-block-header"><h1 class="title">The Report</h1>
        <p class="date">8 March 2023</p></header><h2>Background</h2><p>Text.</p></body>"#,
    );
    assert_eq!(
        texts(&read),
        ["The Report", "8 March 2023", "Background", "Text."]
    );
}

#[test]
fn consent_tools_are_chrome_by_their_ids() {
    let read = blocks(
        r#"<main><div id="CybotCookiebotDialog">We value your privacy.</div>
        <div class="cmplz-cookiebanner"><p>Functional only</p></div>
        <p>The session's report, longer than any banner on the page.</p></main>"#,
    );
    assert_eq!(
        texts(&read),
        ["The session's report, longer than any banner on the page."]
    );
}

#[test]
fn a_form_that_wraps_the_page_is_the_page() {
    // ASP.NET WebForms put the whole body in one <form> (HTML has no
    // nested forms, so its search box is a <div>).
    let read = blocks(
        r#"<body><form id="aspnetForm" method="post"><h1>Session report</h1>
        <p>The whole report of the session, as the page shows it.</p>
        <div role="search"><input name="q"><span>Search the site</span></div></form></body>"#,
    );
    assert_eq!(
        texts(&read),
        [
            "Session report",
            "The whole report of the session, as the page shows it."
        ]
    );
}

#[test]
fn hidden_elements_are_not_read() {
    let read = blocks(
        r#"<main><p>Shown.</p><p hidden>Hidden.</p><div style="display: none">Gone.</div>
        <span aria-hidden="true">Icon</span></main>"#,
    );
    assert_eq!(texts(&read), ["Shown."]);
}

#[test]
fn headings_map_to_their_levels() {
    let read =
        blocks("<main><h1>Title</h1><h2>Background</h2><p>x</p><h3>Sub</h3><h1>Again</h1></main>");
    let roles: Vec<Role> = read.iter().map(|b| b.role).collect();
    assert_eq!(
        roles,
        [
            Role::Heading(1),
            Role::Heading(2),
            Role::Text,
            Role::Heading(3),
            Role::Heading(1)
        ]
    );
}

#[test]
fn bold_speaker_names_are_marked_bold() {
    let read = blocks(
        r#"<main><ul><li><strong>Ms.&nbsp;Ana Ruiz</strong>, Director, ICT Ministry said so.</li>
        <li><span style="font-weight: 700">Mr. Bo Li</span> agreed.</li>
        <li><b><span style="font-weight: 400">Dr. No</span></b> left.</li></ul></main>"#,
    );
    assert_eq!(
        read[0].text,
        "Ms. Ana Ruiz, Director, ICT Ministry said so."
    );
    assert_eq!(bold_text(&read[0]), ["Ms. Ana Ruiz"]);
    assert_eq!(bold_text(&read[1]), ["Mr. Bo Li"]);
    // An inline weight of 400 inside <b> is not bold.
    assert!(read[2].bold.is_empty());
}

#[test]
fn a_bold_speaker_item_becomes_a_key_issue_with_its_speaker() {
    let html = page(
        r#"<h1>Summary of Side Event: Rural Networks</h1><p>8 March 2023, 10:00–11:15 CET</p>
        <h2>Key Issues discussed</h2><ul>
        <li><strong>Ms. Ana Ruiz</strong>, Director, Ministry of ICT explained the licence reform.</li>
        <li><strong>Mr. Bo Li</strong>, Engineer, Mesh Co. described the network.</li></ul>
        <h2>Key recommendations</h2><ul><li>Regulators should simplify licences.</li></ul>"#,
    );
    let summary = read_html_summary("page.html", html.as_bytes(), &ParseOptions::default())
        .expect("a summary");
    let json: serde_json::Value = serde_json::from_slice(&summary.to_json()).unwrap();
    assert_eq!(json["source"]["format"], "html");
    assert_eq!(json["event"]["title"], "Rural Networks");
    let issue = &json["key_issues"][0];
    assert_eq!(issue["speaker"]["name"], "Ana Ruiz");
    assert_eq!(issue["speaker"]["role"], "Director");
    assert_eq!(json["recommendations"].as_array().unwrap().len(), 1);
}

#[test]
fn the_title_is_judged_from_the_words_not_taken_from_the_first_h1() {
    // LibreOffice writes Word's Title style as a large <p> and the first
    // Heading 1 ("Background") as the page's first <h1>.
    let html = r#"<html><body><p style="font-size: 26pt">Digital Skills for Public Servants</p>
        <p><i>Side Event · 16 March 2023, 10:00–11:00 CET</i></p>
        <h1>Background</h1><p>Governments are moving services online faster than their staff can adapt.</p>
        <h1>Key issues discussed</h1><ul><li><b>Ms. Olga Kovalenko</b>, Head of the Digital Academy,
        Ministry of Digital Transformation, described an online academy.</li></ul></body></html>"#;
    let summary = read_html_summary("page.html", html.as_bytes(), &ParseOptions::default())
        .expect("a summary");
    let json: serde_json::Value = serde_json::from_slice(&summary.to_json()).unwrap();
    assert_eq!(json["event"]["title"], "Digital Skills for Public Servants");
    assert_eq!(json["event"]["type"], "Side Event");
}

#[test]
fn list_items_carry_their_depth() {
    let read = blocks(
        "<main><ul><li>One<ul><li>One a</li></ul></li><li>Two</li></ul><ol><li><p>Three</p><p>More</p></li></ol></main>",
    );
    let items: Vec<(Role, u8, &str)> = read
        .iter()
        .map(|b| (b.role, b.level, b.text.as_str()))
        .collect();
    assert_eq!(
        items,
        [
            (Role::Item, 0, "One"),
            (Role::Item, 1, "One a"),
            (Role::Item, 0, "Two"),
            (Role::Item, 0, "Three"),
            (Role::Text, 0, "More"),
        ]
    );
}

#[test]
fn an_ordered_list_of_one_is_a_numbered_line() {
    let read = blocks(
        r#"<main><ol start="2"><li>Summary of Issues Discussed</li></ol>
        <ul><li>One issue.</li></ul><ol><li>First</li><li>Second</li></ol></main>"#,
    );
    let roles: Vec<(Role, &str)> = read.iter().map(|b| (b.role, b.text.as_str())).collect();
    assert_eq!(
        roles,
        [
            (Role::Text, "2. Summary of Issues Discussed"),
            (Role::Item, "One issue."),
            (Role::Item, "First"),
            (Role::Item, "Second"),
        ]
    );
}

#[test]
fn a_line_up_table_gives_one_item_per_row() {
    let read = blocks(
        "<main><table><thead><tr><th>Name</th><th>Title</th><th>Organization</th></tr></thead>
        <tbody><tr><td>Ms. Ana Ruiz</td><td>Director</td><td>Ministry of ICT, Peru</td></tr></tbody></table></main>",
    );
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].role, Role::Item);
    assert_eq!(
        read[0].text,
        "Ms. Ana Ruiz, Director, Ministry of ICT, Peru"
    );
}

#[test]
fn a_line_up_cell_broken_into_lines_is_one_entry() {
    let read = blocks(
        "<main><table><tr><th>Speaker</th><th>Organization</th></tr>
        <tr><td>Ms. Ana Ruiz<br>Director</td><td>ITU</td></tr></table></main>",
    );
    assert_eq!(texts(&read), ["Ms. Ana Ruiz Director, ITU"]);
}

#[test]
fn a_two_column_form_table_gives_labels_and_answers() {
    let read = blocks(
        "<main><table><tr><td>Session Type</td><td>Workshop</td></tr>
        <tr><td>Key Takeaways</td><td><p>One.</p><p>Two.</p></td></tr></table></main>",
    );
    let roles: Vec<(Role, &str)> = read.iter().map(|b| (b.role, b.text.as_str())).collect();
    assert_eq!(
        roles,
        [
            (Role::Label, "Session Type"),
            (Role::Text, "Workshop"),
            (Role::Label, "Key Takeaways"),
            (Role::Text, "One."),
            (Role::Text, "Two."),
        ]
    );
}

#[test]
fn line_breaks_split_lines_but_not_sentences() {
    let read = blocks(
        "<main><p><b>Summary of Workshop: Rights Online</b><br>\n 4 May 2021, 16:00 to 17:00 CEST</p>
        <p><b>Key recommendations</b></p>
        <p>- Ground rules in rights.<br>\n- Invest in languages and<br>\nin people.</p>
        <p>Room 2<br>Geneva</p></main>",
    );
    assert_eq!(
        texts(&read),
        [
            "Summary of Workshop: Rights Online",
            "4 May 2021, 16:00 to 17:00 CEST",
            "Key recommendations",
            "- Ground rules in rights.",
            "- Invest in languages and in people.",
            "Room 2",
            "Geneva",
        ]
    );
    assert!(read[0].all_bold());
    // Lines split from one paragraph follow it without a gap.
    assert!(read[0].gap_before && !read[1].gap_before);
}

#[test]
fn lettered_and_numbered_lines_split_as_items() {
    let read = blocks(
        "<main><p><b>Recommendations</b><br>(a) First one.<br>(b) Second one.<br>\
        12) Twelfth.<br>ii. Roman.<br>1.5 million people joined.</p></main>",
    );
    assert_eq!(
        texts(&read),
        [
            "Recommendations",
            "(a) First one.",
            "(b) Second one.",
            "12) Twelfth.",
            "ii. Roman.",
            "1.5 million people joined.",
        ]
    );
}

#[test]
fn a_collapsible_section_title_is_a_heading_said_once() {
    let read = blocks(
        "<main><details open><summary>Session at a glance</summary><h3>Summary</h3><p>Text.</p></details>
        <details><summary>Speakers</summary><p><strong>Speakers:</strong></p><ul><li>A B, Org</li></ul></details></main>",
    );
    let roles: Vec<(Role, &str)> = read.iter().map(|b| (b.role, b.text.as_str())).collect();
    assert_eq!(
        roles,
        [
            (Role::Heading(2), "Session at a glance"),
            (Role::Heading(3), "Summary"),
            (Role::Text, "Text."),
            (Role::Text, "Speakers:"),
            (Role::Item, "A B, Org"),
        ]
    );
}

#[test]
fn definition_terms_are_labels() {
    let read = blocks("<main><dl><dt>Moderator</dt><dd>Ms. Ana Ruiz</dd></dl></main>");
    assert_eq!(read[0].role, Role::Label);
    assert_eq!(read[1].role, Role::Text);
}

#[test]
fn entities_are_decoded() {
    let read = blocks(
        "<main><p>Research &amp; Development &ndash; R&eacute;sum&eacute; &#8220;q&#x201D;</p></main>",
    );
    assert_eq!(read[0].text, "Research & Development – Résumé “q”");
}

#[test]
fn a_declared_windows_1252_page_is_decoded_as_declared() {
    let mut bytes = b"<html><head><meta charset=\"windows-1252\"></head><body><main><p>".to_vec();
    // "Résumé – “café”" in windows-1252.
    bytes.extend_from_slice(b"R\xe9sum\xe9 \x96 \x93caf\xe9\x94");
    bytes.extend_from_slice(b"</p></main></body></html>");
    let read = html_document("page.html", &bytes, &ParseOptions::default()).unwrap();
    assert_eq!(read.blocks[0].text, "Résumé – “café”");
}

#[test]
fn an_http_equiv_declaration_is_honoured() {
    let mut bytes =
        b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">"
            .to_vec();
    bytes.extend_from_slice(b"</head><body><p>Fran\xe7ais</p></body></html>");
    let read = html_document("page.html", &bytes, &ParseOptions::default()).unwrap();
    assert_eq!(read.blocks[0].text, "Français");
}

#[test]
fn a_utf16_page_with_a_byte_order_mark_is_read() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "<html><body><p>Año</p></body></html>".encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let read = html_document("page.html", &bytes, &ParseOptions::default()).unwrap();
    assert_eq!(read.blocks[0].text, "Año");
}

#[test]
fn deep_nesting_is_rejected_before_parsing_and_never_crashes() {
    let deep = format!(
        "<html><body>{}<p>deep</p></body></html>",
        "<div>".repeat(100_000)
    );
    let error = html_document("page.html", deep.as_bytes(), &ParseOptions::default())
        .expect_err("too deep");
    assert_eq!(error.kind, RejectKind::TooLarge);
    assert!(error.message.contains("512"), "{}", error.message);
}

#[test]
fn nesting_within_the_limit_is_read() {
    let html = format!(
        "<main>{}<p>at the bottom</p>{}</main>",
        "<div><section>".repeat(200),
        "</section></div>".repeat(200)
    );
    assert_eq!(texts(&blocks(&html)), ["at the bottom"]);
}

#[test]
fn too_many_elements_are_rejected() {
    let html = format!("<main>{}</main>", "<span>x</span>".repeat(60_000));
    let options = ParseOptions {
        max_bytes: 10 * 1024 * 1024,
    };
    let error = html_document("page.html", html.as_bytes(), &options).expect_err("too many");
    assert_eq!(error.kind, RejectKind::TooLarge);
}

#[test]
fn inputs_that_are_not_pages_are_rejected_with_their_reason() {
    assert_eq!(reject(b""), RejectKind::Empty);
    assert_eq!(reject(b"  \n "), RejectKind::Empty);
    assert_eq!(reject(b"PK\x03\x04\0\0binary"), RejectKind::Binary);
    assert_eq!(reject(b"Just a line of text."), RejectKind::CorruptDocument);
    // A page of chrome only has nothing to read.
    assert_eq!(
        reject(b"<html><body><nav>Home</nav><footer>Copyright</footer></body></html>"),
        RejectKind::Empty
    );
    let big = vec![b' '; 100];
    let error = html_document("page.html", &big, &ParseOptions { max_bytes: 10 }).unwrap_err();
    assert_eq!(error.kind, RejectKind::TooLarge);
}

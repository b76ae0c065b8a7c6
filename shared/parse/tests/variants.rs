//! One fixture per family of real-world variation, with exact expectations.
//! Fixtures that make good examples live in `examples/` (converted by
//! `make run`); debris and rejection fixtures live in `tests/fixtures/`.

use rapporteur_model::{EventSummary, KeyIssue, Section, Speaker};
use rapporteur_parse::{ParseOptions, RejectKind, parse_summary};

fn parse(path: &str) -> EventSummary {
    let bytes = std::fs::read(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    parse_summary(path, &bytes, &ParseOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn speaker(
    honorific: Option<&str>,
    name: &str,
    role: Option<&str>,
    organization: Option<&str>,
) -> Option<Speaker> {
    Some(Speaker {
        honorific: honorific.map(str::to_string),
        name: name.to_string(),
        role: role.map(str::to_string),
        organization: organization.map(str::to_string),
    })
}

fn issue(speaker: Option<Speaker>, text: &str) -> KeyIssue {
    KeyIssue {
        speaker,
        text: text.to_string(),
    }
}

fn when(s: &EventSummary) -> [Option<&str>; 5] {
    let e = &s.event;
    [
        &e.date,
        &e.end_date,
        &e.start_time,
        &e.end_time,
        &e.timezone,
    ]
    .map(|v| v.as_deref())
}

fn warned(s: &EventSummary, line: usize, fragment: &str) -> bool {
    s.warnings
        .iter()
        .any(|w| w.line == line && w.message.contains(fragment))
}

#[test]
fn type_prefix_markdown_headings_and_parenthesised_attributions() {
    let s = parse("examples/knowledge-cafe-digital-skills.md");
    assert_eq!(s.event.kind.as_deref(), Some("Knowledge Café"));
    assert_eq!(s.event.title, "Digital Skills for Everyone");
    assert_eq!(
        when(&s),
        [
            Some("2023-01-31"),
            None,
            Some("14:30"),
            Some("15:45"),
            Some("UTC+01:00")
        ]
    );
    assert_eq!(s.language, "en");
    assert_eq!(
        s.background,
        [
            "Digital skills decide who benefits from connectivity. This café brought together trainers, ministries and companies to compare what works when adults learn digital skills late in life.",
            "The discussion built on the WSIS Action Line C4 (Capacity building) and on the results of the 2022 Knowledge Café.",
        ]
    );
    assert_eq!(
        s.key_issues,
        [
            issue(
                speaker(
                    Some("Dr"),
                    "Amina Yusuf",
                    Some("Head of Skills"),
                    Some("Nigerian Communications Commission (NCC)")
                ),
                "stressed that community centres reach people whom online courses never reach."
            ),
            issue(
                speaker(
                    Some("H.E. Ms."),
                    "Clara Jensen",
                    Some("Minister of Digital Affairs"),
                    Some("Government of Denmark")
                ),
                "described the national voucher scheme for senior citizens."
            ),
            issue(
                speaker(
                    Some("Prof."),
                    "Li Na",
                    Some("Dean"),
                    Some("School of Information, Tsinghua University")
                ),
                "noted that curricula age within two years."
            ),
            issue(
                None,
                "Several participants asked for open training material in local languages."
            ),
        ]
    );
    assert_eq!(
        s.recommendations,
        [
            "Fund community trainers alongside connectivity projects.",
            "Publish training material under open licences.",
            "Measure skills, not only subscriptions."
        ]
    );
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn repeated_title_numbered_lists_and_unmarked_speakers() {
    let s = parse("examples/ai-health-workshop.txt");
    assert_eq!(s.event.kind.as_deref(), Some("Workshop"));
    assert_eq!(s.event.title, "AI and Health in Low-Resource Settings");
    assert!(warned(&s, 3, "title, repeated"));
    assert_eq!(
        when(&s),
        [
            Some("2023-10-10"),
            None,
            Some("06:15"),
            Some("07:45"),
            Some("UTC")
        ]
    );
    assert_eq!(s.background.len(), 1);
    assert_eq!(
        s.key_issues,
        [
            issue(
                speaker(
                    None,
                    "ODHIAMBO Grace",
                    Some("Chief Data Officer"),
                    Some("Kenya Medical Research Institute (KEMRI)")
                ),
                "explained that local data sets are small and unevenly labelled."
            ),
            issue(
                speaker(
                    None,
                    "JOHN SMITH",
                    Some("Director"),
                    Some("Health Systems Lab, Tech4Good Co., Ltd.")
                ),
                "argued that models must be validated in the clinics where they are used."
            ),
            issue(
                speaker(
                    Some("Ms"),
                    "Priya Raman",
                    Some("Senior Advisor"),
                    Some("Ministry of Health and Family Welfare, India")
                ),
                "presented the national telemedicine platform."
            ),
            issue(
                None,
                "Regulators are still learning how to certify software that changes after approval."
            ),
        ]
    );
    assert_eq!(
        s.recommendations,
        [
            "Share anonymised training data between ministries of health.",
            "Validate every model locally before deployment.",
            "Train health workers to question machine output."
        ]
    );
}

#[test]
fn no_type_labelled_details_extra_sections_and_unbulleted_speakers() {
    let s = parse("examples/small-islands-connectivity.txt");
    assert_eq!(s.event.kind, None);
    assert_eq!(
        s.event.title,
        "Bridging the Digital Divide in Small Island Developing States"
    );
    assert_eq!(
        when(&s),
        [Some("2023-09-16"), None, Some("14:15"), Some("15:45"), None]
    );
    assert!(s.background.is_empty());
    assert_eq!(
        s.key_issues,
        [
            issue(
                speaker(
                    Some("Mr."),
                    "Tevita Fifita",
                    Some("CEO"),
                    Some("Tonga Cable Ltd.")
                ),
                "explained that a single submarine cable leaves an island offline for weeks after an eruption."
            ),
            issue(
                speaker(
                    Some("Dr."),
                    "Sara Mahmoud",
                    Some("Researcher"),
                    Some("University of the South Pacific")
                ),
                "noted that satellite capacity has become affordable for schools."
            ),
            // "Main outcomes" are discussion points, as the corpus README has it.
            issue(None, "Operators agreed to share outage data."),
        ]
    );
    let section = |heading: &str, paragraphs: &[&str], items: &[&str]| Section {
        heading: heading.to_string(),
        paragraphs: paragraphs.iter().map(|s| s.to_string()).collect(),
        items: items.iter().map(|s| s.to_string()).collect(),
    };
    assert_eq!(
        s.other_sections,
        [
            section(
                "Moderator",
                &["Ms. Keisha Brown, ICT Officer, Caribbean Telecommunications Union (CTU)"],
                &[]
            ),
            section(
                "Speakers",
                &[],
                &[
                    "Mr. Tevita Fifita, CEO, Tonga Cable Ltd.",
                    "Dr. Sara Mahmoud, Researcher, University of the South Pacific"
                ]
            ),
            section(
                "Key achievements",
                &[],
                &["A regional fund for backup satellite links was announced."]
            ),
        ]
    );
    assert_eq!(
        s.recommendations,
        [
            "Plan a second cable route for every island state.",
            "Keep satellite backup for schools and hospitals."
        ]
    );
}

#[test]
fn french_summary() {
    let s = parse("examples/resume-atelier-cybersecurite.txt");
    assert_eq!(s.language, "fr");
    assert_eq!(s.event.kind.as_deref(), Some("Atelier"));
    assert_eq!(
        s.event.title,
        "La cybersécurité des petites entreprises en Afrique francophone"
    );
    assert_eq!(
        when(&s),
        [
            Some("2023-01-31"),
            None,
            Some("14:30"),
            Some("15:45"),
            Some("CET")
        ]
    );
    assert_eq!(s.background.len(), 1);
    assert_eq!(
        s.key_issues,
        [
            issue(
                speaker(
                    Some("M."),
                    "Jean Dupont",
                    Some("Directeur général"),
                    Some("Agence nationale des fréquences (ANFR)")
                ),
                "a souligné que la sensibilisation reste la mesure la moins coûteuse."
            ),
            issue(
                speaker(
                    Some("Mme"),
                    "Awa Diallo",
                    Some("Cheffe de projet"),
                    Some("Union internationale des télécommunications (UIT)")
                ),
                "a présenté le programme régional de formation des formateurs."
            ),
            issue(
                None,
                "La coopération entre les équipes nationales de réponse aux incidents doit être renforcée."
            ),
        ]
    );
    assert_eq!(s.recommendations.len(), 2);
}

#[test]
fn spanish_summary() {
    let s = parse("examples/resumen-taller-inclusion.txt");
    assert_eq!(s.language, "es");
    assert_eq!(s.event.kind.as_deref(), Some("Taller"));
    assert_eq!(
        s.event.title,
        "Inclusión digital en zonas rurales de América Latina"
    );
    assert_eq!(
        when(&s),
        [
            Some("2023-01-31"),
            None,
            Some("14:30"),
            Some("15:45"),
            Some("CET")
        ]
    );
    assert_eq!(
        s.key_issues,
        [
            issue(
                speaker(
                    Some("Sra."),
                    "María López",
                    Some("Directora"),
                    Some(
                        "Ministerio de Tecnologías de la Información y las Comunicaciones (MinTIC)"
                    )
                ),
                "destacó los centros digitales comunitarios de Colombia."
            ),
            issue(
                speaker(
                    Some("Sr."),
                    "Carlos Pérez",
                    Some("Investigador"),
                    Some("Universidad de Chile")
                ),
                "señaló que la sostenibilidad financiera es el principal desafío de las redes comunitarias."
            ),
        ]
    );
    assert_eq!(
        s.recommendations,
        [
            "Reservar espectro para redes comunitarias.",
            "Incluir la alfabetización digital en los planes de conectividad."
        ]
    );
}

#[test]
fn extraction_debris_is_removed_and_reported() {
    let s = parse("shared/parse/tests/fixtures/pdf-debris.txt");
    assert_eq!(s.event.title, "Open Data for Climate Resilience");
    assert_eq!(
        when(&s),
        [
            Some("2020-11-06"),
            None,
            Some("13:30"),
            Some("15:00"),
            Some("CET")
        ]
    );
    assert_eq!(
        s.background,
        [
            "The session explored how open climate data can inform local adaptation plans. Speakers from national meteorological services and city governments shared experiences of publishing data sets that communities actually use, and the “last mile” problem of turning data into decisions."
        ]
    );
    assert_eq!(
        s.key_issues,
        [
            issue(
                speaker(
                    Some("Ms."),
                    "Ingrid Solberg",
                    Some("Director"),
                    Some("Norwegian Meteorological Institute (MET Norway)")
                ),
                "highlighted that open weather data has created a market of local services and that userfriendly formats matter more than volume."
            ),
            issue(
                speaker(
                    Some("Mr."),
                    "Kofi Mensah",
                    Some("Head of Data"),
                    Some("Accra Metropolitan Assembly")
                ),
                "stressed that city officials need data at neighbourhood scale, which national services rarely publish."
            ),
            issue(
                None,
                "Several speakers called for common formats so that data from neighbouring coun-tries can be combined."
            ),
        ]
    );
    assert_eq!(s.recommendations.len(), 2);
    for (line, fragment) in [
        (3, "'Share on' line"),
        (5, "table-of-contents"),
        (6, "table-of-contents"),
        (12, "hyphenated across lines"),
        (15, "letter-spaced"),
        (18, "soft hyphens"),
        (20, "repeated header"),
        (21, "page number"),
        (25, "repeated header"),
        (26, "page number"),
    ] {
        assert!(
            warned(&s, line, fragment),
            "no warning '{fragment}' on line {line}: {:#?}",
            s.warnings
        );
    }
}

#[test]
fn bom_crlf_mojibake_and_multi_day_ranges() {
    let s = parse("shared/parse/tests/fixtures/crlf-bom-mojibake.txt");
    assert_eq!(s.event.kind.as_deref(), Some("High-Level Policy Session"));
    assert_eq!(
        s.event.title,
        "Ethical Dimensions of the Information Society"
    );
    assert_eq!(
        when(&s),
        [Some("2014-06-12"), Some("2014-06-13"), None, None, None]
    );
    assert_eq!(
        s.background,
        [
            "The session, chaired by Ms. Renée Lefèvre, looked at the Information Society’s ethical foundations."
        ]
    );
    assert!(warned(&s, 1, "byte-order mark"));
    assert!(warned(&s, 7, "mojibake"));
    assert!(
        s.background
            .iter()
            .chain(&s.recommendations)
            .all(|t| !t.contains('\r'))
    );
}

#[test]
fn arabic_chinese_and_cyrillic_names_time_before_date_and_two_zones() {
    let s = parse("shared/parse/tests/fixtures/multilingual-names.txt");
    assert_eq!(s.event.kind.as_deref(), Some("Open Forum"));
    assert_eq!(
        when(&s),
        [
            Some("2023-05-03"),
            None,
            Some("14:30"),
            Some("15:45"),
            Some("CET")
        ]
    );
    let names: Vec<_> = s
        .key_issues
        .iter()
        .map(|i| i.speaker.as_ref().unwrap())
        .collect();
    assert_eq!(names[0].name, "محمد بن سالم العتيبي");
    assert_eq!(names[0].role.as_deref(), Some("Director"));
    assert_eq!(
        names[0].organization.as_deref(),
        Some("Communications, Space and Technology Commission (CST)")
    );
    assert_eq!(names[1].name, "王伟");
    assert_eq!(
        names[1].organization.as_deref(),
        Some("China Academy of Information and Communications Technology (CAICT)")
    );
    assert_eq!(names[2].name, "Анна Петрова");
    assert_eq!(names[2].role.as_deref(), Some("Head of Policy"));
    assert_eq!(
        names[2].organization.as_deref(),
        Some("Coordination Center for TLD RU")
    );
    assert_eq!(
        s.key_issues[2].text,
        "stressed the value of Cyrillic domains for small businesses."
    );
}

fn reject(name: &str, bytes: &[u8], options: &ParseOptions) -> rapporteur_parse::ParseError {
    match parse_summary(name, bytes, options) {
        Ok(s) => panic!("{name} should be rejected, parsed as {s:?}"),
        Err(e) => e,
    }
}

#[test]
fn inputs_that_are_not_summaries_are_rejected_with_file_line_and_reason() {
    let options = ParseOptions::default();
    let e = reject("empty.txt", b"  \n\n\t\n", &options);
    assert_eq!(
        (e.kind, e.to_string().as_str()),
        (RejectKind::Empty, "empty.txt: the input is empty")
    );

    let template = std::fs::read(format!(
        "{}/tests/fixtures/empty-template.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let e = reject("template.txt", &template, &options);
    assert_eq!(e.kind, RejectKind::EmptyTemplate);
    assert_eq!(
        e.to_string(),
        "template.txt: line 5: a template with nothing filled in: the section headings have no text under them"
    );

    let press = std::fs::read(format!(
        "{}/tests/fixtures/press-release.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let e = reject("press.txt", &press, &options);
    assert_eq!(e.kind, RejectKind::NotASummary);
    assert_eq!(
        e.to_string(),
        "press.txt: line 1: not a session summary: a press release ('FOR IMMEDIATE RELEASE'), not a report of a session"
    );

    let e = reject("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &options);
    assert_eq!((e.kind, e.line), (RejectKind::Binary, Some(1)));
    assert_eq!(
        e.to_string(),
        "logo.png: line 1: binary data, not a text summary"
    );

    // Bytes no 8-bit encoding gives text for.
    let e = reject("noise.txt", b"Summary \xfd\xfc\xff\x81\n", &options);
    assert_eq!(e.kind, RejectKind::InvalidEncoding);
    assert_eq!(
        e.to_string(),
        "noise.txt: line 1: invalid UTF-8 at byte 9 of the file; save the file as UTF-8 and retry"
    );

    let seed = include_bytes!("../../../examples/wsis-cooperation-sdgs.txt");
    let e = reject("seed.txt", seed, &ParseOptions { max_bytes: 1000 });
    assert_eq!(e.kind, RejectKind::TooLarge);
    assert_eq!(
        e.to_string(),
        "seed.txt: input is 4844 bytes, over the limit of 1000 bytes; split it or raise the limit (--max-input-bytes)"
    );
}

#[test]
fn legacy_encodings_and_mojibake_beyond_windows_1252_are_read() {
    let seed = include_str!("../../../examples/wsis-cooperation-sdgs.txt");
    let utf8 = parse_summary("seed.txt", seed.as_bytes(), &ParseOptions::default()).unwrap();
    // The same summary saved by an old editor in Windows-1252, with an "é".
    let accented = seed.replace("Mr. Tomas Lamanauskas", "Mr. Tomás Lamanauskas");
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&accented);
    let s = parse_summary("seed-1252.txt", &bytes, &ParseOptions::default()).unwrap();
    assert_eq!(
        s.key_issues[0].speaker.as_ref().unwrap().name,
        "Tomás Lamanauskas"
    );
    assert_eq!(s.key_issues[1..], utf8.key_issues[1..]);
    assert!(warned(&s, 15, "the file is not UTF-8; decoded it as"));
    // UTF-8 once read as ISO-8859-1 (C1 controls where 1252 has "’"), and
    // UTF-8 misread as Windows-1252 twice.
    let latin1: String = "Summary of Side Event: Women’s Café"
        .bytes()
        .map(char::from)
        .collect();
    let twice: String = {
        let once: String = encoding_rs::WINDOWS_1252
            .decode_without_bom_handling("Café and Zoë".as_bytes())
            .0
            .into_owned();
        encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(once.as_bytes())
            .0
            .into_owned()
    };
    let text = format!(
        "{latin1}\n\n12 June 2023\n\nBackground\n\n{twice} met.\n\nRecommendations\n\n- Meet again.\n"
    );
    let s = parse_summary("mojibake.txt", text.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(s.event.title, "Women’s Café");
    assert_eq!(s.background, ["Café and Zoë met."]);
}

#[test]
fn utf16_with_bom_is_decoded_with_a_warning() {
    let seed = include_str!("../../../examples/wsis-cooperation-sdgs.txt");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(seed.encode_utf16().flat_map(u16::to_le_bytes));
    let s = parse_summary("seed-utf16.txt", &bytes, &ParseOptions::default()).unwrap();
    let utf8 = parse_summary("seed-utf16.txt", seed.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(s.key_issues, utf8.key_issues);
    assert!(warned(&s, 1, "decoded UTF-16LE"));
}

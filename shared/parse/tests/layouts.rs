//! One small fixture per layout pattern the reader knows, written from the
//! pattern (not copied from any real document): how summaries are accepted
//! by their content, how sections are found by meaning, how speakers,
//! fields, the line-up and each source's debris are read, and which other
//! kinds of document are rejected, each with its own reason.

use rapporteur_model::{EventSummary, KeyIssue, Speaker};
use rapporteur_parse::{ParseError, ParseOptions, RejectKind, parse_summary};

fn read(text: &str) -> EventSummary {
    parse_summary("fixture.txt", text.as_bytes(), &ParseOptions::default())
        .unwrap_or_else(|e| panic!("rejected: {e}\n{text}"))
}

fn reject(text: &str) -> ParseError {
    match parse_summary("fixture.txt", text.as_bytes(), &ParseOptions::default()) {
        Ok(s) => panic!("accepted: {s:#?}"),
        Err(e) => e,
    }
}

fn who(issue: &KeyIssue) -> [Option<&str>; 4] {
    match &issue.speaker {
        Some(s) => [
            s.honorific.as_deref(),
            Some(s.name.as_str()),
            s.role.as_deref(),
            s.organization.as_deref(),
        ],
        None => [None; 4],
    }
}

fn texts(issues: &[KeyIssue]) -> Vec<&str> {
    issues.iter().map(|k| k.text.as_str()).collect()
}

fn headings(s: &EventSummary) -> Vec<&str> {
    s.other_sections
        .iter()
        .map(|o| o.heading.as_str())
        .collect()
}

#[test]
fn an_unheaded_narrative_is_accepted_by_its_statements() {
    let s = read(
        "Water Data for Drought Response\n\n\
         3 October 2024, 10:00–11:00 CEST\n\n\
         The session looked at how open water data helps farmers plan for drought.\n\n\
         Ms Lena Park (Hydrologist, National Water Agency), opening the session, argued that gauges must report daily.\n\n\
         She added that farmers need the data by text message.\n\n\
         Mr Omar Diallo, Director at the Sahel Farmers Union, said that cooperatives share forecasts.\n\n\
         The moderator closed the session with thanks to the speakers.\n",
    );
    assert_eq!(s.event.title, "Water Data for Drought Response");
    assert_eq!(s.event.kind, None);
    assert_eq!(
        s.background,
        [
            "The session looked at how open water data helps farmers plan for drought.",
            "The moderator closed the session with thanks to the speakers."
        ]
    );
    assert_eq!(
        texts(&s.key_issues),
        [
            "opening the session, argued that gauges must report daily.",
            "She added that farmers need the data by text message.",
            "said that cooperatives share forecasts."
        ]
    );
    let park = [
        Some("Ms"),
        Some("Lena Park"),
        Some("Hydrologist"),
        Some("National Water Agency"),
    ];
    assert_eq!(who(&s.key_issues[0]), park);
    assert_eq!(
        who(&s.key_issues[1]),
        park,
        "a continuation keeps its speaker"
    );
    assert_eq!(
        who(&s.key_issues[2]),
        [
            Some("Mr"),
            Some("Omar Diallo"),
            Some("Director"),
            Some("Sahel Farmers Union")
        ]
    );
}

#[test]
fn headings_are_read_by_meaning() {
    let s = read(
        "Digital Public Goods in Practice\n\
         15 May 2024 14:00h - 15:00h UTC\n\n\
         Session at a glance\n\n\
         The session compared national platforms built as digital public goods.\n\n\
         Major discussion points:\n\n\
         – Reuse saves money only when the community maintains the code.\n\
         – Procurement rules rarely allow open licences.\n\n\
         Key Takeaways\n\n\
         Fund maintenance, not only launches.\n\n\
         Call to Action\n\n\
         Governments should publish the code they pay for.\n",
    );
    assert_eq!(s.event.kind, None);
    assert_eq!(s.event.start_time.as_deref(), Some("14:00"));
    assert_eq!(
        s.background,
        ["The session compared national platforms built as digital public goods."]
    );
    assert_eq!(
        texts(&s.key_issues),
        [
            "Reuse saves money only when the community maintains the code.",
            "Procurement rules rarely allow open licences."
        ]
    );
    assert!(s.key_issues.iter().all(|k| k.speaker.is_none()));
    assert_eq!(
        s.recommendations,
        [
            "Fund maintenance, not only launches.",
            "Governments should publish the code they pay for."
        ]
    );
}

#[test]
fn an_igf_form_with_fields_numbered_questions_and_hints() {
    let s = read(
        "IGF 2024 WS #77 Open Source in the Public Sector\n\n\
         Session Type:\nWorkshop\n\
         Date & Time: Monday, 16th December, 2024 (10:15 UTC) - Monday, 16th December, 2024 (11:45 UTC)\n\
         Organizer(s):\n\
         Organizer 1: Civil Society, Eastern European Group\n\
         Chair/Moderator: Ms. Ana Petrova, Open Code Network\n\
         Rapporteur/Notetaker: Mr. Ivo Lind, Tallinn University\n\
         List of speakers and their institutional affiliations (please indicate gender):\n\
         Speaker 1: Dr. Eva Novak, Senior Researcher, Charles University\n\n\
         1. Key Policy Questions and related issues\n\n\
         - Who maintains public code after the project ends?\n\n\
         2. Summary of Issues Discussed [150 words]\n\n\
         Dr. Eva Novak, Senior Researcher at Charles University, explained that audits find unmaintained code.\n\n\
         Participants agreed that budgets should cover maintenance.\n\n\
         Key Takeaways (* deadline 2 hours after session)\n\n\
         (a) Budget for maintenance.\n\
         (b) Publish code under open licences.\n",
    );
    assert_eq!(s.event.kind.as_deref(), Some("Workshop"));
    assert_eq!(s.event.title, "Open Source in the Public Sector");
    assert_eq!(s.event.session_code.as_deref(), Some("IGF 2024 WS #77"));
    assert_eq!(
        [
            s.event.date.as_deref(),
            s.event.start_time.as_deref(),
            s.event.end_time.as_deref(),
            s.event.timezone.as_deref()
        ],
        [
            Some("2024-12-16"),
            Some("10:15"),
            Some("11:45"),
            Some("UTC")
        ]
    );
    assert_eq!(
        headings(&s),
        [
            "Organizer(s)",
            "Chair/Moderator",
            "Rapporteur/Notetaker",
            "List of speakers and their institutional affiliations",
            "Key Policy Questions and related issues"
        ]
    );
    assert_eq!(s.key_issues.len(), 2);
    assert_eq!(
        who(&s.key_issues[0]),
        [
            Some("Dr."),
            Some("Eva Novak"),
            Some("Senior Researcher"),
            Some("Charles University")
        ]
    );
    assert_eq!(s.key_issues[1].speaker, None);
    assert_eq!(
        s.recommendations,
        [
            "Budget for maintenance.",
            "Publish code under open licences."
        ]
    );
    assert_eq!(
        s.lineup.organizers,
        ["Civil Society, Eastern European Group"]
    );
    assert_eq!(s.lineup.moderators[0].name, "Ana Petrova");
    assert_eq!(s.lineup.rapporteurs[0].name, "Ivo Lind");
    assert_eq!(s.lineup.speakers[0].name, "Eva Novak");
    assert_eq!(
        s.lineup.speakers[0].organization.as_deref(),
        Some("Charles University")
    );
}

#[test]
fn a_report_with_speaker_names_over_their_paragraphs() {
    let s = read(
        "Event report\n\n\
         Satellite Broadband for Schools\n\n\
         9 Apr 2019 10:00h\n\n\
         Table of contents\n\
         Session at a glance\n\
         Speakers\n\
         Full session report\n\n\
         Session at a glance\n\
         The session discussed satellite links for rural schools.\n\n\
         Speakers:\n\
         Maya Torres, Andes Connect\n\
         Jonas Berg, Nordic Space Agency\n\n\
         Full session report\n\n\
         Maya Torres\n\
         Torres said that terminals now cost a tenth of what they did.\n\
         She added that schools share one link with the clinic.\n\n\
         Jonas Berg\n\
         Berg warned that spectrum coordination takes years.\n\n\
         Audience\n\
         Several participants asked who pays for the monthly fees.\n\n\
         Disclaimer: This is not an official record of the session.\n",
    );
    assert_eq!(s.event.title, "Satellite Broadband for Schools");
    assert_eq!(
        [
            s.event.date.as_deref(),
            s.event.start_time.as_deref(),
            s.event.end_time.as_deref()
        ],
        [Some("2019-04-09"), Some("10:00"), None]
    );
    assert_eq!(
        s.background,
        ["The session discussed satellite links for rural schools."]
    );
    let names: Vec<Option<&str>> = s
        .key_issues
        .iter()
        .map(|k| k.speaker.as_ref().map(|s| s.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            Some("Maya Torres"),
            Some("Maya Torres"),
            Some("Jonas Berg"),
            None
        ]
    );
    assert_eq!(
        s.key_issues[1].text,
        "She added that schools share one link with the clinic."
    );
    assert_eq!(s.key_issues[0].speaker.as_ref().unwrap().organization, None);
    assert_eq!(headings(&s), ["Speakers"]);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.line == 31 && w.message.contains("disclaimer"))
    );
}

#[test]
fn a_scraped_session_page() {
    let s = read(
        "Skip to main content\n\
         WSIS Forum 2025 | Agenda\n\
         Home › Agenda › Day 2\n\n\
         Interactive Session\n\
         Greening Data Centres\n\
         Wednesday, 9 July 2025 11:00–11:45 (UTC+02:00)\n\
         Room B, CICG\n\
         Share on: Facebook LinkedIn\n\n\
         Data centres use a growing share of electricity.\n\n\
         Speakers/Panellists\n\
         Ms. Rosa Lind\n\
         Energy AnalystNordic Grid Institute\n\
         Mr. Kofi Adu\n\
         Chief EngineerAccra Data Park\n\n\
         Link to WSIS Action Lines\n\
         C7. ICT applications: E-environment\n\n\
         Summary\n\n\
         Ms. Rosa Lind, Energy Analyst, Nordic Grid Institute, showed that heat reuse pays back in five years.\n\n\
         Key takeaways\n\n\
         - Reuse waste heat.\n\n\
         Back to agenda\n",
    );
    assert_eq!(s.event.kind.as_deref(), Some("Interactive Session"));
    assert_eq!(s.event.title, "Greening Data Centres");
    assert_eq!(s.event.timezone.as_deref(), Some("UTC+02:00"));
    assert_eq!(s.event.venue.as_deref(), Some("Room B, CICG"));
    assert_eq!(
        s.background,
        ["Data centres use a growing share of electricity."]
    );
    assert_eq!(
        headings(&s),
        ["Speakers/Panellists", "Link to WSIS Action Lines"]
    );
    assert_eq!(
        who(&s.key_issues[0]),
        [
            Some("Ms."),
            Some("Rosa Lind"),
            Some("Energy Analyst"),
            Some("Nordic Grid Institute")
        ]
    );
    assert_eq!(s.recommendations, ["Reuse waste heat."]);
    let card = &s.lineup.speakers[1];
    assert_eq!(
        (
            card.name.as_str(),
            card.role.as_deref(),
            card.organization.as_deref()
        ),
        ("Kofi Adu", Some("Chief Engineer"), Some("Accra Data Park"))
    );
}

#[test]
fn a_web_page_saved_as_text_keeps_only_the_summary() {
    let s = read(
        "Skip to content\n\
         Home About Agenda Speakers Contact\n\
         We use cookies to improve your experience. Accept all\n\
         Home / Sessions / Cybersecurity\n\n\
         Summary of Side Event: Cyber Hygiene for Small Firms\n\
         Posted on 3 June 2022\n\
         Print this page\n\n\
         1 June 2022, 15:00–16:00 CEST\n\n\
         Background\n\n\
         Small firms are the easiest targets.\n\n\
         Recommendations\n\n\
         - Train staff every year.\n\n\
         Related sessions\n\
         - Ransomware and Hospitals\n\
         - Cyber Insurance 101\n\n\
         © 2022 Forum Secretariat. All rights reserved.\n",
    );
    assert_eq!(s.event.title, "Cyber Hygiene for Small Firms");
    assert_eq!(s.event.date.as_deref(), Some("2022-06-01"));
    assert_eq!(s.background, ["Small firms are the easiest targets."]);
    assert_eq!(s.recommendations, ["Train staff every year."]);
    assert!(s.other_sections.is_empty(), "{:?}", s.other_sections);
}

#[test]
fn pdf_extraction_residue_is_mended() {
    let s = read(
        "O U T C O M E   D O C U M E N T\n\n\
         Workshop: Open Maps for Disaster Relief\n\
         Date:\t3 March 2022\tTime:\t9:00–10:30 (UTC+1)\n\n\
         BACKGROUND\n\
         Open maps help relief teams reach people after earthquakes and floods, and volunteers\n\
         update them within hours of a disaster when the o\u{fb03}cial maps are out of date and\n\
         \x0cFORUM 2022 — OUTCOME DOCUMENT\n\
         ________________________________\n\
         \tnobody else can reach the affected areas.\n\n\
         KEY ISSUES DISCUSSED\n\
         \u{f0b7}\tMs. Ana Soto, Mapping Lead, Open Relief Network, explained that trained volun-\n\
         \tteers map a city in two days.\n\
         Page 12\n\
         \u{f0b7}\tParticipants noted that imagery licences slow the work down.\n",
    );
    assert_eq!(s.event.kind.as_deref(), Some("Workshop"));
    assert_eq!(s.event.title, "Open Maps for Disaster Relief");
    assert_eq!(s.event.start_time.as_deref(), Some("09:00"));
    assert_eq!(s.event.timezone.as_deref(), Some("UTC+1"));
    assert_eq!(
        s.background,
        [
            "Open maps help relief teams reach people after earthquakes and floods, and volunteers update them within hours of a disaster when the official maps are out of date and nobody else can reach the affected areas."
        ]
    );
    assert_eq!(
        texts(&s.key_issues),
        [
            "explained that trained volunteers map a city in two days.",
            "Participants noted that imagery licences slow the work down."
        ]
    );
}

#[test]
fn a_markdown_export_with_escapes_and_nested_lists() {
    let s = read(
        "# Summary of Workshop: Youth and Data\n\n\
         **Date:** 2 May 2023, 10:00\\-11:00 CEST\n\n\
         ## Key Issues discussed\n\n\
         * **Ms. Ida Berg**, Fellow, Youth Data Lab, listed two lessons:\n    \
             * Start small.\n    \
             * Share the results.\n\
         * Participants called for co\\-design.\n\n\
         ## Key recommendations for action\n\n\
         1\\. Fund youth labs.\n\n\
         2\\. Open the data.\n",
    );
    assert_eq!(s.event.end_time.as_deref(), Some("11:00"));
    assert_eq!(
        texts(&s.key_issues),
        [
            "listed two lessons: Start small. Share the results.",
            "Participants called for co-design."
        ]
    );
    assert_eq!(s.recommendations, ["Fund youth labs.", "Open the data."]);
}

#[test]
fn defects_seen_in_trials_stay_fixed() {
    // "Thematic" is no "The matic"; French types drop the elided article;
    // French times with and without spaces.
    let s = read(
        "Summary of Thematic Workshop: Rural Fibre\n\n14 March 2023, 10:00-11:00 CET\n\nBackground\n\nFibre reached villages.\n",
    );
    assert_eq!(s.event.kind.as_deref(), Some("Thematic Workshop"));
    let s = read(
        "Résumé de l’atelier thématique : Les données ouvertes\n\nmardi 16 mars 2021, 14 h 00 – 15 h 30 (CET)\n\nContexte\n\nLes villes publient leurs données.\n",
    );
    assert_eq!(s.event.kind.as_deref(), Some("Atelier thématique"));
    assert_eq!(
        [s.event.start_time.as_deref(), s.event.end_time.as_deref()],
        [Some("14:00"), Some("15:30")]
    );
    let s = read(
        "Résumé de la séance : Les données ouvertes\n\n12 juin 2023, 14h-15h30\n\nContexte\n\nLes villes publient leurs données.\n",
    );
    assert_eq!(s.event.kind.as_deref(), Some("Séance"));
    assert_eq!(
        [s.event.start_time.as_deref(), s.event.end_time.as_deref()],
        [Some("14:00"), Some("15:30")]
    );
    // Names with their other-script form stay names.
    let s = read(
        "Summary of Workshop: Ageing Cities\n\n6 April 2023, 16:00–17:30 (UTC+9)\n\nKey Issues discussed\n\n\
         - **Ms. LI Na (李娜)**, Director, Silver City Lab, presented a pilot.\n\
         - **Ms. 山田花子 (Hanako Yamada)**, Consultant, Tokyo Design Forum, argued for larger text.\n",
    );
    assert_eq!(
        who(&s.key_issues[0]),
        [
            Some("Ms."),
            Some("LI Na (李娜)"),
            Some("Director"),
            Some("Silver City Lab")
        ]
    );
    assert_eq!(
        who(&s.key_issues[1])[1..],
        [
            Some("山田花子 (Hanako Yamada)"),
            Some("Consultant"),
            Some("Tokyo Design Forum")
        ]
    );
    // A running header above a session's sub-head is not the title, a
    // letter-spaced one neither.
    let s = read(
        "WSIS Forum 2022: Outcome Document\n\nS U M M A R Y   R E P O R T\n\nKnowledge Café: Green Careers\n12 May 2022\n\nBackground\n\nJobs are changing.\n",
    );
    assert_eq!(s.event.title, "Green Careers");
    assert_eq!(s.event.kind.as_deref(), Some("Knowledge Café"));
    // A programme with times is a section of its own, not background.
    let s = read(
        "Summary of Side Event: Smart Farming\n\n4 June 2024\n\nBackground\n\nSensors help farmers.\n\nProgramme\n\n10:00–10:10 Opening\n10:10–10:40 Panel\n\nRecommendations\n\n- Share sensor data.\n",
    );
    assert_eq!(s.background, ["Sensors help farmers."]);
    assert_eq!(s.other_sections[0].heading, "Programme");
    assert_eq!(s.other_sections[0].items.len(), 2);
    // A Spanish organisation ends where the verb starts.
    let s = read(
        "Resumen del taller: Datos abiertos\n\nmartes 4 de mayo de 2021, de 10:00 a 11:30 h\n\nCuestiones clave debatidas\n\n\
         - **Sra. Ana Ruiz**, Directora, Ministerio de Tecnologías de la Información, advirtió que faltan datos.\n",
    );
    assert_eq!(
        who(&s.key_issues[0])[3],
        Some("Ministerio de Tecnologías de la Información")
    );
    assert_eq!(s.key_issues[0].text, "advirtió que faltan datos.");
    assert_eq!(
        [s.event.start_time.as_deref(), s.event.end_time.as_deref()],
        [Some("10:00"), Some("11:30")]
    );
}

#[test]
fn other_kinds_of_document_are_rejected_each_with_its_reason() {
    let cases: [(&str, &str); 5] = [
        (
            "MEDIA RELEASE\n\nForum opens with a call to connect schools\n\nThe forum opened today in Geneva.\n\nMedia contact: press@example.org\n",
            "a press release",
        ),
        (
            "Ministers pledge to close the digital divide\n\nBy Anna Keller\n\nGENEVA, 12 June 2023 – Ministers promised on Monday to connect every school by 2030.\n\n“We cannot wait any longer,” said Ms. Rosa Diaz, Minister of ICT, at the opening.\n\nMr. Paul Wong, Secretary-General of the Union, said that funding would follow.\n",
            "a news article",
        ),
        (
            "Forum 2024 – Programme\n\nMonday, 3 June 2024\n\n09:00–09:30 Opening\n09:30–10:30 Policy Session: Data\n10:45–11:30 Workshop: AI\n11:30–12:00 Side Event: Cities\n",
            "an agenda or programme",
        ),
        (
            "Call for workshop proposals – Forum 2025\n\nProposals are invited on digital inclusion.\n\nKey dates\n- Submission deadline: 1 March 2025\n\nHow to submit\n1. Fill in the form.\n",
            "a call for proposals",
        ),
        (
            "Registration is now open for the Forum 2025\n\nParticipation is free. Register now to attend in person.\n\nVenue\nGeneva, Switzerland\n",
            "a registration page",
        ),
    ];
    for (text, reason) in cases {
        let e = reject(text);
        assert_eq!(e.kind, RejectKind::NotASummary, "{text}");
        assert!(e.message.contains(reason), "{reason}: {}", e.message);
        assert!(e.line.is_some(), "{reason}: no line");
    }
    let e = reject(
        "Summary of Side Event: [Title]\n\n[Date]\n\nBackground\n\n[Please describe the session.]\n\nKey Issues discussed\n\n- \n- \n",
    );
    assert_eq!(e.kind, RejectKind::EmptyTemplate);
}

#[test]
fn the_lineup_fills_the_model_and_stays_in_other_sections() {
    let s = read(
        "Summary of Open Forum: Safer Apps\n\n2 July 2024\n\n\
         Moderator: Ms. Joy Banda, Policy Lead, SafeNet Africa\n\n\
         Organizers\n\nUNICEF; Child Online Coalition\n\n\
         Speakers\n\n- Mr. Tomas Vik, Engineer, AppGuard\n- Prof. Sara Lee (University of Seoul)\n\n\
         Key Issues discussed\n\n- Apps should be safe by default.\n",
    );
    assert_eq!(headings(&s), ["Moderator", "Organizers", "Speakers"]);
    assert_eq!(s.lineup.organizers, ["UNICEF", "Child Online Coalition"]);
    let moderator: &Speaker = &s.lineup.moderators[0];
    assert_eq!(
        (
            moderator.name.as_str(),
            moderator.role.as_deref(),
            moderator.organization.as_deref()
        ),
        ("Joy Banda", Some("Policy Lead"), Some("SafeNet Africa"))
    );
    assert_eq!(s.lineup.speakers.len(), 2);
    assert_eq!(
        s.lineup.speakers[1].organization.as_deref(),
        Some("University of Seoul")
    );
}

#[test]
fn speakers_named_in_capitals_or_with_their_affiliation_over_their_words() {
    let s = read(
        "Event report\n\nCables and Climate\n\n4 Dec 2023 10:00h - 11:00h UTC\n\n\
         Session at a glance\nThe session looked at cable repair ships.\n\n\
         Full session report\n\n\
         LENA VOSS\nVoss said that repair ships are booked for months.\n\n\
         Mr Amr Hashem (National Cable Authority, Egypt)\nHe explained that landing stations need two routes.\n",
    );
    assert_eq!(who(&s.key_issues[0]), [None, Some("LENA VOSS"), None, None]);
    assert_eq!(
        who(&s.key_issues[1]),
        [
            Some("Mr"),
            Some("Amr Hashem"),
            None,
            Some("National Cable Authority, Egypt")
        ]
    );
    assert!(s.other_sections.is_empty());
}

#[test]
fn attributions_written_around_the_statement() {
    let s = read(
        "Summary of Side Event: Rural Broadband\n\n2 May 2024\n\nKey Issues discussed\n\n\
         - Opening the session, Ms Rania Khoury (Director, Digital Agency) recalled that half the villages are offline.\n\
         - Satellite links are now cheaper than fibre for remote schools, said Dr. Tomas Berg (Space Lab).\n\n\
         Background\n\n\
         Le Dr Ibrahima Fall, chercheur à l’Université de Dakar, a présenté une étude.\n\n\
         Elle a ajouté que les écoles rurales attendent.\n",
    );
    assert_eq!(
        who(&s.key_issues[0]),
        [
            Some("Ms"),
            Some("Rania Khoury"),
            Some("Director"),
            Some("Digital Agency")
        ]
    );
    assert_eq!(
        s.key_issues[0].text,
        "recalled that half the villages are offline."
    );
    assert_eq!(
        who(&s.key_issues[1]),
        [Some("Dr."), Some("Tomas Berg"), None, Some("Space Lab")]
    );
    assert_eq!(
        s.key_issues[1].text,
        "Satellite links are now cheaper than fibre for remote schools."
    );
    assert_eq!(
        who(&s.key_issues[2]),
        [
            Some("Dr"),
            Some("Ibrahima Fall"),
            Some("chercheur"),
            Some("Université de Dakar")
        ]
    );
}

#[test]
fn spanish_narrative_with_articles_and_implicit_subjects() {
    let s = read(
        "Resumen del taller: Datos para el clima\n\nmartes 4 de junio de 2024, 10:00-11:00 (CEST)\n\n\
         El taller analizó los datos climáticos abiertos en la región.\n\n\
         La Sra. Ana Ruiz, investigadora de la Universidad de Chile, explicó que faltan estaciones.\n\n\
         Asimismo, añadió que los datos deben ser abiertos.\n\n\
         Por su parte, el Sr. Luis Paz (Director, Servicio Meteorológico Nacional) destacó la cooperación regional.\n",
    );
    assert_eq!(s.language, "es");
    assert_eq!(
        s.background,
        ["El taller analizó los datos climáticos abiertos en la región."]
    );
    let ruiz = [
        Some("Sra."),
        Some("Ana Ruiz"),
        Some("investigadora"),
        Some("Universidad de Chile"),
    ];
    assert_eq!(who(&s.key_issues[0]), ruiz);
    assert_eq!(who(&s.key_issues[1]), ruiz);
    assert_eq!(
        s.key_issues[1].text,
        "Asimismo, añadió que los datos deben ser abiertos."
    );
    assert_eq!(who(&s.key_issues[2])[1], Some("Luis Paz"));
    assert_eq!(s.key_issues[2].text, "destacó la cooperación regional.");
}

#[test]
fn markdown_of_every_kind() {
    let s = read(
        "---\ntitle: \"Summary of Workshop: Open Cloud\"\ndate: 2023-04-01\ntags: [cloud]\n---\n\n\
         *Monday, 13 March 2023, 09:00–10:00 CET*\n\n\
         Background\n----------\n\n\
         Governments move to the [cloud](https://example.org/cloud), often to a\n\
         single provider.\n\n\
         ## Speakers\n\n| Name | Organisation |\n|------|--------------|\n| Ms. Katrin Vogel | Federal Ministry |\n\n\
         Key Issues discussed\n--------------------\n\n\
         + **Ms. Katrin Vogel**, Head of Cloud, Federal Ministry said:\n\n  \
           > “Every contract needs a _tested_ exit plan.”\n\n\
         + Participants agreed that egress fees are too high.\n",
    );
    assert_eq!(s.event.title, "Open Cloud");
    assert_eq!(s.event.kind.as_deref(), Some("Workshop"));
    assert_eq!(s.event.date.as_deref(), Some("2023-03-13"));
    assert_eq!(
        s.background,
        ["Governments move to the cloud, often to a single provider."]
    );
    assert_eq!(headings(&s), ["Speakers"]);
    assert_eq!(
        s.other_sections[0].items,
        ["Ms. Katrin Vogel, Federal Ministry"]
    );
    assert_eq!(
        texts(&s.key_issues),
        [
            "said: “Every contract needs a tested exit plan.”",
            "Participants agreed that egress fees are too high."
        ]
    );
    assert_eq!(who(&s.key_issues[0])[1], Some("Katrin Vogel"));
}

#[test]
fn an_emailed_report_keeps_only_the_report() {
    let s = read(
        "From: Daniela Ruiz <d.ruiz@example.org>\nTo: Forum Secretariat <secretariat@example.org>\n\
         Subject: Rapporteur report - Session 214\n\nDear colleagues,\n\n\
         Session title: Broadband for Rural Health Posts\n\
         Session type: Thematic Workshop\n\
         Date and time: Wednesday 31 May 2023, 14:00-14:45 CEST\n\n\
         SUMMARY\n\nThe workshop looked at connecting rural clinics.\n\n\
         RECOMMENDATIONS\n\n- Fund backhaul for clinics.\n\n\
         Best regards,\nDaniela Ruiz\nRapporteur\n",
    );
    assert_eq!(s.event.title, "Broadband for Rural Health Posts");
    assert_eq!(s.event.kind.as_deref(), Some("Thematic Workshop"));
    assert_eq!(s.event.date.as_deref(), Some("2023-05-31"));
    assert_eq!(
        s.background,
        ["The workshop looked at connecting rural clinics."]
    );
    assert_eq!(s.recommendations, ["Fund backhaul for clinics."]);
}

#[test]
fn minutes_and_biographies_are_no_summaries() {
    let e = reject(
        "Organising Committee\n\nMinutes of the 4th meeting\nDate: 12 January 2023\n\n\
         Present: Ms. Ana Roux (Chair), Mr. Peter Obi\nApologies: Mr. Tom Ortega\n\n\
         1. Venue\nMr. Obi reported that rooms 3 and 4 are confirmed.\n\n\
         Action points\n- Mr. Obi to confirm catering.\n",
    );
    assert!(
        e.message.contains("the minutes of a meeting"),
        "{}",
        e.message
    );
    let e = reject(
        "Dr. Amara Okafor\n\nSpeaker biography – Forum 2023\n\nCurrent position\n\n\
         Director of Digital Health, National Disease Centre.\n\nEducation\n\n- PhD, University of London\n",
    );
    assert!(e.message.contains("a biography"), "{}", e.message);
}

#[test]
fn page_layouts_of_outcome_documents_and_pages() {
    let s = read(
        "Summary of High-Level Policy Session 4: Health Data\n\
         June 6, 2022 | 9:00 AM - 10:30 AM EDT\n\
         Conference Room 11, UN Headquarters, New York\n\
         Download PDF (234 KB)\n\n\
         Background\n\n\
         Health data from clinics in remote areas was discussed, and Jean-\n\
         Pierre Kouassi presented the national registry.\n\n\
         Recommendations\n\no Share data under open standards.\n",
    );
    assert_eq!(s.event.kind.as_deref(), Some("High-Level Policy Session"));
    assert_eq!(
        s.event.session_code.as_deref(),
        Some("High-Level Policy Session 4")
    );
    assert_eq!(
        [
            s.event.start_time.as_deref(),
            s.event.end_time.as_deref(),
            s.event.timezone.as_deref()
        ],
        [Some("09:00"), Some("10:30"), Some("EDT")]
    );
    assert_eq!(
        s.event.venue.as_deref(),
        Some("Conference Room 11, UN Headquarters, New York")
    );
    assert_eq!(
        s.background,
        [
            "Health data from clinics in remote areas was discussed, and Jean-Pierre Kouassi presented the national registry."
        ]
    );
    assert_eq!(s.recommendations, ["Share data under open standards."]);
}

//! The seed summary (a real WSIS Forum side-event summary) parsed field by field.

use rapporteur_model::Speaker;
use rapporteur_parse::{ParseOptions, parse_summary};

const SEED: &[u8] = include_bytes!("../../../examples/wsis-cooperation-sdgs.txt");

fn speaker(honorific: &str, name: &str, role: &str, organization: &str) -> Option<Speaker> {
    Some(Speaker {
        honorific: Some(honorific.to_string()),
        name: name.to_string(),
        role: Some(role.to_string()),
        organization: Some(organization.to_string()),
    })
}

#[test]
fn seed_parses_field_by_field() {
    let s = parse_summary("wsis-cooperation-sdgs.txt", SEED, &ParseOptions::default()).unwrap();
    assert_eq!(s.schema_version, "1.1");
    assert_eq!(s.event.kind.as_deref(), Some("Side Event"));
    assert_eq!(
        s.event.title,
        "WSIS Cooperation for Accelerating Progress on the SDGs"
    );
    assert_eq!(s.event.date.as_deref(), Some("2023-01-31"));
    assert_eq!(s.event.end_date, None);
    assert_eq!(s.event.start_time.as_deref(), Some("14:30"));
    assert_eq!(s.event.end_time.as_deref(), Some("15:45"));
    assert_eq!(s.event.timezone.as_deref(), Some("CET"));
    assert_eq!(s.language, "en");

    assert_eq!(s.background.len(), 1);
    assert!(s.background[0].starts_with("The achievement and the progress for 2030 Agenda"));
    assert!(s.background[0].ends_with("to achieve the SDGs."));

    let expected = [
        speaker(
            "Mr.",
            "Tomas Lamanauskas",
            "Deputy Secretary-General",
            "International Telecommunication Union (ITU)",
        ),
        speaker(
            "Dr.",
            "Tawfik Jelassi",
            "Assistant Director General",
            "The United Nations Educational, Scientific and Cultural Organization (UNESCO)",
        ),
        speaker(
            "Mr.",
            "Jean Paul Adam",
            "Director Technology Climate Change and Natural Resources Management Division",
            "United Nations Economic Commission for Africa (ECA)",
        ),
        speaker(
            "Ms.",
            "Mei Lin Fung",
            "Chair and Cofounder",
            "People Centered Internet and Impact Network",
        ),
        speaker(
            "Mr.",
            "Liberato C. Bautista",
            "President",
            "Conference of Non-Governmental Organizations in Consultative Relationship with the United Nations (CoNGO)",
        ),
        speaker(
            "Mr.",
            "Maikel Wilms",
            "Partner & Director",
            "The Boston Consulting Group",
        ),
    ];
    assert_eq!(s.key_issues.len(), 6);
    for (issue, speaker) in s.key_issues.iter().zip(expected) {
        assert_eq!(issue.speaker, speaker);
    }
    let starts = [
        "emphasized the multistakeholder and partnerships, which",
        "shared the UNESCO's work",
        "gave insights",
        "addressed the WSIS work",
        "underlined the partnership",
        "highlighted the digital connectivity",
    ];
    for (issue, start) in s.key_issues.iter().zip(starts) {
        assert!(
            issue.text.starts_with(start),
            "{:?} should start with {start:?}",
            issue.text
        );
        assert!(!issue.text.contains("**"));
    }
    assert!(s.key_issues[3].text.contains(
        "She highlighted the WSIS Geneva Plan of Action that affirms the importance of promoting and maintaining gender equality and women empowerment."
    ));

    assert_eq!(s.recommendations.len(), 4);
    assert!(s.recommendations[0].starts_with("As we get into the eighth year"));
    assert_eq!(
        s.recommendations[2],
        "Collaboration and partnerships among various stakeholders are key to accelerate the SDGs."
    );
    assert!(s.recommendations[3].ends_with("ICTs for sustainable development."));
    assert!(s.other_sections.is_empty());

    assert_eq!(s.source.name, "wsis-cooperation-sdgs.txt");
    assert_eq!(s.source.bytes, 4844);
    // As `sha256sum` prints it.
    assert_eq!(
        s.source.sha256,
        "98cd26c96504c6c4de4c2be8f63ecd4452f8a4b811548a1a17708728508cb1bd"
    );
    // The page-break join is the one repair the seed needs, and it is reported.
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert_eq!(s.warnings[0].line, 20);
}

#[test]
fn seed_json_is_deterministic() {
    let a = parse_summary("seed.txt", SEED, &ParseOptions::default())
        .unwrap()
        .to_json();
    let b = parse_summary("seed.txt", SEED, &ParseOptions::default())
        .unwrap()
        .to_json();
    assert_eq!(a, b);
}

/// Reading without explaining keeps no placements (issue 12: they copied
/// every block's text), and must read every example exactly as `explain`
/// does, warnings included.
#[test]
fn reading_and_explaining_give_the_same_summary() {
    use rapporteur_parse::{explain_document, read_document, source_of, text_document};
    let options = ParseOptions::default();
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    for entry in std::fs::read_dir(examples).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let document = text_document(&name, &bytes, &options).unwrap();
        let format = rapporteur_model::SourceFormat::Text;
        let read = read_document(&name, &document, source_of(&name, &bytes, format), &options)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let explained =
            explain_document(&name, &document, source_of(&name, &bytes, format), &options);
        assert!(
            !explained.placements.is_empty(),
            "{name}: explain shows where blocks went"
        );
        assert_eq!(explained.result.unwrap(), read, "{name}");
    }
}

//! Word files as organisers make them, each pattern in a document built
//! here: headings that are bold Normal paragraphs, style names in French,
//! an IGF form as a two-column table, bold through a character style (as
//! LibreOffice writes it) and headings by outline level.

use docx_rs::{Docx, Paragraph, Run, Style, StyleType, Table, TableCell, TableRow};
use rapporteur_model::EventSummary;
use rapporteur_parse::ParseOptions;
use rapporteur_read_docx::read_docx_summary;

fn read(docx: Docx) -> EventSummary {
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut out).unwrap();
    read_docx_summary("word.docx", &out.into_inner(), &ParseOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn text(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text))
}

fn bold(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text).bold())
}

fn styled(style: &str, text: &str) -> Paragraph {
    Paragraph::new()
        .style(style)
        .add_run(Run::new().add_text(text))
}

#[test]
fn bold_normal_paragraphs_are_headings_and_typed_dashes_items() {
    let s =
        read(
            Docx::new()
                .add_paragraph(bold("Summary of Side Event: Open Maps"))
                .add_paragraph(text("12 June 2023, 10:00-11:00 CEST"))
                .add_paragraph(bold("Key Issues discussed"))
                .add_paragraph(
                    Paragraph::new()
                        .add_run(Run::new().add_text("- "))
                        .add_run(Run::new().add_text("Ms. Ana Soto").bold())
                        .add_run(Run::new().add_text(
                            ", Mapping Lead, Open Relief, explained that maps save lives.",
                        )),
                )
                .add_paragraph(bold("Recommendations"))
                .add_paragraph(text("- Share imagery.")),
        );
    assert_eq!(s.event.kind.as_deref(), Some("Side Event"));
    assert_eq!(s.key_issues.len(), 1);
    let speaker = s.key_issues[0].speaker.as_ref().unwrap();
    assert_eq!(speaker.name, "Ana Soto");
    assert_eq!(speaker.organization.as_deref(), Some("Open Relief"));
    assert_eq!(s.recommendations, ["Share imagery."]);
}

#[test]
fn french_style_names_and_outline_levels() {
    let s = read(
        Docx::new()
            .add_style(Style::new("Titre", StyleType::Paragraph).name("Titre"))
            .add_style(Style::new("Titre1", StyleType::Paragraph).name("Titre 1"))
            .add_style(
                Style::new("Plan", StyleType::Paragraph)
                    .name("Niveau de plan")
                    .outline_lvl(0),
            )
            .add_paragraph(styled("Titre", "Résumé de l’atelier : Les données"))
            .add_paragraph(text("12 juin 2023, 14h-15h30"))
            .add_paragraph(styled("Titre1", "Contexte"))
            .add_paragraph(text("Les villes publient leurs données."))
            .add_paragraph(styled("Plan", "Recommandations"))
            .add_paragraph(text("Publier les données.")),
    );
    assert_eq!(s.event.title, "Les données");
    assert_eq!(s.event.kind.as_deref(), Some("Atelier"));
    assert_eq!(s.background, ["Les villes publient leurs données."]);
    assert_eq!(s.recommendations, ["Publier les données."]);
}

#[test]
fn an_igf_form_as_a_two_column_table() {
    let row = |label: &str, value: Vec<Paragraph>| {
        let mut cell = TableCell::new();
        for p in value {
            cell = cell.add_paragraph(p);
        }
        TableRow::new(vec![TableCell::new().add_paragraph(bold(label)), cell])
    };
    let s = read(
        Docx::new()
            .add_style(Style::new("Title", StyleType::Paragraph).name("Title"))
            .add_paragraph(styled("Title", "IGF 2021 WS #12 Safer Payments"))
            .add_table(Table::new(vec![
                row("Session Type", vec![text("Workshop")]),
                row(
                    "Date & Time",
                    vec![text("Friday, 10th December, 2021 (07:30 UTC) - Friday, 10th December, 2021 (09:00 UTC)")],
                ),
                row("Organizer(s)", vec![text("Consumer Network Asia")]),
                row(
                    "Summary of Issues Discussed",
                    vec![
                        text("Ms. Siti Rahma (Researcher, Consumer Foundation) reported that scams rose."),
                        text("Speakers agreed that banks share responsibility."),
                    ],
                ),
                row("Key Takeaways", vec![text("Scams hit new users hardest.")]),
            ])),
    );
    assert_eq!(s.event.kind.as_deref(), Some("Workshop"));
    assert_eq!(s.event.title, "Safer Payments");
    assert_eq!(s.event.session_code.as_deref(), Some("IGF 2021 WS #12"));
    assert_eq!(
        (s.event.start_time.as_deref(), s.event.end_time.as_deref()),
        (Some("07:30"), Some("09:00"))
    );
    let headings: Vec<&str> = s
        .other_sections
        .iter()
        .map(|o| o.heading.as_str())
        .collect();
    assert_eq!(headings, ["Organizer(s)"]);
    assert_eq!(s.lineup.organizers, ["Consumer Network Asia"]);
    assert_eq!(s.key_issues.len(), 2);
    assert_eq!(s.key_issues[0].speaker.as_ref().unwrap().name, "Siti Rahma");
    assert_eq!(s.key_issues[1].speaker, None);
    assert_eq!(s.recommendations, ["Scams hit new users hardest."]);
}

#[test]
fn bold_through_a_character_style_marks_the_speaker() {
    let s = read(
        Docx::new()
            .add_style(
                Style::new("Strong", StyleType::Character)
                    .name("Strong Emphasis")
                    .bold(),
            )
            .add_style(Style::new("Heading1", StyleType::Paragraph).name("Heading 1"))
            .add_paragraph(styled("Heading1", "Summary of Workshop: Broadband Maps"))
            .add_paragraph(text("8 March 2023, 15:00-16:15 CET"))
            .add_paragraph(styled("Heading1", "Key Issues discussed"))
            .add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_text("Rebecca Owens").style("Strong"))
                    .add_run(
                        Run::new().add_text(", Data Manager, FCC, explained that maps changed."),
                    ),
            ),
    );
    assert_eq!(s.event.title, "Broadband Maps");
    let speaker = s.key_issues[0].speaker.as_ref().unwrap();
    assert_eq!(
        (
            speaker.name.as_str(),
            speaker.role.as_deref(),
            speaker.organization.as_deref()
        ),
        ("Rebecca Owens", Some("Data Manager"), Some("FCC"))
    );
    assert_eq!(s.key_issues[0].text, "explained that maps changed.");
}

//! The line-up: organisers, moderators, rapporteurs and speakers, read from
//! the sections and fields that list them ("Organizer(s):", "Moderator",
//! "Speakers/Panellists", "List of speakers and their institutional
//! affiliations"). Entries come as "Name, Role, Organisation", "Speaker 1:
//! Name, …", a table row, or a speaker card: a name line, then a line where
//! the role runs into the organisation ("Director of Digital
//! GovernmentMinistry of Communications"), as page scrapes leave them.

use std::sync::LazyLock;

use rapporteur_model::{Lineup, Section, Speaker};
use regex::Regex;

use crate::lexicon::People;
use crate::speaker;

/// An entry's own label ("Speaker 1:", "Organizer 2:").
static ENTRY_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:speaker|panelist|panellist|organi[sz]er|co-organi[sz]er|moderator|intervenant|intervenante|ponente|orador|oradora|organisateur|organizador|organizadora)\s*\d{1,3}\s*[:–—-]\s*")
        .expect("valid regex")
});

/// The line-up from the other-sections and the people each lists.
pub(crate) fn lineup(sections: &[Section], people: &[People]) -> Lineup {
    let mut lineup = Lineup::default();
    for (section, kind) in sections.iter().zip(people) {
        let entries: Vec<String> = section
            .paragraphs
            .iter()
            .chain(&section.items)
            .map(|e| ENTRY_LABEL.replace(e.trim(), "").trim().to_string())
            .filter(|e| !e.is_empty())
            .collect();
        match kind {
            People::None => {}
            People::Organizers => lineup.organizers.extend(
                entries
                    .iter()
                    .flat_map(|e| e.split(';'))
                    .map(|e| e.trim().to_string())
                    .filter(|e| !e.is_empty()),
            ),
            People::Moderators => lineup.moderators.extend(persons(&entries)),
            People::Rapporteurs => lineup.rapporteurs.extend(persons(&entries)),
            People::Speakers => lineup.speakers.extend(persons(&entries)),
        }
    }
    lineup
}

/// People from a list's entries, speaker cards merged.
fn persons(entries: &[String]) -> Vec<Speaker> {
    let mut out = Vec::new();
    let mut index = 0;
    while index < entries.len() {
        let entry = &entries[index];
        index += 1;
        // A card: the name, then the role run into the organisation.
        let card_detail = entries.get(index).filter(|next| {
            speaker::bare_name(entry).is_some()
                && !speaker::starts_with_honorific(next)
                && (speaker::bare_name(next).is_none() || uncamel(next) != **next)
        });
        let text = match card_detail {
            Some(detail) => {
                index += 1;
                format!("{entry}, {}", uncamel(detail))
            }
            None => entry.clone(),
        };
        out.extend(text.split(';').filter_map(speaker::person));
    }
    out
}

/// "Director of Digital GovernmentMinistry of Communications" → "Director of
/// Digital Government, Ministry of Communications": the first place where a
/// word runs into a capitalised one, as scrapes of speaker cards leave the
/// role and organisation.
fn uncamel(text: &str) -> String {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for pair in chars.windows(3) {
        let [(_, a), (at, b), (_, c)] = [pair[0], pair[1], pair[2]];
        if a.is_lowercase() && b.is_uppercase() && c.is_lowercase() {
            return format!("{}, {}", &text[..at], &text[at..]);
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(heading: &str, items: &[&str]) -> Section {
        Section {
            heading: heading.into(),
            paragraphs: Vec::new(),
            items: items.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn speaker_cards_and_numbered_entries() {
        let lineup = lineup(
            &[
                section(
                    "Speakers/Panellists",
                    &[
                        "Ms. Litia Naivalu",
                        "Director of Digital GovernmentMinistry of Communications, Fiji",
                        "Speaker 2: Dr. Aisha Bello, Senior Researcher, University of Lagos",
                    ],
                ),
                section(
                    "Organizer(s)",
                    &["Organizer 1: Civil Society, African Group"],
                ),
                section("Moderator", &["Amina Yusuf, Africa Youth IGF"]),
            ],
            &[People::Speakers, People::Organizers, People::Moderators],
        );
        let s = &lineup.speakers[0];
        assert_eq!(
            (
                s.honorific.as_deref(),
                s.name.as_str(),
                s.role.as_deref(),
                s.organization.as_deref()
            ),
            (
                Some("Ms."),
                "Litia Naivalu",
                Some("Director of Digital Government"),
                Some("Ministry of Communications, Fiji")
            )
        );
        assert_eq!(lineup.speakers[1].name, "Aisha Bello");
        assert_eq!(
            lineup.speakers[1].role.as_deref(),
            Some("Senior Researcher")
        );
        assert_eq!(lineup.organizers, ["Civil Society, African Group"]);
        assert_eq!(
            lineup.moderators[0].organization.as_deref(),
            Some("Africa Youth IGF")
        );
    }
}

//! The words that say what a line is, in English, French and Spanish: the
//! headings of each part of a summary by meaning (however a template words
//! them), the labels of form fields, the names of session types, and the
//! lines of page and site furniture ("chrome") that belong to no summary.
//!
//! Phrases are compared folded (lower case, no accents, single spaces) and
//! after the instructions templates add ("(one paragraph)", "[150 words]",
//! "(* deadline …)") and list numbers are taken off.

use std::sync::LazyLock;

use regex::Regex;

/// The part of the model a section feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Meaning {
    /// Background; speaker statements under it are still key issues.
    Background,
    KeyIssues,
    Recommendations,
    /// A report's body under a heading that is only a container ("Full
    /// session report", "Session Report"): read as an unheaded narrative.
    Narrative,
    /// A section the model keeps as written, possibly naming people.
    Other(People),
    /// Page or site furniture ("Related sessions", "Table of contents"):
    /// the heading and what it holds are dropped.
    Chrome,
}

/// Which list of people an other-section gives, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum People {
    None,
    Organizers,
    Moderators,
    Rapporteurs,
    Speakers,
}

use Meaning::*;

/// Heading phrases, folded. A heading means what the longest phrase it
/// starts with, or failing that contains, means ("Summary of Issues
/// Discussed" contains "issues discussed": key issues, not background).
#[rustfmt::skip]
const PHRASES: &[(&str, Meaning)] = &[
    // Background and descriptions of the session.
    ("background", Background), ("context", Background), ("contexte", Background),
    ("antecedentes", Background), ("contexto", Background), ("historique", Background),
    ("session description", Background), ("description of the session", Background),
    ("description", Background), ("descripcion", Background),
    ("about the session", Background), ("about this session", Background),
    ("overview", Background), ("session overview", Background), ("introduction", Background),
    ("summary", Background), ("session summary", Background), ("executive summary", Background),
    ("summary of the session", Background), ("session at a glance", Background),
    ("resume", Background), ("resumen", Background), ("synthese", Background),
    ("abstract", Background), ("presentation de la session", Background),
    // Key issues.
    ("key issues", KeyIssues), ("key points", KeyIssues), ("keypoints", KeyIssues),
    ("main issues", KeyIssues), ("issues discussed", KeyIssues), ("main points", KeyIssues),
    ("discussion", KeyIssues), ("discussion points", KeyIssues), ("key discussion points", KeyIssues),
    ("major discussion points", KeyIssues), ("main discussion points", KeyIssues),
    ("highlights", KeyIssues), ("key highlights", KeyIssues),
    ("outcomes", KeyIssues), ("main outcomes", KeyIssues), ("session outcomes", KeyIssues),
    ("key outcomes", KeyIssues), ("outcome", KeyIssues),
    ("elaborate on the discussion", KeyIssues), ("areas of agreement", KeyIssues),
    ("developper la discussion", KeyIssues), ("points d'accord", KeyIssues),
    ("elaborar sobre la discusion", KeyIssues), ("desarrollar la discusion", KeyIssues),
    ("puntos de acuerdo", KeyIssues),
    ("questions cles", KeyIssues), ("principales questions", KeyIssues),
    ("principaux enjeux", KeyIssues), ("points cles", KeyIssues), ("enjeux", KeyIssues),
    ("questions abordees", KeyIssues), ("resultats", KeyIssues), ("principaux resultats", KeyIssues),
    ("cuestiones clave", KeyIssues), ("principales cuestiones", KeyIssues),
    ("temas clave", KeyIssues), ("principales temas", KeyIssues), ("puntos clave", KeyIssues),
    ("resultados", KeyIssues), ("principales resultados", KeyIssues), ("temas debatidos", KeyIssues),
    // Recommendations and what comes next.
    ("recommendations", Recommendations), ("recommendation", Recommendations),
    ("key recommendations", Recommendations), ("policy recommendations", Recommendations),
    ("way forward", Recommendations), ("the way forward", Recommendations),
    ("next steps", Recommendations), ("call to action", Recommendations),
    ("calls to action", Recommendations), ("calls for action", Recommendations),
    ("key takeaways", Recommendations), ("takeaways", Recommendations),
    ("key messages", Recommendations), ("key message", Recommendations),
    ("conclusions and recommendations", Recommendations),
    ("conclusions and way forward", Recommendations),
    ("recommandations", Recommendations), ("principales recommandations", Recommendations),
    ("voie a suivre", Recommendations), ("prochaines etapes", Recommendations),
    ("messages cles", Recommendations), ("appel a l'action", Recommendations),
    ("recomendaciones", Recommendations), ("principales recomendaciones", Recommendations),
    ("camino a seguir", Recommendations), ("proximos pasos", Recommendations),
    ("mensajes clave", Recommendations), ("llamado a la accion", Recommendations),
    ("llamamiento a la accion", Recommendations),
    // Containers of a report's narrative.
    ("full session report", Narrative), ("session report", Narrative),
    ("opening remarks", Narrative), ("closing remarks", Narrative),
    ("welcome remarks", Narrative), ("welcoming remarks", Narrative),
    ("introductory remarks", Narrative), ("keynote", Narrative), ("keynote address", Narrative),
    ("keynote speech", Narrative), ("presentations", Narrative), ("panel", Narrative),
    ("mots de bienvenue", Narrative), ("allocution d'ouverture", Narrative),
    ("palabras de apertura", Narrative), ("discurso de apertura", Narrative),
    ("report of the session", Narrative), ("rapport de la session", Narrative),
    ("compte rendu", Narrative), ("informe de la sesion", Narrative),
    // People.
    ("moderator", Other(People::Moderators)), ("moderators", Other(People::Moderators)),
    ("moderated by", Other(People::Moderators)), ("chair", Other(People::Moderators)),
    ("onsite moderator", Other(People::Moderators)), ("on-site moderator", Other(People::Moderators)),
    ("online moderator", Other(People::Moderators)), ("co-moderator", Other(People::Moderators)),
    ("chairs", Other(People::Moderators)), ("chair/moderator", Other(People::Moderators)),
    ("chaired by", Other(People::Moderators)), ("facilitator", Other(People::Moderators)),
    ("moderateur", Other(People::Moderators)), ("moderatrice", Other(People::Moderators)),
    ("moderation", Other(People::Moderators)), ("moderacion", Other(People::Moderators)),
    ("moderador", Other(People::Moderators)), ("moderadora", Other(People::Moderators)),
    ("president", Other(People::Moderators)), ("presidente", Other(People::Moderators)),
    ("president/moderateur", Other(People::Moderators)),
    ("presidente/moderatrice", Other(People::Moderators)),
    ("presidente/moderador", Other(People::Moderators)),
    ("presidencia/moderacion", Other(People::Moderators)),
    ("speakers", Other(People::Speakers)), ("speaker", Other(People::Speakers)),
    ("panelists", Other(People::Speakers)), ("panellists", Other(People::Speakers)),
    ("speakers/panellists", Other(People::Speakers)), ("speakers/panelists", Other(People::Speakers)),
    ("list of speakers", Other(People::Speakers)), ("intervenants", Other(People::Speakers)),
    ("intervenantes", Other(People::Speakers)), ("panelistes", Other(People::Speakers)),
    ("ponentes", Other(People::Speakers)), ("oradores", Other(People::Speakers)),
    ("panelistas", Other(People::Speakers)), ("liste des intervenants", Other(People::Speakers)),
    ("lista de ponentes", Other(People::Speakers)), ("lista de oradores", Other(People::Speakers)),
    ("organizers", Other(People::Organizers)), ("organisers", Other(People::Organizers)),
    ("organizer", Other(People::Organizers)), ("organiser", Other(People::Organizers)),
    ("organizer(s)", Other(People::Organizers)), ("organiser(s)", Other(People::Organizers)),
    ("organized by", Other(People::Organizers)), ("organised by", Other(People::Organizers)),
    ("session organizer", Other(People::Organizers)), ("organisateurs", Other(People::Organizers)),
    ("organise par", Other(People::Organizers)), ("organisateur", Other(People::Organizers)),
    ("organizadores", Other(People::Organizers)), ("organizado por", Other(People::Organizers)),
    ("rapporteur", Other(People::Rapporteurs)), ("rapporteur/notetaker", Other(People::Rapporteurs)),
    ("rapporteurs", Other(People::Rapporteurs)), ("notetaker", Other(People::Rapporteurs)),
    ("relator", Other(People::Rapporteurs)), ("relatora", Other(People::Rapporteurs)),
    ("rapporteur/preneur de notes", Other(People::Rapporteurs)),
    ("relator/a", Other(People::Rapporteurs)), ("relator/tomador de notas", Other(People::Rapporteurs)),
    // Sections kept as written.
    ("participants", Other(People::None)), ("key policy questions", Other(People::None)),
    ("policy questions", Other(People::None)), ("link to wsis action lines", Other(People::None)),
    ("link to sustainable development goals", Other(People::None)), ("theme", Other(People::None)),
    ("subtheme", Other(People::None)), ("key achievements", Other(People::None)),
    ("sub-theme", Other(People::None)), ("sous-theme", Other(People::None)),
    ("tema", Other(People::None)), ("subtema", Other(People::None)),
    ("conclusions", Other(People::None)), ("conclusion", Other(People::None)),
    ("resources", Other(People::None)), ("links", Other(People::None)),
    ("programme", Other(People::None)), ("program", Other(People::None)),
    ("agenda", Other(People::None)),
    // What the audience said is part of the discussion.
    ("audience", KeyIssues), ("q&a", KeyIssues), ("questions and answers", KeyIssues),
    ("questions from the audience", KeyIssues), ("interventions from the floor", KeyIssues),
    ("open discussion", KeyIssues), ("debat", KeyIssues), ("debate", KeyIssues),
    ("panel discussion", KeyIssues), ("general discussion", KeyIssues),
    ("interactive discussion", KeyIssues), ("discussion with the audience", KeyIssues),
    // Furniture.
    ("related sessions", Chrome), ("related session", Chrome), ("related events", Chrome),
    ("related content", Chrome), ("related articles", Chrome), ("related topics", Chrome),
    ("table of contents", Chrome), ("contents", Chrome), ("table des matieres", Chrome),
    ("sommaire", Chrome), ("indice", Chrome), ("contenido", Chrome),
    ("sessions connexes", Chrome), ("sesiones relacionadas", Chrome),
];

/// Template instructions: "(one paragraph)", "(5-8 bullet points)", "[150
/// words]", "(* deadline 2 hours after session)", "(please indicate
/// gender)", "(as listed in the programme)", a count "(3)".
static HINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*[(\[](?:\s*[*\d\s-]*\s*|[^()\[\]]*(?:paragraph|bullet|point|words|mots|palabras|max|optional|facultati|deadline|please|veuillez|por favor|as listed|tel qu|telle qu|como se|indicate|indiqu|limit|characters|caract[eè]res|puces|paragraphe|p[áa]rrafo|vi[ñn]etas|puntos|phrases|frases|required|obligatoire|e\.g\.|example)[^()\[\]]*)[)\]]")
        .expect("valid regex")
});

/// A list number or letter in front of a heading: "1.", "2)", "IV.", "A.", "Q3.".
static NUMBERING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:Q|Question\s*)?\d{1,2}(?:\.\d{1,2})*[.)]?|[IVX]{1,4}[.)]|[A-H][.)])\s+")
        .expect("valid regex")
});

/// The longest heading, in bytes: the 2019 IGF form's questions with their
/// instructions run to about 200.
const MAX_HEADING_BYTES: usize = 240;

/// A heading cleaned of template instructions, its list number and a
/// trailing colon, and whether any of those was there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Label {
    pub text: String,
    pub had_hint: bool,
    pub numbered: bool,
}

/// Cleans a heading's wording: "2. Summary of Issues Discussed:" → "Summary
/// of Issues Discussed"; "Session Report (* deadline 26 October) - click on
/// the ? symbol" → "Session Report" (an instruction runs to the end).
pub(crate) fn clean_label(text: &str) -> Label {
    let mut text = text.trim();
    if text.len() > 2 * MAX_HEADING_BYTES {
        // Prose: no heading to clean.
        return Label {
            text: text.to_string(),
            had_hint: false,
            numbered: false,
        };
    }
    let numbered = NUMBERING.find(text).map(|m| {
        text = &text[m.end()..];
    });
    let mut out = text.to_string();
    let mut had_hint = false;
    while let Some(m) = HINT.find(&out) {
        had_hint = true;
        let hint = m.as_str();
        let rest = out[m.end()..].trim().to_string();
        // A count inside a sentence ("no more than three (3) key messages")
        // goes, the sentence stays; an instruction runs to the end of the
        // heading ("Session Report (* deadline …) - click on the ? symbol").
        let count = hint
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']'));
        let keep_rest = count || rest.starts_with(':') || rest.is_empty();
        out.truncate(m.start());
        if keep_rest && !rest.is_empty() {
            if !rest.starts_with([':', '.', ',', '?']) {
                out.push(' ');
            }
            out.push_str(&rest);
        }
    }
    let out = out.trim().trim_end_matches([':', '：']).trim().to_string();
    Label {
        text: out,
        had_hint,
        numbered: numbered.is_some(),
    }
}

/// How a heading's words matched a phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Fit {
    /// The phrase is somewhere in a longer heading.
    Contains,
    /// The heading starts with the phrase ("Key Issues discussed").
    Prefix,
    /// The heading is the phrase.
    Exact,
}

/// The meaning of a heading's (cleaned) wording, with how well it fits.
pub(crate) fn meaning(label: &str) -> Option<(Meaning, Fit)> {
    // Headings are short; prose is turned away before it is folded.
    if label.len() > MAX_HEADING_BYTES || label.split_whitespace().nth(24).is_some() {
        return None;
    }
    let key = fold(label);
    if key.is_empty() {
        return None;
    }
    // One pass of an automaton over every phrase finds them all; a phrase
    // counts where it stands as whole words.
    static PHRASE_FINDER: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(PHRASES.iter().map(|(phrase, _)| phrase))
            .expect("the phrases build an automaton")
    });
    let mut best: Option<(Meaning, Fit, usize)> = None;
    // How well the heading fits any phrase: evidence that it is a heading.
    let mut best_fit: Option<Fit> = None;
    let bytes = key.as_bytes();
    for found in PHRASE_FINDER.find_overlapping_iter(&key) {
        let (phrase, meaning) = PHRASES[found.pattern().as_usize()];
        let (start, end) = (found.start(), found.end());
        let word_start = start == 0
            || !(bytes[start - 1] as char).is_alphanumeric() && bytes[start - 1].is_ascii();
        let next = key[end..].chars().next();
        let word_end = next.is_none_or(|c| !c.is_alphanumeric());
        if !word_start || !word_end {
            continue;
        }
        let fit = if start == 0 && end == key.len() {
            Fit::Exact
        } else if start == 0 && next.is_some_and(|c| matches!(c, ' ' | '/' | '(')) {
            Fit::Prefix
        } else if phrase.contains(' ') {
            Fit::Contains
        } else {
            continue;
        };
        best_fit = best_fit.max(Some(fit));
        // What it means: an exact match, or else the longest phrase, the
        // start of the heading before a phrase inside it.
        let rank = |fit: Fit, len: usize| (fit == Fit::Exact, len, fit);
        let better = match best {
            None => true,
            Some((_, fit_so_far, len)) => rank(fit, phrase.len()) > rank(fit_so_far, len),
        };
        if better {
            best = Some((meaning, fit, phrase.len()));
        }
    }
    best.zip(best_fit).map(|((m, _, _), fit)| (m, fit))
}

/// Form fields that describe the session itself rather than a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionField {
    Type,
    When,
    Venue,
    Title,
    Code,
}

/// Labels of the fields that fill the event ("Session Type:", "Date &
/// Time:", "Room:"); these never become sections.
pub(crate) fn session_field(label: &str) -> Option<SessionField> {
    let key = fold(label);
    let key = key.trim_end_matches(':').trim();
    Some(match key {
        "session type" | "type of session" | "type" | "format" | "session format"
        | "type de session" | "tipo de sesion" | "tipo de sesión" | "event type" => {
            SessionField::Type
        }
        "date" | "dates" | "time" | "date & time" | "date and time" | "date/time"
        | "dates and times" | "date & heure" | "date et heure" | "heure" | "fecha" | "hora"
        | "fecha y hora" | "when" | "day" | "session date" | "session time" => SessionField::When,
        "room" | "venue" | "location" | "place" | "lieu" | "salle" | "sala" | "lugar" => {
            SessionField::Venue
        }
        "title" | "session title" | "titre" | "titulo" | "título" => SessionField::Title,
        "session code" | "session number" | "session id" | "code" => SessionField::Code,
        _ => return None,
    })
}

/// Words a session type ends with ("Thematic Workshop", "Open Forum", "Side
/// Event"), folded.
const TYPE_NOUNS: &[&str] = &[
    "workshop",
    "event",
    "session",
    "cafe",
    "forum",
    "talk",
    "hall",
    "dialogue",
    "roundtable",
    "round table",
    "meeting",
    "consultation",
    "panel",
    "plenary",
    "launch",
    "hackathon",
    "ceremony",
    "seminar",
    "webinar",
    "track",
    "lab",
    "debate",
    "briefing",
    "atelier",
    "seance",
    "table ronde",
    "evenement parallele",
    "taller",
    "sesion",
    "evento paralelo",
    "mesa redonda",
    "dialogo",
    "foro",
    "conversatorio",
];

/// Words that come before a type noun ("High-Level Policy", "Thematic").
const TYPE_MODIFIERS: &[&str] = &[
    "high-level",
    "high",
    "level",
    "policy",
    "thematic",
    "country",
    "ministerial",
    "interactive",
    "regional",
    "open",
    "main",
    "side",
    "networking",
    "youth",
    "parliamentary",
    "dynamic",
    "coalition",
    "special",
    "knowledge",
    "lightning",
    "town",
    "best",
    "practice",
    "day",
    "0",
    "pre-event",
    "pre",
    "action",
    "line",
    "facilitation",
    "flash",
    "book",
    "closing",
    "opening",
    "plenary",
    "high-level policy",
    "wsis",
    "igf",
    "prizes",
    "award",
    "hybrid",
    "virtual",
    "online",
    "consultation",
    "thematique",
    "pays",
    "de",
    "haut",
    "niveau",
    "ministerielle",
    "tematico",
    "tematica",
    "alto",
    "nivel",
    "paralelo",
    "paralela",
    "ronde",
    "table",
    "mesa",
    "redonda",
    "l'atelier",
    "el",
    "la",
    "le",
];

/// Whether words name a kind of session: a type noun, with at most four
/// modifiers before it and an optional number after ("High-Level Policy
/// Session 9", "Open Forum #19"). Returns the type without the number.
pub(crate) fn session_type(words: &str) -> Option<String> {
    static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
        // A session number, not a year ("WSIS Forum 2022" names no type).
        Regex::new(r"\s*(?:(?:#|no\.?|n[°º])\s*\d{1,4}|\d{1,3})[a-z]?$").expect("valid regex")
    });
    let words = words.trim();
    let bare = NUMBER.replace(words, "");
    let bare = bare.trim();
    let key = fold(bare);
    if key.is_empty() || key.split(' ').count() > 6 {
        return None;
    }
    // English puts the noun last ("Thematic Workshop"), French and Spanish
    // first ("atelier thématique", "evento paralelo").
    let modifiers = TYPE_NOUNS.iter().find_map(|noun| {
        if key == *noun {
            return Some("");
        }
        key.strip_suffix(noun)
            .and_then(|m| m.strip_suffix(' '))
            .or_else(|| key.strip_prefix(noun).and_then(|m| m.strip_prefix(' ')))
    })?;
    let known = modifiers
        .split([' ', '-'])
        .filter(|w| !w.is_empty())
        .all(|w| TYPE_MODIFIERS.contains(&w) || TYPE_NOUNS.contains(&w));
    known.then(|| bare.to_string())
}

/// Lower-case, accent-free, single-spaced: the form headings are compared in.
pub(crate) fn fold(text: &str) -> String {
    if text.is_ascii() {
        // Most headings: no accents to take off, one byte per character.
        let mut out = String::with_capacity(text.len());
        for word in text.split_ascii_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        }
        return out;
    }
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            '’' | '‘' => '\'',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_mean_what_their_most_specific_phrase_means() {
        let m = |t: &str| meaning(&clean_label(t).text).map(|(m, _)| m);
        assert_eq!(m("2. Summary of Issues Discussed"), Some(KeyIssues));
        assert_eq!(m("Summary"), Some(Background));
        assert_eq!(m("Session at a glance"), Some(Background));
        assert_eq!(m("Key Takeaways (3)"), Some(Recommendations));
        assert_eq!(
            m("3. Policy Recommendations or Suggestions for the Way Forward"),
            Some(Recommendations)
        );
        assert_eq!(
            m("Call to Action (* deadline 2 hours after session)"),
            Some(Recommendations)
        );
        assert_eq!(
            m(
                "Session Report (* deadline 26 October) - click on the ? symbol for more information"
            ),
            Some(Narrative)
        );
        assert_eq!(m("Major discussion points:"), Some(KeyIssues));
        assert_eq!(m("Principales questions abordées"), Some(KeyIssues));
        assert_eq!(m("Recomendaciones clave"), Some(Recommendations));
        assert_eq!(m("Speakers/Panellists"), Some(Other(People::Speakers)));
        assert_eq!(m("Organizer(s):"), Some(Other(People::Organizers)));
        assert_eq!(
            m("1. Key Policy Questions and related issues"),
            Some(Other(People::None))
        );
        assert_eq!(m("Related sessions"), Some(Chrome));
        assert_eq!(m("Digital Health Beyond the Pandemic"), None);
    }

    #[test]
    fn labels_lose_numbers_hints_and_colons() {
        assert_eq!(
            clean_label("1. Key Policy Questions:").text,
            "Key Policy Questions"
        );
        assert_eq!(
            clean_label("List of speakers (please indicate gender):").text,
            "List of speakers"
        );
        assert_eq!(clean_label("Theme [150 words]").text, "Theme");
        assert_eq!(clean_label("Organizer(s)").text, "Organizer(s)");
        assert!(clean_label("Background on the event (one paragraph)").had_hint);
    }

    #[test]
    fn session_types_by_their_noun() {
        assert_eq!(
            session_type("Thematic Workshop").as_deref(),
            Some("Thematic Workshop")
        );
        assert_eq!(
            session_type("High-Level Policy Session 9").as_deref(),
            Some("High-Level Policy Session")
        );
        assert_eq!(
            session_type("Open Forum #19").as_deref(),
            Some("Open Forum")
        );
        assert_eq!(
            session_type("atelier thématique").as_deref(),
            Some("atelier thématique")
        );
        assert_eq!(session_type("Digital Health Beyond the Pandemic"), None);
        assert_eq!(session_type("Internet Fragmentation"), None);
        assert_eq!(session_type("AI Governance Forum"), None);
    }
}

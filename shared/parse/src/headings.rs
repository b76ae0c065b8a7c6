//! Section headings: which lines are headings, and which section of the model
//! each one opens, in English, French and Spanish.

use std::sync::LazyLock;

use regex::Regex;

/// The part of the model a section feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SectionKind {
    Background,
    KeyIssues,
    Recommendations,
    Other,
}

/// A recognised heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heading {
    pub kind: SectionKind,
    /// The heading as written, without markup and template instructions.
    pub label: String,
    /// Text after "Label:" on the same line ("Moderator: Ms. Jane Doe").
    pub inline: Option<String>,
    /// The line is a heading by its wording alone, with nothing around it needed.
    pub certain: bool,
}

/// Heading phrases, accent-free and lower-case, matched at the start of a
/// heading. Order matters only where one phrase starts another.
const PHRASES: &[(&str, SectionKind)] = &[
    ("background", SectionKind::Background),
    ("context", SectionKind::Background),
    ("session description", SectionKind::Background),
    ("about the session", SectionKind::Background),
    ("overview", SectionKind::Background),
    ("contexte", SectionKind::Background),
    ("historique", SectionKind::Background),
    ("antecedentes", SectionKind::Background),
    ("contexto", SectionKind::Background),
    ("key issues", SectionKind::KeyIssues),
    ("key points", SectionKind::KeyIssues),
    ("main issues", SectionKind::KeyIssues),
    ("issues discussed", SectionKind::KeyIssues),
    ("key messages", SectionKind::KeyIssues),
    ("key takeaways", SectionKind::KeyIssues),
    ("discussion", SectionKind::KeyIssues),
    ("questions cles", SectionKind::KeyIssues),
    ("principales questions", SectionKind::KeyIssues),
    ("principaux enjeux", SectionKind::KeyIssues),
    ("points cles", SectionKind::KeyIssues),
    ("enjeux", SectionKind::KeyIssues),
    ("cuestiones clave", SectionKind::KeyIssues),
    ("principales cuestiones", SectionKind::KeyIssues),
    ("temas clave", SectionKind::KeyIssues),
    ("principales temas", SectionKind::KeyIssues),
    ("puntos clave", SectionKind::KeyIssues),
    ("key recommendations", SectionKind::Recommendations),
    ("recommendations", SectionKind::Recommendations),
    ("recommendation", SectionKind::Recommendations),
    ("way forward", SectionKind::Recommendations),
    ("the way forward", SectionKind::Recommendations),
    ("next steps", SectionKind::Recommendations),
    ("calls to action", SectionKind::Recommendations),
    ("call to action", SectionKind::Recommendations),
    ("recommandations", SectionKind::Recommendations),
    ("principales recommandations", SectionKind::Recommendations),
    ("voie a suivre", SectionKind::Recommendations),
    ("prochaines etapes", SectionKind::Recommendations),
    ("recomendaciones", SectionKind::Recommendations),
    ("principales recomendaciones", SectionKind::Recommendations),
    ("camino a seguir", SectionKind::Recommendations),
    ("proximos pasos", SectionKind::Recommendations),
    ("key achievements", SectionKind::Other),
    ("main outcomes", SectionKind::Other),
    ("outcomes", SectionKind::Other),
    ("conclusions", SectionKind::Other),
    ("conclusion", SectionKind::Other),
    ("moderators", SectionKind::Other),
    ("moderator", SectionKind::Other),
    ("speakers", SectionKind::Other),
    ("panelists", SectionKind::Other),
    ("panellists", SectionKind::Other),
    ("organizers", SectionKind::Other),
    ("organisers", SectionKind::Other),
    ("organized by", SectionKind::Other),
    ("organised by", SectionKind::Other),
    ("participants", SectionKind::Other),
    ("resources", SectionKind::Other),
    ("links", SectionKind::Other),
    ("resultats", SectionKind::Other),
    ("moderateur", SectionKind::Other),
    ("moderatrice", SectionKind::Other),
    ("intervenants", SectionKind::Other),
    ("resultados", SectionKind::Other),
    ("moderador", SectionKind::Other),
    ("moderadora", SectionKind::Other),
    ("ponentes", SectionKind::Other),
    ("oradores", SectionKind::Other),
];

/// Template instructions such as "(one paragraph)" or "(5- 8 bullet points)".
static INSTRUCTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*[(\[][^()\[\]]*(?:paragraph|bullet|point|words|max|optional|puces|paragraphe|párrafo|parrafo|viñetas|vinetas|puntos|phrases|frases)[^()\[\]]*[)\]]")
        .expect("valid regex")
});

static MARKDOWN_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:#{1,6}\s*|(?:\d{1,2}|[IVX]{1,4}|[A-H])[.)]\s+)").expect("valid regex")
});

/// Headings are short; a longer line (before any "Label:" colon) is prose, and
/// rejecting it early keeps long paragraphs from being folded and matched.
const MAX_HEADING_BYTES: usize = 160;

fn too_long(text: &str) -> bool {
    text.split(':').next().unwrap_or(text).len() > MAX_HEADING_BYTES
}

/// Classifies a line that names a known section, or returns None.
pub(crate) fn classify(text: &str) -> Option<Heading> {
    if too_long(text) {
        return None;
    }
    let (label, marked) = strip_markup(text);
    let (label, inline) = match label.split_once(':') {
        Some((head, rest)) if !rest.trim().is_empty() => {
            (head.trim().to_string(), Some(rest.trim().to_string()))
        }
        _ => (label.trim_end_matches(':').trim().to_string(), None),
    };
    let plain = INSTRUCTION.replace_all(&label, "").trim().to_string();
    if plain.is_empty()
        || plain.ends_with(['.', '!', '?', ';', ','])
        || plain.split(' ').count() > 10
    {
        return None;
    }
    let key = fold(&plain);
    let (phrase, kind) = PHRASES.iter().find(|(phrase, _)| {
        key == *phrase
            || key
                .strip_prefix(phrase)
                .is_some_and(|rest| rest.starts_with(' '))
    })?;
    let exact = key == *phrase;
    // "Moderator: Ms. Jane Doe" is a heading with content; "Background: the
    // session looked at…" too. A longer phrase before the colon is a sentence.
    if inline.is_some() && !exact {
        return None;
    }
    Some(Heading {
        kind: *kind,
        label: plain.clone(),
        inline,
        certain: marked || exact || plain != label || is_upper(&plain),
    })
}

/// Whether a heading label is exactly one of the known phrases ("Background").
pub(crate) fn is_bare_phrase(label: &str) -> bool {
    let key = fold(label);
    PHRASES.iter().any(|(phrase, _)| key == *phrase)
}

/// A line marked up as a heading that names no known section: Markdown `#`,
/// a whole-line bold span, or capitals.
pub(crate) fn other_heading(text: &str) -> Option<Heading> {
    if too_long(text) {
        return None;
    }
    let (label, marked) = strip_markup(text);
    let label = label.trim_end_matches(':').trim().to_string();
    let words = label.split(' ').count();
    if label.is_empty() || words > 12 || label.ends_with(['.', ',', ';']) {
        return None;
    }
    let capitals = is_upper(&label) && label.chars().filter(|c| c.is_alphabetic()).count() >= 4;
    (marked || capitals).then(|| Heading {
        kind: SectionKind::Other,
        label: INSTRUCTION.replace_all(&label, "").trim().to_string(),
        inline: None,
        certain: true,
    })
}

/// Removes heading markup, and says whether there was any.
fn strip_markup(text: &str) -> (String, bool) {
    let mut label = text.trim();
    let mut marked = false;
    if let Some(m) = MARKDOWN_PREFIX.find(label) {
        marked = label.starts_with('#');
        label = &label[m.end()..];
    }
    let bold = ["**", "__"].iter().find_map(|m| {
        label
            .strip_prefix(m)
            .and_then(|l| l.strip_suffix(m))
            .map(|l| l.trim_end_matches(':'))
    });
    if let Some(inner) = bold.filter(|inner| !inner.contains("**")) {
        marked = true;
        label = inner;
    }
    (label.trim().to_string(), marked)
}

fn is_upper(text: &str) -> bool {
    text.chars().any(char::is_alphabetic) && !text.chars().any(char::is_lowercase)
}

/// Lower-case, accent-free, single-spaced: the form headings are compared in.
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            '’' => '\'',
            c => c,
        })
        .collect()
}

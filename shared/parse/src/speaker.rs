//! Speaker attributions: "**Mr. Tomas Lamanauskas**, Deputy Secretary-General,
//! International Telecommunication Union (ITU) emphasized …" split into
//! honorific, name, role, organisation and the statement.
//!
//! Authors write attributions in many shapes, so this reads them the way a
//! person does: an honorific or a bold span says a name follows; the name runs
//! to a comma, a parenthesis or the bold's end; role and organisation are the
//! capitalised words that follow; the statement begins at the first lower-case
//! word that is not a connector such as "of" or "and" (organisations are named
//! in capitals, statements open with a verb).

use std::sync::LazyLock;

use rapporteur_model::Speaker;
use regex::Regex;

static SPEAKER_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:speaker|panelist|panellist|intervenant|intervenante|ponente|orador|oradora)\s*\d{0,3}\s*[:–—-]\s*")
        .expect("valid regex")
});

static HONORIFIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:H\.\s?E\.|S\.\s?E\.|HE|H\.E|Hon\.?|Rt\.? Hon\.?|Mr\.?|MR\.?|Mrs\.?|MRS\.?|Ms\.?|MS\.?|Miss|Mx\.?|Dr\.?|DR\.?|Prof\.?|PROF\.?|Professor|Eng\.?|Ing\.?|Sir|Dame|Amb\.?|Rev\.?|Mme\.?|Mlle\.?|M\.|Sr\.?|Sra\.?|Srta\.?|Dra\.?|Pr\.?|Lic\.?)\s+)+",
    )
    .expect("valid regex")
});

/// Words that organisation names are built with and that never start a statement.
const CONNECTORS: &[&str] = &[
    "of", "the", "and", "for", "in", "on", "at", "to", "with", "by", "an", "de", "des", "du", "la",
    "le", "les", "et", "del", "y", "e", "el", "los", "las", "und", "für", "van", "von", "der",
    "da", "di", "do", "dos", "das", "al", "bin", "ibn", "&",
];

/// Verbs that open a statement right after a comma, where a lower-case word
/// could otherwise be part of a role ("co-founder").
const STATEMENT_VERBS: &[&str] = &[
    "said",
    "says",
    "stated",
    "noted",
    "added",
    "explained",
    "stressed",
    "emphasized",
    "emphasised",
    "highlighted",
    "underlined",
    "underscored",
    "shared",
    "presented",
    "gave",
    "spoke",
    "talked",
    "addressed",
    "argued",
    "pointed",
    "mentioned",
    "called",
    "urged",
    "reiterated",
    "recalled",
    "opened",
    "welcomed",
    "introduced",
    "described",
    "discussed",
    "raised",
    "outlined",
    "suggested",
    "proposed",
    "recommended",
    "observed",
    "remarked",
    "showcased",
    "announced",
    "provided",
    "affirmed",
    "expressed",
    "focused",
    "elaborated",
    "reflected",
    "indicated",
    "concluded",
    "acknowledged",
    "agreed",
    "insisted",
    "invited",
    "delivered",
    "shed",
];

/// French and Spanish verbs (and the auxiliaries "a", "ha") that open a
/// statement. These languages write organisation names in lower case after the
/// first word ("Agence nationale de la sécurité"), so there the statement is
/// found by its verb rather than by the first lower-case word.
const ROMANCE_VERBS: &[&str] = &[
    "a",
    "ont",
    "souligne",
    "explique",
    "présente",
    "rappelle",
    "insiste",
    "estime",
    "note",
    "indique",
    "déclare",
    "affirme",
    "partage",
    "évoque",
    "aborde",
    "plaide",
    "appelle",
    "encourage",
    "invite",
    "ha",
    "han",
    "destacó",
    "señaló",
    "subrayó",
    "explicó",
    "afirmó",
    "indicó",
    "presentó",
    "compartió",
    "mencionó",
    "resaltó",
    "enfatizó",
    "habló",
    "abordó",
    "expuso",
    "comentó",
    "recordó",
    "propuso",
    "planteó",
    "sostuvo",
    "dijo",
    "declaró",
    "insistió",
    "recalcó",
    "agregó",
    "añadió",
    "instó",
    "describió",
    "destaca",
    "señala",
    "subraya",
];

static ORGANISATION_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:university|universit[éy]|universidad|organi[sz]ation|organisation|ministry|minist[èe]re|ministerio|union|institute|institut|instituto|foundation|fondation|fundaci[óo]n|association|agency|agence|council|conseil|commission|bank|ltd|inc|llc|gmbh|group|network|cent(?:re|er)|forum|department|office|company|corporation|programme|program|authority|society|initiative|alliance|coalition|unesco|itu|undp|unicef|who|un)\b|^[A-Z0-9&-]{2,10}$")
        .expect("valid regex")
});

/// How a language writes organisation names, which decides where a statement starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Casing {
    /// Every significant word of a name is capitalised (English).
    TitleCase,
    /// Only the first word is (French, Spanish).
    SentenceCase,
}

impl Casing {
    pub fn of_language(code: &str) -> Casing {
        match code {
            "fr" | "es" | "pt" | "it" => Casing::SentenceCase,
            _ => Casing::TitleCase,
        }
    }
}

/// Splits a list item into its speaker (if it names one) and statement. The
/// returned text has markup removed.
pub(crate) fn split_attribution(item: &str, casing: Casing) -> (Option<Speaker>, String) {
    let (plain, bold) = strip_bold(item);
    match attribution(&plain, &bold, casing) {
        Some((speaker, start)) => (Some(speaker), plain[start..].trim().to_string()),
        None => (None, plain),
    }
}

/// Removes `**`/`__` markup, returning the text and the byte ranges (in the
/// returned text) that were bold.
pub(crate) fn strip_bold(text: &str) -> (String, Vec<(usize, usize)>) {
    let mut plain = String::with_capacity(text.len());
    let mut spans = Vec::new();
    let mut open: Option<usize> = None;
    let mut rest = text;
    while let Some(at) = rest.find("**").or_else(|| rest.find("__")) {
        plain.push_str(&rest[..at]);
        rest = &rest[at + 2..];
        match open.take() {
            Some(start) => spans.push((start, plain.len())),
            None => open = Some(plain.len()),
        }
    }
    plain.push_str(rest);
    let collapsed = crate::lines::collapse_spaces(&plain);
    if collapsed.len() != plain.len() {
        // Spaces inside markup ("** Name **") moved the offsets; the spans only
        // guide where a name ends, and the other delimiters do without them.
        return (collapsed.trim().to_string(), Vec::new());
    }
    (plain, spans)
}

fn attribution(plain: &str, bold: &[(usize, usize)], casing: Casing) -> Option<(Speaker, usize)> {
    let mut pos = SPEAKER_LABEL.find(plain).map_or(0, |m| m.end());
    let labelled = pos > 0;
    let honorific = HONORIFIC.find(&plain[pos..]).map(|m| {
        pos += m.end();
        m.as_str().trim().to_string()
    });
    let name_start = pos;
    let bold_end = bold
        .iter()
        .find(|&&(start, end)| start <= name_start && end > name_start)
        .map(|&(_, end)| end);
    let delimiter = find_name_delimiter(plain, name_start);
    let name_end = match (bold_end, delimiter) {
        (Some(b), Some(d)) => b.min(d),
        (Some(b), None) => b,
        (None, Some(d)) => d,
        (None, None) => plain.len(),
    };
    let name = plain[name_start..name_end]
        .trim()
        .trim_end_matches([',', ':', '،', '，'])
        .trim();
    let marked = honorific.is_some() || bold_end.is_some() || labelled;
    if !is_name(name, marked) {
        return None;
    }
    let (role, organization, statement_start) = role_and_organisation(plain, name_end, casing)?;
    let statement = &plain[statement_start..];
    if statement.trim().is_empty() {
        return None;
    }
    if !marked {
        let first = statement.split(' ').next().unwrap_or_default();
        if !is_statement_verb(first) {
            return None;
        }
    }
    let speaker = Speaker {
        honorific,
        name: name.to_string(),
        role,
        organization,
    };
    Some((speaker, statement_start))
}

/// Where an unmarked name ends: at a comma, parenthesis or colon, or at the
/// first lower-case word.
fn find_name_delimiter(plain: &str, from: usize) -> Option<usize> {
    let rest = &plain[from..];
    let punct = rest.find([',', '(', ':', '،', '，', '（']);
    let dash = [" – ", " — ", " - "]
        .iter()
        .filter_map(|d| rest.find(d))
        .min();
    let lower = words(rest)
        .find(|&(_, w)| is_lowercase_word(w) && !CONNECTORS.contains(&w))
        .map(|(at, _)| at);
    [punct, dash, lower]
        .into_iter()
        .flatten()
        .min()
        .map(|at| from + at)
}

fn is_name(name: &str, marked: bool) -> bool {
    let words: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
    let max = if marked { 8 } else { 5 };
    let min = if marked { 1 } else { 2 };
    (min..=max).contains(&words.len())
        && words.iter().all(|w| {
            let first = w.chars().find(|c| c.is_alphabetic());
            CONNECTORS.contains(&w.to_lowercase().as_str())
                || first.is_some_and(|c| c.is_uppercase() || !c.is_lowercase())
        })
}

/// Reads what follows the name: "(Role, Organisation)" or ", Role,
/// Organisation", up to the statement. Returns role, organisation and the
/// byte offset where the statement starts.
fn role_and_organisation(
    plain: &str,
    from: usize,
    casing: Casing,
) -> Option<(Option<String>, Option<String>, usize)> {
    let rest = &plain[from..];
    let after_comma = rest.trim_start().starts_with([',', '،', '，']);
    let trimmed = rest.trim_start_matches([',', ' ', '،', '，']);
    let offset = from + rest.len() - trimmed.len();
    let (attribution, statement_start) = if let Some(inner) = trimmed.strip_prefix(['(', '（']) {
        let close = matching_paren(inner)?;
        let after = &inner[close + 1..];
        let statement = after.trim_start_matches([',', ':', ' ', '–', '—', '-', '،', '，']);
        (&inner[..close], plain.len() - statement.len())
    } else {
        let start = match casing {
            Casing::SentenceCase => {
                romance_verb(trimmed).or_else(|| statement_start(trimmed, after_comma))
            }
            Casing::TitleCase => statement_start(trimmed, after_comma),
        }?;
        (&trimmed[..start], offset + start)
    };
    let attribution = attribution
        .trim()
        .trim_end_matches([',', ':', '–', '—', '-', '،', '，', ' ']);
    let (role, organization) = match split_top_level_comma(attribution) {
        _ if attribution.is_empty() => (None, None),
        Some((role, organization)) => (Some(role.to_string()), Some(organization.to_string())),
        None if ORGANISATION_WORD.is_match(attribution) => (None, Some(attribution.to_string())),
        None => (Some(attribution.to_string()), None),
    };
    Some((role, organization, statement_start))
}

fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' if depth == 0 => return Some(at),
            ')' | '）' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn split_top_level_comma(text: &str) -> Option<(&str, &str)> {
    let mut depth = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' | '،' | '，' if depth == 0 => {
                let (role, organization) = (text[..at].trim(), text[at + c.len_utf8()..].trim());
                return (!role.is_empty() && !organization.is_empty())
                    .then_some((role, organization));
            }
            _ => {}
        }
    }
    None
}

/// Byte offset of the statement in "Role, Organisation (ACR) stated …".
fn statement_start(text: &str, mut after_comma: bool) -> Option<usize> {
    let mut depth = 0usize;
    let mut connectors_from: Option<usize> = None;
    for (at, word) in words(text) {
        let bare = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '&');
        if depth == 0 {
            if matches!(word, "–" | "—" | "-") {
                return next_word(text, at + word.len());
            }
            if CONNECTORS.contains(&bare) {
                connectors_from.get_or_insert(at);
            } else if is_lowercase_word(bare) && (!after_comma || is_statement_verb(bare)) {
                return Some(connectors_from.unwrap_or(at));
            }
        }
        depth += word.matches(['(', '（']).count();
        depth = depth.saturating_sub(word.matches([')', '）']).count());
        if depth == 0 && word.ends_with(':') {
            return next_word(text, at + word.len());
        }
        after_comma = word.ends_with([',', '،', '，']);
        if !CONNECTORS.contains(&bare) {
            connectors_from = None;
        }
    }
    None
}

/// Byte offset of the first French or Spanish statement verb outside parentheses.
fn romance_verb(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, word) in words(text) {
        if depth == 0 && ROMANCE_VERBS.contains(&word) {
            return Some(at);
        }
        depth += word.matches(['(', '（']).count();
        depth = depth.saturating_sub(word.matches([')', '）']).count());
        if word.ends_with('.') {
            return None;
        }
    }
    None
}

fn next_word(text: &str, from: usize) -> Option<usize> {
    let rest = &text[from..];
    let skipped = rest.len() - rest.trim_start().len();
    (skipped < rest.len()).then_some(from + skipped)
}

fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(' ')
        .scan(0usize, |at, word| {
            let start = *at;
            *at += word.len() + 1;
            Some((start, word))
        })
        .filter(|(_, w)| !w.is_empty())
}

fn is_lowercase_word(word: &str) -> bool {
    word.chars().any(char::is_lowercase) && !word.chars().any(char::is_uppercase)
}

fn is_statement_verb(word: &str) -> bool {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    STATEMENT_VERBS.contains(&word)
        || ROMANCE_VERBS.contains(&word)
        || (word.len() > 4 && word.ends_with("ed") && is_lowercase_word(word))
}

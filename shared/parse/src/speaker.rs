//! Speaker attributions: "**Mr. Tomas Lamanauskas**, Deputy Secretary-General,
//! International Telecommunication Union (ITU) emphasized …" split into
//! honorific, name, role, organisation and the statement.
//!
//! Authors write attributions in many shapes, so this reads them the way a
//! person does: an honorific or a bold span says a name follows; the name runs
//! to a comma, a parenthesis or the bold's end; role and organisation are the
//! capitalised words that follow; the statement begins at the first lower-case
//! word that is not a connector such as "of" or "and" (organisations are named
//! in capitals, statements open with a verb). Running prose says it in more
//! ways ("Dr X, Role at the Org, said", "Ms X from the Org highlighted", "Ms
//! X, a youth advocate from Nairobi, said"), and a paragraph can carry on a
//! speaker's words ("He added …"); both are read here too.

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
    "da", "di", "do", "dos", "das", "al", "bin", "ibn", "&", "from",
];

/// Words a run of capitalised words starts with when it names a group or a
/// thing, not a person ("The Secretary-General", "Several Participants").
const NOT_NAME_STARTS: &[&str] = &[
    "the",
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "several",
    "many",
    "some",
    "most",
    "all",
    "both",
    "each",
    "every",
    "other",
    "others",
    "participants",
    "speakers",
    "panelists",
    "panellists",
    "delegates",
    "members",
    "attendees",
    "governments",
    "countries",
    "states",
    "le",
    "la",
    "les",
    "un",
    "une",
    "des",
    "plusieurs",
    "el",
    "los",
    "las",
    "una",
    "unos",
    "varios",
    "varias",
    "our",
    "their",
    "his",
    "her",
    "its",
    "we",
    "they",
    "he",
    "she",
    "it",
    "moderator",
    "chair",
    "session",
    "workshop",
    "panel",
    "audience",
    "questions",
    "question",
];

/// Words for a person's job, which tell a role from an organisation when an
/// attribution gives only one of them ("Ms X, Policy Adviser, argued").
static ROLE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:director|directora|directeur|directrice|officer|minister|ministre|ministra|head|chief|chair|chairman|chairwoman|chairperson|manager|adviser|advisor|conseill[eè]re?|asesora?|researcher|chercheuse|chercheur|investigadora?|professor|professeure?|profesora?|lecturer|engineer|ing[ée]nieure?|ingenier[ao]|founder|co-founder|fondatrice|fondateur|fundadora?|president|pr[ée]sidente?|secretary|secr[ée]taire|secretari[ao]|coordinator|coordinatrice|coordinateur|coordinadora?|analyst|analyste|analista|expert|experte|experta?|consultant|consultante|consultora?|specialist|sp[ée]cialiste|especialista|representative|repr[ée]sentante?|representante|ambassador|ambassadrice|ambassadeur|embajadora?|member|membre|miembro|fellow|moderator|mod[ée]rat(?:eur|rice)|moderadora?|ceo|cto|cio|coo|cfo|student|[ée]tudiante?|estudiante|librarian|scientist|economist|lawyer|avocate?|abogada?|journalist|journaliste|periodista|advocate|activist|militante?|activista|campaigner|editor|partner|associate|assistant|commissioner|undersecretary|vice-minister|deputy|envoy|rapporteur|steward|dean|teacher|enseignante?|docente|delegate|d[ée]l[ée]gu[ée]e?|delegada?|lead|leader|owner|entrepreneur|developer|designer|gerente|jefa?|cheffe?|charg[ée]e|directrice|officer|program(?:me)? officer|policy officer)\b")
        .expect("valid regex")
});

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
    Regex::new(r"(?i)\b(?:university|universit[éy]|universidad|organi[sz]ation|organisation|ministry|minist[èe]re|ministerio|union|institute|institut|instituto|foundation|fondation|fundaci[óo]n|association|agency|agence|council|conseil|commission|bank|ltd|inc|llc|gmbh|group|network|cent(?:re|er)|forum|department|office|company|corporation|programme|program|authority|society|initiative|alliance|coalition|unesco|itu|undp|unicef|who|un|service|services|bureau|directorate|secretariat|observatory|laboratory|lab|platform|consortium|federation|chamber|cooperative|fund|board|committee|parliament|government|court|hospital|college|academy|ministerio|agencia|autoridad|oficina|direction|secr[ée]tariat|observatoire)\b|(?-i:^[A-Z0-9&-]{2,10}$)")
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

/// Splits a paragraph or item (plain text and its bold ranges) into its
/// speaker, if it names one at its start, and the statement.
pub(crate) fn split_attribution(
    plain: &str,
    bold: &[(usize, usize)],
    casing: Casing,
) -> (Option<Speaker>, String) {
    if let Some((speaker, start)) = attribution(plain, bold, casing) {
        return (Some(speaker), plain[start..].trim().to_string());
    }
    // "Opening the session, Ms X (…) recalled …", "Por su parte, el Sr. X
    // destacó …": a phrase, then the attribution.
    if let Some(m) = LEADING_PHRASE.find(plain) {
        let rest = &plain[m.end()..];
        let shifted: Vec<(usize, usize)> = bold
            .iter()
            .filter(|&&(_, end)| end > m.end())
            .map(|&(s, e)| (s.max(m.end()) - m.end(), e - m.end()))
            .collect();
        if let Some((speaker, start)) =
            attribution(rest, &shifted, casing).filter(|(speaker, _)| speaker.honorific.is_some())
        {
            return (Some(speaker), rest[start..].trim().to_string());
        }
    }
    // "…, said Ms. X (ITU).": the speaker named after the statement.
    const NAMED_AFTER: &[&str] = &[
        "said",
        "says",
        "noted",
        "stressed",
        "added",
        "explained",
        "argued",
        "observed",
        "warned",
        "according",
        "déclaré",
        "souligné",
        "ajouté",
        "selon",
        "dijo",
        "señaló",
        "afirmó",
        "según",
    ];
    let named_after = plain
        .split_whitespace()
        .skip(2)
        .any(|word| NAMED_AFTER.contains(&word));
    if named_after
        && let Some(caps) = TRAILING_ATTRIBUTION.captures(plain)
        && let Some(speaker) = person(&caps["who"])
        && speaker.honorific.is_some()
    {
        let mut text = caps["text"].trim_end_matches([',', ';', ' ']).to_string();
        if !text.ends_with(['.', '!', '?', '"', '”']) {
            text.push('.');
        }
        return (Some(speaker), text);
    }
    (None, plain.to_string())
}

/// An opening phrase before a speaker's attribution: a participle ("Opening
/// the session,"), "In her remarks,", or a connector ("Por su parte,").
static LEADING_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:Opening|Closing|Speaking|Responding|Concluding|Introducing|Summing up|Reflecting|Replying|Moderating|Chairing)\b[^,.;]{0,60}|In (?:his|her|their) [^,.;]{1,40}|(?:Por su parte|Asimismo|Además|Finalmente|Para cerrar|Pour sa part|De son côté|Enfin|Ensuite|Finally|Lastly|Meanwhile|Similarly|Likewise|Next|Then|Also|Later)),\s+(?:(?:the|le|la|el|l')\s+)?")
        .expect("valid regex")
});

/// A statement that ends by naming its speaker: "…, said Ms. X (ITU)."
static TRAILING_ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<text>.{10,}?)[,;]?\s+(?:said|says|noted|stressed|added|explained|argued|observed|warned|according to|a déclaré|a souligné|a ajouté|selon|dijo|señaló|afirmó|según)\s+(?P<who>(?:H\.\s?E\.\s+)?(?:Mr|Ms|Mrs|Dr|Prof|Eng|Mme|M|Sr|Sra|Dra|Pr)\.?\s+[^.;]{2,120}?)\.?$")
        .expect("valid regex")
});

/// One person as a list or a sub-heading gives them: "Ms. Name, Role,
/// Organisation", "Name (Organisation)", "Speaker 1: Name – Role, Org".
pub(crate) fn person(entry: &str) -> Option<Speaker> {
    let entry = SPEAKER_LABEL.replace(entry.trim(), "");
    let entry = entry.trim().trim_end_matches('.');
    let (name_part, rest) = match entry.find([',', '(', '–', '—', '（']) {
        Some(at) => (
            &entry[..at],
            entry[at..].trim_start_matches([',', '(', '–', '—', '（', ' ']),
        ),
        None => (entry, ""),
    };
    let (honorific, name) = bare_name(name_part.trim()).or_else(|| {
        // One-word names in a list ("Amina") are still names.
        let name = name_part.trim();
        (!name.is_empty() && name.split_whitespace().count() <= 5 && is_name(name, true))
            .then(|| (None, name.to_string()))
    })?;
    let rest = rest.trim().trim_end_matches([')', '）']).trim();
    let (role, organization) = if rest.is_empty() {
        (None, None)
    } else {
        match rest.split_once(',') {
            Some((first, others)) if is_role(first) => (
                Some(first.trim().to_string()),
                Some(others.trim().to_string()),
            ),
            _ if is_role(rest) && !is_organisation(rest) => (Some(rest.to_string()), None),
            _ => (None, Some(rest.to_string())),
        }
    };
    Some(Speaker {
        honorific,
        name,
        role,
        organization,
    })
}

/// The article French and Spanish put before an honorific ("Le Dr", "La Sra.").
static ARTICLE_BEFORE_HONORIFIC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:Le|La|El|Los|Las|L['’])\s*").expect("valid regex"));

/// Whether a text opens with an honorific ("Mr.", "H.E. Ms.").
pub(crate) fn starts_with_honorific(text: &str) -> bool {
    HONORIFIC.is_match(text.trim_start())
}

/// Whether words name a job ("Senior Adviser") rather than a body.
pub(crate) fn is_role(text: &str) -> bool {
    ROLE_WORD.is_match(text)
}

/// Whether words name a body ("Ministry of …", "ITU").
pub(crate) fn is_organisation(text: &str) -> bool {
    ORGANISATION_WORD.is_match(text)
}

/// Whether a connector of names ("of", "bin", "de").
pub(crate) fn is_connector(word: &str) -> bool {
    CONNECTORS.contains(&word.to_lowercase().as_str())
}

/// Pronouns that carry on the previous speaker's words.
const PRONOUNS: &[&str] = &["he", "she", "il", "elle", "él", "ella"];

/// Whether a text opens with a pronoun and a verb ("She explained …").
pub(crate) fn starts_with_pronoun(text: &str) -> bool {
    let mut words = text.split_whitespace();
    let (Some(first), Some(second)) = (words.next(), words.next()) else {
        return false;
    };
    let first = first.trim_end_matches(',').to_lowercase();
    PRONOUNS.contains(&first.as_str()) && is_lowercase_word(second)
}

/// Whether a paragraph carries on what `previous` said: it opens with a
/// pronoun and a verb ("He added that …"), or with their surname and a verb
/// ("Alves noted …").
pub(crate) fn continues(text: &str, previous: &Speaker) -> bool {
    if starts_with_pronoun(text) {
        return true;
    }
    // "Asimismo, añadió que …": a connector and the verb, the subject left
    // implicit as Spanish does.
    if let Some((lead, rest)) = text.split_once(", ")
        && CONTINUATION_ADVERBS.contains(&lead.to_lowercase().as_str())
        && rest.split_whitespace().next().is_some_and(|w| {
            is_statement_verb(w, Casing::SentenceCase) || starts_with_pronoun(rest)
        })
    {
        return true;
    }
    let mut words = text.split_whitespace();
    let (Some(first), Some(mut second)) = (words.next(), words.next()) else {
        return false;
    };
    // "Lima also noted …"
    if ADVERBS.contains(&second.to_lowercase().as_str()) {
        second = words.next().unwrap_or_default();
    }
    let first = first.trim_matches(|c: char| !c.is_alphanumeric());
    previous
        .name
        .split_whitespace()
        .filter(|w| w.chars().count() >= 3)
        .any(|w| w.eq_ignore_ascii_case(first))
        && is_statement_verb(second, Casing::TitleCase)
}

/// Adverbs between a subject and its verb ("She also noted").
const ADVERBS: &[&str] = &[
    "also",
    "further",
    "then",
    "again",
    "later",
    "too",
    "additionally",
    "finally",
    "aussi",
    "également",
    "ensuite",
    "también",
    "además",
    "luego",
];

/// Connectors that open a paragraph carrying on the speaker before.
const CONTINUATION_ADVERBS: &[&str] = &[
    "asimismo",
    "además",
    "también",
    "por otra parte",
    "de igual modo",
    "en outre",
    "de plus",
    "par ailleurs",
    "enfin",
    "furthermore",
    "moreover",
    "in addition",
    "additionally",
];

/// A line that is only a person's name, with an honorific or not ("Amara
/// Sesay", "Dr. Ana Tuilagi", "LI Na (李娜)"): the honorific and the name.
pub(crate) fn bare_name(text: &str) -> Option<(Option<String>, String)> {
    let text = text.trim();
    if text.is_empty()
        || text.len() > 80
        || text.ends_with(['.', ':', ',', ';', '!', '?'])
        || text.contains([':', '|', '/', '›'])
        || text.chars().any(|c| c.is_ascii_digit())
    {
        return None;
    }
    let (honorific, rest) = match HONORIFIC.find(text) {
        Some(m) => (Some(m.as_str().trim().to_string()), &text[m.end()..]),
        None => (None, text),
    };
    let (name, alias) = match rest.find(['(', '（']) {
        Some(at) => (rest[..at].trim(), Some(rest[at..].trim())),
        None => (rest.trim(), None),
    };
    if let Some(alias) = alias
        && other_script_alias(name, alias).is_none()
    {
        return None;
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    let one_word_script = words.len() == 1 && !words[0].chars().any(|c| c.is_ascii());
    let min = if honorific.is_some() || one_word_script {
        1
    } else {
        2
    };
    if !(min..=5).contains(&words.len()) || !is_name(name, true) {
        return None;
    }
    if NOT_NAME_STARTS.contains(&words[0].to_lowercase().as_str())
        || ORGANISATION_WORD.is_match(name) && !one_word_script
        || words.iter().all(|w| is_connector(w))
        || crate::lexicon::meaning(name).is_some()
        || crate::lexicon::session_type(name).is_some()
    {
        return None;
    }
    let full = match alias {
        Some(alias) => format!("{name} {alias}"),
        None => name.to_string(),
    };
    Some((honorific, full))
}

/// The name in another script that follows a name in parentheses ("LI Na
/// (李娜)", "山田花子 (Hanako Yamada)"), with the closing parenthesis's end.
fn other_script_alias(name: &str, rest: &str) -> Option<usize> {
    let inner = rest.strip_prefix(['(', '（'])?;
    let close = inner.find([')', '）'])?;
    let alias = &inner[..close];
    let latin = |t: &str| {
        t.chars()
            .filter(|c| c.is_alphabetic())
            .all(|c| (c as u32) < 0x0250)
    };
    let has_letters = |t: &str| t.chars().any(char::is_alphabetic);
    let differ = has_letters(alias) && has_letters(name) && latin(alias) != latin(name);
    let short = alias.split_whitespace().count() <= 4 && !alias.contains(',');
    let closing = inner[close..].chars().next().map_or(1, char::len_utf8);
    let opening = rest.chars().next().map_or(1, char::len_utf8);
    (differ && short).then_some(opening + close + closing)
}

fn attribution(plain: &str, bold: &[(usize, usize)], casing: Casing) -> Option<(Speaker, usize)> {
    let mut pos = SPEAKER_LABEL.find(plain).map_or(0, |m| m.end());
    // "Le Dr X", "La Sra. X": an article before the honorific.
    if pos == 0
        && let Some(m) = ARTICLE_BEFORE_HONORIFIC.find(plain)
        && HONORIFIC.is_match(&plain[m.end()..])
    {
        pos = m.end();
    }
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
    let mut name_end = match (bold_end, delimiter) {
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
    let first = name.split(' ').next().unwrap_or_default().to_lowercase();
    if !marked && (NOT_NAME_STARTS.contains(&first.as_str()) || !unmarked_name(name)) {
        return None;
    }
    let mut name = name.to_string();
    // A name in another script in parentheses belongs to the name.
    let after = &plain[name_end..];
    let gap = after.len() - after.trim_start().len();
    if let Some(len) = other_script_alias(&name, after.trim_start()) {
        name = format!("{name} {}", after.trim_start()[..len].trim());
        name_end += gap + len;
    }
    let (role, organization, statement_start) = role_and_organisation(plain, name_end, casing)?;
    let statement = &plain[statement_start..];
    if statement.trim().is_empty() {
        return None;
    }
    if !marked {
        let first = statement.split(' ').next().unwrap_or_default();
        if !is_statement_verb(first, casing) && romance_verb(statement) != Some(0) {
            return None;
        }
    }
    let speaker = Speaker {
        honorific,
        name,
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
        .find(|&(_, w)| is_lowercase_word(w) && !NAME_PARTICLES.contains(&w))
        .map(|(at, _)| at);
    [punct, dash, lower]
        .into_iter()
        .flatten()
        .min()
        .map(|at| from + at)
}

/// Lower-case words that are part of names ("Khalid bin Saeed", "Anneke de
/// Vries", "Ludwig van Beethoven").
const NAME_PARTICLES: &[&str] = &[
    "bin", "ibn", "bint", "al", "el", "de", "del", "della", "der", "den", "van", "von", "da", "di",
    "do", "dos", "das", "du", "la", "le", "y", "e", "ben", "abu", "ter", "zu",
];

fn is_name(name: &str, marked: bool) -> bool {
    let words: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
    let max = if marked { 8 } else { 5 };
    let min = if marked { 1 } else { 2 };
    (min..=max).contains(&words.len())
        && words.iter().all(|w| {
            let first = w.chars().find(|c| c.is_alphabetic());
            NAME_PARTICLES.contains(&w.to_lowercase().as_str())
                || first.is_some_and(|c| c.is_uppercase() || !c.is_lowercase())
        })
}

/// An unmarked name (no honorific, no bold) has two capitalised words at
/// least and does not end in a particle ("Aunque la" is no name).
fn unmarked_name(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    let capitalised = words
        .iter()
        .filter(|w| !NAME_PARTICLES.contains(&w.to_lowercase().as_str()))
        .count();
    capitalised >= 2
        && words
            .last()
            .is_some_and(|w| !NAME_PARTICLES.contains(&w.to_lowercase().as_str()))
}

/// Reads what follows the name: "(Role, Organisation)", ", Role,
/// Organisation", " from the Organisation", up to the statement. Returns
/// role, organisation and the byte offset where the statement starts.
fn role_and_organisation(
    plain: &str,
    from: usize,
    casing: Casing,
) -> Option<(Option<String>, Option<String>, usize)> {
    let rest = &plain[from..];
    let after_comma = rest.trim_start().starts_with([',', '،', '，']);
    let trimmed = rest.trim_start_matches([',', ' ', '،', '，']);
    let offset = from + rest.len() - trimmed.len();
    let (attribution, statement_start, bracketed) =
        if let Some(inner) = trimmed.strip_prefix(['(', '（']) {
            let close = matching_paren(inner)?;
            let after = &inner[close + 1..];
            let statement = after.trim_start_matches([',', ':', ' ', '–', '—', '-', '،', '，']);
            (&inner[..close], plain.len() - statement.len(), true)
        } else {
            let start = match casing {
                Casing::SentenceCase => {
                    romance_verb(trimmed).or_else(|| statement_start(trimmed, after_comma, casing))
                }
                Casing::TitleCase => statement_start(trimmed, after_comma, casing),
            }?;
            (&trimmed[..start], offset + start, false)
        };
    let attribution = attribution
        .trim()
        .trim_end_matches([',', ':', '–', '—', '-', '،', '，', ' ']);
    let (role, organization) = split_role(attribution, bracketed);
    Some((role, organization, statement_start))
}

/// Splits an attribution into role and organisation: at the first top-level
/// comma ("Role, Org, Country"), else at "at (the)", "from (the)" or "of
/// the" before a capitalised name ("Role at the Org"), else by whether it
/// names a job or a body. "from" a place ("from Nairobi") names no body.
fn split_role(attribution: &str, bracketed: bool) -> (Option<String>, Option<String>) {
    static ARTICLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)^(?:a|an|the)\s+").expect("valid regex"));
    let text = attribution.trim().trim_start_matches(['–', '—', '-', ' ']);
    let text = ARTICLE.replace(text, "");
    let text = text.trim();
    if text.is_empty() {
        return (None, None);
    }
    if let Some((role, organization)) = split_top_level_comma(text) {
        // "(Ministry of Commerce, India)": a body and its country, no role.
        let country = organization.split_whitespace().count() <= 2
            && !ORGANISATION_WORD.is_match(organization)
            && !ROLE_WORD.is_match(organization);
        if bracketed && country && is_org_name(role) && !ROLE_WORD.is_match(role) {
            return (None, Some(text.to_string()));
        }
        return (Some(role.to_string()), Some(organization.to_string()));
    }
    if let Some((role, preposition, article, organization)) = affiliation(text) {
        let place = preposition == "from"
            && !article
            && organization.split_whitespace().count() <= 2
            && !ORGANISATION_WORD.is_match(organization);
        let role = (!role.is_empty()).then(|| role.to_string());
        return (role, (!place).then(|| organization.to_string()));
    }
    if is_org_name(text) && !starts_with_role(text) || (bracketed && !ROLE_WORD.is_match(text)) {
        (None, Some(text.to_string()))
    } else {
        (Some(text.to_string()), None)
    }
}

/// Whether a job comes first ("Head of Government Relations"): then the
/// words are a role, whatever body they mention.
fn starts_with_role(text: &str) -> bool {
    let first = text.split([' ', ',']).next().unwrap_or_default();
    ROLE_WORD.is_match(first)
}

/// Words that name a body: a body's word ("Ministry", "University"), or an
/// acronym in parentheses at the end ("… for Refugees (UNHCR)").
fn is_org_name(text: &str) -> bool {
    static ACRONYM_END: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\((?:[A-Z][A-Za-z0-9&.-]*){1,3}\)$").expect("valid regex"));
    ORGANISATION_WORD.is_match(text) || ACRONYM_END.is_match(text.trim())
}

/// An attribution split at its preposition: the role before it, the
/// preposition, whether an article followed, and the organisation.
type Affiliation<'a> = (&'a str, &'static str, bool, &'a str);

/// "Role at the Org" → ("Role", "at", true, "Org"): the last "at", "from"
/// or "with", or else the first "of the", followed by a capitalised name;
/// in French and Spanish, the first "de la", "du", "del", "à l'" … before one
/// ("directrice de l'Agence …", "investigadora de la Universidad …").
fn affiliation(text: &str) -> Option<Affiliation<'_>> {
    // (preposition, its article, whether the last one counts)
    const SEPARATORS: &[(&str, &str, bool)] = &[
        ("at", "the ", true),
        ("at", "", true),
        ("from", "the ", true),
        ("from", "", true),
        ("with", "the ", true),
        ("of", "the ", false),
        ("de", "la ", false),
        ("de", "l'", false),
        ("de", "l’", false),
        ("de", "los ", false),
        ("de", "las ", false),
        ("del", "", false),
        ("du", "", false),
        ("des", "", false),
        ("à", "la ", false),
        ("à", "l'", false),
        ("à", "l’", false),
        ("au", "", false),
        ("en", "la ", false),
        ("en", "el ", false),
    ];
    let mut best: Option<(usize, Affiliation<'_>)> = None;
    for &(preposition, article, last) in SEPARATORS {
        let lead = format!("{preposition} {article}");
        let mut positions: Vec<usize> = text
            .match_indices(&format!(" {lead}"))
            .map(|(at, _)| at + 1)
            .collect();
        if text.starts_with(&lead) {
            positions.insert(0, 0);
        }
        if last {
            positions.reverse();
        }
        let found = positions.into_iter().find(|&at| {
            text[at + lead.len()..]
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
        });
        if let Some(at) = found {
            let split = (
                text[..at].trim(),
                preposition,
                !article.is_empty(),
                text[at + lead.len()..].trim(),
            );
            // English separators in their order; the others at their place.
            let english = matches!(preposition, "at" | "from" | "with" | "of");
            if english {
                return Some(split);
            }
            if best.is_none_or(|(b, _)| at < b) {
                best = Some((at, split));
            }
        }
    }
    best.map(|(_, split)| split)
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

/// Byte offset of the statement in "Role, Organisation (ACR) stated …": the
/// first statement verb that follows a comma or a capitalised word, or
/// failing that the first lower-case word that is not a connector (and,
/// right after a comma, not part of a lower-case role).
fn statement_start(text: &str, after_comma: bool, casing: Casing) -> Option<usize> {
    if let Some(at) = verb_start(text) {
        return Some(at);
    }
    let mut after_comma = after_comma;
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
            } else if is_lowercase_word(bare) && (!after_comma || is_statement_verb(bare, casing)) {
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

/// The first English statement verb at a boundary: after a comma, after a
/// capitalised word or a closing parenthesis, or first.
fn verb_start(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut boundary = true;
    for (at, word) in words(text) {
        let bare = word.trim_matches(|c: char| !c.is_alphanumeric());
        if depth == 0 && boundary && is_statement_verb(bare, Casing::TitleCase) {
            return Some(at);
        }
        if depth == 0 && word.ends_with(':') {
            return next_word(text, at + word.len());
        }
        depth += word.matches(['(', '（']).count();
        depth = depth.saturating_sub(word.matches([')', '）']).count());
        let first = word.chars().find(|c| c.is_alphabetic());
        boundary = word.ends_with([',', '،', '，', ')', '）'])
            || first.is_some_and(|c| c.is_uppercase())
            || !word.chars().any(char::is_lowercase);
        if word.ends_with('.') && !HONORIFIC.is_match(word) && bare.len() > 3 {
            return None;
        }
    }
    None
}

/// Byte offset of the first French or Spanish statement verb outside parentheses.
fn romance_verb(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, word) in words(text) {
        let bare = word.trim_matches(|c: char| !c.is_alphanumeric());
        if depth == 0 && is_romance_verb(bare) {
            return Some(at);
        }
        depth += word.matches(['(', '（']).count();
        depth = depth.saturating_sub(word.matches([')', '）']).count());
        if word.ends_with('.') && bare.len() > 3 {
            return None;
        }
    }
    None
}

/// French and Spanish statement verbs: the listed ones, and any Spanish
/// preterite in "-ó" ("advirtió", "explicó").
fn is_romance_verb(word: &str) -> bool {
    ROMANCE_VERBS.contains(&word)
        || (word.chars().count() >= 4 && word.ends_with('ó') && is_lowercase_word(word))
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

/// Participles that open a statement after the attribution ("opening the
/// session, stressed …", "speaking on behalf of …").
const OPENING_PARTICIPLES: &[&str] = &[
    "opening",
    "closing",
    "speaking",
    "responding",
    "replying",
    "concluding",
    "introducing",
    "recalling",
    "noting",
    "presenting",
    "moderating",
    "summarising",
    "summarizing",
    "reflecting",
];

fn is_statement_verb(word: &str, casing: Casing) -> bool {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    STATEMENT_VERBS.contains(&word)
        || OPENING_PARTICIPLES.contains(&word)
        || (casing == Casing::SentenceCase && is_romance_verb(word))
        || (word.len() > 4 && word.ends_with("ed") && is_lowercase_word(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> (Option<Speaker>, String) {
        let (plain, bold) = crate::markup::strip_bold(text);
        split_attribution(&plain, &bold, Casing::TitleCase)
    }

    fn who(text: &str) -> [Option<String>; 4] {
        let s = split(text)
            .0
            .unwrap_or_else(|| panic!("no speaker in {text}"));
        [s.honorific, Some(s.name), s.role, s.organization]
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn role_at_from_and_of_the_organisation() {
        assert_eq!(
            who(
                "Dr Ama Owusu, Digital Health Officer at the World Health Organization (WHO), said that x."
            ),
            [
                some("Dr"),
                some("Ama Owusu"),
                some("Digital Health Officer"),
                some("World Health Organization (WHO)")
            ]
        );
        assert_eq!(
            who("Ms. Anna Kim from the Child Rights Coalition Asia highlighted that x."),
            [
                some("Ms."),
                some("Anna Kim"),
                None,
                some("Child Rights Coalition Asia")
            ]
        );
        assert_eq!(
            who("Ms. Joy Otieno, a youth advocate from Nairobi, said that x."),
            [
                some("Ms."),
                some("Joy Otieno"),
                some("youth advocate"),
                None
            ]
        );
        assert_eq!(
            who("Ms. Zainab Abubakar, co-founder of the Hausa Voices project, explained that x."),
            [
                some("Ms."),
                some("Zainab Abubakar"),
                some("co-founder"),
                some("Hausa Voices project")
            ]
        );
        assert_eq!(
            who(
                "Dr. Rafael Moreno, Director of the Centre for Digital Childhood at the University of Buenos Aires, noted that x."
            ),
            [
                some("Dr."),
                some("Rafael Moreno"),
                some("Director of the Centre for Digital Childhood"),
                some("University of Buenos Aires")
            ]
        );
    }

    #[test]
    fn a_single_bracketed_body_is_an_organisation_and_a_job_a_role() {
        assert_eq!(
            who("Ms. Julia Becker (Access Now): strong laws are needed."),
            [some("Ms."), some("Julia Becker"), None, some("Access Now")]
        );
        assert_eq!(
            who("**Ms. Ingrid Solberg**, Policy Adviser, argued that x."),
            [
                some("Ms."),
                some("Ingrid Solberg"),
                some("Policy Adviser"),
                None
            ]
        );
    }

    #[test]
    fn names_in_two_scripts_stay_together() {
        assert_eq!(
            who("**Ms. LI Na (李娜)**, Director, China Telecom, said x."),
            [
                some("Ms."),
                some("LI Na (李娜)"),
                some("Director"),
                some("China Telecom")
            ]
        );
        assert_eq!(
            who("Ms. 山田花子 (Hanako Yamada), Consultant, Tokyo Design Forum, argued x."),
            [
                some("Ms."),
                some("山田花子 (Hanako Yamada)"),
                some("Consultant"),
                some("Tokyo Design Forum")
            ]
        );
    }

    #[test]
    fn groups_are_no_speakers() {
        assert_eq!(split("The Secretary-General stressed that x.").0, None);
        assert_eq!(split("Several participants noted that x.").0, None);
        assert_eq!(split("Participants from the audience raised x.").0, None);
    }

    #[test]
    fn spanish_organisations_end_at_the_verb() {
        let (speaker, text) = split_attribution(
            "Sra. Ana Ruiz, Directora, Ministerio de Tecnologías de la Información, advirtió que x.",
            &[],
            Casing::SentenceCase,
        );
        let speaker = speaker.unwrap();
        assert_eq!(
            speaker.organization.as_deref(),
            Some("Ministerio de Tecnologías de la Información")
        );
        assert_eq!(text, "advirtió que x.");
    }

    #[test]
    fn bare_names_and_continuations() {
        assert_eq!(bare_name("Amara Sesay"), Some((None, "Amara Sesay".into())));
        assert_eq!(
            bare_name("Dr. Ana Tuilagi"),
            Some((some("Dr."), "Ana Tuilagi".into()))
        );
        assert_eq!(bare_name("Key issues"), None);
        assert_eq!(bare_name("Link to WSIS Action Lines"), None);
        assert_eq!(bare_name("Ministry of Communications"), None);
        assert_eq!(bare_name("The Moderator"), None);
        let previous = Speaker {
            honorific: None,
            name: "Rodrigo Alves".into(),
            role: None,
            organization: None,
        };
        assert!(continues("He noted that x.", &previous));
        assert!(continues("Alves added that x.", &previous));
        assert!(!continues("The session noted x.", &previous));
    }
}

//! Blocks to typed elements: what each block of a document is (title, date
//! line, heading, field, speaker's name, list item, paragraph, or page
//! furniture), decided by weighing the evidence for each reading rather than
//! by the first rule that fits, the way GROBID's header model and
//! unstructured's partitioning read a document, but with rules.
//!
//! Every element carries the evidence that decided it, for `rapporteur
//! explain`. Which section an element then feeds is [`crate::sections`]'
//! job: this stage knows what a block is, not where it belongs.

use std::sync::LazyLock;

use regex::Regex;

use crate::document::{Block, Role};
use crate::header::{self, TitleLine};
use crate::lexicon::{self, Fit, Meaning, People, SessionField};
use crate::markup;
use crate::speaker;
use crate::when::{self, When};

/// Text with its bold ranges, as a block had it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Text {
    pub text: String,
    pub bold: Vec<(usize, usize)>,
    pub level: u8,
    pub gap_before: bool,
}

impl Text {
    fn of(block: &Block) -> Text {
        Text {
            text: block.text.clone(),
            bold: block.bold.clone(),
            level: block.level,
            gap_before: block.gap_before,
        }
    }

    fn plain(text: &str) -> Text {
        Text {
            text: text.to_string(),
            bold: Vec::new(),
            level: 0,
            gap_before: true,
        }
    }
}

/// What a block is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Page or site furniture, dropped.
    Chrome,
    Title(TitleLine),
    /// A line naming the session type alone ("Thematic Workshop").
    TypeLabel(String),
    When(When),
    Venue(String),
    /// A section heading, with its wording as written (cleaned).
    Heading(Meaning, String),
    /// "Label: value" or a label whose value follows; a section of its own
    /// unless it describes the session (`session`).
    Field {
        label: String,
        meaning: Meaning,
        value: Option<Text>,
    },
    /// A heading inside a section that keeps the section's meaning ("2.1
    /// Station experiences" under "2. Discussion").
    SubHeading(String),
    /// A speaker's name alone, over the paragraphs they said.
    Speaker(rapporteur_model::Speaker),
    Item(Text),
    Paragraph(Text),
}

/// One element: what a block is, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    pub line: usize,
    pub kind: Kind,
    /// The evidence that decided, for people reading `explain`.
    pub why: String,
    /// The block's text, for `explain` and for messages.
    pub source: String,
}

/// Page and site furniture by its words, each kind with its name.
static CHROME_LINES: LazyLock<(regex::RegexSet, Vec<&'static str>)> = LazyLock::new(|| {
    let lines = [
        (
            r"skip to(?: the)? (?:main )?(?:content|navigation|menu)|aller au contenu(?: principal)?|ir al contenido(?: principal)?|saltar al contenido",
            "a 'Skip to content' link",
        ),
        (
            r"(?:share(?: this)?(?: page| article| session| event)?(?: on)?|partager(?: sur)?|compartir(?: en)?)\s*:.*|share(?: this(?: page| article| session)?)?|partager|compartir",
            "a 'Share on' line",
        ),
        (
            r"print(?: this page)?|imprimer(?: cette page)?|imprimir(?: esta p[áa]gina)?|(?:download|t[ée]l[ée]charger|descargar)\b.{0,50}",
            "a 'Print' or 'Download' link",
        ),
        (
            r"you are here\s*:.*|vous [êe]tes ici\s*:.*|usted est[áa] aqu[íi]\s*:.*",
            "a breadcrumb",
        ),
        (
            r"back to (?:top|agenda|the agenda|programme|program|list|sessions|all sessions|events|overview)|retour (?:en haut|au programme|à l'agenda|aux sessions).*|volver (?:arriba|al programa|a la agenda).*",
            "a 'Back to' link",
        ),
        (
            r"(?:posted|published|updated|last updated|date posted)(?: on)?\s*:?\s*.{0,40}\d{4}.{0,20}|publi[ée]e? le .{0,40}|mis à jour le .{0,40}|publicado (?:el )?.{0,40}|actualizado .{0,40}",
            "a publication date",
        ),
        (
            r"related (?:event|events|topics?|sessions?|content|articles?|links?|resources?)\s*:.*",
            "a 'Related' line",
        ),
        (
            r"(?:disclaimer|avertissement|aviso legal|descargo de responsabilidad)\s*:.*",
            "a disclaimer",
        ),
        (
            r"\[?\s*(?:read more|continue reading|lire la suite|leer m[áa]s|en savoir plus|m[áa]s informaci[óo]n)\b.{0,80}",
            "a 'Read more' link",
        ),
        (
            r"(?:written|posted|reported|photo|photos) by .{1,60}",
            "a byline",
        ),
        (
            r"©.*|\(c\) .{0,60}|copyright .*|.*all rights reserved.*|tous droits r[ée]serv[ée]s.*|todos los derechos reservados.*",
            "a copyright line",
        ),
        (
            r".*\b(?:we use|this (?:web)?site uses|uses) cookies\b.*|.*\bcookies?\b.{0,80}\b(?:accept|agree|consent|preferences|policy|settings)\b.*|.*\bcookies\b.{0,80}\b(?:accepte[rz]|utilise|politique)\b.*|accept(?: all)?(?: cookies)?|reject all|decline|manage (?:preferences|cookies|consent)|cookie (?:settings|policy|preferences)|tout accepter|aceptar(?: todo)?",
            "a cookie banner",
        ),
        (
            r"search|rechercher|buscar|menu|main menu|close|fermer|cerrar|toggle navigation|open menu|home|accueil|inicio|sitemap|site map|contact us|privacy(?: policy)?|terms of (?:use|service)|follow us.*|suivez-nous.*|s[íi]guenos.*|subscribe.*|newsletter.*|tweet|facebook|linkedin|twitter|x \(twitter\)|email|e-mail",
            "a menu or site link",
        ),
        (
            r"event report|rapport d['’][ée]v[ée]nement|informe del evento",
            "an 'Event report' label",
        ),
        (
            r"(?:tags|keywords|categories|category|filed under|mots-cl[ée]s|cat[ée]gories|etiquetas|palabras clave)\s*:.*",
            "a tags line",
        ),
    ];
    // One pass over the line for all of them.
    let set = regex::RegexSet::new(
        lines
            .iter()
            .map(|(pattern, _)| format!("(?i)^(?:{pattern})$")),
    )
    .expect("valid regexes");
    (set, lines.iter().map(|&(_, reason)| reason).collect())
});

/// "Home › Forum › Agenda", "Home / Events / IGF 2022": two or more
/// separators between short segments.
static BREADCRUMB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[^›»>/]{1,50}(?:\s[›»>/]\s[^›»>/]{1,60}){2,}\s*[›»>/]?$|^[^›»]{1,50}(?:\s?[›»]\s?[^›»]{1,60})+\s*[›»]?$")
        .expect("valid regex")
});

/// A form's instruction to whoever fills it in ("Please estimate the total
/// number of participants.").
static INSTRUCTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:\d{1,2}[.)]\s*)?(?:please|kindly|veuillez|merci de|por favor|sírvase)\s+(?:state|describe|elaborate|estimate|indicate|list|provide|summari[sz]e|give|explain|share|specify|identify|outline|indiquer|d[ée]crire|r[ée]sumer|estimer|d[ée]velopper|pr[ée]ciser|lister|indique|describa|resuma|enumere|estime|desarrolle|detalle|precise)\b")
        .expect("valid regex")
});

/// A form's instruction after a label's colon ("Key messages: please
/// state …", "Messages clés : veuillez indiquer …").
static INSTRUCTION_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:please|kindly|veuillez|merci de|por favor|sírvase|indicate|describe|list)\b",
    )
    .expect("valid regex")
});

/// An e-mail's header lines ("From: …", "Subject: …").
static EMAIL_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:from|to|cc|bcc|sent|date|subject|reply-to|de|à|a|objet|envoyé|para|asunto|enviado|fecha)\s*:\s*\S")
        .expect("valid regex")
});

/// "Dear colleagues,", "Hi all,": a letter's greeting.
static GREETING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:dear|hi|hello|greetings|bonjour|chers?|chères?|estimad[oa]s?|hola)\b[^.!?]{0,50}[,:!]?$")
        .expect("valid regex")
});

/// "Best regards,": a letter's sign-off, after which comes a signature.
static SIGN_OFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:best|kind|warm|with best)?\s*regards|best wishes|sincerely|yours sincerely|many thanks|thanks(?: again)?|thank you|cordialement|bien cordialement|salutations|saludos(?: cordiales)?|atentamente|un saludo)[,.!]?$")
        .expect("valid regex")
});

/// A document symbol ("WSIS/2022/OD", "A/RES/70/125").
static DOCUMENT_SYMBOL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z][A-Z0-9]*(?:/[A-Z0-9.()-]+){2,}$").expect("valid regex"));

/// A forum's name and year alone ("WSIS Forum 2021", "IGF 2022 | Agenda").
static FORUM_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:the\s+)?[\p{L}&' .-]{0,60}\b(?:forum|summit|igf|wsis|conference|sommet|cumbre|foro|conf[ée]rence|congress)\b[\p{L} .-]{0,20}(?:19|20)\d\d(?:\s*[|:–—-]\s*[\p{L} ]{1,30})?$")
        .expect("valid regex")
});

/// A document's genre on a line of its own, above the title ("OUTCOME
/// DOCUMENT", "Event report").
static GENRE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:outcome document|final report|summary report|event report|session summaries|report|rapport final|document final|documento final|informe final|compte rendu)$")
        .expect("valid regex")
});

/// A room or venue line ("Room C2, ITU Tower", "Virtual session (Zoom)").
static VENUE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:(?:conference|meeting|plenary|press|main|briefing|salle de|sala de)\s+)?(?:room|salle|sala|auditorium|hall)\s+[\p{L}\d][^.!?]{0,80}|(?:virtual|online|hybrid|remote)(?:\s+(?:session|event|participation|meeting|only))?(?:\s*[(:,-].{0,60})?|(?:en ligne|virtuel(?:le)?|hybride)(?:\s.{0,40})?)$")
        .expect("valid regex")
});

/// "Label: value" (or "Label:" alone): a short label, then a colon.
static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<label>[\p{L}][\p{L}\p{N} /&'’()*.,-]{0,80}?)\s*[:：]\s*(?P<value>.*)$")
        .expect("valid regex")
});

/// An entry's own label in a list ("Speaker 1:", "Organizer 2:").
static ENTRY_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:speaker|panelist|panellist|organi[sz]er|co-organi[sz]er|moderator|intervenant|intervenante|ponente|orador|oradora|organisateur|organizador|organizadora)\s*\d{1,3}\s*[:–—-]\s*")
        .expect("valid regex")
});

/// A line of a programme: a time range, then what happens.
pub(crate) static AGENDA_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{1,2}[:.h]\d{2}\s*(?:[-–—]|to|à|a)\s*\d{1,2}[:.h]\d{2}\s*(?:h\s+)?\S")
        .expect("valid regex")
});

/// Whether a block's words are page or site furniture, and which.
pub(crate) fn chrome_reason(text: &str) -> Option<&'static str> {
    let t = text.trim();
    // Furniture is short; a cookie banner, the longest, runs to a few lines.
    if t.len() > 300 {
        return None;
    }
    let (set, reasons) = &*CHROME_LINES;
    if let Some(index) = set.matches(t).iter().next() {
        return Some(reasons[index]);
    }
    if BREADCRUMB.is_match(t) && t.split_whitespace().count() <= 20 {
        return Some("a breadcrumb");
    }
    if DOCUMENT_SYMBOL.is_match(t) {
        return Some("a document symbol");
    }
    if is_menu(t) {
        return Some("a menu");
    }
    None
}

/// Words of site navigation.
const NAV_WORDS: &[&str] = &[
    "home",
    "about",
    "agenda",
    "programme",
    "program",
    "speakers",
    "contact",
    "news",
    "events",
    "sessions",
    "media",
    "resources",
    "search",
    "login",
    "register",
    "faq",
    "partners",
    "sponsors",
    "gallery",
    "photos",
    "videos",
    "outcomes",
    "documents",
    "participants",
    "menu",
    "blog",
    "press",
    "publications",
    "topics",
    "calendar",
    "overview",
    "accueil",
    "actualités",
    "inicio",
    "noticias",
    "contacto",
    "programa",
    "ponentes",
    "intervenants",
    "français",
    "english",
    "español",
    "en",
    "fr",
    "es",
];

/// "WSIS Forum 2022 | Agenda", "Privacy policy | Terms of use | Contact":
/// short segments between bars, none of them a sentence; or a row of
/// navigation words ("Home About Agenda Speakers Contact").
fn is_menu(text: &str) -> bool {
    let words: Vec<String> = text.split_whitespace().map(lexicon::fold).collect();
    let nav = words
        .iter()
        .filter(|w| NAV_WORDS.contains(&w.as_str()))
        .count();
    if words.len() >= 3 && nav * 10 >= words.len() * 6 {
        return true;
    }
    let segments: Vec<&str> = text.split(" | ").map(str::trim).collect();
    segments.len() >= 2
        && segments.iter().all(|s| {
            let words = s.split_whitespace().count();
            (1..=5).contains(&words) && !s.ends_with(['.', ':'])
        })
        && when::parse_when(text).is_none()
}

/// The people a document lists, for telling a speaker's name from a heading.
#[derive(Debug, Default)]
struct Listed {
    names: Vec<String>,
}

impl Listed {
    /// Names in the entries under people headings and fields.
    fn of(blocks: &[Block]) -> Listed {
        let mut names = Vec::new();
        let mut in_people = false;
        for block in blocks {
            let label = lexicon::clean_label(&block.text);
            let heading_like = block.text.split_whitespace().count() <= 8;
            match lexicon::meaning(&label.text) {
                Some((Meaning::Other(people), fit)) if heading_like && fit != Fit::Contains => {
                    in_people = people != People::None;
                    continue;
                }
                Some((_, Fit::Exact | Fit::Prefix)) if heading_like => {
                    in_people = false;
                    continue;
                }
                _ => {}
            }
            if in_people {
                let entry = ENTRY_LABEL.replace(&block.text, "");
                let name = entry
                    .split([',', '(', ';', '–', '—'])
                    .next()
                    .unwrap_or_default()
                    .trim();
                if let Some((_, name)) = speaker::bare_name(name) {
                    names.push(lexicon::fold(&name));
                }
            }
        }
        Listed { names }
    }

    fn contains(&self, name: &str) -> bool {
        let name = lexicon::fold(name);
        self.names.contains(&name)
    }
}

/// A weighed decision: the points for a reading and what gave them.
#[derive(Debug, Default)]
struct Score {
    points: i32,
    reasons: Vec<String>,
}

impl Score {
    fn add(&mut self, points: i32, reason: &str) {
        if points != 0 {
            self.points += points;
            self.reasons.push(format!("{reason} {points:+}"));
        }
    }

    fn why(&self) -> String {
        format!("{} = {}", self.reasons.join(", "), self.points)
    }
}

/// Points a heading needs.
const HEADING_THRESHOLD: i32 = 5;
/// Points a speaker's name over their paragraphs needs.
const SPEAKER_THRESHOLD: i32 = 6;

/// Partitions blocks into elements.
pub(crate) fn partition(blocks: &[Block]) -> Vec<Element> {
    let blocks: Vec<Block> = blocks.iter().map(typed_item).collect();
    let blocks = blocks.as_slice();
    let listed = Listed::of(blocks);
    let mut chrome = chrome_blocks(blocks);
    let title = find_title(blocks, &chrome);
    if let Some((index, _)) = &title {
        above_title(blocks, &mut chrome, *index);
    }
    let mut out: Vec<Element> = Vec::with_capacity(blocks.len());
    let mut dates = Dates::default();
    let mut type_found = title.as_ref().is_some_and(|(_, (t, _))| t.kind.is_some());
    let mut body_started = false;
    // A session field whose value is on the next block.
    let mut pending_field: Option<SessionField> = None;
    let mut section = Section::Start;
    // The level and number of the heading that opened the section.
    let mut section_rank: Option<Rank> = None;
    let mut i = 0;
    while i < blocks.len() {
        let block = &blocks[i];
        let push = |out: &mut Vec<Element>, kind: Kind, why: String| {
            out.push(Element {
                line: block.line,
                kind,
                why,
                source: block.text.clone(),
            })
        };
        i += 1;
        if let Some(reason) = &chrome[i - 1] {
            push(&mut out, Kind::Chrome, reason.clone());
            continue;
        }
        if let Some((index, (line, last))) = &title
            && (*index..=*last).contains(&(i - 1))
        {
            if *index == i - 1 {
                push(&mut out, Kind::Title(line.clone()), "the title".into());
            } else {
                push(&mut out, Kind::Chrome, "the title's second line".into());
            }
            continue;
        }
        let text = block.text.as_str();
        if let Some((_, (line, _))) = &title
            && !body_started
            && (lexicon::fold(text) == lexicon::fold(&line.title)
                || lexicon::fold(&header::split_title(text).title) == lexicon::fold(&line.title))
        {
            push(&mut out, Kind::Chrome, "the title, repeated".into());
            continue;
        }
        if let Some(field) = pending_field.take() {
            let kind = session_value(field, text, &mut dates);
            push(&mut out, kind, "the value of the field above".into());
            continue;
        }
        let short = text.split_whitespace().count() <= 30;
        // The session's date, once, before the body's sections.
        if short
            && section.before_body()
            && let Some(found) = when_of(block).filter(|f| dates.wants(f.when()))
        {
            dates.take(found.when());
            let why = "a date or time line".to_string();
            match found {
                WhenOf::When(when) => push(&mut out, Kind::When(when), why),
                WhenOf::TypeAndWhen(head, kind, when) => {
                    type_found = true;
                    push(
                        &mut out,
                        Kind::TypeLabel(kind.clone()),
                        "a session type before a date".into(),
                    );
                    if let Some(code) = session_code(&head, &kind) {
                        push(&mut out, code, "a session number with the type".into());
                    }
                    out.push(Element {
                        line: block.line,
                        kind: Kind::When(when),
                        why,
                        source: block.text.clone(),
                    });
                }
            }
            continue;
        }
        // Fields: "Label: value", a label alone, a form table's label cell.
        if let Some(field) = field_of(block, section.before_body()) {
            match field {
                FieldOf::Session(field, value) => match value {
                    Some(value) => {
                        let kind = session_value(field, &value, &mut dates);
                        if matches!(kind, Kind::TypeLabel(_)) {
                            type_found = true;
                        }
                        push(
                            &mut out,
                            kind,
                            format!("a field describing the session ({field:?})"),
                        );
                    }
                    None => {
                        pending_field = Some(field);
                        push(
                            &mut out,
                            Kind::Chrome,
                            format!("the label of a field ({field:?}) whose value follows"),
                        );
                    }
                },
                FieldOf::Section(label, meaning, value) => {
                    body_started = true;
                    // "Rapporteur: Ms. X" is whole on its line; "Speakers:"
                    // alone opens a list.
                    section = if value.is_some() {
                        Section::Inline(meaning)
                    } else {
                        Section::In(meaning)
                    };
                    push(
                        &mut out,
                        Kind::Field {
                            label,
                            meaning,
                            value: value.map(|v| Text::plain(&v)),
                        },
                        "a labelled field".into(),
                    );
                }
            }
            continue;
        }
        if section.before_body() {
            if let Some(venue) = venue_of(text) {
                push(&mut out, Kind::Venue(venue), "a room or venue line".into());
                continue;
            }
            if !type_found
                && block.role != Role::Item
                && let Some(kind) = lexicon::session_type(text.trim_end_matches(':'))
                && text.split_whitespace().count() <= 6
            {
                type_found = true;
                if let Some(code) = session_code(text.trim_end_matches(':'), &kind) {
                    push(&mut out, code, "a session number with the type".into());
                }
                push(
                    &mut out,
                    Kind::TypeLabel(kind),
                    "names a session type".into(),
                );
                continue;
            }
            if block.role == Role::Subtitle {
                push(
                    &mut out,
                    Kind::Paragraph(Text::of(block)),
                    "a subtitle".into(),
                );
                continue;
            }
        }
        // A programme's line ("10:00–10:30 Opening") is an entry of a list.
        if AGENDA_LINE.is_match(text) {
            body_started = true;
            if section == Section::Start {
                section = Section::Unheaded;
            }
            push(
                &mut out,
                Kind::Item(Text::of(block)),
                "a programme's time and item".into(),
            );
            continue;
        }
        let next = next_content(blocks, &chrome, i);
        let heading = heading_score(block, next, &section);
        // A speaker's name over their paragraphs looks like a heading too:
        // the reading with more evidence wins.
        let speaker = speaker_score(block, next, &section, &listed);
        if speaker.points >= SPEAKER_THRESHOLD
            && speaker.points >= heading.points
            && let Some(person) = heading_person(text)
        {
            body_started = true;
            push(
                &mut out,
                Kind::Speaker(person),
                format!("{}; as a heading: {}", speaker.why(), heading.why()),
            );
            continue;
        }
        if heading.points >= HEADING_THRESHOLD {
            let label = lexicon::clean_label(text);
            let meaning = lexicon::meaning(&label.text).map(|(m, _)| m);
            body_started = true;
            let rank = Rank::of(block);
            if meaning.is_none()
                && let Section::In(
                    Meaning::Background
                    | Meaning::KeyIssues
                    | Meaning::Recommendations
                    | Meaning::Narrative,
                ) = section
                && section_rank
                    .as_ref()
                    .is_some_and(|outer| rank.is_below(outer))
            {
                push(
                    &mut out,
                    Kind::SubHeading(label.text),
                    format!("a heading inside the section above; {}", heading.why()),
                );
                continue;
            }
            let meaning = meaning.unwrap_or(Meaning::Other(People::None));
            section = Section::In(meaning);
            section_rank = Some(rank);
            push(&mut out, Kind::Heading(meaning, label.text), heading.why());
            continue;
        }
        body_started = true;
        if section == Section::Start {
            section = Section::Unheaded;
        }
        let item = block.role == Role::Item;
        let why = if item {
            String::new()
        } else {
            format!("as a heading: {}", heading.why())
        };
        let kind = if item {
            Kind::Item(Text::of(block))
        } else {
            Kind::Paragraph(Text::of(block))
        };
        push(&mut out, kind, why);
    }
    out
}

/// A text block that starts with a typed list marker ("- ", "1) ", "•") is
/// a list item, whatever the format: Word paragraphs and lines of web pages
/// carry them as text.
fn typed_item(block: &Block) -> Block {
    let mut block = block.clone();
    if block.role != Role::Text {
        return block;
    }
    let Some(bullet) = markup::bullet(&block.text) else {
        return block;
    };
    let rest = &block.text[bullet.len..];
    // "1. Key Policy Questions" alone is a numbered heading, judged as one.
    if bullet.ordered
        && !rest.trim_end().ends_with(['.', ';', ',', '!', '?'])
        && rest.split_whitespace().count() <= 12
    {
        return block;
    }
    let cut = bullet.len;
    block.text = rest.to_string();
    block.bold = block
        .bold
        .iter()
        .filter(|&&(_, end)| end > cut)
        .map(|&(start, end)| (start.max(cut) - cut, end - cut))
        .collect();
    block.role = Role::Item;
    block
}

/// Where a heading stands in the outline: its level in the source and its
/// number ("2.1").
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rank {
    level: Option<u8>,
    number: Option<String>,
}

impl Rank {
    fn of(block: &Block) -> Rank {
        static NUMBER: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"^(\d{1,2}(?:\.\d{1,2})*)[.)]?\s").expect("valid regex"));
        Rank {
            level: match block.role {
                Role::Heading(level) => Some(level),
                _ => None,
            },
            number: NUMBER.captures(block.text.trim()).map(|c| c[1].to_string()),
        }
    }

    /// A deeper level, or a sub-number ("2.1" under "2").
    fn is_below(&self, outer: &Rank) -> bool {
        let deeper =
            matches!((self.level, outer.level), (Some(inner), Some(outer)) if inner > outer);
        let numbered = match (&self.number, &outer.number) {
            (Some(inner), Some(outer)) => inner
                .strip_prefix(outer.as_str())
                .is_some_and(|rest| rest.starts_with('.')),
            _ => false,
        };
        deeper || numbered
    }
}

/// Where the reading stands: before any section, in an unheaded body, or
/// under a heading of some meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Start,
    Unheaded,
    In(Meaning),
    /// After a field with its value on its line ("Rapporteur: Ms. X").
    Inline(Meaning),
}

impl Section {
    fn before_body(self) -> bool {
        self == Section::Start
    }
}

/// What the date lines found so far gave: a second line may complete the
/// first ("Date: 16 May 2022" then "Time: 14:00–15:00 CET"), never replace it.
#[derive(Debug, Default)]
struct Dates {
    date: bool,
    time: bool,
}

impl Dates {
    fn wants(&self, when: &When) -> bool {
        let has_date = when.date.is_some() || when.end_date.is_some();
        let has_time = when.start_time.is_some();
        let adds = (!self.time && has_time) || (!self.date && has_date);
        let repeats = (self.date && has_date) || (self.time && has_time);
        adds && !repeats
    }

    fn take(&mut self, when: &When) {
        self.date |= when.date.is_some() || when.end_date.is_some();
        self.time |= when.start_time.is_some();
    }
}

impl WhenOf {
    fn when(&self) -> &When {
        match self {
            WhenOf::When(when) | WhenOf::TypeAndWhen(_, _, when) => when,
        }
    }
}

enum WhenOf {
    When(When),
    /// A subtitle "Side Event · 16 March 2023, 10:00–11:00 CET": the words
    /// before the date, the type they name, and the date.
    TypeAndWhen(String, String, When),
}

/// A date line, or a subtitle that names the session type before its date.
fn when_of(block: &Block) -> Option<WhenOf> {
    let text = block.text.as_str();
    if let Some((head, rest)) = text.split_once(" · ")
        && let Some(kind) = lexicon::session_type(head).or_else(|| {
            (block.role == Role::Subtitle && head.split_whitespace().count() <= 5)
                .then(|| head.trim().to_string())
        })
        && let Some(when) = when::parse_when(rest)
    {
        return Some(WhenOf::TypeAndWhen(head.trim().to_string(), kind, when));
    }
    when::parse_when(text).map(WhenOf::When)
}

/// "High-Level Policy Session 4" names the type and a session number: the
/// whole is the session's code.
fn session_code(words: &str, kind: &str) -> Option<Kind> {
    let words = words.trim();
    (words != kind && words.starts_with(kind)).then(|| {
        Kind::Title(TitleLine {
            kind: None,
            code: Some(words.to_string()),
            title: String::new(),
        })
    })
}

enum FieldOf {
    Session(SessionField, Option<String>),
    Section(String, Meaning, Option<String>),
}

/// A field: a form table's label cell, "Label:" alone, or "Label: value"
/// with a label known to forms (or any short label in the header).
fn field_of(block: &Block, in_header: bool) -> Option<FieldOf> {
    let text = block.text.trim();
    if block.role == Role::Label {
        let label = lexicon::clean_label(text);
        if let Some(field) = lexicon::session_field(&label.text) {
            return Some(FieldOf::Session(field, None));
        }
        let meaning = lexicon::meaning(&label.text)
            .map(|(m, _)| m)
            .unwrap_or(Meaning::Other(People::None));
        return Some(FieldOf::Section(label.text, meaning, None));
    }
    if block.role == Role::Item || ENTRY_LABEL.is_match(text) {
        return None;
    }
    let title = header::split_title(text);
    if title.kind.is_some() || title.code.is_some() {
        return None;
    }
    // A label is short: its colon comes early, or the block is no field.
    let head = text.get(..text.len().min(96)).unwrap_or(text);
    let head = if head.is_char_boundary(head.len()) {
        head
    } else {
        text
    };
    if !head.contains([':', '：']) {
        return None;
    }
    let caps = FIELD.captures(text)?;
    let raw_label = caps.name("label")?.as_str().trim();
    let value = caps.name("value")?.as_str().trim();
    // "Mr. Eric Mugisha (Ministry of ICT): the programme …" is a speaker.
    if speaker::starts_with_honorific(raw_label) || raw_label.split_whitespace().count() > 8 {
        return None;
    }
    let label = lexicon::clean_label(raw_label);
    // "Key messages: please state no more than three …" is a form's heading
    // with its instruction, not a field with a value.
    let value =
        (!value.is_empty() && !INSTRUCTION_VALUE.is_match(value) && !crate::is_placeholder(value))
            .then(|| value.to_string());
    if let Some(field) = lexicon::session_field(&label.text) {
        return Some(FieldOf::Session(field, value));
    }
    let known = lexicon::meaning(&label.text).filter(|(_, fit)| *fit != Fit::Contains);
    match known {
        Some((Meaning::Chrome, _)) => None,
        Some((meaning, _)) => Some(FieldOf::Section(label.text, meaning, value)),
        // An unknown label with nothing after it is a heading, judged as one.
        None if value.is_none() => None,
        None if in_header
            && label.text.split_whitespace().count() <= 4
            && is_title_case(&label.text) =>
        {
            Some(FieldOf::Section(
                label.text,
                Meaning::Other(People::None),
                value,
            ))
        }
        None => None,
    }
}

/// The element a session field's value gives.
fn session_value(field: SessionField, value: &str, dates: &mut Dates) -> Kind {
    match field {
        SessionField::Type if crate::is_placeholder(value) => Kind::Chrome,
        SessionField::Type => Kind::TypeLabel(value.trim().to_string()),
        SessionField::When => match when::parse_when(value) {
            Some(when) if dates.wants(&when) => {
                dates.take(&when);
                Kind::When(when)
            }
            _ => Kind::Chrome,
        },
        SessionField::Venue => Kind::Venue(value.trim().to_string()),
        SessionField::Title => Kind::Title(header::split_title(value)),
        SessionField::Code => Kind::Title(TitleLine {
            kind: None,
            code: Some(value.trim().to_string()),
            title: String::new(),
        }),
    }
}

fn venue_of(text: &str) -> Option<String> {
    (text.split_whitespace().count() <= 14 && VENUE_LINE.is_match(text))
        .then(|| text.trim().to_string())
}

/// The next block that is not furniture.
fn next_content<'a>(
    blocks: &'a [Block],
    chrome: &[Option<String>],
    from: usize,
) -> Option<&'a Block> {
    (from..blocks.len())
        .find(|&j| chrome[j].is_none())
        .map(|j| &blocks[j])
}

/// How strongly a block reads as a section heading.
fn heading_score(block: &Block, next: Option<&Block>, section: &Section) -> Score {
    let mut score = Score::default();
    let text = block.text.trim();
    // Prose is no heading: a form's longest questions run to about forty
    // words, with their instructions.
    if text.len() > 320 {
        score.add(-20, "prose");
        return score;
    }
    let label = lexicon::clean_label(text);
    let words = label.text.split_whitespace().count();
    if label.text.is_empty() {
        score.add(-20, "no words");
        return score;
    }
    if ENTRY_LABEL.is_match(text) {
        score.add(-8, "an entry of a list (\"Speaker 1:\")");
    }
    let title = header::split_title(text);
    if (title.kind.is_some() || title.code.is_some()) && !matches!(block.role, Role::Heading(_)) {
        score.add(-5, "names a session, as titles do");
    }
    match block.role {
        Role::Heading(_) => score.add(6, "a heading in the source"),
        Role::Title => score.add(4, "a title in the source"),
        Role::Item => score.add(-4, "a list item"),
        _ => {}
    }
    if block.all_bold() {
        score.add(3, "all bold");
    }
    let letters = label.text.chars().filter(|c| c.is_alphabetic()).count();
    if letters >= 4 && !label.text.chars().any(char::is_lowercase) {
        score.add(3, "capitals");
    }
    let meaning = lexicon::meaning(&label.text);
    match meaning {
        Some((_, Fit::Exact)) => score.add(5, "a section's name"),
        Some((_, Fit::Prefix)) => score.add(4, "starts with a section's name"),
        Some((_, Fit::Contains)) if words <= 12 || label.had_hint => {
            score.add(2, "names a section")
        }
        _ => {}
    }
    if label.had_hint {
        score.add(3, "a template instruction");
    }
    let ends_sentence = text.ends_with(['.', '!', ';', ',']);
    let question = text.trim_end_matches([']', ')']).ends_with('?') || label.text.ends_with('?');
    if text.ends_with(':') && words <= 10 {
        score.add(2, "ends with a colon");
    }
    if label.numbered && !ends_sentence {
        score.add(1, "numbered");
        // "2.1 Station experiences": a sub-section's number.
        if words <= 10
            && text
                .trim_start()
                .split(' ')
                .next()
                .is_some_and(|n| n.trim_end_matches('.').contains('.'))
        {
            score.add(3, "a sub-section's number");
        }
    }
    if words <= 8 && !ends_sentence && !question && is_title_case(&label.text) {
        score.add(3, "short and in title case");
        if matches!(section, Section::In(Meaning::Other(people)) if *people != People::None)
            && meaning.is_none()
        {
            score.add(-3, "an entry of a list of people");
        }
    }
    if has_run_together_words(text) {
        score.add(-4, "words run together, as a scraped card's are");
    }
    if INSTRUCTION.is_match(text) && words <= 30 {
        score.add(4, "a form's instruction");
    }
    if ends_sentence && !label.had_hint && !INSTRUCTION.is_match(text) {
        score.add(-4, "ends like a sentence");
    }
    if question && (label.had_hint || label.numbered) {
        score.add(2, "a form's question");
    }
    if words > 12 && !label.had_hint {
        score.add(-3, "long");
    }
    match next {
        None => score.add(-3, "nothing follows"),
        Some(n) if heading_like(n) => {}
        Some(_) => score.add(1, "text follows"),
    }
    if block.role == Role::Text {
        if block.gap_before {
            score.add(1, "stands apart");
        } else if !matches!(section, Section::Start) {
            score.add(-2, "runs on from the line above");
        }
    }
    if speaker::bare_name(text).is_some() && meaning.is_none() {
        score.add(-3, "a person's name");
    }
    if speaker::starts_with_honorific(text) && meaning.is_none() {
        score.add(-3, "starts with an honorific");
    }
    score
}

/// A quick look at whether a block is heading-like, for its neighbour's
/// score (no recursion into full scoring).
fn heading_like(block: &Block) -> bool {
    matches!(block.role, Role::Heading(_) | Role::Label)
        || block.all_bold() && block.text.split_whitespace().count() <= 10
        || lexicon::meaning(&lexicon::clean_label(&block.text).text)
            .is_some_and(|(_, fit)| fit == Fit::Exact)
}

/// How strongly a short line reads as a speaker's name over what they said.
fn speaker_score(block: &Block, next: Option<&Block>, section: &Section, listed: &Listed) -> Score {
    let mut score = Score::default();
    let text = block.text.trim();
    let person = (text.len() <= 160).then(|| heading_person(text)).flatten();
    let Some(person) = person else {
        score.add(-20, "not a name");
        return score;
    };
    let name = person.name.clone();
    score.add(3, "shaped like a name");
    if person.honorific.is_some() {
        score.add(1, "an honorific");
    }
    if listed.contains(&name) {
        score.add(3, "a listed speaker");
    }
    match section {
        Section::In(Meaning::Other(People::None))
        | Section::In(Meaning::Chrome)
        | Section::Inline(_) => score.add(-2, "under a section of its own"),
        Section::In(Meaning::Other(_)) => score.add(-6, "in a list of people"),
        Section::In(Meaning::Recommendations) => score.add(-2, "under recommendations"),
        _ => score.add(1, "in the report's body"),
    }
    if matches!(block.role, Role::Heading(_)) || block.all_bold() {
        score.add(1, "marked as a heading");
    }
    match next {
        Some(n) if n.role == Role::Text && n.text.split_whitespace().count() >= 4 => {
            score.add(1, "a paragraph follows");
            let surname = name.split_whitespace().last().unwrap_or_default();
            let opening: Vec<&str> = n.text.split_whitespace().take(12).collect();
            if opening.iter().any(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .eq_ignore_ascii_case(surname)
            }) {
                score.add(3, "the paragraph names them");
            } else if speaker::starts_with_pronoun(&n.text) {
                score.add(2, "the paragraph opens with a pronoun");
            }
        }
        _ => score.add(-3, "no paragraph follows"),
    }
    score
}

/// "Director of Digital GovernmentMinistry of …": a lower-case letter run
/// into a capital inside a word (not "McDonald", "iPhone" or "DeLuca",
/// which start so).
fn has_run_together_words(text: &str) -> bool {
    text.split_whitespace().any(|word| {
        let chars: Vec<char> = word.chars().collect();
        chars.windows(3).enumerate().any(|(at, w)| {
            at >= 2 && w[0].is_lowercase() && w[1].is_uppercase() && w[2].is_lowercase()
        })
    })
}

/// A speaker's sub-heading: a name alone ("Amara Sesay", "ANA PAULA
/// SOUZA") or with its affiliation and no statement ("Mr Amr Hashem
/// (National Telecom Regulatory Authority, Egypt)").
fn heading_person(text: &str) -> Option<rapporteur_model::Speaker> {
    if let Some((honorific, name)) = speaker::bare_name(text) {
        return Some(rapporteur_model::Speaker {
            honorific,
            name,
            role: None,
            organization: None,
        });
    }
    let words = text.split_whitespace().count();
    let affiliated = text.contains(['(', ',', '–', '—']);
    if words > 16 || !affiliated || text.ends_with(['.', ':', ';', '!', '?']) {
        return None;
    }
    let person = speaker::person(text)?;
    // The name must be one a sub-heading could hold on its own, and nothing
    // after it a statement.
    let named = speaker::bare_name(&person.name).is_some() || person.honorific.is_some();
    let statement = text
        .split_whitespace()
        .any(|w| w.len() > 4 && w.ends_with("ed") && w.chars().all(char::is_lowercase));
    (named && !statement).then_some(person)
}

/// Most words capitalised (connectors aside), as headings and names are.
pub(crate) fn is_title_case(text: &str) -> bool {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    if words.is_empty() {
        return false;
    }
    let first_upper = words[0]
        .chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(|c| !c.is_lowercase());
    let capitalised = words
        .iter()
        .filter(|w| {
            let first = w.chars().find(|c| c.is_alphabetic());
            first.is_some_and(|c| !c.is_lowercase()) || speaker::is_connector(w)
        })
        .count();
    first_upper && capitalised * 100 >= words.len() * 80
}

/// Marks the blocks that are furniture: lines chrome by their words, a table
/// of contents and its entries, the sections furniture headings open, and
/// banners, forum-name lines and document symbols above the title.
fn chrome_blocks(blocks: &[Block]) -> Vec<Option<String>> {
    let mut chrome: Vec<Option<String>> = blocks
        .iter()
        .map(|b| chrome_reason(&b.text).map(str::to_string))
        .collect();
    let folded: Vec<String> = blocks
        .iter()
        .map(|b| lexicon::fold(&lexicon::clean_label(&b.text).text))
        .collect();
    let mut i = 0;
    while i < blocks.len() {
        let label = lexicon::clean_label(&blocks[i].text);
        let is_chrome_heading = blocks[i].text.split_whitespace().count() <= 5
            && matches!(
                lexicon::meaning(&label.text),
                Some((Meaning::Chrome, Fit::Exact))
            );
        if !is_chrome_heading {
            i += 1;
            continue;
        }
        let toc = matches!(
            lexicon::fold(&label.text).as_str(),
            "table of contents"
                | "contents"
                | "table des matieres"
                | "sommaire"
                | "indice"
                | "contenido"
        );
        chrome[i] = Some(
            if toc {
                "a table of contents"
            } else {
                "a furniture heading"
            }
            .into(),
        );
        let mut j = i + 1;
        while j < blocks.len() {
            let b = &blocks[j];
            let short = b.text.split_whitespace().count() <= 8;
            let appears_later = folded[j + 1..].contains(&folded[j]);
            let take = if toc {
                short && appears_later
            } else {
                // A furniture section runs to the next heading.
                let known = lexicon::meaning(&lexicon::clean_label(&b.text).text)
                    .is_some_and(|(_, fit)| fit != Fit::Contains);
                !(heading_like(b) || b.gap_before && short && known)
            };
            if !take {
                break;
            }
            chrome[j] = Some(
                if toc {
                    "an entry of the table of contents"
                } else {
                    "under a furniture heading"
                }
                .into(),
            );
            j += 1;
        }
        i = j;
    }
    // An e-mail's headers, greeting and signature.
    let headers = blocks
        .iter()
        .take(8)
        .filter(|b| EMAIL_HEADER.is_match(&b.text))
        .count();
    if headers >= 2 {
        for (index, block) in blocks.iter().enumerate().take(10) {
            if EMAIL_HEADER.is_match(&block.text) {
                chrome[index] = Some("an e-mail header".into());
            }
        }
    }
    for (index, block) in blocks.iter().enumerate() {
        if GREETING.is_match(block.text.trim()) && index < 15 {
            chrome[index] = Some("a greeting".into());
        }
        if SIGN_OFF.is_match(block.text.trim()) && index + 8 >= blocks.len() {
            for (j, b) in blocks.iter().enumerate().skip(index) {
                if b.text.split_whitespace().count() <= 12 {
                    chrome[j] = Some("a signature".into());
                }
            }
            break;
        }
    }
    // Above the title: banners, forum-name lines, genre lines.
    for (index, block) in blocks.iter().enumerate().take(12) {
        if chrome[index].is_some() {
            continue;
        }
        let text = block.text.trim();
        if block.role == Role::Title || header::split_title(text).kind.is_some() {
            break;
        }
        if FORUM_LINE.is_match(text) && text.split_whitespace().count() <= 8 {
            chrome[index] = Some("the forum's name".into());
        } else if GENRE_LINE.is_match(text) {
            chrome[index] = Some("the document's genre, above the title".into());
        }
    }
    chrome
}

/// What stands above the title and is not the session's type, date, venue
/// or a field is the page's or the document's furniture: a site or forum
/// name, a banner, a document's genre ("OUTCOME DOCUMENT").
fn above_title(blocks: &[Block], chrome: &mut [Option<String>], title: usize) {
    for index in 0..title {
        let block = &blocks[index];
        let text = block.text.trim();
        let words = text.split_whitespace().count();
        let keep = chrome[index].is_some()
            || when::parse_when(text).is_some() && words <= 25
            || field_of(block, false).is_some()
            || venue_of(text).is_some()
            || lexicon::session_type(text.trim_end_matches(':')).is_some() && words <= 6
            || words > 12;
        if !keep {
            chrome[index] = Some("a name or banner above the title".into());
        }
    }
}

/// Chooses the title among the first blocks: a Title in the source, a line
/// with a session type or code before it, or the first line of words; the
/// first readable line that names no more than the forum or the document's
/// genre loses to a later one that names a session.
fn find_title(blocks: &[Block], chrome: &[Option<String>]) -> Option<(usize, (TitleLine, usize))> {
    let mut best: Option<(i32, usize)> = None;
    let mut candidates = 0;
    for (index, block) in blocks.iter().enumerate() {
        if chrome[index].is_some() {
            continue;
        }
        let text = block.text.trim();
        if text.is_empty() {
            continue;
        }
        if block.role == Role::Title {
            return Some((index, title_line(blocks, index)));
        }
        let words = text.split_whitespace().count();
        match field_of(block, false) {
            // The body's fields ("Background: …") end the header.
            Some(FieldOf::Section(..)) if candidates > 0 => break,
            Some(FieldOf::Section(
                _,
                Meaning::Background | Meaning::KeyIssues | Meaning::Recommendations,
                _,
            )) => break,
            Some(_) => continue,
            None => {}
        }
        let is_other = when::parse_when(text).is_some() && words <= 25
            || venue_of(text).is_some()
            || lexicon::session_type(text).is_some() && words <= 6;
        if is_other {
            continue;
        }
        let label = lexicon::clean_label(text);
        let split = header::split_title(text);
        let section_heading = matches!(
            lexicon::meaning(&label.text),
            Some((m, Fit::Exact | Fit::Prefix)) if m != Meaning::Chrome
        ) && words <= 10
            && split.kind.is_none()
            && split.code.is_none();
        if section_heading && candidates > 0 {
            break;
        }
        candidates += 1;
        let mut points = 0;
        if candidates == 1 {
            points += 2;
        }
        if split.kind.is_some() || split.code.is_some() {
            points += 5;
        }
        if matches!(block.role, Role::Heading(1)) {
            points += 4;
        }
        if section_heading {
            points -= 6;
        }
        if words > 30 || text.ends_with('.') && words > 12 {
            points -= 6;
        }
        if block.role == Role::Item {
            points -= 4;
        }
        if best.is_none_or(|(p, _)| points > p) {
            best = Some((points, index));
        }
        if candidates >= 4 || words > 30 {
            break;
        }
    }
    best.filter(|&(points, _)| points > -2)
        .map(|(_, index)| (index, title_line(blocks, index)))
}

/// The title line at `index`, and the index of its last block: "Summary of
/// Side Event:" has its title on the next line.
fn title_line(blocks: &[Block], index: usize) -> (TitleLine, usize) {
    let mut line = header::split_title(&blocks[index].text);
    if line.title.is_empty()
        && let Some(next) = blocks.get(index + 1)
    {
        line.title = next.text.trim().to_string();
        return (line, index + 1);
    }
    (line, index)
}

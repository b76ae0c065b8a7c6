//! The words the document adds around the author's text (section headings,
//! the footer, the date line), in the summary's language where there is a
//! translation and in English otherwise.
//!
//! The headings and date forms are ones the summary reader recognises, so a
//! document written here can be read back as input.

use rapporteur_model::Event;

pub(crate) struct Labels {
    pub background: &'static str,
    pub key_issues: &'static str,
    pub recommendations: &'static str,
    /// "Page" and "of" in "Page N of M".
    pub page: &'static str,
    pub of: &'static str,
}

const ENGLISH: Labels = Labels {
    background: "Background",
    key_issues: "Key issues",
    recommendations: "Recommendations",
    page: "Page",
    of: "of",
};

const FRENCH: Labels = Labels {
    background: "Contexte",
    key_issues: "Questions clés",
    recommendations: "Recommandations",
    page: "Page",
    of: "sur",
};

const SPANISH: Labels = Labels {
    background: "Antecedentes",
    key_issues: "Cuestiones clave",
    recommendations: "Recomendaciones",
    page: "Página",
    of: "de",
};

#[rustfmt::skip]
const MONTHS_EN: [&str; 12] = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
];
#[rustfmt::skip]
const MONTHS_FR: [&str; 12] = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
];
#[rustfmt::skip]
const MONTHS_ES: [&str; 12] = [
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "octubre", "noviembre", "diciembre",
];

impl Labels {
    pub fn for_language(code: &str) -> &'static Labels {
        match code {
            "fr" => &FRENCH,
            "es" => &SPANISH,
            _ => &ENGLISH,
        }
    }
}

/// The date line: "31 January 2023, 14:30–15:45 CET", or None when the
/// summary says neither day nor time.
pub(crate) fn when(event: &Event, language: &str) -> Option<String> {
    let days: Vec<String> = [&event.date, &event.end_date]
        .into_iter()
        .flatten()
        .map(|iso| long_date(iso, language))
        .collect();
    let times: Vec<&str> = [&event.start_time, &event.end_time]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let mut clock = times.join("–");
    if let Some(zone) = &event.timezone {
        clock = format!("{clock} {zone}").trim().to_string();
    }
    let parts: Vec<String> = [days.join(" – "), clock]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// "2023-01-31" as "31 January 2023" ("31 janvier 2023", "31 de enero de
/// 2023"); a date not in the model's ISO form is written as it is.
fn long_date(iso: &str, language: &str) -> String {
    let mut parts = iso.splitn(3, '-').map(str::parse::<usize>);
    let (Some(Ok(year)), Some(Ok(month @ 1..=12)), Some(Ok(day))) =
        (parts.next(), parts.next(), parts.next())
    else {
        return iso.to_string();
    };
    match language {
        "fr" => format!("{day} {} {year}", MONTHS_FR[month - 1]),
        "es" => format!("{day} de {} de {year}", MONTHS_ES[month - 1]),
        _ => format!("{day} {} {year}", MONTHS_EN[month - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(date: Option<&str>, end: Option<&str>, times: (Option<&str>, Option<&str>)) -> Event {
        Event {
            date: date.map(str::to_string),
            end_date: end.map(str::to_string),
            start_time: times.0.map(str::to_string),
            end_time: times.1.map(str::to_string),
            timezone: times.0.map(|_| "CET".to_string()),
            ..Event::default()
        }
    }

    #[test]
    fn date_lines_in_each_language() {
        let full = event(Some("2023-01-31"), None, (Some("14:30"), Some("15:45")));
        assert_eq!(
            when(&full, "en").unwrap(),
            "31 January 2023, 14:30–15:45 CET"
        );
        assert_eq!(
            when(&full, "fr").unwrap(),
            "31 janvier 2023, 14:30–15:45 CET"
        );
        assert_eq!(
            when(&full, "es").unwrap(),
            "31 de enero de 2023, 14:30–15:45 CET"
        );
        let days = event(Some("2023-03-13"), Some("2023-03-17"), (None, None));
        assert_eq!(when(&days, "en").unwrap(), "13 March 2023 – 17 March 2023");
        let time_only = event(None, None, (Some("09:00"), None));
        assert_eq!(when(&time_only, "de").unwrap(), "09:00 CET");
        assert_eq!(when(&Event::default(), "en"), None);
        let odd = event(Some("2023-13-01"), None, (None, None));
        assert_eq!(when(&odd, "en").unwrap(), "2023-13-01");
    }
}

//! The date line under the title, from the model's ISO dates and times in
//! the summary's language (the words come from `rapporteur-labels`).

use rapporteur_labels::Labels;
use rapporteur_model::Event;

/// The date line: "31 January 2023, 14:30–15:45 CET", or None when the
/// summary says neither day nor time.
pub(crate) fn when(event: &Event, labels: &Labels) -> Option<String> {
    let days: Vec<String> = [&event.date, &event.end_date]
        .into_iter()
        .flatten()
        .map(|iso| labels.long_date(iso))
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
            when(&full, Labels::for_language("en")).unwrap(),
            "31 January 2023, 14:30–15:45 CET"
        );
        assert_eq!(
            when(&full, Labels::for_language("fr")).unwrap(),
            "31 janvier 2023, 14:30–15:45 CET"
        );
        assert_eq!(
            when(&full, Labels::for_language("es")).unwrap(),
            "31 de enero de 2023, 14:30–15:45 CET"
        );
        let days = event(Some("2023-03-13"), Some("2023-03-17"), (None, None));
        assert_eq!(
            when(&days, Labels::for_language("en")).unwrap(),
            "13 March 2023 – 17 March 2023"
        );
        let time_only = event(None, None, (Some("09:00"), None));
        assert_eq!(
            when(&time_only, Labels::for_language("de")).unwrap(),
            "09:00 CET"
        );
        assert_eq!(when(&Event::default(), Labels::for_language("en")), None);
        let odd = event(Some("2023-13-01"), None, (None, None));
        assert_eq!(
            when(&odd, Labels::for_language("en")).unwrap(),
            "2023-13-01"
        );
    }
}

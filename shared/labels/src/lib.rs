//! The fixed words the document writers add around the author's text: the
//! section headings, "Page N of M" and the names of the months, in the
//! summary's language where there is a translation and in English otherwise.
//!
//! The PDF and DOCX writers share them so that both formats of one summary
//! say the same thing; the headings and date forms are ones the summary
//! reader recognises, so a written document can be read back as input.

/// The words of one language.
#[derive(Debug)]
pub struct Labels {
    pub background: &'static str,
    pub key_issues: &'static str,
    pub recommendations: &'static str,
    /// "Page" and "of" in "Page N of M".
    pub page: &'static str,
    pub of: &'static str,
    months: [&'static str; 12],
    /// Between day and month and between month and year ("de" in Spanish).
    date_joiner: &'static str,
}

#[rustfmt::skip]
static ENGLISH: Labels = Labels {
    background: "Background",
    key_issues: "Key issues",
    recommendations: "Recommendations",
    page: "Page",
    of: "of",
    months: [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ],
    date_joiner: " ",
};

#[rustfmt::skip]
static FRENCH: Labels = Labels {
    background: "Contexte",
    key_issues: "Questions clés",
    recommendations: "Recommandations",
    page: "Page",
    of: "sur",
    months: [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre",
    ],
    date_joiner: " ",
};

#[rustfmt::skip]
static SPANISH: Labels = Labels {
    background: "Antecedentes",
    key_issues: "Cuestiones clave",
    recommendations: "Recomendaciones",
    page: "Página",
    of: "de",
    months: [
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
        "octubre", "noviembre", "diciembre",
    ],
    date_joiner: " de ",
};

impl Labels {
    /// The words for an ISO 639 language code; English for the languages
    /// without a translation.
    pub fn for_language(code: &str) -> &'static Labels {
        match code {
            "fr" => &FRENCH,
            "es" => &SPANISH,
            _ => &ENGLISH,
        }
    }

    /// "Page 3 of 12" ("Page 3 sur 12", "Página 3 de 12").
    pub fn page_of(&self, page: usize, pages: usize) -> String {
        format!("{} {page} {} {pages}", self.page, self.of)
    }

    /// "2023-01-31" as "31 January 2023" ("31 janvier 2023", "31 de enero
    /// de 2023"); a date not in the model's ISO form is written as it is.
    pub fn long_date(&self, iso: &str) -> String {
        let mut parts = iso.splitn(3, '-').map(str::parse::<usize>);
        let (Some(Ok(year)), Some(Ok(month @ 1..=12)), Some(Ok(day))) =
            (parts.next(), parts.next(), parts.next())
        else {
            return iso.to_string();
        };
        let joiner = self.date_joiner;
        format!("{day}{joiner}{}{joiner}{year}", self.months[month - 1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_out_in_the_summary_language() {
        assert_eq!(
            Labels::for_language("en").long_date("2023-01-31"),
            "31 January 2023"
        );
        assert_eq!(
            Labels::for_language("fr").long_date("2023-05-03"),
            "3 mai 2023"
        );
        assert_eq!(
            Labels::for_language("es").long_date("2023-12-09"),
            "9 de diciembre de 2023"
        );
        assert_eq!(
            Labels::for_language("de").long_date("2023-13-01"),
            "2023-13-01"
        );
        assert_eq!(Labels::for_language("en").long_date("31 Jan"), "31 Jan");
    }

    #[test]
    fn page_numbers_in_each_language() {
        assert_eq!(Labels::for_language("en").page_of(3, 12), "Page 3 of 12");
        assert_eq!(Labels::for_language("fr").page_of(1, 2), "Page 1 sur 2");
        assert_eq!(Labels::for_language("es").page_of(1, 2), "Página 1 de 2");
    }
}

//! The reader never panics, whatever it is fed: arbitrary bytes, text built
//! from the pieces summaries are made of, and the seed cut and spliced. Every
//! outcome is either a summary that keeps the reader's promises or an error
//! that names the input.

use proptest::prelude::*;
use rapporteur_model::EventSummary;
use rapporteur_parse::{ParseOptions, parse_summary};

const SEED: &str = include_str!("../../../examples/wsis-cooperation-sdgs.txt");

fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    match parse_summary("input.txt", bytes, &ParseOptions::default()) {
        Ok(summary) => {
            prop_assert!(!summary.event.title.is_empty());
            prop_assert!(
                summary.warnings.windows(2).all(|w| w[0] <= w[1]),
                "warnings sorted by line"
            );
            let all_text = summary
                .background
                .iter()
                .chain(summary.key_issues.iter().map(|i| &i.text))
                .chain(&summary.recommendations);
            for text in all_text {
                prop_assert!(!text.contains("**"), "markup left in {text:?}");
                prop_assert_eq!(text.trim(), text.as_str());
            }
            let json = summary.to_json();
            let back: EventSummary = serde_json::from_slice(&json).unwrap();
            prop_assert_eq!(back, summary);
        }
        Err(error) => prop_assert!(error.to_string().starts_with("input.txt: ")),
    }
    Ok(())
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("\r\n".to_string()),
        Just("- ".to_string()),
        Just("\u{F0B7} ".to_string()),
        Just("1. ".to_string()),
        Just("(a) ".to_string()),
        Just("**".to_string()),
        Just("## ".to_string()),
        Just("Background\n".to_string()),
        Just("Key Issues discussed (5- 8 bullet points)\n".to_string()),
        Just("Recommendations\n".to_string()),
        Just("Moderator: ".to_string()),
        Just("Summary of Side Event: ".to_string()),
        Just("Mr. ".to_string()),
        Just("H.E. Ms. ".to_string()),
        Just(", ".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just(":".to_string()),
        Just("31 January 2023, 14:30-15:45 CET".to_string()),
        Just("12–13 June 2014".to_string()),
        Just("\u{AD}".to_string()),
        Just("-\n".to_string()),
        Just("Page 3\n".to_string()),
        Just("K E Y   I S S U E S".to_string()),
        Just("Ã©â€™".to_string()),
        Just("\t\u{A0}".to_string()),
        "[a-zA-Z éç王محمدА-я]{0,16}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        check(&bytes)?;
    }

    #[test]
    fn text_made_of_summary_pieces(pieces in proptest::collection::vec(piece(), 0..120)) {
        check(pieces.concat().as_bytes())?;
    }

    #[test]
    fn seed_cut_and_spliced(
        cuts in proptest::collection::vec((0..SEED.len(), 0..SEED.len()), 1..6),
        insert in piece(),
    ) {
        let mut text = SEED.to_string();
        for (a, b) in cuts {
            let (a, b) = (a.min(b), a.max(b));
            if text.is_char_boundary(a) && text.is_char_boundary(b) && b <= text.len() {
                text.replace_range(a..b, &insert);
            }
        }
        check(text.as_bytes())?;
    }
}

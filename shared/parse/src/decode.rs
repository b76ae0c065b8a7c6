//! Bytes to text: the checks that decide whether an input is text at all, and
//! the repairs (BOM, UTF-16, legacy 8-bit encodings, line endings, mojibake)
//! that make it plain UTF-8.

use crate::{Diagnostics, ParseError, RejectKind};

/// Decodes `bytes` into text with `\n` line endings, or rejects the input.
pub(crate) fn decode(
    bytes: &[u8],
    max_bytes: usize,
    diag: &mut Diagnostics,
) -> Result<String, ParseError> {
    if bytes.len() > max_bytes {
        return Err(diag.reject(
            RejectKind::TooLarge,
            None,
            format!(
                "input is {} bytes, over the limit of {max_bytes} bytes; split it or raise the limit (--max-input-bytes)",
                bytes.len()
            ),
        ));
    }
    let text = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        diag.warn(1, "removed the UTF-8 byte-order mark");
        utf8(rest, diag)?
    } else if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
        // Word and Notepad save "Unicode text" as UTF-16; decoding it is
        // unambiguous thanks to the BOM, so there is no reason to refuse it.
        let (text, had_errors) = encoding.decode_with_bom_removal(bytes);
        if had_errors {
            return Err(diag.reject(
                RejectKind::InvalidEncoding,
                None,
                format!(
                    "input starts with a {} byte-order mark but is not valid {}; save it as UTF-8 and retry",
                    encoding.name(),
                    encoding.name()
                ),
            ));
        }
        diag.warn(1, format!("decoded {} input to UTF-8", encoding.name()));
        text.into_owned()
    } else {
        utf8(bytes, diag)?
    };
    if let Some(offset) = text.find(is_binary_char) {
        let line = line_of(&text, offset);
        return Err(diag.reject(
            RejectKind::Binary,
            Some(line),
            "binary data (control characters), not a text summary".to_string(),
        ));
    }
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    Ok(repair_mojibake(&text, diag))
}

fn utf8(bytes: &[u8], diag: &mut Diagnostics) -> Result<String, ParseError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(error) => {
            let valid = &bytes[..error.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            // A NUL or other control byte in the valid prefix means binary, which
            // is the more useful diagnosis than "invalid UTF-8".
            let binary = valid
                .iter()
                .any(|&b| b < 0x20 && !b"\t\n\r\x0c".contains(&b))
                || bytes.contains(&0);
            if binary {
                return Err(diag.reject(
                    RejectKind::Binary,
                    Some(line),
                    "binary data, not a text summary".to_string(),
                ));
            }
            if let Some(text) = legacy(bytes, line, diag) {
                return Ok(text);
            }
            Err(diag.reject(
                RejectKind::InvalidEncoding,
                Some(line),
                format!(
                    "invalid UTF-8 at byte {} of the file; save the file as UTF-8 and retry",
                    error.valid_up_to() + 1
                ),
            ))
        }
    }
}

/// Text in an undeclared legacy encoding (Windows-1252, ISO-8859-x,
/// Shift_JIS …), as old archives and some exports hold it: chardetng (the
/// detector Firefox uses for unlabelled pages) guesses the encoding, and the
/// guess is kept if it decodes without errors.
fn legacy(bytes: &[u8], line: usize, diag: &mut Diagnostics) -> Option<String> {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Deny);
    let (text, _, had_errors) = encoding.decode(bytes);
    if had_errors
        || text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
    {
        return None;
    }
    diag.warn(
        line,
        format!(
            "the file is not UTF-8; decoded it as {} (the encoding was guessed: save it as UTF-8 to be sure)",
            encoding.name()
        ),
    );
    Some(text.into_owned())
}

fn is_binary_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c')) && (c as u32) < 0x80
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// Characters that appear when UTF-8 bytes were decoded as Windows-1252 and
/// saved again: the lead bytes 0xC2–0xC5 and 0xE2 of common sequences.
const MOJIBAKE_MARKERS: [&str; 6] = ["Ã", "Â", "â€", "Å", "Ä", "Ð"];

/// Repairs lines whose text is UTF-8 that was once read as Windows-1252, by
/// reversing that mistake. A line is changed only if the reversal yields valid
/// UTF-8 with fewer mojibake markers, so correct text is never touched.
fn repair_mojibake(text: &str, diag: &mut Diagnostics) -> String {
    if !MOJIBAKE_MARKERS.iter().any(|m| text.contains(m))
        && !text.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c))
    {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        match unmojibake(line) {
            Some(fixed) => {
                diag.warn(
                    index + 1,
                    "repaired mojibake (UTF-8 text that had been read as Windows-1252)",
                );
                out.push_str(&fixed);
            }
            None => out.push_str(line),
        }
    }
    out
}

fn unmojibake(line: &str) -> Option<String> {
    // C1 controls (U+0080–U+009F) are what ISO-8859-1 makes of the bytes
    // Windows-1252 shows as "€", "’" and the like.
    let markers = |s: &str| {
        MOJIBAKE_MARKERS
            .iter()
            .map(|m| s.matches(m).count())
            .sum::<usize>()
            + s.chars()
                .filter(|c| ('\u{80}'..='\u{9f}').contains(c))
                .count()
    };
    let mut current = line.to_string();
    // Text can have been misread twice (UTF-8 → 1252 → 1252), so the
    // reversal is tried again while it helps.
    for _ in 0..2 {
        let before = markers(&current);
        if before == 0 {
            break;
        }
        let Some(fixed) = reverse(&current).filter(|f| *f != current && markers(f) < before) else {
            break;
        };
        current = fixed;
    }
    (current != line).then_some(current)
}

/// The bytes the text was decoded from, as Windows-1252 or, where a C1
/// control shows ISO-8859-1 was used, as Latin-1, read again as UTF-8.
fn reverse(line: &str) -> Option<String> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(line);
    let bytes = if unmappable {
        // ISO-8859-1 maps every byte to the code point of the same number.
        line.chars()
            .map(|c| u8::try_from(u32::from(c)).ok())
            .collect::<Option<Vec<u8>>>()?
    } else {
        bytes.into_owned()
    };
    String::from_utf8(bytes).ok()
}

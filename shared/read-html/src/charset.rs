//! A saved page's bytes as text, in the encoding the page declares: a byte
//! order mark first, then a `<meta charset>` or `http-equiv="Content-Type"`
//! declaration in the first 1024 bytes (where the HTML standard's prescan
//! looks), then UTF-8 if the bytes are valid UTF-8, then chardetng's guess
//! (Firefox's detector, which is what a browser does with an undeclared
//! page). encoding_rs decodes but has no prescan of HTML's `<meta>`, and
//! html5ever's string parser takes text that is already decoded, so the
//! prescan is written here.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};

/// How far the standard's prescan reads for a declaration.
const PRESCAN_BYTES: usize = 1024;

/// The page's text and the encoding it was decoded from.
pub(crate) fn decode(bytes: &[u8]) -> (String, &'static Encoding) {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), encoding);
    }
    let encoding = declared(&bytes[..bytes.len().min(PRESCAN_BYTES)])
        .or_else(|| std::str::from_utf8(bytes).is_ok().then_some(UTF_8))
        .unwrap_or_else(|| {
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            detector.guess(None, chardetng::Utf8Detection::Deny)
        });
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    (text.into_owned(), encoding)
}

/// The encoding a `<meta>` tag declares, by either spelling. A page that
/// declares UTF-16 without a byte order mark is read as UTF-8 and
/// x-user-defined as windows-1252, as the standard says (the declaration
/// was itself readable as ASCII, so it cannot be UTF-16).
fn declared(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let mut at = 0;
    while let Some(found) = find(&lower[at..], b"<meta") {
        let start = at + found + b"<meta".len();
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(label) = charset_value(tag)
            && let Some(encoding) = Encoding::for_label(label)
        {
            return Some(if encoding == UTF_16LE || encoding == UTF_16BE {
                UTF_8
            } else if encoding == X_USER_DEFINED {
                WINDOWS_1252
            } else {
                encoding
            });
        }
        at = end;
    }
    None
}

/// The value after `charset=` in a meta tag's attributes (`charset="x"`, or
/// `content="text/html; charset=x"`), quotes and spaces trimmed.
fn charset_value(tag: &[u8]) -> Option<&[u8]> {
    let at = find(tag, b"charset")? + b"charset".len();
    let rest = tag[at..].trim_ascii_start().strip_prefix(b"=")?;
    let rest = rest.trim_ascii_start();
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|&b| matches!(b, b'"' | b'\'' | b';' | b'/') || b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    (end > 0).then_some(&rest[..end])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_declarations_are_read() {
        assert_eq!(
            declared(b"<head><meta charset=\"windows-1252\">"),
            Some(WINDOWS_1252)
        );
        assert_eq!(
            declared(b"<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=ISO-8859-1'>"),
            Some(WINDOWS_1252)
        );
        assert_eq!(declared(b"<meta charset=utf-16>"), Some(UTF_8));
        assert_eq!(
            declared(b"<meta name=\"viewport\" content=\"width=1\">"),
            None
        );
    }

    #[test]
    fn a_byte_order_mark_wins_over_a_declaration() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice("<meta charset=windows-1252><p>café</p>".as_bytes());
        let (text, encoding) = decode(&bytes);
        assert_eq!(encoding, UTF_8);
        assert!(text.contains("café"));
    }

    #[test]
    fn undeclared_legacy_bytes_are_guessed_not_replaced() {
        let (text, _) = decode(b"<p>R\xe9sum\xe9 de l'atelier th\xe9matique</p>");
        assert!(text.contains("Résumé"), "{text}");
    }
}

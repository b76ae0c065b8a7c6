//! PDFs written in the tests with lopdf, so each layout pattern has a small
//! file made from the pattern: text placed where a word processor would
//! place it, in a regular, a bold and a symbol font whose every glyph is
//! half an em wide (so positions are known exactly).

#![allow(dead_code)] // each test binary uses its own part of this module

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, Stream, dictionary};

pub const A4: (f32, f32) = (595.0, 842.0);
pub const LETTER: (f32, f32) = (612.0, 792.0);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
    Symbol,
}

/// One run of text: its left edge, its baseline from the top of the page,
/// its size and font.
#[derive(Debug, Clone)]
pub struct Run {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub face: Face,
    pub text: String,
}

pub fn run(x: f32, y: f32, size: f32, face: Face, text: &str) -> Run {
    Run {
        x,
        y,
        size,
        face,
        text: text.to_string(),
    }
}

/// The width of `text` at `size` in the test fonts.
pub fn width(text: &str, size: f32) -> f32 {
    text.chars().count() as f32 * size * 0.5
}

/// Lines of body text from `y`, 14.7 pt apart (11 pt text, LibreOffice's
/// leading), each a regular run at `x`.
pub fn lines(x: f32, y: f32, texts: &[&str]) -> Vec<Run> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| run(x, y + i as f32 * 14.7, 11.0, Face::Regular, t))
        .collect()
}

fn font(base: &str) -> Dictionary {
    dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => base,
        "Encoding" => "WinAnsiEncoding",
        "FirstChar" => 32,
        "LastChar" => 255,
        "Widths" => (32..=255).map(|_| Object::Integer(500)).collect::<Vec<_>>(),
    }
}

/// Encodes text as WinAnsi bytes (the tests use Latin-1 letters and the
/// bullet).
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            c if (c as u32) < 256 => c as u8,
            _ => b'?',
        })
        .collect()
}

/// A PDF with one page per entry, each page its runs; `image` adds an
/// image XObject drawn on every page.
pub fn pdf_with(pages: &[Vec<Run>], size: (f32, f32), image: bool) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let regular = doc.add_object(font("Helvetica"));
    let bold = doc.add_object(font("Helvetica-Bold"));
    let symbol = doc.add_object(font("Symbol"));
    let picture = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => 1,
            "Height" => 1,
            "ColorSpace" => "DeviceGray",
            "BitsPerComponent" => 8,
        },
        vec![0x80],
    ));
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => regular, "F2" => bold, "F3" => symbol },
        "XObject" => dictionary! { "Im1" => picture },
    });
    let mut kids = Vec::new();
    for runs in pages {
        let mut operations = Vec::new();
        if image {
            operations.extend([
                Operation::new("q", vec![]),
                Operation::new(
                    "cm",
                    vec![
                        500.into(),
                        0.into(),
                        0.into(),
                        700.into(),
                        40.into(),
                        60.into(),
                    ],
                ),
                Operation::new("Do", vec!["Im1".into()]),
                Operation::new("Q", vec![]),
            ]);
        }
        for r in runs {
            let name = match r.face {
                Face::Regular => "F1",
                Face::Bold => "F2",
                Face::Symbol => "F3",
            };
            operations.extend([
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec![name.into(), r.size.into()]),
                Operation::new("Td", vec![r.x.into(), (size.1 - r.y).into()]),
                Operation::new(
                    "Tj",
                    vec![Object::String(
                        win_ansi(&r.text),
                        lopdf::StringFormat::Literal,
                    )],
                ),
                Operation::new("ET", vec![]),
            ]);
        }
        let content = Content { operations }.encode().unwrap();
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "Resources" => resources,
        });
        kids.push(page.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "MediaBox" => vec![0.into(), 0.into(), size.0.into(), size.1.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

pub fn pdf(pages: &[Vec<Run>], size: (f32, f32)) -> Vec<u8> {
    pdf_with(pages, size, false)
}

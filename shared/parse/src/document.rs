//! The reader's input: a document as blocks in reading order, each with what
//! its format says about it (a Word style, an HTML tag, a Markdown mark).
//!
//! Every format's reader (text and Markdown here; Word, HTML and PDF in their
//! own crates) produces a [`Document`]; the summary reader takes it from
//! there. A format only says what it knows: a block with [`Role::Text`] is
//! left for the reader to judge from its words, as plain text is.

/// A document as a format's reader sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub blocks: Vec<Block>,
    /// What the format's reader repaired or dropped, by line.
    pub warnings: Vec<(usize, String)>,
}

/// One paragraph, line, list item or table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Where it starts, 1-based, in the unit the format counts in (a text
    /// line, a Word paragraph, a PDF page line): warnings and errors name it.
    pub line: usize,
    pub role: Role,
    /// The text, whitespace collapsed, markup removed.
    pub text: String,
    /// Byte ranges of `text` that are bold, in order.
    pub bold: Vec<(usize, usize)>,
    /// Nesting of a list item: 0 for the top level.
    pub level: u8,
    /// A visible gap (a blank line, paragraph spacing) comes before it. Text
    /// lines that follow one another directly have none, which tells a
    /// speaker's name above their paragraph from a heading.
    pub gap_before: bool,
}

/// What the format says a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Nothing: the reader judges from the words.
    Text,
    /// The document's title (Word's Title style, an HTML `<h1>`).
    Title,
    /// The line under the title (Word's Subtitle style).
    Subtitle,
    /// A heading of the given level (1 is the highest).
    Heading(u8),
    /// A bulleted or numbered list item, its marker removed.
    Item,
    /// The label of a field whose value follows in the next blocks: the
    /// left cell of a two-column form table, an HTML `<th>` or `<dt>`.
    Label,
}

impl Block {
    /// A block with no bold text.
    pub fn new(line: usize, role: Role, text: impl Into<String>) -> Block {
        Block {
            line,
            role,
            text: text.into(),
            bold: Vec::new(),
            level: 0,
            gap_before: true,
        }
    }

    /// Whether the whole text is bold (a heading written as a bold line).
    pub fn all_bold(&self) -> bool {
        let letters = self.letters();
        letters > 0 && self.bold_letters() == letters
    }

    fn letters(&self) -> usize {
        self.text.chars().filter(|c| c.is_alphanumeric()).count()
    }

    fn bold_letters(&self) -> usize {
        self.bold
            .iter()
            .map(|&(start, end)| {
                self.text
                    .get(start..end)
                    .unwrap_or("")
                    .chars()
                    .filter(|c| c.is_alphanumeric())
                    .count()
            })
            .sum()
    }
}

/// A table as a reader found it: rows of cells, each cell its blocks.
pub type Table = Vec<Vec<Vec<Block>>>;

/// Column names of the line-up tables pages and documents give.
const COLUMN_NAMES: &[&str] = &[
    "name",
    "names",
    "speaker",
    "speakers",
    "panellist",
    "panelist",
    "moderator",
    "title",
    "role",
    "function",
    "position",
    "job title",
    "organisation",
    "organization",
    "affiliation",
    "institution",
    "country",
    "entity",
    "stakeholder group",
    "time",
    "topic",
    "session",
    "nom",
    "fonction",
    "titre",
    "organisme",
    "pays",
    "nombre",
    "cargo",
    "organizacion",
    "institucion",
    "pais",
    "intervenant",
    "ponente",
];

fn fold_cell(text: &str) -> String {
    crate::lexicon::fold(text.trim().trim_end_matches(':'))
}

/// Turns a table into blocks, the way a person reads one: a two-column form
/// (short labels on the left) gives each label as a [`Role::Label`] followed
/// by its answer's blocks; a list with a header row ("Name | Title |
/// Organization") gives each row as one item, its cells joined by commas;
/// any other table gives its cells in reading order. Word and HTML tables go
/// through here, so both read a form or a line-up the same way.
pub fn table_blocks(table: Table) -> Vec<Block> {
    let width = table.iter().map(Vec::len).max().unwrap_or(0);
    // A form's label: one paragraph, bold or short or ending in a colon
    // (forms' labels can be long questions with instructions).
    let label_cell = |cell: &Vec<Block>| {
        cell.len() == 1 && {
            let b = &cell[0];
            let words = b.text.split_whitespace().count();
            words <= 40
                && (b.all_bold() || words <= 8 || b.text.trim_end().ends_with([':', '?', ']', ')']))
        }
    };
    let two_column: Vec<&Vec<Vec<Block>>> = table.iter().filter(|row| row.len() == 2).collect();
    let labelled = two_column
        .iter()
        .filter(|row| row[0].is_empty() || label_cell(&row[0]))
        .count();
    // A first row that names columns ("Name | Organisation") heads a list.
    let header_row = table.first().is_some_and(|row| {
        row.len() >= 2
            && row.iter().all(|cell| {
                cell.len() == 1 && COLUMN_NAMES.contains(&fold_cell(&cell[0].text).as_str())
            })
    });
    let is_form =
        width == 2 && table.len() >= 2 && !header_row && labelled * 10 >= two_column.len() * 8;
    let one_line_rows = table
        .iter()
        .skip(1)
        .all(|row| row.iter().all(|cell| cell.len() <= 1));
    let mut out = Vec::new();
    if is_form {
        for row in table {
            let mut cells = row.into_iter();
            if let Some(label) = cells.next() {
                out.extend(label.into_iter().map(|mut b| {
                    b.role = Role::Label;
                    b.gap_before = true;
                    b
                }));
            }
            for cell in cells {
                out.extend(cell);
            }
        }
    } else if width >= 2 && table.len() >= 2 && one_line_rows {
        // The first row names the columns; each further row is one entry.
        for row in table.into_iter().skip(1) {
            let line = row.iter().flatten().map(|b| b.line).next();
            let text: Vec<String> = row
                .into_iter()
                .flatten()
                .map(|b| b.text)
                .filter(|t| !t.trim().is_empty())
                .collect();
            if let Some(line) = line.filter(|_| !text.is_empty()) {
                out.push(Block::new(line, Role::Item, text.join(", ")));
            }
        }
    } else {
        out.extend(table.into_iter().flatten().flatten());
    }
    out
}

/// A run of text with its weight, as the Word and HTML readers collect a
/// paragraph's runs; "\n" alone is a manual line break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub bold: bool,
}

/// A line's spans as text with bold ranges (byte offsets), whitespace
/// collapsed as a browser or Word shows it; bold runs split only by spaces
/// are one range. Both rich-text readers join their lines here.
pub fn join_spans(spans: &[Span]) -> (String, Vec<(usize, usize)>) {
    let mut text = String::new();
    let mut bold: Vec<(usize, usize)> = Vec::new();
    let mut space = true;
    for span in spans {
        for c in span.text.chars() {
            if c.is_whitespace() {
                if !space {
                    text.push(' ');
                }
                space = true;
                continue;
            }
            let at = text.len();
            text.push(c);
            space = false;
            if span.bold {
                match bold.last_mut() {
                    // Bold runs split by spaces (or by nothing) are one span.
                    Some((_, end)) if text[*end..at].trim().is_empty() => *end = text.len(),
                    _ => bold.push((at, text.len())),
                }
            }
        }
    }
    let trimmed = text.trim_end().len();
    text.truncate(trimmed);
    for span in &mut bold {
        span.1 = span.1.min(trimmed);
    }
    bold.retain(|(s, e)| s < e);
    (text, bold)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(line: usize, text: &str) -> Vec<Block> {
        vec![Block::new(line, Role::Text, text)]
    }

    #[test]
    fn a_two_column_form_gives_labels_and_answers() {
        let blocks = table_blocks(vec![
            vec![cell(1, "Session Type"), cell(2, "Workshop")],
            vec![
                cell(3, "Key Takeaways"),
                vec![
                    Block::new(4, Role::Text, "One."),
                    Block::new(5, Role::Text, "Two."),
                ],
            ],
        ]);
        let roles: Vec<_> = blocks.iter().map(|b| (b.role, b.text.as_str())).collect();
        assert_eq!(
            roles,
            [
                (Role::Label, "Session Type"),
                (Role::Text, "Workshop"),
                (Role::Label, "Key Takeaways"),
                (Role::Text, "One."),
                (Role::Text, "Two."),
            ]
        );
    }

    #[test]
    fn a_list_with_a_header_row_gives_one_item_per_row() {
        let blocks = table_blocks(vec![
            vec![cell(1, "Name"), cell(2, "Title"), cell(3, "Organization")],
            vec![
                cell(4, "Ms. Ana Ruiz"),
                cell(5, "Director"),
                cell(6, "Ministry of ICT, Peru"),
            ],
        ]);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].role, Role::Item);
        assert_eq!(
            blocks[0].text,
            "Ms. Ana Ruiz, Director, Ministry of ICT, Peru"
        );
    }

    #[test]
    fn whole_bold_lines_are_told_from_partly_bold_ones() {
        let mut b = Block::new(1, Role::Text, "Key issues");
        b.bold = vec![(0, 10)];
        assert!(b.all_bold());
        let mut b = Block::new(1, Role::Text, "Ms. Ana Ruiz said so");
        b.bold = vec![(0, 12)];
        assert!(!b.all_bold());
    }
}

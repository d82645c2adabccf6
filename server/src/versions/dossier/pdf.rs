//! The dossier as PDF: a small PDF 1.4 writer for text documents, so no PDF crate is needed.
//!
//! Text is set in the standard Helvetica fonts (every PDF reader has them) with
//! `WinAnsiEncoding`, which covers Dutch (ë, é, ï, …) and the typographic quotes and dashes;
//! other characters become `?`. Lines are wrapped by an estimate of Helvetica's average
//! character width and pages are A4.

use std::fmt::Write as _;

use super::Block;

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;

/// One set line: font (1 regular, 2 bold), size, indent, text.
struct Line {
    font: u8,
    size: f32,
    indent: f32,
    text: String,
    space_before: f32,
}

/// Renders `blocks` as a PDF file.
pub fn render(blocks: &[Block]) -> Vec<u8> {
    let mut lines = Vec::new();
    for block in blocks {
        let (font, size, indent, space, text) = match block {
            Block::Title(t) => (2, 16.0, 0.0, 0.0, t.clone()),
            Block::Heading(t) => (2, 12.0, 0.0, 10.0, t.clone()),
            Block::Text(t) => (1, 10.0, 0.0, 4.0, t.clone()),
            Block::Item(t) => (1, 10.0, 12.0, 2.0, format!("\u{2022} {t}")),
        };
        let width = PAGE_WIDTH - 2.0 * MARGIN - indent;
        // Helvetica averages about half an em per character (bold a little more).
        let per_char = size * if font == 2 { 0.58 } else { 0.52 };
        let max_chars = ((width / per_char) as usize).max(10);
        for (n, piece) in wrap(&text, max_chars).into_iter().enumerate() {
            lines.push(Line {
                font,
                size,
                indent: if n == 0 { indent } else { indent + 8.0 },
                text: piece,
                space_before: if n == 0 { space } else { 0.0 },
            });
        }
    }
    let mut pages: Vec<String> = Vec::new();
    let mut content = String::new();
    let mut y = PAGE_HEIGHT - MARGIN;
    for line in lines {
        let step = line.size * 1.35 + line.space_before;
        if y - step < MARGIN {
            pages.push(std::mem::take(&mut content));
            y = PAGE_HEIGHT - MARGIN;
        }
        y -= step;
        let _ = writeln!(
            content,
            "BT /F{} {:.1} Tf {:.1} {:.1} Td ({}) Tj ET",
            line.font,
            line.size,
            MARGIN + line.indent,
            y,
            escape(&line.text)
        );
    }
    pages.push(content);
    assemble(&pages)
}

/// Splits `text` into lines of at most `max` characters at spaces (and at newlines).
fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let mut word = word.to_owned();
            while word.chars().count() > max {
                let head: String = word.chars().take(max).collect();
                word = word.chars().skip(max).collect();
                if !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                }
                out.push(head);
            }
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        out.push(line);
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

/// A PDF string literal's content in WinAnsiEncoding, with `\`, `(` and `)` escaped and
/// bytes above 127 written as octal escapes.
fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let byte = win_ansi(c);
        match byte {
            b'\\' | b'(' | b')' => {
                out.push('\\');
                out.push(char::from(byte));
            }
            32..=126 => out.push(char::from(byte)),
            _ => {
                let _ = write!(out, "\\{byte:03o}");
            }
        }
    }
    out
}

fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        '„' => 0x84,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '\t' => b' ',
        _ => b'?',
    }
}

/// Writes the objects, the cross-reference table and the trailer.
fn assemble(pages: &[String]) -> Vec<u8> {
    let mut objects: Vec<String> = Vec::new();
    let first_page = 5;
    let kids: Vec<String> = (0..pages.len())
        .map(|n| format!("{} 0 R", first_page + 2 * n))
        .collect();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".to_owned());
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        pages.len()
    ));
    objects.push(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_owned(),
    );
    objects.push(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_owned(),
    );
    for (n, content) in pages.iter().enumerate() {
        let content_id = first_page + 2 * n + 1;
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] \
             /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {content_id} 0 R >>"
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ));
    }
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (n, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", n + 1).as_bytes());
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        let _ = writeln!(table, "{offset:010} 00000 n ");
    }
    let _ = write!(
        table,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(table.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_well_formed_pdf() {
        let long = "woord ".repeat(200);
        let mut blocks = vec![Block::Title("Dossier: één (test)".into())];
        for _ in 0..80 {
            blocks.push(Block::Item(long.clone()));
        }
        let pdf = render(&blocks);
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("\\351\\351n \\(test\\)"),
            "Dutch letters and parentheses are escaped"
        );
        assert!(text.contains("/Count"));
        let pages: usize = text.matches("/Type /Page ").count();
        assert!(pages > 1, "long content flows onto more pages");
        // the xref offsets point at the objects
        let start = text.rfind("startxref\n").unwrap() + "startxref\n".len();
        let xref: usize = text[start..].lines().next().unwrap().parse().unwrap();
        assert!(pdf[xref..].starts_with(b"xref"));
    }

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
    }
}

//! An independent check that a PDF is PDF/A-2b, with Poppler (`pdfinfo`, `pdffonts`,
//! `pdftotext` from Debian's poppler-utils, which `scripts/test` installs), not with the
//! library that wrote it: the file parses without errors, its XMP metadata declares PDF/A part 2
//! conformance B, it carries an output intent, and every font it uses is embedded.
//!
//! This is not a full veraPDF validation (veraPDF is not packaged for this platform); it checks
//! the properties an archive depends on most.

use std::io::Write;
use std::process::Command;

/// Fails the test unless `pdf` (named `name` in messages) passes the checks above.
///
/// # Panics
/// When a check fails or Poppler is not installed.
pub fn assert_pdf_a(name: &str, pdf: &[u8]) {
    let (_file, path) = temp_pdf(pdf);

    let info = poppler("pdfinfo", &[&path]);
    assert!(
        info.contains("Pages:"),
        "{name}: pdfinfo could not read it:\n{info}"
    );
    let meta = poppler("pdfinfo", &["-meta", &path]);
    assert!(
        has_element(&meta, "pdfaid:part", "2"),
        "{name}: the XMP metadata does not declare PDF/A part 2:\n{meta}"
    );
    assert!(
        has_element(&meta, "pdfaid:conformance", "B"),
        "{name}: the XMP metadata does not declare conformance B:\n{meta}"
    );
    assert!(
        String::from_utf8_lossy(pdf).contains("/OutputIntents"),
        "{name}: no output intent"
    );
    let fonts = poppler("pdffonts", &[&path]);
    let rows = font_rows(&fonts);
    assert!(!rows.is_empty(), "{name}: no fonts at all:\n{fonts}");
    for row in rows {
        assert!(
            row.embedded,
            "{name}: font {} is not embedded:\n{fonts}",
            row.name
        );
    }
}

/// The text of `pdf` as Poppler extracts it, for checking what a PDF says.
///
/// # Panics
/// When Poppler is not installed or cannot read the file.
pub fn pdf_text(pdf: &[u8]) -> String {
    let (_file, path) = temp_pdf(pdf);
    poppler("pdftotext", &["-enc", "UTF-8", &path, "-"])
}

/// `pdf` in a temporary file (removed when the handle drops) and its path.
fn temp_pdf(pdf: &[u8]) -> (tempfile::NamedTempFile, String) {
    let written = tempfile::Builder::new()
        .suffix(".pdf")
        .tempfile()
        .and_then(|mut file| file.write_all(pdf).map(|()| file));
    match written {
        Ok(file) => {
            let path = file.path().to_string_lossy().into_owned();
            (file, path)
        }
        Err(error) => panic!("cannot write the PDF to a temporary file: {error}"),
    }
}

fn poppler(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().unwrap_or_else(|error| {
        panic!("{program} could not run ({error}); install poppler-utils (apt-get install poppler-utils)")
    });
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("Error") && !known_poppler_false_alarm(line))
        .collect();
    assert!(
        output.status.success() && errors.is_empty(),
        "{program} {args:?} failed: {stderr}"
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Poppler 22 reports `/MarkInfo << /Suspects false >>` (a boolean, as the PDF standard wants
/// it) as "Suspects object is wrong type (boolean)": it only accepts `true`. Not a defect of the
/// file.
fn known_poppler_false_alarm(line: &str) -> bool {
    line.contains("Suspects object is wrong type (boolean)")
}

/// Whether the XMP holds `<tag>value</tag>` or the attribute form `tag="value"`.
fn has_element(xmp: &str, tag: &str, value: &str) -> bool {
    xmp.contains(&format!("<{tag}>{value}</{tag}>")) || xmp.contains(&format!("{tag}=\"{value}\""))
}

struct FontRow {
    name: String,
    embedded: bool,
}

/// The rows of `pdffonts` output: after the dashed line, each row ends with
/// `emb sub uni object-number generation`.
fn font_rows(listing: &str) -> Vec<FontRow> {
    listing
        .lines()
        .skip_while(|line| !line.starts_with("---"))
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let emb = fields.len().checked_sub(5).map(|i| fields[i])?;
            Some(FontRow {
                name: fields.first().copied().unwrap_or_default().to_owned(),
                embedded: emb == "yes",
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pdffonts_rows() {
        let listing = "name                                 type              encoding         emb sub uni object ID\n\
------------------------------------ ----------------- ---------------- --- --- --- ---------\n\
ABCDEF+LibertinusSerif-Regular       CID Type 0C       Identity-H       yes yes yes      7  0\n\
Helvetica                            Type 1            WinAnsi          no  no  no       9  0\n";
        let rows = font_rows(listing);
        assert_eq!(rows.len(), 2);
        assert!(rows[0].embedded);
        assert!(!rows[1].embedded);
        assert_eq!(rows[1].name, "Helvetica");
    }

    /// A well-formed PDF 1.4 page in Helvetica, not embedded and without PDF/A metadata.
    fn plain_pdf() -> Vec<u8> {
        let content = "BT /F1 12 Tf 72 720 Td (Geen PDF/A) Tj ET";
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
            format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (n, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", n + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for offset in offsets {
            out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    #[test]
    #[should_panic(expected = "does not declare PDF/A part 2")]
    fn a_plain_pdf_is_not_pdf_a() {
        let pdf = plain_pdf();
        assert!(
            pdf_text(&pdf).contains("Geen PDF/A"),
            "the sample itself is readable"
        );
        assert_pdf_a("plain", &pdf);
    }

    #[test]
    fn finds_pdfaid_in_either_form() {
        assert!(has_element(
            "<pdfaid:part>2</pdfaid:part>",
            "pdfaid:part",
            "2"
        ));
        assert!(has_element("pdfaid:part=\"2\"", "pdfaid:part", "2"));
        assert!(!has_element(
            "<pdfaid:part>1</pdfaid:part>",
            "pdfaid:part",
            "2"
        ));
    }
}

use super::*;

fn page(items: Vec<Item>) -> Page {
    Page {
        title: "Advies pakketbeheer".into(),
        note: String::new(),
        items,
        date_ms: Some(1_780_000_000_000),
    }
}

/// The XMP packet Typst writes is uncompressed, as PDF/A requires it readable.
fn xmp(pdf: &[u8]) -> String {
    let text = String::from_utf8_lossy(pdf);
    let start = text.find("<x:xmpmeta").expect("an XMP packet");
    let end = text[start..].find("</x:xmpmeta>").expect("the packet ends") + start;
    text[start..end].to_owned()
}

#[test]
fn a_page_is_pdf_a_2b_with_its_title() {
    let pdf = pdf(page(vec![
        Item::plain(ItemKind::Title, "Advies pakketbeheer"),
        Item::plain(ItemKind::Heading { level: 1 }, "Inleiding"),
        Item::plain(
            ItemKind::Text,
            "Zorgverzekeraars en patiëntenfederatie zijn het eens: één coördinatiepunt.",
        ),
    ]))
    .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let meta = xmp(&pdf);
    assert!(meta.contains("<pdfaid:part>2</pdfaid:part>"), "{meta}");
    assert!(
        meta.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
        "{meta}"
    );
    assert!(meta.contains("Advies pakketbeheer"), "{meta}");
    assert!(String::from_utf8_lossy(&pdf).contains("/OutputIntents"));
}

#[test]
fn typst_markup_in_the_text_is_set_as_text() {
    // Were the text read as markup, `#panic` would abort the compilation and `#set` would
    // change the page.
    let hostile =
        r#"#panic("x") #set page(width: 1pt) $ x^2 $ *vet* _schuin_ ] [ \ @ref <l> // ok /* "#;
    let items = vec![
        Item::plain(ItemKind::Title, hostile),
        Item::plain(ItemKind::Text, hostile),
        Item::plain(
            ItemKind::Item {
                marker: "#panic()".into(),
                depth: 200,
            },
            hostile,
        ),
        Item::plain(ItemKind::Quote, hostile),
    ];
    let pdf = pdf(page(items)).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}

#[test]
fn characters_no_font_has_are_replaced_and_control_characters_dropped() {
    assert_eq!(clean_text("a\u{0}b\u{7}c\r\nd\te"), "abc\nd\te");
    assert_eq!(
        clean_text("één – “citaat” € ĳ Ω Ж"),
        "één – “citaat” € ĳ Ω Ж"
    );
    let replaced = clean_text("ok 🎉 中");
    assert!(
        !replaced.contains('🎉') && !replaced.contains('中'),
        "{replaced}"
    );
    assert!(replaced.starts_with("ok "));
    // And such text typesets (PDF/A forbids the missing-glyph box, so it would fail otherwise).
    let pdf = pdf(page(vec![Item::plain(ItemKind::Text, "feest 🎉 中文")])).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}

#[test]
fn the_same_page_gives_the_same_bytes() {
    let page = page(vec![Item::plain(ItemKind::Text, "Vaste tekst.")]);
    assert_eq!(pdf(page.clone()).unwrap(), pdf(page).unwrap());
}

#[test]
fn marks_changes_and_empty_items_typeset() {
    let items = vec![
        Item {
            kind: ItemKind::Text,
            spans: vec![
                Span {
                    text: "vet".into(),
                    bold: true,
                    ..Span::default()
                },
                Span {
                    text: " schuin".into(),
                    italic: true,
                    ..Span::default()
                },
                Span {
                    text: " weg".into(),
                    change: "del",
                    ..Span::default()
                },
                Span {
                    text: " erbij\nnieuwe regel".into(),
                    change: "ins",
                    ..Span::default()
                },
            ],
        },
        Item {
            kind: ItemKind::Heading { level: 9 },
            spans: vec![],
        },
        Item {
            kind: ItemKind::Text,
            spans: vec![],
        },
    ];
    assert!(pdf(page(items)).unwrap().starts_with(b"%PDF-"));
}

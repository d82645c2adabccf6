use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;

use super::*;
use crate::archive::writer::{ArchiveWriter, Header};

fn header() -> Header {
    Header {
        body: BodyRef {
            id: 1,
            name: "Werkgroep".into(),
            kind: "working_group".into(),
        },
        generated_at: 1_767_225_600_000,
        audit: AuditHead {
            head_hash: Some("ab".repeat(32)),
            head_id: Some(9),
            entries: 9,
            verified: true,
            problem: None,
        },
    }
}

/// A good archive of three files.
fn good() -> Vec<u8> {
    let mut writer = ArchiveWriter::new(Cursor::new(Vec::new()));
    writer.add("body.json", br#"{"id":1}"#).unwrap();
    writer
        .add("drafts/1-advies/versions/2.pdf", b"%PDF-1.7 ...")
        .unwrap();
    writer
        .add_table("milestones/milestones", &[serde_json::json!({"id": 1})])
        .unwrap();
    let (out, manifest) = writer.finish(header()).unwrap();
    assert_eq!(manifest.files.len(), 4);
    out.into_inner()
}

/// Copies `zip`'s entries into a new zip, letting `change` replace (Some) or drop (None)
/// each one's bytes, then appends `extra`.
fn rebuild(
    zip: &[u8],
    change: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>,
    extra: &[(&str, &[u8])],
) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        let name = file.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        if let Some(bytes) = change(&name, bytes) {
            out.start_file(name.as_str(), options).unwrap();
            out.write_all(&bytes).unwrap();
        }
    }
    for (name, bytes) in extra {
        out.start_file(*name, options).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn check(zip: &[u8]) -> Result<Summary, VerifyError> {
    verify(Cursor::new(zip), &Limits::default())
}

#[test]
fn a_written_archive_verifies_and_lists_every_file() {
    let summary = check(&good()).unwrap();
    assert_eq!(summary.files, 4);
    assert_eq!(summary.manifest.body.name, "Werkgroep");
    assert_eq!(summary.manifest.format_version, FORMAT_VERSION);
    let names: Vec<_> = summary
        .manifest
        .files
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "body.json",
            "drafts/1-advies/versions/2.pdf",
            "milestones/milestones.json",
            "milestones/milestones.csv"
        ]
    );
    assert_eq!(summary.manifest.files[0].sha256, sha256_hex(br#"{"id":1}"#));
    assert!(summary.to_string().starts_with("archive intact: 4 files"));
}

#[test]
fn a_tampered_file_is_named() {
    let tampered = rebuild(
        &good(),
        |name, mut bytes| {
            if name.ends_with(".pdf") {
                bytes[0] ^= 1;
            }
            Some(bytes)
        },
        &[],
    );
    let error = check(&tampered).unwrap_err();
    assert!(
        matches!(&error, VerifyError::Tampered { name, what: "SHA-256" } if name.ends_with("2.pdf")),
        "{error}"
    );
    let longer = rebuild(
        &good(),
        |name, mut bytes| {
            if name == "body.json" {
                bytes.push(b' ');
            }
            Some(bytes)
        },
        &[],
    );
    assert!(matches!(
        check(&longer).unwrap_err(),
        VerifyError::Tampered { what: "size", .. }
    ));
}

#[test]
fn a_missing_file_is_named() {
    let missing = rebuild(&good(), |name, b| (name != "body.json").then_some(b), &[]);
    assert!(matches!(check(&missing).unwrap_err(), VerifyError::Missing(n) if n == "body.json"));
    let no_manifest = rebuild(&good(), |name, b| (name != MANIFEST_NAME).then_some(b), &[]);
    assert!(matches!(
        check(&no_manifest).unwrap_err(),
        VerifyError::NoManifest
    ));
}

#[test]
fn an_extra_file_is_named() {
    let extra = rebuild(&good(), |_, b| Some(b), &[("extra.txt", b"hello")]);
    assert!(matches!(check(&extra).unwrap_err(), VerifyError::Unlisted(n) if n == "extra.txt"));
}

#[test]
fn unsafe_names_are_refused_before_anything_is_read() {
    for name in ["../evil.txt", "/etc/passwd", "a/../../b"] {
        let hostile = rebuild(&good(), |_, b| Some(b), &[(name, b"x")]);
        let error = check(&hostile).unwrap_err();
        assert!(
            matches!(&error, VerifyError::UnsafeName { name: n, .. } if n == name),
            "{name}: {error}"
        );
    }
}

#[test]
fn an_oversize_entry_is_refused_while_it_is_decompressed() {
    // 8 MiB of zeros compress to a few KiB: a small zip bomb
    let bomb = vec![0u8; 8 * 1024 * 1024];
    let mut writer = ArchiveWriter::new(Cursor::new(Vec::new()));
    writer.add("big.bin", &bomb).unwrap();
    let (out, _) = writer.finish(header()).unwrap();
    let zip = out.into_inner();
    assert!(zip.len() < 100_000, "{}", zip.len());
    let limits = Limits {
        max_entry_bytes: 1024 * 1024,
        ..Limits::default()
    };
    let error = verify(Cursor::new(&zip), &limits).unwrap_err();
    assert!(
        matches!(&error, VerifyError::TooLarge { name, .. } if name == "big.bin"),
        "{error}"
    );
    // the limit on the whole
    let limits = Limits {
        max_total_bytes: 1024,
        ..Limits::default()
    };
    assert!(matches!(
        verify(Cursor::new(&zip), &limits).unwrap_err(),
        VerifyError::TooLarge { .. }
    ));
}

#[test]
fn too_many_entries_and_garbage_are_refused() {
    let limits = Limits {
        max_entries: 2,
        ..Limits::default()
    };
    assert!(matches!(
        verify(Cursor::new(good()), &limits).unwrap_err(),
        VerifyError::TooManyEntries { found: 5, limit: 2 }
    ));
    assert!(matches!(
        check(b"not a zip at all").unwrap_err(),
        VerifyError::Unreadable(_)
    ));
    let bad_manifest = rebuild(
        &good(),
        |name, b| {
            Some(if name == MANIFEST_NAME {
                b"{".to_vec()
            } else {
                b
            })
        },
        &[],
    );
    assert!(matches!(
        check(&bad_manifest).unwrap_err(),
        VerifyError::BadManifest(_)
    ));
}

#[test]
fn the_writer_refuses_unsafe_and_repeated_names() {
    let mut writer = ArchiveWriter::new(Cursor::new(Vec::new()));
    assert!(writer.add("../x", b"").is_err());
    assert!(writer.add("/x", b"").is_err());
    assert!(writer.add(MANIFEST_NAME, b"").is_err());
    writer.add("x", b"").unwrap();
    assert!(writer.add("x", b"").is_err());
    let mut small = ArchiveWriter::with_limit(Cursor::new(Vec::new()), 4);
    small.add("a", b"1234").unwrap();
    assert!(small.add("b", b"5").is_err());
}

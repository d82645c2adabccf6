//! The Typst "world" a page is typeset in: the standard library, the embedded fonts, the fixed
//! template as `/main.typ` and the page's JSON as `/page.json`. Nothing else exists in it: no
//! file system, no packages, no clock.

use std::collections::HashSet;
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The template every page is set with.
const TEMPLATE: &str = include_str!("template.typ");

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

/// Parsed once per process: the fonts that ship in the binary.
static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

static LIBRARY: LazyLock<LazyHash<Library>> =
    LazyLock::new(|| LazyHash::new(Library::builder().build()));

/// The two files of the world. File ids are interned for the life of the process, so only
/// these two are ever made.
static MAIN: LazyLock<Option<FileId>> = LazyLock::new(|| file_id("/main.typ"));
static DATA: LazyLock<Option<FileId>> = LazyLock::new(|| file_id("/page.json"));

fn file_id(path: &str) -> Option<FileId> {
    VirtualPath::new(path)
        .ok()
        .map(|path| RootedPath::new(VirtualRoot::Project, path).intern())
}

/// Every code point some embedded font has a glyph for, gathered once (a font's own coverage
/// is a list of runs, searched linearly; this is one hash lookup per character).
static COVERED: LazyLock<HashSet<u32>> = LazyLock::new(|| {
    FONTS
        .fonts
        .iter()
        .flat_map(|font| font.info().coverage.iter())
        .collect()
});

/// Whether some embedded font has a glyph for `c`.
pub(super) fn covered(c: char) -> bool {
    COVERED.contains(&u32::from(c))
}

/// One page's world: the template and the page's data.
pub(super) struct PageWorld {
    main: Source,
    data: Bytes,
}

impl PageWorld {
    pub(super) fn new(data: Vec<u8>) -> Self {
        let main = match *MAIN {
            Some(id) => Source::new(id, TEMPLATE.to_owned()),
            None => Source::detached(TEMPLATE),
        };
        Self {
            main,
            data: Bytes::new(data),
        }
    }
}

impl World for PageWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if Some(id) == *DATA {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(TEMPLATE))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

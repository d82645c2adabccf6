//! Test helpers: y-prosemirror-shaped drafts edited by fixed Yjs client ids, and a
//! HashMap-backed [`Attribution`].

use std::collections::HashMap;

use yrs::types::Attrs;
use yrs::updates::decoder::Decode;
use yrs::{
    Any, ClientID, Doc, GetString, Options, ReadTxn, StateVector, Text, Transact, Update,
    XmlElementPrelim, XmlElementRef, XmlFragment, XmlFragmentRef, XmlOut, XmlTextPrelim,
    XmlTextRef,
};

use super::{Attribution, Author, FRAGMENT};

/// A draft document edited by one Yjs client. Blocks are addressed by their index in the
/// fragment; the text of a block is the first XmlText found in it (depth-first).
pub struct Draft {
    doc: Doc,
    fragment: XmlFragmentRef,
}

impl Draft {
    pub fn new(client: u64) -> Self {
        Self::with_gc(client, false)
    }

    /// A draft whose deleted content is garbage-collected (`skip_gc: false`).
    pub fn collecting_garbage(client: u64) -> Self {
        Self::with_gc(client, true)
    }

    fn with_gc(client: u64, gc: bool) -> Self {
        let doc = Doc::with_options(Options {
            skip_gc: !gc,
            ..Options::with_client_id(ClientID::new(client))
        });
        let fragment = doc.get_or_insert_xml_fragment(FRAGMENT);
        Self { doc, fragment }
    }

    /// The same document, continued by another client.
    pub fn fork(&self, client: u64) -> Self {
        let other = Self::with_gc(client, !self.doc.skip_gc());
        other
            .doc
            .transact_mut()
            .apply_update(Update::decode_v1(&self.state()).unwrap())
            .unwrap();
        other
    }

    /// The underlying document.
    pub fn doc(&self) -> &Doc {
        &self.doc
    }

    /// Everything this document has beyond `sv`, as a client would send it.
    pub fn update_since(&self, sv: &StateVector) -> Update {
        let bytes = self.doc.transact().encode_state_as_update_v1(sv);
        Update::decode_v1(&bytes).unwrap()
    }

    /// Full encoded state, as a frozen version stores it.
    pub fn state(&self) -> Vec<u8> {
        self.doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default())
    }

    fn element(&mut self, tag: &str) -> XmlElementRef {
        let mut txn = self.doc.transact_mut();
        self.fragment
            .push_back(&mut txn, XmlElementPrelim::empty(tag))
    }

    fn with_text(&mut self, element: &XmlElementRef, text: &str, attrs: Option<Attrs>) {
        let mut txn = self.doc.transact_mut();
        let t = element.push_back(&mut txn, XmlTextPrelim::new(""));
        match attrs {
            Some(attrs) => t.insert_with_attributes(&mut txn, 0, text, attrs),
            None => t.insert(&mut txn, 0, text),
        }
    }

    /// Appends a paragraph; returns its block index.
    pub fn paragraph(&mut self, text: &str) -> u32 {
        let p = self.element("paragraph");
        self.with_text(&p, text, None);
        self.fragment.len(&self.doc.transact()) - 1
    }

    pub fn heading(&mut self, level: u8, text: &str) -> u32 {
        let h = self.element("heading");
        {
            let mut txn = self.doc.transact_mut();
            yrs::Xml::insert_attribute(&h, &mut txn, "level", level.to_string());
        }
        self.with_text(&h, text, None);
        self.fragment.len(&self.doc.transact()) - 1
    }

    /// A paragraph starting with a bold part.
    pub fn bold_paragraph(&mut self, bold: &str, plain: &str) -> u32 {
        let index = self.paragraph(plain);
        let text = self.text(index);
        let attrs = Attrs::from([("strong".into(), Any::Map(Default::default()))]);
        text.insert_with_attributes(&mut self.doc.transact_mut(), 0, bold, attrs);
        index
    }

    pub fn list(&mut self, ordered: bool, items: &[&str]) -> u32 {
        let list = self.element(if ordered {
            "ordered_list"
        } else {
            "bullet_list"
        });
        for item in items {
            let li = {
                let mut txn = self.doc.transact_mut();
                list.push_back(&mut txn, XmlElementPrelim::empty("list_item"))
            };
            let p = {
                let mut txn = self.doc.transact_mut();
                li.push_back(&mut txn, XmlElementPrelim::empty("paragraph"))
            };
            self.with_text(&p, item, None);
        }
        self.fragment.len(&self.doc.transact()) - 1
    }

    /// `- outer` / `  1. inner` / `  continued` (a second paragraph of the outer item).
    pub fn nested_list(&mut self) {
        let list = self.element("bullet_list");
        let mut txn = self.doc.transact_mut();
        let li = list.push_back(&mut txn, XmlElementPrelim::empty("list_item"));
        let p = li.push_back(&mut txn, XmlElementPrelim::empty("paragraph"));
        p.push_back(&mut txn, XmlTextPrelim::new("outer"));
        let inner = li.push_back(&mut txn, XmlElementPrelim::empty("ordered_list"));
        let inner_li = inner.push_back(&mut txn, XmlElementPrelim::empty("list_item"));
        let inner_p = inner_li.push_back(&mut txn, XmlElementPrelim::empty("paragraph"));
        inner_p.push_back(&mut txn, XmlTextPrelim::new("inner"));
        let p2 = li.push_back(&mut txn, XmlElementPrelim::empty("paragraph"));
        p2.push_back(&mut txn, XmlTextPrelim::new("continued"));
    }

    pub fn quote(&mut self, text: &str) -> u32 {
        let q = self.element("blockquote");
        let p = {
            let mut txn = self.doc.transact_mut();
            q.push_back(&mut txn, XmlElementPrelim::empty("paragraph"))
        };
        self.with_text(&p, text, None);
        self.fragment.len(&self.doc.transact()) - 1
    }

    /// The first XmlText inside block `index`.
    pub fn text(&self, index: u32) -> XmlTextRef {
        let txn = self.doc.transact();
        let mut node = self.fragment.get(&txn, index).unwrap();
        loop {
            node = match node {
                XmlOut::Text(text) => return text,
                XmlOut::Element(element) => element.get(&txn, 0).unwrap(),
                XmlOut::Fragment(fragment) => fragment.get(&txn, 0).unwrap(),
            };
        }
    }

    /// Inserts at a byte offset of block `index`'s text.
    pub fn insert(&mut self, index: u32, at: u32, s: &str) {
        let text = self.text(index);
        text.insert(&mut self.doc.transact_mut(), at, s);
    }

    pub fn append(&mut self, index: u32, s: &str) {
        let text = self.text(index);
        let len = text.get_string(&self.doc.transact()).len() as u32;
        text.insert(&mut self.doc.transact_mut(), len, s);
    }

    /// Deletes the first occurrence of `word` in block `index`'s text.
    pub fn delete(&mut self, index: u32, word: &str) {
        let text = self.text(index);
        let at = text.get_string(&self.doc.transact()).find(word).unwrap() as u32;
        text.remove_range(&mut self.doc.transact_mut(), at, word.len() as u32);
    }

    /// Removes block `index` from the fragment.
    pub fn remove_block(&mut self, index: u32) {
        self.fragment
            .remove_range(&mut self.doc.transact_mut(), index, 1);
    }

    /// Inserts a paragraph at block position `index`.
    pub fn insert_paragraph(&mut self, index: u32, text: &str) {
        let mut txn = self.doc.transact_mut();
        let p = self
            .fragment
            .insert(&mut txn, index, XmlElementPrelim::empty("paragraph"));
        p.push_back(&mut txn, XmlTextPrelim::new(text));
    }
}

/// Test attribution: client id -> author for inserts; every deletion of an item of a given
/// client by `deleter`.
#[derive(Default)]
pub struct Claims {
    pub writers: HashMap<u64, Author>,
    pub deleters: Vec<(u64, std::ops::Range<u32>, Author)>,
}

impl Attribution for Claims {
    fn author_of_insert(&self, client: u64) -> Option<Author> {
        self.writers.get(&client).cloned()
    }

    fn author_of_delete(&self, client: u64, clock: u32) -> Option<Author> {
        self.deleters
            .iter()
            .find(|(c, range, _)| *c == client && range.contains(&clock))
            .map(|(_, _, author)| author.clone())
    }
}

pub fn vws() -> Author {
    Author {
        person_id: 11,
        name: "Anna de Vries".into(),
        party: "VWS".into(),
        colour: "#1F4E79".into(),
    }
}

pub fn zin() -> Author {
    Author {
        person_id: 22,
        name: "Bram <Jansen>".into(),
        party: "ZIN".into(),
        colour: "#C00000".into(),
    }
}

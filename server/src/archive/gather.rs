//! The IO of an archive: reads a body's records through the storage loaders the API uses,
//! renders the documents with the existing writers, and hands each file to an
//! [`ArchiveWriter`] as soon as it is made, so only one document is held at a time besides
//! the record lists. Used by `polder export archive` and `GET /api/bodies/{id}/archive.zip`.
//!
//! Bounds: drafts are read in pages up to [`MAX_DRAFTS`]; the other lists are those the
//! loaders bound already (meetings, decisions, responses); a version larger than the render
//! limit is archived as JSON without PDF/DOCX and listed as skipped in the manifest.

use std::io::{Seek, Write};

use serde::Serialize;
use serde_json::{json, Value};

use super::concerns::BodyIds;
use super::manifest::{AuditHead, BodyRef, Manifest};
use super::names;
use super::writer::{ArchiveWriter, Header};
use super::ArchiveError;
use crate::domain::decision::{csv_row, CSV_HEADER, MAX_EXPORT_ROWS};
use crate::storage::decisions::register::Scope;
use crate::storage::drafts::{Draft, VersionInfo};
use crate::storage::governance::milestones::MilestoneFilter;
use crate::storage::SqlStorage;
use crate::versions::{self, VersionError};

/// Most drafts of one body archived.
pub const MAX_DRAFTS: i64 = 10_000;

/// Most decision requests archived.
const MAX_REQUESTS: i64 = 10_000;

/// Drafts read per query.
const DRAFT_PAGE: i64 = 200;

/// What the archive is made with.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Largest version state rendered, in bytes (`--max-render-bytes`).
    pub max_render_bytes: usize,
    /// Most bytes of content the archive may hold (at most [`super::MAX_ARCHIVE_BYTES`]).
    pub max_archive_bytes: u64,
}

/// One audit entry as the archive holds it.
#[derive(Debug, Serialize)]
struct AuditRow {
    id: i64,
    at: i64,
    actor: String,
    actor_party: Option<String>,
    action: String,
    subject: Value,
    prev_hash: String,
    hash: String,
}

/// Writes the archive of body `body_id` into `out`; returns the output and the manifest.
///
/// # Errors
/// [`ArchiveError::NoBody`] for an unknown body; storage, rendering bounds and write errors.
pub async fn write_body<W: Write + Seek>(
    db: &SqlStorage,
    body_id: i64,
    settings: Settings,
    out: W,
) -> Result<(W, Manifest), ArchiveError> {
    let body = db.find_body(body_id).await?.ok_or(ArchiveError::NoBody)?;
    let generated_at = crate::clock::now_ms();
    let mut zip = ArchiveWriter::with_limit(
        out,
        settings.max_archive_bytes.min(super::MAX_ARCHIVE_BYTES),
    );
    let mut ids = BodyIds::new(body.id);

    let members = db.list_members(body.id).await?;
    zip.add_json("body.json", &json!({ "body": body, "members": members }))?;
    zip.add_table("members", &members)?;

    drafts(db, &mut zip, &mut ids, body.id, settings).await?;
    decisions(db, &mut zip, &mut ids, (body.id, &body.name)).await?;
    governance(db, &mut zip, &mut ids, body.id).await?;
    disputes(db, &mut zip, &mut ids, body.id).await?;
    meetings(db, &mut zip, &mut ids, body.id).await?;
    let audit = audit(db, &mut zip, &ids).await?;

    let header = Header {
        body: BodyRef {
            id: body.id,
            name: body.name.clone(),
            kind: body.kind.as_str().to_owned(),
        },
        generated_at,
        audit,
    };
    zip.finish(header)
}

async fn all_drafts(db: &SqlStorage, body_id: i64) -> Result<Vec<Draft>, ArchiveError> {
    let mut all = Vec::new();
    let mut offset = 0;
    while offset < MAX_DRAFTS {
        let (page, total) = db.list_drafts(body_id, offset, DRAFT_PAGE).await?;
        let got = page.len() as i64;
        all.extend(page);
        offset += DRAFT_PAGE;
        if got < DRAFT_PAGE || offset >= total {
            break;
        }
    }
    all.sort_by_key(|d| d.id);
    Ok(all)
}

async fn drafts<W: Write + Seek>(
    db: &SqlStorage,
    zip: &mut ArchiveWriter<W>,
    ids: &mut BodyIds,
    body_id: i64,
    settings: Settings,
) -> Result<(), ArchiveError> {
    let drafts = all_drafts(db, body_id).await?;
    zip.add_table("drafts/drafts", &drafts)?;
    for draft in &drafts {
        ids.add("draft", draft.id);
        let dir = names::draft_dir(draft.id, &draft.title);
        let versions = db.list_versions(draft.id).await?;
        let rounds = db.list_rounds(draft.id).await?;
        let consultations = db.list_consultations(draft.id).await?;
        let mut responses = Vec::new();
        for consultation in &consultations {
            ids.add("consultation", consultation.id);
            ids.add("consultation_id", consultation.id);
            responses.push(json!({
                "consultation": consultation.id,
                "responses": db.list_responses(consultation.id, None).await?,
            }));
        }
        for round in &rounds {
            ids.add("round", round.id);
        }
        zip.add_json(
            &format!("{dir}/draft.json"),
            &json!({
                "draft": draft,
                "transitions": db.list_transitions(draft.id).await?,
                "versions": versions,
            }),
        )?;
        zip.add_table(&format!("{dir}/versions"), &versions)?;
        if !rounds.is_empty() {
            zip.add_json(&format!("{dir}/consent-rounds.json"), &rounds)?;
        }
        if !consultations.is_empty() {
            zip.add_json(
                &format!("{dir}/consultations.json"),
                &json!({ "consultations": consultations, "responses": responses }),
            )?;
        }
        version_files(db, zip, ids, draft, &dir, &versions, settings).await?;
    }
    Ok(())
}

/// Every version as JSON, PDF and DOCX, and the comparison of each with the one before.
async fn version_files<W: Write + Seek>(
    db: &SqlStorage,
    zip: &mut ArchiveWriter<W>,
    ids: &mut BodyIds,
    draft: &Draft,
    dir: &str,
    versions: &[VersionInfo],
    settings: Settings,
) -> Result<(), ArchiveError> {
    let attribution = db.attribution(&draft.doc_id).await?;
    // the state of the version before, for the comparison
    let mut previous: Option<(VersionInfo, Vec<u8>)> = None;
    for info in versions {
        ids.add("version", info.id);
        let Some((info, state)) = db.version_state(draft.id, info.id).await? else {
            continue;
        };
        let consent = db.consent_record_of_version(info.id).await?;
        let base = |ext: &str| names::version_file(dir, info.id, ext);
        if state.len() > settings.max_render_bytes {
            zip.add_json(
                &base("json"),
                &json!({ "version": info, "consent": consent }),
            )?;
            let reason = format!(
                "the version is {} bytes, more than the render limit of {} bytes",
                state.len(),
                settings.max_render_bytes
            );
            zip.skip(&base("pdf"), reason.clone());
            zip.skip(&base("docx"), reason);
            previous = None;
            continue;
        }
        let title = format!("{} — {}", draft.title, info.name);
        let date = revision_date(info.created_at);
        match versions::document_blocks(&state) {
            Ok(mut blocks) => {
                zip.add_json(
                    &base("json"),
                    &json!({ "version": info, "consent": consent, "blocks": blocks }),
                )?;
                if let Some(record) = &consent {
                    blocks.extend(versions::endorsement::consent_blocks(record));
                }
                put_rendered(zip, &base("pdf"), versions::to_pdf(&blocks, &title))?;
                let docx = versions::to_docx_dated(&blocks, &title, date.as_deref());
                put_rendered(zip, &base("docx"), docx)?;
            }
            Err(error) => {
                zip.add_json(
                    &base("json"),
                    &json!({ "version": info, "consent": consent }),
                )?;
                zip.skip(&base("pdf"), error.to_string());
                zip.skip(&base("docx"), error.to_string());
            }
        }
        if let Some((from, old)) = &previous {
            let name = |ext: &str| names::comparison_file(dir, from.id, info.id, ext);
            match versions::compare(old, &state, &attribution) {
                Ok(comparison) => {
                    let title = format!("{}: {} → {}", draft.title, from.name, info.name);
                    zip.add_json(
                        &name("json"),
                        &json!({
                            "from": { "id": from.id, "name": from.name },
                            "to": { "id": info.id, "name": info.name },
                            "authors": comparison.authors(),
                            "blocks": comparison.blocks,
                        }),
                    )?;
                    put_rendered(
                        zip,
                        &name("pdf"),
                        versions::to_pdf(&comparison.blocks, &title),
                    )?;
                    let docx = versions::to_docx_dated(&comparison.blocks, &title, date.as_deref());
                    put_rendered(zip, &name("docx"), docx)?;
                }
                Err(error) => {
                    for ext in ["json", "pdf", "docx"] {
                        zip.skip(&name(ext), error.to_string());
                    }
                }
            }
        }
        previous = Some((info, state));
    }
    Ok(())
}

/// Adds a rendered document, or notes why it could not be rendered.
fn put_rendered<W: Write + Seek>(
    zip: &mut ArchiveWriter<W>,
    name: &str,
    rendered: Result<Vec<u8>, VersionError>,
) -> Result<(), ArchiveError> {
    match rendered {
        Ok(bytes) => zip.add(name, &bytes),
        Err(error) => {
            zip.skip(name, error.to_string());
            Ok(())
        }
    }
}

fn revision_date(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

async fn decisions<W: Write + Seek>(
    db: &SqlStorage,
    zip: &mut ArchiveWriter<W>,
    ids: &mut BodyIds,
    (body_id, body_name): (i64, &str),
) -> Result<(), ArchiveError> {
    let filter = crate::domain::decision::RegisterFilter {
        body: Some(body_id),
        ..Default::default()
    };
    let (decisions, _) = db
        .list_decisions(&Scope::All, &filter, None, (0, MAX_EXPORT_ROWS))
        .await?;
    for decision in &decisions {
        ids.add("decision", decision.id);
    }
    zip.add_json("decisions/decisions.json", &decisions)?;
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(CSV_HEADER)?;
    for decision in &decisions {
        csv.write_record(csv_row(decision))?;
    }
    let bytes = csv
        .into_inner()
        .map_err(|e| ArchiveError::Encode(e.to_string()))?;
    zip.add("decisions/decisions.csv", &bytes)?;
    let title = format!("Besluitenlijst {body_name}");
    put_rendered(
        zip,
        "decisions/decisions.pdf",
        versions::dossier::pdf::render(&versions::register::blocks(&title, &decisions))
            .map_err(VersionError::from),
    )?;
    let (requests, _) = db
        .list_decision_requests(body_id, None, (0, MAX_REQUESTS))
        .await?;
    for request in &requests {
        ids.add("decision_request", request.id);
    }
    zip.add_table("decisions/requests", &requests)
}

async fn governance<W: Write + Seek>(
    db: &SqlStorage,
    zip: &mut ArchiveWriter<W>,
    ids: &mut BodyIds,
    body_id: i64,
) -> Result<(), ArchiveError> {
    let agreements = db.list_role_agreements(body_id).await?;
    let mut sign_offs = Vec::new();
    for agreement in &agreements {
        ids.add("role_agreement", agreement.id);
        for sign_off in db.sign_off_history(agreement.id).await? {
            let mut row = serde_json::to_value(&sign_off)?;
            if let Value::Object(map) = &mut row {
                map.insert("role_agreement_id".into(), agreement.id.into());
            }
            sign_offs.push(row);
        }
    }
    zip.add_table("role-agreements/role-agreements", &agreements)?;
    zip.add_table("role-agreements/sign-offs", &sign_offs)?;

    let milestones = db
        .list_milestones(body_id, MilestoneFilter::default())
        .await?;
    let mut details = Vec::new();
    let mut history = Vec::new();
    for milestone in &milestones {
        ids.add("milestone", milestone.id);
        if let Some(detail) = db.milestone_detail(milestone.id).await? {
            for change in &detail.history {
                let mut row = serde_json::to_value(change)?;
                if let Value::Object(map) = &mut row {
                    map.insert("milestone_id".into(), milestone.id.into());
                }
                history.push(row);
            }
            details.push(detail);
        }
    }
    zip.add_table("milestones/milestones", &milestones)?;
    zip.add_json("milestones/details.json", &details)?;
    zip.add_table("milestones/history", &history)?;

    let lines = db.list_action_lines(body_id).await?;
    for line in &lines {
        ids.add("action_line", line.id);
    }
    zip.add_table("action-lines/action-lines", &lines)
}

async fn disputes<W: Write + Seek>(
    db: &SqlStorage,
    zip: &mut ArchiveWriter<W>,
    ids: &mut BodyIds,
    body_id: i64,
) -> Result<(), ArchiveError> {
    let disputes = db.list_disputes(body_id, false).await?;
    zip.add_table("disputes/disputes", &disputes)?;
    for dispute in &disputes {
        ids.add("dispute", dispute.id);
        let Some(dossier) = db.dossier(dispute.id).await? else {
            continue;
        };
        let dir = format!("disputes/{}", dispute.id);
        zip.add_json(&format!("{dir}/dossier.json"), &dossier)?;
        let blocks = versions::dossier::blocks(&dossier);
        put_rendered(
            zip,
            &format!("{dir}/dossier.pdf"),
            versions::dossier::pdf::render(&blocks).map_err(VersionError::from),
        )?;
        put_rendered(
            zip,
            &format!("{dir}/dossier.docx"),
            versions::dossier::docx::render(&blocks),
        )?;
    }
    Ok(())
}

async fn meetings<W: Write + Seek>(
    db: &SqlStorage,
    zip: &mut ArchiveWriter<W>,
    ids: &mut BodyIds,
    body_id: i64,
) -> Result<(), ArchiveError> {
    let meetings = db.list_body_meetings(body_id, None).await?;
    zip.add_table("meetings/meetings", &meetings)?;
    for meeting in &meetings {
        ids.add("meeting", meeting.id);
        let Some(detail) = db.meeting_detail(meeting.id).await? else {
            continue;
        };
        let dir = format!("meetings/{}", meeting.id);
        zip.add_json(&format!("{dir}/meeting.json"), &detail)?;
        zip.add_table(&format!("{dir}/agenda"), &detail.agenda)?;
        for pack in &detail.packs {
            for (docx, ext) in [(false, "pdf"), (true, "docx")] {
                if let Some(file) = db.pack_file(pack.id, docx).await? {
                    zip.add(&format!("{dir}/packs/{}.{ext}", pack.id), &file.bytes)?;
                }
            }
        }
    }
    Ok(())
}

/// The body's audit entries as JSON and CSV, and the head of the whole chain.
async fn audit<W: Write + Seek>(
    db: &SqlStorage,
    zip: &mut ArchiveWriter<W>,
    ids: &BodyIds,
) -> Result<AuditHead, ArchiveError> {
    let chain = db.audit_chain().await?;
    let verified = crate::domain::audit_chain::verify(&chain);
    let head = chain.last();
    let head = AuditHead {
        head_hash: head.map(|e| e.hash.clone()),
        head_id: head.map(|e| e.id),
        entries: chain.len(),
        verified: verified.is_ok(),
        problem: verified.err().map(|broken| broken.to_string()),
    };
    let rows: Vec<AuditRow> = chain
        .into_iter()
        .filter_map(|entry| {
            let subject: Value = serde_json::from_str(&entry.subject).unwrap_or(Value::Null);
            ids.concerns(&subject).then_some(AuditRow {
                id: entry.id,
                at: entry.at,
                actor: entry.actor,
                actor_party: entry.actor_party,
                action: entry.action,
                subject,
                prev_hash: entry.prev_hash,
                hash: entry.hash,
            })
        })
        .collect();
    zip.add_table("audit/audit", &rows)?;
    Ok(head)
}

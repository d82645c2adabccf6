//! The web client at `/`: the built client (`client/dist`), or `--static-dir` (an override while
//! developing).
//!
//! A release build carries the files in the binary: [`BuiltClient`] derives `rust_embed::Embed`
//! over `client/dist`, and `server/build.rs` makes a release build run again when that folder
//! changes. A build with debug assertions serves the source tree's `client/dist` from disk
//! ([`SOURCE_DIST`], the same way as `--static-dir`), so a client rebuild needs no server rebuild
//! and a client built after the server (as the test suite does) is served. (`rust-embed`'s own
//! run-time mode is not used for this: it compares each file's resolved path with the folder's
//! path as written when the server was compiled, and when the folder did not exist yet that
//! path still holds `server/..`, so every file would be refused.) The folder may be missing when
//! the server is compiled (`allow_missing`): the server and its tests build before the client.
//!
//! Either way a path that names no file answers `index.html`, so deep links such as `/groups/1`
//! open the app; a missing file under `/assets/` answers 404 from the embedded files (an old
//! page asking for a file of an earlier build should fail, not get HTML). Without a built
//! client `/` answers 503 with a page that says how to build it, so the server still starts and
//! its tests still run before the client exists.
//!
//! Caching: the files under `/assets/` carry a content hash in their names and are immutable;
//! everything else (`index.html` first) is `no-cache`, revalidated with its `ETag` (the SHA-256
//! of the file, which `rust-embed` gives with every file). The security headers are added to
//! every answer by `super::finish`.

use std::convert::Infallible;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use rust_embed::{EmbeddedFile, RustEmbed};
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

use crate::state::AppState;

/// The built web client: `client/dist`, the output of `cd client && npm run build`.
#[derive(rust_embed::Embed)]
#[folder = "$POLDER_CLIENT_DIST"]
#[allow_missing = true]
pub struct BuiltClient;

/// Whether this build carries the client in the binary (builds without debug assertions);
/// others serve [`SOURCE_DIST`] from disk.
pub const EMBEDDED: bool = !cfg!(debug_assertions);

/// The source tree's `client/dist`, served from disk by builds that do not embed it; set by
/// `server/build.rs` as the resolved workspace directory followed by `client/dist`.
pub const SOURCE_DIST: &str = env!("POLDER_CLIENT_DIST");

/// A set of files derived with `rust_embed::Embed`, as plain functions so one router serves
/// [`BuiltClient`] and the tests serve their own folders.
#[derive(Clone, Copy)]
pub struct Files {
    get: fn(&str) -> Option<EmbeddedFile>,
    count: fn() -> usize,
}

impl Files {
    /// The files of `E`.
    pub fn of<E: RustEmbed>() -> Self {
        Self {
            get: E::get,
            count: || E::iter().count(),
        }
    }

    fn get(&self, path: &str) -> Option<EmbeddedFile> {
        (self.get)(path)
    }
}

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Files")
    }
}

/// Where the web client comes from.
#[derive(Debug, Clone)]
pub enum ClientSource {
    /// Files through `rust-embed`: in the binary, or read from their folder at run time.
    Embedded(Files),
    /// A directory holding `index.html` and `assets/`, read at run time (`--static-dir`).
    Directory(PathBuf),
}

impl ClientSource {
    /// What this build serves without `--static-dir`: [`BuiltClient`] in the binary, or in a
    /// build with debug assertions [`SOURCE_DIST`] from disk.
    pub fn built_in() -> Self {
        if EMBEDDED {
            Self::Embedded(Files::of::<BuiltClient>())
        } else {
            Self::Directory(PathBuf::from(SOURCE_DIST))
        }
    }

    /// `--static-dir` when given, else [`ClientSource::built_in`].
    pub fn configured(static_dir: Option<&Path>) -> Self {
        static_dir.map_or_else(Self::built_in, |dir| Self::Directory(dir.to_path_buf()))
    }

    /// Whether `index.html` is there to serve.
    pub fn has_index(&self) -> bool {
        match self {
            Self::Embedded(files) => files.get("index.html").is_some(),
            Self::Directory(dir) => dir.join("index.html").is_file(),
        }
    }

    /// Where the files come from, for the start-up log.
    pub fn describe(&self) -> String {
        match self {
            Self::Embedded(files) => {
                format!("built into the binary ({} files)", (files.count)())
            }
            Self::Directory(dir) if dir == Path::new(SOURCE_DIST) => {
                format!("from {SOURCE_DIST}, read at run time by this build")
            }
            Self::Directory(dir) => format!("from {}", dir.display()),
        }
    }
}

/// Serves the client from `source`, compressed, for every path the router does not know.
pub fn serve(router: Router<AppState>, source: ClientSource) -> Router<AppState> {
    match source {
        ClientSource::Embedded(files) => {
            let service = tower::service_fn(move |request: Request| {
                let response = embedded(files, request.method(), request.uri(), request.headers());
                std::future::ready(Ok::<_, Infallible>(response))
            });
            router.fallback_service(
                tower::ServiceBuilder::new()
                    .layer(CompressionLayer::new())
                    .service(service),
            )
        }
        ClientSource::Directory(dir) => {
            let index = dir.join("index.html");
            let files = tower::ServiceBuilder::new()
                .layer(CompressionLayer::new())
                .service(ServeDir::new(&dir).fallback(ServeFile::new(&index)));
            let files = tower::ServiceBuilder::new()
                .map_response(move |response: Response<_>| {
                    if response.status() == StatusCode::NOT_FOUND && !index.is_file() {
                        not_built()
                    } else {
                        response.map(Body::new)
                    }
                })
                .service(files);
            router.fallback_service(files)
        }
    }
}

/// The entity tag of a file: its SHA-256, quoted.
fn etag(file: &EmbeddedFile) -> String {
    format!("\"{}\"", hex::encode(file.metadata.sha256_hash()))
}

/// One answer from the embedded files.
fn embedded(files: Files, method: &Method, uri: &Uri, headers: &HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, HeaderValue::from_static("GET, HEAD"))],
        )
            .into_response();
    }
    let path = uri.path().trim_start_matches('/');
    let file = match files.get(path) {
        Some(file) => file,
        None if path.starts_with("assets/") => return not_found(),
        None => match files.get("index.html") {
            Some(index) => index,
            None => return not_built(),
        },
    };
    let etag = etag(&file);
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else if method == Method::HEAD {
        let mut response = Response::new(Body::empty());
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(file.data.len()));
        response
    } else {
        Response::new(Body::from(file.data))
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(file.metadata.mimetype()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    response
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, "no-store")],
        "not found",
    )
        .into_response()
}

/// The page served when no client was built: what to run.
const NOT_BUILT: &str = "<!doctype html>
<html lang=\"en\">
<head><meta charset=\"utf-8\"><title>Polder: the web client was not built</title></head>
<body>
<h1>The web client was not built</h1>
<p>This Polder server runs (the API answers under <code>/api/</code>), but it has no web client
to serve. Build the client, then the server, so the binary carries it:</p>
<pre>(cd client &amp;&amp; npm ci &amp;&amp; npm run build)
cargo build --release -p polder-server</pre>
<p>or run <code>scripts/run</code>, which does both. While developing, a debug build reads
<code>client/dist</code> at run time, and <code>polder serve --static-dir DIR</code> serves any
other directory.</p>
</body>
</html>
";

fn not_built() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        NOT_BUILT,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;
    use sha2::{Digest, Sha256};
    use tower::ServiceExt;

    /// A built client of three files, in `server/testdata/client`.
    #[derive(rust_embed::Embed)]
    #[folder = "testdata/client"]
    struct Fixture;

    /// A client that was never built: the folder does not exist.
    #[derive(rust_embed::Embed)]
    #[folder = "testdata/no-such-client"]
    #[allow_missing = true]
    struct NotBuilt;

    const INDEX: &[u8] = include_bytes!("../../testdata/client/index.html");

    fn quoted_sha256(bytes: &[u8]) -> String {
        format!("\"{}\"", hex::encode(Sha256::digest(bytes)))
    }

    async fn get(
        files: Files,
        method: Method,
        uri: &str,
        etag: Option<&str>,
    ) -> (StatusCode, HeaderMap, String) {
        let router: Router =
            Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap| {
                std::future::ready(embedded(files, &method, &uri, &headers))
            });
        let mut request = axum::http::Request::builder().method(method).uri(uri);
        if let Some(etag) = etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        let response = router
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn the_app_answers_its_own_routes_and_files() {
        let files = Files::of::<Fixture>();
        for path in ["/", "/index.html", "/groups/1", "/drafts/advies-1?x=1"] {
            let (status, headers, body) = get(files, Method::GET, path, None).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(body.as_bytes(), INDEX, "{path}");
            assert_eq!(headers[header::CONTENT_TYPE], "text/html", "{path}");
            assert_eq!(
                headers[header::ETAG],
                quoted_sha256(INDEX).as_str(),
                "{path}"
            );
        }
        let (status, headers, body) =
            get(files, Method::GET, "/assets/index-abc123.js", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "console.log('polder')");
        assert!(headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("javascript"));
        let (status, headers, _) = get(files, Method::GET, "/favicon.svg", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "image/svg+xml");
    }

    #[tokio::test]
    async fn no_path_reaches_outside_the_client() {
        let files = Files::of::<Fixture>();
        // `testdata/client/../../Cargo.toml` is the server's own manifest
        for path in ["/../../Cargo.toml", "/assets/../../../Cargo.toml"] {
            let (status, _, body) = get(files, Method::GET, path, None).await;
            assert!(!body.contains("[package]"), "{path}: {status}");
        }
    }

    #[tokio::test]
    async fn a_missing_asset_is_404_and_nothing_is_written() {
        let files = Files::of::<Fixture>();
        let (status, headers, _) = get(files, Method::GET, "/assets/index-old.js", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        let (status, headers, _) = get(files, Method::POST, "/groups/1", None).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(headers[header::ALLOW], "GET, HEAD");
    }

    #[tokio::test]
    async fn head_and_revalidation() {
        let files = Files::of::<Fixture>();
        let (status, headers, body) = get(files, Method::HEAD, "/groups/1", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.is_empty());
        assert_eq!(
            headers[header::CONTENT_LENGTH],
            INDEX.len().to_string().as_str()
        );
        let index = quoted_sha256(INDEX);
        let (status, _, body) = get(files, Method::GET, "/", Some(&index)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        assert!(body.is_empty());
        let (status, _, _) = get(
            files,
            Method::GET,
            "/",
            Some(&format!("\"other\", {index}")),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        let js = quoted_sha256(b"console.log('polder')");
        let (status, _, _) = get(files, Method::GET, "/", Some(&format!("\"other\", {js}"))).await;
        assert_eq!(status, StatusCode::OK);
    }

    #[tokio::test]
    async fn without_a_built_client_the_page_says_how_to_build_it() {
        let (status, headers, body) =
            get(Files::of::<NotBuilt>(), Method::GET, "/groups/1", None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert!(body.contains("npm run build"), "{body}");
        assert!(!ClientSource::Embedded(Files::of::<NotBuilt>()).has_index());
        assert!(ClientSource::Embedded(Files::of::<Fixture>()).has_index());
    }

    #[test]
    fn static_dir_overrides_the_built_in_client() {
        let source = ClientSource::configured(Some(Path::new("/srv/polder")));
        assert!(matches!(source, ClientSource::Directory(dir) if dir == Path::new("/srv/polder")));
        if EMBEDDED {
            assert!(matches!(
                ClientSource::configured(None),
                ClientSource::Embedded(_)
            ));
        }
        let described = ClientSource::configured(None).describe();
        if EMBEDDED {
            assert!(
                described.starts_with("built into the binary"),
                "{described}"
            );
        } else {
            assert!(described.contains("client/dist"), "{described}");
        }
    }

    #[test]
    fn a_debug_build_serves_the_client_built_after_it() {
        // the folder as the server was compiled may not have existed: it must be a plain
        // absolute path without `..`, or files below it would not be found under it
        let dist = Path::new(SOURCE_DIST);
        assert!(dist.is_absolute(), "{SOURCE_DIST}");
        assert!(
            dist.components()
                .all(|c| !matches!(c, std::path::Component::ParentDir)),
            "{SOURCE_DIST}"
        );
        assert!(dist.ends_with("client/dist"), "{SOURCE_DIST}");
        if !EMBEDDED {
            assert!(
                matches!(ClientSource::built_in(), ClientSource::Directory(dir) if dir == dist)
            );
        }
    }
}

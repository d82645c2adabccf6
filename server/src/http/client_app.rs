//! The web client at `/`: built into the binary, read from the source tree's `client/dist`
//! (builds that do not embed it), or from `--static-dir` (an override while developing).
//!
//! `server/build.rs` decides at build time: release builds embed `client/dist`; other builds
//! (and `POLDER_EMBED_CLIENT=0`) name the directory and read it at run time, so a client rebuild
//! needs no server rebuild. Either way a path that names no file answers `index.html`, so deep
//! links such as `/groups/1` open the app; a missing file under `/assets/` answers 404 (an old
//! page asking for a file of an earlier build should fail, not get HTML). Without a built client
//! `/` answers 503 with a page that says how to build it, so the server still starts and its
//! tests still run before the client exists.
//!
//! Caching: the files under `/assets/` carry a content hash in their names and are immutable;
//! everything else (`index.html` first) is `no-cache`, revalidated with its `ETag`. The security
//! headers are added to every answer by `super::finish`.

use std::convert::Infallible;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

use crate::state::AppState;

/// One file of the built client, embedded by `server/build.rs`.
#[derive(Debug)]
pub struct EmbeddedFile {
    /// Path below `client/dist`, with `/` separators (`index.html`, `assets/index-abc.js`).
    pub path: &'static str,
    /// The file's bytes.
    pub bytes: &'static [u8],
    /// Entity tag: a hash of the bytes, quoted.
    pub etag: &'static str,
}

mod generated {
    use super::EmbeddedFile;
    include!(concat!(env!("OUT_DIR"), "/client_files.rs"));
}

/// Where the web client comes from.
#[derive(Debug, Clone)]
pub enum ClientSource {
    /// Files built into the binary, sorted by path.
    Embedded(&'static [EmbeddedFile]),
    /// A directory holding `index.html` and `assets/`, read at run time.
    Directory(PathBuf),
}

impl ClientSource {
    /// What this build serves without `--static-dir`: the embedded client, or the source tree's
    /// `client/dist` in builds that do not embed it.
    pub fn built_in() -> Self {
        if generated::EMBEDDED {
            Self::Embedded(generated::FILES)
        } else {
            Self::Directory(PathBuf::from(generated::SOURCE_DIST))
        }
    }

    /// `--static-dir` when given, else [`ClientSource::built_in`].
    pub fn configured(static_dir: Option<&Path>) -> Self {
        static_dir.map_or_else(Self::built_in, |dir| Self::Directory(dir.to_path_buf()))
    }

    /// Whether `index.html` is there to serve.
    pub fn has_index(&self) -> bool {
        match self {
            Self::Embedded(files) => find(files, "index.html").is_some(),
            Self::Directory(dir) => dir.join("index.html").is_file(),
        }
    }

    /// Where the files come from, for the start-up log.
    pub fn describe(&self) -> String {
        match self {
            Self::Embedded(files) => format!("built into the binary ({} files)", files.len()),
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

fn find(files: &'static [EmbeddedFile], path: &str) -> Option<&'static EmbeddedFile> {
    files
        .binary_search_by(|file| file.path.cmp(path))
        .ok()
        .and_then(|i| files.get(i))
}

/// One answer from the embedded files.
fn embedded(
    files: &'static [EmbeddedFile],
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, HeaderValue::from_static("GET, HEAD"))],
        )
            .into_response();
    }
    let path = uri.path().trim_start_matches('/');
    let file = match find(files, path) {
        Some(file) => file,
        None if path.starts_with("assets/") => return not_found(),
        None => match find(files, "index.html") {
            Some(index) => index,
            None => return not_built(),
        },
    };
    let mime = mime_guess::from_path(file.path).first_or_octet_stream();
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim() == file.etag || t.trim() == "*")
        }) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if method == Method::HEAD {
        let mut response = Response::new(Body::empty());
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(file.bytes.len()));
        response
    } else {
        Response::new(Body::from(file.bytes))
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(mime.as_ref()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::ETAG, HeaderValue::from_static(file.etag));
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
    use tower::ServiceExt;

    static FILES: &[EmbeddedFile] = &[
        EmbeddedFile {
            path: "assets/index-abc123.js",
            bytes: b"console.log('polder')",
            etag: "\"js\"",
        },
        EmbeddedFile {
            path: "favicon.svg",
            bytes: b"<svg/>",
            etag: "\"svg\"",
        },
        EmbeddedFile {
            path: "index.html",
            bytes: b"<!doctype html><title>Polder</title>",
            etag: "\"index\"",
        },
    ];

    async fn get(
        files: &'static [EmbeddedFile],
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
        for path in ["/", "/index.html", "/groups/1", "/drafts/advies-1?x=1"] {
            let (status, headers, body) = get(FILES, Method::GET, path, None).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(body, "<!doctype html><title>Polder</title>", "{path}");
            assert_eq!(headers[header::CONTENT_TYPE], "text/html", "{path}");
            assert_eq!(headers[header::ETAG], "\"index\"", "{path}");
        }
        let (status, headers, body) =
            get(FILES, Method::GET, "/assets/index-abc123.js", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "console.log('polder')");
        assert!(headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("javascript"));
        let (status, headers, _) = get(FILES, Method::GET, "/favicon.svg", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "image/svg+xml");
    }

    #[tokio::test]
    async fn a_missing_asset_is_404_and_nothing_is_written() {
        let (status, headers, _) = get(FILES, Method::GET, "/assets/index-old.js", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        let (status, headers, _) = get(FILES, Method::POST, "/groups/1", None).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(headers[header::ALLOW], "GET, HEAD");
    }

    #[tokio::test]
    async fn head_and_revalidation() {
        let (status, headers, body) = get(FILES, Method::HEAD, "/groups/1", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.is_empty());
        assert_eq!(headers[header::CONTENT_LENGTH], "36");
        let (status, _, body) = get(FILES, Method::GET, "/", Some("\"index\"")).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        assert!(body.is_empty());
        let (status, _, _) = get(FILES, Method::GET, "/", Some("\"other\", \"js\"")).await;
        assert_eq!(status, StatusCode::OK);
    }

    #[tokio::test]
    async fn without_a_built_client_the_page_says_how_to_build_it() {
        let (status, headers, body) = get(&[], Method::GET, "/groups/1", None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert!(body.contains("npm run build"), "{body}");
        assert!(!ClientSource::Embedded(&[]).has_index());
        assert!(ClientSource::Embedded(FILES).has_index());
    }

    #[test]
    fn static_dir_overrides_the_built_in_client() {
        let source = ClientSource::configured(Some(Path::new("/srv/polder")));
        assert!(matches!(source, ClientSource::Directory(dir) if dir == Path::new("/srv/polder")));
        assert!(matches!(
            (ClientSource::configured(None), generated::EMBEDDED),
            (ClientSource::Embedded(_), true) | (ClientSource::Directory(_), false)
        ));
    }
}

//! The unmodified npm y-websocket client (`WebsocketProvider`, run by Node) against the server.
//!
//! The test setup installs it: `tests/node` holds its package.json and lock file, and the
//! project's test command runs `npm ci` there first. Without Node or the installed packages the
//! test fails and says so, rather than passing without running.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(the_npm_y_websocket_client_syncs);

fn node_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node")
}

async fn the_npm_y_websocket_client_syncs(backend: Backend) {
    let dir = node_dir();
    assert!(
        dir.join("node_modules/y-websocket").exists(),
        "y-websocket is not installed: run `npm ci --prefix tests/node` (the project's test script does this)"
    );
    let app = TestApp::spawn(backend).await;
    let text = "Advies Beter pakketbeheer";
    let output = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::process::Command::new("node")
            .arg(dir.join("sync-check.mjs"))
            .arg(format!("ws://{}/ws", app.addr))
            .arg("npm-doc")
            .arg(&app.admin_token)
            .arg(text)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("node finishes")
    .expect("node runs (is Node.js installed?)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "node client failed\nstdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.contains("\"ok\":true"), "{stdout}");
    // the server stored what the npm clients wrote
    let rust_client = app.client("npm-doc").await;
    assert_eq!(rust_client.text(), format!("{text}!"));
    app.stop().await;
}

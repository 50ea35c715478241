//! The load and fault checks of hardening, against a real build of the server in its own process
//! (`CAPTIONED_SERVER_BINARY`, a release build) and a database on disk that this check kills and
//! starts again. Run by `scripts/check-hardening.sh`; prints one table:
//! 1. load: five users upload eight photos each at once while the dashboard is asked for; every
//!    upload accepted, every photo captioned exactly once, p95 latencies;
//! 2. memory (a server that does not caption): the worst accepted uploads (49-megapixel PNGs) and decoder bombs (a GIF whose
//!    10 x 10 canvas hides a 10000 x 10000 frame) from four users at once: the server's peak;
//! 3. fault: the database killed in the middle of three 14 MB uploads and started again: orphans
//!    before and after the sweep, and whether every accepted photo is whole.

#[path = "../tests/api/helpers.rs"]
mod helpers;

use std::time::{Duration, Instant};

use bson::doc;
use helpers::{DatabaseServer, ServerProcess, TestApp};
use reqwest::StatusCode;

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

async fn client_of(server: &ServerProcess, port: u16, uri: &str, database: &str) -> TestApp {
    let db = app::ssr::db::connect(uri, database).await.unwrap();
    TestApp { address: server.address.clone(), port, client: helpers::browser_like_client(), db }
}

#[tokio::main]
async fn main() {
    let storage = std::env::temp_dir().join(format!("captioned-hardening-{}", std::process::id()));
    std::fs::create_dir_all(&storage).unwrap();
    let mut database = DatabaseServer::on_disk(&storage).await;
    // The server process and the helpers both take the database from MONGODB_URI.
    std::env::set_var("MONGODB_URI", database.uri());
    let decodes_at_once = 2;
    let mut rows: Vec<(String, String)> = Vec::new();

    // 1. Load.
    let name = helpers::fresh_database_name();
    let port = helpers::free_port();
    let server = ServerProcess::start(port, &name, &[("CAPTION_WORKERS", "2"), ("UPLOAD_DECODES_AT_ONCE", "2")]);
    server.wait_until_healthy().await;
    let app = client_of(&server, port, &database.uri(), &name).await;
    let mut users = Vec::new();
    for _ in 0..5 {
        users.push(app.another_client().signed_up().await);
    }
    let watcher = app.another_client().signed_up().await;
    let photos = helpers::fixture_photos(8);
    let uploads = futures::future::join_all(users.iter().flat_map(|user| {
        photos.iter().map(move |(name, bytes)| async move {
            let started = Instant::now();
            let status = user.upload(name, bytes.clone()).await.status();
            (status, started.elapsed().as_secs_f64() * 1000.0)
        })
    }));
    let dashboard = async {
        let mut latencies = Vec::new();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            let asked = Instant::now();
            watcher.get("/dashboard").await;
            latencies.push(asked.elapsed().as_secs_f64() * 1000.0);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        latencies
    };
    let (results, mut dashboard_ms) = tokio::join!(uploads, dashboard);
    let accepted = results.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    let mut upload_ms: Vec<f64> = results.iter().map(|(_, ms)| *ms).collect();
    let docs = helpers::wait_until_captioned(&app.db, Duration::from_secs(900)).await;
    let once = docs.iter().filter(|d| helpers::job(d).get_i32("completions") == Ok(1)).count();
    rows.push(("uploads accepted (5 users x 8 photos at once)".into(), format!("{accepted} of {}", results.len())));
    rows.push(("photos captioned exactly once".into(), format!("{once} of {}", docs.len())));
    rows.push(("upload p95 (while captioning)".into(), format!("{:.0} ms", percentile(&mut upload_ms, 0.95))));
    rows.push(("dashboard p95 (during the uploads)".into(), format!("{:.0} ms", percentile(&mut dashboard_ms, 0.95))));
    rows.push((
        "server memory peak, loading and captioning".into(),
        format!("{:.0} MB", helpers::peak_memory_mb(server.pid())),
    ));
    drop(server);

    // 2. Memory under the worst accepted uploads and bombs: a server of its own that only serves
    // (no caption model), so that its peak is the uploads' alone.
    let name = helpers::fresh_database_name();
    let port = helpers::free_port();
    let server = ServerProcess::start(port, &name, &[("CAPTION_WORKERS", "0"), ("UPLOAD_DECODES_AT_ONCE", "2")]);
    server.wait_until_healthy().await;
    let app = client_of(&server, port, &database.uri(), &name).await;
    let idle = helpers::peak_memory_mb(server.pid());
    let results = helpers::upload_worst_files(&app).await;
    let big_ok = results.iter().filter(|(n, s)| n.starts_with("big") && *s == StatusCode::CREATED).count();
    let bombs_refused =
        results.iter().filter(|(n, s)| n.starts_with("bomb") && *s == StatusCode::UNPROCESSABLE_ENTITY).count();
    let peak = helpers::peak_memory_mb(server.pid());
    let bound = helpers::upload_memory_bound_mb(idle, decodes_at_once, 8);
    rows.push((
        "49-megapixel PNGs accepted / GIF bombs refused".into(),
        format!("{big_ok} of 8 / {bombs_refused} of 8"),
    ));
    rows.push(("server memory: idle → peak (bound)".into(), format!("{idle:.0} → {peak:.0} MB ({bound:.0} MB)")));
    drop(server);

    // 3. The database killed in the middle of large uploads.
    let name = helpers::fresh_database_name();
    let port = helpers::free_port();
    let server = ServerProcess::start(port, &name, &[("CAPTION_WORKERS", "0")]);
    server.wait_until_healthy().await;
    let app = client_of(&server, port, &database.uri(), &name).await.signed_up().await;
    let kept = app.upload("kept.jpg", helpers::fixture_photos(1).remove(0).1).await.status();
    let large: Vec<Vec<u8>> = (0..3).map(helpers::noise_png).collect();
    let uploads = futures::future::join_all(large.iter().enumerate().map(|(i, bytes)| {
        let app = &app;
        async move { app.upload(&format!("large-{i}.png"), bytes.clone()).await.status() }
    }));
    let chunks = app.db.collection::<bson::Document>("photos.chunks");
    let killer = async {
        let started = Instant::now();
        while chunks.count_documents(doc! {}).await.unwrap_or(0) < 20 && started.elapsed() < Duration::from_secs(60) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        database.kill();
    };
    let (statuses, ()) = tokio::join!(uploads, killer);
    database.restart().await;
    let db = app::ssr::db::connect(&database.uri(), &name).await.unwrap();
    let before = helpers::count_orphans(&db).await;
    let swept = app::ssr::photos::sweep_orphans(&db, Duration::ZERO).await.unwrap();
    let after = helpers::count_orphans(&db).await;
    let stored = helpers::photo_docs(&db).await.len();
    let accepted = std::iter::once(&kept).chain(&statuses).filter(|s| **s == StatusCode::CREATED).count();
    rows.push(("uploads answered while the database died (one stored before)".into(), format!("{statuses:?}")));
    rows.push((
        "orphans after the kill: files, chunks".into(),
        format!("{} files, {} chunks (swept {} files, {} chunks)", before.0, before.1, swept.files, swept.chunks),
    ));
    rows.push(("orphans after the sweep".into(), format!("{} files, {} chunks", after.0, after.1)));
    rows.push((
        "accepted photos stored and whole".into(),
        format!("{stored} of {accepted}, {} damaged files", helpers::damaged_files(&db).await),
    ));
    drop(server);
    drop(database);
    let _ = std::fs::remove_dir_all(&storage);

    println!("\n| check | result |\n| --- | --- |");
    for (check, result) in rows {
        println!("| {check} | {result} |");
    }
}

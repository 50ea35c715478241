//! Nothing is lost when the server dies: the real `server` binary is killed with SIGKILL while
//! caption jobs run, started again, and every photo still ends up captioned exactly once.

use std::time::{Duration, Instant};

use crate::helpers::{self, fixture_photos, job, photo_docs, wait_until_captioned, ServerProcess, TestApp};

/// The server binary with two caption workers on `database`.
fn start_server(port: u16, database: &str) -> ServerProcess {
    ServerProcess::start(port, database, &[("CAPTION_WORKERS", "2"), ("CAPTION_LEASE_SECONDS", "5")])
}

#[tokio::test]
async fn a_server_killed_mid_caption_loses_nothing_and_captions_each_photo_once() {
    let database = helpers::fresh_database_name();
    let port = helpers::free_port();
    let address = format!("http://127.0.0.1:{port}");
    let mut server = start_server(port, &database);
    server.wait_until_healthy().await;
    let db = app::ssr::db::connect(&helpers::mongodb_uri(), &database).await.unwrap();
    let app = TestApp { address: address.clone(), port, client: helpers::browser_like_client(), db: db.clone() }
        .signed_up()
        .await;
    for (name, bytes) in fixture_photos(8) {
        app.upload_ok(&name, bytes).await;
    }

    // Kill it the moment a caption is being written.
    let started = Instant::now();
    let running = loop {
        let running: Vec<_> =
            photo_docs(&db).await.into_iter().filter(|d| job(d).get_str("state") == Ok("running")).collect();
        if !running.is_empty() {
            break running;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no caption job started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    server.kill();
    let interrupted: Vec<_> = running.iter().map(|d| d.get_object_id("_id").unwrap()).collect();
    let docs = photo_docs(&db).await;
    let unfinished = docs.iter().filter(|d| job(d).get_str("state") != Ok("done")).count();
    assert!(unfinished > 0, "the kill came while work was left");

    // A new process takes over once the dead one's leases run out.
    let mut restarted = start_server(port, &database);
    restarted.wait_until_healthy().await;
    let docs = wait_until_captioned(&db, Duration::from_secs(300)).await;
    restarted.kill();

    assert_eq!(docs.len(), 8);
    for photo in &docs {
        let job = job(photo);
        assert_eq!(job.get_str("state").unwrap(), "done", "{photo}");
        assert_eq!(job.get_i32("completions").unwrap(), 1, "captioned exactly once: {photo}");
        assert!(!photo.get_str("caption").unwrap().is_empty());
    }
    // The jobs that were running when the process died were claimed a second time, unless
    // their caption was stored in the instant before the kill.
    let retried = docs
        .iter()
        .filter(|d| interrupted.contains(&d.get_object_id("_id").unwrap()) && job(d).get_i32("attempts").unwrap() >= 2)
        .count();
    println!(
        "{} unfinished at the kill, {retried} of {} interrupted jobs claimed again",
        unfinished,
        interrupted.len()
    );
}

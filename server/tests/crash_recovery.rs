//! Nothing is lost when the server dies: the real `server` binary is killed with SIGKILL while
//! caption jobs run, started again, and every photo still ends up captioned exactly once.

mod common;

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use common::{flickr8k_photos, job, photo_docs, wait_until_captioned, TestApp};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts the server binary on `port` with its own database and two caption workers.
fn start_server(port: u16, database: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .env("LEPTOS_OUTPUT_NAME", "captioned")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("MONGODB_URI", common::mongodb_uri())
        .env("MONGODB_DATABASE", database)
        .env("CAPTION_WORKERS", "2")
        .env("CAPTION_LEASE_SECONDS", "5")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("the server binary starts")
}

async fn wait_until_healthy(address: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if reqwest::get(format!("{address}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server at {address} did not become healthy");
}

#[tokio::test]
async fn a_server_killed_mid_caption_loses_nothing_and_captions_each_photo_once() {
    let database = common::fresh_database_name();
    let port = free_port();
    let address = format!("http://127.0.0.1:{port}");
    let mut server = start_server(port, &database);
    wait_until_healthy(&address).await;
    let db = app::ssr::db::connect(&common::mongodb_uri(), &database).await.unwrap();
    let app = TestApp { address: address.clone(), port, client: common::browser_like_client(), db: db.clone() }.signed_up().await;
    for (name, bytes) in flickr8k_photos(8) {
        app.upload_ok(&name, bytes).await;
    }

    // Kill it the moment a caption is being written.
    let started = Instant::now();
    let running = loop {
        let running: Vec<_> = photo_docs(&db).await.into_iter().filter(|d| job(d).get_str("state") == Ok("running")).collect();
        if !running.is_empty() {
            break running;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no caption job started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    server.kill().expect("SIGKILL");
    server.wait().unwrap();
    let interrupted: Vec<_> = running.iter().map(|d| d.get_object_id("_id").unwrap()).collect();
    let docs = photo_docs(&db).await;
    let unfinished = docs.iter().filter(|d| job(d).get_str("state") != Ok("done")).count();
    assert!(unfinished > 0, "the kill came while work was left");

    // A new process takes over once the dead one's leases run out.
    let mut restarted = start_server(port, &database);
    wait_until_healthy(&address).await;
    let docs = wait_until_captioned(&db, Duration::from_secs(300)).await;
    restarted.kill().unwrap();
    restarted.wait().unwrap();

    assert_eq!(docs.len(), 8);
    for photo in &docs {
        let job = job(photo);
        assert_eq!(job.get_str("state").unwrap(), "done", "{photo}");
        assert_eq!(job.get_i32("completions").unwrap(), 1, "captioned exactly once: {photo}");
        assert!(!photo.get_str("caption").unwrap().is_empty());
    }
    // The jobs that were running when the process died were claimed a second time, unless
    // their caption was stored in the instant before the kill.
    let retried = docs.iter().filter(|d| interrupted.contains(&d.get_object_id("_id").unwrap()) && job(d).get_i32("attempts").unwrap() >= 2).count();
    println!("{} unfinished at the kill, {retried} of {} interrupted jobs claimed again", unfinished, interrupted.len());
}

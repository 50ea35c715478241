//! What an attacker tries, against the real app and database: script injection through stored
//! text, security headers, malformed requests, lookalike usernames, password guessing from
//! elsewhere, upload bombs and memory, half-stored uploads after a database crash.

use std::time::Duration;

use app::ssr::photos;
use bson::{doc, oid::ObjectId, Document};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{self, fixture_photos, DatabaseServer, ServerProcess, TestApp};

fn unique(prefix: &str) -> String {
    format!("{prefix}{}", ObjectId::new().to_hex())
}

const PAYLOAD: &str = "</textarea><img src=x onerror=alert(1)><textarea>";

#[tokio::test]
async fn a_stored_caption_is_escaped_on_the_photo_page_and_in_the_gallery() {
    let app = helpers::spawn_app().await.signed_up().await;
    let (_, bytes) = fixture_photos(1).remove(0);
    let id = app.upload_ok("</title><script>alert(2)</script>.jpg", bytes).await;
    let res = app.post_form("/api/set_caption", &[("id", &id), ("caption", PAYLOAD)]).await;
    assert!(res.status().is_success(), "{}", res.status());
    for page in [format!("/photos/{id}"), "/dashboard".to_owned()] {
        let html = app.get(&page).await.text().await.unwrap();
        let around = |needle: &str| {
            html.find(needle).map(|at| html[at.saturating_sub(200)..(at + 100).min(html.len())].to_owned())
        };
        assert_eq!(around("<img src=x"), None, "{page} carries the payload as markup");
        assert_eq!(around("<script>alert(2)"), None, "{page} carries the file name as markup");
        assert_eq!(around("</title><script"), None, "{page}: the file name ends the title");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;") || !html.contains("onerror"), "{page}");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = helpers::spawn_app().await;
    let page = app.get("/login").await;
    let header = |res: &reqwest::Response, name: &str| res.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
    let csp = header(&page, "content-security-policy").expect("a page has a CSP");
    let html_nonce = {
        let html = page.text().await.unwrap();
        let at = html.find("nonce=\"").expect("the page's scripts carry a nonce") + 7;
        html[at..at + html[at..].find('"').unwrap()].to_owned()
    };
    assert!(csp.contains(&format!("'nonce-{html_nonce}'")), "the policy allows exactly this page's nonce: {csp}");
    assert!(
        !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"),
        "{csp}"
    );
    let again = app.get("/login").await;
    assert_ne!(header(&again, "content-security-policy").unwrap(), csp, "a fresh nonce for every response");

    for res in [app.get("/login").await, app.get("/healthz").await, app.get("/nothing-here").await] {
        assert_eq!(header(&res, "x-content-type-options").as_deref(), Some("nosniff"));
        assert_eq!(header(&res, "x-frame-options").as_deref(), Some("DENY"));
        assert_eq!(header(&res, "referrer-policy").as_deref(), Some("strict-origin-when-cross-origin"));
        assert!(header(&res, "permissions-policy").unwrap().contains("camera=()"));
        assert!(header(&res, "content-security-policy").unwrap().contains("frame-ancestors 'none'"));
        assert!(header(&res, "strict-transport-security").is_none(), "no HSTS over plain HTTP");
    }
    assert!(header(&app.get("/healthz").await, "content-security-policy").unwrap().starts_with("default-src 'none'"));

    // Logged in: pages and data are never stored by a cache; images keep their private caching.
    let app = app.signed_up().await;
    assert_eq!(header(&app.get("/dashboard").await, "cache-control").as_deref(), Some("no-store"));
    assert_eq!(header(&app.post_form("/api/list_photos", &[]).await, "cache-control").as_deref(), Some("no-store"));
    let id = app.upload_ok("a.jpg", fixture_photos(1).remove(0).1).await;
    assert!(header(&app.media(&id, "thumb").await, "cache-control").unwrap().starts_with("private"));
    // What is not a page or data (here the plain-text health check; the site's wasm, JS and CSS
    // likewise) stays cacheable.
    assert_eq!(header(&app.get("/healthz").await, "cache-control"), None);

    // Behind HTTPS, browsers are told to keep to it.
    let mut settings = helpers::settings(helpers::mongodb_uri(), Default::default());
    settings.public_origin = Some("https://photos.example.com".to_owned());
    let https = helpers::spawn_app_with(settings).await;
    assert!(header(&https.get("/login").await, "strict-transport-security").unwrap().contains("max-age="));
}

#[tokio::test]
async fn malformed_requests_get_400_with_a_generic_message() {
    let app = helpers::spawn_app().await;
    let post_raw = |body: Vec<u8>| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/api/login", app.address))
                .header("Origin", &app.address)
                .header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    for body in [
        b"email[$ne]=x&password=y".to_vec(),
        b"email=a@b.co&email=c@d.co&password=y".to_vec(),
        b"password=only".to_vec(),
        b"email=\xff\xfe&password=\xc3\x28".to_vec(),
    ] {
        let res = post_raw(body.clone()).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&body));
        let text = res.text().await.unwrap();
        // The error travels as its code, which the page says in the reader's language.
        assert!(text.contains("MalformedRequest"), "{text}");
        for internal in ["missing field", "invalid", "expected", "Args", "serde", "utf-8"] {
            assert!(!text.to_lowercase().contains(&internal.to_lowercase()), "leaks {internal:?}: {text}");
        }
    }
    // An upload that is not multipart, and one without its file.
    let uploader = app.another_client().signed_up().await;
    let res = uploader
        .client
        .post(format!("{}/api/photos", app.address))
        .header("Origin", &app.address)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = uploader
        .client
        .post(format!("{}/api/photos", app.address))
        .header("Origin", &app.address)
        .multipart(reqwest::multipart::Form::new().text("other", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "No file was sent.");
}

#[tokio::test]
async fn error_pages_carry_their_status_when_the_database_is_down() {
    let mut database = DatabaseServer::in_memory().await;
    let app = helpers::spawn_app_with(helpers::settings(database.uri(), Default::default())).await.signed_up().await;
    assert_eq!(app.get("/dashboard").await.status(), StatusCode::OK);
    database.kill();
    let res = app.get("/dashboard").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.text().await.unwrap().contains("cannot reach its database"));
    assert_eq!(app.post_form("/api/list_photos", &[]).await.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn lookalike_usernames_are_refused() {
    let app = helpers::spawn_app().await;
    let name = unique("alice");
    assert!(app.signup(&name, &format!("{name}@example.com"), "password-123").await.status().is_success());
    for lookalike in [name.replacen('a', "\u{430}", 1), name.replacen('a', "\u{ff41}", 1)] {
        let other = app.another_client();
        let res = other.signup(&lookalike, &format!("x{name}@example.com"), "password-123").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{lookalike}");
        // The problem's code, which the page says in the reader's language ("only the letters a to z, …").
        assert!(res.text().await.unwrap().contains("UsernameCharacters"), "the problem says which letters");
    }
}

#[tokio::test]
async fn guesses_from_elsewhere_slow_the_guesser_and_never_lock_the_owner_out() {
    let auth = app::ssr::AuthSettings { attempts_per_minute: 3, ..Default::default() };
    let owner = helpers::spawn_app_with(helpers::settings(helpers::mongodb_uri(), auth)).await;
    let name = unique("u");
    let email = format!("{name}@example.com");
    assert!(owner.signup(&name, &email, "password-123").await.status().is_success());
    let attacker = owner.client_from("127.0.0.2");
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(attacker.login(&email, "wrong-guess", false).await.status());
    }
    assert_eq!(statuses[..3], [StatusCode::UNAUTHORIZED; 3], "{statuses:?}");
    // Three a minute; six a quarter of an hour, so at least two of eight even when a minute ends
    // between the guesses (usually five).
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert!(refused >= 2, "{statuses:?}");
    let res = owner.login(&email, "password-123", false).await;
    assert!(res.status().is_success(), "the owner's own address is not locked: {}", res.status());
}

#[tokio::test]
async fn the_limits_hold_across_two_servers_on_one_database() {
    let auth = app::ssr::AuthSettings { attempts_per_minute: 3, ..Default::default() };
    let first = helpers::spawn_app_with(helpers::settings(helpers::mongodb_uri(), auth.clone())).await;
    let mut settings = helpers::settings(helpers::mongodb_uri(), auth);
    settings.database = first.db.name().to_owned();
    let second = helpers::spawn_app_with(settings).await;
    let email = format!("{}@example.com", unique("victim"));
    let mut statuses = Vec::new();
    for attempt in 0..7 {
        let server = if attempt % 2 == 0 { &first } else { &second };
        statuses.push(server.login(&email, "guess", false).await.status());
    }
    assert_eq!(statuses[..3], [StatusCode::UNAUTHORIZED; 3], "{statuses:?}");
    // Alone, each server saw at most four: only counting together makes the seventh (over the
    // quarter-hour allowance of six) wait.
    assert_eq!(statuses[6], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");

    // Uploads per hour, counted in the database too.
    let mut settings = helpers::settings(helpers::mongodb_uri(), Default::default());
    settings.database = first.db.name().to_owned();
    settings.uploads.per_hour = 2;
    let uploads_a = helpers::spawn_app_with(settings.clone()).await.signed_up().await;
    let server_b = helpers::spawn_app_with(settings).await;
    // The same browser (its cookie holds for every port of 127.0.0.1) on the second server.
    let uploads_b = TestApp { client: uploads_a.client.clone(), ..server_b };
    let bytes = fixture_photos(1).remove(0).1;
    assert_eq!(uploads_a.upload("1.jpg", bytes.clone()).await.status(), StatusCode::CREATED);
    assert_eq!(uploads_b.upload("2.jpg", bytes.clone()).await.status(), StatusCode::CREATED);
    let third = uploads_a.upload("3.jpg", bytes).await;
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(third.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("try again in"));
}

#[tokio::test]
async fn the_storage_quota_is_enforced_and_says_how_full_it_is() {
    let mut settings = helpers::settings(helpers::mongodb_uri(), Default::default());
    settings.uploads.quota_bytes = 1024 * 1024;
    let app = helpers::spawn_app_with(settings).await.signed_up().await;
    let photos = fixture_photos(40);
    let mut stored = 0u64;
    let mut refused = None;
    for (name, bytes) in photos {
        let size = bytes.len() as u64;
        let res = app.upload(&name, bytes).await;
        if res.status() == StatusCode::CREATED {
            stored += size;
        } else {
            refused = Some((res.status(), res.json::<Value>().await.unwrap()));
            break;
        }
    }
    let (status, body) = refused.expect("the quota was reached");
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["error"].as_str().unwrap().contains("storage is full"), "{body}");
    assert!(stored <= 1024 * 1024, "never more than the quota: {stored}");
    assert_eq!(photos::stored_bytes(&app.db, app_user(&app).await).await.unwrap(), stored);
}

async fn app_user(app: &TestApp) -> ObjectId {
    let user = app.db.collection::<Document>("users").find_one(doc! {}).await.unwrap().unwrap();
    user.get_object_id("_id").unwrap()
}

#[tokio::test]
async fn the_worst_accepted_uploads_in_parallel_stay_within_the_memory_bound() {
    let decodes_at_once = 2;
    let database = helpers::fresh_database_name();
    let port = helpers::free_port();
    let server = ServerProcess::start(port, &database, &[("CAPTION_WORKERS", "0"), ("UPLOAD_DECODES_AT_ONCE", "2")]);
    server.wait_until_healthy().await;
    let db = app::ssr::db::connect(&helpers::mongodb_uri(), &database).await.unwrap();
    let app = TestApp { address: server.address.clone(), port, client: helpers::browser_like_client(), db };
    let idle = helpers::peak_memory_mb(server.pid());

    let results = helpers::upload_worst_files(&app).await;
    for (name, status) in &results {
        let expected = if name.starts_with("big") { StatusCode::CREATED } else { StatusCode::UNPROCESSABLE_ENTITY };
        assert_eq!(*status, expected, "{name}");
    }
    let peak = helpers::peak_memory_mb(server.pid());
    // Four users, UPLOADS_PER_USER_AT_ONCE = 2: eight bodies in progress at most.
    let bound = helpers::upload_memory_bound_mb(idle, decodes_at_once, 8);
    println!("upload memory: idle {idle:.0} MB, peak {peak:.0} MB, bound {bound:.0} MB");
    assert!(peak < bound, "peak {peak:.0} MB over the bound {bound:.0} MB");
}

/// A signed-up user's app on a database server of its own that keeps its data on disk (in the
/// returned folder), so that a test can kill it as a crash would and start it again.
async fn app_on_a_database_that_can_crash() -> (TestApp, DatabaseServer, std::path::PathBuf) {
    let storage = std::env::temp_dir().join(format!("captioned-test-{}", ObjectId::new().to_hex()));
    std::fs::create_dir_all(&storage).unwrap();
    let database = DatabaseServer::on_disk(&storage).await;
    let app = helpers::spawn_app_with(helpers::settings(database.uri(), Default::default())).await.signed_up().await;
    (app, database, storage)
}

/// After the restart: each accepted photo is there, every file belongs to a photo and is whole.
async fn assert_kept_whole(db: &mongodb::Database, accepted: &[String]) {
    let photo_docs = helpers::photo_docs(db).await;
    for id in accepted {
        assert!(
            photo_docs.iter().any(|p| &p.get_object_id("_id").unwrap().to_hex() == id),
            "accepted photo {id} is kept ({} of {} kept)",
            photo_docs.len(),
            accepted.len()
        );
    }
    assert_eq!(helpers::count_orphans(db).await, (0, 0), "every file belongs to a photo, every chunk to a file");
    assert_eq!(helpers::damaged_files(db).await, 0, "every stored file is whole");
}

#[tokio::test]
async fn a_database_crash_mid_upload_leaves_no_orphan_after_the_sweep() {
    let (app, mut database, storage) = app_on_a_database_that_can_crash().await;
    let kept = app.upload_ok("kept.jpg", fixture_photos(1).remove(0).1).await;

    // Three large uploads (14 MB of noise each); the database dies while their chunks are written.
    let large: Vec<Vec<u8>> = (0..3).map(helpers::noise_png).collect();
    assert!(large[0].len() > 12_000_000, "{} bytes", large[0].len());
    let watcher = app::ssr::db::connect(&database.uri(), app.db.name()).await.unwrap();
    let uploads = futures::future::join_all(large.into_iter().enumerate().map(|(i, bytes)| {
        let app = &app;
        async move {
            let res = app.upload(&format!("large-{i}.png"), bytes).await;
            let status = res.status();
            let id = if status == StatusCode::CREATED {
                res.json::<Value>().await.ok().and_then(|b| b["photo"]["id"].as_str().map(str::to_owned))
            } else {
                None
            };
            (status, id)
        }
    }));
    let killer = async {
        let chunks = watcher.collection::<Document>("photos.chunks");
        let started = std::time::Instant::now();
        while chunks.count_documents(doc! {}).await.unwrap_or(0) < 20 && started.elapsed() < Duration::from_secs(60) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        database.kill();
    };
    let (results, ()) = tokio::join!(uploads, killer);
    println!("uploads while the database died: {results:?}");
    assert!(results.iter().all(|(s, _)| *s == StatusCode::CREATED || s.is_server_error()), "{results:?}");
    let accepted: Vec<String> =
        std::iter::once(kept.clone()).chain(results.into_iter().filter_map(|(_, id)| id)).collect();

    database.restart().await;
    let db = app::ssr::db::connect(&database.uri(), app.db.name()).await.unwrap();
    let swept = photos::sweep_orphans(&db, Duration::ZERO).await.unwrap();
    println!("swept {swept:?}");
    assert_kept_whole(&db, &accepted).await;
    drop(database);
    let _ = std::fs::remove_dir_all(storage);
}

/// "Uploaded" means stored: a photo the server acknowledged is still there, whole, when the database
/// is killed the moment after (the acknowledgement waits for the database's journal).
#[tokio::test]
async fn an_acknowledged_upload_survives_a_database_crash_the_moment_after() {
    let (app, mut database, storage) = app_on_a_database_that_can_crash().await;
    let mut accepted = Vec::new();
    for (name, bytes) in fixture_photos(3) {
        accepted.push(app.upload_ok(&name, bytes).await);
    }
    database.kill();

    database.restart().await;
    let db = app::ssr::db::connect(&database.uri(), app.db.name()).await.unwrap();
    assert_kept_whole(&db, &accepted).await;
    drop(database);
    let _ = std::fs::remove_dir_all(storage);
}

//! Captions in the app, against a real MongoDB and the shipped model: the caption job's life
//! cycle, retries, lease expiry, several workers on one queue, load, the owner's captions, search.

use crate::helpers;
use std::time::Duration;

use app::{
    photo_view::Suggestion,
    ssr::{
        caption_jobs,
        photos::{self, Photo, BUCKET},
    },
};
use bson::Bson;
use captioner::{decoding::confidence_percent, inference::SHIPPED_DECODER, pipeline::Sureness};
use futures::AsyncWriteExt;
use mongodb::options::GridFsBucketOptions;
use serde_json::Value;
use server::startup::Application;

use helpers::{captioning_settings, fixture_photos, ids, job, photo_docs, wait_until_captioned, TestApp};

#[tokio::test]
async fn an_uploaded_photo_is_captioned_with_three_scored_suggestions() {
    let app = helpers::spawn_app_with(captioning_settings(1)).await.signed_up().await;
    let (name, bytes) = fixture_photos(1).remove(0);
    let id = app.upload_ok(&name, bytes).await;
    let docs = wait_until_captioned(&app.db, Duration::from_secs(120)).await;
    let photo = &docs[0];
    let job = job(photo);
    assert_eq!(job.get_str("state").unwrap(), "done", "{job}");
    assert_eq!(job.get_i32("attempts").unwrap(), 1);
    assert_eq!(job.get_i32("completions").unwrap(), 1);
    assert!(job.get_str("worker").unwrap().contains(':'), "the worker is named");
    assert_eq!(job.get("lease_until"), Some(&Bson::Null), "the lease is released");

    let caption = photo.get_str("caption").unwrap();
    assert!(caption.split(' ').count() >= 3, "a real sentence: {caption:?}");
    let suggestions: Vec<Suggestion> = bson::from_bson(photo.get("suggestions").unwrap().clone()).unwrap();
    assert_eq!(suggestions.len(), 3);
    assert_eq!(suggestions[0].text, caption, "the best suggestion is the caption");
    assert!(suggestions.windows(2).all(|w| w[0].score >= w[1].score), "best first: {suggestions:?}");
    assert!(suggestions.iter().all(|s| s.per_word < 0.0 && !s.text.is_empty()));
    // Each is marked unsure by the shipped model's threshold, chosen on dev.
    let calibration =
        std::fs::read_to_string(helpers::workspace().join("models").join(SHIPPED_DECODER).join("calibration.json"))
            .unwrap();
    let calibration: captioner::pipeline::Calibration = serde_json::from_str(&calibration).unwrap();
    let sureness = |s: &Suggestion| match calibration.measure {
        Sureness::MeanWord => s.per_word,
        Sureness::WeakestWords => s.weakest_words.expect("recorded with each new caption"),
    };
    let below = |s: &Suggestion| confidence_percent(sureness(s)) < calibration.unsure_below_percent;
    assert!(suggestions.iter().all(|s| s.unsure == below(s)), "{suggestions:?}");

    // What the pages get: the caption in the gallery, the suggestions on the photo page.
    let page: Value = app.post_form("/api/list_photos", &[]).await.json().await.unwrap();
    assert_eq!(page["photos"][0]["shown_caption"], caption);
    assert_eq!(page["photos"][0]["caption_state"], "done");
    let details = app.owned_photo(&id).await;
    assert_eq!(details["suggestions"].as_array().unwrap().len(), 3);
    assert_eq!(details["model_caption"], caption);
}

#[tokio::test]
async fn the_owner_picks_or_writes_a_caption_and_the_models_stays_stored() {
    let app = helpers::spawn_app().await.signed_up().await;
    let id = app.upload_ok("beach.jpg", fixture_photos(1).remove(0).1).await;
    complete_by_hand(&app, &["a dog runs on the beach", "a brown dog on sand", "a dog in the water"]).await;

    // pick the second suggestion
    let res = app.post_form("/api/set_caption", &[("id", &id), ("caption", "a brown dog on sand")]).await;
    assert!(res.status().is_success(), "{}", res.status());
    let details = app.owned_photo(&id).await;
    assert_eq!(details["summary"]["shown_caption"], "a brown dog on sand", "the owner's caption is shown");
    assert_eq!(details["model_caption"], "a dog runs on the beach", "the model's is kept");

    // write one's own
    let res = app.post_form("/api/set_caption", &[("id", &id), ("caption", "  Rex at  Ocean Beach\n")]).await;
    assert!(res.status().is_success());
    let page: Value = app.post_form("/api/list_photos", &[]).await.json().await.unwrap();
    assert_eq!(page["photos"][0]["shown_caption"], "Rex at Ocean Beach");

    // bad input: a clear message, and the caption that was there stays
    for bad in ["   ", &"x".repeat(301)] {
        let res = app.post_form("/api/set_caption", &[("id", &id), ("caption", bad)]).await;
        assert_eq!(res.status(), 422);
        let body: Value = res.json().await.unwrap();
        assert!(body["Invalid"].as_str().is_some_and(|code| code.starts_with("Caption")), "{body}");
    }
    assert_eq!(app.photo_doc(&id).await.get_document("own_captions").unwrap().get_str("en"), Ok("Rex at Ocean Beach"));

    // back to the model's caption
    assert!(app.post_form("/api/use_model_caption", &[("id", &id)]).await.status().is_success());
    let details = app.owned_photo(&id).await;
    assert_eq!(details["summary"]["shown_caption"], "a dog runs on the beach");
    assert_eq!(details["own_captions"], serde_json::json!({}));

    // nobody else can change it
    let other = app.another_client().signed_up().await;
    let res = other.post_form("/api/set_caption", &[("id", &id), ("caption", "mine now")]).await;
    assert_eq!(res.status(), 404);
    assert!(app.photo_doc(&id).await.get_document("own_captions").unwrap().is_empty());
}

#[tokio::test]
async fn search_finds_only_the_users_own_photos_by_caption_words() {
    let app = helpers::spawn_app().await.signed_up().await;
    let beach = upload_captioned_by_hand(&app, "beach.jpg", "two dogs play on the beach").await;
    let snow = upload_captioned_by_hand(&app, "snow.jpg", "a man skis down a snowy hill").await;
    let own = upload_captioned_by_hand(&app, "lake.jpg", "the sun sets over water").await;
    assert!(app
        .post_form("/api/set_caption", &[("id", &own), ("caption", "Sunset over Lake Tahoe")])
        .await
        .status()
        .is_success());

    assert_eq!(search(&app, "dog").await, [beach.as_str()], "singular finds the plural");
    assert_eq!(search(&app, "Beach DOGS").await, [beach.as_str()], "case and plural do not matter");
    assert_eq!(search(&app, "snowy").await, [snow.as_str()]);
    assert_eq!(search(&app, "tahoe").await, [own.as_str()], "the owner's own caption is searched");
    assert!(search(&app, "dog snowy").await.is_empty(), "every word must match");
    assert!(search(&app, "giraffe").await.is_empty());
    assert_eq!(search(&app, "a").await, [snow.as_str()], "a query of stop words still searches them");
    assert_eq!(search(&app, "water").await, [own.as_str()], "the model's caption is searched beside the owner's");

    // Another user with the same words finds only their own photo.
    let other = app.another_client().signed_up().await;
    let theirs = upload_captioned_by_hand(&other, "theirs.jpg", "a dog on the beach").await;
    assert_eq!(search(&other, "dog beach").await, [theirs]);
}

#[tokio::test]
async fn search_finds_chinese_by_character_and_german_and_arabic_words() {
    let app = helpers::spawn_app().await.signed_up().await;
    let dog = upload_captioned_by_hand(&app, "dog.jpg", "a dog runs").await;
    let street = upload_captioned_by_hand(&app, "street.jpg", "a street").await;
    let grass = upload_captioned_by_hand(&app, "grass.jpg", "grass").await;
    for (id, own) in
        [(&dog, "一只黑狗在草地上奔跑。"), (&street, "Ein Hund läuft über die Straße."), (&grass, "كلب يركض على العشب")]
    {
        assert!(app.post_form("/api/set_caption", &[("id", id), ("caption", own)]).await.status().is_success());
    }
    assert_eq!(search(&app, "狗").await, [dog.as_str()], "one character of a caption without spaces");
    assert_eq!(search(&app, "黑狗").await, [dog.as_str()], "every character must match");
    assert!(search(&app, "猫").await.is_empty());
    assert_eq!(search(&app, "straße").await, [street.as_str()]);
    assert_eq!(search(&app, "über").await, [street.as_str()]);
    assert_eq!(search(&app, "العشب").await, [grass.as_str()]);
    assert_eq!(search(&app, "كَلْب").await, [grass.as_str()], "short vowels typed or not");
}

#[tokio::test]
async fn search_results_are_paged_newest_first() {
    let app = helpers::spawn_app().await.signed_up().await;
    let bytes = fixture_photos(1).remove(0).1;
    let mut dogs = Vec::new();
    for i in 0..26 {
        let id = app.upload_ok(&format!("p{i}.jpg"), bytes.clone()).await;
        complete_by_hand(&app, &[if i % 2 == 0 { "a dog in the park" } else { "a cat on a sofa" }]).await;
        if i % 2 == 0 {
            dogs.push(id);
        }
    }
    let page: Value = app.post_form("/api/list_photos", &[("q", "dog")]).await.json().await.unwrap();
    let first = ids(&page);
    assert_eq!(first.len(), 13);
    assert_eq!(first[0], dogs[12], "newest first");
    assert!(page["next"].is_null(), "13 fit on one page of 24");
}

#[tokio::test]
async fn a_failing_job_is_tried_three_times_then_failed_and_try_again_queues_it() {
    // Upload without workers, then take the display copy away so that reading it fails.
    let app = helpers::spawn_app().await.signed_up().await;
    let (name, bytes) = fixture_photos(1).remove(0);
    let id = app.upload_ok(&name, bytes.clone()).await;
    let display = app.photo_doc(&id).await.get_document("files").unwrap().get_object_id("display").unwrap();
    let bucket = app.db.gridfs_bucket(GridFsBucketOptions::builder().bucket_name(BUCKET.to_owned()).build());
    let display_bytes = {
        use futures::AsyncReadExt;
        let mut out = Vec::new();
        bucket.open_download_stream(Bson::ObjectId(display)).await.unwrap().read_to_end(&mut out).await.unwrap();
        out
    };
    bucket.delete(Bson::ObjectId(display)).await.unwrap();

    // A second server on the same database does the captioning.
    let worker = app.second_server(1).await;
    let docs = wait_until_captioned(&worker.db, Duration::from_secs(60)).await;
    let failed = job(&docs[0]);
    assert_eq!(failed.get_str("state").unwrap(), "failed");
    assert_eq!(failed.get_i32("attempts").unwrap(), caption_jobs::MAX_ATTEMPTS);
    // Stored as a code (the reason is in the log), which the page says in the reader's language.
    assert_eq!(failed.get_str("last_error").unwrap(), "captioner_failed", "{failed}");
    let details = app.owned_photo(&id).await;
    assert_eq!(details["caption_error"], "captioner_failed");

    // Put the copy back; "try again" queues the job with fresh attempts and it succeeds.
    let mut upload = bucket.open_upload_stream(&name).id(Bson::ObjectId(display)).await.unwrap();
    upload.write_all(&display_bytes).await.unwrap();
    upload.close().await.unwrap();
    let res = app.post_form("/api/retry_caption", &[("id", &id)]).await;
    assert!(res.status().is_success(), "{}", res.status());
    let docs = wait_until_captioned(&worker.db, Duration::from_secs(60)).await;
    assert_eq!(job(&docs[0]).get_str("state").unwrap(), "done");
    assert_eq!(job(&docs[0]).get_i32("attempts").unwrap(), 1);
    assert!(docs[0].get_str("caption").is_ok());
    // Only a failed job can be retried.
    assert_eq!(app.post_form("/api/retry_caption", &[("id", &id)]).await.status(), 404);
}

#[tokio::test]
async fn photos_captioned_together_fail_alone() {
    // Four photos queued without workers; then one loses its display copy and another's is
    // replaced by bytes that are no image.
    let app = helpers::spawn_app().await.signed_up().await;
    let mut ids = Vec::new();
    for (name, bytes) in fixture_photos(4) {
        ids.push(app.upload_ok(&name, bytes).await);
    }
    let bucket = app.db.gridfs_bucket(GridFsBucketOptions::builder().bucket_name(BUCKET.to_owned()).build());
    let mut display = Vec::new();
    for id in &ids {
        display.push(app.photo_doc(id).await.get_document("files").unwrap().get_object_id("display").unwrap());
    }
    bucket.delete(Bson::ObjectId(display[1])).await.unwrap();
    bucket.delete(Bson::ObjectId(display[2])).await.unwrap();
    let mut upload = bucket.open_upload_stream("not-a-photo.jpg").id(Bson::ObjectId(display[2])).await.unwrap();
    upload.write_all(b"these bytes are no JPEG").await.unwrap();
    upload.close().await.unwrap();

    // One worker that takes all four at once.
    let mut settings = captioning_settings(1);
    settings.captions.batch = 4;
    let worker = app.second_server_with(settings).await;
    let docs = wait_until_captioned(&worker.db, Duration::from_secs(120)).await;
    let state = |id: &str| {
        let photo = docs.iter().find(|d| d.get_object_id("_id").unwrap().to_hex() == id).unwrap();
        (job(photo).get_str("state").unwrap().to_owned(), job(photo).get_i32("attempts").unwrap(), photo.clone())
    };
    for good in [&ids[0], &ids[3]] {
        let (state, attempts, photo) = state(good);
        assert_eq!((state.as_str(), attempts), ("done", 1), "{photo}");
        assert!(photo.get_str("caption").is_ok_and(|c| c.split(' ').count() >= 3), "{photo}");
    }
    for broken in [&ids[1], &ids[2]] {
        let (state, attempts, photo) = state(broken);
        assert_eq!((state.as_str(), attempts), ("failed", caption_jobs::MAX_ATTEMPTS), "{photo}");
        assert_eq!(job(&photo).get_str("last_error").unwrap(), "captioner_failed");
    }
}

#[tokio::test]
async fn an_expired_lease_is_claimed_again_and_the_old_claim_cannot_store() {
    let app = helpers::spawn_app().await.signed_up().await;
    app.upload_ok("a.jpg", fixture_photos(1).remove(0).1).await;
    let lease = Duration::from_millis(800);
    let first = caption_jobs::claim(&queue(&app), "worker-a", lease).await.unwrap().expect("a pending job");
    assert_eq!(first.attempt, 1);
    assert!(caption_jobs::claim(&queue(&app), "worker-b", lease).await.unwrap().is_none(), "held while the lease runs");

    tokio::time::sleep(Duration::from_millis(1000)).await;
    let second = caption_jobs::claim(&queue(&app), "worker-b", lease).await.unwrap().expect("the lease expired");
    assert_eq!(second.id, first.id);
    assert_eq!(second.attempt, 2);

    let late = [Suggestion {
        text: "from the dead worker".into(),
        score: -1.0,
        per_word: -1.0,
        weakest_words: None,
        unsure: false,
    }];
    assert!(
        !photos::store_model_captions(&app.db, &first, &late, "test-model", &Default::default()).await.unwrap(),
        "the old claim is void"
    );
    assert_eq!(
        caption_jobs::fail(&queue(&app), &first, app::photo_view::CaptionFailure::CaptionerFailed).await.unwrap(),
        None
    );
    let fresh = [Suggestion { text: "a dog".into(), score: -0.5, per_word: -0.5, weakest_words: None, unsure: false }];
    assert!(photos::store_model_captions(&app.db, &second, &fresh, "test-model", &Default::default()).await.unwrap());
    let photo = &photo_docs(&app.db).await[0];
    assert_eq!(photo.get_str("caption").unwrap(), "a dog");
    assert_eq!(photo.get_str("caption_model").unwrap(), "test-model", "which model wrote it");
    assert_eq!(job(photo).get_i32("completions").unwrap(), 1);

    // A job whose worker died on its last attempt is marked failed rather than left running.
    app.upload_ok("b.jpg", fixture_photos(1).remove(0).1).await;
    for _ in 0..caption_jobs::MAX_ATTEMPTS {
        caption_jobs::claim(&queue(&app), "dies", Duration::from_millis(1)).await.unwrap().expect("claimable");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(caption_jobs::claim(&queue(&app), "late", lease).await.unwrap().is_none(), "no fourth attempt");
    assert_eq!(caption_jobs::fail_abandoned(&queue(&app)).await.unwrap(), 1);
    let failed = photo_docs(&app.db).await.into_iter().find(|d| job(d).get_str("state") == Ok("failed")).unwrap();
    assert_eq!(job(&failed).get_str("last_error").unwrap(), "worker_stopped");
}

#[tokio::test]
async fn a_caption_that_takes_longer_than_the_lease_keeps_its_job() {
    // A busy machine can take longer than the lease to caption a photo: the live worker renews
    // its lease, so nobody takes the job over (which would caption the photo twice).
    let app = helpers::spawn_app().await.signed_up().await;
    app.upload_ok("slow.jpg", fixture_photos(1).remove(0).1).await;
    // Renewals every 0.5 s leave a second of slack for a slow database on a loaded machine.
    let lease = Duration::from_millis(1500);
    let held = caption_jobs::claim(&queue(&app), "slow-worker", lease).await.unwrap().expect("a pending job");
    let slow_caption = tokio::time::sleep(lease * 3);
    let contender = async {
        let mut taken = 0;
        let deadline = tokio::time::Instant::now() + lease * 3;
        while tokio::time::Instant::now() < deadline {
            taken += caption_jobs::claim(&queue(&app), "contender", lease).await.unwrap().is_some() as usize;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        taken
    };
    let photos = queue(&app);
    let ((), taken) =
        tokio::join!(caption_jobs::holding(&photos, std::slice::from_ref(&held), lease, slow_caption), contender);
    assert_eq!(taken, 0, "the job stayed with its worker for three leases");
    let caption =
        [Suggestion { text: "a slow dog".into(), score: -0.5, per_word: -0.5, weakest_words: None, unsure: false }];
    assert!(
        photos::store_model_captions(&app.db, &held, &caption, "test-model", &Default::default()).await.unwrap(),
        "the claim is still valid"
    );
    let photo = &photo_docs(&app.db).await[0];
    assert_eq!(job(photo).get_i32("attempts").unwrap(), 1);

    // Without renewals the same wait loses the job.
    app.upload_ok("dead.jpg", fixture_photos(1).remove(0).1).await;
    let abandoned = caption_jobs::claim(&queue(&app), "dead-worker", lease).await.unwrap().expect("a pending job");
    tokio::time::sleep(lease + Duration::from_millis(200)).await;
    let taken_over = caption_jobs::claim(&queue(&app), "contender", lease).await.unwrap().expect("the lease ran out");
    assert_eq!(taken_over.id, abandoned.id);
}

#[tokio::test]
async fn two_servers_on_one_queue_share_the_work_and_caption_each_photo_once() {
    // Photos queued by a server that does not caption, then two captioning servers start.
    let uploader = helpers::spawn_app().await.signed_up().await;
    for (name, bytes) in fixture_photos(8) {
        uploader.upload_ok(&name, bytes).await;
    }
    // Two photos at a time, so that the first worker to look does not take the whole queue.
    let mut settings = captioning_settings(1);
    settings.captions.batch = 2;
    let mut servers = Vec::new();
    for _ in 0..2 {
        servers.push(uploader.second_server_with(settings.clone()).await);
    }
    let docs = wait_until_captioned(&uploader.db, Duration::from_secs(180)).await;
    let mut workers = std::collections::BTreeMap::<String, usize>::new();
    for photo in &docs {
        let job = job(photo);
        assert_eq!(job.get_str("state").unwrap(), "done");
        assert_eq!(job.get_i32("completions").unwrap(), 1, "captioned exactly once");
        assert_eq!(job.get_i32("attempts").unwrap(), 1, "no job was claimed twice");
        *workers.entry(job.get_str("worker").unwrap().to_owned()).or_default() += 1;
    }
    assert_eq!(workers.len(), 2, "both servers' workers took jobs: {workers:?}");
}

#[tokio::test]
async fn fifty_photos_from_five_concurrent_clients_get_fifty_captions() {
    let server = helpers::spawn_app_with(captioning_settings(2)).await;
    let photos = fixture_photos(50);
    let clients = (0..5).map(|c| {
        let client = server.another_client();
        let mine: Vec<(String, Vec<u8>)> = photos[c * 10..(c + 1) * 10].to_vec();
        async move {
            let client = client.signed_up().await;
            for (name, bytes) in mine {
                client.upload_ok(&name, bytes).await;
            }
            client
        }
    });
    let clients = futures::future::join_all(clients).await;
    let docs = wait_until_captioned(&server.db, Duration::from_secs(600)).await;
    assert_eq!(docs.len(), 50);
    let captioned = docs.iter().filter(|d| d.get_str("caption").is_ok_and(|c| !c.is_empty())).count();
    assert_eq!(captioned, 50);
    assert!(docs.iter().all(|d| job(d).get_i32("completions") == Ok(1)));
    for client in &clients {
        let page: Value = client.post_form("/api/list_photos", &[]).await.json().await.unwrap();
        let photos = page["photos"].as_array().unwrap();
        assert_eq!(photos.len(), 10, "each client sees its own ten");
        assert!(photos.iter().all(|p| p["caption_state"] == "done"));
    }
}

#[tokio::test]
async fn startup_fails_with_a_clear_message_when_the_model_is_missing() {
    let mut settings = captioning_settings(1);
    settings.captions.model.decoder_dir = "/nonexistent/caption-model".into();
    let err = Application::build(settings).await.err().expect("no model, no start");
    let message = err.to_string();
    assert!(message.contains("/nonexistent/caption-model/config.json"), "{message}");
    assert!(message.contains("CAPTION_MODEL_DIR"), "says what to set: {message}");
}

/// The photos, as the caption queue's collection.
fn queue(app: &TestApp) -> mongodb::Collection<Photo> {
    photos::collection(&app.db)
}

/// The ids of the caller's photos that the gallery's search finds for `q`.
async fn search(app: &TestApp, q: &str) -> Vec<String> {
    let page: Value = app.post_form("/api/list_photos", &[("q", q)]).await.json().await.unwrap();
    ids(&page)
}

/// Uploads a fixture photo and stores `caption` as the model's, without running the model.
async fn upload_captioned_by_hand(app: &TestApp, name: &str, caption: &str) -> String {
    let id = app.upload_ok(name, fixture_photos(1).remove(0).1).await;
    complete_by_hand(app, &[caption]).await;
    id
}

/// Stores captions for the oldest waiting job as a worker would (for tests about what happens
/// after captioning, without running the model).
async fn complete_by_hand(app: &TestApp, captions: &[&str]) {
    let job = caption_jobs::claim(&queue(app), "test", Duration::from_secs(60)).await.unwrap().expect("a waiting job");
    let suggestions: Vec<Suggestion> = captions
        .iter()
        .enumerate()
        .map(|(i, c)| Suggestion {
            text: (*c).to_owned(),
            score: -0.5 - i as f32,
            per_word: -0.5 - i as f32,
            weakest_words: None,
            unsure: false,
        })
        .collect();
    assert!(photos::store_model_captions(&app.db, &job, &suggestions, "test-model", &Default::default())
        .await
        .unwrap());
}

#[tokio::test]
async fn a_caption_the_model_is_unsure_of_is_marked_until_the_owner_writes_their_own() {
    let app = helpers::spawn_app().await.signed_up().await;
    let id = app.upload_ok("a.jpg", fixture_photos(1).remove(0).1).await;
    let claimed = caption_jobs::claim(&queue(&app), "worker", Duration::from_secs(30)).await.unwrap().unwrap();
    let unsure = [
        Suggestion {
            text: "a man rides a horse".into(),
            score: -2.0,
            per_word: -1.9,
            weakest_words: None,
            unsure: true,
        },
        Suggestion { text: "a dog runs".into(), score: -2.1, per_word: -2.0, weakest_words: None, unsure: true },
    ];
    assert!(photos::store_model_captions(&app.db, &claimed, &unsure, "test-model", &Default::default()).await.unwrap());
    let owned = app.owned_photo(&id).await;
    assert_eq!(owned["summary"]["caption_unsure"], true, "{owned}");
    let page = app.get(&format!("/photos/{id}")).await.text().await.unwrap();
    let figcaption = page.split("<figcaption").nth(1).unwrap_or_default();
    let shown = figcaption.split('>').nth(1).and_then(|rest| rest.split('<').next());
    assert!(figcaption.split('>').next().unwrap().contains("unsure"), "styled as unsure: {figcaption}");
    assert_eq!(shown, Some("Maybe: a man rides a horse"), "the caption is not stated as fact");
    assert!(page.contains(r#"alt="Maybe: a man rides a horse""#), "nor in the alt text");

    // The owner's own caption is theirs: nothing to be unsure of.
    let picked = app.post_form("/api/set_caption", &[("id", &id), ("caption", "my horse")]).await;
    assert!(picked.status().is_success(), "{}", picked.status());
    assert_eq!(app.owned_photo(&id).await["summary"]["caption_unsure"], false);
}

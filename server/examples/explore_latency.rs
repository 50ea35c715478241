//! Measures Explore with 10,000 public photos in the database (run by `scripts/bench-explore.sh`):
//! the median and p95 latency of `/explore` (the page, rendered on the server), of its second
//! page by cursor, of a public search, and of a profile, with as many private photos beside
//! them, so that the indexes (visibility + time, owner + visibility + time) have to do the work.
//!
//! It starts the real app in this process (no caption workers) against `MONGODB_URI`, in a
//! database of its own, and writes the photo documents directly (their files are not needed to
//! render the pages).

#[path = "../tests/api/helpers.rs"]
mod helpers;

use std::time::Instant;

use app::{
    photo_view::{Suggestion, Visibility},
    search::index_words,
    ssr::{
        caption_jobs::CaptionJob,
        photos::{self, Photo, PhotoFiles},
    },
};
use bson::{doc, oid::ObjectId, DateTime, Document};
use helpers::{median, percentile};

const PUBLIC: usize = 10_000;
const PRIVATE: usize = 10_000;
const OWNERS: usize = 20;
const REQUESTS: usize = 100;
/// A public search reads every photo in the windows it looks at: fewer requests keep the run short.
const SEARCH_REQUESTS: usize = 20;

const SUBJECTS: [&str; 8] =
    ["a dog", "two children", "a man", "a woman", "a black dog", "a girl", "a boy", "three people"];
const ACTIONS: [&str; 6] = ["runs on", "plays in", "jumps over", "sits on", "walks along", "climbs"];
const PLACES: [&str; 6] = ["the beach", "the grass", "a rock", "the snow", "the street", "the water"];

fn caption(i: usize) -> String {
    format!("{} {} {}", SUBJECTS[i % 8], ACTIONS[(i / 8) % 6], PLACES[(i / 48) % 6])
}

/// The `i`th photo: uploaded `i` x 30 minutes ago (20,000 photos over about a year, the newest
/// first), as photos of a real instance are spread over time.
fn photo(i: usize, owner: ObjectId, visibility: Visibility) -> Photo {
    let text = caption(i);
    let uploaded = DateTime::now().timestamp_millis() / 1000 - i as i64 * 1800;
    Photo {
        id: ObjectId::from_parts(uploaded as u32, [7; 5], [(i >> 16) as u8, (i >> 8) as u8, i as u8]),
        owner_id: owner,
        file_name: format!("IMG_{i:05}.jpg"),
        content_type: "image/jpeg".into(),
        byte_size: 2_000_000,
        width: 4000,
        height: 3000,
        uploaded_at: DateTime::now(),
        files: PhotoFiles { original: ObjectId::new(), display: ObjectId::new(), thumb: ObjectId::new() },
        model_caption: Some(text.clone()),
        caption_model: Some("caption-merge".into()),
        suggestions: vec![Suggestion {
            text: text.clone(),
            score: -4.0,
            per_word: -0.6,
            weakest_words: None,
            unsure: false,
        }],
        more_languages: Default::default(),
        own_captions: Default::default(),
        own_caption: None,
        own_caption_language: None,
        caption_words: index_words(&text),
        own_words: Vec::new(),
        job: CaptionJob::new(),
        visibility,
        likes: (i % 7) as i64,
    }
}

/// Times `requests` GETs of `path` after a few to warm up; prints and returns (median, p95) in ms.
async fn measure(client: &reqwest::Client, address: &str, path: &str, requests: usize) -> (f64, f64) {
    let get = || async {
        let res = client.get(format!("{address}{path}")).header("Accept", "text/html").send().await.unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.bytes().await.unwrap();
    };
    for _ in 0..3 {
        get().await;
    }
    let mut times = Vec::with_capacity(requests);
    for _ in 0..requests {
        let started = Instant::now();
        get().await;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let (median, p95) = (median(&mut times), percentile(&mut times, 0.95));
    println!("{path:<40} median {median:6.1} ms   p95 {p95:6.1} ms   ({requests} requests, one at a time)");
    (median, p95)
}

#[tokio::main]
async fn main() {
    let app = helpers::spawn_app().await;
    let mut owners = Vec::new();
    for _ in 0..OWNERS {
        let user = app.another_client().signed_up().await;
        let name = user.whoami().await.unwrap();
        let doc = app.db.collection::<Document>("users").find_one(doc! { "username": &name }).await.unwrap().unwrap();
        owners.push((name, doc.get_object_id("_id").unwrap()));
    }
    let started = Instant::now();
    let collection = photos::collection(&app.db);
    for batch in 0..(PUBLIC + PRIVATE) / 1000 {
        let docs: Vec<Photo> = (batch * 1000..(batch + 1) * 1000)
            .map(|i| {
                let visibility = if i % 2 == 0 { Visibility::Public } else { Visibility::Private };
                photo(i, owners[i % OWNERS].1, visibility)
            })
            .collect();
        collection.insert_many(docs).await.unwrap();
    }
    let public = collection.count_documents(doc! { "visibility": "public" }).await.unwrap();
    println!(
        "{public} public and {} private photos of {OWNERS} users stored in {:.1} s",
        PUBLIC + PRIVATE - public as usize,
        started.elapsed().as_secs_f64()
    );

    let client = reqwest::Client::new();
    let first: serde_json::Value = client
        .post(format!("{}/api/explore", app.address))
        .form(&[("q", "")])
        .header("Origin", &app.address)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cursor = first["next"].as_str().expect("a second page").to_owned();
    measure(&client, &app.address, "/explore", REQUESTS).await;
    measure(&client, &app.address, &format!("/explore?before={cursor}"), REQUESTS).await;
    measure(&client, &app.address, &format!("/u/{}", owners[0].0), REQUESTS).await;
    measure(&client, &app.address, "/explore?q=dog", SEARCH_REQUESTS).await;
    measure(&client, &app.address, "/explore?q=dog+beach", SEARCH_REQUESTS).await;
}

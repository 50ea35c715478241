//! Photos over HTTP against a real MongoDB: upload checks, storage in GridFS, the derived
//! copies, serving, deletion, and that nobody sees another user's photos.

use crate::helpers::{self, ids};
use std::io::Cursor;

use bson::doc;
use image::{DynamicImage, ImageFormat, RgbImage};
use reqwest::StatusCode;
use serde_json::Value;

fn picture(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, 90])
    }))
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A JPEG whose EXIF says "rotate 90° clockwise to view" (orientation 6) and carries a GPS
/// position, written by hand: an APP1 segment right after the start-of-image marker.
fn jpeg_with_exif(image: &DynamicImage) -> Vec<u8> {
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes()); // IFD0 at offset 8
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut e = Vec::new();
        e.extend(tag.to_le_bytes());
        e.extend(kind.to_le_bytes());
        e.extend(count.to_le_bytes());
        e.extend(value.to_le_bytes());
        e
    };
    // IFD0: 2 entries (12 bytes each) + count + next pointer = 30 bytes, so the GPS IFD is at 38.
    let gps_ifd = 8 + 2 + 2 * 12 + 4;
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0112, 3, 1, 6)); // Orientation = 6
    tiff.extend(entry(0x8825, 4, 1, gps_ifd)); // GPS IFD pointer
    tiff.extend(0u32.to_le_bytes());
    // GPS IFD: 4 entries, then the two rationals triples.
    let data = gps_ifd + 2 + 4 * 12 + 4;
    tiff.extend(4u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
    tiff.extend(entry(0x0002, 5, 3, data));
    tiff.extend(entry(0x0003, 2, 2, u32::from_le_bytes(*b"E\0\0\0")));
    tiff.extend(entry(0x0004, 5, 3, data + 24));
    tiff.extend(0u32.to_le_bytes());
    for (num, den) in [(48, 1), (51, 1), (2412, 100), (2, 1), (17, 1), (4000, 100)] {
        tiff.extend((num as u32).to_le_bytes());
        tiff.extend((den as u32).to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(&tiff);
    let plain = encode(image, ImageFormat::Jpeg);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

/// A 100-byte PNG that declares 100,000 x 100,000 pixels: a decompression bomb.
fn png_bomb() -> Vec<u8> {
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend(data);
        c.extend(&body);
        c.extend(crc32fast::hash(&body).to_be_bytes());
        c
    };
    let mut ihdr = Vec::new();
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]));
    png.extend(chunk(b"IEND", &[]));
    png
}

fn resident_memory_mb() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0.0);
    pages * 4096.0 / 1e6
}

#[tokio::test]
async fn each_accepted_format_is_stored_with_its_derived_copies() {
    let app = helpers::spawn_app().await.signed_up().await;
    let image = picture(900, 600);
    for (format, name, mime) in [
        (ImageFormat::Jpeg, "a.jpg", "image/jpeg"),
        (ImageFormat::Png, "b.png", "image/png"),
        (ImageFormat::WebP, "c.webp", "image/webp"),
        (ImageFormat::Gif, "d.gif", "image/gif"),
    ] {
        let bytes = encode(&image, format);
        let size = bytes.len() as i64;
        let id = app.upload_ok(name, bytes).await;
        let doc = app.photo_doc(&id).await;
        assert_eq!(doc.get_str("content_type").unwrap(), mime);
        assert_eq!(doc.get_str("file_name").unwrap(), name);
        assert_eq!(doc.get_document("job").unwrap().get_str("state").unwrap(), "pending", "a caption job is queued");
        assert_eq!(doc.get_i64("byte_size").unwrap(), size);
        assert_eq!((doc.get_i64("width").unwrap(), doc.get_i64("height").unwrap()), (900, 600));
        assert!(doc.get_datetime("uploaded_at").is_ok());

        let original = app.media(&id, "original").await;
        assert_eq!(original.headers()["content-type"], mime);
        let thumb = app.media(&id, "thumb").await;
        assert_eq!(thumb.status(), StatusCode::OK);
        assert_eq!(thumb.headers()["content-type"], "image/jpeg");
        let thumb = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (400, 267));
    }
    assert_eq!(app.stored_counts().await.1, 12, "three files a photo");
}

#[tokio::test]
async fn a_12_megapixel_photo_gets_a_display_copy_of_about_2048() {
    let app = helpers::spawn_app().await.signed_up().await;
    // A JPEG is decoded at half scale (2000 px reaches 15/16 of 2048): nothing is resized up.
    let id = app.upload_ok("big.jpg", encode(&picture(4000, 3000), ImageFormat::Jpeg)).await;
    let display = image::load_from_memory(&app.media(&id, "display").await.bytes().await.unwrap()).unwrap();
    assert_eq!((display.width(), display.height()), (2000, 1500));
    // Other formats are decoded in full and fitted within 2048.
    let id = app.upload_ok("big.png", encode(&picture(4000, 3000), ImageFormat::Png)).await;
    let display = image::load_from_memory(&app.media(&id, "display").await.bytes().await.unwrap()).unwrap();
    assert_eq!((display.width(), display.height()), (2048, 1536));
}

#[tokio::test]
async fn bad_files_get_a_clear_message_and_nothing_is_stored() {
    let app = helpers::spawn_app().await.signed_up().await;
    let jpeg = encode(&picture(300, 200), ImageFormat::Jpeg);
    let before = resident_memory_mb();
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        ("bomb.png", png_bomb(), StatusCode::UNPROCESSABLE_ENTITY, "at most 50 megapixels"),
        ("cut.jpg", jpeg[..jpeg.len() / 2].to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "damaged or incomplete"),
        (
            "notes.jpg",
            b"Shopping list: eggs, milk.\n".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "JPEG, PNG, WebP and GIF",
        ),
        ("empty.jpg", Vec::new(), StatusCode::UNPROCESSABLE_ENTITY, "empty"),
        ("huge.jpg", vec![0xFF; 21 * 1024 * 1024], StatusCode::PAYLOAD_TOO_LARGE, "20 MB"),
    ];
    for (name, bytes, status, message) in cases {
        let res = app.upload(name, bytes).await;
        assert_eq!(res.status(), status, "{name}");
        let body: Value = res.json().await.unwrap();
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(message), "{name}: {error}");
    }
    assert_eq!(app.stored_counts().await, (0, 0, 0), "nothing of a refused file is stored");
    // The bomb's 10 gigapixels were never allocated.
    let grown = resident_memory_mb() - before;
    assert!(grown < 200.0, "memory grew by {grown:.0} MB");
}

#[tokio::test]
async fn exif_orientation_is_applied_and_gps_is_gone_from_the_copies() {
    let app = helpers::spawn_app().await.signed_up().await;
    // Left half red, right half blue; orientation 6 turns the left side to the top.
    let image = DynamicImage::ImageRgb8(RgbImage::from_fn(300, 200, |x, _| {
        if x < 150 {
            image::Rgb([220, 20, 20])
        } else {
            image::Rgb([20, 20, 220])
        }
    }));
    let original = jpeg_with_exif(&image);
    assert!(original.windows(4).any(|w| w == b"Exif"));
    let id = app.upload_ok("sideways.jpg", original.clone()).await;
    for variant in ["display", "thumb"] {
        let bytes = app.media(&id, variant).await.bytes().await.unwrap();
        assert!(!bytes.windows(4).any(|w| w == b"Exif"), "{variant} keeps EXIF");
        assert!(!bytes.windows(4).any(|w| w == b"II*\0" || w == b"MM\0*"), "{variant} keeps a TIFF block");
        let copy = image::load_from_memory(&bytes).unwrap().to_rgb8();
        assert!(copy.height() > copy.width(), "{variant} is not upright: {}x{}", copy.width(), copy.height());
        let top = copy.get_pixel(copy.width() / 2, copy.height() / 10).0;
        let bottom = copy.get_pixel(copy.width() / 2, copy.height() * 9 / 10).0;
        assert!(top[0] > 150 && top[2] < 100, "{variant} top should be red: {top:?}");
        assert!(bottom[2] > 150 && bottom[0] < 100, "{variant} bottom should be blue: {bottom:?}");
    }
    // The original is kept byte for byte, for its owner.
    assert_eq!(app.media(&id, "original").await.bytes().await.unwrap().as_ref(), original.as_slice());
}

#[tokio::test]
async fn images_are_served_with_etag_and_cache_headers() {
    let app = helpers::spawn_app().await.signed_up().await;
    let id = app.upload_ok("a.png", encode(&picture(500, 500), ImageFormat::Png)).await;
    let res = app.media(&id, "display").await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert!(res.headers()["cache-control"].to_str().unwrap().contains("private"));
    let again = app
        .client
        .get(format!("{}/media/{id}/display", app.address))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(app.media(&id, "nonsense").await.status(), StatusCode::NOT_FOUND);
}

/// A gallery looks back no further than its owner's account: a new account's page is one query
/// of the photos; were the account years old, the page would be looked for slice after slice.
#[tokio::test]
async fn a_new_accounts_gallery_page_is_one_query() {
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    use app::ssr::{accounts::User, photos};
    use mongodb::{
        event::{command::CommandEvent, EventHandler},
        options::ClientOptions,
    };

    let owner = helpers::spawn_app().await.signed_up().await;
    let (name, bytes) = helpers::fixture_photos(1).remove(0);
    let id = owner.upload_ok(&name, bytes).await;
    let user: User = owner.db.collection("users").find_one(doc! {}).await.unwrap().unwrap();
    // A client of its own on the app's database, counting the finds on photos.
    let finds = Arc::new(AtomicUsize::new(0));
    let counter = finds.clone();
    let mut options = ClientOptions::parse(helpers::mongodb_uri()).await.unwrap();
    options.command_event_handler = Some(EventHandler::callback(move |event: CommandEvent| {
        if let CommandEvent::Started(started) = event {
            if started.command_name == "find" && started.command.get_str("find") == Ok("photos") {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        }
    }));
    let db = mongodb::Client::with_options(options).unwrap().database(owner.db.name());

    let page = photos::list(&db, &user, None, captioner::text::Language::En).await.unwrap();
    assert_eq!(page.photos.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), [id.as_str()]);
    assert_eq!(
        finds.swap(0, Ordering::SeqCst),
        1,
        "one query for an account younger than the first slice of time (an hour)"
    );

    let three_years = 3 * 365 * 24 * 3600 * 1000;
    let old =
        User { created_at: bson::DateTime::from_millis(user.created_at.timestamp_millis() - three_years), ..user };
    let page = photos::list(&db, &old, None, captioner::text::Language::En).await.unwrap();
    assert_eq!(page.photos.len(), 1);
    assert!(finds.load(Ordering::SeqCst) > 1, "an old account's page looks in the slices of time back to it");
}

#[tokio::test]
async fn the_gallery_lists_newest_first_by_cursor() {
    let app = helpers::spawn_app().await.signed_up().await;
    let small = encode(&picture(64, 48), ImageFormat::Png);
    let mut uploaded = Vec::new();
    for i in 0..26 {
        uploaded.push(app.upload_ok(&format!("p{i}.png"), small.clone()).await);
    }
    let page: Value = app.post_form("/api/list_photos", &[]).await.json().await.unwrap();
    let first = ids(&page);
    assert_eq!(first.len(), 24);
    assert_eq!(first[0], uploaded[25], "newest first");
    let cursor = page["next"].as_str().unwrap();
    let page: Value = app.post_form("/api/list_photos", &[("before", cursor)]).await.json().await.unwrap();
    assert_eq!(ids(&page), [uploaded[1].clone(), uploaded[0].clone()]);
    assert!(page["next"].is_null());
}

#[tokio::test]
async fn deleting_a_photo_removes_its_document_files_and_chunks() {
    let app = helpers::spawn_app().await.signed_up().await;
    let id = app.upload_ok("a.jpg", encode(&picture(800, 600), ImageFormat::Jpeg)).await;
    let (photos, files, chunks) = app.stored_counts().await;
    assert_eq!((photos, files), (1, 3));
    assert!(chunks >= 3);
    let res = app.post_form("/api/delete_photo", &[("id", &id)]).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(app.stored_counts().await, (0, 0, 0));
    assert_eq!(app.media(&id, "thumb").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_user_gets_404_everywhere() {
    let owner = helpers::spawn_app().await.signed_up().await;
    let id = owner.upload_ok("mine.jpg", encode(&picture(320, 240), ImageFormat::Jpeg)).await;

    // a second user, on the same server
    let other = owner.another_client().signed_up().await;
    for variant in ["original", "display", "thumb"] {
        assert_eq!(other.media(&id, variant).await.status(), StatusCode::NOT_FOUND, "{variant}");
    }
    let res = other.post_form("/api/get_photo", &[("id", &id)]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = other.post_form("/api/delete_photo", &[("id", &id)]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let page: Value = other.post_form("/api/list_photos", &[]).await.json().await.unwrap();
    assert!(page["photos"].as_array().unwrap().is_empty());
    assert_eq!(other.get(&format!("/photos/{id}")).await.status(), StatusCode::NOT_FOUND);
    // …and the photo is still there for its owner
    assert_eq!(owner.media(&id, "thumb").await.status(), StatusCode::OK);
    assert_eq!(owner.get(&format!("/photos/{id}")).await.status(), StatusCode::OK);
    // visitors get nothing either
    let visitor = reqwest::Client::new();
    let res = visitor.get(format!("{}/media/{id}/thumb", owner.address)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn uploading_needs_a_session() {
    let app = helpers::spawn_app().await;
    let res = app.upload("a.png", encode(&picture(10, 10), ImageFormat::Png)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_failed_store_leaves_no_files_behind() {
    let app = helpers::spawn_app().await.signed_up().await;
    // Make the database refuse the second photo document: a unique index on the file name.
    app.db
        .collection::<bson::Document>("photos")
        .create_index(
            mongodb::IndexModel::builder()
                .keys(doc! { "file_name": 1 })
                .options(mongodb::options::IndexOptions::builder().unique(true).build())
                .build(),
        )
        .await
        .unwrap();
    let bytes = encode(&picture(200, 150), ImageFormat::Jpeg);
    app.upload_ok("same.jpg", bytes.clone()).await;
    let res = app.upload("same.jpg", bytes).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = res.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("could not be stored"));
    let (photos, files, _) = app.stored_counts().await;
    assert_eq!((photos, files), (1, 3), "the failed upload's three files were removed");
    let chunks_of_first = app.db.collection::<bson::Document>("photos.files").find(doc! {}).await.unwrap();
    use futures::TryStreamExt;
    let ids: Vec<bson::Bson> = chunks_of_first
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.get("_id").unwrap().clone())
        .collect();
    let orphans = app
        .db
        .collection::<bson::Document>("photos.chunks")
        .count_documents(doc! { "files_id": { "$nin": ids } })
        .await
        .unwrap();
    assert_eq!(orphans, 0, "no orphan chunks");
}

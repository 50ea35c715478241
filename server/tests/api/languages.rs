//! Captions in every enabled language, against a real MongoDB and the shipped models: one pass of
//! VGG16 feeds each language's decoder; a photo captioned before a language was enabled gets it
//! later without its English caption changing; the owner's caption records its language.

use std::time::Duration;

use app::photo_view::Suggestion;
use bson::Document;
use captioner::text::Language;
use serde_json::Value;

use crate::helpers::{self, fixture_photos, TestApp};

#[tokio::test]
async fn the_owners_caption_records_its_language() {
    let app = helpers::spawn_app().await.signed_up().await;
    let id = app.upload_ok("hund.jpg", fixture_photos(1).remove(0).1).await;

    let res =
        app.post_form("/api/set_caption", &[("id", &id), ("caption", "Ein Hund am Strand"), ("language", "de")]).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(app.photo_doc(&id).await.get_str("own_caption_language").unwrap(), "de");
    assert_eq!(app.owned_photo(&id).await["own_caption_language"], "de");

    // Without a language (a picked suggestion): English, the suggestions' language.
    let res = app.post_form("/api/set_caption", &[("id", &id), ("caption", "a dog on the beach")]).await;
    assert!(res.status().is_success());
    assert_eq!(app.photo_doc(&id).await.get_str("own_caption_language").unwrap(), "en");

    // An unknown language: a clear message, and the caption that was there stays.
    let res = app.post_form("/api/set_caption", &[("id", &id), ("caption", "un chien"), ("language", "fr")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("language"));
    assert_eq!(app.photo_doc(&id).await.get_str("own_caption").unwrap(), "a dog on the beach");

    // Back to the model's caption: no own caption, no language.
    assert!(app.post_form("/api/use_model_caption", &[("id", &id)]).await.status().is_success());
    assert!(app.owned_photo(&id).await["own_caption_language"].is_null());
}

/// Uploads a fixture photo and stores its captions as a worker would: `english`, and `chinese`
/// as its Chinese caption (no model runs).
async fn upload_captioned_in_two_languages(app: &TestApp, english: &str, chinese: &str) -> String {
    use app::ssr::{caption_jobs, photos};
    let id = app.upload_ok("dog.jpg", fixture_photos(1).remove(0).1).await;
    let job = caption_jobs::claim(&photos::collection(&app.db), "test", Duration::from_secs(60))
        .await
        .unwrap()
        .expect("a waiting job");
    let suggestion = |text: &str| Suggestion { text: text.into(), score: -2.0, per_word: -0.4, unsure: false };
    let more = [(Language::Zh, photos::LanguageCaptions::new(vec![suggestion(chinese)], "caption-merge-zh".into()))];
    let (english, more) = ([suggestion(english)], more.into());
    assert!(photos::store_model_captions(&app.db, &job, &english, "caption-merge", &more).await.unwrap());
    id
}

#[tokio::test]
async fn readers_get_captions_in_their_language_from_account_cookie_or_browser() {
    let app = helpers::spawn_app().await.signed_up().await;
    let id = upload_captioned_in_two_languages(&app, "a dog runs on the grass", "一只狗在草地上奔跑").await;
    let gallery = |accept_language: &'static str| {
        let app = &app;
        async move {
            let res = app
                .client
                .post(format!("{}/api/list_photos", app.address))
                .header("Origin", &app.address)
                .header("Accept", "application/json")
                .header("Accept-Language", accept_language)
                .form(&[("q", "")])
                .send()
                .await
                .unwrap();
            let page: Value = res.json().await.unwrap();
            let tile = &page["photos"][0];
            (tile["shown_caption"].as_str().unwrap().to_owned(), tile["caption_language"].as_str().unwrap().to_owned())
        }
    };
    // The browser's languages, by preference; one we have no caption in falls back to English.
    assert_eq!(gallery("zh-CN,zh;q=0.9,en;q=0.8").await, ("一只狗在草地上奔跑".into(), "zh".into()));
    assert_eq!(gallery("fr, en;q=0.5").await, ("a dog runs on the grass".into(), "en".into()));
    assert_eq!(gallery("de").await, ("a dog runs on the grass".into(), "en".into()), "no German caption yet");

    // The switcher (a plain form): saved on the account and in a cookie, then back to the page.
    let switch = |language: &'static str, return_to: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/api/set_language", app.address))
                .header("Origin", &app.address)
                .header("Accept", "text/html")
                .form(&[("language", language), ("return_to", return_to)])
                .send()
                .await
                .unwrap()
        }
    };
    let res = switch("zh", "/dashboard?q=dog").await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/dashboard?q=dog");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("lang=zh;") && cookie.contains("HttpOnly") && cookie.contains("Max-Age=31536000"),
        "{cookie}"
    );
    let user = app.db.collection::<Document>("users").find_one(bson::doc! {}).await.unwrap().unwrap();
    assert_eq!(user.get_str("language").unwrap(), "zh");
    assert_eq!(gallery("de").await.1, "zh", "the reader's choice beats the browser's");
    assert_eq!(app.post_form("/api/get_language", &[]).await.json::<Value>().await.unwrap(), "zh");

    // Only back to this site; an unknown language is refused and changes nothing.
    assert_eq!(switch("de", "//evil.example/").await.headers()["location"], "/");
    let res = app.post_form("/api/set_language", &[("language", "xx"), ("return_to", "/")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(gallery("zh").await.1, "en", "German, chosen above, has no caption: English");

    // A visitor reading the public photo in Chinese gets its Chinese caption in the page and its
    // link preview.
    assert!(app
        .post_form("/api/set_visibility", &[("ids[0]", &id), ("visibility", "public")])
        .await
        .status()
        .is_success());
    let visitor = helpers::browser_like_client();
    let html = visitor
        .get(format!("{}/photos/{id}", app.address))
        .header("Accept", "text/html")
        .header("Accept-Language", "zh")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"<meta property="og:description" content="一只狗在草地上奔跑"#), "{html}");
    assert!(html.contains(r#"lang="zh""#), "the caption is marked as Chinese");
}

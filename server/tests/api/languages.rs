//! Captions in every enabled language, against a real MongoDB and the shipped models: one pass of
//! VGG16 feeds each language's decoder; a photo captioned before a language was enabled gets it
//! later without its English caption changing; the owner's caption records its language.

use std::time::{Duration, Instant};

use app::photo_view::Suggestion;
use bson::Document;
use captioner::{
    inference::{shipped_decoder_name, ModelPaths},
    text::Language,
};
use serde_json::Value;

use crate::helpers::{self, captioning_settings, fixture_photos, workspace, TestApp};

const OTHER_LANGUAGES: [Language; 3] = [Language::Zh, Language::De, Language::Ar];

/// Captioning settings with the shipped decoders of `languages` besides English.
fn settings_with(languages: &[Language]) -> server::configuration::Settings {
    let mut settings = captioning_settings(1);
    let models = workspace().join("models");
    settings.captions.model.more_languages =
        languages.iter().map(|l| ModelPaths::shipped_decoder(&models, *l)).collect();
    settings
}

/// The photo's stored captions in `language`, once they are there (panics after `limit`).
async fn wait_for_language(app: &TestApp, id: &str, language: Language, limit: Duration) -> Document {
    let started = Instant::now();
    loop {
        let photo = app.photo_doc(id).await;
        if let Ok(captions) = photo.get_document("more_languages").and_then(|m| m.get_document(language.code())) {
            return captions.clone();
        }
        assert!(started.elapsed() < limit, "no {language} caption after {limit:?}: {photo}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn suggestions(captions: &Document) -> Vec<Suggestion> {
    bson::from_bson(captions.get("suggestions").unwrap().clone()).unwrap()
}

#[tokio::test]
async fn a_photo_is_captioned_in_every_enabled_language() {
    let app = helpers::spawn_app_with(settings_with(&OTHER_LANGUAGES)).await.signed_up().await;
    let (name, bytes) = fixture_photos(1).remove(0);
    let id = app.upload_ok(&name, bytes).await;
    helpers::wait_until_captioned(&app.db, Duration::from_secs(180)).await;
    let photo = app.photo_doc(&id).await;
    assert_eq!(photo.get_str("caption_model").unwrap(), captioner::inference::SHIPPED_DECODER);
    let english = photo.get_str("caption").unwrap().to_owned();
    let words: Vec<String> = bson::from_bson(photo.get("caption_words").unwrap().clone()).unwrap();

    let details = app.owned_photo(&id).await;
    for language in OTHER_LANGUAGES {
        let captions = photo.get_document("more_languages").unwrap().get_document(language.code()).unwrap();
        assert_eq!(captions.get_str("model").unwrap(), shipped_decoder_name(language), "which model wrote it");
        let suggestions = suggestions(captions);
        assert_eq!(suggestions.len(), 3, "{language}: {suggestions:?}");
        let best = &suggestions[0].text;
        assert!(!best.is_empty() && best != &english, "{language}: {best:?}");
        // Written in its own script, and searchable by its words.
        let script_ok = match language {
            Language::Zh => best.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)),
            Language::Ar => best.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
            _ => best.chars().all(|c| !('\u{0600}'..='\u{06FF}').contains(&c)),
        };
        assert!(script_ok, "{language}: {best:?}");
        let language_words: Vec<String> = bson::from_bson(captions.get("words").unwrap().clone()).unwrap();
        assert!(!language_words.is_empty() && language_words.iter().all(|w| words.contains(w)), "{language}");
        // The photo page lists it, marked with its language and direction.
        let shown = details["more_languages"].as_array().unwrap();
        assert!(shown.iter().any(|c| c["language"] == language.code() && c["caption"] == *best), "{details}");
    }

    // A Chinese character of the Chinese caption finds the photo in the owner's search.
    let zh = suggestions(photo.get_document("more_languages").unwrap().get_document("zh").unwrap())[0].text.clone();
    let character = zh.chars().find(|c| ('\u{4E00}'..='\u{9FFF}').contains(c)).unwrap().to_string();
    let page: Value = app.post_form("/api/list_photos", &[("q", &character)]).await.json().await.unwrap();
    assert_eq!(helpers::ids(&page), std::slice::from_ref(&id), "searching {character:?} of {zh:?}");

    let html = app.get(&format!("/photos/{id}")).await.text().await.unwrap();
    assert!(html.contains(r#"lang="ar" dir="rtl""#), "the Arabic caption reads right to left");
}

#[tokio::test]
async fn a_photo_captioned_before_a_language_was_enabled_gets_it_and_keeps_its_english() {
    // Captioned by an English-only server...
    let app = helpers::spawn_app_with(captioning_settings(1)).await.signed_up().await;
    let (name, bytes) = fixture_photos(1).remove(0);
    let id = app.upload_ok(&name, bytes).await;
    helpers::wait_until_captioned(&app.db, Duration::from_secs(120)).await;
    let before = app.photo_doc(&id).await;
    assert!(before.get("more_languages").is_none_or(|m| m.as_document().is_some_and(Document::is_empty)));

    // ...then a server with Chinese enabled on the same database adds it while idle.
    let mut settings = settings_with(&[Language::Zh]);
    settings.database = app.db.name().to_owned();
    let _second = helpers::spawn_app_with(settings).await;
    let zh = wait_for_language(&app, &id, Language::Zh, Duration::from_secs(120)).await;
    assert_eq!(zh.get_str("model").unwrap(), shipped_decoder_name(Language::Zh));
    let after = app.photo_doc(&id).await;
    for field in ["caption", "suggestions", "caption_model", "job"] {
        assert_eq!(after.get(field), before.get(field), "{field} is unchanged: English is not captioned again");
    }
    assert!(after.get("languages_lease").is_none(), "the reservation is released");
    let zh_words: Vec<String> = bson::from_bson(zh.get("words").unwrap().clone()).unwrap();
    let words: Vec<String> = bson::from_bson(after.get("caption_words").unwrap().clone()).unwrap();
    assert!(zh_words.iter().all(|w| words.contains(w)), "searchable in Chinese: {words:?}");
}

/// The owner's own captions of a photo, by language code, as the photo page gets them.
async fn own_captions(app: &TestApp, id: &str) -> Value {
    app.owned_photo(id).await["own_captions"].clone()
}

#[tokio::test]
async fn the_owner_has_a_caption_of_their_own_in_each_language() {
    let app = helpers::spawn_app().await.signed_up().await;
    let id = app.upload_ok("hund.jpg", fixture_photos(1).remove(0).1).await;

    let res =
        app.post_form("/api/set_caption", &[("id", &id), ("caption", "Ein Hund am Strand"), ("language", "de")]).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(own_captions(&app, &id).await, serde_json::json!({ "de": "Ein Hund am Strand" }));

    // Without a language (a picked suggestion): English, the suggestions' language; the German
    // one stays. Both are searchable.
    let res = app.post_form("/api/set_caption", &[("id", &id), ("caption", "a dog on the beach")]).await;
    assert!(res.status().is_success());
    let both = serde_json::json!({ "en": "a dog on the beach", "de": "Ein Hund am Strand" });
    assert_eq!(own_captions(&app, &id).await, both);
    let words: Vec<String> = bson::from_bson(app.photo_doc(&id).await.get("own_words").unwrap().clone()).unwrap();
    assert!(words.contains(&"hund".to_owned()) && words.contains(&"beach".to_owned()), "{words:?}");

    // An unknown language: a clear message, and the captions that were there stay.
    let res = app.post_form("/api/set_caption", &[("id", &id), ("caption", "un chien"), ("language", "fr")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("ChooseCaptionLanguage"));
    assert_eq!(own_captions(&app, &id).await, both);

    // Back to the model's caption in German: the English one stays.
    let res = app.post_form("/api/use_model_caption", &[("id", &id), ("language", "de")]).await;
    assert!(res.status().is_success());
    assert_eq!(own_captions(&app, &id).await, serde_json::json!({ "en": "a dog on the beach" }));

    // A document from before there could be several keeps its one caption, as English when it
    // has no language, and is rewritten at the next change.
    app.db
        .collection::<Document>("photos")
        .update_one(
            bson::doc! { "_id": bson::oid::ObjectId::parse_str(&id).unwrap() },
            bson::doc! { "$set": { "own_caption": "Rex", "own_captions": {} }, "$unset": { "own_caption_language": "" } },
        )
        .await
        .unwrap();
    assert_eq!(own_captions(&app, &id).await, serde_json::json!({ "en": "Rex" }));
    let res = app.post_form("/api/set_caption", &[("id", &id), ("caption", "Rex am Meer"), ("language", "de")]).await;
    assert!(res.status().is_success());
    assert_eq!(own_captions(&app, &id).await, serde_json::json!({ "en": "Rex", "de": "Rex am Meer" }));
    assert!(app.photo_doc(&id).await.get("own_caption").is_none(), "the old field is gone");
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
    let suggestion =
        |text: &str| Suggestion { text: text.into(), score: -2.0, per_word: -0.4, weakest_words: None, unsure: false };
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
            let headers = [("Accept", "application/json"), ("Accept-Language", accept_language)];
            let res = app.post_form_with("/api/list_photos", &[("q", "")], &headers).await;
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
            let form = [("language", language), ("return_to", return_to)];
            app.post_form_with("/api/set_language", &form, &[("Accept", "text/html")]).await
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
    assert!(page_in(&app, "/dashboard", "de").await.contains(r#"<html lang="zh""#), "and the page's");

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

/// A page as a browser asks for it, with `Accept-Language`.
async fn page_in(app: &TestApp, path: &str, accept_language: &str) -> String {
    let url = format!("{}{path}", app.address);
    let res = app.client.get(url).header("Accept", "text/html").header("Accept-Language", accept_language);
    res.send().await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn the_interface_speaks_the_readers_language_from_account_cookie_or_browser() {
    let app = helpers::spawn_app().await;
    // A visitor: the browser's language, with its direction and its words.
    let german = page_in(&app, "/login", "de-DE,de;q=0.9").await;
    assert!(german.contains(r#"<html lang="de" dir="ltr""#), "{german}");
    assert!(german.contains("Registrieren") && german.contains("Anmelden"), "{german}");
    assert!(!german.contains(">Sign up<"), "no English left in the header: {german}");
    let arabic = page_in(&app, "/", "ar").await;
    assert!(arabic.contains(r#"<html lang="ar" dir="rtl""#), "{arabic}");
    assert!(arabic.contains("إنشاء حساب"), "{arabic}");
    assert!(page_in(&app, "/", "fr").await.contains(r#"<html lang="en" dir="ltr""#), "else English");

    // A form posted without JavaScript comes back with its problems in the page's language.
    let form = [("username", "x"), ("email", "nope"), ("password", "short"), ("password_confirmation", "other")];
    let referer = format!("{}/signup", app.address);
    let headers = [("Accept", "text/html"), ("Accept-Language", "zh"), ("Referer", referer.as_str())];
    let res = app.post_form_with("/api/signup", &form, &headers).await;
    let back = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).expect("back to the form");
    let back = back.strip_prefix(&app.address).unwrap_or(&back).to_owned();
    let page = page_in(&app, &back, "zh").await;
    assert!(page.contains("用户名至少需要 2 个字符。"), "{page}");
    assert!(page.contains("两次输入的密码不一致。"), "{page}");

    // The account's language beats the browser's; the switcher saves it.
    let app = app.signed_up().await;
    let form = [("language", "ar"), ("return_to", "/dashboard")];
    app.post_form_with("/api/set_language", &form, &[("Accept", "text/html")]).await;
    let dashboard = page_in(&app, "/dashboard", "de").await;
    assert!(dashboard.contains(r#"<html lang="ar" dir="rtl""#), "{dashboard}");
    assert!(dashboard.contains("تسجيل الخروج"), "{dashboard}");
}

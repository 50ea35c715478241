//! Sharing against the real app and database: the access matrix of every viewer, photo and way of
//! reading it; share links (expiry, passwords, views, revocation); profiles, Explore, public
//! search and likes; what non-owners get; link previews.

use bson::{doc, oid::ObjectId, DateTime, Document};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{self, fixture_photos, ids, TestApp};

impl TestApp {
    async fn set_visibility(&self, ids: &[&str], visibility: &str) -> reqwest::Response {
        let keys: Vec<String> = (0..ids.len()).map(|i| format!("ids[{i}]")).collect();
        let mut form: Vec<(&str, &str)> = keys.iter().map(String::as_str).zip(ids.iter().copied()).collect();
        form.push(("visibility", visibility));
        self.post_form("/api/set_visibility", &form).await
    }

    /// Makes a share link and returns its token.
    async fn share(&self, id: &str, expiry: &str, password: &str) -> String {
        let res =
            self.post_form("/api/create_share_link", &[("id", id), ("expiry", expiry), ("password", password)]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        body["path"].as_str().unwrap().strip_prefix("/s/").expect("a link path").to_owned()
    }

    async fn caption(&self, id: &str, caption: &str) {
        let res = self.post_form("/api/set_caption", &[("id", id), ("caption", caption)]).await;
        assert!(res.status().is_success(), "{}", res.status());
    }

    async fn json(&self, path: &str, form: &[(&str, &str)]) -> Value {
        let res = self.post_form(path, form).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.json().await.unwrap()
    }

    async fn status_of(&self, path: &str) -> StatusCode {
        self.client.get(format!("{}{path}", self.address)).send().await.unwrap().status()
    }

    async fn username(&self) -> String {
        self.whoami().await.expect("logged in")
    }
}

/// 200 → seen, 404 → unknown; any other answer fails the test.
fn seen(status: StatusCode, what: &str) -> bool {
    match status {
        StatusCode::OK => true,
        StatusCode::NOT_FOUND => false,
        other => panic!("{what}: {other}, expected 200 or 404"),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Private,
    LinkOnly,
    Public,
    Deleted,
}

const KINDS: [Kind; 4] = [Kind::Private, Kind::LinkOnly, Kind::Public, Kind::Deleted];

struct Shared {
    id: String,
    valid: String,
    expired: String,
    revoked: String,
    locked: String,
}

/// The owner's four photos, each with a valid, an expired, a revoked and a password link, then
/// made private, link-only, public or deleted.
async fn four_photos(owner: &TestApp) -> Vec<(Kind, Shared)> {
    let mut out = Vec::new();
    for (kind, (name, bytes)) in KINDS.into_iter().zip(fixture_photos(4)) {
        let id = owner.upload_ok(&name, bytes).await;
        owner.caption(&id, &format!("zebra {kind:?} crossing")).await;
        let valid = owner.share(&id, "7d", "").await;
        let expired = owner.share(&id, "1d", "").await;
        owner
            .db
            .collection::<Document>("share_links")
            .update_one(
                doc! { "token_hash": app::ssr::sessions::hash_token(&expired) },
                doc! { "$set": { "expires_at": DateTime::from_millis(DateTime::now().timestamp_millis() - 1000) } },
            )
            .await
            .unwrap();
        let revoked = owner.share(&id, "never", "").await;
        let links: Value = owner.json("/api/list_share_links", &[]).await;
        let revoked_id = links
            .as_array()
            .unwrap()
            .iter()
            .find(|l| revoked.starts_with(l["hint"].as_str().unwrap()) && l["photo_id"] == id.as_str())
            .expect("the new link is listed")["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(owner.post_form("/api/revoke_share_link", &[("id", &revoked_id)]).await.status(), StatusCode::OK);
        let locked = owner.share(&id, "30d", "open sesame").await;
        let visibility = match kind {
            Kind::Private => "private",
            Kind::LinkOnly => "link",
            Kind::Public | Kind::Deleted => "public",
        };
        assert_eq!(owner.set_visibility(&[&id], visibility).await.status(), StatusCode::OK);
        if kind == Kind::Deleted {
            assert_eq!(owner.post_form("/api/delete_photo", &[("id", &id)]).await.status(), StatusCode::OK);
        }
        out.push((kind, Shared { id, valid, expired, revoked, locked }));
    }
    out
}

#[tokio::test]
async fn every_viewer_sees_exactly_what_the_rule_allows() {
    let owner = helpers::spawn_app().await.signed_up().await;
    let owner_name = owner.username().await;
    let photos = four_photos(&owner).await;
    let other = owner.another_client().signed_up().await;
    let visitor = owner.another_client();

    // Owner, other user, visitor: the photo page, each copy, get_photo.
    for (viewer, who) in [(&owner, "owner"), (&other, "other"), (&visitor, "visitor")] {
        for (kind, photo) in &photos {
            let id = &photo.id;
            let expected = match who {
                "owner" => *kind != Kind::Deleted,
                _ => *kind == Kind::Public,
            };
            let what = format!("{who} x {kind:?}");
            assert_eq!(seen(viewer.get(&format!("/photos/{id}")).await.status(), &what), expected, "{what}: page");
            let res = viewer.post_form("/api/get_photo", &[("id", id)]).await;
            assert_eq!(seen(res.status(), &what), expected, "{what}: get_photo");
            if expected {
                let body: Value = res.json().await.unwrap();
                let owned = body.get("Owned").is_some();
                assert_eq!(owned, who == "owner", "{what}: owner's view only for the owner: {body}");
                assert!(who == "owner" || !body.to_string().contains(".jpg"), "{what}: no file name for others");
            }
            for variant in ["display", "thumb", "original"] {
                let may = expected && (who == "owner" || variant != "original");
                assert_eq!(seen(viewer.media(id, variant).await.status(), &what), may, "{what}: {variant}");
            }
            // The owner's gallery calls: caption updates answer for the owner's photos only.
            let updates = viewer.post_form("/api/caption_updates", &[("ids[0]", id)]).await;
            if who == "visitor" {
                assert_eq!(updates.status(), StatusCode::UNAUTHORIZED, "{what}");
            } else {
                let found: Value = updates.json().await.unwrap();
                let listed = !found.as_array().unwrap().is_empty();
                assert_eq!(listed, who == "owner" && *kind != Kind::Deleted, "{what}: caption_updates");
            }
        }
    }

    // Holders of each kind of link, without an account: the link page, its copies, get_photo.
    for (kind, photo) in &photos {
        let holder = owner.another_client();
        for (token, link) in [
            (&photo.valid, "valid"),
            (&photo.expired, "expired"),
            (&photo.revoked, "revoked"),
            (&photo.locked, "locked"),
        ] {
            let what = format!("{link} link x {kind:?}");
            let opens = link == "valid" && matches!(kind, Kind::LinkOnly | Kind::Public);
            let page = holder.get(&format!("/s/{token}")).await;
            let asks_password = link == "locked" && matches!(kind, Kind::LinkOnly | Kind::Public);
            assert_eq!(seen(page.status(), &what), opens || asks_password, "{what}: page");
            for variant in ["display", "thumb"] {
                assert_eq!(
                    seen(holder.status_of(&format!("/s/{token}/{variant}")).await, &what),
                    opens,
                    "{what}: {variant}"
                );
            }
            assert!(
                !seen(holder.status_of(&format!("/s/{token}/original")).await, &what),
                "{what}: never the original"
            );
            let res = holder.post_form("/api/open_shared", &[("token", token)]).await;
            assert_eq!(seen(res.status(), &what), opens || asks_password, "{what}: open_shared");
            if asks_password {
                let body: Value = res.json().await.unwrap();
                assert_eq!(body, "NeedsPassword", "{what}: nothing of the photo before the password");
                let wrong = holder.post_form("/api/unlock_shared", &[("token", token), ("password", "wrong")]).await;
                assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY, "{what}: wrong password");
                assert!(!seen(holder.status_of(&format!("/s/{token}/display")).await, &what), "{what}: still locked");
            }
        }
        // A link opens its own path only: the photo's /media copies follow the photo's visibility.
        let _ = holder.get(&format!("/s/{}", photo.valid)).await;
        let public = *kind == Kind::Public;
        assert_eq!(seen(holder.media(&photo.id, "display").await.status(), "media"), public, "{kind:?} via /media");
        let res = holder.post_form("/api/get_photo", &[("id", &photo.id)]).await;
        assert_eq!(seen(res.status(), "get_photo"), public, "{kind:?}: get_photo with a link");
    }

    // Lists anyone may read: Explore, the profile, public search. Only the public photo.
    let public_id = photos.iter().find(|(k, _)| *k == Kind::Public).unwrap().1.id.clone();
    for (viewer, who) in [(&owner, "owner"), (&other, "other"), (&visitor, "visitor")] {
        let explore = viewer.json("/api/explore", &[]).await;
        assert_eq!(ids(&explore), [public_id.as_str()], "{who}: explore");
        let search = viewer.json("/api/explore", &[("q", "zebra crossing")]).await;
        assert_eq!(ids(&search), [public_id.as_str()], "{who}: public search");
        let profile = viewer.json("/api/get_profile", &[("username", &owner_name)]).await;
        assert_eq!(ids(&profile["photos"]), [public_id.as_str()], "{who}: profile");
        assert!(!explore.to_string().contains(".jpg") && !profile.to_string().contains(".jpg"), "no file names");
    }
    // The owner's own search still finds all of theirs that exist.
    let mine = owner.json("/api/list_photos", &[("q", "zebra crossing")]).await;
    assert_eq!(ids(&mine).len(), 3);
    let theirs = other.json("/api/list_photos", &[("q", "zebra crossing")]).await;
    assert!(ids(&theirs).is_empty());

    // Writes stay the owner's: another user cannot change, share or delete.
    for id in photos.iter().map(|(_, p)| p.id.as_str()) {
        assert_eq!(other.set_visibility(&[id], "public").await.status(), StatusCode::NOT_FOUND);
        let res = other.post_form("/api/create_share_link", &[("id", id), ("expiry", "7d"), ("password", "")]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(other.post_form("/api/delete_photo", &[("id", id)]).await.status(), StatusCode::NOT_FOUND);
    }
    let links: Value = owner.json("/api/list_share_links", &[]).await;
    let link_id = links[0]["id"].as_str().unwrap();
    assert_eq!(other.post_form("/api/revoke_share_link", &[("id", link_id)]).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(visitor.set_visibility(&[&public_id], "private").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn links_expire_count_views_and_are_revoked_one_by_one() {
    let owner = helpers::spawn_app().await.signed_up().await;
    let (name, bytes) = fixture_photos(1).remove(0);
    let id = owner.upload_ok(&name, bytes).await;
    // A private photo becomes link-only when a link is made.
    let token = owner.share(&id, "30d", "").await;
    assert_eq!(owner.photo_doc(&id).await.get_str("visibility").unwrap(), "link");
    assert!(token.len() >= 22, "at least 128 bits: {token}");

    let now = DateTime::now().timestamp_millis();
    let mut expiries = Vec::new();
    for expiry in ["1d", "7d", "30d", "never"] {
        owner.share(&id, expiry, "").await;
        let newest = owner
            .db
            .collection::<Document>("share_links")
            .find_one(doc! {})
            .sort(doc! { "_id": -1 })
            .await
            .unwrap()
            .unwrap();
        expiries.push(newest.get_datetime("expires_at").ok().map(|at| (at.timestamp_millis() - now) / 3_600_000));
    }
    assert_eq!(expiries, [Some(24), Some(7 * 24), Some(30 * 24), None], "hours until each link ends");
    // The token is not stored, only its hash.
    let stored: Vec<Document> = {
        use futures::TryStreamExt;
        owner.db.collection::<Document>("share_links").find(doc! {}).await.unwrap().try_collect().await.unwrap()
    };
    assert!(stored.iter().all(|l| !l.to_string().contains(&token)));

    let visitor = owner.another_client();
    for _ in 0..3 {
        assert_eq!(visitor.get(&format!("/s/{token}")).await.status(), StatusCode::OK);
    }
    let links: Value = owner.json("/api/list_share_links", &[]).await;
    assert_eq!(links.as_array().unwrap().len(), 5);
    let this = links.as_array().unwrap().iter().find(|l| token.starts_with(l["hint"].as_str().unwrap())).unwrap();
    assert_eq!(this["views"], 3);
    assert_eq!(this["photo_id"], id.as_str());

    // Revoking one leaves the others.
    let res = owner.post_form("/api/revoke_share_link", &[("id", this["id"].as_str().unwrap())]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(visitor.get(&format!("/s/{token}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(owner.json("/api/list_share_links", &[]).await.as_array().unwrap().len(), 4);

    // Made private again: every link answers 404; made link-only again, they work again.
    let another = owner.share(&id, "7d", "").await;
    owner.set_visibility(&[&id], "private").await;
    assert_eq!(visitor.get(&format!("/s/{another}")).await.status(), StatusCode::NOT_FOUND);
    owner.set_visibility(&[&id], "link").await;
    assert_eq!(visitor.get(&format!("/s/{another}")).await.status(), StatusCode::OK);

    // Deleting the photo removes its links.
    owner.post_form("/api/delete_photo", &[("id", &id)]).await;
    assert_eq!(visitor.get(&format!("/s/{another}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(owner.db.collection::<Document>("share_links").count_documents(doc! {}).await.unwrap(), 0);
}

#[tokio::test]
async fn a_link_password_opens_the_photo_and_guesses_are_limited() {
    let owner = helpers::spawn_app().await.signed_up().await;
    let (name, bytes) = fixture_photos(1).remove(0);
    let id = owner.upload_ok(&name, bytes).await;
    owner.caption(&id, "a secret garden").await;
    let token = owner.share(&id, "7d", "open sesame").await;
    let hash = owner.db.collection::<Document>("share_links").find_one(doc! {}).await.unwrap().unwrap();
    assert!(hash.get_str("password_hash").unwrap().starts_with("$argon2id$"));

    let visitor = owner.another_client();
    let locked = visitor.get(&format!("/s/{token}")).await.text().await.unwrap();
    assert!(locked.contains("This photo has a password") && !locked.contains("secret garden"), "nothing leaks");
    let res = visitor.post_form("/api/unlock_shared", &[("token", &token), ("password", "open sesame")]).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    let page = visitor.get(&format!("/s/{token}")).await.text().await.unwrap();
    assert!(page.contains("a secret garden"));
    assert_eq!(visitor.status_of(&format!("/s/{token}/display")).await, StatusCode::OK);
    // Another browser still needs the password.
    assert_eq!(owner.another_client().status_of(&format!("/s/{token}/display")).await, StatusCode::NOT_FOUND);

    // Guessing: 10 a minute per link and address, then 429. The limits count in fixed windows of
    // clock time: the guesses start early in a minute, so that all of them fall in one.
    helpers::wait_for_a_minute_with_seconds_left(30).await;
    let guesser = owner.client_from("127.0.0.31");
    let mut statuses = Vec::new();
    for i in 0..12 {
        let res =
            guesser.post_form("/api/unlock_shared", &[("token", &token), ("password", &format!("guess-{i}"))]).await;
        statuses.push(res.status());
    }
    assert!(statuses[..10].iter().all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY), "{statuses:?}");
    assert_eq!(statuses[11], StatusCode::TOO_MANY_REQUESTS);
    // Even the right password waits now.
    let res = guesser.post_form("/api/unlock_shared", &[("token", &token), ("password", "open sesame")]).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);

    // Revoking ends the grant too.
    let links: Value = owner.json("/api/list_share_links", &[]).await;
    owner.post_form("/api/revoke_share_link", &[("id", links[0]["id"].as_str().unwrap())]).await;
    assert_eq!(visitor.status_of(&format!("/s/{token}/display")).await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn profiles_settings_and_the_default_visibility() {
    let owner = helpers::spawn_app().await.signed_up().await;
    let name = owner.username().await;
    let res = owner
        .post_form(
            "/api/save_settings",
            &[
                ("display_name", "Ann <b>Lee</b>"),
                ("bio", "I take photos.\n<script>alert(1)</script>"),
                ("default_visibility", "public"),
                ("profile_public", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let settings = owner.json("/api/get_settings", &[]).await;
    assert_eq!(settings["default_visibility"], "public");
    // New uploads take the default.
    let (file, bytes) = fixture_photos(1).remove(0);
    let id = owner.upload_ok(&file, bytes).await;
    assert_eq!(owner.photo_doc(&id).await.get_str("visibility").unwrap(), "public");

    let visitor = owner.another_client();
    let profile = visitor.json("/api/get_profile", &[("username", &name.to_uppercase())]).await;
    assert_eq!(profile["owner"]["name"], "Ann <b>Lee</b>");
    assert_eq!(ids(&profile["photos"]), [id.as_str()]);
    let html = visitor.get(&format!("/u/{name}")).await.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)") && !html.contains("<b>Lee"), "profile text is escaped");
    assert!(html.contains("&lt;script&gt;alert(1)"));
    // The settings page shows the saved values without JavaScript, escaped.
    let page = owner.get("/settings").await.text().await.unwrap();
    assert!(page.contains("I take photos.") && !page.contains("<script>alert(1)"), "settings form escaped");

    // Too long or unknown values: a clear 422, nothing changed.
    for (field, value) in
        [("display_name", "x".repeat(51)), ("bio", "x".repeat(301)), ("default_visibility", "friends".into())]
    {
        let mut form =
            vec![("display_name", "Ann".to_owned()), ("bio", String::new()), ("default_visibility", "private".into())];
        form.retain(|(f, _)| *f != field);
        form.push((field, value));
        let form: Vec<(&str, &str)> = form.iter().map(|(f, v)| (*f, v.as_str())).collect();
        assert_eq!(
            owner.post_form("/api/save_settings", &form).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
    }
    assert_eq!(owner.json("/api/get_settings", &[]).await["default_visibility"], "public");

    // A private profile and an unknown user: 404 alike.
    owner
        .post_form("/api/save_settings", &[("display_name", ""), ("bio", ""), ("default_visibility", "private")])
        .await;
    assert_eq!(visitor.get(&format!("/u/{name}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(visitor.get("/u/nobody-has-this-name").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(owner.get(&format!("/u/{name}")).await.status(), StatusCode::OK, "the owner still sees it");
    // Its public photo is still on Explore, without a profile link.
    let explore = visitor.json("/api/explore", &[]).await;
    assert_eq!(explore["photos"][0]["owner"]["has_profile"], false);
}

#[tokio::test]
async fn explore_pages_by_cursor_and_likes_count_once() {
    let owner = helpers::spawn_app().await.signed_up().await;
    let mut uploaded = Vec::new();
    for (name, bytes) in fixture_photos(26) {
        uploaded.push(owner.upload_ok(&name, bytes).await);
    }
    let all: Vec<&str> = uploaded.iter().map(String::as_str).collect();
    let res: Value = owner.set_visibility(&all, "public").await.json().await.unwrap();
    assert_eq!(res, 26);
    let visitor = owner.another_client();
    let first = visitor.json("/api/explore", &[]).await;
    assert_eq!(ids(&first).len(), 24);
    assert_eq!(ids(&first)[0], uploaded[25], "newest first");
    let second = visitor.json("/api/explore", &[("before", first["next"].as_str().unwrap())]).await;
    assert_eq!(ids(&second), [uploaded[1].clone(), uploaded[0].clone()]);
    assert!(second["next"].is_null());
    assert!(first["photos"][0]["liked"].is_null(), "a visitor cannot like");

    let fan = owner.another_client().signed_up().await;
    let id = &uploaded[3];
    for _ in 0..2 {
        assert_eq!(fan.json("/api/set_like", &[("id", id), ("like", "true")]).await, 1, "one like per user");
    }
    assert_eq!(owner.json("/api/set_like", &[("id", id), ("like", "true")]).await, 2);
    let liked = fan.json("/api/liked_photos", &[]).await;
    assert_eq!(ids(&liked), [id.as_str()]);
    assert_eq!(liked["photos"][0]["liked"], true);
    assert_eq!(liked["photos"][0]["likes"], 2);
    assert_eq!(
        visitor.post_form("/api/set_like", &[("id", id), ("like", "true")]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(fan.json("/api/set_like", &[("id", id), ("like", "false")]).await, 1);
    assert!(ids(&fan.json("/api/liked_photos", &[]).await).is_empty());

    // Liked, then made link-only: gone from the Liked tab, and it cannot be liked.
    fan.json("/api/set_like", &[("id", id), ("like", "true")]).await;
    owner.set_visibility(&[id], "link").await;
    assert!(ids(&fan.json("/api/liked_photos", &[]).await).is_empty());
    assert_eq!(fan.post_form("/api/set_like", &[("id", id), ("like", "true")]).await.status(), StatusCode::NOT_FOUND);
    // Deleting a photo removes its likes.
    owner.post_form("/api/delete_photo", &[("id", id)]).await;
    let likes = owner.db.collection::<Document>("likes");
    assert_eq!(likes.count_documents(doc! { "photo_id": ObjectId::parse_str(id).unwrap() }).await.unwrap(), 0);
}

#[tokio::test]
async fn shared_photos_preview_with_their_caption_and_cache_by_visibility() {
    let owner = helpers::spawn_app().await.signed_up().await;
    let (name, bytes) = fixture_photos(1).remove(0);
    let id = owner.upload_ok(&name, bytes).await;
    owner.caption(&id, "a dog \"jumps\" <over> the fence").await;
    let token = owner.share(&id, "7d", "").await;
    let visitor = owner.another_client();

    let preview = |html: &str, property: &str| {
        let at =
            html.find(&format!("property=\"{property}\"")).or_else(|| html.find(&format!("name=\"{property}\"")))?;
        let tag = &html[html[..at].rfind('<')?..at + html[at..].find('>')?];
        let content = tag.find("content=\"")? + 9;
        Some(tag[content..content + tag[content..].find('"')?].to_owned())
    };
    let caption = "a dog &quot;jumps&quot; &lt;over&gt; the fence";
    let link_page = visitor.get(&format!("/s/{token}")).await;
    assert!(link_page.headers()["cache-control"].to_str().unwrap().contains("no-store"));
    let html = link_page.text().await.unwrap();
    assert_eq!(preview(&html, "og:title").as_deref(), Some(caption), "{html}");
    assert!(preview(&html, "og:description").unwrap().starts_with(caption));
    assert_eq!(preview(&html, "twitter:card").as_deref(), Some("summary_large_image"));
    let image = preview(&html, "og:image").unwrap();
    assert!(image.starts_with("http://") && image.ends_with(&format!("/s/{token}/display")), "{image}");
    assert!(html.contains(&format!("alt=\"{caption}\"")), "the caption is the alt text");
    assert!(!html.contains(&name), "no file name");

    // Link-only copies stay private; public ones may be cached by anyone; the original never.
    let cache = |res: reqwest::Response| res.headers()["cache-control"].to_str().unwrap().to_owned();
    let link_copy = visitor.client.get(format!("{}/s/{token}/display", owner.address)).send().await.unwrap();
    assert!(cache(link_copy).starts_with("private"));
    owner.set_visibility(&[&id], "public").await;
    assert_eq!(cache(visitor.media(&id, "display").await), "public, max-age=300");
    assert_eq!(cache(visitor.media(&id, "thumb").await), "public, max-age=300");
    assert!(cache(owner.media(&id, "original").await).starts_with("private"));
    let html = visitor.get(&format!("/photos/{id}")).await.text().await.unwrap();
    assert_eq!(preview(&html, "og:title").as_deref(), Some(caption));
    assert!(preview(&html, "og:image").unwrap().ends_with(&format!("/media/{id}/display")));
    assert!(!html.contains(&name) && !html.contains("/original"), "no file name, no original for others");
}

/// Every id of the pages that `endpoint` gives `client` for `form`, following each page's cursor.
async fn every_page(client: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut form = form.to_vec();
        if let Some(cursor) = &cursor {
            form.push(("before", cursor.as_str()));
        }
        let page = client.json(endpoint, &form).await;
        seen.extend(ids(&page));
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return seen,
        }
    }
}

#[tokio::test]
async fn explore_gallery_and_search_page_through_photos_spread_over_years() {
    use app::ssr::photos::{self, Photo};
    let owner = helpers::spawn_app().await.signed_up().await;
    let (name, bytes) = fixture_photos(1).remove(0);
    let template: Photo = bson::from_document(owner.photo_doc(&owner.upload_ok(&name, bytes).await).await).unwrap();
    photos::collection(&owner.db).delete_many(doc! {}).await.unwrap();
    // 60 public photos, from now back to 3 years ago, unevenly: some pages need wider windows
    // of time, and gather their photos from several of them; every other one shows a dog.
    let now = DateTime::now().timestamp_millis() / 1000;
    let (mut stored, mut dogs) = (Vec::new(), Vec::new());
    for i in 0..60i64 {
        let age = i * i * 30_000; // up to ~3.3 years
        let id = ObjectId::from_parts((now - age) as u32, [1; 5], [0, 0, i as u8]);
        let animal = if i % 2 == 0 { "dog" } else { "cat" };
        let photo = Photo {
            id,
            visibility: app::photo_view::Visibility::Public,
            caption_words: vec![animal.to_owned()],
            ..template.clone()
        };
        photos::collection(&owner.db).insert_one(&photo).await.unwrap();
        stored.push(id.to_hex());
        if animal == "dog" {
            dogs.push(id.to_hex());
        }
    }
    // The account is as old as its photos, bar five minutes: the clocks of two servers may
    // differ that much, and a gallery looks no further back than its owner's account (less ten
    // minutes).
    let oldest = ObjectId::parse_str(stored.last().unwrap()).unwrap().timestamp().timestamp_millis();
    owner
        .db
        .collection::<Document>("users")
        .update_one(doc! {}, doc! { "$set": { "created_at": DateTime::from_millis(oldest + 300_000) } })
        .await
        .unwrap();
    let visitor = owner.another_client();
    assert_eq!(every_page(&visitor, "/api/explore", &[]).await, stored, "Explore: every photo once, newest first");
    assert_eq!(every_page(&owner, "/api/list_photos", &[]).await, stored, "the owner's gallery, the same");
    assert_eq!(every_page(&owner, "/api/list_photos", &[("q", "dog")]).await, dogs, "a search, the same");
}

//! Black-box tests: the whole app on a random port, over HTTP, against a real MongoDB server.

use crate::helpers;

use app::ssr::AuthSettings;
use reqwest::StatusCode;

fn unique(prefix: &str) -> String {
    format!("{prefix}{}", bson::oid::ObjectId::new().to_hex())
}

#[tokio::test]
async fn healthz_answers_200_with_the_database_up() {
    let app = helpers::spawn_app().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn healthz_answers_503_once_the_database_is_gone() {
    // A database server of this test's own, so that stopping it disturbs no other test.
    let mut database = helpers::DatabaseServer::in_memory().await;
    let app = helpers::spawn_app_with(helpers::settings(database.uri(), AuthSettings::default())).await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    database.kill();
    assert_eq!(app.get("/healthz").await.status(), StatusCode::SERVICE_UNAVAILABLE);
}

/// The site's own files: the precompressed copy that the request accepts, or the file itself, each
/// marked as varying by the encoding asked for (so that no shared cache mixes them up).
#[tokio::test]
async fn site_files_come_in_the_encoding_asked_for_and_say_they_vary_by_it() {
    let site = std::env::temp_dir().join(unique("captioned-site-"));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    let whole = "console.log('the whole file');\n".repeat(40);
    std::fs::write(site.join("pkg/app.js"), &whole).unwrap();
    std::fs::write(site.join("pkg/app.js.br"), "the brotli copy").unwrap();
    std::fs::write(site.join("pkg/app.js.gz"), "the gzip copy").unwrap();
    let mut settings = helpers::settings(helpers::mongodb_uri(), AuthSettings::default());
    settings.leptos_options.site_root = site.to_str().unwrap().into();
    let app = helpers::spawn_app_with(settings).await;

    for (accepted, encoding, body) in [
        ("br, gzip", Some("br"), "the brotli copy"),
        ("gzip", Some("gzip"), "the gzip copy"),
        ("identity", None, whole.as_str()),
    ] {
        let res = app
            .client
            .get(format!("{}/pkg/app.js", app.address))
            .header("accept-encoding", accepted)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{accepted}");
        assert_eq!(res.headers().get("content-encoding").map(|v| v.to_str().unwrap()), encoding, "{accepted}");
        assert!(res.headers().get("content-type").unwrap().to_str().unwrap().starts_with("text/javascript"));
        let vary: Vec<&str> = res.headers().get_all("vary").iter().map(|v| v.to_str().unwrap()).collect();
        assert!(vary.iter().any(|v| v.contains("accept-encoding")), "{accepted}: vary {vary:?}");
        assert_eq!(res.text().await.unwrap(), body, "{accepted}");
    }
    std::fs::remove_dir_all(site).unwrap();
}

#[tokio::test]
async fn signup_sets_a_safe_session_cookie_and_logs_in() {
    let app = helpers::spawn_app().await;
    let name = unique("u");
    let res = app.signup(&name, &format!("{name}@example.com"), "password-123").await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(res.headers().get("location").unwrap(), "/dashboard");
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.starts_with("captioned_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Max-Age"), "without remember-me the cookie ends with the browser: {cookie}");
    assert_eq!(app.whoami().await.as_deref(), Some(name.as_str()));
}

#[tokio::test]
async fn remember_me_keeps_the_cookie_for_30_days_and_each_login_gets_a_new_token() {
    let app = helpers::spawn_app().await;
    let name = unique("u");
    let email = format!("{name}@example.com");
    app.signup(&name, &email, "password-123").await;
    let first = app.login(&email, "password-123", true).await;
    let second = app.login(&email, "password-123", false).await;
    let cookie = |r: &reqwest::Response| r.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    let (first, second) = (cookie(&first), cookie(&second));
    assert!(first.contains("Max-Age=2592000"), "{first}");
    assert_ne!(first.split(';').next(), second.split(';').next());
}

#[tokio::test]
async fn a_plain_form_post_is_redirected_like_a_browser_expects() {
    let app = helpers::spawn_app().await;
    let name = unique("u");
    let res = app
        .client
        .post(format!("{}/api/signup", app.address))
        .header("Origin", &app.address)
        .header("Referer", format!("{}/signup", app.address))
        .header("Accept", "text/html")
        .form(&[("username", name.as_str()), ("email", "bad-email"), ("password", "x"), ("password_confirmation", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers().get("location").unwrap().to_str().unwrap();
    assert!(location.starts_with(&format!("{}/signup?", app.address)) && location.contains("__err="), "{location}");
    // The page it goes back to shows the messages and what was typed.
    let page = app.client.get(location).header("Accept", "text/html").send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Please enter a valid email address"), "no message in the page");
    assert!(page.contains(&name), "the username typed is lost");
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = helpers::spawn_app().await;
    let res = app
        .client
        .post(format!("{}/api/login", app.address))
        .header("Origin", "http://evil.example")
        .form(&[("email", "a@b.co"), ("password", "whatever")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.client.post(format!("{}/api/logout", app.address)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no Origin and no Referer");
}

#[tokio::test]
async fn wrong_email_and_wrong_password_get_the_same_answer() {
    let app = helpers::spawn_app().await;
    let name = unique("u");
    let email = format!("{name}@example.com");
    app.signup(&name, &email, "password-123").await;
    let wrong_password = app.login(&email, "password-999", false).await;
    let wrong_email = app.login(&format!("x{email}"), "password-123", false).await;
    assert_eq!(wrong_password.status(), wrong_email.status());
    let (a, b) = (wrong_password.text().await.unwrap(), wrong_email.text().await.unwrap());
    assert!(a.contains("BadCredentials") && b.contains("BadCredentials"), "{a} / {b}");
}

#[tokio::test]
async fn login_attempts_are_rate_limited() {
    let auth = AuthSettings { attempts_per_minute: 3, ..AuthSettings::default() };
    let app = helpers::spawn_app_with(helpers::settings(helpers::mongodb_uri(), auth)).await;
    for _ in 0..3 {
        let body = app.login("victim@example.com", "guess-guess", false).await.text().await.unwrap();
        assert!(body.contains("BadCredentials"), "{body}");
    }
    // The fourth is refused within the minute; the limits count in fixed windows, so should a
    // minute end between the guesses, the quarter-hour's allowance of six still refuses the seventh.
    let mut last = String::new();
    for _ in 0..4 {
        last = app.login("victim@example.com", "guess-guess", false).await.text().await.unwrap();
        if last.contains("RateLimited") {
            break;
        }
    }
    assert!(last.contains("RateLimited") && last.contains("retry_after_secs"), "{last}");
}

#[tokio::test]
async fn logout_ends_the_session_even_for_a_copied_cookie() {
    let app = helpers::spawn_app().await;
    let name = unique("u");
    let res = app.signup(&name, &format!("{name}@example.com"), "password-123").await;
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    let res = app.post_form("/api/logout", &[]).await;
    assert!(res.headers().get("set-cookie").unwrap().to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(app.whoami().await, None);
    // replaying the old cookie by hand does not work either
    let replay = reqwest::Client::new()
        .post(format!("{}/api/current_user", app.address))
        .header("Origin", &app.address)
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(replay, "null");
}

#[tokio::test]
async fn the_dashboard_sends_visitors_to_the_login_page_and_greets_users() {
    let app = helpers::spawn_app().await;
    let res = app.get("/dashboard").await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers().get("location").unwrap(), "/login?next=/dashboard");

    let name = unique("u");
    app.signup(&name, &format!("{name}@example.com"), "password-123").await;
    let page = app.get("/dashboard").await.text().await.unwrap();
    // leptos marks the dynamic text with <!> for hydration
    assert!(page.replace("<!>", "").contains(&format!("Hello, {name}!")), "{page}");
    assert!(page.contains("No photos yet"));
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let app = helpers::spawn_app().await;
    assert_eq!(app.get("/no/such/page").await.status(), StatusCode::NOT_FOUND);
}

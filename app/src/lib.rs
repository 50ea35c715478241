//! Captioned's web app: the pages and their server functions, rendered on the server (`ssr`)
//! and hydrated in the browser (`hydrate`).

pub mod auth;
pub mod domain;
pub mod error;
pub mod gallery;
pub mod i18n;
pub mod layout;
pub mod locale;
pub mod page_data;
pub mod pages;
pub mod photo_view;
pub mod polling;
pub mod search;
pub mod sharing;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod uploader;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    lazy_route, path, Lazy, LazyRoute, SsrMode, StaticSegment,
};

use crate::{
    layout::{NotFound, SiteHeader},
    pages::{
        dashboard::DashboardPage, explore::ExplorePage, home::HomePage, links::LinksPage, login::LoginPage,
        photo::PhotoPage, profile::ProfilePage, settings::SettingsPage, shared_link::SharedLinkPage,
        signup::SignupPage,
    },
};

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    ssr::security::set_page_policy();
    // The page's language (decided once for this request) and its direction; the browser reads
    // it back from here when it hydrates (`i18n::page_language`).
    let language = i18n::page_language();
    view! {
        <!DOCTYPE html>
        <html lang=language.code() dir=language.direction()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    i18n::provide_texts();
    view! {
        <Stylesheet id="leptos" href="/pkg/captioned.css"/>
        <Title formatter=page_title/>
        <Router>
            <Layout/>
        </Router>
    }
}

/// The document title of a page: "<page> · Captioned".
fn page_title(page: String) -> String {
    let site = i18n::use_texts().common.site_name;
    unescaped_child_text(&if page.is_empty() { site.to_owned() } else { format!("{page} · {site}") })
}

/// Text made safe to write between HTML tags, also in an element whose text is not parsed for
/// tags but still for entities and its own end tag (`<title>`, `<textarea>`).
pub fn escape_html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The text child of an element that Leptos 0.8 writes as is during SSR, without escaping it:
/// `<title>` (leptos_meta) and `<textarea>`. The server escapes it here (`</title>` in a file name
/// would end the element); the browser sets it as plain text.
pub fn unescaped_child_text(text: &str) -> String {
    if cfg!(feature = "ssr") {
        escape_html_text(text)
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_cannot_end_its_element() {
        assert_eq!(super::escape_html_text("</title><b>&amp;"), "&lt;/title&gt;&lt;b&gt;&amp;amp;");
        assert_eq!(super::escape_html_text("a dog · café"), "a dog · café");
    }
}

/// A page whose code is in wasm files of its own (`cargo leptos build --split`, which every build of
/// the site must use: a plain build cannot hydrate these pages), fetched with the page
/// (`ssr::page_code`): the wasm that every page loads is a fifth smaller. The pages that stay in
/// it are the ones a visit starts on: home, sign-up, log-in and the dashboard.
macro_rules! lazy_page {
    ($route:ident, $route_snake_case:ident, $page:ident) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                #[cfg(feature = "ssr")]
                ssr::page_code::preload_page_code(stringify!($route_snake_case));
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    };
}

lazy_page!(PhotoRoute, photo_route, PhotoPage);
lazy_page!(ExploreRoute, explore_route, ExplorePage);
lazy_page!(LinksRoute, links_route, LinksPage);
lazy_page!(SettingsRoute, settings_route, SettingsPage);
lazy_page!(ProfileRoute, profile_route, ProfilePage);
lazy_page!(SharedLinkRoute, shared_link_route, SharedLinkPage);

/// Inside the router, so that the actions can pick up errors of a form posted without JavaScript.
#[component]
fn Layout() -> impl IntoView {
    auth::provide_auth();
    let t = i18n::use_texts();
    // Async: the page is rendered whole before it is sent, so that a redirect to the log-in page
    // is a real HTTP redirect.
    view! {
        <SiteHeader/>
        <main class="container">
            <Routes fallback=NotFound>
                <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async/>
                <Route path=StaticSegment("signup") view=SignupPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("dashboard") view=DashboardPage ssr=SsrMode::Async/>
                <Route path=path!("/photos/:id") view={Lazy::<PhotoRoute>::new()} ssr=SsrMode::Async/>
                <Route path=StaticSegment("explore") view={Lazy::<ExploreRoute>::new()} ssr=SsrMode::Async/>
                <Route path=StaticSegment("links") view={Lazy::<LinksRoute>::new()} ssr=SsrMode::Async/>
                <Route path=StaticSegment("settings") view={Lazy::<SettingsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/u/:username") view={Lazy::<ProfileRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/s/:token") view={Lazy::<SharedLinkRoute>::new()} ssr=SsrMode::Async/>
            </Routes>
        </main>
        <footer class="site-footer">{t.common.footer}</footer>
    }
}

//! Captioned's web app: the pages and their server functions, rendered on the server (`ssr`)
//! and hydrated in the browser (`hydrate`).

pub mod auth;
pub mod domain;
pub mod error;
pub mod gallery;
pub mod layout;
pub mod pages;
pub mod photo_view;
pub mod polling;
pub mod search;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod uploader;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode, StaticSegment,
};

use crate::{
    layout::{NotFound, SiteHeader},
    pages::{dashboard::DashboardPage, home::HomePage, login::LoginPage, photo::PhotoPage, signup::SignupPage},
};

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    ssr::security::set_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
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
    view! {
        <Stylesheet id="leptos" href="/pkg/captioned.css"/>
        <Title formatter=|page: String| if page.is_empty() { "Captioned".to_owned() } else { format!("{page} · Captioned") }/>
        <Router>
            <Layout/>
        </Router>
    }
}

/// Inside the router, so that the actions can pick up errors of a form posted without JavaScript.
#[component]
fn Layout() -> impl IntoView {
    auth::provide_auth();
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
                <Route path=path!("/photos/:id") view=PhotoPage ssr=SsrMode::Async/>
            </Routes>
        </main>
        <footer class="site-footer">"Captioned — your photos, described by a neural network that runs on this server."</footer>
    }
}

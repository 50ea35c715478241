//! The parts of every page: header with the account menu, and the not-found page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::auth::use_auth;

#[component]
pub fn SiteHeader() -> impl IntoView {
    let auth = use_auth();
    view! {
        <header class="site-header">
            <A href="/" attr:class="brand">"Captioned"</A>
            <nav class="account-menu">
                <A href="/explore">"Explore"</A>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match auth.user.await {
                            Ok(Some(user)) => view! {
                                <span class="whoami" data-testid="whoami">"Logged in as " <strong>{user.username.clone()}</strong></span>
                                <A href="/dashboard">"Dashboard"</A>
                                <A href="/links">"Shared links"</A>
                                <A href=format!("/u/{}", user.username)>"Profile"</A>
                                <A href="/settings">"Settings"</A>
                                <ActionForm action=auth.logout attr:class="inline-form">
                                    <button type="submit" class="button secondary">"Log out"</button>
                                </ActionForm>
                            }.into_any(),
                            _ => view! {
                                <A href="/login">"Log in"</A>
                                <A href="/signup" attr:class="button">"Sign up"</A>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Not found"/>
        <section class="card narrow">
            <h1>"Not found"</h1>
            <p>"There is nothing here, or it is not yours to see."</p>
            <A href="/">"Back to the home page"</A>
        </section>
    }
}

/// The one inline alert of every page: an error or a warning that a screen reader announces.
#[component]
pub fn Alert(#[prop(into)] message: String, #[prop(optional)] testid: Option<&'static str>) -> impl IntoView {
    view! { <p class="alert" role="alert" data-testid=testid>{message}</p> }
}

//! The parts of every page: header with the account menu, and the not-found page.

use languages::Language;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_location};

use crate::{auth::use_auth, error::AppError, i18n::use_texts};

/// The header's switcher: the caller reads captions in `language` from now on (a cookie, and on
/// their account when logged in), then goes back to the page `return_to` of this site. A plain
/// form: it works without JavaScript.
#[server(prefix = "/api", endpoint = "set_language")]
pub async fn set_language(language: String, return_to: String) -> Result<(), AppError> {
    use crate::{
        locale,
        ssr::{accounts, app_state, request, sessions},
    };
    let state = app_state()?;
    let language = Language::from_code(&language).ok_or(AppError::Invalid(crate::error::Problem::ChooseLanguage))?;
    if let Some(user) = request::current_user().await? {
        accounts::save_language(&state.db, user.id, language).await.map_err(AppError::database)?;
    }
    request::add_set_cookie(sessions::language_cookie(language, &state.auth));
    leptos_axum::redirect(locale::local_path(&return_to));
    Ok(())
}

/// The language switcher: a plain form that posts to `set_language` and comes back here.
#[component]
fn LanguageSwitcher() -> impl IntoView {
    // The page's language: the same rule (account, cookie, browser) that chose its words.
    let t = use_texts();
    let here = use_location();
    let return_to = move || match here.search.get() {
        search if search.is_empty() => here.pathname.get(),
        search => format!("{}?{}", here.pathname.get(), search.trim_start_matches('?')),
    };
    view! {
        <form method="post" action="/api/set_language" class="inline-form language-form" data-testid="language-form">
            <input type="hidden" name="return_to" prop:value=return_to/>
            <label for="language-select" class="visually-hidden">{t.common.language_label}</label>
            <select id="language-select" name="language" data-testid="language-select">
                {options(Language::ALL, t.language, Language::code, Language::native_name)}
            </select>
            <button type="submit" class="button secondary small">{t.common.change_language}</button>
        </form>
    }
}

#[component]
pub fn SiteHeader() -> impl IntoView {
    let auth = use_auth();
    let t = use_texts();
    let c = &t.common;
    view! {
        <header class="site-header">
            <A href="/" attr:class="brand">{c.site_name}</A>
            <nav class="account-menu">
                <LanguageSwitcher/>
                <A href="/explore">{c.explore}</A>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match auth.user.await {
                            Ok(Some(user)) => view! {
                                <span class="whoami" data-testid="whoami">{c.logged_in_as} <strong>{user.username.clone()}</strong></span>
                                <A href="/dashboard">{c.dashboard}</A>
                                <A href="/links">{c.shared_links}</A>
                                <A href=format!("/u/{}", user.username)>{c.profile}</A>
                                <A href="/settings">{c.settings}</A>
                                <ActionForm action=auth.logout attr:class="inline-form">
                                    <button type="submit" class="button secondary">{c.log_out}</button>
                                </ActionForm>
                            }.into_any(),
                            _ => view! {
                                <A href="/login">{c.log_in}</A>
                                <A href="/signup" attr:class="button">{c.sign_up}</A>
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
    let c = &use_texts().common;
    view! {
        <Title text=c.not_found_title/>
        <section class="card narrow">
            <h1>{c.not_found_title}</h1>
            <p>{c.not_found_text}</p>
            <A href="/">{c.back_home}</A>
        </section>
    }
}

/// The one inline alert of every page: an error or a warning that a screen reader announces.
#[component]
pub fn Alert(#[prop(into)] message: String, #[prop(optional)] testid: Option<&'static str>) -> impl IntoView {
    view! { <p class="alert" role="alert" data-testid=testid>{message}</p> }
}

/// The `<option>`s of a `<select>` over a fixed set of choices, `current` selected: each choice's
/// form value and its label.
pub fn options<T: Copy + PartialEq + 'static>(
    choices: impl IntoIterator<Item = T>,
    current: T,
    value: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> impl IntoView {
    choices
        .into_iter()
        .map(|choice| view! { <option value=value(choice) selected=choice == current>{label(choice)}</option> })
        .collect_view()
}

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{error::AppError, i18n::use_texts, layout::Alert};

/// Logs in with email and password. A wrong email and a wrong password get the same answer.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    remember: Option<String>, // "on" when "remember me" is ticked
    next: Option<String>,     // where to go afterwards: a path on this site
) -> Result<(), AppError> {
    log_in(email, password, remember.is_some(), next).await
}

#[cfg(feature = "ssr")]
async fn log_in(email: String, password: String, remember: bool, next: Option<String>) -> Result<(), AppError> {
    use crate::{
        domain::safe_next_path,
        ssr::{accounts, app_state, request},
    };
    let state = app_state()?;
    request::check_rate_limit(&email).await?;
    let user = accounts::verify_credentials(&state.db, &email, &password).await.map_err(AppError::internal)?;
    let Some(user) = user else {
        return Err(AppError::BadCredentials { typed_email: email.trim().to_owned() });
    };
    request::start_session(&user, remember).await?;
    // The language cookie follows the account, so the pages stay in it after logging out.
    if let Some(language) = user.language {
        request::add_set_cookie(crate::ssr::sessions::language_cookie(language, &state.auth));
    }
    tracing::info!(user = %user.id, "logged in");
    leptos_axum::redirect(&safe_next_path(next.as_deref()));
    Ok(())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    // Created inside the route, where the router hands over the error of a form posted
    // without JavaScript.
    let login = ServerAction::<Login>::new();
    let t = use_texts();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || login.value().get().and_then(Result::err);
    let typed_email = move || match error() {
        Some(AppError::BadCredentials { typed_email }) => typed_email,
        _ => String::new(),
    };
    view! {
        <Title text=t.account.log_in/>
        <section class="card narrow">
            <h1>{t.account.log_in}</h1>
            <ActionForm action=login attr:class="form" attr:novalidate=true>
                {move || error().map(|err| view! { <Alert message=err.message(t) testid="form-error"/> })}
                <input type="hidden" name="next" value=next/>
                <label for="login-email">{t.account.email}</label>
                <input id="login-email" type="email" name="email" autocomplete="email" value=typed_email/>
                <label for="login-password">{t.account.password}</label>
                <input id="login-password" type="password" name="password" autocomplete="current-password"/>
                <label class="check"><input type="checkbox" name="remember"/>{t.account.remember_me}</label>
                <button type="submit" class="button" disabled=move || login.pending().get()>{t.account.log_in}</button>
            </ActionForm>
            <p class="muted">{t.account.new_here} <A href="/signup">{t.account.create_an_account}</A></p>
        </section>
    }
}

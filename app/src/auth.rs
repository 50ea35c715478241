//! Who is logged in, for every page: the current user, the log-in, sign-up and log-out actions,
//! and the guard that sends visitors to the log-in page.

use std::sync::Arc;

use leptos::prelude::*;

use crate::layout::Alert;
use leptos_router::{components::Redirect, hooks::use_location};
use serde::{Deserialize, Serialize};

use crate::{error::AppError, i18n::use_texts};

/// What the pages may know of the logged-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub username: String,
    pub email: String,
    /// The language their pages are in now (their account's, else as for a visitor).
    pub language: languages::Language,
}

#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<UserInfo>, AppError> {
    use crate::ssr::request;
    let user = request::current_user().await?;
    let language = request::reader_language(user.as_ref());
    Ok(user.map(|u| UserInfo { username: u.username, email: u.email, language }))
}

#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    crate::ssr::request::end_session().await?;
    leptos_axum::redirect("/");
    Ok(())
}

#[derive(Clone, Copy)]
pub struct Auth {
    pub user: crate::page_data::PageResource<Result<Option<UserInfo>, AppError>>,
    pub logout: ServerAction<Logout>,
}

/// Provides the current user to every page. It is fetched again after each navigation (log-in
/// and sign-up end with one) and after logging out.
pub fn provide_auth() {
    let logout = ServerAction::<Logout>::new();
    let location = use_location();
    let user =
        crate::page_data::page_resource(move || (location.pathname.get(), logout.version().get()), |_| current_user());
    provide_context(Auth { user, logout });
    // Logging in moves to the next page without loading it; when the account reads another
    // language than the page was made in, the page is loaded again, in that language.
    #[cfg(feature = "hydrate")]
    {
        let page_language = use_texts().language;
        Effect::new(move |_| {
            if let Some(Ok(Some(user))) = user.get() {
                if user.language != page_language {
                    let _ = window().location().reload();
                }
            }
        });
    }
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// Percent-encodes a value for a query string.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Renders its children for the logged-in user; sends a visitor to the log-in page, which
/// brings them back here afterwards.
#[component]
pub fn RequireUser<F, IV>(children: F) -> impl IntoView
where
    F: Fn(UserInfo) -> IV + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let auth = use_auth();
    let location = use_location();
    let children = Arc::new(children);
    let t = use_texts();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t.common.loading}</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match auth.user.await {
                        Ok(Some(user)) => children(user).into_any(),
                        Ok(None) => {
                            let (path, search) = (location.pathname.get_untracked(), location.search.get_untracked());
                            let here = if search.is_empty() { path } else { format!("{path}?{search}") };
                            view! { <Redirect path=format!("/login?next={}", encode_query_value(&here))/> }.into_any()
                        }
                        Err(err) => view! { <Alert message=err.message(t)/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::encode_query_value;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode_query_value("/dashboard"), "/dashboard");
        assert_eq!(encode_query_value("/p?a=1&b"), "/p%3Fa%3D1%26b");
    }
}

//! A public profile at `/u/{username}`: display name, bio and public photos, newest first.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    error::AppError,
    i18n::use_texts,
    layout::{Alert, NotFound},
    photo_view::Profile,
    sharing::FeedGrid,
};

/// The profile of `username` with a page of their public photos after `before`; an unknown user
/// and a private profile are "not found" alike.
#[server(prefix = "/api", endpoint = "get_profile")]
pub async fn get_profile(username: String, before: Option<String>) -> Result<Profile, AppError> {
    use crate::ssr::{request, sharing};
    let (state, viewer, _) = request::viewer(None).await?;
    sharing::profile(&state.db, &viewer, &username, before.as_deref())
        .await
        .map_err(AppError::database)?
        .ok_or(AppError::NotFound)
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let t = use_texts();
    let profile = crate::page_data::page_resource(
        move || (params.read().get("username").unwrap_or_default(), query.read().get("before")),
        |(username, before)| get_profile(username, before),
    );
    view! {
        <Transition fallback=move || view! { <p class="muted">{t.common.loading}</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(profile) => {
                        let path = format!("/u/{}", profile.owner.username);
                        let name = profile.owner.name.clone();
                        view! {
                            <Title text=name.clone()/>
                            <section class="profile" data-testid="profile">
                                <h1 data-testid="profile-name">{name}</h1>
                                <p class="muted">"@" {profile.owner.username.clone()}</p>
                                {profile.bio.map(|bio| view! { <p class="bio" data-testid="bio">{bio}</p> })}
                                <FeedGrid page=profile.photos path empty=t.account.no_public_photos/>
                            </section>
                        }.into_any()
                    }
                    Err(AppError::NotFound) => view! { <NotFound/> }.into_any(),
                    Err(err) => view! { <Alert message=err.message(t)/> }.into_any(),
                }
            })}
        </Transition>
    }
}

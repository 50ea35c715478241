//! Account settings: the public profile (display name, bio, whether it is shown) and the
//! visibility of new uploads.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    auth::RequireUser,
    error::AppError,
    layout::{options, Alert},
    photo_view::{AccountSettings, Visibility},
    unescaped_child_text,
};

#[server(prefix = "/api", endpoint = "get_settings")]
pub async fn get_settings() -> Result<AccountSettings, AppError> {
    let (_, user) = crate::ssr::request::signed_in().await?;
    Ok(user.settings())
}

/// Saves the settings; `profile_public` is a checkbox, absent when unticked.
#[server(prefix = "/api", endpoint = "save_settings")]
pub async fn save_settings(
    display_name: String,
    bio: String,
    default_visibility: String,
    profile_public: Option<String>,
) -> Result<(), AppError> {
    use crate::{
        domain::{Bio, DisplayName},
        ssr::{accounts, request},
    };
    let (state, user) = request::signed_in().await?;
    let invalid = |why: &str| AppError::Invalid(why.to_owned());
    let display_name = DisplayName::parse(&display_name).map_err(invalid)?;
    let bio = Bio::parse(&bio).map_err(invalid)?;
    let default_visibility =
        Visibility::parse(&default_visibility).ok_or_else(|| invalid("Please choose who can see your new photos."))?;
    accounts::save_settings(&state.db, user.id, display_name, bio, default_visibility, profile_public.is_some())
        .await
        .map_err(AppError::database)
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveSettings>::new();
    let settings = Resource::new(move || save.version().get(), |_| get_settings());
    let outcome = move || {
        save.value().get().map(|result| match result {
            Ok(()) => view! { <p class="notice" role="status" data-testid="saved">"Settings saved."</p> }.into_any(),
            Err(err) => view! { <Alert message=err.to_string()/> }.into_any(),
        })
    };
    view! {
        <Title text="Settings"/>
        <RequireUser let:user>
            <section class="card settings">
                <h1>"Settings"</h1>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {
                        let username = user.username.clone();
                        move || {
                            let username = username.clone();
                            Suspend::new(async move {
                                match settings.await {
                                    Err(err) => view! { <Alert message=err.to_string()/> }.into_any(),
                                    Ok(current) => view! { <SettingsForm current username save/> }.into_any(),
                                }
                            })
                        }
                    }
                </Transition>
                {outcome}
            </section>
        </RequireUser>
    }
}

#[component]
fn SettingsForm(current: AccountSettings, username: String, save: ServerAction<SaveSettings>) -> impl IntoView {
    view! {
        <ActionForm action=save attr:class="stacked-form">
            <h2>"Public profile"</h2>
            <p class="muted">"Your profile is at " <a href=format!("/u/{username}")>{format!("/u/{username}")}</a> " and lists your public photos."</p>
            <label for="display-name">"Display name"</label>
            // Attributes, not properties: the form must show what is saved without JavaScript too,
            // or saving it would wipe the settings.
            <input id="display-name" name="display_name" maxlength="50" value=current.display_name placeholder=username.clone()/>
            <label for="bio">"Bio"</label>
            <textarea id="bio" name="bio" rows="3" maxlength="300">{unescaped_child_text(&current.bio)}</textarea>
            <label class="checkbox">
                <input type="checkbox" name="profile_public" value="on" checked=current.profile_public/>
                " Show my profile to others"
            </label>
            <h2>"New photos"</h2>
            <label for="default-visibility">"Who can see the photos you upload"</label>
            <select id="default-visibility" name="default_visibility">
                {options(Visibility::ALL, current.default_visibility, Visibility::as_str, Visibility::label)}
            </select>
            <button type="submit" class="button" disabled=move || save.pending().get()>"Save settings"</button>
        </ActionForm>
    }
}

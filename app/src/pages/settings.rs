//! Account settings: the public profile (display name, bio, whether it is shown) and the
//! visibility of new uploads.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    auth::RequireUser,
    error::AppError,
    i18n::use_texts,
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
        error::Problem,
        ssr::{accounts, request},
    };
    let (state, user) = request::signed_in().await?;
    let display_name = DisplayName::parse(&display_name).map_err(AppError::Invalid)?;
    let bio = Bio::parse(&bio).map_err(AppError::Invalid)?;
    let default_visibility =
        Visibility::parse(&default_visibility).ok_or(AppError::Invalid(Problem::ChooseDefaultVisibility))?;
    accounts::save_settings(&state.db, user.id, display_name, bio, default_visibility, profile_public.is_some())
        .await
        .map_err(AppError::database)
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveSettings>::new();
    let settings = crate::page_data::page_resource(move || save.version().get(), |_| get_settings());
    let t = use_texts();
    let outcome = move || {
        save.value().get().map(|result| match result {
            Ok(()) => {
                view! { <p class="notice" role="status" data-testid="saved">{t.account.settings_saved}</p> }.into_any()
            }
            Err(err) => view! { <Alert message=err.message(t)/> }.into_any(),
        })
    };
    view! {
        <Title text=t.account.settings/>
        <RequireUser let:user>
            <section class="card settings">
                <h1>{t.account.settings}</h1>
                <Transition fallback=move || view! { <p class="muted">{t.common.loading}</p> }>
                    {
                        let username = user.username.clone();
                        move || {
                            let username = username.clone();
                            Suspend::new(async move {
                                match settings.await {
                                    Err(err) => view! { <Alert message=err.message(t)/> }.into_any(),
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
    let t = use_texts();
    view! {
        <ActionForm action=save attr:class="stacked-form">
            <h2>{t.account.public_profile}</h2>
            <p class="muted">{t.account.profile_at_before} <a href=format!("/u/{username}")>{format!("/u/{username}")}</a> {t.account.profile_at_after}</p>
            <label for="display-name">{t.account.display_name}</label>
            // Attributes, not properties: the form must show what is saved without JavaScript too,
            // or saving it would wipe the settings.
            <input id="display-name" name="display_name" maxlength="50" value=current.display_name placeholder=username.clone()/>
            <label for="bio">{t.account.bio}</label>
            <textarea id="bio" name="bio" rows="3" maxlength="300">{unescaped_child_text(&current.bio)}</textarea>
            <label class="checkbox">
                <input type="checkbox" name="profile_public" value="on" checked=current.profile_public/>
                {t.account.show_profile}
            </label>
            <h2>{t.account.new_photos}</h2>
            <label for="default-visibility">{t.account.default_visibility}</label>
            <select id="default-visibility" name="default_visibility">
                {options(Visibility::ALL, current.default_visibility, Visibility::as_str, move |v| v.label(t))}
            </select>
            <button type="submit" class="button" disabled=move || save.pending().get()>{t.account.save_settings}</button>
        </ActionForm>
    }
}

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    error::{AppError, Problem, SignupProblems},
    i18n::use_texts,
    layout::Alert,
};

/// Creates an account and logs it in.
#[server(prefix = "/api", endpoint = "signup")]
pub async fn signup(
    username: String,
    email: String,
    password: String,
    password_confirmation: String,
) -> Result<(), AppError> {
    sign_up(username, email, password, password_confirmation).await
}

#[cfg(feature = "ssr")]
async fn sign_up(
    username: String,
    email: String,
    password: String,
    password_confirmation: String,
) -> Result<(), AppError> {
    use crate::{
        domain::{Email, Password, Username},
        ssr::{
            accounts::{self, CreateAccountError, NewAccount},
            app_state, request,
        },
    };
    let state = app_state()?;
    request::check_rate_limit(&email).await?;
    let mut problems = SignupProblems {
        typed_username: username.trim().to_owned(),
        typed_email: email.trim().to_owned(),
        ..Default::default()
    };
    let parsed_username = Username::parse(&username).map_err(|m| problems.username = Some(m)).ok();
    let parsed_email = Email::parse(&email).map_err(|m| problems.email = Some(m)).ok();
    let parsed_password = Password::parse(&password).map_err(|m| problems.password = Some(m)).ok();
    if password != password_confirmation {
        problems.password_confirmation = Some(Problem::PasswordsDiffer);
    }
    let (Some(username), Some(email), Some(password), true) =
        (parsed_username, parsed_email, parsed_password, problems.is_empty())
    else {
        return Err(AppError::InvalidSignup(Box::new(problems)));
    };

    match accounts::create_account(&state.db, NewAccount { username, email, password }).await {
        Ok(user) => {
            tracing::info!(user = %user.id, "account created");
            request::start_session(&user, false).await?;
            leptos_axum::redirect("/dashboard");
            Ok(())
        }
        Err(CreateAccountError::Taken { email, username }) => {
            if email {
                problems.email = Some(Problem::EmailTaken);
            }
            if username {
                problems.username = Some(Problem::UsernameTaken);
            }
            Err(AppError::InvalidSignup(Box::new(problems)))
        }
        Err(err) => Err(AppError::internal(err)),
    }
}

#[component]
fn FieldError(#[prop(into)] problem: Signal<Option<Problem>>, id: &'static str) -> impl IntoView {
    let t = use_texts();
    view! {
        <Show when=move || problem.get().is_some()>
            <p class="field-error" id=id role="alert">{move || problem.get().map(|problem| (t.errors.problem)(&problem))}</p>
        </Show>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    // Created inside the route, where the router hands over the error of a form posted
    // without JavaScript.
    let signup = ServerAction::<Signup>::new();
    let t = use_texts();
    let error = move || signup.value().get().and_then(Result::err);
    let problems = move || match error() {
        Some(AppError::InvalidSignup(problems)) => *problems,
        _ => SignupProblems::default(),
    };
    let other_error = move || match error() {
        Some(AppError::InvalidSignup(_)) | None => None,
        Some(err) => Some(err.message(t)),
    };
    view! {
        <Title text=t.account.sign_up/>
        <section class="card narrow">
            <h1>{t.account.create_your_account}</h1>
            <ActionForm action=signup attr:class="form" attr:novalidate=true>
                {move || other_error().map(|msg| view! { <Alert message=msg testid="form-error"/> })}
                <label for="signup-username">{t.account.username}</label>
                <input id="signup-username" name="username" autocomplete="username" minlength="2" maxlength="30"
                    value=move || problems().typed_username aria-describedby="username-error"/>
                <FieldError id="username-error" problem=Signal::derive(move || problems().username)/>
                <label for="signup-email">{t.account.email}</label>
                <input id="signup-email" type="email" name="email" autocomplete="email"
                    value=move || problems().typed_email aria-describedby="email-error"/>
                <FieldError id="email-error" problem=Signal::derive(move || problems().email)/>
                <label for="signup-password">{t.account.password}</label>
                <input id="signup-password" type="password" name="password" autocomplete="new-password" aria-describedby="password-error"/>
                <p class="hint">{t.account.password_hint}</p>
                <FieldError id="password-error" problem=Signal::derive(move || problems().password)/>
                <label for="signup-password-confirmation">{t.account.confirm_password}</label>
                <input id="signup-password-confirmation" type="password" name="password_confirmation" autocomplete="new-password" aria-describedby="confirmation-error"/>
                <FieldError id="confirmation-error" problem=Signal::derive(move || problems().password_confirmation)/>
                <button type="submit" class="button" disabled=move || signup.pending().get()>{t.account.sign_up}</button>
            </ActionForm>
            <p class="muted">{t.account.have_account} <A href="/login">{t.account.log_in}</A></p>
        </section>
    }
}

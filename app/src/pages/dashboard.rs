use leptos::prelude::*;
use leptos_meta::Title;

use crate::auth::RequireUser;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Your photos"/>
        <RequireUser let:user>
            <section class="dashboard">
                <h1>"Hello, " {user.username} "!"</h1>
                <div class="empty-state" data-testid="empty-state">
                    <h2>"No photos yet"</h2>
                    <p class="muted">"Photos you upload appear here, each with its caption."</p>
                </div>
            </section>
        </RequireUser>
    }
}

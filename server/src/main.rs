use server::{configuration::Settings, startup::Application, telemetry};

#[tokio::main]
async fn main() {
    telemetry::init();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("configuration error: {err}");
            std::process::exit(2);
        }
    };
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(err) => {
            tracing::error!("could not start: {err}");
            eprintln!("could not start: {err}");
            std::process::exit(1);
        }
    };
    if let Err(err) = app.run_until_stopped().await {
        tracing::error!("server error: {err}");
        std::process::exit(1);
    }
}

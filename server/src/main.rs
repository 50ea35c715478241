use server::{configuration::Settings, site_files, startup::Application, telemetry};

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
    match std::env::args().nth(1).as_deref() {
        None => {}
        Some("compress-site") => return compress_site(&settings),
        Some(other) => {
            eprintln!("unknown command {other:?}: `server` runs the app, `server compress-site` makes the site's gzip copies smaller");
            std::process::exit(2);
        }
    }
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

/// `server compress-site`: after `cargo leptos build --release --precompress`, before serving.
fn compress_site(settings: &Settings) {
    let root = std::path::Path::new(settings.leptos_options.site_root.as_ref());
    match site_files::compress_site(root) {
        Ok(copies) => {
            for copy in copies {
                println!("{:>10} B -> {:>10} B  {}", copy.before, copy.after, copy.path.display());
            }
        }
        Err(err) => {
            eprintln!("could not compress the site's files under {}: {err}", root.display());
            std::process::exit(1);
        }
    }
}

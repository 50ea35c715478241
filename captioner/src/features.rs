//! Image features computed once and cached on disk: VGG16 is by far the slowest part of
//! training (about 45 minutes for Flickr8k's 8,091 photos on this machine), so `extract` writes
//! each batch as it goes; a second run reuses the file and an interrupted run resumes.
//!
//! One format for both kinds of feature: a photo's features are `regions` vectors of `dim`
//! values (the pooled vector is 1 region; VGG16's 7x7 map is 49, its 14x14 map 196), stored as f16, which halves the
//! file at no cost to the captions (VGG16's values need 3 significant digits, not 7).
//!
//! File: the magic `CAPFEAT2`, `regions` (u32 LE), `dim` (u32 LE), then records of (name length
//! u16 LE, UTF-8 name, `regions * dim` f16 LE). A record cut off by an interruption is dropped
//! when the file is opened again. Reading maps the file into memory: the features are read in
//! place (the page cache is the only copy), and only an index of names is built.

use std::{
    collections::HashMap,
    fs::{File, OpenOptions},
    io::{self, BufWriter, Write},
    path::{Path, PathBuf},
};

use half::f16;
use memmap2::Mmap;

const MAGIC: &[u8; 8] = b"CAPFEAT2";
const HEADER: usize = 16;

/// What a photo's features are: how many regions of how many values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureShape {
    pub regions: usize,
    pub dim: usize,
}

impl FeatureShape {
    pub fn len(&self) -> usize {
        self.regions * self.dim
    }

    /// The pooled vector of a photo's features of this shape: the mean over its regions. For
    /// VGG16's 7x7 map that is exactly its pooled output (see `Vgg16Encoder::forward`).
    pub fn pool(&self, features: &[f32]) -> Vec<f32> {
        let mut sum = vec![0f32; self.dim];
        for region in features.chunks(self.dim) {
            sum.iter_mut().zip(region).for_each(|(s, v)| *s += v);
        }
        sum.iter().map(|s| s / self.regions as f32).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn record_bytes(&self, name_len: usize) -> usize {
        2 + name_len + 2 * self.len()
    }
}

pub struct FeatureCache {
    path: PathBuf,
    shape: FeatureShape,
    /// The file as it was when opened (None while it held no record), and where each photo's
    /// values start in it.
    map: Option<Mmap>,
    offsets: HashMap<String, usize>,
    /// Records appended since the file was mapped.
    appended: HashMap<String, Vec<f32>>,
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

impl FeatureCache {
    /// Opens (or creates) the cache file for features of `shape`.
    pub fn open(path: &Path, shape: FeatureShape) -> io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)?;
        let len = file.metadata()?.len() as usize;
        if len == 0 {
            file.write_all(MAGIC)?;
            file.write_all(&(shape.regions as u32).to_le_bytes())?;
            file.write_all(&(shape.dim as u32).to_le_bytes())?;
            return Ok(Self {
                path: path.to_owned(),
                shape,
                map: None,
                offsets: HashMap::new(),
                appended: HashMap::new(),
            });
        }
        // Safety: the cache is only appended to, by this process, through `append`.
        let map = unsafe { Mmap::map(&file)? };
        if map.len() < HEADER || &map[..8] != MAGIC {
            return Err(invalid(format!(
                "{} is not a feature cache of this version (extract again: `captioner extract`)",
                path.display()
            )));
        }
        let stored = FeatureShape {
            regions: u32::from_le_bytes(map[8..12].try_into().unwrap()) as usize,
            dim: u32::from_le_bytes(map[12..16].try_into().unwrap()) as usize,
        };
        if stored != shape {
            return Err(invalid(format!(
                "{} holds {}x{} features, not {}x{}",
                path.display(),
                stored.regions,
                stored.dim,
                shape.regions,
                shape.dim
            )));
        }
        let mut offsets = HashMap::new();
        let mut at = HEADER;
        while let Some(name_len) = map.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize) {
            let end = at + shape.record_bytes(name_len);
            if end > map.len() {
                break;
            }
            let name = String::from_utf8_lossy(&map[at + 2..at + 2 + name_len]).into_owned();
            offsets.insert(name, at + 2 + name_len);
            at = end;
        }
        let map = if at < map.len() {
            // drop a record that an interruption cut off, and map what remains
            drop(map);
            file.set_len(at as u64)?;
            unsafe { Mmap::map(&file)? }
        } else {
            map
        };
        Ok(Self { path: path.to_owned(), shape, map: Some(map), offsets, appended: HashMap::new() })
    }

    pub fn shape(&self) -> FeatureShape {
        self.shape
    }

    pub fn len(&self) -> usize {
        self.offsets.len() + self.appended.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, name: &str) -> bool {
        self.offsets.contains_key(name) || self.appended.contains_key(name)
    }

    /// A photo's features, region after region, as f32.
    pub fn get(&self, name: &str) -> Option<Vec<f32>> {
        let mut out = Vec::with_capacity(self.shape.len());
        self.extend_with(name, &mut out).then_some(out)
    }

    /// Appends a photo's features to `out` (no copy beyond it); false when the photo is not cached.
    pub fn extend_with(&self, name: &str, out: &mut Vec<f32>) -> bool {
        if let (Some(&at), Some(map)) = (self.offsets.get(name), &self.map) {
            let bytes = &map[at..at + 2 * self.shape.len()];
            out.extend(bytes.chunks_exact(2).map(|c| f16::from_le_bytes([c[0], c[1]]).to_f32()));
            true
        } else if let Some(values) = self.appended.get(name) {
            out.extend_from_slice(values);
            true
        } else {
            false
        }
    }

    /// Appends a batch and flushes it to disk before returning.
    pub fn append(&mut self, batch: Vec<(String, Vec<f32>)>) -> io::Result<()> {
        let file = OpenOptions::new().append(true).open(&self.path)?;
        let mut out = BufWriter::new(file);
        for (name, values) in batch {
            assert_eq!(values.len(), self.shape.len(), "feature size");
            let name_bytes = name.as_bytes();
            out.write_all(&(name_bytes.len() as u16).to_le_bytes())?;
            out.write_all(name_bytes)?;
            for v in &values {
                out.write_all(&f16::from_f32(*v).to_le_bytes())?;
            }
            // what a reader gets back is the stored (rounded) value
            self.appended.insert(name, values.iter().map(|v| f16::from_f32(*v).to_f32()).collect());
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_data()?;
        Ok(())
    }
}

/// Opens a cache just to read it.
pub fn read(path: &Path, shape: FeatureShape) -> io::Result<FeatureCache> {
    File::open(path)?;
    FeatureCache::open(path, shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_path(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("captioner-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("features.bin")
    }

    const POOLED: FeatureShape = FeatureShape { regions: 1, dim: 3 };

    #[test]
    fn features_survive_a_reopen_as_f16() {
        let path = temp_path("reopen");
        let mut cache = FeatureCache::open(&path, POOLED).unwrap();
        cache.append(vec![("a.jpg".into(), vec![1.0, 2.0, 3.0]), ("b.jpg".into(), vec![4.0, 5.0, 6.0])]).unwrap();
        cache.append(vec![("c.jpg".into(), vec![7.0, 8.0, 120.3])]).unwrap();
        assert_eq!(cache.get("c.jpg"), Some(vec![7.0, 8.0, 120.3125]), "rounded to f16 at once");
        let again = FeatureCache::open(&path, POOLED).unwrap();
        assert_eq!(again.len(), 3);
        assert_eq!(again.get("c.jpg"), Some(vec![7.0, 8.0, 120.3125]));
        assert_eq!(std::fs::metadata(&path).unwrap().len() as usize, HEADER + 3 * (2 + 5 + 6), "2 bytes a value");
        assert!(FeatureCache::open(&path, FeatureShape { regions: 1, dim: 4 }).is_err(), "another size is refused");
        assert!(FeatureCache::open(&path, FeatureShape { regions: 2, dim: 3 }).is_err(), "a map is not pooled");
    }

    #[test]
    fn a_map_is_read_region_after_region() {
        let path = temp_path("map");
        let shape = FeatureShape { regions: 2, dim: 2 };
        let mut cache = FeatureCache::open(&path, shape).unwrap();
        cache.append(vec![("a.jpg".into(), vec![1.0, 2.0, 3.0, 4.0])]).unwrap();
        let again = FeatureCache::open(&path, shape).unwrap();
        let mut both = Vec::new();
        assert!(again.extend_with("a.jpg", &mut both) && again.extend_with("a.jpg", &mut both));
        assert_eq!(both, [1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0]);
        assert!(!again.extend_with("b.jpg", &mut both));
    }

    #[test]
    fn an_interrupted_write_is_dropped_and_extraction_resumes() {
        let shape = FeatureShape { regions: 1, dim: 2 };
        let path = temp_path("interrupted");
        let mut cache = FeatureCache::open(&path, shape).unwrap();
        cache.append(vec![("a.jpg".into(), vec![1.0, 2.0])]).unwrap();
        // half a record, as a killed process leaves it
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(&[5, 0, b'b', b'.', b'j']).unwrap();
        drop(file);
        let mut cache = FeatureCache::open(&path, shape).unwrap();
        assert_eq!(cache.len(), 1);
        assert!(!cache.contains("b.jpg"));
        cache.append(vec![("b.jpg".into(), vec![3.0, 4.0])]).unwrap();
        assert_eq!(FeatureCache::open(&path, shape).unwrap().get("b.jpg"), Some(vec![3.0, 4.0]));
    }

    #[test]
    fn other_files_are_refused() {
        let path = temp_path("other");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"hello world, not features").unwrap();
        assert!(FeatureCache::open(&path, POOLED).is_err());
    }
}

//! Frames from image files, for the demo mode and the tests.

use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use image::{ImageFormat, RgbImage};

use super::{CameraProblem, FrameSource, OpenError};

const DEFAULT_FPS: u32 = 15;

/// Plays images as camera frames at a steady frame rate, looping (the default) or once. The
/// images are decoded when it opens, so playing costs a copy per frame.
pub struct FileCamera {
    frames: Vec<RgbImage>,
    next: usize,
    interval: Duration,
    /// When the next frame is due; `None` before the first.
    due: Option<Instant>,
    looping: bool,
}

impl FileCamera {
    /// One image file, or every PNG or JPEG in a directory in name order.
    pub fn open(path: &Path) -> Result<FileCamera, OpenError> {
        if path.is_dir() {
            FileCamera::from_files(&images_in(path)?)
        } else {
            FileCamera::from_files(&[path.to_path_buf()])
        }
    }

    /// These image files, in this order.
    pub fn from_files(paths: &[PathBuf]) -> Result<FileCamera, OpenError> {
        if paths.is_empty() {
            return Err(OpenError("no image files given".into()));
        }
        let frames = paths
            .iter()
            .map(|path| match image::open(path) {
                Ok(image) => Ok(image.into_rgb8()),
                Err(why) => Err(OpenError(format!("{}: {why}", path.display()))),
            })
            .collect::<Result<_, _>>()?;
        Ok(FileCamera { frames, next: 0, interval: Duration::from_secs(1) / DEFAULT_FPS, due: None, looping: true })
    }

    /// Plays at `fps` frames a second instead of 15.
    pub fn with_frame_rate(self, fps: u32) -> FileCamera {
        assert!(fps > 0, "a frame rate of 0");
        FileCamera { interval: Duration::from_secs(1) / fps, ..self }
    }

    /// Plays the images once, then reports [`CameraProblem::Stopped`], like an unplugged camera.
    pub fn play_once(self) -> FileCamera {
        FileCamera { looping: false, ..self }
    }

    fn wait_for_turn(&mut self) {
        let now = Instant::now();
        if let Some(wait) = self.due.and_then(|due| due.checked_duration_since(now)) {
            thread::sleep(wait);
        }
        // A reader that fell behind gets its next frame an interval later, not a burst.
        self.due = Some(self.due.map_or(now, |due| due.max(now)) + self.interval);
    }
}

impl FrameSource for FileCamera {
    fn next_frame(&mut self) -> Result<RgbImage, CameraProblem> {
        if self.next == self.frames.len() {
            if !self.looping {
                return Err(CameraProblem::Stopped);
            }
            self.next = 0;
        }
        self.wait_for_turn();
        let frame = self.frames[self.next].clone();
        self.next += 1;
        Ok(frame)
    }
}

/// The images of a directory (by their extension), sorted by name.
fn images_in(dir: &Path) -> Result<Vec<PathBuf>, OpenError> {
    let failed = |why: String| OpenError(format!("{}: {why}", dir.display()));
    let mut paths = Vec::new();
    for entry in dir.read_dir().map_err(|why| failed(why.to_string()))? {
        let path = entry.map_err(|why| failed(why.to_string()))?.path();
        if ImageFormat::from_path(&path).is_ok_and(|format| format.reading_enabled()) {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(failed("no PNG or JPEG images in this directory".into()));
    }
    paths.sort();
    Ok(paths)
}
